// Tests engine/checker.cpp's pharmacokinetic rules: severities, exposure scaling, and how scaled
// weights feed the burden rules.
#include "checker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "checker_support.hpp"

namespace combocheck {
namespace {

using testing::agent;
using testing::MiniKb;
using namespace checker_tests;

// Inhibitors and inducers of CYP3A4 (and CYP2D6), their substrates, and serotonergic agents.
KnowledgeBase pk_kb() {
    MiniKb kb;
    kb.agents =
        agent("strong_inh", "drug",
              acts("cyp3a4", "inhibits", "strong") + "," + acts("cyp2d6", "inhibits", "strong")) +
        ",\n" + agent("mod_inh", "drug", acts("cyp3a4", "inhibits", "moderate")) + ",\n" +
        agent("weak_inh", "drug", acts("cyp3a4", "inhibits", "weak")) + ",\n" +
        agent("strong_ind", "drug", acts("cyp3a4", "induces", "strong")) + ",\n" +
        agent("mod_ind", "drug", acts("cyp3a4", "induces", "moderate")) + ",\n" +
        agent("sens", "drug", substrate("cyp3a4", "sensitive")) + ",\n" +
        agent("mod_sub", "drug", substrate("cyp3a4", "moderate")) + ",\n" +
        agent("nti_mod", "drug", substrate("cyp3a4", "moderate"),
              R"("narrow_therapeutic_index": true)") +
        ",\n" +
        agent("nti_sens", "drug", substrate("cyp3a4", "sensitive"),
              R"("narrow_therapeutic_index": true)") +
        ",\n" + agent("prodrug_d6", "drug", substrate("cyp2d6", "sensitive", true)) + ",\n" +
        agent("active_d6", "drug", substrate("cyp2d6", "sensitive")) + ",\n" +
        agent("prodrug_3a4", "drug", substrate("cyp3a4", "sensitive", true)) + ",\n" +
        agent("sero_a", "drug", serotonin("3")) + ",\n" +
        agent("sero_victim", "drug", serotonin("1.5") + "," + substrate("cyp3a4", "sensitive"));
    kb.rules = kLoadRule + ",\n" +
               rule("cyp_inhibition", "pharmacokinetic", "increased_exposure",
                    R"("mode": "inhibition",
                "severity": { "strong": { "sensitive": "major", "moderate": "moderate" },
                              "moderate": { "sensitive": "moderate", "moderate": "minor" } },
                "narrow_therapeutic_index_raise": 1,
                "exposure_scale": { "strong": { "sensitive": 2.0, "moderate": 1.5 },
                                    "moderate": { "sensitive": 1.5, "moderate": 1.25 } })",
                    "{perpetrator} raises {victim} via {system}") +
               ",\n" +
               rule("cyp_induction", "pharmacokinetic", "reduced_efficacy",
                    R"("mode": "induction", "systems": ["cyp3a4"],
                "severity": { "strong": { "sensitive": "major" } },
                "exposure_scale": { "strong": { "sensitive": 0.2 },
                                    "moderate": { "sensitive": 0.5 } })") +
               ",\n" +
               rule("prodrug_activation", "pharmacokinetic", "reduced_efficacy",
                    R"("mode": "prodrug_inhibition", "systems": ["cyp2d6"],
                "severity": { "strong": { "sensitive": "major" } },
                "exposure_scale": { "strong": { "sensitive": 0.5 } })");
    return kb.load();
}

TEST(Pharmacokinetics, InhibitionSeverityComesFromTheTable) {
    const KnowledgeBase kb = pk_kb();
    const CheckResult r = check(kb, {"sens", "strong_inh"});
    ASSERT_EQ(summary(kb, r), (Lines{"major cyp_inhibition: sens,strong_inh"}));
    const Finding& f = r.findings[0];
    EXPECT_EQ(kb.system(*f.system).id, "cyp3a4");
    ASSERT_EQ(f.contributions.size(), 2u);
    EXPECT_EQ(contribution_of(kb, f, "strong_inh")->role, Role::perpetrator);
    EXPECT_EQ(contribution_of(kb, f, "sens")->role, Role::victim);
    EXPECT_EQ(summary(kb, check(kb, {"mod_inh", "mod_sub"})),
              (Lines{"minor cyp_inhibition: mod_inh,mod_sub"}));
    EXPECT_TRUE(check(kb, {"weak_inh", "sens"}).findings.empty());  // no table entry
}

TEST(Pharmacokinetics, NarrowTherapeuticIndexRaisesSeverity) {
    const KnowledgeBase kb = pk_kb();
    EXPECT_EQ(summary(kb, check(kb, {"mod_inh", "nti_mod"})),
              (Lines{"moderate cyp_inhibition: mod_inh,nti_mod"}));
    EXPECT_EQ(summary(kb, check(kb, {"strong_inh", "nti_mod"})),
              (Lines{"major cyp_inhibition: nti_mod,strong_inh"}));
}

TEST(Pharmacokinetics, NarrowTherapeuticIndexRaiseStopsAtMajor) {
    const KnowledgeBase kb = pk_kb();
    EXPECT_EQ(summary(kb, check(kb, {"strong_inh", "nti_sens"})),
              (Lines{"major cyp_inhibition: nti_sens,strong_inh"}));
}

TEST(Pharmacokinetics, InhibitionScalesExposureUpByTheLargestScale) {
    const KnowledgeBase kb = pk_kb();
    EXPECT_EQ(exposure_of(kb, check(kb, {"strong_inh", "sens"}), "sens"), 2.0);
    EXPECT_EQ(exposure_of(kb, check(kb, {"mod_inh", "sens"}), "sens"), 1.5);
    // Two inhibitors: the larger scale applies, not the product; one finding each.
    const CheckResult both = check(kb, {"strong_inh", "mod_inh", "sens"});
    EXPECT_EQ(exposure_of(kb, both, "sens"), 2.0);
    EXPECT_EQ(summary(kb, both), (Lines{"major cyp_inhibition: sens,strong_inh",
                                        "moderate cyp_inhibition: mod_inh,sens"}));
}

TEST(Pharmacokinetics, InductionReducesEfficacyAndScalesExposureDown) {
    const KnowledgeBase kb = pk_kb();
    const CheckResult r = check(kb, {"strong_ind", "sens"});
    EXPECT_EQ(summary(kb, r), (Lines{"major cyp_induction: sens,strong_ind"}));
    EXPECT_EQ(kb.risk(kb.rule(r.findings[0].rule).risk).id, "reduced_efficacy");
    EXPECT_EQ(exposure_of(kb, r, "sens"), 0.2);
    // A scale without a severity still changes exposure; several inducers: the smallest scale.
    const CheckResult moderate = check(kb, {"mod_ind", "sens"});
    EXPECT_TRUE(moderate.findings.empty());
    EXPECT_EQ(exposure_of(kb, moderate, "sens"), 0.5);
    EXPECT_EQ(exposure_of(kb, check(kb, {"strong_ind", "mod_ind", "sens"}), "sens"), 0.2);
}

TEST(Pharmacokinetics, InhibitionAndInductionScalesMultiply) {
    const KnowledgeBase kb = pk_kb();
    EXPECT_DOUBLE_EQ(exposure_of(kb, check(kb, {"strong_inh", "strong_ind", "sens"}), "sens"), 0.4);
}

TEST(Pharmacokinetics, ProdrugInhibitionConcernsOnlyProdrugSubstrates) {
    const KnowledgeBase kb = pk_kb();
    const CheckResult prodrug = check(kb, {"strong_inh", "prodrug_d6"});
    EXPECT_EQ(summary(kb, prodrug), (Lines{"major prodrug_activation: prodrug_d6,strong_inh"}));
    EXPECT_EQ(exposure_of(kb, prodrug, "prodrug_d6"), 0.5);
    // A non-prodrug substrate of the same enzyme is the inhibition rule's, not this one's.
    EXPECT_EQ(summary(kb, check(kb, {"strong_inh", "active_d6"})),
              (Lines{"major cyp_inhibition: active_d6,strong_inh"}));
}

TEST(Pharmacokinetics, RuleCoversOnlyItsSystems) {
    const KnowledgeBase kb = pk_kb();
    // prodrug_activation covers CYP2D6 only, and the inhibition rule skips prodrugs.
    const CheckResult r = check(kb, {"strong_inh", "prodrug_3a4"});
    EXPECT_TRUE(r.findings.empty());
    EXPECT_TRUE(r.exposure.empty());
}

TEST(Pharmacokinetics, InhibitorRaisesAVictimsWeightAcrossABurdenTier) {
    const KnowledgeBase kb = pk_kb();
    const CheckResult without = check(kb, {"sero_a", "sero_victim"});  // 3 + 1.5
    EXPECT_EQ(summary(kb, without), (Lines{"moderate load: sero_a,sero_victim"}));

    const CheckResult with = check(kb, {"sero_a", "sero_victim", "strong_inh"});  // 3 + 1.5 x 2
    EXPECT_EQ(summary(kb, with), (Lines{"major cyp_inhibition: sero_victim,strong_inh",
                                        "major load: sero_a,sero_victim"}));
    const Finding& load = with.findings[1];
    EXPECT_EQ(load.total_weight, 6);
    const Contribution* victim = contribution_of(kb, load, "sero_victim");
    ASSERT_NE(victim, nullptr);
    EXPECT_EQ(victim->exposure_scale, 2);
    EXPECT_EQ(victim->weight, 3);
    EXPECT_EQ(victim->effect->weight, 1.5);  // the knowledge base itself is unchanged
    EXPECT_EQ(contribution_of(kb, load, "sero_a")->exposure_scale, 1);
}

TEST(Pharmacokinetics, FindingsAndExposureDoNotDependOnOrderOrRepetition) {
    const KnowledgeBase kb = pk_kb();
    std::vector<std::string> list{"mod_inh", "sens", "sero_a", "sero_victim", "strong_inh"};
    const auto full = [&](const CheckResult& r) {
        Lines out = summary(kb, r);
        for (const Finding& f : r.findings) {
            std::string line = kb.rule(f.rule).id + " " + std::to_string(f.total_weight);
            for (const Contribution& c : f.contributions) {
                line += " " + kb.agent(c.agent).id + ":" + std::string(to_string(c.role)) + ":" +
                        std::to_string(c.weight) + "x" + std::to_string(c.exposure_scale);
            }
            out.push_back(line);
        }
        for (const ExposureChange& e : r.exposure) {
            out.push_back(kb.agent(e.agent).id + " " + std::to_string(e.scale));
        }
        return out;
    };
    const Lines expected = full(check(kb, list));
    ASSERT_GE(expected.size(), 6u);
    std::sort(list.begin(), list.end());
    do {
        std::vector<std::string> repeated = list;
        repeated.push_back(list.front());
        repeated.push_back(list.back());
        ASSERT_EQ(full(check(kb, list)), expected);
        ASSERT_EQ(full(check(kb, repeated)), expected);
    } while (std::next_permutation(list.begin(), list.end()));
}

TEST(Pharmacokinetics, EmptyListHasNoFindings) {
    const KnowledgeBase kb = pk_kb();
    const CheckResult r = check_list(kb, {});
    EXPECT_TRUE(r.findings.empty());
    EXPECT_TRUE(r.agents.empty());
    EXPECT_EQ(r.max_severity, Severity::none);
}

TEST(Pharmacokinetics, DescribeFillsPerpetratorAndVictim) {
    const KnowledgeBase kb = pk_kb();
    const CheckResult r = check(kb, {"sens", "strong_inh"});
    ASSERT_EQ(r.findings.size(), 1u);
    const FindingText text = describe(kb, r.findings[0]);
    EXPECT_EQ(text.title, "strong_inh raises sens via CYP3A4");
    EXPECT_EQ(text.mechanism,
              "strong_inh -> test mechanism -> CYP3A4 (inhibits, strong) -> cyp_inhibition\n"
              "sens -> test mechanism -> CYP3A4 (substrate, sensitive) -> cyp_inhibition");
}

TEST(Pharmacokinetics, PathTextShowsExposureScaling) {
    const KnowledgeBase kb = pk_kb();
    const CheckResult r = check(kb, {"sero_a", "sero_victim", "strong_inh"});
    const auto load = std::find_if(r.findings.begin(), r.findings.end(),
                                   [&](const Finding& f) { return kb.rule(f.rule).id == "load"; });
    ASSERT_NE(load, r.findings.end());
    EXPECT_EQ(path_text(kb, *contribution_of(kb, *load, "sero_victim")),
              "sero_victim -> test mechanism -> serotonin (+1.5 x2 exposure = +3)");
    const CheckResult prodrug = check(kb, {"strong_inh", "prodrug_d6"});
    ASSERT_EQ(prodrug.findings.size(), 1u);
    EXPECT_EQ(path_text(kb, *contribution_of(kb, prodrug.findings[0], "prodrug_d6")),
              "prodrug_d6 -> test mechanism -> CYP2D6 (substrate, sensitive, prodrug)");
}

}  // namespace
}  // namespace combocheck
