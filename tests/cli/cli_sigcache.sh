#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The signature cache (sign-tree/sign-image/sign --cache DIR):
#   values from the cache are byte-identical to fresh ones and evmctl accepts them;
#   a hit is taken on the entry's MAC (no verification), a new value is verified,
#   in a tree and in an ext4 image (sign-image: warm reuse, one cache for both);
#   content, owner, mode, security.selinux, security.capability, the key, the hash
#   algorithm and the target word size each miss it;
#   corrupted, truncated, swapped, huge records and segments, huge record counts,
#   valid signatures without the MAC, another key's records, symbolic links and
#   another user's segments never give a bad signature (the summary counts them
#   as rejected) and never crash; format 2's files are removed;
#   defaults (root: none; other users: ~/.cache/imactl), the size bound, two runs at once.
# Real security.* xattrs and evmctl, so root is needed (CI runs as root).
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1

need_root "the signature cache" "needs root for security.* xattrs"
command -v evmctl >/dev/null || { echo "Bail out! evmctl missing (scripts/install-deps)"; exit 1; }

KEY="$KEYS/rsa2048.key"; CERT="$KEYS/rsa2048.pem"; DER="$KEYS/rsa2048.der"
N=6 # files in the tree, 2 signatures each

mkdir src
for i in 1 2 3 4 5; do printf 'file %s of the cache test\n' "$i" > "src/f$i"; done
printf 'a program\n' > src/prog
chmod 0755 src/prog
setfattr -n security.capability -v 0x0100000202000000000000000000000000000000 src/prog
setfattr -n security.selinux -v "system_u:object_r:bin_t:s0" src/prog
chown 7:8 src/f5

