#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A file whose size, mtime or ctime changes while it is hashed is reported by
# path and cause, not signed, and fails the run; the other files are signed.
# The change is made by an LD_PRELOAD shim (change_while_hashed.c) right after
# imactl reads the file's bytes, so the race is deterministic.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
K="$KEYS/ec256"
SHIM="$BUILD_ROOT/tests/libchange_while_hashed.so"
# the ASan runtime must otherwise come first in the library list
shim() { env LD_PRELOAD="$SHIM" \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"; }

mkdir -p tree/bin
printf 'steady\n' > tree/bin/steady
printf 'grows\n' > tree/bin/grows-file
printf 'touched\n' > tree/bin/touched-file
head -c 700000 /dev/zero > tree/grows-large   # several reads
printf 'also steady\n' > tree/other

fails 3 "sign: a file that grows while it is hashed fails" \
	shim "$IMACTL" sign --xattr-user --key "$K.key" tree/bin/grows-file
like "... named with the cause" "$T/err" "tree/bin/grows-file.*changed while it was being hashed"
is "... and carries no signature" "$(xattr_hex user.ima tree/bin/grows-file)" ""

fails 3 "sign: a file whose mtime changes while it is hashed fails" \
	shim "$IMACTL" sign --xattr-user --key "$K.key" --evm portable tree/bin/touched-file
like "... named with the cause" "$T/err" "tree/bin/touched-file.*changed while it was being hashed"
is "... no IMA value" "$(xattr_hex user.ima tree/bin/touched-file)" ""
is "... no EVM value" "$(xattr_hex user.evm tree/bin/touched-file)" ""

ok "the shim leaves other files alone: sign succeeds" \
	shim "$IMACTL" sign --xattr-user --key "$K.key" tree/bin/steady

rm -f tree/bin/steady.* 2>/dev/null
setfattr -x user.ima tree/bin/steady
fails 3 "sign-tree: the changing files fail the run" \
	shim "$IMACTL" sign-tree --xattr-user --key "$K.key" --target-bits 64 --jobs 2 tree
for f in /bin/grows-file /bin/touched-file /grows-large; do
	like "... $f named" "$T/err" "tree$f: .*changed while it was being hashed"
	is "... $f not signed" "$(xattr_hex user.ima "tree$f")" ""
	is "... $f has no EVM value" "$(xattr_hex user.evm "tree$f")" ""
done
like "... the summary counts them" "$T/out" "signed 2, .*failed 3$"
ok "... the steady files are signed and verify" \
	"$IMACTL" verify --xattr-user --evm --target-bits 64 --cert "$K.pem" tree/bin/steady tree/other

# with the file at rest again, it signs
ok "without the shim the same tree signs" \
	"$IMACTL" sign-tree --xattr-user --key "$K.key" --target-bits 64 tree
ok "... and verifies" "$IMACTL" verify-tree --xattr-user --evm --target-bits 64 --cert "$K.pem" tree

# A shared writable mapping: a write to a page already dirty moves neither
# mtime nor ctime, so no stamp can show it. A file something else can write to
# (an fd open for writing, or such a mapping) is refused before it is hashed.
printf 'mapped\n' > mapped
cat > hold_mapping.py <<'PY'
import mmap, os, subprocess, sys
fd = os.open(sys.argv[1], os.O_RDWR)
m = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
os.close(fd)  # only the mapping keeps the file writable
m[0:1] = b"M"  # the page is dirty: later writes through it move no timestamp
rc = subprocess.call(sys.argv[2:])
m.close()
sys.exit(rc)
PY
fails 3 "sign: a file mapped writable elsewhere is refused" \
	/usr/bin/python3 hold_mapping.py mapped "$IMACTL" sign --xattr-user --key "$K.key" mapped
like "... named, with the cause" "$T/err" "mapped: not signed: open for writing \(or mapped writable\) by another process"
is "... nothing written" "$(xattr_hex user.ima mapped)" ""
ok "... once the mapping is gone it signs" "$IMACTL" sign --xattr-user --key "$K.key" --cert "$K.pem" mapped
fails 3 "verify: a file mapped writable elsewhere cannot be checked" \
	/usr/bin/python3 hold_mapping.py mapped "$IMACTL" verify --xattr-user --cert "$K.pem" mapped
ok "... once the mapping is gone it verifies" "$IMACTL" verify --xattr-user --cert "$K.pem" mapped
done_testing
