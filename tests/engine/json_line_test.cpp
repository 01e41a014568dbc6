// Batch JSON lines: assembled by hand with remembered findings, they must say exactly what
// `check --format json` says, for every list, the first time and every time after.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/internal/dtoa.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "checker_support.hpp"
#include "detail/json_raw.hpp"
#include "loader.hpp"
#include "report.hpp"

namespace combocheck {
namespace {

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document d;
    d.Parse(text.c_str());
    EXPECT_FALSE(d.HasParseError()) << text.substr(0, 200);
    return d;
}

// Names as people type them: real names, brands, dose text, odd characters and unknown names.
std::vector<std::string> random_names(const KnowledgeBase& kb, std::mt19937& random) {
    static const std::vector<std::string> odd = {"tramadol 50 mg",
                                                 "Zoloft",
                                                 "St. John's Wort",
                                                 "sertralinne",
                                                 "a \"quoted\" name",
                                                 "tab\there",
                                                 "ctrl\x01char",
                                                 "ibuprofen 400mg tablet",
                                                 "APAP",
                                                 "rxnorm:36437"};
    std::uniform_int_distribution<std::size_t> any_agent(0, kb.agents().size() - 1);
    std::uniform_int_distribution<std::size_t> any_odd(0, odd.size() - 1);
    std::uniform_int_distribution<int> size(1, 14);
    std::uniform_int_distribution<int> coin(0, 9);
    std::vector<std::string> names;
    for (int n = size(random); n > 0; --n) {
        if (coin(random) == 0) {
            names.push_back(odd[any_odd(random)]);
        } else {
            names.push_back(kb.agents()[any_agent(random)].name);
        }
    }
    return names;
}

TEST(JsonLine, SaysWhatCheckJsonSaysForManyLists) {
    const KnowledgeBase& kb = load_embedded_knowledge();
    const Resolver resolver(kb);
    const RuleIndex index(kb);
    std::mt19937 random(7);
    std::size_t findings = 0;
    for (int list = 0; list < 1500; ++list) {
        const CheckReport report = check_names(kb, resolver, random_names(kb, random), &index);
        std::ostringstream pretty;
        write_json(pretty, kb, report);
        rapidjson::Document expected = parse(pretty.str());
        expected.RemoveMember("schema");
        // Twice: the second time the findings come from the cache.
        for (int pass = 0; pass < 2; ++pass) {
            std::string line;
            append_json_line(line, kb, "p\"1", report);
            ASSERT_EQ(line.back(), '\n');
            ASSERT_EQ(line.find('\n'), line.size() - 1) << "one line per list";
            rapidjson::Document got = parse(line);
            ASSERT_TRUE(got.HasMember("id"));
            EXPECT_STREQ(got["id"].GetString(), "p\"1");
            got.RemoveMember("id");
            ASSERT_TRUE(got == expected) << "list " << list << ": " << line.substr(0, 300);
        }
        findings += report.result.findings.size();
    }
    EXPECT_GT(findings, 500u);
}

TEST(JsonLine, EntriesMadeBeforehandGiveTheSameLines) {
    // A batch run makes each name's entry once and hands the entries to the writers.
    const KnowledgeBase& kb = load_embedded_knowledge();
    const Resolver resolver(kb);
    const RuleIndex index(kb);
    std::mt19937 random(11);
    std::size_t unresolved = 0;
    for (int list = 0; list < 800; ++list) {
        const CheckReport report = check_names(kb, resolver, random_names(kb, random), &index);
        std::vector<const Resolution*> names;
        for (const Resolution& r : report.resolutions) {
            names.push_back(&r);
            unresolved += r.agent ? 0 : 1;
        }
        for (const bool brief : {false, true}) {
            std::vector<std::string> made;
            for (const Resolution& r : report.resolutions) {
                made.emplace_back();
                append_name_entry(made.back(), kb, r, brief);
            }
            const std::vector<std::string_view> entries(made.begin(), made.end());
            std::string expected, got;
            if (brief) {
                append_brief_json_line(expected, kb, "p1", names, report.result);
                append_brief_json_line(got, kb, "p1", names, report.result, entries);
            } else {
                append_json_line(expected, kb, "p1", names, report.result);
                append_json_line(got, kb, "p1", names, report.result, entries);
            }
            ASSERT_EQ(got, expected) << "list " << list << (brief ? " (brief)" : "");
        }
    }
    EXPECT_GT(unresolved, 100u);
}

TEST(JsonLine, NumbersAreWhatRapidJsonWritesHoweverOftenTheyRecur) {
    // put_double() remembers what it converted, by the number's bits, in a few places that
    // numbers share: more numbers than places, in random order, so that places are taken over.
    std::vector<double> values = {0.0,   -0.0,          1.0,       0.5,    1.5,
                                  2.0,   0.25,          0.1,       1e-7,   1e21,
                                  -3.75, 123456789.125, 1.0 / 3.0, 5e-324, 1.7976931348623157e308};
    for (int i = 1; i <= 300; ++i)
        values.push_back(i * 0.05);
    std::mt19937 random(7);
    std::uniform_int_distribution<std::size_t> any(0, values.size() - 1);
    for (int round = 0; round < 20000; ++round) {
        const double value = values[any(random)];
        char buffer[32];
        const char* end = rapidjson::internal::dtoa(value, buffer);
        std::string written;
        detail::RawWriter w(written, 8);
        detail::put_double(w, value);
        w.done();
        ASSERT_EQ(written, std::string(static_cast<const char*>(buffer), end)) << value;
    }
}

TEST(JsonLine, EveryCharacterThatNeedsEscapingIsEscapedWhereverItIs) {
    // Strings are scanned sixteen bytes, then eight, at a time: each character that JSON
    // requires escaped, at each place of strings of every length across those blocks.
    const KnowledgeBase& kb = load_embedded_knowledge();
    for (const char special : {'"', '\\', '\x01', '\x1f', '\n', '\t'}) {
        for (std::size_t length = 1; length <= 40; ++length) {
            for (std::size_t at = 0; at < length; ++at) {
                std::string text(length, 'x');
                text[at] = special;
                Resolution r;
                r.input = text;
                const Resolution* names[] = {&r};
                std::string line;
                append_brief_json_line(line, kb, text, names, CheckResult{});
                const rapidjson::Document got = parse(line);
                ASSERT_TRUE(got.IsObject()) << line;
                EXPECT_EQ(std::string(got["id"].GetString(), got["id"].GetStringLength()), text);
                const auto& input = got["unresolved"][0]["input"];
                EXPECT_EQ(std::string(input.GetString(), input.GetStringLength()), text);
            }
        }
    }
}

TEST(JsonLine, TwoCharactersThatNeedEscapingAreBothEscapedWhereverTheyAre) {
    // After the first, the scan goes on from the byte past it: in the middle of a block.
    const KnowledgeBase& kb = load_embedded_knowledge();
    for (std::size_t length = 2; length <= 40; ++length) {
        for (std::size_t first = 0; first < length; ++first) {
            for (std::size_t second = first + 1; second < length; ++second) {
                std::string text(length, 'x');
                text[first] = '"';
                text[second] = '\x02';
                std::string line;
                append_brief_json_line(line, kb, text, ResolvedNames{}, CheckResult{});
                const rapidjson::Document got = parse(line);
                ASSERT_TRUE(got.IsObject()) << line;
                EXPECT_EQ(std::string(got["id"].GetString(), got["id"].GetStringLength()), text);
            }
        }
    }
}

// A base whose agent "b" is named `b_name` and whose burden rule's texts are `load_text`, with a
// pharmacokinetic rule whose texts name the perpetrator and the victim.
KnowledgeBase texts_kb(const std::string& b_name, const std::string& load_text) {
    using checker_tests::acts;
    using checker_tests::rule;
    using checker_tests::serotonin;
    using checker_tests::substrate;
    testing::MiniKb kb;
    kb.agents =
        testing::agent("strong_inh", "drug", acts("cyp3a4", "inhibits", "strong")) + ",\n" +
        testing::agent("sens", "drug", serotonin("3") + "," + substrate("cyp3a4", "sensitive")) +
        ",\n" + testing::agent("sero_a", "drug", serotonin("3")) + ",\n" +
        R"({ "id": "b", "name": ")" + b_name + R"(", "kind": "drug", "effects": [)" +
        serotonin("3") + "] }";
    kb.rules = rule("load", "burden", "serotonin_syndrome", checker_tests::kLoadBody, load_text) +
               ",\n" +
               rule("cyp_inhibition", "pharmacokinetic", "increased_exposure",
                    R"("mode": "inhibition",
                "severity": { "strong": { "sensitive": "major" } },
                "exposure_scale": { "strong": { "sensitive": 2.0 } })",
                    R"({perpetrator} raises \"{victim}\" \\ via {system}\t{agents})");
    return kb.load();
}

