#!/usr/bin/env bash
# How evenly the serving threads share connections: chorusd with THREADS
# threads, once with one SO_REUSEPORT socket per thread (listen_reuseport =
# true, the default: the kernel hashes each new connection to a socket) and
# once with one socket all threads accept from (false: whichever loop wakes
# first takes it). wrk opens CONNS connections to the cached widget; the
# requests each thread served come from /metrics. Not a test.
#
# usage: tests/bench/balance.sh BUILD_DIR [THREADS=2] [CONNS=64] [SECONDS=5]
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [THREADS=2] [CONNS=64] [SECONDS=5]" >&2; exit 2; }
build=$1 threads=${2:-2} conns=${3:-64} secs=${4:-5}
. "$(dirname "$0")/lib.sh"
bench_init balance
"$build/chorus" demo --data "$tmp/data" --reviews 20000 >/dev/null 2>&1
for mode in true false; do
    echo "listen_reuseport = $mode" >"$tmp/conf"
    bench_chorusd "$build" --config "$tmp/conf" --data "$tmp/data" --threads "$threads"
    rps=$(wrk -t2 -c"$conns" -d"${secs}s" "$base/widget/LUM-P14-G3-1.html" |
        awk '/Requests\/sec/ { print $2 }')
    shares=$(curl -sf "$base/metrics" | awk -F'[ "]' '/^chorus_thread_requests_total/ {
        n[$2] = $NF; t += $NF } END { for (i in n) printf "%s:%.0f%% ", i, 100 * n[i] / t }')
    echo "listen_reuseport = $mode: $rps req/s; share of requests per thread: $shares"
    bench_chorusd_stop
done
