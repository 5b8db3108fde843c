// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl kconfig check: does a kernel .config have what IMA/EVM need? */
#include "prog_kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_FEATURES = PROG_K_END,
	OPT_CERT,
};

static const struct option longopts[] = {
	{ "features", required_argument, NULL, OPT_FEATURES },
	{ "cert", required_argument, NULL, OPT_CERT },
	PROG_KERNEL_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* Options of @kc that Linux @kernel (0: the .config's own version) does not have. */
static int version_checks(struct imactl_ctx *ctx, const char *path, const struct imactl_kconfig *kc,
			  unsigned int kernel, size_t *errors)
{
	struct imactl_diag *d = NULL;
	size_t n = 0;
	int ret;

	if (!kernel)
		kernel = imactl_kconfig_version(kc);
	if (!kernel || kernel < IMACTL_KERNEL_OLDEST)
		return 0;
	ret = imactl_kconfig_check_kernel(ctx, kc, kernel, &d, &n);
	if (ret < 0) {
		prog_file_err(path, "%s", strerror(-ret));
		return EXIT_OPERATIONAL;
	}
	for (size_t i = 0; i < n; i++) {
		prog_print_diag(path, &d[i]);
		*errors += d[i].severity == IMACTL_DIAG_ERROR;
	}
	imactl_diags_free(d, n);
	return 0;
}

static int run_check(const struct imactl_command *cmd, int argc, char *argv[])
{
	unsigned int features = IMACTL_KFEAT_IMA | IMACTL_KFEAT_APPRAISE | IMACTL_KFEAT_EVM;
	struct prog_kernel_opts o = { .cmd = cmd };
	struct imactl_kconfig *kc = NULL;
	struct imactl_diag *d = NULL;
	struct imactl_ctx *ctx = NULL;
	size_t n = 0, errors = 0, cert_errors = 0;
	const char *path, *bad, *cert = NULL;
	size_t bad_len;
	int c, ret, status = EXIT_OK;

	while ((c = prog_kernel_getopt(&o, argc, argv, longopts)) != -1) {
		switch (c) {
		case OPT_FEATURES:
			if (imactl_kconfig_feature_parse(optarg, &features, &bad, &bad_len) < 0) {
				prog_err("kconfig check: unknown feature '%.*s' (ima, appraise, "
					 "evm, "
					 "signed-policy, modsign, tpm, all)",
					 (int)bad_len, bad);
				return prog_bad_option(cmd);
			}
			break;
		case OPT_CERT:
			cert = optarg;
			break;
		default:
			return prog_option_exit(cmd, c);
		}
	}
	if (!prog_operands(cmd, argc, ".config", true))
		return prog_bad_option(cmd);
	path = argv[optind];
	if (prog_ctx_new(&ctx, 0, false) < 0)
		return EXIT_OPERATIONAL;
	if (prog_read_kconfig(ctx, path, &kc) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	ret = imactl_kconfig_check(ctx, kc, features, &d, &n);
	if (ret < 0) {
		prog_file_err(path, "%s", strerror(-ret));
		status = EXIT_OPERATIONAL;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		prog_print_diag(path, &d[i]);
		errors += d[i].severity == IMACTL_DIAG_ERROR;
	}
	status = version_checks(ctx, path, kc, o.kernel, &errors);
	if (!status && cert)
		status = prog_kernel_cert_check(ctx, cert, kc, o.kernel, o.sigv3, &cert_errors);
	if (status)
		goto out;
	if (!o.quiet)
		printf("%s: %zu missing or wrong option%s (%zu required)\n", path, n,
		       n == 1 ? "" : "s", errors);
	if (cert && !o.quiet)
		printf("%s: %s\n", cert,
		       cert_errors ? "this kernel cannot verify IMA signatures made with its key"
				   : "this kernel can verify IMA signatures made with its key");
	status = errors || cert_errors ? EXIT_VERIFY : EXIT_OK;
out:
	imactl_diags_free(d, n);
	imactl_kconfig_free(kc);
	imactl_ctx_free(ctx);
	return status;
}

static const struct imactl_command kconfig_check = {
	.name = "kconfig check",
	.func = run_check,
	.summary = "check a kernel .config for IMA/EVM",
	.usage = "[--features LIST] [--kernel VERSION] [--cert CERT [--sigv3]] [--quiet] .config\n"
		 "\n"
		 "Lists the options the chosen features need that the .config lacks or sets\n"
		 "wrongly, each with the feature that needs it and why.  Fragments that\n"
		 "provide them: kernel/ima.cfg, evm.cfg, modsign.cfg, tpm.cfg, evm-hmac.cfg.\n"
		 "  --features LIST  comma-separated: ima, appraise, evm, signed-policy,\n"
		 "                   modsign, tpm, evm-hmac (EVM HMAC with a TPM-sealed\n"
		 "                   key: imactl evm-key), all (default: ima,appraise,evm)\n"
		 "  --kernel VERSION the kernel it is for (5.4 or newer; default: the version in\n"
		 "                   the .config's header): warns about options that kernel\n"
		 "                   does not have\n"
		 "  --cert CERT      can that kernel verify IMA signatures made with CERT's key\n"
		 "                   at all? (ECDSA needs CRYPTO_ECDSA built in and 5.13, RSA\n"
		 "                   CRYPTO_RSA); errors make the exit code 1\n"
		 "  --sigv3          with --cert: sigv3 signatures (fs-verity: 5.19, FS_VERITY)\n"
		 "  -q, --quiet      no summary line\n"
		 "\n"
		 "Exit: 0 nothing required is missing (warnings may be printed); 1 a required\n"
		 "option is missing or wrong; 2 usage; 3 the file cannot be read.\n",
};

const struct imactl_command cmd_kconfig =
	PROG_GROUP("kconfig", "check a kernel .config for IMA/EVM", &kconfig_check);
