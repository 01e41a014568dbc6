// The checker's working parts: the state a check keeps from list to list, and ListChecker,
// which checks one list. engine/checker.cpp sets a check up and orders its findings;
// engine/detail/rule_evaluation.cpp tallies what the agents bring to each rule and evaluates the
// rules, one method per kind.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "../checker.hpp"
#include "rule_tables.hpp"

namespace combocheck::detail {

// One agent's part in a combination rule; a rule's parts are linked in the order of the agents.
struct Part {
    std::uint32_t agent = 0;     // the list's agent index
    std::uint32_t next = kNone;  // the next agent's part in the same rule
    std::uint64_t items = kAll;  // see RuleIndex::Entry
    bool used = false;           // assigned to an item
};

// What the list's agents bring to one rule, gathered agent by agent.
struct Tally {
    std::uint32_t epoch = 0;  // the check it belongs to (see Scratch::epoch)
    std::uint64_t once = 0;   // duplication: classes (see RuleIndex::Entry) some agent is in
    std::uint64_t twice = 0;  // duplication: classes at least two agents are in
    // The list's agents with a probe of the rule (duplication): bit i % 64 for agent i, so that
    // an evaluation seeks the probes of these agents only.
    std::uint64_t agents = 0;
};

// What the list's agents bring to one burden rule.
struct BurdenSum {
    std::uint32_t epoch = 0;  // as Tally::epoch
    double total_weight = 0;
    std::uint32_t contributors = 0;
    std::uint64_t agents = 0;  // as Tally::agents
};

// What a check keeps for each agent of its list.
struct OnList {
    // Its row in the tables (see ProbeRow): its probes, each kind's by ascending rule.
    const ProbeRow* row = nullptr;
    double raise = 1;  // exposure scales: the largest up,
    double lower = 1;  // the smallest down,
    double scale = 1;  // and their product
};

// A finding's place in the order: severity and rule (see ListChecker::order), and the finding.
struct Place {
    std::uint64_t key = 0;
    std::uint32_t finding = 0;
};

// A perpetrator or substrate effect of the list's agent in a pharmacokinetic rule, with its
// system (compared for every pair).
struct PkEffect {
    std::uint32_t agent = 0;
    SystemId system{};
    const AgentEffect* effect = nullptr;
};

// A probe of the list's agent.
struct AgentProbe {
    std::uint32_t agent = 0;
    const Probe* probe = nullptr;
};

// A burden contribution before it is built: its effective weight, the list's agent, the effect.
struct Weighed {
    double weight = 0;
    std::uint32_t agent = 0;
    const AgentEffect* effect = nullptr;
};

// What a check works with besides its result. Kept from list to list (per thread) because a
// batch checks millions of lists, and allocating these for each costs more than most checks.
struct Scratch {
    std::vector<Tally> tallies;      // by rule
    std::vector<BurdenSum> burdens;  // by burden slot (see RuleIndex::Tables::burden_rules)
    std::vector<OnList> on_list;     // by agent
    // The tallies of earlier checks are not emptied: a tally is emptied when a check first
    // uses it, and its epoch tells whether it has been.
    std::uint32_t epoch = 0;
    std::vector<std::uint64_t> due;  // one bit per rule: to evaluate; all clear between checks
    bool due_clear = true;           // false while a check runs (and after one that threw)
    std::vector<Part> parts;
    std::vector<AgentProbe> pharmacokinetic;  // the list's pharmacokinetic probes
    std::vector<PkEffect> perpetrators, substrates;
    std::vector<std::uint32_t> chosen, members;
    std::vector<Place> places;
    std::vector<std::uint32_t> combinations;  // the findings of combination rules
    std::vector<std::pair<std::uint32_t, RiskId>> curated;
    std::vector<Weighed> weighed;
    std::vector<std::tuple<std::uint32_t, const AgentEffect*, Role>> sides;
    std::vector<std::pair<std::uint32_t, std::uint64_t>> list_words;  // the list's agent bits
    std::vector<std::uint64_t> agent_bits;  // see list_agents: empty between checks
    std::vector<AgentId> sorted;            // see list_agents
    std::uint64_t list_signature = 0;       // see RuleIndex::Tables::signatures
    // By agent, its index in the list (see on_list): set for the list's agents, and read for
    // them only, in lists of at most 64 agents.
    std::vector<std::uint8_t> position;
    std::vector<char> drop;
    std::vector<ClassId> path;  // via_classes() without an index
    // Findings and contributions of earlier results, kept for their buffers (see check_list
    // into a result): a finding or contribution taken from here is assigned over rather than
    // built, so that its vectors keep their room. Bounded by the largest list checked.
    std::vector<Finding> spare_findings;
    std::vector<Contribution> spare_contributions;
};

}  // namespace combocheck::detail

