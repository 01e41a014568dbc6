// Small inline knowledge bases for unit tests.
#include "support/mini_kb.hpp"

#include <stdexcept>

namespace combocheck::testing {

std::vector<RuleFile> MiniKb::files() const {
    std::string base = R"({
  "systems": [
    { "id": "serotonin", "name": "serotonin", "kind": "transmitter" },
    { "id": "sedation", "name": "CNS depression", "kind": "physiological" },
    { "id": "blood_pressure", "name": "blood pressure", "kind": "physiological" },
    { "id": "cyp3a4", "name": "CYP3A4", "kind": "enzyme" },
    { "id": "cyp2d6", "name": "CYP2D6", "kind": "enzyme" })";
    if (!extra_systems.empty()) base += ",\n" + extra_systems;
    base += R"(
  ],
  "risks": [
    { "id": "serotonin_syndrome", "name": "serotonin syndrome" },
    { "id": "cns_depression", "name": "CNS depression" },
    { "id": "increased_exposure", "name": "increased exposure" },
    { "id": "reduced_efficacy", "name": "reduced efficacy" },
    { "id": "duplicate_therapy", "name": "duplicate therapy" },
    { "id": "hypertensive_crisis", "name": "hypertensive crisis" }
  ],
  "sources": [
    { "id": "src", "kind": "review", "title": "A review", "publisher": "A journal", "year": 2020 }
  ]
})";
    std::string entries = "{\n  \"classes\": [" + classes + "],\n  \"agents\": [" + agents +
                          "],\n  \"rules\": [" + rules + "]\n}\n";
    return {{"base.json", base}, {"entries.json", entries}};
}

KnowledgeBase MiniKb::load() const {
    return load_knowledge(files());
}

LintReport MiniKb::lint() const {
    return lint_knowledge(files());
}

std::string effect(const std::string& system, const std::string& action,
                   const std::string& fields) {
    return R"({ "system": ")" + system + R"(", "action": ")" + action + R"(", )" + fields +
           R"(, "mechanism": "test mechanism", "evidence": "established", "sources": ["src"] })";
}

std::string agent(const std::string& id, const std::string& kind, const std::string& effects,
                  const std::string& more) {
    return R"({ "id": ")" + id + R"(", "name": ")" + id + R"(", "kind": ")" + kind + R"(", )" +
           (more.empty() ? "" : more + ", ") + R"("effects": [)" + effects + "] }";
}

AgentId id_of(const KnowledgeBase& kb, const std::string& agent_id) {
    const auto id = kb.find_agent(agent_id);
    if (!id) throw std::runtime_error("no agent " + agent_id);
    return *id;
}

}  // namespace combocheck::testing
