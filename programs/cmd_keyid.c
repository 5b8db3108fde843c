// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl keyid: the keyid the kernel will use for a certificate. */
#include "prog.h"

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct imactl_cert *cert = NULL;
	struct imactl_ctx *ctx = NULL;
	int c, ret;

	while ((c = prog_getopt(cmd, argc, argv, "", longopts)) != -1) {
		if (c == 'h')
			return prog_usage(cmd, stdout);
		return prog_bad_option(cmd);
	}
	if (argc - optind != 1) {
		prog_err("keyid: exactly one CERT expected");
		return prog_bad_option(cmd);
	}
	if (prog_ctx_new(&ctx, 0, false) < 0)
		return EXIT_OPERATIONAL;
	ret = imactl_cert_load(ctx, argv[optind], &cert);
	if (ret == 0)
		printf("%08x\n", imactl_cert_keyid(cert));
	imactl_cert_free(cert);
	imactl_ctx_free(ctx);
	return ret < 0 ? EXIT_OPERATIONAL : EXIT_OK;
}

const struct imactl_command cmd_keyid = {
	.name = "keyid",
	.func = run,
	.summary = "print the keyid the kernel uses for a certificate",
	.usage = "CERT\n"
		 "\n"
		 "Prints the 32-bit keyid (8 hex digits) that signatures made for CERT carry:\n"
		 "the last 4 bytes of its subjectKeyIdentifier, else bytes 16..19 of SHA-1\n"
		 "over its public key.  CERT may be PEM or DER.\n"
		 "\n"
		 "Exit: 0; 3 when CERT cannot be read.\n",
};
