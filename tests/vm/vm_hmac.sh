#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2034 # KERNEL, KMODULES are parameters of tests/vm/vm-lib.sh
# Real kernel, EVM HMAC with a per-device key (issue 17), one boot: our own
# kernel (scripts/build-kernel with kernel/evm-hmac.cfg: TRUSTED_KEYS with the
# TPM backend, ENCRYPTED_KEYS, USER_DECRYPTED_DATA; built once, cached), swtpm
# provisioned with a storage primary key at 0x81000001 (swtpm_setup
# --create-spk), the trusted key's parent.  The initramfs makes the EVM key
# material, labels the mutable files of the unmounted root with imactl
# label-image, creates the TPM-sealed `trusted` kmk and the `encrypted`
# evm-key from that material, enables EVM HMAC + X.509, mounts and reads.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
. "$SRC_ROOT/tests/vm/chain-lib.sh"
if ! vm_wants hmac; then
	echo "1..0 # SKIP VM_SCENARIOS does not select hmac"
	exit 0
fi
for p in keyctl swtpm_setup debugfs; do
	command -v $p >/dev/null 2>&1 || { echo "1..0 # SKIP $p missing (scripts/install-deps vm)"; exit 0; }
done
ensure_keys
kout=$("$SRC_ROOT/scripts/build-kernel" --quiet --fragment "$SRC_ROOT/kernel/evm-hmac.cfg" \
	2>"$T/build-kernel.err") || {
	sed 's/^/# /' "$T/build-kernel.err"
	echo "Bail out! scripts/build-kernel with kernel/evm-hmac.cfg failed"
	exit 1
}
KERNEL=$kout/bzImage
KMODULES=""
vm_setup
# the signer: issued by the test CA compiled into the kernel (strict rule:
# .ima and .evm take only keys that CA signed)
ca=$("$SRC_ROOT/scripts/test-ca" test-ca)
chain_signer "$T/signer" "$ca" "imactl hmac signer"
KEY="$T/signer.key" CERT="$T/signer.pem"

uuid=5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b
r="$T/tree"
mkdir -p "$r/etc" "$r/var/lib/app" "$r/usr/bin"
for f in etc/machine-id var/lib/app/state var/lib/app/forged var/lib/app/tampered \
	var/lib/app/imachanged var/lib/app/unlabelled; do
	vm_data "$r/${f%/*}" "${f##*/}"
done
vm_data "$r/usr/share" signed
vm_prog "$r/usr/bin" prog
vm_prog "$r/var/lib/app" script
ok "sign-tree --mutable" "$IMACTL" sign-tree "$r" --key "$KEY" --cert "$CERT" --no-cache \
	--mutable /etc/machine-id --mutable '/var/lib/app/*' --mutable-list "$T/all.list"
# changed on the host after the build: the content no longer matches its hash
printf 'x' >> "$r/var/lib/app/tampered"
vm_ext4 "$T/disk.img" "$r" $uuid
mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
cp "$VM_SRC/scenarios/hmac.sh" "$T/extra/scenarios/"
cp "$CERT" "$T/extra/etc/vm/ima.pem"
echo $uuid > "$T/extra/etc/vm/uuid"
# first boot labels what the image declares mutable, except two files: one
# an attacker labels with a key of their own, one nobody labels
grep -v -e forged -e unlabelled "$T/all.list" > "$T/extra/etc/vm/mutable.list"
printf '/var/lib/app/forged\n' > "$T/extra/etc/vm/forged.list"
head -c 32 /dev/urandom > "$T/extra/etc/vm/attacker.key"
# the shipped policy for this mode
cp "$SRC_ROOT/policies/mutable" "$T/extra/etc/vm/policy"
vm_add_program "$T/extra" "$(command -v keyctl)"
vm_add_program "$T/extra" "$(command -v debugfs)"
vm_initramfs "$T/initrd" "$T/extra"
mkdir -p "$T/tpm-init"
swtpm_setup --tpm2 --tpmstate "$T/tpm-init" --create-spk --overwrite >"$T/swtpm_setup.log" 2>&1 ||
	{ sed 's/^/# /' "$T/swtpm_setup.log"; echo "Bail out! swtpm_setup --create-spk failed"; exit 1; }
# this kernel has no ACPI: tpm_tis.force=1 finds QEMU's tpm-tis
VM_TPM_INIT="$T/tpm-init" vm_boot hmac "$T/initrd" "$T/disk.img" yes tpm_tis.force=1
vm_results hmac
done_testing
