#!/bin/bash
# The CI's short run of the timing study (scripts/timing_study.sh, the robots stage): one
# task (cart-pole), one cell (GRU), one seed, 2 epochs on 3000 rows, 3 episodes at two
# deployed timings; seconds. Checked: the progress lines, the table, the JSON that lln report
# draws, the plots; a second run skips every finished run and gives the same table; a
# deleted result is rerun alone; other settings on the same folder and bad settings are
# refused with the reason. Needs MuJoCo in the build (cart-pole); without it, skipped loudly.
# Usage: robots_timing.sh BUILD_DIR
set -u
build=$1
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin robots_timing
root="$(cd "$(dirname "$0")/.." && pwd)"
study="$root/scripts/timing_study.sh"
lln="$build/lln"
"$lln" sim cartpole --episodes 1 -q >/dev/null 2>&1 ||
    skip_loud "lln sim cartpole does not run (lln built without MuJoCo?): the timing study was NOT checked"
sout="$tmp/study"
# shellcheck disable=SC2317 # run is called through expect
run() {
    env TASKS=cartpole CELLS=gru SEEDS=1 EPOCHS=2 EPISODES=3 ROWS=3000 \
        TIMINGS="trained rate_x2" "$@" bash "$study" "$build" "$sout"
}

expect 0 '\[2/2\] cartpole-gru-1: params [0-9]+, successes of 3: trained=[0-3] rate_x2=[0-3]' -- run
for f in timing.tsv timing.md timing.json plots/timing-cartpole.svg report.html; do
    [ -s "$sout/$f" ] || fail "the study wrote no $f"
done
grep -qE '^\| gru \| [0-9]+ \| 1 \| [01]\.[0-9]{2} \| ' "$sout/timing.md" ||
    fail "timing.md has no gru row: $(cat "$sout/timing.md")"
grep -qE '^\| expert \| – \| 1 \| 1\.00 \| ' "$sout/timing.md" ||
    fail "timing.md: the expert does not balance the pole at the trained timing: $(cat "$sout/timing.md")"
[ "$(wc -l <"$sout/timing.tsv")" = 5 ] || fail "timing.tsv: expected a header and 4 rows: $(cat "$sout/timing.tsv")"
expect 0 'wrote .*r.html \(1 figures' -- "$lln" report "$sout/timing.json" -o "$tmp/r.html"
cp "$sout/timing.md" "$tmp/first.md"

# resumed: nothing to do, the same table
expect 0 '\[2/2\] cartpole-gru-1: finished earlier, skipped' -- run
cmp -s "$sout/timing.md" "$tmp/first.md" || fail "the resumed study changed timing.md"
# a lost result is rerun alone (the model is kept: the same numbers)
rm "$sout/cells/cartpole-gru-1.tsv"
expect_exit 0 "the resumed study" run
grep -q '\[1/2\] cartpole-expert-0: finished earlier, skipped' "$tmp/out" ||
    fail "the finished expert run was not skipped: $(cat "$tmp/out")"
grep -q '\[2/2\] cartpole-gru-1: params' "$tmp/out" || fail "the lost result was not rerun: $(cat "$tmp/out")"
cmp -s "$sout/timing.md" "$tmp/first.md" || fail "the rerun of one result changed timing.md"

# refusals
expect 1 'holds a run with other settings' -- run EPISODES=4
expect 1 'EPOCHS, EPISODES and JOBS must be positive integers \(got .0.\)' -- run EPOCHS=0
expect 1 "TIMINGS: unknown column 'faster'" -- run TIMINGS=faster
expect 1 "unknown cell 'rnn'" -- run CELLS=rnn
expect 1 "SEEDS: 'x' is not a non-negative integer" -- run SEEDS=x
cli_end
