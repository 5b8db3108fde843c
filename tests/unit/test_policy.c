// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Table-driven tests of the IMA policy parser: every keyword and value,
 * every combination rule of ima_validate_rule(), version and .config
 * dependent behaviour, the lints, matching, and the .config parser.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K61 IMACTL_KERNEL_VERSION(6, 1)
#define K66 IMACTL_KERNEL_VERSION(6, 6)
/* the version points, checked against upstream (doc/policy-keywords.md) */
#define K62  IMACTL_KERNEL_VERSION(6, 2)
#define K63  IMACTL_KERNEL_VERSION(6, 3)
#define K65  IMACTL_KERNEL_VERSION(6, 5)
#define UUID "01234567-89ab-cdef-0123-456789ABCDEF"
/* a .config without the optional IMA parts */
#define KC_BARE                                                                                    \
	"CONFIG_IMA=y\nCONFIG_IMA_APPRAISE=y\nCONFIG_INTEGRITY_SIGNATURE=y\n"                      \
	"# CONFIG_IMA_APPRAISE_MODSIG is not set\n"                                                \
	"# CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS is not set\n"                                        \
	"# CONFIG_IMA_LSM_RULES is not set\n# CONFIG_CRYPTO_SM3_GENERIC is not set\n"              \
	"CONFIG_CRYPTO_SHA256=y\n# CONFIG_FS_VERITY is not set\n"
#define KC_MODSIG                                                                                  \
	"CONFIG_IMA=y\nCONFIG_IMA_APPRAISE=y\nCONFIG_IMA_APPRAISE_MODSIG=y\n"                      \
	"CONFIG_INTEGRITY_SIGNATURE=y\n"

static struct imactl_policy *parse(const char *text, size_t len, unsigned int kernel,
				   const char *kconfig, unsigned int flags)
{
	struct imactl_policy_options o = { .kernel = kernel, .flags = flags };
	struct imactl_kconfig *kc = NULL;
	struct imactl_policy *pol = NULL;

	if (kconfig) {
		assert_int_equal(imactl_kconfig_parse(NULL, kconfig, strlen(kconfig), &kc), 0);
		o.kconfig = kc;
	}
	assert_int_equal(imactl_policy_parse(NULL, text, len, &o, &pol), 0);
	imactl_kconfig_free(kc);
	return pol;
}

static const struct imactl_diag *first(const struct imactl_policy *pol, int severity,
				       const char *code)
{
	for (size_t i = 0; i < pol->n_diags; i++)
		if (pol->diags[i].severity == severity &&
		    (!code || !strcmp(pol->diags[i].code, code)))
			return &pol->diags[i];
	return NULL;
}

static void dump(const char *what, const char *rule, const struct imactl_policy *pol)
{
	print_message("# %s: '%s'\n", what, rule);
	for (size_t i = 0; i < pol->n_diags; i++)
		print_message("#   %u:%u sev %d [%s] %s\n", pol->diags[i].line,
			      pol->diags[i].column, pol->diags[i].severity, pol->diags[i].code,
			      pol->diags[i].message);
}

/* ---- rules the kernel accepts ------------------------------------------ */

