// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl verify-tree: audit the IMA/EVM values of a whole tree. */
#include "output.h"
#include "prog_sign_opts.h"
#include "tree_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct option longopts[] = {
	PROG_SO_LONGOPTS_VERIFY,
	PROG_SO_LONGOPTS_TREE,
	PROG_SO_LONGOPTS_VERIFY_TREE,
	{ NULL, 0, NULL, 0 },
};

/*
 * hmac: the IMA value verifies and security.evm is an EVM HMAC, which only
 * the device's key can check (the kernel does): not "good", not "unsigned".
 * Like hash-only, a problem when a signature is required (--cert without
 * --allow-hash): anyone can write a hash and 21 bytes.
 */
enum class { C_GOOD, C_HASH_ONLY, C_BAD, C_UNSIGNED, C_UNKNOWN_KEY, C_ERROR, C_HMAC, C_COUNT };

static const char *const class_names[C_COUNT] = {
	"good", "hash-only", "bad", "unsigned", "unknown-key", "error", "hmac",
};

struct problem {
	char *path; /* escaped, ROOT-relative */
	enum class cls;
	char *what;
};

struct state {
	const char *root;
	bool image; /* verify-image */
	bool json;
	bool require_sig, evm;
	uint64_t counts[C_COUNT];
	struct problem *problems;
	size_t n, alloc;
	int err;
	struct tree_progress progress;
};

static bool is_hash(enum imactl_xattr_type t)
{
	return t == IMACTL_XATTR_IMA_DIGEST || t == IMACTL_XATTR_IMA_DIGEST_NG;
}

static enum class class_of_status(int s) {
	switch (s){
		case 0 : return C_GOOD; case -EBADMSG : return C_BAD;
		case -ENOKEY : return C_UNKNOWN_KEY;
		case -ENODATA : return C_UNSIGNED;
		default : return C_ERROR;
	}
}

/* The worst of the IMA and EVM outcomes: error > bad > unknown key > unsigned. */
static enum class classify(const struct imactl_tree_entry *e, bool evm) {
	static const int rank[C_COUNT] = { [C_GOOD] = 0,
					   [C_HASH_ONLY] = 0,
					   [C_HMAC] = 0,
					   [C_UNSIGNED] = 1,
					   [C_UNKNOWN_KEY] = 2,
					   [C_BAD] = 3,
					   [C_ERROR] = 4 };
	const struct imactl_verify_result *r = e->verify;
	enum class a, b;

	if (!r) return C_ERROR;
	a = class_of_status(r->ima_status);
	b = evm && !r->evm_hmac ? class_of_status(r->evm_status) : C_GOOD;
	if (rank[b] > rank[a]) a = b;
	if (a == C_GOOD && r->evm_hmac) a = C_HMAC;
	if (a == C_GOOD && is_hash(r->ima_type)) a = C_HASH_ONLY;
	return a;
}

static char *describe(const struct imactl_tree_entry *e, enum class cls, bool evm)
{
	const struct imactl_verify_result *r = e->verify;
	char ima[160] = "", ev[160] = "", *out = NULL;

	if (!r) {
		if (asprintf(&out, "%s", prog_file_error(e->status)) < 0)
			return NULL;
		return out;
	}
	if (cls == C_HMAC) {
		if (asprintf(&out, "evm: an HMAC, only the device's EVM key can check it (ima: %s)",
			     is_hash(r->ima_type) ? "a hash, matching" : "a valid signature") < 0)
			return NULL;
		return out;
	}
	if (cls == C_HASH_ONLY)
		snprintf(ima, sizeof(ima), "ima: only a hash, a signature is required");
	else if (r->ima_status)
		snprintf(ima, sizeof(ima), "ima: %s%s",
			 r->ima_reason ? r->ima_reason : strerror(-r->ima_status), "");
	if (r->ima_status == -ENOKEY ||
	    (r->ima_status == -EBADMSG &&
	     (r->ima_type == IMACTL_XATTR_DIGSIG || r->ima_type == IMACTL_XATTR_IMA_VERITY_SIG)))
		snprintf(ima + strlen(ima), sizeof(ima) - strlen(ima), " (keyid %08x)",
			 r->ima_keyid);
	if (evm && r->evm_status) {
		snprintf(ev, sizeof(ev), "evm: %s",
			 r->evm_reason ? r->evm_reason : strerror(-r->evm_status));
		if (r->evm_status == -ENOKEY ||
		    (r->evm_status == -EBADMSG && r->evm_type == IMACTL_XATTR_EVM_PORTABLE))
			snprintf(ev + strlen(ev), sizeof(ev) - strlen(ev), " (keyid %08x)",
				 r->evm_keyid);
	}
	if (asprintf(&out, "%s%s%s", ima, ima[0] && ev[0] ? "; " : "", ev) < 0)
		return NULL;
	return out;
}

