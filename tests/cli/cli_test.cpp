// End-to-end tests: run the built `combocheck` binary and check its output and exit codes.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/run.hpp"

namespace {

using combocheck::testing::run;
using combocheck::testing::RunResult;

RunResult cc(const std::vector<std::string>& args, const std::string& input = "",
             const std::map<std::string, std::string>& env = {}) {
    return run(COMBOCHECK_BINARY, args, input, env);
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// The text with every run of whitespace (line breaks from wrapping included) made one space.
std::string unwrapped(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\t';
        if (space && !out.empty() && out.back() == ' ') continue;
        out += space ? ' ' : c;
    }
    return out;
}

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    EXPECT_FALSE(doc.HasParseError()) << "not JSON: " << text.substr(0, 200);
    return doc;
}

const std::string kDataDir = COMBOCHECK_TEST_DATA;

TEST(Cli, VersionPrintsNameAndVersion) {
    const RunResult r = cc({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(contains(r.out, "combocheck 0.")) << r.out;
}

TEST(Cli, HelpShowsExamplesAndExitCodes) {
    const RunResult r = cc({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(contains(r.out, "Examples:"));
    EXPECT_TRUE(contains(r.out, "Exit status"));
    EXPECT_TRUE(contains(r.out, "check"));
}

TEST(Cli, MissingSubcommandIsAUsageError) {
    const RunResult r = cc({});
    EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, UnknownOptionIsAUsageError) {
    EXPECT_EQ(cc({"check", "--frobnicate", "sertraline"}).exit_code, 2);
    EXPECT_EQ(cc({"check", "--format", "yaml", "sertraline", "tramadol"}).exit_code, 2);
}

TEST(CliCheck, IssueExampleResolvesNamesAndFindsMajorSerotoninRisk) {
    const RunResult r = cc({"check", "--color", "never", "Zoloft", "tramadol 50 mg", "5-HTP"});
    EXPECT_EQ(r.exit_code, 1) << r.err;  // a major finding reaches the default --fail-on
    EXPECT_TRUE(contains(r.out, "Zoloft")) << r.out;
    EXPECT_TRUE(contains(r.out, "-> sertraline (brand Zoloft)")) << r.out;
    EXPECT_TRUE(contains(r.out, "5-hydroxytryptophan")) << r.out;
    EXPECT_TRUE(contains(r.out, "[50 mg]")) << r.out;
    EXPECT_TRUE(contains(r.out, "MAJOR")) << r.out;
    EXPECT_TRUE(contains(r.out, "[serotonin_syndrome]")) << r.out;
    EXPECT_TRUE(contains(r.out, "Mechanism:")) << r.out;
    EXPECT_TRUE(contains(r.out, "-> serotonin (+")) << r.out;
    EXPECT_TRUE(contains(r.out, "Advice:")) << r.out;
    EXPECT_TRUE(contains(r.out, "Evidence:")) << r.out;
    EXPECT_TRUE(contains(r.out, "Sources:")) << r.out;
    EXPECT_TRUE(contains(r.out, "not medical advice")) << r.out;
    EXPECT_EQ(r.out.find("\x1b["), std::string::npos);
}

TEST(CliCheck, JsonOutputFollowsTheContract) {
    const RunResult r = cc({"check", "--format", "json", "Zoloft", "tramadol 50 mg", "5-HTP"});
    EXPECT_EQ(r.exit_code, 1);
    const auto doc = parse(r.out);
    ASSERT_TRUE(doc.IsObject());
    EXPECT_STREQ(doc["schema"].GetString(), "combocheck.check/1");
    ASSERT_EQ(doc["agents"].Size(), 3u);
    EXPECT_STREQ(doc["agents"][0]["input"].GetString(), "Zoloft");
    EXPECT_STREQ(doc["agents"][0]["id"].GetString(), "sertraline");
    EXPECT_STREQ(doc["agents"][0]["kind"].GetString(), "drug");
    EXPECT_EQ(doc["unresolved"].Size(), 0u);
    ASSERT_GE(doc["findings"].Size(), 1u);
    const auto& first = doc["findings"][0];
    for (const char* key : {"rule", "severity", "risk", "title", "agents", "contributions",
                            "mechanism", "explanation", "advice", "evidence", "references"}) {
        EXPECT_TRUE(first.HasMember(key)) << "finding lacks " << key;
    }
    EXPECT_STREQ(first["severity"].GetString(), "major");
    EXPECT_STREQ(first["risk"].GetString(), "serotonin_syndrome");
    EXPECT_GE(first["references"].Size(), 1u);
    EXPECT_STREQ(doc["max_severity"].GetString(), "major");
    EXPECT_TRUE(contains(doc["disclaimer"].GetString(), "not medical advice"));
}

TEST(CliCheck, FindingsAreSortedBySeverityThenRule) {
    const RunResult r = cc({"check", "--format", "json", "warfarin", "aspirin", "ibuprofen",
                            "sertraline", "tramadol", "fluconazole"});
    const auto doc = parse(r.out);
    const auto& findings = doc["findings"];
    ASSERT_GE(findings.Size(), 2u);
    const std::vector<std::string> order{"contraindicated", "major", "moderate", "minor"};
    for (rapidjson::SizeType i = 1; i < findings.Size(); ++i) {
        const auto rank = [&](const rapidjson::Value& f) {
            return std::find(order.begin(), order.end(), f["severity"].GetString()) - order.begin();
        };
        const auto a = rank(findings[i - 1]), b = rank(findings[i]);
        EXPECT_LE(a, b);
        if (a == b) {
            EXPECT_LE(std::string(findings[i - 1]["rule"].GetString()),
                      std::string(findings[i]["rule"].GetString()));
        }
    }
}

TEST(CliCheck, ResultDoesNotDependOnOrderOrRepetition) {
    const RunResult a = cc({"check", "--format", "json", "sertraline", "tramadol", "warfarin"});
    const RunResult b =
        cc({"check", "--format", "json", "warfarin", "tramadol", "Zoloft", "sertraline"});
    const auto da = parse(a.out), db = parse(b.out);
    EXPECT_TRUE(da["findings"] == db["findings"]);
    EXPECT_STREQ(da["max_severity"].GetString(), db["max_severity"].GetString());
}

TEST(CliCheck, MarkdownReportHasFindingsAndDisclaimer) {
    const RunResult r = cc({"check", "--format", "markdown", "sertraline", "tramadol", "5-HTP"});
    EXPECT_TRUE(contains(r.out, "# combocheck report"));
    EXPECT_TRUE(contains(r.out, "## Findings"));
    EXPECT_TRUE(contains(r.out, "not medical advice"));
}

TEST(CliCheck, FailOnControlsTheExitCode) {
    const std::vector<std::string> list{"Zoloft", "tramadol 50 mg", "5-HTP"};
    const auto with = [&](const std::string& level) {
        std::vector<std::string> args{"check", "--fail-on", level};
        args.insert(args.end(), list.begin(), list.end());
        return cc(args).exit_code;
    };
    EXPECT_EQ(with("none"), 0);
    EXPECT_EQ(with("contraindicated"), 0);
    EXPECT_EQ(with("major"), 1);
    EXPECT_EQ(with("moderate"), 1);
}

TEST(CliCheck, UnresolvedNamesAreReportedWithSuggestionsAndExitTwo) {
    const RunResult r = cc({"check", "--color", "never", "sertralinne", "tramadol", "xqzwv"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.out, "NOT RECOGNISED")) << r.out;
    EXPECT_TRUE(contains(r.out, "did you mean sertraline")) << r.out;
    EXPECT_TRUE(contains(r.out, "xqzwv")) << r.out;
    EXPECT_TRUE(contains(r.err, "not recognised")) << r.err;

    const auto doc = parse(cc({"check", "--format", "json", "sertralinne", "tramadol"}).out);
    ASSERT_EQ(doc["unresolved"].Size(), 1u);
    EXPECT_STREQ(doc["unresolved"][0]["input"].GetString(), "sertralinne");
    ASSERT_GE(doc["unresolved"][0]["suggestions"].Size(), 1u);
    EXPECT_STREQ(doc["unresolved"][0]["suggestions"][0].GetString(), "sertraline");
}

TEST(CliCheck, NoFindingIsNeverCalledSafe) {
    const RunResult r = cc({"check", "--color", "never", "amlodipine", "metformin"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(contains(unwrapped(r.out), "No known interaction in this knowledge base")) << r.out;
    EXPECT_TRUE(contains(unwrapped(r.out), "does not mean the combination is safe")) << r.out;
    const auto doc = parse(cc({"check", "--format", "json", "amlodipine", "metformin"}).out);
    EXPECT_STREQ(doc["max_severity"].GetString(), "none");
    EXPECT_EQ(doc["findings"].Size(), 0u);
}

TEST(CliCheck, ReadsNamesFromStdin) {
    const RunResult r = cc({"check", "--format", "json", "-"},
                           "# morning list\r\nZoloft\r\n\r\n  tramadol 50 mg\n5-HTP\n");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const auto doc = parse(r.out);
    ASSERT_EQ(doc["agents"].Size(), 3u);
    EXPECT_STREQ(doc["agents"][1]["id"].GetString(), "tramadol");
}

TEST(CliCheck, RefusesBinaryOrHugeStdinLines) {
    EXPECT_EQ(cc({"check", "-"}, std::string("sertraline\n\0x\n", 14)).exit_code, 2);
    EXPECT_EQ(cc({"check", "-"}, std::string(10000, 'a') + "\n").exit_code, 2);
}

TEST(CliCheck, EmptyStdinIsAUsageError) {
    const RunResult r = cc({"check", "-"}, "\n# nothing\n");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "no agent names")) << r.err;
}

TEST(CliCheck, ColourOnlyWhenAskedAndNeverWithNoColorOnAuto) {
    EXPECT_TRUE(
        contains(cc({"check", "--color", "always", "sertraline", "tramadol"}).out, "\x1b["));
    EXPECT_FALSE(contains(cc({"check", "sertraline", "tramadol"}).out, "\x1b["));  // not a tty
    EXPECT_FALSE(contains(
        cc({"check", "--color", "auto", "sertraline", "tramadol"}, "", {{"NO_COLOR", "1"}}).out,
        "\x1b["));
}

TEST(CliExplain, AgentShowsEffectsSourcesAndRules) {
    const RunResult r = cc({"explain", "tramadol"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "Effects:"));
    EXPECT_TRUE(contains(r.out, "serotonin"));
    EXPECT_TRUE(contains(r.out, "sources:"));
    EXPECT_TRUE(contains(r.out, "Rules that can involve it:"));
}

TEST(CliExplain, SystemListsWhatActsOnIt) {
    const RunResult r = cc({"explain", "serotonin"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "Agents that raise it:"));
    EXPECT_TRUE(contains(r.out, "sertraline"));
    EXPECT_TRUE(contains(r.out, "Rules reading it:"));
}

TEST(CliExplain, ClassRuleAndRiskAreExplained) {
    EXPECT_TRUE(contains(cc({"explain", "ssri"}).out, "Members:"));
    const auto rules = parse(cc({"list", "rules", "--format", "json"}).out);
    ASSERT_GE(rules.Size(), 1u);
    const std::string rule = rules[0]["id"].GetString();
    const RunResult r = cc({"explain", rule});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(contains(r.out, "rule, id " + rule)) << r.out;
    EXPECT_TRUE(contains(cc({"explain", "serotonin_syndrome"}).out, "risk category"));
}

TEST(CliExplain, UnknownSubjectIsAUsageErrorWithSuggestions) {
    const RunResult r = cc({"explain", "tramadl"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "did you mean tramadol")) << r.err;
}

TEST(CliList, AgentsFilteredByKindAsJson) {
    const RunResult r = cc({"list", "agents", "--kind", "supplement", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0);
    const auto doc = parse(r.out);
    ASSERT_TRUE(doc.IsArray());
    ASSERT_GE(doc.Size(), 5u);
    for (const auto& a : doc.GetArray())
        EXPECT_STREQ(a["kind"].GetString(), "supplement");
}

TEST(CliList, AgentsAndRulesFilteredBySystem) {
    const RunResult agents = cc({"list", "agents", "--system", "serotonin"});
    EXPECT_TRUE(contains(agents.out, "sertraline"));
    EXPECT_FALSE(contains(agents.out, "metformin"));
    const auto rules =
        parse(cc({"list", "rules", "--system", "serotonin", "--format", "json"}).out);
    ASSERT_GE(rules.Size(), 1u);
    EXPECT_STREQ(rules[0]["kind"].GetString(), "burden");
    EXPECT_EQ(cc({"list", "agents", "--system", "nonsense"}).exit_code, 2);
    EXPECT_EQ(cc({"list", "potions"}).exit_code, 2);
}

TEST(CliList, SystemsAndSourcesAndRisks) {
    EXPECT_TRUE(contains(cc({"list", "systems", "--kind", "enzyme"}).out, "cyp3a4"));
    EXPECT_FALSE(contains(cc({"list", "systems", "--kind", "enzyme"}).out, "serotonin"));
    EXPECT_TRUE(contains(cc({"list", "risks"}).out, "serotonin_syndrome"));
    EXPECT_TRUE(contains(cc({"list", "sources"}).out, "fda_ddi_table"));
}

TEST(CliLint, TheShippedRulesAreValid) {
    const RunResult r = cc({"lint", COMBOCHECK_RULES_DIR});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "ok:")) << r.out;
}

TEST(CliLint, EveryErrorIsListedWithFileLineAndColumn) {
    const RunResult r = cc({"lint", kDataDir + "/broken"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(contains(r.err,
                         "broken/agents.json:4:32: error: unknown system 'serotonim' (did "
                         "you mean 'serotonin'?)"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "broken/agents.json:6:45: error: 'medicine' is not a valid kind"))
        << r.err;
    EXPECT_TRUE(contains(r.err, "broken/agents.json:6:57: error: unknown key 'brnads'")) << r.err;
    EXPECT_TRUE(contains(r.err, "3 error(s)")) << r.err;
}

TEST(CliLint, BrokenKnowledgeBaseStopsCheckWithExitThree) {
    const RunResult r = cc({"--rules", kDataDir + "/broken", "check", "alpha", "beta"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(contains(r.err, "agents.json:4:32")) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliLint, ExtraRulesAddAndReplaceEntries) {
    const RunResult lint = cc({"--extra-rules", kDataDir + "/extra", "lint"});
    EXPECT_EQ(lint.exit_code, 0) << lint.err;
    EXPECT_TRUE(contains(lint.err, "note: system 'serotonin' from the extra rules replaces"))
        << lint.err;
    const RunResult check = cc({"--extra-rules", kDataDir + "/extra", "check", "--format", "json",
                                "local compound x", "sertraline"});
    const auto doc = parse(check.out);
    ASSERT_EQ(doc["agents"].Size(), 2u);
    EXPECT_STREQ(doc["agents"][0]["id"].GetString(), "local_compound_x");
    const RunResult explain = cc({"--extra-rules", kDataDir + "/extra", "explain", "serotonin"});
    EXPECT_TRUE(contains(explain.out, "Local description")) << explain.out;
}

TEST(CliGraph, WholeGraphAndCheckSubgraphAreDot) {
    const RunResult all = cc({"graph"});
    EXPECT_EQ(all.exit_code, 0);
    EXPECT_EQ(all.out.rfind("digraph", 0), 0u);
    EXPECT_TRUE(contains(all.out, "warfarin"));
    const RunResult part = cc({"graph", "sertraline", "tramadol"});
    EXPECT_EQ(part.exit_code, 0);
    EXPECT_EQ(part.out.rfind("digraph", 0), 0u);
    EXPECT_TRUE(contains(part.out, "sertraline"));
    EXPECT_TRUE(contains(part.out, "shape=octagon"));  // the rule that fired
    EXPECT_FALSE(contains(part.out, "warfarin"));
    EXPECT_EQ(cc({"graph", "sertraline", "nosuchthing"}).exit_code, 2);
}

}  // namespace

namespace {

TEST(CliResolve, ShowsWhatEachNameMapsToAndWhy) {
    const RunResult r = cc({"resolve", "Zoloft", "APAP", "rxnorm:36437", "tramadol 50 mg"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "-> sertraline (drug, id sertraline)")) << r.out;
    EXPECT_TRUE(contains(r.out, "matched the brand 'Zoloft'")) << r.out;
    EXPECT_TRUE(contains(r.out, "matched the abbreviation 'APAP'")) << r.out;
    EXPECT_TRUE(contains(r.out, "matched the rxnorm 'rxnorm:36437'")) << r.out;
    EXPECT_TRUE(contains(r.out, "kept as dose/form text: '50 mg'")) << r.out;
}

TEST(CliResolve, UnresolvedNamesExitTwoWithSuggestionsAsJson) {
    const RunResult r = cc({"resolve", "--format", "json", "sertralin", "tramadol"});
    EXPECT_EQ(r.exit_code, 2);
    const auto doc = parse(r.out);
    ASSERT_EQ(doc.Size(), 2u);
    EXPECT_FALSE(doc[0].HasMember("id"));
    EXPECT_STREQ(doc[0]["suggestions"][0].GetString(), "sertraline");
    EXPECT_STREQ(doc[1]["id"].GetString(), "tramadol");
}

TEST(CliStats, CountsAgentsByKindAsTextAndJson) {
    const RunResult text = cc({"stats"});
    EXPECT_EQ(text.exit_code, 0);
    EXPECT_TRUE(contains(text.out, "agents:")) << text.out;
    const auto doc = parse(cc({"stats", "--format", "json"}).out);
    EXPECT_STREQ(doc["schema"].GetString(), "combocheck.stats/1");
    const auto& agents = doc["agents"];
    EXPECT_EQ(agents["total"].GetUint64(),
              agents["drug"].GetUint64() + agents["supplement"].GetUint64() +
                  agents["food"].GetUint64() + agents["recreational"].GetUint64());
    EXPECT_GE(agents["total"].GetUint64(), 80u);
    const auto listed = parse(cc({"list", "agents", "--format", "json"}).out);
    EXPECT_EQ(agents["total"].GetUint64(), listed.Size());
}

}  // namespace

namespace {

// docs/sources.md carries the generated table of every source; it must match the binary's.
TEST(CliDocs, SourcesPageListsEverySourceOfTheBuiltInKnowledgeBase) {
    std::ifstream in(std::string(COMBOCHECK_DOCS_DIR) + "/sources.md");
    ASSERT_TRUE(in) << "docs/sources.md is missing";
    const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string marker = "<!-- generated: combocheck list sources --format markdown -->\n";
    const auto at = page.find(marker);
    ASSERT_NE(at, std::string::npos) << "docs/sources.md lacks the marker line";
    const RunResult r = cc({"list", "sources", "--format", "markdown"});
    ASSERT_EQ(r.exit_code, 0);
    EXPECT_EQ(page.substr(at + marker.size()), r.out)
        << "docs/sources.md is out of date: regenerate the table below its marker with "
           "`combocheck list sources --format markdown`";
}

}  // namespace