static const struct {
	const char *rule;
	unsigned int kernel;
	const char *kconfig;
} valid[] = {
	/* actions */
	{ "measure" },
	{ "dont_measure" },
	{ "appraise" },
	{ "dont_appraise" },
	{ "audit" },
	{ "hash" },
	{ "dont_hash" },
	/* func= and its aliases */
	{ "measure func=FILE_CHECK" },
	{ "measure func=PATH_CHECK" },
	{ "measure func=MODULE_CHECK" },
	{ "measure func=FIRMWARE_CHECK" },
	{ "measure func=FILE_MMAP" },
	{ "measure func=MMAP_CHECK" },
	{ "measure func=MMAP_CHECK_REQPROT" },
	{ "measure func=BPRM_CHECK" },
	{ "measure func=CREDS_CHECK" },
	{ "measure func=KEXEC_KERNEL_CHECK" },
	{ "measure func=KEXEC_INITRAMFS_CHECK" },
	{ "measure func=POLICY_CHECK" },
	{ "measure func=KEXEC_CMDLINE" },
	{ "measure func=KEY_CHECK" },
	{ "measure func=CRITICAL_DATA" },
	{ "appraise func=SETXATTR_CHECK appraise_algos=sha256" },
	{ "appraise func=BPRM_CHECK" },
	{ "audit func=BPRM_CHECK" },
	{ "hash func=FILE_CHECK" },
	{ "dont_hash fsmagic=0x1021994" },
	/* mask= */
	{ "measure mask=MAY_EXEC" },
	{ "measure mask=MAY_WRITE" },
	{ "measure mask=MAY_READ" },
	{ "measure mask=MAY_APPEND" },
	{ "measure mask=^MAY_EXEC" },
	{ "measure mask=^MAY_READ" },
	/* filesystems */
	{ "measure fsmagic=0x9fa0" },
	{ "measure fsmagic=9fa0" },
	{ "measure fsmagic=+0X9FA0" },
	{ "measure fsmagic=0 fsmagic=0x1cd1" },
	{ "measure fsname=ext4" },
	{ "measure fsname=a fsname=b" },
	{ "measure fsuuid=" UUID },
	/* ids with =, < and > */
	{ "measure uid=0" },
	{ "measure uid<1000" },
	{ "measure uid>999" },
	{ "measure euid=0" },
	{ "measure euid<1" },
	{ "measure euid>2" },
	{ "measure gid=0" },
	{ "measure gid<1000" },
	{ "measure gid>5" },
	{ "measure egid=0" },
	{ "measure egid<7" },
	{ "measure egid>7" },
	{ "measure fowner=0" },
	{ "measure fowner<1000" },
	{ "measure fowner>0" },
	{ "measure fgroup=0" },
	{ "measure fgroup<10" },
	{ "measure fgroup>10" },
	{ "measure uid=4294967294" },
	{ "measure uid=+5" },
	{ "measure uid=0 gid=0 fowner=0 fgroup=0" },
	/* LSM labels */
	{ "measure obj_user=system_u" },
	{ "measure obj_role=object_r" },
	{ "measure obj_type=bin_t" },
	{ "measure subj_user=u" },
	{ "measure subj_role=r" },
	{ "measure subj_type=t" },
	{ "measure obj_user=a obj_role=b obj_type=c subj_user=d subj_role=e subj_type=f" },
	/* keyrings=, label= */
	{ "measure func=KEY_CHECK keyrings=.ima|.builtin_trusted_keys" },
	{ "measure func=KEY_CHECK keyrings=_ima uid=0 pcr=12" },
	{ "dont_measure func=KEY_CHECK keyrings=.evm" },
	{ "measure func=CRITICAL_DATA label=selinux|kernel_info" },
	{ "measure func=CRITICAL_DATA label=x gid=0" },
	/* appraise options */
	{ "appraise appraise_type=imasig" },
	{ "appraise appraise_type=imasig appraise_type=imasig" },
	{ "appraise func=MODULE_CHECK appraise_type=imasig|modsig" },
	{ "appraise func=KEXEC_KERNEL_CHECK appraise_type=imasig|modsig" },
	{ "appraise func=KEXEC_INITRAMFS_CHECK appraise_type=imasig|modsig" },
	{ "appraise func=MODULE_CHECK appraise_type=imasig|modsig appraise_flag=check_blacklist",
	  K61 },
	{ "appraise func=MODULE_CHECK appraise_type=imasig|modsig appraise_flag=check_blacklist",
	  K61, KC_MODSIG },
	{ "appraise func=BPRM_CHECK appraise_flag=whatever" }, /* ignored since 6.6 */
	{ "measure appraise_flag=check_blacklist", K66 },
	/* MMAP_CHECK_REQPROT came with 6.3 (integrity-v6.3 pull) */
	{ "measure func=MMAP_CHECK_REQPROT", K63 },
	{ "appraise func=BPRM_CHECK digest_type=verity appraise_type=sigv3" },
	{ "appraise digest_type=verity digest_type=verity appraise_type=sigv3" },
	{ "measure func=BPRM_CHECK digest_type=verity" },
	{ "dont_appraise digest_type=verity" },
	{ "appraise appraise_algos=sha256,sha512,sha384,sha224,sha1,md5,sm3,streebog256" },
	{ "appraise func=MODULE_CHECK appraise_algos=sha256" },
	{ "appraise appraise_algos=sha256", 0, KC_BARE },
	{ "measure permit_directio" },
	{ "appraise func=FILE_CHECK permit_directio" },
	{ "measure func=MODULE_CHECK permit_directio" },
	/* pcr= and template= */
	{ "measure pcr=0" },
	{ "measure pcr=10" },
	{ "measure pcr=23" },
	{ "measure pcr=-0" },
	{ "measure pcr=11 pcr=12" },
	{ "measure func=KEXEC_CMDLINE pcr=12" },
	{ "measure template=ima" },
	{ "measure template=ima-ng" },
	{ "measure template=ima-ngv2" },
	{ "measure template=ima-sig" },
	{ "measure template=ima-sigv2" },
	{ "measure template=ima-buf" },
	{ "measure template=ima-modsig" },
	{ "measure template=evm-sig" },
	{ "measure func=KEY_CHECK template=ima-buf" },
	/* KEXEC_CMDLINE conditions */
	{ "measure func=KEXEC_CMDLINE fsmagic=0x9fa0 euid<5 fowner=0 fsuuid=" UUID
	  " fsname=x gid=0 fgroup=0" },
	{ "dont_measure func=KEXEC_CMDLINE" },
	{ "measure func=KEXEC_CMDLINE obj_type=x" }, /* LSM is not checked there */
	/* white space */
	{ "measure\t\tfunc=BPRM_CHECK   mask=MAY_EXEC\t" },
	{ "   \tmeasure func=BPRM_CHECK" },
	/* a .config with everything needed */
	{ "measure func=KEY_CHECK keyrings=.ima", 0,
	  "CONFIG_IMA=y\nCONFIG_IMA_MEASURE_ASYMMETRIC_KEYS=y\n" },
};

static void valid_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < (sizeof(valid) / sizeof(valid[0])); i++) {
		struct imactl_policy *pol = parse(valid[i].rule, strlen(valid[i].rule),
						  valid[i].kernel, valid[i].kconfig, 0);

		if (pol->n_errors || pol->n_rules != 1 || !pol->rules[0].valid) {
			dump("should be valid", valid[i].rule, pol);
			fail();
		}
		imactl_policy_free(pol);
	}
}

/* ---- rules the kernel refuses: the code and the column ---------------- */

