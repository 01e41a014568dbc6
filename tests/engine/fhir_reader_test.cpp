// Tests engine/batch/fhir_reader.cpp and batch/detail/fhir_lists.cpp: FHIR R4 Bundles and bulk
// NDJSON read into one list per subject, and their detection.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "batch/reader.hpp"

namespace combocheck::batch {
namespace {

using Names = std::vector<std::string>;

std::vector<ListRecord> read_all(const std::string& text, InputFormat format,
                                 const ReaderOptions& options = {}) {
    std::istringstream in(text);
    auto reader = open_reader(in, "in.json", format, options);
    std::vector<ListRecord> records;
    ListRecord record;
    while (reader->next(record))
        records.push_back(record);
    return records;
}

// A knowledge base that knows these names and codes only.
ReaderOptions knowing(std::set<std::string, std::less<>> names) {
    ReaderOptions options;
    options.is_known_name = [names = std::move(names)](std::string_view name) {
        return names.contains(name);
    };
    return options;
}

// A searchset for two patients whose entries alternate: MedicationStatement and
// MedicationRequest, a contained Medication, and a Medication entry found by its fullUrl after
// its user.
const std::string kSearchset = R"({
  "resourceType": "Bundle",
  "id": "bundle-search-1",
  "type": "searchset",
  "total": 4,
  "entry": [
    {
      "fullUrl": "http://example.org/fhir/MedicationStatement/ms1",
      "resource": {
        "resourceType": "MedicationStatement",
        "id": "ms1",
        "status": "active",
        "medicationCodeableConcept": {
          "coding": [
            {
              "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
              "code": "36437",
              "display": "sertraline"
            }
          ],
          "text": "Zoloft 50 mg tablet"
        },
        "subject": { "reference": "Patient/p1", "display": "Ann Example" }
      },
      "search": { "mode": "match" }
    },
    {
      "fullUrl": "http://example.org/fhir/MedicationRequest/mr1",
      "resource": {
        "resourceType": "MedicationRequest",
        "id": "mr1",
        "contained": [
          {
            "resourceType": "Medication",
            "id": "med1",
            "code": {
              "coding": [
                {
                  "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                  "code": "11289",
                  "display": "warfarin"
                }
              ]
            }
          }
        ],
        "status": "active",
        "intent": "order",
        "medicationReference": { "reference": "#med1" },
        "subject": { "reference": "Patient/p2" }
      },
      "search": { "mode": "match" }
    },
    {
      "fullUrl": "http://example.org/fhir/MedicationRequest/mr2",
      "resource": {
        "resourceType": "MedicationRequest",
        "id": "mr2",
        "status": "active",
        "intent": "order",
        "medicationReference": {
          "reference": "Medication/xyz",
          "display": "Ultram"
        },
        "subject": { "reference": "Patient/p1" }
      },
      "search": { "mode": "match" }
    },
    {
      "fullUrl": "http://example.org/fhir/MedicationStatement/ms2",
      "resource": {
        "resourceType": "MedicationStatement",
        "id": "ms2",
        "status": "active",
        "medicationCodeableConcept": { "text": "St John's wort" },
        "subject": { "reference": "Patient/p2" }
      },
      "search": { "mode": "match" }
    },
    {
      "fullUrl": "http://example.org/fhir/Medication/xyz",
      "resource": {
        "resourceType": "Medication",
        "id": "xyz",
        "code": {
          "coding": [
            {
              "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
              "code": "10689",
              "display": "tramadol"
            }
          ]
        }
      },
      "search": { "mode": "include" }
    }
  ]
}
)";

TEST(FhirReader, ASearchsetGivesOneListPerSubjectInOrderOfFirstEntry) {
    const auto records = read_all(kSearchset, InputFormat::fhir_bundle);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].id, "Patient/p1");
    EXPECT_EQ(records[0].error, "");
    EXPECT_EQ(records[0].line, 7u);
    EXPECT_EQ(records[0].file, "in.json");
    // Without is_known_name, the most readable name: text, else the first display.
    EXPECT_EQ(records[0].agents, (Names{"Zoloft 50 mg tablet", "tramadol"}));
    EXPECT_EQ(records[1].id, "Patient/p2");
    EXPECT_EQ(records[1].line, 27u);
    EXPECT_EQ(records[1].agents, (Names{"warfarin", "St John's wort"}));
}

