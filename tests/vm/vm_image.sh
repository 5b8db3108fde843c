#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real kernels (Debian 6.1 and 6.12): boots a root filesystem whose ext4 image was signed only by
# imactl sign-image, run as an unprivileged user (uid 65534) in a tmpfs build
# directory where that user cannot set security.* xattrs (checked); appraisal
# of everything on it and EVM enforced, swtpm TPM.  A signed program runs;
# an unsigned one, one tampered inside the image after signing (debugfs
# zap_block: its xattrs kept) and one whose mode was changed in the image
# after signing (EVM) are refused with the audit cause.
# verify-image on the host, and evmctl and imactl verify in the guest, agree.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
vm_setup
for p in setpriv setfattr debugfs e2fsck evmctl openssl; do
	command -v $p >/dev/null || { echo "Bail out! $p missing (scripts/install-deps)"; exit 1; }
done

uuid=5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9
vm_rootfs "$T/rootfs" unsigned
vm_prog "$T/rootfs/usr/bin" chmodded
vm_add_program "$T/rootfs" "$(command -v evmctl)"
mkdir -p "$T/rootfs/etc/vm"
cp "$VM_SRC/scenarios/image-checks.sh" "$T/rootfs/etc/vm/checks.sh"
cp "$CERT" "$T/rootfs/etc/vm/ima.pem"
openssl x509 -in "$CERT" -outform DER -out "$T/rootfs/etc/vm/ima.der"
vm_ext4 "$T/rootfs.img" "$T/rootfs" $uuid

# the build directory: a tmpfs, where uid 65534 may set user.* but not security.*
B="$T/build-noxattr"
mkdir -p "$B"
mount -t tmpfs -o size=256m,mode=0755 tmpfs "$B"
trap 'vm_cleanup; umount "$B" 2>/dev/null' EXIT INT TERM
chown 65534:65534 "$B"
cp "$T/rootfs.img" "$KEY" "$CERT" "$B/"
chown 65534:65534 "$B"/*
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
nobody sh -c ": > '$B/probe'"
fails 1 "uid 65534 cannot set security.ima in the build directory" \
	nobody setfattr -n security.ima -v 0x0401 "$B/probe"
like "  ... Operation not permitted" "$T/err" "Operation not permitted"
ok "  ... but user.* xattrs work there (xattrs are not the problem, privileges are)" \
	nobody setfattr -n user.probe -v 1 "$B/probe"
ok "sign-image as uid 65534: every file but /usr/bin/unsigned" \
	nobody "$IMACTL" sign-image "$B/rootfs.img" --key "$B/${KEY##*/}" --cert "$B/${CERT##*/}" \
	--evm portable --exclude /usr/bin/unsigned
like "  ... the 64-bit target read from the image" "$T/out" "64-bit target"
cp "$B/rootfs.img" "$T/rootfs.img"
# tampered after signing: "echo ran tampered" -> "echo XXX tampered", xattrs kept
off=$(grep -abo 'ran tampered' "$T/rootfs/usr/bin/tampered" | cut -d: -f1)
blk=$(debugfs -R "bmap /usr/bin/tampered 0" "$T/rootfs.img" 2>/dev/null)
debugfs -w -R "zap_block -o $off -l 3 -p 0x58 $blk" "$T/rootfs.img" 2>/dev/null
# EVM: the mode changed in the image after signing (the policy appraises
# files owned by root: fowner=0; the owner stays)
debugfs -w -R "sif /usr/bin/chmodded mode 0100700" "$T/rootfs.img" 2>/dev/null
ok "e2fsck -fn is clean" e2fsck -fn "$T/rootfs.img"
fails 1 "verify-image finds the tampered and the unsigned program" \
	"$IMACTL" verify-image "$T/rootfs.img" --cert "$CERT" --evm
like "  ... /usr/bin/tampered: bad (IMA)" "$T/out" "^/usr/bin/tampered: bad: ima: signature does not match the content"
like "  ... /usr/bin/unsigned: unsigned" "$T/out" "^/usr/bin/unsigned: unsigned"
like "  ... /usr/bin/chmodded: bad (EVM)" "$T/out" "^/usr/bin/chmodded: bad: evm: signature does not match the xattrs and metadata"
like "  ... every other file good" "$T/out" "bad 2, unsigned 1, unknown-key 0, error 0"

vm_boot_root image "$T/rootfs.img" systemd
done_testing
