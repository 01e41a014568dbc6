// `combocheck graph [AGENT...]`: the knowledge graph, or the part a check involved, as DOT.
#include <iostream>

#include "checker.hpp"
#include "graph.hpp"
#include "options.hpp"
#include "report.hpp"

namespace combocheck::cli {

void register_graph(CLI::App& app, Session& session) {
    auto agents = std::make_shared<std::vector<std::string>>();
    CLI::App* command = app.add_subcommand(
        "graph",
        "Write the knowledge graph as Graphviz DOT; with agents, only the part a check "
        "of them involves, with the rules that fired");
    command->add_option("agents", *agents, "Agents to check and draw; - reads names from stdin");
    command->callback([agents, &session] {
        const KnowledgeBase& kb = session.knowledge();
        GraphSelection selection;
        if (!agents->empty()) {
            const CheckReport report = check_names(kb, session.resolver(), read_names(*agents));
            bool unresolved = false;
            for (const Resolution& r : report.resolutions) {
                if (r.agent) continue;
                std::cerr << "combocheck graph: '" << r.input << "' is not recognised\n";
                unresolved = true;
            }
            if (unresolved) throw Exit{kExitUsage};
            selection.agents = report.result.agents;
            for (const Finding& f : report.result.findings) {
                if (std::find(selection.fired_rules.begin(), selection.fired_rules.end(), f.rule) ==
                    selection.fired_rules.end()) {
                    selection.fired_rules.push_back(f.rule);
                }
            }
        }
        write_dot(std::cout, kb, selection);
    });
}

}  // namespace combocheck::cli
