// SPDX-License-Identifier: LGPL-2.1-or-later
/* Keys in a PKCS#11 token, named by a pkcs11: URI (the OpenSSL pkcs11 engine, libp11). */
#include "crypto_private.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

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

int crypto_pkcs11_key_load(struct imactl_ctx *ctx, const char *uri, imactl_passphrase_fn pass_fn,
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
