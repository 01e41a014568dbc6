// Tests engine/batch/output.cpp: the five batch output formats and the run's summary.
#include "batch/output.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "loader.hpp"

namespace combocheck::batch {
namespace {

// The embedded knowledge base and a resolver, shared by every test (both immutable).
struct Shared {
    const KnowledgeBase kb = load_embedded_knowledge();
    const Resolver resolver{kb};
};

const Shared& setup() {
    static const Shared instance;
    return instance;
}

// An unrecognised name that needs quoting in CSV and escaping in HTML.
const std::string kOddName = "<b>Notadrug \"x\", 5\nmg";

ListRecord record(std::string id, std::vector<std::string> agents, std::size_t line) {
    ListRecord r;
    r.id = std::move(id);
    r.agents = std::move(agents);
    r.file = "lists.csv";
    r.line = line;
    return r;
}

// A list with findings, one without (and an odd unrecognised name), an error record, and one
// with findings, an unrecognised name and an id a spreadsheet would read as a formula.
std::vector<ListRecord> sample() {
    std::vector<ListRecord> records;
    records.push_back(record("p1", {"sertraline", "tramadol"}, 2));
    records.push_back(record("p2", {"acetaminophen", kOddName, "xyzzyplex"}, 4));
    ListRecord bad = record("p3", {}, 7);
    bad.error = "bad quoting";
    records.push_back(bad);
    records.push_back(record("=HYPERLINK(1)", {"warfarin", "ibuprofen", "xyzzyplex"}, 9));
    return records;
}

// The report's resolutions as a CheckedList points to them.
std::vector<const Resolution*> names_of(const CheckReport& report) {
    std::vector<const Resolution*> names;
    for (const Resolution& r : report.resolutions)
        names.push_back(&r);
    return names;
}

struct RunResult {
    std::string output;
    RunSummary summary;
    std::vector<CheckReport> reports;  // by record; empty for error records
};

// Checks and formats every record as the batch command does, then finishes the output. Like the
// batch run, it writes the bytes of several lists at once (here two), so that a format must not
// count on one write per list.
RunResult run(OutputFormat format, const std::vector<ListRecord>& records,
              RecordDetail detail = RecordDetail::full) {
    const Shared& s = setup();
    RunResult result;
    std::ostringstream out;
    const auto output = make_output(format, out, s.kb, detail);
    std::string bytes;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const ListRecord& r = records[i];
        result.reports.push_back(r.error.empty() ? check_names(s.kb, s.resolver, r.agents)
                                                 : CheckReport{});
        const std::vector<const Resolution*> names = names_of(result.reports.back());
        const CheckedList list{
            i, r, r.error.empty() ? &result.reports.back().result : nullptr, names, {}};
        output->format(bytes, list);
        result.summary.add(outcome_of(s.kb, list));
        if (i % 2 == 1 || i + 1 == records.size()) {
            output->write(bytes);
            bytes.clear();
        }
    }
    output->finish(result.summary);
    result.output = out.str();
    return result;
}

std::size_t occurrences(std::string_view text, std::string_view part) {
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string_view::npos;
         at = text.find(part, at + part.size())) {
        ++n;
    }
    return n;
}

// RFC 4180 rows (CRLF between records, quoted fields may hold anything).
std::vector<std::vector<std::string>> parse_csv(std::string_view text, bool& ok) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    ok = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c != '"') {
                field += c;
            } else if (i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else {
                quoted = false;
            }
        } else if (c == '"' && field.empty()) {
            quoted = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            row.push_back(std::move(field));
            field.clear();
            rows.push_back(std::move(row));
            row.clear();
            ++i;
        } else if (c == '"' || c == '\r' || c == '\n') {
            ok = false;  // a bare quote or line break outside quotes
        } else {
            field += c;
        }
    }
    if (quoted || !field.empty() || !row.empty()) ok = false;  // the last row must end in CRLF
    return rows;
}

TEST(BatchOutput, FormatNamesRoundTrip) {
    for (const OutputFormat f : {OutputFormat::jsonl, OutputFormat::json, OutputFormat::csv,
                                 OutputFormat::text, OutputFormat::html}) {
        EXPECT_EQ(parse_output_format(to_string(f)), f);
    }
    EXPECT_EQ(to_string(OutputFormat::html), "html");
    EXPECT_EQ(parse_output_format("xml"), std::nullopt);
    EXPECT_EQ(parse_output_format("JSON"), std::nullopt);
}

