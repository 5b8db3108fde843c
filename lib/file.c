// SPDX-License-Identifier: LGPL-2.1-or-later
/* Signing and verifying files through their descriptors. */
#include "lib_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define XATTR_IMA "security.ima"
#define XATTR_EVM "security.evm"

/*
 * The xattrs EVM protects, in the kernel's order (evm_config_default_xattrnames
 * in security/integrity/evm/evm_main.c).  The SMACK extras count only with
 * CONFIG_EVM_EXTRA_SMACK_XATTRS.
 */
static const struct {
	const char *name;
	bool extra_smack;
} evm_xattrs[] = {
	{ "security.selinux", false },	  { "security.SMACK64", false },
	{ "security.SMACK64EXEC", true }, { "security.SMACK64TRANSMUTE", true },
	{ "security.SMACK64MMAP", true }, { "security.apparmor", false },
	{ "security.ima", false },	  { "security.capability", false },
};

/* Reads xattr @name of @fd; -ENODATA when absent (or unsupported). */
int read_xattr(const struct imactl_ctx *ctx, int fd, const char *name, uint8_t **buf_ret,
	       size_t *len_ret)
{
	char namebuf[64];
	const char *xname = imactl_xattr_name(ctx, name, namebuf, sizeof(namebuf));
	uint8_t small[1024]; /* every IMA/EVM value fits: one call, not two */
	uint8_t *buf = NULL;
	ssize_t n;

	n = fgetxattr(fd, xname, small, sizeof(small));
	if (n >= 0) {
		buf = malloc(n ? n : 1);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, small, n);
	}
	for (int tries = 0; n < 0 && errno == ERANGE && tries < 4; tries++) {
		n = fgetxattr(fd, xname, NULL, 0);
		if (n < 0)
			break;
		free(buf);
		buf = malloc(n ? n : 1);
		if (!buf)
			return -ENOMEM;
		n = fgetxattr(fd, xname, buf, n);
		/* ERANGE: it grew in between; ask again */
	}
	if (n < 0) {
		int err = errno;

		free(buf);
		if (err == ENODATA || err == ENOTSUP)
			return -ENODATA;
		log_err(ctx, "cannot read %s: %s", xname, strerror(err));
		return -err;
	}
	*buf_ret = buf;
	*len_ret = n;
	return 0;
}

#define EVM_IMA_BIT (1u << 6)  /* evm_xattrs[6] is security.ima */
#define EVM_PRESENT (1u << 31) /* security.evm itself */

/*
 * Which of the xattrs EVM protects (bit i: evm_xattrs[i]) @fd carries, and
 * EVM_PRESENT for security.evm, from
 * one flistxattr(2) instead of one failing fgetxattr(2) per absent name.
 */
static int present_xattrs(const struct imactl_ctx *ctx, int fd, unsigned int *mask)
{
	char small[2048], *list = small, evmbuf[64];
	const char *evm_name = imactl_xattr_name(ctx, XATTR_EVM, evmbuf, sizeof(evmbuf));
	ssize_t n = flistxattr(fd, small, sizeof(small));
	int ret = 0;

	for (int tries = 0; n < 0 && errno == ERANGE && tries < 4; tries++) {
		if (list != small)
			free(list);
		list = NULL;
		n = flistxattr(fd, NULL, 0);
		if (n < 0)
			break;
		list = malloc(n ? n : 1);
		if (!list)
			return -ENOMEM;
		n = flistxattr(fd, list, n);
	}
	*mask = 0;
	if (n < 0) {
		ret = errno == ENOTSUP ? 0 : -errno;
		if (ret < 0)
			log_err(ctx, "cannot list the xattrs: %s", strerror(-ret));
		goto out;
	}
	for (size_t off = 0, len; off < (size_t)n; off += len + 1) {
		len = strnlen(list + off, n - off);
		for (size_t i = 0; i < ARRAY_SIZE(evm_xattrs); i++) {
			char namebuf[64];
			const char *x = imactl_xattr_name(ctx, evm_xattrs[i].name, namebuf,
							  sizeof(namebuf));

			if (strlen(x) == len && !memcmp(list + off, x, len))
				*mask |= 1u << i;
		}
		if (len == strlen(evm_name) && !memcmp(list + off, evm_name, len))
			*mask |= EVM_PRESENT;
	}
out:
	if (list != small)
		free(list);
	return ret;
}

