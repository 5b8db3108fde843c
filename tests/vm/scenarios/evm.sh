# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# evm: IMA signatures + EVM portable signatures, certificate in _ima and
# _evm, EVM enforcing signatures (echo 2 > /sys/kernel/security/evm).
mount -t ext4 "$ROOT_DEV" /mnt
t_ok "imactl policy load" imactl policy load /etc/vm/policy
t_import /etc/vm/ima.pem ima
t_import /etc/vm/ima.pem evm
t_ok "EVM takes signatures (echo 2 > /sys/kernel/security/evm)" sh -c "echo 2 > /sys/kernel/security/evm"
t_is "EVM reports it is initialized with X.509 keys" "$(cat /sys/kernel/security/evm)" 2
t_evm_portable
t_cause "  ... audited as appraise_metadata:pass_immutable" /mnt/evm/evmguest appraise_metadata:pass_immutable
t_exec "  ... and the file, unchanged, still runs" /mnt/evm/evmguest allowed -
t_fails "EVM refuses chown of a file with a portable signature" 1 chown 1:1 /mnt/evm/evmsigned
