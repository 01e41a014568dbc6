// Chooses the reader for a format; names of the formats.
#include "batch/reader.hpp"

#include <array>
#include <utility>

#include "batch/detail/input.hpp"

namespace combocheck::batch {

ListReader::~ListReader() = default;

std::unique_ptr<ListReader> open_reader(std::istream& in, std::string file_name, InputFormat format,
                                        const ReaderOptions& options) {
    switch (format) {
        case InputFormat::text_lines:
        case InputFormat::text_lists:
            return detail::make_text_reader(in, std::move(file_name), format, options);
        case InputFormat::csv:
            return detail::make_csv_reader(in, std::move(file_name), ',', options);
        case InputFormat::tsv:
            return detail::make_csv_reader(in, std::move(file_name), '\t', options);
        case InputFormat::json:
            return detail::make_json_reader(in, std::move(file_name), options);
        case InputFormat::jsonl:
            return detail::make_jsonl_reader(in, std::move(file_name), options);
        case InputFormat::fhir_bundle:
            return detail::make_fhir_bundle_reader(in, std::move(file_name), options);
        case InputFormat::fhir_ndjson:
            return detail::make_fhir_ndjson_reader(in, std::move(file_name), options);
    }
    return nullptr;
}

namespace {

constexpr std::array<std::pair<InputFormat, std::string_view>, 8> kFormatNames = {{
    {InputFormat::text_lines, "text_lines"},
    {InputFormat::text_lists, "text_lists"},
    {InputFormat::csv, "csv"},
    {InputFormat::tsv, "tsv"},
    {InputFormat::json, "json"},
    {InputFormat::jsonl, "jsonl"},
    {InputFormat::fhir_bundle, "fhir_bundle"},
    {InputFormat::fhir_ndjson, "fhir_ndjson"},
}};

}  // namespace

std::string_view to_string(InputFormat format) {
    for (const auto& [value, name] : kFormatNames) {
        if (value == format) return name;
    }
    return "?";
}

std::optional<InputFormat> parse_input_format(std::string_view name) {
    for (const auto& [value, known] : kFormatNames) {
        if (known == name) return value;
    }
    return std::nullopt;
}

}  // namespace combocheck::batch
