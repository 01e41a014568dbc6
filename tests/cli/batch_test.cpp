// End-to-end tests of `combocheck batch`: one output line per input list, in order, nothing lost.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/run.hpp"

namespace {

using combocheck::testing::run;
using combocheck::testing::RunResult;

const std::string kBatchData = std::string(COMBOCHECK_TEST_DATA) + "/batch";

std::vector<rapidjson::Document> lines_of(const std::string& out) {
    std::vector<rapidjson::Document> docs;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
        docs.emplace_back();
        docs.back().Parse(line.c_str());
        EXPECT_FALSE(docs.back().HasParseError()) << line;
    }
    return docs;
}

TEST(CliBatch, JsonLinesGiveOneRecordPerListInOrderWithErrorRecords) {
    const std::string input =
        "{\"id\":\"p1\",\"agents\":[\"Zoloft\",\"tramadol 50 mg\",\"5-HTP\"]}\n"
        "{\"id\":\"p2\",\"agents\":\"warfarin\"}\n"
        "not json at all\n"
        "{\"id\":\"p4\",\"agents\":[\"amlodipine\",\"metformin\",\"sertralinne\"]}\n";
    const RunResult r = run(COMBOCHECK_BINARY, {"batch", "-"}, input);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto docs = lines_of(r.out);
    ASSERT_EQ(docs.size(), 4u);
    EXPECT_STREQ(docs[0]["id"].GetString(), "p1");
    EXPECT_STREQ(docs[0]["max_severity"].GetString(), "major");
    EXPECT_STREQ(docs[1]["id"].GetString(), "p2");
    EXPECT_EQ(docs[1]["line"].GetUint64(), 2u);
    EXPECT_TRUE(docs[1].HasMember("error"));
    EXPECT_EQ(docs[2]["line"].GetUint64(), 3u);
    EXPECT_TRUE(docs[2].HasMember("error"));
    EXPECT_STREQ(docs[3]["id"].GetString(), "p4");
    ASSERT_EQ(docs[3]["unresolved"].Size(), 1u);
    EXPECT_STREQ(docs[3]["unresolved"][0]["input"].GetString(), "sertralinne");
    for (const auto& d : docs)
        EXPECT_TRUE(d.HasMember("disclaimer"));
    EXPECT_NE(r.err.find("4 list(s) read, 2 could not be read"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("sertralinne"), std::string::npos) << r.err;
}

TEST(CliBatch, CsvRowsPerAgentAreGroupedByPatient) {
    const RunResult r = run(COMBOCHECK_BINARY, {"batch", kBatchData + "/lists.csv"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto docs = lines_of(r.out);
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_STREQ(docs[0]["id"].GetString(), "A");
    EXPECT_EQ(docs[0]["agents"].Size(), 3u);
    EXPECT_STREQ(docs[0]["max_severity"].GetString(), "major");
    EXPECT_STREQ(docs[1]["id"].GetString(), "B");
    EXPECT_STREQ(docs[1]["max_severity"].GetString(), "none");
}

TEST(CliBatch, DirectoriesAreReadInSortedOrderAndFailOnSetsTheExitCode) {
    const RunResult r = run(COMBOCHECK_BINARY, {"batch", "--fail-on", "major", kBatchData});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const auto docs = lines_of(r.out);
    ASSERT_EQ(docs.size(), 4u);  // lists.csv (2 lists), then lists.txt (2 lists)
    EXPECT_STREQ(docs[0]["id"].GetString(), "A");
    EXPECT_STREQ(docs[2]["id"].GetString(), "1");
    EXPECT_STREQ(docs[2]["agents"][0]["id"].GetString(), "warfarin");
}

TEST(CliBatch, AnInputThatCannotBeOpenedIsReportedAndTheRestIsRead) {
    const RunResult r =
        run(COMBOCHECK_BINARY, {"batch", kBatchData + "/missing.jsonl", kBatchData + "/lists.txt"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
    EXPECT_EQ(lines_of(r.out).size(), 2u);
}

TEST(CliBatch, RecordsOutEqualListsInForAManyListInput) {
    std::string input;
    const std::vector<std::string> lists{R"(["sertraline","tramadol"])",
                                         R"(["warfarin","aspirin"])", R"({"agents":[]})",
                                         R"(["metformin"])", R"([1,2])"};
    const std::size_t n = 500;
    for (std::size_t i = 0; i < n; ++i)
        input += lists[i % lists.size()] + "\n";
    const RunResult r = run(COMBOCHECK_BINARY, {"batch", "--input-format", "jsonl", "-"}, input);
    const auto docs = lines_of(r.out);
    ASSERT_EQ(docs.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
        EXPECT_STREQ(docs[i]["id"].GetString(), std::to_string(i + 1).c_str());
    }
}

}  // namespace