int write_xattr(const struct imactl_ctx *ctx, int fd, const char *name, const uint8_t *buf,
		size_t len)
{
	char namebuf[64];
	const char *xname = imactl_xattr_name(ctx, name, namebuf, sizeof(namebuf));

	if (fsetxattr(fd, xname, buf, len, 0) < 0) {
		int err = errno;

		log_err(ctx, "cannot write %s: %s", xname, strerror(err));
		return -err;
	}
	return 0;
}

int remove_xattr(const struct imactl_ctx *ctx, int fd, const char *name)
{
	char namebuf[64];
	const char *xname = imactl_xattr_name(ctx, name, namebuf, sizeof(namebuf));

	if (fremovexattr(fd, xname) < 0 && errno != ENODATA) {
		int err = errno;

		log_err(ctx, "cannot remove %s: %s", xname, strerror(err));
		return -err;
	}
	return 0;
}

/*
 * struct h_misc { unsigned long ino; u32 generation; uid_t uid; gid_t gid;
 * umode_t mode; } of the target, zero-filled with its padding, in native
 * byte order (hmac_add_misc() in evm_crypto.c).  ino and generation stay 0
 * for portable signatures; a 32-bit target's unsigned long keeps the low
 * 32 bits of the inode number.
 */
static size_t evm_h_misc(const struct file_source *src, bool hmac, unsigned int target_bits,
			 uint8_t out[24])
{
	size_t off = target_bits == 32 ? 4 : 8; /* sizeof(unsigned long) */
	uint32_t uid = src->uid, gid = src->gid, ino32 = (uint32_t)src->ino;
	uint16_t mode = src->mode;

	memset(out, 0, 24);
	if (hmac) {
		if (target_bits == 32)
			memcpy(out, &ino32, 4);
		else
			memcpy(out, &src->ino, 8);
		memcpy(out + off, &src->generation, 4);
	}
	off += 4; /* generation */
	memcpy(out + off, &uid, 4);
	memcpy(out + off + 4, &gid, 4);
	memcpy(out + off + 8, &mode, 2);
	/* struct size rounded up to the alignment of unsigned long */
	return target_bits == 32 ? 20 : 24;
}

/*
 * Does the kernel count evm_xattrs[@i] in an HMAC?  Only the xattrs whose
 * .enabled is set in evm_config_default_xattrnames (evm_main.c): an LSM's
 * label when that LSM is built in, security.ima with IMA_APPRAISE (which
 * imactl's kernels have), security.capability always.  Portable signatures
 * count every listed xattr (evm_calc_hmac_or_hash()).
 */
static bool hmac_counts(size_t i, unsigned int flags)
{
	const char *n = evm_xattrs[i].name;

	if (evm_xattrs[i].extra_smack)
		return flags & IMACTL_EVM_EXTRA_SMACK;
	if (!strcmp(n, "security.selinux"))
		return flags & IMACTL_EVM_LSM_SELINUX;
	if (!strcmp(n, "security.SMACK64"))
		return flags & IMACTL_EVM_LSM_SMACK;
	if (!strcmp(n, "security.apparmor"))
		return flags & IMACTL_EVM_LSM_APPARMOR;
	return true;
}

/*
 * Feeds the EVM input of @src to @update: the protected xattrs in the
 * kernel's order (@ima_value, when not NULL, stands for security.ima), then
 * h_misc, then for an HMAC with IMACTL_EVM_HMAC_FSUUID @uuid.  Portable:
 * -ENODATA without security.ima; HMAC: -ENODATA without any xattr counted.
 */
static int evm_input_source(const struct file_source *src, bool hmac, unsigned int target_bits,
			    unsigned int flags, const uint8_t *ima_value, size_t ima_len,
			    const uint8_t *uuid,
			    int (*update)(void *u, const void *buf, size_t len), void *u)
{
	uint8_t misc[24];
	size_t misc_len;
	bool any = false;
	int ret;

	for (size_t i = 0; i < ARRAY_SIZE(evm_xattrs); i++) {
		uint8_t *val = NULL;
		size_t len = 0;

		if (hmac ? !hmac_counts(i, flags)
			 : evm_xattrs[i].extra_smack && !(flags & IMACTL_EVM_EXTRA_SMACK))
			continue;
		if ((1u << i) == EVM_IMA_BIT && ima_value) {
			ret = update(u, ima_value, ima_len);
			if (ret < 0)
				return ret;
			any = true;
			continue;
		}
		ret = src->get_xattr(src->data, evm_xattrs[i].name, &val, &len);
		if (ret == -ENODATA && (1u << i) == EVM_IMA_BIT && !hmac)
			return ret; /* portable signatures require security.ima */
		if (ret == -ENODATA)
			continue;
		if (ret < 0)
			return ret;
		ret = update(u, val, len);
		free(val);
		if (ret < 0)
			return ret;
		any = true;
	}
	if (!any)
		return -ENODATA;
	misc_len = evm_h_misc(src, hmac, target_bits, misc);
	ret = update(u, misc, misc_len);
	if (ret == 0 && hmac && (flags & IMACTL_EVM_HMAC_FSUUID))
		ret = update(u, uuid, 16);
	return ret;
}

