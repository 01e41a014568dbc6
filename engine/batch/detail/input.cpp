// Shared pieces of the batch readers: a bounded line source, UTF-8 checks, name splitting.
#include "batch/detail/input.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace combocheck::batch::detail {

LineSource::LineSource(std::istream& in, std::size_t max_line_bytes)
    : buf_(in.rdbuf()), max_(max_line_bytes) {}

bool LineSource::next() {
    if (buf_ == nullptr) return false;
    if (chunk_begin_ == chunk_end_ && !refill()) return false;
    text_.clear();
    too_long_ = false;
    ++number_;
    for (;;) {
        const char* begin = chunk_.data() + chunk_begin_;
        const std::size_t available = chunk_end_ - chunk_begin_;
        const auto* newline = static_cast<const char*>(std::memchr(begin, '\n', available));
        const std::size_t length = newline != nullptr ? newline - begin : available;
        // One byte past the limit is kept so that a "\r" just past it is not counted.
        std::size_t kept = length;
        if (text_.size() > max_) {
            kept = 0;
        } else if (length > max_ - text_.size()) {
            kept = max_ - text_.size() + 1;
        }
        if (kept < length) too_long_ = true;
        text_.append(begin, kept);
        chunk_begin_ += newline != nullptr ? length + 1 : length;
        if (newline != nullptr || !refill()) break;
    }
    if (!text_.empty() && text_.back() == '\r') text_.pop_back();
    if (text_.size() > max_) too_long_ = true;
    if (too_long_) text_.clear();
    if (number_ == 1 && text_.starts_with("\xEF\xBB\xBF")) text_.erase(0, 3);
    // Room past the '\0' for a parser that reads whole blocks (see text_data()).
    text_.reserve(text_.size() + kPadding);
    return true;
}

bool LineSource::refill() {
    using Traits = std::streambuf::traits_type;
    constexpr std::size_t kChunkBytes = std::size_t{1} << 16;
    chunk_.resize(kChunkBytes);
    chunk_begin_ = 0;
    chunk_end_ = 0;
    std::streamsize buffered = buf_->in_avail();
    if (buffered <= 0) {
        // Nothing buffered: wait for one byte, as reading byte by byte would; the stream then
        // buffers what it can.
        const auto c = buf_->sbumpc();
        if (Traits::eq_int_type(c, Traits::eof())) return false;
        chunk_[chunk_end_++] = Traits::to_char_type(c);
        buffered = buf_->in_avail();
    }
    if (buffered > 0) {
        const auto room = static_cast<std::streamsize>(chunk_.size() - chunk_end_);
        const std::streamsize got =
            buf_->sgetn(chunk_.data() + chunk_end_, std::min(buffered, room));
        chunk_end_ += static_cast<std::size_t>(std::max<std::streamsize>(got, 0));
    }
    return true;
}

bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        // Most input is ASCII: eight bytes at a time while none has its high bit set.
        for (std::uint64_t word = 0; text.size() - i >= 8; i += 8) {
            std::memcpy(&word, text.data() + i, 8);
            if ((word & 0x8080808080808080) != 0) break;
        }
        if (i == text.size()) break;
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        char32_t code = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            length = 2;
            code = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            length = 3;
            code = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            length = 4;
            code = c & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3F);
        }
        // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
        static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
            return false;
        }
        i += length;
    }
    return true;
}

std::string_view json_type_name(const rapidjson::Value& v) {
    if (v.IsNull()) return "null";
    if (v.IsBool()) return "a boolean";
    if (v.IsNumber()) return "a number";
    if (v.IsString()) return "a string";
    if (v.IsArray()) return "an array";
    return "an object";
}

std::string_view trim(std::string_view text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t first = 0;
    std::size_t end = text.size();
    while (first < end && blank(text[first]))
        ++first;
    while (end > first && blank(text[end - 1]))
        --end;
    return text.substr(first, end - first);
}

bool is_blank(std::string_view text) {
    return trim(text).empty();
}

bool is_blank_or_comment(std::string_view text) {
    const auto trimmed = trim(text);
    return trimmed.empty() || trimmed.front() == '#';
}

void append_names(std::string_view text, std::string_view separators,
                  std::vector<std::string>& out) {
    while (true) {
        const auto end = text.find_first_of(separators);
        const auto name = trim(text.substr(0, end));
        if (!name.empty()) out.emplace_back(name);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

std::string too_long_message(std::size_t max_line_bytes) {
    return "line longer than " + std::to_string(max_line_bytes) + " bytes";
}

}  // namespace combocheck::batch::detail
