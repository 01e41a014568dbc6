// The batch run: a reading thread, worker threads that check chunks of lists, output in order.
#include "batch/pipeline.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <istream>
#include <mutex>
#include <optional>
#include <streambuf>
#include <thread>

#include "batch/detail/input.hpp"
#include "detail/short_hash.hpp"

namespace combocheck::batch {

namespace {

// Reads a file descriptor in large blocks. For a pipe or terminal it calls `before_wait` when
// no bytes are waiting, before it blocks on read(): the run then finishes and flushes what it
// has, so that a streaming caller sees each record without waiting for the next line.
class FdBuffer : public std::streambuf {
  public:
    FdBuffer(int fd, bool may_block, std::function<void()> before_wait, std::size_t& bytes_read)
        : fd_(fd),
          may_block_(may_block),
          before_wait_(std::move(before_wait)),
          bytes_read_(bytes_read),
          buffer_(kSize) {
        setg(buffer_.data(), buffer_.data(), buffer_.data());
    }

    // Up to the first `n` bytes not yet consumed, without consuming them: they decide the
    // format. From a pipe it waits for a first whole line, then takes only what is already
    // there, so that a streaming caller who sends one line gets its record back.
    std::string_view peek(std::size_t n) {
        n = std::min(n, kSize);
        const auto have = [this] { return static_cast<std::size_t>(egptr() - gptr()); };
        while (have() < n && !eof_) {
            const std::string_view seen(gptr(), have());
            if (may_block_ && seen.find('\n') != std::string_view::npos) {
                pollfd p{fd_, POLLIN, 0};
                if (::poll(&p, 1, 0) == 0) break;
            }
            const std::size_t kept = have();
            std::memmove(buffer_.data(), gptr(), kept);
            setg(buffer_.data(), buffer_.data(), buffer_.data() + kept);
            if (!read_more()) break;
        }
        return {gptr(), have()};
    }

    // The error of a failed read(), or 0.
    int error() const { return error_; }

  protected:
    int_type underflow() override {
        if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
        if (eof_) return traits_type::eof();
        setg(buffer_.data(), buffer_.data(), buffer_.data());
        if (may_block_ && before_wait_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 0) == 0) before_wait_();
        }
        if (!read_more()) return traits_type::eof();
        return traits_type::to_int_type(*gptr());
    }

  private:
    static constexpr std::size_t kSize = std::size_t{1} << 18;

    // Appends what one read() gives after egptr(); false at the end of the input or on error.
    bool read_more() {
        char* end = egptr();
        const std::size_t room = static_cast<std::size_t>(buffer_.data() + kSize - end);
        for (;;) {
            const ssize_t n = ::read(fd_, end, room);
            if (n > 0) {
                bytes_read_ += static_cast<std::size_t>(n);
                setg(eback(), gptr(), end + n);
                return true;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) error_ = errno;
            eof_ = true;
            return false;
        }
    }

    int fd_;
    bool may_block_;
    std::function<void()> before_wait_;
    std::size_t& bytes_read_;
    std::vector<char> buffer_;
    bool eof_ = false;
    int error_ = 0;
};

// Resolutions remembered per thread, by the name as written. A batch repeats the same names
// (and misspellings, whose suggestions search every name of the knowledge base) over and over:
// on the benchmark input (8 million names, 158,000 distinct ones, most of them a common name
// with a dose) this cache of 32,768 names finds 90 % of names.
//
// Two-way set-associative: a name has two places, and a new name replaces the one of the two
// used less recently, so frequent names stay and memory is fixed whatever the input (about
// 8 MB, and the names' JSON entries when the output takes them). One place per name found 86 %.
// Twice the size found 94 % but was no faster, and the memory its places take as they fill
// made a run's peak grow with its input for longer.
//
// A list's records point to the resolutions here instead of copying them, so a resolution must
// stay put until the list is written: a place that another name of the same list holds is not
// given up; when both are held, the newcomer is resolved into `overflow_`, which lasts until the
// next list.
class ResolutionCache {
  public:
    // A name's resolution, and its JSON entry when the output takes entries made beforehand
    // (see BatchOutput::name_entries), made once per distinct name rather than once per list.
    struct Cached {
        std::string entry;  // first: a lookup reads it with the place's key (see Way)
        Resolution resolution;
    };

    // Starts a run's chunk: its resolutions are by `resolver`, and its entries for `entries`.
    // What is cached for another knowledge base or other entries is dropped.
    void begin_chunk(const Resolver& resolver, std::optional<RecordDetail> entries) {
        // A resolver resolves by its knowledge base alone.
        if (kb_ != resolver.knowledge().serial() || entries_ != entries) {
            ways_.assign(2 * kSets, Way{});
            recent_.assign(kSets, 0);
            kb_ = resolver.knowledge().serial();
            entries_ = entries;
        }
    }

