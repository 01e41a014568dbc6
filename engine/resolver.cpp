// Name resolution: normalised exact match, then name plus dose/form text, then suggestions.
#include "resolver.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <span>
#include <tuple>
#include <unordered_map>

#include "detail/edit_distance.hpp"

namespace combocheck {

namespace {

std::string_view trim(std::string_view s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

// Words that start dose, form or salt text after a name ("tramadol ER", "sertraline tablets",
// "metoprolol succinate"): the name before them is the ingredient.
// clang-format off
constexpr std::array<std::string_view, 70> kFormWords{
    "mg", "mcg", "ug", "g", "ml", "iu", "units", "unit", "tablet", "tablets", "tab", "tabs",
    "capsule", "capsules", "cap", "caps", "er", "xr", "sr", "cr", "xl", "la", "dr", "ir", "oral",
    "solution", "suspension", "syrup", "injection", "inj", "patch", "cream", "gel", "drops",
    "spray", "daily", "once", "twice", "prn", "od", "hydrochloride", "hcl", "hydrobromide", "hbr",
    "sodium", "potassium", "calcium", "magnesium", "succinate", "tartrate", "bitartrate",
    "besylate", "maleate", "fumarate", "citrate", "sulfate", "sulphate", "mesylate", "acetate",
    "phosphate", "monohydrate", "dihydrate", "extract", "tincture", "powder", "softgel",
    "softgels", "gummy", "gummies", "liquid"};
// clang-format on

// A word of at most 16 bytes with its ASCII letters lowered, packed into two integers (zero
// padded): two words of the same length are the same, ignoring case, when their packings are.
using PackedWord = std::array<std::uint64_t, 2>;

constexpr PackedWord pack_lowered(std::string_view word) {
    PackedWord packed{};
    for (std::size_t i = 0; i < word.size(); ++i) {
        const char c =
            word[i] >= 'A' && word[i] <= 'Z' ? static_cast<char>(word[i] - 'A' + 'a') : word[i];
        packed[i / 8] |= std::uint64_t{static_cast<unsigned char>(c)} << (8 * (i % 8));
    }
    return packed;
}

constexpr std::size_t kLongestFormWord =
    std::max_element(kFormWords.begin(), kFormWords.end(),
                     [](std::string_view a, std::string_view b) { return a.size() < b.size(); })
        ->size();
static_assert(kLongestFormWord <= sizeof(PackedWord));

// The form words packed and ordered by length, so that a word is compared only with those of
// its length: the words of length n are words[first_of_length[n]] up to first_of_length[n + 1].
struct FormWordTable {
    std::array<PackedWord, kFormWords.size()> words{};
    std::array<std::size_t, kLongestFormWord + 2> first_of_length{};
};

constexpr FormWordTable kFormWordTable = [] {
    FormWordTable t;
    for (const std::string_view word : kFormWords)
        ++t.first_of_length[word.size() + 1];
    for (std::size_t n = 1; n < t.first_of_length.size(); ++n)
        t.first_of_length[n] += t.first_of_length[n - 1];
    auto next = t.first_of_length;
    for (const std::string_view word : kFormWords)
        t.words[next[word.size()]++] = pack_lowered(word);
    return t;
}();

bool starts_dose_or_form(std::string_view word) {
    if (word.empty()) return false;
    if (word.front() == '(' || word.front() == '[' || word.front() == '-' || word.front() == ',') {
        return true;
    }
    if (std::any_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return true;
    }
    while (!word.empty() && (word.back() == '.' || word.back() == ',')) {
        word.remove_suffix(1);
    }
    // The form words are lower-case ASCII letters: the word matches one ignoring case.
    if (word.size() > kLongestFormWord) return false;
    const PackedWord packed = pack_lowered(word);
    const auto first = kFormWordTable.words.begin() + kFormWordTable.first_of_length[word.size()];
    const auto last =
        kFormWordTable.words.begin() + kFormWordTable.first_of_length[word.size() + 1];
    // Element by element: std::array's == would call memcmp.
    return std::any_of(first, last, [&packed](const PackedWord& form_word) {
        return form_word[0] == packed[0] && form_word[1] == packed[1];
    });
}

// Splits "rxnorm:36437" style codes; the scheme is case-insensitive.
bool is_code(std::string_view s, std::string_view scheme) {
    if (s.size() <= scheme.size() || s[scheme.size()] != ':') return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        const char c = s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i];
        if (c != scheme[i]) return false;
    }
    return true;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

// The suggestion search compares a key with the names of about its length through two lower
// bounds on the edit distance, cheapest first, before the distance itself:
// - Letters of the key that a name lacks: each needs its own edit (a deletion or substitution of
//   one of its bytes), so a name lacking more letters than the edits allowed is too far. A bit
//   column per letter tests 64 names at a time.
// - How often each byte occurs: an edit changes these counts by at most two in all (a
//   substitution two, an insertion or deletion one, a transposition none).

// One bit per letter; digits and other bytes share the last six.
constexpr std::size_t kLetterBits = 32;
constexpr std::array<std::uint32_t, 256> kLetterBit = [] {
    std::array<std::uint32_t, 256> bits{};
    for (std::size_t byte = 0; byte < bits.size(); ++byte)
        bits[byte] = byte >= 'a' && byte <= 'z' ? 1u << (byte - 'a') : 1u << (26 + byte % 6);
    return bits;
}();

std::uint32_t letters_of(std::string_view key) {
    std::uint32_t letters = 0;
    for (const char c : key)
        letters |= kLetterBit[static_cast<unsigned char>(c)];
    return letters;
}

using ByteCounts = std::array<std::uint8_t, 32>;

// Capping a count keeps it a lower bound: capped counts differ no more than the counts do.
ByteCounts counts_of(std::string_view key) {
    ByteCounts counts{};
    for (const char c : key) {
        std::uint8_t& count = counts[static_cast<unsigned char>(c) % counts.size()];
        count += count < 0xFF;
    }
    return counts;
}

// The sum of the differences, bucket by bucket: in this form (int, std::abs) the compiler makes
// it two PSADBW instructions.
std::uint32_t count_difference(const ByteCounts& a, const ByteCounts& b) {
    int sum = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        sum += std::abs(a[i] - b[i]);
    return static_cast<std::uint32_t>(sum);
}

// The bit columns of the suggestion tables are read this many words at a time, each column
// through the block in a loop of fixed length that the compiler makes vector instructions of;
// the columns are padded to whole blocks.
constexpr std::size_t kBlockWords = 2;

// Bit n % 64 of the word: name n is not in [begin, end).
std::uint64_t outside(std::size_t word, std::size_t begin, std::size_t end) {
    const std::size_t first = word * 64;
    std::uint64_t inside = ~std::uint64_t{0};
    if (begin > first) inside = begin - first >= 64 ? 0 : inside << (begin - first);
    if (end < first + 64) inside &= end <= first ? 0 : ~(~std::uint64_t{0} << (end - first));
    return ~inside;
}

// Calls consider(n), in order, for each name n in [begin, end) that lacks at most kBound of the
// letters whose bit columns are given: each lacking letter needs an edit of its own.
template <std::size_t kBound, typename Consider>
void for_each_lacking_at_most(std::span<const std::uint64_t* const> columns, std::size_t begin,
                              std::size_t end, Consider&& consider) {
    for (std::size_t block = begin / 64 / kBlockWords * kBlockWords; block * 64 < end;
         block += kBlockWords) {
        // lacking[j][w]: the names of word block + w that lack more than j of the letters, or
        // are outside [begin, end).
        std::array<std::array<std::uint64_t, kBlockWords>, kBound + 1> lacking;
        for (std::size_t w = 0; w < kBlockWords; ++w) {
            const std::uint64_t out = outside(block + w, begin, end);
            for (auto& level : lacking)
                level[w] = out;
        }
        for (const std::uint64_t* column : columns) {
            for (std::size_t w = 0; w < kBlockWords; ++w) {
                const std::uint64_t lacks = ~column[block + w];
                for (std::size_t j = kBound; j > 0; --j)
                    lacking[j][w] |= lacking[j - 1][w] & lacks;
                lacking[0][w] |= lacks;
            }
        }
        for (std::size_t w = 0; w < kBlockWords; ++w) {
            for (std::uint64_t near = ~lacking[kBound][w]; near != 0; near &= near - 1)
                consider((block + w) * 64 + static_cast<std::size_t>(std::countr_zero(near)));
        }
    }
}

// A typed prefix counts when it is at least this long. The names it may start share its first
// bytes, so they are filed by a hash of those (Fibonacci hashing), a few names to a bucket.
constexpr std::size_t kPrefixLength = 4;
constexpr int kPrefixBucketBits = 12;

std::size_t prefix_bucket(std::string_view key) {
    std::uint32_t first_bytes = 0;
    std::memcpy(&first_bytes, key.data(), kPrefixLength);
    return (first_bytes * 0x9E3779B1u) >> (32 - kPrefixBucketBits);
}

}  // namespace

const Resolver::SuggestionTables& Resolver::tables() const {
    std::call_once(tables_built_, [this] {
        SuggestionTables& t = tables_;
        const auto suggestable = [](const NameEntry& entry) {
            return entry.kind != NameKind::rxnorm && entry.kind != NameKind::atc;
        };
        // Ordered by length with a counting sort: count each length, then place.
        std::vector<std::uint32_t>& first = t.first_of_length;
        for (const auto& [key, entry] : kb_.name_index()) {
            if (!suggestable(entry)) continue;
            if (first.size() < key.size() + 2) first.resize(key.size() + 2);
            ++first[key.size() + 1];
        }
        if (first.empty()) first.resize(2);
        std::partial_sum(first.begin(), first.end(), first.begin());
        const std::size_t count = first.back();
        t.keys.resize(count);
        t.entries.resize(count);
        std::vector<std::uint32_t> next(first.begin(), first.end() - 1);
        for (const auto& [key, entry] : kb_.name_index()) {
            if (!suggestable(entry)) continue;
            const std::uint32_t n = next[key.size()]++;
            t.keys[n] = key;
            t.entries[n] = &entry;
        }
        t.words = ((count + 63) / 64 + kBlockWords - 1) / kBlockWords * kBlockWords;
        t.has_letter.resize(kLetterBits * t.words);
        t.counts.resize(count);
        t.first_in_bucket.resize((std::size_t{1} << kPrefixBucketBits) + 1);
        for (std::size_t n = 0; n < count; ++n) {
            const std::string_view key = t.keys[n];
            for (std::uint32_t letters = letters_of(key); letters != 0; letters &= letters - 1) {
                const auto letter = static_cast<std::size_t>(std::countr_zero(letters));
                t.has_letter[letter * t.words + n / 64] |= std::uint64_t{1} << (n % 64);
            }
            t.counts[n] = counts_of(key);
            if (key.size() >= kPrefixLength) ++t.first_in_bucket[prefix_bucket(key) + 1];
        }
        // Filed by prefix bucket, the same way as by length.
        std::partial_sum(t.first_in_bucket.begin(), t.first_in_bucket.end(),
                         t.first_in_bucket.begin());
        t.by_prefix.resize(t.first_in_bucket.back());
        next.assign(t.first_in_bucket.begin(), t.first_in_bucket.end() - 1);
        for (std::uint32_t n = 0; n < count; ++n) {
            if (t.keys[n].size() >= kPrefixLength)
                t.by_prefix[next[prefix_bucket(t.keys[n])]++] = n;
        }
        const auto classes = kb_.classes();
        for (std::size_t i = 0; i < classes.size(); ++i) {
            t.class_by_key[normalize_name(classes[i].id)] = i;
            t.class_by_key[normalize_name(classes[i].name)] = i;
        }
    });
    return tables_;
}

Resolution Resolver::resolve(std::string_view raw, bool with_suggestions) const {
    Resolution r;
    resolve(raw, r, with_suggestions);
    return r;
}

void Resolver::resolve(std::string_view raw, Resolution& r, bool with_suggestions) const {
    sanitize_utf8(trim(raw), r.input);
    r.agent.reset();
    r.matched_kind = {};
    r.matched.clear();
    r.detail.clear();
    r.suggestions.clear();
    r.hint.clear();
    const std::string_view input = r.input;
    const auto accept = [&](const NameEntry& e, std::string_view detail) {
        r.agent = e.agent;
        r.matched_kind = e.kind;
        r.matched.assign(e.written);
        r.detail.assign(trim(detail));
    };
    // The keys of the input and of its leading parts, normalised once. Every leading part looked
    // up below ends before an ASCII byte (a blank or a digit), so its key is a prefix of the
    // input's (see NameKey). One per thread, so that its buffers are reused.
    thread_local NameKey keys;
    keys.assign(input);
    const std::string_view key = keys.key();
    // A code matches exactly or not at all.
    const bool code = is_code(input, "rxnorm") || is_code(input, "atc");
    if (const NameEntry* e = kb_.lookup_name(key)) {
        accept(*e, {});
    } else if (!code) {
        // The longest run of leading words that names an agent, if the rest reads as dose or
        // form text; "vitamin K antagonist" must not become "vitamin K". Word ends are tried
        // from the last to the first.
        for (std::size_t end = input.size(); end-- > 1;) {
            if (!is_blank(input[end]) || is_blank(input[end - 1])) continue;
            const std::string_view rest = trim(input.substr(end));
            const std::string_view first_word(rest.begin(),
                                              std::find_if(rest.begin(), rest.end(), is_blank));
            if (!starts_dose_or_form(first_word)) continue;
            if (const NameEntry* e = kb_.lookup_name(keys.key_of_first(end))) {
                accept(*e, rest);
                break;
            }
        }
        // "tramadol50mg": a name glued to a dose.
        if (!r.agent) {
            const auto digit =
                static_cast<std::size_t>(std::find_if(input.begin(), input.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; }) -
                                         input.begin());
            if (digit != input.size() && digit > 0) {
                if (const NameEntry* e = kb_.lookup_name(keys.key_of_first(digit))) {
                    accept(*e, input.substr(digit));
                }
            }
        }
    }
    if (!r.agent && !input.empty() && with_suggestions) {
        r.suggestions = suggest_normalized(key, 3);
        const auto& classes = tables().class_by_key;
        if (const auto it = classes.find(std::string(key)); it != classes.end()) {
            const Class& c = kb_.classes()[it->second];
            r.hint = "'" + r.input + "' is a class (" + c.name +
                     "); name the agents themselves, e.g. with `combocheck explain " + c.id + "`";
        }
        // Leading words that name an agent, followed by text that is not dose or form text
        // ("tramadol extended"): not resolved, but the best suggestion. Not when the input
        // names a class ("vitamin K antagonist" is not vitamin K). Blanks are tried from the
        // last to the first.
        for (std::size_t end = input.size(); r.hint.empty() && end-- > 1;) {
            if (!is_blank(input[end])) continue;
            if (const NameEntry* e = kb_.lookup_name(keys.key_of_first(end))) {
                const std::string& name = kb_.agent(e->agent).name;
                std::erase(r.suggestions, name);
                r.suggestions.insert(r.suggestions.begin(), name);
                if (r.suggestions.size() > 3) r.suggestions.resize(3);
                break;
            }
        }
    }
}

