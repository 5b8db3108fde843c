// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl log keylime-policy: a Keylime runtime policy from a signed tree. */
#include "cmd_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	OPT_CERT = OPT_LOG_FIRST,
	OPT_EXCLUDE,
	OPT_XATTR_USER,
	OPT_HELP,
};

static const struct option longopts[] = {
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "xattr-user", no_argument, NULL, OPT_XATTR_USER },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct opts {
	char **certs;
	int ncerts;
	char **excludes;
	int nexcludes;
	bool xattr_user;
};

static int parse_opts(const struct imactl_command *cmd, int argc, char *argv[], struct opts *o)
{
	unsigned long long seen = 0;
	int c;

	o->certs = calloc(argc, sizeof(char *));
	o->excludes = calloc(argc, sizeof(char *));
	if (!o->certs || !o->excludes)
		return EXIT_OPERATIONAL;
	optind = 1;
	while ((c = prog_getopt(cmd, argc, argv, "", longopts)) != -1) {
		if (c != '?' && c != OPT_CERT && c != OPT_EXCLUDE &&
		    !prog_once(cmd, &seen, c, longopts))
			return prog_bad_option(cmd);
		switch (c) {
		case OPT_CERT:
			o->certs[o->ncerts++] = optarg;
			break;
		case OPT_EXCLUDE:
			o->excludes[o->nexcludes++] = optarg;
			break;
		case OPT_XATTR_USER:
			o->xattr_user = true;
			break;
		case OPT_HELP:
			return prog_usage(cmd, stdout) == EXIT_OK ? -1 : EXIT_USAGE;
		default:
			return prog_bad_option(cmd);
		}
	}
	return 0;
}

static void free_opts(struct opts *o)
{
	free(o->certs);
	free(o->excludes);
}

struct kl_walk {
	struct imactl_ctx *ctx;
	const struct imactl_keyring *kr;
	const struct opts *o;
	FILE *digests; /* JSON members "path":["hex"] */
	unsigned long nsigned, nunsigned, nbad;
	int status;
};

