# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# chain-strict, chain-secondary, chain-otherca: which certificates the trusted
# .ima keyring of a kernel we built takes (tests/vm/vm_chain.sh).  Kernel
# parameter chain=strict|secondary (CA A compiled in) or otherca (CA B).
K=/etc/vm
# /proc/keys names an X.509 key "CN: subjectKeyIdentifier: X509.rsa ..." (the
# kernel drops O= when CN starts like it, as "imactl ..." does here)
has_key() { grep -qF " $1: " /proc/keys; }
t_ok "the kernel has a trusted .ima keyring" grep -q ' keyring *\.ima: ' /proc/keys
t_ok "and a secondary trusted keyring" grep -q ' keyring *\.secondary_trusted_keys: ' /proc/keys
case "${chain:-}" in
otherca)
	t_ok "the compiled-in CA is CA B" has_key "imactl chain-b"
	t_fails "CA B's kernel refuses the signer CA A issued" 3 imactl import $K/signer.pem .ima
	t_like "  ... and imactl says why" "$T_OUT" "*signer.pem: the kernel refused the certificate for keyring .ima: *signer is not there*"
	t_ok "  ... it is not in any keyring" sh -c "! grep -qF ' imactl chain signer: ' /proc/keys"
	t_import $K/otherca.pem .ima
	t_ok "  ... the signer CA B issued is in .ima" has_key "imactl chain otherca signer"
	;;
strict|secondary)
	t_ok "the compiled-in CA is CA A" has_key "imactl chain-a"
	t_fails "a self-signed certificate is refused" 3 imactl import $K/selfsigned.pem .ima
	t_like "  ... and imactl says why" "$T_OUT" "*selfsigned.pem: the kernel refused the certificate for keyring .ima: *signer is not there*"
	t_fails "a certificate signed by another CA is refused" 3 imactl import $K/otherca.pem .ima
	t_like "  ... and imactl says why" "$T_OUT" "*otherca.pem: the kernel refused the certificate for keyring .ima: *signer is not there*"
	t_fails "a self-signed certificate is refused by .evm too" 3 imactl import $K/selfsigned.pem .evm
	t_import $K/signer.pem .ima
	t_ok "  ... the CA-signed signer is in the keyring" has_key "imactl chain signer"
	# leaf (signed by the CA, no CA itself) -> .secondary_trusted_keys -> grandchild
	t_fails "the grandchild is refused while its issuer (the leaf) is in no trusted keyring" 3 \
		imactl import $K/grandchild.pem .ima
	t_import $K/leaf.pem .secondary_trusted_keys
	t_ok "  ... the CA-signed leaf is in the secondary keyring" has_key "imactl chain leaf"
	if [ "$chain" = strict ]; then
		t_fails "strict: the grandchild signed by the leaf is still refused by .ima" 3 \
			imactl import $K/grandchild.pem .ima
		t_like "  ... and imactl says why" "$T_OUT" "*grandchild.pem: the kernel refused the certificate for keyring .ima: *"
		t_ok "  ... it is not in any keyring" sh -c "! grep -qF ' imactl chain grandchild: ' /proc/keys"
	else
		t_import $K/grandchild.pem .ima
		t_ok "secondary: the grandchild signed by a mere leaf is in .ima (the wider rule)" \
			has_key "imactl chain grandchild"
	fi
	;;
*) t_result 1 "kernel parameter chain=" "want strict, secondary or otherca, got '${chain:-}'" ;;
esac
