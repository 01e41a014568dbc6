// Pass 2 of loading: reads each entry into the model, resolving and checking every reference.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "../knowledge.hpp"
#include "field_reader.hpp"

namespace combocheck::detail {

enum Section : std::size_t { kSystems, kRisks, kSources, kClasses, kAgents, kRules, kSectionCount };
inline constexpr std::array<std::string_view, kSectionCount> kSectionNames{
    "system", "risk", "source", "class", "agent", "rule"};

struct Entry {
    const FileContext* file = nullptr;
    const JsonNode* node = nullptr;
    std::string id;
    std::size_t id_offset = 0;
    bool extra = false;
};

// The entries of every section, sorted by id, and id -> index maps.
struct EntryIndex {
    std::array<std::vector<Entry>, kSectionCount> entries;
    std::array<std::unordered_map<std::string, std::uint32_t>, kSectionCount> ids;
};

class EntryReader {
  public:
    EntryReader(const EntryIndex& index, DiagnosticSink& sink) : index_(index), sink_(sink) {}

    void read_all(KnowledgeData& data);
    // Checks that need everything read: class cycles, ambiguous names and codes, unused entries.
    void check_whole(const KnowledgeData& data);

  private:
    System read_system(const Entry& e);
    Risk read_risk(const Entry& e);
    Source read_source(const Entry& e);
    Class read_class(const Entry& e, const KnowledgeData& data);
    Agent read_agent(const Entry& e, const KnowledgeData& data);
    Rule read_rule(const Entry& e, const KnowledgeData& data);

    std::vector<Effect> read_effects(FieldReader& r, const KnowledgeData& data);
    std::optional<Effect> read_effect(const JsonNode& node, const FileContext& file,
                                      const KnowledgeData& data);
    std::vector<SourceId> read_sources(FieldReader& r, bool required);
    std::optional<MatchItem> read_match_item(const JsonNode& node, const FileContext& file,
                                             const KnowledgeData& data);
    std::optional<EffectPattern> read_effect_pattern(const JsonNode& node, const FileContext& file,
                                                     const KnowledgeData& data);
    void read_rule_detail(FieldReader& r, Rule& rule, const KnowledgeData& data);
    void check_placeholders(FieldReader& r, const Rule& rule);

    // The index of the entry called `id` in `section`, or an error at `offset` with suggestions.
    std::optional<std::uint32_t> lookup(Section section, const std::string& id,
                                        const FileContext& file, std::size_t offset);
    Position position(const FileContext& file, std::size_t offset) const;

    // Every name an agent answers to, for the ambiguity check.
    struct NameRecord {
        std::string normalized;
        std::uint32_t agent = 0;
        const FileContext* file = nullptr;
        std::size_t offset = 0;
        std::string written;
    };

    const EntryIndex& index_;
    DiagnosticSink& sink_;
    std::vector<NameRecord> names_;
    std::vector<bool> source_cited_;
    std::vector<bool> system_used_;
};

}  // namespace combocheck::detail
