// Tests engine/detail/snapshot.cpp and load_embedded_knowledge(): the snapshot compiled at build
// time holds exactly what loading the embedded JSON gives, and a damaged blob is refused.
#include "detail/snapshot.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "knowledge.hpp"
#include "loader.hpp"

namespace combocheck {
namespace {

using detail::read_snapshot;
using detail::write_snapshot;

const KnowledgeBase& from_json() {
    static const KnowledgeBase base = load_knowledge(embedded_rule_files());
    return base;
}

const KnowledgeBase& from_snapshot() {
    static const KnowledgeBase base = load_embedded_knowledge();
    return base;
}

// Every kind of value the encoding has: each rule kind, optionals set and not, nested any_of.
KnowledgeData every_kind_of_value() {
    KnowledgeData d;
    d.files = {"rules/a.json", "rules/b.json"};
    d.sources = {{"src", SourceKind::fact_sheet, "Title", "Publisher", -1, "https://x", {1, 2, 3}}};
    d.systems = {{"serotonin", "serotonin", SystemKind::transmitter, "", {}},
                 {"cyp3a4", "CYP3A4", SystemKind::enzyme, "d\xC3\xA9", {1, 9, 1}}};
    d.risks = {{"risk", "a risk", "", {}}};
    Effect effect{SystemId{1},
                  Action::substrate,
                  0.25,
                  Strength::strong,
                  Sensitivity::sensitive,
                  true,
                  "mechanism",
                  Evidence::theoretical,
                  {SourceId{0}},
                  "note",
                  {1, 4, 5}};
    d.classes = {{"parent", "Parent", "", {}, {}, {}},
                 {"child", "Child", "about", {ClassId{0}}, {effect}, {0, 7, 3}}};
    d.agents = {{"a",
                 "A",
                 AgentKind::recreational,
                 {"syn"},
                 {"Brand"},
                 {"ab"},
                 {"123", {"N06AB06", "N06AB07"}},
                 {ClassId{1}},
                 true,
                 {effect, effect},
                 "",
                 {SourceId{0}},
                 {1, 1, 1}},
                {"b", "B", AgentKind::food, {}, {}, {}, {}, {}, false, {}, "none", {}, {}}};
    const EffectPattern pattern{SystemId{1}, Action::inhibits, Strength::moderate, std::nullopt,
                                Sensitivity::minor};
    const MatchItem any_of{std::vector<MatchItem>{
        {AgentId{1}}, {ClassId{0}}, {std::vector<MatchItem>{{pattern}, {AgentId{0}}}}}};
    Rule rule{
        "r",
        RuleKind::burden,
        RiskId{0},
        "t",
        "e",
        "adv",
        Evidence::probable,
        {SourceId{0}},
        BurdenRule{
            SystemId{0}, Action::decreases, 3, {{1.5, Severity::minor}, {4, Severity::major}}},
        {0, 2, 2}};
    d.rules.push_back(rule);
    PharmacokineticRule pk{PkMode::prodrug_inhibition, {SystemId{1}}, {}, -1, {}};
    pk.severity[2][1] = Severity::contraindicated;
    pk.exposure_scale[0][2] = 0.5;
    rule.detail = pk;
    d.rules.push_back(rule);
    rule.detail = CombinationRule{{{AgentId{0}}, any_of}, Severity::moderate};
    d.rules.push_back(rule);
    rule.detail = OppositionRule{SystemId{0}, Severity::major, 2, any_of, std::nullopt};
    d.rules.push_back(rule);
    rule.detail = DuplicationRule{{ClassId{0}, ClassId{1}}, Severity::minor};
    d.rules.push_back(rule);
    return d;
}

TEST(Snapshot, EmbeddedSnapshotHoldsWhatTheEmbeddedJsonLoads) {
    const std::string json = write_snapshot(from_json().data());
    const std::string snapshot = write_snapshot(from_snapshot().data());
    EXPECT_EQ(json.size(), snapshot.size());
    EXPECT_TRUE(json == snapshot)
        << "rebuild: the snapshot is stale, or snapshot.cpp misses a field";
    EXPECT_EQ(detail::embedded_snapshot(), snapshot);
}

TEST(Snapshot, AgentEffectsAndPositionsSurvive) {
    const KnowledgeBase& kb = from_snapshot();
    const auto id = kb.find_agent("bupropion");
    ASSERT_TRUE(id);
    const Agent& agent = kb.agent(*id);
    const Agent& expected = from_json().agent(*from_json().find_agent("bupropion"));
    ASSERT_EQ(agent.effects.size(), expected.effects.size());
    bool cyp2d6_strong = false;
    for (std::size_t i = 0; i < agent.effects.size(); ++i) {
        const Effect& e = agent.effects[i];
        EXPECT_EQ(kb.system(e.system).id, from_json().system(expected.effects[i].system).id);
        EXPECT_EQ(e.action, expected.effects[i].action);
        EXPECT_EQ(e.weight, expected.effects[i].weight);
        EXPECT_EQ(e.mechanism, expected.effects[i].mechanism);
        EXPECT_EQ(kb.position_text(e.position),
                  from_json().position_text(expected.effects[i].position));
        cyp2d6_strong |= kb.system(e.system).id == "cyp2d6" && e.action == Action::inhibits &&
                         e.strength == Strength::strong;
    }
    EXPECT_TRUE(cyp2d6_strong);
    EXPECT_EQ(kb.position_text(agent.position).rfind("rules/agents/antidepressants.json:", 0), 0u);
    EXPECT_EQ(kb.effects_of(*id).size(), from_json().effects_of(*id).size());
    EXPECT_EQ(kb.lookup_name("wellbutrin")->agent, *id);
}

TEST(Snapshot, RuleTiersAndAnyOfSurvive) {
    const KnowledgeBase& kb = from_snapshot();
    bool burden = false;
    bool any_of = false;
    for (const Rule& rule : kb.rules()) {
        const Rule& expected = from_json().rule(*from_json().find_rule(rule.id));
        EXPECT_EQ(rule.detail.index(), expected.detail.index()) << rule.id;
        if (const auto* b = std::get_if<BurdenRule>(&rule.detail)) {
            const auto& tiers = std::get<BurdenRule>(expected.detail).tiers;
            ASSERT_EQ(b->tiers.size(), tiers.size()) << rule.id;
            ASSERT_FALSE(tiers.empty()) << rule.id;
            EXPECT_EQ(b->tiers.back().min_weight, tiers.back().min_weight) << rule.id;
            EXPECT_EQ(b->tiers.back().severity, tiers.back().severity) << rule.id;
            burden = true;
        }
        if (const auto* c = std::get_if<CombinationRule>(&rule.detail)) {
            const auto& match = std::get<CombinationRule>(expected.detail).match;
            ASSERT_EQ(c->match.size(), match.size()) << rule.id;
            for (std::size_t i = 0; i < match.size(); ++i) {
                const auto* items = std::get_if<std::vector<MatchItem>>(&c->match[i].what);
                if (items == nullptr) continue;
                any_of = true;
                const auto& want = std::get<std::vector<MatchItem>>(match[i].what);
                ASSERT_EQ(items->size(), want.size()) << rule.id;
                for (std::size_t k = 0; k < want.size(); ++k) {
                    EXPECT_EQ((*items)[k].what.index(), want[k].what.index()) << rule.id;
                    if (const auto* a = std::get_if<AgentId>(&(*items)[k].what)) {
                        EXPECT_EQ(kb.agent(*a).id,
                                  from_json().agent(std::get<AgentId>(want[k].what)).id);
                    }
                }
            }
        }
    }
    EXPECT_TRUE(burden);
    EXPECT_TRUE(any_of);
}

TEST(Snapshot, EveryKindOfValueRoundTrips) {
    const KnowledgeData data = every_kind_of_value();
    const std::string bytes = write_snapshot(data);
    const KnowledgeData back = read_snapshot(bytes);
    EXPECT_TRUE(write_snapshot(back) == bytes);

    EXPECT_EQ(back.sources[0].year, -1);
    EXPECT_EQ(back.systems[1].description, "d\xC3\xA9");
    EXPECT_EQ(back.agents[0].codes.atc, (std::vector<std::string>{"N06AB06", "N06AB07"}));
    EXPECT_TRUE(back.agents[0].narrow_therapeutic_index);
    EXPECT_EQ(back.agents[0].effects[1].weight, 0.25);
    EXPECT_TRUE(back.agents[0].effects[1].prodrug);
    EXPECT_EQ(back.classes[1].parents, std::vector<ClassId>{ClassId{0}});
    EXPECT_EQ(std::get<BurdenRule>(back.rules[0].detail).tiers[1].severity, Severity::major);
    const auto& pk = std::get<PharmacokineticRule>(back.rules[1].detail);
    EXPECT_EQ(pk.severity[2][1], Severity::contraindicated);
    EXPECT_EQ(pk.exposure_scale[0][2], 0.5);
    EXPECT_EQ(pk.narrow_therapeutic_index_raise, -1);
    const auto& combination = std::get<CombinationRule>(back.rules[2].detail);
    const auto& outer = std::get<std::vector<MatchItem>>(combination.match[1].what);
    ASSERT_EQ(outer.size(), 3u);
    const auto& inner = std::get<std::vector<MatchItem>>(outer[2].what);
    const auto& pattern = std::get<EffectPattern>(inner[0].what);
    EXPECT_EQ(pattern.min_strength, Strength::moderate);
    EXPECT_FALSE(pattern.min_weight);
    EXPECT_EQ(pattern.min_sensitivity, Sensitivity::minor);
    const auto& opposition = std::get<OppositionRule>(back.rules[3].detail);
    EXPECT_TRUE(opposition.raising);
    EXPECT_FALSE(opposition.lowering);
    EXPECT_EQ(std::get<DuplicationRule>(back.rules[4].detail).classes.size(), 2u);
    EXPECT_EQ(back.rules[4].position.file, 0u);
    EXPECT_EQ(back.rules[4].position.line, 2u);
}

TEST(Snapshot, DamagedBlobsAreRefused) {
    const std::string bytes = write_snapshot(every_kind_of_value());
    EXPECT_THROW(read_snapshot(""), std::runtime_error);
    EXPECT_THROW(read_snapshot(bytes.substr(0, 20)), std::runtime_error);
    for (const std::size_t cut : {bytes.size() - 1, bytes.size() / 2, std::size_t{40}}) {
        EXPECT_THROW(read_snapshot(bytes.substr(0, cut)), std::runtime_error) << cut;
    }
    EXPECT_THROW(read_snapshot(bytes + '\0'), std::runtime_error);
    for (const std::size_t at : {std::size_t{0}, std::size_t{8}, std::size_t{12}, std::size_t{20},
                                 std::size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
        std::string damaged = bytes;
        damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
        EXPECT_THROW(read_snapshot(damaged), std::runtime_error) << at;
    }
}

TEST(Snapshot, OutOfRangeReferencesAreRefusedEvenWithAValidHash) {
    KnowledgeData data = every_kind_of_value();
    data.agents[0].classes = {ClassId{7}};
    EXPECT_THROW(read_snapshot(write_snapshot(data)), std::runtime_error);
    data = every_kind_of_value();
    data.rules[0].position.file = 2;
    EXPECT_THROW(read_snapshot(write_snapshot(data)), std::runtime_error);
}

TEST(Snapshot, MessageNamesTheProblem) {
    std::string bytes = write_snapshot(every_kind_of_value());
    bytes[8] = 99;  // format version
    try {
        read_snapshot(bytes);
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("format version 99"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace combocheck
