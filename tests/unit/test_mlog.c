// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The measurement-list reader and verifier: known answers from real kernels,
 * exact error codes for bad parameters and malformed entries, PCR replay.
 */
#include "testutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The list of entries real kernels logged: testutil.c. */

static const int banks[] = { IMACTL_HASH_SHA1, IMACTL_HASH_SHA256 };

/* ima-modsig: d-modsig is decoded apart from d-ng; sig may be empty. */
static void modsig_fields(void **state)
{
	char line[512], d1[65], d2[129];
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e = NULL;
	const char *why = NULL;

	(void)state;
	memset(d1, 'a', 64);
	d1[64] = 0;
	memset(d2, 'b', 128);
	d2[128] = 0;
	snprintf(line, sizeof(line), "10 %s ima-modsig sha256:%s /m.ko  sha512:%s 3082\n",
		 "1111111111111111111111111111111111111111", d1, d2);
	assert_int_equal(imactl_mlog_open_mem(NULL, line, strlen(line), 0, 0, &ml), 0);
	assert_int_equal(imactl_mlog_next(ml, &e, &why), 0);
	assert_non_null(e);
	assert_int_equal(e->digest_algo, IMACTL_HASH_SHA256);
	assert_int_equal(e->digest_len, 32);
	assert_int_equal(e->digest[0], 0xaa);
	assert_int_equal(e->modsig_digest_algo, IMACTL_HASH_SHA512);
	assert_int_equal(e->modsig_digest_len, 64);
	assert_int_equal(e->modsig_digest[63], 0xbb);
	assert_null(e->sig);
	assert_int_equal(e->modsig_len, 2);
	assert_int_equal(e->modsig[0], 0x30);
	imactl_mlog_free(ml);

	/* a d-modsig whose length is not its algorithm's */
	snprintf(line, sizeof(line), "10 %s ima-modsig sha256:%s /m.ko  sha256:abcd 3082\n",
		 "1111111111111111111111111111111111111111", d1);
	assert_int_equal(imactl_mlog_open_mem(NULL, line, strlen(line), 0, 0, &ml), 0);
	assert_int_equal(imactl_mlog_next(ml, &e, &why), -EBADMSG);
	assert_non_null(why);
	imactl_mlog_free(ml);
}

/* Reads @len bytes of @buf; returns the number of entries whose template hash
 * checked, -errno of the reader, or -1000 - n when entry n failed. */
static int verify_all(const char *buf, size_t len, int format, unsigned int flags,
		      struct imactl_mlog_summary *sum)
{
	struct imactl_mlog_verify_params p = { .banks = banks, .nbanks = 2 };
	struct imactl_mlog_verifier *v = NULL;
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	const char *why = NULL;
	int n = 0, ret;

	assert_int_equal(imactl_mlog_open_mem(NULL, buf, len, format, flags, &ml), 0);
	assert_int_equal(imactl_mlog_verifier_new(NULL, &p, &v), 0);
	while ((ret = imactl_mlog_next(ml, &e, &why)) == 0 && e) {
		struct imactl_mlog_entry_result r;

		assert_int_equal(imactl_mlog_verifier_add(v, e, &r), 0);
		if (r.status) {
			ret = -1000 - (int)e->number;
			break;
		}
		n++;
	}
	if (ret < 0 && ret > -1000)
		assert_non_null(why);
	if (sum)
		imactl_mlog_verifier_summary(v, sum);
	imactl_mlog_verifier_free(v);
	imactl_mlog_free(ml);
	return ret < 0 ? ret : n;
}

