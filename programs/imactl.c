// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl: dispatch to one command from a const table. */
#include "prog.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#ifndef IMACTL_VERSION
#define IMACTL_VERSION "unknown"
#endif

static const struct imactl_command *const commands[] = {
	&cmd_sign,	   &cmd_verify,		&cmd_hash,	  &cmd_show,	    &cmd_keyid,
	&cmd_policy,	   &cmd_kconfig,	&cmd_sign_tree,	  &cmd_verify_tree, &cmd_sign_image,
	&cmd_verify_image, &cmd_apply_manifest, &cmd_import,	  &cmd_log,	    &cmd_keygen,
	&cmd_cert,	   &cmd_hmac,		&cmd_label_image, &cmd_evm_key,
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: imactl COMMAND [OPTIONS] ARGS...\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		fprintf(f, "  %-14s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f,
		"\n'imactl help COMMAND' or 'imactl COMMAND --help' for details.\n"
		"Exit codes: 0 ok, 1 verification failed, 2 usage error, 3 operational error.\n");
}

static const struct imactl_command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

int main(int argc, char *argv[])
{
	const struct imactl_command *cmd;
	const struct rlimit no_core = { 0, 0 };

	/* private keys and passphrases live in this process: no core dumps */
	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0);
	prog_take_env_password();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("imactl %s\n", IMACTL_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc == 2) {
			usage(stdout);
			return EXIT_OK;
		}
		cmd = find_command(argv[2]);
		if (cmd && argc == 4 && cmd->subs)
			cmd = prog_find_sub(cmd, argv[3]);
		else if (argc > 3)
			cmd = NULL;
		if (!cmd) {
			prog_err("help: unknown command '%s%s%s'", argv[2], argc > 3 ? " " : "",
				 argc > 3 ? argv[3] : "");
			return EXIT_USAGE;
		}
		return prog_usage(cmd, stdout);
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		prog_err("unknown command '%s'", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return cmd->func(cmd, argc - 1, argv + 1);
}
