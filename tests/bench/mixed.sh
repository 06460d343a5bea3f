#!/usr/bin/env bash
# Reads and writes at once: chorusd (one serving thread per CPU) answers
# cached pages of the demo's best-selling product to one wrk while another
# wrk POSTs single new reviews of that same product, so every write changes
# the pages being read (new versions, renders, single flight). Reports both
# sides' req/s and latency, and checks that nothing failed: no non-2xx
# answer on either side, and the product counts exactly the reviews it had
# plus every write acknowledged. Not a test: run it on a quiet machine.
#
# usage: tests/bench/mixed.sh BUILD_DIR [N=200000] [SECONDS=10]
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [N=200000] [SECONDS=10]" >&2; exit 2; }
build=$1
n=${2:-200000}
secs=${3:-10}
command -v wrk >/dev/null || { echo "$0: needs wrk (apt-get install wrk)" >&2; exit 1; }

. "$(dirname "$0")/lib.sh"
bench_init mixed

bench_demo "$build" "$n"
bench_key mixed
bench_chorusd "$build" --data "$tmp/data"
top=LUM-P14-G3-1
count() { curl -sf "$base/api/v1/products/$top" | sed -n 's/.*"count":\([0-9]*\).*/\1/p'; }

cat >"$tmp/reads.lua" <<LUA
local paths = { "/widget/$top.html", "/feeds/products/$top.atom",
                "/api/v1/products/$top/reviews?limit=10", "/api/v1/products/$top" }
local i = 0
request = function()
    i = i + 1
    return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA
cat >"$tmp/writes.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
wrk.body = '{"product_id":"$top","rating":2,"title":"Mixed load","body":"A review written while the product page is read."}'
LUA

before=$(count)
wrk -t1 -c32 -d"${secs}s" --latency -s "$tmp/reads.lua" "$base" >"$tmp/reads.out" &
rpid=$!
wrk -t1 -c4 -d"${secs}s" --latency -s "$tmp/writes.lua" "$base/api/v1/reviews" >"$tmp/writes.out"
wait "$rpid"
after=$(count)
summary() {
    awk '/Requests\/sec/ { r = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
         /requests in/ { n = $1 } /Non-2xx/ { bad = $NF }
         END { printf "%d requests, %s req/s, p50 %s, p99 %s, non-2xx %d\n", n, r, p50, p99, bad + 0 }' "$1"
}
writes=$(awk '/requests in/ { print $1 }' "$tmp/writes.out")
echo "reads  (widget, feed, JSON page, product JSON in turn): $(summary "$tmp/reads.out")"
echo "writes (single reviews of the product being read):     $(summary "$tmp/writes.out")"
echo "product count: $before before, $after after: $((after - before)) new for $writes acknowledged writes"
grep -q Non-2xx "$tmp/reads.out" "$tmp/writes.out" && { echo "FAILED: errors under load" >&2; exit 1; }
# wrk stops with up to its 4 connections' writes in flight: those may be
# stored without wrk counting their answers, never the other way round.
extra=$((after - before - writes))
[ "$extra" -ge 0 ] && [ "$extra" -le 4 ] ||
    { echo "FAILED: $((after - before)) stored for $writes acknowledged" >&2; exit 1; }
echo "ok: no errors, every acknowledged write stored ($extra more in flight when wrk stopped)"
