// Tests engine/loader.cpp: every kind of knowledge-file error, with its message and file:line:col.
#include "loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/mini_kb.hpp"

namespace combocheck {
namespace {

using testing::MiniKb;

const std::string kMechanism = R"("mechanism": "m")";
const std::string kEvidence = R"("evidence": "established")";
const std::string kSources = R"("sources": ["src"])";
const std::string kNote = R"("note": "no interactions known")";

// A file with one entry of `section`, its fields one per line: the entry's '{' is at 3:5, the
// first field starts at 4:7, the second at 5:7, and so on.
std::string entry_file(const std::string& section, const std::vector<std::string>& fields) {
    std::string text = "{\n  \"" + section + "\": [\n    {\n";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        text += "      " + fields[i] + (i + 1 < fields.size() ? ",\n" : "\n");
    }
    return text + "    }\n  ]\n}\n";
}

std::string agent_file(const std::vector<std::string>& fields) {
    return entry_file("agents", fields);
}

// A class "c" with one effect whose fields are written one per line from 8:11 on.
std::string class_effect_file(const std::vector<std::string>& fields) {
    std::string text =
        "{\n  \"classes\": [\n    {\n      \"id\": \"c\",\n      \"name\": \"c\",\n"
        "      \"effects\": [\n        {\n";
    for (std::size_t i = 0; i < fields.size(); ++i) {
        text += "          " + fields[i] + (i + 1 < fields.size() ? ",\n" : "\n");
    }
    return text + "        }\n      ]\n    }\n  ]\n}\n";
}

// A burden rule on serotonin; `title` on line 7 (value at 7:16), `tiers` from line 14 on.
std::string burden_rule_file(const std::string& title, const std::string& tiers) {
    return entry_file(
        "rules",
        {R"("id": "load")", R"("kind": "burden")", R"("risk": "serotonin_syndrome")",
         R"("title": ")" + title + "\"", R"("explanation": "e")", R"("advice": "a")", kEvidence,
         kSources, R"("system": "serotonin")", R"("action": "increases")", R"("tiers": )" + tiers});
}

// The mini base's systems, risks and source, plus the given files.
std::vector<RuleFile> with_base(std::vector<RuleFile> more) {
    std::vector<RuleFile> files{MiniKb{}.files().front()};
    files.insert(files.end(), more.begin(), more.end());
    return files;
}

LintReport lint_one(const std::string& text) {
    return lint_knowledge(with_base({{"bad.json", text}}));
}

::testing::AssertionResult HasError(const LintReport& report, const std::string& text,
                                    const std::string& file, std::uint32_t line,
                                    std::uint32_t column) {
    for (const Diagnostic& d : report.diagnostics) {
        if (d.level == Diagnostic::Level::error && d.message.find(text) != std::string::npos &&
            d.file == file && d.line == line && d.column == column) {
            return ::testing::AssertionSuccess();
        }
    }
    auto failure = ::testing::AssertionFailure()
                   << "no error containing \"" << text << "\" at " << file << ":" << line << ":"
                   << column << "; diagnostics:";
    for (const Diagnostic& d : report.diagnostics)
        failure << "\n  " << format_diagnostic(d);
    return failure;
}

TEST(Loader, InvalidJsonIsReportedWhereTheParserStopped) {
    const auto report =
        lint_one("{\n  \"agents\": [\n    { \"id\": \"x\" \"name\": \"x\" }\n  ]\n}\n");
    EXPECT_TRUE(HasError(report, "invalid JSON: Missing a comma or '}' after an object member",
                         "bad.json", 3, 17));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, TopLevelMustBeAnObject) {
    const auto report = lint_one("\n  [ ]\n");
    EXPECT_TRUE(HasError(report, "a knowledge file must be a JSON object", "bad.json", 2, 3));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, UnknownTopLevelKeyIsAnError) {
    const auto report = lint_one("{\n  \"systems\": [],\n  \"agnets\": []\n}\n");
    EXPECT_TRUE(HasError(report, "unknown key 'agnets' in the file's top level", "bad.json", 3, 3));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, MisspeltAgentKeyIsAnError) {
    const auto report = lint_one(agent_file({R"("id": "x")", R"("name": "x")", R"("kind": "drug")",
                                             R"("brnads": ["X"])", kNote, kSources}));
    EXPECT_TRUE(HasError(report, "unknown key 'brnads' in agent 'x'", "bad.json", 7, 7));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, ColumnsCountCharactersNotBytes) {
    // "é" is two bytes in UTF-8 but one column.
    const auto report = lint_one(agent_file(
        {R"("id": "x")", R"("name": "é", "brnads": ["X"])", R"("kind": "drug")", kNote, kSources}));
    EXPECT_TRUE(HasError(report, "unknown key 'brnads'", "bad.json", 5, 20));
}

