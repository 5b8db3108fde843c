#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2034 # KERNEL, KMODULES are parameters of tests/vm/vm-lib.sh
# Real kernel, real systemd root, EVM HMAC with a per-device key (issue 17):
# a Debian bookworm minbase with systemd (tests/vm/fetch-rootfs.sh, built once
# with mmdebstrap, cached), signed with imactl sign-tree, the files systemd
# writes declared --mutable; our kernel with a TPM-sealed key (VM_HMAC_KEY=tpm,
# the default) or Debian's 6.12 kernel with a `user` key (VM_HMAC_KEY=user).
# Two boots of one disk and one TPM, each under policies/mutable, each ending
# in systemd's multi-user.target and imactl-vm-check.service
# (guest/systemd-check):
#   boot 1 (scenarios/hmac-rootfs.sh): the initramfs makes the EVM key
#     material (user: the host did), labels the mutable files of the
#     unmounted root (imactl label-image), makes the kmk and the `encrypted`
#     evm-key from the material, stores the blobs on the root, enables EVM HMAC +
#     X.509, loads the policy and switch_roots to systemd: 0 denials; the
#     running system creates files.
#   host: changes the image offline (a mutable file's bytes, a runtime file's
#     bytes, a mutable file's security.ima, a signed executable's bytes).
#   boot 2 (the same script as hmac-rootfs-again): the keys come from the
#     blobs on the root; systemd boots with 0 denials; the runtime file is
#     appraised; each offline change is refused with its audit cause.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
. "$SRC_ROOT/tests/vm/chain-lib.sh"
if ! vm_wants hmac-rootfs; then
	echo "1..0 # SKIP VM_SCENARIOS does not select hmac-rootfs"
	exit 0
fi
for p in keyctl swtpm_setup debugfs mmdebstrap; do
	command -v $p >/dev/null 2>&1 || { echo "1..0 # SKIP $p missing (scripts/install-deps vm)"; exit 0; }
done
ensure_keys
# VM_HMAC_KEY: tpm (default) or user.  tpm: imactl evm-key create|load|enable
# in the initramfs, the kmk a `trusted` key sealed by the TPM, on our kernel
# (tests/vm/chain-lib.sh hmac_kernel, the one vm_hmac boots too:
# kernel/evm-hmac.cfg + kernel/systemd.cfg, the cgroups, AF_UNIX, inotify
# systemd needs and the small base lacks).  user: Debian's 6.12 kernel (no
# TRUSTED_KEYS, no USER_DECRYPTED_DATA): the kmk is a `user` key and the host
# makes the evm-key's blob from the key material (encrypted-key format, by
# openssl); the same EVM HMAC, policy, systemd and mutable set, without the
# sealing: it shows the same on a distribution's kernel (its LSMs, its
# configuration), which the tpm mode does not; not in `make check`.
mode=${VM_HMAC_KEY:-tpm}
case "$mode" in
tpm)
	hmac_kernel
	KMODULES=""
	vm_setup
	kparams="tpm_tis.force=1" ;;
user)
	KERNEL=""
	VM_KERNELS=6.12
	vm_setup
	kparams="" ;;
*) echo "Bail out! VM_HMAC_KEY: tpm or user, not '$mode'"; exit 1 ;;
esac
# systemd-firstboot would ask for a root password on the console
kparams="$kparams systemd.firstboot=off"
# a boot of systemd under TCG on a loaded machine: minutes, not seconds
VM_TIMEOUT=${VM_TIMEOUT_ROOTFS:-1200}
tarball=$(sh "$VM_SRC/fetch-rootfs.sh") || { echo "Bail out! tests/vm/fetch-rootfs.sh failed"; exit 1; }
ca=$("$SRC_ROOT/scripts/test-ca" test-ca)
chain_signer "$T/signer" "$ca" "imactl hmac-rootfs signer"
KEY="$T/signer.key" CERT="$T/signer.pem"

uuid=7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d
r="$T/rootfs"
rm -rf "$r"
mkdir -p "$r"
tar -xpf "$tarball" -C "$r" --numeric-owner
# the checks systemd runs after multi-user.target, on every boot
g="$r/usr/lib/imactl-vm"
mkdir -p "$g" "$r/out" "$r/var/lib/imactl-vm"
cp "$VM_SRC/guest/lib.sh" "$g/lib.sh"
cp "$VM_SRC/guest/systemd-check" "$g/check"
# imactl on the running system (verify-tree), with the libraries it was built
# against: signed with the rest, run through its own ld.so
vm_add_program "$g/imactl" "$IMACTL"
cp "$CERT" "$g/ima.pem"
cat > "$r/etc/systemd/system/imactl-vm-check.service" <<'UNIT'
[Unit]
Description=imactl VM checks (tests/vm/vm_hmac_rootfs.sh)
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/bin/sh /usr/lib/imactl-vm/check
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console

[Install]
WantedBy=multi-user.target
UNIT
mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
ln -s ../imactl-vm-check.service "$r/etc/systemd/system/multi-user.target.wants/"
# no login prompt on the console the results go to (it preceded a result
# line, which the host then lost: 43 results one run, 44 the next)
ln -s /dev/null "$r/etc/systemd/system/serial-getty@ttyS0.service"
# our small kernel (tinyconfig: CONFIG_BASE_SMALL) has PID_MAX_LIMIT 32768:
# systemd's /usr/lib/sysctl.d/50-pid-max.conf asks 4194304, the write fails
# with EINVAL and systemd-sysctl.service fails (found by booting it); the
# administrator's file of the same name replaces it
if [ "$mode" = tpm ]; then
	echo "kernel.pid_max = 32768" > "$r/etc/sysctl.d/50-pid-max.conf"
