// `combocheck check AGENT...`: resolve names, check the list, print a report.
#include <iostream>

#include "options.hpp"
#include "report.hpp"

namespace combocheck::cli {

namespace {

enum class Format { text, json, markdown };

struct CheckOptions {
    std::vector<std::string> agents;
    Format format = Format::text;
    ColourChoice colour = ColourChoice::automatic;
    std::string fail_on = "major";
};

}  // namespace

void register_check(CLI::App& app, Session& session) {
    auto options = std::make_shared<CheckOptions>();
    CLI::App* command = app.add_subcommand(
        "check", "Check a list of agents for known interactions (- reads names from stdin)");
    command
        ->add_option("agents", options->agents,
                     "Agent names, brands, abbreviations or codes "
                     "(rxnorm:NNN, atc:XXX); - for stdin")
        ->required();
    command->add_option("-f,--format", options->format, "Output format: text, json, markdown")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, Format>{
                {"text", Format::text}, {"json", Format::json}, {"markdown", Format::markdown}},
            CLI::ignore_case));
    command
        ->add_option("--fail-on", options->fail_on,
                     "Exit 1 when a finding reaches this severity: minor, moderate, major "
                     "(default), contraindicated, none (never)")
        ->check(CLI::IsMember({"minor", "moderate", "major", "contraindicated", "none"}));
    add_colour_option(*command, options->colour);

    command->callback([options, &session] {
        const std::vector<std::string> names = read_names(options->agents);
        if (names.empty()) {
            std::cerr << "combocheck check: no agent names given\n";
            throw Exit{kExitUsage};
        }
        const KnowledgeBase& kb = session.knowledge();
        const CheckReport report = check_names(kb, session.resolver(), names);
        switch (options->format) {
            case Format::text:
                write_text(std::cout, kb, report, {use_colour(options->colour)});
                break;
            case Format::json:
                write_json(std::cout, kb, report);
                break;
            case Format::markdown:
                write_markdown(std::cout, kb, report);
                break;
        }
        std::size_t unresolved = 0;
        for (const Resolution& r : report.resolutions)
            unresolved += !r.agent;
        if (unresolved > 0) {
            std::cerr << "combocheck: " << unresolved
                      << " name(s) not recognised and not checked\n";
            throw Exit{kExitUsage};
        }
        const Severity fail_on = parse_severity(options->fail_on).value_or(Severity::major);
        if (fail_on != Severity::none && report.result.max_severity >= fail_on) {
            throw Exit{kExitFindings};
        }
    });
}

}  // namespace combocheck::cli
