# smoke: the harness itself (modules, disks, result lines)
t_ok "the root disk is attached" test -b "$ROOT_DEV"
t_ok "ext4 mounts" mount -t ext4 "$ROOT_DEV" /mnt
cat /sys/kernel/security/ima/policy | head -3
ls -la /mnt/bin
keyctl show 2>&1 | head -3
echo hi > /out/hello
