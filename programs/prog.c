// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared helpers of the imactl commands: messages, exit codes, keys. */
#include "prog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static __thread const char *current_file;

void prog_set_current_file(const char *path)
{
	current_file = path;
}

static void vmsg(const char *path, const char *fmt, va_list ap)
{
	char buf[2048];
	int n = 0;

	/* one write per message so lines from threads do not interleave */
	n = snprintf(buf, sizeof(buf), "imactl: ");
	if (path)
		n += snprintf(buf + n, sizeof(buf) - n, "%s: ", path);
	if (n < (int)sizeof(buf))
		n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (n >= (int)sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	fflush(stdout);
	(void)!write(STDERR_FILENO, buf, n);
}

void prog_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void prog_file_err(const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(path, fmt, ap);
	va_end(ap);
}

/* "verify" for "log verify" */
static const char *sub_word(const struct imactl_command *sub)
{
	const char *sp = strrchr(sub->name, ' ');

	return sp ? sp + 1 : sub->name;
}

/* "check, load, coverage" */
static void list_subs(const struct imactl_command *cmd, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; cmd->subs[i] && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i ? ", " : "", sub_word(cmd->subs[i]));
}

int prog_usage(const struct imactl_command *cmd, FILE *f)
{
	if (cmd->subs) {
		fprintf(f, "Usage: imactl %s SUBCOMMAND [OPTIONS] ARGS...\n\nSubcommands:\n",
			cmd->name);
		for (size_t i = 0; cmd->subs[i]; i++)
			fprintf(f, "  %-16s %s\n", sub_word(cmd->subs[i]), cmd->subs[i]->summary);
		fputc('\n', f);
		/* the first line of each one's usage */
		for (size_t i = 0; cmd->subs[i]; i++)
			fprintf(f, "  imactl %s %.*s\n", cmd->subs[i]->name,
				(int)strcspn(cmd->subs[i]->usage, "\n"), cmd->subs[i]->usage);
		fprintf(f,
			"\n'imactl %s SUBCOMMAND --help' or 'imactl %s help SUBCOMMAND' for "
			"details.\n",
			cmd->name, cmd->name);
		if (cmd->usage)
			fprintf(f, "\n%s", cmd->usage);
	} else {
		fprintf(f, "Usage: imactl %s %s", cmd->name, cmd->usage);
	}
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

const struct imactl_command *prog_find_sub(const struct imactl_command *cmd, const char *name)
{
	for (size_t i = 0; cmd->subs && cmd->subs[i]; i++)
		if (!strcmp(sub_word(cmd->subs[i]), name))
			return cmd->subs[i];
	return NULL;
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") || !strcmp(arg, "help");
}

int prog_dispatch(const struct imactl_command *cmd, int argc, char *argv[])
{
	const struct imactl_command *sub;
	char names[256];

	list_subs(cmd, names, sizeof(names));
	if (argc < 2) {
		prog_err("%s: which subcommand? (%s)", cmd->name, names);
		return prog_usage(cmd, stderr);
	}
	if (is_help(argv[1]) && argc == 2)
		return prog_usage(cmd, stdout);
	if (!strcmp(argv[1], "help") && argc == 3) {
		sub = prog_find_sub(cmd, argv[2]);
		if (sub)
			return prog_usage(sub, stdout);
		prog_err("%s help: unknown subcommand '%s' (%s)", cmd->name, argv[2], names);
		return prog_usage(cmd, stderr);
	}
	sub = prog_find_sub(cmd, argv[1]);
	if (!sub) {
		if (is_help(argv[1]))
			prog_err("%s %s: too many arguments", cmd->name, argv[1]);
		else
			prog_err("%s: unknown subcommand '%s' (%s)", cmd->name, argv[1], names);
		return prog_usage(cmd, stderr);
	}
	return sub->func(sub, argc - 1, argv + 1);
}

bool prog_operands(const struct imactl_command *cmd, int argc, const char *what, bool one)
{
	if (optind < argc && (!one || optind + 1 == argc))
		return true;
	prog_err(optind >= argc ? "%s: no %s given" : "%s: exactly one %s, please", cmd->name,
		 what);
	return false;
}

int prog_bad_option(const struct imactl_command *cmd)
{
	fprintf(stderr, "Try 'imactl %s --help'.\n", cmd->name);
	return EXIT_USAGE;
}

int prog_next_option(const struct imactl_command *cmd, int argc, char *argv[],
		     const char *shortopts, const struct option *longopts, unsigned long long *seen)
{
	int c = prog_getopt(cmd, argc, argv, shortopts, longopts);

	if (c == -1 || c == '?')
		return c;
	if (!prog_once(cmd, seen, c, longopts))
		return '?';
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == c && !strcmp(o->name, "help"))
			return PROG_OPT_HELP;
	return c;
}

