// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl policy check|load|coverage: know before boot what a policy will do. */
#include "prog.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define POLICY_MAX (16u << 20)

enum {
	OPT_KERNEL = 1,
	OPT_KCONFIG,
	OPT_STRICT,
	OPT_QUIET,
	OPT_BY_PATH,
	OPT_SECURITYFS,
	OPT_POLICY,
	OPT_CERT,
	OPT_EVM,
	OPT_XATTR_USER,
	OPT_FSMAGIC,
	OPT_FSNAME,
	OPT_FSUUID,
	OPT_HELP,
};

static const struct option longopts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "kconfig", required_argument, NULL, OPT_KCONFIG },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "by-path", no_argument, NULL, OPT_BY_PATH },
	{ "securityfs", required_argument, NULL, OPT_SECURITYFS },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "evm", no_argument, NULL, OPT_EVM },
	{ "xattr-user", no_argument, NULL, OPT_XATTR_USER },
	{ "fsmagic", required_argument, NULL, OPT_FSMAGIC },
	{ "fsname", required_argument, NULL, OPT_FSNAME },
	{ "fsuuid", required_argument, NULL, OPT_FSUUID },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char *sub;
	struct imactl_policy_options popts;
	const char *kconfig_path;
	const char *securityfs;
	const char *policy;
	char **certs;
	int ncerts;
	bool strict, quiet, by_path, evm, xattr_user;
	unsigned long fsmagic;
	const char *fsname;
	uint8_t fsuuid[16];
	bool have_fsuuid;
	struct imactl_kconfig *kconfig;
};

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

