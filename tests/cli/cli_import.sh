#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# imactl import: loads certificates into kernel keyrings.  Runs in a new
# session keyring of its own (keyctl session) with keyrings made for the test,
# so the machine's user keyring is never touched; the _ima/_evm defaults are
# exercised inside the VM tests (tests/vm).
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys

if ! command -v keyctl >/dev/null 2>&1; then
	skip "imactl import" "keyctl missing (scripts/install-deps check)"
	done_testing; exit
fi
if [ -z "${IMACTL_IN_SESSION:-}" ]; then
	# re-run this script inside a fresh anonymous session keyring
	IMACTL_IN_SESSION=1 exec keyctl session - sh "$0" 2>/dev/null
fi

ring=$(keyctl newring imactl-test @s)
ok "import a PEM certificate into a keyring by serial" "$IMACTL" import "$KEYS/rsa2048.pem" "$ring"
serial=$(cat "$T/out")
like "it prints the key serial" "$T/out" '^[0-9]+$'
like "the key is an asymmetric key named after the certificate" /dev/stdin 'asymmetric' <<EOF2
$(keyctl rdescribe "$serial" 2>&1)
EOF2
keyctl rdescribe "$serial" > "$T/desc" 2>&1
like "the kernel parsed the certificate's subject" "$T/desc" '^asymmetric;.*imactl tests: rsa2048'
ok "import a DER certificate" "$IMACTL" import "$KEYS/rsa4096.der" "$ring"
is "both keys are in the keyring" "$(keyctl rlist "$ring" | wc -w)" 2

fails 3 "a private key is not a certificate" "$IMACTL" import "$KEYS/rsa2048.key" "$ring"
like "the message names the file" "$T/err" 'rsa2048.key: not an X.509 certificate'
fails 3 "a missing certificate" "$IMACTL" import "$T/nonexistent.pem" "$ring"
like "the message names the missing file" "$T/err" 'nonexistent.pem'
fails 3 "a keyring serial that does not exist" "$IMACTL" import "$KEYS/rsa2048.pem" 999999999
like "the message says there is no such keyring" "$T/err" 'keyring 999999999: no such keyring'
fails 3 "a serial of a key that is not a keyring" "$IMACTL" import "$KEYS/rsa2048.pem" "$serial"
like "the message says it is not a keyring" "$T/err" 'not a keyring'
fails 3 "a kernel keyring name that does not exist" "$IMACTL" import "$KEYS/rsa2048.pem" .imactl-nosuch
like "the message names the keyring" "$T/err" 'keyring .imactl-nosuch: no such keyring'

# a keyring restricted like the kernel's trusted .ima keyring
strict=$(keyctl newring strict @s)
if keyctl restrict_keyring "$strict" asymmetric builtin_trusted 2>/dev/null; then
	fails 3 "the kernel refuses a self-signed certificate for a restricted keyring" \
		"$IMACTL" import "$KEYS/rsa2048.pem" "$strict"
	like "the message says why the kernel refused it" "$T/err" \
		'refused the certificate for keyring [0-9]+: .*restricted to certificates signed by keys it trusts'
	is "nothing was added" "$(keyctl rlist "$strict" 2>/dev/null | wc -w)" 0
else
	skip "restricted keyring" "this kernel cannot restrict keyrings"
fi

fails 2 "no arguments is a usage error" "$IMACTL" import
fails 2 "three arguments is a usage error" "$IMACTL" import a b c
fails 2 "a repeated option is a usage error" "$IMACTL" import -v -v "$KEYS/rsa2048.pem" "$ring"
ok "--help" "$IMACTL" import --help
like "--help explains the keyrings" "$T/out" '_ima, _evm'
done_testing
