// Reads and validates knowledge files into a KnowledgeBase; fails closed with file:line:col.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "knowledge.hpp"

namespace combocheck {

struct Diagnostic {
    enum class Level : std::uint8_t { error, warning, note };
    Level level = Level::error;
    std::string file;
    std::uint32_t line = 0;  // 0 when the message is about the file as a whole
    std::uint32_t column = 0;
    std::string message;
};

// "rules/agents/x.json:12:5: error: unknown system 'serotonine'"
std::string format_diagnostic(const Diagnostic& d);

// One knowledge file: a display name (used in diagnostics) and its text.
struct RuleFile {
    std::string name;
    std::string text;
};

class LoadError : public std::runtime_error {
  public:
    explicit LoadError(std::vector<Diagnostic> diagnostics);
    const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

  private:
    std::vector<Diagnostic> diagnostics_;
};

struct LoadOptions {
    // Warnings (an uncited source, a class without members, an unused system) count as errors.
    bool strict = false;
};

struct LintReport {
    std::optional<KnowledgeBase> knowledge;  // set when there are no errors
    std::vector<Diagnostic> diagnostics;     // every error, warning and note, in file order
    std::size_t error_count = 0;
    std::size_t warning_count = 0;
};

// Every *.json file below `dir` except the schema/ folder, in sorted path order; names are
// `dir`-relative paths prefixed with `prefix` (default: the directory as given).
// Throws LoadError if the directory or a file cannot be read.
std::vector<RuleFile> read_rule_directory(const std::filesystem::path& dir);

// Validates `base` plus `extra` (a curator's local files: an entry whose id exists in `base`
// replaces it, with a note). Collects every problem; never throws for bad content.
LintReport lint_knowledge(std::span<const RuleFile> base, std::span<const RuleFile> extra = {},
                          const LoadOptions& options = {});

// As lint_knowledge, but throws LoadError on any error: a partly valid knowledge base is never
// returned.
KnowledgeBase load_knowledge(std::span<const RuleFile> base, std::span<const RuleFile> extra = {},
                             const LoadOptions& options = {});

// The default knowledge base (rules/), embedded at build time. Defined by the combocheck_rules
// library that rules/CMakeLists.txt generates; link it to use this.
std::vector<RuleFile> embedded_rule_files();

// The default knowledge base, ready to use: decoded from the snapshot that rules/compile_rules.cpp
// compiled (and validated) from rules/ at build time, so it costs no parsing or validation at
// start-up. The same data as load_knowledge(embedded_rule_files()). Defined by the combocheck_rules
// library; throws std::runtime_error only if the embedded snapshot is damaged.
KnowledgeBase load_embedded_knowledge();

}  // namespace combocheck
