// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parts of evm-key's PCR sealing that need no TPM (lib/evmkey.c): the
 * PCR list, the PCR file written next to the blobs and read back, every
 * wrong PCR file refused before the keyring or the TPM is touched, the
 * parameters, and the X.509-only write to <securityfs>/evm.  What reaches
 * the TPM and the kernel runs in tests/vm/vm_hmac_pcr.sh.
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

static struct imactl_ctx *ctx; /* one for every test (main) */

static void put(const char *dir, const char *name, const char *text)
{
	FILE *f = fopen(test_path_in(dir, name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *dir, const char *name)
{
	static char buf[128];
	FILE *f = fopen(test_path_in(dir, name), "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static const char *new_dir(const char *name)
{
	static char dir[4000];

	snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), name);
	assert_int_equal(mkdir(dir, 0700), 0);
	return dir;
}

static void pcr_lists(void **state)
{
	static const char *bad[] = { "",   ",",	  "12,", ",12", "12,,13", "24",	   "99",  "-1",
				     "+1", " 12", "12 ", "1a",	"0x1",	  "12,12", "0012" };
	uint64_t m = 7;

	(void)state;
	assert_int_equal(imactl_evmkey_parse_pcrs("12", &m), 0);
	assert_int_equal(m, 1ull << 12);
	assert_int_equal(imactl_evmkey_parse_pcrs("0,7,12,23", &m), 0);
	assert_int_equal(m, (1ull << 0) | (1ull << 7) | (1ull << 12) | (1ull << 23));
	assert_int_equal(imactl_evmkey_parse_pcrs("14,4", &m), 0);
	assert_int_equal(m, (1ull << 14) | (1ull << 4));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = 7;
		if (imactl_evmkey_parse_pcrs(bad[i], &m) != -EINVAL)
			fail_msg("'%s' was accepted as a PCR list", bad[i]);
		assert_int_equal(m, 0);
	}
	assert_int_equal(imactl_evmkey_parse_pcrs(NULL, &m), -EINVAL);
}

/* what create writes, imactl_pcrs_read_file() (what load reads) reads back */
static void pcr_file_round_trip(void **state)
{
	struct imactl_pcr_bank b = { .algo = IMACTL_HASH_SHA256 }, back;
	const char *dir = new_dir("round");
	char text[EVMKEY_PCR_TEXT_MAX], small[100];
	int n;

	(void)state;
	b.known = (1u << 0) | (1u << 12) | (1u << 23);
	for (unsigned int i = 0; i < IMACTL_SHA256_SIZE; i++) {
		b.pcr[0][i] = (uint8_t)i;
		b.pcr[12][i] = (uint8_t)(0xa0 + i);
		b.pcr[23][i] = 0xff;
	}
	n = evmkey_pcrs_format(&b, text, sizeof(text));
	assert_true(n > 0);
	assert_int_equal((size_t)n, strlen(text));
	assert_non_null(strstr(text, "\nPCR-12: a0a1a2a3"));
	assert_non_null(strstr(text, "\nPCR-00: 00010203"));
	put(dir, IMACTL_EVMKEY_PCR_FILE, text);
	assert_int_equal(imactl_pcrs_read_file(ctx, test_path_in(dir, IMACTL_EVMKEY_PCR_FILE),
					       IMACTL_HASH_SHA256, &back),
			 0);
	assert_int_equal(back.known, b.known);
	assert_memory_equal(back.pcr[0], b.pcr[0], IMACTL_SHA256_SIZE);
	assert_memory_equal(back.pcr[12], b.pcr[12], IMACTL_SHA256_SIZE);
	assert_memory_equal(back.pcr[23], b.pcr[23], IMACTL_SHA256_SIZE);
	/* too small a buffer: -ENOSPC, never a cut line */
	assert_int_equal(evmkey_pcrs_format(&b, small, sizeof(small)), -ENOSPC);
	assert_int_equal(evmkey_pcrs_format(&b, small, 20), -ENOSPC);
}

/* load: a wrong PCR file is refused, named, before any key is added */
static void load_refuses_bad_pcr_files(void **state)
{
	static const struct {
		const char *text, *log;
	} cases[] = {
		{ "# no PCR line\n", "no \"PCR-NN: HEX\" line" },
		{ "PCR-12: 00\n", "malformed line for bank sha256: PCR-12: 00" },
		{ "PCR-24: "
		  "0000000000000000000000000000000000000000000000000000000000000000\n",
		  "malformed line for bank sha256" },
		{ "PCR-12: "
		  "000000000000000000000000000000000000000000000000000000000000000g\n",
		  "malformed line for bank sha256" },
	};
	struct imactl_evmkey_params p = { 0 };
	const char *dir = new_dir("load");
	char big[EVMKEY_PCR_TEXT_MAX + 2];

	(void)state;
	put(dir, IMACTL_EVMKEY_KMK_BLOB, "00ab\n");
	put(dir, IMACTL_EVMKEY_EVM_BLOB, "default trusted:kmk 32 00ff\n");
	p.blob_dir = dir;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put(dir, IMACTL_EVMKEY_PCR_FILE, cases[i].text);
		last_log[0] = 0;
		assert_int_equal(imactl_evmkey_load(ctx, &p), -EBADMSG);
		if (!strstr(last_log, IMACTL_EVMKEY_PCR_FILE) || !strstr(last_log, cases[i].log))
			fail_msg("case %zu: log '%s'", i, last_log);
	}
	/* larger than any PCR file */
	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	put(dir, IMACTL_EVMKEY_PCR_FILE, big);
	assert_int_equal(imactl_evmkey_load(ctx, &p), -EBADMSG);
	assert_non_null(strstr(last_log, "not a PCR file"));
	/* not followed: a link, nor read: a directory */
	unlink(test_path_in(dir, IMACTL_EVMKEY_PCR_FILE));
	put(dir, "elsewhere",
	    "PCR-12: "
	    "0000000000000000000000000000000000000000000000000000000000000000\n");
	assert_int_equal(symlink("elsewhere", test_path_in(dir, IMACTL_EVMKEY_PCR_FILE)), 0);
	assert_int_equal(imactl_evmkey_load(ctx, &p), -EBADMSG);
	assert_non_null(strstr(last_log, "not a PCR file"));
	unlink(test_path_in(dir, IMACTL_EVMKEY_PCR_FILE));
	assert_int_equal(mkdir(test_path_in(dir, IMACTL_EVMKEY_PCR_FILE), 0700), 0);
	assert_int_equal(imactl_evmkey_load(ctx, &p), -EBADMSG);
	/* load takes no PCR list: the file says */
	rmdir(test_path_in(dir, IMACTL_EVMKEY_PCR_FILE));
	p.pcrs = 1u << 12;
	assert_int_equal(imactl_evmkey_load(ctx, &p), -EINVAL);
}

