#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The project's conventions that a machine can check.
. "$SRC_ROOT/tests/cli/lib.sh"
cd "$SRC_ROOT" || exit 1
bad=$(grep -l 'getopt_long *(' programs/cmd_*.c | tr '\n' ' ')
is "commands parse options with prog_getopt (no abbreviations), not getopt_long" "$bad" ""

bad=$(grep -l '#include <openssl/' lib/*.c lib/*.h | grep -v '^lib/crypto[_a-z0-9]*\.c$' | tr '\n' ' ')
is "only lib/crypto*.c include OpenSSL" "$bad" ""

# the crypto backend is a leaf (crypto_backend.h): no context, no logging,
# no calls into the rest of the library
bad=$(grep -n -E 'imactl_ctx|imactl_log|log_(err|warn|info|debug)|imactl_hash_algo|lib_private' lib/crypto.c lib/crypto_backend.h | grep -v -E '^\S+:[0-9]+:\s*(/\*|\*)' | head -5 | tr '\n' ' ')
is "lib/crypto.c (the crypto backend) never logs and takes no context" "$bad" ""

bad=$(grep -n -E '\b(printf|fprintf|puts|perror|exit|abort)\s*\(' lib/*.c | grep -v -E '^\S+:\s*(/\*|\*)' | grep -v 'snprintf\|vsnprintf' | head -5 | tr '\n' ' ')
is "the library never prints or exits" "$bad" ""

bad=$(grep -n -E '^(static )?[a-z_ ]+\*? *[a-z_]+ *(\[[^]]*\])? *(=|;)' lib/*.c | grep -v -E 'const|^\S+:\s*static const' | grep -v '(' | head -5 | tr '\n' ' ')
is "no mutable globals in the library" "$bad" ""

bad=$(grep -n 'openssl\|OPENSSL\|EVP_' include/imactl.h | head -3 | tr '\n' ' ')
is "the public header does not mention OpenSSL" "$bad" ""

bad=$(git ls-files -z 2>/dev/null | xargs -0 grep -l -E -- '-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----' 2>/dev/null | tr '\n' ' ')
is "no private key is tracked in git" "$bad" ""
bad=$(git ls-files 2>/dev/null | grep -v '^tests/cli/conventions.sh$' | xargs grep -l -E '(DESIGN|STYLE)\.md' 2>/dev/null | tr '\n' ' ')
is "the repository stands on its own: no DESIGN.md or STYLE.md it does not have" "$bad" ""
# every source file says its license in its first lines; not: license texts,
# documentation, data (policies, test data, corpora), kernel config fragments
# and scripts/build-kernel (the kernel cache is keyed on their bytes)
bad=$(git ls-files 2>/dev/null | grep -v -E '^(LICENSES/|kernel/|policies/|tests/data/|tests/fuzz/corpus/)|^tests/vm/kernel-.*\.cfg$|^meta-integrity/recipes-kernel/linux/files/.*\.cfg$|^meta-integrity/recipes-security/ima_policy_[a-z_]*/files/|^scripts/build-kernel$|\.(md|json|txt)$|^\.(gitignore|clang-format)$' |
	while read -r f; do [ ! -f "$f" ] || head -n 3 "$f" | grep -q 'SPDX-License-Identifier: ' || echo "$f"; done | tr '\n' ' ')
is "every source file has an SPDX-License-Identifier line" "$bad" ""
bad=$(git ls-files 2>/dev/null | xargs grep -h -o -E 'SPDX-License-Identifier: [A-Za-z0-9.+-]+' 2>/dev/null | sed 's/.*: //' | sort -u |
	while read -r l; do [ -f "LICENSES/$l.txt" ] || echo "$l"; done | tr '\n' ' ')
is "every license named is in LICENSES/" "$bad" ""
# .clang-format is the style: every C file of the tree follows it (Debian's clang-format 14).
if command -v clang-format >/dev/null 2>&1; then
	files=$(git ls-files '*.c' '*.h' 2>/dev/null || find include lib programs tests bench -name '*.[ch]')
	bad=$(for f in $files; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done | tr '\n' ' ')
	is "every C file is formatted with .clang-format (clang-format -i FILE)" "$bad" ""
else
	skip "every C file is formatted with .clang-format" "clang-format not installed"
fi
done_testing
