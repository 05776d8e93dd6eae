#!/bin/bash
# The same-run ncps comparison of the benchmarks (bench/bench_common.h): bench_speed and
# bench_train read the file bench/ncps_bench.py writes, print the ratio from it, say loudly
# when there is none, and reject a malformed file naming its line.
# Usage: bench_ncps.sh PATH/TO/bench_speed PATH/TO/bench_train
set -u
speed=$1
train=$2
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin bench_ncps

good=$tmp/ncps.tsv
{
    echo "# ncps from test; torch 0.0; python 3"
    echo "# torch threads 1; quick 1"
    for m in ltc_ncp19 ltc_fc32 cfc32 cfc64 wcfc_ncp19; do
        printf 'ncps\t%s\tstream_us\t5000\nncps\t%s\tbatch_ms\t90000\nncps\t%s\ttrain_s\t900\n' "$m" "$m" "$m"
    done
} >"$good"

# With the file: "measured in this run", and a ratio column of this run's numbers. ncps at
# 5000 us per step is far slower than our wired CfC step, so the ratio is above 1x.
expect_exit 0 "bench_speed --ncps" "$speed" --quick --ncps "$good" --model wcfc_ncp19
grep -q 'measured in this run by bench/ncps_bench.py' "$tmp/out" || fail "no same-run line"
n=$(awk '/^streaming/ { s = 1; next } s && $1 ~ /^(ltc|cfc|wcfc)/ && $2 == "5000.000" && $4 ~ /^[0-9.]+x$/ && $4 + 0 > 1 { n++ } /^$/ { s = 0 } END { print n + 0 }' "$tmp/out")
[ "$n" -eq 1 ] || fail "streaming table: $n of 1 row with ncps 5000 and a ratio > 1x: $(cat "$tmp/out")"
grep -q 'NO COMPARISON' "$tmp/out" && fail "says no comparison although it had the file"

# Without it: loud, and no ratio.
expect_exit 0 "bench_speed without --ncps" "$speed" --quick --model wcfc_ncp19
grep -q 'NO COMPARISON WITH ncps WAS MADE' "$tmp/out" || fail "no loud 'no comparison' line"
awk '/^streaming/ { s = 1; next } s && $1 == "wcfc_ncp19" && $2 != "-" { bad = 1 } /^$/ { s = 0 } END { exit bad }' \
    "$tmp/out" || fail "an ncps number without a file"

# Batched on 2 threads against an ncps file of 2 threads (stream 1): a same-thread comparison,
# said in the header; against the 1-thread file the thread counts differ, loudly.
{
    echo "# ncps from test; torch 0.0; python 3"
    echo "# torch threads 2; quick 1"
    echo "# stream threads 1"
    sed '1,2d' "$good"
} >"$tmp/two.tsv"
expect_exit 0 "bench_speed --threads 2" "$speed" --quick --threads 2 --ncps "$tmp/two.tsv" --model wcfc_ncp19
grep -q 'streaming 1 thread(s), batched 2; ours: streaming 1, batched 2' "$tmp/out" ||
    fail "no 2-thread header: $(cat "$tmp/out")"
