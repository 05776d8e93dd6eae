#!/bin/bash
# Wire, fault, metrics and soak tests of lln-ros2 over Cyclone DDS on loopback only.
#   run.sh BUILD_DIR quick          config errors, wire content, faults, LaserScan, the
#                                   simulator's loop over DDS (ctest)
#   run.sh BUILD_DIR ci [SECONDS]   quick + Prometheus scraping the node during a 1 kHz soak
#                                   of SECONDS (default 30)            (CI stage ros2)
#   run.sh BUILD_DIR soak [SECONDS] the 1 kHz soak, default 600 s, then the DDS floor (a
#                                   relay without the node, and a one-way ping) for
#                                   min(SECONDS, 90) s each (make soak; SOAK_FLOOR=0: no floor)
#   run.sh BUILD_DIR bench [COUNT [RUNS [HZ]]]  sustained step rate: RUNS (3) runs of COUNT
#                                   (60 000) Imu paced at HZ (12 000; "burst": as fast as the
#                                   talker can); passes when every output arrives in every run
#                                   and the median rate is >= 10 kHz
# The talker and listener are built from the upstream ROS 2 .msg definitions, not from the
# node's IDL. Exit 0 = pass, 1 = fail, 77 = skipped (says why).
set -uo pipefail
B=$(cd "${1:?usage: run.sh BUILD_DIR quick|ci|soak [SECONDS]}" && pwd)
MODE=${2:-quick}
SOAK_S=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NODE=$B/lln-ros2 TALK=$B/ros2_test_talker LIST=$B/ros2_test_listener LLN=$B/lln
PING=$B/ros2_test_dds_ping
for x in "$NODE" "$TALK" "$LIST" "$LLN" "$B/ros2_test_overflow_model" "$PING"; do
    if [ ! -x "$x" ]; then
        echo "SKIPPED: $x not built (needs cyclonedds-dev, cyclonedds-tools, libmicrohttpd-dev)"
        exit 77
    fi
