// Evaluates rules over a list: pharmacokinetics first (exposure scales), then burden,
// combination, opposition and duplication; then orders the findings.
#include "checker.hpp"

#include <algorithm>
#include <cstdio>

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

class ListChecker {
  public:
    ListChecker(const KnowledgeBase& kb, std::span<const AgentId> input, const RuleIndex* index)
        : kb_(kb) {
        result_.agents.assign(input.begin(), input.end());
        std::sort(result_.agents.begin(), result_.agents.end());
        result_.agents.erase(std::unique(result_.agents.begin(), result_.agents.end()),
                             result_.agents.end());
        raise_.assign(result_.agents.size(), 1.0);
        lower_.assign(result_.agents.size(), 1.0);
        if (index != nullptr) {
            // The rules of the agents; a combination only when every item has an agent that
            // could match it.
            std::vector<RuleIndex::Entry> entries;
            for (const AgentId a : result_.agents) {
                const auto rules = index->rules_of(a);
                entries.insert(entries.end(), rules.begin(), rules.end());
            }
            std::sort(entries.begin(), entries.end(),
                      [](const auto& x, const auto& y) { return x.rule < y.rule; });
            for (std::size_t i = 0; i < entries.size();) {
                std::uint64_t items = 0;
                const RuleId rule = entries[i].rule;
                for (; i < entries.size() && entries[i].rule == rule; ++i)
                    items |= entries[i].items;
                if (items == ~std::uint64_t{0}) candidates_.push_back(rule);
            }
        } else {
            candidates_.resize(kb_.rules().size());
            for (std::uint32_t r = 0; r < candidates_.size(); ++r)
                candidates_[r] = RuleId{r};
        }
    }

    CheckResult run() {
        // Pharmacokinetics first: exposure changes scale the weights the other rules sum.
        for (const RuleId r : candidates_) {
            if (const auto* pk = std::get_if<PharmacokineticRule>(&kb_.rule(r).detail)) {
                pharmacokinetic(r, *pk);
            }
        }
        scale_.resize(result_.agents.size());
        for (std::size_t i = 0; i < scale_.size(); ++i) {
            scale_[i] = raise_[i] * lower_[i];
            if (std::abs(scale_[i] - 1.0) > kEpsilon) {
                result_.exposure.push_back({result_.agents[i], scale_[i]});
            }
        }
        for (const RuleId id : candidates_) {
            std::visit(
                [&](const auto& detail) {
                    using T = std::decay_t<decltype(detail)>;
                    if constexpr (std::is_same_v<T, BurdenRule>) burden(id, detail);
                    if constexpr (std::is_same_v<T, CombinationRule>) combination(id, detail);
                    if constexpr (std::is_same_v<T, OppositionRule>) opposition(id, detail);
                    if constexpr (std::is_same_v<T, DuplicationRule>) duplication(id, detail);
                },
                kb_.rule(id).detail);
        }
        drop_covered_findings();
        order();
        return std::move(result_);
    }

  private:
    std::size_t count() const { return result_.agents.size(); }
    AgentId agent(std::size_t i) const { return result_.agents[i]; }

    void add(Finding f) {
        std::sort(f.agents.begin(), f.agents.end());
        f.agents.erase(std::unique(f.agents.begin(), f.agents.end()), f.agents.end());
        result_.findings.push_back(std::move(f));
    }

    void pharmacokinetic(RuleId id, const PharmacokineticRule& pk) {
        const Action wanted = pk.mode == PkMode::induction ? Action::induces : Action::inhibits;
        const bool prodrug = pk.mode == PkMode::prodrug_inhibition;
        const auto covered = [&](SystemId s) {
            return pk.systems.empty() ||
                   std::find(pk.systems.begin(), pk.systems.end(), s) != pk.systems.end();
        };
        for (std::size_t p = 0; p < count(); ++p) {
            for (const AgentEffect& pe : kb_.effects_of(agent(p))) {
                if (pe.effect->action != wanted || !covered(pe.effect->system)) continue;
                for (std::size_t v = 0; v < count(); ++v) {
                    if (v == p) continue;
                    for (const AgentEffect& ve : kb_.effects_of(agent(v))) {
                        const Effect& victim = *ve.effect;
                        if (victim.action != Action::substrate ||
                            victim.system != pe.effect->system || victim.prodrug != prodrug) {
                            continue;
                        }
                        const std::size_t s = idx(pe.effect->strength);
                        const std::size_t t = idx(victim.sensitivity);
                        const double scale = pk.exposure_scale[s][t];
                        if (pk.mode == PkMode::inhibition) {
                            raise_[v] = std::max(raise_[v], scale);
                        } else {
                            lower_[v] = std::min(lower_[v], scale);
                        }
                        Severity severity = pk.severity[s][t];
                        if (severity == Severity::none) continue;
                        if (kb_.agent(agent(v)).narrow_therapeutic_index) {
                            const int raised = std::min(
                                static_cast<int>(severity) + pk.narrow_therapeutic_index_raise,
                                static_cast<int>(Severity::major));
                            severity = std::max(severity, static_cast<Severity>(raised));
                        }
                        Finding f;
                        f.rule = id;
                        f.severity = severity;
                        f.system = victim.system;
                        f.agents = {agent(p), agent(v)};
                        f.contributions.push_back(
                            {agent(p), Role::perpetrator, pe.effect, pe.via, 0, 1});
                        f.contributions.push_back({agent(v), Role::victim, &victim, ve.via, 0, 1});
                        add(std::move(f));
                    }
                }
            }
        }
    }

