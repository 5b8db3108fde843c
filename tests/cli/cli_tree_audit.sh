#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# verify-tree finds modified, added, other-key, stripped and hash-only files by
# path (text and --json); sign-tree --manifest -> apply-manifest restores
# identical xattrs on a copy made without them, including names with spaces,
# newlines and invalid UTF-8; apply-manifest refuses what it must.
# Real security.* xattrs: needs root.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
need_root "verify-tree and manifests with security.* xattrs" "needs root"
K="$KEYS/rsa2048"
NL='
'
mkdir -p r/bin r/etc r/lib
for f in bin/sh bin/ls etc/motd etc/hosts lib/libx.so; do printf '%s\n' "$f" > "r/$f"; done
printf 'space\n' > "r/etc/with space"
printf 'newline\n' > "r/etc/new${NL}line"
printf 'latin1\n' > "r/etc/$(printf 'caf\351')"
printf 'backslash\n' > "r/etc/back\\slash"
ln r/bin/sh r/bin/hardlink
ln -s sh r/bin/link
mkfifo r/fifo

ok "sign-tree --manifest" "$IMACTL" sign-tree r --key "$K.key" --cert "$K.pem" --target-bits 64 --manifest r.manifest
ok "verify-tree --evm: all good" "$IMACTL" verify-tree r --cert "$K.pem" --evm --target-bits 64
like "verify-tree counts" "$T/out" "^verify-tree: 9 files: good 9, hash-only 0, bad 0, unsigned 0, unknown-key 0, error 0$"
like "verify-tree skipped" "$T/out" "symlinks 1, directories 3, devices 0, fifos 1, sockets 0, hard-links 1,"

# the manifest
is "one line per name (9 files + 1 hard link), sorted by path" "$(wc -l < r.manifest)" 10
cut -d' ' -f1 r.manifest > paths
LC_ALL=C sort -c paths 2>/dev/null; is "lines are sorted" "$?" 0
like "a space is escaped as octal 040" r.manifest '^/etc/with\\040space ima:0x0302'
like "a newline is escaped as octal 012" r.manifest '^/etc/new\\012line ima:0x'
like "invalid UTF-8 is escaped as octal" r.manifest '^/etc/caf\\351 ima:0x'
like "a backslash is escaped as octal 134" r.manifest '^/etc/back\\134slash ima:0x'
like "lines carry ima and evm" r.manifest '^/bin/ls ima:0x[0-9a-f]+ evm:0x05[0-9a-f]+$'
is "the hard link has its file's values" "$(grep '^/bin/hardlink ' r.manifest | cut -d' ' -f2-)" \
	"$(grep '^/bin/sh ' r.manifest | cut -d' ' -f2-)"
is "the manifest holds the written value" "$(grep '^/bin/ls ' r.manifest | sed 's/.*ima:0x\([0-9a-f]*\).*/\1/')" \
	"$(xattr_hex security.ima r/bin/ls)"

# round trip: a copy without xattrs gets them back, byte-identical
dump() { (cd "$1" && getfattr -h -R -P -m '^security\.(ima|evm)$' -d -e hex . 2>/dev/null); }
mkdir copy
(cd r && tar cf - .) | (cd copy && tar xf -)
is "the copy has no xattrs" "$(dump copy)" ""
ok "apply-manifest" "$IMACTL" apply-manifest copy r.manifest
like "apply-manifest counts" "$T/out" "^apply-manifest: applied 10, failed 0$"
dump r > r.dump; dump copy > copy.dump
is "the dump covers every name" "$(grep -ac '^security.evm=' copy.dump)" 10
ok "the copy's xattrs are byte-identical to the original's" cmp r.dump copy.dump
ok "the copy verifies" "$IMACTL" verify-tree copy --cert "$K.pem" --evm --target-bits 64
ok "applying twice is harmless" "$IMACTL" apply-manifest copy r.manifest

