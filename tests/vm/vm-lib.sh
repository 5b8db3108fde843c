# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced by the tests, not run on its own
# Host side of the real-kernel tests: builds an initramfs and ext4 images and
# boots them under QEMU (TCG) with an optional swtpm TPM 2.0.
# Source after tests/cli/lib.sh (TAP helpers, $T scratch dir, $IMACTL).
#
# Parameters (environment), so other kernels can reuse the harness:
#   KEY, CERT   signing key and its certificate (default: the test keys)
#   KERNEL      kernel image to boot (default: Debian's linux-image-amd64,
#               fetched and cached by tests/vm/fetch-kernel.sh)
#   KMODULES    directory with the .ko files and an 'order' file listing the
#               modules the initramfs loads; "" when everything is built in
#               (default: the one next to Debian's kernel)
#   VM_TIMEOUT  hang guard for one boot, seconds (default 300; a boot takes
#               5-40 s depending on the load of the machine)
#   VM_SCENARIOS  space-separated scenario names to run (default: all)
#   VM_KERNELS  Debian kernels the scenarios run on when KERNEL is not given:
#               "6.1" (bookworm) and/or "6.12" (bookworm-backports), each
#               fetched and cached by tests/vm/fetch-kernel.sh (default: both).
#               Boots on 6.1 keep their plain names; boots on 6.12 are named
#               NAME@6.12 (console $T/NAME@6.12.console).
#   VM_APPEND   extra kernel parameters for every boot
#   VM_TPM_INIT a swtpm state directory copied into the TPM of the next boots
#   VM_ROOT_KEEP  "yes": the boot writes to ROOTIMG itself (default: a QEMU
#               snapshot, the image unchanged), for a disk booted again
# Console logs are kept in $T/NAME.console (the build tree).
VM_SRC="$SRC_ROOT/tests/vm"
VM_TIMEOUT=${VM_TIMEOUT:-300}
_vm_pids=""

# vm_setup: checks what the suite needs; skips the whole test when it is absent
vm_setup() {
	_why=""
	[ "$(id -u)" = 0 ] || _why="needs root (security.* xattrs, mke2fs -d)"
	for _p in qemu-system-x86_64 swtpm busybox mke2fs cpio; do
		command -v $_p >/dev/null 2>&1 || _why="$_why $_p missing (scripts/install-deps vm)"
	done
	if [ -n "$_why" ]; then
		echo "1..0 # SKIP $_why"
		exit 0
	fi
	_vm_kernels=""
	if [ -z "${KERNEL:-}" ]; then
		for _k in ${VM_KERNELS:-6.1 6.12}; do
			case $_k in
			6.1) _kd=$(sh "$VM_SRC/fetch-kernel.sh") ;;
			6.12) _kd=$(sh "$VM_SRC/fetch-kernel.sh" --suite bookworm-backports) ;;
			*) echo "Bail out! VM_KERNELS: unknown kernel '$_k' (6.1, 6.12)"; exit 1 ;;
			esac || { echo "Bail out! cannot fetch the $_k kernel"; exit 1; }
			eval "_vm_kdir_${_k%%.*}_${_k#*.}=\$_kd"
			_vm_kernels="${_vm_kernels:+$_vm_kernels }$_k"
		done
		vm_use_kernel "${_vm_kernels%% *}"
	fi
	KMODULES=${KMODULES:-}
	trap vm_cleanup EXIT INT TERM
	# the test keys, unless a key and certificate were given (make demo)
	# shellcheck disable=SC2015 # keys made unless both are given
	[ -n "${KEY:-}" ] && [ -n "${CERT:-}" ] || ensure_keys
	KEY=${KEY:-$KEYS/rsa2048.key}
	CERT=${CERT:-$KEYS/rsa2048.pem}
}

# vm_kernels: the kernels to boot each scenario on ("-": the one KERNEL names)
vm_kernels() { echo "${_vm_kernels:--}"; }

# vm_use_kernel K: boots from now on use kernel K of vm_kernels; sets
# KERNEL, KMODULES, VM_KVER (the version, "" for a given KERNEL),
# VM_KCONFIG (its .config) and VM_SFX (boot name suffix: "" or "@6.12")
# shellcheck disable=SC2034 # VM_KVER, VM_SFX, VM_KCONFIG are for the scenario scripts
vm_use_kernel() {
	VM_KVER="" VM_SFX="" VM_KCONFIG=""
	[ "$1" = - ] && return 0
	eval "_kd=\$_vm_kdir_${1%%.*}_${1#*.}"
	KERNEL=$_kd/vmlinuz
	KMODULES=$_kd/modules
	VM_KCONFIG=$_kd/config
	VM_KVER=$1
	[ "$1" = 6.1 ] || VM_SFX="@$1"
}

