// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl hash: print file digests. */
#include "output.h"
#include "prog.h"

#include <fcntl.h>
#include <unistd.h>

enum { OPT_HASH = 1, OPT_VERITY, OPT_HELP };

static const struct option longopts[] = {
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "verity", no_argument, NULL, OPT_VERITY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct imactl_ctx *ctx = NULL;
	unsigned long long seen = 0;
	int algo = IMACTL_HASH_SHA256, status = EXIT_OK, c;
	bool verity = false;

	while ((c = prog_next_option(cmd, argc, argv, "", longopts, &seen)) != -1) {
		switch (c) {
		case OPT_HASH:
			if (!prog_parse_hash(cmd, optarg, &algo))
				return prog_bad_option(cmd);
			break;
		case OPT_VERITY:
			verity = true;
			break;
		default:
			return prog_option_exit(cmd, c);
		}
	}
	if (!prog_operands(cmd, argc, "FILE", false))
		return prog_bad_option(cmd);
	if (verity && !prog_verity_algo(algo)) {
		prog_err("hash: fs-verity digests are sha256 or sha512");
		return prog_bad_option(cmd);
	}
	if (prog_ctx_new(&ctx, 0, false) < 0)
		return EXIT_OPERATIONAL;
	for (int i = optind; i < argc; i++) {
		struct imactl_digest d;
		int fd, ret;

		prog_set_current_file(argv[i]);
		fd = imactl_open_regular(AT_FDCWD, argv[i]);
		ret = fd < 0   ? fd
		      : verity ? imactl_verity_digest_fd(ctx, fd, algo, &d)
			       : imactl_hash_fd(ctx, fd, algo, &d);
		if (fd >= 0)
			close(fd);
		if (ret < 0) {
			prog_file_err(argv[i], "%s", prog_file_error(ret));
			status = EXIT_OPERATIONAL;
			continue;
		}
		printf("%s:", imactl_hash_algo_name(algo));
		hex_print(stdout, d.bytes, d.len);
		printf("  %s\n", argv[i]);
	}
	prog_set_current_file(NULL);
	imactl_ctx_free(ctx);
	return status;
}

const struct imactl_command cmd_hash = {
	.name = "hash",
	.func = run,
	.summary = "print the digests of files",
	.usage = "[--hash ALGO] [--verity] FILE...\n"
		 "\n"
		 "Prints 'ALGO:HEX  FILE' for every FILE (symbolic links are refused).\n"
		 "\n"
		 "  --hash ALGO   sha1, sha224, sha256 (default), sha384, sha512, sm3\n"
		 "  --verity      the fs-verity file digest instead (what sigv3 signs, what\n"
		 "                'fsverity digest' and 'fsverity measure' print): sha256 or\n"
		 "                sha512, 4096-byte blocks, no salt\n"
		 "\n"
		 "Exit: 0; 3 when a file could not be read (the others are still printed).\n",
};
