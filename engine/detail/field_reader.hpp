// Reading typed fields out of a JSON object, reporting each problem at its file:line:col.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../loader.hpp"
#include "enum_names.hpp"
#include "json_tree.hpp"

namespace combocheck::detail {

// One knowledge file being read.
struct FileContext {
    std::uint32_t index = 0;
    std::string name;
    std::string text;
    LineIndex lines{std::string_view{}};
};

// Collects diagnostics in the order they are found.
class DiagnosticSink {
  public:
    void add(Diagnostic::Level level, const FileContext& file, std::size_t offset,
             std::string message);
    void error(const FileContext& file, std::size_t offset, std::string message) {
        add(Diagnostic::Level::error, file, offset, std::move(message));
    }
    void warning(const FileContext& file, std::size_t offset, std::string message) {
        add(Diagnostic::Level::warning, file, offset, std::move(message));
    }
    void note(const FileContext& file, std::size_t offset, std::string message) {
        add(Diagnostic::Level::note, file, offset, std::move(message));
    }
    void file_error(std::string file, std::string message);

    std::vector<Diagnostic>& diagnostics() { return list_; }
    std::size_t count(Diagnostic::Level level) const;

  private:
    std::vector<Diagnostic> list_;
};

std::string location(const FileContext& file, std::size_t offset);

// Reads the fields of one JSON object. Every accessor marks its key as known; finish() reports
// the keys no accessor asked for, so that a misspelt key is an error rather than lost data.
class FieldReader {
  public:
    FieldReader(const JsonNode& object, const FileContext& file, DiagnosticSink& sink,
                std::string what);

    const JsonNode& node() const { return object_; }
    const FileContext& file() const { return file_; }
    DiagnosticSink& sink() const { return sink_; }
    bool has(std::string_view key) const { return object_.find(key) != nullptr; }

    // The member, if present and of the right type (a wrong type is reported).
    const JsonNode* get(std::string_view key, JsonNode::Type type, bool required);
    std::string text(std::string_view key, bool required = true);
    std::vector<std::pair<std::string, std::size_t>> texts(std::string_view key,
                                                           bool required = false);
    std::optional<double> number(std::string_view key, bool required, double min, double max);
    std::optional<int> integer(std::string_view key, bool required, int min, int max);
    bool boolean(std::string_view key, bool fallback);

    template <typename Enum, std::size_t N>
    std::optional<Enum> choice(std::string_view key, const std::array<std::string_view, N>& names,
                               bool required) {
        const JsonNode* n = get(key, JsonNode::Type::string, required);
        if (n == nullptr) return std::nullopt;
        return choice_of<Enum>(*n, key, names);
    }

    template <typename Enum, std::size_t N>
    std::optional<Enum> choice_of(const JsonNode& n, std::string_view key,
                                  const std::array<std::string_view, N>& names) {
        for (std::size_t i = 0; i < N; ++i) {
            if (names[i] == n.text) return static_cast<Enum>(i);
        }
        std::string list;
        for (std::size_t i = 0; i < N; ++i)
            list += (i ? ", " : "") + std::string(names[i]);
        sink_.error(
            file_, n.offset,
            "'" + n.text + "' is not a valid " + std::string(key) + " (one of: " + list + ")");
        return std::nullopt;
    }

    void finish();

  private:
    const JsonNode& object_;
    const FileContext& file_;
    DiagnosticSink& sink_;
    std::string what_;
    std::vector<bool> used_;
};

}  // namespace combocheck::detail
