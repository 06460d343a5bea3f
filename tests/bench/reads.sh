#!/usr/bin/env bash
# Read benchmark: chorusd serving pages from a store of N demo reviews,
# under wrk (Debian package wrk), against nginx (package nginx) serving the
# very same bytes as static files, in one run. Reports requests/s, p99
# latency and the chorusd/nginx ratio per URL. Not a test: run it on a quiet
# machine.
#
# SET picks the URLs: "api" (JSON pages), "feeds" (Atom feeds and the
# engineer digest; also the time of the first, uncached digest render) or
# "widget" (the server-rendered widget, the first-page API call embed.js
# makes, embed.js itself and the hosted /p page).
#
# usage: tests/bench/reads.sh BUILD_DIR [N=1000000] [SECONDS=10] [SET=api]
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [N=1000000] [SECONDS=10] [api|feeds|widget]" >&2; exit 2; }
build=$1
n=${2:-1000000}
secs=${3:-10}
set=${4:-api}
command -v wrk >/dev/null || { echo "$0: needs wrk (apt-get install wrk)" >&2; exit 1; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "$0: needs nginx (apt-get install nginx)" >&2; exit 1; }

. "$(dirname "$0")/lib.sh"
bench_init reads

bench_demo "$build" "$n"
# The digest is private by default; the benchmark reads it openly.
echo "digest_access = public" >"$tmp/chorusd.conf"
bench_chorusd "$build" --config "$tmp/chorusd.conf" --data "$tmp/data"
# The demo's best-selling product: the one with the most reviews.
top=LUM-P14-G3-1

mkdir -p -m 755 "$tmp/www" "$tmp/nginx"
cat >"$tmp/nginx.conf" <<CONF
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx;
    proxy_temp_path $tmp/nginx;
    fastcgi_temp_path $tmp/nginx;
    uwsgi_temp_path $tmp/nginx;
    scgi_temp_path $tmp/nginx;
    server {
        listen 127.0.0.1:18089;
        root $tmp/www;
        types { application/atom+xml atom; application/json json; text/html html;
                application/javascript js; }
    }
}
CONF
"$nginx" -c "$tmp/nginx.conf"

# rate URL prints "REQ_PER_S P99" for a wrk run against URL.
rate() {
    wrk -t1 -c32 -d"${secs}s" --latency "$1" >"$tmp/wrk.out"
    if grep -q 'Non-2xx' "$tmp/wrk.out"; then
        echo "$0: $1 answered errors under load:" >&2
        cat "$tmp/wrk.out" >&2
        exit 1
    fi
    awk '/Requests\/sec/ { rps = $2 } / 99%/ { p99 = $2 } END { print rps, p99 }' "$tmp/wrk.out"
}
i=0

if [ "$set" = feeds ]; then
    # The digest of a category, rendered once uncached: what a reader's first
    # poll of the day costs.
    first=$(curl -s -o /dev/null -w '%{time_total}' "$base/feeds/digest.atom?category=laptops")
    echo "first (uncached) digest render for category laptops: ${first}s"
    paths=("/feeds/products/$top.atom" "/feeds/digest.atom?category=laptops"
           "/feeds/categories/laptops.atom" "/feeds/reviews.atom?limit=20")
    ext=atom
elif [ "$set" = widget ]; then
    paths=("/widget/$top.html" "/api/v1/products/$top/reviews?sort=newest&limit=5"
           "/widget/embed.js" "/p/$top")
    ext=html
else
    paths=("/api/v1/products/$top/reviews?limit=10"
           "/api/v1/products/$top/reviews?limit=10&sort=lowest&rating=1,2"
           "/api/v1/products/$top" "/api/v1/products?category=laptops&sort=count&limit=20")
    ext=json
fi

for path in "${paths[@]}"; do
    i=$((i + 1))
    curl -s "$base$path" >"$tmp/www/p$i.$ext"
    echo "GET $path ($(wc -c <"$tmp/www/p$i.$ext") bytes)"
    # Both must answer 200 with the same bytes, or the ratio means nothing.
    curl -sf "http://127.0.0.1:18089/p$i.$ext" | cmp -s - "$tmp/www/p$i.$ext" ||
        { echo "$0: nginx does not serve the same bytes for $path" >&2; exit 1; }
    read -r c_rps c_p99 < <(rate "$base$path")
    read -r n_rps n_p99 < <(rate "http://127.0.0.1:18089/p$i.$ext")
    awk -v c="$c_rps" -v cp="$c_p99" -v n="$n_rps" -v np="$n_p99" 'BEGIN {
        printf "  chorusd %9.0f req/s  p99 %-8s nginx static %9.0f req/s  p99 %-8s ratio %.2f\n",
            c, cp, n, np, c / n }'
done
