// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * imactl log: verify, show and turn into a Keylime policy the kernel's IMA
 * measurement list.  The checks live in the library (lib/mlog*.c); this
 * file reads options, prints and maps outcomes to exit codes.
 */
#include "prog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPORTED_FAILURES 20

enum {
	OPT_FORMAT = 1,
	OPT_PCRS,
	OPT_TPM,
	OPT_BANK,
	OPT_CERT,
	OPT_IGNORE_VIOLATIONS,
	OPT_STATE,
	OPT_JSON,
	OPT_ENDIAN,
	OPT_EXCLUDE,
	OPT_XATTR_USER,
	OPT_QUIET,
	OPT_HELP,
	OPT_TARGET_BITS,
};

static const struct option longopts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "pcrs", required_argument, NULL, OPT_PCRS },
	{ "tpm", optional_argument, NULL, OPT_TPM },
	{ "bank", required_argument, NULL, OPT_BANK },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "ignore-violations", no_argument, NULL, OPT_IGNORE_VIOLATIONS },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "endian", required_argument, NULL, OPT_ENDIAN },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "xattr-user", no_argument, NULL, OPT_XATTR_USER },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "target-bits", required_argument, NULL, OPT_TARGET_BITS },
	{ NULL, 0, NULL, 0 },
};

static const int all_banks[] = { IMACTL_HASH_SHA1, IMACTL_HASH_SHA256, IMACTL_HASH_SHA384,
				 IMACTL_HASH_SHA512 };

struct opts {
	int format;
	unsigned int mlog_flags;
	char **pcrs;
	int npcrs;
	bool tpm;
	const char *tpm_dir;
	int banks[4];
	unsigned int nbanks;
	char **certs;
	int ncerts;
	char **excludes;
	int nexcludes;
	unsigned int vflags;
	unsigned int target_bits; /* 0: auto */
	const char *state;
	bool json, xattr_user, quiet;
};

/* ---- output helpers ---------------------------------------------------- */

static void hex_print(FILE *f, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}

/* A path for people: control and non-ASCII bytes escaped as \xNN. */
static void text_print(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c >= 0x7f || c == '\\')
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static bool parse_bank(const char *name, int *algo)
{
	for (size_t i = 0; i < ARRAY_LEN(all_banks); i++)
		if (!strcmp(imactl_hash_algo_name(all_banks[i]), name)) {
			*algo = all_banks[i];
			return true;
		}
	return false;
}

/* ---- option parsing shared by the subcommands -------------------------- */

