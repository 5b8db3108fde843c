// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim for the "a killed sign-image leaves the image as it was"
 * tests: the process SIGKILLs itself right before its $KILL_AFTER_WRITES-th
 * pwrite(2)/pwrite64(2) (libext2fs writes blocks with them), so a run is cut
 * at a chosen write, deterministically.
 */
#undef _FILE_OFFSET_BITS /* pwrite and pwrite64 are two symbols */
#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

static void maybe_die(void)
{
	static long count;
	const char *limit = getenv("KILL_AFTER_WRITES");

	if (limit && ++count >= atol(limit))
		kill(getpid(), SIGKILL);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);

	if (!real)
		real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	maybe_die();
	return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off64_t);

	if (!real)
		real = (ssize_t(*)(int, const void *, size_t, off64_t))dlsym(RTLD_NEXT, "pwrite64");
	maybe_die();
	return real(fd, buf, n, off);
}
