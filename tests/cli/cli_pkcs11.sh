#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Keys that never leave a PKCS#11 token: SoftHSM2 in a scratch directory, keys
# generated inside it (non-extractable) with pkcs11-tool, certificates for them
# made by imactl keygen, imactl sign with a pkcs11: URI, and Debian's evmctl
# verifying the result.  The token is opened once per run (pkcs11-spy counts
# the PKCS#11 calls).  Every bad input: wrong PIN, missing token/object, ...
. "$SRC_ROOT/tests/cli/lib.sh"
cd "$T" || exit 1
MODULE=/usr/lib/softhsm/libsofthsm2.so
SPY=/usr/lib/x86_64-linux-gnu/pkcs11-spy.so
if [ ! -f "$MODULE" ] || ! command -v pkcs11-tool >/dev/null || ! command -v softhsm2-util >/dev/null ||
	[ ! -f "$(openssl version -e | sed 's/.*"\(.*\)"/\1/')/pkcs11.so" ]; then
	skip "PKCS#11 tests" "softhsm2, opensc or libengine-pkcs11-openssl missing (scripts/install-deps hsm)"
	done_testing
	exit 0
fi

# the sanitizer build: libp11's own leaks are not ours (see the file)
export LSAN_OPTIONS="suppressions=$SRC_ROOT/tests/cli/lsan-pkcs11.supp:fast_unwind_on_malloc=0:print_suppressions=0"

# the token lives in this test's scratch directory
mkdir -p hsm/tokens
printf 'directories.tokendir = %s/hsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$T" > hsm/softhsm2.conf
export SOFTHSM2_CONF="$T/hsm/softhsm2.conf"
unset IMACTL_KEY_PASSWORD IMACTL_PKCS11_MODULE
printf '1234\n' > pin
printf '9999\n' > badpin
p11() { pkcs11-tool --module "$MODULE" --token-label imactl-test --login --pin 1234 "$@"; }

ok "a SoftHSM2 token" softhsm2-util --init-token --free --label imactl-test --pin 1234 --so-pin 123456
ok "an RSA-2048 key generated inside it" p11 --keypairgen --key-type rsa:2048 --id 01 --label ima-rsa --sensitive
ok "an EC P-256 key generated inside it" p11 --keypairgen --key-type EC:prime256v1 --id 02 --label ima-ec --sensitive
ok "list the token's objects" p11 --list-objects
like "the private key never leaves the token" "$T/out" 'never extractable'
like "... and is sensitive" "$T/out" 'Access: *sensitive'

RSA="pkcs11:token=imactl-test;object=ima-rsa"
EC="pkcs11:token=imactl-test;object=ima-ec"
MOD="module-path=$MODULE"
"$IMACTL" keygen debug --out ca >/dev/null

# certificates for the token keys: CA-signed (RSA) and self-signed (EC)
ok "keygen signer --key URI certifies the token key" "$IMACTL" keygen signer --key "$RSA?$MOD" \
	--pass-file pin --ca-cert ca/ima-local-ca.pem --ca-key ca/ima-local-ca.priv --out rsa --subject "CN=token rsa"
is "no private key file is written for a token key" "$(ls rsa)" "$(printf 'csr_ima.pem\nx509_ima.der')"
ok "openssl verify accepts the chain" openssl verify -CAfile ca/ima-local-ca.pem rsa/x509_ima.der
ok "the CSR was signed inside the token" openssl req -in rsa/csr_ima.pem -noout -verify
ok "cert check --ca" "$IMACTL" cert check --ca ca/ima-local-ca.pem rsa/x509_ima.der
ok "keygen self-signed --key URI (module from IMACTL_PKCS11_MODULE)" env IMACTL_PKCS11_MODULE="$MODULE" \
	"$IMACTL" keygen self-signed --key "$EC" --pass-file pin --out ec