static void real_kernel_entries(void **state)
{
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	char *copy;

	(void)state;
	assert_int_equal(
		verify_all(test_real_kernel_list, strlen(test_real_kernel_list), 0, 0, NULL), 7);
	/* decoded fields */
	assert_int_equal(imactl_mlog_open_mem(NULL, test_real_kernel_list,
					      strlen(test_real_kernel_list), 0, 0, &ml),
			 0);
	assert_int_equal(imactl_mlog_next(ml, &e, NULL), 0);
	assert_int_equal(imactl_mlog_format(ml), IMACTL_MLOG_FORMAT_ASCII);
	assert_string_equal(e->template_name, "ima-sig");
	assert_string_equal(e->path, "/usr/bin/dd");
	assert_int_equal(e->digest_algo, IMACTL_HASH_SHA256);
	assert_int_equal(e->digest_len, 32);
	assert_int_equal(e->sig_len, 9 + 256);
	assert_int_equal(e->sig[0], 0x03);
	assert_int_equal(e->number, 1);
	assert_int_equal(imactl_mlog_next(ml, &e, NULL), 0);
	assert_int_equal(imactl_mlog_next(ml, &e, NULL), 0);
	assert_null(e->sig); /* empty signature field */
	assert_int_equal(imactl_mlog_next(ml, &e, NULL), 0);
	assert_string_equal(e->path, "device_resume");
	assert_int_equal(e->buf_len, 206);
	assert_int_equal(imactl_mlog_next(ml, &e, NULL), 0);
	assert_string_equal(e->template_name, "ima");
	assert_int_equal(e->digest_algo, IMACTL_HASH_SHA1);
	assert_string_equal(e->path, "/usr/bin/kmod");
	assert_int_equal(e->template_data_len, 20 + 256);
	imactl_mlog_free(ml);

	/* one changed character of the path fails that entry's template hash */
	copy = strdup(test_real_kernel_list);
	*strstr(copy, "/usr/bin/kmod") = '_';
	assert_int_equal(verify_all(copy, strlen(copy), 0, 0, NULL), -1005);
	free(copy);
}

static void bad_parameters(void **state)
{
	struct imactl_mlog_verify_params p = { .banks = banks, .nbanks = 2 };
	static const int md5[] = { IMACTL_HASH_MD5 }, twice[] = { 2, 2 };
	struct imactl_mlog_verifier *v = NULL;
	struct imactl_mlog *ml = NULL;
	struct imactl_pcr_bank pb = { .algo = IMACTL_HASH_SHA224 };

	(void)state;
	assert_int_equal(imactl_mlog_open_mem(NULL, NULL, 1, 0, 0, &ml), -EINVAL);
	assert_int_equal(imactl_mlog_open_mem(NULL, "x", 1, 7, 0, &ml), -EINVAL);
	assert_int_equal(imactl_mlog_open_mem(NULL, "x", 1, 0,
					      IMACTL_MLOG_BIG_ENDIAN | IMACTL_MLOG_LITTLE_ENDIAN,
					      &ml),
			 -EINVAL);
	assert_int_equal(imactl_mlog_open_fd(NULL, -1, 0, 0, &ml), -EINVAL);
	p.nbanks = 0;
	assert_int_equal(imactl_mlog_verifier_new(NULL, &p, &v), -EINVAL);
	p.banks = md5;
	p.nbanks = 1;
	assert_int_equal(imactl_mlog_verifier_new(NULL, &p, &v), -EINVAL);
	p.banks = twice;
	p.nbanks = 2;
	assert_int_equal(imactl_mlog_verifier_new(NULL, &p, &v), -EINVAL);
	p.banks = banks;
	p.flags = 1u << 9;
	assert_int_equal(imactl_mlog_verifier_new(NULL, &p, &v), -EINVAL);
	p.flags = 0;
	p.target_bits = 16;
	assert_int_equal(imactl_mlog_verifier_new(NULL, &p, &v), -EINVAL);
	p.target_bits = 32;
	assert_int_equal(imactl_mlog_verifier_new(NULL, &p, &v), 0);
	imactl_mlog_verifier_free(v);
	p.target_bits = 0;
	assert_int_equal(imactl_mlog_verifier_new(NULL, &p, &v), 0);
	assert_int_equal(imactl_mlog_verifier_set_pcrs(v, &pb), -EINVAL);
	assert_int_equal(imactl_mlog_verifier_save(v, &(char *){ NULL }), -EINVAL);
	assert_int_equal(imactl_mlog_verifier_resume(v, "x"), -EINVAL);
	assert_int_equal(imactl_mlog_verifier_track_bytes(v), 0);
	assert_int_equal(imactl_mlog_verifier_resume(v, "imactl-mlog-state 1\nentries x\n"),
			 -EBADMSG);
	imactl_mlog_verifier_free(v);
	imactl_mlog_free(NULL);
	imactl_mlog_verifier_free(NULL);
}

