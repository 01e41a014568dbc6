// A batch run: read lists from files or standard input, check them on several threads, and write
// one output record per list in input order.
//
// How the work is shared:
// - The calling thread reads records (parsing is cheap next to checking) and groups them into
//   chunks of consecutive records.
// - Worker threads resolve, check and format whole chunks (BatchOutput::format).
// - The calling thread writes finished chunks in input order and sums the summary.
// At most a few chunks per thread are in flight, so memory does not grow with the input.
//
// Streaming: when an input is a pipe or terminal and no more bytes are waiting, every list read
// so far is checked, written and flushed before the run waits for more input. A record written
// to a pipe (Hadoop Streaming, Spark RDD.pipe, an interactive shell) therefore comes out as soon
// as its line has gone in, while bulk input from files goes at full speed.
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "batch/output.hpp"
#include "batch/reader.hpp"
#include "resolver.hpp"

namespace combocheck::batch {

// How far a run has got: for a progress display.
struct Progress {
    std::size_t lists = 0;        // records written
    std::size_t bytes_read = 0;   // input bytes read so far
    std::size_t bytes_total = 0;  // sum of the regular input files' sizes; 0 when unknown
    double seconds = 0;           // since the run started
};

struct RunOptions {
    unsigned jobs = 0;                  // threads that check lists; 0: one per core
    std::optional<InputFormat> format;  // nullopt: detected for each input
    ReaderOptions reader;               // columns, line limit, FHIR options
    std::size_t chunk_lists = 256;      // lists handed to a thread at a time
    // Called on the calling thread about every `progress_interval` seconds while the run goes on.
    std::function<void(const Progress&)> progress;
    double progress_interval = 0.25;
};

struct RunResult {
    RunSummary summary;
    // Inputs that could not be opened or whose format could not be told, with why; the run
    // goes on with the others.
    std::vector<std::string> input_errors;
};

// Checks every list of `inputs` (file paths; "-" is standard input) and writes them to `output`
// (its finish() is called at the end). `kb` and `resolver` are shared by the threads: both are
// read-only during a check.
RunResult run_batch(const std::vector<std::string>& inputs, const KnowledgeBase& kb,
                    const Resolver& resolver, BatchOutput& output, const RunOptions& options);

// What `jobs = 0` means here: the number of cores (at least 1).
unsigned default_jobs();

}  // namespace combocheck::batch
