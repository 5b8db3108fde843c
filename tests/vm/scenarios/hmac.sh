# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# hmac: first boot with a per-device EVM key (issue 17).  The EVM key material
# is made here, the mutable files of the unmounted root get their HMACs from
# imactl label-image, then the key is instantiated in the kernel: a `trusted`
# kmk sealed by the TPM (parent: the storage primary key 0x81000001) and the
# `encrypted` evm-key under it from that material (USER_DECRYPTED_DATA).
uuid=$(cat /etc/vm/uuid)
K=/tmp/evm.key
head -c 32 /dev/urandom > $K
t_ok "label-image: the mutable files of the unmounted root" \
	imactl label-image "$ROOT_DEV" --key-file $K --list /etc/vm/mutable.list
t_ok "an attacker labels a file with a key of their own" \
	imactl label-image "$ROOT_DEV" --key-file /etc/vm/attacker.key --list /etc/vm/forged.list
# offline change of a labelled file's security.ima (its HMAC covers it)
t_ok "debugfs changes a labelled file's security.ima" debugfs -w -R \
	"ea_set /var/lib/app/imachanged security.ima 0x0404000000000000000000000000000000000000000000000000000000000000000" "$ROOT_DEV"
t_ok "trusted kmk sealed by the TPM (keyhandle=0x81000001)" \
	keyctl add trusted kmk "new 32 keyhandle=0x81000001" @u
hex=$(od -An -tx1 -v $K | tr -d ' \n')
t_ok "encrypted evm-key from the key material, under trusted:kmk" \
	keyctl add encrypted evm-key "new default trusted:kmk 32 $hex" @u
keyctl pipe "$(keyctl search @u trusted kmk)" > /out/kmk.blob 2>/out/kmk.err
keyctl pipe "$(keyctl search @u encrypted evm-key)" > /out/evm-key.blob 2>/out/evm-key.err
t_like "the evm-key blob names its master key" "$(cat /out/evm-key.blob)" "default trusted:kmk 32 *"
case "$(cat /out/evm-key.blob /out/kmk.blob)" in
*"$hex"*) t_result 1 "the blobs do not hold the plain key" "the key's hex is in a blob" ;;
*) t_result 0 "the blobs do not hold the plain key" ;;
esac
t_ok "imactl policy load" imactl policy load /etc/vm/policy
t_import /etc/vm/ima.pem ima
t_import /etc/vm/ima.pem evm
t_ok "EVM HMAC + X.509 (echo 3 > /sys/kernel/security/evm)" sh -c "echo 3 > /sys/kernel/security/evm"
t_is "EVM reports HMAC and X.509" "$(cat /sys/kernel/security/evm)" 3
t_fails "no further EVM setting after the HMAC key (EVM_SETUP_COMPLETE)" 1 sh -c "echo 2 > /sys/kernel/security/evm"
mount -t ext4 "$ROOT_DEV" /mnt
t_read "mutable file labelled on first boot" /mnt/etc/machine-id allowed -
t_read "another labelled mutable file" /mnt/var/lib/app/state allowed -
t_read "signed file (IMA sig + EVM portable)" /mnt/usr/share/signed allowed -
t_exec "signed executable" /mnt/usr/bin/prog allowed -
t_exec "mutable (hash-only) executable" /mnt/var/lib/app/script denied appraise_data:IMA-signature-required
t_read "labelled with another key" /mnt/var/lib/app/forged denied appraise_data:invalid-HMAC
t_read "never labelled" /mnt/var/lib/app/unlabelled denied appraise_data:missing-HMAC
t_read "content changed offline" /mnt/var/lib/app/tampered denied appraise_data:invalid-hash
t_read "security.ima changed offline" /mnt/var/lib/app/imachanged denied appraise_data:invalid-HMAC
# a file created now gets its hash and HMAC from the kernel
echo "data runtime" > /mnt/var/lib/app/runtime
t_read "created at runtime" /mnt/var/lib/app/runtime allowed -
ours=$(imactl hmac --key-file $K --uuid "$uuid" /mnt/var/lib/app/runtime 2>&1 | sed 's/ .*//')
umount /mnt
kern=$(debugfs -R "ea_get -x /var/lib/app/runtime security.evm" "$ROOT_DEV" 2>/dev/null | sed 's/^.*= //' | tr -d ' \n')
t_is "the kernel's HMAC of the runtime file = imactl hmac --uuid" "0x$kern" "$ours"
rm -f $K
t_finish
