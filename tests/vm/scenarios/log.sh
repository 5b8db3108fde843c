# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# log: ima_appraise=log: nothing is denied, every failure is audited.
mount -t ext4 -o ro "$ROOT_DEV" /mnt
t_ok "imactl policy load" imactl policy load /etc/vm/policy
t_import /etc/vm/ima.pem ima
t_exec "signed" /mnt/bin/logsigned allowed -
t_exec "tampered after signing" /mnt/bin/logtampered allowed appraise_data:invalid-signature
t_exec "unsigned" /mnt/bin/logunsigned allowed appraise_data:IMA-signature-required
t_read "tampered data" /mnt/data/tampered.txt allowed appraise_data:invalid-signature
