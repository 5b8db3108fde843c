// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Kernel .config parsing and the table of options each IMA/EVM feature
 * needs (imactl kconfig check).
 *
 * Extension point: a requirement is one row of kconfig_rules[] below
 * (option, wanted value, features, severity, why).  New features get a bit
 * in imactl.h (IMACTL_KFEAT_*) and a name in kfeature_names[].  Rules that
 * only warn (e.g. about IMA_KEYRINGS_PERMIT_SIGNED_BY_BUILTIN_OR_SECONDARY)
 * use IMACTL_DIAG_WARNING and want "y" or "n".
 */
#include "lib_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kconfig_opt {
	char *name;  /* without CONFIG_ */
	char *value; /* NULL: "is not set" */
};

struct imactl_kconfig {
	struct kconfig_opt *opts;
	size_t n, cap;
	unsigned int version; /* from the "# Linux/ARCH X.Y.Z Kernel Configuration" line */
};

IMACTL_EXPORT void imactl_kconfig_free(struct imactl_kconfig *kc)
{
	if (!kc)
		return;
	for (size_t i = 0; i < kc->n; i++) {
		free(kc->opts[i].name);
		free(kc->opts[i].value);
	}
	free(kc->opts);
	free(kc);
}

static int kc_add(struct imactl_kconfig *kc, const char *name, size_t nlen, const char *val,
		  size_t vlen)
{
	struct kconfig_opt *o;

	if (kc->n == kc->cap) {
		size_t cap = kc->cap ? kc->cap * 2 : 256;

		o = realloc(kc->opts, cap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		kc->opts = o;
		kc->cap = cap;
	}
	o = &kc->opts[kc->n];
	o->name = strndup(name, nlen);
	o->value = val ? strndup(val, vlen) : NULL;
	if (!o->name || (val && !o->value)) {
		free(o->name);
		free(o->value);
		return -ENOMEM;
	}
	kc->n++;
	return 0;
}

static bool is_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* One line; later assignments of the same option win (as in Kconfig). */
static int kc_line(struct imactl_kconfig *kc, const char *l, size_t len)
{
	static const char unset_pfx[] = "# CONFIG_";
	static const char unset_sfx[] = " is not set";
	static const char linux_pfx[] = "# Linux/";
	size_t n = 0;

	if (!kc->version && len > sizeof(linux_pfx) - 1 &&
	    !memcmp(l, linux_pfx, sizeof(linux_pfx) - 1)) {
		const char *sp = memchr(l, ' ', len);
		unsigned int a, b;

		if (sp && sscanf(sp, " %u.%u", &a, &b) == 2 && a < 256 && b < 256)
			kc->version = IMACTL_KERNEL_VERSION(a, b);
		return 0;
	}
	if (len > sizeof(unset_pfx) - 1 && !memcmp(l, unset_pfx, sizeof(unset_pfx) - 1)) {
		l += sizeof(unset_pfx) - 1;
		len -= sizeof(unset_pfx) - 1;
		while (n < len && is_name_char(l[n]))
			n++;
		if (!n || len - n != sizeof(unset_sfx) - 1 || memcmp(l + n, unset_sfx, len - n))
			return 0;
		return kc_add(kc, l, n, NULL, 0);
	}
	if (len < 8 || memcmp(l, "CONFIG_", 7))
		return 0;
	l += 7;
	len -= 7;
	while (n < len && is_name_char(l[n]))
		n++;
	if (!n || n >= len || l[n] != '=')
		return 0;
	if (len - n - 1 == 1 && l[n + 1] == 'n') /* CONFIG_X=n: not set */
		return kc_add(kc, l, n, NULL, 0);
	return kc_add(kc, l, n, l + n + 1, len - n - 1);
}

IMACTL_EXPORT int imactl_kconfig_parse(struct imactl_ctx *ctx, const char *buf, size_t len,
				       struct imactl_kconfig **kconfig_ret)
{
	struct imactl_kconfig *kc = calloc(1, sizeof(*kc));
	size_t pos = 0;
	int ret = 0;

	(void)ctx;
	if (!kc)
		return -ENOMEM;
	while (pos < len) {
		const char *l;
		size_t n = next_line(buf, len, &pos, &l);

		if (n && l[n - 1] == '\r')
			n--;
		ret = kc_line(kc, l, n);
		if (ret < 0) {
			imactl_kconfig_free(kc);
			return ret;
		}
	}
	*kconfig_ret = kc;
	return 0;
}

IMACTL_EXPORT unsigned int imactl_kconfig_version(const struct imactl_kconfig *kc)
{
	return kc ? kc->version : 0;
}

static const struct kconfig_opt *kc_find(const struct imactl_kconfig *kc, const char *name)
{
	if (!strncmp(name, "CONFIG_", 7))
		name += 7;
	/* the last assignment wins */
	for (size_t i = kc->n; i-- > 0;)
		if (!strcmp(kc->opts[i].name, name))
			return &kc->opts[i];
	return NULL;
}

IMACTL_EXPORT const char *imactl_kconfig_get(const struct imactl_kconfig *kc, const char *name)
{
	const struct kconfig_opt *o = kc ? kc_find(kc, name) : NULL;

	return o ? o->value : NULL;
}

int kconfig_state(const struct imactl_kconfig *kc, const char *name)
{
	const char *v;

	if (!kc)
		return -1;
	v = imactl_kconfig_get(kc, name);
	return v && (!strcmp(v, "y") || !strcmp(v, "m"));
}

/* ---- feature requirements --------------------------------------------- */

static const struct {
	const char *name;
	unsigned int bit;
} kfeature_names[] = {
	{ "ima", IMACTL_KFEAT_IMA },	       { "appraise", IMACTL_KFEAT_APPRAISE },
	{ "evm", IMACTL_KFEAT_EVM },	       { "signed-policy", IMACTL_KFEAT_SIGNED_POLICY },
	{ "modsign", IMACTL_KFEAT_MODSIG },    { "tpm", IMACTL_KFEAT_TPM },
	{ "evm-hmac", IMACTL_KFEAT_EVM_HMAC }, { "all", IMACTL_KFEAT_ALL },
};

static const char *kfeature_name(unsigned int bits)
{
	for (size_t i = 0; i < ARRAY_SIZE(kfeature_names); i++)
		if (bits & kfeature_names[i].bit)
			return kfeature_names[i].name;
	return "?";
}

IMACTL_EXPORT int imactl_kconfig_feature_parse(const char *list, unsigned int *features,
					       const char **bad, size_t *bad_len)
{
	unsigned int f = 0;
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		size_t i;

		for (i = 0; i < ARRAY_SIZE(kfeature_names); i++)
			if (strlen(kfeature_names[i].name) == n &&
			    !memcmp(kfeature_names[i].name, p, n))
				break;
		if (i == ARRAY_SIZE(kfeature_names)) {
			if (bad)
				*bad = p;
			if (bad_len)
				*bad_len = n;
			return -EINVAL;
		}
		f |= kfeature_names[i].bit;
		p += n;
		if (*p == ',')
			p++;
	}
	if (!f) {
		if (bad)
			*bad = list;
		if (bad_len)
			*bad_len = 0;
		return -EINVAL;
	}
	*features = f;
	return 0;
}