TEST(FhirReader, AnRxNormCodeTheKnowledgeBaseKnowsIsChosenFirst) {
    const auto records = read_all(kSearchset, InputFormat::fhir_bundle,
                                  knowing({"rxnorm:36437", "sertraline", "Zoloft 50 mg tablet",
                                           "rxnorm:10689", "rxnorm:11289"}));
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].agents, (Names{"rxnorm:36437", "rxnorm:10689"}));
    EXPECT_EQ(records[1].agents, (Names{"rxnorm:11289", "St John's wort"}));
}

TEST(FhirReader, ADisplayIsChosenWhenTheCodeIsUnknown) {
    const auto records = read_all(kSearchset, InputFormat::fhir_bundle,
                                  knowing({"sertraline", "Zoloft 50 mg tablet", "warfarin"}));
    ASSERT_EQ(records.size(), 2u);
    // tramadol is known by nothing: its most readable name is kept for the resolver to report.
    EXPECT_EQ(records[0].agents, (Names{"sertraline", "tramadol"}));
    EXPECT_EQ(records[1].agents, (Names{"warfarin", "St John's wort"}));
}

TEST(FhirReader, TextIsChosenWhenOnlyItIsKnown) {
    const auto records =
        read_all(kSearchset, InputFormat::fhir_bundle, knowing({"Zoloft 50 mg tablet"}));
    EXPECT_EQ(records.at(0).agents.at(0), "Zoloft 50 mg tablet");
}

// One MedicationStatement line per status; subjects p1 (mixed) and p2 (all inactive).
std::string statement(const std::string& id, const std::string& subject, const std::string& status,
                      const std::string& drug) {
    return R"({"resourceType": "MedicationStatement", "id": ")" + id + R"(", "status": ")" +
           status + R"(", "medicationCodeableConcept": {"text": ")" + drug +
           R"("}, "subject": {"reference": ")" + subject + "\"}}";
}

const std::string kStatuses =
    statement("a", "Patient/p1", "active", "sertraline") + "\n" +
    statement("b", "Patient/p1", "stopped", "tramadol") + "\n" +
    statement("c", "Patient/p2", "completed", "aspirin") + "\n" +
    statement("d", "Patient/p1", "on-hold", "warfarin") + "\n" +
    statement("e", "Patient/p2", "entered-in-error", "ibuprofen") + "\n" +
    statement("f", "Patient/p1", "not-taken", "phenelzine") + "\n" +
    statement("g", "Patient/p1", "intended", "linezolid") + "\n" +
    R"({"resourceType": "MedicationRequest", "id": "h", "status": "cancelled", "intent": "order",)"
    R"( "medicationCodeableConcept": {"text": "naproxen"}, "subject": {"reference": "Patient/p2"}})"
    "\n";

TEST(FhirReader, InactiveEntriesAreSkippedAndASubjectWithNoneLeftIsAnErrorRecord) {
    const auto records = read_all(kStatuses, InputFormat::fhir_ndjson);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].id, "Patient/p1");
    EXPECT_EQ(records[0].agents, (Names{"sertraline", "warfarin", "linezolid"}));
    EXPECT_EQ(records[1].id, "Patient/p2");
    EXPECT_EQ(records[1].line, 3u);
    EXPECT_TRUE(records[1].agents.empty());
    EXPECT_EQ(records[1].error,
              "no active medication entries (3 skipped as inactive; --include-inactive keeps "
              "them)");
}

TEST(FhirReader, IncludeInactiveKeepsEveryEntry) {
    ReaderOptions options;
    options.include_inactive = true;
    const auto records = read_all(kStatuses, InputFormat::fhir_ndjson, options);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].agents,
              (Names{"sertraline", "tramadol", "warfarin", "phenelzine", "linezolid"}));
    EXPECT_EQ(records[1].agents, (Names{"aspirin", "ibuprofen", "naproxen"}));
    EXPECT_EQ(records[1].error, "");
}

