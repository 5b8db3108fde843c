// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Manifest lines "PATH ima:0xHEX[ evm:0xHEX]" with byte-exact path escaping,
 * and the one JSON string escape of names: the two ways imactl writes a path.
 */
#include "lib_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), or 0. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned int cp, min;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and values beyond Unicode are invalid */
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Appends the escaped @path to @out (room: 4 bytes per input byte + 1). */
static char *escape_path(const char *path, char *out)
{
	const unsigned char *s = (const unsigned char *)path;
	size_t n = strlen(path);

	for (size_t i = 0; i < n;) {
		size_t len = utf8_seq_len(s + i, n - i);

		if (len == 1 && s[i] > ' ' && s[i] != 0x7f && s[i] != '\\') {
			*out++ = s[i++];
		} else if (len > 1) {
			memcpy(out, s + i, len);
			out += len;
			i += len;
		} else {
			out += sprintf(out, "\\%03o", s[i]);
			i++;
		}
	}
	*out = '\0';
	return out;
}

IMACTL_EXPORT int imactl_manifest_escape(const char *path, char **escaped_ret)
{
	char *out;

	if (!path || !escaped_ret)
		return -EINVAL;
	out = malloc(strlen(path) * 4 + 1);
	if (!out)
		return -ENOMEM;
	escape_path(path, out);
	*escaped_ret = out;
	return 0;
}

IMACTL_EXPORT int imactl_utf8_check(const char *s)
{
	size_t n;

	if (!s)
		return -EINVAL;
	n = strlen(s);
	for (size_t i = 0, len; i < n; i += len) {
		len = utf8_seq_len((const unsigned char *)s + i, n - i);
		if (!len)
			return -EILSEQ;
	}
	return 0;
}

IMACTL_EXPORT int imactl_json_escape(const char *s, char **escaped_ret)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;
	char *out, *p;

	if (!s || !escaped_ret)
		return -EINVAL;
	n = strlen(s);
	/* worst case: 6 bytes ("\u00XX", "\udcXX") per input byte, quotes, NUL */
	out = malloc(n * 6 + 3);
	if (!out)
		return -ENOMEM;
	p = out;
	*p++ = '"';
	for (size_t i = 0; i < n;) {
		size_t len = utf8_seq_len(u + i, n - i);

		if (len == 1 && (u[i] == '"' || u[i] == '\\')) {
			*p++ = '\\';
			*p++ = u[i++];
		} else if (len == 1 && (u[i] < 0x20 || u[i] == 0x7f)) {
			p += sprintf(p, "\\u%04x", u[i++]);
		} else if (len) {
			memcpy(p, u + i, len);
			p += len;
			i += len;
		} else {
			/* not UTF-8: the lone surrogate U+DC00 + byte (surrogateescape) */
			p += sprintf(p, "\\udc%02x", u[i++]);
		}
	}
	*p++ = '"';
	*p = '\0';
	*escaped_ret = out;
	return 0;
}

static char *put_hex(char *out, const char *tag, const uint8_t *buf, size_t len)
{
	out += sprintf(out, " %s:0x", tag);
	hex_encode(out, buf, len);
	return out + 2 * len;
}

IMACTL_EXPORT int imactl_manifest_format(const char *path, const struct imactl_signed_values *v,
					 char **line_ret)
{
	size_t size;
	char *line, *p;

	if (!path || path[0] != '/' || !v || !v->ima || !v->ima_len)
		return -EINVAL;
	size = strlen(path) * 4 + 2 * (v->ima_len + v->evm_len) + 32;
	line = malloc(size);
	if (!line)
		return -ENOMEM;
	p = escape_path(path, line);
	p = put_hex(p, "ima", v->ima, v->ima_len);
	if (v->evm)
		p = put_hex(p, "evm", v->evm, v->evm_len);
	*p++ = '\n';
	*p = '\0';
	*line_ret = line;
	return 0;
}

/* Parses " TAG:0xHEX" at *@s; advances *@s. */
static int parse_hex(const char **s, const char *tag, uint8_t **buf_ret, size_t *len_ret)
{
	size_t taglen = strlen(tag), n = 0;
	const char *p = *s;
	uint8_t *buf;

	if (*p != ' ' || strncmp(p + 1, tag, taglen) != 0 || strncmp(p + 1 + taglen, ":0x", 3) != 0)
		return -EBADMSG;
	p += 1 + taglen + 3;
	while (hex_digit(p[n]) >= 0)
		n++;
	if (n == 0 || n % 2 || n / 2 > IMACTL_MAX_XATTR_SIZE)
		return -EBADMSG;
	buf = malloc(n / 2);
	if (!buf)
		return -ENOMEM;
	hex_decode(p, n, buf); /* n even, all hex digits: cannot fail */
	*s = p + n;
	*buf_ret = buf;
	*len_ret = n / 2;
	return 0;
}

static int unescape_path(const char **s, char **path_ret)
{
	const char *p = *s;
	size_t n = strcspn(p, " \n");
	char *path = malloc(n + 1), *o = path;

	if (!path)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		unsigned int c;

		if (p[i] != '\\') {
			*o++ = p[i];
			continue;
		}
		if (i + 3 >= n) /* fewer than three digits follow */
			goto bad;
		if (p[i + 1] < '0' || p[i + 1] > '3' || p[i + 2] < '0' || p[i + 2] > '7' ||
		    p[i + 3] < '0' || p[i + 3] > '7')
			goto bad;
		c = (p[i + 1] - '0') << 6 | (p[i + 2] - '0') << 3 | (p[i + 3] - '0');
		if (c == 0)
			goto bad;
		*o++ = (char)c;
		i += 3;
	}
	*o = '\0';
	if (path[0] != '/')
		goto bad;
	*s = p + n;
	*path_ret = path;
	return 0;
bad:
	free(path);
	return -EBADMSG;
}

IMACTL_EXPORT int imactl_manifest_unescape(const char *escaped, char **path_ret)
{
	const char *p = escaped;
	char *path = NULL;
	int ret;

	if (!escaped || !path_ret)
		return -EINVAL;
	ret = unescape_path(&p, &path);
	if (ret == 0 && *p == '\n')
		p++;
	if (ret == 0 && *p != '\0') {
		free(path);
		ret = -EBADMSG;
	}
	if (ret == 0)
		*path_ret = path;
	return ret;
}

IMACTL_EXPORT int imactl_manifest_parse(const char *line, char **path_ret,
					struct imactl_signed_values *values)
{
	struct imactl_signed_values v = { 0 };
	const char *p = line;
	char *path = NULL;
	int ret;

	if (!line || !path_ret || !values)
		return -EINVAL;
	ret = unescape_path(&p, &path);
	if (ret < 0)
		return ret;
	ret = parse_hex(&p, "ima", &v.ima, &v.ima_len);
	if (ret < 0)
		goto out;
	if (*p == ' ') {
		ret = parse_hex(&p, "evm", &v.evm, &v.evm_len);
		if (ret < 0)
			goto out;
	}
	if (*p == '\n')
		p++;
	if (*p != '\0') {
		ret = -EBADMSG;
		goto out;
	}
	*path_ret = path;
	*values = v;
	return 0;
out:
	free(path);
	imactl_signed_values_free(&v);
	return ret;
}
