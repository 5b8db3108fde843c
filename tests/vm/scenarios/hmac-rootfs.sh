# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# hmac-rootfs, hmac-rootfs-again: the initramfs of tests/vm/vm_hmac_rootfs.sh
# (a Debian root with systemd under policies/mutable; issue 17).
# First boot: the EVM key material is made here, the mutable files of the
# unmounted root get their HMACs (imactl label-image), the `trusted` kmk is
# sealed by the TPM (parent: the storage primary key 0x81000001), the
# `encrypted` evm-key made from that material under it; their blobs go to
# the root's /etc/imactl.  Again: both keys loaded from those blobs.  Then
# the policy, the certificate, EVM HMAC + X.509, and switch_root to systemd.
# shellcheck disable=SC2154 # scenario= is a kernel parameter: /init has it
mkdir -p /newroot
mode=$(cat /etc/vm/keymode)
if [ "$scenario" = hmac-rootfs ] && [ "$mode" = tpm ]; then
	K=/tmp/evm.key
	head -c 32 /dev/urandom > $K
	t_ok "label-image: the mutable files of the unmounted root" \
		imactl label-image "$ROOT_DEV" --key-file $K --list /etc/vm/mutable.list
	t_ok "trusted kmk sealed by the TPM (keyhandle=0x81000001)" \
		keyctl add trusted kmk "new 32 keyhandle=0x81000001" @u
	t_ok "encrypted evm-key from the key material, under trusted:kmk" \
		keyctl add encrypted evm-key "new default trusted:kmk 32 $(od -An -tx1 -v $K | tr -d ' \n')" @u
	rm -f $K
	keyctl pipe "$(keyctl search @u trusted kmk)" > /tmp/kmk.blob
	keyctl pipe "$(keyctl search @u encrypted evm-key)" > /tmp/evm-key.blob
	t_like "the evm-key blob names its master key" "$(cat /tmp/evm-key.blob)" "default trusted:kmk 32 *"
elif [ "$scenario" = hmac-rootfs ]; then
	# Debian's kernel: a user kmk, the evm-key's blob made on the host
	t_ok "label-image: the mutable files of the unmounted root" \
		imactl label-image "$ROOT_DEV" --key-file /etc/vm/evm.key --list /etc/vm/mutable.list
	t_ok "user kmk" keyctl padd user kmk @u < /etc/vm/kmk.user
	t_ok "encrypted evm-key from the host's blob, under user:kmk" \
		keyctl add encrypted evm-key "load $(cat /etc/vm/evm-key.blob)" @u
	keyctl pipe "$(keyctl search @u encrypted evm-key)" > /tmp/evm-key.blob
	: > /tmp/kmk.blob
else
	t_ok "the root mounts read-only (the blobs)" mount -o ro -t ext4 "$ROOT_DEV" /newroot
	cp /newroot/etc/imactl/kmk.blob /newroot/etc/imactl/evm-key.blob /tmp/
	umount /newroot
	if [ "$mode" = tpm ]; then
		t_ok "trusted kmk unsealed by the TPM from its blob" \
			keyctl add trusted kmk "load $(cat /tmp/kmk.blob) keyhandle=0x81000001" @u
	else
		t_ok "user kmk" keyctl padd user kmk @u < /etc/vm/kmk.user
	fi
	t_ok "encrypted evm-key from its blob on the root, under the kmk" \
		keyctl add encrypted evm-key "load $(cat /tmp/evm-key.blob)" @u
fi
t_ok "imactl policy load policies/mutable" imactl policy load /etc/vm/policy
t_import /etc/vm/ima.pem ima
t_import /etc/vm/ima.pem evm
t_ok "EVM HMAC + X.509 (echo 3 > /sys/kernel/security/evm)" sh -c "echo 3 > /sys/kernel/security/evm"
t_ok "the root mounts read-write" mount -t ext4 "$ROOT_DEV" /newroot
if [ "$scenario" = hmac-rootfs ]; then
	# created under the key: the kernel gives them their hash and HMAC
	mkdir -p /newroot/etc/imactl
	t_ok "the blobs stored on the root" cp /tmp/kmk.blob /tmp/evm-key.blob /newroot/etc/imactl/
fi
# systemd's check (guest/systemd-check) reports the rest
for d in dev proc sys; do mount --move /$d /newroot/$d; done
t_handover
exec switch_root /newroot /sbin/init