/*
 * want: "y" (must be built in), "ym" (y or m), "n" (must not be set), or a
 * literal value (e.g. "10" for IMA_MEASURE_PCR_IDX).
 */
struct kconfig_rule {
	const char *option;
	const char *want;
	unsigned int features;
	int severity;
	const char *why;
};

#define F_IMA  IMACTL_KFEAT_IMA
#define F_APR  IMACTL_KFEAT_APPRAISE
#define F_EVM  IMACTL_KFEAT_EVM
#define F_SPOL IMACTL_KFEAT_SIGNED_POLICY
#define F_MOD  IMACTL_KFEAT_MODSIG
#define F_TPM  IMACTL_KFEAT_TPM
#define F_HMAC IMACTL_KFEAT_EVM_HMAC
#define ERR    IMACTL_DIAG_ERROR
#define WARN   IMACTL_DIAG_WARNING

static const struct kconfig_rule kconfig_rules[] = {
	{ "SECURITY", "y", F_IMA | F_APR | F_EVM | F_SPOL | F_HMAC, ERR,
	  "IMA and EVM are security modules" },
	{ "SECURITYFS", "y", F_IMA | F_APR | F_SPOL, ERR,
	  "the policy and measurement list live in securityfs (/sys/kernel/security/ima)" },
	{ "INTEGRITY", "y", F_IMA | F_APR | F_EVM | F_SPOL | F_HMAC, ERR,
	  "the integrity subsystem hosts IMA and EVM" },
	{ "IMA", "y", F_IMA | F_APR | F_SPOL, ERR, "measurement and appraisal are IMA" },
	{ "IMA_MEASURE_PCR_IDX", "10", F_IMA, WARN,
	  "attestation tools (and imactl's PCR replay) expect the measurement list in PCR 10" },
	{ "IMA_APPRAISE", "y", F_APR | F_SPOL | F_EVM, ERR,
	  "without it appraise rules are accepted but have no effect" },
	{ "IMA_APPRAISE_BOOTPARAM", "y", F_APR, WARN,
	  "ima_appraise=log|fix on the command line is how a new image is debugged" },
	{ "INTEGRITY_SIGNATURE", "y", F_APR | F_EVM | F_SPOL, ERR,
	  "verifies the signatures in security.ima/security.evm" },
	{ "INTEGRITY_ASYMMETRIC_KEYS", "y", F_APR | F_EVM | F_SPOL, ERR,
	  "signature format v2 (what imactl and evmctl write) uses asymmetric keys" },
	{ "ASYMMETRIC_KEY_TYPE", "y", F_APR | F_EVM | F_SPOL | F_MOD, ERR,
	  "keys for signature verification" },
	{ "ASYMMETRIC_PUBLIC_KEY_SUBTYPE", "y", F_APR | F_EVM | F_SPOL | F_MOD, ERR,
	  "RSA/ECDSA public keys" },
	{ "X509_CERTIFICATE_PARSER", "y", F_APR | F_EVM | F_SPOL | F_MOD, ERR,
	  "certificates are loaded into the IMA/EVM keyrings as X.509" },
	{ "KEYS", "y", F_APR | F_EVM | F_SPOL | F_HMAC, ERR,
	  "keyrings hold the verification keys" },
	{ "CRYPTO_SHA256", "y", F_IMA | F_APR, ERR,
	  "sha256 file hashes (the default of imactl sign); built in, modules are not loadable "
	  "that early" },
	{ "SIGNATURE", "y", F_APR | F_MOD, WARN, "in-kernel signature checker (lib/digsig)" },
	{ "INTEGRITY_AUDIT", "y", F_APR, WARN,
	  "audit records name the file and cause of every appraisal denial" },
	{ "AUDIT", "y", F_APR, WARN, "needed for INTEGRITY_AUDIT" },
	{ "IMA_APPRAISE_REQUIRE_POLICY_SIGS", "y", F_SPOL, ERR,
	  "makes the kernel refuse any policy that is not signed" },
	{ "IMA_WRITE_POLICY", "n", F_SPOL, WARN,
	  "lets rules be appended after boot; with signed policies, prefer one signed load" },
	{ "IMA_KEYRINGS_PERMIT_SIGNED_BY_BUILTIN_OR_SECONDARY", "n", F_APR | F_EVM | F_SPOL, WARN,
	  ".ima/.evm then also take keys signed by any key in .secondary_trusted_keys, and "
	  "Linux 6.1 does not check that it is a CA: root can add a CA-signed leaf there "
	  "and have keys it signed trusted (kernel/ima-ca-strict.cfg keeps it off)" },
	{ "EVM", "y", F_EVM | F_HMAC, ERR,
	  "EVM protects the security.* xattrs and inode metadata" },
	{ "EVM_ATTR_FSUUID", "y", F_EVM | F_HMAC, WARN,
	  "EVM HMACs cover the filesystem UUID (portable signatures never do)" },
	{ "MODULES", "y", F_MOD, ERR, "loadable modules" },
	{ "MODULE_SIG", "y", F_MOD, ERR, "module signature checking" },
	{ "MODULE_SIG_FORCE", "y", F_MOD, ERR,
	  "without it unsigned modules are loaded (only the kernel is tainted)" },
	{ "MODULE_SIG_SHA256", "y", F_MOD, WARN, "sha256 module signatures" },
	{ "TCG_TPM", "y", F_TPM | F_HMAC, ERR,
	  "IMA extends PCR 10 only if the TPM driver is up before IMA initializes (built in)" },
	{ "TRUSTED_KEYS", "y", F_HMAC, ERR,
	  "the master key kmk is a trusted key, sealed by the TPM (imactl evm-key)" },
	{ "TRUSTED_KEYS_TPM", "y", F_HMAC, ERR,
	  "trusted keys sealed by the TPM (the backend imactl evm-key uses)" },
	{ "ENCRYPTED_KEYS", "y", F_HMAC, ERR, "the EVM key evm-key is an encrypted key under kmk" },
	{ "USER_DECRYPTED_DATA", "y", F_HMAC, ERR,
	  "imactl evm-key create --label instantiates evm-key from the key material it "
	  "labelled the unmounted root with" },
	{ "CRYPTO_HMAC", "y", F_HMAC, ERR, "EVM HMACs are HMAC-SHA1" },
	{ "CRYPTO_SHA1", "y", F_HMAC, ERR, "EVM HMACs are HMAC-SHA1" },
	{ "TCG_TIS", "y", F_TPM, WARN, "the TIS interface (QEMU tpm-tis, most x86 TPMs)" },
	{ "TCG_CRB", "y", F_TPM, WARN, "the CRB interface (firmware TPMs, QEMU tpm-crb)" },
};

