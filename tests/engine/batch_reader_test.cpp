// Tests engine/batch/: the text, CSV, TSV, JSON and JSON Lines readers and format detection.
#include "batch/reader.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace combocheck::batch {
namespace {

using Names = std::vector<std::string>;

std::vector<ListRecord> read_all(const std::string& text, InputFormat format,
                                 const ReaderOptions& options = {}) {
    std::istringstream in(text);
    auto reader = open_reader(in, "in.dat", format, options);
    std::vector<ListRecord> records;
    ListRecord record;
    while (reader->next(record))
        records.push_back(record);
    return records;
}

// --- plain text ---

TEST(BatchReader, TextLinesReadTheWholeInputAsOneList) {
    const auto records =
        read_all("# patient 7\nsertraline\n\n  tramadol  \n", InputFormat::text_lines);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].agents, (Names{"sertraline", "tramadol"}));
    EXPECT_EQ(records[0].error, "");
    EXPECT_EQ(records[0].line, 2u);
    EXPECT_EQ(records[0].file, "in.dat");
}

TEST(BatchReader, TextLinesTakeTheirIdFromTheFileName) {
    std::istringstream in("aspirin\n");
    auto reader = open_reader(in, "lists/patient42.txt", InputFormat::text_lines);
    ListRecord record;
    ASSERT_TRUE(reader->next(record));
    EXPECT_EQ(record.id, "patient42");
    EXPECT_FALSE(reader->next(record));
}

TEST(BatchReader, AnEmptyTextListIsOneErrorRecord) {
    const auto records = read_all("# nothing\n\n", InputFormat::text_lines);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].error, "empty list");
}

TEST(BatchReader, BadEncodingInATextLineSpoilsItsListWithTheLine) {
    const auto records = read_all(
        "aspirin\nwar\xff"
        "farin\n",
        InputFormat::text_lines);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].error, "line 2: invalid UTF-8");
    EXPECT_TRUE(records[0].agents.empty());
}

TEST(BatchReader, TextListsSplitOnSemicolonsElseOnCommas) {
    const auto records = read_all("a; b, c\n\n# comment\nd, e\r\n", InputFormat::text_lists);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].agents, (Names{"a", "b, c"}));
    EXPECT_EQ(records[0].id, "1");
    EXPECT_EQ(records[1].agents, (Names{"d", "e"}));
    EXPECT_EQ(records[1].id, "2");
    EXPECT_EQ(records[1].line, 4u);
}

TEST(BatchReader, ByteOrderMarkAndCrlfAreAccepted) {
    const auto records = read_all(
        "\xEF\xBB\xBF"
        "a;b\r\nc;d\r\n",
        InputFormat::text_lists);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].agents, (Names{"a", "b"}));
    EXPECT_EQ(records[1].agents, (Names{"c", "d"}));
}

TEST(BatchReader, AHugeLineIsAnErrorRecordAndReadingGoesOn) {
    ReaderOptions options;
    options.max_line_bytes = 64;
    const auto text = "a;b\n" + std::string(10000, 'x') + ";y\nc;d\n";
    const auto records = read_all(text, InputFormat::text_lists, options);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1].error, "line longer than 64 bytes");
    EXPECT_EQ(records[1].line, 2u);
    EXPECT_EQ(records[2].agents, (Names{"c", "d"}));
}

TEST(BatchReader, ALineOfOnlySeparatorsIsAnEmptyList) {
    const auto records = read_all(" ; ;\nx\n", InputFormat::text_lists);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].error, "empty list");
    EXPECT_EQ(records[1].agents, (Names{"x"}));
}

// --- CSV and TSV ---

TEST(BatchReader, CsvRowsPerAgentAreGroupedByConsecutiveId) {
    const auto records = read_all(
        "patient,drug,dose\np1,sertraline,50\np1,tramadol,50\np2,aspirin,100\n", InputFormat::csv);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].id, "p1");
    EXPECT_EQ(records[0].agents, (Names{"sertraline", "tramadol"}));
    EXPECT_EQ(records[0].line, 2u);
    EXPECT_EQ(records[1].id, "p2");
    EXPECT_EQ(records[1].line, 4u);
}

TEST(BatchReader, CsvRowsPerListSplitTheAgentCell) {
    const auto records = read_all("ID,Medications\n1,\"a; b\"\n2,c|d\n", InputFormat::csv);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].agents, (Names{"a", "b"}));
    EXPECT_EQ(records[1].agents, (Names{"c", "d"}));
}

