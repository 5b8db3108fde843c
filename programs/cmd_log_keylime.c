// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * imactl log keylime-policy: a Keylime runtime policy from a signed tree.
 * The tree is walked by the library (imactl_tree_verify(): the walk and the
 * --exclude of verify-tree), a measurement list may add boot_aggregate,
 * keyring and ima-buf entries.  Names are written as the kernel logs them.
 */
#include "cmd_log.h"
#include "prog_sign_opts.h"
#include "tree_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	OPT_LOG = PROG_SO_END,
	OPT_BOOT_AGGREGATE,
	OPT_VERIFY_SIGS,
	OPT_HELP,
};

static const struct option longopts[] = {
	{ "cert", required_argument, NULL, PROG_SO_CERT },
	{ "xattr-user", no_argument, NULL, PROG_SO_XATTR_USER },
	{ "exclude", required_argument, NULL, PROG_SO_EXCLUDE },
	{ "jobs", required_argument, NULL, PROG_SO_JOBS },
	{ "one-file-system", no_argument, NULL, PROG_SO_ONE_FS },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "boot-aggregate", required_argument, NULL, OPT_BOOT_AGGREGATE },
	{ "verify-signatures", no_argument, NULL, OPT_VERIFY_SIGS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* One digest of a name: the policy's maps are lists of these. */
struct kl_digest {
	char *path; /* the real path below ROOT (NULL: from the list) */
	char *name; /* as the kernel logs it */
	uint8_t digest[IMACTL_MAX_DIGEST_SIZE];
	size_t len;
};

struct kl_map {
	struct kl_digest *v;
	size_t n, cap;
};

/* What the walk gathers; its callbacks never overlap. */
struct kl_policy {
	const char *root;
	struct kl_map digests, keyrings, ima_buf;
	struct kl_map links; /* hex: unused; path: the link, name: its first path */
	char **excludes;     /* regular expressions */
	size_t nexcludes;
	unsigned long nsigned, nunsigned, nbad;
	int status;
};

/* @s as the kernel logs a name (n-ng): each space becomes '_'. */
static char *logged_name(const char *s)
{
	char *n = strdup(s);

	for (char *p = n; p && *p; p++)
		if (*p == ' ')
			*p = '_';
	return n;
}

static int map_add(struct kl_map *m, const char *path, const char *name, const uint8_t *d,
		   size_t len)
{
	struct kl_digest *e;

	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 256;

		e = realloc(m->v, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		m->v = e;
		m->cap = cap;
	}
	e = &m->v[m->n];
	e->path = path ? strdup(path) : NULL;
	e->name = strdup(name);
	if ((path && !e->path) || !e->name) {
		free(e->path);
		free(e->name);
		return -ENOMEM;
	}
	e->len = len < IMACTL_MAX_DIGEST_SIZE ? len : IMACTL_MAX_DIGEST_SIZE;
	if (e->len)
		memcpy(e->digest, d, e->len);
	m->n++;
	return 0;
}

static void map_free(struct kl_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].name);
	}
	free(m->v);
}

/* Walked files by path; those from the list (no path) first. */
static int by_path(const void *a, const void *b)
{
	const char *x = ((const struct kl_digest *)a)->path,
		   *y = ((const struct kl_digest *)b)->path;

	return strcmp(x ? x : "", y ? y : "");
}

