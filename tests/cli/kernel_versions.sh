#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# doc/kernel-versions.md is what imactl itself says: every probe of
# tests/data/kernel-probes is run for every version from 5.4 to 6.12
# (policy check / kconfig check / cert check --kernel V).  The versions imactl
# says yes for must be those the probe file claims next to its evidence, and
# the tables between the "generated" markers of the doc must be exactly the
# ones made here (on a difference: copy $T/tables.md into the doc).
. "$SRC_ROOT/tests/cli/lib.sh"
ensure_keys
cd "$T" || exit 1
PROBES="$SRC_ROOT/tests/data/kernel-probes"
DOC="$SRC_ROOT/doc/kernel-versions.md"
VERSIONS="5.4 5.5 5.6 5.7 5.8 5.9 5.10 5.11 5.12 5.13 5.14 5.15 5.16 5.17 5.18 5.19
6.0 6.1 6.2 6.3 6.4 6.5 6.6 6.7 6.8 6.9 6.10 6.11 6.12"
LTS="5.4 5.10 5.15 6.1 6.6 6.12"
TAB=$(printf '\t')

# One run per version and kind: all rules in one policy (a rule is accepted
# when no error names its line), all options in one .config; the keys one by
# one.  $yes_N collects the versions imactl says yes for, for probe N.
grep -v -e '^#' -e '^$' "$PROBES" >probes
awk -F "$TAB" '$1 == "policy" { print $3 }' probes >rules
awk -F "$TAB" 'BEGIN { print "CONFIG_IMA=y" } $1 == "kconfig" { print "CONFIG_" $3 "=y" }' probes >config
for v in $VERSIONS; do
	"$IMACTL" policy check --kernel "$v" rules >/dev/null 2>policy.err
	"$IMACTL" kconfig check --kernel "$v" --features ima config >/dev/null 2>kconfig.err
	bad_lines=" $(sed -n 's/^rules:\([0-9]*\):[0-9]*: error:.*/\1/p' policy.err | tr '\n' ' ')"
	absent=" $(sed -n "s/.*CONFIG_\([A-Z0-9_]*\) is set, but Linux $v does not have it.*/\1/p" \
		kconfig.err | tr '\n' ' ')"
	n=0 line=0
	while IFS="$TAB" read -r kind _ probe _; do
		n=$((n + 1))
		case $kind in
		policy)
			line=$((line + 1))
			case $bad_lines in *" $line "*) continue ;; esac
			;;
		kconfig)
			case $absent in *" $probe "*) continue ;; esac
			;;
		cert)
			key=${probe%% *}
			opts=${probe#"$key"}
			# shellcheck disable=SC2086 # the options after the key name, if any
			"$IMACTL" cert check --kernel "$v" $opts "$KEYS/$key.pem" >/dev/null 2>&1 </dev/null || continue
			;;
		esac
		eval "yes_$n=\"\${yes_$n-} $v\""
	done <probes
done

# ranges "5.4 5.5 5.9 ..." (yes-versions, in order) -> "5.4–5.5, 5.9–"
ranges() {
	_out="" _start="" _prev="" _in=""
	for _v in $VERSIONS; do
		case " $1 " in
		*" $_v "*)
			[ -n "$_in" ] || _start=$_v
			_in=1
			;;
		*)
			[ -z "$_in" ] || _out="$_out${_out:+, }$_start–$_prev"
			_in=""
			;;
		esac
		_prev=$_v
	done
	[ -z "$_in" ] || _out="$_out${_out:+, }$_start–"
	echo "${_out:-none}"
}

# shellcheck disable=SC2016 # backquotes are markdown here
heading() {
	case $1 in
	policy) printf '\n### Policy rules (`imactl policy check --kernel V`: the rule is accepted)\n\n' ;;
	kconfig) printf '\n### Kernel options (`imactl kconfig check --kernel V`: no warning that V lacks it)\n\n' ;;
	cert) printf '\n### Signatures (`imactl cert check --kernel V`: V can verify them)\n\n' ;;
	esac
	printf '| feature | %s | imactl: yes for | evidence |\n' "$(echo "$LTS" | sed 's/ / | /g')"
	printf '|---|---|---|---|---|---|---|---|---|\n'
}

kind_was="" n=0
: >tables.md
while IFS="$TAB" read -r kind feature probe claim evidence; do
	n=$((n + 1))
	[ "$kind" = "$kind_was" ] || heading "$kind" >>tables.md
	kind_was=$kind
	seen=""
	eval "seen=\"\${yes_$n-} \""
	got=$(ranges "$seen")
	is "$kind $probe: imactl says yes for the versions the evidence names" "$got" "$claim"
	row="| $feature |"
	for v in $LTS; do
		case $seen in *" $v "*) row="$row yes |" ;; *) row="$row no |" ;; esac
	done
	echo "$row $got | $evidence |" >>tables.md
done <probes

sed -n '/^<!-- BEGIN generated/,/^<!-- END generated/p' "$DOC" | sed '1d;$d' >doc-tables.md
ok "the doc has the generated tables" test -s doc-tables.md
ok "doc/kernel-versions.md is what imactl says (else copy $T/tables.md into it)" \
	cmp doc-tables.md tables.md
cmp -s doc-tables.md tables.md || diff -u doc-tables.md tables.md | sed 's/^/# /' | head -60

# every pair of neighbouring long-term kernels differs somewhere, and the
# difference is a row of the table (so a test pins it)
# shellcheck disable=SC2086 # the list of versions, split on purpose
set -- $LTS
while [ $# -gt 1 ]; do
	a=$(printf '%s\n' "$LTS" | tr ' ' '\n' | grep -n -x "$1" | cut -d: -f1)
	b=$((a + 1))
	n=$(grep '^| ' tables.md | grep -v '^| feature' |
		awk -F' [|] ' -v a="$a" -v b="$b" '$(a + 1) != $(b + 1)' | grep -c .)
	is "Linux $1 and $2 differ in at least one row" "$([ "$n" -gt 0 ] && echo yes)" yes
	shift
done
done_testing
