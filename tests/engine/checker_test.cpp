// Tests engine/checker.cpp: burden, combination, opposition and duplication rules, ordering,
// texts and paths (pharmacokinetic rules: checker_pharmacokinetic_test.cpp).
#include "checker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "checker_support.hpp"

namespace combocheck {
namespace {

using testing::agent;
using testing::effect;
using testing::MiniKb;
using namespace checker_tests;

KnowledgeBase burden_kb() {
    MiniKb kb;
    kb.classes = R"({ "id": "ssri", "name": "selective serotonin reuptake inhibitor",
                      "effects": [)" +
                 serotonin("3") + "] }";
    kb.agents = agent("sertraline", "drug", "", R"("classes": ["ssri"])") + ",\n" +
                agent("b", "drug", serotonin("2")) + ",\n" + agent("c", "drug", serotonin("1")) +
                ",\n" + agent("big", "drug", serotonin("5")) + ",\n" +
                agent("tiny", "supplement", serotonin("0.5"));
    kb.rules = kLoadRule;
    return kb.load();
}

TEST(Checker, OneAgentAloneIsNoBurden) {
    const KnowledgeBase kb = burden_kb();
    EXPECT_TRUE(check(kb, {"big"}).findings.empty());  // 5 would reach a tier, but it is alone
    EXPECT_EQ(summary(kb, check(kb, {"big", "tiny"})), (Lines{"moderate load: big,tiny"}));
}

TEST(Checker, BurdenSumCrossesATier) {
    const KnowledgeBase kb = burden_kb();
    EXPECT_TRUE(check(kb, {"sertraline", "tiny"}).findings.empty());  // 3.5
    const CheckResult r = check(kb, {"sertraline", "c"});             // 4
    EXPECT_EQ(summary(kb, r), (Lines{"moderate load: c,sertraline"}));
    EXPECT_EQ(r.findings[0].total_weight, 4);
    ASSERT_TRUE(r.findings[0].system.has_value());
    EXPECT_EQ(kb.system(*r.findings[0].system).id, "serotonin");
}

TEST(Checker, HighestTierReachedWins) {
    const KnowledgeBase kb = burden_kb();
    const CheckResult r = check(kb, {"sertraline", "b", "c"});  // 6
    ASSERT_EQ(summary(kb, r), (Lines{"major load: b,c,sertraline"}));
    const Finding& f = r.findings[0];
    EXPECT_EQ(f.total_weight, 6);
    ASSERT_EQ(f.contributions.size(), 3u);  // strongest first
    EXPECT_EQ(kb.agent(f.contributions[0].agent).id, "sertraline");
    EXPECT_EQ(f.contributions[0].weight, 3);
    EXPECT_EQ(f.contributions[0].role, Role::contributor);
    EXPECT_EQ(kb.agent(f.contributions[2].agent).id, "c");
    EXPECT_EQ(r.max_severity, Severity::major);
}

KnowledgeBase combination_kb() {
    MiniKb kb;
    kb.classes = R"({ "id": "serotonergic", "name": "serotonergic agent" },
                    { "id": "maoi", "name": "MAO inhibitor", "parents": ["serotonergic"],
                      "effects": [)" +
                 serotonin("4") + R"(] },
                    { "id": "triptan", "name": "triptan" })";
    kb.agents = agent("phenelzine", "drug", "", R"("classes": ["maoi"])") + ",\n" +
                agent("sumatriptan", "drug", "", R"("classes": ["triptan"])") + ",\n" +
                agent("lithium", "drug", serotonin("1")) + ",\n" +
                agent("strong_sero", "drug", serotonin("3")) + ",\n" +
                agent("weak_sero", "drug", serotonin("1")) + ",\n" +
                agent("weak_inh", "drug", acts("cyp3a4", "inhibits", "weak")) + ",\n" +
                agent("mod_inh", "drug", acts("cyp3a4", "inhibits", "moderate"));
    const auto combination = [](const std::string& id, const std::string& severity,
                                const std::string& match,
                                const std::string& risk = "serotonin_syndrome") {
        return rule(id, "combination", risk,
                    R"("severity": ")" + severity + R"(", "match": [)" + match + "]");
    };
    kb.rules =
        combination("maoi_triptan", "major",
                    R"({ "class": "serotonergic" }, { "class": "triptan" })") +
        ",\n" +
        combination("maoi_serotonergic", "contraindicated",
                    R"({ "class": "maoi" },
                       { "effect": { "system": "serotonin", "action": "increases", "min_weight": 2 } })") +
        ",\n" +
        combination("lithium_combo", "moderate",
                    R"({ "agent": "lithium" },
                       { "any_of": [{ "class": "triptan" }, { "agent": "strong_sero" }] })") +
        ",\n" +
        combination("lithium_inhibitor", "minor",
                    R"({ "agent": "lithium" },
                       { "effect": { "system": "cyp3a4", "action": "inhibits", "min_strength": "moderate" } })") +
        ",\n" +
        combination(
            "serotonergic_then_maoi", "moderate",
            R"({ "effect": { "system": "serotonin", "action": "increases", "min_weight": 3 } },
                       { "class": "maoi" })",
            "hypertensive_crisis");
    return kb.load();
}

TEST(Checker, CombinationClassItemMatchesSubClassMembers) {
    const KnowledgeBase kb = combination_kb();
    const CheckResult r = check(kb, {"sumatriptan", "phenelzine"});
    ASSERT_EQ(summary(kb, r), (Lines{"major maoi_triptan: phenelzine,sumatriptan"}));
    const Contribution* maoi = contribution_of(kb, r.findings[0], "phenelzine");
    ASSERT_NE(maoi, nullptr);
    EXPECT_EQ(maoi->role, Role::matched);
    EXPECT_EQ(maoi->effect, nullptr);
    ASSERT_EQ(maoi->via.size(), 2u);
    EXPECT_EQ(kb.klass(maoi->via[0]).id, "maoi");
    EXPECT_EQ(kb.klass(maoi->via[1]).id, "serotonergic");
}

TEST(Checker, CombinationEffectItemNeedsMinWeight) {
    const KnowledgeBase kb = combination_kb();
    EXPECT_TRUE(check(kb, {"phenelzine", "weak_sero"}).findings.empty());
    const CheckResult r = check(kb, {"phenelzine", "strong_sero"});
    EXPECT_EQ(summary(kb, r), (Lines{"contraindicated maoi_serotonergic: phenelzine,strong_sero",
                                     "moderate serotonergic_then_maoi: phenelzine,strong_sero"}));
    const Contribution* sero = contribution_of(kb, r.findings[0], "strong_sero");
    ASSERT_NE(sero, nullptr);
    ASSERT_NE(sero->effect, nullptr);
    EXPECT_EQ(sero->weight, 3);
}

TEST(Checker, OneAgentCannotSatisfyTwoItems) {
    const KnowledgeBase kb = combination_kb();
    // phenelzine is an MAOI and raises serotonin by 4: it matches both items of two rules.
    EXPECT_TRUE(check(kb, {"phenelzine"}).findings.empty());
}

TEST(Checker, CombinationTriesEveryAssignment) {
    const KnowledgeBase kb = combination_kb();
    // phenelzine comes first and fits the first item, but only it fits the second.
    const CheckResult r = check(kb, {"phenelzine", "strong_sero"});
    const auto found = std::find_if(r.findings.begin(), r.findings.end(), [&](const Finding& f) {
        return kb.rule(f.rule).id == "serotonergic_then_maoi";
    });
    ASSERT_NE(found, r.findings.end());
    ASSERT_EQ(found->contributions.size(), 2u);
    EXPECT_EQ(kb.agent(found->contributions[0].agent).id, "strong_sero");
    EXPECT_EQ(kb.agent(found->contributions[1].agent).id, "phenelzine");
}

TEST(Checker, CombinationAgentAndAnyOfItems) {
    const KnowledgeBase kb = combination_kb();
    EXPECT_EQ(summary(kb, check(kb, {"lithium", "sumatriptan"})),
              (Lines{"moderate lithium_combo: lithium,sumatriptan"}));
    EXPECT_EQ(summary(kb, check(kb, {"lithium", "strong_sero"})),
              (Lines{"moderate lithium_combo: lithium,strong_sero"}));
    EXPECT_TRUE(check(kb, {"lithium", "weak_sero"}).findings.empty());
}

TEST(Checker, CombinationEffectItemNeedsMinStrength) {
    const KnowledgeBase kb = combination_kb();
    EXPECT_TRUE(check(kb, {"lithium", "weak_inh"}).findings.empty());
    EXPECT_EQ(summary(kb, check(kb, {"lithium", "mod_inh"})),
              (Lines{"minor lithium_inhibitor: lithium,mod_inh"}));
}

KnowledgeBase opposition_kb() {
    MiniKb kb;
    kb.classes = R"({ "id": "antihypertensive", "name": "antihypertensive", "effects": [)" +
                 effect("blood_pressure", "decreases", R"("weight": 2)") + "] }";
    kb.agents =
        agent("amlodipine", "drug", "", R"("classes": ["antihypertensive"])") + ",\n" +
        agent("raiser", "drug", effect("blood_pressure", "increases", R"("weight": 2)")) + ",\n" +
        agent("small_raiser", "drug", effect("blood_pressure", "increases", R"("weight": 0.5)")) +
        ",\n" +
        agent("other_lowerer", "drug", effect("blood_pressure", "decreases", R"("weight": 2)"));
    kb.rules = rule("bp_restricted", "opposition", "reduced_efficacy",
                    R"("system": "blood_pressure", "severity": "moderate", "min_weight": 1,
                       "lowering": { "class": "antihypertensive" })",
                    "{raising} against {lowering}") +
               ",\n" +
               rule("bp_any", "opposition", "reduced_efficacy",
                    R"("system": "blood_pressure", "severity": "minor")");
    return kb.load();
}

