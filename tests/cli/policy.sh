#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# imactl policy check / load: diagnostics format, exit codes, loading through
# a securityfs stand-in (with a preloaded shim that takes one rule per write
# and refuses a chosen rule, as the kernel does).
. "$SRC_ROOT/tests/cli/lib.sh"
cd "$T" || exit 1
printf 'measure func=BPRM_CHECK\nmeasure func=MMAP_CHECK mask=MAY_EXEC\n' > good
ok "a valid policy checks" "$IMACTL" policy check good
like "summary counts rules" "$T/out" '^good: 2 rules, 0 errors, 0 warnings$'

printf '# c\nmeasure func=BPRM_CHECK\nappraise func=NOPE_CHECK\n' > bad
fails 1 "an invalid rule fails the check" "$IMACTL" policy check bad
like "error names file, line, column and reason" "$T/err" '^bad:3:15: error: unknown func .NOPE_CHECK. \[bad-value\]$'

printf 'measure func=BPRM_CHECK\nmeasure func=BPRM_CHECK mask=MAY_EXEC\n' > warn
ok "warnings alone pass" "$IMACTL" policy check warn
like "warning line" "$T/err" '^warn:2:1: warning: this rule can never match: line 1'
fails 1 "--strict makes warnings fail" "$IMACTL" policy check --strict warn
printf 'measure func=BPRM_CHECK\n# imactl: allow unreachable\nmeasure func=BPRM_CHECK mask=MAY_EXEC\n' > allowed
ok "an allow comment silences that warning" "$IMACTL" policy check --strict allowed

printf 'measure func=MMAP_CHECK_REQPROT\n' > reqprot
ok "MMAP_CHECK_REQPROT on the newest kernel" "$IMACTL" policy check reqprot
fails 1 "MMAP_CHECK_REQPROT on 6.1" "$IMACTL" policy check --kernel 6.1 reqprot
like "names the version" "$T/err" 'not known to Linux 6.1 \(added in 6.3\)'
fails 2 "--kernel older than 5.4 is a usage error" "$IMACTL" policy check --kernel 5.3 good
fails 2 "--kernel garbage" "$IMACTL" policy check --kernel six good

printf 'measure func=KEY_CHECK\n' > key
printf '# CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS is not set\nCONFIG_IMA=y\n' > kc
ok "KEY_CHECK without --kconfig" "$IMACTL" policy check key
fails 1 "KEY_CHECK with a .config lacking IMA_MEASURE_ASYMMETRIC_KEYS" "$IMACTL" policy check --kconfig kc key
like "names the option" "$T/err" 'CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS'

fails 3 "a missing file is an operational error" "$IMACTL" policy check nonexistent
fails 2 "no FILE" "$IMACTL" policy check
fails 2 "unknown subcommand" "$IMACTL" policy frobnicate x
fails 2 "option of another subcommand" "$IMACTL" policy check --securityfs x good
ok "policy --help" "$IMACTL" policy --help
like "usage names load" "$T/out" 'imactl policy load'

# malformed input: errors, never crashes
printf 'measure func=BPRM_CHECK' > nonl
ok "no final newline is a warning" "$IMACTL" policy check nonl
like "says why" "$T/err" 'no newline at the end of the file'
fails 1 "no final newline is an error for a load by path" "$IMACTL" policy check --by-path nonl
printf 'measure\000 func=BPRM_CHECK\n' > nul
fails 1 "NUL byte" "$IMACTL" policy check nul
like "NUL byte column" "$T/err" '^nul:1:8: error: NUL byte'
printf 'measure fsname=\351t\351\n' > latin1
fails 1 "non-UTF-8" "$IMACTL" policy check latin1
like "non-UTF-8 column" "$T/err" '^latin1:1:16: error: invalid UTF-8'
printf 'measure func=BPRM_CHECK\r\n' > crlf
fails 1 "CRLF line ending" "$IMACTL" policy check crlf
like "CRLF is named" "$T/err" 'carriage return'
head -c 5000 /dev/zero | tr '\0' ' ' > long; printf 'measure\n' >> long
fails 1 "a 5000-byte line" "$IMACTL" policy check long
like "too long" "$T/err" 'the kernel takes at most 4095 bytes'
: > empty
fails 1 "an empty policy" "$IMACTL" policy check empty
like "empty is explained" "$T/err" 'refuses an empty policy'
head -c 300000 /dev/urandom > random
run "$IMACTL" policy check random
# shellcheck disable=SC2154 # rc is set by run() of tests/cli/lib.sh
is "random bytes: exit 1, no crash" "$rc" 1

# load
mkdir -p sfs/ima; : > sfs/ima/policy
ok "load into --securityfs" "$IMACTL" policy load --securityfs sfs good
is "the policy file got every rule" "$(cat sfs/ima/policy)" "$(cat good)"
: > sfs/ima/policy
fails 1 "load refuses a policy with errors" "$IMACTL" policy load --securityfs sfs bad
is "nothing was written" "$(wc -c < sfs/ima/policy)" 0
fails 3 "no policy file (securityfs not mounted / already loaded)" "$IMACTL" policy load --securityfs nowhere good
like "explains the missing file" "$T/err" 'already loaded'

SHIM="$BUILD_ROOT/tests/libfake_securityfs.so"
printf '# measure\nmeasure func=BPRM_CHECK\n\ndont_measure obj_type=unknown_t\nmeasure func=MMAP_CHECK mask=MAY_EXEC\n' > lsm
: > sfs/ima/policy
ok "the shim takes one rule per write" env LD_PRELOAD="$SHIM" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
	"$IMACTL" policy load --securityfs sfs good
is "all rules arrive in one open, one per write" "$(cat sfs/ima/policy)" "$(cat good)"
: > sfs/ima/policy
fails 1 "a rule the kernel refuses" env LD_PRELOAD="$SHIM" FAKE_IMA_REFUSE=unknown_t \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$IMACTL" policy load --securityfs sfs lsm
like "names the refused rule" "$T/err" '^lsm:4: error: the kernel refused this rule: dont_measure obj_type=unknown_t$'
like "and what the checker knows about it" "$T/err" '^lsm:4:1: warning: LSM labels depend on the LSM'

: > sfs/ima/policy
ok "--by-path writes the absolute path" "$IMACTL" policy load --by-path --securityfs sfs good
is "the path arrives" "$(cat sfs/ima/policy)" "$T/good"
ensure_keys
cp good signed
"$IMACTL" sign --xattr-user --key "$KEYS/rsa2048.key" signed >/dev/null
: > sfs/ima/policy
ok "a policy with an IMA signature is loaded by path" "$IMACTL" policy load --xattr-user --securityfs sfs signed
is "its path arrives, not its rules" "$(cat sfs/ima/policy)" "$T/signed"
like "says so" "$T/out" 'by path'
"$IMACTL" sign --xattr-user --ima hash signed >/dev/null
: > sfs/ima/policy
ok "a hash is not a signature: rules are written" "$IMACTL" policy load --xattr-user --securityfs sfs signed
is "the rules arrive" "$(cat sfs/ima/policy)" "$(cat good)"
done_testing
