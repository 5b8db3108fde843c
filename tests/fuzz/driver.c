// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A deterministic stand-in for libFuzzer, so every harness also runs in the
 * ordinary (and the ASan/UBSan) test builds: each seed file of the corpus
 * directories given, then a fixed number of mutations of each (bit flips,
 * truncations, length-byte changes, splices), with a fixed PRNG seed.
 * With -Dfuzz=true and clang the harnesses link against libFuzzer instead.
 * Prints TAP.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void mutate(uint8_t *buf, size_t *len, size_t cap)
{
	switch (next() % 5) {
	case 0: /* flip a bit */
		if (*len)
			buf[next() % *len] ^= 1u << (next() % 8);
		break;
	case 1: /* truncate */
		if (*len)
			*len = next() % *len;
		break;
	case 2: /* set a byte to an extreme (lengths, types) */
		if (*len) {
			static const uint8_t v[] = { 0, 1, 0x7f, 0x80, 0xff };
			buf[next() % *len] = v[next() % sizeof(v)];
		}
		break;
	case 3: /* append random bytes */
		for (int i = next() % 16; i > 0 && *len < cap; i--)
			buf[(*len)++] = next();
		break;
	default: /* duplicate a chunk */
		if (*len && *len < cap) {
			size_t from = next() % *len, n = next() % (*len - from + 1);

			if (*len + n > cap)
				n = cap - *len;
			memmove(buf + from + n, buf + from, *len - from);
			*len += n;
		}
		break;
	}
}

int main(int argc, char *argv[])
{
	static uint8_t seed[1 << 16], buf[1 << 17];
	unsigned long runs = 0, iterations = 3000;
	int n = 0;

	if (getenv("FUZZ_ITERATIONS"))
		iterations = strtoul(getenv("FUZZ_ITERATIONS"), NULL, 10);
	for (int a = 1; a < argc; a++) {
		DIR *d = opendir(argv[a]);
		struct dirent *e;

		if (!d) {
			printf("not ok %d - corpus %s cannot be read\n", ++n, argv[a]);
			continue;
		}
		while ((e = readdir(d))) {
			char path[4096];
			size_t len;
			FILE *f;

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[a], e->d_name);
			f = fopen(path, "rb");
			if (!f)
				continue;
			len = fread(seed, 1, sizeof(seed), f);
			fclose(f);
			LLVMFuzzerTestOneInput(seed, len);
			runs++;
			for (unsigned long i = 0; i < iterations; i++) {
				size_t blen = len;

				memcpy(buf, seed, len);
				for (int m = 1 + next() % 4; m > 0; m--)
					mutate(buf, &blen, sizeof(buf));
				LLVMFuzzerTestOneInput(buf, blen);
				runs++;
			}
		}
		closedir(d);
		printf("ok %d - %s: %lu inputs, no crash\n", ++n, argv[a], runs);
		runs = 0;
	}
	printf("1..%d\n", n);
	return 0;
}
