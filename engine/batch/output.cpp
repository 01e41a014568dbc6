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

#include "detail/text_format.hpp"

namespace combocheck::batch {

namespace {

constexpr std::array<std::string_view, 5> kFormatNames{"jsonl", "json", "csv", "text", "html"};

// Finding severities, highest first (a finding is never `none`).
constexpr std::array<Severity, 4> kFindingSeverities{Severity::contraindicated, Severity::major,
                                                     Severity::moderate, Severity::minor};

// The text report's width (detail/text_writer.cpp).
constexpr std::size_t kTextWidth = 100;

// How many unrecognised names the text and HTML summaries show (json shows them all).
constexpr std::size_t kTextTopNames = 20;
constexpr std::size_t kHtmlTopNames = 100;

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
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

// One risk of the run: lists by the highest severity on it, indexed by Severity.
struct RiskRow {
    RiskId risk{};
    std::array<std::size_t, 5> lists{};
    Severity worst() const {
        for (const Severity s : kFindingSeverities) {
            if (lists[static_cast<std::size_t>(s)] > 0) return s;
        }
        return Severity::none;
    }
    std::size_t total() const {
        std::size_t n = 0;
        for (const std::size_t x : lists)
            n += x;
        return n;
    }
};

// Risks by their worst severity, then by how many lists they touch, then by id.
std::vector<RiskRow> risk_rows(const KnowledgeBase& kb, const RunSummary& summary) {
    std::vector<RiskRow> rows;
    for (const auto& [key, n] : summary.by_risk) {
        if (rows.empty() || rows.back().risk != key.first) rows.push_back(RiskRow{key.first, {}});
        rows.back().lists[static_cast<std::size_t>(key.second)] += n;
    }
    std::sort(rows.begin(), rows.end(), [&kb](const RiskRow& a, const RiskRow& b) {
        if (a.worst() != b.worst()) return a.worst() > b.worst();
        if (a.total() != b.total()) return a.total() > b.total();
        return kb.risk(a.risk).id < kb.risk(b.risk).id;
    });
    return rows;
}

std::size_t count(const std::map<Severity, std::size_t>& by_severity, Severity s) {
    const auto it = by_severity.find(s);
    return it == by_severity.end() ? 0 : it->second;
}

// ---- jsonl and json ---------------------------------------------------------------------------

// One batch record (docs/json-output.md), newline included.
void append_json_record(std::string& out, const KnowledgeBase& kb, const CheckedList& list) {
    const std::string id = sanitize_utf8(list.record.id);
    if (list.report == nullptr) {
        append_json_error_line(out, id, sanitize_utf8(list.record.file), list.record.line,
                               error_text(list.record));
    } else {
        append_json_line(out, kb, id, *list.report);
    }
}

class JsonlOutput final : public BatchOutput {
  public:
    JsonlOutput(std::ostream& out, const KnowledgeBase& kb) : out_(out), kb_(kb) {}

