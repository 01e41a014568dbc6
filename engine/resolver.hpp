// The resolver: maps what a person types ("Zoloft", "5-HTP", "tramadol 50 mg", "rxnorm:36437")
// to agents, keeps dose and form text, and suggests close names for what it cannot map.
#pragma once

#include <optional>
#include <string>
#include <string_view>
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

    Resolution resolve(std::string_view input) const;

    // Close names for an unresolvable input, best first (at most `limit`).
    std::vector<std::string> suggest(std::string_view input, std::size_t limit = 3) const;

  private:
    const KnowledgeBase& kb_;
};

}  // namespace combocheck