static int add_problem(struct state *st, const struct imactl_tree_entry *e, enum class cls)
{
	struct problem *p;

	if (st->n == st->alloc) {
		size_t n = st->alloc ? st->alloc * 2 : 64;

		p = realloc(st->problems, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		st->problems = p;
		st->alloc = n;
	}
	p = &st->problems[st->n];
	p->cls = cls;
	p->what = describe(e, cls, st->evm);
	p->path = strdup(e->path);
	if (!p->what || !p->path) {
		free(p->path);
		free(p->what);
		return -ENOMEM;
	}
	st->n++;
	return 0;
}

static int on_entry(void *data, const struct imactl_tree_entry *e)
{
	struct state *st = data;
	enum class cls;

	if (e->kind == IMACTL_TREE_DIR && e->status) {
		st->counts[C_ERROR]++;
		if (!st->err)
			st->err = add_problem(st, e, C_ERROR);
		return 0;
	}
	if (e->kind != IMACTL_TREE_FILE)
		return 0;
	tree_progress_file(&st->progress, e->size);
	cls = classify(e, st->evm);
	st->counts[cls]++;
	if ((cls != C_GOOD && cls != C_HASH_ONLY && cls != C_HMAC) ||
	    ((cls == C_HASH_ONLY || cls == C_HMAC) && st->require_sig)) {
		if (!st->err)
			st->err = add_problem(st, e, cls);
	}
	return 0;
}

static int cmp_problems(const void *a, const void *b)
{
	return strcmp(((const struct problem *)a)->path, ((const struct problem *)b)->path);
}

static void print_json(const struct state *st, const struct imactl_tree_stats *s, double secs,
		       bool image)
{
	tree_print_json_head(stdout, image, st->root, s);
	for (int c = 0; c < C_COUNT; c++)
		printf(", \"%s\": %llu", class_names[c], (unsigned long long)st->counts[c]);
	tree_print_json_skipped(stdout, s);
	printf(", \"seconds\": %.3f, \"problems\": [", secs);
	for (size_t i = 0; i < st->n; i++) {
		printf("%s\n  {\"path\": ", i ? "," : "");
		json_print(stdout, st->problems[i].path);
		printf(", \"status\": \"%s\", \"details\": ", class_names[st->problems[i].cls]);
		json_print(stdout, st->problems[i].what);
		putchar('}');
	}
	printf("%s]}\n", st->n ? "\n" : "");
}

/* The options; -1 to go on, else the exit code. */
static int parse(struct prog_sign_opts *o, struct state *st, int argc, char *argv[])
{
	const struct option *opts = st->image ? verify_image_longopts : longopts;
	int c;

	while ((c = prog_sign_getopt(o, argc, argv, "", opts, NULL)) != -1) {
		if (c == PROG_SO_VERIFY_JSON)
			st->json = true;
		else
			return c == PROG_SO_VERIFY_HELP ? prog_usage(o->cmd, stdout)
							: prog_bad_option(o->cmd);
	}
	if (!prog_operands(o->cmd, argc, st->image ? "IMAGE" : "ROOT", true))
		return prog_bad_option(o->cmd);
	st->root = argv[optind];
	st->evm = o->verify_flags & IMACTL_VERIFY_EVM;
	/* a hash-only file verifies; --require-sig (the default with --cert)
	 * makes it a problem here */
	st->require_sig = o->verify_flags & IMACTL_VERIFY_REQUIRE_SIG;
	return -1;
}

static void print_text(const char *name, const struct state *st, const struct imactl_tree_stats *s)
{
	for (size_t i = 0; i < st->n; i++) {
		path_print(stdout, st->problems[i].path);
		printf(": %s: %s\n", class_names[st->problems[i].cls], st->problems[i].what);
	}
	printf("%s: %llu files: good %llu, hash-only %llu, bad %llu, unsigned "
	       "%llu, unknown-key %llu, error %llu\n",
	       name, (unsigned long long)s->kinds[IMACTL_TREE_FILE],
	       (unsigned long long)st->counts[C_GOOD], (unsigned long long)st->counts[C_HASH_ONLY],
	       (unsigned long long)st->counts[C_BAD], (unsigned long long)st->counts[C_UNSIGNED],
	       (unsigned long long)st->counts[C_UNKNOWN_KEY],
	       (unsigned long long)st->counts[C_ERROR]);
	/* only when there are such files: the line stays as it was otherwise */
	if (st->counts[C_HMAC])
		printf("%s: %llu of them hmac (protected by the device's EVM key, which only the "
		       "kernel holds)\n",
		       name, (unsigned long long)st->counts[C_HMAC]);
	tree_print_skipped(stdout, name, s);
}

/* The walk and its report; the exit code. */
static int verify_walk(struct prog_sign_opts *o, struct state *st)
{
	struct imactl_tree_params *tp = &o->tree;
	struct imactl_tree_stats stats;
	double secs;
	int ret;

	/* HMAC-protected files are told apart (class "hmac") with or without --evm */
	tp->verify_flags = (o->verify_flags & IMACTL_VERIFY_EVM) | IMACTL_VERIFY_EVM_HMAC;
	tp->target_bits = o->target_bits;
	tp->fn = on_entry;
	tp->fn_data = st;
	if (prog_sign_opts_ctx(o, 0) < 0 ||
	    !tree_resolve_bits(o->ctx, st->root, st->image, o->bits_given, &tp->target_bits) ||
	    prog_sign_opts_load_keyring(o) < 0)
		return EXIT_OPERATIONAL;
	/* library messages would repeat the per-file details printed below */
	imactl_set_log_priority(o->ctx, IMACTL_LOG_ERR - 1);
	tp->keyring = o->keyring;

	tree_progress_start(&st->progress, "checked");
	ret = st->image ? imactl_image_verify(o->ctx, st->root, tp, &stats)
			: imactl_tree_verify(o->ctx, st->root, tp, &stats);
	secs = tree_elapsed(&st->progress);
	tree_progress_end(&st->progress);
	if (ret < 0 && ret != -EIO && ret != -EBADMSG) {
		prog_file_err(st->root, "%s stopped: %s", o->cmd->name, strerror(-ret));
		return EXIT_OPERATIONAL;
	}
	if (st->err) {
		prog_err("%s: %s", o->cmd->name, strerror(-st->err));
		return EXIT_OPERATIONAL;
	}
	if (st->n)
		qsort(st->problems, st->n, sizeof(*st->problems), cmp_problems);
	if (st->json)
		print_json(st, &stats, secs, st->image);
	else
		print_text(o->cmd->name, st, &stats);
	return st->counts[C_ERROR] ? EXIT_OPERATIONAL : st->n ? EXIT_VERIFY : EXIT_OK;
}

int verify_tree_run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct prog_sign_opts o;
	struct state st = { .image = cmd == &cmd_verify_image };
	int status;

	if (!prog_sign_opts_init(&o, cmd, PROG_SO_VERIFY | PROG_SO_BITS_AUTO, argc))
		return EXIT_OPERATIONAL;
	status = parse(&o, &st, argc, argv);
	if (status < 0)
		status = verify_walk(&o, &st);
	for (size_t i = 0; i < st.n; i++) {
		free(st.problems[i].path);
		free(st.problems[i].what);
	}
	free(st.problems);
	return prog_sign_opts_end(&o, status);
}

