// Checks a list: sets the check up (its agents, their rows in the tables), has the rules
// evaluated (detail/rule_evaluation.cpp), then drops covered findings and orders the rest.
#include "checker.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <utility>

#include "detail/list_checker.hpp"

namespace combocheck {

using namespace detail;

std::string_view to_string(Role role) {
    static constexpr std::array<std::string_view, 7> kNames{
        "contributor", "perpetrator", "victim", "matched", "raising", "lowering", "member"};
    return kNames[static_cast<std::size_t>(role)];
}

ListChecker::ListChecker(const KnowledgeBase& kb, std::span<const AgentId> input,
                         const RuleIndex* index, Scratch& scratch, CheckResult& result,
                         bool with_contributions)
    : kb_(kb),
      indexed_(index != nullptr),
      contributions_(with_contributions),
      s_(scratch),
      result_(result) {
    // The result's findings stay where they are: each new finding takes the place (and the
    // buffers) of an old one, and those left over go to the scratch (see keep_new_findings).
    result_.exposure.clear();
    result_.max_severity = Severity::none;
    list_agents(input);
    t_ = indexed_ ? index->tables_.get() : &tables_of_list();
    const std::size_t rules = kb_.rules().size();
    s_.tallies.resize(rules);
    if (++s_.epoch == 0) {
        for (Tally& tally : s_.tallies)
            tally.epoch = 0;
        for (BurdenSum& sum : s_.burdens)
            sum.epoch = 0;
        s_.epoch = 1;
    }
    // Evaluating the rules due clears their bits: only a check that threw leaves some set.
    if (!s_.due_clear || s_.due.size() != (rules + 63) / 64) s_.due.assign((rules + 63) / 64, 0);
    s_.due_clear = false;
    // Grown only: every field a check reads is set below, and shrinking would have the next
    // longer list value-initialise its elements again.
    if (s_.on_list.size() < count()) s_.on_list.resize(count());
    for (std::uint32_t i = 0; i < count(); ++i) {
        OnList& a = s_.on_list[i];
        a.row = &t_->rows[indexed_ ? index_of(agent(i)) : i];
        a.raise = a.lower = 1;
        perpetrators_ = perpetrators_ || a.row->perpetrator;
    }
}

ListChecker::Tables& ListChecker::tables_of_list() {
    thread_local Tables t;
    t.rows.clear();
    t.probes.clear();
    t.reads.clear();
    t.exact.assign(kb_.rules().size(), 0);
    t.number_burden_rules(kb_);
    for (const AgentId a : result_.agents)
        t.add_row(kb_, a, false);
    t.close_rows();
    return t;
}

void ListChecker::list_agents(std::span<const AgentId> input) {
    auto& agents = result_.agents;
    const std::size_t words = (kb_.agents().size() + 63) / 64;
    s_.list_words.clear();
    s_.list_signature = 0;
    if (s_.position.size() < kb_.agents().size()) s_.position.resize(kb_.agents().size());
    if (words <= 64) {
        if (s_.agent_bits.size() < words) s_.agent_bits.resize(words);
        std::uint64_t* const bits = s_.agent_bits.data();
        std::uint64_t used = 0;  // bit w: word w has an agent
        for (const AgentId a : input) {
            bits[index_of(a) / 64] |= std::uint64_t{1} << (index_of(a) % 64);
            used |= std::uint64_t{1} << (index_of(a) / 64);
        }
        // Gathered in the scratch, then copied: resizing the result's agents to the input's
        // size and back would value-initialise the ones past the list's at every check.
        if (s_.sorted.size() < input.size()) s_.sorted.resize(input.size());
        AgentId* const sorted = s_.sorted.data();
        std::uint8_t* const position = s_.position.data();
        std::uint64_t list_signature = 0;
        std::size_t n = 0;
        for (; used != 0; used &= used - 1) {
            const auto w = static_cast<std::uint32_t>(std::countr_zero(used));
            const std::uint64_t word = std::exchange(bits[w], 0);
            s_.list_words.push_back({w, word});
            for (std::uint64_t left = word; left != 0; left &= left - 1) {
                const AgentId a{w * 64 + static_cast<std::uint32_t>(std::countr_zero(left))};
                position[index_of(a)] = static_cast<std::uint8_t>(n);
                list_signature |= signature(a);
                sorted[n++] = a;
            }
        }
        s_.list_signature = list_signature;
        agents.assign(sorted, sorted + n);
        return;
    }
    agents.assign(input.begin(), input.end());
    std::sort(agents.begin(), agents.end());
    agents.erase(std::unique(agents.begin(), agents.end()), agents.end());
    for (std::uint32_t i = 0; i < count(); ++i) {
        const AgentId a = agent(i);
        s_.position[index_of(a)] = static_cast<std::uint8_t>(i);
        s_.list_signature |= signature(a);
        const std::uint32_t w = index_of(a) / 64;
        const std::uint64_t bit = std::uint64_t{1} << (index_of(a) % 64);
        if (s_.list_words.empty() || s_.list_words.back().first != w) {
            s_.list_words.push_back({w, bit});
        } else {
            s_.list_words.back().second |= bit;
        }
    }
}

void ListChecker::recycle(Finding& f) {
    recycle_contributions(f);
    f.agents.clear();
    s_.spare_findings.push_back(std::move(f));
}

void ListChecker::keep_new_findings() {
    auto& findings = result_.findings;
    for (std::size_t i = opened_; i < findings.size(); ++i)
        recycle(findings[i]);
    findings.erase(findings.begin() + static_cast<std::ptrdiff_t>(opened_), findings.end());
}

void ListChecker::drop_covered_findings() {
    auto& findings = result_.findings;
    // A finding is not covered by itself.
    if (s_.combinations.empty() || findings.size() < 2) return;
    // The risks of the curated findings, looked up once.
    s_.curated.clear();
    for (const std::uint32_t j : s_.combinations)
        s_.curated.push_back({j, kb_.rule(findings[j].rule).risk});
    const auto covered = [&](std::uint32_t i) {
        const Finding& f = findings[i];
        const Rule& rule = kb_.rule(f.rule);
        for (const auto& [j, risk] : s_.curated) {
            const Finding& g = findings[j];
            if (j == i || risk != rule.risk) continue;
            const bool stronger = rule.kind == RuleKind::combination ? g.severity > f.severity
                                                                     : g.severity >= f.severity;
            if (stronger &&
                std::includes(g.agents.begin(), g.agents.end(), f.agents.begin(), f.agents.end())) {
                return true;
            }
        }
        return false;
    };
    // Decide for every finding before moving any: `covered` reads the others.
    s_.drop.resize(findings.size());
    bool any = false;
    for (std::uint32_t i = 0; i < findings.size(); ++i) {
        s_.drop[i] = covered(i);
        any = any || s_.drop[i];
    }
    if (!any) return;
    // Swapped rather than moved over, so that the dropped findings end up at the back with
    // their buffers, for the scratch.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        if (s_.drop[i]) continue;
        if (kept != i) swap(findings[kept], findings[i]);
        ++kept;
    }
    for (std::size_t i = kept; i < findings.size(); ++i)
        recycle(findings[i]);
    findings.erase(findings.begin() + static_cast<std::ptrdiff_t>(kept), findings.end());
}