TEST(Loader, PositionsAfterAnEscapedQuoteAreExact) {
    const auto report = lint_one(agent_file({R"("id": "x")", R"("name": "x\"y", "brnads": ["X"])",
                                             R"("kind": "drug")", kNote, kSources}));
    EXPECT_TRUE(HasError(report, "unknown key 'brnads'", "bad.json", 5, 23));
}

TEST(Loader, NumberOutOfRangeIsReportedAtTheNumber) {
    const auto report =
        lint_one(class_effect_file({R"("system": "serotonin")", R"("action": "increases")",
                                    R"("weight": 20)", kMechanism, kEvidence, kSources}));
    EXPECT_TRUE(HasError(report, "'weight' must be between", "bad.json", 10, 21));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, DuplicateKeyIsAnError) {
    const auto report = lint_one(agent_file({R"("id": "x")", R"("name": "x")", R"("name": "y")",
                                             R"("kind": "drug")", kNote, kSources}));
    EXPECT_TRUE(HasError(report, "duplicate key 'name' in agent 'x'", "bad.json", 6, 7));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, MissingRequiredFieldIsReportedAtTheEntry) {
    const auto report =
        lint_one(agent_file({R"("id": "x")", R"("kind": "drug")", kNote, kSources}));
    EXPECT_TRUE(HasError(report, "agent 'x' has no 'name' (required)", "bad.json", 3, 5));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, WeightWrittenAsStringIsAWrongType) {
    const auto report =
        lint_one(class_effect_file({R"("system": "serotonin")", R"("action": "increases")",
                                    R"("weight": "3")", kMechanism, kEvidence, kSources}));
    EXPECT_TRUE(HasError(report, "'weight' must be a number, not a string", "bad.json", 10, 21));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, UnknownActionListsTheValidOnes) {
    const auto report = lint_one(class_effect_file(
        {R"("system": "cyp3a4")", R"("action": "inhibit")", kMechanism, kEvidence, kSources}));
    EXPECT_TRUE(HasError(report,
                         "'inhibit' is not a valid action (one of: increases, decreases, "
                         "inhibits, induces, substrate)",
                         "bad.json", 9, 21));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, UnknownSystemSuggestsTheCloseOne) {
    const auto report =
        lint_one(class_effect_file({R"("system": "serotonine")", R"("action": "increases")",
                                    R"("weight": 3)", kMechanism, kEvidence, kSources}));
    EXPECT_TRUE(HasError(report, "unknown system 'serotonine' (did you mean 'serotonin'?)",
                         "bad.json", 8, 21));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, UnknownClassIsAnError) {
    const auto report = lint_one(agent_file({R"("id": "x")", R"("name": "x")", R"("kind": "drug")",
                                             R"("classes": ["ssrri"])", kNote, kSources}));
    EXPECT_TRUE(HasError(report, "unknown class 'ssrri'", "bad.json", 7, 19));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, UnknownSourceSuggestsTheCloseOne) {
    const auto report = lint_one(
        class_effect_file({R"("system": "serotonin")", R"("action": "increases")", R"("weight": 3)",
                           kMechanism, kEvidence, R"("sources": ["srcc"])"}));
    EXPECT_TRUE(
        HasError(report, "unknown source 'srcc' (did you mean 'src'?)", "bad.json", 13, 23));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, EffectWithoutSourcesIsAnError) {
    const auto report =
        lint_one(class_effect_file({R"("system": "serotonin")", R"("action": "increases")",
                                    R"("weight": 3)", kMechanism, kEvidence, R"("sources": [])"}));
    EXPECT_TRUE(HasError(report, "'sources' must not be empty", "bad.json", 13, 22));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, DuplicateAgentIdAcrossFilesNamesTheFirst) {
    const std::string x =
        agent_file({R"("id": "x")", R"("name": "x")", R"("kind": "drug")", kNote, kSources});
    const auto report = lint_knowledge(with_base({{"a.json", x}, {"b.json", x}}));
    EXPECT_TRUE(
        HasError(report, "duplicate agent id 'x' (first defined at a.json:4:13)", "b.json", 4, 13));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, BrandNamesEqualAfterNormalisationAreAmbiguous) {
    const auto with_brand = [](const std::string& id, const std::string& brand) {
        return agent_file({R"("id": ")" + id + "\"", R"("name": ")" + id + "\"",
                           R"("kind": "drug")", R"("brands": [")" + brand + "\"]", kNote,
                           kSources});
    };
    const auto report = lint_knowledge(
        with_base({{"a.json", with_brand("x", "Zoloft")}, {"b.json", with_brand("y", "zoloft ")}}));
    EXPECT_TRUE(HasError(report,
                         "name 'zoloft ' of agent 'y' is ambiguous: agent 'x' answers to "
                         "'Zoloft' (a.json:7:18)",
                         "b.json", 7, 18));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, ClassCycleIsAnError) {
    const auto report = lint_one(
        "{\n  \"classes\": [\n    { \"id\": \"a\", \"name\": \"a\", \"parents\": [\"b\"] },\n"
        "    { \"id\": \"b\", \"name\": \"b\", \"parents\": [\"a\"] }\n  ]\n}\n");
    EXPECT_TRUE(HasError(report, "class cycle: a -> b -> a", "bad.json", 4, 5));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, PharmacokineticActionOnATransmitterIsAnError) {
    const auto report =
        lint_one(class_effect_file({R"("system": "serotonin")", R"("action": "inhibits")",
                                    R"("strength": "strong")", kMechanism, kEvidence, kSources}));
    EXPECT_TRUE(HasError(report, "action 'inhibits' cannot act on transmitter system 'serotonin'",
                         "bad.json", 8, 21));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, WeightOnAnInhibitsEffectIsAnError) {
    const auto report = lint_one(class_effect_file(
        {R"("system": "cyp3a4")", R"("action": "inhibits")", R"("strength": "strong")",
         R"("weight": 2)", kMechanism, kEvidence, kSources}));
    EXPECT_TRUE(
        HasError(report, "'weight' applies only to increases and decreases", "bad.json", 11, 21));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, TiersMustRise) {
    const auto report = lint_one(
        burden_rule_file("Load",
                         "[\n        { \"min_weight\": 4, \"severity\": \"major\" },\n"
                         "        { \"min_weight\": 6, \"severity\": \"moderate\" }\n      ]"));
    EXPECT_TRUE(
        HasError(report, "tiers must rise in both min_weight and severity", "bad.json", 16, 9));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, UnknownPlaceholderInATitleIsAnError) {
    const auto report = lint_one(
        burden_rule_file("{agent} together", R"([{ "min_weight": 4, "severity": "major" }])"));
    EXPECT_TRUE(HasError(report,
                         "unknown placeholder '{agent}' in title of a burden rule (allowed: "
                         "{agents}, {system})",
                         "bad.json", 7, 16));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, AgentWithNoEffectsNeedsANote) {
    const auto report =
        lint_one(agent_file({R"("id": "x")", R"("name": "x")", R"("kind": "drug")"}));
    EXPECT_TRUE(HasError(report, "agent 'x' has no effects and no class", "bad.json", 3, 5));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, IdMustBeSnakeCase) {
    const auto report = lint_one(agent_file(
        {R"("id": "Sertraline")", R"("name": "x")", R"("kind": "drug")", kNote, kSources}));
    EXPECT_TRUE(HasError(report, "id 'Sertraline' must be snake_case", "bad.json", 4, 13));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, MalformedAtcCodeIsAnError) {
    const auto report =
        lint_one(agent_file({R"("id": "x")", R"("name": "x")", R"("kind": "drug")",
                             R"("codes": { "atc": ["N06AB6"] })", kNote, kSources}));
    EXPECT_TRUE(HasError(report, "'N06AB6' is not an ATC code (like N06AB06)", "bad.json", 7, 26));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, RxnormCodeMustBeDigits) {
    const auto report =
        lint_one(agent_file({R"("id": "x")", R"("name": "x")", R"("kind": "drug")",
                             R"("codes": { "rxnorm": "36437a" })", kNote, kSources}));
    EXPECT_TRUE(HasError(report, "an RxNorm code is a string of digits", "bad.json", 7, 28));
    EXPECT_EQ(report.error_count, 1u);
}

