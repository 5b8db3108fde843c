#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck disable=SC2034 # KERNEL, KMODULES are parameters of tests/vm/vm-lib.sh
# Real kernel logging ima-modsig entries: our own kernel (scripts/build-kernel
# with tests/vm/kernel-modsig.cfg: modules, CONFIG_IMA_APPRAISE_MODSIG; built
# once, cached) loads files with an appended signature made by the kernel's
# sign-file through finit_module; imactl log verify checks the appended
# signatures of the kernel's own lists and agrees with the kernel's verdicts.
. "$SRC_ROOT/tests/cli/lib.sh"
. "$SRC_ROOT/tests/vm/vm-lib.sh"
. "$SRC_ROOT/tests/vm/chain-lib.sh"
# shellcheck disable=SC2012 # Debian's paths: no blanks
SIGN_FILE=$(ls /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -1)
if [ -z "$SIGN_FILE" ] || ! command -v cc >/dev/null; then
	echo "1..0 # SKIP needs sign-file (linux-kbuild-6.1) and cc"
	exit 0
fi
if ! vm_wants modsig; then
	echo "1..0 # SKIP VM_SCENARIOS does not select modsig"
	exit 0
fi
ensure_keys
kout=$("$SRC_ROOT/scripts/build-kernel" --quiet --fragment "$SRC_ROOT/tests/vm/kernel-modsig.cfg" \
	2>"$T/build-kernel.err") || {
	sed 's/^/# /' "$T/build-kernel.err"
	echo "Bail out! scripts/build-kernel with kernel-modsig.cfg failed"
	exit 1
}
KERNEL=$kout/bzImage
KMODULES=""
vm_setup

# the signer: issued by the test CA compiled into the kernel (strict rule)
ca=$("$SRC_ROOT/scripts/test-ca" test-ca)
chain_signer "$T/signer" "$ca" "imactl modsig signer"
x="$T/extra"
mkdir -p "$x/etc/vm" "$x/modsig" "$x/bin" "$x/scenarios"
cp "$VM_SRC/scenarios/modsig.sh" "$x/scenarios/"
cp "$T/signer.pem" "$x/etc/vm/signer.pem"
printf 'measure func=MODULE_CHECK template=ima-modsig\nappraise func=MODULE_CHECK appraise_type=imasig|modsig\n' \
	> "$x/etc/vm/policy"
cc -static -O2 -o "$x/bin/finit" "$VM_SRC/finit_module.c" || { echo "Bail out! cannot build finit"; exit 1; }
python3 -c 'import sys; sys.stdout.buffer.write(bytes(i * 7 % 251 for i in range(6000)))' > "$T/body"
cp "$T/body" "$x/modsig/good.ko"
"$SIGN_FILE" sha256 "$T/signer.key" "$T/signer.pem" "$x/modsig/good.ko"
cp "$x/modsig/good.ko" "$x/modsig/tampered.ko"
printf 'X' | dd of="$x/modsig/tampered.ko" bs=1 seek=100 conv=notrunc 2>/dev/null
cp "$T/body" "$x/modsig/other.ko"
"$SIGN_FILE" sha256 "$KEYS/other.key" "$KEYS/other.pem" "$x/modsig/other.ko"
vm_initramfs "$T/initrd" "$x"

vm_boot modsig "$T/initrd" - no
vm_results modsig
L="$T/modsig.out/binary" A="$T/modsig.out/ascii"
if [ ! -s "$L" ]; then
	echo "Bail out! the guest saved no measurement list"
	exit 1
fi
like "the kernel logged ima-modsig entries" "$A" '^10 [0-9a-f]{40} ima-modsig sha256:'
ok "imactl log show reads the kernel's list" "$IMACTL" log show "$L"
like "d-modsig of good.ko is SHA-256 of the file without its appended signature" "$T/out" \
	"^[0-9]+ 10 ima-modsig sha256:$(sha256sum < "$x/modsig/good.ko" | cut -c1-64) /modsig/good.ko modsig sha256:$(sha256sum < "$T/body" | cut -c1-64) [0-9]+ bytes\$"
for f in "$L" "$A"; do
	n=${f##*/}
	fails 1 "$n list, both certificates: the file changed after signing fails" \
		"$IMACTL" log verify --cert "$T/signer.pem" --cert "$KEYS/other.pem" "$f"
	like "  ... as a bad appended signature, like the kernel said" "$T/err" \
		'entry [0-9]+ \(/modsig/tampered.ko\): bad appended signature'
	like "  ... the other two verify" "$T/out" '^signatures: 2 good, 1 bad, 0 unknown key'
	fails 1 "$n list, the signer's certificate only" "$IMACTL" log verify --cert "$T/signer.pem" "$f"
	like "  ... other.ko: unknown key" "$T/err" 'entry [0-9]+ \(/modsig/other.ko\): signed by an unknown key'
	like "  ... counted" "$T/out" '^signatures: 1 good, 1 bad, 1 unknown key'
done
ok "without --cert the kernel's list is intact (template hashes)" "$IMACTL" log verify "$L"
done_testing
