// Evaluates rules over a list: pharmacokinetics first (exposure scales), then burden,
// combination, opposition and duplication; then orders the findings.
#include "checker.hpp"

#include <algorithm>
#include <bit>
#include <utility>

namespace combocheck {

std::string_view to_string(Role role) {
    static constexpr std::array<std::string_view, 7> kNames{
        "contributor", "perpetrator", "victim", "matched", "raising", "lowering", "member"};
    return kNames[static_cast<std::size_t>(role)];
}

namespace {

// Weights are sums of decimals like 0.5 and 1.5; compare with a little slack.
constexpr double kEpsilon = 1e-9;

std::size_t idx(Strength s) {
    return static_cast<std::size_t>(s);
}
std::size_t idx(Sensitivity s) {
    return static_cast<std::size_t>(s);
}

bool effect_matches(const Effect& x, const EffectPattern& p, double exposure_scale) {
    if (x.system != p.system || x.action != p.action) return false;
    if (p.min_strength && x.strength < *p.min_strength) return false;
    if (p.min_sensitivity && x.sensitivity < *p.min_sensitivity) return false;
    return !p.min_weight || x.weight * exposure_scale + kEpsilon >= *p.min_weight;
}

// The class chain from one of the agent's own classes up to `target` (breadth-first: shortest).
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

// A rule to evaluate on a list, and which agents of the list may take part (from the index;
// without one, any). Bits past 63 are always taken as set.
struct Candidate {
    static constexpr std::uint64_t kAll = ~std::uint64_t{0};

    RuleId rule{};
    std::uint64_t agents = kAll;   // bit i: the list's agent i
    std::uint64_t classes = kAll;  // duplication, bit k: class k may have two members

    bool may_take_part(std::size_t i) const { return i >= 64 || (agents >> i & 1) != 0; }
    bool may_have_two(std::size_t k) const { return k >= 64 || (classes >> k & 1) != 0; }
};

// What a check works with besides its result. Kept from list to list (per thread) because a
// batch checks millions of lists, and allocating these for each costs more than most checks.
struct Scratch {
    // For each rule, what the list's agents can take in it; all zero between checks.
    struct Reach {
        std::uint64_t once = 0;    // items (see RuleIndex::Entry) at least one agent can take
        std::uint64_t twice = 0;   // items at least two agents can take
        std::uint64_t agents = 0;  // bit i: agent i takes part
    };
    std::vector<Reach> reach;                 // by rule
    std::vector<std::uint64_t> touched;       // one bit per rule: some agent takes part
    std::vector<Candidate> candidates;        // the rules to evaluate, ascending
    std::vector<double> raise, lower, scale;  // by agent: exposure scales
    std::vector<std::pair<std::size_t, const AgentEffect*>> substrates;
    std::vector<bool> used;
    std::vector<std::size_t> chosen, members;
    std::vector<AgentId> raising, lowering;
};

class ListChecker {
  public:
    ListChecker(const KnowledgeBase& kb, std::span<const AgentId> input, const RuleIndex* index,
                Scratch& scratch)
        : kb_(kb), index_(index), s_(scratch) {
        result_.agents.assign(input.begin(), input.end());
        std::sort(result_.agents.begin(), result_.agents.end());
        result_.agents.erase(std::unique(result_.agents.begin(), result_.agents.end()),
                             result_.agents.end());
        s_.raise.assign(result_.agents.size(), 1.0);
        s_.lower.assign(result_.agents.size(), 1.0);
        s_.candidates.clear();
        if (index != nullptr) {
            collect_candidates(*index);
        } else {
            for (std::uint32_t r = 0; r < kb_.rules().size(); ++r)
                s_.candidates.push_back({RuleId{r}});
        }
    }

