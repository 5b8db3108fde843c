#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real kernel, fs-verity: imactl sign --sigv3 signs what Debian's 6.1 kernel
# appraises with digest_type=verity appraise_type=sigv3 (the file's fs-verity
# digest).  The ext4 image is made with -O verity; fs-verity is enabled in the
# guest (the host kernel may lack CONFIG_FS_VERITY), then the policy is loaded.
# Asserted (audit causes in the guest): the --sigv3 file runs; a sigv3 over
# another file's digest, over the content hash (imactl before the fix), or of a
# file changed before fs-verity was enabled: invalid-verity-signature; no
# fs-verity: no-verity-digest; a v2 signature or none: verity-signature-required.
# The kernel's digest (fsverity measure) equals imactl hash --verity's.  The
# measurement list (ima-sigv2) comes back and imactl log verify checks the
# sigv3 signatures in it.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
vm_setup
command -v fsverity >/dev/null || { echo "Bail out! fsverity missing (scripts/install-deps)"; exit 1; }

uuid=3c9e5f1a-8b2d-4e7f-a1c3-5d6e7f809a1b
tree=$T/tree
rm -rf "$tree"
for nm in vsigned vwrong vold vtampered vnoverity vsigv2 vunsigned; do vm_prog "$tree/bin" $nm; done
for nm in vsigned vwrong vtampered vnoverity; do vm_sign "$tree/bin/$nm" --sigv3; done
vm_sign "$tree/bin/vsigv2"
# a sigv3 over another file's fs-verity digest
setfattr -n security.ima -v "0x$(xattr_hex security.ima "$tree/bin/vsigned")" "$tree/bin/vwrong"
echo "echo tampered" >> "$tree/bin/vtampered"
# a sigv3 as imactl wrote it before: over H(0x06 || sha256 id || sha256 of the
# content) instead of the fs-verity digest (made with openssl)
printf '0604%s' "$(sha256sum "$tree/bin/vold" | cut -d' ' -f1)" | xxd -r -p | sha256sum |
	cut -d' ' -f1 | xxd -r -p > "$T/vold.h"
openssl pkeyutl -sign -inkey "$KEY" -pkeyopt digest:sha256 -in "$T/vold.h" -out "$T/vold.sig" ||
	{ echo "Bail out! openssl pkeyutl -sign failed"; exit 1; }
keyid=$("$IMACTL" keyid "$CERT") || { echo "Bail out! imactl keyid failed"; exit 1; }
setfattr -n security.ima -v "0x060304$keyid$(printf %04x "$(stat -c %s "$T/vold.sig")")$(xxd -p "$T/vold.sig" | tr -d '\n')" \
	"$tree/bin/vold"
fails 1 "host: imactl verify refuses the old-style sigv3" "$IMACTL" verify --cert "$CERT" "$tree/bin/vold"
like "  ... as not matching the fs-verity digest" "$T/err" "vold: ima: signature does not match the content's fs-verity digest"
ok "host: imactl verify accepts vsigned's sigv3" "$IMACTL" verify --require-sig --cert "$CERT" "$tree/bin/vsigned"

# ext4 with the verity feature and 4096-byte blocks (= page size: ext4 wants
# it for fs-verity)
kb=$(du -sk "$tree" | cut -f1)
rm -f "$T/disk.img"; truncate -s $((kb * 2 + 8192))k "$T/disk.img"
mke2fs -q -t ext4 -b 4096 -O verity -U $uuid -E root_owner=0:0 -d "$tree" "$T/disk.img" ||
	{ echo "Bail out! mke2fs -O verity failed"; exit 1; }

mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
cp "$VM_SRC/scenarios/verity.sh" "$T/extra/scenarios/"
vm_add_program "$T/extra" "$(command -v fsverity)"
cp "$CERT" "$T/extra/etc/vm/ima.pem"
# what the kernel must report once fs-verity is enabled, computed here
"$IMACTL" hash --verity "$tree/bin/vsigned" | cut -d' ' -f1 > "$T/extra/etc/vm/vsigned.digest"
cat > "$T/extra/etc/vm/policy" <<POL
measure func=BPRM_CHECK fsuuid=$uuid digest_type=verity template=ima-sigv2
appraise func=BPRM_CHECK fsuuid=$uuid digest_type=verity appraise_type=sigv3
POL
for k in $(vm_kernels); do
vm_use_kernel "$k"
ok "imactl policy check --kernel ${VM_KVER:-6.1} takes the verity policy" \
	"$IMACTL" policy check --kernel "${VM_KVER:-6.1}" "$T/extra/etc/vm/policy"
vm_initramfs "$T/initrd" "$T/extra"

if vm_scenario verity "$T/initrd" "$T/disk.img" no; then
	log=$T/verity$VM_SFX.out/binary_runtime_measurements
	if [ -s "$log" ]; then
		fails 1 "host: imactl log verify --cert: the refused files' entries are bad" \
			"$IMACTL" log verify --cert "$CERT" "$log"
		cat "$T/out" "$T/err" > "$T/both"
		for nm in vwrong vold vtampered vsigv2; do
			like "  ... $nm named" "$T/both" "\\(/mnt/bin/$nm\\): bad signature"
		done
		like "  ... vsigned's sigv3 entry (the kernel's fs-verity digest) is the one good signature" \
			"$T/both" 'signatures: 1 good, 4 bad, 0 unknown key, 2 unsigned'
		is "  ... and vsigned is not named" "$(grep -c vsigned "$T/both")" 0
	else
		_result 1 "the guest handed over its measurement list" "nothing in $T/verity$VM_SFX.out"
	fi
fi
done
done_testing
