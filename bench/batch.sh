#!/usr/bin/env bash
# Batch throughput of `combocheck batch` on JSON Lines against the RapidJSON-only floor
# (parse_only), and its peak memory on 1M and 10M lists streamed through a pipe.
# Prints a report to paste into docs/performance.md.
#
#   bench/batch.sh [COMBOCHECK [MAKE_LISTS [PARSE_ONLY]]]
#
# Defaults: build/cli/combocheck, build/bench/make_lists, build/bench/parse_only.
# Environment:
#   LISTS         lists for the timed runs (default 1000000; the input file is about 150 MB,
#                 in TMPDIR)
#   STREAM_SIZES  lists for the memory runs, streamed from make_lists through a pipe, so no
#                 file is written (default "1000000 10000000")
#   SEED          make_lists seed (default 1)
#   GNU_TIME      GNU time (default /usr/bin/time, installed with apt-get when missing and run
#                 as root); a path that does not exist makes the script poll /proc instead
set -euo pipefail

combocheck=${1:-build/cli/combocheck}
make_lists=${2:-build/bench/make_lists}
parse_only=${3:-build/bench/parse_only}
lists=${LISTS:-1000000}
stream_sizes=${STREAM_SIZES:-"1000000 10000000"}
seed=${SEED:-1}
cores=$(nproc)

for binary in "$combocheck" "$make_lists" "$parse_only"; do
    if [[ ! -x $binary ]]; then
        echo "batch.sh: $binary is not an executable; build first or pass the paths" >&2
        exit 2
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/combocheck-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
input=$work/lists.jsonl

# Wall seconds of a command, with stdout to /dev/null; stderr kept in $work/stderr. A command
# that fails stops the script: a failed run has no speed.
seconds_of() {
    local start end status=0
    start=$(date +%s.%N)
    "$@" > /dev/null 2> "$work/stderr" || status=$?
    end=$(date +%s.%N)
    if ((status != 0)); then
        echo "batch.sh: '$*' failed with status $status:" >&2
        head -n 5 "$work/stderr" >&2
        exit 1
    fi
    calc "$end - $start"
}
calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
rate() { awk "BEGIN { printf \"%.0f\", $1 / $2 }"; }

# Peak resident memory (kB) of `combocheck batch` reading N lists from make_lists through a pipe.
# GNU time when there is one; else the kernel's high-water mark, polled from /proc until exit
# (the last reading before exit; it can only miss growth in the last poll interval).
gnu_time=${GNU_TIME:-/usr/bin/time}
if [[ ! -x $gnu_time && $gnu_time == /usr/bin/time && $(id -u) -eq 0 ]] &&
    command -v apt-get > /dev/null; then
    apt-get install -y -qq time > /dev/null 2>&1 || true
fi
peak_rss_kb() {  # lists, detail
    local n=$1 detail=$2
    if [[ -x $gnu_time ]]; then
        if ! "$make_lists" --format jsonl --lists "$n" --seed "$seed" |
            "$gnu_time" -f '%M' -o "$work/time" \
                "$combocheck" batch --format jsonl --detail "$detail" --input-format jsonl - \
                > /dev/null \
                2> "$work/stderr"; then
            echo "batch.sh: the streamed run of $n lists failed:" >&2
            head -n 5 "$work/stderr" >&2
            exit 1
        fi
        tail -n 1 "$work/time"
        return
    fi
    local fifo=$work/fifo pid peak=0 hwm
    mkfifo "$fifo"
    "$make_lists" --format jsonl --lists "$n" --seed "$seed" > "$fifo" &
    "$combocheck" batch --format jsonl --detail "$detail" --input-format jsonl - < "$fifo" \
        > /dev/null 2> "$work/stderr" &
    pid=$!
    while kill -0 "$pid" 2> /dev/null; do
        hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2> /dev/null || true)
        if [[ -n $hwm ]] && ((hwm > peak)); then peak=$hwm; fi
        sleep 0.2
    done
    if ! wait "$pid"; then
        echo "batch.sh: the streamed run of $n lists failed:" >&2
        head -n 5 "$work/stderr" >&2
        exit 1
    fi
    wait
    rm -f "$fifo"
    echo "$peak"
}

