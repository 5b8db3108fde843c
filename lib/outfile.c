// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Writing a set of files (a key and its certificates) so that either all of
 * them appear complete or none does: each goes to a temporary file in the
 * target directory (created with its final mode, fsync'ed), and the renames
 * happen only when all are written.
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

/* Creates and fills a temporary file for @f; its name goes to @tmp. */
static int write_temp(const struct imactl_ctx *ctx, int dfd, const char *dir,
		      const struct out_file *f, char *tmp, size_t tmpsize)
{
	uint32_t rnd = 0;
	int fd = -1, ret;

	for (int tries = 0; tries < 16 && fd < 0; tries++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd ^= (uint32_t)getpid() * 2654435761u + tries;
		snprintf(tmp, tmpsize, ".%s.%08x.tmp", f->name, rnd);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    f->mode);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		ret = -errno;
		log_err(ctx, "%s: cannot create a file: %s", dir, strerror(errno));
		tmp[0] = 0;
		return ret;
	}
	/* the umask may have taken bits away; a key must never get more */
	ret = fchmod(fd, f->mode) < 0 ? -errno : 0;
	if (!ret)
		ret = write_all(fd, f->data, f->len);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret)
		log_err(ctx, "%s/%s: %s", dir, f->name, strerror(-ret));
	return ret;
}

int out_files_write(const struct imactl_ctx *ctx, const char *dir, const struct out_file *files,
		    size_t n, bool force)
{
	char(*tmp)[300] = NULL;
	size_t renamed = 0;
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
		ret = write_temp(ctx, dfd, dir, &files[i], tmp[i], sizeof(tmp[i]));
		if (ret < 0)
			goto out;
	}
	/* checked again just before the renames: the files may have appeared */
	for (size_t i = 0; i < n && !force; i++) {
		struct stat st;

		if (fstatat(dfd, files[i].name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			log_err(ctx, "%s/%s exists: not replaced (use --force to replace it)", dir,
				files[i].name);
			ret = -EEXIST;
			goto out;
		}
	}
	for (; renamed < n; renamed++) {
		if (renameat(dfd, tmp[renamed], dfd, files[renamed].name) < 0) {
			ret = -errno;
			log_err(ctx, "%s/%s: %s", dir, files[renamed].name, strerror(errno));
			goto out;
		}
		tmp[renamed][0] = 0;
	}
	ret = fsync(dfd) < 0 ? -errno : 0;
out:
	for (size_t i = 0; tmp && i < n; i++)
		if (tmp[i][0])
			unlinkat(dfd, tmp[i], 0);
	free(tmp);
	close(dfd);
	return ret;
}
