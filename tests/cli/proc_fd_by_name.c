// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim that opens /proc/self/fd/N the way pseudo (Yocto's fake
 * root, 1.9.x) does: by the text of the link, not through the descriptor.
 * For a file made with O_TMPFILE that text is "DIR/#INODE (deleted)", so
 * the open fails with ENOENT, as it does under pseudo.
 */
#undef _FILE_OFFSET_BITS /* open and open64 are two symbols */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

/* @path, or the text of the /proc/self/fd/N link it names, in @buf */
static const char *by_name(const char *path, char *buf, size_t size)
{
	ssize_t n;

	if (strncmp(path, "/proc/self/fd/", 14) != 0)
		return path;
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return path;
	buf[n] = '\0';
	return buf;
}

#define WRAP_OPEN(name)                                                                            \
	int name(const char *path, int flags, ...)                                                 \
	{                                                                                          \
		static int (*real)(const char *, int, ...);                                        \
		char buf[4096];                                                                    \
		mode_t mode = 0;                                                                   \
		va_list ap;                                                                        \
                                                                                                   \
		if (!real)                                                                         \
			real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name);           \
		if (flags & (O_CREAT | __O_TMPFILE)) {                                             \
			va_start(ap, flags);                                                       \
			mode = va_arg(ap, mode_t);                                                 \
			va_end(ap);                                                                \
		}                                                                                  \
		return real(by_name(path, buf, sizeof(buf)), flags, mode);                         \
	}

WRAP_OPEN(open)
WRAP_OPEN(open64)

/* the _FORTIFY_SOURCE entries libext2fs calls (no mode) */
#define WRAP_OPEN_2(name)                                                                          \
	int name(const char *path, int flags)                                                      \
	{                                                                                          \
		static int (*real)(const char *, int);                                             \
		char buf[4096];                                                                    \
                                                                                                   \
		if (!real)                                                                         \
			real = (int (*)(const char *, int))dlsym(RTLD_NEXT, #name);                \
		return real(by_name(path, buf, sizeof(buf)), flags);                               \
	}

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
WRAP_OPEN_2(__open_2)
WRAP_OPEN_2(__open64_2)
