// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One IMA policy rule, parsed and validated as the kernel does it: the part
 * of imactl to compare with security/integrity/ima/ima_policy.c
 * (ima_parse_rule, ima_validate_rule) when the kernel changes.  The facts
 * (and the kernel version that brought each keyword) are recorded in
 * doc/policy-keywords.md; the code is written from those facts, not from the
 * kernel's code.  Like the kernel, the first problem of a rule ends its
 * parsing.
 */
#include "policy_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* measured_pcrs is an unsigned long: PCR 0..63 on 64-bit kernels. */
#define MAX_PCR 63

/*
 * The kernel versions at which the grammar changed that are not the first
 * version of a keyword, func, template or hash (those are in the tables).
 * doc/policy-keywords.md has the evidence for each.
 */
/* ima_validate_rule(): whole-rule checks instead of order-dependent ones */
#define K_VALIDATE KV(5, 9)
/*
 * Same release: func=KEY_CHECK and keyrings= refused without
 * CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS, and keyrings= split into items (no
 * empty one); 5.6-5.8 took both unconditionally and keyrings= as one string.
 */
#define K_KEYS_CHECKED KV(5, 9)
/* appraise_flag= accepted with any value and ignored */
#define K_FLAG_IGNORED KV(6, 6)

/* ---- tables ----------------------------------------------------------------- */

static const struct {
	const char *name;
	int func;
	unsigned int since; /* 0: in every modelled kernel (>= 5.4) */
	bool alias;
} funcs[] = {
	{ "FILE_CHECK", IMACTL_FUNC_FILE_CHECK, 0, false },
	{ "PATH_CHECK", IMACTL_FUNC_FILE_CHECK, 0, true },
	{ "MODULE_CHECK", IMACTL_FUNC_MODULE_CHECK, 0, false },
	{ "FIRMWARE_CHECK", IMACTL_FUNC_FIRMWARE_CHECK, 0, false },
	{ "FILE_MMAP", IMACTL_FUNC_MMAP_CHECK, 0, true },
	{ "MMAP_CHECK", IMACTL_FUNC_MMAP_CHECK, 0, false },
	{ "MMAP_CHECK_REQPROT", IMACTL_FUNC_MMAP_CHECK_REQPROT, KV(6, 3), false },
	{ "BPRM_CHECK", IMACTL_FUNC_BPRM_CHECK, 0, false },
	{ "CREDS_CHECK", IMACTL_FUNC_CREDS_CHECK, 0, false },
	{ "KEXEC_KERNEL_CHECK", IMACTL_FUNC_KEXEC_KERNEL_CHECK, 0, false },
	{ "KEXEC_INITRAMFS_CHECK", IMACTL_FUNC_KEXEC_INITRAMFS_CHECK, 0, false },
	{ "POLICY_CHECK", IMACTL_FUNC_POLICY_CHECK, 0, false },
	{ "KEXEC_CMDLINE", IMACTL_FUNC_KEXEC_CMDLINE, 0, false },
	{ "KEY_CHECK", IMACTL_FUNC_KEY_CHECK, KV(5, 6), false },
	{ "CRITICAL_DATA", IMACTL_FUNC_CRITICAL_DATA, KV(5, 12), false },
	{ "SETXATTR_CHECK", IMACTL_FUNC_SETXATTR_CHECK, KV(5, 15), false },
};

static const char *const action_names[] = {
	[IMACTL_ACT_MEASURE] = "measure",     [IMACTL_ACT_DONT_MEASURE] = "dont_measure",
	[IMACTL_ACT_APPRAISE] = "appraise",   [IMACTL_ACT_DONT_APPRAISE] = "dont_appraise",
	[IMACTL_ACT_AUDIT] = "audit",	      [IMACTL_ACT_HASH] = "hash",
	[IMACTL_ACT_DONT_HASH] = "dont_hash",
};

/*
 * The kernel's hash_algo_name[] (index = enum hash_algo).  "avail": has a
 * crypto implementation in 6.1 (appraise_algos= checks crypto_has_alg());
 * the kconfig option that provides it.
 */
static const struct {
	const char *name;
	const char *kconfig;
	unsigned int since;
	bool avail;
} hash_algos[] = {
	{ "md4", "CRYPTO_MD4", 0, true },
	{ "md5", "CRYPTO_MD5", 0, true },
	{ "sha1", "CRYPTO_SHA1", 0, true },
	{ "rmd160", "CRYPTO_RMD160", 0, true },
	{ "sha256", "CRYPTO_SHA256", 0, true },
	{ "sha384", "CRYPTO_SHA512", 0, true },
	{ "sha512", "CRYPTO_SHA512", 0, true },
	{ "sha224", "CRYPTO_SHA256", 0, true },
	{ "rmd128", NULL, 0, false },
	{ "rmd256", NULL, 0, false },
	{ "rmd320", NULL, 0, false },
	{ "wp256", "CRYPTO_WP512", 0, true },
	{ "wp384", "CRYPTO_WP512", 0, true },
	{ "wp512", "CRYPTO_WP512", 0, true },
	{ "tgr128", NULL, 0, false },
	{ "tgr160", NULL, 0, false },
	{ "tgr192", NULL, 0, false },
	{ "sm3", "CRYPTO_SM3_GENERIC", 0, true },
	{ "streebog256", "CRYPTO_STREEBOG", 0, true },
	{ "streebog512", "CRYPTO_STREEBOG", 0, true },
	{ "sha3-256", "CRYPTO_SHA3", KV(6, 7), true },
	{ "sha3-384", "CRYPTO_SHA3", KV(6, 7), true },
	{ "sha3-512", "CRYPTO_SHA3", KV(6, 7), true },
};

/* Templates lookup_template_desc() knows (built in), with their first version. */
static const struct {
	const char *name;
	unsigned int since;
} templates[] = {
	{ "ima", 0 },
	{ "ima-ng", 0 },
	{ "ima-ngv2", KV(5, 19) },
	{ "ima-sig", 0 },
	{ "ima-sigv2", KV(5, 19) },
	{ "ima-buf", 0 },
	{ "ima-modsig", 0 },
	{ "evm-sig", KV(5, 14) },
};

