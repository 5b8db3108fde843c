#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real kernel: built-in ima_policy=tcb|appraise_tcb, swtpm TPM 2.0; the
# measurement list of the boot verifies with imactl log verify against the
# TPM's PCRs (sha1 and sha256 banks) and fails when one entry is altered.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
vm_setup

uuid=7a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
vm_appraise_tree "$T/tree"
vm_ext4 "$T/disk.img" "$T/tree" $uuid
mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
cp "$VM_SRC/scenarios/tcb.sh" "$T/extra/scenarios/"
cp "$CERT" "$T/extra/etc/vm/ima.pem"
for k in $(vm_kernels); do
	vm_use_kernel "$k"
	vm_initramfs "$T/initrd" "$T/extra"
	if vm_scenario tcb "$T/initrd" "$T/disk.img" yes "ima_policy=tcb|appraise_tcb"; then
		vm_check_log "tcb$VM_SFX" /mnt/bin/logtampered
	fi
done
done_testing
