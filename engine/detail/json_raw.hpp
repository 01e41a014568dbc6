// JSON written by hand, for the batch lines (json_line_writer.cpp), which are written once per
// list of runs of millions: strings escaped as RapidJSON's Writer escapes them, a writer that
// puts pieces through a raw pointer, and the knowledge base's ids quoted once per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../knowledge.hpp"

namespace combocheck::detail {

// Where the first byte to escape is, from `from` on; s.size() when none.
std::size_t next_escape(std::string_view s, std::size_t from);
// The inside of a JSON string, with RapidJSON's escaping (quote, backslash and control
// characters, \u00XX in capitals); UTF-8 passes through (inputs are valid UTF-8 by now).
void append_escaped(std::string& out, std::string_view s);
// A JSON string, escaped as above.
void append_string(std::string& out, std::string_view s);
// `"key":` and the value as a JSON string.
void append_member(std::string& out, std::string_view key, std::string_view value);

// The room a record's writer makes at a time: most brief records (about 850 bytes) and the
// agents of most full ones fit in one step. Sizing every piece beforehand costs more than the
// records that need a second step.
inline constexpr std::size_t kRoomStep = 1024;

// A string followed by at least kReadablePast more readable bytes of its buffer, which
// RawWriter::put() may read (and not use) to copy it in fixed-size blocks.
struct Padded {
    static constexpr std::size_t kReadablePast = 32;
    std::string_view text;
};

// Writes through a raw pointer into room made beforehand: a record is many short pieces, and
// std::string's bookkeeping on each append costs more than the copies. A piece that does not fit
// makes more room.
class RawWriter {
  public:
    RawWriter(std::string& out, std::size_t room) : out_(out) {
        const std::size_t start = out.size();
        out.resize(start + room);
        p_ = out.data() + start;
        end_ = out.data() + out.size();
    }
    // Gives back the room not used; call once, at the end.
    void done() { out_.resize(static_cast<std::size_t>(p_ - out_.data())); }

    // Inlined: a record is hundreds of pieces, and a call for each costs more than its copy.
    [[gnu::always_inline]] void put(std::string_view s) {
        if (static_cast<std::size_t>(end_ - p_) < s.size()) grow(s.size());
        std::memcpy(p_, s.data(), s.size());
        p_ += s.size();
    }
    // Short ids, the most common pieces, as one fixed-size copy (no call to memcpy).
    [[gnu::always_inline]] void put(Padded s) {
        constexpr std::size_t kBlock = Padded::kReadablePast;
        if (s.text.size() > kBlock || static_cast<std::size_t>(end_ - p_) < kBlock) {
            return put(s.text);
        }
        std::memcpy(p_, s.text.data(), kBlock);
        p_ += s.text.size();
    }
    [[gnu::always_inline]] void put(char c) {
        if (p_ == end_) grow(1);
        *p_++ = c;
    }
    // Where the next byte goes, counted from the start of the string: unlike a pointer, it
    // stays right when more room is made.
    std::size_t offset() const { return static_cast<std::size_t>(p_ - out_.data()); }
    // Puts again the `n` bytes written from `offset` on.
    void put_again(std::size_t offset, std::size_t n) {
        if (static_cast<std::size_t>(end_ - p_) < n) grow(n);
        std::memcpy(p_, out_.data() + offset, n);
        p_ += n;
    }
    // A JSON string, escaped as append_string() does it.
    void string(std::string_view s) {
        if (next_escape(s, 0) != s.size()) {
            std::string escaped;
            append_string(escaped, s);
            put(escaped);
            return;
        }
        if (static_cast<std::size_t>(end_ - p_) < s.size() + 2) grow(s.size() + 2);
        *p_++ = '"';
        std::memcpy(p_, s.data(), s.size());
        p_ += s.size();
        *p_++ = '"';
    }

  private:
    void grow(std::size_t n);

    std::string& out_;
    char* p_ = nullptr;
    char* end_ = nullptr;
};

// `"key":` and the value as a JSON string.
inline void put_member(RawWriter& w, std::string_view key, std::string_view value) {
    w.put('"');
    w.put(key);
    w.put("\":");
    w.string(value);
}

// The same for the name of an enum value (to_string()): plain lower-case words that need no
// escaping.
inline void put_name_member(RawWriter& w, std::string_view key, std::string_view name) {
    w.put('"');
    w.put(key);
    w.put("\":\"");
    w.put(name);
    w.put('"');
}

// Doubles as RapidJSON's Writer prints them ("2.0", "0.5").
void put_double(RawWriter& w, double value);

// Strings side by side in one buffer: a record reads many of them, and neighbours share cache
// lines where separate strings would each be a load from somewhere else. The buffer ends with
// padding, so that each string is Padded.
class PackedStrings {
  public:
    void add(std::string_view text) {
        text_.resize(text_.size() - padding());
        text_ += text;
        ends_.push_back(static_cast<std::uint32_t>(text_.size()));
        text_.append(padding(), ' ');
    }
    Padded at(std::size_t i) const {
        const std::uint32_t begin = i == 0 ? 0 : ends_[i - 1];
        return {std::string_view(text_).substr(begin, ends_[i] - begin)};
    }
    void clear() {
        text_.clear();
        ends_.clear();
    }

  private:
    std::size_t padding() const { return ends_.empty() ? 0 : Padded::kReadablePast; }

    std::string text_;
    std::vector<std::uint32_t> ends_;
};

// The knowledge base's ids as JSON strings, made once per thread: a brief record is mostly ids.
class QuotedIds {
  public:
    static const QuotedIds& of(const KnowledgeBase& kb);

    Padded agent(AgentId id) const { return agents_.at(index_of(id)); }
    Padded rule(RuleId id) const { return rules_.at(index_of(id)); }
    Padded risk(RiskId id) const { return risks_.at(index_of(id)); }
    Padded system(SystemId id) const { return systems_.at(index_of(id)); }
    Padded klass(ClassId id) const { return classes_.at(index_of(id)); }
    Padded severity(Severity s) const { return severities_.at(static_cast<std::size_t>(s)); }
    // What a brief record's finding starts with: `{"rule":...,"severity":...,"risk":...`, made
    // once per rule and severity rather than once per finding.
    Padded finding_head(RuleId rule, Severity s) const {
        return finding_heads_.at(index_of(rule) * kSeverities + static_cast<std::size_t>(s));
    }

  private:
    template <typename T>
    static PackedStrings quoted(std::span<const T> items) {
        PackedStrings out;
        std::string one;
        for (const T& item : items) {
            one.clear();
            append_string(one, item.id);
            out.add(one);
        }
        return out;
    }

    static constexpr std::size_t kSeverities =
        static_cast<std::size_t>(Severity::contraindicated) + 1;

    std::uint64_t kb_ = 0;  // the serial of the base it holds
    PackedStrings agents_, rules_, risks_, systems_, classes_, severities_;
    PackedStrings finding_heads_;  // by rule, then severity
};

}  // namespace combocheck::detail
