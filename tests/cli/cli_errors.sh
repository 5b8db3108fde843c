#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2086 # $X, $K and $C hold option lists: split on purpose
# Bad input: each case has its own message naming the file and the cause, the
# documented exit code, no crash, and nothing written.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
K="--key $KEYS/rsa2048.key --cert $KEYS/rsa2048.pem"
C="--cert $KEYS/rsa2048.pem"
X=--xattr-user

printf 'original\n' > f
ok "sign f" "$IMACTL" sign $X $K f
sig=$(xattr_hex user.ima f)

printf 'tampered\n' > f
fails 1 "tampered content fails verification" "$IMACTL" verify $X $C f
like "tampered: cause named" "$T/err" '^imactl: f: ima: signature does not match the content \(keyid [0-9a-f]{8}\)$'

printf 'original\n' > f
ok "restored content verifies" "$IMACTL" verify $X $C f
fails 1 "a wrong certificate: unknown key" "$IMACTL" verify $X --cert "$KEYS/other.pem" f
like "unknown key: keyid named" "$T/err" "f: ima: no certificate for the signature's keyid \(keyid [0-9a-f]{8}\)"
fails 1 "no certificate at all: unknown key" "$IMACTL" verify $X f

flip_last() { # hex -> hex with the last byte xor 0x01
	printf '%s' "$1" | python3 -c 'import sys; h=bytearray.fromhex(sys.stdin.read()); h[-1]^=1; print(h.hex())'
}
setfattr -n user.ima -v "0x$(flip_last "$sig")" f
fails 1 "one flipped byte in the signature" "$IMACTL" verify $X $C f
like "flipped byte: cause named" "$T/err" 'f: ima: signature does not match the content'

setfattr -n user.ima -v "0x$(printf %s "$sig" | cut -c1-40)" f
fails 1 "a truncated xattr" "$IMACTL" verify $X $C f
like "truncated: cause named" "$T/err" 'f: ima: header claims more signature bytes than present'
fails 1 "show reports the truncated value as malformed" "$IMACTL" show $X f
like "show: malformed" "$T/out" 'user.ima: malformed'

setfattr -n user.ima -v "0x030263$(printf %s "$sig" | cut -c7-)" f
fails 1 "an unknown hash algorithm id" "$IMACTL" verify $X $C f
like "unknown algorithm: cause named" "$T/err" 'f: ima: unknown hash algorithm id'

setfattr -n user.ima -v "0x0302047f9ee8640200aabb" f
fails 1 "a header claiming 512 signature bytes with 2 present" "$IMACTL" verify $X $C f
like "overlong header: cause named" "$T/err" 'more signature bytes than present'

setfattr -n user.ima -v 0x09 f
fails 1 "an unknown xattr type" "$IMACTL" verify $X $C f
like "unknown type: cause named" "$T/err" 'f: ima: unknown xattr type'

printf 'x\n' > unsigned
fails 1 "an unsigned file" "$IMACTL" verify $X $C unsigned
like "unsigned: cause named" "$T/err" 'unsigned: ima: no security.ima'

# one bad file does not hide the others, and the exit code is the worst
ok "sign g" "$IMACTL" sign $X $K f
cp f g 2>/dev/null; ok "sign g" "$IMACTL" sign $X $K g
fails 1 "verify good + unsigned -> 1" "$IMACTL" verify $X $C g unsigned f
is "the good files are still reported OK" "$(grep -c ': OK' "$T/out")" 2
fails 3 "verify a missing file -> 3" "$IMACTL" verify $X $C missing g
like "missing: cause named" "$T/err" 'missing: cannot verify: No such file or directory'

# symlinks are refused, never followed; the target stays untouched
printf 'target\n' > target
ln -s target link
fails 3 "sign a symlink: refused" "$IMACTL" sign $X $K link
like "symlink: cause named" "$T/err" '^imactl: link: not signed: is a symbolic link: refused \(never followed\)$'
is "the symlink's target was not signed" "$(xattr_hex user.ima target)" ""
fails 3 "verify a symlink: refused" "$IMACTL" verify $X $C link
fails 3 "hash a symlink: refused" "$IMACTL" hash link

