// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The second crypto backend file: key generation, X.509 certificates and
 * CSRs (imactl keygen), and the checks of imactl cert check.
 */
#include "crypto_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define DEFAULT_DAYS   3650
#define MAX_DAYS       36500
#define MAX_PASSPHRASE 1024
#define DEBUG_LABEL    "debug - never use in production"

/* ---- key algorithms ----------------------------------------------------- */

static const struct {
	const char *name;
	bool rsa;
	unsigned int bits;
	const char *curve;
} key_algos[] = {
	[IMACTL_KEY_RSA_2048] = { "rsa-2048", true, 2048, NULL },
	[IMACTL_KEY_RSA_3072] = { "rsa-3072", true, 3072, NULL },
	[IMACTL_KEY_RSA_4096] = { "rsa-4096", true, 4096, NULL },
	[IMACTL_KEY_EC_P256] = { "ec-p256", false, 256, "P-256" },
	[IMACTL_KEY_EC_P384] = { "ec-p384", false, 384, "P-384" },
};

IMACTL_EXPORT int imactl_key_algo_by_name(const char *name)
{
	for (size_t i = 1; name && i < ARRAY_SIZE(key_algos); i++)
		if (!strcmp(key_algos[i].name, name))
			return (int)i;
	return -EINVAL;
}

IMACTL_EXPORT const char *imactl_key_algo_name(enum imactl_key_algo algo)
{
	if (algo < 1 || (size_t)algo >= ARRAY_SIZE(key_algos))
		return NULL;
	return key_algos[algo].name;
}

static int gen_key(const struct imactl_ctx *ctx, int algo, EVP_PKEY **pkey_ret)
{
	EVP_PKEY *pkey;

	if (key_algos[algo].rsa)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)key_algos[algo].bits);
	else
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", key_algos[algo].curve);
	if (!pkey) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot generate a %s key",
				  key_algos[algo].name);
		return -EIO;
	}
	*pkey_ret = pkey;
	return 0;
}

/* The digest certificates are signed with: SHA-384 for P-384, else SHA-256. */
static const EVP_MD *cert_md(EVP_PKEY *signing_key)
{
	return EVP_PKEY_get_bits(signing_key) == 384 &&
			       EVP_PKEY_get_base_id(signing_key) == EVP_PKEY_EC
		       ? EVP_sha384()
		       : EVP_sha256();
}

/* ---- subjects ------------------------------------------------------------ */

/*
 * "O=Example,CN=Name" or "/O=Example/CN=Name"; a backslash escapes the
 * separator.  Spaces around the separator are dropped.
 */
