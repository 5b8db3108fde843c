// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keylime runtime policies: the reader's exact errors (naming the field at
 * fault), the exclude translation (Python re.match to POSIX), and the
 * verdicts on entries real kernels logged.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* testutil.c's entries real kernels logged, after the first (/usr/bin/dd) */
#define REAL_KERNEL (strchr(test_real_kernel_list, '\n') + 1)

/* One context for the whole run: a policy keeps the context it was parsed with. */
static struct imactl_ctx *ctx;

static int setup(void **state)
{
	(void)state;
	ctx = test_ctx();
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	imactl_ctx_free(ctx);
	return 0;
}

/* A policy with the schema's required fields around @digests and @excludes. */
static int parse(const char *digests, const char *excludes, const char *imabuf,
		 struct imactl_runtime_policy **pol)
{
	char buf[8192];

	snprintf(buf, sizeof(buf),
		 "{\"meta\":{\"version\":1,\"generator\":3},\"release\":0,\"digests\":{%s},"
		 "\"excludes\":[%s],\"keyrings\":{},\"ima\":{\"ignored_keyrings\":[],"
		 "\"log_hash_alg\":\"sha1\",\"dm_policy\":null},\"ima-buf\":{%s},"
		 "\"verification-keys\":\"\"}",
		 digests, excludes, imabuf);
	return imactl_runtime_policy_parse(ctx, buf, strlen(buf), "p.json", pol);
}

/* The verdict on each entry of the real list, in order. */
static void real_list_verdicts(void **state)
{
	struct imactl_runtime_policy *pol = NULL;
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	const char *why = NULL;
	static const int want[] = {
		IMACTL_RP_PASS_EXCLUDED, IMACTL_RP_FAIL_DIGEST,	    IMACTL_RP_PASS_DIGEST,
		IMACTL_RP_PASS_DIGEST,	 IMACTL_RP_FAIL_NOT_LISTED, IMACTL_RP_FAIL_NOT_LISTED,
	};
	unsigned int n = 0;

	(void)state;
	assert_int_equal(
		parse("\"/lib/modules/5.4.48-openpower1/kernel/drivers/usb/common/usb-common.ko\":"
		      "[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"],"
		      "\"/usr/bin/kmod\":[\"6f66d1d8e2fffcc12dfcb78c04b81fe5b8bbae4e\"]",
		      "\"/usr/bin/z\"",
		      "\"device_resume\":[\"6e0e6fc8a188ef4f059638949adca4d221946906\"]", &pol),
		0);
	assert_int_equal(imactl_runtime_policy_paths(pol), 2);
	assert_int_equal(imactl_runtime_policy_keys(pol), 0);
	assert_int_equal(imactl_mlog_open_mem(NULL, REAL_KERNEL, strlen(REAL_KERNEL), 0, 0, &ml),
			 0);
	while (imactl_mlog_next(ml, &e, &why) == 0 && e) {
		struct imactl_rp_result r;
		int ret = imactl_runtime_policy_check(pol, e, IMACTL_MLOG_SIG_NOT_CHECKED, &r);

		assert_true(n < sizeof(want) / sizeof(want[0]));
		assert_int_equal(r.verdict, want[n]);
		assert_int_equal(ret, want[n] >= IMACTL_RP_FAIL_NOT_LISTED ? -EBADMSG : 0);
		assert_non_null(r.reason);
		/* only the last entry is boot_aggregate */
		assert_int_equal(r.boot_aggregate, n == 5);
		n++;
	}
	assert_int_equal(n, 6);
	imactl_mlog_free(ml);

	/* a signature the caller's keyring checked decides before the digests */
	assert_int_equal(imactl_mlog_open_mem(NULL, REAL_KERNEL, strlen(REAL_KERNEL), 0, 0, &ml),
			 0);
	assert_int_equal(imactl_mlog_next(ml, &e, &why), 0);
	{
		struct imactl_rp_result r;

		assert_int_equal(imactl_runtime_policy_check(pol, e, IMACTL_MLOG_SIG_GOOD, &r), 0);
		assert_int_equal(r.verdict, IMACTL_RP_PASS_SIGNATURE);
		/* excluded, and a bad signature: fails (Keylime would pass it) */
		assert_int_equal(imactl_runtime_policy_check(pol, e, IMACTL_MLOG_SIG_BAD, &r),
				 -EBADMSG);
		assert_int_equal(r.verdict, IMACTL_RP_FAIL_BAD_SIGNATURE);
		/* unknown key: the digests and excludes decide */
		assert_int_equal(
			imactl_runtime_policy_check(pol, e, IMACTL_MLOG_SIG_UNKNOWN_KEY, &r), 0);
		assert_int_equal(r.verdict, IMACTL_RP_PASS_EXCLUDED);
		assert_int_equal(imactl_runtime_policy_check(NULL, e, 0, &r), -EINVAL);
		assert_int_equal(imactl_runtime_policy_check(pol, NULL, 0, &r), -EINVAL);
		assert_int_equal(imactl_runtime_policy_check(pol, e, 0, NULL), -EINVAL);
	}
	imactl_mlog_free(ml);
	imactl_runtime_policy_free(pol);
}

