// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ABI's room to grow (include/imactl.h, "ABI"): a parameter structure
 * whose reserved tail is not zero is refused with -EINVAL by every entry
 * point that takes one (a caller built against a newer header must not be
 * half understood), and the library zeroes the reserved tail of every
 * structure it fills, so members added there later read as zero.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const int banks[] = { IMACTL_HASH_SHA256 };

static bool all_zero(const uint64_t *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (r[i])
			return false;
	return true;
}

#define RESERVED_ZERO(s) all_zero((s).reserved, sizeof((s).reserved) / sizeof((s).reserved[0]))

static const char *small_tree(void)
{
	const char *root = test_path_in(test_tmpdir(), "tree");
	char *f;
	FILE *fp;

	mkdir(root, 0755);
	f = test_path_in(root, "a");
	fp = fopen(f, "w");
	assert_non_null(fp);
	fputs("content\n", fp);
	fclose(fp);
	return root;
}

static void params_with_reserved_set_are_refused(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_sign_params sp = { .hash_algo = IMACTL_HASH_SHA256,
					 .ima = IMACTL_IMA_HASH,
					 .evm = IMACTL_EVM_NONE,
					 .target_bits = 64 };
	struct imactl_tree_params tp = { .sign = &sp };
	struct imactl_mlog_verify_params mp = { .banks = banks, .nbanks = 1 };
	struct imactl_keygen_params kp = { 0 };
	struct imactl_policy_options po = { 0 };
	struct imactl_mlog_verifier *v = NULL;
	struct imactl_policy *pol = NULL;
	struct imactl_signed_values vals = { 0 };
	const char *root = small_tree();
	int fd = open(test_path_in(root, "a"), O_RDONLY);

	(void)state;
	imactl_set_xattr_user(ctx, true);
	assert_true(fd >= 0);
	/* the last reserved member: the whole tail is checked */
	sp.reserved[IMACTL_PARAMS_RESERVED - 1] = 1;
	assert_int_equal(imactl_sign_fd(ctx, fd, NULL, &sp, &vals), -EINVAL);
	assert_non_null(strstr(last_log, "imactl_sign_params"));
	assert_int_equal(imactl_tree_sign(ctx, root, &tp, NULL), -EINVAL);
	sp.reserved[IMACTL_PARAMS_RESERVED - 1] = 0;
	tp.reserved[0] = 1;
	assert_int_equal(imactl_tree_sign(ctx, root, &tp, NULL), -EINVAL);
	assert_non_null(strstr(last_log, "imactl_tree_params"));
	tp.target_bits = 64;
	assert_int_equal(imactl_tree_verify(ctx, root, &tp, NULL), -EINVAL);
	mp.reserved[3] = 1;
	assert_int_equal(imactl_mlog_verifier_new(ctx, &mp, &v), -EINVAL);
	assert_null(v);
	kp.reserved[0] = 1;
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_CA, test_tmpdir(), &kp), -EINVAL);
	po.reserved[1] = 1;
	assert_int_equal(imactl_policy_parse(ctx, "measure\n", 8, &po, &pol), -EINVAL);
	assert_null(pol);
	/* the same calls with the tails zero work */
	po.reserved[1] = 0;
	assert_int_equal(imactl_policy_parse(ctx, "measure\n", 8, &po, &pol), 0);
	imactl_policy_free(pol);
	mp.reserved[3] = 0;
	assert_int_equal(imactl_mlog_verifier_new(ctx, &mp, &v), 0);
	imactl_mlog_verifier_free(v);
	tp.reserved[0] = 0;
	assert_int_equal(imactl_tree_sign(ctx, root, &tp, NULL), 0);
	close(fd);
	imactl_ctx_free(ctx);
}

static int check_entry(void *data, const struct imactl_tree_entry *e)
{
	int *bad = data;

	if (!RESERVED_ZERO(*e) || (e->verify && !RESERVED_ZERO(*e->verify)))
		(*bad)++;
	return 0;
}

static void results_have_reserved_zeroed(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_sign_params sp = { .hash_algo = IMACTL_HASH_SHA256,
					 .ima = IMACTL_IMA_HASH,
					 .evm = IMACTL_EVM_NONE,
					 .target_bits = 64 };
	int bad = 0;
	struct imactl_tree_params tp = { .sign = &sp, .fn = check_entry, .fn_data = &bad };
	struct imactl_mlog_verify_params mp = { .banks = banks, .nbanks = 1 };
	struct imactl_tree_stats ts;
	struct imactl_verify_result vr;
	struct imactl_mlog_summary sum;
	struct imactl_mlog_entry_result er;
	struct imactl_sigcache_stats cs;
	struct imactl_sigcache *cache = NULL;
	struct imactl_mlog_verifier *v = NULL;
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e = NULL;
	const char *why = NULL;
	static const char list[] =
		"10 0000000000000000000000000000000000000000 ima-ng "
		"sha256:0000000000000000000000000000000000000000000000000000000000000000 "
		"/x\n";
	const char *root = small_tree();
	int fd;

	(void)state;
	imactl_set_xattr_user(ctx, true);
	/* poisoned: whatever the library does not write stays 0xff */
	memset(&ts, 0xff, sizeof(ts));
	assert_int_equal(imactl_tree_sign(ctx, root, &tp, &ts), 0);
	assert_true(RESERVED_ZERO(ts));
	memset(&ts, 0xff, sizeof(ts));
	tp.target_bits = 64;
	tp.verify_flags = 0;
	assert_int_equal(imactl_tree_verify(ctx, root, &tp, &ts), 0);
	assert_true(RESERVED_ZERO(ts));
	assert_int_equal(bad, 0);

	fd = open(test_path_in(root, "a"), O_RDONLY);
	assert_true(fd >= 0);
	memset(&vr, 0xff, sizeof(vr));
	imactl_verify_fd(ctx, fd, NULL, 0, 64, &vr);
	assert_true(RESERVED_ZERO(vr));
	close(fd);

	assert_int_equal(
		imactl_mlog_open_mem(ctx, list, sizeof(list) - 1, IMACTL_MLOG_FORMAT_ASCII, 0, &ml),
		0);
	assert_int_equal(imactl_mlog_next(ml, &e, &why), 0);
	assert_non_null(e);
	assert_int_equal(imactl_mlog_verifier_new(ctx, &mp, &v), 0);
	memset(&er, 0xff, sizeof(er));
	assert_int_equal(imactl_mlog_verifier_add(v, e, &er), 0);
	assert_true(RESERVED_ZERO(er));
	memset(&sum, 0xff, sizeof(sum));
	imactl_mlog_verifier_summary(v, &sum);
	assert_true(RESERVED_ZERO(sum));
	imactl_mlog_verifier_free(v);
	imactl_mlog_free(ml);

	assert_int_equal(imactl_sigcache_open(ctx, test_path_in(test_tmpdir(), "cache"), 0, &cache),
			 0);
	memset(&cs, 0xff, sizeof(cs));
	imactl_sigcache_get_stats(cache, &cs);
	assert_true(RESERVED_ZERO(cs));
	imactl_sigcache_close(cache);
	imactl_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(params_with_reserved_set_are_refused),
		cmocka_unit_test(results_have_reserved_zeroed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
