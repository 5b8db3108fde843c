/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The IMA policy parser, shared by its three parts: policy.c (lines,
 * diagnostics, the public entry points, matching, loading), policy_rule.c
 * (one rule: the kernel's ima_parse_rule() and ima_validate_rule(), the part
 * to compare with security/integrity/ima/ima_policy.c) and policy_lint.c
 * (checks over the whole policy that the kernel does not make).
 */
#ifndef IMACTL_POLICY_PRIVATE_H
#define IMACTL_POLICY_PRIVATE_H

#include "lib_private.h"

#include <stdarg.h>

#define KV IMACTL_KERNEL_VERSION

#define ERR  IMACTL_DIAG_ERROR
#define WARN IMACTL_DIAG_WARNING
#define NOTE IMACTL_DIAG_NOTE

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
	bool quiet; /* no diagnostics (trying other kernel versions) */
};

/* policy.c: add a diagnostic (warnings a "# imactl: allow" names are dropped). */
void policy_vdiag(struct parser *p, unsigned int line, unsigned int col, int sev, const char *code,
		  const char *fmt, va_list ap);
void policy_diag(struct parser *p, unsigned int line, unsigned int col, int sev, const char *code,
		 const char *fmt, ...) PRINTF_FMT(6, 7);

/*
 * policy_rule.c: parse and validate the rule in @text (a NUL-terminated copy
 * of the line, changed while parsing) into @r, as the kernel does; a refused
 * rule gets an error diagnostic.  Return: true if the kernel accepts it.
 */
bool policy_parse_rule(struct parser *p, struct imactl_policy_rule *r, char *text);

/*
 * policy_rule.c: the oldest modelled kernel that accepts the rule @text (a
 * line without its newline), 0 if none does; p->err is set on -ENOMEM.
 */
unsigned int policy_rule_min_kernel(struct parser *p, const char *text);

/* Free what a parsed rule points to (not @r itself). */
void policy_rule_release(struct imactl_policy_rule *r);

/* policy_lint.c: the checks over the whole policy (after every rule is parsed). */
void policy_lint(struct parser *p, const char *buf, size_t len);

#endif
