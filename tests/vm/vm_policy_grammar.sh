#!/bin/sh
# Real kernel: the rule table tests/data/policy-grammar-cases (which
# 'imactl policy check --kernel 6.1' agrees with, see policy_files.sh) is
# what Debian's 6.1 kernel accepts and refuses.  One boot.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
vm_setup
mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
cp "$VM_SRC/scenarios/grammar.sh" "$T/extra/scenarios/"
cp "$SRC_ROOT/tests/data/policy-grammar-cases" "$T/extra/etc/vm/"
vm_initramfs "$T/initrd" "$T/extra"
if vm_wants grammar; then
	vm_boot grammar "$T/initrd" - no
	vm_results grammar
fi
done_testing
