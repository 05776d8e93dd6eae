#!/bin/sh
# Prints the project version, X.Y.Z, from its one place: project(... VERSION X.Y.Z ...) in
# CMakeLists.txt (scripts/release.sh changes it there). Usage: scripts/version.sh [SOURCE_DIR]
set -eu
dir=${1:-$(dirname "$0")/..}
v=$(sed -n 's/^[[:space:]]*project([^)]*VERSION[[:space:]]\{1,\}\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' \
    "$dir/CMakeLists.txt" | head -n 1)
if [ -z "$v" ]; then
    echo "version.sh: no project(... VERSION X.Y.Z) in $dir/CMakeLists.txt" >&2
    exit 1
fi
echo "$v"
