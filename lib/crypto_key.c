// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Keys and certificates: loading them from files (PEM or DER; a pkcs11: URI
 * goes to crypto_pkcs11.c), the key types the kernel accepts, keyids.
 */
#include "crypto_private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* ---- reading key and certificate files --------------------------------- */

#define MAX_KEYFILE_SIZE (1024 * 1024)

/* Reads a whole (small) file; the caller cleanses and frees it. */
int crypto_read_small_file(const struct imactl_ctx *ctx, const char *path, uint8_t **buf_ret,
			   size_t *len_ret)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	int fd, ret;

	/* O_NONBLOCK: a FIFO (or a tty) named as a key, certificate or PIN file
	 * does not block before the regular-file check below */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		log_err(ctx, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_KEYFILE_SIZE) {
		log_err(ctx, "%s: not a regular file of at most 1 MiB", path);
		ret = -EINVAL;
		goto out;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			log_err(ctx, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = 0;
	*buf_ret = buf;
	*len_ret = len;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

static bool looks_like_pem(const uint8_t *buf, size_t len)
{
	static const char tag[] = "-----BEGIN ";

	return len >= sizeof(tag) - 1 && memmem(buf, len, tag, sizeof(tag) - 1) != NULL;
}

/* The key types the kernel's asymmetric key parser can verify with. */
int crypto_check_key_type(const struct imactl_ctx *ctx, const char *path, EVP_PKEY *pkey)
{
	char curve[64] = "";

	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(pkey) < 1024 || EVP_PKEY_get_bits(pkey) > 16384) {
			log_err(ctx, "%s: RSA key of %d bits is not usable", path,
				EVP_PKEY_get_bits(pkey));
			return -EOPNOTSUPP;
		}
		return 0;
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve,
						    sizeof(curve), NULL))
			break;
		if (!strcmp(curve, "prime256v1") || !strcmp(curve, "secp384r1"))
			return 0;
		log_err(ctx, "%s: EC curve %s is not supported by the kernel (use P-256 or P-384)",
			path, curve);
		return -EOPNOTSUPP;
	default:
		break;
	}
	log_err(ctx, "%s: key type %s is not supported (use RSA or EC P-256/P-384)", path,
		OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
	return -EOPNOTSUPP;
}

/* bytes 16..19 of SHA-1 over the subjectPublicKey BIT STRING contents */
int crypto_pubkey_keyid(EVP_PKEY *pkey, uint32_t *keyid)
{
	X509_PUBKEY *pk = NULL;
	const unsigned char *bits = NULL;
	unsigned char sha1[SHA_DIGEST_LENGTH];
	int len = 0, ret = -EINVAL;

	if (X509_PUBKEY_set(&pk, pkey) == 1 &&
	    X509_PUBKEY_get0_param(NULL, &bits, &len, NULL, pk) == 1 && len > 0) {
		SHA1(bits, len, sha1);
		*keyid = get_be32(sha1 + 16);
		ret = 0;
	}
	X509_PUBKEY_free(pk);
	return ret;
}

/* ---- private keys ------------------------------------------------------ */

struct pass_cb_data {
	imactl_passphrase_fn fn;
	void *data;
	bool asked;
	int error;
};

static int decoder_pass_cb(char *pass, size_t pass_size, size_t *pass_len,
			   const OSSL_PARAM params[], void *arg)
{
	struct pass_cb_data *pd = arg;
	int n;

	(void)params;
	/* Ask once: OpenSSL retries with every decoder it tries. */
	if (pd->asked && pd->error)
		return 0;
	pd->asked = true;
	if (!pd->fn) {
		pd->error = -EKEYREJECTED;
		return 0;
	}
	n = pd->fn(pd->data, pass, pass_size);
	if (n < 0 || (size_t)n > pass_size) {
		pd->error = n < 0 ? n : -EINVAL;
		return 0;
	}
	*pass_len = n;
	return 1;
}

