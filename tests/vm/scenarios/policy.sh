# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# policy-NAME: the shipped policies/NAME, loaded with imactl policy load,
# on the test disk (root-owned files).  $POLICY is set by the host.
mount -t ext4 -o ro "$ROOT_DEV" /mnt
t_import /etc/vm/ima.pem ima
t_ok "imactl policy load policies/$POLICY" imactl policy load "/etc/vm/policies/$POLICY"
t_ok "the kernel has the rules (policy_update completed)" sh -c "dmesg | grep -q 'op=policy_update cause=completed'"
t_exec "signed" /mnt/bin/signed allowed -
case $POLICY in
simple)
	t_exec "unsigned (measured, not appraised)" /mnt/bin/unsigned allowed -
	t_exec "tampered (measured, not appraised)" /mnt/bin/tampered allowed -
	t_ok "the unsigned program is in the measurement list" grep -qE ' /mnt/bin/unsigned( |$)' /sys/kernel/security/ima/ascii_runtime_measurements
	;;
appraise-all|hashed)
	t_exec "hash only" /mnt/bin/hashonly allowed -
	t_exec "unsigned" /mnt/bin/unsigned denied appraise_data:missing-hash
	t_exec "tampered after signing" /mnt/bin/tampered denied appraise_data:invalid-signature
	t_read "hash-only data" /mnt/data/hashonly.txt allowed -
	t_read "unsigned data" /mnt/data/unsigned.txt denied appraise_data:missing-hash
	if [ "$POLICY" = hashed ]; then
		# the seed's hashed policy also measures what it appraises
		t_ok "the hash-only program is in the measurement list" grep -qE ' /mnt/bin/hashonly( |$)' /sys/kernel/security/ima/ascii_runtime_measurements
	else
		t_ok "appraise-all measures nothing" sh -c "! grep -qE ' /mnt/bin/hashonly( |\$)' /sys/kernel/security/ima/ascii_runtime_measurements"
	fi
	;;
systemd)
	t_exec "hash only (signatures required)" /mnt/bin/hashonly denied appraise_data:IMA-signature-required
	t_exec "unsigned" /mnt/bin/unsigned denied appraise_data:IMA-signature-required
	t_exec "tampered after signing" /mnt/bin/tampered denied appraise_data:invalid-signature
	t_read "unsigned data (only executables are appraised)" /mnt/data/unsigned.txt allowed -
	t_ok "the signed program is in the measurement list" grep -qE ' /mnt/bin/signed( |$)' /sys/kernel/security/ima/ascii_runtime_measurements
	;;
mutable)
	# executables by signature; every other root-owned file by its hash (under
	# EVM HMAC on a provisioned device; here no EVM key is loaded)
	t_exec "hash only (signatures required for executables)" /mnt/bin/hashonly denied appraise_data:IMA-signature-required
	# no security.ima at all: the kernel reports missing-hash (6.1 and 6.12 alike)
	t_exec "unsigned" /mnt/bin/unsigned denied appraise_data:missing-hash
	t_exec "tampered after signing" /mnt/bin/tampered denied appraise_data:invalid-signature
	t_read "hash-only data (root-owned: appraised by hash)" /mnt/data/hashonly.txt allowed -
	t_read "unsigned data" /mnt/data/unsigned.txt denied appraise_data:missing-hash
	;;
*)
	t_result 1 "expected outcomes for policies/$POLICY" "tests/vm/scenarios/policy.sh does not know this policy yet"
	;;
esac
