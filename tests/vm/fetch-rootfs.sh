#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds a Debian bookworm minbase with systemd (mmdebstrap from Debian's
# mirror) into a cache outside the source tree, once, and prints the tarball's
# path.  The packages: --variant=minbase plus systemd-sysv (systemd as
# /sbin/init) and udev (device units: serial-getty@ttyS0 waits for
# dev-ttyS0.device); no recommends, no documentation, man pages or locales.
# Usage: tests/vm/fetch-rootfs.sh [CACHE_ROOT]   (default /var/cache/imactl, or
# $IMACTL_CACHE).  The tarball: CACHE_ROOT/rootfs-bookworm-systemd-KEY.tar,
# KEY a hash of this script (another package set, another tarball).
set -eu
cache=${1:-${IMACTL_CACHE:-/var/cache/imactl}}
command -v mmdebstrap >/dev/null 2>&1 ||
	{ echo "fetch-rootfs: mmdebstrap missing (scripts/install-deps vm)" >&2; exit 3; }
key=$(sha256sum "$0" | cut -c1-16)
out="$cache/rootfs-bookworm-systemd-$key.tar"
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp "$cache/.rootfs.XXXXXX")
trap 'rm -f "$tmp"' EXIT
mmdebstrap --quiet --variant=minbase --include=systemd-sysv,udev \
	--aptopt='APT::Install-Recommends "false"' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--dpkgopt='path-exclude=/usr/share/info/*' \
	--format=tar bookworm "$tmp" http://deb.debian.org/debian >"$tmp.log" 2>&1 || {
	cat "$tmp.log" >&2; rm -f "$tmp.log"; echo "fetch-rootfs: mmdebstrap failed" >&2; exit 3; }
rm -f "$tmp.log"
mv "$tmp" "$out"
trap - EXIT
echo "$out"