TEST(BatchOutput, SampleListsAreWhatTheTestsAssume) {
    const RunResult r = run(OutputFormat::jsonl, sample());
    ASSERT_FALSE(r.reports[0].result.findings.empty());
    ASSERT_TRUE(r.reports[1].result.findings.empty());
    ASSERT_FALSE(r.reports[3].result.findings.empty());
    ASSERT_EQ(r.reports[1].resolutions.size(), 3u);
    EXPECT_TRUE(r.reports[1].resolutions[0].agent);
    EXPECT_FALSE(r.reports[1].resolutions[1].agent);
    EXPECT_EQ(r.reports[1].resolutions[1].input, kOddName);
    EXPECT_FALSE(r.reports[1].resolutions[2].agent);
    EXPECT_FALSE(r.reports[3].resolutions[2].agent);
}

TEST(BatchOutput, SummaryCountsListsSeveritiesRisksAndNames) {
    const RunResult r = run(OutputFormat::jsonl, sample());
    const RunSummary& s = r.summary;
    EXPECT_EQ(s.lists, 4u);
    EXPECT_EQ(s.errors, 1u);
    RunSummary::BySeverity expected{};
    for (const std::size_t i : {0u, 1u, 3u})
        ++expected[static_cast<std::size_t>(r.reports[i].result.max_severity)];
    EXPECT_EQ(s.by_severity, expected);
    EXPECT_EQ(s.unresolved.at("xyzzyplex"), 2u);
    EXPECT_EQ(s.unresolved.at(kOddName), 1u);
    EXPECT_EQ(s.unresolved.size(), 2u);

    // by_risk: each list counts once per risk, at the highest severity it has on that risk.
    const KnowledgeBase& kb = setup().kb;
    std::map<std::pair<RiskId, Severity>, std::size_t> risks;
    for (const std::size_t i : {0u, 3u}) {
        std::map<RiskId, Severity> highest;
        for (const Finding& f : r.reports[i].result.findings) {
            Severity& h = highest[kb.rule(f.rule).risk];
            h = std::max(h, f.severity);
        }
        for (const auto& [risk, severity] : highest)
            ++risks[{risk, severity}];
    }
    std::map<std::pair<RiskId, Severity>, std::size_t> counted;
    for (std::uint32_t risk = 0; risk < s.by_risk.size(); ++risk) {
        for (std::size_t k = 0; k < s.by_risk[risk].size(); ++k) {
            if (s.by_risk[risk][k] > 0) {
                counted[{RiskId{risk}, static_cast<Severity>(k)}] = s.by_risk[risk][k];
            }
        }
    }
    EXPECT_EQ(counted, risks);
    const RiskId serotonin = *kb.find_risk("serotonin_syndrome");
    ASSERT_GT(s.by_risk.size(), index_of(serotonin));
    const auto& on_serotonin = s.by_risk[index_of(serotonin)];
    EXPECT_GT(std::accumulate(on_serotonin.begin(), on_serotonin.end(), std::size_t{0}), 0u);
}

TEST(BatchOutput, OutcomeKeepsTheHighestSeverityOfEachRisk) {
    // Two rules on one risk and a rule on another, from the embedded base.
    const KnowledgeBase& kb = setup().kb;
    std::optional<RuleId> first, second, other;
    for (std::uint32_t i = 0; i < kb.rules().size() && !(second && other); ++i) {
        const RuleId id{i};
        if (!first) {
            first = id;
        } else if (!second && kb.rule(id).risk == kb.rule(*first).risk) {
            second = id;
        } else if (!other && kb.rule(id).risk != kb.rule(*first).risk) {
            other = id;
        }
    }
    ASSERT_TRUE(second && other);
    CheckReport report;
    const auto add = [&report](RuleId rule, Severity severity) {
        Finding f;
        f.rule = rule;
        f.severity = severity;
        report.result.findings.push_back(f);
    };
    add(*other, Severity::moderate);
    add(*first, Severity::major);
    add(*second, Severity::minor);  // a lower one after the highest does not replace it
    report.result.max_severity = Severity::major;
    const ListRecord r = record("x", {"a"}, 1);
    const ListOutcome o = outcome_of(kb, CheckedList{0, r, &report.result, names_of(report), {}});
    EXPECT_FALSE(o.error);
    EXPECT_EQ(o.max_severity, Severity::major);
    std::vector<std::pair<RiskId, Severity>> expected{{kb.rule(*first).risk, Severity::major},
                                                      {kb.rule(*other).risk, Severity::moderate}};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(o.risks, expected);
}

