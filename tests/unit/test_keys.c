// SPDX-License-Identifier: GPL-2.0-or-later
/* Keys, certificates, keyids, and signatures over digests. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const key_names[] = { "rsa2048", "rsa4096", "ec256", "ec384" };

static char *path_of(const char *name)
{
	return strdup(test_key_path(name));
}

static struct imactl_key *load_key(struct imactl_ctx *ctx, const char *name)
{
	struct imactl_key *key = NULL;
	char *p = path_of(name);

	assert_int_equal(imactl_key_load(ctx, p, NULL, NULL, &key), 0);
	free(p);
	return key;
}

static struct imactl_cert *load_cert(struct imactl_ctx *ctx, const char *name)
{
	struct imactl_cert *cert = NULL;
	char *p = path_of(name);

	assert_int_equal(imactl_cert_load(ctx, p, &cert), 0);
	free(p);
	return cert;
}

/* The keyid from the key's public half equals the SKI's last 4 bytes. */
static void keyids(void **state)
{
	struct imactl_ctx *ctx = test_ctx();

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		char n[64];
		struct imactl_key *key;
		struct imactl_cert *pem, *der;

		snprintf(n, sizeof(n), "%s.key", key_names[i]);
		key = load_key(ctx, n);
		snprintf(n, sizeof(n), "%s.pem", key_names[i]);
		pem = load_cert(ctx, n);
		snprintf(n, sizeof(n), "%s.der", key_names[i]);
		der = load_cert(ctx, n);
		assert_int_equal(imactl_cert_keyid(pem), imactl_cert_keyid(der));
		/* openssl's "subjectKeyIdentifier = hash" is SHA-1 of the key */
		assert_int_equal(imactl_key_keyid(key), imactl_cert_keyid(pem));
		assert_int_equal(imactl_key_set_cert(key, der), 0);
		imactl_key_set_keyid(key, 0x12345678);
		assert_int_equal(imactl_key_keyid(key), 0x12345678);
		imactl_key_free(key);
		imactl_cert_free(pem);
		imactl_cert_free(der);
	}
	imactl_ctx_free(ctx);
}

static void key_formats_and_errors(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = NULL, *trad, *der;
	struct imactl_cert *other;
	char *p;

	(void)state;
	trad = load_key(ctx, "trad.key");
	der = load_key(ctx, "key.der");
	assert_int_not_equal(imactl_key_keyid(trad), imactl_key_keyid(der));
	other = load_cert(ctx, "other.pem");
	assert_int_equal(imactl_key_set_cert(trad, other), -EKEYREJECTED);
	imactl_key_free(trad);
	imactl_key_free(der);
	imactl_cert_free(other);

	assert_int_equal(imactl_key_load(ctx, "/nonexistent/key", NULL, NULL, &key), -ENOENT);
	assert_non_null(strstr(last_log, "/nonexistent/key"));
	p = path_of("rsa2048.pem"); /* a certificate is not a private key */
	assert_int_equal(imactl_key_load(ctx, p, NULL, NULL, &key), -EBADMSG);
	assert_non_null(strstr(last_log, "not a private key"));
	free(p);
	p = path_of("rsa2048.key");
	assert_int_equal(imactl_cert_load(ctx, p, (struct imactl_cert **)&key), -EBADMSG);
	free(p);
	assert_null(key);
	imactl_ctx_free(ctx);
}

static int pass_right(void *data, char *buf, size_t size)
{
	const char *pw = "correct horse battery staple";

	(*(int *)data)++;
	assert_true(size >= strlen(pw));
	memcpy(buf, pw, strlen(pw));
	return strlen(pw);
}

static int pass_wrong(void *data, char *buf, size_t size)
{
	(*(int *)data)++;
	memcpy(buf, "nope", 4);
	return 4;
}

static int pass_fail(void *data, char *buf, size_t size)
{
	(*(int *)data)++;
	return -ECANCELED;
}

static void encrypted_keys(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = NULL;
	char *p = path_of("enc.key");
	int calls = 0;

	(void)state;
	assert_int_equal(imactl_key_load(ctx, p, pass_right, &calls, &key), 0);
	assert_true(calls >= 1);
	imactl_key_free(key);
	key = NULL;
	calls = 0;
	assert_int_equal(imactl_key_load(ctx, p, pass_wrong, &calls, &key), -EKEYREJECTED);
	assert_int_equal(calls, 1); /* asked once, not once per decoder */
	assert_non_null(strstr(last_log, "wrong passphrase"));
	assert_null(key);
	assert_int_equal(imactl_key_load(ctx, p, NULL, NULL, &key), -EKEYREJECTED);
	assert_non_null(strstr(last_log, "no passphrase was given"));
	calls = 0;
	assert_int_equal(imactl_key_load(ctx, p, pass_fail, &calls, &key), -ECANCELED);
	assert_null(key);
	free(p);
	imactl_ctx_free(ctx);
}

