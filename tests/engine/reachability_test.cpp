// Tests for lint's check by construction: rules that no combination of agents can trigger.
#include <gtest/gtest.h>

#include <algorithm>

#include "checker_support.hpp"
#include "loader.hpp"

namespace combocheck {
namespace {

using checker_tests::rule;
using checker_tests::serotonin;
using testing::agent;
using testing::MiniKb;

// The messages lint gives about rules that can never fire.
std::vector<std::string> never_fires(const MiniKb& kb) {
    std::vector<std::string> out;
    for (const Diagnostic& d : kb.lint().diagnostics) {
        if (d.message.find("can never fire") != std::string::npos) out.push_back(d.message);
    }
    return out;
}

MiniKb two_serotonergic_agents(const std::string& tiers) {
    MiniKb kb;
    kb.agents = agent("a", "drug", serotonin("2")) + "," + agent("b", "drug", serotonin("1"));
    kb.rules = rule("load", "burden", "serotonin_syndrome",
                    R"("system": "serotonin", "action": "increases", "tiers": )" + tiers);
    return kb;
}

TEST(Reachability, BurdenWithinReachIsNotReported) {
    EXPECT_TRUE(
        never_fires(two_serotonergic_agents(R"([{ "min_weight": 3, "severity": "moderate" }])"))
            .empty());
}

TEST(Reachability, BurdenWhoseLowestTierNoListCanReachIsReported) {
    const auto messages =
        never_fires(two_serotonergic_agents(R"([{ "min_weight": 50, "severity": "moderate" }])"));
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0],
              "rule 'load' can never fire: the weights of every agent together cannot reach the "
              "lowest tier");
}

TEST(Reachability, ItIsAnErrorOnlyWhenStrict) {
    const MiniKb kb = two_serotonergic_agents(R"([{ "min_weight": 50, "severity": "moderate" }])");
    EXPECT_TRUE(kb.lint().knowledge.has_value());
    const auto strict = lint_knowledge(kb.files(), {}, LoadOptions{true});
    EXPECT_FALSE(strict.knowledge.has_value());
    EXPECT_TRUE(
        std::any_of(strict.diagnostics.begin(), strict.diagnostics.end(), [](const Diagnostic& d) {
            return d.level == Diagnostic::Level::error &&
                   d.message.find("'load' can never fire") != std::string::npos;
        }));
}

TEST(Reachability, CombinationNeedsDistinctAgentsForItsItems) {
    MiniKb kb;
    kb.classes = R"({ "id": "k", "name": "k class" })";
    kb.agents = agent("a", "drug", serotonin("1"), R"("classes": ["k"])") + "," +
                agent("b", "drug", serotonin("1"));
    kb.rules = rule("pair", "combination", "serotonin_syndrome",
                    R"("severity": "major", "match": [{ "class": "k" }, { "agent": "a" }])");
    const auto messages = never_fires(kb);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0],
              "rule 'pair' can never fire: its items cannot be matched by distinct agents");
}

TEST(Reachability, DuplicationClassWithOneMemberIsReported) {
    MiniKb kb;
    kb.classes = R"({ "id": "k", "name": "k class" })";
    kb.agents = agent("a", "drug", serotonin("1"), R"("classes": ["k"])") + "," +
                agent("b", "drug", serotonin("1"));
    kb.rules = rule("dup", "duplication", "duplicate_therapy",
                    R"("severity": "moderate", "classes": ["k"])", "{class}");
    const auto messages = never_fires(kb);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0], "rule 'dup' can never fire: class 'k' has fewer than two members");
}

TEST(Reachability, PharmacokineticRuleNeedsAPairWithASeverity) {
    MiniKb kb;
    kb.agents = agent("inhibitor", "drug", checker_tests::acts("cyp3a4", "inhibits", "weak")) +
                "," + agent("victim", "drug", checker_tests::substrate("cyp3a4", "sensitive"));
    kb.rules = rule("pk", "pharmacokinetic", "increased_exposure",
                    R"("mode": "inhibition", "severity": { "strong": { "sensitive": "major" } })");
    const auto messages = never_fires(kb);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0],
              "rule 'pk' can never fire: no perpetrator and victim in the knowledge base meet a "
              "severity entry");
}

TEST(Reachability, OppositionNeedsBothSides) {
    MiniKb kb;
    kb.agents =
        agent("up", "drug", testing::effect("blood_pressure", "increases", R"("weight": 1)"));
    kb.rules = rule("opp", "opposition", "reduced_efficacy",
                    R"("system": "blood_pressure", "severity": "moderate")");
    const auto messages = never_fires(kb);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0], "rule 'opp' can never fire: no agent is on the lowering side");
}

}  // namespace
}  // namespace combocheck