TEST(BatchOutput, OutcomeOfAnErrorRecordIsAnError) {
    ListRecord bad = record("x", {}, 3);
    bad.error = "empty list";
    const ListOutcome o = outcome_of(setup().kb, CheckedList{0, bad, nullptr, {}, {}});
    EXPECT_TRUE(o.error);
    EXPECT_TRUE(o.risks.empty());
    RunSummary s;
    s.add(o);
    EXPECT_EQ(s.lists, 1u);
    EXPECT_EQ(s.errors, 1u);
    EXPECT_EQ(s.by_severity, RunSummary::BySeverity{});
    EXPECT_TRUE(s.by_risk.empty());
}

TEST(BatchOutput, JsonlWritesOneRecordPerListInInputOrder) {
    const RunResult r = run(OutputFormat::jsonl, sample());
    std::istringstream lines(r.output);
    std::vector<std::string> ids;
    std::string line;
    while (std::getline(lines, line)) {
        rapidjson::Document d;
        ASSERT_FALSE(d.Parse(line.c_str()).HasParseError()) << line;
        ids.push_back(d["id"].GetString());
        if (ids.back() == "p3") {
            EXPECT_STREQ(d["error"].GetString(), "bad quoting");
            EXPECT_STREQ(d["file"].GetString(), "lists.csv");
            EXPECT_EQ(d["line"].GetUint64(), 7u);
        } else {
            EXPECT_TRUE(d.HasMember("findings"));
        }
        EXPECT_TRUE(d.HasMember("disclaimer"));
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"p1", "p2", "p3", "=HYPERLINK(1)"}));
}

