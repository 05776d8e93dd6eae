#!/bin/bash
# shellcheck disable=SC2054 # commas separate column names inside one argument
# The real-data runs of docs/RESULTS.md: `lln train` on the datasets of ../shared/data under
# the LTC / CfC papers' protocols (docs/DATA.md maps each protocol onto lln's options), plus
# the honest splits their READMEs ask for. Nothing is copied into the repository: prepared
# files and models go to OUTDIR.
#
#   scripts/results.sh LLN SHARED OUTDIR EXPERIMENT [SEED...]      (default seed: 1)
#   scripts/results.sh LLN SHARED OUTDIR list
#   scripts/results.sh LLN SHARED OUTDIR quantize EXPERIMENT [SEED...]
#     quantizes the trained OUTDIR/EXPERIMENT-sSEED.lln (lln quantize on the same data) and
#     appends "experiment<TAB>seed<TAB>split<TAB>metric<TAB>float<TAB>fixed<TAB>relative %"
#     to OUTDIR/quant.tsv (the fixed-point table of docs/RESULTS.md)
#   scripts/results.sh LLN SHARED OUTDIR compare DATASET [DEVICE [EPOCHS [SEED [MATCH]]]]
#     lln compare (ltc, cfc, gru, lstm, mlp) on gesture, occupancy, traffic, walker or
#     line-follow (the comparison tables of docs/RESULTS.md)
#
# Each run appends "experiment<TAB>seed<TAB>metric<TAB>value<TAB>best_epoch<TAB>seconds" to
# OUTDIR/results.tsv and keeps its full output in OUTDIR/EXPERIMENT-sSEED.log.
set -eu
lln=$1
shared=$2
out=$3
exp=$4
shift 4
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(1)
d=$shared/data
mkdir -p "$out"

# ---- datasets (options from docs/DATA.md) --------------------------------------------------------
gesture=(--data "$d/gesture/gesture_va3.csv" --sequence video --targets label --labels int
    --ignore frame,raw_frame,timestamp_ms,dt_ms,phase)
gesture_paper=("${gesture[@]}" --windows-file "$d/gesture/ltc_windows.csv" --windows-sequence video
    --windows-start start_frame --windows-length length --windows-split split
    --norm-split all --norm-rows steps)
# honest: leave video c3 out for testing (b3 validates), windows of 32 every 16 within videos
gesture_lovo=("${gesture[@]}" --window 32 --stride 16 --split sequence --valid 0 --test 0
    --valid-sequence b3 --test-sequence c3)
occupancy=(--data "$d/occupancy/occupancy.csv" --sequence file
    --features Temperature,Humidity,Light,CO2,HumidityRatio --targets Occupancy --labels int
    --classes 2 --windows-file "$d/occupancy/ltc_windows.csv" --windows-sequence file
    --windows-start start_row --windows-length length --windows-split split --norm-rows sequence)
traffic_csv=$out/traffic.csv
traffic=(--data "$traffic_csv" --features holiday,temp_centred,rain_1h,snow_1h,clouds_all,weekday,hour_sin
    --targets volume_z --norm none)
traffic_paper=("${traffic[@]}" --windows-file "$d/traffic/ltc_windows.csv" --windows-start start_row
    --windows-length length --windows-split split)
# honest: chronological (first 75 % of rows train, then 10 % valid, last 15 % test)
traffic_chrono=("${traffic[@]}" --window 32 --stride 4 --split chrono --valid 0.1 --test 0.15)
walker_csv=$out/walker.csv.gz
walker_targets=next_rootz,next_rooty,next_thigh,next_leg,next_foot,next_thigh_left,next_leg_left
walker_targets=$walker_targets,next_foot_left,next_vel_rootx,next_vel_rootz,next_vel_rooty
walker_targets=$walker_targets,next_vel_thigh,next_vel_leg,next_vel_foot,next_vel_thigh_left
walker_targets=$walker_targets,next_vel_leg_left,next_vel_foot_left
walker=(--data "$walker_csv" --sequence rollout --dt-column elapsed --ignore step,split
    --targets "$walker_targets" --windows-file "$d/walker2d/cfc_windows.csv"
    --windows-sequence rollout --windows-start start_kept_index --windows-length length
    --windows-split split --norm none)

