// Speed of the interactive path: loading the embedded knowledge base (validating the JSON, or
// decoding the snapshot), resolving names, checking a list of ten agents.
// Run: build/bench/check_bench (docs/performance.md has the figures).
#include <benchmark/benchmark.h>

#include "checker.hpp"
#include "loader.hpp"
#include "report.hpp"
#include "resolver.hpp"

namespace {

using namespace combocheck;

// As the command loads it: from the snapshot compiled at build time.
const KnowledgeBase& kb() {
    static const KnowledgeBase base = load_embedded_knowledge();
    return base;
}

// A typical counter list: antidepressant, opioid, supplements, anticoagulant, cardiovascular.
const std::vector<std::string> kTenNames{"Zoloft",     "tramadol 50 mg", "5-HTP",      "warfarin",
                                         "ibuprofen",  "St John's wort", "lisinopril", "alcohol",
                                         "alprazolam", "clarithromycin"};

void LoadEmbeddedKnowledgeBase(benchmark::State& state) {
    const std::vector<RuleFile> files = embedded_rule_files();
    for (auto _ : state) {
        KnowledgeBase base = load_knowledge(files);
        benchmark::DoNotOptimize(base);
    }
}
BENCHMARK(LoadEmbeddedKnowledgeBase)->Unit(benchmark::kMillisecond);

// What the command does at start-up: decode the snapshot and build the derived tables.
void LoadEmbeddedSnapshot(benchmark::State& state) {
    for (auto _ : state) {
        KnowledgeBase base = load_embedded_knowledge();
        benchmark::DoNotOptimize(base);
    }
}
BENCHMARK(LoadEmbeddedSnapshot)->Unit(benchmark::kMillisecond);

void ResolveTenNames(benchmark::State& state) {
    const Resolver resolver(kb());
    for (auto _ : state) {
        for (const std::string& name : kTenNames) {
            benchmark::DoNotOptimize(resolver.resolve(name));
        }
    }
}
BENCHMARK(ResolveTenNames)->Unit(benchmark::kMicrosecond);

void CheckTenAgents(benchmark::State& state) {
    const Resolver resolver(kb());
    std::vector<AgentId> ids;
    for (const std::string& name : kTenNames) {
        if (const auto r = resolver.resolve(name); r.agent) ids.push_back(*r.agent);
    }
    for (auto _ : state)
        benchmark::DoNotOptimize(check_list(kb(), ids));
    state.counters["agents"] = static_cast<double>(ids.size());
}
BENCHMARK(CheckTenAgents)->Unit(benchmark::kMicrosecond);

void CheckAndWriteJson(benchmark::State& state) {
    const Resolver resolver(kb());
    for (auto _ : state) {
        const CheckReport report = check_names(kb(), resolver, kTenNames);
        std::ostringstream out;
        write_json(out, kb(), report);
        benchmark::DoNotOptimize(out.str());
    }
}
BENCHMARK(CheckAndWriteJson)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