// What a brief record should say of a full one: the same values under the brief members.
std::string brief_of_full(const rapidjson::Value& full) {
    rapidjson::Document brief(rapidjson::kObjectType);
    auto& a = brief.GetAllocator();
    const auto copy = [&](rapidjson::Value& to, const rapidjson::Value& from, const char* key) {
        if (from.HasMember(key)) {
            to.AddMember(rapidjson::StringRef(key), rapidjson::Value(from[key], a), a);
        }
    };
    copy(brief, full, "id");
    if (full.HasMember("error")) {
        copy(brief, full, "file");
        copy(brief, full, "line");
        copy(brief, full, "error");
    } else {
        rapidjson::Value agents(rapidjson::kArrayType);
        for (const auto& agent : full["agents"].GetArray()) {
            rapidjson::Value one(rapidjson::kObjectType);
            copy(one, agent, "input");
            copy(one, agent, "id");
            agents.PushBack(one, a);
        }
        brief.AddMember("agents", agents, a);
        copy(brief, full, "unresolved");
        rapidjson::Value findings(rapidjson::kArrayType);
        for (const auto& finding : full["findings"].GetArray()) {
            rapidjson::Value one(rapidjson::kObjectType);
            for (const char* key : {"rule", "severity", "risk", "agents", "system", "class"})
                copy(one, finding, key);
            findings.PushBack(one, a);
        }
        brief.AddMember("findings", findings, a);
        copy(brief, full, "max_severity");
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    brief.Accept(writer);
    return buffer.GetString();
}

TEST(BatchOutput, BriefRecordsAreTheFullRecordsIdsOnly) {
    std::vector<ListRecord> records = sample();
    // Findings with a system (burden), a class (duplication) and none (combination).
    records.push_back(record(
        "p5",
        {"Zoloft", "fluoxetine", "tramadol 50 mg", "alprazolam", "oxycodone", "5-HTP", "Xanax"},
        11));
    const RunResult full = run(OutputFormat::jsonl, records);
    const RunResult brief = run(OutputFormat::jsonl, records, RecordDetail::brief);
    std::istringstream full_lines(full.output);
    std::istringstream brief_lines(brief.output);
    std::string full_line;
    std::string brief_line;
    std::size_t n = 0;
    bool saw_system = false;
    bool saw_class = false;
    while (std::getline(full_lines, full_line)) {
        ASSERT_TRUE(std::getline(brief_lines, brief_line));
        rapidjson::Document f;
        ASSERT_FALSE(f.Parse(full_line.c_str()).HasParseError());
        // Compact already: written again, a brief record is the same bytes.
        EXPECT_EQ(brief_line, brief_of_full(f));
        EXPECT_EQ(brief_line.find("disclaimer"), std::string::npos);
        saw_system = saw_system || brief_line.find("\"system\":") != std::string::npos;
        saw_class = saw_class || brief_line.find("\"class\":") != std::string::npos;
        ++n;
    }
    EXPECT_FALSE(std::getline(brief_lines, brief_line));
    EXPECT_EQ(n, records.size());
    EXPECT_TRUE(saw_system);
    EXPECT_TRUE(saw_class);
    EXPECT_EQ(brief.summary.lists, full.summary.lists);
    EXPECT_EQ(brief.summary.by_severity, full.summary.by_severity);
}

TEST(BatchOutput, BriefJsonDocumentSaysItsDetail) {
    const RunResult r = run(OutputFormat::json, sample(), RecordDetail::brief);
    rapidjson::Document d;
    ASSERT_FALSE(d.Parse(r.output.c_str()).HasParseError()) << r.output;
    EXPECT_STREQ(d["detail"].GetString(), "brief");
    EXPECT_EQ(d["lists"].Size(), 4u);
    EXPECT_FALSE(d["lists"][0].HasMember("disclaimer"));
    EXPECT_TRUE(d.HasMember("disclaimer"));
}

TEST(BatchOutput, BriefRecordsAreOnlyForJsonFormats) {
    std::ostringstream out;
    for (const OutputFormat f : {OutputFormat::csv, OutputFormat::text, OutputFormat::html}) {
        EXPECT_FALSE(has_brief_records(f));
        EXPECT_THROW(make_output(f, out, setup().kb, RecordDetail::brief), std::invalid_argument);
    }
    EXPECT_TRUE(has_brief_records(OutputFormat::jsonl));
    EXPECT_EQ(parse_record_detail("brief"), RecordDetail::brief);
    EXPECT_EQ(parse_record_detail("full"), RecordDetail::full);
    EXPECT_EQ(parse_record_detail("short"), std::nullopt);
}

TEST(BatchOutput, JsonDocumentHoldsEveryRecordAndTheSummary) {
    const RunResult r = run(OutputFormat::json, sample());
    rapidjson::Document d;
    ASSERT_FALSE(d.Parse(r.output.c_str()).HasParseError()) << r.output;
    EXPECT_EQ(d["schema"].GetString(), kBatchSchema);
    EXPECT_STREQ(d["detail"].GetString(), "full");
    const auto& lists = d["lists"];
    ASSERT_EQ(lists.Size(), 4u);
    EXPECT_STREQ(lists[0]["id"].GetString(), "p1");
    EXPECT_STREQ(lists[2]["error"].GetString(), "bad quoting");
    EXPECT_STREQ(lists[3]["id"].GetString(), "=HYPERLINK(1)");
    EXPECT_EQ(lists[1]["unresolved"].Size(), 2u);
    // The records are the jsonl records, one per line.
    EXPECT_EQ(occurrences(r.output, "\n"), 4u + 2u);

    const auto& summary = d["summary"];
    EXPECT_EQ(summary["lists"].GetUint64(), 4u);
    EXPECT_EQ(summary["errors"].GetUint64(), 1u);
    std::size_t read = 0;
    for (const auto& m : summary["by_severity"].GetObject())
        read += m.value.GetUint64();
    EXPECT_EQ(read, 3u);
    EXPECT_EQ(summary["by_severity"]["none"].GetUint64(), 1u);
    const std::string worst(to_string(r.reports[0].result.max_severity));
    EXPECT_GE(summary["by_severity"][worst.c_str()].GetUint64(), 1u);
    std::size_t risk_lists = 0;
    for (const auto& e : summary["by_risk"].GetArray())
        risk_lists += e["lists"].GetUint64();
    std::size_t expected_risk_lists = 0;
    for (const auto& lists : r.summary.by_risk)
        expected_risk_lists += std::accumulate(lists.begin(), lists.end(), std::size_t{0});
    EXPECT_EQ(risk_lists, expected_risk_lists);
    const auto& names = summary["unresolved"];
    ASSERT_EQ(names.Size(), 2u);
    EXPECT_STREQ(names[0]["name"].GetString(), "xyzzyplex");  // most frequent first
    EXPECT_EQ(names[0]["count"].GetUint64(), 2u);
    EXPECT_EQ(names[1]["name"].GetString(), kOddName);
    EXPECT_STREQ(d["disclaimer"].GetString(), std::string(kDisclaimer).c_str());
}

TEST(BatchOutput, JsonOfNoListIsStillADocument) {
    const RunResult r = run(OutputFormat::json, {});
    rapidjson::Document d;
    ASSERT_FALSE(d.Parse(r.output.c_str()).HasParseError()) << r.output;
    EXPECT_EQ(d["lists"].Size(), 0u);
    EXPECT_EQ(d["summary"]["lists"].GetUint64(), 0u);
}

TEST(BatchOutput, CsvHasOneRowPerFindingOrListAndQuotesOddNames) {
    const RunResult r = run(OutputFormat::csv, sample());
    bool ok = false;
    const auto rows = parse_csv(r.output, ok);
    ASSERT_TRUE(ok) << r.output;
    const std::vector<std::string> header{"id",       "file",  "line",       "max_severity",
                                          "severity", "risk",  "rule",       "kind",
                                          "agents",   "title", "unresolved", "error"};
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows[0], header);
    for (const auto& row : rows)
        EXPECT_EQ(row.size(), header.size());
    const std::size_t p1 = r.reports[0].result.findings.size();
    const std::size_t p4 = r.reports[3].result.findings.size();
    ASSERT_EQ(rows.size(), 1 + p1 + 1 + 1 + p4);

    // Findings of p1, in the report's order, with file and line on every row.
    for (std::size_t i = 0; i < p1; ++i) {
        const auto& row = rows[1 + i];
        const Finding& f = r.reports[0].result.findings[i];
        EXPECT_EQ(row[0], "p1");
        EXPECT_EQ(row[1], "lists.csv");
        EXPECT_EQ(row[2], "2");
        EXPECT_EQ(row[3], to_string(r.reports[0].result.max_severity));
        EXPECT_EQ(row[4], to_string(f.severity));
        EXPECT_EQ(row[6], setup().kb.rule(f.rule).id);
        EXPECT_NE(row[8].find("sertraline"), std::string::npos);
        EXPECT_EQ(row[10], "");
    }
    // p2: no finding, one row, unresolved names joined by ';' and quoted back intact.
    const auto& none = rows[1 + p1];
    EXPECT_EQ(none[0], "p2");
    EXPECT_EQ(none[3], "none");
    EXPECT_EQ(none[4], "");
    EXPECT_EQ(none[10], kOddName + ";xyzzyplex");
    // p3: the error row.
    const auto& error = rows[2 + p1];
    EXPECT_EQ(error, (std::vector<std::string>{"p3", "lists.csv", "7", "", "", "", "", "", "", "",
                                               "", "bad quoting"}));
    // p4: the id starts with '=' so it is written as text.
    EXPECT_EQ(rows[3 + p1][0], "'=HYPERLINK(1)");
    EXPECT_EQ(rows[3 + p1][10], "xyzzyplex");
}

