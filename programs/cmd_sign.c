// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl sign: IMA signature or hash and EVM portable signature of files. */
#include "prog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_KEY = 1,
	OPT_CERT,
	OPT_KEYID,
	OPT_HASH,
	OPT_IMA,
	OPT_SIGV3,
	OPT_EVM,
	OPT_TARGET_BITS,
	OPT_PASS_FILE,
	OPT_XATTR_USER,
	OPT_VERBOSE,
	OPT_HELP,
};

static const struct option longopts[] = {
	{ "key", required_argument, NULL, OPT_KEY },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "keyid", required_argument, NULL, OPT_KEYID },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "ima", required_argument, NULL, OPT_IMA },
	{ "sigv3", no_argument, NULL, OPT_SIGV3 },
	{ "evm", required_argument, NULL, OPT_EVM },
	{ "target-bits", required_argument, NULL, OPT_TARGET_BITS },
	{ "pass-file", required_argument, NULL, OPT_PASS_FILE },
	{ "xattr-user", no_argument, NULL, OPT_XATTR_USER },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int sign_one(struct imactl_ctx *ctx, const char *path,
		    const struct imactl_key *key,
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
		       vals.ima ? (params->ima == IMACTL_IMA_SIG ? "ima signature" : "ima hash") : "",
		       vals.ima && vals.evm ? ", " : "",
		       vals.evm ? "evm portable signature" : "");
out:
	imactl_signed_values_free(&vals);
	prog_set_current_file(NULL);
	return ret;
}

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct imactl_sign_params params = {
		.hash_algo = IMACTL_HASH_SHA256,
		.ima = IMACTL_IMA_SIG,
		.evm = IMACTL_EVM_NONE,
		.target_bits = 64,
	};
	const char *key_path = NULL, *cert_path = NULL;
	uint32_t keyid = 0;
	bool have_keyid = false;
	const char *pass_file = NULL;
	struct imactl_ctx *ctx = NULL;
	struct imactl_key *key = NULL;
	unsigned long long seen = 0;
	bool xattr_user = false;
	int verbose = 0, status = EXIT_OK, c, ret;

	while ((c = prog_getopt(cmd, argc, argv, "v", longopts)) != -1) {
		if (c != '?' && c != 'v' && c != OPT_VERBOSE &&
		    !prog_once(cmd, &seen, c, longopts))
			return prog_bad_option(cmd);
		switch (c) {
		case OPT_KEY:
			key_path = optarg;
			break;
		case OPT_CERT:
			cert_path = optarg;
			break;
		case OPT_KEYID:
			if (!prog_parse_keyid(cmd, optarg, &keyid))
				return prog_bad_option(cmd);
			have_keyid = true;
			break;
		case OPT_HASH:
			if (!prog_parse_hash(cmd, optarg, &params.hash_algo))
				return prog_bad_option(cmd);
			break;
		case OPT_IMA:
			if (!strcmp(optarg, "sig"))
				params.ima = IMACTL_IMA_SIG;
			else if (!strcmp(optarg, "hash"))
				params.ima = IMACTL_IMA_HASH;
			else if (!strcmp(optarg, "none"))
				params.ima = IMACTL_IMA_NONE;
			else {
				prog_err("sign: --ima takes sig, hash or none");
				return prog_bad_option(cmd);
			}
			break;
		case OPT_SIGV3:
			params.flags |= IMACTL_SIGN_SIGV3;
			break;
		case OPT_EVM:
			if (!strcmp(optarg, "portable"))
				params.evm = IMACTL_EVM_PORTABLE;
			else if (!strcmp(optarg, "none"))
				params.evm = IMACTL_EVM_NONE;
			else {
				prog_err("sign: --evm takes portable or none");
				return prog_bad_option(cmd);
			}
			break;
		case OPT_TARGET_BITS:
			if (!prog_parse_target_bits(cmd, optarg, &params.target_bits))
				return prog_bad_option(cmd);
			break;
		case OPT_PASS_FILE:
			pass_file = optarg;
			break;
		case OPT_XATTR_USER:
			xattr_user = true;
			break;
		case 'v':
		case OPT_VERBOSE:
			verbose++;
			break;
		case OPT_HELP:
			return prog_usage(cmd, stdout);
		default:
			return prog_bad_option(cmd);
		}
	}
	if (optind >= argc) {
		prog_err("sign: no FILE given");
		return prog_bad_option(cmd);
	}
	if (cert_path && have_keyid) {
		prog_err("sign: --cert and --keyid exclude each other");
		return prog_bad_option(cmd);
	}
	if ((params.flags & IMACTL_SIGN_SIGV3) && params.ima != IMACTL_IMA_SIG) {
		prog_err("sign: --sigv3 needs --ima sig");
		return prog_bad_option(cmd);
	}
	if (params.ima == IMACTL_IMA_NONE && params.evm == IMACTL_EVM_NONE) {
		prog_err("sign: --ima none and --evm none: nothing to do");
		return prog_bad_option(cmd);
	}
	if (!key_path && (params.ima == IMACTL_IMA_SIG || params.evm != IMACTL_EVM_NONE)) {
		prog_err("sign: --key is required for signatures");
		return prog_bad_option(cmd);
	}

	if (prog_ctx_new(&ctx, verbose, xattr_user) < 0)
		return EXIT_OPERATIONAL;
	if (key_path) {
		ret = prog_load_key(ctx, key_path, cert_path,
				    have_keyid ? &keyid : NULL, pass_file, &key);
		if (ret < 0) {
			status = EXIT_OPERATIONAL;
			goto out;
		}
	}
	for (int i = optind; i < argc; i++) {
		ret = sign_one(ctx, argv[i], key, &params, verbose);
		/* a file that cannot be signed is an operational failure */
		if (ret < 0)
			status = EXIT_OPERATIONAL;
	}
out:
	imactl_key_free(key);
	imactl_ctx_free(ctx);
	return status;
}

const struct imactl_command cmd_sign = {
	.name = "sign",
	.func = run,
	.summary = "sign files: IMA signature or hash, EVM portable signature",
	.usage =
	"--key KEY [--cert CERT | --keyid HEX] [OPTIONS] FILE...\n"
	"\n"
	"Writes security.ima (and security.evm) of every FILE.  Symbolic links are\n"
	"refused, never followed; each file is hashed and its xattrs are set through\n"
	"one file descriptor, so exactly the hashed bytes are signed.\n"
	"\n"
	"  --key KEY            private key, PEM or DER (encrypted is fine)\n"
	"  --cert CERT          take the keyid from this certificate (PEM or DER) and\n"
	"                       refuse to sign when KEY does not match it\n"
	"  --keyid HEX          put this 32-bit keyid into the signatures\n"
	"  --hash ALGO          sha1, sha224, sha256 (default), sha384, sha512, sm3\n"
	"  --ima sig|hash|none  what to write to security.ima (default: sig)\n"
	"  --sigv3              IMA signature v3 (type 0x06, appraise_type=sigv3)\n"
	"  --evm portable|none  EVM portable signature (default: none)\n"
	"  --target-bits 64|32  word size of the target system, for EVM (default: 64)\n"
	"  --pass-file FILE     passphrase of KEY (else $IMACTL_KEY_PASSWORD, else a\n"
	"                       prompt on the terminal); never on the command line\n"
	"  --xattr-user         use user.ima/user.evm (for tests without privileges)\n"
	"  -v, --verbose        say what was written\n"
	"\n"
	"Exit: 0 all signed; 3 a file could not be signed (each is named, the others\n"
	"are still signed); 2 usage error.\n",
};
