// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl policy load: check a policy, then write it to the kernel. */
#include "cmd_policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The rule the kernel refused: the line that starts at @off. */
static void report_refused(const char *path, const char *buf, size_t len, size_t off,
			   const struct imactl_policy *pol)
{
	unsigned int line = 1;
	size_t start = off < len ? off : len, end;

	for (size_t i = 0; i < start; i++)
		line += buf[i] == '\n';
	end = start;
	while (end < len && buf[end] != '\n')
		end++;
	fprintf(stderr, "%s:%u: error: the kernel refused this rule: %.*s\n", path, line,
		(int)(end - start), buf + start);
	for (size_t i = 0; i < pol->n_diags; i++)
		if (pol->diags[i].line == line)
			prog_print_diag(path, &pol->diags[i]);
	fprintf(stderr,
		"%s: note: the kernel kept none of the rules; its audit log has the rejected rule "
		"(type=INTEGRITY_POLICY_RULE ... res=0), dmesg 'policy update failed'\n",
		path);
}

static int load(const struct imactl_command *cmd, struct imactl_ctx *ctx, int argc, char *argv[],
		struct policy_args *a)
{
	struct imactl_policy *pol = NULL;
	char *buf = NULL, *abs = NULL, *target = NULL;
	const char *file, *data;
	size_t len = 0, dlen, off = 0;
	bool by_path;
	int status, ret;

	if (optind != argc - 1) {
		prog_err("%s: exactly one FILE", cmd->name);
		return prog_bad_option(cmd);
	}
	file = argv[optind];
	if (policy_load_kconfig(ctx, a) < 0)
		return EXIT_OPERATIONAL;
	by_path = a->by_path || policy_has_ima_signature(file, a->xattr_user);
	status = policy_check_file(ctx, file, a, &buf, &len, &pol);
	if (status != EXIT_OK) {
		if (status == EXIT_VERIFY)
			prog_file_err(file, "not loaded: the policy has errors");
		goto out;
	}
	if (asprintf(&target, "%s/ima/policy",
		     a->securityfs ? a->securityfs : "/sys/kernel/security") < 0) {
		target = NULL;
		status = EXIT_OPERATIONAL;
		goto out;
	}
	if (by_path) {
		abs = realpath(file, NULL);
		if (!abs) {
			prog_file_err(file, "%s", strerror(errno));
			status = EXIT_OPERATIONAL;
			goto out;
		}
		data = abs;
		dlen = strlen(abs);
	} else {
		data = buf;
		dlen = len;
	}
	ret = imactl_policy_write(ctx, target, data, dlen, &off);
	if (ret == 0) {
		if (!a->quiet)
			printf("%s: loaded into %s (%s)\n", file, target,
			       by_path ? "by path: the kernel appraises the signed file"
				       : "all rules in one open/write");
		goto out;
	}
	status = EXIT_OPERATIONAL;
	switch (ret) {
	case -ENOENT:
		prog_file_err(target,
			      "does not exist: securityfs is not mounted there, or a policy was "
			      "already loaded (kernels without CONFIG_IMA_WRITE_POLICY remove it "
			      "after the first load)");
		break;
	case -EBUSY:
		prog_file_err(target, "busy: another process has the policy file open");
		break;
	case -EACCES:
		if (by_path)
			prog_file_err(file, "refused by the kernel: its signature did not verify "
					    "(appraise func=POLICY_CHECK) or the file is not "
					    "readable by the kernel");
		else
			prog_file_err(file, "refused by the kernel: it requires a signed policy "
					    "loaded by path (sign it, then load it again; it is "
					    "then written by path)");
		break;
	case -EINVAL:
		status = EXIT_VERIFY;
		if (by_path)
			prog_file_err(file,
				      "refused by the kernel: a rule is invalid for this kernel "
				      "(the kernel does not say which; see its audit log)");
		else
			report_refused(file, buf, len, off, pol);
		break;
	default:
		prog_file_err(target, "%s", strerror(-ret));
	}
out:
	imactl_policy_free(pol);
	free(buf);
	free(abs);
	free(target);
	return status;
}

static const struct option load_options[] = {
	{ "by-path", no_argument, NULL, OPT_BY_PATH },
	{ "securityfs", required_argument, NULL, OPT_SECURITYFS },
	POLICY_COMMON_OPTIONS,
};

static int run_load(const struct imactl_command *cmd, int argc, char *argv[])
{
	return policy_run(cmd, argc, argv, load_options, load);
}

const struct imactl_command policy_load = {
	.name = "policy load",
	.func = run_load,
	.summary = "check a policy, then load it into the kernel",
	.usage = "[--securityfs DIR] [--by-path] FILE\n"
		 "\n"
		 "Checks FILE (as 'policy check'), then writes it to DIR/ima/policy: all rules\n"
		 "through one open (the kernel takes one rule per write; Debian's 6.1 accepts\n"
		 "one policy per boot), or, when FILE carries an IMA signature or --by-path is\n"
		 "given, its absolute path (the kernel appraises the file).  When the kernel\n"
		 "refuses a rule, names it (FILE:LINE).\n"
		 "\n"
		 "  --securityfs DIR   where securityfs is mounted (default /sys/kernel/security)\n"
		 "  --by-path          write the file's path, not its rules\n"
		 "  -q, --quiet        no message when the policy is loaded\n" POLICY_COMMON_HELP
		 "\n"
		 "Exit: 0 loaded; 1 the policy has errors or the kernel refused a rule; 2 usage;\n"
		 "3 operational error.\n",
};
