// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device's EVM key with the kernel's own key types: a `trusted` kmk
 * sealed by the TPM and the `encrypted` evm-key under it (see imactl.h for
 * the flow and what Linux 6.1's evm_secfs.c and evm_crypto.c require).
 * The payloads follow Documentation/security/keys/trusted-encrypted.rst:
 *   trusted:   "new LEN keyhandle=H", "load HEXBLOB keyhandle=H"
 *   encrypted: "new default trusted:kmk LEN [HEX]", "load BLOB"
 * (HEX, the decrypted data, needs CONFIG_USER_DECRYPTED_DATA).
 */
#include "lib_private.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <keyutils.h>

#define KMK_NAME     "kmk"
#define EVM_KEY_NAME "evm-key"
#define EVM_KEY_FMT  "default trusted:" KMK_NAME " "
#define BLOB_MAX     (64u << 10)
#define SECURITYFS   "/sys/kernel/security"
#define TPM_SYSFS    "/sys/class/tpm/tpm0"

/*
 * Memory for key material: locked when the limits allow, never in a core
 * dump, wiped before it is unmapped.
 */
struct secret {
	char *p;
	size_t len;
};

static int secret_alloc(struct secret *s, size_t len)
{
	s->p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->p == MAP_FAILED) {
		s->p = NULL;
		return -ENOMEM;
	}
	s->len = len;
	madvise(s->p, len, MADV_DONTDUMP);
	(void)mlock(s->p, len); /* best effort: RLIMIT_MEMLOCK may be 0 */
	return 0;
}

static void secret_free(struct secret *s)
{
	if (!s->p)
		return;
	explicit_bzero(s->p, s->len);
	munlock(s->p, s->len);
	munmap(s->p, s->len);
	s->p = NULL;
}

static const char *sfs(const char *securityfs)
{
	return securityfs ? securityfs : SECURITYFS;
}

/* The serial of @type:@name in the user keyring, 0 when absent, or -errno. */
static int32_t user_key(const char *type, const char *name)
{
	long id = keyctl_search(KEY_SPEC_USER_KEYRING, type, name, 0);

	if (id >= 0)
		return (int32_t)id;
	if (errno == ENOKEY || errno == ENOENT || errno == EKEYREVOKED || errno == EKEYEXPIRED)
		return 0;
	return -errno;
}

static void drop_key(int32_t id)
{
	if (id > 0 && keyctl_invalidate(id) < 0)
		keyctl_unlink(id, KEY_SPEC_USER_KEYRING);
}

/*
 * <securityfs>/evm as a number, or -errno.  The path is followed: the
 * kernel makes it a symbolic link to integrity/evm/evm (evm_init_secfs() in
 * 6.1's evm_secfs.c).
 */
static int evm_flags_read(const char *securityfs)
{
	char path[4096], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/evm", sfs(securityfs));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	if (n == 0 || !isdigit((unsigned char)buf[0]))
		return -EBADMSG;
	return (int)(strtoul(buf, NULL, 10) & 0x7fffffff);
}

/* Keys linked into the EVM keyring (.evm, else _evm), or -errno. */
static int evm_cert_count(struct imactl_ctx *ctx)
{
	int32_t ring;
	long n;
	int ret;

	/* no keyring: -ENOENT, not logged */
	ret = imactl_kernel_keyring(ctx, "evm", false, &ring);
	if (ret < 0)
		return ret;
	n = keyctl_read(ring, NULL, 0);
	if (n < 0)
		return -errno;
	return (int)(n / (long)sizeof(key_serial_t));
}

IMACTL_EXPORT int imactl_evmkey_status(struct imactl_ctx *ctx, const char *securityfs,
				       struct imactl_evmkey_status *st)
{
	int32_t id;