static const struct {
	const char *rule;
	const char *code;
	unsigned int column;
	unsigned int kernel;
	const char *kconfig;
} invalid[] = {
	{ "func=BPRM_CHECK", "no-action", 1 },
	{ "measure appraise", "two-actions", 9 },
	{ "dont_measure measure", "two-actions", 14 },
	{ "measure bogus", "unknown-keyword", 9 },
	{ "Measure", "unknown-keyword", 1 },
	{ "measure Func=BPRM_CHECK", "unknown-keyword", 9 },
	{ "measure func", "unknown-keyword", 9 },
	{ "measure # comment", "unknown-keyword", 9 },
	{ "measure\x01", "unknown-keyword", 1 },
	{ "measure permit_directio=1", "unknown-keyword", 9 },
	{ "measure func=", "bad-value", 9 },
	{ "measure func=FOO", "bad-value", 14 },
	{ "measure func=bprm_check", "bad-value", 14 },
	{ "measure func=BPRM_CHECK func=FILE_CHECK", "repeated", 25 },
	{ "measure func=MMAP_CHECK_REQPROT", "kernel-version", 14, K61 },
	{ "measure func=MMAP_CHECK_REQPROT", "kernel-version", 14, K62 },
	{ "measure mask=MAY_NOTHING", "bad-value", 14 },
	{ "measure mask=^^MAY_EXEC", "bad-value", 14 },
	{ "measure mask=MAY_READ mask=^MAY_EXEC", "repeated", 23 },
	{ "measure fsmagic=xyz", "bad-value", 17 },
	{ "measure fsmagic=0x", "bad-value", 17 },
	{ "measure fsmagic=-1", "bad-value", 17 },
	{ "measure fsmagic=0x10000000000000000", "bad-value", 17 },
	{ "measure fsmagic=0x9fa0 fsmagic=0x1cd1", "repeated", 24 },
	{ "measure fsuuid=not-a-uuid", "bad-value", 16 },
	{ "measure fsuuid=0123456789abcdef0123456789abcdef", "bad-value", 16 },
	{ "measure fsuuid=" UUID " fsuuid=" UUID, "repeated", 53 },
	{ "measure uid=abc", "bad-value", 13 },
	{ "measure uid=-1", "bad-value", 13 },
	{ "measure uid=0x10", "bad-value", 13 },
	{ "measure uid=4294967295", "bad-value", 13 },
	{ "measure uid=99999999999", "bad-value", 13 },
	{ "measure uid=0 euid=0", "repeated", 15 },
	{ "measure euid<1 uid>2", "repeated", 16 },
	{ "measure gid=0 egid=0", "repeated", 15 },
	{ "measure fowner=0 fowner>1", "repeated", 18 },
	{ "measure fgroup=0 fgroup<1", "repeated", 18 },
	{ "measure fowner=", "bad-value", 9 },
	{ "measure obj_type=a obj_type=b", "repeated", 20 },
	{ "measure subj_user=a subj_user=b", "repeated", 21 },
	{ "measure obj_type=x", "kconfig", 9, 0, KC_BARE },
	{ "measure pcr=64", "bad-value", 13 },
	{ "measure pcr=-1", "bad-value", 13 },
	{ "measure pcr=x", "bad-value", 13 },
	{ "dont_measure pcr=11", "combination", 14 },
	{ "appraise pcr=11", "combination", 10 },
	{ "measure appraise_type=imasig", "combination", 9 },
	{ "dont_appraise appraise_type=imasig", "combination", 15 },
	{ "measure appraise_algos=sha256", "combination", 9 },
	{ "audit appraise_type=imasig", "combination", 7 },
	{ "appraise appraise_type=foo", "bad-value", 24 },
	{ "appraise appraise_type=modsig", "bad-value", 24 },
	{ "appraise appraise_type=sigv3", "combination", 24 },
	{ "appraise appraise_type=imasig digest_type=verity", "combination", 31 },
	{ "appraise digest_type=verity appraise_type=imasig", "combination", 43 },
	{ "appraise func=MODULE_CHECK digest_type=verity appraise_type=imasig|modsig",
	  "combination", 61 },
	{ "appraise func=BPRM_CHECK digest_type=verity", "combination", 26 },
	{ "appraise digest_type=sha256", "bad-value", 22 },
	{ "appraise func=MODULE_CHECK digest_type=verity appraise_type=sigv3", "combination", 28 },
	{ "appraise func=BPRM_CHECK appraise_type=imasig|modsig", "combination", 26 },
	{ "appraise func=MODULE_CHECK appraise_type=imasig|modsig", "kconfig", 42, 0, KC_BARE },
	{ "appraise func=MODULE_CHECK appraise_flag=check_blacklist", "combination", 28, K61 },
	{ "appraise func=MODULE_CHECK appraise_type=imasig|modsig appraise_flag=whitelist",
	  "bad-value", 70, K61 },
	{ "appraise func=MODULE_CHECK appraise_flag=check_blacklist", "kconfig", 28, K61, KC_BARE },
	{ "appraise func=BPRM_CHECK appraise_type=imasig appraise_flag=check_blacklist",
	  "combination", 47, K61 },
	/* appraise_flag is ignored only from 6.6 on (blacklist always checked) */
	{ "appraise func=BPRM_CHECK appraise_type=imasig appraise_flag=check_blacklist",
	  "combination", 47, K65 },
	{ "appraise appraise_algos=sha256,md9", "bad-value", 32 },
	{ "appraise appraise_algos=sha256,", "bad-value", 32 },
	{ "appraise appraise_algos=tgr192", "bad-value", 25 },
	{ "appraise appraise_algos=rmd128", "bad-value", 25 },
	{ "appraise appraise_algos=sm3", "kconfig", 25, 0, KC_BARE },
	{ "appraise appraise_algos=sha256 appraise_algos=sha1", "repeated", 32 },
	{ "measure func=KEY_CHECK mask=MAY_READ", "combination", 24 },
	{ "measure func=KEY_CHECK fowner=0", "combination", 24 },
	{ "measure func=KEY_CHECK obj_type=x", "combination", 24 },
	{ "appraise func=KEY_CHECK", "combination", 1 },
	{ "measure keyrings=.ima", "combination", 9 },
	{ "measure func=KEY_CHECK keyrings=a||b", "bad-value", 33 },
	{ "measure func=KEY_CHECK keyrings=|a", "bad-value", 33 },
	{ "measure func=KEY_CHECK keyrings=a keyrings=b", "repeated", 35 },
	{ "measure func=KEY_CHECK", "kconfig", 14, 0, KC_BARE },
	{ "measure keyrings=.ima", "kconfig", 9, 0, KC_BARE },
	{ "measure func=CRITICAL_DATA fowner=0", "combination", 28 },
	{ "measure func=CRITICAL_DATA mask=MAY_READ", "combination", 28 },
	{ "measure func=CRITICAL_DATA subj_type=x", "combination", 28 },
	{ "measure label=x", "combination", 9 },
	{ "measure func=CRITICAL_DATA label=|x", "bad-value", 34 },
	{ "measure func=CRITICAL_DATA label=a label=b", "repeated", 36 },
	{ "appraise func=CRITICAL_DATA", "combination", 1 },
	{ "measure func=SETXATTR_CHECK", "combination", 1 },
	{ "appraise func=SETXATTR_CHECK", "combination", 10 },
	{ "appraise func=SETXATTR_CHECK appraise_algos=sha256 fowner=0", "combination", 52 },
	{ "appraise func=SETXATTR_CHECK appraise_algos=sha256 appraise_type=imasig", "combination",
	  52 },
	{ "appraise func=KEXEC_CMDLINE", "combination", 1 },
	{ "measure func=KEXEC_CMDLINE mask=MAY_READ", "combination", 28 },
	{ "measure func=KEXEC_CMDLINE permit_directio", "combination", 28 },
	{ "measure func=KEXEC_CMDLINE digest_type=verity", "combination", 28 },
	{ "template=ima-ng measure", "combination", 1 },
	{ "measure template=foo", "bad-value", 18 },
	{ "appraise template=ima-ng", "combination", 10 },
	{ "measure template=ima-ng template=ima-sig", "repeated", 25 },
	{ "measure func=BPRM_CHECK\r", "crlf", 24 },
	{ "appraise func=POLICY_CHECK appraise_type=imasig|modsig", "combination", 28 },
	{ "appraise func=FIRMWARE_CHECK appraise_type=imasig|modsig", "combination", 30 },
};