TEST(FhirReader, ARequestNotToGiveADrugIsAlwaysSkipped) {
    ReaderOptions options;
    options.include_inactive = true;
    const auto records = read_all(
        R"({"resourceType": "MedicationRequest", "id": "r1", "status": "active", "intent": "order", "doNotPerform": true, "medicationCodeableConcept": {"text": "aspirin"}, "subject": {"reference": "Patient/p1"}})"
        "\n",
        InputFormat::fhir_ndjson, options);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].error, "no active medication entries (1 do-not-perform request)");
}

TEST(FhirReader, BulkNdjsonGivesErrorRecordsInPlaceAndGoesOn) {
    const std::string input =
        // 1: a Medication used on line 6, before it is read
        R"({"resourceType": "Patient", "id": "p1", "name": [{"family": "Example"}]})"
        "\n"
        // 2: not JSON
        R"({"resourceType": "MedicationStatement", "status": "active")"
        "\n"
        // 3: a type that is not an R4 resource
        R"({"resourceType": "MedicationUsage", "id": "u1", "status": "recorded"})"
        "\n"
        // 4: no subject
        R"({"resourceType": "MedicationStatement", "id": "s4", "status": "active", "medicationCodeableConcept": {"text": "aspirin"}})"
        "\n"
        // 5: context, ignored
        R"({"resourceType": "Observation", "id": "o1", "status": "final", "code": {"text": "INR"}, "subject": {"reference": "Patient/p1"}})"
        "\n"
        // 6: a reference to line 8
        R"({"resourceType": "MedicationRequest", "id": "r6", "status": "active", "intent": "order", "medicationReference": {"reference": "Medication/m8"}, "subject": {"reference": "Patient/p1"}})"
        "\n"
        // 7: neither coding nor text
        R"({"resourceType": "MedicationStatement", "id": "s7", "status": "active", "medicationCodeableConcept": {"coding": []}, "subject": {"reference": "Patient/p1"}})"
        "\n"
        // 8: the Medication of line 6
        R"({"resourceType": "Medication", "id": "m8", "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "11289", "display": "warfarin"}]}})"
        "\n"
        // 9: a MedicationDispense, whose drug is not read
        R"({"resourceType": "MedicationDispense", "id": "d9", "status": "completed", "medicationCodeableConcept": {"text": "aspirin"}, "subject": {"reference": "Patient/p1"}})"
        "\n"
        // 10: not an object
        "[1, 2]\n";
    const auto records = read_all(input, InputFormat::fhir_ndjson);
    ASSERT_EQ(records.size(), 6u);
    EXPECT_EQ(records[0].line, 2u);
    EXPECT_EQ(records[0].id, "1");
    EXPECT_NE(records[0].error.find("invalid JSON"), std::string::npos);
    EXPECT_EQ(records[1].line, 3u);
    EXPECT_EQ(records[1].id, "MedicationUsage/u1");
    EXPECT_EQ(records[1].error, "unsupported FHIR resource type MedicationUsage");
    EXPECT_EQ(records[2].line, 4u);
    EXPECT_EQ(records[2].id, "MedicationStatement/s4");
    EXPECT_EQ(records[2].error, "no subject (reference, identifier or display)");
    EXPECT_EQ(records[3].line, 6u);
    EXPECT_EQ(records[3].id, "Patient/p1");
    EXPECT_EQ(records[3].error, "");
    EXPECT_EQ(records[3].agents,
              (Names{"warfarin", "[MedicationStatement/s7: medication without a code or text]"}));
    EXPECT_EQ(records[4].line, 9u);
    EXPECT_EQ(records[4].id, "MedicationDispense/d9");
    EXPECT_NE(records[4].error.find("unsupported FHIR resource type MedicationDispense"),
              std::string::npos);
    EXPECT_EQ(records[5].line, 10u);
    EXPECT_EQ(records[5].id, "6");
    EXPECT_EQ(records[5].error, "a resource is an array, not a JSON object");
}