TEST(JsonLine, TextsAreWhatDescribeFillsIn) {
    // Written from pieces cut at the placeholders, or, where a brace could make describe()'s
    // filling in differ (a brace in a name, a brace that is no placeholder), by describe().
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"(b \"q\")", R"({agents} \"on\" {system} \\ {agents}{system})"},
        {"b", "{agents}} on {system}"},
        {"b", "{agents} on {system}: a } alone"},
        {"b{system}", "{agents} on {system}"},
    };
    for (const auto& [b_name, load_text] : cases) {
        const KnowledgeBase kb = texts_kb(b_name, load_text);
        std::vector<AgentId> agents;
        for (const char* id : {"strong_inh", "sens", "sero_a", "b"})
            agents.push_back(testing::id_of(kb, id));
        const CheckResult result = check_list(kb, agents);
        ASSERT_EQ(result.findings.size(), 2u) << load_text;
        std::string line;
        append_json_line(line, kb, "x", ResolvedNames{}, result);
        const rapidjson::Document got = parse(line);
        for (std::size_t i = 0; i < result.findings.size(); ++i) {
            const FindingText text = describe(kb, result.findings[i]);
            const auto& finding = got["findings"][static_cast<rapidjson::SizeType>(i)];
            EXPECT_EQ(finding["title"].GetString(), text.title) << load_text;
            EXPECT_EQ(finding["explanation"].GetString(), text.explanation) << load_text;
            EXPECT_EQ(finding["advice"].GetString(), text.advice) << load_text;
        }
    }
}

