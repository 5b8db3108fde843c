/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal interfaces of libimactl; never installed. */
#ifndef IMACTL_LIB_PRIVATE_H
#define IMACTL_LIB_PRIVATE_H

#include "imactl.h"
#include "crypto_backend.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define IMACTL_EXPORT	 __attribute__((visibility("default")))
#define ARRAY_SIZE(a)	 (sizeof(a) / sizeof((a)[0]))
#define PRINTF_FMT(a, b) __attribute__((format(printf, a, b)))

struct imactl_ctx {
	imactl_log_fn log_fn;
	void *log_data;
	int log_priority;
	bool xattr_user;
	/* OpenSSL objects fetched once (crypto.c); shared by copies of the
	 * context (tree workers), freed by imactl_ctx_free(); may be NULL */
	struct crypto_cache *crypto;
};

/* The context's crypto backend cache (NULL for a NULL context). */
static inline struct crypto_cache *ctx_crypto(const struct imactl_ctx *ctx)
{
	return ctx ? ctx->crypto : NULL;
}

/* Logging (ctx.c). */
void imactl_log(const struct imactl_ctx *ctx, int prio, const char *fmt, ...) PRINTF_FMT(3, 4);
/* Like imactl_log() and appends (then clears) OpenSSL's error queue. */
void imactl_log_crypto(const struct imactl_ctx *ctx, int prio, const char *fmt, ...)
	PRINTF_FMT(3, 4);

/*
 * Starts a hash of @algo for @ctx; logs why not (unsupported algorithm,
 * OpenSSL's reason) and returns -errno when it cannot (hash.c).
 */
/*
 * The reserved tail of a caller's parameter structure @what: 0 when it is all
 * zero, else -EINVAL (logged: the caller was built against a newer
 * libimactl that gave those bytes a meaning this one does not know).
 */
int params_reserved_check(const struct imactl_ctx *ctx, const char *what, const uint64_t *reserved,
			  size_t n);
#define PARAMS_RESERVED_CHECK(ctx, p, what)                                                        \
	params_reserved_check((ctx), (what), (p)->reserved, ARRAY_SIZE((p)->reserved))

int hash_new(const struct imactl_ctx *ctx, int algo, struct crypto_hash **h_ret);

#define log_err(ctx, ...)   imactl_log(ctx, IMACTL_LOG_ERR, __VA_ARGS__)
#define log_warn(ctx, ...)  imactl_log(ctx, IMACTL_LOG_WARNING, __VA_ARGS__)
#define log_info(ctx, ...)  imactl_log(ctx, IMACTL_LOG_INFO, __VA_ARGS__)
#define log_debug(ctx, ...) imactl_log(ctx, IMACTL_LOG_DEBUG, __VA_ARGS__)

/* Maps "security.ima" to "user.ima" when the context asks for it. */
const char *imactl_xattr_name(const struct imactl_ctx *ctx, const char *name, char *buf,
			      size_t size);

/*
 * xattr I/O on a descriptor (file.c); @name is the security.* name, mapped
 * by imactl_xattr_name().  read_xattr(): -ENODATA when absent; the caller
 * frees *buf_ret.  remove_xattr(): absent is fine.
 */
int read_xattr(const struct imactl_ctx *ctx, int fd, const char *name, uint8_t **buf_ret,
	       size_t *len_ret);
int write_xattr(const struct imactl_ctx *ctx, int fd, const char *name, const uint8_t *buf,
		size_t len);
int remove_xattr(const struct imactl_ctx *ctx, int fd, const char *name);

/*
 * Hashes the first @size bytes of @fd (from offset 0, as the kernel's
 * ima_calc_file_hash() reads i_size bytes), with pread(2): the file offset
 * is left alone (hash.c).
 */
int hash_fd_size(struct imactl_ctx *ctx, int fd, int algo, off_t size,
		 struct imactl_digest *digest);

/*
 * fs-verity file digest of the first @size bytes of @fd (pread(2) from
 * offset 0), with the kernel's defaults: 4096-byte blocks, no salt
 * (verity.c).  verity_algo_check(): 0 for sha256/sha512, else logs why and
 * gives -EOPNOTSUPP.
 */
int verity_digest_size(struct imactl_ctx *ctx, int fd, int algo, off_t size,
		       struct imactl_digest *digest);
int verity_algo_check(const struct imactl_ctx *ctx, int algo);

/*
 * imactl_sign_fd() with @opened, the fstat(2) of @fd taken right after it was
 * opened (NULL: take one) (file.c).
 */