    CheckResult run() {
        // Pharmacokinetics first: exposure changes scale the weights the other rules sum.
        for (const Candidate& candidate : s_.candidates) {
            const Rule& rule = kb_.rule(candidate.rule);
            if (const auto* pk = std::get_if<PharmacokineticRule>(&rule.detail)) {
                pharmacokinetic(candidate, *pk);
            }
        }
        s_.scale.resize(result_.agents.size());
        for (std::size_t i = 0; i < s_.scale.size(); ++i) {
            s_.scale[i] = s_.raise[i] * s_.lower[i];
            if (std::abs(s_.scale[i] - 1.0) > kEpsilon) {
                result_.exposure.push_back({result_.agents[i], s_.scale[i]});
            }
        }
        for (const Candidate& candidate : s_.candidates) {
            std::visit(
                [&](const auto& detail) {
                    using T = std::decay_t<decltype(detail)>;
                    if constexpr (std::is_same_v<T, BurdenRule>) burden(candidate, detail);
                    if constexpr (std::is_same_v<T, CombinationRule>) {
                        combination(candidate, detail);
                    }
                    if constexpr (std::is_same_v<T, OppositionRule>) opposition(candidate, detail);
                    if constexpr (std::is_same_v<T, DuplicationRule>) {
                        duplication(candidate, detail);
                    }
                },
                kb_.rule(candidate.rule).detail);
        }
        drop_covered_findings();
        order();
        return std::move(result_);
    }

  private:
    // The rules of the agents, ascending: a combination only when every item has an agent that
    // could match it, a duplication only when two agents could share a class (and then only
    // such classes), any other rule when one agent takes part.
    void collect_candidates(const RuleIndex& index) {
        s_.reach.resize(kb_.rules().size());
        s_.touched.assign((kb_.rules().size() + 63) / 64, 0);
        for (std::size_t i = 0; i < count(); ++i) {
            for (const RuleIndex::Entry& entry : index.rules_of(agent(i))) {
                const std::uint32_t r = index_of(entry.rule);
                Scratch::Reach& reach = s_.reach[r];
                reach.twice |= reach.once & entry.items;
                reach.once |= entry.items;
                if (i < 64) reach.agents |= std::uint64_t{1} << i;
                s_.touched[r / 64] |= std::uint64_t{1} << (r % 64);
            }
        }
        for (std::uint32_t word = 0; word < s_.touched.size(); ++word) {
            for (std::uint64_t bits = s_.touched[word]; bits != 0; bits &= bits - 1) {
                const std::uint32_t r =
                    word * 64 + static_cast<std::uint32_t>(std::countr_zero(bits));
                const Scratch::Reach reach = std::exchange(s_.reach[r], {});
                const RuleId rule{r};
                switch (kb_.rule(rule).kind) {
                    case RuleKind::combination:
                        if (reach.once == Candidate::kAll) {
                            s_.candidates.push_back({rule, reach.agents});
                        }
                        break;
                    case RuleKind::duplication:
                        if (reach.twice != 0) {
                            s_.candidates.push_back({rule, reach.agents, reach.twice});
                        }
                        break;
                    default:
                        s_.candidates.push_back({rule, reach.agents});
                }
            }
        }
    }

    std::size_t count() const { return result_.agents.size(); }
    AgentId agent(std::size_t i) const { return result_.agents[i]; }

    // The agent's class chain up to `klass`, of which it is a member.
    std::vector<ClassId> via_classes(std::size_t i, ClassId klass) const {
        if (index_ != nullptr) return *index_->class_path(agent(i), klass);
        return class_path(kb_, agent(i), klass);
    }

    void add(Finding f) {
        std::sort(f.agents.begin(), f.agents.end());
        f.agents.erase(std::unique(f.agents.begin(), f.agents.end()), f.agents.end());
        // A list with findings usually has a few: one allocation rather than three.
        if (result_.findings.empty()) result_.findings.reserve(4);
        result_.findings.push_back(std::move(f));
    }

