#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# imactl keygen and imactl cert check: files, modes, extensions, chains,
# keyids (imactl = evmctl = SKI), passphrases, and every bad input refused
# with nothing left behind.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
# ext CERT NAME: the text of one extension as openssl prints it, on one line
ext() {
	openssl x509 -in "$1" -noout -ext "$2" 2>/dev/null | tr -s ' \n' ' ' | sed 's/ $//'
}
ski_keyid() {
	openssl x509 -in "$1" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :\n' |
		tr 'A-F' 'a-f' | tail -c 8
}
# evmctl's keyid for a private key, from its verbose ima_sign output
evmctl_keyid() { # key
	printf 'x' > "$T/evm-probe"
	printf '%08x' "0x$(evmctl -v ima_sign --key "$1" "$T/evm-probe" 2>&1 | sed -n 's/^.*keyid: \([0-9a-f]*\)$/\1/p' | tail -1)"
}
mode() { stat -c %a "$1"; }
leftovers() { find "$1" -name '.*.tmp' | wc -l; }

for c in keygen cert; do
	ok "help $c" "$IMACTL" help "$c"
	like "help $c has a usage line" "$T/out" "^Usage: imactl $c "
done

# ---- the debug set: CA + signer ----
ok "keygen debug" "$IMACTL" keygen debug --out dbg
is "keygen debug prints the six files" "$(wc -l < "$T/out")" 6
for f in ima-local-ca.priv ima-local-ca.pem ima-local-ca.x509 privkey_ima.pem csr_ima.pem x509_ima.der; do
	_result "$([ -s "dbg/$f" ] && echo 0 || echo 1)" "debug set has $f"
done
is "CA key is mode 600" "$(mode dbg/ima-local-ca.priv)" 600
is "signer key is mode 600" "$(mode dbg/privkey_ima.pem)" 600
is "no temporary files are left" "$(leftovers dbg)" 0
like "debug CA says so in its subject" dbg/ima-local-ca.pem . # (exists)
subj=$(openssl x509 -in dbg/ima-local-ca.pem -noout -subject)
case "$subj" in *"debug - never use in production"*) r=0 ;; *) r=1 ;; esac
_result $r "debug CA subject is labelled 'debug - never use in production'" "$subj"
subj=$(openssl x509 -in dbg/x509_ima.der -noout -subject)
case "$subj" in *"debug - never use in production"*) r=0 ;; *) r=1 ;; esac
_result $r "debug signer subject is labelled too" "$subj"
ok "openssl verify -CAfile accepts the debug chain" openssl verify -CAfile dbg/ima-local-ca.pem dbg/x509_ima.der
ok "the CSR is signed by the signer key" openssl req -in dbg/csr_ima.pem -noout -verify
is "ima-local-ca.x509 is the DER of ima-local-ca.pem" \
	"$(openssl x509 -in dbg/ima-local-ca.x509 -inform DER -outform DER | sha256sum)" \
	"$(openssl x509 -in dbg/ima-local-ca.pem -outform DER | sha256sum)"

fails 3 "keygen debug does not overwrite" "$IMACTL" keygen debug --out dbg
like "it names the existing file" "$T/err" 'dbg/ima-local-ca.priv exists: not replaced \(use --force'
sum_before=$(sha256sum dbg/privkey_ima.pem)
is "the existing key is untouched" "$(sha256sum dbg/privkey_ima.pem)" "$sum_before"
ok "keygen debug --force replaces" "$IMACTL" keygen debug --out dbg --force
_result "$([ "$(sha256sum dbg/privkey_ima.pem)" != "$sum_before" ] && echo 0 || echo 1)" "--force wrote a new key"

