// Lint by construction: rules that no list of agents in the knowledge base could ever trigger.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "../knowledge.hpp"

namespace combocheck::detail {

// Each rule (with the reason) that cannot fire with any combination of the base's agents:
// a burden whose lowest tier exceeds the sum of every contributing weight, a pharmacokinetic
// rule with no perpetrator/victim pair that has a severity, a combination whose items cannot be
// matched by distinct agents, an opposition without both sides, a duplication class with fewer
// than two members.
std::vector<std::pair<RuleId, std::string>> unreachable_rules(const KnowledgeBase& kb);

}  // namespace combocheck::detail
