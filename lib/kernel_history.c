// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a given kernel version has: the history of the kconfig options
 * around IMA/EVM from Linux 5.4 to 6.12, and whether a kernel can verify
 * IMA signatures made with a given key at all.  The facts and how sure we
 * are of each: doc/policy-keywords.md ("Kernel options 5.4 to 6.12").
 */
#include "lib_private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KV IMACTL_KERNEL_VERSION

/*
 * Options that came or went between 5.4 and 6.12, as read in the Kconfig
 * files of single-release trees and in the pull requests that merged them
 * (doc/policy-keywords.md, "Kernel options 5.4 to 6.12"): absent in every
 * version up to @absent_upto (0: present in 5.4), absent again from
 * @gone_from on (0: still there).  Versions between the last one proven
 * without and the first one proven with an option are not known here:
 * nothing is said for them.
 */
static const struct {
	const char *name;
	unsigned int absent_upto, gone_from;
} opt_history[] = {
	{ "IMA_MEASURE_ASYMMETRIC_KEYS", KV(5, 5), 0 },
	{ "IMA_QUEUE_EARLY_BOOT_KEYS", KV(5, 5), 0 },
	{ "IMA_SECURE_AND_OR_TRUSTED_BOOT", KV(5, 6), 0 },
	{ "IMA_DEFAULT_HASH_SM3", KV(5, 5), 0 },
	{ "LOAD_PPC_KEYS", KV(5, 4), 0 },
	/*
	 * in 5.17-rc5, not in 5.19.0; removed as a fix and backported to
	 * 4.19.y, 5.10.y and 5.15.y (5.15.16 has it, 5.15.85 not): not modelled
	 */
	{ "IMA_TEMPLATE", 0, KV(5, 19) },
	/* the integrity-v5.14 pull */
	{ "IMA_DISABLE_HTABLE", KV(5, 13), 0 },
	/* the integrity-v6.6 pull; also gone from 5.10.223 and 6.1.192: not modelled */
	{ "IMA_TRUSTED_KEYRING", 0, KV(6, 6) },
	/* not in 5.17-rc5 (features land in merge windows), in 5.19.0 */
	{ "INTEGRITY_MACHINE_KEYRING", KV(5, 17), 0 },
	{ "INTEGRITY_CA_MACHINE_KEYRING", KV(6, 3), 0 },
	{ "INTEGRITY_CA_MACHINE_KEYRING_MAX", KV(6, 3), 0 },
	/* the crypto pull for 5.13 */
	{ "CRYPTO_ECDSA", KV(5, 12), 0 },
	{ "CRYPTO_SM2", KV(5, 9), KV(6, 12) },
};

static int add(struct imactl_diag **d, size_t *n, int severity, const char *code, const char *fmt,
	       ...) PRINTF_FMT(5, 6);
static int add(struct imactl_diag **d, size_t *n, int severity, const char *code, const char *fmt,
	       ...)
{
	struct imactl_diag *nd = realloc(*d, (*n + 1) * sizeof(**d));
	char *msg = NULL;
	va_list ap;
	int r;

	if (!nd)
		return -ENOMEM;
	*d = nd;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	nd[*n] = (struct imactl_diag){ .severity = severity, .code = code, .message = msg };
	(*n)++;
	return 0;
}

#define KMAJ(v) ((v) >> 16)
#define KMIN(v) (((v) >> 8) & 0xff)

IMACTL_EXPORT int imactl_kconfig_check_kernel(struct imactl_ctx *ctx,
					      const struct imactl_kconfig *kconfig,
					      unsigned int kernel, struct imactl_diag **diags_ret,
					      size_t *n_ret)
{
	struct imactl_diag *d = NULL;
	size_t n = 0;
	int ret = 0;

	(void)ctx;
	if (kernel < IMACTL_KERNEL_OLDEST)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(opt_history) && !ret; i++) {
		unsigned int absent = opt_history[i].absent_upto, gone = opt_history[i].gone_from;

		if (kconfig_state(kconfig, opt_history[i].name) != 1)
			continue;
		if (absent && kernel <= absent)
			ret = add(&d, &n, IMACTL_DIAG_WARNING, "kconfig-version",
				  "CONFIG_%s is set, but Linux %u.%u does not have it (not in "
				  "%u.%u, added later): a .config for another kernel?",
				  opt_history[i].name, KMAJ(kernel), KMIN(kernel), KMAJ(absent),
				  KMIN(absent));
		else if (gone && kernel >= gone)
			ret = add(&d, &n, IMACTL_DIAG_WARNING, "kconfig-version",
				  "CONFIG_%s is set, but Linux %u.%u does not have it (gone by "
				  "%u.%u): a .config for another kernel?",
				  opt_history[i].name, KMAJ(kernel), KMIN(kernel), KMAJ(gone),
				  KMIN(gone));
	}
	if (ret < 0) {
		imactl_diags_free(d, n);
		return ret;
	}
	*diags_ret = d;
	*n_ret = n;
	return 0;
}

