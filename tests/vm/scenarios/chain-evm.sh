# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# chain-evm: the CA-signed certificate in the trusted .evm keyring; EVM portable
# signatures made by imactl are accepted, metadata changed after signing is not.
P=/sys/kernel/security/ima/policy
mount -t ext4 "$ROOT_DEV" /mnt
t_import /etc/vm/signer.pem .ima
t_fails "a certificate signed by another CA is refused by .evm" 3 imactl import /etc/vm/otherca.pem .evm
t_import /etc/vm/signer.pem .evm
t_ok "the signed policy loads" sh -c "echo /mnt/policy/evm > $P"
t_ok "EVM takes signatures (echo 2 > /sys/kernel/security/evm)" sh -c "echo 2 > /sys/kernel/security/evm"
t_evm_portable
t_exec "  ... and the file, unchanged, still runs" /mnt/evm/evmguest allowed -
