#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sign-image and verify-image on ext4 images made by mke2fs -d.
#  - byte-identical to the directory route (sign-tree + mke2fs -d) for RSA:
#    security.ima and security.evm of every file, read back with debugfs,
#    with a different UUID, other inode numbers and i_generation values, with
#    256-byte inodes (values in an external xattr block) and 1024-byte ones
#    (in the inode);
#  - e2fsck -fn clean after signing; Debian's evmctl accepts every file of the
#    image mounted read-only and verify-image agrees; tampering is found;
#  - an ext3 image (block maps), inline data, a loop block device (in place);
#  - bad input: not ext4, truncated, mounted, errors recorded, errors e2fsck
#    finds, full to the last block (no block for an xattr block): a clear
#    error, exit 3, the image byte-identical before and after;
#  - a run killed at its 1st, 2nd, ... write (each one, until a run gets
#    through) leaves the image byte-identical and no litter, or, killed while
#    it writes the image, an undo file: verify-image refuses the image naming
#    it, the next run puts the image back byte for byte.
# Loop mounts and security.* on the source tree: needs root.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1

need_root "sign-image against sign-tree and loop mounts" "needs root"
need_tools evmctl mke2fs e2fsck debugfs setcap
K="$KEYS/rsa2048"
SHIM="$BUILD_ROOT/tests/libkill_after_writes.so"
sign() { "$IMACTL" sign-image "$@" --key "$K.key" --cert "$K.pem"; }
mkfs() { mke2fs -q "$@" >/dev/null; } # "Creating regular file" is not TAP

# the tree: 9 regular files (one with 2 names, one with a capability, owners
# and modes that differ, a large and a sparse one), symlinks, a fifo, a device
mkdir -p src/bin src/etc/sub src/usr/lib
printf 'small\n' > src/bin/small
: > src/empty
head -c 3000000 /dev/urandom > src/usr/lib/large
truncate -s 20M src/sparse
printf 'tail' >> src/sparse
printf 'linked\n' > src/etc/one
ln src/etc/one src/etc/sub/two
cp /bin/true src/bin/true
setcap cap_net_raw+ep src/bin/true
printf 'owned\n' > src/etc/owned
chown 1234:5678 src/etc/owned
printf 'suid\n' > src/bin/suid
chmod 4755 src/bin/suid
printf 'pyc\n' > src/usr/lib/x.pyc
ln -s small src/bin/link
mkfifo src/fifo
mknod src/null c 1 3
FILES="/bin/small /empty /usr/lib/large /sparse /etc/one /bin/true /etc/owned /bin/suid /usr/lib/x.pyc"

# values FILE IMAGE: security.ima and security.evm of FILE, as debugfs reads them
values() {
	for x in security.ima security.evm; do
		printf '%s %s ' "$1" "$x"
		debugfs -R "ea_get -x $1 $x" "$2" 2>/dev/null | sed 's/^.*= //' | tr -d ' \n'
		echo
	done
}
all_values() { for f in $FILES; do values "$f" "$1"; done; }

# the directory route
cp -a src tree
ok "sign-tree signs the directory" "$IMACTL" sign-tree tree --key "$K.key" --cert "$K.pem" --target-bits 64
ok "mke2fs -d copies it into an image" mke2fs -q -t ext4 -I 256 -d tree dir.ext4 64M

