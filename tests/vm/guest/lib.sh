# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# Guest-side test helpers (busybox sh), sourced by /init and by the init of a
# signed root filesystem.  Every t_* prints exactly one result line:
#   @@ok DESC
#   @@not ok DESC # what was expected, what happened
# t_finish prints "@@end N" (N = number of result lines; t_handover prints
# "@@part N" for those before a switch_root), writes /out to the
# output disk (a tar archive the host unpacks) and powers off.
# The host (tests/vm/vm-lib.sh) turns these lines into TAP.
_t_n=0
_t_absent=""
OUT_DEV=""
ROOT_DEV=""

# finds the virtio disks by the serial the host gave them
vm_find_disks() {
	for d in /sys/block/vd*; do
		[ -e "$d/serial" ] || continue
		# shellcheck disable=SC2034 # the scenarios use ROOT_DEV
		case "$(cat "$d/serial")" in
		vmout) OUT_DEV=/dev/${d##*/} ;;
		vmroot) ROOT_DEV=/dev/${d##*/} ;;
		esac
	done
	mkdir -p /out
}

t_result() { # status DESC [DETAIL]
	_t_n=$((_t_n + 1))
	if [ "$1" = 0 ]; then
		echo "@@ok $2"
	else
		echo "@@not ok $2 # ${3:-}"
	fi
}

# t_handover: before a switch_root, whose init sources this file anew (its
# count starts at 0): "@@part N", which the host adds to the final "@@end N"
t_handover() {
	echo "@@part $_t_n"
}

t_is() { # DESC GOT WANT
	if [ "$2" = "$3" ]; then t_result 0 "$1"; else t_result 1 "$1" "want '$3', got '$2'"; fi
}

t_ok() { # DESC CMD...: CMD exits 0
	_d=$1; shift
	_o=$("$@" 2>&1); _rc=$?
	# shellcheck disable=SC2015 # t_result 0 returns 0
	[ "$_rc" = 0 ] && t_result 0 "$_d" || t_result 1 "$_d" "exit $_rc from $*: $(echo "$_o" | tail -n 3 | tr '\n' ' ')"
}

t_fails() { # DESC CODE CMD...: CMD exits with CODE
	_d=$1; _want=$2; shift 2
	_o=$("$@" 2>&1); _rc=$?
	# shellcheck disable=SC2015 # t_result 0 returns 0
	[ "$_rc" = "$_want" ] && t_result 0 "$_d" || t_result 1 "$_d" "want exit $_want, got $_rc from $*: $(echo "$_o" | tail -n 3 | tr '\n' ' ')"
	# shellcheck disable=SC2034 # the scenarios use T_OUT
	T_OUT=$_o
}

# audit_cause PATH [SECONDS]: the cause= of the latest integrity audit record
# naming PATH (by its last component).  Audit lines reach the kernel log
# asynchronously (kauditd), so wait for one up to SECONDS (default 20).
audit_cause() {
	_b=${1##*/}
	_w=$(( ${2:-20} * 10 ))
	_i=0
	while :; do
		_l=$(dmesg | grep ' cause=' | grep -E "name=\"([^\"]*/)?$_b\"" | tail -n 1)
		[ -n "$_l" ] && break
		[ $_i -ge $_w ] && break
		_i=$((_i + 1))
		sleep 0.1
	done
	echo "$_l" | sed -n 's/.* op=\([^ ]*\) cause=\([^ ]*\) .*/\1:\2/p'
}

# t_audit DESC REGEX [SECONDS]: a kernel log line matching REGEX (grep -E)
# appears within SECONDS (default 20)
t_audit() {
	_w=$(( ${3:-20} * 10 ))
	_i=0
	while ! dmesg | grep -qE -- "$2"; do
		if [ $_i -ge $_w ]; then
			t_result 1 "$1" "no kernel log line matches /$2/"
			return
		fi
		_i=$((_i + 1))
		sleep 0.1
	done
	t_result 0 "$1"
}

# t_cause DESC PATH OP:CAUSE: the latest integrity audit record naming PATH
t_cause() {
	t_is "$1" "$(audit_cause "$2")" "$3"
}

# t_like DESC TEXT PATTERN: TEXT matches the shell PATTERN (case glob)
t_like() {
	# shellcheck disable=SC2254 # $3 is a glob on purpose
	case "$2" in
	$3) t_result 0 "$1" ;;
	*) t_result 1 "$1" "want /$3/, got: $2" ;;
	esac
}

