#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real kernels: every rule of tests/data/policy-grammar-cases is written to
# Debian's 6.1 and 6.12 kernels; what each kernel must do with each rule is
# what 'imactl policy check --kernel 6.1|6.12 --kconfig <that kernel's
# .config>' says (the table itself records Debian 6.1, which
# tests/cli/policy_files.sh checks imactl agrees with).  Any disagreement
# between a kernel and imactl fails.  One boot per kernel.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
vm_setup
for k in $(vm_kernels); do
	vm_use_kernel "$k"
	rm -rf "$T/extra"
	mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
	cp "$VM_SRC/scenarios/grammar.sh" "$T/extra/scenarios/"
	cases=$T/extra/etc/vm/policy-grammar-cases
	if [ -z "$VM_KVER" ]; then
		cp "$SRC_ROOT/tests/data/policy-grammar-cases" "$cases"
	else
		# imactl's verdict for this kernel, rule by rule ("warn" rules depend
		# on the system and are not written)
		n=0 na=0
		while read -r verdict rule; do
			case $verdict in accept | refuse) ;; *) continue ;; esac
			printf '%s\n' "$rule" > "$T/case.pol"
			rc=0
			"$IMACTL" policy check -q --kernel "$VM_KVER" --kconfig "$VM_KCONFIG" "$T/case.pol" \
				>/dev/null 2>&1 || rc=$?
			case $rc in
			0) echo "accept $rule"; na=$((na + 1)) ;;
			1) echo "refuse $rule" ;;
			*) echo "Bail out! imactl policy check failed ($rc) on: $rule"; exit 1 ;;
			esac
			n=$((n + 1))
		done < "$SRC_ROOT/tests/data/policy-grammar-cases" > "$cases"
		echo "# Linux $VM_KVER: imactl accepts $na of $n rules"
		differ=$(diff "$SRC_ROOT/tests/data/policy-grammar-cases" "$cases" | sed -n 's/^> //p' |
			tr '\n' ';')
		echo "# where imactl's $VM_KVER verdict differs from Debian 6.1's: ${differ:-none}"
	fi
	vm_initramfs "$T/initrd" "$T/extra"
	vm_scenario grammar "$T/initrd" - no
done
done_testing