IMACTL_EXPORT const char *imactl_policy_func_name(enum imactl_policy_func func)
{
	for (size_t i = 0; i < ARRAY_SIZE(funcs); i++)
		if (funcs[i].func == (int)func && !funcs[i].alias)
			return funcs[i].name;
	return NULL;
}

IMACTL_EXPORT const char *imactl_policy_action_name(enum imactl_policy_action action)
{
	int a = action; /* a caller may pass any int */

	if (a <= 0 || a >= (int)ARRAY_SIZE(action_names))
		return NULL;
	return action_names[a];
}

/* The rule being parsed: the kernel's entry plus where each part came from. */
struct rule_state {
	struct imactl_policy_rule *r;
	unsigned int col_action, col_func, col_pcr, col_template, col_digsig, col_verity, col_algos,
		col_keyrings, col_label, col_lsm, col_blacklist, col_first_cond;
	unsigned int col_of[32]; /* by IMACTL_COND_/OPT_ bit number */
	bool uid_set, gid_set, fowner_set, fgroup_set, fsuuid_nonzero;
	bool error;
};

/* A keyword of the current rule: where it is and what it says. */
struct token {
	const struct keyword *kw;
	const char *val;   /* the value after '=', '<' or '>' (NUL-terminated) */
	unsigned int col;  /* column of the keyword */
	unsigned int vcol; /* column of the value */
};

static void rule_err(struct parser *p, struct rule_state *st, unsigned int col, const char *code,
		     const char *fmt, ...) PRINTF_FMT(5, 6);
static void rule_err(struct parser *p, struct rule_state *st, unsigned int col, const char *code,
		     const char *fmt, ...)
{
	va_list ap;

	st->error = true;
	va_start(ap, fmt);
	policy_vdiag(p, p->lineno, col, ERR, code, fmt, ap);
	va_end(ap);
}

static int bitno(unsigned int bit)
{
	return __builtin_ctz(bit);
}

static void set_cond(struct rule_state *st, unsigned int bit, unsigned int col)
{
	st->r->cond |= bit;
	st->col_of[bitno(bit)] = col;
	if (!st->col_first_cond)
		st->col_first_cond = col;
}

/* @kw@name is newer than the kernel checked for: the kernel does not know it. */
static bool too_new(struct parser *p, struct rule_state *st, unsigned int col, const char *kw,
		    const char *name, unsigned int since)
{
	if (since <= p->kernel)
		return false;
	rule_err(p, st, col, "kernel-version", "%s%s is not known to Linux %u.%u (added in %u.%u)",
		 kw, name, p->kernel >> 16, (p->kernel >> 8) & 0xff, since >> 16,
		 (since >> 8) & 0xff);
	return true;
}

/* ---- value parsers (the kernel's kstrto*, uuid_parse) -------------------- */

/* kstrtoull(): optional '+', "0x" prefix for base 16, no sign, no spaces. */
static bool parse_ull(const char *s, unsigned int base, unsigned long long *v)
{
	unsigned long long x = 0;

	if (*s == '+')
		s++;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s)
		return false;
	for (; *s; s++) {
		int d = hex_digit(*s);

		if (d < 0 || d >= (int)base)
			return false;
		if (x > (~0ull - d) / base)
			return false; /* -ERANGE */
		x = x * base + d;
	}
	*v = x;
	return true;
}