TEST(BatchReader, ARepeatedCsvIdAfterAnotherStartsANewRecord) {
    const auto records = read_all("id,agent\np1,a\np2,b\np1,c\n", InputFormat::csv);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[2].id, "p1");
    EXPECT_EQ(records[2].agents, (Names{"c"}));
}

TEST(BatchReader, CsvQuotingFollowsRfc4180) {
    const auto records =
        read_all("id,agent\n\"p,1\",\"say \"\"hi\"\"\"\n\"p2\",\"two\nlines\"\r\np3,plain\n",
                 InputFormat::csv);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].id, "p,1");
    EXPECT_EQ(records[0].agents, (Names{"say \"hi\""}));
    EXPECT_EQ(records[1].agents, (Names{"two\nlines"}));
    EXPECT_EQ(records[1].line, 3u);
    EXPECT_EQ(records[2].line, 5u);
}

TEST(BatchReader, CsvQuotingMistakesAreErrorRecordsOfTheirOwn) {
    const auto records =
        read_all("id,agent\np1,\"a\"x\np2,b\np3,\"never closed\n", InputFormat::csv);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].error, "unexpected character after a closing quote");
    EXPECT_EQ(records[1].agents, (Names{"b"}));
    EXPECT_EQ(records[2].error, "unterminated quoted field");
    EXPECT_EQ(records[2].line, 4u);
}

TEST(BatchReader, ACsvRowWithTooFewFieldsIsAnErrorRecord) {
    const auto records = read_all("id,x,agent\np1\np2,,b\n", InputFormat::csv);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].error, "row has 1 fields; 3 needed");
    EXPECT_EQ(records[1].agents, (Names{"b"}));
}

TEST(BatchReader, BadEncodingInACsvAgentSpoilsItsWholeList) {
    const auto records = read_all("id,agent\np1,a\np1,\xC3\x28\np2,b\n", InputFormat::csv);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].error, "line 3: invalid UTF-8");
    EXPECT_TRUE(records[0].agents.empty());
    EXPECT_EQ(records[1].error, "");
}

TEST(BatchReader, ACsvHeaderWithoutKnownColumnsIsOneErrorRecord) {
    const auto records = read_all("who,what\np1,a\np2,b\n", InputFormat::csv);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].error, "no id column in the header (name one)");
}

TEST(BatchReader, ANamedCsvColumnThatIsMissingIsOneErrorRecord) {
    ReaderOptions options;
    options.id_column = "patient";
    options.agent_column = "Drug Name";
    EXPECT_EQ(read_all("patient,drug\np1,a\n", InputFormat::csv, options).at(0).error,
              "no column 'Drug Name'");
    const auto records = read_all("Patient,drug_name\np1,a\n", InputFormat::csv, options);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].agents, (Names{"a"}));
}

TEST(BatchReader, AnEmptyCsvInputIsOneErrorRecord) {
    EXPECT_EQ(read_all("", InputFormat::csv).at(0).error, "no header row");
    EXPECT_TRUE(read_all("id,agent\n", InputFormat::csv).empty());
}

TEST(BatchReader, TsvReadsLikeCsvWithTabsAndABom) {
    const auto records = read_all(
        "\xEF\xBB\xBFsubject\tsubstance\r\ns1\tethanol\r\n\r\ns1\tdiazepam\r\n", InputFormat::tsv);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].agents, (Names{"ethanol", "diazepam"}));
}

// --- JSON Lines ---

TEST(BatchReader, JsonLinesReadOneListPerLine) {
    const auto records = read_all(
        "{\"id\": \"p1\", \"agents\": [\"a\", \"b\"]}\r\n\n{\"id\": 7, \"agents\": [\"c\"]}\n"
        "[\"d\"]\n",
        InputFormat::jsonl);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].id, "p1");
    EXPECT_EQ(records[1].id, "7");
    EXPECT_EQ(records[1].line, 3u);
    EXPECT_EQ(records[2].id, "3");
    EXPECT_EQ(records[2].agents, (Names{"d"}));
}

TEST(BatchReader, JsonLinesWithWrongTypesGiveErrorRecords) {
    const auto records = read_all(
        "{\"id\": true, \"agents\": [\"a\"]}\n{\"agents\": \"a\"}\n{\"agents\": [\"a\", 3]}\n"
        "{\"id\": \"x\"}\n42\n{\"agents\": []}\n{\"agents\": [\"ok\"]}\n",
        InputFormat::jsonl);
    ASSERT_EQ(records.size(), 7u);
    EXPECT_EQ(records[0].error, "\"id\" is a boolean, not a string or a whole number");
    EXPECT_EQ(records[1].error, "\"agents\" is a string, not an array");
    EXPECT_EQ(records[2].error, "agent 2 is a number, not a string");
    EXPECT_EQ(records[3].error, "no \"agents\"");
    EXPECT_EQ(records[4].error,
              "a list is a number, not an array of names or an object with \"agents\"");
    EXPECT_EQ(records[5].error, "empty list");
    EXPECT_EQ(records[6].error, "");
    EXPECT_EQ(records[6].id, "7");
}