vm_cleanup() {
	for _p in $_vm_pids; do kill "$_p" 2>/dev/null; done
	_vm_pids=""
}

# wants SCENARIO: true if VM_SCENARIOS selects it
vm_wants() {
	[ -z "${VM_SCENARIOS:-}" ] && return 0
	case " $VM_SCENARIOS " in *" $1 "*) return 0 ;; esac
	return 1
}

# vm_add_imactl ROOT: copies imactl, libimactl and the shared libraries they
# need (as ldd resolves them on this host) into the tree ROOT.
vm_add_imactl() { vm_add_program "$1" "$IMACTL"; }

# vm_add_program ROOT PROGRAM: PROGRAM into ROOT/bin, with the shared
# libraries it needs (as ldd resolves them on this host)
vm_add_program() {
	mkdir -p "$1/bin" "$1/lib/x86_64-linux-gnu" "$1/lib64"
	cp "$2" "$1/bin/"
	ldd "$2" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r _l; do
		case "$_l" in
		*ld-linux*) cp -L "$_l" "$1/lib64/" ;;
		*) cp -L "$_l" "$1/lib/x86_64-linux-gnu/" ;;
		esac
	done
}

# vm_add_busybox ROOT: the static busybox, its applets as symlinks
vm_add_busybox() {
	mkdir -p "$1/bin" "$1/sbin"
	cp /bin/busybox "$1/bin/busybox"
	for _a in $(busybox --list); do
		[ -e "$1/bin/$_a" ] || ln -s busybox "$1/bin/$_a"
	done
}

