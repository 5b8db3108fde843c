// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the IMA policy parser/linter and the .config parser.  Invariants:
 * never crash; every rule marked invalid has an error diagnostic on its line;
 * error counts agree with the diagnostics.
 */
#include "imactl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imactl_policy_options o = { 0 };
	struct imactl_kconfig *kc = NULL;
	struct imactl_policy *pol = NULL;
	size_t errors = 0;
	char *copy;

	/* an exact-size heap copy, not NUL-terminated: ASan sees overreads */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (imactl_kconfig_parse(NULL, copy, size, &kc) == 0)
		o.kconfig = kc;
	/* the first byte picks the kernel version and flags */
	if (size) {
		o.kernel = (copy[0] & 1) ? IMACTL_KERNEL_VERSION(6, 1) : 0;
		o.flags = (copy[0] >> 1) & 7;
	}
	if (imactl_policy_parse(NULL, copy, size, &o, &pol) == 0) {
		for (size_t i = 0; i < pol->n_diags; i++) {
			if (!pol->diags[i].message || !pol->diags[i].code)
				abort();
			errors += pol->diags[i].severity == IMACTL_DIAG_ERROR;
		}
		if (errors != pol->n_errors)
			abort();
		for (size_t i = 0; i < pol->n_rules; i++) {
			bool found = false;

			if (pol->rules[i].valid)
				continue;
			for (size_t j = 0; j < pol->n_diags; j++)
				if (pol->diags[j].line == pol->rules[i].line &&
				    pol->diags[j].severity == IMACTL_DIAG_ERROR)
					found = true;
			if (!found)
				abort(); /* a refused rule without a reason */
		}
		imactl_policy_free(pol);
	}
	imactl_kconfig_free(kc);
	free(copy);
	return 0;
}
