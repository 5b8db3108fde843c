/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the files that include OpenSSL, all named lib/crypto*.c: the
 * backend (crypto.c), keys and certificates (crypto_key.c), PKCS#11 tokens
 * (crypto_pkcs11.c), certificate making and checking (crypto_x509.c) and
 * appended signatures (crypto_pkcs7.c).  The OpenSSL types appear here only
 * by their struct tags (EVP_PKEY is struct evp_pkey_st, X509 struct x509_st).
 */
#ifndef IMACTL_CRYPTO_PRIVATE_H
#define IMACTL_CRYPTO_PRIVATE_H

#include "lib_private.h"

#include <pthread.h>

struct evp_pkey_st;
struct evp_pkey_ctx_st;
struct x509_st;

/* Signing contexts kept for reuse: set up once, not for every signature. */
#define KEY_PCTX_POOL 16

struct imactl_key {
	struct evp_pkey_st *pkey;
	uint32_t keyid;
	/*
	 * Keys held by a PKCS#11 token: signing is serialized with @lock when
	 * @serialize is set (see crypto_sign()).
	 */
	bool hardware;
	bool serialize;
	pthread_mutex_t lock;
	void *engine; /* ENGINE *, holds a functional reference */
	pthread_mutex_t pool_lock;
	unsigned int n_pool;
	struct {
		int algo;
		bool verify; /* a verification context (signature caches) */
		struct evp_pkey_ctx_st *pctx;
	} pool[KEY_PCTX_POOL];
	/* SHA-256 of the DER SubjectPublicKeyInfo: the key's identity */
	uint8_t pub_id[32];
	/*
	 * The signature cache's entry MAC (crypto_key_cache_mac()): HMAC-SHA256
	 * keyed and ready to be copied, made on first use under @pool_lock;
	 * NULL when the private part cannot be read (@mac_tried then says so).
	 */
	bool mac_tried;
	struct crypto_hmac *cache_mac;
};

struct imactl_cert {
	struct x509_st *x509;	  /* NULL for a bare public key */
	struct evp_pkey_st *pkey; /* owned by x509, or by the cert without one */
	uint32_t keyid;		  /* from the SKI, or pubkey_keyid */
	uint32_t pubkey_keyid;	  /* SHA-1 of the public key, bytes 16..19 */
	bool from_file;		  /* imactl_cert_load(): file_sha256 is set */
	uint8_t file_sha256[32];  /* SHA-256 of the bytes it was loaded from */
};

/* Reads a whole key or certificate file (at most 1 MiB); caller cleanses. */
int crypto_read_small_file(const struct imactl_ctx *ctx, const char *path, uint8_t **buf_ret,
			   size_t *len_ret);
/*
 * Reads and parses a certificate file; logs and -EBADMSG if it is none.
 * @sha256_ret (NULL: not wanted): the SHA-256 of the bytes parsed.
 */
int crypto_load_x509(const struct imactl_ctx *ctx, const char *path, struct x509_st **x_ret,
		     uint8_t sha256_ret[32]);
/* Parses a PEM or DER certificate; NULL (OpenSSL queue set) if it is none. */
struct x509_st *crypto_parse_x509(const uint8_t *buf, size_t len);
/* 0 for key types the kernel verifies with; else logs and -EOPNOTSUPP. */
int crypto_check_key_type(const struct imactl_ctx *ctx, const char *path, struct evp_pkey_st *pkey);
/* keyid from the public key: bytes 16..19 of SHA-1 over subjectPublicKey. */
int crypto_pubkey_keyid(struct evp_pkey_st *pkey, uint32_t *keyid);
/* Wraps @pkey (taking ownership) into a new imactl_key. */
int crypto_key_wrap(const struct imactl_ctx *ctx, const char *what, struct evp_pkey_st *pkey,
		    struct imactl_key **key_ret);

/* Loads the key a "pkcs11:" URI names (crypto_pkcs11.c); logs why not. */
int crypto_pkcs11_key_load(struct imactl_ctx *ctx, const char *uri, imactl_passphrase_fn pass_fn,
			   void *pass_data, struct imactl_key **key_ret);
/* Drops the engine reference a PKCS#11 key holds; NULL is allowed. */
void crypto_engine_release(void *engine);

#endif