static int hash_update_fn(void *u, const void *buf, size_t len)
{
	return crypto_hash_update(u, buf, len);
}

static int hmac_update_fn(void *u, const void *buf, size_t len)
{
	return crypto_hmac_update(u, buf, len);
}

int evm_digest_source(struct imactl_ctx *ctx, const struct file_source *src, int algo,
		      unsigned int target_bits, unsigned int flags, const uint8_t *ima_value,
		      size_t ima_len, struct imactl_digest *digest)
{
	struct crypto_hash *h = NULL;
	int ret;

	ret = hash_new(ctx, algo, &h);
	if (ret < 0)
		return ret;
	ret = evm_input_source(src, false, target_bits, flags, ima_value, ima_len, NULL,
			       hash_update_fn, h);
	if (ret == 0)
		ret = crypto_hash_final(h, digest);
	crypto_hash_free(h);
	return ret;
}

int evm_hmac_source(struct imactl_ctx *ctx, const struct file_source *src,
		    const struct imactl_evm_hmac_params *p, const uint8_t *ima_value,
		    size_t ima_len, uint8_t hmac[IMACTL_EVM_HMAC_LEN])
{
	/* evm_init_key() copies the key into evmkey[MAX_KEY_SIZE]; init_desc()
	 * keys hmac(sha1) with all of evmkey_len = MAX_KEY_SIZE bytes */
	uint8_t evmkey[IMACTL_EVM_KEY_MAX] = { 0 };
	struct crypto_hmac *m = NULL;
	int ret;

	if (!p->key || !p->key_len || p->key_len > sizeof(evmkey) ||
	    (p->target_bits != 32 && p->target_bits != 64))
		return -EINVAL;
	memcpy(evmkey, p->key, p->key_len);
	ret = crypto_hmac_new(IMACTL_HASH_SHA1, evmkey, sizeof(evmkey), &m);
	explicit_bzero(evmkey, sizeof(evmkey));
	if (ret < 0) {
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "cannot set up HMAC-SHA1");
		return ret;
	}
	ret = evm_input_source(src, true, p->target_bits, p->flags, ima_value, ima_len, p->fs_uuid,
			       hmac_update_fn, m);
	if (ret == 0)
		ret = crypto_hmac_final(m, hmac, IMACTL_EVM_HMAC_LEN);
	crypto_hmac_free(m);
	return ret;
}

/* A file open at a descriptor, as a struct file_source. */
struct fd_source {
	struct imactl_ctx *ctx;
	int fd;
	unsigned int present; /* from present_xattrs(); all bits: not listed */
	const struct stat *before;
};

static int fd_get_xattr(void *data, const char *name, uint8_t **buf_ret, size_t *len_ret)
{
	struct fd_source *f = data;

	for (size_t i = 0; i < ARRAY_SIZE(evm_xattrs); i++)
		if (!strcmp(evm_xattrs[i].name, name) && !(f->present & (1u << i)))
			return -ENODATA; /* one flistxattr(2), no probing of absent names */
	return read_xattr(f->ctx, f->fd, name, buf_ret, len_ret);
}

static int hash_whole_file(struct imactl_ctx *ctx, int fd, int algo, bool verity,
			   const struct stat *before, struct stat *after_ret,
			   struct imactl_digest *digest);

static int fd_hash(void *data, int algo, bool verity, struct imactl_digest *digest)
{
	struct fd_source *f = data;

	return hash_whole_file(f->ctx, f->fd, algo, verity, f->before, NULL, digest);
}

