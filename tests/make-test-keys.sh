#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Makes the throwaway test keys in DIR (in the build tree, never in git):
# for each of rsa2048 rsa4096 ec256 ec384: NAME.key (PKCS#8 PEM), NAME.pem and
# NAME.der (self-signed certificate made by imactl keygen self-signed),
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
# imactl keygen makes every key and certificate: self-signed, the extensions
# of an IMA signing certificate (critical CA:FALSE, digitalSignature,
# codeSigning, SKI=hash, AKI).  $IMACTL, else the imactl of this build tree.
imactl=${IMACTL:-$(cd ../.. && pwd)/imactl}
[ -x "$imactl" ] || { echo "make-test-keys: no imactl at $imactl (build first)" >&2; exit 1; }
mk() { # name, algo
	"$imactl" keygen self-signed --out "gen-$1" --algo "$2" --subject "O=imactl tests,CN=$1" >/dev/null
	mv "gen-$1/privkey_ima.pem" "$1.key"
	mv "gen-$1/x509_ima.der" "$1.der"
	rmdir "gen-$1"
	# the same certificate in PEM: a format conversion only
	openssl x509 -inform DER -in "$1.der" -out "$1.pem"
}
mk rsa2048 rsa-2048
mk rsa4096 rsa-4096
mk ec256 ec-p256
mk ec384 ec-p384
mk other rsa-2048
# other encodings of the same keys, for the key parser's tests
printf 'correct horse battery staple\n' > enc.pass
openssl pkcs8 -topk8 -in rsa2048.key -out enc.key -v2 aes-256-cbc -passout file:enc.pass
openssl rsa -in rsa2048.key -traditional -out trad.key 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in ec256.key -outform DER -out key.der
chmod 600 ./*.key enc.pass
touch .complete
