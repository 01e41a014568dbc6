// Output of a batch run: one record per input list, in input order, in one of five formats, and
// the run's summary.
//
// The work is split so that lists can be checked and formatted on several threads while the
// output stays in input order:
// - BatchOutput::format() turns one checked list into bytes. It is const and touches no shared
//   state, so worker threads call it concurrently.
// - BatchOutput::write() receives those bytes on one thread, in input order.
// - BatchOutput::finish() is called once at the end with the run's summary.
// Memory stays bounded by the lists in flight: no format holds the whole run (the HTML report,
// whose summary comes first, keeps the lists in a temporary file until the end).
#pragma once

#include <array>
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "batch/reader.hpp"
#include "report.hpp"

namespace combocheck::batch {

// Identifies the shape of `batch --format json`; bumped on any incompatible change.
inline constexpr std::string_view kBatchSchema = "combocheck.batch/1";

enum class OutputFormat {
    // One JSON object per line (batch records, docs/json-output.md), each flushed as written.
    jsonl,
    // One JSON document (docs/json-output.md): {"schema", "detail", "lists": [the jsonl records,
    // one per
    // line], "summary", "disclaimer"}.
    json,
    // RFC 4180, CRLF line ends, UTF-8 without a byte order mark. Header:
    //   id,file,line,max_severity,severity,risk,rule,kind,agents,title,unresolved,error
    // One row per finding; a list with no finding gets one row with the finding columns empty
    // (max_severity "none"); a list that could not be read gets one row with only id, file, line
    // and error. id, file, line (empty when unknown), max_severity and unresolved are repeated on
    // every row of a list, so that each row stands alone in a filter or pivot table. agents are
    // agent ids, unresolved the input names, both joined by ';' (a name that itself holds ';'
    // cannot be told apart: use jsonl for exact names).
    // Formula injection: a field that begins with '=', '+', '-', '@', tab, CR or an apostrophe
    // is written with one more apostrophe in front, so that a spreadsheet shows it as text and
    // never runs it. The rule is reversible: a program recovers any field by removing one
    // leading apostrophe when there is one.
    csv,
    // The check text report of each list (without colour) under a heading
    // "== id (file:line) ==", or the heading and "error: <why>"; at the end the summary and the
    // disclaimer, once.
    text,
    // A self-contained printable report (inline CSS, no script, no external resource): the
    // disclaimer and summary tables first, then each list. Lists are kept in a temporary file
    // (std::tmpfile) until finish().
    html,
};
std::string_view to_string(OutputFormat format);
std::optional<OutputFormat> parse_output_format(std::string_view name);

// How much each record of jsonl and json output carries (docs/json-output.md).
enum class RecordDetail {
    // Everything `check --format json` says of the list: resolutions, findings with their
    // contributions, paths, texts and references, exposure changes, the disclaimer.
    full,
    // The ids a program joins on: agents as input and id, unresolved names with suggestions,
    // each finding's rule, severity, risk, agents and system or class, max_severity. About a
    // tenth of a full record; the texts are one `combocheck explain RULE` away, and the
    // disclaimer goes to stderr.
    brief,
};
std::string_view to_string(RecordDetail detail);
std::optional<RecordDetail> parse_record_detail(std::string_view name);
// Whether `format` has brief records (jsonl and json).
bool has_brief_records(OutputFormat format);

// One list of the run, after checking.
struct CheckedList {
    std::size_t index = 0;  // 0-based position in the run's output
    const ListRecord& record;
    // What the check found; null when the list could not be read (`record.error` is set).
    const CheckResult* result = nullptr;
    // How its names resolved, in input order, blank names left out (as in CheckReport).
    ResolvedNames names;
    // Their JSON entries, made beforehand when the output takes them (see
    // BatchOutput::name_entries); empty otherwise.
    NameEntries entries;
};

// What the summary needs to know of one list: made on the worker thread with the bytes.
struct ListOutcome {
    bool error = false;
    Severity max_severity = Severity::none;
    std::vector<std::pair<RiskId, Severity>> risks;  // highest severity per risk in the list
    std::vector<std::string> unresolved;             // input names not recognised
};
// `kb` gives each finding's risk (a finding knows its rule, the rule its risk). Thread-safe.
ListOutcome outcome_of(const KnowledgeBase& kb, const CheckedList& list);
// The same into `out`, whose buffers are reused (a batch run fills one per list).
void outcome_of(const KnowledgeBase& kb, const CheckedList& list, ListOutcome& out);

// The whole run, summed on the output thread.
struct RunSummary {
    // Counts by severity, indexed by Severity (none to contraindicated): arrays rather than
    // maps, because a run adds every list to them.
    using BySeverity = std::array<std::size_t, 5>;

    std::size_t lists = 0;     // records, error records included
    std::size_t errors = 0;    // lists that could not be read
    BySeverity by_severity{};  // lists read, by their highest severity (none: no finding)
    // Lists with at least one finding on a risk, by the highest severity on it: indexed by the
    // risk (up to the highest risk seen), then by Severity.
    std::vector<BySeverity> by_risk;
    // Unrecognised names, with how many times. At most kMaxTalliedNames distinct names are
    // tallied, so that memory stays bounded; later new names are counted in `untallied`.
    std::unordered_map<std::string, std::size_t> unresolved;
    std::size_t untallied = 0;
    static constexpr std::size_t kMaxTalliedNames = 10000;

    void add(const ListOutcome& outcome);
};

class BatchOutput {
  public:
    virtual ~BatchOutput();
    // Appends the output for one list to `out`. Thread-safe.
    virtual void format(std::string& out, const CheckedList& list) const = 0;
    // Whether format() reads the findings' contributions; when not, the run checks without
    // building them (see check_list).
    virtual bool reads_contributions() const { return true; }
    // Whether format() takes the JSON entries of the names made beforehand, and of which
    // detail (see append_name_entry): the run then makes one per distinct name, keeps it with
    // the name's resolution and hands them over in CheckedList::entries. Empty: format() makes
    // what it needs itself.
    virtual std::optional<RecordDetail> name_entries() const { return std::nullopt; }
    // Takes the bytes format() made, on one thread, in input order: those of one list or of
    // several consecutive lists at once.
    virtual void write(std::string_view bytes) = 0;
    // Pushes what has been written so far to the output (a pipe reader sees it now).
    virtual void flush() {}
    // Ends the output (closing brackets, summary). Called once.
    virtual void finish(const RunSummary& summary) = 0;
};

// A writer of `format` to `out`, which must outlive it. `kb` must outlive it too. Every format
// replaces invalid UTF-8 in ids, file names and errors. Throws std::invalid_argument for brief
// records in a format that has none, std::runtime_error when the HTML report's temporary file
// cannot be made (or, from write() and finish(), written or read back).
std::unique_ptr<BatchOutput> make_output(OutputFormat format, std::ostream& out,
                                         const KnowledgeBase& kb,
                                         RecordDetail detail = RecordDetail::full);

}  // namespace combocheck::batch
