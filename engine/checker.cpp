// Evaluates rules over a list: pharmacokinetics first (exposure scales), then burden,
// combination, opposition and duplication; then orders the findings.
#include "checker.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <tuple>
#include <utility>

#include "detail/rule_tables.hpp"

namespace combocheck {

using namespace detail;

std::string_view to_string(Role role) {
    static constexpr std::array<std::string_view, 7> kNames{
        "contributor", "perpetrator", "victim", "matched", "raising", "lowering", "member"};
    return kNames[static_cast<std::size_t>(role)];
}

namespace {

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
    // The list's agents with a probe of the rule (pharmacokinetic, duplication): bit i % 64 for
    // agent i, so that an evaluation seeks the probes of these agents only.
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
    // Its probes in the tables (see ProbeRow), each range up to the next. The cursors follow the
    // rules evaluated, which are taken in ascending order.
    const Probe* pharmacokinetic = nullptr;
    const Probe* burden = nullptr;
    const Probe* others = nullptr;
    const Probe* passive = nullptr;
    const Probe* end = nullptr;
    const Probe* pharmacokinetic_cursor = nullptr;
    const Probe* burden_cursor = nullptr;
    const Probe* cursor = nullptr;
    const Probe* passive_cursor = nullptr;
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
    std::vector<PkEffect> perpetrators, substrates;
    std::vector<std::uint32_t> chosen, members;
    std::vector<Place> places;
    std::vector<std::uint32_t> combinations;  // the findings of combination rules
    std::vector<std::pair<std::uint32_t, RiskId>> curated;
    std::vector<Weighed> weighed;
    std::vector<std::tuple<std::uint32_t, const AgentEffect*, Role>> sides;
    std::vector<std::pair<std::uint32_t, std::uint64_t>> list_words;  // the list's agent bits
    std::vector<std::uint64_t> agent_bits;  // see list_agents: empty between checks
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

}  // namespace

// Checks one list (see check_list). A friend of RuleIndex: reads its tables.
class ListChecker {
  public:
    // Checks into `result`, whose findings are given to the scratch for their buffers.
    ListChecker(const KnowledgeBase& kb, std::span<const AgentId> input, const RuleIndex* index,
                Scratch& scratch, CheckResult& result, bool with_contributions)
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
        if (!s_.due_clear || s_.due.size() != (rules + 63) / 64)
            s_.due.assign((rules + 63) / 64, 0);
        s_.due_clear = false;
        // Grown only: every field a check reads is set below, and shrinking would have the next
        // longer list value-initialise its elements again.
        if (s_.on_list.size() < count()) s_.on_list.resize(count());
        for (std::uint32_t i = 0; i < count(); ++i) {
            const ProbeRow* const row = &t_->rows[indexed_ ? index_of(agent(i)) : i];
            const Probe* const probes = t_->probes.data();
            OnList& a = s_.on_list[i];
            a.pharmacokinetic = a.pharmacokinetic_cursor = probes + row->pharmacokinetic;
            a.burden = a.burden_cursor = probes + row->burden;
            a.others = a.cursor = probes + row->others;
            a.passive = a.passive_cursor = probes + row->passive;
            a.end = probes + row[1].pharmacokinetic;
            a.raise = a.lower = 1;
        }
    }

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