echo "generating $lists lists (seed $seed) ..." >&2
gen_seconds=$(seconds_of "$make_lists" --format jsonl --lists "$lists" --seed "$seed")
"$make_lists" --format jsonl --lists "$lists" --seed "$seed" > "$input"
input_mb=$(( $(stat -c %s "$input") / 1000000 ))

echo "parse_only ..." >&2
"$parse_only" "$input" > /dev/null  # warm the page cache
parse_seconds=$(seconds_of "$parse_only" "$input")

run_batch() {  # extra args...
    "$combocheck" batch --format jsonl "$@" --input-format jsonl "$input"
}
echo "combocheck batch ..." >&2
full_one_seconds=$(seconds_of run_batch --jobs 1)
full_all_seconds=$(seconds_of run_batch)
brief_one_seconds=$(seconds_of run_batch --detail brief --jobs 1)
brief_all_seconds=$(seconds_of run_batch --detail brief)
full_bytes=$(run_batch --jobs 1 2> /dev/null | wc -c)
brief_bytes=$(run_batch --detail brief --jobs 1 2> /dev/null | wc -c)

echo "peak memory ..." >&2
peaks=()
for detail in full brief; do
    for n in $stream_sizes; do
        kb=$(peak_rss_kb "$n" "$detail")
        peaks+=("$detail $n $kb")
    done
done

parse_rate=$(rate "$lists" "$parse_seconds")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//' || echo unknown)

echo "## Batch throughput"
echo
echo "$lists JSON Lines lists from \`make_lists --seed $seed\` (mean 8 agents, 2 % misspelt names,"
echo "0.1 % malformed lines; $input_mb MB), on $cores core(s) ($cpu), $(date +%Y-%m-%d)."
echo "Output to /dev/null; \`--format jsonl\`, records \`--detail full\` (the default) or \`brief\`."
echo
echo "| run                                              | seconds | lists/s | lists/s per core |"
echo "|--------------------------------------------------|---------|---------|------------------|"
row() {  # label, seconds, cores used
    local r
    r=$(rate "$lists" "$2")
    printf '| %-48s | %7.2f | %7s | %16s |\n' "$1" "$2" "$r" "$(rate "$r" "$3")"
}
row "make_lists (writing the input)" "$gen_seconds" 1
row "parse_only (RapidJSON alone, one thread)" "$parse_seconds" 1
row "batch --jobs 1" "$full_one_seconds" 1
row "batch (--jobs $cores, the default)" "$full_all_seconds" "$cores"
row "batch --detail brief --jobs 1" "$brief_one_seconds" 1
row "batch --detail brief (--jobs $cores)" "$brief_all_seconds" "$cores"
echo
ratio() {  # label, seconds
    local r
    r=$(rate "$lists" "$2")
    printf -- '- %s / parse_only: %.3f (parse_only is %.1f times as fast)\n' "$1" \
        "$(calc "$r / $parse_rate")" "$(calc "$parse_rate / $r")"
}
ratio "batch --jobs 1" "$full_one_seconds"
ratio "batch --jobs $cores" "$full_all_seconds"
ratio "batch --detail brief --jobs 1" "$brief_one_seconds"
ratio "batch --detail brief --jobs $cores" "$brief_all_seconds"
printf -- '- output per list: %.0f bytes full, %.0f bytes brief (input: %.0f bytes)\n' \
    "$(calc "$full_bytes / $lists")" "$(calc "$brief_bytes / $lists")" \
    "$(calc "$(stat -c %s "$input") / $lists")"
echo
echo "Peak resident memory of \`make_lists ... | combocheck batch --input-format jsonl -\`"
echo "(default --jobs):"
echo
for entry in "${peaks[@]}"; do
    read -r detail n kb <<<"$entry"
    printf -- '- %s, %s lists: %.1f MB\n' "$detail" "$n" "$(calc "$kb / 1024")"
done
echo
echo "Reproduce: \`bench/batch.sh $combocheck $make_lists $parse_only\`"
