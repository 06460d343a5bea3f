#!/bin/sh
# try-cache-front.sh PORT UPSTREAM_URL
#
# Starts nginx (Debian's /usr/sbin/nginx, or $NGINX) with the shipped cache
# rules (nginx/chorus-cache.conf and nginx/chorus-http.conf, the files
# nginx/chorus.conf includes) in plain HTTP on 127.0.0.1:PORT, in front of a
# running chorusd at UPSTREAM_URL (http://HOST:PORT, e.g.
# http://127.0.0.1:8080), and prints nginx's pid once it listens.
#
# Everything nginx writes (its config, pid file, cache, temp files, error
# log) goes to a new temporary folder, printed on stderr; it is the
# directory above the pid file. Stop nginx with `kill PID` (then remove the
# folder). It needs no root: nginx's workers run as the invoking user (with
# nginx's "user" directive when that is root, which nginx requires then).
#
# Environment:
#   CHORUS_FRONT_FRESH  seconds the front keeps a public page before it
#                       revalidates with chorusd (default: the shipped 10)
#   CHORUS_FRONT_DIR    use this folder (made if missing) instead of a new
#                       temporary one
#   NGINX               the nginx binary
set -eu

usage() { echo "usage: $0 PORT UPSTREAM_URL (e.g. $0 8081 http://127.0.0.1:8080)" >&2; exit 2; }
[ $# -eq 2 ] || usage
port=$1
upstream=$2
case $port in '' | *[!0-9]*) usage ;; esac
case $upstream in
http://*) hostport=${upstream#http://}; hostport=${hostport%%/*} ;;
*) echo "$0: UPSTREAM_URL must be http://HOST:PORT" >&2; exit 2 ;;
esac
[ -n "$hostport" ] || usage
fresh=${CHORUS_FRONT_FRESH:-}
case $fresh in *[!0-9]*) echo "$0: CHORUS_FRONT_FRESH must be whole seconds" >&2; exit 2 ;; esac

nginx=${NGINX:-/usr/sbin/nginx}
[ -x "$nginx" ] || { echo "$0: $nginx not found (apt-get install nginx)" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)

if [ -n "${CHORUS_FRONT_DIR:-}" ]; then
    dir=$CHORUS_FRONT_DIR
    mkdir -p "$dir"
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/chorus-front-XXXXXX")
fi
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/cache" "$dir/temp" "$dir/conf"

cp "$here/nginx/chorus-http.conf" "$here/nginx/chorus-cache.conf" "$dir/conf/"
if [ -n "$fresh" ]; then
    # The one line that says the freshness; fail rather than run with another.
    sed "s/^proxy_cache_valid 200 10s;\$/proxy_cache_valid 200 ${fresh}s;/" \
        "$here/nginx/chorus-cache.conf" >"$dir/conf/chorus-cache.conf"
    grep -q "^proxy_cache_valid 200 ${fresh}s;\$" "$dir/conf/chorus-cache.conf" || {
        echo "$0: no 'proxy_cache_valid 200 10s;' line in nginx/chorus-cache.conf" >&2
        exit 1
    }
fi

# nginx ignores "user" unless it runs as root, and as root it would run its
# workers as nobody, who cannot write the cache in our folder (nor reach it
# inside a 0700 one): they run as the invoking user, which is root then.
user=""
[ "$(id -u)" -ne 0 ] || user="user $(id -un) $(id -gn);"

cat >"$dir/conf/nginx.conf" <<CONF
# Written by deploy/try-cache-front.sh: the shipped cache rules in plain HTTP.
$user
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 256; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/temp/body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;

    upstream chorusd {
        server $hostport;
        keepalive 8;
    }
    proxy_cache_path $dir/cache levels=1:2 keys_zone=chorus:4m max_size=256m
                     inactive=1h use_temp_path=off;
    include $dir/conf/chorus-http.conf;

    server {
        listen 127.0.0.1:$port;
        server_name localhost;
        include $dir/conf/chorus-cache.conf;
    }
}
CONF

# -p: the prefix for anything the config leaves relative; -e (nginx 1.19.5
# and later) keeps the startup error log out of /var/log/nginx.
"$nginx" -p "$dir" -e "$dir/error.log" -c "$dir/conf/nginx.conf" || {
    echo "$0: nginx did not start; $dir/error.log says:" >&2
    cat "$dir/error.log" >&2 2>/dev/null || true
    exit 1
}
# nginx returns once it has bound the port, but its background master
# writes the pid file just after: wait for it (five seconds at most).
i=0
while [ ! -s "$dir/nginx.pid" ]; do
    i=$((i + 1))
    [ $i -le 50 ] || { echo "$0: nginx wrote no pid file in $dir" >&2; exit 1; }
    sleep 0.1
done
echo "nginx for $upstream on http://127.0.0.1:$port/ in $dir" >&2
cat "$dir/nginx.pid"
