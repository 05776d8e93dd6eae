#!/bin/bash
# The timing study (docs/RESULTS.md, "The timing study"): closed-loop success of networks of a
# matched parameter count, trained by the same trainer on a task's demonstrations (read at
# the task's own timing: a reading every B +- J ms with J = 0.3 B, 5 % dropped frames, 1 %
# stalls), when the deployed sensor timing differs: more jitter, more dropped frames, and a
# control rate x0.67 or x2 of the trained one. Cells: liquid (ltc, cfc, wired_cfc) and
# discrete-time baselines (gru, lstm, mlp), several seeds each; the task's expert on the same
# timings as the reference.
#   scripts/timing_study.sh [BUILD_DIR] [OUT_DIR]        (make timing-study)
# Environment (defaults: the full study of docs/RESULTS.md, ~1 hour on 2 busy cores):
#   TASKS="line-follow cartpole reacher avoid"  CELLS="ltc cfc wired_cfc gru lstm mlp"
#   SEEDS="1 2 3 4 5"  EPOCHS=40  EPISODES=100 (held-out episodes per run)  JOBS=2
#   ROWS (demonstration rows; default 60000 for line-follow, 40000 for the others)
#   TIMINGS (the deployed timings; default all nine columns, e.g. TIMINGS="trained rate_x2")
# Resumable: each finished (task, cell, seed) writes OUT_DIR/cells/TASK-CELL-SEED.tsv (atomically)
# and is skipped on the next run (tasks, cells and seeds may be added); a changed EPOCHS,
# EPISODES, ROWS or TIMINGS needs a fresh OUT_DIR (OUT_DIR/settings records them; a mismatch
# is refused). Output: OUT_DIR/timing.tsv (every run),
# OUT_DIR/timing.md (the table), OUT_DIR/timing.json (for lln report / lln plot), its figures
# OUT_DIR/plots/timing-TASK.svg and the page OUT_DIR/report.html, logs in OUT_DIR/logs/. Exit status 1 when any run failed (named, with its log).
set -euo pipefail
build=${1:-build}
out=${2:-build/timing}
lln="$build/lln"
tasks=${TASKS:-line-follow cartpole reacher avoid}
cells=${CELLS:-ltc cfc wired_cfc gru lstm mlp}
seeds=${SEEDS:-1 2 3 4 5}
epochs=${EPOCHS:-40}
episodes=${EPISODES:-100}
jobs=${JOBS:-2}
all_timings="trained jitter_1 jitter_2 jitter_3 drop_1 drop_2 drop_3 rate_x0.67 rate_x2"
timings=${TIMINGS:-$all_timings}

die() {
    echo "timing_study: $*" >&2
    exit 1
}
[ -x "$lln" ] || die "$lln not found or not executable (build first: make build)"
for v in "$epochs" "$episodes" "$jobs"; do
    [[ "$v" =~ ^[1-9][0-9]*$ ]] || die "EPOCHS, EPISODES and JOBS must be positive integers (got '$v')"
done
for s in $seeds; do [[ "$s" =~ ^[0-9]+$ ]] || die "SEEDS: '$s' is not a non-negative integer"; done
for tm in $timings; do
    [[ " $all_timings " == *" $tm "* ]] || die "TIMINGS: unknown column '$tm' (known: $all_timings)"
