#!/bin/bash
# fit_energy_estimate.sh - regenerates src/profile/energy_coeffs.c, the per-target coefficients of
# the instruction estimate lln_energy_instructions() (lln/profile.h), the cost that
# `lln train --energy-budget-mw` uses inside its loop:
#     instructions per step ~ a*MACs + b*transcendentals + c*LTC_updates + e*CfC_neurons + d
# and prints the cycles per instruction of the same runs on the cores with a timing model
# (SIM_CYCLES, sim/insncount.c: cortex-m4/m4f, cortex-m33, cortex-m0 as Cortex-M0+): the cpi
# figures of share/devices.txt for those devices;
# (LTC_updates = units x ode_unfolds of an LTC, else 0; CfC_neurons = units of a CfC or wired
# CfC, else 0: the per-neuron work of the two cells differs); a CfC whose export has the step
# specialised to its shapes (lln_rtq_config.h says LLN_RTQ_WITH_CFC_GENERIC 0) runs its MACs on
# other code, so it has a_spec in place of a, and no e term (its neuron's work is the gate's three
# transcendentals: a separate term would be collinear with b); an LTC's MACs (synapse
# evaluations, not dot products, one sigmoid each: its transcendentals are in them) have their own
# a_ltc and no b term (with both, the two were collinear and one came out negative); a dense CfC
# that the export gives its DSP step (lln_model.c defines NAME_dstep) has a_dspec in place of a on
# the targets that build that step (dsp_target below), 0 elsewhere. Fitted by
# least squares on the QEMU counts `lln verify` measures for quantized models of different kinds and
# sizes. Models marked "hold" are not used for the fit: their error is the one docs/ENERGY.md
# quotes. Needs the cross compilers and QEMU (sh scripts/deps.sh sim).
# Usage: scripts/fit_energy_estimate.sh PATH/TO/lln [OUT.c]   (default OUT: src/profile/energy_coeffs.c)
set -euo pipefail
lln=${1:?usage: fit_energy_estimate.sh PATH/TO/lln [OUT.c]}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${2:-$root/src/profile/energy_coeffs.c}
# shellcheck source=sim/targets.sh
. "$root/sim/targets.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# use  name  lln-new options (inputs are given by --inputs, outputs by --outputs)
models='
fit  ltc-ancp12     --inputs 8 --wiring autoncp --units 12 --outputs 2
fit  ltc-ancp24s    --inputs 4 --wiring autoncp --units 24 --outputs 3 --sparsity 0.3
fit  ltc-fc8        --inputs 3 --wiring fc --units 8 --outputs 2
fit  ltc-rnd32      --inputs 6 --wiring random --units 32 --outputs 4 --sparsity 0.8
fit  ltc-fc16-k3    --inputs 5 --wiring fc --units 16 --outputs 2 --ode-unfolds 3
fit  cfc-8x16       --cell cfc --inputs 8 --units 8 --backbone-units 16 --outputs 2
fit  cfc-32x64      --cell cfc --inputs 4 --units 32 --backbone-units 64 --outputs 2
fit  cfc-16x32-ng   --cell cfc --inputs 6 --units 16 --backbone-units 32 --mode no_gate
fit  wcfc-ancp19    --cell wired_cfc --inputs 8 --wiring autoncp --units 19 --outputs 4
fit  wcfc-rnd24     --cell wired_cfc --inputs 5 --wiring random --units 24 --sparsity 0.7 --outputs 3
fit  wcfc-rnd16     --cell wired_cfc --inputs 3 --wiring random --units 16 --sparsity 0.5 --outputs 2
fit  cfc-12-nb      --cell cfc --inputs 6 --units 12 --backbone-layers 0 --outputs 2
fit  cfc-9x24-odd   --cell cfc --inputs 5 --units 9 --backbone-units 24 --outputs 2
fit  cfc-16x32-relu --cell cfc --inputs 6 --units 16 --backbone-units 32 --activation relu --outputs 2
fit  cfc-20x64-odd  --cell cfc --inputs 7 --units 20 --backbone-units 64 --outputs 2
hold ltc-ancp19     --inputs 8 --wiring autoncp --units 19 --outputs 4
hold ltc-rnd20      --inputs 4 --wiring random --units 20 --outputs 2 --sparsity 0.6
hold cfc-16x48      --cell cfc --inputs 5 --units 16 --backbone-units 48 --outputs 3
hold cfc-24x48     --cell cfc --inputs 4 --units 24 --backbone-units 48 --outputs 3
hold wcfc-ancp28    --cell wired_cfc --inputs 6 --wiring autoncp --units 28 --outputs 2 --sparsity 0.4
'

