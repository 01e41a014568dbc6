// Tests engine/batch/pipeline.cpp: a whole run gives, for every list, the record a single check
// of that list gives, whatever the number of threads and however the names meet in the
// per-thread cache of resolutions.
#include "batch/pipeline.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "loader.hpp"
#include "report.hpp"

namespace combocheck::batch {
namespace {

struct Shared {
    const KnowledgeBase kb = load_embedded_knowledge();
    const Resolver resolver{kb};
};

const Shared& setup() {
    static const Shared instance;
    return instance;
}

// A JSON string for names made of letters, digits, spaces and hyphens (no escaping needed).
std::string quoted(const std::string& name) {
    return '"' + name + '"';
}

// Lists whose names meet in the cache in every way: one list of thousands of distinct names
// (so that several of them share a slot of the direct-mapped cache within the one list, and the
// later ones must not replace the earlier ones), then short lists drawn from the same names (so
// that names are found in the cache, and replaced there, from list to list).
std::vector<std::vector<std::string>> lists_of(const KnowledgeBase& kb) {
    std::vector<std::string> pool;
    for (const Agent& a : kb.agents())
        pool.push_back(a.name);
    for (int i = 0; i < 2500; ++i)
        pool.push_back("notanagent" + std::to_string(i));
    for (std::size_t i = 0; i < kb.agents().size(); i += 7)
        pool.push_back(kb.agents()[i].name + " 10 mg");
    std::vector<std::vector<std::string>> lists{pool};
    std::mt19937 random(5);
    for (int n = 0; n < 400; ++n) {
        std::vector<std::string>& list = lists.emplace_back();
        const std::size_t size = 2 + random() % 12;
        for (std::size_t k = 0; k < size; ++k)
            list.push_back(pool[random() % pool.size()]);
    }
    return lists;
}

// Each line of `out` is the record a single check of lists[i] gives, with the id "l<i>".
void expect_records_of_single_checks(const std::string& out,
                                     const std::vector<std::vector<std::string>>& lists) {
    const Shared& s = setup();
    std::istringstream lines(out);
    std::string line;
    for (std::size_t i = 0; i < lists.size(); ++i) {
        ASSERT_TRUE(std::getline(lines, line)) << "no record for list " << i;
        std::string expected;
        append_json_line(expected, s.kb, "l" + std::to_string(i),
                         check_names(s.kb, s.resolver, lists[i]));
        expected.pop_back();  // the newline getline took
        EXPECT_EQ(line, expected) << "list " << i;
    }
    EXPECT_FALSE(std::getline(lines, line)) << "a record too many";
}

// A file for a test, removed when the test ends.
class TempFile {
  public:
    explicit TempFile(const std::string& name)
        : path_(std::filesystem::temp_directory_path() /
                ("combocheck-batch-run-" + std::to_string(::getpid()) + "-" + name)) {}
    ~TempFile() { std::filesystem::remove(path_); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    std::string path() const { return path_.string(); }

  private:
    std::filesystem::path path_;
};

void write_jsonl(const TempFile& file, const std::vector<std::vector<std::string>>& lists,
                 std::size_t first, std::size_t end) {
    std::ofstream out(file.path());
    for (std::size_t i = first; i < end; ++i) {
        out << "{\"id\":\"l" << i << "\",\"agents\":[";
        for (std::size_t k = 0; k < lists[i].size(); ++k)
            out << (k > 0 ? "," : "") << quoted(lists[i][k]);
        out << "]}\n";
    }
}

RunResult run(const std::vector<std::string>& inputs, unsigned jobs, std::string& out) {
    const Shared& s = setup();
    std::ostringstream stream;
    const auto output = make_output(OutputFormat::jsonl, stream, s.kb);
    RunOptions options;
    options.jobs = jobs;
    options.chunk_lists = 16;
    RunResult result = run_batch(inputs, s.kb, s.resolver, *output, options);
    out = stream.str();
    return result;
}

class BatchRun : public ::testing::TestWithParam<unsigned> {};

TEST_P(BatchRun, EveryRecordIsTheRecordOfASingleCheckOfItsList) {
    const std::vector<std::vector<std::string>> lists = lists_of(setup().kb);
    const TempFile input("lists-" + std::to_string(GetParam()) + ".jsonl");
    write_jsonl(input, lists, 0, lists.size());
    std::string out;
    const RunResult result = run({input.path()}, GetParam(), out);
    EXPECT_TRUE(result.input_errors.empty());
    EXPECT_EQ(result.summary.lists, lists.size());
    expect_records_of_single_checks(out, lists);
}

TEST_P(BatchRun, FilesOfDifferentFormatsGiveTheirRecordsInTurn) {
    // JSON Lines go to the workers as lines, other formats as records read: a run that goes
    // from one to the other keeps the order of the lists.
    const std::vector<std::vector<std::string>> lists = lists_of(setup().kb);
    const std::string tag = std::to_string(GetParam());
    const TempFile first("first-" + tag + ".csv"), middle("middle-" + tag + ".jsonl"),
        last("last-" + tag + ".csv");
    const std::size_t cut1 = 101, cut2 = 250;
    const auto write_csv = [&lists](const TempFile& file, std::size_t from, std::size_t end) {
        std::ofstream out(file.path());
        out << "id,agent\n";
        for (std::size_t i = from; i < end; ++i) {
            for (const std::string& name : lists[i])
                out << 'l' << i << ",\"" << name << "\"\n";
        }
    };
    write_csv(first, 0, cut1);
    write_jsonl(middle, lists, cut1, cut2);
    write_csv(last, cut2, lists.size());
    std::string out;
    const RunResult result = run({first.path(), middle.path(), last.path()}, GetParam(), out);
    EXPECT_TRUE(result.input_errors.empty());
    EXPECT_EQ(result.summary.lists, lists.size());
    expect_records_of_single_checks(out, lists);
}

INSTANTIATE_TEST_SUITE_P(Jobs, BatchRun, ::testing::Values(1u, 2u));

}  // namespace
}  // namespace combocheck::batch