    void pharmacokinetic(const Candidate& candidate, const PharmacokineticRule& pk) {
        const Action wanted = pk.mode == PkMode::induction ? Action::induces : Action::inhibits;
        const bool prodrug = pk.mode == PkMode::prodrug_inhibition;
        const auto covered = [&](SystemId s) {
            return pk.systems.empty() ||
                   std::find(pk.systems.begin(), pk.systems.end(), s) != pk.systems.end();
        };
        // The substrates, gathered once: every perpetrator's effect is paired with them.
        s_.substrates.clear();
        for (std::size_t v = 0; v < count(); ++v) {
            if (!candidate.may_take_part(v)) continue;
            for (const AgentEffect& ve : kb_.effects_of(agent(v))) {
                if (ve.effect->action == Action::substrate && ve.effect->prodrug == prodrug) {
                    s_.substrates.push_back({v, &ve});
                }
            }
        }
        if (s_.substrates.empty()) return;
        for (std::size_t p = 0; p < count(); ++p) {
            if (!candidate.may_take_part(p)) continue;
            for (const AgentEffect& pe : kb_.effects_of(agent(p))) {
                if (pe.effect->action != wanted || !covered(pe.effect->system)) continue;
                for (const auto& [v, ve] : s_.substrates) {
                    const Effect& victim = *ve->effect;
                    if (v == p || victim.system != pe.effect->system) continue;
                    const std::size_t s = idx(pe.effect->strength);
                    const std::size_t t = idx(victim.sensitivity);
                    const double scale = pk.exposure_scale[s][t];
                    if (pk.mode == PkMode::inhibition) {
                        s_.raise[v] = std::max(s_.raise[v], scale);
                    } else {
                        s_.lower[v] = std::min(s_.lower[v], scale);
                    }
                    Severity severity = pk.severity[s][t];
                    if (severity == Severity::none) continue;
                    if (kb_.agent(agent(v)).narrow_therapeutic_index) {
                        const int raised =
                            std::min(static_cast<int>(severity) + pk.narrow_therapeutic_index_raise,
                                     static_cast<int>(Severity::major));
                        severity = std::max(severity, static_cast<Severity>(raised));
                    }
                    Finding f;
                    f.rule = candidate.rule;
                    f.severity = severity;
                    f.system = victim.system;
                    f.agents = {agent(p), agent(v)};
                    f.contributions.reserve(2);
                    f.contributions.push_back(
                        {agent(p), Role::perpetrator, pe.effect, pe.via, 0, 1});
                    f.contributions.push_back({agent(v), Role::victim, &victim, ve->via, 0, 1});
                    add(std::move(f));
                }
            }
        }
    }

    void burden(const Candidate& candidate, const BurdenRule& b) {
        const auto adds = [&](const AgentEffect& e) {
            return e.effect->system == b.system && e.effect->action == b.action;
        };
        // Sum first: most lists reach no tier, and then no finding is built.
        std::size_t contributors = 0;
        double total_weight = 0;
        for (std::size_t i = 0; i < count(); ++i) {
            if (!candidate.may_take_part(i)) continue;
            for (const AgentEffect& e : kb_.effects_of(agent(i))) {
                if (!adds(e)) continue;
                total_weight += e.effect->weight * s_.scale[i];
                ++contributors;
            }
        }
        if (contributors < static_cast<std::size_t>(b.min_agents)) return;
        Severity severity = Severity::none;
        for (const Tier& tier : b.tiers) {
            if (total_weight + kEpsilon >= tier.min_weight) severity = tier.severity;
        }
        if (severity == Severity::none) return;
        Finding f;
        f.rule = candidate.rule;
        f.severity = severity;
        f.system = b.system;
        f.total_weight = total_weight;
        f.contributions.reserve(contributors);
        for (std::size_t i = 0; i < count(); ++i) {
            if (!candidate.may_take_part(i)) continue;
            for (const AgentEffect& e : kb_.effects_of(agent(i))) {
                if (!adds(e)) continue;
                const double weight = e.effect->weight * s_.scale[i];
                f.contributions.push_back(
                    {agent(i), Role::contributor, e.effect, e.via, weight, s_.scale[i]});
                f.agents.push_back(agent(i));
            }
        }
        std::stable_sort(
            f.contributions.begin(), f.contributions.end(),
            [](const Contribution& a, const Contribution& c) { return a.weight > c.weight; });
        add(std::move(f));
    }

    bool matches(const MatchItem& item, std::size_t i) const {
        return matches_item(kb_, item, agent(i), s_.scale[i]);
    }

    // The contribution that explains how agent i matches the item (it does).
    Contribution explain_match(const MatchItem& item, std::size_t i) const {
        Contribution out{agent(i), Role::matched, nullptr, {}, 0, s_.scale[i]};
        std::visit(
            [&](const auto& what) {
                using T = std::decay_t<decltype(what)>;
                if constexpr (std::is_same_v<T, ClassId>) {
                    out.via = via_classes(i, what);
                } else if constexpr (std::is_same_v<T, EffectPattern>) {
                    for (const AgentEffect& e : kb_.effects_of(agent(i))) {
                        if (!effect_matches(*e.effect, what, s_.scale[i])) continue;
                        out.effect = e.effect;
                        out.via = e.via;
                        out.weight = e.effect->weight * s_.scale[i];
                        return;
                    }
                } else if constexpr (std::is_same_v<T, std::vector<MatchItem>>) {
                    // The first alternative that matches explains the match.
                    for (const MatchItem& alternative : what) {
                        if (matches(alternative, i)) {
                            out = explain_match(alternative, i);
                            return;
                        }
                    }
                }
            },
            item.what);
        return out;
    }

