// SPDX-License-Identifier: GPL-2.0-or-later
/* Known-answer and malformed-input tests of the xattr value codec. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void decode_sigv2(void **state)
{
	/* the value evmctl 1.4 wrote for a 2-byte signature stand-in */
	uint8_t buf[] = { 0x03, 0x02, 0x04, 0x7f, 0x9e, 0xe8, 0x64, 0x00, 0x02, 0xaa, 0xbb };
	struct imactl_xattr_value v;

	(void)state;
	assert_int_equal(imactl_xattr_decode(buf, sizeof(buf), &v, NULL), 0);
	assert_int_equal(v.type, IMACTL_XATTR_DIGSIG);
	assert_int_equal(v.sig_version, 2);
	assert_int_equal(v.algo, IMACTL_HASH_SHA256);
	assert_int_equal(v.keyid, 0x7f9ee864);
	assert_int_equal(v.sig_len, 2);
	assert_ptr_equal(v.sig, buf + 9);
}

static void roundtrip(void **state)
{
	uint8_t digest[32], sig[300], *out = NULL;
	struct imactl_xattr_value in = { 0 }, v;
	size_t len = 0;
	const int types[] = { IMACTL_XATTR_DIGSIG, IMACTL_XATTR_EVM_PORTABLE,
			      IMACTL_XATTR_IMA_VERITY_SIG };

	(void)state;
	memset(sig, 0x5a, sizeof(sig));
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		in = (struct imactl_xattr_value){ .type = types[i],
						  .algo = IMACTL_HASH_SHA512,
						  .keyid = 0x01020304,
						  .sig = sig,
						  .sig_len = 256 };
		assert_int_equal(imactl_xattr_encode(&in, &out, &len), 0);
		assert_int_equal(len, 9 + 256);
		assert_int_equal(out[0], types[i]);
		assert_int_equal(out[1], types[i] == IMACTL_XATTR_IMA_VERITY_SIG ? 3 : 2);
		assert_int_equal(out[2], 6);
		assert_memory_equal(out + 3, "\x01\x02\x03\x04\x01\x00", 6);
		assert_int_equal(imactl_xattr_decode(out, len, &v, NULL), 0);
		assert_int_equal(v.keyid, 0x01020304);
		assert_int_equal(v.sig_len, 256);
		imactl_free(out);
	}
	memset(digest, 0x11, sizeof(digest));
	in = (struct imactl_xattr_value){ .type = IMACTL_XATTR_IMA_DIGEST_NG,
					  .algo = IMACTL_HASH_SHA256,
					  .digest = digest,
					  .digest_len = 32 };
	assert_int_equal(imactl_xattr_encode(&in, &out, &len), 0);
	assert_int_equal(len, 34);
	assert_int_equal(out[0], 0x04);
	assert_int_equal(out[1], 0x04);
	assert_int_equal(imactl_xattr_decode(out, len, &v, NULL), 0);
	assert_int_equal(v.digest_len, 32);
	assert_memory_equal(v.digest, digest, 32);
	imactl_free(out);
	in = (struct imactl_xattr_value){ .type = IMACTL_XATTR_IMA_DIGEST,
					  .digest = digest,
					  .digest_len = 20 };
	assert_int_equal(imactl_xattr_encode(&in, &out, &len), 0);
	assert_int_equal(len, 21);
	assert_int_equal(imactl_xattr_decode(out, len, &v, NULL), 0);
	assert_int_equal(v.algo, IMACTL_HASH_SHA1);
	imactl_free(out);
}

static void expect_bad(const char *hex, const char *why_part)
{
	uint8_t buf[600];
	size_t len = hex2bin(hex, buf, sizeof(buf));
	struct imactl_xattr_value v;
	const char *why = NULL;

	assert_int_equal(imactl_xattr_decode(buf, len, &v, &why), -EBADMSG);
	assert_non_null(why);
	if (!strstr(why, why_part))
		fail_msg("'%s': reason '%s' lacks '%s'", hex, why, why_part);
}

