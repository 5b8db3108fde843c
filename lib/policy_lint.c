// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Checks over a whole IMA policy that the kernel does not make: rules that
 * can never match, appraisal of pseudo filesystems and of files written at
 * runtime, and what the kernel configuration says about the policy.
 */
#include "policy_private.h"

#include <stdio.h>
#include <string.h>

/* Lints that compare every pair of rules stop beyond this many rules. */
#define MAX_PAIRWISE 4000

/* Pseudo filesystems the kernel's own appraise_tcb policy excludes. */
static const struct {
	const char *name;
	unsigned long magic;
} pseudo_fs[] = {
	{ "proc", 0x9fa0 },
	{ "sysfs", 0x62656572 },
	{ "debugfs", 0x64626720 },
	{ "tmpfs", 0x01021994 },
	{ "ramfs", 0x858458f6 },
	{ "devpts", 0x1cd1 },
	{ "binfmt_misc", 0x42494e4d },
	{ "securityfs", 0x73636673 },
	{ "selinuxfs", 0xf97cff8c },
	{ "smackfs", 0x43415d53 },
	{ "nsfs", 0x6e736673 },
	{ "efivarfs", 0xde5e81e4 },
	{ "cgroup", 0x27e0eb },
	{ "cgroup2", 0x63677270 },
};

static int action_class(int action)
{
	switch (action) {
	case IMACTL_ACT_MEASURE:
	case IMACTL_ACT_DONT_MEASURE:
		return 1;
	case IMACTL_ACT_APPRAISE:
	case IMACTL_ACT_DONT_APPRAISE:
		return 2;
	case IMACTL_ACT_AUDIT:
		return 3;
	case IMACTL_ACT_HASH:
	case IMACTL_ACT_DONT_HASH:
		return 4;
	}
	return 0;
}