/* SHA-256 over the DER SubjectPublicKeyInfo of @pkey: the key's identity. */
static int pubkey_id(EVP_PKEY *pkey, uint8_t out[32])
{
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(pkey, &der);

	if (len <= 0)
		return -EINVAL;
	SHA256(der, len, out);
	OPENSSL_free(der);
	return 0;
}

int crypto_key_wrap(const struct imactl_ctx *ctx, const char *what, EVP_PKEY *pkey,
		    struct imactl_key **key_ret)
{
	struct imactl_key *key = NULL;
	int ret;

	ret = crypto_check_key_type(ctx, what, pkey);
	if (ret < 0)
		goto fail;
	key = calloc(1, sizeof(*key));
	if (!key) {
		ret = -ENOMEM;
		goto fail;
	}
	if (crypto_pubkey_keyid(pkey, &key->keyid) < 0 || pubkey_id(pkey, key->pub_id) < 0) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "%s: cannot compute keyid", what);
		ret = -EINVAL;
		goto fail;
	}
	pthread_mutex_init(&key->lock, NULL);
	pthread_mutex_init(&key->pool_lock, NULL);
	key->pkey = pkey;
	*key_ret = key;
	return 0;
fail:
	EVP_PKEY_free(pkey);
	free(key);
	return ret;
}

IMACTL_EXPORT int imactl_key_load(struct imactl_ctx *ctx, const char *path,
				  imactl_passphrase_fn pass_fn, void *pass_data,
				  struct imactl_key **key_ret)
{
	struct pass_cb_data pd = { .fn = pass_fn, .data = pass_data };
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *pkey = NULL;
	uint8_t *buf = NULL;
	const unsigned char *p;
	size_t len = 0;
	int ret;

	if (!strncmp(path, "pkcs11:", 7))
		return crypto_pkcs11_key_load(ctx, path, pass_fn, pass_data, key_ret);
	ret = crypto_read_small_file(ctx, path, &buf, &len);
	if (ret < 0)
		return ret;
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, NULL, NULL, NULL, EVP_PKEY_KEYPAIR, NULL, NULL);
	if (!dctx) {
		ret = -ENOMEM;
		goto out;
	}
	OSSL_DECODER_CTX_set_passphrase_cb(dctx, decoder_pass_cb, &pd);
	p = buf;
	if (OSSL_DECODER_from_data(dctx, &p, &len) != 1 || !pkey) {
		if (pd.error && pd.error != -EKEYREJECTED) {
			ret = pd.error;
			log_err(ctx, "%s: no passphrase available: %s", path, strerror(-ret));
		} else if (pd.asked) {
			ret = -EKEYREJECTED;
			log_err(ctx, "%s: cannot decrypt the private key: %s", path,
				pd.fn ? "wrong passphrase"
				      : "it is encrypted and no passphrase was given");
		} else {
			ret = -EBADMSG;
			log_err(ctx,
				"%s: not a private key (PEM or DER, PKCS#8 or traditional RSA/EC)",
				path);
		}
		crypto_clear_errors();
		goto out;
	}
	ret = crypto_key_wrap(ctx, path, pkey, key_ret);
	pkey = NULL;
out:
	OSSL_DECODER_CTX_free(dctx);
	EVP_PKEY_free(pkey);
	if (buf) {
		OPENSSL_cleanse(buf, len);
		free(buf);
	}
	return ret;
}

/*
 * The signature cache's MAC key.  A cache entry is trusted on a hit without
 * an RSA/ECDSA verification only when it carries an HMAC that nobody but the
 * holder of the signing key can have made, so the MAC key is derived from
 * the private key itself: HKDF-SHA256 (RFC 5869) with the private material
 * (RSA: the private exponent d; EC: the private scalar) as input keying
 * material, the public key digest as salt and a fixed label as info.  It is
 * never stored: derived on first use, kept only inside OpenSSL's keyed HMAC
 * context for the key's lifetime (freed, and so wiped, with the key); the
 * intermediate bytes are wiped at once.  HKDF's output reveals nothing about
 * its input, and the label keeps it apart from any other use of the key.
 * Not derived from a signature made with the key over a fixed message: a
 * file whose content hashed to that message would get exactly that
 * signature in its security.ima, published with the signed tree.
 */
