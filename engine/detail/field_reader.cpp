// Typed field access for the loader, with positioned diagnostics.
#include "field_reader.hpp"

#include <algorithm>
#include <cmath>

namespace combocheck::detail {

void DiagnosticSink::add(Diagnostic::Level level, const FileContext& file, std::size_t offset,
                         std::string message) {
    const auto [line, column] = file.lines.locate(offset);
    list_.push_back({level, file.name, line, column, std::move(message)});
}

void DiagnosticSink::file_error(std::string file, std::string message) {
    list_.push_back({Diagnostic::Level::error, std::move(file), 0, 0, std::move(message)});
}

std::size_t DiagnosticSink::count(Diagnostic::Level level) const {
    return static_cast<std::size_t>(std::count_if(
        list_.begin(), list_.end(), [&](const Diagnostic& d) { return d.level == level; }));
}

std::string location(const FileContext& file, std::size_t offset) {
    const auto [line, column] = file.lines.locate(offset);
    return file.name + ":" + std::to_string(line) + ":" + std::to_string(column);
}

FieldReader::FieldReader(const JsonNode& object, const FileContext& file, DiagnosticSink& sink,
                         std::string what)
    : object_(object),
      file_(file),
      sink_(sink),
      what_(std::move(what)),
      used_(object.keys.size(), false) {
    for (std::size_t i = 0; i < object.keys.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (object.keys[i] == object.keys[j]) {
                sink_.error(file_, object.key_offsets[i],
                            "duplicate key '" + object.keys[i] + "' in " + what_);
                used_[i] = true;
            }
        }
    }
}

const JsonNode* FieldReader::get(std::string_view key, JsonNode::Type type, bool required) {
    for (std::size_t i = 0; i < object_.keys.size(); ++i) {
        if (object_.keys[i] != key) continue;
        used_[i] = true;
        const JsonNode& value = object_.items[i];
        if (value.type != type) {
            sink_.error(file_, value.offset,
                        "'" + std::string(key) + "' must be " + std::string(to_string(type)) +
                            ", not " + std::string(to_string(value.type)));
            return nullptr;
        }
        return &value;
    }
    if (required) {
        sink_.error(file_, object_.offset, what_ + " has no '" + std::string(key) + "' (required)");
    }
    return nullptr;
}

std::string FieldReader::text(std::string_view key, bool required) {
    const JsonNode* n = get(key, JsonNode::Type::string, required);
    if (n == nullptr) return {};
    if (required &&
        std::all_of(n->text.begin(), n->text.end(), [](char c) { return c == ' ' || c == '\t'; })) {
        sink_.error(file_, n->offset, "'" + std::string(key) + "' must not be empty");
    }
    return n->text;
}

std::vector<std::pair<std::string, std::size_t>> FieldReader::texts(std::string_view key,
                                                                    bool required) {
    std::vector<std::pair<std::string, std::size_t>> out;
    const JsonNode* n = get(key, JsonNode::Type::array, required);
    if (n == nullptr) return out;
    if (required && n->items.empty()) {
        sink_.error(file_, n->offset, "'" + std::string(key) + "' must not be empty");
    }
    for (const JsonNode& item : n->items) {
        if (item.type != JsonNode::Type::string) {
            sink_.error(file_, item.offset,
                        "items of '" + std::string(key) + "' must be strings, not " +
                            std::string(to_string(item.type)));
        } else if (item.text.empty()) {
            sink_.error(file_, item.offset, "empty string in '" + std::string(key) + "'");
        } else {
            out.emplace_back(item.text, item.offset);
        }
    }
    return out;
}

std::optional<double> FieldReader::number(std::string_view key, bool required, double min,
                                          double max) {
    const JsonNode* n = get(key, JsonNode::Type::number, required);
    if (n == nullptr) return std::nullopt;
    if (!std::isfinite(n->number) || n->number < min || n->number > max) {
        sink_.error(file_, n->offset,
                    "'" + std::string(key) + "' must be between " + std::to_string(min) + " and " +
                        std::to_string(max));
        return std::nullopt;
    }
    return n->number;
}

std::optional<int> FieldReader::integer(std::string_view key, bool required, int min, int max) {
    const JsonNode* n = get(key, JsonNode::Type::number, required);
    if (n == nullptr) return std::nullopt;
    if (!n->integer || n->number < min || n->number > max) {
        sink_.error(file_, n->offset,
                    "'" + std::string(key) + "' must be a whole number from " +
                        std::to_string(min) + " to " + std::to_string(max));
        return std::nullopt;
    }
    return static_cast<int>(n->number);
}

bool FieldReader::boolean(std::string_view key, bool fallback) {
    const JsonNode* n = get(key, JsonNode::Type::boolean, false);
    return n == nullptr ? fallback : n->boolean;
}

void FieldReader::finish() {
    for (std::size_t i = 0; i < object_.keys.size(); ++i) {
        if (!used_[i]) {
            sink_.error(file_, object_.key_offsets[i],
                        "unknown key '" + object_.keys[i] + "' in " + what_);
        }
    }
}

}  // namespace combocheck::detail