	if (!ctx || !st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	id = user_key("trusted", KMK_NAME);
	st->kmk = id > 0 ? id : 0;
	id = user_key("encrypted", EVM_KEY_NAME);
	st->evm_key = id > 0 ? id : 0;
	st->evm_flags = evm_flags_read(securityfs);
	st->evm_certs = evm_cert_count(ctx);
	st->tpm = access(TPM_SYSFS, F_OK) == 0;
	return 0;
}

/* -EALREADY (logged) when @flags (of <securityfs>/evm, or -errno) say EVM has its HMAC key. */
static int hmac_not_set(struct imactl_ctx *ctx, const char *securityfs, int flags)
{
	if (flags < 0 || !(flags & IMACTL_EVM_INIT_HMAC))
		return 0;
	log_err(ctx,
		"%s/evm: EVM is already set up with an HMAC key (%d); the kernel takes no "
		"further setting until the next boot",
		sfs(securityfs), flags);
	return -EALREADY;
}

/* Writes @value to <securityfs>/evm once (see imactl.h); @what names the mode. */
static int evm_write(struct imactl_ctx *ctx, const char *securityfs, unsigned int value,
		     const char *what)
{
	char path[4096], val[16];
	int flags, fd, ret = 0, certs;

	if (!ctx)
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/evm", sfs(securityfs));
	flags = evm_flags_read(securityfs);
	if (flags < 0) {
		log_err(ctx, "%s: %s (a kernel without CONFIG_EVM, or securityfs not mounted)",
			path, strerror(-flags));
		return flags == -EBADMSG ? -EBADMSG : -ENOENT;
	}
	ret = hmac_not_set(ctx, securityfs, flags);
	if (ret < 0)
		return ret;
	certs = evm_cert_count(ctx);
	if (certs <= 0)
		log_warn(ctx, "no certificate on the EVM keyring yet: files with portable EVM "
			      "signatures fail appraisal until one is imported");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		log_err(ctx, "%s: %s", path, strerror(errno));
		return ret;
	}
	snprintf(val, sizeof(val), "%u", value);
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	if (ret == -ENOENT)
		log_err(ctx,
			"%s: the kernel found no %s for this process (it must be in the user "
			"keyring of the process that writes this file)",
			path, EVM_KEY_NAME);
	else if (ret == -EPERM)
		log_err(ctx,
			"%s: refused: EVM setup was completed before (a write with bit 31), or "
			"no CAP_SYS_ADMIN",
			path);
	else if (ret == -EBUSY)
		log_err(ctx, "%s: EVM already has an HMAC key", path);
	else if (ret < 0)
		log_err(ctx, "%s: %s", path, strerror(-ret));
	else
		log_info(ctx, "%s: %s", path, what);
	return ret;
}

IMACTL_EXPORT int imactl_evmkey_enable(struct imactl_ctx *ctx, const char *securityfs)
{
	/* HMAC and X.509 in one write: the HMAC bit completes the setup */
	return evm_write(ctx, securityfs, IMACTL_EVM_INIT_HMAC | IMACTL_EVM_INIT_X509,
			 "EVM HMAC and X.509 enabled");
}

IMACTL_EXPORT int imactl_evmkey_enable_x509_only(struct imactl_ctx *ctx, const char *securityfs)
{
	return evm_write(ctx, securityfs, IMACTL_EVM_INIT_X509 | IMACTL_EVM_SETUP_COMPLETE,
			 "EVM X.509 only, setup completed: files with an HMAC fail appraisal "
			 "until the next boot");
}

IMACTL_EXPORT int imactl_evmkey_parse_pcrs(const char *list, uint64_t *mask_ret)
{
	uint64_t mask = 0;
	const char *p = list;

	if (!list || !mask_ret)
		return -EINVAL;
	*mask_ret = 0;
	do {
		unsigned int n = 0;
		const char *start = p;

		while (*p >= '0' && *p <= '9' && p - start < 3)
			n = n * 10 + (unsigned int)(*p++ - '0');
		if (p == start || (*p && *p != ',') || n >= IMACTL_MLOG_NUM_PCRS ||
		    (mask & (1ull << n)))
			return -EINVAL;
		mask |= 1ull << n;
	} while (*p++ == ',');
	*mask_ret = mask;
	return 0;
}

int evmkey_pcrs_format(const struct imactl_pcr_bank *bank, char *buf, size_t size)
{
	size_t off;
	int n;

	n = snprintf(buf, size,
		     "# imactl evm-key: " IMACTL_EVMKEY_KMK_BLOB " is sealed to these values "
		     "of the sha256 PCRs (TPM2_PolicyPCR)\n");
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	off = (size_t)n;
	for (unsigned int i = 0; i < IMACTL_MLOG_NUM_PCRS; i++) {
		if (!(bank->known & (1u << i)))
			continue;
		if (size - off < 8 + 2 * IMACTL_SHA256_SIZE + 2)
			return -ENOSPC;
		off += (size_t)snprintf(buf + off, size - off, "PCR-%02u: ", i);
		hex_encode(buf + off, bank->pcr[i], IMACTL_SHA256_SIZE);
		off += 2 * IMACTL_SHA256_SIZE;
		buf[off++] = '\n';
		buf[off] = 0;
	}
	return (int)off;
}

