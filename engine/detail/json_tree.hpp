// A JSON document tree that remembers where each value was written, for file:line:col diagnostics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace combocheck::detail {

struct JsonNode {
    enum class Type : std::uint8_t { null, boolean, number, string, array, object };

    Type type = Type::null;
    bool boolean = false;
    bool integer = false;  // a number written without fraction or exponent
    double number = 0;
    std::string text;               // string value
    std::vector<JsonNode> items;    // array elements, or object member values
    std::vector<std::string> keys;  // object member names, parallel to items
    std::vector<std::size_t> key_offsets;
    std::size_t offset = 0;  // byte offset of the value's first character

    const JsonNode* find(std::string_view key) const;
};

std::string_view to_string(JsonNode::Type);

struct JsonSyntaxError {
    std::size_t offset = 0;
    std::string message;
};

// Parses strict JSON (UTF-8, validated; a leading byte-order mark is skipped).
std::variant<JsonNode, JsonSyntaxError> parse_json_tree(std::string_view text);

// Maps byte offsets to 1-based line and column (columns count characters, not bytes).
class LineIndex {
  public:
    explicit LineIndex(std::string_view text);
    std::pair<std::uint32_t, std::uint32_t> locate(std::size_t offset) const;

  private:
    std::string_view text_;
    std::vector<std::size_t> line_starts_;
};

}  // namespace combocheck::detail