static int parse_subject(const struct imactl_ctx *ctx, const char *subject, X509_NAME **name_ret)
{
	char sep = subject[0] == '/' ? '/' : ',';
	const char *p = subject[0] == '/' ? subject + 1 : subject;
	size_t size = strlen(subject) + 1;
	X509_NAME *name = X509_NAME_new();
	char *buf = malloc(size);
	int ret = -EINVAL;

	if (!name || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (*p) {
		size_t n = 0;
		char *eq, *value;

		while (*p == ' ')
			p++;
		for (; *p && *p != sep; p++) {
			if (*p == '\\' && p[1])
				p++;
			buf[n++] = *p;
		}
		if (*p)
			p++;
		while (n && buf[n - 1] == ' ')
			n--;
		buf[n] = 0;
		if (!n)
			continue;
		eq = strchr(buf, '=');
		if (!eq || eq == buf || !eq[1]) {
			log_err(ctx, "subject '%s': '%s' is not KEY=VALUE", subject, buf);
			goto out;
		}
		*eq = 0;
		value = eq + 1;
		if (OBJ_txt2nid(buf) == NID_undef ||
		    !X509_NAME_add_entry_by_txt(name, buf, MBSTRING_UTF8,
						(const unsigned char *)value, -1, -1, 0)) {
			crypto_clear_errors();
			log_err(ctx,
				"subject '%s': unknown attribute '%s' (use C, ST, L, O, OU, CN, "
				"...)",
				subject, buf);
			goto out;
		}
	}
	if (X509_NAME_entry_count(name) == 0) {
		log_err(ctx, "subject '%s' is empty", subject);
		goto out;
	}
	*name_ret = name;
	name = NULL;
	ret = 0;
out:
	X509_NAME_free(name);
	free(buf);
	return ret;
}

/* ---- certificates -------------------------------------------------------- */

struct ext_spec {
	int nid;
	const char *value;
};

static const struct ext_spec ca_exts[] = {
	{ NID_basic_constraints, "CA:TRUE" },
	{ NID_key_usage, "keyCertSign,cRLSign" },
	{ NID_subject_key_identifier, "hash" },
	{ NID_authority_key_identifier, "keyid:always,issuer" },
	{ 0, NULL },
};

static const struct ext_spec signer_exts[] = {
	{ NID_basic_constraints, "critical,CA:FALSE" }, { NID_key_usage, "digitalSignature" },
	{ NID_ext_key_usage, "critical,codeSigning" },	{ NID_subject_key_identifier, "hash" },
	{ NID_authority_key_identifier, "keyid" },	{ 0, NULL },
};

/* 16 random bytes, positive and with a non-zero first byte. */
static int set_random_serial(X509 *x)
{
	unsigned char b[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	b[0] = (b[0] & 0x7f) | 0x40;
	bn = BN_bin2bn(b, sizeof(b), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	return ok ? 0 : -EIO;
}

/*
 * A certificate for @pkey named @subject, issued by @issuer/@issuer_key
 * (both NULL: self-signed with @pkey).
 */
static int make_cert(const struct imactl_ctx *ctx, const struct ext_spec *exts, EVP_PKEY *pkey,
		     const X509_NAME *subject, X509 *issuer, EVP_PKEY *issuer_key,
		     unsigned int days, X509 **x_ret)
{
	X509V3_CTX v3;
	X509 *x = X509_new();
	int ret = -EIO;

	if (!x)
		return -ENOMEM;
	if (!X509_set_version(x, X509_VERSION_3) || set_random_serial(x) < 0 ||
	    !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) ||
	    !X509_set_pubkey(x, pkey))
		goto fail;
	if (issuer && ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(issuer)) > 0) {
		int pday = 0, psec = 0;

		/* a CA made a moment earlier with the same --days is no news */
		if (ASN1_TIME_diff(&pday, &psec, X509_get0_notAfter(issuer),
				   X509_get0_notAfter(x)) &&
		    pday > 0)
			log_warn(ctx,
				 "the certificate ends when its CA does, in fewer than %u days",
				 days);
		if (!X509_set1_notAfter(x, X509_get0_notAfter(issuer)))
			goto fail;
	}
	/* SKI before AKI: a self-signed AKI refers to the cert's own SKI */
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	for (const struct ext_spec *e = exts; e->nid; e++) {
		X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, e->nid, e->value);

		if (!ext || !X509_add_ext(x, ext, -1)) {
			X509_EXTENSION_free(ext);
			goto fail;
		}
		X509_EXTENSION_free(ext);
	}
	if (!issuer_key)
		issuer_key = pkey;
	if (!X509_sign(x, issuer_key, cert_md(issuer_key)))
		goto fail;
	*x_ret = x;
	return 0;
fail:
	imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot make the certificate");
	X509_free(x);
	return ret;
}

static int make_csr(const struct imactl_ctx *ctx, EVP_PKEY *pkey, const X509_NAME *subject,
		    X509_REQ **req_ret)
{
	X509_REQ *req = X509_REQ_new();

	if (!req)
		return -ENOMEM;
	if (!X509_REQ_set_version(req, 0) || !X509_REQ_set_subject_name(req, subject) ||
	    !X509_REQ_set_pubkey(req, pkey) || !X509_REQ_sign(req, pkey, cert_md(pkey))) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot make the certificate request");
		X509_REQ_free(req);
		return -EIO;
	}
	*req_ret = req;
	return 0;
}

/* ---- serializing ----------------------------------------------------------- */

/* Output buffers; key material is wiped when freed. */
struct out_buf {
	uint8_t *data;
	size_t len;
	bool secret;
};

static void out_buf_free(struct out_buf *b)
{
	if (b->data && b->secret)
		OPENSSL_cleanse(b->data, b->len);
	free(b->data);
	b->data = NULL;
}

