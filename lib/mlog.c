// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Streaming reader of the kernel's IMA measurement list, binary and ascii.
 *
 * Facts carried over from the kernel (security/integrity/ima/ima_fs.c,
 * ima_template.c, ima_template_lib.c):
 *  - binary entry: u32 pcr, 20-byte SHA-1 template hash, u32 name_len,
 *    name, then (except for the "ima" template) u32 data_len and the
 *    template data: one (u32 len, bytes) per field.  The "ima" template is
 *    written as a 20-byte digest without length, then u32 len + the name
 *    without NUL; its hash covers the digest and the name NUL-padded to 256.
 *  - ascii line: "PCR HASH TEMPLATE" then " FIELD" per field; an empty field
 *    leaves just the separator.  Digests with algorithm show as "algo:hex"
 *    (data "algo:\0" + digest), d-ngv2 as "type:algo:hex", strings as text
 *    (data + NUL), signatures and buffers as hex, iuid/igid/imode in
 *    decimal (4, 4 and 2 bytes).
 *  - a violation has an all-zero template hash.
 * Nothing is allocated from a length field: one entry must fit in
 * IMACTL_MLOG_MAX_ENTRY bytes.
 */
#include "lib_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK	       (64 * 1024)
#define NAME_MAX_LEN	       255 /* template name (or its format string) */
#define IMA_EVENT_NAME_LEN_MAX 255 /* "ima" template file name */

enum field_kind {
	F_DIGEST,      /* d */
	F_DIGEST_NG,   /* d-ng, d-modsig */
	F_DIGEST_NGV2, /* d-ngv2 */
	F_STRING,      /* n, n-ng, xattrnames */
	F_HEX,	       /* sig, buf, modsig, evmsig, xattrlengths, xattrvalues */
	F_UINT32,      /* iuid, igid */
	F_UINT16,      /* imode */
};

static const struct field_def {
	const char *id;
	enum field_kind kind;
} field_defs[] = {
	{ "d", F_DIGEST },	   { "n", F_STRING },
	{ "d-ng", F_DIGEST_NG },   { "d-ngv2", F_DIGEST_NGV2 },
	{ "n-ng", F_STRING },	   { "sig", F_HEX },
	{ "buf", F_HEX },	   { "d-modsig", F_DIGEST_NG },
	{ "modsig", F_HEX },	   { "evmsig", F_HEX },
	{ "iuid", F_UINT32 },	   { "igid", F_UINT32 },
	{ "imode", F_UINT16 },	   { "xattrnames", F_STRING },
	{ "xattrlengths", F_HEX }, { "xattrvalues", F_HEX },
};

static const struct {
	const char *name;
	const char *fmt;
} builtin_templates[] = {
	{ "ima", "d|n" },
	{ "ima-ng", "d-ng|n-ng" },
	{ "ima-ngv2", "d-ngv2|n-ng" },
	{ "ima-sig", "d-ng|n-ng|sig" },
	{ "ima-sigv2", "d-ngv2|n-ng|sig" },
	{ "ima-buf", "d-ng|n-ng|buf" },
	{ "ima-modsig", "d-ng|n-ng|sig|d-modsig|modsig" },
	{ "evm-sig", "d-ng|n-ng|evmsig|xattrnames|xattrlengths|xattrvalues|iuid|igid|imode" },
};

struct template_desc {
	char name[NAME_MAX_LEN + 1];
	unsigned int nfields;
	const struct field_def *fields[IMACTL_MLOG_MAX_FIELDS];
	bool known;
	bool is_ima; /* the legacy "ima" template */
};

struct imactl_mlog {
	struct imactl_ctx *ctx;
	int fd; /* -1: memory */
	const uint8_t *mem;
	uint8_t *buf; /* fd: read buffer */
	size_t cap, start, end;
	bool eof;
	int format;
	int endian; /* 0 unknown, 1 little, 2 big */
	bool failed;
	uint64_t number;
	uint64_t offset;	   /* of buf[start] in the list */
	struct template_desc tmpl; /* cache: the last template seen */
	uint8_t *scratch;	   /* template data rebuilt for ascii / "ima" */
	size_t scratch_cap;
	char *path;
	size_t path_cap;
	struct imactl_mlog_entry entry;
};

