// The resolver: maps what a person types ("Zoloft", "5-HTP", "tramadol 50 mg", "rxnorm:36437")
// to agents, keeps dose and form text, and suggests close names for what it cannot map.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "knowledge.hpp"

namespace combocheck {

struct Resolution {
    std::string input;                     // as given, trimmed
    std::optional<AgentId> agent;          // empty: unresolved
    NameKind matched_kind{};               // how it matched
    std::string matched;                   // the knowledge base's name or code that matched
    std::string detail;                    // dose or form text kept after the name ("50 mg tablet")
    std::vector<std::string> suggestions;  // for unresolved input: close agent names, best first
    std::string hint;  // for unresolved input naming a class or system: what to do instead
};

class Resolver {
  public:
    explicit Resolver(const KnowledgeBase& kb) : kb_(kb) {}

    // Without `with_suggestions`, an unresolved input gets no suggestions and no hint (they
    // search every name); a batch run asks for them once per distinct unresolved name.
    Resolution resolve(std::string_view input, bool with_suggestions = true) const;

    // Close names for an unresolvable input, best first (at most `limit`).
    std::vector<std::string> suggest(std::string_view input, std::size_t limit = 3) const;

  private:
    // How often each byte value occurs, folded into 32 buckets: a cheap lower bound on the edit
    // distance between two names, so that most names need no full comparison.
    using ByteCounts = std::array<std::uint16_t, 32>;
    // A name that suggestions may offer (not a code), in the order of the name index.
    struct SuggestableName {
        std::string_view key;  // normalised
        const NameEntry* entry;
        ByteCounts counts;
    };

    // What only unresolved names need, built on the first one: a check whose names all
    // resolve does not pay for it.
    struct SuggestionTables {
        std::vector<SuggestableName> names;
        // Normalised class id or name -> the last class with it (index into kb_.classes()).
        std::unordered_map<std::string, std::size_t> class_by_key;
    };
    const SuggestionTables& tables() const;

    std::vector<std::string> suggest_normalized(std::string_view key, std::size_t limit) const;

    const KnowledgeBase& kb_;
    mutable std::once_flag tables_built_;
    mutable SuggestionTables tables_;
};

}  // namespace combocheck
