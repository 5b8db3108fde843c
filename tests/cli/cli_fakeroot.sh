#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Image builds sign unprivileged under fakeroot (Yocto: pseudo): signatures
# made there verify there, with the ownership the fake root reports.
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
ok "as nobody under fakeroot: sign, sign-tree, then verify --evm in the same session" \
	env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
	setpriv --reuid=65534 --regid=65534 --clear-groups fakeroot sh "$d/job.sh"
like "sign's files verify" "$T/out" "etc/conf: OK"
like "sign-tree's file verifies" "$T/out" "tree/file: OK"
rm -rf "$d"
done_testing
