// The rule index: a check that evaluates only the rules of the list's agents finds exactly what
// evaluating every rule finds.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "checker.hpp"
#include "loader.hpp"

namespace combocheck {
namespace {

bool same_contribution(const Contribution& a, const Contribution& b) {
    return a.agent == b.agent && a.role == b.role && a.effect == b.effect && a.via == b.via &&
           a.weight == b.weight && a.exposure_scale == b.exposure_scale;
}

void expect_same(const CheckResult& a, const CheckResult& b) {
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

TEST(RuleIndex, EveryAgentTakesPartInTheRulesThatNameIt) {
    const KnowledgeBase& kb = load_embedded_knowledge();
    const RuleIndex index(kb);
    const auto sertraline = kb.find_agent("sertraline");
    ASSERT_TRUE(sertraline);
    EXPECT_FALSE(index.rules_of(*sertraline).empty());
    std::size_t with_rules = 0;
    for (std::uint32_t a = 0; a < kb.agents().size(); ++a) {
        with_rules += index.rules_of(AgentId{a}).empty() ? 0 : 1;
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
    const KnowledgeBase& kb = load_embedded_knowledge();
    const RuleIndex index(kb);
    std::mt19937 random(20261130);
    std::uniform_int_distribution<std::uint32_t> any_agent(
        0, static_cast<std::uint32_t>(kb.agents().size() - 1));
    std::uniform_int_distribution<int> size(2, 20);
    std::size_t with_findings = 0;
    for (int list = 0; list < 3000; ++list) {
        std::vector<AgentId> agents;
        for (int n = size(random); n > 0; --n)
            agents.push_back(AgentId{any_agent(random)});
        const CheckResult full = check_list(kb, agents);
        const CheckResult indexed = check_list(kb, agents, &index);
        expect_same(full, indexed);
        if (::testing::Test::HasFailure()) {
            ADD_FAILURE() << "first difference at list " << list;
            return;
        }
        with_findings += full.findings.empty() ? 0 : 1;
    }
    EXPECT_GT(with_findings, 1000u);  // the comparison covered real findings
}

}  // namespace
}  // namespace combocheck
