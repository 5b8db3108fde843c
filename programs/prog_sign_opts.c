// SPDX-License-Identifier: GPL-2.0-or-later
/* The options sign, sign-tree, verify and verify-tree share. */
#include "prog_sign_opts.h"
#include "tree_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void prog_sign_opts_free(struct prog_sign_opts *o)
{
	imactl_sigcache_close(o->cache);
	o->sign.cache = o->cache = NULL;
	free(o->certs);
	free(o->include);
	free(o->exclude);
	o->certs = NULL;
	o->include = o->exclude = NULL;
	imactl_key_free(o->key);
	imactl_keyring_free(o->keyring);
	imactl_ctx_free(o->ctx);
	o->key = NULL;
	o->keyring = NULL;
	o->ctx = NULL;
}

int prog_sign_opts_end(struct prog_sign_opts *o, int status)
{
	fflush(stdout);
	prog_sign_opts_free(o);
	return status;
}

int prog_sign_opts_ctx(struct prog_sign_opts *o, int verbose)
{
	return prog_ctx_new(&o->ctx, verbose, o->xattr_user);
}

int prog_sign_opts_load_keyring(struct prog_sign_opts *o)
{
	return prog_load_keyring(o->ctx, o->certs, o->n_certs, &o->keyring);
}

bool prog_sign_opts_init(struct prog_sign_opts *o, const struct imactl_command *cmd,
			 unsigned int mode, int argc)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->mode = mode;
	o->sign.hash_algo = IMACTL_HASH_SHA256;
	o->sign.ima = IMACTL_IMA_SIG;
	o->sign.evm = IMACTL_EVM_NONE;
	o->target_bits = (mode & PROG_SO_BITS_AUTO) ? 0 : 64;
	o->certs = calloc(argc + 1, sizeof(*o->certs));
	o->include = calloc(argc + 1, sizeof(*o->include));
	o->exclude = calloc(argc + 1, sizeof(*o->exclude));
	o->tree.include = o->include;
	o->tree.exclude = o->exclude;
	if (o->certs && o->include && o->exclude)
		return true;
	prog_sign_opts_free(o);
	return false;
}

static int parse_ima(struct prog_sign_opts *o, const char *arg)
{
	bool none = o->mode & PROG_SO_IMA_NONE;

	if (!strcmp(arg, "sig"))
		o->sign.ima = IMACTL_IMA_SIG;
	else if (!strcmp(arg, "hash"))
		o->sign.ima = IMACTL_IMA_HASH;
	else if (none && !strcmp(arg, "none"))
		o->sign.ima = IMACTL_IMA_NONE;
	else {
		prog_err("%s: --ima takes %s", o->cmd->name,
			 none ? "sig, hash or none" : "sig or hash");
		return -1;
	}
	return 1;
}

static int parse_evm(struct prog_sign_opts *o, const char *arg)
{
	if (o->mode & PROG_SO_VERIFY)
		o->verify_flags |= IMACTL_VERIFY_EVM;
	else if (!strcmp(arg, "portable"))
		o->sign.evm = IMACTL_EVM_PORTABLE;
	else if (!strcmp(arg, "none"))
		o->sign.evm = IMACTL_EVM_NONE;
	else {
		prog_err("%s: --evm takes portable or none", o->cmd->name);
		return -1;
	}
	return 1;
}

/* --cache-size: bytes, with an optional K, M or G (powers of 1024). */
static bool parse_size(const struct imactl_command *cmd, const char *s, uint64_t *size)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end == 'K' || *end == 'k')
		mul = 1ull << 10;
	else if (*end == 'M' || *end == 'm')
		mul = 1ull << 20;
	else if (*end == 'G' || *end == 'g')
		mul = 1ull << 30;
	if (mul > 1)
		end++;
	if (errno || end == s || *end || s[0] == '-' || !v || v > UINT64_MAX / mul) {
		prog_err("%s: --cache-size takes a size such as 500M or 2G", cmd->name);
		return false;
	}
	*size = v * mul;
	return true;
}

