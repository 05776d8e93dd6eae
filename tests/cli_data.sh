#!/bin/bash
# `lln data`: make line-follow is deterministic (same seed, same bytes; a pinned checksum, so
# another machine or compiler that differs fails here; a shorter run is a prefix), gzip
# output, usage errors exit 2, failures exit 1 and leave no file; info; prepare's refusals.
# Usage: cli_data.sh PATH/TO/lln [SHARED_DIR]
set -u
lln=$1
shared=${2:-}
# shellcheck source=tests/lib/cli_common.sh
. "$(dirname "$0")/lib/cli_common.sh"
cli_begin cli_data

# help and usage errors
expect 0 '^usage: lln data make line-follow' -- "$lln" data --help
expect 0 'make line-follow' -- "$lln" data make --help
expect 2 'usage: lln data' -- "$lln" data
expect 2 "unknown subcommand 'frob'" -- "$lln" data frob
expect 2 "Try 'lln data --help'" -- "$lln" data make --no-such-flag line-follow -o "$tmp/x.csv"
expect 2 'which dataset' -- "$lln" data make -o "$tmp/x.csv"
expect 2 "unknown dataset 'maze'" -- "$lln" data make maze -o "$tmp/x.csv"
expect 2 '-o FILE is required' -- "$lln" data make line-follow
expect 2 'not both' -- "$lln" data make line-follow --rows 10 --seconds 5 -o "$tmp/x.csv"
expect 2 "--rows: '0' is not an integer" -- "$lln" data make line-follow --rows 0 -o "$tmp/x.csv"
expect 2 "--seed: 'x' is not an integer" -- "$lln" data make line-follow --seed x -o "$tmp/x.csv"
expect 2 '--seconds' -- "$lln" data make line-follow --seconds -1 -o "$tmp/x.csv"
expect 2 '--episode-seconds' -- "$lln" data make line-follow --episode-seconds 0.5 -o "$tmp/x.csv"
[ -e "$tmp/x.csv" ] && fail "a refused 'data make' left a file"

# make: deterministic, pinned, prefix-stable
expect 0 'wrote .*a.csv: 3000 rows, [0-9]+ episodes' -- "$lln" data make line-follow --rows 3000 --seed 7 -o "$tmp/a.csv"
"$lln" data make line-follow --rows 3000 --seed 7 -o "$tmp/b.csv" 2>/dev/null
cmp -s "$tmp/a.csv" "$tmp/b.csv" || fail "same seed, different bytes"
"$lln" data make line-follow --rows 3000 --seed 8 -o "$tmp/c.csv" 2>/dev/null
cmp -s "$tmp/a.csv" "$tmp/c.csv" && fail "seeds 7 and 8 gave the same data"
[ "$(wc -l <"$tmp/a.csv")" -eq 3001 ] || fail "3000 rows expected plus a header"
head -n1 "$tmp/a.csv" | grep -qx 'episode,t,dt,s0,s1,s2,s3,s4,gyro,enc_l,enc_r,cmd_l,cmd_r' ||
    fail "header: $(head -n1 "$tmp/a.csv")"
"$lln" data make line-follow --rows 1000 --seed 7 -o "$tmp/short.csv" 2>/dev/null
head -n 1001 "$tmp/a.csv" | cmp -s - "$tmp/short.csv" || fail "--rows 1000 is not a prefix of --rows 3000"
# The bytes of this run on the reference machine (gcc and clang, -O0..-O3, -march=native).
# A different checksum means the simulator or its arithmetic changed: if on purpose, update it
# (and say so in the changelog: datasets made earlier are then not reproducible).
sum=$("$lln" data make line-follow --rows 2000 --seed 1 -o - | sha256sum | cut -d' ' -f1)
want=9be3891e3707c5ec5ad076ecbb1e5852ce8222aeb10cd19d9b5e24c968bd41c7
[ "$sum" = "$want" ] || fail "line-follow --rows 2000 --seed 1: sha256 $sum, pinned $want"
"$lln" data make line-follow --seconds 30 --episode-seconds 10 -o "$tmp/s.csv" 2>/dev/null
# simulated time = the sum of each episode's last t: at most 30 s, and three episodes at least
awk -F, 'NR > 1 { last[$1] = $2 } END { for (e in last) { s += last[e]; n++ }
    exit !(s <= 30 && s > 29.5 && n >= 3) }' "$tmp/s.csv" || fail "--seconds 30: wrong amount of time"
