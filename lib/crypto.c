// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The crypto backend (OpenSSL 3.x): the hash algorithm table, hashing, raw
 * sign and verify.  A leaf: it calls nothing else in libimactl, takes no
 * context and never logs; it returns 0 or -errno and leaves OpenSSL's
 * reasons in its (thread-local) error queue, which the caller's
 * imactl_log_crypto() appends to its message.  Interface: crypto_backend.h.
 */
#include "crypto_private.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

/* The one table of hash algorithms: the kernel's ids and names, OpenSSL's names. */
static const struct crypto_algo algos[] = {
	{ IMACTL_HASH_MD5, "md5", "MD5", 16 },
	{ IMACTL_HASH_SHA1, "sha1", "SHA1", 20 },
	{ IMACTL_HASH_SHA256, "sha256", "SHA256", 32 },
	{ IMACTL_HASH_SHA384, "sha384", "SHA384", 48 },
	{ IMACTL_HASH_SHA512, "sha512", "SHA512", 64 },
	{ IMACTL_HASH_SHA224, "sha224", "SHA224", 28 },
	{ IMACTL_HASH_SM3, "sm3", "SM3", 32 },
};

const struct crypto_algo *crypto_algo_by_id(int id)
{
	for (size_t i = 0; i < ARRAY_SIZE(algos); i++)
		if (algos[i].id == id)
			return &algos[i];
	return NULL;
}

const struct crypto_algo *crypto_algo_at(size_t i)
{
	return i < ARRAY_SIZE(algos) ? &algos[i] : NULL;
}

static const char *md_name(int algo)
{
	const struct crypto_algo *a = crypto_algo_by_id(algo);

	return a ? a->ossl_name : NULL;
}

struct crypto_hash {
	EVP_MD_CTX *mdctx;
	int algo;
};

#define CACHE_ALGOS 32 /* IMACTL_HASH_* values are the kernel's, below this */

struct crypto_cache {
	_Atomic(EVP_MD *) md[CACHE_ALGOS];
};

int crypto_cache_new(struct crypto_cache **c_ret)
{
	struct crypto_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	for (int i = 0; i < CACHE_ALGOS; i++)
		atomic_init(&c->md[i], NULL);
	*c_ret = c;
	return 0;
}

void crypto_cache_free(struct crypto_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < CACHE_ALGOS; i++)
		EVP_MD_free(atomic_load(&c->md[i]));
	free(c);
}

/*
 * The provider's implementation of @algo, fetched once per context: an
 * EVP_get_digestbyname() digest makes every EVP_DigestInit_ex() fetch it
 * again (a name lookup and a lock per file).  The caller does not free it.
 */
static const EVP_MD *cached_md(struct crypto_cache *c, int algo)
{
	const char *name = md_name(algo);
	EVP_MD *md, *none = NULL;

	if (!name)
		return NULL;
	if (!c || algo < 0 || algo >= CACHE_ALGOS)
		return EVP_get_digestbyname(name);
	md = atomic_load(&c->md[algo]);
	if (md)
		return md;
	md = EVP_MD_fetch(NULL, name, NULL);
	if (!md)
		return NULL;
	if (!atomic_compare_exchange_strong(&c->md[algo], &none, md)) {
		EVP_MD_free(md); /* another thread was first */
		md = none;
	}
	return md;
}

void crypto_clear_errors(void)
{
	ERR_clear_error();
}

void crypto_format_errors(char *buf, size_t size)
{
	unsigned long e;
	size_t used = 0;

	while ((e = ERR_get_error()) != 0) {
		const char *r = ERR_reason_error_string(e);
		char other[32];
		int n;

		if (!r) {
			snprintf(other, sizeof(other), "error %lx", e);
			r = other;
		}
		if (used + 4 >= size)
			continue; /* keep draining the queue */
		n = snprintf(buf + used, size - used, " (%s)", r);
		if (n > 0 && (size_t)n < size - used)
			used += n;
	}
}

/* ---- hashing ----------------------------------------------------------- */

int crypto_hash_new(struct crypto_cache *cache, int algo, struct crypto_hash **h_ret)
{
	struct crypto_hash *h;
	const EVP_MD *md;

	md = cached_md(cache, algo);
	if (!md)
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->algo = algo;
	h->mdctx = EVP_MD_CTX_new();
	if (!h->mdctx || EVP_DigestInit_ex(h->mdctx, md, NULL) != 1) {
		crypto_hash_free(h);
		return -EIO;
	}
	*h_ret = h;
	return 0;
}