# vm_initramfs OUT [DIR...]: a cpio initramfs (newc, uncompressed) with
# busybox, imactl, the modules, guest/init, guest/lib.sh, the scenarios in
# $VM_SRC/scenarios and the contents of each DIR on top.
vm_initramfs() {
	_out=$1; shift
	_st="$T/initramfs.d"
	rm -rf "$_st"
	mkdir -p "$_st/proc" "$_st/sys" "$_st/dev" "$_st/mnt" "$_st/tmp" "$_st/etc" "$_st/scenarios"
	vm_add_busybox "$_st"
	vm_add_imactl "$_st"
	cp "$VM_SRC/guest/init" "$_st/init"
	cp "$VM_SRC/guest/lib.sh" "$_st/lib.sh"
	chmod 755 "$_st/init"
	if [ -n "$KMODULES" ]; then
		mkdir -p "$_st/modules"
		cp "$KMODULES"/*.ko "$KMODULES/order" "$_st/modules/"
	fi
	for _d in "$@"; do cp -a "$_d/." "$_st/"; done
	(cd "$_st" && find . | cpio -o -H newc --quiet) > "$_out"
}

# vm_ext4 OUT DIR UUID: an ext4 image holding DIR, xattrs included
vm_ext4() {
	_kb=$(du -sk "$2" | cut -f1)
	rm -f "$1"; truncate -s $((_kb * 2 + 8192))k "$1"
	mke2fs -q -t ext4 -U "$3" -E root_owner=0:0 -d "$2" "$1"
}

# vm_boot NAME INITRD ROOTIMG|- TPM(yes|no) [KERNEL PARAMETERS...]
# Boots once; the console goes to $T/NAME.console, files the guest put in
# /out to $T/NAME.out/.  Returns 0 when the guest reached "@@end",
# 1 otherwise (hang after VM_TIMEOUT, panic, crash).
vm_boot() {
	_name=$1 _initrd=$2 _root=$3 _tpm=$4
	shift 4
	_con="$T/$_name.console"
	_outimg="$T/$_name.outdisk"
	rm -rf "$_con" "$T/$_name.out" "$T/$_name.tpm"
	truncate -s 0 "$_outimg"
	truncate -s 16M "$_outimg"
	set -- -accel tcg -m 512 -smp 1 -nodefaults -display none -no-reboot \
		-serial "file:$_con" -kernel "$KERNEL" -initrd "$_initrd" \
		-append "console=ttyS0 panic=-1 loglevel=6 integrity_audit=1 scenario=${_name%@*} ${VM_APPEND:-} $*" \
		-drive "file=$_outimg,if=none,id=out,format=raw" \
		-device virtio-blk-pci,drive=out,serial=vmout
	if [ "$_root" != - ]; then
		set -- "$@" -drive "file=$_root,if=none,id=root,format=raw,snapshot=$([ "${VM_ROOT_KEEP:-}" = yes ] && echo off || echo on)" \
			-device virtio-blk-pci,drive=root,serial=vmroot
	fi
	_tpid=""
	if [ "$_tpm" = yes ]; then
		mkdir -p "$T/$_name.tpm"
		# a TPM state made before (swtpm_setup), e.g. with a storage primary key
		[ -z "${VM_TPM_INIT:-}" ] || cp -a "$VM_TPM_INIT/." "$T/$_name.tpm/"
		swtpm socket --tpm2 --tpmstate "dir=$T/$_name.tpm" \
			--ctrl "type=unixio,path=$T/$_name.tpm/sock" --terminate \
			--log "file=$T/$_name.tpm/log" &
		_tpid=$!
		_vm_pids="$_vm_pids $_tpid"
		_i=0
		while [ ! -S "$T/$_name.tpm/sock" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
		set -- "$@" -chardev "socket,id=chrtpm,path=$T/$_name.tpm/sock" \
			-tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-tis,tpmdev=tpm0
	fi
	_rc=0
	_t0=$(date +%s)
	timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 "$@" >"$T/$_name.qemu" 2>&1 || _rc=$?
	echo "# $_name: boot took $(($(date +%s) - _t0)) s"
	if [ -n "$_tpid" ]; then
		kill "$_tpid" 2>/dev/null
		wait "$_tpid" 2>/dev/null
	fi
	mkdir -p "$T/$_name.out"
	tar -xf "$_outimg" -C "$T/$_name.out" 2>/dev/null
	rm -f "$_outimg"
	if [ $_rc = 124 ] || [ $_rc = 137 ]; then
		echo "# $_name: no poweroff within ${VM_TIMEOUT}s (hang guard); console: $_con"
	elif [ $_rc != 0 ]; then
		echo "# $_name: qemu exit $_rc: $(tail -n 3 "$T/$_name.qemu")"
	fi
	grep -q '^@@end ' "$_con"
}

# vm_scenario NAME INITRD ROOTIMG|- TPM(yes|no) [KERNEL PARAMETERS...]:
# when VM_SCENARIOS selects NAME, boots it on the kernel vm_use_kernel chose
# (as NAME$VM_SFX, see vm_boot) and reports its results (vm_results); false
# when NAME is not selected
vm_scenario() {
	vm_wants "$1" || return 1
	_sc="$1${VM_SFX:-}"
	shift
	vm_boot "$_sc" "$@"
	vm_results "$_sc"
	return 0
}

# vm_boot_root NAME ROOTIMG POLICY [BADPATH]: on each kernel, boots the
# scenario rootfs.sh as NAME into the signed root filesystem ROOTIMG with
# the shipped policies/POLICY and the TPM; checks that the root's /sbin/init
# ran and, with BADPATH, the boot's measurement list (vm_check_log)
vm_boot_root() {
	mkdir -p "$T/extra/etc/vm" "$T/extra/scenarios"
	cp "$VM_SRC/scenarios/rootfs.sh" "$T/extra/scenarios/$1.sh"
	cp "$CERT" "$T/extra/etc/vm/ima.pem"
	cp "$SRC_ROOT/policies/$3" "$T/extra/etc/vm/policy"
	echo "$3" > "$T/extra/etc/vm/policy.name"
	for _k in $(vm_kernels); do
		vm_use_kernel "$_k"
		vm_initramfs "$T/initrd" "$T/extra"
		vm_scenario "$1" "$T/initrd" "$2" yes || continue
		like "$1$VM_SFX: the signed root's /sbin/init ran" "$T/$1$VM_SFX.results" \
			'^@@ok switch_root reached'
		[ -z "${4:-}" ] || vm_check_log "$1$VM_SFX" "$4"
	done
}

# vm_poke IMAGE PATH TEXT: TEXT over the first bytes of PATH in the ext4
# IMAGE, in place (the inode and its xattrs untouched): an offline change
vm_poke() {
	_bs=$(debugfs -R stats "$1" 2>/dev/null | sed -n 's/^Block size: *//p')
	_blk=$(debugfs -R "bmap $2 0" "$1" 2>/dev/null)
	case "$_blk" in '' | 0 | *[!0-9]*) echo "Bail out! no data block for $2 in $1"; exit 1 ;; esac
	printf '%s' "$3" | dd of="$1" bs=1 seek=$((_blk * _bs)) conv=notrunc status=none
}