awk -F, 'NR > 1 && $2 > 10 { bad = 1 } END { exit bad }' "$tmp/s.csv" || fail "an episode over 10 s"
awk -F, 'NR > 1 && ($3 < 0 || $3 > 0.126) { bad = 1 } END { exit bad }' "$tmp/a.csv" ||
    fail "a dt outside [0, 0.126]"
awk -F, 'NR > 1 && $3 == 0 && $2 > 0.03 { bad = 1 } END { exit bad }' "$tmp/a.csv" ||
    fail "dt 0 on a row that is not an episode's first"

# gzip output: the same data
"$lln" data make line-follow --rows 3000 --seed 7 -o "$tmp/a.csv.gz" 2>/dev/null
gzip -dc "$tmp/a.csv.gz" | cmp -s - "$tmp/a.csv" || fail "the .gz output is not the same data"
"$lln" data make line-follow --rows 3000 --seed 7 -o "$tmp/b.csv.gz" 2>/dev/null
cmp -s "$tmp/a.csv.gz" "$tmp/b.csv.gz" || fail "two .gz outputs differ"

# a failed write exits 1 and leaves nothing
expect 1 'nodir' -- "$lln" data make line-follow --rows 10 -o "$tmp/nodir/x.csv"
[ -e "$tmp/nodir" ] && fail "a failed write created something"

# info
expect 0 'rows +3000' -- "$lln" data info "$tmp/a.csv"
expect 0 'cmd_r +number +min' -- "$lln" data info "$tmp/a.csv.gz"
printf 'a,b\n1,2\n3\n' >"$tmp/bad.csv"
expect 1 'bad.csv:3: 1 fields, expected 2' -- "$lln" data info "$tmp/bad.csv"
expect 1 'missing.csv: cannot open' -- "$lln" data info "$tmp/missing.csv"
head -c 300 "$tmp/a.csv.gz" >"$tmp/trunc.csv.gz"
expect 1 'trunc.csv.gz: .*damaged gzip data: unexpected end of file' -- "$lln" data info "$tmp/trunc.csv.gz"
printf 'x,name\n1,cat\n2,dog\n' >"$tmp/t.csv"
expect 0 'name +text +2 distinct: cat, dog' -- "$lln" data info "$tmp/t.csv"
expect 2 'one FILE' -- "$lln" data info

# prepare: refusals (the datasets themselves: test_data_shared)
expect 2 'no preparation is needed for .gesture.' -- "$lln" data prepare gesture --shared "$tmp" -o "$tmp/g.csv"
expect 2 "unknown dataset 'mnist'" -- "$lln" data prepare mnist --shared "$tmp" -o "$tmp/g.csv"
expect 2 'are needed' -- "$lln" data prepare traffic -o "$tmp/g.csv"
expect 2 'traffic only' -- "$lln" data prepare walker2d --unique-hours --shared "$tmp" -o "$tmp/g.csv"
expect 1 'cannot open' -- "$lln" data prepare traffic --shared "$tmp" -o "$tmp/g.csv"
[ -e "$tmp/g.csv" ] && fail "a failed prepare left a file"
if [ -n "$shared" ] && [ -r "$shared/data/traffic/traffic.csv" ]; then
    expect 0 'wrote .*: 48204 rows' -- "$lln" data prepare traffic --shared "$shared" -o "$tmp/tr.csv"
    head -n1 "$tmp/tr.csv" | grep -q '^row,t_hours,dt_hours,holiday,temp_centred' ||
        fail "prepare traffic header: $(head -n1 "$tmp/tr.csv")"
else
    echo "SKIP (loud): $shared/data/traffic is absent; prepare traffic did not run" >&2
fi

cli_end
