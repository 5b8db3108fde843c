// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared by kconfig check and cert check: what a given kernel can verify. */
#include "prog_kernel.h"

#include <stdlib.h>
#include <string.h>

bool prog_parse_kernel(const struct imactl_command *cmd, const char *arg, unsigned int *version)
{
	if (imactl_policy_kernel_parse(arg, version) == 0)
		return true;
	prog_err("%s: --kernel wants a version like 6.1 (5.4 or newer), not '%s'", cmd->name, arg);
	return false;
}

int prog_kernel_getopt(struct prog_kernel_opts *o, int argc, char *argv[],
		       const struct option *longopts)
{
	int c;

	while ((c = prog_getopt(o->cmd, argc, argv, "q", longopts)) != -1) {
		if (c == 'q')
			c = PROG_K_QUIET;
		if (c == '?' || !prog_once(o->cmd, &o->seen, c, longopts))
			return '?';
		switch (c) {
		case PROG_K_KERNEL:
			if (!prog_parse_kernel(o->cmd, optarg, &o->kernel))
				return '?';
			break;
		case PROG_K_SIGV3:
			o->sigv3 = true;
			break;
		case PROG_K_QUIET:
			o->quiet = true;
			break;
		case PROG_K_HELP:
			return PROG_OPT_HELP;
		default:
			return c;
		}
	}
	return -1;
}

int prog_read_kconfig(struct imactl_ctx *ctx, const char *path, struct imactl_kconfig **kc_ret)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = prog_read_file(path, 64u << 20, &buf, &len);
	if (ret < 0) {
		prog_file_err(path, "cannot read: %s", strerror(-ret));
		return ret;
	}
	ret = imactl_kconfig_parse(ctx, buf, len, kc_ret);
	free(buf);
	if (ret < 0)
		prog_file_err(path, "%s", strerror(-ret));
	return ret;
}

int prog_kernel_cert_check(struct imactl_ctx *ctx, const char *cert_path,
			   const struct imactl_kconfig *kc, unsigned int kernel, bool sigv3,
			   size_t *errors)
{
	struct imactl_cert *cert = NULL;
	struct imactl_diag *d = NULL;
	size_t n = 0;
	int ret;

	ret = imactl_cert_load(ctx, cert_path, &cert);
	if (ret < 0) {
		prog_file_err(cert_path, "%s", prog_file_error(ret));
		return EXIT_OPERATIONAL;
	}
	ret = imactl_kernel_cert_check(ctx, cert, kc, kernel, sigv3 ? IMACTL_CERT_SIGV3 : 0, &d,
				       &n);
	imactl_cert_free(cert);
	if (ret < 0) {
		prog_file_err(cert_path, "%s", strerror(-ret));
		return EXIT_OPERATIONAL;
	}
	for (size_t i = 0; i < n; i++) {
		prog_print_diag(cert_path, &d[i]);
		*errors += d[i].severity == IMACTL_DIAG_ERROR;
	}
	imactl_diags_free(d, n);
	return 0;
}
