// JSON and JSON Lines readers. JSON input is cut into one element at a time by a small scanner
// that only tracks strings and brackets; each element is then parsed by RapidJSON, so memory is
// bounded by one list.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <utility>

#include "batch/detail/input.hpp"

namespace combocheck::batch::detail {
namespace {

// Fills out.id (unless `id` is set already), out.agents, or out.error from one JSON list.
void read_list(const rapidjson::Value& v, ListRecord& out) {
    const rapidjson::Value* agents = &v;
    if (v.IsObject()) {
        if (const auto id = v.FindMember("id"); id != v.MemberEnd()) {
            if (id->value.IsString()) {
                out.id.assign(id->value.GetString(), id->value.GetStringLength());
            } else if (id->value.IsUint64()) {
                out.id = std::to_string(id->value.GetUint64());
            } else if (id->value.IsInt64()) {
                out.id = std::to_string(id->value.GetInt64());
            } else {
                out.error = "\"id\" is " + std::string(json_type_name(id->value)) +
                            ", not a string or a whole number";
                return;
            }
        }
        const auto found = v.FindMember("agents");
        if (found == v.MemberEnd()) {
            out.error = "no \"agents\"";
            return;
        }
        agents = &found->value;
    } else if (!v.IsArray()) {
        out.error = "a list is " + std::string(json_type_name(v)) +
                    ", not an array of names or an object with \"agents\"";
        return;
    }
    if (!agents->IsArray()) {
        out.error = "\"agents\" is " + std::string(json_type_name(*agents)) + ", not an array";
        return;
    }
    std::size_t index = 0;
    for (const auto& agent : agents->GetArray()) {
        ++index;
        if (!agent.IsString()) {
            out.error = "agent " + std::to_string(index) + " is " +
                        std::string(json_type_name(agent)) + ", not a string";
            out.agents.clear();
            return;
        }
        const auto name = trim({agent.GetString(), agent.GetStringLength()});
        if (!name.empty()) out.agents.emplace_back(name);
    }
    if (out.agents.empty()) out.error = "empty list";
}

// Parses one complete JSON text (a line, or one element) into `out`. Encoding is checked here
// rather than by RapidJSON so that a bad byte spoils only its own record.
void read_list_text(std::string_view text, ListRecord& out) {
    if (!is_valid_utf8(text)) {
        out.error = "invalid UTF-8";
        return;
    }
    // The tree and the parser's stack live in buffers on this stack frame: a list of a few
    // names then needs no heap allocation (a larger one spills to the heap and is freed here).
    using Pool = rapidjson::MemoryPoolAllocator<>;
    char tree_buffer[8192];
    char stack_buffer[2048];
    Pool tree_allocator(tree_buffer, sizeof tree_buffer);
    Pool stack_allocator(stack_buffer, sizeof stack_buffer);
    rapidjson::GenericDocument<rapidjson::UTF8<>, Pool, Pool> doc(&tree_allocator, 1024,
                                                                  &stack_allocator);
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError()) {
        out.error =
            std::string("invalid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError());
        return;
    }
    read_list(doc, out);
}

class JsonLinesReader final : public ListReader {
  public:
    JsonLinesReader(std::istream& in, std::string file_name, const ReaderOptions& options)
        : lines_(in, options.max_line_bytes), file_(std::move(file_name)) {}

    bool next(ListRecord& out) override {
        while (lines_.next()) {
            if (!lines_.too_long() && is_blank(lines_.text())) continue;
            ++records_;
            // Fields are reset rather than the record rebuilt, so that its buffers are reused.
            out.id = std::to_string(records_);
            out.agents.clear();
            out.file = file_;
            out.line = lines_.number();
            out.error.clear();
            if (lines_.too_long()) {
                out.error = too_long_message(lines_.max_line_bytes());
            } else {
                read_list_text(lines_.text(), out);
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
            const std::string id = out.id;
            read_list_text(text, out);
            // In an object of id -> list the key is the id.
            if (close_ == '}') out.id = id;
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