static void fd_source_init(struct fd_source *f, struct file_source *src, struct imactl_ctx *ctx,
			   int fd, unsigned int present, const struct stat *st)
{
	*f = (struct fd_source){ .ctx = ctx, .fd = fd, .present = present };
	*src = (struct file_source){ .get_xattr = fd_get_xattr, .hash = fd_hash, .data = f };
	if (st) {
		src->uid = st->st_uid;
		src->gid = st->st_gid;
		src->mode = st->st_mode;
	}
}

IMACTL_EXPORT int imactl_evm_digest(struct imactl_ctx *ctx, int fd, enum imactl_hash_algo algo,
				    unsigned int target_bits, unsigned int flags,
				    const uint8_t *ima_value, size_t ima_len,
				    struct imactl_digest *digest)
{
	struct file_source src;
	struct fd_source f;
	unsigned int present;
	struct stat st;
	int ret;

	if (target_bits != 32 && target_bits != 64)
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	ret = present_xattrs(ctx, fd, &present);
	if (ret < 0)
		return ret;
	fd_source_init(&f, &src, ctx, fd, present, &st);
	return evm_digest_source(ctx, &src, algo, target_bits, flags, ima_value, ima_len, digest);
}

IMACTL_EXPORT int imactl_evm_hmac(struct imactl_ctx *ctx, int fd,
				  const struct imactl_evm_hmac_params *p,
				  uint8_t hmac[IMACTL_EVM_HMAC_LEN])
{
	struct file_source src;
	struct fd_source f;
	unsigned int present, generation = 0;
	struct stat st;
	int ret;

	if (!p)
		return -EINVAL;
	if (fstat(fd, &st) < 0)
		return -errno;
	/* the kernel's inode->i_generation (ext4: put_user of an int) */
	if (ioctl(fd, FS_IOC_GETVERSION, &generation) < 0) {
		ret = errno == ENOTTY || errno == EINVAL ? -EOPNOTSUPP : -errno;
		log_err(ctx, "cannot read the inode generation: %s", strerror(errno));
		return ret;
	}
	ret = present_xattrs(ctx, fd, &present);
	if (ret < 0)
		return ret;
	fd_source_init(&f, &src, ctx, fd, present, &st);
	src.ino = st.st_ino;
	src.generation = generation;
	return evm_hmac_source(ctx, &src, p, NULL, 0, hmac);
}

static bool same_content_stamp(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * -ETXTBSY when another open file description can write to the file: an fd
 * opened for writing or a shared writable mapping (which keeps one alive).
 * A write through such a mapping to a page already dirty moves neither mtime
 * nor ctime, so the stamps below cannot see it; the kernel grants a read
 * lease only when the file has no writer, which is the one way to ask.  The
 * lease is dropped at once (holding it would make a later opener block and
 * send us SIGIO): a writer that appears later must fault its first write to
 * each page, which updates mtime.  0 when the file has no writer or when it
 * cannot be asked (no lease support, not the owner and no CAP_LEASE, @fd
 * itself open for writing).
 */
static int check_no_writer(struct imactl_ctx *ctx, int fd)
{
	int fl;

	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0) {
		fcntl(fd, F_SETLEASE, F_UNLCK);
		return 0;
	}
	if (errno != EAGAIN && errno != EBUSY)
		return 0;
	/* a caller hashing through a descriptor it can write with is a writer
	 * itself (no read lease is possible on it): its own business; asked
	 * only now, the common case takes two fcntl(2) per file, not three */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != O_RDONLY)
		return 0;
	log_err(ctx, "the file is open for writing or mapped writable elsewhere");
	return -ETXTBSY;
}

/*
 * Hashes the whole file and checks that it did not change meanwhile.
 * @before: its fstat(2) taken after it was opened, or NULL to take one.
 * Reads st_size bytes from offset 0, as the kernel's ima_calc_file_hash()
 * does; the second fstat(2) catches a file that grew, shrank or was
 * rewritten meanwhile.  A file something else can write to is refused first
 * (-ETXTBSY, check_no_writer()).  *@after_ret gets that second fstat(2).
 * @verity: the fs-verity digest instead of a hash of the content.
 */
static int hash_whole_file(struct imactl_ctx *ctx, int fd, int algo, bool verity,
			   const struct stat *before, struct stat *after_ret,
			   struct imactl_digest *digest)
{
	struct stat st, after;
	int ret;

