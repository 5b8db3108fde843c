// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl verify: check IMA signatures/hashes (and EVM) of files. */
#include "prog_sign_opts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_QUIET = PROG_SO_END,
	OPT_HELP,
};

static const struct option longopts[] = {
	PROG_SO_LONGOPTS_VERIFY,
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const int repeatable[] = { 'q', 0 };

static void report(const char *path, const char *what, int status, const char *reason,
		   uint32_t keyid, bool has_keyid)
{
	if (status == -ENOKEY || (has_keyid && status == -EBADMSG))
		prog_file_err(path, "%s: %s (keyid %08x)", what,
			      reason ? reason : strerror(-status), keyid);
	else
		prog_file_err(path, "%s: %s", what, reason ? reason : strerror(-status));
}

/* Verifies one file; returns its exit code. */
static int verify_one(struct imactl_ctx *ctx, const char *path, const struct imactl_keyring *kr,
		      unsigned int flags, unsigned int bits, bool quiet)
{
	struct imactl_verify_result r;
	int fd, ret;

	prog_set_current_file(path);
	fd = imactl_open_regular(AT_FDCWD, path);
	if (fd < 0) {
		prog_file_err(path, "cannot verify: %s", prog_file_error(fd));
		ret = EXIT_OPERATIONAL;
		goto out;
	}
	ret = imactl_verify_fd(ctx, fd, kr, flags, bits, &r);
	close(fd);
	if (ret == -EINVAL) {
		prog_file_err(path, "cannot verify: %s", strerror(EINVAL));
		ret = EXIT_OPERATIONAL;
		goto out;
	}
	if (r.ima_status < 0)
		report(path, "ima", r.ima_status, r.ima_reason, r.ima_keyid,
		       r.ima_type == IMACTL_XATTR_DIGSIG ||
			       r.ima_type == IMACTL_XATTR_IMA_VERITY_SIG);
	if ((flags & IMACTL_VERIFY_EVM) && r.evm_status < 0)
		report(path, "evm", r.evm_status, r.evm_reason, r.evm_keyid,
		       r.evm_type == IMACTL_XATTR_EVM_PORTABLE);
	if (ret == 0 && !quiet)
		printf("%s: OK (ima %s %s%s)\n", path, prog_xattr_type_name(r.ima_type),
		       imactl_hash_algo_name(r.ima_algo),
		       (flags & IMACTL_VERIFY_EVM) ? ", evm portable signature" : "");
	ret = prog_exit_code(r.ima_status);
	if (flags & IMACTL_VERIFY_EVM)
		ret = prog_worse(ret, prog_exit_code(r.evm_status));
out:
	prog_set_current_file(NULL);
	return ret;
}

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct prog_sign_opts o;
	bool quiet = false;
	int status = -1, c;

	if (!prog_sign_opts_init(&o, cmd, PROG_SO_VERIFY, argc))
		return EXIT_OPERATIONAL;
	while (status < 0 &&
	       (c = prog_sign_getopt(&o, argc, argv, "q", longopts, repeatable)) != -1) {
		if (c == 'q' || c == OPT_QUIET)
			quiet = true;
		else
			status = c == OPT_HELP ? prog_usage(cmd, stdout) : prog_bad_option(cmd);
	}
	if (status < 0 && !prog_operands(cmd, argc, "FILE", false))
		status = prog_bad_option(cmd);
	if (status >= 0)
		return prog_sign_opts_end(&o, status);
	if (prog_sign_opts_ctx(&o, 0) < 0 || prog_sign_opts_load_keyring(&o) < 0)
		return prog_sign_opts_end(&o, EXIT_OPERATIONAL);
	status = EXIT_OK;
	for (int i = optind; i < argc; i++)
		status = prog_worse(status, verify_one(o.ctx, argv[i], o.keyring, o.verify_flags,
						       o.target_bits, quiet));
	return prog_sign_opts_end(&o, status);
}

const struct imactl_command cmd_verify = {
	.name = "verify",
	.func = run,
	.summary = "check IMA (and EVM) signatures and hashes of files",
	.usage = "[--cert CERT]... [OPTIONS] FILE...\n"
		 "\n"
		 "Checks security.ima of every FILE against its content: a signature with the\n"
		 "certificate its keyid names, a hash against the content.  Symbolic links are\n"
		 "refused, never followed.  With --cert signatures are asked for: a hash-only\n"
		 "security.ima fails unless --allow-hash is given.\n"
		 "\n"
		 "  --cert CERT          a certificate (PEM or DER); repeat for several\n"
		 "  --evm                also check the EVM portable signature in security.evm\n"
		 "  --require-sig        a hash in security.ima fails (as appraise_type=imasig);\n"
		 "                       the default when a --cert is given\n"
		 "  --allow-hash         with --cert, accept a hash in security.ima (a hash\n"
		 "                       proves nothing against a tampered file whose hash\n"
		 "                       was recomputed, unless --evm checks an EVM signature)\n"
		 "  --target-bits 64|32  word size of the target system, for EVM (default: 64)\n"
		 "  --xattr-user         read user.ima/user.evm\n"
		 "  -q, --quiet          print only failures\n"
		 "\n"
		 "Exit: 0 all verified; 1 a file failed verification (bad, missing or\n"
		 "unknown-key signature); 3 a file could not be checked; 2 usage error.\n",
};
