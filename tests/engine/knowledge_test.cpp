// Tests engine/knowledge.cpp: name normalisation and the derived tables (inheritance, membership).
#include "knowledge.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loader.hpp"
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

// normalize_name as it reads in its comment, one character at a time with no short cut for
// ASCII: the oracle for normalize_name and NameKey.
std::string reference_key(std::string_view name) {
    // ASCII folding of U+00C0..U+017F ('\0': dropped, '*': two letters), as knowledge.cpp has it.
    const std::string_view latin1{
        "aaaaaa*ceeeeiiiidnooooo\0ouuuuy**aaaaaa*ceeeeiiiidnooooo\0ouuuuy*y", 64};
    const std::string_view latin_extended_a =
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkkllllllllllnnnnnnnnnoooooo**rrrrrr"
        "ssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
    std::string out;
    for (std::size_t i = 0; i < name.size();) {
        // One UTF-8 sequence; an invalid byte alone is U+FFFD. Overlong forms decode.
        const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(name[k]); };
        const unsigned char lead = byte(i);
        const std::size_t n = lead < 0x80                   ? 1
                              : lead >= 0xC0 && lead < 0xE0 ? 2
                              : lead >= 0xE0 && lead < 0xF0 ? 3
                              : lead >= 0xF0 && lead < 0xF8 ? 4
                                                            : 0;
        char32_t c = 0xFFFD;
        std::size_t length = 1;
        if (n != 0 && i + n <= name.size()) {
            char32_t decoded = n == 1 ? lead : lead & (0x7F >> n);
            std::size_t k = 1;
            for (; k < n && (byte(i + k) & 0xC0) == 0x80; ++k)
                decoded = (decoded << 6) | (byte(i + k) & 0x3F);
            if (k == n) {
                c = decoded;
                length = n;
            }
        }
        const std::string_view bytes = name.substr(i, length);
        i += length;
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += static_cast<char>(c);
            continue;
        }
        char folded = 0;
        if (c >= 0xC0 && c <= 0xFF) folded = latin1[c - 0xC0];
        if (c >= 0x100 && c <= 0x17F) folded = latin_extended_a[c - 0x100];
        if (folded == '*') {
            out += c == 0xC6 || c == 0xE6     ? "ae"
                   : c == 0xDE || c == 0xFE   ? "th"
                   : c == 0xDF                ? "ss"
                   : c == 0x132 || c == 0x133 ? "ij"
                                              : "oe";
        } else if (folded != 0) {
            out += folded;
        } else if (c == 0xD7 || c == 0xF7 || c == 0xA0 || c == 0xAD || c == 0xAE || c == 0xA9 ||
                   c == 0xB7 || c == 0x2122 || (c >= 0x2000 && c <= 0x206F) || c == 0xFFFD ||
                   (c >= 0x80 && c < 0xC0)) {
            // symbols and punctuation
        } else {
            out += bytes;
        }
    }
    return out;
}

// UTF-8 of a code point, in the shortest form or (bytes > shortest) an overlong one.
std::string utf8(char32_t c, std::size_t bytes = 0) {
    if (bytes == 0) bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (bytes == 1) return std::string(1, static_cast<char>(c));
    std::string out(bytes, '\0');
    for (std::size_t k = bytes; k-- > 1; c >>= 6)
        out[k] = static_cast<char>(0x80 | (c & 0x3F));
    out[0] = static_cast<char>((0xFF00 >> bytes) | c);
    return out;
}

// Names to normalise: every name of the built-in knowledge base; every code point up to U+024F
// and a few beyond, alone and between words, overlong, surrogate and out-of-range forms;
// invalid and cut-off sequences; random bytes, mostly ASCII.
std::vector<std::string> names_to_normalise() {
    std::vector<std::string> names;
    const KnowledgeBase kb = load_embedded_knowledge();
    for (const Agent& a : kb.agents()) {
        names.push_back(a.id);
        names.push_back(a.name);
        for (const auto* list : {&a.synonyms, &a.brands, &a.abbreviations})
            names.insert(names.end(), list->begin(), list->end());
    }
    for (const Class& c : kb.classes()) {
        names.push_back(c.id);
        names.push_back(c.name);
    }
    std::vector<char32_t> code_points;
    for (char32_t c = 0; c < 0x250; ++c)
        code_points.push_back(c);
    for (const char32_t c :
         {0x391u, 0x3B1u, 0x416u, 0x2000u, 0x2019u, 0x206Fu, 0x2070u, 0x2122u, 0x3042u, 0xD800u,
          0xDFFFu, 0xFEFFu, 0xFFFDu, 0x1F48Au, 0x10FFFFu, 0x110000u, 0x1FFFFFu}) {
        code_points.push_back(c);
    }
    for (const char32_t c : code_points) {
        for (std::size_t bytes = 0; bytes <= 4; ++bytes) {
            if (bytes != 0 && (bytes == 1 ? c >= 0x80 : c >= (char32_t{1} << (5 * bytes + 1))))
                continue;
            const std::string s = utf8(c, bytes);
            names.push_back(s);
            names.push_back("Ab" + s + " 5 mg");
            names.push_back(s + s.substr(0, s.size() - 1) + "x");  // the second one cut off
        }
    }
    for (const char* bytes : {"\x80", "\xBF", "\xC0", "\xC1\x81", "\xF5\x80\x80\x80", "\xFF",
                              "\xE0\x80", "\xF0\x9F\x92", "\xED\xA0\x80", "\xEF\xBF\xBD"}) {
        names.push_back(std::string("tramadol") + bytes + " 50 mg");
        names.push_back(std::string(bytes) + "Zoloft" + bytes);
    }
    std::mt19937 random(20240612);
    const auto below = [&](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
    };
    for (int i = 0; i < 20000; ++i) {
        std::string s(below(24), ' ');
        for (char& c : s)
            c = static_cast<char>(below(3) == 0 ? 0x80 + below(0x80) : below(0x80));
        names.push_back(s);
    }
    return names;
}

