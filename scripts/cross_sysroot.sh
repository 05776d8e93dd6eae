#!/bin/sh
# Unpacks Debian's zlib and cJSON packages for a foreign Linux architecture into a private
# sysroot (default /opt/lln-cross/ARCH) for the cross builds of cmake/toolchains/.
# Usage: scripts/cross_sysroot.sh ARCH [DEST]     ARCH: a Debian architecture (arm64, s390x)
# Why unpack rather than install them multiarch (apt-get install zlib1g-dev:arm64): multiarch
# needs every shared package at exactly the host's version, and Debian's security archive
# carries newer amd64/arm64 builds than its s390x port, so zlib1g-dev:s390x is uninstallable
# next to an up-to-date amd64 zlib1g-dev. The cross compilers' own C library comes from the
# libc6-dev-ARCH-cross packages; only the two libraries we link are needed from ARCH.
# Needs: root (dpkg --add-architecture, apt-get update) unless ARCH is already known to apt.
set -eu
arch=${1:?usage: scripts/cross_sysroot.sh ARCH [DEST]}
dest=${2:-/opt/lln-cross/$arch}
pkgs="zlib1g zlib1g-dev libcjson1 libcjson-dev"
case "$arch" in
*[!a-z0-9]* | "") echo "cross_sysroot: bad architecture name '$arch'" >&2 && exit 2 ;;
esac
if [ -f "$dest/.complete" ]; then
    exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    dpkg --add-architecture "$arch"
    apt-get update -qq
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
list=""
for p in $pkgs; do list="$list $p:$arch"; done
# shellcheck disable=SC2086 # the package list is split on purpose
(cd "$tmp" && chmod 755 . && apt-get download -qq $list)
mkdir -p "$dest.part"
for deb in "$tmp"/*.deb; do
    dpkg-deb -x "$deb" "$dest.part"
done
# Absolute symlinks (usr/lib/T/libz.so -> /lib/T/libz.so.1.2.13) point into the sysroot.
find "$dest.part" -type l | while read -r link; do
    target=$(readlink "$link")
    case "$target" in /*) ln -sfn "$dest$target" "$link" ;; esac
done
rm -rf "$dest"
mv "$dest.part" "$dest"
touch "$dest/.complete"
echo "cross sysroot for $arch: $dest"