namespace combocheck {

// Checks one list (see check_list). A friend of RuleIndex: reads its tables.
class ListChecker {
  public:
    // Checks into `result`, whose findings' buffers are reused (see open_finding).
    ListChecker(const KnowledgeBase& kb, std::span<const AgentId> input, const RuleIndex* index,
                detail::Scratch& scratch, CheckResult& result, bool with_contributions);

    void run() {
        pharmacokinetics();
        s_.combinations.clear();
        the_other_rules();
        s_.due_clear = true;
        keep_new_findings();
        drop_covered_findings();
        order();
    }

  private:
    using Tables = RuleIndex::Tables;
    using Probe = detail::Probe;
    using ProbeRow = detail::ProbeRow;
    using Scratch = detail::Scratch;
    using Tally = detail::Tally;
    using BurdenSum = detail::BurdenSum;
    using OnList = detail::OnList;

    // Without an index: tables for this list, a row for each agent, every rule with a probe.
    Tables& tables_of_list();

    // The input's agents, distinct and ascending, into the result; and what the check keeps
    // of them: the words of an agent bit set that hold them (see every_item_matchable), their
    // signature, and each one's position. A knowledge base of up to 64 words' worth of agents
    // (this one has 10) sorts them through an agent bit set, which is emptied again.
    void list_agents(std::span<const AgentId> input);

    std::uint32_t count() const { return static_cast<std::uint32_t>(result_.agents.size()); }
    // Calls `visit(i)`, ascending, for each agent i of the list whose bit i % 64 is set in
    // `agents` (see Tally::agents): exactly those agents when the list has at most 64.
    template <typename Visit>
    void for_each_agent(std::uint64_t agents, Visit&& visit) const {
        if (count() <= 64) {
            if (count() < 64) agents &= ~(detail::kAll << count());
            for (; agents != 0; agents &= agents - 1)
                visit(static_cast<std::uint32_t>(std::countr_zero(agents)));
            return;
        }
        for (std::uint32_t i = 0; i < count(); ++i) {
            if ((agents >> (i % 64) & 1) != 0) visit(i);
        }
    }
    static std::uint64_t bit_of(std::uint32_t i) { return std::uint64_t{1} << (i % 64); }
    AgentId agent(std::size_t i) const { return result_.agents[i]; }
    // Agent i's pharmacokinetic probes, its burden ones, its others and its passive ones; each
    // by ascending rule.
    const ProbeRow& row(std::uint32_t i) const { return *s_.on_list[i].row; }
    std::span<const Probe> probes(std::uint32_t from, std::uint32_t to) const {
        return {t_->probes.data() + from, t_->probes.data() + to};
    }
    std::span<const Probe> pharmacokinetic_probes(std::uint32_t i) const {
        return probes(row(i).pharmacokinetic, row(i).burden);
    }
    std::span<const Probe> burden_probes(std::uint32_t i) const {
        return probes(row(i).burden, row(i).others);
    }
    std::span<const Probe> other_probes(std::uint32_t i) const {
        return probes(row(i).others, row(i).passive);
    }
    // The next row starts where this one ends.
    std::span<const Probe> passive_probes(std::uint32_t i) const {
        return probes(row(i).passive, (&row(i))[1].pharmacokinetic);
    }
    // The probe of the rule among `probes`, if any. A row's sections are short in an index
    // (a few probes), and passed one by one; without an index, a row has a probe of every
    // combination and duplication rule, and its long section is searched.
    static const Probe* seek(std::span<const Probe> probes, RuleId rule) {
        const auto before = [](const Probe& probe, RuleId r) { return probe.rule < r; };
        const Probe* const end = probes.data() + probes.size();
        const Probe* it =
            probes.size() > 16 ? std::lower_bound(probes.data(), end, rule, before) : probes.data();
        while (it != end && it->rule < rule)
            ++it;
        return it != end && it->rule == rule ? it : nullptr;
    }
    const Probe* pharmacokinetic_probe(std::uint32_t i, RuleId rule) const {
        return seek(pharmacokinetic_probes(i), rule);
    }
    const Probe* burden_probe(std::uint32_t i, RuleId rule) const {
        return seek(burden_probes(i), rule);
    }
    const Probe* probe_of(std::uint32_t i, RuleId rule) const {
        return seek(other_probes(i), rule);
    }
    const Probe* opposition_probe(std::uint32_t i, RuleId rule) const {
        const Probe* probe = seek(other_probes(i), rule);
        return probe != nullptr ? probe : seek(passive_probes(i), rule);
    }
    const AgentEffect& read(std::uint32_t first, std::uint32_t k) const {
        return *t_->reads[first + k];
    }

