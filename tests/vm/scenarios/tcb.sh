# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# tcb: the kernel's built-in ima_policy=tcb|appraise_tcb with a TPM (swtpm):
# root-owned files on the disk are appraised (hashes or signatures), what
# root reads or runs is measured into PCR 10.  The measurement list and the
# PCRs go to the host, which verifies them with imactl log verify.
mount -t ext4 -o ro "$ROOT_DEV" /mnt
t_ok "the TPM's sha256 PCRs are readable" test -r /sys/class/tpm/tpm0/pcr-sha256/10
t_import /etc/vm/ima.pem ima
t_exec "signed" /mnt/bin/signed allowed -
t_exec "hash only (appraise_tcb takes hashes)" /mnt/bin/hashonly allowed -
t_exec "unsigned" /mnt/bin/unsigned denied appraise_data:missing-hash
t_exec "tampered after signing" /mnt/bin/tampered denied appraise_data:invalid-signature
t_exec "signed with another key" /mnt/bin/wrongkey denied appraise_data:invalid-signature
t_read "hash-only data" /mnt/data/hashonly.txt allowed -
t_read "hash-only data, tampered" /mnt/data/hashtampered.txt denied appraise_data:invalid-hash
t_read "unsigned data" /mnt/data/unsigned.txt denied appraise_data:missing-hash
t_read "a tampered program, read: measured, then denied" /mnt/bin/logtampered denied appraise_data:invalid-signature
M=/sys/kernel/security/ima/binary_runtime_measurements
t_ok "the measurement list names the signed program" grep -q /mnt/bin/signed /sys/kernel/security/ima/ascii_runtime_measurements
if imactl log verify --help >/dev/null 2>&1; then
	t_ok "imactl log verify --tpm in the guest: the list replays to the TPM's PCRs" imactl log verify -q --tpm "$M"
fi
# for the host: the list, then the PCRs (the list may only be ahead of them)
cp "$M" /out/binary_runtime_measurements
for bank in sha1 sha256; do
	mkdir -p /out/tpm/pcr-$bank
	for n in $(seq 0 23); do cat "/sys/class/tpm/tpm0/pcr-$bank/$n" > "/out/tpm/pcr-$bank/$n"; done
done
t_ok "the list and the PCRs were saved" test -s /out/tpm/pcr-sha256/10
