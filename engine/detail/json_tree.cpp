// Builds a position-annotated JSON tree with RapidJSON's SAX reader.
#include "json_tree.hpp"

#include <algorithm>
#include <cstring>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

namespace combocheck::detail {

const JsonNode* JsonNode::find(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == key) return &items[i];
    }
    return nullptr;
}

std::string_view to_string(JsonNode::Type type) {
    switch (type) {
        case JsonNode::Type::null:
            return "null";
        case JsonNode::Type::boolean:
            return "a boolean";
        case JsonNode::Type::number:
            return "a number";
        case JsonNode::Type::string:
            return "a string";
        case JsonNode::Type::array:
            return "an array";
        case JsonNode::Type::object:
            return "an object";
    }
    return "?";
}

namespace {

// The SAX handler. RapidJSON calls it once a token has been read. For literals and brackets the
// stream position is then just past the token; strings and numbers are parsed on a local copy of
// a StringStream (StreamLocalCopy) that is written back only after the handler returns, so for
// them the stream still points at the token's first character.
class TreeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TreeBuilder> {
  public:
    explicit TreeBuilder(const rapidjson::StringStream& stream) : stream_(stream) {}

    bool Null() { return add(scalar(JsonNode::Type::null, token_start(4))); }
    bool Bool(bool b) {
        JsonNode node = scalar(JsonNode::Type::boolean, token_start(b ? 4 : 5));
        node.boolean = b;
        return add(std::move(node));
    }
    bool Int(int i) { return number(static_cast<double>(i), true); }
    bool Uint(unsigned u) { return number(static_cast<double>(u), true); }
    bool Int64(std::int64_t i) { return number(static_cast<double>(i), true); }
    bool Uint64(std::uint64_t u) { return number(static_cast<double>(u), true); }
    bool Double(double d) { return number(d, false); }
    bool String(const char* s, rapidjson::SizeType length, bool) {
        JsonNode node = scalar(JsonNode::Type::string, string_start());
        node.text.assign(s, length);
        return add(std::move(node));
    }
    bool Key(const char* s, rapidjson::SizeType length, bool) {
        JsonNode& object = stack_.back();
        object.keys.emplace_back(s, length);
        object.key_offsets.push_back(string_start());
        return true;
    }
    bool StartObject() { return open(JsonNode::Type::object); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool StartArray() { return open(JsonNode::Type::array); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    JsonNode take_root() { return std::move(root_); }

  private:
    std::size_t position() const { return stream_.Tell(); }

    std::size_t token_start(std::size_t length) const { return position() - length; }

    // Strings and numbers are parsed on a local copy of the stream (see above), so the stream
    // still points at their first character when the handler is called.
    std::size_t string_start() const { return position(); }

    bool number(double value, bool integer) {
        JsonNode node = scalar(JsonNode::Type::number, position());
        node.number = value;
        node.integer = integer;  // RapidJSON calls Int/Uint only for numbers without . or e
        return add(std::move(node));
    }

    static JsonNode scalar(JsonNode::Type type, std::size_t offset) {
        JsonNode node;
        node.type = type;
        node.offset = offset;
        return node;
    }

    bool open(JsonNode::Type type) {
        stack_.push_back(scalar(type, position() - 1));  // the bracket was just read
        return true;
    }

    bool close() {
        JsonNode node = std::move(stack_.back());
        stack_.pop_back();
        return add(std::move(node));
    }

    bool add(JsonNode node) {
        if (stack_.empty()) {
            root_ = std::move(node);
        } else {
            stack_.back().items.push_back(std::move(node));
        }
        return true;
    }

    const rapidjson::StringStream& stream_;
    std::vector<JsonNode> stack_;
    JsonNode root_;
};

// The offset of the first byte that is not part of a valid UTF-8 sequence (overlong forms and
// surrogates included), or npos. Runs of ASCII are skipped eight bytes at a time.
std::size_t first_invalid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            std::uint64_t chunk;
            std::memcpy(&chunk, p + i, 8);
            if ((chunk & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint32_t cp = 0, min = 0;
        if ((c & 0xE0) == 0xC0) {
            length = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (i + length > n) return i;
        for (std::size_t k = 1; k < length; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += length;
    }
    return std::string_view::npos;
}

}  // namespace

std::variant<JsonNode, JsonSyntaxError> parse_json_tree(std::string_view text) {
    std::size_t skip = 0;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") skip = 3;
    // RapidJSON reads up to a NUL terminator; the copy guarantees one and keeps offsets aligned.
    std::string copy;
    // RAPIDJSON_SSE2 reads aligned 16-byte blocks up to 15 bytes past the terminator: keep them
    // inside the allocation (AddressSanitizer reports them otherwise).
    copy.reserve(text.size() + 16);
    copy.assign(text);
    for (std::size_t i = 0; i < skip; ++i)
        copy[i] = ' ';
    if (copy.find('\0') != std::string::npos) {
        return JsonSyntaxError{copy.find('\0'), "NUL byte in file"};
    }
    if (const std::size_t bad = first_invalid_utf8(copy); bad != std::string::npos) {
        return JsonSyntaxError{bad, "invalid UTF-8 (knowledge files must be UTF-8 text)"};
    }
    rapidjson::StringStream stream(copy.c_str());
    TreeBuilder builder(stream);
    rapidjson::Reader reader;
    // Encoding was checked above, much faster than RapidJSON's per-character validation.
    const rapidjson::ParseResult result =
        reader.Parse<rapidjson::kParseDefaultFlags>(stream, builder);
    if (result.IsError()) {
        return JsonSyntaxError{result.Offset(), rapidjson::GetParseError_En(result.Code())};
    }
    return builder.take_root();
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
    line_starts_.push_back(0);
    // `at != end` first: memchr must not see the null data() of an empty string_view.
    for (const char *at = text.data(), *end = text.data() + text.size();
         at != end && (at = static_cast<const char*>(
                           std::memchr(at, '\n', static_cast<std::size_t>(end - at))));) {
        ++at;
        line_starts_.push_back(static_cast<std::size_t>(at - text.data()));
    }
}

std::pair<std::uint32_t, std::uint32_t> LineIndex::locate(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const std::size_t line = static_cast<std::size_t>(it - line_starts_.begin());
    const std::size_t start = line_starts_[line - 1];
    std::uint32_t column = 1;
    for (std::size_t i = start; i < offset; ++i) {
        if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    return {static_cast<std::uint32_t>(line), column};
}

}  // namespace combocheck::detail
