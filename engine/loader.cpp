// Loads knowledge files: parse, collect ids, link references, validate; every error positioned.
#include "loader.hpp"

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "detail/edit_distance.hpp"
#include "detail/entry_reader.hpp"
#include "detail/field_reader.hpp"
#include "detail/json_tree.hpp"
#include "detail/reachability.hpp"

namespace combocheck {

using namespace detail;

std::string format_diagnostic(const Diagnostic& d) {
    static constexpr std::array<std::string_view, 3> kLevels{"error", "warning", "note"};
    std::string out = d.file;
    if (d.line > 0) {
        // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on ":" + std::to_string(...).
        out += ':';
        out += std::to_string(d.line);
        out += ':';
        out += std::to_string(d.column);
    }
    out += ": ";
    out += kLevels[static_cast<std::size_t>(d.level)];
    out += ": ";
    out += d.message;
    return out;
}

namespace {
std::string summarize(const std::vector<Diagnostic>& diagnostics) {
    for (const Diagnostic& d : diagnostics) {
        if (d.level == Diagnostic::Level::error) return format_diagnostic(d);
    }
    return "knowledge base could not be loaded";
}
}  // namespace

LoadError::LoadError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(summarize(diagnostics)), diagnostics_(std::move(diagnostics)) {}

std::vector<RuleFile> read_rule_directory(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw LoadError(
            {{Diagnostic::Level::error, dir.string(), 0, 0, "not a directory of knowledge files"}});
    }
    std::vector<fs::path> paths;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (it->is_directory() && it->path().filename() == "schema") {
            it.disable_recursion_pending();
        } else if (it->is_regular_file() && it->path().extension() == ".json") {
            paths.push_back(it->path());
        }
    }
    if (ec) {
        throw LoadError({{Diagnostic::Level::error, dir.string(), 0, 0,
                          "cannot read directory: " + ec.message()}});
    }
    std::sort(paths.begin(), paths.end());
    std::vector<RuleFile> files;
    for (const fs::path& path : paths) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in && !in.eof()) {
            throw LoadError({{Diagnostic::Level::error, path.string(), 0, 0, "cannot read file"}});
        }
        files.push_back({path.lexically_normal().string(), std::move(text).str()});
    }
    if (files.empty()) {
        throw LoadError({{Diagnostic::Level::error, dir.string(), 0, 0,
                          "no knowledge files (*.json) in this directory"}});
    }
    return files;
}