# refusals
{
	printf '/missing ima:0x0404%064d\n' 0
	printf '/fifo ima:0x0404%064d\n' 0
	printf '/bin/link ima:0x0404%064d\n' 0
	printf '/linkdir/sh ima:0x0404%064d\n' 0
	printf '/../etc/passwd ima:0x0404%064d\n' 0
	printf 'bin/sh ima:0x04\n'
	printf '/bin/sh ima:0x0g\n'
	printf '/bin/sh\\400 ima:0x04\n'
	printf '/bin/ls ima:0x0404%064d\n' 0
} > bad.manifest
ln -s bin copy/linkdir
fails 3 "apply-manifest with bad lines exits 3" "$IMACTL" apply-manifest copy bad.manifest
like "a missing path is named" "$T/err" "^imactl: copy/missing: not applied: missing$"
like "a fifo is refused" "$T/err" "^imactl: copy/fifo: not applied: is not a regular file"
like "a symlink is refused" "$T/err" "^imactl: copy/bin/link: not applied: is a symbolic link"
like "a symlinked directory on the way is refused" "$T/err" "^imactl: copy/linkdir/sh: not applied: is a symbolic link"
like "'..' is refused" "$T/err" "^imactl: copy/../etc/passwd: not applied"
like "a relative path is a malformed line" "$T/err" "bad.manifest: line 6: not '/PATH"
like "bad hex is a malformed line" "$T/err" "bad.manifest: line 7:"
like "a bad escape is a malformed line" "$T/err" "bad.manifest: line 8:"
like "the good line is still applied" "$T/out" "^apply-manifest: applied 1, failed 8$"
is "... and wrote the value" "$(xattr_hex security.ima copy/bin/ls)" "0404$(printf '%064d' 0)"
is "without evm, the stale security.evm was removed" "$(xattr_hex security.evm copy/bin/ls)" ""
is "the fifo got nothing" "$(getfattr -h -n security.ima copy/fifo 2>/dev/null)" ""
# every value is decoded strictly before anything is written
before=$(xattr_hex security.ima copy/bin/sh)
{
	printf '/bin/sh ima:0x04\n'
	printf '/bin/sh ima:0x0404%062d\n' 0
	printf '/bin/sh ima:0x050204000000000002aabb\n'
	printf '/bin/sh ima:0x0404%064d evm:0x0404%064d\n' 0 0
} > strict.manifest
fails 3 "apply-manifest refuses values that do not decode" "$IMACTL" apply-manifest copy strict.manifest
like "a 1-byte ima:0x04 is refused, naming the line" "$T/err" \
	"^imactl: strict.manifest: line 1: security.ima value refused: truncated: no algorithm byte$"
like "a digest one byte short is refused" "$T/err" \
	"^imactl: strict.manifest: line 2: security.ima value refused: digest length does not match"
like "an EVM type as security.ima is refused" "$T/err" \
	"^imactl: strict.manifest: line 3: security.ima value refused: a type this xattr does not hold$"
like "an IMA digest as security.evm is refused" "$T/err" \
	"^imactl: strict.manifest: line 4: security.evm value refused: a type this xattr does not hold$"
like "... none applied" "$T/out" "^apply-manifest: applied 0, failed 4$"
is "... and nothing written" "$(xattr_hex security.ima copy/bin/sh)" "$before"
# a mount point below ROOT is not crossed unless asked
mkdir copy/mnt
if mount -t tmpfs imactl-test copy/mnt 2>/dev/null; then
	printf 'other fs\n' > copy/mnt/f
	printf '/mnt/f ima:0x0404%064d\n' 0 > mnt.manifest
	fails 3 "apply-manifest does not cross a mount point" "$IMACTL" apply-manifest copy mnt.manifest
	like "... named, with the way to allow it" "$T/err" \
		"^imactl: copy/mnt/f: not applied: on another file system .*--cross-mounts"
	is "... nothing written there" "$(xattr_hex security.ima copy/mnt/f)" ""
	ok "apply-manifest --cross-mounts writes there" "$IMACTL" apply-manifest --cross-mounts copy mnt.manifest
	is "... the value" "$(xattr_hex security.ima copy/mnt/f)" "0404$(printf '%064d' 0)"
	umount copy/mnt
else
	skip "apply-manifest and mount points" "cannot mount a tmpfs here"
fi
rmdir copy/mnt
fails 2 "apply-manifest needs ROOT and MANIFEST" "$IMACTL" apply-manifest copy
fails 3 "a missing manifest" "$IMACTL" apply-manifest copy nope.manifest