static void invalid_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < (sizeof(invalid) / sizeof(invalid[0])); i++) {
		struct imactl_policy *pol = parse(invalid[i].rule, strlen(invalid[i].rule),
						  invalid[i].kernel, invalid[i].kconfig, 0);
		const struct imactl_diag *d = first(pol, IMACTL_DIAG_ERROR, NULL);

		if (!d || strcmp(d->code, invalid[i].code) || d->column != invalid[i].column ||
		    d->line != 1 || pol->rules[0].valid) {
			dump("should be refused", invalid[i].rule, pol);
			print_message("#   want [%s] at column %u\n", invalid[i].code,
				      invalid[i].column);
			fail();
		}
		imactl_policy_free(pol);
	}
}

/* ---- long-term kernels: a rule accepted by one and refused by its neighbour -- */

#define KC_KEYS	  "CONFIG_IMA=y\nCONFIG_IMA_MEASURE_ASYMMETRIC_KEYS=y\n"
#define KV_(a, b) IMACTL_KERNEL_VERSION(a, b)

static const struct {
	const char *rule;
	const char *kconfig;
	unsigned int older, newer; /* neighbouring kernels (mostly long-term) */
	bool older_ok, newer_ok;
	const char *code; /* the error of the one that refuses it */
	unsigned int min_kernel;
} lts[] = {
	/* 5.4 | 5.10: ima_validate_rule() (5.9), KEY_CHECK (5.6), appraise_flag (5.5) */
	{ "measure func=KEY_CHECK keyrings=.ima", KC_KEYS, KV_(5, 4), KV_(5, 10), false, true,
	  "kernel-version", KV_(5, 6) },
	{ "measure func=KEXEC_CMDLINE mask=MAY_READ", NULL, KV_(5, 4), KV_(5, 10), true, false,
	  "combination", KV_(5, 4) },
	{ "appraise func=KEXEC_CMDLINE", NULL, KV_(5, 4), KV_(5, 10), true, false, "combination",
	  KV_(5, 4) },
	{ "pcr=11 measure func=FILE_CHECK", NULL, KV_(5, 4), KV_(5, 10), false, true, "combination",
	  KV_(5, 9) },
	{ "appraise appraise_type=imasig|modsig func=MODULE_CHECK", KC_MODSIG, KV_(5, 4),
	  KV_(5, 10), false, true, "combination", KV_(5, 9) },
	{ "appraise func=MODULE_CHECK appraise_type=imasig|modsig appraise_flag=check_blacklist",
	  KC_MODSIG, KV_(5, 4), KV_(5, 10), false, true, "kernel-version", KV_(5, 5) },
	/*
	 * 5.8 | 5.9 (between 5.4 and 5.10): 5.6-5.8 took func=KEY_CHECK and
	 * keyrings= without CONFIG_IMA_MEASURE_ASYMMETRIC_KEYS and keyrings= as
	 * one string (5.8.1 and 5.9.2 trees)
	 */
	{ "measure func=KEY_CHECK keyrings=.ima", KC_BARE, KV_(5, 8), KV_(5, 9), true, false,
	  "kconfig", KV_(5, 6) },
	{ "measure func=KEY_CHECK keyrings=a||b", KC_KEYS, KV_(5, 8), KV_(5, 9), true, false,
	  "bad-value", KV_(5, 6) },
	/* 5.10 | 5.15: CRITICAL_DATA + label= (5.12), evm-sig (5.14), SETXATTR_CHECK (5.15) */
	{ "measure func=CRITICAL_DATA label=selinux", NULL, KV_(5, 10), KV_(5, 15), false, true,
	  "kernel-version", KV_(5, 12) },
	/* 5.11 | 5.12: CRITICAL_DATA (5.11.14 and 5.12.9 trees) */
	{ "measure func=CRITICAL_DATA", NULL, KV_(5, 11), KV_(5, 12), false, true, "kernel-version",
	  KV_(5, 12) },
	{ "measure func=FILE_CHECK template=evm-sig", NULL, KV_(5, 10), KV_(5, 15), false, true,
	  "kernel-version", KV_(5, 14) },
	/* 5.13 | 5.14 (between 5.10 and 5.15): evm-sig in the integrity-v5.14 pull */
	{ "measure func=FILE_CHECK template=evm-sig", NULL, KV_(5, 13), KV_(5, 14), false, true,
	  "kernel-version", KV_(5, 14) },
	{ "appraise func=SETXATTR_CHECK appraise_algos=sha256", NULL, KV_(5, 10), KV_(5, 15), false,
	  true, "kernel-version", KV_(5, 15) },
	/* 5.15 | 6.1: gid (5.16), fs-verity and the v2 templates (5.19) */
	{ "measure func=FILE_CHECK gid=0", NULL, KV_(5, 15), KV_(6, 1), false, true,
	  "kernel-version", KV_(5, 16) },
	{ "appraise func=BPRM_CHECK digest_type=verity appraise_type=sigv3", NULL, KV_(5, 15),
	  KV_(6, 1), false, true, "kernel-version", KV_(5, 19) },
	{ "measure func=FILE_CHECK template=ima-ngv2", NULL, KV_(5, 15), KV_(6, 1), false, true,
	  "kernel-version", KV_(5, 19) },
	/* 6.1 | 6.6: MMAP_CHECK_REQPROT (6.3), appraise_flag= ignored (6.6) */
	{ "measure func=MMAP_CHECK_REQPROT", NULL, KV_(6, 1), KV_(6, 6), false, true,
	  "kernel-version", KV_(6, 3) },
	{ "appraise func=BPRM_CHECK appraise_type=imasig appraise_flag=check_blacklist", NULL,
	  KV_(6, 1), KV_(6, 6), false, true, "combination", KV_(5, 5) },
	/* 6.6 | 6.12: SHA-3 in the kernel's hash_algo_name[] (6.7) */
	{ "appraise func=SETXATTR_CHECK appraise_algos=sha256,sha3-256", NULL, KV_(6, 6),
	  KV_(6, 12), false, true, "kernel-version", KV_(6, 7) },
	/* refused by every modelled kernel */
	{ "measure func=KEXEC_CMDLINE obj_user=x mask=MAY_EXEC func=FILE_CHECK", NULL, KV_(5, 4),
	  KV_(6, 12), false, false, "repeated", 0 },
};