int crypto_hash_update(struct crypto_hash *h, const void *buf, size_t len)
{
	return EVP_DigestUpdate(h->mdctx, buf, len) == 1 ? 0 : -EIO;
}

int crypto_hash_final(struct crypto_hash *h, struct imactl_digest *digest)
{
	unsigned int len = 0;

	memset(digest, 0, sizeof(*digest));
	if (EVP_DigestFinal_ex(h->mdctx, digest->bytes, &len) != 1)
		return -EIO;
	digest->algo = h->algo;
	digest->len = len;
	return 0;
}

void crypto_hash_free(struct crypto_hash *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->mdctx);
	free(h);
}

/* ---- HMAC --------------------------------------------------------------- */

struct crypto_hmac {
	EVP_MAC_CTX *mctx;
};

int crypto_hmac_new(int algo, const uint8_t *key, size_t key_len, struct crypto_hmac **m_ret)
{
	const struct crypto_algo *a = crypto_algo_by_id(algo);
	struct crypto_hmac *m = NULL;
	EVP_MAC *mac = NULL;
	OSSL_PARAM params[2];
	int ret = -EIO;

	if (!a)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac)
		m->mctx = EVP_MAC_CTX_new(mac);
	params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)a->ossl_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (m->mctx && EVP_MAC_init(m->mctx, key, key_len, params) == 1)
		ret = 0;
	EVP_MAC_free(mac);
	if (ret < 0) {
		crypto_hmac_free(m);
		return ret;
	}
	*m_ret = m;
	return 0;
}

int crypto_hmac_update(struct crypto_hmac *m, const void *buf, size_t len)
{
	return EVP_MAC_update(m->mctx, buf, len) == 1 ? 0 : -EIO;
}

int crypto_hmac_final(struct crypto_hmac *m, uint8_t *out, size_t out_size)
{
	size_t len = 0;

	return EVP_MAC_final(m->mctx, out, &len, out_size) == 1 ? 0 : -EIO;
}

int crypto_hmac_dup(const struct crypto_hmac *m, struct crypto_hmac **m_ret)
{
	struct crypto_hmac *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->mctx = EVP_MAC_CTX_dup(m->mctx);
	if (!d->mctx) {
		free(d);
		return -ENOMEM;
	}
	*m_ret = d;
	return 0;
}

void crypto_hmac_free(struct crypto_hmac *m)
{
	if (!m)
		return;
	EVP_MAC_CTX_free(m->mctx);
	free(m);
}

/* ---- sign and verify --------------------------------------------------- */

size_t crypto_key_sig_max(const struct imactl_key *key)
{
	return EVP_PKEY_get_size(key->pkey);
}

static EVP_PKEY_CTX *new_pkey_ctx(struct crypto_cache *cache, EVP_PKEY *pkey, int algo, bool sign)
{
	const EVP_MD *md = cached_md(cache, algo);
	EVP_PKEY_CTX *pctx;

	if (!md)
		return NULL;
	pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (!pctx)
		return NULL;
	if ((sign ? EVP_PKEY_sign_init(pctx) : EVP_PKEY_verify_init(pctx)) != 1)
		goto fail;
	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1)
		goto fail;
	/* RSA: wraps the digest in a DigestInfo; EC: checks its length. */
	if (EVP_PKEY_CTX_set_signature_md(pctx, md) != 1)
		goto fail;
	return pctx;
fail:
	EVP_PKEY_CTX_free(pctx);
	return NULL;
}

/*
 * A signing context for @algo from the key's pool, or a new one.  Contexts
 * of software keys are reused (EVP_PKEY_sign() may be called again on an
 * initialised context); each is used by one thread at a time.
 */
static EVP_PKEY_CTX *pctx_get(struct crypto_cache *cache, struct imactl_key *key, int algo,
			      bool verify)
{
	EVP_PKEY_CTX *pctx = NULL;

	if (!key->hardware) {
		pthread_mutex_lock(&key->pool_lock);
		for (unsigned int i = key->n_pool; i-- > 0;) {
			if (key->pool[i].algo != algo || key->pool[i].verify != verify)
				continue;
			pctx = key->pool[i].pctx;
			key->pool[i] = key->pool[--key->n_pool];
			break;
		}
		pthread_mutex_unlock(&key->pool_lock);
	}
	return pctx ? pctx : new_pkey_ctx(cache, key->pkey, algo, !verify);
}