TEST(FhirReader, AReferenceThatCannotBeFollowedGivesItsDisplayOrAVisibleName) {
    const auto records = read_all(
        R"({"resourceType": "MedicationRequest", "id": "r1", "status": "active", "intent": "order", "medicationReference": {"reference": "Medication/gone", "display": "Coumadin 5 mg"}, "subject": {"reference": "Patient/p1"}})"
        "\n"
        R"({"resourceType": "MedicationRequest", "id": "r2", "status": "active", "intent": "order", "medicationReference": {"reference": "Medication/lost"}, "subject": {"reference": "Patient/p1"}})"
        "\n"
        R"({"resourceType": "MedicationRequest", "id": "r3", "status": "active", "intent": "order", "contained": [{"resourceType": "Medication", "id": "other"}], "medicationReference": {"reference": "#med1"}, "subject": {"reference": "Patient/p1"}})"
        "\n"
        R"({"resourceType": "MedicationStatement", "id": "s4", "status": "active", "medication": {"concept": {"text": "aspirin"}}, "subject": {"reference": "Patient/p1"}})"
        "\n",
        InputFormat::fhir_ndjson);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].agents,
              (Names{"Coumadin 5 mg", "[Medication/lost: not found in the input]",
                     "[MedicationRequest/r3: no contained Medication #med1]",
                     "[MedicationStatement/s4: no medicationCodeableConcept or "
                     "medicationReference]"}));
}

TEST(FhirReader, AMedicationWithoutACodeGivesItsActiveIngredients) {
    const auto records = read_all(
        R"({"resourceType": "MedicationStatement", "id": "s1", "status": "active", "contained": [{"resourceType": "Medication", "id": "mix", "ingredient": [{"itemCodeableConcept": {"text": "lidocaine"}}, {"itemReference": {"reference": "Substance/s2", "display": "diphenhydramine"}}, {"itemCodeableConcept": {"text": "sucrose"}, "isActive": false}, {"itemReference": {"reference": "Substance/s4"}}]}], "medicationReference": {"reference": "#mix"}, "subject": {"reference": "Patient/p1"}})"
        "\n",
        InputFormat::fhir_ndjson);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].agents,
              (Names{"lidocaine", "diphenhydramine",
                     "[MedicationStatement/s1 #mix: ingredient without a code or text]"}));
}

// A compounded product with a local code: its name when nothing is known, its ingredients when
// one of them is known, its code when that is known.
const std::string kMouthwash =
    R"({"resourceType": "Medication", "id": "mw", "code": {"coding": [{"system": "http://example.org/pharmacy-codes", "code": "MW-1", "display": "Magic mouthwash"}]}, "ingredient": [{"itemCodeableConcept": {"text": "lidocaine"}}, {"itemCodeableConcept": {"text": "diphenhydramine"}}]})"
    "\n"
    R"({"resourceType": "MedicationRequest", "id": "r1", "status": "active", "intent": "order", "medicationReference": {"reference": "Medication/mw"}, "subject": {"reference": "Patient/p1"}})"
    "\n";

TEST(FhirReader, AMedicationGivesItsIngredientsOnlyWhenItsCodeIsUnknownAndOneOfThemIsKnown) {
    EXPECT_EQ(read_all(kMouthwash, InputFormat::fhir_ndjson).at(0).agents,
              (Names{"Magic mouthwash"}));
    EXPECT_EQ(read_all(kMouthwash, InputFormat::fhir_ndjson, knowing({"lidocaine"})).at(0).agents,
              (Names{"lidocaine", "diphenhydramine"}));
    EXPECT_EQ(
        read_all(kMouthwash, InputFormat::fhir_ndjson, knowing({"lidocaine", "Magic mouthwash"}))
            .at(0)
            .agents,
        (Names{"Magic mouthwash"}));
}

TEST(FhirReader, AMedicationIsFoundByFullUrlOrByIdWhateverTheFormOfTheReference) {
    const std::string bundle = R"({
  "resourceType": "Bundle",
  "type": "collection",
  "entry": [
    {
      "resource": {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationReference": { "reference": "Medication/m1" },
        "subject": { "reference": "Patient/p1" }
      }
    },
    {
      "resource": {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationReference": { "reference": "http://example.org/fhir/Medication/m2/_history/3" },
        "subject": { "reference": "Patient/p1" }
      }
    },
    {
      "fullUrl": "http://example.org/fhir/Medication/m1",
      "resource": { "resourceType": "Medication", "code": { "text": "clarithromycin" } }
    },
    {
      "resource": { "resourceType": "Medication", "id": "m2", "code": { "text": "simvastatin" } }
    }
  ]
})";
    const auto records = read_all(bundle, InputFormat::fhir_bundle);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].agents, (Names{"clarithromycin", "simvastatin"}));
}