/* 1: a shared option, taken; 0: the command's own; -1: a bad value */
static int take_option(struct prog_sign_opts *o, int c, char *arg)
{
	const struct imactl_command *cmd = o->cmd;

	switch (c) {
	case PROG_SO_KEY:
		o->key_path = arg;
		return 1;
	case PROG_SO_CERT:
		o->certs[o->n_certs++] = arg;
		return 1;
	case PROG_SO_KEYID:
		if (!prog_parse_keyid(cmd, arg, &o->keyid))
			return -1;
		o->have_keyid = true;
		return 1;
	case PROG_SO_PASS_FILE:
		o->pass_file = arg;
		return 1;
	case PROG_SO_HASH:
		return prog_parse_hash(cmd, arg, &o->sign.hash_algo) ? 1 : -1;
	case PROG_SO_IMA:
		return parse_ima(o, arg);
	case PROG_SO_SIGV3:
		o->sign.flags |= IMACTL_SIGN_SIGV3;
		return 1;
	case PROG_SO_EVM:
		return parse_evm(o, arg);
	case PROG_SO_REQUIRE_SIG:
		o->verify_flags |= IMACTL_VERIFY_REQUIRE_SIG;
		return 1;
	case PROG_SO_ALLOW_HASH:
		o->allow_hash = true;
		return 1;
	case PROG_SO_TARGET_BITS:
		o->bits_given = true;
		if ((o->mode & PROG_SO_BITS_AUTO) && !strcmp(arg, "auto"))
			return 1;
		if (!prog_parse_target_bits(cmd, arg, &o->target_bits))
			return -1;
		return 1;
	case PROG_SO_JOBS:
		return tree_parse_jobs(cmd, arg, &o->tree.jobs) ? 1 : -1;
	case PROG_SO_INCLUDE:
		o->include[o->tree.n_include++] = arg;
		return 1;
	case PROG_SO_EXCLUDE:
		o->exclude[o->tree.n_exclude++] = arg;
		return 1;
	case PROG_SO_ONE_FS:
		o->tree.flags |= IMACTL_TREE_ONE_FILE_SYSTEM;
		return 1;
	case PROG_SO_XATTR_USER:
		o->xattr_user = true;
		return 1;
	case PROG_SO_CACHE:
		if (!arg[0]) {
			prog_err("%s: --cache takes a directory", cmd->name);
			return -1;
		}
		o->cache_dir = arg;
		return 1;
	case PROG_SO_NO_CACHE:
		o->no_cache = true;
		return 1;
	case PROG_SO_CACHE_SIZE:
		return parse_size(cmd, arg, &o->cache_size) ? 1 : -1;
	default:
		return 0;
	}
}

static bool repeatable_option(const struct prog_sign_opts *o, int c, const int *repeatable)
{
	if (c == PROG_SO_INCLUDE || c == PROG_SO_EXCLUDE ||
	    (c == PROG_SO_CERT && (o->mode & PROG_SO_VERIFY)))
		return true;
	for (; repeatable && *repeatable; repeatable++)
		if (c == *repeatable)
			return true;
	return false;
}

/*
 * A certificate asks for signatures: when verifying with --cert, a hash-only
 * security.ima fails (--require-sig) unless --allow-hash accepts it.
 */
static bool verify_defaults(struct prog_sign_opts *o)
{
	if (!(o->mode & PROG_SO_VERIFY))
		return true;
	if (o->allow_hash && (o->verify_flags & IMACTL_VERIFY_REQUIRE_SIG)) {
		prog_err("%s: --allow-hash and --require-sig exclude each other", o->cmd->name);
		return false;
	}
	if (o->n_certs && !o->allow_hash)
		o->verify_flags |= IMACTL_VERIFY_REQUIRE_SIG;
	return true;
}

int prog_sign_getopt(struct prog_sign_opts *o, int argc, char *argv[], const char *shortopts,
		     const struct option *longopts, const int *repeatable)
{
	int c, ret;

	for (;;) {
		c = prog_getopt(o->cmd, argc, argv, shortopts, longopts);
		if (c == -1)
			return verify_defaults(o) ? c : '?';
		if (c == '?')
			return c;
		if (!repeatable_option(o, c, repeatable) &&
		    !prog_once(o->cmd, &o->seen, c, longopts))
			return '?';
		ret = take_option(o, c, optarg);
		if (ret < 0)
			return '?';
		if (ret == 0)
			return c;
	}
}

