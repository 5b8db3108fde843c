// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The crypto backend: the one file that talks to OpenSSL (3.x).  Hashing,
 * key and certificate loading, keyids, raw sign and verify.
 */
#include "crypto_private.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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
static const EVP_MD *cached_md(const struct imactl_ctx *ctx, int algo)
{
	const char *name = crypto_md_name(algo);
	struct crypto_cache *c = ctx ? ctx->crypto : NULL;
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

const char *crypto_md_name(int algo)
{
	switch (algo) {
	case IMACTL_HASH_MD5:
		return "MD5";
	case IMACTL_HASH_SHA1:
		return "SHA1";
	case IMACTL_HASH_SHA224:
		return "SHA224";
	case IMACTL_HASH_SHA256:
		return "SHA256";
	case IMACTL_HASH_SHA384:
		return "SHA384";
	case IMACTL_HASH_SHA512:
		return "SHA512";
	case IMACTL_HASH_SM3:
		return "SM3";
	}
	return NULL;
}

/* ---- hashing ----------------------------------------------------------- */

int crypto_hash_new(const struct imactl_ctx *ctx, int algo, struct crypto_hash **h_ret)
{
	const char *name = crypto_md_name(algo);
	struct crypto_hash *h;
	const EVP_MD *md;

	md = cached_md(ctx, algo);
	if (!md) {
		log_err(ctx, "hash algorithm %d is not supported", algo);
		return -EINVAL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->algo = algo;
	h->mdctx = EVP_MD_CTX_new();
	if (!h->mdctx || EVP_DigestInit_ex(h->mdctx, md, NULL) != 1) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot start %s", name);
		crypto_hash_free(h);
		return -EINVAL;
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

	fd = open(path, O_RDONLY | O_CLOEXEC);
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
	if (crypto_pubkey_keyid(pkey, &key->keyid) < 0) {
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

/* ---- keys in a PKCS#11 token (the OpenSSL pkcs11 engine, libp11) ------- */

/*
 * Debian 12 ships the engine (libengine-pkcs11-openssl), no provider; the
 * ENGINE API is deprecated in OpenSSL 3 but the only way to reach it.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <openssl/engine.h>
#include <openssl/ui.h>

#define PKCS11_URI_PREFIX "pkcs11:"
#define MAX_PIN		  256

void crypto_engine_release(void *engine)
{
	if (engine) {
		ENGINE_finish(engine);
		ENGINE_free(engine);
	}
}

/* RFC 7512 percent-decoding, in place. */
static bool uri_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s == '%') {
			unsigned int v;

			if (!s[1] || !s[2] || sscanf(s + 1, "%2x", &v) != 1)
				return false;
			*out++ = (char)v;
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	*out = 0;
	return true;
}

struct pkcs11_uri {
	char *rest;	  /* the URI without the attributes below, for libp11 */
	char *module;	  /* module-path */
	char *pin_value;  /* pin-value (wiped) */
	char *pin_source; /* pin-source (a file) */
	char *token;	  /* token= (kept in rest too) */
};

static void pkcs11_uri_free(struct pkcs11_uri *u)
{
	if (u->pin_value)
		OPENSSL_cleanse(u->pin_value, strlen(u->pin_value));
	if (u->rest)
		OPENSSL_cleanse(u->rest, strlen(u->rest));
	free(u->rest);
	free(u->module);
	free(u->pin_value);
	free(u->pin_source);
	free(u->token);
}

/*
 * Takes module-path, pin-value and pin-source out of @uri (path or query
 * attributes); the rest (token, object, id, serial, ...) is libp11's.
 */
static int pkcs11_uri_parse(const struct imactl_ctx *ctx, const char *uri, struct pkcs11_uri *u)
{
	size_t len = strlen(uri);
	char *copy = strdup(uri), *tok, *save = NULL, *rest;
	char sep = ':';

	rest = calloc(1, len + 1);
	if (!copy || !rest) {
		free(copy);
		free(rest);
		return -ENOMEM;
	}
	strcpy(rest, PKCS11_URI_PREFIX);
	for (tok = strtok_r(copy + strlen(PKCS11_URI_PREFIX), ";?&", &save); tok;
	     tok = strtok_r(NULL, ";?&", &save)) {
		char **dst = NULL;

		if (!strncmp(tok, "module-path=", 12))
			dst = &u->module;
		else if (!strncmp(tok, "pin-value=", 10))
			dst = &u->pin_value;
		else if (!strncmp(tok, "pin-source=", 11))
			dst = &u->pin_source;
		else if (!strncmp(tok, "module-name=", 12))
			continue; /* p11-kit's; the module is chosen by path */
		if (dst) {
			free(*dst);
			*dst = strdup(strchr(tok, '=') + 1);
			if (!*dst || !uri_unescape(*dst)) {
				OPENSSL_cleanse(copy, len);
				free(copy);
				free(rest);
				log_err(ctx, "malformed PKCS#11 URI attribute");
				return *dst ? -EINVAL : -ENOMEM;
			}
			continue;
		}
		if (!strncmp(tok, "token=", 6) && !u->token) {
			u->token = strdup(tok + 6);
			if (u->token && !uri_unescape(u->token)) {
				free(u->token);
				u->token = NULL;
			}
		}
		if (sep != ':')
			strncat(rest, ";", len - strlen(rest));
		strncat(rest, tok, len - strlen(rest));
		sep = ';';
	}
	OPENSSL_cleanse(copy, len);
	free(copy);
	u->rest = rest;
	return 0;
}

/* The PIN from pin-value, pin-source (a file), or the passphrase callback. */
static int pkcs11_pin(const struct imactl_ctx *ctx, const struct pkcs11_uri *u,
		      imactl_passphrase_fn pass_fn, void *pass_data, char *pin, size_t size)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int n, ret;

	if (u->pin_value) {
		n = (int)strlen(u->pin_value);
		if ((size_t)n >= size)
			return -E2BIG;
		memcpy(pin, u->pin_value, n + 1);
		return n;
	}
	if (u->pin_source) {
		const char *path = u->pin_source;

		if (!strncmp(path, "file:", 5))
			path += 5;
		ret = crypto_read_small_file(ctx, path, &buf, &len);
		if (ret < 0)
			return ret;
		n = 0;
		while ((size_t)n < len && buf[n] != '\n' && buf[n] != '\r')
			n++;
		ret = (size_t)n < size ? n : -E2BIG;
		if (ret >= 0) {
			memcpy(pin, buf, n);
			pin[n] = 0;
		}
		OPENSSL_cleanse(buf, len);
		free(buf);
		return ret;
	}
	if (!pass_fn)
		return 0; /* no PIN: the token may not need one */
	n = pass_fn(pass_data, pin, size - 1);
	if (n < 0)
		return n;
	if ((size_t)n >= size)
		return -E2BIG;
	pin[n] = 0;
	return n;
}

/* What went wrong, from libp11's error queue: a specific errno. */
static int pkcs11_error(void)
{
	unsigned long e;
	int ret = -ENOENT;

	while ((e = ERR_peek_error()) != 0) {
		const char *r = ERR_reason_error_string(e);

		if (r && (strstr(r, "PIN") || strstr(r, "Pin")))
			return -EKEYREJECTED;
		if (r && (strstr(r, "No token") || strstr(r, "no token") ||
			  strstr(r, "Token not present")))
			ret = -ENODEV;
		ERR_get_error();
	}
	return ret;
}

/*
 * libp11 reports a missing token and a missing object alike ("object not
 * found").  To tell them apart, ask the module itself which tokens it has:
 * the first few entries of CK_FUNCTION_LIST, whose layout the PKCS#11
 * standard fixes.  Called after the engine let go of the module.
 */
struct p11_functions {
	unsigned char version[2];
	unsigned long (*initialize)(void *args);
	unsigned long (*finalize)(void *reserved);
	void *get_info, *get_function_list;
	unsigned long (*get_slot_list)(unsigned char present, unsigned long *slots,
				       unsigned long *count);
	void *get_slot_info;
	unsigned long (*get_token_info)(unsigned long slot, void *info);
};

#define CKR_CRYPTOKI_ALREADY_INITIALIZED 0x191UL

/* 1: a token labelled @label is present, 0: none is, -1: cannot tell. */
static int pkcs11_token_present(const char *module, const char *label)
{
	unsigned long (*get_list)(struct p11_functions **);
	struct p11_functions *f = NULL;
	unsigned long slots[64], count = 64, rv;
	unsigned char info[1024]; /* CK_TOKEN_INFO starts with label[32] */
	size_t len = strlen(label);
	void *dl;
	int ret = -1;

	if (!module || len > 32 || !(dl = dlopen(module, RTLD_NOW | RTLD_LOCAL)))
		return -1;
	*(void **)&get_list = dlsym(dl, "C_GetFunctionList");
	if (!get_list || get_list(&f) != 0 || !f)
		goto out;
	rv = f->initialize(NULL);
	if (rv != 0 && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
		goto out;
	if (f->get_slot_list(1, slots, &count) == 0) {
		ret = 0;
		for (unsigned long i = 0; i < count && !ret; i++) {
			if (f->get_token_info(slots[i], info) != 0)
				continue;
			ret = !memcmp(info, label, len) &&
			      (len == 32 || strspn((char *)info + len, " ") >= 32 - len);
		}
	}
	if (rv == 0)
		f->finalize(NULL);
out:
	dlclose(dl);
	return ret;
}

static ENGINE *pkcs11_engine(const struct imactl_ctx *ctx, const char *module, const char *pin)
{
	ENGINE *e = ENGINE_by_id("pkcs11");

	if (!e) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR,
				  "the OpenSSL pkcs11 engine is not available (install "
				  "libengine-pkcs11-openssl)");
		return NULL;
	}
	/* libp11 prints its own diagnostics unless told to be quiet */
	ENGINE_ctrl_cmd_string(e, "QUIET", NULL, 1);
	if (module && !ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module, 0)) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "PKCS#11 module %s", module);
		ENGINE_free(e);
		return NULL;
	}
	if (!ENGINE_init(e)) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot initialize the PKCS#11 module %s",
				  module ? module : "(the engine's default)");
		ENGINE_free(e);
		return NULL;
	}
	if (pin && *pin && !ENGINE_ctrl_cmd_string(e, "PIN", pin, 0)) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot pass the PIN to the engine");
		crypto_engine_release(e);
		return NULL;
	}
	crypto_clear_errors();
	return e;
}