#define CACHE_MAC_LABEL "imactl signature cache 2: entry MAC key"

static struct crypto_hmac *cache_mac_new(const struct imactl_key *key)
{
	const char *name = NULL;
	BIGNUM *priv = NULL;
	uint8_t *ikm = NULL, mk[32];
	int ikm_len = 0;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	struct crypto_hmac *ret = NULL;
	OSSL_PARAM p[5];

	if (key->hardware)
		return NULL; /* a token's key never leaves it */
	switch (EVP_PKEY_get_base_id(key->pkey)) {
	case EVP_PKEY_RSA:
		name = OSSL_PKEY_PARAM_RSA_D;
		break;
	case EVP_PKEY_EC:
		name = OSSL_PKEY_PARAM_PRIV_KEY;
		break;
	default:
		return NULL;
	}
	if (EVP_PKEY_get_bn_param(key->pkey, name, &priv) != 1)
		goto out;
	ikm_len = BN_num_bytes(priv);
	if (ikm_len <= 0 || !(ikm = malloc(ikm_len)) || BN_bn2bin(priv, ikm) != ikm_len)
		goto out;
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm, ikm_len);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)key->pub_id,
						 sizeof(key->pub_id));
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, CACHE_MAC_LABEL,
						 strlen(CACHE_MAC_LABEL));
	p[4] = OSSL_PARAM_construct_end();
	if (kctx && EVP_KDF_derive(kctx, mk, sizeof(mk), p) == 1 &&
	    crypto_hmac_new(IMACTL_HASH_SHA256, mk, sizeof(mk), &ret) < 0)
		ret = NULL;
out:
	OPENSSL_cleanse(mk, sizeof(mk));
	if (ikm) {
		OPENSSL_cleanse(ikm, ikm_len);
		free(ikm);
	}
	BN_clear_free(priv);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	crypto_clear_errors(); /* none: the cache verifies with the public key instead */
	return ret;
}

int crypto_key_cache_mac(const struct imactl_key *ckey, const void *data, size_t len,
			 uint8_t mac[CRYPTO_CACHE_MAC_SIZE])
{
	struct imactl_key *key = (struct imactl_key *)ckey; /* made on first use */
	struct crypto_hmac *m = NULL;
	int ret = -EOPNOTSUPP;

	pthread_mutex_lock(&key->pool_lock);
	if (!key->mac_tried) {
		key->cache_mac = cache_mac_new(key);
		key->mac_tried = true;
	}
	if (key->cache_mac)
		ret = crypto_hmac_dup(key->cache_mac, &m);
	pthread_mutex_unlock(&key->pool_lock);
	if (ret < 0)
		return ret;
	ret = crypto_hmac_update(m, data, len);
	if (ret == 0)
		ret = crypto_hmac_final(m, mac, CRYPTO_CACHE_MAC_SIZE);
	if (ret < 0)
		crypto_clear_errors();
	crypto_hmac_free(m);
	return ret;
}

IMACTL_EXPORT int imactl_key_set_cert(struct imactl_key *key, const struct imactl_cert *cert)
{
	if (EVP_PKEY_eq(key->pkey, cert->pkey) != 1) {
		crypto_clear_errors();
		return -EKEYREJECTED;
	}
	key->keyid = cert->keyid;
	return 0;
}

IMACTL_EXPORT bool imactl_key_is_hardware(const struct imactl_key *key)
{
	return key->hardware;
}

IMACTL_EXPORT void imactl_key_set_serialized(struct imactl_key *key, bool serialized)
{
	key->serialize = key->hardware && serialized;
}

IMACTL_EXPORT void imactl_key_set_keyid(struct imactl_key *key, uint32_t keyid)
{
	key->keyid = keyid;
}

IMACTL_EXPORT uint32_t imactl_key_keyid(const struct imactl_key *key)
{
	return key->keyid;
}

