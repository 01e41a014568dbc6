// Report writers for a checked list: text (optionally coloured), JSON (a versioned contract) and
// Markdown. Every format carries the disclaimer.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checker.hpp"
#include "resolver.hpp"

namespace combocheck {

// Identifies the shape of `check --format json`; bumped on any incompatible change.
inline constexpr std::string_view kCheckSchema = "combocheck.check/1";

inline constexpr std::string_view kDisclaimer =
    "combocheck is informational and is not medical advice. It knows only the interactions in "
    "its knowledge base: no finding means no known interaction in this knowledge base, never "
    "that a combination is safe. Ask a pharmacist or doctor before starting, stopping or "
    "combining medicines, supplements or substances.";

// The resolutions of a list's names, in input order, held elsewhere (a batch run keeps them in a
// per-thread cache and points to them rather than copying each one).
using ResolvedNames = std::span<const Resolution* const>;

// What the user asked and what the engine found.
struct CheckReport {
    std::vector<Resolution> resolutions;  // in input order, resolved and unresolved
    CheckResult result;
};

// Resolves every input and checks the resolved agents (with `index`: see check_list).
CheckReport check_names(const KnowledgeBase& kb, const Resolver& resolver,
                        const std::vector<std::string>& inputs, const RuleIndex* index = nullptr);
// Checks names already resolved (a batch run resolves through a cache), in input order;
// resolutions of blank input are left out, as check_names does.
CheckReport check_resolutions(const KnowledgeBase& kb, std::vector<Resolution> resolutions,
                              const RuleIndex* index = nullptr);

struct TextOptions {
    bool colour = false;
    // Off when a caller prints the disclaimer once for many reports (batch text output).
    bool disclaimer = true;
};

void write_text(std::ostream& out, const KnowledgeBase& kb, const CheckReport& report,
                const TextOptions& options = {});
void write_json(std::ostream& out, const KnowledgeBase& kb, const CheckReport& report);
void write_markdown(std::ostream& out, const KnowledgeBase& kb, const CheckReport& report);

// One line of `batch --format jsonl`: the list's id, then the members of `check --format json`
// (without "schema"). Invalid UTF-8 in the id must be replaced by the caller (sanitize_utf8).
void write_json_line(std::ostream& out, const KnowledgeBase& kb, std::string_view id,
                     const CheckReport& report);
// One line for a list that could not be read: id, file, line, error and the disclaimer.
void write_json_error_line(std::ostream& out, std::string_view id, std::string_view file,
                           std::size_t line, std::string_view error);
// The same two lines appended to a string (newline included), for writers that assemble output
// off the output thread.
void append_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                      const CheckReport& report);
void append_json_error_line(std::string& out, std::string_view id, std::string_view file,
                            std::size_t line, std::string_view error);
// The JSON object a line holds for one name: in "agents" when it resolved (with the members
// of a full line or of a brief one), in "unresolved" when it did not (the same in both). A batch
// run makes it once per distinct name, keeps it with the name's resolution, and hands the
// entries of each list to the writers below, which then copy them instead of making them.
void append_name_entry(std::string& out, const KnowledgeBase& kb, const Resolution& name,
                       bool brief);
// The entries of a list's names, as append_name_entry() makes them: one for each name, in the
// order of ResolvedNames; or none, and the writer makes them.
using NameEntries = std::span<const std::string_view>;
// append_json_line from resolutions held elsewhere (and their entries, when made already).
void append_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                      ResolvedNames names, const CheckResult& result, NameEntries entries = {});
// A brief line of `batch --detail brief` (docs/json-output.md): id; agents as input and id;
// unresolved as in the full line; each finding's rule, severity, risk, agents, and system or
// class when it has one; max_severity. No texts, no disclaimer (the command prints it on
// stderr): about a tenth of a full line, for runs of millions of lists.
void append_brief_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                            const CheckReport& report);
void append_brief_json_line(std::string& out, const KnowledgeBase& kb, std::string_view id,
                            ResolvedNames names, const CheckResult& result,
                            NameEntries entries = {});
// The brief line for a list that could not be read: id, file, line, error.
void append_brief_json_error_line(std::string& out, std::string_view id, std::string_view file,
                                  std::size_t line, std::string_view error);

}  // namespace combocheck
