// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl keygen: a local CA, signing keys and their certificates. */
#include "prog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OPT_OUT = 1,
	OPT_ALGO,
	OPT_SUBJECT,
	OPT_DAYS,
	OPT_PASS_FILE,
	OPT_ENCRYPT,
	OPT_CA_CERT,
	OPT_CA_KEY,
	OPT_CA_PASS_FILE,
	OPT_KEY,
	OPT_FORCE,
	OPT_VERBOSE,
	OPT_HELP,
};

static const struct option longopts[] = {
	{ "out", required_argument, NULL, OPT_OUT },
	{ "algo", required_argument, NULL, OPT_ALGO },
	{ "subject", required_argument, NULL, OPT_SUBJECT },
	{ "days", required_argument, NULL, OPT_DAYS },
	{ "pass-file", required_argument, NULL, OPT_PASS_FILE },
	{ "encrypt", no_argument, NULL, OPT_ENCRYPT },
	{ "ca-cert", required_argument, NULL, OPT_CA_CERT },
	{ "ca-key", required_argument, NULL, OPT_CA_KEY },
	{ "ca-pass-file", required_argument, NULL, OPT_CA_PASS_FILE },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct {
	const char *name;
	enum imactl_keygen_kind kind;
} kinds[] = {
	{ "ca", IMACTL_KEYGEN_CA },
	{ "signer", IMACTL_KEYGEN_SIGNER },
	{ "self-signed", IMACTL_KEYGEN_SELF_SIGNED },
	{ "debug", IMACTL_KEYGEN_DEBUG },
};

struct keygen_opts {
	const char *out, *pass_file, *ca_cert, *ca_key, *ca_pass_file, *key;
	bool encrypt;
	int verbose;
	struct imactl_keygen_params params;
};

static int parse_days(const char *s, unsigned int *days)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || *s == '-' || v < 1 || v > 36500) {
		prog_err("keygen: --days takes 1 to 36500, not '%s'", s);
		return -EINVAL;
	}
	*days = (unsigned int)v;
	return 0;
}

static int parse_opts(const struct imactl_command *cmd, int argc, char *argv[],
		      struct keygen_opts *o)
{
	unsigned long long seen = 0;
	int c;

