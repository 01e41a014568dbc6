// Counts that describe a knowledge base: agents by kind, names, codes, effects by evidence,
// rules by kind, sources by kind. Shown by `combocheck stats`.
#pragma once

#include <array>
#include <cstddef>

#include "knowledge.hpp"

namespace combocheck {

struct KnowledgeStats {
    std::array<std::size_t, 4> agents_by_kind{};       // indexed by AgentKind
    std::array<std::size_t, 4> systems_by_kind{};      // indexed by SystemKind
    std::array<std::size_t, 5> rules_by_kind{};        // indexed by RuleKind
    std::array<std::size_t, 6> sources_by_kind{};      // indexed by SourceKind
    std::array<std::size_t, 3> effects_by_evidence{};  // indexed by Evidence; classes' included
    std::size_t agents = 0;
    std::size_t classes = 0;
    std::size_t risks = 0;
    std::size_t effects = 0;  // written effects, on agents and classes
    std::size_t names = 0;    // every name the resolver accepts, codes excluded
    std::size_t brands = 0;
    std::size_t rxnorm_codes = 0;            // agents with an RxNorm code
    std::size_t atc_codes = 0;               // agents with at least one ATC code
    std::size_t agents_without_effects = 0;  // with a sourced note saying why
    std::size_t narrow_therapeutic_index = 0;
};

KnowledgeStats knowledge_stats(const KnowledgeBase& kb);

}  // namespace combocheck
