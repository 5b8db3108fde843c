#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every command, subcommand and option that --help lists is in the man pages:
# man/imactl.1 names every command, man/imactl-CMD.1 documents CMD (all its
# subcommands and options), and meson installs every page.  Commands are
# taken from 'imactl --help', so commands added later are covered too.
. "$SRC_ROOT/tests/cli/lib.sh"
MAN="$SRC_ROOT/man"

# PAGE WORD: WORD (a command, subcommand or option) stands in PAGE as a word
# of its own (roff writes '-' as '\-')
has() {
	sed 's/\\-/-/g; s/\\f[BIRP]//g' "$1" | grep -qE -- "(^|[^a-zA-Z0-9-])$2([^a-zA-Z0-9-]|\$)"
}
# the options a --help text lists or mentions: --long and "-x," / "-x " at the start
options() {
	grep -oE -- '(^|[^a-zA-Z0-9-])--[a-z0-9][a-z0-9-]*' "$1" | sed 's/^[^-]*//' | sort -u
	sed -n 's/^ \{1,6\}\(-[a-zA-Z]\)[, ].*/\1/p' "$1" | sort -u
}

"$IMACTL" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\) .*/\1/p' > "$T/commands"
n=$(wc -l < "$T/commands")
_result "$([ "$n" -ge 14 ] && echo 0 || echo 1)" "imactl --help lists the commands ($n)"
while read -r c; do
	page="$MAN/imactl-$c.1"
	if [ ! -f "$page" ]; then
		_result 1 "man/imactl-$c.1 exists" "write it: every command has a page (see HACKING.md)"
		continue
	fi
	missing=""
	has "$MAN/imactl.1" "$c" || missing="$missing (not in imactl.1)"
	grep -q "install_man.*'man/imactl-$c.1'\\|^ *'man/imactl-$c.1'" "$SRC_ROOT/meson.build" ||
		missing="$missing (not installed by meson.build)"
	"$IMACTL" "$c" --help > "$T/help"
	options "$T/help" > "$T/opts"
	if grep -q '^Subcommands:' "$T/help"; then
		sed -n '/^Subcommands:/,/^$/s/^  \([a-z-]*\) .*/\1/p' "$T/help" > "$T/subs"
		while read -r s; do
			has "$page" "$s" || missing="$missing subcommand:$s"
			"$IMACTL" "$c" "$s" --help > "$T/subhelp"
			options "$T/subhelp" >> "$T/opts"
		done < "$T/subs"
	fi
	sort -u "$T/opts" > "$T/opts.u"
	while read -r o; do
		has "$page" "$o" || missing="$missing $o"
	done < "$T/opts.u"
	is "man/imactl-$c.1 documents everything 'imactl $c --help' lists" "$missing" "" \
		"add what is missing to man/imactl-$c.1"
done < "$T/commands"
done_testing