    void burden(RuleId id, const BurdenRule& b) {
        Finding f;
        f.rule = id;
        f.system = b.system;
        for (std::size_t i = 0; i < count(); ++i) {
            for (const AgentEffect& e : kb_.effects_of(agent(i))) {
                if (e.effect->system != b.system || e.effect->action != b.action) continue;
                const double weight = e.effect->weight * scale_[i];
                f.contributions.push_back(
                    {agent(i), Role::contributor, e.effect, e.via, weight, scale_[i]});
                f.agents.push_back(agent(i));
                f.total_weight += weight;
            }
        }
        if (f.contributions.size() < static_cast<std::size_t>(b.min_agents)) return;
        for (const Tier& tier : b.tiers) {
            if (f.total_weight + kEpsilon >= tier.min_weight) f.severity = tier.severity;
        }
        if (f.severity == Severity::none) return;
        std::stable_sort(
            f.contributions.begin(), f.contributions.end(),
            [](const Contribution& a, const Contribution& c) { return a.weight > c.weight; });
        add(std::move(f));
    }

    // Whether agent i matches the item; fills the contribution that explains the match.
    bool matches(const MatchItem& item, std::size_t i, Contribution& out) const {
        out.agent = agent(i);
        out.role = Role::matched;
        out.effect = nullptr;
        out.via.clear();
        out.weight = 0;
        out.exposure_scale = scale_[i];
        return std::visit(
            [&](const auto& what) -> bool {
                using T = std::decay_t<decltype(what)>;
                if constexpr (std::is_same_v<T, AgentId>) {
                    return what == agent(i);
                } else if constexpr (std::is_same_v<T, ClassId>) {
                    if (!kb_.is_member(agent(i), what)) return false;
                    out.via = class_path(kb_, agent(i), what);
                    return true;
                } else if constexpr (std::is_same_v<T, EffectPattern>) {
                    for (const AgentEffect& e : kb_.effects_of(agent(i))) {
                        if (!effect_matches(*e.effect, what, scale_[i])) continue;
                        out.effect = e.effect;
                        out.via = e.via;
                        out.weight = e.effect->weight * scale_[i];
                        return true;
                    }
                    return false;
                } else {
                    for (const MatchItem& alternative : what) {
                        if (matches(alternative, i, out)) return true;
                    }
                    return false;
                }
            },
            item.what);
    }

    // Backtracking: assigns a distinct agent to each item in turn.
    bool assign(const std::vector<MatchItem>& items, std::size_t k, std::vector<bool>& used,
                std::vector<Contribution>& chosen) const {
        if (k == items.size()) return true;
        for (std::size_t i = 0; i < count(); ++i) {
            if (used[i]) continue;
            Contribution c;
            if (!matches(items[k], i, c)) continue;
            used[i] = true;
            chosen.push_back(std::move(c));
            if (assign(items, k + 1, used, chosen)) return true;
            chosen.pop_back();
            used[i] = false;
        }
        return false;
    }

    void combination(RuleId id, const CombinationRule& c) {
        std::vector<bool> used(count(), false);
        std::vector<Contribution> chosen;
        if (!assign(c.match, 0, used, chosen)) return;
        Finding f;
        f.rule = id;
        f.severity = c.severity;
        for (const Contribution& x : chosen)
            f.agents.push_back(x.agent);
        f.contributions = std::move(chosen);
        add(std::move(f));
    }