static int parse_opts(const struct imactl_command *cmd, int *argcp, char *argv[], struct opts *o,
		      const char *allowed)
{
	unsigned long long seen = 0;
	int c, argc = *argcp;

	o->pcrs = calloc(argc, sizeof(char *));
	o->certs = calloc(argc, sizeof(char *));
	o->excludes = calloc(argc, sizeof(char *));
	if (!o->pcrs || !o->certs || !o->excludes)
		return EXIT_OPERATIONAL;
	/* "--tpm DIR" (not only --tpm=DIR): a directory right after --tpm is
	 * its argument, not the LOG; take it out before getopt permutes */
	for (int i = 1; i < argc - 2; i++) {
		struct stat st;

		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--tpm") && stat(argv[i + 1], &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			o->tpm_dir = argv[i + 1];
			memmove(&argv[i + 1], &argv[i + 2], (argc - i - 2) * sizeof(*argv));
			argc--;
			argv[argc] = NULL;
			*argcp = argc;
			break;
		}
	}
	optind = 1;
	while ((c = prog_getopt(cmd, argc, argv, "q", longopts)) != -1) {
		if (c == 'q')
			c = OPT_QUIET;
		if (c != '?' && !strchr(allowed, 'a' + c)) {
			prog_err("%s: option --%s is not for this command", cmd->name,
				 longopts[c - 1].name);
			return prog_bad_option(cmd);
		}
		if (c != '?' && c != OPT_CERT && c != OPT_PCRS && c != OPT_EXCLUDE &&
		    !prog_once(cmd, &seen, c, longopts))
			return prog_bad_option(cmd);
		switch (c) {
		case OPT_FORMAT:
			if (!strcmp(optarg, "auto"))
				o->format = IMACTL_MLOG_FORMAT_AUTO;
			else if (!strcmp(optarg, "binary"))
				o->format = IMACTL_MLOG_FORMAT_BINARY;
			else if (!strcmp(optarg, "ascii"))
				o->format = IMACTL_MLOG_FORMAT_ASCII;
			else {
				prog_err("%s: --format takes auto, ascii or binary", cmd->name);
				return prog_bad_option(cmd);
			}
			break;
		case OPT_ENDIAN:
			if (!strcmp(optarg, "little"))
				o->mlog_flags = IMACTL_MLOG_LITTLE_ENDIAN;
			else if (!strcmp(optarg, "big"))
				o->mlog_flags = IMACTL_MLOG_BIG_ENDIAN;
			else if (strcmp(optarg, "auto") != 0) {
				prog_err("%s: --endian takes auto, little or big", cmd->name);
				return prog_bad_option(cmd);
			}
			break;
		case OPT_PCRS:
			o->pcrs[o->npcrs++] = optarg;
			break;
		case OPT_TPM:
			o->tpm = true;
			if (optarg)
				o->tpm_dir = optarg;
			break;
		case OPT_BANK: {
			char *copy = strdup(optarg), *tok, *save = NULL;

			if (!copy)
				return EXIT_OPERATIONAL;
			for (tok = strtok_r(copy, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				int algo;
				bool dup = false;

				if (!strcmp(tok, "all")) {
					o->nbanks = ARRAY_LEN(all_banks);
					memcpy(o->banks, all_banks, sizeof(all_banks));
					continue;
				}
				if (!parse_bank(tok, &algo)) {
					prog_err("%s: --bank takes sha1, sha256, sha384, sha512 or "
						 "all, not '%s'",
						 cmd->name, tok);
					free(copy);
					return prog_bad_option(cmd);
				}
				for (unsigned int i = 0; i < o->nbanks; i++)
					dup |= o->banks[i] == algo;
				if (!dup)
					o->banks[o->nbanks++] = algo;
			}
			free(copy);
			break;
		}
		case OPT_CERT:
			o->certs[o->ncerts++] = optarg;
			break;
		case OPT_EXCLUDE:
			o->excludes[o->nexcludes++] = optarg;
			break;
		case OPT_IGNORE_VIOLATIONS:
			o->vflags |= IMACTL_MLOG_IGNORE_VIOLATIONS;
			break;
		case OPT_STATE:
			o->state = optarg;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_XATTR_USER:
			o->xattr_user = true;
			break;
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_TARGET_BITS:
			if (strcmp(optarg, "auto") != 0 &&
			    !prog_parse_target_bits(cmd, optarg, &o->target_bits))
				return prog_bad_option(cmd);
			break;
		case OPT_HELP:
			return prog_usage(cmd, stdout) == EXIT_OK ? -1 : EXIT_USAGE;
		default:
			return prog_bad_option(cmd);
		}
	}
	if (o->npcrs && o->tpm) {
		prog_err("%s: --pcrs and --tpm exclude each other", cmd->name);
		return prog_bad_option(cmd);
	}
	return 0;
}

static void free_opts(struct opts *o)
{
	free(o->pcrs);
	free(o->certs);
	free(o->excludes);
}

/*
 * The start of verify and show: options (@allowed), exactly one LOG, a
 * context.  Return: 0, -1 (--help was printed), or an exit code.
 */
static int start_log_command(const struct imactl_command *cmd, int *argcp, char *argv[],
			     struct opts *o, const char *allowed, struct imactl_ctx **ctx,
			     const char **log)
{
	int status = parse_opts(cmd, argcp, argv, o, allowed);

	if (status)
		return status;
	if (optind != *argcp - 1) {
		prog_err("%s: exactly one LOG is needed (\"-\" for standard input)", cmd->name);
		return prog_bad_option(cmd);
	}
	*log = argv[optind];
	return prog_ctx_new(ctx, 0, false) < 0 ? EXIT_OPERATIONAL : 0;
}

