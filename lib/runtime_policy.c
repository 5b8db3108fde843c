// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Keylime runtime policies (JSON, parsed with json-c): reference digests per
 * path, excludes, keys; and the verdict on one measurement-list entry, as
 * Keylime's verifier gives it (keylime/ima/ima.py), with the stricter
 * signature rule the header describes.  Names are looked up in open-addressing
 * hash tables: judging an entry costs one hash of its name and a compare.
 */
#include "lib_private.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#define MAX_POLICY_SIZE (1ul << 30)
#define MAX_DIGEST	64 /* schema: 40..128 hex digits */

/*
 * A name and its digests are one record in the policy's arena, so a lookup
 * touches the slot and one place in memory: u32 name length, u32 digest
 * count, the name and its NUL, then per digest a length byte and the bytes.
 */
struct rp_slot {
	uint32_t hash;
	uint32_t off; /* record offset + 1; 0: empty slot */
};

struct rp_table {
	struct rp_slot *slot;
	size_t mask; /* size - 1, size a power of two */
	size_t n;
};

struct imactl_runtime_policy {
	struct imactl_ctx *ctx;
	struct json_object *root; /* owns every name string */
	struct rp_table digests, imabuf, keyrings;
	uint8_t *arena;
	size_t alen, acap;
	regex_t excl;
	bool have_excl;
	locale_t utf8; /* (locale_t)0: matching in the C locale */
	char **ignored;
	size_t nignored;
	bool ignore_all;
	struct imactl_keyring *keys;
	struct crypto_verify_cache *vcache;
	struct imactl_digest sha256; /* of the bytes parsed */
};

/* FNV-1a: short names, one pass, no setup; the table is power-of-two sized. */
static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

static int table_init(struct rp_table *t, size_t n)
{
	size_t size = 16;

	while (size < 2 * n + 1)
		size *= 2;
	t->slot = calloc(size, sizeof(*t->slot));
	if (!t->slot)
		return -ENOMEM;
	t->mask = size - 1;
	t->n = 0;
	return 0;
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The record of @name (@len bytes), or NULL. */
static const uint8_t *table_find(const struct imactl_runtime_policy *pol, const struct rp_table *t,
				 const char *name, size_t len)
{
	uint32_t h = name_hash(name, len);

	if (!t->slot)
		return NULL;
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		const struct rp_slot *s = &t->slot[i];
		const uint8_t *rec;

		if (!s->off)
			return NULL;
		if (s->hash != h)
			continue;
		rec = pol->arena + s->off - 1;
		if (get_u32(rec) == len && !memcmp(rec + 8, name, len))
			return rec;
	}
}

/* Names are unique: json-c keeps one member per key (the last one, as Python). */
static void table_put(struct rp_table *t, const char *name, size_t len, size_t off)
{
	uint32_t h = name_hash(name, len);
	size_t i = h & t->mask;

	while (t->slot[i].off)
		i = (i + 1) & t->mask;
	t->slot[i] = (struct rp_slot){ h, (uint32_t)off + 1 };
	t->n++;
}

static int arena_add(struct imactl_runtime_policy *pol, const void *p, size_t len)
{
	if (pol->alen + len + 3 >= UINT32_MAX)
		return -ENOMEM;
	if (pol->alen + len + 3 > pol->acap) {
		size_t n = pol->acap ? pol->acap * 2 : 1 << 16;
		uint8_t *a;

		while (n < pol->alen + len + 3)
			n *= 2;
		a = realloc(pol->arena, n);
		if (!a)
			return -ENOMEM;
		pol->arena = a;
		pol->acap = n;
	}
	memcpy(pol->arena + pol->alen, p, len);
	pol->alen += len;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* the schema allows lower case only */
}

PRINTF_FMT(3, 4)
static int bad(const struct imactl_runtime_policy *pol, const char *name, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err(pol->ctx, "%s: not a Keylime runtime policy: %s", name, msg);
	return -EBADMSG;
}