static int bio_take(BIO *bio, bool ok, bool secret, struct out_buf *out)
{
	char *p = NULL;
	long n;

	if (!ok || (n = BIO_get_mem_data(bio, &p)) <= 0) {
		BIO_free(bio);
		return -EIO;
	}
	out->data = malloc(n);
	if (!out->data) {
		BIO_free(bio);
		return -ENOMEM;
	}
	memcpy(out->data, p, n);
	out->len = n;
	out->secret = secret;
	BIO_free(bio); /* a secmem BIO wipes its buffer */
	return 0;
}

static int key_pem(const struct imactl_ctx *ctx, EVP_PKEY *pkey, const char *pass, int pass_len,
		   struct out_buf *out)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	int ok;

	if (!bio)
		return -ENOMEM;
	ok = PEM_write_bio_PKCS8PrivateKey(bio, pkey, pass ? EVP_aes_256_cbc() : NULL, pass,
					   pass ? pass_len : 0, NULL, NULL);
	if (!ok)
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot encode the private key");
	return bio_take(bio, ok, true, out);
}

static int cert_pem(X509 *x, struct out_buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());

	return bio ? bio_take(bio, PEM_write_bio_X509(bio, x), false, out) : -ENOMEM;
}

static int cert_der(X509 *x, struct out_buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());

	return bio ? bio_take(bio, i2d_X509_bio(bio, x), false, out) : -ENOMEM;
}

static int csr_pem(X509_REQ *req, struct out_buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());

	return bio ? bio_take(bio, PEM_write_bio_X509_REQ(bio, req), false, out) : -ENOMEM;
}

/* ---- keygen ------------------------------------------------------------------ */

static const char *const ca_files[] = { "ima-local-ca.priv", "ima-local-ca.pem",
					"ima-local-ca.x509", NULL };
static const char *const signer_files[] = { "privkey_ima.pem", "csr_ima.pem", "x509_ima.der",
					    NULL };
static const char *const self_signed_files[] = { "privkey_ima.pem", "x509_ima.der", NULL };
static const char *const debug_files[] = { "ima-local-ca.priv",
					   "ima-local-ca.pem",
					   "ima-local-ca.x509",
					   "privkey_ima.pem",
					   "csr_ima.pem",
					   "x509_ima.der",
					   NULL };

IMACTL_EXPORT const char *const *imactl_keygen_files(enum imactl_keygen_kind kind)
{
	switch (kind) {
	case IMACTL_KEYGEN_CA:
		return ca_files;
	case IMACTL_KEYGEN_SIGNER:
		return signer_files;
	case IMACTL_KEYGEN_SELF_SIGNED:
		return self_signed_files;
	case IMACTL_KEYGEN_DEBUG:
		return debug_files;
	}
	return NULL;
}

/* Everything one imactl_keygen() call makes, freed in one place. */
struct keygen_state {
	const struct imactl_ctx *ctx;
	char pass[MAX_PASSPHRASE];
	int pass_len; /* < 0: no passphrase */
	EVP_PKEY *ca_key, *key;
	X509 *ca, *cert;
	X509_REQ *csr;
	X509_NAME *ca_name, *name;
	struct out_buf bufs[6];
	struct out_file files[6];
	size_t n;
};

static int add_file(struct keygen_state *st, const char *name, unsigned int mode, int ret)
{
	struct out_buf *b = &st->bufs[st->n];

	if (ret < 0)
		return ret;
	st->files[st->n++] = (struct out_file){
		.name = name,
		.data = b->data,
		.len = b->len,
		.mode = mode,
	};
	return 0;
}

static int name_or_default(const struct imactl_ctx *ctx, const char *subject, const char *def,
			   X509_NAME **name_ret)
{
	return parse_subject(ctx, subject ? subject : def, name_ret);
}

/* Checks the issuing CA given by the caller: a CA whose key we hold. */
static int check_issuer(const struct imactl_ctx *ctx, const struct imactl_keygen_params *p)
{
	uint32_t flags;

	if (!p->ca_cert || !p->ca_key) {
		log_err(ctx, "a signer needs the CA certificate and the CA's private key");
		return -EINVAL;
	}
	flags = X509_get_extension_flags(p->ca_cert->x509);
	if (!(flags & EXFLAG_CA)) {
		log_err(ctx, "the CA certificate is not a CA (basicConstraints CA:TRUE missing)");
		return -EINVAL;
	}
	if (EVP_PKEY_eq(p->ca_key->pkey, p->ca_cert->pkey) != 1) {
		crypto_clear_errors();
		log_err(ctx, "the CA private key does not match the CA certificate");
		return -EKEYREJECTED;
	}
	if (p->ca_key->hardware)
		log_info(ctx, "the CA key is in a PKCS#11 token");
	return 0;
}

