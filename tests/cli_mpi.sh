#!/bin/bash
# lln-mpi train (docs/CLUSTER.md): the model is bit-identical for every split of the same
# number of workers (ranks x threads) and equal to one lln process with that many threads; a
# killed rank stops the job with a non-zero exit, a message and a loadable checkpoint, from
# which --resume under mpirun ends exactly where an uninterrupted run ends.
# Usage: cli_mpi.sh LLN [SHARED]; lln-mpi is looked for beside LLN (or $LLN_MPI_BIN).
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_mpi
lln=$1
mpi=${LLN_MPI_BIN:-$(dirname "$lln")/lln-mpi}
[ -x "$mpi" ] || skip_loud "no lln-mpi beside $lln (configure with libopenmpi-dev installed)"
need_tools "apt-get install openmpi-bin" mpirun
mpirun=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && mpirun+=(--allow-run-as-root)
# Under AddressSanitizer (the CI's sanitizer build) the MPI processes run without leak
# checking: Open MPI's own allocations, in components it unloads at MPI_Finalize, are reported
# as leaks that LeakSanitizer cannot even attribute. Memory errors are still caught, and the
# same library code runs with leak checking in the one-process runs and test_train_dist.
mpirun+=(-x "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
# Shared memory only on one machine (containers often have no TCP interface), and no
# cross-memory attach (containers often forbid the ptrace it needs).
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none

line_follow
run=(train "${data[@]}" --cell cfc --units 8 --backbone-units 16 --seed 2 --lr 0.01 --batch 16
    --quiet)

# ---- bit-identical across (ranks, threads) with 4 workers ------------------------------------
"$lln" "${run[@]}" --epochs 2 --threads 4 -o "$tmp/s4.lln" >"$tmp/out" 2>&1 ||
    fail "lln train --threads 4: $(cat "$tmp/out")"
"$lln" "${run[@]}" --epochs 2 --threads 2 -o "$tmp/s2.lln" >"$tmp/out" 2>&1 ||
    fail "lln train --threads 2: $(cat "$tmp/out")"
cmp -s "$tmp/s4.lln" "$tmp/s2.lln" &&
    fail "2 and 4 threads give the same bits: the comparisons below could not fail"
for split in 1x4 2x2 4x1; do
    np=${split%x*} th=${split#*x}
    "${mpirun[@]}" -np "$np" "$mpi" "${run[@]}" --epochs 2 --threads "$th" \
        -o "$tmp/m$split.lln" >"$tmp/out" 2>&1 || fail "mpirun -np $np --threads $th: $(cat "$tmp/out")"
    cmp -s "$tmp/s4.lln" "$tmp/m$split.lln" ||
        fail "(ranks, threads) = ($np, $th) gives another model than lln --threads 4"
    cmp -s "$tmp/s4.lln.ckpt" "$tmp/m$split.lln.ckpt" ||
        fail "(ranks, threads) = ($np, $th) gives another checkpoint than lln --threads 4"
done
grep -q '^mpi  *4 ranks; exchange: ' "$tmp/out" || fail "no exchange line: $(cat "$tmp/out")"

# ---- a killed rank: non-zero exit, a message, the checkpoint intact; --resume exact ----------
# The kill must land before the last epoch. How long training lasts depends on the build
# (Release, ASan, coverage) and the machine's load, so a run the kill came too late for is
# repeated with twice the epochs (16 .. 1024) instead of guessing one length for every machine.
kill_rank1() { # EPOCHS: starts the 2-rank run, kills rank 1 after the first checkpoint
    rm -f "$tmp/k.lln" "$tmp/k.lln.ckpt"
    "${mpirun[@]}" -np 2 "$mpi" "${run[@]}" --epochs "$1" --threads 1 -o "$tmp/k.lln" \
        >"$tmp/k.out" 2>&1 &
    job=$!
    for _ in $(seq 600); do [ -f "$tmp/k.lln.ckpt" ] && break; sleep 0.05; done
    victim=""
    for p in $(pgrep -P "$job" -f lln-mpi) $(pgrep -f "$tmp/k.lln"); do
        if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
            victim=$p
            break
        fi
    done
    [ -n "$victim" ] && kill -9 "$victim"
    wait "$job"
    rc=$?
}
epochs=16
pos=""
while :; do
    kill_rank1 $epochs
    if [ -n "$victim" ] && [ -f "$tmp/k.lln.ckpt" ]; then
        pos=$("$lln" info "$tmp/k.lln.ckpt" | awk '/train.position =/{print $4}')
        [ -n "$pos" ] && [ "$pos" -lt $epochs ] && break
    fi
    [ $epochs -ge 1024 ] && break
    epochs=$((epochs * 2))
done
if [ -z "$victim" ]; then
    fail "rank 1 not found (the run ended before the kill?): $(cat "$tmp/k.out")"
elif [ -z "$pos" ] || [ "$pos" -ge $epochs ]; then
    fail "the kill came after the last epoch even with $epochs epochs (${pos:-no position})"
else
    echo "rank 1 killed at epoch $pos of $epochs"
    [ "$rc" -ne 0 ] || fail "killing rank 1 left exit status 0"
    grep -qiE 'rank 1 .*(signal 9|killed)' "$tmp/k.out" ||
        fail "no message naming the killed rank: $(cat "$tmp/k.out")"
    expect 0 'train.position' -- "$lln" info "$tmp/k.lln.ckpt"
    "$lln" "${run[@]}" --epochs $epochs --threads 2 -o "$tmp/full.lln" >/dev/null 2>&1 ||
        fail "uninterrupted run"
    "${mpirun[@]}" -np 2 "$mpi" "${run[@]}" --epochs $epochs --threads 1 -o "$tmp/k.lln" \
        --resume >"$tmp/out" 2>&1 || fail "--resume under mpirun: $(cat "$tmp/out")"
    grep -q '^resume ' "$tmp/out" || fail "no resume line: $(cat "$tmp/out")"
    cmp -s "$tmp/full.lln" "$tmp/k.lln" ||
        fail "killed at epoch $pos and resumed: another model than an uninterrupted run"
fi

# ---- refused under MPI ---------------------------------------------------------------------------
expect 2 'energy-budget-mw runs on one process' -- "${mpirun[@]}" -np 2 "$mpi" "${run[@]}" \
    --epochs 1 --energy-budget-mw 1 --device nrf52840 --rate 100 -o "$tmp/b.lln"
cli_end
