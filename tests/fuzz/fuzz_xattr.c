// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz the security.ima/security.evm decoder; re-encoding must round-trip. */
#include "imactl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imactl_xattr_value v;
	const char *why = NULL;
	uint8_t *copy, *out = NULL;
	size_t len = 0;

	/* an exact-size heap copy: ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (imactl_xattr_decode(copy, size, &v, &why) == 0) {
		if (imactl_xattr_encode(&v, &out, &len) != 0 || len != size ||
		    memcmp(out, copy, size) != 0)
			abort(); /* whatever decodes must encode to the same bytes */
		free(out);
	} else if (!why) {
		abort(); /* every refusal has a reason */
	}
	free(copy);
	return 0;
}
