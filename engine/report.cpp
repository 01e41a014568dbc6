// Checking a list of typed names, and the Markdown report (for pasting into notes and tickets).
#include "report.hpp"

#include <ostream>

#include "detail/text_format.hpp"

namespace combocheck {

using namespace detail;

CheckReport check_names(const KnowledgeBase& kb, const Resolver& resolver,
                        const std::vector<std::string>& inputs, const RuleIndex* index) {
    std::vector<Resolution> resolutions;
    resolutions.reserve(inputs.size());
    for (const std::string& input : inputs)
        resolutions.push_back(resolver.resolve(input));
    return check_resolutions(kb, std::move(resolutions), index);
}

CheckReport check_resolutions(const KnowledgeBase& kb, std::vector<Resolution> resolutions,
                              const RuleIndex* index) {
    CheckReport report;
    std::vector<AgentId> agents;
    for (Resolution& r : resolutions) {
        if (r.input.empty()) continue;  // blank lines carry no name
        if (r.agent) agents.push_back(*r.agent);
        report.resolutions.push_back(std::move(r));
    }
    report.result = check_list(kb, agents, index);
    return report;
}

namespace {

// Escapes the characters Markdown would read as formatting.
std::string md(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '|' || c == '*' || c == '_' || c == '`' || c == '[' || c == ']' || c == '<' ||
            c == '#') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

}  // namespace

void write_markdown(std::ostream& out, const KnowledgeBase& kb, const CheckReport& report) {
    const CheckResult& result = report.result;
    out << "# combocheck report\n\n## Agents\n\n| Input | Agent | Kind | Matched as |\n"
        << "|---|---|---|---|\n";
    for (const Resolution& r : report.resolutions) {
        if (r.agent) {
            const Agent& a = kb.agent(*r.agent);
            out << "| " << md(r.input) << " | " << md(a.name) << " | " << to_string(a.kind) << " | "
                << to_string(r.matched_kind) << " " << md(r.matched)
                << (r.detail.empty() ? "" : " (" + md(r.detail) + ")") << " |\n";
        } else {
            out << "| " << md(r.input) << " | **not recognised, not checked**";
            if (!r.suggestions.empty()) {
                out << "; did you mean ";
                for (std::size_t i = 0; i < r.suggestions.size(); ++i) {
                    out << (i ? ", " : "") << md(r.suggestions[i]);
                }
                out << "?";
            }
            out << " | | |\n";
        }
    }
    out << "\n## Findings\n\n";
    if (result.findings.empty()) {
        out << "No known interaction in this knowledge base among the recognised agents. This "
               "does not mean the combination is safe.\n\n";
    }
    for (const Finding& f : result.findings) {
        const Rule& rule = kb.rule(f.rule);
        const FindingText text = describe(kb, f);
        out << "### " << to_string(f.severity) << ": " << md(text.title) << "\n\n";
        out << "- **Risk:** " << md(kb.risk(rule.risk).name) << " (`" << kb.risk(rule.risk).id
            << "`)\n";
        out << "- **Rule:** `" << rule.id << "` (" << to_string(rule.kind) << ")\n";
        out << "- **Mechanism:**\n";
        for (const Contribution& c : f.contributions) {
            out << "  - " << md(path_text(kb, c)) << "\n";
        }
        if (const std::string tiers = tier_text(kb, f); !tiers.empty()) {
            out << "- **Load:** " << md(tiers) << "\n";
        }
        out << "- **Why:** " << md(text.explanation) << "\n";
        out << "- **Advice:** " << md(text.advice) << "\n";
        out << "- **Evidence:** " << to_string(rule.evidence) << "\n";
        out << "- **Sources:**\n";
        for (const SourceId s : finding_sources(kb, f)) {
            const Source& source = kb.source(s);
            out << "  - " << md(source_text(source));
            if (!source.url.empty()) out << " <" << source.url << ">";
            out << "\n";
        }
        out << "\n";
    }
    out << "**Highest severity:** " << to_string(result.max_severity) << "\n\n> " << kDisclaimer
        << "\n";
}

}  // namespace combocheck
