// Tests engine/report.cpp and its writers: JSON (a contract), text and Markdown.
#include "report.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/mini_kb.hpp"

namespace combocheck {
namespace {

using testing::agent;
using testing::effect;
using testing::MiniKb;

KnowledgeBase report_kb() {
    MiniKb kb;
    kb.classes = R"({ "id": "ssri", "name": "selective serotonin reuptake inhibitor",
                      "effects": [)" +
                 effect("serotonin", "increases", R"("weight": 3)") + "] }";
    kb.agents =
        agent("sertraline", "drug", "", R"("classes": ["ssri"], "brands": ["Zoloft"])") + ",\n" +
        agent("tramadol", "drug", effect("serotonin", "increases", R"("weight": 2)")) + ",\n" +
        agent("valerian", "supplement", effect("sedation", "increases", R"("weight": 0.5)"));
    kb.rules = R"({ "id": "load", "kind": "burden", "risk": "serotonin_syndrome",
                    "title": "Serotonergic load: {agents}", "explanation": "Together they add up.",
                    "advice": "Watch for agitation.", "evidence": "established", "sources": ["src"],
                    "system": "serotonin", "action": "increases",
                    "tiers": [{ "min_weight": 4, "severity": "moderate" }] })";
    return kb.load();
}

// The knowledge base and resolver every test shares (both immutable).
struct Setup {
    const KnowledgeBase kb = report_kb();
    const Resolver resolver{kb};
};

const Setup& setup() {
    static const Setup instance;
    return instance;
}

CheckReport report(const std::vector<std::string>& inputs) {
    return check_names(setup().kb, setup().resolver, inputs);
}

std::string json(const CheckReport& r) {
    std::ostringstream out;
    write_json(out, setup().kb, r);
    return out.str();
}

std::string text(const CheckReport& r, TextOptions options = {}) {
    std::ostringstream out;
    write_text(out, setup().kb, r, options);
    return out.str();
}

std::string markdown(const CheckReport& r) {
    std::ostringstream out;
    write_markdown(out, setup().kb, r);
    return out.str();
}

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    EXPECT_FALSE(doc.HasParseError()) << text;
    return doc;
}

// The text with line breaks (from word wrapping) turned into spaces.
std::string unwrapped(const std::string& text) {
    std::string out;
    for (const char c : text)
        out += c == '\n' ? ' ' : c;
    return out;
}

// Sentences that call something "safe" without negating it.
std::vector<std::string> unqualified_safe(const std::string& text) {
    const std::string flat = unwrapped(text);
    std::vector<std::string> out;
    for (std::size_t at = flat.find("safe"); at != std::string::npos;
         at = flat.find("safe", at + 1)) {
        const std::size_t start = flat.rfind('.', at);
        const std::string sentence =
            flat.substr(start == std::string::npos ? 0 : start + 1, at + 4 - (start + 1));
        if (sentence.find("does not mean") == std::string::npos &&
            sentence.find("never that") == std::string::npos) {
            out.push_back(sentence);
        }
    }
    return out;
}

TEST(Report, CheckNamesResolvesInInputOrderAndSkipsBlankLines) {
    const CheckReport r = report({"tramadol", "", "  ", "Zoloft 50 mg", "sertralin"});
    ASSERT_EQ(r.resolutions.size(), 3u);
    EXPECT_EQ(r.resolutions[0].input, "tramadol");
    EXPECT_EQ(r.resolutions[1].detail, "50 mg");
    EXPECT_FALSE(r.resolutions[2].agent.has_value());
    EXPECT_EQ(r.result.agents.size(), 2u);
    EXPECT_EQ(r.result.max_severity, Severity::moderate);
}

TEST(Report, JsonHasSchemaAgentsAndUnresolved) {
    const auto doc = parse(json(report({"Zoloft 50 mg", "tramadol", "sertralin"})));
    ASSERT_TRUE(doc.IsObject());
    EXPECT_EQ(std::string(doc["schema"].GetString()), kCheckSchema);
    EXPECT_EQ(std::string(doc["disclaimer"].GetString()), kDisclaimer);

    const auto& agents = doc["agents"];
    ASSERT_TRUE(agents.IsArray());
    ASSERT_EQ(agents.Size(), 2u);
    EXPECT_STREQ(agents[0]["input"].GetString(), "Zoloft 50 mg");
    EXPECT_STREQ(agents[0]["id"].GetString(), "sertraline");
    EXPECT_STREQ(agents[0]["kind"].GetString(), "drug");
    EXPECT_STREQ(agents[0]["matched"].GetString(), "Zoloft");
    EXPECT_STREQ(agents[0]["matched_as"].GetString(), "brand");
    EXPECT_STREQ(agents[0]["detail"].GetString(), "50 mg");
    EXPECT_FALSE(agents[1].HasMember("detail"));

    const auto& unresolved = doc["unresolved"];
    ASSERT_TRUE(unresolved.IsArray());
    ASSERT_EQ(unresolved.Size(), 1u);
    EXPECT_STREQ(unresolved[0]["input"].GetString(), "sertralin");
    ASSERT_TRUE(unresolved[0]["suggestions"].IsArray());
    ASSERT_GE(unresolved[0]["suggestions"].Size(), 1u);
    EXPECT_STREQ(unresolved[0]["suggestions"][0].GetString(), "sertraline");
}

