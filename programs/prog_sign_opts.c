// SPDX-License-Identifier: GPL-2.0-or-later
/* The options sign, sign-tree, verify and verify-tree share. */
#include "prog_sign_opts.h"
#include "tree_util.h"

#include <stdlib.h>
#include <string.h>

void prog_sign_opts_free(struct prog_sign_opts *o)
{
	free(o->certs);
	free(o->include);
	free(o->exclude);
	o->certs = NULL;
	o->include = o->exclude = NULL;
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

int prog_sign_getopt(struct prog_sign_opts *o, int argc, char *argv[], const char *shortopts,
		     const struct option *longopts, const int *repeatable)
{
	int c, ret;

	for (;;) {
		c = prog_getopt(o->cmd, argc, argv, shortopts, longopts);
		if (c == -1 || c == '?')
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
	return true;
}

int prog_sign_opts_load_key(struct imactl_ctx *ctx, const struct prog_sign_opts *o,
			    struct imactl_key **key_ret)
{
	*key_ret = NULL;
	if (!o->key_path)
		return 0;
	return prog_load_key(ctx, o->key_path, o->n_certs ? o->certs[0] : NULL,
			     o->have_keyid ? &o->keyid : NULL, o->pass_file, key_ret);
}
