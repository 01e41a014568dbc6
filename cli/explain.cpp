// `combocheck explain AGENT|CLASS|SYSTEM|RULE|RISK`: what it is, what acts on it, what it matches.
#include <iostream>

#include "explain.hpp"
#include "options.hpp"

namespace combocheck::cli {

void register_explain(CLI::App& app, Session& session) {
    auto words = std::make_shared<std::vector<std::string>>();
    CLI::App* command =
        app.add_subcommand("explain", "Explain an agent, class, system, rule or risk category");
    command
        ->add_option("subject", *words,
                     "What to explain, e.g. tramadol, ssri, serotonin, "
                     "serotonergic_load")
        ->required();
    command->callback([words, &session] {
        std::string query;
        for (const std::string& w : *words)
            query += (query.empty() ? "" : " ") + w;
        const KnowledgeBase& kb = session.knowledge();
        const auto subject = find_subject(kb, session.resolver(), query);
        if (!subject) {
            std::cerr << "combocheck explain: '" << query
                      << "' is not an agent, class, system, rule or risk in this knowledge base";
            const auto suggestions = session.resolver().suggest(query);
            if (!suggestions.empty()) {
                std::cerr << "; did you mean ";
                for (std::size_t i = 0; i < suggestions.size(); ++i) {
                    std::cerr << (i ? ", " : "") << suggestions[i];
                }
                std::cerr << "?";
            }
            std::cerr << "\n(combocheck list agents|classes|systems|rules|risks shows them all)\n";
            throw Exit{kExitUsage};
        }
        write_explanation(std::cout, kb, *subject);
    });
}

}  // namespace combocheck::cli
