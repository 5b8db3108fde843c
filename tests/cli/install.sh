#!/bin/sh
# meson install puts library, header, pkg-config file, binary and man page in
# place, and a program builds against the installed library with pkg-config.
. "$SRC_ROOT/tests/cli/lib.sh"
dest="$T/dest"
ok "meson install --destdir" meson install -C "$BUILD_ROOT" --destdir "$dest" --no-rebuild --quiet
prefix=$(meson introspect "$BUILD_ROOT" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root="$dest$prefix"
for f in bin/imactl include/imactl.h share/man/man1/imactl.1; do
	_result $([ -e "$root/$f" ] && echo 0 || echo 1) "installed: $f"
done
lib=$(find "$root" -name 'libimactl.so.1*' -type f | head -1)
_result $([ -n "$lib" ] && echo 0 || echo 1) "installed: libimactl.so.1 ($lib)"
pc=$(find "$root" -name libimactl.pc | head -1)
_result $([ -n "$pc" ] && echo 0 || echo 1) "installed: libimactl.pc"
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
done_testing
