#!/bin/bash
# The timing study: closed-loop success of networks trained on a task's demonstrations (read
# at the task's own rate, with its jitter, 5 % dropped frames, 1 % stalls) when the deployed
# sensor timing differs: the same base period with more dropped frames, and a faster or
# slower base period than in training. Cells: liquid (ltc, cfc, wired_cfc) and discrete-time
# baselines (gru, lstm, mlp), same trainer, several seeds.
#   scripts/timing_study.sh [BUILD_DIR] [OUT_DIR]
# Environment (the defaults are the small run of docs/RESULTS.md; the full study of the
# issue is TASKS="line-follow cartpole reacher avoid" CELLS="ltc cfc wired_cfc gru lstm mlp"
# SEEDS="1 2 3" EPOCHS=40):
#   TASKS=cartpole  CELLS="ltc cfc gru"  SEEDS=1  EPOCHS=8  EPISODES=50  ROWS=20000
# Output: OUT_DIR/timing.md (a table: success rate per cell and deployed timing).
set -euo pipefail
build=${1:-build}
out=${2:-build/timing}
lln="$build/lln"
mkdir -p "$out"
tasks=${TASKS:-cartpole}
cells=${CELLS:-ltc cfc gru}
seeds=${SEEDS:-1}
epochs=${EPOCHS:-8}
episodes=${EPISODES:-50}
rows=${ROWS:-20000}

base_of() { # the task's own base period and jitter, ms
    case $1 in
    cartpole) echo "10 3" ;;
    *) echo "20 6" ;;
    esac
}
targets_of() {
    case $1 in
    line-follow) echo cmd_l,cmd_r ;;
    cartpole) echo push ;;
    reacher) echo tau1,tau2 ;;
    avoid) echo v,w ;;
    esac
}
cell_opts() { # small networks; the table reports each one's trainable parameters (not matched)
    case $1 in
    ltc) echo "--cell ltc --wiring autoncp --units 19 --lr 0.02" ;;
    cfc) echo "--cell cfc --units 16 --backbone-units 16 --lr 0.005" ;;
    wired_cfc) echo "--cell wired_cfc --wiring autoncp --units 19 --lr 0.01" ;;
    gru) echo "--cell gru --units 10 --lr 0.005" ;;
    lstm) echo "--cell lstm --units 8 --lr 0.005" ;;
    mlp) echo "--cell mlp --mlp-window 8 --backbone-units 12 --backbone-layers 1 --lr 0.005" ;;
    esac
}
rate() {
    awk -F: '$1 ~ /"success_rate"/ { gsub(/[,[:space:]]/, "", $2); print $2; exit }' "$1"
}

{
    echo "| task | cell | seed | params | trained timing | 3x dropped frames | 6x dropped | period x0.67 | period x1.5 |"
    echo "|---|---|---|---|---|---|---|---|---|"
} >"$out/timing.md"
for task in $tasks; do
    read -r b j < <(base_of "$task")
    [ -s "$out/$task.csv" ] || "$lln" data make "$task" --rows "$rows" --seed 1 -o "$out/$task.csv"
    fast=$((b * 2 / 3))
    slow=$((b * 3 / 2))
    grids=("$b,$j,5,1" "$b,$j,15,1" "$b,$j,30,1" "$fast,$((j * 2 / 3)),5,1" "$slow,$((j * 3 / 2)),5,1")
    for cell in $cells; do
        for seed in $seeds; do
            m="$out/$task-$cell-$seed.lln"
            # shellcheck disable=SC2046 # cell_opts prints separate options
            "$lln" train --data "$out/$task.csv" --sequence episode --dt-column dt --ignore t \
                --targets "$(targets_of "$task")" --window 64 --stride 16 --threads 1 --quiet \
                $(cell_opts "$cell") --seed "$seed" --lr-schedule cosine --epochs "$epochs" \
                -o "$m" >/dev/null
            params=$("$lln" info "$m" | awk '$1 == "parameters" { print $2 }')
            row="| $task | $cell | $seed | ${params:-?} |"
            for g in "${grids[@]}"; do
                "$lln" sim "$task" --policy "$m" --no-expert --episodes "$episodes" --seed 1 -q \
                    --timing "$g" --json "$out/sim.json" >/dev/null
                row="$row $(rate "$out/sim.json") |"
            done
            echo "$row" | tee -a "$out/timing.md"
        done
    done
done
echo "timings (base ms, jitter ms, dropped %, stalls %): trained ${grids[0]}; columns: ${grids[*]}" |
    tee -a "$out/timing.md"
