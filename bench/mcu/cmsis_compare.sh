#!/bin/bash
# Our int8 dense layer against CMSIS-NN's, instructions per MAC under QEMU (issue: "int8
# kernels against CMSIS-NN, side by side"). `make bench-cmsis` runs it.
#   bench/mcu/cmsis_compare.sh CMSIS_NN_DIR [TARGET...]
# Builds bench/mcu/cmsis_cmp.c with sim/build.sh (the cross compiler and flags of `lln verify`:
# -O2, the target's -mcpu/-mfpu) together with CMSIS-NN's unmodified sources read from
# CMSIS_NN_DIR (Include/, Source/; never copied into the project), runs it under sim/run.sh with
# the instruction-count plugin (COUNT=each) and prints a Markdown table: per layer shape its
# MACs and, per core, instructions per MAC of ours, of CMSIS-NN's s16 kernel (same data types)
# and of its s8 kernel (int8 activations), then the verdict "ours <= CMSIS-NN s16" per core.
# The marker overhead (an empty region, measured in the same image) is subtracted.
# Default targets: cortex-m4 cortex-m7 cortex-m33 cortex-m55. Exit status 0 when every shape
# ran and matched CMSIS-NN's output (|diff| <= 1), 1 otherwise, 2 on bad usage, 127 when a tool
# is missing (say which).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cm=${1:-}
if [ -z "$cm" ]; then
    echo "usage: bench/mcu/cmsis_compare.sh CMSIS_NN_DIR [TARGET...]" >&2
    exit 2
fi
shift
if [ ! -f "$cm/Include/arm_nnfunctions.h" ] ||
    [ ! -f "$cm/Source/NNSupportFunctions/arm_nn_vec_mat_mult_t_s16.c" ]; then
    echo "cmsis_compare: $cm: not a CMSIS-NN tree (Include/arm_nnfunctions.h," \
        "Source/NNSupportFunctions/arm_nn_vec_mat_mult_t_s16.c)" >&2
    exit 2
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(cortex-m4 cortex-m7 cortex-m33 cortex-m55)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lln-cmsis.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
src=("$root/bench/mcu/cmsis_cmp.c" "$root/runtime/lln_fx.c" "$root/sim/lln_prof.c"
    "$cm/Source/NNSupportFunctions/arm_nn_vec_mat_mult_t_s16.c"
    "$cm/Source/NNSupportFunctions/arm_nn_vec_mat_mult_t_s8.c"
    "$cm/Source/FullyConnectedFunctions/arm_vector_sum_s8.c")
rc=0
for t in "${targets[@]}"; do
    elf=$tmp/$t/cmp.elf
    "$root/sim/build.sh" "$t" "$elf" "${src[@]}" -- -I"$root/runtime" -I"$root/sim" -I"$cm/Include" \
        >"$tmp/$t.build" 2>&1
    b=$?
    if [ $b -ne 0 ]; then
        echo "cmsis_compare: $t: build failed (exit $b):" >&2
        tail -20 "$tmp/$t.build" >&2
        [ $b -eq 127 ] && exit 127
        rc=1
        continue
    fi
    COUNT=each "$root/sim/run.sh" "$t" "$elf" >"$tmp/$t.out" 2>"$tmp/$t.err"
    r=$?
    if [ $r -ne 0 ]; then
        echo "cmsis_compare: $t: run failed (exit $r):" >&2
        tail -20 "$tmp/$t.out" "$tmp/$t.err" >&2
        [ $r -eq 127 ] && exit 127
        rc=1
        continue
    fi
    # One line per shape: name rows cols maxdiff live empty ours s16 s8
    awk -v t="$t" '
        FNR == NR && $1 == "shape" { name[++n] = $2; rows[n] = $3; cols[n] = $4; md[n] = $6; lv[n] = $8; next }
        FNR != NR && $1 == "insncount:" && $2 == "region" { cnt[$3] = $4 }
        END {
            for (i = 1; i <= n; i++) {
                b = 4 * (i - 1)
                if (!((b + 4) in cnt)) { print "missing regions for " name[i] > "/dev/stderr"; exit 1 }
                print name[i], rows[i], cols[i], md[i], lv[i], cnt[b + 1], cnt[b + 2], cnt[b + 3], cnt[b + 4]
            }
        }' "$tmp/$t.out" "$tmp/$t.err" >"$tmp/$t.tab" || rc=1
    if awk '$4 > 1 || $5 == 0 { bad = 1; print "cmsis_compare: '"$t"': " $1 ": |ours - CMSIS-NN| = " $4 ", live outputs " $5 > "/dev/stderr" } END { exit bad }' "$tmp/$t.tab"; then :; else rc=1; fi
done

# The table: shapes down, cores across.
printf '| shape | rows x cols | MACs |'
for t in "${targets[@]}"; do printf ' %s ours | CMSIS-NN s16 | s8 |' "${t#cortex-}"; done
printf '\n|---|---|---|'
for _ in "${targets[@]}"; do printf -- '---|---|---|'; done
printf '\n'
first=${targets[0]}
[ -s "$tmp/$first.tab" ] || exit 1
while read -r name rows cols _; do
    printf '| %s | %s x %s | %d |' "$name" "$rows" "$cols" $((rows * cols))
    for t in "${targets[@]}"; do
        awk -v n="$name" '$1 == n { m = $2 * $3; o = $7 - $6; c = $8 - $6; s = $9 - $6
            printf " %s%.2f%s | %.2f | %.2f |", (o <= c ? "**" : ""), o / m, (o <= c ? "**" : ""), c / m, s / m }' \
            "$tmp/$t.tab" 2>/dev/null || printf ' - | - | - |'
    done
    printf '\n'
done <"$tmp/$first.tab"
printf '\n'
for t in "${targets[@]}"; do
    [ -s "$tmp/$t.tab" ] || { echo "- $t: no result"; continue; }
    awk -v t="$t" '{ n++; o = $7 - $6; c = $8 - $6; s = $9 - $6; if (o <= c) k++; so += o; sc += c; ss += s }
        END { printf "- %s: ours <= CMSIS-NN s16 on %d of %d shapes; all shapes together %d instructions (ours), %d (CMSIS-NN s16, ratio %.2f), %d (CMSIS-NN s8)\n", t, k, n, so, sc, so / sc, ss }' "$tmp/$t.tab"
done
exit $rc
