// Shared pieces of the human-readable writers (text, Markdown, explain).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "../checker.hpp"
#include "../resolver.hpp"

namespace combocheck::detail {

// Word-wraps text to `width` columns; continuation lines start with `indent` spaces.
std::string wrap(std::string_view text, std::size_t indent, std::size_t width);
// A number without trailing zeros: 3, 1.5, 0.25.
std::string number(double x);
// The rule's sources, then those of each contributing effect, without repeats.
std::vector<SourceId> finding_sources(const KnowledgeBase& kb, const Finding& f);
// "Title (Publisher, Year)"
std::string source_text(const Source& s);
// "sertraline (brand Zoloft) [50 mg]"
std::string resolution_text(const Resolution& r, const KnowledgeBase& kb);
// The part of path_text() from the effect on: " -> mechanism -> system (+1)", for a
// contribution of `e` with that exposure scale.
std::string effect_path_text(const KnowledgeBase& kb, const Effect& e, double exposure_scale);
// For burden findings: "total 7 on serotonin (moderate from 4, major from 6)"; empty otherwise.
std::string tier_text(const KnowledgeBase& kb, const Finding& f);

}  // namespace combocheck::detail