TEST(BatchOutput, CsvGuardsFormulasReversibly) {
    std::vector<ListRecord> records;
    for (const char* id : {"=1+1", "+1", "-2", "@sum", "'quoted", "\tx", "plain", "a=b"}) {
        ListRecord bad = record(id, {}, 1);
        bad.error = "e";
        records.push_back(bad);
    }
    const RunResult r = run(OutputFormat::csv, records);
    bool ok = false;
    const auto rows = parse_csv(r.output, ok);
    ASSERT_TRUE(ok);
    ASSERT_EQ(rows.size(), records.size() + 1);
    for (std::size_t i = 0; i < records.size(); ++i) {
        const std::string& cell = rows[i + 1][0];
        const bool guarded = i < 6;
        EXPECT_EQ(cell, (guarded ? "'" : "") + records[i].id);
        // Removing one leading apostrophe, if any, gives the value back.
        EXPECT_EQ(cell.starts_with('\'') ? cell.substr(1) : cell, records[i].id);
    }
}

TEST(BatchOutput, CsvOfNoListIsTheHeader) {
    EXPECT_EQ(
        run(OutputFormat::csv, {}).output,
        "id,file,line,max_severity,severity,risk,rule,kind,agents,title,unresolved,error\r\n");
}

TEST(BatchOutput, TextHasOneHeadingPerListAndOneDisclaimer) {
    const RunResult r = run(OutputFormat::text, sample());
    const std::string& t = r.output;
    EXPECT_EQ(occurrences(t, "\n== "), 4u);  // p2, p3, p4 and the summary
    EXPECT_TRUE(t.starts_with("== p1 (lists.csv:2) ==\nAgents\n"));
    const std::size_t p2 = t.find("== p2 (lists.csv:4) ==");
    const std::size_t p3 = t.find("== p3 (lists.csv:7) ==\nerror: bad quoting\n");
    const std::size_t p4 = t.find("== =HYPERLINK(1) (lists.csv:9) ==");
    const std::size_t summary = t.find("== Summary ==");
    EXPECT_LT(p2, p3);
    EXPECT_LT(p3, p4);
    EXPECT_LT(p4, summary);
    ASSERT_NE(summary, std::string::npos);
    EXPECT_EQ(occurrences(t, "is not medical advice"), 1u);
    EXPECT_GT(t.find("is not medical advice"), summary);
    EXPECT_NE(t.find("No known interaction in this knowledge base", p2), std::string::npos);
    EXPECT_NE(t.find("4 lists, 1 could not be read", summary), std::string::npos);
    EXPECT_NE(t.find("2     xyzzyplex", summary), std::string::npos);
    // The odd name's newline does not break the summary's one-line-per-name layout.
    EXPECT_NE(t.find("1     <b>Notadrug \"x\", 5 mg", summary), std::string::npos);
}

