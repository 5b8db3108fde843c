# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# appraise: policy requiring IMA signatures on the test disk, key imported
# with imactl import (into _ima on Debian's kernel).
# /etc/vm/policy.bad holds a policy with one bad rule; /etc/vm/policy the real one.
P=/sys/kernel/security/ima/policy
mount -t ext4 -o ro "$ROOT_DEV" /mnt
t_fails "the kernel refuses a policy with a bad rule" 1 sh -c "cat /etc/vm/policy.bad > $P"
t_audit "  ... and its audit record names the bad rule" 'type=1807 .*action=appraise func=NO_SUCH_HOOK res=0'
t_ok "imactl policy load: the kernel takes the policy" imactl policy load /etc/vm/policy
t_exec "signed, no key loaded yet" /mnt/bin/nokey denied appraise_data:invalid-signature
t_import /etc/vm/ima.pem ima
# a kernel without CONFIG_INTEGRITY_TRUSTED_KEYRING (Debian's): _ima is used
if ! grep -qE ' keyring +\.ima: ' /proc/keys; then
	t_ok "the key is in _ima in the user keyring" sh -c "grep -qE ' keyring +_ima: 1' /proc/keys"
	t_fails "imactl import: the kernel has no .ima keyring" 3 imactl import /etc/vm/ima.pem .ima
	t_like "  ... and says so" "$T_OUT" "*keyring .ima: no such keyring*"
fi
if grep -q 'ecdsa' /proc/crypto; then
	t_ok "imactl import: an ECDSA certificate (this kernel has ECDSA)" imactl import /etc/vm/ec256.pem ima
else
	t_fails "imactl import: this kernel cannot use ECDSA certificates" 3 imactl import /etc/vm/ec256.pem ima
	t_like "  ... and the message says why" "$T_OUT" "*ec256.pem: the kernel refused the certificate for keyring ima: the kernel has no implementation of its key or signature algorithm*"
fi
t_exec "signed" /mnt/bin/signed allowed -
t_exec "tampered after signing" /mnt/bin/tampered denied appraise_data:invalid-signature
t_exec "unsigned" /mnt/bin/unsigned denied appraise_data:IMA-signature-required
t_exec "hash only (imasig rule)" /mnt/bin/hashonly denied appraise_data:IMA-signature-required
t_exec "signed with another key" /mnt/bin/wrongkey denied appraise_data:invalid-signature
t_read "signed data" /mnt/data/signed.txt allowed -
t_read "tampered data" /mnt/data/tampered.txt denied appraise_data:invalid-signature
t_read "unsigned data" /mnt/data/unsigned.txt denied appraise_data:IMA-signature-required
t_read "hash-only data (imasig rule)" /mnt/data/hashonly.txt denied appraise_data:IMA-signature-required
