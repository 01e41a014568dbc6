// Tests engine/resolver.cpp: names, brands, codes and dose text to agents; suggestions and hints.
#include "resolver.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "loader.hpp"
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

// The optimal string alignment distance from the whole table, without band or limit.
std::size_t full_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    // One flat table (kept between calls: the test asks for millions of cells).
    thread_local std::vector<std::size_t> table;
    table.resize((n + 1) * (m + 1));
    std::size_t* const d = table.data();
    const std::size_t w = m + 1;  // d[i * w + j]: the distance between a[0, i) and b[0, j)
    for (std::size_t i = 0; i <= n; ++i)
        d[i * w] = i;
    for (std::size_t j = 0; j <= m; ++j)
        d[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            std::size_t best = d[(i - 1) * w + j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            if (d[(i - 1) * w + j] + 1 < best) best = d[(i - 1) * w + j] + 1;
            if (d[i * w + j - 1] + 1 < best) best = d[i * w + j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[(i - 2) * w + j - 2] + 1 < best) {
                best = d[(i - 2) * w + j - 2] + 1;
            }
            d[i * w + j] = best;
        }
    }
    return d[n * w + m];
}

// The oracle for suggestions: every name compared through the whole table, then the rules as
// they read (within about one edit in four characters, or a typed prefix of four or more
// characters; one name per agent, the generic name winning ties; best first). Unlimited: the
// first `limit` of it is what suggest(input, limit) must give.
std::vector<std::string> reference_suggestions(const KnowledgeBase& kb, std::string_view input) {
    const std::string key = normalize_name(input);
    if (key.empty()) return {};
    const std::size_t bound = std::clamp<std::size_t>(key.size() / 4, 1, 3);
    struct Candidate {
        std::size_t distance;
        NameKind kind;
        std::string shown;
    };
    std::map<std::uint32_t, Candidate> best;
    for (const auto& [name, entry] : kb.name_index()) {
        if (entry.kind == NameKind::rxnorm || entry.kind == NameKind::atc) continue;
        // Lengths further apart than that are as many edits apart: the table would say so.
        const std::size_t gap =
            name.size() > key.size() ? name.size() - key.size() : key.size() - name.size();
        std::size_t d = gap > bound ? gap : full_distance(key, name);
        if (d > bound && key.size() >= 4 && name.compare(0, key.size(), key) == 0) d = bound;
        if (d > bound) continue;
        const Agent& agent = kb.agent(entry.agent);
        Candidate c{
            d, entry.kind,
            entry.kind == NameKind::name ? agent.name : entry.written + " (" + agent.name + ")"};
        const auto [it, inserted] = best.try_emplace(index_of(entry.agent), c);
        if (!inserted && std::tie(c.distance, c.kind, c.shown) <
                             std::tie(it->second.distance, it->second.kind, it->second.shown)) {
            it->second = c;
        }
    }
    std::vector<Candidate> ranked;
    for (auto& [agent, c] : best)
        ranked.push_back(std::move(c));
    std::sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(a.distance, a.shown) < std::tie(b.distance, b.shown);
    });
    std::vector<std::string> out;
    for (const Candidate& c : ranked)
        out.push_back(c.shown);
    return out;
}

// Seeded inputs: every agent name and brand of the built-in knowledge base with one to three
// typing errors, prefixes, random text with and without non-ASCII bytes, and edge cases.
std::vector<std::string> generated_inputs(const KnowledgeBase& kb) {
    std::mt19937 random(20240611);
    const auto below = [&](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
    };
    const std::string letters = "abcdefghijklmnopqrstuvwxyz";
    const auto misspell = [&](std::string s) {
        const std::size_t edits = 1 + below(3);
        for (std::size_t e = 0; e < edits; ++e) {
            const std::size_t at = s.empty() ? 0 : below(s.size());
            switch (below(4)) {
                case 0:
                    s.insert(at, 1, letters[below(letters.size())]);
                    break;
                case 1:
                    if (!s.empty()) s.erase(at, 1);
                    break;
                case 2:
                    if (!s.empty()) s[at] = letters[below(letters.size())];
                    break;
                default:
                    if (at + 1 < s.size()) std::swap(s[at], s[at + 1]);
            }
        }
        return s;
    };
    const auto random_text = [&](std::string_view alphabet, std::size_t max_length) {
        std::string s(below(max_length + 1), ' ');
        for (char& c : s)
            c = alphabet[below(alphabet.size())];
        return s;
    };
    std::vector<std::string> inputs{"", "   ", "-", "a", "ab", "abc", "abcd", "sert", "zzzz"};
    for (const Agent& agent : kb.agents()) {
        inputs.push_back(misspell(agent.name));
        for (const std::string& brand : agent.brands)
            inputs.push_back(misspell(brand));
        const std::string key = normalize_name(agent.name);
        if (!key.empty()) inputs.push_back(key.substr(0, 1 + below(key.size())));
    }
    const std::string ascii = letters + "0123456789 -'.";
    const std::string non_ascii[] = {"\xC3\xA9", "\xD0\xB0", "\xE3\x82\xBB", "\xF0\x9F\x92\x8A",
                                     "\xFF",     "\x80",     "\xC3",         "\xED\xA0\x80"};
    for (int i = 0; i < 200; ++i) {
        inputs.push_back(random_text(ascii, 16));
        std::string s = misspell(kb.agents()[below(kb.agents().size())].name);
        s.insert(below(s.size() + 1), non_ascii[below(std::size(non_ascii))]);
        inputs.push_back(s);
        std::string bytes(1 + below(12), ' ');
        for (char& c : bytes)
            c = static_cast<char>(below(256));
        inputs.push_back(bytes);
    }
    inputs.push_back(std::string(10000, 'a'));
    inputs.push_back(random_text(letters, 10000));
    inputs.push_back("sertraline" + std::string(10000, 'e'));
    std::string repeated;
    while (repeated.size() < 10000)
        repeated += "tramadol";
    inputs.push_back(repeated);
    return inputs;
}

TEST(Resolver, SuggestionsAreThoseOfAFullScanWithTheWholeDistanceTable) {
    static const KnowledgeBase kb = load_embedded_knowledge();
    const Resolver resolver(kb);
    const std::vector<std::string> inputs = generated_inputs(kb);
    ASSERT_GT(inputs.size(), 2000u);
    std::size_t suggested = 0;
    for (const std::string& input : inputs) {
        const std::vector<std::string> expected = reference_suggestions(kb, input);
        suggested += !expected.empty();
        for (const std::size_t limit : {0, 1, 3, 5}) {
            const std::vector<std::string> first(
                expected.begin(), expected.begin() + std::min(limit, expected.size()));
            ASSERT_EQ(resolver.suggest(input, limit), first) << "'" << input << "' limit " << limit;
        }
    }
    // Most inputs are near a name: the comparison is not between two empty lists.
    EXPECT_GT(suggested, inputs.size() / 2);
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