	if (!before) {
		if (fstat(fd, &st) < 0)
			return -errno;
		before = &st;
	}
	if (!S_ISREG(before->st_mode))
		return -EINVAL;
	ret = check_no_writer(ctx, fd);
	if (ret < 0)
		return ret;
	ret = verity ? verity_digest_size(ctx, fd, algo, before->st_size, digest)
		     : hash_fd_size(ctx, fd, algo, before->st_size, digest);
	if (ret < 0)
		return ret;
	if (fstat(fd, &after) < 0)
		return -errno;
	if (!same_content_stamp(before, &after)) {
		log_err(ctx, "the file changed while it was being hashed");
		return -ESTALE;
	}
	if (after_ret)
		*after_ret = after;
	return 0;
}

int ima_hash_value(const struct imactl_digest *d, uint8_t **value_ret, size_t *len_ret)
{
	/* evmctl (and the kernel's own ima_fix) write sha1 in the legacy form */
	struct imactl_xattr_value v = {
		.type = d->algo == IMACTL_HASH_SHA1 ? IMACTL_XATTR_IMA_DIGEST
						    : IMACTL_XATTR_IMA_DIGEST_NG,
		.algo = d->algo,
		.digest = d->bytes,
		.digest_len = d->len,
	};

	return imactl_xattr_encode(&v, value_ret, len_ret);
}

/* Does @fd carry @name (listed in @present) with exactly @buf already? */
static bool same_xattr(const struct imactl_ctx *ctx, int fd, bool present, const char *name,
		       const uint8_t *buf, size_t len)
{
	uint8_t *old = NULL;
	size_t old_len = 0;
	bool same;

	if (!present || read_xattr(ctx, fd, name, &old, &old_len) < 0)
		return false;
	same = old_len == len && !memcmp(old, buf, len);
	free(old);
	return same;
}

/*
 * The security.ima value @p asks for into @out (hashing the file; sigv3
 * signs the fs-verity digest: what the kernel appraises); @st gets the
 * file's fstat(2) from the hash.  0, -errno.
 */
static int make_ima_value(struct imactl_ctx *ctx, int fd, const struct stat *opened,
			  const struct imactl_key *key, const struct imactl_sign_params *p,
			  struct stat *st, struct imactl_signed_values *out)
{
	bool sigv3 = p->ima == IMACTL_IMA_SIG && (p->flags & IMACTL_SIGN_SIGV3);
	struct imactl_digest digest;
	int ret;

	ret = hash_whole_file(ctx, fd, p->hash_algo, sigv3, opened, st, &digest);
	if (ret < 0)
		return ret;
	if (p->ima != IMACTL_IMA_SIG)
		return ima_hash_value(&digest, &out->ima, &out->ima_len);
	return imactl_sigcache_sign(ctx, p->cache, key,
				    sigv3 ? IMACTL_XATTR_IMA_VERITY_SIG : IMACTL_XATTR_DIGSIG,
				    &digest, &out->ima, &out->ima_len);
}

/*
 * Writes @out's security.ima unless the file carries it already;
 * *@changed says whether it was written (*@present then has EVM_IMA_BIT).
 * 0, -errno.
 */
static int put_ima_value(struct imactl_ctx *ctx, int fd, const struct imactl_signed_values *out,
			 unsigned int *present, bool *changed)
{
	uint8_t *old = NULL;
	size_t old_len = 0;
	int ret = -ENODATA;

	if (*present & EVM_IMA_BIT)
		ret = read_xattr(ctx, fd, XATTR_IMA, &old, &old_len);
	if (ret < 0 && ret != -ENODATA)
		goto out;
	*changed = ret == -ENODATA || old_len != out->ima_len ||
		   memcmp(old, out->ima, out->ima_len) != 0;
	ret = 0;
	if (*changed) {
		ret = write_xattr(ctx, fd, XATTR_IMA, out->ima, out->ima_len);
		if (ret == 0)
			*present |= EVM_IMA_BIT;
	}
out:
	free(old);
	return ret;
}

/*
 * The EVM portable signature over @out's security.ima and the metadata in
 * @st, into out->evm and security.evm (written unless already there).  On a
 * failure after security.ima changed (@ima_changed), security.evm is
 * removed: never an EVM value that no longer matches.  0, -errno.
 */
static int put_evm_signature(struct imactl_ctx *ctx, int fd, const struct imactl_key *key,
			     const struct imactl_sign_params *p, unsigned int present,
			     const struct stat *st, bool ima_changed,
			     struct imactl_signed_values *out)
{
	struct imactl_digest digest;
	struct file_source src;
	struct fd_source f;
	int ret;

