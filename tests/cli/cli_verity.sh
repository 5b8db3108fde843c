#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sigv3 (0x06) signs the file's fs-verity digest, as the kernel wants with
# digest_type=verity (ima_appraise.c calc_file_id_hash over fsverity_get_digest):
#   imactl hash --verity == Debian's `fsverity digest` (sha256, sha512, sizes
#   around the Merkle tree's block and level boundaries);
#   imactl sign --sigv3 -> evmctl 1.4 ima_verify accepts the signature over
#   H(0x06 || algo || fs-verity digest), with that digest from `fsverity digest`;
#   evmctl 1.4 sign_hash over that H -> imactl verify accepts it as a sigv3;
#   a sigv3 over the plain content hash (what imactl wrote before) is refused.
# evmctl 1.4 has no sigv3 of its own (--veritysig came in 1.5): it signs and
# checks the file-id digest as a v2 signature, whose signature bytes are
# those of the sigv3 value (only the type and version bytes differ).
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
command -v fsverity >/dev/null || { echo "Bail out! fsverity missing (scripts/install-deps)"; exit 1; }

# hex of the fs-verity digest by `fsverity digest` (ALGO FILE)
fsv() { fsverity digest --hash-alg="$1" "$2" | sed -n "s/^$1:\([0-9a-f]*\) .*/\1/p"; }
# hex of the file-id digest H(0x06 || algo id || fs-verity digest) (ALGO FILE)
file_id() {
	case $1 in sha256) _id=04 ;; sha512) _id=06 ;; esac
	printf '06%s%s' "$_id" "$(fsv "$1" "$2")" | xxd -r -p | "${1}sum" | cut -d' ' -f1
}

# --- the digest itself ---------------------------------------------------
for n in 0 1 4095 4096 4097 262145 524289 1048579; do
	head -c $n /dev/urandom > "r$n"
	for h in sha256 sha512; do
		ok "hash --verity --hash $h of $n bytes" "$IMACTL" hash --verity --hash $h "r$n"
		is "  ... equals fsverity digest" "$(cat "$T/out")" "$h:$(fsv $h "r$n")  r$n"
	done
done
ok "hash --verity defaults to sha256" "$IMACTL" hash --verity r4097
is "  ... the same digest" "$(cat "$T/out")" "sha256:$(fsv sha256 r4097)  r4097"
ok "hash without --verity is the plain content hash" "$IMACTL" hash r4097
is "  ... sha256sum's" "$(cat "$T/out")" "sha256:$(sha256sum r4097 | cut -d' ' -f1)  r4097"
for h in sha1 sha384 sm3; do
	fails 2 "hash --verity --hash $h: fs-verity has no $h" "$IMACTL" hash --verity --hash $h r1
	like "  ... and says so" "$T/err" 'fs-verity digests are sha256 or sha512'
done
ln -s r1 link
fails 3 "hash --verity refuses a symbolic link" "$IMACTL" hash --verity link

# --- sign and verify (user.* xattrs: no root needed) ----------------------
for h in sha1 sha224 sha384 sm3; do
	fails 2 "sign --sigv3 --hash $h is a usage error" \
		"$IMACTL" sign --xattr-user --sigv3 --hash $h --key "$KEYS/ec256.key" r1
	like "  ... naming the fs-verity algorithms" "$T/err" 'sigv3 signs the fs-verity digest: --hash sha256 or sha512'
	fails 2 "sign-tree --sigv3 --hash $h is a usage error" \
		"$IMACTL" sign-tree --xattr-user --sigv3 --hash $h --key "$KEYS/ec256.key" .
done
is "  ... and nothing was written" "$(xattr_hex user.ima r1)" ""

for key in rsa2048 ec256; do
	for h in sha256 sha512; do
		f="u-$key-$h"
		cp r4097 "$f"
		ok "$key/$h: sign --sigv3" "$IMACTL" sign --xattr-user --sigv3 --hash $h \
			--key "$KEYS/$key.key" --cert "$KEYS/$key.pem" "$f"
		case $h in sha256) a=04 ;; sha512) a=06 ;; esac
		is "  ... type 0x06, version 3, $h" "$(xattr_hex user.ima "$f" | cut -c1-6)" "0603$a"
		ok "  ... verify recomputes the fs-verity digest: OK" \
			"$IMACTL" verify --xattr-user --require-sig --cert "$KEYS/$key.pem" "$f"
		like "  ... and names it" "$T/out" "$f: OK \\(ima signature v3 \\(fs-verity\\) $h\\)"
	done
done
f=u-ec256-sha256
printf x >> "$f"
fails 1 "one byte appended: verify fails" "$IMACTL" verify --xattr-user --cert "$KEYS/ec256.pem" "$f"
like "  ... naming the fs-verity digest" "$T/err" "$f: ima: signature does not match the content's fs-verity digest"

