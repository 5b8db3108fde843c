# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# hmac-pcr: every boot of tests/vm/vm_hmac_pcr.sh, acting as an initramfs
# does.  First the command line goes into PCR 12 (what systemd-stub measures
# on UEFI; SeaBIOS's -kernel boot measures nothing of it).  No blobs on the
# root: first boot, evm-key create --pcrs 12 --label.  Else evm-key load;
# hmacpcr=changed or hmacpcr=noevm on the command line (which changes PCR 12)
# says the load is to fail, and whether EVM then goes X.509 only (changed) or
# stays off (noevm: the silent pass --x509-only prevents).
export TPM2TOOLS_TCTI=device:/dev/tpm0
B=/run/evm
S=/etc/imactl
mkdir -p $B
case " $(cat /proc/cmdline) " in
*" hmacpcr=changed "*) boot=changed ;;
*" hmacpcr=noevm "*) boot=noevm ;;
*) boot=same ;;
esac
pcr12() { tr -d ' \n' < /sys/class/tpm/tpm0/pcr-sha256/12 | tr 'A-F' 'a-f'; }
t_is "PCR 12 starts at zero" "$(pcr12)" "0000000000000000000000000000000000000000000000000000000000000000"
t_ok "the command line measured into PCR 12" \
	tpm2_pcrextend "12:sha256=$(tr -d '\n' < /proc/cmdline | sha256sum | cut -d' ' -f1)"
mount -t ext4 -o ro "$ROOT_DEV" /mnt
if [ -e /mnt$S/kmk.blob ]; then
	first=no
	cp /mnt$S/kmk.blob /mnt$S/evm-key.blob /mnt$S/kmk.pcrs $B/
else
	first=yes
fi
umount /mnt
sessions() { tpm2_getcap handles-loaded-session 2>&1; }

if [ $first = yes ]; then
	t_ok "evm-key create --pcrs 12 --label: kmk sealed to PCR 12, the mutable files labelled" \
		imactl evm-key create --blob-dir $B --pcrs 12 --label "$ROOT_DEV" --list /etc/vm/mutable.list
	t_like "kmk.pcrs holds PCR 12 as the kernel reads it" "$(cat $B/kmk.pcrs)" "*PCR-12: $(pcr12)*"
	loaded=yes
elif [ $boot = same ]; then
	t_ok "evm-key load: the same command line, the TPM unseals kmk" imactl evm-key load --blob-dir $B
	loaded=yes
else
	t_fails "evm-key load: another command line, the TPM refuses" 3 imactl evm-key load --blob-dir $B
	t_like "it names the PCR and why" "$T_OUT" \
		"*the TPM refuses to unseal the kmk: it is sealed to PCR 12 (sha256) as $B/kmk.pcrs records them, and PCR 12 has changed since*"
	t_like "nothing left in the keyring" "$(imactl evm-key status 2>&1)" "*kmk: absent*evm-key: absent*"
	# the TPM refuses, not imactl: a PCR file rewritten to today's value
	mkdir -p /run/forged
	cp $B/kmk.blob $B/evm-key.blob /run/forged/
	printf 'PCR-12: %s\n' "$(pcr12)" > /run/forged/kmk.pcrs
	t_fails "evm-key load with kmk.pcrs rewritten to the current value: still refused" 3 \
		imactl evm-key load --blob-dir /run/forged
	t_like "by the TPM" "$T_OUT" "*kmk.blob: the TPM cannot unseal this blob*"
	loaded=no
fi
t_is "no policy session left in the TPM" "$(sessions)" ""

t_ok "imactl policy load" imactl policy load /etc/vm/policy
t_import /etc/vm/ima.pem ima
t_import /etc/vm/ima.pem evm
if [ $loaded = yes ]; then
	t_ok "evm-key enable" imactl evm-key enable
	t_is "EVM reports HMAC and X.509" "$(cat /sys/kernel/security/evm)" 3
elif [ $boot = changed ]; then
	t_ok "evm-key enable --x509-only" imactl evm-key enable --x509-only
	t_is "EVM reports X.509 only" "$(cat /sys/kernel/security/evm)" 2
	t_fails "no HMAC key can be set afterwards" 1 sh -c "echo 1 > /sys/kernel/security/evm"
else
	t_is "EVM left off" "$(cat /sys/kernel/security/evm)" 0
fi
mount -t ext4 "$ROOT_DEV" /mnt
t_read "signed file" /mnt/usr/share/signed allowed -
if [ $loaded = yes ] || [ $boot = noevm ]; then
	# noevm: EVM without any key reports INTEGRITY_UNKNOWN and IMA passes
	# the hash alone; the reason for --x509-only
	t_read "labelled mutable file" /mnt/var/lib/app/state allowed -
else
	t_read "labelled mutable file, no key" /mnt/var/lib/app/state denied appraise_data:invalid-HMAC
	t_read "another one" /mnt/etc/machine-id denied appraise_data:invalid-HMAC
fi
if [ $first = yes ]; then
	mkdir -p /mnt$S
	t_ok "the blobs and the PCR file copied to the root" \
		cp $B/kmk.blob $B/evm-key.blob $B/kmk.pcrs /mnt$S/
fi
umount /mnt
t_finish