static int get_passphrase(struct keygen_state *st, const struct imactl_keygen_params *p)
{
	int n;

	st->pass_len = -1;
	if (!p->pass_fn)
		return 0;
	n = p->pass_fn(p->pass_data, st->pass, sizeof(st->pass));
	if (n < 0)
		return n;
	if (n == 0 || (size_t)n > sizeof(st->pass)) {
		log_err(st->ctx, "the passphrase is %s",
			n ? "too long"
			  : "empty: refusing to write an unprotected key as if encrypted");
		return -EINVAL;
	}
	st->pass_len = n;
	return 0;
}

/* @existing (a reference taken), e.g. a key in a PKCS#11 token, or a new key. */
static int use_or_gen_key(const struct imactl_ctx *ctx, const struct imactl_key *existing, int algo,
			  EVP_PKEY **key_ret)
{
	if (!existing)
		return gen_key(ctx, algo, key_ret);
	if (!EVP_PKEY_up_ref(existing->pkey))
		return -ENOMEM;
	*key_ret = existing->pkey;
	return 0;
}

static int make_ca(struct keygen_state *st, const struct imactl_keygen_params *p, int algo,
		   const char *def_subject)
{
	const char *pass = st->pass_len >= 0 ? st->pass : NULL;
	int ret;

	ret = name_or_default(st->ctx, p->subject, def_subject, &st->ca_name);
	if (!ret)
		ret = use_or_gen_key(st->ctx, p->key, algo, &st->ca_key);
	if (!ret)
		ret = make_cert(st->ctx, ca_exts, st->ca_key, st->ca_name, NULL, NULL, p->days,
				&st->ca);
	if (!ret && !p->key)
		ret = add_file(st, ca_files[0], 0600,
			       key_pem(st->ctx, st->ca_key, pass, st->pass_len, &st->bufs[st->n]));
	if (!ret)
		ret = add_file(st, ca_files[1], 0644, cert_pem(st->ca, &st->bufs[st->n]));
	if (!ret)
		ret = add_file(st, ca_files[2], 0644, cert_der(st->ca, &st->bufs[st->n]));
	return ret;
}

/* SIGNER (issuer given) or SELF_SIGNED (issuer NULL). */
static int make_signer(struct keygen_state *st, const struct imactl_keygen_params *p, int algo,
		       const char *subject, X509 *issuer, EVP_PKEY *issuer_key)
{
	const char *pass = st->pass_len >= 0 ? st->pass : NULL;
	int ret;

	ret = parse_subject(st->ctx, subject, &st->name);
	if (!ret)
		ret = use_or_gen_key(st->ctx, p->key, algo, &st->key);
	if (!ret)
		ret = make_cert(st->ctx, signer_exts, st->key, st->name, issuer, issuer_key,
				p->days, &st->cert);
	if (!ret && !p->key)
		ret = add_file(st, signer_files[0], 0600,
			       key_pem(st->ctx, st->key, pass, st->pass_len, &st->bufs[st->n]));
	if (!ret && issuer) {
		ret = make_csr(st->ctx, st->key, st->name, &st->csr);
		if (!ret)
			ret = add_file(st, signer_files[1], 0644,
				       csr_pem(st->csr, &st->bufs[st->n]));
	}
	if (!ret)
		ret = add_file(st, signer_files[2], 0644, cert_der(st->cert, &st->bufs[st->n]));
	return ret;
}

