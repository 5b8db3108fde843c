// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fs-verity file digests (what sigv3 signs): known answers made with
 * Debian's `fsverity digest` (fsverity-utils 1.5, default 4096-byte blocks,
 * no salt), every error path, and sigv3 signing/verifying files through
 * descriptors over that digest rather than over a hash of the content.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

/*
 * Byte i of a test file of n bytes is pattern(i).  To remake the answers:
 *   python3 -c 'import sys; n=int(sys.argv[1]); sys.stdout.buffer.write(
 *     bytes((((i*31+7)>>3)^i)&0xff for i in range(n)))' N > f
 *   fsverity digest [--hash-alg=sha512] f
 * Sizes: empty, one byte, around one block, 128 and 64 blocks (one full
 * Merkle tree block of sha256 / sha512 hashes) and one more (a second
 * level), and a size that is no multiple of anything.
 */
static uint8_t pattern(size_t i)
{
	return (uint8_t)((((i * 31 + 7) >> 3) ^ i) & 0xff);
}

static const struct {
	size_t size;
	const char *sha256, *sha512;
} kat[] = {
	{ 0, "3d248ca542a24fc62d1c43b916eae5016878e2533c88238480b26128a1f1af95",
	  "ccf9e5aea1c2a64efa2f2354a6024b90dffde6bbc017825045dce374474e13d10adb9dadcc6ca8e17a3c075f"
	  "bd31336e8f266ae6fa93a6c3bed66f9e784e5abf" },
	{ 1, "b803429503d95915829b29fdbc8bbad142f3abfd11b1cadf5526582e685c0551",
	  "9fcf5172b085b1c8f9365eecb37a1869e193a4705654a5829f11939cd01d5c0fd97276be8cd9d49f76cfc8dc"
	  "feb80f8128e3548a1de50b56912b9e3fc7bde27b" },
	{ 4095, "b52e3fa3dfb60e4a20a02c14811766e0611e2a1639409475f4a754df5f3e5061",
	  "ba6dc1c99baf49f165309298cd85bbb18c592f1c65938546434f05b06b6f1422f1108d2d6009d04d8b3aae85"
	  "c4941e894ef1b900cfd48217f8209c8e7be03b88" },
	{ 4096, "46b26f703eb72c5b5e29a60175abc0fe42ff6c8ec33982c354f160471390137c",
	  "aa057f12a0d209fa50207d7d844334ba1913ee304d495e156dd2594c8e30c9546ca9e7799e4ee1bad34781cf"
	  "261694f6c49516e01fd95f7a83d66c7b8ba37d41" },
	{ 4097, "67748440b9921616a5636b7a88e9ca2d88a2b3ba824e67b335376cb54df00bd7",
	  "5650963ea5bd38b0673ec637bc1ce2db8a8a14c87a790747990af6c9318e11d4ca1eab095337a3e78f8eb9f7"
	  "a44a7c66a9520ca13b5504950d5a56d0a0770e8b" },
	{ 64 * 4096 + 1, "06524dc5fed9199ddaf1e428c7d9eea9566ebb4785c2f37989598d352d18cf00",
	  "8a8ce6054b4e872f40db0d3246f9cee3548e36409d5c99dee4c556c43c92c3a92a468e22782a9486597edd0c"
	  "0de065a00ed59f4ccf9b27b52adf5966ad418302" },
	{ 128 * 4096, "598e17eb607aaf2b0c2da79d47cf949e1ddce9b8ea79fbbb26aa0d06169d1778",
	  "2b706396edda89407f86b48fd5723dbcfe33d70947583fe6faf6d91f9055c198b9f5f763e3096d0bcaadf381"
	  "4c240a4c45aeac5620f8ed17e9f081d03722d858" },
	{ 128 * 4096 + 1, "e9cebebf7655f5516ebb826c9740d598c49bfbde4561201575e6ada738bcd629",
	  "040e389da4ce51c3eaba3c3c40c9c04c3a5e56f40ca5e958c16e8b2c69b784428fa9303e8d3a7972e04e2ec7"
	  "c9df994995bd65caa0928aaacd84c6f9fad63658" },
	{ 1000000, "a89dc661944822803a578d0898cdde8c47041db04e218ab8d4bbcd06fc328640",
	  "7d52b1b5a95b4e3904ff1652d1c456a017d2f89980fd2ef73396304406bb5dd0e2b83fee5074df9b78959621"
	  "c1642280455afce2b98f0de6332c684de12584fd" },
};

/* a file of @size pattern bytes, open read-write at offset 0 */
static int make_file(size_t size, char *path, size_t path_size)
{
	uint8_t *buf = malloc(size ? size : 1);
	int fd;

	assert_non_null(buf);
	for (size_t i = 0; i < size; i++)
		buf[i] = pattern(i);
	snprintf(path, path_size, "%s/verity-%zu", test_tmpdir(), size);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	free(buf);
	return fd;
}

