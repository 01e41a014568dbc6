// Pieces of the check report's JSON that the hand-assembled batch lines reuse, so that both
// write an effect or a reference the same way.
#pragma once

#include <string>

#include "../knowledge.hpp"

namespace combocheck::detail {

// One effect object of a contribution, as `check --format json` writes it.
std::string effect_json(const KnowledgeBase& kb, const Effect& e);
// One reference object of a finding, as `check --format json` writes it.
std::string reference_json(const Source& s);

}  // namespace combocheck::detail
