// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ext2/3/4 images through libext2fs: open one (refusing a mounted image or
 * one with errors), walk its directories, read files and write xattrs into
 * inodes.  No policy here: image.c decides what to write, and the EVM HMAC
 * writer of a later change can use the same layer.
 *
 * Writing never touches the image until ext4_commit(): libext2fs writes
 * through an I/O manager of ours that keeps every written block in memory
 * (reads see them), so a run that fails or is killed before the commit
 * leaves the image as it was.  The commit writes the original contents of
 * those blocks to an undo file beside an image file (unnamed until it is
 * complete and on disk, then IMAGE.imactl-undo), writes the new blocks in
 * place, and removes the undo file.  A run killed in that short window
 * leaves the undo file: the next write-mode open puts the image back byte
 * for byte first, and a read-only open refuses the image, naming the file.
 * No copy of the image is made.  A block device gets no undo file: only
 * the commit writes it, in place.
 */
#include "lib_private.h"

#include <endian.h>
#include <errno.h>
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ext4_image {
	struct imactl_ctx *ctx;
	ext2_filsys fs;
	char *path;	 /* the image, for messages */
	char *undo_name; /* IMAGE.imactl-undo (image files only) */
	struct stat st;	 /* of the image, as opened */
	int fd;		 /* the image as opened and checked (locked) */
	bool writable;
	bool refuse_mounted; /* any mount, not only a read-write one */
};

/* A libext2fs error as -errno, logged with @what. */
static int ext4_err(const struct ext4_image *img, errcode_t err, const char *what)
{
	int ret;

	if (err > 0 && err < 4096)
		ret = -(int)err; /* an errno from the I/O layer */
	else if (err == EXT2_ET_BLOCK_ALLOC_FAIL || err == EXT2_ET_EA_NO_SPACE ||
		 err == EXT2_ET_INODE_ALLOC_FAIL)
		ret = -ENOSPC;
	else if (err == EXT2_ET_NO_MEMORY)
		ret = -ENOMEM;
	else
		ret = -EIO;
	log_err(img->ctx, "%s: %s: %s", img->path, what,
		ret == -ENOSPC ? "no free block left in the image" : error_message(err));
	return ret;
}

/* ---- the overlay I/O manager: writes kept in memory ----------------------- */

#define OVL_UNIT 1024u /* the smallest ext block; the superblock is one */

struct overlay {
	int fd;		 /* the image, read-only */
	uint64_t *units; /* unit numbers (offset / OVL_UNIT), in order of first write */
	uint8_t *data;	 /* OVL_UNIT bytes for each */
	size_t n, alloc;
	uint32_t *slots; /* a hash table of index + 1 into units; 0: free */
	size_t n_slots;	 /* a power of 2, more than twice n */
};

static size_t ovl_slot(const struct overlay *o, uint64_t unit)
{
	uint64_t h = unit * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h ^ (h >> 29)) & (o->n_slots - 1);

	while (o->slots[i] && o->units[o->slots[i] - 1] != unit)
		i = (i + 1) & (o->n_slots - 1);
	return i;
}

static uint8_t *ovl_find(const struct overlay *o, uint64_t unit)
{
	size_t i;

	if (!o->n)
		return NULL;
	i = ovl_slot(o, unit);
	return o->slots[i] ? o->data + (size_t)(o->slots[i] - 1) * OVL_UNIT : NULL;
}

/* A new unit (not yet in @o), filled with @init. */
static errcode_t ovl_add(struct overlay *o, uint64_t unit, const uint8_t *init)
{
	if (o->n == o->alloc) {
		size_t n = o->alloc ? o->alloc * 2 : 256;
		uint64_t *units = realloc(o->units, n * sizeof(*units));
		uint8_t *data;

		if (!units)
			return EXT2_ET_NO_MEMORY;
		o->units = units;
		data = realloc(o->data, n * OVL_UNIT);
		if (!data)
			return EXT2_ET_NO_MEMORY;
		o->data = data;
		o->alloc = n;
	}
	if ((o->n + 1) * 2 >= o->n_slots) {
		size_t n_slots = o->n_slots ? o->n_slots * 2 : 1024;
		uint32_t *slots = calloc(n_slots, sizeof(*slots));

		if (!slots)
			return EXT2_ET_NO_MEMORY;
		free(o->slots);
		o->slots = slots;
		o->n_slots = n_slots;
		for (size_t k = 0; k < o->n; k++)
			o->slots[ovl_slot(o, o->units[k])] = k + 1;
	}
	o->units[o->n] = unit;
	memcpy(o->data + o->n * OVL_UNIT, init, OVL_UNIT);
	o->slots[ovl_slot(o, unit)] = ++o->n;
	return 0;
}

/* @len bytes at @off of the image on disk; 0 or an errno; *got_ret < len past its end. */
static errcode_t read_full(int fd, void *buf, size_t len, uint64_t off, size_t *got_ret)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, off + got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			break;
		got += n;
	}
	*got_ret = got;
	return 0;
}