static void known_answers(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	char path[4200];

	(void)state;
	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		struct imactl_digest d;
		uint8_t want[64], want256[32];
		int fd = make_file(kat[i].size, path, sizeof(path));

		assert_int_equal(imactl_verity_digest_fd(ctx, fd, IMACTL_HASH_SHA256, &d), 0);
		assert_int_equal(d.algo, IMACTL_HASH_SHA256);
		assert_int_equal(d.len, 32);
		assert_int_equal(hex2bin(kat[i].sha256, want256, sizeof(want256)), 32);
		assert_memory_equal(d.bytes, want256, 32);
		assert_int_equal(imactl_verity_digest_fd(ctx, fd, IMACTL_HASH_SHA512, &d), 0);
		assert_int_equal(d.algo, IMACTL_HASH_SHA512);
		assert_int_equal(d.len, 64);
		assert_int_equal(hex2bin(kat[i].sha512, want, sizeof(want)), 64);
		assert_memory_equal(d.bytes, want, 64);
		/* pread(2): the file offset is left where it was */
		assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
		/* it is not a hash of the content */
		if (kat[i].size) {
			struct imactl_digest plain;

			assert_int_equal(imactl_hash_fd(ctx, fd, IMACTL_HASH_SHA256, &plain), 0);
			assert_memory_not_equal(plain.bytes, want256, 32);
		}
		close(fd);
		unlink(path);
	}
	imactl_ctx_free(ctx);
}

static void bad_parameters(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	const int refused[] = { IMACTL_HASH_SHA1,
				IMACTL_HASH_SHA224,
				IMACTL_HASH_SHA384,
				IMACTL_HASH_SM3,
				IMACTL_HASH_MD5,
				0,
				99 };
	struct imactl_digest d = { .algo = 77 };
	char path[4200];
	int fd = make_file(10, path, sizeof(path));

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		last_log[0] = 0;
		assert_int_equal(imactl_verity_digest_fd(ctx, fd, refused[i], &d), -EOPNOTSUPP);
		assert_non_null(strstr(last_log, "fs-verity digests are sha256 or sha512"));
	}
	assert_int_equal(d.algo, 77); /* untouched */
	assert_int_equal(imactl_verity_digest_fd(ctx, fd, IMACTL_HASH_SHA256, NULL), -EINVAL);
	close(fd);
	unlink(path);
	assert_int_equal(imactl_verity_digest_fd(ctx, -1, IMACTL_HASH_SHA256, &d), -EBADF);
	fd = open(test_tmpdir(), O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(imactl_verity_digest_fd(ctx, fd, IMACTL_HASH_SHA256, &d), -EINVAL);
	close(fd);
	/* write-only: pread(2) fails, and its errno comes back */
	fd = make_file(5000, path, sizeof(path));
	close(fd);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(imactl_verity_digest_fd(ctx, fd, IMACTL_HASH_SHA256, &d), -EBADF);
	assert_non_null(strstr(last_log, "read failed"));
	close(fd);
	unlink(path);
	assert_int_equal(d.algo, 77);
	imactl_ctx_free(ctx);
}

static struct imactl_ctx *signing_setup(struct imactl_key **key, struct imactl_keyring **kr,
					const char *name)
{
	struct imactl_ctx *ctx = test_ctx();
	char n[64];

	imactl_set_xattr_user(ctx, true);
	snprintf(n, sizeof(n), "%s.key", name);
	assert_int_equal(imactl_key_load(ctx, test_key_path(n), NULL, NULL, key), 0);
	assert_int_equal(imactl_keyring_new(ctx, kr), 0);
	snprintf(n, sizeof(n), "%s.pem", name);
	assert_int_equal(imactl_keyring_add_file(*kr, test_key_path(n)), 0);
	return ctx;
}

/*
 * imactl_sign_fd() with IMACTL_SIGN_SIGV3 signs H(0x06 || algo || fs-verity
 * digest), as the kernel's calc_file_id_hash() over fsverity_get_digest()
 * wants, and imactl_verify_fd() checks it against a recomputed fs-verity
 * digest.  A sigv3 over the plain content hash (what imactl wrote before)
 * is bad.
 */