int prog_option_exit(const struct imactl_command *cmd, int c)
{
	return c == PROG_OPT_HELP ? prog_usage(cmd, stdout) : prog_bad_option(cmd);
}

bool prog_once(const struct imactl_command *cmd, unsigned long long *seen, int opt,
	       const struct option *longopts)
{
	unsigned long long bit = 1ull << (opt & 63);
	const char *name = "?";

	for (const struct option *o = longopts; o->name; o++)
		if (o->val == opt)
			name = o->name;
	if (*seen & bit) {
		prog_err("%s: option --%s given more than once", cmd->name, name);
		return false;
	}
	*seen |= bit;
	return true;
}

static void log_to_stderr(void *data, int priority, const char *msg)
{
	static const char *const prefixes[8] = {
		[IMACTL_LOG_ERR] = "",
		[IMACTL_LOG_WARNING] = "warning: ",
		[IMACTL_LOG_INFO] = "",
		[IMACTL_LOG_DEBUG] = "debug: ",
	};

	(void)data;
	prog_file_err(current_file, "%s%s",
		      priority >= 0 && priority < 8 && prefixes[priority] ? prefixes[priority] : "",
		      msg);
}

int prog_ctx_new(struct imactl_ctx **ctx_ret, int verbose, bool xattr_user)
{
	int ret = imactl_ctx_new(ctx_ret);

	if (ret < 0) {
		prog_err("%s", strerror(-ret));
		return ret;
	}
	imactl_set_log_fn(*ctx_ret, log_to_stderr, NULL);
	imactl_set_log_priority(*ctx_ret, verbose > 1 ? IMACTL_LOG_DEBUG
					  : verbose   ? IMACTL_LOG_INFO
						      : IMACTL_LOG_WARNING);
	imactl_set_xattr_user(*ctx_ret, xattr_user);
	return 0;
}

int prog_exit_code(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case -EBADMSG:
	case -ENOKEY:
	case -ENODATA:
		return EXIT_VERIFY;
	default:
		return EXIT_OPERATIONAL;
	}
}

int prog_worse(int a, int b)
{
	static const int rank[] = { [0] = 0, [1] = 2, [2] = 1, [3] = 3 };

	if (a < 0 || a > 3)
		return a;
	if (b < 0 || b > 3)
		return b;
	return rank[a] >= rank[b] ? a : b;
}

bool prog_parse_hash(const struct imactl_command *cmd, const char *name, int *algo)
{
	int ret = imactl_hash_algo_by_name(name);

	if (ret < 0 || ret == IMACTL_HASH_MD5) {
		prog_err(
			"%s: hash algorithm '%s' is %s (sha1, sha224, sha256, sha384, sha512, sm3)",
			cmd->name, name,
			ret == -EOPNOTSUPP ? "not available in this OpenSSL" : "not supported");
		return false;
	}
	*algo = ret;
	return true;
}

bool prog_verity_algo(int algo)
{
	return algo == IMACTL_HASH_SHA256 || algo == IMACTL_HASH_SHA512;
}

bool prog_parse_keyid(const struct imactl_command *cmd, const char *s, uint32_t *keyid)
{
	if (imactl_keyid_from_hex(s, keyid) == 0)
		return true;
	prog_err("%s: --keyid: '%s' is not a 32-bit hex value", cmd->name, s);
	return false;
}

int prog_getopt(const struct imactl_command *cmd, int argc, char *argv[], const char *shortopts,
		const struct option *longopts)
{
	char *const argv0 = argv[0];
	char prefix[64];
	int idx = -1, c;
	const char *arg, *eq;
	size_t len;

	/* getopt's own messages start with argv[0]: "imactl: policy check: ..." */
	snprintf(prefix, sizeof(prefix), "imactl: %s", cmd->name);
	argv[0] = prefix;
	c = getopt_long(argc, argv, shortopts, longopts, &idx);
	argv[0] = argv0;
	if (c == -1 || c == '?' || idx < 0)
		return c;
	/* the element just parsed; a separate argument comes after it */
	arg = argv[optind - 1];
	if (longopts[idx].has_arg == required_argument && optarg == arg && optind >= 2)
		arg = argv[optind - 2];
	if (strncmp(arg, "--", 2) != 0)
		return c;
	arg += 2;
	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	if (len != strlen(longopts[idx].name) || strncmp(arg, longopts[idx].name, len) != 0) {
		/* getopt_long takes prefixes; a typo must not become another option */
		prog_err("%s: unrecognized option '--%.*s' (did you mean --%s?)", cmd->name,
			 (int)len, arg, longopts[idx].name);
		return '?';
	}
	return c;
}

