# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# hmac-reboot: the second boot of the disk and the TPM state of hmac.sh
# (issue 17).  imactl evm-key load instantiates kmk (the TPM unseals it) and
# the evm-key from the blobs boot 1 stored on the root; between the boots the
# host changed files of the image with debugfs.
B=/mnt/etc/imactl
mount -t ext4 "$ROOT_DEV" /mnt
t_like "status: no keys yet" "$(imactl evm-key status 2>&1)" "tpm: present*kmk: absent*evm-key: absent*evm: 0 (not initialized)*"
# an evm-key blob changed (one hex digit of the encrypted data): refused
mkdir -p /run/bad
cp $B/kmk.blob /run/bad/
awk '{ c = substr($0, 60, 1); r = (c == "0") ? "1" : "0"; print substr($0, 1, 59) r substr($0, 61) }' \
	$B/evm-key.blob > /run/bad/evm-key.blob
t_fails "evm-key load: an altered evm-key blob" 3 imactl evm-key load --blob-dir /run/bad
t_like "it names the blob and the cause" "$T_OUT" "*evm-key.blob: the kernel refused this blob*"
t_like "nothing left in the keyring" "$(imactl evm-key status 2>&1)" "*kmk: absent*evm-key: absent*"
t_ok "evm-key load from the blobs boot 1 stored" imactl evm-key load --blob-dir $B
t_fails "load again: the keys are in the keyring already" 3 imactl evm-key load --blob-dir $B
t_ok "imactl policy load" imactl policy load /etc/vm/policy
t_import /etc/vm/ima.pem ima
t_import /etc/vm/ima.pem evm
t_ok "evm-key enable" imactl evm-key enable
t_is "EVM reports HMAC and X.509" "$(cat /sys/kernel/security/evm)" 3
t_read "mutable file labelled on first boot, changed at runtime" /mnt/etc/machine-id allowed -
t_is "it holds what boot 1 wrote" "$(cat /mnt/etc/machine-id)" "data machine-id more"
t_read "created at runtime in boot 1" /mnt/var/lib/app/runtime allowed -
t_read "signed file" /mnt/usr/share/signed allowed -
t_read "labelled mutable file" /mnt/var/lib/app/cfg allowed -
t_read "labelled on first boot, content changed offline" /mnt/var/lib/app/state denied appraise_data:invalid-hash
t_read "labelled on first boot, security.ima changed offline" /mnt/var/lib/app/conf denied appraise_data:invalid-HMAC
t_exec "signed executable changed offline" /mnt/usr/bin/prog denied appraise_data:invalid-signature
t_read "created in boot 1, content changed offline" /mnt/var/lib/app/runtime2 denied appraise_data:invalid-hash
# userspace cannot check an HMAC (the key is the kernel's): verify-tree
# says so for the files the device keeps (machine-id, the two blobs)
v=$(imactl verify-tree /mnt/etc --cert /etc/vm/ima.pem --allow-hash --evm 2>&1)
t_is "verify-tree /etc on the running system: exit 0" $? 0
t_like "... 3 files hmac, neither good nor hash-only" "$v" "*3 files: good 0, hash-only 0, bad 0, unsigned 0, unknown-key 0, error 0*3 of them hmac*"
umount /mnt
t_finish