for isize in 256 1024; do
	# the image route: another UUID, other inode numbers, i_generation set
	mkdir -p "pad$isize/0000"
	: > "pad$isize/0000/shifts-inode-numbers"
	cp -a src/. "pad$isize/"
	mkfs -t ext4 -I $isize -U random -d "pad$isize" "img$isize.ext4" 64M
	debugfs -w -R "sif /etc/one generation 0x1234567" "img$isize.ext4" 2>/dev/null
	debugfs -w -R "sif /bin/true generation 77" "img$isize.ext4" 2>/dev/null
	is "inode numbers differ between the two images ($isize)" \
		"$(debugfs -R 'stat /etc/one' dir.ext4 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p') = $(debugfs -R 'stat /etc/one' "img$isize.ext4" 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p')" \
		"$(debugfs -R 'stat /etc/one' dir.ext4 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p') = $(($(debugfs -R 'stat /etc/one' dir.ext4 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p') + 2))"
	ok "sign-image signs the image ($isize-byte inodes)" sign "img$isize.ext4" --target-bits 64 --exclude /0000
	like "summary: 9 signed, hard link and others skipped" "$T/out" \
		"^sign-image: signed 9, already valid 0, failed 0$"
	like "skipped entries counted" "$T/out" \
		"symlinks 1, directories [0-9]+, devices 1, fifos 1, sockets 0, hard-links 1, excluded 1"
	ok "e2fsck -fn is clean after signing ($isize)" e2fsck -fn "img$isize.ext4"
	all_values dir.ext4 > "dir.values"
	all_values "img$isize.ext4" > "img$isize.values"
	is "every file got both values ($isize)" \
		"$(grep -c ' 0[35][0-9a-f]\{500,\}$' "img$isize.values")" "18"
	is "identical to sign-tree + mke2fs -d, byte for byte ($isize)" \
		"$(cmp "dir.values" "img$isize.values" && echo same)" "same"
done
# block maps (ext3: no extents) and inline data: read through libext2fs
for fs in "ext3 -I 256" "ext4 -O inline_data -I 256"; do
	rm -f other.img
	# shellcheck disable=SC2086
	mkfs -t $fs -d src other.img 64M
	ok "sign-image: $fs" sign other.img --target-bits 64
	ok "... e2fsck -fn is clean" e2fsck -fn other.img
	all_values other.img > other.values
	is "... the values of the directory route" "$(cmp dir.values other.values && echo same)" same
done
# a block device (a loop device over an image) is written in place
mkfs -t ext4 -I 256 -d src bdev.img 64M
if loop=$(losetup -f --show bdev.img 2>/dev/null); then
	ok "sign-image signs a block device (in place)" sign "$loop" --target-bits 64
	ok "... e2fsck -fn is clean" e2fsck -fn "$loop"
	all_values "$loop" > bdev.values
	losetup -d "$loop"
	is "... the values of the directory route" "$(cmp dir.values bdev.values && echo same)" same
else
	skip "sign-image on a block device" "no loop device"
fi
is "with 256-byte inodes the values are in an xattr block" \
	"$(debugfs -R 'stat /etc/one' img256.ext4 2>/dev/null | grep -c 'File ACL: [1-9]')" "1"
is "with 1024-byte inodes they are in the inode" \
	"$(debugfs -R 'stat /etc/one' img1024.ext4 2>/dev/null | grep -c 'File ACL: 0')" "1"

# verify-image, and evmctl on the image mounted read-only
fails 1 "verify-image: the unsigned padding file is a problem" "$IMACTL" verify-image img256.ext4 --cert "$K.pem" --evm --json
like "... --json: 10 files, 9 good, 1 unsigned" "$T/out" '"files": 10, "good": 9, .*"unsigned": 1,'
like "... named" "$T/out" '"path": "/0000/shifts-inode-numbers", "status": "unsigned"'
mkdir mnt
mount -o loop,ro img256.ext4 mnt
n=0
for f in $FILES; do
	evmctl ima_verify --key "$K.der" "mnt$f" >/dev/null 2>&1 &&
		evmctl verify --key "$K.der" "mnt$f" >/dev/null 2>&1 && n=$((n + 1))
done
is "evmctl ima_verify and verify accept all 9 files of the mounted image" "$n" 9
fails 3 "sign-image refuses a mounted image" sign img256.ext4
like "... naming the cause" "$T/err" "img256.ext4: is mounted; unmount it first"
ok "verify-image reads an image mounted read-only" "$IMACTL" verify-image img256.ext4 --cert "$K.pem" --evm --exclude /0000
umount mnt

# tampering: content (IMA) and owner (EVM)
cp img256.ext4 tampered.ext4
mount -o loop tampered.ext4 mnt
printf 'x' >> mnt/bin/small
umount mnt
debugfs -w -R "sif /etc/owned uid 0" tampered.ext4 2>/dev/null
fails 1 "verify-image finds the tampered files" "$IMACTL" verify-image tampered.ext4 --cert "$K.pem" --evm --exclude /0000
like "changed content: IMA bad" "$T/out" "^/bin/small: bad: ima: signature does not match the content"
like "changed owner: EVM bad" "$T/out" "^/etc/owned: bad: evm: signature does not match the xattrs and metadata"
like "the others good" "$T/out" "good 7, hash-only 0, bad 2"

