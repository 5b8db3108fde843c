#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The CLI's surface: help, usage errors, sign/verify round trips, show, hash, keyid.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
ok "--help lists the commands" "$IMACTL" --help
like "--help names sign" "$T/out" '^  sign '
for c in sign verify hash show keyid; do
	ok "help $c" "$IMACTL" help "$c"
	like "help $c has a usage line" "$T/out" "^Usage: imactl $c "
	ok "$c --help" "$IMACTL" "$c" --help
done
fails 2 "no command is a usage error" "$IMACTL"

# Commands with subcommands all go through prog_dispatch(): the same help,
# wording and exit codes.  Every command whose --help lists subcommands is
# checked (also those added later); these five must be among them.
"$IMACTL" --help | sed -n 's/^  \([a-z-]*\) .*/\1/p' > commands
: > dispatched
while read -r c; do
	"$IMACTL" "$c" --help > help.out 2>&1 || true
	grep -q '^Subcommands:' help.out || continue
	echo "$c" >> dispatched
	sed -n '/^Subcommands:/,/^$/s/^  \([a-z-]*\) .*/\1/p' help.out > subs
	_result "$([ -s subs ] && echo 0 || echo 1)" "$c --help lists its subcommands"
	fails 2 "$c without a subcommand" "$IMACTL" "$c"
	like "$c without a subcommand: asks which" "$T/err" "^imactl: $c: which subcommand\\? \\("
	like "$c without a subcommand: usage on stderr" "$T/err" "^Usage: imactl $c SUBCOMMAND"
	is "$c without a subcommand: nothing on stdout" "$(cat "$T/out")" ""
	for h in --help -h help; do
		ok "$c $h" "$IMACTL" "$c" "$h"
		like "$c $h: usage on stdout" "$T/out" "^Usage: imactl $c SUBCOMMAND"
		is "$c $h: nothing on stderr" "$(cat "$T/err")" ""
	done
	fails 2 "$c with an unknown subcommand" "$IMACTL" "$c" frobnicate
	like "$c frobnicate: named" "$T/err" "^imactl: $c: unknown subcommand 'frobnicate' \\("
	like "$c frobnicate: usage on stderr" "$T/err" "^Usage: imactl $c SUBCOMMAND"
	fails 2 "$c help frobnicate" "$IMACTL" "$c" help frobnicate
	while read -r s; do
		for form in "$c help $s" "$c $s --help" "help $c $s"; do
			# shellcheck disable=SC2086 # the words of $form are the arguments
			ok "$form" "$IMACTL" $form
			like "$form: its own usage" "$T/out" "^Usage: imactl $c $s "
		done
	done < subs
done < commands
for c in log policy kconfig cert keygen; do
	_result "$(grep -qx "$c" dispatched && echo 0 || echo 1)" "$c uses the subcommand dispatcher"
done
# shellcheck disable=SC2016 # the sh -c script expands its own $1 and $c
ok "--help of every command" sh -c 'while read -r c; do "$1" "$c" --help || exit 1; done < commands' sh "$IMACTL"
_result "$(! grep -qi 'sub-command' "$T/out" && echo 0 || echo 1)" "no help says 'sub-command'"
fails 2 "unknown command" "$IMACTL" frobnicate
fails 2 "unknown option" "$IMACTL" sign --bogus x
fails 2 "repeated option" "$IMACTL" sign --key a --key b x
like "repeated option is named" "$T/err" 'option --key given more than once'
fails 2 "sign without files" "$IMACTL" sign --key "$KEYS/rsa2048.key"
fails 2 "sign without key" "$IMACTL" sign f
fails 2 "--cert with --keyid" "$IMACTL" sign --key k --cert c --keyid 1 f
fails 2 "bad --hash" "$IMACTL" sign --key k --hash md4 f
fails 2 "bad --ima" "$IMACTL" sign --key k --ima maybe f
fails 2 "bad --target-bits" "$IMACTL" sign --key k --evm portable --target-bits 16 f
fails 2 "keyid needs exactly one cert" "$IMACTL" keyid a b
fails 2 "verify without files" "$IMACTL" verify --cert x

printf 'hello\n' > a; printf 'world\n' > b; : > empty
ok "sign three files at once" "$IMACTL" sign --xattr-user --key "$KEYS/rsa2048.key" --cert "$KEYS/rsa2048.pem" a b empty
for f in a b empty; do
	_result "$([ -n "$(xattr_hex user.ima $f)" ] && echo 0 || echo 1)" "$f got user.ima (every file is signed, not only the first)"