/* Appends a length byte and the digest; an odd length never equals a logged digest. */
static int add_digest(struct imactl_runtime_policy *pol, const char *hex, size_t len, bool *usable)
{
	uint8_t d[1 + MAX_DIGEST];

	*usable = len % 2 == 0;
	if (!*usable)
		return 0;
	d[0] = len / 2;
	for (size_t i = 0; i < len / 2; i++)
		d[1 + i] = hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]);
	return arena_add(pol, d, 1 + len / 2);
}

/* A "digests-object" of the schema: name -> non-empty array of 40..128 hex digits. */
static int parse_digests(struct imactl_runtime_policy *pol, const char *file, const char *field,
			 struct rp_table *t)
{
	struct json_object *obj = NULL;
	int ret;

	if (!json_object_object_get_ex(pol->root, field, &obj))
		return bad(pol, file, "\"%s\" is missing", field);
	if (!json_object_is_type(obj, json_type_object))
		return bad(pol, file, "\"%s\" is not an object", field);
	ret = table_init(t, json_object_object_length(obj));
	if (ret < 0)
		return ret;
	json_object_object_foreach(obj, name, list)
	{
		size_t n, rec, name_len = strlen(name);
		uint32_t head[2] = { (uint32_t)name_len, 0 };

		pol->alen = (pol->alen + 3) & ~(size_t)3;
		rec = pol->alen;
		ret = arena_add(pol, head, sizeof(head));
		if (ret == 0)
			ret = arena_add(pol, name, name_len + 1);
		if (ret < 0)
			return ret;
		if (!json_object_is_type(list, json_type_array) ||
		    (n = json_object_array_length(list)) == 0)
			return bad(pol, file, "\"%s\": \"%s\": not a non-empty array of digests",
				   field, name);
		for (size_t i = 0; i < n; i++) {
			struct json_object *d = json_object_array_get_idx(list, i);
			const char *hex = json_object_get_string(d);
			size_t len = json_object_get_string_len(d);
			bool usable;

			if (!json_object_is_type(d, json_type_string) || len < 40 || len > 128 ||
			    strspn(hex, "0123456789abcdef") != len)
				return bad(pol, file,
					   "\"%s\": \"%s\": digest %zu is not 40 to 128 lower-case "
					   "hex digits",
					   field, name, i + 1);
			ret = add_digest(pol, hex, len, &usable);
			if (ret < 0)
				return ret;
			head[1] += usable;
		}
		memcpy(pol->arena + rec + 4, &head[1], 4);
		table_put(t, name, name_len, rec);
	}
	return 0;
}

/*
 * Python's re syntax to POSIX ERE, for what both have in common; the rest is
 * refused rather than given another meaning.
 */
/*
 * Length of the {m}, {m,} or {m,n} bound at @p (Python's form, which ERE
 * shares), or 0 when '{' is a literal there.
 */
static size_t bound_len(const char *p)
{
	size_t i = 1, digits = strspn(p + 1, "0123456789");

	i += digits;
	if (p[i] == ',')
		i += 1 + strspn(p + i + 1, "0123456789");
	return p[i] == '}' && digits ? i + 1 : 0;
}

