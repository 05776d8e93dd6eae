#!/bin/bash
# Shows that the big-endian stage catches a byte-order bug: plants one in a copy of the
# committed tree (the .lln reader's 32-bit field read, lln_fmt_rd32 in
# src/io/format_internal.h, made to read in host order with memcpy, as a careless port would),
# runs the big-endian stage's tests on that copy (scripts/cross_test.sh s390x-linux-gnu) and
# succeeds only if they FAIL. On a little-endian host the planted bug is invisible (host order
# is the file's order), which is why the stage runs on s390x.
# Usage: scripts/endian_demo.sh SHARED_DIR [WORK_DIR]     (needs the bigendian stage's tools)
set -euo pipefail
shared=${1:?usage: scripts/endian_demo.sh SHARED_DIR [WORK_DIR]}
work=${2:-$(mktemp -d /tmp/lln-endian-demo.XXXXXX)}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work/src"
git -C "$root" archive HEAD | tar -x -C "$work/src"
hdr="$work/src/src/io/format_internal.h"
python3 - "$hdr" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
good = "return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;"
bad = "uint32_t v;\n    memcpy(&v, p, sizeof v); /* PLANTED BUG: host byte order */\n    return v;"
if s.count(good) != 1:
    sys.exit("endian_demo: lln_fmt_rd32's body not found in " + p)
open(p, "w").write(s.replace(good, bad))
PY
grep -q '#include <string.h>' "$hdr" || sed -i 's/#include <stdint.h>/&\n#include <string.h>/' "$hdr"
echo "planted: lln_fmt_rd32 reads in host byte order ($hdr)"
if bash "$work/src/scripts/cross_test.sh" s390x-linux-gnu "$work/build" "$shared" "$work/src" \
    >"$work/log" 2>&1; then
    echo "endian_demo: FAILED TO CATCH the planted bug: the s390x tests passed (log: $work/log)"
    exit 1
fi
grep -E 'tests passed|CHECK failed|FAIL' "$work/log" | head -n 12
echo "endian_demo: the big-endian tests caught the planted bug (log: $work/log)"