done
ok "verify all three" "$IMACTL" verify --xattr-user --cert "$KEYS/rsa2048.pem" a b empty
is "verify prints one OK per file" "$(grep -c ': OK' "$T/out")" 3

ok "show decodes the signature" "$IMACTL" show --xattr-user a
keyid=$("$IMACTL" keyid "$KEYS/rsa2048.pem")
like "show names type, algo and keyid" "$T/out" "user.ima: signature v2, sha256, keyid $keyid, 256-byte signature"

ok "hash prints algo:hex  path" "$IMACTL" hash a
is "hash of a is sha256 of its content" "$(cat "$T/out")" "sha256:$(sha256sum a | cut -d' ' -f1)  a"
ok "hash --hash sha1" "$IMACTL" hash --hash sha1 empty
is "sha1 of an empty file" "$(cat "$T/out")" "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709  empty"

ok "keyid of a DER certificate" "$IMACTL" keyid "$KEYS/rsa2048.der"
is "PEM and DER give the same keyid" "$(cat "$T/out")" "$keyid"
ski=$(openssl x509 -in "$KEYS/rsa2048.pem" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' :\n' | tr 'A-F' 'a-f')
is "keyid is the last 4 bytes of the SKI" "$keyid" "$(printf %s "$ski" | tail -c 8)"

ok "sign --ima hash needs no key" "$IMACTL" sign --xattr-user --ima hash b
is "hash value is 0x04 sha256 digest" "$(xattr_hex user.ima b)" "0404$(sha256sum b | cut -d' ' -f1)"
ok "a hash verifies without a certificate" "$IMACTL" verify --xattr-user b
fails 1 "--require-sig refuses a hash" "$IMACTL" verify --xattr-user --require-sig b
like "--require-sig says why" "$T/err" 'b: ima: only a hash, a signature is required'
# a certificate asks for signatures: a tampered file whose hash was
# recomputed (no EVM) must not pass verify --cert by default
printf 'tampered\n' > b2
"$IMACTL" sign --xattr-user --ima hash b2
fails 1 "verify --cert refuses a hash by default" "$IMACTL" verify --xattr-user --cert "$KEYS/rsa2048.pem" b2
like "... and says why" "$T/err" 'b2: ima: only a hash, a signature is required'
ok "verify --cert --allow-hash accepts it" "$IMACTL" verify --xattr-user --cert "$KEYS/rsa2048.pem" --allow-hash b2
fails 2 "--allow-hash with --require-sig is a usage error" "$IMACTL" verify --xattr-user --cert "$KEYS/rsa2048.pem" --allow-hash --require-sig b2

ok "sign --ima hash --hash sha1 writes the legacy 0x01 form" "$IMACTL" sign --xattr-user --ima hash --hash sha1 b
is "legacy sha1 value" "$(xattr_hex user.ima b)" "01$(sha1sum b | cut -d' ' -f1)"
ok "the legacy form verifies" "$IMACTL" verify --xattr-user b

ok "an sm3 IMA hash" "$IMACTL" sign --xattr-user --ima hash --hash sm3 b
is "sm3 is algorithm id 17 (0x11)" "$(xattr_hex user.ima b | cut -c1-4)" "0411"
ok "an sm3 hash verifies" "$IMACTL" verify --xattr-user b
fails 3 "RSA PKCS#1 has no DigestInfo for sm3: refused" "$IMACTL" sign --xattr-user --hash sm3 --key "$KEYS/rsa2048.key" b
like "sm3 + RSA: clear message" "$T/err" "b: cannot sign sm3 digests with this key"
ok "the refused signature left the sm3 hash in place" "$IMACTL" verify --xattr-user b
ok "sign --sigv3" "$IMACTL" sign --xattr-user --sigv3 --key "$KEYS/ec256.key" a
is "sigv3 is type 0x06 version 3" "$(xattr_hex user.ima a | cut -c1-6)" "060304"
ok "sigv3 verifies" "$IMACTL" verify --xattr-user --cert "$KEYS/ec256.pem" a
ok "--ima none --evm portable adds EVM to an existing IMA value" \
	"$IMACTL" sign --xattr-user --ima none --evm portable --key "$KEYS/ec256.key" a
ok "sigv3 + EVM verify" "$IMACTL" verify --xattr-user --evm --cert "$KEYS/ec256.pem" a
done_testing