static int regex_translate(const char *re, char **out_ret, const char **why)
{
	size_t len = strlen(re), o = 0;
	char *out = malloc(len * 6 + 1);
	bool in_class = false, after_quant = false, lazy = false;
	size_t class_start = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char c = re[i];

		if (in_class) {
			if (c == ']' && i > class_start) {
				in_class = false;
				out[o++] = c;
			} else if (c == '\\') {
				char n = re[++i];

				if (n == 'd') {
					memcpy(out + o, "0-9", 3);
					o += 3;
				} else if (n == 's') {
					memcpy(out + o, " \t\n\r\f\v", 6);
					o += 6;
				} else if (n == '\0' || n == ']' || n == '\\' || n == '^' ||
					   n == '-' || n == '[' || (n >= '0' && n <= '9') ||
					   (n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z')) {
					*why = "an escape inside [...] that POSIX classes cannot "
					       "carry";
					goto fail;
				} else {
					out[o++] = n;
				}
			} else {
				out[o++] = c;
			}
			continue;
		}
		if (c == '[') {
			in_class = true;
			after_quant = false;
			out[o++] = c;
			if (re[i + 1] == '^')
				out[o++] = re[++i];
			class_start = i + 1; /* a ']' right here is a literal */
			continue;
		}
		if (c == '(' && re[i + 1] == '?') {
			*why = "(?...) groups (lookarounds, flags, non-capturing) have no POSIX "
			       "form";
			goto fail;
		}
		if (c == '\\') {
			char n = re[++i];

			if (n == 'd' || n == 'D') {
				memcpy(out + o, n == 'd' ? "[0-9]" : "[^0-9]", n == 'd' ? 5 : 6);
				o += n == 'd' ? 5 : 6;
				continue;
			}
			if (n == 'A' || n == 'Z' || n == '\0') {
				*why = n ? "\\A and \\Z have no POSIX form"
					 : "a trailing backslash";
				goto fail;
			}
			out[o++] = c;
			out[o++] = n;
			after_quant = false;
			continue;
		}
		size_t bound = c == '{' ? bound_len(re + i) : 0;

		if (c == '*' || c == '+' || c == '?' || bound) {
			/*
			 * After a quantifier: '?' makes it lazy, which changes
			 * which match is found but not whether one is (Keylime
			 * asks re.match() only that), so the greedy ERE form
			 * says the same; anything else is Python's "multiple
			 * repeat" error or 3.11's possessive form, which ERE
			 * cannot say (and glibc's regcomp() would grow without
			 * bound on a run of them).
			 */
			if (after_quant && c == '?' && !lazy) {
				lazy = true;
				continue;
			}
			if (after_quant) {
				*why = c == '+' && !lazy
					       ? "possessive quantifiers (X++, X*+) have no "
						 "POSIX form"
					       : "a quantifier after a quantifier (Python: "
						 "multiple repeat)";
				goto fail;
			}
			after_quant = true;
			lazy = false;
			if (bound) {
				memcpy(out + o, re + i, bound);
				o += bound;
				i += bound - 1;
				continue;
			}
		} else {
			after_quant = false;
		}
		out[o++] = c;
	}
	if (in_class) {
		*why = "an unterminated [...]";
		goto fail;
	}
	out[o] = '\0';
	*out_ret = out;
	return 0;
fail:
	free(out);
	return -EBADMSG;
}

static int compile(struct imactl_runtime_policy *pol, regex_t *re, const char *pattern)
{
	locale_t old = pol->utf8 ? uselocale(pol->utf8) : (locale_t)0;
	int ret = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);

	if (old)
		uselocale(old);
	return ret;
}

/* Keylime: re.match() of "(p1)|(p2)|..." ; here "^(p1)|^(p2)|...", one regex_t. */
static int parse_excludes(struct imactl_runtime_policy *pol, const char *file)
{
	struct json_object *arr = NULL;
	char *all = NULL, *one = NULL;
	size_t n, all_len = 0;
	int ret = 0;

	if (!json_object_object_get_ex(pol->root, "excludes", &arr))
		return bad(pol, file, "\"excludes\" is missing");
	if (!json_object_is_type(arr, json_type_array))
		return bad(pol, file, "\"excludes\" is not an array");
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		const char *why = NULL;
		char *tmp;
		regex_t re;
		int rc;

		if (!json_object_is_type(s, json_type_string))
			return bad(pol, file, "\"excludes\": item %zu is not a string", i + 1);
		if (strlen(json_object_get_string(s)) != (size_t)json_object_get_string_len(s)) {
			ret = bad(pol, file, "\"excludes\": item %zu contains a NUL", i + 1);
			goto out;
		}
		ret = regex_translate(json_object_get_string(s), &one, &why);
		if (ret == -EBADMSG) {
			ret = bad(pol, file, "\"excludes\": item %zu (%s): %s", i + 1,
				  json_object_get_string(s), why);
			goto out;
		}
		if (ret < 0)
			goto out;
		rc = compile(pol, &re, one);
		if (rc) {
			char err[128];

			regerror(rc, &re, err, sizeof(err));
			ret = bad(pol, file, "\"excludes\": item %zu (%s): %s", i + 1,
				  json_object_get_string(s), err);
			goto out;
		}
		regfree(&re);
		tmp = realloc(all, all_len + strlen(one) + 5);
		if (!tmp) {
			ret = -ENOMEM;
			goto out;
		}
		all = tmp;
		all_len += sprintf(all + all_len, "%s^(%s)", i ? "|" : "", one);
		free(one);
		one = NULL;
	}
	if (all) {
		if (compile(pol, &pol->excl, all)) {
			ret = bad(pol, file, "\"excludes\": the patterns do not combine");
			goto out;
		}
		pol->have_excl = true;
	}
