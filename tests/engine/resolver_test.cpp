// Tests engine/resolver.cpp: names, brands, codes and dose text to agents; suggestions and hints.
#include "resolver.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/mini_kb.hpp"

namespace combocheck {
namespace {

using testing::agent;
using testing::effect;
using testing::MiniKb;

const std::string kSerotonin = effect("serotonin", "increases", R"("weight": 2)");

KnowledgeBase resolver_kb() {
    MiniKb kb;
    kb.classes = R"({ "id": "ssri", "name": "selective serotonin reuptake inhibitor",
                      "effects": [)" +
                 effect("serotonin", "increases", R"("weight": 3)") + "] }";
    kb.agents =
        agent("sertraline", "drug", "",
              R"("classes": ["ssri"], "synonyms": ["sertralina"], "brands": ["Zoloft", "Lustral"],
                 "codes": { "rxnorm": "36437", "atc": ["N06AB06"] })") +
        ",\n" + agent("tramadol", "drug", kSerotonin) + ",\n" +
        agent("duloxetine", "drug", kSerotonin) + ",\n" + agent("fluoxetine", "drug", kSerotonin) +
        ",\n" +
        agent("ibuprofen", "drug", effect("blood_pressure", "increases", R"("weight": 1)"),
              R"("synonyms": ["Ibuprofène"])") +
        ",\n" +
        R"({ "id": "st_johns_wort", "name": "St. John's Wort", "kind": "supplement",
             "abbreviations": ["SJW"], "effects": [)" +
        effect("cyp3a4", "induces", R"("strength": "strong")") + "] },\n" +
        R"({ "id": "five_htp", "name": "5-HTP", "kind": "supplement", "effects": [)" + kSerotonin +
        "] },\n" +
        R"({ "id": "vitamin_k", "name": "vitamin K", "kind": "supplement", "effects": [)" +
        effect("blood_pressure", "decreases", R"("weight": 0.5)") + "] }";
    return kb.load();
}

// The knowledge base and resolver every test shares (both immutable).
struct Setup {
    const KnowledgeBase kb = resolver_kb();
    const Resolver resolver{kb};
};

const Setup& setup() {
    static const Setup instance;
    return instance;
}

std::string agent_of(std::string_view input) {
    const Resolution r = setup().resolver.resolve(input);
    return r.agent ? setup().kb.agent(*r.agent).id : "(unresolved)";
}

TEST(Resolver, ExactNameMapsToAgent) {
    const auto& [kb, resolver] = setup();
    const Resolution r = resolver.resolve("sertraline");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(kb.agent(*r.agent).id, "sertraline");
    EXPECT_EQ(r.matched_kind, NameKind::name);
    EXPECT_EQ(r.matched, "sertraline");
    EXPECT_EQ(r.detail, "");
    EXPECT_TRUE(r.suggestions.empty());
}

TEST(Resolver, SynonymMapsToIngredient) {
    const auto& [kb, resolver] = setup();
    const Resolution r = resolver.resolve("sertralina");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(kb.agent(*r.agent).id, "sertraline");
    EXPECT_EQ(r.matched_kind, NameKind::synonym);
    EXPECT_EQ(r.matched, "sertralina");
}

TEST(Resolver, BrandNameMapsToIngredient) {
    const auto& [kb, resolver] = setup();
    const Resolution r = resolver.resolve("Zoloft");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(kb.agent(*r.agent).id, "sertraline");
    EXPECT_EQ(r.matched_kind, NameKind::brand);
    EXPECT_EQ(r.matched, "Zoloft");
    EXPECT_EQ(agent_of("Lustral"), "sertraline");
}

TEST(Resolver, AbbreviationMapsToAgent) {
    const auto& [kb, resolver] = setup();
    const Resolution r = resolver.resolve("SJW");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(kb.agent(*r.agent).id, "st_johns_wort");
    EXPECT_EQ(r.matched_kind, NameKind::abbreviation);
}

TEST(Resolver, IdMapsToAgent) {
    EXPECT_EQ(agent_of("five_htp"), "five_htp");
}

TEST(Resolver, CaseSpacesAndPunctuationDoNotMatter) {
    EXPECT_EQ(agent_of("ZOLOFT"), "sertraline");
    EXPECT_EQ(agent_of("  zoloft  "), "sertraline");
    EXPECT_EQ(agent_of("st johns wort"), "st_johns_wort");
    EXPECT_EQ(agent_of("ST. JOHN'S WORT"), "st_johns_wort");
    EXPECT_EQ(agent_of("5 htp"), "five_htp");
    EXPECT_EQ(agent_of("5HTP"), "five_htp");
}

TEST(Resolver, DiacriticsDoNotMatter) {
    EXPECT_EQ(agent_of("ibuprofene"), "ibuprofen");
    EXPECT_EQ(agent_of("IBUPROFÈNE"), "ibuprofen");
    EXPECT_EQ(agent_of("sértraline"), "sertraline");
}

TEST(Resolver, InputIsKeptTrimmed) {
    const Resolver& resolver = setup().resolver;
    EXPECT_EQ(resolver.resolve("  Zoloft\t").input, "Zoloft");
}

TEST(Resolver, RxnormCodeMapsToAgent) {
    const auto& [kb, resolver] = setup();
    const Resolution r = resolver.resolve("rxnorm:36437");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(kb.agent(*r.agent).id, "sertraline");
    EXPECT_EQ(r.matched_kind, NameKind::rxnorm);
    EXPECT_EQ(r.matched, "rxnorm:36437");
    EXPECT_EQ(agent_of("RxNorm:36437"), "sertraline");
    EXPECT_EQ(agent_of("rxnorm:99999"), "(unresolved)");
}

TEST(Resolver, AtcCodeMapsToAgent) {
    const auto& [kb, resolver] = setup();
    const Resolution r = resolver.resolve("atc:N06AB06");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(kb.agent(*r.agent).id, "sertraline");
    EXPECT_EQ(r.matched_kind, NameKind::atc);
    EXPECT_EQ(r.matched, "atc:N06AB06");
    EXPECT_EQ(agent_of("ATC:n06ab06"), "sertraline");
}

TEST(Resolver, CodeWithDoseTextDoesNotResolve) {
    // A code is matched whole; "rxnorm:36437 50 mg" is not a code.
    EXPECT_EQ(agent_of("rxnorm:36437 50 mg"), "(unresolved)");
}

TEST(Resolver, DoseAndFormTextIsKeptAsDetail) {
    const auto& [kb, resolver] = setup();
    const Resolution r = resolver.resolve("sertraline 50 mg tablet");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(kb.agent(*r.agent).id, "sertraline");
    EXPECT_EQ(r.matched_kind, NameKind::name);
    EXPECT_EQ(r.detail, "50 mg tablet");
}

TEST(Resolver, FormWordAloneIsKeptAsDetail) {
    const auto& [kb, resolver] = setup();
    const Resolution r = resolver.resolve("tramadol ER");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(kb.agent(*r.agent).id, "tramadol");
    EXPECT_EQ(r.detail, "ER");
}

TEST(Resolver, BrandWithDoseKeepsDetail) {
    const Resolver& resolver = setup().resolver;
    const Resolution r = resolver.resolve("Zoloft 100mg");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(r.matched_kind, NameKind::brand);
    EXPECT_EQ(r.detail, "100mg");
}

TEST(Resolver, MultiWordNameWithDoseKeepsDetail) {
    const auto& [kb, resolver] = setup();
    const Resolution r = resolver.resolve("vitamin K 10 mg");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(kb.agent(*r.agent).id, "vitamin_k");
    EXPECT_EQ(r.detail, "10 mg");
}

TEST(Resolver, NameGluedToADoseResolves) {
    const auto& [kb, resolver] = setup();
    const Resolution r = resolver.resolve("tramadol50mg");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(kb.agent(*r.agent).id, "tramadol");
    EXPECT_EQ(r.detail, "50mg");
}

TEST(Resolver, NonDoseTailDoesNotResolve) {
    const Resolver& resolver = setup().resolver;
    // "vitamin K antagonist" names warfarin's class, not vitamin K.
    const Resolution r = resolver.resolve("vitamin k antagonist");
    EXPECT_FALSE(r.agent.has_value());
    EXPECT_EQ(r.input, "vitamin k antagonist");
    EXPECT_EQ(agent_of("tramadol extra"), "(unresolved)");
}

TEST(Resolver, SaltNameAfterTheIngredientIsKeptAsDetail) {
    const Resolution r = setup().resolver.resolve("tramadol hydrochloride 50 mg");
    EXPECT_EQ(agent_of("tramadol hydrochloride 50 mg"), "tramadol");
    EXPECT_EQ(r.detail, "hydrochloride 50 mg");
}

TEST(Resolver, MisspellingGetsSuggestions) {
    const Resolver& resolver = setup().resolver;
    const Resolution r = resolver.resolve("sertaline");
    EXPECT_FALSE(r.agent.has_value());
    EXPECT_EQ(r.suggestions, (std::vector<std::string>{"sertraline"}));
}

TEST(Resolver, SuggestionsNameEachAgentOnceGenericNameWinningTies) {
    const Resolver& resolver = setup().resolver;
    // "sertralin" is one edit from both the name "sertraline" and the synonym "sertralina".
    EXPECT_EQ(resolver.suggest("sertralin"), (std::vector<std::string>{"sertraline"}));
}

TEST(Resolver, SuggestionsAreOrderedByDistance) {
    const Resolver& resolver = setup().resolver;
    // "tramadl" is one edit from tramadol; "tamadl" two; the 7-letter input allows one.
    EXPECT_EQ(resolver.suggest("tramadl"), (std::vector<std::string>{"tramadol"}));
    EXPECT_TRUE(resolver.suggest("tamadl").empty());
}

TEST(Resolver, MisspeltBrandIsSuggestedWithItsAgent) {
    const Resolver& resolver = setup().resolver;
    const Resolution r = resolver.resolve("Zolfot");
    EXPECT_FALSE(r.agent.has_value());
    EXPECT_EQ(r.suggestions, (std::vector<std::string>{"Zoloft (sertraline)"}));
}

TEST(Resolver, TypedPrefixIsSuggested) {
    const Resolver& resolver = setup().resolver;
    EXPECT_EQ(resolver.suggest("trama"), (std::vector<std::string>{"tramadol"}));
}

TEST(Resolver, DistantNameGetsNoSuggestion) {
    const Resolver& resolver = setup().resolver;
    const Resolution r = resolver.resolve("paracetamol");
    EXPECT_FALSE(r.agent.has_value());
    EXPECT_TRUE(r.suggestions.empty());
    EXPECT_TRUE(r.hint.empty());
}

TEST(Resolver, SuggestionsAreBestFirstAndRespectTheLimit) {
    const Resolver& resolver = setup().resolver;
    // "duoxetine" is one edit from duloxetine and two from fluoxetine.
    EXPECT_EQ(resolver.suggest("duoxetine"),
              (std::vector<std::string>{"duloxetine", "fluoxetine"}));
    EXPECT_EQ(resolver.suggest("duoxetine", 1), (std::vector<std::string>{"duloxetine"}));
}

TEST(Resolver, PreparationWordsAfterANameAreKeptAsDetail) {
    const Resolution r = setup().resolver.resolve("tramadol extract 50 mg");
    ASSERT_TRUE(r.agent.has_value());
    EXPECT_EQ(r.detail, "extract 50 mg");
}

TEST(Resolver, LeadingWordsThatNameAnAgentBecomeTheFirstSuggestion) {
    const Resolution r = setup().resolver.resolve("tramadol extended thing");
    EXPECT_FALSE(r.agent.has_value());
    ASSERT_FALSE(r.suggestions.empty());
    EXPECT_EQ(r.suggestions.front(), "tramadol");
}

TEST(Resolver, ClassNameGetsAHint) {
    const Resolver& resolver = setup().resolver;
    const Resolution r = resolver.resolve("SSRI");
    EXPECT_FALSE(r.agent.has_value());
    EXPECT_NE(r.hint.find("'SSRI' is a class (selective serotonin reuptake inhibitor)"),
              std::string::npos)
        << r.hint;
    EXPECT_NE(r.hint.find("combocheck explain ssri"), std::string::npos) << r.hint;
    EXPECT_FALSE(resolver.resolve("selective serotonin reuptake inhibitor").hint.empty());
}

TEST(Resolver, EmptyInputDoesNotResolve) {
    const Resolver& resolver = setup().resolver;
    for (const char* input : {"", "   ", "\t"}) {
        const Resolution r = resolver.resolve(input);
        EXPECT_FALSE(r.agent.has_value()) << "'" << input << "'";
        EXPECT_EQ(r.input, "");
        EXPECT_TRUE(r.suggestions.empty());
        EXPECT_TRUE(r.hint.empty());
    }
}

TEST(Resolver, PunctuationOnlyInputDoesNotResolve) {
    EXPECT_EQ(agent_of("--"), "(unresolved)");
    EXPECT_EQ(agent_of("50 mg"), "(unresolved)");
}

}  // namespace
}  // namespace combocheck
