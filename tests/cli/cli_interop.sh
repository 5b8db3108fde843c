#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Interop with Debian's evmctl 1.4, both directions, for every key type and hash:
#   imactl sign   -> evmctl ima_verify accepts     evmctl ima_sign -> imactl verify accepts
#   imactl +EVM   -> evmctl verify accepts         evmctl sign --imasig --portable -> imactl verify --evm
#   RSA is deterministic: imactl's xattrs are byte-identical to evmctl's.
# Real security.* xattrs, so root is needed (CI runs as root).
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
need_root "interop with evmctl" "needs root for security.* xattrs"
command -v evmctl >/dev/null || { echo "Bail out! evmctl missing (scripts/install-deps)"; exit 1; }

printf 'interop test content\n' > content
for key in rsa2048 rsa4096 ec256 ec384; do
	for h in sha1 sha256 sha384 sha512; do
		id="$key/$h"
		# imactl -> evmctl (IMA)
		cp content "i-$key-$h"
		ok "$id: imactl sign" "$IMACTL" sign --key "$KEYS/$key.key" --cert "$KEYS/$key.pem" --hash $h "i-$key-$h"
		ok "$id: evmctl ima_verify accepts imactl's signature" evmctl ima_verify --key "$KEYS/$key.der" "i-$key-$h"
		# evmctl -> imactl (IMA)
		cp content "e-$key-$h"
		ok "$id: evmctl ima_sign" evmctl ima_sign --key "$KEYS/$key.key" -a $h "e-$key-$h"
		ok "$id: imactl verify accepts evmctl's signature" "$IMACTL" verify --cert "$KEYS/$key.der" "e-$key-$h"
		case $key in rsa*)
			is "$id: RSA IMA signatures are byte-identical" \
				"$(xattr_hex security.ima "i-$key-$h")" "$(xattr_hex security.ima "e-$key-$h")" ;;
		esac
		# imactl -> evmctl (IMA + EVM portable)
		cp -p content "ie-$key-$h"
		ok "$id: imactl sign --evm portable" "$IMACTL" sign --key "$KEYS/$key.key" --cert "$KEYS/$key.pem" --hash $h --evm portable "ie-$key-$h"
		ok "$id: evmctl verify accepts imactl's EVM portable signature" evmctl verify --key "$KEYS/$key.der" "ie-$key-$h"
		# evmctl -> imactl (IMA + EVM portable)
		cp -p content "ee-$key-$h"
		ok "$id: evmctl sign --imasig --portable" evmctl sign --imasig --portable --key "$KEYS/$key.key" -a $h "ee-$key-$h"
		ok "$id: imactl verify --evm accepts evmctl's EVM portable signature" "$IMACTL" verify --evm --cert "$KEYS/$key.pem" "ee-$key-$h"
		case $key in rsa*)
			is "$id: RSA EVM portable signatures are byte-identical" \
				"$(xattr_hex security.evm "ie-$key-$h")" "$(xattr_hex security.evm "ee-$key-$h")" ;;
		esac
	done
done

# IMA hashes: the same bytes as evmctl ima_hash, also the legacy sha1 form
for h in sha1 sha224 sha256 sha512; do
	cp content "ih-$h"; cp content "eh-$h"
	ok "$h: imactl sign --ima hash" "$IMACTL" sign --ima hash --hash $h "ih-$h"
	ok "$h: evmctl ima_hash" evmctl ima_hash -a $h "eh-$h"
	is "$h: IMA hash values are byte-identical" "$(xattr_hex security.ima "ih-$h")" "$(xattr_hex security.ima "eh-$h")"
done

# 32-bit targets: the EVM input's struct h_misc is 20 bytes
cp -p content i32; cp -p content e32
ok "imactl sign --evm portable --target-bits 32" "$IMACTL" sign --key "$KEYS/rsa2048.key" --evm portable --target-bits 32 i32
ok "evmctl sign --m32" evmctl sign --m32 --imasig --portable --key "$KEYS/rsa2048.key" e32
is "32-bit EVM portable signatures are byte-identical" "$(xattr_hex security.evm i32)" "$(xattr_hex security.evm e32)"
ok "imactl verify --target-bits 32 accepts evmctl --m32" "$IMACTL" verify --evm --target-bits 32 --cert "$KEYS/rsa2048.pem" e32
fails 1 "a 32-bit EVM signature does not verify for a 64-bit target" "$IMACTL" verify --evm --cert "$KEYS/rsa2048.pem" e32

# EVM covers security.capability and security.selinux when present
cp -p content caps
setfattr -n security.capability -v 0x0100000202000000000000000000000000000000 caps
setfattr -n security.selinux -v "system_u:object_r:bin_t:s0" caps
ok "sign a file with file capabilities and an SELinux label" "$IMACTL" sign --key "$KEYS/rsa2048.key" --evm portable caps
ok "evmctl verify accepts it (capability and label covered)" evmctl verify --key "$KEYS/rsa2048.der" caps
setfattr -n security.capability -v 0x0100000202100000000000000000000000000000 caps
fails 1 "changing security.capability breaks EVM" "$IMACTL" verify --evm --cert "$KEYS/rsa2048.pem" caps
like "the EVM failure is named" "$T/err" 'caps: evm: signature does not match the xattrs and metadata'

# metadata changes break EVM, not IMA
cp -p content meta
ok "sign meta" "$IMACTL" sign --key "$KEYS/ec256.key" --evm portable meta
chown 1:1 meta
fails 1 "chown after signing breaks EVM" "$IMACTL" verify --evm --cert "$KEYS/ec256.pem" meta
ok "chown does not break IMA" "$IMACTL" verify --cert "$KEYS/ec256.pem" meta
done_testing