struct stat;
int sign_fd_stat(struct imactl_ctx *ctx, int fd, const struct stat *opened,
		 const struct imactl_key *key, const struct imactl_sign_params *p,
		 struct imactl_signed_values *values_ret);

/*
 * A file as the signing and verifying code sees it (file.c): the xattrs EVM
 * protects, its content digest, owner and mode; from a descriptor (file.c)
 * or from an inode of an ext2/3/4 image (image.c).
 */
struct file_source {
	/* xattr @name ("security.ima"): 0 and a malloc()ed copy, -ENODATA when absent */
	int (*get_xattr)(void *data, const char *name, uint8_t **buf_ret, size_t *len_ret);
	/* the content's digest with @algo (@verity: its fs-verity digest) */
	int (*hash)(void *data, int algo, bool verity, struct imactl_digest *digest);
	void *data;
	uint32_t uid, gid;
	uint16_t mode;
	uint64_t ino;	     /* for an EVM HMAC */
	uint32_t generation; /* for an EVM HMAC */
};

/*
 * The EVM portable digest of @src (file.c): its protected xattrs in the
 * kernel's order (@ima_value, when not NULL, stands for security.ima), then
 * h_misc with @src's uid, gid and mode.  -ENODATA without security.ima.
 */
int evm_digest_source(struct imactl_ctx *ctx, const struct file_source *src, int algo,
		      unsigned int target_bits, unsigned int flags, const uint8_t *ima_value,
		      size_t ima_len, struct imactl_digest *digest);
/*
 * The EVM HMAC of @src (file.c), as imactl_evm_hmac(): its xattrs (with
 * @ima_value, when not NULL, for security.ima), ino, generation, uid, gid,
 * mode and @p's UUID.
 */
int evm_hmac_source(struct imactl_ctx *ctx, const struct file_source *src,
		    const struct imactl_evm_hmac_params *p, const uint8_t *ima_value,
		    size_t ima_len, uint8_t hmac[IMACTL_EVM_HMAC_LEN]);
/* imactl_verify_fd() for @src (file.c). */
int verify_source(struct imactl_ctx *ctx, const struct file_source *src,
		  const struct imactl_keyring *keyring, unsigned int flags,
		  unsigned int target_bits, struct imactl_verify_result *result);
/*
 * imactl_verify_fd() of a descriptor the caller opened and fstat()ed:
 * @opened is that fstat(2) (NULL: as imactl_verify_fd()), the start of the
 * "changed while hashed" check and EVM's owner and mode; one fstat(2) less.
 */
int verify_fd_stat(struct imactl_ctx *ctx, int fd, const struct stat *opened,
		   const struct imactl_keyring *keyring, unsigned int flags,
		   unsigned int target_bits, struct imactl_verify_result *result);
/* The security.ima value of a hash-only file: 0x01 for sha1, else 0x04 (file.c). */
int ima_hash_value(const struct imactl_digest *d, uint8_t **value_ret, size_t *len_ret);

/*
 * --include/--exclude of struct imactl_tree_params, one meaning for trees
 * and images (select.c): select_init() copies the patterns, anchoring those
 * with a '/' at the root; select_excluded() tells whether the entry at
 * @path ("/a/b", named @name) is excluded, select_included() whether a
 * regular file is selected by the includes (true without any).
 */
struct select {
	char **include, **exclude; /* NULL when none */
	char **mutables;	   /* mutable_globs; NULL when none */
};
int select_init(struct select *s, const struct imactl_tree_params *p);
void select_free(struct select *s);
bool select_excluded(const struct select *s, const char *path, const char *name);
bool select_included(const struct select *s, const char *path, const char *name);
/*
 * The caller's imactl_tree_params.select.fn on a regular file about to be
 * processed: 1 process it, 0 leave it (report it as IMACTL_TREE_EXCLUDED),
 * -ECANCELED stop the walk.  1 without a select.fn.
 */
int select_by_caller(const struct imactl_tree_params *p, const char *path, uint64_t size,
		     uint32_t uid, uint32_t gid, uint32_t mode);
/* Does a selected file match mutable_globs? */
bool select_mutable(const struct select *s, const char *path, const char *name);
/*
 * The parameters a mutable file is written with: @sp's hash algorithm and
 * target, security.ima a hash, no EVM.
 */
void sign_params_mutable(const struct imactl_sign_params *sp, struct imactl_sign_params *out);
/*
 * Adds @e to the totals; failures other than verification outcomes (all of
 * them when !@verify) also count in *@op_errors (select.c).
 */
void tree_count(struct imactl_tree_stats *s, const struct imactl_tree_entry *e, bool verify,
		uint64_t *op_errors);
