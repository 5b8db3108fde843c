// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-policy-judge POLICY LIST RUNS: the cost of judging a measurement list
 * against a Keylime runtime policy, apart from the policy's one-time load.
 * LIST is read into memory once; each run reads and verifies it (template
 * hashes, sha1 + sha256 replay: what `imactl log verify` does), once without
 * and once with imactl_runtime_policy_check() on every entry.  Prints the
 * best of RUNS for each, in entries per CPU-second of this process, and the
 * CPU time of loading POLICY.  Exit 1 if an entry fails the policy.
 */
#include "imactl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* One pass over the list; returns CPU seconds, or -1 on a failure. */
static double pass(const char *buf, size_t len, struct imactl_runtime_policy *pol, uint64_t *n)
{
	static const int banks[] = { IMACTL_HASH_SHA1, IMACTL_HASH_SHA256 };
	struct imactl_mlog_verify_params p = { .banks = banks, .nbanks = 2 };
	struct imactl_mlog_verifier *v = NULL;
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	const char *why = NULL;
	double t0 = cpu_now(), t;
	int bad = 0;

	*n = 0;
	if (imactl_mlog_open_mem(NULL, buf, len, 0, 0, &ml) < 0 ||
	    imactl_mlog_verifier_new(NULL, &p, &v) < 0)
		return -1;
	while (imactl_mlog_next(ml, &e, &why) == 0 && e) {
		struct imactl_mlog_entry_result r;
		struct imactl_rp_result pr;

		if (imactl_mlog_verifier_add(v, e, &r) < 0 || r.status)
			bad = 1;
		/* boot_aggregate may wait for the PCRs; everything else must pass */
		if (pol && imactl_runtime_policy_check(pol, e, r.sig, &pr) != 0 &&
		    !pr.boot_aggregate)
			bad = 1;
		(*n)++;
	}
	t = cpu_now() - t0;
	imactl_mlog_verifier_free(v);
	imactl_mlog_free(ml);
	return bad ? -1 : t;
}

int main(int argc, char *argv[])
{
	struct imactl_runtime_policy *pol = NULL;
	double best[2] = { 1e9, 1e9 }, t;
	uint64_t n = 0;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	FILE *f;
	int runs;

	if (argc != 4 || (runs = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: bench-policy-judge POLICY LIST RUNS\n");
		return 2;
	}
	f = fopen(argv[2], "rb");
	if (!f)
		return 3;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf)
				return 3;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got);
	fclose(f);
	t = cpu_now();
	if (imactl_runtime_policy_load(NULL, argv[1], &pol) < 0) {
		fprintf(stderr, "bench-policy-judge: %s: not a usable runtime policy\n", argv[1]);
		return 3;
	}
	t = cpu_now() - t;
	for (int r = 0; r < runs; r++)
		for (int k = 0; k < 2; k++) {
			double s = pass(buf, len, k ? pol : NULL, &n);

			if (s < 0) {
				fprintf(stderr, "bench-policy-judge: an entry failed\n");
				return 1;
			}
			if (s < best[k])
				best[k] = s;
		}
	printf("entries %llu policy_load_s %.4f paths %zu verify_per_s %.0f "
	       "verify_policy_per_s %.0f judge_ns %.1f\n",
	       (unsigned long long)n, t, imactl_runtime_policy_paths(pol), n / best[0], n / best[1],
	       (best[1] - best[0]) * 1e9 / n);
	imactl_runtime_policy_free(pol);
	free(buf);
	return 0;
}
