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

IMACTL_EXPORT int imactl_evmkey_enable(struct imactl_ctx *ctx, const char *securityfs)
{
	char path[4096], val[8];
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
	/* HMAC and X.509 in one write: the HMAC bit completes the setup */
	snprintf(val, sizeof(val), "%d", IMACTL_EVM_INIT_HMAC | IMACTL_EVM_INIT_X509);
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
		log_info(ctx, "%s: EVM HMAC and X.509 enabled", path);
	return ret;
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
		   int32_t *id_ret)
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
	} else if ((err == EPERM || err == EINVAL) && blob) {
		log_err(ctx,
			"%s: the TPM cannot unseal this blob (%s): sealed by another TPM, under "
			"another key than 0x%08x, or not a kmk blob",
			blob, strerror(err), handle);
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
	    p->key_len > IMACTL_EVM_KEY_MAX)
		return -EINVAL;
	ret = PARAMS_RESERVED_CHECK(ctx, p, "imactl_evmkey_params");
	if (ret < 0)
		return ret;
	if (p->label_image && (!p->label || (!p->label_paths && p->n_label_paths)))
		return -EINVAL;
	return 0;
}

IMACTL_EXPORT int imactl_evmkey_create(struct imactl_ctx *ctx, const struct imactl_evmkey_params *p,
				       uint64_t *labelled_ret)
{
	struct imactl_evm_hmac_params hp;
	struct secret material = { 0 }, payload = { 0 };
	const char *names[] = { IMACTL_EVMKEY_KMK_BLOB, IMACTL_EVMKEY_EVM_BLOB, NULL };
	char *kmk_blob = NULL, *evm_blob = NULL, small[64];
	size_t kmk_len = 0, evm_len = 0, len, off;
	int32_t kmk = 0, ek = 0;
	uint32_t handle;
	int ret;

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

	snprintf(small, sizeof(small), "new 32 keyhandle=0x%08x", handle);
	ret = add_kmk(ctx, small, handle, NULL, &kmk);
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
		};

		ret = out_files_write(ctx, p->blob_dir, files, ARRAY_SIZE(files),
				      p->flags & IMACTL_EVMKEY_REPLACE);
	}
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

IMACTL_EXPORT int imactl_evmkey_load(struct imactl_ctx *ctx, const struct imactl_evmkey_params *p)
{
	char *kmk_blob = NULL, *evm_blob = NULL, *payload = NULL, kpath[4096], epath[4096];
	int32_t kmk = 0, ek = 0;
	uint32_t handle;
	int dfd = -1, ret;

	ret = check_params(ctx, p);
	if (ret < 0)
		return ret;
	if (p->key_len || p->label_image || p->n_label_paths || (p->flags & IMACTL_EVMKEY_REPLACE))
		return -EINVAL;
	handle = handle_of(p);
	snprintf(kpath, sizeof(kpath), "%s/%s", p->blob_dir, IMACTL_EVMKEY_KMK_BLOB);
	snprintf(epath, sizeof(epath), "%s/%s", p->blob_dir, IMACTL_EVMKEY_EVM_BLOB);
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
	ret = check_fresh(ctx, p);
	if (ret < 0)
		goto out;
	if (asprintf(&payload, "load %s keyhandle=0x%08x", kmk_blob, handle) < 0) {
		payload = NULL;
		ret = -ENOMEM;
		goto out;
	}
	ret = add_kmk(ctx, payload, handle, kpath, &kmk);
	free(payload);
	payload = NULL;
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