    // Starts a list: what resolve() returns from now on stays valid until the next call.
    void begin_list() {
        ++list_;
        overflow_.clear();
    }

    // The name's hash, for resolve(); asks the processor to start loading the name's places,
    // so that the names of a list are looked for together rather than one miss after another.
    std::size_t prepare(std::string_view input) const {
        const std::size_t hash = combocheck::detail::short_hash(input);
        const Way* ways = &ways_[2 * (hash & (kSets - 1))];
        for (const char* line :
             {reinterpret_cast<const char*>(ways), reinterpret_cast<const char*>(ways + 1)}) {
            __builtin_prefetch(line);
            __builtin_prefetch(line + 64);
        }
        return hash;
    }

    // `hash` is what prepare() gave for `input`.
    const Cached* resolve(const Resolver& resolver, std::string_view input, std::size_t hash) {
        const std::size_t set = hash & (kSets - 1);
        Way* const ways = &ways_[2 * set];
        for (std::size_t w = 0; w < 2; ++w) {
            if (ways[w].used && ways[w].hash == hash && ways[w].input == input) {
                ways[w].list = list_;
                recent_[set] = static_cast<std::uint8_t>(w);
                return &ways[w].cached;
            }
        }
        // The way used less recently, unless this list holds it.
        std::size_t w = 1 - recent_[set];
        if (ways[w].used && ways[w].list == list_) w = 1 - w;
        Way& way = ways[w];
        if (way.used && way.list == list_) {
            overflow_.emplace_back();
            fill(overflow_.back(), resolver, input);
            return &overflow_.back();
        }
        way.used = true;
        way.hash = hash;
        way.list = list_;
        way.input.assign(input);
        fill(way.cached, resolver, input);
        recent_[set] = static_cast<std::uint8_t>(w);
        return &way.cached;
    }

  private:
    // Resolves into the place's own strings, whose buffers are reused unless they are much
    // larger than this name needs: one long name must not pin its size in the place for the
    // rest of the run.
    void fill(Cached& c, const Resolver& resolver, std::string_view input) const {
        if (c.resolution.input.capacity() > 2 * input.size() + 64) c.resolution = Resolution{};
        resolver.resolve(input, c.resolution);
        c.entry.clear();
        if (entries_) {
            // Made elsewhere and copied: a writer makes room a step at a time, and a place
            // keeps its entry for long, so an entry that does not fit the place's buffer, or
            // would leave most of it unused, gets a buffer of its own size.
            thread_local std::string made;
            made.clear();
            append_name_entry(made, resolver.knowledge(), c.resolution,
                              *entries_ == RecordDetail::brief);
            if (made.size() <= c.entry.capacity() && c.entry.capacity() <= 2 * made.size() + 64) {
                c.entry.assign(made);
            } else {
                c.entry = std::string(made);
            }
        }
    }

    static constexpr std::size_t kSets = std::size_t{1} << 14;
    // What a lookup reads (the key, the entry, the resolution's input and agent) is in the first
    // two cache lines of a place, which prepare() loads ahead.
    struct alignas(64) Way {
        bool used = false;
        std::size_t hash = 0;
        std::uint64_t list = 0;  // the last list that used it
        std::string input;
        Cached cached;
    };
    std::uint64_t kb_ = 0;  // the serial of the knowledge base the resolutions are of
    std::optional<RecordDetail> entries_;  // the entries made, if any
    std::vector<Way> ways_;                // set s has ways 2s and 2s + 1
    std::vector<std::uint8_t> recent_;     // per set: the way used last
    std::uint64_t list_ = 0;
    std::deque<Cached> overflow_;  // stable addresses while it grows
};

// A line of JSON Lines in a chunk, parsed by the worker that takes the chunk.
struct LineInChunk {
    std::size_t offset = 0;  // in Chunk::line_bytes
    std::size_t length = 0;
    bool too_long = false;
    std::size_t number = 0;  // see detail::JsonLine
    std::size_t record = 0;
    std::size_t file = 0;  // in Chunk::files
};

