#!/usr/bin/env bash
# Runs every libFuzzer target of a -DCHORUS_FUZZ=ON build (BUILD_DIR/tests/
# fuzz_*, the replay programs aside) from its seed corpus in
# tests/fuzz/corpus/<target>, one after the other, with the libFuzzer
# options given (e.g. -runs=100000, or -max_total_time=150), and prints one
# line per target: inputs run, seconds, inputs per second, and how many
# inputs it added to the corpus. What a run finds new goes to a temporary folder, never into the
# committed seeds; a crash leaves its input in the current folder (replay it
# with BUILD_DIR/tests/fuzz_replay_<target> FILE) and makes the script exit 1
# after the other targets have run. tools/dev.sh test runs it with -runs;
# docs/reliability.md has a longer run.
#
# usage: tests/fuzz/run.sh BUILD_DIR [LIBFUZZER_OPTION ...]
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [LIBFUZZER_OPTION ...]" >&2; exit 2; }
build=$1
shift
corpora=$(cd "$(dirname "$0")" && pwd)/corpus
work=$(mktemp -d "${TMPDIR:-/tmp}/chorus-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

failed=""
found=0
for bin in "$build"/tests/fuzz_*; do
    name=${bin##*/fuzz_}
    case $name in replay_*) continue ;; esac
    [ -x "$bin" ] && [ -d "$corpora/$name" ] || continue
    found=$((found + 1))
    mkdir -p "$work/$name"
    start=$(date +%s.%N)
    # -max_len bounds one input as the seeds do (the parsers' caps are tested
    # by the unit tests); -timeout and -rss_limit_mb turn a hang or a memory
    # blow-up into a failure with its input kept.
    if "$bin" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$@" \
        "$work/$name" "$corpora/$name" >"$work/$name.log" 2>&1; then
        status=ok
    else
        status=FAILED
        failed="$failed $name"
        tail -n 40 "$work/$name.log" >&2
    fi
    end=$(date +%s.%N)
    awk -v n="$name" -v s="$status" -v t0="$start" -v t1="$end" -v c="$(ls "$work/$name" | wc -l)" \
        '/stat::number_of_executed_units/ { runs = $2 }
         END { t = t1 - t0; printf "fuzz_%-13s %s: %d inputs in %.1f s (%.0f/s), %d new in corpus\n",
               n, s, runs, t, (t > 0 ? runs / t : 0), c }' "$work/$name.log"
done
[ "$found" -gt 0 ] || { echo "$0: no libFuzzer targets in $build/tests" >&2; exit 1; }
[ -z "$failed" ] || { echo "fuzzing FAILED:$failed" >&2; exit 1; }
