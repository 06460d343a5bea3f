#!/usr/bin/env bash
# Sustained mixed load: for minutes, one wrk reads widgets, hosted pages,
# product and category feeds and API pages of the demo's busiest products
# while another POSTs new reviews of those same products, so reads keep
# meeting fresh versions. Every INTERVAL seconds it samples the reads' and
# writes' req/s and p99 over that interval, chorusd's memory (VmRSS, and
# RssAnon: the heap, where a leak shows; the rest of VmRSS is LMDB's map,
# which grows with the data by design) and the errors (non-2xx answers and
# socket errors). It prints a table and a verdict: no errors, latency and
# heap flat (the mean of the last third of the samples against the first
# third, at most SOAK_P99_RATIO=2 and SOAK_HEAP_RATIO=1.25), every
# acknowledged write stored, and `chorus check` clean afterwards. Exits 1
# when the verdict fails. Not a test: run it against a Release build on a
# quiet machine (docs/reliability.md).
#
# usage: tests/bench/soak.sh BUILD_DIR [SECONDS=180] [N=200000] [INTERVAL=10]
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [SECONDS=180] [N=200000] [INTERVAL=10]" >&2; exit 2; }
build=$1
secs=${2:-180}
n=${3:-200000}
interval=${4:-10}
p99_ratio=${SOAK_P99_RATIO:-2}
heap_ratio=${SOAK_HEAP_RATIO:-1.25}
command -v wrk >/dev/null || { echo "$0: needs wrk (apt-get install wrk)" >&2; exit 1; }
rounds=$((secs / interval))
[ "$rounds" -ge 3 ] || { echo "$0: SECONDS must be at least 3 intervals" >&2; exit 2; }

. "$(dirname "$0")/lib.sh"
bench_init soak

bench_demo "$build" "$n"
bench_key soak
bench_chorusd "$build" --data "$tmp/data"

# The eight products with the most reviews: the pages a real site reads most.
ids=$(curl -sf "$base/api/v1/products?sort=count&limit=8" |
    grep -o '"id":"[^"]*"' | sed 's/"id":"\(.*\)"/"\1"/' | paste -sd, -)
[ -n "$ids" ] || { echo "$0: no products in the demo data" >&2; exit 1; }
total() {
    curl -sf "$base/api/v1/products?sort=count&limit=8" |
        grep -o '"count":[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }'
}

cat >"$tmp/reads.lua" <<LUA
local ids = { $ids }
local pages = { "/widget/%s.html", "/p/%s", "/feeds/products/%s.atom",
                "/api/v1/products/%s/reviews?limit=10", "/api/v1/products/%s/reviews?sort=lowest&limit=20",
                "/api/v1/products/%s" }
