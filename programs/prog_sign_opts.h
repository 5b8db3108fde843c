/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The options that sign, sign-tree, verify and verify-tree share: --key,
 * --cert, --keyid, --pass-file, --hash, --ima, --sigv3, --evm,
 * --require-sig, --allow-hash, --target-bits, --jobs, --include, --exclude,
 * --one-file-system, --xattr-user.
 *
 * Each command builds its longopts from the PROG_SO_LONGOPTS_* groups and its
 * own options (numbered from PROG_SO_END), keeps its own --help text, and
 * reads its options with prog_sign_getopt(), which takes the shared ones.
 */
#ifndef IMACTL_PROG_SIGN_OPTS_H
#define IMACTL_PROG_SIGN_OPTS_H

#include "prog.h"

#include <stdint.h>

enum {
	PROG_SO_KEY = 1,
	PROG_SO_CERT,
	PROG_SO_KEYID,
	PROG_SO_PASS_FILE,
	PROG_SO_HASH,
	PROG_SO_IMA,
	PROG_SO_SIGV3,
	PROG_SO_EVM,
	PROG_SO_REQUIRE_SIG,
	PROG_SO_TARGET_BITS,
	PROG_SO_JOBS,
	PROG_SO_INCLUDE,
	PROG_SO_EXCLUDE,
	PROG_SO_ONE_FS,
	PROG_SO_XATTR_USER,
	PROG_SO_CACHE,
	PROG_SO_NO_CACHE,
	PROG_SO_CACHE_SIZE,
	PROG_SO_ALLOW_HASH,
	PROG_SO_END, /* the commands' own options follow */
};

/* sign and sign-tree */
#define PROG_SO_LONGOPTS_SIGN                                                                      \
	{ "key", required_argument, NULL, PROG_SO_KEY },                                           \
		{ "cert", required_argument, NULL, PROG_SO_CERT },                                 \
		{ "keyid", required_argument, NULL, PROG_SO_KEYID },                               \
		{ "hash", required_argument, NULL, PROG_SO_HASH },                                 \
		{ "ima", required_argument, NULL, PROG_SO_IMA },                                   \
		{ "sigv3", no_argument, NULL, PROG_SO_SIGV3 },                                     \
		{ "evm", required_argument, NULL, PROG_SO_EVM },                                   \
		{ "target-bits", required_argument, NULL, PROG_SO_TARGET_BITS },                   \
		{ "pass-file", required_argument, NULL, PROG_SO_PASS_FILE },                       \
		{ "cache", required_argument, NULL, PROG_SO_CACHE },                               \
		{ "no-cache", no_argument, NULL, PROG_SO_NO_CACHE },                               \
		{ "cache-size", required_argument, NULL, PROG_SO_CACHE_SIZE },                     \
	{                                                                                          \
		"xattr-user", no_argument, NULL, PROG_SO_XATTR_USER                                \
	}

/* verify and verify-tree */
#define PROG_SO_LONGOPTS_VERIFY                                                                    \
	{ "cert", required_argument, NULL, PROG_SO_CERT },                                         \
		{ "evm", no_argument, NULL, PROG_SO_EVM },                                         \
		{ "require-sig", no_argument, NULL, PROG_SO_REQUIRE_SIG },                         \
		{ "allow-hash", no_argument, NULL, PROG_SO_ALLOW_HASH },                           \
		{ "target-bits", required_argument, NULL, PROG_SO_TARGET_BITS },                   \
	{                                                                                          \
		"xattr-user", no_argument, NULL, PROG_SO_XATTR_USER                                \
	}

/* sign-tree and verify-tree */
#define PROG_SO_LONGOPTS_TREE                                                                      \
	{ "jobs", required_argument, NULL, PROG_SO_JOBS },                                         \
		{ "include", required_argument, NULL, PROG_SO_INCLUDE },                           \
		{ "exclude", required_argument, NULL, PROG_SO_EXCLUDE },                           \
	{                                                                                          \
		"one-file-system", no_argument, NULL, PROG_SO_ONE_FS                               \
	}