static void sigv3_over_verity_digest(void **state)
{
	const char *keys[] = { "rsa2048", "ec256" };
	const int algos[] = { IMACTL_HASH_SHA256, IMACTL_HASH_SHA512 };

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		for (size_t a = 0; a < 2; a++) {
			struct imactl_sign_params p = { .hash_algo = algos[a],
							.ima = IMACTL_IMA_SIG,
							.target_bits = 64,
							.flags = IMACTL_SIGN_SIGV3 };
			struct imactl_signed_values vals = { 0 };
			struct imactl_verify_result r;
			struct imactl_digest verity, plain;
			struct imactl_keyring *kr = NULL;
			struct imactl_key *key = NULL;
			struct imactl_ctx *ctx = signing_setup(&key, &kr, keys[k]);
			uint8_t *old = NULL;
			size_t old_len = 0;
			char path[4200];
			int fd = make_file(4097, path, sizeof(path));

			assert_int_equal(imactl_sign_fd(ctx, fd, key, &p, &vals), 0);
			assert_int_equal(vals.ima[0], IMACTL_XATTR_IMA_VERITY_SIG);
			assert_int_equal(vals.ima[1], 3);
			assert_int_equal(vals.ima[2], algos[a]);
			assert_int_equal(
				imactl_verify_fd(ctx, fd, kr, IMACTL_VERIFY_REQUIRE_SIG, 64, &r),
				0);
			assert_int_equal(r.ima_type, IMACTL_XATTR_IMA_VERITY_SIG);
			assert_int_equal(r.ima_algo, algos[a]);

			/* the value is a signature over the fs-verity digest ... */
			assert_int_equal(imactl_verity_digest_fd(ctx, fd, algos[a], &verity), 0);
			assert_int_equal(imactl_verify_digest(ctx, kr, vals.ima, vals.ima_len,
							      &verity, NULL),
					 0);
			/* ... not over the hash of the content */
			assert_int_equal(imactl_hash_fd(ctx, fd, algos[a], &plain), 0);
			assert_int_equal(
				imactl_verify_digest(ctx, kr, vals.ima, vals.ima_len, &plain, NULL),
				-EBADMSG);

			/* a sigv3 made the old way (over the content hash) fails */
			assert_int_equal(imactl_sign_digest(ctx, key, IMACTL_XATTR_IMA_VERITY_SIG,
							    &plain, &old, &old_len),
					 0);
			assert_int_equal(fsetxattr(fd, "user.ima", old, old_len, 0), 0);
			assert_int_equal(imactl_verify_fd(ctx, fd, kr, 0, 64, &r), -EBADMSG);
			assert_string_equal(
				r.ima_reason,
				"signature does not match the content's fs-verity digest");

			/* one byte changed: the fs-verity digest differs */
			assert_int_equal(fsetxattr(fd, "user.ima", vals.ima, vals.ima_len, 0), 0);
			assert_int_equal(pwrite(fd, "X", 1, 4096), 1);
			assert_int_equal(imactl_verify_fd(ctx, fd, kr, 0, 64, &r), -EBADMSG);

			imactl_free(old);
			imactl_signed_values_free(&vals);
			close(fd);
			unlink(path);
			imactl_keyring_free(kr);
			imactl_key_free(key);
			imactl_ctx_free(ctx);
		}
	}
}

/* fs-verity has sha256 and sha512 only: sigv3 with anything else is refused */
static void sigv3_other_algorithms(void **state)
{
	struct imactl_keyring *kr = NULL;
	struct imactl_key *key = NULL;
	struct imactl_ctx *ctx = signing_setup(&key, &kr, "ec256");
	struct imactl_sign_params p = { .hash_algo = IMACTL_HASH_SHA384,
					.ima = IMACTL_IMA_SIG,
					.target_bits = 64,
					.flags = IMACTL_SIGN_SIGV3 };
	struct imactl_verify_result r;
	struct imactl_digest d;
	uint8_t *v = NULL;
	size_t len = 0;
	char path[4200];
	int fd = make_file(100, path, sizeof(path));

	(void)state;
	assert_int_equal(imactl_sign_fd(ctx, fd, key, &p, NULL), -EOPNOTSUPP);
	assert_non_null(strstr(last_log, "fs-verity digests are sha256 or sha512, not sha384"));
	assert_int_equal(fgetxattr(fd, "user.ima", NULL, 0), -1); /* nothing written */
	assert_int_equal(imactl_hash_buf(ctx, "x", 1, IMACTL_HASH_SHA1, &d), 0);
	assert_int_equal(imactl_sign_digest(ctx, key, IMACTL_XATTR_IMA_VERITY_SIG, &d, &v, &len),
			 -EOPNOTSUPP);
	assert_null(v);

	/* a sigv3 value naming sha1 (made by hand) cannot be an fs-verity signature */
	assert_int_equal(imactl_sign_digest(ctx, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
	v[0] = IMACTL_XATTR_IMA_VERITY_SIG;
	v[1] = 3;
	assert_int_equal(fsetxattr(fd, "user.ima", v, len, 0), 0);
	assert_int_equal(imactl_verify_fd(ctx, fd, kr, 0, 64, &r), -EBADMSG);
	assert_string_equal(r.ima_reason,
			    "sigv3 over an algorithm fs-verity does not have (sha256, sha512)");
	imactl_free(v);
	close(fd);
	unlink(path);
	imactl_keyring_free(kr);
	imactl_key_free(key);
	imactl_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_answers),
		cmocka_unit_test(bad_parameters),
		cmocka_unit_test(sigv3_over_verity_digest),
		cmocka_unit_test(sigv3_other_algorithms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
