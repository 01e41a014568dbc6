// `combocheck stats`: how large the knowledge base in use is, as text or JSON.
#include <iostream>

#include <rapidjson/ostreamwrapper.h>
#include <rapidjson/prettywriter.h>

#include "options.hpp"
#include "stats.hpp"

namespace combocheck::cli {

namespace {

// Pairs of (name, count) for one breakdown, in enum order.
template <typename Enum, std::size_t N>
std::vector<std::pair<std::string, std::size_t>> breakdown(
    const std::array<std::size_t, N>& counts) {
    std::vector<std::pair<std::string, std::size_t>> out;
    for (std::size_t i = 0; i < N; ++i) {
        out.emplace_back(std::string(to_string(static_cast<Enum>(i))), counts[i]);
    }
    return out;
}

struct Section {
    std::string name;
    std::size_t total;
    std::vector<std::pair<std::string, std::size_t>> parts;
};

std::vector<Section> sections(const KnowledgeBase& kb, const KnowledgeStats& s) {
    return {
        {"agents", s.agents, breakdown<AgentKind>(s.agents_by_kind)},
        {"names", s.names, {{"brands", s.brands}}},
        {"codes",
         s.rxnorm_codes + s.atc_codes,
         {{"agents_with_rxnorm", s.rxnorm_codes}, {"agents_with_atc", s.atc_codes}}},
        {"classes", s.classes, {}},
        {"systems", kb.systems().size(), breakdown<SystemKind>(s.systems_by_kind)},
        {"effects", s.effects, breakdown<Evidence>(s.effects_by_evidence)},
        {"risks", s.risks, {}},
        {"rules", kb.rules().size(), breakdown<RuleKind>(s.rules_by_kind)},
        {"sources", kb.sources().size(), breakdown<SourceKind>(s.sources_by_kind)},
    };
}

}  // namespace

void register_stats(CLI::App& app, Session& session) {
    auto format = std::make_shared<std::string>("text");
    CLI::App* command = app.add_subcommand("stats", "Count what the knowledge base in use holds");
    command->add_option("-f,--format", *format, "Output format: text, json")
        ->check(CLI::IsMember({"text", "json"}));
    command->callback([format, &session] {
        const KnowledgeBase& kb = session.knowledge();
        const KnowledgeStats s = knowledge_stats(kb);
        const auto all = sections(kb, s);
        if (*format == "json") {
            rapidjson::OStreamWrapper stream(std::cout);
            rapidjson::PrettyWriter<rapidjson::OStreamWrapper> w(stream);
            w.SetIndent(' ', 2);
            w.StartObject();
            w.Key("schema");
            w.String("combocheck.stats/1");
            for (const Section& section : all) {
                w.Key(section.name.c_str());
                w.StartObject();
                w.Key("total");
                w.Uint64(section.total);
                for (const auto& [name, n] : section.parts) {
                    w.Key(name.c_str());
                    w.Uint64(n);
                }
                w.EndObject();
            }
            w.Key("narrow_therapeutic_index");
            w.Uint64(s.narrow_therapeutic_index);
            w.Key("agents_without_effects");
            w.Uint64(s.agents_without_effects);
            w.EndObject();
            std::cout << "\n";
            return;
        }
        for (const Section& section : all) {
            std::string label = section.name + ":";
            label.resize(10, ' ');
            std::cout << label << section.total;
            for (std::size_t i = 0; i < section.parts.size(); ++i) {
                std::cout << (i ? ", " : " (") << section.parts[i].first << " "
                          << section.parts[i].second;
            }
            std::cout << (section.parts.empty() ? "" : ")") << "\n";
        }
        std::cout << "narrow therapeutic index: " << s.narrow_therapeutic_index
                  << "; agents without effects (with a sourced note): " << s.agents_without_effects
                  << "\n";
    });
}

}  // namespace combocheck::cli
