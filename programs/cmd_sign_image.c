// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl sign-image: sign the files inside an ext2/3/4 image, unmounted. */
#include "prog_sign_opts.h"

const struct option sign_image_longopts[] = {
	{ "key", required_argument, NULL, PROG_SO_KEY },
	{ "cert", required_argument, NULL, PROG_SO_CERT },
	{ "keyid", required_argument, NULL, PROG_SO_KEYID },
	{ "hash", required_argument, NULL, PROG_SO_HASH },
	{ "ima", required_argument, NULL, PROG_SO_IMA },
	{ "evm", required_argument, NULL, PROG_SO_EVM },
	{ "target-bits", required_argument, NULL, PROG_SO_TARGET_BITS },
	{ "pass-file", required_argument, NULL, PROG_SO_PASS_FILE },
	{ "jobs", required_argument, NULL, PROG_SO_JOBS },
	{ "include", required_argument, NULL, PROG_SO_INCLUDE },
	{ "exclude", required_argument, NULL, PROG_SO_EXCLUDE },
	{ "cache", required_argument, NULL, PROG_SO_CACHE },
	{ "no-cache", no_argument, NULL, PROG_SO_NO_CACHE },
	{ "cache-size", required_argument, NULL, PROG_SO_CACHE_SIZE },
	PROG_SO_LONGOPTS_SIGN_TREE,
	{ NULL, 0, NULL, 0 },
};

const struct imactl_command cmd_sign_image = {
	.name = "sign-image",
	.func = sign_tree_run,
	.summary = "sign every regular file inside an ext2/3/4 image, without mounting it",
	.usage = "IMAGE --key KEY [--cert CERT | --keyid HEX] [OPTIONS]\n"
		 "\n"
		 "Signs the regular files inside the ext2/3/4 file system in IMAGE (an image\n"
		 "file or a block device) as sign-tree signs a directory, without mounting\n"
		 "it: no root, no xattr support where IMAGE lives.  Each file's content is\n"
		 "read and hashed from the image; security.ima and the EVM portable\n"
		 "signature (over the inode's own uid, gid and mode and its final protected\n"
		 "xattrs, as the kernel computes them) are written into its inode, or into\n"
		 "an external xattr block when the inode has no room, as the kernel does.\n"
		 "Symbolic links are never followed; a file with several hard links is\n"
		 "signed once.\n"
		 "\n"
		 "Safety: IMAGE is refused when it is mounted, when e2fsck -fn finds problems\n"
		 "in it, or when its superblock records errors or an unclean unmount.\n"
		 "Nothing is written to IMAGE before every file is signed: a failure, a full\n"
		 "image or a run killed before then leave it as it was.  The values are then\n"
		 "written in place, once an undo file beside it, IMAGE.imactl-undo (its bytes\n"
		 "there before), is on disk; the undo file is removed at the end.  A run\n"
		 "killed while it writes leaves IMAGE partly written and the undo file:\n"
		 "verify-image refuses IMAGE then, and the next sign-image puts it back byte\n"
		 "for byte first.  A block device is written in place, without an undo file.\n"
		 "\n" PROG_SO_HELP_KEY
		 "  --evm portable|none   EVM portable signature (default: portable)\n"
		 "  --target-bits 64|32|auto\n"
		 "                        word size of the target, for EVM; auto (default)\n"
		 "                        reads the ELF class of the image's own /sbin/init\n"
		 "                        (links followed inside the image, regular files\n"
		 "                        only), else its C library or /bin/sh\n"
		 "  --jobs N              signing threads (default: the online CPUs); the\n"
		 "                        image is read and written by one more\n"
		 "  --include GLOB, --exclude GLOB\n"
		 "                        select files exactly as sign-tree does, with paths\n"
		 "                        from the image's root\n"
		 "  --skip-valid          leave files whose values already verify with --cert\n"
		 "                        untouched\n"
		 "  --manifest FILE       one line per signed file, as sign-tree writes "
		 "it\n" PROG_SO_HELP_MUTABLE
		 "  --cache DIR           signature cache, shared with sign-tree: a signature\n"
		 "                        made before for the same signed digest, algorithm,\n"
		 "                        format and key is reused once it authenticates,\n"
		 "                        as for sign-tree.  Default: $XDG_CACHE_HOME/imactl\n"
		 "                        or ~/.cache/imactl, except for root (only with\n"
		 "                        --cache)\n"
		 "  --no-cache            no signature cache, not even the default one\n"
		 "  --cache-size SIZE     keep the cache's disk use under SIZE (K, M, G; default\n"
		 "                        1G)\n" PROG_SO_HELP_PASS_FILE
		 "  --json                the summary as one JSON object on stdout, as\n"
		 "                        sign-tree --json gives it, with \"image\" for \"root\"\n"
		 "  -v, --verbose         name every file\n"
		 "\n"
		 "Files are named IMAGE:/PATH in messages.  Progress goes to stderr when it is\n"
		 "a terminal; a summary always goes to stdout.\n"
		 "Exit: 0 all signed; 3 something could not be signed (each is named) or the\n"
		 "image was refused; 2 usage error.\n",
};
