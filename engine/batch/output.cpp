// The output formats of a batch run (jsonl, json, csv, text, html) and the run's summary.
#include "batch/output.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "batch/detail/input.hpp"
#include "batch/detail/output_shared.hpp"
#include "detail/text_format.hpp"

namespace combocheck::batch {

namespace detail {

// "lists.csv:3", "lists.csv" (line unknown) or "" (no file).
std::string where(const ListRecord& record) {
    std::string out = sanitize_utf8(record.file);
    if (!out.empty() && record.line > 0) out += ":" + std::to_string(record.line);
    return out;
}

std::string error_text(const ListRecord& record) {
    return record.error.empty() ? "could not be read" : sanitize_utf8(record.error);
}

// Unrecognised names, most frequent first, then by name.
std::vector<std::pair<std::string, std::size_t>> ranked_names(const RunSummary& summary) {
    std::vector<std::pair<std::string, std::size_t>> out(summary.unresolved.begin(),
                                                         summary.unresolved.end());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return out;
}

// Risks by their worst severity, then by how many lists they touch, then by id.
std::vector<RiskRow> risk_rows(const KnowledgeBase& kb, const RunSummary& summary) {
    std::vector<RiskRow> rows;
    for (std::uint32_t risk = 0; risk < summary.by_risk.size(); ++risk) {
        const RiskRow row{RiskId{risk}, summary.by_risk[risk]};
        if (row.total() > 0) rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end(), [&kb](const RiskRow& a, const RiskRow& b) {
        if (a.worst() != b.worst()) return a.worst() > b.worst();
        if (a.total() != b.total()) return a.total() > b.total();
        return kb.risk(a.risk).id < kb.risk(b.risk).id;
    });
    return rows;
}

std::size_t count(const RunSummary::BySeverity& by_severity, Severity s) {
    return by_severity[static_cast<std::size_t>(s)];
}

}  // namespace detail

namespace {

using namespace detail;

// The text report's width (detail/text_writer.cpp).
constexpr std::size_t kTextWidth = 100;

// How many unrecognised names the text summary shows (json shows them all).
constexpr std::size_t kTextTopNames = 20;

constexpr std::array<std::string_view, 5> kFormatNames{"jsonl", "json", "csv", "text", "html"};

// ---- jsonl and json ---------------------------------------------------------------------------

// One batch record (docs/json-output.md), newline included.
void append_json_record(std::string& out, const KnowledgeBase& kb, const CheckedList& list,
                        RecordDetail detail) {
    // A run hands ids over valid already (it replaces bad bytes once per record): a copy only
    // for one that is not.
    std::string sanitized;
    std::string_view id = list.record.id;
    if (!batch::detail::is_valid_utf8(id)) id = sanitized = sanitize_utf8(id);
    const bool brief = detail == RecordDetail::brief;
    if (list.result == nullptr) {
        const std::string file = sanitize_utf8(list.record.file);
        const std::string error = error_text(list.record);
        if (brief) {
            append_brief_json_error_line(out, id, file, list.record.line, error);
        } else {
            append_json_error_line(out, id, file, list.record.line, error);
        }
    } else if (brief) {
        append_brief_json_line(out, kb, id, list.names, *list.result, list.entries);
    } else {
        append_json_line(out, kb, id, list.names, *list.result, list.entries);
    }
}

class JsonlOutput final : public BatchOutput {
  public:
    JsonlOutput(std::ostream& out, const KnowledgeBase& kb, RecordDetail detail)
        : out_(out), kb_(kb), detail_(detail) {}
    bool reads_contributions() const override { return detail_ != RecordDetail::brief; }
    std::optional<RecordDetail> name_entries() const override { return detail_; }

    void format(std::string& out, const CheckedList& list) const override {
        append_json_record(out, kb_, list, detail_);
    }
    // What is written is flushed at once, so that a pipe (Hadoop Streaming, Spark pipe) sees
    // each record as soon as it is made. The run writes records in chunks: one write per
    // chunk, not per record.
    void write(std::string_view bytes) override {
        out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out_.flush();
    }
    void flush() override { out_.flush(); }
    void finish(const RunSummary&) override { out_.flush(); }

