// Shared command-line pieces: knowledge-base loading, colour, reading names from stdin.
#include "options.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "loader.hpp"

namespace combocheck::cli {

namespace {
const KnowledgeBase* keep(KnowledgeBase kb) {
    static const KnowledgeBase* kept = nullptr;
    kept = new KnowledgeBase(std::move(kb));
    return kept;
}
}  // namespace

const KnowledgeBase& Session::knowledge() {
    if (kb_) return *kb_;
    try {
        if (options_.rules_dir.empty() && options_.extra_dirs.empty()) {
            // The built-in base, validated when combocheck was built: only decoded here (a damaged
            // snapshot throws std::runtime_error, reported by main as an internal error).
            kb_ = keep(load_embedded_knowledge());
            return *kb_;
        }
        // A curator's files go through the validating loader, with the embedded JSON as the base
        // when only --extra-rules is given.
        const std::vector<RuleFile> base = options_.rules_dir.empty()
                                               ? embedded_rule_files()
                                               : read_rule_directory(options_.rules_dir);
        std::vector<RuleFile> extra;
        for (const std::string& dir : options_.extra_dirs) {
            auto files = read_rule_directory(dir);
            std::move(files.begin(), files.end(), std::back_inserter(extra));
        }
        kb_ = keep(load_knowledge(base, extra));
    } catch (const LoadError& e) {
        std::size_t errors = 0;
        for (const Diagnostic& d : e.diagnostics()) {
            if (d.level != Diagnostic::Level::error) continue;
            std::cerr << format_diagnostic(d) << "\n";
            ++errors;
        }
        std::cerr << "combocheck: the knowledge base has " << errors
                  << " error(s) and was not used; run `combocheck lint` for details\n";
        throw Exit{kExitKnowledge};
    }
    return *kb_;
}

const Resolver& Session::resolver() {
    if (!resolver_) resolver_.emplace(knowledge());
    return *resolver_;
}

void add_colour_option(CLI::App& command, ColourChoice& choice) {
    command
        .add_option("--color,--colour", choice,
                    "Colour the text output: auto (on a terminal, unless NO_COLOR is set), "
                    "always, never")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, ColourChoice>{{"auto", ColourChoice::automatic},
                                                {"always", ColourChoice::always},
                                                {"never", ColourChoice::never}},
            CLI::ignore_case));
}

bool use_colour(ColourChoice choice) {
    if (choice != ColourChoice::automatic) return choice == ColourChoice::always;
    const char* no_colour = std::getenv("NO_COLOR");
    if (no_colour != nullptr && no_colour[0] != '\0') return false;
    const char* term = std::getenv("TERM");
    if (term != nullptr && std::string_view(term) == "dumb") return false;
    return isatty(STDOUT_FILENO) == 1;
}

std::vector<std::string> read_names(const std::vector<std::string>& args) {
    std::vector<std::string> names;
    // A line this long is not a name; refuse rather than hold it.
    constexpr std::size_t kMaxLine = 4096;
    for (const std::string& arg : args) {
        if (arg != "-") {
            if (arg.find_first_not_of(" \t\r\n") != std::string::npos) names.push_back(arg);
            continue;
        }
        std::string line;
        std::size_t number = 0;
        while (std::getline(std::cin, line)) {
            ++number;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
            if (line.size() > kMaxLine) {
                std::cerr << "combocheck: stdin:" << number << ": line longer than " << kMaxLine
                          << " bytes; expected one name per line\n";
                throw Exit{kExitUsage};
            }
            if (line.find('\0') != std::string::npos) {
                std::cerr << "combocheck: stdin:" << number
                          << ": binary data (NUL byte); expected one name per line\n";
                throw Exit{kExitUsage};
            }
            const auto first = line.find_first_not_of(" \t");
            if (first == std::string::npos || line[first] == '#') continue;
            names.push_back(line);
        }
    }
    return names;
}

}  // namespace combocheck::cli