# ---- CA + signer, each algorithm ----
for algo in rsa-2048 ec-p256 ec-p384; do
	ad=$algo
	ok "keygen ca --algo $algo" "$IMACTL" keygen ca --out "$ad/ca" --algo "$algo" --subject "O=imactl tests,CN=CA $algo" --days 400
	ok "keygen signer --algo $algo" "$IMACTL" keygen signer --ca-cert "$ad/ca/ima-local-ca.pem" \
		--ca-key "$ad/ca/ima-local-ca.priv" --out "$ad/signer" --algo "$algo" --subject "/O=imactl tests/CN=signer $algo"
	ok "openssl verify accepts the $algo chain" openssl verify -CAfile "$ad/ca/ima-local-ca.pem" "$ad/signer/x509_ima.der"
	ca=$ad/ca/ima-local-ca.pem; crt=$ad/signer/x509_ima.der
	is "$algo CA: basicConstraints" "$(ext "$ca" basicConstraints)" "X509v3 Basic Constraints: CA:TRUE"
	is "$algo CA: keyUsage" "$(ext "$ca" keyUsage)" "X509v3 Key Usage: Certificate Sign, CRL Sign"
	is "$algo CA: AKI = its SKI" "$(ext "$ca" authorityKeyIdentifier | sed 's/.*: //')" "$(ext "$ca" subjectKeyIdentifier | sed 's/.*: //')"
	is "$algo signer: basicConstraints" "$(ext "$crt" basicConstraints)" "X509v3 Basic Constraints: critical CA:FALSE"
	is "$algo signer: keyUsage" "$(ext "$crt" keyUsage)" "X509v3 Key Usage: Digital Signature"
	is "$algo signer: extendedKeyUsage" "$(ext "$crt" extendedKeyUsage)" "X509v3 Extended Key Usage: critical Code Signing"
	is "$algo signer: AKI = CA's SKI" "$(ext "$crt" authorityKeyIdentifier | sed 's/.*: //')" "$(ext "$ca" subjectKeyIdentifier | sed 's/.*: //')"
	is "$algo signer: subject from --subject" "$(openssl x509 -in "$crt" -noout -subject)" "subject=O = imactl tests, CN = signer $algo"
	serial=$(openssl x509 -in "$crt" -noout -serial | sed 's/serial=//')
	is "$algo signer: 16-byte serial" "${#serial}" 32
	_result "$([ "$serial" != "$(openssl x509 -in "$ca" -noout -serial | sed 's/serial=//')" ] && echo 0 || echo 1)" "$algo: serials differ"
	is "$algo: no serial file left behind" "$(find "$ad/ca" "$ad/signer" -iname '*srl*' | wc -l)" 0
	kid=$("$IMACTL" keyid "$crt")
	is "$algo: imactl keyid = last 4 bytes of the SKI" "$kid" "$(ski_keyid "$crt")"
	is "$algo: evmctl's keyid = imactl's" "$(evmctl_keyid "$ad/signer/privkey_ima.pem")" "$kid"
	printf 'content %s\n' "$algo" > "file-$algo"
	ok "$algo: imactl sign with the new key" "$IMACTL" sign --key "$ad/signer/privkey_ima.pem" --cert "$crt" "file-$algo" --xattr-user
	ok "$algo: imactl cert check --ca passes" "$IMACTL" cert check --ca "$ca" "$crt"
	like "$algo: cert check names the keyid" "$T/out" "usable for IMA, keyid $kid, 0 warnings"
done
is "the signer ends with its 400-day CA" "$(openssl x509 -in ec-p256/signer/x509_ima.der -noout -enddate)" \
	"$(openssl x509 -in ec-p256/ca/ima-local-ca.pem -noout -enddate)"
# evmctl verifies a signature made with a keygen key (security.ima needs root; user.* for evmctl is not possible)
if setfattr -n security.ima -v 0x00 "$T/file-rsa-2048" 2>/dev/null; then
	ok "sign security.ima with the keygen key" "$IMACTL" sign --key rsa-2048/signer/privkey_ima.pem --cert rsa-2048/signer/x509_ima.der "file-rsa-2048"
	ok "evmctl ima_verify accepts it" evmctl ima_verify --key rsa-2048/signer/x509_ima.der "file-rsa-2048"
else
	skip "evmctl verifies a keygen key's signature" "no security.* xattrs here (not root?)"
fi

# the running kernel's x509 parser takes the RSA certificates (a keyring of
# this test's own session; the VM tests load them for appraisal)
if command -v keyctl >/dev/null && keyctl session - true >/dev/null 2>&1; then
	# shellcheck disable=SC2016 # the sh -c script expands its own $r
	ok "the running kernel parses the debug CA and signer certificates" keyctl session - sh -c \
		'r=$(keyctl newring _imactl_test @s) && keyctl padd asymmetric "" $r < dbg/ima-local-ca.x509 &&
		 keyctl padd asymmetric "" $r < dbg/x509_ima.der && keyctl padd asymmetric "" $r < rsa-2048/signer/x509_ima.der'
