// `combocheck lint [DIR]`: validate a knowledge base and list every problem as file:line:col.
#include <iostream>

#include "loader.hpp"
#include "options.hpp"

namespace combocheck::cli {

namespace {
struct LintOptions {
    std::string dir;
    bool strict = false;
    bool quiet = false;
};
}  // namespace

void register_lint(CLI::App& app, Session& session) {
    auto options = std::make_shared<LintOptions>();
    CLI::App* command = app.add_subcommand(
        "lint", "Validate a knowledge base (default: the one in use) and list every problem");
    command->add_option("dir", options->dir, "Directory of knowledge files");
    command->add_flag("--strict", options->strict,
                      "Treat warnings (uncited sources, unused systems, empty classes) as errors");
    command->add_flag("-q,--quiet", options->quiet, "Print errors and warnings only, not notes");
    command->callback([options, &session] {
        std::vector<RuleFile> base, extra;
        try {
            const std::string& dir =
                options->dir.empty() ? session.options().rules_dir : options->dir;
            base = dir.empty() ? embedded_rule_files() : read_rule_directory(dir);
            for (const std::string& d : session.options().extra_dirs) {
                auto files = read_rule_directory(d);
                std::move(files.begin(), files.end(), std::back_inserter(extra));
            }
        } catch (const LoadError& e) {
            for (const Diagnostic& d : e.diagnostics())
                std::cerr << format_diagnostic(d) << "\n";
            throw Exit{kExitKnowledge};
        }
        const LintReport report = lint_knowledge(base, extra, {options->strict});
        for (const Diagnostic& d : report.diagnostics) {
            if (options->quiet && d.level == Diagnostic::Level::note) continue;
            std::cerr << format_diagnostic(d) << "\n";
        }
        if (!report.knowledge) {
            std::cerr << "combocheck lint: " << report.error_count << " error(s), "
                      << report.warning_count << " warning(s) in " << base.size() + extra.size()
                      << " file(s)\n";
            throw Exit{kExitKnowledge};
        }
        const KnowledgeBase& kb = *report.knowledge;
        std::cout << "ok: " << base.size() + extra.size() << " files, " << kb.agents().size()
                  << " agents, " << kb.classes().size() << " classes, " << kb.systems().size()
                  << " systems, " << kb.rules().size() << " rules, " << kb.sources().size()
                  << " sources; " << report.warning_count << " warning(s)\n";
    });
}

}  // namespace combocheck::cli
