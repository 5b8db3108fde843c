// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl import: load a certificate into the keyring IMA/EVM use. */
#include "prog.h"

#include <errno.h>
#include <string.h>

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

/* What the kernel's refusal means for a certificate. */
static const char *refusal(int err, const char *keyring)
{
	switch (err) {
	case -EBADMSG:
		return "the kernel cannot parse it as an X.509 certificate";
	case -ENOPKG:
		return "the kernel lacks its public key or signature algorithm "
		       "(a module not loaded or not built)";
	case -ENOENT:
		/* both mean ENOENT in the kernel's asymmetric key code */
		return "the kernel has no implementation of its key or signature "
		       "algorithm, or the keyring is restricted to certificates "
		       "signed by keys it trusts and the signer is not among them";
	case -ENOKEY:
		return keyring[0] == '.'
			       ? "the keyring only accepts certificates signed by a key in the "
				 "kernel's builtin or secondary trusted keyring, and the signer "
				 "is not there"
			       : "the keyring is restricted to certificates signed by keys it "
				 "trusts, and the signer is not among them";
	case -EKEYREJECTED:
		return "the kernel rejected it (bad signature, or not allowed as a CA "
		       "or signing key by the keyring's restriction)";
	case -EACCES:
	case -EPERM:
		return "no permission to add keys to the keyring";
	case -EDQUOT:
		return "the key quota of this user is exhausted";
	case -EOPNOTSUPP:
		return "the kernel has no asymmetric key type (CONFIG_ASYMMETRIC_KEY_TYPE)";
	case -ENODEV:
		return "the kernel does not know the key type";
	default:
		return strerror(-err);
	}
}

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	unsigned long long seen = 0;
	struct imactl_cert *cert = NULL;
	struct imactl_ctx *ctx = NULL;
	const char *path, *name;
	int32_t ring = 0, serial = 0;
	int c, ret, verbose = 0;

	while ((c = prog_next_option(cmd, argc, argv, "v", longopts, &seen)) != -1) {
		switch (c) {
		case 'v':
			verbose = 1;
			break;
		default:
			return prog_option_exit(cmd, c);
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		prog_err("import: CERT and optionally KEYRING expected");
		return prog_bad_option(cmd);
	}
	path = argv[optind];
	name = argc - optind == 2 ? argv[optind + 1] : "ima";
	if (prog_ctx_new(&ctx, verbose, false) < 0)
		return EXIT_OPERATIONAL;
	ret = imactl_cert_load(ctx, path, &cert);
	if (ret < 0)
		goto out; /* the library named the file and the cause */
	ret = imactl_kernel_keyring(ctx, name, true, &ring);
	if (ret < 0) {
		prog_err("import: keyring %s: %s", name,
			 ret == -ENOENT	   ? "no such keyring (see /proc/keys)"
			 : ret == -ENOTDIR ? "not a keyring"
					   : strerror(-ret));
		goto out;
	}
	ret = imactl_kernel_import_cert(ctx, cert, ring, &serial);
	if (ret < 0) {
		prog_file_err(path, "the kernel refused the certificate for keyring %s: %s", name,
			      refusal(ret, name));
		goto out;
	}
	printf("%d\n", serial);
out:
	imactl_cert_free(cert);
	imactl_ctx_free(ctx);
	return ret < 0 ? EXIT_OPERATIONAL : EXIT_OK;
}

const struct imactl_command cmd_import = {
	.name = "import",
	.func = run,
	.summary = "load a certificate into the kernel keyring IMA or EVM uses",
	.usage =
		"[-v] CERT [KEYRING]\n"
		"\n"
		"Adds the X.509 certificate CERT (PEM or DER) to a kernel keyring as an\n"
		"\"asymmetric\" key and prints the new key's serial.  KEYRING is:\n"
		"  ima, evm (default: ima)  the trusted .ima/.evm keyring when the kernel has\n"
		"                          one (CONFIG_INTEGRITY_TRUSTED_KEYRING), else _ima/_evm\n"
		"  .ima, .evm, .NAME       that kernel keyring (as listed in /proc/keys)\n"
		"  _ima, _evm, NAME        a keyring in the user keyring, created when absent;\n"
		"                          where IMA/EVM look without a trusted keyring\n"
		"  NUMBER                  a keyring serial\n"
		"When the kernel refuses the certificate, the message says why (as far as\n"
		"the kernel tells): e.g. .ima only accepts certificates signed by a key in\n"
		"the kernel's trusted keyrings.\n"
		"\n"
		"  -v, --verbose   say which keyring was used or created\n"
		"\n"
		"Exit: 0 imported; 3 the certificate could not be read or the kernel\n"
		"refused it; 2 usage error.\n",
};
