// combocheck: the command-line driver. Parses options, hands each subcommand to its file.
#include <iostream>

#include "options.hpp"

namespace {

constexpr const char* kExamples = R"(Examples:
  combocheck check Zoloft "tramadol 50 mg" 5-HTP
  combocheck check --format json warfarin aspirin
  printf 'lithium\nhydrochlorothiazide\n' | combocheck check -
  combocheck batch patients.csv > results.jsonl
  combocheck resolve "St. John's Wort" APAP rxnorm:36437
  combocheck explain tramadol
  combocheck explain serotonin
  combocheck list agents --kind supplement
  combocheck stats
  combocheck lint rules/
  combocheck graph sertraline tramadol | dot -Tsvg > path.svg

Exit status: 0 nothing at or above --fail-on; 1 findings at or above --fail-on;
2 usage error, unrecognised names or unknown subject; 3 knowledge-base or internal error.

combocheck is informational and is not medical advice: no finding means no known
interaction in its knowledge base, never that a combination is safe.)";

}  // namespace

int main(int argc, char** argv) {
    using namespace combocheck::cli;
    CLI::App app{
        "combocheck: checks combinations of drugs, supplements, foods and recreational "
        "substances for known risks, and explains each by its mechanism.",
        "combocheck"};
    app.footer(kExamples);
    app.set_version_flag("--version", std::string("combocheck ") + COMBOCHECK_VERSION);
    app.require_subcommand(1);

    GlobalOptions options;
    app.add_option("--rules", options.rules_dir,
                   "Use the knowledge base in this directory instead of the built-in one")
        ->check(CLI::ExistingDirectory);
    app.add_option("--extra-rules", options.extra_dirs,
                   "Add a curator's knowledge files on top (an entry with an existing id "
                   "replaces it); repeatable")
        ->check(CLI::ExistingDirectory);

    Session session(options);
    for (const Registration add :
         {&register_check, &register_batch, &register_resolve, &register_explain, &register_list,
          &register_stats, &register_lint, &register_graph}) {
        add(app, session);
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitUsage;
    } catch (const Exit& e) {
        std::cout.flush();
        return e.code;
    } catch (const std::exception& e) {
        std::cerr << "combocheck: internal error: " << e.what() << "\n";
        return kExitKnowledge;
    }
    std::cout.flush();
    return std::cout ? kExitOk : kExitKnowledge;
}