# selection: --include/--exclude mean what they mean for sign-tree
mkfs -t ext4 -d src sel.ext4 64M
cp -a src seltree
ok "sign-image --include /usr --exclude '*.pyc'" sign sel.ext4 --target-bits 64 --include /usr --exclude '*.pyc'
run "$IMACTL" sign-tree seltree --key "$K.key" --cert "$K.pem" --target-bits 64 --include /usr --exclude '*.pyc'
is "the same selection as sign-tree" "$(grep -o 'signed [0-9]*' "$T/out")" "signed 1"
is "... /usr/lib/large only" "$(values /usr/lib/large sel.ext4 | grep -c ' 0[35]')$(values /bin/small sel.ext4 | grep -c ' 0')" "20"

# --skip-valid, --manifest, idempotence
ok "sign-image --skip-valid leaves valid files alone" sign img1024.ext4 --target-bits 64 --skip-valid --exclude /0000 --manifest m.txt
like "... all 9 already valid" "$T/out" "signed 0, already valid 9, failed 0"
is "the manifest has a line per name (hard links too)" "$(wc -l < m.txt)" 10
sign img1024.ext4 --target-bits 64 --exclude /0000 > /dev/null 2>&1
all_values img1024.ext4 > again.values
is "signing again gives the same values" "$(cmp img1024.values again.values && echo same)" same

# --target-bits auto reads the image's own init (only a regular file)
mkdir -p bits/sbin bits/dev
cp /bin/true bits/sbin/init
mkfs -t ext4 -d bits bits.ext4 8M
ok "--target-bits auto" sign bits.ext4 -v
like "... 64-bit from the image's /sbin/init" "$T/out" "64-bit target"
rm bits/sbin/init
ln -s ../dev/null bits/sbin/init
mknod bits/dev/null c 1 3
mkfs -t ext4 -d bits bits2.ext4 8M
fails 3 "--target-bits auto does not read a device behind /sbin/init" sign bits2.ext4 --target-bits auto
like "... and says what it found" "$T/err" "no ELF init, C library or shell found"