// The JSON Lines reader reads each line from the parser's events. This oracle reads it from a
// parsed tree, the plain way, with the messages the reader promises.
ListRecord read_line_with_tree(const std::string& line, std::size_t number) {
    ListRecord out;
    out.id = std::to_string(number);
    out.file = "in.dat";
    out.line = number;
    rapidjson::Document doc;
    doc.Parse(line.data(), line.size());
    const auto type = [](const rapidjson::Value& v) -> std::string {
        if (v.IsNull()) return "null";
        if (v.IsBool()) return "a boolean";
        if (v.IsNumber()) return "a number";
        if (v.IsString()) return "a string";
        return v.IsArray() ? "an array" : "an object";
    };
    if (doc.HasParseError()) {
        out.error =
            std::string("invalid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError());
        return out;
    }
    const rapidjson::Value* agents = &doc;
    if (doc.IsObject()) {
        if (const auto id = doc.FindMember("id"); id != doc.MemberEnd()) {
            if (id->value.IsString()) {
                out.id.assign(id->value.GetString(), id->value.GetStringLength());
            } else if (id->value.IsUint64()) {
                out.id = std::to_string(id->value.GetUint64());
            } else if (id->value.IsInt64()) {
                out.id = std::to_string(id->value.GetInt64());
            } else {
                out.error = "\"id\" is " + type(id->value) + ", not a string or a whole number";
                return out;
            }
        }
        const auto found = doc.FindMember("agents");
        if (found == doc.MemberEnd()) {
            out.error = "no \"agents\"";
            return out;
        }
        agents = &found->value;
    } else if (!doc.IsArray()) {
        out.error =
            "a list is " + type(doc) + ", not an array of names or an object with \"agents\"";
        return out;
    }
    if (!agents->IsArray()) {
        out.error = "\"agents\" is " + type(*agents) + ", not an array";
        return out;
    }
    std::size_t index = 0;
    for (const auto& agent : agents->GetArray()) {
        ++index;
        if (!agent.IsString()) {
            out.error = "agent " + std::to_string(index) + " is " + type(agent) + ", not a string";
            out.agents.clear();
            return out;
        }
        std::string name(agent.GetString(), agent.GetStringLength());
        name.erase(0, name.find_first_not_of(" \t\r\n"));
        name.erase(name.find_last_not_of(" \t\r\n") + 1);
        if (!name.empty()) out.agents.push_back(name);
    }
    if (out.agents.empty()) out.error = "empty list";
    return out;
}

TEST(BatchReader, JsonLinesReadAsATreeWouldReadThem) {
    // Lines built from pieces that exercise every check: repeated and nested members, ids of
    // every type, agents of every type, elements of every type, broken and trailing text.
    const std::vector<std::string> values{"null",        "true",
                                          "false",       "0",
                                          "-0",          "7",
                                          "-7",          "4294967296",
                                          "-4294967296", "18446744073709551615",
                                          "1e400",       "1.5",
                                          "\"x\"",       "\" \"",
                                          "\"\"",        "\"a\\u0000b\"",
                                          "[]",          "{}",
                                          "[\"a\"]",     "{\"agents\":[\"z\"]}",
                                          "[[\"a\"]]"};
    const std::vector<std::string> keys{"\"id\"", "\"agents\"", "\"other\"", "\"ID\""};
    std::mt19937 random(7);
    const auto pick = [&random](const std::vector<std::string>& from) {
        return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(random)];
    };
    const auto array = [&] {
        std::string text = "[";
        const int n = std::uniform_int_distribution<int>(0, 4)(random);
        for (int i = 0; i < n; ++i) {
            if (i > 0) text += ',';
            text += random() % 3 == 0 ? pick(values) : "\" name" + std::to_string(i) + " \"";
        }
        return text + "]";
    };
    std::string input;
    std::vector<std::string> lines;
    for (int i = 0; i < 4000; ++i) {
        std::string line;
        switch (random() % 4) {
            case 0:
                line = array();
                break;
            case 1:
                line = pick(values);
                break;
            default: {
                line = "{";
                const int members = std::uniform_int_distribution<int>(0, 4)(random);
                for (int m = 0; m < members; ++m) {
                    if (m > 0) line += ',';
                    line += pick(keys) + ":" + (random() % 2 == 0 ? array() : pick(values));
                }
                line += "}";
            }
        }
        if (random() % 10 == 0) line.resize(random() % (line.size() + 1));  // truncated
        if (random() % 20 == 0) line += " x";                               // trailing text
        if (line.find_first_not_of(" \t\r") == std::string::npos) line = "[]";
        lines.push_back(line);
        input += line + "\n";
    }
    const auto records = read_all(input, InputFormat::jsonl);
    ASSERT_EQ(records.size(), lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const ListRecord expected = read_line_with_tree(lines[i], i + 1);
        SCOPED_TRACE(lines[i]);
        EXPECT_EQ(records[i].id, expected.id);
        EXPECT_EQ(records[i].agents, expected.agents);
        EXPECT_EQ(records[i].error, expected.error);
        EXPECT_EQ(records[i].line, expected.line);
    }
}

