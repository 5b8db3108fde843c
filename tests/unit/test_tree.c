// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * imactl_tree_params.select.fn: the caller chooses, from what the walk read
 * (path, size, owner, group, mode), which selected regular files are
 * processed; the others are reported as excluded and never opened.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct seen {
	int asked, processed, left;
	int select_ret; /* returned for "/b" */
	bool b_verified, wrong_entry;
};

static int choose(void *data, const struct imactl_tree_entry *e)
{
	struct seen *s = data;

	s->asked++;
	if (e->kind != IMACTL_TREE_FILE || e->verify || e->status || e->uid != geteuid() ||
	    !S_ISREG(e->mode) ||
	    (!strcmp(e->path, "/a") && (e->size != 3 || (e->mode & 0777) != 0755)))
		s->wrong_entry = true;
	return strcmp(e->path, "/b") ? 0 : s->select_ret;
}

static int report(void *data, const struct imactl_tree_entry *e)
{
	struct seen *s = data;

	if (e->kind == IMACTL_TREE_FILE) {
		s->processed++;
		if (!strcmp(e->path, "/b"))
			s->b_verified = true;
	} else if (e->kind == IMACTL_TREE_EXCLUDED) {
		s->left++;
		if (strcmp(e->path, "/b") || e->verify)
			s->wrong_entry = true;
	}
	return 0;
}

static void put(const char *root, const char *name, const char *text, mode_t mode)
{
	const char *path = test_path_in(root, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void select_fn_leaves_files_unopened(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	const char *root = test_path_in(test_tmpdir(), "tree");
	struct seen s = { .select_ret = IMACTL_TREE_LEAVE };
	struct imactl_tree_params tp = {
		.target_bits = 64,
		.fn = report,
		.fn_data = &s,
		.select = { .fn = choose },
	};
	struct imactl_tree_stats st;

	(void)state;
	imactl_set_xattr_user(ctx, true);
	mkdir(root, 0755);
	put(root, "a", "abc", 0755);
	put(root, "b", "b", 0644);
	put(root, "c", "c", 0600);
	/* unsigned files: verification fails (-EBADMSG), each one processed */
	assert_int_equal(imactl_tree_verify(ctx, root, &tp, &st), -EBADMSG);
	assert_int_equal(s.asked, 3);
	assert_int_equal(s.processed, 2);
	assert_int_equal(s.left, 1);
	assert_false(s.b_verified);
	assert_false(s.wrong_entry);
	assert_int_equal(st.kinds[IMACTL_TREE_FILE], 2);
	assert_int_equal(st.kinds[IMACTL_TREE_EXCLUDED], 1);

	/* anything else stops the walk */
	memset(&s, 0, sizeof(s));
	s.select_ret = -EPERM;
	assert_int_equal(imactl_tree_verify(ctx, root, &tp, &st), -ECANCELED);
	assert_false(s.b_verified);

	/* 0 processes everything, as without a select.fn */
	memset(&s, 0, sizeof(s));
	assert_int_equal(imactl_tree_verify(ctx, root, &tp, &st), -EBADMSG);
	assert_int_equal(s.processed, 3);
	assert_true(s.b_verified);
	imactl_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(select_fn_leaves_files_unopened),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
