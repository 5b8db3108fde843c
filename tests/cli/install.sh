#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# meson install puts library, header, pkg-config file, binary and man page in
# place, and a program builds against the installed library with pkg-config.
. "$SRC_ROOT/tests/cli/lib.sh"
dest="$T/dest"
ok "meson install --destdir" meson install -C "$BUILD_ROOT" --destdir "$dest" --no-rebuild --quiet
prefix=$(meson introspect "$BUILD_ROOT" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root="$dest$prefix"
for f in bin/imactl include/imactl.h share/man/man1/imactl.1; do
	_result "$([ -e "$root/$f" ] && echo 0 || echo 1)" "installed: $f"
done
lib=$(find "$root" -name 'libimactl.so.1*' -type f | head -1)
_result "$([ -n "$lib" ] && echo 0 || echo 1)" "installed: libimactl.so.1 ($lib)"
pc=$(find "$root" -name libimactl.pc | head -1)
_result "$([ -n "$pc" ] && echo 0 || echo 1)" "installed: libimactl.pc"
cat > "$T/use.c" <<'C'
#include <imactl.h>
#include <stdio.h>
int main(void)
{
	struct imactl_ctx *ctx;

	if (imactl_ctx_new(&ctx))
		return 1;
	printf("%s\n", imactl_hash_algo_name(imactl_hash_algo_by_name("sha256")));
	imactl_ctx_free(ctx);
	return 0;
}
C
libdir=$(dirname "$lib")
# the sanitizer build's library needs its runtime in the program too
san=""
ldd "$lib" | grep -q libasan && san="-fsanitize=address,undefined"
ok "a program compiles against the installed header and library (pkg-config)" \
	sh -c "PKG_CONFIG_SYSROOT_DIR='$dest' PKG_CONFIG_PATH='$(dirname "$pc")' cc $san -Werror -o '$T/use' '$T/use.c' \$(PKG_CONFIG_SYSROOT_DIR='$dest' PKG_CONFIG_PATH='$(dirname "$pc")' pkg-config --cflags --libs libimactl)"
ok "and runs" env LD_LIBRARY_PATH="$libdir" "$T/use"
is "it calls into libimactl" "$(cat "$T/out")" "sha256"

# Debian's build hardening on the installed files (readelf, binutils): PIE,
# full RELRO (GNU_RELRO + BIND_NOW), stack protector, and in an optimised
# build without sanitizers _FORTIFY_SOURCE (*_chk calls); stack clash
# protection leaves no trace in the ELF: its flag on every compile command
for f in "$root/bin/imactl" "$lib"; do
	n=$(basename "$f")
	is "$n: position independent (ELF type DYN)" \
		"$(readelf -h "$f" | sed -n 's/^ *Type: *\([A-Z]*\).*/\1/p')" DYN
	_result "$(readelf -lW "$f" | grep -q GNU_RELRO && echo 0 || echo 1)" "$n: RELRO segment"
	_result "$(readelf -dW "$f" | grep -qE '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*NOW' && echo 0 || echo 1)" \
		"$n: bound now (full RELRO)"
	_result "$(readelf --dyn-syms -W "$f" | grep -q '__stack_chk_fail' && echo 0 || echo 1)" \
		"$n: stack protector (__stack_chk_fail)"
done
opt=$(meson introspect "$BUILD_ROOT" --buildoptions | python3 -c 'import json,sys; o={x["name"]: x["value"] for x in json.load(sys.stdin)}; print(o["optimization"], o["b_sanitize"])')
case "$opt" in
0\ * | g\ * | *\ address*) skip "_FORTIFY_SOURCE in the installed binary" "not an optimised build without sanitizers ($opt)" ;;
*)
	_result "$(readelf --dyn-syms -W "$root/bin/imactl" "$lib" | grep -qE '__[a-z]+_chk@' && echo 0 || echo 1)" \
		"_FORTIFY_SOURCE: the binary and library call the checked *_chk functions"
	;;
esac
is "-fstack-clash-protection on every compile command" \
	"$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(all("-fstack-clash-protection" in x["command"] for x in c if x["file"].endswith(".c")))' "$BUILD_ROOT/compile_commands.json")" True
done_testing
