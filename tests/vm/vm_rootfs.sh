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
# the shipped policy for a signed system: executables and their mappings
vm_boot_root rootfs "$T/rootfs.img" "${VM_ROOTFS_POLICY:-systemd}" /usr/bin/tampered
done_testing
