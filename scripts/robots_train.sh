#!/bin/bash
# The robot tasks end to end: for each task, the expert's demonstrations (lln data make), a
# liquid network trained on them (lln train: a 19-neuron LTC with an AutoNCP wiring; for the
# reacher a CfC, which fits its inverse kinematics far better, see docs/RESULTS.md), DAgger rounds where plain
# imitation falls short of 90 % of the expert's success (the policy drives, the expert labels
# the states it visits, the model is retrained on everything), the fixed-point model (lln
# quantize), and the closed-loop success table on held-out episodes: expert, float policy,
# int8 host and, with the Arm cross compiler and QEMU, int8 firmware on Cortex-M4 and float32
# firmware on Cortex-M4F in the loop (each compared bit for bit with its host runtime).
#   scripts/robots_train.sh [BUILD_DIR] [OUT_DIR]
# Environment (the defaults: 1-2 hours on 2 busy cores, most of it training):
#   TASKS="line-follow cartpole reacher avoid"  EPOCHS=40  DAGGER_ITERS=3  ROLLOUTS=40
#   DAGGER_EPOCHS=8  EPISODES=100 (held-out episodes per controller)  FW_EPISODES=5
#   THREADS=1 (training threads)  ROWS (demonstration rows; default 60000 for line-follow,
#   40000 for the others). The CI-sized run of docs/RESULTS.md: EPOCHS=2 DAGGER_ITERS=1
#   ROLLOUTS=2 DAGGER_EPOCHS=1 EPISODES=5 FW_EPISODES=1 ROWS=3000 (a few minutes).
# Output: OUT_DIR/TASK.* (data, models, histories, sim JSON, SVG) and OUT_DIR/table.md.
set -euo pipefail
build=${1:-build}
out=${2:-build/robots}
lln="$build/lln"
mkdir -p "$out"
tasks=${TASKS:-line-follow cartpole reacher avoid}
epochs=${EPOCHS:-40}
iters=${DAGGER_ITERS:-3}
rollouts=${ROLLOUTS:-40}
depochs=${DAGGER_EPOCHS:-8}
episodes=${EPISODES:-100}
fw_episodes=${FW_EPISODES:-5}
threads=${THREADS:-1}

targets_of() {
    case $1 in
    line-follow) echo cmd_l,cmd_r ;;
    cartpole) echo push ;;
    reacher) echo tau1,tau2 ;;
    avoid) echo v,w ;;
    esac
}
model_of() { # the network and its learning rate
    case $1 in
    reacher) echo "--cell cfc --units 24 --backbone-units 64 --lr 0.005" ;;
    *) echo "--cell ltc --wiring autoncp --units 19 --lr 0.02" ;;
    esac
}
rows_of() {
    if [ -n "${ROWS:-}" ]; then
        echo "$ROWS"
        return
    fi
    case $1 in
    line-follow) echo 60000 ;;
    *) echo 40000 ;;
    esac
}
# success rate of CONTROLLER in sim JSON FILE
rate() {
    awk -F: -v c="\"$2\"" '$1 ~ /"controller"/ { gsub(/[,[:space:]]/, "", $2); cur = $2 }
        $1 ~ /"success_rate"/ && cur == c { gsub(/[,[:space:]]/, "", $2); print $2; exit }' "$1"
}

have_fw=0
command -v arm-none-eabi-gcc >/dev/null 2>&1 && command -v qemu-system-arm >/dev/null 2>&1 && have_fw=1
[ "$have_fw" = 1 ] || echo "robots_train: SKIPPING firmware in the loop (no arm-none-eabi-gcc or qemu-system-arm)" >&2