static void create_parameters(void **state)
{
	struct imactl_evmkey_params p = { 0 };
	const char *dir = new_dir("create");

	(void)state;
	p.blob_dir = dir;
	/* PCR 24 and above do not exist */
	p.pcrs = 1ull << 24;
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -EINVAL);
	/* a PCR file of an earlier key is not replaced without IMACTL_EVMKEY_REPLACE */
	put(dir, IMACTL_EVMKEY_PCR_FILE, "PCR-12: 00\n");
	p.pcrs = 1u << 12;
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -EEXIST);
	assert_non_null(strstr(last_log, IMACTL_EVMKEY_PCR_FILE " exists"));
	p.pcrs = 0;
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -EEXIST);
	unlink(test_path_in(dir, IMACTL_EVMKEY_PCR_FILE));
	/* no TPM here (or no libtss2): refused before any key, nothing stored */
	if (access("/dev/tpm0", F_OK) == 0)
		return; /* a real TPM: not touched by a unit test */
	p.pcrs = 1u << 12;
	last_log[0] = 0;
#if IMACTL_HAVE_TPM2
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -ENODEV);
	assert_non_null(strstr(last_log, "/dev/tpm0: no TPM 2.0 device"));
#else
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -EOPNOTSUPP);
	assert_non_null(strstr(last_log, "built without libtss2"));
#endif
	assert_int_equal(test_count_entries(dir), 0);
}

static void x509_only(void **state)
{
	const char *dir = new_dir("sfs");

	(void)state;
	put(dir, "evm", "0");
	assert_int_equal(imactl_evmkey_enable_x509_only(ctx, dir), 0);
	/* X.509 and EVM_SETUP_COMPLETE, in one write */
	assert_string_equal(get(dir, "evm"), "2147483650");
	/* an HMAC key already there: nothing written */
	put(dir, "evm", "3");
	assert_int_equal(imactl_evmkey_enable_x509_only(ctx, dir), -EALREADY);
	assert_string_equal(get(dir, "evm"), "3");
	unlink(test_path_in(dir, "evm"));
	assert_int_equal(imactl_evmkey_enable_x509_only(ctx, dir), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pcr_lists),
		cmocka_unit_test(pcr_file_round_trip),
		cmocka_unit_test(load_refuses_bad_pcr_files),
		cmocka_unit_test(create_parameters),
		cmocka_unit_test(x509_only),
	};

	int ret;

	ctx = test_ctx();
	assert_non_null(ctx);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	imactl_ctx_free(ctx);
	return ret;
}
