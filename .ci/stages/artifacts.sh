#!/bin/bash
# Artifacts: what a user or a packager gets.
#  1. `make install DESTDIR=... PREFIX=/usr/local` of a Release build; the installed tree must
#     hold exactly the expected files (headers, liblln.a, liblln.so*, bin/lln, the man page,
#     lln.pc, the CMake package) and nothing else; liblln.so exports only lln_* symbols;
#     versions agree (lln --version, lln.pc, llnConfigVersion.cmake, SONAME); every installed
#     header compiles alone as C99.
#  2. The man page renders without warnings (man -l, groff -ww, mandoc -T lint) and documents
#     every command and long option `lln --help` / `lln CMD --help` list.
#  3. Tarballs, SBOM, SHA256SUMS in build-ci/dist/ (scripts/dist.sh, as `make dist`); the
#     SBOM passes scripts/sbom_check.py (and its self-test of planted violations); the
#     source tarball builds.
#  4. tests/consumer/ built against the installed tree with find_package (static + shared)
#     and pkg-config (shared + static, via PKG_CONFIG_SYSROOT_DIR), and against the unpacked
#     binary tarball elsewhere (find_package, pkg-config --define-prefix); every binary runs.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin artifacts
ci_need cmake cmake
ci_need make make
ci_need cc gcc
ci_need git git
ci_need python3 python3
ci_need pkg-config pkgconf
ci_need nm binutils
ci_need readelf binutils
ci_need man man-db
ci_need groff groff-base
ci_need mandoc mandoc
ci_need dpkg-query dpkg