std::vector<std::string> Resolver::suggest(std::string_view input, std::size_t limit) const {
    return suggest_normalized(normalize_name(input), limit);
}

std::vector<std::string> Resolver::suggest_normalized(std::string_view key,
                                                      std::size_t limit) const {
    if (key.empty() || limit == 0) return {};
    // Allow about one edit in four characters, at least one and at most three.
    const std::size_t bound = std::clamp<std::size_t>(key.size() / 4, 1, 3);
    const SuggestionTables& t = tables();
    struct Match {
        std::uint32_t name;  // index into the tables
        std::size_t distance;
    };
    std::vector<Match> matches;
    // A name whose length differs by more than the bound is too far.
    const auto first_of_length = [&t](std::size_t length) -> std::size_t {
        return t.first_of_length[std::min(length, t.first_of_length.size() - 1)];
    };
    const std::size_t begin = first_of_length(key.size() > bound ? key.size() - bound : 0);
    const std::size_t end = first_of_length(key.size() + bound + 1);
    std::array<const std::uint64_t*, kLetterBits> key_letters{};
    std::size_t key_letter_count = 0;
    for (std::uint32_t letters = letters_of(key); letters != 0; letters &= letters - 1) {
        const auto letter = static_cast<std::size_t>(std::countr_zero(letters));
        key_letters[key_letter_count++] = t.has_letter.data() + letter * t.words;
    }
    const ByteCounts key_counts = counts_of(key);
    const detail::KeyDistance distance_from_key(key);
    const auto consider = [&](std::size_t n) {
        if (count_difference(key_counts, t.counts[n]) > 2 * bound) return;
        const std::size_t d = distance_from_key.to(t.keys[n], bound);
        if (d <= bound) matches.push_back({static_cast<std::uint32_t>(n), d});
    };
    const std::span<const std::uint64_t* const> columns(key_letters.data(), key_letter_count);
    switch (bound) {
        case 1:
            for_each_lacking_at_most<1>(columns, begin, end, consider);
            break;
        case 2:
            for_each_lacking_at_most<2>(columns, begin, end, consider);
            break;
        default:
            for_each_lacking_at_most<3>(columns, begin, end, consider);
    }
    // A typed prefix of a longer name ("sertra") is a good suggestion too. A name at most
    // `bound` longer than the prefix is that many edits away, so it was found above.
    if (key.size() >= kPrefixLength) {
        const std::size_t bucket = prefix_bucket(key);
        for (std::size_t i = t.first_in_bucket[bucket]; i < t.first_in_bucket[bucket + 1]; ++i) {
            const std::uint32_t n = t.by_prefix[i];
            if (t.keys[n].size() > key.size() + bound && t.keys[n].starts_with(key)) {
                matches.push_back({n, bound});
            }
        }
    }
    // One suggestion per agent: its closest name, the generic name winning ties.
    struct Candidate {
        std::uint32_t agent;
        std::size_t distance;
        NameKind kind;
        std::string shown;
    };
    std::vector<Candidate> candidates;
    candidates.reserve(matches.size());
    for (const Match& m : matches) {
        const NameEntry& entry = *t.entries[m.name];
        const Agent& agent = kb_.agent(entry.agent);
        candidates.push_back(
            {index_of(entry.agent), m.distance, entry.kind,
             entry.kind == NameKind::name ? agent.name : entry.written + " (" + agent.name + ")"});
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(a.agent, a.distance, a.kind, a.shown) <
               std::tie(b.agent, b.distance, b.kind, b.shown);
    });
    const auto last =
        std::unique(candidates.begin(), candidates.end(),
                    [](const Candidate& a, const Candidate& b) { return a.agent == b.agent; });
    candidates.erase(last, candidates.end());
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(a.distance, a.shown) < std::tie(b.distance, b.shown);
    });
    std::vector<std::string> out;
    for (Candidate& c : candidates) {
        if (out.size() == limit) break;
        out.push_back(std::move(c.shown));
    }
    return out;
}

}  // namespace combocheck
