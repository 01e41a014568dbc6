// FHIR R4 medication lists: groups MedicationStatement and MedicationRequest resources by subject
// and chooses a name for each medication.
#include "batch/detail/fhir_lists.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "batch/detail/input.hpp"

namespace combocheck::batch::detail {
namespace {

using rapidjson::Value;
using IsKnown = std::function<bool(std::string_view)>;

constexpr std::string_view kRxNormSystem = "http://www.nlm.nih.gov/research/umls/rxnorm";

// The resource types of FHIR R4 (4.0.1, code system http://hl7.org/fhir/resource-types), sorted.
// Those not read are context and ignored; a type outside this list (a typo, or an R5 name such
// as MedicationUsage) is an error record, since it may hold drugs that would be missed.
// clang-format off
constexpr std::array<std::string_view, 146> kR4ResourceTypes = {
    "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment",
    "AppointmentResponse", "AuditEvent", "Basic", "Binary", "BiologicallyDerivedProduct",
    "BodyStructure", "Bundle", "CapabilityStatement", "CarePlan", "CareTeam", "CatalogEntry",
    "ChargeItem", "ChargeItemDefinition", "Claim", "ClaimResponse", "ClinicalImpression",
    "CodeSystem", "Communication", "CommunicationRequest", "CompartmentDefinition", "Composition",
    "ConceptMap", "Condition", "Consent", "Contract", "Coverage", "CoverageEligibilityRequest",
    "CoverageEligibilityResponse", "DetectedIssue", "Device", "DeviceDefinition", "DeviceMetric",
    "DeviceRequest", "DeviceUseStatement", "DiagnosticReport", "DocumentManifest",
    "DocumentReference", "EffectEvidenceSynthesis", "Encounter", "Endpoint", "EnrollmentRequest",
    "EnrollmentResponse", "EpisodeOfCare", "EventDefinition", "Evidence", "EvidenceVariable",
    "ExampleScenario", "ExplanationOfBenefit", "FamilyMemberHistory", "Flag", "Goal",
    "GraphDefinition", "Group", "GuidanceResponse", "HealthcareService", "ImagingStudy",
    "Immunization", "ImmunizationEvaluation", "ImmunizationRecommendation", "ImplementationGuide",
    "InsurancePlan", "Invoice", "Library", "Linkage", "List", "Location", "Measure",
    "MeasureReport", "Media", "Medication", "MedicationAdministration", "MedicationDispense",
    "MedicationKnowledge", "MedicationRequest", "MedicationStatement", "MedicinalProduct",
    "MedicinalProductAuthorization", "MedicinalProductContraindication",
    "MedicinalProductIndication", "MedicinalProductIngredient", "MedicinalProductInteraction",
    "MedicinalProductManufactured", "MedicinalProductPackaged", "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect", "MessageDefinition", "MessageHeader", "MolecularSequence",
    "NamingSystem", "NutritionOrder", "Observation", "ObservationDefinition", "OperationDefinition",
    "OperationOutcome", "Organization", "OrganizationAffiliation", "Parameters", "Patient",
    "PaymentNotice", "PaymentReconciliation", "Person", "PlanDefinition", "Practitioner",
    "PractitionerRole", "Procedure", "Provenance", "Questionnaire", "QuestionnaireResponse",
    "RelatedPerson", "RequestGroup", "ResearchDefinition", "ResearchElementDefinition",
    "ResearchStudy", "ResearchSubject", "RiskAssessment", "RiskEvidenceSynthesis", "Schedule",
    "SearchParameter", "ServiceRequest", "Slot", "Specimen", "SpecimenDefinition",
    "StructureDefinition", "StructureMap", "Subscription", "Substance", "SubstanceNucleicAcid",
    "SubstancePolymer", "SubstanceProtein", "SubstanceReferenceInformation",
    "SubstanceSourceMaterial", "SubstanceSpecification", "SupplyDelivery", "SupplyRequest", "Task",
    "TerminologyCapabilities", "TestReport", "TestScript", "ValueSet", "VerificationResult",
    "VisionPrescription"};
// clang-format on
static_assert(std::is_sorted(kR4ResourceTypes.begin(), kR4ResourceTypes.end()));

// Statuses of entries the patient no longer takes, or never took: "not-taken" is a
// MedicationStatement status, "cancelled" a MedicationRequest one, the others belong to both.
constexpr std::array<std::string_view, 5> kInactiveStatuses = {
    "cancelled", "completed", "entered-in-error", "not-taken", "stopped"};

const Value* member(const Value& object, const char* key) {
    if (!object.IsObject()) return nullptr;
    const auto found = object.FindMember(key);
    return found == object.MemberEnd() ? nullptr : &found->value;
}

// A string member, trimmed; empty when absent or not a string.
std::string_view string_member(const Value& object, const char* key) {
    const Value* value = member(object, key);
    if (value == nullptr || !value->IsString()) return {};
    return trim({value->GetString(), value->GetStringLength()});
}

// A name that says what is missing, in brackets so that no knowledge base knows it: the
// medication is reported unresolved instead of being dropped.
std::string unreadable(std::string_view what, std::string_view problem) {
    return "[" + std::string(what) + ": " + std::string(problem) + "]";
}

// How a resource is named in error records and bracketed names: "Type/id", else its Bundle
// entry's fullUrl, else its type and line. Text with invalid UTF-8 is not used.
std::string resource_label(std::string_view type, const Value& resource,
                           const ResourcePlace& place) {
    const auto id = string_member(resource, "id");
    if (!id.empty() && (place.valid_utf8 || is_valid_utf8(id))) {
        return std::string(type) + "/" + std::string(id);
    }
    if (!place.full_url.empty()) return std::string(place.full_url);
    return std::string(type) + " on line " + std::to_string(place.line);
}

// "Medication/123" from "http://example.org/fhir/Medication/123/_history/2"; the reference
// itself when it has no '/' ("urn:uuid:...").
std::string_view reference_tail(std::string_view reference) {
    if (const auto history = reference.find("/_history/"); history != std::string_view::npos) {
        reference = reference.substr(0, history);
    }
    const auto last = reference.rfind('/');
    if (last == std::string_view::npos || last == 0) return reference;
    const auto before = reference.rfind('/', last - 1);
    return before == std::string_view::npos ? reference : reference.substr(before + 1);
}

// The list a resource belongs to: subject.reference, else subject.identifier ("system|value"),
// else subject.display; empty when there is none.
std::string subject_of(const Value& resource) {
    const Value* subject = member(resource, "subject");
    if (subject == nullptr) return {};
    if (const auto reference = string_member(*subject, "reference"); !reference.empty()) {
        return std::string(reference);
    }
    if (const Value* identifier = member(*subject, "identifier")) {
        const auto value = string_member(*identifier, "value");
        const auto system = string_member(*identifier, "system");
        if (!value.empty()) {
            return system.empty() ? std::string(value)
                                  : std::string(system) + "|" + std::string(value);
        }
    }
    return std::string(string_member(*subject, "display"));
}

// The names a CodeableConcept offers.
struct ConceptNames {
    std::vector<std::string> rxnorm_codes;  // "rxnorm:CODE"
    std::vector<std::string> displays;
    std::string text;
    std::string first_code;  // "system|code" (or "code") of the first coding with a code
};

ConceptNames concept_names(const Value* codeable) {
    ConceptNames names;
    if (codeable == nullptr) return names;
    if (const Value* codings = member(*codeable, "coding"); codings && codings->IsArray()) {
        for (const Value& coding : codings->GetArray()) {
            const auto system = string_member(coding, "system");
            const auto code = string_member(coding, "code");
            if (!code.empty()) {
                if (system == kRxNormSystem)
                    names.rxnorm_codes.push_back("rxnorm:" + std::string(code));
                if (names.first_code.empty()) {
                    names.first_code = system.empty()
                                           ? std::string(code)
                                           : std::string(system) + "|" + std::string(code);
                }
            }
            if (const auto display = string_member(coding, "display"); !display.empty()) {
                names.displays.emplace_back(display);
            }
        }
    }
    names.text = string_member(*codeable, "text");
    return names;
}

struct Choice {
    std::string name;  // empty: the CodeableConcept offers no name
    bool known = false;
};

// The first candidate is_known accepts (RxNorm codes, then displays, then text), else the most
// readable one (text, first display, first RxNorm code, first other code).
Choice choose(const ConceptNames& names, const IsKnown& is_known) {
    if (is_known) {
        for (const auto* group : {&names.rxnorm_codes, &names.displays}) {
            for (const auto& name : *group) {
                if (is_known(name)) return {name, true};
            }
        }
        if (!names.text.empty() && is_known(names.text)) return {names.text, true};
    }
    if (!names.text.empty()) return {names.text, false};
    if (!names.displays.empty()) return {names.displays.front(), false};
    if (!names.rxnorm_codes.empty()) return {names.rxnorm_codes.front(), false};
    return {names.first_code, false};
}

// The names of a Medication resource: its code when it is known; else its active ingredients
// (one name each) when one of them is known or the code gives no name, since a compounded or
// uncoded product is best checked by what it contains; else the code's most readable name.
// Empty when nothing gives a name.
std::vector<std::string> medication_names(const Value& medication, std::string_view label,
                                          const IsKnown& is_known) {
    const Choice code = choose(concept_names(member(medication, "code")), is_known);
    if (code.known) return {code.name};
    std::vector<std::string> ingredients;
    bool any_known = false;
    if (const Value* list = member(medication, "ingredient"); list && list->IsArray()) {
        for (const Value& ingredient : list->GetArray()) {
            if (const Value* active = member(ingredient, "isActive"); active && active->IsFalse()) {
                continue;  // an excipient
            }
            Choice item =
                choose(concept_names(member(ingredient, "itemCodeableConcept")), is_known);
            // An ingredient reference (to a Substance or another Medication) is not followed.
            if (const Value* reference = member(ingredient, "itemReference");
                item.name.empty() && reference != nullptr) {
                item.name = string_member(*reference, "display");
                item.known = !item.name.empty() && is_known && is_known(item.name);
            }
            if (item.name.empty())
                item.name = unreadable(label, "ingredient without a code or text");
            any_known = any_known || item.known;
            ingredients.push_back(std::move(item.name));
        }
    }
    if (!code.name.empty() && !any_known) return {code.name};
    return ingredients;
}

std::string skipped_message(std::size_t inactive, std::size_t do_not_perform) {
    std::string message = "no active medication entries (";
    if (inactive > 0) {
        message += std::to_string(inactive) + " skipped as inactive; --include-inactive keeps them";
    }
    if (do_not_perform > 0) {
        if (inactive > 0) message += "; ";
        message += std::to_string(do_not_perform) + " do-not-perform request";
        if (do_not_perform > 1) message += "s";
    }
    return message + ")";
}

}  // namespace

FhirLists::FhirLists(std::string file_name, const ReaderOptions& options)
    : file_(std::move(file_name)),
      include_inactive_(options.include_inactive),
      is_known_name_(options.is_known_name) {}

void FhirLists::add_error(std::size_t line, std::string id, std::string message) {
    Slot slot;
    if (id.empty()) id = std::to_string(slots_.size() + 1);
    slot.record = ListRecord{std::move(id), {}, file_, line, std::move(message)};
    slots_.push_back(std::move(slot));
}

void FhirLists::add_resource(const Value& resource, const ResourcePlace& place) {
    read_resource(resource, place, false);
}

void FhirLists::add_entry(const Value& entry, const ResourcePlace& place, BundleContext& bundle) {
    if (!entry.IsObject()) {
        add_error(place.line, {}, "a Bundle entry is not a JSON object");
        return;
    }
    ResourcePlace inner = place;
    inner.full_url = string_member(entry, "fullUrl");
    if (!place.valid_utf8 && !is_valid_utf8(inner.full_url)) inner.full_url = {};
    const Value* resource = member(entry, "resource");
    const Value* request = member(entry, "request");
    const bool deleted = request != nullptr && string_member(*request, "method") == "DELETE";
    if (bundle.history) {
        // Versions come newest first: a resource seen (or deleted) already is an older version.
        std::string identity;
        const auto id = resource ? string_member(*resource, "id") : std::string_view{};
        if (!id.empty()) {
            identity =
                std::string(string_member(*resource, "resourceType")) + "/" + std::string(id);
        } else if (!inner.full_url.empty()) {
            identity = reference_tail(inner.full_url);
        } else if (deleted) {
            identity = reference_tail(string_member(*request, "url"));
        }
        if (!identity.empty() && !bundle.seen.insert(std::move(identity)).second) return;
    }
    // A deletion, or an entry without a resource (a response, a search outcome), holds no drug.
    if (deleted || resource == nullptr) return;
    read_resource(*resource, inner, true);
}

void FhirLists::read_resource(const Value& resource, const ResourcePlace& place, bool in_bundle) {
    if (!resource.IsObject()) {
        add_error(place.line, {},
                  "a resource is " + std::string(json_type_name(resource)) + ", not a JSON object");
        return;
    }
    const auto type = string_member(resource, "resourceType");
    if (type.empty()) {
        add_error(place.line, {}, "not a FHIR resource: no \"resourceType\"");
    } else if (!is_valid_utf8(type)) {
        add_error(place.line, {}, "invalid UTF-8");
    } else if (type == "MedicationStatement" || type == "MedicationRequest") {
        read_medication_use(type, resource, place);
    } else if (type == "Medication") {
        read_medication(resource, place);
    } else if (type == "Bundle") {
        if (in_bundle) {
            add_error(place.line, resource_label(type, resource, place),
                      "a Bundle inside a Bundle is not read");
        } else {
            read_bundle(resource, place);
        }
    } else if (type == "MedicationAdministration" || type == "MedicationDispense") {
        add_error(place.line, resource_label(type, resource, place),
                  "unsupported FHIR resource type " + std::string(type) +
                      " (lists come from MedicationStatement and MedicationRequest)");
    } else if (!std::binary_search(kR4ResourceTypes.begin(), kR4ResourceTypes.end(), type)) {
        add_error(place.line, resource_label(type, resource, place),
                  "unsupported FHIR resource type " + std::string(type));
    }
    // Other R4 resources (Patient, Encounter, Observation...) are context: nothing to check.
}

void FhirLists::read_bundle(const Value& bundle, const ResourcePlace& place) {
    const Value* entries = member(bundle, "entry");
    if (entries == nullptr) return;  // an empty Bundle, such as a search without results
    if (!entries->IsArray()) {
        add_error(place.line, resource_label("Bundle", bundle, place),
                  "the Bundle's \"entry\" is not an array");
        return;
    }
    BundleContext context;
    context.history = string_member(bundle, "type") == "history";
    for (const Value& entry : entries->GetArray()) {
        add_entry(entry, place, context);
    }
}

void FhirLists::read_medication_use(std::string_view type, const Value& resource,
                                    const ResourcePlace& place) {
    const auto label = resource_label(type, resource, place);
    const auto subject = subject_of(resource);
    if (subject.empty()) {
        add_error(place.line, label, "no subject (reference, identifier or display)");
        return;
    }
    if (!place.valid_utf8 && !is_valid_utf8(subject)) {
        add_error(place.line, label, "invalid UTF-8");
        return;
    }
    const auto [found, added] = slot_of_subject_.try_emplace(subject, slots_.size());
    if (added) {
        Slot slot;
        slot.is_list = true;
        slot.record = ListRecord{subject, {}, file_, place.line, {}};
        slots_.push_back(std::move(slot));
    }
    Slot& slot = slots_[found->second];
    // A bad byte may sit in a drug's name: the list is spoiled rather than checked without it.
    if (!place.valid_utf8) {
        if (slot.record.error.empty()) {
            slot.record.error = "line " + std::to_string(place.line) + ": invalid UTF-8";
        }
        return;
    }
    const auto status = string_member(resource, "status");
    if (!include_inactive_ && std::find(kInactiveStatuses.begin(), kInactiveStatuses.end(),
                                        status) != kInactiveStatuses.end()) {
        ++slot.inactive;
        return;
    }
    if (const Value* forbid = member(resource, "doNotPerform"); forbid && forbid->IsTrue()) {
        ++slot.do_not_perform;
        return;
    }
    add_medication(resource, label, slot.entries);
}

void FhirLists::add_medication(const Value& resource, const std::string& label,
                               std::vector<Entry>& out) const {
    if (const Value* codeable = member(resource, "medicationCodeableConcept")) {
        auto name = choose(concept_names(codeable), is_known_name_).name;
        if (name.empty()) name = unreadable(label, "medication without a code or text");
        out.push_back({std::move(name), {}});
        return;
    }
    const Value* reference = member(resource, "medicationReference");
    if (reference == nullptr) {
        out.push_back(
            {unreadable(label, "no medicationCodeableConcept or medicationReference"), {}});
        return;
    }
    const auto target = string_member(*reference, "reference");
    const std::string display(string_member(*reference, "display"));
    if (target.empty()) {
        out.push_back({display.empty()
                           ? unreadable(label, "medicationReference without a reference")
                           : display,
                       {}});
        return;
    }
    // A Medication elsewhere in the input may come after its users: it is looked up at the end.
    if (target.front() != '#') {
        out.push_back({display, std::string(target)});
        return;
    }
    const Value* contained = member(resource, "contained");
    if (contained != nullptr && contained->IsArray()) {
        for (const Value& medication : contained->GetArray()) {
            if (string_member(medication, "resourceType") != "Medication" ||
                string_member(medication, "id") != target.substr(1)) {
                continue;
            }
            const auto what = label + " " + std::string(target);
            auto names = medication_names(medication, what, is_known_name_);
            if (names.empty()) {
                names.push_back(display.empty()
                                    ? unreadable(what, "Medication without a code or text")
                                    : display);
            }
            for (auto& name : names)
                out.push_back({std::move(name), {}});
            return;
        }
    }
    out.push_back({display.empty()
                       ? unreadable(label, "no contained Medication " + std::string(target))
                       : display,
                   {}});
}

void FhirLists::read_medication(const Value& medication, const ResourcePlace& place) {
    const auto label = resource_label("Medication", medication, place);
    if (!place.valid_utf8) {
        add_error(place.line, label,
                  "invalid UTF-8 (references to this Medication are not followed)");
        return;
    }
    const auto names = medication_names(medication, label, is_known_name_);
    if (const auto id = string_member(medication, "id"); !id.empty()) {
        medications_["Medication/" + std::string(id)] = names;
    }
    if (!place.full_url.empty()) {
        medications_[std::string(place.full_url)] = names;
        medications_[std::string(reference_tail(place.full_url))] = names;
    }
}

std::vector<std::string> FhirLists::names_of_list(Slot& slot) const {
    std::vector<std::string> names;
    std::unordered_set<std::string> seen;
    const auto add = [&](std::string name) {
        if (seen.insert(name).second) names.push_back(std::move(name));
    };
    for (auto& entry : slot.entries) {
        if (entry.reference.empty()) {
            add(std::move(entry.name));
            continue;
        }
        auto found = medications_.find(entry.reference);
        if (found == medications_.end()) {
            found = medications_.find(std::string(reference_tail(entry.reference)));
        }
        if (found != medications_.end() && !found->second.empty()) {
            for (const auto& name : found->second)
                add(name);
        } else if (!entry.name.empty()) {
            add(std::move(entry.name));
        } else {
            add(unreadable(entry.reference, found == medications_.end()
                                                ? "not found in the input"
                                                : "Medication without a code or text"));
        }
    }
    return names;
}

bool FhirLists::next(ListRecord& out) {
    if (!finished_) {
        finished_ = true;
        if (slots_.empty())
            add_error(1, {}, "no MedicationStatement or MedicationRequest in the input");
    }
    if (next_slot_ == slots_.size()) return false;
    Slot& slot = slots_[next_slot_++];
    out = std::move(slot.record);
    if (slot.is_list) {
        if (out.error.empty()) {
            out.agents = names_of_list(slot);
            if (out.agents.empty()) out.error = skipped_message(slot.inactive, slot.do_not_perform);
        }
        slot.entries = {};  // the memory goes as soon as the list is out
    }
    return true;
}

}  // namespace combocheck::batch::detail