grep -q 'THREAD COUNTS DIFFER' "$tmp/out" && fail "2 vs 2 threads called different"
grep -q 'lln_sequence_mt 64 x 100 x 8 on 2 thread' "$tmp/out" || fail "method line lacks 2 threads"
# Two threads: what the machine gave the batched calls (bench/bench_moment.h), one row per
# model; on Linux measured (a 2-core ratio, k/n calls on one CPU), elsewhere said to be not
# measured. scripts/bench_median.py lists it per run with ours / the limit at that moment.
if [ "$(uname -s)" = Linux ] && [ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ]; then
    awk '/^the machine during the batched calls/ { s = 1; next } s && $1 == "wcfc_ncp19" && $4 ~ /^[0-9.]+x$/ && $5 ~ /^[0-9.]+x$/ && $6 ~ /^[0-9]+\/[0-9]+$/ { n++ } /^$/ { s = 0 } END { exit n != 1 }' \
        "$tmp/out" || fail "no measured 'machine during the batched calls' row: $(cat "$tmp/out")"
    cp "$tmp/out" "$tmp/run-1.log"
    python3 "$(dirname "$0")/../scripts/bench_median.py" "$tmp/run-1.log" "$tmp/run-1.log" >"$tmp/med" ||
        fail "bench_median.py failed on a two-thread log"
    grep -q '^  wcfc_ncp19  median ours / limit then [0-9.]*x' "$tmp/med" ||
        fail "bench_median.py lacks the same-moment line: $(cat "$tmp/med")"
    # bench_contend: three blocks per round (1 thread, 2, 2 + a competing process), each a
    # median with its calls on one CPU; the machine alone; its arguments checked.
    contend=$(dirname "$speed")/bench_contend
    expect_exit 0 "bench_contend --rounds 1" "$contend" --rounds 1 --model wcfc_ncp19
    n=$(grep -cE '^wcfc_ncp19 round 1 .* median +[0-9.]+ ms .* one CPU +[0-9]+/21' "$tmp/out")
    [ "$n" -eq 3 ] || fail "bench_contend: $n of 3 block lines: $(cat "$tmp/out")"
    expect 0 'blocks of 21 pinned pairs: [0-9]+ at full cores' -- "$contend" --machine 0.05
    expect 1 "--rounds '0': want 1 .. 1000" -- "$contend" --rounds 0
    expect 1 "--machine 'x': want seconds" -- "$contend" --machine x
    expect 1 "--model nope: no such model" -- "$contend" --model nope --rounds 1
else
    echo "bench_ncps: SKIPPED the same-moment machine check (needs Linux and 2 CPUs)"
fi
expect_exit 0 "bench_speed --threads 2, 1-thread ncps" "$speed" --quick --threads 2 --ncps "$good" --model wcfc_ncp19
grep -q 'THREAD COUNTS DIFFER' "$tmp/out" || fail "2 vs 1 threads not called different"
expect 1 "--threads 'x2': want 0" -- "$speed" --threads x2
expect 1 "--threads '65': want 0" -- "$speed" --threads 65

# Another batch size: in the method line, the table title and the JSON; not with --ncps.
expect_exit 0 "bench_speed --batch 8" "$speed" --quick --batch 8 --threads 2 --model wcfc_ncp19
grep -q 'lln_sequence_mt 8 x 100 x 8 on 2 thread' "$tmp/out" || fail "method line lacks batch 8"
grep -q '^batched, 8 sequences x 100 steps' "$tmp/out" || fail "table title lacks batch 8"
expect_exit 0 "bench_speed --batch 8 --json" "$speed" --quick --json --batch 8 --model wcfc_ncp19
grep -q '"batch": 8,' "$tmp/out" || fail "JSON lacks \"batch\": 8"
expect 1 "--batch '0': want 1 .. 4096" -- "$speed" --batch 0
expect 1 "--batch '4097': want 1 .. 4096" -- "$speed" --batch 4097
expect 1 "--batch 8 with --ncps: ncps's numbers are for 64" -- "$speed" --batch 8 --ncps "$good"

# Malformed files: named with the line, exit 1, before any benchmark runs.
sed '3s/5000/abc/' "$good" >"$tmp/bad.tsv"
expect 1 "bad.tsv:3: bad mode \"stream_us\" or value \"abc\"" -- "$speed" --ncps "$tmp/bad.tsv"
sed '1,2d' "$good" >"$tmp/nothreads.tsv"
expect 1 "nothreads.tsv: no \"# torch threads N\" line" -- "$train" --ncps "$tmp/nothreads.tsv"
printf '# torch threads 1\nncps ltc_ncp19 stream_us\n' >"$tmp/short.tsv"
expect 1 "short.tsv:2: expected \"ncps MODEL MODE VALUE\"" -- "$speed" --ncps "$tmp/short.tsv"
expect 1 "cannot open" -- "$speed" --ncps "$tmp/missing.tsv"
expect 1 "--model nope: no such model" -- "$speed" --quick --model nope
cli_end
