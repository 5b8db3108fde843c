#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/pkcs11.sh BUILD_DIR: files/s signing with a key that never leaves a
# SoftHSM2 token vs the same operations with a key file, measured in one run,
# plus evmctl doing the same (through the same pkcs11 engine) and the thread
# question: serialized token signing vs concurrent sessions.
# Needs root (security.ima), softhsm2, opensc, libengine-pkcs11-openssl.
set -eu
build=$(cd "${1:-build}" && pwd)
imactl="$build/imactl"
threads_bin="$build/bench-sign-threads"
n=${BENCH_FILES:-1000}
w="$build/bench-pkcs11"
rm -rf "$w"
mkdir -p "$w/hsm/tokens" "$w/files"
cd "$w"

module=/usr/lib/softhsm/libsofthsm2.so
printf 'directories.tokendir = %s/hsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$w" > hsm/softhsm2.conf
export SOFTHSM2_CONF="$w/hsm/softhsm2.conf"
softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 123456 >/dev/null
pkcs11-tool --module "$module" --token-label bench --login --pin 1234 \
	--keypairgen --key-type rsa:2048 --id 01 --label ima --sensitive >/dev/null 2>&1
uri="pkcs11:token=bench;object=ima?module-path=$module"
printf '1234\n' > pin
"$imactl" keygen self-signed --key "$uri" --pass-file pin --out tok >/dev/null
"$imactl" keygen self-signed --algo rsa-2048 --out file >/dev/null
for i in $(seq 1 "$n"); do printf 'file %s\n' "$i" > "files/f$i"; done

now() { date +%s.%N; }
# rate DESCRIPTION CMD...: runs CMD once, prints and returns files/s
rate() {
	desc=$1; shift
	t0=$(now)
	"$@" >/dev/null 2>&1 || { echo "bench: FAILED: $desc" >&2; exit 1; }
	t1=$(now)
	r=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { print n / (b - a) }')
	printf '  %-58s %8.0f files/s\n' "$desc" "$r" >&2
	echo "$r"
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { print a / b }'; }
ratio() { printf '  %-58s %8.2fx\n' "$1" "$(div "$2" "$3")"; }

echo "== RSA-2048 signatures of $n small files (one run; $(nproc) cores) =="
f_sign=$(rate "imactl sign, key file" "$imactl" sign --key file/privkey_ima.pem --cert file/x509_ima.der files/*)
t_sign=$(rate "imactl sign, SoftHSM2 key (pkcs11: URI)" "$imactl" sign --key "$uri" --pass-file pin --cert tok/x509_ima.der files/*)
if "$imactl" help sign-tree >/dev/null 2>&1; then
	f_tree=$(rate "imactl sign-tree, key file" "$imactl" sign-tree --key file/privkey_ima.pem --cert file/x509_ima.der files)
	t_tree=$(rate "imactl sign-tree, SoftHSM2 key" "$imactl" sign-tree --key "$uri" --pass-file pin --cert tok/x509_ima.der files)
fi
kid=$("$imactl" keyid tok/x509_ima.der)
# evmctl -r exits 0 even when it signed nothing (e.g. a relative --key: it
# changes directory while it walks), so its runs start from unsigned files and
# its first and last signatures are checked afterwards
unsign() { find files -type f -exec setfattr -x security.ima {} + 2>/dev/null || true; }
evmctl_signed() { # CERT: evmctl's signatures verify with imactl, or the bench stops
	"$imactl" verify --cert "$1" files/f1 "files/f$n" >/dev/null 2>&1 ||
		{ echo "bench: FAILED: evmctl did not sign the files (exit 0 regardless)" >&2; exit 1; }
}
unsign
e_file=$(rate "evmctl -r ima_sign, key file" evmctl -r ima_sign --key "$w/file/privkey_ima.pem" files)
evmctl_signed file/x509_ima.der
unsign
e_tok=$(rate "evmctl -r ima_sign, SoftHSM2 key (pkcs11 engine)" evmctl -r ima_sign --engine pkcs11 \
	--keyid "$kid" --key "pkcs11:token=bench;object=ima;pin-value=1234" files)
evmctl_signed tok/x509_ima.der
echo "  (evmctl's signatures, key file and token, verify with imactl: byte-compatible)"
echo "ratios:"
ratio "SoftHSM2 / key file, imactl sign" "$t_sign" "$f_sign"
[ -n "${t_tree:-}" ] && ratio "SoftHSM2 / key file, imactl sign-tree" "$t_tree" "$f_tree"
ratio "imactl / evmctl, key file" "$f_sign" "$e_file"
ratio "imactl / evmctl, SoftHSM2 key" "$t_sign" "$e_tok"
[ -n "${t_tree:-}" ] && ratio "imactl sign-tree / evmctl, SoftHSM2 key" "$t_tree" "$e_tok"

echo "== threads sharing one SoftHSM2 key: serialized (a lock) vs concurrent sessions =="
m=$((n * 2))
for t in 1 2 4; do
	s=$(IMACTL_KEY_PASSWORD=1234 "$threads_bin" "$uri" "$t" "$m" serialized)
	c=$(IMACTL_KEY_PASSWORD=1234 "$threads_bin" "$uri" "$t" "$m" concurrent)
	printf '  %d thread(s): serialized %6.0f sig/s, concurrent %6.0f sig/s, serialized/concurrent %.2fx\n' \
		"$t" "$s" "$c" "$(div "$s" "$c")"
done
s=$("$threads_bin" "$w/file/privkey_ima.pem" 2 "$m")
printf '  key file, 2 threads: %6.0f sig/s\n' "$s"
