// combocheck-compile-rules RULES_DIR OUTPUT [FILE...]: validates the knowledge files below
// RULES_DIR as `combocheck lint` does and writes the binary snapshot that load_embedded_knowledge()
// decodes. Run by the build: any error fails it, with diagnostics pointing at the real files.
// FILEs (RULES_DIR-relative, as CMake globbed them) restrict it to the files the embedded JSON
// holds, so that both agree even when a file is added during the build.
#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "detail/snapshot.hpp"
#include "loader.hpp"

namespace {

using namespace combocheck;
namespace fs = std::filesystem;

// The name the embedded JSON gives a file ("rules/agents/x.json"), so that positions read the same
// whichever way the base was loaded.
std::string display_name(const fs::path& file, const fs::path& dir) {
    const fs::path relative = file.lexically_relative(dir);
    if (relative.empty() || *relative.begin() == "..") {
        throw std::runtime_error(file.string() + " is not below " + dir.string());
    }
    return "rules/" + relative.generic_string();
}

int compile(const fs::path& dir, const fs::path& output, const std::vector<std::string>& only) {
    std::vector<RuleFile> files = read_rule_directory(dir);
    std::vector<std::string> names;
    for (const RuleFile& f : files)
        names.push_back(display_name(f.name, dir.lexically_normal()));
    std::set<std::string> wanted;
    for (const std::string& f : only)
        wanted.insert("rules/" + f);
    std::vector<std::size_t> order;  // the files to compile
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (only.empty() || wanted.erase(names[i]) == 1) order.push_back(i);
    }
    if (!wanted.empty()) throw std::runtime_error("no such knowledge file: " + *wanted.begin());
    // In the order of the embedded JSON files (byte-wise by name, as CMake sorts them): it fixes
    // the order of every table.
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return names[a] < names[b]; });
    std::vector<RuleFile> sorted;
    std::vector<std::string> sorted_names;
    for (const std::size_t i : order) {
        sorted.push_back(std::move(files[i]));
        sorted_names.push_back(std::move(names[i]));
    }

    const LintReport report = lint_knowledge(sorted);
    for (const Diagnostic& d : report.diagnostics)
        std::cerr << format_diagnostic(d) << "\n";
    if (!report.knowledge) {
        std::cerr << "combocheck-compile-rules: " << report.error_count
                  << " error(s) in the knowledge base; no snapshot written\n";
        return 1;
    }

    KnowledgeData data = report.knowledge->data();
    if (data.files.size() != sorted.size()) throw std::runtime_error("unexpected file table");
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (data.files[i] != sorted[i].name) throw std::runtime_error("unexpected file order");
        data.files[i] = sorted_names[i];
    }
    const std::string bytes = detail::write_snapshot(data);
    if (detail::write_snapshot(detail::read_snapshot(bytes)) != bytes) {
        throw std::runtime_error("the snapshot does not read back as written");
    }

    const fs::path temporary = output.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out.flush()) throw std::runtime_error("cannot write " + temporary.string());
    }
    fs::rename(temporary, output);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: combocheck-compile-rules RULES_DIR OUTPUT [FILE...]\n";
        return 2;
    }
    try {
        return compile(argv[1], argv[2], std::vector<std::string>(argv + 3, argv + argc));
    } catch (const LoadError& e) {
        for (const Diagnostic& d : e.diagnostics())
            std::cerr << format_diagnostic(d) << "\n";
    } catch (const std::exception& e) {
        std::cerr << "combocheck-compile-rules: " << e.what() << "\n";
    }
    return 1;
}
