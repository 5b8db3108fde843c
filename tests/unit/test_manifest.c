// SPDX-License-Identifier: GPL-2.0-or-later
/* Manifest lines: path escaping round trips every byte; malformed lines fail. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint8_t ima[] = { 0x04, 0x04, 0xde, 0xad };
static uint8_t evm[] = { 0x05, 0x02, 0x00 };

static void known_answer(void **state)
{
	struct imactl_signed_values v = { .ima = ima, .ima_len = sizeof(ima) };
	char *line = NULL;

	(void)state;
	assert_int_equal(imactl_manifest_format("/usr/bin/a b\\c\n\xff\x7f\xc3\xa9", &v, &line), 0);
	assert_string_equal(line, "/usr/bin/a\\040b\\134c\\012\\377\\177\xc3\xa9 ima:0x0404dead\n");
	free(line);
	v.evm = evm;
	v.evm_len = sizeof(evm);
	assert_int_equal(imactl_manifest_format("/x", &v, &line), 0);
	assert_string_equal(line, "/x ima:0x0404dead evm:0x050200\n");
	free(line);
}

/* JSON: UTF-8 kept, '"' '\\' control bytes escaped, other bytes as \udcXX. */
static void json_escape(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(imactl_json_escape("/caf\xc3\xa9 \"q\"\\\n\t\x7f", &out), 0);
	assert_string_equal(out, "\"/caf\xc3\xa9 \\\"q\\\"\\\\\\u000a\\u0009\\u007f\"");
	imactl_free(out);
	/* invalid: lone byte, truncated, overlong, surrogate, beyond U+10FFFF */
	assert_int_equal(imactl_json_escape("\xff\xc3/\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80", &out),
			 0);
	assert_string_equal(out, "\"\\udcff\\udcc3/\\udcc0\\udcaf\\udced\\udca0\\udc80\\udcf4"
				 "\\udc90\\udc80\\udc80\"");
	imactl_free(out);
	assert_int_equal(imactl_json_escape("", &out), 0);
	assert_string_equal(out, "\"\"");
	imactl_free(out);
	assert_int_equal(imactl_json_escape(NULL, &out), -EINVAL);
	assert_int_equal(imactl_utf8_check("/caf\xc3\xa9\xf0\x9f\x98\x80"), 0);
	assert_int_equal(imactl_utf8_check("/bad\xff"), -EILSEQ);
	assert_int_equal(imactl_utf8_check("/\xc0\xaf"), -EILSEQ);
	assert_int_equal(imactl_utf8_check(NULL), -EINVAL);
}

/* Every byte 1..255 in a path, and invalid UTF-8 sequences, survive. */
static void roundtrip_all_bytes(void **state)
{
	static const char *const odd[] = {
		"/\xc3",	     /* truncated */
		"/\xc0\xaf",	     /* overlong '/' */
		"/\xed\xa0\x80",     /* surrogate */
		"/\xf4\x90\x80\x80", /* beyond U+10FFFF */
		"/\xe2\x82\xac\xe2", /* valid euro sign, then a truncated one */
		"/\\012",	     /* a literal backslash sequence */
	};
	struct imactl_signed_values v = {
		.ima = ima, .ima_len = sizeof(ima), .evm = evm, .evm_len = sizeof(evm)
	};
	struct imactl_signed_values out = { 0 };
	char path[300], *line = NULL, *back = NULL;

	(void)state;
	path[0] = '/';
	for (int i = 1; i < 256; i++)
		path[i] = (char)i;
	path[256] = '\0';
	for (size_t t = 0; t <= sizeof(odd) / sizeof(odd[0]); t++) {
		const char *p = t ? odd[t - 1] : path;

		assert_int_equal(imactl_manifest_format(p, &v, &line), 0);
		/* one line: the path's bytes never end it or split its fields */
		assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
		assert_ptr_equal(strchr(line, ' '), strstr(line, " ima:0x"));
		assert_int_equal(imactl_manifest_parse(line, &back, &out), 0);
		assert_string_equal(back, p);
		assert_int_equal(out.ima_len, sizeof(ima));
		assert_memory_equal(out.ima, ima, sizeof(ima));
		assert_int_equal(out.evm_len, sizeof(evm));
		assert_memory_equal(out.evm, evm, sizeof(evm));
		free(line);
		free(back);
		imactl_signed_values_free(&out);
	}
}

static void malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"relative ima:0x04\n",
		"/x\n",
		"/x ima:0x\n",
		"/x ima:0x0\n", /* odd number of digits */
		"/x ima:0xzz\n",
		"/x ima:04\n",
		"/x evm:0x05\n",
		"/x ima:0x04 evm:0x\n",
		"/x ima:0x04 extra\n",
		"/x ima:0x04  evm:0x05\n",
		"/x ima:0x04\n\n",
		"/a\\40b ima:0x04\n", /* two-digit escape */
		"/a\\400 ima:0x04\n", /* beyond a byte */
		"/a\\000 ima:0x04\n", /* NUL */
		"/a\\x41 ima:0x04\n",
		"/a\\ ima:0x04\n",
		"/a\\01",
	};
	struct imactl_signed_values out = { 0 };
	char *path = (char *)0x1;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(imactl_manifest_parse(bad[i], &path, &out), -EBADMSG);
		assert_ptr_equal(path, (char *)0x1);
		assert_null(out.ima);
	}
	assert_int_equal(imactl_manifest_parse(NULL, &path, &out), -EINVAL);
}

static void format_rejects(void **state)
{
	struct imactl_signed_values v = { .ima = ima, .ima_len = sizeof(ima) };
	struct imactl_signed_values none = { 0 };
	char *line = (char *)0x1;

	(void)state;
	assert_int_equal(imactl_manifest_format("relative", &v, &line), -EINVAL);
	assert_int_equal(imactl_manifest_format("/x", &none, &line), -EINVAL);
	assert_int_equal(imactl_manifest_format(NULL, &v, &line), -EINVAL);
	assert_ptr_equal(line, (char *)0x1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_answer),	       cmocka_unit_test(json_escape),
		cmocka_unit_test(roundtrip_all_bytes), cmocka_unit_test(malformed),
		cmocka_unit_test(format_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