TEST(FhirReader, SubjectsWithoutAReferenceAreGroupedByIdentifierOrDisplay) {
    const auto records = read_all(
        R"({"resourceType": "MedicationStatement", "status": "active", "medicationCodeableConcept": {"text": "a"}, "subject": {"identifier": {"system": "urn:oid:1.2.36.146.595.217.0.1", "value": "12345"}}})"
        "\n"
        R"({"resourceType": "MedicationStatement", "status": "active", "medicationCodeableConcept": {"text": "b"}, "subject": {"display": "Peter Chalmers"}})"
        "\n",
        InputFormat::fhir_ndjson);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].id, "urn:oid:1.2.36.146.595.217.0.1|12345");
    EXPECT_EQ(records[1].id, "Peter Chalmers");
}

// The last entry is a DELETE that carries its resource, which R4 says it should not: it is still
// a deletion, not a drug.
TEST(FhirReader, ATransactionIgnoresDeletionsAndReadsUuidReferences) {
    const std::string bundle = R"({
  "resourceType": "Bundle",
  "type": "transaction",
  "entry": [
    {
      "fullUrl": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a",
      "resource": {
        "resourceType": "Patient",
        "name": [{ "family": "Example" }]
      },
      "request": { "method": "POST", "url": "Patient" }
    },
    {
      "fullUrl": "urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059",
      "resource": {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationReference": { "reference": "urn:uuid:2c3c4b36-0d7a-4f2b-9e0e-3a7e6e4b1c11" },
        "subject": { "reference": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a" }
      },
      "request": { "method": "POST", "url": "MedicationStatement" }
    },
    {
      "fullUrl": "urn:uuid:2c3c4b36-0d7a-4f2b-9e0e-3a7e6e4b1c11",
      "resource": {
        "resourceType": "Medication",
        "code": { "text": "fluoxetine 20 mg capsule" }
      },
      "request": { "method": "POST", "url": "Medication" }
    },
    {
      "request": { "method": "DELETE", "url": "MedicationStatement/old" }
    },
    {
      "fullUrl": "http://example.org/fhir/MedicationStatement/older",
      "resource": {
        "resourceType": "MedicationStatement",
        "id": "older",
        "status": "active",
        "medicationCodeableConcept": { "text": "tramadol" },
        "subject": { "reference": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a" }
      },
      "request": { "method": "DELETE", "url": "MedicationStatement/older" }
    }
  ]
})";
    const auto records = read_all(bundle, InputFormat::fhir_bundle);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].id, "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a");
    EXPECT_EQ(records[0].line, 13u);
    EXPECT_EQ(records[0].agents, (Names{"fluoxetine 20 mg capsule"}));
}

