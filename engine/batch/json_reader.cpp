// JSON and JSON Lines readers. JSON input is cut into one element at a time by a small scanner
// that only tracks strings and brackets; each element is then parsed by RapidJSON, so memory is
// bounded by one list.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "batch/detail/input.hpp"

namespace combocheck::batch::detail {
namespace {

// "null", "a boolean", ... as json_type_name() says them, for SAX events.
constexpr std::string_view kNull = "null", kBoolean = "a boolean", kNumber = "a number",
                           kString = "a string", kArray = "an array", kObject = "an object";

// Reads one list from the parser's events, without building a tree: an object
// `{"id": ..., "agents": [...]}` (other members ignored; of a repeated member the first counts)
// or a bare array of names. What is wrong is judged by finish(), after the whole text has
// parsed, in the order of its checks.
class ListHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ListHandler> {
  public:
    explicit ListHandler(ListRecord& out) : out_(out) {}

    bool Null() { return scalar(kNull); }
    bool Bool(bool) { return scalar(kBoolean); }
    bool Int(int i) { return whole(std::to_string(i)); }
    bool Uint(unsigned u) { return whole(std::to_string(u)); }
    bool Int64(std::int64_t i) { return whole(std::to_string(i)); }
    bool Uint64(std::uint64_t u) { return whole(std::to_string(u)); }
    bool Double(double) { return scalar(kNumber); }
    bool String(const char* s, rapidjson::SizeType length, bool) {
        const std::string_view text(s, length);
        if (depth_ == 1 && member_ == Member::id) {
            id_.assign(text);
            id_type_ = kString;
            member_ = Member::none;
        } else if (in_agents()) {
            ++index_;
            const std::string_view name = trim(text);
            if (bad_index_ == 0 && !name.empty()) add_agent(name);
        } else {
            return scalar(kString);
        }
        return true;
    }
    bool StartObject() { return open(kObject); }
    bool Key(const char* s, rapidjson::SizeType length, bool) {
        if (depth_ == 1 && top_ == kObject) {
            const std::string_view key(s, length);
            member_ = Member::skip;
            if (key == "id" && !seen_id_) {
                member_ = Member::id;
                seen_id_ = true;
            } else if (key == "agents" && !seen_agents_) {
                member_ = Member::agents;
                seen_agents_ = true;
            }
        }
        return true;
    }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool StartArray() { return open(kArray); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    // Fills out.id (unless `keep_id`), out.agents, or out.error, as a tree would be read.
    void finish(bool keep_id) {
        out_.agents.resize(agents_);
        if (top_ == kObject) {
            if (seen_id_) {
                if (id_type_ != kString && id_type_ != kWhole) {
                    return fail("\"id\" is " + std::string(id_type_) +
                                ", not a string or a whole number");
                }
                if (!keep_id) out_.id = id_;
            }
            if (!seen_agents_) return fail("no \"agents\"");
            if (agents_type_ != kArray) {
                return fail("\"agents\" is " + std::string(agents_type_) + ", not an array");
            }
        } else if (top_ != kArray) {
            return fail("a list is " + std::string(top_) +
                        ", not an array of names or an object with \"agents\"");
        }
        if (bad_index_ != 0) {
            return fail("agent " + std::to_string(bad_index_) + " is " + std::string(bad_type_) +
                        ", not a string");
        }
        if (out_.agents.empty()) out_.error = "empty list";
    }

  private:
    enum class Member { none, id, agents, skip };
    static constexpr std::string_view kWhole = "a whole number";

    // Names are assigned over the strings the record already holds (it comes back from the
    // pipeline with the buffers of an earlier list), so that a long name needs no new buffer.
    void add_agent(std::string_view name) {
        if (agents_ < out_.agents.size()) {
            out_.agents[agents_].assign(name);
        } else {
            out_.agents.emplace_back(name);
        }
        ++agents_;
    }

    void fail(std::string error) {
        out_.error = std::move(error);
        out_.agents.clear();
    }

    // Inside the agents array, at the depth of its elements.
    bool in_agents() const {
        return (top_ == kArray && depth_ == 1) ||
               (top_ == kObject && depth_ == 2 && member_ == Member::agents &&
                agents_type_ == kArray);
    }

    // A value that is not a name; `type` as json_type_name() says it.
    void value(std::string_view type) {
        if (depth_ == 0) {
            top_ = type;
        } else if (depth_ == 1 && member_ == Member::id) {
            id_type_ = type;
        } else if (depth_ == 1 && member_ == Member::agents) {
            agents_type_ = type;
        } else if (in_agents()) {
            ++index_;
            if (bad_index_ == 0) {
                bad_index_ = index_;
                bad_type_ = type;
            }
        }
    }
    bool scalar(std::string_view type) {
        value(type);
        if (depth_ == 1) member_ = Member::none;
        return true;
    }
    bool whole(std::string text) {
        if (depth_ == 1 && member_ == Member::id) {
            id_ = std::move(text);
            id_type_ = kWhole;
            member_ = Member::none;
            return true;
        }
        return scalar(kNumber);
    }
    bool open(std::string_view type) {
        value(type);
        ++depth_;
        return true;
    }
    bool close() {
        if (--depth_ == 1) member_ = Member::none;
        return true;
    }

    ListRecord& out_;
    std::string_view top_;  // the type of the whole text, once it has begun
    int depth_ = 0;
    Member member_ = Member::none;  // the top-level member whose value is being read
    bool seen_id_ = false;
    bool seen_agents_ = false;
    std::string id_;
    std::string_view id_type_;
    std::string_view agents_type_;
    std::size_t agents_ = 0;     // names kept so far: the first ones of out_.agents
    std::size_t index_ = 0;      // elements of the agents array so far
    std::size_t bad_index_ = 0;  // the first element that is not a string (1-based), or 0
    std::string_view bad_type_;
};

// Parses one complete JSON text (a line, or one element) into `out`, replacing its agents; with
// `keep_id`, an "id" member does not replace out.id. Encoding is checked here rather than by
// RapidJSON so that a bad byte spoils only its own record. `in_place`, when given, is text's own
// bytes, writable and followed by a '\0' and kPadding readable bytes: the parser then decodes
// strings where they are instead of copying them (same events, same errors).
void read_list_text(std::string_view text, ListRecord& out, bool keep_id = false,
                    char* in_place = nullptr) {
    if (!is_valid_utf8(text)) {
        out.agents.clear();
        out.error = "invalid UTF-8";
        return;
    }
    // The parser's stack is kept from text to text (per thread), so that a list needs no heap
    // allocation of its own.
    thread_local rapidjson::Reader reader;
    ListHandler handler(out);
    // A '\0' inside the text would end it early for the in-place parser, which stops at the
    // first one; such text goes the bounded way.
    if (in_place != nullptr && std::memchr(text.data(), '\0', text.size()) == nullptr) {
        rapidjson::InsituStringStream bytes(in_place);
        reader.Parse<rapidjson::kParseInsituFlag>(bytes, handler);
    } else {
        rapidjson::MemoryStream bytes(text.data(), text.size());
        reader.Parse(bytes, handler);
    }
    if (reader.HasParseError()) {
        out.agents.clear();
        out.error =
            std::string("invalid JSON: ") + rapidjson::GetParseError_En(reader.GetParseErrorCode());
        return;
    }
    handler.finish(keep_id);
}

}  // namespace

void read_json_line(const JsonLine& line, std::string_view file, std::size_t max_line_bytes,
                    ListRecord& out) {
    if (scan_json_line(line, out)) {
        out.file = file;
        out.line = line.number;
    } else {
        read_json_line_with_rapidjson(line, file, max_line_bytes, out);
    }
}

void read_json_line_with_rapidjson(const JsonLine& line, std::string_view file,
                                   std::size_t max_line_bytes, ListRecord& out) {
    // Fields are reset rather than the record rebuilt, so that its buffers are reused.
    out.id = std::to_string(line.record);
    out.file = file;
    out.line = line.number;
    out.error.clear();
    if (line.too_long) {
        out.agents.clear();
        out.error = too_long_message(max_line_bytes);
    } else {
        read_list_text(std::string_view(line.text, line.length), out, /*keep_id=*/false, line.text);
    }
}

namespace {

class JsonLinesReader final : public ListReader {
  public:
    JsonLinesReader(std::istream& in, std::string file_name, const ReaderOptions& options)
        : lines_(in, options.max_line_bytes), file_(std::move(file_name)) {}

