# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# hmac-rootfs, hmac-rootfs-again: the initramfs of tests/vm/vm_hmac_rootfs.sh
# (a Debian root with systemd under policies/mutable; issue 17).
# First boot: imactl evm-key create (the command a device's initramfs runs)
# seals the `trusted` kmk in the TPM (parent: the storage primary key
# 0x81000001), makes the `encrypted` evm-key under it from key material of its
# own and labels the mutable files of the unmounted root with their HMACs
# under that material; the blobs go to the root's /etc/imactl.  Again:
# imactl evm-key load from those blobs.  Then the policy, the certificate,
# imactl evm-key enable (EVM HMAC + X.509), and switch_root to systemd.
# shellcheck disable=SC2154 # scenario= is a kernel parameter: /init has it
mkdir -p /newroot /tmp/blobs
mode=$(cat /etc/vm/keymode)
if [ "$scenario" = hmac-rootfs ] && [ "$mode" = tpm ]; then
	t_ok "evm-key create: kmk sealed by the TPM, evm-key, the mutable files of the unmounted root labelled" \
		imactl evm-key create --blob-dir /tmp/blobs --label "$ROOT_DEV" --list /etc/vm/mutable.list
	t_like "the evm-key blob names its master key" "$(cat /tmp/blobs/evm-key.blob)" "default trusted:kmk 32 *"
elif [ "$scenario" = hmac-rootfs ]; then
	# Debian's kernel: a user kmk, the evm-key's blob made on the host
	t_ok "label-image: the mutable files of the unmounted root" \
		imactl label-image "$ROOT_DEV" --key-file /etc/vm/evm.key --list /etc/vm/mutable.list
	t_ok "user kmk" keyctl padd user kmk @u < /etc/vm/kmk.user
	t_ok "encrypted evm-key from the host's blob, under user:kmk" \
		keyctl add encrypted evm-key "load $(cat /etc/vm/evm-key.blob)" @u
	keyctl pipe "$(keyctl search @u encrypted evm-key)" > /tmp/blobs/evm-key.blob
	: > /tmp/blobs/kmk.blob
else
	t_ok "the root mounts read-only (the blobs)" mount -o ro -t ext4 "$ROOT_DEV" /newroot
	cp /newroot/etc/imactl/kmk.blob /newroot/etc/imactl/evm-key.blob /tmp/blobs/
	umount /newroot
	if [ "$mode" = tpm ]; then
		t_ok "evm-key load: the TPM unseals the kmk, the evm-key from its blob" \
			imactl evm-key load --blob-dir /tmp/blobs
	else
		t_ok "user kmk" keyctl padd user kmk @u < /etc/vm/kmk.user
		t_ok "encrypted evm-key from its blob on the root, under the kmk" \
			keyctl add encrypted evm-key "load $(cat /tmp/blobs/evm-key.blob)" @u
	fi
fi
t_ok "imactl policy load policies/mutable" imactl policy load /etc/vm/policy
t_import /etc/vm/ima.pem ima
t_import /etc/vm/ima.pem evm
t_ok "evm-key enable: EVM HMAC + X.509" imactl evm-key enable
t_is "EVM reports HMAC and X.509" "$(cat /sys/kernel/security/evm)" 3
t_ok "the root mounts read-write" mount -t ext4 "$ROOT_DEV" /newroot
if [ "$scenario" = hmac-rootfs ]; then
	# created under the key: the kernel gives them their hash and HMAC
	mkdir -p /newroot/etc/imactl
	t_ok "the blobs stored on the root" cp /tmp/blobs/kmk.blob /tmp/blobs/evm-key.blob /newroot/etc/imactl/
fi
# systemd's check (guest/systemd-check) reports the rest
for d in dev proc sys; do mount --move /$d /newroot/$d; done
t_handover
exec switch_root /newroot /sbin/init