/* Refuses the engine's prompts: the PIN was given up front or not at all. */
static int no_ui_read(UI *ui, UI_STRING *uis)
{
	(void)ui;
	(void)uis;
	return 0;
}

static int pkcs11_key_load(struct imactl_ctx *ctx, const char *uri, imactl_passphrase_fn pass_fn,
			   void *pass_data, struct imactl_key **key_ret)
{
	struct pkcs11_uri u = { 0 };
	UI_METHOD *ui = NULL;
	ENGINE *e = NULL;
	EVP_PKEY *pkey = NULL;
	char pin[MAX_PIN];
	const char *module;
	int ret, n = 0;

	ret = pkcs11_uri_parse(ctx, uri, &u);
	if (ret < 0)
		goto out;
	module = u.module ? u.module : getenv("IMACTL_PKCS11_MODULE");
	n = pkcs11_pin(ctx, &u, pass_fn, pass_data, pin, sizeof(pin));
	if (n < 0) {
		ret = n;
		n = sizeof(pin) - 1;
		log_err(ctx, "%s: no PIN: %s", u.rest, strerror(-ret));
		goto out;
	}
	pin[n] = 0;
	e = pkcs11_engine(ctx, module, pin);
	if (!e) {
		ret = -ENODEV;
		goto out;
	}
	ui = UI_create_method("imactl no prompt");
	if (ui)
		UI_method_set_reader(ui, no_ui_read);
	pkey = ENGINE_load_private_key(e, u.rest, ui, NULL);
	if (!pkey) {
		ret = pkcs11_error();
		crypto_clear_errors();
		crypto_engine_release(e);
		e = NULL;
		/* without a module-path, libp11 uses p11-kit's proxy: ask it */
		if (ret == -ENOENT && u.token &&
		    pkcs11_token_present(module ? module : "p11-kit-proxy.so", u.token) == 0)
			ret = -ENODEV;
		log_err(ctx, "%s: %s", u.rest,
			ret == -EKEYREJECTED
				? "the token refused the PIN (wrong PIN, or none given)"
			: ret == -ENODEV ? "no such token"
					 : "no such private key in the token (check token=, "
					   "object= or id=, and the PIN)");
		goto out;
	}
	ret = crypto_key_wrap(ctx, u.rest, pkey, key_ret);
	if (ret < 0)
		goto out;
	(*key_ret)->hardware = true;
	(*key_ret)->serialize = false; /* concurrent sessions: see imactl_key_set_serialized() */
	(*key_ret)->engine = e;
	e = NULL;
out:
	OPENSSL_cleanse(pin, sizeof(pin));
	UI_destroy_method(ui);
	crypto_engine_release(e);
	pkcs11_uri_free(&u);
	return ret;
}
#pragma GCC diagnostic pop

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

	if (!strncmp(path, PKCS11_URI_PREFIX, strlen(PKCS11_URI_PREFIX)))
		return pkcs11_key_load(ctx, path, pass_fn, pass_data, key_ret);
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