else
	skip "the running kernel parses the certificates" "no keyctl or no session keyring here"
fi

ok "keygen self-signed" "$IMACTL" keygen self-signed --out self --algo ec-p256
is "self-signed writes two files" "$(ls self)" "$(printf 'privkey_ima.pem\nx509_ima.der')"
ok "openssl verify accepts the self-signed cert as its own anchor" \
	sh -c "openssl x509 -in self/x509_ima.der -out self.pem && openssl verify -CAfile self.pem self.pem"
is "self-signed: signer extensions" "$(ext self/x509_ima.der basicConstraints)" "X509v3 Basic Constraints: critical CA:FALSE"
ok "cert check of the self-signed cert" "$IMACTL" cert check self/x509_ima.der
like "it says how to load it" "$T/out" 'ok: self-signed: load it into the _ima keyring'

# ---- passphrases ----
printf 'ca secret\n' > ca.pass
printf 'not it\n' > wrong.pass
ok "keygen ca --pass-file encrypts the key" "$IMACTL" keygen ca --out enc --algo ec-p256 --pass-file ca.pass
like "the CA key is an encrypted PKCS#8" enc/ima-local-ca.priv 'BEGIN ENCRYPTED PRIVATE KEY'
ok "openssl opens it with the passphrase" openssl pkey -in enc/ima-local-ca.priv -passin file:ca.pass -noout
ok "signer with --ca-pass-file" "$IMACTL" keygen signer --ca-cert enc/ima-local-ca.pem --ca-key enc/ima-local-ca.priv --ca-pass-file ca.pass --out enc --algo ec-p256
ok "signer with IMACTL_KEY_PASSWORD" env IMACTL_KEY_PASSWORD='ca secret' "$IMACTL" keygen signer --ca-cert enc/ima-local-ca.pem --ca-key enc/ima-local-ca.priv --out enc2 --algo ec-p256
fails 3 "a wrong CA passphrase is refused" "$IMACTL" keygen signer --ca-cert enc/ima-local-ca.pem --ca-key enc/ima-local-ca.priv --ca-pass-file wrong.pass --out enc3
like "... with a clear message" "$T/err" 'ima-local-ca.priv: cannot decrypt the private key: wrong passphrase$'
_result "$(grep -q -i 'error:' "$T/err" && echo 1 || echo 0)" "... and no OpenSSL error dump" "$(cat "$T/err")"
_result "$([ ! -e enc3 ] || [ -z "$(ls -A enc3)" ] && echo 0 || echo 1)" "... and nothing written"
fails 3 "an encrypted CA key without a passphrase (no terminal)" env -u IMACTL_KEY_PASSWORD setsid "$IMACTL" keygen signer --ca-cert enc/ima-local-ca.pem --ca-key enc/ima-local-ca.priv --out enc4
like "... says where a passphrase comes from" "$T/err" 'use --pass-file or IMACTL_KEY_PASSWORD'
ok "keygen signer --encrypt takes IMACTL_KEY_PASSWORD" env IMACTL_KEY_PASSWORD='new one' "$IMACTL" keygen self-signed --out enc5 --algo ec-p256 --encrypt
like "... and encrypts" enc5/privkey_ima.pem 'BEGIN ENCRYPTED PRIVATE KEY'
printf 'new one\n' > new.pass
ok "sign with the encrypted key and --pass-file" "$IMACTL" sign --xattr-user --key enc5/privkey_ima.pem --cert enc5/x509_ima.der --pass-file new.pass file-ec-p256
fails 3 "sign with a wrong passphrase fails" "$IMACTL" sign --xattr-user --key enc5/privkey_ima.pem --pass-file wrong.pass file-ec-p256
like "... saying 'wrong passphrase'" "$T/err" 'privkey_ima.pem: cannot decrypt the private key: wrong passphrase$'
: > empty.pass
fails 3 "an empty passphrase for a new key is refused" "$IMACTL" keygen self-signed --out enc6 --pass-file empty.pass
like "... with a reason" "$T/err" 'passphrase is empty'
_result "$([ ! -e enc6 ] && echo 0 || echo 1)" "... and nothing written (not even the directory)"

