#!/bin/bash
# sizes.sh - flash and RAM bytes that object files contribute to a linked image, from
# the linker's map file (so after --gc-sections dropped what is unused).
#   sim/sizes.sh ELF|MAP [OBJECT...]
# ELF: the map file beside it is read (build.sh writes X.map for X.elf).  OBJECT: a
# path, a file name (runtime.o), an archive (libc_nano.a) or an archive member
# (lib_a-printf.o); with none, every object is listed, largest flash first.
# Prints "flash ram object" rows (bytes) and a TOTAL row for the rows shown.  flash:
# code, read-only data and .data's initial image; ram: .data and .bss.  Alignment
# padding between objects is not attributed, so the total of all objects is a little
# below the linker's figure.  An OBJECT linked with none of its sections kept shows 0.
# Exit status 1 if an OBJECT is not in the map.
set -uo pipefail

if [ $# -lt 1 ]; then
    echo "usage: sim/sizes.sh ELF|MAP [OBJECT...]" >&2
    exit 2
fi
map=$1
shift
case $map in
*.map) ;;
*) map=${map%.elf}.map ;;
esac
if [ ! -f "$map" ]; then
    echo "sim: no map file $map (build.sh writes one beside the .elf)" >&2
    exit 2
fi

# The map's input-section lines read
#    .text.name   0xADDRESS   0xSIZE   path/file.o          (or lib.a(member.o))
# with the name alone on its line when it is long and the rest on the next one; a
# line starting in column 0 opens an output section, which decides flash or RAM.
awk -v patterns="$*" '
function hex(s,   n, i) {
    n = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return n
}
function base(p) { sub(/.*\//, "", p); return p }
# Does object f (a path, or archive(member)) match pattern p?
function matches(f, p,   a, m) {
    if (f == p || base(f) == p) return 1
    if (length(f) > length(p) && substr(f, length(f) - length(p)) == "/" p) return 1
    if (match(f, /\(.*\)$/)) {
        a = substr(f, 1, RSTART - 1); m = substr(f, RSTART + 1, RLENGTH - 2)
        if (m == p || a == p || base(a) == p || base(f) == p) return 1
    }
    return 0
}
function add(size, file,   i, key, hit) {
    if (size == 0 || file == "") return
    if (out ~ /^\.(data|sdata|tdata)/) kind = "both"
    else if (out ~ /^\.(bss|sbss|tbss|noinit|preserve)/) kind = "ram"
    else if (out ~ /^\.(vectors|init|fini|text|rodata|srodata|ARM\.exidx|ARM\.extab|toc|preinit_array|init_array|fini_array)/) kind = "flash"
    else return
    if (npat == 0) key = base(file)
    else {
        hit = 0
        for (i = 1; i <= npat; i++) if (matches(file, pat[i])) { hit = 1; used[i] = 1 }
        if (!hit) return
        key = base(file)
    }
    if (kind != "ram") flash[key] += size
    if (kind != "flash") ram[key] += size
    seen[key] = 1
}
BEGIN { npat = split(patterns, pat, " ") }
/^Linker script and memory map/ { on = 1; next }
!on { next }
# an object given to the link whose sections were all dropped (--gc-sections) contributes 0
/^LOAD / {
    for (i = 1; i <= npat; i++) if (matches($2, pat[i])) { used[i] = 1; k = base($2); if (!(k in seen)) { seen[k] = 1; flash[k] += 0; ram[k] += 0 } }
    next
}
/^[^ ]/ { out = $1; pending = ""; next }
/^ [^ *]/ && $1 !~ /^0x/ {
    if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) { f = $4; for (i = 5; i <= NF; i++) f = f " " $i; add(hex($3), f) }
    else if (NF == 1) pending = $1
    next
}
pending != "" && NF >= 3 && $1 ~ /^0x/ && $2 ~ /^0x/ {
    f = $3; for (i = 4; i <= NF; i++) f = f " " $i
    add(hex($2), f); pending = ""; next
}
{ pending = "" }
END {
    for (i = 1; i <= npat; i++) if (!used[i]) { print "sim: " pat[i] " is not in the map" > "/dev/stderr"; missing = 1 }
    printf "%8s %8s  %s\n", "flash", "ram", "object"
    cmd = "sort -k1,1nr -k3"
    for (k in seen) { printf "%8d %8d  %s\n", flash[k], ram[k], k | cmd; tf += flash[k]; tr += ram[k] }
    close(cmd)
    printf "%8d %8d  %s\n", tf, tr, "TOTAL"
    exit missing
}' "$map"
