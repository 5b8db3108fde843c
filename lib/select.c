// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which entries of a tree or an image are signed: --include/--exclude
 * patterns, one meaning for sign-tree, verify-tree, sign-image and
 * verify-image; and the same patterns as the Python regular expressions
 * Keylime matches its excludes with.
 */
#include "lib_private.h"

#include <errno.h>
#include <fnmatch.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void free_patterns(char **pats)
{
	for (size_t i = 0; pats && pats[i]; i++)
		free(pats[i]);
	free(pats);
}

/* Copies @in, anchoring patterns that contain '/' at the root. */
static int compile_patterns(const char *const *in, size_t n, char ***out)
{
	char **pats = calloc(n + 1, sizeof(*pats));

	if (!pats)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!in[i] || !in[i][0]) {
			free_patterns(pats);
			return -EINVAL;
		}
		if (strchr(in[i], '/') && in[i][0] != '/') {
			if (asprintf(&pats[i], "/%s", in[i]) < 0)
				pats[i] = NULL;
		} else {
			pats[i] = strdup(in[i]);
		}
		if (!pats[i]) {
			free_patterns(pats);
			return -ENOMEM;
		}
	}
	*out = pats;
	return 0;
}

static bool matches(char **pats, const char *path, const char *name)
{
	for (size_t i = 0; pats[i]; i++) {
		if (pats[i][0] == '/' ? fnmatch(pats[i], path, FNM_LEADING_DIR) == 0
				      : fnmatch(pats[i], name, 0) == 0)
			return true;
	}
	return false;
}

int select_init(struct select *s, const struct imactl_tree_params *p)
{
	int ret = 0;

	s->include = s->exclude = s->mutables = NULL;
	if (p->n_include)
		ret = compile_patterns(p->include, p->n_include, &s->include);
	if (ret == 0 && p->n_exclude)
		ret = compile_patterns(p->exclude, p->n_exclude, &s->exclude);
	if (ret == 0 && p->n_mutable)
		ret = compile_patterns(p->mutable_globs, p->n_mutable, &s->mutables);
	if (ret < 0)
		select_free(s);
	return ret;
}

void select_free(struct select *s)
{
	free_patterns(s->include);
	free_patterns(s->exclude);
	free_patterns(s->mutables);
	s->include = s->exclude = s->mutables = NULL;
}

bool select_excluded(const struct select *s, const char *path, const char *name)
{
	return s->exclude && matches(s->exclude, path, name);
}

bool select_included(const struct select *s, const char *path, const char *name)
{
	return !s->include || matches(s->include, path, name);
}

bool select_mutable(const struct select *s, const char *path, const char *name)
{
	return s->mutables && matches(s->mutables, path, name);
}

void sign_params_mutable(const struct imactl_sign_params *sp, struct imactl_sign_params *out)
{
	*out = *sp;
	out->ima = IMACTL_IMA_HASH;
	out->evm = IMACTL_EVM_NONE;
	out->flags &= ~IMACTL_SIGN_SIGV3;
	out->cache = NULL;
}

/* ---- what the walks of trees and images share ---------------------------- */

static bool is_verify_outcome(int status)
{
	return status == -EBADMSG || status == -ENOKEY || status == -ENODATA;
}

void tree_count(struct imactl_tree_stats *s, const struct imactl_tree_entry *e, bool verify,
		uint64_t *op_errors)
{
	s->kinds[e->kind]++;
	if (e->kind == IMACTL_TREE_FILE) {
		s->bytes += e->size;
		if (e->status == 0) {
			s->ok++;
			s->unchanged += e->unchanged;
		}
	}
	if (e->status) {
		s->failed++;
		if (!verify || !is_verify_outcome(e->status))
			(*op_errors)++;
	}
}

int select_by_caller(const struct imactl_tree_params *p, const char *path, uint64_t size,
		     uint32_t uid, uint32_t gid, uint32_t mode)
{
	struct imactl_tree_entry e = {
		.path = path,
		.kind = IMACTL_TREE_FILE,
		.size = size,
		.uid = uid,
		.gid = gid,
		.mode = mode,
	};
	int ret;

	if (!p->select.fn)
		return 1;
	ret = p->select.fn(p->fn_data, &e);
	return ret == 0 ? 1 : ret == IMACTL_TREE_LEAVE ? 0 : -ECANCELED;
}

