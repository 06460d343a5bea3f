#!/usr/bin/env bash
# Bulk import benchmark: `chorus import` against the raw jansson + LMDB
# baseline (raw_import), on the same NDJSON file, in one run, so the ratio
# means something on whatever machine runs it. DESIGN.md asks for >= 0.6.
#
# usage: tests/bench/import.sh BUILD_DIR [N=1000000] [ROUNDS=3]
#
# The two importers run alternately, ROUNDS times each, every run into a
# fresh temporary folder; the medians are compared. Times are wall-clock
# around the whole process (date +%s.%N), not what either program reports,
# so both pay the same start-up and final commit.
set -euo pipefail

usage() {
    echo "usage: $0 BUILD_DIR [N=1000000] [ROUNDS=3]" >&2
    exit 2
}

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
    usage
fi
build=$1
n=${2:-1000000}
rounds=${3:-3}
[[ $n =~ ^[1-9][0-9]*$ ]] || usage
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage

chorus=$build/chorus
chorusd=$build/chorusd
raw=$build/tests/raw_import
post=$build/tests/post_bench
for exe in "$chorus" "$chorusd" "$raw" "$post"; do
    if [ ! -x "$exe" ]; then
        echo "$0: $exe not found; build first: cmake --build $build" >&2
        exit 1
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/chorus-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
input=$tmp/reviews.ndjson

echo "generating $n demo reviews ..."
"$chorus" demo --out "$input" --reviews "$n"
lines=$(wc -l <"$input")
bytes=$(wc -c <"$input")
echo "input: $lines lines, $((bytes / 1048576)) MiB of NDJSON"

# elapsed START END prints END - START in seconds (date +%s.%N stamps).
elapsed() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'
}

# run NAME CMD... times one run, checks it succeeded, and prints its rate.
# Its output goes to $tmp/NAME.log so a failure can be shown.
run() {
    local name=$1 t0 t1 secs
    shift
    t0=$(date +%s.%N)
    if ! "$@" >"$tmp/$name.log" 2>&1; then
        echo "$0: $name failed:" >&2
        cat "$tmp/$name.log" >&2
        exit 1
    fi
    t1=$(date +%s.%N)
    secs=$(elapsed "$t0" "$t1")
    printf '  %-6s %8.3f s  %10.0f reviews/s\n' "$name" "$secs" \
        "$(awk -v n="$lines" -v s="$secs" 'BEGIN { print n / s }')"
    echo "$secs" >>"$tmp/$name.times"
}

# post_run DIR starts chorusd on DIR, POSTs the input in NDJSON batches of
# 1,000 over 4 connections, and stops it: the HTTP ingest contestant.
post_run() {
    local dir=$1 key=bench-key-0123456789abcdef port line
    CHORUS_API_KEYS=$key "$chorusd" --data "$dir" --listen 127.0.0.1:0 >"$tmp/chorusd.out" \
        2>"$tmp/chorusd.err" &
    local pid=$!
    for _ in $(seq 1 100); do
        line=$(head -n 1 "$tmp/chorusd.out" 2>/dev/null || true)
        [ -n "$line" ] && break
        sleep 0.05
    done
    port=${line##*:}
    "$post" "http://127.0.0.1:$port/api/v1/reviews" "$input" "$key" 1000 4
    local rc=$?
    kill -TERM "$pid"
    wait "$pid" || rc=1
    return $rc
}

for ((r = 1; r <= rounds; r++)); do
    echo "round $r/$rounds"
    rm -rf "$tmp/raw.db" "$tmp/chorus.db"
    run raw "$raw" "$tmp/raw.db" "$input"
    rm -rf "$tmp/raw.db"
    run chorus "$chorus" import --data "$tmp/chorus.db" --format ndjson "$input"
    rm -rf "$tmp/chorus.db"
    run post post_run "$tmp/post.db"
    rm -rf "$tmp/post.db"
done

# median FILE prints the median of the numbers in FILE, one per line.
median() {
    sort -g "$1" | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

raw_s=$(median "$tmp/raw.times")
chorus_s=$(median "$tmp/chorus.times")
post_s=$(median "$tmp/post.times")
awk -v n="$lines" -v r="$raw_s" -v c="$chorus_s" -v p="$post_s" -v k="$rounds" 'BEGIN {
    printf "median of %d rounds:\n", k
    printf "  raw     %8.3f s  %10.0f reviews/s\n", r, n / r
    printf "  import  %8.3f s  %10.0f reviews/s\n", c, n / c
    printf "  post    %8.3f s  %10.0f reviews/s\n", p, n / p
    printf "ratio chorus import/raw: %.2f (target 0.6)\n", r / c
    printf "ratio POST /api/v1/reviews/raw: %.2f (target 0.4)\n", r / p
}'
