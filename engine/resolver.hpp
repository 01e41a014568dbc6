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

    const KnowledgeBase& knowledge() const { return kb_; }

    // Without `with_suggestions`, an unresolved input gets no suggestions and no hint (they
    // search every name); a batch run asks for them once per distinct unresolved name.
    Resolution resolve(std::string_view input, bool with_suggestions = true) const;
    // The same into `into`, which is replaced: its strings' buffers are reused, so that a caller
    // resolving many names into the same places (a batch's cache) allocates next to nothing.
    void resolve(std::string_view input, Resolution& into, bool with_suggestions = true) const;

    // Close names for an unresolvable input, best first (at most `limit`).
    std::vector<std::string> suggest(std::string_view input, std::size_t limit = 3) const;

  private:
    // What only unresolved names need, built on the first one: a check whose names all
    // resolve does not pay for it. The names that suggestions may offer (not codes) are kept
    // column by column and ordered by length, so that a search visits only the run of names
    // whose length is within its bound, and tests their letters 64 names at a time.
    struct SuggestionTables {
        std::vector<std::string_view> keys;  // normalised
        std::vector<const NameEntry*> entries;
        // has_letter[letter * words + n / 64], bit n % 64: name n has the letter (letters_of in
        // the .cpp file): a column of bits per letter, 64 names to a word, padded to a whole
        // number of blocks (kBlockWords in the .cpp file).
        std::size_t words = 0;
        std::vector<std::uint64_t> has_letter;
        // How often each byte value occurs, folded into 32 buckets and capped at 255.
        std::vector<std::array<std::uint8_t, 32>> counts;
        // first_of_length[n]: the first name at least n bytes long (one past the longest too).
        std::vector<std::uint32_t> first_of_length;
        // The names of at least four bytes filed by a hash of their first four (prefix_bucket in
        // the .cpp file): bucket b is by_prefix[first_in_bucket[b]] up to first_in_bucket[b + 1].
        // The longer names a typed prefix starts are in its bucket.
        std::vector<std::uint32_t> first_in_bucket;
        std::vector<std::uint32_t> by_prefix;
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