done
[ -n "${ROWS:-}" ] && { [[ "$ROWS" =~ ^[1-9][0-9]*$ ]] || die "ROWS must be a positive integer (got '$ROWS')"; }
targets_of() {
    case $1 in
    line-follow) echo cmd_l,cmd_r ;;
    cartpole) echo push ;;
    reacher) echo tau1,tau2 ;;
    avoid) echo v,w ;;
    *) die "unknown task '$1' (line-follow, cartpole, reacher, avoid)" ;;
    esac
}
rows_of() {
    if [ -n "${ROWS:-}" ]; then echo "$ROWS"; elif [ "$1" = line-follow ]; then echo 60000; else echo 40000; fi
}
# The task's own timing (lln sim's defaults, those of the demonstrations): base and jitter, ms.
base_of() {
    case $1 in
    cartpole) echo "10 3" ;;
    *) echo "20 6" ;;
    esac
}
# --timing B,J,D,S of a column. Jitter J = 0.5, 0.7, 0.9 B (trained 0.3 B); dropped frames
# 15, 30, 50 % (trained 5 %); the rate x0.67 (period x1.5) and x2 (period x0.5) with the
# jitter scaled alike. Stalls stay at the trained 1 %.
timing_of() { # TASK COLUMN
    local b j
    read -r b j < <(base_of "$1")
    case $2 in
    trained) echo "$b,$j,5,1" ;;
    jitter_1) echo "$b,$((b * 5 / 10)),5,1" ;;
    jitter_2) echo "$b,$((b * 7 / 10)),5,1" ;;
    jitter_3) echo "$b,$((b * 9 / 10)),5,1" ;;
    drop_1) echo "$b,$j,15,1" ;;
    drop_2) echo "$b,$j,30,1" ;;
    drop_3) echo "$b,$j,50,1" ;;
    rate_x0.67) echo "$((b * 3 / 2)),$((j * 3 / 2)),5,1" ;;
    rate_x2) echo "$((b / 2)),$((j / 2)),5,1" ;;
    esac
}
# Matched parameter counts: per task, every cell within 15 % of the others (the trainer adds
# the input and target normalisation to each; `lln info` prints the count, in the table).
# Sizes were chosen around the 19-neuron AutoNCP LTC of docs/RESULTS.md ("Robots in the loop").
size_of() { # TASK CELL
    case $1:$2 in
    *:ltc) echo "--wiring autoncp --units 19" ;;
    line-follow:wired_cfc | reacher:wired_cfc | avoid:wired_cfc) echo "--wiring autoncp --units 11" ;;
    cartpole:wired_cfc) echo "--wiring autoncp --units 10" ;;
    line-follow:cfc) echo "--units 5 --backbone-units 12" ;;
    cartpole:cfc) echo "--units 5 --backbone-units 10" ;;
    reacher:cfc | avoid:cfc) echo "--units 6 --backbone-units 10" ;;
    *:gru) echo "--units 8" ;;
    line-follow:lstm | avoid:lstm) echo "--units 6" ;;
    *:lstm) echo "--units 7" ;;
    line-follow:mlp) echo "--mlp-window 8 --backbone-units 6 --backbone-layers 1" ;;
    cartpole:mlp) echo "--mlp-window 8 --backbone-units 10 --backbone-layers 1" ;;
    reacher:mlp) echo "--mlp-window 8 --backbone-units 8 --backbone-layers 1" ;;
    avoid:mlp) echo "--mlp-window 8 --backbone-units 7 --backbone-layers 1" ;;
    *) die "unknown cell '$2' (ltc, cfc, wired_cfc, gru, lstm, mlp)" ;;
    esac
}
# the learning rate of each cell family (the one setting tuned per family)
lr_of() {
    case $1 in
    ltc) echo 0.02 ;;
    wired_cfc) echo 0.01 ;;
    *) echo 0.005 ;;
    esac
}