static errcode_t ovl_write(struct overlay *o, uint64_t off, const void *buf, size_t len)
{
	for (uint64_t u = off / OVL_UNIT; u * OVL_UNIT < off + len; u++) {
		uint64_t start = u * OVL_UNIT, end = start + OVL_UNIT;
		uint64_t from = off > start ? off : start, to = off + len < end ? off + len : end;
		uint8_t *d = ovl_find(o, u), unit[OVL_UNIT];
		errcode_t err;
		size_t got;

		if (!d) {
			/* a partial unit keeps the rest of what the image has */
			got = 0;
			err = to - from < OVL_UNIT ? read_full(o->fd, unit, OVL_UNIT, start, &got)
						   : 0;
			if (err)
				return err;
			memset(unit + got, 0, OVL_UNIT - got);
			err = ovl_add(o, u, unit);
			if (err)
				return err;
			d = o->data + (o->n - 1) * OVL_UNIT;
		}
		memcpy(d + (from - start), (const uint8_t *)buf + (from - off), to - from);
	}
	return 0;
}

static const struct struct_io_manager overlay_io_manager;

static errcode_t ovl_open(const char *name, int flags, io_channel *channel_ret)
{
	io_channel ch = calloc(1, sizeof(*ch));
	struct overlay *o = calloc(1, sizeof(*o));
	errcode_t err = EXT2_ET_NO_MEMORY;

	if (!ch || !o || !(ch->name = strdup(name)))
		goto fail;
	o->fd = open(name, O_RDONLY | O_CLOEXEC | (flags & IO_FLAG_EXCLUSIVE ? O_EXCL : 0));
	if (o->fd < 0) {
		err = errno;
		goto fail;
	}
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = (io_manager)&overlay_io_manager; /* never written through */
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = o;
	*channel_ret = ch;
	return 0;
fail:
	if (ch)
		free(ch->name);
	free(ch);
	free(o);
	return err;
}

static errcode_t ovl_close(io_channel ch)
{
	struct overlay *o = ch->private_data;

	if (--ch->refcount > 0)
		return 0;
	close(o->fd);
	free(o->units);
	free(o->data);
	free(o->slots);
	free(o);
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t ovl_set_blksize(io_channel ch, int blksize)
{
	ch->block_size = blksize;
	return 0;
}

static errcode_t ovl_read_blk64(io_channel ch, unsigned long long block, int count, void *buf)
{
	struct overlay *o = ch->private_data;
	size_t len = count < 0 ? (size_t)-count : (size_t)count * ch->block_size, got;
	uint64_t off = block * ch->block_size;
	errcode_t err = read_full(o->fd, buf, len, off, &got);

	if (err)
		return err;
	if (got < len) {
		memset((char *)buf + got, 0, len - got);
		return EXT2_ET_SHORT_READ;
	}
	for (uint64_t u = off / OVL_UNIT; o->n && u * OVL_UNIT < off + len; u++) {
		uint64_t start = u * OVL_UNIT, end = start + OVL_UNIT;
		uint64_t from = off > start ? off : start, to = off + len < end ? off + len : end;
		const uint8_t *d = ovl_find(o, u);

		if (d)
			memcpy((uint8_t *)buf + (from - off), d + (from - start), to - from);
	}
	return 0;
}

static errcode_t ovl_read_blk(io_channel ch, unsigned long block, int count, void *buf)
{
	return ovl_read_blk64(ch, block, count, buf);
}

static errcode_t ovl_write_blk64(io_channel ch, unsigned long long block, int count,
				 const void *buf)
{
	size_t len = count < 0 ? (size_t)-count : (size_t)count * ch->block_size;

	return ovl_write(ch->private_data, block * ch->block_size, buf, len);
}

static errcode_t ovl_write_blk(io_channel ch, unsigned long block, int count, const void *buf)
{
	return ovl_write_blk64(ch, block, count, buf);
}

static errcode_t ovl_write_byte(io_channel ch, unsigned long offset, int count, const void *buf)
{
	return count < 0 ? EXT2_ET_INVALID_ARGUMENT
			 : ovl_write(ch->private_data, offset, buf, (size_t)count);
}

static errcode_t ovl_flush(io_channel ch)
{
	(void)ch;
	return 0; /* nothing reaches the image before ext4_commit() */
}

static const struct struct_io_manager overlay_io_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "imactl overlay I/O manager",
	.open = ovl_open,
	.close = ovl_close,
	.set_blksize = ovl_set_blksize,
	.read_blk = ovl_read_blk,
	.write_blk = ovl_write_blk,
	.flush = ovl_flush,
	.write_byte = ovl_write_byte,
	.read_blk64 = ovl_read_blk64,
	.write_blk64 = ovl_write_blk64,
};

