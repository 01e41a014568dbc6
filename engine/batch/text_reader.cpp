// Plain-text readers: one agent per line (one list per input), or one list per line.
#include <filesystem>
#include <utility>

#include "batch/detail/input.hpp"

namespace combocheck::batch::detail {
namespace {

// The id of a one-list-per-file input: its name without directory and extension.
std::string list_id_from_file_name(const std::string& file_name) {
    if (file_name.empty() || file_name == "-") return "1";
    auto stem = std::filesystem::path(file_name).stem().string();
    return stem.empty() ? "1" : stem;
}

class TextLinesReader final : public ListReader {
  public:
    TextLinesReader(std::istream& in, std::string file_name, const ReaderOptions& options)
        : lines_(in, options.max_line_bytes), file_(std::move(file_name)) {}

    bool next(ListRecord& out) override {
        if (done_) return false;
        done_ = true;
        out = ListRecord{list_id_from_file_name(file_), {}, file_, 1, {}};
        // Every line is read even after an error, so that the first error is reported and the
        // rest of the input is consumed; one bad line spoils the list (a missed agent is a
        // missed interaction).
        while (lines_.next()) {
            std::string problem;
            if (lines_.too_long()) {
                problem = too_long_message(lines_.max_line_bytes());
            } else if (is_blank_or_comment(lines_.text())) {
                continue;
            } else if (!is_valid_utf8(lines_.text())) {
                problem = "invalid UTF-8";
            }
            if (!problem.empty()) {
                if (out.error.empty()) {
                    out.error = "line " + std::to_string(lines_.number()) + ": " + problem;
                }
                continue;
            }
            if (out.agents.empty()) out.line = lines_.number();
            out.agents.emplace_back(trim(lines_.text()));
        }
        if (out.error.empty() && out.agents.empty()) out.error = "empty list";
        if (!out.error.empty()) out.agents.clear();
        return true;
    }

  private:
    LineSource lines_;
    std::string file_;
    bool done_ = false;
};

class TextListsReader final : public ListReader {
  public:
    TextListsReader(std::istream& in, std::string file_name, const ReaderOptions& options)
        : lines_(in, options.max_line_bytes), file_(std::move(file_name)) {}

    bool next(ListRecord& out) override {
        while (lines_.next()) {
            if (!lines_.too_long() && is_blank_or_comment(lines_.text())) continue;
            ++records_;
            out = ListRecord{std::to_string(records_), {}, file_, lines_.number(), {}};
            const auto text = lines_.text();
            if (lines_.too_long()) {
                out.error = too_long_message(lines_.max_line_bytes());
            } else if (!is_valid_utf8(text)) {
                out.error = "invalid UTF-8";
            } else {
                append_names(text, text.find(';') != std::string_view::npos ? ";" : ",",
                             out.agents);
                if (out.agents.empty()) out.error = "empty list";
            }
            return true;
        }
        return false;
    }

  private:
    LineSource lines_;
    std::string file_;
    std::size_t records_ = 0;
};

}  // namespace

std::unique_ptr<ListReader> make_text_reader(std::istream& in, std::string file_name,
                                             InputFormat format, const ReaderOptions& options) {
    if (format == InputFormat::text_lines) {
        return std::make_unique<TextLinesReader>(in, std::move(file_name), options);
    }
    return std::make_unique<TextListsReader>(in, std::move(file_name), options);
}

}  // namespace combocheck::batch::detail