# vm_results NAME: one TAP line per guest result line of the boot NAME, and
# one for the boot itself having completed with every result line the guest
# counted ("@@part N" before a switch_root, "@@end N" at the end) read here.
# A line may follow text the console had no newline after (a getty's login
# prompt, a kernel message): what precedes its "@@" is dropped.
vm_results() {
	_con="$T/$1.console"
	tr -d '\r' < "$_con" | sed -n -E 's/^.*(@@(ok|not ok|error|end|part) )/\1/p' > "$T/$1.results"
	while IFS= read -r _l; do
		case "$_l" in
		"@@ok "*) _result 0 "$1: ${_l#@@ok }" ;;
		"@@not ok "*)
			_desc=${_l#@@not ok }
			_result 1 "$1: ${_desc%% # *}" "expected/got: ${_desc#* # }" "console log: $_con" ;;
		"@@error "*) _result 1 "$1: ${_l#@@error }" "console log: $_con" ;;
		esac
	done < "$T/$1.results"
	_end=$(sed -n 's/^@@end //p' "$T/$1.results")
	_seen=$(grep -c -E '^@@(ok|not ok) ' "$T/$1.results")
	_want=$(sed -n 's/^@@\(part\|end\) //p' "$T/$1.results" | awk '{ n += $1 } END { print n + 0 }')
	if [ -z "$_end" ]; then
		_result 1 "$1: the guest ran its scenario to the end" \
			"no '@@end' line: hang, panic or crash; console log: $_con" "$(tr -d '\r' < "$_con" | tail -n 15)"
	else
		_result "$([ "$_seen" = "$_want" ] && echo 0 || echo 1)" "$1: the guest ran its scenario to the end" \
			"the guest counted $_want result lines, $_seen reached the host; console log: $_con"
	fi
}

# vm_prog DIR NAME: a program that prints "ran NAME"
vm_prog() {
	mkdir -p "$1"
	printf '#!/bin/sh\necho ran %s\n' "$2" > "$1/$2"
	chmod 755 "$1/$2"
}

# vm_data DIR NAME: a data file holding "data NAME"
vm_data() {
	mkdir -p "$1"
	printf 'data %s' "$2" > "$1/$2"
}

# vm_sign FILE [imactl sign options]: signs with the test key ($KEY, $CERT)
vm_sign() {
	_f=$1; shift
	"$IMACTL" sign --key "$KEY" --cert "$CERT" "$@" "$_f" || {
		echo "Bail out! imactl sign $_f failed"; exit 1; }
}

# vm_appraise_tree DIR: the files the appraisal scenarios read, each
# prepared the way its name says (programs in bin/, data files in data/)
vm_appraise_tree() {
	for _nm in signed nokey logsigned; do vm_prog "$1/bin" $_nm; vm_sign "$1/bin/$_nm"; done
	vm_prog "$1/bin" tampered; vm_sign "$1/bin/tampered"
	echo "echo tampered" >> "$1/bin/tampered"
	vm_prog "$1/bin" unsigned
	vm_prog "$1/bin" hashonly; vm_sign "$1/bin/hashonly" --ima hash
	vm_prog "$1/bin" wrongkey
	"$IMACTL" sign --key "$KEYS/other.key" --cert "$KEYS/other.pem" "$1/bin/wrongkey" ||
		{ echo "Bail out! imactl sign (other key) failed"; exit 1; }
	for _nm in logtampered logunsigned; do vm_prog "$1/bin" $_nm; done
	vm_sign "$1/bin/logtampered"; echo "echo tampered" >> "$1/bin/logtampered"
	vm_data "$1/data" signed.txt; vm_sign "$1/data/signed.txt"
	vm_data "$1/data" tampered.txt; vm_sign "$1/data/tampered.txt"
	printf 'x' >> "$1/data/tampered.txt"
	vm_data "$1/data" unsigned.txt
	vm_data "$1/data" hashonly.txt; vm_sign "$1/data/hashonly.txt" --ima hash
	vm_data "$1/data" hashtampered.txt; vm_sign "$1/data/hashtampered.txt" --ima hash
	printf 'x' >> "$1/data/hashtampered.txt"
	# EVM: portable signatures; metadata changed after signing
	for _nm in evmsigned chmodded chowned evmguest; do
		vm_prog "$1/evm" $_nm; vm_sign "$1/evm/$_nm" --evm portable
	done
	chmod 700 "$1/evm/chmodded"
	chown 1:1 "$1/evm/chowned"
	vm_prog "$1/evm" imaonly; vm_sign "$1/evm/imaonly"
}

