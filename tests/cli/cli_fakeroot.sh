#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Image builds sign unprivileged under fakeroot (Yocto: pseudo): signatures
# made there verify there, with the ownership the fake root reports. The
# signature cache works there and is checked against the real owner: fakeroot
# answers geteuid() and stat() with root for everything, so the owner check
# asks the kernel (another user's cache must still be refused).
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
if [ "$(id -u)" != 0 ] || ! command -v fakeroot >/dev/null; then
	skip "signing under fakeroot" "needs root (to become nobody) and fakeroot"
	done_testing; exit 0
fi
d=$(mktemp -d /tmp/imactl-fakeroot.XXXXXX)
chmod 755 "$d"
cp "$KEYS/ec256.key" "$KEYS/ec256.pem" "$d/"
chmod 644 "$d/ec256.key"
mkdir "$d/root" && chown 65534:65534 "$d/root"
cat > "$d/job.sh" <<JOB
set -e
cd "$d/root"
mkdir -p bin etc tree
printf 'prog\n' > bin/prog
printf 'conf\n' > etc/conf
printf 'tree\n' > tree/file
"$IMACTL" sign --xattr-user --key "$d/ec256.key" --evm portable bin/prog etc/conf
"$IMACTL" sign-tree --xattr-user --key "$d/ec256.key" --target-bits 64 tree >/dev/null
"$IMACTL" verify --xattr-user --evm --cert "$d/ec256.pem" bin/prog etc/conf tree/file
JOB
# fakeroot_job DESC SCRIPT: runs SCRIPT as nobody under fakeroot
fakeroot_job() {
	ok "as nobody under fakeroot: $1" env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		setpriv --reuid=65534 --regid=65534 --clear-groups fakeroot sh "$2"
}
fakeroot_job "sign, sign-tree, then verify --evm in the same session" "$d/job.sh"
like "sign's files verify" "$T/out" "etc/conf: OK"
like "sign-tree's file verifies" "$T/out" "tree/file: OK"

# the signature cache as nobody under fakeroot: created, used, reused
# world-writable, as a shared directory would be: only the owner check keeps it out
mkdir "$d/other-cache" && chown 4242:4242 "$d/other-cache" && chmod 777 "$d/other-cache"
cat > "$d/cache.sh" <<JOB
cd "$d/root"
mkdir -p ctree && printf 'a\n' > ctree/a && printf 'b\n' > ctree/b
for run in 1 2; do
	"$IMACTL" sign-tree --xattr-user --key "$d/ec256.key" --target-bits 64 --cache "$d/root/cache" ctree || exit 1
done
"$IMACTL" verify-tree --xattr-user --evm --cert "$d/ec256.pem" ctree || exit 1
echo "fake euid \$(id -u), cache owner as fakeroot reports it \$(stat -c %u "$d/other-cache")"
"$IMACTL" sign-tree --xattr-user --key "$d/ec256.key" --target-bits 64 --cache "$d/other-cache" ctree
echo "other-cache exit \$?"
JOB
fakeroot_job "sign-tree --cache twice, then verify-tree --evm" "$d/cache.sh"
like "the first run signs the 2 files (4 values)" "$T/out" "signatures: 0 reused from the cache, 4 verified with the key, 4 newly signed"
like "the second run reuses the 4 values" "$T/out" "signatures: 4 reused from the cache, 0 verified with the key, 0 newly signed"
is "the cache belongs to the real user (nobody), mode 0700" "$(stat -c '%u %a' "$d/root/cache")" "65534 700"
like "fakeroot reports root for the euid and for uid 4242's directory" "$T/out" "fake euid 0, cache owner as fakeroot reports it 0"
like "uid 4242's cache directory is still refused under fakeroot (exit 3)" "$T/out" "other-cache exit 3"
like "... naming the real owner and user" "$T/err" "other-cache: the signature cache belongs to uid 4242, not to this user \\(uid 65534\\): refused"
is "... and nothing was written into it" "$(find "$d/other-cache" -mindepth 1 | wc -l)" 0
rm -rf "$d"
done_testing