done
command -v curl >/dev/null || { echo "SKIPPED: curl missing (apt-get install curl)"; exit 77; }
export CYCLONEDDS_URI=file://$ROOT/ros2/cyclonedds-loopback.xml
W=$(mktemp -d /tmp/ros2-run.XXXXXX)
PIDS=""
cleanup() {
    for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
# a DDS domain and a free-looking port per run, so parallel runs on one machine do not collide
export ROS_DOMAIN_ID=$((1 + $$ % 200))
PORT=$((20000 + $$ % 20000))
PROM_PORT=$((PORT + 1))
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
metric() { # metric 'SERIES{labels}' -> value (empty when missing)
    curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics" |
        awk -v s="$1" 'index($0, s " ") == 1 { print $2; exit }'
}
# STEP_THREAD=receive|node and WRITE_BATCH=on|off (environment): [node] step_thread and
# write_batch of every test config (unset: the node's defaults), to measure each choice
conf() { # conf SRC DEST [watchdog]: the test config with this run's port (and watchdog)
    sed -e "s/127.0.0.1:19464/127.0.0.1:$PORT/" ${3:+-e "s/^watchdog = .*/watchdog = $3/"} \
        ${STEP_THREAD:+-e "s/^\[node\]\$/[node]\nstep_thread = $STEP_THREAD/"} \
        ${WRITE_BATCH:+-e "s/^\[node\]\$/[node]\nwrite_batch = $WRITE_BATCH/"} \
        "$HERE/$1" >"$2"
}
start_node() { # start_node MODEL CONF NAME: runs lln-ros2 in the background as $NP
    "$NODE" "$1" --config "$2" --latency-report >"$W/$3.out" 2>"$W/$3.err" &
    NP=$!
    PIDS="$PIDS $NP"
    for _ in $(seq 50); do # wait for /metrics (the node is up)
        curl -s --max-time 1 "http://127.0.0.1:$PORT/metrics" >/dev/null && return 0
        kill -0 "$NP" 2>/dev/null || break
        sleep 0.1
    done
    echo "node did not start:"
    cat "$W/$3.err"
    return 1
}
stop_node() { # stop_node NAME: SIGTERM, must exit 0 within 5 s
    local t0 rc
    t0=$(date +%s%N)
    kill -TERM "$NP"
    for _ in $(seq 50); do kill -0 "$NP" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$NP" 2>/dev/null; then
        fail "$1: still running 5 s after SIGTERM"
        kill -KILL "$NP"
    fi
    wait "$NP"
    rc=$?
    echo "  $1 stopped in $((($(date +%s%N) - t0) / 1000000)) ms, exit $rc"
    sed 's/^/  node: /' "$W/$1.err" | grep -v 'inputs are back' | tail -n 12
    check "$1: SIGTERM gives a clean exit (status 0)" test "$rc" -eq 0
}
ge() { [ -n "$1" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
eq() { [ -n "$1" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0) }'; }

# Models: LTC AutoNCP(19 units, 4 motor) with 3 inputs (Imu) and 11 (8 scan bins + Imu).
"$LLN" new --cell ltc --inputs 3 --wiring autoncp --units 19 --outputs 4 --name wire_imu \
    -o "$W/imu.lln" >/dev/null || exit 1
"$LLN" new --cell ltc --inputs 11 --wiring autoncp --units 19 --outputs 4 --name wire_scan \
    -o "$W/scan.lln" >/dev/null || exit 1

test_config_errors() {
    echo "--- configuration faults: the node exits with status 2 and names the line and key"
    conf node_imu.conf "$W/bad.conf"
    sed -i 's|^type = sensor_msgs/msg/Imu$|type = sensor_msgs/msg/MagneticField|' "$W/bad.conf"
    local line
    line=$(grep -n MagneticField "$W/bad.conf" | cut -d: -f1)
    "$NODE" "$W/imu.lln" --config "$W/bad.conf" 2>"$W/err.txt"
    local rc=$?
    sed 's/^/  /' "$W/err.txt"
    check "unknown topic type: exit 2" test $rc -eq 2
    check "unknown topic type: message names line $line and key 'type'" \
        grep -q "bad.conf:$line: key 'type': unknown message type 'sensor_msgs/msg/MagneticField'" "$W/err.txt"
    conf node_imu.conf "$W/ok.conf"
    "$NODE" "$W/scan.lln" --config "$W/ok.conf" 2>"$W/err.txt"
    rc=$?
    sed 's/^/  /' "$W/err.txt"
    check "model/config size mismatch: exit 2 with both sizes" \
        bash -c "[ $rc -eq 2 ] && grep -q 'give 3 values but the model takes 11' '$W/err.txt'"
    "$NODE" "$W/imu.lln" --config "$W/missing.conf" 2>"$W/err.txt"
    rc=$?
    check "missing config: exit 2, names the file" \
        bash -c "[ $rc -eq 2 ] && grep -q 'missing.conf: cannot open' '$W/err.txt'"
    check "--check accepts the good config" "$NODE" "$W/imu.lln" --config "$W/ok.conf" --check
    check "ros2/example.conf parses (checked against a 10-input, 2-output model)" bash -c \
        "'$LLN' new --inputs 10 --wiring autoncp --units 19 --outputs 2 -o '$W/ex.lln' >/dev/null &&
         '$NODE' '$W/ex.lln' --config '$ROOT/ros2/example.conf' --check"
    if command -v systemd-analyze >/dev/null; then
        mkdir -p "$W/unit"
        sed "s|/usr/local/bin/lln-ros2|$NODE|g" "$ROOT/ros2/lln-ros2.service" >"$W/unit/lln-ros2.service"
        check "systemd-analyze verify accepts ros2/lln-ros2.service" bash -c \
            "out=\$(systemd-analyze verify --man=no '$W/unit/lln-ros2.service' 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
    else
        echo "SKIPPED: systemd-analyze missing: the systemd unit is not verified"
    fi
}

compare_run() { # compare_run WHAT MODEL SENT.csv RECEIVED.csv: outputs equal lln run's
    "$LLN" run "$2" --input "$3" --dt-column dt -o "$W/ref.csv" 2>&1
    check "$1: outputs equal lln run's on the same inputs and dt (within 1e-6)" \
        python3 - "$4" "$W/ref.csv" <<'PY'
import csv, sys
got = [list(map(float, r)) for r in list(csv.reader(open(sys.argv[1])))[1:]]
ref = [list(map(float, r)) for r in list(csv.reader(open(sys.argv[2])))[1:]]
if len(got) != len(ref) or not got:
    sys.exit(f"  rows: received {len(got)}, reference {len(ref)}")
worst = max(abs(a - b) for g, r in zip(got, ref) for a, b in zip(g, r))
scale = max(abs(b) for r in ref for b in r)
print(f"  {len(got)} rows, max |received - reference| = {worst:.3g} (largest output {scale:.3g})")
sys.exit(0 if worst <= 1e-6 * max(1.0, scale) else 1)
PY
}

# roundtrip WHAT MODEL CONF N KIND MSGTYPE: node on MODEL with CONF; the listener expects N
# commands + N arrays; the talker sends N messages of KIND at 200 Hz (its CSV of inputs);
# the outputs must equal lln run's. Leaves the node running ($NP) for more checks.
roundtrip() {
    local what=$1 model=$2 cf=$3 n=$4 kind=$5 type=$6
    start_node "$model" "$cf" "$what" || { fail "$what: node start"; return 1; }
    "$LIST" 30 "$n" "$W/$what-recv.csv" >"$W/list.out" &
    local lp=$!
    PIDS="$PIDS $lp"
    sleep 0.5
    "$TALK" "$kind" "$n" 200 "$W/$what-sent.csv" >"$W/talk.out" 2>&1
    check "$what: talker sent $n messages, all acknowledged, reader type $type checked" \
        bash -c "grep -q 'sent $n, all acknowledged' '$W/talk.out' && grep -q 'type $type' '$W/talk.out'"
    wait $lp
    local lrc=$?
    sed 's/^/  /' "$W/list.out" "$W/talk.out"
    check "$what: listener got $n commands + $n arrays, types checked, nothing non-finite" \
        test $lrc -eq 0
    compare_run "$what" "$model" "$W/$what-sent.csv" "$W/$what-recv.csv"
}

test_joints() {
    echo "--- JointState in (by joint name) and out: an independent talker's JointState drive"
    echo "    the node; the listener gets JointState (joints a, b; efforts only) + arrays"
    "$LLN" new --cell cfc --inputs 2 --units 8 --proj-size 4 --backbone-units 16 --name wire_joints \
        -o "$W/joints.lln" >/dev/null || { fail "joints: model"; return; }
    conf node_joints.conf "$W/joints.conf"
    roundtrip joints "$W/joints.lln" "$W/joints.conf" 100 joints sensor_msgs::msg::dds_::JointState_ ||
        return
    stop_node joints
}

test_wire_content() {
    echo "--- wire: an independent talker's Imu drives the node; an independent listener gets"
    echo "    Twist + Float32MultiArray equal to 'lln run' on the same inputs and Δt"
    conf node_imu.conf "$W/imu.conf"
    roundtrip content "$W/imu.lln" "$W/imu.conf" 300 imu sensor_msgs::msg::dds_::Imu_ || return
    check "content: metrics count 300 steps" eq "$(metric lln_node_steps_total)" 300
    curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$W/metrics.txt"
    if command -v promtool >/dev/null; then
        check "metrics: promtool accepts the exposition format" \
            bash -c "promtool check metrics <'$W/metrics.txt'"
    else
        echo "SKIPPED: promtool (Debian prometheus) missing: exposition format not linted"
    fi
    check "metrics: the Grafana dashboard's queries use exported metrics" \
        python3 "$HERE/check_dashboard.py" "$ROOT/ros2/grafana-dashboard.json" "$W/metrics.txt"
    stop_node content
}

test_faults() {
    echo "--- faults: NaN/inf and backwards stamps dropped and counted, reset topic, publisher"
    echo "    killed and restarted, watchdog safe command, 10 000-message burst"
    conf node_imu.conf "$W/fault.conf" 0.3
    start_node "$W/imu.lln" "$W/fault.conf" faults || { fail "faults: node start"; return; }
    "$LIST" 120 >"$W/list.out" &
    local lp=$!
    PIDS="$PIDS $lp"
    sleep 0.5
    "$TALK" faults >/dev/null
    sleep 0.2
    check "faults: 2 non-finite messages dropped" eq "$(metric 'lln_node_dropped_total{reason="nonfinite"}')" 2
    check "faults: 1 backwards stamp dropped" eq "$(metric 'lln_node_dropped_total{reason="stamp_backwards"}')" 1
    check "faults: the 6 good messages stepped" eq "$(metric lln_node_steps_total)" 6
    "$TALK" reset >/dev/null
    sleep 0.2
    check "faults: reset topic resets the state" eq "$(metric 'lln_node_resets_total{reason="topic"}')" 1
    # publisher killed mid-run (SIGKILL: no goodbye), then a new one
    "$TALK" imu 5000 500 >/dev/null 2>&1 &
    local tp=$!
    sleep 1.5
    kill -KILL $tp
    wait $tp 2>/dev/null
    local s1
    s1=$(metric lln_node_steps_total)
    sleep 1
    check "faults: watchdog published the safe command after the publisher died" \
        ge "$(metric lln_node_watchdog_total)" 1
    check "faults: the watchdog says why" grep -q 'watchdog: no step for' "$W/faults.err"
    "$TALK" imu 200 200 >"$W/talk2.out" 2>&1
    check "faults: a restarted publisher is served (200 more steps)" \
        ge "$(metric lln_node_steps_total)" $((s1 + 200))
    s1=$(metric lln_node_steps_total)
    local t0 t1
    t0=$(date +%s%N)
    "$TALK" burst 10000 >"$W/burst.out" 2>&1
    for _ in $(seq 100); do
        [ "$(metric lln_node_steps_total)" -ge $((s1 + 10000)) ] 2>/dev/null && break
        sleep 0.1
    done
    t1=$(date +%s%N)
    local s2
    s2=$(metric lln_node_steps_total)
    echo "  burst: $((s2 - s1)) of 10000 messages stepped in $(((t1 - t0) / 1000000)) ms (talker start to last step, under load)"
    check "faults: 10 000-message burst all stepped, node alive" \
        bash -c "[ $((s2 - s1)) -eq 10000 ] && kill -0 $NP"
    stop_node faults
    kill -INT $lp 2>/dev/null
    wait $lp 2>/dev/null
    sed 's/^/  /' "$W/list.out"
    check "faults: nothing non-finite published (listener saw every output)" \
        grep -q 'nonfinite 0 badlen 0' "$W/list.out"
    check "faults: the listener received safe (zero) commands" \
        bash -c "grep -o 'zero_twists [0-9]*' '$W/list.out' | awk '{ exit !(\$2 > 0) }'"
}

test_nonfinite_output() {
    echo "--- a model whose outputs overflow to inf: nothing non-finite is published, the safe"
    echo "    command goes out instead and the state is reset"
    "$B/ros2_test_overflow_model" "$W/imu.lln" "$W/ovf.lln" || { fail "overflow model"; return; }
    conf node_imu.conf "$W/ovf.conf"
    start_node "$W/ovf.lln" "$W/ovf.conf" overflow || { fail "overflow: node start"; return; }
    "$LIST" 30 50 >"$W/list.out" &
    local lp=$!
    PIDS="$PIDS $lp"
    sleep 0.5
    "$TALK" imu 50 100 >/dev/null 2>&1
    wait $lp
    local lrc=$?
    sed 's/^/  /' "$W/list.out"
    check "overflow: listener got 50 + 50 messages, none non-finite" test $lrc -eq 0
    check "overflow: all 50 were the safe (zero) command" grep -q 'zero_twists 50 ' "$W/list.out"
    check "overflow: 50 non-finite outputs dropped and counted" \
        eq "$(metric 'lln_node_dropped_total{reason="nonfinite_output"}')" 50
    check "overflow: the state was reset each time" \
        eq "$(metric 'lln_node_resets_total{reason="nonfinite_output"}')" 50
    stop_node overflow
}

test_scan() {
    echo "--- LaserScan: an independent talker's scans (with inf/-inf/NaN ranges) and Imu drive"
    echo "    the node; a 100 000-range scan is handled"
    conf node_scan.conf "$W/scan.conf"
    start_node "$W/scan.lln" "$W/scan.conf" scan || { fail "scan: node start"; return; }
    "$LIST" 30 >"$W/list.out" &
    local lp=$!
    PIDS="$PIDS $lp"
    sleep 0.5
    "$TALK" imuscan 100 100 360 >"$W/talk.out" 2>&1
    check "scan: talker matched LaserScan and Imu readers (types checked)" \
        grep -q 'type sensor_msgs::msg::dds_::LaserScan_' "$W/talk.out"
    sleep 0.3
    local steps
    steps=$(metric lln_node_steps_total)
    echo "  $steps steps from 100 scan+imu pairs ($(metric 'lln_node_dropped_total{reason="stale_input"}') stale)"
    check "scan: at least 95 of 100 Imu stepped with a scan" ge "$steps" 95
    sleep 0.2
    check "scan: the Imu's 50 ms deadline was missed once the talker stopped (metric)" \
        ge "$(metric 'lln_node_deadline_missed_total{input="imu"}')" 1
    "$TALK" scan 3 100000 >"$W/big.out" 2>&1
    sleep 0.3
    check "scan: three 100 000-range scans received, node alive" \
        bash -c "[ \"$(metric 'lln_node_received_total{input="scan",topic="/scan"}')\" = 103 ] && kill -0 $NP"
    "$TALK" imuscan 20 100 360 >/dev/null 2>&1
    sleep 0.2
    check "scan: steps go on after the big scans" ge "$(metric lln_node_steps_total)" $((steps + 19))
    kill -INT $lp 2>/dev/null
    wait $lp
    local lrc=$?
    sed 's/^/  /' "$W/list.out"
    check "scan: nothing non-finite published" grep -q 'nonfinite 0 ' "$W/list.out"
    stop_node scan
}

test_soak() { # test_soak SECONDS [prometheus]
    local secs=$1 n=$(($1 * 1000))
    echo "--- soak: 1 kHz Imu for $secs s, reliable QoS: every output must arrive"
    conf node_imu.conf "$W/soak.conf"
    start_node "$W/imu.lln" "$W/soak.conf" soak || { fail "soak: node start"; return; }
    local pp=""
    if [ "${2:-}" = prometheus ]; then
        mkdir -p "$W/prom"
        cat >"$W/prom.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: lln_ros2
    static_configs:
      - targets: ['127.0.0.1:$PORT']
YML
        prometheus --config.file="$W/prom.yml" --storage.tsdb.path="$W/prom" \
            --web.listen-address="127.0.0.1:$PROM_PORT" >"$W/prom.log" 2>&1 &
        pp=$!
        PIDS="$PIDS $pp"
    fi
    "$LIST" $((secs + 60)) $n >"$W/soak-list.out" &
    local lp=$!
    PIDS="$PIDS $lp"
    sleep 0.5
    "$TALK" imu $n 1000 >"$W/soak-talk.out" 2>&1 &
    local tp=$!
    PIDS="$PIDS $tp"
    local q1="" q2=""
    if [ -n "$pp" ]; then
        sleep $((secs / 3 > 5 ? secs / 3 : 5))
        q1=$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/query?query=lln_node_steps_total")
    fi
    wait $tp
    wait $lp
    local lrc=$?
    sed 's/^/  /' "$W/soak-talk.out" "$W/soak-list.out"
    check "soak: $n outputs of each type received (zero lost), nothing non-finite" test $lrc -eq 0
    check "soak: node stepped $n times" eq "$(metric lln_node_steps_total)" $n
    if [ -n "$pp" ]; then
        sleep 2.5
        q2=$(curl -s "http://127.0.0.1:$PROM_PORT/api/v1/query?query=lln_node_steps_total")
        local q3
        q3=$(curl -s -G "http://127.0.0.1:$PROM_PORT/api/v1/query" \
            --data-urlencode 'query=histogram_quantile(0.99, rate(lln_node_step_seconds_bucket[1m]))')
        echo "  prometheus: steps mid-run $q1"
        echo "  prometheus: steps at end  $q2"
        echo "  prometheus: p99 step      $q3"
        check "prometheus: scraped the node, lln_node_steps_total moved" python3 - "$q1" "$q2" "$n" <<'PY'
import json, sys
def val(t):
    r = json.loads(t)["data"]["result"]
    return float(r[0]["value"][1]) if r else -1
a, b, n = val(sys.argv[1]), val(sys.argv[2]), float(sys.argv[3])
print(f"  steps: {a:.0f} mid-run -> {b:.0f} at the end")
sys.exit(0 if 0 < a < b and b == n else 1)
PY
        check "prometheus: step latency histogram queryable" grep -q '"resultType":"vector","result":\[{' <<<"$q3"
        curl -s --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$W/metrics.txt"
        check "prometheus: every Grafana dashboard query accepted (dashboard not loaded in Grafana)" \
            python3 "$HERE/check_dashboard.py" "$ROOT/ros2/grafana-dashboard.json" "$W/metrics.txt" \
            "http://127.0.0.1:$PROM_PORT"
        kill -TERM $pp
        wait $pp 2>/dev/null
    fi
    stop_node soak
    grep -E 'steps|us:' "$W/soak.err" | sed 's/^/  /'
}

test_sim() {
    echo "--- the simulator and lln-ros2 close the loop over DDS: a cart-pole policy's episodes"
    echo "    with the node as controller (lln sim --ros2) equal the in-process float32 run's"
    if ! "$LLN" sim --help | grep -q -- '--ros2' || "$LLN" sim cartpole --episodes 1 -q 2>&1 |
        grep -q 'built without'; then
        echo "SKIPPED: lln was built without Cyclone DDS or MuJoCo: lln sim --ros2 not tested"
        return
    fi
    if ! "$LLN" data make cartpole --rows 20000 --seed 1 -o "$W/cp.csv" >/dev/null 2>&1 ||
        ! "$LLN" train --data "$W/cp.csv" --sequence episode --dt-column dt --ignore t \
            --targets push --window 64 --stride 16 --seed 7 --epochs 20 --threads 1 --cell ltc \
            --wiring autoncp --units 19 --lr 0.02 --quiet -o "$W/cp.lln" >/dev/null 2>&1; then
        fail "sim: training the cart-pole policy"
        return
    fi
    sed -e "s/^metrics = off/metrics = 127.0.0.1:$PORT/" \
        ${STEP_THREAD:+-e "s/^step_thread = .*/step_thread = $STEP_THREAD/"} \
        "$ROOT/ros2/sim-cartpole.conf" >"$W/sim.conf"
    start_node "$W/cp.lln" "$W/sim.conf" sim || { fail "sim: node start"; return; }
    mkdir -p "$W/tr"
    "$LLN" sim cartpole --policy "$W/cp.lln" --ros2 --episodes 10 --seed 1 --no-expert -q \
        --trace "$W/tr" --json "$W/sim.json" >"$W/sim.out" 2>&1
    local rc=$?
    sed 's/^/  /' "$W/sim.out"
    check "sim: lln sim --ros2 ran (exit 0)" test $rc -eq 0
    check "sim: the ros2 controller's success, tracking and effort equal the float32 run's" \
        python3 - "$W/sim.json" <<'PY'
import json, sys
c = {x["controller"]: x for x in json.load(open(sys.argv[1]))["controllers"]}
keys = ("successes", "failures", "tracking_error", "effort", "controller_failures")
for k in keys:
    print(f"  {k}: float-host {c['float-host'][k]}, ros2 {c['ros2'][k]}")
sys.exit(0 if all(c["float-host"][k] == c["ros2"][k] for k in keys) and
         c["ros2"]["controller_failures"] == 0 else 1)
PY
    local same=0 rows=0 f
    for f in "$W"/tr/cartpole-float-host-*.csv; do
        cmp -s "$f" "${f/float-host/ros2}" && same=$((same + 1))
        rows=$((rows + $(wc -l <"$f") - 1))
    done
    echo "  $same of 10 episode traces identical ($rows steps: every sensor and command to 6 decimals)"
    check "sim: all 10 episodes' commands equal the in-process run's (traces identical)" \
        test "$same" -eq 10
    check "sim: the node stepped once per reading ($rows)" eq "$(metric lln_node_steps_total)" "$rows"
    check "sim: one state reset per episode, from /lln_sim/reset" \
        eq "$(metric 'lln_node_resets_total{reason="topic"}')" 10
    stop_node sim
}

test_floor() { # test_floor SECONDS: Cyclone DDS alone, in the soak's conditions
    local secs=$1 n=$(($1 * 1000))
    echo "--- floor: the soak's DDS traffic without lln-ros2: a relay (tests/ros2/dds_ping.c)"
    echo "    takes the talker's Imu and writes a Twist and a Float32MultiArray per message to"
    echo "    the listener, exactly as the node's waitset thread does, but runs no model;"
    echo "    $secs s at 1 kHz, same QoS, talker and listener"
    "$PING" relay "$n" >"$W/relay.out" 2>&1 &
    local rp=$!
    PIDS="$PIDS $rp"
    "$LIST" $((secs + 60)) $n >"$W/relay-list.out" &
    local lp=$!
    PIDS="$PIDS $lp"
    sleep 0.5
    "$TALK" imu $n 1000 >"$W/relay-talk.out" 2>&1
    wait $lp
    local lrc=$?
    wait $rp
    local rrc=$?
    sed 's/^/  /' "$W/relay.out" "$W/relay-list.out"
    check "floor: relay passed all $n messages on (both outputs received)" \
        bash -c "[ $lrc -eq 0 ] && [ $rrc -eq 0 ]"
    echo "--- floor: one reliable write and its delivery, one writer -> one reader in another"
    echo "    process, 2 writes per 1 ms tick (the node's two outputs), $secs s"
    "$PING" recv $((2 * n)) $((secs + 30)) >"$W/ping-recv.out" 2>&1 &
    rp=$!
    PIDS="$PIDS $rp"
    sleep 0.3
    "$PING" send $n 1000 2 >"$W/ping-send.out" 2>&1
    local src=$?
    wait $rp
    local prc=$?
    sed 's/^/  /' "$W/ping-send.out" "$W/ping-recv.out" | grep -v ready
    check "floor: ping delivered all $((2 * n)) samples" bash -c "[ $src -eq 0 ] && [ $prc -eq 0 ]"
    echo "--- floor: no DDS: a loopback UDP sendto() to a process blocked in recv(), 2 per tick"
    "$PING" udp $n 1000 >"$W/udp.out" 2>&1
    local urc=$?
    sed 's/^/  /' "$W/udp.out"
    check "floor: UDP receiver got all $((2 * n)) datagrams" test $urc -eq 0
    echo "  (load while measuring: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores)"
}

test_bench() { # test_bench COUNT RUNS RATE: the node's sustained step rate
    local n=$1 runs=$2 hz=$3 rates=""
    if [ "$hz" = burst ]; then
        echo "--- bench: $runs bursts of $n Imu written as fast as the talker can (at most the"
        echo "    reader's depth, 20 000, or KEEP_LAST drops the oldest when the node falls behind)"
    else
        echo "--- bench: $runs runs of $n Imu paced at $hz Hz: the node must keep up (every output"
        echo "    arrives) for $((n / hz)) s"
    fi
    echo "    LTC AutoNCP(19,4), Twist + Float32MultiArray out (reliable); rate = steps / (last"
    echo "    step - first step)"
    conf node_imu.conf "$W/bench.conf"
    for r in $(seq "$runs"); do
        start_node "$W/imu.lln" "$W/bench.conf" bench || { fail "bench: node start"; return; }
        "$LIST" 120 "$n" >"$W/bench-list.out" &
        local lp=$!
        PIDS="$PIDS $lp"
        sleep 0.5
        if [ "$hz" = burst ]; then
            "$TALK" burst "$n" >"$W/bench-talk.out" 2>&1
        else
            "$TALK" imu "$n" "$hz" >"$W/bench-talk.out" 2>&1
        fi
        wait $lp
        local lrc=$?
        kill -TERM "$NP"
        wait "$NP"
        local rate
        rate=$(sed -n 's/.* steps in .* s (\([0-9]*\) steps\/s).*/\1/p' "$W/bench.err")
        echo "  run $r: $(grep -E 'steps in' "$W/bench.err" | sed 's/^lln-ros2: //'); listener: $(tail -n 1 "$W/bench-list.out")"
        grep -E 'us:' "$W/bench.err" | sed 's/^lln-ros2:/        /'
        check "bench run $r: all $n outputs of each type received" test $lrc -eq 0
        rates="$rates ${rate:-0}"
    done
    local med
    med=$(tr ' ' '\n' <<<"$rates" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    echo "  bench: steps/s per run:$rates; median $med (nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg))"
    check "bench: median sustained rate $med steps/s >= 10000" ge "$med" 10000
}

case $MODE in
quick | ci)
    for t in config_errors wire_content faults joints nonfinite_output scan sim; do "test_$t"; done
    if [ "$MODE" = ci ]; then
        command -v prometheus >/dev/null || fail "prometheus not installed (apt-get install prometheus)"
        test_soak "${SOAK_S:-30}" prometheus
    fi
    ;;
soak)
    test_soak "${SOAK_S:-600}"
    [ "${SOAK_FLOOR:-1}" = 0 ] || test_floor "$(( ${SOAK_S:-600} < 90 ? ${SOAK_S:-600} : 90 ))"
    ;;
bench)
    test_bench "${SOAK_S:-60000}" "${4:-3}" "${5:-12000}"
    ;;
*)
    echo "unknown mode $MODE"
    exit 2
    ;;
esac
echo "ros2 tests: $fails failed"
[ $fails -eq 0 ]
