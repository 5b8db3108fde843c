# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# hmac-layer, hmac-layer-reboot: tests/vm/vm_hmac_layer.sh.  The Yocto
# layer's initramfs-framework modules, as their recipes installed them in
# /init.d, run the way initramfs-framework's /init runs modules: each
# sourced into this shell in name order, NAME_enabled then NAME_run, with
# the framework's info/debug/msg/fatal and bootparam_root; the root mounted
# after 20-ima, as 90-rootfs does.  First boot: 15-imactlevm finds no blobs,
# checks the signed mutable list and runs imactl evm-key create --label on
# the unmounted root; 20-ima imports the certificates, enables EVM (HMAC and
# X.509) and loads ima-policy-mutable; 91-imactlevmstore stores the blobs.
# Second boot: the key is loaded from the blobs (the TPM unseals kmk).
# shellcheck disable=SC2154 # scenario= is a kernel parameter: /init has it
info() { echo "info: $*"; }
debug() { :; }
msg() { echo "msg: $*"; }
fatal() {
	t_result 1 "the layer's modules run without a fatal error" "$*"
	t_finish
	exit 1
}
# shellcheck disable=SC2034 # read by the modules
bootparam_root=$ROOT_DEV
ROOTFS_DIR=/rootfs
mkdir -p "$ROOTFS_DIR"
ran=""
for m in /init.d/*; do
	name=${m##*/}
	name=${name#*-}
	. "$m"
	if ! eval "${name}_enabled"; then
		ran="$ran -$name"
		continue
	fi
	eval "${name}_run"
	ran="$ran $name"
	if [ "$name" = ima ]; then
		t_ok "90-rootfs: the root mounts" mount -t ext4 "$ROOT_DEV" "$ROOTFS_DIR"
	fi
done
if [ "$scenario" = hmac-layer ]; then
	t_is "first boot: 15-imactlevm, 20-ima and 91-imactlevmstore ran" "$ran" " imactlevm ima imactlevmstore"
	t_like "the blobs are stored on the root" "$(ls "$ROOTFS_DIR/etc/imactl")" "*evm-key.blob*kmk.blob*mutable.list*"
	t_like "the evm-key blob names its master key" "$(cat "$ROOTFS_DIR/etc/imactl/evm-key.blob")" "default trusted:kmk 32 *"
else
	t_is "second boot: 15-imactlevm and 20-ima ran, nothing to store" "$ran" " imactlevm ima -imactlevmstore"
fi
t_is "EVM reports HMAC and X.509" "$(cat /sys/kernel/security/evm)" 3
t_like "imactl evm-key status: both keys" "$(imactl evm-key status 2>&1)" "*kmk: present (trusted, *evm-key: present (encrypted, *evm: 3 (hmac,x509)*"
t_read "a signed file" "$ROOTFS_DIR/etc/hostname" allowed -
t_exec "a signed executable" "$ROOTFS_DIR/usr/bin/prog" allowed -
t_ok "the labelled /etc/machine-id is read" cat "$ROOTFS_DIR/etc/machine-id"
if [ "$scenario" = hmac-layer ]; then
	t_read "a mutable file labelled on the first boot" "$ROOTFS_DIR/var/lib/app/state" allowed -
	echo "data runtime" > "$ROOTFS_DIR/var/lib/app/runtime"
	t_read "a file created at runtime" "$ROOTFS_DIR/var/lib/app/runtime" allowed -
else
	t_read "the file created on the first boot" "$ROOTFS_DIR/var/lib/app/runtime" allowed -
	t_read "a mutable file changed offline" "$ROOTFS_DIR/var/lib/app/state" denied appraise_data:invalid-hash
fi
umount "$ROOTFS_DIR"
t_finish
