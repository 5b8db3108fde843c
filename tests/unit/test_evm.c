// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The EVM portable digest input, rebuilt here byte by byte from the kernel's
 * definition (evm_calc_hmac_or_hash + hmac_add_misc), for 64- and 32-bit
 * targets; and signing/verifying files through descriptors.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

static int make_file(const char *name, const char *content, char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/%s", test_tmpdir(), name);
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0640);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	return fd;
}

static struct imactl_ctx *user_ctx(void)
{
	struct imactl_ctx *ctx = test_ctx();

	imactl_set_xattr_user(ctx, true);
	return ctx;
}

/* h_misc: {ulong ino=0; u32 gen=0; u32 uid; u32 gid; u16 mode; pad} */
static size_t expected_misc(const struct stat *st, int bits, uint8_t *out)
{
	size_t off = bits == 64 ? 12 : 8;
	uint32_t uid = st->st_uid, gid = st->st_gid;
	uint16_t mode = st->st_mode;

	memset(out, 0, 24);
	memcpy(out + off, &uid, 4);
	memcpy(out + off + 4, &gid, 4);
	memcpy(out + off + 8, &mode, 2);
	return bits == 64 ? 24 : 20;
}

static void evm_input_known_answer(void **state)
{
	struct imactl_ctx *ctx = user_ctx();
	const uint8_t ima[] = { 0x04, 0x04, 1,	2,  3,	4,  5,	6,  7,	8,  9,	10,
				11,   12,   13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
				23,   24,   25, 26, 27, 28, 29, 30, 31, 32 };
	const char selinux[] = "system_u:object_r:bin_t:s0";
	const uint8_t caps[] = { 1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	uint8_t input[512], misc[24];
	struct imactl_digest got, want;
	struct stat st;
	char path[4200];
	size_t n;
	int fd;

	(void)state;
	fd = make_file("evm", "content", path, sizeof(path));
	/* written in an order unlike the kernel's, to prove the order is fixed */
	assert_int_equal(fsetxattr(fd, "user.capability", caps, sizeof(caps), 0), 0);
	assert_int_equal(fsetxattr(fd, "user.ima", ima, sizeof(ima), 0), 0);
	assert_int_equal(fsetxattr(fd, "user.selinux", selinux, sizeof(selinux), 0), 0);
	assert_int_equal(fstat(fd, &st), 0);

	for (int bits = 64; bits >= 32; bits -= 32) {
		n = 0;
		memcpy(input + n, selinux, sizeof(selinux));
		n += sizeof(selinux);
		memcpy(input + n, ima, sizeof(ima));
		n += sizeof(ima);
		memcpy(input + n, caps, sizeof(caps));
		n += sizeof(caps);
		n += expected_misc(&st, bits, input + n);
		assert_int_equal(imactl_hash_buf(ctx, input, n, IMACTL_HASH_SHA256, &want), 0);
		assert_int_equal(
			imactl_evm_digest(ctx, fd, IMACTL_HASH_SHA256, bits, 0, NULL, 0, &got), 0);
		assert_memory_equal(&got, &want, sizeof(got));
		(void)misc;
	}

	/* the value about to be written replaces the stored security.ima */
	n = 0;
	memcpy(input + n, selinux, sizeof(selinux));
	n += sizeof(selinux);
	memcpy(input + n, "\x01\x02", 2);
	n += 2;
	memcpy(input + n, caps, sizeof(caps));
	n += sizeof(caps);
	n += expected_misc(&st, 64, input + n);
	assert_int_equal(imactl_hash_buf(ctx, input, n, IMACTL_HASH_SHA1, &want), 0);
	assert_int_equal(imactl_evm_digest(ctx, fd, IMACTL_HASH_SHA1, 64, 0,
					   (const uint8_t *)"\x01\x02", 2, &got),
			 0);
	assert_memory_equal(&got, &want, sizeof(got));

	/* portable signatures need security.ima */
	assert_int_equal(fremovexattr(fd, "user.ima"), 0);
	assert_int_equal(imactl_evm_digest(ctx, fd, IMACTL_HASH_SHA256, 64, 0, NULL, 0, &got),
			 -ENODATA);
	assert_int_equal(imactl_evm_digest(ctx, fd, IMACTL_HASH_SHA256, 16, 0, ima, 2, &got),
			 -EINVAL);
	close(fd);
	imactl_ctx_free(ctx);
}

static struct imactl_key *key_and_ring(struct imactl_ctx *ctx, const char *name,
				       struct imactl_keyring **kr)
{
	struct imactl_key *key = NULL;
	char n[64];

	snprintf(n, sizeof(n), "%s.key", name);
	assert_int_equal(imactl_key_load(ctx, test_key_path(n), NULL, NULL, &key), 0);
	assert_int_equal(imactl_keyring_new(ctx, kr), 0);
	snprintf(n, sizeof(n), "%s.pem", name);
	assert_int_equal(imactl_keyring_add_file(*kr, test_key_path(n)), 0);
	return key;
}

static void sign_and_verify_fd(void **state)
{
	struct imactl_ctx *ctx = user_ctx();
	struct imactl_keyring *kr = NULL;
	struct imactl_key *key = key_and_ring(ctx, "ec256", &kr);
	struct imactl_sign_params p = { .hash_algo = IMACTL_HASH_SHA256,
					.ima = IMACTL_IMA_SIG,
					.evm = IMACTL_EVM_PORTABLE,
					.target_bits = 64 };
	struct imactl_signed_values vals = { 0 };
	struct imactl_verify_result r;
	uint8_t stored[600];
	char path[4200];
	int fd;

	(void)state;
	fd = make_file("signed", "signed content", path, sizeof(path));
	/* the offset does not matter: the whole file is hashed */
	assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
	assert_int_equal(imactl_sign_fd(ctx, fd, key, &p, &vals), 0);
	assert_non_null(vals.ima);
	assert_non_null(vals.evm);
	assert_int_equal(fgetxattr(fd, "user.ima", stored, sizeof(stored)), (ssize_t)vals.ima_len);
	assert_memory_equal(stored, vals.ima, vals.ima_len);
	assert_int_equal(fgetxattr(fd, "user.evm", stored, sizeof(stored)), (ssize_t)vals.evm_len);
	assert_memory_equal(stored, vals.evm, vals.evm_len);
	imactl_signed_values_free(&vals);
	assert_null(vals.ima);

	assert_int_equal(imactl_verify_fd(ctx, fd, kr, IMACTL_VERIFY_EVM, 64, &r), 0);
	assert_int_equal(r.ima_status, 0);
	assert_int_equal(r.evm_status, 0);
	assert_int_equal(r.ima_type, IMACTL_XATTR_DIGSIG);
	assert_int_equal(r.evm_type, IMACTL_XATTR_EVM_PORTABLE);
	assert_int_equal(imactl_verify_fd(ctx, fd, kr, IMACTL_VERIFY_EVM, 32, &r), -EBADMSG);
	assert_int_equal(r.ima_status, 0);
	assert_int_equal(r.evm_status, -EBADMSG);
	assert_int_equal(imactl_verify_fd(ctx, fd, NULL, 0, 64, &r), -ENOKEY);

	/* metadata is covered by EVM only */
	assert_int_equal(fchmod(fd, 0600), 0);
	assert_int_equal(imactl_verify_fd(ctx, fd, kr, 0, 64, &r), 0);
	assert_int_equal(imactl_verify_fd(ctx, fd, kr, IMACTL_VERIFY_EVM, 64, &r), -EBADMSG);
	assert_non_null(strstr(r.evm_reason, "xattrs and metadata"));

	/* re-signing only IMA removes the EVM value that covered the old one */
	p.evm = IMACTL_EVM_NONE;
	p.hash_algo = IMACTL_HASH_SHA512;
	assert_int_equal(imactl_sign_fd(ctx, fd, key, &p, NULL), 0);
	assert_int_equal(fgetxattr(fd, "user.evm", stored, sizeof(stored)), -1);
	assert_int_equal(errno, ENODATA);
	assert_int_equal(imactl_verify_fd(ctx, fd, kr, IMACTL_VERIFY_EVM, 64, &r), -ENODATA);
	assert_int_equal(r.ima_status, 0);
	assert_int_equal(r.ima_algo, IMACTL_HASH_SHA512);

	/* content change */
	assert_int_equal(pwrite(fd, "S", 1, 0), 1);
	assert_int_equal(imactl_verify_fd(ctx, fd, kr, 0, 64, &r), -EBADMSG);
	assert_non_null(strstr(r.ima_reason, "does not match the content"));

	/* hashes: verified without keys; REQUIRE_SIG refuses them */
	p.ima = IMACTL_IMA_HASH;
	assert_int_equal(imactl_sign_fd(ctx, fd, NULL, &p, NULL), 0);
	assert_int_equal(imactl_verify_fd(ctx, fd, NULL, 0, 64, &r), 0);
	assert_int_equal(r.ima_type, IMACTL_XATTR_IMA_DIGEST_NG);
	assert_int_equal(imactl_verify_fd(ctx, fd, NULL, IMACTL_VERIFY_REQUIRE_SIG, 64, &r),
			 -EBADMSG);

	/* bad parameters: nothing written */
	p.ima = IMACTL_IMA_SIG;
	assert_int_equal(imactl_sign_fd(ctx, fd, NULL, &p, NULL), -EINVAL);
	p.target_bits = 48;
	assert_int_equal(imactl_sign_fd(ctx, fd, key, &p, NULL), -EINVAL);
	p.target_bits = 64;
	p.hash_algo = 3;
	assert_int_equal(imactl_sign_fd(ctx, fd, key, &p, NULL), -EINVAL);
	assert_int_equal(imactl_verify_fd(ctx, fd, kr, 0, 7, &r), -EINVAL);
	close(fd);
	imactl_keyring_free(kr);
	imactl_key_free(key);
	imactl_ctx_free(ctx);
}

/*
 * security.evm holding an HMAC: evm_hmac says so with IMACTL_VERIFY_EVM or
 * IMACTL_VERIFY_EVM_HMAC; without either security.evm is not read at all.
 */
static void hmac_is_looked_at_only_when_asked(void **state)
{
	struct imactl_ctx *ctx = user_ctx();
	struct imactl_sign_params p = { .hash_algo = IMACTL_HASH_SHA256,
					.ima = IMACTL_IMA_HASH,
					.target_bits = 64 };
	uint8_t hmac[21] = { IMACTL_XATTR_EVM_HMAC };
	struct imactl_verify_result r;
	char path[4200];
	int fd;

	(void)state;
	fd = make_file("hmac", "hmac-protected content", path, sizeof(path));
	assert_int_equal(imactl_sign_fd(ctx, fd, NULL, &p, NULL), 0);
	assert_int_equal(fsetxattr(fd, "user.evm", hmac, sizeof(hmac), 0), 0);

	assert_int_equal(imactl_verify_fd(ctx, fd, NULL, 0, 64, &r), 0);
	assert_int_equal(r.evm_hmac, 0);
	assert_int_equal(r.evm_status, -ENODATA);
	assert_string_equal(r.evm_reason, "not checked");

	assert_int_equal(imactl_verify_fd(ctx, fd, NULL, IMACTL_VERIFY_EVM_HMAC, 64, &r), 0);
	assert_int_equal(r.evm_hmac, 1);
	assert_int_equal(r.evm_status, -ENODATA);
	assert_string_equal(r.evm_reason, "not checked");

	assert_int_equal(imactl_verify_fd(ctx, fd, NULL, IMACTL_VERIFY_EVM, 64, &r), -EOPNOTSUPP);
	assert_int_equal(r.evm_hmac, 1);
	assert_int_equal(r.evm_type, IMACTL_XATTR_EVM_HMAC);

	/* not an HMAC (one byte short): evm_hmac 0 */
	assert_int_equal(fsetxattr(fd, "user.evm", hmac, sizeof(hmac) - 1, 0), 0);
	assert_int_equal(imactl_verify_fd(ctx, fd, NULL, IMACTL_VERIFY_EVM_HMAC, 64, &r), 0);
	assert_int_equal(r.evm_hmac, 0);
	close(fd);
	imactl_ctx_free(ctx);
}

/* EVM without any security.ima: refused before anything is written. */
static void evm_needs_ima(void **state)
{
	struct imactl_ctx *ctx = user_ctx();
	struct imactl_keyring *kr = NULL;
	struct imactl_key *key = key_and_ring(ctx, "rsa2048", &kr);
	struct imactl_sign_params p = { .hash_algo = IMACTL_HASH_SHA256,
					.ima = IMACTL_IMA_NONE,
					.evm = IMACTL_EVM_PORTABLE,
					.target_bits = 64 };
	char path[4200];
	int fd;

	(void)state;
	fd = make_file("noima", "x", path, sizeof(path));
	assert_int_equal(imactl_sign_fd(ctx, fd, key, &p, NULL), -ENODATA);
	assert_int_equal(fgetxattr(fd, "user.evm", NULL, 0), -1);
	close(fd);
	imactl_keyring_free(kr);
	imactl_key_free(key);
	imactl_ctx_free(ctx);
}

static void open_regular_refuses_others(void **state)
{
	char path[4200], link[4200], fifo[4200];
	int fd;

	(void)state;
	fd = make_file("reg", "r", path, sizeof(path));
	close(fd);
	snprintf(link, sizeof(link), "%s/link", test_tmpdir());
	snprintf(fifo, sizeof(fifo), "%s/fifo", test_tmpdir());
	unlink(link);
	unlink(fifo);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	fd = imactl_open_regular(AT_FDCWD, path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(imactl_open_regular(AT_FDCWD, link), -ELOOP);
	assert_int_equal(imactl_open_regular(AT_FDCWD, test_tmpdir()), -EISDIR);
	assert_int_equal(imactl_open_regular(AT_FDCWD, fifo), -EINVAL);
	assert_int_equal(imactl_open_regular(AT_FDCWD, "/nonexistent"), -ENOENT);
	assert_int_equal(imactl_open_regular(AT_FDCWD, "/dev/null"), -EINVAL);
}

/* evm-key: parameters refused before the kernel is asked for anything */
static void evmkey_bad_params(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_evm_hmac_params hp = { .target_bits = 64 };
	struct imactl_evmkey_params p = { .blob_dir = "/nonexistent" };
	struct imactl_evmkey_status st;
	const char *paths[] = { "/a" };

	(void)state;
	assert_int_equal(imactl_evmkey_create(NULL, &p, NULL), -EINVAL);
	assert_int_equal(imactl_evmkey_create(ctx, NULL, NULL), -EINVAL);
	assert_int_equal(imactl_evmkey_load(ctx, NULL), -EINVAL);
	assert_int_equal(imactl_evmkey_status(ctx, NULL, NULL), -EINVAL);
	assert_int_equal(imactl_evmkey_status(NULL, NULL, &st), -EINVAL);
	assert_int_equal(imactl_evmkey_enable(NULL, NULL), -EINVAL);
	p.blob_dir = "";
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -EINVAL);
	assert_int_equal(imactl_evmkey_load(ctx, &p), -EINVAL);
	p.blob_dir = "/nonexistent";
	p.flags = 1u << 7;
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -EINVAL);
	p.flags = 0;
	p.key_len = IMACTL_EVM_KEY_MAX + 1;
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -EINVAL);
	p.key_len = 0;
	p.reserved[3] = 1;
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -EINVAL);
	assert_int_equal(imactl_evmkey_load(ctx, &p), -EINVAL);
	p.reserved[3] = 0;
	/* labelling needs its parameters, and a path list when it has paths */
	p.label_image = "img";
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -EINVAL);
	p.label = &hp;
	p.n_label_paths = 1;
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -EINVAL);
	/* load: nothing of create's */
	p.label_paths = paths;
	assert_int_equal(imactl_evmkey_load(ctx, &p), -EINVAL);
	p = (struct imactl_evmkey_params){ .blob_dir = "/nonexistent", .key_len = 32 };
	assert_int_equal(imactl_evmkey_load(ctx, &p), -EINVAL);
	p.key_len = 0;
	p.flags = IMACTL_EVMKEY_REPLACE;
	assert_int_equal(imactl_evmkey_load(ctx, &p), -EINVAL);
	/* the blob directory is checked before any key is added */
	p.flags = 0;
	assert_int_equal(imactl_evmkey_load(ctx, &p), -ENOENT);
	assert_int_equal(imactl_evmkey_create(ctx, &p, NULL), -ENOENT);
	/* status of a securityfs without EVM */
	assert_int_equal(imactl_evmkey_status(ctx, "/nonexistent", &st), 0);
	assert_int_equal(st.evm_flags, -ENOENT);
	assert_int_equal(imactl_evmkey_enable(ctx, "/nonexistent"), -ENOENT);
	imactl_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(evm_input_known_answer),
		cmocka_unit_test(sign_and_verify_fd),
		cmocka_unit_test(hmac_is_looked_at_only_when_asked),
		cmocka_unit_test(evm_needs_ima),
		cmocka_unit_test(open_regular_refuses_others),
		cmocka_unit_test(evmkey_bad_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
