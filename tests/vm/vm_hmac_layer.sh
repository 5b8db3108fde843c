#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2034 # KERNEL, KMODULES are parameters of tests/vm/vm-lib.sh
# shellcheck disable=SC2154 # rc is set by tests/cli/lib.sh
# shellcheck disable=SC2016 # '${...}' are BitBake expressions, for bbrun to expand
# The Yocto layer's EVM HMAC mode on a real kernel (issue 17): the root is
# signed by meta-integrity's ima-evm-rootfs class (bbrun, IMA_EVM_MUTABLE:
# the list in the image), the initramfs carries the layer's
# initramfs-framework modules as their recipes install them
# (initramfs-module-imactl-evm: 15-imactlevm, 91-imactlevmstore;
# initramfs-framework-ima: 20-ima) and the layer's ima-policy-mutable; the
# guest runs them as initramfs-framework does (sourced into one shell in
# /init.d order, the root mounted between 20-ima and 91 as 90-rootfs does).
# Our kernel with kernel/evm-hmac.cfg, swtpm with a storage primary key at
# 0x81000001, two boots of one disk and one TPM (as tests/vm/vm_hmac.sh).
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
. "$SRC_ROOT/tests/vm/chain-lib.sh"
hmac_vm_setup hmac-layer "imactl layer signer"
LAYER="$SRC_ROOT/meta-integrity"
BBRUN="$SRC_ROOT/tests/yocto/bbrun.py"
mkdir -p "$T/native" "$T/temp" "$T/deploy"
ln -sf "$IMACTL" "$T/native/imactl"

uuid=6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d
r="$T/rootfs"
mkdir -p "$r/etc" "$r/usr/bin" "$r/var/lib/app" "$r/sbin"
cp /bin/dash "$r/sbin/init"
printf '0123456789abcdef0123456789abcdef\n' > "$r/etc/machine-id"
vm_data "$r/var/lib/app" state
vm_data "$r/etc" hostname
vm_prog "$r/usr/bin" prog
run /usr/bin/python3 "$BBRUN" --layer "$LAYER" --set DISTRO_FEATURES="integrity ima evm-hmac" \
	--set IMAGE_ROOTFS="$r" --set T="$T/temp" --set WORKDIR="$T" --set B="$T" --set IMGDEPLOYDIR="$T/deploy" \
	--set IMAGE_NAME=layer --set IMAGE_LINK_NAME=layer-link --set sysconfdir=/etc \
	--set STAGING_BINDIR_NATIVE="$T/native" --set BB_NUMBER_THREADS=2 --set IMA_EVM_KEY_DIR="$T/signer.d" \
	--set TOPDIR="$T" --set PERSISTENT_DIR="$T/cache" --set IMA_EVM_MUTABLE="/etc/machine-id /var" \
	--set IMA_EVM_POLICY="$LAYER/recipes-security/ima_policy_mutable/files/ima_policy_mutable" \
	--eval classes/ima-evm-rootfs.bbclass --func ima_evm_sign_rootfs --scriptdir "$T/temp"
is "the class signs the root (IMA_EVM_MUTABLE = /etc/machine-id /var)" "$rc" 0
[ "$rc" = 0 ] || { sed 's/^/# /' "$T/out" "$T/err"; echo "Bail out! signing failed"; exit 1; }
is "the list in the image" "$(tr '\n' ' ' < "$r/etc/imactl/mutable.list")" "/etc/machine-id /var/lib/app/state "
vm_ext4 "$T/disk.img" "$r" $uuid

# the initramfs: the modules as their recipes install them, the certificate
# (ima-evm-keys), the policy (ima-policy-mutable), the scenarios
x="$T/extra"
mkdir -p "$x/init.d" "$x/etc/keys" "$x/etc/ima" "$x/scenarios"
MOD=recipes-core/initrdscripts/initramfs-module-imactl-evm
run /usr/bin/python3 "$BBRUN" --layer "$LAYER" --set DISTRO_FEATURES="integrity ima evm-hmac" --set D="$x" \
	--set T="$T/temp" --set sysconfdir=/etc --set UNPACKDIR="$LAYER/$MOD" --set WORKDIR="$T" \
	--eval ${MOD}_1.0.bb --func do_install --scriptdir "$T/temp"
is "initramfs-module-imactl-evm: do_install" "$rc" 0
run /usr/bin/python3 "$BBRUN" --layer "$LAYER" --set DISTRO_FEATURES="integrity ima evm-hmac" --set D="$x" \
	--set T="$T/temp" --set UNPACKDIR="$LAYER/recipes-core/initrdscripts/initramfs-framework-ima" --set WORKDIR="$T" \
	--eval recipes-core/initrdscripts/initramfs-framework-ima.bb --func do_install --scriptdir "$T/temp"
is "initramfs-framework-ima: do_install" "$rc" 0
is "the initramfs's /init.d" "$(cd "$x/init.d" && echo *)" "15-imactlevm 20-ima 91-imactlevmstore"
cp "$T/signer.d/x509_ima.der" "$x/etc/keys/x509_ima.der"
cp "$T/signer.d/x509_ima.der" "$x/etc/keys/x509_evm.der"
cp "$LAYER/recipes-security/ima_policy_mutable/files/ima_policy_mutable" "$x/etc/ima/ima-policy"
cp "$VM_SRC/scenarios/hmac-layer.sh" "$x/scenarios/hmac-layer.sh"
cp "$VM_SRC/scenarios/hmac-layer.sh" "$x/scenarios/hmac-layer-reboot.sh"
vm_add_program "$x" "$(command -v keyctl)"
vm_initramfs "$T/initrd" "$x"
hmac_tpm_spk "$T/tpm-init"
hmac_boot hmac-layer "$T/tpm-init" tpm_tis.force=1
is "host: the blobs are on the root after the first boot" \
	"$(debugfs -R 'ls /etc/imactl' "$T/disk.img" 2>/dev/null | grep -o 'kmk.blob\|evm-key.blob' | sort | tr '\n' ' ')" \
	"evm-key.blob kmk.blob "
is "host: the kernel gave the stored blob an HMAC (security.evm 0x02)" \
	"$(debugfs -R 'ea_get -x /etc/imactl/kmk.blob security.evm' "$T/disk.img" 2>/dev/null | sed 's/^.*= //' | cut -c1-2)" "02"
# offline, between the boots: a labelled mutable file's content
vm_poke "$T/disk.img" /var/lib/app/state "DATA"
hmac_tpm_left hmac-layer "$T/tpm-boot1"
hmac_boot hmac-layer-reboot "$T/tpm-boot1" tpm_tis.force=1
done_testing
