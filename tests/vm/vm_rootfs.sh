#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real kernel: switch_root into a root filesystem signed as a whole (IMA
# signatures + EVM portable), appraisal enforced for everything on it, EVM
# enforcing, swtpm TPM; the boot's measurement list verifies on the host.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
vm_setup

uuid=3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f
vm_rootfs "$T/rootfs"
vm_ext4 "$T/rootfs.img" "$T/rootfs" $uuid
mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
cp "$VM_SRC/scenarios/rootfs.sh" "$T/extra/scenarios/"
cp "$CERT" "$T/extra/etc/vm/ima.pem"
# the shipped policy for a signed system: executables and their mappings
cp "$SRC_ROOT/policies/${VM_ROOTFS_POLICY:-systemd}" "$T/extra/etc/vm/policy"
echo "${VM_ROOTFS_POLICY:-systemd}" > "$T/extra/etc/vm/policy.name"
for k in $(vm_kernels); do
	vm_use_kernel "$k"
	vm_initramfs "$T/initrd" "$T/extra"
	if vm_wants rootfs; then
		vm_boot "rootfs$VM_SFX" "$T/initrd" "$T/rootfs.img" yes
		vm_results "rootfs$VM_SFX"
		like "rootfs$VM_SFX: the signed root's /sbin/init ran" "$T/rootfs$VM_SFX.results" \
			'^@@ok switch_root reached'
		vm_check_log "rootfs$VM_SFX" /usr/bin/tampered
	fi
done
done_testing