# One run: train (skipped when the model exists), then a closed-loop run per timing column;
# the rows go to a temporary file renamed into cells/ at the end, so a killed run leaves no
# partial result. CELL "expert" runs the task's expert instead.
run_unit() { # TASK CELL SEED INDEX TOTAL
    local task=$1 cell=$2 seed=$3 k=$4 n=$5 t0=$SECONDS
    local name="$task-$cell-$seed" log="$out/logs/$task-$cell-$seed.log"
    local m="$out/models/$name.lln" res="$out/cells/$name.tsv" tmp="$out/cells/.$name.tsv.tmp"
    local params=0 ctl=expert pol=() col ok rates=""
    : >"$log"
    if [ "$cell" != expert ]; then
        if [ ! -s "$m" ]; then
            # shellcheck disable=SC2046 # size_of prints separate options
            "$lln" train --data "$out/data/$task.csv" --sequence episode --dt-column dt --ignore t \
                --targets "$(targets_of "$task")" --window 64 --stride 16 --threads 1 --quiet \
                --cell "$cell" $(size_of "$task" "$cell") --lr "$(lr_of "$cell")" \
                --seed "$seed" --lr-schedule cosine --epochs "$epochs" --patience 12 \
                --history "$out/models/$name.hist.csv" -o "$m" >>"$log" 2>&1 || {
                echo "[$k/$n] $name: FAILED training (see $log)"
                return 1
            }
        fi
        params=$("$lln" info "$m" | awk '$1 == "parameters" { print $2 }')
        ctl=float-host
        pol=(--policy "$m" --no-expert)
    fi
    : >"$tmp"
    for col in $timings; do
        "$lln" sim "$task" "${pol[@]}" --episodes "$episodes" --seed 1 -q \
            --timing "$(timing_of "$task" "$col")" --json "$tmp.json" >>"$log" 2>&1 || {
            echo "[$k/$n] $name: FAILED lln sim at $col (see $log)"
            rm -f "$tmp" "$tmp.json"
            return 1
        }
        ok=$(awk -F: -v c="\"$ctl\"" '$1 ~ /"controller"/ { gsub(/[,[:space:]]/, "", $2); cur = $2 }
            $1 ~ /"successes"/ && cur == c { gsub(/[,[:space:]]/, "", $2); print $2; exit }' "$tmp.json")
        [ -n "$ok" ] || {
            echo "[$k/$n] $name: no success count for $ctl in $tmp.json"
            return 1
        }
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$task" "$cell" "$seed" "$params" "$col" \
            "$(timing_of "$task" "$col")" "$ok" "$episodes" >>"$tmp"
        rates="$rates $col=$ok"
    done
    rm -f "$tmp.json"
    mv "$tmp" "$res"
    echo "[$k/$n] $name: params $params, successes of $episodes:$rates ($((SECONDS - t0)) s)"
}

# validate the tasks and cells before anything is written
for task in $tasks; do
    targets_of "$task" >/dev/null
    for cell in $cells; do size_of "$task" "$cell" >/dev/null; done
done
mkdir -p "$out/cells" "$out/models" "$out/logs" "$out/data"
# what a finished run's numbers depend on (tasks, cells and seeds may be added later)
settings="epochs=$epochs|episodes=$episodes|timings=$timings|rows=${ROWS:-default}"
if [ -s "$out/settings" ]; then
    [ "$(cat "$out/settings")" = "$settings" ] ||
        die "$out/settings: this folder holds a run with other settings ($(cat "$out/settings")); use a fresh OUT_DIR"
else
    echo "$settings" >"$out/settings"
fi

# demonstrations, one file per task (written to a temporary name, then renamed)
for task in $tasks; do
    f="$out/data/$task.csv"
    [ -s "$f" ] && continue
    "$lln" data make "$task" --rows "$(rows_of "$task")" --seed 1 -o "$f.tmp.csv" >"$out/logs/$task.data.log" 2>&1 ||
        die "lln data make $task failed (see $out/logs/$task.data.log)"
    mv "$f.tmp.csv" "$f"
done

units=()
for task in $tasks; do
    units+=("$task expert 0")
    for cell in $cells; do for seed in $seeds; do units+=("$task $cell $seed"); done; done
done
n=${#units[@]}
echo "timing study: $n runs ($tasks; $cells; seeds $seeds; $epochs epochs; $episodes episodes per timing), $jobs at a time, into $out"
k=0 running=0 failed=0 skipped=0
for u in "${units[@]}"; do
    read -r task cell seed <<<"$u"
    k=$((k + 1))
    if [ -s "$out/cells/$task-$cell-$seed.tsv" ]; then
        skipped=$((skipped + 1))
        echo "[$k/$n] $task-$cell-$seed: finished earlier, skipped"
        continue
    fi
    run_unit "$task" "$cell" "$seed" "$k" "$n" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || failed=$((failed + 1))
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || failed=$((failed + 1))
    running=$((running - 1))
done
[ "$failed" = 0 ] || die "$failed of $n runs failed (their logs are named above); rerun to retry them"

# the whole study: every run's rows, then the summary table and the JSON of lln report
{
    printf 'task\tcell\tseed\tparams\tcolumn\ttiming\tsuccesses\tepisodes\n'
    for u in "${units[@]}"; do
        read -r task cell seed <<<"$u"
        cat "$out/cells/$task-$cell-$seed.tsv"
    done
} >"$out/timing.tsv.tmp"
mv "$out/timing.tsv.tmp" "$out/timing.tsv"
python3 "$(dirname "$0")/timing_summary.py" "$out/timing.tsv" "$out/timing.md" "$out/timing.json"
"$lln" plot "$out/timing.json" -o "$out/plots" >"$out/logs/plot.log" 2>&1 ||
    die "lln plot $out/timing.json failed (see $out/logs/plot.log)"
"$lln" report "$out/timing.json" -o "$out/report.html" --title "liquid-edge timing study" \
    >"$out/logs/report.log" 2>&1 || die "lln report $out/timing.json failed (see $out/logs/report.log)"
echo "timing study: $n runs ($skipped finished earlier); table $out/timing.md, data $out/timing.tsv, report input $out/timing.json, plots $out/plots/, report $out/report.html"
