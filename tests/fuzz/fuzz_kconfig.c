// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the kernel .config parser and the feature check on what it parsed.
 * Invariants: never crash or read past the input (an exact-size copy, not
 * NUL-terminated); every diagnostic has a message; a value returned by
 * imactl_kconfig_get() is a string.
 */
#include "imactl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "CONFIG_IMA",
					     "IMA",
					     "CONFIG_EVM",
					     "CONFIG_IMA_APPRAISE",
					     "CONFIG_SYSTEM_TRUSTED_KEYS",
					     "CONFIG_",
					     "",
					     "CONFIG_IMA_DEFAULT_HASH" };
	struct imactl_kconfig *kc = NULL;
	struct imactl_diag *diags = NULL;
	size_t n = 0;
	char *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (imactl_kconfig_parse(NULL, copy, size, &kc) == 0) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			const char *v = imactl_kconfig_get(kc, names[i]);

			if (v)
				(void)strlen(v);
		}
		if (imactl_kconfig_check(NULL, kc, IMACTL_KFEAT_ALL, &diags, &n) == 0) {
			for (size_t i = 0; i < n; i++)
				if (!diags[i].message || !diags[i].message[0])
					abort();
			imactl_diags_free(diags, n);
		}
		imactl_kconfig_free(kc);
	}
	free(copy);
	return 0;
}