# ---- bad input ----
fails 2 "keygen without a kind" "$IMACTL" keygen --out x
fails 2 "keygen with an unknown kind" "$IMACTL" keygen intermediate --out x
fails 2 "keygen without --out" "$IMACTL" keygen ca
fails 2 "unknown --algo" "$IMACTL" keygen ca --out x --algo ed25519
like "... lists the algorithms" "$T/err" 'ec-p256, ec-p384, rsa-2048, rsa-3072 or rsa-4096'
fails 2 "--days 0" "$IMACTL" keygen ca --out x --days 0
fails 2 "--days junk" "$IMACTL" keygen ca --out x --days 10x
fails 2 "signer without --ca-key" "$IMACTL" keygen signer --out x --ca-cert dbg/ima-local-ca.pem
fails 2 "ca with --ca-cert" "$IMACTL" keygen ca --out x --ca-cert dbg/ima-local-ca.pem --ca-key dbg/ima-local-ca.priv
fails 2 "debug with --subject" "$IMACTL" keygen debug --out x --subject CN=x
fails 2 "repeated option" "$IMACTL" keygen ca --out x --out y
fails 2 "extra argument" "$IMACTL" keygen ca --out x extra
fails 3 "a malformed --subject" "$IMACTL" keygen ca --out badsubj --subject "CN"
like "... is explained" "$T/err" "'CN' is not KEY=VALUE"
fails 3 "an unknown subject attribute" "$IMACTL" keygen ca --out badsubj --subject "XX=1"
like "... is named" "$T/err" "unknown attribute 'XX'"
_result "$([ ! -e badsubj ] && echo 0 || echo 1)" "bad subjects leave nothing"
fails 3 "a CA key that does not match the CA certificate" "$IMACTL" keygen signer --ca-cert dbg/ima-local-ca.pem --ca-key rsa-2048/ca/ima-local-ca.priv --out mism
like "... is named as such" "$T/err" 'the CA private key does not match the CA certificate'
_result "$([ ! -e mism ] && echo 0 || echo 1)" "... and nothing is written"
fails 3 "a CA certificate that is not a CA" "$IMACTL" keygen signer --ca-cert dbg/x509_ima.der --ca-key dbg/privkey_ima.pem --out notca
like "... is refused" "$T/err" 'not a CA \(basicConstraints CA:TRUE missing\)'
fails 3 "a CA certificate file that is not a certificate" "$IMACTL" keygen signer --ca-cert ca.pass --ca-key dbg/ima-local-ca.priv --out notcert
like "... is named" "$T/err" 'ca.pass: not an X.509 certificate'
fails 3 "a CA key that is not a key" "$IMACTL" keygen signer --ca-cert dbg/ima-local-ca.pem --ca-key ca.pass --out notkey
like "... is named" "$T/err" 'ca.pass: not a private key'
mkdir ro && chmod 500 ro
if [ "$(id -u)" != 0 ]; then
	fails 3 "an unwritable directory" "$IMACTL" keygen ca --out ro --algo ec-p256
else
	skip "an unwritable directory" "root writes anywhere"
fi
# a file in place of one of the outputs, with --force: replaced as a whole set
mkdir part && printf 'old\n' > part/x509_ima.der
fails 3 "one existing output blocks the whole set" "$IMACTL" keygen self-signed --out part --algo ec-p256
is "... and nothing else is written" "$(ls part)" "x509_ima.der"

