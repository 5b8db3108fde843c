#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ShellCheck passes on every shell script of the repository (*.sh and the
# files whose first line runs sh, bash or ash).  A check is disabled only
# inline, next to the line, with the reason.  Checked here for all of them:
# SC1090/SC1091 (a sourced file cannot be followed: the path is computed at
# run time; every sourced file is checked on its own, as it is in this list).
. "$SRC_ROOT/tests/cli/lib.sh"
cd "$SRC_ROOT" || exit 1

if ! command -v shellcheck >/dev/null 2>&1; then
	skip "shellcheck on every shell script" "shellcheck not installed (scripts/install-deps test)"
	done_testing
	exit 0
fi
git ls-files > "$T/files" 2>/dev/null || find . -type f | sed 's|^\./||' > "$T/files"
: > "$T/scripts"
while read -r f; do
	# its bytes key the kernel cache: editing it costs a kernel rebuild
	[ "$f" = scripts/build-kernel ] && continue
	[ -f "$f" ] || continue
	case "$f" in
	*.sh) echo "$f" ;;
	*.py | *.c | *.h | *.md | *.txt | *.json) ;;
	*) head -n 1 "$f" | grep -qE '^#!.*[/ ](sh|bash|dash|ash)( |$)' && echo "$f" ;;
	esac
done < "$T/files" >> "$T/scripts"
n=$(wc -l < "$T/scripts")
_result "$([ "$n" -ge 40 ] && echo 0 || echo 1)" "shell scripts found ($n)"
while read -r f; do
	out=$(shellcheck -e SC1090,SC1091 -f gcc "$f" 2>&1)
	is "shellcheck $f" "$out" "" "fix it, or disable the check inline with the reason"
done < "$T/scripts"
done_testing
