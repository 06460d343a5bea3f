# Shared by the read benchmarks (sourced, not run): a temporary folder
# cleaned up on exit, and chorusd started on a free port.
#
#   . "$(dirname "$0")/lib.sh"
#   bench_init NAME              # $tmp: a 0755 folder (nginx workers read it)
#   bench_demo BUILD N           # N demo reviews in $tmp/data
#   bench_key NAME               # $key: a write key chorusd started after takes
#   bench_chorusd BUILD ARGS...  # chorusd --listen 127.0.0.1:0 ARGS; sets $pid, $base
#                                # (prefixed by $BENCH_LAUNCH, e.g. "taskset -c 0-1")
#   bench_chorusd_stop
# An nginx started with "pid $tmp/nginx.pid" is stopped on exit too.

bench_init() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/chorus-$1.XXXXXX")
    # nginx workers run as an unprivileged user: mktemp's 0700 would make
    # every static answer a 403 (which wrk counts as fast requests).
    chmod 755 "$tmp"
    pid=""
    trap bench_cleanup EXIT
}

bench_cleanup() {
    bench_chorusd_stop
    if [ -f "$tmp/nginx.pid" ]; then kill -QUIT "$(cat "$tmp/nginx.pid")" 2>/dev/null || true; fi
    rm -rf "$tmp"
}

bench_demo() {
    echo "loading $2 demo reviews ..."
    "$1/chorus" demo --data "$tmp/data" --reviews "$2" 2>&1 | tail -1
}

bench_key() {
    key=$1-bench-key-0123456789abcdef
    export CHORUS_API_KEYS=$key
}

bench_chorusd() {
    local build=$1 line=""
    shift
    # shellcheck disable=SC2086 # BENCH_LAUNCH is a command and its words
    ${BENCH_LAUNCH:-} "$build/chorusd" --listen 127.0.0.1:0 "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    for _ in $(seq 1 200); do
        line=$(head -n 1 "$tmp/out" 2>/dev/null || true)
        [ -n "$line" ] && break
        sleep 0.05
    done
    [ -n "$line" ] || { echo "chorusd did not start:" >&2; cat "$tmp/err" >&2; exit 1; }
    base=${line#listening on }
}

bench_chorusd_stop() {
    if [ -n "${pid:-}" ]; then
        kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    fi
    pid=""
}
