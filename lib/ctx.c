// SPDX-License-Identifier: LGPL-2.1-or-later
/* Library context, logging, small helpers. */
#include "lib_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

IMACTL_EXPORT int imactl_ctx_new(struct imactl_ctx **ctx_ret)
{
	struct imactl_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return -ENOMEM;
	ctx->log_priority = IMACTL_LOG_WARNING;
	if (crypto_cache_new(&ctx->crypto) < 0) {
		free(ctx);
		return -ENOMEM;
	}
	*ctx_ret = ctx;
	return 0;
}

IMACTL_EXPORT void imactl_ctx_free(struct imactl_ctx *ctx)
{
	if (!ctx)
		return;
	crypto_cache_free(ctx->crypto);
	free(ctx);
}

IMACTL_EXPORT void imactl_set_log_fn(struct imactl_ctx *ctx, imactl_log_fn fn, void *data)
{
	ctx->log_fn = fn;
	ctx->log_data = data;
}

IMACTL_EXPORT void imactl_set_log_priority(struct imactl_ctx *ctx, int priority)
{
	ctx->log_priority = priority;
}

IMACTL_EXPORT void imactl_set_xattr_user(struct imactl_ctx *ctx, bool user)
{
	ctx->xattr_user = user;
}

IMACTL_EXPORT void imactl_free(void *ptr)
{
	free(ptr);
}

static void log_va(const struct imactl_ctx *ctx, int prio, bool crypto, const char *fmt, va_list ap)
{
	char msg[1024];
	int n;

	if (!ctx || !ctx->log_fn || prio > ctx->log_priority) {
		if (crypto)
			crypto_clear_errors();
		return;
	}
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if (crypto) {
		size_t used = strlen(msg);

		crypto_format_errors(msg + used, sizeof(msg) - used);
	}
	ctx->log_fn(ctx->log_data, prio, msg);
}

void imactl_log(const struct imactl_ctx *ctx, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(ctx, prio, false, fmt, ap);
	va_end(ap);
}

void imactl_log_crypto(const struct imactl_ctx *ctx, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_va(ctx, prio, true, fmt, ap);
	va_end(ap);
}

const char *imactl_xattr_name(const struct imactl_ctx *ctx, const char *name, char *buf,
			      size_t size)
{
	static const char sec[] = "security.";

	if (!ctx->xattr_user || strncmp(name, sec, sizeof(sec) - 1) != 0)
		return name;
	snprintf(buf, size, "user.%s", name + sizeof(sec) - 1);
	return buf;
}

IMACTL_EXPORT int imactl_keyid_from_hex(const char *str, uint32_t *keyid)
{
	char *end;
	unsigned long long v;

	if (!str || !*str)
		return -EINVAL;
	if (str[0] == '0' && (str[1] == 'x' || str[1] == 'X'))
		str += 2;
	if (!*str || strlen(str) > 8 || *str == '-' || *str == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(str, &end, 16);
	if (errno || *end)
		return -EINVAL;
	*keyid = (uint32_t)v;
	return 0;
}

int params_reserved_check(const struct imactl_ctx *ctx, const char *what, const uint64_t *reserved,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (reserved[i]) {
			log_err(ctx,
				"struct %s: reserved member %zu is not zero (a caller built "
				"against "
				"a newer libimactl?)",
				what, i);
			return -EINVAL;
		}
	}
	return 0;
}