	fd_source_init(&f, &src, ctx, fd, present, st);
	ret = evm_digest_source(ctx, &src, p->hash_algo, p->target_bits, p->flags, out->ima,
				out->ima_len, &digest);
	if (ret == -ENODATA)
		log_err(ctx, "EVM portable signatures need security.ima");
	if (ret == 0)
		ret = imactl_sigcache_sign(ctx, p->cache, key, IMACTL_XATTR_EVM_PORTABLE, &digest,
					   &out->evm, &out->evm_len);
	if (ret == 0 &&
	    !same_xattr(ctx, fd, present & EVM_PRESENT, XATTR_EVM, out->evm, out->evm_len))
		ret = write_xattr(ctx, fd, XATTR_EVM, out->evm, out->evm_len);
	if (ret < 0 && ima_changed)
		remove_xattr(ctx, fd, XATTR_EVM);
	return ret;
}

int sign_fd_stat(struct imactl_ctx *ctx, int fd, const struct stat *opened,
		 const struct imactl_key *key, const struct imactl_sign_params *p,
		 struct imactl_signed_values *values_ret)
{
	struct imactl_signed_values out = { 0 };
	unsigned int present = 0;
	bool ima_changed = false, have_st = false;
	struct stat st;
	int ret;

	if (!p || imactl_hash_algo_size(p->hash_algo) < 0 ||
	    (p->target_bits != 32 && p->target_bits != 64))
		return -EINVAL;
	if (!key && (p->ima == IMACTL_IMA_SIG || p->evm != IMACTL_EVM_NONE))
		return -EINVAL;

	/* one flistxattr(2): no probing of absent names below */
	ret = present_xattrs(ctx, fd, &present);
	if (ret < 0)
		return ret;
	if (p->ima != IMACTL_IMA_NONE) {
		ret = make_ima_value(ctx, fd, opened, key, p, &st, &out);
		if (ret == 0)
			ret = put_ima_value(ctx, fd, &out, &present, &ima_changed);
		if (ret < 0)
			goto out;
		have_st = !ima_changed; /* see below */
	}
	/*
	 * EVM is signed after security.ima is in place, over the metadata as
	 * fstat(2) reports it then: under fakeroot the reported owner can
	 * change when a file gets its first xattr, and the image is made from
	 * what is reported afterwards.
	 */
	if (p->evm == IMACTL_EVM_PORTABLE) {
		ret = have_st || fstat(fd, &st) == 0 ? 0 : -errno;
		if (ret == 0)
			ret = put_evm_signature(ctx, fd, key, p, present, &st, ima_changed, &out);
		else if (ima_changed)
			remove_xattr(ctx, fd, XATTR_EVM);
	} else if (ima_changed && (present & EVM_PRESENT)) {
		log_warn(ctx, "removing security.evm: it covered the old security.ima");
		ret = remove_xattr(ctx, fd, XATTR_EVM);
	}
	if (ret < 0)
		goto out;
	if (values_ret) {
		*values_ret = out;
		memset(&out, 0, sizeof(out));
	}
out:
	imactl_signed_values_free(&out);
	return ret;
}

IMACTL_EXPORT int imactl_sign_fd(struct imactl_ctx *ctx, int fd, const struct imactl_key *key,
				 const struct imactl_sign_params *p,
				 struct imactl_signed_values *values_ret)
{
	if (p && PARAMS_RESERVED_CHECK(ctx, p, "imactl_sign_params") < 0)
		return -EINVAL;
	return sign_fd_stat(ctx, fd, NULL, key, p, values_ret);
}

IMACTL_EXPORT int imactl_verity_digest_fd(struct imactl_ctx *ctx, int fd,
					  enum imactl_hash_algo algo, struct imactl_digest *digest)
{
	int ret;

	if (!digest)
		return -EINVAL;
	ret = verity_algo_check(ctx, algo);
	if (ret < 0)
		return ret;
	return hash_whole_file(ctx, fd, algo, true, NULL, NULL, digest);
}

IMACTL_EXPORT void imactl_signed_values_free(struct imactl_signed_values *v)
{
	if (!v)
		return;
	free(v->ima);
	free(v->evm);
	v->ima = v->evm = NULL;
	v->ima_len = v->evm_len = 0;
}

/* One stored xattr: its bytes and what they decode to. */
struct stored_value {
	uint8_t *val;
	size_t len;
	struct imactl_xattr_value v;
};

/*
 * Reads xattr @name of @src into @s (the caller frees s->val, also on
 * failure) and decodes it; *@reason says why not (@missing when there is
 * none).  0, -ENODATA, -errno.
 */
