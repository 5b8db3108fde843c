// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl policy coverage: which files below a root would a policy refuse? */
#include "cmd_policy.h"
#include "tree_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

struct coverage {
	struct imactl_ctx *ctx;
	const struct imactl_policy *pol;
	const struct imactl_keyring *kr;
	const struct policy_args *a;
	bool evm;		  /* EVM checked (the default; not with --no-evm) */
	unsigned int target_bits; /* for EVM */
	unsigned long files, appraised, denied, skipped;
	unsigned long evm_unchecked; /* --no-evm: appraised files that carry security.evm */
	unsigned int lsm_skipped;
	char **denials; /* "DENY /PATH: ..." lines, printed sorted by path */
	size_t n_denials;
	int status;
};

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

static int add_denial(struct coverage *c, const char *rel, const char *reason,
		      const struct imactl_policy_rule *rule, int hook)
{
	char *line = NULL, **n;

	n = realloc(c->denials, (c->n_denials + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	c->denials = n;
	if (asprintf(&line, "DENY /%s: %s (line %u: %s; %s)", rel, reason, rule->line, rule->text,
		     imactl_policy_func_name(hook)) < 0)
		return -ENOMEM;
	c->denials[c->n_denials++] = line;
	return 0;
}

static bool is_hash_type(enum imactl_xattr_type t)
{
	return t == IMACTL_XATTR_IMA_DIGEST || t == IMACTL_XATTR_IMA_DIGEST_NG;
}

/* What the appraise rules that select a file ask of it. */
struct appraisal {
	const struct imactl_policy_rule *rule; /* the strictest; NULL: not appraised */
	int hook;
	bool need_sig, verity;
	unsigned int algos;
};

/*
 * The appraise rules that select file @e (mode, owner, group, path) on each
 * hook that opens it (the process is assumed to be root); decisions that
 * skipped LSM rules are added to *@lsm_skipped when it is not NULL.
 */
static void appraisal_of(const struct coverage *cov, const struct imactl_tree_entry *e,
			 struct appraisal *ap, unsigned int *lsm_skipped)
{
	const struct policy_args *a = cov->a;
	const char *rel = e->path + strspn(e->path, "/");
	bool exec = (e->mode & 0111) != 0;
	const struct {
		int func;
		unsigned int mask;
		bool applies;
	} hooks[] = {
		{ IMACTL_FUNC_FILE_CHECK, IMACTL_MAY_READ, true },
		{ IMACTL_FUNC_BPRM_CHECK, IMACTL_MAY_EXEC, exec },
		{ IMACTL_FUNC_MMAP_CHECK, IMACTL_MAY_EXEC, exec || is_library(rel) },
		{ IMACTL_FUNC_MMAP_CHECK_REQPROT, IMACTL_MAY_EXEC, exec || is_library(rel) },
		{ IMACTL_FUNC_MODULE_CHECK, IMACTL_MAY_READ, is_module(rel) },
		{ IMACTL_FUNC_FIRMWARE_CHECK, IMACTL_MAY_READ,
		  strstr(rel, "lib/firmware/") != NULL },
	};
	struct imactl_policy_subject s = {
		.fsmagic = a->fsmagic,
		.fsname = a->fsname,
		.fsuuid = a->have_fsuuid ? a->fsuuid : NULL,
		.fowner = e->uid,
		.fgroup = e->gid,
	};

	memset(ap, 0, sizeof(*ap));
	ap->hook = -1;
	for (size_t i = 0; i < ARRAY_LEN(hooks); i++) {
		const struct imactl_policy_rule *r;
		int idx;

		if (!hooks[i].applies)
			continue;
		s.func = hooks[i].func;
		s.mask = hooks[i].mask;
		idx = imactl_policy_appraise_rule(cov->pol, &s, lsm_skipped);
		if (idx < 0 || cov->pol->rules[idx].action != IMACTL_ACT_APPRAISE)
			continue;
		r = &cov->pol->rules[idx];
		/* the strictest matching appraise rule decides what is needed */
		if (!ap->rule || ((r->cond & IMACTL_OPT_DIGSIG) && !ap->need_sig)) {
			ap->rule = r;
			ap->hook = hooks[i].func;
		}
		if (r->cond & IMACTL_OPT_DIGSIG)
			ap->need_sig = true;
		if (r->cond & IMACTL_OPT_VERITY)
			ap->verity = true;
		if (r->cond & IMACTL_OPT_ALGOS)
			ap->algos = r->algos;
	}
}

/*
 * The walk's select.fn: every regular file is counted and matched against
 * the rules, and only those an appraise rule selects are opened and
 * verified (the others are reported back as excluded).
 */
static int appraised_only(void *data, const struct imactl_tree_entry *e)
{
	struct coverage *cov = data;
	struct appraisal ap;

	cov->files++;
	appraisal_of(cov, e, &ap, &cov->lsm_skipped);
	return ap.rule ? 0 : IMACTL_TREE_LEAVE;
}

/* 0 when the verified file @r meets what @ap asks, else why not in @r. */
static int meets(const struct coverage *cov, const struct appraisal *ap, int status,
		 struct imactl_verify_result *r, char *why, size_t size)
{
	if (!cov->evm)
		status = r->ima_status;
	if (status == 0 && ap->need_sig && is_hash_type(r->ima_type)) {
		status = r->ima_status = -EBADMSG;
		r->ima_reason = "only a hash, a signature is required";
	}
	if (status == 0 && ap->verity && r->ima_type != IMACTL_XATTR_IMA_VERITY_SIG) {
		status = -EBADMSG;
		r->ima_reason = "digest_type=verity needs an fs-verity signature (sigv3)";
	}
	if (status == 0 && ap->algos && !(ap->algos & (1u << r->ima_algo))) {
		status = -EBADMSG;
		snprintf(why, size, "hash algorithm %s is not in appraise_algos=",
			 imactl_hash_algo_name(r->ima_algo));
		r->ima_reason = why;
	}
	return status;
}

/*
 * One entry of the library's walk (imactl_tree_verify(): descriptors, no
 * symbolic link followed, each appraised file verified once with EVM as
 * asked and without a signature requirement); the rules that appraise the
 * file decide what it needs.
 */
static int visit(void *data, const struct imactl_tree_entry *e)
{
	struct coverage *cov = data;
	const char *rel = e->path + strspn(e->path, "/");
	struct imactl_verify_result r;
	struct appraisal ap;
	char why[256], buf[256];
	const char *reason;
	int ret;

	if (e->kind == IMACTL_TREE_EXCLUDED && runtime_mount(rel)) {
		cov->skipped++;
		return 0;
	}
	if (e->kind == IMACTL_TREE_DIR && e->status) {
		prog_err("%s: %s", e->path, prog_file_error(e->status));
		cov->status = prog_worse(cov->status, EXIT_OPERATIONAL);
		return 0;
	}
	if (e->kind != IMACTL_TREE_FILE)
		return 0;
	if (!e->verify) {
		prog_err("%s: cannot check: %s", e->path, prog_file_error(e->status));
		cov->status = prog_worse(cov->status, EXIT_OPERATIONAL);
		return 0;
	}
	appraisal_of(cov, e, &ap, NULL);
	if (!ap.rule)
		return 0;
	cov->appraised++;
	r = *e->verify;
	/* --no-evm: EVM was read only to count the values left unchecked */
	if (!cov->evm && r.evm_status != -ENODATA)
		cov->evm_unchecked++;
	ret = meets(cov, &ap, e->status, &r, why, sizeof(why));
	if (ret == 0)
		return 0;
	if (ret != -EBADMSG && ret != -ENOKEY && ret != -ENODATA) {
		prog_err("%s: cannot check: %s", e->path, prog_file_error(ret));
		cov->status = prog_worse(cov->status, EXIT_OPERATIONAL);
		return 0;
	}
	cov->denied++;
	cov->status = prog_worse(cov->status, EXIT_VERIFY);
	reason = r.ima_status == 0 && ret != -EBADMSG ? (r.evm_reason ? r.evm_reason : "EVM failed")
		 : r.ima_status == 0 && r.ima_reason
			 ? r.ima_reason
			 : deny_reason(&r, r.ima_status ? r.ima_status : ret, buf, sizeof(buf));
	return add_denial(cov, rel, reason, ap.rule, ap.hook);
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
		signed_now = policy_has_ima_signature(path, c->a->xattr_user);
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

static void print_summary(const struct coverage *c, unsigned long runtime)
{
	printf("%lu files, %lu appraised, %lu would be denied\n", c->files, c->appraised,
	       c->denied);
	if (c->evm)
		printf("checked: the policy's appraise rules (IMA) and EVM portable signatures "
		       "(%u-bit target)\n",
		       c->target_bits);
	else
		printf("checked: the policy's appraise rules (IMA) only; EVM not checked "
		       "(--no-evm)\n");
	if (c->evm_unchecked)
		printf("note: %lu appraised files carry security.evm: a kernel with EVM enabled "
		       "checks them, and they were not checked\n",
		       c->evm_unchecked);
	if (runtime)
		printf("%lu files written at runtime would be refused after they change\n",
		       runtime);
	if (c->lsm_skipped)
		printf("note: %u decisions skipped rules with LSM labels (they depend on the "
		       "running LSM)\n",
		       c->lsm_skipped);
	if (c->skipped)
		printf("note: proc, sys, dev, run are pseudo filesystems at runtime: not "
		       "checked\n");
}

static int coverage(const struct imactl_command *cmd, struct imactl_ctx *ctx, int argc,
		    char *argv[], struct policy_args *a)
{
	struct imactl_keyring *kr = NULL;
	struct imactl_policy *pol = NULL;
	struct coverage c = { .ctx = ctx, .a = a };
	unsigned long runtime;
	const char *root;
	int status;

	if (!a->policy || optind != argc - 1) {
		prog_err("%s: --policy FILE and one ROOT directory", cmd->name);
		return prog_bad_option(cmd);
	}
	root = argv[optind];
	if (a->evm && a->no_evm) {
		prog_err("%s: --evm and --no-evm exclude each other", cmd->name);
		return prog_bad_option(cmd);
	}
	if (policy_load_kconfig(ctx, a) < 0)
		return EXIT_OPERATIONAL;
	a->quiet = true;
	status = policy_check_file(ctx, a->policy, a, NULL, NULL, &pol);
	if (status == EXIT_OPERATIONAL)
		return status;
	if (pol->n_errors) {
		prog_file_err(a->policy, "the kernel would refuse this policy; no coverage");
		status = EXIT_VERIFY;
		goto out;
	}
	if (prog_load_keyring(ctx, a->certs, a->ncerts, &kr) < 0) {
		prog_err("%s: cannot load the certificates", cmd->name);
		status = EXIT_OPERATIONAL;
		goto out;
	}
	c.pol = pol;
	c.kr = kr;
	/* the boot checks EVM whenever the kernel has an EVM key: a prediction
	 * without it would be weaker than the boot, so it is the default */
	c.evm = !a->no_evm;
	c.target_bits = 0; /* auto: from ROOT's init or C library, else 64 (noted) */
	tree_resolve_bits(ctx, root, false, false, &c.target_bits);
	c.status = EXIT_OK;
	{
		static const char *const pseudo[] = { "/proc", "/sys", "/dev", "/run" };
		struct imactl_tree_params tp = {
			.exclude = pseudo,
			.n_exclude = ARRAY_LEN(pseudo),
			.keyring = kr,
			.verify_flags = IMACTL_VERIFY_EVM,
			.target_bits = c.target_bits,
			.fn = visit,
			.fn_data = &c,
			.select = { .fn = appraised_only },
		};
		int ret;

		/* per-file details are printed as DENY lines, not as library messages */
		imactl_set_log_priority(ctx, IMACTL_LOG_ERR - 1);
		ret = imactl_tree_verify(ctx, root, &tp, NULL);
		if (ret < 0 && ret != -EIO && ret != -EBADMSG) {
			prog_file_err(root, "%s",
				      ret == -ECANCELED ? strerror(ENOMEM) : strerror(-ret));
			c.status = EXIT_OPERATIONAL;
		}
	}
	if (c.n_denials)
		qsort(c.denials, c.n_denials, sizeof(*c.denials), cmp_lines);
	for (size_t i = 0; i < c.n_denials; i++)
		printf("%s\n", c.denials[i]);
	runtime = check_runtime_files(&c, root);
	if (runtime)
		c.status = prog_worse(c.status, EXIT_VERIFY);
	print_summary(&c, runtime);
	status = c.status;
out:
	for (size_t i = 0; i < c.n_denials; i++)
		free(c.denials[i]);
	free(c.denials);
	imactl_keyring_free(kr);
	imactl_policy_free(pol);
	return status;
}

static const struct option coverage_options[] = {
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "evm", no_argument, NULL, OPT_EVM },
	{ "no-evm", no_argument, NULL, OPT_NO_EVM },
	{ "fsmagic", required_argument, NULL, OPT_FSMAGIC },
	{ "fsname", required_argument, NULL, OPT_FSNAME },
	{ "fsuuid", required_argument, NULL, OPT_FSUUID },
	POLICY_COMMON_OPTIONS,
};

static int run_coverage(const struct imactl_command *cmd, int argc, char *argv[])
{
	return policy_run(cmd, argc, argv, coverage_options, coverage);
}

const struct imactl_command policy_coverage = {
	.name = "policy coverage",
	.func = run_coverage,
	.summary = "list the files below a root directory a policy would refuse",
	.usage = "--policy FILE [--cert CERT]... [OPTIONS] ROOT\n"
		 "\n"
		 "Applies the appraise rules of --policy to the regular files below ROOT\n"
		 "(owner, group, exec bit, libraries, modules, firmware; the process is\n"
		 "assumed to be root) and lists the files the kernel would refuse: unsigned,\n"
		 "only a hash where a signature is required, bad or unknown-key signature,\n"
		 "and (unless --no-evm) a missing or bad EVM portable signature: a kernel\n"
		 "with an EVM key refuses those too (EVM is checked by default, so the\n"
		 "prediction is never weaker than such a boot).  The summary says which\n"
		 "checks were made.  Only the files an appraise rule selects are opened\n"
		 "and verified; the others are counted, never read.\n"
		 "\n"
		 "  --policy FILE      the policy (checked first: errors stop here)\n"
		 "  --cert CERT        a certificate the kernel will have (repeatable)\n"
		 "  --evm              require a valid EVM portable signature (the default)\n"
		 "  --no-evm           the target boots without EVM: check IMA only (files\n"
		 "                     that carry security.evm anyway are counted in a note)\n"
		 "  --fsmagic HEX, --fsname NAME, --fsuuid UUID   the filesystem ROOT becomes\n"
		 "                     (default ext4 0xef53, no UUID: fsuuid= rules never match)\n"
		 "  -q, --quiet        accepted (coverage prints no policy summary "
		 "anyway)\n" POLICY_COMMON_HELP "\n"
		 "Exit: 0 every file passes; 1 files denied (or the policy has errors); 2 usage;\n"
		 "3 operational error.\n",
};