/* Checks @p for a walk and gives the number of workers (0: online CPUs). */
#define TREE_MAX_JOBS 256
int tree_params_check(const struct imactl_ctx *ctx, const struct imactl_tree_params *p, bool verify,
		      unsigned int *jobs_ret);
/* The kind of entry of file type @mode (S_IFMT bits). */
enum imactl_tree_kind tree_kind_of(unsigned int mode);
/*
 * Hard links: the path under which inode (@dev, @ino) was first seen in
 * *@first_ret, or NULL and it is remembered under @path.  *@links starts NULL;
 * links_free() releases it.  Return: 0, -ENOMEM.
 */
int links_seen(void **links, uint64_t dev, uint64_t ino, const char *path, const char **first_ret);
void links_free(void *links);
/*
 * IMACTL_TREE_SKIP_VALID: does a file that verified as @r carry the kind of
 * security.ima @sp asks for (select.c)?
 */
bool sign_result_fits(const struct imactl_sign_params *sp, const struct imactl_verify_result *r);
/* IMACTL_TREE_SKIP_VALID: the IMACTL_VERIFY_ flags that check what @sp writes. */
unsigned int sign_verify_flags(const struct imactl_sign_params *sp);
/*
 * What imactl_tree_sign() and imactl_image_sign() return for a walk's
 * result @ret: signing has no verification outcome, every failure is one
 * (-EBADMSG becomes -EIO).
 */
int tree_sign_outcome(int ret);

/*
 * Is @buf exactly a value imactl_sign_digest(@key, @type, @digest) could
 * have made: that type, algorithm and keyid, and a signature that verifies
 * with @key's public half (sign.c)?  0, or -EBADMSG and a static *@why.
 */
int sign_value_check(struct imactl_ctx *ctx, const struct imactl_key *key,
		     enum imactl_xattr_type type, const struct imactl_digest *digest,
		     const uint8_t *buf, size_t len, const char **why);

/*
 * Opens the regular file @name in @dirfd without following a symlink and
 * checks it is the inode @expect describes (from the walker's fstatat(2));
 * *@st_ret gets the fstat(2) of the opened descriptor (file.c).
 */
int open_regular_expect(int dirfd, const char *name, const struct stat *expect,
			struct stat *st_ret);

/*
 * ext2/3/4 images through libext2fs (ext4.c); one thread at a time.
 * ext4_open(): refuses a mounted image (any mount unless EXT4_READ, a
 * read-write one then), one with errors recorded, not cleanly unmounted
 * or with a journal to replay (-EBUSY, -EUCLEAN), a non-ext file
 * (-EMEDIUMTYPE), a truncated one (-EIO).  Writing: libext2fs writes into
 * memory; ext4_commit() writes that into the image (through an undo file
 * for an image file); ext4_close() without ext4_commit() drops it.  An undo
 * file a killed commit left is put back by a write-mode open and refused
 * (-EUCLEAN) by EXT4_READ.  Inode numbers are uint32_t.  Every failure is logged with
 * the image's name and the cause.
 */
struct ext4_image;
struct ext4_stat {
	uint32_t uid, gid;
	uint16_t mode, links;
	uint64_t size;
	uint32_t generation; /* i_generation, which EVM HMACs cover */
};
struct ext4_dirent {
	char *name;
	uint32_t ino;
};
struct ext4_xattrs; /* all xattrs of an inode, read into memory */
/* One xattr to write (@value NULL: remove it). */
struct ext4_xattr_op {
	const char *name;
	const uint8_t *value;
	size_t len;
};
#define EXT4_ROOT_INO 2
enum ext4_mode {
	EXT4_READ,	  /* an image mounted read-only is fine */
	EXT4_CHECK_WRITE, /* read-only, checked as for writing */
	EXT4_WRITE,
};
int ext4_open(struct imactl_ctx *ctx, const char *path, enum ext4_mode mode,
	      struct ext4_image **img_ret);
int ext4_commit(struct ext4_image *img); /* then ext4_close() */
void ext4_close(struct ext4_image *img);
int ext4_stat(struct ext4_image *img, uint32_t ino, struct ext4_stat *st);
/* the superblock's s_uuid: what the kernel's sb->s_uuid will be */
void ext4_uuid(const struct ext4_image *img, uint8_t uuid[16]);
/* the entries of directory @dir but . and .., sorted by name (byte order) */
int ext4_read_dir(struct ext4_image *img, uint32_t dir, struct ext4_dirent **ents_ret,
		  size_t *n_ret);
