// FHIR R4 readers: a Bundle (or a single resource) as one JSON document, and bulk-export NDJSON.
// Both read the whole input before the first record, since a subject's entries may be anywhere
// in it; batch/detail/fhir_lists.cpp groups them.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <utility>

#include "batch/detail/fhir_lists.hpp"
#include "batch/detail/input.hpp"

namespace combocheck::batch::detail {
namespace {

// The iterative parser keeps its stack on the heap: deeply nested input cannot overflow the
// call stack.
constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag;

std::string parse_error_message(rapidjson::ParseErrorCode code) {
    return std::string("invalid JSON: ") + rapidjson::GetParseError_En(code);
}

// Line numbers of byte offsets into a text, asked in increasing order (counting restarts
// otherwise).
class LineCounter {
  public:
    explicit LineCounter(std::string_view text) : text_(text) {}
    std::size_t line_at(std::size_t offset) {
        offset = std::min(offset, text_.size());
        if (offset < offset_) {
            offset_ = 0;
            line_ = 1;
        }
        line_ += static_cast<std::size_t>(
            std::count(text_.begin() + static_cast<std::ptrdiff_t>(offset_),
                       text_.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
        offset_ = offset;
        return line_;
    }

  private:
    std::string_view text_;
    std::size_t offset_ = 0;
    std::size_t line_ = 1;
};

// One SAX pass over a whole document: its top-level "resourceType" and "type", and where each
// element of its top-level "entry" array lies, so that the entries can then be parsed one at a
// time instead of as one tree.
class BundleScanner : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, BundleScanner> {
  public:
    struct Element {
        // Where the reader reported it (at or just after an object's '{', just after a scalar),
        // so on its first line; and where it ended (at or just after an object's '}').
        std::size_t start = 0;
        std::size_t end = 0;
        bool is_object = false;
    };

    explicit BundleScanner(const rapidjson::MemoryStream& stream) : stream_(stream) {}

    bool Default() {
        value_start(false, false);
        value_end();
        return true;
    }
    bool String(const char* text, rapidjson::SizeType length, bool) {
        if (depth_ == 1 && key_ == "resourceType") resource_type_.assign(text, length);
        if (depth_ == 1 && key_ == "type") bundle_type_.assign(text, length);
        return Default();
    }
    bool Key(const char* text, rapidjson::SizeType length, bool) {
        if (depth_ == 1) key_.assign(text, length);
        return true;
    }
    bool StartObject() {
        value_start(true, false);
        ++depth_;
        return true;
    }
    bool StartArray() {
        value_start(false, true);
        ++depth_;
        return true;
    }
    bool EndObject(rapidjson::SizeType) {
        --depth_;
        value_end();
        return true;
    }
    bool EndArray(rapidjson::SizeType) {
        if (--depth_ == 1) in_entries_ = false;
        value_end();
        return true;
    }

    const std::string& resource_type() const { return resource_type_; }
    const std::string& bundle_type() const { return bundle_type_; }
    bool entry_is_not_array() const { return entry_is_not_array_; }
    const std::vector<Element>& elements() const { return elements_; }

  private:
    // depth_ counts the open containers: 1 inside the root object, 2 inside its "entry" array.
    void value_start(bool is_object, bool is_array) {
        if (depth_ == 1 && key_ == "entry") {
            in_entries_ = is_array;
            entry_is_not_array_ = !is_array;
        } else if (depth_ == 2 && in_entries_) {
            elements_.push_back({stream_.Tell(), stream_.Tell(), is_object});
        }
    }
    void value_end() {
        if (depth_ == 2 && in_entries_) elements_.back().end = stream_.Tell();
    }

    const rapidjson::MemoryStream& stream_;
    std::size_t depth_ = 0;
    std::string key_;
    bool in_entries_ = false;
    bool entry_is_not_array_ = false;
    std::string resource_type_;
    std::string bundle_type_;
    std::vector<Element> elements_;
};

class FhirBundleReader final : public ListReader {
  public:
    FhirBundleReader(std::istream& in, std::string file_name, const ReaderOptions& options)
        : buf_(in.rdbuf()), max_(options.max_bundle_bytes), lists_(std::move(file_name), options) {}

    bool next(ListRecord& out) override {
        if (!read_) {
            read_ = true;
            read();
        }
        return lists_.next(out);
    }

  private:
    void read() {
        std::string text;
        if (!read_whole(text)) {
            lists_.add_error(1, {},
                             "a document larger than " + std::to_string(max_) +
                                 " bytes (bulk-export NDJSON is read one line at a time)");
            return;
        }
        if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
        const auto first = text.find_first_not_of(" \t\r\n");
        if (first == std::string::npos) {
            lists_.add_error(1, {}, "empty input");
            return;
        }
        LineCounter lines(text);
        const auto first_line = lines.line_at(first);
        // A MemoryStream, not a StringStream: RapidJSON's SSE2 scanning of the latter reads up to
        // 15 bytes past the end of the text.
        rapidjson::MemoryStream stream(text.data(), text.size());
        BundleScanner scanner(stream);
        rapidjson::Reader reader;
        // Any list could be missing entries after the point of failure, so none is given.
        if (const auto result = reader.Parse<kParseFlags>(stream, scanner); result.IsError()) {
            lists_.add_error(
                LineCounter(text).line_at(result.Offset()), {},
                parse_error_message(result.Code()) + " (no list of this document is read)");
            return;
        }
        if (scanner.resource_type() != "Bundle") {
            rapidjson::Document resource;
            resource.Parse<kParseFlags>(text.data(), text.size());
            lists_.add_resource(resource, {first_line, is_valid_utf8(text), {}});
            return;
        }
        if (scanner.entry_is_not_array()) {
            lists_.add_error(first_line, {}, "the Bundle's \"entry\" is not an array");
            return;
        }
        BundleContext context;
        context.history = scanner.bundle_type() == "history";
        for (const auto& element : scanner.elements()) {
            const auto line = lines.line_at(element.start);
            if (!element.is_object) {
                lists_.add_error(line, {}, "a Bundle entry is not a JSON object");
                continue;
            }
            // The SAX reader reports an object at its '{' or just after it.
            const auto start = text.rfind('{', element.start);
            rapidjson::Document entry;
            entry.Parse<kParseFlags | rapidjson::kParseStopWhenDoneFlag>(text.data() + start,
                                                                         text.size() - start);
            const bool valid =
                is_valid_utf8(std::string_view(text).substr(start, element.end + 1 - start));
            lists_.add_entry(entry, {line, valid, {}}, context);
        }
    }

    // Reads the whole input; false when it holds more than max_ bytes (the rest is then read
    // to its end without being kept, so that a pipe is drained).
    bool read_whole(std::string& text) {
        if (buf_ == nullptr) return true;
        bool fits = true;
        std::array<char, std::size_t{1} << 16> chunk;
        for (;;) {
            const auto count =
                buf_->sgetn(chunk.data(), static_cast<std::streamsize>(chunk.size()));
            if (count <= 0) break;
            const auto size = static_cast<std::size_t>(count);
            if (fits && text.size() + size <= max_) {
                text.append(chunk.data(), size);
            } else if (fits) {
                fits = false;
                text = {};
            }
        }
        return fits;
    }

    std::streambuf* buf_;
    std::size_t max_;
    FhirLists lists_;
    bool read_ = false;
};

class FhirNdjsonReader final : public ListReader {
  public:
    FhirNdjsonReader(std::istream& in, std::string file_name, const ReaderOptions& options)
        : lines_(in, options.max_line_bytes), lists_(std::move(file_name), options) {}

    bool next(ListRecord& out) override {
        if (!read_) {
            read_ = true;
            read();
        }
        return lists_.next(out);
    }

  private:
    void read() {
        bool any = false;
        while (lines_.next()) {
            if (!lines_.too_long() && is_blank(lines_.text())) continue;
            any = true;
            const auto line = lines_.number();
            if (lines_.too_long()) {
                lists_.add_error(line, {}, too_long_message(lines_.max_line_bytes()));
                continue;
            }
            const auto text = lines_.text();
            const bool valid = is_valid_utf8(text);
            rapidjson::Document resource;
            resource.Parse<kParseFlags>(text.data(), text.size());
            if (resource.HasParseError()) {
                lists_.add_error(
                    line, {},
                    valid ? parse_error_message(resource.GetParseError()) : "invalid UTF-8");
                continue;
            }
            lists_.add_resource(resource, {line, valid, {}});
        }
        if (!any) lists_.add_error(1, {}, "empty input");
    }

    LineSource lines_;
    FhirLists lists_;
    bool read_ = false;
};

}  // namespace

std::unique_ptr<ListReader> make_fhir_bundle_reader(std::istream& in, std::string file_name,
                                                    const ReaderOptions& options) {
    return std::make_unique<FhirBundleReader>(in, std::move(file_name), options);
}

std::unique_ptr<ListReader> make_fhir_ndjson_reader(std::istream& in, std::string file_name,
                                                    const ReaderOptions& options) {
    return std::make_unique<FhirNdjsonReader>(in, std::move(file_name), options);
}

}  // namespace combocheck::batch::detail