out:
	free(one);
	free(all);
	return ret;
}

static bool excluded(const struct imactl_runtime_policy *pol, const char *name)
{
	locale_t old;
	int rc;

	if (!pol->have_excl)
		return false;
	old = pol->utf8 ? uselocale(pol->utf8) : (locale_t)0;
	rc = regexec(&pol->excl, name, 0, NULL, 0);
	if (old)
		uselocale(old);
	return rc == 0;
}

/* "verification-keys": a JSON string holding {"keyids": [int], "pubkeys": [base64 SPKI]}. */
static int parse_keys(struct imactl_runtime_policy *pol, const char *file, const char *text)
{
	struct json_object *kr = NULL, *ids = NULL, *keys = NULL;
	int ret = 0;

	if (!*text)
		return 0;
	kr = json_tokener_parse(text);
	if (kr && json_object_is_type(kr, json_type_string)) {
		/* Keylime also takes it encoded twice */
		struct json_object *inner = json_tokener_parse(json_object_get_string(kr));

		json_object_put(kr);
		kr = inner;
	}
	if (!kr || !json_object_is_type(kr, json_type_object)) {
		ret = bad(pol, file, "\"verification-keys\" is not a JSON object in a string");
		goto out;
	}
	if (!json_object_object_get_ex(kr, "keyids", &ids) ||
	    !json_object_is_type(ids, json_type_array) ||
	    !json_object_object_get_ex(kr, "pubkeys", &keys) ||
	    !json_object_is_type(keys, json_type_array)) {
		ret = bad(pol, file,
			  "\"verification-keys\": \"keyids\" and \"pubkeys\" must be arrays");
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(ids); i++)
		if (!json_object_is_type(json_object_array_get_idx(ids, i), json_type_int)) {
			ret = bad(pol, file, "\"verification-keys\": keyid %zu is not an integer",
				  i + 1);
			goto out;
		}
	for (size_t i = 0; i < json_object_array_length(keys); i++) {
		struct json_object *k = json_object_array_get_idx(keys, i);
		struct json_object *id = json_object_array_get_idx(ids, i);
		struct imactl_cert *cert = NULL;
		uint8_t *der = NULL;
		size_t der_len = 0;
		int64_t keyid = id ? json_object_get_int64(id) : 0;

		if (!json_object_is_type(k, json_type_string) ||
		    crypto_base64_decode(json_object_get_string(k), json_object_get_string_len(k),
					 &der, &der_len) < 0) {
			ret = bad(pol, file, "\"verification-keys\": pubkey %zu is not base64",
				  i + 1);
			goto out;
		}
		/* Keylime computes the keyid when it is 0 (or absent) */
		ret = crypto_cert_from_data(pol->ctx, file, der, der_len,
					    keyid > 0 && keyid <= UINT32_MAX ? (uint32_t)keyid : 0,
					    &cert);
		free(der);
		if (ret < 0) {
			ret = bad(
				pol, file,
				"\"verification-keys\": pubkey %zu is not a public key the kernel "
				"verifies with",
				i + 1);
			goto out;
		}
		ret = imactl_keyring_add(pol->keys, cert);
		if (ret < 0)
			goto out;
	}
out:
	json_object_put(kr);
	return ret;
}