/* A verifier the kernel needs built in: "y" fine, "m" a warning, unset an error. */
static int need_builtin(struct imactl_diag **d, size_t *n, const struct imactl_kconfig *kc,
			const char *option, const char *what)
{
	const char *v = kc ? imactl_kconfig_get(kc, option) : NULL;

	if (!kc || (v && !strcmp(v, "y")))
		return 0;
	if (v && !strcmp(v, "m"))
		return add(d, n, IMACTL_DIAG_WARNING, "kconfig-module",
			   "CONFIG_%s=m: %s only once the module is loaded (not for files "
			   "appraised before, e.g. from the initramfs)",
			   option, what);
	return add(d, n, IMACTL_DIAG_ERROR, "kconfig",
		   "CONFIG_%s is not set: the kernel cannot verify %s at all", option, what);
}

IMACTL_EXPORT int imactl_kernel_cert_check(struct imactl_ctx *ctx, const struct imactl_cert *cert,
					   const struct imactl_kconfig *kconfig,
					   unsigned int kernel, unsigned int flags,
					   struct imactl_diag **diags_ret, size_t *n_ret)
{
	struct imactl_diag *d = NULL;
	size_t n = 0;
	unsigned int since;
	const char *what;
	int kind, ret;

	(void)ctx;
	if (kernel && kernel < IMACTL_KERNEL_OLDEST)
		return -EINVAL;
	if (!kernel && kconfig)
		kernel = imactl_kconfig_version(kconfig);
	kind = crypto_cert_key_kind(cert);
	switch (kind) {
	case IMACTL_KEY_RSA_2048:
	case IMACTL_KEY_RSA_3072:
	case IMACTL_KEY_RSA_4096:
		ret = need_builtin(&d, &n, kconfig, "CRYPTO_RSA", "RSA signatures");
		since = 0;
		what = "RSA";
		break;
	case IMACTL_KEY_EC_P256:
	case IMACTL_KEY_EC_P384:
		ret = need_builtin(&d, &n, kconfig, "CRYPTO_ECDSA", "ECDSA signatures");
		/* crypto/ecdsa.c and ECDSA in digsig_asymmetric.c: 5.13 (5.12.9 has neither) */
		since = KV(5, 13);
		what = kind == IMACTL_KEY_EC_P256 ? "ECDSA P-256" : "ECDSA P-384";
		break;
	default:
		ret = add(&d, &n, IMACTL_DIAG_ERROR, "key-type",
			  "the key is neither RSA nor EC P-256/P-384: no kernel verifies IMA "
			  "signatures made with it");
		since = 0;
		what = NULL;
		break;
	}
	if (!ret && what && kernel && since > kernel)
		ret = add(&d, &n, IMACTL_DIAG_ERROR, "kernel-version",
			  "Linux %u.%u cannot verify %s IMA signatures (from %u.%u on)",
			  KMAJ(kernel), KMIN(kernel), what, KMAJ(since), KMIN(since));
	if (!ret && (flags & IMACTL_CERT_SIGV3)) {
		if (kernel && kernel < KV(5, 19))
			ret = add(&d, &n, IMACTL_DIAG_ERROR, "kernel-version",
				  "Linux %u.%u has no sigv3 (digest_type=verity "
				  "appraise_type=sigv3: from 5.19 on)",
				  KMAJ(kernel), KMIN(kernel));
		else if (kconfig_state(kconfig, "FS_VERITY") == 0)
			ret = add(&d, &n, IMACTL_DIAG_ERROR, "kconfig",
				  "CONFIG_FS_VERITY is not set: no file has an fs-verity digest, "
				  "sigv3 signatures cannot be checked");
	}
	if (ret < 0) {
		imactl_diags_free(d, n);
		return ret;
	}
	*diags_ret = d;
	*n_ret = n;
	return 0;
}
