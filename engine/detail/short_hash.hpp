// A hash for the short strings the engine looks up per name (name keys, batch input names):
// cheaper than std::hash, which mixes a byte at a time after its words. Lookups compare the
// strings themselves, so the hash only needs to spread them.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace combocheck::detail {

// Words of eight bytes mixed in with a multiplication, the last one to eight bytes read
// together (overlapping), then SplitMix64's finaliser, so that every bit of the result depends
// on every byte.
[[gnu::always_inline]] inline std::uint64_t short_hash(std::string_view s) {
    constexpr std::uint64_t kOdd = 0x9E3779B97F4A7C15u;
    const auto word = [](const char* at) {
        std::uint64_t w = 0;
        std::memcpy(&w, at, sizeof w);
        return w;
    };
    const auto half_word = [](const char* at) {
        std::uint32_t w = 0;
        std::memcpy(&w, at, sizeof w);
        return std::uint64_t{w};
    };
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = n * kOdd;
    for (; n > 8; p += 8, n -= 8) {
        h = (h ^ word(p)) * kOdd;
        h ^= h >> 29;
    }
    std::uint64_t last = 0;
    if (n == 8) {
        last = word(p);
    } else if (n >= 4) {
        last = half_word(p) | half_word(p + n - 4) << 32;
    } else if (n > 0) {
        const auto byte = [p](std::size_t k) {
            return std::uint64_t{static_cast<unsigned char>(p[k])};
        };
        last = byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16;
    }
    h = (h ^ last) * kOdd;
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9u;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBu;
    return h ^ (h >> 31);
}

}  // namespace combocheck::detail
