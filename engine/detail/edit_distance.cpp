// Bounded optimal string alignment distance, used for "did you mean" suggestions.
#include "edit_distance.hpp"

#include <algorithm>
#include <vector>

namespace combocheck::detail {

// Only the band of cells within `limit` of the diagonal can stay within the limit, so each row
// computes at most 2 * limit + 1 cells; a row whose cells all exceed the limit ends the search.
// A suggestion search runs this against every name of the knowledge base, so the rows are
// reused from one call to the next instead of allocated.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
    const std::size_t n = a.size();
    const std::size_t m = b.size();
    const std::size_t over = limit + 1;  // any distance past the limit
    if ((n > m ? n - m : m - n) > limit) return over;
    // Three rolling rows: two back (for transpositions), previous, current.
    thread_local std::vector<std::size_t> rows;
    rows.assign(3 * (m + 2), over);
    std::size_t* before = rows.data();
    std::size_t* previous = before + (m + 2);
    std::size_t* current = previous + (m + 2);
    for (std::size_t j = 0; j <= std::min(m, limit); ++j)
        previous[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        const std::size_t lo = i > limit ? i - limit : 1;
        const std::size_t hi = std::min(m, i + limit);
        // Left of the band: this array still holds row i - 3 there. Right of the band nothing
        // was ever written (bands only move right), so those cells still hold `over`.
        current[lo - 1] = lo == 1 ? std::min(i, over) : over;
        std::size_t row_min = current[lo - 1];
        for (std::size_t j = lo; j <= hi; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            std::size_t d = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d = std::min(d, before[j - 2] + 1);
            }
            current[j] = std::min(d, over);
            row_min = std::min(row_min, current[j]);
        }
        if (row_min > limit) return over;
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return std::min(previous[m], over);
}

}  // namespace combocheck::detail