# ---- models and training settings (the READMEs' "Training" lines) -------------------------------
ltc_paper=(--cell ltc --units 32 --batch 16 --epochs 200) # 32 units, batch 16, 200 epochs
cfc_paper=(--cell cfc --units 32 --batch 16 --epochs 200)
# CfC paper, train_walker.py best config: 64 units, backbone 1 x 256 SiLU, batch 256, 50 epochs,
# lr 0.02 x 0.95 per epoch, clipnorm 1, weight decay 1e-6 (no dropout: lln trains without it)
cfc_walker=(--cell cfc --units 64 --backbone-units 256 --activation silu --batch 256 --epochs 50
    --lr 0.02 --lr-schedule step --lr-step-epochs 1 --lr-gamma 0.95 --clip-norm 1
    --optimizer adamw --weight-decay 1e-6)
ltc_walker=(--cell ltc --units 64 --batch 256 --epochs 50 --lr 0.02 --lr-schedule step
    --lr-step-epochs 1 --lr-gamma 0.95 --clip-norm 1)

prepare() {
    [ -s "$traffic_csv" ] || "$lln" data prepare traffic --shared "$shared" -o "$traffic_csv"
    [ -s "$walker_csv" ] || "$lln" data prepare walker2d --shared "$shared" -o "$walker_csv"
}

# args of one experiment into the array `args`, its metric name into `metric`
setup() {
    case $1 in
    gesture-ltc) args=("${gesture_paper[@]}" "${ltc_paper[@]}" --lr 0.01) metric=accuracy ;;
    gesture-cfc) args=("${gesture_paper[@]}" "${cfc_paper[@]}" --lr 0.001) metric=accuracy ;;
    # the LTC paper's read-out: a dense layer over all 32 states instead of 5 motor neurons
    gesture-ltc-dense) args=("${gesture_paper[@]}" "${ltc_paper[@]}" --readout dense --lr 0.01) metric=accuracy ;;
    gesture-lovo-ltc) args=("${gesture_lovo[@]}" "${ltc_paper[@]}" --lr 0.01) metric=accuracy ;;
    gesture-lovo-cfc) args=("${gesture_lovo[@]}" "${cfc_paper[@]}" --lr 0.001) metric=accuracy ;;
    occupancy-ltc) args=("${occupancy[@]}" "${ltc_paper[@]}" --lr 0.005) metric=accuracy ;;
    occupancy-cfc) args=("${occupancy[@]}" "${cfc_paper[@]}" --lr 0.001) metric=accuracy ;;
    traffic-ltc) args=("${traffic_paper[@]}" "${ltc_paper[@]}" --lr 0.01) metric=mse ;;
    traffic-cfc) args=("${traffic_paper[@]}" "${cfc_paper[@]}" --lr 0.001) metric=mse ;;
    traffic-chrono-ltc) args=("${traffic_chrono[@]}" "${ltc_paper[@]}" --lr 0.01) metric=mse ;;
    traffic-chrono-cfc) args=("${traffic_chrono[@]}" "${cfc_paper[@]}" --lr 0.001) metric=mse ;;
    walker-cfc) args=("${walker[@]}" "${cfc_walker[@]}") metric=mse ;;
    # our option: z-score the inputs (fitted on the training windows; targets stay raw)
    walker-cfc-norm) args=("${walker[@]}" --norm fit --no-target-norm "${cfc_walker[@]}") metric=mse ;;
    walker-cfc-mm) args=("${walker[@]}" --norm fit --no-target-norm "${cfc_walker[@]}" --mixed-memory) metric=mse ;;
    walker-ltc) args=("${walker[@]}" "${ltc_walker[@]}") metric=mse ;;
    *) return 1 ;;
    esac
}

# the data options of an experiment (its training options minus the model's) into `data`
data_setup() {
    case $1 in
    gesture-ltc | gesture-cfc | gesture-ltc-dense) data=("${gesture_paper[@]}") ;;
    gesture-lovo-*) data=("${gesture_lovo[@]}") ;;
    occupancy-*) data=("${occupancy[@]}") ;;
    traffic-chrono-*) data=("${traffic_chrono[@]}") ;;
    traffic-*) data=("${traffic_paper[@]}") ;;
    walker-cfc-norm | walker-cfc-mm) data=("${walker[@]}" --norm fit --no-target-norm) ;;
    walker-*) data=("${walker[@]}") ;;
    *) return 1 ;;
    esac
}