/* @name against one exclude: 1 excluded, 0 not, -EBADMSG refused. */
static int excl(const char *pattern_json, const char *name)
{
	struct imactl_runtime_policy *pol = NULL;
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	struct imactl_rp_result r;
	const char *why = NULL;
	char line[512];
	int ret = parse("", pattern_json, "", &pol);

	if (ret < 0)
		return ret;
	snprintf(line, sizeof(line),
		 "10 0000000000000000000000000000000000000001 ima-ng sha1:%s %s\n",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", name);
	assert_int_equal(imactl_mlog_open_mem(NULL, line, strlen(line), 0, 0, &ml), 0);
	assert_int_equal(imactl_mlog_next(ml, &e, &why), 0);
	ret = imactl_runtime_policy_check(pol, e, 0, &r);
	imactl_mlog_free(ml);
	imactl_runtime_policy_free(pol);
	return ret == 0 && r.verdict == IMACTL_RP_PASS_EXCLUDED;
}

static void excludes(void **state)
{
	(void)state;
	/* re.match: anchored at the start only */
	assert_int_equal(excl("\"/tmp\"", "/tmp/x"), 1);
	assert_int_equal(excl("\"/tmp\"", "/var/tmp/x"), 0);
	assert_int_equal(excl("\"/tmp$\"", "/tmp/x"), 0);
	assert_int_equal(excl("\"/var/log/.*\"", "/var/log/a"), 1);
	assert_int_equal(excl("\"/var/log/.*\"", "/var/logbook"), 0);
	/* several patterns: any of them */
	assert_int_equal(excl("\"/a\",\"/b\"", "/b/c"), 1);
	assert_int_equal(excl("\"/a$\",\"/b$\"", "/b/c"), 0);
	/* \d and a class with an escaped dot, as Python reads them */
	assert_int_equal(excl("\"/v\\\\d+/\"", "/v12/x"), 1);
	assert_int_equal(excl("\"/v\\\\d+/\"", "/vd/x"), 0);
	assert_int_equal(excl("\"/x[\\\\.]y\"", "/x.y"), 1);
	assert_int_equal(excl("\"/x[\\\\.]y\"", "/x\\\\y"), 0);
	assert_int_equal(excl("\"/x\\\\.y\"", "/xzy"), 0);
	/* a ']' first in a class is a literal, as in Python */
	assert_int_equal(excl("\"/[]a]\"", "/]"), 1);
	/* '.' is one character: UTF-8 matched as code points (as Python's str) */
	assert_int_equal(excl("\"/caf.$\"", "/caf\xc3\xa9"), 1);
	assert_int_equal(excl("\"/caf..$\"", "/caf\xc3\xa9"), 0);
	/* refused, naming the pattern: no POSIX form */
	assert_int_equal(excl("\"(?i)/tmp\"", "/tmp"), -EBADMSG);
	assert_non_null(
		strstr(last_log, "p.json: not a Keylime runtime policy: \"excludes\": item 1"));
	assert_int_equal(excl("\"/x\\\\Z\"", "/x"), -EBADMSG);
	assert_int_equal(excl("\"/[\\\\w]\"", "/x"), -EBADMSG);
	assert_int_equal(excl("\"/[a\"", "/x"), -EBADMSG);
	assert_int_equal(excl("\"/a\\\\\"", "/x"), -EBADMSG);
	assert_int_equal(excl("\"/a(b\"", "/x"), -EBADMSG);
	assert_non_null(strstr(last_log, "item 1 (/a(b)"));
	/* a lazy quantifier matches what the greedy one does (re.match asks only whether) */
	assert_int_equal(excl("\"/xa+?$\"", "/xaa"), 1);
	assert_int_equal(excl("\"/xa+?\"", "/x"), 0);
	assert_int_equal(excl("\"/xa{2,3}?b\"", "/xaab"), 1);
	assert_int_equal(excl("\"/xa{2,3}?b\"", "/xab"), 0);
	/* Python's "multiple repeat" and 3.11's possessive forms: refused, never compiled */
	assert_int_equal(excl("\"/xa++\"", "/xa"), -EBADMSG);
	assert_non_null(strstr(last_log, "possessive"));
	assert_int_equal(excl("\"/xa+??\"", "/xa"), -EBADMSG);
	assert_int_equal(excl("\"/xa{2}{3}\"", "/xa"), -EBADMSG);
	assert_non_null(strstr(last_log, "multiple repeat"));
	/* what the fuzzer found: glibc's regcomp() took > 2 GB for a run like this */
	assert_int_equal(excl("\"/et++++++++++++++++++++++++++++++++++++++++c\"", "/etc"),
			 -EBADMSG);
}

/* Every error names the field; never a crash. */
static void malformed(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "", "the JSON text ends early" },
		{ "{", "the JSON text ends early" },
		{ "[]", "not a JSON object" },
		{ "{} {}", "JSON error" },
		{ "{\"meta\":1}", "\"meta\" is missing or not an object" },
		{ "{\"meta\":{\"version\":-1,\"generator\":3}}", "\"meta\".\"version\"" },
		{ "{\"meta\":{\"version\":1,\"generator\":4}}", "\"meta\".\"generator\"" },
		{ "{\"meta\":{\"version\":1,\"generator\":3},\"release\":\"0\"}", "\"release\"" },
		{ "{\"payload\":\"e30=\"}", "a DSSE envelope" },
		{ "{\"a\":\"\xff\"}", "JSON error" },
	};
	struct imactl_runtime_policy *pol = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		last_log[0] = 0;
		assert_int_equal(imactl_runtime_policy_parse(ctx, cases[i].text,
							     strlen(cases[i].text), "p.json", &pol),
				 -EBADMSG);
		if (!strstr(last_log, cases[i].msg) || !strstr(last_log, "p.json: "))
			fail_msg("case %zu: %s", i, last_log);
	}
	assert_int_equal(
		parse("\"/x\":[\"ABABABABABABABABABABABABABABABABABABABAB\"]", "", "", &pol),
		-EBADMSG);
	assert_non_null(strstr(last_log, "\"digests\": \"/x\": digest 1 is not 40 to 128"));
	assert_int_equal(parse("\"/x\":[\"abc\"]", "", "", &pol), -EBADMSG);
	assert_int_equal(parse("\"/x\":[]", "", "", &pol), -EBADMSG);
	assert_int_equal(parse("\"/x\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", "", "", &pol),
			 -EBADMSG);
	assert_int_equal(parse("", "1", "", &pol), -EBADMSG);
	assert_non_null(strstr(last_log, "\"excludes\": item 1 is not a string"));
	assert_int_equal(parse("", "", "\"k\":[1]", &pol), -EBADMSG);
	assert_non_null(strstr(last_log, "\"ima-buf\": \"k\""));
	/* an odd number of digits is valid, and matches nothing */
	assert_int_equal(
		parse("\"/x\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]", "", "", &pol), 0);
	imactl_runtime_policy_free(pol);
	assert_int_equal(imactl_runtime_policy_parse(NULL, NULL, 1, "x", &pol), -EINVAL);
	assert_int_equal(imactl_runtime_policy_parse(NULL, "{}", 2, NULL, &pol), -EINVAL);
	assert_int_equal(imactl_runtime_policy_load(NULL, NULL, &pol), -EINVAL);
	assert_int_equal(imactl_runtime_policy_load(ctx, "/nonexistent/p.json", &pol), -ENOENT);
	assert_int_equal(imactl_runtime_policy_load(ctx, "/", &pol), -EINVAL);
	imactl_runtime_policy_free(NULL);
}

