#!/bin/bash
# The two target tables agree: every target sim/targets.sh emulates (what `lln verify` builds
# for) is an export target of the library, and the export's TARGET_FLAGS carry the very
# architecture flags of the emulator's table (-mcpu/-march, -mabi, -mfloat-abi, -mfpu), so a
# verified build is the build a user gets. The help texts list the targets of these tables.
# Usage: cli_targets.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_targets
# shellcheck source=sim/targets.sh
. "$(dirname "$0")/../sim/targets.sh"

expect 0 'wrote' -- "$lln" new --inputs 2 --units 4 -o "$tmp/m.lln"
export_help=$("$lln" export --help)
verify_help=$("$lln" verify --help)
n=0
while read -r name _board _float _cpu _ld flags; do
    [ -n "$name" ] || continue
    n=$((n + 1))
    out="$tmp/exp-$name"
    if ! "$lln" export "$tmp/m.lln" --target "$name" --out "$out" --float >"$tmp/log" 2>&1; then
        fail "$name: emulated by sim/targets.sh but not an export target: $(tail -n 1 "$tmp/log")"
        continue
    fi
    exported=$(sed -n 's/^TARGET_FLAGS = //p' "$out/Makefile")
    for f in $flags; do
        case $f in
        -mcpu=* | -march=* | -mabi=* | -mfloat-abi=* | -mfpu=* | -mthumb)
            case " $exported " in
            *" $f "*) ;;
            *) fail "$name: sim/targets.sh builds with $f, the export's TARGET_FLAGS are '$exported'" ;;
            esac
            ;;
        esac
    done
    grep -q -- "$name" <<<"$verify_help" || fail "$name: missing from 'lln verify --help'"
    grep -q -- "$name" <<<"$export_help" || fail "$name: missing from 'lln export --help'"
done <<<"$SIM_TABLE"
[ "$n" -gt 0 ] || fail "no target read from sim/targets.sh"
echo "checked $n emulated targets against the export table"
cli_end
