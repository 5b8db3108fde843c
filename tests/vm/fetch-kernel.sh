#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetches Debian's linux-image-amd64 kernel (not installed: apt-get download +
# dpkg-deb -x) into a cache outside the source tree and prints the cache
# directory.  The directory holds: vmlinuz, modules/ (decompressed .ko files of
# the modules the test initramfs needs, plus their dependencies), version.
# Usage: tests/vm/fetch-kernel.sh [--suite SUITE] [CACHE_ROOT]   (default
# /var/cache/imactl, or $IMACTL_CACHE)
# --suite SUITE (e.g. bookworm-backports, trixie): Debian's linux-image-amd64 of
# that suite, through a private apt configuration under CACHE_ROOT (its own
# sources.list, lists and package cache; the machine's apt sources and state
# are neither read nor changed).
set -eu
suite=
if [ "${1:-}" = --suite ]; then
	suite=$2
	shift 2
fi
cache=${1:-${IMACTL_CACHE:-/var/cache/imactl}}
apt_get=apt-get
apt_cache=apt-cache
if [ -n "$suite" ]; then
	case "$suite" in
	*[!a-z0-9-]*) echo "fetch-kernel: bad suite name '$suite'" >&2; exit 2 ;;
	esac
	a="$cache/apt-$suite"
	mkdir -p "$a/lists/partial" "$a/archives/partial" "$a/etc/preferences.d" "$a/etc/apt.conf.d"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian %s main\n' \
		"$suite" > "$a/etc/sources.list"
	cat > "$a/apt.conf" <<APT
Dir::Etc::SourceList "$a/etc/sources.list";
Dir::Etc::SourceParts "$a/etc/sources.list.d";
Dir::Etc::Preferences "$a/etc/preferences";
Dir::Etc::PreferencesParts "$a/etc/preferences.d";
Dir::Etc::Parts "$a/etc/apt.conf.d";
Dir::State "$a";
Dir::State::Lists "$a/lists";
Dir::State::status "$a/status";
Dir::Cache "$a";
Dir::Cache::Archives "$a/archives";
APT
	mkdir -p "$a/etc/sources.list.d"
	: > "$a/status"
	export APT_CONFIG="$a/apt.conf"
	# the index is refreshed once a day at most (apt keeps the server's
	# dates on the lists, hence a stamp); an old index still serves offline
	if [ -z "$(find "$a/update.stamp" -mtime -1 2>/dev/null)" ]; then
		if apt-get -q update >"$a/update.log" 2>&1; then
			touch "$a/update.stamp"
		elif [ -z "$(find "$a/lists" -name '*Packages*' 2>/dev/null | head -n 1)" ]; then
			cat "$a/update.log" >&2; echo "fetch-kernel: apt-get update ($suite) failed" >&2; exit 3
		fi
	fi
fi
# modules the initramfs loads (in load order, dependencies included)
mods="crc16 mbcache jbd2 crc32c_generic ext4 virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk"

pkg=$($apt_cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9].*-amd64$/ { print $2; exit }')
[ -n "$pkg" ] || { echo "fetch-kernel: apt-cache does not know linux-image-amd64 (apt-get update?)" >&2; exit 3; }
ver=$($apt_cache policy "$pkg" | awk '/Candidate:/ { print $2 }')
dir="$cache/kernel-$pkg-$ver"
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && $apt_get download -q "$pkg=$ver" >/dev/null 2>"$tmp/apt.err") || {
	cat "$tmp/apt.err" >&2; echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 3; }
dpkg-deb -x "$tmp"/*.deb "$tmp/x"
# shellcheck disable=SC2012 # a kernel version: no blanks
kver=$(ls "$tmp/x/lib/modules" | head -n 1)
mkdir -p "$tmp/out/modules"
cp "$tmp/x/boot/vmlinuz-$kver" "$tmp/out/vmlinuz"
cp "$tmp/x/boot/config-$kver" "$tmp/out/config"
moddir="$tmp/x/lib/modules/$kver"
for m in $mods; do
	f=$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" | head -n 1)
	if [ -z "$f" ]; then
		# built into this kernel: fine, nothing to load
		grep -q "/$m.ko" "$moddir/modules.builtin" 2>/dev/null ||
			echo "fetch-kernel: note: module $m not found" >&2
		continue
	fi
	case "$f" in
	*.xz) xz -dc "$f" > "$tmp/out/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" > "$tmp/out/modules/$m.ko" ;;
	*) cp "$f" "$tmp/out/modules/$m.ko" ;;
	esac
	echo "$m" >> "$tmp/out/modules/order"
done
echo "$kver" > "$tmp/out/version"
rm -rf "$dir"
mv "$tmp/out" "$dir"
touch "$dir/.complete"
echo "$dir"
