// A check's rules (see list_checker.hpp): pharmacokinetic rules first, whose exposure scales the
// others read; then what the agents bring to each burden, combination, opposition and duplication
// rule, tallied agent by agent; then each rule the tallies leave possible, evaluated by kind.
#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <variant>

#include "list_checker.hpp"

namespace combocheck {

using namespace detail;

void ListChecker::pharmacokinetics() {
    // Without a perpetrator, no rule is evaluated.
    if (!perpetrators_) return;
    s_.pharmacokinetic.clear();
    for (std::uint32_t i = 0; i < count(); ++i) {
        for (const Probe& probe : pharmacokinetic_probes(i)) {
            s_.pharmacokinetic.push_back({i, &probe});
            if (probe.perpetrators != 0) due(index_of(probe.rule));
        }
    }
    evaluate_due(
        [&](RuleId rule) { pharmacokinetic(rule, rule_detail<PharmacokineticRule>(rule)); });
}

void ListChecker::the_other_rules() {
    const Tables& t = *t_;
    // Burdens are summed by slot; a new slot starts at epoch 0 (see tally), so that its first
    // use empties it.
    s_.burdens.resize(t.burden_rules.size());
    BurdenSum* const burdens = s_.burdens.data();
    const std::uint32_t epoch = s_.epoch;
    // Read through locals: the compiler cannot tell that the writes below leave the tables
    // and the scratch's vectors where they are.
    const Probe* const probes = t.probes.data();
    const double* const weights = t.read_weights.data();
    OnList* const on_list = s_.on_list.data();
    std::uint64_t* const due = s_.due.data();
    const auto mark = [due](std::uint32_t r) { due[r / 64] |= std::uint64_t{1} << (r % 64); };
    const std::uint64_t list_signature = s_.list_signature;
    const std::uint32_t n = count();
    for (std::uint32_t i = 0; i < n; ++i) {
        // The agent's exposure, from the pharmacokinetic rules (computed here rather than
        // in a loop of its own: the agents are taken in order).
        OnList& a = on_list[i];
        a.scale = a.raise * a.lower;
        if (std::abs(a.scale - 1.0) > kEpsilon) result_.exposure.push_back({agent(i), a.scale});
        const double scale = a.scale;
        const std::uint64_t bit = bit_of(i);
        const ProbeRow& row = *a.row;
        const Probe* const others = probes + row.others;
        for (const Probe* probe = probes + row.burden; probe != others; ++probe) {
            BurdenSum& sum = burdens[probe->slot];
            if (sum.epoch != epoch) sum = {epoch};
            for (std::uint32_t k = 0; k < probe->count; ++k) {
                sum.total_weight += weights[probe->first + k] * scale;
            }
            sum.contributors += probe->count;
            sum.agents |= bit;
            if (sum.contributors >= probe->min_agents) mark(index_of(probe->rule));
        }
        const Probe* const passive = probes + row.passive;
        for (const Probe* probe = others; probe != passive; ++probe) {
            const std::uint32_t r = index_of(probe->rule);
            switch (probe->kind) {
                case RuleKind::opposition:
                    // An agent of the list can take the rule's key side (see Tables).
                    mark(r);
                    break;
                case RuleKind::duplication: {
                    Tally& classes = tally(r);
                    classes.twice |= classes.once & probe->items;
                    classes.once |= probe->items;
                    classes.agents |= bit;
                    if (classes.twice != 0) mark(r);
                    break;
                }
                case RuleKind::combination:
                    // Most rules reached through their key item have another item no agent
                    // of the list can match: ruled out here, in a few instructions.
                    if (!indexed_ || ((probe->items & list_signature) != 0 &&
                                      every_item_matchable(probe->rule))) {
                        mark(r);
                    }
                    break;
                case RuleKind::burden:
                case RuleKind::pharmacokinetic:
                    break;
            }
        }
    }
    evaluate_due([&](RuleId rule) {
        const Tally& tally = s_.tallies[index_of(rule)];
        switch (kb_.rule(rule).kind) {
            case RuleKind::burden:
                burden(rule, rule_detail<BurdenRule>(rule),
                       s_.burdens[t.burden_slots[index_of(rule)]]);
                break;
            case RuleKind::combination:
                combination(rule, rule_detail<CombinationRule>(rule));
                break;
            case RuleKind::opposition:
                opposition(rule, rule_detail<OppositionRule>(rule));
                break;
            case RuleKind::duplication:
                duplication(rule, rule_detail<DuplicationRule>(rule), tally);
                break;
            case RuleKind::pharmacokinetic:
                break;
        }
    });
}

const std::vector<ClassId>& ListChecker::via_classes(std::size_t i, ClassId klass) const {
    if (!indexed_) return s_.path = class_path(kb_, agent(i), klass);
    const auto& paths = t_->class_paths[index_of(agent(i))];
    const auto it =
        std::lower_bound(paths.begin(), paths.end(), klass,
                         [](const Tables::ClassPath& p, ClassId c) { return p.klass < c; });
    return it->via;
}

void ListChecker::recycle_each_contribution(Finding& f) {
    for (Contribution& c : f.contributions)
        s_.spare_contributions.push_back(std::move(c));
    f.contributions.clear();
}

Finding& ListChecker::open_finding(RuleId rule, Severity severity) {
    auto& findings = result_.findings;
    Finding* opened = nullptr;
    if (opened_ < findings.size()) {
        opened = &findings[opened_];
        recycle_contributions(*opened);
        opened->agents.clear();
    } else {
        // A list with findings usually has a few: one allocation rather than several.
        if (findings.capacity() == 0) findings.reserve(8);
        if (s_.spare_findings.empty()) {
            opened = &findings.emplace_back();
        } else {
            opened = &findings.emplace_back(std::move(s_.spare_findings.back()));
            s_.spare_findings.pop_back();
        }
    }
    ++opened_;
    Finding& f = *opened;
    f.rule = rule;
    f.severity = severity;
    f.system.reset();
    f.klass.reset();
    f.total_weight = 0;
    return f;
}

Contribution& ListChecker::add_contribution(Finding& f, AgentId agent, Role role,
                                            const Effect* effect, const std::vector<ClassId>& via,
                                            double weight, double exposure_scale) {
    Contribution& c = f.contributions.emplace_back();
    take_spare(s_.spare_contributions, c);
    c.agent = agent;
    c.role = role;
    c.effect = effect;
    c.via.assign(via.begin(), via.end());
    c.weight = weight;
    c.exposure_scale = exposure_scale;
    return c;
}

void ListChecker::pharmacokinetic(RuleId rule, const PharmacokineticRule& pk) {
    s_.perpetrators.clear();
    s_.substrates.clear();
    // The perpetrators first: only substrates on their systems (bit s % 64 for system s) can
    // meet one, and most substrates of a list are on no perpetrator's system.
    std::uint64_t systems = 0;
    // The list's pharmacokinetic probes, in the order of the agents (see pharmacokinetics).
    const AgentProbe* const first = s_.pharmacokinetic.data();
    const AgentProbe* const last = first + s_.pharmacokinetic.size();
    for (const AgentProbe* it = first; it != last; ++it) {
        const Probe& probe = *it->probe;
        if (probe.rule != rule) continue;
        for (std::uint32_t k = 0; k < probe.perpetrators; ++k) {
            const AgentEffect& e = read(probe.first, k);
            s_.perpetrators.push_back({it->agent, e.effect->system, &e});
            systems |= std::uint64_t{1} << (index_of(e.effect->system) % 64);
        }
    }
    for (const AgentProbe* it = first; it != last; ++it) {
        const Probe& probe = *it->probe;
        if (probe.rule != rule) continue;
        for (std::uint32_t k = probe.perpetrators; k < probe.count; ++k) {
            const AgentEffect& e = read(probe.first, k);
            const SystemId system = e.effect->system;
            if ((systems >> (index_of(system) % 64) & 1) != 0) {
                s_.substrates.push_back({it->agent, system, &e});
            }
        }
    }
    for (const auto& [p, system, perpetrator] : s_.perpetrators) {
        const AgentEffect& pe = *perpetrator;
        for (const auto& [v, victim_system, ve] : s_.substrates) {
            if (v == p || victim_system != system) continue;
            const Effect& victim = *ve->effect;
            const std::size_t s = idx(pe.effect->strength);
            const std::size_t t = idx(victim.sensitivity);
            const double scale = pk.exposure_scale[s][t];
            if (pk.mode == PkMode::inhibition) {
                s_.on_list[v].raise = std::max(s_.on_list[v].raise, scale);
            } else {
                s_.on_list[v].lower = std::min(s_.on_list[v].lower, scale);
            }
            Severity severity = pk.severity[s][t];
            if (severity == Severity::none) continue;
            if (kb_.agent(agent(v)).narrow_therapeutic_index) {
                const int raised =
                    std::min(static_cast<int>(severity) + pk.narrow_therapeutic_index_raise,
                             static_cast<int>(Severity::major));
                severity = std::max(severity, static_cast<Severity>(raised));
            }
            Finding& f = open_finding(rule, severity);
            f.system = victim.system;
            // Pushed rather than assigned from a list: open_finding emptied them.
            f.agents.push_back(std::min(agent(p), agent(v)));
            f.agents.push_back(std::max(agent(p), agent(v)));
            if (!contributions_) continue;
            f.contributions.reserve(2);
            add_contribution(f, agent(p), Role::perpetrator, pe.effect, pe.via, 0, 1);
            add_contribution(f, agent(v), Role::victim, &victim, ve->via, 0, 1);
        }
    }
}

void ListChecker::burden(RuleId rule, const BurdenRule& b, const BurdenSum& tally) {
    // Most lists reach no tier, and then no finding is built.
    if (tally.contributors < static_cast<std::uint32_t>(b.min_agents)) return;
    Severity severity = Severity::none;
    for (const Tier& tier : b.tiers) {
        if (tally.total_weight + kEpsilon >= tier.min_weight) severity = tier.severity;
    }
    if (severity == Severity::none) return;
    Finding& f = open_finding(rule, severity);
    f.system = b.system;
    f.total_weight = tally.total_weight;
    f.agents.reserve(tally.contributors);
    // The contributions, heaviest first (ties in the order of the agents): placed in order
    // rather than sorted, so that no contribution is moved.
    s_.weighed.clear();
    // Without contributions, the tally names the agents with a probe exactly (in a list of
    // at most 64 agents): their probes need not be sought.
    const bool seek = contributions_ || count() > 64;
    for_each_agent(tally.agents, [&](std::uint32_t i) {
        const Probe* probe = seek ? burden_probe(i, rule) : nullptr;
        if (seek && probe == nullptr) return;
        for (std::uint32_t k = 0; contributions_ && k < probe->count; ++k) {
            const AgentEffect& e = read(probe->first, k);
            s_.weighed.push_back({e.effect->weight * s_.on_list[i].scale, i, &e});
        }
        f.agents.push_back(agent(i));  // ascending, each once
    });
    if (!contributions_) return;
    // A stable insertion sort: std::stable_sort would allocate a buffer for these few.
    const auto heavier = [](const Weighed& a, const Weighed& c) { return a.weight > c.weight; };
    if (s_.weighed.size() > 32) {
        std::stable_sort(s_.weighed.begin(), s_.weighed.end(), heavier);
    }
    for (std::size_t k = 1; k < s_.weighed.size(); ++k) {
        const Weighed moving = s_.weighed[k];
        std::size_t j = k;
        for (; j > 0 && heavier(moving, s_.weighed[j - 1]); --j)
            s_.weighed[j] = s_.weighed[j - 1];
        s_.weighed[j] = moving;
    }
    f.contributions.reserve(s_.weighed.size());
    for (const auto& [weight, i, e] : s_.weighed) {
        add_contribution(f, agent(i), Role::contributor, e->effect, e->via, weight,
                         s_.on_list[i].scale);
    }
}

void ListChecker::explain_match(Finding& f, const MatchItem& item, std::size_t i) {
    static const std::vector<ClassId> kNoClasses;
    const double scale = s_.on_list[i].scale;
    std::visit(
        [&](const auto& what) {
            using T = std::decay_t<decltype(what)>;
            if constexpr (std::is_same_v<T, AgentId>) {
                add_contribution(f, agent(i), Role::matched, nullptr, kNoClasses, 0, scale);
            } else if constexpr (std::is_same_v<T, ClassId>) {
                add_contribution(f, agent(i), Role::matched, nullptr, via_classes(i, what), 0,
                                 scale);
            } else if constexpr (std::is_same_v<T, EffectPattern>) {
                for (const AgentEffect& e : kb_.effects_of(agent(i))) {
                    if (!effect_matches(*e.effect, what, scale)) continue;
                    add_contribution(f, agent(i), Role::matched, e.effect, e.via,
                                     e.effect->weight * scale, scale);
                    return;
                }
                add_contribution(f, agent(i), Role::matched, nullptr, kNoClasses, 0, scale);
            } else {
                // The first alternative that matches explains the match.
                for (const MatchItem& alternative : what) {
                    if (matches(alternative, i)) return explain_match(f, alternative, i);
                }
                add_contribution(f, agent(i), Role::matched, nullptr, kNoClasses, 0, scale);
            }
        },
        item.what);
}

std::uint32_t ListChecker::combination_parts(RuleId rule, std::size_t items) {
    s_.parts.clear();
    if (!indexed_) {
        for (std::uint32_t i = 0; i < count(); ++i)
            s_.parts.push_back({i, i + 1 < count() ? i + 1 : kNone});
        return s_.parts.empty() ? kNone : 0;
    }
    const std::size_t n = std::min<std::size_t>(items, 64);
    const std::uint64_t none = items >= 64 ? 0 : kAll << items;
    const std::uint64_t* const item_agents =
        t_->item_agents.data() + t_->items[index_of(rule)].first_word;
    const std::size_t words = t_->words;
    for (std::uint32_t i = 0; i < count(); ++i) {
        // Bit k: the agent can match item k (see Tables::can_match).
        const std::uint32_t a = index_of(agent(i));
        std::uint64_t bits = none;
        for (std::size_t k = 0; k < n; ++k)
            bits |= (item_agents[k * words + a / 64] >> (a % 64) & 1) << k;
        if (bits == none) continue;
        if (!s_.parts.empty()) {
            s_.parts.back().next = static_cast<std::uint32_t>(s_.parts.size());
        }
        s_.parts.push_back({i, kNone, bits});
    }
    return 0;
}

bool ListChecker::every_item_matchable(RuleId rule) const {
    const Tables::Items& items = t_->items[index_of(rule)];
    for (std::uint32_t k = 0; k < items.count; ++k) {
        if (k == items.key) continue;
        if ((t_->signatures[items.first + k] & s_.list_signature) == 0) return false;
        const std::uint64_t* agents = &t_->item_agents[items.first_word + k * t_->words];
        const auto matchable = [&](const std::pair<std::uint32_t, std::uint64_t>& word) {
            return (agents[word.first] & word.second) != 0;
        };
        if (std::none_of(s_.list_words.begin(), s_.list_words.end(), matchable)) return false;
    }
    return true;
}

bool ListChecker::assign(std::uint32_t first, const std::vector<MatchItem>& items,
                         std::uint64_t exact, std::size_t k) {
    if (k == items.size()) return true;
    const bool by_bit = k < 64 && (exact >> k & 1) != 0;
    for (std::uint32_t p = first; p != kNone; p = s_.parts[p].next) {
        Part& part = s_.parts[p];
        if (part.used) continue;
        if (by_bit ? (part.items >> k & 1) == 0 : !matches(items[k], part.agent)) continue;
        part.used = true;
        s_.chosen.push_back(p);
        if (assign(first, items, exact, k + 1)) return true;
        s_.chosen.pop_back();
        part.used = false;
    }
    return false;
}

void ListChecker::combination(RuleId rule, const CombinationRule& c) {
    // Most rules are pairs: matched from the index's bits, without parts.
    if (indexed_ && c.match.size() == 2 && count() <= 64) return pair_combination(rule, c);
    const std::uint32_t first = combination_parts(rule, c.match.size());
    if (first == kNone) return;
    // Match first, explain after: only the assignment found is turned into contributions.
    s_.chosen.clear();
    if (!assign(first, c.match, exact(rule), 0)) return;
    s_.combinations.push_back(static_cast<std::uint32_t>(opened_));
    Finding& f = open_finding(rule, c.severity);
    f.agents.reserve(s_.chosen.size());
    f.contributions.reserve(s_.chosen.size());
    for (std::size_t k = 0; k < s_.chosen.size(); ++k) {
        const std::uint32_t i = s_.parts[s_.chosen[k]].agent;
        f.agents.push_back(agent(i));
        if (contributions_) explain_match(f, c.match[k], i);
    }
    sort_agents(f);
}

std::uint64_t ListChecker::on_list(const std::uint64_t* agents) const {
    std::uint64_t bits = 0;
    for (const auto& [word, list] : s_.list_words) {
        for (std::uint64_t in = agents[word] & list; in != 0; in &= in - 1) {
            const std::uint32_t a = word * 64 + static_cast<std::uint32_t>(std::countr_zero(in));
            bits |= std::uint64_t{1} << s_.position[a];
        }
    }
    return bits;
}

std::uint64_t ListChecker::matching(RuleId rule, const MatchItem& item, std::size_t k) const {
    const std::uint64_t* const agents =
        t_->item_agents.data() + t_->items[index_of(rule)].first_word + k * t_->words;
    const std::uint64_t can = on_list(agents);
    if ((exact(rule) >> k & 1) != 0) return can;
    std::uint64_t does = 0;
    for (std::uint64_t bits = can; bits != 0; bits &= bits - 1) {
        const auto i = static_cast<std::uint32_t>(std::countr_zero(bits));
        if (matches(item, i)) does |= std::uint64_t{1} << i;
    }
    return does;
}

void ListChecker::pair_combination(RuleId rule, const CombinationRule& c) {
    std::uint64_t first = matching(rule, c.match[0], 0);
    if (first == 0) return;
    const std::uint64_t second = matching(rule, c.match[1], 1);
    for (; first != 0; first &= first - 1) {
        const std::uint64_t taken = first & (~first + 1);
        const std::uint64_t left = second & ~taken;
        if (left == 0) continue;
        const auto i = static_cast<std::uint32_t>(std::countr_zero(taken));
        const auto j = static_cast<std::uint32_t>(std::countr_zero(left));
        s_.combinations.push_back(static_cast<std::uint32_t>(opened_));
        Finding& f = open_finding(rule, c.severity);
        f.agents.push_back(agent(std::min(i, j)));
        f.agents.push_back(agent(std::max(i, j)));
        if (contributions_) {
            f.contributions.reserve(2);
            explain_match(f, c.match[0], i);
            explain_match(f, c.match[1], j);
        }
        return;
    }
}

std::optional<Role> ListChecker::opposition_side(const OppositionRule& o, std::uint64_t exact,
                                                 std::size_t i, const Effect& x) const {
    const bool up = x.action == Action::increases;
    if (x.weight * s_.on_list[i].scale + kEpsilon < o.min_weight) return std::nullopt;
    const auto& side = up ? o.raising : o.lowering;
    const bool checked = (exact >> (up ? 0 : 1) & 1) != 0;
    if (side && !checked && !matches(*side, i)) return std::nullopt;
    return up ? Role::raising : Role::lowering;
}

void ListChecker::opposition(RuleId rule, const OppositionRule& o) {
    const std::uint64_t exact = this->exact(rule);
    // The sides first: most lists have no opposing pair, and then no finding is built.
    s_.sides.clear();
    std::uint32_t raising = kNone;
    std::uint32_t lowering = kNone;
    bool more = false;  // a second agent on a side
    // The agents with a probe of the rule, when the index says which.
    const std::uint64_t candidates =
        indexed_ && count() <= 64 ? on_list(&t_->opposition_agents[index_of(rule) * t_->words])
                                  : kAll;
    for_each_agent(candidates, [&](std::uint32_t i) {
        const Probe* probe = opposition_probe(i, rule);
        if (probe == nullptr) return;
        for (std::uint32_t k = 0; k < probe->count; ++k) {
            const AgentEffect& e = read(probe->first, k);
            const auto role = opposition_side(o, exact, i, *e.effect);
            if (!role) continue;
            s_.sides.push_back({i, &e, *role});
            std::uint32_t& first = *role == Role::raising ? raising : lowering;
            if (first == kNone) first = i;
            more = more || first != i;
        }
    });
    if (raising == kNone || lowering == kNone || (!more && raising == lowering)) return;
    Finding& f = open_finding(rule, o.severity);
    f.system = o.system;
    f.agents.reserve(s_.sides.size());
    f.contributions.reserve(s_.sides.size());
    for (const auto& [i, e, role] : s_.sides) {
        const double scale = s_.on_list[i].scale;
        if (contributions_) {
            add_contribution(f, agent(i), role, e->effect, e->via, e->effect->weight * scale,
                             scale);
        }
        // The sides are in the order of the agents: each once, ascending.
        if (f.agents.empty() || f.agents.back() != agent(i)) f.agents.push_back(agent(i));
    }
}

void ListChecker::duplication(RuleId rule, const DuplicationRule& d, const Tally& tally) {
    const std::size_t n = d.classes.size();
    // The classes two agents may share, ascending: the bits of `twice`, and past 63 every
    // class.
    for (std::uint64_t bits = n >= 64 ? tally.twice : tally.twice & ~(kAll << n); bits != 0;
         bits &= bits - 1) {
        duplicated_class(rule, d, tally, static_cast<std::size_t>(std::countr_zero(bits)));
    }
    for (std::size_t k = 64; k < n; ++k)
        duplicated_class(rule, d, tally, k);
}

void ListChecker::duplicated_class(RuleId rule, const DuplicationRule& d, const Tally& tally,
                                   std::size_t k) {
    const ClassId c = d.classes[k];
    const bool by_bit = k < 64 && (exact(rule) >> k & 1) != 0;
    s_.members.clear();
    for_each_agent(tally.agents, [&](std::uint32_t i) {
        const Probe* probe = probe_of(i, rule);
        if (probe == nullptr) return;
        if (by_bit ? (probe->items >> k & 1) != 0 : kb_.is_member(agent(i), c)) {
            s_.members.push_back(i);
        }
    });
    if (s_.members.size() < 2) return;
    Finding& f = open_finding(rule, d.severity);
    f.klass = c;
    f.agents.reserve(s_.members.size());
    f.contributions.reserve(s_.members.size());
    for (const std::uint32_t i : s_.members) {
        f.agents.push_back(agent(i));
        if (contributions_) {
            add_contribution(f, agent(i), Role::member, nullptr, via_classes(i, c), 0, 1);
        }
    }
}

}  // namespace combocheck