/* Many paths: each is found, and a name that differs in one byte is not. */
static void many_paths(void **state)
{
	size_t n = 20000, len = 0, cap = n * 80 + 1024;
	char *buf = malloc(cap), *digests = malloc(cap);
	struct imactl_runtime_policy *pol = NULL;

	(void)state;
	assert_non_null(buf);
	assert_non_null(digests);
	for (size_t i = 0; i < n; i++)
		len += snprintf(digests + len, cap - len, "%s\"/usr/lib/f%zu\":[\"%040zx\"]",
				i ? "," : "", i, i);
	snprintf(buf, cap,
		 "{\"meta\":{\"version\":1,\"generator\":3},\"release\":0,\"digests\":{%s},"
		 "\"excludes\":[],\"keyrings\":{},\"ima\":{\"ignored_keyrings\":[],"
		 "\"log_hash_alg\":\"sha1\",\"dm_policy\":null},\"ima-buf\":{},"
		 "\"verification-keys\":\"\"}",
		 digests);
	assert_int_equal(imactl_runtime_policy_parse(ctx, buf, strlen(buf), "p", &pol), 0);
	assert_int_equal(imactl_runtime_policy_paths(pol), n);
	for (size_t i = 0; i < n; i += 997) {
		char line[256];
		struct imactl_mlog *ml = NULL;
		const struct imactl_mlog_entry *e;
		struct imactl_rp_result r;
		const char *why = NULL;

		snprintf(line, sizeof(line),
			 "10 0000000000000000000000000000000000000001 ima-ng sha1:%040zx "
			 "/usr/lib/f%zu\n"
			 "10 0000000000000000000000000000000000000001 ima-ng sha1:%040zx "
			 "/usr/lib/f%zux\n",
			 i, i, i, i);
		assert_int_equal(imactl_mlog_open_mem(NULL, line, strlen(line), 0, 0, &ml), 0);
		assert_int_equal(imactl_mlog_next(ml, &e, &why), 0);
		assert_int_equal(imactl_runtime_policy_check(pol, e, 0, &r), 0);
		assert_int_equal(imactl_mlog_next(ml, &e, &why), 0);
		assert_int_equal(imactl_runtime_policy_check(pol, e, 0, &r), -EBADMSG);
		assert_int_equal(r.verdict, IMACTL_RP_FAIL_NOT_LISTED);
		imactl_mlog_free(ml);
	}
	imactl_runtime_policy_free(pol);
	free(buf);
	free(digests);
}

