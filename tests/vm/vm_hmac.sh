#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2034 # KERNEL, KMODULES are parameters of tests/vm/vm-lib.sh
# Real kernel, EVM HMAC with a per-device key (issue 17), two boots of one
# disk and one TPM: our own kernel (scripts/build-kernel with
# kernel/evm-hmac.cfg: TRUSTED_KEYS with the TPM backend, ENCRYPTED_KEYS,
# USER_DECRYPTED_DATA; built once, cached), swtpm provisioned with a storage
# primary key at 0x81000001 (swtpm_setup --create-spk), the trusted key's
# parent.  Boot 1 (scenarios/hmac.sh): imactl evm-key create labels the
# mutable files of the unmounted root, seals the kmk, makes the evm-key and
# stores the blobs; EVM HMAC + X.509 on; the running system changes and
# creates files.  Between the boots the host changes the image with debugfs
# and dd.  Boot 2 (scenarios/hmac-reboot.sh), same disk, the TPM state boot 1
# left: imactl evm-key load from the blobs on the root.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
. "$SRC_ROOT/tests/vm/chain-lib.sh"
hmac_vm_setup hmac "imactl hmac signer"
KEY="$T/signer.key" CERT="$T/signer.pem"

uuid=5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b
r="$T/tree"
mkdir -p "$r/etc" "$r/var/lib/app" "$r/usr/bin"
for f in etc/machine-id var/lib/app/state var/lib/app/forged var/lib/app/tampered \
	var/lib/app/imachanged var/lib/app/unlabelled var/lib/app/cfg var/lib/app/conf; do
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
cp "$VM_SRC/scenarios/hmac.sh" "$VM_SRC/scenarios/hmac-reboot.sh" "$T/extra/scenarios/"
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
hmac_tpm_spk "$T/tpm-init"
# this kernel has no ACPI: tpm_tis.force=1 finds QEMU's tpm-tis
hmac_boot hmac "$T/tpm-init" tpm_tis.force=1

# offline, between the boots: bytes of a file changed in place (its inode and
# xattrs untouched), a value of security.ima replaced
vm_poke "$T/disk.img" /var/lib/app/state "DATA"
vm_poke "$T/disk.img" /var/lib/app/runtime2 "DATA"
vm_poke "$T/disk.img" /usr/bin/prog "$(printf "#!/bin/sh\necho RAN")"
ok "host: debugfs replaces a labelled file's security.ima" debugfs -w -R \
	"ea_set /var/lib/app/conf security.ima 0x0404000000000000000000000000000000000000000000000000000000000000000" "$T/disk.img"
is "host: the image changed where meant" "$(debugfs -R "cat /var/lib/app/state" "$T/disk.img" 2>/dev/null)" "DATA state"
# the TPM as boot 1 left it
hmac_tpm_left hmac "$T/tpm-boot1"
hmac_boot hmac-reboot "$T/tpm-boot1" tpm_tis.force=1
done_testing