TEST(BatchReader, ABrokenJsonLineSpoilsOnlyItself) {
    const auto records =
        read_all("{\"agents\": [\"a\"\n{\"agents\": [\"b\xff\"]}\n{\"agents\": [\"c\"]}",
                 InputFormat::jsonl);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_NE(records[0].error.find("invalid JSON"), std::string::npos);
    EXPECT_EQ(records[1].error, "invalid UTF-8");
    EXPECT_EQ(records[2].agents, (Names{"c"}));
}

// --- JSON ---

TEST(BatchReader, JsonArraysHoldListsOfEitherForm) {
    const auto records = read_all(
        "\xEF\xBB\xBF[\r\n  [\"a\", \"b\"],\r\n  {\"id\": \"p2\", \"agents\": [\"c\"]}\r\n]\r\n",
        InputFormat::json);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].id, "1");
    EXPECT_EQ(records[0].agents, (Names{"a", "b"}));
    EXPECT_EQ(records[0].line, 2u);
    EXPECT_EQ(records[1].id, "p2");
    EXPECT_EQ(records[1].line, 3u);
}

TEST(BatchReader, JsonObjectsMapIdsToLists) {
    const auto records = read_all(
        "{\"p1\": [\"a\"], \"p\\u0032\": {\"agents\": [\"b\"]}, \"p3\": 5}", InputFormat::json);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].id, "p1");
    EXPECT_EQ(records[1].id, "p2");
    EXPECT_EQ(records[1].agents, (Names{"b"}));
    EXPECT_EQ(records[2].id, "p3");
    EXPECT_NE(records[2].error, "");
}

TEST(BatchReader, WrongJsonTypesSpoilOnlyTheirElement) {
    const auto records =
        read_all("[[\"a\"], [1, 2], \"x\", {\"agents\": null}, [\"b\\\"]\"], [\"c\xff\"]]",
                 InputFormat::json);
    ASSERT_EQ(records.size(), 6u);
    EXPECT_EQ(records[0].error, "");
    EXPECT_EQ(records[1].error, "agent 1 is a number, not a string");
    EXPECT_NE(records[2].error, "");
    EXPECT_EQ(records[3].error, "\"agents\" is null, not an array");
    EXPECT_EQ(records[4].agents, (Names{"b\"]"}));
    EXPECT_EQ(records[5].error, "invalid UTF-8");
}

TEST(BatchReader, TruncatedJsonEndsWithOneErrorRecord) {
    const auto records = read_all("[[\"a\"],\n[\"b\", \"c", InputFormat::json);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].agents, (Names{"a"}));
    EXPECT_EQ(records[1].error, "truncated input");
    EXPECT_EQ(records[1].line, 2u);
}

TEST(BatchReader, JsonThatIsNotAContainerIsOneErrorRecord) {
    EXPECT_EQ(read_all("", InputFormat::json).at(0).error, "empty input");
    EXPECT_EQ(read_all("\"x\"", InputFormat::json).at(0).error, "not a JSON array or object");
    EXPECT_TRUE(read_all("[]", InputFormat::json).empty());
    const auto records = read_all("[[\"a\"]] trailing", InputFormat::json);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1].error, "unexpected content after the end of the JSON");
}

TEST(BatchReader, AnOverlongJsonListIsAnErrorRecordAndReadingGoesOn) {
    ReaderOptions options;
    options.max_line_bytes = 32;
    const auto records = read_all("[[\"a\"], [\"" + std::string(1000, 'x') + "\"], [\"b\"]]",
                                  InputFormat::json, options);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1].error, "list longer than 32 bytes");
    EXPECT_EQ(records[2].agents, (Names{"b"}));
}

// --- detection ---