static void sign_verify_digests(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	const int algos[] = { IMACTL_HASH_SHA1, IMACTL_HASH_SHA256, IMACTL_HASH_SHA512 };
	const int types[] = { IMACTL_XATTR_DIGSIG, IMACTL_XATTR_IMA_VERITY_SIG,
			      IMACTL_XATTR_EVM_PORTABLE };

	(void)state;
	for (size_t k = 0; k < 4; k++) {
		struct imactl_keyring *kr = NULL, *empty = NULL;
		struct imactl_key *key;
		char n[64];

		snprintf(n, sizeof(n), "%s.key", key_names[k]);
		key = load_key(ctx, n);
		assert_int_equal(imactl_keyring_new(ctx, &kr), 0);
		assert_int_equal(imactl_keyring_new(ctx, &empty), 0);
		snprintf(n, sizeof(n), "%s.der", key_names[k]);
		assert_int_equal(imactl_keyring_add_file(kr, test_key_path(n)), 0);
		assert_int_equal(imactl_keyring_add_file(kr, test_key_path("other.pem")), 0);
		assert_int_equal(imactl_keyring_count(kr), 2);
		for (size_t a = 0; a < 3; a++) {
			for (size_t t = 0; t < 3; t++) {
				struct imactl_digest d, d2;
				uint8_t *v = NULL, *v2 = NULL;
				size_t len = 0, len2 = 0;
				uint32_t keyid = 0;

				assert_int_equal(imactl_hash_buf(ctx, "data", 4, algos[a], &d), 0);
				if (types[t] == IMACTL_XATTR_IMA_VERITY_SIG &&
				    algos[a] == IMACTL_HASH_SHA1) {
					/* sigv3 signs fs-verity digests: sha256 or sha512 */
					assert_int_equal(imactl_sign_digest(ctx, key, types[t], &d,
									    &v, &len),
							 -EOPNOTSUPP);
					continue;
				}
				assert_int_equal(
					imactl_sign_digest(ctx, key, types[t], &d, &v, &len), 0);
				assert_int_equal(v[0], types[t]);
				assert_int_equal(v[2], algos[a]);
				assert_int_equal(imactl_verify_digest(ctx, kr, v, len, &d, &keyid),
						 0);
				assert_int_equal(keyid, imactl_key_keyid(key));
				assert_int_equal(imactl_verify_digest(ctx, empty, v, len, &d, NULL),
						 -ENOKEY);
				/* another digest does not verify */
				assert_int_equal(imactl_hash_buf(ctx, "Data", 4, algos[a], &d2), 0);
				assert_int_equal(imactl_verify_digest(ctx, kr, v, len, &d2, NULL),
						 -EBADMSG);
				/* a digest of another algorithm than the header names */
				assert_int_equal(
					imactl_hash_buf(ctx, "data", 4, algos[(a + 1) % 3], &d2),
					0);
				assert_int_equal(imactl_verify_digest(ctx, kr, v, len, &d2, NULL),
						 -EBADMSG);
				/* one flipped bit in the signature */
				v[len - 1] ^= 1;
				assert_int_equal(imactl_verify_digest(ctx, kr, v, len, &d, NULL),
						 -EBADMSG);
				v[len - 1] ^= 1;
				/* truncated */
				assert_int_equal(
					imactl_verify_digest(ctx, kr, v, len - 1, &d, NULL),
					-EBADMSG);
				/* RSA PKCS#1 v1.5 is deterministic */
				assert_int_equal(
					imactl_sign_digest(ctx, key, types[t], &d, &v2, &len2), 0);
				if (k < 2) {
					assert_int_equal(len, len2);
					assert_memory_equal(v, v2, len);
				}
				imactl_free(v);
				imactl_free(v2);
			}
		}
		imactl_keyring_free(kr);
		imactl_keyring_free(empty);
		imactl_key_free(key);
	}
	imactl_ctx_free(ctx);
}

