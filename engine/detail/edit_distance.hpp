// Optimal string alignment distance (Levenshtein plus adjacent transpositions), bounded.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace combocheck::detail {

// The distance between a and b, or limit + 1 if it is larger than limit (computed cheaply).
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit);

// The same distance from one key to many names, with a bit per byte of the key (Hyyrö, "A
// bit-vector algorithm for computing Levenshtein and Damerau edit distances", 2003): about forty
// instructions per byte of the name, whatever the limit, where the band costs that per cell. A
// key longer than 64 bytes falls back on edit_distance. The key must outlive this.
class KeyDistance {
  public:
    explicit KeyDistance(std::string_view key) : key_(key) {
        if (key.size() > 64) return;
        for (std::size_t i = 0; i < key.size(); ++i)
            occurs_[static_cast<unsigned char>(key[i])] |= std::uint64_t{1} << i;
    }

    // What edit_distance(key, name, limit) gives.
    std::size_t to(std::string_view name, std::size_t limit) const {
        const std::size_t over = limit + 1;
        const std::size_t m = key_.size();
        if ((m > name.size() ? m - name.size() : name.size() - m) > limit) return over;
        if (m > 64 || m == 0) return edit_distance(key_, name, limit);
        // Column by column of the table, each bit a row: vertical differences +1 (VP) and -1
        // (VN); the distance is followed in the last row.
        std::uint64_t vp = ~std::uint64_t{0};
        std::uint64_t vn = 0;
        std::uint64_t d0 = 0;
        std::uint64_t previous_match = 0;
        const std::uint64_t last = std::uint64_t{1} << (m - 1);
        std::size_t distance = m;
        for (const char c : name) {
            const std::uint64_t match = occurs_[static_cast<unsigned char>(c)];
            // A transposition: this byte matches the row above, the previous one this row.
            const std::uint64_t transposed = ((~d0 & match) << 1) & previous_match;
            d0 = (((match & vp) + vp) ^ vp) | match | vn | transposed;
            std::uint64_t hp = vn | ~(d0 | vp);
            std::uint64_t hn = d0 & vp;
            if (hp & last) ++distance;
            if (hn & last) --distance;
            hp = (hp << 1) | 1;
            hn <<= 1;
            vp = hn | ~(d0 | hp);
            vn = hp & d0;
            previous_match = match;
        }
        return distance < over ? distance : over;
    }

  private:
    std::string_view key_;
    std::array<std::uint64_t, 256> occurs_{};  // bit i: the key's byte i is this one
};

}  // namespace combocheck::detail