void ListChecker::order() {
    auto& findings = result_.findings;
    if (findings.size() < 2) {
        if (!findings.empty()) result_.max_severity = findings.front().severity;
        return;
    }
    // Sorts the places of the findings, then moves each finding once: moving a finding moves
    // its vectors. Severity and rule are in one number, so that most comparisons compare two
    // numbers.
    auto& places = s_.places;
    places.resize(findings.size());
    for (std::uint32_t j = 0; j < findings.size(); ++j) {
        const auto severity = static_cast<std::uint64_t>(Severity::contraindicated) -
                              static_cast<std::uint64_t>(findings[j].severity);
        places[j] = {severity << 32 | rank(findings[j].rule), j};
    }
    const auto before = [&](const Place& x, const Place& y) {
        if (x.key != y.key) return x.key < y.key;
        const Finding& a = findings[x.finding];
        const Finding& b = findings[y.finding];
        if (a.agents != b.agents) return a.agents < b.agents;
        return a.system < b.system;
    };
    // std::sort takes the same steps whatever it sorts (the comparison decides each), so the
    // order, of ties too, is the one sorting the findings themselves gives. Up to 16
    // elements, std::sort is an insertion sort, which keeps ties in order: the same one
    // written here costs less than the call.
    if (places.size() > 16) {
        std::sort(places.begin(), places.end(), before);
    } else {
        for (std::size_t j = 1; j < places.size(); ++j) {
            const Place moving = places[j];
            std::size_t to = j;
            for (; to > 0 && before(moving, places[to - 1]); --to)
                places[to] = places[to - 1];
            places[to] = moving;
        }
    }
    // Place j takes the finding places[j] names; each cycle of the permutation carries its
    // first finding along by swaps until it reaches its own place.
    for (std::uint32_t j = 0; j < places.size(); ++j) {
        std::uint32_t to = j;
        while (places[to].finding != j) {
            const std::uint32_t from = places[to].finding;
            swap(findings[to], findings[from]);
            places[to].finding = to;
            to = from;
        }
        places[to].finding = to;
    }
    result_.max_severity = findings.front().severity;
}

std::uint32_t ListChecker::rank(RuleId rule) const {
    if (indexed_) return t_->ranks[index_of(rule)];
    const auto& rules = kb_.rules();
    const std::string& id = kb_.rule(rule).id;
    return static_cast<std::uint32_t>(std::count_if(
        rules.begin(), rules.end(), [&](const Rule& other) { return other.id < id; }));
}

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

namespace {
Scratch& scratch() {
    thread_local Scratch s;
    return s;
}
}  // namespace

CheckResult check_list(const KnowledgeBase& kb, std::span<const AgentId> agents,
                       const RuleIndex* index) {
    CheckResult result;
    ListChecker(kb, agents, index, scratch(), result, true).run();
    return result;
}

void check_list(const KnowledgeBase& kb, std::span<const AgentId> agents, const RuleIndex* index,
                CheckResult& result, bool with_contributions) {
    ListChecker(kb, agents, index, scratch(), result, with_contributions).run();
}

}  // namespace combocheck
