# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# chain-appraise: the strict kernel with our CA compiled in requires signed
# policies (CONFIG_IMA_APPRAISE_REQUIRE_POLICY_SIGS); the CA-signed key in .ima
# appraises the policy file and then the programs on the disk.
P=/sys/kernel/security/ima/policy
mount -t ext4 -o ro "$ROOT_DEV" /mnt
t_import /etc/vm/signer.pem .ima
t_fails "policy rules written as text are refused (signed policy required)" 1 sh -c "cat /mnt/policy/signed > $P"
t_audit "  ... audit: signed policy required" 'op=policy_update cause=signed policy required'
t_fails "an unsigned policy file is refused" 1 sh -c "echo /mnt/policy/unsigned > $P"
t_cause "  ... audit: IMA-signature-required" /mnt/policy/unsigned appraise_data:IMA-signature-required
t_fails "a policy file signed by the rogue key is refused" 1 sh -c "echo /mnt/policy/rogue > $P"
t_cause "  ... audit: invalid-signature" /mnt/policy/rogue appraise_data:invalid-signature
t_ok "the policy file signed by the CA-signed key loads" sh -c "echo /mnt/policy/signed > $P"
t_like "  ... and is in force" "$(cat $P)" "*appraise func=BPRM_CHECK fsuuid=*appraise_type=imasig*"
t_exec "signed by the CA-signed key" /mnt/bin/signed allowed -
t_exec "tampered after signing" /mnt/bin/tampered denied appraise_data:invalid-signature
t_exec "unsigned" /mnt/bin/unsigned denied appraise_data:IMA-signature-required
t_exec "signed by the rogue key" /mnt/bin/wrongkey denied appraise_data:invalid-signature
t_read "signed data" /mnt/data/signed.txt allowed -
t_read "tampered data" /mnt/data/tampered.txt denied appraise_data:invalid-signature