static bool excluded(const struct opts *o, const char *rel)
{
	for (int i = 0; i < o->nexcludes; i++)
		if (fnmatch(o->excludes[i], rel, 0) == 0)
			return true;
	return false;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void kl_file(struct kl_walk *w, int dirfd, const char *name, const char *rel)
{
	struct imactl_verify_result r;
	struct imactl_digest d;
	int fd, ret;

	fd = imactl_open_regular(dirfd, name);
	if (fd < 0) {
		prog_file_err(rel, "cannot open: %s", prog_file_error(fd));
		w->status = prog_worse(w->status, EXIT_OPERATIONAL);
		return;
	}
	ret = imactl_verify_fd(w->ctx, fd, w->kr, IMACTL_VERIFY_REQUIRE_SIG, 64, &r);
	if (r.ima_status == -ENODATA) {
		w->nunsigned++;
		goto out;
	}
	if (ret != 0 || r.ima_status != 0) {
		prog_file_err(rel, "not in the policy: %s",
			      r.ima_reason ? r.ima_reason
					   : strerror(-(r.ima_status ? r.ima_status : ret)));
		w->nbad++;
		w->status =
			prog_worse(w->status, prog_exit_code(r.ima_status ? r.ima_status : ret));
		goto out;
	}
	if (r.ima_type != IMACTL_XATTR_DIGSIG) {
		/* sigv3 signs an fs-verity digest: not what ima-sig logs carry */
		prog_file_err(rel, "not in the policy: %s signatures are not supported",
			      prog_xattr_type_name(r.ima_type));
		w->nbad++;
		w->status = prog_worse(w->status, EXIT_VERIFY);
		goto out;
	}
	if (lseek(fd, 0, SEEK_SET) < 0 || imactl_hash_fd(w->ctx, fd, r.ima_algo, &d) < 0) {
		prog_file_err(rel, "cannot hash: %s", strerror(errno));
		w->status = prog_worse(w->status, EXIT_OPERATIONAL);
		goto out;
	}
	fprintf(w->digests, "%s\n    ", w->nsigned ? "," : "");
	json_print(w->digests, rel);
	fprintf(w->digests, ": [\"");
	hex_print(w->digests, d.bytes, d.len);
	fprintf(w->digests, "\"]");
	w->nsigned++;
out:
	close(fd);
}

static void kl_dir(struct kl_walk *w, int dirfd, const char *rel, int depth)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int dfd = dup(dirfd);

	if (dfd < 0 || !(dir = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		prog_file_err(rel[0] ? rel : "/", "cannot read the directory: %s", strerror(errno));
		w->status = prog_worse(w->status, EXIT_OPERATIONAL);
		return;
	}
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*nn));

			if (!nn)
				break;
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(rel) + strlen(names[i]) + 2;
		char *child = malloc(len);
		struct stat st;

		if (!child)
			break;
		snprintf(child, len, "%s/%s", rel, names[i]);
		if (excluded(w->o, child) ||
		    fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			free(child);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int cfd = openat(dirfd, names[i],
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (cfd >= 0 && depth < 256) {
				kl_dir(w, cfd, child, depth + 1);
			} else {
				prog_file_err(child, "cannot enter: %s",
					      cfd < 0 ? strerror(errno) : "too deep");
				w->status = prog_worse(w->status, EXIT_OPERATIONAL);
			}
			if (cfd >= 0)
				close(cfd);
		} else if (S_ISREG(st.st_mode)) {
			kl_file(w, dirfd, names[i], child);
		} /* symbolic links and special files: never followed, not measured */
		free(child);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
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

/* Keylime's verification-keys: a JSON string holding {"ima": "<keyring JSON>"}. */
static int keylime_keys(struct imactl_ctx *ctx, const struct opts *o, char **out)
{
	char *inner = NULL, *mid = NULL;
	size_t ilen = 0, mlen = 0, olen = 0;
	FILE *f;
	int ret = 0;

	f = open_memstream(&inner, &ilen);
	if (!f)
		return -ENOMEM;
	fprintf(f, "{\"pubkeys\": [");
	for (int i = 0; i < o->ncerts && ret == 0; i++) {
		struct imactl_cert *cert = NULL;
		uint8_t *der = NULL;
		size_t len = 0;

		ret = imactl_cert_load(ctx, o->certs[i], &cert);
		if (ret == 0)
			ret = imactl_cert_pubkey_der(cert, &der, &len);
		if (ret == 0) {
			fprintf(f, "%s\"", i ? ", " : "");
			base64_print(f, der, len);
			fprintf(f, "\"");
		}
		imactl_free(der);
		imactl_cert_free(cert);
	}
	fprintf(f, "], \"keyids\": [");
	for (int i = 0; i < o->ncerts && ret == 0; i++) {
		struct imactl_cert *cert = NULL;

		ret = imactl_cert_load(ctx, o->certs[i], &cert);
		if (ret == 0)
			fprintf(f, "%s%lu", i ? ", " : "", (unsigned long)imactl_cert_keyid(cert));
		imactl_cert_free(cert);
	}
	fprintf(f, "]}");
	fclose(f);
	f = open_memstream(&mid, &mlen);
	if (!f) {
		free(inner);
		return -ENOMEM;
	}
	fprintf(f, "{\"ima\": ");
	json_print(f, inner);
	fprintf(f, "}");
	fclose(f);
	free(inner);
	f = open_memstream(out, &olen);
	if (!f) {
		free(mid);
		return -ENOMEM;
	}
	json_print(f, mid);
	fclose(f);
	free(mid);
	return ret;
}

/* Keylime's excludes are regular expressions: translate each glob. */
static void glob_regex(FILE *f, const char *g)
{
	fputs("\"^", f);
	for (; *g; g++) {
		if (*g == '*')
			fputs(".*", f);
		else if (*g == '?')
			fputc('.', f);
		else if (strchr(".^$+{}()|[]\\", *g))
			fprintf(f, "\\\\%c", *g);
		else if (*g == '"')
			fputs("\\\"", f);
		else if ((unsigned char)*g < 0x20)
			fprintf(f, "\\u%04x", *g);
		else
			fputc(*g, f);
	}
	fputs("$\"", f);
}

static int run_keylime(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct opts o = { 0 };
	struct kl_walk w = { 0 };
	struct imactl_keyring *kr = NULL;
	struct imactl_ctx *ctx = NULL;
	char *digests = NULL, *keys = NULL, stamp[64];
	size_t dlen = 0;
	time_t now = time(NULL);
	int status, rootfd = -1;

	status = parse_opts(cmd, argc, argv, &o);
	if (status)
		goto out;
	if (optind != argc - 1 || o.ncerts == 0) {
		prog_err("log keylime-policy: one ROOT and at least one --cert are needed");
		status = prog_bad_option(cmd);
		goto out;
	}
	if (prog_ctx_new(&ctx, 0, o.xattr_user) < 0 ||
	    prog_load_keyring(ctx, o.certs, o.ncerts, &kr) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	rootfd = open(argv[optind], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		prog_file_err(argv[optind], "not a directory: %s", strerror(errno));
		status = EXIT_OPERATIONAL;
		goto out;
	}
	if (keylime_keys(ctx, &o, &keys) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	w.ctx = ctx;
	w.kr = kr;
	w.o = &o;
	w.digests = open_memstream(&digests, &dlen);
	if (!w.digests) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	kl_dir(&w, rootfd, "", 0);
	fclose(w.digests);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	printf("{\n  \"meta\": {\"version\": 1, \"generator\": 0, \"timestamp\": \"%s\"},\n"
	       "  \"release\": 0,\n  \"digests\": {%s%s},\n  \"excludes\": [",
	       stamp, digests, w.nsigned ? "\n  " : "");
	for (int i = 0; i < o.nexcludes; i++) {
		fputs(i ? ", " : "", stdout);
		glob_regex(stdout, o.excludes[i]);
	}
	printf("],\n  \"keyrings\": {},\n"
	       "  \"ima\": {\"ignored_keyrings\": [], \"log_hash_alg\": \"sha1\", \"dm_policy\": "
	       "null},\n"
	       "  \"ima-buf\": {},\n  \"verification-keys\": %s\n}\n",
	       keys);
	fprintf(stderr,
		"imactl: %lu signed files in the policy, %lu unsigned skipped, %lu refused\n",
		w.nsigned, w.nunsigned, w.nbad);
	status = w.status;
out:
	if (status == -1)
		status = EXIT_OK;
	if (rootfd >= 0)
		close(rootfd);
	free(digests);
	free(keys);
	imactl_keyring_free(kr);
	imactl_ctx_free(ctx);
	free_opts(&o);
	return status;
}

const struct imactl_command cmd_log_keylime_sub = {
	.name = "log keylime-policy",
	.func = run_keylime,
	.summary = "make a Keylime runtime policy from a signed tree",
	.usage = "ROOT --cert CERT... [--exclude GLOB]... [--xattr-user] > policy.json\n"
		 "\n"
		 "Walks ROOT (symbolic links are never followed), checks every file's IMA\n"
		 "signature against the certificates, and prints a Keylime runtime policy:\n"
		 "the digest of every file whose signature verifies, by its path below ROOT\n"
		 "(\"/usr/bin/x\"), the certificates' public keys as verification-keys, and\n"
		 "each --exclude GLOB (not walked) as an anchored regular expression.\n"
		 "Unsigned files are skipped; a file whose signature does not verify is\n"
		 "named and left out (exit 1).\n",
};