    void opposition(RuleId id, const OppositionRule& o) {
        Finding f;
        f.rule = id;
        f.severity = o.severity;
        f.system = o.system;
        std::vector<AgentId> raising, lowering;
        for (std::size_t i = 0; i < count(); ++i) {
            for (const AgentEffect& e : kb_.effects_of(agent(i))) {
                const Effect& x = *e.effect;
                if (x.system != o.system) continue;
                const bool up = x.action == Action::increases;
                if (!up && x.action != Action::decreases) continue;
                const double weight = x.weight * scale_[i];
                if (weight + kEpsilon < o.min_weight) continue;
                const auto& side = up ? o.raising : o.lowering;
                Contribution unused;
                if (side && !matches(*side, i, unused)) continue;
                (up ? raising : lowering).push_back(agent(i));
                f.contributions.push_back(
                    {agent(i), up ? Role::raising : Role::lowering, &x, e.via, weight, scale_[i]});
            }
        }
        const bool distinct_pair = std::any_of(raising.begin(), raising.end(), [&](AgentId r) {
            return std::any_of(lowering.begin(), lowering.end(), [&](AgentId l) { return l != r; });
        });
        if (!distinct_pair) return;
        f.agents = raising;
        f.agents.insert(f.agents.end(), lowering.begin(), lowering.end());
        add(std::move(f));
    }

    void duplication(RuleId id, const DuplicationRule& d) {
        for (const ClassId c : d.classes) {
            Finding f;
            f.rule = id;
            f.severity = d.severity;
            f.klass = c;
            for (std::size_t i = 0; i < count(); ++i) {
                if (!kb_.is_member(agent(i), c)) continue;
                f.agents.push_back(agent(i));
                f.contributions.push_back(
                    {agent(i), Role::member, nullptr, class_path(kb_, agent(i), c), 0, 1});
            }
            if (f.agents.size() >= 2) add(std::move(f));
        }
    }

    // A finding is not repeated when a curated combination finding on the same risk already
    // names all of its agents: at the same or a higher severity for a finding of any other kind
    // (burden, pharmacokinetic, opposition, duplication), at a strictly higher one for another
    // combination (MAOI + SSRI is contraindicated; the broader MAO-A inhibitor rule's major
    // finding on the same pair adds nothing). The curated finding says it better.
    void drop_covered_findings() {
        auto& findings = result_.findings;
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
        std::vector<Finding> kept;
        for (std::size_t i = 0; i < findings.size(); ++i) {
            if (!drop[i]) kept.push_back(std::move(findings[i]));
        }
        findings = std::move(kept);
    }

    void order() {
        std::sort(result_.findings.begin(), result_.findings.end(),
                  [&](const Finding& a, const Finding& b) {
                      if (a.severity != b.severity) return a.severity > b.severity;
                      const std::string& ra = kb_.rule(a.rule).id;
                      const std::string& rb = kb_.rule(b.rule).id;
                      if (ra != rb) return ra < rb;
                      if (a.agents != b.agents) return a.agents < b.agents;
                      return a.system < b.system;
                  });
        for (const Finding& f : result_.findings) {
            result_.max_severity = std::max(result_.max_severity, f.severity);
        }
    }

