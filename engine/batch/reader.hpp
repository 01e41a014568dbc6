// Streaming readers for batch checking: turn text, CSV, TSV, JSON, JSON Lines and HL7 FHIR R4
// input into lists.
//
// Promises every reader keeps:
// - Exactly one ListRecord per list in the input, in input order. A list that cannot be read
//   (bad encoding, wrong JSON types, an over-long line, an empty list) still gives one record,
//   with `error` set and the file and line where it starts, and reading goes on.
// - Input is read as a stream: memory is bounded by one list (and by max_line_bytes), never by
//   the size of the input. FHIR is the one exception (see below).
// - A UTF-8 byte order mark at the start is skipped; "\r\n" line ends are accepted.
// - Agent names are trimmed of surrounding spaces and tabs; empty names are dropped. A list left
//   with no names is an error record ("empty list"): a list is never silently skipped.
//
// Layouts, by format:
// - text_lines: the whole input is one list, one agent per line. Blank lines and lines whose
//   first non-blank character is '#' are skipped. The id is the file name without directory and
//   extension ("1" for standard input or no name).
// - text_lists: one list per line, blank and '#' lines skipped. A line that contains ';' is split
//   on ';' only (so a name may contain a comma); otherwise it is split on ','.
// - csv, tsv: RFC 4180 (quoted fields may hold the delimiter, doubled quotes and line breaks;
//   TSV uses the same rules with a tab). The first non-blank row is the header. Rows are grouped
//   by consecutive id: a list's rows must be adjacent, and an id that comes back after another
//   one starts a new record with the same id (reporting it instead would need memory for every
//   id seen). An agent cell holding several names separated by ';' or '|' gives them all, so
//   one row per list and one row per agent are read alike. Blank rows are skipped. A header
//   without the id or agent column gives one error record for the file. A row that cannot be
//   parsed (bad quoting, too few fields, empty id) is an error record of its own.
// - json: an array whose elements are lists (see below), or an object of id -> list. Elements
//   are read one at a time. Broken JSON inside a complete element is an error record for that
//   element; a syntax error between elements or a truncated input ends the input with one
//   error record at the point of failure.
// - jsonl: one list per non-blank line; each line is independent.
//
// A JSON list is either an array of names, or an object {"id": ..., "agents": [names]} where
// "id" is a string or a whole number; other keys are ignored. Without an id (and outside an
// object of id -> list), the id is the 1-based record number as a string ("3" for the third
// record of the input, error records included).
//
// FHIR R4 (fhir_bundle: one JSON document, a Bundle of any type or a single resource;
// fhir_ndjson: bulk-export NDJSON, one resource per line, where a line may also hold a Bundle):
// - Lists come from MedicationStatement and MedicationRequest resources, grouped by subject: the
//   list's id is subject.reference ("Patient/123"), else subject.identifier ("system|value"),
//   else subject.display. All entries of a subject in one input form one list, wherever they
//   are; lists come in the order of each subject's first entry, with that entry's line.
// - Memory: a subject's list is complete only at the end of the input, so these readers read
//   the whole input before the first record, and FHIR is the one format whose memory grows with
//   the input: they keep the chosen names of each subject (a few dozen bytes per medication
//   entry) and of each Medication resource, never the parsed JSON. A Bundle, being one JSON
//   document, has its text held whole while it is read (at most max_bundle_bytes; its entries
//   are parsed one at a time). Large inputs should be NDJSON, read one line at a time.
// - Names: a medication is medicationCodeableConcept, medicationReference to a contained
//   Medication ("#id"), or to a Medication elsewhere in the same input (matched by Bundle
//   entry.fullUrl or "Medication/id", also when the reference is a full URL or has a
//   "/_history/n" version; before or after its users; a bulk export split into one file per
//   type resolves only when its files are given as one input). The candidates of a
//   CodeableConcept are, in order, each RxNorm coding as "rxnorm:CODE", each coding's display,
//   and its text: the first that is_known_name accepts is taken, else the most readable (text,
//   first display, "rxnorm:CODE", "system|code" of the first coding). A Medication gives the
//   name of its `code`, but its active ingredients (one name each) instead when the code is not
//   known and an ingredient is, or when it has no code. A reference that cannot be followed,
//   or leads to a Medication without a name, gives its display. R5's `medication`
//   (CodeableReference) is not read: it gives a bracketed name (below).
// - A medication with no usable name is not dropped and does not spoil its list (the other
//   drugs are still checked): it gives a name in brackets that says what is missing, such as
//   "[MedicationStatement/ms1: medication without a code or text]" or
//   "[Medication/x: not found in the input]", which no knowledge base knows and so is reported
//   unresolved.
// - Status: entries the patient no longer takes, or never did, are skipped unless
//   include_inactive: status stopped, cancelled, completed, entered-in-error, and not-taken
//   (a MedicationStatement saying the patient does not take the drug). A MedicationRequest with
//   doNotPerform true forbids the drug and is always skipped. A subject whose entries were all
//   skipped still gives one record, an error saying how many were skipped.
// - Other resources: Medication is a reference target, not a list; a Bundle's entries are read
//   (a Bundle inside a Bundle is an error record); entries whose request.method is DELETE are
//   ignored; in a history Bundle only the newest version of each resource counts (the newest
//   comes first). Other R4 resource types (Patient, Encounter, Observation...) are context
//   and ignored, except MedicationAdministration and MedicationDispense, which hold drugs that
//   are not read: each gives an error record, as does a resourceType that is not an R4 one.
// - Error records, each at its own line (a Bundle entry's, or an NDJSON line's) and in place
//   among the lists: a line that is not JSON, not an object, or longer than max_line_bytes; a
//   resource without a subject; an unsupported resource type; a Bundle entry that is not an
//   object. Their id is the resource ("MedicationStatement/ms1", else its fullUrl, else its type
//   and line), else the record number. Invalid UTF-8 in a MedicationStatement or
//   MedicationRequest spoils its subject's list (an error naming the line), as a bad byte may
//   sit in a drug's name; in a Medication it is an error record of its own. A Bundle that is
//   not valid JSON to its end (a truncated file) is one error record and gives no lists: any of
//   them could be missing entries. An input without any MedicationStatement or
//   MedicationRequest (and without other error records) gives one error record.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace combocheck::batch {