/* "12" or "0, 7, 12": the PCRs of @mask for messages. */
static void pcr_names(uint32_t mask, char buf[IMACTL_MLOG_NUM_PCRS * 4])
{
	size_t off = 0;

	buf[0] = 0;
	for (unsigned int i = 0; i < IMACTL_MLOG_NUM_PCRS; i++)
		if (mask & (1u << i))
			off += (size_t)snprintf(buf + off, IMACTL_MLOG_NUM_PCRS * 4 - off, "%s%u",
						off ? ", " : "", i);
}

/*
 * The PCR policy of a new kmk: the current values of @mask (into @bank) and
 * the PolicyPCR digest over them as the kernel's options (into @opts).
 */
static int seal_policy(struct imactl_ctx *ctx, uint32_t mask, struct imactl_pcr_bank *bank,
		       char *opts, size_t size)
{
	uint8_t policy[IMACTL_SHA256_SIZE];
	char hex[2 * IMACTL_SHA256_SIZE + 1], names[IMACTL_MLOG_NUM_PCRS * 4];
	struct tpm2 *t = NULL;
	int ret;

	ret = tpm2_open(ctx, &t);
	if (ret == 0)
		ret = tpm2_pcr_read(ctx, t, mask, bank);
	if (ret == 0)
		ret = tpm2_policy_pcr_digest(ctx, t, bank, policy);
	tpm2_close(ctx, t);
	if (ret < 0)
		return ret;
	hex_encode(hex, policy, sizeof(policy));
	/* hash= before policydigest=: 6.1's getoptions() refuses the other order */
	snprintf(opts, size, " hash=sha256 policydigest=%s", hex);
	pcr_names(mask, names);
	log_info(ctx, "kmk sealed to PCR %s (sha256), policy digest %s", names, hex);
	return 0;
}

/* Both keys absent from the user keyring (logged), and EVM not set up yet. */
static int check_fresh(struct imactl_ctx *ctx, const struct imactl_evmkey_params *p)
{
	int32_t kmk = user_key("trusted", KMK_NAME), ek = user_key("encrypted", EVM_KEY_NAME);

	if (kmk > 0 || ek > 0) {
		log_err(ctx,
			"%s is already in the user keyring (%d): it was created or loaded "
			"in this session before",
			kmk > 0 ? "trusted " KMK_NAME : "encrypted " EVM_KEY_NAME,
			kmk > 0 ? kmk : ek);
		return -EEXIST;
	}
	if (kmk < 0 || ek < 0) {
		log_err(ctx, "cannot search the user keyring: %s", strerror(-(kmk < 0 ? kmk : ek)));
		return kmk < 0 ? kmk : ek;
	}
	if (p->flags & IMACTL_EVMKEY_ENABLE)
		return hmac_not_set(ctx, p->securityfs, evm_flags_read(p->securityfs));
	return 0;
}

/* add_key() for kmk with a message naming the cause. */
static int add_kmk(struct imactl_ctx *ctx, const char *payload, uint32_t handle, const char *blob,
		   const char *pcr_file, bool quiet, int32_t *id_ret)
{
	long id = add_key("trusted", KMK_NAME, payload, strlen(payload), KEY_SPEC_USER_KEYRING);
	int err = errno;

	if (id >= 0) {
		*id_ret = (int32_t)id;
		return 0;
	}
	if (err == ENODEV) {
		if (access(TPM_SYSFS, F_OK) < 0)
			log_err(ctx, "no TPM: the kernel has no %s (trusted keys need one)",
				TPM_SYSFS);
		else
			log_err(ctx, "the kernel has no trusted key type (CONFIG_TRUSTED_KEYS with "
				     "the TPM backend)");
	} else if (err == EPERM && !blob) {
		log_err(ctx,
			"the TPM refused to seal under keyhandle 0x%08x: no such persistent key? "
			"(make one: swtpm_setup --create-spk, tpm2_evictcontrol)",
			handle);
	} else if ((err == EPERM || err == EINVAL) && blob && quiet) {
		/* the caller says why */
	} else if ((err == EPERM || err == EINVAL) && blob) {
		log_err(ctx,
			"%s: the TPM cannot unseal this blob (%s): sealed by another TPM, under "
			"another key than 0x%08x, or not a kmk blob",
			blob, strerror(err), handle);
		if (pcr_file)
			log_err(ctx, "%s: or not sealed to the PCR values this file records",
				pcr_file);
		else
			log_err(ctx,
				"%s: or sealed to PCRs, whose values " IMACTL_EVMKEY_PCR_FILE
				" next to it would name",
				blob);
	} else {
		log_err(ctx, "trusted %s: %s", KMK_NAME, strerror(err));
	}
	return -err;
}

