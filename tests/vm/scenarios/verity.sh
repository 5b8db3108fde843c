# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# verity: digest_type=verity appraise_type=sigv3 on an ext4 disk made with
# -O verity.  fs-verity is enabled here (read-write mount of a snapshot
# disk), then the policy is loaded and the key imported.
mount -t ext4 "$ROOT_DEV" /mnt
for nm in vsigned vwrong vold vtampered vsigv2 vunsigned; do
	t_ok "fsverity enable $nm" fsverity enable "/mnt/bin/$nm"
done
t_is "the kernel's fs-verity digest of vsigned is what imactl hash --verity computed on the host" \
	"$(fsverity measure /mnt/bin/vsigned | cut -d' ' -f1)" "$(cat /etc/vm/vsigned.digest)"
t_ok "imactl verify in the guest accepts vsigned (fs-verity enabled)" \
	imactl verify --require-sig --cert /etc/vm/ima.pem /mnt/bin/vsigned
t_ok "imactl policy load: the kernel takes the verity policy" imactl policy load /etc/vm/policy
t_import /etc/vm/ima.pem ima
t_exec "sigv3 over the fs-verity digest, fs-verity enabled" /mnt/bin/vsigned allowed -
t_exec "sigv3 over another file's fs-verity digest" /mnt/bin/vwrong denied appraise_data:invalid-verity-signature
t_exec "sigv3 over the content hash (imactl before the fix)" /mnt/bin/vold denied appraise_data:invalid-verity-signature
t_exec "changed after signing, then fs-verity enabled" /mnt/bin/vtampered denied appraise_data:invalid-verity-signature
t_exec "signed with sigv3, fs-verity not enabled" /mnt/bin/vnoverity denied collect_data:no-verity-digest
t_exec "a v2 signature (imasig) under the verity rule" /mnt/bin/vsigv2 denied appraise_data:verity-signature-required
t_exec "no signature, fs-verity enabled" /mnt/bin/vunsigned denied appraise_data:verity-signature-required
# the list (ima-sigv2) carries the fs-verity digests; the host checks the
# signatures in it (a v2 signature covers the content hash, so it is bad there)
t_ok "the measurement list has vsigned's fs-verity digest (d-ngv2 verity:)" \
	grep -q "verity:$(cat /etc/vm/vsigned.digest) /mnt/bin/vsigned" /sys/kernel/security/ima/ascii_runtime_measurements
cp /sys/kernel/security/ima/binary_runtime_measurements /out/binary_runtime_measurements
cp /sys/kernel/security/ima/ascii_runtime_measurements /out/ascii_runtime_measurements