/* sigv3 signs H(0x06 || algo || digest), not the digest itself. */
static void sigv3_signs_file_id(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = load_key(ctx, "rsa2048.key");
	struct imactl_keyring *kr = NULL;
	struct imactl_digest d, id;
	uint8_t *v3 = NULL, *v2 = NULL, buf[2 + 32];
	size_t len3 = 0, len2 = 0;

	(void)state;
	assert_int_equal(imactl_keyring_new(ctx, &kr), 0);
	assert_int_equal(imactl_keyring_add_file(kr, test_key_path("rsa2048.pem")), 0);
	assert_int_equal(imactl_hash_buf(ctx, "content", 7, IMACTL_HASH_SHA256, &d), 0);
	assert_int_equal(imactl_sign_digest(ctx, key, IMACTL_XATTR_IMA_VERITY_SIG, &d, &v3, &len3),
			 0);
	assert_int_equal(v3[1], 3);
	buf[0] = 0x06;
	buf[1] = IMACTL_HASH_SHA256;
	memcpy(buf + 2, d.bytes, 32);
	assert_int_equal(imactl_hash_buf(ctx, buf, sizeof(buf), IMACTL_HASH_SHA256, &id), 0);
	/* the v2 signature of the file-id digest carries the same signature bytes */
	assert_int_equal(imactl_sign_digest(ctx, key, IMACTL_XATTR_DIGSIG, &id, &v2, &len2), 0);
	assert_int_equal(len2, len3);
	assert_memory_equal(v2 + 9, v3 + 9, len3 - 9);
	imactl_free(v2);
	imactl_free(v3);
	imactl_keyring_free(kr);
	imactl_key_free(key);
	imactl_ctx_free(ctx);
}

static void bad_parameters(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = load_key(ctx, "ec256.key");
	struct imactl_digest d = { .algo = IMACTL_HASH_SHA256, .len = 20 };
	uint8_t *v = (uint8_t *)0x1;
	size_t len = 3;

	(void)state;
	/* length does not fit the algorithm */
	assert_int_equal(imactl_sign_digest(ctx, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), -EINVAL);
	d.len = 32;
	assert_int_equal(imactl_sign_digest(ctx, NULL, IMACTL_XATTR_DIGSIG, &d, &v, &len), -EINVAL);
	assert_int_equal(imactl_sign_digest(ctx, key, IMACTL_XATTR_IMA_DIGEST_NG, &d, &v, &len),
			 -EINVAL);
	assert_ptr_equal(v, (uint8_t *)0x1);
	assert_int_equal(len, 3);
	assert_int_equal(imactl_keyid_from_hex("0xDEADbeef", &(uint32_t){ 0 }), 0);
	assert_int_equal(imactl_keyid_from_hex("123456789", &(uint32_t){ 0 }), -EINVAL);
	assert_int_equal(imactl_keyid_from_hex("0x", &(uint32_t){ 0 }), -EINVAL);
	assert_int_equal(imactl_keyid_from_hex("-1", &(uint32_t){ 0 }), -EINVAL);
	assert_int_equal(imactl_keyid_from_hex("12g4", &(uint32_t){ 0 }), -EINVAL);
	imactl_key_free(key);
	imactl_ctx_free(ctx);
}

/* The sha256 of key file @name's bytes, read here. */
static void file_sha256(struct imactl_ctx *ctx, const char *name, struct imactl_digest *d)
{
	int fd = imactl_open_regular(AT_FDCWD, test_key_path(name));

	assert_true(fd >= 0);
	assert_int_equal(imactl_hash_fd(ctx, fd, IMACTL_HASH_SHA256, d), 0);
	close(fd);
}

/* Each certificate's file digest: of the bytes loaded, in the order added. */
static void keyring_file_digests(void **state)
{
	static const char *const names[] = { "rsa2048.pem", "ec256.der", "other.pem" };
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_keyring *kr = NULL;
	struct imactl_digest got, want;

	(void)state;
	assert_int_equal(imactl_keyring_new(ctx, &kr), 0);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(imactl_keyring_add_file(kr, test_key_path(names[i])), 0);
	/* imactl_cert_load() + imactl_keyring_add(): the file's digest too */
	assert_int_equal(imactl_keyring_add(kr, load_cert(ctx, names[2])), 0);
	for (size_t i = 0; i < 3; i++) {
		file_sha256(ctx, names[i], &want);
		assert_int_equal(imactl_keyring_file_digest(kr, i, &got), 0);
		assert_int_equal(got.algo, IMACTL_HASH_SHA256);
		assert_int_equal(got.len, 32);
		assert_memory_equal(got.bytes, want.bytes, 32);
	}
	assert_int_equal(imactl_keyring_file_digest(kr, 3, &got), -ENOENT);
	assert_int_equal(imactl_keyring_file_digest(NULL, 0, &got), -EINVAL);
	imactl_keyring_free(kr);
	imactl_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keyids),
		cmocka_unit_test(key_formats_and_errors),
		cmocka_unit_test(encrypted_keys),
		cmocka_unit_test(sign_verify_digests),
		cmocka_unit_test(sigv3_signs_file_id),
		cmocka_unit_test(bad_parameters),
		cmocka_unit_test(keyring_file_digests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
