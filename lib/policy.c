// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IMA policy parser, validator and linter.
 *
 * The accepted grammar follows the kernel (security/integrity/ima/
 * ima_policy.c: ima_parse_add_rule, ima_parse_rule, ima_validate_rule) of
 * Linux 6.1 and newer; the facts are recorded in doc/policy-keywords.md.
 * Written from those facts, not from the kernel's code.  Like the kernel,
 * the first problem of a rule ends its parsing; unlike the kernel, parsing
 * goes on with the next rule so that every refused rule is reported.
 */
#include "lib_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KV	      IMACTL_KERNEL_VERSION
#define KERNEL_NEWEST KV(6, 12)
/* The kernel copies at most PAGE_SIZE - 1 bytes per write(2). */
#define MAX_LINE 4095
/* measured_pcrs is an unsigned long: PCR 0..63 on 64-bit kernels. */
#define MAX_PCR 63
/* Lints that compare every pair of rules stop beyond this many rules. */
#define MAX_PAIRWISE 4000

/* ---- keyword table ------------------------------------------------------ */

enum tok {
	T_MEASURE,
	T_DONT_MEASURE,
	T_APPRAISE,
	T_DONT_APPRAISE,
	T_AUDIT,
	T_HASH,
	T_DONT_HASH,
	T_OBJ_USER,
	T_OBJ_ROLE,
	T_OBJ_TYPE,
	T_SUBJ_USER,
	T_SUBJ_ROLE,
	T_SUBJ_TYPE,
	T_FUNC,
	T_MASK,
	T_FSMAGIC,
	T_FSNAME,
	T_FSUUID,
	T_UID,
	T_EUID,
	T_GID,
	T_EGID,
	T_FOWNER,
	T_FGROUP,
	T_DIGEST_TYPE,
	T_APPRAISE_TYPE,
	T_APPRAISE_FLAG,
	T_APPRAISE_ALGOS,
	T_PERMIT_DIRECTIO,
	T_PCR,
	T_TEMPLATE,
	T_KEYRINGS,
	T_LABEL,
};

struct keyword {
	const char *name; /* with its '=', '<' or '>' when it takes a value */
	enum tok tok;
	char op;
};

/* The kernel's policy_tokens, in the same order (the first match wins). */
static const struct keyword keywords[] = {
	{ "measure", T_MEASURE, 0 },
	{ "dont_measure", T_DONT_MEASURE, 0 },
	{ "appraise", T_APPRAISE, 0 },
	{ "dont_appraise", T_DONT_APPRAISE, 0 },
	{ "audit", T_AUDIT, 0 },
	{ "hash", T_HASH, 0 },
	{ "dont_hash", T_DONT_HASH, 0 },
	{ "obj_user=", T_OBJ_USER, '=' },
	{ "obj_role=", T_OBJ_ROLE, '=' },
	{ "obj_type=", T_OBJ_TYPE, '=' },
	{ "subj_user=", T_SUBJ_USER, '=' },
	{ "subj_role=", T_SUBJ_ROLE, '=' },
	{ "subj_type=", T_SUBJ_TYPE, '=' },
	{ "func=", T_FUNC, '=' },
	{ "mask=", T_MASK, '=' },
	{ "fsmagic=", T_FSMAGIC, '=' },
	{ "fsname=", T_FSNAME, '=' },
	{ "fsuuid=", T_FSUUID, '=' },
	{ "uid=", T_UID, '=' },
	{ "euid=", T_EUID, '=' },
	{ "gid=", T_GID, '=' },
	{ "egid=", T_EGID, '=' },
	{ "fowner=", T_FOWNER, '=' },
	{ "fgroup=", T_FGROUP, '=' },
	{ "uid>", T_UID, '>' },
	{ "euid>", T_EUID, '>' },
	{ "gid>", T_GID, '>' },
	{ "egid>", T_EGID, '>' },
	{ "fowner>", T_FOWNER, '>' },
	{ "fgroup>", T_FGROUP, '>' },
	{ "uid<", T_UID, '<' },
	{ "euid<", T_EUID, '<' },
	{ "gid<", T_GID, '<' },
	{ "egid<", T_EGID, '<' },
	{ "fowner<", T_FOWNER, '<' },
	{ "fgroup<", T_FGROUP, '<' },
	{ "digest_type=", T_DIGEST_TYPE, '=' },
	{ "appraise_type=", T_APPRAISE_TYPE, '=' },
	{ "appraise_flag=", T_APPRAISE_FLAG, '=' },
	{ "appraise_algos=", T_APPRAISE_ALGOS, '=' },
	{ "permit_directio", T_PERMIT_DIRECTIO, 0 },
	{ "pcr=", T_PCR, '=' },
	{ "template=", T_TEMPLATE, '=' },
	{ "keyrings=", T_KEYRINGS, '=' },
	{ "label=", T_LABEL, '=' },
};

static const struct {
	const char *name;
	int func;
	unsigned int since; /* 0: in every modelled kernel (>= 6.1) */
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
	{ "KEY_CHECK", IMACTL_FUNC_KEY_CHECK, 0, false },
	{ "CRITICAL_DATA", IMACTL_FUNC_CRITICAL_DATA, 0, false },
	{ "SETXATTR_CHECK", IMACTL_FUNC_SETXATTR_CHECK, 0, false },
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
};

/* Templates lookup_template_desc() knows (built in). */
static const char *const templates[] = {
	"ima", "ima-ng", "ima-ngv2", "ima-sig", "ima-sigv2", "ima-buf", "ima-modsig", "evm-sig",
};

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

IMACTL_EXPORT const char *imactl_policy_func_name(int func)
{
	for (size_t i = 0; i < ARRAY_SIZE(funcs); i++)
		if (funcs[i].func == func && !funcs[i].alias)
			return funcs[i].name;
	return NULL;
}

IMACTL_EXPORT const char *imactl_policy_action_name(int action)
{
	if (action <= 0 || action >= (int)ARRAY_SIZE(action_names))
		return NULL;
	return action_names[action];
}

