// Tests engine/explain.cpp (subjects, explanations) and engine/graph.cpp (DOT export).
#include "explain.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "graph.hpp"
#include "support/mini_kb.hpp"

namespace combocheck {
namespace {

using testing::agent;
using testing::effect;
using testing::id_of;
using testing::MiniKb;

std::string serotonin(const std::string& action, const std::string& weight) {
    return effect("serotonin", action, R"("weight": )" + weight);
}

KnowledgeBase explain_kb() {
    MiniKb kb;
    kb.classes = R"({ "id": "ssri", "name": "selective serotonin reuptake inhibitor",
                      "effects": [)" +
                 serotonin("increases", "3") + R"(] },
                    { "id": "lithium", "name": "lithium salts" })";
    kb.agents =
        agent("sertraline", "drug", "", R"("classes": ["ssri"], "brands": ["Zoloft"])") + ",\n" +
        agent("fluoxetine", "drug", "", R"("classes": ["ssri"])") + ",\n" +
        agent("tramadol", "drug", serotonin("increases", "2")) + ",\n" +
        agent("sam_e", "supplement", serotonin("increases", "1")) + ",\n" +
        agent("lithium", "drug", serotonin("increases", "1"), R"("classes": ["lithium"])") + ",\n" +
        agent("cyproheptadine", "drug", serotonin("decreases", "2")) + ",\n" +
        agent("ketoconazole", "drug", effect("cyp3a4", "inhibits", R"("strength": "strong")"));
    kb.rules = R"({ "id": "load", "kind": "burden", "risk": "serotonin_syndrome",
                    "title": "Serotonergic load", "explanation": "e", "advice": "a",
                    "evidence": "established", "sources": ["src"],
                    "system": "serotonin", "action": "increases",
                    "tiers": [{ "min_weight": 4, "severity": "moderate" }] },
                  { "id": "duplicate_ssri", "kind": "duplication", "risk": "duplicate_therapy",
                    "title": "Two {class}", "explanation": "e", "advice": "a",
                    "evidence": "probable", "sources": ["src"],
                    "classes": ["ssri"], "severity": "moderate" })";
    return kb.load();
}

// The knowledge base and resolver every test shares (both immutable).
struct Setup {
    const KnowledgeBase kb = explain_kb();
    const Resolver resolver{kb};
};

const Setup& setup() {
    static const Setup instance;
    return instance;
}

// "kind:id" of what the query names, or "none".
std::string subject(std::string_view query) {
    const auto& [kb, resolver] = setup();
    const auto s = find_subject(kb, resolver, query);
    if (!s) return "none";
    switch (s->kind) {
        case Subject::Kind::agent:
            return "agent:" + kb.agents()[s->index].id;
        case Subject::Kind::klass:
            return "class:" + kb.classes()[s->index].id;
        case Subject::Kind::system:
            return "system:" + kb.systems()[s->index].id;
        case Subject::Kind::rule:
            return "rule:" + kb.rules()[s->index].id;
        case Subject::Kind::risk:
            return "risk:" + kb.risks()[s->index].id;
    }
    return "?";
}

std::string explanation(std::string_view query) {
    const auto& [kb, resolver] = setup();
    const auto s = find_subject(kb, resolver, query);
    if (!s) return "";
    std::ostringstream out;
    write_explanation(out, kb, *s);
    return out.str();
}

std::string dot(const GraphSelection& selection) {
    std::ostringstream out;
    write_dot(out, setup().kb, selection);
    return out.str();
}

TEST(Explain, FindsAgentsByAnyName) {
    EXPECT_EQ(subject("Zoloft"), "agent:sertraline");
    EXPECT_EQ(subject("sertraline"), "agent:sertraline");
    EXPECT_EQ(subject("sertraline 50 mg"), "agent:sertraline");
}

TEST(Explain, FindsClassesByIdOrName) {
    EXPECT_EQ(subject("ssri"), "class:ssri");
    EXPECT_EQ(subject("Selective Serotonin Reuptake Inhibitor"), "class:ssri");
}

TEST(Explain, AgentWinsOverClassOfTheSameName) {
    EXPECT_EQ(subject("lithium"), "agent:lithium");
    EXPECT_EQ(subject("lithium salts"), "class:lithium");
}

TEST(Explain, FindsSystemsRulesAndRisks) {
    EXPECT_EQ(subject("cyp3a4"), "system:cyp3a4");
    EXPECT_EQ(subject("CYP2D6"), "system:cyp2d6");
    EXPECT_EQ(subject("blood pressure"), "system:blood_pressure");
    EXPECT_EQ(subject("duplicate_ssri"), "rule:duplicate_ssri");
    EXPECT_EQ(subject("serotonin syndrome"), "risk:serotonin_syndrome");
    EXPECT_EQ(subject("hypertensive_crisis"), "risk:hypertensive_crisis");
}

TEST(Explain, UnknownQueryFindsNothing) {
    EXPECT_EQ(subject("paracetamol"), "none");
    EXPECT_EQ(subject(""), "none");
}

