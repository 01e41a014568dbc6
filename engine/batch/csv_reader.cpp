// CSV and TSV reader: RFC 4180 rows, a header naming the id and agent columns, rows grouped by
// consecutive id.
#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <span>
#include <utility>

#include "batch/detail/input.hpp"

namespace combocheck::batch::detail {
namespace {

constexpr std::array<std::string_view, 6> kIdHeaders = {"id",   "patient", "patient_id",
                                                        "list", "list_id", "subject"};
constexpr std::array<std::string_view, 8> kAgentHeaders = {
    "agent", "agents", "drug", "drugs", "medication", "medications", "name", "substance"};

// "Patient ID" and "patient-id" both read as "patient_id".
std::string normalize_header(std::string_view text) {
    std::string out(trim(text));
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c == ' ' || c == '-') c = '_';
    }
    return out;
}

// One row as parsed from one or more lines (quoted fields may span lines).
struct CsvRow {
    std::vector<std::string> fields;
    std::size_t line = 0;
    std::string error;  // the row could not be parsed
};

class CsvRowSource {
  public:
    CsvRowSource(std::istream& in, char delimiter, std::size_t max_line_bytes)
        : lines_(in, max_line_bytes), delimiter_(delimiter) {}

    // The next non-blank row; false at the end of the input.
    bool next(CsvRow& row) {
        while (lines_.next()) {
            if (!lines_.too_long() && is_blank(lines_.text())) continue;
            row = CsvRow{{}, lines_.number(), {}};
            if (lines_.too_long()) {
                row.error = too_long_message(lines_.max_line_bytes());
                return true;
            }
            parse(row);
            return true;
        }
        return false;
    }

  private:
    void parse(CsvRow& row) {
        std::string field;
        std::size_t row_bytes = 0;
        bool in_quotes = false;
        bool after_quote = false;  // just past a closing quote
        for (;;) {
            const auto text = lines_.text();
            row_bytes += text.size() + 1;
            for (std::size_t i = 0; i < text.size(); ++i) {
                const char c = text[i];
                if (in_quotes) {
                    if (c != '"') {
                        field.push_back(c);
                    } else if (i + 1 < text.size() && text[i + 1] == '"') {
                        field.push_back('"');
                        ++i;
                    } else {
                        in_quotes = false;
                        after_quote = true;
                    }
                } else if (c == delimiter_) {
                    row.fields.push_back(std::move(field));
                    field.clear();
                    after_quote = false;
                } else if (after_quote) {
                    // Spaces after a closing quote are tolerated; anything else is ambiguous.
                    if (c != ' ' && c != '\t') {
                        row.error = "unexpected character after a closing quote";
                        return;
                    }
                } else if (c == '"' && trim(field).empty()) {
                    field.clear();
                    in_quotes = true;
                } else {
                    field.push_back(c);  // a quote inside an unquoted field is kept as written
                }
            }
            if (!in_quotes) break;
            // A quoted field goes on over the line break.
            if (!lines_.next()) {
                row.error = "unterminated quoted field";
                return;
            }
            if (lines_.too_long() || row_bytes + lines_.text().size() > lines_.max_line_bytes()) {
                row.error = "row longer than " + std::to_string(lines_.max_line_bytes()) + " bytes";
                return;
            }
            field.push_back('\n');
        }
        row.fields.push_back(std::move(field));
    }

    LineSource lines_;
    char delimiter_;
};

// One row reduced to what a list needs.
struct ListRow {
    std::string id;
    std::vector<std::string> agents;
    std::size_t line = 0;
    std::string error;        // the agents of this row could not be read
    bool unreadable = false;  // the row has no usable id: it is an error record of its own
};

class CsvReader final : public ListReader {
  public:
    CsvReader(std::istream& in, std::string file_name, char delimiter, const ReaderOptions& options)
        : rows_(in, delimiter, options.max_line_bytes),
          file_(std::move(file_name)),
          options_(options) {}

