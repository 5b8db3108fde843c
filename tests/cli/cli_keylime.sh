#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Keylime's own code judges imactl's runtime policy (log keylime-policy) and
# lists written as the kernel writes them (tests/mloggen --root: the digests
# and security.ima of the files of a signed tree).  Runs only when
# KEYLIME_SRC names a Keylime source tree (its Python modules on Debian's
# python3-jsonschema, -cryptography, -lark, -yaml); never fetches anything.
. "$SRC_ROOT/tests/cli/lib.sh"
if [ -z "${KEYLIME_SRC:-}" ] || [ ! -f "$KEYLIME_SRC/keylime/ima/ima.py" ]; then
	echo "1..0 # SKIP KEYLIME_SRC (a Keylime source tree) not given"
	exit 0
fi
ensure_keys
cd "$T" || exit 1
G=$MLOGGEN
KV="${KEYLIME_PYTHON:-/usr/bin/python3} $SRC_ROOT/tests/cli/keylime_verdict.py"
sign() { "$IMACTL" sign --xattr-user --key "$KEYS/rsa2048.key" --cert "$KEYS/rsa2048.pem" "$@" >/dev/null; }

mkdir -p root/usr/bin root/usr/lib root/etc root/var/log root/opt
for f in usr/bin/a 'usr/bin/my prog' etc/café etc/conf var/log/x usr/lib/m.pyc opt/unsigned; do
	echo "content of $f" > "root/$f"
done
ln root/usr/bin/a root/usr/bin/a2
for f in usr/bin/a 'usr/bin/my prog' etc/café etc/conf var/log/x usr/lib/m.pyc; do sign "root/$f"; done
printf '%s\n' /usr/bin/a '/usr/bin/my prog' /etc/café /etc/conf /usr/bin/a2 /var/log/x /usr/lib/m.pyc \
	> names.txt
list() { # OUT TEMPLATE [NAMES]: the list of the files of NAMES (default names.txt) in root
	$G --count "$(($(wc -l < "${3:-names.txt}") + 1))" --template "$2" --format ascii \
		--names "${3:-names.txt}" --root root --xattr-user --pcrs-file "sha1,$1.pcrs" "$1"
}
list good.asc ima-sig
ok "keylime-policy with --log (boot_aggregate from the list)" "$IMACTL" log keylime-policy --xattr-user \
	--cert "$KEYS/rsa2048.pem" --exclude /var/log --exclude '*.pyc' --log good.asc root
cp "$T/out" policy.json
is "Keylime's validator accepts the policy and loads its key" "$($KV validate policy.json 2>&1)" \
	"valid 1 $(printf %d "0x$("$IMACTL" keyid "$KEYS/rsa2048.pem")")"
is "Keylime: the list of the signed tree (names with a space, UTF-8, a hard link, excluded files)" \
	"$($KV attest policy.json good.asc good.asc.pcrs 2>&1)" "ok"
list good-ng.asc ima-ng
is "Keylime: the same as ima-ng (digests only)" "$($KV attest policy.json good-ng.asc good-ng.asc.pcrs 2>&1)" "ok"

# a program that is not in the image
echo evil > root/usr/bin/evil
{ cat names.txt; echo /usr/bin/evil; } > evil.txt
list evil.asc ima-sig evil.txt
is "Keylime: a program not in the image fails" "$($KV attest policy.json evil.asc evil.asc.pcrs 2>&1)" \
	"ima.validation.ima-ng.not_in_allowlist"
# a file changed after the image was made, measured consistently (its old signature)
cp -p root/etc/conf conf.orig
echo changed > root/etc/conf
list changed.asc ima-sig
is "Keylime: a changed file measured consistently fails" \
	"$($KV attest policy.json changed.asc changed.asc.pcrs 2>&1)" "ima.validation.ima-ng.runtime_policy_hash"
list changed-ng.asc ima-ng
is "Keylime: ... also as ima-ng" "$($KV attest policy.json changed-ng.asc changed-ng.asc.pcrs 2>&1)" \
	"ima.validation.ima-ng.runtime_policy_hash"
echo "content of etc/conf" > root/etc/conf
# a listed file whose signature is not by the policy's key: Keylime falls back to the digest
"$IMACTL" sign --xattr-user --key "$KEYS/other.key" root/usr/bin/a >/dev/null
list othersig.asc ima-sig
is "Keylime: a listed file signed by another key passes on its digest (weaker than log verify --cert)" \
	"$($KV attest policy.json othersig.asc othersig.asc.pcrs 2>&1)" "ok"
fails 1 "log verify --cert fails that list" "$IMACTL" log verify --pcrs othersig.asc.pcrs \
	--cert "$KEYS/rsa2048.pem" othersig.asc
like "... naming the file" "$T/err" 'entry 2 \(/usr/bin/a\): signed by an unknown key'
# the policy's excludes: the excluded files, and only them, are not judged
printf '%s\n' /var/log/x /usr/lib/m.pyc /opt/unsigned > excl.txt
list excl.asc ima-ng excl.txt
is "Keylime: excluded paths pass, an unsigned file of the image does not" \
	"$($KV attest policy.json excl.asc excl.asc.pcrs 2>&1)" "ima.validation.ima-ng.not_in_allowlist"
# keyring and ima-buf entries taken from a list (--log)
$G --count 6 --template ima-ng,ima-buf --format ascii buf.asc
ok "keylime-policy --log with ima-buf entries" "$IMACTL" log keylime-policy --xattr-user \
	--cert "$KEYS/rsa2048.pem" --exclude /usr/bin --log buf.asc root
cp "$T/out" policy-buf.json
is "Keylime: boot_aggregate and ima-buf entries of the list pass (file entries excluded)" \
	"$($KV attest policy-buf.json buf.asc 2>&1)" "ok"
is "Keylime: the same ima-buf entries fail without --log" \
	"$($KV attest policy.json buf.asc 2>&1)" \
	"ima.validation.ima-ng.not_in_allowlist"
done_testing
