# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# rootfs: import the key (_ima, _evm), load the policy, enable EVM, then
# switch_root into the fully signed root filesystem, whose /sbin/init
# (guest/rootfs-init) runs the rest.
t_import /etc/vm/ima.pem ima
t_import /etc/vm/ima.pem evm
t_ok "imactl policy load policies/$(cat /etc/vm/policy.name)" imactl policy load /etc/vm/policy
t_ok "EVM takes signatures (echo 2 > /sys/kernel/security/evm)" sh -c "echo 2 > /sys/kernel/security/evm"
mkdir -p /newroot
t_ok "the signed root filesystem mounts" mount -t ext4 "$ROOT_DEV" /newroot
for d in dev proc sys; do mount --move /$d /newroot/$d; done
t_handover
exec switch_root /newroot /sbin/init