TEST(Checker, OppositionPairsRaisingWithLowering) {
    const KnowledgeBase kb = opposition_kb();
    const CheckResult r = check(kb, {"raiser", "amlodipine"});
    ASSERT_EQ(summary(kb, r), (Lines{"moderate bp_restricted: amlodipine,raiser",
                                     "minor bp_any: amlodipine,raiser"}));
    EXPECT_EQ(contribution_of(kb, r.findings[0], "raiser")->role, Role::raising);
    EXPECT_EQ(contribution_of(kb, r.findings[0], "amlodipine")->role, Role::lowering);
    EXPECT_EQ(contribution_of(kb, r.findings[0], "amlodipine")->weight, 2);
    EXPECT_EQ(describe(kb, r.findings[0]).title, "raiser against amlodipine");
}

TEST(Checker, OppositionNeedsBothSides) {
    const KnowledgeBase kb = opposition_kb();
    EXPECT_TRUE(check(kb, {"raiser", "small_raiser"}).findings.empty());
    EXPECT_TRUE(check(kb, {"amlodipine", "other_lowerer"}).findings.empty());
}

TEST(Checker, OppositionRespectsMinWeight) {
    const KnowledgeBase kb = opposition_kb();
    EXPECT_EQ(summary(kb, check(kb, {"small_raiser", "amlodipine"})),
              (Lines{"minor bp_any: amlodipine,small_raiser"}));
}