/* Options shared by the sub-commands; which ones each accepts is checked. */
static int parse_args(const struct imactl_command *cmd, int argc, char *argv[], struct args *a,
		      const char *allowed)
{
	unsigned long long seen = 0;
	char *end;
	int c;

	while ((c = prog_getopt(cmd, argc, argv, "q", longopts)) != -1) {
		if (c == 'q')
			c = OPT_QUIET;
		if (c == '?' || (c != OPT_HELP && !strchr(allowed, c)))
			return prog_bad_option(cmd);
		if (c != OPT_CERT && !prog_once(cmd, &seen, c, longopts))
			return prog_bad_option(cmd);
		switch (c) {
		case OPT_KERNEL:
			if (imactl_policy_kernel_parse(optarg, &a->popts.kernel) < 0) {
				prog_err("policy: --kernel wants a version like 6.1 (6.1 or "
					 "newer), not '%s'",
					 optarg);
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
		case OPT_XATTR_USER:
			a->xattr_user = true;
			break;
		case OPT_FSMAGIC:
			errno = 0;
			a->fsmagic = strtoul(optarg, &end, 16);
			if (errno || *end || end == optarg) {
				prog_err("policy: --fsmagic wants a hexadecimal number, not '%s'",
					 optarg);
				return prog_bad_option(cmd);
			}
			break;
		case OPT_FSNAME:
			a->fsname = optarg;
			break;
		case OPT_FSUUID:
			if (!parse_uuid(optarg, a->fsuuid)) {
				prog_err("policy: --fsuuid wants a UUID, not '%s'", optarg);
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

static int load_kconfig(struct imactl_ctx *ctx, struct args *a)
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

/* Does @path carry an IMA signature (then it can be loaded by path)? */
static bool has_ima_signature(const char *path, bool user)
{
	uint8_t v[IMACTL_MAX_XATTR_SIZE + 64];
	ssize_t n = lgetxattr(path, user ? "user.ima" : "security.ima", v, sizeof(v));

	return n > 0 && (v[0] == IMACTL_XATTR_DIGSIG || v[0] == IMACTL_XATTR_IMA_VERITY_SIG);
}

/*
 * Reads and checks one policy file, printing its diagnostics.
 * Return: exit code (0 clean, 1 errors or --strict warnings, 3 unreadable).
 */
static int check_file(struct imactl_ctx *ctx, const char *path, struct args *a, char **buf_ret,
		      size_t *len_ret, struct imactl_policy **pol_ret)
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
	if (has_ima_signature(path, a->xattr_user))
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

static int cmd_check(const struct imactl_command *cmd, struct imactl_ctx *ctx, int argc,
		     char *argv[], struct args *a)
{
	int status = EXIT_OK;

	if (optind >= argc) {
		prog_err("policy check: no FILE given");
		return prog_bad_option(cmd);
	}
	if (load_kconfig(ctx, a) < 0)
		return EXIT_OPERATIONAL;
	for (int i = optind; i < argc; i++)
		status = prog_worse(status, check_file(ctx, argv[i], a, NULL, NULL, NULL));
	return status;
}

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

static int cmd_load(const struct imactl_command *cmd, struct imactl_ctx *ctx, int argc,
		    char *argv[], struct args *a)
{
	struct imactl_policy *pol = NULL;
	char *buf = NULL, *abs = NULL, *target = NULL;
	const char *file, *data;
	size_t len = 0, dlen, off = 0;
	bool by_path;
	int status, ret;

	if (optind != argc - 1) {
		prog_err("policy load: exactly one FILE");
		return prog_bad_option(cmd);
	}
	file = argv[optind];
	if (load_kconfig(ctx, a) < 0)
		return EXIT_OPERATIONAL;
	by_path = a->by_path || has_ima_signature(file, a->xattr_user);
	status = check_file(ctx, file, a, &buf, &len, &pol);
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

/* ---- coverage --------------------------------------------------------------- */

struct coverage {
	struct imactl_ctx *ctx;
	const struct imactl_policy *pol;
	const struct imactl_keyring *kr;
	const struct args *a;
	size_t root_len;
	unsigned long files, appraised, denied, skipped;
	unsigned int lsm_skipped;
	int status;
};

static struct coverage *cov; /* nftw has no user pointer */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool is_module(const char *rel)
{
	return (strstr(rel, "lib/modules/") &&
		(has_suffix(rel, ".ko") || has_suffix(rel, ".ko.xz") ||
		 has_suffix(rel, ".ko.zst") || has_suffix(rel, ".ko.gz")));
}

static bool is_library(const char *rel)
{
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	return has_suffix(base, ".so") || strstr(base, ".so.");
}

/* Directories that are pseudo filesystems on a running system. */
static bool runtime_mount(const char *rel)
{
	static const char *const dirs[] = { "proc", "sys", "dev", "run" };

	for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
		size_t n = strlen(dirs[i]);

		if (!strncmp(rel, dirs[i], n) && (!rel[n] || rel[n] == '/'))
			return true;
	}
	return false;
}

static const char *deny_reason(const struct imactl_verify_result *r, int status, char *buf,
			       size_t size)
{
	if (status == -ENODATA)
		return "no security.ima (unsigned)";
	if (status == -ENOKEY) {
		snprintf(buf, size, "signed by an unknown key (keyid %08x)", r->ima_keyid);
		return buf;
	}
	if (r->ima_reason) {
		snprintf(buf, size, "%s", r->ima_reason);
		return buf;
	}
	return strerror(-status);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const struct args *a = cov->a;
	const char *rel = path + cov->root_len;
	struct imactl_policy_subject s = {
		.fsmagic = a->fsmagic,
		.fsname = a->fsname,
		.fsuuid = a->have_fsuuid ? a->fsuuid : NULL,
		.fowner = st->st_uid,
		.fgroup = st->st_gid,
	};
	struct {
		int func;
		unsigned int mask;
		bool applies;
	} hooks[] = {
		{ IMACTL_FUNC_FILE_CHECK, IMACTL_MAY_READ, true },
		{ IMACTL_FUNC_BPRM_CHECK, IMACTL_MAY_EXEC, (st->st_mode & 0111) != 0 },
		{ IMACTL_FUNC_MMAP_CHECK, IMACTL_MAY_EXEC,
		  (st->st_mode & 0111) || is_library(rel) },
		{ IMACTL_FUNC_MMAP_CHECK_REQPROT, IMACTL_MAY_EXEC,
		  (st->st_mode & 0111) || is_library(rel) },
		{ IMACTL_FUNC_MODULE_CHECK, IMACTL_MAY_READ, is_module(rel) },
		{ IMACTL_FUNC_FIRMWARE_CHECK, IMACTL_MAY_READ,
		  strstr(rel, "lib/firmware/") != NULL },
	};
	const struct imactl_policy_rule *rule = NULL;
	struct imactl_verify_result r;
	unsigned int flags = 0, algos = 0;
	bool verity = false;
	int hook = -1, fd, ret;
	char why[256];

	(void)ftw;
	while (*rel == '/')
		rel++;
	if (type == FTW_D && runtime_mount(rel) && *rel) {
		cov->skipped++;
		return FTW_SKIP_SUBTREE;
	}
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return FTW_CONTINUE;
	cov->files++;
	for (size_t i = 0; i < ARRAY_LEN(hooks); i++) {
		int idx;

		if (!hooks[i].applies)
			continue;
		s.func = hooks[i].func;
		s.mask = hooks[i].mask;
		idx = imactl_policy_appraise_rule(cov->pol, &s, &cov->lsm_skipped);
		if (idx < 0 || cov->pol->rules[idx].action != IMACTL_ACT_APPRAISE)
			continue;
		/* the strictest matching appraise rule decides what is needed */
		if (!rule || ((cov->pol->rules[idx].cond & IMACTL_OPT_DIGSIG) &&
			      !(flags & IMACTL_VERIFY_REQUIRE_SIG))) {
			rule = &cov->pol->rules[idx];
			hook = hooks[i].func;
		}
		if (cov->pol->rules[idx].cond & IMACTL_OPT_DIGSIG)
			flags |= IMACTL_VERIFY_REQUIRE_SIG;
		if (cov->pol->rules[idx].cond & IMACTL_OPT_VERITY)
			verity = true;
		if (cov->pol->rules[idx].cond & IMACTL_OPT_ALGOS)
			algos = cov->pol->rules[idx].algos;
	}
	if (!rule)
		return FTW_CONTINUE;
	cov->appraised++;
	if (a->evm)
		flags |= IMACTL_VERIFY_EVM;
	fd = imactl_open_regular(AT_FDCWD, path);
	if (fd < 0) {
		prog_file_err(path, "cannot check: %s", prog_file_error(fd));
		cov->status = prog_worse(cov->status, EXIT_OPERATIONAL);
		return FTW_CONTINUE;
	}
	prog_set_current_file(path);
	ret = imactl_verify_fd(cov->ctx, fd, cov->kr, flags, 64, &r);
	prog_set_current_file(NULL);
	close(fd);
	if (ret == 0 && verity && r.ima_type != IMACTL_XATTR_IMA_VERITY_SIG) {
		ret = -EBADMSG;
		r.ima_reason = "digest_type=verity needs an fs-verity signature (sigv3)";
	}
	if (ret == 0 && algos && !(algos & (1u << r.ima_algo))) {
		ret = -EBADMSG;
		snprintf(why, sizeof(why), "hash algorithm %s is not in appraise_algos=",
			 imactl_hash_algo_name(r.ima_algo));
		r.ima_reason = why;
	}
	if (ret == 0)
		return FTW_CONTINUE;
	if (ret != -EBADMSG && ret != -ENOKEY && ret != -ENODATA) {
		prog_file_err(path, "cannot check: %s", strerror(-ret));
		cov->status = prog_worse(cov->status, EXIT_OPERATIONAL);
		return FTW_CONTINUE;
	}
	cov->denied++;
	cov->status = prog_worse(cov->status, EXIT_VERIFY);
	{
		char buf[256];
		const char *reason = r.ima_status == 0 && ret != -EBADMSG
					     ? (r.evm_reason ? r.evm_reason : "EVM failed")
				     : r.ima_status == 0 && r.ima_reason == why ? why
				     : r.ima_status == 0 && r.ima_reason
					     ? r.ima_reason
					     : deny_reason(&r, r.ima_status ? r.ima_status : ret,
							   buf, sizeof(buf));

		printf("DENY /%s: %s (line %u: %s; %s)\n", rel, reason, rule->line, rule->text,
		       imactl_policy_func_name(hook));
	}
	return FTW_CONTINUE;
}

/*
 * Files systemd and the base system write at runtime, as root.  A signature
 * from the image no longer matches once they change, and the kernel cannot
 * re-sign them; a rule requiring a signature refuses the new ones.
 */
static const char *const runtime_files[] = {
	"etc/machine-id",
	"etc/adjtime",
	"etc/hostname",
	"etc/resolv.conf",
	"var/lib/systemd/random-seed",
	"var/lib/systemd/timesync/clock",
	"var/lib/dbus/machine-id",
	"var/log/wtmp",
	"var/log/btmp",
	"var/log/lastlog",
};

/* Reports the runtime-written files the policy appraises in a way that breaks. */
static unsigned long check_runtime_files(struct coverage *c, const char *root)
{
	unsigned long n = 0;

	for (size_t i = 0; i < ARRAY_LEN(runtime_files); i++) {
		struct imactl_policy_subject s = {
			.func = IMACTL_FUNC_FILE_CHECK,
			.mask = IMACTL_MAY_READ,
			.fsmagic = c->a->fsmagic,
			.fsname = c->a->fsname,
			.fsuuid = c->a->have_fsuuid ? c->a->fsuuid : NULL,
		};
		const struct imactl_policy_rule *r;
		char *path = NULL;
		bool signed_now;
		int idx;

		idx = imactl_policy_appraise_rule(c->pol, &s, NULL);
		if (idx < 0 || c->pol->rules[idx].action != IMACTL_ACT_APPRAISE)
			continue;
		r = &c->pol->rules[idx];
		if (asprintf(&path, "%s/%s", root, runtime_files[i]) < 0)
			continue;
		signed_now = has_ima_signature(path, c->a->xattr_user);
		if ((r->cond & IMACTL_OPT_DIGSIG) || signed_now) {
			printf("RUNTIME /%s: written at runtime by root; %s (line %u: %s)\n",
			       runtime_files[i],
			       (r->cond & IMACTL_OPT_DIGSIG)
				       ? "a new version can never be signed and is refused"
				       : "its signature from the image breaks when it changes",
			       r->line, r->text);
			n++;
		}
		free(path);
	}
	return n;
}

static int cmd_coverage(const struct imactl_command *cmd, struct imactl_ctx *ctx, int argc,
			char *argv[], struct args *a)
{
	struct imactl_keyring *kr = NULL;
	struct imactl_policy *pol = NULL;
	struct coverage c = { .ctx = ctx, .a = a };
	unsigned long runtime;
	const char *root;
	int status;

	if (!a->policy || optind != argc - 1) {
		prog_err("policy coverage: --policy FILE and one ROOT directory");
		return prog_bad_option(cmd);
	}
	root = argv[optind];
	if (load_kconfig(ctx, a) < 0)
		return EXIT_OPERATIONAL;
	a->quiet = true;
	status = check_file(ctx, a->policy, a, NULL, NULL, &pol);
	if (status == EXIT_OPERATIONAL)
		return status;
	if (pol->n_errors) {
		prog_file_err(a->policy, "the kernel would refuse this policy; no coverage");
		status = EXIT_VERIFY;
		goto out;
	}
	if (prog_load_keyring(ctx, a->certs, a->ncerts, &kr) < 0) {
		prog_err("policy coverage: cannot load the certificates");
		status = EXIT_OPERATIONAL;
		goto out;
	}
	c.pol = pol;
	c.kr = kr;
	c.root_len = strlen(root);
	c.status = EXIT_OK;
	cov = &c;
	if (nftw(root, visit, 32, FTW_PHYS | FTW_ACTIONRETVAL) < 0) {
		prog_file_err(root, "%s", strerror(errno));
		c.status = EXIT_OPERATIONAL;
	}
	cov = NULL;
	runtime = check_runtime_files(&c, root);
	if (runtime)
		c.status = prog_worse(c.status, EXIT_VERIFY);
	printf("%lu files, %lu appraised, %lu would be denied\n", c.files, c.appraised, c.denied);
	if (runtime)
		printf("%lu files written at runtime would be refused after they change\n",
		       runtime);
	if (c.lsm_skipped)
		printf("note: %u decisions skipped rules with LSM labels (they depend on the "
		       "running LSM)\n",
		       c.lsm_skipped);
	if (c.skipped)
		printf("note: proc, sys, dev, run are pseudo filesystems at runtime: not "
		       "checked\n");
	status = c.status;
out:
	imactl_keyring_free(kr);
	imactl_policy_free(pol);
	return status;
}

/* The options each sub-command takes. */
static const char check_opts[] = { OPT_KERNEL,	OPT_KCONFIG,	OPT_STRICT, OPT_QUIET,
				   OPT_BY_PATH, OPT_XATTR_USER, 0 };
static const char load_opts[] = { OPT_KERNEL,	  OPT_KCONFIG,	  OPT_QUIET, OPT_BY_PATH,
				  OPT_SECURITYFS, OPT_XATTR_USER, 0 };
static const char coverage_opts[] = {
	OPT_KERNEL,  OPT_KCONFIG, OPT_POLICY, OPT_CERT,	 OPT_EVM, OPT_XATTR_USER,
	OPT_FSMAGIC, OPT_FSNAME,  OPT_FSUUID, OPT_QUIET, 0
};

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct args a = { .fsmagic = 0xef53, .fsname = "ext4" };
	struct imactl_ctx *ctx = NULL;
	const char *allowed;
	int status;

	if (argc < 2) {
		prog_err("policy: which sub-command? (check, load, coverage)");
		return prog_usage(cmd, stderr);
	}
	a.sub = argv[1];
	if (!strcmp(a.sub, "--help") || !strcmp(a.sub, "help"))
		return prog_usage(cmd, stdout);
	if (!strcmp(a.sub, "check"))
		allowed = check_opts;
	else if (!strcmp(a.sub, "load"))
		allowed = load_opts;
	else if (!strcmp(a.sub, "coverage"))
		allowed = coverage_opts;
	else {
		prog_err("policy: unknown sub-command '%s' (check, load, coverage)", a.sub);
		return prog_bad_option(cmd);
	}
	a.certs = calloc(argc, sizeof(*a.certs));
	if (!a.certs)
		return EXIT_OPERATIONAL;
	status = parse_args(cmd, argc - 1, argv + 1, &a, allowed);
	if (status != EXIT_OK) {
		status = status < 0 ? EXIT_OK : status;
		goto out;
	}
	if (prog_ctx_new(&ctx, 0, a.xattr_user) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	if (!strcmp(a.sub, "check"))
		status = cmd_check(cmd, ctx, argc - 1, argv + 1, &a);
	else if (!strcmp(a.sub, "load"))
		status = cmd_load(cmd, ctx, argc - 1, argv + 1, &a);
	else
		status = cmd_coverage(cmd, ctx, argc - 1, argv + 1, &a);
out:
	imactl_kconfig_free(a.kconfig);
	imactl_ctx_free(ctx);
	free(a.certs);
	return status;
}

const struct imactl_command cmd_policy = {
	.name = "policy",
	.func = run,
	.summary = "check, load and simulate IMA policies",
	.usage = "check [--kernel VERSION] [--kconfig .config] [--strict] FILE...\n"
		 "       imactl policy load [--securityfs DIR] [--by-path] FILE\n"
		 "       imactl policy coverage --policy FILE [--cert CERT]... ROOT\n"
		 "\n"
		 "check: parses FILE as the kernel does (ima_parse_rule, ima_validate_rule) and\n"
		 "lints it.  Diagnostics: FILE:LINE:COLUMN: error|warning: reason [code].\n"
		 "  --kernel VERSION   the kernel that will load it (6.1 or newer; default: "
		 "newest)\n"
		 "  --kconfig FILE     its .config: rules that need a missing option are errors\n"
		 "  --strict           warnings are errors too\n"
		 "  --by-path          it will be loaded by path (signed): stricter file format\n"
		 "  A comment line '# imactl: allow CODE[,CODE]' right before a rule silences\n"
		 "  those warnings for that rule.\n"
		 "\n"
		 "load: checks FILE, then writes it to DIR/ima/policy (default DIR:\n"
		 "/sys/kernel/security): all rules through one open (the kernel takes one rule\n"
		 "per write; Debian's 6.1 accepts one policy per boot), or, when FILE carries an\n"
		 "IMA signature or --by-path is given, its absolute path (the kernel appraises\n"
		 "the file).  When the kernel refuses a rule, names it (FILE:LINE).\n"
		 "\n"
		 "coverage: applies the appraise rules of --policy to the regular files below\n"
		 "ROOT (owner, group, exec bit, libraries, modules, firmware; the process is\n"
		 "assumed to be root) and lists the files the kernel would refuse: unsigned,\n"
		 "only a hash where a signature is required, bad or unknown-key signature.\n"
		 "  --cert CERT        a certificate the kernel will have (repeatable)\n"
		 "  --evm              also require a valid EVM portable signature\n"
		 "  --fsmagic HEX, --fsname NAME, --fsuuid UUID   the filesystem ROOT becomes\n"
		 "                     (default ext4 0xef53, no UUID: fsuuid= rules never match)\n"
		 "  --xattr-user       read user.ima/user.evm (tests)\n"
		 "\n"
		 "Exit: 0 ok; 1 errors (check), refused (load), files denied (coverage);\n"
		 "2 usage; 3 operational error.\n",
};