/* ---- input ------------------------------------------------------------- */

static int fill(struct imactl_mlog *ml)
{
	ssize_t n;

	if (ml->start > 0 && ml->start == ml->end) {
		ml->start = ml->end = 0;
	}
	if (ml->end == ml->cap && ml->start > 0) {
		memmove(ml->buf, ml->buf + ml->start, ml->end - ml->start);
		ml->end -= ml->start;
		ml->start = 0;
	}
	if (ml->end == ml->cap) {
		size_t ncap = ml->cap * 2;
		uint8_t *nb;

		if (ncap > IMACTL_MLOG_MAX_ENTRY + READ_CHUNK)
			return -E2BIG;
		nb = realloc(ml->buf, ncap);
		if (!nb)
			return -ENOMEM;
		ml->buf = nb;
		ml->cap = ncap;
	}
	do {
		n = read(ml->fd, ml->buf + ml->end, ml->cap - ml->end);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		int err = -errno;

		log_err(ml->ctx, "reading the measurement list: %s", strerror(errno));
		return err;
	}
	if (n == 0)
		ml->eof = true;
	ml->end += n;
	return 0;
}

/* Makes @n bytes from the entry start available; 1 when they are not. */
static int need(struct imactl_mlog *ml, size_t n)
{
	if (n > IMACTL_MLOG_MAX_ENTRY)
		return -E2BIG;
	while (ml->end - ml->start < n) {
		int ret;

		if (ml->eof)
			return 1;
		ret = fill(ml);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static const uint8_t *cur(const struct imactl_mlog *ml)
{
	return (ml->fd < 0 ? ml->mem : ml->buf) + ml->start;
}

static uint32_t get32(const struct imactl_mlog *ml, const uint8_t *p)
{
	if (ml->endian == 2)
		return get_be32(p);
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void put32(const struct imactl_mlog *ml, uint8_t *p, uint32_t v)
{
	if (ml->endian == 2) {
		put_be32(p, v);
		return;
	}
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static int grow(uint8_t **buf, size_t *cap, size_t n)
{
	uint8_t *nb;

	if (n <= *cap)
		return 0;
	if (n > 2 * (size_t)IMACTL_MLOG_MAX_ENTRY + 4096)
		return -E2BIG;
	nb = realloc(*buf, n);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = n;
	return 0;
}

/* ---- templates --------------------------------------------------------- */

static const struct field_def *find_field(const char *id, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_defs); i++)
		if (strlen(field_defs[i].id) == len && !memcmp(field_defs[i].id, id, len))
			return &field_defs[i];
	return NULL;
}

/* A built-in name, or a custom template shown by its format "d-ng|n-ng|..." */
static void lookup_template(struct template_desc *t, const char *name, size_t len)
{
	const char *fmt = NULL, *p, *end;

	if (t->name[0] && strlen(t->name) == len && !memcmp(t->name, name, len))
		return;
	memset(t, 0, sizeof(*t));
	memcpy(t->name, name, len);
	t->name[len] = 0;
	for (size_t i = 0; i < ARRAY_SIZE(builtin_templates); i++)
		if (!strcmp(builtin_templates[i].name, t->name))
			fmt = builtin_templates[i].fmt;
	if (!fmt)
		fmt = t->name;
	t->is_ima = !strcmp(t->name, "ima");
	for (p = fmt; *p; p = *end ? end + 1 : end) {
		end = strchr(p, '|');
		if (!end)
			end = p + strlen(p);
		if (t->nfields == IMACTL_MLOG_MAX_FIELDS ||
		    !(t->fields[t->nfields] = find_field(p, end - p))) {
			t->nfields = 0;
			return;
		}
		t->nfields++;
	}
	t->known = t->nfields > 0;
}

static int algo_by_name(const char *name, size_t len)
{
	static const int ids[] = { IMACTL_HASH_MD5,    IMACTL_HASH_SHA1,   IMACTL_HASH_SHA256,
				   IMACTL_HASH_SHA384, IMACTL_HASH_SHA512, IMACTL_HASH_SHA224,
				   IMACTL_HASH_SM3 };

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		const char *n = imactl_hash_algo_name(ids[i]);

		if (strlen(n) == len && !memcmp(n, name, len))
			return ids[i];
	}
	return 0;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

/* Decodes "algo:\0digest" or "type:algo:\0digest" into the entry. */
static int decode_digest_ng(struct imactl_mlog_entry *e, const uint8_t *d, uint32_t len, bool v2,
			    const char **why)
{
	const uint8_t *nul = memchr(d, 0, len < 64 ? len : 64);
	const uint8_t *algo = d, *colon;
	int size;

	if (!nul || nul == d || nul[-1] != ':') {
		*why = "digest field without \"algo:\" prefix";
		return -EBADMSG;
	}
	if (v2) {
		colon = memchr(d, ':', nul - d - 1);
		if (!colon) {
			*why = "d-ngv2 field without \"type:\" prefix";
			return -EBADMSG;
		}
		if (colon - d == 3 && !memcmp(d, "ima", 3))
			e->digest_type = "ima";
		else if (colon - d == 6 && !memcmp(d, "verity", 6))
			e->digest_type = "verity";
		else {
			*why = "d-ngv2 digest type is neither ima nor verity";
			return -EBADMSG;
		}
		algo = colon + 1;
	}
	e->digest_algo = algo_by_name((const char *)algo, nul - 1 - algo);
	e->digest = nul + 1;
	e->digest_len = len - (nul + 1 - d);
	size = imactl_hash_algo_size(e->digest_algo);
	/* a violation records 20 zero bytes whatever the algorithm */
	if (e->digest_algo && size != (int)e->digest_len &&
	    !(e->violation && e->digest_len == 20)) {
		*why = "digest length does not match its algorithm";
		return -EBADMSG;
	}
	return 0;
}

static int set_path(struct imactl_mlog *ml, const uint8_t *d, uint32_t len)
{
	int ret;

	/* strings carry their NUL in binary data; stop at the first one */
	const uint8_t *nul = memchr(d, 0, len);

	if (nul)
		len = nul - d;
	ret = grow((uint8_t **)&ml->path, &ml->path_cap, (size_t)len + 1);
	if (ret < 0)
		return ret;
	memcpy(ml->path, d, len);
	ml->path[len] = 0;
	ml->entry.path = ml->path;
	return 0;
}

/*
 * d-modsig has d-ng's form but is the digest of the file without its
 * appended signature; decoded apart so that it does not replace d-ng's.
 */
static int decode_modsig_digest(struct imactl_mlog_entry *e, const uint8_t *d, uint32_t len,
				const char **why)
{
	struct imactl_mlog_entry tmp = { .violation = e->violation };
	int ret;

	if (len == 0)
		return 0; /* empty without an appended signature */
	ret = decode_digest_ng(&tmp, d, len, false, why);
	if (ret < 0)
		return ret;
	e->modsig_digest_algo = tmp.digest_algo;
	e->modsig_digest = tmp.digest;
	e->modsig_digest_len = tmp.digest_len;
	return 0;
}

/* Fills the decoded members of the entry from its fields. */
static int decode_fields(struct imactl_mlog *ml, const char **why)
{
	struct imactl_mlog_entry *e = &ml->entry;
	int ret;

	for (unsigned int i = 0; i < e->nfields; i++) {
		const struct field_def *f = ml->tmpl.fields[i];
		const uint8_t *d = e->fields[i].data;
		uint32_t len = e->fields[i].len;

		e->fields[i].id = f->id;
		switch (f->kind) {
		case F_DIGEST:
			if (len != 20 && len != 16 && len != 0) {
				*why = "d field is neither a SHA-1 nor an MD5 digest";
				return -EBADMSG;
			}
			e->digest_algo = len == 16 ? IMACTL_HASH_MD5 : IMACTL_HASH_SHA1;
			e->digest = d;
			e->digest_len = len;
			break;
		case F_DIGEST_NG:
		case F_DIGEST_NGV2:
			if (!strcmp(f->id, "d-modsig"))
				ret = decode_modsig_digest(e, d, len, why);
			else if (len == 0)
				break;
			else
				ret = decode_digest_ng(e, d, len, f->kind == F_DIGEST_NGV2, why);
			if (ret < 0)
				return ret;
			break;
		case F_STRING:
			if (!strcmp(f->id, "xattrnames"))
				break;
			ret = set_path(ml, d, len);
			if (ret < 0)
				return ret;
			break;
		case F_HEX:
			if (!strcmp(f->id, "sig")) {
				e->sig = len ? d : NULL;
				e->sig_len = len;
			} else if (!strcmp(f->id, "evmsig")) {
				e->evmsig = len ? d : NULL;
				e->evmsig_len = len;
			} else if (!strcmp(f->id, "modsig")) {
				e->modsig = len ? d : NULL;
				e->modsig_len = len;
			} else if (!strcmp(f->id, "buf")) {
				e->buf = len ? d : NULL;
				e->buf_len = len;
			}
			break;
		case F_UINT32:
		case F_UINT16:
			if (len != 0 && len != (f->kind == F_UINT32 ? 4u : 2u)) {
				*why = "integer field of the wrong size";
				return -EBADMSG;
			}
			break;
		}
	}
	return 0;
}

static void reset_entry(struct imactl_mlog *ml)
{
	memset(&ml->entry, 0, sizeof(ml->entry));
	ml->entry.number = ml->number + 1;
	ml->entry.offset = ml->offset;
}

/* ---- binary ------------------------------------------------------------ */

static int bad(const char **why, const char *reason)
{
	*why = reason;
	return -EBADMSG;
}

/* need() for an entry under way: end of input there means truncation */
static int need_more(struct imactl_mlog *ml, size_t n, const char **why)
{
	int ret = need(ml, n);

	if (ret == 1)
		return bad(why, "truncated entry");
	if (ret == -E2BIG)
		return bad(why, "entry larger than the 1 MiB limit");
	return ret;
}

static int detect_endian(struct imactl_mlog *ml, const uint8_t *p)
{
	uint32_t le_pcr = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
	uint32_t le_len = p[24] | p[25] << 8 | p[26] << 16 | (uint32_t)p[27] << 24;

	if (le_pcr < IMACTL_MLOG_NUM_PCRS && le_len > 0 && le_len <= NAME_MAX_LEN)
		return 1;
	if (get_be32(p) < IMACTL_MLOG_NUM_PCRS && get_be32(p + 24) > 0 &&
	    get_be32(p + 24) <= NAME_MAX_LEN)
		return 2;
	return 1;
}

/*
 * The u32 length *@n at offset @at of the entry under way (over @max: the
 * entry is bad, @too_long says why) and the *@n bytes after it, once the
 * input holds them.
 */
static int get_len(struct imactl_mlog *ml, size_t at, uint32_t max, const char *too_long,
		   uint32_t *n, const char **why)
{
	int ret = need_more(ml, at + 4, why);

	if (ret < 0)
		return ret;
	*n = get32(ml, cur(ml) + at);
	if (*n > max)
		return bad(why, too_long);
	return need_more(ml, at + 4 + *n, why);
}

/*
 * The data of an "ima" entry at *@off: digest (20, no length), u32 name
 * length, name without NUL; rebuilt as the template hash input (the name
 * NUL-padded to 256).  *@off moves past it.
 */
static int binary_ima(struct imactl_mlog *ml, size_t *off, const char **why)
{
	struct imactl_mlog_entry *e = &ml->entry;
	const uint8_t *p;
	uint32_t n;
	int ret;

	ret = get_len(ml, *off + 20, IMA_EVENT_NAME_LEN_MAX,
		      "\"ima\" template name longer than 255", &n, why);
	if (ret < 0)
		return ret;
	p = cur(ml);
	ret = grow(&ml->scratch, &ml->scratch_cap, 20 + 256);
	if (ret < 0)
		return ret;
	memcpy(ml->scratch, p + *off, 20);
	memset(ml->scratch + 20, 0, 256);
	memcpy(ml->scratch + 20, p + *off + 24, n);
	e->nfields = 2;
	e->fields[0].data = ml->scratch;
	e->fields[0].len = 20;
	e->fields[1].data = ml->scratch + 20;
	e->fields[1].len = n;
	e->template_data = ml->scratch;
	e->template_data_len = 20 + 256;
	*off += 24 + n;
	return 0;
}

/*
 * The template data at *@off (u32 length, then (u32 len, bytes) fields until
 * it is used up); *@off moves past it.
 */
static int binary_fields(struct imactl_mlog *ml, size_t *off, const char **why)
{
	struct imactl_mlog_entry *e = &ml->entry;
	const uint8_t *p;
	uint32_t data_len;
	int ret;

	ret = get_len(ml, *off, IMACTL_MLOG_MAX_ENTRY, "template data length over the 1 MiB limit",
		      &data_len, why);
	if (ret < 0)
		return ret;
	*off += 4;
	p = cur(ml) + *off;
	e->template_data = p;
	e->template_data_len = data_len;
	for (size_t fo = 0; fo < data_len;) {
		uint32_t flen;

		if (e->nfields == IMACTL_MLOG_MAX_FIELDS)
			return bad(why, "more than 16 template fields");
		if (data_len - fo < 4)
			return bad(why, "field length crosses the end of the template data");
		flen = get32(ml, p + fo);
		fo += 4;
		if (flen > data_len - fo)
			return bad(why, "field length beyond the template data");
		e->fields[e->nfields].data = p + fo;
		e->fields[e->nfields].len = flen;
		e->nfields++;
		fo += flen;
	}
	*off += data_len;
	return 0;
}

static int next_binary(struct imactl_mlog *ml, const char **why)
{
	struct imactl_mlog_entry *e = &ml->entry;
	const uint8_t *p;
	uint32_t name_len;
	size_t off;
	int ret;

	ret = need(ml, 1);
	if (ret)
		return ret; /* 1: clean end of list */
	ret = need_more(ml, 28, why);
	if (ret < 0)
		return ret;
	p = cur(ml);
	if (!ml->endian)
		ml->endian = detect_endian(ml, p);
	e->pcr = get32(ml, p);
	if (e->pcr >= IMACTL_MLOG_NUM_PCRS)
		return bad(why, "PCR index out of range (0-23)");
	memcpy(e->template_hash, p + 4, 20);
	e->violation = all_zero(e->template_hash, 20);
	name_len = get32(ml, p + 24);
	if (name_len == 0 || name_len > NAME_MAX_LEN)
		return bad(why, "template name length is 0 or over 255");
	off = 28;
	ret = need_more(ml, off + name_len, why);
	if (ret < 0)
		return ret;
	p = cur(ml);
	if (memchr(p + off, 0, name_len))
		return bad(why, "NUL byte in the template name");
	lookup_template(&ml->tmpl, (const char *)p + off, name_len);
	e->template_name = ml->tmpl.name;
	e->template_known = ml->tmpl.known;
	off += name_len;

	ret = ml->tmpl.is_ima ? binary_ima(ml, &off, why) : binary_fields(ml, &off, why);
	if (ret < 0)
		return ret;
	p = cur(ml);
	if (ml->tmpl.known && e->nfields != ml->tmpl.nfields)
		return bad(why, "number of fields does not match the template");
	e->raw = p;
	e->raw_len = off;
	if (ml->tmpl.known) {
		ret = decode_fields(ml, why);
		if (ret < 0)
			return ret;
	}
	ml->start += off;
	ml->offset += off;
	return 0;
}

/* ---- ascii ------------------------------------------------------------- */

/* hex -> bytes at @out; -1 when not hex */
static long unhex(const uint8_t *s, size_t len, uint8_t *out)
{
	return hex_decode(s, len, out) ? (long)(len / 2) : -1;
}

struct token {
	const uint8_t *p;
	size_t len;
};

/* Appends field @i (ascii token @t) as binary data to ml->scratch at *pos. */
static int ascii_field(struct imactl_mlog *ml, const struct field_def *f, struct token t,
		       size_t *pos, unsigned int i, const char **why)
{
	uint8_t *out, *lenp;
	size_t len = 0, hexlen;
	const uint8_t *colon;
	unsigned long v;
	long n;
	int ret;

	/* worst case: the token itself plus NUL, 4 bytes of length */
	ret = grow(&ml->scratch, &ml->scratch_cap, *pos + 4 + t.len + 2);
	if (ret < 0)
		return ret;
	lenp = ml->scratch + *pos;
	out = lenp + 4;
	if (t.len == 0)
		goto done;
	switch (f->kind) {
	case F_DIGEST:
	case F_HEX:
		n = unhex(t.p, t.len, out);
		if (n < 0)
			return bad(why, "field is not hex");
		len = n;
		break;
	case F_DIGEST_NG:
	case F_DIGEST_NGV2:
		/* prefix up to the last ':', then hex */
		colon = NULL;
		for (size_t k = 0; k < t.len && k < 64; k++)
			if (t.p[k] == ':')
				colon = t.p + k;
		if (!colon)
			return bad(why, "digest field without \"algo:\" prefix");
		len = colon + 1 - t.p;
		memcpy(out, t.p, len);
		out[len++] = 0;
		hexlen = t.len - (colon + 1 - t.p);
		n = unhex(colon + 1, hexlen, out + len);
		if (n < 0)
			return bad(why, "digest is not hex");
		len += n;
		break;
	case F_STRING:
		memcpy(out, t.p, t.len);
		out[t.len] = 0;
		len = t.len + 1;
		break;
	case F_UINT32:
	case F_UINT16:
		v = 0;
		for (size_t k = 0; k < t.len; k++) {
			if (t.p[k] < '0' || t.p[k] > '9' || k >= 10)
				return bad(why, "integer field is not decimal");
			v = v * 10 + (t.p[k] - '0');
		}
		if (f->kind == F_UINT16) {
			if (v > 0xffff)
				return bad(why, "integer field out of range");
			len = 2;
			if (ml->endian == 2) {
				out[0] = v >> 8;
				out[1] = v;
			} else {
				out[0] = v;
				out[1] = v >> 8;
			}
		} else {
			if (v > 0xffffffffUL)
				return bad(why, "integer field out of range");
			len = 4;
			put32(ml, out, v);
		}
		break;
	}
done:
	put32(ml, lenp, len);
	ml->entry.fields[i].len = len;
	/* data pointers are set once scratch stops moving */
	ml->entry.fields[i].data = (const uint8_t *)(uintptr_t)(*pos + 4);
	*pos += 4 + len;
	return 0;
}

static bool is_string_field(const struct field_def *f)
{
	return f->kind == F_STRING && strcmp(f->id, "xattrnames") != 0;
}

/*
 * Splits the fields of an ascii line (@p at the space before the first one)
 * as the kernel writes them: one space before each field, the file name as it
 * is.  Only the name field can hold spaces (digests, hex and numbers cannot),
 * so the fields before it are taken from the left, those after it from the
 * right, and the name is what lies between: any number of spaces in a name
 * keeps the line readable.
 */
static int ascii_tokens(const struct template_desc *t, const uint8_t *p, const uint8_t *end,
			struct token *tok, const char **why)
{
	unsigned int nf = t->nfields, k, i;
	const uint8_t *sp;

	for (k = 0; k < nf && !is_string_field(t->fields[k]); k++)
		;
	for (i = 0; i < nf && i < k; i++) {
		if (p == end)
			return bad(why, "fewer fields than the template has");
		sp = memchr(p + 1, ' ', end - p - 1);
		tok[i].p = p + 1;
		tok[i].len = (sp ? sp : end) - (p + 1);
		p = sp ? sp : end;
	}
	if (k == nf) {
		if (p != end)
			return bad(why, "more fields than the template has");
		return 0;
	}
	for (i = nf - 1; i > k; i--) {
		sp = memrchr(p, ' ', end - p);
		if (!sp || sp == p)
			return bad(why, "fewer fields than the template has");
		tok[i].p = sp + 1;
		tok[i].len = end - (sp + 1);
		end = sp;
	}
	if (p == end)
		return bad(why, "fewer fields than the template has");
	tok[k].p = p + 1;
	tok[k].len = end - (p + 1);
	return 0;
}

/* The next line of an ascii list ends at *@nl_ret; 1 at the end of the list. */
static int ascii_line(struct imactl_mlog *ml, const uint8_t **nl_ret, const char **why)
{
	size_t scanned = 0;
	int ret;

	for (;;) {
		const uint8_t *c = cur(ml);

		*nl_ret = memchr(c + scanned, '\n', ml->end - ml->start - scanned);
		if (*nl_ret)
			return 0;
		scanned = ml->end - ml->start;
		ret = need(ml, scanned + 1);
		if (ret == 1) {
			if (scanned == 0)
				return 1; /* end of list */
			return bad(why, "truncated line (no newline at the end)");
		}
		if (ret == -E2BIG)
			return bad(why, "line longer than the 1 MiB limit");
		if (ret < 0)
			return ret;
	}
}

/* "PCR TEMPLATE-HASH TEMPLATE-NAME" from @p; *@p_ret: what follows the name. */
static int ascii_head(struct imactl_mlog *ml, const uint8_t *p, const uint8_t *end,
		      const uint8_t **p_ret, const char **why)
{
	struct imactl_mlog_entry *e = &ml->entry;
	unsigned long pcr = 0;
	const uint8_t *sp;
	size_t name_len;

	for (sp = p; sp < end && *sp >= '0' && *sp <= '9' && sp - p < 3; sp++)
		pcr = pcr * 10 + (*sp - '0');
	if (sp == p || sp == end || *sp != ' ')
		return bad(why, "line does not start with a PCR number");
	if (pcr >= IMACTL_MLOG_NUM_PCRS)
		return bad(why, "PCR index out of range (0-23)");
	e->pcr = pcr;
	p = sp + 1;
	if (end - p < 41 || p[40] != ' ' || unhex(p, 40, e->template_hash) != 20)
		return bad(why, "template hash is not 40 hex digits");
	e->violation = all_zero(e->template_hash, 20);
	p += 41;
	sp = memchr(p, ' ', end - p);
	name_len = (sp ? sp : end) - p;
	if (name_len == 0 || name_len > NAME_MAX_LEN)
		return bad(why, "template name missing or longer than 255");
	if (memchr(p, 0, name_len))
		return bad(why, "NUL byte in the template name");
	lookup_template(&ml->tmpl, (const char *)p, name_len);
	e->template_name = ml->tmpl.name;
	e->template_known = ml->tmpl.known;
	*p_ret = p + name_len;
	return 0;
}

static int next_ascii(struct imactl_mlog *ml, const char **why)
{
	struct imactl_mlog_entry *e = &ml->entry;
	struct token tok[IMACTL_MLOG_MAX_FIELDS];
	const uint8_t *line, *nl, *p, *end;
	size_t len, pos = 0;
	unsigned int nf;
	int ret;

	ret = ascii_line(ml, &nl, why);
	if (ret != 0)
		return ret;
	line = cur(ml);
	len = nl - line;
	e->raw = line;
	e->raw_len = len + 1;
	end = line + len;
	if (len > 0 && end[-1] == '\r')
		end--;
	ret = ascii_head(ml, line, end, &p, why);
	if (ret < 0)
		return ret;
	if (!ml->tmpl.known) {
		/* cannot rebuild the data: report the entry undecoded */
		e->template_data = NULL;
		goto out;
	}
	nf = ml->tmpl.nfields;
	ret = ascii_tokens(&ml->tmpl, p, end, tok, why);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < nf; i++) {
		ret = ascii_field(ml, ml->tmpl.fields[i], tok[i], &pos, i, why);
		if (ret < 0)
			return ret;
	}
	e->nfields = nf;
	if (ml->tmpl.is_ima) {
		/* hash input: digest (20) and the name NUL-padded to 256 */
		ret = grow(&ml->scratch, &ml->scratch_cap, pos + 276);
		if (ret < 0)
			return ret;
	}
	for (unsigned int i = 0; i < nf; i++)
		e->fields[i].data = ml->scratch + (uintptr_t)e->fields[i].data;
	if (ml->tmpl.is_ima) {
		uint8_t *h = ml->scratch + pos;

		if (e->fields[0].len != 20)
			return bad(why, "\"ima\" template digest is not 20 bytes");
		if (e->fields[1].len > IMA_EVENT_NAME_LEN_MAX + 1)
			return bad(why, "\"ima\" template name longer than 255");
		memcpy(h, e->fields[0].data, 20);
		memset(h + 20, 0, 256);
		memcpy(h + 20, e->fields[1].data, e->fields[1].len);
		e->template_data = h;
		e->template_data_len = 276;
	} else {
		e->template_data = ml->scratch;
		e->template_data_len = pos;
	}
	ret = decode_fields(ml, why);
	if (ret < 0)
		return ret;
out:
	ml->start += len + 1;
	ml->offset += len + 1;
	return 0;
}

/* ---- API --------------------------------------------------------------- */

static int mlog_new(struct imactl_ctx *ctx, int format, unsigned int flags,
		    struct imactl_mlog **ml_ret)
{
	struct imactl_mlog *ml;

	if (format < IMACTL_MLOG_FORMAT_AUTO || format > IMACTL_MLOG_FORMAT_ASCII ||
	    (flags & ~(IMACTL_MLOG_LITTLE_ENDIAN | IMACTL_MLOG_BIG_ENDIAN)) ||
	    (flags & IMACTL_MLOG_LITTLE_ENDIAN && flags & IMACTL_MLOG_BIG_ENDIAN))
		return -EINVAL;
	ml = calloc(1, sizeof(*ml));
	if (!ml)
		return -ENOMEM;
	ml->ctx = ctx;
	ml->fd = -1;
	ml->format = format;
	ml->endian = flags & IMACTL_MLOG_BIG_ENDIAN ? 2 : flags & IMACTL_MLOG_LITTLE_ENDIAN ? 1 : 0;
	*ml_ret = ml;
	return 0;
}

IMACTL_EXPORT int imactl_mlog_open_fd(struct imactl_ctx *ctx, int fd,
				      enum imactl_mlog_format format, unsigned int flags,
				      struct imactl_mlog **mlog_ret)
{
	struct imactl_mlog *ml = NULL;
	int ret;

	if (fd < 0)
		return -EINVAL;
	ret = mlog_new(ctx, format, flags, &ml);
	if (ret < 0)
		return ret;
	ml->fd = fd;
	ml->cap = READ_CHUNK;
	ml->buf = malloc(ml->cap);
	if (!ml->buf) {
		free(ml);
		return -ENOMEM;
	}
	*mlog_ret = ml;
	return 0;
}

IMACTL_EXPORT int imactl_mlog_open_mem(struct imactl_ctx *ctx, const void *buf, size_t len,
				       enum imactl_mlog_format format, unsigned int flags,
				       struct imactl_mlog **mlog_ret)
{
	struct imactl_mlog *ml = NULL;
	int ret;

	if (!buf && len)
		return -EINVAL;
	ret = mlog_new(ctx, format, flags, &ml);
	if (ret < 0)
		return ret;
	ml->mem = buf;
	ml->end = len;
	ml->eof = true;
	*mlog_ret = ml;
	return 0;
}

IMACTL_EXPORT int imactl_mlog_next(struct imactl_mlog *ml,
				   const struct imactl_mlog_entry **entry_ret, const char **why)
{
	const char *reason = NULL;
	int ret;

	*entry_ret = NULL;
	if (ml->failed) {
		if (why)
			*why = "the list could not be read on";
		return -EBADMSG;
	}
	if (ml->format == IMACTL_MLOG_FORMAT_AUTO) {
		const uint8_t *p;

		ret = need(ml, 2);
		if (ret == 1 && ml->end == ml->start)
			return 0; /* empty list */
		if (ret < 0)
			goto fail;
		p = cur(ml);
		/* ascii starts "NN " (a digit); binary with the PCR (< 24) */
		ml->format =
			p[0] >= '0' && p[0] <= '9' &&
					(ret == 1 || p[1] == ' ' || (p[1] >= '0' && p[1] <= '9'))
				? IMACTL_MLOG_FORMAT_ASCII
				: IMACTL_MLOG_FORMAT_BINARY;
	}
	reset_entry(ml);
	ret = ml->format == IMACTL_MLOG_FORMAT_ASCII ? next_ascii(ml, &reason)
						     : next_binary(ml, &reason);
	if (ret == 1)
		return 0;
	if (ret < 0)
		goto fail;
	ml->number++;
	*entry_ret = &ml->entry;
	return 0;
fail:
	ml->failed = true;
	if (ret == -E2BIG) {
		ret = -EBADMSG;
		reason = "entry larger than the 1 MiB limit";
	}
	if (why)
		*why = reason ? reason : strerror(-ret);
	return ret;
}

IMACTL_EXPORT int imactl_mlog_format(const struct imactl_mlog *ml)
{
	return ml->format;
}

IMACTL_EXPORT void imactl_mlog_free(struct imactl_mlog *ml)
{
	if (!ml)
		return;
	free(ml->buf);
	free(ml->scratch);
	free(ml->path);
	free(ml);
}
