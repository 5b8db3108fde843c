#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sign-tree/sign-image --mutable GLOB: mutable files get a security.ima hash
# (not a signature) and no EVM portable signature; --mutable-list names them.
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
K="$KEYS/rsa2048"

need_root "mutable files" "needs root for security.* xattrs"

mk_tree() {
	rm -rf "$1" && mkdir -p "$1/etc" "$1/usr/bin" "$1/var/lib/db"
	printf '0123456789abcdef0123456789abcdef\n' > "$1/etc/machine-id"
	printf 'conf\n' > "$1/etc/hostname"
	printf 'rows\n' > "$1/var/lib/db/a.db"
	printf 'more rows\n' > "$1/var/lib/db/b.db"
	printf '#!/bin/sh\n' > "$1/usr/bin/tool"
	printf 'x\n' > "$1/usr/bin/not.db.txt"
}
ima_type() { xattr_hex security.ima "$1" | cut -c1-2; }

mk_tree tree
# signed once without --mutable: every file carries a signature and EVM
ok "sign-tree (all signed)" "$IMACTL" sign-tree tree --key "$K.key" --cert "$K.pem" --no-cache
is "machine-id had an EVM portable signature" "$(xattr_hex security.evm tree/etc/machine-id | cut -c1-2)" 05
ok "sign-tree --mutable" "$IMACTL" sign-tree tree --key "$K.key" --cert "$K.pem" --no-cache \
	--mutable /etc/machine-id --mutable '*.db' --mutable-list list
is "mutable: security.ima is a sha256 hash (0x04, algo 04)" "$(xattr_hex security.ima tree/etc/machine-id | cut -c1-4)" 0404
is "mutable: no security.evm (the old portable signature was removed)" "$(xattr_hex security.evm tree/etc/machine-id)" ""
is "mutable by name at any depth: a.db hashed" "$(ima_type tree/var/lib/db/a.db)" 04
is "... b.db too" "$(xattr_hex security.evm tree/var/lib/db/b.db)" ""
is "others keep a signature (0x03)" "$(ima_type tree/etc/hostname)" 03
is "... and an EVM portable signature" "$(xattr_hex security.evm tree/usr/bin/tool | cut -c1-2)" 05
is "a name that only contains .db is not mutable" "$(ima_type tree/usr/bin/not.db.txt)" 03
is "the list: the mutable files, sorted" "$(cat list)" "/etc/machine-id
/var/lib/db/a.db
/var/lib/db/b.db"
ok "verify-tree --allow-hash: signed files good, mutable ones hash-only" "$IMACTL" verify-tree tree --cert "$K.pem" --allow-hash
fails 1 "verify-tree --cert alone: the mutable files' hashes are problems" "$IMACTL" verify-tree tree --cert "$K.pem"
cp tree/etc/machine-id mid && evmctl ima_hash mid >/dev/null
is "the mutable file's IMA hash is evmctl ima_hash's" "$(xattr_hex security.ima tree/etc/machine-id)" "$(xattr_hex security.ima mid)"

# the same through sign-image, in an image made with mke2fs -d
need_tools mke2fs debugfs
mk_tree img
mke2fs -q -t ext4 -I 256 -d img img.ext4 16M >/dev/null 2>&1
ok "sign-image --mutable" "$IMACTL" sign-image img.ext4 --key "$K.key" --cert "$K.pem" \
	--mutable /etc/machine-id --mutable '*.db' --mutable-list ilist
ival() { debugfs -R "ea_get -x $1 $2" img.ext4 2>/dev/null | sed 's/^.*= //' | tr -d ' \n'; }
is "image: machine-id hashed" "$(ival /etc/machine-id security.ima | cut -c1-4)" 0404
is "image: machine-id has no security.evm" "$(ival /etc/machine-id security.evm)" ""
is "image: tool signed" "$(ival /usr/bin/tool security.ima | cut -c1-2)" 03
is "image: tool has EVM" "$(ival /usr/bin/tool security.evm | cut -c1-2)" 05
is "image: the same list as sign-tree" "$(cat ilist)" "$(cat list)"
is "image: the same IMA hash as sign-tree" "$(ival /etc/machine-id security.ima)" "$(xattr_hex security.ima tree/etc/machine-id)"
# an image signed before: sign-image --mutable drops the old EVM signature
mk_tree img2
mke2fs -q -t ext4 -I 256 -d img2 img2.ext4 16M >/dev/null 2>&1
ok "sign-image without --mutable" "$IMACTL" sign-image img2.ext4 --key "$K.key" --cert "$K.pem"
is "... machine-id has an EVM portable signature" "$(debugfs -R 'ea_get -x /etc/machine-id security.evm' img2.ext4 2>/dev/null | sed 's/^.*= //' | cut -c1-2)" 05
ok "re-sign an image with --mutable" "$IMACTL" sign-image img2.ext4 --key "$K.key" --cert "$K.pem" \
	--mutable /etc/machine-id