/* Opens LOG ("-": standard input). */
static int open_log(const char *path)
{
	int fd;

	if (!strcmp(path, "-"))
		return STDIN_FILENO;
	fd = imactl_open_regular(AT_FDCWD, path);
	if (fd == -EINVAL) /* a pipe or character device given by name */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		prog_file_err(path, "cannot open: %s", prog_file_error(fd < -1 ? fd : -errno));
	return fd;
}

/* ---- log verify -------------------------------------------------------- */

struct failure {
	uint64_t number;
	char *path;
	const char *reason;
};

static int load_pcrs(struct imactl_ctx *ctx, const struct opts *o, struct imactl_pcr_bank *banks,
		     unsigned int *nbanks)
{
	*nbanks = 0;
	if (o->tpm) {
		for (size_t i = 0; i < ARRAY_LEN(all_banks); i++) {
			int ret = imactl_pcrs_read_sysfs(ctx, o->tpm_dir, all_banks[i],
							 &banks[*nbanks]);

			if (ret == 0)
				(*nbanks)++;
			else if (ret != -ENOENT)
				return EXIT_OPERATIONAL;
		}
		if (*nbanks == 0) {
			prog_file_err(o->tpm_dir ? o->tpm_dir : "/sys/class/tpm/tpm0",
				      "no PCR bank (pcr-sha1/, pcr-sha256/, ...) found");
			return EXIT_OPERATIONAL;
		}
		return 0;
	}
	for (int i = 0; i < o->npcrs; i++) {
		const char *spec = o->pcrs[i], *comma = strchr(spec, ','), *file = spec;
		int algo = IMACTL_HASH_SHA1, ret;

		if (comma) {
			char name[16];

			if (comma - spec >= (long)sizeof(name))
				goto bad;
			memcpy(name, spec, comma - spec);
			name[comma - spec] = 0;
			if (!parse_bank(name, &algo))
				goto bad;
			file = comma + 1;
		}
		for (unsigned int k = 0; k < *nbanks; k++)
			if (banks[k].algo == algo) {
				prog_err("log verify: --pcrs: bank %s given twice",
					 imactl_hash_algo_name(algo));
				return EXIT_USAGE;
			}
		if (*nbanks == 4)
			goto bad;
		ret = imactl_pcrs_read_file(ctx, file, algo, &banks[*nbanks]);
		if (ret < 0) {
			if (ret != -EBADMSG)
				prog_file_err(file, "%s", strerror(-ret));
			return EXIT_OPERATIONAL;
		}
		(*nbanks)++;
		continue;
	bad:
		prog_err("log verify: --pcrs takes [sha1|sha256|sha384|sha512,]FILE, not '%s'",
			 spec);
		return EXIT_USAGE;
	}
	return 0;
}

static int read_state(const char *path, char **text_ret)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	buf = malloc(1 << 20);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (1 << 20) - 1 && (n = read(fd, buf + len, (1 << 20) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	*text_ret = buf;
	return 0;
}

/* Writes @text to @path atomically: a temporary file, fsync, rename. */
static int write_state(const char *path, const char *text)
{
	size_t plen = strlen(path), len = strlen(text), off = 0;
	char *tmp = malloc(plen + 16);
	int fd, ret = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		off += n;
	}
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0)
		unlink(tmp);
	free(tmp);
	return ret;
}

/* The signature counts of a summary: text label, JSON key, value. */
struct sig_count {
	const char *label, *key;
	uint64_t n;
};

static void sig_counts(const struct imactl_mlog_summary *s, struct sig_count c[5])
{
	const struct sig_count t[5] = {
		{ "good", "good", s->sig_good },
		{ "bad", "bad", s->sig_bad },
		{ "unknown key", "unknown_key", s->sig_unknown_key },
		{ "unsigned", "unsigned", s->sig_unsigned },
		{ "not checkable", "not_checkable", s->sig_unsupported },
	};

	memcpy(c, t, sizeof(t));
}

