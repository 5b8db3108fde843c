// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl sign: IMA signature or hash and EVM portable signature of files. */
#include "prog_sign_opts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_VERBOSE = PROG_SO_END,
	OPT_HELP,
};

static const struct option longopts[] = {
	PROG_SO_LONGOPTS_SIGN,
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const int repeatable[] = { 'v', OPT_VERBOSE, 0 };

static int sign_one(struct imactl_ctx *ctx, const char *path, const struct imactl_key *key,
		    const struct imactl_sign_params *params, bool verbose)
{
	struct imactl_signed_values vals = { 0 };
	int fd, ret;

	prog_set_current_file(path);
	fd = imactl_open_regular(AT_FDCWD, path);
	if (fd < 0) {
		prog_file_err(path, "not signed: %s", prog_file_error(fd));
		ret = fd;
		goto out;
	}
	ret = imactl_sign_fd(ctx, fd, key, params, &vals);
	close(fd);
	if (ret < 0) {
		prog_file_err(path, "not signed: %s", prog_file_error(ret));
		goto out;
	}
	if (verbose)
		printf("%s: %s%s%s\n", path,
		       vals.ima ? (params->ima == IMACTL_IMA_SIG ? "ima signature" : "ima hash")
				: "",
		       vals.ima && vals.evm ? ", " : "", vals.evm ? "evm portable signature" : "");
out:
	imactl_signed_values_free(&vals);
	prog_set_current_file(NULL);
	return ret;
}

/* The options; -1 to go on, else the exit code. */
static int parse(struct prog_sign_opts *o, int argc, char *argv[], int *verbose)
{
	int c;

	while ((c = prog_sign_getopt(o, argc, argv, "v", longopts, repeatable)) != -1) {
		switch (c) {
		case 'v':
		case OPT_VERBOSE:
			(*verbose)++;
			break;
		case OPT_HELP:
			return prog_usage(o->cmd, stdout);
		default:
			return prog_bad_option(o->cmd);
		}
	}
	if (!prog_operands(o->cmd, argc, "FILE", false))
		return prog_bad_option(o->cmd);
	return prog_sign_opts_check(o) ? -1 : prog_bad_option(o->cmd);
}

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct prog_sign_opts o;
	struct imactl_sigcache_stats cs;
	int verbose = 0, status;

	if (!prog_sign_opts_init(&o, cmd, PROG_SO_IMA_NONE, argc))
		return EXIT_OPERATIONAL;
	status = parse(&o, argc, argv, &verbose);
	if (status >= 0)
		return prog_sign_opts_end(&o, status);
	if (prog_sign_opts_ctx(&o, verbose) < 0 || prog_sign_opts_load_key(&o) < 0 ||
	    !prog_sign_opts_open_cache(&o))
		return prog_sign_opts_end(&o, EXIT_OPERATIONAL);
	status = EXIT_OK;
	for (int i = optind; i < argc; i++) {
		/* a file that cannot be signed is an operational failure */
		if (sign_one(o.ctx, argv[i], o.key, &o.sign, verbose) < 0)
			status = EXIT_OPERATIONAL;
	}
	if (prog_sign_opts_close_cache(&o, &cs) && verbose)
		prog_print_cache_stats(stdout, "sign", &cs);
	return prog_sign_opts_end(&o, status);
}

const struct imactl_command cmd_sign = {
	.name = "sign",
	.func = run,
	.summary = "sign files: IMA signature or hash, EVM portable signature",
	.usage = "--key KEY [--cert CERT | --keyid HEX] [OPTIONS] FILE...\n"
		 "\n"
		 "Writes security.ima (and security.evm) of every FILE.  Symbolic links are\n"
		 "refused, never followed; each file is hashed and its xattrs are set through\n"
		 "one file descriptor, so exactly the hashed bytes are signed.  A file that\n"
		 "changes while it is hashed (size, mtime or ctime) is not signed, nor is one\n"
		 "another process can write to at that moment (open for writing, or mapped\n"
		 "shared and writable: writes through such a mapping to a page already dirty\n"
		 "move no timestamp).  Not seen: a writer that appears after that check and\n"
		 "writes within one tick of the file's timestamps, or a file system without\n"
		 "leases (the check is a read lease; it needs the file's owner or CAP_LEASE).\n"
		 "\n"
		 "  --key KEY            private key, PEM or DER (encrypted is fine)\n"
		 "  --cert CERT          take the keyid from this certificate (PEM or DER) and\n"
		 "                       refuse to sign when KEY does not match it\n"
		 "  --keyid HEX          put this 32-bit keyid into the signatures\n"
		 "  --hash ALGO          sha1, sha224, sha256 (default), sha384, sha512, sm3\n"
		 "  --ima sig|hash|none  what to write to security.ima (default: sig)\n"
		 "  --sigv3              IMA signature v3 (type 0x06) over the file's fs-verity\n"
		 "                       digest (--hash sha256 or sha512; 4096-byte blocks, no\n"
		 "                       salt), for digest_type=verity appraise_type=sigv3: the\n"
		 "                       kernel accepts it once fs-verity is enabled on the file\n"
		 "                       on the target (fsverity enable FILE)\n"
		 "  --evm portable|none  EVM portable signature (default: none)\n"
		 "  --target-bits 64|32  word size of the target system, for EVM (default: 64)\n"
		 "  --pass-file FILE     passphrase of KEY (else $IMACTL_KEY_PASSWORD, else a\n"
		 "                       prompt on the terminal); never on the command line\n"
		 "  --cache DIR          reuse signatures made before (see sign-tree --help)\n"
		 "  --no-cache           no signature cache, not even the default one\n"
		 "  --cache-size SIZE    bound of the cache's disk use (default 1G)\n"
		 "  --xattr-user         use user.ima/user.evm (for tests without privileges)\n"
		 "  -v, --verbose        say what was written (and what the cache gave)\n"
		 "\n"
		 "Exit: 0 all signed; 3 a file could not be signed (each is named, the others\n"
		 "are still signed); 2 usage error.\n",
};
