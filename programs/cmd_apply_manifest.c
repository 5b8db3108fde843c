// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl apply-manifest: write a manifest's xattrs back onto a tree. */
#include "tree_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_XATTR_USER = 1,
	OPT_HELP,
};

static const struct option longopts[] = {
	{ "xattr-user", no_argument, NULL, OPT_XATTR_USER },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Applies every line of @f; returns the exit code. */
static int apply(struct imactl_ctx *ctx, const char *root, const char *file, FILE *f)
{
	unsigned long long applied = 0, failed = 0, lineno = 0;
	size_t size = 0;
	char *line = NULL;
	int status = EXIT_OK, ret;

	while (getline(&line, &size, f) >= 0) {
		struct imactl_signed_values v = { 0 };
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
		ret = imactl_tree_set_xattrs(ctx, root, path, &v);
		if (ret < 0) {
			shown = tree_display_path(root, path);
			prog_file_err(shown ? shown : path, "not applied: %s",
				      ret == -ENOENT ? "missing" : prog_file_error(ret));
			free(shown);
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
	int status, c;
	FILE *f;

	while ((c = prog_getopt(cmd, argc, argv, "", longopts)) != -1) {
		if (c != '?' && !prog_once(cmd, &seen, c, longopts))
			return prog_bad_option(cmd);
		switch (c) {
		case OPT_XATTR_USER:
			xattr_user = true;
			break;
		case OPT_HELP:
			return prog_usage(cmd, stdout);
		default:
			return prog_bad_option(cmd);
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
	status = apply(ctx, argv[optind], argv[optind + 1], f);
	fclose(f);
	imactl_ctx_free(ctx);
	return status;
}

const struct imactl_command cmd_apply_manifest = {
	.name = "apply-manifest",
	.func = run,
	.summary = "write the xattrs of a sign-tree manifest back onto a tree",
	.usage = "ROOT MANIFEST [--xattr-user]\n"
		 "\n"
		 "For every line '/PATH ima:0xHEX [evm:0xHEX]' of MANIFEST (written by\n"
		 "sign-tree --manifest), sets security.ima and then security.evm of\n"
		 "ROOT/PATH, e.g. on a copy that lost its xattrs (a cpio initramfs unpacked\n"
		 "to tmpfs).  Without evm: a security.evm the file carries is removed when\n"
		 "security.ima changes.  PATH is escaped: a backslash and three octal digits\n"
		 "stand for one byte (\\040 a space, \\012 a newline, \\134 a backslash).\n"
		 "Paths that are missing, not regular files, or reached through a symbolic\n"
		 "link are refused and named; the other lines are still applied.  Empty lines\n"
		 "and lines starting with '#' are ignored.\n"
		 "\n"
		 "  --xattr-user   write user.ima/user.evm (tests without privileges)\n"
		 "\n"
		 "Exit: 0 every line applied; 3 a line was malformed or could not be applied;\n"
		 "2 usage error.\n",
};