static void pctx_put(struct imactl_key *key, int algo, bool verify, EVP_PKEY_CTX *pctx)
{
	if (!key->hardware) {
		pthread_mutex_lock(&key->pool_lock);
		if (key->n_pool < KEY_PCTX_POOL) {
			key->pool[key->n_pool].algo = algo;
			key->pool[key->n_pool].verify = verify;
			key->pool[key->n_pool++].pctx = pctx;
			pctx = NULL;
		}
		pthread_mutex_unlock(&key->pool_lock);
	}
	EVP_PKEY_CTX_free(pctx);
}

int crypto_sign(struct crypto_cache *cache, const struct imactl_key *ckey,
		const struct imactl_digest *digest, uint8_t *sig, size_t *sig_len)
{
	/* the pool and the token's lock change; the key's identity does not */
	struct imactl_key *key = (struct imactl_key *)ckey;
	EVP_PKEY_CTX *pctx = pctx_get(cache, key, digest->algo, false);
	size_t len = crypto_key_sig_max(key);
	int ret = 0;

	if (!pctx)
		return -EOPNOTSUPP;
	if (key->serialize)
		pthread_mutex_lock(&key->lock);
	if (EVP_PKEY_sign(pctx, sig, &len, digest->bytes, digest->len) != 1)
		ret = -EIO;
	else
		*sig_len = len;
	if (key->serialize)
		pthread_mutex_unlock(&key->lock);
	if (ret < 0)
		EVP_PKEY_CTX_free(pctx); /* not reused after a failure */
	else
		pctx_put(key, digest->algo, false, pctx);
	return ret;
}

int crypto_key_verify(struct crypto_cache *cache, const struct imactl_key *ckey,
		      const struct imactl_digest *digest, const uint8_t *sig, size_t sig_len)
{
	struct imactl_key *key = (struct imactl_key *)ckey; /* the pool changes */
	EVP_PKEY_CTX *pctx = pctx_get(cache, key, digest->algo, true);
	int ret;

	if (!pctx) {
		crypto_clear_errors();
		return -EBADMSG;
	}
	ret = EVP_PKEY_verify(pctx, sig, sig_len, digest->bytes, digest->len) == 1 ? 0 : -EBADMSG;
	crypto_clear_errors();
	pctx_put(key, digest->algo, true, pctx);
	return ret;
}

const uint8_t *crypto_key_pub_id(const struct imactl_key *key)
{
	return key->pub_id;
}

int crypto_verify(struct crypto_cache *cache, const struct imactl_cert *cert,
		  const struct imactl_digest *digest, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *pctx = new_pkey_ctx(cache, cert->pkey, digest->algo, false);
	int ret;

	if (!pctx) {
		/* this certificate cannot check signatures over @digest's algorithm */
		crypto_clear_errors();
		return -EBADMSG;
	}
	ret = EVP_PKEY_verify(pctx, sig, sig_len, digest->bytes, digest->len);
	EVP_PKEY_CTX_free(pctx);
	crypto_clear_errors();
	return ret == 1 ? 0 : -EBADMSG;
}

bool crypto_memeq(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/* ---- one-shot digests and cached verification (measurement lists) ------ */

/*
 * Measurement lists hash millions of tiny inputs; OpenSSL 3's EVP layer costs
 * more than the compression function there.  The SHA-1/SHA-2 banks use the
 * (deprecated, still shipped) direct functions; anything else goes through
 * a prefetched EVP_MD with a reused context.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct crypto_md {
	int algo;
	EVP_MD *md;
	EVP_MD_CTX *mctx;
};

int crypto_md_new(int algo, struct crypto_md **m_ret)
{
	const char *name = md_name(algo);
	struct crypto_md *m;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->algo = algo;
	/* fetched once: no per-digest algorithm lookup */
	m->md = name ? EVP_MD_fetch(NULL, name, NULL) : NULL;
	m->mctx = EVP_MD_CTX_new();
	if (!m->md || !m->mctx) {
		crypto_md_free(m);
		return -EOPNOTSUPP;
	}
	*m_ret = m;
	return 0;
}