# sign-tree and verify-tree
mkdir -p tree/bin tree/etc
cp r1 tree/bin/one; cp r1048579 tree/bin/big; : > tree/etc/empty
ok "sign-tree --sigv3" "$IMACTL" sign-tree --xattr-user --sigv3 --evm none \
	--key "$KEYS/ec256.key" --cert "$KEYS/ec256.pem" tree
for p in bin/one bin/big etc/empty; do
	is "  ... $p: sigv3" "$(xattr_hex user.ima "tree/$p" | cut -c1-6)" "060304"
done
ok "verify-tree --require-sig accepts them" "$IMACTL" verify-tree --xattr-user --require-sig \
	--cert "$KEYS/ec256.pem" tree
ok "sign-tree --sigv3 --skip-valid finds them valid" "$IMACTL" sign-tree --xattr-user --sigv3 \
	--evm none --skip-valid --key "$KEYS/ec256.key" --cert "$KEYS/ec256.pem" tree
like "  ... all 3" "$T/out" "signed 0, already valid 3, failed 0"
printf x >> tree/bin/big
fails 1 "verify-tree: the changed file is bad" "$IMACTL" verify-tree --xattr-user --cert "$KEYS/ec256.pem" tree
like "  ... by name" "$T/out" "/bin/big: bad: .*fs-verity digest"

# a file that changes while its fs-verity digest is computed is not signed
SHIM="$BUILD_ROOT/tests/libchange_while_hashed.so"
head -c 700000 /dev/zero > grows-large
fails 3 "sign --sigv3: a file that grows while it is hashed fails" env LD_PRELOAD="$SHIM" \
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	"$IMACTL" sign --xattr-user --sigv3 --key "$KEYS/ec256.key" grows-large
like "  ... named with the cause" "$T/err" "grows-large.*changed while it was being hashed"
is "  ... and carries no signature" "$(xattr_hex user.ima grows-large)" ""

# --- interop with evmctl 1.4 (security.ima: root) -------------------------
need_root "sigv3 interop with evmctl" "needs root for security.* xattrs"
command -v evmctl >/dev/null || { echo "Bail out! evmctl missing (scripts/install-deps)"; exit 1; }

for key in rsa2048 ec256; do
	for h in sha256 sha512; do
		id="$key/$h"
		# imactl -> evmctl: the signature, as v2, over a file whose content
		# is the 0x06 || algo || fs-verity digest (so its plain hash is H)
		f="i-$key-$h"
		cp r262145 "$f"
		ok "$id: imactl sign --sigv3" "$IMACTL" sign --sigv3 --hash $h \
			--key "$KEYS/$key.key" --cert "$KEYS/$key.pem" "$f"
		v=$(xattr_hex security.ima "$f")
		case $h in sha256) a=04 ;; sha512) a=06 ;; esac
		printf '06%s%s' "$a" "$(fsv "$h" "$f")" | xxd -r -p > "$f.id"
		setfattr -n security.ima -v "0x0302${v#0603}" "$f.id"
		ok "$id: evmctl ima_verify accepts imactl's sigv3 signature over H(0x06, algo, fsverity digest)" \
			evmctl ima_verify -a $h --key "$KEYS/$key.der" "$f.id"
		# evmctl -> imactl: evmctl sign_hash signs H; as a sigv3 on the file
		f="e-$key-$h"
		cp r262145 "$f"
		out=$(echo "$(file_id $h "$f")  $f" | evmctl sign_hash -a $h \
			--key "$KEYS/$key.key" --keyid-from-cert "$KEYS/$key.der" 2>/dev/null)
		sig=${out##* }
		case $sig in 0302*) ;; *) sig=none ;; esac
		is "$id: evmctl sign_hash gave a v2 signature" "${sig%"${sig#????}"}" 0302
		setfattr -n security.ima -v "0x0603${sig#0302}" "$f"
		ok "$id: imactl verify accepts evmctl's signature as a sigv3" \
			"$IMACTL" verify --require-sig --cert "$KEYS/$key.pem" "$f"
		case $key in rsa*)
			is "$id: RSA sigv3 values are byte-identical" \
				"$(xattr_hex security.ima "i-$key-$h")" "$(xattr_hex security.ima "e-$key-$h")" ;;
		esac
	done
done

# the defect this replaces: sigv3 over H(0x06 || algo || sha256 of the content)
f=old-style
cp r262145 "$f"
h=$(printf '0604%s' "$(sha256sum "$f" | cut -d' ' -f1)" | xxd -r -p | sha256sum | cut -d' ' -f1)
out=$(echo "$h  $f" | evmctl sign_hash --key "$KEYS/rsa2048.key" 2>/dev/null)
sig=${out##* }
setfattr -n security.ima -v "0x0603${sig#0302}" "$f"
fails 1 "a sigv3 over the content hash (not the fs-verity digest) is refused" \
	"$IMACTL" verify --cert "$KEYS/rsa2048.pem" "$f"
like "  ... naming the fs-verity digest" "$T/err" "$f: ima: signature does not match the content's fs-verity digest"
done_testing
