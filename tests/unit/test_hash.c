// SPDX-License-Identifier: GPL-2.0-or-later
/* Known-answer tests of the digests, streamed and in memory. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name;
	int id;
	const char *abc; /* digest of "abc" (FIPS 180 / GB/T 32905 examples) */
} kat[] = {
	{ "sha1", IMACTL_HASH_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ "sha224", IMACTL_HASH_SHA224,
	  "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
	{ "sha256", IMACTL_HASH_SHA256,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "sha384", IMACTL_HASH_SHA384,
	  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca1"
	  "34c825a7" },
	{ "sha512", IMACTL_HASH_SHA512,
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23"
	  "a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	{ "sm3", IMACTL_HASH_SM3,
	  "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" },
};

static void names_and_sizes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		assert_int_equal(imactl_hash_algo_by_name(kat[i].name), kat[i].id);
		assert_string_equal(imactl_hash_algo_name(kat[i].id), kat[i].name);
		assert_int_equal(imactl_hash_algo_size(kat[i].id), strlen(kat[i].abc) / 2);
	}
	/* the kernel's enum hash_algo values */
	assert_int_equal(IMACTL_HASH_SHA1, 2);
	assert_int_equal(IMACTL_HASH_SHA256, 4);
	assert_int_equal(IMACTL_HASH_SHA384, 5);
	assert_int_equal(IMACTL_HASH_SHA512, 6);
	assert_int_equal(IMACTL_HASH_SHA224, 7);
	assert_int_equal(IMACTL_HASH_SM3, 17);
	assert_int_equal(imactl_hash_algo_by_name("sm3-256"), IMACTL_HASH_SM3);
	assert_int_equal(imactl_hash_algo_by_name("md4"), -EINVAL);
	assert_int_equal(imactl_hash_algo_by_name("SHA256"), -EINVAL);
	assert_int_equal(imactl_hash_algo_by_name(""), -EINVAL);
	assert_int_equal(imactl_hash_algo_by_name(NULL), -EINVAL);
	assert_null(imactl_hash_algo_name(0));
	assert_null(imactl_hash_algo_name(3));
	assert_int_equal(imactl_hash_algo_size(99), -EINVAL);
}

static void known_answers(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_digest d;
	uint8_t want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		size_t n = hex2bin(kat[i].abc, want, sizeof(want));

		assert_int_equal(imactl_hash_buf(ctx, "abc", 3, kat[i].id, &d), 0);
		assert_int_equal(d.algo, kat[i].id);
		assert_int_equal(d.len, n);
		assert_memory_equal(d.bytes, want, n);
	}
	assert_int_equal(imactl_hash_buf(ctx, "abc", 3, 99, &d), -EINVAL);
	imactl_ctx_free(ctx);
}

/* A file larger than the read chunk, with an odd tail, hashed through its fd. */
static void streamed_file(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	size_t len = 3 * 256 * 1024 + 13;
	uint8_t *buf = malloc(len);
	struct imactl_digest a, b;
	char path[4200];
	int fd;

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 9));
	snprintf(path, sizeof(path), "%s/stream", test_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(imactl_hash_fd(ctx, fd, IMACTL_HASH_SHA512, &a), 0);
	assert_int_equal(imactl_hash_buf(ctx, buf, len, IMACTL_HASH_SHA512, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	close(fd);

	/* an fd that cannot be read gives its errno, not a digest */
	fd = open(test_tmpdir(), O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(imactl_hash_fd(ctx, fd, IMACTL_HASH_SHA256, &a), -EISDIR);
	close(fd);
	assert_int_equal(imactl_hash_fd(ctx, -1, IMACTL_HASH_SHA256, &a), -EBADF);
	unlink(path);
	free(buf);
	imactl_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_sizes),
		cmocka_unit_test(known_answers),
		cmocka_unit_test(streamed_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