    const KnowledgeBase& kb_;
    CheckResult result_;
    std::vector<RuleId> candidates_;  // the rules to evaluate, ascending
    std::vector<double> raise_, lower_, scale_;
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

// As printf's "%g" would print it; the common weights and scales (0.5, 2, 1.25) without printf.
std::string number_text(double x) {
    const double thousandths = x * 1000;
    if (x >= 0 && x < 1000 && thousandths == static_cast<double>(static_cast<long>(thousandths))) {
        const long n = static_cast<long>(thousandths);
        std::string out = std::to_string(n / 1000);
        if (const long fraction = n % 1000; fraction != 0) {
            char digits[4] = {static_cast<char>('0' + fraction / 100),
                              static_cast<char>('0' + fraction / 10 % 10),
                              static_cast<char>('0' + fraction % 10), '\0'};
            std::size_t length = 3;
            while (digits[length - 1] == '0')
                --length;
            out += '.';
            out.append(digits, length);
        }
        return out;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", x);
    return buffer;
}

std::string names_of(const KnowledgeBase& kb, const std::vector<AgentId>& agents) {
    std::string out;
    for (std::size_t i = 0; i < agents.size(); ++i) {
        if (i > 0) out += i + 1 == agents.size() ? " and " : ", ";
        out += kb.agent(agents[i]).name;
    }
    return out;
}

void replace_all(std::string& text, std::string_view key, const std::string& value) {
    for (std::size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size())) {
        text.replace(at, key.size(), value);
    }
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

RuleIndex::RuleIndex(const KnowledgeBase& kb) : rules_(kb.agents().size()) {
    constexpr std::uint64_t kAll = ~std::uint64_t{0};
    for (std::uint32_t a = 0; a < rules_.size(); ++a) {
        const AgentId agent{a};
        for (std::uint32_t r = 0; r < kb.rules().size(); ++r) {
            const Rule& rule = kb.rules()[r];
            const auto* combination = std::get_if<CombinationRule>(&rule.detail);
            if (combination == nullptr) {
                if (can_take_part(kb, rule, agent)) rules_[a].push_back({RuleId{r}, kAll});
                continue;
            }
            // Bits of the items this agent can match; the other bits are left for other agents.
            const std::size_t n = combination->match.size();
            std::uint64_t items = n >= 64 ? 0 : kAll << n;
            for (std::size_t k = 0; k < n && k < 64; ++k) {
                if (matches_item(kb, combination->match[k], agent, kAnyExposure)) {
                    items |= std::uint64_t{1} << k;
                }
            }
            if (items != (n >= 64 ? 0 : kAll << n)) rules_[a].push_back({RuleId{r}, items});
        }
    }
}

CheckResult check_list(const KnowledgeBase& kb, std::span<const AgentId> agents,
                       const RuleIndex* index) {
    return ListChecker(kb, agents, index).run();
}

std::string path_text(const KnowledgeBase& kb, const Contribution& c) {
    std::string out = kb.agent(c.agent).name;
    for (const ClassId k : c.via)
        out += " -> [" + kb.klass(k).name + "]";
    if (c.effect != nullptr) {
        const Effect& e = *c.effect;
        out += " -> " + e.mechanism + " -> " + kb.system(e.system).name + " (";
        switch (e.action) {
            case Action::increases:
            case Action::decreases: {
                const std::string sign = e.action == Action::increases ? "+" : "-";
                out += sign + number_text(e.weight);
                if (std::abs(c.exposure_scale - 1.0) > kEpsilon) {
                    out += " x" + number_text(c.exposure_scale) + " exposure = " + sign +
                           number_text(e.weight * c.exposure_scale);
                }
                break;
            }
            case Action::inhibits:
            case Action::induces:
                out += std::string(to_string(e.action)) + ", " + std::string(to_string(e.strength));
                break;
            case Action::substrate:
                out += "substrate, " + std::string(to_string(e.sensitivity)) +
                       (e.prodrug ? ", prodrug" : "");
                break;
        }
        out += ")";
    }
    return out;
}

FindingText describe(const KnowledgeBase& kb, const Finding& finding) {
    const Rule& rule = kb.rule(finding.rule);
    FindingText text{rule.title, rule.explanation, rule.advice, {}};
    std::vector<AgentId> perpetrators, victims, raising, lowering;
    for (const Contribution& c : finding.contributions) {
        if (c.role == Role::perpetrator) perpetrators.push_back(c.agent);
        if (c.role == Role::victim) victims.push_back(c.agent);
        if (c.role == Role::raising) raising.push_back(c.agent);
        if (c.role == Role::lowering) lowering.push_back(c.agent);
        if (!text.mechanism.empty()) text.mechanism += "\n";
        text.mechanism += path_text(kb, c) + " -> " + rule.id;
    }
    // Each value is made only when a text holds its placeholder.
    const auto fill = [&](std::string_view key, auto&& value) {
        std::string made;
        bool have = false;
        for (std::string* s : {&text.title, &text.explanation, &text.advice}) {
            if (s->find(key) == std::string::npos) continue;
            if (!have) {
                made = value();
                have = true;
            }
            replace_all(*s, key, made);
        }
    };
    fill("{agents}", [&] { return names_of(kb, finding.agents); });
    fill("{system}",
         [&] { return finding.system ? kb.system(*finding.system).name : std::string(); });
    fill("{class}", [&] { return finding.klass ? kb.klass(*finding.klass).name : std::string(); });
    fill("{perpetrator}", [&] { return names_of(kb, perpetrators); });
    fill("{victim}", [&] { return names_of(kb, victims); });
    fill("{raising}", [&] { return names_of(kb, raising); });
    fill("{lowering}", [&] { return names_of(kb, lowering); });
    return text;
}

}  // namespace combocheck