    // Backtracking: assigns a distinct agent to each item in turn; `chosen[k]` is item k's agent.
    bool assign(const Candidate& candidate, const std::vector<MatchItem>& items, std::size_t k) {
        if (k == items.size()) return true;
        for (std::size_t i = 0; i < count(); ++i) {
            if (!candidate.may_take_part(i) || s_.used[i] || !matches(items[k], i)) continue;
            s_.used[i] = true;
            s_.chosen.push_back(i);
            if (assign(candidate, items, k + 1)) return true;
            s_.chosen.pop_back();
            s_.used[i] = false;
        }
        return false;
    }

    void combination(const Candidate& candidate, const CombinationRule& c) {
        // Match first, explain after: only the assignment found is turned into contributions.
        s_.used.assign(count(), false);
        s_.chosen.clear();
        if (!assign(candidate, c.match, 0)) return;
        Finding f;
        f.rule = candidate.rule;
        f.severity = c.severity;
        f.agents.reserve(s_.chosen.size());
        f.contributions.reserve(s_.chosen.size());
        for (std::size_t k = 0; k < s_.chosen.size(); ++k) {
            f.agents.push_back(agent(s_.chosen[k]));
            f.contributions.push_back(explain_match(c.match[k], s_.chosen[k]));
        }
        add(std::move(f));
    }

    // The side agent i's effect takes in the opposition, if any.
    std::optional<Role> opposition_side(const OppositionRule& o, std::size_t i,
                                        const Effect& x) const {
        if (x.system != o.system) return std::nullopt;
        const bool up = x.action == Action::increases;
        if (!up && x.action != Action::decreases) return std::nullopt;
        if (x.weight * s_.scale[i] + kEpsilon < o.min_weight) return std::nullopt;
        const auto& side = up ? o.raising : o.lowering;
        if (side && !matches(*side, i)) return std::nullopt;
        return up ? Role::raising : Role::lowering;
    }

    void opposition(const Candidate& candidate, const OppositionRule& o) {
        // Sides first: most lists have no opposing pair, and then no finding is built.
        s_.raising.clear();
        s_.lowering.clear();
        for (std::size_t i = 0; i < count(); ++i) {
            if (!candidate.may_take_part(i)) continue;
            for (const AgentEffect& e : kb_.effects_of(agent(i))) {
                const auto role = opposition_side(o, i, *e.effect);
                if (role) (*role == Role::raising ? s_.raising : s_.lowering).push_back(agent(i));
            }
        }
        const bool distinct_pair =
            std::any_of(s_.raising.begin(), s_.raising.end(), [&](AgentId r) {
                return std::any_of(s_.lowering.begin(), s_.lowering.end(),
                                   [&](AgentId l) { return l != r; });
            });
        if (!distinct_pair) return;
        Finding f;
        f.rule = candidate.rule;
        f.severity = o.severity;
        f.system = o.system;
        f.agents = s_.raising;
        f.agents.insert(f.agents.end(), s_.lowering.begin(), s_.lowering.end());
        for (std::size_t i = 0; i < count(); ++i) {
            if (!candidate.may_take_part(i)) continue;
            for (const AgentEffect& e : kb_.effects_of(agent(i))) {
                const auto role = opposition_side(o, i, *e.effect);
                if (!role) continue;
                f.contributions.push_back({agent(i), *role, e.effect, e.via,
                                           e.effect->weight * s_.scale[i], s_.scale[i]});
            }
        }
        add(std::move(f));
    }

    void duplication(const Candidate& candidate, const DuplicationRule& d) {
        for (std::size_t k = 0; k < d.classes.size(); ++k) {
            if (!candidate.may_have_two(k)) continue;
            const ClassId c = d.classes[k];
            s_.members.clear();
            for (std::size_t i = 0; i < count(); ++i) {
                if (candidate.may_take_part(i) && kb_.is_member(agent(i), c)) {
                    s_.members.push_back(i);
                }
            }
            if (s_.members.size() < 2) continue;
            Finding f;
            f.rule = candidate.rule;
            f.severity = d.severity;
            f.klass = c;
            f.agents.reserve(s_.members.size());
            f.contributions.reserve(s_.members.size());
            for (const std::size_t i : s_.members) {
                f.agents.push_back(agent(i));
                f.contributions.push_back(
                    {agent(i), Role::member, nullptr, via_classes(i, c), 0, 1});
            }
            add(std::move(f));
        }
    }