void ext4_dirents_free(struct ext4_dirent *ents, size_t n);
/* @path from the image's root, symbolic links followed inside the image */
int ext4_lookup(struct ext4_image *img, const char *path, uint32_t *ino_ret);
/* hands the first @max bytes of the content to @fn (< 0 stops) */
int ext4_read_file(struct ext4_image *img, uint32_t ino, uint64_t max,
		   int (*fn)(void *data, const void *buf, size_t len), void *data);
int ext4_xattrs_read(struct ext4_image *img, uint32_t ino, struct ext4_xattrs **xs_ret);
/* a malloc()ed copy of xattr @name; -ENODATA.  Needs no image: any thread */
int ext4_xattrs_get(const struct ext4_xattrs *xs, const char *name, uint8_t **buf_ret,
		    size_t *len_ret);
void ext4_xattrs_free(struct ext4_xattrs *xs);
/* writes @ops into inode @ino, in an external xattr block when it is full */
int ext4_xattrs_set(struct ext4_image *img, uint32_t ino, const struct ext4_xattr_op *ops,
		    size_t n);

/* The value of hex digit @c, -1 when it is none. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* @len hex digits at @s -> @len / 2 bytes at @out; false when not hex. */
static inline bool hex_decode(const void *s, size_t len, uint8_t *out)
{
	const unsigned char *p = s;

	if (len % 2)
		return false;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_digit(p[2 * i]), lo = hex_digit(p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = hi << 4 | lo;
	}
	return true;
}

/* @len bytes at @p -> 2 * @len lowercase hex digits and a NUL at @out. */
static inline void hex_encode(char *out, const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = 0;
}

/*
 * Text buffers: the line of @buf (@len bytes) at *@pos, without its '\n'
 * (the last one may have none); moves *@pos to the next.  Call while
 * *@pos < @len.  Returns the line's length, its start in *@line_ret.
 */
static inline size_t next_line(const char *buf, size_t len, size_t *pos, const char **line_ret)
{
	const char *l = buf + *pos;
	const char *nl = memchr(l, '\n', len - *pos);
	size_t n = nl ? (size_t)(nl - l) : len - *pos;

	*pos += n + (nl ? 1 : 0);
	*line_ret = l;
	return n;
}

/* Big-endian helpers. */
static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Keyring lookup (keyring.c). */
const struct imactl_cert *imactl_keyring_find(const struct imactl_keyring *kr, uint32_t keyid);
/* The @i-th certificate, in the order added (0 <= @i < count). */
const struct imactl_cert *imactl_keyring_at(const struct imactl_keyring *kr, size_t i);
/*
 * An appended signature (modsig): PKCS#7 @p7 checked as the kernel checks a
 * module-style signature over @digest (crypto_pkcs7.c).  *@keyid: the
 * signer's keyid (0 when it has none); *@why: a static text unless 0.
 * Return: 0 good, -EBADMSG bad, -ENOKEY signer not in @kr, -EOPNOTSUPP
 * algorithm not supported.
 */
int crypto_modsig_verify(const struct imactl_ctx *ctx, const struct imactl_keyring *kr,
			 const uint8_t *p7, size_t len, const struct imactl_digest *digest,
			 uint32_t *keyid, const char **why);
/* Second keyid of a cert (the one computed from the public key). */
uint32_t crypto_cert_pubkey_keyid(const struct imactl_cert *cert);
/* SHA-256 of the file imactl_cert_load() parsed (32 bytes); NULL for others. */
const uint8_t *crypto_cert_file_sha256(const struct imactl_cert *cert);
/* The certificate in DER (malloc()ed). Return: 0, -ENOMEM. */
int crypto_cert_der(const struct imactl_cert *cert, uint8_t **der_ret, size_t *len_ret);

/* The kind of @cert's key: an enum imactl_key_type value, or 0 for any other (crypto_x509.c). */
int crypto_cert_key_kind(const struct imactl_cert *cert);
/*
 * A keyring entry from a certificate (PEM or DER) or a DER
 * SubjectPublicKeyInfo in @buf; keyid from the certificate's SKI, else
 * @keyid when not 0, else from the public key (crypto_key.c).
 * Return: 0, -ENOKEY (neither), -EOPNOTSUPP (key type), -EBADMSG, -ENOMEM.
 */
int crypto_cert_from_data(const struct imactl_ctx *ctx, const char *what, const uint8_t *buf,
			  size_t len, uint32_t keyid, struct imactl_cert **cert_ret);
