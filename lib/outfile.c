// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one way imactl writes a file (keys, certificates, manifests, state
 * files): a new file with a random name in the target directory, created
 * exclusively with O_NOFOLLOW (a link or FIFO planted under a predictable
 * name is never opened), with its final mode, written, fsync'ed, then
 * renamed into place.  Without "replace" the rename itself refuses an
 * existing target (renameat2(RENAME_NOREPLACE), or link() where the file
 * system lacks it): there is no window between a check and the rename.
 * A set of files (a key and its certificates) appears all or none.
 */
#include "lib_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

struct imactl_outfile {
	const struct imactl_ctx *ctx;
	int dfd, fd;
	unsigned int flags;
	char *path; /* as given, for messages */
	char *name; /* in the directory */
	char tmp[TMP_NAME_MAX];
};

static int open_dir(const struct imactl_ctx *ctx, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		log_err(ctx, "%s: %s", dir, strerror(err));
		return -err;
	}
	return fd;
}

int out_files_check(const struct imactl_ctx *ctx, const char *dir, const char *const *names,
		    bool force)
{
	struct stat st;
	int dfd, ret = 0;

	dfd = open_dir(ctx, dir);
	if (dfd < 0)
		return dfd;
	for (size_t i = 0; names[i] && !force; i++) {
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
			log_err(ctx, "%s/%s exists: not replaced (use --force to replace it)", dir,
				names[i]);
			ret = -EEXIST;
			break;
		}
		if (errno != ENOENT) {
			ret = -errno;
			log_err(ctx, "%s/%s: %s", dir, names[i], strerror(errno));
			break;
		}
	}
	close(dfd);
	return ret;
}

int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * Creates a new file ".NAME.RANDOM.tmp" in @dfd with @mode exactly (the
 * umask may have taken bits away; a key must never get more); its name goes
 * to @tmp.  Return: the descriptor, or -errno.
 */
int out_temp_create(int dfd, const char *name, unsigned int mode, char tmp[TMP_NAME_MAX])
{
	uint64_t rnd = 0;
	int fd = -1, err = EEXIST;

	for (int tries = 0; tries < 32 && fd < 0 && err == EEXIST; tries++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return -EIO;
		/* at most 200 bytes of the name: the result stays below NAME_MAX */
		snprintf(tmp, TMP_NAME_MAX, ".%.200s.%016llx.tmp", name, (unsigned long long)rnd);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		err = fd < 0 ? errno : 0;
	}
	if (fd < 0) {
		tmp[0] = 0;
		return -err;
	}
	if (fchmod(fd, mode) < 0) {
		err = errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		tmp[0] = 0;
		return -err;
	}
	return fd;
}

/*
 * Renames @from to @to in @dfd; without @replace, -EEXIST when @to exists
 * (whatever it is), decided by the kernel in the rename itself.
 */
int out_rename(int dfd, const char *from, const char *to, bool replace)
{
	if (replace)
		return renameat(dfd, from, dfd, to) < 0 ? -errno : 0;
	if (renameat2(dfd, from, dfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* a file system without RENAME_NOREPLACE: link() never replaces either */
	if (linkat(dfd, from, dfd, to, 0) < 0)
		return -errno;
	unlinkat(dfd, from, 0);
	return 0;
}

/* Creates and fills a temporary file for @f; its name goes to @tmp. */
static int write_temp(const struct imactl_ctx *ctx, int dfd, const char *dir,
		      const struct out_file *f, char *tmp)
{
	int fd, ret;

	fd = out_temp_create(dfd, f->name, f->mode, tmp);
	if (fd < 0) {
		log_err(ctx, "%s: cannot create a file: %s", dir, strerror(-fd));
		return fd;
	}
	ret = write_all(fd, f->data, f->len);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret)
		log_err(ctx, "%s/%s: %s", dir, f->name, strerror(-ret));
	return ret;
}

static void log_rename_err(const struct imactl_ctx *ctx, const char *dir, const char *name, int err)
{
	if (err == -EEXIST)
		log_err(ctx, "%s%s%s exists: not replaced (use --force to replace it)", dir,
			dir[0] ? "/" : "", name);
	else
		log_err(ctx, "%s%s%s: %s", dir, dir[0] ? "/" : "", name, strerror(-err));
}

int out_files_write(const struct imactl_ctx *ctx, const char *dir, const struct out_file *files,
		    size_t n, bool force)
{
	char(*tmp)[TMP_NAME_MAX] = NULL;
	size_t renamed = 0;
	bool rollback = false;
	int dfd, ret;

	dfd = open_dir(ctx, dir);
	if (dfd < 0)
		return dfd;
	tmp = calloc(n, sizeof(*tmp));
	if (!tmp) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ret = write_temp(ctx, dfd, dir, &files[i], tmp[i]);
		if (ret < 0)
			goto out;
	}
	for (; renamed < n; renamed++) {
		ret = out_rename(dfd, tmp[renamed], files[renamed].name, force);
		if (ret < 0) {
			log_rename_err(ctx, dir, files[renamed].name, ret);
			rollback = !force;
			goto out;
		}
		tmp[renamed][0] = 0;
	}
	ret = fsync(dfd) < 0 ? -errno : 0;
out:
	/* all or none: without --force the files renamed so far are new ones */
	for (size_t i = 0; rollback && i < renamed; i++)
		unlinkat(dfd, files[i].name, 0);
	for (size_t i = 0; tmp && i < n; i++)
		if (tmp[i][0])
			unlinkat(dfd, tmp[i], 0);
	free(tmp);
	close(dfd);
	return ret;
}

