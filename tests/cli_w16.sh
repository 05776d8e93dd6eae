#!/bin/bash
# The pre-widened int16 dense weights (LLN_RTQ_W16, runtime/lln_rtq.h) against the int8 path
# on the host: exported fixed-point models (CfC with a backbone of odd widths, the GRU, LSTM
# with projection and MLP baselines: row counts and column groups that are not multiples of 4)
# compiled with the host C compiler twice, -DLLN_RTQ_W16=0 and -DLLN_RTQ_W16=1 (the plain C
# version of the four-row kernel), stepped 40 times on varied inputs: every output and state
# value must be identical, and must vary. (The SMLAD/LDM version runs on the DSP targets in
# cli_verify.sh.) Skipped loudly without a host C compiler.
# Usage: cli_w16.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_w16
cc=${CC:-cc}
have "$cc" || skip_loud "no host C compiler ($cc)"

awk 'BEGIN { print "dt,a,b,c"; for (t = 0; t < 150; t++) printf "%.3f,%.4f,%.4f,%.4f\n", 0.02 + (t * 7 % 11) / 10.0, sin(0.1 * t), 2 * cos(0.07 * t), sin(0.3 * t + 1) }' >"$tmp/calib.csv"
"$lln" new --cell cfc --inputs 3 --units 7 --backbone-units 13 -o "$tmp/cfc.lln" >/dev/null
"$lln" new --cell cfc --inputs 3 --units 5 --backbone-layers 2 --backbone-units 6 --mode no_gate --proj-size 3 -o "$tmp/cfc2.lln" >/dev/null
"$lln" new --cell gru --inputs 3 --units 6 -o "$tmp/gru.lln" >/dev/null
"$lln" new --cell lstm --inputs 3 --units 5 --proj-size 2 -o "$tmp/lstm.lln" >/dev/null
"$lln" new --cell mlp --inputs 3 --mlp-window 3 --backbone-layers 2 --backbone-units 9 --activation tanh --proj-size 2 -o "$tmp/mlp.lln" >/dev/null

cat >"$tmp/drive.c" <<'C'
#include <stdio.h>

#include "lln_model.h"

static int16_t state[LLN_STATE_LEN + 1], s16[LLN_SCRATCH16_LEN + 1];
static int32_t s32[LLN_SCRATCH32_LEN + 1];

int main(void)
{
    int16_t x[LLN_INPUTS], y[LLN_OUTPUTS];
    lln_rtq_reset(&lln_model, state);
    for (int t = 0; t < 40; t++) {
        for (int i = 0; i < LLN_INPUTS; i++) /* every 9th step saturating */
            x[i] = (int16_t)(t % 9 == 8 ? (i % 2 ? -32768 : 32767) : ((t * 37 + i * 91) % 401 - 200) * 40);
        if (lln_rtq_step(&lln_model, state, x, LLN_DT(0.05 + 0.01 * (t % 5)), y, s16, s32) != LLN_RTQ_OK)
            return 1;
        for (int i = 0; i < LLN_OUTPUTS; i++)
            printf("%d ", y[i]);
        for (int i = 0; i < LLN_STATE_LEN; i++)
            printf("%d ", state[i]);
        printf("\n");
    }
    return 0;
}
C

for model in cfc cfc2 gru lstm mlp; do
    "$lln" quantize "$tmp/$model.lln" --calib "$tmp/calib.csv" -o "$tmp/$model.q.lln" >/dev/null ||
        { fail "quantize $model"; continue; }
    "$lln" export "$tmp/$model.q.lln" --target generic --out "$tmp/$model" >/dev/null ||
        { fail "export $model"; continue; }
    grep -q 'LLN_RTQ_W16_PICK' "$tmp/$model/lln_model.c" || fail "$model: no pre-widened weights in the export"
    for v in 0 1; do
        "$cc" -std=c99 -O1 -Wall -Wextra -Werror -DLLN_RTQ_W16=$v -I"$tmp/$model" "$tmp/drive.c" \
            "$tmp/$model/lln_model.c" "$tmp/$model/lln_rtq.c" "$tmp/$model/lln_fx.c" \
            -o "$tmp/$model.w$v" 2>"$tmp/cc.err" || { fail "$model: compile W16=$v: $(cat "$tmp/cc.err")"; continue 2; }
        "$tmp/$model.w$v" >"$tmp/$model.out$v" || fail "$model: run W16=$v"
    done
    if ! cmp -s "$tmp/$model.out0" "$tmp/$model.out1"; then
        fail "$model: W16=1 differs from W16=0: $(diff "$tmp/$model.out0" "$tmp/$model.out1" | head -3)"
    elif [ "$(sort -u "$tmp/$model.out0" | wc -l)" -lt 30 ]; then
        fail "$model: outputs barely vary ($(sort -u "$tmp/$model.out0" | wc -l) distinct lines of 40)"
    else
        echo "$model: 40 steps identical with int8 and int16 dense weights"
    fi
done

# Tables, runtime and caller built with different LLN_RTQ_W16 would read one layout as the
# other: such a build must not link (lln_rtq.h renames the step and the model by the setting).
m=$tmp/cfc
for mix in "1 0 1" "0 1 0" "1 1 0" "0 0 1"; do
    read -r vd vm vr <<<"$mix"
    for f in drive:"$tmp/drive.c":$vd model:"$m/lln_model.c":$vm rtq:"$m/lln_rtq.c":$vr; do
        IFS=: read -r name src v <<<"$f"
        "$cc" -std=c99 -c -DLLN_RTQ_W16="$v" -I"$m" "$src" -o "$tmp/mix_$name.o" ||
            fail "compile $name for the mismatch check"
    done
    "$cc" -c -I"$m" "$m/lln_fx.c" -o "$tmp/mix_fx.o"
    if "$cc" "$tmp"/mix_*.o -o "$tmp/mix" 2>"$tmp/mix.err"; then
        fail "caller W16=$vd, model W16=$vm, runtime W16=$vr linked (the layouts disagree)"
    elif ! grep -Eq 'lln_rtq_step(_w16)?|lln_model(_w16)?' "$tmp/mix.err"; then
        fail "W16 mismatch $mix: the link failed for another reason: $(head -3 "$tmp/mix.err")"
    else
        echo "caller W16=$vd, model W16=$vm, runtime W16=$vr: does not link ($(grep -Eo 'lln_(rtq_step|model)(_w16)?' "$tmp/mix.err" | sort -u | paste -sd, -))"
    fi
done
cli_end