static int read_value(const struct file_source *src, const char *name, const char *missing,
		      struct stored_value *s, const char **reason)
{
	int ret = src->get_xattr(src->data, name, &s->val, &s->len);

	if (ret == -ENODATA)
		*reason = missing;
	if (ret < 0)
		return ret;
	return imactl_xattr_decode(s->val, s->len, &s->v, reason);
}

/* The signature @s checked against @digest; *@reason says why not (@mismatch). */
static int check_signature(struct imactl_ctx *ctx, const struct imactl_keyring *kr,
			   const struct stored_value *s, const struct imactl_digest *digest,
			   const char *mismatch, const char **reason)
{
	int ret = imactl_verify_digest(ctx, kr, s->val, s->len, digest, NULL);

	if (ret == -ENOKEY)
		*reason = "no certificate for the signature's keyid";
	else if (ret < 0)
		*reason = mismatch;
	return ret;
}

/* The IMA value @s, decoded, against the content of @src. */
static int verify_ima(struct imactl_ctx *ctx, const struct file_source *src,
		      const struct imactl_keyring *kr, unsigned int flags,
		      const struct stored_value *s, struct imactl_verify_result *r)
{
	const struct imactl_xattr_value *v = &s->v;
	bool verity = v->type == IMACTL_XATTR_IMA_VERITY_SIG;
	int ret;

	r->ima_type = v->type;
	r->ima_algo = v->algo;
	r->ima_keyid = v->keyid;
	switch (v->type) {
	case IMACTL_XATTR_IMA_DIGEST:
	case IMACTL_XATTR_IMA_DIGEST_NG:
		if (flags & IMACTL_VERIFY_REQUIRE_SIG) {
			r->ima_reason = "only a hash, a signature is required";
			return -EBADMSG;
		}
		break;
	case IMACTL_XATTR_DIGSIG:
		break;
	case IMACTL_XATTR_IMA_VERITY_SIG:
		if (v->algo != IMACTL_HASH_SHA256 && v->algo != IMACTL_HASH_SHA512) {
			r->ima_reason =
				"sigv3 over an algorithm fs-verity does not have (sha256, sha512)";
			return -EBADMSG;
		}
		break;
	default:
		r->ima_reason = "not an IMA value type";
		return -EBADMSG;
	}
	ret = src->hash(src->data, v->algo, verity, &r->ima_digest);
	if (ret < 0) {
		r->ima_digest.len = 0;
		r->ima_reason = "cannot hash the file";
		return ret;
	}
	if (v->type == IMACTL_XATTR_IMA_DIGEST || v->type == IMACTL_XATTR_IMA_DIGEST_NG) {
		if (crypto_memeq(r->ima_digest.bytes, v->digest, r->ima_digest.len))
			return 0;
		r->ima_reason = "content does not match the stored hash";
		return -EBADMSG;
	}
	if (flags & IMACTL_VERIFY_NO_SIG_CHECK) {
		/* the signer is known, the signature itself is not checked */
		ret = imactl_keyring_find(kr, v->keyid) ? 0 : -ENOKEY;
		r->ima_reason =
			ret ? "no certificate for the signature's keyid" : "signature not checked";
		return ret;
	}
	return check_signature(ctx, kr, s, &r->ima_digest,
			       verity ? "signature does not match the content's fs-verity digest"
				      : "signature does not match the content",
			       &r->ima_reason);
}

/* The EVM value @s, decoded, against the xattrs and metadata of @src. */
static int verify_evm(struct imactl_ctx *ctx, const struct file_source *src,
		      const struct imactl_keyring *kr, unsigned int target_bits,
		      const struct stored_value *s, struct imactl_verify_result *r)
{
	const struct imactl_xattr_value *v = &s->v;
	struct imactl_digest digest;
	int ret;

	r->evm_type = v->type;
	r->evm_keyid = v->keyid;
	if (v->type != IMACTL_XATTR_EVM_PORTABLE) {
		r->evm_reason = v->type == IMACTL_XATTR_EVM_HMAC
					? "an HMAC: only the device's EVM key can check it"
				: v->type == IMACTL_XATTR_DIGSIG
					? "a non-portable signature: bound to the inode, checked "
					  "by the kernel only"
					: "not an EVM value type";
		return v->type == IMACTL_XATTR_EVM_HMAC || v->type == IMACTL_XATTR_DIGSIG
			       ? -EOPNOTSUPP
			       : -EBADMSG;
	}
	ret = evm_digest_source(ctx, src, v->algo, target_bits, 0, NULL, 0, &digest);
	if (ret == -ENODATA) {
		r->evm_reason = "no security.ima: a portable signature requires it";
		return -EBADMSG;
	}
	if (ret < 0) {
		r->evm_reason = "cannot read the protected metadata";
		return ret;
	}
	return check_signature(ctx, kr, s, &digest,
			       "signature does not match the xattrs and metadata", &r->evm_reason);
}

