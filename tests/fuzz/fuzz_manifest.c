// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the manifest line parser (apply-manifest reads manifests from build
 * directories).  Invariants: never crash; a line that parses formats back
 * to a line that parses to the same path and values; escaping any path
 * gives a name without spaces or control bytes.
 */
#include "imactl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (!alen || !memcmp(a, b, alen));
}

static void one_line(const char *line)
{
	struct imactl_signed_values v = { 0 }, w = { 0 };
	char *path = NULL, *path2 = NULL, *text = NULL, *esc = NULL;

	if (imactl_manifest_parse(line, &path, &v) == 0) {
		if (!path || (!v.ima && !v.evm))
			abort();
		if (imactl_manifest_format(path, &v, &text) < 0)
			abort();
		if (imactl_manifest_parse(text, &path2, &w) < 0 || strcmp(path, path2) ||
		    !same(v.ima, v.ima_len, w.ima, w.ima_len) ||
		    !same(v.evm, v.evm_len, w.evm, w.evm_len))
			abort(); /* format and parse disagree */
	}
	if (imactl_manifest_escape(line, &esc) == 0) {
		for (const char *p = esc; *p; p++)
			if ((unsigned char)*p <= ' ')
				abort();
	}
	free(esc);
	free(text);
	free(path);
	free(path2);
	imactl_signed_values_free(&v);
	imactl_signed_values_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t start = 0;

	/* each line as its own exact-size, NUL-terminated heap copy */
	for (size_t i = 0; i <= size; i++) {
		char *line;

		if (i < size && data[i] != '\n')
			continue;
		line = malloc(i - start + 2);
		if (!line)
			return 0;
		memcpy(line, data + start, i - start);
		line[i - start] = i < size ? '\n' : 0;
		line[i - start + (i < size)] = 0;
		one_line(line);
		free(line);
		start = i + 1;
	}
	return 0;
}