int crypto_load_x509(const struct imactl_ctx *ctx, const char *path, X509 **x_ret)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	ret = crypto_read_small_file(ctx, path, &buf, &len);
	if (ret < 0)
		return ret;
	*x_ret = crypto_parse_x509(buf, len);
	free(buf);
	crypto_clear_errors();
	if (!*x_ret) {
		log_err(ctx, "%s: not an X.509 certificate (PEM or DER)", path);
		return -EBADMSG;
	}
	return 0;
}

IMACTL_EXPORT int imactl_cert_load(struct imactl_ctx *ctx, const char *path,
				   struct imactl_cert **cert_ret)
{
	struct imactl_cert *cert = NULL;
	const ASN1_OCTET_STRING *ski;
	X509 *x509 = NULL;
	int ret;

	ret = crypto_load_x509(ctx, path, &x509);
	if (ret < 0)
		return ret;
	cert = calloc(1, sizeof(*cert));
	if (!cert) {
		ret = -ENOMEM;
		goto out;
	}
	cert->pkey = X509_get0_pubkey(x509);
	if (!cert->pkey) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "%s: cannot read the public key", path);
		ret = -EBADMSG;
		goto out;
	}
	ret = crypto_check_key_type(ctx, path, cert->pkey);
	if (ret < 0)
		goto out;
	if (crypto_pubkey_keyid(cert->pkey, &cert->pubkey_keyid) < 0) {
		ret = -EBADMSG;
		goto out;
	}
	cert->keyid = cert->pubkey_keyid;
	ski = X509_get0_subject_key_id(x509);
	if (ski && ASN1_STRING_length(ski) >= 4)
		cert->keyid = get_be32(ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski) - 4);
	cert->x509 = x509;
	x509 = NULL;
	*cert_ret = cert;
	cert = NULL;
	ret = 0;
