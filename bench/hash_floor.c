// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-hash-floor ROOT: the least any exporter of a tree's digests can
 * spend.  nftw(3) without following symbolic links, each regular file
 * opened, read(2) into one buffer and hashed with OpenSSL's SHA-256, nothing
 * else: no xattr, no check that the file is the one walked or unchanged, no
 * output but the totals.  bench/log-verify sets `log keylime-policy` and
 * Keylime's generator beside it: Keylime's CPU time over this one's is the
 * highest ratio an exporter could reach on the machine.
 */
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)

static EVP_MD_CTX *md_ctx;
static const EVP_MD *sha256;
static unsigned char *buf;
static unsigned long long files, bytes;

static int hash_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len;
	ssize_t n;
	int fd;

	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	EVP_DigestInit_ex(md_ctx, sha256, NULL);
	while ((n = read(fd, buf, BUF_SIZE)) > 0) {
		EVP_DigestUpdate(md_ctx, buf, n);
		bytes += n;
	}
	EVP_DigestFinal_ex(md_ctx, digest, &len);
	close(fd);
	files++;
	return n < 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench-hash-floor ROOT\n");
		return 2;
	}
	buf = malloc(BUF_SIZE);
	md_ctx = EVP_MD_CTX_new();
	sha256 = EVP_get_digestbyname("SHA256");
	if (!buf || !md_ctx || !sha256)
		return 3;
	if (nftw(argv[1], hash_one, 64, FTW_PHYS) != 0) {
		fprintf(stderr, "bench-hash-floor: %s: walk or read failed\n", argv[1]);
		return 3;
	}
	printf("%llu files, %llu bytes\n", files, bytes);
	EVP_MD_CTX_free(md_ctx);
	free(buf);
	return 0;
}
