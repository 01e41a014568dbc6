// The JSON Lines fast path: a line of the common shape read by hand, without RapidJSON's events.
// It accepts only what it can read exactly as RapidJSON and ListHandler would (json_reader.cpp);
// anything else is declined and goes to RapidJSON, so the records are the same for every line.
#include <bit>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "batch/detail/input.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace combocheck::batch::detail {
namespace {

// JSON's whitespace, as RapidJSON skips it between tokens, and as trim() trims names. Most bytes
// tested are tokens, above ' ': one comparison.
bool is_space(char c) {
    return c <= ' ' && (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

#if defined(__SSE2__)
static_assert(kPadding >= 15, "a string's end is found 16 bytes at a time");

// The first byte at or after `p` that is '"', '\\' or below 0x20; the '\0' after the line is
// one, so the search never passes it. Sets `non_ascii` when a byte >= 0x80 comes before it.
// Loads 16 bytes at a time from at most the '\0', so reads at most 15 bytes past it.
const char* string_stop(const char* p, bool& non_ascii) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i below_space = _mm_set1_epi8(0x1f);
    const __m128i zero = _mm_setzero_si128();
    for (;; p += 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // A byte of at most 0x1f saturates to zero (an unsigned comparison, which SSE2 lacks).
        const __m128i control = _mm_cmpeq_epi8(_mm_subs_epu8(bytes, below_space), zero);
        const __m128i stop = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)), control);
        const auto stops = static_cast<unsigned>(_mm_movemask_epi8(stop));
        const auto high = static_cast<unsigned>(_mm_movemask_epi8(bytes));
        if (stops != 0) {
            // Only the bytes before the stop are the string's: those after it may be padding.
            if ((high & ((stops & -stops) - 1)) != 0) non_ascii = true;
            return p + std::countr_zero(stops);
        }
        if (high != 0) non_ascii = true;
    }
}
#else
const char* string_stop(const char* p, bool& non_ascii) {
    for (;; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c == '"' || c == '\\' || c < 0x20) return p;
        if (c >= 0x80) non_ascii = true;
    }
}
#endif

// Reads the line's tokens from left to right; every read_ function returns false, at once, for
// what it does not handle.
class Scanner {
  public:
    Scanner(const char* text, std::size_t length) : p_(text), end_(text + length) {}

    bool read(std::size_t record, ListRecord& out) {
        skip_space();
        if (at('[')) {
            if (!read_names(out.agents)) return false;
            set_number_id(record, out.id);
        } else if (at('{')) {
            if (!read_object(out)) return false;
            if (!seen_id_) set_number_id(record, out.id);
        } else {
            return false;
        }
        skip_space();
        // The end of the line, not a '\0' inside it (which would end it for RapidJSON).
        if (p_ != end_ || agents_ == 0) return false;
        out.agents.resize(agents_);
        out.error.clear();
        return true;
    }

  private:
    void skip_space() {
        while (p_ != end_ && is_space(*p_))
            ++p_;
    }
    // Takes `c` if it is the next byte.
    bool at(char c) {
        if (p_ == end_ || *p_ != c) return false;
        ++p_;
        return true;
    }

    // `{`, taken, then members "id" and "agents", each once and nothing else, then `}`.
    bool read_object(ListRecord& out) {
        do {
            skip_space();
            std::string_view key, id;
            if (!read_string(key)) return false;
            skip_space();
            if (!at(':')) return false;
            skip_space();
            if (key == "id" && !seen_id_) {
                if (!read_string(id)) return false;
                out.id.assign(id);
                seen_id_ = true;
            } else if (key == "agents" && !seen_agents_) {
                if (!at('[') || !read_names(out.agents)) return false;
                seen_agents_ = true;
            } else {
                return false;
            }
            skip_space();
        } while (at(','));
        return at('}');
    }

    // After `[`: strings up to `]`, trimmed; the ones left empty are dropped. Names are assigned
    // over the strings `agents` already holds (the record comes back with an earlier list's), so
    // that a name needs no new buffer.
    bool read_names(std::vector<std::string>& agents) {
        do {
            skip_space();
            std::string_view name;
            if (!read_string(name)) return false;
            // Most names have nothing to trim: that is two bytes to look at, without a call.
            if (name.empty() || is_space(name.front()) || is_space(name.back())) name = trim(name);
            if (!name.empty()) {
                if (agents_ < agents.size()) {
                    agents[agents_].assign(name);
                } else {
                    agents.emplace_back(name);
                }
                ++agents_;
            }
            skip_space();
        } while (at(','));
        return at(']');
    }

    // A string without escapes or control characters, whose bytes are valid UTF-8 (which makes
    // the whole line so: every byte outside strings is one of the ASCII bytes read above).
    bool read_string(std::string_view& out) {
        if (!at('"')) return false;
        bool non_ascii = false;
        const char* stop = string_stop(p_, non_ascii);
        if (*stop != '"') return false;
        out = std::string_view(p_, stop - p_);
        p_ = stop + 1;
        return !non_ascii || is_valid_utf8(out);
    }

    static void set_number_id(std::size_t record, std::string& id) {
        char digits[20];
        const auto end = std::to_chars(digits, digits + sizeof digits, record).ptr;
        id.assign(digits, end);
    }

    const char* p_;
    const char* const end_;
    bool seen_id_ = false;
    bool seen_agents_ = false;
    std::size_t agents_ = 0;  // names kept so far: the first ones of the record's agents
};

}  // namespace

bool scan_json_line(const JsonLine& line, ListRecord& out) {
    if (line.too_long) return false;
    return Scanner(line.text, line.length).read(line.record, out);
}

}  // namespace combocheck::batch::detail