# calibration data for any input count up to 16
awk 'BEGIN { printf "dt"; for (i = 0; i < 16; i++) printf ",x%d", i; print "";
    for (t = 0; t < 200; t++) { printf "%.3f", 0.02 + (t * 7 % 11) / 20.0;
        for (i = 0; i < 16; i++) printf ",%.4f", (1 + i % 3) * sin(0.1 * t + i); print "" } }' \
    >"$tmp/calib16.csv"

# cycle_model TARGET: the timing model of sim/insncount.c for the core of the database's devices
# on TARGET (RP2040's Cortex-M0+ is counted on cortex-m0), or nothing
cycle_model() {
    case $1 in
    cortex-m4 | cortex-m4f) echo m4 ;;
    cortex-m33) echo m33 ;;
    cortex-m0) echo m0plus ;;
    esac
}

# dsp_target TARGET: whether gcc builds the dense CfC's DSP step there (LLN_RTQ_DSPEC of
# runtime/lln_rtq.h: the DSP extension or Helium; src/deploy/export_q_dspec.c)
dsp_target() {
    case $1 in
    cortex-m4 | cortex-m4f | cortex-m7 | cortex-m33 | cortex-m55) return 0 ;;
    *) return 1 ;;
    esac
}

rows=$tmp/rows.txt # use name target macs transc neuron_updates instructions inputs units unfolds spec cycles dspec
: >"$rows"
while read -r use name opts; do
    [ -n "$use" ] || continue
    # shellcheck disable=SC2086 # opts is a word list
    "$lln" new $opts --seed 3 -o "$tmp/$name.lln" >/dev/null
    nin=$(awk '/^inputs/ { print $2 }' < <("$lln" info "$tmp/$name.lln"))
    cut -d, -f1-$((nin + 1)) "$tmp/calib16.csv" >"$tmp/calib.csv"
    "$lln" quantize "$tmp/$name.lln" --calib "$tmp/calib.csv" -o "$tmp/$name.q.lln" >/dev/null
    info=$("$lln" info "$tmp/$name.lln")
    macs=$(awk '/^per step/ { print $3 }' <<<"$info")
    tr=$(awk '/^per step/ { print $5 }' <<<"$info")
    units=$(awk '/^units/ { print $2 }' <<<"$info")
    # unfolds 0 marks a CfC (per-neuron work without an ODE solver)
    k=$(awk '/^cell +ltc/ { sub(/.*ode_unfolds /, ""); print $1 + 0; f = 1 } END { if (!f) print 0 }' \
        <<<"$info")
    # 1 when the export specialises the CfC step (the same for every target)
    "$lln" export "$tmp/$name.q.lln" --target cortex-m4 --out "$tmp/$name.fw" >/dev/null
    # (an LTC's export has no generic CfC code either: not a specialised step)
    spec=0
    [ "$k" -gt 0 ] || spec=$(grep -c 'LLN_RTQ_WITH_CFC_GENERIC 0' "$tmp/$name.fw/lln_rtq_config.h" || true)
    # 1 when the export gives the dense CfC its DSP step (built on the dsp_target cores only)
    dmodel=0
    grep -q '_dstep' "$tmp/$name.fw/lln_model.c" && dmodel=1
    for t in $SIM_TARGETS; do
        # the cycle estimate where the plugin has the core's timing table (sim/insncount.c)
        cyc_model=$(cycle_model "$t")
        vout=$(SIM_CYCLES=$cyc_model "$lln" verify "$tmp/$name.q.lln" --target "$t" --steps 16 2>&1) || {
            echo "fit_energy_estimate: lln verify $name --target $t failed:" >&2
            echo "$vout" >&2
            exit 1
        }
        insn=$(awk '/^  instructions/ { print $2 }' <<<"$vout")
        cyc=$(awk '/^  cycles/ { print $2 }' <<<"$vout")
        dspec=0
        if [ "$dmodel" = 1 ] && dsp_target "$t"; then dspec=1; fi
        echo "$use $name $t $macs $tr $((units * k)) $insn $nin $units $k $spec ${cyc:-0} $dspec" >>"$rows"
    done
    echo "fit_energy_estimate: $name ($macs MACs, $tr transcendentals," \
        "$units units, $k unfolds) measured on every target" >&2