    // Without an index: tables for this list, a row for each agent, every rule with a probe.
    Tables& tables_of_list() {
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

    // The input's agents, distinct and ascending, into the result; and what the check keeps
    // of them: the words of an agent bit set that hold them (see every_item_matchable), their
    // signature, and each one's position. A knowledge base of up to 64 words' worth of agents
    // (this one has 10) sorts them through an agent bit set, which is emptied again.
    void list_agents(std::span<const AgentId> input) {
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
            agents.resize(input.size());
            std::size_t n = 0;
            for (; used != 0; used &= used - 1) {
                const auto w = static_cast<std::uint32_t>(std::countr_zero(used));
                const std::uint64_t word = std::exchange(bits[w], 0);
                s_.list_words.push_back({w, word});
                for (std::uint64_t left = word; left != 0; left &= left - 1) {
                    const AgentId a{w * 64 + static_cast<std::uint32_t>(std::countr_zero(left))};
                    s_.position[index_of(a)] = static_cast<std::uint8_t>(n);
                    s_.list_signature |= signature(a);
                    agents[n++] = a;
                }
            }
            agents.resize(n);
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

    std::uint32_t count() const { return static_cast<std::uint32_t>(result_.agents.size()); }
    // Calls `visit(i)`, ascending, for each agent i of the list whose bit i % 64 is set in
    // `agents` (see Tally::agents): exactly those agents when the list has at most 64.
    template <typename Visit>
    void for_each_agent(std::uint64_t agents, Visit&& visit) const {
        if (count() <= 64) {
            if (count() < 64) agents &= ~(kAll << count());
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
    // Agent i's pharmacokinetic probes, its burden ones, and its others; each by ascending rule.
    std::span<const Probe> pharmacokinetic_probes(std::uint32_t i) const {
        return {s_.on_list[i].pharmacokinetic, s_.on_list[i].burden};
    }
    std::span<const Probe> burden_probes(std::uint32_t i) const {
        return {s_.on_list[i].burden, s_.on_list[i].others};
    }
    std::span<const Probe> other_probes(std::uint32_t i) const {
        return {s_.on_list[i].others, s_.on_list[i].passive};
    }
    // Agent i's probe of the rule, if any, from the cursor on (which it moves to the rule: the
    // rules are evaluated in ascending order, so each probe is passed once).
    static const Probe* seek(const Probe*& cursor, const Probe* end, RuleId rule) {
        while (cursor != end && cursor->rule < rule)
            ++cursor;
        return cursor != end && cursor->rule == rule ? cursor : nullptr;
    }
    const Probe* pharmacokinetic_probe(std::uint32_t i, RuleId rule) {
        OnList& a = s_.on_list[i];
        return seek(a.pharmacokinetic_cursor, a.burden, rule);
    }
    const Probe* burden_probe(std::uint32_t i, RuleId rule) {
        OnList& a = s_.on_list[i];
        return seek(a.burden_cursor, a.others, rule);
    }
    const Probe* probe_of(std::uint32_t i, RuleId rule) {
        OnList& a = s_.on_list[i];
        return seek(a.cursor, a.passive, rule);
    }
    const Probe* opposition_probe(std::uint32_t i, RuleId rule) {
        OnList& a = s_.on_list[i];
        const Probe* probe = seek(a.cursor, a.passive, rule);
        return probe != nullptr ? probe : seek(a.passive_cursor, a.end, rule);
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
    void pharmacokinetics() {
        for (std::uint32_t i = 0; i < count(); ++i) {
            for (const Probe& probe : pharmacokinetic_probes(i)) {
                tally(index_of(probe.rule)).agents |= bit_of(i);
                if (probe.perpetrators != 0) due(index_of(probe.rule));
            }
        }
        evaluate_due(
            [&](RuleId rule) { pharmacokinetic(rule, rule_detail<PharmacokineticRule>(rule)); });
    }

    // The exposure scales; then the burden, combination, opposition and duplication rules of the
    // agents: tallied agent by agent, then evaluated rule by rule, ascending, when the tally says
    // a finding is possible.
    void the_other_rules() {
        const Tables& t = *t_;
        // Burdens are summed by slot; a new slot starts at epoch 0 (see tally), so that its first
        // use empties it.
        s_.burdens.resize(t.burden_rules.size());
        BurdenSum* const burdens = s_.burdens.data();
        const std::uint32_t epoch = s_.epoch;
        for (std::uint32_t i = 0; i < count(); ++i) {
            // The agent's exposure, from the pharmacokinetic rules (computed here rather than
            // in a loop of its own: the agents are taken in order).
            OnList& a = s_.on_list[i];
            a.scale = a.raise * a.lower;
            if (std::abs(a.scale - 1.0) > kEpsilon) result_.exposure.push_back({agent(i), a.scale});
            const double scale = a.scale;
            const std::uint64_t bit = bit_of(i);
            for (const Probe& probe : burden_probes(i)) {
                BurdenSum& sum = burdens[probe.slot];
                if (sum.epoch != epoch) sum = {epoch};
                for (std::uint32_t k = 0; k < probe.count; ++k) {
                    sum.total_weight += t.read_weights[probe.first + k] * scale;
                }
                sum.contributors += probe.count;
                sum.agents |= bit;
                if (sum.contributors >= probe.min_agents) due(index_of(probe.rule));
            }
            for (const Probe& probe : other_probes(i)) {
                const std::uint32_t r = index_of(probe.rule);
                switch (probe.kind) {
                    case RuleKind::opposition:
                        // An agent of the list can take the rule's key side (see Tables).
                        due(r);
                        break;
                    case RuleKind::duplication: {
                        Tally& classes = tally(r);
                        classes.twice |= classes.once & probe.items;
                        classes.once |= probe.items;
                        classes.agents |= bit;
                        if (classes.twice != 0) due(r);
                        break;
                    }
                    case RuleKind::combination:
                        // Most rules reached through their key item have another item no agent
                        // of the list can match: ruled out here, in a few instructions.
                        if (!indexed_ || every_item_matchable(probe.rule)) due(r);
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

    // The agent's class chain up to `klass`, of which it is a member: valid until the next
    // call.
    const std::vector<ClassId>& via_classes(std::size_t i, ClassId klass) const {
        if (!indexed_) return s_.path = class_path(kb_, agent(i), klass);
        const auto& paths = t_->class_paths[index_of(agent(i))];
        const auto it =
            std::lower_bound(paths.begin(), paths.end(), klass,
                             [](const Tables::ClassPath& p, ClassId c) { return p.klass < c; });
        return it->via;
    }

    // Gives the finding's contributions (their buffers) to the scratch.
    void recycle_contributions(Finding& f) {
        for (Contribution& c : f.contributions)
            s_.spare_contributions.push_back(std::move(c));
        f.contributions.clear();
    }

    // Gives the finding's buffers (and its contributions') to the scratch.
    void recycle(Finding& f) {
        recycle_contributions(f);
        f.agents.clear();
        s_.spare_findings.push_back(std::move(f));
    }

    // Removes the findings of the previous check that no new one took the place of (see
    // open_finding), giving their buffers to the scratch.
    void keep_new_findings() {
        auto& findings = result_.findings;
        for (std::size_t i = opened_; i < findings.size(); ++i)
            recycle(findings[i]);
        findings.erase(findings.begin() + static_cast<std::ptrdiff_t>(opened_), findings.end());
    }

    // Moves a spare (see Scratch) into `into`, when there is one, for its buffers.
    template <typename T>
    static void take_spare(std::vector<T>& spares, T& into) {
        if (spares.empty()) return;
        into = std::move(spares.back());
        spares.pop_back();
    }

    // A new finding, in place in the result: over the next finding the previous check left
    // there (keeping its buffers), else appended.
    Finding& open_finding(RuleId rule, Severity severity) {
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

    // A new contribution of the finding, its class chain `via` (copied into the buffer of a
    // spare contribution when there is one).
    Contribution& add_contribution(Finding& f, AgentId agent, Role role, const Effect* effect,
                                   const std::vector<ClassId>& via, double weight,
                                   double exposure_scale) {
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
    void pharmacokinetic(RuleId rule, const PharmacokineticRule& pk) {
        s_.perpetrators.clear();
        s_.substrates.clear();
        for_each_agent(s_.tallies[index_of(rule)].agents, [&](std::uint32_t i) {
            const Probe* probe = pharmacokinetic_probe(i, rule);
            if (probe == nullptr) return;
            for (std::uint32_t k = 0; k < probe->count; ++k) {
                const AgentEffect& e = read(probe->first, k);
                (k < probe->perpetrators ? s_.perpetrators : s_.substrates)
                    .push_back({i, e.effect->system, &e});
            }
        });
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

    void burden(RuleId rule, const BurdenRule& b, const BurdenSum& tally) {
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

    bool matches(const MatchItem& item, std::size_t i) const {
        return matches_item(kb_, item, agent(i), s_.on_list[i].scale);
    }

    // Adds to the finding the contribution that explains how agent i matches the item (it
    // does).
    void explain_match(Finding& f, const MatchItem& item, std::size_t i) {
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

    // The parts of the agents that can match some item of the combination rule; returns the
    // first, kNone when some item has no agent that could match it. Without an index, every
    // agent has a part.
    std::uint32_t combination_parts(RuleId rule, std::size_t items) {
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

    // Whether every item of the combination rule has an agent of the list that can match it,
    // reached through an agent that can match its key item.
    bool every_item_matchable(RuleId rule) const {
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

    // Backtracking: assigns a distinct agent to each item in turn; `chosen[k]` is item k's part.
    // An item the index decides exactly is matched by the part's bit.
    bool assign(std::uint32_t first, const std::vector<MatchItem>& items, std::uint64_t exact,
                std::size_t k) {
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

    void combination(RuleId rule, const CombinationRule& c) {
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

    // Bit i for each agent i of the list in the agent bit set (see Tables::item_agents), for a
    // list of at most 64 agents. Few of the list's agents are in a set: they are found a word of
    // the set at a time.
    std::uint64_t on_list(const std::uint64_t* agents) const {
        std::uint64_t bits = 0;
        for (const auto& [word, list] : s_.list_words) {
            for (std::uint64_t in = agents[word] & list; in != 0; in &= in - 1) {
                const std::uint32_t a =
                    word * 64 + static_cast<std::uint32_t>(std::countr_zero(in));
                bits |= std::uint64_t{1} << s_.position[a];
            }
        }
        return bits;
    }

    // The agents of the list (at most 64) that match the combination rule's item k: bit i for
    // agent i. The index gives those that can match it at some exposure; where the exposure
    // decides, each of them is matched at its own.
    std::uint64_t matching(RuleId rule, const MatchItem& item, std::size_t k) const {
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

    // A combination rule of two items on a list of at most 64 agents: the finding `assign` would
    // make, found from the bits of the agents that match each item. Item 0 takes the first agent
    // that leaves another for item 1, and item 1 the first agent left.
    void pair_combination(RuleId rule, const CombinationRule& c) {
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

    // The side agent i's effect takes in the opposition, if any. The effect is one the rule
    // reads: on its system, increasing or decreasing; `exact` says which sides it already takes.
    std::optional<Role> opposition_side(const OppositionRule& o, std::uint64_t exact, std::size_t i,
                                        const Effect& x) const {
        const bool up = x.action == Action::increases;
        if (x.weight * s_.on_list[i].scale + kEpsilon < o.min_weight) return std::nullopt;
        const auto& side = up ? o.raising : o.lowering;
        const bool checked = (exact >> (up ? 0 : 1) & 1) != 0;
        if (side && !checked && !matches(*side, i)) return std::nullopt;
        return up ? Role::raising : Role::lowering;
    }

    // A finding when the list has an opposing pair: an agent on each side, not the same one.
    void opposition(RuleId rule, const OppositionRule& o) {
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

    // Two agents of the list can share a class: `tally.twice`.
    void duplication(RuleId rule, const DuplicationRule& d, const Tally& tally) {
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

    // The finding on class k of the duplication rule, if two agents of the list are members.
    void duplicated_class(RuleId rule, const DuplicationRule& d, const Tally& tally,
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

    // A finding is not repeated when a curated combination finding on the same risk already
    // names all of its agents: at the same or a higher severity for a finding of any other kind
    // (burden, pharmacokinetic, opposition, duplication), at a strictly higher one for another
    // combination (MAOI + SSRI is contraindicated; the broader MAO-A inhibitor rule's major
    // finding on the same pair adds nothing). The curated finding says it better.
    void drop_covered_findings() {
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
                if (stronger && std::includes(g.agents.begin(), g.agents.end(), f.agents.begin(),
                                              f.agents.end())) {
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

    // By severity (highest first), then rule id, then agents, then system.
    void order() {
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

    // The rule's place among all rules sorted by id.
    std::uint32_t rank(RuleId rule) const {
        if (indexed_) return t_->ranks[index_of(rule)];
        const auto& rules = kb_.rules();
        const std::string& id = kb_.rule(rule).id;
        return static_cast<std::uint32_t>(std::count_if(
            rules.begin(), rules.end(), [&](const Rule& other) { return other.id < id; }));
    }

    const KnowledgeBase& kb_;
    const bool indexed_;
    const bool contributions_;  // see check_list
    Scratch& s_;
    const Tables* t_ = nullptr;  // the index's, or this list's
    CheckResult& result_;
    // The findings opened so far; the result's findings past them are the previous check's.
    std::size_t opened_ = 0;
};

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