static void print_text_report(const char *log, const struct imactl_mlog_summary *s, int format,
			      bool have_pcrs, uint64_t resumed, const struct failure *first,
			      int status)
{
	struct sig_count c[5];

	printf("%s: %llu entries (%s)", log, (unsigned long long)s->entries,
	       format == IMACTL_MLOG_FORMAT_ASCII ? "ascii" : "binary");
	if (resumed)
		printf(", %llu of them checked before (--state)", (unsigned long long)resumed);
	printf(", %llu violations, %llu failed\n", (unsigned long long)s->violations,
	       (unsigned long long)s->failed);
	for (unsigned int i = 0; i < s->npcrs; i++) {
		const struct imactl_mlog_pcr_result *p = &s->pcrs[i];
		int size = imactl_hash_algo_size(p->algo);

		printf("PCR %u %s: ", p->pcr, imactl_hash_algo_name(p->algo));
		hex_print(stdout, p->replayed, size);
		if (!p->compared)
			printf(" (not compared)\n");
		else if (!p->matched)
			printf(" MISMATCH: no prefix of the list gives the TPM's value\n");
		else if (p->matched_at == s->entries)
			printf(" matches%s\n",
			       p->padded ? " (sha1 hashes zero-padded, old kernel)" : "");
		else
			printf(" matches after entry %llu%s; %llu entries follow the PCR read\n",
			       (unsigned long long)p->matched_at,
			       p->padded ? " (sha1 hashes zero-padded)" : "",
			       (unsigned long long)(s->entries - p->matched_at));
	}
	printf("boot_aggregate: %s\n",
	       s->boot_aggregate == 0	       ? "matches PCRs 0-7/0-9"
	       : s->boot_aggregate == -EBADMSG ? "MISMATCH with the TPM's PCRs"
	       : have_pcrs ? "not checked (no boot_aggregate entry or PCRs 0-7/0-9 of its bank)"
			   : "not checked (no PCRs)");
	sig_counts(s, c);
	if (c[0].n + c[1].n + c[2].n + c[3].n + c[4].n) {
		for (int i = 0; i < 5; i++)
			printf("%s%llu %s", i ? ", " : "signatures: ", (unsigned long long)c[i].n,
			       c[i].label);
		printf("\n");
	}
	if (status == EXIT_OK) {
		printf("result: OK%s\n",
		       have_pcrs ? "" : " (no PCRs given: the list is only self-consistent)");
	} else if (first->number) {
		printf("result: FAILED at entry %llu (", (unsigned long long)first->number);
		text_print(stdout, first->path ? first->path : "?");
		printf("): %s\n", first->reason);
	} else {
		printf("result: FAILED: %s\n",
		       first->reason ? first->reason : "the PCRs do not match the list");
	}
}

static void print_json_report(const char *log, const struct imactl_mlog_summary *s, int format,
			      uint64_t resumed, const struct failure *first, int status)
{
	struct sig_count c[5];

	printf("{\"log\":");
	json_str(stdout, log);
	printf(",\"format\":\"%s\",\"entries\":%llu,\"resumed\":%llu,\"violations\":%llu,"
	       "\"failed\":%llu,\"attested\":%llu,",
	       format == IMACTL_MLOG_FORMAT_ASCII ? "ascii" : "binary",
	       (unsigned long long)s->entries, (unsigned long long)resumed,
	       (unsigned long long)s->violations, (unsigned long long)s->failed,
	       (unsigned long long)s->attested);
	sig_counts(s, c);
	for (int i = 0; i < 5; i++)
		printf("%s\"%s\":%llu", i ? "," : "\"signatures\":{", c[i].key,
		       (unsigned long long)c[i].n);
	printf("},");
	printf("\"boot_aggregate\":\"%s\",\"pcrs\":[", s->boot_aggregate == 0 ? "ok"
						       : s->boot_aggregate == -EBADMSG
							       ? "mismatch"
							       : "not checked");
	for (unsigned int i = 0; i < s->npcrs; i++) {
		const struct imactl_mlog_pcr_result *p = &s->pcrs[i];

		printf("%s{\"bank\":\"%s\",\"pcr\":%u,\"replayed\":\"", i ? "," : "",
		       imactl_hash_algo_name(p->algo), p->pcr);
		hex_print(stdout, p->replayed, imactl_hash_algo_size(p->algo));
		printf("\",\"compared\":%s,\"matched\":%s,\"padded\":%s,\"matched_at\":%llu}",
		       p->compared ? "true" : "false", p->matched ? "true" : "false",
		       p->padded ? "true" : "false", (unsigned long long)p->matched_at);
	}
	printf("],\"result\":\"%s\"", status == EXIT_OK ? "ok" : "failed");
	if (first->number) {
		printf(",\"first_failure\":{\"entry\":%llu,\"path\":",
		       (unsigned long long)first->number);
		json_str(stdout, first->path);
		printf(",\"reason\":");
		json_str(stdout, first->reason);
		printf("}");
	} else if (status != EXIT_OK && first->reason) {
		printf(",\"first_failure\":{\"reason\":");
		json_str(stdout, first->reason);
		printf("}");
	}
	printf("}\n");
}

