#!/bin/sh
# Makes the throwaway test keys in DIR (in the build tree, never in git):
# for each of rsa2048 rsa4096 ec256 ec384: NAME.key (PKCS#8 PEM), NAME.pem and
# NAME.der (self-signed certificate with SKI=hash, CA:FALSE, digitalSignature),
# plus other.* (a second RSA key) and enc.key (rsa2048 encrypted, passphrase in
# enc.pass), trad.key (traditional RSA PEM), key.der (PKCS#8 DER).
set -eu
dir=$1
[ -f "$dir/.complete" ] && exit 0
# tests run in parallel: one makes the keys, the others wait for it
mkdir -p "$(dirname "$dir")"
exec 9>"$dir.lock"
flock 9
[ -f "$dir/.complete" ] && exit 0
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
cat > ext.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3
[dn]
O = imactl tests
CN = imactl test key (throwaway)
[v3]
basicConstraints = critical,CA:FALSE
keyUsage = digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
mk() { # name, genpkey args
	name=$1; shift
	openssl genpkey "$@" -out "$name.key" 2>/dev/null
	openssl req -x509 -new -key "$name.key" -out "$name.pem" -days 3650 -config ext.cnf -subj "/O=imactl tests/CN=$name" 2>/dev/null
	openssl x509 -in "$name.pem" -outform DER -out "$name.der"
}
mk rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
mk rsa4096 -algorithm RSA -pkeyopt rsa_keygen_bits:4096
mk ec256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
mk ec384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
mk other -algorithm RSA -pkeyopt rsa_keygen_bits:2048
printf 'correct horse battery staple\n' > enc.pass
openssl pkcs8 -topk8 -in rsa2048.key -out enc.key -v2 aes-256-cbc -passout file:enc.pass
openssl rsa -in rsa2048.key -traditional -out trad.key 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in ec256.key -outform DER -out key.der
chmod 600 ./*.key enc.pass
touch .complete