static void malformed(void **state)
{
	(void)state;
	expect_bad("", "empty");
	expect_bad("03", "truncated signature header");
	expect_bad("0302047f9ee864", "truncated signature header");
	/* header claims 256 bytes, 2 present */
	expect_bad("0302047f9ee8640100aabb", "more signature bytes than present");
	expect_bad("0302047f9ee8640001aabb", "trailing bytes");
	expect_bad("0302047f9ee8640000", "empty signature");
	expect_bad("0301047f9ee8640001aa", "unsupported signature version");
	expect_bad("0602047f9ee8640001aa", "unsupported signature version"); /* 0x06 needs v3 */
	expect_bad("0302637f9ee8640001aa", "unknown hash algorithm");
	expect_bad("0302007f9ee8640001aa", "unknown hash algorithm"); /* md4 */
	expect_bad("04", "no algorithm byte");
	expect_bad("0404aabb", "digest length");
	expect_bad("0463aabb", "unknown hash algorithm");
	expect_bad("01aabb", "20 bytes");
	expect_bad("07000000", "unknown xattr type");
	expect_bad("00", "unknown xattr type");
}

static void encode_rejects_inconsistent(void **state)
{
	uint8_t d[32] = { 0 }, *out = (uint8_t *)0x1;
	size_t len = 7;
	struct imactl_xattr_value v = { .type = IMACTL_XATTR_IMA_DIGEST_NG,
					.algo = IMACTL_HASH_SHA256,
					.digest = d,
					.digest_len = 20 };

	(void)state;
	assert_int_equal(imactl_xattr_encode(&v, &out, &len), -EINVAL);
	/* outputs untouched on failure */
	assert_ptr_equal(out, (uint8_t *)0x1);
	assert_int_equal(len, 7);
	v = (struct imactl_xattr_value){ .type = IMACTL_XATTR_DIGSIG, .algo = IMACTL_HASH_SHA256 };
	assert_int_equal(imactl_xattr_encode(&v, &out, &len), -EINVAL);
	v.type = 0x42;
	assert_int_equal(imactl_xattr_encode(&v, &out, &len), -EINVAL);
}

/* What apply-manifest writes: each value decoded strictly and of its xattr's types. */
static void signed_values_check(void **state)
{
	uint8_t one[] = { 0x04 }, sha256[34] = { 0x04, 0x04 },
		evm_sig[11] = { 0x05, 0x02, 0x04, 0, 0, 0, 0, 0, 2 };
	struct imactl_signed_values v = { .ima = sha256, .ima_len = sizeof(sha256) };
	const char *name = NULL, *why = NULL;

	(void)state;
	assert_int_equal(imactl_signed_values_check(&v, &name, &why), 0);
	v.evm = evm_sig;
	v.evm_len = sizeof(evm_sig);
	assert_int_equal(imactl_signed_values_check(&v, &name, &why), 0);
	/* a 1-byte ima:0x04 */
	v.ima = one;
	v.ima_len = 1;
	assert_int_equal(imactl_signed_values_check(&v, &name, &why), -EBADMSG);
	assert_string_equal(name, "security.ima");
	assert_string_equal(why, "truncated: no algorithm byte");
	/* the library refuses to write it, before looking at any file */
	assert_int_equal(imactl_tree_set_xattrs(NULL, "/nonexistent", "/f", &v, 0), -EBADMSG);
	assert_int_equal(imactl_tree_set_xattrs(NULL, "/nonexistent", "/f", &v, 1u << 9), -EINVAL);
	/* an EVM portable signature as security.ima, a digest as security.evm */
	v.ima = evm_sig;
	v.ima_len = sizeof(evm_sig);
	assert_int_equal(imactl_signed_values_check(&v, &name, &why), -EBADMSG);
	assert_string_equal(name, "security.ima");
	assert_string_equal(why, "a type this xattr does not hold");
	v.ima = sha256;
	v.ima_len = sizeof(sha256);
	v.evm = sha256;
	v.evm_len = sizeof(sha256);
	assert_int_equal(imactl_signed_values_check(&v, &name, &why), -EBADMSG);
	assert_string_equal(name, "security.evm");
	/* a digest one byte short */
	v.evm = NULL;
	v.ima_len = sizeof(sha256) - 1;
	assert_int_equal(imactl_signed_values_check(&v, NULL, NULL), -EBADMSG);
	v.ima = NULL;
	assert_int_equal(imactl_signed_values_check(&v, NULL, NULL), -EINVAL);
	assert_int_equal(imactl_signed_values_check(NULL, NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_sigv2),
		cmocka_unit_test(roundtrip),
		cmocka_unit_test(malformed),
		cmocka_unit_test(encode_rejects_inconsistent),
		cmocka_unit_test(signed_values_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