    bool next(ListRecord& out) override {
        while (lines_.next()) {
            if (!lines_.too_long() && is_blank(lines_.text())) continue;
            const JsonLine line{lines_.text_data(), lines_.text().size(), lines_.too_long(),
                                lines_.number(), ++records_};
            read_json_line(line, file_, lines_.max_line_bytes(), out);
            return true;
        }
        return false;
    }

  private:
    LineSource lines_;
    std::string file_;
    std::size_t records_ = 0;
};

// Reads bytes one at a time, counting lines and skipping a UTF-8 BOM at the start.
class ByteSource {
  public:
    explicit ByteSource(std::istream& in) : buf_(in.rdbuf()) {
        if (buf_ == nullptr) return;
        // A BOM is skipped only when all three bytes are there; sungetc undoes a partial match.
        static constexpr unsigned char kBom[] = {0xEF, 0xBB, 0xBF};
        std::size_t matched = 0;
        while (matched < 3 && buf_->sgetc() == kBom[matched]) {
            buf_->sbumpc();
            ++matched;
        }
        for (; matched > 0 && matched < 3; --matched)
            buf_->sungetc();
    }
    // -1 at the end of the input.
    int peek() { return buf_ == nullptr ? -1 : to_int(buf_->sgetc()); }
    int take() {
        const int c = buf_ == nullptr ? -1 : to_int(buf_->sbumpc());
        if (c == '\n') ++line_;
        return c;
    }
    void skip_space() {
        for (int c = peek(); c == ' ' || c == '\t' || c == '\r' || c == '\n'; c = peek())
            take();
    }
    std::size_t line() const { return line_; }

