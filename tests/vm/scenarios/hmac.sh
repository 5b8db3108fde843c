# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# hmac: first boot with a per-device EVM key (issue 17).  imactl evm-key
# create seals a `trusted` kmk in the TPM (parent: the storage primary key
# 0x81000001), makes the `encrypted` evm-key under it from key material of
# its own (USER_DECRYPTED_DATA), labels the mutable files of the unmounted
# root with their HMACs under that material and stores the two blobs; the
# material never leaves imactl but into the kernel.  The blobs go to the root
# for the next boot (hmac-reboot.sh).
B=/run/evm
mkdir -p $B /run/other
t_like "status: no keys yet" "$(imactl evm-key status 2>&1)" "tpm: present*kmk: absent*evm-key: absent*evm: 0 (not initialized)*"
t_fails "evm-key create under a keyhandle the TPM does not have" 3 \
	imactl evm-key create --blob-dir /run/other --keyhandle 0x81000002
t_like "it names the cause" "$T_OUT" "*TPM refused to seal under keyhandle 0x81000002*"
t_like "nothing left in the keyring" "$(imactl evm-key status 2>&1)" "*kmk: absent*evm-key: absent*"
t_is "nothing stored" "$(ls /run/other)" ""
# mke2fs -d leaves i_generation 0; the kernel gives its own files a random
# one: a labelled file with a generation shows the HMAC covers it as the
# kernel does (before, the kernel's HMAC of a runtime file was compared with
# imactl hmac; the key material no longer leaves imactl)
t_ok "debugfs gives a mutable file an inode generation" debugfs -w -R \
	"set_inode_field /var/lib/app/state generation 3735928559" "$ROOT_DEV"
t_ok "evm-key create --label: kmk sealed by the TPM, evm-key from imactl's material, the mutable files labelled" \
	imactl evm-key create --blob-dir $B --label "$ROOT_DEV" --list /etc/vm/mutable.list
t_like "the evm-key blob names its master key" "$(cat $B/evm-key.blob)" "default trusted:kmk 32 *"
t_like "the kmk blob is the TPM-sealed key in hex" "$(cat $B/kmk.blob)" "[0-9a-f][0-9a-f]*"
t_fails "create again: the keys are in the keyring already" 3 \
	imactl evm-key create --blob-dir /run/other
t_like "it says so" "$T_OUT" "*kmk is already in the user keyring*"
t_fails "load: the keys are in the keyring already" 3 imactl evm-key load --blob-dir $B
t_like "status: both keys" "$(imactl evm-key status 2>&1)" "*kmk: present (trusted, *evm-key: present (encrypted, *"
t_ok "an attacker labels a file with a key of their own" \
	imactl label-image "$ROOT_DEV" --key-file /etc/vm/attacker.key --list /etc/vm/forged.list
# offline change of a labelled file's security.ima (its HMAC covers it)
t_ok "debugfs changes a labelled file's security.ima" debugfs -w -R \
	"ea_set /var/lib/app/imachanged security.ima 0x0404000000000000000000000000000000000000000000000000000000000000000" "$ROOT_DEV"
t_ok "imactl policy load" imactl policy load /etc/vm/policy
t_import /etc/vm/ima.pem ima
t_import /etc/vm/ima.pem evm
t_ok "evm-key enable (HMAC + X.509 in one write)" imactl evm-key enable
t_is "EVM reports HMAC and X.509" "$(cat /sys/kernel/security/evm)" 3
t_fails "no further EVM setting after the HMAC key (EVM_SETUP_COMPLETE)" 1 sh -c "echo 2 > /sys/kernel/security/evm"
t_fails "evm-key enable again" 3 imactl evm-key enable
t_like "it says EVM is set up" "$T_OUT" "*EVM is already set up with an HMAC key (3)*"
t_like "status: keys and EVM" "$(imactl evm-key status 2>&1)" "*kmk: present*evm-key: present*evm: 3 (hmac,x509)*evm certificates: 1*"
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
# the running system changes a mutable file and creates one: the kernel
# keeps their hashes and HMACs (read again after the reboot)
echo " more" >> /mnt/etc/machine-id
t_read "a labelled mutable file changed at runtime" /mnt/etc/machine-id allowed -
echo "data runtime" > /mnt/var/lib/app/runtime
t_read "created at runtime" /mnt/var/lib/app/runtime allowed -
echo "data runtime2" > /mnt/var/lib/app/runtime2
# the blobs for the next boot: not secret (sealed, encrypted)
mkdir -p /mnt/etc/imactl
t_ok "the blobs copied to the root" cp $B/kmk.blob $B/evm-key.blob /mnt/etc/imactl/
umount /mnt
kern=$(debugfs -R "ea_get -x /var/lib/app/runtime security.evm" "$ROOT_DEV" 2>/dev/null | sed 's/^.*= //' | tr -d ' \n')
t_like "the kernel gave the runtime file an HMAC (security.evm 0x02)" "$kern" "02*"
t_finish