static bool lts_one(size_t i, unsigned int kernel, bool ok)
{
	struct imactl_policy *pol = parse(lts[i].rule, strlen(lts[i].rule), kernel, lts[i].kconfig,
					  IMACTL_POLICY_NO_LINT);
	const struct imactl_diag *d = first(pol, IMACTL_DIAG_ERROR, NULL);
	bool good = pol->n_rules == 1 && pol->rules[0].valid == ok &&
		    (ok ? !d : d && !strcmp(d->code, lts[i].code)) &&
		    pol->rules[0].min_kernel == lts[i].min_kernel;

	if (!good) {
		dump(ok ? "should be accepted" : "should be refused", lts[i].rule, pol);
		print_message("#   kernel %u.%u, min_kernel %x (want %x)\n", kernel >> 16,
			      (kernel >> 8) & 0xff, pol->rules[0].min_kernel, lts[i].min_kernel);
	}
	imactl_policy_free(pol);
	return good;
}

static void lts_boundaries(void **state)
{
	bool good = true;

	(void)state;
	for (size_t i = 0; i < sizeof(lts) / sizeof(lts[0]); i++) {
		good &= lts_one(i, lts[i].older, lts[i].older_ok);
		good &= lts_one(i, lts[i].newer, lts[i].newer_ok);
	}
	assert_true(good);
}

/* ---- malformed files ---------------------------------------------------- */

static void malformed(void **state)
{
	static const char nul[] = "measure func=BPRM_CHECK\nmeasure\0x\n";
	struct imactl_policy *pol;
	char *big;

	(void)state;
	pol = parse(nul, sizeof(nul) - 1, 0, NULL, 0);
	assert_non_null(first(pol, IMACTL_DIAG_ERROR, "nul-byte"));
	assert_int_equal(first(pol, IMACTL_DIAG_ERROR, "nul-byte")->line, 2);
	assert_int_equal(first(pol, IMACTL_DIAG_ERROR, "nul-byte")->column, 8);
	imactl_policy_free(pol);

	pol = parse("# caf\xc3\xa9 ok\nmeasure fsname=\xff\n", 28, 0, NULL, 0);
	assert_int_equal(pol->n_errors, 1);
	assert_int_equal(first(pol, IMACTL_DIAG_ERROR, "encoding")->line, 2);
	imactl_policy_free(pol);
	/* overlong encoding and a surrogate are not UTF-8 */
	pol = parse("# \xc0\xaf\n# \xed\xa0\x80\nmeasure\n", 19, 0, NULL, 0);
	assert_int_equal(pol->n_errors, 2);
	imactl_policy_free(pol);

	/* one rule of 5000 bytes: too long for one kernel write */
	big = malloc(5001);
	assert_non_null(big);
	memset(big, ' ', 5000);
	memcpy(big, "measure", 7);
	big[5000] = '\n';
	pol = parse(big, 5001, 0, NULL, 0);
	assert_non_null(first(pol, IMACTL_DIAG_ERROR, "line-too-long"));
	imactl_policy_free(pol);
	/* 4095 bytes are fine */
	pol = parse(big + 905, 4096, 0, NULL, 0);
	assert_int_equal(pol->n_errors, 1); /* only: no action in "   ..." */
	imactl_policy_free(pol);
	free(big);

	/* no final newline: a warning, an error when loaded by path */
	pol = parse("measure", 7, 0, NULL, 0);
	assert_non_null(first(pol, IMACTL_DIAG_WARNING, "no-final-newline"));
	assert_int_equal(pol->n_errors, 0);
	imactl_policy_free(pol);
	pol = parse("measure", 7, 0, NULL, IMACTL_POLICY_BY_PATH);
	assert_non_null(first(pol, IMACTL_DIAG_ERROR, "no-final-newline"));
	imactl_policy_free(pol);

	/* empty, comments only */
	pol = parse("", 0, 0, NULL, 0);
	assert_non_null(first(pol, IMACTL_DIAG_ERROR, "empty-policy"));
	imactl_policy_free(pol);
	pol = parse("# a\n   # b\n\n\t\n", 14, 0, NULL, 0);
	assert_non_null(first(pol, IMACTL_DIAG_ERROR, "empty-policy"));
	assert_int_equal(pol->n_rules, 0);
	imactl_policy_free(pol);

	/* errors go on past a bad rule, rules keep their lines */
	pol = parse("bogus\n# c\nmeasure\nfoo\n", 22, 0, NULL, 0);
	assert_int_equal(pol->n_rules, 3);
	assert_int_equal(pol->n_errors, 2);
	assert_int_equal(pol->rules[1].line, 3);
	assert_true(pol->rules[1].valid);
	assert_false(pol->rules[2].valid);
	imactl_policy_free(pol);

	/* versions */
	{
		unsigned int v;

		assert_int_equal(imactl_policy_kernel_parse("6.1", &v), 0);
		assert_int_equal(v, K61);
		assert_int_equal(imactl_policy_kernel_parse("6.12.3", &v), 0);
		assert_int_equal(v, IMACTL_KERNEL_VERSION(6, 12));
		assert_int_equal(imactl_policy_kernel_parse("5.3", &v), -EINVAL);
		assert_int_equal(imactl_policy_kernel_parse("6", &v), -EINVAL);
		assert_int_equal(imactl_policy_kernel_parse("6.x", &v), -EINVAL);
		assert_int_equal(imactl_policy_kernel_parse("6.1-rc1", &v), -EINVAL);
	}
	{
		struct imactl_policy_options o = { .kernel = IMACTL_KERNEL_VERSION(5, 3) };

		assert_int_equal(imactl_policy_parse(NULL, "measure\n", 8, &o, &pol), -EINVAL);
	}
}

/* ---- the parsed rule ------------------------------------------------------ */

