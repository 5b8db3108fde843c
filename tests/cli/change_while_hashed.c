// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim for the "a file that changes while it is hashed is not
 * signed" tests: after each pread(2) of a file whose name starts with
 * "grows-", one byte is appended to it; of a file whose name starts with
 * "touched-", its mtime is set to the epoch (same size, new mtime and
 * ctime).  Other files are read untouched.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void change(int fd)
{
	static const struct timespec epoch[2] = { { 0, 0 }, { 0, 0 } };
	char link[64], path[PATH_MAX];
	const char *base;
	ssize_t len;
	int wfd;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len <= 0)
		return;
	path[len] = 0;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strncmp(base, "grows-", 6)) {
		wfd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (wfd >= 0) {
			if (write(wfd, "x", 1) != 1)
				perror("change_while_hashed: append");
			close(wfd);
		}
	} else if (!strncmp(base, "touched-", 8)) {
		if (utimensat(AT_FDCWD, path, epoch, 0) < 0)
			perror("change_while_hashed: utimensat");
	}
}

ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
	static ssize_t (*real)(int, void *, size_t, off_t);
	ssize_t ret;

	if (!real)
		real = (ssize_t(*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread64");
	ret = real(fd, buf, n, off);
	if (ret > 0)
		change(fd);
	return ret;
}

ssize_t read(int fd, void *buf, size_t n)
{
	static ssize_t (*real)(int, void *, size_t);
	ssize_t ret;

	if (!real)
		real = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	ret = real(fd, buf, n);
	if (ret > 0)
		change(fd);
	return ret;
}