static bool parse_uuid(const char *s, uint8_t out[16])
{
	static const int pos[16] = { 0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34 };

	if (strlen(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
		return false;
	for (int i = 0; i < 16; i++) {
		int hi = hex_digit(s[pos[i]]), lo = hex_digit(s[pos[i] + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = hi << 4 | lo;
	}
	return true;
}

/* "a|b|c": no empty items (ima_alloc_rule_opt_list) */
static bool valid_opt_list(const char *s)
{
	const char *p = s;

	for (;;) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (!n)
			return false;
		if (!bar)
			return true;
		p = bar + 1;
	}
}

static char *xstrdup(struct parser *p, const char *s)
{
	char *d = strdup(s);

	if (!d)
		p->err = -ENOMEM;
	return d;
}

/* ---- one keyword: the kernel's ima_parse_rule() switch ------------------------ */

static void parse_action(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_lsm(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_func(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_mask(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_fsmagic(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_fsname(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_fsuuid(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_id(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_digest_type(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_appraise_type(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_appraise_flag(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_algos(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_directio(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_pcr(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_template(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_keyrings(struct parser *p, struct rule_state *st, const struct token *t);
static void parse_label(struct parser *p, struct rule_state *st, const struct token *t);

struct keyword {
	const char *name; /* with its '=', '<' or '>' when it takes a value */
	void (*parse)(struct parser *p, struct rule_state *st, const struct token *t);
	char op;
	unsigned int arg;   /* action, LSM field index or IMACTL_COND_ bit */
	unsigned int since; /* first kernel version that knows it; 0: all modelled */
};

/*
 * The kernel's six id conditions, each with one operator (its Opt_uid_eq ..
 * Opt_fgroup_eq, then the _gt and the _lt ones, in this order).
 */
#define ID_KEYWORD(cond, op, c, bit, since)                                                        \
	{                                                                                          \
		cond op, parse_id, c, bit, since                                                   \
	}
#define ID_KEYWORDS(op, c)                                                                         \
	ID_KEYWORD("uid", op, c, IMACTL_COND_UID, 0),                                              \
		ID_KEYWORD("euid", op, c, IMACTL_COND_EUID, 0),                                    \
		ID_KEYWORD("gid", op, c, IMACTL_COND_GID, KV(5, 16)),                              \
		ID_KEYWORD("egid", op, c, IMACTL_COND_EGID, KV(5, 16)),                            \
		ID_KEYWORD("fowner", op, c, IMACTL_COND_FOWNER, 0),                                \
		ID_KEYWORD("fgroup", op, c, IMACTL_COND_FGROUP, KV(5, 16))

/* The kernel's policy_tokens, in the same order (the first match wins). */
static const struct keyword keywords[] = {
	{ "measure", parse_action, 0, IMACTL_ACT_MEASURE },
	{ "dont_measure", parse_action, 0, IMACTL_ACT_DONT_MEASURE },
	{ "appraise", parse_action, 0, IMACTL_ACT_APPRAISE },
	{ "dont_appraise", parse_action, 0, IMACTL_ACT_DONT_APPRAISE },
	{ "audit", parse_action, 0, IMACTL_ACT_AUDIT },
	{ "hash", parse_action, 0, IMACTL_ACT_HASH },
	{ "dont_hash", parse_action, 0, IMACTL_ACT_DONT_HASH },
	{ "obj_user=", parse_lsm, '=', 0 },
	{ "obj_role=", parse_lsm, '=', 1 },
	{ "obj_type=", parse_lsm, '=', 2 },
	{ "subj_user=", parse_lsm, '=', 3 },
	{ "subj_role=", parse_lsm, '=', 4 },
	{ "subj_type=", parse_lsm, '=', 5 },
	{ "func=", parse_func, '=', 0 },
	{ "mask=", parse_mask, '=', 0 },
	{ "fsmagic=", parse_fsmagic, '=', 0 },
	{ "fsname=", parse_fsname, '=', 0 },
	{ "fsuuid=", parse_fsuuid, '=', 0 },
	ID_KEYWORDS("=", '='),
	ID_KEYWORDS(">", '>'),
	ID_KEYWORDS("<", '<'),
	{ "digest_type=", parse_digest_type, '=', 0, KV(5, 19) },
	{ "appraise_type=", parse_appraise_type, '=', 0 },
	{ "appraise_flag=", parse_appraise_flag, '=', 0, KV(5, 5) },
	{ "appraise_algos=", parse_algos, '=', 0, KV(5, 15) },
	{ "permit_directio", parse_directio, 0, 0 },
	{ "pcr=", parse_pcr, '=', 0 },
	{ "template=", parse_template, '=', 0 },
	{ "keyrings=", parse_keyrings, '=', 0, KV(5, 6) },
	{ "label=", parse_label, '=', 0, KV(5, 12) },
};

static void parse_action(struct parser *p, struct rule_state *st, const struct token *t)
{
	int action = (int)t->kw->arg;

	if (st->r->action) {
		rule_err(p, st, t->col, "two-actions",
			 "a rule has exactly one action; '%s' after '%s' (column %u)",
			 action_names[action], action_names[st->r->action], st->col_action);
		return;
	}
	st->r->action = action;
	st->col_action = t->col;
}

static void parse_id(struct parser *p, struct rule_state *st, const struct token *t)
{
	struct imactl_policy_rule *r = st->r;
	unsigned int bit = t->kw->arg;
	unsigned long long v;
	bool *set;
	uint32_t *dst;
	char *op;
	const char *what;

	switch (bit) {
	case IMACTL_COND_UID:
	case IMACTL_COND_EUID:
		set = &st->uid_set, dst = &r->uid, op = &r->uid_op;
		what = "a user id (uid and euid share one field: one of them per rule)";
		break;
	case IMACTL_COND_GID:
	case IMACTL_COND_EGID:
		set = &st->gid_set, dst = &r->gid, op = &r->gid_op;
		what = "a group id (gid and egid share one field: one of them per rule)";
		break;
	case IMACTL_COND_FOWNER:
		set = &st->fowner_set, dst = &r->fowner, op = &r->fowner_op;
		what = "fowner";
		break;
	default:
		set = &st->fgroup_set, dst = &r->fgroup, op = &r->fgroup_op;
		what = "fgroup";
		break;
	}
	if (*set) {
		rule_err(p, st, t->col, "repeated", "%s given twice in one rule", what);
		return;
	}
	if (!parse_ull(t->val, 10, &v)) {
		rule_err(p, st, t->vcol, "bad-value", "'%s' is not a decimal number", t->val);
		return;
	}
	if (v >= 0xffffffffull) { /* (uid_t)-1 is INVALID_UID */
		rule_err(p, st, t->vcol, "bad-value", "%s is not a valid id (0..4294967294)",
			 t->val);
		return;
	}
	*set = true;
	*dst = v;
	*op = t->kw->op;
	set_cond(st, bit, t->col);
}

/*
 * From 5.9 on, func=KEY_CHECK and keyrings= need
 * CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS; 5.6-5.8 accepted them without it (the
 * rule then never matches).
 */
static bool keys_kconfig(struct parser *p, struct rule_state *st, unsigned int col,
			 const char *what)
{
	if (kconfig_state(p->opts->kconfig, "IMA_MEASURE_ASYMMETRIC_KEYS") != 0)
		return true;
	if (p->kernel < K_KEYS_CHECKED) {
		policy_diag(p, p->lineno, col, WARN, "kconfig",
			    "%s: Linux %u.%u accepts it without CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS "
			    "(not set in the .config), but no key is measured",
			    what, p->kernel >> 16, (p->kernel >> 8) & 0xff);
		return true;
	}
	rule_err(p, st, col, "kconfig",
		 "%s needs CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS (not set in the .config)", what);
	return false;
}

static void parse_func(struct parser *p, struct rule_state *st, const struct token *t)
{
	const char *val = t->val;
	size_t i;

	if (st->r->func) {
		rule_err(p, st, t->col, "repeated", "func= given twice in one rule");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(funcs); i++)
		if (!strcmp(funcs[i].name, val))
			break;
	if (i == ARRAY_SIZE(funcs)) {
		rule_err(p, st, t->vcol, "bad-value", "unknown func '%s'", val);
		return;
	}
	if (too_new(p, st, t->vcol, "func=", val, funcs[i].since))
		return;
	if (funcs[i].func == IMACTL_FUNC_KEY_CHECK &&
	    !keys_kconfig(p, st, t->vcol, "func=KEY_CHECK"))
		return;
	if (funcs[i].alias)
		policy_diag(p, p->lineno, t->vcol, WARN, "alias", "%s is an old alias of %s", val,
			    imactl_policy_func_name(funcs[i].func));
	st->r->func = funcs[i].func;
	st->col_func = t->col;
	set_cond(st, IMACTL_COND_FUNC, t->col);
}

static void parse_mask(struct parser *p, struct rule_state *st, const struct token *t)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} masks[] = {
		{ "MAY_EXEC", IMACTL_MAY_EXEC },
		{ "MAY_WRITE", IMACTL_MAY_WRITE },
		{ "MAY_READ", IMACTL_MAY_READ },
		{ "MAY_APPEND", IMACTL_MAY_APPEND },
	};
	bool inmask = *t->val == '^';
	const char *name = t->val + inmask;

	if (st->r->mask) {
		rule_err(p, st, t->col, "repeated", "mask= given twice in one rule");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(masks); i++)
		if (!strcmp(masks[i].name, name)) {
			st->r->mask = masks[i].bit;
			set_cond(st, inmask ? IMACTL_COND_INMASK : IMACTL_COND_MASK, t->col);
			return;
		}
	rule_err(p, st, t->vcol, "bad-value",
		 "unknown mask '%s' (MAY_EXEC, MAY_WRITE, MAY_READ, MAY_APPEND, optionally with ^)",
		 t->val);
}

static void parse_fsmagic(struct parser *p, struct rule_state *st, const struct token *t)
{
	unsigned long long v;

	/* the kernel tests the old value, so fsmagic=0 may be repeated */
	if (st->r->fsmagic) {
		rule_err(p, st, t->col, "repeated", "fsmagic= given twice in one rule");
		return;
	}
	if (!parse_ull(t->val, 16, &v)) {
		rule_err(p, st, t->vcol, "bad-value", "'%s' is not a hexadecimal number", t->val);
		return;
	}
	st->r->fsmagic = v;
	set_cond(st, IMACTL_COND_FSMAGIC, t->col);
}

static void parse_fsname(struct parser *p, struct rule_state *st, const struct token *t)
{
	if (st->r->fsname) { /* the kernel keeps the last one */
		policy_diag(p, p->lineno, t->col, WARN, "repeated",
			    "fsname= given twice: the kernel uses the last one");
		free(st->r->fsname);
	}
	st->r->fsname = xstrdup(p, t->val);
	set_cond(st, IMACTL_COND_FSNAME, t->col);
}

static void parse_fsuuid(struct parser *p, struct rule_state *st, const struct token *t)
{
	struct imactl_policy_rule *r = st->r;

	if (st->fsuuid_nonzero) {
		rule_err(p, st, t->col, "repeated", "fsuuid= given twice in one rule");
		return;
	}
	if (!parse_uuid(t->val, r->fsuuid)) {
		rule_err(p, st, t->vcol, "bad-value",
			 "'%s' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", t->val);
		return;
	}
	for (int i = 0; i < 16; i++)
		if (r->fsuuid[i])
			st->fsuuid_nonzero = true;
	set_cond(st, IMACTL_COND_FSUUID, t->col);
}

static void parse_digest_type(struct parser *p, struct rule_state *st, const struct token *t)
{
	if (st->r->cond & IMACTL_OPT_DIGSIG) {
		rule_err(p, st, t->col, "combination",
			 "digest_type=verity must come before appraise_type= in the rule");
		return;
	}
	if (strcmp(t->val, "verity")) {
		rule_err(p, st, t->vcol, "bad-value", "unknown digest_type '%s' (verity)", t->val);
		return;
	}
	if (kconfig_state(p->opts->kconfig, "FS_VERITY") == 0)
		policy_diag(p, p->lineno, t->col, WARN, "kconfig",
			    "digest_type=verity needs CONFIG_FS_VERITY (not set in the .config): "
			    "no file will have a verity digest");
	st->r->cond |= IMACTL_OPT_VERITY;
	st->col_verity = t->col;
}

/* The hooks that can take an appended signature (ima_hook_supports_modsig). */
static bool modsig_hook(int func)
{
	return func == IMACTL_FUNC_MODULE_CHECK || func == IMACTL_FUNC_KEXEC_KERNEL_CHECK ||
	       func == IMACTL_FUNC_KEXEC_INITRAMFS_CHECK;
}

static void parse_appraise_type(struct parser *p, struct rule_state *st, const struct token *t)
{
	struct imactl_policy_rule *r = st->r;
	const char *val = t->val;

	/* before ima_validate_rule(), the action had to come first */
	if (p->kernel < K_VALIDATE && r->action != IMACTL_ACT_APPRAISE) {
		rule_err(p, st, t->col, "combination",
			 "before Linux 5.9, appraise_type= is refused unless the action 'appraise' "
			 "comes before it in the rule");
		return;
	}
	if (!strcmp(val, "imasig")) {
		if (r->cond & IMACTL_OPT_VERITY) {
			rule_err(p, st, t->vcol, "combination",
				 "appraise_type=imasig cannot follow digest_type=verity (use "
				 "appraise_type=sigv3)");
			return;
		}
		r->cond |= IMACTL_OPT_DIGSIG;
	} else if (!strcmp(val, "sigv3")) {
		if (too_new(p, st, t->vcol, "appraise_type=", val, KV(5, 19)))
			return;
		if (!(r->cond & IMACTL_OPT_VERITY)) {
			rule_err(p, st, t->vcol, "combination",
				 "appraise_type=sigv3 needs digest_type=verity before it in the "
				 "rule");
			return;
		}
		r->cond |= IMACTL_OPT_DIGSIG;
	} else if (!strcmp(val, "imasig|modsig")) {
		if (kconfig_state(p->opts->kconfig, "IMA_APPRAISE_MODSIG") == 0) {
			rule_err(p, st, t->vcol, "kconfig",
				 "appraise_type=imasig|modsig needs CONFIG_IMA_APPRAISE_MODSIG "
				 "(not set in the .config)");
			return;
		}
		if (r->cond & IMACTL_OPT_VERITY) {
			rule_err(p, st, t->vcol, "combination",
				 "appraise_type=imasig|modsig cannot be combined with "
				 "digest_type=verity");
			return;
		}
		if (p->kernel < K_VALIDATE && !modsig_hook(r->func)) {
			rule_err(p, st, t->vcol, "combination",
				 "before Linux 5.9, appraise_type=imasig|modsig needs "
				 "func=MODULE_CHECK, "
				 "KEXEC_KERNEL_CHECK or KEXEC_INITRAMFS_CHECK before it in the "
				 "rule");
			return;
		}
		r->cond |= IMACTL_OPT_DIGSIG | IMACTL_OPT_MODSIG;
	} else {
		rule_err(p, st, t->vcol, "bad-value",
			 "unknown appraise_type '%s' (imasig, imasig|modsig, sigv3)", val);
		return;
	}
	if (p->kernel >= K_FLAG_IGNORED)
		r->cond |= IMACTL_OPT_BLACKLIST;
	st->col_digsig = t->col;
}

static void parse_appraise_flag(struct parser *p, struct rule_state *st, const struct token *t)
{
	if (p->kernel >= K_FLAG_IGNORED) {
		policy_diag(p, p->lineno, t->col, WARN, "deprecated",
			    "appraise_flag= is ignored since Linux 6.6 (the blacklist is always "
			    "checked)");
		return;
	}
	if (p->kernel < K_VALIDATE) {
		/* 5.5-5.8: any value, the flag set when it contains "blacklist" */
		if (strstr(t->val, "blacklist")) {
			st->r->cond |= IMACTL_OPT_BLACKLIST;
			st->col_blacklist = t->col;
		} else {
			policy_diag(p, p->lineno, t->vcol, WARN, "bad-value",
				    "appraise_flag=%s: Linux %u.%u accepts and ignores it", t->val,
				    p->kernel >> 16, (p->kernel >> 8) & 0xff);
		}
		return;
	}
	if (kconfig_state(p->opts->kconfig, "IMA_APPRAISE_MODSIG") == 0) {
		rule_err(
			p, st, t->col, "kconfig",
			"appraise_flag= needs CONFIG_IMA_APPRAISE_MODSIG (not set in the .config)");
		return;
	}
	if (!strstr(t->val, "blacklist")) {
		rule_err(p, st, t->vcol, "bad-value",
			 "unknown appraise_flag '%s' (check_blacklist)", t->val);
		return;
	}
	if (strcmp(t->val, "check_blacklist"))
		policy_diag(p, p->lineno, t->vcol, WARN, "bad-value",
			    "the kernel accepts any value containing 'blacklist'; write "
			    "check_blacklist");
	st->r->cond |= IMACTL_OPT_BLACKLIST;
	st->col_blacklist = t->col;
}

/* One name of appraise_algos= (@n bytes at @s, column @col): its index, or -1. */
static int parse_algo(struct parser *p, struct rule_state *st, const char *s, size_t n,
		      unsigned int col)
{
	const char *kc;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(hash_algos); i++)
		if (strlen(hash_algos[i].name) == n && !memcmp(hash_algos[i].name, s, n))
			break;
	if (i == ARRAY_SIZE(hash_algos)) {
		rule_err(p, st, col, "bad-value", "unknown hash algorithm '%.*s'", (int)n, s);
		return -1;
	}
	if (too_new(p, st, col, "hash algorithm ", hash_algos[i].name, hash_algos[i].since))
		return -1;
	if (!hash_algos[i].avail) {
		rule_err(p, st, col, "bad-value",
			 "hash algorithm '%.*s' has no kernel implementation (the kernel refuses "
			 "it)",
			 (int)n, s);
		return -1;
	}
	if (kconfig_state(p->opts->kconfig, hash_algos[i].kconfig) == 0) {
		rule_err(p, st, col, "kconfig",
			 "hash algorithm '%.*s' needs CONFIG_%s (not set in the .config)", (int)n,
			 s, hash_algos[i].kconfig);
		return -1;
	}
	/* crypto_has_alg() may load a module, if it can be found then */
	kc = p->opts->kconfig ? imactl_kconfig_get(p->opts->kconfig, hash_algos[i].kconfig) : NULL;
	if (kc && !strcmp(kc, "m"))
		policy_diag(p, p->lineno, col, WARN, "kconfig-module",
			    "hash algorithm '%.*s' is a module (CONFIG_%s=m): the kernel refuses "
			    "the rule unless it can load the module when the policy is loaded "
			    "(not from an initramfs without it)",
			    (int)n, s, hash_algos[i].kconfig);
	return (int)i;
}

static void parse_algos(struct parser *p, struct rule_state *st, const struct token *t)
{
	const char *s = t->val;
	uint32_t bits = 0;

	if (st->r->cond & IMACTL_OPT_ALGOS) {
		rule_err(p, st, t->col, "repeated", "appraise_algos= given twice in one rule");
		return;
	}
	for (;;) {
		size_t n = strcspn(s, ",");
		int i = parse_algo(p, st, s, n, t->vcol + (unsigned int)(s - t->val));

		if (i < 0)
			return;
		bits |= 1u << i;
		if (!s[n])
			break;
		s += n + 1;
	}
	st->r->algos = bits;
	st->r->cond |= IMACTL_OPT_ALGOS;
	st->col_algos = t->col;
}

static void parse_lsm(struct parser *p, struct rule_state *st, const struct token *t)
{
	unsigned int idx = t->kw->arg;

	if (st->r->lsm[idx]) {
		rule_err(p, st, t->col, "repeated", "%.*s given twice in one rule",
			 (int)strlen(t->kw->name) - 1, t->kw->name);
		return;
	}
	if (kconfig_state(p->opts->kconfig, "IMA_LSM_RULES") == 0) {
		rule_err(p, st, t->col, "kconfig",
			 "LSM labels need CONFIG_IMA_LSM_RULES (not set in the .config): the "
			 "kernel refuses the rule");
		return;
	}
	st->r->lsm[idx] = xstrdup(p, t->val);
	if (!st->col_lsm)
		st->col_lsm = t->col;
	set_cond(st, IMACTL_COND_LSM, t->col);
}

static void parse_directio(struct parser *p, struct rule_state *st, const struct token *t)
{
	(void)p;
	st->r->cond |= IMACTL_OPT_DIRECTIO;
	st->col_of[bitno(IMACTL_OPT_DIRECTIO)] = t->col;
}

static void parse_pcr(struct parser *p, struct rule_state *st, const struct token *t)
{
	const char *val = t->val;
	unsigned long long v;

	if (p->kernel < K_VALIDATE && st->r->action != IMACTL_ACT_MEASURE) {
		rule_err(p, st, t->col, "combination",
			 "before Linux 5.9, pcr= is refused unless the action 'measure' comes "
			 "before it in the rule");
		return;
	}
	/* kstrtoint(): a sign is allowed, INVALID_PCR() rejects < 0 */
	if (!parse_ull(val[0] == '-' ? val + 1 : val, 10, &v) || (val[0] == '-' && v) ||
	    v > MAX_PCR) {
		rule_err(p, st, t->vcol, "bad-value",
			 "pcr=%s is not a PCR number the kernel accepts (0..%d)", val, MAX_PCR);
		return;
	}
	if (v > 23)
		policy_diag(p, p->lineno, t->vcol, WARN, "pcr-range",
			    "a TPM 2.0 has PCRs 0..23; extending PCR %llu fails", v);
	st->r->pcr = (int)v;
	st->r->cond |= IMACTL_OPT_PCR;
	st->col_pcr = t->col;
}

static void parse_template(struct parser *p, struct rule_state *st, const struct token *t)
{
	struct imactl_policy_rule *r = st->r;
	size_t i;

	if (r->action != IMACTL_ACT_MEASURE) {
		rule_err(p, st, t->col, "combination",
			 "template= is only valid after the action 'measure'");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(templates); i++)
		if (!strcmp(templates[i].name, t->val))
			break;
	if (r->template_name) {
		rule_err(p, st, t->col, "repeated", "template= given twice in one rule");
		return;
	}
	if (i == ARRAY_SIZE(templates)) {
		rule_err(p, st, t->vcol, "bad-value", "unknown template '%s'", t->val);
		return;
	}
	if (too_new(p, st, t->vcol, "template=", t->val, templates[i].since))
		return;
	r->template_name = xstrdup(p, t->val);
	r->cond |= IMACTL_OPT_TEMPLATE;
	st->col_template = t->col;
}

/* keyrings= and label=: "a|b", once per rule */
static bool parse_list(struct parser *p, struct rule_state *st, const struct token *t, char **dst,
		       unsigned int bit, const char *what, bool empty_ok)
{
	if (*dst) {
		rule_err(p, st, t->col, "repeated", "%.*s given twice in one rule",
			 (int)strlen(t->kw->name), t->kw->name);
		return false;
	}
	if (!valid_opt_list(t->val)) {
		if (!empty_ok) {
			rule_err(p, st, t->vcol, "bad-value", "empty %s in '%s'", what, t->val);
			return false;
		}
		policy_diag(p, p->lineno, t->vcol, WARN, "bad-value",
			    "empty %s in '%s': Linux %u.%u accepts it, 5.9 and newer refuse it",
			    what, t->val, p->kernel >> 16, (p->kernel >> 8) & 0xff);
	}
	*dst = xstrdup(p, t->val);
	set_cond(st, bit, t->col);
	return true;
}

static void parse_keyrings(struct parser *p, struct rule_state *st, const struct token *t)
{
	if (!keys_kconfig(p, st, t->col, "keyrings="))
		return;
	if (p->kernel < K_VALIDATE &&
	    (st->r->action != IMACTL_ACT_MEASURE || st->r->func != IMACTL_FUNC_KEY_CHECK)) {
		rule_err(p, st, t->col, "combination",
			 "before Linux 5.9, keyrings= is refused unless 'measure' and "
			 "func=KEY_CHECK come before it in the rule");
		return;
	}
	/* before 5.9 keyrings= was one string: empty items passed */
	parse_list(p, st, t, &st->r->keyrings, IMACTL_COND_KEYRINGS, "keyring name",
		   p->kernel < K_KEYS_CHECKED);
}

static void parse_label(struct parser *p, struct rule_state *st, const struct token *t)
{
	parse_list(p, st, t, &st->r->label, IMACTL_COND_LABEL, "label", false);
}

/* The keyword @s begins with (match_token(): "%s" matches only a non-empty value). */
static const struct keyword *find_keyword(const char *s, const char **val)
{
	for (size_t i = 0; i < ARRAY_SIZE(keywords); i++) {
		size_t n = strlen(keywords[i].name);

		if (keywords[i].op ? !strncmp(s, keywords[i].name, n) && s[n]
				   : !strcmp(s, keywords[i].name)) {
			*val = s + n;
			return &keywords[i];
		}
	}
	return NULL;
}

static void parse_token(struct parser *p, struct rule_state *st, const char *s, unsigned int col)
{
	struct token t = { .col = col };
	size_t n;

	t.kw = find_keyword(s, &t.val);
	if (t.kw) {
		t.vcol = col + (unsigned int)strlen(t.kw->name);
		if (!too_new(p, st, col, t.kw->name, t.kw->op ? "..." : "", t.kw->since))
			t.kw->parse(p, st, &t);
		return;
	}
	n = strcspn(s, "=<>");
	if (strchr(s, '\r'))
		rule_err(p, st, col, "crlf",
			 "carriage return in '%s': the kernel splits rules at spaces and tabs only "
			 "(CRLF line ending?)",
			 s);
	else if (s[n] && !s[n + 1])
		rule_err(p, st, col, "bad-value", "'%s' needs a value", s);
	else if (s[0] == '#')
		rule_err(p, st, col, "unknown-keyword",
			 "'#' starts a comment only at the beginning of a line");
	else
		rule_err(p, st, col, "unknown-keyword", "unknown keyword '%s'", s);
}

/* ---- ima_validate_rule() --------------------------------------------------- */

#define FILE_FLAGS                                                                                 \
	(IMACTL_COND_FUNC | IMACTL_COND_MASK | IMACTL_COND_INMASK | IMACTL_COND_FSMAGIC |          \
	 IMACTL_COND_UID | IMACTL_COND_FOWNER | IMACTL_COND_FSUUID | IMACTL_COND_EUID |            \
	 IMACTL_OPT_PCR | IMACTL_COND_FSNAME | IMACTL_COND_GID | IMACTL_COND_EGID |                \
	 IMACTL_COND_FGROUP | IMACTL_OPT_DIGSIG | IMACTL_OPT_DIRECTIO | IMACTL_OPT_ALGOS |         \
	 IMACTL_COND_LSM | IMACTL_OPT_TEMPLATE)

/* The first flag of @flags not in @allowed, with its column. */
static unsigned int stray_flag(const struct rule_state *st, unsigned int flags,
			       unsigned int allowed, unsigned int *col)
{
	unsigned int bad = flags & ~allowed;

	if (!bad)
		return 0;
	bad &= -bad;
	*col = st->col_of[bitno(bad)];
	switch (bad) {
	case IMACTL_OPT_PCR:
		*col = st->col_pcr;
		break;
	case IMACTL_OPT_DIGSIG:
	case IMACTL_OPT_MODSIG:
		*col = st->col_digsig;
		break;
	case IMACTL_OPT_VERITY:
		*col = st->col_verity;
		break;
	case IMACTL_OPT_ALGOS:
		*col = st->col_algos;
		break;
	case IMACTL_OPT_BLACKLIST:
		*col = st->col_blacklist ? st->col_blacklist : st->col_digsig;
		break;
	case IMACTL_OPT_TEMPLATE:
		*col = st->col_template;
		break;
	}
	return bad;
}

static const char *flag_name(unsigned int bit)
{
	switch (bit) {
	case IMACTL_COND_MASK:
	case IMACTL_COND_INMASK:
		return "mask=";
	case IMACTL_COND_FSMAGIC:
		return "fsmagic=";
	case IMACTL_COND_FSNAME:
		return "fsname=";
	case IMACTL_COND_FSUUID:
		return "fsuuid=";
	case IMACTL_COND_UID:
		return "uid";
	case IMACTL_COND_EUID:
		return "euid";
	case IMACTL_COND_GID:
		return "gid";
	case IMACTL_COND_EGID:
		return "egid";
	case IMACTL_COND_FOWNER:
		return "fowner";
	case IMACTL_COND_FGROUP:
		return "fgroup";
	case IMACTL_COND_LSM:
		return "an LSM label (obj_*/subj_*)";
	case IMACTL_COND_KEYRINGS:
		return "keyrings=";
	case IMACTL_COND_LABEL:
		return "label=";
	case IMACTL_OPT_PCR:
		return "pcr=";
	case IMACTL_OPT_TEMPLATE:
		return "template=";
	case IMACTL_OPT_DIGSIG:
		return "appraise_type=";
	case IMACTL_OPT_MODSIG:
		return "appraise_type=imasig|modsig";
	case IMACTL_OPT_VERITY:
		return "digest_type=verity";
	case IMACTL_OPT_BLACKLIST:
		return "appraise_flag=";
	case IMACTL_OPT_ALGOS:
		return "appraise_algos=";
	case IMACTL_OPT_DIRECTIO:
		return "permit_directio";
	}
	return "?";
}

/*
 * The flags and conditions func= allows (the switch of the kernel's
 * ima_validate_rule()), and whether it allows only measure/dont_measure and
 * no LSM labels.  False after reporting a rule that func= refuses outright.
 */
static bool func_allows(struct parser *p, struct rule_state *st, unsigned int *allowed,
			bool *measure_only, bool *no_lsm)
{
	struct imactl_policy_rule *r = st->r;

	switch (r->func) {
	case IMACTL_FUNC_NONE:
	case IMACTL_FUNC_FILE_CHECK:
	case IMACTL_FUNC_MMAP_CHECK:
	case IMACTL_FUNC_MMAP_CHECK_REQPROT:
	case IMACTL_FUNC_BPRM_CHECK:
	case IMACTL_FUNC_CREDS_CHECK:
	case IMACTL_FUNC_FIRMWARE_CHECK:
	case IMACTL_FUNC_POLICY_CHECK:
		*allowed = FILE_FLAGS | IMACTL_OPT_VERITY;
		if (p->kernel >= K_FLAG_IGNORED)
			*allowed |= IMACTL_OPT_BLACKLIST;
		break;
	case IMACTL_FUNC_MODULE_CHECK:
	case IMACTL_FUNC_KEXEC_KERNEL_CHECK:
	case IMACTL_FUNC_KEXEC_INITRAMFS_CHECK:
		*allowed = FILE_FLAGS | IMACTL_OPT_MODSIG | IMACTL_OPT_BLACKLIST;
		break;
	case IMACTL_FUNC_KEXEC_CMDLINE:
		*measure_only = true;
		*allowed = IMACTL_COND_FUNC | IMACTL_COND_FSMAGIC | IMACTL_COND_UID |
			   IMACTL_COND_FOWNER | IMACTL_COND_FSUUID | IMACTL_COND_EUID |
			   IMACTL_OPT_PCR | IMACTL_COND_FSNAME | IMACTL_COND_GID |
			   IMACTL_COND_EGID | IMACTL_COND_FGROUP;
		break;
	case IMACTL_FUNC_KEY_CHECK:
		*measure_only = *no_lsm = true;
		*allowed = IMACTL_COND_FUNC | IMACTL_COND_UID | IMACTL_COND_GID | IMACTL_OPT_PCR |
			   IMACTL_COND_KEYRINGS;
		break;
	case IMACTL_FUNC_CRITICAL_DATA:
		*measure_only = *no_lsm = true;
		*allowed = IMACTL_COND_FUNC | IMACTL_COND_UID | IMACTL_COND_GID | IMACTL_OPT_PCR |
			   IMACTL_COND_LABEL;
		break;
	case IMACTL_FUNC_SETXATTR_CHECK:
		if (r->action != IMACTL_ACT_APPRAISE) {
			rule_err(p, st, st->col_action, "combination",
				 "func=SETXATTR_CHECK is only valid with the action 'appraise'");
			return false;
		}
		if (!(r->cond & IMACTL_OPT_ALGOS)) {
			rule_err(p, st, st->col_func, "combination",
				 "func=SETXATTR_CHECK needs appraise_algos=");
			return false;
		}
		*allowed = IMACTL_COND_FUNC | IMACTL_OPT_ALGOS;
		break;
	}
	return true;
}

/* A flag or condition @bad (at @col) that func= does not allow. */
static void report_stray(struct parser *p, struct rule_state *st, unsigned int bad,
			 unsigned int col)
{
	if (bad == IMACTL_COND_KEYRINGS)
		rule_err(p, st, col, "combination", "keyrings= is only valid with func=KEY_CHECK");
	else if (bad == IMACTL_COND_LABEL)
		rule_err(p, st, col, "combination", "label= is only valid with func=CRITICAL_DATA");
	else if (!st->r->func)
		rule_err(p, st, col, "combination",
			 "%s is not valid in a rule without func=", flag_name(bad));
	else
		rule_err(p, st, col, "combination", "%s is not valid with func=%s", flag_name(bad),
			 imactl_policy_func_name(st->r->func));
}

static void validate(struct parser *p, struct rule_state *st)
{
	static const unsigned int appraise_only =
		IMACTL_OPT_DIGSIG | IMACTL_OPT_MODSIG | IMACTL_OPT_BLACKLIST | IMACTL_OPT_ALGOS;
	struct imactl_policy_rule *r = st->r;
	/* template= and LSM labels are not flags in the kernel's check */
	unsigned int flags = r->cond & ~(IMACTL_OPT_TEMPLATE | IMACTL_COND_LSM);
	unsigned int allowed = 0, bad, col = 0;
	bool measure_only = false, no_lsm = false;

	if (!r->action) {
		rule_err(p, st, 1, "no-action",
			 "the rule has no action (measure, dont_measure, appraise, dont_appraise, "
			 "audit, hash, dont_hash)");
		return;
	}
	if (p->kernel < K_VALIDATE)
		return; /* the checks below came with ima_validate_rule() */
	if (r->action != IMACTL_ACT_MEASURE && (r->cond & IMACTL_OPT_PCR)) {
		rule_err(p, st, st->col_pcr, "combination",
			 "pcr= is only valid with the action 'measure'");
		return;
	}
	if (r->action != IMACTL_ACT_APPRAISE && (r->cond & appraise_only)) {
		bad = stray_flag(st, r->cond & appraise_only, 0, &col);
		rule_err(p, st, col, "combination", "%s is only valid with the action 'appraise'",
			 flag_name(bad));
		return;
	}
	if (!func_allows(p, st, &allowed, &measure_only, &no_lsm))
		return;
	if (measure_only && r->action != IMACTL_ACT_MEASURE &&
	    r->action != IMACTL_ACT_DONT_MEASURE) {
		rule_err(p, st, st->col_action, "combination",
			 "func=%s is only valid with measure or dont_measure",
			 imactl_policy_func_name(r->func));
		return;
	}
	bad = stray_flag(st, flags, allowed, &col);
	if (bad) {
		report_stray(p, st, bad, col);
		return;
	}
	if (no_lsm && (r->cond & IMACTL_COND_LSM)) {
		rule_err(p, st, st->col_lsm, "combination", "LSM labels are not valid with func=%s",
			 imactl_policy_func_name(r->func));
		return;
	}
	if ((r->cond & IMACTL_OPT_BLACKLIST) && p->kernel < K_FLAG_IGNORED &&
	    !(r->cond & IMACTL_OPT_MODSIG)) {
		rule_err(p, st, st->col_blacklist, "combination",
			 "appraise_flag=check_blacklist needs appraise_type=imasig|modsig");
		return;
	}
	if (r->action == IMACTL_ACT_APPRAISE && (r->cond & IMACTL_OPT_VERITY) &&
	    !(r->cond & IMACTL_OPT_DIGSIG)) {
		rule_err(p, st, st->col_verity, "combination",
			 "appraise with digest_type=verity needs appraise_type=sigv3");
		return;
	}
}

/* ---- one rule -------------------------------------------------------------- */

bool policy_parse_rule(struct parser *p, struct imactl_policy_rule *r, char *text)
{
	struct rule_state st = { .r = r };
	char *s = text;

	while (*s && !st.error && !p->err) {
		size_t n = strcspn(s, " \t");
		bool last = !s[n];

		s[n] = 0;
		if (n)
			parse_token(p, &st, s, (unsigned int)(s - text) + 1);
		if (last)
			break;
		s += n + 1;
	}
	if (!st.error && !p->err)
		validate(p, &st);
	return !st.error;
}

/* Adds @v to the ascending set @pts of *@n versions. */
static void add_point(unsigned int *pts, size_t *n, unsigned int v)
{
	size_t i = 0;

	if (v < IMACTL_KERNEL_OLDEST)
		v = IMACTL_KERNEL_OLDEST; /* since 0: every modelled kernel */
	while (i < *n && pts[i] < v)
		i++;
	if (i < *n && pts[i] == v)
		return;
	memmove(pts + i + 1, pts + i, (*n - i) * sizeof(*pts));
	pts[i] = v;
	(*n)++;
}

#define N_POINTS                                                                                   \
	(ARRAY_SIZE(funcs) + ARRAY_SIZE(hash_algos) + ARRAY_SIZE(templates) +                      \
	 ARRAY_SIZE(keywords) + 3)

/*
 * Every version at which the grammar changed, ascending: the "since" values
 * of the tables and the K_ versions above.  Return: how many.
 */
static size_t kernel_points(unsigned int pts[N_POINTS])
{
	size_t n = 0;

	add_point(pts, &n, K_VALIDATE);
	add_point(pts, &n, K_KEYS_CHECKED);
	add_point(pts, &n, K_FLAG_IGNORED);
	for (size_t i = 0; i < ARRAY_SIZE(funcs); i++)
		add_point(pts, &n, funcs[i].since);
	for (size_t i = 0; i < ARRAY_SIZE(hash_algos); i++)
		add_point(pts, &n, hash_algos[i].since);
	for (size_t i = 0; i < ARRAY_SIZE(templates); i++)
		add_point(pts, &n, templates[i].since);
	for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
		add_point(pts, &n, keywords[i].since);
	return n;
}

void policy_rule_release(struct imactl_policy_rule *r)
{
	free(r->fsname);
	free(r->template_name);
	free(r->keyrings);
	free(r->label);
	free(r->text);
	for (int k = 0; k < IMACTL_LSM_COUNT; k++)
		free(r->lsm[k]);
}

unsigned int policy_rule_min_kernel(struct parser *p, const char *text)
{
	unsigned int pts[N_POINTS];
	size_t n = kernel_points(pts);

	for (size_t i = 0; i < n; i++) {
		struct parser q = *p;
		struct imactl_policy_rule r = { 0 };
		char *copy = strdup(text);
		bool ok;

		if (!copy) {
			p->err = -ENOMEM;
			return 0;
		}
		q.kernel = pts[i];
		q.quiet = true;
		ok = policy_parse_rule(&q, &r, copy);
		free(copy);
		policy_rule_release(&r);
		if (q.err) {
			p->err = q.err;
			return 0;
		}
		if (ok)
			return pts[i];
	}
	return 0;
}
