// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fs-verity file digests, computed with libfsverity: what an IMA sigv3
 * (0x06) signature covers.  With digest_type=verity the kernel takes the
 * digest from fsverity_get_digest() (security/integrity/ima/ima_api.c),
 * the hash of the file's fsverity_descriptor, never a hash of the content.
 */
#include "lib_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int verity_algo_check(const struct imactl_ctx *ctx, int algo)
{
	if (algo == IMACTL_HASH_SHA256 || algo == IMACTL_HASH_SHA512)
		return 0;
	log_err(ctx, "fs-verity digests are sha256 or sha512, not %s",
		imactl_hash_algo_name(algo) ? imactl_hash_algo_name(algo) : "this algorithm");
	return -EOPNOTSUPP;
}

#if IMACTL_HAVE_FSVERITY
#include <libfsverity.h>

/* libfsverity asks for one Merkle tree block at a time: read in larger chunks */
#define VERITY_CHUNK (256 * 1024)

/*
 * FS_IOC_ENABLE_VERITY's defaults as `fsverity enable` uses them: the
 * digest depends on the block size and salt, and only these match a file
 * enabled without options (the 6.1 kernel wants block size == page size).
 */
#define VERITY_BLOCK_SIZE 4096

struct verity_reader {
	struct imactl_ctx *ctx;
	int fd;
	off_t off;  /* next file offset to read */
	off_t size; /* bytes the digest covers */
	uint8_t *buf;
	size_t have, pos;
	bool failed; /* the error came from here, and was logged */
};

static int verity_read(void *p, void *out, size_t count)
{
	struct verity_reader *r = p;
	uint8_t *o = out;

	while (count) {
		size_t n;

		if (r->pos == r->have) {
			off_t left = r->size - r->off;
			size_t want = left < VERITY_CHUNK ? (size_t)left : VERITY_CHUNK;
			ssize_t got = want ? pread(r->fd, r->buf, want, r->off) : 0;

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				int err = errno;

				log_err(r->ctx, "read failed: %s", strerror(err));
				r->failed = true;
				return -err;
			}
			if (got == 0) {
				/* shorter than fstat(2) said: it shrank meanwhile */
				log_err(r->ctx, "the file changed while it was being hashed");
				r->failed = true;
				return -ESTALE;
			}
			r->have = got;
			r->pos = 0;
			r->off += got;
		}
		n = r->have - r->pos < count ? r->have - r->pos : count;
		memcpy(o, r->buf + r->pos, n);
		r->pos += n;
		o += n;
		count -= n;
	}
	return 0;
}

int verity_digest_size(struct imactl_ctx *ctx, int fd, int algo, off_t size,
		       struct imactl_digest *digest)
{
	struct libfsverity_merkle_tree_params params = {
		.version = 1,
		.hash_algorithm = algo == IMACTL_HASH_SHA512 ? FS_VERITY_HASH_ALG_SHA512
							     : FS_VERITY_HASH_ALG_SHA256,
		.file_size = size,
		.block_size = VERITY_BLOCK_SIZE,
	};
	struct verity_reader r = { .ctx = ctx, .fd = fd, .size = size };
	struct libfsverity_digest *d = NULL;
	int ret;

	ret = verity_algo_check(ctx, algo);
	if (ret < 0)
		return ret;
	if (size < 0)
		return -EINVAL;
	r.buf = malloc(size > 0 && size < VERITY_CHUNK ? (size_t)size : VERITY_CHUNK);
	if (!r.buf)
		return -ENOMEM;
	ret = libfsverity_compute_digest(&r, verity_read, &params, &d);
	if (ret < 0) {
		if (!r.failed && ret != -ENOMEM)
			log_err(ctx, "libfsverity cannot compute the digest: %s", strerror(-ret));
		goto out;
	}
	if (d->digest_size != imactl_hash_algo_size(algo) ||
	    d->digest_size > sizeof(digest->bytes)) {
		ret = -EIO; /* cannot happen with libfsverity's two algorithms */
		goto out;
	}
	memset(digest, 0, sizeof(*digest));
	digest->algo = algo;
	digest->len = d->digest_size;
	memcpy(digest->bytes, d->digest, d->digest_size);
out:
	free(d);
	free(r.buf);
	return ret;
}
#else /* built without libfsverity (meson -Dfsverity=disabled) */

int verity_digest_size(struct imactl_ctx *ctx, int fd, int algo, off_t size,
		       struct imactl_digest *digest)
{
	int ret = verity_algo_check(ctx, algo);

	if (ret < 0)
		return ret;
	log_err(ctx, "fs-verity digests (sigv3, hash --verity) need libfsverity: this imactl was "
		     "built without it");
	return -EOPNOTSUPP;
}
#endif