/* By name, then digest (in the order of their hex: shorter first on a tie). */
static int by_name_digest(const void *a, const void *b)
{
	const struct kl_digest *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = memcmp(x->digest, y->digest, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* "ROOT/PATH: not in the policy: WHY" */
static void fail(struct kl_policy *p, const char *path, int exit_code, const char *why)
{
	char *shown = tree_display_path(p->root, path);

	prog_file_err(shown ? shown : path, "not in the policy: %s", why);
	free(shown);
	p->status = prog_worse(p->status, exit_code);
}

/* A regular file the walk verified (or failed to). */
static int on_file(struct kl_policy *p, const struct imactl_tree_entry *e)
{
	const struct imactl_verify_result *r = e->verify;
	char *name;
	int ret;

	if (e->status == -ENODATA) {
		p->nunsigned++;
		return 0;
	}
	if (e->status == 0 && r->ima_type != IMACTL_XATTR_DIGSIG) {
		/* sigv3 signs an fs-verity digest: not what ima-sig logs carry */
		fail(p, e->path, EXIT_VERIFY, "sigv3 (fs-verity) signatures are not supported");
		p->nbad++;
		return 0;
	}
	if (e->status == 0 && imactl_utf8_check(e->path) < 0) {
		/* Keylime's agent reads the list as UTF-8 text, its verifier
		 * hashes names as UTF-8: such a name can never be attested */
		fail(p, e->path, EXIT_VERIFY, "the name is not UTF-8, which Keylime cannot attest");
		p->nbad++;
		return 0;
	}
	if (e->status) {
		fail(p, e->path, r ? prog_exit_code(e->status) : EXIT_OPERATIONAL,
		     r && r->ima_reason ? r->ima_reason : strerror(-e->status));
		p->nbad += r != NULL;
		return 0;
	}
	name = logged_name(e->path);
	ret = name ? map_add(&p->digests, e->path, name, r->ima_digest.bytes, r->ima_digest.len)
		   : -ENOMEM;
	free(name);
	p->nsigned++;
	return ret;
}

/* A glob for the literal @path (for imactl_tree_glob_regex()). */
static char *literal_glob(const char *path)
{
	char *g = malloc(2 * strlen(path) + 1), *q = g;

	for (; g && *path; path++) {
		if (strchr("*?[\\", *path))
			*q++ = '\\';
		*q++ = *path;
	}
	if (g)
		*q = 0;
	return g;
}

static int add_exclude(struct kl_policy *p, const char *glob)
{
	int ret = imactl_tree_glob_regex(glob, &p->excludes[p->nexcludes]);

	if (ret == 0)
		p->nexcludes++;
	return ret;
}

static int on_entry(void *data, const struct imactl_tree_entry *e)
{
	struct kl_policy *p = data;
	char *g, *name;
	int ret = 0;

	switch (e->kind) {
	case IMACTL_TREE_FILE:
		return on_file(p, e);
	case IMACTL_TREE_HARDLINK:
		/* the kernel logs the name a file was opened by: each link's */
		name = logged_name(e->path);
		ret = name ? map_add(&p->links, e->first_path, name, NULL, 0) : -ENOMEM;
		free(name);
		return ret;
	case IMACTL_TREE_DIR:
		if (e->status)
			p->status = prog_worse(p->status, EXIT_OPERATIONAL);
		return 0;
	case IMACTL_TREE_OTHER_FS:
		/* not walked: Keylime must not expect its files either */
		g = literal_glob(e->path);
		p->excludes = g ? realloc(p->excludes, (p->nexcludes + 1) * sizeof(char *)) : NULL;
		ret = p->excludes ? add_exclude(p, g) : -ENOMEM;
		free(g);
		return ret;
	default: /* symbolic links are never followed; devices, fifos, sockets: never measured */
		return 0;
	}
}

/* Every hard link gets the digest of the name the walk hashed it by. */
static int resolve_links(struct kl_policy *p)
{
	size_t nfiles = p->digests.n;

	if (nfiles)
		qsort(p->digests.v, nfiles, sizeof(*p->digests.v), by_path);
	for (size_t i = 0; i < p->links.n; i++) {
		struct kl_digest key = { .path = p->links.v[i].path };
		const struct kl_digest *f =
			nfiles ? bsearch(&key, p->digests.v, nfiles, sizeof(key), by_path) : NULL;
		int ret;

		if (!f)
			continue; /* the first name was refused */
		ret = map_add(&p->digests, NULL, p->links.v[i].name, NULL, 0);
		if (ret < 0)
			return ret;
		memcpy(p->digests.v[p->digests.n - 1].digest, f->digest, f->len);
		p->digests.v[p->digests.n - 1].len = f->len;
	}
	return 0;
}

/* A JSON object NAME: [HEX, ...] of @m, sorted, without repeated digests. */
static void print_map(const char *key, struct kl_map *m, const char *end)
{
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), by_name_digest);
	printf("  \"%s\": {", key);
	for (size_t i = 0; i < m->n; i++) {
		const struct kl_digest *e = &m->v[i];
		bool same_name = i && !strcmp(e->name, m->v[i - 1].name);

		if (same_name && !by_name_digest(e, &m->v[i - 1]))
			continue;
		if (same_name) {
			fputs(", \"", stdout);
		} else {
			printf("%s\n    ", i ? "]," : "");
			json_print(stdout, e->name);
			fputs(": [\"", stdout);
		}
		hex_print(stdout, e->digest, e->len);
		putchar('"');
	}
	printf("%s}%s\n", m->n ? "]\n  " : "", end);
}