/* ---- one file, written through a descriptor ---------------------------- */

IMACTL_EXPORT int imactl_outfile_create(struct imactl_ctx *ctx, const char *path, unsigned int mode,
					unsigned int flags, struct imactl_outfile **of_ret)
{
	struct imactl_outfile *of;
	const char *slash;
	char *dir = NULL;
	int ret;

	if (!path || !of_ret || (flags & ~IMACTL_OUTFILE_REPLACE) || (mode & ~07777))
		return -EINVAL;
	slash = strrchr(path, '/');
	if (!path[0] || (slash && !slash[1]))
		return -EINVAL; /* no file name */
	of = calloc(1, sizeof(*of));
	if (!of)
		return -ENOMEM;
	of->ctx = ctx;
	of->dfd = of->fd = -1;
	of->flags = flags;
	of->path = strdup(path);
	of->name = strdup(slash ? slash + 1 : path);
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!of->path || !of->name || !dir) {
		ret = -ENOMEM;
		goto fail;
	}
	of->dfd = open_dir(ctx, dir);
	if (of->dfd < 0) {
		ret = of->dfd;
		goto fail;
	}
	of->fd = out_temp_create(of->dfd, of->name, mode, of->tmp);
	if (of->fd < 0) {
		ret = of->fd;
		log_err(ctx, "%s: cannot create a file next to it: %s", path, strerror(-ret));
		goto fail;
	}
	free(dir);
	*of_ret = of;
	return 0;
fail:
	free(dir);
	imactl_outfile_free(of);
	return ret;
}

IMACTL_EXPORT int imactl_outfile_fd(const struct imactl_outfile *of)
{
	return of ? of->fd : -EINVAL;
}

IMACTL_EXPORT int imactl_outfile_write(struct imactl_outfile *of, const void *data, size_t len)
{
	int ret;

	if (!of || of->fd < 0 || (!data && len))
		return -EINVAL;
	ret = write_all(of->fd, data, len);
	if (ret < 0)
		log_err(of->ctx, "%s: %s", of->path, strerror(-ret));
	return ret;
}

IMACTL_EXPORT int imactl_outfile_commit(struct imactl_outfile *of)
{
	int ret = 0;

	if (!of || of->fd < 0)
		return -EINVAL;
	if (fsync(of->fd) < 0)
		ret = -errno;
	if (close(of->fd) < 0 && !ret)
		ret = -errno;
	of->fd = -1;
	if (ret < 0) {
		log_err(of->ctx, "%s: %s", of->path, strerror(-ret));
		return ret;
	}
	ret = out_rename(of->dfd, of->tmp, of->name, of->flags & IMACTL_OUTFILE_REPLACE);
	if (ret < 0) {
		log_rename_err(of->ctx, "", of->path, ret);
		return ret;
	}
	of->tmp[0] = 0;
	if (fsync(of->dfd) < 0) {
		ret = -errno;
		log_err(of->ctx, "%s: %s", of->path, strerror(-ret));
	}
	return ret;
}

IMACTL_EXPORT void imactl_outfile_free(struct imactl_outfile *of)
{
	if (!of)
		return;
	if (of->fd >= 0)
		close(of->fd);
	if (of->tmp[0])
		unlinkat(of->dfd, of->tmp, 0);
	if (of->dfd >= 0)
		close(of->dfd);
	free(of->path);
	free(of->name);
	free(of);
}

IMACTL_EXPORT int imactl_write_file(struct imactl_ctx *ctx, const char *path, const void *data,
				    size_t len, unsigned int mode, unsigned int flags)
{
	struct imactl_outfile *of = NULL;
	int ret = imactl_outfile_create(ctx, path, mode, flags, &of);

	if (ret == 0)
		ret = imactl_outfile_write(of, data, len);
	if (ret == 0)
		ret = imactl_outfile_commit(of);
	imactl_outfile_free(of);
	return ret;
}