// Consecutive records of the run and what became of them. The records come read (from any
// reader), or, from JSON Lines, as lines that the worker parses: then the reading thread only
// cuts lines, and a list's bytes are parsed, checked and written on one core.
struct Chunk {
    std::vector<ListRecord> records;  // the first `count` are in use, unless lines are
    bool lines_in_use = false;
    std::vector<LineInChunk> lines;  // the first `count` are in use
    std::string line_bytes;          // each line followed by a '\0' (parsed in place)
    std::vector<std::string> files;  // the lines' file names
    std::size_t count = 0;
    std::size_t first_index = 0;
    std::string bytes;
    std::vector<ListOutcome> outcomes;  // the first `count` are this chunk's; kept for reuse
    bool done = false;
};

class Pipeline {
  public:
    Pipeline(const KnowledgeBase& kb, const Resolver& resolver, BatchOutput& output,
             const RunOptions& options)
        : kb_(kb),
          resolver_(resolver),
          output_(output),
          index_(kb),
          chunk_lists_(std::max<std::size_t>(options.chunk_lists, 1)),
          max_line_bytes_(options.reader.max_line_bytes),
          contributions_(output.reads_contributions()),
          entries_(output.name_entries()) {
        const unsigned jobs = options.jobs == 0 ? default_jobs() : options.jobs;
        // One thread checks inline; with more, the calling thread reads and writes while
        // `jobs` workers check.
        if (jobs > 1) {
            max_in_flight_ = std::size_t{jobs} * 4;
            for (unsigned i = 0; i < jobs; ++i)
                workers_.emplace_back([this] { work(); });
        }
        current_ = take_chunk();
    }