static void base64_print(FILE *f, const uint8_t *p, size_t len)
{
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = p[i] << 16 | (i + 1 < len ? p[i + 1] << 8 : 0) |
			     (i + 2 < len ? p[i + 2] : 0);

		fputc(tbl[v >> 18 & 63], f);
		fputc(tbl[v >> 12 & 63], f);
		fputc(i + 1 < len ? tbl[v >> 6 & 63] : '=', f);
		fputc(i + 2 < len ? tbl[v & 63] : '=', f);
	}
}

/*
 * Keylime's verification-keys: one keyring (ImaKeyring) as a JSON string,
 * {"pubkeys": [base64 SubjectPublicKeyInfo...], "keyids": [keyid...]}.
 */
static int keylime_keys(struct imactl_ctx *ctx, char *const certs[], int n, char **out)
{
	char *pubkeys = NULL, *keyids = NULL;
	size_t plen = 0, klen = 0;
	FILE *pf = open_memstream(&pubkeys, &plen), *kf = open_memstream(&keyids, &klen);
	int ret = pf && kf ? 0 : -ENOMEM;

	for (int i = 0; i < n && ret == 0; i++) {
		struct imactl_cert *cert = NULL;
		uint8_t *der = NULL;
		size_t len = 0;

		ret = imactl_cert_load(ctx, certs[i], &cert);
		if (ret == 0)
			ret = imactl_cert_pubkey_der(cert, &der, &len);
		if (ret == 0) {
			fprintf(pf, "%s\"", i ? ", " : "");
			base64_print(pf, der, len);
			fputc('"', pf);
			fprintf(kf, "%s%lu", i ? ", " : "", (unsigned long)imactl_cert_keyid(cert));
		}
		imactl_free(der);
		imactl_cert_free(cert);
	}
	if (pf)
		fclose(pf);
	if (kf)
		fclose(kf);
	if (ret == 0 && asprintf(out, "{\"pubkeys\": [%s], \"keyids\": [%s]}", pubkeys, keyids) < 0)
		ret = -ENOMEM;
	free(pubkeys);
	free(keyids);
	return ret;
}

/* A DER SEQUENCE filling the buffer: a key or certificate (keyring entries). */
static bool is_der(const uint8_t *b, size_t len)
{
	size_t n, hdr = 2;

	if (len < 2 || b[0] != 0x30)
		return false;
	if (b[1] < 0x80) {
		n = b[1];
	} else {
		size_t k = b[1] & 0x7f;

		if (k == 0 || k > 4 || len < 2 + k)
			return false;
		n = 0;
		for (size_t i = 0; i < k; i++)
			n = n << 8 | b[2 + i];
		hdr += k;
	}
	return hdr + n == len;
}

/*
 * --log LIST: boot_aggregate into digests, ima-buf entries that carry a key
 * into keyrings and the others into ima-buf, under their logged names (as
 * Keylime's generator does with -m).  Return: 0 or an exit code.
 */
static int read_list(struct imactl_ctx *ctx, const char *path, struct kl_policy *p)
{
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	const char *why = NULL;
	int fd = log_open(path), ret = 0;

	if (fd < 0 || imactl_mlog_open_fd(ctx, fd, IMACTL_MLOG_FORMAT_AUTO, 0, &ml) < 0) {
		ret = EXIT_OPERATIONAL;
		goto out;
	}
	while ((ret = imactl_mlog_next(ml, &e, &why)) == 0 && e) {
		if (!e->digest || !e->path || e->violation)
			continue;
		if (!strcmp(e->path, "boot_aggregate"))
			ret = map_add(&p->digests, NULL, e->path, e->digest, e->digest_len);
		else if (e->buf)
			ret = map_add(is_der(e->buf, e->buf_len) ? &p->keyrings : &p->ima_buf, NULL,
				      e->path, e->digest, e->digest_len);
		if (ret < 0)
			break;
	}
	if (ret < 0) {
		if (why)
			prog_file_err(path, "malformed: %s", why);
		ret = EXIT_OPERATIONAL;
	}
out:
	if (fd > STDIN_FILENO)
		close(fd);
	imactl_mlog_free(ml);
	return ret;
}

/* --boot-aggregate HEX: a sha1 .. sha512 digest. */
static bool add_boot_aggregate(struct kl_policy *p, const char *hex)
{
	uint8_t d[IMACTL_MAX_DIGEST_SIZE];
	size_t len = strlen(hex) / 2;

	if ((len != 20 && len != 32 && len != 48 && len != 64) || strlen(hex) % 2 ||
	    strspn(hex, "0123456789abcdef") != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++)
		sscanf(hex + 2 * i, "%2hhx", &d[i]);
	return map_add(&p->digests, NULL, "boot_aggregate", d, len) == 0;
}

