// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IMA policy parsing: lines, comments, diagnostics, the public entry points,
 * matching a file against the rules and loading a policy into the kernel.
 * One rule is parsed and validated in policy_rule.c (the part to compare
 * with the kernel's ima_policy.c); the checks over the whole policy are in
 * policy_lint.c.  Unlike the kernel, parsing goes on after a refused rule so
 * that every refused rule is reported.
 */
#include "policy_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KERNEL_NEWEST KV(6, 12)
/* The kernel copies at most PAGE_SIZE - 1 bytes per write(2). */
#define MAX_LINE 4095

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

/* ---- diagnostics ---------------------------------------------------------- */

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

void policy_vdiag(struct parser *p, unsigned int line, unsigned int col, int sev, const char *code,
		  const char *fmt, va_list ap)
{
	struct imactl_diag *d;
	char *msg = NULL;

	if (p->err || p->quiet)
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

void policy_diag(struct parser *p, unsigned int line, unsigned int col, int sev, const char *code,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_vdiag(p, line, col, sev, code, fmt, ap);
	va_end(ap);
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
			policy_diag(p, p->lineno, i + 1, ERR, "nul-byte",
				    "NUL byte: the kernel ends the rule here and reads the rest as "
				    "another rule");
			return false;
		}
		n = utf8_len((const unsigned char *)l + i, len - i);
		if (!n) {
			policy_diag(p, p->lineno, i + 1, ERR, "encoding",
				    "invalid UTF-8 (byte 0x%02x)", (unsigned char)l[i]);
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
		policy_diag(p, p->lineno, MAX_LINE + 1, ERR, "line-too-long",
			    "rule is %zu bytes long; the kernel takes at most %d bytes per rule",
			    len, MAX_LINE);
	} else if (!check_bytes(p, l, len)) {
		/* reported */
	} else if (l[len - 1] == '\r') {
		policy_diag(p, p->lineno, len, ERR, "crlf",
			    "carriage return at the end of the line (CRLF line ending): the kernel "
			    "splits rules at spaces and tabs only and refuses the last keyword");
	} else {
		char *tok = strdup(copy);

		if (!tok) {
			p->err = -ENOMEM;
			return;
		}
		r->valid = policy_parse_rule(p, r, tok);
		free(tok);
	}
	if (!p->err)
		r->min_kernel = policy_rule_min_kernel(p, r->text);
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
	for (size_t i = 0; i < pol->n_rules; i++)
		policy_rule_release(&pol->rules[i]);
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

	if (PARAMS_RESERVED_CHECK(ctx, p.opts, "imactl_policy_options") < 0)
		return -EINVAL;
	p.kernel = p.opts->kernel ? p.opts->kernel : KERNEL_NEWEST;
	if (p.kernel < IMACTL_KERNEL_OLDEST) {
		log_err(ctx, "kernel versions before 5.4 are not modelled");
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
		policy_diag(&p, 0, 0, ERR, "empty-policy",
			    "no rules: the kernel refuses an empty policy when the policy file is "
			    "closed");
	if (!p.err)
		policy_lint(&p, buf, len);
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