bool sign_result_fits(const struct imactl_sign_params *sp, const struct imactl_verify_result *r)
{
	switch (sp->ima) {
	case IMACTL_IMA_SIG:
		return r->ima_type == (sp->flags & IMACTL_SIGN_SIGV3 ? IMACTL_XATTR_IMA_VERITY_SIG
								     : IMACTL_XATTR_DIGSIG) &&
		       r->ima_algo == sp->hash_algo;
	case IMACTL_IMA_HASH:
		return r->ima_type != IMACTL_XATTR_DIGSIG &&
		       r->ima_type != IMACTL_XATTR_IMA_VERITY_SIG && r->ima_algo == sp->hash_algo;
	default:
		return true;
	}
}

unsigned int sign_verify_flags(const struct imactl_sign_params *sp)
{
	unsigned int flags = 0;

	if (sp->ima == IMACTL_IMA_SIG)
		flags |= IMACTL_VERIFY_REQUIRE_SIG;
	if (sp->evm != IMACTL_EVM_NONE)
		flags |= IMACTL_VERIFY_EVM;
	return flags;
}

int tree_sign_outcome(int ret)
{
	return ret == -EBADMSG ? -EIO : ret;
}

int tree_params_check(const struct imactl_ctx *ctx, const struct imactl_tree_params *p, bool verify,
		      unsigned int *jobs_ret)
{
	long cpus;

	if (!p || p->jobs > TREE_MAX_JOBS)
		return -EINVAL;
	if (PARAMS_RESERVED_CHECK(ctx, p, "imactl_tree_params") < 0 ||
	    (p->sign && PARAMS_RESERVED_CHECK(ctx, p->sign, "imactl_sign_params") < 0))
		return -EINVAL;
	if (verify && p->target_bits != 32 && p->target_bits != 64)
		return -EINVAL;
	if (!verify && !p->sign)
		return -EINVAL;
	/* checked here, not per file: a run that could sign nothing is refused whole */
	if (!verify &&
	    ((p->sign->target_bits != 32 && p->sign->target_bits != 64) ||
	     (!p->key && (p->sign->ima == IMACTL_IMA_SIG || p->sign->evm != IMACTL_EVM_NONE))))
		return -EINVAL;
	if (!verify && (p->flags & IMACTL_TREE_SKIP_VALID) && !p->keyring &&
	    p->sign->ima == IMACTL_IMA_SIG)
		return -EINVAL;
	*jobs_ret = p->jobs;
	if (!*jobs_ret) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		*jobs_ret = cpus < 1 ? 1 : cpus > TREE_MAX_JOBS ? TREE_MAX_JOBS : cpus;
	}
	return 0;
}

enum imactl_tree_kind tree_kind_of(unsigned int mode)
{
	if (S_ISLNK(mode))
		return IMACTL_TREE_SYMLINK;
	if (S_ISDIR(mode))
		return IMACTL_TREE_DIR;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return IMACTL_TREE_DEVICE;
	if (S_ISFIFO(mode))
		return IMACTL_TREE_FIFO;
	if (S_ISSOCK(mode))
		return IMACTL_TREE_SOCKET;
	return IMACTL_TREE_FILE;
}

struct link_node {
	uint64_t dev, ino;
	char *path;
};