static int run_verify(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct opts o = { 0 };
	struct imactl_ctx *ctx = NULL;
	struct imactl_keyring *kr = NULL;
	struct imactl_mlog *ml = NULL;
	struct imactl_mlog_verifier *v = NULL;
	struct imactl_pcr_bank pcrs[4];
	struct imactl_mlog_summary *sum = NULL;
	struct imactl_mlog_verify_params params = { 0 };
	struct failure first = { 0 };
	const struct imactl_mlog_entry *e;
	unsigned int npcrbanks = 0;
	uint64_t nfail = 0, nread = 0;
	char *state_text = NULL;
	const char *log, *why = NULL;
	int status, ret, fd = -1;

	status = start_log_command(cmd, &argc, argv, &o, "bcdefghijmno", &ctx, &log);
	if (status)
		goto out;
	if (o.ncerts && prog_load_keyring(ctx, o.certs, o.ncerts, &kr) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	status = load_pcrs(ctx, &o, pcrs, &npcrbanks);
	if (status)
		goto out;
	if (!o.nbanks) {
		/* default: the banks whose PCRs are known, else sha1 + sha256 */
		for (unsigned int i = 0; i < npcrbanks; i++)
			o.banks[o.nbanks++] = pcrs[i].algo;
		if (!o.nbanks) {
			o.banks[o.nbanks++] = IMACTL_HASH_SHA1;
			o.banks[o.nbanks++] = IMACTL_HASH_SHA256;
		}
	}
	params.banks = o.banks;
	params.nbanks = o.nbanks;
	params.keyring = kr;
	params.flags = o.vflags;
	params.target_bits = o.target_bits;
	ret = imactl_mlog_verifier_new(ctx, &params, &v);
	if (ret < 0) {
		prog_err("log verify: %s", strerror(-ret));
		status = EXIT_OPERATIONAL;
		goto out;
	}
	for (unsigned int i = 0; i < npcrbanks; i++)
		imactl_mlog_verifier_set_pcrs(v, &pcrs[i]);
	if (o.state) {
		ret = imactl_mlog_verifier_track_bytes(v);
		if (ret == 0) {
			ret = read_state(o.state, &state_text);
			if (ret == -ENOENT)
				ret = 0; /* first run */
			else if (ret == 0)
				ret = imactl_mlog_verifier_resume(v, state_text);
		}
		if (ret < 0) {
			prog_file_err(o.state, "cannot use the state: %s",
				      ret == -EBADMSG ? "malformed, or made with other banks"
						      : strerror(-ret));
			status = EXIT_OPERATIONAL;
			goto out;
		}
	}
	fd = open_log(log);
	if (fd < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	ret = imactl_mlog_open_fd(ctx, fd, o.format, o.mlog_flags, &ml);
	if (ret < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	for (;;) {
		struct imactl_mlog_entry_result r;

		ret = imactl_mlog_next(ml, &e, &why);
		if (ret < 0 || !e)
			break;
		nread++;
		ret = imactl_mlog_verifier_add(v, e, &r);
		if (ret < 0) {
			prog_file_err(log, "entry %llu: %s", (unsigned long long)e->number,
				      strerror(-ret));
			status = EXIT_OPERATIONAL;
			goto out;
		}
		if (r.status == 0)
			continue;
		if (!first.number) {
			first.number = e->number;
			first.path = strdup(e->path ? e->path : "");
			first.reason = r.reason;
		}
		if (++nfail <= MAX_REPORTED_FAILURES && !o.json) {
			fflush(stdout);
			fprintf(stderr, "imactl: %s: entry %llu (", log,
				(unsigned long long)e->number);
			text_print(stderr, e->path ? e->path : e->template_name);
			if ((r.sig == IMACTL_MLOG_SIG_BAD ||
			     r.sig == IMACTL_MLOG_SIG_UNKNOWN_KEY) &&
			    r.keyid)
				fprintf(stderr, "): %s (keyid %08x)\n", r.reason, r.keyid);
			else
				fprintf(stderr, "): %s\n", r.reason);
		}
	}
	if (ret < 0)
		prog_file_err(log, "entry %llu: malformed: %s", (unsigned long long)(nread + 1),
			      why);
	sum = calloc(1, sizeof(*sum));
	if (!sum) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	{
		int vret = imactl_mlog_verifier_summary(v, sum);
		uint64_t bad_at = sum->entries + 1;

		if (vret < 0 && vret != -EBADMSG) {
			status = EXIT_OPERATIONAL;
			goto out;
		}
		if (ret < 0) {
			if (!first.number) {
				first.number = bad_at;
				first.path = strdup("");
				first.reason = why;
			}
			if (ret != -EBADMSG) {
				status = EXIT_OPERATIONAL;
				goto out;
			}
			vret = -EBADMSG;
		}
		if (vret == 0) {
			status = EXIT_OK;
		} else {
			status = EXIT_VERIFY;
			if (!first.number && !first.reason)
				first.reason =
					sum->boot_aggregate == -EBADMSG
						? "boot_aggregate does not match PCRs 0-7/0-9"
					: imactl_mlog_verifier_resumed(v) > sum->entries
						? "the list is shorter than the saved state: "
						  "rewritten"
						: "the PCRs do not match the list";
		}
	}
	if (o.json)
		print_json_report(log, sum, imactl_mlog_format(ml), imactl_mlog_verifier_resumed(v),
				  &first, status);
	else if (!o.quiet || status != EXIT_OK)
		print_text_report(log, sum, imactl_mlog_format(ml), npcrbanks > 0,
				  imactl_mlog_verifier_resumed(v), &first, status);
	if (nfail > MAX_REPORTED_FAILURES && !o.json)
		prog_file_err(log, "... and %llu more failing entries",
			      (unsigned long long)(nfail - MAX_REPORTED_FAILURES));
	if (status == EXIT_OK && o.state) {
		char *text = NULL;

		ret = imactl_mlog_verifier_save(v, &text);
		if (ret == 0)
			ret = write_state(o.state, text);
		free(text);
		if (ret < 0) {
			prog_file_err(o.state, "cannot save the state: %s", strerror(-ret));
			status = EXIT_OPERATIONAL;
		}
	}
out:
	if (status == -1)
		status = EXIT_OK;
	if (fd > STDIN_FILENO)
		close(fd);
	free(first.path);
	free(sum);
	free(state_text);
	imactl_mlog_free(ml);
	imactl_mlog_verifier_free(v);
	imactl_keyring_free(kr);
	imactl_ctx_free(ctx);
	free_opts(&o);
	return status;
}

/* ---- log show ---------------------------------------------------------- */

static void show_entry(const struct imactl_mlog_entry *e, bool json)
{
	uint32_t keyid = 0;
	bool has_keyid =
		e->sig && e->sig_len >= 7 &&
		(e->sig[0] == IMACTL_XATTR_DIGSIG || e->sig[0] == IMACTL_XATTR_EVM_PORTABLE ||
		 e->sig[0] == IMACTL_XATTR_IMA_VERITY_SIG);
	const char *algo = e->digest_algo ? imactl_hash_algo_name(e->digest_algo) : "?";
	const char *malgo =
		e->modsig_digest_algo ? imactl_hash_algo_name(e->modsig_digest_algo) : "?";

	if (has_keyid)
		keyid = (uint32_t)e->sig[3] << 24 | e->sig[4] << 16 | e->sig[5] << 8 | e->sig[6];
	if (json) {
		printf("{\"entry\":%llu,\"pcr\":%u,\"template_hash\":\"",
		       (unsigned long long)e->number, e->pcr);
		hex_print(stdout, e->template_hash, 20);
		printf("\",\"template\":");
		json_str(stdout, e->template_name);
		printf(",\"violation\":%s", e->violation ? "true" : "false");
		if (e->digest) {
			printf(",\"digest\":\"%s:", algo);
			hex_print(stdout, e->digest, e->digest_len);
			printf("\"");
		}
		if (e->digest_type)
			printf(",\"digest_type\":\"%s\"", e->digest_type);
		if (e->path) {
			printf(",\"path\":");
			json_str(stdout, e->path);
		}
		if (e->sig) {
			printf(",\"sig_type\":%u", e->sig[0]);
			if (has_keyid)
				printf(",\"keyid\":\"%08x\"", keyid);
		}
		if (e->modsig_digest) {
			printf(",\"modsig_digest\":\"%s:", malgo);
			hex_print(stdout, e->modsig_digest, e->modsig_digest_len);
			printf("\"");
		}
		if (e->modsig)
			printf(",\"modsig_len\":%zu", e->modsig_len);
		if (e->evmsig)
			printf(",\"evmsig_len\":%zu", e->evmsig_len);
		if (e->buf)
			printf(",\"buf_len\":%zu", e->buf_len);
		printf("}");
		return;
	}
	printf("%llu %u %s ", (unsigned long long)e->number, e->pcr, e->template_name);
	if (e->violation)
		printf("VIOLATION ");
	if (e->digest) {
		printf("%s%s%s:", e->digest_type ? e->digest_type : "", e->digest_type ? ":" : "",
		       algo);
		hex_print(stdout, e->digest, e->digest_len);
	} else {
		printf("-");
	}
	printf(" ");
	text_print(stdout, e->path ? e->path : "-");
	if (e->sig) {
		printf(" %s", prog_xattr_type_name(e->sig[0]));
		if (has_keyid)
			printf(" keyid %08x", keyid);
	}
	if (e->modsig) {
		printf(" modsig ");
		if (e->modsig_digest) {
			printf("%s:", malgo);
			hex_print(stdout, e->modsig_digest, e->modsig_digest_len);
			printf(" ");
		}
		printf("%zu bytes", e->modsig_len);
	}
	if (e->evmsig)
		printf(" evmsig %zu bytes", e->evmsig_len);
	if (e->buf)
		printf(" buf %zu bytes", e->buf_len);
	if (!e->template_known)
		printf(" (unknown template: %u fields)", e->nfields);
	printf("\n");
}

static int run_show(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct opts o = { 0 };
	struct imactl_ctx *ctx = NULL;
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	const char *why = NULL, *log;
	bool first = true;
	int status, ret, fd = -1;

	status = start_log_command(cmd, &argc, argv, &o, "bijn", &ctx, &log);
	if (status)
		goto out;
	fd = open_log(log);
	if (fd < 0 || imactl_mlog_open_fd(ctx, fd, o.format, o.mlog_flags, &ml) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	if (o.json)
		printf("[");
	while ((ret = imactl_mlog_next(ml, &e, &why)) == 0 && e) {
		if (o.json && !first)
			printf(",\n");
		show_entry(e, o.json);
		first = false;
	}
	if (o.json)
		printf("]\n");
	if (ret < 0) {
		prog_file_err(log, "malformed after %s entries: %s", first ? "0" : "the shown",
			      why);
		status = ret == -EBADMSG ? EXIT_VERIFY : EXIT_OPERATIONAL;
	}
out:
	if (status == -1)
		status = EXIT_OK;
	if (fd > STDIN_FILENO)
		close(fd);
	imactl_mlog_free(ml);
	imactl_ctx_free(ctx);
	free_opts(&o);
	return status;
}

const struct imactl_command cmd_log_verify_sub = {
	.name = "log verify",
	.func = run_verify,
	.summary = "verify a measurement list (and the TPM's PCRs)",
	.usage = "[OPTIONS] LOG\n"
		 "\n"
		 "Checks every template hash of the IMA measurement list LOG (binary or\n"
		 "ascii; \"-\" reads standard input), replays the PCRs per bank, compares them\n"
		 "with the TPM's, checks boot_aggregate against PCRs 0-7 (sha1) / 0-9, and\n"
		 "with --cert every ima-sig/ima-sigv2/ima-modsig file signature, ima-modsig's\n"
		 "appended signature (PKCS#7 over d-modsig, signer by issuer and serial or\n"
		 "subject key id) and evm-sig EVM portable signature (not checkable: an EVM\n"
		 "value in sig).\n"
		 "\n"
		 "  --format auto|ascii|binary   (default: auto)\n"
		 "  --endian auto|little|big     byte order of the list's lengths (default:\n"
		 "                        from the first entry; ascii: little)\n"
		 "  --tpm [DIR]           PCRs from DIR/pcr-<alg>/<n> (default "
		 "/sys/class/tpm/tpm0)\n"
		 "  --pcrs [ALG,]FILE     PCRs in evmctl's \"PCR-NN: HEX\" format (ALG default\n"
		 "                        sha1); repeat for several banks\n"
		 "  --bank sha1|sha256|sha384|sha512|all   banks to replay (comma list; default:\n"
		 "                        those with PCRs, else sha1,sha256)\n"
		 "  --cert CERT           check signatures against CERT; repeat for several\n"
		 "  --target-bits 64|32|auto   word size of the system that wrote the list, for\n"
		 "                        evm-sig's EVM input (default auto: either layout)\n"
		 "  --ignore-violations   a measurement violation does not fail\n"
		 "  --state FILE          incremental: resume from FILE, save the new position\n"
		 "                        there (atomically) when the list verifies\n"
		 "  --json                a JSON report on standard output\n"
		 "  -q, --quiet           no report when everything verifies\n"
		 "\n"
		 "The list may be ahead of the PCR read: a match after a prefix counts, and\n"
		 "the entries after it are reported.\n"
		 "Exit: 0 the list is intact, the PCRs match, every checked signature\n"
		 "verifies; 1 otherwise (the first failing entry is named); 3 operational.\n",
};

const struct imactl_command cmd_log_show_sub = {
	.name = "log show",
	.func = run_show,
	.summary = "print a measurement list, one decoded entry per line",
	.usage = "[--format auto|ascii|binary] [--endian auto|little|big] [--json] LOG\n"
		 "\n"
		 "One line per entry: number, PCR, template, digest, path, signature type\n"
		 "and keyid.  --json prints an array of objects.  Exit 1 on a malformed list.\n",
};

extern const struct imactl_command cmd_log_keylime_sub;
extern const struct imactl_command cmd_log_verify_sub, cmd_log_show_sub;

static const struct imactl_command *const subs[] = {
	&cmd_log_verify_sub,
	&cmd_log_show_sub,
	&cmd_log_keylime_sub,
};

static int run_log(const struct imactl_command *cmd, int argc, char *argv[])
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		FILE *f = argc < 2 ? stderr : stdout;

		prog_usage(cmd, f);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_LEN(subs); i++)
		if (!strcmp(subs[i]->name + 4, argv[1]))
			return subs[i]->func(subs[i], argc - 1, argv + 1);
	prog_err("log: unknown subcommand '%s' (verify, show, keylime-policy)", argv[1]);
	return EXIT_USAGE;
}

const struct imactl_command cmd_log = {
	.name = "log",
	.func = run_log,
	.summary = "verify, show, or make a Keylime policy for IMA measurement lists",
	.usage = "verify|show|keylime-policy ...\n"
		 "\n"
		 "  imactl log verify [--tpm [DIR] | --pcrs FILE] [--cert CERT]... LOG\n"
		 "  imactl log show [--json] LOG\n"
		 "  imactl log keylime-policy ROOT --cert CERT... [--exclude GLOB]...\n"
		 "\n"
		 "'imactl log SUBCOMMAND --help' for details.\n",
};

/* ---- log keylime-policy ------------------------------------------------ */

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
	json_str(w->digests, rel);
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
	json_str(f, inner);
	fprintf(f, "}");
	fclose(f);
	free(inner);
	f = open_memstream(out, &olen);
	if (!f) {
		free(mid);
		return -ENOMEM;
	}
	json_str(f, mid);
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

	status = parse_opts(cmd, &argc, argv, &o, "fkln");
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