local i = 0
request = function()
    i = i + 1
    if i % 20 == 0 then
        return wrk.format("GET", "/feeds/categories/laptops.atom")
    end
    local id = ids[(i % #ids) + 1]
    return wrk.format("GET", string.format(pages[(math.floor(i / #ids) % #pages) + 1], id))
end
LUA
cat >"$tmp/writes.lua" <<LUA
local ids = { $ids }
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
request = function()
    i = i + 1
    local body = string.format('{"product_id":"%s","rating":%d,"title":"Soak %d",'
        .. '"body":"Review %d of the soak, written while its product is read; the battery lasts a day."}',
        ids[(i % #ids) + 1], i % 5 + 1, i, i)
    return wrk.format(nil, nil, nil, body)
end
LUA

# summary prints "req/s p99_ms errors requests" of one wrk output.
summary() {
    awk 'function ms(v) {
             if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
             if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
             if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
             return v + 0 }
         /Requests\/sec/ { r = $2 } $1 == "99%" { p99 = ms($2) } /requests in/ { n = $1 }
         /Non-2xx/ { bad += $NF }
         /Socket errors/ { gsub(",", ""); bad += $4 + $6 + $8 + $10 }
         END { printf "%.0f %.2f %d %d\n", r, p99, bad, n }' "$1"
}
mem() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }

before=$(total)
echo "soak: $secs s in $rounds intervals of $interval s, chorusd pid $pid, products: $ids"
printf '%5s %9s %9s %9s %9s %7s %10s %10s\n' t_s reads/s r_p99_ms writes/s w_p99_ms errors \
    vmrss_kb rssanon_kb
: >"$tmp/samples"
writes=0
for r in $(seq 1 "$rounds"); do
    wrk -t1 -c32 -d"${interval}s" --latency -s "$tmp/reads.lua" "$base" >"$tmp/reads.out" &
    rpid=$!
    wrk -t1 -c4 -d"${interval}s" --latency -s "$tmp/writes.lua" "$base/api/v1/reviews" \
        >"$tmp/writes.out"
    wait "$rpid"
    read -r rr rp re _ < <(summary "$tmp/reads.out")
    read -r wr wp we wn < <(summary "$tmp/writes.out")
    writes=$((writes + wn))
    line=$(printf '%5d %9d %9.2f %9d %9.2f %7d %10d %10d' $((r * interval)) "$rr" "$rp" "$wr" \
        "$wp" $((re + we)) "$(mem VmRSS)" "$(mem RssAnon)")
    echo "$line"
    echo "$line" >>"$tmp/samples"
done
after=$(total)

# Means of the first and last thirds of the samples, and the totals.
read -r errors p99_first p99_last heap_first heap_last rps_first rps_last < <(awk -v k="$rounds" '
    { e += $6; i = NR <= k / 3 ? 1 : NR > k - k / 3 ? 2 : 0
      if (i) { p[i] += ($3 > $5 ? $3 : $5); h[i] += $8; q[i] += $2 + $4; c[i]++ } }
    END { printf "%d %.2f %.2f %.0f %.0f %.0f %.0f\n", e, p[1] / c[1], p[2] / c[2],
          h[1] / c[1], h[2] / c[2], q[1] / c[1], q[2] / c[2] }' "$tmp/samples")
bench_chorusd_stop
check=$("$build/chorus" check --data "$tmp/data" 2>&1 | tail -1) || check="FAILED: $check"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
p99r=$(ratio "$p99_last" "$p99_first")
heapr=$(ratio "$heap_last" "$heap_first")
echo "req/s (reads + writes): first third $rps_first, last third $rps_last" \
    "(ratio $(ratio "$rps_last" "$rps_first"))"
echo "p99 (worse of reads and writes): first third $p99_first ms, last third $p99_last ms" \
    "(ratio $p99r, limit $p99_ratio)"
echo "heap (RssAnon): first third $heap_first kB, last third $heap_last kB" \
    "(ratio $heapr, limit $heap_ratio)"
# wrk stops with up to its 4 connections' writes in flight each interval:
# those may be stored without wrk counting their answers.
extra=$((after - before - writes))
echo "writes: $writes acknowledged, $((after - before)) stored ($extra in flight when wrk stopped)"
echo "chorus check: $check"
fail=""
[ "$errors" -eq 0 ] || fail="$fail $errors errors;"
awk -v r="$p99r" -v l="$p99_ratio" 'BEGIN { exit !(r <= l) }' || fail="$fail p99 grew;"
awk -v r="$heapr" -v l="$heap_ratio" 'BEGIN { exit !(r <= l) }' || fail="$fail heap grew;"
[ "$extra" -ge 0 ] && [ "$extra" -le $((4 * rounds)) ] || fail="$fail writes lost;"
case $check in ok:*) ;; *) fail="$fail store inconsistent;" ;; esac
if [ -n "$fail" ]; then
    echo "verdict: FAILED:$fail"
    exit 1
fi
echo "verdict: ok: no errors, latency and heap flat, every acknowledged write stored, store consistent"
