/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The crypto backend (crypto.c, OpenSSL): hash algorithms, hashing, raw
 * sign and verify.  It is a leaf, as cryptsetup's lib/crypto_backend is:
 * it calls nothing else in libimactl, takes no context and never logs.
 * Functions return 0 or -errno; OpenSSL's reasons stay in its thread-local
 * error queue, which the caller appends to its message with
 * imactl_log_crypto() (ctx.c) or drops with crypto_clear_errors().
 * Keys and certificates are opaque here (crypto_private.h has them).
 */
#ifndef IMACTL_CRYPTO_BACKEND_H
#define IMACTL_CRYPTO_BACKEND_H

#include "imactl.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The one table of hash algorithms. */
struct crypto_algo {
	int id;		       /* IMACTL_HASH_*, the kernel's enum hash_algo */
	const char *name;      /* the kernel's hash_algo_name[] */
	const char *ossl_name; /* OpenSSL's */
	int size;	       /* digest bytes */
};
/* NULL when unknown. */
const struct crypto_algo *crypto_algo_by_id(int id);
/* The @i-th entry, NULL past the end (to iterate). */
const struct crypto_algo *crypto_algo_at(size_t i);

/* Fetched algorithms, shared by threads (lazy, lock-free); NULL is allowed. */
struct crypto_cache;
int crypto_cache_new(struct crypto_cache **c_ret);
void crypto_cache_free(struct crypto_cache *c);

/* Appends " (reason)" for each queued OpenSSL error, then clears the queue. */
void crypto_format_errors(char *buf, size_t size);
void crypto_clear_errors(void);

/* Incremental hash.  new: -EINVAL unknown or unavailable algorithm, -EIO. */
struct crypto_hash;
int crypto_hash_new(struct crypto_cache *cache, int algo, struct crypto_hash **h_ret);
int crypto_hash_update(struct crypto_hash *h, const void *buf, size_t len);
int crypto_hash_final(struct crypto_hash *h, struct imactl_digest *digest);
int crypto_hash_dup(const struct crypto_hash *h, struct crypto_hash **h_ret);
void crypto_hash_free(struct crypto_hash *h);

/*
 * HMAC with @algo keyed with @key (OpenSSL's EVP_MAC "HMAC"), as the kernel's
 * hmac(sha1) shash.  new: -EINVAL unknown algorithm, -EIO.  final: @out holds
 * the digest size of @algo.  dup: a copy of @m in its state (-ENOMEM).
 */
struct crypto_hmac;
int crypto_hmac_new(int algo, const uint8_t *key, size_t key_len, struct crypto_hmac **m_ret);
int crypto_hmac_update(struct crypto_hmac *m, const void *buf, size_t len);
int crypto_hmac_final(struct crypto_hmac *m, uint8_t *out, size_t out_size);
int crypto_hmac_dup(const struct crypto_hmac *m, struct crypto_hmac **m_ret);
void crypto_hmac_free(struct crypto_hmac *m);

/*
 * Raw signature over @digest; @sig must hold crypto_key_sig_max() bytes.
 * Return: 0, -EOPNOTSUPP (the key cannot sign @digest's algorithm), -EIO.
 */
size_t crypto_key_sig_max(const struct imactl_key *key);
int crypto_sign(struct crypto_cache *cache, const struct imactl_key *key,
		const struct imactl_digest *digest, uint8_t *sig, size_t *sig_len);
/* @sig over @digest with the public half of @key: 0, -EBADMSG. */
int crypto_key_verify(struct crypto_cache *cache, const struct imactl_key *key,
		      const struct imactl_digest *digest, const uint8_t *sig, size_t sig_len);
/* The key's identity: SHA-256 of its DER SubjectPublicKeyInfo (32 bytes). */
const uint8_t *crypto_key_pub_id(const struct imactl_key *key);
/*
 * HMAC-SHA256 over @data with a key only the holder of @key's private half
 * can compute (HKDF-SHA256 of its private material; crypto_key.c says why):
 * authenticates the signature cache's entries.  Thread-safe.
 * Return: 0 and @mac, -EOPNOTSUPP (the private part cannot be read: a
 * PKCS#11 key), -ENOMEM, -EIO.
 */
#define CRYPTO_CACHE_MAC_SIZE 32
int crypto_key_cache_mac(const struct imactl_key *key, const void *data, size_t len,
			 uint8_t mac[CRYPTO_CACHE_MAC_SIZE]);
/* Return: 0, -EBADMSG (bad signature, or not checkable with @cert). */
int crypto_verify(struct crypto_cache *cache, const struct imactl_cert *cert,
		  const struct imactl_digest *digest, const uint8_t *sig, size_t sig_len);

/* Constant-time comparison of digests. */
bool crypto_memeq(const void *a, const void *b, size_t len);

/* Measurement lists: a prefetched algorithm for one-shot H(a||b). -EOPNOTSUPP. */
struct crypto_md;
int crypto_md_new(int algo, struct crypto_md **m_ret);
int crypto_md_digest2(struct crypto_md *m, const void *a, size_t alen, const void *b, size_t blen,
		      uint8_t *out);
void crypto_md_free(struct crypto_md *m);
/* crypto_verify() with the verify context kept per (cert, algorithm). */
struct crypto_verify_cache;
int crypto_verify_cache_new(struct crypto_verify_cache **c_ret);
void crypto_verify_cache_free(struct crypto_verify_cache *c);
int crypto_verify_cached(struct crypto_cache *cache, struct crypto_verify_cache *c,
			 const struct imactl_cert *cert, const struct imactl_digest *digest,
			 const uint8_t *sig, size_t sig_len);

#endif
