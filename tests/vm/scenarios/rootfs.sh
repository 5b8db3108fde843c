# rootfs: import the key (_ima, _evm), load the policy, enable EVM, then
# switch_root into the fully signed root filesystem, whose /sbin/init
# (guest/rootfs-init) runs the rest.
t_import /etc/vm/ima.pem ima
t_import /etc/vm/ima.pem evm
if imactl policy load --help >/dev/null 2>&1; then
	t_ok "imactl policy load" imactl policy load /etc/vm/policy
else
	t_ok "the kernel takes the policy" sh -c "cat /etc/vm/policy > /sys/kernel/security/ima/policy"
fi
t_ok "EVM takes signatures (echo 2 > /sys/kernel/security/evm)" sh -c "echo 2 > /sys/kernel/security/evm"
mkdir -p /newroot
t_ok "the signed root filesystem mounts" mount -t ext4 "$ROOT_DEV" /newroot
for d in dev proc sys; do mount --move /$d /newroot/$d; done
exec switch_root /newroot /sbin/init