/* binary entry: pcr, hash, name, data (little-endian) */
static size_t entry(uint8_t *out, uint32_t pcr, const char *name, uint32_t name_len,
		    const uint8_t *data, uint32_t data_len, uint32_t claimed_len)
{
	size_t n = 0;

	memcpy(out, &pcr, 4);
	memset(out + 4, 0x11, 20);
	memcpy(out + 24, &name_len, 4);
	n = 28;
	memcpy(out + n, name, strlen(name));
	n += strlen(name);
	memcpy(out + n, &claimed_len, 4);
	n += 4;
	memcpy(out + n, data, data_len);
	return n + data_len;
}

static void malformed(void **state)
{
	uint8_t buf[512], data[64];
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	const char *why;
	size_t n;
	uint32_t l;

	(void)state;
	memset(data, 0, sizeof(data));
	/* name_len huge, data_len beyond the buffer, field beyond the data, PCR 24 */
	n = entry(buf, 10, "ima-ng", 0xffffffffu, data, 0, 0);
	assert_int_equal(verify_all((char *)buf, n, IMACTL_MLOG_FORMAT_BINARY, 0, NULL), -EBADMSG);
	n = entry(buf, 10, "ima-ng", 6, data, 10, 0x10000000u);
	assert_int_equal(verify_all((char *)buf, n, IMACTL_MLOG_FORMAT_BINARY, 0, NULL), -EBADMSG);
	l = 4000;
	memcpy(data, &l, 4);
	n = entry(buf, 10, "ima-ng", 6, data, 8, 8);
	assert_int_equal(verify_all((char *)buf, n, IMACTL_MLOG_FORMAT_BINARY, 0, NULL), -EBADMSG);
	n = entry(buf, 24, "ima-ng", 6, data, 0, 0);
	assert_int_equal(verify_all((char *)buf, n, IMACTL_MLOG_FORMAT_BINARY, 0, NULL), -EBADMSG);
	/* every truncation of a good entry is an error, never an entry */
	memset(data, 0, sizeof(data));
	n = entry(buf, 10, "ima-ng", 6, data, 16, 16);
	for (size_t cut = 1; cut < n; cut++)
		assert_int_equal(verify_all((char *)buf, cut, IMACTL_MLOG_FORMAT_BINARY, 0, NULL),
				 -EBADMSG);
	/* the reason names the problem */
	n = entry(buf, 10, "ima-ng", 0, data, 0, 0);
	assert_int_equal(imactl_mlog_open_mem(NULL, buf, n, IMACTL_MLOG_FORMAT_BINARY, 0, &ml), 0);
	assert_int_equal(imactl_mlog_next(ml, &e, &why), -EBADMSG);
	assert_null(e);
	assert_string_equal(why, "template name length is 0 or over 255");
	/* and the reader stays failed */
	assert_int_equal(imactl_mlog_next(ml, &e, &why), -EBADMSG);
	imactl_mlog_free(ml);
	/* ascii: non-hex, missing newline, missing fields */
	assert_int_equal(verify_all("10 zz ima-ng sha1:00 x\n", 23, 0, 0, NULL), -EBADMSG);
	assert_int_equal(
		verify_all(test_real_kernel_list, strlen(test_real_kernel_list) - 1, 0, 0, NULL),
		-EBADMSG);
	assert_int_equal(
		verify_all("10 7936eb315fb4e74b99e7d461bc5c96049e1ee092 ima-ng\n", 51, 0, 0, NULL),
		-EBADMSG);
	/* empty list: no entry, no error */
	assert_int_equal(verify_all("", 0, 0, 0, NULL), 0);
}

/* ascii: the ima-ng data of @name, its sha1 template hash as hex, and the line */
static void ascii_entry(const char *tmpl, const char *name, bool sig, char *line, size_t size)
{
	uint8_t data[512];
	uint32_t n;
	size_t len = 0;
	struct imactl_digest d;
	char hex[41];

	n = 7 + 1 + 32;
	memcpy(data, &n, 4);
	memcpy(data + 4, "sha256:", 8);
	memset(data + 12, 0xab, 32);
	len = 44;
	n = strlen(name) + 1;
	memcpy(data + len, &n, 4);
	memcpy(data + len + 4, name, n);
	len += 4 + n;
	if (sig) {
		n = 0;
		memcpy(data + len, &n, 4);
		len += 4;
	}
	assert_int_equal(imactl_hash_buf(NULL, data, len, IMACTL_HASH_SHA1, &d), 0);
	for (int i = 0; i < 20; i++)
		sprintf(hex + 2 * i, "%02x", d.bytes[i]);
	snprintf(line, size, "10 %s %s sha256:%s %s%s\n", hex, tmpl,
		 "abababababababababababababababababababababababababababababababab", name,
		 sig ? " " : "");
}