static void rule_fields(void **state)
{
	static const char text[] =
		"appraise func=BPRM_CHECK mask=^MAY_EXEC fsmagic=0xef53 fsname=ext4 "
		"fsuuid=" UUID " euid<1000 fgroup>7 appraise_type=imasig "
		"appraise_algos=sha256,sha512 obj_type=bin_t\n"
		"measure func=KEY_CHECK keyrings=.ima|_ima pcr=11 template=ima-buf\n";
	const struct imactl_policy_rule *r;
	struct imactl_policy *pol;

	(void)state;
	pol = parse(text, sizeof(text) - 1, 0, NULL, 0);
	assert_int_equal(pol->n_errors, 0);
	r = &pol->rules[0];
	assert_int_equal(r->action, IMACTL_ACT_APPRAISE);
	assert_int_equal(r->func, IMACTL_FUNC_BPRM_CHECK);
	assert_int_equal(r->mask, IMACTL_MAY_EXEC);
	assert_true(r->cond & IMACTL_COND_INMASK);
	assert_false(r->cond & IMACTL_COND_MASK);
	assert_int_equal(r->fsmagic, 0xef53);
	assert_string_equal(r->fsname, "ext4");
	assert_int_equal(r->fsuuid[0], 0x01);
	assert_int_equal(r->fsuuid[15], 0xef);
	assert_true(r->cond & IMACTL_COND_EUID);
	assert_int_equal(r->uid, 1000);
	assert_int_equal(r->uid_op, '<');
	assert_int_equal(r->fgroup, 7);
	assert_int_equal(r->fgroup_op, '>');
	assert_true(r->cond & IMACTL_OPT_DIGSIG);
	assert_int_equal(r->algos, (1u << IMACTL_HASH_SHA256) | (1u << IMACTL_HASH_SHA512));
	assert_string_equal(r->lsm[IMACTL_LSM_OBJ_TYPE], "bin_t");
	assert_null(r->lsm[IMACTL_LSM_SUBJ_TYPE]);
	r = &pol->rules[1];
	assert_int_equal(r->line, 2);
	assert_string_equal(r->keyrings, ".ima|_ima");
	assert_int_equal(r->pcr, 11);
	assert_string_equal(r->template_name, "ima-buf");
	assert_string_equal(r->text,
			    "measure func=KEY_CHECK keyrings=.ima|_ima pcr=11 template=ima-buf");
	assert_string_equal(imactl_policy_func_name(IMACTL_FUNC_MMAP_CHECK), "MMAP_CHECK");
	assert_string_equal(imactl_policy_action_name(IMACTL_ACT_DONT_HASH), "dont_hash");
	assert_null(imactl_policy_action_name(99));
	imactl_policy_free(pol);
	/* since 6.6 every signature requirement also checks the blacklist */
	pol = parse("appraise appraise_type=imasig\n", 30, K61, NULL, 0);
	assert_false(pol->rules[0].cond & IMACTL_OPT_BLACKLIST);
	imactl_policy_free(pol);
	pol = parse("appraise appraise_type=imasig\n", 30, K65, NULL, 0);
	assert_false(pol->rules[0].cond & IMACTL_OPT_BLACKLIST);
	imactl_policy_free(pol);
	pol = parse("appraise appraise_type=imasig\n", 30, K66, NULL, 0);
	assert_true(pol->rules[0].cond & IMACTL_OPT_BLACKLIST);
	imactl_policy_free(pol);
}

/* ---- lints ------------------------------------------------------------------ */

#define PSEUDO(a)                                                                                  \
	a " fsmagic=0x9fa0\n" a " fsmagic=0x62656572\n" a " fsmagic=0x64626720\n" a                \
	  " fsmagic=0x1021994\n" a " fsmagic=0x858458f6\n" a " fsmagic=0x1cd1\n" a                 \
	  " fsmagic=0x42494e4d\n" a " fsmagic=0x73636673\n" a " fsmagic=0xf97cff8c\n" a            \
	  " fsmagic=0x43415d53\n" a " fsmagic=0x6e736673\n" a " fsmagic=0xde5e81e4\n" a            \
	  " fsmagic=0x27e0eb\n" a " fsname=cgroup2\n"

static const struct {
	const char *policy;
	const char *code; /* NULL: no warning at all */
	unsigned int line;
	unsigned int kernel;
	const char *kconfig;
	unsigned int flags;
} lints[] = {
	{ "measure\nmeasure func=BPRM_CHECK\n", "unreachable", 2 },
	{ "dont_appraise\nappraise func=BPRM_CHECK\n", "unreachable", 2 },
	{ "measure func=BPRM_CHECK\nmeasure func=BPRM_CHECK uid=0\n", "unreachable", 2 },
	{ "measure uid<5\nmeasure uid<5 func=BPRM_CHECK\n", "unreachable", 2 },
	{ "measure func=BPRM_CHECK\nmeasure func=MMAP_CHECK\n", NULL, 0 },
	{ "measure uid<5\nmeasure uid<6 func=BPRM_CHECK\n", NULL, 0 },
	{ "measure\nappraise func=BPRM_CHECK fowner=0 fsmagic=0xef53\n", NULL, 0 },
	{ "measure\nmeasure func=KEY_CHECK\n", NULL, 0 }, /* only KEY_CHECK rules match keys */
	{ "measure func=KEY_CHECK\nmeasure func=KEY_CHECK keyrings=.ima\n", "unreachable", 2 },
	{ "appraise func=BPRM_CHECK appraise_type=imasig\n", "pseudo-fs", 1 },
	{ PSEUDO("dont_appraise") "appraise func=BPRM_CHECK appraise_type=imasig\n", NULL, 0 },
	{ PSEUDO("dont_measure") "appraise func=BPRM_CHECK appraise_type=imasig\n", "pseudo-fs",
	  15 },
	{ PSEUDO("dont_appraise func=FILE_CHECK") "appraise func=BPRM_CHECK appraise_type=imasig\n",
	  "pseudo-fs", 15 },
	{ PSEUDO("dont_appraise") "appraise fowner=0\n", "appraise-tcb", 15 },
	{ PSEUDO("dont_appraise") "appraise\n", "runtime-writes", 15 },
	{ PSEUDO("dont_appraise") "appraise func=FILE_CHECK appraise_type=imasig\n",
	  "imasig-file-check", 15 },
	{ PSEUDO("dont_appraise") "# imactl: allow runtime-writes\nappraise\n", NULL, 0 },
	{ PSEUDO("dont_appraise") "# imactl: allow runtime-writes\n# more words\n\nappraise\n",
	  NULL, 0 },
	{ PSEUDO("dont_appraise") "# imactl: allow appraise-tcb\nappraise\n", "runtime-writes",
	  16 },
	{ "# imactl: allow runtime-writes\nmeasure\nappraise fsuuid=" UUID "\nappraise\n",
	  "runtime-writes", 4 },
	{ "appraise fsuuid=" UUID "\n", NULL, 0 },
	{ "measure obj_type=x\n", "lsm-label", 1 },
	{ "measure func=FILE_MMAP\n", "alias", 1 },
	{ "appraise func=BPRM_CHECK fsmagic=0xef53 appraise_flag=check_blacklist\n", "deprecated",
	  1 },
	{ "measure pcr=40\n", "pcr-range", 1 },
	{ "measure fsname=a fsname=b\n", "repeated", 1 },
	{ "measure\n", "unsigned-policy", 0, 0,
	  "CONFIG_IMA=y\nCONFIG_IMA_APPRAISE_REQUIRE_POLICY_SIGS=y\n" },
	{ "measure\n", NULL, 0, 0, "CONFIG_IMA=y\nCONFIG_IMA_APPRAISE_REQUIRE_POLICY_SIGS=y\n",
	  IMACTL_POLICY_SIGNED },
	{ "measure digest_type=verity\n", "kconfig", 1, 0, KC_BARE },
	{ "appraise fsuuid=" UUID " appraise_algos=sha512\n", "kconfig-module", 1, 0,
	  "CONFIG_IMA=y\nCONFIG_IMA_APPRAISE=y\nCONFIG_CRYPTO_SHA512=m\n" },
};

