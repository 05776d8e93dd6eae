#!/bin/bash
# Structural check of an ESP-IDF component written by `lln export` (Xtensa ESP32/ESP32-S3
# cannot be compiled here): the manifest's fields, the CMakeLists' registration, and that
# every listed source exists and compiles as C99 with the host compiler.
# Usage: scripts/check_idf_component.sh COMPONENT_DIR
set -u
dir=$1
fails=0
fail() { echo "idf component: $*" >&2; fails=$((fails + 1)); }
yml="$dir/idf_component.yml"
cm="$dir/CMakeLists.txt"
[ -s "$yml" ] || fail "missing idf_component.yml"
[ -s "$cm" ] || fail "missing CMakeLists.txt"
grep -qE '^version: "[0-9]+\.[0-9]+\.[0-9]+"$' "$yml" || fail "manifest: version is not a quoted semver"
grep -qE '^description: ".+"$' "$yml" || fail "manifest: no description"
if ! grep -qE '^dependencies:$' "$yml" || ! grep -qE '^  idf: ">=[0-9.]+"$' "$yml"; then
    fail "manifest: no idf version dependency"
fi
grep -q 'idf_component_register(' "$cm" || fail "CMakeLists.txt does not call idf_component_register"
grep -qE 'INCLUDE_DIRS "\."' "$cm" || fail "CMakeLists.txt: INCLUDE_DIRS must be \".\""
srcs=$(sed -nE 's/.*SRCS (("[^"]+" ?)+).*/\1/p' "$cm" | tr -d '"')
[ -n "$srcs" ] || fail "CMakeLists.txt lists no SRCS"
for s in $srcs; do
    [ -s "$dir/$s" ] || fail "SRCS lists $s but it is not in the component"
    cc -std=c99 -Wall -Wextra -Werror -ffp-contract=off -I"$dir" -c "$dir/$s" -o /dev/null ||
        fail "$s does not compile"
done
[ -s "$dir/lln_rt.h" ] || fail "missing lln_rt.h"
[ "$fails" -eq 0 ] && echo "idf component $dir: ok ($(echo "$srcs" | wc -w) sources)"
exit $((fails != 0))
