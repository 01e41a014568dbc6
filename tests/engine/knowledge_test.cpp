// Tests engine/knowledge.cpp: name normalisation and the derived tables (inheritance, membership).
#include "knowledge.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "support/mini_kb.hpp"

namespace combocheck {
namespace {

using testing::agent;
using testing::effect;
using testing::id_of;
using testing::MiniKb;

TEST(NormalizeName, LowersCaseAndDropsSpaces) {
    EXPECT_EQ(normalize_name("SERTRALINE"), "sertraline");
    EXPECT_EQ(normalize_name("  Vitamin   D3 "), "vitamind3");
}

TEST(NormalizeName, DropsPunctuation) {
    EXPECT_EQ(normalize_name("St. John's Wort"), "stjohnswort");
    EXPECT_EQ(normalize_name("St John\u2019s wort"), "stjohnswort");  // typographic apostrophe
    EXPECT_EQ(normalize_name("5-HTP"), "5htp");
    EXPECT_EQ(normalize_name("Omega-3 (fish oil)"), "omega3fishoil");
}

TEST(NormalizeName, FoldsDiacritics) {
    EXPECT_EQ(normalize_name("Ibuprofène"), "ibuprofene");
    EXPECT_EQ(normalize_name("PARACÉTAMOL"), "paracetamol");
    EXPECT_EQ(normalize_name("Łódź"), "lodz");
}

TEST(NormalizeName, FoldsLigaturesToTwoLetters) {
    EXPECT_EQ(normalize_name("Straße"), "strasse");
    EXPECT_EQ(normalize_name("Œstrogène"), "oestrogene");
    EXPECT_EQ(normalize_name("Æ"), "ae");
}

TEST(NormalizeName, KeepsLettersOfOtherScripts) {
    EXPECT_EQ(normalize_name("зверобой"), "зверобой");
    EXPECT_EQ(normalize_name("зверобой 300"), "зверобой300");
    EXPECT_EQ(normalize_name("α-lipoic acid"), "αlipoicacid");
}

TEST(NormalizeName, NameWithoutLettersIsEmpty) {
    EXPECT_EQ(normalize_name(" - . "), "");
    EXPECT_EQ(normalize_name(""), "");
}

// grand <- parent <- child; "sibling" is a second sub-class of parent.
MiniKb hierarchy() {
    MiniKb kb;
    kb.classes = R"({ "id": "grand", "name": "grand class", "effects": [)" +
                 effect("sedation", "increases", R"("weight": 1)") + "," +
                 effect("serotonin", "increases", R"("weight": 1)") + "] },\n" +
                 R"({ "id": "parent", "name": "parent class", "parents": ["grand"], "effects": [)" +
                 effect("serotonin", "increases", R"("weight": 2)") + "," +
                 effect("cyp3a4", "inhibits", R"("strength": "weak")") + "] },\n" +
                 R"({ "id": "child", "name": "child class", "parents": ["parent"], "effects": [)" +
                 effect("serotonin", "increases", R"("weight": 3)") + "] },\n" +
                 R"({ "id": "sibling", "name": "sibling class", "parents": ["parent"] })";
    kb.agents = agent("inheritor", "drug", "", R"("classes": ["child"])") + ",\n" +
                agent("overrider", "drug", effect("serotonin", "increases", R"("weight": 0.5)"),
                      R"("classes": ["child"])") +
                ",\n" + agent("cousin", "drug", "", R"("classes": ["sibling"])") + ",\n" +
                agent("parented", "drug", "", R"("classes": ["parent"])") + ",\n" +
                agent("loner", "drug", effect("blood_pressure", "decreases", R"("weight": 1)"));
    return kb;
}

// The agent's effect on (system, action), or null.
const AgentEffect* effect_on(const KnowledgeBase& kb, AgentId a, const std::string& system,
                             Action action) {
    for (const AgentEffect& e : kb.effects_of(a)) {
        if (kb.system(e.effect->system).id == system && e.effect->action == action) return &e;
    }
    return nullptr;
}

std::vector<std::string> class_ids(const KnowledgeBase& kb, std::span<const ClassId> classes) {
    std::vector<std::string> out;
    for (const ClassId c : classes)
        out.push_back(kb.klass(c).id);
    return out;
}

std::vector<std::string> agent_ids(const KnowledgeBase& kb, std::span<const AgentId> agents) {
    std::vector<std::string> out;
    for (const AgentId a : agents)
        out.push_back(kb.agent(a).id);
    return out;
}

TEST(Knowledge, AgentInheritsItsClassEffects) {
    const KnowledgeBase kb = hierarchy().load();
    const AgentId a = id_of(kb, "inheritor");
    const AgentEffect* serotonin = effect_on(kb, a, "serotonin", Action::increases);
    ASSERT_NE(serotonin, nullptr);
    EXPECT_EQ(serotonin->effect->weight, 3);
    EXPECT_EQ(class_ids(kb, serotonin->via), (std::vector<std::string>{"child"}));
}

TEST(Knowledge, AgentInheritsFromGrandparentClasses) {
    const KnowledgeBase kb = hierarchy().load();
    const AgentId a = id_of(kb, "inheritor");
    const AgentEffect* sedation = effect_on(kb, a, "sedation", Action::increases);
    ASSERT_NE(sedation, nullptr);
    EXPECT_EQ(sedation->effect->weight, 1);
    EXPECT_EQ(class_ids(kb, sedation->via), (std::vector<std::string>{"child", "parent", "grand"}));
    const AgentEffect* cyp = effect_on(kb, a, "cyp3a4", Action::inhibits);
    ASSERT_NE(cyp, nullptr);
    EXPECT_EQ(cyp->effect->strength, Strength::weak);
    EXPECT_EQ(kb.effects_of(a).size(), 3u);  // one per (system, action)
}

TEST(Knowledge, OwnEffectOverridesTheInheritedOne) {
    const KnowledgeBase kb = hierarchy().load();
    const AgentId a = id_of(kb, "overrider");
    const AgentEffect* serotonin = effect_on(kb, a, "serotonin", Action::increases);
    ASSERT_NE(serotonin, nullptr);
    EXPECT_EQ(serotonin->effect->weight, 0.5);
    EXPECT_TRUE(serotonin->via.empty());
    EXPECT_EQ(kb.effects_of(a).size(), 3u);
}

TEST(Knowledge, NearestClassWins) {
    const KnowledgeBase kb = hierarchy().load();
    // parent (2) is nearer than grand (1) for a member of a sub-class of parent without its own.
    const AgentEffect* serotonin =
        effect_on(kb, id_of(kb, "cousin"), "serotonin", Action::increases);
    ASSERT_NE(serotonin, nullptr);
    EXPECT_EQ(serotonin->effect->weight, 2);
    EXPECT_EQ(class_ids(kb, serotonin->via), (std::vector<std::string>{"sibling", "parent"}));
}

TEST(Knowledge, AgentWithoutClassesHasOnlyItsOwnEffects) {
    const KnowledgeBase kb = hierarchy().load();
    const AgentId a = id_of(kb, "loner");
    ASSERT_EQ(kb.effects_of(a).size(), 1u);
    EXPECT_EQ(kb.effects_of(a)[0].effect->action, Action::decreases);
    EXPECT_TRUE(kb.classes_of(a).empty());
}

TEST(Knowledge, MembersOfIncludesSubClassMembers) {
    const KnowledgeBase kb = hierarchy().load();
    const auto members = [&](const std::string& klass) {
        auto ids = agent_ids(kb, kb.members_of(*kb.find_class(klass)));
        std::sort(ids.begin(), ids.end());
        return ids;
    };
    EXPECT_EQ(members("child"), (std::vector<std::string>{"inheritor", "overrider"}));
    EXPECT_EQ(members("sibling"), (std::vector<std::string>{"cousin"}));
    EXPECT_EQ(members("parent"),
              (std::vector<std::string>{"cousin", "inheritor", "overrider", "parented"}));
    EXPECT_EQ(members("grand"), members("parent"));
}

TEST(Knowledge, ClassesOfIncludesAncestors) {
    const KnowledgeBase kb = hierarchy().load();
    auto classes = class_ids(kb, kb.classes_of(id_of(kb, "inheritor")));
    std::sort(classes.begin(), classes.end());
    EXPECT_EQ(classes, (std::vector<std::string>{"child", "grand", "parent"}));
    EXPECT_TRUE(kb.is_member(id_of(kb, "cousin"), *kb.find_class("grand")));
    EXPECT_FALSE(kb.is_member(id_of(kb, "cousin"), *kb.find_class("child")));
}

TEST(Knowledge, SubclassesOfListsDirectChildren) {
    const KnowledgeBase kb = hierarchy().load();
    auto children = class_ids(kb, kb.subclasses_of(*kb.find_class("parent")));
    std::sort(children.begin(), children.end());
    EXPECT_EQ(children, (std::vector<std::string>{"child", "sibling"}));
    EXPECT_TRUE(kb.subclasses_of(*kb.find_class("child")).empty());
}

TEST(Knowledge, NameIndexHoldsEveryNameNormalised) {
    MiniKb mini;
    mini.agents =
        agent("st_johns_wort", "supplement", effect("cyp3a4", "induces", R"("strength": "strong")"),
              R"("synonyms": ["Hypericum perforatum"], "abbreviations": ["SJW"],
                           "codes": { "rxnorm": "258326" })");
    const KnowledgeBase kb = mini.load();
    const NameEntry* by_synonym = kb.lookup_name("hypericumperforatum");
    ASSERT_NE(by_synonym, nullptr);
    EXPECT_EQ(by_synonym->kind, NameKind::synonym);
    EXPECT_EQ(by_synonym->written, "Hypericum perforatum");
    ASSERT_NE(kb.lookup_name("sjw"), nullptr);
    EXPECT_EQ(kb.lookup_name("sjw")->kind, NameKind::abbreviation);
    ASSERT_NE(kb.lookup_name("rxnorm258326"), nullptr);
    EXPECT_EQ(kb.lookup_name("rxnorm258326")->kind, NameKind::rxnorm);
    EXPECT_EQ(kb.lookup_name("Hypericum perforatum"), nullptr);  // expects a normalised key
}

TEST(Knowledge, FindsEntriesByIdAndRemembersPositions) {
    const KnowledgeBase kb = hierarchy().load();
    ASSERT_TRUE(kb.find_agent("loner").has_value());
    EXPECT_FALSE(kb.find_agent("Loner").has_value());
    EXPECT_TRUE(kb.find_system("cyp2d6").has_value());
    EXPECT_TRUE(kb.find_risk("serotonin_syndrome").has_value());
    EXPECT_FALSE(kb.find_rule("anything").has_value());
    // base.json declares serotonin first, on line 3 at column 5.
    EXPECT_EQ(kb.position_text(kb.system(*kb.find_system("serotonin")).position), "base.json:3:5");
}

TEST(Knowledge, EnumNamesMatchTheFileFormat) {
    EXPECT_EQ(to_string(Severity::contraindicated), "contraindicated");
    EXPECT_EQ(to_string(Action::substrate), "substrate");
    EXPECT_EQ(to_string(PkMode::prodrug_inhibition), "prodrug_inhibition");
    EXPECT_EQ(parse_severity("major"), Severity::major);
    EXPECT_FALSE(parse_severity("Major").has_value());
}

}  // namespace
}  // namespace combocheck