static int add_evm_key(struct imactl_ctx *ctx, const char *payload, bool user_data,
		       const char *blob, int32_t *id_ret)
{
	long id =
		add_key("encrypted", EVM_KEY_NAME, payload, strlen(payload), KEY_SPEC_USER_KEYRING);
	int err = errno;

	if (id >= 0) {
		*id_ret = (int32_t)id;
		return 0;
	}
	if (err == ENODEV)
		log_err(ctx, "the kernel has no encrypted key type (CONFIG_ENCRYPTED_KEYS)");
	else if (err == EINVAL && blob)
		log_err(ctx,
			"%s: the kernel refused this blob: not encrypted under this kmk "
			"(a blob of another device or another first boot?)",
			blob);
	else if (err == EINVAL && user_data)
		log_err(ctx, "the kernel refused key material from userspace "
			     "(CONFIG_USER_DECRYPTED_DATA off?)");
	else
		log_err(ctx, "encrypted %s: %s", EVM_KEY_NAME, strerror(err));
	return -err;
}

static int read_blob(struct imactl_ctx *ctx, int32_t id, const char *name, char **blob_ret,
		     size_t *len_ret)
{
	void *buf = NULL;
	long n = keyctl_read_alloc(id, &buf);

	if (n < 0) {
		int err = errno;

		log_err(ctx, "cannot read the %s blob from the kernel: %s", name, strerror(err));
		return -err;
	}
	*blob_ret = buf;
	*len_ret = (size_t)n;
	return 0;
}

static uint32_t handle_of(const struct imactl_evmkey_params *p)
{
	return p->keyhandle ? p->keyhandle : IMACTL_EVMKEY_KEYHANDLE;
}

static int check_params(struct imactl_ctx *ctx, const struct imactl_evmkey_params *p)
{
	int ret;

	if (!ctx || !p || !p->blob_dir || !p->blob_dir[0] ||
	    (p->flags & ~(IMACTL_EVMKEY_ENABLE | IMACTL_EVMKEY_REPLACE)) ||
	    p->key_len > IMACTL_EVM_KEY_MAX || (p->pcrs >> IMACTL_MLOG_NUM_PCRS))
		return -EINVAL;
	ret = PARAMS_RESERVED_CHECK(ctx, p, "imactl_evmkey_params");
	if (ret < 0)
		return ret;
	if (p->label_image && (!p->label || (!p->label_paths && p->n_label_paths)))
		return -EINVAL;
	return 0;
}

/*
 * create without PCRs over an earlier key's files (IMACTL_EVMKEY_REPLACE):
 * its PCR file would make load ask for a policy this kmk does not have.
 */
static int drop_stale_pcr_file(struct imactl_ctx *ctx, const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (dfd < 0 || (unlinkat(dfd, IMACTL_EVMKEY_PCR_FILE, 0) < 0 && errno != ENOENT)) {
		ret = -errno;
		log_err(ctx, "%s/%s: cannot remove the PCR file of the key replaced: %s", dir,
			IMACTL_EVMKEY_PCR_FILE, strerror(errno));
	}
	if (dfd >= 0)
		close(dfd);
	return ret;
}