VERSION=$(scripts/version.sh) || ci_end FAIL "no version in CMakeLists.txt"
MAJOR=${VERSION%%.*}
PREFIX=/usr/local
B="$CI_OUT/artifacts-build"
DEST="$CI_OUT/artifacts-stage"
WORK="$CI_OUT/artifacts-work"
DIST="$CI_OUT/dist"
TREE="$DEST$PREFIX"
rm -rf "$DEST" "$WORK"
mkdir -p "$WORK"
fails=()
fail() {
    echo "FAIL: $*"
    fails+=("$*")
}
finish() {
    [ ${#fails[@]} -eq 0 ] || ci_end FAIL "${fails[0]}$([ ${#fails[@]} -gt 1 ] && echo " (+$((${#fails[@]} - 1)) more)")"
}
echo "version $VERSION (CMakeLists.txt), prefix $PREFIX, DESTDIR $DEST"

# ---- 1. install --------------------------------------------------------------------------
if ! ci_run artifacts-install make install BUILD="$B" DESTDIR="$DEST" PREFIX="$PREFIX" \
    JOBS="$CI_JOBS" SHARED="$CI_SHARED" CMAKE_FLAGS=-DCMAKE_BUILD_TYPE=Release; then
    fail "make install DESTDIR=... failed"
    finish
fi

# expected: every header of include/lln, the libraries, the CLI, man page, pkg-config, CMake
expected=(bin/lln lib/liblln.a lib/liblln.so "lib/liblln.so.$MAJOR" "lib/liblln.so.$VERSION"
    share/man/man1/lln.1 lib/pkgconfig/lln.pc lib/cmake/lln/llnConfig.cmake
    lib/cmake/lln/llnConfigVersion.cmake lib/cmake/lln/llnTargets.cmake
    share/doc/liquid-edge/LICENSE share/doc/liquid-edge/README.md)
for h in include/lln/*.h; do
    expected+=("$h")
done
missing=0
for f in "${expected[@]}"; do
    if [ ! -e "$TREE/$f" ]; then
        fail "not installed: $f"
        missing=$((missing + 1))
    fi
done
[ -x "$TREE/bin/lln" ] || fail "bin/lln is not executable"
# nothing else: allowed are the expected files, llnTargets-<config>.cmake, share/doc files and
# the ROS 2 node bin/lln-ros2 (installed when Cyclone DDS was found; it must then run)
nfiles=0
while IFS= read -r f; do
    nfiles=$((nfiles + 1))
    case " ${expected[*]} " in *" $f "*) continue ;; esac
    case "$f" in
    lib/cmake/lln/llnTargets-*.cmake | share/doc/liquid-edge/*) ;;
    bin/lln-ros2) "$TREE/bin/lln-ros2" --help >/dev/null 2>&1 || fail "installed lln-ros2 does not run" ;;
    *) fail "unexpected installed file: $f" ;;
    esac
done < <(cd "$TREE" && find . \( -type f -o -type l \) | sed 's,^\./,,' | sort)
echo "installed: $nfiles files, $missing missing"
ci_metric installed_files "$nfiles"
finish # the rest needs a complete installation

# exported symbols of the shared library: only the lln_* API
so="$TREE/lib/liblln.so.$VERSION"
nm -D --defined-only "$so" | awk '{print $NF}' | sort >"$WORK/exports.txt"
nexp=$(wc -l <"$WORK/exports.txt")
if grep -v '^lln_' "$WORK/exports.txt" >"$WORK/exports-bad.txt"; then
    fail "liblln.so exports $(wc -l <"$WORK/exports-bad.txt") non-lln_ symbols: $(head -n 5 "$WORK/exports-bad.txt" | tr '\n' ' ')"
fi
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "liblln.so.$MAJOR" ] || fail "SONAME is '$soname', expected liblln.so.$MAJOR"
echo "liblln.so: $nexp exported symbols, all lln_*; SONAME $soname"
ci_metric exported_symbols "$nexp"

# versions agree
v_cli=$("$TREE/bin/lln" --version 2>&1)
[ "$v_cli" = "lln $VERSION" ] || fail "installed lln --version says '$v_cli', expected 'lln $VERSION'"
v_pc=$(sed -n 's/^Version: *//p' "$TREE/lib/pkgconfig/lln.pc")
[ "$v_pc" = "$VERSION" ] || fail "lln.pc Version is '$v_pc', expected $VERSION"
pc_prefix=$(sed -n 's/^prefix=//p' "$TREE/lib/pkgconfig/lln.pc")
[ "$pc_prefix" = "$PREFIX" ] || fail "lln.pc prefix is '$pc_prefix', expected $PREFIX"
grep -q "PACKAGE_VERSION \"$VERSION\"" "$TREE/lib/cmake/lln/llnConfigVersion.cmake" ||
    fail "llnConfigVersion.cmake does not say version $VERSION"
echo "versions: lln --version, lln.pc, llnConfigVersion.cmake: $VERSION"

# the installed CLI works
if "$TREE/bin/lln" new --inputs 3 --wiring autoncp --units 10 --outputs 2 -o "$WORK/m.lln" \
    >"$WORK/lln-new.log" 2>&1 && "$TREE/bin/lln" info "$WORK/m.lln" >"$WORK/lln-info.log" 2>&1 &&
    printf 'a,b,c\n1,2,3\n0.5,0,-1\n' | "$TREE/bin/lln" run "$WORK/m.lln" >"$WORK/lln-run.log" 2>&1 &&
    [ "$(wc -l <"$WORK/lln-run.log")" -eq 3 ]; then
    echo "installed lln: new, info, run ok"
else
    fail "installed lln new/info/run failed (logs in $WORK)"
fi

# every installed header compiles alone, as C99, warning-free
hdr_bad=0
for h in "$TREE"/include/lln/*.h; do
    printf '#include <lln/%s>\n' "${h##*/}" >"$WORK/hdr.c"
    if ! cc -std=c99 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$TREE/include" \
        "$WORK/hdr.c" 2>"$WORK/hdr.log"; then
        fail "installed header lln/${h##*/} does not compile alone as C99: $(head -n 3 "$WORK/hdr.log")"
        hdr_bad=$((hdr_bad + 1))
    fi
done
[ "$hdr_bad" -eq 0 ] && echo "headers: each compiles alone (C99, -Werror)"

# ---- 2. man page -----------------------------------------------------------------------
man1="$TREE/share/man/man1/lln.1"
man_fails=${#fails[@]}
if ! LC_ALL=C MANWIDTH=80 man --warnings -l "$man1" >"$WORK/man.txt" 2>"$WORK/man-warn.txt" ||
    [ -s "$WORK/man-warn.txt" ]; then
    fail "man -l lln.1: $(head -n 3 "$WORK/man-warn.txt")"
fi
if ! groff -man -Tutf8 -ww -z "$man1" 2>"$WORK/groff-warn.txt" || [ -s "$WORK/groff-warn.txt" ]; then
    fail "groff -ww lln.1: $(head -n 3 "$WORK/groff-warn.txt")"
fi
if ! mandoc -T lint -W warning "$man1" >"$WORK/mandoc-lint.txt" 2>&1; then
    fail "mandoc -T lint lln.1: $(head -n 3 "$WORK/mandoc-lint.txt")"
fi
# plain text for the content checks: wide, no hyphenation, so option names stay whole
LC_ALL=C MANWIDTH=250 man --nh --nj -l "$man1" 2>/dev/null | sed 's/.\x08//g' >"$WORK/man-plain.txt"
for sec in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" FILES "SEE ALSO"; do
    grep -q "^$sec\$" "$WORK/man-plain.txt" || fail "man page has no $sec section"
done
# every command and long option of the CLI's own help is in the man page
cmds=$("$TREE/bin/lln" --help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}')
[ -n "$cmds" ] || fail "no commands found in lln --help"
undoc=""
for c in $cmds; do
    grep -q "^   lln $c" "$WORK/man-plain.txt" || undoc="$undoc $c"
    for o in $("$TREE/bin/lln" "$c" --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
        [ "$o" = --help ] && continue
        grep -q -- "$o" "$WORK/man-plain.txt" || undoc="$undoc $c:$o"
    done
done
[ -z "$undoc" ] || fail "man page does not document:$undoc"
[ ${#fails[@]} -eq "$man_fails" ] &&
    echo "man page: renders without warnings (man, groff -ww, mandoc lint); documents the $(echo "$cmds" | wc -w) commands and their options"

# ---- 3. tarballs, SBOM, checksums (as `make dist`) ---------------------------------------
if ci_run artifacts-dist sh scripts/dist.sh "$DEST" "$PREFIX" "$DIST"; then
    grep '^dist.sh\|^sbom' "$CI_OUT/logs/artifacts-dist.log"
else
    fail "scripts/dist.sh (tarballs, SBOM, SHA256SUMS) failed"
fi
os=$(uname -s | tr '[:upper:]' '[:lower:]')
src_tgz="$DIST/liquid-edge-$VERSION.tar.gz"
bin_tgz="$DIST/liquid-edge-$VERSION-$os-$(uname -m).tar.gz"
sbom="$DIST/liquid-edge-$VERSION.cdx.json"
ntar=0
for f in "$src_tgz" "$bin_tgz" "$sbom" "$DIST/SHA256SUMS"; do
    [ -s "$f" ] || fail "missing artifact: ${f#"$CI_ROOT"/}"
done
if [ -s "$DIST/SHA256SUMS" ]; then
    if (cd "$DIST" && sha256sum --quiet -c SHA256SUMS); then
        echo "SHA256SUMS: $(wc -l <"$DIST/SHA256SUMS") files verified"
    else
        fail "sha256sum -c SHA256SUMS failed"
    fi
fi
# source tarball: right top directory, the files a build needs, no build output; it builds
if [ -s "$src_tgz" ]; then
    tar tzf "$src_tgz" >"$WORK/src-list.txt"
    if grep -v "^liquid-edge-$VERSION/" "$WORK/src-list.txt" | grep -q .; then
        fail "source tarball has entries outside liquid-edge-$VERSION/"
    fi
    for f in CMakeLists.txt LICENSE README.md docs/lln.1 cmake/lln.pc.in cmake/llnConfig.cmake.in \
        include/lln/lln.h tests/consumer/consumer.c scripts/deps.sh; do
        grep -qx "liquid-edge-$VERSION/$f" "$WORK/src-list.txt" || fail "source tarball lacks $f"
    done
    if grep -E "^liquid-edge-$VERSION/(build[^/]*|dist)/|\.o$" "$WORK/src-list.txt" | head -n 3 | grep .; then
        fail "source tarball contains build output"
    fi
    mkdir -p "$WORK/src" && tar xzf "$src_tgz" -C "$WORK/src"
    s="$WORK/src/liquid-edge-$VERSION"
    if ci_run artifacts-srcbuild cmake -S "$s" -B "$WORK/src-build" -DCMAKE_BUILD_TYPE=Release &&
        ci_run artifacts-srcbuild2 cmake --build "$WORK/src-build" -j "$CI_JOBS" --target lln lln_shared &&
        [ "$("$WORK/src-build/lln" --version)" = "lln $VERSION" ]; then
        echo "source tarball: $(wc -l <"$WORK/src-list.txt") entries; builds; lln --version ok"
        ntar=$((ntar + 1))
    else
        fail "the source tarball does not build (or its lln --version is not $VERSION)"
    fi
fi
# binary tarball: one top directory holding the installed tree, byte for byte
if [ -s "$bin_tgz" ]; then
    top="liquid-edge-$VERSION-$os-$(uname -m)"
    mkdir -p "$WORK/unpacked" && tar xzf "$bin_tgz" -C "$WORK/unpacked"
    tops=("$WORK"/unpacked/*)
    if [ ${#tops[@]} -ne 1 ] || [ "${tops[0]}" != "$WORK/unpacked/$top" ]; then
        fail "binary tarball top directory is '${tops[*]##*/}', expected $top"
    elif ! diff -r "$TREE" "$WORK/unpacked/$top" >"$WORK/bin-diff.txt" 2>&1; then
        fail "binary tarball differs from the installed tree: $(head -n 3 "$WORK/bin-diff.txt")"
    else
        echo "binary tarball: $top/, identical to the installed tree"
        ntar=$((ntar + 1))
    fi
fi
# SBOM: valid, and the checker catches planted violations
ncomp=0
if [ -s "$sbom" ]; then
    if python3 scripts/sbom_check.py "$sbom" --self-test; then
        ncomp=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["components"]))' "$sbom")
        python3 - "$sbom" "$VERSION" <<'PY' || fail "SBOM lacks liblln/lln $VERSION or liblln's zlib dependency"
import json, sys
b, v = json.load(open(sys.argv[1])), sys.argv[2]
names = {c["name"]: c for c in b["components"]}
assert names["liblln"]["version"] == v and names["lln"]["version"] == v
assert b["metadata"]["component"]["version"] == v
deps = {d["ref"]: d["dependsOn"] for d in b["dependencies"]}
assert any("/zlib1g@" in x for x in deps[names["liblln"]["bom-ref"]])
PY
    else
        fail "SBOM check failed: $(python3 scripts/sbom_check.py "$sbom" 2>&1 | head -n 3 | tr '\n' ' ')"
    fi
fi
ci_metric tarballs "$ntar"
ci_metric sbom_components "$ncomp"

# ---- 4. consumers ----------------------------------------------------------------------
nok=0
ntry=0
run_consumer() { # run_consumer LABEL BINARY [LIBDIR-THE-.so-MUST-COME-FROM]
    ntry=$((ntry + 1))
    if [ ! -x "$2" ]; then
        fail "consumer $1: not built"
        return
    fi
    if ! "$2" >"$WORK/run-$1.log" 2>&1; then
        fail "consumer $1 failed: $(tail -n 2 "$WORK/run-$1.log" | tr '\n' ' ')"
        return
    fi
    if [ -n "${3:-}" ]; then
        got=$(ldd "$2" | sed -n 's/.*liblln\.so[.0-9]* => \([^ ]*\).*/\1/p')
        case "$got" in
        "$3"/*) ;;
        *) fail "consumer $1 loads liblln from '$got', not from $3"; return ;;
        esac
    elif ldd "$2" | grep -q 'liblln\.so'; then
        fail "consumer $1 should be linked statically but needs liblln.so"
        return
    fi
    echo "consumer $1: $(cat "$WORK/run-$1.log")"
    nok=$((nok + 1))
}
cons=tests/consumer
# find_package against the DESTDIR tree
if ! ci_run artifacts-consumer-cmake cmake -S "$cons" -B "$WORK/consumer-cmake" \
    -DCMAKE_PREFIX_PATH="$TREE" -DLLN_EXPECT_VERSION="$VERSION" ||
    ! ci_run artifacts-consumer-cmake-build cmake --build "$WORK/consumer-cmake"; then
    fail "consumer: find_package(lln) build against the installed tree failed"
fi
run_consumer cmake-static "$WORK/consumer-cmake/consumer_static"
run_consumer cmake-shared "$WORK/consumer-cmake/consumer_shared" "$TREE/lib"
# pkg-config against the DESTDIR tree: the .pc says prefix=/usr/local, the sysroot maps it
mkdir -p "$WORK/consumer-pc"
PKG_CONFIG_LIBDIR="$TREE/lib/pkgconfig" PKG_CONFIG_PATH="" PKG_CONFIG_SYSROOT_DIR="$DEST" \
    ci_run artifacts-consumer-pc make -C "$cons" OUT="$WORK/consumer-pc" \
    LLN_EXPECT_VERSION="$VERSION" || fail "consumer: pkg-config build against the installed tree failed"
run_consumer pc-shared "$WORK/consumer-pc/consumer_pc" "$TREE/lib"
run_consumer pc-static "$WORK/consumer-pc/consumer_pc_static"
# the unpacked binary tarball, somewhere else: find_package and pkg-config --define-prefix
up="$WORK/unpacked/liquid-edge-$VERSION-$os-$(uname -m)"
if [ -d "$up" ]; then
    if ! ci_run artifacts-consumer-reloc cmake -S "$cons" -B "$WORK/consumer-reloc" \
        -DCMAKE_PREFIX_PATH="$up" -DLLN_EXPECT_VERSION="$VERSION" ||
        ! ci_run artifacts-consumer-reloc-build cmake --build "$WORK/consumer-reloc" \
            --target consumer_shared; then
        fail "consumer: find_package(lln) build against the unpacked binary tarball failed"
    fi
    run_consumer tarball-cmake "$WORK/consumer-reloc/consumer_shared" "$up/lib"
    mkdir -p "$WORK/consumer-reloc-pc"
    PKG_CONFIG_LIBDIR="$up/lib/pkgconfig" PKG_CONFIG_PATH="" \
        ci_run artifacts-consumer-reloc-pc make -C "$cons" OUT="$WORK/consumer-reloc-pc" \
        PCFLAGS=--define-prefix LLN_EXPECT_VERSION="$VERSION" "$WORK/consumer-reloc-pc/consumer_pc" ||
        fail "consumer: pkg-config --define-prefix build against the unpacked binary tarball failed"
    run_consumer tarball-pc "$WORK/consumer-reloc-pc/consumer_pc" "$up/lib"
fi
ci_metric consumers_ok "$nok"
ci_metric consumers "$ntry"

finish
ci_end PASS "install ok ($nfiles files, $nexp symbols), consumer $nok/$ntry, $ntar tarballs, SBOM $ncomp components"
