# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced by the tests, not run on its own
# Host side of the chain-of-trust tests: kernels built by scripts/build-kernel
# with a test CA compiled in, and the certificates the scenarios import.
# Source after tests/cli/lib.sh and tests/vm/vm-lib.sh.

# chain_kernel CA_DIR TRUST: builds (or takes from the cache) the kernel with
# CA_DIR/ca.pem compiled in, trust rule TRUST (strict|secondary) and the test
# options of tests/vm/kernel-ca.cfg; prints its bzImage path.
chain_kernel() {
	_o=$("$SRC_ROOT/scripts/build-kernel" --quiet --ca "$1/ca.pem" --trust "$2" \
		--fragment "$SRC_ROOT/tests/vm/kernel-ca.cfg" \
		--features ima,appraise,evm,tpm,signed-policy 2>"$T/build-kernel-$2.err") || {
		sed 's/^/# /' "$T/build-kernel-$2.err"
		echo "Bail out! scripts/build-kernel --trust $2 failed"
		exit 1
	}
	echo "$_o/bzImage"
}

# hmac_kernel: the kernel of the EVM HMAC tests (vm_hmac, vm_hmac_layer,
# vm_hmac_rootfs: one kernel for all), the test CA, kernel/evm-hmac.cfg (TRUSTED_KEYS with the TPM
# backend, ENCRYPTED_KEYS, USER_DECRYPTED_DATA) and kernel/systemd.cfg (what
# systemd needs): sets KERNEL to its bzImage (no subshell: a failure bails out).
hmac_kernel() {
	_o=$("$SRC_ROOT/scripts/build-kernel" --quiet --fragment "$SRC_ROOT/kernel/evm-hmac.cfg" \
		--fragment "$SRC_ROOT/kernel/systemd.cfg" 2>"$T/build-kernel-hmac.err") || {
		sed 's/^/# /' "$T/build-kernel-hmac.err"
		echo "Bail out! scripts/build-kernel with kernel/evm-hmac.cfg and kernel/systemd.cfg failed"
		exit 1
	}
	# shellcheck disable=SC2034 # KERNEL is a parameter of tests/vm/vm-lib.sh
	KERNEL=$_o/bzImage
}

# hmac_tpm_spk DIR: a new swtpm state in DIR with a storage primary key at
# 0x81000001 (swtpm_setup --create-spk), the trusted key's parent
hmac_tpm_spk() {
	mkdir -p "$1"
	swtpm_setup --tpm2 --tpmstate "$1" --create-spk --overwrite >"$T/swtpm_setup.log" 2>&1 ||
		{ sed 's/^/# /' "$T/swtpm_setup.log"; echo "Bail out! swtpm_setup --create-spk failed"; exit 1; }
}

# hmac_boot NAME TPM_STATE KERNEL_PARAMETERS: boots NAME from $T/initrd with
# the disk $T/disk.img kept (the next boot sees what this one wrote) and the
# TPM starting as TPM_STATE; its results
hmac_boot() {
	VM_ROOT_KEEP=yes VM_TPM_INIT="$2" vm_boot "$1" "$T/initrd" "$T/disk.img" yes "$3"
	vm_results "$1"
}

# hmac_tpm_left NAME DIR: the TPM state the boot NAME left, in DIR (its
# socket and log are swtpm's, not state)
hmac_tpm_left() {
	mkdir -p "$2"
	cp -a "$T/$1.tpm/." "$2/"
	rm -f "$2/sock" "$2/log"
}

# _chain_ext FILE: the extensions of an IMA signing certificate (what
# `imactl keygen signer` puts in one): not a CA, digitalSignature, SKI/AKI
_chain_ext() {
	cat > "$1" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

# chain_cert OUT ISSUER_CERT ISSUER_KEY CN: a new RSA-2048 key OUT.key and its
# certificate OUT.pem issued by ISSUER (any certificate: the leaf -> grandchild
# chain needs an issuer that is not a CA, which keygen rightly refuses)
chain_cert() {
	_chain_ext "$T/chain.ext"
	# shellcheck disable=SC2015 # the || branch reports a failure of either command
	openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" \
		-subj "/O=imactl tests/CN=$4" >/dev/null 2>&1 &&
	openssl x509 -req -in "$1.csr" -CA "$2" -CAkey "$3" -CAcreateserial \
		-CAserial "$T/chain.srl" -days 3650 -sha256 -extfile "$T/chain.ext" \
		-out "$1.pem" >/dev/null 2>&1 || { echo "Bail out! openssl: cannot make $4"; exit 1; }
	rm -f "$1.csr"
}

# chain_signer OUT CA_DIR CN: an IMA signing key issued by the CA, made by
# `imactl keygen signer` when imactl has it (OUT.key, OUT.pem)
chain_signer() {
	if "$IMACTL" keygen --help >/dev/null 2>&1; then
		rm -rf "$1.d"
		"$IMACTL" keygen signer --out "$1.d" --algo rsa-2048 --subject "O=imactl tests,CN=$3" \
			--ca-cert "$2/ca.pem" --ca-key "$2/ca.key" >/dev/null ||
			{ echo "Bail out! imactl keygen signer $3 failed"; exit 1; }
		cp "$1.d/privkey_ima.pem" "$1.key"
		openssl x509 -inform DER -in "$1.d/x509_ima.der" -out "$1.pem"
	else
		chain_cert "$1" "$2/ca.pem" "$2/ca.key" "$3"
	fi
}

# chain_selfsigned OUT CN: a self-signed certificate (OUT.key, OUT.pem)
chain_selfsigned() {
	openssl req -new -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" \
		-subj "/O=imactl tests/CN=$2" -days 3650 -sha256 \
		-addext "basicConstraints=critical,CA:FALSE" \
		-addext "keyUsage=critical,digitalSignature" >/dev/null 2>&1 ||
		{ echo "Bail out! openssl: cannot make $2"; exit 1; }
}

# hmac_vm_setup SCENARIO CN: the start of the EVM HMAC tests (vm_hmac,
# vm_hmac_layer): skips unless VM_SCENARIOS selects SCENARIO and keyctl,
# swtpm_setup and debugfs exist; our kernel (hmac_kernel: evm-hmac.cfg +
# systemd.cfg, the one vm_hmac_rootfs boots too) as KERNEL; a signer issued by the test CA
# compiled into it (strict rule: .ima and .evm take only keys that CA
# signed) as $T/signer.key, .pem and .d/ (named CN).
hmac_vm_setup() {
	if ! vm_wants "$1"; then
		echo "1..0 # SKIP VM_SCENARIOS does not select $1"
		exit 0
	fi
	for _p in keyctl swtpm_setup debugfs; do
		command -v $_p >/dev/null 2>&1 || { echo "1..0 # SKIP $_p missing (scripts/install-deps vm)"; exit 0; }
	done
	ensure_keys
	hmac_kernel
	# shellcheck disable=SC2034 # KMODULES is a parameter of tests/vm/vm-lib.sh
	KMODULES=""
	vm_setup
	chain_signer "$T/signer" "$("$SRC_ROOT/scripts/test-ca" test-ca)" "$2"
}