namespace {

constexpr std::array<std::string_view, kSectionCount> kSectionKeys{"systems", "risks",  "sources",
                                                                   "classes", "agents", "rules"};

bool is_snake_case(std::string_view id) {
    if (id.empty() || id.front() < 'a' || id.front() > 'z') return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

class Loader {
  public:
    Loader(std::span<const RuleFile> base, std::span<const RuleFile> extra,
           const LoadOptions& options)
        : options_(options) {
        files_.reserve(base.size() + extra.size());
        roots_.reserve(base.size() + extra.size());
        for (const RuleFile& f : base)
            parse_file(f, false);
        for (const RuleFile& f : extra)
            parse_file(f, true);
    }

    LintReport run() {
        for (std::size_t i = 0; i < files_.size(); ++i)
            collect(i);
        for (auto& list : index_.entries) {
            std::sort(list.begin(), list.end(),
                      [](const Entry& a, const Entry& b) { return a.id < b.id; });
        }
        for (std::size_t s = 0; s < kSectionCount; ++s) {
            for (std::uint32_t i = 0; i < index_.entries[s].size(); ++i) {
                index_.ids[s][index_.entries[s][i].id] = i;
            }
        }
        KnowledgeData data;
        for (const auto& f : files_)
            data.files.push_back(f->name);
        EntryReader reader(index_, sink_);
        reader.read_all(data);
        reader.check_whole(data);

        LintReport report;
        std::optional<KnowledgeBase> knowledge;
        if (sink_.count(Diagnostic::Level::error) == 0) {
            // References are sound: the derived tables can be built, and rules checked for
            // whether any combination of agents can trigger them.
            knowledge.emplace(std::move(data));
            for (const auto& [id, reason] : unreachable_rules(*knowledge)) {
                const Rule& rule = knowledge->rule(id);
                sink_.diagnostics().push_back({Diagnostic::Level::warning,
                                               files_[rule.position.file]->name, rule.position.line,
                                               rule.position.column,
                                               "rule '" + rule.id + "' can never fire: " + reason});
            }
        }
        if (options_.strict) {
            for (Diagnostic& d : sink_.diagnostics()) {
                if (d.level == Diagnostic::Level::warning) d.level = Diagnostic::Level::error;
            }
        }
        report.error_count = sink_.count(Diagnostic::Level::error);
        report.warning_count = sink_.count(Diagnostic::Level::warning);
        const bool failed = report.error_count > 0 || (options_.strict && report.warning_count > 0);
        if (!failed) report.knowledge = std::move(knowledge);
        report.diagnostics = std::move(sink_.diagnostics());
        // In file order, as a curator reads them; files without a line (unreadable) first.
        std::stable_sort(report.diagnostics.begin(), report.diagnostics.end(),
                         [&](const Diagnostic& a, const Diagnostic& b) {
                             return std::tie(a.file, a.line, a.column) <
                                    std::tie(b.file, b.line, b.column);
                         });
        return report;
    }

  private:
    void parse_file(const RuleFile& f, bool extra) {
        auto file = std::make_unique<FileContext>();
        file->index = static_cast<std::uint32_t>(files_.size());
        file->name = f.name;
        file->text = f.text;
        file->lines = LineIndex(file->text);
        auto parsed = parse_json_tree(file->text);
        if (auto* error = std::get_if<JsonSyntaxError>(&parsed)) {
            sink_.error(*file, error->offset, "invalid JSON: " + error->message);
            roots_.emplace_back();
            parsed_.push_back(false);
        } else {
            roots_.push_back(std::move(std::get<JsonNode>(parsed)));
            parsed_.push_back(true);
        }
        extra_.push_back(extra);
        files_.push_back(std::move(file));
    }

    // Pass 1: every entry's id, so that references can be checked in any order.
    void collect(std::size_t i) {
        const FileContext& file = *files_[i];
        const JsonNode& root = roots_[i];
        if (!parsed_[i]) return;  // the syntax error is already reported
        if (root.type != JsonNode::Type::object) {
            sink_.error(file, root.offset, "a knowledge file must be a JSON object");
            return;
        }
        FieldReader top(root, file, sink_, "the file's top level");
        top.get("$schema", JsonNode::Type::string, false);
        for (std::size_t s = 0; s < kSectionCount; ++s) {
            const JsonNode* array = top.get(kSectionKeys[s], JsonNode::Type::array, false);
            if (array == nullptr) continue;
            for (const JsonNode& item : array->items) {
                if (item.type != JsonNode::Type::object) {
                    sink_.error(
                        file, item.offset,
                        "entries of '" + std::string(kSectionKeys[s]) + "' must be objects");
                    continue;
                }
                const JsonNode* id = item.find("id");
                if (id == nullptr || id->type != JsonNode::Type::string) {
                    sink_.error(file, id ? id->offset : item.offset,
                                std::string(kSectionNames[s]) + " needs a string 'id'");
                    continue;
                }
                if (!is_snake_case(id->text)) {
                    sink_.error(file, id->offset,
                                "id '" + id->text +
                                    "' must be snake_case (a-z, 0-9 and _, starting with a "
                                    "letter)");
                }
                add_entry(s, Entry{&file, &item, id->text, id->offset, extra_[i]});
            }
        }
        top.finish();
    }

    void add_entry(std::size_t s, Entry entry) {
        auto& list = index_.entries[s];
        const auto same = std::find_if(list.begin(), list.end(),
                                       [&](const Entry& e) { return e.id == entry.id; });
        if (same == list.end()) {
            list.push_back(entry);
            return;
        }
        const std::string where = location(*same->file, same->id_offset);
        if (entry.extra && !same->extra) {
            sink_.note(*entry.file, entry.id_offset,
                       std::string(kSectionNames[s]) + " '" + entry.id +
                           "' from the extra rules replaces the one at " + where);
            *same = entry;
        } else {
            sink_.error(*entry.file, entry.id_offset,
                        "duplicate " + std::string(kSectionNames[s]) + " id '" + entry.id +
                            "' (first defined at " + where + ")");
        }
    }

    LoadOptions options_;
    std::vector<std::unique_ptr<FileContext>> files_;
    std::vector<JsonNode> roots_;
    std::vector<bool> extra_;
    std::vector<bool> parsed_;
    EntryIndex index_;
    DiagnosticSink sink_;
};

}  // namespace

LintReport lint_knowledge(std::span<const RuleFile> base, std::span<const RuleFile> extra,
                          const LoadOptions& options) {
    return Loader(base, extra, options).run();
}

KnowledgeBase load_knowledge(std::span<const RuleFile> base, std::span<const RuleFile> extra,
                             const LoadOptions& options) {
    LintReport report = lint_knowledge(base, extra, options);
    if (!report.knowledge) throw LoadError(std::move(report.diagnostics));
    return std::move(*report.knowledge);
}

}  // namespace combocheck
