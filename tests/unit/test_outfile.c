// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The output file helper (lib/outfile.c): never opens a planted link or
 * FIFO, the rename itself refuses an existing target without "replace",
 * nothing is left behind on failure.
 */
#include "testutil.h"
#include "lib_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* one context for the whole group (freed by group_teardown) */
static struct imactl_ctx *ctx;

static int group_setup(void **state)
{
	(void)state;
	ctx = test_ctx();
	return ctx ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	imactl_ctx_free(ctx);
	return 0;
}

static const char *dir_for(const char *name)
{
	static char dir[4000];

	snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), name);
	assert_int_equal(mkdir(dir, 0755), 0);
	return dir;
}

static char *slurp(const char *path)
{
	static char buf[256];
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void write_plain(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The rename refuses an existing target: no check-then-rename window. */
static void rename_noreplace(void **state)
{
	const char *dir = dir_for("rename");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);

	(void)state;
	write_plain(test_path_in(dir, "new"), "new\n");
	write_plain(test_path_in(dir, "old"), "old\n");
	assert_int_equal(out_rename(dfd, "new", "old", false), -EEXIST);
	assert_string_equal(slurp(test_path_in(dir, "old")), "old\n");
	assert_string_equal(slurp(test_path_in(dir, "new")), "new\n");
	assert_int_equal(symlink("nowhere", test_path_in(dir, "link")), 0);
	assert_int_equal(out_rename(dfd, "new", "link", false), -EEXIST);
	assert_int_equal(out_rename(dfd, "new", "fresh", false), 0);
	assert_string_equal(slurp(test_path_in(dir, "fresh")), "new\n");
	assert_int_equal(out_rename(dfd, "fresh", "old", true), 0);
	assert_string_equal(slurp(test_path_in(dir, "old")), "new\n");
	close(dfd);
}

/* A file that appears between create and commit is not replaced. */
static void commit_race(void **state)
{
	const char *dir = dir_for("race");
	struct imactl_outfile *of = NULL;

	(void)state;
	assert_int_equal(imactl_outfile_create(ctx, test_path_in(dir, "out"), 0600, 0, &of), 0);
	assert_int_equal(imactl_outfile_write(of, "mine\n", 5), 0);
	write_plain(test_path_in(dir, "out"), "theirs\n");
	assert_int_equal(imactl_outfile_commit(of), -EEXIST);
	assert_non_null(strstr(last_log, "exists"));
	imactl_outfile_free(of);
	assert_string_equal(slurp(test_path_in(dir, "out")), "theirs\n");
	assert_int_equal(test_count_entries(dir), 1); /* the temporary file is gone */
}

/* Links and FIFOs at any name next to the target are never opened. */
static void planted_names(void **state)
{
	const char *dir = dir_for("planted");
	char victim[4096];
	struct stat st;

	(void)state;
	snprintf(victim, sizeof(victim), "%s/victim", test_tmpdir());
	write_plain(victim, "victim\n");
	assert_int_equal(symlink(victim, test_path_in(dir, "out.tmp")), 0);
	assert_int_equal(mkfifo(test_path_in(dir, ".out.tmp"), 0600), 0);
	assert_int_equal(imactl_write_file(ctx, test_path_in(dir, "out"), "data\n", 5, 0640, 0), 0);
	assert_string_equal(slurp(victim), "victim\n");
	assert_int_equal(lstat(test_path_in(dir, "out"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_string_equal(slurp(test_path_in(dir, "out")), "data\n");
	assert_int_equal(test_count_entries(dir), 3);
	/* a link at the target itself is replaced (with REPLACE), not followed */
	assert_int_equal(symlink(victim, test_path_in(dir, "l")), 0);
	assert_int_equal(imactl_write_file(ctx, test_path_in(dir, "l"), "x", 1, 0600,
					   IMACTL_OUTFILE_REPLACE),
			 0);
	assert_string_equal(slurp(victim), "victim\n");
	assert_string_equal(slurp(test_path_in(dir, "l")), "x");
}

static void bad_args(void **state)
{
	struct imactl_outfile *of = NULL;

	(void)state;
	assert_int_equal(imactl_outfile_create(ctx, "dir/", 0600, 0, &of), -EINVAL);
	assert_int_equal(imactl_outfile_create(ctx, "", 0600, 0, &of), -EINVAL);
	assert_int_equal(imactl_outfile_create(ctx, "x", 0600, 1u << 5, &of), -EINVAL);
	assert_int_equal(imactl_outfile_create(ctx, "/nonexistent-dir/x", 0600, 0, &of), -ENOENT);
	assert_null(of);
	assert_int_equal(imactl_outfile_commit(NULL), -EINVAL);
	imactl_outfile_free(NULL);
}

/* A set of files: one that exists stops all of them, none is left. */
static void set_all_or_none(void **state)
{
	const char *dir = dir_for("set");
	struct out_file files[] = {
		{ .name = "a", .data = (const uint8_t *)"a", .len = 1, .mode = 0600 },
		{ .name = "b", .data = (const uint8_t *)"b", .len = 1, .mode = 0644 },
	};

	(void)state;
	write_plain(test_path_in(dir, "b"), "old b\n");
	assert_int_equal(out_files_write(ctx, dir, files, 2, false), -EEXIST);
	assert_int_equal(test_count_entries(dir), 1);
	assert_string_equal(slurp(test_path_in(dir, "b")), "old b\n");
	assert_int_equal(out_files_write(ctx, dir, files, 2, true), 0);
	assert_string_equal(slurp(test_path_in(dir, "b")), "b");
	assert_int_equal(test_count_entries(dir), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rename_noreplace), cmocka_unit_test(commit_race),
		cmocka_unit_test(planted_names),    cmocka_unit_test(bad_args),
		cmocka_unit_test(set_all_or_none),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
