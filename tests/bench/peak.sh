#!/usr/bin/env bash
# Peak memory per request: for the largest bodies and pages chorusd allows,
# how far chorusd's anonymous resident memory (RssAnon: the heap, not the
# LMDB pages it maps, which the kernel may drop at will) rises above what
# it was before the request, sampled every few milliseconds while it runs,
# each case on a freshly started chorusd over the same data. VmHWM, which
# counts mapped file pages too, is shown beside it. Not a test: run it on a
# quiet machine.
#
# usage: tests/bench/peak.sh BUILD_DIR [N=20000]
#
# Cases: an 8 MiB batch of real-sized reviews (max_body_bytes), 8 MiB of
# nested empty arrays (the JSON bomb of issue 12), a 64 KiB small body, a
# 1 KiB vote, the largest Atom page (200 entries of 20,000 '&' each, which
# escape to five times their size: over the 32 MiB cap, refused while it is
# written), the largest widget page (50 such reviews), a Google feed part.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [N=20000]" >&2; exit 2; }
build=$1
n=${2:-20000}
command -v python3 >/dev/null || { echo "$0: needs python3" >&2; exit 1; }

. "$(dirname "$0")/lib.sh"
bench_init peak
bench_key peak
bench_demo "$build" "$n"

hwm() { awk '/^VmHWM/ {print $2}' "/proc/$pid/status"; }
anon() { awk '/^RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0; }

python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
body = "The hinge cracked after a month of opening the lid. " * 17
items, size = [], 2
while True:
    it = json.dumps({"product_id": "peak-%d" % (len(items) % 40), "rating": 1 + len(items) % 5,
                     "title": "Hinge cracked", "body": body[:900], "author": "reader"})
    if size + len(it) + 1 > 8 * 1024 * 1024 - 64:
        break
    items.append(it)
    size += len(it) + 1
open(d + "/batch.json", "w").write("[" + ",".join(items) + "]")
n = (8 * 1024 * 1024 - 64) // 3
open(d + "/bomb.json", "w").write("[" + "[]," * (n - 1) + "[]]")
open(d + "/small.json", "w").write("{" + " " * (64 * 1024 - 20) + "\"name\":\"x\"}")
open(d + "/vote.json", "w").write("{\"helpful\":true" + " " * (1024 - 16) + "}")
amp = [json.dumps({"product_id": "amp-1", "rating": 1, "title": "&" * 200, "body": "&" * 20000})
       for _ in range(200)]
open(d + "/amp.json", "w").write("[" + ",".join(amp) + "]")
PY

post() { # path file [method]
    curl -s -o /dev/null -w '%{http_code}' -X "${3:-POST}" -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' --data-binary "@$2" "$base$1"
}

# Reviews of 20,000 '&' for the page cases, stored once.
bench_chorusd "$build" --data "$tmp/data" --threads 2
[ "$(post /api/v1/reviews "$tmp/amp.json")" = 201 ] || { echo "$0: cannot store the page reviews" >&2; exit 1; }
vote_id=$(curl -s "$base/api/v1/products/amp-1/reviews?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["reviews"][0]["id"])')
bench_chorusd_stop

printf '%-14s %7s %16s %18s\n' case status "heap rise KiB" "VmHWM rise KiB"
measure() { # command
    local before hbefore status sampler peak
    bench_chorusd "$build" --data "$tmp/data" --threads 2
    curl -sf "$base/healthz" >/dev/null
    sleep 0.5
    before=$(anon)
    hbefore=$(hwm)
    (
        m=0
        while kill -0 "$pid" 2>/dev/null; do
            a=$(anon)
            [ "${a:-0}" -gt "$m" ] && { m=$a; echo "$m" >"$tmp/peak"; }
            sleep 0.002
        done
    ) &
    sampler=$!
    echo "$before" >"$tmp/peak"
    status=$("$@")
    sleep 0.05
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    peak=$(cat "$tmp/peak")
    printf '%-14s %7s %16s %18s\n' "${1#case_}" "$status" "$((peak - before))" "$(($(hwm) - hbefore))"
    bench_chorusd_stop
}
case_batch() { post /api/v1/reviews "$tmp/batch.json"; }
case_bomb() { post /api/v1/reviews "$tmp/bomb.json"; }
case_small() { post /api/v1/products/peak-small "$tmp/small.json" PUT; }
case_vote() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$tmp/vote.json" "$base/api/v1/reviews/$vote_id/votes"; }
case_atom() { curl -s -o /dev/null -w '%{http_code}' "$base/feeds/products/amp-1.atom?limit=200"; }
case_widget() { curl -s -o /dev/null -w '%{http_code}' "$base/widget/amp-1.html?limit=50"; }
case_google() {
    for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/feeds/google-reviews/1.xml")" = 200 ] && break
        sleep 0.2
    done
    curl -s -o /dev/null -w '%{http_code}' "$base/feeds/google-reviews/1.xml"
}
measure case_batch
measure case_bomb
measure case_small
measure case_vote
measure case_atom
measure case_widget
measure case_google
