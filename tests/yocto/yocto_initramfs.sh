#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2154 # keydir, native and rc are set by tests/yocto/lib.sh and tests/cli/lib.sh
# shellcheck disable=SC2016 # '${...}' are BitBake expressions, for bbrun to expand
# meta-integrity's initramfs-module-imactl-evm as initramfs-framework runs it
# (the modules sourced into one shell in /init.d order: 15-imactlevm,
# 20-ima, the root mounted as 90-rootfs does, 91-imactlevmstore), on the
# host, against a real ext4 root on a loop device made from a tree the
# class signed with IMA_EVM_MUTABLE. The kernel's part (sealing in the TPM,
# instantiating keys, EVM's securityfs file) is not on the host: imactl's
# evm-key subcommands are recorded, with blobs standing in for the TPM's;
# everything else (the root's device, its read-only mount, the list and its
# signature check with the real imactl, the blobs stored on the root) is
# real. What is checked is the order of the steps and where the files are.
# imactl evm-key itself is proven on a real kernel with swtpm by
# tests/vm/vm_hmac.sh.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
. "$SRC_ROOT/tests/yocto/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v losetup >/dev/null || ! command -v mkfs.ext4 >/dev/null ||
	! command -v debugfs >/dev/null; then
	skip "the initramfs module" "needs root (loop devices, mount), e2fsprogs"
	done_testing
	exit 0
fi
cert="$keydir/x509_ima.der"
w="$T/w"
mkdir -p "$w/temp" "$w/image" "$w/deploy" "$w/mnt" "$w/run"

# --- the recipe: do_install puts the two modules where initramfs-framework runs them
MOD=recipes-core/initrdscripts/initramfs-module-imactl-evm
run python3 "$BBRUN" --layer "$LAYER" --set DISTRO_FEATURES="integrity ima evm-hmac" --set D="$w/image" \
	--set T="$w/temp" --set sysconfdir=/etc --set UNPACKDIR="$LAYER/$MOD" --set WORKDIR="$w" \
	--set IMA_EVM_KEY_CREATE_ARGS="--target-bits 64" --set IMA_EVM_KEY_PCRS=12 --eval ${MOD}_1.0.bb --func do_install --scriptdir "$w/temp"
is "initramfs-module-imactl-evm: do_install" "$rc" 0
is "... installs /init.d/15-imactlevm and 91-imactlevmstore" "$(cd "$w/image/init.d" && echo *)" "15-imactlevm 91-imactlevmstore"
is "... with the settings filled in" "$(grep -ho '@@[A-Z_]*@@' "$w/image/init.d/"* | sort -u)" ""
like "... the blob directory (IMA_EVM_KEY_BLOB_DIR)" "$w/image/init.d/15-imactlevm" '^	blobs="/etc/imactl"$'
like "... the list (IMA_EVM_MUTABLE_LIST, the class's)" "$w/image/init.d/15-imactlevm" '^	list="/etc/imactl/mutable.list"$'
like "... the keyhandle (IMA_EVM_KEYHANDLE)" "$w/image/init.d/15-imactlevm" 'evm-key create .*--keyhandle "0x81000001"'
like "... the create options (IMA_EVM_KEY_CREATE_ARGS)" "$w/image/init.d/15-imactlevm" '\$\{pcrs:\+--pcrs "\$pcrs"\} --target-bits 64 \|\|$'
like "... the PCRs (IMA_EVM_KEY_PCRS)" "$w/image/init.d/15-imactlevm" '^	pcrs="12"$'
# what initramfs-framework's init does with the names: "NN-name" runs name_enabled, name_run
is "initramfs-framework's order: 15-imactlevm before 20-ima before 90-rootfs before 91-imactlevmstore" \
	"$(printf '%s\n' 91-imactlevmstore 20-ima 90-rootfs 15-imactlevm 01-udev 99-finish | LC_ALL=C sort | tr '\n' ' ')" \
	"01-udev 15-imactlevm 20-ima 90-rootfs 91-imactlevmstore 99-finish "
sed -e 's/@@FORCE_IMA@@/false/g' -e 's/@@ENABLE_EVM@@/1/g' \
	"$LAYER/recipes-core/initrdscripts/initramfs-framework-ima/ima" > "$w/image/init.d/20-ima"

