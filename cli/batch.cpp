// `combocheck batch FILE|DIR|-...`: check many lists from files, one output record per list, in
// input order, on every core.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <numeric>

#include "batch/pipeline.hpp"
#include "options.hpp"
#include "report.hpp"

namespace combocheck::cli {

namespace {

struct BatchOptions {
    std::vector<std::string> inputs;
    std::string format = "jsonl";
    std::string detail = "full";
    std::string input_format;  // empty: detect per input
    std::string id_column;
    std::string agent_column;
    std::string fail_on = "none";
    unsigned jobs = 0;
    bool include_inactive = false;
    bool no_progress = false;
};

// Regular files of the inputs, directories walked in sorted order; "-" stays "-".
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs, bool& failed) {
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    for (const std::string& input : inputs) {
        std::error_code ec;
        if (input == "-" || !fs::is_directory(input, ec)) {
            files.push_back(input);
            continue;
        }
        std::vector<std::string> found;
        for (auto it = fs::recursive_directory_iterator(input, ec); !ec && it != fs::end(it);
             it.increment(ec)) {
            if (it->is_regular_file()) found.push_back(it->path().string());
        }
        if (ec) {
            std::cerr << "combocheck batch: " << input << ": " << ec.message() << "\n";
            failed = true;
        }
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    }
    return files;
}

// "1:05" or "2:03:07".
std::string clock_text(double seconds) {
    const auto s = static_cast<long long>(seconds + 0.5);
    char text[32];
    if (s >= 3600) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
    }
    return text;
}

// One line on a terminal, redrawn in place: lists done, rate, and with known input sizes a
// bar and the time left. Shown only once the run has taken a second.
void draw_progress(const batch::Progress& p) {
    if (p.seconds < 1) return;
    const double rate = static_cast<double>(p.lists) / p.seconds;
    std::string line = "\r" + std::to_string(p.lists) + " lists, " +
                       std::to_string(static_cast<long long>(rate)) + "/s";
    if (p.bytes_total > 0) {
        const double done =
            std::min(1.0, static_cast<double>(p.bytes_read) / static_cast<double>(p.bytes_total));
        constexpr int kWidth = 24;
        const int filled = static_cast<int>(done * kWidth);
        line += "  [" + std::string(static_cast<std::size_t>(filled), '#') +
                std::string(static_cast<std::size_t>(kWidth - filled), '.') + "] " +
                std::to_string(static_cast<int>(done * 100)) + "%";
        if (done > 0.01) line += "  about " + clock_text(p.seconds * (1 - done) / done) + " left";
    }
    line += "\x1b[K";
    std::cerr << line << std::flush;
}

void print_summary(const batch::RunSummary& s, const KnowledgeBase& kb) {
    std::cerr << "combocheck batch: " << s.lists << " list(s) read, " << s.errors
              << " could not be read\n";
    // Highest first; severities no list has are left out.
    for (std::size_t k = s.by_severity.size(); k-- > 0;) {
        const auto severity = static_cast<Severity>(k);
        const std::size_t n = s.by_severity[k];
        if (n == 0) continue;
        if (severity == Severity::none) {
            std::cerr << "  no known interaction: " << n << "\n";
        } else {
            std::cerr << "  highest finding " << to_string(severity) << ": " << n << "\n";
        }
    }
    std::vector<std::pair<std::size_t, RiskId>> ranked;
    for (std::uint32_t risk = 0; risk < s.by_risk.size(); ++risk) {
        const auto& lists = s.by_risk[risk];
        const std::size_t n = std::accumulate(lists.begin(), lists.end(), std::size_t{0});
        if (n > 0) ranked.emplace_back(n, RiskId{risk});
    }
    if (!ranked.empty()) {
        std::sort(ranked.begin(), ranked.end(), [&kb](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first
                                      : kb.risk(a.second).id < kb.risk(b.second).id;
        });
        std::cerr << "  lists with a finding, by risk:\n";
        for (const auto& [n, risk] : ranked)
            std::cerr << "    " << n << "  " << kb.risk(risk).id << "\n";
    }
    if (!s.unresolved.empty()) {
        std::vector<std::pair<std::size_t, std::string>> ranked;
        for (const auto& [name, n] : s.unresolved)
            ranked.emplace_back(n, name);
        std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        std::cerr << "  unrecognised names (not checked), most frequent first";
        if (ranked.size() > 20) std::cerr << " (20 of " << ranked.size() << ")";
        std::cerr << ":\n";
        for (std::size_t i = 0; i < ranked.size() && i < 20; ++i) {
            std::cerr << "    " << ranked[i].first << "  " << ranked[i].second << "\n";
        }
        if (s.untallied > 0) {
            std::cerr << "    (" << s.untallied << " more, of names past the first "
                      << batch::RunSummary::kMaxTalliedNames << " distinct ones)\n";
        }
    }
}

}  // namespace

