// SPDX-License-Identifier: LGPL-2.1-or-later
/* Signatures over digests: IMA v2, IMA v3 (sigv3) and EVM portable. */
#include "lib_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * sigv3 signs H(struct ima_file_id prefix): the xattr type, the algorithm
 * and the digest (security/integrity/ima/ima_appraise.c calc_file_id_hash),
 * where the digest is the file's fs-verity digest (verity.c).
 */
static int file_id_digest(struct imactl_ctx *ctx, const struct imactl_digest *in,
			  struct imactl_digest *out)
{
	uint8_t id[2 + IMACTL_MAX_DIGEST_SIZE];

	id[0] = IMACTL_XATTR_IMA_VERITY_SIG;
	id[1] = in->algo;
	memcpy(id + 2, in->bytes, in->len);
	return imactl_hash_buf(ctx, id, 2 + in->len, in->algo, out);
}

IMACTL_EXPORT int imactl_sign_digest(struct imactl_ctx *ctx, const struct imactl_key *key,
				     enum imactl_xattr_type type,
				     const struct imactl_digest *digest, uint8_t **value_ret,
				     size_t *len_ret)
{
	struct imactl_xattr_value v = { .type = type };
	struct imactl_digest signed_digest;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	int ret;

	if (!key || !digest || imactl_hash_algo_size(digest->algo) != (int)digest->len)
		return -EINVAL;
	switch (type) {
	case IMACTL_XATTR_DIGSIG:
	case IMACTL_XATTR_EVM_PORTABLE:
		signed_digest = *digest;
		break;
	case IMACTL_XATTR_IMA_VERITY_SIG:
		ret = verity_algo_check(ctx, digest->algo);
		if (ret == 0)
			ret = file_id_digest(ctx, digest, &signed_digest);
		if (ret < 0)
			return ret;
		break;
	default:
		return -EINVAL;
	}
	sig = malloc(crypto_key_sig_max(key));
	if (!sig)
		return -ENOMEM;
	ret = crypto_sign(ctx_crypto(ctx), key, &signed_digest, sig, &sig_len);
	if (ret == -EOPNOTSUPP)
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot sign %s digests with this key",
				  imactl_hash_algo_name(signed_digest.algo));
	else if (ret < 0)
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "signing failed%s",
				  imactl_key_is_hardware(key) ? " in the PKCS#11 token" : "");
	if (ret < 0)
		goto out;
	v.algo = digest->algo;
	v.keyid = imactl_key_keyid(key);
	v.sig = sig;
	v.sig_len = sig_len;
	ret = imactl_xattr_encode(&v, value_ret, len_ret);
out:
	free(sig);
	return ret;
}

int sign_value_check(struct imactl_ctx *ctx, const struct imactl_key *key,
		     enum imactl_xattr_type type, const struct imactl_digest *digest,
		     const uint8_t *buf, size_t len, const char **why)
{
	struct imactl_digest signed_digest = *digest;
	struct imactl_xattr_value v;
	int ret;

	ret = imactl_xattr_decode(buf, len, &v, why);
	if (ret < 0)
		return ret;
	if (v.type != type || (type != IMACTL_XATTR_DIGSIG && type != IMACTL_XATTR_EVM_PORTABLE &&
			       type != IMACTL_XATTR_IMA_VERITY_SIG)) {
		*why = "another value type";
		return -EBADMSG;
	}
	if (v.algo != digest->algo || v.keyid != imactl_key_keyid(key)) {
		*why = "another hash algorithm or keyid";
		return -EBADMSG;
	}
	if (type == IMACTL_XATTR_IMA_VERITY_SIG) {
		ret = file_id_digest(ctx, digest, &signed_digest);
		if (ret < 0)
			return ret;
	}
	ret = crypto_key_verify(ctx_crypto(ctx), key, &signed_digest, v.sig, v.sig_len);
	if (ret < 0)
		*why = "the signature does not verify with the key";
	return ret;
}

IMACTL_EXPORT int imactl_verify_digest(struct imactl_ctx *ctx, const struct imactl_keyring *keyring,
				       const uint8_t *buf, size_t len,
				       const struct imactl_digest *digest, uint32_t *keyid_ret)
{
	struct imactl_digest signed_digest;
	struct imactl_xattr_value v;
	const struct imactl_cert *cert;
	const char *why = NULL;
	int ret;

	ret = imactl_xattr_decode(buf, len, &v, &why);
	if (ret < 0) {
		log_debug(ctx, "malformed signature: %s", why);
		return ret;
	}
	if (v.type != IMACTL_XATTR_DIGSIG && v.type != IMACTL_XATTR_EVM_PORTABLE &&
	    v.type != IMACTL_XATTR_IMA_VERITY_SIG)
		return -EBADMSG;
	if (keyid_ret)
		*keyid_ret = v.keyid;
	if (v.algo != digest->algo)
		return -EBADMSG;
	cert = imactl_keyring_find(keyring, v.keyid);
	if (!cert)
		return -ENOKEY;
	signed_digest = *digest;
	if (v.type == IMACTL_XATTR_IMA_VERITY_SIG) {
		ret = file_id_digest(ctx, digest, &signed_digest);
		if (ret < 0)
			return ret;
	}
	return crypto_verify(ctx_crypto(ctx), cert, &signed_digest, v.sig, v.sig_len);
}
