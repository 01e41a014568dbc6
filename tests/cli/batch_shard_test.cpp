// `combocheck batch -` on a JSON Lines input split into parts, run in parallel, gives the same
// records as one run over the whole input: what Hadoop Streaming and Spark `pipe` rely on.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "support/run.hpp"

namespace {

using combocheck::testing::run;
using combocheck::testing::RunResult;

// Names as people type them: generics, brands, synonyms, dose text, case, misspellings, a
// non-ASCII spelling, a quote to escape, and names the knowledge base does not know.
// clang-format off
const std::vector<std::string> kNames{
    "sertraline", "Zoloft", "tramadol 50 mg", "5-HTP", "warfarin", "Coumadin", "aspirin 81 mg",
    "ibuprofen", "Advil", "St John's wort", "lisinopril", "amlodipine", "metformin", "METFORMIN",
    "Lipitor", "atorvastatin", "simvastatin", "clarithromycin", "alprazolam", "alcohol",
    "grapefruit juice", "paracetamol", "fluoxetine", "linezolid", "lithium", "hydrochlorothiazide",
    "omeprazole", "clopidogrel", "Ibuprofène", "sertralinne", "metforin", "tramdol", "xyzzy",
    "Dr. \\\"Bob\\\"'s tonic", "levothyroxine", "ondansetron", "methadone", "caffeine",
    "melatonin", "ciprofloxacin"};
// clang-format on

struct Line {
    std::string text;
    bool positional_id = false;  // no id can be read from it: its record's id is its number
};

// A deterministic, varied input: mostly lists with ids, some without, some malformed; or, with
// `clean`, only well-formed lists with ids. std::minstd_rand's sequence is fixed by the
// standard; no distribution is used.
std::vector<Line> make_input(std::size_t n, bool clean) {
    std::minstd_rand random(clean ? 7 : 20240611);
    const auto below = [&](std::uint32_t k) { return static_cast<std::uint32_t>(random() % k); };
    std::vector<Line> lines;
    for (std::size_t i = 0; i < n; ++i) {
        std::string names;
        const std::uint32_t size = 1 + below(9);
        for (std::uint32_t k = 0; k < size; ++k) {
            names += (k == 0 ? "\"" : ",\"") + kNames[below(kNames.size())] + "\"";
        }
        const std::string id = "\"id\":\"p" + std::to_string(i + 1) + "\"";
        const std::uint32_t kind = clean ? 0 : below(100);
        if (kind < 84) {
            lines.push_back({"{" + id + ",\"agents\":[" + names + "]}", false});
        } else if (kind < 89) {
            lines.push_back({"{\"agents\":[" + names + "]}", true});
        } else if (kind < 93) {
            lines.push_back({"[" + names + "]", true});
        } else if (kind < 95) {
            lines.push_back(
                {"{\"id\":" + std::to_string(900000 + i) + ",\"agents\":[" + names + "]}", false});
        } else if (kind < 97) {  // cut short: not JSON, so no id can be read
            const std::string full = "{" + id + ",\"agents\":[" + names + "]}";
            lines.push_back(
                {full.substr(0, 1 + below(static_cast<std::uint32_t>(full.size() - 2))), true});
        } else if (kind < 98) {
            lines.push_back({"{" + id + ",\"agents\":\"warfarin\"}", false});
        } else if (kind < 99) {
            lines.push_back({"{" + id + ",\"agents\":[]}", false});
        } else {
            lines.push_back({"{" + id + ",\"agents\":[\"warfarin\",42]}", false});
        }
    }
    return lines;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
        lines.push_back(text.substr(start, end - start));
    if (start < text.size()) lines.push_back(text.substr(start));
    return lines;
}

// A part's record as the whole run numbers it: a part starting at input line `offset + 1` counts
// its lines (and the ids it gives lists without one) from 1, the whole run from `offset + 1`.
// Written back through RapidJSON, like the whole run's records (see canonical), so that only
// content is compared.
std::string rebased(const std::string& record, std::size_t offset, std::size_t number,
                    bool positional_id) {
    rapidjson::Document doc;
    doc.Parse(record.c_str());
    EXPECT_FALSE(doc.HasParseError()) << record;
    if (doc.HasParseError() || !doc.IsObject()) return record;
    if (positional_id && doc.HasMember("id") && doc["id"].IsString()) {
        EXPECT_EQ(doc["id"].GetString(), std::to_string(number)) << record;
        doc["id"].SetString(std::to_string(offset + number).c_str(), doc.GetAllocator());
    }
    if (doc.HasMember("line") && doc["line"].IsUint64()) {
        doc["line"].SetUint64(doc["line"].GetUint64() + offset);
    }
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> writer(out);
    doc.Accept(writer);
    return out.GetString();
}

std::string canonical(const std::string& record) {
    return rebased(record, 0, 0, false);
}

struct Part {
    int exit_code = -1;
    std::string out;
    std::string err;
};

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `combocheck batch -` on each part at once, each part on its own standard input, as
// Streaming mappers do. One shell starts them: run() is not made for calls from several threads
// (the pipes of one call would be inherited by a child that another call forks meanwhile, and two
// children could then wait for each other's end of input).
std::vector<Part> run_parts_in_parallel(const std::vector<Line>& input,
                                        const std::vector<std::size_t>& cuts) {
    namespace fs = std::filesystem;
    const fs::path dir =
        fs::path(::testing::TempDir()) / ("combocheck_shard_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::string script = "cd \"$1\" || exit 9; pids=";
    for (std::size_t p = 0; p + 1 < cuts.size(); ++p) {
        std::ofstream part(dir / ("part" + std::to_string(p)), std::ios::binary);
        for (std::size_t i = cuts[p]; i < cuts[p + 1]; ++i)
            part << input[i].text << "\n";
        const std::string n = std::to_string(p);
        script += "; \"$0\" batch --input-format jsonl - <part" + n + " >out" + n + " 2>err" + n +
                  " & pids=\"$pids $!\"";
    }
    script += "; p=0; for pid in $pids; do wait $pid; echo $? >status$p; p=$((p + 1)); done";
    const RunResult shell = run("/bin/sh", {"-c", script, COMBOCHECK_BINARY, dir.string()});
    EXPECT_EQ(shell.exit_code, 0) << shell.err;
    std::vector<Part> parts;
    for (std::size_t p = 0; p + 1 < cuts.size(); ++p) {
        const std::string n = std::to_string(p);
        Part part;
        const std::string status = read_file(dir / ("status" + n));
        part.exit_code = status.empty() ? -1 : std::stoi(status);
        part.out = read_file(dir / ("out" + n));
        part.err = read_file(dir / ("err" + n));
        parts.push_back(std::move(part));
    }
    fs::remove_all(dir);
    return parts;
}

std::string text_of(const std::vector<Line>& lines) {
    std::string text;
    for (const Line& line : lines)
        text += line.text + "\n";
    return text;
}

// Four parts of uneven size, cut at line ends, as a file system splits a file.
std::vector<std::size_t> cuts_of(std::size_t n) {
    return {0, n * 7 / 30, n / 2, n * 47 / 60, n};
}

TEST(CliBatchShard, PartsOfListsWithIdsConcatenateToTheWholeRunByteForByte) {
    const std::vector<Line> input = make_input(2000, true);
    const std::vector<std::size_t> cuts = cuts_of(input.size());
    const std::vector<Part> parts = run_parts_in_parallel(input, cuts);
    const RunResult whole =
        run(COMBOCHECK_BINARY, {"batch", "--input-format", "jsonl", "-"}, text_of(input));
    EXPECT_EQ(whole.exit_code, 0) << whole.err;
    ASSERT_EQ(split_lines(whole.out).size(), input.size()) << "one record per input line";

    std::string concatenated;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        EXPECT_EQ(parts[p].exit_code, 0) << "part " << p << ": " << parts[p].err;
        EXPECT_EQ(split_lines(parts[p].out).size(), cuts[p + 1] - cuts[p]) << "part " << p;
        concatenated += parts[p].out;
    }
    EXPECT_EQ(concatenated, whole.out);
}

TEST(CliBatchShard, PartsOfMixedInputDifferFromTheWholeRunOnlyInPositions) {
    const std::vector<Line> input = make_input(3000, false);
    const std::vector<std::size_t> cuts = cuts_of(input.size());
    const std::vector<Part> parts = run_parts_in_parallel(input, cuts);
    const RunResult whole =
        run(COMBOCHECK_BINARY, {"batch", "--input-format", "jsonl", "-"}, text_of(input));
    EXPECT_EQ(whole.exit_code, 0) << whole.err;
    const std::vector<std::string> expected = split_lines(whole.out);
    ASSERT_EQ(expected.size(), input.size()) << "one record per input line";

    std::string concatenated;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        EXPECT_EQ(parts[p].exit_code, whole.exit_code) << "part " << p << ": " << parts[p].err;
        EXPECT_EQ(split_lines(parts[p].out).size(), cuts[p + 1] - cuts[p]) << "part " << p;
        concatenated += parts[p].out;
    }

    // Lists that carry their own id give byte-identical records, wherever the cut falls.
    const std::vector<std::string> got = split_lines(concatenated);
    ASSERT_EQ(got.size(), expected.size());
    std::size_t byte_identical = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (input[i].positional_id || got[i].find("\"line\":") != std::string::npos) continue;
        EXPECT_EQ(got[i], expected[i]) << "input line " << i + 1;
        ++byte_identical;
    }
    EXPECT_GT(byte_identical, input.size() * 3 / 4);

    // Error records and lists without an id differ by position only: line numbers, and the
    // record number that stands in for a missing id, count from the start of each part.
    std::string rebased_parts, canonical_whole;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        const std::vector<std::string> records = split_lines(parts[p].out);
        for (std::size_t i = 0; i < records.size(); ++i) {
            rebased_parts +=
                rebased(records[i], cuts[p], i + 1, input[cuts[p] + i].positional_id) + "\n";
        }
    }
    for (const std::string& record : expected)
        canonical_whole += canonical(record) + "\n";
    EXPECT_EQ(rebased_parts, canonical_whole);
}

}  // namespace