/* ---- the commit and its undo file ------------------------------------------ */

/*
 * The undo file: "IMACTL-UNDO-1" (16 bytes, zero-padded), the image's size
 * and the number of runs (le64 each); per run its offset and length (le64)
 * and the image's bytes there before the run; the SHA-256 of everything
 * before it.
 */
#define UNDO_MAGIC "IMACTL-UNDO-1"
#define UNDO_HEAD  32
#define UNDO_TAIL  32

struct undo_buf {
	uint8_t *b;
	size_t len, alloc;
};

static int undo_put(struct undo_buf *u, const void *p, size_t len)
{
	if (u->len + len > u->alloc) {
		size_t n = u->alloc ? u->alloc : 1 << 16;
		uint8_t *b;

		while (n < u->len + len)
			n *= 2;
		b = realloc(u->b, n);
		if (!b)
			return -ENOMEM;
		u->b = b;
		u->alloc = n;
	}
	if (p)
		memcpy(u->b + u->len, p, len);
	u->len += len;
	return 0;
}

static int undo_put_le64(struct undo_buf *u, uint64_t v)
{
	v = htole64(v);
	return undo_put(u, &v, sizeof(v));
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static int sha256_of(struct imactl_ctx *ctx, const void *p, size_t len, uint8_t out[32])
{
	struct crypto_hash *h = NULL;
	struct imactl_digest d;
	int ret = hash_new(ctx, IMACTL_HASH_SHA256, &h);

	if (ret == 0)
		ret = crypto_hash_update(h, p, len);
	if (ret == 0)
		ret = crypto_hash_final(h, &d);
	crypto_hash_free(h);
	if (ret == 0)
		memcpy(out, d.bytes, 32);
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The written units in runs: @u (sorted) from @k, as many as follow each other. */
static size_t run_len(const uint64_t *u, size_t n, size_t k)
{
	size_t m = 1;

	while (k + m < n && u[k + m] == u[k] + m)
		m++;
	return m;
}

/* The undo file's bytes for @o: the image's contents where @o writes. */
static int undo_build(struct ext4_image *img, const struct overlay *o, const uint64_t *u,
		      struct undo_buf *ub)
{
	uint8_t head[16] = UNDO_MAGIC, sum[UNDO_TAIL];
	size_t n_runs = 0, got;
	errcode_t err;
	int ret;

	for (size_t k = 0; k < o->n; k += run_len(u, o->n, k))
		n_runs++;
	ret = undo_put(ub, head, sizeof(head));
	if (ret == 0)
		ret = undo_put_le64(ub, img->st.st_size);
	if (ret == 0)
		ret = undo_put_le64(ub, n_runs);
	for (size_t k = 0, m; ret == 0 && k < o->n; k += m) {
		m = run_len(u, o->n, k);
		ret = undo_put_le64(ub, u[k] * OVL_UNIT);
		if (ret == 0)
			ret = undo_put_le64(ub, m * OVL_UNIT);
		if (ret == 0)
			ret = undo_put(ub, NULL, m * OVL_UNIT);
		if (ret < 0)
			break;
		err = read_full(img->fd, ub->b + ub->len - m * OVL_UNIT, m * OVL_UNIT,
				u[k] * OVL_UNIT, &got);
		if (err || got < m * OVL_UNIT) {
			ret = err ? -(int)err : -EIO;
			log_err(img->ctx, "%s: cannot read it: %s", img->path,
				err ? strerror(err) : "shorter than its file system");
		}
	}
	if (ret == 0)
		ret = sha256_of(img->ctx, ub->b, ub->len, sum);
	if (ret == 0)
		ret = undo_put(ub, sum, sizeof(sum));
	return ret;
}

/* @len bytes to @fd at @off, in pieces of at most a MiB. */
static int write_full(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len < (1u << 20) ? len : (1u << 20), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static void fsync_dir_of(const char *path)
{
	char *dcopy = strdup(path);
	int dfd = dcopy ? open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dcopy);
}

/*
 * Writes the undo file: unnamed while it is written, then IMAGE.imactl-undo
 * once it is on disk.  Named through linkat(2) called with syscall(2):
 * pseudo (Yocto's fake root, LD_PRELOAD) resolves /proc/self/fd/N to the
 * text of its link, "DIR/#INODE (deleted)" for an unnamed file, and passes
 * a syscall(2) to the kernel, which follows the descriptor's link itself.
 */
static int undo_store(struct ext4_image *img, const struct undo_buf *ub)
{
	char *dcopy = strdup(img->path), src[40];
	int fd = dcopy ? open(dirname(dcopy), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) : -1;
	int ret = fd >= 0 ? 0 : dcopy ? -errno : -ENOMEM;

	free(dcopy);
	if (ret == 0)
		ret = write_full(fd, ub->b, ub->len, 0);
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (ret == 0 &&
	    syscall(SYS_linkat, AT_FDCWD, src, AT_FDCWD, img->undo_name, AT_SYMLINK_FOLLOW) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret < 0) {
		log_err(img->ctx, "%s: cannot write its undo file %s: %s", img->path,
			img->undo_name, strerror(-ret));
		return ret;
	}
	fsync_dir_of(img->path);
	return 0;
}

static bool unit_zero(const uint8_t *p)
{
	return p[0] == 0 && !memcmp(p, p + 1, OVL_UNIT - 1);
}

/*
 * The image's bytes @p (@len, units) back at @off: zero stretches as holes
 * again where the file system can (the blocks of a sparse image it had
 * free), the rest written.
 */
static int restore_run(int fd, const uint8_t *p, uint64_t len, uint64_t off)
{
	int ret = 0;

	for (uint64_t i = 0, m; ret == 0 && i < len; i += m) {
		bool zero = unit_zero(p + i);

		for (m = OVL_UNIT; i + m < len && unit_zero(p + i + m) == zero; m += OVL_UNIT)
			;
		if (zero &&
		    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off + i, m) == 0)
			continue;
		ret = write_full(fd, p + i, m, off + i);
	}
	return ret;
}

/*
 * Puts back what undo file bytes @b (@len, checked here) record; 0, or
 * -EUCLEAN for bytes that are not a complete undo file of this image, or
 * the write's -errno.
 */
static int undo_apply(struct ext4_image *img, const uint8_t *b, size_t len)
{
	uint8_t sum[UNDO_TAIL], head[16] = UNDO_MAGIC;
	uint64_t n_runs, pos = UNDO_HEAD;
	int ret;

	if (len < UNDO_HEAD + UNDO_TAIL || memcmp(b, head, sizeof(head)) ||
	    get_le64(b + 16) != (uint64_t)img->st.st_size)
		return -EUCLEAN;
	ret = sha256_of(img->ctx, b, len - UNDO_TAIL, sum);
	if (ret < 0)
		return ret;
	if (!crypto_memeq(sum, b + len - UNDO_TAIL, UNDO_TAIL))
		return -EUCLEAN;
	n_runs = get_le64(b + 24);
	/* all of it checked before the first write */
	for (uint64_t k = 0, off, n; k < n_runs; k++, pos += 16 + n) {
		if (pos + 16 > len - UNDO_TAIL)
			return -EUCLEAN;
		off = get_le64(b + pos);
		n = get_le64(b + pos + 8);
		if (n > len - UNDO_TAIL - pos - 16 || n % OVL_UNIT || off % OVL_UNIT ||
		    off > (uint64_t)img->st.st_size || n > (uint64_t)img->st.st_size - off)
			return -EUCLEAN;
	}
	if (pos != len - UNDO_TAIL)
		return -EUCLEAN;
	pos = UNDO_HEAD;
	for (uint64_t k = 0; ret == 0 && k < n_runs; k++) {
		uint64_t n = get_le64(b + pos + 8);

		ret = restore_run(img->fd, b + pos + 16, n, get_le64(b + pos));
		pos += 16 + n;
	}
	if (ret == 0 && fsync(img->fd) < 0)
		ret = -errno;
	return ret;
}

/*
 * An undo file a killed run left: a write-mode open puts the image back
 * (and removes the file); a read-only one refuses the image.
 */
static int undo_recover(struct ext4_image *img)
{
	int fd = open(img->undo_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret = 0;
	uint8_t *b = NULL;
	struct stat st;
	size_t got = 0;
	errcode_t err;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (!img->refuse_mounted) { /* EXT4_READ */
		log_err(img->ctx,
			"%s: a sign-image run was killed while writing it and left %s: the image "
			"is partly written; sign-image on it puts it back first",
			img->path, img->undo_name);
		ret = -EUCLEAN;
		goto out;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		log_err(img->ctx, "%s: %s", img->undo_name, strerror(errno));
		goto out;
	}
	b = S_ISREG(st.st_mode) ? malloc(st.st_size ? st.st_size : 1) : NULL;
	if (!b) {
		ret = S_ISREG(st.st_mode) ? -ENOMEM : -EUCLEAN;
		goto bad;
	}
	err = read_full(fd, b, st.st_size, 0, &got);
	if (err) {
		ret = -(int)err;
		log_err(img->ctx, "%s: %s", img->undo_name, strerror(err));
		goto out;
	}
	ret = undo_apply(img, b, got);
	if (ret == 0) {
		unlink(img->undo_name);
		fsync_dir_of(img->path);
		log_warn(img->ctx,
			 "%s: put back as it was before a sign-image run that was killed while "
			 "writing it (from %s, now removed)",
			 img->path, img->undo_name);
		goto out;
	}
bad:
	if (ret == -EUCLEAN)
		log_err(img->ctx,
			"%s: %s is not a complete undo file of this image; remove it if the "
			"image is known to be whole",
			img->path, img->undo_name);
	else
		log_err(img->ctx, "%s: cannot put it back from %s: %s", img->path, img->undo_name,
			strerror(-ret));
out:
	free(b);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Writes what libext2fs wrote to the overlay @o into the image. */
static int overlay_commit(struct ext4_image *img, const struct overlay *o)
{
	struct undo_buf ub = { 0 };
	uint64_t *u = o->n ? malloc(o->n * sizeof(*u)) : NULL;
	uint8_t *run = NULL;
	size_t run_alloc = 0;
	int ret = 0, undo_ret;

	if (!o->n)
		return 0;
	if (!u)
		return -ENOMEM;
	memcpy(u, o->units, o->n * sizeof(*u));
	qsort(u, o->n, sizeof(*u), cmp_u64);
	if (img->undo_name) {
		ret = undo_build(img, o, u, &ub);
		if (ret == 0)
			ret = undo_store(img, &ub);
		if (ret < 0)
			goto out;
	}
	for (size_t k = 0, m; ret == 0 && k < o->n; k += m) {
		m = run_len(u, o->n, k);
		if (m * OVL_UNIT > run_alloc) {
			free(run);
			run_alloc = m * OVL_UNIT;
			run = malloc(run_alloc);
			if (!run) {
				ret = -ENOMEM;
				break;
			}
		}
		for (size_t i = 0; i < m; i++)
			memcpy(run + i * OVL_UNIT, ovl_find(o, u[k + i]), OVL_UNIT);
		ret = write_full(img->fd, run, m * OVL_UNIT, u[k] * OVL_UNIT);
	}
	if (ret == 0 && fsync(img->fd) < 0)
		ret = -errno;
	if (ret < 0) {
		log_err(img->ctx, "%s: cannot write it: %s", img->path, strerror(-ret));
		/* back as it was; else the undo file stays for the next run */
		undo_ret = img->undo_name ? undo_apply(img, ub.b, ub.len) : -ENOENT;
		if (undo_ret == 0)
			unlink(img->undo_name);
		else if (img->undo_name)
			log_err(img->ctx, "%s: partly written; %s puts it back (sign-image does)",
				img->path, img->undo_name);
		goto out;
	}
	if (img->undo_name) {
		unlink(img->undo_name);
		fsync_dir_of(img->path);
	}
out:
	free(run);
	free(ub.b);
	free(u);
	return ret;
}

/* Refuses what would be unsafe or wrong to read or write. */
static int check_image(struct ext4_image *img, const struct stat *st)
{
	errcode_t err;
	int flags = 0;

	if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode)) {
		log_err(img->ctx, "%s: not an image file or a block device", img->path);
		return -EINVAL;
	}
	err = ext2fs_check_if_mounted(img->path, &flags);
	if (err)
		return ext4_err(img, err, "cannot tell whether it is mounted");
	if ((flags & EXT2_MF_MOUNTED) && (img->refuse_mounted || !(flags & EXT2_MF_READONLY))) {
		log_err(img->ctx, "%s: is mounted%s; unmount it first", img->path,
			flags & EXT2_MF_READONLY ? "" : " read-write");
		return -EBUSY;
	}
	/* one writer at a time, and no reader while it commits */
	if (flock(img->fd, (img->refuse_mounted ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
		log_err(img->ctx, "%s: another imactl run is %s it", img->path,
			errno == EWOULDBLOCK ? "using" : strerror(errno));
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	}
	return 0;
}

/* The superblock's own verdict: errors recorded, not clean, journal to replay. */
static int check_state(struct ext4_image *img)
{
	struct ext2_super_block *sb = img->fs->super;
	const char *why = NULL;

	if (sb->s_state & EXT2_ERROR_FS)
		why = "the file system has errors recorded";
	else if (!(sb->s_state & EXT2_VALID_FS))
		why = "the file system was not cleanly unmounted";
	else if (ext2fs_has_feature_journal_needs_recovery(sb))
		why = "the journal needs recovery";
	if (!why)
		return 0;
	log_err(img->ctx, "%s: %s; run e2fsck -f on it first", img->path, why);
	return -EUCLEAN;
}

int ext4_open(struct imactl_ctx *ctx, const char *path, enum ext4_mode mode,
	      struct ext4_image **img_ret)
{
	bool writable = mode == EXT4_WRITE;
	struct ext4_image *img = calloc(1, sizeof(*img));
	char name[40];
	int flags = EXT2_FLAG_64BITS, fd, ret;
	struct stat st;
	errcode_t err;

	if (!img)
		return -ENOMEM;
	img->ctx = ctx;
	img->fd = -1;
	img->writable = writable;
	img->refuse_mounted = mode != EXT4_READ;
	img->path = strdup(path);
	if (!img->path) {
		ret = -ENOMEM;
		goto fail;
	}
	fd = img->fd = open(path, (mode == EXT4_READ ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EISDIR) {
		log_err(ctx, "%s: not an image file or a block device", path);
		ret = -EINVAL;
		goto fail;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		log_err(ctx, "%s: %s", path, strerror(errno));
		goto fail;
	}
	img->st = st;
	ret = check_image(img, &st);
	if (ret < 0)
		goto fail;
	if (S_ISREG(st.st_mode)) {
		if (asprintf(&img->undo_name, "%s.imactl-undo", path) < 0) {
			img->undo_name = NULL;
			ret = -ENOMEM;
			goto fail;
		}
		ret = undo_recover(img);
		if (ret < 0)
			goto fail;
	}
	if (writable)
		flags |= EXT2_FLAG_RW | (S_ISBLK(st.st_mode) ? EXT2_FLAG_EXCLUSIVE : 0);
	/* libext2fs opens the very file checked above */
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	err = ext2fs_open2(name, NULL, flags, 0, 0,
			   writable ? (io_manager)&overlay_io_manager : unix_io_manager, &img->fs);
	if (err) {
		if (err == EXT2_ET_BAD_MAGIC) {
			log_err(ctx, "%s: not an ext2/3/4 file system", path);
			ret = -EMEDIUMTYPE;
		} else if (err == EXT2_ET_SHORT_READ || err == EXT2_ET_LLSEEK_FAILED) {
			log_err(ctx, "%s: truncated: shorter than its file system (%s)", path,
				error_message(err));
			ret = -EIO;
		} else {
			ret = ext4_err(img, err, "cannot open the file system");
		}
		img->fs = NULL;
		goto fail;
	}
	if (ext2fs_blocks_count(img->fs->super) * img->fs->blocksize > (uint64_t)st.st_size &&
	    S_ISREG(st.st_mode)) {
		log_err(ctx, "%s: truncated: %llu bytes, its file system has %llu", path,
			(unsigned long long)st.st_size,
			(unsigned long long)ext2fs_blocks_count(img->fs->super) *
				img->fs->blocksize);
		ret = -EIO;
		goto fail;
	}
	ret = check_state(img);
	if (ret < 0)
		goto fail;
	if (!ext2fs_has_feature_xattr(img->fs->super)) {
		log_err(ctx, "%s: the file system has no ext_attr feature (tune2fs -O ext_attr)",
			path);
		ret = -EOPNOTSUPP;
		goto fail;
	}
	err = writable ? ext2fs_read_bitmaps(img->fs) : 0;
	if (err) {
		ret = ext4_err(img, err, "cannot read the allocation bitmaps");
		goto fail;
	}
	*img_ret = img;
	return 0;
fail:
	ext4_close(img);
	return ret;
}

void ext4_close(struct ext4_image *img)
{
	if (!img)
		return;
	if (img->fs)
		ext2fs_free(img->fs); /* what was not committed is dropped with the overlay */
	free(img->undo_name);
	if (img->fd >= 0)
		close(img->fd); /* and the lock */
	free(img->path);
	free(img);
}

int ext4_commit(struct ext4_image *img)
{
	errcode_t err = ext2fs_write_bitmaps(img->fs);
	int ret;

	/* superblock, descriptors, bitmaps: into the overlay, then the image */
	if (!err && (img->fs->flags & EXT2_FLAG_DIRTY))
		err = ext2fs_flush2(img->fs, 0);
	if (err)
		return ext4_err(img, err, "cannot write the file system's metadata");
	ret = overlay_commit(img, img->fs->io->private_data);
	ext2fs_free(img->fs);
	img->fs = NULL;
	return ret;
}

int ext4_stat(struct ext4_image *img, uint32_t ino, struct ext4_stat *st)
{
	struct ext2_inode inode;
	errcode_t err = ext2fs_read_inode(img->fs, ino, &inode);

	if (err)
		return ext4_err(img, err, "cannot read an inode");
	st->uid = inode_uid(inode);
	st->gid = inode_gid(inode);
	st->mode = inode.i_mode;
	st->links = inode.i_links_count;
	st->size = EXT2_I_SIZE(&inode);
	st->generation = inode.i_generation;
	return 0;
}

void ext4_uuid(const struct ext4_image *img, uint8_t uuid[16])
{
	memcpy(uuid, img->fs->super->s_uuid, 16);
}

struct dir_names {
	struct ext4_dirent *ents;
	size_t n, alloc;
	int err;
};

static int collect_name(ext2_ino_t dir, int entry, struct ext2_dir_entry *de, int offset,
			int blocksize, char *buf, void *data)
{
	struct dir_names *d = data;
	int len = ext2fs_dirent_name_len(de);
	struct ext4_dirent *e;

	if ((len == 1 && de->name[0] == '.') || (len == 2 && !memcmp(de->name, "..", 2)))
		return 0;
	if (d->n == d->alloc) {
		size_t n = d->alloc ? d->alloc * 2 : 32;

		e = realloc(d->ents, n * sizeof(*e));
		if (!e) {
			d->err = -ENOMEM;
			return DIRENT_ABORT;
		}
		d->ents = e;
		d->alloc = n;
	}
	e = &d->ents[d->n];
	e->ino = de->inode;
	e->name = strndup(de->name, len);
	if (!e->name) {
		d->err = -ENOMEM;
		return DIRENT_ABORT;
	}
	d->n++;
	return 0;
}

static int cmp_dirent(const void *a, const void *b)
{
	return strcmp(((const struct ext4_dirent *)a)->name, ((const struct ext4_dirent *)b)->name);
}

void ext4_dirents_free(struct ext4_dirent *ents, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
}

int ext4_read_dir(struct ext4_image *img, uint32_t dir, struct ext4_dirent **ents_ret,
		  size_t *n_ret)
{
	struct dir_names d = { 0 };
	errcode_t err = ext2fs_dir_iterate2(img->fs, dir, 0, NULL, collect_name, &d);

	if (err || d.err) {
		ext4_dirents_free(d.ents, d.n);
		return d.err ? d.err : ext4_err(img, err, "cannot read a directory");
	}
	if (d.n)
		qsort(d.ents, d.n, sizeof(*d.ents), cmp_dirent);
	*ents_ret = d.ents;
	*n_ret = d.n;
	return 0;
}

int ext4_lookup(struct ext4_image *img, const char *path, uint32_t *ino_ret)
{
	ext2_ino_t ino;
	errcode_t err = ext2fs_namei_follow(img->fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, &ino);

	if (err == EXT2_ET_FILE_NOT_FOUND)
		return -ENOENT;
	if (err)
		return ext4_err(img, err, path);
	*ino_ret = ino;
	return 0;
}

#define READ_CHUNK (1u << 20)

/* Hands @len zero bytes (a hole, an unwritten extent) to @fn. */
static int feed_zeros(char *buf, uint64_t len, int (*fn)(void *data, const void *buf, size_t len),
		      void *data)
{
	int ret = 0;

	memset(buf, 0, len < READ_CHUNK ? len : READ_CHUNK);
	while (len && ret >= 0) {
		size_t n = len < READ_CHUNK ? len : READ_CHUNK;

		ret = fn(data, buf, n);
		len -= n;
	}
	return ret;
}

/*
 * An extent-mapped file: its runs of blocks read with pread(2), up to a MiB
 * at a time, instead of ext2fs_file_read()'s one block per call.  This
 * library never writes data blocks, so the descriptor reads what is current.
 */
static int read_extents(struct ext4_image *img, uint32_t ino, struct ext2_inode *inode,
			uint64_t max, int (*fn)(void *data, const void *buf, size_t len),
			void *data, char *buf)
{
	int fd = img->fd, op = EXT2_EXTENT_ROOT, ret = 0;
	uint64_t bs = img->fs->blocksize, pos = 0;
	ext2_extent_handle_t h = NULL;
	struct ext2fs_extent ext;
	errcode_t err;

	err = ext2fs_extent_open2(img->fs, ino, inode, &h);
	while (!err && ret >= 0 && pos < max) {
		uint64_t start, end, at;

		err = ext2fs_extent_get(h, op, &ext);
		op = EXT2_EXTENT_NEXT;
		if (err == EXT2_ET_EXTENT_NO_NEXT || err == EXT2_ET_NO_CURRENT_NODE) {
			err = 0;
			break;
		}
		if (err || !(ext.e_flags & EXT2_EXTENT_FLAGS_LEAF))
			continue;
		start = ext.e_lblk * bs;
		end = start + (uint64_t)ext.e_len * bs;
		if (start < pos) {
			err = EXT2_ET_EXTENT_HEADER_BAD; /* out of order: corrupt */
			break;
		}
		if (start >= max)
			break;
		end = end < max ? end : max;
		ret = feed_zeros(buf, start - pos, fn, data);
		at = ext.e_pblk * bs;
		for (pos = start; ret >= 0 && pos < end;) {
			size_t n = end - pos < READ_CHUNK ? end - pos : READ_CHUNK;
			ssize_t got;

			if (ext.e_flags & EXT2_EXTENT_FLAGS_UNINIT) {
				ret = feed_zeros(buf, end - pos, fn, data);
				pos = end;
				break;
			}
			got = pread(fd, buf, n, at + (pos - start));
			if (got != (ssize_t)n) {
				ret = got < 0 ? -errno : -EIO;
				log_err(img->ctx, "%s: cannot read a file's content: %s", img->path,
					got < 0 ? strerror(errno) : "beyond the end of the image");
				break;
			}
			ret = fn(data, buf, n);
			pos += n;
		}
	}
	if (h)
		ext2fs_extent_free(h);
	if (err)
		return ext4_err(img, err, "cannot read a file's extents");
	if (ret >= 0 && pos < max)
		ret = feed_zeros(buf, max - pos, fn, data); /* a hole at the end */
	return ret < 0 ? ret : 0;
}

int ext4_read_file(struct ext4_image *img, uint32_t ino, uint64_t max,
		   int (*fn)(void *data, const void *buf, size_t len), void *data)
{
	ext2_file_t file = NULL;
	struct ext2_inode inode;
	unsigned int got;
	uint64_t done = 0;
	char *buf = malloc(READ_CHUNK);
	errcode_t err;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	err = ext2fs_read_inode(img->fs, ino, &inode);
	if (!err && (inode.i_flags & EXT4_EXTENTS_FL) && !(inode.i_flags & EXT4_INLINE_DATA_FL)) {
		max = max < EXT2_I_SIZE(&inode) ? max : EXT2_I_SIZE(&inode);
		ret = read_extents(img, ino, &inode, max, fn, data, buf);
		free(buf);
		return ret;
	}
	/* block maps (ext2/3), inline data: libext2fs reads them */
	if (!err)
		err = ext2fs_file_open(img->fs, ino, 0, &file);
	while (!err && done < max) {
		err = ext2fs_file_read(file, buf, max - done < READ_CHUNK ? max - done : READ_CHUNK,
				       &got);
		if (err || got == 0)
			break;
		done += got;
		ret = fn(data, buf, got);
		if (ret < 0)
			break;
	}
	if (file)
		ext2fs_file_close(file);
	free(buf);
	if (err)
		return ext4_err(img, err, "cannot read a file's content");
	return ret;
}

struct ext4_xattrs {
	size_t n;
	struct {
		char *name;
		uint8_t *value;
		size_t len;
	} * x;
};

static int collect_xattr(char *name, char *value, size_t len, void *data)
{
	struct ext4_xattrs *xs = data;
	void *tmp = realloc(xs->x, (xs->n + 1) * sizeof(*xs->x));

	if (!tmp)
		return XATTR_ABORT;
	xs->x = tmp;
	xs->x[xs->n].name = strdup(name);
	xs->x[xs->n].value = malloc(len ? len : 1);
	xs->x[xs->n].len = len;
	if (!xs->x[xs->n].name || !xs->x[xs->n].value) {
		free(xs->x[xs->n].name);
		free(xs->x[xs->n].value);
		return XATTR_ABORT;
	}
	memcpy(xs->x[xs->n].value, value, len);
	xs->n++;
	return 0;
}

void ext4_xattrs_free(struct ext4_xattrs *xs)
{
	if (!xs)
		return;
	for (size_t i = 0; i < xs->n; i++) {
		free(xs->x[i].name);
		free(xs->x[i].value);
	}
	free(xs->x);
	free(xs);
}

int ext4_xattrs_read(struct ext4_image *img, uint32_t ino, struct ext4_xattrs **xs_ret)
{
	struct ext2_xattr_handle *h = NULL;
	struct ext4_xattrs *xs = calloc(1, sizeof(*xs));
	errcode_t err;

	if (!xs)
		return -ENOMEM;
	err = ext2fs_xattrs_open(img->fs, ino, &h);
	if (!err)
		err = ext2fs_xattrs_read(h);
	if (!err)
		err = ext2fs_xattrs_iterate(h, collect_xattr, xs);
	if (h)
		ext2fs_xattrs_close(&h);
	if (err) {
		ext4_xattrs_free(xs);
		return ext4_err(img, err, "cannot read the xattrs of an inode");
	}
	*xs_ret = xs;
	return 0;
}

int ext4_xattrs_get(const struct ext4_xattrs *xs, const char *name, uint8_t **buf_ret,
		    size_t *len_ret)
{
	for (size_t i = 0; i < xs->n; i++) {
		if (strcmp(xs->x[i].name, name))
			continue;
		*buf_ret = malloc(xs->x[i].len ? xs->x[i].len : 1);
		if (!*buf_ret)
			return -ENOMEM;
		memcpy(*buf_ret, xs->x[i].value, xs->x[i].len);
		*len_ret = xs->x[i].len;
		return 0;
	}
	return -ENODATA;
}

int ext4_xattrs_set(struct ext4_image *img, uint32_t ino, const struct ext4_xattr_op *ops, size_t n)
{
	struct ext2_xattr_handle *h = NULL;
	errcode_t err;

	err = ext2fs_xattrs_open(img->fs, ino, &h);
	if (!err)
		err = ext2fs_xattrs_read(h);
	/* each call writes the inode (and its xattr block when the inode is full) */
	for (size_t i = 0; !err && i < n; i++)
		err = ops[i].value ? ext2fs_xattr_set(h, ops[i].name, ops[i].value, ops[i].len)
				   : ext2fs_xattr_remove(h, ops[i].name);
	if (h)
		ext2fs_xattrs_close(&h);
	return err ? ext4_err(img, err, "cannot write the xattrs of an inode") : 0;
}