fi
# data the running system keeps under /var (labelled on first boot)
for f in state imachanged; do vm_data "$r/var/lib/imactl-vm" $f; done
# what the image was built before (the check lists what was written since)
touch "$g/stamp"
# The mutable set: what systemd opens for writing among the image's files
# (found by booting, see doc/mutable.md): the machine id it commits on first
# boot, the lock systemd-sysusers takes (IMA refuses to open a file with an
# IMA signature for writing: EACCES, no audit record), and /var.
t0=$(date +%s)
ok "sign-tree --mutable of the Debian root" "$IMACTL" sign-tree "$r" --key "$KEY" --cert "$CERT" \
	--no-cache --jobs 2 --mutable /etc/machine-id --mutable /etc/.pwd.lock --mutable /var --mutable-list "$T/mutable.list"
echo "# sign-tree: $(($(date +%s) - t0)) s, $(find "$r" -type f | wc -l) files, $(wc -l < "$T/mutable.list") mutable"
t0=$(date +%s)
vm_ext4 "$T/disk.img" "$r" $uuid
echo "# ext4 image: $(($(date +%s) - t0)) s, $(du -m "$T/disk.img" | cut -f1) MB allocated"
mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
cp "$VM_SRC/scenarios/hmac-rootfs.sh" "$T/extra/scenarios/"
cp "$VM_SRC/scenarios/hmac-rootfs.sh" "$T/extra/scenarios/hmac-rootfs-again.sh"
cp "$CERT" "$T/extra/etc/vm/ima.pem"
cp "$T/mutable.list" "$T/extra/etc/vm/mutable.list"
cp "$SRC_ROOT/policies/mutable" "$T/extra/etc/vm/policy"
echo "$mode" > "$T/extra/etc/vm/keymode"
if [ "$mode" = user ]; then
	# the encrypted-key blob of KEY under the user key MASTER, as the kernel
	# writes it (security/keys/encrypted-keys/encrypted.c): AES-256-CBC with
	# sha256("ENC_KEY\0" MASTER "\0"), HMAC-SHA256 with sha256("AUTH_KEY\0"
	# MASTER) over "default\0user:kmk\032\0" IV "\0" DATA
	head -c 32 /dev/urandom > "$T/extra/etc/vm/kmk.user"
	head -c 32 /dev/urandom > "$T/extra/etc/vm/evm.key"
	m=$(xxd -p -c 256 "$T/extra/etc/vm/kmk.user")
	enc=$( (printf 'ENC_KEY\000'; xxd -r -p <<HEX
${m}00
HEX
	) | openssl dgst -sha256 -binary | xxd -p -c 256)
	auth=$( (printf 'AUTH_KEY\000'; xxd -r -p <<HEX
$m
HEX
	) | openssl dgst -sha256 -binary | xxd -p -c 256)
	iv=$(head -c 16 /dev/urandom | xxd -p -c 256)
	data=$(openssl enc -aes-256-cbc -nopad -K "$enc" -iv "$iv" -in "$T/extra/etc/vm/evm.key" | xxd -p -c 256)
	mac=$( (printf 'default\000user:kmk\00032\000'; xxd -r -p <<HEX
${iv}00$data
HEX
	) | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$auth" -binary | xxd -p -c 256)
	echo "default user:kmk 32 ${iv}00$data$mac" > "$T/extra/etc/vm/evm-key.blob"
fi
vm_add_program "$T/extra" "$(command -v keyctl)"
vm_initramfs "$T/initrd" "$T/extra"
hmac_tpm_spk "$T/tpm-init"
# this kernel has no ACPI: tpm_tis.force=1 finds QEMU's tpm-tis
hmac_boot hmac-rootfs "$T/tpm-init" "$kparams"
# what the running system wrote in place (files it created are not listed)
if [ -f "$T/hmac-rootfs.out/written" ]; then
	(cd "$r" && while IFS= read -r f; do [ -e ".$f" ] && echo "$f"; done) < "$T/hmac-rootfs.out/written" > "$T/rewritten"
	grep -v -x -F -f "$T/mutable.list" "$T/rewritten" > "$T/rewritten.signed"
	is "boot 1: every file systemd wrote in place was declared mutable" \
		"$(tr '\n' ' ' < "$T/rewritten.signed")" ""
	echo "# written in place on boot 1: $(tr '\n' ' ' < "$T/rewritten")"
else
	_result 1 "boot 1: the guest listed what it wrote" "no $T/hmac-rootfs.out/written"
fi

# offline, between the boots
vm_poke "$T/disk.img" /var/lib/imactl-vm/state "DATA"
vm_poke "$T/disk.img" /var/lib/imactl-vm/runtime-b "DATA"
vm_poke "$T/disk.img" /usr/bin/tac "XELF"
ok "host: debugfs replaces a labelled file's security.ima" debugfs -w -R \
	"ea_set /var/lib/imactl-vm/imachanged security.ima 0x0404000000000000000000000000000000000000000000000000000000000000000" "$T/disk.img"
is "host: the image changed where meant" "$(debugfs -R "cat /var/lib/imactl-vm/state" "$T/disk.img" 2>/dev/null)" "DATA state"
# the TPM as boot 1 left it
hmac_tpm_left hmac-rootfs "$T/tpm-boot1"
hmac_boot hmac-rootfs-again "$T/tpm-boot1" "$kparams"
done_testing