IMACTL_EXPORT void imactl_key_free(struct imactl_key *key)
{
	if (!key)
		return;
	for (unsigned int i = 0; i < key->n_pool; i++)
		EVP_PKEY_CTX_free(key->pool[i].pctx);
	crypto_hmac_free(key->cache_mac); /* OpenSSL wipes the HMAC key */
	EVP_PKEY_free(key->pkey);
	crypto_engine_release(key->engine);
	pthread_mutex_destroy(&key->pool_lock);
	pthread_mutex_destroy(&key->lock);
	free(key);
}

/* ---- certificates ------------------------------------------------------ */

X509 *crypto_parse_x509(const uint8_t *buf, size_t len)
{
	X509 *x509 = NULL;

	if (looks_like_pem(buf, len)) {
		BIO *bio = BIO_new_mem_buf(buf, (int)len);

		if (bio)
			x509 = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = buf;

		x509 = d2i_X509(NULL, &p, (long)len);
		if (x509 && p != buf + len) {
			X509_free(x509);
			x509 = NULL;
		}
	}
	return x509;
}

int crypto_load_x509(const struct imactl_ctx *ctx, const char *path, X509 **x_ret,
		     uint8_t sha256_ret[32])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	ret = crypto_read_small_file(ctx, path, &buf, &len);
	if (ret < 0)
		return ret;
	*x_ret = crypto_parse_x509(buf, len);
	if (*x_ret && sha256_ret)
		SHA256(buf, len, sha256_ret);
	free(buf);
	crypto_clear_errors();
	if (!*x_ret) {
		log_err(ctx, "%s: not an X.509 certificate (PEM or DER)", path);
		return -EBADMSG;
	}
	return 0;
}

/*
 * A certificate entry for @pkey (owned by @x509 when there is one, else
 * taken over): keyid from @x509's SKI, or @keyid when not 0, or the public
 * key's own.
 */
static int cert_wrap(const struct imactl_ctx *ctx, const char *what, X509 *x509, EVP_PKEY *pkey,
		     uint32_t keyid, struct imactl_cert **cert_ret)
{
	struct imactl_cert *cert = NULL;
	const ASN1_OCTET_STRING *ski;
	int ret;

	cert = calloc(1, sizeof(*cert));
	if (!cert)
		return -ENOMEM;
	cert->pkey = pkey;
	if (!cert->pkey) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "%s: cannot read the public key", what);
		ret = -EBADMSG;
		goto out;
	}
	ret = crypto_check_key_type(ctx, what, cert->pkey);
	if (ret < 0)
		goto out;
	if (crypto_pubkey_keyid(cert->pkey, &cert->pubkey_keyid) < 0) {
		ret = -EBADMSG;
		goto out;
	}
	cert->keyid = keyid ? keyid : cert->pubkey_keyid;
	ski = x509 ? X509_get0_subject_key_id(x509) : NULL;
	if (ski && ASN1_STRING_length(ski) >= 4)
		cert->keyid = get_be32(ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski) - 4);
	cert->x509 = x509;
	*cert_ret = cert;
	return 0;
out:
	free(cert);
	return ret;
}

IMACTL_EXPORT int imactl_cert_load(struct imactl_ctx *ctx, const char *path,
				   struct imactl_cert **cert_ret)
{
	uint8_t sha256[32];
	X509 *x509 = NULL;
	int ret;

	ret = crypto_load_x509(ctx, path, &x509, sha256);
	if (ret < 0)
		return ret;
	ret = cert_wrap(ctx, path, x509, X509_get0_pubkey(x509), 0, cert_ret);
	crypto_clear_errors();
	if (ret < 0) {
		X509_free(x509);
		return ret;
	}
	/* what was loaded, for callers that bind to it (log verify --state) */
	(*cert_ret)->from_file = true;
	memcpy((*cert_ret)->file_sha256, sha256, sizeof(sha256));
	return 0;
}

