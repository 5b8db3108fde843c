// SPDX-License-Identifier: LGPL-2.1-or-later
/* Strict encoders and decoders for security.ima and security.evm values. */
#include "lib_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* struct signature_v2_hdr: type, version, hash_algo, keyid (be32), sig_size (be16) */
#define SIG_HDR_SIZE 9

static int fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -EBADMSG;
}

IMACTL_EXPORT int imactl_xattr_decode(const uint8_t *buf, size_t len, struct imactl_xattr_value *v,
				      const char **why)
{
	int size;

	memset(v, 0, sizeof(*v));
	if (!buf || len == 0)
		return fail(why, "empty value");
	v->type = buf[0];
	switch (buf[0]) {
	case IMACTL_XATTR_IMA_DIGEST:
	case IMACTL_XATTR_EVM_HMAC:
		if (len != 21)
			return fail(why, "a SHA-1 value must be 20 bytes");
		v->algo = IMACTL_HASH_SHA1;
		v->digest = buf + 1;
		v->digest_len = 20;
		return 0;
	case IMACTL_XATTR_IMA_DIGEST_NG:
		if (len < 2)
			return fail(why, "truncated: no algorithm byte");
		v->algo = buf[1];
		size = imactl_hash_algo_size(v->algo);
		if (size < 0)
			return fail(why, "unknown hash algorithm id");
		if (len != 2 + (size_t)size)
			return fail(why, "digest length does not match its algorithm");
		v->digest = buf + 2;
		v->digest_len = size;
		return 0;
	case IMACTL_XATTR_DIGSIG:
	case IMACTL_XATTR_EVM_PORTABLE:
	case IMACTL_XATTR_IMA_VERITY_SIG:
		if (len < SIG_HDR_SIZE)
			return fail(why, "truncated signature header");
		v->sig_version = buf[1];
		if (buf[0] == IMACTL_XATTR_IMA_VERITY_SIG ? v->sig_version != 3
							  : v->sig_version != 2)
			return fail(why, "unsupported signature version");
		v->algo = buf[2];
		if (imactl_hash_algo_size(v->algo) < 0)
			return fail(why, "unknown hash algorithm id");
		v->keyid = get_be32(buf + 3);
		v->sig_len = (size_t)buf[7] << 8 | buf[8];
		if (v->sig_len == 0)
			return fail(why, "empty signature");
		if (v->sig_len > len - SIG_HDR_SIZE)
			return fail(why, "header claims more signature bytes than present");
		if (v->sig_len < len - SIG_HDR_SIZE)
			return fail(why, "trailing bytes after the signature");
		v->sig = buf + SIG_HDR_SIZE;
		return 0;
	default:
		return fail(why, "unknown xattr type");
	}
}

static bool type_fits(const char *name, enum imactl_xattr_type type)
{
	if (!strcmp(name, "security.ima"))
		return type == IMACTL_XATTR_IMA_DIGEST || type == IMACTL_XATTR_IMA_DIGEST_NG ||
		       type == IMACTL_XATTR_DIGSIG || type == IMACTL_XATTR_IMA_VERITY_SIG;
	return type == IMACTL_XATTR_EVM_HMAC || type == IMACTL_XATTR_DIGSIG ||
	       type == IMACTL_XATTR_EVM_PORTABLE;
}

IMACTL_EXPORT int imactl_signed_values_check(const struct imactl_signed_values *values,
					     const char **name_ret, const char **why_ret)
{
	const struct {
		const char *name;
		const uint8_t *buf;
		size_t len;
	} vals[] = {
		{ "security.ima", values ? values->ima : NULL, values ? values->ima_len : 0 },
		{ "security.evm", values ? values->evm : NULL, values ? values->evm_len : 0 },
	};
	struct imactl_xattr_value v;
	const char *why = NULL;

	if (!values || !values->ima)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
		if (!vals[i].buf)
			continue;
		if (imactl_xattr_decode(vals[i].buf, vals[i].len, &v, &why) == 0 &&
		    !type_fits(vals[i].name, v.type))
			why = "a type this xattr does not hold";
		if (why) {
			if (name_ret)
				*name_ret = vals[i].name;
			if (why_ret)
				*why_ret = why;
			return -EBADMSG;
		}
	}
	return 0;
}

IMACTL_EXPORT int imactl_xattr_encode(const struct imactl_xattr_value *v, uint8_t **buf_ret,
				      size_t *len_ret)
{
	uint8_t *buf;
	size_t len;
	int size;

	switch (v->type) {
	case IMACTL_XATTR_IMA_DIGEST:
	case IMACTL_XATTR_EVM_HMAC:
		if (v->digest_len != 20 || !v->digest)
			return -EINVAL;
		len = 21;
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
		buf[0] = v->type;
		memcpy(buf + 1, v->digest, 20);
		break;
	case IMACTL_XATTR_IMA_DIGEST_NG:
		size = imactl_hash_algo_size(v->algo);
		if (size < 0 || v->digest_len != (size_t)size || !v->digest)
			return -EINVAL;
		len = 2 + size;
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
		buf[0] = v->type;
		buf[1] = v->algo;
		memcpy(buf + 2, v->digest, size);
		break;
	case IMACTL_XATTR_DIGSIG:
	case IMACTL_XATTR_EVM_PORTABLE:
	case IMACTL_XATTR_IMA_VERITY_SIG:
		if (imactl_hash_algo_size(v->algo) < 0 || !v->sig || v->sig_len == 0 ||
		    v->sig_len > 0xffff)
			return -EINVAL;
		len = SIG_HDR_SIZE + v->sig_len;
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
		buf[0] = v->type;
		buf[1] = v->type == IMACTL_XATTR_IMA_VERITY_SIG ? 3 : 2;
		buf[2] = v->algo;
		put_be32(buf + 3, v->keyid);
		buf[7] = v->sig_len >> 8;
		buf[8] = v->sig_len & 0xff;
		memcpy(buf + SIG_HDR_SIZE, v->sig, v->sig_len);
		break;
	default:
		return -EINVAL;
	}
	*buf_ret = buf;
	*len_ret = len;
	return 0;
}
