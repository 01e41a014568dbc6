// The rule index: a check that evaluates only the rules of the list's agents finds exactly what
// evaluating every rule finds.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "checker.hpp"
#include "checker_support.hpp"
#include "loader.hpp"

namespace combocheck {
namespace {

using testing::agent;
using testing::effect;
using testing::MiniKb;
using namespace checker_tests;

bool same_contribution(const Contribution& a, const Contribution& b) {
    return a.agent == b.agent && a.role == b.role && a.effect == b.effect && a.via == b.via &&
           a.weight == b.weight && a.exposure_scale == b.exposure_scale;
}

void expect_same(const CheckResult& a, const CheckResult& b) {
    EXPECT_EQ(a.agents, b.agents);
    ASSERT_EQ(a.findings.size(), b.findings.size());
    EXPECT_EQ(a.max_severity, b.max_severity);
    for (std::size_t i = 0; i < a.findings.size(); ++i) {
        const Finding& x = a.findings[i];
        const Finding& y = b.findings[i];
        EXPECT_EQ(x.rule, y.rule);
        EXPECT_EQ(x.severity, y.severity);
        EXPECT_EQ(x.agents, y.agents);
        EXPECT_EQ(x.system, y.system);
        EXPECT_EQ(x.klass, y.klass);
        EXPECT_EQ(x.total_weight, y.total_weight);
        ASSERT_EQ(x.contributions.size(), y.contributions.size());
        for (std::size_t k = 0; k < x.contributions.size(); ++k) {
            EXPECT_TRUE(same_contribution(x.contributions[k], y.contributions[k]));
        }
    }
    ASSERT_EQ(a.exposure.size(), b.exposure.size());
    for (std::size_t i = 0; i < a.exposure.size(); ++i) {
        EXPECT_EQ(a.exposure[i].agent, b.exposure[i].agent);
        EXPECT_EQ(a.exposure[i].scale, b.exposure[i].scale);
    }
}

// What a comparison of indexed and full checks went through, so that a test can tell that it
// covered the paths it means to.
struct Coverage {
    std::size_t lists = 0;
    std::size_t with_findings = 0;
    std::size_t with_exposure = 0;
    std::size_t contributions_with_via = 0;
    std::map<std::string, std::size_t> findings_by_rule;
    std::vector<ClassId> duplicated_classes;
};

// Checks the list with and without the index and expects the same result; false (and a test
// failure naming the list) when they differ. Checks into results that earlier lists filled (as a
// batch does, reusing their buffers) must give the same result again, and so must checks that
// leave out the contributions, but for those.
bool compare(const KnowledgeBase& kb, const RuleIndex& index, const std::vector<AgentId>& agents,
             Coverage& coverage) {
    const CheckResult full = check_list(kb, agents);
    const CheckResult indexed = check_list(kb, agents, &index);
    expect_same(full, indexed);
    static CheckResult reused_full, reused_indexed;  // carried from list to list
    check_list(kb, agents, nullptr, reused_full);
    check_list(kb, agents, &index, reused_indexed);
    expect_same(full, reused_full);
    expect_same(full, reused_indexed);
    // Without contributions: the same findings, each with none. Checked between the others, so
    // that the buffers a check reuses come from checks of both kinds.
    CheckResult without = full;
    for (Finding& f : without.findings)
        f.contributions.clear();
    static CheckResult reused_without, reused_indexed_without;
    check_list(kb, agents, nullptr, reused_without, false);
    check_list(kb, agents, &index, reused_indexed_without, false);
    expect_same(without, reused_without);
    expect_same(without, reused_indexed_without);
    if (::testing::Test::HasFailure()) {
        ADD_FAILURE() << "first difference at list " << coverage.lists << " (" << names(kb, agents)
                      << ")";
        return false;
    }
    ++coverage.lists;
    coverage.with_findings += full.findings.empty() ? 0 : 1;
    coverage.with_exposure += full.exposure.empty() ? 0 : 1;
    for (const Finding& f : full.findings) {
        ++coverage.findings_by_rule[kb.rule(f.rule).id];
        if (f.klass) coverage.duplicated_classes.push_back(*f.klass);
        for (const Contribution& c : f.contributions)
            coverage.contributions_with_via += c.via.empty() ? 0 : 1;
    }
    return true;
}

// Random lists of `min_size` to `max_size` draws from every agent (repeats allowed).
Coverage compare_random_lists(const KnowledgeBase& kb, std::uint32_t seed, int lists, int min_size,
                              int max_size) {
    const RuleIndex index(kb);
    std::mt19937 random(seed);
    std::uniform_int_distribution<std::uint32_t> any_agent(
        0, static_cast<std::uint32_t>(kb.agents().size() - 1));
    std::uniform_int_distribution<int> size(min_size, max_size);
    Coverage coverage;
    for (int list = 0; list < lists; ++list) {
        std::vector<AgentId> agents;
        for (int n = size(random); n > 0; --n)
            agents.push_back(AgentId{any_agent(random)});
        if (!compare(kb, index, agents, coverage)) break;
    }
    return coverage;
}

TEST(RuleIndex, EveryAgentTakesPartInTheRulesThatNameIt) {
    const KnowledgeBase& kb = load_embedded_knowledge();
    const RuleIndex index(kb);
    const auto sertraline = kb.find_agent("sertraline");
    ASSERT_TRUE(sertraline);
    EXPECT_FALSE(index.rules_of(*sertraline).empty());
    std::size_t with_rules = 0;
    for (std::uint32_t a = 0; a < kb.agents().size(); ++a) {
        const auto rules = index.rules_of(AgentId{a});
        with_rules += rules.empty() ? 0 : 1;
        EXPECT_TRUE(std::is_sorted(rules.begin(), rules.end(),
                                   [](const auto& x, const auto& y) { return x.rule < y.rule; }));
    }
    // Most agents act on something a rule reads; a few (notes only) take part in none.
    EXPECT_GT(with_rules, kb.agents().size() * 3 / 4);
}

TEST(RuleIndex, RanksFollowRuleIds) {
    const KnowledgeBase& kb = load_embedded_knowledge();
    const RuleIndex index(kb);
    for (std::uint32_t a = 0; a < kb.rules().size(); ++a) {
        for (std::uint32_t b = 0; b < kb.rules().size(); ++b) {
            EXPECT_EQ(index.rank_of(RuleId{a}) < index.rank_of(RuleId{b}),
                      kb.rules()[a].id < kb.rules()[b].id);
        }
    }
}

TEST(RuleIndex, ClassPathsExistExactlyForMembers) {
    const KnowledgeBase& kb = load_embedded_knowledge();
    const RuleIndex index(kb);
    for (std::uint32_t a = 0; a < kb.agents().size(); ++a) {
        for (std::uint32_t c = 0; c < kb.classes().size(); ++c) {
            const std::vector<ClassId>* path = index.class_path(AgentId{a}, ClassId{c});
            ASSERT_EQ(path != nullptr, kb.is_member(AgentId{a}, ClassId{c}));
            if (path == nullptr) continue;
            // From one of the agent's own classes up to the class.
            ASSERT_FALSE(path->empty());
            EXPECT_EQ(path->back(), ClassId{c});
        }
    }
}

TEST(RuleIndex, IndexedChecksFindExactlyWhatFullChecksFind) {
    const Coverage coverage =
        compare_random_lists(load_embedded_knowledge(), 20261130, 3000, 2, 20);
    EXPECT_EQ(coverage.lists, 3000u);
    EXPECT_GT(coverage.with_findings, 1000u);  // the comparison covered real findings
    EXPECT_GT(coverage.with_exposure, 100u);
    EXPECT_GT(coverage.contributions_with_via, 1000u);
}

TEST(RuleIndex, IndexedChecksFindExactlyWhatFullChecksFindOnLongLists) {
    // Past 64 agents, the bits that track a list's agents give way to full evaluation.
    const Coverage coverage = compare_random_lists(load_embedded_knowledge(), 7, 60, 60, 120);
    EXPECT_EQ(coverage.lists, 60u);
    EXPECT_EQ(coverage.with_findings, 60u);
}

TEST(RuleIndex, IndexedChecksMatchCombinationPairsAsBacktrackingDoes) {
    // An indexed check matches a combination rule of two items from bits, a full check by
    // backtracking over the agents. Lists drawn from the agents that can match some item of such
    // a rule often have several candidates for an item, and then the agents a finding names (and
    // their contributions) depend on which assignment is taken first.
    const KnowledgeBase& kb = load_embedded_knowledge();
    const RuleIndex index(kb);
    std::vector<AgentId> pool;
    for (std::uint32_t a = 0; a < kb.agents().size(); ++a) {
        const auto matches_some_item = [&](const Rule& rule) {
            const auto* c = std::get_if<CombinationRule>(&rule.detail);
            return c != nullptr && c->match.size() == 2 &&
                   std::any_of(c->match.begin(), c->match.end(), [&](const MatchItem& item) {
                       return matches_item(kb, item, AgentId{a});
                   });
        };
        if (std::any_of(kb.rules().begin(), kb.rules().end(), matches_some_item)) {
            pool.push_back(AgentId{a});
        }
    }
    ASSERT_GT(pool.size(), 50u);
    std::mt19937 random(2718);
    std::uniform_int_distribution<std::size_t> any_agent(0, pool.size() - 1);
    std::uniform_int_distribution<int> size(2, 12);
    Coverage coverage;
    for (int list = 0; list < 3000; ++list) {
        std::vector<AgentId> agents;
        for (int n = size(random); n > 0; --n)
            agents.push_back(pool[any_agent(random)]);
        if (!compare(kb, index, agents, coverage)) return;
    }
    std::size_t pair_findings = 0;
    for (const auto& [id, findings] : coverage.findings_by_rule) {
        const Rule& rule = kb.rule(*kb.find_rule(id));
        if (rule.kind == RuleKind::combination) pair_findings += findings;
    }
    EXPECT_GT(pair_findings, 1500u);
}

// Rules whose outcome an exposure change can decide (minimum weights of combination items and
// opposition sides, met only once an inhibitor scales a weight), class-inherited effects, and a
// duplication rule with more than 64 classes.
KnowledgeBase exposure_kb() {
    MiniKb kb;
    std::string late_classes;
    std::string class_ids;
    for (int c = 0; c < 70; ++c) {
        const std::string id = "c" + std::to_string(c);
        late_classes += R"(, { "id": ")" + id + R"(", "name": ")" + id + R"(" })";
        class_ids += (c == 0 ? "\"" : ", \"") + id + "\"";
    }
    kb.classes = R"({ "id": "serotonergic", "name": "serotonergic" },
                    { "id": "ssri", "name": "SSRI", "parents": ["serotonergic"], "effects": [)" +
                 serotonin("2") + R"(] },
                    { "id": "maoi", "name": "MAOI", "effects": [)" +
                 serotonin("1") + R"(] },
                    { "id": "antihypertensive", "name": "antihypertensive", "effects": [)" +
                 effect("blood_pressure", "decreases", R"("weight": 2)") + R"(] },
                    { "id": "pressor", "name": "pressor" })" +
                 late_classes;
    const auto in = [](const std::string& classes) { return R"("classes": [)" + classes + "]"; };
    const std::string sensitive = substrate("cyp3a4", "sensitive");
    kb.agents = agent("ssri_a", "drug", sensitive, in(R"("ssri", "c0", "c65")")) + ",\n" +
                agent("ssri_b", "drug", "", in(R"("ssri", "c1", "c65")")) + ",\n" +
                agent("maoi_a", "drug", "", in(R"("maoi", "c66")")) + ",\n" +
                agent("sero_weak", "drug", serotonin("2") + "," + sensitive) + ",\n" +
                agent("sero_strong", "drug", serotonin("3"), in(R"("c66")")) + ",\n" +
                agent("inhibitor", "drug", acts("cyp3a4", "inhibits", "strong"), in(R"("c0")")) +
                ",\n" + agent("mod_inhibitor", "drug", acts("cyp3a4", "inhibits", "moderate")) +
                ",\n" + agent("inducer", "drug", acts("cyp3a4", "induces", "strong")) + ",\n" +
                agent("bp_low", "drug", "", in(R"("antihypertensive", "c2", "c67")")) + ",\n" +
                agent("bp_low_sub", "drug", sensitive, in(R"("antihypertensive")")) + ",\n" +
                agent("bp_high", "drug",
                      effect("blood_pressure", "increases", R"("weight": 1.5)") + "," + sensitive) +
                ",\n" +
                agent("bp_high2", "drug", effect("blood_pressure", "increases", R"("weight": 2.5)"),
                      in(R"("pressor", "c67")")) +
                ",\n" +
                agent("bp_both", "drug",
                      effect("blood_pressure", "increases", R"("weight": 2)") + "," +
                          effect("blood_pressure", "decreases", R"("weight": 1)")) +
                ",\n" +
                agent("nti_sub", "drug", substrate("cyp3a4", "moderate"),
                      R"("narrow_therapeutic_index": true)") +
                ",\n" + agent("prodrug", "drug", substrate("cyp2d6", "sensitive", true)) + ",\n" +
                agent("d6_inhibitor", "drug", acts("cyp2d6", "inhibits", "strong")) + ",\n" +
                agent("plain", "drug", "", in(R"("c68")")) + ",\n" +
                agent("m0", "drug", "", in(R"("c3", "c64")")) + ",\n" +
                agent("m1", "drug", "", in(R"("c3", "c64", "c68")")) + ",\n" +
                agent("m2", "drug", "", in(R"("c4", "c69")")) + ",\n" +
                agent("m3", "drug", "", in(R"("c4", "c69", "c1")"));
    const auto combination = [](const std::string& id, const std::string& severity,
                                const std::string& risk, const std::string& items) {
        return rule(id, "combination", risk,
                    R"("severity": ")" + severity + R"(", "match": [)" + items + "]");
    };
    kb.rules = kLoadRule + ",\n" +
               rule("bp_load", "burden", "hypertensive_crisis",
                    R"("system": "blood_pressure", "action": "increases", "min_agents": 1,
                "tiers": [{ "min_weight": 3, "severity": "minor" }])") +
               ",\n" +
               rule("inhibition", "pharmacokinetic", "increased_exposure",
                    R"("mode": "inhibition",
                "severity": { "strong": { "sensitive": "major", "moderate": "moderate" },
                              "moderate": { "sensitive": "moderate" } },
                "narrow_therapeutic_index_raise": 1,
                "exposure_scale": { "strong": { "sensitive": 2.0, "moderate": 1.5 },
                                    "moderate": { "sensitive": 1.5 } })") +
               ",\n" +
               rule("induction", "pharmacokinetic", "reduced_efficacy",
                    R"("mode": "induction", "systems": ["cyp3a4"],
                "severity": { "strong": { "sensitive": "moderate" } },
                "exposure_scale": { "strong": { "sensitive": 0.5 } })") +
               ",\n" +
               rule("prodrug_activation", "pharmacokinetic", "reduced_efficacy",
                    R"("mode": "prodrug_inhibition", "systems": ["cyp2d6"],
                "severity": { "strong": { "sensitive": "major" } },
                "exposure_scale": { "strong": { "sensitive": 0.5 } })") +
               ",\n" +
               combination("maoi_strong_serotonin", "contraindicated", "serotonin_syndrome",
                           R"({ "class": "maoi" },
                       { "effect": { "system": "serotonin", "action": "increases",
                                     "min_weight": 3 } })") +
               ",\n" +
               combination("ssri_and_more", "major", "serotonin_syndrome",
                           R"({ "class": "ssri" },
                       { "any_of": [{ "agent": "sero_strong" },
                                    { "effect": { "system": "serotonin", "action": "increases",
                                                  "min_weight": 4 } }] })") +
               ",\n" +
               combination("three_items", "minor", "hypertensive_crisis",
                           R"({ "class": "antihypertensive" }, { "class": "pressor" },
                       { "effect": { "system": "cyp3a4", "action": "inhibits" } })") +
               ",\n" +
               rule("bp_opposition", "opposition", "reduced_efficacy",
                    R"("system": "blood_pressure", "severity": "moderate", "min_weight": 1,
                "raising": { "effect": { "system": "blood_pressure", "action": "increases",
                                         "min_weight": 2.5 } },
                "lowering": { "class": "antihypertensive" })") +
               ",\n" +
               rule("bp_any", "opposition", "reduced_efficacy",
                    R"("system": "blood_pressure", "severity": "minor")") +
               ",\n" +
               rule("dup_small", "duplication", "duplicate_therapy",
                    R"("classes": ["serotonergic", "maoi", "antihypertensive"],
                "severity": "moderate")") +
               ",\n" +
               rule("dup_big", "duplication", "duplicate_therapy",
                    R"("classes": [)" + class_ids + R"(], "severity": "minor")");
    return kb.load();
}

TEST(RuleIndex, IndexedChecksFindExactlyWhatFullChecksFindWhereExposureDecides) {
    const KnowledgeBase kb = exposure_kb();
    const RuleIndex index(kb);
    const auto agents = static_cast<std::uint32_t>(kb.agents().size());
    Coverage coverage;
    // Every list of up to three agents, then longer ones with repeats.
    for (std::uint32_t a = 0; a < agents; ++a) {
        for (std::uint32_t b = a; b < agents; ++b) {
            for (std::uint32_t c = b; c < agents; ++c) {
                if (!compare(kb, index, {AgentId{c}, AgentId{a}, AgentId{b}}, coverage)) return;
            }
        }
    }
    std::mt19937 random(42);
    std::uniform_int_distribution<std::uint32_t> any_agent(0, agents - 1);
    std::uniform_int_distribution<int> size(4, 14);
    for (int list = 0; list < 3000; ++list) {
        std::vector<AgentId> drawn;
        for (int n = size(random); n > 0; --n)
            drawn.push_back(AgentId{any_agent(random)});
        if (!compare(kb, index, drawn, coverage)) return;
    }
    // The comparison went through every rule, exposure changes, inherited effects (their class
    // chain), and classes past the 64th of a duplication rule.
    for (const Rule& rule : kb.rules()) {
        EXPECT_GT(coverage.findings_by_rule[rule.id], 0u) << rule.id;
    }
    EXPECT_GT(coverage.with_exposure, 0u);
    EXPECT_GT(coverage.contributions_with_via, 0u);
    const auto late = std::count_if(
        coverage.duplicated_classes.begin(), coverage.duplicated_classes.end(),
        [&](ClassId c) { return kb.klass(c).id == "c64" || kb.klass(c).id == "c69"; });
    EXPECT_GT(late, 0);
}

TEST(RuleIndex, ExposureDecidesCombinationItemsAndOppositionSides) {
    const KnowledgeBase kb = exposure_kb();
    const RuleIndex index(kb);
    const auto ids = [&](const std::vector<std::string>& names) {
        std::vector<AgentId> out;
        for (const auto& n : names)
            out.push_back(testing::id_of(kb, n));
        return out;
    };
    const auto rules = [&](const CheckResult& r) {
        std::vector<std::string> out;
        for (const Finding& f : r.findings)
            out.push_back(kb.rule(f.rule).id);
        std::sort(out.begin(), out.end());
        return out;
    };
    // Serotonin 2 meets the minimum of 3 only when the inhibitor doubles it.
    const auto alone = ids({"maoi_a", "sero_weak"});
    const auto inhibited = ids({"maoi_a", "sero_weak", "inhibitor"});
    for (const RuleIndex* with : {static_cast<const RuleIndex*>(nullptr), &index}) {
        const auto plain = rules(check_list(kb, alone, with));
        EXPECT_EQ(std::count(plain.begin(), plain.end(), "maoi_strong_serotonin"), 0);
        const auto raised = rules(check_list(kb, inhibited, with));
        EXPECT_EQ(std::count(raised.begin(), raised.end(), "maoi_strong_serotonin"), 1);
        // Blood pressure 1.5 takes the raising side (at least 2.5) once doubled to 3.
        const auto low = rules(check_list(kb, ids({"bp_high", "bp_low"}), with));
        EXPECT_EQ(std::count(low.begin(), low.end(), "bp_opposition"), 0);
        const auto high = rules(check_list(kb, ids({"bp_high", "bp_low", "inhibitor"}), with));
        EXPECT_EQ(std::count(high.begin(), high.end(), "bp_opposition"), 1);
    }
}

}  // namespace
}  // namespace combocheck
