// The checker: turns a list of agents into findings, each with the path that carries it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "knowledge.hpp"

namespace combocheck {

// How an agent takes part in a finding.
enum class Role : std::uint8_t {
    contributor,  // burden: adds weight to the system
    perpetrator,  // pharmacokinetic: inhibits or induces
    victim,       // pharmacokinetic: its exposure changes
    matched,      // combination: matched a pattern item
    raising,      // opposition
    lowering,     // opposition
    member,       // duplication: member of the class
};
std::string_view to_string(Role);

// One agent's part in a finding, and the path that carries it:
// agent -> (via classes) -> effect -> system -> rule.
struct Contribution {
    AgentId agent{};
    Role role{};
    const Effect* effect = nullptr;  // null when the agent matched by class membership
    std::vector<ClassId> via;        // classes between the agent and the effect or matched class
    double weight = 0;               // burden and opposition: effective weight (base x scale)
    double exposure_scale = 1;       // the pharmacokinetic scaling applied to the base weight
};

struct Finding {
    RuleId rule{};
    Severity severity = Severity::none;
    std::vector<AgentId> agents;  // sorted
    std::vector<Contribution> contributions;
    std::optional<SystemId> system;  // burden, opposition, pharmacokinetic
    std::optional<ClassId> klass;    // duplication
    double total_weight = 0;         // burden
};

// Exchanges two findings member by member (a field added to Finding must be added here): the
// vectors swap their buffers, which costs less than the three moves of std::swap.
inline void swap(Finding& a, Finding& b) noexcept {
    std::swap(a.rule, b.rule);
    std::swap(a.severity, b.severity);
    a.agents.swap(b.agents);
    a.contributions.swap(b.contributions);
    std::swap(a.system, b.system);
    std::swap(a.klass, b.klass);
    std::swap(a.total_weight, b.total_weight);
}

// The exposure change of one agent caused by others (pharmacokinetic rules).
struct ExposureChange {
    AgentId agent{};
    double scale = 1;
};

struct CheckResult {
    std::vector<AgentId> agents;           // distinct, sorted
    std::vector<Finding> findings;         // by severity (highest first), then rule id, then agents
    std::vector<ExposureChange> exposure;  // agents whose effect weights were scaled
    Severity max_severity = Severity::none;
};

// Which rules each agent can take part in: a check given this index evaluates only the rules of
// the agents on the list, with the same result as evaluating all of them. Building it costs
// about as much as a few thousand checks, so it pays off for batches, not for a single check.
// It is for the knowledge base it was built from, which must outlive it.
class RuleIndex {
  public:
    // A rule an agent can take part in. For a combination rule, `items` has bit k set when the
    // agent can match item k (items past 63 are always set). For a duplication rule, bit k is
    // set when the agent belongs to class k (every bit when it belongs to a class past 63). For
    // other rules it is all ones.
    struct Entry {
        RuleId rule{};
        std::uint64_t items = 0;
    };

    explicit RuleIndex(const KnowledgeBase& kb);
    // By ascending rule.
    std::span<const Entry> rules_of(AgentId agent) const;
    // The rule's place when all rules are sorted by id: findings are ordered by rule id, and
    // comparing places is cheaper than comparing the strings.
    std::uint32_t rank_of(RuleId rule) const;
    // The class chain from one of the agent's own classes up to `klass`, as a finding's
    // contribution shows it (the shortest); null when the agent is not a member of `klass`.
    const std::vector<ClassId>* class_path(AgentId agent, ClassId klass) const;

  private:
    friend class ListChecker;  // the check reads the tables
    struct Tables;             // checker.cpp
    std::shared_ptr<const Tables> tables_;
};

// Checks a list. Order and repetition of `agents` do not change the result. With `index`, only
// the rules the agents can take part in are evaluated (same result, less work).
CheckResult check_list(const KnowledgeBase& kb, std::span<const AgentId> agents,
                       const RuleIndex* index = nullptr);
// The same check into `result`, which is replaced. Its findings' buffers are reused for the new
// ones (per thread), so that a caller checking many lists one after another, as a batch does,
// allocates next to nothing per list. Without `with_contributions`, each finding's
// `contributions` is left empty (everything else is the same): for writers that show only
// which rules fired on which agents, which then need not pay for the paths.
void check_list(const KnowledgeBase& kb, std::span<const AgentId> agents, const RuleIndex* index,
                CheckResult& result, bool with_contributions = true);

// Whether an agent matches a combination item or an opposition side (class membership through
// sub-classes, effects with their minimum strength, weight or sensitivity, any_of alternatives).
// `exposure_scale` multiplies the agent's weights, as pharmacokinetic findings do in a check.
bool matches_item(const KnowledgeBase& kb, const MatchItem& item, AgentId agent,
                  double exposure_scale = 1);

// The rule's texts with placeholders ({agents}, {system}, ...) filled in for one finding.
struct FindingText {
    std::string title;
    std::string explanation;
    std::string advice;
    std::string mechanism;  // one line per contribution: the path through the graph
};
// Without `with_mechanism`, `mechanism` is left empty (for writers that build it themselves).
FindingText describe(const KnowledgeBase& kb, const Finding& finding, bool with_mechanism = true);

// "sertraline -[ssri]-> SERT inhibition -> serotonin (+3)"
std::string path_text(const KnowledgeBase& kb, const Contribution& c);

}  // namespace combocheck
