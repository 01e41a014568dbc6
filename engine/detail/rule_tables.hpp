// The tables a check reads (RuleIndex::Tables) and what both the checker (checker.cpp) and the
// index that builds them (rule_index.cpp) need.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "../checker.hpp"

namespace combocheck::detail {

// Weights are sums of decimals like 0.5 and 1.5; compare with a little slack.
constexpr double kEpsilon = 1e-9;
constexpr std::uint64_t kAll = ~std::uint64_t{0};
constexpr std::uint32_t kNone = ~std::uint32_t{0};

// The index keeps the rules an agent can take part in at some exposure. A superset is harmless
// (the rule is evaluated and finds nothing); a missing rule would lose findings, so weights are
// ignored: any exposure scale may carry a weight over a threshold.
constexpr double kAnyExposure = 1e300;

inline std::size_t idx(Strength s) {
    return static_cast<std::size_t>(s);
}
inline std::size_t idx(Sensitivity s) {
    return static_cast<std::size_t>(s);
}

inline bool effect_matches(const Effect& x, const EffectPattern& p, double exposure_scale) {
    if (x.system != p.system || x.action != p.action) return false;
    if (p.min_strength && x.strength < *p.min_strength) return false;
    if (p.min_sensitivity && x.sensitivity < *p.min_sensitivity) return false;
    return !p.min_weight || x.weight * exposure_scale + kEpsilon >= *p.min_weight;
}

// The agent's bit in a signature (see RuleIndex::Tables::signatures).
inline std::uint64_t signature(AgentId agent) {
    return std::uint64_t{1} << (index_of(agent) % 64);
}

// The class chain from one of the agent's own classes up to `target` (breadth-first: shortest).
std::vector<ClassId> class_path(const KnowledgeBase& kb, AgentId agent, ClassId target);

// One agent's part in one rule, as the tables (see RuleIndex::Tables) keep it.
struct Probe {
    RuleId rule{};
    RuleKind kind{};
    std::uint16_t count = 0;         // the effects the rule reads (see append_reads): `count` from
    std::uint32_t first = 0;         // `reads[first]`
    std::uint16_t perpetrators = 0;  // pharmacokinetic: the first ones are perpetrator effects
    std::uint16_t min_agents = 0;    // burden: the rule's
    std::uint16_t slot = 0;          // burden: the rule's place among them (see burden_rules)
    // Duplication: see RuleIndex::Entry. Combination, in an index: the signature (see
    // RuleIndex::Tables::signatures) of an item other than the key one, kAll when there is none:
    // a list whose signature shares no bit with it cannot match the rule.
    std::uint64_t items = kAll;
};

// Where a row's probes start: its pharmacokinetic ones, its burden ones, then the others a
// check visits, then the passive ones (opposition probes a check only looks up, see
// RuleIndex::Tables).
struct ProbeRow {
    std::uint32_t pharmacokinetic = 0;
    std::uint32_t burden = 0;
    std::uint32_t others = 0;
    std::uint32_t passive = 0;
    bool perpetrator = false;  // a pharmacokinetic probe with perpetrator effects
};

}  // namespace combocheck::detail

namespace combocheck {

// What a check reads from the index: for each agent (a row), its probes, one per rule it can
// take part in (see ProbeRow for their order). A probe of a rule that reads effects carries them,
// so that a check does not search the agent's effects for each rule.
//
// A check visits every probe of its agents (tallying what they bring to each rule), then
// evaluates the rules the tallies say can have a finding. Two kinds of rules are reached through
// a key instead, so that most lists do not evaluate them at all: a combination rule through the
// agents that can match its key item (the item fewest agents can match), an opposition rule
// through the agents that can take its key side (the side fewer agents can take). The other
// agents have no probe of a combination rule (its evaluation finds them through `item_agents`),
// and a passive probe of an opposition rule, which a check looks up only when it evaluates it.
//
// A check without an index builds tables for its list (a row for each of its agents, every rule
// with a probe that decides nothing) and reads them the same way.
struct RuleIndex::Tables {
    using Probe = detail::Probe;
    using Row = detail::ProbeRow;
    struct ClassPath {
        ClassId klass{};
        std::vector<ClassId> via;
    };

