#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Export control and ABI: every dynamic symbol libimactl defines starts with
# imactl_, is declared in imactl.h, is listed in lib/libimactl.sym and carries
# that node's version; frozen nodes do not change; the soname is the ABI's.
. "$SRC_ROOT/tests/cli/lib.sh"
SYM="$SRC_ROOT/lib/libimactl.sym"
HOWTO="see 'HOW TO ADD A SYMBOL' at the top of lib/libimactl.sym"

nm -D --defined-only "$LIBIMACTL" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort > "$T/versioned"
sed 's/@.*//' "$T/versioned" | sort -u > "$T/exported"
bad=$(grep -v '^imactl_' "$T/exported" | tr '\n' ' ')
is "every exported symbol is prefixed imactl_" "$bad" ""
n=$(wc -l < "$T/exported")
_result "$([ "$n" -ge 20 ] && echo 0 || echo 1)" "the API is exported ($n symbols)"

# functions declared in the header (name followed by '(' at a declaration)
grep -oE '^[a-z][a-z0-9_ *]*(imactl_[a-z0-9_]+)\(' "$SRC_ROOT/include/imactl.h" |
	grep -oE 'imactl_[a-z0-9_]+' | sort -u > "$T/declared"
missing=$(comm -23 "$T/declared" "$T/exported" | tr '\n' ' ')
is "every function in imactl.h is exported" "$missing" "" \
	"not exported: add them to lib/libimactl.sym ($HOWTO)"
extra=$(comm -13 "$T/declared" "$T/exported" | tr '\n' ' ')
is "nothing is exported that imactl.h does not declare" "$extra" ""

# the version script: "NODE {" ... "}", symbols as "<tab>name;"
awk '/^[A-Z0-9_.]+ *\{/ {node=$1} /^\t[a-z_0-9]+;/ {sub(/;/, "", $1); print node, $1}' "$SYM" |
	sort -k2 > "$T/script"
cut -d' ' -f2 "$T/script" | sort > "$T/listed"
unlisted=$(comm -23 "$T/declared" "$T/listed" | tr '\n' ' ')
is "every function in imactl.h is in lib/libimactl.sym" "$unlisted" "" \
	"missing from lib/libimactl.sym: $unlisted" "$HOWTO"
dup=$(uniq -d "$T/listed" | tr '\n' ' ')
is "no symbol is in two nodes" "$dup" ""
stale=$(comm -13 "$T/declared" "$T/listed" | tr '\n' ' ')
is "lib/libimactl.sym lists nothing imactl.h lacks" "$stale" "" \
	"a listed symbol was removed or renamed: never do that to a frozen node ($HOWTO)"
awk '{print $2 "@@" $1}' "$T/script" | sort > "$T/want-versions"
wrong=$(comm -3 "$T/want-versions" "$T/versioned" | tr -d '\t' | tr '\n' ' ')
is "each symbol carries its node's version (name@@NODE)" "$wrong" ""

# frozen nodes (" * frozen NODE SHA256" in the script's comment) never change
frozen=0
while read -r node sum; do
	[ -n "$node" ] || continue
	frozen=$((frozen + 1))
	got=$(awk -v n="$node" '$1 == n {print $2}' "$T/script" | sort | sha256sum | cut -d' ' -f1)
	is "frozen node $node is unchanged" "$got" "$sum" \
		"$node shipped in a release: add new symbols to a new node ($HOWTO)"
done <<EOF2
$(sed -n 's/^ \* frozen \(LIBIMACTL_[0-9.]*\) \([0-9a-f]\{64\}\)$/\1 \2/p' "$SYM")
EOF2
cut -d' ' -f1 "$T/script" | sort -u | while read -r node; do
	echo "# $node: $(awk -v n="$node" '$1 == n {print $2}' "$T/script" | sort | sha256sum | cut -d' ' -f1) ($frozen frozen)"
done

# the soname follows lib_version's major in meson.build, not the project version
major=$(sed -n "s/^lib_version = '\([0-9]*\)\..*/\1/p" "$SRC_ROOT/meson.build")
soname=$(objdump -p "$LIBIMACTL" | awk '$1 == "SONAME" {print $2}')
is "the soname is libimactl.so.<ABI major>" "$soname" "libimactl.so.$major"

# the public header compiles as C++ (g++, strict) and as C with -std=c99 -pedantic
printf '#include <imactl.h>\nint main() { return imactl_hash_algo_size(IMACTL_HASH_SHA256) != 32; }\n' > "$T/use.cc"
ok "imactl.h compiles as C++ (g++ -std=c++11 -pedantic -Werror)" \
	g++ -std=c++11 -Wall -Wextra -pedantic -Werror -I"$SRC_ROOT/include" -c -o "$T/use.o" "$T/use.cc"
ok "imactl.h compiles as C99 (-pedantic -Werror)" \
	cc -x c -std=c99 -Wall -Wextra -pedantic -Werror -I"$SRC_ROOT/include" -c -o "$T/use-c.o" "$T/use.cc"
done_testing