bool prog_parse_target_bits(const struct imactl_command *cmd, const char *s, unsigned int *bits)
{
	if (!strcmp(s, "64") || !strcmp(s, "32")) {
		*bits = atoi(s);
		return true;
	}
	prog_err("%s: --target-bits takes 64 or 32, not '%s'", cmd->name, s);
	return false;
}

/* ---- passphrases ------------------------------------------------------- */

/* IMACTL_KEY_PASSWORD, taken out of the environment by prog_take_env_password() */
static char *env_password;

static void forget_env_password(void)
{
	if (env_password) {
		explicit_bzero(env_password, strlen(env_password));
		free(env_password);
		env_password = NULL;
	}
}

void prog_take_env_password(void)
{
	char *env = getenv("IMACTL_KEY_PASSWORD");

	if (!env)
		return;
	env_password = strdup(env);
	/* wipe the original "NAME=value" too: /proc/PID/environ shows the
	 * initial strings, whatever unsetenv() does to environ[] */
	explicit_bzero(env - strlen("IMACTL_KEY_PASSWORD="),
		       strlen("IMACTL_KEY_PASSWORD=") + strlen(env));
	unsetenv("IMACTL_KEY_PASSWORD");
	atexit(forget_env_password);
}

/* Copies the first line of @src (without its newline) to @buf. */
static int copy_line(const char *src, size_t srclen, char *buf, size_t size)
{
	size_t n = 0;

	while (n < srclen && src[n] != '\n' && src[n] != '\r')
		n++;
	if (n > size)
		return -E2BIG;
	memcpy(buf, src, n);
	return n;
}

static int pass_from_file(const char *path, char *buf, size_t size)
{
	char tmp[1024];
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		prog_err("passphrase file %s: %s", path, strerror(errno));
		return ret;
	}
	n = read(fd, tmp, sizeof(tmp));
	ret = n < 0 ? -errno : copy_line(tmp, n, buf, size);
	close(fd);
	memset(tmp, 0, sizeof(tmp));
	__asm__ __volatile__("" : : "r"(tmp) : "memory");
	if (ret < 0)
		prog_err("passphrase file %s: %s", path, strerror(-ret));
	return ret;
}

static int pass_from_tty(const char *key_path, bool confirm, char *buf, size_t size)
{
	struct termios old, noecho;
	char line[1024], again[1024];
	FILE *tty;
	int ret;

	tty = fopen("/dev/tty", "r+e");
	if (!tty)
		return -ENOKEY;
	if (tcgetattr(fileno(tty), &old) < 0) {
		fclose(tty);
		return -ENOKEY;
	}
	noecho = old;
	noecho.c_lflag &= ~ECHO;
	/* echo off (dropping type-ahead) before the prompt: what is typed
	 * after it is kept and never shown */
	tcsetattr(fileno(tty), TCSAFLUSH, &noecho);
	fprintf(tty, "%s for %s: ", confirm ? "New passphrase" : "Passphrase", key_path);
	fflush(tty);
	ret = fgets(line, sizeof(line), tty) ? copy_line(line, strlen(line), buf, size) : -ENOKEY;
	if (ret >= 0 && confirm) {
		fprintf(tty, "\nThe same again: ");
		fflush(tty);
		if (!fgets(again, sizeof(again), tty) || strcmp(line, again) != 0) {
			fprintf(tty, "\nThe passphrases differ.");
			ret = -EKEYREJECTED;
		}
	}
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	memset(line, 0, sizeof(line));
	memset(again, 0, sizeof(again));
	__asm__ __volatile__("" : : "r"(line), "r"(again) : "memory");
	return ret;
}

int prog_pass_cb(void *data, char *buf, size_t size)
{
	const struct prog_pass_source *src = data;
	const char *env;
	int ret;

	if (src->file)
		return pass_from_file(src->file, buf, size);
	env = env_password;
	if (env)
		return copy_line(env, strlen(env), buf, size);
	ret = pass_from_tty(src->key_path, src->confirm, buf, size);
	if (ret == -ENOKEY)
		prog_err("%s: no passphrase or PIN: use --pass-file or IMACTL_KEY_PASSWORD (no "
			 "terminal to ask on)",
			 src->key_path);
	return ret == -ENOKEY ? -EKEYREJECTED : ret;
}

/* A PIN in the URI would be on the command line, visible to every user. */
static bool pin_in_argv(const char *key_path)
{
	if (strncmp(key_path, "pkcs11:", 7) != 0 || !strstr(key_path, "pin-value="))
		return false;
	prog_err("--key: pin-value= puts the PIN on the command line; use pin-source=FILE in the "
		 "URI, --pass-file or IMACTL_KEY_PASSWORD");
	return true;
}