int crypto_md_digest2(struct crypto_md *m, const void *a, size_t alen, const void *b, size_t blen,
		      uint8_t *out)
{
	union {
		SHA_CTX sha1;
		SHA256_CTX sha256;
		SHA512_CTX sha512;
	} c;

	switch (m->algo) {
	case IMACTL_HASH_SHA1:
		SHA1_Init(&c.sha1);
		SHA1_Update(&c.sha1, a, alen);
		if (blen)
			SHA1_Update(&c.sha1, b, blen);
		SHA1_Final(out, &c.sha1);
		return 0;
	case IMACTL_HASH_SHA256:
		SHA256_Init(&c.sha256);
		SHA256_Update(&c.sha256, a, alen);
		if (blen)
			SHA256_Update(&c.sha256, b, blen);
		SHA256_Final(out, &c.sha256);
		return 0;
	case IMACTL_HASH_SHA384:
		SHA384_Init(&c.sha512);
		SHA384_Update(&c.sha512, a, alen);
		if (blen)
			SHA384_Update(&c.sha512, b, blen);
		SHA384_Final(out, &c.sha512);
		return 0;
	case IMACTL_HASH_SHA512:
		SHA512_Init(&c.sha512);
		SHA512_Update(&c.sha512, a, alen);
		if (blen)
			SHA512_Update(&c.sha512, b, blen);
		SHA512_Final(out, &c.sha512);
		return 0;
	}
	if (EVP_DigestInit_ex2(m->mctx, m->md, NULL) != 1 ||
	    EVP_DigestUpdate(m->mctx, a, alen) != 1 ||
	    (blen && EVP_DigestUpdate(m->mctx, b, blen) != 1) ||
	    EVP_DigestFinal_ex(m->mctx, out, NULL) != 1)
		return -EIO;
	return 0;
}
#pragma GCC diagnostic pop

void crypto_md_free(struct crypto_md *m)
{
	if (!m)
		return;
	EVP_MD_CTX_free(m->mctx);
	EVP_MD_free(m->md);
	free(m);
}

int crypto_hash_dup(const struct crypto_hash *h, struct crypto_hash **h_ret)
{
	struct crypto_hash *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->algo = h->algo;
	d->mdctx = EVP_MD_CTX_new();
	if (!d->mdctx || EVP_MD_CTX_copy_ex(d->mdctx, h->mdctx) != 1) {
		crypto_hash_free(d);
		return -ENOMEM;
	}
	*h_ret = d;
	return 0;
}

/* A verify context per (certificate, algorithm), set up once. */
#define VERIFY_CACHE_SIZE 16

struct crypto_verify_cache {
	struct {
		const struct imactl_cert *cert;
		int algo;
		EVP_PKEY_CTX *pctx;
	} slot[VERIFY_CACHE_SIZE];
	unsigned int n;
};

int crypto_verify_cache_new(struct crypto_verify_cache **c_ret)
{
	*c_ret = calloc(1, sizeof(**c_ret));
	return *c_ret ? 0 : -ENOMEM;
}

void crypto_verify_cache_free(struct crypto_verify_cache *c)
{
	if (!c)
		return;
	for (unsigned int i = 0; i < c->n; i++)
		EVP_PKEY_CTX_free(c->slot[i].pctx);
	free(c);
}

int crypto_verify_cached(struct crypto_cache *cache, struct crypto_verify_cache *c,
			 const struct imactl_cert *cert, const struct imactl_digest *digest,
			 const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *pctx = NULL;
	int ret;

	for (unsigned int i = 0; i < c->n; i++)
		if (c->slot[i].cert == cert && c->slot[i].algo == digest->algo)
			pctx = c->slot[i].pctx;
	if (!pctx) {
		if (c->n == VERIFY_CACHE_SIZE)
			return crypto_verify(cache, cert, digest, sig, sig_len);
		pctx = new_pkey_ctx(cache, cert->pkey, digest->algo, false);
		if (!pctx) {
			crypto_clear_errors();
			return -EBADMSG;
		}
		c->slot[c->n].cert = cert;
		c->slot[c->n].algo = digest->algo;
		c->slot[c->n].pctx = pctx;
		c->n++;
	}
	ret = EVP_PKEY_verify(pctx, sig, sig_len, digest->bytes, digest->len);
	if (ret != 1)
		crypto_clear_errors();
	return ret == 1 ? 0 : -EBADMSG;
}