# --- the root: signed by the class with mutable files, an ext4 image ---------
r="$w/rootfs"
mkdir -p "$r/etc" "$r/usr/bin" "$r/var/lib/app"
cp /bin/dash "$r/usr/bin/sh"
printf '0123456789abcdef0123456789abcdef\n' > "$r/etc/machine-id"
printf 'state\n' > "$r/var/lib/app/state"
run python3 "$BBRUN" --layer "$LAYER" --set DISTRO_FEATURES="integrity ima evm-hmac" \
	--set IMAGE_ROOTFS="$r" --set T="$w/temp" --set WORKDIR="$w" --set B="$w" --set IMGDEPLOYDIR="$w/deploy" \
	--set IMAGE_NAME=test --set IMAGE_LINK_NAME=test-link --set sysconfdir=/etc \
	--set STAGING_BINDIR_NATIVE="$native" --set BB_NUMBER_THREADS=2 --set IMA_EVM_KEY_DIR="$keydir" \
	--set TOPDIR="$w" --set PERSISTENT_DIR="$w/cache" --set IMA_EVM_MUTABLE="/etc/machine-id /var" --set IMA_EVM_TARGET_BITS=64 \
	--eval classes/ima-evm-rootfs.bbclass --func ima_evm_sign_rootfs --scriptdir "$w/temp"
is "the class signs the root with IMA_EVM_MUTABLE" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T/out" "$T/err"

# The initramfs: its certificates (ima-evm-keys), the framework's helpers, and
# an imactl whose evm-key subcommands are recorded (the kernel's part).
ir="$w/initramfs"
mkdir -p "$ir/etc/keys" "$w/sfs/ima"
cp "$cert" "$ir/etc/keys/x509_evm.der"
cp "$cert" "$ir/etc/keys/x509_ima.der"
cat > "$w/imactl" <<EOS
#!/bin/sh
echo "\$*" >> "$w/calls"
case "\$1 \$2" in
"evm-key create")
	p=""
	while [ \$# -gt 0 ]; do [ "\$1" = --blob-dir ] && d=\$2; [ "\$1" = --pcrs ] && p=\$2; shift; done
	echo "sealed-kmk" > "\$d/kmk.blob"; echo "default trusted:kmk 32 blob" > "\$d/evm-key.blob"
	[ -z "\$p" ] || echo "PCR-\$p: values" > "\$d/kmk.pcrs" ;;
"evm-key load")
	while [ \$# -gt 0 ]; do [ "\$1" = --blob-dir ] && d=\$2; shift; done
	[ "\$(cat "\$d/kmk.blob")" = sealed-kmk ] || { echo "load: no kmk blob" >&2; exit 3; }
	[ "\$(cat "\$d/kmk.pcrs")" = "PCR-12: values" ] || { echo "load: no kmk.pcrs" >&2; exit 3; } ;;
"evm-key enable") echo 3 > "$w/sfs/evm" ;;
"import "*) echo 1 ;;
*) exec "$IMACTL" "\$@" ;;
esac
EOS
chmod +x "$w/imactl"
printf 'measure func=BPRM_CHECK\n' > "$ir/etc/ima/ima-policy" 2>/dev/null || {
	mkdir -p "$ir/etc/ima"
	printf 'measure func=BPRM_CHECK\n' > "$ir/etc/ima/ima-policy"
}

# boot DISK [ro]: the modules in initramfs-framework's order, on DISK attached
# to a loop device; output in $T/out, imactl's calls in $w/calls
boot() {
	: > "$w/calls"
	echo 0 > "$w/sfs/evm"
	: > "$w/sfs/ima/policy"
	dev=$(losetup -f --show "$1") || { echo "Bail out! losetup"; exit 1; }
	run env IMA_ROOT="$ir" IMA_SECURITYFS="$w/sfs" IMA_IMACTL="$w/imactl" IMACTLEVM_IMACTL="$w/imactl" \
		IMACTLEVM_DIR="$w/run" IMACTLEVM_SECURITYFS="$w/sfs" ROOTFS_DIR="$w/mnt" bootparam_root="$dev" \
		ro="${2:-}" MODS="$w/image/init.d" sh -c '
		info() { echo "info: $*"; }; debug() { :; }; msg() { echo "msg: $*"; }
		fatal() { echo "fatal: $*"; exit 1; }
		for m in "$MODS"/*; do
			name=${m##*/}; name=${name#*-}
			if [ "$name" = rootfs ]; then continue; fi
			. "$m"
			eval "${name}_enabled" || { echo "skipped: $name"; continue; }
			eval "${name}_run"
			if [ "$name" = ima ]; then   # 90-rootfs
				mount ${ro:+-o ro} "$bootparam_root" "$ROOTFS_DIR" || fatal "root mount"
				echo "mounted: $(grep " $ROOTFS_DIR " /proc/mounts | cut -d" " -f4 | cut -d, -f1)"
			fi
		done
		echo "mount at the end: $(grep " $ROOTFS_DIR " /proc/mounts | cut -d" " -f4 | cut -d, -f1)"
		umount "$ROOTFS_DIR"'
	cat "$T/out" "$T/err" > "$w/boot.log"
	umount "$w/mnt" 2>/dev/null
	losetup -d "$dev"
}
# calls: imactl's subcommands in order, one line
calls() { cut -d' ' -f1-2 "$w/calls" | tr '\n' ';'; }

