#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The passphrase prompt on the terminal: sign with an encrypted key answered on
# a pseudo-terminal (echo off: the passphrase never shows), a wrong answer is
# refused, keygen --encrypt asks twice and refuses two different answers.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
PTY="$SRC_ROOT/tests/cli/pty_run.py"
PASS='correct horse battery staple'
printf 'data\n' > file

ok "sign: the passphrase typed at the prompt opens the key" env -u IMACTL_KEY_PASSWORD \
	"$PTY" tty.out "$PASS" -- "$IMACTL" sign --xattr-user --key "$KEYS/enc.key" file
like "... the prompt names the key" tty.out "Passphrase for .*enc.key: "
_result "$(grep -q "$PASS" tty.out && echo 1 || echo 0)" "... the passphrase is not echoed"
ok "... and the signature verifies" "$IMACTL" verify --xattr-user --cert "$KEYS/rsa2048.pem" file

fails 3 "sign: a wrong passphrase at the prompt is refused" env -u IMACTL_KEY_PASSWORD \
	"$PTY" tty.out "not the passphrase" -- "$IMACTL" sign --xattr-user --key "$KEYS/enc.key" file
like "... with the reason" tty.out "enc.key.*(passphrase|decrypt|bad)"

ok "keygen --encrypt asks twice on the terminal" env -u IMACTL_KEY_PASSWORD \
	"$PTY" tty.out "new secret" "new secret" -- "$IMACTL" keygen self-signed --out k1 --algo ec-p256 --encrypt
like "... first prompt" tty.out "New passphrase for "
like "... second prompt" tty.out "The same again: "
_result "$(grep -q "new secret" tty.out && echo 1 || echo 0)" "... neither answer is echoed"
printf 'new secret\n' > new.pass
ok "... the key opens with that passphrase" "$IMACTL" sign --xattr-user --key k1/privkey_ima.pem --pass-file new.pass file
printf 'other\n' > other.pass
fails 3 "... and not with another" "$IMACTL" sign --xattr-user --key k1/privkey_ima.pem --pass-file other.pass file

fails 3 "keygen --encrypt: two different answers are refused" env -u IMACTL_KEY_PASSWORD \
	"$PTY" tty.out "one" "two" -- "$IMACTL" keygen self-signed --out k2 --algo ec-p256 --encrypt
like "... saying so" tty.out "The passphrases differ"
is "... and no private key is written" "$(ls k2/privkey_ima.pem 2>/dev/null)" ""
done_testing