int crypto_cert_from_data(const struct imactl_ctx *ctx, const char *what, const uint8_t *buf,
			  size_t len, uint32_t keyid, struct imactl_cert **cert_ret)
{
	const unsigned char *p = buf;
	X509 *x509 = crypto_parse_x509(buf, len);
	EVP_PKEY *pkey = NULL;
	int ret;

	if (x509) {
		ret = cert_wrap(ctx, what, x509, X509_get0_pubkey(x509), keyid, cert_ret);
		if (ret < 0)
			X509_free(x509);
		crypto_clear_errors();
		return ret;
	}
	if (len <= LONG_MAX)
		pkey = d2i_PUBKEY(NULL, &p, (long)len);
	if (!pkey || p != buf + len) {
		EVP_PKEY_free(pkey);
		crypto_clear_errors();
		return -ENOKEY; /* neither a certificate nor a public key */
	}
	ret = cert_wrap(ctx, what, NULL, pkey, keyid, cert_ret);
	if (ret < 0)
		EVP_PKEY_free(pkey);
	crypto_clear_errors();
	return ret;
}

int crypto_base64_decode(const char *s, size_t len, uint8_t **out_ret, size_t *len_ret)
{
	EVP_ENCODE_CTX *ec = NULL;
	uint8_t *out = NULL;
	int n = 0, fin = 0, ret = -EBADMSG;

	if (len > INT_MAX / 2)
		return -EBADMSG;
	out = malloc(len / 4 * 3 + 3);
	ec = EVP_ENCODE_CTX_new();
	if (!out || !ec) {
		ret = -ENOMEM;
		goto out;
	}
	EVP_DecodeInit(ec);
	if (EVP_DecodeUpdate(ec, out, &n, (const unsigned char *)s, (int)len) < 0 ||
	    EVP_DecodeFinal(ec, out + n, &fin) != 1)
		goto out;
	*out_ret = out;
	*len_ret = (size_t)n + fin;
	out = NULL;
	ret = 0;
out:
	crypto_clear_errors();
	EVP_ENCODE_CTX_free(ec);
	free(out);
	return ret;
}

IMACTL_EXPORT uint32_t imactl_cert_keyid(const struct imactl_cert *cert)
{
	return cert->keyid;
}

uint32_t crypto_cert_pubkey_keyid(const struct imactl_cert *cert)
{
	return cert->pubkey_keyid;
}

const uint8_t *crypto_cert_file_sha256(const struct imactl_cert *cert)
{
	return cert->from_file ? cert->file_sha256 : NULL;
}

int crypto_cert_der(const struct imactl_cert *cert, uint8_t **der_ret, size_t *len_ret)
{
	unsigned char *der = NULL;
	int len;

	if (!cert->x509)
		return -EINVAL; /* a bare public key */
	len = i2d_X509(cert->x509, &der);
	if (len <= 0)
		return -ENOMEM;
	/* hand out malloc()ed memory so imactl_free() applies */
	*der_ret = malloc(len);
	if (!*der_ret) {
		OPENSSL_free(der);
		return -ENOMEM;
	}
	memcpy(*der_ret, der, len);
	OPENSSL_free(der);
	*len_ret = len;
	return 0;
}

IMACTL_EXPORT void imactl_cert_free(struct imactl_cert *cert)
{
	if (!cert)
		return;
	if (cert->x509)
		X509_free(cert->x509); /* owns pkey */
	else
		EVP_PKEY_free(cert->pkey);
	free(cert);
}

IMACTL_EXPORT int imactl_cert_pubkey_der(const struct imactl_cert *cert, uint8_t **der_ret,
					 size_t *len_ret)
{
	unsigned char *der = NULL;
	uint8_t *copy;
	int len;

	len = i2d_PUBKEY(cert->pkey, &der);
	if (len <= 0) {
		crypto_clear_errors();
		return -EINVAL;
	}
	copy = malloc(len);
	if (copy)
		memcpy(copy, der, len);
	OPENSSL_free(der);
	if (!copy)
		return -ENOMEM;
	*der_ret = copy;
	*len_ret = len;
	return 0;
}
