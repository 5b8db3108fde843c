// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim for the policy load tests: makes write(2) to a file named
 * ".../ima/policy" behave like the kernel's policy file.  Each write takes
 * one line (the kernel's ima_write_policy() parses one rule per call and
 * returns its length); a line containing FAKE_IMA_REFUSE (from the
 * environment) fails with EINVAL, as a rule the kernel refuses.  The bytes
 * taken are appended to the file, so the test can compare them.
 */
#include <stdbool.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n);

static bool is_policy(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len < 11)
		return false;
	path[len] = 0;
	return !strcmp(path + len - 11, "/ima/policy");
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real_write)(int, const void *, size_t);
	const char *refuse = getenv("FAKE_IMA_REFUSE");
	const char *p = buf, *nl;
	size_t len;
	char *line;

	if (!real_write)
		real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (!is_policy(fd))
		return real_write(fd, buf, n);
	if (n >= 4096) /* the kernel copies at most PAGE_SIZE - 1 bytes */
		n = 4095;
	nl = memchr(p, '\n', n);
	len = nl ? (size_t)(nl - p) + 1 : n;
	line = strndup(p, len);
	if (!line) {
		errno = ENOMEM;
		return -1;
	}
	if (refuse && *refuse && strstr(line, refuse)) {
		free(line);
		errno = EINVAL;
		return -1;
	}
	free(line);
	return real_write(fd, buf, len);
}
