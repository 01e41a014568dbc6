// Tests engine/batch/detail/json_line_scanner.cpp: the scanner that reads the common shape of a
// JSON Lines list must give the record RapidJSON gives, for every line, or decline the line.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "batch/detail/input.hpp"
#include "loader.hpp"

namespace combocheck::batch::detail {
namespace {

// A line's bytes as read_json_line() takes them: then a '\0' and exactly kPadding more bytes, so
// that AddressSanitizer sees a read past them. The padding is quotes, which a scan that went past
// the '\0' would take for the end of a string.
class LineBytes {
  public:
    explicit LineBytes(const std::string& text) : bytes_(text.size() + 1 + kPadding, '"') {
        text.copy(bytes_.data(), text.size());
        bytes_[text.size()] = '\0';
    }
    JsonLine line(std::size_t record) {
        return JsonLine{bytes_.data(), bytes_.size() - 1 - kPadding, false, 3, record};
    }
    const std::vector<char>& bytes() const { return bytes_; }

  private:
    std::vector<char> bytes_;
};

std::string shown(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

// Reads `text` both ways and expects the same record; true when the scanner took the line. The
// scanner's record is reused from line to line, as the pipeline reuses it, so that a field left
// over from an earlier line shows.
bool expect_read_as_rapidjson_reads(const std::string& text, std::size_t record = 12) {
    ListRecord expected;
    LineBytes reference(text);
    read_json_line_with_rapidjson(reference.line(record), "in.jsonl", 1 << 20, expected);

    static ListRecord reused{"a long id from an earlier line", {"x", "y", "z"}, "f", 9, "e"};
    LineBytes fast(text);
    read_json_line(fast.line(record), "in.jsonl", 1 << 20, reused);
    EXPECT_EQ(reused.id, expected.id) << shown(text);
    EXPECT_EQ(reused.agents, expected.agents) << shown(text);
    EXPECT_EQ(reused.error, expected.error) << shown(text);
    EXPECT_EQ(reused.file, expected.file) << shown(text);
    EXPECT_EQ(reused.line, expected.line) << shown(text);

    // The scanner alone: it leaves the bytes as they were (RapidJSON, after it, reads them).
    LineBytes scanned(text);
    ListRecord out;
    const bool taken = scan_json_line(scanned.line(record), out);
    EXPECT_EQ(scanned.bytes(), LineBytes(text).bytes()) << shown(text);
    if (taken) {
        EXPECT_EQ(out.id, expected.id) << shown(text);
        EXPECT_EQ(out.agents, expected.agents) << shown(text);
        EXPECT_EQ(out.error, "") << shown(text);
    }
    return taken;
}

// Lines as make_lists writes them (names, brands, case, doses, slips of the keyboard), with the
// damage it does to some, and what other writers may do: spaces, member order, a number id,
// names with surrounding space, blank names, non-ASCII names.
std::vector<std::string> generated_lines(std::size_t count) {
    const KnowledgeBase& kb = load_embedded_knowledge();
    std::vector<std::string> names;
    for (const Agent& agent : kb.agents()) {
        names.push_back(agent.name);
        names.insert(names.end(), agent.brands.begin(), agent.brands.end());
    }
    const std::vector<std::string> odd = {" sertraline ",
                                          "",
                                          "  ",
                                          "Johanniskraut (Hypericum)",
                                          "caf\xC3\xA9ine",
                                          "\xE5\x8C\x97\xE4\xBA\xAC 5 mg",
                                          "warf\xC3rin",
                                          "St. John's Wort 300 mg daily"};
    std::mt19937 random(11);
    const auto below = [&random](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
    };
    std::vector<std::string> lines;
    for (std::size_t n = 0; n < count; ++n) {
        std::string agents = "[";
        for (std::size_t i = 0, size = 2 + below(14); i < size; ++i) {
            std::string name = below(20) == 0 ? odd[below(odd.size())] : names[below(names.size())];
            if (below(50) == 0 && name.size() > 3) std::swap(name[1], name[2]);
            if (below(5) == 0) name += " 50 mg";
            agents += (i == 0 ? "\"" : ",\"") + name + "\"";
        }
        agents += "]";
        const std::string id = "\"p" + std::to_string(100000 + n) + "\"";
        std::string line;
        switch (below(40)) {
            case 0:
                line = "{\"agents\":" + agents + ",\"id\":" + id + "}";
                break;
            case 1:
                line = "{ \"id\": " + std::to_string(n) + ", \"agents\": " + agents + " }";
                break;
            case 2:
                line = " {\"agents\" : " + agents + "}\t";
                break;
            case 3:
                line = "{\"id\":" + id + ",\"agents\":[]}";
                break;
            case 4:
                line = "{\"id\":" + id + ",\"agents\":\"aspirin\"}";
                break;
            case 5:
                line = agents;
                break;
            default:
                line = "{\"id\":" + id + ",\"agents\":" + agents + "}";
        }
        if (below(100) == 0) line.resize(1 + below(line.size() - 1));
        lines.push_back(line);
    }
    return lines;
}

TEST(JsonLineScanner, ReadsGeneratedListsAsRapidJsonDoes) {
    const auto lines = generated_lines(3000);
    std::size_t taken = 0;
    for (std::size_t i = 0; i < lines.size(); ++i)
        taken += expect_read_as_rapidjson_reads(lines[i], i + 1);
    // Most lines are of the common shape: the scanner, not RapidJSON, must read them.
    EXPECT_GT(taken, lines.size() * 8 / 10);
}

// Typical lines: the object of make_lists, spaced and reordered members, a bare
// array, names that cross the scanner's 16-byte blocks, and non-ASCII names.
const std::vector<std::string> kTypicalLines = {
    R"({"id":"p000123","agents":["sertraline 50 mg","Tramadol","ibuprofen"]})",
    R"( { "agents": [" warfarin ", "", "St. John's Wort"], "id": "42" } )",
    R"(["aspirin","Zoloft"])",
    R"({"agents":["a name of more than sixteen bytes","b","0123456789abcdef"],"id":"q"})",
    "{\"id\":\"\xC3\xA9\",\"agents\":[\"caf\xC3\xA9\",\"\xE5\x8C\x97\",\"\xF0\x9F\x92\x8A\"]}",
};

TEST(JsonLineScanner, TakesTheCommonShapes) {
    for (const std::string& line : kTypicalLines)
        EXPECT_TRUE(expect_read_as_rapidjson_reads(line)) << line;
}

TEST(JsonLineScanner, ReadsOddShapesAsRapidJsonDoes) {
    const std::vector<std::string> lines = {
        "",
        " ",
        "{}",
        "[]",
        "[\" \"]",
        "[\"\",\"\\t\"]",
        R"({"id":"x","agents":[]})",
        R"({"id":"x","agents":[" ",""]})",
        R"({"id":"x","agents":["a"],"id":"y"})",
        R"({"id":"x","agents":["a"],"agents":["b"]})",
        R"({"agents":["a"],"agents":[]})",
        R"({"id":"x","agents":["a"],"other":1})",
        R"({"other":{"agents":["z"]},"agents":["a"]})",
        R"({"id":7,"agents":["a"]})",
        R"({"id":-7,"agents":["a"]})",
        R"({"id":1.5,"agents":["a"]})",
        R"({"id":null,"agents":["a"]})",
        R"({"id":["x"],"agents":["a"]})",
        R"({"id":"x"})",
        R"({"id":"x","agents":"a"})",
        R"({"id":"x","agents":["a",3]})",
        R"({"id":"x","agents":["a",["b"]]})",
        R"({"id":"x","agents":["a"],})",
        R"({"id":"x","agents":["a",]})",
        R"({"id":"x","agents":["a"]} x)",
        R"({"id":"x","agents":["a"]}{})",
        R"({"id":"x","agents":["a"]}])",
        R"({"id":"x" "agents":["a"]})",
        R"({"id":"x","agents":["a" "b"]})",
        R"({"id" "x","agents":["a"]})",
        R"({"i\u0064":"x","agents":["a"]})",
        R"({"id":"x\"y","agents":["a"]})",
        R"({"id":"x","agents":["a\\b","c\n"]})",
        R"({"id":"x","agents":["a\u0000b"]})",
        R"({"ID":"x","agents":["a"]})",
        R"({"id":"x","Agents":["a"]})",
        R"({'id':"x","agents":["a"]})",
        R"(["a"],)",
        R"([["a"]])",
        R"(["a",{"b":1}])",
        std::string("{\"id\":\"x\",\"agents\":[\"a\"]}\0junk", 30),
        std::string("{\"id\":\"x\",\"agents\":[\"a\0b\"]}", 27),
        std::string("[\"a\"]\0", 6),
        "{\"id\":\"x\",\"agents\":[\"a\tb\"]}",
        "{\"id\":\"x\",\"agents\":[\"a\x7f\"]}",
        "{\"id\":\"x\",\"agents\":[\"\xC3\"]}",
        "{\"id\":\"x\",\"agents\":[\"\xC3x\"]}",
        "{\"id\":\"x\",\"agents\":[\"\xC0\x80\"]}",
        "{\"id\":\"x\",\"agents\":[\"\xED\xA0\x80\"]}",
        "{\"id\":\"x\",\"agents\":[\"\xF4\x90\x80\x80\"]}",
        "{\"id\":\"x\",\"agents\":[\"\xE2\x82\"]}",
        "{\"id\":\"x\",\"agents\":[\"\xFF\"]}",
        "{\"id\":\"\xC3\xA9\",\"agents\":[\"a\"]}",
        "{\"id\":\"\xC3\",\"agents\":[\"a\"]}",
        "{\"id\":\"x\",\"agents\":[\"a\"]}\xC3\xA9",
        "{\"id\":\"x\",\"agents\":[\"a\"]}\r",
        "\r\n{\"id\":\"x\",\"agents\":[\"a\"]}\n",
        "\xEF\xBB\xBF{\"id\":\"x\",\"agents\":[\"a\"]}",
    };
    for (const std::string& line : lines)
        expect_read_as_rapidjson_reads(line);
}

TEST(JsonLineScanner, LeavesAnOverlongLineToRapidJson) {
    ListRecord out;
    LineBytes bytes("");
    JsonLine line = bytes.line(5);
    line.too_long = true;
    EXPECT_FALSE(scan_json_line(line, out));
    read_json_line(line, "in.jsonl", 100, out);
    EXPECT_EQ(out.error, "line longer than 100 bytes");
    EXPECT_EQ(out.id, "5");
}

TEST(JsonLineScanner, ReadsEveryByteReplacedOrInsertedAsRapidJsonDoes) {
    static constexpr char kTricky[] =
        "\"\\{}[],: \t\r\0\x01\x7f\x80\xC3\xFF"
        "7a";
    const std::string tricky(kTricky, sizeof kTricky - 1);
    for (const std::string& typical : kTypicalLines) {
        for (std::size_t at = 0; at < typical.size(); ++at) {
            for (const char c : tricky) {
                std::string replaced = typical;
                replaced[at] = c;
                expect_read_as_rapidjson_reads(replaced);
                std::string inserted = typical;
                inserted.insert(at, 1, c);
                expect_read_as_rapidjson_reads(inserted);
            }
        }
    }
}

TEST(JsonLineScanner, ReadsEveryTruncationAndInsertedSpaceAsRapidJsonDoes) {
    for (const std::string& typical : kTypicalLines) {
        for (std::size_t length = 0; length <= typical.size(); ++length) {
            expect_read_as_rapidjson_reads(typical.substr(0, length));
            for (const char* space : {" ", "\t", "\r", "\n", " \t\r\n "}) {
                std::string line = typical;
                line.insert(length, space);
                expect_read_as_rapidjson_reads(line);
            }
        }
    }
}

TEST(JsonLineScanner, ReadsNonAsciiAtEveryPlaceInABlockAsRapidJsonDoes) {
    // Valid and broken UTF-8 at each offset of names as long as two of the scanner's blocks, in
    // the id and in a name, before and after a name that ends in the same block.
    for (const std::string bytes :
         {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x92\x8A", "\xC3", "\xE2\x82", "\x80", "\xFF"}) {
        for (std::size_t length = 0; length <= 34; ++length) {
            for (std::size_t at = 0; at <= length; ++at) {
                std::string name(length, 'n');
                name.insert(at, bytes);
                expect_read_as_rapidjson_reads("{\"id\":\"" + name + "\",\"agents\":[\"a\"]}");
                expect_read_as_rapidjson_reads("[\"" + name + "\",\"b\"]");
                expect_read_as_rapidjson_reads("[\"b\",\"" + name + "\"]");
            }
        }
    }
}

}  // namespace
}  // namespace combocheck::batch::detail