# ---- cert check: findings and exit codes ----
ok "cert check of a test key (self-signed, SKI)" "$IMACTL" cert check "$KEYS/rsa2048.pem"
fails 1 "a CA certificate is not a signing certificate" "$IMACTL" cert check dbg/ima-local-ca.pem
like "... CA:TRUE is an error" "$T/out" 'error: basicConstraints CA:TRUE'
like "... missing digitalSignature is an error" "$T/out" 'error: keyUsage lacks digitalSignature'
like "... and the verdict" "$T/out" 'NOT usable for IMA: 2 errors'
fails 1 "an expired certificate (--at after notAfter)" "$IMACTL" cert check --at 2099-01-01 dbg/x509_ima.der
like "... says expired" "$T/out" 'error: expired on '
fails 1 "a not-yet-valid certificate" "$IMACTL" cert check --at 2001-01-01 dbg/x509_ima.der
like "... says not valid yet" "$T/out" 'error: not valid yet: valid from '
fails 1 "the wrong CA" "$IMACTL" cert check --ca rsa-2048/ca/ima-local-ca.pem dbg/x509_ima.der
like "... names the chain problem" "$T/out" 'error: not issued by this CA'
fails 1 "--ca with a non-CA" "$IMACTL" cert check --ca self/x509_ima.der self/x509_ima.der
like "... the CA is checked too" "$T/out" 'error: not a CA: basicConstraints CA:TRUE is missing'
fails 3 "cert check of a non-certificate" "$IMACTL" cert check ca.pass
like "... names the file" "$T/err" 'ca.pass: not an X.509 certificate'
fails 3 "cert check of a missing file" "$IMACTL" cert check nonexistent.der
fails 2 "cert check --at junk" "$IMACTL" cert check --at yesterday dbg/x509_ima.der
fails 2 "cert without check" "$IMACTL" cert dbg/x509_ima.der
fails 2 "cert check of two certs" "$IMACTL" cert check a b

cat > noski.cnf <<'EOF'
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3
[dn]
CN = no ski
[v3]
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature
subjectKeyIdentifier = none
authorityKeyIdentifier = none
EOF
openssl req -x509 -new -key "$KEYS/ec256.key" -out noski.pem -days 30 -config noski.cnf 2>/dev/null
fails 1 "a certificate without SKI" "$IMACTL" cert check noski.pem
like "... is an error that says why" "$T/out" 'error: no subjectKeyIdentifier: the kernel cannot find the key'
like "... and warns that it expires soon" "$T/out" 'warning: expires within 30 days'
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out k1.key 2>/dev/null
sed 's/CN = no ski/CN = k1/; s/subjectKeyIdentifier = none/subjectKeyIdentifier = hash/' noski.cnf > k1.cnf
openssl req -x509 -new -key k1.key -out k1.pem -days 365 -config k1.cnf 2>/dev/null
fails 1 "a curve the kernel cannot use" "$IMACTL" cert check k1.pem
like "... is named" "$T/out" 'error: public key: EC curve secp256k1: the kernel verifies only P-256 and P-384'
fails 3 "sign refuses a key of that curve" "$IMACTL" sign --xattr-user --key k1.key file-ec-p256
like "... with a message" "$T/err" 'EC curve secp256k1 is not supported by the kernel'

# an expired certificate: signing works (the kernel ignores validity) with a warning
cat > ca.cnf <<'EOF'
[ca]
default_ca = d
[d]
database = index.txt
new_certs_dir = .
default_md = sha256
policy = p
rand_serial = yes
copy_extensions = none
x509_extensions = v3
[p]
commonName = supplied
[v3]
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
: > index.txt
openssl req -new -key "$KEYS/ec256.key" -subj "/CN=expired" -out old.csr 2>/dev/null
openssl ca -batch -config ca.cnf -selfsign -keyfile "$KEYS/ec256.key" -in old.csr -out old.pem \
	-startdate 20200101000000Z -enddate 20210101000000Z >/dev/null 2>&1
ok "sign with an expired certificate works" "$IMACTL" sign --xattr-user --key "$KEYS/ec256.key" --cert old.pem file-ec-p256
like "... with a warning" "$T/err" 'warning: the certificate old.pem is expired'
fails 1 "cert check calls it an error" "$IMACTL" cert check old.pem
like "... expired on 2021-01-01" "$T/out" 'error: expired on 2021-01-01'
fails 3 "sign refuses a key that does not match --cert" "$IMACTL" sign --xattr-user --key "$KEYS/ec256.key" --cert dbg/x509_ima.der file-ec-p256
like "... saying why" "$T/err" 'does not match the certificate dbg/x509_ima.der: signatures could never verify'
done_testing