    ~Pipeline() {
        {
            const std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        work_ready_.notify_all();
        for (std::thread& t : workers_)
            t.join();
    }

    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    // Takes the record (by swapping, so that buffers are reused) as the next of the run.
    void add(ListRecord& record) {
        if (current_->lines_in_use) submit();
        Chunk& c = *current_;
        if (c.records.size() <= c.count) c.records.emplace_back();
        std::swap(c.records[c.count], record);
        ++c.count;
        if (c.count == chunk_lists_) submit();
    }

    // Takes a line of JSON Lines (copied) as the next record of the run: the worker parses it
    // as the JSON Lines reader would.
    void add_line(std::string_view file, std::string_view text, bool too_long, std::size_t number,
                  std::size_t record) {
        if (current_->count > 0 && !current_->lines_in_use) submit();
        Chunk& c = *current_;
        c.lines_in_use = true;
        if (c.files.empty() || c.files.back() != file) c.files.emplace_back(file);
        if (c.lines.size() <= c.count) c.lines.emplace_back();
        c.lines[c.count] = {c.line_bytes.size(), text.size(), too_long, number, record,
                            c.files.size() - 1};
        c.line_bytes += text;
        c.line_bytes += '\0';
        ++c.count;
        if (c.count == chunk_lists_) submit();
    }

    // Checks and writes every record added so far, and flushes the output.
    void finish_pending() {
        submit();
        write_done(true);
        output_.flush();
    }

    std::size_t lists_written() const { return summary_.lists; }
    RunSummary& summary() { return summary_; }

  private:
    std::unique_ptr<Chunk> take_chunk() {
        std::unique_ptr<Chunk> c;
        if (!spare_.empty()) {
            c = std::move(spare_.back());
            spare_.pop_back();
        } else {
            c = std::make_unique<Chunk>();
        }
        c->first_index = next_index_;
        clear(*c);
        c->done = false;
        return c;
    }

    // Empties the chunk for its next use. Its buffers are kept, unless one is much larger than
    // what it last held: one chunk of unusually long records or lines must not pin its size for
    // the rest of the run.
    static void clear(Chunk& c) {
        for (std::string* bytes : {&c.bytes, &c.line_bytes}) {
            if (bytes->capacity() > 2 * bytes->size() + 4096) {
                *bytes = std::string();
            } else {
                bytes->clear();
            }
        }
        c.count = 0;
        c.lines_in_use = false;
        c.files.clear();
    }

    void submit() {
        if (current_->count == 0) return;
        next_index_ += current_->count;
        if (workers_.empty()) {
            process(*current_);
            write(*current_);
            current_->first_index = next_index_;
            clear(*current_);
            return;
        }
        {
            const std::lock_guard lock(mutex_);
            queue_.push_back(current_.get());
            in_flight_.push_back(std::move(current_));
        }
        work_ready_.notify_one();
        current_ = take_chunk();
        write_done(false);
        // Bounded memory: wait for the oldest chunk when too many are out.
        while (in_flight_.size() >= max_in_flight_)
            write_oldest();
    }

    // Writes finished chunks from the front, in order; with `all`, waits for every chunk.
    void write_done(bool all) {
        while (!in_flight_.empty()) {
            {
                const std::lock_guard lock(mutex_);
                if (!all && !in_flight_.front()->done) return;
            }
            write_oldest();
        }
    }

    void write_oldest() {
        {
            std::unique_lock lock(mutex_);
            chunk_done_.wait(lock, [this] { return in_flight_.front()->done; });
        }
        std::unique_ptr<Chunk> c = std::move(in_flight_.front());
        in_flight_.pop_front();
        write(*c);
        spare_.push_back(std::move(c));
    }

    void write(const Chunk& c) {
        output_.write(c.bytes);
        for (std::size_t i = 0; i < c.count; ++i)
            summary_.add(c.outcomes[i]);
    }

    void work() {
        for (;;) {
            Chunk* c = nullptr;
            {
                std::unique_lock lock(mutex_);
                work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;
                c = queue_.front();
                queue_.pop_front();
            }
            process(*c);
            {
                const std::lock_guard lock(mutex_);
                c->done = true;
            }
            chunk_done_.notify_all();
        }
    }

    // The chunk's records: its own, or its lines parsed into this thread's records (whose
    // buffers therefore stay with this thread).
    std::vector<ListRecord>& records_of(Chunk& c) const {
        if (!c.lines_in_use) return c.records;
        thread_local std::vector<ListRecord> parsed;
        if (parsed.size() < c.count) parsed.resize(c.count);
        // The last line's '\0' is followed by the padding a parse in place needs; the others'
        // by the lines after them.
        c.line_bytes.reserve(c.line_bytes.size() + detail::kPadding);
        for (std::size_t i = 0; i < c.count; ++i) {
            const LineInChunk& l = c.lines[i];
            const detail::JsonLine line{c.line_bytes.data() + l.offset, l.length, l.too_long,
                                        l.number, l.record};
            detail::read_json_line(line, c.files[l.file], max_line_bytes_, parsed[i]);
        }
        return parsed;
    }

    // Resolves, checks and formats the chunk's lists. Runs on a worker thread.
    void process(Chunk& c) const {
        std::vector<ListRecord>& records = records_of(c);
        thread_local ResolutionCache resolutions_seen;
        // Reused from list to list, so that their buffers are.
        thread_local CheckResult result;
        thread_local std::vector<const Resolution*> names;
        thread_local std::vector<std::string_view> entries;
        thread_local std::vector<AgentId> agents;
        // The hashes of this list's names and of the next list's, whose places are loaded
        // while this list is checked.
        thread_local std::vector<std::size_t> hashes, next_hashes;
        const auto prepare = [&](std::size_t i, std::vector<std::size_t>& out) {
            out.clear();
            if (i >= c.count || !records[i].error.empty()) return;
            for (const std::string& name : records[i].agents)
                out.push_back(resolutions_seen.prepare(name));
        };
        resolutions_seen.begin_chunk(resolver_, entries_);
        if (c.outcomes.size() < c.count) c.outcomes.resize(c.count);
        prepare(0, next_hashes);
        for (std::size_t i = 0; i < c.count; ++i) {
            std::swap(hashes, next_hashes);
            prepare(i + 1, next_hashes);
            // Ids and file names go to the output as read: every format replaces invalid
            // UTF-8 in them itself (see make_output).
            ListRecord& record = records[i];
            CheckedList list{c.first_index + i, record, nullptr, {}, {}};
            if (record.error.empty()) {
                // As check_names() does it, through the cache and without a vector per list.
                resolutions_seen.begin_list();
                names.clear();
                entries.clear();
                agents.clear();
                for (std::size_t k = 0; k < record.agents.size(); ++k) {
                    const auto* cached =
                        resolutions_seen.resolve(resolver_, record.agents[k], hashes[k]);
                    const Resolution& r = cached->resolution;
                    if (r.input.empty()) continue;  // blank names carry no name
                    if (r.agent) agents.push_back(*r.agent);
                    names.push_back(&r);
                    if (entries_) entries.push_back(cached->entry);
                }
                check_list(kb_, agents, &index_, result, contributions_);
                list.result = &result;
                list.names = names;
                list.entries = entries;
            }
            output_.format(c.bytes, list);
            outcome_of(kb_, list, c.outcomes[i]);
        }
    }

    const KnowledgeBase& kb_;
    const Resolver& resolver_;
    BatchOutput& output_;
    const RuleIndex index_;
    const std::size_t chunk_lists_;
    const std::size_t max_line_bytes_;
    const bool contributions_;                   // whether the output reads them (see check_list)
    const std::optional<RecordDetail> entries_;  // see BatchOutput::name_entries
    std::size_t max_in_flight_ = 1;
    std::size_t next_index_ = 0;
    RunSummary summary_;

    std::unique_ptr<Chunk> current_;
    std::deque<std::unique_ptr<Chunk>> in_flight_;  // in input order; read by this thread only
    std::vector<std::unique_ptr<Chunk>> spare_;

    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable chunk_done_;
    std::deque<Chunk*> queue_;  // chunks waiting for a worker
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

// An open input: standard input, or a file opened here.
struct OpenInput {
    int fd = -1;
    bool owned = false;
    bool regular = false;
    std::size_t size = 0;

    OpenInput() = default;
    OpenInput(const OpenInput&) = delete;
    OpenInput& operator=(const OpenInput&) = delete;
    ~OpenInput() {
        if (owned) ::close(fd);
    }
};

// Opens `name`; an error message when it cannot be read.
std::string open_input(const std::string& name, OpenInput& input) {
    if (name == "-") {
        input.fd = STDIN_FILENO;
    } else {
        input.fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
        if (input.fd < 0) return "cannot open " + name + ": " + std::strerror(errno);
        input.owned = true;
    }
    struct stat st {};
    if (::fstat(input.fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return name + " is a directory";
        input.regular = S_ISREG(st.st_mode);
        if (input.regular) input.size = static_cast<std::size_t>(st.st_size);
    }
    return {};
}

}  // namespace

unsigned default_jobs() {
    return std::max(1u, std::thread::hardware_concurrency());
}

RunResult run_batch(const std::vector<std::string>& inputs, const KnowledgeBase& kb,
                    const Resolver& resolver, BatchOutput& output, const RunOptions& options) {
    using Clock = std::chrono::steady_clock;
    RunResult result;
    Progress progress;
    const auto start = Clock::now();
    auto last_report = start;

    for (const std::string& name : inputs) {
        struct stat st {};
        if (name != "-" && ::stat(name.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            progress.bytes_total += static_cast<std::size_t>(st.st_size);
        }
    }

    ReaderOptions reader_options = options.reader;
    if (!reader_options.is_known_name) {
        reader_options.is_known_name = [&resolver](std::string_view name) {
            return resolver.resolve(name).agent.has_value();
        };
    }

    Pipeline pipeline(kb, resolver, output, options);
    ListRecord record;
    std::size_t since_clock = 0;
    for (const std::string& name : inputs) {
        OpenInput input;
        if (std::string error = open_input(name, input); !error.empty()) {
            result.input_errors.push_back(std::move(error));
            continue;
        }
        FdBuffer buffer(
            input.fd, !input.regular, [&pipeline] { pipeline.finish_pending(); },
            progress.bytes_read);
        const std::string_view head = options.format ? std::string_view() : buffer.peek(4096);
        const std::string display_name = name == "-" ? "stdin" : name;
        const std::optional<InputFormat> format =
            options.format ? options.format : detect_format(name == "-" ? "" : name, head);
        if (!format) {
            if (head.empty()) {
                if (buffer.error() != 0) {
                    result.input_errors.push_back("cannot read " + display_name + ": " +
                                                  std::strerror(buffer.error()));
                }
                continue;  // an empty input holds no list
            }
            result.input_errors.push_back(display_name +
                                          ": cannot tell the format (binary data?); use "
                                          "--input-format");
            continue;
        }
        std::istream in(&buffer);
        const auto report_progress = [&] {
            if (!options.progress || ++since_clock < 256) return;
            since_clock = 0;
            const auto now = Clock::now();
            if (std::chrono::duration<double>(now - last_report).count() >=
                options.progress_interval) {
                last_report = now;
                progress.lists = pipeline.lists_written();
                progress.seconds = std::chrono::duration<double>(now - start).count();
                options.progress(progress);
            }
        };
        if (*format == InputFormat::jsonl) {
            // Lines go to the workers unparsed (see Chunk); blank lines are not lists.
            detail::LineSource lines(in, reader_options.max_line_bytes);
            std::size_t records = 0;
            while (lines.next()) {
                if (!lines.too_long() && detail::is_blank(lines.text())) continue;
                pipeline.add_line(display_name, lines.text(), lines.too_long(), lines.number(),
                                  ++records);
                report_progress();
            }
        } else {
            const auto reader = open_reader(in, display_name, *format, reader_options);
            while (reader->next(record)) {
                pipeline.add(record);
                report_progress();
            }
        }
        if (buffer.error() != 0) {
            result.input_errors.push_back("cannot read " + display_name + ": " +
                                          std::strerror(buffer.error()));
        }
    }
    pipeline.finish_pending();
    result.summary = std::move(pipeline.summary());
    output.finish(result.summary);
    return result;
}

}  // namespace combocheck::batch
