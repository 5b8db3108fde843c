#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real kernel, appraisal enforced: imasig policy on a signed ext4 image.
# Boots: 'appraise' (enforce, key in _ima), 'log' (ima_appraise=log).
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
vm_setup

uuid=5e1f0c2a-7b1d-4c6e-9d3a-1a2b3c4d5e6f
vm_appraise_tree "$T/tree"
vm_ext4 "$T/disk.img" "$T/tree" $uuid
mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
cp "$VM_SRC/scenarios/appraise.sh" "$VM_SRC/scenarios/log.sh" "$T/extra/scenarios/"
cp "$CERT" "$T/extra/etc/vm/ima.pem"
cp "$KEYS/ec256.pem" "$T/extra/etc/vm/ec256.pem"
cat > "$T/extra/etc/vm/policy" <<POL
appraise func=BPRM_CHECK fsuuid=$uuid appraise_type=imasig
appraise func=FILE_CHECK mask=MAY_READ fsuuid=$uuid appraise_type=imasig
POL
cat > "$T/extra/etc/vm/policy.bad" <<POL
appraise func=BPRM_CHECK fsuuid=$uuid appraise_type=imasig
appraise func=NO_SUCH_HOOK fsuuid=$uuid
POL
for k in $(vm_kernels); do
vm_use_kernel "$k"
vm_initramfs "$T/initrd" "$T/extra"

if vm_scenario appraise "$T/initrd" "$T/disk.img" no; then
	# the kernel refused rule 2 (its audit record names func=NO_SUCH_HOOK);
	# imactl's check must name the same rule
	if "$IMACTL" policy check --help >/dev/null 2>&1; then
		fails 1 "imactl policy check refuses the policy the kernel refused" \
			"$IMACTL" policy check --kernel "${VM_KVER:-6.1}" "$T/extra/etc/vm/policy.bad"
		like "  ... naming the same rule (line 2, NO_SUCH_HOOK)" "$T/err" 'policy\.bad:2:[0-9]+: error: .*NO_SUCH_HOOK'
		ok "imactl policy check takes the policy the kernel took" \
			"$IMACTL" policy check --kernel "${VM_KVER:-6.1}" "$T/extra/etc/vm/policy"
	else
		skip "imactl policy check of the refused policy" "no 'imactl policy' in this build"
	fi
	# imactl's prediction from the kernel's .config: can it verify ECDSA at all?
	if [ -n "$VM_KCONFIG" ]; then
		if "$IMACTL" cert check -q --kconfig "$VM_KCONFIG" "$KEYS/ec256.pem" >/dev/null 2>&1; then
			want="this kernel has ECDSA"
		else
			want="this kernel cannot use ECDSA"
		fi
		like "appraise$VM_SFX: the kernel took an ECDSA key exactly when 'imactl cert check --kconfig' said it can ($want)" \
			"$T/appraise$VM_SFX.results" "^@@ok imactl import: .*$want"
	fi
fi
vm_scenario log "$T/initrd" "$T/disk.img" no ima_appraise=log
done
done_testing
