// The bounded, banded edit distance gives what the full table gives, whenever that is within
// the limit, and "over the limit" otherwise.
#include "detail/edit_distance.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace combocheck::detail {
namespace {

// The whole optimal string alignment table, without band or limit.
std::size_t full_distance(const std::string& a, const std::string& b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[n][m];
}

TEST(EditDistance, KnownPairs) {
    EXPECT_EQ(edit_distance("sertraline", "sertraline", 3), 0u);
    EXPECT_EQ(edit_distance("sertralinne", "sertraline", 3), 1u);
    EXPECT_EQ(edit_distance("setrraline", "sertraline", 3), 1u);  // a transposition
    EXPECT_EQ(edit_distance("warfarin", "aspirin", 2), 3u);       // over the limit
    EXPECT_EQ(edit_distance("", "abc", 3), 3u);
    EXPECT_EQ(edit_distance("abc", "", 1), 2u);
}

TEST(EditDistance, BandedAndBoundedAgreesWithTheFullTable) {
    std::mt19937 random(11);
    std::uniform_int_distribution<int> length(0, 14);
    std::uniform_int_distribution<int> letter(0, 3);  // few letters: many near matches
    std::uniform_int_distribution<int> limit_of(0, 4);
    const auto word = [&] {
        std::string w(static_cast<std::size_t>(length(random)), 'a');
        for (char& c : w)
            c = static_cast<char>('a' + letter(random));
        return w;
    };
    for (int trial = 0; trial < 20000; ++trial) {
        const std::string a = word();
        std::string b = trial % 2 ? word() : a;
        if (trial % 2 == 0 && !b.empty()) b[static_cast<std::size_t>(trial) % b.size()] = 'z';
        const std::size_t limit = static_cast<std::size_t>(limit_of(random));
        const std::size_t full = full_distance(a, b);
        const std::size_t expected = full <= limit ? full : limit + 1;
        ASSERT_EQ(edit_distance(a, b, limit), expected) << a << " / " << b << " limit " << limit;
    }
}

TEST(EditDistance, KeyDistanceAgreesWithTheFullTable) {
    std::mt19937 random(23);
    std::uniform_int_distribution<int> length(0, 20);
    std::uniform_int_distribution<int> long_length(60, 70);  // past 64: the fallback
    std::uniform_int_distribution<int> letter(0, 3);
    std::uniform_int_distribution<int> change(-3, 3);
    std::uniform_int_distribution<int> limit_of(0, 6);
    for (int trial = 0; trial < 10000; ++trial) {
        const int key_length = trial % 8 ? length(random) : long_length(random);
        std::string key(static_cast<std::size_t>(key_length), 'a');
        for (char& c : key)
            c = static_cast<char>('a' + letter(random));
        // Names of about the key's length, as the resolver asks for, and some of any length.
        const int name_length =
            trial % 4 ? std::max(0, static_cast<int>(key.size()) + change(random)) : length(random);
        std::string name(static_cast<std::size_t>(name_length), 'a');
        for (char& c : name)
            c = static_cast<char>('a' + letter(random));
        if (trial % 3 == 0) name = key.substr(0, key.size() / 2) + name.substr(name.size() / 2);
        const std::size_t limit = static_cast<std::size_t>(limit_of(random));
        const std::size_t full = full_distance(key, name);
        const std::size_t expected = full <= limit ? full : limit + 1;
        ASSERT_EQ(KeyDistance(key).to(name, limit), expected)
            << key << " / " << name << " limit " << limit;
    }
}

TEST(EditDistance, KeyDistanceCountsATranspositionAsOneEdit) {
    const KeyDistance from_sertraline("sertraline");
    EXPECT_EQ(from_sertraline.to("setrraline", 3), 1u);
    EXPECT_EQ(from_sertraline.to("sertraline", 3), 0u);
    EXPECT_EQ(from_sertraline.to("sertarline", 3), 1u);
    EXPECT_EQ(from_sertraline.to("tsertraline", 3), 1u);
    EXPECT_EQ(from_sertraline.to("warfarin", 2), 3u);            // over the limit
    EXPECT_EQ(KeyDistance("\xC3\xA9z").to("z\xC3\xA9", 3), 2u);  // bytes, not characters
}

}  // namespace
}  // namespace combocheck::detail