  private:
    std::ostream& out_;
    const KnowledgeBase& kb_;
    RecordDetail detail_;
};

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void json_string(JsonWriter& w, std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// The summary object of the json document (docs/json-output.md).
std::string json_summary(const KnowledgeBase& kb, const RunSummary& summary) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    json_string(w, "lists");
    w.Uint64(summary.lists);
    json_string(w, "errors");
    w.Uint64(summary.errors);
    json_string(w, "by_severity");
    w.StartObject();
    for (const Severity s : kFindingSeverities) {
        json_string(w, to_string(s));
        w.Uint64(count(summary.by_severity, s));
    }
    json_string(w, to_string(Severity::none));
    w.Uint64(count(summary.by_severity, Severity::none));
    w.EndObject();
    json_string(w, "by_risk");
    w.StartArray();
    for (const RiskRow& row : risk_rows(kb, summary)) {
        for (const Severity s : kFindingSeverities) {
            const std::size_t n = row.lists[static_cast<std::size_t>(s)];
            if (n == 0) continue;
            w.StartObject();
            json_string(w, "risk");
            json_string(w, kb.risk(row.risk).id);
            json_string(w, "severity");
            json_string(w, to_string(s));
            json_string(w, "lists");
            w.Uint64(n);
            w.EndObject();
        }
    }
    w.EndArray();
    json_string(w, "unresolved");
    w.StartArray();
    for (const auto& [name, n] : ranked_names(summary)) {
        w.StartObject();
        json_string(w, "name");
        json_string(w, name);
        json_string(w, "count");
        w.Uint64(n);
        w.EndObject();
    }
    w.EndArray();
    json_string(w, "unresolved_untallied");
    w.Uint64(summary.untallied);
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
}

std::string json_text(std::string_view text) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    json_string(w, text);
    return {buffer.GetString(), buffer.GetSize()};
}

// The jsonl records, one per line, inside one document that the summary closes. Nothing but the
// "started" flag is kept between lists.
class JsonOutput final : public BatchOutput {
  public:
    JsonOutput(std::ostream& out, const KnowledgeBase& kb, RecordDetail detail)
        : out_(out), kb_(kb), detail_(detail) {}
    bool reads_contributions() const override { return detail_ != RecordDetail::brief; }
    std::optional<RecordDetail> name_entries() const override { return detail_; }

    // Records after the first begin with their separator: write() may take several at once.
    void format(std::string& out, const CheckedList& list) const override {
        if (list.index > 0) out += ",\n";
        append_json_record(out, kb_, list, detail_);
        out.pop_back();  // the newline
    }
    void write(std::string_view bytes) override {
        start();
        out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    void flush() override { out_.flush(); }
    void finish(const RunSummary& summary) override {
        start();
        out_ << "\n],\"summary\":" << json_summary(kb_, summary)
             << ",\"disclaimer\":" << json_text(kDisclaimer) << "}\n";
        out_.flush();
    }

  private:
    // Writes the opening of the document the first time.
    void start() {
        if (started_) return;
        out_ << "{\"schema\":" << json_text(kBatchSchema)
             << ",\"detail\":" << json_text(to_string(detail_)) << ",\"lists\":[\n";
        started_ = true;
    }

    std::ostream& out_;
    const KnowledgeBase& kb_;
    RecordDetail detail_;
    bool started_ = false;
};

// ---- csv --------------------------------------------------------------------------------------

// One RFC 4180 field, guarded against formula injection (see output.hpp).
void append_cell(std::string& out, std::string_view value) {
    const bool guard =
        !value.empty() && std::string_view("=+-@\t\r'").find(value[0]) != std::string_view::npos;
    const bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos;
    if (quote) out += '"';
    if (guard) out += '\'';
    for (const char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    if (quote) out += '"';
}

void append_row(std::string& out, std::initializer_list<std::string_view> cells) {
    bool first = true;
    for (const std::string_view cell : cells) {
        if (!first) out += ',';
        append_cell(out, cell);
        first = false;
    }
    out += "\r\n";
}

class CsvOutput final : public BatchOutput {
  public:
    CsvOutput(std::ostream& out, const KnowledgeBase& kb) : out_(out), kb_(kb) {}

    void format(std::string& out, const CheckedList& list) const override {
        const ListRecord& record = list.record;
        const std::string id = sanitize_utf8(record.id);
        const std::string file = sanitize_utf8(record.file);
        const std::string line = record.line > 0 ? std::to_string(record.line) : "";
        if (list.result == nullptr) {
            append_row(out, {id, file, line, "", "", "", "", "", "", "", "", error_text(record)});
            return;
        }
        const CheckResult& result = *list.result;
        std::string unresolved;
        for (const Resolution* r : list.names) {
            if (r->agent) continue;
            if (!unresolved.empty()) unresolved += ';';
            unresolved += r->input;
        }
        const std::string_view max = to_string(result.max_severity);
        if (result.findings.empty()) {
            append_row(out, {id, file, line, max, "", "", "", "", "", "", unresolved, ""});
        }
        for (const Finding& f : result.findings) {
            const Rule& rule = kb_.rule(f.rule);
            std::string agents;
            for (const AgentId a : f.agents) {
                if (!agents.empty()) agents += ';';
                agents += kb_.agent(a).id;
            }
            append_row(out,
                       {id, file, line, max, to_string(f.severity), kb_.risk(rule.risk).id, rule.id,
                        to_string(rule.kind), agents, describe(kb_, f).title, unresolved, ""});
        }
    }
    void write(std::string_view bytes) override {
        if (!started_) out_ << header();
        started_ = true;
        out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    void finish(const RunSummary&) override {
        if (!started_) out_ << header();
        started_ = true;
        out_.flush();
    }

  private:
    static std::string header() {
        std::string out;
        append_row(out, {"id", "file", "line", "max_severity", "severity", "risk", "rule", "kind",
                         "agents", "title", "unresolved", "error"});
        return out;
    }

    std::ostream& out_;
    const KnowledgeBase& kb_;
    bool started_ = false;
};

// ---- text -------------------------------------------------------------------------------------

// The text on one line: control characters (a newline in a JSON id) become spaces.
std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    }
    return out;
}

class TextOutput final : public BatchOutput {
  public:
    TextOutput(std::ostream& out, const KnowledgeBase& kb) : out_(out), kb_(kb) {}

