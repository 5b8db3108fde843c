// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which entries of a tree or an image are signed: --include/--exclude
 * patterns, one meaning for sign-tree, verify-tree, sign-image and
 * verify-image.
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

	s->include = s->exclude = NULL;
	if (p->n_include)
		ret = compile_patterns(p->include, p->n_include, &s->include);
	if (ret == 0 && p->n_exclude)
		ret = compile_patterns(p->exclude, p->n_exclude, &s->exclude);
	if (ret < 0)
		select_free(s);
	return ret;
}

void select_free(struct select *s)
{
	free_patterns(s->include);
	free_patterns(s->exclude);
	s->include = s->exclude = NULL;
}

bool select_excluded(const struct select *s, const char *path, const char *name)
{
	return s->exclude && matches(s->exclude, path, name);
}

bool select_included(const struct select *s, const char *path, const char *name)
{
	return !s->include || matches(s->include, path, name);
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

int tree_params_check(const struct imactl_tree_params *p, bool verify, unsigned int *jobs_ret)
{
	long cpus;

	if (!p || p->jobs > TREE_MAX_JOBS)
		return -EINVAL;
	if (verify && p->target_bits != 32 && p->target_bits != 64)
		return -EINVAL;
	if (!verify && !p->sign)
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
