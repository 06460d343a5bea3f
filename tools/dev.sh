#!/usr/bin/env bash
# Developer entry points, used by README.md and .ci/run:
#   tools/dev.sh demo   install what is missing, build, load demo data, serve on 127.0.0.1:8080
#   tools/dev.sh test   install what is missing, build with ASan+UBSan, run the whole test suite
#                       (but the tests labelled "long"), then the thread-sharing tests under
#                       ThreadSanitizer, then every libFuzzer target for a fixed number of inputs
#   tools/dev.sh deps   only install the Debian packages
#   tools/dev.sh axe DIR  fetch axe-core (pinned below) into DIR/axe for the browser tests
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# dpkg-dev: dpkg-shlibdeps, which writes the Debian package's Depends (tests/package).
packages=(build-essential cmake pkg-config dpkg-dev libevent-dev libcurl4-openssl-dev libxml2-dev
          libjansson-dev liblmdb-dev libcmocka-dev clang-format curl nginx
          chromium fonts-dejavu-core clang libclang-rt-dev nodejs npm)

# axe-core, the accessibility engine of the browser tests (docs/widget.md#accessibility):
# fetched from the npm registry at this version, never kept in the repository.
AXE_VERSION=4.14.1

# axe puts axe-core@AXE_VERSION under $1/axe/node_modules, where the browser tests
# look for it (tests/browser/tests.cmake), unless that version is there already.
axe() {
    local dir=$1/axe
    if grep -qs "\"version\": \"$AXE_VERSION\"" "$dir/node_modules/axe-core/package.json"; then
        return 0
    fi
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund \
        "axe-core@$AXE_VERSION"
}

deps() {
    local missing=()
    for p in "${packages[@]}"; do
        # NodeSource's nodejs package carries npm and conflicts with Debian's:
        # an npm on PATH is enough.
        if [ "$p" = npm ] && command -v npm >/dev/null; then
            continue
        fi
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

jobs=$(nproc 2>/dev/null || echo 2)

case "${1:-}" in
deps)
    deps
    ;;
axe)
    axe "${2:?usage: tools/dev.sh axe BUILD_DIR}"
    ;;
demo)
    deps
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCHORUS_TESTS=OFF >/dev/null
    cmake --build build -j"$jobs"
    data=${CHORUS_DATA:-$root/demo-data}
    if [ ! -e "$data/data.mdb" ]; then
        ./build/chorus demo --data "$data" --reviews "${CHORUS_DEMO_REVIEWS:-200000}"
    fi
    if [ -z "${CHORUS_API_KEYS:-}" ]; then
        keyfile="$data/demo-api-key"
        [ -s "$keyfile" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$keyfile"
        export CHORUS_API_KEYS=$(cat "$keyfile")
        echo "write API key (from $keyfile): $CHORUS_API_KEYS"
    fi
    listen=${CHORUS_LISTEN:-127.0.0.1:8080}
    # The engineer digest is private: one reader token for the demo, made once.
    tokfile="$data/demo-digest-url"
    if [ ! -s "$tokfile" ]; then
        ./build/chorus tokens create --data "$data" --name "demo reader" --url "http://$listen" |
            sed -n 's/^digest //p' >"$tokfile"
    fi
    token=$(sed -n 's/.*token=//p' "$tokfile")
    echo "widget: http://$listen/p/LUM-P14-G3-1  (iframe: http://$listen/widget/LUM-P14-G3-1.html)"
    echo "feeds: http://$listen/feeds/products/LUM-P14-G3-1.atom  http://$listen/feeds/reviews.atom"
    echo "engineer digest (from $tokfile): $(cat "$tokfile")&category=laptops"
    echo "dashboard: http://$listen/dashboard?token=$token"
    # Sources on this machine (a feed served locally, another demo chorusd)
    # may be polled: the demo lives on loopback. Production leaves it unset.
    export CHORUS_ALLOW_PRIVATE_SOURCES=${CHORUS_ALLOW_PRIVATE_SOURCES:-1}
    exec ./build/chorusd --data "$data" --listen "$listen"
    ;;
test)
    deps
    cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCHORUS_SANITIZE=address,undefined >/dev/null
    cmake --build build-test -j"$jobs"
    axe build-test
    # The tests labelled "long" take minutes (it_faults.sigkill_long: 150
    # SIGKILLs); docs/reliability.md says how to run them. Strict: a browser
    # test that lacks node or axe-core fails here instead of skipping.
    (cd build-test && CHORUS_BROWSER_STRICT=1 ctest --output-on-failure -j"$jobs" -LE long)
    # What the serving threads share, under ThreadSanitizer: the many-
    # connection tests (connection counts, key buckets, the Google feed's
    # renderer thread among them) and the unit tests of the shared pieces. A race makes
    # chorusd exit (halt_on_error), which fails the test that drove it.
    cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHORUS_SANITIZE=thread >/dev/null
    cmake --build build-tsan -j"$jobs" --target chorusd chorus it_threads it_websub it_limits \
        it_google server_cache server_ratelimit store_writer store_env
    (cd build-tsan &&
        TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
            ctest --output-on-failure -j"$jobs" \
                -R '^(it_threads|it_websub|it_limits|it_google|server_cache|server_ratelimit|store_writer|store_env)\.' \
                -E 'json_bomb') # a memory figure: ThreadSanitizer's shadow memory swamps it
    # Every libFuzzer target from its seed corpus for a fixed number of
    # inputs (clang, ASan+UBSan): about a minute and a half in all on two
    # cores. Longer runs: docs/reliability.md.
    CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHORUS_FUZZ=ON \
        -DCHORUS_SANITIZE=address,undefined >/dev/null
    cmake --build build-fuzz -j"$jobs" --target fuzzers
    tests/fuzz/run.sh build-fuzz -runs="${CHORUS_FUZZ_RUNS:-200000}"
    ;;
*)
    echo "usage: tools/dev.sh demo|test|deps|axe BUILD_DIR" >&2
    exit 2
    ;;
esac
