/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared helpers of the imactl commands. */
#ifndef IMACTL_PROG_H
#define IMACTL_PROG_H

#include "imactl.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* Exit codes; prog_exit_code() is the one place that maps errors to them. */
#define EXIT_OK		 0
#define EXIT_VERIFY	 1 /* something failed verification */
#define EXIT_USAGE	 2
#define EXIT_OPERATIONAL 3

/*
 * A command ("sign") or a subcommand ("policy check": @name is the whole
 * path, so messages and usage lines name it).  A command with subcommands
 * sets @subs (NULL-terminated) and @func = prog_dispatch; its usage (the
 * list of subcommands) is generated, and @usage, if set, is printed after it.
 */
struct imactl_command {
	const char *name;
	int (*func)(const struct imactl_command *cmd, int argc, char *argv[]);
	const char *summary;
	const char *usage; /* full --help text after "Usage: imactl NAME " */
	const struct imactl_command *const *subs;
};

/* One per cmd_*.c; imactl.c lists them. */
extern const struct imactl_command cmd_sign;
extern const struct imactl_command cmd_verify;
extern const struct imactl_command cmd_hash;
extern const struct imactl_command cmd_show;
extern const struct imactl_command cmd_keyid;
extern const struct imactl_command cmd_policy;
extern const struct imactl_command cmd_kconfig;
extern const struct imactl_command cmd_sign_tree;
extern const struct imactl_command cmd_verify_tree;
extern const struct imactl_command cmd_sign_image;
extern const struct imactl_command cmd_verify_image;
extern const struct imactl_command cmd_apply_manifest;
extern const struct imactl_command cmd_import;
extern const struct imactl_command cmd_log;
extern const struct imactl_command cmd_keygen;
extern const struct imactl_command cmd_cert;
extern const struct imactl_command cmd_hmac;
extern const struct imactl_command cmd_label_image;
extern const struct imactl_command cmd_evm_key;

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Messages: "imactl: ..." on stderr. */
void prog_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "imactl: PATH: ..." */
void prog_file_err(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the usage of @cmd to @f; returns EXIT_OK for stdout, else EXIT_USAGE. */
int prog_usage(const struct imactl_command *cmd, FILE *f);
/*
 * The func of a command with subcommands: argv[1] names the subcommand,
 * which runs with argv + 1.  "-h", "--help" and "help" print the usage on
 * stdout (exit 0), "help SUB" the subcommand's; no subcommand or an unknown
 * one is a usage error (message and usage on stderr, exit 2).
 */
int prog_dispatch(const struct imactl_command *cmd, int argc, char *argv[]);
/* A command with subcommands: PROG_GROUP("NAME", "summary", &sub, ...). */
#define PROG_GROUP(name_, summary_, ...)                                                           \
	{                                                                                          \
		.name = (name_), .func = prog_dispatch, .summary = (summary_),                     \
		.subs = PROG_SUBS(__VA_ARGS__)                                                     \
	}
#define PROG_SUBS(...) ((const struct imactl_command *const[]){ __VA_ARGS__, NULL })
/* The subcommand of @cmd called @name (the last word of its name), or NULL. */
const struct imactl_command *prog_find_sub(const struct imactl_command *cmd, const char *name);
/*
 * After the options: the operands (@what: "FILE", "ROOT", ...) that remain,
 * at least one, or exactly one when @one; false after a message
 * ("CMD: no FILE given", "CMD: exactly one ROOT, please") when not.
 */
bool prog_operands(const struct imactl_command *cmd, int argc, const char *what, bool one);
/* For getopt loops: '?' and repeated options are usage errors. */
int prog_bad_option(const struct imactl_command *cmd);
/* Marks option @opt as seen; false (and a message) if it was seen before. */
bool prog_once(const struct imactl_command *cmd, unsigned long long *seen, int opt,
	       const struct option *longopts);

/*
 * The file the current thread works on; library messages are prefixed with
 * it.  NULL for none.
 */
void prog_set_current_file(const char *path);

/* A context whose messages go to stderr; verbose adds info messages. */
int prog_ctx_new(struct imactl_ctx **ctx_ret, int verbose, bool xattr_user);

/* 0 -> 0; verification outcomes -> 1; everything else -> 3. */
int prog_exit_code(int err);
/* The worse of two exit codes (3 > 1 > 0). */
int prog_worse(int a, int b);

/* Hash algorithm by name, with a usage message. */
bool prog_parse_hash(const struct imactl_command *cmd, const char *name, int *algo);
/* fs-verity (sigv3, hash --verity) has sha256 and sha512 only. */
bool prog_verity_algo(int algo);
bool prog_parse_keyid(const struct imactl_command *cmd, const char *s, uint32_t *keyid);
/*
 * getopt_long() that refuses abbreviated long options: "--pass" must not
 * silently become "--pass-file".  Use it instead of getopt_long().
 */
int prog_getopt(const struct imactl_command *cmd, int argc, char *argv[], const char *shortopts,
		const struct option *longopts);
/*
 * prog_getopt() with the rules of a command's own options: each at most once
 * (*@seen starts 0); the long option named "help" is PROG_OPT_HELP.  Return:
 * the option, -1 at the end, or '?' (after a message) for an unknown, bad or
 * repeated option.  Its switch ends "default: return prog_option_exit(cmd, c);".
 */
#define PROG_OPT_HELP 0
int prog_next_option(const struct imactl_command *cmd, int argc, char *argv[],
		     const char *shortopts, const struct option *longopts,
		     unsigned long long *seen);
/* After an option @c the command does not take: --help prints the usage, else a usage error. */
int prog_option_exit(const struct imactl_command *cmd, int c);
bool prog_parse_target_bits(const struct imactl_command *cmd, const char *s, unsigned int *bits);

/*
 * Passphrases (and PKCS#11 PINs) for imactl_passphrase_fn: from @file, else
 * IMACTL_KEY_PASSWORD, else a no-echo prompt on the terminal naming
 * @key_path (asked twice when @confirm).
 */
struct prog_pass_source {
	const char *file;
	const char *key_path;
	bool confirm;
};
int prog_pass_cb(void *data, char *buf, size_t size);

/*
 * Takes IMACTL_KEY_PASSWORD out of the environment (called first in main):
 * prog_pass_cb() reads the private copy, the variable's bytes are wiped and
 * it is unset, so nothing this process starts (a PKCS#11 module's helpers)
 * inherits it, and /proc/PID/environ no longer shows it.
 */
void prog_take_env_password(void);

/*
 * Loads the signing key @key_path, with the passphrase from @pass_file, the
 * IMACTL_KEY_PASSWORD environment variable, or a prompt on the terminal.
 * Takes the keyid from @cert_path (after checking that it matches the key)
 * or from @keyid when not NULL.  Prints its own messages.
 */
int prog_load_key(struct imactl_ctx *ctx, const char *key_path, const char *cert_path,
		  const uint32_t *keyid, const char *pass_file, struct imactl_key **key_ret);

/* Loads every certificate of @paths into a new keyring; prints its messages. */
int prog_load_keyring(struct imactl_ctx *ctx, char *const paths[], int n,
		      struct imactl_keyring **kr_ret);

/* Why a file could not be opened or processed (-ELOOP: a symlink, ...). */
const char *prog_file_error(int err);

/* "sha256", "signature v2", ... */
const char *prog_xattr_type_name(int type);

/* read(2) into @buf until it is full or the end of file: 0, -errno. */
int prog_read_fd(int fd, void *buf, size_t size, size_t *len_ret);
/* Reads a whole file (at most @limit bytes: -EFBIG beyond). Return: 0, -errno. */
int prog_read_file(const char *path, size_t limit, char **buf_ret, size_t *len_ret);

/* --lsm selinux,smack,smack-extra,apparmor,none -> IMACTL_EVM_LSM_* flags */
bool prog_parse_lsms(const struct imactl_command *cmd, const char *list, unsigned int *flags);
/* An EVM key file (1..IMACTL_EVM_KEY_MAX bytes); -EMSGSIZE for another size */
int prog_read_evm_key(const char *path, uint8_t key[IMACTL_EVM_KEY_MAX], size_t *len_ret);
/*
 * The options hmac and label-image share (cmd_hmac.c): --key-file, --lsm,
 * --target-bits, --no-uuid, --help; a command's own options are numbered
 * from PROG_HMAC_END.
 */
enum {
	PROG_HMAC_KEY_FILE = 1,
	PROG_HMAC_LSM,
	PROG_HMAC_TARGET_BITS,
	PROG_HMAC_NO_UUID,
	PROG_HMAC_HELP,
	PROG_HMAC_END
};
#define PROG_HMAC_LONGOPTS                                                                         \
	{ "key-file", required_argument, NULL, PROG_HMAC_KEY_FILE },                               \
		{ "lsm", required_argument, NULL, PROG_HMAC_LSM },                                 \
		{ "target-bits", required_argument, NULL, PROG_HMAC_TARGET_BITS },                 \
		{ "no-uuid", no_argument, NULL, PROG_HMAC_NO_UUID },                               \
	{                                                                                          \
		"help", no_argument, NULL, PROG_HMAC_HELP                                          \
	}
struct prog_hmac_opts {
	const struct imactl_command *cmd;
	const char *key_file;
	bool no_uuid;
	struct imactl_evm_hmac_params p; /* target_bits 64 unless --target-bits */
	uint8_t key[IMACTL_EVM_KEY_MAX]; /* read by prog_hmac_key() */
	unsigned long long seen;
};
void prog_hmac_opts_init(struct prog_hmac_opts *o, const struct imactl_command *cmd);
/*
 * prog_getopt() that takes the shared options itself and returns the
 * command's own ones, -1 at the end, EXIT_OK after printing --help, or '?'
 * (after a message) for a usage error: an unknown, bad or repeated option.
 */
int prog_hmac_getopt(struct prog_hmac_opts *o, int argc, char *argv[],
		     const struct option *longopts);
/* Reads --key-file into o->key for o->p; prints why not. */
bool prog_hmac_key(struct prog_hmac_opts *o);
/* Wipes the key. */
void prog_hmac_opts_free(struct prog_hmac_opts *o);

/*
 * The paths of a --mutable-list file (cmd_label_image.c), unescaped; prints
 * why not.  Free with prog_free_path_list().
 */
int prog_read_path_list(const char *file, char ***paths_ret, size_t *n_ret);
void prog_free_path_list(char **paths, size_t n);

/* "FILE:LINE:COLUMN: error: message [code]" on stderr (compiler style). */
void prog_print_diag(const char *file, const struct imactl_diag *d);

#endif
