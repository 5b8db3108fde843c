// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * imactl log verify: check a measurement list's template hashes, replay its
 * PCRs against the TPM's, check boot_aggregate and file signatures.  The
 * checks live in lib/mlog_verify.c, the runtime-policy verdicts (--policy) in
 * lib/runtime_policy.c; this file reads options, prints and maps outcomes to
 * exit codes.
 */
#include "cmd_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_REPORTED_FAILURES 20

enum {
	OPT_PCRS = OPT_LOG_FIRST,
	OPT_TPM,
	OPT_BANK,
	OPT_CERT,
	OPT_IGNORE_VIOLATIONS,
	OPT_STATE,
	OPT_JSON,
	OPT_QUIET,
	OPT_TARGET_BITS,
	OPT_POLICY,
};

static const struct option longopts[] = {
	LOG_INPUT_LONGOPTS,
	{ "pcrs", required_argument, NULL, OPT_PCRS },
	{ "tpm", optional_argument, NULL, OPT_TPM },
	{ "bank", required_argument, NULL, OPT_BANK },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "ignore-violations", no_argument, NULL, OPT_IGNORE_VIOLATIONS },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "target-bits", required_argument, NULL, OPT_TARGET_BITS },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ NULL, 0, NULL, 0 },
};

static const int all_banks[] = { IMACTL_HASH_SHA1, IMACTL_HASH_SHA256, IMACTL_HASH_SHA384,
				 IMACTL_HASH_SHA512 };

struct opts {
	struct log_input in;
	char **pcrs;
	int npcrs;
	bool tpm;
	const char *tpm_dir;
	int banks[4];
	unsigned int nbanks;
	char **certs;
	int ncerts;
	unsigned int vflags;
	unsigned int target_bits; /* 0: auto */
	const char *state;
	const char *policy; /* a Keylime runtime policy */
	bool json, quiet;
};

static bool parse_bank(const char *name, int *algo)
{
	for (size_t i = 0; i < ARRAY_LEN(all_banks); i++)
		if (!strcmp(imactl_hash_algo_name(all_banks[i]), name)) {
			*algo = all_banks[i];
			return true;
		}
	return false;
}

/* "--tpm DIR" (not only --tpm=DIR): a directory right after --tpm is its
 * argument, not the LOG; take it out before getopt permutes. */
static void take_tpm_dir(int *argcp, char *argv[], struct opts *o)
{
	int argc = *argcp;

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
}