IMACTL_EXPORT int imactl_evmkey_create(struct imactl_ctx *ctx, const struct imactl_evmkey_params *p,
				       uint64_t *labelled_ret)
{
	struct imactl_evm_hmac_params hp;
	struct secret material = { 0 }, payload = { 0 };
	const char *names[] = { IMACTL_EVMKEY_KMK_BLOB, IMACTL_EVMKEY_EVM_BLOB,
				IMACTL_EVMKEY_PCR_FILE, NULL };
	struct imactl_pcr_bank bank = { 0 };
	char *kmk_blob = NULL, *evm_blob = NULL, small[192], opts[128] = "";
	char pcr_text[EVMKEY_PCR_TEXT_MAX];
	size_t kmk_len = 0, evm_len = 0, len, off;
	int32_t kmk = 0, ek = 0;
	uint32_t handle;
	int ret, pcr_len = 0;

	if (labelled_ret)
		*labelled_ret = 0;
	ret = check_params(ctx, p);
	if (ret < 0)
		return ret;
	handle = handle_of(p);
	len = p->key_len ? p->key_len : IMACTL_EVMKEY_LEN;
	ret = check_fresh(ctx, p);
	if (ret == 0)
		ret = out_files_check(ctx, p->blob_dir, names, p->flags & IMACTL_EVMKEY_REPLACE);
	if (ret < 0)
		return ret;

	if (p->pcrs) {
		ret = seal_policy(ctx, (uint32_t)p->pcrs, &bank, opts, sizeof(opts));
		if (ret == 0)
			pcr_len = evmkey_pcrs_format(&bank, pcr_text, sizeof(pcr_text));
		if (ret == 0 && pcr_len < 0)
			ret = pcr_len;
		if (ret < 0)
			return ret;
	}
	snprintf(small, sizeof(small), "new 32 keyhandle=0x%08x%s", handle, opts);
	ret = add_kmk(ctx, small, handle, NULL, NULL, false, &kmk);
	if (ret < 0)
		goto out;
	if (p->label_image) {
		/* material made here: the image's HMACs and the kernel's key are one */
		ret = secret_alloc(&material, len);
		if (ret == 0)
			ret = secret_alloc(&payload, sizeof(EVM_KEY_FMT) + 16 + 2 * len + 8);
		if (ret < 0)
			goto out;
		if (getrandom(material.p, len, 0) != (ssize_t)len) {
			ret = -EIO;
			log_err(ctx, "getrandom: too few random bytes for the EVM key");
			goto out;
		}
		off = (size_t)snprintf(payload.p, payload.len, "new " EVM_KEY_FMT "%zu ", len);
		hex_encode(payload.p + off, (const uint8_t *)material.p, len);
	} else {
		ret = secret_alloc(&payload, 64);
		if (ret < 0)
			goto out;
		snprintf(payload.p, payload.len, "new " EVM_KEY_FMT "%zu", len);
	}
	ret = add_evm_key(ctx, payload.p, p->label_image != NULL, NULL, &ek);
	secret_free(&payload);
	if (ret < 0)
		goto out;
	/* before enabling: evm_init_key() wipes the decrypted data it copies */
	ret = read_blob(ctx, kmk, "trusted " KMK_NAME, &kmk_blob, &kmk_len);
	if (ret == 0)
		ret = read_blob(ctx, ek, "encrypted " EVM_KEY_NAME, &evm_blob, &evm_len);
	if (ret < 0)
		goto out;
	if (p->label_image) {
		hp = *p->label;
		hp.key = (const uint8_t *)material.p;
		hp.key_len = material.len;
		ret = imactl_image_hmac(ctx, p->label_image, p->label_paths, p->n_label_paths, &hp,
					labelled_ret);
		explicit_bzero(&hp, sizeof(hp));
		secret_free(&material);
		if (ret < 0)
			goto out;
	}
	{
		const struct out_file files[] = {
			{ IMACTL_EVMKEY_KMK_BLOB, (const uint8_t *)kmk_blob, kmk_len, 0600 },
			{ IMACTL_EVMKEY_EVM_BLOB, (const uint8_t *)evm_blob, evm_len, 0600 },
			{ IMACTL_EVMKEY_PCR_FILE, (const uint8_t *)pcr_text, (size_t)pcr_len,
			  0600 },
		};

		ret = out_files_write(ctx, p->blob_dir, files, ARRAY_SIZE(files) - !p->pcrs,
				      p->flags & IMACTL_EVMKEY_REPLACE);
	}
	if (ret == 0 && !p->pcrs)
		ret = drop_stale_pcr_file(ctx, p->blob_dir);
	if (ret < 0)
		goto out;
	log_info(ctx, "%s: %s and %s stored (kmk %d, evm-key %d)", p->blob_dir,
		 IMACTL_EVMKEY_KMK_BLOB, IMACTL_EVMKEY_EVM_BLOB, kmk, ek);
	kmk = ek = 0; /* kept from here on */
	if (p->flags & IMACTL_EVMKEY_ENABLE)
		ret = imactl_evmkey_enable(ctx, p->securityfs);
out:
	drop_key(ek);
	drop_key(kmk);
	secret_free(&payload);
	secret_free(&material);
	free(kmk_blob);
	free(evm_blob);
	return ret;
}

