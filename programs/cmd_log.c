// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * imactl log: verify, show and turn into a Keylime policy the kernel's IMA
 * measurement list.  The checks live in the library (lib/mlog*.c); each
 * subcommand is its own cmd_log_<name>.c.  This file dispatches to them and
 * holds what they share.
 */
#include "cmd_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#define SECURITYFS_MAGIC 0x73636673

int log_input_option(const struct imactl_command *cmd, int c, struct log_input *in)
{
	switch (c) {
	case OPT_LOG_FORMAT:
		if (!strcmp(optarg, "auto"))
			in->format = IMACTL_MLOG_FORMAT_AUTO;
		else if (!strcmp(optarg, "binary"))
			in->format = IMACTL_MLOG_FORMAT_BINARY;
		else if (!strcmp(optarg, "ascii"))
			in->format = IMACTL_MLOG_FORMAT_ASCII;
		else {
			prog_err("%s: --format takes auto, ascii or binary", cmd->name);
			return prog_bad_option(cmd);
		}
		return 0;
	case OPT_LOG_ENDIAN:
		if (!strcmp(optarg, "little"))
			in->mlog_flags = IMACTL_MLOG_LITTLE_ENDIAN;
		else if (!strcmp(optarg, "big"))
			in->mlog_flags = IMACTL_MLOG_BIG_ENDIAN;
		else if (strcmp(optarg, "auto") != 0) {
			prog_err("%s: --endian takes auto, little or big", cmd->name);
			return prog_bad_option(cmd);
		}
		return 0;
	case OPT_LOG_HELP:
		return prog_usage(cmd, stdout) == EXIT_OK ? -1 : EXIT_USAGE;
	}
	return LOG_OPT_OTHER;
}

int log_start(const struct imactl_command *cmd, int argc, char *argv[], struct imactl_ctx **ctx,
	      const char **log)
{
	if (optind != argc - 1) {
		prog_err("%s: exactly one LOG is needed (\"-\" for standard input)", cmd->name);
		return prog_bad_option(cmd);
	}
	*log = argv[optind];
	return prog_ctx_new(ctx, 0, false) < 0 ? EXIT_OPERATIONAL : 0;
}

/*
 * Newer kernels (not 6.6.87, 6.12.117: yes) make securityfs's
 * ima/binary_runtime_measurements and ascii_runtime_measurements symbolic
 * links to the sha1 lists beside them.  Those links are followed, and only
 * those: to a plain name in the same directory, a file on securityfs.
 */
static int open_securityfs_alias(const char *path)
{
	const char *slash = strrchr(path, '/');
	char target[256], *alt = NULL;
	struct statfs sf;
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	int fd;

	if (n <= 0 || !slash)
		return -ELOOP;
	target[n] = 0;
	if (strchr(target, '/') || !strcmp(target, ".") || !strcmp(target, ".."))
		return -ELOOP;
	if (asprintf(&alt, "%.*s/%s", (int)(slash - path), path, target) < 0)
		return -ENOMEM;
	fd = imactl_open_regular(AT_FDCWD, alt);
	free(alt);
	if (fd >= 0 && (fstatfs(fd, &sf) < 0 || sf.f_type != SECURITYFS_MAGIC)) {
		close(fd);
		fd = -ELOOP;
	}
	return fd;
}

int log_open(const char *path)
{
	int fd;

	if (!strcmp(path, "-"))
		return STDIN_FILENO;
	fd = imactl_open_regular(AT_FDCWD, path);
	if (fd == -ELOOP)
		fd = open_securityfs_alias(path);
	if (fd == -EINVAL) /* a pipe or character device given by name */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		prog_file_err(path, "cannot open: %s", prog_file_error(fd < -1 ? fd : -errno));
	return fd;
}

const struct imactl_command cmd_log =
	PROG_GROUP("log", "verify, show, or make a Keylime policy for IMA measurement lists",
		   &cmd_log_verify_sub, &cmd_log_show_sub, &cmd_log_keylime_sub);
