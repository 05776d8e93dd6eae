#!/bin/bash
# int8 kernels against CMSIS-NN: bench/mcu/cmsis_compare.sh builds our dense layer and
# CMSIS-NN's s16 / s8 kernels (from the unmodified CMSIS-NN tree of the shared reference
# material; never copied into the project) for Cortex-M4, M7, M33 and M55 and counts their
# instructions under QEMU on the models' layer shapes (~30 s). FAILS when a build or run
# fails, when ours and CMSIS-NN's outputs differ by more than 1, when ours takes more
# instructions than CMSIS-NN's s16 kernel on any shape on any of the four cores (the wired
# CfC's shapes as its firmware runs them: the specialised rows), or when ours takes more than
# CMSIS-NN over all shapes together on any core. SKIPS loudly
# when the shared CMSIS-NN tree is absent. The table goes to build-ci/logs/cmsis-table.md.
# shellcheck source=.ci/lib.sh
. "$(dirname "$0")/../lib.sh"
ci_begin cmsis
ci_need arm-none-eabi-gcc gcc-arm-none-eabi
ci_need qemu-system-arm qemu-system-arm
cm="$CI_SHARED/anchors/cmsis-nn"
if [ ! -f "$cm/Include/arm_nnfunctions.h" ]; then
    echo "SKIP (loud): no CMSIS-NN tree at $cm: the comparison did not run"
    ci_end SKIP "no CMSIS-NN tree"
fi
table="$CI_OUT/logs/cmsis-table.md"
if ! bash bench/mcu/cmsis_compare.sh "$cm" >"$table" 2>"$CI_OUT/logs/cmsis.log"; then
    cat "$CI_OUT/logs/cmsis.log"
    ci_end FAIL "comparison failed"
fi
cat "$table"
# "- cortex-m4: ours <= CMSIS-NN s16 on K of N shapes; ... (CMSIS-NN s16, ratio R), ..."
verdict=$(awk '/^- cortex-/ {
        core = substr($2, 1, length($2) - 1); k = $8 + 0; n = $10 + 0
        r = $0; sub(/.*ratio /, "", r); sub(/\).*/, "", r)
        fig = fig sep core " " k "/" n; sep = ", "
        if (r + 0 > 1.0) { bad = bad " " core " over all shapes (ratio " r ")" }
        if (k < n) { bad = bad " " core " on " n - k " shape(s)" }
        cores++
    }
    END { if (cores < 4) bad = bad " missing cores"; print (bad == "" ? "PASS" : "FAIL") "|" fig " shapes <= CMSIS-NN s16" (bad == "" ? "" : "; over:" bad) }' "$table")
ci_end "${verdict%%|*}" "${verdict#*|}"