static bool streq_opt(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

#define FS_CONDS    (IMACTL_COND_FSMAGIC | IMACTL_COND_FSNAME | IMACTL_COND_FSUUID)
#define MATCH_CONDS ((1u << 16) - 1)

/*
 * Does every object @b matches also match @a (ignoring the conditions in
 * @ignore)?  True when each condition of @a is in @b with the same value.
 */
static bool covers(const struct imactl_policy_rule *a, const struct imactl_policy_rule *b,
		   unsigned int ignore)
{
	unsigned int ac = a->cond & MATCH_CONDS & ~ignore;

	/* KEY_CHECK and CRITICAL_DATA match only rules that name them */
	if ((b->func == IMACTL_FUNC_KEY_CHECK || b->func == IMACTL_FUNC_CRITICAL_DATA) &&
	    a->func != b->func)
		return false;
	if ((ac & b->cond) != ac)
		return false;
	if ((ac & IMACTL_COND_FUNC) && a->func != b->func)
		return false;
	if ((ac & (IMACTL_COND_MASK | IMACTL_COND_INMASK)) && a->mask != b->mask)
		return false;
	if ((ac & IMACTL_COND_FSMAGIC) && a->fsmagic != b->fsmagic)
		return false;
	if ((ac & IMACTL_COND_FSNAME) && !streq_opt(a->fsname, b->fsname))
		return false;
	if ((ac & IMACTL_COND_FSUUID) && memcmp(a->fsuuid, b->fsuuid, 16))
		return false;
	if ((ac & (IMACTL_COND_UID | IMACTL_COND_EUID)) &&
	    (a->uid != b->uid || a->uid_op != b->uid_op))
		return false;
	if ((ac & (IMACTL_COND_GID | IMACTL_COND_EGID)) &&
	    (a->gid != b->gid || a->gid_op != b->gid_op))
		return false;
	if ((ac & IMACTL_COND_FOWNER) && (a->fowner != b->fowner || a->fowner_op != b->fowner_op))
		return false;
	if ((ac & IMACTL_COND_FGROUP) && (a->fgroup != b->fgroup || a->fgroup_op != b->fgroup_op))
		return false;
	if (ac & IMACTL_COND_LSM)
		for (int i = 0; i < IMACTL_LSM_COUNT; i++)
			if (a->lsm[i] && !streq_opt(a->lsm[i], b->lsm[i]))
				return false;
	if ((ac & IMACTL_COND_KEYRINGS) && !streq_opt(a->keyrings, b->keyrings))
		return false;
	if ((ac & IMACTL_COND_LABEL) && !streq_opt(a->label, b->label))
		return false;
	return true;
}

static void lint_unreachable(struct parser *p)
{
	const struct imactl_policy *pol = p->pol;

	if (pol->n_rules > MAX_PAIRWISE) {
		policy_diag(p, 0, 0, NOTE, "unreachable",
			    "%zu rules: not checked for rules that can never match (more than %d)",
			    pol->n_rules, MAX_PAIRWISE);
		return;
	}
	for (size_t j = 0; j < pol->n_rules; j++) {
		const struct imactl_policy_rule *b = &pol->rules[j];

		if (!b->valid || b->func == IMACTL_FUNC_SETXATTR_CHECK)
			continue;
		for (size_t i = 0; i < j; i++) {
			const struct imactl_policy_rule *a = &pol->rules[i];

			if (!a->valid || a->func == IMACTL_FUNC_SETXATTR_CHECK ||
			    action_class(a->action) != action_class(b->action) || !covers(a, b, 0))
				continue;
			policy_diag(
				p, b->line, 1, WARN, "unreachable",
				"this rule can never match: line %u ('%s') already decides %s for "
				"everything it matches",
				a->line, a->text,
				action_class(a->action) == 2   ? "appraisal"
				: action_class(a->action) == 1 ? "measurement"
				: action_class(a->action) == 3 ? "auditing"
							       : "hashing");
			break;
		}
	}
}

/* Could rule @r apply to files on a pseudo filesystem? */
static bool file_hook(int func)
{
	return func == IMACTL_FUNC_NONE || func == IMACTL_FUNC_FILE_CHECK ||
	       func == IMACTL_FUNC_MMAP_CHECK || func == IMACTL_FUNC_MMAP_CHECK_REQPROT ||
	       func == IMACTL_FUNC_BPRM_CHECK || func == IMACTL_FUNC_CREDS_CHECK;
}

static bool excludes_fs(const struct imactl_policy_rule *d, const struct imactl_policy_rule *a,
			size_t k)
{
	if (d->action != IMACTL_ACT_DONT_APPRAISE || !d->valid)
		return false;
	if (!((d->cond & IMACTL_COND_FSMAGIC) && d->fsmagic == pseudo_fs[k].magic) &&
	    !((d->cond & IMACTL_COND_FSNAME) && d->fsname && !strcmp(d->fsname, pseudo_fs[k].name)))
		return false;
	return covers(d, a, FS_CONDS);
}

static void lint_pseudo_fs(struct parser *p)
{
	const struct imactl_policy *pol = p->pol;

	for (size_t j = 0; j < pol->n_rules; j++) {
		const struct imactl_policy_rule *a = &pol->rules[j];
		char missing[512] = "";
		size_t n = 0;

		if (!a->valid || a->action != IMACTL_ACT_APPRAISE || (a->cond & FS_CONDS) ||
		    !file_hook(a->func))
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(pseudo_fs); k++) {
			size_t i;

			for (i = 0; i < j; i++)
				if (excludes_fs(&pol->rules[i], a, k))
					break;
			if (i < j)
				continue;
			n += snprintf(missing + n, sizeof(missing) - n, "%s%s (0x%lx)",
				      n ? ", " : "", pseudo_fs[k].name, pseudo_fs[k].magic);
			if (n >= sizeof(missing))
				n = sizeof(missing) - 1;
		}
		if (n)
			policy_diag(
				p, a->line, 1, WARN, "pseudo-fs",
				"appraisal also applies to pseudo filesystems; add 'dont_appraise "
				"fsmagic=...' before this rule for: %s",
				missing);
		return; /* one report, at the first such rule */
	}
}

