#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# log verify on ima-modsig entries: files with a real appended signature
# (made by the kernel's sign-file from Debian's linux-kbuild, and by
# openssl cms plus the module_signature trailer), logged as the kernel logs
# them (tests/modsig-entry.py), checked against --cert.  Damaged entries keep
# a correct template hash, so only the appended-signature check can tell.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
ENTRY="python3 $SRC_ROOT/tests/modsig-entry.py"
# shellcheck disable=SC2012 # Debian's paths: no blanks
SIGN_FILE=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -1)
MAGIC='~Module signature appended~'

# append DER-PKCS7 FILE OUT: FILE + PKCS#7 + struct module_signature
# (id_type 2 = PKCS#7, sig_len big-endian) + the magic, like sign-file
append() {
	python3 -c 'import struct, sys
body = open(sys.argv[1], "rb").read(); p7 = open(sys.argv[2], "rb").read()
info = bytes([0, 0, 2, 0, 0, 0, 0, 0]) + struct.pack(">I", len(p7))
open(sys.argv[3], "wb").write(body + p7 + info + b"~Module signature appended~\n")' "$@"
}

head -c 5000 /dev/urandom > body
cp body tampered; printf 'x' | dd of=tampered bs=1 seek=100 conv=notrunc 2>/dev/null

# ---- made by openssl cms: always available ------------------------------
openssl cms -sign -binary -noattr -nocerts -nosmimecap -md sha256 -in body \
	-signer "$KEYS/rsa2048.pem" -inkey "$KEYS/rsa2048.key" -outform DER -out cms.p7
append body cms.p7 cms.ko
like "the file ends with the module signature magic" cms.ko "$MAGIC"
$ENTRY binary cms.ko /lib/modules/cms.ko > cms.bin
$ENTRY ascii cms.ko /lib/modules/cms.ko > cms.asc
ok "openssl cms appended signature verifies (binary list)" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" cms.bin
like "... counted good" "$T/out" '^signatures: 1 good, 0 bad, 0 unknown key, 0 unsigned, 0 not checkable'
ok "... (ascii list)" "$IMACTL" log verify --cert "$KEYS/rsa2048.der" cms.asc
like "... counted good" "$T/out" '^signatures: 1 good, 0 bad'
fails 1 "the wrong certificate: unknown key" "$IMACTL" log verify --cert "$KEYS/other.pem" cms.bin
like "... counted" "$T/out" '^signatures: 0 good, 0 bad, 1 unknown key'
like "... naming entry and path" "$T/err" 'entry 1 \(/lib/modules/cms.ko\): signed by an unknown key \(its issuer and serial number'
ok "with both certificates it verifies" "$IMACTL" log verify --cert "$KEYS/other.pem" --cert "$KEYS/rsa2048.pem" cms.bin
ok "without --cert the signature is not checked" "$IMACTL" log verify cms.bin

# flipped bits in the signature value, in d-modsig, and a changed file
$ENTRY binary cms.ko /lib/modules/cms.ko --flip-sig 5 > flip.bin
fails 1 "a flipped bit in the signature value is detected" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" flip.bin
like "... as a bad appended signature of entry 1" "$T/err" 'entry 1 \(/lib/modules/cms.ko\): bad appended signature'
like "... and counted bad" "$T/out" '^signatures: 0 good, 1 bad'
$ENTRY ascii cms.ko /lib/modules/cms.ko --flip-sig 5 > flip.asc
fails 1 "... also in an ascii list" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" flip.asc
$ENTRY binary cms.ko /lib/modules/cms.ko --dmodsig-of tampered > tamper.bin
fails 1 "a changed file (d-modsig of other content) is detected" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" tamper.bin
like "... bad appended signature" "$T/err" 'bad appended signature'
$ENTRY binary cms.ko /lib/modules/cms.ko --dmodsig-algo sha512 > algo.bin
fails 1 "d-modsig with another algorithm than the signature's fails" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" algo.bin
like "... said so" "$T/err" "digest algorithm is not d-modsig's"
# the flipped bit without recomputing the template hash: caught before the signature
python3 -c 'import sys; d = bytearray(open("cms.bin", "rb").read()); d[-3] ^= 1; open("raw.bin", "wb").write(d)'
fails 1 "a flipped byte in the list itself: template hash" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" raw.bin
like "... said so" "$T/err" 'template hash does not match'

# what the kernel refuses in a module-style signature is bad here too
openssl cms -sign -binary -nocerts -md sha256 -in body \
	-signer "$KEYS/rsa2048.pem" -inkey "$KEYS/rsa2048.key" -outform DER -out attrs.p7
append body attrs.p7 attrs.ko
$ENTRY binary attrs.ko /lib/modules/attrs.ko > attrs.bin
fails 1 "authenticated attributes are refused (the kernel's VERIFYING_MODULE_SIGNATURE)" \
	"$IMACTL" log verify --cert "$KEYS/rsa2048.pem" attrs.bin