TEST(FhirReader, AHistoryBundleCountsOnlyTheNewestVersionOfEachResource) {
    const std::string bundle = R"({"resourceType": "Bundle", "type": "history", "entry": [
{"fullUrl": "http://example.org/fhir/MedicationStatement/s1", "resource": {"resourceType": "MedicationStatement", "id": "s1", "meta": {"versionId": "2"}, "status": "stopped", "medicationCodeableConcept": {"text": "tramadol"}, "subject": {"reference": "Patient/p1"}}, "request": {"method": "PUT", "url": "MedicationStatement/s1"}},
{"fullUrl": "http://example.org/fhir/MedicationStatement/s1", "resource": {"resourceType": "MedicationStatement", "id": "s1", "meta": {"versionId": "1"}, "status": "active", "medicationCodeableConcept": {"text": "tramadol"}, "subject": {"reference": "Patient/p1"}}, "request": {"method": "POST", "url": "MedicationStatement"}},
{"fullUrl": "http://example.org/fhir/MedicationStatement/s2", "request": {"method": "DELETE", "url": "MedicationStatement/s2"}},
{"fullUrl": "http://example.org/fhir/MedicationStatement/s2", "resource": {"resourceType": "MedicationStatement", "id": "s2", "meta": {"versionId": "1"}, "status": "active", "medicationCodeableConcept": {"text": "aspirin"}, "subject": {"reference": "Patient/p1"}}, "request": {"method": "POST", "url": "MedicationStatement"}},
{"fullUrl": "http://example.org/fhir/MedicationStatement/s3", "resource": {"resourceType": "MedicationStatement", "id": "s3", "meta": {"versionId": "1"}, "status": "active", "medicationCodeableConcept": {"text": "sertraline"}, "subject": {"reference": "Patient/p1"}}, "request": {"method": "POST", "url": "MedicationStatement"}}
]})";
    const auto records = read_all(bundle, InputFormat::fhir_bundle);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].agents, (Names{"sertraline"}));
}

TEST(FhirReader, UnsupportedBundleEntriesAreErrorRecordsAtTheirOwnLine) {
    const std::string bundle = R"({
  "resourceType": "Bundle",
  "type": "collection",
  "entry": [
    {
      "resource": {
        "resourceType": "MedicationAdministration",
        "id": "ma1",
        "status": "completed",
        "medicationCodeableConcept": { "text": "morphine" },
        "subject": { "reference": "Patient/p1" },
        "effectiveDateTime": "2024-01-01"
      }
    },
    {
      "resource": { "resourceType": "Bundle", "type": "collection" }
    },
    "not an entry",
    {
      "resource": {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationCodeableConcept": { "text": "morphine" },
        "subject": { "reference": "Patient/p1" }
      }
    }
  ]
})";
    const auto records = read_all(bundle, InputFormat::fhir_bundle);
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[0].line, 5u);
    EXPECT_EQ(records[0].id, "MedicationAdministration/ma1");
    EXPECT_NE(records[0].error.find("MedicationAdministration"), std::string::npos);
    EXPECT_EQ(records[1].line, 15u);
    EXPECT_EQ(records[1].error, "a Bundle inside a Bundle is not read");
    EXPECT_EQ(records[2].line, 18u);
    EXPECT_EQ(records[2].error, "a Bundle entry is not a JSON object");
    EXPECT_EQ(records[3].line, 19u);
    EXPECT_EQ(records[3].agents, (Names{"morphine"}));
}

TEST(FhirReader, ATruncatedBundleIsOneErrorRecordAndGivesNoList) {
    const auto cut = kSearchset.substr(
        0, kSearchset.find("\"fullUrl\": \"http://example.org/fhir/MedicationStatement/ms2\""));
    const auto records = read_all(cut, InputFormat::fhir_bundle);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_NE(records[0].error.find("invalid JSON"), std::string::npos);
    EXPECT_NE(records[0].error.find("no list"), std::string::npos);
    EXPECT_EQ(records[0].line, 70u);
    EXPECT_TRUE(records[0].agents.empty());
}

TEST(FhirReader, ATruncatedLastNdjsonLineSpoilsOnlyItself) {
    const auto line = statement("a", "Patient/p1", "active", "sertraline");
    const auto records =
        read_all(line + "\n" + line.substr(0, line.size() / 2), InputFormat::fhir_ndjson);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].agents, (Names{"sertraline"}));
    EXPECT_EQ(records[1].line, 2u);
    EXPECT_NE(records[1].error.find("invalid JSON"), std::string::npos);
}