TEST(Checker, OppositionRespectsRestrictedSides) {
    const KnowledgeBase kb = opposition_kb();
    EXPECT_EQ(summary(kb, check(kb, {"raiser", "other_lowerer"})),
              (Lines{"minor bp_any: other_lowerer,raiser"}));
}

KnowledgeBase duplication_kb() {
    MiniKb kb;
    kb.classes = R"({ "id": "ssri", "name": "SSRI" }, { "id": "nsaid", "name": "NSAID" },
                    { "id": "cox2", "name": "COX-2 inhibitor", "parents": ["nsaid"] })";
    kb.agents = agent("sertraline", "drug", serotonin("3"), R"("classes": ["ssri"])") + ",\n" +
                agent("fluoxetine", "drug", serotonin("3"), R"("classes": ["ssri"])") + ",\n" +
                agent("ibuprofen", "drug", "", R"("classes": ["nsaid"])") + ",\n" +
                agent("celecoxib", "drug", "", R"("classes": ["cox2"])");
    kb.rules =
        rule("duplicate", "duplication", "duplicate_therapy",
             R"("classes": ["ssri", "nsaid"], "severity": "moderate")", "Two {class}: {agents}");
    return kb.load();
}

TEST(Checker, DuplicationNeedsTwoMembersOfOneClass) {
    const KnowledgeBase kb = duplication_kb();
    EXPECT_TRUE(check(kb, {"sertraline"}).findings.empty());
    EXPECT_TRUE(check(kb, {"sertraline", "ibuprofen"}).findings.empty());
    const CheckResult r = check(kb, {"sertraline", "fluoxetine"});
    ASSERT_EQ(summary(kb, r), (Lines{"moderate duplicate: fluoxetine,sertraline"}));
    ASSERT_TRUE(r.findings[0].klass.has_value());
    EXPECT_EQ(kb.klass(*r.findings[0].klass).id, "ssri");
    EXPECT_EQ(r.findings[0].contributions[0].role, Role::member);
    EXPECT_EQ(describe(kb, r.findings[0]).title, "Two SSRI: fluoxetine and sertraline");
}

TEST(Checker, DuplicationCountsSubClassMembers) {
    const KnowledgeBase kb = duplication_kb();
    const CheckResult r = check(kb, {"ibuprofen", "celecoxib"});
    ASSERT_EQ(summary(kb, r), (Lines{"moderate duplicate: celecoxib,ibuprofen"}));
    EXPECT_EQ(path_text(kb, *contribution_of(kb, r.findings[0], "celecoxib")),
              "celecoxib -> [COX-2 inhibitor] -> [NSAID]");
}