if [ "$exp" = quantize ]; then
    exp=${seeds[0]:-}
    seeds=("${seeds[@]:1}")
    [ ${#seeds[@]} -gt 0 ] || seeds=(1)
    data=()
    data_setup "$exp" || { echo "unknown experiment '$exp' (try: list)" >&2; exit 2; }
    prepare
    for seed in "${seeds[@]}"; do
        log=$out/$exp-s$seed.quant.log
        "$lln" quantize "$out/$exp-s$seed.lln" "${data[@]}" -o "$out/$exp-s$seed.q.lln" >"$log" 2>&1 ||
            { echo "quantize $exp seed $seed failed: see $log" >&2; exit 1; }
        awk -v e="$exp" -v s="$seed" '$1 ~ /^(train|valid|test)$/ && ($2 == "mse" || $2 == "accuracy") {
                r = $0; sub(/.*\(/, "", r); sub(/ %.*/, "", r)
                printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e, s, $1, $2, $4, $6, r }' "$log" |
            tee -a "$out/quant.tsv"
    done
    exit 0
fi

# lln compare on one dataset (the honest split where the paper's leaks): the five model kinds,
# matched in size to a 16-unit LTC, trained for EPOCHS on the dataset's data options, quantized
# and profiled on DEVICE at the dataset's natural step rate; OUTDIR/compare-NAME-sSEED/compare.json
if [ "$exp" = compare ]; then
    name=${seeds[0]:-}
    device=${seeds[1]:-stm32l4r5}
    epochs=${seeds[2]:-20}
    seed=${seeds[3]:-1}
    match=${seeds[4]:-size}
    tag=$name
    [ "$match" = size ] || tag=$name-match-$match
    data=()
    case $name in # rate: steps per second of the data (video frames, minutes, hours, physics)
    gesture) data_setup gesture-lovo-ltc && rate=30 ;;
    occupancy) data_setup occupancy-ltc && rate=0.016666666666666666 ;;
    traffic) data_setup traffic-chrono-ltc && rate=0.0002777777777777778 ;;
    walker) data_setup walker-cfc-norm && rate=125 && data+=(--units 32 --lr 0.02 --batch 256) ;; # 17 motors; paper lr, batch
    line-follow)
        "$lln" data make line-follow -o "$out/line-follow.csv" >/dev/null
        data=(--data "$out/line-follow.csv" --sequence episode --dt-column dt --ignore t
            --targets cmd_l,cmd_r --window 32 --stride 16)
        rate=50
        ;;
    *) echo "compare: unknown dataset '$name' (gesture occupancy traffic walker line-follow)" >&2; exit 2 ;;
    esac
    prepare
    "$lln" compare "${data[@]}" --device "$device" --rate "$rate" --epochs "$epochs" \
        --seed "$seed" --match "$match" --threads 2 -o "$out/compare-$tag-s$seed" 2>&1 |
        tee "$out/compare-$tag-s$seed.log"
    exit "${PIPESTATUS[0]}"
fi

if [ "$exp" = list ]; then
    sed -n 's/^    \([a-z-]*\)) args=.*/\1/p' "$0"
    exit 0
fi
args=()
metric=""
setup "$exp" || { echo "unknown experiment '$exp' (try: list)" >&2; exit 2; }
prepare
for seed in "${seeds[@]}"; do
    log=$out/$exp-s$seed.log
    start=$(date +%s)
    echo "+ lln train ${args[*]} --seed $seed --threads 2 --quiet -o $out/$exp-s$seed.lln" >"$log"
    "$lln" train "${args[@]}" --seed "$seed" --threads 2 --quiet -o "$out/$exp-s$seed.lln" >>"$log" 2>&1
    secs=$(($(date +%s) - start))
    best=$(sed -n 's/^best *epoch \([0-9]*\).*/\1/p' "$log")
    if [ "$metric" = accuracy ]; then
        value=$(sed -n 's/^test .*accuracy \([0-9.]*\).*/\1/p' "$log")
    else
        value=$(sed -n 's/^test *mse \([0-9.e+-]*\).*/\1/p' "$log")
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$exp" "$seed" "$metric" "$value" "$best" "$secs" |
        tee -a "$out/results.tsv"
done
