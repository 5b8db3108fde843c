// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl apply-manifest: write a manifest's xattrs back onto a tree. */
#include "tree_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_XATTR_USER = 1,
	OPT_CROSS_MOUNTS,
	OPT_HELP,
};

static const struct option longopts[] = {
	{ "xattr-user", no_argument, NULL, OPT_XATTR_USER },
	{ "cross-mounts", no_argument, NULL, OPT_CROSS_MOUNTS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const char *not_applied(int ret)
{
	if (ret == -ENOENT)
		return "missing";
	if (ret == -EXDEV)
		return "on another file system (a mount point on the way; --cross-mounts to "
		       "write there)";
	return prog_file_error(ret);
}

/* Applies every line of @f; returns the exit code. */
static int apply(struct imactl_ctx *ctx, const char *root, const char *file, FILE *f,
		 unsigned int flags)
{
	unsigned long long applied = 0, failed = 0, lineno = 0;
	size_t size = 0;
	char *line = NULL;
	int status = EXIT_OK, ret;

	while (getline(&line, &size, f) >= 0) {
		struct imactl_signed_values v = { 0 };
		const char *name = NULL, *why = NULL;
		char *path = NULL, *shown;

		lineno++;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		ret = imactl_manifest_parse(line, &path, &v);
		if (ret < 0) {
			prog_file_err(file, "line %llu: %s", lineno,
				      ret == -EBADMSG ? "not '/PATH ima:0xHEX [evm:0xHEX]'"
						      : strerror(-ret));
			failed++;
			status = EXIT_OPERATIONAL;
			continue;
		}
		/* the library refuses it too; here the line is named */
		ret = imactl_signed_values_check(&v, &name, &why);
		if (ret < 0) {
			prog_file_err(file, "line %llu: %s value refused: %s", lineno, name, why);
			goto next;
		}
		ret = imactl_tree_set_xattrs(ctx, root, path, &v, flags);
		if (ret < 0) {
			shown = tree_display_path(root, path);
			prog_file_err(shown ? shown : path, "not applied: %s", not_applied(ret));
			free(shown);
		}
	next:
		if (ret < 0) {
			failed++;
			status = EXIT_OPERATIONAL;
		} else {
			applied++;
		}
		free(path);
		imactl_signed_values_free(&v);
	}
	if (ferror(f)) {
		prog_file_err(file, "%s", strerror(errno));
		status = EXIT_OPERATIONAL;
	}
	free(line);
	printf("apply-manifest: applied %llu, failed %llu\n", applied, failed);
	return status;
}

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct imactl_ctx *ctx = NULL;
	unsigned long long seen = 0;
	bool xattr_user = false;
	unsigned int flags = 0;
	int status, c;
	FILE *f;

	while ((c = prog_next_option(cmd, argc, argv, "", longopts, &seen)) != -1) {
		switch (c) {
		case OPT_XATTR_USER:
			xattr_user = true;
			break;
		case OPT_CROSS_MOUNTS:
			flags |= IMACTL_TREE_CROSS_MOUNTS;
			break;
		default:
			return prog_option_exit(cmd, c);
		}
	}
	if (optind + 2 != argc) {
		prog_err("apply-manifest: give ROOT and MANIFEST");
		return prog_bad_option(cmd);
	}
	f = fopen(argv[optind + 1], "re");
	if (!f) {
		prog_file_err(argv[optind + 1], "%s", strerror(errno));
		return EXIT_OPERATIONAL;
	}
	if (prog_ctx_new(&ctx, 0, xattr_user) < 0) {
		fclose(f);
		return EXIT_OPERATIONAL;
	}
	status = apply(ctx, argv[optind], argv[optind + 1], f, flags);
	fclose(f);
	imactl_ctx_free(ctx);
	return status;
}

const struct imactl_command cmd_apply_manifest = {
	.name = "apply-manifest",
	.func = run,
	.summary = "write the xattrs of a sign-tree manifest back onto a tree",
	.usage = "ROOT MANIFEST [--cross-mounts] [--xattr-user]\n"
		 "\n"
		 "For every line '/PATH ima:0xHEX [evm:0xHEX]' of MANIFEST (written by\n"
		 "sign-tree --manifest), sets security.ima and then security.evm of\n"
		 "ROOT/PATH, e.g. on a copy that lost its xattrs (a cpio initramfs unpacked\n"
		 "to tmpfs).  Without evm: a security.evm the file carries is removed when\n"
		 "security.ima changes.  PATH is escaped: a backslash and three octal digits\n"
		 "stand for one byte (\\040 a space, \\012 a newline, \\134 a backslash).\n"
		 "Paths that are missing, not regular files, reached through a symbolic link\n"
		 "or on another file system than ROOT (a mount point below it) are refused\n"
		 "and named; so is a line whose value does not decode strictly as a\n"
		 "security.ima (security.evm) value (nothing of that line is written).  The\n"
		 "other lines are still applied.  Empty lines and lines starting with '#'\n"
		 "are ignored.\n"
		 "\n"
		 "  --cross-mounts write files on other file systems mounted below ROOT too\n"
		 "  --xattr-user   write user.ima/user.evm (tests without privileges)\n"
		 "\n"
		 "Exit: 0 every line applied; 3 a line was malformed or could not be applied;\n"
		 "2 usage error.\n",
};