/*
 * A blob file of @dfd: one line of printable text (a trailing newline
 * dropped); -EBADMSG (logged) otherwise.
 */
static int blob_file(struct imactl_ctx *ctx, int dfd, const char *dir, const char *name,
		     char **text_ret)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		log_err(ctx, "%s/%s: %s", dir, name, strerror(errno));
		return ret;
	}
	buf = malloc(BLOB_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len < BLOB_MAX && (n = read(fd, buf + len, BLOB_MAX - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			log_err(ctx, "%s/%s: %s", dir, name, strerror(errno));
			goto out;
		}
		len += (size_t)n;
	}
	if (len == BLOB_MAX) {
		log_err(ctx, "%s/%s: larger than a key blob", dir, name);
		ret = -EBADMSG;
		goto out;
	}
	if (len && buf[len - 1] == '\n')
		len--;
	buf[len] = 0;
	for (size_t i = 0; i < len; i++)
		if (!isprint((unsigned char)buf[i]))
			ret = -EBADMSG;
	if (!len || ret < 0) {
		log_err(ctx, "%s/%s: not a key blob (one line of text, as keyctl pipe prints it)",
			dir, name);
		ret = -EBADMSG;
	}
out:
	close(fd);
	if (ret == 0)
		*text_ret = buf;
	else
		free(buf);
	return ret;
}

/*
 * IMACTL_EVMKEY_PCR_FILE of @dfd into @bank: 0 (read), 1 (absent), -EBADMSG
 * (logged: not a regular file, malformed, PCRs of no use), -errno.
 */
