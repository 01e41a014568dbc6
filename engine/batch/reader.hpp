// Streaming readers for batch checking: turn text, CSV, TSV, JSON and JSON Lines input into lists.
//
// Promises every reader keeps:
// - Exactly one ListRecord per list in the input, in input order. A list that cannot be read
//   (bad encoding, wrong JSON types, an over-long line, an empty list) still gives one record,
//   with `error` set and the file and line where it starts, and reading goes on.
// - Input is read as a stream: memory is bounded by one list (and by max_line_bytes), never by
//   the size of the input.
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
#pragma once

#include <cstddef>
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
    json,   // an array of lists, or an object of id -> list
    jsonl,  // one list per line
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

// The format of an input, from its file name's extension when it has a known one (.jsonl and
// .ndjson, .json, .csv, .tsv and .tab; .txt is text of either layout), else from its first bytes:
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
