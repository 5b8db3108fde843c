#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2034 # KERNEL, KMODULES are parameters of tests/vm/vm-lib.sh
# The device's EVM key sealed to a PCR (issue 17: "optionally to PCRs, so a
# changed boot chain cannot unseal it"), on the kernel vm_hmac boots
# (hmac_kernel), swtpm with a storage primary key at 0x81000001, one disk and
# one TPM over four boots.  SeaBIOS's -kernel boot measures neither kernel nor
# command line, so the guest measures its command line into PCR 12 itself
# before anything else, as systemd-stub does on UEFI (tpm2_pcrextend from
# Debian's tpm2-tools in the test initramfs; not an imactl feature).  The
# guest (scenarios/hmac-pcr.sh) acts as an initramfs does: no blobs on the
# root, first boot: evm-key create --pcrs 12 --label; else evm-key load, and
# when that fails, evm-key enable --x509-only.
#   1 create, sealed to PCR 12; the mutable file appraised
#   2 the same command line: load, the mutable file appraised
#   3 another command line: the TPM refuses, load names PCR 12; X.509 only:
#     the mutable file refused (invalid-HMAC), the signed file allowed
#   4 another command line, and EVM left off (what --x509-only prevents):
#     the mutable file passes on its hash alone
# Boots 1 and 2 have the same name before '@', hence the same command line.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
. "$SRC_ROOT/tests/vm/chain-lib.sh"
if ! command -v tpm2_pcrextend >/dev/null 2>&1; then
	echo "1..0 # SKIP tpm2_pcrextend missing (scripts/install-deps vm: tpm2-tools)"
	exit 0
fi
hmac_vm_setup hmac-pcr "imactl hmac-pcr signer"
KEY="$T/signer.key" CERT="$T/signer.pem"

uuid=7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f
r="$T/tree"
vm_data "$r/etc" machine-id
vm_data "$r/var/lib/app" state
vm_data "$r/usr/share" signed
ok "sign-tree --mutable" "$IMACTL" sign-tree "$r" --key "$KEY" --cert "$CERT" --no-cache \
	--mutable /etc/machine-id --mutable '/var/lib/app/*' --mutable-list "$T/mutable.list"
vm_ext4 "$T/disk.img" "$r" $uuid
mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
cp "$VM_SRC/scenarios/hmac-pcr.sh" "$T/extra/scenarios/"
cp "$CERT" "$T/extra/etc/vm/ima.pem"
cp "$T/mutable.list" "$T/extra/etc/vm/mutable.list"
cp "$SRC_ROOT/policies/mutable" "$T/extra/etc/vm/policy"
# tpm2-tools is one program named by its links; its TCTI loader opens the
# device TCTI with dlopen(), which ldd does not list
vm_add_program "$T/extra" "$(command -v tpm2_pcrextend)"
ln -sf tpm2_pcrextend "$T/extra/bin/tpm2_getcap"
cp -L /usr/lib/x86_64-linux-gnu/libtss2-tcti-device.so.0 "$T/extra/lib/x86_64-linux-gnu/"
vm_initramfs "$T/initrd" "$T/extra"
hmac_tpm_spk "$T/tpm-init"
# this kernel has no ACPI: tpm_tis.force=1 finds QEMU's tpm-tis
hmac_boot hmac-pcr@1 "$T/tpm-init" tpm_tis.force=1
hmac_tpm_left hmac-pcr@1 "$T/tpm-1"
is "host: boot 1 stored the blobs and the PCR file on the root" \
	"$(debugfs -R "ls -p /etc/imactl" "$T/disk.img" 2>/dev/null | cut -d/ -f6 | grep -c -e '^kmk.blob$' -e '^evm-key.blob$' -e '^kmk.pcrs$')" 3
hmac_boot hmac-pcr@2 "$T/tpm-1" tpm_tis.force=1
hmac_tpm_left hmac-pcr@2 "$T/tpm-2"
hmac_boot hmac-pcr@3 "$T/tpm-2" "tpm_tis.force=1 hmacpcr=changed"
hmac_tpm_left hmac-pcr@3 "$T/tpm-3"
hmac_boot hmac-pcr@4 "$T/tpm-3" "tpm_tis.force=1 hmacpcr=noevm"
done_testing