    std::vector<Row> rows;  // and one past the last
    std::vector<Probe> probes;
    std::vector<const AgentEffect*> reads;
    // The burden rules, ascending (a burden probe's `slot` is its rule's place here), and by
    // rule, its place (kNone for other rules): a check sums burdens in slots, not in tallies
    // by rule.
    std::vector<RuleId> burden_rules;
    std::vector<std::uint32_t> burden_slots;
    // By read, its effect's weight: the burden tally sums them for every probe of a list, and
    // two loads through pointers per effect cost more than the sum (filled by close_rows).
    std::vector<double> read_weights;
    // By rule, what the probes decide whatever the exposure: the combination items and
    // duplication classes whose `items` bit is exact; the opposition sides (bit 0 raising, bit 1
    // lowering) that every read effect already takes. All zero without an index.
    std::vector<std::uint64_t> exact;

    // Only in an index:
    std::vector<Entry> entries;              // by agent, by ascending rule
    std::vector<std::uint32_t> first_entry;  // by agent, and one past the last
    // Combination rules: for each item (up to 64), one bit per agent that can match it.
    std::size_t words = 0;  // per item
    // By combination rule: where its items' agent bits and signatures start, how many items
    // (up to 64) have them, and the key item.
    struct Items {
        std::uint32_t first_word = 0;
        std::uint32_t first = 0;
        std::uint32_t count = 0;
        std::uint32_t key = 0;
    };
    std::vector<Items> items;
    std::vector<std::uint64_t> item_agents;
    // By opposition rule, the side fewer agents can take (see can_take): a check visits the
    // probes of those agents only, and looks the others up when one is on its list.
    std::vector<Role> key_side;
    // By opposition rule r, words [r * words, (r + 1) * words): one bit per agent with a probe
    // of it (visited or passive), so that its evaluation seeks the probes of those agents only.
    std::vector<std::uint64_t> opposition_agents;
    // By combination rule item: bit a % 64 for each agent a that can match it. An item whose
    // signature shares no bit with a list's cannot be matched by any of its agents: most items
    // are ruled out by that one test.
    std::vector<std::uint64_t> signatures;
    std::vector<std::uint32_t> ranks;                 // by rule
    std::vector<std::vector<ClassPath>> class_paths;  // by agent, by ascending class

    // Whether the agent can match the combination rule's item k (k < 64).
    bool can_match(std::uint32_t rule, std::size_t k, AgentId agent) const {
        const std::uint32_t a = index_of(agent);
        return (item_agents[items[rule].first_word + k * words + a / 64] >> (a % 64) & 1) != 0;
    }

    // Whether an agent whose effects the opposition rule reads are `read` can take the side
    // (Role::raising or Role::lowering) at some exposure.
    static bool can_take(const KnowledgeBase& kb, const Rule& rule, AgentId agent,
                         std::span<const AgentEffect* const> read, Role side) {
        const auto& o = std::get<OppositionRule>(rule.detail);
        const Action action = side == Role::raising ? Action::increases : Action::decreases;
        const auto& item = side == Role::raising ? o.raising : o.lowering;
        return std::any_of(read.begin(), read.end(), [&](const AgentEffect* e) {
            return e->effect->action == action &&
                   (!item || matches_item(kb, *item, agent, detail::kAnyExposure));
        });
    }

    // Appends a row for the agent. In an index (after `items`), only the agents that can match
    // a combination rule's key item have a probe of it; without an index (a check's own
    // tables), every rule has a probe of every agent, and decides nothing.
    void add_row(const KnowledgeBase& kb, AgentId agent, bool indexed);
    // Fills burden_rules and burden_slots (before the rows are added).
    void number_burden_rules(const KnowledgeBase& kb) {
        burden_rules.clear();
        burden_slots.assign(kb.rules().size(), detail::kNone);
        for (std::uint32_t r = 0; r < kb.rules().size(); ++r) {
            if (kb.rules()[r].kind != RuleKind::burden) continue;
            burden_slots[r] = static_cast<std::uint32_t>(burden_rules.size());
            burden_rules.push_back(RuleId{r});
        }
    }
    void close_rows() {
        const auto end = static_cast<std::uint32_t>(probes.size());
        rows.push_back({end, end, end, end});
        read_weights.clear();
        for (const AgentEffect* e : reads)
            read_weights.push_back(e->effect->weight);
    }
};

}  // namespace combocheck
