#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2034 # KMODULES, KEY, CERT are parameters of tests/vm/vm-lib.sh
# Real kernel, the seed's chain of trust: kernels we build (scripts/build-kernel)
# with a test CA compiled in, whose .ima/.evm keyrings take only certificates
# that CA signed.  Kernels (cached, see scripts/build-kernel):
#   strict     CA "chain-a", kernel/ima-ca-strict.cfg
#   secondary  CA "chain-a", kernel/ima-ca-secondary.cfg (meta-integrity's rule)
#   otherca    CA "chain-b", strict
# Boots: chain-strict, chain-secondary, chain-otherca (which certificates the
# keyrings take), chain-appraise (signed policy + appraisal with the CA-signed
# key), chain-evm (the certificate in .evm, EVM portable signatures).
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
. "$SRC_ROOT/tests/vm/chain-lib.sh"
KERNEL=${KERNEL:-built} # ours, built below: vm_setup must not fetch Debian's
KMODULES=""             # everything is built in
vm_setup

# shellcheck disable=SC2015 # the || branch reports a failure of either
ca_a=$("$SRC_ROOT/scripts/test-ca" chain-a) && ca_b=$("$SRC_ROOT/scripts/test-ca" chain-b) ||
	{ echo "Bail out! scripts/test-ca failed"; exit 1; }
# the kernels the selected boots need (all of them by default)
feat=ima,appraise,evm,tpm,signed-policy
k_strict=$(chain_kernel "$ca_a" strict) || exit 1
ok "strict kernel: imactl kconfig check --features $feat" \
	"$IMACTL" kconfig check --features $feat "${k_strict%/*}/config"
cp "$T/err" "$T/strict.kconfig"
is "  ... no warning about the secondary-CA rule" \
	"$(grep -c IMA_KEYRINGS_PERMIT_SIGNED_BY_BUILTIN_OR_SECONDARY "$T/strict.kconfig")" 0
if vm_wants chain-secondary; then
	k_secondary=$(chain_kernel "$ca_a" secondary) || exit 1
	ok "secondary kernel: imactl kconfig check --features $feat" \
		"$IMACTL" kconfig check --features $feat "${k_secondary%/*}/config"
	like "  ... warns about its trust rule" "$T/err" \
		'warning: CONFIG_IMA_KEYRINGS_PERMIT_SIGNED_BY_BUILTIN_OR_SECONDARY=y, want it not set'
fi
if vm_wants chain-otherca; then
	k_otherca=$(chain_kernel "$ca_b" strict) || exit 1
fi

# Kconfig silently drops an option whose dependencies are off: build-kernel
# must not (TCG_CRB needs ACPI, which this kernel does not have)
echo 'CONFIG_TCG_CRB=y' > "$T/crb.cfg"
fails 1 "build-kernel refuses a configuration that lost a requested option" \
	"$SRC_ROOT/scripts/build-kernel" --config-only --ca "$ca_a/ca.pem" --fragment "$T/crb.cfg"
like "  ... and names it" "$T/err" 'CONFIG_TCG_CRB: requested y, the kernel config has n'

# Certificates: the signer (CA A), a signer of CA B, a self-signed one, and the
# leaf (CA A) -> grandchild (issued by the leaf, which is no CA) chain.
c="$T/certs"
mkdir -p "$c"
chain_signer "$c/signer" "$ca_a" "imactl chain signer"
chain_signer "$c/otherca" "$ca_b" "imactl chain otherca signer"
chain_selfsigned "$c/selfsigned" "imactl chain selfsigned"
chain_cert "$c/leaf" "$ca_a/ca.pem" "$ca_a/ca.key" "imactl chain leaf"
chain_cert "$c/grandchild" "$c/leaf.pem" "$c/leaf.key" "imactl chain grandchild"
ok "host: the signer's certificate verifies against CA A" \
	openssl verify -CAfile "$ca_a/ca.pem" "$c/signer.pem"
fails 2 "host: the grandchild does not verify against CA A alone (its issuer is no CA)" \
	openssl verify -CAfile "$ca_a/ca.pem" -untrusted "$c/leaf.pem" "$c/grandchild.pem"

# The disk: vm_appraise_tree's files signed with the CA-signed key (wrongkey:
# the rogue key), and the policy files for the signed-policy scenario.
KEY="$c/signer.key" CERT="$c/signer.pem"
uuid=8a6c1e52-93b4-4f0d-a2c7-5d1e9f3b7a60
vm_appraise_tree "$T/tree"
mkdir -p "$T/tree/policy"
cat > "$T/tree/policy/signed" <<POL
appraise func=BPRM_CHECK fsuuid=$uuid appraise_type=imasig
appraise func=FILE_CHECK mask=MAY_READ fsuuid=$uuid appraise_type=imasig
POL
cp "$T/tree/policy/signed" "$T/tree/policy/unsigned"
cp "$T/tree/policy/signed" "$T/tree/policy/rogue"
echo "appraise func=BPRM_CHECK fsuuid=$uuid appraise_type=imasig" > "$T/tree/policy/evm"
vm_sign "$T/tree/policy/signed"
vm_sign "$T/tree/policy/evm"
ok "host: the rogue key signs a policy" \
	"$IMACTL" sign --key "$KEYS/other.key" --cert "$KEYS/other.pem" "$T/tree/policy/rogue"
vm_ext4 "$T/disk.img" "$T/tree" $uuid

mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
for n in signer otherca selfsigned leaf grandchild; do cp "$c/$n.pem" "$T/extra/etc/vm/"; done
for n in strict secondary otherca; do
	cp "$VM_SRC/scenarios/chain-keys.sh" "$T/extra/scenarios/chain-$n.sh"
done
cp "$VM_SRC/scenarios/chain-appraise.sh" "$VM_SRC/scenarios/chain-evm.sh" "$T/extra/scenarios/"
vm_initramfs "$T/initrd" "$T/extra"

# chain_boot NAME KERNEL [PARAMS...]
chain_boot() {
	_nm=$1
	KERNEL=$2
	shift 2
	if vm_wants "$_nm"; then
		vm_boot "$_nm" "$T/initrd" "$T/disk.img" no "$@"
		vm_results "$_nm"
	fi
}
chain_boot chain-strict "$k_strict" chain=strict
chain_boot chain-secondary "${k_secondary:-}" chain=secondary
chain_boot chain-otherca "${k_otherca:-}" chain=otherca
chain_boot chain-appraise "$k_strict"
chain_boot chain-evm "$k_strict"
done_testing
