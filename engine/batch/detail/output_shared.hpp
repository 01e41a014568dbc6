// Pieces shared by the batch output formats (engine/batch/output.cpp, html_output.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "batch/output.hpp"

namespace combocheck::batch::detail {

// Finding severities, highest first (a finding is never `none`).
constexpr std::array<Severity, 4> kFindingSeverities{Severity::contraindicated, Severity::major,
                                                     Severity::moderate, Severity::minor};

// "lists.csv:3", "lists.csv" (line unknown) or "" (no file).
std::string where(const ListRecord& record);
std::string error_text(const ListRecord& record);
// Unrecognised names, most frequent first, then by name.
std::vector<std::pair<std::string, std::size_t>> ranked_names(const RunSummary& summary);

// One risk of the run: lists by the highest severity on it, indexed by Severity.
struct RiskRow {
    RiskId risk{};
    RunSummary::BySeverity lists{};
    Severity worst() const {
        for (const Severity s : kFindingSeverities) {
            if (lists[static_cast<std::size_t>(s)] > 0) return s;
        }
        return Severity::none;
    }
    std::size_t total() const {
        std::size_t n = 0;
        for (const std::size_t x : lists)
            n += x;
        return n;
    }
};

// Risks by their worst severity, then by how many lists they touch, then by id.
std::vector<RiskRow> risk_rows(const KnowledgeBase& kb, const RunSummary& summary);
std::size_t count(const RunSummary::BySeverity& by_severity, Severity s);

// The html format (html_output.cpp).
std::unique_ptr<BatchOutput> make_html_output(std::ostream& out, const KnowledgeBase& kb);

}  // namespace combocheck::batch::detail
