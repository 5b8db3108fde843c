# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# modsig: module-style appended signatures (tests/vm/vm_modsig.sh, a kernel
# with CONFIG_IMA_APPRAISE_MODSIG): files loaded with finit_module are
# measured with template ima-modsig and appraised with imasig|modsig; the
# kernel's verdict is the errno, its lists go to /out for imactl on the host.
K=/etc/vm
t_import $K/signer.pem .ima
t_ok "policy: measure (ima-modsig) and appraise (imasig|modsig) MODULE_CHECK" \
	sh -c "cat $K/policy > /sys/kernel/security/ima/policy"
t_is "signed by the key in .ima: IMA accepts it (then the loader refuses a non-module)" \
	"$(finit /modsig/good.ko)" ENOEXEC
t_is "changed after signing: refused" "$(finit /modsig/tampered.ko)" EACCES
t_is "  ... invalid-signature" "$(audit_cause /modsig/tampered.ko)" appraise_data:invalid-signature
t_is "signed by a key in no keyring: refused" "$(finit /modsig/other.ko)" EACCES
t_is "  ... invalid-signature" "$(audit_cause /modsig/other.ko)" appraise_data:invalid-signature
cp /sys/kernel/security/ima/ascii_runtime_measurements /out/ascii
cp /sys/kernel/security/ima/binary_runtime_measurements /out/binary
t_ok "the lists are saved" test -s /out/binary