int verify_source(struct imactl_ctx *ctx, const struct file_source *src,
		  const struct imactl_keyring *keyring, unsigned int flags,
		  unsigned int target_bits, struct imactl_verify_result *result)
{
	struct imactl_verify_result r = { .evm_status = -ENODATA, .evm_reason = "not checked" };
	struct stored_value ima = { 0 }, evm = { 0 };
	int ret;

	if (target_bits != 32 && target_bits != 64)
		return -EINVAL;
	r.ima_status = read_value(src, XATTR_IMA, "no security.ima", &ima, &r.ima_reason);
	if (r.ima_status == 0)
		r.ima_status = verify_ima(ctx, src, keyring, flags, &ima, &r);
	/* security.evm is read only when asked about: one getxattr less per file */
	if (flags & (IMACTL_VERIFY_EVM | IMACTL_VERIFY_EVM_HMAC)) {
		const char *why = NULL;

		ret = read_value(src, XATTR_EVM, "no security.evm", &evm, &why);
		/* an HMAC: the device key protects the file (not checked here) */
		r.evm_hmac = ret == 0 && evm.v.type == IMACTL_XATTR_EVM_HMAC;
		if (flags & IMACTL_VERIFY_EVM) {
			r.evm_reason = why;
			r.evm_status =
				ret < 0 ? ret
					: verify_evm(ctx, src, keyring, target_bits, &evm, &r);
		}
	}
	free(ima.val);
	free(evm.val);
	if (result)
		*result = r;
	if (r.ima_status < 0)
		return r.ima_status;
	return (flags & IMACTL_VERIFY_EVM) ? r.evm_status : 0;
}

int verify_fd_stat(struct imactl_ctx *ctx, int fd, const struct stat *opened,
		   const struct imactl_keyring *keyring, unsigned int flags,
		   unsigned int target_bits, struct imactl_verify_result *result)
{
	struct file_source src;
	struct fd_source f;
	unsigned int present = ~0u;
	struct stat st;

	if (target_bits != 32 && target_bits != 64)
		return -EINVAL;
	/* EVM: the owner and mode now; the xattrs listed once */
	if (!opened && (flags & IMACTL_VERIFY_EVM)) {
		if (fstat(fd, &st) < 0)
			return -errno;
		opened = &st;
	}
	fd_source_init(&f, &src, ctx, fd, present, opened);
	f.before = opened; /* the hash's "did it change" check starts from it */
	if (flags & IMACTL_VERIFY_EVM) {
		int ret = present_xattrs(ctx, fd, &f.present);

		if (ret < 0)
			return ret;
	}
	return verify_source(ctx, &src, keyring, flags, target_bits, result);
}

IMACTL_EXPORT int imactl_verify_fd(struct imactl_ctx *ctx, int fd,
				   const struct imactl_keyring *keyring, unsigned int flags,
				   unsigned int target_bits, struct imactl_verify_result *result)
{
	return verify_fd_stat(ctx, fd, NULL, keyring, flags, target_bits, result);
}

int open_regular_expect(int dirfd, const char *name, const struct stat *expect, struct stat *st_ret)
{
	int fd, err;

	if (S_ISLNK(expect->st_mode))
		return -ELOOP;
	if (S_ISDIR(expect->st_mode))
		return -EISDIR;
	if (!S_ISREG(expect->st_mode))
		return -EINVAL;
	/* O_NONBLOCK: a fifo swapped in meanwhile does not hang the open */
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* It may have been swapped for something else in between. */
	if (fstat(fd, st_ret) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st_ret->st_mode) || st_ret->st_ino != expect->st_ino ||
	    st_ret->st_dev != expect->st_dev) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

IMACTL_EXPORT int imactl_open_regular(int dirfd, const char *path)
{
	struct stat st, st2;

	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return open_regular_expect(dirfd, path, &st, &st2);
}