# vm_sign_tree ROOT: IMA signatures + EVM portable on every regular file,
# with imactl sign-tree when this imactl has it, else file by file
vm_sign_tree() {
	if "$IMACTL" sign-tree --help >/dev/null 2>&1; then
		"$IMACTL" sign-tree "$1" --key "$KEY" --cert "$CERT" --evm portable \
			--target-bits 64 --jobs 2 >"$T/sign-tree.log" 2>&1 ||
			{ cat "$T/sign-tree.log"; echo "Bail out! imactl sign-tree failed"; exit 1; }
	else
		find "$1" -type f -exec "$IMACTL" sign --key "$KEY" --cert "$CERT" \
			--evm portable {} + || { echo "Bail out! imactl sign failed"; exit 1; }
	fi
}

# vm_rootfs ROOT [unsigned]: a small root filesystem: busybox, imactl and its
# libraries, guest/lib.sh, guest/rootfs-init as /sbin/init, /usr/bin/hello,
# signed as a whole; then /usr/bin/tampered (signed, then changed) and
# /usr/bin/unsigned added.  With "unsigned": nothing signed, nothing changed
# (the caller signs the image).
vm_rootfs() {
	rm -rf "$1"
	mkdir -p "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/mnt" "$1/out" "$1/etc" "$1/sbin" "$1/usr/bin"
	vm_add_busybox "$1"
	vm_add_imactl "$1"
	cp "$VM_SRC/guest/lib.sh" "$1/lib.sh"
	cp "$VM_SRC/guest/rootfs-init" "$1/sbin/init"
	chmod 755 "$1/sbin/init"
	vm_prog "$1/usr/bin" hello
	vm_prog "$1/usr/bin" tampered
	vm_data "$1/etc" demo.conf
	if [ "${2:-}" != unsigned ]; then
		vm_sign_tree "$1"
		echo "echo tampered" >> "$1/usr/bin/tampered"
	fi
	vm_prog "$1/usr/bin" unsigned
}

# vm_check_log NAME BADPATH: the measurement list and PCRs the boot NAME
# saved verify with imactl log verify (sha1 and sha256 banks), fail with
# --cert on exactly the entry of BADPATH (a tampered file that was measured,
# then refused), and fail when one entry is altered.
vm_check_log() {
	_out=$T/$1.out
	_log=$_out/binary_runtime_measurements
	if ! "$IMACTL" log verify --help >/dev/null 2>&1; then
		skip "$1: imactl log verify of the boot's measurement list" "no 'imactl log' in this build"
		return
	fi
	if [ ! -s "$_log" ]; then
		_result 1 "$1: the guest handed over its measurement list" "nothing in $_out"
		return
	fi
	ok "$1: imactl log verify: the list replays to the TPM's PCR 10" \
		"$IMACTL" log verify --tpm "$_out/tpm" --bank sha1,sha256 "$_log"
	like "  ... the sha1 bank matches" "$T/out" 'PCR 10 sha1: [0-9a-f]{40} matches'
	like "  ... the sha256 bank matches" "$T/out" 'PCR 10 sha256: [0-9a-f]{64} matches'
	fails 1 "$1: with --cert, one signature in the list is bad" \
		"$IMACTL" log verify --tpm "$_out/tpm" --cert "$CERT" "$_log"
	cat "$T/out" "$T/err" > "$T/both"
	like "  ... the refused tampered file's entry, by name" "$T/both" "$2"
	like "  ... and only that one" "$T/both" ' 1 bad'
	python3 - "$_log" "$T/altered" <<'PY'
import sys
# flip one bit of the first file digest after boot_aggregate
data = bytearray(open(sys.argv[1], 'rb').read())
i = data.find(b'sha256:\0', data.find(b'boot_aggregate') + 14)
assert i > 0, 'no second entry'
data[i + 8] ^= 0x01
open(sys.argv[2], 'wb').write(data)
PY
	fails 1 "$1: an altered entry fails verification" \
		"$IMACTL" log verify --tpm "$_out/tpm" --bank sha1,sha256 "$T/altered"
	like "  ... naming that entry (the second)" "$T/err" 'entry 2 \('
}