out:
	crypto_clear_errors();
	X509_free(x509);
	free(cert);
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

int crypto_cert_der(const struct imactl_cert *cert, uint8_t **der_ret, size_t *len_ret)
{
	unsigned char *der = NULL;
	int len;

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
	X509_free(cert->x509);
	free(cert);
}

/* ---- sign and verify --------------------------------------------------- */

size_t crypto_key_sig_max(const struct imactl_key *key)
{
	return EVP_PKEY_get_size(key->pkey);
}

static EVP_PKEY_CTX *new_pkey_ctx(const struct imactl_ctx *ctx, EVP_PKEY *pkey, int algo, bool sign)
{
	const EVP_MD *md = cached_md(ctx, algo);
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
static EVP_PKEY_CTX *pctx_get(const struct imactl_ctx *ctx, struct imactl_key *key, int algo)
{
	EVP_PKEY_CTX *pctx = NULL;

	if (!key->hardware) {
		pthread_mutex_lock(&key->pool_lock);
		for (unsigned int i = key->n_pool; i-- > 0;) {
			if (key->pool[i].algo != algo)
				continue;
			pctx = key->pool[i].pctx;
			key->pool[i] = key->pool[--key->n_pool];
			break;
		}
		pthread_mutex_unlock(&key->pool_lock);
	}
	return pctx ? pctx : new_pkey_ctx(ctx, key->pkey, algo, true);
}

static void pctx_put(struct imactl_key *key, int algo, EVP_PKEY_CTX *pctx)
{
	if (!key->hardware) {
		pthread_mutex_lock(&key->pool_lock);
		if (key->n_pool < KEY_PCTX_POOL) {
			key->pool[key->n_pool].algo = algo;
			key->pool[key->n_pool++].pctx = pctx;
			pctx = NULL;
		}
		pthread_mutex_unlock(&key->pool_lock);
	}
	EVP_PKEY_CTX_free(pctx);
}

int crypto_sign(const struct imactl_ctx *ctx, const struct imactl_key *ckey,
		const struct imactl_digest *digest, uint8_t *sig, size_t *sig_len)
{
	/* the pool and the token's lock change; the key's identity does not */
	struct imactl_key *key = (struct imactl_key *)ckey;
	EVP_PKEY_CTX *pctx = pctx_get(ctx, key, digest->algo);
	size_t len = crypto_key_sig_max(key);
	int ret = 0;

	if (!pctx) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot sign %s digests with this key",
				  imactl_hash_algo_name(digest->algo));
		return -EOPNOTSUPP;
	}
	if (key->serialize)
		pthread_mutex_lock(&key->lock);
	if (EVP_PKEY_sign(pctx, sig, &len, digest->bytes, digest->len) != 1) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "signing failed%s",
				  key->hardware ? " in the PKCS#11 token" : "");
		ret = -EIO;
	} else {
		*sig_len = len;
	}
	if (key->serialize)
		pthread_mutex_unlock(&key->lock);
	if (ret < 0)
		EVP_PKEY_CTX_free(pctx); /* not reused after a failure */
	else
		pctx_put(key, digest->algo, pctx);
	return ret;
}