    template <typename Detail>
    const Detail& rule_detail(RuleId rule) const {
        return std::get<Detail>(kb_.rule(rule).detail);
    }
    std::uint64_t exact(RuleId rule) const { return t_->exact[index_of(rule)]; }

    // Marks rule r to be evaluated.
    void due(std::uint32_t r) { s_.due[r / 64] |= std::uint64_t{1} << (r % 64); }
    // Calls `evaluate(rule)` for each rule due, ascending.
    template <typename Evaluate>
    void evaluate_due(Evaluate&& evaluate) {
        for (std::size_t word = 0; word < s_.due.size(); ++word) {
            for (std::uint64_t bits = std::exchange(s_.due[word], 0); bits != 0; bits &= bits - 1) {
                evaluate(RuleId{static_cast<std::uint32_t>(word * 64 + std::countr_zero(bits))});
            }
        }
    }
    // Rule r's tally in this check.
    Tally& tally(std::uint32_t r) {
        Tally& tally = s_.tallies[r];
        if (tally.epoch != s_.epoch) tally = {s_.epoch};
        return tally;
    }

    // The pharmacokinetic rules of the agents, ascending: they scale the weights the other
    // rules sum. A rule is evaluated when an agent of the list is one of its perpetrators.
    void pharmacokinetics();

    // The exposure scales; then the burden, combination, opposition and duplication rules of the
    // agents: tallied agent by agent, then evaluated rule by rule, ascending, when the tally says
    // a finding is possible.
    void the_other_rules();

    // The agent's class chain up to `klass`, of which it is a member: valid until the next
    // call.
    const std::vector<ClassId>& via_classes(std::size_t i, ClassId klass) const;

    // Gives the finding's contributions (their buffers) to the scratch.
    // Most findings of brief records have none: tested here, inline.
    void recycle_contributions(Finding& f) {
        if (!f.contributions.empty()) recycle_each_contribution(f);
    }
    void recycle_each_contribution(Finding& f);

    // Gives the finding's buffers (and its contributions') to the scratch.
    void recycle(Finding& f);

    // Removes the findings of the previous check that no new one took the place of (see
    // open_finding), giving their buffers to the scratch.
    void keep_new_findings();

    // Moves a spare (see Scratch) into `into`, when there is one, for its buffers.
    template <typename T>
    static void take_spare(std::vector<T>& spares, T& into) {
        if (spares.empty()) return;
        into = std::move(spares.back());
        spares.pop_back();
    }

    // A new finding, in place in the result: over the next finding the previous check left
    // there (keeping its buffers), else appended.
    Finding& open_finding(RuleId rule, Severity severity);

    // A new contribution of the finding, its class chain `via` (copied into the buffer of a
    // spare contribution when there is one).
    Contribution& add_contribution(Finding& f, AgentId agent, Role role, const Effect* effect,
                                   const std::vector<ClassId>& via, double weight,
                                   double exposure_scale);
    static void sort_agents(Finding& f) {
        const auto out_of_order = [](AgentId a, AgentId b) { return a >= b; };
        if (std::adjacent_find(f.agents.begin(), f.agents.end(), out_of_order) == f.agents.end()) {
            return;
        }
        std::sort(f.agents.begin(), f.agents.end());
        f.agents.erase(std::unique(f.agents.begin(), f.agents.end()), f.agents.end());
    }