# bad input: a clear error, exit 3, the image unchanged
head -c 1048576 /dev/urandom > notext4.img
cp img256.ext4 trunc.ext4
truncate -s 10M trunc.ext4
cp dir.ext4 errors.ext4
debugfs -w -R "ssv state 2" errors.ext4 2>/dev/null
cp dir.ext4 broken.ext4
debugfs -w -R "sif /etc/one links_count 7" broken.ext4 2>/dev/null
for c in "notext4.img|not an ext2/3/4 file system" \
	"trunc.ext4|truncated" \
	"errors.ext4|e2fsck -fn finds problems|the file system has errors recorded" \
	"broken.ext4|e2fsck -fn finds problems"; do
	img=${c%%|*}
	why=${c#*|}
	before=$(sha256sum < "$img")
	fails 3 "$img is refused" sign "$img" --target-bits 64
	like "... $img: the cause is named" "$T/err" "$img: ($why)"
	is "... $img is unchanged" "$(sha256sum < "$img")" "$before"
done
fails 3 "a directory is refused" sign src --target-bits 64
like "... named" "$T/err" "src: (not an image file or a block device|e2fsck)"

# full to the last block: no block for the xattr blocks of 256-byte inodes
mkfs -t ext4 -m 0 -I 256 -d src full.ext4 64M
mount -o loop full.ext4 mnt
dd if=/dev/zero of=mnt/fill bs=4k 2>/dev/null
umount mnt
# the kernel keeps a reserve: libext2fs takes the last blocks, one a file
head -c 4096 /dev/urandom > block
free_blocks() { dumpe2fs -h full.ext4 2>/dev/null | sed -n 's/^Free blocks: *//p'; }
i=0
while [ "$(free_blocks)" -gt 0 ] && [ $i -lt 5000 ]; do
	i=$((i + 1))
	debugfs -w -R "write block /fill$i" full.ext4 >/dev/null 2>&1
done
is "the image has no free block" "$(free_blocks)" 0
ok "... and is clean" e2fsck -fn full.ext4
before=$(sha256sum < full.ext4)
fails 3 "a full image is refused" sign full.ext4 --target-bits 64
like "... the cause is named" "$T/err" "full.ext4: /.*: cannot write its xattrs: the image is full"
like "... nothing was kept" "$T/err" "the image was not changed"
is "... the image is unchanged" "$(sha256sum < full.ext4)" "$before"
ok "... and e2fsck -fn is clean" e2fsck -fn full.ext4

# killed at its n-th write (1, 2, 3, ... until a run gets through).  The
# values are written to the image only at the end of a run, after an undo
# file (the image's bytes there before) is written, unnamed, and then named
# kill.ext4.imactl-undo.  Killed before the image is written: the image as it
# was (the same bytes: what e2fsck and verify-image saw before), no litter.
# Killed while it is written: the undo file is left; verify-image refuses
# the image, naming it; the next write-mode run (here one that selects no
# file, so that it writes nothing else) puts the image back byte for byte
# and removes the undo file.  The image lives in a tmpfs of its own, which
# nothing else writes: a file left there, named (a listing of every entry)
# or unnamed (the O_TMPFILE undo file, if anything still held it), changes
# its free blocks or inodes.  A tmpfs frees a file's blocks in its last
# close, which the killed process has done before the shell sees it exit;
# blocks the image had free are holes again once it is put back.
mkdir killfs
mount -t tmpfs -o size=256m,mode=0755 imactl-kill killfs
trap 'umount "$T/killfs" 2>/dev/null' EXIT
cd killfs || exit 1
mkfs -t ext4 -d ../src kill.ext4 64M
ok "before: e2fsck -fn is clean" e2fsck -fn kill.ext4
fails 1 "before: verify-image reports the files unsigned" "$IMACTL" verify-image kill.ext4 \
	--cert "$K.pem" --evm
like "  ... all 9" "$T/out" "9 files: good 0, hash-only 0, bad 0, unsigned 9"
before=$(sha256sum < kill.ext4)
fs_state() { stat -f -c 'free blocks %f, free inodes %d' .; ls -A; }
fs_before=$(fs_state)
n=0
killed=137
in_image=0
while [ "$killed" = 137 ] && [ "$n" -lt 200 ]; do
	n=$((n + 1))
	run env LD_PRELOAD="$SHIM" KILL_AFTER_WRITES=$n \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$IMACTL" sign-image kill.ext4 \
		--key "$K.key" --cert "$K.pem" --target-bits 64
	# shellcheck disable=SC2154 # rc: set by run (lib.sh)
	killed=$rc
	[ "$killed" = 137 ] || break
	if [ -e kill.ext4.imactl-undo ]; then
		in_image=$((in_image + 1))
		fails 3 "killed at write $n, writing the image: verify-image refuses it" \
			"$IMACTL" verify-image kill.ext4 --cert "$K.pem" --evm
		like "  ... naming the undo file" "$T/err" \
			"killed while writing it and left kill.ext4.imactl-undo: the image is partly written"
		# --target-bits auto: it reads the image only once it is put back
		ok "  ... the next run puts it back" "$IMACTL" sign-image kill.ext4 --key "$K.key" \
			--cert "$K.pem" --include /no-such-file
		like "  ... and says so" "$T/err" "put back as it was before a sign-image run that was killed"
	fi
	is "killed at write $n: the image is byte-identical" "$(sha256sum < kill.ext4)" "$before"
	is "... no file left behind, named or unnamed" "$(fs_state)" "$fs_before"
done
_result "$([ "$in_image" -gt 0 ] && echo 0 || echo 1)" "some runs were killed while writing the image" "$in_image"
is "the run that was not killed signed the image" "$killed" 0
_result "$([ "$n" -gt 3 ] && echo 0 || echo 1)" "it was killed at $((n - 1)) points first" "$n"
ok "... e2fsck -fn is clean" e2fsck -fn kill.ext4
ok "... verify-image: all good" "$IMACTL" verify-image kill.ext4 --cert "$K.pem" --evm
cd "$T" || exit 1
umount killfs

# an undo file that is not whole or not this image's is refused, never
# applied: one left by a run killed at its 2nd write (the undo file is its
# 1st; the image is not written yet), then cut short, changed or moved
mkfs -t ext4 -d src undo.ext4 64M
before=$(sha256sum < undo.ext4)
run env LD_PRELOAD="$SHIM" KILL_AFTER_WRITES=2 \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$IMACTL" sign-image undo.ext4 \
	--key "$K.key" --cert "$K.pem" --target-bits 64
is "killed after its undo file is named: killed" "$rc" 137
ok "... the undo file is there" test -s undo.ext4.imactl-undo
cp undo.ext4.imactl-undo whole.undo
head -c -1 whole.undo > undo.ext4.imactl-undo
fails 3 "an undo file cut short is refused" sign undo.ext4 --target-bits 64
like "... named, the cause given" "$T/err" "undo.ext4: undo.ext4.imactl-undo is not a complete undo file of this image"
is "... the image is unchanged" "$(sha256sum < undo.ext4)" "$before"
is "... the undo file is kept" "$(cmp -s undo.ext4.imactl-undo whole.undo; echo $?)" 1
size=$(stat -c %s whole.undo)
cp whole.undo undo.ext4.imactl-undo
printf '\377' | dd of=undo.ext4.imactl-undo bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
fails 3 "an undo file with a byte changed is refused" sign undo.ext4 --target-bits 64
is "... the image is unchanged" "$(sha256sum < undo.ext4)" "$before"
mkfs -t ext4 -d src other.ext4 65M
cp whole.undo other.ext4.imactl-undo
other=$(sha256sum < other.ext4)
fails 3 "another image's undo file is refused" sign other.ext4 --target-bits 64
is "... that image is unchanged" "$(sha256sum < other.ext4)" "$other"
rm other.ext4.imactl-undo
cp whole.undo undo.ext4.imactl-undo
ok "the whole undo file: the run puts the image back and signs it" sign undo.ext4 --target-bits 64
like "... saying so" "$T/err" "undo.ext4: put back as it was before a sign-image run that was killed"
is "... the undo file is gone" "$(ls undo.ext4.imactl-undo 2>/dev/null)" ""
ok "... e2fsck -fn is clean" e2fsck -fn undo.ext4
ok "... verify-image: all good" "$IMACTL" verify-image undo.ext4 --cert "$K.pem" --evm

# under pseudo (Yocto's fake root, do_image_ext4): it opens /proc/self/fd/N by
# the link's text, which for the unnamed undo file is "DIR/#INODE (deleted)";
# a shim does the same.  The undo file is named by linkat called with
# syscall(2), which the kernel resolves, and removed at the end.
mkfs -t ext4 -d src pseudo.ext4 64M
run env LD_PRELOAD="$BUILD_ROOT/tests/libproc_fd_by_name.so" \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$IMACTL" sign-image pseudo.ext4 \
	--key "$K.key" --cert "$K.pem" --target-bits 64
is "/proc/self/fd/N opened by name (as pseudo does): sign-image succeeds" "$rc" 0
ok "... e2fsck -fn is clean" e2fsck -fn pseudo.ext4
ok "... verify-image: all good" "$IMACTL" verify-image pseudo.ext4 --cert "$K.pem" --evm
is "... no undo file is left" "$(find . -maxdepth 1 -name '*imactl*' | wc -l)" 0

# an image with directories deeper than the walk goes (it recursed without a
# bound): 3000 levels made with debugfs (mke2fs -d aborts on such a tree)
mkfs -t ext4 -N 4000 deep.ext4 32M
awk 'BEGIN { for (i = 0; i < 3000; i++) print "mkdir d\ncd d" }' > deep.cmds
debugfs -w -f deep.cmds deep.ext4 >/dev/null 2>&1
ok "e2fsck -fn finds the deep image clean" e2fsck -fn deep.ext4
fails 3 "sign-image on a 3000-level image stops at the limit" sign deep.ext4 --target-bits 64
like "... naming the directory too deep" "$T/err" 'deeper than 2048 directory levels, not walked: deep.ext4:/d/d/d'
fails 3 "verify-image on it too" "$IMACTL" verify-image deep.ext4 --target-bits 64
like "... the 2048th level is an error, not walked" "$T/out" '^(/d){2048}: error: path too long or nested too deep: not walked'
like "... and nothing below it was" "$T/out" 'directories 2049,'
done_testing
