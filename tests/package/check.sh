#!/bin/sh
# The Debian package, as cpack makes it from this build tree. Run by ctest
# (tests/package/tests.cmake):
#   check.sh build    BUILD_DIR OUT_DIR CPACK       cpack -G DEB into OUT_DIR
#   check.sh contents OUT_DIR VERSION               files, conffiles, scripts, Depends
#   check.sh run      OUT_DIR VERSION               unpack, run the installed programs
#   check.sh install  BUILD_DIR VERSION CMAKE       cmake --install into a temporary prefix
# The package modes exit 77 (skipped) where dpkg-deb is absent: not a Debian machine.
set -eu

fail() { echo "FAIL: $*" >&2; exit 1; }

mode=$1
out=$2
if [ "$mode" != install ] && ! command -v dpkg-deb >/dev/null; then
    echo "dpkg-deb not found: skipped"
    exit 77
fi

deb() {
    set -- "$out"/chorus_*.deb
    [ -f "$1" ] || fail "no package in $out (did package.build run?)"
    [ $# -eq 1 ] || fail "more than one package in $out: $*"
    echo "$1"
}

case $mode in
build)
    build=$2
    out=$3
    cpack=$4
    rm -rf "$out"
    mkdir -p "$out"
    "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$out"
    deb >/dev/null
    ;;
contents)
    version=$3
    pkg=$(deb)
    list=$(dpkg-deb -c "$pkg")
    for f in ./usr/bin/chorusd ./usr/bin/chorus ./lib/systemd/system/chorusd.service \
        ./etc/chorus/chorusd.conf ./usr/share/doc/chorus/README.md \
        ./usr/share/doc/chorus/configuration.md ./usr/share/doc/chorus/examples/chorus.conf; do
        echo "$list" | grep -q " $f\$" || fail "$f missing from the package"
    done
    # Only the package's own paths: nothing under /usr/local or the build tree.
    if echo "$list" | grep -E ' \./(usr/local|work|tmp|home)/'; then
        fail "paths outside the package layout"
    fi

    [ "$(dpkg-deb -f "$pkg" Package)" = chorus ] || fail "Package is not chorus"
    [ "$(dpkg-deb -f "$pkg" Version)" = "$version" ] || fail "Version is not $version"
    depends=$(dpkg-deb -f "$pkg" Depends)
    echo "Depends: $depends"
    for d in adduser libevent-2.1-7 libcurl4 libxml2 libjansson4 liblmdb0 libssl3; do
        echo "$depends" | grep -Eq "(^|, )$d( |,|\$)" || fail "Depends lacks $d"
    done

    info=$(dpkg-deb -I "$pkg")
    echo "$info" | grep -Eq ' conffiles$| conffiles ' || fail "no conffiles in the control area"
    ctrl=$(mktemp -d)
    trap 'rm -rf "$ctrl"' EXIT
    dpkg-deb -e "$pkg" "$ctrl"
    grep -qx /etc/chorus/chorusd.conf "$ctrl/conffiles" || fail "chorusd.conf is not a conffile"
    [ -x "$ctrl/postinst" ] || fail "postinst missing or not executable"
    sh -n "$ctrl/postinst" || fail "postinst does not parse"
    grep -q 'adduser --system --group --home /var/lib/chorus' "$ctrl/postinst" ||
        fail "postinst does not make the chorus user"

    # The unit must start the chorusd this package installs, with its config.
    unit=$(dpkg-deb --fsys-tarfile "$pkg" | tar -xO ./lib/systemd/system/chorusd.service)
    echo "$unit" | grep -qx 'ExecStart=/usr/bin/chorusd --config /etc/chorus/chorusd.conf' ||
        fail "unit ExecStart: $(echo "$unit" | grep ExecStart)"
    ;;
run)
    version=$3
    pkg=$(deb)
    root=$(mktemp -d)
    trap 'rm -rf "$root"' EXIT
    dpkg-deb -x "$pkg" "$root"
    got=$("$root/usr/bin/chorusd" --version)
    [ "$got" = "chorusd $version" ] || fail "chorusd --version said '$got'"
    got=$("$root/usr/bin/chorus" --version)
    [ "$got" = "chorus $version" ] || fail "chorus --version said '$got'"
    # What the unit starts is an installed, executable file.
    exec_path=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$root/lib/systemd/system/chorusd.service")
    [ -x "$root$exec_path" ] || fail "ExecStart $exec_path is not in the package"
    ;;
install)
    # Outside /usr everything stays under the prefix, the unit names that
    # prefix's chorusd, and a second install keeps an edited config.
    build=$2
    version=$3
    cmake=$4
    prefix=$(mktemp -d)
    trap 'rm -rf "$prefix"' EXIT
    "$cmake" --install "$build" --prefix "$prefix" >/dev/null
    unit=$prefix/lib/systemd/system/chorusd.service
    conf=$prefix/etc/chorus/chorusd.conf
    grep -qx "ExecStart=$prefix/bin/chorusd --config $conf" "$unit" ||
        fail "unit ExecStart: $(grep ExecStart "$unit")"
    got=$("$prefix/bin/chorusd" --version)
    [ "$got" = "chorusd $version" ] || fail "chorusd --version said '$got'"
    [ -f "$prefix/share/doc/chorus/README.md" ] || fail "no docs in share/doc/chorus"
    echo "# edited" >>"$conf"
    "$cmake" --install "$build" --prefix "$prefix" >/dev/null
    grep -qx "# edited" "$conf" || fail "a second install replaced the edited config"
    ;;
*)
    echo "usage: check.sh build|contents|run|install ..." >&2
    exit 2
    ;;
esac
echo "ok: $mode"