static int pcr_file(struct imactl_ctx *ctx, int dfd, const char *path, struct imactl_pcr_bank *bank)
{
	struct stat st;
	int ret;

	if (fstatat(dfd, IMACTL_EVMKEY_PCR_FILE, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 1;
		ret = -errno;
		log_err(ctx, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > EVMKEY_PCR_TEXT_MAX) {
		log_err(ctx, "%s: not a PCR file (a regular file of at most %d bytes)", path,
			EVMKEY_PCR_TEXT_MAX);
		return -EBADMSG;
	}
	ret = imactl_pcrs_read_file(ctx, path, IMACTL_HASH_SHA256, bank);
	if (ret < 0 && ret != -EBADMSG)
		log_err(ctx, "%s: %s", path, strerror(-ret));
	return ret;
}

/*
 * kmk from @blob (the payload's hex) under @handle; with @bank (PCR file
 * @pcr_path), through a policy session satisfied with the current values of
 * those PCRs, which is flushed whatever happens.
 */
static int load_kmk(struct imactl_ctx *ctx, const char *blob, uint32_t handle, const char *kpath,
		    const struct imactl_pcr_bank *bank, const char *pcr_path, int32_t *kmk)
{
	struct imactl_pcr_bank now;
	char *payload = NULL, names[IMACTL_MLOG_NUM_PCRS * 4];
	struct tpm2 *t = NULL;
	uint32_t changed = 0, session = 0;
	int ret;

	if (bank) {
		ret = tpm2_open(ctx, &t);
		if (ret == 0)
			ret = tpm2_pcr_read(ctx, t, bank->known, &now);
		for (unsigned int i = 0; ret == 0 && i < IMACTL_MLOG_NUM_PCRS; i++)
			if ((bank->known & (1u << i)) &&
			    memcmp(bank->pcr[i], now.pcr[i], IMACTL_SHA256_SIZE))
				changed |= 1u << i;
		if (ret == 0)
			ret = tpm2_policy_pcr_session(ctx, t, bank->known, &session);
		if (ret < 0)
			goto out;
		ret = asprintf(&payload, "load %s keyhandle=0x%08x policyhandle=0x%08x", blob,
			       handle, session);
	} else {
		ret = asprintf(&payload, "load %s keyhandle=0x%08x", blob, handle);
	}
	if (ret < 0) {
		payload = NULL;
		ret = -ENOMEM;
		goto out;
	}
	/* the TPM decides, also when the values say it will refuse */
	ret = add_kmk(ctx, payload, handle, kpath, bank ? pcr_path : NULL, changed != 0, kmk);
	pcr_names(changed, names);
	if (ret < 0 && changed) {
		log_err(ctx,
			"%s: the TPM refuses to unseal the kmk: it is sealed to PCR %s (sha256) as "
			"%s "
			"records them, and PCR %s %s changed since (another kernel, command line "
			"or "
			"boot chain than when the key was made)",
			kpath, names, pcr_path, names, changed & (changed - 1) ? "have" : "has");
		ret = -EACCES;
	} else if (ret == 0 && changed) {
		log_warn(ctx,
			 "%s: PCR %s differ from %s, yet the TPM unsealed the kmk: that file "
			 "does not describe this blob",
			 kpath, names, pcr_path);
	}
out:
	tpm2_close(ctx, t); /* flushes the session */
	free(payload);
	return ret;
}

IMACTL_EXPORT int imactl_evmkey_load(struct imactl_ctx *ctx, const struct imactl_evmkey_params *p)
{
	char *kmk_blob = NULL, *evm_blob = NULL, *payload = NULL, kpath[4096], epath[4096];
	char ppath[4096];
	struct imactl_pcr_bank bank;
	int32_t kmk = 0, ek = 0;
	uint32_t handle;
	int dfd = -1, ret, have_pcrs;

	ret = check_params(ctx, p);
	if (ret < 0)
		return ret;
	if (p->key_len || p->label_image || p->n_label_paths || p->pcrs ||
	    (p->flags & IMACTL_EVMKEY_REPLACE))
		return -EINVAL;
	handle = handle_of(p);
	snprintf(kpath, sizeof(kpath), "%s/%s", p->blob_dir, IMACTL_EVMKEY_KMK_BLOB);
	snprintf(epath, sizeof(epath), "%s/%s", p->blob_dir, IMACTL_EVMKEY_EVM_BLOB);
	snprintf(ppath, sizeof(ppath), "%s/%s", p->blob_dir, IMACTL_EVMKEY_PCR_FILE);
	dfd = open(p->blob_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		log_err(ctx, "%s: %s", p->blob_dir, strerror(errno));
		return ret;
	}
	ret = blob_file(ctx, dfd, p->blob_dir, IMACTL_EVMKEY_KMK_BLOB, &kmk_blob);
	if (ret == 0)
		ret = blob_file(ctx, dfd, p->blob_dir, IMACTL_EVMKEY_EVM_BLOB, &evm_blob);
	if (ret < 0)
		goto out;
	if (strspn(kmk_blob, "0123456789abcdefABCDEF") != strlen(kmk_blob)) {
		log_err(ctx, "%s: not a trusted key blob (hex digits)", kpath);
		ret = -EBADMSG;
		goto out;
	}
	if (strncmp(evm_blob, EVM_KEY_FMT, strlen(EVM_KEY_FMT))) {
		log_err(ctx,
			"%s: not an evm-key blob encrypted under trusted:%s (it starts '%.24s')",
			epath, KMK_NAME, evm_blob);
		ret = -EBADMSG;
		goto out;
	}
	have_pcrs = pcr_file(ctx, dfd, ppath, &bank);
	if (have_pcrs < 0) {
		ret = have_pcrs;
		goto out;
	}
	ret = check_fresh(ctx, p);
	if (ret == 0)
		ret = load_kmk(ctx, kmk_blob, handle, kpath, have_pcrs == 0 ? &bank : NULL, ppath,
			       &kmk);
	if (ret < 0)
		goto out;
	if (asprintf(&payload, "load %s", evm_blob) < 0) {
		payload = NULL;
		ret = -ENOMEM;
		goto out;
	}
	ret = add_evm_key(ctx, payload, false, epath, &ek);
	if (ret < 0)
		goto out;
	log_info(ctx, "%s: kmk (%d) and evm-key (%d) loaded", p->blob_dir, kmk, ek);
	kmk = ek = 0;
	if (p->flags & IMACTL_EVMKEY_ENABLE)
		ret = imactl_evmkey_enable(ctx, p->securityfs);
out:
	drop_key(ek);
	drop_key(kmk);
	free(payload);
	free(kmk_blob);
	free(evm_blob);
	if (dfd >= 0)
		close(dfd);
	return ret;
}
