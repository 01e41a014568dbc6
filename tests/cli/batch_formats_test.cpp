// End-to-end tests of `combocheck batch` outputs, threads and streaming: every format keeps one
// record per list in input order, many threads change nothing, and a record comes out of a pipe
// before the next line goes in.
#include <gtest/gtest.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <sstream>
#include <string>
#include <vector>

#include "support/run.hpp"

namespace {

using combocheck::testing::run;
using combocheck::testing::RunResult;

// A varied input: real names, brands, dose text, misspellings, broken lines, no ids.
std::string many_lists(int count) {
    static const std::vector<std::string> names = {
        "Zoloft",      "tramadol 50 mg", "5-HTP",       "warfarin",       "aspirin",
        "ibuprofen",   "St John's wort", "lisinopril",  "alcohol",        "alprazolam",
        "sertralinne", "clarithromycin", "simvastatin", "grapefruit",     "metformin",
        "amlodipine",  "oxycodone",      "fluconazole", "spironolactone", "potassium chloride"};
    std::string input;
    for (int i = 0; i < count; ++i) {
        if (i % 97 == 13) {
            input += "{\"id\":\"broken" + std::to_string(i) + "\",\"agents\":[\n";
            continue;
        }
        input +=
            i % 5 == 0 ? "{\"agents\":[" : "{\"id\":\"p" + std::to_string(i) + "\",\"agents\":[";
        const int size = 2 + i % 7;
        for (int k = 0; k < size; ++k) {
            input += (k ? ",\"" : "\"") + names[(i * 7 + k * 3) % names.size()] + "\"";
        }
        input += "]}\n";
    }
    return input;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

TEST(CliBatchFormats, ManyJobsGiveTheSameOutputInTheSameOrderAsOne) {
    const std::string input = many_lists(3000);
    const RunResult one = run(COMBOCHECK_BINARY, {"batch", "--jobs", "1", "-"}, input);
    const RunResult many = run(COMBOCHECK_BINARY, {"batch", "--jobs", "8", "-"}, input);
    ASSERT_EQ(one.exit_code, 0) << one.err;
    ASSERT_EQ(many.exit_code, 0) << many.err;
    EXPECT_EQ(lines_of(one.out).size(), 3000u);
    EXPECT_TRUE(one.out == many.out) << "--jobs 8 changed the output";
    EXPECT_EQ(one.err, many.err) << "the summary must not depend on threads";
    // The ids come back in input order.
    const auto lines = lines_of(many.out);
    for (int i : {1, 2, 3, 4, 6, 2999}) {
        rapidjson::Document d;
        d.Parse(lines[static_cast<std::size_t>(i)].c_str());
        ASSERT_FALSE(d.HasParseError());
        EXPECT_EQ(std::string(d["id"].GetString()), "p" + std::to_string(i));
    }
}

TEST(CliBatchFormats, JsonDocumentHoldsEveryListAndTheSummary) {
    const std::string input = many_lists(500);
    const RunResult r =
        run(COMBOCHECK_BINARY, {"batch", "--format", "json", "--jobs", "2", "-"}, input);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    ASSERT_FALSE(d.HasParseError());
    EXPECT_STREQ(d["schema"].GetString(), "combocheck.batch/1");
    ASSERT_EQ(d["lists"].Size(), 500u);
    EXPECT_EQ(d["summary"]["lists"].GetUint(), 500u);
    EXPECT_EQ(d["summary"]["errors"].GetUint(), 6u);  // lines 13, 110, 207, 304, 401, 498
    EXPECT_STREQ(d["lists"][1]["id"].GetString(), "p1");
    EXPECT_TRUE(d.HasMember("disclaimer"));
}

TEST(CliBatchFormats, BriefRecordsNameTheSameFindingsAsFullOnes) {
    const std::string input = many_lists(600);
    const RunResult full = run(COMBOCHECK_BINARY, {"batch", "--jobs", "2", "-"}, input);
    const RunResult brief =
        run(COMBOCHECK_BINARY, {"batch", "--detail", "brief", "--jobs", "2", "-"}, input);
    ASSERT_EQ(full.exit_code, 0) << full.err;
    ASSERT_EQ(brief.exit_code, 0) << brief.err;
    const auto full_lines = lines_of(full.out);
    const auto brief_lines = lines_of(brief.out);
    ASSERT_EQ(brief_lines.size(), 600u);
    ASSERT_EQ(full_lines.size(), 600u);
    std::size_t findings = 0;
    for (std::size_t i = 0; i < brief_lines.size(); ++i) {
        rapidjson::Document f;
        rapidjson::Document b;
        ASSERT_FALSE(f.Parse(full_lines[i].c_str()).HasParseError());
        ASSERT_FALSE(b.Parse(brief_lines[i].c_str()).HasParseError());
        EXPECT_TRUE(f["id"] == b["id"]);
        EXPECT_FALSE(b.HasMember("disclaimer"));
        if (f.HasMember("error")) {
            EXPECT_TRUE(f["error"] == b["error"]);
            continue;
        }
        EXPECT_TRUE(f["max_severity"] == b["max_severity"]);
        EXPECT_TRUE(f["unresolved"] == b["unresolved"]);
        ASSERT_EQ(f["findings"].Size(), b["findings"].Size());
        for (rapidjson::SizeType k = 0; k < f["findings"].Size(); ++k) {
            EXPECT_TRUE(f["findings"][k]["rule"] == b["findings"][k]["rule"]);
            EXPECT_TRUE(f["findings"][k]["agents"] == b["findings"][k]["agents"]);
            EXPECT_FALSE(b["findings"][k].HasMember("explanation"));
            ++findings;
        }
    }
    EXPECT_GT(findings, 100u);
    EXPECT_LT(brief.out.size() * 5, full.out.size());
    EXPECT_EQ(full.err.find("not medical advice"), std::string::npos);
    EXPECT_NE(brief.err.find("not medical advice"), std::string::npos)
        << "brief records have no room for the disclaimer: it goes to standard error";
}

TEST(CliBatchFormats, BriefIsRefusedForFormatsWithoutRecords) {
    const RunResult r =
        run(COMBOCHECK_BINARY, {"batch", "--format", "csv", "--detail", "brief", "-"}, "[\"a\"]\n");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find("--detail brief is for --format jsonl and json"), std::string::npos)
        << r.err;
}

TEST(CliBatchFormats, CsvHasARowForEveryFindingAndForEveryListWithout) {
    const std::string input =
        "{\"id\":\"a\",\"agents\":[\"Zoloft\",\"tramadol\",\"5-HTP\"]}\n"
        "{\"id\":\"b\",\"agents\":[\"amlodipine\",\"metformin\"]}\n"
        "{\"id\":\"c\",\"agents\":[\n";
    const RunResult r = run(COMBOCHECK_BINARY, {"batch", "--format", "csv", "-"}, input);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows = lines_of(r.out);
    ASSERT_GE(rows.size(), 4u);
    EXPECT_EQ(rows[0].rfind("id,file,line,max_severity,severity,risk,rule", 0), 0u);
    std::size_t a = 0, b = 0, c = 0;
    for (const std::string& row : rows) {
        a += row.rfind("a,", 0) == 0 ? 1 : 0;
        b += row.rfind("b,", 0) == 0 ? 1 : 0;
        c += row.rfind("3,", 0) == 0 ? 1 : 0;  // an unreadable list: its record number
    }
    EXPECT_GE(a, 1u);
    EXPECT_EQ(b, 1u);
    EXPECT_EQ(c, 1u);
    EXPECT_NE(r.out.find("serotonin_syndrome"), std::string::npos);
    EXPECT_NE(r.err.find("not medical advice"), std::string::npos)
        << "csv has no room for the disclaimer: it goes to standard error";
}

TEST(CliBatchFormats, TextAndHtmlShowEachListAndTheDisclaimer) {
    const std::string input =
        "{\"id\":\"first\",\"agents\":[\"warfarin\",\"aspirin\"]}\n"
        "{\"id\":\"<second>\",\"agents\":[\"amlodipine\"]}\n";
    const RunResult text = run(COMBOCHECK_BINARY, {"batch", "--format", "text", "-"}, input);
    ASSERT_EQ(text.exit_code, 0) << text.err;
    const auto first = text.out.find("== first");
    const auto second = text.out.find("== <second>");
    ASSERT_NE(first, std::string::npos);
    ASSERT_NE(second, std::string::npos);
    EXPECT_LT(first, second);
    EXPECT_NE(text.out.find("not medical advice"), std::string::npos);

    const RunResult html = run(COMBOCHECK_BINARY, {"batch", "--format", "html", "-"}, input);
    ASSERT_EQ(html.exit_code, 0) << html.err;
    EXPECT_EQ(html.out.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(html.out.find("&lt;second&gt;"), std::string::npos);
    EXPECT_EQ(html.out.find("<second>"), std::string::npos);
    EXPECT_EQ(html.out.find("<script"), std::string::npos);
    EXPECT_NE(html.out.find("</html>"), std::string::npos);
}

TEST(CliBatchFormats, FhirBundleFromStandardInputIsGroupedByPatient) {
    const std::string bundle = R"({
  "resourceType": "Bundle", "type": "searchset",
  "entry": [
    {"resource": {"resourceType": "MedicationStatement", "id": "s1", "status": "active",
      "subject": {"reference": "Patient/1"},
      "medicationCodeableConcept": {"text": "sertraline 50 mg"}}},
    {"resource": {"resourceType": "MedicationRequest", "id": "r1", "status": "active",
      "intent": "order", "subject": {"reference": "Patient/2"},
      "medicationCodeableConcept": {"text": "warfarin"}}},
    {"resource": {"resourceType": "MedicationRequest", "id": "r2", "status": "active",
      "intent": "order", "subject": {"reference": "Patient/1"},
      "medicationCodeableConcept": {"text": "tramadol"}}},
    {"resource": {"resourceType": "MedicationStatement", "id": "s2", "status": "stopped",
      "subject": {"reference": "Patient/2"},
      "medicationCodeableConcept": {"text": "aspirin"}}}
  ]
})";
    const RunResult r = run(COMBOCHECK_BINARY, {"batch", "-"}, bundle);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 2u);
    rapidjson::Document p1, p2;
    p1.Parse(lines[0].c_str());
    p2.Parse(lines[1].c_str());
    EXPECT_STREQ(p1["id"].GetString(), "Patient/1");
    EXPECT_EQ(p1["agents"].Size(), 2u);
    EXPECT_STRNE(p1["max_severity"].GetString(), "none");
    EXPECT_STREQ(p2["id"].GetString(), "Patient/2");
    EXPECT_EQ(p2["agents"].Size(), 1u) << "the stopped aspirin is skipped";

    const RunResult all = run(COMBOCHECK_BINARY, {"batch", "--include-inactive", "-"}, bundle);
    rapidjson::Document q2;
    q2.Parse(lines_of(all.out).at(1).c_str());
    EXPECT_EQ(q2["agents"].Size(), 2u) << "--include-inactive keeps it";
    EXPECT_STREQ(q2["max_severity"].GetString(), "major");
}