int crypto_verify(const struct imactl_ctx *ctx, const struct imactl_cert *cert,
		  const struct imactl_digest *digest, const uint8_t *sig, size_t sig_len)
{
	EVP_PKEY_CTX *pctx = new_pkey_ctx(ctx, cert->pkey, digest->algo, false);
	int ret;

	if (!pctx) {
		imactl_log_crypto(ctx, IMACTL_LOG_DEBUG,
				  "cannot verify %s signatures with this certificate",
				  imactl_hash_algo_name(digest->algo));
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

int crypto_md_new(const struct imactl_ctx *ctx, int algo, struct crypto_md **m_ret)
{
	const char *name = crypto_md_name(algo);
	struct crypto_md *m;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->algo = algo;
	/* fetched once: no per-digest algorithm lookup */
	m->md = name ? EVP_MD_fetch(NULL, name, NULL) : NULL;
	m->mctx = EVP_MD_CTX_new();
	if (!m->md || !m->mctx) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "hash algorithm %d is not available", algo);
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

int crypto_verify_cached(const struct imactl_ctx *ctx, struct crypto_verify_cache *c,
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
			return crypto_verify(ctx, cert, digest, sig, sig_len);
		pctx = new_pkey_ctx(ctx, cert->pkey, digest->algo, false);
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