static int cmp_link(const void *a, const void *b)
{
	const struct link_node *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static void free_link(void *node)
{
	struct link_node *l = node;

	free(l->path);
	free(l);
}

int links_seen(void **links, uint64_t dev, uint64_t ino, const char *path, const char **first_ret)
{
	struct link_node key = { .dev = dev, .ino = ino }, *n, **found;

	found = tfind(&key, links, cmp_link);
	if (found) {
		*first_ret = (*found)->path;
		return 0;
	}
	*first_ret = NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = key;
	n->path = strdup(path);
	if (!n->path || !tsearch(n, links, cmp_link)) {
		free_link(n);
		return -ENOMEM;
	}
	return 0;
}

void links_free(void *links)
{
	tdestroy(links, free_link);
}

/* ---- globs as Keylime's excludes (Python regular expressions) ----------- */

/*
 * @c escaped for Python's re; @logged: as the kernel logs it in a name
 * (n-ng: a space becomes '_').
 */
static void re_char(FILE *f, unsigned char c, bool logged)
{
	if (logged && c == ' ')
		c = '_';
	if (strchr(".^$*+?{}[]()|\\-/#&~", c))
		fputc('\\', f);
	fputc(c, f);
}

/* POSIX classes of the C locale (fnmatch(3) runs in it) as regex class bodies. */
static const struct {
	const char *name, *body;
} posix_classes[] = {
	{ "alpha", "a-zA-Z" },
	{ "digit", "0-9" },
	{ "alnum", "a-zA-Z0-9" },
	{ "upper", "A-Z" },
	{ "lower", "a-z" },
	{ "xdigit", "0-9A-Fa-f" },
	{ "space", "_\\t\\n\\r\\f\\v" }, /* a logged space is '_' */
	{ "blank", "_\\t" },
	{ "punct", "!-/:-@\\[-`{-~" },
	{ "cntrl", "\\x00-\\x1f\\x7f" },
	{ "print", " -~" },
	{ "graph", "!-~" },
};

/*
 * The bracket expression at @g ('[' ...), as fnmatch(3) reads it.  Return:
 * its length, 0 when it is not one (no closing ']': the '[' is literal), or
 * -EINVAL for an unknown [:class:].
 */
static int re_bracket(FILE *f, const char *g, bool in_name)
{
	const char *p = g + 1;
	bool neg = *p == '!' || *p == '^';
	char *body = NULL;
	size_t blen = 0;
	FILE *b = open_memstream(&body, &blen);
	int ret = 0;

	if (!b)
		return -ENOMEM;
	if (neg)
		p++;
	for (bool first = true; *p && (first || *p != ']'); first = false) {
		unsigned char c;
		size_t i;

		if (p[0] == '[' && p[1] == ':') {
			const char *end = strstr(p + 2, ":]");

			for (i = 0; end && i < ARRAY_SIZE(posix_classes); i++)
				if ((size_t)(end - p - 2) == strlen(posix_classes[i].name) &&
				    !strncmp(p + 2, posix_classes[i].name, end - p - 2))
					break;
			if (!end || i == ARRAY_SIZE(posix_classes)) {
				ret = -EINVAL;
				goto out;
			}
			fputs(posix_classes[i].body, b);
			p = end + 2;
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		c = *p++;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			re_char(b, c, false);
			p++;
			if (*p == '\\' && p[1])
				p++;
			fputc('-', b);
			re_char(b, *p++, false);
		} else {
			re_char(b, c, true);
		}
	}
	if (*p != ']') {
		ret = 0; /* not a bracket expression */
		goto out;
	}
	fclose(b);
	b = NULL;
	/* in a name, no class matches the '/' between names */
	fputs(in_name ? "(?!/)[" : "[", f);
	fputs(neg ? "^" : "", f);
	fputs(body, f);
	fputc(']', f);
	ret = (int)(p + 1 - g);
out:
	if (b)
		fclose(b);
	free(body);
	return ret;
}

IMACTL_EXPORT int imactl_tree_glob_regex(const char *glob, char **regex_ret)
{
	bool anchored;
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int ret = 0;

	if (!glob || !glob[0] || !regex_ret)
		return -EINVAL;
	if (imactl_utf8_check(glob) < 0)
		return -EILSEQ;
	anchored = strchr(glob, '/') != NULL;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	/* (?s:): '.' matches a newline too, as '*' does in fnmatch */
	fputs(anchored ? (glob[0] == '/' ? "^(?s:" : "^(?s:/") : "^(?s:(?:.*/)?", f);
	for (const char *g = glob; *g && ret >= 0; g++) {
		if (*g == '*') {
			fputs(anchored ? ".*" : "[^/]*", f);
		} else if (*g == '?') {
			fputs(anchored ? "." : "[^/]", f);
		} else if (*g == '[' && (ret = re_bracket(f, g, !anchored)) > 0) {
			g += ret - 1;
		} else {
			if (*g == '\\' && g[1])
				g++;
			re_char(f, *g, true);
		}
	}
	/* what is below a match was not walked either */
	fputs("(?:/.*)?)\\Z", f);
	if (fclose(f) != 0 && ret >= 0)
		ret = -ENOMEM;
	if (ret < 0) {
		free(out);
		return ret;
	}
	*regex_ret = out;
	return 0;
}