IMACTL_EXPORT int imactl_policy_kernel_parse(const char *str, unsigned int *version)
{
	unsigned long a, b;
	char *end;

	if (!str || *str < '0' || *str > '9')
		return -EINVAL;
	a = strtoul(str, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	b = strtoul(end + 1, &end, 10);
	if (*end == '.') { /* patch level: ignored */
		if (end[1] < '0' || end[1] > '9')
			return -EINVAL;
		strtoul(end + 1, &end, 10);
	}
	if (*end || a > 255 || b > 255 || KV(a, b) < IMACTL_KERNEL_OLDEST)
		return -EINVAL;
	*version = KV(a, b);
	return 0;
}

/* ---- the parser state --------------------------------------------------- */

struct parser {
	const struct imactl_policy_options *opts;
	unsigned int kernel;
	struct imactl_policy *pol;
	size_t diag_cap, rule_cap;
	int err;
	/* ",code,code," from "# imactl: allow code,code" lines before a rule */
	char pending_allow[256];
	char **allows;	  /* per rule, parallel to pol->rules */
	const char *line; /* current line (not NUL-terminated) */
	size_t line_len;
	unsigned int lineno;
};

static bool allowed(const struct parser *p, unsigned int line, const char *code)
{
	size_t lo = 0, hi = p->pol->n_rules;
	char pat[64];

	while (lo < hi) { /* rules are in line order */
		size_t mid = lo + (hi - lo) / 2;

		if (p->pol->rules[mid].line < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == p->pol->n_rules || p->pol->rules[lo].line != line || !p->allows[lo])
		return false;
	snprintf(pat, sizeof(pat), ",%s,", code);
	return strstr(p->allows[lo], pat) || strstr(p->allows[lo], ",all,");
}

static void vdiag(struct parser *p, unsigned int line, unsigned int col, int sev, const char *code,
		  const char *fmt, va_list ap)
{
	struct imactl_diag *d;
	char *msg = NULL;

	if (p->err)
		return;
	if (sev == IMACTL_DIAG_WARNING && allowed(p, line, code))
		return;
	if (p->pol->n_diags == p->diag_cap) {
		size_t cap = p->diag_cap ? p->diag_cap * 2 : 16;

		d = realloc(p->pol->diags, cap * sizeof(*d));
		if (!d) {
			p->err = -ENOMEM;
			return;
		}
		p->pol->diags = d;
		p->diag_cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0) {
		p->err = -ENOMEM;
		return;
	}
	p->pol->diags[p->pol->n_diags++] = (struct imactl_diag){
		.line = line,
		.column = col,
		.severity = sev,
		.code = code,
		.message = msg,
	};
	if (sev == IMACTL_DIAG_ERROR)
		p->pol->n_errors++;
	else if (sev == IMACTL_DIAG_WARNING)
		p->pol->n_warnings++;
}

static void diag(struct parser *p, unsigned int line, unsigned int col, int sev, const char *code,
		 const char *fmt, ...) PRINTF_FMT(6, 7);
static void diag(struct parser *p, unsigned int line, unsigned int col, int sev, const char *code,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(p, line, col, sev, code, fmt, ap);
	va_end(ap);
}

/* A token of the current rule: where it is and what it says. */
struct token {
	const char *s; /* NUL-terminated copy */
	unsigned int col;
};

/* The rule being parsed: the kernel's entry plus where each part came from. */
struct rule_state {
	struct imactl_policy_rule *r;
	unsigned int col_action, col_func, col_pcr, col_template, col_digsig, col_verity, col_algos,
		col_keyrings, col_label, col_lsm, col_blacklist, col_first_cond;
	unsigned int col_of[32]; /* by IMACTL_COND_/OPT_ bit number */
	bool uid_set, gid_set, fowner_set, fgroup_set, fsuuid_nonzero;
	bool error;
};

#define ERR  IMACTL_DIAG_ERROR
#define WARN IMACTL_DIAG_WARNING
#define NOTE IMACTL_DIAG_NOTE

static void rule_err(struct parser *p, struct rule_state *st, unsigned int col, const char *code,
		     const char *fmt, ...) PRINTF_FMT(5, 6);
static void rule_err(struct parser *p, struct rule_state *st, unsigned int col, const char *code,
		     const char *fmt, ...)
{
	va_list ap;

	st->error = true;
	va_start(ap, fmt);
	vdiag(p, p->lineno, col, ERR, code, fmt, ap);
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

/* ---- one token ------------------------------------------------------------ */

static void set_action(struct parser *p, struct rule_state *st, int action, unsigned int col)
{
	if (st->r->action) {
		rule_err(p, st, col, "two-actions",
			 "a rule has exactly one action; '%s' after '%s' (column %u)",
			 action_names[action], action_names[st->r->action], st->col_action);
		return;
	}
	st->r->action = action;
	st->col_action = col;
}

static void parse_id(struct parser *p, struct rule_state *st, const struct keyword *kw,
		     const char *val, unsigned int col)
{
	struct imactl_policy_rule *r = st->r;
	unsigned long long v;
	bool *set;
	uint32_t *dst;
	char *op;
	unsigned int bit;
	const char *what;

	switch (kw->tok) {
	case T_UID:
	case T_EUID:
		set = &st->uid_set, dst = &r->uid, op = &r->uid_op;
		bit = kw->tok == T_UID ? IMACTL_COND_UID : IMACTL_COND_EUID;
		what = "a user id (uid and euid share one field: one of them per rule)";
		break;
	case T_GID:
	case T_EGID:
		set = &st->gid_set, dst = &r->gid, op = &r->gid_op;
		bit = kw->tok == T_GID ? IMACTL_COND_GID : IMACTL_COND_EGID;
		what = "a group id (gid and egid share one field: one of them per rule)";
		break;
	case T_FOWNER:
		set = &st->fowner_set, dst = &r->fowner, op = &r->fowner_op;
		bit = IMACTL_COND_FOWNER;
		what = "fowner";
		break;
	default:
		set = &st->fgroup_set, dst = &r->fgroup, op = &r->fgroup_op;
		bit = IMACTL_COND_FGROUP;
		what = "fgroup";
		break;
	}
	if (*set) {
		rule_err(p, st, col, "repeated", "%s given twice in one rule", what);
		return;
	}
	if (!parse_ull(val, 10, &v)) {
		rule_err(p, st, col + strlen(kw->name), "bad-value", "'%s' is not a decimal number",
			 val);
		return;
	}
	if (v >= 0xffffffffull) { /* (uid_t)-1 is INVALID_UID */
		rule_err(p, st, col + strlen(kw->name), "bad-value",
			 "%s is not a valid id (0..4294967294)", val);
		return;
	}
	*set = true;
	*dst = v;
	*op = kw->op;
	set_cond(st, bit, col);
}

static void parse_func(struct parser *p, struct rule_state *st, const char *val, unsigned int col)
{
	unsigned int vcol = col + 5;
	size_t i;

	if (st->r->func) {
		rule_err(p, st, col, "repeated", "func= given twice in one rule");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(funcs); i++)
		if (!strcmp(funcs[i].name, val))
			break;
	if (i == ARRAY_SIZE(funcs)) {
		rule_err(p, st, vcol, "bad-value", "unknown func '%s'", val);
		return;
	}
	if (funcs[i].since > p->kernel) {
		rule_err(p, st, vcol, "kernel-version",
			 "func=%s is not known to Linux %u.%u (added in %u.%u)", val,
			 p->kernel >> 16, (p->kernel >> 8) & 0xff, funcs[i].since >> 16,
			 (funcs[i].since >> 8) & 0xff);
		return;
	}
	if (funcs[i].func == IMACTL_FUNC_KEY_CHECK &&
	    kconfig_state(p->opts->kconfig, "IMA_MEASURE_ASYMMETRIC_KEYS") == 0) {
		rule_err(p, st, vcol, "kconfig",
			 "func=KEY_CHECK needs CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS (not set in the "
			 ".config)");
		return;
	}
	if (funcs[i].alias)
		diag(p, p->lineno, vcol, WARN, "alias", "%s is an old alias of %s", val,
		     imactl_policy_func_name(funcs[i].func));
	st->r->func = funcs[i].func;
	st->col_func = col;
	set_cond(st, IMACTL_COND_FUNC, col);
}

static void parse_mask(struct parser *p, struct rule_state *st, const char *val, unsigned int col)
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
	bool inmask = *val == '^';
	const char *name = val + inmask;

	if (st->r->mask) {
		rule_err(p, st, col, "repeated", "mask= given twice in one rule");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(masks); i++)
		if (!strcmp(masks[i].name, name)) {
			st->r->mask = masks[i].bit;
			set_cond(st, inmask ? IMACTL_COND_INMASK : IMACTL_COND_MASK, col);
			return;
		}
	rule_err(p, st, col + 5, "bad-value",
		 "unknown mask '%s' (MAY_EXEC, MAY_WRITE, MAY_READ, MAY_APPEND, optionally with ^)",
		 val);
}

static void parse_appraise_type(struct parser *p, struct rule_state *st, const char *val,
				unsigned int col)
{
	struct imactl_policy_rule *r = st->r;
	unsigned int vcol = col + 14;

	if (!strcmp(val, "imasig")) {
		if (r->cond & IMACTL_OPT_VERITY) {
			rule_err(p, st, vcol, "combination",
				 "appraise_type=imasig cannot follow digest_type=verity (use "
				 "appraise_type=sigv3)");
			return;
		}
		r->cond |= IMACTL_OPT_DIGSIG;
		if (p->kernel >= KV(6, 6))
			r->cond |= IMACTL_OPT_BLACKLIST;
	} else if (!strcmp(val, "sigv3")) {
		if (!(r->cond & IMACTL_OPT_VERITY)) {
			rule_err(p, st, vcol, "combination",
				 "appraise_type=sigv3 needs digest_type=verity before it in the "
				 "rule");
			return;
		}
		r->cond |= IMACTL_OPT_DIGSIG;
		if (p->kernel >= KV(6, 6))
			r->cond |= IMACTL_OPT_BLACKLIST;
	} else if (!strcmp(val, "imasig|modsig")) {
		if (kconfig_state(p->opts->kconfig, "IMA_APPRAISE_MODSIG") == 0) {
			rule_err(p, st, vcol, "kconfig",
				 "appraise_type=imasig|modsig needs CONFIG_IMA_APPRAISE_MODSIG "
				 "(not set in the .config)");
			return;
		}
		if (r->cond & IMACTL_OPT_VERITY) {
			rule_err(p, st, vcol, "combination",
				 "appraise_type=imasig|modsig cannot be combined with "
				 "digest_type=verity");
			return;
		}
		r->cond |= IMACTL_OPT_DIGSIG | IMACTL_OPT_MODSIG;
		if (p->kernel >= KV(6, 6))
			r->cond |= IMACTL_OPT_BLACKLIST;
	} else {
		rule_err(p, st, vcol, "bad-value",
			 "unknown appraise_type '%s' (imasig, imasig|modsig, sigv3)", val);
		return;
	}
	st->col_digsig = col;
}

static void parse_algos(struct parser *p, struct rule_state *st, const char *val, unsigned int col)
{
	const char *s = val;
	uint32_t bits = 0;

	if (st->r->cond & IMACTL_OPT_ALGOS) {
		rule_err(p, st, col, "repeated", "appraise_algos= given twice in one rule");
		return;
	}
	for (;;) {
		size_t n = strcspn(s, ","), i;
		unsigned int tcol = col + 15 + (unsigned int)(s - val);

		for (i = 0; i < ARRAY_SIZE(hash_algos); i++)
			if (strlen(hash_algos[i].name) == n && !memcmp(hash_algos[i].name, s, n))
				break;
		if (i == ARRAY_SIZE(hash_algos)) {
			rule_err(p, st, tcol, "bad-value", "unknown hash algorithm '%.*s'", (int)n,
				 s);
			return;
		}
		if (!hash_algos[i].avail) {
			rule_err(p, st, tcol, "bad-value",
				 "hash algorithm '%.*s' has no kernel implementation (the kernel "
				 "refuses it)",
				 (int)n, s);
			return;
		}
		if (kconfig_state(p->opts->kconfig, hash_algos[i].kconfig) == 0) {
			rule_err(p, st, tcol, "kconfig",
				 "hash algorithm '%.*s' needs CONFIG_%s (not set in the .config)",
				 (int)n, s, hash_algos[i].kconfig);
			return;
		}
		/* crypto_has_alg() may load a module, if it can be found then */
		if (p->opts->kconfig &&
		    !strcmp(imactl_kconfig_get(p->opts->kconfig, hash_algos[i].kconfig)
				    ? imactl_kconfig_get(p->opts->kconfig, hash_algos[i].kconfig)
				    : "",
			    "m"))
			diag(p, p->lineno, tcol, WARN, "kconfig-module",
			     "hash algorithm '%.*s' is a module (CONFIG_%s=m): the kernel refuses "
			     "the rule unless it can load the module when the policy is loaded "
			     "(not from an initramfs without it)",
			     (int)n, s, hash_algos[i].kconfig);
		bits |= 1u << i;
		if (!s[n])
			break;
		s += n + 1;
	}
	st->r->algos = bits;
	st->r->cond |= IMACTL_OPT_ALGOS;
	st->col_algos = col;
}

static void parse_lsm(struct parser *p, struct rule_state *st, const struct keyword *kw,
		      const char *val, unsigned int col)
{
	int idx = kw->tok - T_OBJ_USER;

	if (st->r->lsm[idx]) {
		rule_err(p, st, col, "repeated", "%.*s given twice in one rule",
			 (int)strlen(kw->name) - 1, kw->name);
		return;
	}
	if (kconfig_state(p->opts->kconfig, "IMA_LSM_RULES") == 0) {
		rule_err(p, st, col, "kconfig",
			 "LSM labels need CONFIG_IMA_LSM_RULES (not set in the .config): the "
			 "kernel refuses the rule");
		return;
	}
	st->r->lsm[idx] = xstrdup(p, val);
	if (!st->col_lsm)
		st->col_lsm = col;
	set_cond(st, IMACTL_COND_LSM, col);
}

static void parse_token(struct parser *p, struct rule_state *st, const struct token *t)
{
	struct imactl_policy_rule *r = st->r;
	const struct keyword *kw = NULL;
	unsigned long long v;
	const char *val = NULL;
	unsigned int col = t->col;

	for (size_t i = 0; i < ARRAY_SIZE(keywords); i++) {
		size_t n = strlen(keywords[i].name);

		if (keywords[i].op) {
			/* "%s" matches only a non-empty value */
			if (!strncmp(t->s, keywords[i].name, n) && t->s[n]) {
				kw = &keywords[i];
				val = t->s + n;
				break;
			}
		} else if (!strcmp(t->s, keywords[i].name)) {
			kw = &keywords[i];
			break;
		}
	}
	if (!kw) {
		size_t n = strcspn(t->s, "=<>");

		if (strchr(t->s, '\r'))
			rule_err(p, st, col, "crlf",
				 "carriage return in '%s': the kernel splits rules at spaces and "
				 "tabs only (CRLF line ending?)",
				 t->s);
		else if (t->s[n] && !t->s[n + 1])
			rule_err(p, st, col, "bad-value", "'%s' needs a value", t->s);
		else if (t->s[0] == '#')
			rule_err(p, st, col, "unknown-keyword",
				 "'#' starts a comment only at the beginning of a line");
		else
			rule_err(p, st, col, "unknown-keyword", "unknown keyword '%s'", t->s);
		return;
	}
	switch (kw->tok) {
	case T_MEASURE:
		set_action(p, st, IMACTL_ACT_MEASURE, col);
		break;
	case T_DONT_MEASURE:
		set_action(p, st, IMACTL_ACT_DONT_MEASURE, col);
		break;
	case T_APPRAISE:
		set_action(p, st, IMACTL_ACT_APPRAISE, col);
		break;
	case T_DONT_APPRAISE:
		set_action(p, st, IMACTL_ACT_DONT_APPRAISE, col);
		break;
	case T_AUDIT:
		set_action(p, st, IMACTL_ACT_AUDIT, col);
		break;
	case T_HASH:
		set_action(p, st, IMACTL_ACT_HASH, col);
		break;
	case T_DONT_HASH:
		set_action(p, st, IMACTL_ACT_DONT_HASH, col);
		break;
	case T_OBJ_USER:
	case T_OBJ_ROLE:
	case T_OBJ_TYPE:
	case T_SUBJ_USER:
	case T_SUBJ_ROLE:
	case T_SUBJ_TYPE:
		parse_lsm(p, st, kw, val, col);
		break;
	case T_FUNC:
		parse_func(p, st, val, col);
		break;
	case T_MASK:
		parse_mask(p, st, val, col);
		break;
	case T_FSMAGIC:
		/* the kernel tests the old value, so fsmagic=0 may be repeated */
		if (r->fsmagic) {
			rule_err(p, st, col, "repeated", "fsmagic= given twice in one rule");
			break;
		}
		if (!parse_ull(val, 16, &v)) {
			rule_err(p, st, col + 8, "bad-value", "'%s' is not a hexadecimal number",
				 val);
			break;
		}
		r->fsmagic = v;
		set_cond(st, IMACTL_COND_FSMAGIC, col);
		break;
	case T_FSNAME:
		if (r->fsname) { /* the kernel keeps the last one */
			diag(p, p->lineno, col, WARN, "repeated",
			     "fsname= given twice: the kernel uses the last one");
			free(r->fsname);
		}
		r->fsname = xstrdup(p, val);
		set_cond(st, IMACTL_COND_FSNAME, col);
		break;
	case T_FSUUID:
		if (st->fsuuid_nonzero) {
			rule_err(p, st, col, "repeated", "fsuuid= given twice in one rule");
			break;
		}
		if (!parse_uuid(val, r->fsuuid)) {
			rule_err(p, st, col + 7, "bad-value",
				 "'%s' is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", val);
			break;
		}
		for (int i = 0; i < 16; i++)
			if (r->fsuuid[i])
				st->fsuuid_nonzero = true;
		set_cond(st, IMACTL_COND_FSUUID, col);
		break;
	case T_UID:
	case T_EUID:
	case T_GID:
	case T_EGID:
	case T_FOWNER:
	case T_FGROUP:
		parse_id(p, st, kw, val, col);
		break;
	case T_DIGEST_TYPE:
		if (r->cond & IMACTL_OPT_DIGSIG) {
			rule_err(p, st, col, "combination",
				 "digest_type=verity must come before appraise_type= in the rule");
			break;
		}
		if (strcmp(val, "verity")) {
			rule_err(p, st, col + 12, "bad-value", "unknown digest_type '%s' (verity)",
				 val);
			break;
		}
		if (kconfig_state(p->opts->kconfig, "FS_VERITY") == 0)
			diag(p, p->lineno, col, WARN, "kconfig",
			     "digest_type=verity needs CONFIG_FS_VERITY (not set in the .config): "
			     "no file will have a verity digest");
		r->cond |= IMACTL_OPT_VERITY;
		st->col_verity = col;
		break;
	case T_APPRAISE_TYPE:
		parse_appraise_type(p, st, val, col);
		break;
	case T_APPRAISE_FLAG:
		if (p->kernel >= KV(6, 6)) {
			diag(p, p->lineno, col, WARN, "deprecated",
			     "appraise_flag= is ignored since Linux 6.6 (the blacklist is always "
			     "checked)");
			break;
		}
		if (kconfig_state(p->opts->kconfig, "IMA_APPRAISE_MODSIG") == 0) {
			rule_err(p, st, col, "kconfig",
				 "appraise_flag= needs CONFIG_IMA_APPRAISE_MODSIG (not set in the "
				 ".config)");
			break;
		}
		if (!strstr(val, "blacklist")) {
			rule_err(p, st, col + 14, "bad-value",
				 "unknown appraise_flag '%s' (check_blacklist)", val);
			break;
		}
		if (strcmp(val, "check_blacklist"))
			diag(p, p->lineno, col + 14, WARN, "bad-value",
			     "the kernel accepts any value containing 'blacklist'; write "
			     "check_blacklist");
		r->cond |= IMACTL_OPT_BLACKLIST;
		st->col_blacklist = col;
		break;
	case T_APPRAISE_ALGOS:
		parse_algos(p, st, val, col);
		break;
	case T_PERMIT_DIRECTIO:
		r->cond |= IMACTL_OPT_DIRECTIO;
		st->col_of[bitno(IMACTL_OPT_DIRECTIO)] = col;
		break;
	case T_PCR:
		/* kstrtoint(): a sign is allowed, INVALID_PCR() rejects < 0 */
		if (!parse_ull(val[0] == '-' ? val + 1 : val, 10, &v) || (val[0] == '-' && v) ||
		    v > MAX_PCR) {
			rule_err(p, st, col + 4, "bad-value",
				 "pcr=%s is not a PCR number the kernel accepts (0..%d)", val,
				 MAX_PCR);
			break;
		}
		if (v > 23)
			diag(p, p->lineno, col + 4, WARN, "pcr-range",
			     "a TPM 2.0 has PCRs 0..23; extending PCR %llu fails", v);
		r->pcr = (int)v;
		r->cond |= IMACTL_OPT_PCR;
		st->col_pcr = col;
		break;
	case T_TEMPLATE: {
		size_t i;

		if (r->action != IMACTL_ACT_MEASURE) {
			rule_err(p, st, col, "combination",
				 "template= is only valid after the action 'measure'");
			break;
		}
		for (i = 0; i < ARRAY_SIZE(templates); i++)
			if (!strcmp(templates[i], val))
				break;
		if (i == ARRAY_SIZE(templates) || r->template_name) {
			rule_err(p, st, r->template_name ? col : col + 9,
				 r->template_name ? "repeated" : "bad-value",
				 r->template_name ? "template= given twice in one rule"
						  : "unknown template '%s'",
				 val);
			break;
		}
		r->template_name = xstrdup(p, val);
		r->cond |= IMACTL_OPT_TEMPLATE;
		st->col_template = col;
		break;
	}
	case T_KEYRINGS:
		if (kconfig_state(p->opts->kconfig, "IMA_MEASURE_ASYMMETRIC_KEYS") == 0) {
			rule_err(p, st, col, "kconfig",
				 "keyrings= needs CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS (not set in "
				 "the .config)");
			break;
		}
		if (r->keyrings) {
			rule_err(p, st, col, "repeated", "keyrings= given twice in one rule");
			break;
		}
		if (!valid_opt_list(val)) {
			rule_err(p, st, col + 9, "bad-value", "empty keyring name in '%s'", val);
			break;
		}
		r->keyrings = xstrdup(p, val);
		set_cond(st, IMACTL_COND_KEYRINGS, col);
		break;
	case T_LABEL:
		if (r->label) {
			rule_err(p, st, col, "repeated", "label= given twice in one rule");
			break;
		}
		if (!valid_opt_list(val)) {
			rule_err(p, st, col + 6, "bad-value", "empty label in '%s'", val);
			break;
		}
		r->label = xstrdup(p, val);
		set_cond(st, IMACTL_COND_LABEL, col);
		break;
	}
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

static void validate(struct parser *p, struct rule_state *st)
{
	struct imactl_policy_rule *r = st->r;
	const char *fname = imactl_policy_func_name(r->func);
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
	if (r->action != IMACTL_ACT_MEASURE && (r->cond & IMACTL_OPT_PCR)) {
		rule_err(p, st, st->col_pcr, "combination",
			 "pcr= is only valid with the action 'measure'");
		return;
	}
	if (r->action != IMACTL_ACT_APPRAISE &&
	    (r->cond &
	     (IMACTL_OPT_DIGSIG | IMACTL_OPT_MODSIG | IMACTL_OPT_BLACKLIST | IMACTL_OPT_ALGOS))) {
		stray_flag(st,
			   r->cond & (IMACTL_OPT_DIGSIG | IMACTL_OPT_MODSIG | IMACTL_OPT_BLACKLIST |
				      IMACTL_OPT_ALGOS),
			   0, &col);
		rule_err(p, st, col, "combination", "%s is only valid with the action 'appraise'",
			 flag_name(stray_flag(st,
					      r->cond & (IMACTL_OPT_DIGSIG | IMACTL_OPT_MODSIG |
							 IMACTL_OPT_BLACKLIST | IMACTL_OPT_ALGOS),
					      0, &col)));
		return;
	}
	switch (r->func) {
	case IMACTL_FUNC_NONE:
	case IMACTL_FUNC_FILE_CHECK:
	case IMACTL_FUNC_MMAP_CHECK:
	case IMACTL_FUNC_MMAP_CHECK_REQPROT:
	case IMACTL_FUNC_BPRM_CHECK:
	case IMACTL_FUNC_CREDS_CHECK:
	case IMACTL_FUNC_FIRMWARE_CHECK:
	case IMACTL_FUNC_POLICY_CHECK:
		allowed = FILE_FLAGS | IMACTL_OPT_VERITY;
		if (p->kernel >= KV(6, 6))
			allowed |= IMACTL_OPT_BLACKLIST;
		break;
	case IMACTL_FUNC_MODULE_CHECK:
	case IMACTL_FUNC_KEXEC_KERNEL_CHECK:
	case IMACTL_FUNC_KEXEC_INITRAMFS_CHECK:
		allowed = FILE_FLAGS | IMACTL_OPT_MODSIG | IMACTL_OPT_BLACKLIST;
		break;
	case IMACTL_FUNC_KEXEC_CMDLINE:
		measure_only = true;
		allowed = IMACTL_COND_FUNC | IMACTL_COND_FSMAGIC | IMACTL_COND_UID |
			  IMACTL_COND_FOWNER | IMACTL_COND_FSUUID | IMACTL_COND_EUID |
			  IMACTL_OPT_PCR | IMACTL_COND_FSNAME | IMACTL_COND_GID | IMACTL_COND_EGID |
			  IMACTL_COND_FGROUP;
		break;
	case IMACTL_FUNC_KEY_CHECK:
		measure_only = no_lsm = true;
		allowed = IMACTL_COND_FUNC | IMACTL_COND_UID | IMACTL_COND_GID | IMACTL_OPT_PCR |
			  IMACTL_COND_KEYRINGS;
		break;
	case IMACTL_FUNC_CRITICAL_DATA:
		measure_only = no_lsm = true;
		allowed = IMACTL_COND_FUNC | IMACTL_COND_UID | IMACTL_COND_GID | IMACTL_OPT_PCR |
			  IMACTL_COND_LABEL;
		break;
	case IMACTL_FUNC_SETXATTR_CHECK:
		if (r->action != IMACTL_ACT_APPRAISE) {
			rule_err(p, st, st->col_action, "combination",
				 "func=SETXATTR_CHECK is only valid with the action 'appraise'");
			return;
		}
		if (!(r->cond & IMACTL_OPT_ALGOS)) {
			rule_err(p, st, st->col_func, "combination",
				 "func=SETXATTR_CHECK needs appraise_algos=");
			return;
		}
		allowed = IMACTL_COND_FUNC | IMACTL_OPT_ALGOS;
		break;
	}
	if (measure_only && r->action != IMACTL_ACT_MEASURE &&
	    r->action != IMACTL_ACT_DONT_MEASURE) {
		rule_err(p, st, st->col_action, "combination",
			 "func=%s is only valid with measure or dont_measure", fname);
		return;
	}
	bad = stray_flag(st, flags, allowed, &col);
	if (bad) {
		if (bad == IMACTL_COND_KEYRINGS)
			rule_err(p, st, col, "combination",
				 "keyrings= is only valid with func=KEY_CHECK");
		else if (bad == IMACTL_COND_LABEL)
			rule_err(p, st, col, "combination",
				 "label= is only valid with func=CRITICAL_DATA");
		else if (!r->func)
			rule_err(p, st, col, "combination",
				 "%s is not valid in a rule without func=", flag_name(bad));
		else
			rule_err(p, st, col, "combination", "%s is not valid with func=%s",
				 flag_name(bad), fname);
		return;
	}
	if (no_lsm && (r->cond & IMACTL_COND_LSM)) {
		rule_err(p, st, st->col_lsm, "combination", "LSM labels are not valid with func=%s",
			 fname);
		return;
	}
	if ((r->cond & IMACTL_OPT_BLACKLIST) && p->kernel < KV(6, 6) &&
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

/* ---- lines ------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at @s (max @n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned int c = s[0], need, cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3, cp = c & 0x07;
	else
		return 0;
	if (n < need + 1)
		return 0;
	for (unsigned int i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need + 1;
}

/* Bytes the kernel never sees as intended: NUL, bad UTF-8. false: reported. */
static bool check_bytes(struct parser *p, const char *l, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n;

		if (!l[i]) {
			diag(p, p->lineno, i + 1, ERR, "nul-byte",
			     "NUL byte: the kernel ends the rule here and reads the rest as "
			     "another rule");
			return false;
		}
		n = utf8_len((const unsigned char *)l + i, len - i);
		if (!n) {
			diag(p, p->lineno, i + 1, ERR, "encoding", "invalid UTF-8 (byte 0x%02x)",
			     (unsigned char)l[i]);
			return false;
		}
		i += n;
	}
	return true;
}

/* "# imactl: allow code,code" before a rule silences those warnings on it. */
static void comment(struct parser *p, const char *l, size_t len)
{
	static const char pfx[] = "imactl:";
	size_t i = 0, n;

	while (i < len && (l[i] == '#' || l[i] == ' ' || l[i] == '\t'))
		i++;
	if (len - i < sizeof(pfx) - 1 || memcmp(l + i, pfx, sizeof(pfx) - 1))
		return;
	i += sizeof(pfx) - 1;
	while (i < len && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (len - i < 5 || memcmp(l + i, "allow", 5))
		return;
	i += 5;
	while (i < len && (l[i] == ' ' || l[i] == '\t'))
		i++;
	n = strlen(p->pending_allow);
	snprintf(p->pending_allow + n, sizeof(p->pending_allow) - n, "%s%.*s,", n ? "" : ",",
		 (int)(len - i), l + i);
	for (char *c = p->pending_allow; *c; c++)
		if (*c == ' ' || *c == '\t')
			*c = ',';
}

static struct imactl_policy_rule *new_rule(struct parser *p)
{
	struct imactl_policy *pol = p->pol;

	if (pol->n_rules == p->rule_cap) {
		size_t cap = p->rule_cap ? p->rule_cap * 2 : 16;
		struct imactl_policy_rule *r = realloc(pol->rules, cap * sizeof(*r));
		char **a;

		if (!r) {
			p->err = -ENOMEM;
			return NULL;
		}
		pol->rules = r;
		a = realloc(p->allows, cap * sizeof(*a));
		if (!a) {
			p->err = -ENOMEM;
			return NULL;
		}
		p->allows = a;
		p->rule_cap = cap;
	}
	memset(&pol->rules[pol->n_rules], 0, sizeof(pol->rules[0]));
	p->allows[pol->n_rules] = NULL;
	if (p->pending_allow[0]) {
		p->allows[pol->n_rules] = strdup(p->pending_allow);
		p->pending_allow[0] = 0;
		if (!p->allows[pol->n_rules]) {
			p->err = -ENOMEM;
			return NULL;
		}
	}
	return &pol->rules[pol->n_rules++];
}

static void rule_line(struct parser *p, const char *l, size_t len)
{
	struct imactl_policy_rule *r = new_rule(p);
	struct rule_state st = { .r = r };
	char *copy;

	if (!r)
		return;
	r->line = p->lineno;
	r->text = copy = strndup(l, len);
	if (!copy) {
		p->err = -ENOMEM;
		return;
	}
	if (len > MAX_LINE) {
		rule_err(p, &st, MAX_LINE + 1, "line-too-long",
			 "rule is %zu bytes long; the kernel takes at most %d bytes per rule", len,
			 MAX_LINE);
	} else if (!check_bytes(p, l, len)) {
		st.error = true;
	} else if (l[len - 1] == '\r') {
		rule_err(p, &st, len, "crlf",
			 "carriage return at the end of the line (CRLF line ending): the kernel "
			 "splits rules at spaces and tabs only and refuses the last keyword");
	} else {
		char *tok = strdup(copy), *s = tok;

		if (!tok) {
			p->err = -ENOMEM;
			return;
		}
		while (*s && !st.error && !p->err) {
			size_t n = strcspn(s, " \t");
			struct token t = { .s = s, .col = (unsigned int)(s - tok) + 1 };
			bool last = !s[n];

			s[n] = 0;
			if (n)
				parse_token(p, &st, &t);
			if (last)
				break;
			s += n + 1;
		}
		free(tok);
		if (!st.error && !p->err)
			validate(p, &st);
	}
	r->valid = !st.error;
	r->min_kernel = IMACTL_KERNEL_OLDEST;
	if (r->func == IMACTL_FUNC_MMAP_CHECK_REQPROT)
		r->min_kernel = KV(6, 3);
}

/* ---- whole-policy lint --------------------------------------------------------- */

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
		diag(p, 0, 0, NOTE, "unreachable",
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
			diag(p, b->line, 1, WARN, "unreachable",
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
			diag(p, a->line, 1, WARN, "pseudo-fs",
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
			diag(p, a->line, 1, WARN, "imasig-file-check",
			     "requires a signature on every file that is read: files written at "
			     "runtime (/etc/machine-id, /var/lib/systemd/random-seed, journal "
			     "files) can never have one and are refused; systemd fails to boot");
		else if ((a->cond & IMACTL_COND_FOWNER) && a->fowner == 0 && a->fowner_op == '=')
			diag(p, a->line, 1, WARN, "appraise-tcb",
			     "this is the ima_appraise_tcb pattern: every root-owned file that is "
			     "read is appraised, including files systemd writes at runtime "
			     "(/etc/machine-id, /var/lib/systemd/*); a signed file changed at "
			     "runtime is refused afterwards");
		else
			diag(p, a->line, 1, WARN, "runtime-writes",
			     "appraises files opened for reading on every filesystem: a file the "
			     "image signed and the system changes at runtime (e.g. "
			     "/etc/machine-id, /etc/resolv.conf) is refused afterwards; restrict "
			     "with func=, fsuuid= or fowner=");
	}
}

static void lint_policy(struct parser *p, const char *buf, size_t len)
{
	const struct imactl_policy *pol = p->pol;
	const struct imactl_policy_options *o = p->opts;
	bool appraise = false;

	for (size_t i = 0; i < pol->n_rules; i++)
		if (pol->rules[i].valid && pol->rules[i].action == IMACTL_ACT_APPRAISE)
			appraise = true;
	if (appraise && kconfig_state(o->kconfig, "IMA_APPRAISE") == 0)
		diag(p, 0, 0, ERR, "kconfig",
		     "the policy appraises, but CONFIG_IMA_APPRAISE is not set: appraise rules "
		     "have no effect");
	if (kconfig_state(o->kconfig, "IMA") == 0)
		diag(p, 0, 0, ERR, "kconfig",
		     "CONFIG_IMA is not set: the kernel has no IMA policy to load");
	if (kconfig_state(o->kconfig, "IMA_APPRAISE_REQUIRE_POLICY_SIGS") == 1 &&
	    !(o->flags & IMACTL_POLICY_SIGNED))
		diag(p, 0, 0, WARN, "unsigned-policy",
		     "the kernel requires signed policies "
		     "(CONFIG_IMA_APPRAISE_REQUIRE_POLICY_SIGS) and this file has no IMA "
		     "signature: sign it and load it by path");
	for (size_t i = 0; i < pol->n_rules; i++) {
		const struct imactl_policy_rule *r = &pol->rules[i];

		if (r->valid && (r->cond & IMACTL_COND_LSM))
			diag(p, r->line, 1, WARN, "lsm-label",
			     "LSM labels depend on the LSM active at boot: when it does not know a "
			     "label (Debian's default is AppArmor), the kernel refuses the whole "
			     "first policy");
		if (r->valid && (r->cond & IMACTL_OPT_DIGSIG) &&
		    kconfig_state(o->kconfig, "INTEGRITY_SIGNATURE") == 0)
			diag(p, r->line, 1, ERR, "kconfig",
			     "appraise_type= needs CONFIG_INTEGRITY_SIGNATURE (not set in the "
			     ".config): every signature check fails");
	}
	if (len && buf[len - 1] != '\n')
		diag(p, p->lineno, 0, (o->flags & IMACTL_POLICY_BY_PATH) ? ERR : WARN,
		     "no-final-newline",
		     "no newline at the end of the file: the kernel's loader for signed policies "
		     "(by path) refuses it");
	if (o->flags & IMACTL_POLICY_NO_LINT)
		return;
	lint_unreachable(p);
	lint_pseudo_fs(p);
	lint_runtime(p);
}

static int cmp_diag(const void *a, const void *b)
{
	const struct imactl_diag *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return 0;
}

IMACTL_EXPORT void imactl_policy_free(struct imactl_policy *pol)
{
	if (!pol)
		return;
	for (size_t i = 0; i < pol->n_rules; i++) {
		struct imactl_policy_rule *r = &pol->rules[i];

		free(r->fsname);
		free(r->template_name);
		free(r->keyrings);
		free(r->label);
		free(r->text);
		for (int k = 0; k < IMACTL_LSM_COUNT; k++)
			free(r->lsm[k]);
	}
	free(pol->rules);
	imactl_diags_free(pol->diags, pol->n_diags);
	free(pol);
}

IMACTL_EXPORT int imactl_policy_parse(struct imactl_ctx *ctx, const char *buf, size_t len,
				      const struct imactl_policy_options *opts,
				      struct imactl_policy **policy_ret)
{
	static const struct imactl_policy_options defaults;
	struct parser p = { .opts = opts ? opts : &defaults };
	size_t pos = 0, nrules = 0;

	p.kernel = p.opts->kernel ? p.opts->kernel : KERNEL_NEWEST;
	if (p.kernel < IMACTL_KERNEL_OLDEST) {
		log_err(ctx, "kernel versions before 6.1 are not modelled");
		return -EINVAL;
	}
	p.pol = calloc(1, sizeof(*p.pol));
	if (!p.pol)
		return -ENOMEM;
	while (pos < len && !p.err) {
		const char *l;
		size_t n = next_line(buf, len, &pos, &l);
		size_t skip = 0;

		p.lineno++;
		/* leading blanks, then '#' or nothing: not a rule */
		while (skip < n && (l[skip] == ' ' || l[skip] == '\t'))
			skip++;
		if (skip == n || l[skip] == '#') {
			if (skip < n) {
				if (check_bytes(&p, l, n))
					comment(&p, l, n);
			}
			continue;
		}
		rule_line(&p, l, n);
		nrules++;
	}
	if (!p.err && !nrules)
		diag(&p, 0, 0, ERR, "empty-policy",
		     "no rules: the kernel refuses an empty policy when the policy file is closed");
	if (!p.err)
		lint_policy(&p, buf, len);
	for (size_t i = 0; i < p.pol->n_rules; i++)
		free(p.allows[i]);
	free(p.allows);
	if (p.err) {
		imactl_policy_free(p.pol);
		return p.err;
	}
	/* stable sort by line: insertion order is kept within a line */
	for (size_t i = 1; i < p.pol->n_diags; i++) {
		struct imactl_diag d = p.pol->diags[i];
		size_t j = i;

		while (j > 0 && cmp_diag(&p.pol->diags[j - 1], &d) > 0) {
			p.pol->diags[j] = p.pol->diags[j - 1];
			j--;
		}
		p.pol->diags[j] = d;
	}
	*policy_ret = p.pol;
	return 0;
}

/* ---- matching ----------------------------------------------------------------- */

static bool id_match(uint32_t have, char op, uint32_t want)
{
	return op == '<' ? have < want : op == '>' ? have > want : have == want;
}

static bool rule_matches(const struct imactl_policy_rule *r, const struct imactl_policy_subject *s)
{
	if ((r->cond & IMACTL_COND_FUNC) && r->func != s->func)
		return false;
	if ((r->cond & IMACTL_COND_MASK) && r->mask != s->mask)
		return false;
	if ((r->cond & IMACTL_COND_INMASK) && !(r->mask & s->mask))
		return false;
	if ((r->cond & IMACTL_COND_FSMAGIC) && r->fsmagic != s->fsmagic)
		return false;
	if ((r->cond & IMACTL_COND_FSNAME) && (!s->fsname || strcmp(r->fsname, s->fsname)))
		return false;
	if ((r->cond & IMACTL_COND_FSUUID) && (!s->fsuuid || memcmp(r->fsuuid, s->fsuuid, 16)))
		return false;
	if ((r->cond & IMACTL_COND_UID) && !id_match(s->uid, r->uid_op, r->uid))
		return false;
	/* euid: a process with CAP_SETUID also matches on uid/suid; assumed equal */
	if ((r->cond & IMACTL_COND_EUID) && !id_match(s->euid, r->uid_op, r->uid))
		return false;
	if ((r->cond & IMACTL_COND_GID) && !id_match(s->gid, r->gid_op, r->gid))
		return false;
	if ((r->cond & IMACTL_COND_EGID) && !id_match(s->egid, r->gid_op, r->gid))
		return false;
	if ((r->cond & IMACTL_COND_FOWNER) && !id_match(s->fowner, r->fowner_op, r->fowner))
		return false;
	if ((r->cond & IMACTL_COND_FGROUP) && !id_match(s->fgroup, r->fgroup_op, r->fgroup))
		return false;
	return true;
}

IMACTL_EXPORT int imactl_policy_appraise_rule(const struct imactl_policy *pol,
					      const struct imactl_policy_subject *s,
					      unsigned int *skipped_lsm)
{
	for (size_t i = 0; i < pol->n_rules; i++) {
		const struct imactl_policy_rule *r = &pol->rules[i];

		if (!r->valid ||
		    (r->action != IMACTL_ACT_APPRAISE && r->action != IMACTL_ACT_DONT_APPRAISE) ||
		    r->func == IMACTL_FUNC_SETXATTR_CHECK)
			continue;
		if (!rule_matches(r, s))
			continue;
		if (r->cond & IMACTL_COND_LSM) {
			if (skipped_lsm)
				(*skipped_lsm)++;
			continue;
		}
		return (int)i;
	}
	return -ENOENT;
}

/* ---- loading ------------------------------------------------------------------ */

IMACTL_EXPORT int imactl_policy_write(struct imactl_ctx *ctx, const char *policy_path,
				      const char *buf, size_t len, size_t *offset_ret)
{
	size_t off = 0;
	int fd, ret = 0;

	fd = open(policy_path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		log_debug(ctx, "open %s: %s", policy_path, strerror(errno));
		return ret;
	}
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (n == 0) {
			ret = -EIO;
			break;
		}
		off += n;
	}
	/* the kernel activates (or, after a refused rule, drops) the policy here */
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (offset_ret)
		*offset_ret = off;
	return ret;
}