    // A finding is not repeated when a curated combination finding on the same risk already
    // names all of its agents: at the same or a higher severity for a finding of any other kind
    // (burden, pharmacokinetic, opposition, duplication), at a strictly higher one for another
    // combination (MAOI + SSRI is contraindicated; the broader MAO-A inhibitor rule's major
    // finding on the same pair adds nothing). The curated finding says it better.
    void drop_covered_findings() {
        auto& findings = result_.findings;
        const auto is_combination = [&](const Finding& f) {
            return kb_.rule(f.rule).kind == RuleKind::combination;
        };
        if (std::none_of(findings.begin(), findings.end(), is_combination)) return;
        const auto covered = [&](const Finding& f) {
            const Rule& rule = kb_.rule(f.rule);
            return std::any_of(findings.begin(), findings.end(), [&](const Finding& g) {
                const Rule& other = kb_.rule(g.rule);
                const bool stronger = rule.kind == RuleKind::combination ? g.severity > f.severity
                                                                         : g.severity >= f.severity;
                return &g != &f && other.kind == RuleKind::combination && other.risk == rule.risk &&
                       stronger &&
                       std::includes(g.agents.begin(), g.agents.end(), f.agents.begin(),
                                     f.agents.end());
            });
        };
        // Decide for every finding before moving any: `covered` reads the others.
        std::vector<bool> drop(findings.size());
        for (std::size_t i = 0; i < findings.size(); ++i)
            drop[i] = covered(findings[i]);
        if (std::find(drop.begin(), drop.end(), true) == drop.end()) return;
        std::vector<Finding> kept;
        for (std::size_t i = 0; i < findings.size(); ++i) {
            if (!drop[i]) kept.push_back(std::move(findings[i]));
        }
        findings = std::move(kept);
    }

    // Whether rule a's id sorts before rule b's.
    bool rule_before(RuleId a, RuleId b) const {
        if (index_ != nullptr) return index_->rank_of(a) < index_->rank_of(b);
        return kb_.rule(a).id < kb_.rule(b).id;
    }

    void order() {
        std::sort(result_.findings.begin(), result_.findings.end(),
                  [&](const Finding& a, const Finding& b) {
                      if (a.severity != b.severity) return a.severity > b.severity;
                      if (a.rule != b.rule) return rule_before(a.rule, b.rule);
                      if (a.agents != b.agents) return a.agents < b.agents;
                      return a.system < b.system;
                  });
        for (const Finding& f : result_.findings) {
            result_.max_severity = std::max(result_.max_severity, f.severity);
        }
    }

