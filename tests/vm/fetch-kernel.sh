#!/bin/sh
# Fetches Debian's linux-image-amd64 kernel (not installed: apt-get download +
# dpkg-deb -x) into a cache outside the source tree and prints the cache
# directory.  The directory holds: vmlinuz, modules/ (decompressed .ko files of
# the modules the test initramfs needs, plus their dependencies), version.
# Usage: tests/vm/fetch-kernel.sh [CACHE_ROOT]   (default /var/cache/imactl,
# or $IMACTL_CACHE)
set -eu
cache=${1:-${IMACTL_CACHE:-/var/cache/imactl}}
# modules the initramfs loads (in load order, dependencies included)
mods="crc16 mbcache jbd2 crc32c_generic ext4 virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk"

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || { echo "fetch-kernel: apt-cache does not know linux-image-amd64 (apt-get update?)" >&2; exit 3; }
ver=$(apt-cache policy "$pkg" | awk '/Candidate:/ { print $2 }')
dir="$cache/kernel-$pkg-$ver"
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "$pkg=$ver" >/dev/null 2>"$tmp/apt.err") || {
	cat "$tmp/apt.err" >&2; echo "fetch-kernel: apt-get download $pkg failed" >&2; exit 3; }
dpkg-deb -x "$tmp"/*.deb "$tmp/x"
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