    bool next(ListRecord& out) override {
        if (!header_read_) {
            header_read_ = true;
            if (auto problem = read_header(); !problem.empty()) {
                done_ = true;
                out = ListRecord{"1", {}, file_, header_line_, std::move(problem)};
                return true;
            }
        }
        if (done_) return false;
        ListRow row;
        if (pending_) {
            row = std::move(*pending_);
            pending_.reset();
        } else if (!read_row(row)) {
            done_ = true;
            return false;
        }
        out = ListRecord{std::move(row.id), std::move(row.agents), file_, row.line,
                         std::move(row.error)};
        if (!row.unreadable) {
            ListRow more;
            while (read_row(more)) {
                if (more.unreadable || more.id != out.id) {
                    pending_ = std::move(more);
                    break;
                }
                if (out.error.empty() && !more.error.empty()) {
                    out.error = "line " + std::to_string(more.line) + ": " + more.error;
                }
                std::move(more.agents.begin(), more.agents.end(), std::back_inserter(out.agents));
            }
            if (out.error.empty() && out.agents.empty()) out.error = "empty list";
        }
        if (!out.error.empty()) out.agents.clear();
        return true;
    }

  private:
    // The problem with the header, or "" when both columns were found.
    std::string read_header() {
        CsvRow header;
        if (!rows_.next(header)) return "no header row";
        header_line_ = header.line;
        if (!header.error.empty()) return "header: " + header.error;
        std::vector<std::string> names;
        for (const auto& field : header.fields)
            names.push_back(normalize_header(field));
        const auto find =
            [&](const std::string& chosen,
                std::span<const std::string_view> common) -> std::optional<std::size_t> {
            for (std::size_t i = 0; i < names.size(); ++i) {
                const bool match = chosen.empty() ? std::find(common.begin(), common.end(),
                                                              names[i]) != common.end()
                                                  : names[i] == normalize_header(chosen);
                if (match) return i;
            }
            return std::nullopt;
        };
        const auto id = find(options_.id_column, kIdHeaders);
        const auto agent = find(options_.agent_column, kAgentHeaders);
        if (!id) {
            return options_.id_column.empty() ? "no id column in the header (name one)"
                                              : "no column '" + options_.id_column + "'";
        }
        if (!agent) {
            return options_.agent_column.empty() ? "no agent column in the header (name one)"
                                                 : "no column '" + options_.agent_column + "'";
        }
        if (*id == *agent) return "the id and agent columns are the same column";
        id_index_ = *id;
        agent_index_ = *agent;
        return {};
    }

    bool read_row(ListRow& out) {
        CsvRow row;
        if (!rows_.next(row)) return false;
        out = ListRow{{}, {}, row.line, {}, true};
        const auto needed = std::max(id_index_, agent_index_) + 1;
        if (!row.error.empty()) {
            out.error = std::move(row.error);
        } else if (row.fields.size() < needed) {
            out.error = "row has " + std::to_string(row.fields.size()) + " fields; " +
                        std::to_string(needed) + " needed";
        } else if (!is_valid_utf8(row.fields[id_index_])) {
            out.error = "invalid UTF-8 in the id";
        } else if (trim(row.fields[id_index_]).empty()) {
            out.error = "empty id";
        } else {
            out.unreadable = false;
            out.id = trim(row.fields[id_index_]);
            if (!is_valid_utf8(row.fields[agent_index_])) {
                out.error = "invalid UTF-8";
            } else {
                append_names(row.fields[agent_index_], ";|", out.agents);
            }
        }
        return true;
    }

    CsvRowSource rows_;
    std::string file_;
    ReaderOptions options_;
    bool header_read_ = false;
    bool done_ = false;
    std::size_t header_line_ = 1;
    std::size_t id_index_ = 0;
    std::size_t agent_index_ = 0;
    std::optional<ListRow> pending_;
};

}  // namespace

std::unique_ptr<ListReader> make_csv_reader(std::istream& in, std::string file_name, char delimiter,
                                            const ReaderOptions& options) {
    return std::make_unique<CsvReader>(in, std::move(file_name), delimiter, options);
}

}  // namespace combocheck::batch::detail
