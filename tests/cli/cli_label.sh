#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# label-image: first-boot labelling writes each mutable file's EVM HMAC into
# the unmounted ext4.  Checked on the image mounted read-only: every value
# equals what `imactl hmac` computes through the mounted file system (inode
# number, generation, owner, mode, xattrs as the kernel reports them, the
# UUID blkid reads), and, without the UUID, what Debian's evmctl 1.4
# `evmctl hmac` computes (its peer; see cli_hmac.sh for how it is run).
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
K="$KEYS/rsa2048"

need_root "label-image" "needs root (security.* xattrs, loop mounts)"
need_tools mke2fs debugfs e2fsck blkid evmctl

mkdir -p tree/etc tree/var/lib/db tree/usr/bin etc/keys mnt
printf '0123456789abcdef0123456789abcdef\n' > tree/etc/machine-id
printf 'rows\n' > tree/var/lib/db/a.db
printf 'more\n' > "tree/var/lib/db/with space.db"
chown 100:200 tree/var/lib/db/a.db && chmod 640 tree/var/lib/db/a.db
printf '#!/bin/sh\n' > tree/usr/bin/tool
ok "sign-tree --mutable" "$IMACTL" sign-tree tree --key "$K.key" --cert "$K.pem" --no-cache \
	--mutable /etc/machine-id --mutable '*.db' --mutable-list list
head -c 32 /dev/urandom > key
mke2fs -q -t ext4 -I 256 -d tree img.ext4 16M >/dev/null 2>&1
# mke2fs -d leaves i_generation 0 (the kernel picks a random one for files it
# creates): give the mutable files generations, so that they are covered
debugfs -w -R 'set_inode_field /etc/machine-id generation 3735928559' img.ext4 >/dev/null 2>&1
debugfs -w -R 'set_inode_field /var/lib/db/a.db generation 17' img.ext4 >/dev/null 2>&1
is "a generation was set" "$(debugfs -R 'stat /etc/machine-id' img.ext4 2>/dev/null | sed -n 's/.*Generation: \([0-9]*\).*/\1/p')" 3735928559
cp img.ext4 nouuid.ext4
cp img.ext4 nouuid-before.ext4
uuid=$(blkid -s UUID -o value img.ext4)
ok "label-image" "$IMACTL" label-image img.ext4 --key-file key --list list
like "... says how many" "$T/out" 'img.ext4: 3 files labelled'
ok "the labelled image is clean for e2fsck" e2fsck -fn img.ext4
ok "label-image --no-uuid" "$IMACTL" label-image nouuid.ext4 --key-file key --list list --no-uuid

# verify-image/verify-tree cannot check an HMAC (the key is the device's):
# the labelled files are "hmac", neither good nor hash-only nor an error
fails 1 "verify-image --cert: hmac files are problems when signatures are asked for" \
	"$IMACTL" verify-image img.ext4 --cert "$K.pem"
like "... each listed as hmac" "$T/out" "^/etc/machine-id: hmac: evm: an HMAC, only the device's EVM key can check it \(ima: a hash, matching\)$"
ok "verify-image --allow-hash --evm" "$IMACTL" verify-image img.ext4 --cert "$K.pem" --allow-hash --evm
like "... counts them as hmac" "$T/out" "^verify-image: 3 of them hmac"
like "... the signed file good, none hash-only or error" "$T/out" "good 1, hash-only 0, bad 0, unsigned 0, unknown-key 0, error 0$"
ok "verify-image --json" "$IMACTL" verify-image img.ext4 --cert "$K.pem" --allow-hash --json
like "... \"hmac\": 3" "$T/out" '"hash-only": 0, .*"hmac": 3'
ok "before labelling: hash-only" "$IMACTL" verify-image nouuid-before.ext4 --cert "$K.pem" --allow-hash
like "... no hmac line" "$T/out" "hash-only 3,"
# an HMAC does not hide a changed content: the IMA hash no longer matches, "bad"
cp img.ext4 tampered.ext4
bs=$(debugfs -R stats tampered.ext4 2>/dev/null | sed -n 's/^Block size: *//p')
blk=$(debugfs -R 'bmap /etc/machine-id 0' tampered.ext4 2>/dev/null)
printf 'X' | dd of=tampered.ext4 bs=1 seek=$((blk * bs)) conv=notrunc status=none
fails 1 "verify-image --allow-hash --evm: a labelled file changed offline" \
	"$IMACTL" verify-image tampered.ext4 --cert "$K.pem" --allow-hash --evm
