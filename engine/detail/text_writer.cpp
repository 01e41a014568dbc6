// The text report of a check: what resolved, each finding with its paths, the disclaimer.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ostream>

#include "../report.hpp"
#include "text_format.hpp"

namespace combocheck {

namespace detail {

std::string wrap(std::string_view text, std::size_t indent, std::size_t width) {
    std::string out;
    std::size_t column = indent;
    std::size_t start = 0;
    bool first = true;
    while (start < text.size()) {
        std::size_t end = text.find_first_of(" \n", start);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view word = text.substr(start, end - start);
        if (!word.empty()) {
            if (!first && column + 1 + word.size() > width) {
                out += "\n" + std::string(indent, ' ');
                column = indent;
            } else if (!first) {
                out += ' ';
                ++column;
            }
            out += word;
            column += word.size();
            first = false;
        }
        if (end < text.size() && text[end] == '\n') {
            out += "\n" + std::string(indent, ' ');
            column = indent;
            first = true;
        }
        start = end + 1;
    }
    return out;
}

std::string number(double x) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", x);
    return buffer;
}

std::vector<SourceId> finding_sources(const KnowledgeBase& kb, const Finding& f) {
    std::vector<SourceId> out = kb.rule(f.rule).sources;
    for (const Contribution& c : f.contributions) {
        if (c.effect == nullptr) continue;
        for (const SourceId s : c.effect->sources) {
            if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
        }
    }
    return out;
}

std::string source_text(const Source& s) {
    return s.title + " (" + s.publisher + ", " + std::to_string(s.year) + ")";
}

std::string resolution_text(const Resolution& r, const KnowledgeBase& kb) {
    const Agent& a = kb.agent(*r.agent);
    std::string out = a.name;
    if (r.matched_kind != NameKind::name) {
        out += " (" + std::string(to_string(r.matched_kind)) + " " + r.matched + ")";
    }
    if (!r.detail.empty()) out += " [" + r.detail + "]";
    return out;
}

std::string tier_text(const KnowledgeBase& kb, const Finding& f) {
    const auto* b = std::get_if<BurdenRule>(&kb.rule(f.rule).detail);
    if (b == nullptr) return {};
    std::string out = "total " + number(f.total_weight) + " on " + kb.system(b->system).name + " (";
    for (std::size_t i = 0; i < b->tiers.size(); ++i) {
        if (i) out += ", ";
        out += std::string(to_string(b->tiers[i].severity)) + " from " +
               number(b->tiers[i].min_weight);
    }
    return out + ")";
}

}  // namespace detail

namespace {

using namespace detail;

constexpr std::size_t kWidth = 100;

struct Palette {
    bool on = false;
    std::string paint(std::string_view text, std::string_view code) const {
        if (!on) return std::string(text);
        return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
    }
    std::string severity(Severity s) const {
        std::string label(to_string(s));
        std::transform(label.begin(), label.end(), label.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        switch (s) {
            case Severity::contraindicated:
                return paint(label, "1;35");
            case Severity::major:
                return paint(label, "1;31");
            case Severity::moderate:
                return paint(label, "1;33");
            case Severity::minor:
                return paint(label, "36");
            case Severity::none:
                return label;
        }
        return label;
    }
    std::string bold(std::string_view text) const { return paint(text, "1"); }
    std::string dim(std::string_view text) const { return paint(text, "2"); }
};

}  // namespace

void write_text(std::ostream& out, const KnowledgeBase& kb, const CheckReport& report,
                const TextOptions& options) {
    const Palette p{options.colour};
    const CheckResult& result = report.result;

    std::size_t width = 0;
    for (const Resolution& r : report.resolutions)
        width = std::max(width, r.input.size());
    width = std::min<std::size_t>(width, 32);
    out << p.bold("Agents") << "\n";
    for (const Resolution& r : report.resolutions) {
        std::string input = r.input;
        input.resize(std::max(input.size(), width), ' ');
        if (r.agent) {
            out << "  " << input << "  -> " << resolution_text(r, kb) << "\n";
        } else {
            out << "  " << input << "  -> " << p.paint("NOT RECOGNISED", "1;31");
            if (!r.suggestions.empty()) {
                out << "; did you mean ";
                for (std::size_t i = 0; i < r.suggestions.size(); ++i) {
                    out << (i ? ", " : "") << r.suggestions[i];
                }
                out << "?";
            }
            out << "\n";
            if (!r.hint.empty())
                out << std::string(width + 7, ' ') << wrap(r.hint, width + 7, kWidth) << "\n";
        }
    }
    const bool unresolved = std::any_of(report.resolutions.begin(), report.resolutions.end(),
                                        [](const Resolution& r) { return !r.agent; });
    if (unresolved) {
        out << "\n"
            << wrap(
                   "Unrecognised names were NOT checked: any interaction they have is missing "
                   "below. Correct them and check again.",
                   0, kWidth)
            << "\n";
    }
    out << "\n";

    if (result.findings.empty()) {
        const std::string rest = "among the " + std::to_string(result.agents.size()) +
                                 " recognised agent" + (result.agents.size() == 1 ? "" : "s") +
                                 ". This does not mean the combination is safe.";
        constexpr std::string_view kNone = "No known interaction in this knowledge base";
        // wrap() drops leading spaces, so the one after the bold part is written here.
        out << p.bold(kNone) << ' ' << wrap(rest, 0, kWidth - kNone.size() - 1) << "\n\n";
    }
    for (const Finding& f : result.findings) {
        const Rule& rule = kb.rule(f.rule);
        const FindingText text = describe(kb, f);
        out << p.severity(f.severity) << "  " << p.bold(text.title) << "  "
            << p.dim("[" + kb.risk(rule.risk).id + "]") << "\n";
        out << "  Agents:    ";
        for (std::size_t i = 0; i < f.agents.size(); ++i) {
            out << (i ? ", " : "") << kb.agent(f.agents[i]).name;
        }
        out << "\n  Mechanism: ";
        bool first = true;
        for (const Contribution& c : f.contributions) {
            out << (first ? "" : "\n             ")
                << wrap(path_text(kb, c) + " -> " + rule.id, 13, kWidth);
            first = false;
        }
        out << "\n";
        if (const std::string tiers = tier_text(kb, f); !tiers.empty()) {
            out << "  Load:      " << wrap(tiers, 13, kWidth) << "\n";
        }
        out << "  Why:       " << wrap(text.explanation, 13, kWidth) << "\n";
        out << "  Advice:    " << wrap(text.advice, 13, kWidth) << "\n";
        out << "  Evidence:  " << to_string(rule.evidence) << "\n";
        out << "  Sources:   ";
        first = true;
        for (const SourceId s : finding_sources(kb, f)) {
            out << (first ? "" : "\n             ") << wrap(source_text(kb.source(s)), 13, kWidth);
            first = false;
        }
        out << "\n\n";
    }
    if (!result.findings.empty()) {
        out << "Highest severity: " << p.severity(result.max_severity) << " ("
            << result.findings.size() << " finding" << (result.findings.size() == 1 ? "" : "s")
            << ")\n\n";
    }
    if (options.disclaimer) out << p.dim(wrap(kDisclaimer, 0, kWidth)) << "\n";
}

}  // namespace combocheck