    void format(std::string& out, const CheckedList& list) const override {
        append_json_record(out, kb_, list);
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
    JsonOutput(std::ostream& out, const KnowledgeBase& kb) : out_(out), kb_(kb) {}

    // Records after the first begin with their separator: write() may take several at once.
    void format(std::string& out, const CheckedList& list) const override {
        if (list.index > 0) out += ",\n";
        append_json_record(out, kb_, list);
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
        out_ << "{\"schema\":" << json_text(kBatchSchema) << ",\"lists\":[\n";
        started_ = true;
    }

    std::ostream& out_;
    const KnowledgeBase& kb_;
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
        if (list.report == nullptr) {
            append_row(out, {id, file, line, "", "", "", "", "", "", "", "", error_text(record)});
            return;
        }
        const CheckResult& result = list.report->result;
        std::string unresolved;
        for (const Resolution& r : list.report->resolutions) {
            if (r.agent) continue;
            if (!unresolved.empty()) unresolved += ';';
            unresolved += r.input;
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
        if (list.report == nullptr) {
            out += "error: " + one_line(error_text(list.record)) + "\n\n";
            return;
        }
        std::ostringstream report;
        // The disclaimer is printed once, at the end of the run.
        write_text(report, kb_, *list.report, TextOptions{.colour = false, .disclaimer = false});
        out += std::move(report).str();
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
        out_ << "\n" << detail::wrap(kDisclaimer, 0, kTextWidth) << "\n";
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

// ---- html -------------------------------------------------------------------------------------

// Text for HTML content or a quoted attribute. Control characters other than tab and line ends
// are not allowed in HTML: they become U+FFFD.
std::string html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
                    c == 0x7f) {
                    out += "\xEF\xBF\xBD";
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string badge(Severity s) {
    const std::string name(to_string(s));
    return "<span class=\"badge sev-" + name + "\">" +
           (s == Severity::none ? std::string("no known interaction") : name) + "</span>";
}

constexpr std::string_view kHtmlHead = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>combocheck batch report</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; color: #111; max-width: 60em; margin: 1.5em auto;
       padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #444; padding-bottom: .15em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: .9em 0 .3em; }
.list h3 { font-size: 1.15em; border-bottom: 1px solid #444; padding-bottom: .1em; margin-top: 1.4em; }
h4 { font-size: 1em; margin: .3em 0; }
.note, .where { color: #555; }
.disclaimer { border: 3px solid #111; padding: .6em .9em; font-weight: 600; background: #fff8e0; }
table { border-collapse: collapse; margin: .4em 0 1em; }
caption { text-align: left; font-weight: 600; padding: .3em 0; }
th, td { border: 1px solid #999; padding: .25em .6em; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; border: 2px solid #111; border-radius: .3em; padding: 0 .4em;
         font-size: .85em; font-weight: 700; text-transform: uppercase; letter-spacing: .03em; }
.sev-contraindicated { background: #6a1b9a; color: #fff; }
.sev-major { background: #c62828; color: #fff; }
.sev-moderate { background: #f9a825; color: #111; border-style: dashed; }
.sev-minor { background: #4fc3f7; color: #111; border-style: dotted; }
.sev-none { background: #fff; color: #111; border-width: 1px; font-weight: 400; }
.sev-error { background: #fff; color: #111; border-style: double; border-width: 3px; }
.finding { border-left: 4px solid #999; padding: .1em 0 .1em .8em; margin: .8em 0; }
.finding dl { display: grid; grid-template-columns: 7em 1fr; gap: .2em .6em; margin: .3em 0; }
.finding dt { font-weight: 600; }
.finding dd { margin: 0; }
.finding ul { margin: 0; padding-left: 1.1em; }
.unrecognised td:last-child, .warning, .error { font-weight: 600; }
.warning, .error { border: 2px dashed #111; padding: .3em .6em; }
.none { font-style: italic; }
.hint { font-weight: 400; }
@media print {
  body { font-size: 10.5pt; max-width: none; margin: 0; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2, h3, h4 { break-after: avoid; }
  .finding, table, .disclaimer { break-inside: avoid; }
  section.list { break-before: auto; }
  a { color: inherit; }
}
</style>
</head>
<body>
)";

class HtmlOutput final : public BatchOutput {
  public:
    HtmlOutput(std::ostream& out, const KnowledgeBase& kb)
        : out_(out), kb_(kb), spool_(std::tmpfile(), &std::fclose) {
        if (!spool_) fail("cannot create the HTML report's temporary file");
    }

    void format(std::string& out, const CheckedList& list) const override {
        const ListRecord& record = list.record;
        const std::string place = where(record);
        const Severity max = list.report ? list.report->result.max_severity : Severity::none;
        out += "<section class=\"list\" id=\"list-" + std::to_string(list.index + 1) + "\">\n<h3>";
        out += list.report ? badge(max) : "<span class=\"badge sev-error\">not read</span>";
        out += " " + html(sanitize_utf8(record.id)) + "</h3>\n";
        if (!place.empty()) out += "<p class=\"where\">" + html(place) + "</p>\n";
        if (list.report == nullptr) {
            out += "<p class=\"error\">This list could not be read and was not checked: " +
                   html(error_text(record)) + "</p>\n</section>\n";
            return;
        }
        agents(out, *list.report);
        const CheckResult& result = list.report->result;
        if (result.findings.empty()) {
            out +=
                "<p class=\"none\">No known interaction in this knowledge base among the "
                "recognised agents. This does not mean the combination is safe.</p>\n";
        }
        for (const Finding& f : result.findings)
            finding(out, f);
        out += "</section>\n";
    }
    void write(std::string_view bytes) override {
        if (std::fwrite(bytes.data(), 1, bytes.size(), spool_.get()) != bytes.size()) {
            fail("cannot write the HTML report's temporary file");
        }
    }
    void finish(const RunSummary& summary) override {
        out_ << kHtmlHead;
        head(summary);
        summary_tables(summary);
        out_ << "<h2 id=\"lists\">Lists</h2>\n";
        if (std::fflush(spool_.get()) != 0) fail("cannot write the HTML report's temporary file");
        std::rewind(spool_.get());
        char buffer[65536];
        std::size_t n = 0;
        while ((n = std::fread(buffer, 1, sizeof buffer, spool_.get())) > 0) {
            out_.write(buffer, static_cast<std::streamsize>(n));
        }
        if (std::ferror(spool_.get())) fail("cannot read the HTML report's temporary file");
        out_ << "<p class=\"disclaimer\">" << html(kDisclaimer) << "</p>\n</body>\n</html>\n";
        out_.flush();
    }

  private:
    [[noreturn]] static void fail(const std::string& what) {
        throw std::runtime_error(what + ": " + std::strerror(errno));
    }

    void agents(std::string& out, const CheckReport& report) const {
        out += "<table class=\"agents\">\n<tr><th>Input</th><th>Agent</th></tr>\n";
        bool unresolved = false;
        for (const Resolution& r : report.resolutions) {
            if (r.agent) {
                out += "<tr><td>" + html(r.input) + "</td><td>" +
                       html(detail::resolution_text(r, kb_)) + "</td></tr>\n";
                continue;
            }
            unresolved = true;
            out += "<tr class=\"unrecognised\"><td>" + html(r.input) +
                   "</td><td>Not recognised, not checked";
            if (!r.suggestions.empty()) {
                out += "; did you mean ";
                for (std::size_t i = 0; i < r.suggestions.size(); ++i) {
                    out += (i ? ", " : "") + html(r.suggestions[i]);
                }
                out += "?";
            }
            if (!r.hint.empty()) out += "<br><span class=\"hint\">" + html(r.hint) + "</span>";
            out += "</td></tr>\n";
        }
        out += "</table>\n";
        if (unresolved) {
            out +=
                "<p class=\"warning\">Unrecognised names were NOT checked: any interaction they "
                "have is missing below. Correct them and check again.</p>\n";
        }
    }

    void finding(std::string& out, const Finding& f) const {
        const Rule& rule = kb_.rule(f.rule);
        const Risk& risk = kb_.risk(rule.risk);
        const FindingText text = describe(kb_, f);
        out += "<div class=\"finding\">\n<h4>" + badge(f.severity) + " " + html(text.title) +
               "</h4>\n<dl>\n";
        out += "<dt>Risk</dt><dd>" + html(risk.name) + "</dd>\n";
        out += "<dt>Agents</dt><dd>";
        for (std::size_t i = 0; i < f.agents.size(); ++i) {
            out += (i ? ", " : "") + html(kb_.agent(f.agents[i]).name);
        }
        out += "</dd>\n<dt>Mechanism</dt><dd><ul>\n";
        for (const Contribution& c : f.contributions) {
            out += "<li>" + html(path_text(kb_, c) + " -> " + rule.id) + "</li>\n";
        }
        out += "</ul></dd>\n";
        if (const std::string tiers = detail::tier_text(kb_, f); !tiers.empty()) {
            out += "<dt>Load</dt><dd>" + html(tiers) + "</dd>\n";
        }
        out += "<dt>Why</dt><dd>" + html(text.explanation) + "</dd>\n";
        out += "<dt>Advice</dt><dd>" + html(text.advice) + "</dd>\n";
        out += "<dt>Evidence</dt><dd>" + html(to_string(rule.evidence)) + "</dd>\n";
        out += "<dt>Sources</dt><dd><ul>\n";
        for (const SourceId id : detail::finding_sources(kb_, f)) {
            const Source& source = kb_.source(id);
            out += "<li>" + html(detail::source_text(source));
            // A link is followed only on request, so the report stays self-contained; only web
            // addresses become links.
            if (source.url.starts_with("https://") || source.url.starts_with("http://")) {
                out += " <a href=\"" + html(source.url) + "\">" + html(source.url) + "</a>";
            }
            out += "</li>\n";
        }
        out += "</ul></dd>\n</dl>\n</div>\n";
    }

    void head(const RunSummary& summary) {
        char date[32] = "";
        const std::time_t now = std::time(nullptr);
        std::tm local{};
        if (localtime_r(&now, &local) != nullptr) {
            std::strftime(date, sizeof date, "%Y-%m-%d %H:%M %Z", &local);
        }
        out_ << "<header>\n<h1>combocheck batch report</h1>\n<p class=\"note\">Generated " << date
             << " from " << summary.lists << " list" << (summary.lists == 1 ? "" : "s")
             << ", with a knowledge base of " << kb_.agents().size() << " agents and "
             << kb_.rules().size() << " rules.</p>\n<p class=\"disclaimer\">" << html(kDisclaimer)
             << "</p>\n</header>\n";
    }

    void summary_tables(const RunSummary& summary) {
        out_ << "<section class=\"summary\">\n<h2>Summary</h2>\n"
             << "<table class=\"by-severity\">\n<caption>Lists by highest severity</caption>\n"
             << "<tr><th>Highest severity</th><th class=\"n\">Lists</th></tr>\n";
        const auto row = [this](std::string_view key, const std::string& label, std::size_t n) {
            out_ << "<tr data-severity=\"" << key << "\"><td>" << label << "</td><td class=\"n\">"
                 << n << "</td></tr>\n";
        };
        for (const Severity s : kFindingSeverities)
            row(to_string(s), badge(s), count(summary.by_severity, s));
        row("none", badge(Severity::none), count(summary.by_severity, Severity::none));
        row("error", "<span class=\"badge sev-error\">not read</span>", summary.errors);
        out_ << "<tr data-severity=\"total\"><th>All lists</th><td class=\"n\">" << summary.lists
             << "</td></tr>\n</table>\n";

        out_ << "<table class=\"by-risk\">\n<caption>Lists by risk and the highest severity on "
                "it</caption>\n<tr><th>Risk</th>";
        for (const Severity s : kFindingSeverities)
            out_ << "<th class=\"n\">" << badge(s) << "</th>";
        out_ << "<th class=\"n\">Lists</th></tr>\n";
        const std::vector<RiskRow> risks = risk_rows(kb_, summary);
        for (const RiskRow& r : risks) {
            const Risk& risk = kb_.risk(r.risk);
            out_ << "<tr data-risk=\"" << html(risk.id) << "\"><td>" << html(risk.name) << "</td>";
            for (const Severity s : kFindingSeverities)
                out_ << "<td class=\"n\">" << r.lists[static_cast<std::size_t>(s)] << "</td>";
            out_ << "<td class=\"n\">" << r.total() << "</td></tr>\n";
        }
        if (risks.empty()) out_ << "<tr><td colspan=\"6\">No finding in any list.</td></tr>\n";
        out_ << "</table>\n";

        const auto names = ranked_names(summary);
        out_ << "<h3>Unrecognised names (not checked)</h3>\n";
        if (names.empty()) {
            out_ << "<p>Every name was recognised.</p>\n";
        } else {
            out_ << "<table class=\"unresolved\">\n<tr><th>Name</th><th class=\"n\">Times</th>"
                    "</tr>\n";
            for (std::size_t i = 0; i < names.size() && i < kHtmlTopNames; ++i) {
                out_ << "<tr><td>" << html(names[i].first) << "</td><td class=\"n\">"
                     << names[i].second << "</td></tr>\n";
            }
            out_ << "</table>\n";
            if (names.size() > kHtmlTopNames) {
                out_ << "<p>... and " << names.size() - kHtmlTopNames
                     << " more names, each less frequent.</p>\n";
            }
        }
        out_ << "<p>Lists that could not be read: " << summary.errors << ".</p>\n</section>\n";
    }

    std::ostream& out_;
    const KnowledgeBase& kb_;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> spool_;
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

ListOutcome outcome_of(const KnowledgeBase& kb, const CheckedList& list) {
    ListOutcome outcome;
    if (list.report == nullptr) {
        outcome.error = true;
        return outcome;
    }
    outcome.max_severity = list.report->result.max_severity;
    for (const Finding& f : list.report->result.findings) {
        const RiskId risk = kb.rule(f.rule).risk;
        const auto it = std::find_if(outcome.risks.begin(), outcome.risks.end(),
                                     [risk](const auto& r) { return r.first == risk; });
        if (it == outcome.risks.end()) {
            outcome.risks.emplace_back(risk, f.severity);
        } else {
            it->second = std::max(it->second, f.severity);
        }
    }
    std::sort(outcome.risks.begin(), outcome.risks.end());
    for (const Resolution& r : list.report->resolutions) {
        if (!r.agent) outcome.unresolved.push_back(r.input);
    }
    return outcome;
}

void RunSummary::add(const ListOutcome& outcome) {
    ++lists;
    if (outcome.error) {
        ++errors;
        return;
    }
    ++by_severity[outcome.max_severity];
    for (const auto& risk : outcome.risks)
        ++by_risk[risk];
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
                                         const KnowledgeBase& kb) {
    switch (format) {
        case OutputFormat::jsonl:
            return std::make_unique<JsonlOutput>(out, kb);
        case OutputFormat::json:
            return std::make_unique<JsonOutput>(out, kb);
        case OutputFormat::csv:
            return std::make_unique<CsvOutput>(out, kb);
        case OutputFormat::text:
            return std::make_unique<TextOutput>(out, kb);
        case OutputFormat::html:
            return std::make_unique<HtmlOutput>(out, kb);
    }
    throw std::invalid_argument("unknown output format");
}

}  // namespace combocheck::batch