IMACTL_EXPORT int imactl_keygen(struct imactl_ctx *ctx, enum imactl_keygen_kind kind,
				const char *dir, const struct imactl_keygen_params *params)
{
	struct imactl_keygen_params p = *params;
	struct keygen_state *st = NULL;
	const char *const *names = imactl_keygen_files(kind);
	int algo = p.key_algo, ret;

	if (!names || !dir || PARAMS_RESERVED_CHECK(ctx, params, "imactl_keygen_params") < 0)
		return -EINVAL;
	if (!algo)
		algo = kind == IMACTL_KEYGEN_DEBUG ? IMACTL_KEY_RSA_2048 : IMACTL_KEY_RSA_3072;
	if (!imactl_key_algo_name(algo) || p.days > MAX_DAYS) {
		log_err(ctx, "%s",
			p.days > MAX_DAYS ? "validity of more than 36500 days"
					  : "unknown key algorithm");
		return -EINVAL;
	}
	if (!p.days)
		p.days = DEFAULT_DAYS;
	if (kind == IMACTL_KEYGEN_SIGNER) {
		ret = check_issuer(ctx, &p);
		if (ret < 0)
			return ret;
	} else if (p.ca_cert || p.ca_key || (kind == IMACTL_KEYGEN_DEBUG && p.subject)) {
		log_err(ctx, "a CA certificate or subject was given where none is used");
		return -EINVAL;
	}
	if (p.key && (kind == IMACTL_KEYGEN_DEBUG || p.pass_fn)) {
		log_err(ctx, "an existing key is certified as a CA, a signer or self-signed (not "
			     "debug), and not re-encrypted");
		return -EINVAL;
	}
	/* before the (slow) key generation; an existing key writes no key file */
	ret = out_files_check(ctx, dir, names + (p.key ? 1 : 0), p.flags & IMACTL_KEYGEN_FORCE);
	if (ret < 0)
		return ret;
	st = OPENSSL_secure_zalloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->ctx = ctx;
	ret = get_passphrase(st, &p);
	if (ret < 0)
		goto out;
	switch (kind) {
	case IMACTL_KEYGEN_CA:
		ret = make_ca(st, &p, algo, "CN=imactl local IMA CA");
		break;
	case IMACTL_KEYGEN_SIGNER:
		ret = make_signer(st, &p, algo, p.subject ? p.subject : "CN=imactl IMA signing key",
				  p.ca_cert->x509, p.ca_key->pkey);
		break;
	case IMACTL_KEYGEN_SELF_SIGNED:
		ret = make_signer(st, &p, algo,
				  p.subject ? p.subject : "CN=imactl IMA signing key (self-signed)",
				  NULL, NULL);
		break;
	case IMACTL_KEYGEN_DEBUG:
		ret = make_ca(st, &p, algo, "O=imactl debug keys,CN=imactl CA - " DEBUG_LABEL);
		if (!ret)
			ret = make_signer(
				st, &p, algo,
				"O=imactl debug keys,CN=imactl signing key - " DEBUG_LABEL, st->ca,
				st->ca_key);
		break;
	}
	if (!ret)
		ret = out_files_write(ctx, dir, st->files, st->n, p.flags & IMACTL_KEYGEN_FORCE);
out:
	crypto_clear_errors();
	EVP_PKEY_free(st->ca_key);
	EVP_PKEY_free(st->key);
	X509_free(st->ca);
	X509_free(st->cert);
	X509_REQ_free(st->csr);
	X509_NAME_free(st->ca_name);
	X509_NAME_free(st->name);
	for (size_t i = 0; i < st->n; i++)
		out_buf_free(&st->bufs[i]);
	OPENSSL_secure_clear_free(st, sizeof(*st));
	return ret;
}

/* ---- certificate checks ------------------------------------------------------- */

IMACTL_EXPORT int imactl_cert_time_check(const struct imactl_cert *cert, int64_t at)
{
	time_t t = at ? (time_t)at : time(NULL);

	if (!cert->x509)
		return 0; /* a bare public key (a runtime policy's) has no validity period */
	if (X509_cmp_time(X509_get0_notBefore(cert->x509), &t) > 0)
		return -ERANGE;
	if (X509_cmp_time(X509_get0_notAfter(cert->x509), &t) < 0)
		return -EKEYEXPIRED;
	return 0;
}

struct checker {
	const struct imactl_ctx *ctx;
	struct imactl_cert_report *r;
	int error; /* -ENOMEM once adding a finding failed */
	time_t at;
};

static void PRINTF_FMT(4, 5)
	add(struct checker *c, int severity, const char *subject, const char *fmt, ...)
{
	struct imactl_cert_finding *f;
	va_list ap;
	char *text = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	f = n < 0 ? NULL : realloc(c->r->findings, (c->r->count + 1) * sizeof(*f));
	if (!f) {
		if (n >= 0)
			free(text);
		c->error = -ENOMEM;
		return;
	}
	c->r->findings = f;
	f[c->r->count++] = (struct imactl_cert_finding){
		.severity = severity,
		.subject = subject,
		.text = text,
	};
	if (severity == IMACTL_LOG_ERR)
		c->r->errors++;
	else if (severity == IMACTL_LOG_WARNING)
		c->r->warnings++;
}

