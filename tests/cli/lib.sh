# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced by the tests, not run on its own
# TAP helpers for the CLI tests; source after setting nothing.
# Environment (from meson): IMACTL, BUILD_ROOT, SRC_ROOT.
# Each test gets a fresh scratch directory $T under the build tree.
set -u
: "${IMACTL:?run through meson test}"
: "${BUILD_ROOT:?}" "${SRC_ROOT:?}"

_n=0
_failed=0
T="$BUILD_ROOT/tests/tmp/$(basename "$0" .sh)"
rm -rf "$T"
mkdir -p "$T"
KEYS="$BUILD_ROOT/tests/keys"

_result() { # status description [diagnostics...]
	_n=$((_n + 1))
	st=$1; desc=$2; shift 2
	if [ "$st" = 0 ]; then
		echo "ok $_n - $desc"
	else
		echo "not ok $_n - $desc"
		_failed=$((_failed + 1))
		for d in "$@"; do printf '%s\n' "$d" | sed 's/^/# /'; done
	fi
}

# run CMD...: runs it, keeping stdout in $T/out, stderr in $T/err, status in $rc
run() {
	rc=0
	"$@" >"$T/out" 2>"$T/err" </dev/null || rc=$?
}

# ok DESC CMD...: CMD must exit 0
ok() {
	desc=$1; shift
	run "$@"
	_result "$([ $rc = 0 ] && echo 0 || echo 1)" "$desc" "exit $rc from: $*" "$(head -c 2000 "$T/err")"
}

# fails CODE DESC CMD...: CMD must exit with CODE
fails() {
	code=$1; desc=$2; shift 2
	run "$@"
	_result "$([ $rc = "$code" ] && echo 0 || echo 1)" "$desc" "exit $rc (want $code) from: $*" "$(head -c 2000 "$T/err")"
}

# is DESC GOT WANT [HINT...]: the hints are printed when GOT differs
is() {
	_d=$1 _g=$2 _w=$3
	shift 3
	_result "$([ "$_g" = "$_w" ] && echo 0 || echo 1)" "$_d" "got:  $_g" "want: $_w" "$@"
}

# like DESC FILE REGEX: FILE (e.g. $T/err) has a line matching REGEX
like() {
	_result "$(grep -qE -- "$3" "$2" && echo 0 || echo 1)" "$1" "no line matches /$3/ in:" "$(head -c 2000 "$2")"
}

skip() { # DESC REASON
	_n=$((_n + 1))
	echo "ok $_n - $1 # SKIP $2"
}

done_testing() {
	echo "1..$_n"
	[ $_failed = 0 ]
}

# need_root DESC REASON: a test that needs root skips everything (and exits)
# when run as another user
need_root() {
	[ "$(id -u)" = 0 ] && return 0
	skip "$1" "$2"
	done_testing
	exit 0
}

# need_tools PROG...: bail out when one is not installed
need_tools() {
	for _p in "$@"; do
		command -v "$_p" >/dev/null ||
			{ echo "Bail out! $_p missing (scripts/install-deps)"; exit 1; }
	done
}

# xattr VALUE of a file as hex (no 0x), or "" when absent
xattr_hex() { # name file
	getfattr --absolute-names -n "$1" -e hex "$2" 2>/dev/null | sed -n "s/^$1=0x//p"
}

# Test keys live in the build tree (never in git); made once per build tree.
ensure_keys() {
	sh "$SRC_ROOT/tests/make-test-keys.sh" "$KEYS" >/dev/null
}
