// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl cert check: is a certificate usable for IMA on a Linux kernel? */
#include "prog_kernel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	OPT_CA = PROG_K_END,
	OPT_AT,
	OPT_KCONFIG,
};

static const struct option longopts[] = {
	{ "ca", required_argument, NULL, OPT_CA },
	{ "at", required_argument, NULL, OPT_AT },
	{ "kconfig", required_argument, NULL, OPT_KCONFIG },
	PROG_KERNEL_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};

/* "YYYY-MM-DD" (midnight UTC) or "@SECONDS" since the epoch. */
static bool parse_at(const char *s, int64_t *at)
{
	struct tm tm = { 0 };
	const char *end;
	char *e;

	if (s[0] == '@') {
		errno = 0;
		*at = strtoll(s + 1, &e, 10);
		return !errno && *e == 0 && s[1] && *at > 0;
	}
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return false;
	*at = (int64_t)timegm(&tm);
	return *at > 0;
}

static const char *severity_name(int severity)
{
	switch (severity) {
	case IMACTL_LOG_ERR:
		return "error";
	case IMACTL_LOG_WARNING:
		return "warning";
	default:
		return "ok";
	}
}

/* The kernel a certificate is checked for (--kernel, --kconfig, --sigv3). */
struct kernel_args {
	unsigned int version;
	const char *kconfig;
	bool sigv3;
};

/* Can that kernel verify the signatures at all?  Adds its errors to *@errors. */
static int check_kernel(struct imactl_ctx *ctx, const char *cert, const struct kernel_args *k,
			size_t *errors)
{
	struct imactl_kconfig *kc = NULL;
	int ret;

	if (!k->version && !k->kconfig && !k->sigv3)
		return 0;
	if (k->kconfig && prog_read_kconfig(ctx, k->kconfig, &kc) < 0)
		return EXIT_OPERATIONAL;
	ret = prog_kernel_cert_check(ctx, cert, kc, k->version, k->sigv3, errors);
	imactl_kconfig_free(kc);
	return ret;
}

static int check(const char *cert, const char *ca, int64_t at, bool quiet,
		 const struct kernel_args *k)
{
	struct imactl_cert_report *r = NULL;
	struct imactl_ctx *ctx = NULL;
	size_t kernel_errors = 0;
	int ret;

	if (prog_ctx_new(&ctx, 0, false) < 0)
		return EXIT_OPERATIONAL;
	ret = imactl_cert_check(ctx, cert, ca, at, &r);
	if (ret < 0) {
		imactl_ctx_free(ctx);
		return EXIT_OPERATIONAL;
	}
	ret = check_kernel(ctx, cert, k, &kernel_errors);
	if (ret) {
		imactl_cert_report_free(r);
		imactl_ctx_free(ctx);
		return ret;
	}
	r->errors += kernel_errors;
	for (size_t i = 0; i < r->count; i++) {
		const struct imactl_cert_finding *f = &r->findings[i];

		if (quiet && f->severity > IMACTL_LOG_WARNING)
			continue;
		printf("%s: %s: %s\n", strcmp(f->subject, "ca") ? cert : ca,
		       severity_name(f->severity), f->text);
	}
	if (r->errors)
		printf("%s: NOT usable for IMA: %u error%s, %u warning%s\n", cert, r->errors,
		       r->errors == 1 ? "" : "s", r->warnings, r->warnings == 1 ? "" : "s");
	else
		printf("%s: usable for IMA, keyid %08x, %u warning%s\n", cert, r->keyid,
		       r->warnings, r->warnings == 1 ? "" : "s");
	ret = r->errors ? EXIT_VERIFY : EXIT_OK;
	imactl_cert_report_free(r);
	imactl_ctx_free(ctx);
	return ret;
}

static int run_check(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct prog_kernel_opts o = { .cmd = cmd };
	const char *ca = NULL;
	struct kernel_args k = { 0 };
	int64_t at = 0;
	int c;

	while ((c = prog_kernel_getopt(&o, argc, argv, longopts)) != -1) {
		switch (c) {
		case OPT_CA:
			ca = optarg;
			break;
		case OPT_AT:
			if (!parse_at(optarg, &at)) {
				prog_err("cert check: --at takes YYYY-MM-DD or @SECONDS, not '%s'",
					 optarg);
				return prog_bad_option(cmd);
			}
			break;
		case OPT_KCONFIG:
			k.kconfig = optarg;
			break;
		default:
			return prog_option_exit(cmd, c);
		}
	}
	if (!prog_operands(cmd, argc, "CERT", true))
		return prog_bad_option(cmd);
	k.version = o.kernel;
	k.sigv3 = o.sigv3;
	return check(argv[optind], ca, at, o.quiet, &k);
}

static const struct imactl_command cert_check = {
	.name = "cert check",
	.func = run_check,
	.summary = "check that a certificate is usable for IMA",
	.usage = "CERT [--ca CA] [--at DATE] [--kernel VERSION] [--kconfig .config] [--sigv3]\n"
		 "           [--quiet]\n"
		 "\n"
		 "Is CERT (PEM or DER) usable as an IMA signing key on a Linux kernel?\n"
		 "Checks the key type and size the kernel's asymmetric key parser accepts,\n"
		 "the algorithm CERT is signed with, keyUsage digitalSignature, CA:FALSE,\n"
		 "extendedKeyUsage, the subjectKeyIdentifier (and the keyid it yields, and\n"
		 "whether evmctl computes the same), the validity period, and with --ca the\n"
		 "chain: issuer, signature, authorityKeyIdentifier, and the CA's own\n"
		 "extensions, key and validity.  Prints one line per finding:\n"
		 "  CERT: error|warning|ok: WHAT AND WHY\n"
		 "and a last line saying whether CERT is usable.\n"
		 "\n"
		 "  --ca CA        the CA certificate that issued CERT (PEM or DER)\n"
		 "  --at DATE      check validity at DATE (YYYY-MM-DD, or @SECONDS since the\n"
		 "                 epoch) instead of now\n"
		 "  --kernel VERSION  can that kernel (5.4 or newer) verify IMA signatures\n"
		 "                 made with CERT's key at all? (ECDSA: from 5.13 on)\n"
		 "  --kconfig FILE its .config: the verifier for CERT's key must be built in\n"
		 "                 (CRYPTO_ECDSA, CRYPTO_RSA); the version is read from its\n"
		 "                 header when --kernel is not given\n"
		 "  --sigv3        the signatures are sigv3 (fs-verity: 5.19 and FS_VERITY)\n"
		 "  -q, --quiet    print only errors, warnings and the last line\n"
		 "\n"
		 "Exit: 0 usable (perhaps with warnings); 1 errors found; 3 a file cannot be\n"
		 "read or is not a certificate; 2 usage error.\n",
};

const struct imactl_command cmd_cert =
	PROG_GROUP("cert", "check that a certificate is usable for IMA", &cert_check);