    void format(std::string& out, const CheckedList& list) const override {
        const std::string place = where(list.record);
        out += "== " + one_line(sanitize_utf8(list.record.id));
        if (!place.empty()) out += " (" + one_line(place) + ")";
        out += " ==\n";
        if (list.result == nullptr) {
            out += "error: " + one_line(error_text(list.record)) + "\n\n";
            return;
        }
        // A copy for the text writer, which is made for one report at a time: text output is
        // for people, who read far fewer lists than the copy costs.
        CheckReport report{.resolutions = {}, .result = *list.result};
        for (const Resolution* r : list.names)
            report.resolutions.push_back(*r);
        std::ostringstream text;
        // The disclaimer is printed once, at the end of the run.
        write_text(text, kb_, report, TextOptions{.colour = false, .disclaimer = false});
        out += std::move(text).str();
    }
    void write(std::string_view bytes) override {
        out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    void finish(const RunSummary& summary) override {
        out_ << "== Summary ==\n"
             << summary.lists << " list" << (summary.lists == 1 ? "" : "s") << ", "
             << summary.errors << " could not be read\n";
        out_ << "Lists by highest severity:\n";
        for (const Severity s : kFindingSeverities) {
            out_ << "  " << pad(to_string(s), 22) << count(summary.by_severity, s) << "\n";
        }
        out_ << "  " << pad("no known interaction", 22)
             << count(summary.by_severity, Severity::none) << "\n";
        const std::vector<RiskRow> risks = risk_rows(kb_, summary);
        if (!risks.empty()) {
            out_ << "Lists by risk (highest severity on it):\n";
            for (const RiskRow& row : risks) {
                out_ << "  " << pad(kb_.risk(row.risk).id, 30);
                bool first = true;
                for (const Severity s : kFindingSeverities) {
                    const std::size_t n = row.lists[static_cast<std::size_t>(s)];
                    if (n == 0) continue;
                    out_ << (first ? "" : ", ") << to_string(s) << " " << n;
                    first = false;
                }
                out_ << "\n";
            }
        }
        const auto names = ranked_names(summary);
        if (!names.empty()) {
            out_ << "Unrecognised names (not checked), most frequent first:\n";
            for (std::size_t i = 0; i < names.size() && i < kTextTopNames; ++i) {
                out_ << "  " << pad(std::to_string(names[i].second), 6) << one_line(names[i].first)
                     << "\n";
            }
            if (names.size() > kTextTopNames) {
                out_ << "  ... and " << names.size() - kTextTopNames << " more\n";
            }
        }
        out_ << "\n" << combocheck::detail::wrap(kDisclaimer, 0, kTextWidth) << "\n";
        out_.flush();
    }

  private:
    static std::string pad(std::string_view text, std::size_t width) {
        std::string out(text);
        out.resize(std::max(out.size() + 1, width), ' ');
        return out;
    }

    std::ostream& out_;
    const KnowledgeBase& kb_;
};

}  // namespace

std::string_view to_string(OutputFormat format) {
    return kFormatNames[static_cast<std::size_t>(format)];
}

std::optional<OutputFormat> parse_output_format(std::string_view name) {
    for (std::size_t i = 0; i < kFormatNames.size(); ++i) {
        if (kFormatNames[i] == name) return static_cast<OutputFormat>(i);
    }
    return std::nullopt;
}

std::string_view to_string(RecordDetail detail) {
    return detail == RecordDetail::brief ? "brief" : "full";
}

std::optional<RecordDetail> parse_record_detail(std::string_view name) {
    if (name == "full") return RecordDetail::full;
    if (name == "brief") return RecordDetail::brief;
    return std::nullopt;
}

bool has_brief_records(OutputFormat format) {
    return format == OutputFormat::jsonl || format == OutputFormat::json;
}

ListOutcome outcome_of(const KnowledgeBase& kb, const CheckedList& list) {
    ListOutcome outcome;
    outcome_of(kb, list, outcome);
    return outcome;
}

void outcome_of(const KnowledgeBase& kb, const CheckedList& list, ListOutcome& outcome) {
    outcome.error = list.result == nullptr;
    outcome.max_severity = Severity::none;
    outcome.risks.clear();
    if (list.result == nullptr) {
        outcome.unresolved.clear();
        return;
    }
    outcome.max_severity = list.result->max_severity;
    // Kept in order of risk as they come: a list has a few, and sorting them would cost more.
    auto& risks = outcome.risks;
    for (const Finding& f : list.result->findings) {
        const RiskId risk = kb.rule(f.rule).risk;
        auto it = risks.begin();
        while (it != risks.end() && it->first < risk)
            ++it;
        if (it != risks.end() && it->first == risk) {
            it->second = std::max(it->second, f.severity);
        } else {
            risks.insert(it, {risk, f.severity});
        }
    }
    // Assigned over the old names, so that their buffers are reused.
    std::size_t n = 0;
    for (const Resolution* r : list.names) {
        if (r->agent) continue;
        if (n == outcome.unresolved.size()) outcome.unresolved.emplace_back();
        outcome.unresolved[n++] = r->input;
    }
    outcome.unresolved.resize(n);
}

void RunSummary::add(const ListOutcome& outcome) {
    ++lists;
    if (outcome.error) {
        ++errors;
        return;
    }
    ++by_severity[static_cast<std::size_t>(outcome.max_severity)];
    for (const auto& [risk, severity] : outcome.risks) {
        if (by_risk.size() <= index_of(risk)) by_risk.resize(index_of(risk) + 1);
        ++by_risk[index_of(risk)][static_cast<std::size_t>(severity)];
    }
    for (const std::string& name : outcome.unresolved) {
        if (const auto it = unresolved.find(name); it != unresolved.end()) {
            ++it->second;
        } else if (unresolved.size() < kMaxTalliedNames) {
            unresolved.emplace(name, 1);
        } else {
            ++untallied;
        }
    }
}

BatchOutput::~BatchOutput() = default;

std::unique_ptr<BatchOutput> make_output(OutputFormat format, std::ostream& out,
                                         const KnowledgeBase& kb, RecordDetail detail) {
    if (detail == RecordDetail::brief && !has_brief_records(format)) {
        throw std::invalid_argument("brief records are for jsonl and json output");
    }
    switch (format) {
        case OutputFormat::jsonl:
            return std::make_unique<JsonlOutput>(out, kb, detail);
        case OutputFormat::json:
            return std::make_unique<JsonOutput>(out, kb, detail);
        case OutputFormat::csv:
            return std::make_unique<CsvOutput>(out, kb);
        case OutputFormat::text:
            return std::make_unique<TextOutput>(out, kb);
        case OutputFormat::html:
            return detail::make_html_output(out, kb);
    }
    throw std::invalid_argument("unknown output format");
}

}  // namespace combocheck::batch
