# shellcheck shell=bash
# Sourced by scripts/hardware_doc.sh and scripts/perf_targets.sh (not run on its own).
# calib_seq: prints the deterministic calibration sequence both quantize their reference
# models on: a header "dt,x0..x7", then 300 rows of irregular dt and smooth inputs of three
# amplitudes. Both scripts must use the same rows, or docs/HARDWARE.md and the instruction
# counts of bench/perf-targets.tsv would describe different fixed-point models.
calib_seq() {
    awk 'BEGIN { printf "dt"; for (i = 0; i < 8; i++) printf ",x%d", i; print "";
        for (t = 0; t < 300; t++) { printf "%.3f", 0.02 + (t * 7 % 11) / 20.0;
            for (i = 0; i < 8; i++) printf ",%.4f", (1 + i % 3) * sin(0.1 * t + i); print "" } }'
}
