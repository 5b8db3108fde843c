// SPDX-License-Identifier: LGPL-2.1-or-later
/* Hash algorithm ids (the kernel's) and streamed file digests. */
#include "lib_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

IMACTL_EXPORT const char *imactl_hash_algo_name(enum imactl_hash_algo algo)
{
	const struct crypto_algo *a = crypto_algo_by_id(algo);

	return a ? a->name : NULL;
}

IMACTL_EXPORT int imactl_hash_algo_size(enum imactl_hash_algo algo)
{
	const struct crypto_algo *a = crypto_algo_by_id(algo);

	return a ? a->size : -EINVAL;
}

IMACTL_EXPORT int imactl_hash_algo_by_name(const char *name)
{
	const struct crypto_algo *a;
	struct crypto_hash *h = NULL;

	if (!name)
		return -EINVAL;
	for (size_t i = 0; (a = crypto_algo_at(i)); i++) {
		if (strcmp(a->name, name) != 0 &&
		    !(a->id == IMACTL_HASH_SM3 && !strcmp(name, "sm3-256")))
			continue;
		/* Known to the kernel; can this OpenSSL compute it? */
		if (crypto_hash_new(NULL, a->id, &h) < 0) {
			crypto_clear_errors();
			return -EOPNOTSUPP;
		}
		crypto_hash_free(h);
		return a->id;
	}
	return -EINVAL;
}

int hash_new(const struct imactl_ctx *ctx, int algo, struct crypto_hash **h_ret)
{
	int ret = crypto_hash_new(ctx_crypto(ctx), algo, h_ret);

	if (ret == -EINVAL)
		log_err(ctx, "hash algorithm %d is not supported", algo);
	else if (ret < 0)
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot start %s",
				  imactl_hash_algo_name(algo));
	return ret;
}

IMACTL_EXPORT int imactl_hash_buf(struct imactl_ctx *ctx, const void *buf, size_t len,
				  enum imactl_hash_algo algo, struct imactl_digest *digest)
{
	struct crypto_hash *h = NULL;
	int ret;

	ret = hash_new(ctx, algo, &h);
	if (ret < 0)
		return ret;
	ret = crypto_hash_update(h, buf, len);
	if (ret == 0)
		ret = crypto_hash_final(h, digest);
	crypto_hash_free(h);
	return ret;
}

/* Large enough to amortise syscalls, small enough to stay in L2. */
#define HASH_CHUNK (256 * 1024)

/*
 * Hashes @fd: with @size < 0, read(2) from the current offset to the end;
 * else pread(2) of the first @size bytes (fewer if it ends before).
 */
static int hash_stream(struct imactl_ctx *ctx, int fd, int algo, off_t size,
		       struct imactl_digest *digest)
{
	struct crypto_hash *h = NULL;
	size_t bufsize = size > 0 && size < HASH_CHUNK ? (size_t)size : HASH_CHUNK;
	uint8_t *buf = NULL;
	off_t off = 0;
	int ret;

	ret = hash_new(ctx, algo, &h);
	if (ret < 0)
		return ret;
	buf = malloc(bufsize);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	if (size < 0 || size > 4 * HASH_CHUNK)
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while (size < 0 || off < size) {
		size_t want =
			size >= 0 && size - off < (off_t)bufsize ? (size_t)(size - off) : bufsize;
		ssize_t n = size < 0 ? read(fd, buf, want) : pread(fd, buf, want, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			log_err(ctx, "read failed: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break; /* the end (if it shrank, the caller's fstat(2) sees it) */
		ret = crypto_hash_update(h, buf, n);
		if (ret < 0)
			goto out;
		off += n;
	}
	ret = crypto_hash_final(h, digest);
out:
	free(buf);
	crypto_hash_free(h);
	return ret;
}

IMACTL_EXPORT int imactl_hash_fd(struct imactl_ctx *ctx, int fd, enum imactl_hash_algo algo,
				 struct imactl_digest *digest)
{
	return hash_stream(ctx, fd, algo, -1, digest);
}

int hash_fd_size(struct imactl_ctx *ctx, int fd, int algo, off_t size, struct imactl_digest *digest)
{
	return hash_stream(ctx, fd, algo, size < 0 ? 0 : size, digest);
}