ok "the self-signed certificate verifies with its own key" sh -c \
	"openssl x509 -in ec/x509_ima.der -out ec.pem && openssl verify -CAfile ec.pem ec.pem"
# a CA whose key never leaves the token: keygen ca --key URI, then signers
# issued with --ca-key URI; the chain verifies with openssl and imactl
ok "an RSA-2048 CA key generated inside the token" p11 --keypairgen --key-type rsa:2048 --id 03 --label ima-ca --sensitive
CA="pkcs11:token=imactl-test;object=ima-ca?$MOD"
ok "keygen ca --key URI certifies the token key as a CA" "$IMACTL" keygen ca --key "$CA" \
	--pass-file pin --out tokca --subject "CN=token CA"
is "... no private key file is written" "$(ls tokca)" "$(printf 'ima-local-ca.pem\nima-local-ca.x509')"
ok "... the CA certificate is self-signed by the token key" openssl verify -CAfile tokca/ima-local-ca.pem tokca/ima-local-ca.pem
like "... with CA:TRUE" "$T/out" "OK"
ok "keygen signer --ca-key URI: the token CA issues a signer" env IMACTL_KEY_PASSWORD=1234 "$IMACTL" keygen signer \
	--ca-cert tokca/ima-local-ca.pem --ca-key "$CA" --out tokca-signer --algo ec-p256
ok "... openssl verify accepts the chain" openssl verify -CAfile tokca/ima-local-ca.pem tokca-signer/x509_ima.der
ok "... cert check --ca" "$IMACTL" cert check --ca tokca/ima-local-ca.pem tokca-signer/x509_ima.der
openssl x509 -in tokca/ima-local-ca.pem -noout -text > tokca.txt
like "... the CA has basicConstraints CA:TRUE" tokca.txt "CA:TRUE"
like "... and keyCertSign" tokca.txt "Certificate Sign"
fails 2 "keygen debug --key is refused (debug makes its own keys)" "$IMACTL" keygen debug --key "$CA" --pass-file pin --out nodebug
like "... saying where --key goes" "$T/err" "goes with 'ca', 'signer' or 'self-signed'"