int prog_load_key(struct imactl_ctx *ctx, const char *key_path, const char *cert_path,
		  const uint32_t *keyid, const char *pass_file, struct imactl_key **key_ret)
{
	struct prog_pass_source src = { .file = pass_file, .key_path = key_path };
	struct imactl_cert *cert = NULL;
	struct imactl_key *key = NULL;
	int ret;

	if (pin_in_argv(key_path))
		return -EINVAL;
	ret = imactl_key_load(ctx, key_path, prog_pass_cb, &src, &key);
	if (ret < 0)
		return ret;
	if (cert_path) {
		ret = imactl_cert_load(ctx, cert_path, &cert);
		if (ret < 0)
			goto out;
		ret = imactl_key_set_cert(key, cert);
		if (ret < 0) {
			prog_err("%s does not match the certificate %s: signatures could never "
				 "verify",
				 key_path, cert_path);
			goto out;
		}
		ret = imactl_cert_time_check(cert, 0);
		if (ret < 0)
			prog_err("warning: the certificate %s is %s (the kernel does not check "
				 "validity dates; imactl cert check does)",
				 cert_path, ret == -EKEYEXPIRED ? "expired" : "not valid yet");
		ret = 0;
	}
	if (keyid)
		imactl_key_set_keyid(key, *keyid);
	*key_ret = key;
	key = NULL;
out:
	imactl_cert_free(cert);
	imactl_key_free(key);
	return ret;
}

int prog_load_keyring(struct imactl_ctx *ctx, char *const paths[], int n,
		      struct imactl_keyring **kr_ret)
{
	struct imactl_keyring *kr = NULL;
	int ret;

	ret = imactl_keyring_new(ctx, &kr);
	if (ret < 0)
		return ret;
	for (int i = 0; i < n; i++) {
		ret = imactl_keyring_add_file(kr, paths[i]);
		if (ret < 0) {
			imactl_keyring_free(kr);
			return ret;
		}
	}
	*kr_ret = kr;
	return 0;
}

/* Messages for the errors imactl_open_regular() and imactl_sign_fd() return. */
const char *prog_file_error(int err)
{
	switch (err) {
	case -ELOOP:
		return "is a symbolic link: refused (never followed)";
	case -EISDIR:
		return "is a directory";
	case -EINVAL:
		return "is not a regular file";
	case -ESTALE:
		return "changed while it was being read";
	case -ETXTBSY:
		return "open for writing (or mapped writable) by another process: it could "
		       "change while it is read without changing its mtime";
	case -ENAMETOOLONG: /* also the tree walk's depth limit */
		return "path too long or nested too deep: not walked";
	default:
		return strerror(-err);
	}
}

const char *prog_xattr_type_name(int type)
{
	switch (type) {
	case IMACTL_XATTR_IMA_DIGEST:
		return "hash (legacy sha1)";
	case IMACTL_XATTR_EVM_HMAC:
		return "EVM HMAC";
	case IMACTL_XATTR_DIGSIG:
		return "signature v2";
	case IMACTL_XATTR_IMA_DIGEST_NG:
		return "hash";
	case IMACTL_XATTR_EVM_PORTABLE:
		return "EVM portable signature";
	case IMACTL_XATTR_IMA_VERITY_SIG:
		return "signature v3 (fs-verity)";
	}
	return "unknown";
}

int prog_read_fd(int fd, void *buf, size_t size, size_t *len_ret)
{
	size_t len = 0;

	while (len < size) {
		ssize_t n = read(fd, (char *)buf + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += n;
	}
	*len_ret = len;
	return 0;
}

int prog_read_file(const char *path, size_t limit, char **buf_ret, size_t *len_ret)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			buf = nb;
		}
		ret = prog_read_fd(fd, buf + len, cap - len, &n);
		if (ret < 0)
			break;
		len += n;
		if (len > limit) {
			ret = -EFBIG;
			break;
		}
		if (len < cap)
			break; /* end of file */
	}
	close(fd);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	*buf_ret = buf;
	*len_ret = len;
	return 0;
}

void prog_print_diag(const char *file, const struct imactl_diag *d)
{
	static const char *const sev[] = { "?", "error", "warning", "note" };
	const char *s = d->severity >= 1 && d->severity <= 3 ? sev[d->severity] : "?";

	fflush(stdout);
	if (d->line && d->column)
		fprintf(stderr, "%s:%u:%u: %s: %s [%s]\n", file, d->line, d->column, s, d->message,
			d->code);
	else if (d->line)
		fprintf(stderr, "%s:%u: %s: %s [%s]\n", file, d->line, s, d->message, d->code);
	else
		fprintf(stderr, "%s: %s: %s [%s]\n", file, s, d->message, d->code);
}