TEST(Report, JsonFindingHasEveryRequiredField) {
    const auto doc = parse(json(report({"Zoloft", "tramadol"})));
    EXPECT_STREQ(doc["max_severity"].GetString(), "moderate");
    ASSERT_TRUE(doc["findings"].IsArray());
    ASSERT_EQ(doc["findings"].Size(), 1u);
    const auto& f = doc["findings"][0];
    for (const char* key : {"rule", "severity", "risk", "title", "agents", "contributions",
                            "mechanism", "explanation", "advice", "evidence", "references"}) {
        EXPECT_TRUE(f.HasMember(key)) << key;
    }
    EXPECT_STREQ(f["rule"].GetString(), "load");
    EXPECT_STREQ(f["severity"].GetString(), "moderate");
    EXPECT_STREQ(f["risk"].GetString(), "serotonin_syndrome");
    EXPECT_STREQ(f["title"].GetString(), "Serotonergic load: sertraline and tramadol");
    ASSERT_EQ(f["agents"].Size(), 2u);
    EXPECT_STREQ(f["agents"][0].GetString(), "sertraline");
    EXPECT_STREQ(f["agents"][1].GetString(), "tramadol");
    EXPECT_EQ(f["total_weight"].GetDouble(), 5);
    ASSERT_EQ(f["contributions"].Size(), 2u);
    const auto& c = f["contributions"][0];
    EXPECT_STREQ(c["agent"].GetString(), "sertraline");
    EXPECT_STREQ(c["role"].GetString(), "contributor");
    ASSERT_EQ(c["via"].Size(), 1u);
    EXPECT_STREQ(c["via"][0].GetString(), "ssri");
    EXPECT_EQ(c["weight"].GetDouble(), 3);
    EXPECT_EQ(c["exposure_scale"].GetDouble(), 1);
    EXPECT_STREQ(c["effect"]["system"].GetString(), "serotonin");
    EXPECT_NE(std::string(f["mechanism"].GetString()).find("sertraline -> [selective"),
              std::string::npos);
    EXPECT_STREQ(f["explanation"].GetString(), "Together they add up.");
    EXPECT_STREQ(f["advice"].GetString(), "Watch for agitation.");
    EXPECT_STREQ(f["evidence"].GetString(), "established");
    ASSERT_EQ(f["references"].Size(), 1u);
    EXPECT_STREQ(f["references"][0]["id"].GetString(), "src");
    EXPECT_STREQ(f["references"][0]["title"].GetString(), "A review");
    EXPECT_EQ(f["references"][0]["year"].GetInt(), 2020);
}

TEST(Report, JsonWithoutFindingsSaysNone) {
    const auto doc = parse(json(report({"tramadol", "valerian"})));
    ASSERT_TRUE(doc["findings"].IsArray());
    EXPECT_EQ(doc["findings"].Size(), 0u);
    EXPECT_STREQ(doc["max_severity"].GetString(), "none");
    EXPECT_EQ(doc["unresolved"].Size(), 0u);
}

TEST(Report, TextWithoutFindingsNeverCallsTheCombinationSafe) {
    const std::string out = text(report({"tramadol", "valerian"}));
    EXPECT_NE(out.find("No known interaction in this knowledge base among the 2 recognised agents"),
              std::string::npos)
        << out;
    EXPECT_NE(unwrapped(out).find("This does not mean the combination is safe."), std::string::npos)
        << out;
    EXPECT_EQ(unqualified_safe(out), std::vector<std::string>{}) << out;
}

TEST(Report, TextWithFindingsShowsThemAndTheDisclaimer) {
    const std::string out = text(report({"Zoloft", "tramadol"}));
    EXPECT_NE(out.find("MODERATE  Serotonergic load: sertraline and tramadol"), std::string::npos)
        << out;
    EXPECT_NE(out.find("Highest severity: MODERATE (1 finding)"), std::string::npos) << out;
    EXPECT_NE(out.find("sertraline (brand Zoloft)"), std::string::npos) << out;
    EXPECT_NE(out.find("combocheck is informational and is not medical advice"), std::string::npos);
    EXPECT_EQ(out.find("No known interaction"), std::string::npos);
    EXPECT_EQ(unqualified_safe(out), std::vector<std::string>{}) << out;
}

TEST(Report, TextWarnsThatUnrecognisedNamesWereNotChecked) {
    const std::string out = text(report({"tramadol", "sertralin"}));
    EXPECT_NE(out.find("NOT RECOGNISED; did you mean sertraline?"), std::string::npos) << out;
    EXPECT_NE(out.find("Unrecognised names were NOT checked"), std::string::npos) << out;
    EXPECT_EQ(text(report({"tramadol"})).find("NOT checked"), std::string::npos);
}

TEST(Report, TextHasColourOnlyWhenAsked) {
    const CheckReport r = report({"Zoloft", "tramadol"});
    const std::string plain = text(r);
    EXPECT_EQ(plain.find('\x1b'), std::string::npos);
    const std::string coloured = text(r, TextOptions{true});
    EXPECT_NE(coloured.find("\x1b[1;33mMODERATE\x1b[0m"), std::string::npos);
}

TEST(Report, MarkdownCarriesTheDisclaimer) {
    const std::string with = markdown(report({"Zoloft", "tramadol"}));
    EXPECT_NE(with.find(kDisclaimer), std::string::npos);
    EXPECT_NE(with.find("### moderate: Serotonergic load: sertraline and tramadol"),
              std::string::npos)
        << with;
    const std::string without = markdown(report({"tramadol", "valerian"}));
    EXPECT_NE(without.find(kDisclaimer), std::string::npos);
    EXPECT_NE(without.find("No known interaction in this knowledge base"), std::string::npos);
    EXPECT_EQ(unqualified_safe(without), std::vector<std::string>{}) << without;
}

TEST(Report, MarkdownEscapesUserInput) {
    const std::string out = markdown(report({"tramadol", "a|b"}));
    EXPECT_NE(out.find("| a\\|b | **not recognised, not checked**"), std::string::npos) << out;
}

}  // namespace
}  // namespace combocheck
