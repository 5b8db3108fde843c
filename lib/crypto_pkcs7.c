// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Appended signatures (IMA's "modsig", the format of kernel module
 * signatures): a PKCS#7/CMS SignedData after the file, then struct
 * module_signature (12 bytes) and "~Module signature appended~\n".
 *
 * What the kernel checks (security/integrity/ima/ima_modsig.c,
 * crypto/asymmetric_keys/pkcs7_{parser,verify,trust}.c, Linux 6.1), and so
 * what is checked here from a measurement list entry:
 *  - the data is detached: the file without the appended part; d-modsig is
 *    its digest (pkcs7_get_digest(), one SignerInfo only);
 *  - ima_modsig_verify() verifies as VERIFYING_MODULE_SIGNATURE: content
 *    type id-data and no authenticated attributes, so the signature is
 *    directly over d-modsig: RSA PKCS#1 v1.5 over its DigestInfo, or ECDSA;
 *  - the signer is named by issuer + serial number or by subjectKeyIdentifier
 *    and looked up in the trusted keyring (here: the given certificates).
 * Certificates carried inside the message are not trusted by themselves
 * (the kernel only uses them to chain to a trusted key; not done here).
 */
#include "crypto_private.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

static int algo_from_nid(int nid)
{
	const struct crypto_algo *a;

	for (size_t i = 0; (a = crypto_algo_at(i)); i++)
		if (OBJ_sn2nid(a->ossl_name) == nid)
			return a->id;
	return 0;
}

/* The key type a SignerInfo's signatureAlgorithm needs, or NID_undef. */
static int sig_key_type(int nid)
{
	int md, pkey;

	if (nid == NID_rsaEncryption)
		return EVP_PKEY_RSA;
	if (nid == NID_X9_62_id_ecPublicKey)
		return EVP_PKEY_EC;
	/* sha256WithRSAEncryption, ecdsa-with-SHA256, ... */
	if (OBJ_find_sigid_algs(nid, &md, &pkey) && md != NID_undef &&
	    (pkey == NID_rsaEncryption || pkey == NID_X9_62_id_ecPublicKey))
		return pkey == NID_rsaEncryption ? EVP_PKEY_RSA : EVP_PKEY_EC;
	return NID_undef;
}

/* The keyid printed for a signer that is not among the certificates. */
static uint32_t signer_keyid(CMS_SignerInfo *si)
{
	ASN1_OCTET_STRING *skid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	const unsigned char *p;
	int n;

	if (CMS_SignerInfo_get0_signer_id(si, &skid, &issuer, &serial) != 1 || !skid)
		return 0;
	n = ASN1_STRING_length(skid);
	p = ASN1_STRING_get0_data(skid);
	return n >= 4 ? get_be32(p + n - 4) : 0;
}

int crypto_modsig_verify(const struct imactl_ctx *ctx, const struct imactl_keyring *kr,
			 const uint8_t *p7, size_t len, const struct imactl_digest *digest,
			 uint32_t *keyid, const char **why)
{
	const unsigned char *p = p7;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) * sis;
	CMS_SignerInfo *si;
	X509_ALGOR *dig_alg = NULL, *sig_alg = NULL;
	ASN1_OCTET_STRING *sig;
	const struct imactl_cert *cert = NULL;
	int ret = -EBADMSG, key_type;

	*keyid = 0;
	if (len > LONG_MAX)
		goto out;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	if (!cms || p != p7 + len) {
		*why = "the appended signature is not a PKCS#7 message";
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		*why = "the appended signature is not PKCS#7 SignedData";
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data ||
	    CMS_is_detached(cms) != 1) {
		*why = "the appended signature's content is not detached data";
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sk_CMS_SignerInfo_num(sis) != 1) {
		*why = "the appended signature does not have exactly one signer";
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	if (CMS_signed_get_attr_count(si) > 0) {
		*why = "the appended signature has authenticated attributes (the kernel rejects "
		       "them)";
		goto out;
	}
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig_alg, &sig_alg);
	if (!dig_alg || !sig_alg ||
	    algo_from_nid(OBJ_obj2nid(dig_alg->algorithm)) != digest->algo) {
		*why = "the appended signature's digest algorithm is not d-modsig's";
		goto out;
	}
	key_type = sig_key_type(OBJ_obj2nid(sig_alg->algorithm));
	if (key_type == NID_undef) {
		*why = "the appended signature's algorithm is not supported";
		ret = -EOPNOTSUPP;
		goto out;
	}
	for (size_t i = 0; i < imactl_keyring_count(kr) && !cert; i++) {
		const struct imactl_cert *c = imactl_keyring_at(kr, i);

		if (c->x509 && CMS_SignerInfo_cert_cmp(si, c->x509) == 0)
			cert = c;
	}
	if (!cert) {
		*keyid = signer_keyid(si);
		*why = *keyid ? "signed by an unknown key"
			      : "signed by an unknown key (its issuer and serial number are not a "
				"given certificate's)";
		ret = -ENOKEY;
		goto out;
	}
	*keyid = cert->keyid;
	if (EVP_PKEY_get_base_id(cert->pkey) != key_type) {
		*why = "the appended signature's algorithm does not fit the signer's key";
		goto out;
	}
	sig = CMS_SignerInfo_get0_signature(si);
	ret = crypto_verify(ctx_crypto(ctx), cert, digest, ASN1_STRING_get0_data(sig),
			    ASN1_STRING_length(sig));
	if (ret < 0)
		*why = "bad appended signature";
out:
	CMS_ContentInfo_free(cms);
	crypto_clear_errors();
	return ret;
}
