// Tests engine/batch/pipeline.cpp: a whole run gives, for every list, the record a single check
// of that list gives, whatever the number of threads and however the names meet in the
// per-thread cache of resolutions.
#include "batch/pipeline.hpp"

#include <gtest/gtest.h>

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

class BatchRun : public ::testing::TestWithParam<unsigned> {};

TEST_P(BatchRun, EveryRecordIsTheRecordOfASingleCheckOfItsList) {
    const Shared& s = setup();
    const std::vector<std::vector<std::string>> lists = lists_of(s.kb);
    const std::filesystem::path input =
        std::filesystem::temp_directory_path() /
        ("combocheck-batch-run-" +
         std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
         std::to_string(GetParam()) + ".jsonl");
    {
        std::ofstream file(input);
        for (std::size_t i = 0; i < lists.size(); ++i) {
            file << "{\"id\":\"l" << i << "\",\"agents\":[";
            for (std::size_t k = 0; k < lists[i].size(); ++k)
                file << (k > 0 ? "," : "") << quoted(lists[i][k]);
            file << "]}\n";
        }
    }
    std::ostringstream out;
    const auto output = make_output(OutputFormat::jsonl, out, s.kb);
    RunOptions options;
    options.jobs = GetParam();
    options.chunk_lists = 16;
    const RunResult result = run_batch({input.string()}, s.kb, s.resolver, *output, options);
    std::filesystem::remove(input);
    EXPECT_TRUE(result.input_errors.empty());
    EXPECT_EQ(result.summary.lists, lists.size());

    std::istringstream lines(out.str());
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

INSTANTIATE_TEST_SUITE_P(Jobs, BatchRun, ::testing::Values(1u, 2u));

}  // namespace
}  // namespace combocheck::batch
