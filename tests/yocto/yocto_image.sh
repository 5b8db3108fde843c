#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2154 # keydir, native and rc are set by tests/yocto/lib.sh and tests/cli/lib.sh
# shellcheck disable=SC2016 # '${...}' are BitBake expressions, for bbrun to expand
# meta-integrity's image mode (IMA_EVM_SIGN_MODE = "image") and its signature
# cache, run the way BitBake runs do_image_ext4: image.bbclass makes the task
# from IMAGE_CMD (with OVERRIDES = the type), then "cd ${IMGDEPLOYDIR}" and
# the conversion commands (here oe-core's CONVERSION_CMD:gz). IMAGE_CMD:ext4
# comes from the class over oe-core's definition; oe_mkext234fs is oe-core's
# (dd a sparse file, mkfs.ext4 -d the root filesystem, fsck -pvfD). It runs as
# nobody under fakeroot, on a file system without security.* xattrs for
# nobody: no xattr reaches the root filesystem, the ext4 carries them.
# Then verify-image, e2fsck -fn, the .ext4.gz made from the signed image, and
# a rebuild: everything reused from the cache, then one changed file re-signed.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
. "$SRC_ROOT/tests/yocto/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v fakeroot >/dev/null || ! command -v mkfs.ext4 >/dev/null; then
	skip "image mode" "needs root (to become nobody), fakeroot and e2fsprogs"
	done_testing
	exit 0
fi
cert="$keydir/x509_ima.der"
w=$(mktemp -d /tmp/imactl-yocto-image.XXXXXX)
chmod 755 "$w"
cp -r "$keydir" "$w/keys"
chmod 644 "$w/keys/privkey_ima.pem"
mkdir -p "$w/native"
cp "$IMACTL" "$w/native/imactl" 2>/dev/null || ln -s "$IMACTL" "$w/native/imactl"
chmod -R a+rX "$(dirname "$IMACTL")" 2>/dev/null || true