// One list read from the input: exactly one per list, in input order.
struct ListRecord {
    std::string id;
    std::vector<std::string> agents;
    std::string file;      // the file name given to open_reader
    std::size_t line = 0;  // 1-based line where the list starts
    std::string error;     // non-empty: the list could not be read; it still counts as one record
};

enum class InputFormat {
    text_lines,  // one agent per line; the whole input is one list
    text_lists,  // one list per line, agents separated by ';' or ','
    csv,
    tsv,
    json,         // an array of lists, or an object of id -> list
    jsonl,        // one list per line
    fhir_bundle,  // a FHIR R4 Bundle (or a single resource) as one JSON document
    fhir_ndjson,  // FHIR R4 bulk-export NDJSON: one resource per line
};

struct ReaderOptions {
    // CSV and TSV columns. Empty: the first header matching (case-insensitively, with spaces and
    // '-' read as '_') one of id, patient, patient_id, list, list_id, subject; and one of agent,
    // agents, drug, drugs, medication, medications, name, substance.
    std::string id_column;
    std::string agent_column;
    // A line (or CSV row, or JSON list) longer than this is an error record; the reader skips it
    // without holding it in memory.
    std::size_t max_line_bytes = std::size_t{1} << 20;
    // FHIR: a Bundle document larger than this is one error record. Its text is held whole while
    // it is read (its entries are parsed one at a time); for larger inputs, bulk-export NDJSON
    // is the format to use.
    std::size_t max_bundle_bytes = std::size_t{256} << 20;
    // FHIR: keep entries whose status says the drug is no longer or never taken (see above).
    bool include_inactive = false;
    // FHIR: whether a name or code ("rxnorm:36437") is known, typically whether the resolver maps
    // it to an agent; chooses among a medication's codes and names. May be empty (then the most
    // readable name is taken). Called on the reading thread.
    std::function<bool(std::string_view)> is_known_name;
};

class ListReader {
  public:
    virtual ~ListReader();
    // Fills `out` with the next record; false at the end of the input.
    virtual bool next(ListRecord& out) = 0;
};

// A reader over `in`, which must outlive it. `file_name` is copied into every record.
std::unique_ptr<ListReader> open_reader(std::istream& in, std::string file_name, InputFormat format,
                                        const ReaderOptions& options = {});

// The format of an input. FHIR is recognised by content first, whatever the extension: a JSON
// object with a top-level "resourceType" string (within first_bytes) is fhir_ndjson when its
// first line is a complete JSON value, or when first_bytes hold only part of one line, except
// that a Bundle followed by no other object gives fhir_bundle; a document spread over lines
// gives fhir_bundle. Otherwise the format comes from the file name's extension when it has a
// known one (.jsonl and .ndjson, .json, .csv, .tsv and .tab; .txt is text of either layout),
// else from the first bytes:
// - '[' or '{' first: jsonl when the first line is a complete JSON value and either another
//   line follows or it is an object with "agents"; json otherwise;
// - a tab in the first line: tsv; a comma in a first line that names a known column: csv;
// - other text: text_lists when a line (not a '#' comment) contains ';' or ',', else
//   text_lines.
// nullopt when there are no bytes to judge by or they hold a NUL byte (binary input).
std::optional<InputFormat> detect_format(std::string_view file_name, std::string_view first_bytes);

// "text_lines", "csv", ...; and back (nullopt for an unknown name).
std::string_view to_string(InputFormat format);
std::optional<InputFormat> parse_input_format(std::string_view name);

}  // namespace combocheck::batch
