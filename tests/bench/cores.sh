#!/usr/bin/env bash
# Read scaling across cores: chorusd with 1, 2, 4 ... serving threads against
# nginx with the same number of workers serving the very same bytes, each
# pinned to the same cores (taskset), wrk pinned to the others, in one run.
# Reports per URL and thread count: req/s of both, their ratio, p50 and p99,
# and the CPU each server spent per request (user + system time of all its
# threads and processes, from /proc, over the run, divided by the requests
# wrk counted). Not a test: run it on a quiet machine.
#
# usage: tests/bench/cores.sh BUILD_DIR [N=200000] [SECONDS=10] [MAX_THREADS]
#
# Server cores: 0 .. t-1; wrk: the cores after the server's largest set
# (half the machine by default, so MAX_THREADS defaults to nproc / 2). On a
# 2-core machine that is one server core and one wrk core: the CPU per
# request of 1 thread is the figure that means something, and a second pass
# lets chorusd run 2 threads on both cores (sharing them with wrk) to show
# that a second thread is used.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [N=200000] [SECONDS=10] [MAX_THREADS]" >&2; exit 2; }
build=$1
n=${2:-200000}
secs=${3:-10}
cores=$(nproc)
half=$((cores / 2 > 0 ? cores / 2 : 1))
max=${4:-$half}
[ "$max" -le "$half" ] || { echo "$0: MAX_THREADS is at most nproc / 2 ($half): wrk needs the other cores" >&2; exit 2; }
command -v wrk >/dev/null || { echo "$0: needs wrk (apt-get install wrk)" >&2; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "$0: needs nginx (apt-get install nginx)" >&2; exit 1; }
hz=$(getconf CLK_TCK)

. "$(dirname "$0")/lib.sh"
bench_init cores

bench_demo "$build" "$n"
top=LUM-P14-G3-1
paths=("/widget/$top.html" "/feeds/products/$top.atom" "/api/v1/products/$top/reviews?limit=10"
       "/api/v1/products/$top")
names=("widget (cached)" "product feed (cached)" "JSON review page" "product JSON")
mkdir -p -m 755 "$tmp/www" "$tmp/ng"

# ticks PID... prints the user + system clock ticks of every thread of
# the processes given (children's too, for nginx's workers).
ticks() {
    local t=0 p
    for p in "$@"; do
        [ -r "/proc/$p/stat" ] || continue
        t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
    done
    echo "$t"
}

# measure URL PIDS... runs wrk and prints "req/s p50 p99 cpu_us_per_request".
measure() {
    local url=$1 before after out reqs
    shift
    before=$(ticks "$@")
    out=$(taskset -c "$wcpu" wrk -t"$wt" -c"$conns" -d"${secs}s" --latency "$url" 2>&1)
    after=$(ticks "$@")
    if grep -q 'Non-2xx' <<<"$out"; then echo "$0: $url answered errors:" >&2; echo "$out" >&2; exit 1; fi
    reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
    awk -v t=$((after - before)) -v hz="$hz" -v reqs="$reqs" '
        BEGIN { rps = 0; p50 = "?"; p99 = "?" }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" { p50 = $2 }
        $1 == "99%" { p99 = $2 }
        END { printf "%s %s %s %.1f\n", rps, p50, p99, (reqs > 0 ? t * 1e6 / hz / reqs : 0) }' <<<"$out"
}

start_chorusd() { # threads cpus
    BENCH_LAUNCH="taskset -c $2" bench_chorusd "$build" --data "$tmp/data" --threads "$1"
}

start_nginx() { # workers cpus
    cat >"$tmp/nginx.conf" <<CONF
worker_processes $1;
pid $tmp/nginx.pid;
error_log $tmp/ng/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $tmp/ng; proxy_temp_path $tmp/ng; fastcgi_temp_path $tmp/ng;
    uwsgi_temp_path $tmp/ng; scgi_temp_path $tmp/ng;
    server {
        listen 127.0.0.1:18090;
        root $tmp/www;
        types { text/html html; }
    }
}
CONF
    taskset -c "$2" "$nginx" -c "$tmp/nginx.conf"
    for _ in $(seq 1 100); do [ -s "$tmp/nginx.pid" ] && break; sleep 0.05; done
    npid=$(cat "$tmp/nginx.pid")
}

stop_all() {
    bench_chorusd_stop
    kill -QUIT "$npid" 2>/dev/null || true
    for _ in $(seq 1 100); do [ -e "$tmp/nginx.pid" ] || break; sleep 0.05; done
    npid=""
}

run() { # threads server_cpus wrk_cpus
    local t=$1 i=0 npids
    scpu=$2 wcpu=$3
    wt=$(( $(taskset -c "$wcpu" nproc) ))
    conns=$((64 * t))
    start_chorusd "$t" "$scpu"
    if [ ! -s "$tmp/www/p0.html" ]; then
        for p in "${paths[@]}"; do curl -sf "$base$p" >"$tmp/www/p$i.html"; i=$((i + 1)); done
        i=0
    fi
    start_nginx "$t" "$scpu"
    npids="$npid $(pgrep -P "$npid" | tr '\n' ' ')"
    echo "== $t thread(s)/worker(s) on cpus $scpu, wrk -t$wt -c$conns on cpus $wcpu"
    for p in "${paths[@]}"; do
        curl -sf "http://127.0.0.1:18090/p$i.html" | cmp -s - "$tmp/www/p$i.html" ||
            { echo "$0: nginx does not serve the same bytes as $p" >&2; exit 1; }
        curl -sf "$base$p" >/dev/null # warm the cache
        res=$(measure "$base$p" "$pid")
        read -r c_rps c_p50 c_p99 c_cpu <<<"$res"
        # shellcheck disable=SC2086
        res=$(measure "http://127.0.0.1:18090/p$i.html" $npids)
        read -r n_rps n_p50 n_p99 n_cpu <<<"$res"
        awk -v name="${names[$i]}" -v cr="$c_rps" -v nr="$n_rps" -v c50="$c_p50" -v n50="$n_p50" \
            -v c99="$c_p99" -v n99="$n_p99" -v cc="$c_cpu" -v nc="$n_cpu" 'BEGIN {
            printf "  %-22s chorusd %8.0f req/s p50 %-8s p99 %-8s %6.1f us CPU/req | nginx %8.0f req/s p50 %-8s p99 %-8s %6.1f us CPU/req | ratio %.2f, CPU %.2fx\n",
                name, cr, c50, c99, cc, nr, n50, n99, nc, cr / nr, cc / nc }'
        i=$((i + 1))
    done
    stop_all
}

echo "machine: $cores cpus, $(uname -r)"
t=1
while [ "$t" -le "$max" ]; do
    run "$t" "0-$((t - 1))" "$t-$((cores - 1))"
    t=$((t * 2))
done
if [ "$cores" -le 2 ]; then
    # Two threads on both cores, wrk sharing them: not a scaling figure,
    # only that the second thread serves.
    run 2 "0-1" "0-1"
fi
