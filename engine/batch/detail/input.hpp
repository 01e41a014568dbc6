// Shared pieces of the batch readers: a bounded line source, UTF-8 checks, name splitting.
#pragma once

#include <cstddef>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "batch/reader.hpp"

namespace combocheck::batch::detail {

// Bytes that may be read past the '\0' after text parsed in place: RapidJSON's SSE2 scanning
// loads whole aligned blocks of 16 bytes, up to 15 bytes past the '\0' that stops it, and so
// does scan_json_line() with unaligned ones.
inline constexpr std::size_t kPadding = 16;

// Reads lines without their "\n" or "\r\n", skipping a UTF-8 BOM at the start. A line longer
// than the limit is consumed to its end but not kept: too_long() is set and text() is empty.
class LineSource {
  public:
    LineSource(std::istream& in, std::size_t max_line_bytes);
    // False at the end of the input.
    bool next();
    std::string_view text() const { return text_; }
    // The same bytes, followed by a '\0' and kPadding more bytes that may be read, for a parser
    // that works in place: they may be overwritten until next().
    char* text_data() { return text_.data(); }
    std::size_t number() const { return number_; }  // 1-based
    bool too_long() const { return too_long_; }
    std::size_t max_line_bytes() const { return max_; }

  private:
    // Moves what the stream has already buffered into chunk_; false at the end of the input.
    bool refill();

    std::streambuf* buf_;
    std::size_t max_;
    // Bytes taken from the stream but not yet returned: finding the end of a line in a block
    // with memchr is much cheaper than taking one byte at a time. A block is never more than
    // the stream has already buffered, so a streaming caller is not kept waiting for input past
    // the line it sent.
    std::vector<char> chunk_;
    std::size_t chunk_begin_ = 0;
    std::size_t chunk_end_ = 0;
    std::string text_;
    std::size_t number_ = 0;
    bool too_long_ = false;
};

// One line of JSON Lines, as read_json_line() takes it.
struct JsonLine {
    char* text = nullptr;    // the line's bytes, writable, then a '\0' and kPadding bytes
    std::size_t length = 0;  // without the '\0'
    bool too_long = false;   // past the line limit: `text` is not the line
    std::size_t number = 0;  // the line's number in its file, 1-based
    std::size_t record = 0;  // the list's number in its file (blank lines are not lists)
};
// Reads the line into `out` as the JSON Lines reader does (its id, when it has none, is
// line.record): the same record, whichever thread parses the line. A line of the common shape is
// read by scan_json_line(), any other by RapidJSON, in place.
void read_json_line(const JsonLine& line, std::string_view file, std::size_t max_line_bytes,
                    ListRecord& out);
// The same, with RapidJSON alone: the reference that scan_json_line() is held to.
void read_json_line_with_rapidjson(const JsonLine& line, std::string_view file,
                                   std::size_t max_line_bytes, ListRecord& out);
// Reads a line of the common shape without RapidJSON: `{"id": "...", "agents": ["...", ...]}`
// (the members in either order, "id" optional) or `["...", ...]`, with JSON space between tokens,
// at least one name that is not blank, and strings without escapes or control characters whose
// bytes are valid UTF-8. Such a line gets the id, agents and (empty) error RapidJSON would give
// it, and true; any other line gets false, with out's id and agents in no particular state. The
// line's bytes are left as they are.
bool scan_json_line(const JsonLine& line, ListRecord& out);

bool is_valid_utf8(std::string_view text);
// "null", "a boolean", "a number", "a string", "an array", "an object": for error messages.
std::string_view json_type_name(const rapidjson::Value& v);
std::string_view trim(std::string_view text);
bool is_blank(std::string_view text);
// Blank, or '#' as its first non-blank character.
bool is_blank_or_comment(std::string_view text);
// Splits on any of `separators`, trims each piece and appends the non-empty ones to `out`.
void append_names(std::string_view text, std::string_view separators,
                  std::vector<std::string>& out);
std::string too_long_message(std::size_t max_line_bytes);

std::unique_ptr<ListReader> make_text_reader(std::istream& in, std::string file_name,
                                             InputFormat format, const ReaderOptions& options);
std::unique_ptr<ListReader> make_csv_reader(std::istream& in, std::string file_name, char delimiter,
                                            const ReaderOptions& options);
std::unique_ptr<ListReader> make_json_reader(std::istream& in, std::string file_name,
                                             const ReaderOptions& options);
std::unique_ptr<ListReader> make_jsonl_reader(std::istream& in, std::string file_name,
                                              const ReaderOptions& options);
std::unique_ptr<ListReader> make_fhir_bundle_reader(std::istream& in, std::string file_name,
                                                    const ReaderOptions& options);
std::unique_ptr<ListReader> make_fhir_ndjson_reader(std::istream& in, std::string file_name,
                                                    const ReaderOptions& options);

}  // namespace combocheck::batch::detail