# sign_tree NAME [OPTIONS...]: a fresh copy of src as NAME, signed; the summary's
# counts in $reused $new $rejected, and $verified (verifications with the key)
sign_tree() {
	name=$1; shift
	rm -rf "$name"; cp -a src "$name"
	run "$IMACTL" sign-tree "$name" --key "$KEY" --cert "$CERT" --target-bits 64 "$@"
	counts=$(sed -n 's/^sign-tree: signatures: \([0-9]*\) reused from the cache, \([0-9]*\) verified with the key, \([0-9]*\) newly signed, \([0-9]*\) cache entries rejected$/\1 \2 \3 \4/p' "$T/out")
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $counts
	reused=${1:-none}; verified=${2:-none}; new=${3:-none}; rejected=${4:-none}
}
# dump DIR: every file's security.ima and security.evm, by name
dump() { (cd "$1" && for f in *; do echo "$f $(xattr_hex security.ima "$f") $(xattr_hex security.evm "$f")"; done); }
# evmctl_ok DIR: evmctl checks every IMA and EVM signature of DIR
evmctl_ok() {
	for f in "$1"/*; do
		evmctl ima_verify --key "$DER" "$f" >/dev/null 2>&1 || { echo "evmctl ima_verify: $f"; return 1; }
		evmctl verify --key "$DER" "$f" >/dev/null 2>&1 || { echo "evmctl verify: $f"; return 1; }
	done
}
verify_ok() { # DESC DIR [BITS]
	ok "$1: verify-tree --evm: all good" "$IMACTL" verify-tree "$2" --cert "$CERT" --evm --target-bits "${3:-64}"
}

# ---- reference: no cache -----------------------------------------------------
sign_tree fresh --no-cache
# shellcheck disable=SC2154 # rc: set by run (lib.sh)
is "no cache: sign-tree succeeds" "$rc" 0
is "no cache: no cache line in the summary" "$reused" none
dump fresh > fresh.dump

# ---- cold, then warm -----------------------------------------------------------
sign_tree cold --cache "$T/cache"
is "cold: exit 0" "$rc" 0
is "cold: nothing reused, every value signed" "$reused $new $rejected" "0 $((2 * N)) 0"
is "cold: every new value verified with the key before it was stored" "$verified" "$((2 * N))"
dump cold > cold.dump
is "cold: values equal the ones signed without a cache" "$(cat cold.dump)" "$(cat fresh.dump)"
is "the cache directory is private (0700)" "$(stat -c %a cache)" 700
is "one segment file, private (0600)" "$(find cache -type f ! -perm 0600 | wc -l) $(find cache -type f -name 'seg3-*.c3' | wc -l)" "0 1"

sign_tree warm --cache "$T/cache"
is "warm: exit 0" "$rc" 0
is "warm: every value reused, none signed" "$reused $new $rejected" "$((2 * N)) 0 0"
is "warm: taken on their MAC, none verified again" "$verified" 0
dump warm > warm.dump
is "warm: values byte-identical to fresh signatures (RSA)" "$(cat warm.dump)" "$(cat fresh.dump)"
r=0; out=$(evmctl_ok warm) || r=1
is "evmctl ima_verify and verify accept every value from the cache${out:+ ($out)}" "$r" 0
verify_ok "warm" warm
# the MAC key comes from the key's material, not from its file: the same key
# re-encoded (PKCS#8 DER instead of PEM) authenticates the same entries
openssl pkey -in "$KEY" -outform DER -out key8.der
rm -rf warm8; cp -a src warm8
run "$IMACTL" sign-tree warm8 --key key8.der --cert "$CERT" --target-bits 64 --cache "$T/cache"
like "the same key as PKCS#8 DER: every value reused on its MAC" "$T/out" \
	"signatures: $((2 * N)) reused from the cache, 0 verified with the key, 0 newly signed, 0 cache entries rejected"
is "... the same values" "$(dump warm8)" "$(cat fresh.dump)"
# sign-tree --json: the same counts, one JSON object on stdout
rm -rf j; cp -a src j
run "$IMACTL" sign-tree j --key "$KEY" --cert "$CERT" --target-bits 64 --cache "$T/cache" --json
is "--json: exit 0" "$rc" 0
is "--json: files, signed, failed and the cache's counts" "$(python3 -c 'import json, sys
d = json.load(sys.stdin); c = d["cache"]
print(d["root"], d["files"], d["signed"], d["already_valid"], d["failed"], d["skipped"]["symlinks"],
      d["target_bits"], c["reused"], c["verified"], c["newly_signed"], c["rejected"])' < "$T/out")" "j $N $N 0 0 0 64 $((2 * N)) 0 0 0"
rm -rf j; cp -a src j
run "$IMACTL" sign-tree j --key "$KEY" --cert "$CERT" --target-bits 64 --no-cache --json
is "--json without a cache: \"cache\": null" "$(python3 -c 'import json, sys; print(json.load(sys.stdin)["cache"])' < "$T/out")" None
run "$IMACTL" sign-tree j --key "$KEY" --cert "$CERT" --no-cache --json -v
is "--json with --verbose: usage error" "$rc" 2

# ---- sign-image through the cache ------------------------------------------------
# the same files in an ext4 image (mke2fs -d keeps owners, modes and xattrs)
need_tools mke2fs debugfs e2fsck
mke2fs -q -t ext4 -I 256 -d src img.ext4 16M >/dev/null 2>&1
# sign_image NAME [OPTIONS...]: a fresh copy of img.ext4 as NAME, signed; counts as sign_tree
sign_image() {
	name=$1; shift
	cp img.ext4 "$name"
	run "$IMACTL" sign-image "$name" --key "$KEY" --cert "$CERT" --target-bits 64 "$@"
	counts=$(sed -n 's/^sign-image: signatures: \([0-9]*\) reused from the cache, \([0-9]*\) verified with the key, \([0-9]*\) newly signed, \([0-9]*\) cache entries rejected$/\1 \2 \3 \4/p' "$T/out")
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $counts
	reused=${1:-none}; verified=${2:-none}; new=${3:-none}; rejected=${4:-none}
}
# image_dump IMAGE: as dump, the values debugfs reads from the image
image_dump() {
	for f in $(cd src && echo *); do
		printf '%s' "$f"
		for x in security.ima security.evm; do
			printf ' %s' "$(debugfs -R "ea_get -x /$f $x" "$1" 2>/dev/null | sed -n 's/^.*= //p' | tr -d ' \n')"
		done
		echo
	done
}
sign_image icold.ext4 --cache "$T/icache"
is "sign-image cold: exit 0" "$rc" 0
is "sign-image cold: nothing reused, every value signed" "$reused $new $rejected" "0 $((2 * N)) 0"
sign_image iwarm.ext4 --cache "$T/icache"
is "sign-image warm: exit 0" "$rc" 0
is "sign-image warm: every value reused, none signed" "$reused $new $rejected" "$((2 * N)) 0 0"
is "sign-image warm: taken on their MAC" "$verified" 0
image_dump iwarm.ext4 > iwarm.dump
is "sign-image warm: values byte-identical to sign-tree's without a cache (RSA)" "$(cat iwarm.dump)" "$(cat fresh.dump)"
is "sign-image cold: the same values" "$(image_dump icold.ext4)" "$(cat fresh.dump)"
ok "sign-image warm: e2fsck -fn finds the image clean" e2fsck -fn iwarm.ext4
# evmctl on the image's values: set onto a copy of the tree (same content,
# owners, modes and other xattrs), as a mount of the image would show them
rm -rf ichk; cp -a src ichk
while read -r f ima evm; do
	setfattr -n security.ima -v "0x$ima" "ichk/$f" && setfattr -n security.evm -v "0x$evm" "ichk/$f"
done < iwarm.dump
r=0; out=$(evmctl_ok ichk) || r=1
is "evmctl ima_verify and verify accept every value sign-image took from the cache${out:+ ($out)}" "$r" 0
sign_image itree.ext4 --cache "$T/cache"
is "sign-image with sign-tree's cache: every value reused (one cache for both routes)" "$reused $new $rejected" "$((2 * N)) 0 0"
is "... and they are the same values" "$(image_dump itree.ext4)" "$(cat fresh.dump)"
sign_image inone.ext4 --no-cache
is "sign-image --no-cache: exit 0, no cache line" "$rc $reused" "0 none"
is "sign-image --no-cache: the same values" "$(image_dump inone.ext4)" "$(cat fresh.dump)"
sign_image ijson.ext4 --cache "$T/icache" --json
is "sign-image --json: the image and the cache's counts" "$(python3 -c 'import json, sys
d = json.load(sys.stdin); c = d["cache"]
print(d["image"], d["files"], d["failed"], c["reused"], c["newly_signed"], c["rejected"])' < "$T/out")" "ijson.ext4 $N 0 $((2 * N)) 0 0"

# ---- what must miss --------------------------------------------------------------
miss() { # DESC WANT_NEW SETUP_CMD [sign-tree OPTIONS...]
	desc=$1; want=$2; setup=$3; shift 3
	rm -rf m; cp -a src m; (cd m && eval "$setup")
	bits="--target-bits 64"; case " $* " in *" --target-bits "*) bits= ;; esac
	# shellcheck disable=SC2086 # $bits: two words or none
	run "$IMACTL" sign-tree m --key "$KEY" --cert "$CERT" $bits --cache "$T/cache" "$@"
	counts=$(sed -n 's/^sign-tree: signatures: \([0-9]*\) reused.*, \([0-9]*\) newly signed, \([0-9]*\) cache entries rejected$/\1 \2 \3/p' "$T/out")
	is "$desc: $want newly signed, the rest reused" "$counts" "$((2 * N - want)) $want 0"
}
miss "changed content" 2 'echo more >> f1'
verify_ok "changed content" m
miss "changed owner (EVM only)" 1 'chown 1:1 f2'
verify_ok "changed owner" m
miss "changed group (EVM only)" 1 'chgrp 3 f2'
miss "changed mode (EVM only)" 1 'chmod 0600 f3'
verify_ok "changed mode" m
miss "changed security.selinux (EVM only)" 1 'setfattr -n security.selinux -v "system_u:object_r:etc_t:s0" prog'
verify_ok "changed security.selinux" m
miss "changed security.capability (EVM only)" 1 'setfattr -n security.capability -v 0x0100000202100000000000000000000000000000 prog'
verify_ok "changed security.capability" m
miss "a new security.selinux (EVM only)" 1 'setfattr -n security.selinux -v "system_u:object_r:etc_t:s0" f4'
miss "32-bit target (EVM only)" "$N" ':' --target-bits 32
verify_ok "32-bit target" m 32
miss "another hash algorithm" "$((2 * N))" ':' --hash sha512
verify_ok "sha512" m
miss "sigv3 instead of v2 (and so EVM, which covers security.ima)" "$((2 * N))" ':' --sigv3
rm -rf m; cp -a src m
run "$IMACTL" sign-tree m --key "$KEYS/other.key" --cert "$KEYS/other.pem" --target-bits 64 --cache "$T/cache"
is "another key: every value newly signed" "$(sed -n 's/.*: \([0-9]*\) reused.*, \([0-9]*\) newly signed.*/\1 \2/p' "$T/out")" "0 $((2 * N))"
ok "another key: its values verify with its certificate" "$IMACTL" verify-tree m --cert "$KEYS/other.pem" --evm --target-bits 64
rm -rf m; cp -a src m
run "$IMACTL" sign-tree m --key "$KEY" --keyid 0a0b0c0d --target-bits 64 --cache "$T/cache"
is "another keyid for the same key: every value newly signed" "$(sed -n 's/.*: \([0-9]*\) reused.*, \([0-9]*\) newly signed.*/\1 \2/p' "$T/out")" "0 $((2 * N))"
is "another keyid: the values carry it" "$(xattr_hex security.ima m/f1 | cut -c7-14)" 0a0b0c0d

# ---- hostile caches --------------------------------------------------------------
# a clean cache of the tree's values in $T/h: one segment, 2N records
fresh_cache() { rm -rf h; cp -a cache-clean h; seg=$(echo h/seg3-*.c3); }
sign_tree clean --cache "$T/cache-clean" >/dev/null
is "a clean cache: one segment" "$(find cache-clean -type f | wc -l)" 1

hostile() { # DESC "REUSED NEW REJECTED" (first run) "REUSED NEW REJECTED" (second run)
	sign_tree hx --cache "$T/h"
	is "$1: exit 0" "$rc" 0
	is "$1: reused, newly signed, rejected" "$reused $new $rejected" "$2"
	is "$1: ... each new value verified before it was stored" "$verified" "$new"
	dump hx > hx.dump
	is "$1: the values are the right ones" "$(cat hx.dump)" "$(cat fresh.dump)"
	r=0; out=$(evmctl_ok hx) || r=1
	is "$1: evmctl accepts them${out:+ ($out)}" "$r" 0
	sign_tree hy --cache "$T/h"
	is "$1: then: the bad records dropped, the re-signed ones reused" "$reused $new $rejected" "$3"
	is "$1: ... the right values" "$(dump hy)" "$(cat fresh.dump)"
}
ALL_BAD="0 $((2 * N)) $((2 * N))"; HEALED="$((2 * N)) 0 0"
# records PY: runs the python statements PY on every record of the segment $seg:
# r is a bytearray of the record (key 32, length 2, last use 8, value, MAC 32), i its index,
# recs all of them (bytes); the records written back in order, the header kept
records() {
	/usr/bin/python3 -c 'import sys
p = sys.argv[1]; b = open(p, "rb").read(); hdr, off, recs = b[:16], 16, []
while off < len(b):
    n = 42 + (b[off + 32] << 8 | b[off + 33]) + 32; recs.append(b[off:off + n]); off += n
out = []
for i, rec in enumerate(recs):
    r = bytearray(rec)
    exec(sys.argv[2])
    out.append(bytes(r))
open(p, "wb").write(hdr + b"".join(out))' "$seg" "$1"
}
fresh_cache; records 'r[-1] ^= 0x40'
hostile "corrupted records (a bit of the MAC's last byte flipped)" "$ALL_BAD" "$HEALED"
fresh_cache; records 'r[-40] ^= 0x40'
hostile "corrupted records (a bit of the signature's last byte flipped)" "$ALL_BAD" "$HEALED"
fresh_cache; records 'r[-32:] = bytes(32)'
hostile "valid signatures with a zeroed MAC" "$ALL_BAD" "$HEALED"
fresh_cache; records 'r[32:34] = (len(r) - 42 - 64).to_bytes(2, "big"); del r[-32:]'
hostile "valid signatures without a MAC" "$ALL_BAD" "$HEALED"
fresh_cache
# another key's records for the same tree, each under one of our entry keys
rm -rf okey; cp -a src okey
run "$IMACTL" sign-tree okey --key "$KEYS/other.key" --cert "$KEYS/other.pem" --target-bits 64 --cache "$T/cache-other"
is "another key's cache of the tree: one segment" "$(find cache-other -type f | wc -l)" 1
cp cache-other/seg3-*.c3 theirs.seg
records 'o = open("'"$T"'/theirs.seg", "rb").read()
t, off = [], 16
while off < len(o):
    n = 42 + (o[off + 32] << 8 | o[off + 33]) + 32; t.append(o[off:off + n]); off += n
r[:] = r[:32] + t[i][32:]'
hostile "another key's records under our entry keys" "$ALL_BAD" "$HEALED"
fresh_cache
# wrong values under valid headers: each record's value replaced by another
# record's of the same length (same format, a signature of another input)
records 'j = next(j for j in list(range(i + 1, len(recs))) + list(range(i)) if len(recs[j]) == len(r) and recs[j][42:-32] != r[42:-32])
r[42:-32] = recs[j][42:-32]'
hostile "swapped values (valid headers, signatures of other inputs)" "$ALL_BAD" "$HEALED"
fresh_cache; truncate -s 30 "$seg"
hostile "a truncated segment" "0 $((2 * N)) 1" "$HEALED"
fresh_cache; truncate -s -1 "$seg"
hostile "a segment short of its last byte" "$((2 * N - 1)) 1 1" "$HEALED"
fresh_cache
/usr/bin/python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[8:12] = b"\xff" * 4; open(p, "wb").write(b)' "$seg"
hostile "a huge record count (never trusted: the records are used)" "$((2 * N)) 0 1" "$HEALED"
fresh_cache; records 'r[32:34] = b"\xff\xff"'
hostile "huge record lengths" "0 $((2 * N)) 1" "$HEALED"
fresh_cache; truncate -s 2G "$seg"
hostile "a huge segment (2 GB, above the bound: not read)" "0 $((2 * N)) 1" "$HEALED"
fresh_cache; rm "$seg"; ln -s "$T/cache-clean/${seg#h/}" "$seg"
hostile "a symbolic link to a good segment" "0 $((2 * N)) 1" "$((2 * N)) 0 1"
is "... the link is left alone, the linked-to cache not written" \
	"$(find h -type l | wc -l) $(find cache-clean -type f -newer h | wc -l)" "1 0"
fresh_cache; chown 4242 "$seg"
hostile "another user's segment" "0 $((2 * N)) 1" "$((2 * N)) 0 1"
# format 2's files: never read, removed by the first run
fresh_cache; mkdir h/ab
printf 'IMACTLC2' > h/ab/ab00000000000000000000000000000000000000000000000000000000000000
sign_tree hx --cache "$T/h"
is "format 2's files: ignored" "$reused $new $rejected" "$((2 * N)) 0 0"
is "... and removed" "$(find h -mindepth 1 ! -name 'seg3-*' | wc -l)" 0

ln -s "$T/cache-clean" linked
sign_tree hx --cache "$T/linked"
is "a symbolic link as the cache directory: refused (exit 3)" "$rc" 3
like "... with the reason" "$T/err" 'linked: the signature cache is a symbolic link: refused'
is "... and nothing signed" "$(xattr_hex security.ima hx/f1)" ""
mkdir other-owner; chown 4242 other-owner
sign_tree hx --cache "$T/other-owner"
is "another user's cache directory: refused (exit 3)" "$rc" 3
like "... with the reason" "$T/err" 'other-owner: the signature cache belongs to uid 4242'
: > not-a-dir
sign_tree hx --cache "$T/not-a-dir"
is "a file as the cache directory: refused (exit 3)" "$rc" 3
like "... naming it" "$T/err" 'not-a-dir: cannot open the signature cache'

# ---- options, defaults, size bound, concurrency ----------------------------------
sign_tree hx --cache "$T/x" --no-cache
is "--cache with --no-cache: usage error" "$rc" 2
sign_tree hx --cache-size 12X
is "--cache-size 12X: usage error" "$rc" 2
sign_tree hx --cache-size 0
is "--cache-size 0: usage error" "$rc" 2
rm -rf hashonly; cp -a src hashonly
ok "sign-tree --ima hash --evm none --cache" "$IMACTL" sign-tree hashonly --ima hash --evm none --cache "$T/hashcache"
is "... makes no signature, so opens no cache" "$(ls -d hashcache 2>/dev/null)" ""

mkdir home
rm -rf d1; cp -a src d1
export_home() { HOME="$T/home" XDG_CACHE_HOME="" "$@"; }
run export_home "$IMACTL" sign-tree d1 --key "$KEY" --target-bits 64
is "root: no cache unless --cache is given" "$(ls -A home)" ""
if command -v setpriv >/dev/null; then
	rm -rf nobody; mkdir -p nobody/home nobody/tree; cp src/f1 src/f2 nobody/tree/
	cp "$KEY" nobody/key; chown -R 65534:65534 nobody; chmod 0755 nobody
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$T/nobody/home" XDG_CACHE_HOME= "$@"; }
	run as_nobody "$IMACTL" sign-tree nobody/tree --xattr-user --key nobody/key --target-bits 64
	is "another user: signs with the default cache" "$rc" 0
	is "... in ~/.cache/imactl, private" "$(stat -c '%a %u' nobody/home/.cache/imactl 2>&1)" "700 65534"
	run as_nobody "$IMACTL" sign-tree nobody/tree --xattr-user --key nobody/key --target-bits 64
	like "... and reuses it" "$T/out" 'signatures: 4 reused from the cache, 0 verified with the key, 0 newly signed'
	run as_nobody env XDG_CACHE_HOME="$T/nobody/xdg" "$IMACTL" sign-tree nobody/tree --xattr-user --key nobody/key --target-bits 64
	is "... \$XDG_CACHE_HOME/imactl when it is set" "$(stat -c %a nobody/xdg/imactl 2>&1)" 700
	run as_nobody "$IMACTL" sign-tree nobody/tree --xattr-user --key nobody/key --target-bits 64 --no-cache
	is "... --no-cache: no cache line" "$(grep -c 'signatures:' "$T/out")" 0
else
	skip "the default cache of other users" "setpriv missing"
fi

# the size bound: 12 records of ~340 bytes, a bound of 2 KiB: the least recently used go
sign_tree b --cache "$T/bounded" --cache-size 2K
is "--cache-size 2K: exit 0" "$rc" 0
is "... the cache stays within it, some records kept" \
	"$(find bounded -type f -printf '%s\n' | awk '{ s += $1; n++ } END { print (s <= 2048 && s > 16 && n == 1) }')" 1
sign_tree b --cache "$T/bounded" --cache-size 2K
is "... the kept ones reused" "$(test "$reused" -ge 1 && test "$reused" -lt $((2 * N)) && echo yes)" yes

# two runs at once sharing one cache
rm -rf p1 p2; cp -a src p1; cp -a src p2
"$IMACTL" sign-tree p1 --key "$KEY" --cert "$CERT" --target-bits 64 --cache "$T/shared" > p1.out 2>&1 & pid1=$!
"$IMACTL" sign-tree p2 --key "$KEY" --cert "$CERT" --target-bits 64 --cache "$T/shared" > p2.out 2>&1 & pid2=$!
r1=0; wait $pid1 || r1=$?; r2=0; wait $pid2 || r2=$?
is "two runs sharing a cache: both succeed" "$r1 $r2" "0 0"
is "... with the right values" "$(dump p1) $(dump p2)" "$(cat fresh.dump) $(cat fresh.dump)"
is "... and no temporary file left" "$(find shared -name '.*' | wc -l)" 0
sign_tree p3 --cache "$T/shared"
is "... a third run reuses every value (no record lost)" "$reused $new $rejected" "$((2 * N)) 0 0"

# imactl sign takes the same options
cp src/f1 s1; cp src/f1 s2
ok "sign --cache -v" "$IMACTL" sign --key "$KEY" --evm portable --cache "$T/cache" -v s1
like "... reuses the tree's values" "$T/out" '^sign: signatures: 2 reused from the cache, 0 verified with the key, 0 newly signed'
ok "sign --no-cache" "$IMACTL" sign --key "$KEY" --evm portable --no-cache s2
is "... the same values" "$(xattr_hex security.evm s1)" "$(xattr_hex security.evm s2)"

done_testing
