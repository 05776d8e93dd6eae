#!/bin/sh
# Release artifacts from an installed (DESTDIR-staged) tree. Used by `make dist` and the CI
# artifacts stage (.ci/stages/artifacts.sh).
#   scripts/dist.sh STAGE PREFIX OUTDIR
# STAGE: the DESTDIR the build was installed into; PREFIX: its install prefix (/usr/local).
# Writes to OUTDIR (old liquid-edge-* files there are removed first):
#   liquid-edge-X.Y.Z.tar.gz                source, `git archive` with prefix liquid-edge-X.Y.Z/
#   liquid-edge-X.Y.Z-linux-ARCH.tar.gz     STAGE/PREFIX as liquid-edge-X.Y.Z-linux-ARCH/
#   python/liquid_edge-X.Y.Z-*.whl, python/liquid[-_]edge-X.Y.Z.tar.gz
#                                           the Python package's wheel and sdist (python/,
#                                           built offline with Debian's build tools; its own
#                                           folder, since its sdist name may equal ours)
#   liquid-edge-X.Y.Z.cdx.json              CycloneDX 1.5 SBOM (scripts/sbom.py), checked;
#                                           it covers the Python package too
#   SHA256SUMS                              sha256sum format, verified with sha256sum -c
# X.Y.Z is CMakeLists.txt's project(VERSION) (scripts/version.sh). The source tarball is
# HEAD when the work tree is clean; otherwise the work tree as it is (tracked and untracked,
# .gitignore respected), said loudly. Timestamps: SOURCE_DATE_EPOCH, else HEAD's commit time.
set -eu
[ $# -eq 3 ] || { echo "usage: scripts/dist.sh STAGE PREFIX OUTDIR" >&2; exit 2; }
stage=$1 prefix=$2 out=$3
root=$(cd "$(dirname "$0")/.." && pwd)
version=$("$root/scripts/version.sh" "$root")
tree_root="$stage$prefix"
[ -d "$tree_root" ] || { echo "dist.sh: no installed tree at $tree_root" >&2; exit 1; }
os=$(uname -s | tr '[:upper:]' '[:lower:]')
arch=$(uname -m)
name="liquid-edge-$version"
bin_name="$name-$os-$arch"
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/liquid-edge-*.tar.gz "$out"/liquid-edge-*.cdx.json "$out/SHA256SUMS"
rm -rf "$out/python"

cd "$root"
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

# ---- source tarball ----------------------------------------------------------------------
tmp_index=$(mktemp)
trap 'rm -f "$tmp_index"' EXIT
GIT_INDEX_FILE=$tmp_index git read-tree HEAD
GIT_INDEX_FILE=$tmp_index git add -A .
work_tree=$(GIT_INDEX_FILE=$tmp_index git write-tree)
if [ "$work_tree" = "$(git rev-parse 'HEAD^{tree}')" ]; then
    what="HEAD $(git rev-parse --short HEAD)"
    git archive --format=tar --prefix="$name/" HEAD | gzip -n -9 >"$out/$name.tar.gz"
else
    what="work tree $work_tree (uncommitted changes; HEAD is $(git rev-parse --short HEAD))"
    echo "dist.sh: NOTE: the work tree differs from HEAD: the source tarball is the work tree"
    git archive --format=tar --prefix="$name/" "$work_tree" | gzip -n -9 >"$out/$name.tar.gz"
fi
echo "dist.sh: $name.tar.gz from $what"

# ---- binary tarball ----------------------------------------------------------------------
tar -C "$tree_root" --transform "s,^\\.,$bin_name," --sort=name --owner=0 --group=0 \
    --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" -cf - . | gzip -n -9 >"$out/$bin_name.tar.gz"
echo "dist.sh: $bin_name.tar.gz from $tree_root"

# ---- Python package ----------------------------------------------------------------------
py=${LLN_PYTHON:-/usr/bin/python3}
"$py" -m build --no-isolation --outdir "$out/python" "$root/python" >"$out/python-build.log" 2>&1 ||
    { tail -n 30 "$out/python-build.log" >&2; echo "dist.sh: the Python package did not build" >&2; exit 1; }
rm -f "$out/python-build.log"
wheel=$(find "$out/python" -name "liquid_edge-$version-*.whl" | head -n 1)
sdist=$(find "$out/python" -name "liquid[-_]edge-$version.tar.gz" | head -n 1)
if [ -z "$wheel" ] || [ -z "$sdist" ]; then
    echo "dist.sh: no Python wheel/sdist for $version" >&2
    exit 1
fi
echo "dist.sh: python/$(basename "$wheel") and python/$(basename "$sdist")"

# ---- SBOM --------------------------------------------------------------------------------
lib="$tree_root/lib/liblln.so.$version"
[ -f "$lib" ] || { echo "dist.sh: no lib/liblln.so.$version in $tree_root" >&2; exit 1; }
python3 "$root/scripts/sbom.py" --version "$version" --lib "$lib" --cli "$tree_root/bin/lln" \
    --wheel "$wheel" -o "$out/$name.cdx.json"
python3 "$root/scripts/sbom_check.py" "$out/$name.cdx.json"

# ---- checksums ---------------------------------------------------------------------------
(cd "$out" && sha256sum "$name.tar.gz" "$bin_name.tar.gz" "$name.cdx.json" \
    "python/$(basename "$wheel")" "python/$(basename "$sdist")" >SHA256SUMS &&
    sha256sum -c SHA256SUMS)