# verify-tree finds each problem by path
printf 'tampered\n' >> r/bin/ls
printf 'new\n' > r/etc/added
"$IMACTL" sign --key "$KEYS/other.key" --cert "$KEYS/other.pem" --evm portable r/lib/libx.so
chmod 600 r/etc/motd
setfattr -x security.evm r/etc/hosts
"$IMACTL" sign --ima hash --evm portable --key "$K.key" "r/etc/with space"
fails 1 "verify-tree --evm finds the problems" "$IMACTL" verify-tree r --cert "$K.pem" --evm --target-bits 64
like "the modified file is bad, by path" "$T/out" "^/bin/ls: bad: ima: signature does not match the content"
like "the hard link of an untouched file is not reported" "$T/out" "good 4,"
like "the added file is unsigned, by path" "$T/out" "^/etc/added: unsigned: ima: no security.ima"
like "the other key's file is unknown-key, with its keyid" "$T/out" \
	"^/lib/libx.so: unknown-key: ima: no certificate for the signature's keyid \\(keyid $("$IMACTL" keyid "$KEYS/other.pem")\\)"
like "changed metadata breaks EVM" "$T/out" "^/etc/motd: bad: evm: signature does not match"
like "a stripped security.evm is unsigned" "$T/out" "^/etc/hosts: unsigned: evm: no security.evm"
like "counts" "$T/out" "^verify-tree: 10 files: good 4, hash-only 1, bad 2, unsigned 2, unknown-key 1, error 0$"
like "with --cert a hash-only file is a problem by default" "$T/out" "^/etc/with\\\\040space: hash-only: ima: only a hash, a signature is required"
fails 1 "verify-tree --allow-hash" "$IMACTL" verify-tree r --cert "$K.pem" --evm --allow-hash --target-bits 64
is "... the hash-only file is not a problem with --allow-hash" "$(grep -c 'with\\040space' "$T/out")" 0
like "... and still counted as hash-only" "$T/out" "^verify-tree: 10 files: good 4, hash-only 1, bad 2, unsigned 2, unknown-key 1, error 0$"
fails 2 "--allow-hash and --require-sig exclude each other" "$IMACTL" verify-tree r --cert "$K.pem" --allow-hash --require-sig --target-bits 64
fails 1 "--require-sig" "$IMACTL" verify-tree r --cert "$K.pem" --require-sig --target-bits 64
like "--require-sig lists the hash-only file" "$T/out" "^/etc/with\\\\040space: hash-only: ima: only a hash"
fails 1 "verify-tree with both certificates" "$IMACTL" verify-tree r --cert "$K.pem" --cert "$KEYS/other.pem" --target-bits 64
like "libx.so is good with its certificate" "$T/out" "unknown-key 0"

fails 1 "verify-tree --json" "$IMACTL" verify-tree r --cert "$K.pem" --evm --target-bits 64 --json
cp "$T/out" audit.json
ok "--json is valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' audit.json
is "--json counts and problems" "$(python3 -c '
import json,sys
d = json.load(open(sys.argv[1]))
print(d["good"], d["bad"], d["unsigned"], d["unknown-key"], d["hash-only"], d["skipped"]["hard-links"],
      " ".join(p["path"] + "=" + p["status"] for p in d["problems"]))' audit.json)" \
	"4 2 2 1 1 1 /bin/ls=bad /etc/added=unsigned /etc/hosts=unsigned /etc/motd=bad /etc/with space=hash-only /lib/libx.so=unknown-key"

chmod 000 r/etc/added; chown nobody r/etc/added
fails 3 "an unreadable file makes verify-tree exit 3" \
	setpriv --bounding-set=-dac_override,-dac_read_search "$IMACTL" verify-tree r --cert "$K.pem" --target-bits 64
like "... named as an error" "$T/out" "^/etc/added: error: Permission denied"
ok "--include selects" "$IMACTL" verify-tree r --cert "$K.pem" --target-bits 64 --include /etc/hosts --include /bin/sh
like "--include counts" "$T/out" "^verify-tree: 2 files: good 2,"
fails 2 "verify-tree without ROOT" "$IMACTL" verify-tree --cert "$K.pem"
fails 3 "verify-tree on a missing ROOT" "$IMACTL" verify-tree nope --cert "$K.pem" --target-bits 64
done_testing