	while ((c = prog_getopt(cmd, argc, argv, "v", longopts)) != -1) {
		if (c != '?' && c != 'v' && c != OPT_VERBOSE && !prog_once(cmd, &seen, c, longopts))
			return EXIT_USAGE;
		switch (c) {
		case OPT_OUT:
			o->out = optarg;
			break;
		case OPT_ALGO:
			o->params.key_algo = imactl_key_algo_by_name(optarg);
			if (o->params.key_algo < 0) {
				prog_err("keygen: --algo takes ec-p256, ec-p384, rsa-2048, "
					 "rsa-3072 or rsa-4096, not '%s'",
					 optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_SUBJECT:
			o->params.subject = optarg;
			break;
		case OPT_DAYS:
			if (parse_days(optarg, &o->params.days) < 0)
				return EXIT_USAGE;
			break;
		case OPT_PASS_FILE:
			o->pass_file = optarg;
			break;
		case OPT_ENCRYPT:
			o->encrypt = true;
			break;
		case OPT_CA_CERT:
			o->ca_cert = optarg;
			break;
		case OPT_CA_KEY:
			o->ca_key = optarg;
			break;
		case OPT_CA_PASS_FILE:
			o->ca_pass_file = optarg;
			break;
		case OPT_KEY:
			o->key = optarg;
			break;
		case OPT_FORCE:
			o->params.flags |= IMACTL_KEYGEN_FORCE;
			break;
		case 'v':
		case OPT_VERBOSE:
			o->verbose++;
			break;
		case OPT_HELP:
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* Option combinations that make no sense for @kind. */
static bool check_opts(enum imactl_keygen_kind kind, const struct keygen_opts *o)
{
	bool signer = kind == IMACTL_KEYGEN_SIGNER;

	if (!o->out) {
		prog_err("keygen: --out DIR is required");
		return false;
	}
	if (signer != (o->ca_cert || o->ca_key || o->ca_pass_file) ||
	    (signer && (!o->ca_cert || !o->ca_key))) {
		prog_err("keygen: --ca-cert and --ca-key (and --ca-pass-file) go with 'signer', "
			 "and it needs both");
		return false;
	}
	if (o->key && kind == IMACTL_KEYGEN_DEBUG) {
		prog_err("keygen: --key (an existing key to certify) goes with 'ca', 'signer' or "
			 "'self-signed'");
		return false;
	}
	if (o->key && (o->encrypt || o->params.key_algo)) {
		prog_err("keygen: --key certifies an existing key: --encrypt and --algo do not "
			 "apply");
		return false;
	}
	if (o->encrypt && o->pass_file) {
		prog_err("keygen: --encrypt and --pass-file exclude each other (--pass-file "
			 "encrypts)");
		return false;
	}
	if (kind == IMACTL_KEYGEN_DEBUG && o->params.subject) {
		prog_err("keygen: debug keys have fixed subjects that say they are debug keys");
		return false;
	}
	return true;
}

/*
 * mkdir -p; the directories it made are listed in @made (deepest last) so
 * that a failed keygen leaves nothing behind.
 */
#define MAX_MADE 16
struct made_dirs {
	char *path;
	size_t n;
	size_t ends[MAX_MADE];
};

static int make_out_dir(const char *dir, struct made_dirs *made)
{
	made->path = strdup(dir);
	if (!made->path)
		return -ENOMEM;
	for (char *p = made->path + 1;; p++) {
		char c = *p;

		if (c && c != '/')
			continue;
		*p = 0;
		if (mkdir(made->path, 0755) == 0) {
			if (made->n < MAX_MADE)
				made->ends[made->n++] = p - made->path;
		} else if (errno != EEXIST) {
			int ret = -errno;

			prog_file_err(made->path, "cannot create the directory: %s",
				      strerror(errno));
			*p = c;
			return ret;
		}
		*p = c;
		if (!c)
			return 0;
	}
}

static void remove_made_dirs(struct made_dirs *made)
{
	while (made->n) {
		made->path[made->ends[--made->n]] = 0;
		rmdir(made->path);
	}
}

static int run_keygen(struct imactl_ctx *ctx, enum imactl_keygen_kind kind, struct keygen_opts *o)
{
	struct prog_pass_source new_pass = { .file = o->pass_file,
					     .key_path = o->out,
					     .confirm = true };
	struct imactl_cert *ca_cert = NULL;
	struct imactl_key *ca_key = NULL, *key = NULL;
	struct made_dirs made = { 0 };
	const char *const *names;
	int ret;

	if (o->ca_cert) {
		ret = prog_load_key(ctx, o->ca_key, NULL, NULL, o->ca_pass_file, &ca_key);
		if (!ret)
			ret = imactl_cert_load(ctx, o->ca_cert, &ca_cert);
		if (ret < 0)
			goto out;
		o->params.ca_cert = ca_cert;
		o->params.ca_key = ca_key;
	}
	if (o->key) {
		/* with --key, --pass-file is that key's passphrase or PIN */
		ret = prog_load_key(ctx, o->key, NULL, NULL, o->pass_file, &key);
		if (ret < 0)
			goto out;
		o->params.key = key;
	} else if (o->pass_file || o->encrypt) {
		o->params.pass_fn = prog_pass_cb;
		o->params.pass_data = &new_pass;
	}
	ret = make_out_dir(o->out, &made);
	if (ret < 0)
		goto out;
	ret = imactl_keygen(ctx, kind, o->out, &o->params);
	if (ret < 0)
		goto out;
	made.n = 0;
	names = imactl_keygen_files(kind);
	for (size_t i = o->key ? 1 : 0; names[i]; i++)
		printf("%s/%s\n", o->out, names[i]);
out:
	remove_made_dirs(&made);
	free(made.path);
	imactl_key_free(key);
	imactl_key_free(ca_key);
	imactl_cert_free(ca_cert);
	return ret;
}

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	const char *word = strrchr(cmd->name, ' ') + 1;
	struct keygen_opts o = { 0 };
	struct imactl_ctx *ctx = NULL;
	enum imactl_keygen_kind kind = 0;
	int ret;

	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		if (!strcmp(word, kinds[i].name))
			kind = kinds[i].kind;
	ret = parse_opts(cmd, argc, argv, &o);
	if (ret < 0)
		return prog_usage(cmd, stdout);
	if (ret > 0)
		return prog_bad_option(cmd);
	if (optind < argc) {
		prog_err("%s: unexpected argument '%s'", cmd->name, argv[optind]);
		return prog_bad_option(cmd);
	}
	if (!check_opts(kind, &o))
		return prog_bad_option(cmd);
	if (prog_ctx_new(&ctx, o.verbose, false) < 0)
		return EXIT_OPERATIONAL;
	ret = run_keygen(ctx, kind, &o);
	imactl_ctx_free(ctx);
	return ret < 0 ? EXIT_OPERATIONAL : EXIT_OK;
}

/* Option help shared by the kinds' usage texts. */
#define OUT_HELP "  --out DIR            where the files go (created if missing)\n"
#define ALGO_HELP                                                                                  \
	"  --algo ALGO          ec-p256, ec-p384, rsa-2048, rsa-3072 (default; debug:\n"           \
	"                       rsa-2048) or rsa-4096\n"
#define SUBJECT_HELP "  --subject SUBJ       \"O=Example,CN=Name\" (or \"/O=Example/CN=Name\")\n"
#define DAYS_HELP    "  --days N             validity (default 3650; a signer ends with its CA)\n"
#define NEWKEY_HELP                                                                                \
	"  --pass-file FILE     encrypt the new private key with the passphrase in FILE\n"         \
	"  --encrypt            encrypt it with $IMACTL_KEY_PASSWORD or a passphrase\n"            \
	"                       asked twice on the terminal\n"
#define KEY_HELP                                                                                   \
	"  --key KEY            certify this existing key (a file or\n"                            \
	"                       \"pkcs11:token=...;object=...\") instead of making one;\n"         \
	"                       no private key is written; --pass-file is then its\n"              \
	"                       passphrase or PIN\n"
#define CA_HELP                                                                                    \
	"  --ca-cert CERT       the CA certificate (PEM or DER)\n"                                 \
	"  --ca-key KEY         the CA private key (file or pkcs11: URI)\n"                        \
	"  --ca-pass-file FILE  its passphrase (else $IMACTL_KEY_PASSWORD, else a prompt)\n"
#define TAIL_HELP                                                                                  \
	"  --force              replace existing files (never done otherwise)\n"                   \
	"  -v, --verbose        more messages\n"                                                   \
	"\n"                                                                                       \
	"Private keys are written with mode 0600; all files appear together or none\n"             \
	"(temporary files, fsync, rename).  Serial numbers are 16 random bytes.\n"                 \
	"Prints the names of the files written.\n"                                                 \
	"\n"                                                                                       \
	"Exit: 0 done; 3 nothing written (a file exists, bad CA key, I/O ...); 2 usage.\n"

/* A kind's subcommand: its usage is ARGS, WHAT it makes, then the options. */
#define KEYGEN_SUB(word, summary_, args, what, opts)                                               \
	{                                                                                          \
		.name = "keygen " word, .func = run, .summary = (summary_),                        \
		.usage = args "\n\n" what "\n" OUT_HELP opts TAIL_HELP                             \
	}

static const struct imactl_command keygen_ca =
	KEYGEN_SUB("ca", "a local CA for CONFIG_SYSTEM_TRUSTED_KEYS", "--out DIR [OPTIONS]",
		   "DIR/ima-local-ca.priv (key), ima-local-ca.pem, ima-local-ca.x509 (DER): a CA\n"
		   "for CONFIG_SYSTEM_TRUSTED_KEYS (CA:TRUE, keyCertSign + cRLSign, SKI, AKI).\n",
		   ALGO_HELP SUBJECT_HELP DAYS_HELP NEWKEY_HELP KEY_HELP);

static const struct imactl_command keygen_signer = KEYGEN_SUB(
	"signer", "an IMA signing key and certificate issued by the CA",
	"--out DIR --ca-cert CERT --ca-key KEY [OPTIONS]",
	"DIR/privkey_ima.pem, csr_ima.pem, x509_ima.der: an IMA signing key issued by\n"
	"the CA (critical CA:FALSE, digitalSignature, critical codeSigning, SKI, AKI).\n",
	CA_HELP ALGO_HELP SUBJECT_HELP DAYS_HELP NEWKEY_HELP KEY_HELP);

static const struct imactl_command keygen_self_signed = KEYGEN_SUB(
	"self-signed", "a self-signed IMA signing key and certificate", "--out DIR [OPTIONS]",
	"DIR/privkey_ima.pem, x509_ima.der: for a kernel that takes the key into its\n"
	"_ima keyring without a CA.\n",
	ALGO_HELP SUBJECT_HELP DAYS_HELP NEWKEY_HELP KEY_HELP);

static const struct imactl_command keygen_debug =
	KEYGEN_SUB("debug", "a CA and a signer labelled 'debug - never use in production'",
		   "--out DIR [OPTIONS]",
		   "ca + signer in DIR, with fixed subjects that say they are debug keys.\n",
		   ALGO_HELP DAYS_HELP NEWKEY_HELP);

const struct imactl_command cmd_keygen =
	PROG_GROUP("keygen", "make a local CA, signing keys and certificates", &keygen_ca,
		   &keygen_signer, &keygen_self_signed, &keygen_debug);
