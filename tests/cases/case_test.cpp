// Runs the known-interaction case tables (tests/cases/*.tsv) against the built-in knowledge base.
//
// Columns: agents (names separated by ';'), expect, risk, kind, source.
//   expect = minor|moderate|major|contraindicated: some finding of `risk` at least that severe;
//   expect = none: no finding of any risk at moderate or above (a negative control).
//   kind = accumulation: also, dropping any one agent brings `risk` below `expect`.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "checker.hpp"
#include "loader.hpp"
#include "resolver.hpp"

namespace combocheck {
namespace {

struct CaseRow {
    std::string file;
    int line = 0;
    std::vector<std::string> agents;
    std::string expect;
    std::string risk;
    std::string kind;
    std::string source;
};

void PrintTo(const CaseRow& row, std::ostream* out) {
    *out << row.file << ":" << row.line;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = s.find(sep, start);
        out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<CaseRow> load_rows() {
    std::vector<CaseRow> rows;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(COMBOCHECK_CASES_DIR)) {
        if (e.path().extension() == ".tsv") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
        std::ifstream in(path);
        std::string line;
        int number = 0;
        bool header = true;
        while (std::getline(in, line)) {
            ++number;
            if (trim(line).empty() || trim(line)[0] == '#') continue;
            if (header) {  // the first other line names the columns
                header = false;
                continue;
            }
            const auto cells = split(line, '\t');
            CaseRow row;
            row.file = path.filename().string();
            row.line = number;
            if (cells.size() >= 4) {
                for (const auto& a : split(cells[0], ';')) {
                    if (!trim(a).empty()) row.agents.push_back(trim(a));
                }
                row.expect = trim(cells[1]);
                row.risk = trim(cells[2]);
                row.kind = trim(cells[3]);
                if (cells.size() > 4) row.source = trim(cells[4]);
            }
            rows.push_back(row);
        }
    }
    return rows;
}

const std::vector<CaseRow>& rows() {
    static const std::vector<CaseRow> all = load_rows();
    return all;
}

const KnowledgeBase& kb() {
    static const KnowledgeBase base = load_knowledge(embedded_rule_files());
    return base;
}

Severity worst_for_risk(const CheckResult& r, const std::string& risk) {
    Severity worst = Severity::none;
    for (const Finding& f : r.findings) {
        if (kb().risk(kb().rule(f.rule).risk).id == risk) worst = std::max(worst, f.severity);
    }
    return worst;
}

std::string summary(const CheckResult& r) {
    std::string s;
    for (const Finding& f : r.findings) {
        s += "\n  " + std::string(to_string(f.severity)) + " " + kb().rule(f.rule).id + " [" +
             kb().risk(kb().rule(f.rule).risk).id + "]";
    }
    return s.empty() ? " (no findings)" : s;
}

class CaseTable : public ::testing::TestWithParam<CaseRow> {};

TEST_P(CaseTable, RowHolds) {
    const CaseRow& row = GetParam();
    SCOPED_TRACE(row.file + ":" + std::to_string(row.line));
    ASSERT_GE(row.agents.size(), 2u) << "a row needs at least two agents";
    ASSERT_TRUE(row.kind == "pair" || row.kind == "accumulation" || row.kind == "negative")
        << "kind must be pair, accumulation or negative, not '" << row.kind << "'";
    const Resolver resolver(kb());
    std::vector<AgentId> ids;
    for (const std::string& name : row.agents) {
        const Resolution r = resolver.resolve(name);
        ASSERT_TRUE(r.agent.has_value()) << "'" << name << "' does not resolve";
        ids.push_back(*r.agent);
    }
    const CheckResult result = check_list(kb(), ids);
    if (row.expect == "none") {
        ASSERT_EQ(row.kind, "negative");
        EXPECT_TRUE(result.max_severity < Severity::moderate)
            << "negative control flagged:" << summary(result);
        return;
    }
    const auto expected = parse_severity(row.expect);
    ASSERT_TRUE(expected && *expected != Severity::none) << "bad expect '" << row.expect << "'";
    ASSERT_TRUE(kb().find_risk(row.risk).has_value()) << "unknown risk '" << row.risk << "'";
    EXPECT_TRUE(worst_for_risk(result, row.risk) >= *expected)
        << "expected " << row.expect << " " << row.risk << ", got:" << summary(result);
    if (row.kind == "accumulation") {
        ASSERT_GE(ids.size(), 3u) << "an accumulation case needs three or more agents";
        for (std::size_t drop = 0; drop < ids.size(); ++drop) {
            std::vector<AgentId> fewer = ids;
            fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(drop));
            const CheckResult partial = check_list(kb(), fewer);
            EXPECT_TRUE(worst_for_risk(partial, row.risk) < *expected)
                << "without " << row.agents[drop]
                << " the risk is already there:" << summary(partial);
        }
    }
}

std::string row_name(const ::testing::TestParamInfo<CaseRow>& info) {
    std::string name = info.param.file + "_line" + std::to_string(info.param.line);
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(KnownInteractions, CaseTable, ::testing::ValuesIn(rows()), row_name);

TEST(CaseTables, CoverEveryRiskCategory) {
    std::set<std::string> covered;
    for (const CaseRow& row : rows())
        covered.insert(row.risk);
    for (const Risk& risk : kb().risks()) {
        EXPECT_TRUE(covered.count(risk.id)) << "no case row for risk " << risk.id;
    }
}

TEST(CaseTables, CoverEveryAgentKind) {
    const Resolver resolver(kb());
    std::set<AgentKind> kinds;
    for (const CaseRow& row : rows()) {
        for (const std::string& name : row.agents) {
            if (const auto r = resolver.resolve(name); r.agent)
                kinds.insert(kb().agent(*r.agent).kind);
        }
    }
    for (const AgentKind kind :
         {AgentKind::drug, AgentKind::supplement, AgentKind::food, AgentKind::recreational}) {
        EXPECT_TRUE(kinds.count(kind)) << "no case row with a " << to_string(kind);
    }
}

TEST(CaseTables, HaveNegativeControlsAndAccumulationCases) {
    const auto count = [](const std::string& kind) {
        return std::count_if(rows().begin(), rows().end(),
                             [&](const CaseRow& r) { return r.kind == kind; });
    };
    EXPECT_GE(rows().size(), 250u);
    EXPECT_GE(count("negative"), 40);
    EXPECT_GE(count("accumulation"), 30);
}

}  // namespace
}  // namespace combocheck