TEST(BatchOutput, HtmlIsSelfContainedEscapedAndSummarisedFirst) {
    const RunResult r = run(OutputFormat::html, sample());
    const std::string& h = r.output;
    EXPECT_TRUE(h.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    EXPECT_TRUE(h.ends_with("</html>\n"));
    EXPECT_NE(h.find("<meta charset=\"utf-8\">"), std::string::npos);
    EXPECT_NE(h.find("@media print"), std::string::npos);
    for (const char* tag : {"html", "head", "body", "style", "header", "section", "table", "dl",
                            "ul", "h2", "h3", "h4", "p", "tr", "td", "th"}) {
        const std::string name(tag);
        EXPECT_EQ(occurrences(h, "<" + name + ">") + occurrences(h, "<" + name + " "),
                  occurrences(h, "</" + name + ">"))
            << tag;
    }
    EXPECT_EQ(occurrences(h, "<section class=\"list\""), 4u);
    for (const char* forbidden : {"<script", "<link", "<img", "<iframe", "@import", "src="}) {
        EXPECT_EQ(h.find(forbidden), std::string::npos) << forbidden;
    }
    EXPECT_EQ(h.find("<b>"), std::string::npos);
    EXPECT_NE(h.find("&lt;b&gt;Notadrug &quot;x&quot;, 5\nmg"), std::string::npos);

    // The summary comes before the lists, which keep their order.
    const std::size_t summary = h.find("<h2>Summary</h2>");
    const std::size_t p1 = h.find("id=\"list-1\"");
    const std::size_t p2 = h.find("id=\"list-2\"");
    const std::size_t p3 = h.find("id=\"list-3\"");
    const std::size_t p4 = h.find("id=\"list-4\"");
    ASSERT_NE(summary, std::string::npos);
    EXPECT_LT(h.find("is not medical advice"), summary);
    EXPECT_LT(summary, p1);
    EXPECT_LT(p1, p2);
    EXPECT_LT(p2, p3);
    EXPECT_LT(p3, p4);
    EXPECT_NE(h.find("could not be read and was not checked: bad quoting", p3), std::string::npos);
    EXPECT_NE(h.find("No known interaction in this knowledge base among the recognised agents", p2),
              std::string::npos);
    // "safe" only ever appears denied: in the disclaimer and in the no-finding sentence.
    EXPECT_EQ(occurrences(h, "is safe"),
              occurrences(h, "never that a combination is safe") +
                  occurrences(h, "does not mean the combination is safe"));

    // Summary counts, by the severity row they sit in.
    const auto cell = [&h](const std::string& key) {
        const std::size_t row = h.find("<tr data-severity=\"" + key + "\">");
        if (row == std::string::npos) return std::string("missing");
        const std::size_t at = h.find("<td class=\"n\">", row) + 14;
        return h.substr(at, h.find('<', at) - at);
    };
    EXPECT_EQ(cell("total"), "4");
    EXPECT_EQ(cell("error"), "1");
    EXPECT_EQ(cell("none"), "1");
    std::map<Severity, std::size_t> worst;
    for (const std::size_t i : {0u, 3u})
        ++worst[r.reports[i].result.max_severity];
    for (const auto& [severity, n] : worst)
        EXPECT_EQ(cell(std::string(to_string(severity))), std::to_string(n));
    EXPECT_NE(h.find("data-risk=\"serotonin_syndrome\""), std::string::npos);
    EXPECT_LT(h.find("<td>xyzzyplex</td><td class=\"n\">2</td>"), p1);
}

TEST(BatchOutput, HtmlOfNoListIsAWholePage) {
    const std::string h = run(OutputFormat::html, {}).output;
    EXPECT_TRUE(h.starts_with("<!DOCTYPE html>"));
    EXPECT_TRUE(h.ends_with("</html>\n"));
    EXPECT_NE(h.find("<tr data-severity=\"total\"><th>All lists</th><td class=\"n\">0</td>"),
              std::string::npos);
}

TEST(BatchOutput, JsonRecordsReplaceInvalidUtf8InIds) {
    // A run replaces bad bytes in ids before it formats; a record formatted directly must not
    // carry them either.
    const Shared& s = setup();
    ListRecord record = sample()[0];
    record.id =
        "p\xff"
        "1";
    const CheckReport report = check_names(s.kb, s.resolver, record.agents);
    const std::vector<const Resolution*> names = names_of(report);
    const CheckedList list{0, record, &report.result, names, {}};
    for (const RecordDetail detail : {RecordDetail::full, RecordDetail::brief}) {
        std::ostringstream sink;
        std::string line;
        make_output(OutputFormat::jsonl, sink, s.kb, detail)->format(line, list);
        EXPECT_TRUE(
            line.starts_with("{\"id\":\"p\xEF\xBF\xBD"
                             "1\","))
            << line.substr(0, 40);
    }
}

TEST(BatchOutput, FormatGivesTheSameBytesFromSeveralThreads) {
    const Shared& s = setup();
    const std::vector<ListRecord> records = sample();
    const CheckReport report = check_names(s.kb, s.resolver, records[0].agents);
    const std::vector<const Resolution*> names = names_of(report);
    const CheckedList list{0, records[0], &report.result, names, {}};
    for (const OutputFormat f : {OutputFormat::jsonl, OutputFormat::json, OutputFormat::csv,
                                 OutputFormat::text, OutputFormat::html}) {
        std::ostringstream sink;
        const auto output = make_output(f, sink, s.kb);
        std::string expected;
        output->format(expected, list);
        std::vector<std::string> got(4);
        std::vector<std::thread> threads;
        for (std::string& g : got)
            threads.emplace_back([&] { output->format(g, list); });
        for (std::thread& t : threads)
            t.join();
        for (const std::string& g : got)
            EXPECT_EQ(g, expected) << to_string(f);
    }
}

}  // namespace
}  // namespace combocheck::batch
