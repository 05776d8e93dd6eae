# share/devices.txt -> a markdown table, one row per figure (docs/ENERGY.md, appendix):
#   awk -f scripts/devices_table.awk share/devices.txt
BEGIN { FS = " *\\| *"; print "| device | figure | value | trust | source |"; print "|---|---|---|---|---|" }
/^\[/ { dev = substr($0, 2, length($0) - 2); next }
/^#/ || NF < 3 { next }
{ split($1, kv, " *= *"); printf "| %s | %s | %s | %s | %s |\n", dev, kv[1], kv[2], $2, $3 }