TEST(Loader, LintReportsEveryErrorInEveryFile) {
    const auto report = lint_knowledge(
        with_base({{"a.json", agent_file({R"("id": "x")", R"("name": "x")", R"("kind": "drug")",
                                          R"("brnads": ["X"])", kNote, kSources})},
                   {"b.json", "{\n  \"agnets\": []\n}\n"}}));
    EXPECT_TRUE(HasError(report, "unknown key 'brnads'", "a.json", 7, 7));
    EXPECT_TRUE(HasError(report, "unknown key 'agnets'", "b.json", 2, 3));
    EXPECT_EQ(report.error_count, 2u);
    EXPECT_FALSE(report.knowledge.has_value());
}

TEST(Loader, LoadThrowsWithTheDiagnosticsAndNeverReturnsAPartialBase) {
    const auto files = with_base({{"bad.json", "{\n  \"agnets\": []\n}\n"}});
    EXPECT_FALSE(lint_knowledge(files).knowledge.has_value());
    try {
        load_knowledge(files);
        FAIL() << "load_knowledge accepted a file with an error";
    } catch (const LoadError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "bad.json:2:3: error: unknown key 'agnets' in the file's top level");
        ASSERT_FALSE(e.diagnostics().empty());
        const auto errors =
            std::count_if(e.diagnostics().begin(), e.diagnostics().end(),
                          [](const Diagnostic& d) { return d.level == Diagnostic::Level::error; });
        EXPECT_EQ(errors, 1);
    }
}