void register_batch(CLI::App& app, Session& session) {
    auto o = std::make_shared<BatchOptions>();
    CLI::App* command = app.add_subcommand(
        "batch",
        "Check many lists from files (text, CSV, TSV, JSON, JSON Lines, FHIR); one record per "
        "list, in input order");
    command->add_option("inputs", o->inputs, "Files, directories, or - for standard input")
        ->required();
    command
        ->add_option("-f,--format", o->format,
                     "Output: jsonl (default, one JSON line per list), json, csv, text, html")
        ->check(CLI::IsMember({"jsonl", "json", "csv", "text", "html"}));
    command
        ->add_option("--detail", o->detail,
                     "jsonl and json records: full (default: what `check --format json` says) or "
                     "brief (ids only: agents, unresolved names, each finding's rule, severity, "
                     "risk and agents)")
        ->check(CLI::IsMember({"full", "brief"}));
    command
        ->add_option("--input-format", o->input_format,
                     "text_lines, text_lists, csv, tsv, json, jsonl, fhir_bundle, fhir_ndjson "
                     "(default: detected for each input)")
        ->check(CLI::IsMember({"text_lines", "text_lists", "csv", "tsv", "json", "jsonl",
                               "fhir_bundle", "fhir_ndjson"}));
    command->add_option("--id-column", o->id_column, "CSV/TSV column holding the list id");
    command->add_option("--agent-column", o->agent_column, "CSV/TSV column holding agent names");
    command->add_flag("--include-inactive", o->include_inactive,
                      "FHIR: keep stopped, cancelled, completed, not-taken and entered-in-error "
                      "entries");
    command
        ->add_option("-j,--jobs", o->jobs,
                     "Threads that check lists (default: one per core); output stays in input "
                     "order")
        ->check(CLI::Range(1u, 1024u));
    command->add_flag("--no-progress", o->no_progress,
                      "No progress line on a terminal (never shown otherwise)");
    command
        ->add_option("--fail-on", o->fail_on,
                     "Exit 1 when any list has a finding at or above this severity: minor, "
                     "moderate, major, contraindicated, none (default)")
        ->check(CLI::IsMember({"minor", "moderate", "major", "contraindicated", "none"}));

    command->callback([o, &session] {
        const batch::OutputFormat format =
            batch::parse_output_format(o->format).value_or(batch::OutputFormat::jsonl);
        const batch::RecordDetail detail =
            batch::parse_record_detail(o->detail).value_or(batch::RecordDetail::full);
        if (detail == batch::RecordDetail::brief && !batch::has_brief_records(format)) {
            std::cerr << "combocheck batch: --detail brief is for --format jsonl and json, not "
                      << o->format << "\n";
            throw Exit{kExitUsage};
        }
        const KnowledgeBase& kb = session.knowledge();
        const Resolver& resolver = session.resolver();
        bool input_failed = false;
        const std::vector<std::string> files = expand_inputs(o->inputs, input_failed);

        batch::RunOptions options;
        options.jobs = o->jobs;
        if (!o->input_format.empty()) options.format = batch::parse_input_format(o->input_format);
        options.reader.id_column = o->id_column;
        options.reader.agent_column = o->agent_column;
        options.reader.include_inactive = o->include_inactive;
        const bool show_progress = !o->no_progress && isatty(STDERR_FILENO) == 1;
        if (show_progress) options.progress = draw_progress;

        std::ios::sync_with_stdio(false);
        const auto output = batch::make_output(format, std::cout, kb, detail);
        const batch::RunResult result = batch::run_batch(files, kb, resolver, *output, options);
        std::cout.flush();
        if (show_progress) std::cerr << "\r\x1b[K";
        for (const std::string& error : result.input_errors) {
            std::cerr << "combocheck batch: " << error << "\n";
        }
        print_summary(result.summary, kb);
        // CSV and brief JSON Lines records have no place for the disclaimer (every other
        // output carries it).
        if (format == batch::OutputFormat::csv ||
            (format == batch::OutputFormat::jsonl && detail == batch::RecordDetail::brief)) {
            std::cerr << kDisclaimer << "\n";
        }
        if (!result.input_errors.empty()) input_failed = true;
        if (input_failed) throw Exit{kExitUsage};
        const Severity fail_on = parse_severity(o->fail_on).value_or(Severity::none);
        if (fail_on != Severity::none) {
            const auto& by_severity = result.summary.by_severity;
            for (std::size_t k = static_cast<std::size_t>(fail_on); k < by_severity.size(); ++k) {
                if (by_severity[k] > 0) throw Exit{kExitFindings};
            }
        }
    });
}

}  // namespace combocheck::cli
