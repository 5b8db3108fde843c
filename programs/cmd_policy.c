// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl policy check|load|coverage: know before boot what a policy will do. */
#include "cmd_policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

static bool parse_uuid(const char *s, uint8_t out[16])
{
	int n = 0;

	for (; *s && n < 32; s++) {
		int d;

		if (*s == '-')
			continue;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		out[n / 2] = (n & 1) ? (out[n / 2] | d) : (d << 4);
		n++;
	}
	return n == 32 && !*s;
}

/* getopt refuses the options @longopts (those of this subcommand) lacks. */
static int parse_args(const struct imactl_command *cmd, int argc, char *argv[],
		      const struct option *longopts, struct policy_args *a)
{
	unsigned long long seen = 0;
	char *end;
	int c;

	while ((c = prog_getopt(cmd, argc, argv, "q", longopts)) != -1) {
		if (c == 'q')
			c = OPT_QUIET;
		if (c == '?')
			return prog_bad_option(cmd);
		if (c != OPT_CERT && !prog_once(cmd, &seen, c, longopts))
			return prog_bad_option(cmd);
		switch (c) {
		case OPT_KERNEL:
			if (imactl_policy_kernel_parse(optarg, &a->popts.kernel) < 0) {
				prog_err("%s: --kernel wants a version like 6.1 (5.4 or "
					 "newer), not '%s'",
					 cmd->name, optarg);
				return prog_bad_option(cmd);
			}
			break;
		case OPT_KCONFIG:
			a->kconfig_path = optarg;
			break;
		case OPT_STRICT:
			a->strict = true;
			break;
		case OPT_QUIET:
			a->quiet = true;
			break;
		case OPT_BY_PATH:
			a->by_path = true;
			break;
		case OPT_SECURITYFS:
			a->securityfs = optarg;
			break;
		case OPT_POLICY:
			a->policy = optarg;
			break;
		case OPT_CERT:
			a->certs[a->ncerts++] = optarg;
			break;
		case OPT_EVM:
			a->evm = true;
			break;
		case OPT_NO_EVM:
			a->no_evm = true;
			break;
		case OPT_XATTR_USER:
			a->xattr_user = true;
			break;
		case OPT_FSMAGIC:
			errno = 0;
			a->fsmagic = strtoul(optarg, &end, 16);
			if (errno || *end || end == optarg) {
				prog_err("%s: --fsmagic wants a hexadecimal number, not '%s'",
					 cmd->name, optarg);
				return prog_bad_option(cmd);
			}
			break;
		case OPT_FSNAME:
			a->fsname = optarg;
			break;
		case OPT_FSUUID:
			if (!parse_uuid(optarg, a->fsuuid)) {
				prog_err("%s: --fsuuid wants a UUID, not '%s'", cmd->name, optarg);
				return prog_bad_option(cmd);
			}
			a->have_fsuuid = true;
			break;
		case OPT_HELP:
			return prog_usage(cmd, stdout) == EXIT_OK ? -1 : EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

int policy_run(const struct imactl_command *cmd, int argc, char *argv[],
	       const struct option *longopts,
	       int (*fn)(const struct imactl_command *cmd, struct imactl_ctx *ctx, int argc,
			 char *argv[], struct policy_args *a))
{
	struct policy_args a = { .fsmagic = 0xef53, .fsname = "ext4" };
	struct imactl_ctx *ctx = NULL;
	int status;

	a.certs = calloc(argc, sizeof(*a.certs));
	if (!a.certs)
		return EXIT_OPERATIONAL;
	status = parse_args(cmd, argc, argv, longopts, &a);
	if (status != EXIT_OK) {
		status = status < 0 ? EXIT_OK : status;
		goto out;
	}
	if (prog_ctx_new(&ctx, 0, a.xattr_user) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	status = fn(cmd, ctx, argc, argv, &a);
out:
	imactl_kconfig_free(a.kconfig);
	imactl_ctx_free(ctx);
	free(a.certs);
	return status;
}

int policy_load_kconfig(struct imactl_ctx *ctx, struct policy_args *a)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (!a->kconfig_path)
		return 0;
	ret = prog_read_file(a->kconfig_path, 64u << 20, &buf, &len);
	if (ret < 0) {
		prog_file_err(a->kconfig_path, "cannot read: %s", strerror(-ret));
		return ret;
	}
	ret = imactl_kconfig_parse(ctx, buf, len, &a->kconfig);
	free(buf);
	if (ret < 0)
		prog_file_err(a->kconfig_path, "%s", strerror(-ret));
	a->popts.kconfig = a->kconfig;
	return ret;
}

bool policy_has_ima_signature(const char *path, bool user)
{
	uint8_t v[IMACTL_MAX_XATTR_SIZE + 64];
	ssize_t n = lgetxattr(path, user ? "user.ima" : "security.ima", v, sizeof(v));

	return n > 0 && (v[0] == IMACTL_XATTR_DIGSIG || v[0] == IMACTL_XATTR_IMA_VERITY_SIG);
}

int policy_check_file(struct imactl_ctx *ctx, const char *path, struct policy_args *a,
		      char **buf_ret, size_t *len_ret, struct imactl_policy **pol_ret)
{
	struct imactl_policy_options o = a->popts;
	struct imactl_policy *pol = NULL;
	char *buf = NULL;
	size_t len = 0, nrules = 0;
	int ret;

	ret = prog_read_file(path, POLICY_MAX, &buf, &len);
	if (ret < 0) {
		prog_file_err(path, "cannot read: %s",
			      ret == -EFBIG ? "larger than 16 MiB" : strerror(-ret));
		return EXIT_OPERATIONAL;
	}
	if (a->by_path)
		o.flags |= IMACTL_POLICY_BY_PATH;
	if (policy_has_ima_signature(path, a->xattr_user))
		o.flags |= IMACTL_POLICY_SIGNED | IMACTL_POLICY_BY_PATH;
	ret = imactl_policy_parse(ctx, buf, len, &o, &pol);
	if (ret < 0) {
		prog_file_err(path, "%s", strerror(-ret));
		free(buf);
		return EXIT_OPERATIONAL;
	}
	for (size_t i = 0; i < pol->n_diags; i++)
		prog_print_diag(path, &pol->diags[i]);
	for (size_t i = 0; i < pol->n_rules; i++)
		nrules += pol->rules[i].valid;
	if (!a->quiet)
		printf("%s: %zu rule%s, %zu error%s, %zu warning%s\n", path, pol->n_rules,
		       pol->n_rules == 1 ? "" : "s", pol->n_errors, pol->n_errors == 1 ? "" : "s",
		       pol->n_warnings, pol->n_warnings == 1 ? "" : "s");
	ret = (pol->n_errors || (a->strict && pol->n_warnings)) ? EXIT_VERIFY : EXIT_OK;
	if (buf_ret) {
		*buf_ret = buf;
		*len_ret = len;
	} else {
		free(buf);
	}
	if (pol_ret)
		*pol_ret = pol;
	else
		imactl_policy_free(pol);
	return ret;
}

static int check(const struct imactl_command *cmd, struct imactl_ctx *ctx, int argc, char *argv[],
		 struct policy_args *a)
{
	int status = EXIT_OK;

	if (optind >= argc) {
		prog_err("%s: no FILE given", cmd->name);
		return prog_bad_option(cmd);
	}
	if (policy_load_kconfig(ctx, a) < 0)
		return EXIT_OPERATIONAL;
	for (int i = optind; i < argc; i++)
		status = prog_worse(status, policy_check_file(ctx, argv[i], a, NULL, NULL, NULL));
	return status;
}

static const struct option check_options[] = {
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "by-path", no_argument, NULL, OPT_BY_PATH },
	POLICY_COMMON_OPTIONS,
};

static int run_check(const struct imactl_command *cmd, int argc, char *argv[])
{
	return policy_run(cmd, argc, argv, check_options, check);
}

static const struct imactl_command policy_check = {
	.name = "policy check",
	.func = run_check,
	.summary = "check a policy as the kernel will parse it, and lint it",
	.usage = "[--kernel VERSION] [--kconfig .config] [--strict] [--by-path] FILE...\n"
		 "\n"
		 "Parses FILE as the kernel does (ima_parse_rule, ima_validate_rule) and\n"
		 "lints it.  Diagnostics: FILE:LINE:COLUMN: error|warning: reason [code].\n"
		 "A comment line '# imactl: allow CODE[,CODE]' right before a rule silences\n"
		 "those warnings for that rule.\n"
		 "\n"
		 "  --strict           warnings are errors too\n"
		 "  --by-path          it will be loaded by path (signed): stricter file format\n"
		 "  -q, --quiet        no summary line per FILE\n" POLICY_COMMON_HELP "\n"
		 "Exit: 0 clean; 1 errors (or warnings with --strict); 2 usage; 3 a FILE cannot\n"
		 "be read.\n",
};

extern const struct imactl_command policy_load, policy_coverage;

const struct imactl_command cmd_policy =
	PROG_GROUP("policy", "check, load and simulate IMA policies", &policy_check, &policy_load,
		   &policy_coverage);
