// The rule index: which rules each agent can take part in, and the tables a check reads (see
// detail/rule_tables.hpp); a check without an index builds the same tables for its own list.
#include <algorithm>
#include <bit>
#include <numeric>
#include <utility>

#include "checker.hpp"
#include "detail/rule_tables.hpp"

namespace combocheck {

namespace detail {

std::vector<ClassId> class_path(const KnowledgeBase& kb, AgentId agent, ClassId target) {
    std::vector<std::vector<ClassId>> frontier;
    for (const ClassId c : kb.agent(agent).classes)
        frontier.push_back({c});
    while (!frontier.empty()) {
        std::vector<std::vector<ClassId>> next;
        for (auto& chain : frontier) {
            if (chain.back() == target) return chain;
            for (const ClassId p : kb.klass(chain.back()).parents) {
                if (std::find(chain.begin(), chain.end(), p) != chain.end()) continue;
                auto longer = chain;
                longer.push_back(p);
                next.push_back(std::move(longer));
            }
        }
        frontier = std::move(next);
    }
    return {};
}

}  // namespace detail

using namespace detail;

namespace {

// Whether an agent's match of the item can change with its exposure (a minimum weight).
bool depends_on_exposure(const MatchItem& item) {
    if (const auto* pattern = std::get_if<EffectPattern>(&item.what)) {
        return pattern->min_weight.has_value();
    }
    if (const auto* any_of = std::get_if<std::vector<MatchItem>>(&item.what)) {
        return std::any_of(any_of->begin(), any_of->end(), depends_on_exposure);
    }
    return false;
}

// Appends to `out` the agent's effects that a pharmacokinetic, burden or opposition rule reads,
// in the agent's order, and returns how many of them are perpetrator effects (they come first).
// A pharmacokinetic rule reads perpetrator and substrate effects on the systems it covers, a
// burden rule the effect it sums, an opposition rule the effects that can take a side. With
// `fixed_sides`, an opposition side that does not depend on the exposure is checked here, once.
std::size_t append_reads(const KnowledgeBase& kb, const Rule& rule, AgentId agent, bool fixed_sides,
                         std::vector<const AgentEffect*>& out) {
    const auto effects = kb.effects_of(agent);
    switch (rule.kind) {
        case RuleKind::pharmacokinetic: {
            const auto& pk = std::get<PharmacokineticRule>(rule.detail);
            const Action wanted = pk.mode == PkMode::induction ? Action::induces : Action::inhibits;
            const bool prodrug = pk.mode == PkMode::prodrug_inhibition;
            const auto covered = [&](SystemId s) {
                return pk.systems.empty() ||
                       std::find(pk.systems.begin(), pk.systems.end(), s) != pk.systems.end();
            };
            std::size_t perpetrators = 0;
            for (const AgentEffect& e : effects) {
                if (e.effect->action != wanted || !covered(e.effect->system)) continue;
                out.push_back(&e);
                ++perpetrators;
            }
            // A substrate of a system the rule does not cover meets no perpetrator.
            for (const AgentEffect& e : effects) {
                if (e.effect->action == Action::substrate && e.effect->prodrug == prodrug &&
                    covered(e.effect->system)) {
                    out.push_back(&e);
                }
            }
            return perpetrators;
        }
        case RuleKind::burden: {
            const auto& b = std::get<BurdenRule>(rule.detail);
            for (const AgentEffect& e : effects) {
                if (e.effect->system == b.system && e.effect->action == b.action) out.push_back(&e);
            }
            return 0;
        }
        case RuleKind::opposition: {
            const auto& o = std::get<OppositionRule>(rule.detail);
            for (const AgentEffect& e : effects) {
                const bool up = e.effect->action == Action::increases;
                if (e.effect->system != o.system ||
                    (!up && e.effect->action != Action::decreases)) {
                    continue;
                }
                const auto& side = up ? o.raising : o.lowering;
                if (fixed_sides && side && !depends_on_exposure(*side) &&
                    !matches_item(kb, *side, agent)) {
                    continue;
                }
                out.push_back(&e);
            }
            return 0;
        }
        default:
            return 0;
    }
}

// What the index decides for a rule whatever the exposure (see RuleIndex::Tables::exact).
std::uint64_t exact_bits(const Rule& rule) {
    switch (rule.kind) {
        case RuleKind::combination: {
            const auto& match = std::get<CombinationRule>(rule.detail).match;
            std::uint64_t exact = 0;
            for (std::size_t k = 0; k < match.size() && k < 64; ++k) {
                if (!depends_on_exposure(match[k])) exact |= std::uint64_t{1} << k;
            }
            return exact;
        }
        case RuleKind::duplication:
            // Past 63 classes, a member of a late class has every bit set.
            return std::get<DuplicationRule>(rule.detail).classes.size() <= 64 ? kAll : 0;
        case RuleKind::opposition: {
            const auto& o = std::get<OppositionRule>(rule.detail);
            const auto fixed = [](const std::optional<MatchItem>& side) {
                return side && !depends_on_exposure(*side);
            };
            return (fixed(o.raising) ? 1u : 0u) | (fixed(o.lowering) ? 2u : 0u);
        }
        default:
            return 0;
    }
}

}  // namespace

void RuleIndex::Tables::add_row(const KnowledgeBase& kb, AgentId agent, bool indexed) {
    if (indexed) first_entry.push_back(static_cast<std::uint32_t>(entries.size()));
    // The probes by rule, then in their place: pharmacokinetic ones first (a check evaluates
    // them before the others), then burden ones (summed in a loop of their own), passive ones
    // last.
    enum Place : std::uint8_t { pharmacokinetic, burden, visited, passive };
    std::vector<std::pair<Place, Probe>> made;
    Row row;
    for (std::uint32_t r = 0; r < kb.rules().size(); ++r) {
        const Rule& rule = kb.rules()[r];
        Probe probe{RuleId{r}, rule.kind};
        Place place = visited;
        switch (rule.kind) {
            case RuleKind::combination: {
                if (!indexed) break;
                // Bits of the items this agent can match; the other bits are left for others.
                const std::size_t n = std::get<CombinationRule>(rule.detail).match.size();
                const std::uint64_t none = n >= 64 ? 0 : kAll << n;
                std::uint64_t bits = none;
                for (std::size_t k = 0; k < n && k < 64; ++k) {
                    if (can_match(r, k, agent)) bits |= std::uint64_t{1} << k;
                }
                if (bits == none) continue;
                entries.push_back({RuleId{r}, bits});
                if ((bits >> items[r].key & 1) == 0) continue;
                // The signature with the fewest bits among the other items' (see Probe::items):
                // the one most lists share no bit with.
                int fewest = 65;
                for (std::uint32_t k = 0; k < items[r].count; ++k) {
                    const std::uint64_t other = signatures[items[r].first + k];
                    if (k == items[r].key || std::popcount(other) >= fewest) continue;
                    fewest = std::popcount(other);
                    probe.items = other;
                }
                break;
            }
            case RuleKind::duplication: {
                if (!indexed) break;
                const auto& classes = std::get<DuplicationRule>(rule.detail).classes;
                std::uint64_t bits = 0;
                for (std::size_t k = 0; k < classes.size(); ++k) {
                    if (!kb.is_member(agent, classes[k])) continue;
                    bits |= k < 64 ? std::uint64_t{1} << k : kAll;
                }
                if (bits == 0) continue;
                entries.push_back({RuleId{r}, bits});
                probe.items = bits;
                break;
            }
            default: {
                // The agent takes part when the rule reads one of its effects.
                probe.first = static_cast<std::uint32_t>(reads.size());
                probe.perpetrators =
                    static_cast<std::uint16_t>(append_reads(kb, rule, agent, indexed, reads));
                probe.count = static_cast<std::uint16_t>(reads.size() - probe.first);
                if (probe.count == 0) continue;
                if (indexed) entries.push_back({RuleId{r}, kAll});
                if (const auto* b = std::get_if<BurdenRule>(&rule.detail)) {
                    probe.min_agents = static_cast<std::uint16_t>(b->min_agents);
                    probe.slot = static_cast<std::uint16_t>(burden_slots[r]);
                    place = burden;
                }
                if (rule.kind == RuleKind::pharmacokinetic) place = pharmacokinetic;
                if (rule.kind == RuleKind::opposition && indexed) {
                    const std::span<const AgentEffect* const> read{reads.data() + probe.first,
                                                                   probe.count};
                    if (!can_take(kb, rule, agent, read, key_side[r])) place = passive;
                    const std::uint32_t a = index_of(agent);
                    opposition_agents[r * words + a / 64] |= std::uint64_t{1} << (a % 64);
                }
            }
        }
        row.perpetrator = row.perpetrator || probe.perpetrators != 0;
        made.push_back({place, probe});
    }
    for (const Place place : {pharmacokinetic, burden, visited, passive}) {
        const auto start = static_cast<std::uint32_t>(probes.size());
        (place == pharmacokinetic ? row.pharmacokinetic
         : place == burden        ? row.burden
         : place == visited       ? row.others
                                  : row.passive) = start;
        for (const auto& [where, probe] : made) {
            if (where == place) probes.push_back(probe);
        }
    }
    rows.push_back(row);
}

RuleIndex::RuleIndex(const KnowledgeBase& kb) {
    auto t = std::make_shared<Tables>();
    const auto agents = static_cast<std::uint32_t>(kb.agents().size());
    const auto rules = static_cast<std::uint32_t>(kb.rules().size());
    t->words = (agents + 63) / 64;
    t->items.resize(rules);
    t->exact.resize(rules);
    t->class_paths.resize(agents);
    t->opposition_agents.resize(rules * t->words);
    t->number_burden_rules(kb);

    // Which agents can match each combination item, and the key item: the one fewest match.
    for (std::uint32_t r = 0; r < rules; ++r) {
        t->exact[r] = exact_bits(kb.rules()[r]);
        const auto* combination = std::get_if<CombinationRule>(&kb.rules()[r].detail);
        if (combination == nullptr) continue;
        Tables::Items& items = t->items[r];
        items.count =
            static_cast<std::uint32_t>(std::min<std::size_t>(combination->match.size(), 64));
        items.first_word = static_cast<std::uint32_t>(t->item_agents.size());
        items.first = static_cast<std::uint32_t>(t->signatures.size());
        t->item_agents.resize(t->item_agents.size() + items.count * t->words);
        t->signatures.resize(t->signatures.size() + items.count);
        std::size_t fewest = agents + 1;
        for (std::uint32_t k = 0; k < items.count; ++k) {
            std::size_t matching = 0;
            for (std::uint32_t a = 0; a < agents; ++a) {
                if (!matches_item(kb, combination->match[k], AgentId{a}, kAnyExposure)) continue;
                t->item_agents[items.first_word + k * t->words + a / 64] |= std::uint64_t{1}
                                                                            << (a % 64);
                t->signatures[items.first + k] |= signature(AgentId{a});
                ++matching;
            }
            if (matching < fewest) {
                fewest = matching;
                items.key = k;
            }
        }
    }

    // The key side of each opposition rule: the one fewer agents can take.
    t->key_side.resize(rules, Role::raising);
    for (std::uint32_t r = 0; r < rules; ++r) {
        const Rule& rule = kb.rules()[r];
        if (rule.kind != RuleKind::opposition) continue;
        std::size_t raising = 0;
        std::size_t lowering = 0;
        std::vector<const AgentEffect*> read;
        for (std::uint32_t a = 0; a < agents; ++a) {
            read.clear();
            append_reads(kb, rule, AgentId{a}, true, read);
            raising += Tables::can_take(kb, rule, AgentId{a}, read, Role::raising) ? 1 : 0;
            lowering += Tables::can_take(kb, rule, AgentId{a}, read, Role::lowering) ? 1 : 0;
        }
        t->key_side[r] = lowering < raising ? Role::lowering : Role::raising;
    }
    for (std::uint32_t a = 0; a < agents; ++a) {
        t->add_row(kb, AgentId{a}, true);
        for (const ClassId c : kb.classes_of(AgentId{a})) {
            t->class_paths[a].push_back({c, combocheck::class_path(kb, AgentId{a}, c)});
        }
    }
    t->close_rows();
    t->first_entry.push_back(static_cast<std::uint32_t>(t->entries.size()));

    std::vector<std::uint32_t> by_id(rules);
    std::iota(by_id.begin(), by_id.end(), 0u);
    std::sort(by_id.begin(), by_id.end(), [&](std::uint32_t x, std::uint32_t y) {
        return kb.rules()[x].id < kb.rules()[y].id;
    });
    t->ranks.resize(rules);
    for (std::uint32_t place = 0; place < rules; ++place)
        t->ranks[by_id[place]] = place;
    tables_ = std::move(t);
}

std::span<const RuleIndex::Entry> RuleIndex::rules_of(AgentId agent) const {
    const std::size_t a = index_of(agent);
    return {tables_->entries.data() + tables_->first_entry[a],
            tables_->entries.data() + tables_->first_entry[a + 1]};
}

std::uint32_t RuleIndex::rank_of(RuleId rule) const {
    return tables_->ranks[index_of(rule)];
}

const std::vector<ClassId>* RuleIndex::class_path(AgentId agent, ClassId klass) const {
    const auto& paths = tables_->class_paths[index_of(agent)];
    const auto it =
        std::lower_bound(paths.begin(), paths.end(), klass,
                         [](const Tables::ClassPath& p, ClassId c) { return p.klass < c; });
    return it != paths.end() && it->klass == klass ? &it->via : nullptr;
}

}  // namespace combocheck