TEST(FhirReader, InvalidUtf8InAnEntrySpoilsItsSubjectsListWithTheLine) {
    const auto records = read_all(statement("a", "Patient/p1", "active", "sertraline") + "\n" +
                                      statement("b", "Patient/p2", "active", "aspirin") + "\n" +
                                      statement("c", "Patient/p1", "active", "war\xff") + "\n" +
                                      statement("d", "Patient/\xff", "active", "x") + "\n",
                                  InputFormat::fhir_ndjson);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].error, "line 3: invalid UTF-8");
    EXPECT_TRUE(records[0].agents.empty());
    EXPECT_EQ(records[1].agents, (Names{"aspirin"}));
    EXPECT_EQ(records[2].line, 4u);
    EXPECT_EQ(records[2].error, "invalid UTF-8");

    // The same in a Bundle: only the bad entry's subject is spoiled.
    const auto bundle = read_all(
        "{\"resourceType\": \"Bundle\", \"type\": \"collection\", \"entry\": [\n"
        "{\"resource\": " +
            statement("a", "Patient/p1", "active", "a\xC3\x28") +
            "},\n"
            "{\"resource\": " +
            statement("b", "Patient/p2", "active", "aspirin") + "}\n]}",
        InputFormat::fhir_bundle);
    ASSERT_EQ(bundle.size(), 2u);
    EXPECT_EQ(bundle[0].error, "line 2: invalid UTF-8");
    EXPECT_EQ(bundle[1].agents, (Names{"aspirin"}));
    EXPECT_EQ(bundle[1].line, 3u);
}

TEST(FhirReader, ByteOrderMarkAndCrlfAreAccepted) {
    const auto ndjson =
        read_all("\xEF\xBB\xBF" + statement("a", "Patient/p1", "active", "sertraline") +
                     "\r\n\r\n" + statement("b", "Patient/p1", "active", "tramadol") + "\r\n",
                 InputFormat::fhir_ndjson);
    ASSERT_EQ(ndjson.size(), 1u);
    EXPECT_EQ(ndjson[0].agents, (Names{"sertraline", "tramadol"}));

    std::string crlf;
    for (const char c : kSearchset) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    const auto bundle = read_all("\xEF\xBB\xBF" + crlf, InputFormat::fhir_bundle);
    ASSERT_EQ(bundle.size(), 2u);
    EXPECT_EQ(bundle[0].line, 7u);
    EXPECT_EQ(bundle[1].agents, (Names{"warfarin", "St John's wort"}));
}

TEST(FhirReader, ASingleResourceDocumentIsReadAsABundleOfOne) {
    const auto records = read_all(R"({
  "resourceType": "MedicationStatement",
  "id": "example001",
  "status": "active",
  "medicationCodeableConcept": {
    "coding": [
      {
        "system": "http://snomed.info/sct",
        "code": "27658006"
      }
    ]
  },
  "subject": { "reference": "Patient/pat1" }
})",
                                  InputFormat::fhir_bundle);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].id, "Patient/pat1");
    // Neither text nor display: the code itself, with its system.
    EXPECT_EQ(records[0].agents, (Names{"http://snomed.info/sct|27658006"}));
}

TEST(FhirReader, InputsWithoutAListGiveOneErrorRecord) {
    EXPECT_EQ(read_all("", InputFormat::fhir_bundle).at(0).error, "empty input");
    EXPECT_EQ(read_all("\n\n", InputFormat::fhir_ndjson).at(0).error, "empty input");
    const auto patients = read_all(R"({"resourceType": "Patient", "id": "p1"})"
                                   "\n",
                                   InputFormat::fhir_ndjson);
    ASSERT_EQ(patients.size(), 1u);
    EXPECT_EQ(patients[0].error, "no MedicationStatement or MedicationRequest in the input");
    const auto empty_search = read_all(
        R"({"resourceType": "Bundle", "type": "searchset", "total": 0})", InputFormat::fhir_bundle);
    ASSERT_EQ(empty_search.size(), 1u);
    EXPECT_EQ(empty_search[0].error, "no MedicationStatement or MedicationRequest in the input");
    EXPECT_EQ(read_all("[1]", InputFormat::fhir_bundle).at(0).error,
              "a resource is an array, not a JSON object");
    EXPECT_EQ(read_all(R"({"resourceType": "Bundle", "entry": {}})", InputFormat::fhir_bundle)
                  .at(0)
                  .error,
              "the Bundle's \"entry\" is not an array");
    EXPECT_EQ(
        read_all(R"({"resourceType": "Bundle", "entry": 5})", InputFormat::fhir_ndjson).at(0).error,
        "the Bundle's \"entry\" is not an array");
}