// Reads one line from `fd`, waiting at most `seconds`; empty on timeout or end.
std::string read_line(int fd, int seconds) {
    std::string line;
    char c = 0;
    while (true) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, seconds * 1000) <= 0) return {};
        if (read(fd, &c, 1) != 1) return {};
        if (c == '\n') return line;
        line += c;
    }
}

// Runs `combocheck batch [args] -` with pipes, sends three lists one at a time and expects each
// record back before the next list goes in.
void expect_record_per_line(const std::vector<const char*>& args) {
    signal(SIGPIPE, SIG_IGN);
    int in[2], out[2];
    ASSERT_EQ(pipe(in), 0);
    ASSERT_EQ(pipe(out), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        for (int fd : {in[0], in[1], out[0], out[1]})
            close(fd);
        std::vector<char*> argv{const_cast<char*>(COMBOCHECK_BINARY), const_cast<char*>("batch")};
        for (const char* a : args)
            argv.push_back(const_cast<char*>(a));
        argv.push_back(const_cast<char*>("-"));
        argv.push_back(nullptr);
        execv(COMBOCHECK_BINARY, argv.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    for (const std::string id : {"one", "two", "three"}) {
        const std::string line = "{\"id\":\"" + id + "\",\"agents\":[\"warfarin\",\"aspirin\"]}\n";
        ASSERT_EQ(write(in[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
        // Standard input stays open: the record must come without waiting for more input.
        const std::string record = read_line(out[0], 20);
        ASSERT_FALSE(record.empty()) << "no record for " << id << " while input stays open";
        EXPECT_NE(record.find("\"id\":\"" + id + "\""), std::string::npos) << record;
    }
    close(in[1]);
    EXPECT_TRUE(read_line(out[0], 20).empty()) << "nothing more after the three records";
    close(out[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(CliBatchFormats, EachRecordComesOutOfAPipeBeforeTheNextLineGoesIn) {
    expect_record_per_line({"--jobs", "2", "--input-format", "jsonl"});
    expect_record_per_line({"--jobs", "1", "--input-format", "jsonl"});
    expect_record_per_line({});  // the format detected from the first line alone
}

}  // namespace
