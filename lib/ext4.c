// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ext2/3/4 images through libext2fs: open one (refusing a mounted image or
 * one with errors), walk its directories, read files and write xattrs into
 * inodes.  No policy here: image.c decides what to write, and the EVM HMAC
 * writer of a later change can use the same layer.
 *
 * Writing an image file never happens in place: the image is cloned (or
 * copied, holes kept) into an unnamed file of the same directory, written
 * there, and renamed over the image only once libext2fs has flushed
 * everything.  A run that is killed or fails leaves the image as it was.
 * A block device cannot be cloned and is written in place.
 */
#include "lib_private.h"

#include <errno.h>
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct ext4_image {
	struct imactl_ctx *ctx;
	ext2_filsys fs;
	char *path;	    /* the image, for messages and the final rename */
	struct stat st;	    /* of the image, as opened */
	int fd;		    /* the image as opened and checked */
	int scratch_fd;	    /* the copy being written, -1 when in place or read-only */
	char *scratch_name; /* the copy's temporary name, when it needs one */
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

/* Copies @src to @dst keeping holes: a clone when the file system can. */
static int copy_image(int src, int dst, off_t size)
{
	off_t data = 0, hole;

	if (ioctl(dst, FICLONE, src) == 0)
		return 0;
	if (ftruncate(dst, size) < 0)
		return -errno;
	for (;;) {
		data = lseek(src, data, SEEK_DATA);
		if (data < 0)
			return errno == ENXIO ? 0 : -errno;
		hole = lseek(src, data, SEEK_HOLE);
		if (hole < 0)
			return -errno;
		for (off_t in = data, out = data; in < hole;) {
			ssize_t n = copy_file_range(src, &in, dst, &out, hole - in, 0);

			if (n < 0)
				return -errno;
			if (n == 0)
				return -EIO; /* shrank meanwhile */
		}
		data = hole;
	}
}

/* An unnamed copy of @img->path in its directory, for writing. */
static int make_scratch(struct ext4_image *img, int src, const struct stat *st)
{
	char *dcopy = strdup(img->path);
	int fd, ret;

	if (!dcopy)
		return -ENOMEM;
	fd = open(dirname(dcopy), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	free(dcopy);
	if (fd >= 0 && fchmod(fd, st->st_mode & 07777) < 0) {
		close(fd);
		fd = -1;
	}
	if (fd >= 0 && (st->st_uid != geteuid() || st->st_gid != getegid()) &&
	    fchown(fd, st->st_uid, st->st_gid) < 0) {
		/* root keeps the owner; others cannot, and the copy is theirs */
	}
	if (fd < 0) {
		ret = -errno;
		log_err(img->ctx, "%s: cannot create a scratch copy in its directory: %s",
			img->path, strerror(errno));
		return ret;
	}
	ret = copy_image(src, fd, st->st_size);
	if (ret < 0) {
		log_err(img->ctx, "%s: cannot copy the image: %s", img->path, strerror(-ret));
		close(fd);
		return ret;
	}
	img->scratch_fd = fd;
	return 0;
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

/*
 * Gives the unnamed scratch copy a temporary name beside the image.  Needed
 * under pseudo (Yocto's fake root, LD_PRELOAD): it resolves
 * /proc/self/fd/N to the link's text, "DIR/#INODE (deleted)" for an unnamed
 * file, so libext2fs cannot open the copy through it.  linkat(2) is called
 * through syscall(2), which pseudo passes to the kernel, that follows the
 * descriptor's link itself.  The name is removed when the copy is dropped.
 */
static int name_scratch(struct ext4_image *img)
{
	char src[40];
	int ret = -EEXIST;

	snprintf(src, sizeof(src), "/proc/self/fd/%d", img->scratch_fd);
	for (int tries = 0; tries < 100 && ret == -EEXIST; tries++) {
		free(img->scratch_name);
		if (asprintf(&img->scratch_name, "%s.imactl-%08x", img->path,
			     (unsigned int)random()) < 0) {
			img->scratch_name = NULL;
			return -ENOMEM;
		}
		ret = syscall(SYS_linkat, AT_FDCWD, src, AT_FDCWD, img->scratch_name,
			      AT_SYMLINK_FOLLOW) == 0
			      ? 0
			      : -errno;
	}
	if (ret < 0) {
		free(img->scratch_name);
		img->scratch_name = NULL;
	}
	return ret;
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
	img->fd = img->scratch_fd = -1;
	img->writable = writable;
	img->refuse_mounted = mode != EXT4_READ;
	img->path = strdup(path);
	if (!img->path) {
		ret = -ENOMEM;
		goto fail;
	}
	fd = img->fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		log_err(ctx, "%s: %s", path, strerror(errno));
		goto fail;
	}
	img->st = st;
	ret = check_image(img, &st);
	if (ret < 0)
		goto fail;
	if (writable && S_ISREG(st.st_mode)) {
		ret = make_scratch(img, fd, &st);
		if (ret < 0)
			goto fail;
	}
	if (writable)
		flags |= EXT2_FLAG_RW | (S_ISBLK(st.st_mode) ? EXT2_FLAG_EXCLUSIVE : 0);
	/* libext2fs opens the very file checked above (or its scratch copy) */
	snprintf(name, sizeof(name), "/proc/self/fd/%d",
		 img->scratch_fd >= 0 ? img->scratch_fd : fd);
	err = ext2fs_open2(name, NULL, flags, 0, 0, unix_io_manager, &img->fs);
	if (err == ENOENT && img->scratch_fd >= 0 && name_scratch(img) == 0)
		err = ext2fs_open2(img->scratch_name, NULL, flags, 0, 0, unix_io_manager, &img->fs);
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
	if (img->fs && img->writable && img->scratch_fd < 0)
		ext2fs_close_free(&img->fs); /* in place: keep what was written consistent */
	else if (img->fs)
		ext2fs_free(img->fs); /* the scratch copy is dropped with its descriptor */
	if (img->scratch_fd >= 0)
		close(img->scratch_fd);
	if (img->scratch_name)
		unlink(img->scratch_name); /* not put in place: dropped */
	free(img->scratch_name);
	if (img->fd >= 0)
		close(img->fd);
	free(img->path);
	free(img);
}

/* Gives the scratch copy the image's name (atomically replacing it). */
static int replace_image(struct ext4_image *img)
{
	int ret = fsync(img->scratch_fd) < 0 ? -errno : 0;

	/* a temporary name first (unless it has one), then over the image */
	if (ret == 0 && !img->scratch_name)
		ret = name_scratch(img);
	if (ret == 0)
		ret = rename(img->scratch_name, img->path) < 0 ? -errno : 0;
	if (ret == 0) {
		free(img->scratch_name);
		img->scratch_name = NULL;
	}
	if (ret < 0)
		log_err(img->ctx, "%s: cannot put the signed copy in place: %s", img->path,
			strerror(-ret));
	return ret;
}

int ext4_commit(struct ext4_image *img)
{
	char *dcopy;
	errcode_t err;
	int dfd;

	err = ext2fs_close_free(&img->fs); /* superblock, descriptors, bitmaps; fsync */
	if (err)
		return ext4_err(img, err, "cannot write the file system's metadata");
	if (img->scratch_fd < 0)
		return 0;
	if (replace_image(img) < 0)
		return -EIO;
	dcopy = strdup(img->path);
	dfd = dcopy ? open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		fsync(dfd); /* the rename itself */
		close(dfd);
	}
	free(dcopy);
	return 0;
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
	int fd = img->scratch_fd >= 0 ? img->scratch_fd : img->fd, op = EXT2_EXTENT_ROOT, ret = 0;
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