/* The digest of what was parsed: the bytes given, never the file read again. */
static void digest_of_what_was_parsed(void **state)
{
	static const char ws[] = "\n \n";
	struct imactl_runtime_policy *pol = NULL, *pol2 = NULL;
	struct imactl_digest got, want, other;
	char buf[1024];

	(void)state;
	snprintf(buf, sizeof(buf),
		 "{\"meta\":{\"version\":1,\"generator\":3},\"release\":0,\"digests\":{},"
		 "\"excludes\":[],\"keyrings\":{},\"ima\":{\"ignored_keyrings\":[],"
		 "\"log_hash_alg\":\"sha1\",\"dm_policy\":null},\"ima-buf\":{},"
		 "\"verification-keys\":\"\"}");
	assert_int_equal(imactl_runtime_policy_parse(ctx, buf, strlen(buf), "p", &pol), 0);
	assert_int_equal(imactl_hash_buf(ctx, buf, strlen(buf), IMACTL_HASH_SHA256, &want), 0);
	assert_int_equal(imactl_runtime_policy_digest(pol, &got), 0);
	assert_int_equal(got.algo, IMACTL_HASH_SHA256);
	assert_int_equal(got.len, 32);
	assert_memory_equal(got.bytes, want.bytes, 32);
	/* the same policy with other bytes (trailing white space): another digest */
	strcat(buf, ws);
	assert_int_equal(imactl_runtime_policy_parse(ctx, buf, strlen(buf), "p", &pol2), 0);
	assert_int_equal(imactl_runtime_policy_digest(pol2, &other), 0);
	assert_memory_not_equal(other.bytes, got.bytes, 32);
	assert_int_equal(imactl_runtime_policy_digest(NULL, &got), -EINVAL);
	imactl_runtime_policy_free(pol);
	imactl_runtime_policy_free(pol2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_list_verdicts),
		cmocka_unit_test(excludes),
		cmocka_unit_test(malformed),
		cmocka_unit_test(many_paths),
		cmocka_unit_test(digest_of_what_was_parsed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