TEST(FhirReader, OversizedInputsAreErrorRecords) {
    ReaderOptions options;
    options.max_bundle_bytes = 100;
    const auto bundle = read_all(kSearchset, InputFormat::fhir_bundle, options);
    ASSERT_EQ(bundle.size(), 1u);
    EXPECT_EQ(bundle[0].error,
              "a document larger than 100 bytes (bulk-export NDJSON is read one line at a time)");

    options.max_line_bytes = 200;
    const auto line = statement("a", "Patient/p1", "active", "sertraline");
    const auto ndjson =
        read_all(statement("a", "Patient/p1", "active", std::string(300, 'x')) + "\n" + line,
                 InputFormat::fhir_ndjson, options);
    ASSERT_EQ(ndjson.size(), 2u);
    EXPECT_EQ(ndjson[0].error, "line longer than 200 bytes");
    EXPECT_EQ(ndjson[1].agents, (Names{"sertraline"}));
}

TEST(FhirReader, NdjsonLinesMayHoldBundles) {
    const auto records =
        read_all(R"({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": )" +
                     statement("a", "Patient/p1", "active", "sertraline") + "}]}\n" +
                     R"({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": )" +
                     statement("b", "Patient/p1", "active", "tramadol") + "}]}\n" +
                     statement("c", "Patient/p1", "active", "sertraline") + "\n",
                 InputFormat::fhir_ndjson);
    ASSERT_EQ(records.size(), 1u);
    // A drug named twice (a statement and a request, say) is listed once.
    EXPECT_EQ(records[0].agents, (Names{"sertraline", "tramadol"}));
}

TEST(FhirReader, DetectionRecognisesFhirByContentBeforeTheExtension) {
    EXPECT_EQ(detect_format("search.json", kSearchset.substr(0, 4096)), InputFormat::fhir_bundle);
    EXPECT_EQ(detect_format("-", "\xEF\xBB\xBF" + kSearchset), InputFormat::fhir_bundle);
    EXPECT_EQ(detect_format("MedicationRequest.ndjson", kStatuses), InputFormat::fhir_ndjson);
    EXPECT_EQ(detect_format("x.txt", kStatuses.substr(0, 100)), InputFormat::fhir_ndjson);
    // resourceType need not come first.
    EXPECT_EQ(detect_format("-", "{\n  \"id\": \"x\",\n  \"resourceType\": \"Bundle\""),
              InputFormat::fhir_bundle);
    // A single resource spread over lines is a document; a Bundle per line is NDJSON.
    EXPECT_EQ(detect_format("-", "{\"resourceType\": \"MedicationStatement\",\n\"id\": \"a\"}"),
              InputFormat::fhir_bundle);
    EXPECT_EQ(detect_format("-", "{\"resourceType\": \"Bundle\"}\n{\"resourceType\": \"Bundle\"}"),
              InputFormat::fhir_ndjson);
    EXPECT_EQ(detect_format("-", "{\"resourceType\": \"Bundle\", \"type\": \"collection\"}\n\n"),
              InputFormat::fhir_bundle);
    EXPECT_EQ(detect_format("-", "{\"resourceType\": \"Bundle\", \"entry\": [\n{\"resource\": {}}"),
              InputFormat::fhir_bundle);
    // A "resourceType" below the top level is not FHIR.
    EXPECT_EQ(
        detect_format("x.ndjson", "{\"id\": 1, \"agents\": [], \"x\": {\"resourceType\": \"A\"}}"),
        InputFormat::jsonl);
    EXPECT_EQ(detect_format("x.json", "{\"resourceType\": 5}"), InputFormat::json);
}

TEST(FhirReader, FhirFormatNamesGoBothWays) {
    EXPECT_EQ(to_string(InputFormat::fhir_bundle), "fhir_bundle");
    EXPECT_EQ(to_string(InputFormat::fhir_ndjson), "fhir_ndjson");
    EXPECT_EQ(parse_input_format("fhir_bundle"), InputFormat::fhir_bundle);
    EXPECT_EQ(parse_input_format("fhir_ndjson"), InputFormat::fhir_ndjson);
}

}  // namespace
}  // namespace combocheck::batch