printf '| task | expert | policy float | int8 host | int8 firmware (M4) | float32 firmware (M4F) | DAgger rounds | policy / expert |\n' >"$out/table.md"
printf '|---|---|---|---|---|---|---|---|\n' >>"$out/table.md"
for task in $tasks; do
    tg=$(targets_of "$task")
    echo "== $task: demonstrations, training"
    "$lln" data make "$task" --rows "$(rows_of "$task")" --seed 1 -o "$out/$task.csv"
    train=(--sequence episode --dt-column dt --ignore t --targets "$tg" --window 64 --stride 16
        --threads "$threads" --quiet)
    # shellcheck disable=SC2046 # model_of prints separate options
    "$lln" train --data "$out/$task.csv" "${train[@]}" $(model_of "$task") \
        --seed 7 --lr-schedule cosine --epochs "$epochs" --patience 12 \
        --history "$out/$task.hist.csv" -o "$out/$task.lln"
    "$lln" sim "$task" --policy "$out/$task.lln" --episodes "$episodes" --seed 1 -q \
        --json "$out/$task.iter0.json" | tee "$out/$task.iter0.txt"
    expert=$(rate "$out/$task.iter0.json" expert)
    policy=$(rate "$out/$task.iter0.json" float-host)
    echo "$task: DAgger round 0 (plain imitation): policy $policy, expert $expert"
    cp "$out/$task.csv" "$out/$task.agg.csv"
    model="$out/$task.lln"
    done_iters=0
    for i in $(seq 1 "$iters"); do
        awk -v p="$policy" -v e="$expert" 'BEGIN { exit !(p >= 0.9 * e) }' && break
        "$lln" sim "$task" --policy "$model" --episodes "$rollouts" --seed 1 -q \
            --dagger-out "$out/$task.dagger$i.csv"
        tail -n +2 "$out/$task.dagger$i.csv" |
            awk -F, -v OFS=, -v i="$i" '{ $1 = $1 + 100000 * i; print }' >>"$out/$task.agg.csv"
        "$lln" train --data "$out/$task.agg.csv" "${train[@]}" --init "$model" --seed 7 \
            --lr 0.01 --lr-schedule cosine --epochs "$depochs" --patience 8 \
            --history "$out/$task.dagger$i.hist.csv" -o "$out/$task.iter$i.lln"
        model="$out/$task.iter$i.lln"
        "$lln" sim "$task" --policy "$model" --episodes "$episodes" --seed 1 -q --no-expert \
            --json "$out/$task.iter$i.json" >/dev/null
        policy=$(rate "$out/$task.iter$i.json" float-host)
        done_iters=$i
        echo "$task: DAgger round $i: policy $policy, expert $expert"
    done
    "$lln" quantize "$model" --data "$out/$task.csv" -o "$out/$task.q.lln" >"$out/$task.quant.txt"
    "$lln" sim "$task" --policy "$out/$task.q.lln" --episodes "$episodes" --seed 1 -q \
        --json "$out/$task.final.json" --svg "$out/$task.svg" | tee "$out/$task.final.txt"
    fw="skipped" fw32="skipped"
    if [ "$have_fw" = 1 ]; then
        "$lln" sim "$task" --policy "$out/$task.q.lln" --episodes "$fw_episodes" --seed 1 -q \
            --no-expert --firmware cortex-m4 --json "$out/$task.fw.json" | tee "$out/$task.fw.txt"
        fw="$(rate "$out/$task.fw.json" int-firmware) (of $fw_episodes; host int8 on them: $(rate "$out/$task.fw.json" int-host))"
        "$lln" sim "$task" --policy "$model" --episodes "$fw_episodes" --seed 1 -q \
            --no-expert --firmware cortex-m4f --json "$out/$task.fw32.json" | tee "$out/$task.fw32.txt"
        fw32="$(rate "$out/$task.fw32.json" float-firmware) (of $fw_episodes; host float on them: $(rate "$out/$task.fw32.json" float-host))"
    fi
    e=$(rate "$out/$task.final.json" expert)
    f=$(rate "$out/$task.final.json" float-host)
    q=$(rate "$out/$task.final.json" int-host)
    ratio=$(awk -v p="$f" -v e="$e" 'BEGIN { printf "%.2f", (e > 0 ? p / e : 0) }')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$task" "$e" "$f" "$q" "$fw" "$fw32" \
        "$done_iters" "$ratio" >>"$out/table.md"
done
echo "success rates on $episodes held-out episodes (seed 1):"
cat "$out/table.md"