is "... its old EVM signature is gone" "$(debugfs -R 'ea_get -x /etc/machine-id security.evm' img2.ext4 2>/dev/null | sed 's/^.*= //' | tr -d ' \n')" ""
ok "e2fsck finds the image clean" e2fsck -fn img2.ext4
# --skip-valid: a mutable file whose hash is already right keeps no EVM
# signature either (it used to stay: the file counted as valid)
mk_tree img3
mke2fs -q -t ext4 -I 256 -d img3 img3.ext4 16M >/dev/null 2>&1
ok "sign-image --ima hash --evm portable" "$IMACTL" sign-image img3.ext4 --key "$K.key" \
	--cert "$K.pem" --ima hash --evm portable
i3() { debugfs -R "ea_get -x $1 $2" img3.ext4 2>/dev/null | sed 's/^.*= //' | tr -d ' \n'; }
is "... machine-id: a hash and an EVM portable signature" \
	"$(i3 /etc/machine-id security.ima | cut -c1-2):$(i3 /etc/machine-id security.evm | cut -c1-2)" "04:05"
ima3=$(i3 /etc/machine-id security.ima)
ok "sign-image --mutable --skip-valid" "$IMACTL" sign-image img3.ext4 --key "$K.key" \
	--cert "$K.pem" --mutable /etc/machine-id --skip-valid
is "... the stale EVM signature of the mutable file is gone" "$(i3 /etc/machine-id security.evm)" ""
is "... its hash kept" "$(i3 /etc/machine-id security.ima)" "$ima3"
is "... a signed file keeps its EVM signature" "$(i3 /usr/bin/tool security.evm | cut -c1-2)" 05
ok "... e2fsck finds the image clean" e2fsck -fn img3.ext4
mk_tree tree3
ok "sign-tree --ima hash --evm portable" "$IMACTL" sign-tree tree3 --key "$K.key" --cert "$K.pem" \
	--no-cache --ima hash --evm portable
ok "sign-tree --mutable --skip-valid" "$IMACTL" sign-tree tree3 --key "$K.key" --cert "$K.pem" \
	--no-cache --mutable /etc/machine-id --skip-valid --verbose
is "... sign-tree drops it too" "$(xattr_hex security.evm tree3/etc/machine-id)" ""
# ... and says it changed the file (it used to report it "already valid")
is "... reported as signed, not already valid" "$(grep 'machine-id' "$T/out")" \
	"tree3/etc/machine-id: signed (mutable)"
is "... counted as signed" "$(grep "^sign-tree: signed" "$T/out")" "sign-tree: signed 6, already valid 0, failed 0"
ok "sign-tree --mutable --skip-valid again" "$IMACTL" sign-tree tree3 --key "$K.key" --cert "$K.pem" \
	--no-cache --mutable /etc/machine-id --skip-valid --verbose
is "... now it is already valid" "$(grep 'machine-id' "$T/out")" \
	"tree3/etc/machine-id: already valid (mutable)"

fails 2 "--mutable-list without --mutable" "$IMACTL" sign-tree tree --key "$K.key" --cert "$K.pem" --mutable-list l2
fails 2 "--mutable-list twice" "$IMACTL" sign-tree tree --key "$K.key" --mutable x --mutable-list a --mutable-list b
ln -s /etc/passwd trap
ok "the list is never written through a planted symlink" "$IMACTL" sign-tree tree --key "$K.key" --cert "$K.pem" \
	--no-cache --mutable /etc/machine-id --mutable-list trap
is "... the link was replaced, its target untouched" "$(cat trap)" "/etc/machine-id"
[ -L trap ]
is "... trap is a regular file now" $? 1
done_testing