static int add_diag(struct imactl_diag **d, size_t *n, size_t *cap, int severity, const char *code,
		    char *msg)
{
	if (!msg)
		return -ENOMEM;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct imactl_diag *nd = realloc(*d, c * sizeof(**d));

		if (!nd) {
			free(msg);
			return -ENOMEM;
		}
		*d = nd;
		*cap = c;
	}
	(*d)[(*n)++] = (struct imactl_diag){ .severity = severity, .code = code, .message = msg };
	return 0;
}

static char *fmt_msg(const char *fmt, ...) PRINTF_FMT(1, 2);
static char *fmt_msg(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

IMACTL_EXPORT int imactl_kconfig_check(struct imactl_ctx *ctx, const struct imactl_kconfig *kc,
				       unsigned int features, struct imactl_diag **diags_ret,
				       size_t *n_ret)
{
	struct imactl_diag *d = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	(void)ctx;
	for (size_t i = 0; i < ARRAY_SIZE(kconfig_rules) && !ret; i++) {
		const struct kconfig_rule *r = &kconfig_rules[i];
		const char *have = imactl_kconfig_get(kc, r->option);
		const char *feat = kfeature_name(r->features & features);
		bool ok;

		if (!(r->features & features))
			continue;
		if (!strcmp(r->want, "y"))
			ok = have && !strcmp(have, "y");
		else if (!strcmp(r->want, "ym"))
			ok = have && (!strcmp(have, "y") || !strcmp(have, "m"));
		else if (!strcmp(r->want, "n"))
			ok = !have;
		else
			ok = have && !strcmp(have, r->want);
		if (ok)
			continue;
		if (!strcmp(r->want, "n"))
			ret = add_diag(&d, &n, &cap, r->severity, "kconfig",
				       fmt_msg("CONFIG_%s=%s, want it not set (%s: %s)", r->option,
					       have, feat, r->why));
		else if (!have)
			ret = add_diag(&d, &n, &cap, r->severity, "kconfig",
				       fmt_msg("CONFIG_%s is not set, want %s (%s: %s)", r->option,
					       r->want, feat, r->why));
		else
			ret = add_diag(&d, &n, &cap, r->severity, "kconfig",
				       fmt_msg("CONFIG_%s=%s, want %s (%s: %s)", r->option, have,
					       r->want, feat, r->why));
	}
	if (ret < 0) {
		imactl_diags_free(d, n);
		return ret;
	}
	*diags_ret = d;
	*n_ret = n;
	return 0;
}

IMACTL_EXPORT void imactl_diags_free(struct imactl_diag *diags, size_t n)
{
	for (size_t i = 0; i < n && diags; i++)
		free(diags[i].message);
	free(diags);
}