#define ERR  IMACTL_LOG_ERR
#define WARN IMACTL_LOG_WARNING
#define INFO IMACTL_LOG_INFO

static void format_time(const ASN1_TIME *t, char *buf, size_t size)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1 || !strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, size, "(unreadable time)");
}

static void check_key(struct checker *c, const char *who, X509 *x)
{
	EVP_PKEY *pkey = X509_get0_pubkey(x);
	char curve[64] = "";
	int bits;

	crypto_clear_errors();
	if (!pkey) {
		add(c, ERR, who,
		    "public key: an algorithm this OpenSSL (and the kernel) cannot read");
		return;
	}
	bits = EVP_PKEY_get_bits(pkey);
	switch (EVP_PKEY_get_base_id(pkey)) {
	case EVP_PKEY_RSA:
		if (bits < 1024 || bits > 16384)
			add(c, ERR, who,
			    "public key: RSA-%d: the kernel accepts 1024 to 16384 bits", bits);
		else if (bits < 2048)
			add(c, WARN, who, "public key: RSA-%d is weak: use 2048 bits or more",
			    bits);
		else
			add(c, INFO, who, "public key: RSA-%d", bits);
		return;
	case EVP_PKEY_EC:
		EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve,
					       sizeof(curve), NULL);
		if (!strcmp(curve, "prime256v1") || !strcmp(curve, "secp384r1"))
			add(c, INFO, who,
			    "public key: EC %s (the kernel needs CONFIG_CRYPTO_ECDSA, Linux 5.13 "
			    "or later, for it; RSA works everywhere)",
			    curve[5] == '3' ? "P-384" : "P-256");
		else
			add(c, ERR, who,
			    "public key: EC curve %s: the kernel verifies only P-256 and P-384",
			    curve[0] ? curve : "(explicit parameters)");
		return;
	case EVP_PKEY_RSA_PSS:
		add(c, ERR, who,
		    "public key: RSA-PSS keys are not accepted by the kernel's x509 parser for "
		    "IMA");
		return;
	default:
		add(c, ERR, who,
		    "public key: %s: the kernel verifies IMA signatures with RSA or EC P-256/P-384 "
		    "only",
		    OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
	}
}

/* The algorithm the certificate itself is signed with (the kernel checks it). */
static void check_sig_alg(struct checker *c, const char *who, X509 *x)
{
	int md = NID_undef, pk = NID_undef, nid = X509_get_signature_nid(x);

	if (!OBJ_find_sigid_algs(nid, &md, &pk)) {
		add(c, ERR, who, "signed with %s: not an algorithm the kernel verifies",
		    OBJ_nid2sn(nid));
		return;
	}
	switch (md) {
	case NID_sha256:
	case NID_sha384:
	case NID_sha512:
	case NID_sha224:
		break;
	case NID_sha1:
		add(c, WARN, who, "signed with SHA-1: weak, and newer kernels may refuse it");
		return;
	default:
		add(c, ERR, who,
		    "signed with %s: not a digest the kernel verifies certificates with",
		    OBJ_nid2sn(md));
		return;
	}
	if (pk != NID_rsaEncryption && pk != NID_X9_62_id_ecPublicKey)
		add(c, ERR, who, "signed with %s: not an algorithm the kernel verifies",
		    OBJ_nid2sn(nid));
}

static void check_validity(struct checker *c, const char *who, X509 *x)
{
	const ASN1_TIME *nb = X509_get0_notBefore(x), *na = X509_get0_notAfter(x);
	time_t soon = c->at + 30 * 24 * 3600;
	char b[64], a[64];

	format_time(nb, b, sizeof(b));
	format_time(na, a, sizeof(a));
	if (X509_cmp_time(nb, &c->at) > 0)
		add(c, ERR, who, "not valid yet: valid from %s", b);
	else if (X509_cmp_time(na, &c->at) < 0)
		add(c, ERR, who, "expired on %s", a);
	else if (X509_cmp_time(na, &soon) < 0)
		add(c, WARN, who, "expires within 30 days, on %s", a);
	else
		add(c, INFO, who, "valid from %s to %s", b, a);
}

