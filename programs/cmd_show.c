// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl show: decode security.ima and security.evm. */
#include "output.h"
#include "prog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

enum { OPT_XATTR_USER = 1, OPT_HELP };

static const struct option longopts[] = {
	{ "xattr-user", no_argument, NULL, OPT_XATTR_USER },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Prints one value; returns an exit code. */
static int show_value(const char *path, const char *name)
{
	struct imactl_xattr_value v;
	uint8_t buf[65536];
	const char *why = NULL;
	ssize_t n;

	/* lgetxattr: show what a link itself carries, never its target */
	n = lgetxattr(path, name, buf, sizeof(buf));
	if (n < 0) {
		if (errno == ENODATA || errno == ENOTSUP) {
			printf("  %s: none\n", name);
			return EXIT_OK;
		}
		prog_file_err(path, "%s: %s", name, strerror(errno));
		return EXIT_OPERATIONAL;
	}
	if (imactl_xattr_decode(buf, n, &v, &why) < 0) {
		printf("  %s: malformed (%zd bytes, type 0x%02x): %s\n", name, n, n ? buf[0] : 0,
		       why);
		prog_file_err(path, "%s is malformed: %s", name, why);
		return EXIT_VERIFY;
	}
	printf("  %s: %s", name, prog_xattr_type_name(v.type));
	if (v.sig) {
		printf(", %s, keyid %08x, %zu-byte signature\n", imactl_hash_algo_name(v.algo),
		       v.keyid, v.sig_len);
	} else {
		printf(", %s ", imactl_hash_algo_name(v.algo));
		hex_print(stdout, v.digest, v.digest_len);
		printf("\n");
	}
	return EXIT_OK;
}

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	unsigned long long seen = 0;
	const char *ima = "security.ima", *evm = "security.evm";
	int status = EXIT_OK, c;

	while ((c = prog_next_option(cmd, argc, argv, "", longopts, &seen)) != -1) {
		switch (c) {
		case OPT_XATTR_USER:
			ima = "user.ima";
			evm = "user.evm";
			break;
		default:
			return prog_option_exit(cmd, c);
		}
	}
	if (!prog_operands(cmd, argc, "FILE", false))
		return prog_bad_option(cmd);
	for (int i = optind; i < argc; i++) {
		printf("%s:\n", argv[i]);
		status = prog_worse(status, show_value(argv[i], ima));
		status = prog_worse(status, show_value(argv[i], evm));
	}
	return status;
}

const struct imactl_command cmd_show = {
	.name = "show",
	.func = run,
	.summary = "decode security.ima and security.evm of files",
	.usage = "[--xattr-user] FILE...\n"
		 "\n"
		 "Prints type, version, algorithm, keyid and sizes of each file's values.\n"
		 "\n"
		 "  --xattr-user   read user.ima/user.evm\n"
		 "\n"
		 "Exit: 0; 1 when a value is malformed; 3 when a file cannot be read.\n",
};
