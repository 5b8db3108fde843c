// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_mlog through the descriptor reader (imactl_mlog_open_fd(), what
 * log verify uses on securityfs and files): the same invariants, with the
 * bytes handed out by read(2) in pieces of 1 byte to 64 KiB, some reads
 * interrupted (EINTR) and rarely failing (EIO), the pattern drawn from the
 * input, so entries and fields straddle every refill of the read buffer.
 * read() is replaced for the one descriptor given to the reader only.
 */
#define FUZZ_MLOG_OPEN
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

struct imactl_mlog;
static int open_list(const uint8_t *buf, size_t size, int format, unsigned int flags,
		     struct imactl_mlog **ml);

#include "fuzz_mlog.c"

static int list_fd = -1;
static const uint8_t *src;
static size_t src_len, src_off;
static uint64_t rng;

ssize_t read(int fd, void *buf, size_t n)
{
	size_t k;

	if (fd != list_fd || list_fd < 0)
		return syscall(SYS_read, fd, buf, n);
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	switch (rng >> 60) {
	case 0:
		errno = EINTR;
		return -1;
	case 1:
		if ((rng >> 52 & 0xf) == 0) {
			errno = EIO;
			return -1;
		}
		k = 1;
		break;
	case 2:
	case 3:
		k = 1 + (rng >> 32) % 16;
		break;
	case 4:
		k = 65536;
		break;
	default:
		k = 1 + (rng >> 32) % 4096;
		break;
	}
	if (k > n)
		k = n;
	if (k > src_len - src_off)
		k = src_len - src_off;
	memcpy(buf, src + src_off, k);
	src_off += k;
	return k;
}

static int open_list(const uint8_t *buf, size_t size, int format, unsigned int flags,
		     struct imactl_mlog **ml)
{
	if (list_fd < 0)
		list_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (list_fd < 0)
		abort();
	src = buf;
	src_len = size;
	src_off = 0;
	rng = size * 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; i < size && i < 16; i++)
		rng = (rng ^ buf[i]) * 0x100000001b3ull;
	return imactl_mlog_open_fd(NULL, list_fd, format, flags, ml);
}
