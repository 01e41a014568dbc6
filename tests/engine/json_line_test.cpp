// Batch JSON lines: assembled by hand with remembered findings, they must say exactly what
// `check --format json` says, for every list, the first time and every time after.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

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