like "... is bad, not hmac" "$T/out" "^/etc/machine-id: bad: "
like "... the other two stay hmac" "$T/out" "^verify-image: 2 of them hmac"
mount -o loop,ro img.ext4 mnt && {
	fails 1 "verify-tree on the mounted image: hmac files are problems with --cert" \
		"$IMACTL" verify-tree mnt --cert "$K.pem" --evm
	like "... listed as hmac" "$T/out" "^/var/lib/db/a.db: hmac: "
	ok "verify-tree --allow-hash" "$IMACTL" verify-tree mnt --cert "$K.pem" --allow-hash
	like "... counts them as hmac" "$T/out" "^verify-tree: 3 of them hmac"
	umount mnt
}

check_mounted() { # image uuid-option... : compare each mutable file's security.evm
	mount -o loop,ro "$1" mnt || return 1
	shift
	while IFS= read -r f; do
		f=$(printf '%b' "$(printf '%s' "$f" | sed 's/\\\([0-7]\{3\}\)/\\0\1/g')")
		got=$(xattr_hex security.evm "mnt$f")
		want=$("$IMACTL" hmac --key-file key "$@" "mnt$f" </dev/null | sed -n 's/^0x\([0-9a-f]*\)  .*/\1/p')
		is "$f: the label = imactl hmac on the mounted file ($*)" "$got" "$want"
		is "... a 21-byte 0x02 value" "$(printf '%s' "$got" | cut -c1-2):${#got}" "02:42"
		if [ "$1" = --no-uuid ]; then
			cp key etc/keys/evm-key-plain
			# shellcheck disable=SC2016 # expanded by the inner sh, from its arguments
			e=$(unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=$1:/etc" /etc && evmctl -v -a sha1 hmac -n "$2"' \
				sh "$T/etc" "$T/mnt$f" </dev/null 2>&1 | sed -n 's/^hmac: //p')
			is "... = evmctl hmac" "$got" "02$e"
		fi
	done < list
	is "a signed file got no HMAC" "$(xattr_hex security.evm mnt/usr/bin/tool | cut -c1-2)" 05
	umount mnt
}
check_mounted img.ext4 --uuid "$uuid"
check_mounted nouuid.ext4 --no-uuid

# the UUID is the superblock's: another UUID, another HMAC
cp nouuid.ext4 other.ext4 && tune2fs -U 11111111-2222-3333-4444-555555555555 other.ext4 >/dev/null 2>&1
cp img.ext4 relabel.ext4
tune2fs -U 11111111-2222-3333-4444-555555555555 relabel.ext4 >/dev/null 2>&1
ok "relabel after a UUID change" "$IMACTL" label-image relabel.ext4 --key-file key --list list
a=$(debugfs -R 'ea_get -x /etc/machine-id security.evm' img.ext4 2>/dev/null | tr -d ' \n')
b=$(debugfs -R 'ea_get -x /etc/machine-id security.evm' relabel.ext4 2>/dev/null | tr -d ' \n')
[ -n "$a" ] && [ "$a" != "$b" ]
is "another fs UUID gives another HMAC" $? 0

# errors: nothing is written
cp nouuid.ext4 err.ext4
sum=$(sha256sum err.ext4 | cut -c1-64)
printf '/etc/machine-id\n/no/such/file\n' > bad.list
fails 3 "a path not in the image" "$IMACTL" label-image err.ext4 --key-file key --list bad.list
like "... named" "$T/err" 'err.ext4: /no/such/file: not in the image'
printf '/usr/bin/tool\n' > signed.list
ok "sign-image (the mutable files signed now)" "$IMACTL" sign-image err.ext4 --key "$K.key" --cert "$K.pem"
sum=$(sha256sum err.ext4 | cut -c1-64)
printf '/etc\n' > dir.list
fails 3 "a directory" "$IMACTL" label-image err.ext4 --key-file key --list dir.list
like "... named" "$T/err" '/etc: not a regular file'
mkdir -p bare && printf 'x\n' > bare/f && mke2fs -q -t ext4 -d bare bare.ext4 8M >/dev/null 2>&1
printf '/f\n' > f.list
fails 3 "a file without security.ima" "$IMACTL" label-image bare.ext4 --key-file key --list f.list
like "... named" "$T/err" '/f: no security.ima'
is "the failed runs left the image as it was" "$(sha256sum err.ext4 | cut -c1-64)" "$sum"
printf 'relative\n' > rel.list
fails 3 "a list line that is not an absolute path" "$IMACTL" label-image err.ext4 --key-file key --list rel.list
like "... named with its line" "$T/err" 'rel.list: line 1'
fails 2 "--list is required" "$IMACTL" label-image err.ext4 --key-file key
: > empty
fails 3 "an empty key" "$IMACTL" label-image err.ext4 --key-file empty --list list
mount -o loop,ro img.ext4 mnt && {
	fails 3 "a mounted image is refused" "$IMACTL" label-image img.ext4 --key-file key --list list
	umount mnt
}
done_testing