mkdir dir
fails 3 "sign a directory" "$IMACTL" sign $X $K dir
like "directory: cause named" "$T/err" 'dir: not signed: is a directory'
mkfifo fifo
fails 3 "sign a fifo (not even opened: no hang)" "$IMACTL" sign $X $K fifo
like "fifo: cause named" "$T/err" 'fifo: not signed: is not a regular file'

# sign keeps going after a failure, and says so in the exit code
printf 'y\n' > h
fails 3 "sign missing + h -> 3" "$IMACTL" sign $X $K missing h
_result "$([ -n "$(xattr_hex user.ima h)" ] && echo 0 || echo 1)" "h was signed although 'missing' failed"

# keys and passphrases
printf 'z\n' > p
fails 3 "wrong passphrase" env IMACTL_KEY_PASSWORD=wrong "$IMACTL" sign $X --key "$KEYS/enc.key" p
like "wrong passphrase: clear message" "$T/err" "enc.key: cannot decrypt the private key: wrong passphrase"
_result "$(grep -q 'error:[0-9A-F]\{8\}' "$T/err" && echo 1 || echo 0)" "no raw OpenSSL error dump"
is "nothing written after a wrong passphrase" "$(xattr_hex user.ima p)" ""
ok "the right passphrase from a file" "$IMACTL" sign $X --key "$KEYS/enc.key" --pass-file "$KEYS/enc.pass" p
ok "the right passphrase from IMACTL_KEY_PASSWORD" env IMACTL_KEY_PASSWORD="correct horse battery staple" "$IMACTL" sign $X --key "$KEYS/enc.key" p
ok "a signature by the encrypted key verifies" "$IMACTL" verify $X $C p
fails 3 "an encrypted key and no passphrase (no terminal)" env -u IMACTL_KEY_PASSWORD setsid "$IMACTL" sign $X --key "$KEYS/enc.key" p
like "no passphrase: clear message" "$T/err" "enc.key: (cannot decrypt|no passphrase)"
fails 2 "there is no --pass option (no passphrase in argv)" "$IMACTL" sign $X --key "$KEYS/enc.key" --pass secret p
# a FIFO named as the key (or certificate) is refused before anything reads it
mkfifo keyfifo
fails 3 "a FIFO as --key is refused without waiting" timeout 60 "$IMACTL" sign $X --key keyfifo p
like "... named, as not a regular file" "$T/err" 'keyfifo: not a regular file'
fails 3 "a FIFO as --cert is refused without waiting" timeout 60 "$IMACTL" verify $X --cert keyfifo p
# IMACTL_KEY_PASSWORD is taken out of the environment once read: not inherited
# by what the process starts, not in /proc/PID/environ. The --pass-file FIFO
# holds imactl (after main() ran) while its environment is read.
mkfifo passfifo
IMACTL_KEY_PASSWORD="env secret" "$IMACTL" sign $X --key "$KEYS/enc.key" --pass-file passfifo p \
	>"$T/bg.out" 2>&1 &
pid=$!
exec 3>passfifo
envdump=$(tr '\0' '\n' <"/proc/$pid/environ")
printf 'correct horse battery staple\n' >&3
exec 3>&-
wait "$pid"
is "... the --pass-file run signed" "$?" 0 "$(cat "$T/bg.out")"
is "IMACTL_KEY_PASSWORD is gone from the running process's environment" \
	"$(printf '%s\n' "$envdump" | grep -c 'IMACTL_KEY_PASSWORD\|env secret')" 0
is "... while the rest of it is still there" "$(printf '%s\n' "$envdump" | grep -c '^PATH=')" 1

printf 'q\n' > q
fails 3 "a key that does not match the certificate" "$IMACTL" sign $X --key "$KEYS/other.key" --cert "$KEYS/rsa2048.pem" q
like "mismatch: clear message" "$T/err" "other.key does not match the certificate .*rsa2048.pem"
is "nothing written for a mismatching key" "$(xattr_hex user.ima q)" ""
printf 'not a key\n' > bad.key
fails 3 "a file that is not a key" "$IMACTL" sign $X --key bad.key q
like "not a key: clear message" "$T/err" "bad.key: not a private key"
fails 3 "a missing key" "$IMACTL" sign $X --key nokey q
like "missing key: named" "$T/err" "nokey: No such file or directory"
fails 3 "a certificate that is not one" "$IMACTL" verify $X --cert bad.key q
like "not a certificate: named" "$T/err" "bad.key: not an X.509 certificate"
openssl genpkey -algorithm ED25519 -out ed.key 2>/dev/null
fails 3 "a key type the kernel cannot use (Ed25519)" "$IMACTL" sign $X --key ed.key q
like "unsupported key: named" "$T/err" "ed.key: key type .* is not supported"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out k1.key 2>/dev/null
fails 3 "an EC curve the kernel cannot use (secp256k1)" "$IMACTL" sign $X --key k1.key q
like "unsupported curve: named" "$T/err" "k1.key: EC curve secp256k1 is not supported"