static void print_policy(struct kl_policy *p, const char *keys)
{
	time_t now = time(NULL);
	char stamp[64];

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	/* generator 3 (LegacyAllowList): a policy with digests, which Keylime enforces */
	printf("{\n  \"meta\": {\"version\": 1, \"generator\": 3, \"timestamp\": \"%s\"},\n"
	       "  \"release\": 0,\n",
	       stamp);
	print_map("digests", &p->digests, ",");
	printf("  \"excludes\": [");
	for (size_t i = 0; i < p->nexcludes; i++) {
		printf("%s\n    ", i ? "," : "");
		json_print(stdout, p->excludes[i]);
	}
	printf("%s],\n", p->nexcludes ? "\n  " : "");
	print_map("keyrings", &p->keyrings, ",");
	printf("  \"ima\": {\"ignored_keyrings\": [], \"log_hash_alg\": \"sha1\", \"dm_policy\": "
	       "null},\n");
	print_map("ima-buf", &p->ima_buf, ",");
	printf("  \"verification-keys\": ");
	json_print(stdout, keys);
	printf("\n}\n");
}

static void kl_policy_free(struct kl_policy *p)
{
	for (size_t i = 0; i < p->nexcludes; i++)
		imactl_free(p->excludes[i]);
	free(p->excludes);
	map_free(&p->digests);
	map_free(&p->keyrings);
	map_free(&p->ima_buf);
	map_free(&p->links);
}

/* What the options ask for beside @o (the shared tree options) and @p. */
struct kl_args {
	const char *list; /* --log */
	bool verify_sigs;
};

/* Each --exclude as a Keylime regular expression; -1 to go on, else the exit code. */
static int add_excludes(const struct imactl_command *cmd, const struct prog_sign_opts *o,
			struct kl_policy *p)
{
	for (size_t i = 0; i < o->tree.n_exclude; i++) {
		int ret = add_exclude(p, o->exclude[i]);

		if (ret == -EINVAL || ret == -EILSEQ) {
			prog_err("%s: --exclude '%s': %s", cmd->name, o->exclude[i],
				 ret == -EILSEQ ? "not UTF-8" : "an unknown [:class:]");
			return prog_bad_option(cmd);
		}
		if (ret < 0)
			return EXIT_OPERATIONAL;
	}
	return -1;
}

/* Options and operands into @o, @p and @a; -1 to go on, else the exit code. */
static int parse_args(const struct imactl_command *cmd, int argc, char *argv[],
		      struct prog_sign_opts *o, struct kl_policy *p, struct kl_args *a)
{
	static const int repeatable[] = { OPT_BOOT_AGGREGATE, 0 };
	int c;

	while ((c = prog_sign_getopt(o, argc, argv, "", longopts, repeatable)) != -1) {
		switch (c) {
		case OPT_LOG:
			a->list = optarg;
			break;
		case OPT_BOOT_AGGREGATE:
			if (!add_boot_aggregate(p, optarg)) {
				prog_err("%s: --boot-aggregate takes the hex digest of a sha1 .. "
					 "sha512 boot_aggregate entry, not '%s'",
					 cmd->name, optarg);
				return prog_bad_option(cmd);
			}
			break;
		case OPT_VERIFY_SIGS:
			a->verify_sigs = true;
			break;
		case OPT_HELP:
			return prog_usage(cmd, stdout);
		default:
			return prog_bad_option(cmd);
		}
	}
	if (optind != argc - 1 || o->n_certs == 0) {
		prog_err("%s: one ROOT and at least one --cert are needed", cmd->name);
		return prog_bad_option(cmd);
	}
	p->root = argv[optind];
	return add_excludes(cmd, o, p);
}

/* The walk below p->root into @p (on_entry()); the exit code. */
static int walk(struct imactl_ctx *ctx, struct prog_sign_opts *o, struct kl_policy *p,
		bool verify_sigs)
{
	struct imactl_tree_stats stats;
	int ret;

	/* the digests are what the policy needs: a signature is checked only
	 * when asked (its signer must be one of the certificates in any case) */
	o->tree.verify_flags =
		IMACTL_VERIFY_REQUIRE_SIG | (verify_sigs ? 0 : IMACTL_VERIFY_NO_SIG_CHECK);
	o->tree.target_bits = 64;
	o->tree.fn = on_entry;
	o->tree.fn_data = p;
	ret = imactl_tree_verify(ctx, p->root, &o->tree, &stats);
	if (ret < 0 && ret != -EBADMSG && ret != -EIO) {
		prog_file_err(p->root, "cannot walk: %s", strerror(-ret));
		return EXIT_OPERATIONAL;
	}
	return resolve_links(p) < 0 ? EXIT_OPERATIONAL : EXIT_OK;
}

