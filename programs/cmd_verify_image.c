// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl verify-image: audit the IMA/EVM values inside an ext2/3/4 image. */
#include "prog_sign_opts.h"

const struct option verify_image_longopts[] = {
	PROG_SO_LONGOPTS_VERIFY,
	{ "include", required_argument, NULL, PROG_SO_INCLUDE },
	{ "exclude", required_argument, NULL, PROG_SO_EXCLUDE },
	PROG_SO_LONGOPTS_VERIFY_TREE,
	{ NULL, 0, NULL, 0 },
};

const struct imactl_command cmd_verify_image = {
	.name = "verify-image",
	.func = verify_tree_run,
	.summary = "audit the IMA/EVM values of every file inside an ext2/3/4 image",
	.usage = "IMAGE [--cert CERT]... [OPTIONS]\n"
		 "\n"
		 "verify-tree for the files inside the ext2/3/4 file system in IMAGE, read\n"
		 "without mounting it (an image mounted read-write is refused).  The owner\n"
		 "and mode EVM covers are the inodes' own.  Every problem is listed, sorted\n"
		 "by path, as\n"
		 "  /PATH: CLASS: DETAILS\n"
		 "with the classes of verify-tree (good, hash-only, bad, unsigned,\n"
		 "unknown-key, error, hmac).  sigv3 values are errors: fs-verity digests are not\n"
		 "computed from images.\n"
		 "\n" PROG_SO_HELP_VERIFY_TREE "                        see sign-image)\n"
		 "  --include GLOB, --exclude GLOB\n"
		 "                        select files as sign-tree does\n"
		 "  --json                one JSON object on stdout, as verify-tree --json\n"
		 "\n"
		 "Exit: 0 every file verified; 1 a problem was found; 3 the image or a file\n"
		 "could not be read; 2 usage error.\n",
};
