// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared by sign-tree and verify-tree: progress, summaries. */
#include "tree_util.h"
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double since(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

void tree_progress_start(struct tree_progress *pr, const char *verb)
{
	memset(pr, 0, sizeof(*pr));
	pr->enabled = isatty(STDERR_FILENO);
	pr->verb = verb;
	clock_gettime(CLOCK_MONOTONIC, &pr->start);
	pr->last = pr->start;
}

double tree_elapsed(const struct tree_progress *pr)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return since(&pr->start, &now);
}

void tree_progress_file(struct tree_progress *pr, uint64_t bytes)
{
	struct timespec now;
	double t;

	pr->files++;
	pr->bytes += bytes;
	if (!pr->enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&pr->last, &now) < 0.2)
		return;
	pr->last = now;
	t = since(&pr->start, &now);
	fprintf(stderr, "\r%llu files %s, %.1f MB, %.0f files/s ", (unsigned long long)pr->files,
		pr->verb, pr->bytes / 1e6, t > 0 ? pr->files / t : 0.0);
}

void tree_progress_end(struct tree_progress *pr)
{
	if (pr->enabled)
		fprintf(stderr, "\r\033[K");
}

char *tree_display_path(const char *root, const char *path)
{
	char *joined = NULL, *escaped = NULL;
	size_t rl = strlen(root);

	while (rl > 1 && root[rl - 1] == '/')
		rl--;
	if (rl == 1 && root[0] == '/')
		rl = 0;
	if (asprintf(&joined, "%.*s%s", (int)rl, root, path) < 0)
		return NULL;
	if (imactl_manifest_escape(joined, &escaped) < 0)
		escaped = NULL;
	free(joined);
	return escaped;
}

bool tree_parse_jobs(const struct imactl_command *cmd, const char *s, unsigned int *jobs)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > 256) {
		prog_err("%s: --jobs takes a number from 1 to 256, not '%s'", cmd->name, s);
		return false;
	}
	*jobs = v;
	return true;
}

bool tree_resolve_bits(struct imactl_ctx *ctx, const char *root, bool image, bool given,
		       unsigned int *bits)
{
	int ret;

	if (*bits)
		return true;
	ret = image ? imactl_image_target_bits(ctx, root, bits)
		    : imactl_tree_target_bits(ctx, root, bits);
	if (image && ret < 0 && ret != -ENOENT)
		return false; /* the image itself is refused; the library said why */
	if (ret == 0)
		return true;
	if (given) {
		prog_err("%s: --target-bits auto: %s", root,
			 ret == -ENOENT ? "no ELF init, C library or shell found; give 64 or 32"
					: strerror(-ret));
		return false;
	}
	prog_err("%s: note: cannot tell the target's word size (no ELF init or C library); EVM for "
		 "a 64-bit target",
		 root);
	*bits = 64;
	return true;
}

void tree_print_skipped(FILE *f, const char *cmd, const struct imactl_tree_stats *s)
{
	fprintf(f,
		"%s: skipped: symlinks %llu, directories %llu, devices %llu, fifos %llu, sockets "
		"%llu, hard-links %llu, excluded %llu, other-fs %llu\n",
		cmd, (unsigned long long)s->kinds[IMACTL_TREE_SYMLINK],
		(unsigned long long)s->kinds[IMACTL_TREE_DIR],
		(unsigned long long)s->kinds[IMACTL_TREE_DEVICE],
		(unsigned long long)s->kinds[IMACTL_TREE_FIFO],
		(unsigned long long)s->kinds[IMACTL_TREE_SOCKET],
		(unsigned long long)s->kinds[IMACTL_TREE_HARDLINK],
		(unsigned long long)s->kinds[IMACTL_TREE_EXCLUDED],
		(unsigned long long)s->kinds[IMACTL_TREE_OTHER_FS]);
}

bool image_fsck(const char *image)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int status = -1, pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		prog_file_err(image, "cannot run e2fsck: %s", strerror(errno));
		return false;
	}
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execlp("e2fsck", "e2fsck", "-fn", "--", image, (char *)NULL);
		execl("/sbin/e2fsck", "e2fsck", "-fn", "--", image, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	if (pid > 0) {
		f = open_memstream(&out, &len);
		for (char buf[4096]; f;) {
			ssize_t n = read(pfd[0], buf, sizeof(buf));

			if (n <= 0)
				break;
			fwrite(buf, 1, n, f);
		}
		if (f)
			fclose(f);
		waitpid(pid, &status, 0);
	}
	close(pfd[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		free(out);
		return true;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		prog_file_err(image, "cannot run e2fsck (e2fsprogs) to check the image first");
	else
		prog_file_err(image,
			      "e2fsck -fn finds problems in the image (exit %d); repair it "
			      "with e2fsck -f first:\n%s",
			      WIFEXITED(status) ? WEXITSTATUS(status) : -1, out ? out : "");
	free(out);
	return false;
}

void tree_print_json_head(FILE *f, bool image, const char *root, const struct imactl_tree_stats *s)
{
	fprintf(f, "{\"%s\": ", image ? "image" : "root");
	json_print(f, root);
	fprintf(f, ", \"files\": %llu", (unsigned long long)s->kinds[IMACTL_TREE_FILE]);
}

void tree_print_json_skipped(FILE *f, const struct imactl_tree_stats *s)
{
	static const char *const kinds[IMACTL_TREE_KINDS] = {
		[IMACTL_TREE_SYMLINK] = "symlinks",  [IMACTL_TREE_DIR] = "directories",
		[IMACTL_TREE_DEVICE] = "devices",    [IMACTL_TREE_FIFO] = "fifos",
		[IMACTL_TREE_SOCKET] = "sockets",    [IMACTL_TREE_HARDLINK] = "hard-links",
		[IMACTL_TREE_EXCLUDED] = "excluded", [IMACTL_TREE_OTHER_FS] = "other-fs",
	};

	fprintf(f, ", \"skipped\": {");
	for (int k = 1; k < IMACTL_TREE_KINDS; k++)
		fprintf(f, "%s\"%s\": %llu", k > 1 ? ", " : "", kinds[k],
			(unsigned long long)s->kinds[k]);
	fputc('}', f);
}