TEST(Explain, AgentsActingOnASystemIncludeInheritedEffectsStrongestFirst) {
    const KnowledgeBase& kb = setup().kb;
    const auto acting = agents_acting_on(kb, *kb.find_system("serotonin"));
    std::vector<std::string> ids;
    for (const auto& [agent, e] : acting)
        ids.push_back(kb.agent(agent).id);
    // increases by weight (ties by name), then decreases.
    EXPECT_EQ(ids, (std::vector<std::string>{"fluoxetine", "sertraline", "tramadol", "lithium",
                                             "sam_e", "cyproheptadine"}));
    EXPECT_EQ(acting[1].second->effect->weight, 3);
    ASSERT_EQ(acting[1].second->via.size(), 1u);
    EXPECT_EQ(kb.klass(acting[1].second->via[0]).id, "ssri");
    EXPECT_TRUE(agents_acting_on(kb, *kb.find_system("cyp2d6")).empty());
}

TEST(Explain, RulesInvolvingAnAgentGiveTheReason) {
    const KnowledgeBase& kb = setup().kb;
    const auto rules = rules_involving(kb, id_of(kb, "sertraline"));
    ASSERT_EQ(rules.size(), 2u);
    std::vector<std::string> lines;
    for (const RuleInvolvement& r : rules)
        lines.push_back(kb.rule(r.rule).id + ": " + r.reason);
    std::sort(lines.begin(), lines.end());
    EXPECT_EQ(lines, (std::vector<std::string>{"duplicate_ssri: member of ssri",
                                               "load: increases serotonin (weight 3)"}));
    EXPECT_TRUE(rules_involving(kb, id_of(kb, "ketoconazole")).empty());
}

TEST(Explain, AgentExplanationListsEffectsSourcesAndRules) {
    const std::string out = explanation("Zoloft");
    for (const char* expected :
         {"sertraline (drug, id sertraline)", "Brands: Zoloft", "Classes: ssri",
          "Effects:", "increases serotonin (weight 3): test mechanism", "from class ssri",
          "evidence established; sources: src", "load (serotonin_syndrome)",
          "duplicate_ssri (duplicate_therapy): member of ssri", "Defined at entries.json:"}) {
        EXPECT_NE(out.find(expected), std::string::npos) << expected << "\n" << out;
    }
}

TEST(Explain, RuleExplanationListsContributorsAndSources) {
    const std::string out = explanation("load");
    for (const char* expected :
         {"Serotonergic load (burden rule, id load)", "Risk: serotonin syndrome",
          "4 or more: moderate", "sertraline (3)", "tramadol (2)",
          "Sources:", "src: A review (A journal, 2020)"}) {
        EXPECT_NE(out.find(expected), std::string::npos) << expected << "\n" << out;
    }
    EXPECT_EQ(out.find("cyproheptadine"), std::string::npos) << out;  // it decreases
}

TEST(Explain, ClassExplanationListsMembersAndEffects) {
    const std::string out = explanation("ssri");
    EXPECT_NE(out.find("Members: fluoxetine, sertraline"), std::string::npos) << out;
    EXPECT_NE(out.find("increases serotonin (weight 3): test mechanism"), std::string::npos) << out;
}

TEST(Explain, SystemExplanationListsAgentsAndRules) {
    const std::string out = explanation("serotonin");
    EXPECT_NE(out.find("sertraline - weight 3: test mechanism (via class ssri)"), std::string::npos)
        << out;
    EXPECT_NE(out.find("cyproheptadine - weight 2"), std::string::npos) << out;
    EXPECT_NE(out.find("load: Serotonergic load"), std::string::npos) << out;
}

TEST(Explain, DotOfTheWholeBaseHasEveryAgent) {
    const std::string out = dot({});
    EXPECT_EQ(out.rfind("digraph", 0), 0u) << out.substr(0, 40);
    for (const char* id : {"agent:sertraline", "agent:tramadol", "agent:ketoconazole", "class:ssri",
                           "system:cyp3a4"}) {
        EXPECT_NE(out.find(std::string("tooltip=\"") + id + "\""), std::string::npos) << id;
    }
}

TEST(Explain, DotOfASelectionHasOnlyTheSelectedAgents) {
    const KnowledgeBase& kb = setup().kb;
    const std::string out = dot({{id_of(kb, "sertraline"), id_of(kb, "tramadol")}, {}});
    EXPECT_EQ(out.rfind("digraph", 0), 0u);
    for (const char* id :
         {"agent:sertraline", "agent:tramadol", "class:ssri", "system:serotonin"}) {
        EXPECT_NE(out.find(std::string("tooltip=\"") + id + "\""), std::string::npos) << id;
    }
    for (const char* id :
         {"agent:fluoxetine", "agent:ketoconazole", "system:cyp3a4", "class:lithium"}) {
        EXPECT_EQ(out.find(std::string("tooltip=\"") + id + "\""), std::string::npos) << id;
    }
    EXPECT_EQ(out.find("rule:"), std::string::npos);
}

TEST(Explain, DotShowsFiredRules) {
    const KnowledgeBase& kb = setup().kb;
    const std::string out =
        dot({{id_of(kb, "sertraline"), id_of(kb, "tramadol")}, {*kb.find_rule("load")}});
    EXPECT_NE(out.find("tooltip=\"rule:load\""), std::string::npos) << out;
    EXPECT_NE(out.find("label=\"load\n(serotonin_syndrome)\""), std::string::npos) << out;
}

}  // namespace
}  // namespace combocheck