static uint32_t ski_keyid(X509 *x, bool *present)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);

	*present = ski && ASN1_STRING_length(ski) >= 4;
	return *present ? get_be32(ASN1_STRING_get0_data(ski) + ASN1_STRING_length(ski) - 4) : 0;
}

/* Not X509_check_issued(x, x): that also wants keyCertSign. */
static bool is_self_signed(X509 *x)
{
	EVP_PKEY *pkey = X509_get0_pubkey(x);
	bool ret = pkey && !X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) &&
		   X509_verify(x, pkey) == 1;

	crypto_clear_errors();
	return ret;
}

/* The end-entity certificate: usable as an IMA signing key? */
static void check_signer(struct checker *c, X509 *x)
{
	uint32_t flags = X509_get_extension_flags(x), pk_keyid = 0, keyid;
	EVP_PKEY *pkey = X509_get0_pubkey(x);
	bool has_ski;

	if (X509_get_version(x) != X509_VERSION_3)
		add(c, WARN, "cert", "X.509 version %ld: extensions need version 3",
		    X509_get_version(x) + 1);
	if (!(flags & EXFLAG_BCONS))
		add(c, WARN, "cert", "no basicConstraints: add critical CA:FALSE");
	else if (flags & EXFLAG_CA)
		add(c, ERR, "cert",
		    "basicConstraints CA:TRUE: a signing key must be an end-entity certificate "
		    "(CA:FALSE)");
	if (!(flags & EXFLAG_KUSAGE))
		add(c, WARN, "cert",
		    "no keyUsage: add digitalSignature (kernels that restrict the IMA keyring "
		    "require it)");
	else if (!(X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE))
		add(c, ERR, "cert",
		    "keyUsage lacks digitalSignature: the key may not verify file signatures");
	if ((flags & EXFLAG_XKUSAGE) && !(X509_get_extended_key_usage(x) & XKU_CODE_SIGN))
		add(c, WARN, "cert", "extendedKeyUsage without codeSigning");
	if (pkey && crypto_pubkey_keyid(pkey, &pk_keyid) < 0)
		pk_keyid = 0;
	keyid = ski_keyid(x, &has_ski);
	if (!has_ski) {
		add(c, ERR, "cert",
		    "no subjectKeyIdentifier: the kernel cannot find the key by the keyid in a "
		    "signature (keyid computed from the key: %08x)",
		    pk_keyid);
		c->r->keyid = pk_keyid;
		return;
	}
	c->r->keyid = keyid;
	add(c, INFO, "cert", "keyid %08x (the last 4 bytes of the subjectKeyIdentifier)", keyid);
	if (pkey && keyid != pk_keyid)
		add(c, WARN, "cert",
		    "the subjectKeyIdentifier is not the SHA-1 of the public key: evmctl computes "
		    "keyid %08x from the key, the kernel looks for %08x (sign with imactl --cert, "
		    "or evmctl --keyid %08x)",
		    pk_keyid, keyid, keyid);
}

static void check_ca(struct checker *c, X509 *ca)
{
	uint32_t flags = X509_get_extension_flags(ca);
	bool has_ski;

	if (!(flags & EXFLAG_CA))
		add(c, ERR, "ca", "not a CA: basicConstraints CA:TRUE is missing");
	if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(ca) & KU_KEY_CERT_SIGN))
		add(c, ERR, "ca", "keyUsage lacks keyCertSign: it may not sign certificates");
	ski_keyid(ca, &has_ski);
	if (!has_ski)
		add(c, WARN, "ca",
		    "no subjectKeyIdentifier: the kernel can then find it only by issuer and "
		    "serial number");
	if (!is_self_signed(ca))
		add(c, INFO, "ca",
		    "not self-signed: its own issuer must be trusted by the kernel too");
	check_key(c, "ca", ca);
	check_sig_alg(c, "ca", ca);
	check_validity(c, "ca", ca);
}

