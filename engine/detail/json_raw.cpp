// JSON written by hand (json_raw.hpp).
#include "json_raw.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <rapidjson/internal/dtoa.h>

#include "text_format.hpp"

namespace combocheck::detail {

namespace {

// Whether a byte must be escaped in a JSON string: quote, backslash, control characters.
constexpr bool needs_escape(unsigned char c) {
    return c < 0x20 || c == '"' || c == '\\';
}

}  // namespace

std::size_t next_escape(std::string_view s, std::size_t from) {
    std::size_t i = from;
    const std::size_t n = s.size();
#ifdef __SSE2__
    // Sixteen bytes at a time: most text needs no escaping at all.
    const auto escapes = [](const char* p) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // Bytes below 0x20, compared unsigned: min(bytes, 0x1F) == bytes.
        const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x1F)), bytes);
        const __m128i hit =
            _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')),
                                               _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))));
        return static_cast<unsigned>(_mm_movemask_epi8(hit));  // bit k: byte k
    };
    for (; i + 16 <= n; i += 16) {
        if (const unsigned mask = escapes(s.data() + i); mask != 0) {
            return i + static_cast<std::size_t>(__builtin_ctz(mask));
        }
    }
    // The rest of a string of sixteen bytes or more: its last sixteen, without the bytes
    // before `i`, which were looked at already.
    if (i < n && n >= 16) {
        const unsigned mask = escapes(s.data() + n - 16) >> (i - (n - 16));
        return mask != 0 ? i + static_cast<std::size_t>(__builtin_ctz(mask)) : n;
    }
#endif
    // Eight to sixteen bytes left: two words that overlap tell whether any byte needs escaping
    // (most names do not), then the bytes say which. Each test is exact for
    // "some byte of the word".
    if (n - i >= 8 && n - i <= 16) {
        constexpr std::uint64_t kOnes = 0x0101010101010101, kHighs = 0x8080808080808080;
        const auto below = [](std::uint64_t w, std::uint64_t b) {
            return (w - b * kOnes) & ~w & kHighs;
        };
        const auto any_escape = [&below](const char* p) {
            std::uint64_t w = 0;
            std::memcpy(&w, p, 8);
            return (below(w, 0x20) | below(w ^ ('"' * kOnes), 1) | below(w ^ ('\\' * kOnes), 1)) !=
                   0;
        };
        if (!any_escape(s.data() + i) && !any_escape(s.data() + n - 8)) return n;
    }
    for (; i < n; ++i) {
        if (needs_escape(static_cast<unsigned char>(s[i]))) return i;
    }
    return n;
}

void append_escaped(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::size_t start = 0;
    for (std::size_t i = next_escape(s, 0); i < s.size(); i = next_escape(s, start)) {
        const auto c = static_cast<unsigned char>(s[i]);
        out.append(s.data() + start, i - start);
        start = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xF];
        }
    }
    out.append(s.data() + start, s.size() - start);
}

void append_string(std::string& out, std::string_view s) {
    out += '"';
    append_escaped(out, s);
    out += '"';
}

void append_member(std::string& out, std::string_view key, std::string_view value) {
    out += '"';
    out += key;
    out += "\":";
    append_string(out, value);
}

void RawWriter::grow(std::size_t n) {
    const std::size_t used = static_cast<std::size_t>(p_ - out_.data());
    // More room for this record only: `out_` holds earlier records too, and the new room is
    // filled with zeros before it is written over.
    out_.resize(used + std::max(n, kRoomStep));
    p_ = out_.data() + used;
    end_ = out_.data() + out_.size();
}

void put_double(RawWriter& w, double value) {
    // A record's numbers are weights and scales, a few distinct values written over and over:
    // each is converted once and remembered by its bits (dtoa's own text, so the same bytes).
    struct Converted {
        std::uint64_t bits = 0;
        std::uint8_t length = 0;  // 0: empty
        char text[31];
    };
    thread_local std::array<Converted, 64> converted;
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    Converted& c = converted[(bits * 0x9E3779B97F4A7C15u) >> 58];
    if (c.length == 0 || c.bits != bits) {
        char buffer[32];
        const char* end = rapidjson::internal::dtoa(value, buffer);
        const auto length = static_cast<std::size_t>(end - buffer);
        if (length > sizeof c.text) return w.put(std::string_view(buffer, length));
        std::memcpy(c.text, buffer, length);
        c.length = static_cast<std::uint8_t>(length);
        c.bits = bits;
    }
    w.put(std::string_view(c.text, c.length));
}

const QuotedIds& QuotedIds::of(const KnowledgeBase& kb) {
    thread_local QuotedIds ids;
    if (ids.kb_ != kb.serial()) {
        ids.kb_ = kb.serial();
        ids.agents_ = quoted(kb.agents());
        ids.rules_ = quoted(kb.rules());
        ids.risks_ = quoted(kb.risks());
        ids.systems_ = quoted(kb.systems());
        ids.classes_ = quoted(kb.classes());
        ids.severities_.clear();
        std::string one;
        for (int s = 0; s <= static_cast<int>(Severity::contraindicated); ++s) {
            one.clear();
            append_string(one, to_string(static_cast<Severity>(s)));
            ids.severities_.add(one);
        }
        ids.finding_heads_.clear();
        for (std::uint32_t r = 0; r < kb.rules().size(); ++r) {
            const RuleId rule{r};
            for (std::size_t s = 0; s < kSeverities; ++s) {
                one = "{\"rule\":";
                one += ids.rule(rule).text;
                one += ",\"severity\":";
                one += ids.severity(static_cast<Severity>(s)).text;
                one += ",\"risk\":";
                one += ids.risk(kb.rule(rule).risk).text;
                ids.finding_heads_.add(one);
            }
        }
    }
    return ids;
}

}  // namespace combocheck::detail
