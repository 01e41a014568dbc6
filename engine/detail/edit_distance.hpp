// Optimal string alignment distance (Levenshtein plus adjacent transpositions), bounded.
#pragma once

#include <cstddef>
#include <string_view>

namespace combocheck::detail {

// The distance between a and b, or limit + 1 if it is larger than limit (computed cheaply).
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit);

}  // namespace combocheck::detail
