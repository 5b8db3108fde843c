// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl label-image: first-boot labelling of the mutable files with EVM HMACs. */
#include "prog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_LIST = PROG_HMAC_END,
};

static const struct option longopts[] = {
	PROG_HMAC_LONGOPTS,
	{ "list", required_argument, NULL, OPT_LIST },
	{ NULL, 0, NULL, 0 },
};

int prog_read_path_list(const char *file, char ***paths_ret, size_t *n_ret)
{
	char *text = NULL, **paths = NULL, *line, *save = NULL;
	size_t len = 0, n = 0, lineno = 0;
	int ret;

	ret = prog_read_file(file, 64u << 20, &text, &len);
	if (ret < 0) {
		prog_file_err(file, "cannot read the list: %s", strerror(-ret));
		return ret;
	}
	if (memchr(text, '\0', len)) {
		prog_file_err(file, "not a list of paths (a NUL byte)");
		free(text);
		return -EBADMSG;
	}
	text[len] = '\0'; /* prog_read_file leaves room */
	paths = calloc(len / 2 + 2, sizeof(*paths));
	if (!paths) {
		free(text);
		return -ENOMEM;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		ret = imactl_manifest_unescape(line, &paths[n]);
		if (ret < 0) {
			prog_file_err(file,
				      "line %zu: not an absolute path escaped as in a manifest",
				      lineno);
			break;
		}
		n++;
	}
	free(text);
	if (ret < 0) {
		prog_free_path_list(paths, n);
		return ret;
	}
	*paths_ret = paths;
	*n_ret = n;
	return 0;
}

void prog_free_path_list(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct prog_hmac_opts o;
	struct imactl_ctx *ctx = NULL;
	const char *list = NULL;
	char **paths = NULL;
	size_t n_paths = 0;
	uint64_t labelled = 0;
	int status = EXIT_OK, c, ret;

	prog_hmac_opts_init(&o, cmd);
	while ((c = prog_hmac_getopt(&o, argc, argv, longopts)) != -1) {
		if (c != OPT_LIST)
			return c == EXIT_OK ? c : prog_bad_option(cmd);
		list = optarg;
	}
	if (!o.key_file || !list) {
		prog_err("label-image: --key-file and --list are required");
		return prog_bad_option(cmd);
	}
	if (!prog_operands(cmd, argc, "IMAGE", true))
		return prog_bad_option(cmd);
	if (!o.no_uuid)
		o.p.flags |= IMACTL_EVM_HMAC_FSUUID;
	if (prog_read_path_list(list, &paths, &n_paths) < 0)
		return EXIT_OPERATIONAL;
	if (!prog_hmac_key(&o) || prog_ctx_new(&ctx, 0, false) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	ret = imactl_image_hmac(ctx, argv[optind], (const char *const *)paths, n_paths, &o.p,
				&labelled);
	if (ret < 0) {
		prog_file_err(argv[optind], "nothing labelled: %s", strerror(-ret));
		status = EXIT_OPERATIONAL;
		goto out;
	}
	printf("%s: %llu files labelled with an EVM HMAC\n", argv[optind],
	       (unsigned long long)labelled);
out:
	prog_hmac_opts_free(&o);
	prog_free_path_list(paths, n_paths);
	imactl_ctx_free(ctx);
	return status;
}

const struct imactl_command cmd_label_image = {
	.name = "label-image",
	.func = run,
	.summary = "write the EVM HMACs of the mutable files into an unmounted ext4",
	.usage = "IMAGE --key-file KEY --list FILE [--no-uuid] [--lsm LIST] [--target-bits 64|32]\n"
		 "\n"
		 "First-boot labelling: for every file FILE lists (sign-tree --mutable-list),\n"
		 "computes the EVM HMAC the kernel will compute with the EVM key KEY (the\n"
		 "inode's number, generation, uid, gid, mode and xattrs, the superblock's\n"
		 "UUID) and writes it as security.evm into the unmounted ext2/3/4 file system\n"
		 "IMAGE (an image file or a block device), which a running kernel would\n"
		 "refuse (evm_inode_setxattr() takes only signatures from userspace).  Each\n"
		 "file must carry security.ima.  Nothing is written unless every file can be\n"
		 "labelled; a mounted IMAGE is refused.\n"
		 "\n"
		 "  --key-file KEY      the EVM key's bytes (the evm-key's decrypted data),\n"
		 "                      1 to 128 bytes; never on the command line\n"
		 "  --list FILE         the mutable files, one path from the root a line,\n"
		 "                      escaped as in a manifest\n"
		 "  --no-uuid           for a kernel without CONFIG_EVM_ATTR_FSUUID\n"
		 "  --lsm LIST          LSMs built into the target kernel, whose labels count:\n"
		 "                      selinux, smack, smack-extra, apparmor, none (default)\n"
		 "  --target-bits N     word size of the target system (default 64)\n"
		 "\n"
		 "Exit: 0 all labelled; 2 usage; 3 something could not be labelled (named).\n",
};
