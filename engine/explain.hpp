// The explainer: what an agent does, what acts on a system, what a class holds, what a rule
// matches; for students and for curators checking their data.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "knowledge.hpp"
#include "resolver.hpp"

namespace combocheck {

struct Subject {
    enum class Kind : std::uint8_t { agent, klass, system, rule, risk };
    Kind kind{};
    std::uint32_t index = 0;
};

// Finds what a query names: an agent (by any name the resolver accepts), a class, a system, a
// rule or a risk category (by id or name). An agent wins over a class of the same name.
std::optional<Subject> find_subject(const KnowledgeBase& kb, const Resolver& resolver,
                                    std::string_view query);

// Rules that can involve an agent, with the reason ("acts on serotonin", "member of nsaid").
struct RuleInvolvement {
    RuleId rule{};
    std::string reason;
};
std::vector<RuleInvolvement> rules_involving(const KnowledgeBase& kb, AgentId agent);

// Whether a rule reads a system: a burden or opposition rule on it, or a pharmacokinetic rule
// covering it (an enzyme or transporter).
bool rule_reads_system(const KnowledgeBase& kb, const Rule& rule, SystemId system);

// Agents acting on a system, strongest first within each action.
std::vector<std::pair<AgentId, const AgentEffect*>> agents_acting_on(const KnowledgeBase& kb,
                                                                     SystemId system);

void write_explanation(std::ostream& out, const KnowledgeBase& kb, const Subject& subject);

}  // namespace combocheck
