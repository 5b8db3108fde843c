#!/bin/sh
# Export control: every dynamic symbol libimactl defines starts with imactl_,
# and every function of the public header is exported.
. "$SRC_ROOT/tests/cli/lib.sh"

nm -D --defined-only "$LIBIMACTL" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort > "$T/exported"
bad=$(grep -v '^imactl_' "$T/exported" | tr '\n' ' ')
is "every exported symbol is prefixed imactl_" "$bad" ""
n=$(wc -l < "$T/exported")
_result $([ "$n" -ge 20 ] && echo 0 || echo 1) "the API is exported ($n symbols)"

# functions declared in the header (name followed by '(' at a declaration)
grep -oE '^[a-z][a-z0-9_ *]*(imactl_[a-z0-9_]+)\(' "$SRC_ROOT/include/imactl.h" |
	grep -oE 'imactl_[a-z0-9_]+' | sort -u > "$T/declared"
missing=$(comm -23 "$T/declared" "$T/exported" | tr '\n' ' ')
is "every function in imactl.h is exported" "$missing" ""
extra=$(comm -13 "$T/declared" "$T/exported" | tr '\n' ' ')
is "nothing is exported that imactl.h does not declare" "$extra" ""
done_testing
