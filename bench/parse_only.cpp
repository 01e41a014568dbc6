// `parse_only`: the floor for `combocheck batch` on JSON Lines: read the input and parse every
// line with RapidJSON alone (SAX, in place, SSE2), counting lists and agent names so that the
// parse cannot be optimised away. Nothing is resolved, checked or written.
//
//   parse_only lists.jsonl      (or - / no argument for standard input)
//   lists 1000000  agents 7950123  errors 1000  seconds 0.812  lists/s 1231527
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

namespace {

// Counts strings inside arrays (the agent names of `{"id":..,"agents":[..]}` or of a bare array);
// keys and the id are not counted.
struct CountingHandler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, CountingHandler> {
    std::size_t agents = 0;
    int array_depth = 0;
    bool String(const char*, rapidjson::SizeType, bool) {
        if (array_depth > 0) ++agents;
        return true;
    }
    bool StartArray() {
        ++array_depth;
        return true;
    }
    bool EndArray(rapidjson::SizeType) {
        --array_depth;
        return true;
    }
};

struct Counts {
    std::size_t lists = 0;
    std::size_t agents = 0;
    std::size_t errors = 0;
};

// Parses one line in place; `line` must be writable and end with '\0'.
void parse_line(char* line, Counts& counts) {
    rapidjson::Reader reader;
    CountingHandler handler;
    rapidjson::InsituStringStream stream(line);
    // In place and stopping after the value: the fastest way RapidJSON has to read one line.
    reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseStopWhenDoneFlag>(stream, handler);
    ++counts.lists;
    if (reader.HasParseError()) {
        ++counts.errors;
    } else {
        counts.agents += handler.agents;
    }
}

bool blank(const char* begin, const char* end) {
    for (; begin != end; ++begin) {
        if (*begin != ' ' && *begin != '\t' && *begin != '\r') return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 2 || (argc == 2 && std::string_view(argv[1]).starts_with("--"))) {
        std::fprintf(stderr, "usage: parse_only [FILE|-]   (JSON Lines; default standard input)\n");
        return 2;
    }
    std::FILE* in = stdin;
    if (argc == 2 && std::string_view(argv[1]) != "-") {
        in = std::fopen(argv[1], "rb");
        if (in == nullptr) {
            std::perror(argv[1]);
            return 2;
        }
    }
    const auto start = std::chrono::steady_clock::now();
    // 4 MB reads; a line that outgrows the buffer doubles it. One byte stays free for the '\0'
    // after a last line that has no '\n'.
    std::vector<char> buffer(std::size_t{4} << 20);
    std::size_t filled = 0;
    Counts counts;
    bool eof = false;
    while (!eof) {
        if (filled + 1 == buffer.size()) buffer.resize(buffer.size() * 2);
        const std::size_t got =
            std::fread(buffer.data() + filled, 1, buffer.size() - 1 - filled, in);
        filled += got;
        eof = got == 0;
        char* begin = buffer.data();
        char* const end = buffer.data() + filled;
        for (;;) {
            char* newline =
                static_cast<char*>(std::memchr(begin, '\n', static_cast<std::size_t>(end - begin)));
            if (newline == nullptr) {
                if (!eof || begin == end) break;
                newline = end;  // a last line without '\n'
            }
            if (!blank(begin, newline)) {
                *newline = '\0';
                parse_line(begin, counts);
            }
            begin = newline == end ? end : newline + 1;
        }
        filled = static_cast<std::size_t>(end - begin);
        std::memmove(buffer.data(), begin, filled);
    }
    if (std::ferror(in)) {
        std::perror("parse_only: read");
        return 2;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("lists %zu  agents %zu  errors %zu  seconds %.3f  lists/s %.0f\n", counts.lists,
                counts.agents, counts.errors, seconds,
                seconds > 0 ? static_cast<double>(counts.lists) / seconds : 0.0);
    return 0;
}
