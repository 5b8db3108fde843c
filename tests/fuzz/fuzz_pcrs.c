// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the readers of PCR values: evmctl's PCR file (log verify --pcrs)
 * and the TPM directory's pcr-<alg>/<n> files (log verify --tpm DIR).  The
 * input goes to real files, as the commands read them.  The first byte picks
 * the bank; for the directory, the rest is split at NUL bytes into the
 * values of PCR 0, 1, ...  Invariants: never crash; a bank that reads has a
 * known PCR and nothing outside the bank's PCRs; failures are errnos.
 */
#include "imactl.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void cleanup(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return;
}

static void put(const char *path, const uint8_t *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
}

static void check(int ret, const struct imactl_pcr_bank *b, int algo)
{
	if (ret > 0)
		abort();
	if (ret == 0 &&
	    (!b->known || b->algo != algo || (b->known >> (IMACTL_MLOG_NUM_PCRS - 1)) > 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int algos[] = { IMACTL_HASH_SHA1, IMACTL_HASH_SHA256, IMACTL_HASH_SHA384,
				     IMACTL_HASH_SHA512 };
	struct imactl_pcr_bank *b = malloc(sizeof(*b));
	static unsigned int written[8];
	char path[128], bankdir[96];
	unsigned int n;
	int algo, ret;

	if (!b || !size)
		goto out;
	if (!dir[0]) {
		/* tmpfs when there is one: thousands of small files per second */
		snprintf(dir, sizeof(dir), "%s/fuzz_pcrs.XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	algo = algos[data[0] & 3];
	/* evmctl's PCR file */
	snprintf(path, sizeof(path), "%s/pcrs", dir);
	put(path, data + 1, size - 1);
	ret = imactl_pcrs_read_file(NULL, path, algo, b);
	check(ret, b, algo);
	/* the TPM directory: one value per file */
	snprintf(bankdir, sizeof(bankdir), "%s/pcr-%s", dir, imactl_hash_algo_name(algo));
	mkdir(bankdir, 0700);
	n = 0;
	for (size_t i = 1, start = 1; i <= size && n < IMACTL_MLOG_NUM_PCRS; i++) {
		if (i < size && data[i])
			continue;
		snprintf(path, sizeof(path), "%s/%u", bankdir, n++);
		put(path, data + start, i - start);
		start = i + 1;
	}
	/* the values of the previous input beyond this one's go */
	for (unsigned int i = n; i < written[algo & 7]; i++) {
		snprintf(path, sizeof(path), "%s/%u", bankdir, i);
		unlink(path);
	}
	written[algo & 7] = n;
	ret = imactl_pcrs_read_sysfs(NULL, dir, algo, b);
	check(ret, b, algo);
out:
	free(b);
	return 0;
}