    const KnowledgeBase& kb_;
    const RuleIndex* index_;
    Scratch& s_;
    CheckResult result_;
};

// Whether the agent can take part in the rule at some exposure. A superset is harmless (the
// rule is evaluated and finds nothing); a missing rule would lose findings, so weights are
// ignored: any exposure scale may carry a weight over a threshold.
constexpr double kAnyExposure = 1e300;

bool can_take_part(const KnowledgeBase& kb, const Rule& rule, AgentId agent) {
    const auto effects = kb.effects_of(agent);
    const auto any_effect = [&](auto&& predicate) {
        return std::any_of(effects.begin(), effects.end(),
                           [&](const AgentEffect& e) { return predicate(*e.effect); });
    };
    return std::visit(
        [&](const auto& detail) -> bool {
            using T = std::decay_t<decltype(detail)>;
            if constexpr (std::is_same_v<T, PharmacokineticRule>) {
                const Action wanted =
                    detail.mode == PkMode::induction ? Action::induces : Action::inhibits;
                const bool prodrug = detail.mode == PkMode::prodrug_inhibition;
                return any_effect([&](const Effect& e) {
                    const bool covered = detail.systems.empty() ||
                                         std::find(detail.systems.begin(), detail.systems.end(),
                                                   e.system) != detail.systems.end();
                    return covered && (e.action == wanted ||
                                       (e.action == Action::substrate && e.prodrug == prodrug));
                });
            } else if constexpr (std::is_same_v<T, BurdenRule>) {
                return any_effect([&](const Effect& e) {
                    return e.system == detail.system && e.action == detail.action;
                });
            } else if constexpr (std::is_same_v<T, CombinationRule>) {
                return std::any_of(detail.match.begin(), detail.match.end(),
                                   [&](const MatchItem& item) {
                                       return matches_item(kb, item, agent, kAnyExposure);
                                   });
            } else if constexpr (std::is_same_v<T, OppositionRule>) {
                return any_effect([&](const Effect& e) {
                    return e.system == detail.system &&
                           (e.action == Action::increases || e.action == Action::decreases);
                });
            } else {
                return std::any_of(detail.classes.begin(), detail.classes.end(),
                                   [&](ClassId c) { return kb.is_member(agent, c); });
            }
        },
        rule.detail);
}

}  // namespace

bool matches_item(const KnowledgeBase& kb, const MatchItem& item, AgentId agent,
                  double exposure_scale) {
    return std::visit(
        [&](const auto& what) -> bool {
            using T = std::decay_t<decltype(what)>;
            if constexpr (std::is_same_v<T, AgentId>) {
                return what == agent;
            } else if constexpr (std::is_same_v<T, ClassId>) {
                return kb.is_member(agent, what);
            } else if constexpr (std::is_same_v<T, EffectPattern>) {
                const auto effects = kb.effects_of(agent);
                return std::any_of(effects.begin(), effects.end(), [&](const AgentEffect& e) {
                    return effect_matches(*e.effect, what, exposure_scale);
                });
            } else {
                return std::any_of(what.begin(), what.end(), [&](const MatchItem& m) {
                    return matches_item(kb, m, agent, exposure_scale);
                });
            }
        },
        item.what);
}

RuleIndex::RuleIndex(const KnowledgeBase& kb)
    : rules_(kb.agents().size()), ranks_(kb.rules().size()), class_paths_(kb.agents().size()) {
    constexpr std::uint64_t kAll = ~std::uint64_t{0};
    for (std::uint32_t a = 0; a < rules_.size(); ++a) {
        const AgentId agent{a};
        for (std::uint32_t r = 0; r < kb.rules().size(); ++r) {
            const Rule& rule = kb.rules()[r];
            if (const auto* combination = std::get_if<CombinationRule>(&rule.detail)) {
                // Bits of the items this agent can match; the other bits are left for others.
                const std::size_t n = combination->match.size();
                std::uint64_t items = n >= 64 ? 0 : kAll << n;
                for (std::size_t k = 0; k < n && k < 64; ++k) {
                    if (matches_item(kb, combination->match[k], agent, kAnyExposure)) {
                        items |= std::uint64_t{1} << k;
                    }
                }
                if (items != (n >= 64 ? 0 : kAll << n)) rules_[a].push_back({RuleId{r}, items});
            } else if (const auto* duplication = std::get_if<DuplicationRule>(&rule.detail)) {
                std::uint64_t classes = 0;
                for (std::size_t k = 0; k < duplication->classes.size(); ++k) {
                    if (!kb.is_member(agent, duplication->classes[k])) continue;
                    classes |= k < 64 ? std::uint64_t{1} << k : kAll;
                }
                if (classes != 0) rules_[a].push_back({RuleId{r}, classes});
            } else if (can_take_part(kb, rule, agent)) {
                rules_[a].push_back({RuleId{r}, kAll});
            }
        }
        for (const ClassId c : kb.classes_of(agent)) {
            class_paths_[a].push_back({c, combocheck::class_path(kb, agent, c)});
        }
    }
    std::vector<std::uint32_t> by_id(kb.rules().size());
    for (std::uint32_t r = 0; r < by_id.size(); ++r)
        by_id[r] = r;
    std::sort(by_id.begin(), by_id.end(), [&](std::uint32_t x, std::uint32_t y) {
        return kb.rules()[x].id < kb.rules()[y].id;
    });
    for (std::uint32_t place = 0; place < by_id.size(); ++place)
        ranks_[by_id[place]] = place;
}

const std::vector<ClassId>* RuleIndex::class_path(AgentId agent, ClassId klass) const {
    const auto& paths = class_paths_[index_of(agent)];
    const auto it = std::lower_bound(paths.begin(), paths.end(), klass,
                                     [](const ClassPath& p, ClassId c) { return p.klass < c; });
    return it != paths.end() && it->klass == klass ? &it->via : nullptr;
}

CheckResult check_list(const KnowledgeBase& kb, std::span<const AgentId> agents,
                       const RuleIndex* index) {
    thread_local Scratch scratch;
    return ListChecker(kb, agents, index, scratch).run();
}

}  // namespace combocheck