static void lint_runtime(struct parser *p)
{
	const struct imactl_policy *pol = p->pol;

	for (size_t j = 0; j < pol->n_rules; j++) {
		const struct imactl_policy_rule *a = &pol->rules[j];

		if (!a->valid || a->action != IMACTL_ACT_APPRAISE ||
		    (a->cond & (IMACTL_COND_FSUUID | IMACTL_COND_FSNAME | IMACTL_COND_FSMAGIC)) ||
		    (a->func != IMACTL_FUNC_NONE && a->func != IMACTL_FUNC_FILE_CHECK))
			continue;
		if ((a->cond & IMACTL_OPT_DIGSIG))
			policy_diag(
				p, a->line, 1, WARN, "imasig-file-check",
				"requires a signature on every file that is read: files written at "
				"runtime (/etc/machine-id, /var/lib/systemd/random-seed, journal "
				"files) can never have one and are refused; systemd fails to boot");
		else if ((a->cond & IMACTL_COND_FOWNER) && a->fowner == 0 && a->fowner_op == '=')
			policy_diag(
				p, a->line, 1, WARN, "appraise-tcb",
				"this is the ima_appraise_tcb pattern: every root-owned file that "
				"is "
				"read is appraised, including files systemd writes at runtime "
				"(/etc/machine-id, /var/lib/systemd/*); a signed file changed at "
				"runtime is refused afterwards");
		else
			policy_diag(p, a->line, 1, WARN, "runtime-writes",
				    "appraises files opened for reading on every filesystem: a "
				    "file the "
				    "image signed and the system changes at runtime (e.g. "
				    "/etc/machine-id, /etc/resolv.conf) is refused afterwards; "
				    "restrict "
				    "with func=, fsuuid= or fowner=");
	}
}

void policy_lint(struct parser *p, const char *buf, size_t len)
{
	const struct imactl_policy *pol = p->pol;
	const struct imactl_policy_options *o = p->opts;
	bool appraise = false;

	for (size_t i = 0; i < pol->n_rules; i++)
		if (pol->rules[i].valid && pol->rules[i].action == IMACTL_ACT_APPRAISE)
			appraise = true;
	if (appraise && kconfig_state(o->kconfig, "IMA_APPRAISE") == 0)
		policy_diag(
			p, 0, 0, ERR, "kconfig",
			"the policy appraises, but CONFIG_IMA_APPRAISE is not set: appraise rules "
			"have no effect");
	if (kconfig_state(o->kconfig, "IMA") == 0)
		policy_diag(p, 0, 0, ERR, "kconfig",
			    "CONFIG_IMA is not set: the kernel has no IMA policy to load");
	if (kconfig_state(o->kconfig, "IMA_APPRAISE_REQUIRE_POLICY_SIGS") == 1 &&
	    !(o->flags & IMACTL_POLICY_SIGNED))
		policy_diag(p, 0, 0, WARN, "unsigned-policy",
			    "the kernel requires signed policies "
			    "(CONFIG_IMA_APPRAISE_REQUIRE_POLICY_SIGS) and this file has no IMA "
			    "signature: sign it and load it by path");
	for (size_t i = 0; i < pol->n_rules; i++) {
		const struct imactl_policy_rule *r = &pol->rules[i];

		if (r->valid && (r->cond & IMACTL_COND_LSM))
			policy_diag(p, r->line, 1, WARN, "lsm-label",
				    "LSM labels depend on the LSM active at boot: when it does not "
				    "know a "
				    "label (Debian's default is AppArmor), the kernel refuses the "
				    "whole "
				    "first policy");
		if (r->valid && (r->cond & IMACTL_OPT_DIGSIG) &&
		    kconfig_state(o->kconfig, "INTEGRITY_SIGNATURE") == 0)
			policy_diag(
				p, r->line, 1, ERR, "kconfig",
				"appraise_type= needs CONFIG_INTEGRITY_SIGNATURE (not set in the "
				".config): every signature check fails");
	}
	if (len && buf[len - 1] != '\n')
		policy_diag(p, p->lineno, 0, (o->flags & IMACTL_POLICY_BY_PATH) ? ERR : WARN,
			    "no-final-newline",
			    "no newline at the end of the file: the kernel's loader for signed "
			    "policies "
			    "(by path) refuses it");
	if (o->flags & IMACTL_POLICY_NO_LINT)
		return;
	lint_unreachable(p);
	lint_pseudo_fs(p);
	lint_runtime(p);
}