TEST(BatchReader, DetectionTrustsAKnownExtensionFirst) {
    EXPECT_EQ(detect_format("x.NDJSON", "[1]"), InputFormat::jsonl);
    EXPECT_EQ(detect_format("x.jsonl", ""), InputFormat::jsonl);
    EXPECT_EQ(detect_format("dir.v2/x.json", "a"), InputFormat::json);
    EXPECT_EQ(detect_format("x.csv", ""), InputFormat::csv);
    EXPECT_EQ(detect_format("x.tsv", ""), InputFormat::tsv);
    EXPECT_EQ(detect_format("x.txt", "a\nb\n"), InputFormat::text_lines);
    EXPECT_EQ(detect_format("x.txt", "# a, b\na; b\n"), InputFormat::text_lists);
}

TEST(BatchReader, DetectionSniffsContentWithoutAnExtension) {
    EXPECT_EQ(detect_format("-", "[[\"a\"]]\n"), InputFormat::json);
    EXPECT_EQ(detect_format("-", "{\"p1\": [\"a\"]}"), InputFormat::json);
    EXPECT_EQ(detect_format("-", "{\"id\": 1, \"agents\": []}"), InputFormat::jsonl);
    EXPECT_EQ(detect_format("-", "[\"a\"]\n[\"b\"]\n"), InputFormat::jsonl);
    EXPECT_EQ(detect_format("-", "\xEF\xBB\xBFid\tdrug\n"), InputFormat::tsv);
    EXPECT_EQ(detect_format("-", "Patient ID,Drug\n"), InputFormat::csv);
    EXPECT_EQ(detect_format("-", "aspirin, warfarin\n"), InputFormat::text_lists);
    EXPECT_EQ(detect_format("-", "aspirin\nwarfarin\n"), InputFormat::text_lines);
    EXPECT_EQ(detect_format("-", ""), std::nullopt);
    EXPECT_EQ(detect_format("-", std::string_view("a\0b", 3)), std::nullopt);
}

TEST(BatchReader, FormatNamesGoBothWays) {
    for (auto f : {InputFormat::text_lines, InputFormat::text_lists, InputFormat::csv,
                   InputFormat::tsv, InputFormat::json, InputFormat::jsonl}) {
        EXPECT_EQ(parse_input_format(to_string(f)), f);
    }
    EXPECT_EQ(parse_input_format("xml"), std::nullopt);
}

// --- property: as many records out as lists in ---

// A random list, written in each format; some lists are deliberately bad.
struct Generated {
    std::string text_lists, csv, jsonl, json;
    std::size_t lists = 0;
};

Generated generate(std::mt19937& random, std::size_t lists) {
    Generated g;
    g.lists = lists;
    g.json = "[";
    for (std::size_t i = 0; i < lists; ++i) {
        const auto id = "p" + std::to_string(i);
        const auto roll = random() % 10;
        Names agents;
        const auto count = roll == 0 ? 0 : 1 + random() % 4;
        for (std::size_t k = 0; k < count; ++k) {
            agents.push_back(roll == 1 ? "bad\xff" : "a" + std::to_string(random() % 50));
        }
        std::string joined, quoted;
        for (const auto& a : agents) {
            joined += (joined.empty() ? "" : ";") + a;
            quoted += (quoted.empty() ? "\"" : ",\"") + a + "\"";
        }
        g.text_lists +=
            (random() % 3 == 0 ? "# note\n\r\n" : "") + (joined.empty() ? ";" : joined) + "\n";
        g.csv += "\"" + id + "\",\"" + joined + "\"\r\n";
        const auto element = roll == 2 ? std::string("{\"agents\": 5}")
                                       : "{\"id\": \"" + id + "\", \"agents\": [" + quoted + "]}";
        g.jsonl += element + (random() % 4 == 0 ? "\n\n" : "\n");
        g.json += (i == 0 ? "\n" : ",\n") + element;
    }
    g.json += "\n]";
    return g;
}

TEST(BatchReader, EveryGeneratedListGivesExactlyOneRecordInOrder) {
    std::mt19937 random(5);
    for (int round = 0; round < 30; ++round) {
        const auto g = generate(random, random() % 40);
        const auto check = [&](const std::string& text, InputFormat format) {
            const auto records = read_all(text, format);
            ASSERT_EQ(records.size(), g.lists) << to_string(format) << " round " << round;
            for (std::size_t i = 1; i < records.size(); ++i) {
                EXPECT_LT(records[i - 1].line, records[i].line);
            }
        };
        check(g.text_lists, InputFormat::text_lists);
        check("id,agents\n" + g.csv, InputFormat::csv);
        check(g.jsonl, InputFormat::jsonl);
        check(g.json, InputFormat::json);
    }
}

}  // namespace
}  // namespace combocheck::batch
