// The findings of the batch lines (json_line_writer.cpp), written from what each thread remembers
// of the knowledge base: most of a full record is findings, and most of a finding is fixed by its
// rule or repeats from list to list.
#pragma once

#include "../checker.hpp"
#include "json_raw.hpp"

namespace combocheck::detail {

// A finding's agents, then its system or class, as full and brief records both have them.
void put_finding_agents(RawWriter& w, const QuotedIds& ids, const Finding& f);

// One finding of a full record, with the members and order of finding() in json_writer.cpp.
void put_full_finding(RawWriter& w, const KnowledgeBase& kb, const Finding& f);

}  // namespace combocheck::detail
