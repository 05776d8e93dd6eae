#!/bin/bash
# The LTC's compile-time synapse shifts in an exported lln_rtq_config.h (src/deploy/
# export_q_ltc.c): the exported example built on the host with them gives the same outputs as
# without them (the run-time path), and a header whose shift does not match the model makes
# lln_rtq_step refuse with LLN_RTQ_E_PART (the example exits 1) instead of computing wrong
# values. Usage: cli_ltc_shift.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_ltc_shift
need_tools "apt-get install gcc make" cc make

"$lln" new --inputs 8 --wiring autoncp --units 19 --outputs 4 --seed 1 -o "$tmp/m.lln" \
    >/dev/null || fail "new"
awk 'BEGIN { print "dt,x0,x1,x2,x3,x4,x5,x6,x7"; for (t = 0; t < 200; t++) {
    printf "%.3f", 0.02 + (t * 7 % 11) / 20.0; for (i = 0; i < 8; i++) printf ",%.4f", sin(0.1 * t + i);
    print "" } }' >"$tmp/calib.csv"
"$lln" quantize "$tmp/m.lln" --calib "$tmp/calib.csv" -o "$tmp/m.q.lln" >/dev/null ||
    fail "quantize"
"$lln" export "$tmp/m.q.lln" --target generic --out "$tmp/fw" >/dev/null || fail "export"
cfg="$tmp/fw/lln_rtq_config.h"
if ! grep -qE '^#define LLN_RTQ_LTC_SH_S [0-9]+$' "$cfg" ||
    ! grep -qE '^#define LLN_RTQ_LTC_SH_R [0-9]+$' "$cfg"; then
    fail "the exported config has no LTC shifts: $(cat "$cfg")"
fi

build() { # build DIR: the example, quietly
    make -C "$1" -s example >"$tmp/make.log" 2>&1 || fail "make in $1: $(cat "$tmp/make.log")"
}
cp -r "$tmp/fw" "$tmp/generic"
sed -i '/LLN_RTQ_LTC_SH_[SR]/d' "$tmp/generic/lln_rtq_config.h"
cp -r "$tmp/fw" "$tmp/wrong"
sh=$(sed -nE 's/^#define LLN_RTQ_LTC_SH_R ([0-9]+)$/\1/p' "$cfg")
sed -i "s/^#define LLN_RTQ_LTC_SH_R $sh\$/#define LLN_RTQ_LTC_SH_R $((sh + 1))/" "$tmp/wrong/lln_rtq_config.h"
grep -q "^#define LLN_RTQ_LTC_SH_R $((sh + 1))$" "$tmp/wrong/lln_rtq_config.h" ||
    fail "could not edit the wrong copy"
for d in fw generic wrong; do build "$tmp/$d"; done

with=$("$tmp/fw/example") || fail "the example with the constants failed"
without=$("$tmp/generic/example") || fail "the example without the constants failed"
if [ -z "$with" ] || [ "$with" != "$without" ]; then
    fail "outputs differ with and without the constants: '$with' vs '$without'"
fi
expect_exit 1 "a mismatched shift" "$tmp/wrong/example"
[ -s "$tmp/out" ] && fail "the mismatched build printed a step: $(head -n 2 "$tmp/out")"
cli_end
