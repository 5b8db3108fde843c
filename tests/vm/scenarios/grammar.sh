# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh # sourced, not run: POSIX sh (busybox ash in the guest)
# grammar: every rule of /etc/vm/policy-grammar-cases written to the real
# kernel.  Each "refuse" rule alone must fail its write (a refused policy
# leaves the policy file in place); then all "accept" rules in one policy
# (behind catch-all dont_ rules, so nothing is enforced) must load.
P=/sys/kernel/security/ima/policy
kwrite() { printf '%s\n' "$1" > "$P"; }
while read -r verdict rule; do
	[ "$verdict" = refuse ] || continue
	if kwrite "$rule" 2>/dev/null; then
		t_result 1 "the kernel refuses: $rule" "the write succeeded"
	else
		t_result 0 "the kernel refuses: $rule"
	fi
done < /etc/vm/policy-grammar-cases
{
	printf 'dont_appraise\ndont_measure\ndont_hash\n'
	sed -n 's/^accept //p' /etc/vm/policy-grammar-cases
} > /tmp/accepted
t_ok "the kernel accepts every 'accept' rule in one policy" sh -c "cat /tmp/accepted > $P"
t_ok "policy_update completed" sh -c "dmesg | grep -q 'op=policy_update cause=completed'"