TEST(NormalizeName, IsTheCharacterByCharacterFolding) {
    for (const std::string& name : names_to_normalise())
        ASSERT_EQ(normalize_name(name), reference_key(name)) << "'" << name << "'";
}

TEST(NameKey, KeysOfLeadingPartsArePrefixesOfTheWholeKey) {
    // One object for every name, as the resolver keeps one per thread: what a longer name left
    // in its buffers must not show through.
    NameKey keys;
    EXPECT_EQ(keys.key(), "");
    std::size_t cuts = 0;
    for (const std::string& name : names_to_normalise()) {
        keys.assign(name);
        ASSERT_EQ(keys.key(), reference_key(name)) << "'" << name << "'";
        for (std::size_t bytes = 0; bytes <= name.size(); ++bytes) {
            if (bytes < name.size() && static_cast<unsigned char>(name[bytes]) >= 0x80) continue;
            ASSERT_EQ(keys.key_of_first(bytes), reference_key(name.substr(0, bytes)))
                << "'" << name << "' cut after " << bytes << " bytes";
            ++cuts;
        }
    }
    EXPECT_GT(cuts, 100000u);
    EXPECT_EQ(NameKey("St. John's Wort 300 mg").key_of_first(15), "stjohnswort");
}

TEST(SanitizeUtf8, KeepsAsciiAndReplacesAnInvalidByteWherever) {
    for (std::size_t size = 0; size <= 40; ++size) {
        std::string ascii(size, 'a');
        for (std::size_t i = 0; i < size; ++i)
            ascii[i] = static_cast<char>(i * 37 % 0x80);
        EXPECT_EQ(sanitize_utf8(ascii), ascii);
        for (std::size_t at = 0; at < size; ++at) {
            std::string invalid = ascii;
            invalid[at] = '\xFF';
            EXPECT_EQ(sanitize_utf8(invalid),
                      ascii.substr(0, at) + "\xEF\xBF\xBD" + ascii.substr(at + 1))
                << size << " " << at;
        }
    }
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

TEST(Knowledge, LookupNameFindsEveryNameAndNothingElse) {
    KnowledgeBase loaded = load_embedded_knowledge();
    // Moved: lookup_name's table points into the name index, which must move along.
    const KnowledgeBase kb = std::move(loaded);
    const auto& index = kb.name_index();
    ASSERT_GT(index.size(), 1000u);
    const auto expected = [&index](const std::string& key) -> const NameEntry* {
        const auto it = index.find(key);
        return it == index.end() ? nullptr : &it->second;
    };
    std::size_t found = 0;
    for (const auto& [key, entry] : index) {
        ASSERT_EQ(kb.lookup_name(key), &entry) << key;
        // Near misses: cut short, longer, one byte changed.
        for (std::size_t size = 0; size < key.size(); ++size)
            ASSERT_EQ(kb.lookup_name(key.substr(0, size)), expected(key.substr(0, size)));
        for (const std::string& longer : {key + "5", key + "mg", "x" + key, key + key}) {
            ASSERT_EQ(kb.lookup_name(longer), expected(longer)) << longer;
            found += expected(longer) != nullptr;
        }
        std::string changed = key;
        changed[changed.size() / 2] ^= 1;
        ASSERT_EQ(kb.lookup_name(changed), expected(changed)) << changed;
    }
    EXPECT_GT(found, 0u);  // some longer keys are names too
    EXPECT_EQ(kb.lookup_name(""), nullptr);
    EXPECT_EQ(kb.lookup_name(std::string(100, 'a')), nullptr);
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