    // Pairs each perpetrator effect of the list with each substrate effect of another agent on
    // the same system.
    void pharmacokinetic(RuleId rule, const PharmacokineticRule& pk);

    void burden(RuleId rule, const BurdenRule& b, const BurdenSum& tally);

    bool matches(const MatchItem& item, std::size_t i) const {
        return matches_item(kb_, item, agent(i), s_.on_list[i].scale);
    }

    // Adds to the finding the contribution that explains how agent i matches the item (it
    // does).
    void explain_match(Finding& f, const MatchItem& item, std::size_t i);

    // The parts of the agents that can match some item of the combination rule; returns the
    // first, kNone when some item has no agent that could match it. Without an index, every
    // agent has a part.
    std::uint32_t combination_parts(RuleId rule, std::size_t items);

    // Whether every item of the combination rule has an agent of the list that can match it,
    // reached through an agent that can match its key item.
    bool every_item_matchable(RuleId rule) const;

    // Backtracking: assigns a distinct agent to each item in turn; `chosen[k]` is item k's part.
    // An item the index decides exactly is matched by the part's bit.
    bool assign(std::uint32_t first, const std::vector<MatchItem>& items, std::uint64_t exact,
                std::size_t k);

    void combination(RuleId rule, const CombinationRule& c);

    // Bit i for each agent i of the list in the agent bit set (see Tables::item_agents), for a
    // list of at most 64 agents. Few of the list's agents are in a set: they are found a word of
    // the set at a time.
    std::uint64_t on_list(const std::uint64_t* agents) const;

    // The agents of the list (at most 64) that match the combination rule's item k: bit i for
    // agent i. The index gives those that can match it at some exposure; where the exposure
    // decides, each of them is matched at its own.
    std::uint64_t matching(RuleId rule, const MatchItem& item, std::size_t k) const;

    // A combination rule of two items on a list of at most 64 agents: the finding `assign` would
    // make, found from the bits of the agents that match each item. Item 0 takes the first agent
    // that leaves another for item 1, and item 1 the first agent left.
    void pair_combination(RuleId rule, const CombinationRule& c);

    // The side agent i's effect takes in the opposition, if any. The effect is one the rule
    // reads: on its system, increasing or decreasing; `exact` says which sides it already takes.
    std::optional<Role> opposition_side(const OppositionRule& o, std::uint64_t exact, std::size_t i,
                                        const Effect& x) const;

    // A finding when the list has an opposing pair: an agent on each side, not the same one.
    void opposition(RuleId rule, const OppositionRule& o);

    // Two agents of the list can share a class: `tally.twice`.
    void duplication(RuleId rule, const DuplicationRule& d, const Tally& tally);

    // The finding on class k of the duplication rule, if two agents of the list are members.
    void duplicated_class(RuleId rule, const DuplicationRule& d, const Tally& tally, std::size_t k);

    // A finding is not repeated when a curated combination finding on the same risk already
    // names all of its agents: at the same or a higher severity for a finding of any other kind
    // (burden, pharmacokinetic, opposition, duplication), at a strictly higher one for another
    // combination (MAOI + SSRI is contraindicated; the broader MAO-A inhibitor rule's major
    // finding on the same pair adds nothing). The curated finding says it better.
    void drop_covered_findings();

    // By severity (highest first), then rule id, then agents, then system.
    void order();

    // The rule's place among all rules sorted by id.
    std::uint32_t rank(RuleId rule) const;

    const KnowledgeBase& kb_;
    const bool indexed_;
    const bool contributions_;  // see check_list
    Scratch& s_;
    const Tables* t_ = nullptr;  // the index's, or this list's
    CheckResult& result_;
    // The findings opened so far; the result's findings past them are the previous check's.
    std::size_t opened_ = 0;
    // Some agent of the list is a perpetrator of a pharmacokinetic rule: without one, the
    // pharmacokinetic rules are not visited.
    bool perpetrators_ = false;
};

}  // namespace combocheck