done <<<"$models"

# least squares per target (normal equations, Gauss-Jordan with partial pivoting), then the
# relative error of every model; the C table on stdout of this awk. Features x[r, 1..6]:
# MACs of the generic path, transcendentals (not an LTC's), LTC updates, CfC neurons, 1, MACs of a specialised
# CfC step, MACs of an LTC, MACs of a dense CfC's DSP step.
awk -v targets="$SIM_TARGETS" -v rowsfile="$rows" '
function abs(v) { return v < 0 ? -v : v }
function solve(   i, j, k, p, t, f) {
    for (i = 1; i <= F; i++) {
        p = i
        for (k = i + 1; k <= F; k++) if (abs(A[k, i]) > abs(A[p, i])) p = k
        for (j = 1; j <= F + 1; j++) { t = A[i, j]; A[i, j] = A[p, j]; A[p, j] = t }
        for (k = 1; k <= F; k++) if (k != i) {
            f = A[k, i] / A[i, i]
            for (j = i; j <= F + 1; j++) A[k, j] -= f * A[i, j]
        }
    }
    for (i = 1; i <= F; i++) c[i] = A[i, F + 1] / A[i, i]
}
BEGIN {
    nt = split(targets, T, " "); F = 8
    while ((getline line < rowsfile) > 0) { n++; split(line, R, " ")
        use[n] = R[1]; name[n] = R[2]; tg[n] = R[3]; x[n, 1] = R[4]; x[n, 2] = R[5]
        sp = R[11] > 0; lt = R[10] > 0; ds = R[13] > 0
        x[n, 1] = sp || lt || ds ? 0 : R[4]; x[n, 6] = sp ? R[4] : 0; x[n, 7] = lt ? R[4] : 0
        x[n, 8] = ds ? R[4] : 0
        if (lt) x[n, 2] = 0
        x[n, 3] = R[10] > 0 ? R[6] : 0; x[n, 4] = R[10] > 0 || sp || ds ? 0 : R[9]; x[n, 5] = 1
        y[n] = R[7] }
    print "/* Generated by scripts/fit_energy_estimate.sh: do not edit. Per `lln verify` target, the"
    print " * least-squares fit of the QEMU instruction count per step of quantized models (fixed-point"
    print " * runtime) as a*MACs + b*transcendentals + c*LTC_updates + e*CfC_neurons + d, with a_spec"
    print " * in place of a and no e term for a CfC step specialised by the export, a_ltc in place of a"
    print " * and no b term for an LTC, a_dspec in place of a for a dense CfC with the DSP step of the"
    print " * export (0 on the targets without it)"
    print " * (lln_energy_coeffs_t in include/lln/profile.h)."
    print " * fit_rms/fit_max: relative error on the fitted models; hold_rms/hold_max: on held-out"
    print " * models (docs/ENERGY.md lists them). */"
    print "#include \"lln/profile.h\""
    print ""
    print "static const lln_energy_coeffs_t table[] = {"
    for (ti = 1; ti <= nt; ti++) {
        # non-negative least squares by elimination: a coefficient the fit drives below 0
        # (features that are nearly collinear on a target) is fixed at 0 and the rest refitted,
        # so the count never falls as the work grows
        split("", off)
        do {
            split("", A)
            for (r = 1; r <= n; r++) if (tg[r] == T[ti] && use[r] == "fit")
                for (i = 1; i <= F; i++) { for (j = 1; j <= F; j++) A[i, j] += x[r, i] * x[r, j]; A[i, F + 1] += x[r, i] * y[r] }
            # a feature no fitted model has on this target (a_dspec where no DSP step is built)
            for (i = 1; i <= F; i++) if (A[i, i] == 0) off[i] = 1
            for (i = 1; i <= F; i++) if (off[i]) {
                for (j = 1; j <= F + 1; j++) { A[i, j] = 0; A[j, i] = 0 }
                A[i, i] = 1
            }
            solve()
            neg = 0
            for (i = 1; i <= F; i++) if (c[i] < 0 && !off[i] && (!neg || c[i] < c[neg])) neg = i
            if (neg) { off[neg] = 1; printf "%s: coefficient %d fixed at 0 (fit gave %.4g)\n", T[ti], neg, c[neg] > "/dev/stderr" }
        } while (neg)
        fs = fm = hs = hm = nf = nh = 0
        for (r = 1; r <= n; r++) if (tg[r] == T[ti]) {
            est = 0
            for (i = 1; i <= F; i++) est += c[i] * x[r, i]
            e = (est - y[r]) / y[r]
            a = e < 0 ? -e : e
            if (use[r] == "fit") { fs += e * e; nf++; if (a > fm) fm = a }
            else { hs += e * e; nh++; if (a > hm) hm = a }
            printf "%s %s %s %.4f\n", T[ti], use[r], name[r], e > "/dev/stderr"
        }
        printf "    {\"%s\", %.6g, %.6g, %.6g, %.6g, %.6g, %.6g, %.6g, %.6g, %.4f, %.4f, %.4f, %.4f},\n", T[ti], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8],
            sqrt(fs / nf), fm, nh ? sqrt(hs / nh) : 0, hm
    }
    print "};"
    print ""
    print "const lln_energy_coeffs_t *lln_energy_coeffs_table(size_t *count)"
    print "{"
    print "    if (count != NULL)"
    print "        *count = sizeof table / sizeof table[0];"
    print "    return table;"
    print "}"
}' >"$tmp/out.c" 2>"$tmp/errors.txt"
mv "$tmp/out.c" "$out"
# the repository's C style (CI's lint checks it): long table rows wrapped as clang-format does
if command -v clang-format >/dev/null; then clang-format --style=file -i "$out"; fi
[ -z "${FIT_ROWS:-}" ] || cp "$rows" "$FIT_ROWS" # the raw measurements, for a look at the fit
echo "fit_energy_estimate: relative error per target and model (estimate/measured - 1):" >&2
cat "$tmp/errors.txt" >&2
# cycles per instruction from the timing model, per target: the mean over the models (fitted and
# held out) and the spread; the database's cpi of the devices on these cores comes from here
echo "fit_energy_estimate: cycles per instruction (sim/insncount.c timing model, zero wait states):" >&2
awk '$12 > 0 { r = $12 / $7; n[$3]++; s[$3] += r
        if (!($3 in lo) || r < lo[$3]) { lo[$3] = r; lon[$3] = $2 }
        if (!($3 in hi) || r > hi[$3]) { hi[$3] = r; hin[$3] = $2 } }
    END { for (t in n) printf "  %s: mean %.3f over %d models, min %.3f (%s), max %.3f (%s)\n",
        t, s[t] / n[t], n[t], lo[t], lon[t], hi[t], hin[t] }' "$rows" | sort >&2
echo "fit_energy_estimate: wrote $out" >&2