/* sign-tree and sign-image: their own options (handled by sign_tree_run()) */
enum {
	PROG_SO_SIGN_SKIP_VALID = PROG_SO_END,
	PROG_SO_SIGN_MANIFEST,
	PROG_SO_SIGN_VERBOSE,
	PROG_SO_SIGN_JSON,
	PROG_SO_SIGN_MUTABLE,
	PROG_SO_SIGN_MUTABLE_LIST,
	PROG_SO_SIGN_HELP,
};
#define PROG_SO_LONGOPTS_SIGN_TREE                                                                 \
	{ "skip-valid", no_argument, NULL, PROG_SO_SIGN_SKIP_VALID },                              \
		{ "manifest", required_argument, NULL, PROG_SO_SIGN_MANIFEST },                    \
		{ "verbose", no_argument, NULL, PROG_SO_SIGN_VERBOSE },                            \
		{ "json", no_argument, NULL, PROG_SO_SIGN_JSON },                                  \
		{ "mutable", required_argument, NULL, PROG_SO_SIGN_MUTABLE },                      \
		{ "mutable-list", required_argument, NULL, PROG_SO_SIGN_MUTABLE_LIST },            \
	{                                                                                          \
		"help", no_argument, NULL, PROG_SO_SIGN_HELP                                       \
	}

/*
 * The func of sign-tree and sign-image (cmd_sign_tree.c): everything but the
 * walk, which is imactl_tree_sign() or, for cmd_sign_image, with its options
 * sign_image_longopts (cmd_sign_image.c), imactl_image_sign().
 */
int sign_tree_run(const struct imactl_command *cmd, int argc, char *argv[]);
extern const struct option sign_image_longopts[];

/* verify-tree and verify-image: their own options */
enum {
	PROG_SO_VERIFY_JSON = PROG_SO_END,
	PROG_SO_VERIFY_HELP,
};
#define PROG_SO_LONGOPTS_VERIFY_TREE                                                               \
	{ "json", no_argument, NULL, PROG_SO_VERIFY_JSON },                                        \
	{                                                                                          \
		"help", no_argument, NULL, PROG_SO_VERIFY_HELP                                     \
	}

/* verify-tree and verify-image (cmd_verify_tree.c), as sign_tree_run() */
int verify_tree_run(const struct imactl_command *cmd, int argc, char *argv[]);
extern const struct option verify_image_longopts[];

/* --help text that sign-tree and sign-image share */
#define PROG_SO_HELP_KEY                                                                           \
	"  --key KEY             private key, PEM or DER (encrypted is fine)\n"                    \
	"  --cert CERT           keyid from this certificate; KEY must match it\n"                 \
	"  --keyid HEX           put this 32-bit keyid into the signatures\n"                      \
	"  --hash ALGO           sha1, sha224, sha256 (default), sha384, sha512, sm3\n"            \
	"  --ima sig|hash        security.ima: signature (default) or hash\n"
#define PROG_SO_HELP_MUTABLE                                                                       \
	"  --mutable GLOB        files the running system may change (repeatable;\n"               \
	"                        patterns as --include): security.ima gets a hash,\n"              \
	"                        not a signature, and no EVM portable signature (one\n"            \
	"                        it had is removed); the device gives them an EVM\n"               \
	"                        HMAC on first boot (imactl label-image)\n"                        \
	"  --mutable-list FILE   write the mutable files' paths there, one a line,\n"              \
	"                        escaped as in a manifest, sorted\n"
#define PROG_SO_HELP_PASS_FILE                                                                     \
	"  --pass-file FILE      passphrase of KEY (else $IMACTL_KEY_PASSWORD, else the\n"         \
	"                        terminal); never on the command line\n"
/* --help text that verify-tree and verify-image share (the line after it
 * names the command whose --help explains auto) */
#define PROG_SO_HELP_VERIFY_TREE                                                                   \
	"  --cert CERT           a certificate (PEM or DER); repeat for several\n"                 \
	"  --evm                 also check the EVM portable signatures\n"                         \
	"  --require-sig         a hash-only file is a problem (the default with --cert)\n"        \
	"  --allow-hash          with --cert, a hash-only file is not a problem\n"                 \
	"  --target-bits 64|32|auto\n"                                                             \
	"                        word size of the target, for EVM (default: auto,\n"