like "... said so" "$T/err" 'authenticated attributes'
openssl cms -sign -binary -noattr -nocerts -nodetach -md sha256 -in body \
	-signer "$KEYS/rsa2048.pem" -inkey "$KEYS/rsa2048.key" -outform DER -out attached.p7
append body attached.p7 attached.ko
$ENTRY binary attached.ko /lib/modules/attached.ko > attached.bin
fails 1 "content inside the message (not detached) is refused" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" attached.bin
like "... said so" "$T/err" 'not detached'

# signer named by subject key identifier, EC key
openssl cms -sign -binary -noattr -nocerts -nosmimecap -keyid -md sha256 -in body \
	-signer "$KEYS/ec256.pem" -inkey "$KEYS/ec256.key" -outform DER -out ec.p7
append body ec.p7 ec.ko
$ENTRY binary ec.ko /lib/modules/ec.ko > ec.bin
ok "ECDSA, signer by subject key id: verifies" "$IMACTL" log verify --cert "$KEYS/ec256.pem" ec.bin
fails 1 "... with another certificate: unknown key, keyid from the subject key id" \
	"$IMACTL" log verify --cert "$KEYS/rsa2048.pem" ec.bin
like "... named" "$T/err" "signed by an unknown key \\(keyid $("$IMACTL" keyid "$KEYS/ec256.pem")\\)"

# ---- made by the kernel's own sign-file ---------------------------------
if [ -n "$SIGN_FILE" ]; then
	cp body mod.ko
	"$SIGN_FILE" sha256 "$KEYS/rsa2048.key" "$KEYS/rsa2048.pem" mod.ko
	cp body modk.ko
	"$SIGN_FILE" -k sha512 "$KEYS/rsa4096.key" "$KEYS/rsa4096.pem" modk.ko
	cp body modec.ko
	"$SIGN_FILE" sha384 "$KEYS/ec384.key" "$KEYS/ec384.pem" modec.ko
	cmp -s body mod.ko && same=yes || same=no
	is "sign-file appended a signature" "$same" no
	$ENTRY binary mod.ko /lib/modules/mod.ko > sf.bin
	$ENTRY binary modk.ko /lib/modules/modk.ko --algo sha512 >> sf.bin
	$ENTRY binary modec.ko /lib/modules/modec.ko --algo sha384 >> sf.bin
	$ENTRY ascii mod.ko /lib/modules/mod.ko > sf.asc
	$ENTRY ascii modk.ko /lib/modules/modk.ko --algo sha512 >> sf.asc
	$ENTRY ascii modec.ko /lib/modules/modec.ko --algo sha384 >> sf.asc
	ok "sign-file: RSA issuer+serial sha256, RSA-4096 subject key id sha512, ECDSA P-384 sha384 (binary)" \
		"$IMACTL" log verify --cert "$KEYS/rsa2048.pem" --cert "$KEYS/rsa4096.pem" --cert "$KEYS/ec384.pem" sf.bin
	like "... three good" "$T/out" '^signatures: 3 good, 0 bad, 0 unknown key'
	ok "... (ascii)" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" --cert "$KEYS/rsa4096.pem" --cert "$KEYS/ec384.pem" sf.asc
	like "... three good" "$T/out" '^signatures: 3 good, 0 bad, 0 unknown key'
	fails 1 "sign-file: one certificate missing" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" --cert "$KEYS/ec384.pem" sf.bin
	like "... the sha512 entry has an unknown key" "$T/err" "entry 2 \\(/lib/modules/modk.ko\\): signed by an unknown key \\(keyid $("$IMACTL" keyid "$KEYS/rsa4096.pem")\\)"
	$ENTRY binary mod.ko /lib/modules/mod.ko --flip-sig 1 > sfflip.bin
	fails 1 "sign-file: a flipped signature bit" "$IMACTL" log verify --cert "$KEYS/rsa2048.pem" sfflip.bin
	like "... bad" "$T/err" 'entry 1 \(/lib/modules/mod.ko\): bad appended signature'
	$ENTRY binary modec.ko /lib/modules/modec.ko --algo sha384 --dmodsig-of tampered > sftamper.bin
	fails 1 "sign-file: ECDSA over other content" "$IMACTL" log verify --cert "$KEYS/ec384.pem" sftamper.bin
	ok "log show names the appended signature" "$IMACTL" log show sf.bin
	like "... with d-modsig and its size" "$T/out" "^1 10 ima-modsig sha256:[0-9a-f]{64} /lib/modules/mod.ko modsig sha256:$(sha256sum < body | cut -c1-64) [0-9]+ bytes\$"
	ok "log show --json" "$IMACTL" log show --json sf.asc
	is "... modsig_digest" "$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); print(a[1]["modsig_digest"][:7], a[1]["modsig_len"] > 0)' "$T/out")" "sha512: True"
else
	skip "sign-file" "no /usr/lib/linux-kbuild-*/scripts/sign-file (scripts/install-deps installs linux-kbuild-6.1)"
fi
done_testing