/* Base64 (RFC 4648, line breaks allowed); *@out_ret malloc()ed. 0, -EBADMSG, -ENOMEM. */
int crypto_base64_decode(const char *s, size_t len, uint8_t **out_ret, size_t *len_ret);

/* kconfig.c: -1 no .config given, 0 option not set, 1 set to y or m. */
int kconfig_state(const struct imactl_kconfig *kc, const char *name);

/*
 * The security.ima value logged in @e's sig field checked against @e's
 * digest with @kr (mlog_verify.c); *@keyid: from its header.
 */
enum imactl_mlog_sig_status mlog_xattr_sig_status(struct imactl_ctx *ctx,
						  const struct imactl_keyring *kr,
						  struct crypto_verify_cache *vc,
						  const struct imactl_mlog_entry *e,
						  uint32_t *keyid);

/* write(2) all of @buf, again after EINTR: 0 or -errno (outfile.c). */
int write_all(int fd, const uint8_t *buf, size_t len);

/* Writing a set of files all-or-nothing (outfile.c). */
struct out_file {
	const char *name; /* in the directory */
	const uint8_t *data;
	size_t len;
	unsigned int mode; /* 0600 for private keys */
};
/* -EEXIST (logged) when one of @names (NULL-terminated) exists and !@force. */
int out_files_check(const struct imactl_ctx *ctx, const char *dir, const char *const *names,
		    bool force);
int out_files_write(const struct imactl_ctx *ctx, const char *dir, const struct out_file *files,
		    size_t n, bool force);
/* The two steps every written file goes through (see outfile.c). */
#define TMP_NAME_MAX 300
int out_temp_create(int dfd, const char *name, unsigned int mode, char tmp[TMP_NAME_MAX]);
int out_rename(int dfd, const char *from, const char *to, bool replace);

/*
 * A root file system to guess the target's word size from (target_bits.c):
 * @elf_bits gives 32 or 64 from the ELF header of the regular file @path, 0
 * or -errno when it is none, -ENOSYS when the tree cannot be looked into
 * safely; @list_dir the names in directory @dir (the caller frees each and
 * the array), -errno.
 */
struct bits_probe {
	int (*elf_bits)(void *data, const char *path);
	int (*list_dir)(void *data, const char *dir, char ***names_ret, size_t *n_ret);
	void *data;
};

/*
 * The word size of the ELF init, else C library, else shell of @p; *@found
 * names which.  32, 64, 0 (none found), -ENOSYS (from elf_bits).
 */
int target_bits_probe(const struct bits_probe *p, const char **found);

/*
 * TPM 2.0 on /dev/tpm0 for a kmk sealed to PCRs (tpm2.c; libtss2-esys,
 * meson -Dtpm2).  PCRs are of the sha256 bank, @mask bit n = PCR n.  Without
 * libtss2, tpm2_open() logs why and returns -EOPNOTSUPP.  tpm2_open():
 * -ENODEV/-ENOENT (no device), -EBUSY, -EIO.  tpm2_policy_pcr_digest(): the
 * PolicyPCR digest of @bank's known values (a trial session).
 * tpm2_policy_pcr_session(): a policy session satisfied with the current
 * values, kept in @t until tpm2_flush_session() or tpm2_close().
 */
#define IMACTL_SHA256_SIZE 32
struct tpm2;
int tpm2_open(struct imactl_ctx *ctx, struct tpm2 **t_ret);
void tpm2_close(struct imactl_ctx *ctx, struct tpm2 *t);
int tpm2_pcr_read(struct imactl_ctx *ctx, struct tpm2 *t, uint32_t mask,
		  struct imactl_pcr_bank *bank);
int tpm2_policy_pcr_digest(struct imactl_ctx *ctx, struct tpm2 *t,
			   const struct imactl_pcr_bank *bank, uint8_t policy[IMACTL_SHA256_SIZE]);
int tpm2_policy_pcr_session(struct imactl_ctx *ctx, struct tpm2 *t, uint32_t mask,
			    uint32_t *handle_ret);
void tpm2_flush_session(struct imactl_ctx *ctx, struct tpm2 *t);

/*
 * IMACTL_EVMKEY_PCR_FILE (evmkey.c): @bank's known PCRs as evmctl's PCR file
 * ("PCR-NN: HEX" lines, which imactl_pcrs_read_file() reads) after a comment
 * line; the bytes written to @buf (NUL-terminated), -ENOSPC.
 */
#define EVMKEY_PCR_TEXT_MAX 4096
int evmkey_pcrs_format(const struct imactl_pcr_bank *bank, char *buf, size_t size);

#endif /* IMACTL_LIB_PRIVATE_H */