/* How the options of a command differ (prog_sign_opts_init() @mode). */
#define PROG_SO_VERIFY	  0x1 /* --cert repeatable, --evm a flag */
#define PROG_SO_IMA_NONE  0x2 /* --ima also takes none */
#define PROG_SO_BITS_AUTO 0x4 /* --target-bits also takes auto (the default) */

struct prog_sign_opts {
	const struct imactl_command *cmd;
	unsigned int mode; /* PROG_SO_VERIFY, ... */
	/* signing: sha256, ima sig, evm none unless the command changes them */
	struct imactl_sign_params sign;
	const char *key_path, *pass_file;
	uint32_t keyid;
	bool have_keyid;
	/* --cert: every one given (at most one when signing) */
	char **certs;
	int n_certs;
	/* --evm, --require-sig when verifying; with --cert, REQUIRE_SIG unless
	 * --allow-hash (set when the options have been read) */
	unsigned int verify_flags;
	bool allow_hash;
	unsigned int target_bits; /* 0: auto */
	bool bits_given;
	/* trees: include, exclude, jobs, flags (the command sets the rest) */
	struct imactl_tree_params tree;
	const char **include, **exclude;
	bool xattr_user;
	/* the signature cache: --cache DIR, --no-cache, --cache-size */
	const char *cache_dir;
	bool no_cache;
	uint64_t cache_size;
	struct imactl_sigcache *cache; /* also in sign.cache once opened */
	unsigned long long seen;       /* for prog_once() */
	/* what the command made with them; prog_sign_opts_free() frees it */
	struct imactl_ctx *ctx;
	struct imactl_key *key;
	struct imactl_keyring *keyring;
};

/*
 * Sets the defaults and makes room for @argc values; false on ENOMEM.
 * prog_sign_opts_free() it after parsing (also after a usage error).
 */
bool prog_sign_opts_init(struct prog_sign_opts *o, const struct imactl_command *cmd,
			 unsigned int mode, int argc);
/* Frees the options and the context, key and keyring made with them. */
void prog_sign_opts_free(struct prog_sign_opts *o);
/* The end of a command: flushes stdout, frees @o, returns @status. */
int prog_sign_opts_end(struct prog_sign_opts *o, int status);

/*
 * prog_getopt() that takes the shared options itself and returns the
 * command's own ones, -1 at the end, or '?' (after a message) for a usage
 * error: an unknown option, a bad value, or a repeated option other than
 * --include, --exclude, --cert (when verifying) and those in @repeatable
 * (0-terminated; NULL for none).
 */
int prog_sign_getopt(struct prog_sign_opts *o, int argc, char *argv[], const char *shortopts,
		     const struct option *longopts, const int *repeatable);

/*
 * After the options, for signing commands: the checks between them (usage
 * errors, false after a message); copies target_bits into sign.
 */
bool prog_sign_opts_check(struct prog_sign_opts *o);

/* o->ctx, a context for the command (prog_ctx_new()); 0 or -errno. */
int prog_sign_opts_ctx(struct prog_sign_opts *o, int verbose);
/* o->key, the signing key of --key (NULL without it), as prog_load_key(). */
int prog_sign_opts_load_key(struct prog_sign_opts *o);
/* o->keyring, the certificates of --cert (prog_load_keyring()). */
int prog_sign_opts_load_keyring(struct prog_sign_opts *o);

/*
 * Opens the signature cache into o->sign.cache when signatures are made:
 * --cache DIR, else (not for root, not with --no-cache) the user's cache
 * directory ($XDG_CACHE_HOME/imactl or ~/.cache/imactl).  A --cache DIR that
 * cannot be used is an error (false after a message); the default one only
 * gives a warning and signing goes on without it.
 */
bool prog_sign_opts_open_cache(struct prog_sign_opts *o);

/*
 * After signing: keeps the cache within its size and closes it.  Returns
 * whether there was one, its counters in *@s (zero without one).
 */
bool prog_sign_opts_close_cache(struct prog_sign_opts *o, struct imactl_sigcache_stats *s);
/* "CMD: signatures: N reused from the cache, N verified with the key, N newly signed, ..." */
void prog_print_cache_stats(FILE *f, const char *cmd, const struct imactl_sigcache_stats *s);

#endif