bool prog_sign_opts_check(struct prog_sign_opts *o)
{
	const struct imactl_sign_params *sp = &o->sign;
	const char *name = o->cmd->name;

	o->sign.target_bits = o->target_bits;
	if (o->n_certs && o->have_keyid) {
		prog_err("%s: --cert and --keyid exclude each other", name);
		return false;
	}
	if ((sp->flags & IMACTL_SIGN_SIGV3) && sp->ima != IMACTL_IMA_SIG) {
		prog_err("%s: --sigv3 needs --ima sig", name);
		return false;
	}
	if ((sp->flags & IMACTL_SIGN_SIGV3) && !prog_verity_algo(sp->hash_algo)) {
		prog_err("%s: --sigv3 signs the fs-verity digest: --hash sha256 or sha512", name);
		return false;
	}
	if (sp->ima == IMACTL_IMA_NONE && sp->evm == IMACTL_EVM_NONE) {
		prog_err("%s: --ima none and --evm none: nothing to do", name);
		return false;
	}
	if (!o->key_path && (sp->ima == IMACTL_IMA_SIG || sp->evm != IMACTL_EVM_NONE)) {
		prog_err("%s: --key is required for signatures", name);
		return false;
	}
	if (o->no_cache && (o->cache_dir || o->cache_size)) {
		prog_err("%s: --no-cache excludes --cache and --cache-size", name);
		return false;
	}
	return true;
}

/* $XDG_CACHE_HOME/imactl or ~/.cache/imactl (the parent created); NULL: none. */
static char *default_cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir = NULL, *parent = NULL;

	if (xdg && xdg[0] == '/')
		parent = strdup(xdg);
	else if (!home || home[0] != '/' || asprintf(&parent, "%s/.cache", home) < 0)
		parent = NULL;
	if (!parent)
		return NULL;
	if (mkdir(parent, 0700) < 0 && errno != EEXIST) {
		free(parent);
		return NULL;
	}
	if (asprintf(&dir, "%s/imactl", parent) < 0)
		dir = NULL;
	free(parent);
	return dir;
}

bool prog_sign_opts_open_cache(struct prog_sign_opts *o)
{
	struct imactl_ctx *ctx = o->ctx;
	char *dir = NULL;
	int ret;

	o->sign.cache = o->cache = NULL;
	if (o->no_cache || (o->sign.ima != IMACTL_IMA_SIG && o->sign.evm == IMACTL_EVM_NONE))
		return true;
	if (o->cache_dir) {
		ret = imactl_sigcache_open(ctx, o->cache_dir, o->cache_size, &o->cache);
		if (ret < 0)
			prog_err("%s: --cache %s cannot be used (--no-cache signs without it)",
				 o->cmd->name, o->cache_dir);
		o->sign.cache = o->cache;
		return ret == 0;
	}
	/* root builds images: a cache only when asked for (see --help) */
	if (geteuid() == 0)
		return true;
	dir = default_cache_dir();
	if (dir && imactl_sigcache_open(ctx, dir, o->cache_size, &o->cache) < 0)
		prog_err("warning: %s: signing without the signature cache %s", o->cmd->name, dir);
	free(dir);
	o->sign.cache = o->cache;
	return true;
}

bool prog_sign_opts_close_cache(struct prog_sign_opts *o, struct imactl_sigcache_stats *s)
{
	if (o->cache)
		imactl_sigcache_flush(o->ctx, o->cache); /* its failures are counted */
	imactl_sigcache_get_stats(o->cache, s);
	if (!o->cache)
		return false;
	imactl_sigcache_close(o->cache);
	o->sign.cache = o->cache = NULL;
	return true;
}

void prog_print_cache_stats(FILE *f, const char *cmd, const struct imactl_sigcache_stats *s)
{
	fprintf(f,
		"%s: signatures: %llu reused from the cache, %llu verified with the key, "
		"%llu newly signed, %llu cache entries rejected\n",
		cmd, (unsigned long long)s->reused, (unsigned long long)s->verified,
		(unsigned long long)s->signed_new, (unsigned long long)s->rejected);
}

int prog_sign_opts_load_key(struct prog_sign_opts *o)
{
	if (!o->key_path)
		return 0;
	return prog_load_key(o->ctx, o->key_path, o->n_certs ? o->certs[0] : NULL,
			     o->have_keyid ? &o->keyid : NULL, o->pass_file, &o->key);
}