static int parse_banks(const struct imactl_command *cmd, const char *list, struct opts *o)
{
	char *copy = strdup(list), *tok, *save = NULL;

	if (!copy)
		return EXIT_OPERATIONAL;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int algo;
		bool dup = false;

		if (!strcmp(tok, "all")) {
			o->nbanks = ARRAY_LEN(all_banks);
			memcpy(o->banks, all_banks, sizeof(all_banks));
			continue;
		}
		if (!parse_bank(tok, &algo)) {
			prog_err("%s: --bank takes sha1, sha256, sha384, sha512 or all, not '%s'",
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
	return 0;
}

static int parse_opts(const struct imactl_command *cmd, int *argcp, char *argv[], struct opts *o)
{
	unsigned long long seen = 0;
	int c, argc;

	o->pcrs = calloc(*argcp, sizeof(char *));
	o->certs = calloc(*argcp, sizeof(char *));
	if (!o->pcrs || !o->certs)
		return EXIT_OPERATIONAL;
	take_tpm_dir(argcp, argv, o);
	argc = *argcp;
	optind = 1;
	while ((c = prog_getopt(cmd, argc, argv, "q", longopts)) != -1) {
		int status;

		if (c == 'q')
			c = OPT_QUIET;
		if (c != '?' && c != OPT_CERT && c != OPT_PCRS &&
		    !prog_once(cmd, &seen, c, longopts))
			return prog_bad_option(cmd);
		switch (c) {
		case OPT_PCRS:
			o->pcrs[o->npcrs++] = optarg;
			break;
		case OPT_TPM:
			o->tpm = true;
			if (optarg)
				o->tpm_dir = optarg;
			break;
		case OPT_BANK:
			status = parse_banks(cmd, optarg, o);
			if (status)
				return status;
			break;
		case OPT_CERT:
			o->certs[o->ncerts++] = optarg;
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
		case OPT_QUIET:
			o->quiet = true;
			break;
		case OPT_POLICY:
			o->policy = optarg;
			break;
		case OPT_TARGET_BITS:
			if (strcmp(optarg, "auto") != 0 &&
			    !prog_parse_target_bits(cmd, optarg, &o->target_bits))
				return prog_bad_option(cmd);
			break;
		default: /* --format, --endian, --help, or a usage error */
			status = log_input_option(cmd, c, &o->in);
			if (status)
				return status == LOG_OPT_OTHER ? prog_bad_option(cmd) : status;
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
}

struct failure {
	uint64_t number;
	char *path;
	const char *reason;
};

/* --policy: the verdicts, and every entry the runtime policy fails. */
struct policy_run {
	struct imactl_runtime_policy *pol;
	uint64_t n[IMACTL_RP_FAIL_BAD_KEY + 1];
	struct policy_violation {
		uint64_t number;
		char *path;
		enum imactl_rp_verdict verdict;
		const char *reason;
		uint32_t keyid;
	} * v;
	size_t nv, av;
	uint64_t boot_aggregate_at; /* a boot_aggregate the policy does not list */
	char *boot_aggregate_path;
};

static const char *const verdict_names[] = {
	[IMACTL_RP_PASS_DIGEST] = "digest",
	[IMACTL_RP_PASS_SIGNATURE] = "signature",
	[IMACTL_RP_PASS_EXCLUDED] = "excluded",
	[IMACTL_RP_PASS_IGNORED] = "ignored_keyring",
	[IMACTL_RP_NOT_JUDGED] = "not_judged",
	[IMACTL_RP_FAIL_NOT_LISTED] = "not_in_policy",
	[IMACTL_RP_FAIL_DIGEST] = "digest_mismatch",
	[IMACTL_RP_FAIL_BAD_SIGNATURE] = "bad_signature",
	[IMACTL_RP_FAIL_NO_NAME] = "no_name",
	[IMACTL_RP_FAIL_BAD_KEY] = "bad_key",
};

static int policy_violation(struct policy_run *pr, uint64_t number, const char *path,
			    enum imactl_rp_verdict verdict, const char *reason, uint32_t keyid)
{
	struct policy_violation *v;

	if (pr->nv == pr->av) {
		size_t n = pr->av ? pr->av * 2 : 64;

		v = realloc(pr->v, n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		pr->v = v;
		pr->av = n;
	}
	v = &pr->v[pr->nv];
	*v = (struct policy_violation){ number, strdup(path ? path : ""), verdict, reason, keyid };
	if (!v->path)
		return -ENOMEM;
	pr->nv++;
	return 0;
}

/* Judges @e; a failing boot_aggregate waits for the PCR check. Return: 0, 1 (fails), -errno. */
static int policy_entry(struct policy_run *pr, const struct imactl_mlog_entry *e,
			const struct imactl_mlog_entry_result *r)
{
	struct imactl_rp_result res;
	int ret = imactl_runtime_policy_check(pr->pol, e, r->sig, &res);

	if (ret < 0 && ret != -EBADMSG)
		return ret;
	if (ret == 0) {
		pr->n[res.verdict]++;
		return 0;
	}
	if (res.boot_aggregate && !pr->boot_aggregate_at) {
		pr->boot_aggregate_at = e->number;
		pr->boot_aggregate_path = strdup(e->path);
		return pr->boot_aggregate_path ? 0 : -ENOMEM;
	}
	pr->n[res.verdict]++;
	ret = policy_violation(pr, e->number, e->path, res.verdict, res.reason, res.keyid);
	return ret < 0 ? ret : 1;
}

static int cmp_violation(const void *a, const void *b)
{
	const struct policy_violation *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

/* Keylime accepts a boot_aggregate it computed from the quoted PCRs. */
static int policy_boot_aggregate(struct policy_run *pr, const struct imactl_mlog_summary *s)
{
	if (!pr->boot_aggregate_at)
		return 0;
	if (s->boot_aggregate == 0) {
		pr->n[IMACTL_RP_PASS_DIGEST]++;
		return 0;
	}
	pr->n[IMACTL_RP_FAIL_NOT_LISTED]++;
	return policy_violation(pr, pr->boot_aggregate_at, pr->boot_aggregate_path,
				IMACTL_RP_FAIL_NOT_LISTED,
				s->boot_aggregate == -EBADMSG
					? "boot_aggregate: not in the runtime policy, and it does "
					  "not match PCRs 0-7/0-9"
					: "boot_aggregate: not in the runtime policy, and not "
					  "checked against PCRs 0-9 (give --tpm or --pcrs)",
				0);
}

static void policy_free(struct policy_run *pr)
{
	for (size_t i = 0; i < pr->nv; i++)
		free(pr->v[i].path);
	free(pr->v);
	free(pr->boot_aggregate_path);
	imactl_runtime_policy_free(pr->pol);
}

static void print_policy_text(const char *file, const struct policy_run *pr)
{
	printf("runtime policy %s: %zu paths, %zu keys; passed: %llu by digest, %llu by "
	       "signature, %llu excluded, %llu keys of ignored keyrings; %zu violations\n",
	       file, imactl_runtime_policy_paths(pr->pol), imactl_runtime_policy_keys(pr->pol),
	       (unsigned long long)pr->n[IMACTL_RP_PASS_DIGEST],
	       (unsigned long long)pr->n[IMACTL_RP_PASS_SIGNATURE],
	       (unsigned long long)pr->n[IMACTL_RP_PASS_EXCLUDED],
	       (unsigned long long)pr->n[IMACTL_RP_PASS_IGNORED], pr->nv);
}

static void print_policy_json(const char *file, const struct policy_run *pr)
{
	printf(",\"policy\":{\"file\":");
	json_print(stdout, file);
	printf(",\"paths\":%zu,\"keys\":%zu,\"passed\":{\"digest\":%llu,\"signature\":%llu,"
	       "\"excluded\":%llu,\"ignored_keyring\":%llu},\"violations\":[",
	       imactl_runtime_policy_paths(pr->pol), imactl_runtime_policy_keys(pr->pol),
	       (unsigned long long)pr->n[IMACTL_RP_PASS_DIGEST],
	       (unsigned long long)pr->n[IMACTL_RP_PASS_SIGNATURE],
	       (unsigned long long)pr->n[IMACTL_RP_PASS_EXCLUDED],
	       (unsigned long long)pr->n[IMACTL_RP_PASS_IGNORED]);
	for (size_t i = 0; i < pr->nv; i++) {
		const struct policy_violation *v = &pr->v[i];

		printf("%s{\"entry\":%llu,\"path\":", i ? "," : "", (unsigned long long)v->number);
		json_print(stdout, v->path);
		printf(",\"cause\":\"%s\",\"reason\":", verdict_names[v->verdict]);
		json_print(stdout, v->reason);
		if (v->keyid)
			printf(",\"keyid\":\"%08x\"", v->keyid);
		printf("}");
	}
	printf("]}");
}

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

/*
 * Why the list failed when no entry did: in @buf, naming the PCRs that
 * could not be compared or did not match.
 */
static const char *pcr_failure(const struct imactl_mlog_summary *s, uint64_t resumed, char *buf,
			       size_t size)
{
	size_t n = 0;

	if (s->boot_aggregate == -EBADMSG)
		return "boot_aggregate does not match PCRs 0-7/0-9";
	if (resumed > s->entries)
		return "the list is shorter than the saved state: rewritten";
	for (int pass = 0; pass < 2 && !n; pass++) {
		for (unsigned int i = 0; i < s->npcrs; i++) {
			const struct imactl_mlog_pcr_result *p = &s->pcrs[i];
			bool hit = pass == 0 ? !p->compared && p->extended
					     : p->compared && !p->matched;

			if (!hit || n >= size)
				continue;
			n += snprintf(
				buf + n, size - n, "%s%s %u",
				n ? ", "
				: pass == 0
					? "PCRs the list extends have no value to compare with: "
					: "the TPM's PCRs do not match the list: ",
				imactl_hash_algo_name(p->algo), p->pcr);
		}
	}
	if (n)
		return buf;
	if (s->pcrs_given && !s->attested)
		return "no entry is attested by the PCRs";
	return "the PCRs do not match the list";
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
		/* matched: the value matched (the TPM's); otherwise the full replay */
		hex_print(stdout, p->matched ? p->known : p->replayed, size);
		if (!p->compared && s->pcrs_given && p->extended) {
			printf(" NOT COMPARED: the PCR source has no value for it\n");
		} else if (!p->compared) {
			printf(" (not compared)\n");
		} else if (p->zero) {
			printf(" MISMATCH: the TPM's value is all zero: it saw none of the "
			       "list's entries on this PCR\n");
		} else if (!p->matched) {
			printf(" MISMATCH: no prefix of the list gives the TPM's value ");
			hex_print(stdout, p->known, size);
			printf("\n");
		} else if (p->matched_at == s->entries) {
			printf(" matches%s\n",
			       p->padded ? " (sha1 hashes zero-padded, old kernel)" : "");
		} else {
			printf(" matches after entry %llu%s; %llu entries follow the PCR read "
			       "(the whole list replays to ",
			       (unsigned long long)p->matched_at,
			       p->padded ? " (sha1 hashes zero-padded)" : "",
			       (unsigned long long)(s->entries - p->matched_at));
			hex_print(stdout, p->replayed, size);
			printf(")\n");
		}
	}
	if (s->pcrs_given)
		printf("attested: %llu of %llu entries (each up to its own PCR's match)\n",
		       (unsigned long long)s->attested, (unsigned long long)s->entries);
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
		path_print(stdout, first->path ? first->path : "?");
		printf("): %s\n", first->reason);
	} else {
		printf("result: FAILED: %s\n",
		       first->reason ? first->reason : "the PCRs do not match the list");
	}
}

static void print_json_report(const char *log, const struct imactl_mlog_summary *s, int format,
			      uint64_t resumed, const struct failure *first, int status,
			      const char *policy_file, const struct policy_run *pr)
{
	struct sig_count c[5];

	printf("{\"log\":");
	json_print(stdout, log);
	printf(",\"format\":\"%s\",\"entries\":%llu,\"resumed\":%llu,\"violations\":%llu,"
	       "\"failed\":%llu,\"pcrs_given\":%s,\"attested\":%llu,",
	       format == IMACTL_MLOG_FORMAT_ASCII ? "ascii" : "binary",
	       (unsigned long long)s->entries, (unsigned long long)resumed,
	       (unsigned long long)s->violations, (unsigned long long)s->failed,
	       s->pcrs_given ? "true" : "false", (unsigned long long)s->attested);
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
		printf("\",\"extended\":%s,\"compared\":%s", p->extended ? "true" : "false",
		       p->compared ? "true" : "false");
		if (p->compared) {
			printf(",\"known\":\"");
			hex_print(stdout, p->known, imactl_hash_algo_size(p->algo));
			printf("\"");
		}
		printf(",\"matched\":%s,\"zero\":%s,\"padded\":%s,\"matched_at\":%llu}",
		       p->matched ? "true" : "false", p->zero ? "true" : "false",
		       p->padded ? "true" : "false", (unsigned long long)p->matched_at);
	}
	printf("],\"result\":\"%s\"", status == EXIT_OK ? "ok" : "failed");
	if (first->number) {
		printf(",\"first_failure\":{\"entry\":%llu,\"path\":",
		       (unsigned long long)first->number);
		json_print(stdout, first->path);
		printf(",\"reason\":");
		json_print(stdout, first->reason);
		printf("}");
	} else if (status != EXIT_OK && first->reason) {
		printf(",\"first_failure\":{\"reason\":");
		json_print(stdout, first->reason);
		printf("}");
	}
	if (pr->pol)
		print_policy_json(policy_file, pr);
	printf("}\n");
}

/* One run of log verify: what its steps share. */
struct verify_run {
	struct opts o;
	const char *log;
	struct imactl_ctx *ctx;
	struct imactl_keyring *kr;
	struct imactl_mlog *ml;
	struct imactl_mlog_verifier *v;
	struct imactl_pcr_bank pcrs[4];
	unsigned int npcrbanks;
	struct imactl_mlog_summary *sum;
	struct failure first;
	uint64_t nfail, nread;
	char *state_text;
	char reason[256]; /* of a failure no entry explains */
	int fd;
	struct policy_run pr;	/* --policy */
	uint64_t policy_failed; /* entries only the policy failed */
};

/*
 * What a state is bound to: the kind of PCR source and its banks, so that a
 * state saved without PCRs (every entry, none attested) or against other
 * banks is never taken as attested by a TPM.  The list itself is bound by
 * the hash of its bytes up to the saved position, which starts with the
 * boot's boot_aggregate: the list of another boot fails as "rewritten".
 * Paths are not bound: the list and the PCR values are often copied.  What
 * judged the saved entries is bound by content: the sha256 of each --cert
 * certificate and of the --policy runtime policy as the library loaded them
 * (never read again: a file replaced meanwhile cannot bind the state to what
 * did not judge it), so a state made under another policy or other keys is
 * not taken as their verdict.
 */
static void bind_digest(FILE *f, const char *what, const struct imactl_digest *d)
{
	fprintf(f, "%s sha256:", what);
	hex_print(f, d->bytes, d->len);
	fputc('\n', f);
}

static int state_identity(const struct verify_run *r, char **id_ret)
{
	struct imactl_digest d;
	char *id = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&id, &len);
	int ret = 0;

	if (!f)
		return -ENOMEM;
	fprintf(f, "pcr-source %s\n", r->o.tpm ? "tpm" : r->o.npcrs ? "pcrs" : "none");
	for (unsigned int i = 0; i < r->npcrbanks; i++)
		fprintf(f, "bank %s\n", imactl_hash_algo_name(r->pcrs[i].algo));
	for (int i = 0; i < r->o.ncerts && ret == 0; i++) {
		ret = imactl_keyring_file_digest(r->kr, i, &d);
		if (ret == 0)
			bind_digest(f, "cert", &d);
	}
	if (r->pr.pol && ret == 0) {
		ret = imactl_runtime_policy_digest(r->pr.pol, &d);
		if (ret == 0)
			bind_digest(f, "policy", &d);
	}
	if (fclose(f) != 0 && ret == 0)
		ret = -ENOMEM;
	if (ret < 0) {
		free(id);
		return ret;
	}
	*id_ret = id;
	return 0;
}

/* Resumes from --state FILE when it exists. Return: 0 or an exit code. */
static int resume_state(struct verify_run *r)
{
	char *id = NULL;
	int ret = state_identity(r, &id);

	if (ret < 0) {
		prog_file_err(r->o.state, "cannot bind the state: %s", strerror(-ret));
		return EXIT_OPERATIONAL;
	}
	ret = imactl_mlog_verifier_track_bytes(r->v);
	if (ret == 0)
		ret = imactl_mlog_verifier_bind(r->v, id);
	if (ret == 0)
		ret = imactl_mlog_state_read(r->ctx, r->o.state, &r->state_text);
	if (ret == -ENOENT)
		ret = 0; /* first run */
	else if (ret == 0)
		ret = imactl_mlog_verifier_resume(r->v, r->state_text);
	free(id);
	if (ret == -EBADMSG)
		prog_file_err(r->o.state,
			      "cannot use the state: malformed, or made with another PCR source, "
			      "other banks, certificates or runtime policy, or by an older imactl "
			      "(remove it to start over)");
	else if (ret < 0 && ret != -EPERM && ret != -ESTALE)
		prog_file_err(r->o.state, "cannot use the state: %s", strerror(-ret));
	return ret < 0 ? EXIT_OPERATIONAL : 0;
}

/* Keys, PCRs, banks and state into a new verifier. Return: 0 or an exit code. */
static int new_verifier(struct verify_run *r)
{
	struct imactl_mlog_verify_params params = { 0 };
	struct opts *o = &r->o;
	int status, ret;

	if (o->ncerts && prog_load_keyring(r->ctx, o->certs, o->ncerts, &r->kr) < 0)
		return EXIT_OPERATIONAL;
	/* a malformed policy: the library named the file and the cause */
	if (o->policy && imactl_runtime_policy_load(r->ctx, o->policy, &r->pr.pol) < 0)
		return EXIT_OPERATIONAL;
	status = load_pcrs(r->ctx, o, r->pcrs, &r->npcrbanks);
	if (status)
		return status;
	if (!o->nbanks) {
		/* default: the banks whose PCRs are known, else sha1 + sha256 */
		for (unsigned int i = 0; i < r->npcrbanks; i++)
			o->banks[o->nbanks++] = r->pcrs[i].algo;
		if (!o->nbanks) {
			o->banks[o->nbanks++] = IMACTL_HASH_SHA1;
			o->banks[o->nbanks++] = IMACTL_HASH_SHA256;
		}
	}
	params.banks = o->banks;
	params.nbanks = o->nbanks;
	params.keyring = r->kr;
	params.flags = o->vflags;
	params.target_bits = o->target_bits;
	ret = imactl_mlog_verifier_new(r->ctx, &params, &r->v);
	if (ret < 0) {
		prog_err("log verify: %s", strerror(-ret));
		return EXIT_OPERATIONAL;
	}
	for (unsigned int i = 0; i < r->npcrbanks; i++)
		imactl_mlog_verifier_set_pcrs(r->v, &r->pcrs[i]);
	return o->state ? resume_state(r) : 0;
}

/* Remembers the first failing entry and names the first few on stderr. */
static void entry_failed(struct verify_run *r, const struct imactl_mlog_entry *e,
			 const struct imactl_mlog_entry_result *res)
{
	if (!r->first.number) {
		r->first.number = e->number;
		r->first.path = strdup(e->path ? e->path : "");
		r->first.reason = res->reason;
	}
	if (++r->nfail > MAX_REPORTED_FAILURES || r->o.json)
		return;
	fflush(stdout);
	fprintf(stderr, "imactl: %s: entry %llu (", r->log, (unsigned long long)e->number);
	path_print(stderr, e->path ? e->path : e->template_name);
	if ((res->sig == IMACTL_MLOG_SIG_BAD || res->sig == IMACTL_MLOG_SIG_UNKNOWN_KEY) &&
	    res->keyid)
		fprintf(stderr, "): %s (keyid %08x)\n", res->reason, res->keyid);
	else
		fprintf(stderr, "): %s\n", res->reason);
}

/*
 * --policy: judges @e (after the verifier, whose result is @res; a failure
 * only the policy finds is put there).  Entries covered by --state were
 * judged before; the keys they load into keyrings are learnt again.
 * Return: 0 or an exit code.
 */
static int judge_entry(struct verify_run *r, const struct imactl_mlog_entry *e,
		       struct imactl_mlog_entry_result *res)
{
	bool resumed = e->number <= imactl_mlog_verifier_resumed(r->v);
	const struct policy_violation *pv;
	int ret;

	if (!r->pr.pol || (resumed && !e->buf))
		return 0;
	ret = policy_entry(&r->pr, e, res);
	if (ret < 0) {
		prog_err("log verify: %s", strerror(-ret));
		return EXIT_OPERATIONAL;
	}
	if (ret == 0 || resumed || res->status != 0)
		return 0;
	pv = &r->pr.v[r->pr.nv - 1];
	r->policy_failed++;
	res->status = -EBADMSG;
	res->reason = pv->reason;
	res->keyid = pv->keyid;
	if (pv->verdict == IMACTL_RP_FAIL_BAD_SIGNATURE)
		res->sig = IMACTL_MLOG_SIG_BAD;
	return 0;
}

/*
 * Feeds every entry of the list to the verifier.  Return: 0 or an exit
 * code; *@read_ret is imactl_mlog_next()'s error (with *@why) when the list
 * is malformed.
 */
static int check_entries(struct verify_run *r, int *read_ret, const char **why)
{
	const struct imactl_mlog_entry *e;
	int ret;

	while ((ret = imactl_mlog_next(r->ml, &e, why)) == 0 && e) {
		struct imactl_mlog_entry_result res;

		r->nread++;
		ret = imactl_mlog_verifier_add(r->v, e, &res);
		if (ret < 0) {
			prog_file_err(r->log, "entry %llu: %s", (unsigned long long)e->number,
				      strerror(-ret));
			return EXIT_OPERATIONAL;
		}
		ret = judge_entry(r, e, &res);
		if (ret)
			return ret;
		if (res.status != 0)
			entry_failed(r, e, &res);
	}
	if (ret < 0)
		prog_file_err(r->log, "entry %llu: malformed: %s",
			      (unsigned long long)(r->nread + 1), *why);
	*read_ret = ret;
	return 0;
}

/* --policy once the list is read: boot_aggregate, counts, violations in entry order. */
static int conclude_policy(struct verify_run *r)
{
	struct policy_run *pr = &r->pr;
	size_t before = pr->nv;
	const struct policy_violation *pv;

	if (policy_boot_aggregate(pr, r->sum) < 0)
		return -ENOMEM;
	/* entries only the policy failed: the verifier did not count them */
	r->sum->failed += r->policy_failed + (pr->nv > before);
	if (pr->nv > before) {
		pv = &pr->v[before];
		if (!r->o.json && ++r->nfail <= MAX_REPORTED_FAILURES)
			prog_file_err(r->log, "entry %llu (boot_aggregate): %s",
				      (unsigned long long)pv->number, pv->reason);
		if (!r->first.number || r->first.number > pv->number) {
			free(r->first.path);
			r->first.number = pv->number;
			r->first.path = strdup(pv->path);
			r->first.reason = pv->reason;
		}
	}
	if (pr->nv > 1)
		qsort(pr->v, pr->nv, sizeof(*pr->v), cmp_violation);
	return 0;
}

/* The verdict once the list is read (@read_ret, @why: see check_entries). */
static int conclude(struct verify_run *r, int read_ret, const char *why)
{
	int vret;

	r->sum = calloc(1, sizeof(*r->sum));
	if (!r->sum)
		return EXIT_OPERATIONAL;
	vret = imactl_mlog_verifier_summary(r->v, r->sum);
	if (vret < 0 && vret != -EBADMSG)
		return EXIT_OPERATIONAL;
	if (r->pr.pol) {
		if (conclude_policy(r) < 0)
			return EXIT_OPERATIONAL;
		if (r->pr.nv)
			vret = -EBADMSG;
	}
	if (read_ret < 0) {
		if (!r->first.number) {
			r->first.number = r->sum->entries + 1;
			r->first.path = strdup("");
			r->first.reason = why;
		}
		if (read_ret != -EBADMSG)
			return EXIT_OPERATIONAL;
		vret = -EBADMSG;
	}
	if (vret == 0)
		return EXIT_OK;
	if (!r->first.number && !r->first.reason)
		r->first.reason = pcr_failure(r->sum, imactl_mlog_verifier_resumed(r->v), r->reason,
					      sizeof(r->reason));
	return EXIT_VERIFY;
}

static void report(const struct verify_run *r, int status)
{
	int format = imactl_mlog_format(r->ml);
	uint64_t resumed = imactl_mlog_verifier_resumed(r->v);

	if (r->o.json) {
		print_json_report(r->log, r->sum, format, resumed, &r->first, status, r->o.policy,
				  &r->pr);
	} else if (!r->o.quiet || status != EXIT_OK) {
		if (r->pr.pol)
			print_policy_text(r->o.policy, &r->pr);
		print_text_report(r->log, r->sum, format, r->npcrbanks > 0, resumed, &r->first,
				  status);
	}
	if (r->nfail > MAX_REPORTED_FAILURES && !r->o.json)
		prog_file_err(r->log, "... and %llu more failing entries",
			      (unsigned long long)(r->nfail - MAX_REPORTED_FAILURES));
}

/* Saves the new position to --state FILE. Return: 0 or an exit code. */
static int save_state(const struct verify_run *r)
{
	char *text = NULL;
	int ret = imactl_mlog_verifier_save(r->v, &text);

	if (ret == 0)
		ret = imactl_mlog_state_write(r->ctx, r->o.state, text);
	free(text);
	if (ret < 0) {
		prog_file_err(r->o.state, "cannot save the state: %s",
			      ret == -EBADMSG ? "no entry is attested" : strerror(-ret));
		return EXIT_OPERATIONAL;
	}
	return 0;
}

static int run_verify(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct verify_run r = { .fd = -1 };
	const char *why = NULL;
	int status, read_ret = 0;

	status = parse_opts(cmd, &argc, argv, &r.o);
	if (status == 0)
		status = log_start(cmd, argc, argv, &r.ctx, &r.log);
	if (status == 0)
		status = new_verifier(&r);
	if (status)
		goto out;
	r.fd = log_open(r.log);
	if (r.fd < 0 ||
	    imactl_mlog_open_fd(r.ctx, r.fd, r.o.in.format, r.o.in.mlog_flags, &r.ml) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	status = check_entries(&r, &read_ret, &why);
	if (status == 0)
		status = conclude(&r, read_ret, why);
	if (status == EXIT_OPERATIONAL)
		goto out;
	report(&r, status);
	if (status == EXIT_OK && r.o.state)
		status = save_state(&r);
out:
	if (status == -1)
		status = EXIT_OK;
	if (r.fd > STDIN_FILENO)
		close(r.fd);
	free(r.first.path);
	free(r.sum);
	free(r.state_text);
	imactl_mlog_free(r.ml);
	imactl_mlog_verifier_free(r.v);
	imactl_keyring_free(r.kr);
	policy_free(&r.pr);
	imactl_ctx_free(r.ctx);
	free_opts(&r.o);
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
		 "                        there (atomically, mode 0600) when the list verifies;\n"
		 "                        with PCRs, only attested entries are saved.  FILE is\n"
		 "                        used only when it is a regular file of the caller,\n"
		 "                        writable by nobody else, saved with the same kind of\n"
		 "                        PCR source and banks, the same --cert files and\n"
		 "                        --policy (by content); whoever can write it decides\n"
		 "                        what is skipped: keep it in a directory only the\n"
		 "                        verifier can write\n"
		 "  --policy FILE         judge every entry against FILE, a Keylime runtime\n"
		 "                        policy: a listed digest for its path, a signature\n"
		 "                        valid under its verification-keys or --cert, or an\n"
		 "                        exclude; a signature that does not verify fails even\n"
		 "                        then (Keylime falls back to the digests)\n"
		 "  --json                a JSON report on standard output (with --policy:\n"
		 "                        every violation)\n"
		 "  -q, --quiet           no report when everything verifies\n"
		 "\n"
		 "The list may be ahead of the PCR read: a match after a prefix counts, and\n"
		 "the entries after it are reported.\n"
		 "Exit: 0 the list is intact, the PCRs match, every checked signature\n"
		 "verifies; 1 otherwise (the first failing entry is named); 3 operational.\n",
};
