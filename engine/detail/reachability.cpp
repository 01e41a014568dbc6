// Finds rules that no combination of agents could trigger, checked by construction.
#include "reachability.hpp"

#include <algorithm>
#include <functional>

#include "../checker.hpp"

namespace combocheck::detail {

namespace {

std::string burden_reason(const KnowledgeBase& kb, const BurdenRule& b) {
    // The largest exposure scale any inhibition rule can apply, so that weights raised by an
    // inhibitor still count as reachable.
    double boost = 1;
    for (const Rule& r : kb.rules()) {
        if (const auto* pk = std::get_if<PharmacokineticRule>(&r.detail)) {
            if (pk->mode != PkMode::inhibition) continue;
            for (const auto& row : pk->exposure_scale) {
                for (const double x : row)
                    boost = std::max(boost, x);
            }
        }
    }
    double total = 0;
    std::size_t contributors = 0;
    for (std::uint32_t a = 0; a < kb.agents().size(); ++a) {
        for (const AgentEffect& e : kb.effects_of(AgentId{a})) {
            if (e.effect->system == b.system && e.effect->action == b.action) {
                total += e.effect->weight * boost;
                ++contributors;
            }
        }
    }
    if (contributors < static_cast<std::size_t>(b.min_agents)) {
        return "only " + std::to_string(contributors) + " agent(s) " +
               std::string(to_string(b.action)) + " " + kb.system(b.system).id + ", fewer than " +
               "min_agents " + std::to_string(b.min_agents);
    }
    if (!b.tiers.empty() && total + 1e-9 < b.tiers.front().min_weight) {
        return "the weights of every agent together cannot reach the lowest tier";
    }
    return {};
}

std::string pharmacokinetic_reason(const KnowledgeBase& kb, const PharmacokineticRule& pk) {
    const Action wanted = pk.mode == PkMode::induction ? Action::induces : Action::inhibits;
    const bool prodrug = pk.mode == PkMode::prodrug_inhibition;
    const auto covered = [&](SystemId s) {
        return pk.systems.empty() ||
               std::find(pk.systems.begin(), pk.systems.end(), s) != pk.systems.end();
    };
    for (std::uint32_t p = 0; p < kb.agents().size(); ++p) {
        for (const AgentEffect& pe : kb.effects_of(AgentId{p})) {
            if (pe.effect->action != wanted || !covered(pe.effect->system)) continue;
            for (std::uint32_t v = 0; v < kb.agents().size(); ++v) {
                if (v == p) continue;
                for (const AgentEffect& ve : kb.effects_of(AgentId{v})) {
                    const Effect& x = *ve.effect;
                    if (x.action == Action::substrate && x.system == pe.effect->system &&
                        x.prodrug == prodrug &&
                        pk.severity[static_cast<std::size_t>(pe.effect->strength)]
                                   [static_cast<std::size_t>(x.sensitivity)] != Severity::none) {
                        return {};
                    }
                }
            }
        }
    }
    return "no perpetrator and victim in the knowledge base meet a severity entry";
}

std::string combination_reason(const KnowledgeBase& kb, const CombinationRule& c) {
    std::vector<std::vector<AgentId>> candidates(c.match.size());
    for (std::size_t i = 0; i < c.match.size(); ++i) {
        for (std::uint32_t a = 0; a < kb.agents().size(); ++a) {
            if (matches_item(kb, c.match[i], AgentId{a})) candidates[i].push_back(AgentId{a});
        }
        if (candidates[i].empty()) return "item " + std::to_string(i + 1) + " matches no agent";
    }
    // Bipartite matching of items to distinct agents (augmenting paths; items are few).
    std::vector<std::optional<std::size_t>> owner(kb.agents().size());
    std::function<bool(std::size_t, std::vector<bool>&)> place = [&](std::size_t item,
                                                                     std::vector<bool>& seen) {
        for (const AgentId a : candidates[item]) {
            const std::uint32_t i = index_of(a);
            if (seen[i]) continue;
            seen[i] = true;
            if (!owner[i] || place(*owner[i], seen)) {
                owner[i] = item;
                return true;
            }
        }
        return false;
    };
    for (std::size_t item = 0; item < c.match.size(); ++item) {
        std::vector<bool> seen(kb.agents().size(), false);
        if (!place(item, seen)) return "its items cannot be matched by distinct agents";
    }
    return {};
}

std::string opposition_reason(const KnowledgeBase& kb, const OppositionRule& o) {
    std::vector<AgentId> raising, lowering;
    for (std::uint32_t a = 0; a < kb.agents().size(); ++a) {
        for (const AgentEffect& e : kb.effects_of(AgentId{a})) {
            const Effect& x = *e.effect;
            if (x.system != o.system || x.weight + 1e-9 < o.min_weight) continue;
            if (x.action == Action::increases &&
                (!o.raising || matches_item(kb, *o.raising, AgentId{a}))) {
                raising.push_back(AgentId{a});
            }
            if (x.action == Action::decreases &&
                (!o.lowering || matches_item(kb, *o.lowering, AgentId{a}))) {
                lowering.push_back(AgentId{a});
            }
        }
    }
    if (raising.empty()) return "no agent is on the raising side";
    if (lowering.empty()) return "no agent is on the lowering side";
    if (raising.size() == 1 && lowering.size() == 1 && raising == lowering) {
        return "the only raising and lowering agent is the same";
    }
    return {};
}

}  // namespace

std::vector<std::pair<RuleId, std::string>> unreachable_rules(const KnowledgeBase& kb) {
    std::vector<std::pair<RuleId, std::string>> out;
    for (std::uint32_t r = 0; r < kb.rules().size(); ++r) {
        const Rule& rule = kb.rules()[r];
        std::visit(
            [&](const auto& d) {
                using T = std::decay_t<decltype(d)>;
                std::string reason;
                if constexpr (std::is_same_v<T, BurdenRule>) reason = burden_reason(kb, d);
                if constexpr (std::is_same_v<T, PharmacokineticRule>) {
                    reason = pharmacokinetic_reason(kb, d);
                }
                if constexpr (std::is_same_v<T, CombinationRule>)
                    reason = combination_reason(kb, d);
                if constexpr (std::is_same_v<T, OppositionRule>) reason = opposition_reason(kb, d);
                if constexpr (std::is_same_v<T, DuplicationRule>) {
                    for (const ClassId c : d.classes) {
                        if (kb.members_of(c).size() < 2) {
                            out.emplace_back(RuleId{r}, "class '" + kb.klass(c).id +
                                                            "' has fewer than two members");
                        }
                    }
                }
                if (!reason.empty()) out.emplace_back(RuleId{r}, reason);
            },
            rule.detail);
    }
    return out;
}

}  // namespace combocheck::detail
