// A compact binary encoding of KnowledgeData, so that the built-in knowledge base is validated once
// at build time (rules/compile_rules.cpp) and only decoded at start-up.
#pragma once

#include <string>
#include <string_view>

#include "knowledge.hpp"

namespace combocheck::detail {

// Every field of `data`: a header (magic, format version, payload size and hash) then the tables,
// as little-endian fixed-width integers and length-prefixed strings.
std::string write_snapshot(const KnowledgeData& data);

// The data write_snapshot encoded. Throws std::runtime_error for a blob of another format version,
// a truncated or damaged one, or one whose references are out of range; never misreads. The data
// was validated when the snapshot was written: it is not validated again.
KnowledgeData read_snapshot(std::string_view bytes);

// The snapshot of the default knowledge base (rules/), compiled at build time. Defined by the
// source that rules/CMakeLists.txt generates into the combocheck_rules library.
std::string_view embedded_snapshot();

}  // namespace combocheck::detail