TEST(Loader, WarningsFailOnlyWhenStrict) {
    // The mini base's source "src" is cited by nothing here.
    const std::vector<RuleFile> base{MiniKb{}.files().front()};
    const auto report = lint_knowledge(base);
    EXPECT_EQ(report.error_count, 0u);
    EXPECT_GE(report.warning_count, 1u);
    const auto uncited =
        std::find_if(report.diagnostics.begin(), report.diagnostics.end(),
                     [](const Diagnostic& d) { return d.message == "source 'src' is not cited"; });
    ASSERT_NE(uncited, report.diagnostics.end());
    EXPECT_EQ(uncited->level, Diagnostic::Level::warning);
    EXPECT_TRUE(report.knowledge.has_value());
    EXPECT_NO_THROW(load_knowledge(base));

    const auto strict = lint_knowledge(base, {}, LoadOptions{true});
    EXPECT_FALSE(strict.knowledge.has_value());
    EXPECT_TRUE(
        std::any_of(strict.diagnostics.begin(), strict.diagnostics.end(), [](const Diagnostic& d) {
            return d.level == Diagnostic::Level::error && d.message == "source 'src' is not cited";
        }));
    EXPECT_THROW(load_knowledge(base, {}, LoadOptions{true}), LoadError);
}

TEST(Loader, ExtraFileReplacesAnEntryWithANote) {
    const auto x = [](const std::string& weight) {
        return agent_file({R"("id": "x")", R"("name": "x")", R"("kind": "drug")",
                           R"("effects": [)" +
                               testing::effect("serotonin", "increases", R"("weight": )" + weight) +
                               "]"});
    };
    const auto base = with_base({{"agents.json", x("1")}});
    const std::vector<RuleFile> extra{{"local.json", x("3")}};
    const auto report = lint_knowledge(base, extra);
    EXPECT_EQ(report.error_count, 0u);
    const auto note =
        std::find_if(report.diagnostics.begin(), report.diagnostics.end(),
                     [](const Diagnostic& d) { return d.level == Diagnostic::Level::note; });
    ASSERT_NE(note, report.diagnostics.end());
    EXPECT_EQ(format_diagnostic(*note),
              "local.json:4:13: note: agent 'x' from the extra rules replaces the one at "
              "agents.json:4:13");

    const KnowledgeBase kb = load_knowledge(base, extra);
    ASSERT_EQ(kb.agents().size(), 1u);
    ASSERT_EQ(kb.agents()[0].effects.size(), 1u);
    EXPECT_EQ(kb.agents()[0].effects[0].weight, 3);
}

TEST(Loader, DiagnosticsFormatAsFileLineColumn) {
    EXPECT_EQ(format_diagnostic({Diagnostic::Level::error, "a.json", 12, 5, "bad"}),
              "a.json:12:5: error: bad");
    EXPECT_EQ(format_diagnostic({Diagnostic::Level::warning, "dir", 0, 0, "empty"}),
              "dir: warning: empty");
}

TEST(Loader, MissingDirectoryThrows) {
    const auto missing = std::filesystem::temp_directory_path() / "combocheck-no-such-directory";
    EXPECT_THROW(read_rule_directory(missing), LoadError);
}

TEST(Loader, DirectoryIsReadInSortedOrderWithoutSchema) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() /
                         ("combocheck-loader-test-" +
                          std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    fs::remove_all(dir);
    fs::create_directories(dir / "schema");
    fs::create_directories(dir / "agents");
    for (const char* name : {"b.json", "agents/a.json", "schema/s.json", "notes.txt"}) {
        std::ofstream(dir / name) << "{}";
    }
    const auto files = read_rule_directory(dir);
    fs::remove_all(dir);
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].name, (dir / "agents/a.json").string());
    EXPECT_EQ(files[1].name, (dir / "b.json").string());
    EXPECT_EQ(files[1].text, "{}");
}

TEST(Loader, EmbeddedRulesAreNotEmpty) {
    EXPECT_FALSE(embedded_rule_files().empty());
}

}  // namespace
}  // namespace combocheck