static int run_keylime(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct prog_sign_opts o;
	struct kl_policy p = { 0 };
	struct kl_args a = { 0 };
	struct imactl_keyring *kr = NULL;
	struct imactl_ctx *ctx = NULL;
	char *keys = NULL;
	int status;

	if (!prog_sign_opts_init(&o, cmd, PROG_SO_VERIFY, argc))
		return EXIT_OPERATIONAL;
	p.excludes = calloc(argc + 1, sizeof(char *));
	status = p.excludes ? parse_args(cmd, argc, argv, &o, &p, &a) : EXIT_OPERATIONAL;
	if (status >= 0)
		goto out;
	if (prog_ctx_new(&ctx, 0, o.xattr_user) < 0 ||
	    prog_load_keyring(ctx, o.certs, o.n_certs, &kr) < 0 ||
	    keylime_keys(ctx, o.certs, o.n_certs, &keys) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	status = a.list ? read_list(ctx, a.list, &p) : EXIT_OK;
	o.tree.keyring = kr;
	if (status == EXIT_OK)
		status = walk(ctx, &o, &p, a.verify_sigs);
	if (status != EXIT_OK)
		goto out;
	print_policy(&p, keys);
	fprintf(stderr,
		"imactl: %lu signed files in the policy, %lu unsigned skipped, %lu refused\n",
		p.nsigned, p.nunsigned, p.nbad);
	status = p.status;
out:
	kl_policy_free(&p);
	free(keys);
	imactl_keyring_free(kr);
	imactl_ctx_free(ctx);
	prog_sign_opts_free(&o);
	return status;
}

const struct imactl_command cmd_log_keylime_sub = {
	.name = "log keylime-policy",
	.func = run_keylime,
	.summary = "make a Keylime runtime policy from a signed tree",
	.usage = "ROOT --cert CERT... [OPTIONS] > policy.json\n"
		 "\n"
		 "Walks ROOT as verify-tree does (symbolic links are never followed) and\n"
		 "prints a Keylime runtime policy: the digest of every file signed by one of\n"
		 "the certificates (its IMA signature's keyid; the content hashed with the\n"
		 "signature's algorithm), by its path below ROOT as the kernel logs it\n"
		 "(\"/usr/bin/x\", a space as '_'; every name of a hard link), the\n"
		 "certificates as verification-keys, and each --exclude as a regular\n"
		 "expression matching what the walk left out.  The signatures themselves\n"
		 "are not checked unless --verify-signatures is given: the policy needs the\n"
		 "digests, and Keylime checks the signatures it is sent against\n"
		 "verification-keys; like Keylime's own generator, the export trusts the tree\n"
		 "it reads (verify-tree, or --verify-signatures, proves it is as signed).\n"
		 "\n"
		 "  --cert CERT           a signer's certificate; repeat for several\n"
		 "  --verify-signatures   also check every signature against the content and\n"
		 "                        leave out (exit 1) a file whose signature does not\n"
		 "                        verify (one RSA/ECDSA verification per file)\n"
		 "  --exclude GLOB        leave out what GLOB matches, as for verify-tree: a\n"
		 "                        GLOB without '/' matches names at any depth, one with\n"
		 "                        '/' is anchored at ROOT; below a match nothing is\n"
		 "                        walked (repeatable)\n"
		 "  --one-file-system     do not enter other file systems (they are excluded)\n"
		 "  --jobs N              threads (default: online CPUs)\n"
		 "  --log LIST            take boot_aggregate, keyring and ima-buf entries from\n"
		 "                        the measurement list LIST (binary or ascii)\n"
		 "  --boot-aggregate HEX  the boot_aggregate digest (repeatable)\n"
		 "  --xattr-user          read user.ima instead of security.ima\n"
		 "\n"
		 "Unsigned files are skipped; a file signed by a key not given with --cert,\n"
		 "a sigv3 signature, a name that is not UTF-8 (Keylime cannot attest it),\n"
		 "or with --verify-signatures a signature that does not verify, is named and\n"
		 "left out (exit 1).\n",
};