# oe-core's image_types.bbclass, the parts do_image_ext4 runs
cat > "$w/image_types.bbclass" <<'EOF'
oe_mkext234fs () {
	fstype=$1
	extra_imagecmd=""
	if [ $# -gt 1 ]; then
		shift
		extra_imagecmd=$@
	fi
	dd if=/dev/zero of=${IMGDEPLOYDIR}/${IMAGE_NAME}.$fstype seek=$ROOTFS_SIZE count=0 bs=1024
	mkfs.$fstype -F $extra_imagecmd ${IMGDEPLOYDIR}/${IMAGE_NAME}.$fstype -d ${IMAGE_ROOTFS}
	fsck.$fstype -pvfD ${IMGDEPLOYDIR}/${IMAGE_NAME}.$fstype || [ $? -le 3 ]
}
IMAGE_CMD:ext4 = "oe_mkext234fs ext4 ${EXTRA_IMAGECMD}"
EXTRA_IMAGECMD = "-i 4096"
EOF

# bbrun_img MODE ARGS...: bbrun with the settings of an image recipe's task
bbrun_img() {
	mode=$1; shift
	python3 "$BBRUN" --layer "$LAYER" \
		--set DISTRO_FEATURES="integrity ima" --set IMA_EVM_SIGN_MODE="$mode" \
		--set IMAGE_ROOTFS="$w/rootfs" --set T="$w/temp" --set WORKDIR="$w" --set B="$w" \
		--set IMGDEPLOYDIR="$w/deploy" --set IMAGE_NAME="test-image-qemux86-64.rootfs" \
		--set IMAGE_LINK_NAME="test-image-qemux86-64" --set sysconfdir=/etc \
		--set STAGING_BINDIR_NATIVE="$w/native" --set BB_NUMBER_THREADS=2 \
		--set IMA_EVM_KEY_DIR="$w/keys" --set TOPDIR="$w" --set PERSISTENT_DIR="$w/cache" \
		--eval "$w/image_types.bbclass" --eval classes/ima-evm-rootfs.bbclass "$@"
}

# --- the hook: IMAGE_CMD:ext4 as image.bbclass reads it -------------------------
bbrun_img rootfs --set OVERRIDES=ext4 --get IMAGE_CMD > "$w/cmd.rootfs"
bbrun_img image --set OVERRIDES=ext4 --get IMAGE_CMD > "$w/cmd.image"
is "rootfs mode: IMAGE_CMD:ext4 is oe-core's" "$(cat "$w/cmd.rootfs")" "oe_mkext234fs ext4 -i 4096"
is "image mode: the class appends imactl's signing as the last command of IMAGE_CMD:ext4" \
	"$(cat "$w/cmd.image")" "$(printf 'oe_mkext234fs ext4 -i 4096\n\tima_evm_sign_image ext4')"
# do_image_ext4 as image.bbclass assembles it: IMAGE_CMD, cd, the conversions
{
	echo 'do_image_ext4 () {'
	printf '\t%s\n' "$(cat "$w/cmd.image")"
	printf '\tcd ${IMGDEPLOYDIR}\n'
	printf '\tgzip -f -9 -n -c --rsyncable ${IMAGE_NAME}.ext4 > ${IMAGE_NAME}.ext4.gz\n'
	echo '}'
} > "$w/task.bbclass"

# --- the root filesystem, made by nobody; owners as pseudo would record them ---
mkdir -p "$w/rootfs/bin" "$w/rootfs/sbin" "$w/rootfs/etc" "$w/rootfs/usr/lib" "$w/rootfs/home/user"
cp /bin/dash "$w/rootfs/bin/sh"
{ cat /bin/dash; printf 'init'; } > "$w/rootfs/sbin/init"  # not the same content as /bin/sh
for i in 1 2 3 4 5; do head -c $((i * 3001)) /dev/urandom > "$w/rootfs/usr/lib/lib$i.so"; done
printf 'hostname\n' > "$w/rootfs/etc/hostname"
printf 'user data\n' > "$w/rootfs/home/user/notes"
ln -s sh "$w/rootfs/bin/ash"
nfiles=$(find "$w/rootfs" -type f | wc -l)
mkdir -p "$w/temp" "$w/deploy" "$w/cache"
chown -R 65534:65534 "$w"

# task: do_image_ext4 as nobody under fakeroot, which owns the root filesystem
# the way pseudo records it (root, and one user's file); log in $w/task.log
task() {
	{
		printf 'chown -R 0:0 %s/rootfs && chown 1000:1000 %s/rootfs/home/user/notes || exit 1\n' "$w" "$w"
		printf 'ROOTFS_SIZE=16384 /usr/bin/python3 %s --layer %s' "$BBRUN" "$LAYER"
		printf ' --set DISTRO_FEATURES="integrity ima" --set IMA_EVM_SIGN_MODE=image'
		printf ' --set IMAGE_ROOTFS=%s/rootfs --set T=%s/temp --set WORKDIR=%s --set B=%s' "$w" "$w" "$w" "$w"
		printf ' --set IMGDEPLOYDIR=%s/deploy --set IMAGE_NAME=test-image-qemux86-64.rootfs' "$w"
		printf ' --set IMAGE_LINK_NAME=test-image-qemux86-64 --set sysconfdir=/etc'
		printf ' --set STAGING_BINDIR_NATIVE=%s/native --set BB_NUMBER_THREADS=2' "$w"
		printf ' --set IMA_EVM_KEY_DIR=%s/keys --set TOPDIR=%s --set PERSISTENT_DIR=%s/cache' "$w" "$w" "$w"
		printf ' --set OVERRIDES=ext4 --eval %s/image_types.bbclass --eval classes/ima-evm-rootfs.bbclass' "$w"
		printf ' %s --eval %s/task.bbclass --func %s --scriptdir %s/temp\n' "${TASK_SET:-}" "$w" "${1:-do_image_ext4}" "$w"
	} > "$w/task.sh"
	run env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		setpriv --reuid=65534 --regid=65534 --clear-groups fakeroot sh "$w/task.sh"
	cat "$T/out" "$T/err" > "$w/task.log"
}
img="$w/deploy/test-image-qemux86-64.rootfs.ext4"
# summary COUNT-NAME: a number from sign-image's "signatures:" line in the task log
summary() {
	sed -n 's/.*signatures: \([0-9]*\) reused from the cache.*, \([0-9]*\) newly signed, \([0-9]*\) cache entries rejected.*/\1 \2 \3/p' "$w/task.log" | head -n 1
}

# --- the first build ------------------------------------------------------------
task
is "do_image_ext4 in image mode, as nobody under fakeroot: succeeds" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$w/task.log"
like "... sign-image and verify-image ran in it" "$w/task.log" "NOTE: IMA/EVM: verified: "
ok "imactl verify-image --evm: every file of the image verifies" \
	"$IMACTL" verify-image "$img" --cert "$cert" --evm
ok "e2fsck -fn: the signed image is clean" e2fsck -fn "$img"
run sh -c "gzip -dc '$img.gz' | cmp - '$img'"
is "the ext4.gz conversion, run after it in the same task, holds the signed image" "$rc" 0
is "no security.ima reached the root filesystem" \
	"$(getfattr -R -h -m '^security\.' --absolute-names "$w/rootfs" 2>/dev/null | grep -c security)" 0
is "the image's notes file has the owner the fake root gave it (EVM covers it)" \
	"$(debugfs -R 'stat /home/user/notes' "$img" 2>/dev/null | sed -n 's/.*User: *\([0-9]*\).*Group: *\([0-9]*\).*/\1:\2/p')" "1000:1000"
m="$w/deploy/test-image-qemux86-64.rootfs.ima-evm.manifest"
is "the manifest is deployed next to the image, one line per file" "$(wc -l < "$m" 2>/dev/null)" "$nfiles"
is "... with its IMAGE_LINK_NAME symlink" "$(readlink "$w/deploy/test-image-qemux86-64.ima-evm.manifest")" \
	"test-image-qemux86-64.rootfs.ima-evm.manifest"
is "first build: all $nfiles files signed anew (IMA + EVM: $((2 * nfiles)) values), the cache was empty" \
	"$(summary)" "0 $((2 * nfiles)) 0"
is "the cache is PERSISTENT_DIR/imactl-sign, the build user's (nobody), 0700" \
	"$(stat -c '%u %a' "$w/cache/imactl-sign")" "65534 700"
# ea_dump N: the security.* values of one file, read from the image by debugfs
ea_dump() {
	for x in security.ima security.evm; do
		debugfs -R "ea_get -x /usr/lib/lib3.so $x" "$img" 2>/dev/null
	done > "$w/ea.$1"
}
ea_dump 1
is "debugfs reads both values of a file from the image (IMA signature 0302, EVM portable 0502)" \
	"$(sed -n 's/^\(security\.[a-z]*\) ([0-9]*) = \(..\) \(..\) .*/\1 \2\3/p' "$w/ea.1" | tr '\n' ' ')" \
	"security.ima 0302 security.evm 0502 "

# --- a rebuild: the same root filesystem, a new image: nothing signed anew ------
rm -f "$img" "$img.gz"
task
is "rebuild: succeeds" "$rc" 0
is "rebuild: every value reused from the cache (MAC-checked), none signed" "$(summary)" "$((2 * nfiles)) 0 0"
ok "rebuild: verify-image --evm" "$IMACTL" verify-image "$img" --cert "$cert" --evm
ea_dump 2
run cmp "$w/ea.1" "$w/ea.2"
is "rebuild: the reused values are byte-identical to the first build's (RSA)" "$rc" 0

# --- one package changed: one file; only its values are signed -----------------
head -c 5000 /dev/urandom > "$w/rootfs/usr/lib/lib2.so"
chown 65534:65534 "$w/rootfs/usr/lib/lib2.so"
rm -f "$img" "$img.gz"
task
is "one changed file: succeeds" "$rc" 0
is "one changed file: its 2 values signed, the other $((2 * nfiles - 2)) reused" "$(summary)" "$((2 * nfiles - 2)) 2 0"
ok "one changed file: verify-image --evm" "$IMACTL" verify-image "$img" --cert "$cert" --evm

# --- mutable files (IMA_EVM_MUTABLE) in image mode ------------------------------
# do_ima_evm_sign puts the list into the root filesystem (so the image carries
# it); do_image_ext4 signs with --mutable and checks that sign-image found the
# same files.
rm -f "$img" "$img.gz"
TASK_SET="--set IMA_EVM_MUTABLE='/etc/hostname /home/user'"
task do_ima_evm_sign
is "image mode, IMA_EVM_MUTABLE: do_ima_evm_sign succeeds" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$w/task.log"
is "... and writes the list into the root filesystem" "$(tr '\n' ' ' < "$w/rootfs/etc/imactl/mutable.list")" \
	"/etc/hostname /home/user/notes "
task
is "image mode, IMA_EVM_MUTABLE: do_image_ext4 succeeds" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$w/task.log"
is "the image carries the list" "$(debugfs -R 'cat /etc/imactl/mutable.list' "$img" 2>/dev/null | tr '\n' ' ')" \
	"/etc/hostname /home/user/notes "
run cmp "$w/rootfs/etc/imactl/mutable.list" "$w/deploy/test-image-qemux86-64.rootfs.mutable.list"
is "... the same list is deployed next to the image" "$rc" 0
# ea F: "IMA-prefix EVM-prefix" of a file in the image, read by debugfs
ea() {
	for x in security.ima security.evm; do
		v=$(debugfs -R "ea_get -x $1 $x" "$img" 2>/dev/null | sed -n 's/^security\.[a-z]* ([0-9]*) = //p' | tr -d ' ')
		printf '%s ' "${v:-none}"
	done
}
is "a mutable file in the image: security.ima is the sha256 of its content, no security.evm" \
	"$(ea /etc/hostname)" "0404$(sha256sum "$w/rootfs/etc/hostname" | cut -d' ' -f1) none "
is "... the other one too" "$(ea /home/user/notes | sed 's/^\(....\)[0-9a-f]* /\1 /')" "0404 none "
is "the list itself is signed (IMA 0302, EVM portable 05)" \
	"$(ea /etc/imactl/mutable.list | sed 's/^\(....\)[0-9a-f]* \(..\)[0-9a-f]* /\1 \2/')" "0302 05"
ok "verify-image --allow-hash: the image verifies, mutable files by their hash" \
	"$IMACTL" verify-image "$img" --cert "$cert" --allow-hash
fails 1 "verify-image --evm: the mutable files have no EVM signature" "$IMACTL" verify-image "$img" --cert "$cert" --evm --allow-hash
# the list the image carries must be what sign-image found: one the build did not
# make (changed after do_ima_evm_sign) fails the task, naming both
printf '/etc/other\n' >> "$w/rootfs/etc/imactl/mutable.list"
rm -f "$img" "$img.gz"
task
is "a list in the root filesystem that differs from sign-image's fails do_image_ext4" "$rc" 1
like "... saying so" "$w/task.log" "ERROR: IMA/EVM: the mutable files imactl sign-image found in .* differ from the list /etc/imactl/mutable.list"
like "... with the difference" "$w/task.log" "< /etc/other"
TASK_SET=""
rm -f "$w/rootfs/etc/imactl/mutable.list"

# --- what image mode refuses -------------------------------------------------------
bbrun_img image --set BB_CURRENTTASK=image_tar --handler ima_evm_unsigned_type > "$w/refuse.out" 2>&1
like "image mode: a tar image task (not signed) stops, naming the type and the ways out" "$w/refuse.out" \
	'FATAL: IMA/EVM: IMA_EVM_SIGN_MODE = "image" signs ext2/ext3/ext4 images only: do_image_tar would be made from the unsigned root filesystem'
run bbrun_img image --set IMA_EVM_MANIFEST=/etc/ima/ima-evm.manifest --func do_ima_evm_sign --scriptdir "$w/temp"
is "image mode with IMA_EVM_MANIFEST (for cpio): do_ima_evm_sign fails" "$rc" 1
like "... saying it needs rootfs mode" "$T/out" 'ERROR: IMA/EVM: IMA_EVM_MANIFEST .* needs IMA_EVM_SIGN_MODE = "rootfs"'
run bbrun_img image --set IMA_EVM_POLICY="$SRC_ROOT/policies/systemd" --func do_ima_evm_sign --scriptdir "$w/temp"
is "image mode: do_ima_evm_sign installs the policy only" "$rc" 0
run cmp "$SRC_ROOT/policies/systemd" "$w/rootfs/etc/ima/ima-policy"
is "... as /etc/ima/ima-policy (signed later, in the image)" "$rc" 0
is "... and signs nothing in the root filesystem" \
	"$(getfattr -R -h -m '^security\.' --absolute-names "$w/rootfs" 2>/dev/null | grep -c security)" 0
rm -rf "$w"
done_testing