kid_rsa=$("$IMACTL" keyid rsa/x509_ima.der)
ski=$(openssl x509 -in rsa/x509_ima.der -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :\n' | tr 'A-F' 'a-f')
is "imactl keyid = last 4 bytes of the SKI" "$kid_rsa" "$(printf %s "$ski" | tail -c 8)"

# ---- signing ----
for i in 1 2 3 4 5; do printf 'file %s\n' "$i" > "f$i"; done
ok "sign with the RSA token key (PIN from --pass-file)" "$IMACTL" sign --xattr-user --key "$RSA?$MOD" \
	--cert rsa/x509_ima.der --pass-file pin f1 f2 f3
ok "imactl verifies" "$IMACTL" verify --xattr-user --cert rsa/x509_ima.der f1 f2 f3
ok "show" "$IMACTL" show --xattr-user f1
like "the signature carries the certificate's keyid" "$T/out" "signature v2, sha256, keyid $kid_rsa, 256-byte"
ok "PIN from IMACTL_KEY_PASSWORD, module from the environment" env IMACTL_KEY_PASSWORD=1234 \
	IMACTL_PKCS11_MODULE="$MODULE" "$IMACTL" sign --xattr-user --key "$EC" --cert ec/x509_ima.der --evm portable f4
ok "EC token signature + EVM verify" "$IMACTL" verify --xattr-user --evm --cert ec/x509_ima.der f4
ok "PIN from pin-source= in the URI" "$IMACTL" sign --xattr-user --key "$RSA?pin-source=file:$T/pin&$MOD" \
	--keyid "$kid_rsa" f5
ok "... verifies" "$IMACTL" verify --xattr-user --cert rsa/x509_ima.der f5
mkfifo pinfifo
fails 3 "a FIFO as pin-source= is refused without waiting" timeout 60 "$IMACTL" sign --xattr-user \
	--key "$RSA?pin-source=file:$T/pinfifo&$MOD" --keyid "$kid_rsa" f5
like "... named, as not a regular file" "$T/err" 'pinfifo: not a regular file'

# opened once per run: pkcs11-spy logs every PKCS#11 call
for i in $(seq 1 20); do printf 'many %s\n' "$i" > "m$i"; done
if [ -f "$SPY" ]; then
	ok "sign 20 files through pkcs11-spy" env PKCS11SPY="$MODULE" PKCS11SPY_OUTPUT="$T/spy.log" \
		"$IMACTL" sign --xattr-user --key "$RSA?module-path=$SPY" --cert rsa/x509_ima.der --pass-file pin m*
	is "the module is initialized once" "$(grep -c 'C_Initialize' spy.log)" 1
	is "one login for 20 files" "$(grep -c 'C_Login' spy.log)" 1
	is "20 signatures made by the token" "$(grep -c '^[0-9]*: C_Sign$' spy.log)" 20
else
	skip "the token is opened once per run" "no pkcs11-spy"
fi
ok "all 20 verify" "$IMACTL" verify --xattr-user --cert rsa/x509_ima.der m*

# sign-tree: its threads share the one token key (concurrent sessions)
mkdir tree
for i in $(seq 1 40); do printf 'tree %s\n' "$i" > "tree/t$i"; done
if "$IMACTL" help sign-tree >/dev/null 2>&1; then
	ok "sign-tree --jobs 4 with the token key" "$IMACTL" sign-tree --xattr-user --jobs 4 \
		--key "$RSA?$MOD" --cert rsa/x509_ima.der --pass-file pin tree
	ok "every file of the tree verifies (IMA and EVM)" "$IMACTL" verify --xattr-user --evm --cert rsa/x509_ima.der tree/*
	is "... all 40" "$(grep -c ': OK' "$T/out")" 40
	# the signature cache with a token key: no MAC key (the private half never
	# leaves the token), so each value is verified when stored and when reused
	ok "sign-tree --cache with the token key (cold)" "$IMACTL" sign-tree --xattr-user --jobs 4 \
		--key "$RSA?$MOD" --cert rsa/x509_ima.der --pass-file pin --cache "$T/tcache" tree
	like "... 80 signed by the token, each verified before it is stored" "$T/out" \
		'signatures: 0 reused from the cache, 80 verified with the key, 80 newly signed, 0 cache entries rejected'
	ok "sign-tree --cache with the token key (warm)" "$IMACTL" sign-tree --xattr-user --jobs 4 \
		--key "$RSA?$MOD" --cert rsa/x509_ima.der --pass-file pin --cache "$T/tcache" tree
	like "... all 80 reused, each verified with the key" "$T/out" \
		'signatures: 80 reused from the cache, 80 verified with the key, 0 newly signed, 0 cache entries rejected'
	ok "... and they verify (IMA and EVM)" "$IMACTL" verify --xattr-user --evm --cert rsa/x509_ima.der tree/*
	if setfattr -n security.ima -v 0x00 tree/t1 2>/dev/null; then
		ok "sign-tree security.* with the token key" "$IMACTL" sign-tree --jobs 4 \
			--key "$RSA?$MOD" --cert rsa/x509_ima.der --pass-file pin tree
		bad=0
		for f in tree/*; do evmctl ima_verify --key rsa/x509_ima.der "$f" >/dev/null 2>&1 || bad=$((bad + 1)); done
		is "evmctl ima_verify accepts all 40" "$bad" 0
	else
		skip "evmctl verifies sign-tree's token signatures" "no security.* xattrs here (not root?)"
	fi
else
	skip "sign-tree with the token key" "no sign-tree command in this build"
fi

# Debian's evmctl verifies token signatures; and signs byte-identically (RSA
# PKCS#1 v1.5 is deterministic) through the same engine.  security.ima needs root.
printf 'evm interop\n' > g1
if setfattr -n security.ima -v 0x00 g1 2>/dev/null; then
	ok "sign security.ima with the token key" "$IMACTL" sign --key "$RSA?$MOD" --cert rsa/x509_ima.der --pass-file pin g1
	ok "evmctl ima_verify --key cert.der accepts it" evmctl ima_verify --key rsa/x509_ima.der g1
	ours=$(xattr_hex security.ima g1)
	# (libp11's default module, p11-kit's proxy, reaches SoftHSM through SOFTHSM2_CONF)
	ok "evmctl signs with the same token key (engine)" evmctl ima_sign --engine pkcs11 \
		--keyid "$kid_rsa" --key "$RSA;pin-value=1234" g1
	is "imactl and evmctl signatures from the token are byte-identical" "$(xattr_hex security.ima g1)" "$ours"
	ok "sign security.ima with the EC token key" env IMACTL_PKCS11_MODULE="$MODULE" "$IMACTL" sign --key "$EC" \
		--cert ec/x509_ima.der --pass-file pin g1
	ok "evmctl verifies the EC token signature" evmctl ima_verify --key ec/x509_ima.der g1
else
	skip "evmctl verifies token signatures" "no security.* xattrs here (not root?)"
fi

# ---- bad input ----
fails 3 "a wrong PIN" "$IMACTL" sign --xattr-user --key "$RSA?$MOD" --pass-file badpin f1
like "... says so" "$T/err" 'the token refused the PIN'
fails 3 "no PIN at all (no terminal, no file, no environment)" setsid "$IMACTL" sign --xattr-user --key "$RSA?$MOD" f1
like "... says where a PIN comes from" "$T/err" 'no passphrase or PIN: use --pass-file or IMACTL_KEY_PASSWORD'
fails 3 "a missing object" "$IMACTL" sign --xattr-user --key "pkcs11:token=imactl-test;object=nope?$MOD" --pass-file pin f1
like "... says so" "$T/err" 'object=nope: no such private key'
fails 3 "a missing token" "$IMACTL" sign --xattr-user --key "pkcs11:token=nosuch;object=ima-rsa?$MOD" --pass-file pin f1
like "... says so" "$T/err" 'token=nosuch;object=ima-rsa: no such token'
fails 3 "a missing token, through p11-kit's proxy (no module-path)" "$IMACTL" sign --xattr-user --key "pkcs11:token=nosuch;object=ima-rsa" --pass-file pin f1
like "... says so" "$T/err" 'token=nosuch;object=ima-rsa: no such token'
fails 3 "a missing object, through p11-kit's proxy" "$IMACTL" sign --xattr-user --key "pkcs11:token=imactl-test;object=nope" --pass-file pin f1
like "... says so" "$T/err" 'object=nope: no such private key'
fails 3 "a missing module" "$IMACTL" sign --xattr-user --key "$RSA?module-path=$T/nonexistent.so" --pass-file pin f1
like "... is named" "$T/err" 'nonexistent.so'
fails 3 "pin-value in argv is refused" "$IMACTL" sign --xattr-user --key "$RSA;pin-value=1234?$MOD" f1
like "... with the reason" "$T/err" 'puts the PIN on the command line'
fails 3 "a token key that does not match --cert" "$IMACTL" sign --xattr-user --key "$RSA?$MOD" --pass-file pin --cert ec/x509_ima.der f1
like "... is refused" "$T/err" 'does not match the certificate ec/x509_ima.der'
fails 3 "keygen --key with a wrong PIN writes nothing" "$IMACTL" keygen self-signed --key "$RSA?$MOD" --pass-file badpin --out nothing
_result "$([ ! -e nothing ] && echo 0 || echo 1)" "... not even the directory"
for f in f1 f2 f3; do :; done
ok "after all failures the files still verify" "$IMACTL" verify --xattr-user --cert rsa/x509_ima.der f1 f2 f3
done_testing
