/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the "imactl log" subcommands share: the options that say how to
 * read a LOG, opening it, and printing helpers.  Each subcommand lives in
 * its own cmd_log_<name>.c with its own options.
 */
#ifndef IMACTL_CMD_LOG_H
#define IMACTL_CMD_LOG_H

#include "output.h"
#include "prog.h"

/* Option values of the shared options; a subcommand numbers its own from OPT_LOG_FIRST. */
enum {
	OPT_LOG_FORMAT = 1,
	OPT_LOG_ENDIAN,
	OPT_LOG_HELP,
	OPT_LOG_FIRST,
};

/* The getopt_long entries of the options every LOG-reading subcommand takes. */
#define LOG_INPUT_LONGOPTS                                                                         \
	{ "format", required_argument, NULL, OPT_LOG_FORMAT },                                     \
		{ "endian", required_argument, NULL, OPT_LOG_ENDIAN },                             \
	{                                                                                          \
		"help", no_argument, NULL, OPT_LOG_HELP                                            \
	}

/* How to read a LOG: --format and --endian. */
struct log_input {
	int format;
	unsigned int mlog_flags;
};

/* log_input_option(): @c is not one of LOG_INPUT_LONGOPTS. */
#define LOG_OPT_OTHER (-2)

/*
 * Handles option @c if it is one of LOG_INPUT_LONGOPTS (optarg is its
 * argument).  Return: 0, -1 (--help was printed), an exit code, or
 * LOG_OPT_OTHER.
 */
int log_input_option(const struct imactl_command *cmd, int c, struct log_input *in);

/*
 * After the options: exactly one LOG (argv[optind]) and a new context.
 * Return: 0 or an exit code.
 */
int log_start(const struct imactl_command *cmd, int argc, char *argv[], struct imactl_ctx **ctx,
	      const char **log);

/* Opens LOG ("-": standard input); prints the error. Return: fd or negative. */
int log_open(const char *path);

extern const struct imactl_command cmd_log_verify_sub;
extern const struct imactl_command cmd_log_show_sub;
extern const struct imactl_command cmd_log_keylime_sub;

#endif
