// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-sign-threads KEY THREADS COUNT [serialized|concurrent]: signs COUNT
 * digests with KEY (a file or a pkcs11: URI, loaded once) from THREADS
 * threads sharing the key, as sign-tree does, and prints signatures/s.
 * PIN/passphrase: $IMACTL_KEY_PASSWORD.
 */
#include "imactl.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct job {
	struct imactl_ctx *ctx;
	struct imactl_key *key;
	long count;
	int error;
};

static int env_pass(void *data, char *buf, size_t size)
{
	const char *p = getenv("IMACTL_KEY_PASSWORD");
	size_t n = p ? strlen(p) : 0;

	(void)data;
	if (!p || n > size)
		return -EKEYREJECTED;
	memcpy(buf, p, n);
	return (int)n;
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct imactl_digest d;

	for (long i = 0; i < j->count && !j->error; i++) {
		uint8_t *val = NULL;
		size_t len = 0;
		char msg[32];

		snprintf(msg, sizeof(msg), "%p %ld", (void *)j, i);
		j->error = imactl_hash_buf(j->ctx, msg, strlen(msg), IMACTL_HASH_SHA256, &d);
		if (!j->error)
			j->error = imactl_sign_digest(j->ctx, j->key, IMACTL_XATTR_DIGSIG, &d, &val,
						      &len);
		imactl_free(val);
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	struct imactl_ctx *ctx = NULL;
	struct imactl_key *key = NULL;
	struct timespec t0, t1;
	pthread_t tid[64];
	struct job jobs[64];
	int threads, ret = 1;
	long count;
	double secs;

	if (argc < 4 || (threads = atoi(argv[2])) < 1 || threads > 64 ||
	    (count = atol(argv[3])) < 1) {
		fprintf(stderr, "usage: %s KEY THREADS COUNT [serialized|concurrent]\n", argv[0]);
		return 2;
	}
	if (imactl_ctx_new(&ctx) < 0 || imactl_key_load(ctx, argv[1], env_pass, NULL, &key) < 0) {
		fprintf(stderr, "%s: cannot load the key\n", argv[1]);
		goto out;
	}
	if (argc > 4)
		imactl_key_set_serialized(key, strcmp(argv[4], "concurrent") != 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < threads; i++) {
		jobs[i] = (struct job){ .ctx = ctx,
					.key = key,
					.count = count / threads + (i < count % threads) };
		pthread_create(&tid[i], NULL, worker, &jobs[i]);
	}
	ret = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		if (jobs[i].error) {
			fprintf(stderr, "thread %d: %s\n", i, strerror(-jobs[i].error));
			ret = 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.1f\n", (double)count / secs);
out:
	imactl_key_free(key);
	imactl_ctx_free(ctx);
	return ret;
}
