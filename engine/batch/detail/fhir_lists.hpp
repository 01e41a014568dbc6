// FHIR R4 medication lists: groups MedicationStatement and MedicationRequest resources by subject
// and chooses a name for each medication, for the Bundle and NDJSON readers.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "batch/reader.hpp"

namespace combocheck::batch::detail {

// Where a resource was found in the input.
struct ResourcePlace {
    std::size_t line = 0;       // where the resource, or its Bundle entry, starts
    bool valid_utf8 = true;     // false: the text of the resource holds invalid UTF-8
    std::string_view full_url;  // the Bundle entry's fullUrl; empty outside a Bundle
};

// What one Bundle's entries share while they are read.
struct BundleContext {
    bool history = false;                  // type "history": only the first (newest) version counts
    std::unordered_set<std::string> seen;  // history: "Type/id" of each resource already read
};

// Collects the records of one input: call add_resource() (or add_entry()) and add_error() in
// input order, then next() until it returns false.
class FhirLists {
  public:
    FhirLists(std::string file_name, const ReaderOptions& options);

    // One resource outside a Bundle (an NDJSON line, or a document that is not a Bundle); a
    // Bundle's entries are read one by one.
    void add_resource(const rapidjson::Value& resource, const ResourcePlace& place);
    // One element of a Bundle's "entry" array.
    void add_entry(const rapidjson::Value& entry, const ResourcePlace& place,
                   BundleContext& bundle);
    // An error record in place. An empty id becomes the record number.
    void add_error(std::size_t line, std::string id, std::string message);

    // After the whole input: the next record, in order; false at the end.
    bool next(ListRecord& out);

  private:
    // One medication of a list: a name, or a Medication to look up at the end of the input.
    struct Entry {
        std::string name;       // the name; for a reference, its display (may be empty)
        std::string reference;  // non-empty: the Medication to look up
    };
    // A record in input order: a subject's list, or an error record.
    struct Slot {
        ListRecord record;  // for a list, `error` is set when an entry spoils it
        bool is_list = false;
        std::vector<Entry> entries;
        std::size_t inactive = 0;        // entries skipped for their status
        std::size_t do_not_perform = 0;  // requests forbidding the drug
    };

    void read_resource(const rapidjson::Value& resource, const ResourcePlace& place,
                       bool in_bundle);
    void read_bundle(const rapidjson::Value& bundle, const ResourcePlace& place);
    void read_medication_use(std::string_view type, const rapidjson::Value& resource,
                             const ResourcePlace& place);
    void read_medication(const rapidjson::Value& medication, const ResourcePlace& place);
    // Appends the name(s) of the medication of a MedicationStatement or MedicationRequest.
    void add_medication(const rapidjson::Value& resource, const std::string& label,
                        std::vector<Entry>& out) const;
    std::vector<std::string> names_of_list(Slot& slot) const;

    std::string file_;
    bool include_inactive_;
    std::function<bool(std::string_view)> is_known_name_;
    std::vector<Slot> slots_;
    std::unordered_map<std::string, std::size_t> slot_of_subject_;
    // Medication resources by fullUrl and by "Medication/id": their names (empty: none usable).
    std::unordered_map<std::string, std::vector<std::string>> medications_;
    std::size_t next_slot_ = 0;
    bool finished_ = false;
};

}  // namespace combocheck::batch::detail