/* A file name with 16 or more spaces (the kernel writes names as they are)
 * stays one field: the fields before it from the left, after it from the right. */
static void spaces_in_names(void **state)
{
	static const char *names[] = {
		"/a                    b c", /* 20 spaces, then more */
		"/x ",			     /* trailing space before an empty sig */
		"                                ",
	};
	char line[600], all[2000] = "";
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;

	(void)state;
	for (size_t i = 0; i < (sizeof(names) / sizeof(names[0])); i++) {
		ascii_entry("ima-ng", names[i], false, line, sizeof(line));
		strcat(all, line);
		ascii_entry("ima-sig", names[i], true, line, sizeof(line));
		strcat(all, line);
	}
	assert_int_equal(verify_all(all, strlen(all), 0, 0, NULL),
			 2 * (sizeof(names) / sizeof(names[0])));
	assert_int_equal(imactl_mlog_open_mem(NULL, all, strlen(all), 0, 0, &ml), 0);
	for (size_t i = 0; i < 2 * (sizeof(names) / sizeof(names[0])); i++) {
		assert_int_equal(imactl_mlog_next(ml, &e, NULL), 0);
		assert_string_equal(e->path, names[i / 2]);
		assert_int_equal(e->digest[31], 0xab);
	}
	imactl_mlog_free(ml);
}

/* The ascii line limit of the descriptor reader is the entry limit, 1 MiB,
 * and the message says so. */
static void long_ascii_line(void **state)
{
	size_t n = IMACTL_MLOG_MAX_ENTRY + 16;
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	const char *why = NULL;
	char *line = malloc(n);
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(line);
	assert_non_null(f);
	memcpy(line, "10 ", 3);
	memset(line + 3, 'a', n - 4);
	line[n - 1] = '\n';
	assert_int_equal(fwrite(line, 1, n, f), n);
	assert_int_equal(fflush(f), 0);
	rewind(f);
	assert_int_equal(imactl_mlog_open_fd(NULL, fileno(f), IMACTL_MLOG_FORMAT_ASCII, 0, &ml), 0);
	assert_int_equal(imactl_mlog_next(ml, &e, &why), -EBADMSG);
	assert_string_equal(why, "line longer than the 1 MiB limit");
	imactl_mlog_free(ml);
	fclose(f);
	free(line);
}

static void replay_and_violation(void **state)
{
	/* a violation: zero template hash, extends 0xff.. in every bank */
	static const char viol[] = "10 0000000000000000000000000000000000000000 ima-ng "
				   "sha256:0000000000000000000000000000000000000000 /tmp/x\n";
	struct imactl_mlog_summary sum;
	struct imactl_digest d;
	uint8_t in[20 + 20];

	(void)state;
	assert_int_equal(verify_all(viol, strlen(viol), 0, 0, &sum), -1001);
	assert_int_equal(sum.violations, 1);
	/* sha1 bank: PCR = SHA1(0^20 || ff^20) */
	memset(in, 0, 20);
	memset(in + 20, 0xff, 20);
	assert_int_equal(imactl_hash_buf(NULL, in, 40, IMACTL_HASH_SHA1, &d), 0);
	assert_int_equal(sum.npcrs, 2);
	assert_int_equal(sum.pcrs[0].algo, IMACTL_HASH_SHA1);
	assert_int_equal(sum.pcrs[0].pcr, 10);
	assert_memory_equal(sum.pcrs[0].replayed, d.bytes, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_kernel_entries),	cmocka_unit_test(bad_parameters),
		cmocka_unit_test(modsig_fields),	cmocka_unit_test(malformed),
		cmocka_unit_test(replay_and_violation), cmocka_unit_test(spaces_in_names),
		cmocka_unit_test(long_ascii_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
