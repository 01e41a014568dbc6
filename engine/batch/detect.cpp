// Guesses an input's format: FHIR from its content, else from its file name's extension, else
// from its first bytes.
#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <string>

#include "batch/detail/input.hpp"

namespace combocheck::batch {
namespace {

std::string lower_extension(std::string_view file_name) {
    const auto slash = file_name.find_last_of("/\\");
    if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
    const auto dot = file_name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return {};
    std::string ext(file_name.substr(dot + 1));
    for (char& c : ext) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return ext;
}

// The lines of `bytes`, without "\r"; the last one may be cut short.
std::vector<std::string_view> whole_lines(std::string_view bytes) {
    std::vector<std::string_view> lines;
    while (!bytes.empty()) {
        const auto end = bytes.find('\n');
        if (end == std::string_view::npos) {
            lines.push_back(bytes);  // possibly cut short: callers treat it with care
            break;
        }
        auto line = bytes.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        bytes.remove_prefix(end + 1);
    }
    return lines;
}

bool names_known_column(std::string_view header) {
    static constexpr std::array<std::string_view, 14> kKnown = {
        "id",     "patient", "patient_id", "list", "list_id",    "subject",     "agent",
        "agents", "drug",    "drugs",      "name", "medication", "medications", "substance"};
    std::vector<std::string> names;
    detail::append_names(header, ",", names);
    for (auto& name : names) {
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
            name = name.substr(1, name.size() - 2);
        }
        for (char& c : name) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
            if (c == ' ' || c == '-') c = '_';
        }
        if (std::find(kKnown.begin(), kKnown.end(), name) != kKnown.end()) return true;
    }
    return false;
}

InputFormat detect_text_layout(const std::vector<std::string_view>& lines) {
    for (const auto line : lines) {
        if (detail::is_blank_or_comment(line)) continue;
        if (line.find_first_of(";,") != std::string_view::npos) return InputFormat::text_lists;
    }
    return InputFormat::text_lines;
}

InputFormat detect_json_layout(const std::vector<std::string_view>& lines) {
    std::size_t first = 0;
    while (first < lines.size() && detail::is_blank(lines[first]))
        ++first;
    if (first == lines.size()) return InputFormat::json;
    rapidjson::Document doc;
    doc.Parse(lines[first].data(), lines[first].size());
    if (doc.HasParseError()) return InputFormat::json;
    if (doc.IsObject() && doc.HasMember("agents")) return InputFormat::jsonl;
    for (auto i = first + 1; i < lines.size(); ++i) {
        if (!detail::is_blank(lines[i])) return InputFormat::jsonl;
    }
    return InputFormat::json;
}

// Reads the top-level "resourceType" of a JSON object and stops there.
class ResourceTypeFinder
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ResourceTypeFinder> {
  public:
    bool Default() {
        at_type_ = false;
        return true;
    }
    bool Key(const char* text, rapidjson::SizeType length, bool) {
        at_type_ = depth_ == 1 && std::string_view(text, length) == "resourceType";
        return true;
    }
    bool String(const char* text, rapidjson::SizeType length, bool) {
        if (!at_type_) return true;
        type_.assign(text, length);
        return false;  // found: stop reading
    }
    bool StartObject() { return open(); }
    bool StartArray() { return open(); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    const std::string& type() const { return type_; }

  private:
    bool open() {
        at_type_ = false;
        ++depth_;
        return true;
    }
    bool close() {
        --depth_;
        return true;
    }

    std::size_t depth_ = 0;
    bool at_type_ = false;
    std::string type_;
};

// FHIR by content (see detect_format in reader.hpp). `bytes` has no BOM.
std::optional<InputFormat> detect_fhir(std::string_view bytes) {
    const auto first = bytes.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos || bytes[first] != '{') return std::nullopt;
    rapidjson::MemoryStream stream(bytes.data(), bytes.size());
    ResourceTypeFinder finder;
    // The finder stops the parse once it has the type; a parse error after that, from bytes
    // cut short, does not matter.
    rapidjson::Reader().Parse<rapidjson::kParseIterativeFlag>(stream, finder);
    if (finder.type().empty()) return std::nullopt;
    const bool bundle = finder.type() == "Bundle";
    const auto end_of_first = bytes.find('\n', first);
    // One line, perhaps longer than the bytes: a single resource, or a Bundle written compactly.
    if (end_of_first == std::string_view::npos) {
        return bundle ? InputFormat::fhir_bundle : InputFormat::fhir_ndjson;
    }
    rapidjson::Document line;
    line.Parse(bytes.data() + first, end_of_first - first);
    if (line.HasParseError()) return InputFormat::fhir_bundle;  // a document spread over lines
    if (!bundle) return InputFormat::fhir_ndjson;
    // A Bundle alone on its line is a document; Bundles line after line are NDJSON.
    const auto next = bytes.find_first_not_of(" \t\r\n", end_of_first);
    return next != std::string_view::npos && bytes[next] == '{' ? InputFormat::fhir_ndjson
                                                                : InputFormat::fhir_bundle;
}

}  // namespace

std::optional<InputFormat> detect_format(std::string_view file_name, std::string_view first_bytes) {
    if (first_bytes.starts_with("\xEF\xBB\xBF")) first_bytes.remove_prefix(3);
    const bool binary = first_bytes.find('\0') != std::string_view::npos;
    // Content first: a bulk export's ".ndjson" and a Bundle's ".json" also name other formats.
    if (!binary) {
        if (const auto fhir = detect_fhir(first_bytes)) return fhir;
    }
    const auto ext = lower_extension(file_name);
    if (ext == "jsonl" || ext == "ndjson") return InputFormat::jsonl;
    if (ext == "json") return InputFormat::json;
    if (ext == "csv") return InputFormat::csv;
    if (ext == "tsv" || ext == "tab") return InputFormat::tsv;

    if (binary) return std::nullopt;
    const auto lines = whole_lines(first_bytes);
    if (ext == "txt") return detect_text_layout(lines);
    const auto start = detail::trim(first_bytes);
    if (start.empty()) return std::nullopt;
    if (start.front() == '[' || start.front() == '{') return detect_json_layout(lines);
    std::size_t first = 0;
    while (first < lines.size() && detail::is_blank(lines[first]))
        ++first;
    const auto header = lines[first];
    if (header.find('\t') != std::string_view::npos) return InputFormat::tsv;
    if (header.find(',') != std::string_view::npos && names_known_column(header)) {
        return InputFormat::csv;
    }
    return detect_text_layout(lines);
}

}  // namespace combocheck::batch
