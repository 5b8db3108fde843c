#!/bin/sh
# The house rules of STYLE.md that a machine can check.
. "$SRC_ROOT/tests/cli/lib.sh"
cd "$SRC_ROOT"

bad=$(grep -l 'getopt_long *(' programs/cmd_*.c | tr '\n' ' ')
is "commands parse options with prog_getopt (no abbreviations), not getopt_long" "$bad" ""

bad=$(grep -l '#include <openssl/' lib/*.c lib/*.h | grep -v '^lib/crypto[_a-z0-9]*\.c$' | tr '\n' ' ')
is "only lib/crypto*.c include OpenSSL" "$bad" ""

bad=$(grep -n -E '\b(printf|fprintf|puts|perror|exit|abort)\s*\(' lib/*.c | grep -v -E '^\S+:\s*(/\*|\*)' | grep -v 'snprintf\|vsnprintf' | head -5 | tr '\n' ' ')
is "the library never prints or exits" "$bad" ""

bad=$(grep -n -E '^(static )?[a-z_ ]+\*? *[a-z_]+ *(\[[^]]*\])? *(=|;)' lib/*.c | grep -v -E 'const|^\S+:\s*static const' | grep -v '(' | head -5 | tr '\n' ' ')
is "no mutable globals in the library" "$bad" ""

bad=$(grep -n 'openssl\|OPENSSL\|EVP_' include/imactl.h | head -3 | tr '\n' ' ')
is "the public header does not mention OpenSSL" "$bad" ""

bad=$(git ls-files -z 2>/dev/null | xargs -0 grep -l -E -- '-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----' 2>/dev/null | tr '\n' ' ')
is "no private key is tracked in git" "$bad" ""
done_testing
