#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# imactl hmac: the EVM HMAC (security.evm 0x02) the kernel computes, byte-identical
# to Debian's evmctl 1.4 `evmctl hmac` (its peer; evmctl reads the key from the
# fixed path /etc/keys/evm-key-plain, given to it through an overlay on /etc in
# a private mount namespace, and hashes with -a sha1, the kernel's hmac(sha1)).
# evmctl 1.4 has no fs UUID in its HMAC: the UUID variant is checked against
# Python's hmac over the kernel's layout (hmac_add_misc() in evm_crypto.c).
# Needs root (security.* xattrs) and a filesystem with inode generations (the
# build tree's; tmpfs has none).
. "$SRC_ROOT/tests/cli/lib.sh"
cd "$T" || exit 1

need_root "evmctl hmac interop" "needs root for security.* xattrs"
need_tools evmctl

mkdir -p etc/keys
# evmctl_hmac [evmctl options...] FILE: evmctl's HMAC hex with key etc/keys/evm-key-plain
evmctl_hmac() {
	# shellcheck disable=SC2016 # expanded by the inner sh, from its arguments
	unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=$1:/etc" /etc && shift && evmctl -v -a sha1 hmac -n "$@"' \
		sh "$T/etc" "$@" 2>&1 | sed -n 's/^hmac: //p'
}
imactl_hmac() { # imactl options... FILE: the hex after 0x02
	"$IMACTL" hmac "$@" | sed -n 's/^0x02\([0-9a-f]\{40\}\)  .*/\1/p'
}

printf 'mutable content\n' > f1
if ! "$IMACTL" sign --ima hash f1 2>"$T/err"; then
	skip "evmctl hmac interop" "cannot set security.ima here: $(cat "$T/err")"
	done_testing
	exit 0
fi
head -c 32 /dev/urandom > etc/keys/evm-key-plain
if [ -z "$(evmctl_hmac f1)" ]; then
	skip "evmctl hmac interop" "evmctl cannot run with an overlay on /etc here (unshare -m, overlayfs)"
	done_testing
	exit 0
fi

# the same files under keys of several lengths (the kernel zero-pads to 128 bytes)
cp -p f1 f2 && chown 1234:5678 f2 && chmod 4750 f2 && "$IMACTL" sign --ima hash --hash sha512 f2
cp f1 f3 && "$IMACTL" sign --ima hash f3 &&
	setfattr -n security.capability -v 0x0100000202000000000000000000000000000000 f3
for klen in 1 32 64 127 128; do
	head -c $klen /dev/urandom > etc/keys/evm-key-plain
	cp etc/keys/evm-key-plain key
	for f in f1 f2 f3; do
		want=$(evmctl_hmac "$T/$f")
		got=$(imactl_hmac --key-file key --no-uuid "$f")
		is "key of $klen bytes, $f: imactl hmac = evmctl hmac" "$got" "$want"
		is "... a 40-digit HMAC" "${#want}" 40
	done
done
# 32-bit target (h_misc with a 4-byte unsigned long)
want=$(evmctl_hmac --m32 "$T/f2")
is "--target-bits 32 = evmctl --m32" "$(imactl_hmac --key-file key --no-uuid --target-bits 32 f2)" "$want"
isnt_64=$(imactl_hmac --key-file key --no-uuid f2)
[ "$want" != "$isnt_64" ]
is "the 64-bit HMAC differs from the 32-bit one" $? 0

# LSM labels count only when that LSM is in the target kernel (.enabled)
cp -p f1 lab && "$IMACTL" sign --ima hash lab && setfattr -n security.selinux -v "system_u:object_r:etc_t:s0" lab
want=$(evmctl_hmac "$T/lab")
is "--lsm selinux: the label counts, as evmctl counts it" "$(imactl_hmac --key-file key --no-uuid --lsm selinux lab)" "$want"
nolab=$(imactl_hmac --key-file key --no-uuid lab)
[ "$nolab" != "$want" ]
is "without --lsm selinux the label does not count" $? 0
setfattr -x security.selinux lab
is "... and the HMAC is the one of the unlabelled file" "$(evmctl_hmac "$T/lab")" "$nolab"

# the metadata is covered: owner, mode, the IMA value
before=$(imactl_hmac --key-file key --no-uuid f1)
chmod 600 f1
after=$(imactl_hmac --key-file key --no-uuid f1)
[ "$before" != "$after" ]
is "chmod changes the HMAC" $? 0
is "... still evmctl's" "$after" "$(evmctl_hmac "$T/f1")"

# with CONFIG_EVM_ATTR_FSUUID the 16 UUID bytes follow h_misc
uuid=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
got=$(imactl_hmac --key-file key --uuid $uuid f2)
want=$(/usr/bin/python3 - "$T/f2" "$T/key" $uuid <<'PY'
import fcntl, hmac, os, struct, sys, uuid
path, keyf, u = sys.argv[1:]
key = open(keyf, 'rb').read().ljust(128, b'\0')
st = os.lstat(path)
with open(path, 'rb') as f:
    buf = bytearray(4)
    fcntl.ioctl(f, 0x80087601, buf)  # FS_IOC_GETVERSION
gen = struct.unpack('I', buf)[0]
m = hmac.new(key, digestmod='sha1')
for name in ('security.ima', 'security.capability'):
    try:
        m.update(os.getxattr(path, name))
    except OSError:
        pass
m.update(struct.pack('=QIIIH2x', st.st_ino, gen, st.st_uid, st.st_gid, st.st_mode & 0xffff))
m.update(uuid.UUID(u).bytes)
print(m.hexdigest())
PY
)
is "--uuid: HMAC over h_misc then the 16 UUID bytes (Python's hmac)" "$got" "$want"

# errors
: > empty
fails 3 "an empty key file is refused" "$IMACTL" hmac --key-file empty --no-uuid f1
like "... named" "$T/err" 'empty: an EVM key is 1 to 128 bytes'
head -c 129 /dev/zero > long
fails 3 "a 129-byte key is refused" "$IMACTL" hmac --key-file long --no-uuid f1
fails 2 "--key-file is required" "$IMACTL" hmac --no-uuid f1
fails 2 "--uuid or --no-uuid must be said" "$IMACTL" hmac --key-file key f1
fails 2 "not both" "$IMACTL" hmac --key-file key --uuid $uuid --no-uuid f1
fails 2 "a bad UUID" "$IMACTL" hmac --key-file key --uuid 0f1e2d3c f1
fails 2 "an unknown LSM" "$IMACTL" hmac --key-file key --no-uuid --lsm tomoyo f1
printf x > bare
fails 3 "a file with no protected xattr has no HMAC" "$IMACTL" hmac --key-file key --no-uuid bare
like "... said so" "$T/err" 'bare: no protected xattr'
ln -s f1 link
fails 3 "a symbolic link is refused" "$IMACTL" hmac --key-file key --no-uuid link
ln -s key keylink
fails 3 "a key file behind a symbolic link is refused" "$IMACTL" hmac --key-file keylink --no-uuid f1
if mkdir -p tmpfs && mount -t tmpfs none tmpfs 2>/dev/null; then
	cp -p f1 tmpfs/f && setfattr -n security.ima -v "0x$(xattr_hex security.ima f1)" tmpfs/f 2>/dev/null
	fails 3 "tmpfs: no inode generation to hash" "$IMACTL" hmac --key-file key --no-uuid tmpfs/f
	like "... said so" "$T/err" 'no inode generation'
	umount tmpfs
fi
done_testing
