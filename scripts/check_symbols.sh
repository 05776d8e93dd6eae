#!/bin/bash
# The naming rule of docs/DESIGN.md ("Layout"), checked with nm on the built libraries:
#   - every global symbol of liblln.a starts with lln_ (public) or lln__ (shared internal);
#   - liblln.so exports exactly the lln_ symbols and no lln__ one;
#   - a global lln_ symbol that is not exported is the firmware runtime's own API
#     (lln_rt_, lln_rtq_, lln_fx_: public in the exported firmware, hidden in liblln).
# Usage: check_symbols.sh LIBLLN.a LIBLLN.so      exit 0 when clean, 1 with the offenders.
set -u
static=$1 shared=$2
for f in "$static" "$shared"; do
    [ -f "$f" ] || { echo "check_symbols: $f: no such library" >&2; exit 2; }
done
globals=$(nm -g --defined-only "$static" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
exported=$(nm -D --defined-only "$shared" | awk 'NF == 3 { print $3 }' | sort -u)
bad=0
report() { # TITLE LIST
    if [ -n "$2" ]; then
        echo "check_symbols: $1:"
        while IFS= read -r sym; do echo "  $sym"; done <<<"$2"
        bad=1
    fi
}
report "global symbols without the lln_ prefix" "$(grep -v '^lln_' <<<"$globals")"
report "lln__ (internal) symbols exported by $shared" "$(grep '^lln__' <<<"$exported")"
report "exported symbols without the lln_ prefix" "$(grep -v '^lln_' <<<"$exported")"
hidden=$(grep '^lln_' <<<"$globals" | grep -v '^lln__' | comm -23 - <(echo "$exported"))
report "lln_ symbols that are neither exported nor the runtime's (make them lln__ or static)" \
    "$(grep -Ev '^lln_(rt|rtq|fx)_' <<<"$hidden")"
n_exp=$(grep -c . <<<"$exported")
n_int=$(grep -c '^lln__' <<<"$globals")
echo "check_symbols: $n_exp exported symbols, $n_int lln__ internal, $(grep -c . <<<"$hidden") runtime-only"
exit $bad