static int check_fields(struct imactl_runtime_policy *pol, const char *file)
{
	struct json_object *o = NULL, *v = NULL, *ima = NULL;
	static const char *const hash_algs[] = { "sha1", "sha256", "sha384", "sha512" };
	bool alg_ok = false;

	if (json_object_object_get_ex(pol->root, "payload", NULL))
		return bad(pol, file,
			   "a DSSE envelope (a signed policy): check its signature and give its "
			   "payload");
	if (!json_object_object_get_ex(pol->root, "meta", &o) ||
	    !json_object_is_type(o, json_type_object))
		return bad(pol, file, "\"meta\" is missing or not an object");
	if (!json_object_object_get_ex(o, "version", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return bad(pol, file, "\"meta\".\"version\" is not a non-negative integer");
	if (!json_object_object_get_ex(o, "generator", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > 3)
		return bad(pol, file, "\"meta\".\"generator\" is not an integer from 0 to 3");
	if (!json_object_object_get_ex(pol->root, "release", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return bad(pol, file, "\"release\" is missing or not a non-negative integer");
	if (!json_object_object_get_ex(pol->root, "ima", &ima) ||
	    !json_object_is_type(ima, json_type_object))
		return bad(pol, file, "\"ima\" is missing or not an object");
	if (!json_object_object_get_ex(ima, "log_hash_alg", &v) ||
	    !json_object_is_type(v, json_type_string))
		return bad(pol, file, "\"ima\".\"log_hash_alg\" is missing or not a string");
	for (size_t i = 0; i < ARRAY_SIZE(hash_algs); i++)
		alg_ok |= !strcmp(json_object_get_string(v), hash_algs[i]);
	if (!alg_ok)
		return bad(pol, file,
			   "\"ima\".\"log_hash_alg\" is not sha1, sha256, sha384 or sha512");
	if (!json_object_object_get_ex(ima, "dm_policy", &v) || v)
		return bad(pol, file, "\"ima\".\"dm_policy\" must be null");
	if (!json_object_object_get_ex(ima, "ignored_keyrings", &o) ||
	    !json_object_is_type(o, json_type_array))
		return bad(pol, file, "\"ima\".\"ignored_keyrings\" is missing or not an array");
	pol->nignored = json_object_array_length(o);
	pol->ignored = calloc(pol->nignored + 1, sizeof(*pol->ignored));
	if (!pol->ignored)
		return -ENOMEM;
	for (size_t i = 0; i < pol->nignored; i++) {
		struct json_object *s = json_object_array_get_idx(o, i);

		if (!json_object_is_type(s, json_type_string))
			return bad(pol, file,
				   "\"ima\".\"ignored_keyrings\": item %zu is not a string", i + 1);
		pol->ignored[i] = strdup(json_object_get_string(s));
		if (!pol->ignored[i])
			return -ENOMEM;
		pol->ignore_all |= !strcmp(pol->ignored[i], "*");
	}
	if (!json_object_object_get_ex(pol->root, "verification-keys", &v) ||
	    !json_object_is_type(v, json_type_string))
		return bad(pol, file, "\"verification-keys\" is missing or not a string");
	return parse_keys(pol, file, json_object_get_string(v));
}

IMACTL_EXPORT int imactl_runtime_policy_parse(struct imactl_ctx *ctx, const void *buf, size_t len,
					      const char *name,
					      struct imactl_runtime_policy **pol_ret)
{
	struct imactl_runtime_policy *pol = NULL;
	struct json_tokener *tok = NULL;
	enum json_tokener_error jerr;
	int ret;

	if ((!buf && len) || !name || !pol_ret || len > MAX_POLICY_SIZE)
		return -EINVAL;
	pol = calloc(1, sizeof(*pol));
	if (!pol)
		return -ENOMEM;
	pol->ctx = ctx;
	pol->utf8 = newlocale(LC_CTYPE_MASK | LC_COLLATE_MASK, "C.UTF-8", (locale_t)0);
	ret = imactl_keyring_new(ctx, &pol->keys);
	if (ret == 0)
		ret = crypto_verify_cache_new(&pol->vcache);
	if (ret < 0)
		goto out;
	ret = imactl_hash_buf(ctx, buf, len, IMACTL_HASH_SHA256, &pol->sha256);
	if (ret < 0)
		goto out;
	tok = json_tokener_new();
	if (!tok) {
		ret = -ENOMEM;
		goto out;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	pol->root = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue || (jerr == json_tokener_success && !pol->root)) {
		ret = bad(pol, name, "the JSON text ends early");
		goto out;
	}
	if (jerr != json_tokener_success) {
		ret = bad(pol, name, "JSON error at byte %zu: %s", json_tokener_get_parse_end(tok),
			  json_tokener_error_desc(jerr));
		goto out;
	}
	if (json_tokener_get_parse_end(tok) != len &&
	    strspn((const char *)buf + json_tokener_get_parse_end(tok), " \t\r\n") !=
		    len - json_tokener_get_parse_end(tok)) {
		ret = bad(pol, name, "text after the JSON object at byte %zu",
			  json_tokener_get_parse_end(tok));
		goto out;
	}
	if (!json_object_is_type(pol->root, json_type_object)) {
		ret = bad(pol, name, "not a JSON object");
		goto out;
	}
	ret = check_fields(pol, name);
	if (ret == 0)
		ret = parse_digests(pol, name, "digests", &pol->digests);
	if (ret == 0)
		ret = parse_digests(pol, name, "ima-buf", &pol->imabuf);
	if (ret == 0)
		ret = parse_digests(pol, name, "keyrings", &pol->keyrings);
	if (ret == 0)
		ret = parse_excludes(pol, name);
	/* everything was copied out: the document is no longer needed */
	json_object_put(pol->root);
	pol->root = NULL;
out:
	json_tokener_free(tok);
	if (ret < 0) {
		imactl_runtime_policy_free(pol);
		return ret;
	}
	*pol_ret = pol;
	return 0;
}

IMACTL_EXPORT int imactl_runtime_policy_load(struct imactl_ctx *ctx, const char *path,
					     struct imactl_runtime_policy **pol_ret)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, ret;

	if (!path || !pol_ret)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		log_err(ctx, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_POLICY_SIZE) {
		ret = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		log_err(ctx, "%s: %s", path,
			S_ISREG(st.st_mode) ? "larger than 1 GiB" : "not a regular file");
		goto out_quiet;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	ret = imactl_runtime_policy_parse(ctx, buf, got, path, pol_ret);
	goto out_quiet;
out:
	log_err(ctx, "%s: %s", path, strerror(-ret));
out_quiet:
	free(buf);
	close(fd);
	return ret;
}

IMACTL_EXPORT size_t imactl_runtime_policy_paths(const struct imactl_runtime_policy *pol)
{
	return pol ? pol->digests.n : 0;
}

IMACTL_EXPORT size_t imactl_runtime_policy_keys(const struct imactl_runtime_policy *pol)
{
	return pol ? imactl_keyring_count(pol->keys) : 0;
}

IMACTL_EXPORT int imactl_runtime_policy_digest(const struct imactl_runtime_policy *pol,
					       struct imactl_digest *digest)
{
	if (!pol || !digest)
		return -EINVAL;
	*digest = pol->sha256;
	return 0;
}

IMACTL_EXPORT void imactl_runtime_policy_free(struct imactl_runtime_policy *pol)
{
	if (!pol)
		return;
	if (pol->have_excl)
		regfree(&pol->excl);
	if (pol->utf8)
		freelocale(pol->utf8);
	free(pol->digests.slot);
	free(pol->imabuf.slot);
	free(pol->keyrings.slot);
	free(pol->arena);
	for (size_t i = 0; pol->ignored && i < pol->nignored; i++)
		free(pol->ignored[i]);
	free(pol->ignored);
	imactl_keyring_free(pol->keys);
	crypto_verify_cache_free(pol->vcache);
	json_object_put(pol->root);
	free(pol);
}

static int verdict(struct imactl_rp_result *res, enum imactl_rp_verdict v, const char *why)
{
	res->verdict = v;
	res->reason = why;
	return v < IMACTL_RP_FAIL_NOT_LISTED ? 0 : -EBADMSG;
}

/* Keylime's _validate_ima_ng(): listed digest, else excluded, else fail. */
static int judge_digest(const struct imactl_runtime_policy *pol, const struct rp_table *t,
			const struct imactl_mlog_entry *e, struct imactl_rp_result *res)
{
	const uint8_t *s = table_find(pol, t, e->path, strlen(e->path));

	if (s) {
		uint32_t count = get_u32(s + 4);
		const uint8_t *d = s + 8 + get_u32(s) + 1;

		for (uint32_t i = 0; i < count; i++, d += 1 + d[0])
			if (d[0] == e->digest_len && !memcmp(d + 1, e->digest, d[0]))
				return verdict(res, IMACTL_RP_PASS_DIGEST, "digest listed");
	}
	if (excluded(pol, e->path))
		return verdict(res, IMACTL_RP_PASS_EXCLUDED, "excluded");
	res->boot_aggregate = !strcmp(e->path, "boot_aggregate") && t == &pol->digests;
	if (!s)
		return verdict(
			res, IMACTL_RP_FAIL_NOT_LISTED,
			t == &pol->digests ? "not in the runtime policy"
			: t == &pol->keyrings
				? "key measured into a keyring the runtime policy does not list"
				: "ima-buf name not in the runtime policy");
	return verdict(res, IMACTL_RP_FAIL_DIGEST,
		       t == &pol->keyrings
			       ? "key not among the runtime policy's digests for its keyring"
			       : "digest not among the runtime policy's digests for this path");
}

/* An ima-buf entry: a key measured into a keyring, or other data. */
static int judge_buf(struct imactl_runtime_policy *pol, const struct imactl_mlog_entry *e,
		     struct imactl_rp_result *res)
{
	struct imactl_cert *cert = NULL;
	bool ignored = pol->ignore_all;
	int ret;

	ret = e->buf ? crypto_cert_from_data(pol->ctx, e->path, e->buf, e->buf_len, 0, &cert)
		     : -ENOKEY;
	if (ret == -ENOKEY)
		return judge_digest(pol, &pol->imabuf, e, res);
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0)
		return verdict(res, IMACTL_RP_FAIL_BAD_KEY, "a key of a type IMA does not use");
	for (size_t i = 0; i < pol->nignored && !ignored; i++)
		ignored = !strcmp(pol->ignored[i], e->path);
	if (ignored) {
		imactl_cert_free(cert);
		return verdict(res, IMACTL_RP_PASS_IGNORED,
			       "keyring ignored by the runtime policy");
	}
	ret = judge_digest(pol, &pol->keyrings, e, res);
	if (ret == 0) {
		/* as Keylime: an accepted key verifies the signatures that follow */
		int r = imactl_keyring_add(pol->keys, cert);

		return r < 0 ? r : 0;
	}
	imactl_cert_free(cert);
	return ret;
}

IMACTL_EXPORT int imactl_runtime_policy_check(struct imactl_runtime_policy *pol,
					      const struct imactl_mlog_entry *e,
					      enum imactl_mlog_sig_status cert_sig,
					      struct imactl_rp_result *res)
{
	if (!pol || !e || !res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	if (e->violation)
		return verdict(res, IMACTL_RP_NOT_JUDGED, "violation");
	if (!e->path || !e->digest)
		return verdict(
			res, IMACTL_RP_FAIL_NO_NAME,
			"a template without a file name and digest: cannot be judged against "
			"the runtime policy");
	for (unsigned int i = 0; i < e->nfields && i < IMACTL_MLOG_MAX_FIELDS; i++)
		if (e->fields[i].id[0] == 'b' && !strcmp(e->fields[i].id, "buf"))
			return judge_buf(pol, e, res);
	if (cert_sig == IMACTL_MLOG_SIG_GOOD)
		return verdict(res, IMACTL_RP_PASS_SIGNATURE, "good signature");
	if (cert_sig == IMACTL_MLOG_SIG_BAD)
		return verdict(res, IMACTL_RP_FAIL_BAD_SIGNATURE, "bad signature");
	if (e->sig && e->sig_len && imactl_keyring_count(pol->keys)) {
		switch (mlog_xattr_sig_status(pol->ctx, pol->keys, pol->vcache, e, &res->keyid)) {
		case IMACTL_MLOG_SIG_GOOD:
			return verdict(res, IMACTL_RP_PASS_SIGNATURE,
				       "good signature (runtime policy key)");
		case IMACTL_MLOG_SIG_BAD:
			return verdict(
				res, IMACTL_RP_FAIL_BAD_SIGNATURE,
				"bad signature (runtime policy key); Keylime would fall back "
				"to the digest list");
		default:
			break; /* unknown key, EVM value: the digest decides */
		}
	}
	return judge_digest(pol, &pol->digests, e, res);
}