TEST(JsonLine, ContributionsAlikeButForOneFieldAreEachWrittenAsTheyAre) {
    // A full record remembers contributions' objects and the ends of their paths by what they are
    // made from: findings that differ from one another in a single field, written one after
    // another, must each come out as the check report writes them.
    const KnowledgeBase& kb = load_embedded_knowledge();
    const Resolver resolver(kb);
    const CheckReport report = check_names(kb, resolver, {"sertraline", "tramadol", "fluoxetine"});
    const auto burden = std::find_if(
        report.result.findings.begin(), report.result.findings.end(), [&](const Finding& f) {
            return kb.rule(f.rule).kind == RuleKind::burden && !f.contributions.empty() &&
                   f.contributions[0].effect != nullptr;
        });
    ASSERT_NE(burden, report.result.findings.end());
    const auto unweighted = std::find_if(kb.rules().begin(), kb.rules().end(), [](const Rule& r) {
        return r.kind != RuleKind::burden && r.kind != RuleKind::opposition;
    });
    ASSERT_NE(unweighted, kb.rules().end());
    const Finding& base = *burden;
    const AgentId other_agent = testing::id_of(kb, "warfarin");
    const Effect* other_effect = &kb.agent(other_agent).effects.at(0);

    std::vector<Finding> variants;
    const auto vary = [&](auto change) {
        Finding v = base;
        change(v.contributions[0], v);
        variants.push_back(v);
    };
    vary([](Contribution&, Finding&) {});
    vary([](Contribution& c, Finding&) { c.weight += 0.5; });
    vary([](Contribution& c, Finding&) { c.weight = 0.0; });
    vary([](Contribution& c, Finding&) { c.weight = -0.0; });
    vary([](Contribution& c, Finding&) { c.exposure_scale = 2; });
    vary([](Contribution& c, Finding&) { c.exposure_scale = 4; });
    vary([](Contribution& c, Finding&) { c.role = Role::victim; });
    vary([](Contribution& c, Finding&) { c.via.push_back(ClassId{0}); });
    vary([](Contribution& c, Finding&) { c.via.push_back(ClassId{1}); });
    vary([](Contribution& c, Finding&) { c.via.assign(12, ClassId{1}); });
    vary([&](Contribution& c, Finding&) { c.agent = other_agent; });
    vary([&](Contribution& c, Finding&) { c.effect = other_effect; });
    vary([](Contribution& c, Finding&) { c.effect = nullptr; });
    vary([](Contribution&, Finding& f) { f.severity = Severity::minor; });
    vary([&](Contribution&, Finding& f) {
        f.rule = RuleId{static_cast<std::uint32_t>(unweighted - kb.rules().begin())};
    });
    for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t i = 0; i < variants.size(); ++i) {
            CheckReport one;
            one.result.findings = {variants[i]};
            std::ostringstream pretty;
            write_json(pretty, kb, one);
            const rapidjson::Document expected = parse(pretty.str());
            std::string line;
            append_json_line(line, kb, "x", one);
            const rapidjson::Document got = parse(line);
            ASSERT_TRUE(got["findings"] == expected["findings"])
                << "variant " << i << ", pass " << pass << ": " << line.substr(0, 1500);
        }
    }
}

TEST(JsonLine, ErrorLineCarriesWhereAndWhy) {
    std::string line;
    append_json_error_line(line, "7", "lists.jsonl", 12, "not JSON");
    const rapidjson::Document d = parse(line);
    EXPECT_STREQ(d["file"].GetString(), "lists.jsonl");
    EXPECT_EQ(d["line"].GetUint64(), 12u);
    EXPECT_STREQ(d["error"].GetString(), "not JSON");
    EXPECT_TRUE(d.HasMember("disclaimer"));
}

}  // namespace
}  // namespace combocheck
