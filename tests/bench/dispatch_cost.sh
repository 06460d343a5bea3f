#!/usr/bin/env bash
# Instructions chorusd spends inside srv__dispatch per request of one URL,
# counted by valgrind's callgrind (deterministic: the count does not depend
# on how busy the machine is, so two builds compare on a shared box).
#
# usage: tests/bench/dispatch_cost.sh BUILD_DIR DATA_DIR PATH [N=300]
#   e.g. tests/bench/dispatch_cost.sh build-bench /tmp/cg-data '/widget/LUM-P14-G3-1.html'
#
# Two runs of chorusd under callgrind: one that answers PATH once (the
# first request renders and fills the cache), one that answers it 1 + N
# times; the difference over N is what a repeated request costs. DATA_DIR
# must hold a store (chorus demo --data DIR --reviews 200000).
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 BUILD_DIR DATA_DIR PATH [N=300]" >&2; exit 2; }
build=$1 data=$2 path=$3 n=${4:-300}
command -v valgrind >/dev/null || { echo "$0: needs valgrind" >&2; exit 1; }

# total N prints the instructions collected in srv__dispatch over 1 + N requests.
total() {
    local port=$((30000 + RANDOM % 20000)) out pid urls=()
    out=$(mktemp "${TMPDIR:-/tmp}/chorus-cg.XXXXXX")
    valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=srv__dispatch \
        "$build/chorusd" --data "$data" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
    curl -fs -o /dev/null "http://127.0.0.1:$port$path"
    for _ in $(seq "$1"); do urls+=("http://127.0.0.1:$port$path"); done
    if [ "$1" -gt 0 ]; then curl -fs "${urls[@]}" >/dev/null; fi
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
    rm -f "$out"
}

t0=$(total 0)
t1=$(total "$n")
echo "$path: $(( (t1 - t0) / n )) instructions per request in srv__dispatch (n=$n)"