# key formats: traditional PEM, PKCS#8 DER
ok "a traditional RSA PEM key" "$IMACTL" sign $X --key "$KEYS/trad.key" q
ok "verifies" "$IMACTL" verify $X $C q
ok "a PKCS#8 DER key" "$IMACTL" sign $X --key "$KEYS/key.der" q
ok "verifies with the DER certificate" "$IMACTL" verify $X --cert "$KEYS/ec256.der" q
ok "--keyid overrides the keyid" "$IMACTL" sign $X --key "$KEYS/ec256.key" --keyid 0xdeadbeef q
"$IMACTL" show $X q > "$T/show"
like "the explicit keyid is in the header" "$T/show" 'keyid deadbeef'
fails 2 "a bad --keyid" "$IMACTL" sign $X --key "$KEYS/ec256.key" --keyid xyz q

# privileges: a file the user cannot read
if [ "$(id -u)" = 0 ]; then
	d=$(mktemp -d /tmp/imactl-errors.XXXXXX)
	chmod 755 "$d"
	printf 'secret\n' > "$d/secret"; chmod 600 "$d/secret"
	printf 'public\n' > "$d/public"; chmod 644 "$d/public"
	cp "$KEYS/ec256.key" "$d/k"; chmod 644 "$d/k"
	fails 3 "an unreadable file (as nobody)" setpriv --reuid=65534 --regid=65534 --clear-groups "$IMACTL" hash "$d/secret" "$d/public"
	like "unreadable: cause named" "$T/err" "secret: Permission denied"
	like "the readable file is still hashed" "$T/out" "public"
	fails 3 "cannot write xattrs as another user" setpriv --reuid=65534 --regid=65534 --clear-groups "$IMACTL" sign $X --key "$d/k" "$d/public"
	like "write failure: cause named" "$T/err" "public: cannot write user.ima: Permission denied"
	rm -rf "$d"
	# an immutable file: the xattr write fails, nothing half-written
	printf 'imm\n' > imm
	if chattr +i imm 2>/dev/null; then
		fails 3 "an immutable file" "$IMACTL" sign --key "$KEYS/ec256.key" --evm portable imm
		like "immutable: cause named" "$T/err" "imm: (cannot write|not signed)"
		is "no security.ima on the immutable file" "$(xattr_hex security.ima imm)" ""
		is "no security.evm on the immutable file" "$(xattr_hex security.evm imm)" ""
		chattr -i imm
	else
		skip "an immutable file" "chattr +i not supported here"
	fi
	# a full disk: the xattr write fails with ENOSPC, named; nothing half-written
	img="$T/full.img"; mnt="$T/full"
	mkdir -p "$mnt"
	if truncate -s 2M "$img" && mke2fs -q -t ext4 -N 64 "$img" && mount -o loop "$img" "$mnt" 2>/dev/null; then
		dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null || true
		for i in 1 2 3; do echo "$i" > "$mnt/f$i" 2>/dev/null || true; done
		fails 3 "signing on a full file system" "$IMACTL" sign --key "$KEYS/rsa4096.key" --evm portable "$mnt/f1" "$mnt/f2"
		like "full disk: cause named" "$T/err" "f1: cannot write security.ima: No space left on device"
		like "full disk: every file reported" "$T/err" "f2: not signed: No space left on device"
		is "no security.evm left behind" "$(xattr_hex security.evm "$mnt/f1")" ""
		umount "$mnt"
	else
		skip "a full disk" "cannot loop-mount an ext4 image here"
	fi
else
	skip "unreadable file" "needs root to switch users"
fi
done_testing
