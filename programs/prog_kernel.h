/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by kconfig check and cert check: what a given kernel can verify. */
#ifndef IMACTL_PROG_KERNEL_H
#define IMACTL_PROG_KERNEL_H

#include "prog.h"

/*
 * The options cert check and kconfig check share: --kernel VERSION, --sigv3,
 * -q/--quiet, --help; a command's own options are numbered from PROG_K_END.
 */
enum { PROG_K_KERNEL = 1, PROG_K_SIGV3, PROG_K_QUIET, PROG_K_HELP, PROG_K_END };
#define PROG_KERNEL_LONGOPTS                                                                       \
	{ "kernel", required_argument, NULL, PROG_K_KERNEL },                                      \
		{ "sigv3", no_argument, NULL, PROG_K_SIGV3 },                                      \
		{ "quiet", no_argument, NULL, PROG_K_QUIET },                                      \
	{                                                                                          \
		"help", no_argument, NULL, PROG_K_HELP                                             \
	}

/* What the shared options said; @cmd and @seen (0) are set by the caller. */
struct prog_kernel_opts {
	const struct imactl_command *cmd;
	unsigned int kernel; /* --kernel VERSION; 0 when not given */
	bool sigv3, quiet;
	unsigned long long seen; /* prog_once() */
};
/*
 * prog_next_option() (with -q for --quiet) that takes the shared options
 * itself and returns the command's own ones, PROG_OPT_HELP, -1 at the end,
 * or '?' (after a message) for an unknown, bad or repeated option.
 */
int prog_kernel_getopt(struct prog_kernel_opts *o, int argc, char *argv[],
		       const struct option *longopts);

/*
 * Can Linux @kernel (0: from the .config's header, or unknown) with the
 * .config @kc (NULL: unknown) verify IMA signatures made with the key of
 * certificate @cert_path (@sigv3: sigv3 signatures)?  Prints one diagnostic
 * line per finding, naming @cert_path, and adds the errors to *@errors.
 * Return: 0, or an exit code (EXIT_OPERATIONAL: the certificate cannot be read).
 */
int prog_kernel_cert_check(struct imactl_ctx *ctx, const char *cert_path,
			   const struct imactl_kconfig *kc, unsigned int kernel, bool sigv3,
			   size_t *errors);

/* --kernel VERSION (5.4 or newer): false after a usage message. */
bool prog_parse_kernel(const struct imactl_command *cmd, const char *arg, unsigned int *version);

/* Reads and parses the kernel .config @path; prints why not.  0 or -errno. */
int prog_read_kconfig(struct imactl_ctx *ctx, const char *path, struct imactl_kconfig **kc_ret);

#endif
