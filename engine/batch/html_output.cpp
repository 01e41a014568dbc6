// The html format of a batch run: one self-contained, printable page (see output.hpp).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <ostream>
#include <stdexcept>

#include "batch/detail/output_shared.hpp"
#include "detail/text_format.hpp"

namespace combocheck::batch::detail {

namespace {

// How many unrecognised names the summary shows.
constexpr std::size_t kHtmlTopNames = 100;

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
        const Severity max = list.result ? list.result->max_severity : Severity::none;
        out += "<section class=\"list\" id=\"list-" + std::to_string(list.index + 1) + "\">\n<h3>";
        out += list.result ? badge(max) : "<span class=\"badge sev-error\">not read</span>";
        out += " " + html(sanitize_utf8(record.id)) + "</h3>\n";
        if (!place.empty()) out += "<p class=\"where\">" + html(place) + "</p>\n";
        if (list.result == nullptr) {
            out += "<p class=\"error\">This list could not be read and was not checked: " +
                   html(error_text(record)) + "</p>\n</section>\n";
            return;
        }
        agents(out, list.names);
        const CheckResult& result = *list.result;
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

    void agents(std::string& out, ResolvedNames names) const {
        out += "<table class=\"agents\">\n<tr><th>Input</th><th>Agent</th></tr>\n";
        bool unresolved = false;
        for (const Resolution* name : names) {
            const Resolution& r = *name;
            if (r.agent) {
                out += "<tr><td>" + html(r.input) + "</td><td>" +
                       html(combocheck::detail::resolution_text(r, kb_)) + "</td></tr>\n";
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
        if (const std::string tiers = combocheck::detail::tier_text(kb_, f); !tiers.empty()) {
            out += "<dt>Load</dt><dd>" + html(tiers) + "</dd>\n";
        }
        out += "<dt>Why</dt><dd>" + html(text.explanation) + "</dd>\n";
        out += "<dt>Advice</dt><dd>" + html(text.advice) + "</dd>\n";
        out += "<dt>Evidence</dt><dd>" + html(to_string(rule.evidence)) + "</dd>\n";
        out += "<dt>Sources</dt><dd><ul>\n";
        for (const SourceId id : combocheck::detail::finding_sources(kb_, f)) {
            const Source& source = kb_.source(id);
            out += "<li>" + html(combocheck::detail::source_text(source));
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

std::unique_ptr<BatchOutput> make_html_output(std::ostream& out, const KnowledgeBase& kb) {
    return std::make_unique<HtmlOutput>(out, kb);
}

}  // namespace combocheck::batch::detail