static void lint_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < (sizeof(lints) / sizeof(lints[0])); i++) {
		struct imactl_policy *pol =
			parse(lints[i].policy, strlen(lints[i].policy), lints[i].kernel,
			      lints[i].kconfig, lints[i].flags);
		const struct imactl_diag *d = first(pol, IMACTL_DIAG_WARNING, lints[i].code);

		if (pol->n_errors || (lints[i].code && (!d || d->line != lints[i].line)) ||
		    (!lints[i].code && pol->n_warnings)) {
			dump("lint", lints[i].policy, pol);
			print_message("#   want [%s] on line %u\n",
				      lints[i].code ? lints[i].code : "nothing", lints[i].line);
			fail();
		}
		imactl_policy_free(pol);
	}
}

static void kconfig_errors(void **state)
{
	struct imactl_policy *pol;

	(void)state;
	pol = parse("appraise fsuuid=" UUID "\n", 54, 0,
		    "CONFIG_IMA=y\n# CONFIG_IMA_APPRAISE is not set\n", 0);
	assert_non_null(first(pol, IMACTL_DIAG_ERROR, "kconfig"));
	assert_true(
		strstr(first(pol, IMACTL_DIAG_ERROR, "kconfig")->message, "CONFIG_IMA_APPRAISE"));
	imactl_policy_free(pol);
	pol = parse("measure\n", 8, 0, "# CONFIG_IMA is not set\n", 0);
	assert_non_null(first(pol, IMACTL_DIAG_ERROR, "kconfig"));
	imactl_policy_free(pol);
	pol = parse(
		"appraise fsuuid=" UUID " appraise_type=imasig\n", 75, 0,
		"CONFIG_IMA=y\nCONFIG_IMA_APPRAISE=y\n# CONFIG_INTEGRITY_SIGNATURE is not set\n",
		0);
	assert_non_null(first(pol, IMACTL_DIAG_ERROR, "kconfig"));
	imactl_policy_free(pol);
}

/* ---- matching ------------------------------------------------------------ */

