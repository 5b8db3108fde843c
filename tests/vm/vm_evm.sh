#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real kernel, EVM: portable signatures made by imactl verified by the kernel.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
vm_setup

uuid=0d4f5a6b-2c3e-4f10-8a9b-b1c2d3e4f506
vm_appraise_tree "$T/tree"
vm_ext4 "$T/disk.img" "$T/tree" $uuid
mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
cp "$VM_SRC/scenarios/evm.sh" "$T/extra/scenarios/"
cp "$CERT" "$T/extra/etc/vm/ima.pem"
cat > "$T/extra/etc/vm/policy" <<POL
appraise func=BPRM_CHECK fsuuid=$uuid appraise_type=imasig
POL
for k in $(vm_kernels); do
	vm_use_kernel "$k"
	vm_initramfs "$T/initrd" "$T/extra"
	vm_scenario evm "$T/initrd" "$T/disk.img" no
done
done_testing
