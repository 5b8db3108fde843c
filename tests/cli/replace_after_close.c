// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim for "what was loaded is what is bound" tests: once the
 * file named by REPLACE_PATH (as the program passes it to open(2)) has been
 * opened and closed, REPLACE_WITH is renamed over it, once.  A program that
 * reads that file again afterwards reads the new content; one that keeps
 * what it read the first time is not affected.  Deterministic: the swap
 * happens at the first close, whatever the timing.  (With 64-bit off_t,
 * open(2) is open64 for the program and the library alike.)
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int watched_fd = -1;
static int done;

static void watch(const char *path, int fd)
{
	const char *want = getenv("REPLACE_PATH");

	if (fd >= 0 && !done && watched_fd < 0 && want && !strcmp(path, want))
		watched_fd = fd;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

int open64(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	va_list ap;
	mode_t mode;
	int fd;

	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open64");
	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	fd = real(path, flags, mode);
	watch(path, fd);
	return fd;
}

int close(int fd)
{
	static int (*real)(int);
	int ret;

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "close");
	ret = real(fd);
	if (fd >= 0 && fd == watched_fd) {
		watched_fd = -1;
		done = 1;
		if (rename(getenv("REPLACE_WITH"), getenv("REPLACE_PATH")) < 0)
			perror("replace_after_close: rename");
	}
	return ret;
}
