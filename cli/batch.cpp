// `combocheck batch FILE|DIR|-...`: check many lists from files, one JSON line per list, in order.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <streambuf>

#include "batch/reader.hpp"
#include "options.hpp"
#include "report.hpp"

namespace combocheck::cli {

namespace {

struct BatchOptions {
    std::vector<std::string> inputs;
    std::string input_format;  // empty: detect per input
    std::string id_column;
    std::string agent_column;
    std::string fail_on = "none";
};

// Serves bytes already read (to detect the format) and then the rest of a stream that cannot
// seek back, such as standard input.
class PrefixedBuffer : public std::streambuf {
  public:
    PrefixedBuffer(std::string prefix, std::streambuf* rest)
        : prefix_(std::move(prefix)), rest_(rest) {
        setg(prefix_.data(), prefix_.data(), prefix_.data() + prefix_.size());
    }

  protected:
    int_type underflow() override {
        if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
        const std::streamsize n = rest_->sgetn(buffer_, sizeof buffer_);
        if (n <= 0) return traits_type::eof();
        setg(buffer_, buffer_, buffer_ + n);
        return traits_type::to_int_type(*gptr());
    }

  private:
    std::string prefix_;
    std::streambuf* rest_;
    char buffer_[65536];
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

struct Summary {
    std::size_t lists = 0;
    std::size_t errors = 0;
    std::map<Severity, std::size_t> by_severity;
    std::map<std::string, std::size_t> unresolved;
};

void print_summary(const Summary& s) {
    std::cerr << "combocheck batch: " << s.lists << " list(s) read, " << s.errors
              << " could not be read\n";
    for (auto it = s.by_severity.rbegin(); it != s.by_severity.rend(); ++it) {
        if (it->first == Severity::none) {
            std::cerr << "  no known interaction: " << it->second << "\n";
        } else {
            std::cerr << "  highest finding " << to_string(it->first) << ": " << it->second << "\n";
        }
    }
    if (!s.unresolved.empty()) {
        std::vector<std::pair<std::size_t, std::string>> ranked;
        for (const auto& [name, n] : s.unresolved)
            ranked.emplace_back(n, name);
        std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        std::cerr << "  unrecognised names (not checked), most frequent first:\n";
        for (std::size_t i = 0; i < ranked.size() && i < 20; ++i) {
            std::cerr << "    " << ranked[i].first << "  " << ranked[i].second << "\n";
        }
    }
}

}  // namespace

void register_batch(CLI::App& app, Session& session) {
    auto o = std::make_shared<BatchOptions>();
    CLI::App* command = app.add_subcommand(
        "batch",
        "Check many lists from files (text, CSV, TSV, JSON, JSON Lines); one JSON line "
        "per list, in input order");
    command->add_option("inputs", o->inputs, "Files, directories, or - for standard input")
        ->required();
    command
        ->add_option("--input-format", o->input_format,
                     "text_lines, text_lists, csv, tsv, json, jsonl (default: detected)")
        ->check(CLI::IsMember({"text_lines", "text_lists", "csv", "tsv", "json", "jsonl"}));
    command->add_option("--id-column", o->id_column, "CSV/TSV column holding the list id");
    command->add_option("--agent-column", o->agent_column, "CSV/TSV column holding agent names");
    command
        ->add_option("--fail-on", o->fail_on,
                     "Exit 1 when any list has a finding of this severity: minor, moderate, major, "
                     "contraindicated, none (default)")
        ->check(CLI::IsMember({"minor", "moderate", "major", "contraindicated", "none"}));

    command->callback([o, &session] {
        const KnowledgeBase& kb = session.knowledge();
        const Resolver& resolver = session.resolver();
        bool input_failed = false;
        const Severity fail_on = parse_severity(o->fail_on).value_or(Severity::none);
        bool failed = false;
        Summary summary;
        batch::ReaderOptions reader_options;
        reader_options.id_column = o->id_column;
        reader_options.agent_column = o->agent_column;

        for (const std::string& name : expand_inputs(o->inputs, input_failed)) {
            std::ifstream file;
            std::streambuf* source = std::cin.rdbuf();
            if (name != "-") {
                file.open(name, std::ios::binary);
                if (!file) {
                    std::cerr << "combocheck batch: cannot open " << name << "\n";
                    input_failed = true;
                    continue;
                }
                source = file.rdbuf();
            }
            // The first bytes decide the format; they are served again to the reader.
            std::string head(4096, '\0');
            head.resize(static_cast<std::size_t>(source->sgetn(head.data(), 4096)));
            std::optional<batch::InputFormat> format =
                o->input_format.empty() ? batch::detect_format(name == "-" ? "" : name, head)
                                        : batch::parse_input_format(o->input_format);
            if (!format) {
                if (head.empty()) continue;  // an empty input holds no list
                std::cerr << "combocheck batch: " << name
                          << ": cannot tell the format (binary data?); use --input-format\n";
                input_failed = true;
                continue;
            }
            PrefixedBuffer buffer(head, source);
            std::istream in(&buffer);
            const auto reader =
                batch::open_reader(in, name == "-" ? "stdin" : name, *format, reader_options);
            batch::ListRecord record;
            while (reader->next(record)) {
                ++summary.lists;
                const std::string id = sanitize_utf8(record.id);
                if (!record.error.empty()) {
                    ++summary.errors;
                    write_json_error_line(std::cout, id, sanitize_utf8(record.file), record.line,
                                          record.error);
                } else {
                    const CheckReport report = check_names(kb, resolver, record.agents);
                    for (const Resolution& r : report.resolutions) {
                        if (!r.agent) ++summary.unresolved[r.input];
                    }
                    ++summary.by_severity[report.result.max_severity];
                    failed = failed ||
                             (fail_on != Severity::none && report.result.max_severity >= fail_on);
                    write_json_line(std::cout, kb, id, report);
                }
                // One record per line, flushed, so that a pipe (Hadoop Streaming, Spark pipe)
                // sees each result as soon as it is made.
                std::cout.flush();
            }
        }
        print_summary(summary);
        if (input_failed) throw Exit{kExitUsage};
        if (failed) throw Exit{kExitFindings};
    });
}

}  // namespace combocheck::cli