  private:
    static int to_int(std::streambuf::int_type c) {
        using Traits = std::streambuf::traits_type;
        return Traits::eq_int_type(c, Traits::eof()) ? -1 : static_cast<unsigned char>(c);
    }
    std::streambuf* buf_;
    std::size_t line_ = 1;
};

class JsonReader final : public ListReader {
  public:
    JsonReader(std::istream& in, std::string file_name, const ReaderOptions& options)
        : bytes_(in), file_(std::move(file_name)), max_(options.max_line_bytes) {}

    bool next(ListRecord& out) override {
        if (state_ == State::done) return false;
        ++records_;
        out = ListRecord{std::to_string(records_), {}, file_, bytes_.line(), {}};
        if (state_ == State::start) {
            bytes_.skip_space();
            const int c = bytes_.take();
            out.line = bytes_.line();
            if (c == '[' || c == '{') {
                close_ = c == '[' ? ']' : '}';
                state_ = State::first;
            } else {
                return stop(out, c == -1 ? "empty input" : "not a JSON array or object");
            }
        }
        bytes_.skip_space();
        if (state_ != State::first) {
            const int c = bytes_.take();
            if (c == close_) return end(out);
            if (c != ',') return stop(out, "expected ',' or '" + std::string(1, close_) + "'");
            bytes_.skip_space();
        } else if (bytes_.peek() == close_) {
            bytes_.take();
            return end(out);
        }
        state_ = State::more;
        out.line = bytes_.line();
        std::string key;
        if (close_ == '}') {
            if (bytes_.peek() != '"') return stop(out, "expected a string key");
            if (auto problem = scan(key); !problem.empty()) return stop(out, problem);
            bytes_.skip_space();
            if (bytes_.take() != ':') return stop(out, "expected ':' after a key");
            bytes_.skip_space();
        }
        std::string text;
        if (auto problem = scan(text); !problem.empty()) return stop(out, problem);
        if (close_ == '}') {
            rapidjson::Document id;
            id.Parse(key.data(), key.size());
            if (id.HasParseError() || !id.IsString() || !is_valid_utf8(key)) {
                out.error = "invalid key";
                return true;
            }
            out.id.assign(id.GetString(), id.GetStringLength());
        }
        if (text.size() > max_) {
            out.error = "list longer than " + std::to_string(max_) + " bytes";
        } else {
            // In an object of id -> list the key is the id.
            read_list_text(text, out, /*keep_id=*/close_ == '}');
        }
        return true;
    }

  private:
    enum class State { start, first, more, done };

    // Copies one JSON value (at most max_ + 1 bytes of it) into `text`, tracking strings and
    // brackets only; RapidJSON judges the rest. Returns a problem that ends the input, or "".
    std::string scan(std::string& text) {
        int depth = 0;
        bool in_string = false;
        for (;;) {
            const int c = bytes_.peek();
            if (c == -1) return "truncated input";
            if (!in_string && depth == 0 && !text.empty() &&
                (c == ',' || c == ']' || c == '}' || c == ':' || c == ' ' || c == '\t' ||
                 c == '\r' || c == '\n')) {
                return {};
            }
            bytes_.take();
            if (text.size() <= max_) text.push_back(static_cast<char>(c));
            if (in_string) {
                if (c == '\\') {
                    const int escaped = bytes_.take();
                    if (escaped == -1) return "truncated input";
                    if (text.size() <= max_) text.push_back(static_cast<char>(escaped));
                } else if (c == '"') {
                    in_string = false;
                    if (depth == 0) return {};
                }
            } else if (c == '"') {
                in_string = true;
            } else if (c == '[' || c == '{') {
                ++depth;
            } else if (c == ']' || c == '}') {
                if (--depth <= 0) return depth == 0 ? "" : "unbalanced brackets";
            }
        }
    }

    bool stop(ListRecord& out, const std::string& problem) {
        state_ = State::done;
        out.id = std::to_string(records_);
        out.line = bytes_.line();
        out.agents.clear();
        out.error = problem;
        return true;
    }

    // The closing bracket: nothing but space may follow it.
    bool end(ListRecord& out) {
        state_ = State::done;
        bytes_.skip_space();
        if (bytes_.peek() == -1) return false;
        return stop(out, "unexpected content after the end of the JSON");
    }

    ByteSource bytes_;
    std::string file_;
    std::size_t max_;
    State state_ = State::start;
    char close_ = ']';
    std::size_t records_ = 0;
};

}  // namespace

std::unique_ptr<ListReader> make_jsonl_reader(std::istream& in, std::string file_name,
                                              const ReaderOptions& options) {
    return std::make_unique<JsonLinesReader>(in, std::move(file_name), options);
}

std::unique_ptr<ListReader> make_json_reader(std::istream& in, std::string file_name,
                                             const ReaderOptions& options) {
    return std::make_unique<JsonReader>(in, std::move(file_name), options);
}

}  // namespace combocheck::batch::detail
