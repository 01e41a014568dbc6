// Helpers shared by the checker tests: rule JSON, running a check, summarising findings.
#pragma once

#include <string>
#include <vector>

#include "checker.hpp"
#include "support/mini_kb.hpp"

namespace combocheck::checker_tests {

// A rule's JSON; `text` is the title, and is also used in the explanation and the advice.
inline std::string rule(const std::string& id, const std::string& kind, const std::string& risk,
                        const std::string& body, const std::string& text = "{agents}") {
    return R"({ "id": ")" + id + R"(", "kind": ")" + kind + R"(", "risk": ")" + risk +
           R"(", "title": ")" + text + R"(", "explanation": "why )" + text +
           R"(", "advice": "do )" + text + R"(", "evidence": "established", "sources": ["src"], )" +
           body + " }";
}

inline std::string serotonin(const std::string& weight) {
    return testing::effect("serotonin", "increases", R"("weight": )" + weight);
}
inline std::string substrate(const std::string& system, const std::string& sensitivity,
                             bool prodrug = false) {
    return testing::effect(
        system, "substrate",
        R"("sensitivity": ")" + sensitivity + "\"" + (prodrug ? R"(, "prodrug": true)" : ""));
}
inline std::string acts(const std::string& system, const std::string& action,
                        const std::string& strength) {
    return testing::effect(system, action, R"("strength": ")" + strength + "\"");
}

// Serotonergic load: moderate from 4, major from 6.
inline const std::string kLoadBody = R"("system": "serotonin", "action": "increases",
    "tiers": [{ "min_weight": 4, "severity": "moderate" },
              { "min_weight": 6, "severity": "major" }])";
inline const std::string kLoadRule =
    rule("load", "burden", "serotonin_syndrome", kLoadBody, "{agents} on {system}");

inline CheckResult check(const KnowledgeBase& kb, const std::vector<std::string>& ids) {
    std::vector<AgentId> agents;
    for (const auto& id : ids)
        agents.push_back(testing::id_of(kb, id));
    return check_list(kb, agents);
}

inline std::string names(const KnowledgeBase& kb, const std::vector<AgentId>& agents) {
    std::string out;
    for (const AgentId a : agents)
        out += (out.empty() ? "" : ",") + kb.agent(a).id;
    return out;
}

// One line per finding: "severity rule: agents".
inline std::vector<std::string> summary(const KnowledgeBase& kb, const CheckResult& result) {
    std::vector<std::string> out;
    for (const Finding& f : result.findings) {
        out.push_back(std::string(to_string(f.severity)) + " " + kb.rule(f.rule).id + ": " +
                      names(kb, f.agents));
    }
    return out;
}
using Lines = std::vector<std::string>;

inline const Contribution* contribution_of(const KnowledgeBase& kb, const Finding& f,
                                           const std::string& agent_id) {
    for (const Contribution& c : f.contributions) {
        if (kb.agent(c.agent).id == agent_id) return &c;
    }
    return nullptr;
}

inline double exposure_of(const KnowledgeBase& kb, const CheckResult& r,
                          const std::string& agent_id) {
    for (const ExposureChange& e : r.exposure) {
        if (kb.agent(e.agent).id == agent_id) return e.scale;
    }
    return 1;
}

}  // namespace combocheck::checker_tests
