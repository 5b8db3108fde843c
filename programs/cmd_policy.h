/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What imactl policy check, load and coverage share: options, reading a policy. */
#ifndef IMACTL_CMD_POLICY_H
#define IMACTL_CMD_POLICY_H

#include "prog.h"

#include <stdint.h>

#define POLICY_MAX (16u << 20)

enum {
	OPT_KERNEL = 1,
	OPT_KCONFIG,
	OPT_STRICT,
	OPT_QUIET,
	OPT_BY_PATH,
	OPT_SECURITYFS,
	OPT_POLICY,
	OPT_CERT,
	OPT_EVM,
	OPT_NO_EVM,
	OPT_XATTR_USER,
	OPT_FSMAGIC,
	OPT_FSNAME,
	OPT_FSUUID,
	OPT_HELP,
};

/* The options every policy subcommand takes (last in its table). */
#define POLICY_COMMON_OPTIONS                                                                      \
	{ "kernel", required_argument, NULL, OPT_KERNEL },                                         \
		{ "kconfig", required_argument, NULL, OPT_KCONFIG },                               \
		{ "quiet", no_argument, NULL, OPT_QUIET },                                         \
		{ "xattr-user", no_argument, NULL, OPT_XATTR_USER },                               \
		{ "help", no_argument, NULL, OPT_HELP },                                           \
	{                                                                                          \
		NULL, 0, NULL, 0                                                                   \
	}

/* ... and their help text. */
#define POLICY_COMMON_HELP                                                                         \
	"  --kernel VERSION   the kernel that will load it (5.4 or newer; default: newest)\n"      \
	"  --kconfig FILE     its .config: rules that need a missing option are errors\n"          \
	"  --xattr-user       read user.ima/user.evm instead of security.* (tests)\n"

struct policy_args {
	struct imactl_policy_options popts;
	const char *kconfig_path;
	const char *securityfs;
	const char *policy;
	char **certs;
	int ncerts;
	bool strict, quiet, by_path, evm, no_evm, xattr_user;
	unsigned long fsmagic;
	const char *fsname;
	uint8_t fsuuid[16];
	bool have_fsuuid;
	struct imactl_kconfig *kconfig;
};

/*
 * Parses the options of a policy subcommand (@longopts: the ones it takes),
 * makes a context and calls @fn with the arguments after the options.
 * Return: the exit code.
 */
int policy_run(const struct imactl_command *cmd, int argc, char *argv[],
	       const struct option *longopts,
	       int (*fn)(const struct imactl_command *cmd, struct imactl_ctx *ctx, int argc,
			 char *argv[], struct policy_args *a));

/* Reads --kconfig FILE, if given, into a->popts. Return: 0, -errno (reported). */
int policy_load_kconfig(struct imactl_ctx *ctx, struct policy_args *a);

/* Does @path carry an IMA signature (then it can be loaded by path)? */
bool policy_has_ima_signature(const char *path, bool user);

/*
 * Reads and checks one policy file, printing its diagnostics; the file's
 * bytes and the parsed policy are returned when @buf_ret / @pol_ret are set.
 * Return: exit code (0 clean, 1 errors or --strict warnings, 3 unreadable).
 */
int policy_check_file(struct imactl_ctx *ctx, const char *path, struct policy_args *a,
		      char **buf_ret, size_t *len_ret, struct imactl_policy **pol_ret);

#endif
