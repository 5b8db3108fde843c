#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real kernel: every shipped policy (policies/*) loads with imactl policy load
# and boots; each is checked for what it must allow and refuse.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
vm_setup
if ! "$IMACTL" policy load --help >/dev/null 2>&1; then
	skip "shipped policies" "no 'imactl policy load' in this build"
	done_testing; exit
fi

vm_appraise_tree "$T/tree"
vm_ext4 "$T/disk.img" "$T/tree" 9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d
mkdir -p "$T/extra/etc/vm/policies" "$T/extra/scenarios"
cp "$CERT" "$T/extra/etc/vm/ima.pem"
names=""
for p in "$SRC_ROOT"/policies/*; do
	n=${p##*/}
	cp "$p" "$T/extra/etc/vm/policies/$n"
	{ echo "POLICY=$n"; cat "$VM_SRC/scenarios/policy.sh"; } > "$T/extra/scenarios/policy-$n.sh"
	names="$names $n"
done
for k in $(vm_kernels); do
	vm_use_kernel "$k"
	vm_initramfs "$T/initrd" "$T/extra"
	for n in $names; do
		vm_scenario "policy-$n" "$T/initrd" "$T/disk.img" no
	done
done
done_testing