disk="$w/disk.img"
mkfs.ext4 -q -F -d "$r" "$disk" 8M >/dev/null
boot "$disk"
is "first boot: the modules run" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$w/boot.log"
is "first boot: the list's signature checked, the key created with labelling, certificates, EVM enabled, policy" \
	"$(calls)" "verify --cert;evm-key create;import $ir/etc/keys/x509_ima.der;import $ir/etc/keys/x509_evm.der;evm-key enable;policy load;"
like "... create labels the root device with the list from the root" "$w/calls" \
	"^evm-key create --blob-dir $w/run --keyhandle 0x81000001 --label /dev/loop[0-9]+ --list $w/run/mutable.list --securityfs $w/sfs --pcrs 12 --target-bits 64$"
run cmp "$w/run/mutable.list" "$r/etc/imactl/mutable.list"
is "... the list is the one the class put into the image" "$rc" 0
like "... EVM is enabled by imactl evm-key enable (HMAC + X.509), not echo 2" "$w/calls" "^evm-key enable --securityfs $w/sfs$"
is "the blobs and kmk.pcrs are stored on the root (91-imactlevmstore, after the root was mounted)" \
	"$(debugfs -R 'cat /etc/imactl/kmk.blob' "$disk" 2>/dev/null)|$(debugfs -R 'cat /etc/imactl/evm-key.blob' "$disk" 2>/dev/null)|$(debugfs -R 'cat /etc/imactl/kmk.pcrs' "$disk" 2>/dev/null)" \
	"sealed-kmk|default trusted:kmk 32 blob|PCR-12: values"
is "... and nothing else in /etc/imactl" "$(debugfs -R 'ls /etc/imactl' "$disk" 2>/dev/null | tr -s ' \n' ' ' | grep -o '[a-z.-]*blob[a-z.]*\|mutable[a-z.]*\|kmk[a-z.]*' | sort -u | tr '\n' ' ')" \
	"evm-key.blob kmk.blob kmk.pcrs mutable.list "

boot "$disk"
is "second boot: the modules run" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$w/boot.log"
is "second boot: the key loaded from the root's blobs and kmk.pcrs, then certificates, EVM, policy; nothing created" \
	"$(calls)" "evm-key load;import $ir/etc/keys/x509_ima.der;import $ir/etc/keys/x509_evm.der;evm-key enable;policy load;"
like "... nothing stored again" "$w/boot.log" "^skipped: imactlevmstore$"

# a root mounted read-only (the ro boot parameter): stored, and read-only again
disk2="$w/disk2.img"
mkfs.ext4 -q -F -d "$r" "$disk2" 8M >/dev/null
boot "$disk2" ro
is "first boot, root read-only: the modules run" "$rc" 0
like "... 90-rootfs mounted it read-only" "$w/boot.log" "^mounted: ro$"
like "... and it is read-only again after the blobs were stored" "$w/boot.log" "^mount at the end: ro$"
is "... the blobs are on it" "$(debugfs -R 'cat /etc/imactl/kmk.blob' "$disk2" 2>/dev/null)" "sealed-kmk"

# refusals: each stops the boot (fatal), naming the cause
debugfs -w -R "rm /etc/imactl/evm-key.blob" "$disk2" >/dev/null 2>&1
boot "$disk2"
is "one blob missing: the boot stops" "$rc" 1
like "... saying why, before any key is made" "$w/boot.log" "^fatal: EVM key: /etc/imactl on /dev/loop[0-9]+ holds only one of kmk.blob and evm-key.blob"
is "... no imactl evm-key call" "$(calls)" ""
disk3="$w/disk3.img"
cp -a "$r" "$w/rootfs3"
printf '/etc/passwd\n' >> "$w/rootfs3/etc/imactl/mutable.list"
mkfs.ext4 -q -F -d "$w/rootfs3" "$disk3" 8M >/dev/null
boot "$disk3"
is "a mutable list changed after signing: the boot stops" "$rc" 1
like "... naming it and the certificate" "$w/boot.log" "^fatal: EVM key: the mutable list /etc/imactl/mutable.list on /dev/loop[0-9]+ is not signed by $ir/etc/keys/x509_evm.der"
is "... nothing labelled" "$(calls)" "verify --cert;"
run env bootparam_no_evm=true sh -c '. "$1"; imactlevm_enabled' sh "$w/image/init.d/15-imactlevm"
is "no_evm on the command line: the module is skipped" "$rc" 1
done_testing