static void matching(void **state)
{
	static const char text[] =
		"dont_appraise fsmagic=0x9fa0\n"			   /* 0 */
		"measure func=BPRM_CHECK\n"				   /* 1 */
		"appraise func=BPRM_CHECK fowner=0 appraise_type=imasig\n" /* 2 */
		"appraise obj_type=bin_t\n"				   /* 3 */
		"appraise func=FILE_CHECK mask=^MAY_READ fowner<1000\n"	   /* 4 */
		"appraise func=MMAP_CHECK mask=MAY_EXEC fsuuid=" UUID "\n" /* 5 */
		"dont_appraise fgroup>100\n"				   /* 6 */
		"appraise\n";						   /* 7 */
	struct imactl_policy_subject s = { .fsmagic = 0xef53 };
	uint8_t uuid[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
			     0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	struct imactl_policy *pol;
	unsigned int lsm = 0;

	(void)state;
	pol = parse(text, sizeof(text) - 1, 0, NULL, 0);
	assert_int_equal(pol->n_errors, 0);
	s.func = IMACTL_FUNC_BPRM_CHECK;
	s.mask = IMACTL_MAY_EXEC;
	assert_int_equal(imactl_policy_appraise_rule(pol, &s, &lsm), 2);
	s.fsmagic = 0x9fa0;
	assert_int_equal(imactl_policy_appraise_rule(pol, &s, &lsm), 0);
	s.fsmagic = 0xef53;
	s.fowner = 5; /* BPRM rule needs fowner=0; the LSM rule is skipped */
	assert_int_equal(imactl_policy_appraise_rule(pol, &s, &lsm), 7);
	assert_int_equal(lsm, 1);
	s.func = IMACTL_FUNC_FILE_CHECK;
	s.mask = IMACTL_MAY_READ | IMACTL_MAY_WRITE;
	assert_int_equal(imactl_policy_appraise_rule(pol, &s, NULL), 4);
	s.fowner = 1000;
	assert_int_equal(imactl_policy_appraise_rule(pol, &s, NULL), 7);
	s.fgroup = 101;
	assert_int_equal(imactl_policy_appraise_rule(pol, &s, NULL), 6);
	s.fgroup = 0;
	s.func = IMACTL_FUNC_MMAP_CHECK;
	s.mask = IMACTL_MAY_EXEC;
	assert_int_equal(imactl_policy_appraise_rule(pol, &s, NULL), 7);
	s.fsuuid = uuid;
	assert_int_equal(imactl_policy_appraise_rule(pol, &s, NULL), 5);
	imactl_policy_free(pol);
	pol = parse("measure\n", 8, 0, NULL, 0);
	assert_int_equal(imactl_policy_appraise_rule(pol, &s, NULL), -ENOENT);
	imactl_policy_free(pol);
}

/* ---- .config ------------------------------------------------------------------ */

/*
 * kconfig check --kernel: an option set in the .config that the version does
 * not have.  Each pair is the last release tree read without the option (or
 * still with it) and the first read with it (or without it).
 */
static const struct {
	const char *option;
	unsigned int warn, quiet; /* a warning for @warn, none for @quiet */
} opt_pairs[] = {
	{ "IMA_SECURE_AND_OR_TRUSTED_BOOT", KV_(5, 6), KV_(5, 7) },
	{ "IMA_MEASURE_ASYMMETRIC_KEYS", KV_(5, 5), KV_(5, 6) },
	{ "IMA_TEMPLATE", KV_(5, 19), KV_(5, 18) },
	{ "IMA_DISABLE_HTABLE", KV_(5, 13), KV_(5, 14) },
	{ "CRYPTO_ECDSA", KV_(5, 12), KV_(5, 13) },
	{ "CRYPTO_SM2", KV_(5, 9), KV_(5, 10) },
	{ "INTEGRITY_MACHINE_KEYRING", KV_(5, 17), KV_(5, 18) },
	{ "INTEGRITY_CA_MACHINE_KEYRING", KV_(6, 3), KV_(6, 4) },
	{ "IMA_TRUSTED_KEYRING", KV_(6, 6), KV_(6, 5) },
};

static size_t history_warnings(const char *option, unsigned int kernel)
{
	char text[128];
	struct imactl_kconfig *kc = NULL;
	struct imactl_diag *d = NULL;
	size_t n = 0, hits = 0;

	snprintf(text, sizeof(text), "CONFIG_IMA=y\nCONFIG_%s=y\n", option);
	assert_int_equal(imactl_kconfig_parse(NULL, text, strlen(text), &kc), 0);
	assert_int_equal(imactl_kconfig_check_kernel(NULL, kc, kernel, &d, &n), 0);
	for (size_t i = 0; i < n; i++)
		hits += !strcmp(d[i].code, "kconfig-version") && strstr(d[i].message, option);
	imactl_diags_free(d, n);
	imactl_kconfig_free(kc);
	return hits;
}

static void option_history(void **state)
{
	bool good = true;

	(void)state;
	for (size_t i = 0; i < sizeof(opt_pairs) / sizeof(opt_pairs[0]); i++) {
		size_t w = history_warnings(opt_pairs[i].option, opt_pairs[i].warn);
		size_t q = history_warnings(opt_pairs[i].option, opt_pairs[i].quiet);

		if (w != 1 || q != 0) {
			print_message("# CONFIG_%s: %zu warning(s) for %u.%u (want 1), %zu for "
				      "%u.%u (want 0)\n",
				      opt_pairs[i].option, w, opt_pairs[i].warn >> 16,
				      (opt_pairs[i].warn >> 8) & 0xff, q, opt_pairs[i].quiet >> 16,
				      (opt_pairs[i].quiet >> 8) & 0xff);
			good = false;
		}
	}
	assert_true(good);
}

static void kconfig(void **state)
{
	static const char text[] =
		"#\n# comment\nCONFIG_IMA=y\nCONFIG_TCG_TPM=m\r\n"
		"CONFIG_IMA_DEFAULT_HASH=\"sha256\"\n# CONFIG_EVM is not set\n"
		"CONFIG_IMA_APPRAISE=n\nCONFIG_IMA=y\nCONFIG_X=y\nCONFIG_X=m\ngarbage\n"
		"CONFIG_=y\n# CONFIG_Y is not set really\nCONFIG_MODULES=y";
	struct imactl_kconfig *kc = NULL;
	struct imactl_diag *d = NULL;
	unsigned int f = 0;
	const char *bad;
	size_t n = 0, bad_len;
	bool tpm = false, evm = false;

	(void)state;
	assert_int_equal(imactl_kconfig_parse(NULL, text, sizeof(text) - 1, &kc), 0);
	assert_string_equal(imactl_kconfig_get(kc, "CONFIG_IMA"), "y");
	assert_string_equal(imactl_kconfig_get(kc, "IMA"), "y");
	assert_string_equal(imactl_kconfig_get(kc, "TCG_TPM"), "m");
	assert_string_equal(imactl_kconfig_get(kc, "IMA_DEFAULT_HASH"), "\"sha256\"");
	assert_null(imactl_kconfig_get(kc, "EVM"));
	assert_null(imactl_kconfig_get(kc, "IMA_APPRAISE"));
	assert_string_equal(imactl_kconfig_get(kc, "X"), "m"); /* the last wins */
	assert_null(imactl_kconfig_get(kc, "Y"));
	assert_null(imactl_kconfig_get(kc, "NOPE"));
	assert_string_equal(imactl_kconfig_get(kc, "MODULES"), "y"); /* no final newline */

	assert_int_equal(imactl_kconfig_feature_parse("ima,tpm", &f, NULL, NULL), 0);
	assert_int_equal(f, IMACTL_KFEAT_IMA | IMACTL_KFEAT_TPM);
	assert_int_equal(imactl_kconfig_feature_parse("all", &f, NULL, NULL), 0);
	assert_int_equal(f, IMACTL_KFEAT_ALL);
	assert_int_equal(imactl_kconfig_feature_parse("ima,bogus", &f, &bad, &bad_len), -EINVAL);
	assert_int_equal(bad_len, 5);
	assert_memory_equal(bad, "bogus", 5);
	assert_int_equal(imactl_kconfig_feature_parse("", &f, &bad, &bad_len), -EINVAL);

	assert_int_equal(
		imactl_kconfig_check(NULL, kc, IMACTL_KFEAT_TPM | IMACTL_KFEAT_EVM, &d, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (strstr(d[i].message, "CONFIG_TCG_TPM=m, want y"))
			tpm = d[i].severity == IMACTL_DIAG_ERROR;
		if (strstr(d[i].message, "CONFIG_EVM is not set, want y (evm:"))
			evm = d[i].severity == IMACTL_DIAG_ERROR;
	}
	assert_true(tpm);
	assert_true(evm);
	imactl_diags_free(d, n);
	imactl_kconfig_free(kc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_rules),	  cmocka_unit_test(invalid_rules),
		cmocka_unit_test(malformed),	  cmocka_unit_test(rule_fields),
		cmocka_unit_test(lint_rules),	  cmocka_unit_test(kconfig_errors),
		cmocka_unit_test(matching),	  cmocka_unit_test(kconfig),
		cmocka_unit_test(lts_boundaries), cmocka_unit_test(option_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
