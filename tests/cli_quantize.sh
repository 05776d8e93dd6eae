#!/bin/bash
# lln quantize on a trained model: calibration on the training windows of a generated
# line-follow log, the task metric of the float64 model and of the fixed-point runtime on
# every split (within 1 % relative), the fixed-point firmware bit-exact under QEMU on a
# Cortex-M4 (when the emulator is there), and the command's refusals.
# Usage: cli_quantize.sh PATH/TO/lln
set -u
lln=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_quantize

"$lln" data make line-follow --rows 6000 --seed 3 -o "$tmp/lf.csv" >/dev/null || fail "data make"
for cell in ltc wired_cfc; do
    "$lln" train --data "$tmp/lf.csv" --sequence episode --dt-column dt --ignore t \
        --targets cmd_l,cmd_r --window 32 --stride 16 --cell "$cell" --wiring autoncp \
        --units 12 --seed 5 --epochs 4 --threads 1 --quiet -o "$tmp/$cell.lln" >/dev/null 2>&1 ||
        fail "train $cell"
    out=$("$lln" quantize "$tmp/$cell.lln" --data "$tmp/lf.csv" --calib-windows 64 \
        -o "$tmp/$cell.q.lln" 2>&1) || fail "quantize --data $cell: $out"
    grep -q 'calibrated on 64 training windows' <<<"$out" || fail "$cell: calibration count: $out"
    for split in train valid test; do
        rel=$(awk -v s="$split" '$1 == s && $2 == "mse" { gsub(/[(%+]/, "", $7); print $7 }' <<<"$out")
        if [ -z "$rel" ] || ! awk -v r="$rel" 'BEGIN { exit !(r < 1 && r > -1) }'; then
            fail "$cell: $split mse float vs fixed differs by '$rel' % (want within 1 %): $out"
        fi
    done
    printf '%-10s %s\n' "$cell" "$(grep '^  test' <<<"$out")"
    # the metric is recorded in the model (lln compare reads it): the same numbers as printed
    info=$("$lln" info "$tmp/$cell.q.lln")
    printed=$(awk '$1 == "test" && $2 == "mse" { print $6 }' <<<"$out")
    stored=$(awk '$1 == "meta" && $2 == "quant.test.fixed" { print $4 }' <<<"$info")
    if [ -z "$stored" ] || ! awk -v a="$printed" -v b="$stored" 'BEGIN { d = a - b; if (d < 0) d = -d
            m = b < 0 ? -b : b; exit !(d <= 1e-5 * m + 1e-12) }'; then
        fail "$cell: quant.test.fixed '$stored' is not the printed test mse '$printed'"
    fi
    grep -q 'quant.metric = mse' <<<"$info" || fail "$cell: quant.metric not recorded: $info"
    if have arm-none-eabi-gcc qemu-system-arm; then
        v=$("$lln" verify "$tmp/$cell.q.lln" --target cortex-m4 --steps 12 2>&1)
        grep -qx PASS <<<"$v" || fail "verify $cell on cortex-m4: $v"
    else
        echo "SKIP (loud): no arm-none-eabi-gcc / qemu-system-arm: the firmware part is not run" >&2
    fi
done

# refusals
expect_rc 2 'give --data FILE or --calib CSV' "neither data nor calib" -- \
    "$lln" quantize "$tmp/ltc.lln" -o "$tmp/x.lln"
expect_rc 2 'give --data FILE or --calib CSV' "both data and calib" -- \
    "$lln" quantize "$tmp/ltc.lln" --data "$tmp/lf.csv" --calib "$tmp/lf.csv" -o "$tmp/x.lln"
expect_rc 2 'calib-valid goes with --calib' "--calib-valid without --calib" -- \
    "$lln" quantize "$tmp/ltc.lln" --data "$tmp/lf.csv" --calib-valid "$tmp/lf.csv" -o "$tmp/x.lln"
expect_rc 2 'calib-windows' "negative --calib-windows" -- \
    "$lln" quantize "$tmp/ltc.lln" --data "$tmp/lf.csv" --calib-windows -3 -o "$tmp/x.lln"
{ head -n 3 "$tmp/lf.csv"; head -n 4 "$tmp/lf.csv" | tail -n 1 | sed 's/,[^,]*$/,abc/'; } >"$tmp/bad.csv"
expect_rc 1 'bad.csv:4' "bad data" -- \
    "$lln" quantize "$tmp/ltc.lln" --data "$tmp/bad.csv" -o "$tmp/x.lln"
[ ! -e "$tmp/x.lln" ] || fail "a failed quantize left $tmp/x.lln behind"
"$lln" quantize --help | grep -q -- '--calib-windows' || fail "--help lacks --calib-windows"

cli_end