# _t_access DESC KIND PATH allowed|denied OP:CAUSE|-
_t_access() {
	_d=$1; _k=$2; _p=$3; _want=$4; _cause=$5
	_b=${_p##*/}
	if [ "$_k" = exec ]; then
		_o=$("$_p" 2>&1); _rc=$?
		_good="ran $_b"
	else
		_o=$(cat "$_p" 2>&1); _rc=$?
		_good="data $_b"
	fi
	_o=$(echo "$_o" | tr '\n' ' ' | sed 's/ $//')
	if [ "$_want" = allowed ]; then
		# a tampered file still starts with what the signed one said
		case "$_o" in "$_good"*) _st=$_rc ;; *) _st=1 ;; esac
		_got="exit $_rc, output '$_o'"
	else
		case "$_o" in *"Permission denied"*) _st=0 ;; *) _st=1 ;; esac
		[ $_rc != 0 ] || _st=1
		_got="exit $_rc, output '$_o'"
	fi
	if [ "$_cause" = "-" ]; then
		_t_absent="$_t_absent $_p"
		t_result $_st "$_d: $_k $_want" "$_got"
		return
	fi
	_c=$(audit_cause "$_p")
	[ "$_c" = "$_cause" ] || _st=1
	t_result $_st "$_d: $_k $_want, audit $_cause" "$_got; audit '${_c:-none}'"
}

# t_exec DESC PATH allowed|denied OP:CAUSE|-   (the program prints "ran NAME")
t_exec() { _t_access "$1" exec "$2" "$3" "$4"; }
# t_read DESC PATH allowed|denied OP:CAUSE|-   (the file holds "data NAME")
t_read() { _t_access "$1" read "$2" "$3" "$4"; }

# t_evm_portable: the files vm_appraise_tree signed under /mnt/evm, EVM
# taking signatures: the signed program runs; one chmod or chown on the host
# after signing and one without security.evm are refused; EVM refuses a chmod
# of a file with a portable signature ($T_OUT has its message)
t_evm_portable() {
	t_exec "IMA + EVM portable signature" /mnt/evm/evmsigned allowed -
	t_exec "chmod after signing (on the host)" /mnt/evm/chmodded denied appraise_data:invalid-fail-immutable
	t_exec "chown after signing (on the host)" /mnt/evm/chowned denied appraise_data:invalid-fail-immutable
	t_exec "IMA signature without security.evm" /mnt/evm/imaonly denied appraise_data:missing-HMAC
	t_fails "EVM refuses chmod of a file with a portable signature" 1 chmod 700 /mnt/evm/evmguest
	t_like "  ... with Operation not permitted" "$T_OUT" "*Operation not permitted*"
}

# imports CERT into KEYRING with imactl; one result line
t_import() { # CERT KEYRING
	_o=$(imactl import "$1" "$2" 2>&1); _rc=$?
	case "$_o" in
	[0-9]*) [ $_rc = 0 ] && _st=0 || _st=1 ;;
	*) _st=1 ;;
	esac
	t_result "$_st" "imactl import ${1##*/} $2 prints the key serial" "exit $_rc: $_o"
}

t_finish() {
	if [ -n "$_t_absent" ]; then
		sleep 1
		for _p in $_t_absent; do
			_c=$(audit_cause "$_p" 0)
			case "$_c" in appraise_data:*) ;; *) _c="" ;; esac
			t_is "no appraisal audit record for $_p" "${_c:-none}" none
		done
	fi
	echo "@@end $_t_n"
	if [ -n "$OUT_DEV" ] && [ -n "$(ls /out)" ]; then
		tar -cf "$OUT_DEV" -C /out . && sync
	fi
	# under systemd (tests/vm/vm_hmac_rootfs.sh) a clean shutdown: what the
	# services write on the way down is part of the test
	if [ -d /run/systemd/system ]; then
		systemctl --no-block reboot
		return
	fi
	# a kernel without ACPI (scripts/build-kernel's) cannot power off: it would
	# halt; QEMU runs with -no-reboot, so a reboot ends the VM instead
	if [ -d /sys/firmware/acpi ]; then poweroff -f; else reboot -f; fi
	sleep 30
}