// A burden rule and combination rules over the same agents.
KnowledgeBase covered_kb() {
    MiniKb kb;
    kb.agents = agent("a", "drug", serotonin("3")) + ",\n" + agent("b", "drug", serotonin("2")) +
                ",\n" + agent("c", "drug", serotonin("2")) + ",\n" +
                agent("d", "drug", serotonin("2"));
    const auto pair = [](const std::string& id, const std::string& risk,
                         const std::string& severity, const std::string& x, const std::string& y) {
        return rule(id, "combination", risk,
                    R"("severity": ")" + severity + R"(", "match": [{ "agent": ")" + x +
                        R"(" }, { "agent": ")" + y + R"(" }])");
    };
    kb.rules = kLoadRule + ",\n" + pair("combo_lower", "serotonin_syndrome", "minor", "a", "b") +
               ",\n" + pair("combo_equal", "serotonin_syndrome", "moderate", "a", "c") + ",\n" +
               pair("combo_twin", "serotonin_syndrome", "moderate", "a", "c") + ",\n" +
               pair("combo_higher", "serotonin_syndrome", "major", "a", "d") + ",\n" +
               pair("combo_below", "serotonin_syndrome", "minor", "a", "d") + ",\n" +
               pair("combo_other_risk", "cns_depression", "contraindicated", "b", "c");
    return kb.load();
}

TEST(Checker, BurdenCoveredByAnEqualOrHigherCombinationIsDropped) {
    const KnowledgeBase kb = covered_kb();
    // The load (5, moderate) is dropped; combo_twin is kept beside combo_equal, its equal.
    EXPECT_EQ(summary(kb, check(kb, {"a", "c"})),
              (Lines{"moderate combo_equal: a,c", "moderate combo_twin: a,c"}));
    EXPECT_EQ(summary(kb, check(kb, {"a", "d"})), (Lines{"major combo_higher: a,d"}));
}

TEST(Checker, CombinationCoveredByAStrictlyHigherOneIsDropped) {
    const KnowledgeBase kb = covered_kb();
    // combo_below (minor) names the same pair as combo_higher (major); combo_lower names another.
    EXPECT_EQ(summary(kb, check(kb, {"a", "b", "d"})),
              (Lines{"major combo_higher: a,d", "major load: a,b,d", "minor combo_lower: a,b"}));
}

TEST(Checker, BurdenIsKeptWhenTheCombinationIsLowerOtherRiskOrPartial) {
    const KnowledgeBase kb = covered_kb();
    EXPECT_EQ(summary(kb, check(kb, {"a", "b"})),
              (Lines{"moderate load: a,b", "minor combo_lower: a,b"}));
    EXPECT_EQ(summary(kb, check(kb, {"b", "c"})),
              (Lines{"contraindicated combo_other_risk: b,c", "moderate load: b,c"}));
    // 7 from three agents: neither combination names all three.
    EXPECT_EQ(summary(kb, check(kb, {"a", "c", "d"})),
              (Lines{"major combo_higher: a,d", "major load: a,c,d", "moderate combo_equal: a,c",
                     "moderate combo_twin: a,c"}));
}

TEST(Checker, FindingsAreSortedBySeverityThenRuleId) {
    const KnowledgeBase kb = covered_kb();
    const CheckResult r = check(kb, {"d", "c", "b", "a"});
    EXPECT_EQ(summary(kb, r),
              (Lines{"contraindicated combo_other_risk: b,c", "major combo_higher: a,d",
                     "major load: a,b,c,d", "moderate combo_equal: a,c", "moderate combo_twin: a,c",
                     "minor combo_lower: a,b"}));
    EXPECT_EQ(r.max_severity, Severity::contraindicated);
    EXPECT_EQ(names(kb, r.agents), "a,b,c,d");
}

TEST(Checker, DescribeFillsAgentsAndSystem) {
    const KnowledgeBase kb = burden_kb();
    const CheckResult r = check(kb, {"sertraline", "b", "c"});
    ASSERT_EQ(r.findings.size(), 1u);
    const FindingText text = describe(kb, r.findings[0]);
    EXPECT_EQ(text.title, "b, c and sertraline on serotonin");
    EXPECT_EQ(text.explanation, "why b, c and sertraline on serotonin");
    EXPECT_EQ(text.advice, "do b, c and sertraline on serotonin");
}

TEST(Checker, PathTextShowsAgentClassMechanismAndSystem) {
    const KnowledgeBase kb = burden_kb();
    const CheckResult r = check(kb, {"sertraline", "b"});
    ASSERT_EQ(r.findings.size(), 1u);
    EXPECT_EQ(path_text(kb, *contribution_of(kb, r.findings[0], "sertraline")),
              "sertraline -> [selective serotonin reuptake inhibitor] -> test mechanism -> "
              "serotonin (+3)");
    EXPECT_EQ(path_text(kb, *contribution_of(kb, r.findings[0], "b")),
              "b -> test mechanism -> serotonin (+2)");
}

}  // namespace
}  // namespace combocheck