static void check_chain(struct checker *c, X509 *x, X509 *ca)
{
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(x);
	const ASN1_OCTET_STRING *ca_ski = X509_get0_subject_key_id(ca);
	X509_STORE_CTX *sctx = NULL;
	X509_STORE *store = NULL;
	int rc;

	if (X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(ca)) != 0) {
		add(c, ERR, "cert",
		    "not issued by this CA: its issuer name is not the CA's subject");
		return;
	}
	if (!aki && !X509_get0_authority_issuer(x))
		add(c, ERR, "cert",
		    "no authorityKeyIdentifier: the kernel cannot find the issuing CA in its "
		    "keyring");
	else if (aki && ca_ski && ASN1_OCTET_STRING_cmp(aki, ca_ski) != 0)
		add(c, ERR, "cert",
		    "its authorityKeyIdentifier is not the CA's subjectKeyIdentifier: the kernel "
		    "cannot find the CA");
	if (ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(ca)) > 0)
		add(c, WARN, "cert", "valid longer than its CA");
	store = X509_STORE_new();
	sctx = X509_STORE_CTX_new();
	if (!store || !sctx || !X509_STORE_add_cert(store, ca) ||
	    !X509_STORE_CTX_init(sctx, store, x, NULL)) {
		c->error = -ENOMEM;
		goto out;
	}
	/* validity periods are reported on their own, at the time asked for */
	X509_STORE_CTX_set_flags(sctx, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_PARTIAL_CHAIN);
	rc = X509_verify_cert(sctx);
	if (rc == 1)
		add(c, INFO, "cert", "chain: issued and signed by the CA");
	else
		add(c, ERR, "cert", "chain: %s",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(sctx)));
out:
	crypto_clear_errors();
	X509_STORE_CTX_free(sctx);
	X509_STORE_free(store);
}

IMACTL_EXPORT int imactl_cert_check(struct imactl_ctx *ctx, const char *cert_path,
				    const char *ca_path, int64_t at,
				    struct imactl_cert_report **report_ret)
{
	struct checker c = { .ctx = ctx, .at = at ? (time_t)at : time(NULL) };
	X509 *x = NULL, *ca = NULL;
	int ret;

	ret = crypto_load_x509(ctx, cert_path, &x, NULL);
	if (!ret && ca_path)
		ret = crypto_load_x509(ctx, ca_path, &ca, NULL);
	if (ret < 0)
		goto out;
	c.r = calloc(1, sizeof(*c.r));
	if (!c.r) {
		ret = -ENOMEM;
		goto out;
	}
	check_key(&c, "cert", x);
	check_sig_alg(&c, "cert", x);
	check_signer(&c, x);
	check_validity(&c, "cert", x);
	if (ca) {
		check_chain(&c, x, ca);
		check_ca(&c, ca);
	} else if (is_self_signed(x)) {
		add(&c, INFO, "cert",
		    "self-signed: load it into the _ima keyring directly; a kernel whose .ima "
		    "keyring is restricted needs a certificate issued by a CA it trusts");
	} else {
		add(&c, INFO, "cert", "issued by a CA: give the CA certificate to check the chain");
	}
	ret = c.error;
	if (!ret) {
		*report_ret = c.r;
		c.r = NULL;
	}
out:
	crypto_clear_errors();
	imactl_cert_report_free(c.r);
	X509_free(x);
	X509_free(ca);
	return ret;
}

IMACTL_EXPORT void imactl_cert_report_free(struct imactl_cert_report *report)
{
	if (!report)
		return;
	for (size_t i = 0; i < report->count; i++)
		free(report->findings[i].text);
	free(report->findings);
	free(report);
}

int crypto_cert_key_kind(const struct imactl_cert *cert)
{
	char curve[64] = "";

	switch (EVP_PKEY_get_base_id(cert->pkey)) {
	case EVP_PKEY_RSA:
		switch (EVP_PKEY_get_bits(cert->pkey)) {
		case 2048:
			return IMACTL_KEY_RSA_2048;
		case 3072:
			return IMACTL_KEY_RSA_3072;
		case 4096:
			return IMACTL_KEY_RSA_4096;
		}
		/* other sizes: the kernel takes them too */
		return EVP_PKEY_get_bits(cert->pkey) >= 1024 ? IMACTL_KEY_RSA_2048 : 0;
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_utf8_string_param(cert->pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve,
						    sizeof(curve), NULL))
			return 0;
		if (!strcmp(curve, "prime256v1"))
			return IMACTL_KEY_EC_P256;
		if (!strcmp(curve, "secp384r1"))
			return IMACTL_KEY_EC_P384;
		return 0;
	}
	return 0;
}
