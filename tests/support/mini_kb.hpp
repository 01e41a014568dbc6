// Small inline knowledge bases for unit tests, so that engine tests do not depend on rules/.
#pragma once

#include <string>
#include <vector>

#include "knowledge.hpp"
#include "loader.hpp"

namespace combocheck::testing {

// A minimal but complete base: systems, risks and one source, to which tests add their own
// classes, agents and rules as JSON array bodies (the text between [ and ]).
struct MiniKb {
    std::string classes;
    std::string agents;
    std::string rules;
    std::string extra_systems;

    std::vector<RuleFile> files() const;
    KnowledgeBase load() const;
    LintReport lint() const;
};

// Builds an effect object's JSON with the given system/action and fields, sourced and evidenced.
std::string effect(const std::string& system, const std::string& action, const std::string& fields);
// An agent object's JSON.
std::string agent(const std::string& id, const std::string& kind, const std::string& effects,
                  const std::string& more = "");

AgentId id_of(const KnowledgeBase& kb, const std::string& agent_id);

}  // namespace combocheck::testing