const struct imactl_command cmd_verify_tree = {
	.name = "verify-tree",
	.func = verify_tree_run,
	.summary = "audit the IMA/EVM values of every file below a root",
	.usage = "ROOT [--cert CERT]... [OPTIONS]\n"
		 "\n"
		 "Checks security.ima (and with --evm security.evm) of every regular file\n"
		 "below ROOT, in parallel, without following symbolic links.  Each file is\n"
		 "counted as good (a signature that verifies), hash-only (a matching hash),\n"
		 "bad (content, metadata or signature do not match), unsigned (no value),\n"
		 "unknown-key (signed by a key none of the certificates holds), error (it\n"
		 "could not be read) or hmac (its IMA value verifies and security.evm is an\n"
		 "EVM HMAC, which only the device's EVM key can check: the kernel does).\n"
		 "With --cert a hash-only or hmac file is a problem (the certificate asks\n"
		 "for signatures) unless --allow-hash is given.  Every\n"
		 "problem is listed, sorted by path, as\n"
		 "  /PATH: CLASS: DETAILS\n"
		 "with PATH relative to ROOT and escaped as in manifests (see sign-tree).\n"
		 "\n" PROG_SO_HELP_VERIFY_TREE "                        see sign-tree)\n"
		 "  --jobs N              threads (default: the online CPUs)\n"
		 "  --include GLOB, --exclude GLOB, --one-file-system\n"
		 "                        select files as sign-tree does\n"
		 "  --json                one JSON object on stdout: counts, skipped entries\n"
		 "                        by kind and the problems (path, status, details)\n"
		 "  --xattr-user          read user.ima/user.evm\n"
		 "\n"
		 "Exit: 0 every file verified; 1 a problem was found; 3 a file or directory\n"
		 "could not be read; 2 usage error.\n",
};
