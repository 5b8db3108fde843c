/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libimactl - create and check Linux IMA/EVM file integrity data.
 *
 * Conventions, valid for every function below unless its comment says
 * otherwise:
 *
 *  - Functions return 0 on success or a negative errno value.
 *    Verification outcomes have their own codes and are never confused with
 *    operational errors:
 *      -EBADMSG   the data does not verify (tampered content, bad signature,
 *                 malformed xattr value)
 *      -ENOKEY    signed by a key that is not in the given keyring
 *      -ENODATA   the file carries no security.ima / security.evm value
 *    Operational errors are the usual ones: -ENOMEM, -EIO, -EACCES,
 *    -ELOOP (a symbolic link, never followed), -EISDIR, -EINVAL (bad
 *    parameter), -EOPNOTSUPP (algorithm or key type not supported),
 *    -EKEYREJECTED (wrong passphrase, key does not match certificate),
 *    -ESTALE (file changed while it was being hashed), -ETXTBSY (another
 *    descriptor can write to the file being hashed: see imactl_sign_fd()).
 *  - Outputs are returned through `*_ret` parameters.  Memory handed out
 *    that way is owned by the caller and released with the matching
 *    imactl_*_free() function (or imactl_free() for byte buffers).
 *    On failure `*_ret` is left untouched.
 *  - The library never prints.  Diagnostics go to the context's log
 *    function (see imactl_set_log_fn()); OpenSSL's error queue is appended
 *    to messages about crypto failures.
 *  - A context may be shared between threads once configured, as long as
 *    the log function is thread-safe.  Keys and keyrings are immutable after
 *    loading and may be used from several threads at once.
 *  - ABI: structures the caller fills (struct imactl_*_params,
 *    struct imactl_policy_options) end in `reserved` members that must be
 *    zero; initialise them with designated initialisers or memset.  A later
 *    libimactl gives new members a place there, so the size of a structure
 *    never changes and a caller built against an older header keeps working;
 *    a library older than the caller's header refuses non-zero reserved
 *    members with -EINVAL instead of ignoring what it does not know.
 *    Structures the library fills (results, stats, entries) end in
 *    `reserved` members it zeroes, for members it may fill later.  Exported
 *    symbols are versioned (lib/libimactl.sym); new ones go into new nodes.
 */
#ifndef IMACTL_H
#define IMACTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes of the reserved tails (in uint64_t) of parameter and result structures. */
#define IMACTL_PARAMS_RESERVED 8
#define IMACTL_RESULT_RESERVED 4

/* ------------------------------------------------------------------------ */
/* Context and logging                                                      */
/* ------------------------------------------------------------------------ */

struct imactl_ctx;

/* Log priorities; the same values as syslog(3)'s LOG_*. */
#define IMACTL_LOG_ERR	   3
#define IMACTL_LOG_WARNING 4
#define IMACTL_LOG_INFO	   6
#define IMACTL_LOG_DEBUG   7

/**
 * imactl_log_fn - receives one diagnostic message (no trailing newline).
 * @data: the pointer given to imactl_set_log_fn()
 * @priority: IMACTL_LOG_*
 * @msg: the message; valid only during the call
 */
typedef void (*imactl_log_fn)(void *data, int priority, const char *msg);

/**
 * imactl_ctx_new() - create a library context.
 * Defaults: no log function (messages are dropped), log priority
 * IMACTL_LOG_WARNING, xattrs in the "security." namespace.
 * Return: 0, -ENOMEM.
 */
int imactl_ctx_new(struct imactl_ctx **ctx_ret);

/** imactl_ctx_free() - release a context; NULL is allowed. */
void imactl_ctx_free(struct imactl_ctx *ctx);

/** imactl_set_log_fn() - set the log function and its user pointer. */
void imactl_set_log_fn(struct imactl_ctx *ctx, imactl_log_fn fn, void *data);

/** imactl_set_log_priority() - drop messages less important than @priority. */
void imactl_set_log_priority(struct imactl_ctx *ctx, int priority);

/**
 * imactl_set_xattr_user() - read and write "user.ima"/"user.evm" (and
 * user.selinux, user.capability, ... for EVM) instead of the security.*
 * names.  Lets tests run without CAP_SYS_ADMIN; the kernel never reads
 * these.
 */
void imactl_set_xattr_user(struct imactl_ctx *ctx, bool user);

/** imactl_free() - free a byte buffer returned by the library. */
void imactl_free(void *ptr);

/* ------------------------------------------------------------------------ */
/* Hash algorithms and digests                                              */
/* ------------------------------------------------------------------------ */

/* The kernel's enum hash_algo values (include/uapi/linux/hash_info.h). */
enum imactl_hash_algo {
	IMACTL_HASH_MD5 = 1,
	IMACTL_HASH_SHA1 = 2,
	IMACTL_HASH_SHA256 = 4,
	IMACTL_HASH_SHA384 = 5,
	IMACTL_HASH_SHA512 = 6,
	IMACTL_HASH_SHA224 = 7,
	IMACTL_HASH_SM3 = 17,
};

#define IMACTL_MAX_DIGEST_SIZE 64

struct imactl_digest {
	int algo; /* enum imactl_hash_algo */
	unsigned int len;
	uint8_t bytes[IMACTL_MAX_DIGEST_SIZE];
};

/**
 * imactl_hash_algo_by_name() - "sha256" -> IMACTL_HASH_SHA256.
 * Return: the algorithm id (> 0), -EINVAL for an unknown name,
 * -EOPNOTSUPP for a known one this OpenSSL cannot compute.
 */
int imactl_hash_algo_by_name(const char *name);

/**
 * imactl_hash_algo_name() - the kernel's name of algorithm id @algo
 * ("sha256", "sm3", ...), or NULL for an id the kernel does not define.
 */
const char *imactl_hash_algo_name(enum imactl_hash_algo algo);

/** imactl_hash_algo_size() - digest size in bytes, or -EINVAL. */
int imactl_hash_algo_size(enum imactl_hash_algo algo);

/**
 * imactl_hash_fd() - digest of a file's content, read from @fd from its
 * current offset to EOF in a streaming fashion (memory does not depend on
 * the file size).
 * Return: 0, -EINVAL (unsupported algorithm or not a hashable fd),
 * -EIO/-errno from read(2).
 */
int imactl_hash_fd(struct imactl_ctx *ctx, int fd, enum imactl_hash_algo algo,
		   struct imactl_digest *digest);

/** imactl_hash_buf() - digest of a memory buffer. Return: 0, -EINVAL. */
int imactl_hash_buf(struct imactl_ctx *ctx, const void *buf, size_t len, enum imactl_hash_algo algo,
		    struct imactl_digest *digest);

/* ------------------------------------------------------------------------ */
/* Keys, certificates, keyrings                                             */
/* ------------------------------------------------------------------------ */

struct imactl_key;     /* a private signing key and its keyid */
struct imactl_cert;    /* an X.509 certificate (public key + keyid) */
struct imactl_keyring; /* a set of certificates, looked up by keyid */

/**
 * imactl_passphrase_fn - asked for a passphrase when a key is encrypted.
 * Writes at most @size bytes (no NUL needed) to @buf.
 * Return: the passphrase length, or a negative errno to give up.
 * The library wipes @buf after use.
 */
typedef int (*imactl_passphrase_fn)(void *data, char *buf, size_t size);

/**
 * imactl_key_load() - load a private key: PEM or DER, PKCS#8 or the
 * traditional RSA/EC forms, encrypted or not.  RSA 1024..16384 bits and
 * EC P-256/P-384 are accepted.  The keyid defaults to the one computed from
 * the public key (bytes 16..19 of SHA-1 over the subjectPublicKey).
 * Return: 0, -ENOENT/-EACCES/-errno (file), -EKEYREJECTED (wrong or
 * missing passphrase), -EBADMSG (not a key), -EOPNOTSUPP (key type or
 * curve the kernel cannot verify), -ENOMEM.
 */
int imactl_key_load(struct imactl_ctx *ctx, const char *path, imactl_passphrase_fn pass_fn,
		    void *pass_data, struct imactl_key **key_ret);

/**
 * imactl_key_set_cert() - take the keyid from @cert (its subjectKeyIdentifier
 * when present) after checking that @cert holds the public half of @key.
 * @cert is not retained.
 * Return: 0, -EKEYREJECTED (the key does not match the certificate).
 */
int imactl_key_set_cert(struct imactl_key *key, const struct imactl_cert *cert);

/** imactl_key_set_keyid() - use an explicit 32-bit keyid. */
void imactl_key_set_keyid(struct imactl_key *key, uint32_t keyid);

/** imactl_key_keyid() - the keyid signatures made with @key will carry. */
uint32_t imactl_key_keyid(const struct imactl_key *key);

/** imactl_key_free() - NULL is allowed. */
void imactl_key_free(struct imactl_key *key);

/*
 * Keys in a PKCS#11 token: imactl_key_load() takes a "pkcs11:" URI
 * (RFC 7512: token=, object=, id=, serial=, ...) and loads the key once
 * through the OpenSSL pkcs11 engine (libp11).  The module is the URI's
 * module-path= attribute, else $IMACTL_PKCS11_MODULE, else the engine's
 * default (p11-kit's proxy).  The PIN comes from the URI's pin-value= or
 * pin-source= (a file), else from @pass_fn.  Extra return codes: -ENODEV
 * (no such token, or the engine or module cannot be loaded), -ENOENT (no
 * such key in the token), -EKEYREJECTED (PIN refused).
 */

/** imactl_key_is_hardware() - true for a key held by a PKCS#11 token. */
bool imactl_key_is_hardware(const struct imactl_key *key);

/**
 * imactl_key_set_serialized() - for a PKCS#11 key: whether signatures
 * requested from several threads at once go to the token one at a time
 * (a lock, for tokens that cannot take parallel sessions) or concurrently,
 * on sessions of their own (libp11's session pool; the default, measured
 * 2x faster with SoftHSM2 on 2 cores, see README.md).  Keys from files
 * always sign concurrently; for them this does nothing.
 */
void imactl_key_set_serialized(struct imactl_key *key, bool serialized);

/**
 * imactl_cert_load() - load an X.509 certificate, PEM or DER.
 * Return: 0, -errno (file), -EBADMSG (not a certificate), -EOPNOTSUPP
 * (public key type the kernel cannot use), -ENOMEM.
 */
int imactl_cert_load(struct imactl_ctx *ctx, const char *path, struct imactl_cert **cert_ret);

/**
 * imactl_cert_keyid() - the keyid the kernel indexes this certificate by:
 * the last 4 bytes of its subjectKeyIdentifier, or, without one, bytes
 * 16..19 of SHA-1 over the public key (what evmctl computes).
 */
uint32_t imactl_cert_keyid(const struct imactl_cert *cert);

/** imactl_cert_free() - NULL is allowed. */
void imactl_cert_free(struct imactl_cert *cert);

/** imactl_keyring_new() - an empty keyring. Return: 0, -ENOMEM. */
int imactl_keyring_new(struct imactl_ctx *ctx, struct imactl_keyring **keyring_ret);

/**
 * imactl_keyring_add() - add @cert; the keyring takes ownership of it, also
 * on failure.  Return: 0, -ENOMEM.
 */
int imactl_keyring_add(struct imactl_keyring *keyring, struct imactl_cert *cert);

/** imactl_keyring_add_file() - imactl_cert_load() + imactl_keyring_add(). */
int imactl_keyring_add_file(struct imactl_keyring *keyring, const char *path);

/**
 * imactl_keyring_file_digest() - the SHA-256 of the bytes the @i-th
 * certificate (in the order added) was loaded from by imactl_cert_load() or
 * imactl_keyring_add_file(): what was loaded, without reading the file again
 * (a file replaced since does not change it).
 * Return: 0, -ENOENT (@i out of range), -ENODATA (not loaded from a file),
 * -EINVAL.
 */
int imactl_keyring_file_digest(const struct imactl_keyring *keyring, size_t i,
			       struct imactl_digest *digest);

/** imactl_keyring_count() - number of certificates. */
size_t imactl_keyring_count(const struct imactl_keyring *keyring);

/** imactl_keyring_free() - frees the certificates too; NULL is allowed. */
void imactl_keyring_free(struct imactl_keyring *keyring);

/* ------------------------------------------------------------------------ */
/* security.ima and security.evm values                                     */
/* ------------------------------------------------------------------------ */

/* First byte of an xattr value (the kernel's enum evm_ima_xattr_type). */
enum imactl_xattr_type {
	IMACTL_XATTR_IMA_DIGEST = 0x01,	    /* legacy: sha1 digest */
	IMACTL_XATTR_EVM_HMAC = 0x02,	    /* EVM HMAC-SHA1 */
	IMACTL_XATTR_DIGSIG = 0x03,	    /* IMA or EVM signature, v2 */
	IMACTL_XATTR_IMA_DIGEST_NG = 0x04,  /* algo byte + digest */
	IMACTL_XATTR_EVM_PORTABLE = 0x05,   /* EVM portable signature */
	IMACTL_XATTR_IMA_VERITY_SIG = 0x06, /* sigv3 */
};

/* Largest value the library encodes: header + RSA-16384 signature. */
#define IMACTL_MAX_XATTR_SIZE 2100

/*
 * A decoded value.  Pointers refer into the buffer that was decoded.
 * For digests: algo, digest, digest_len.  For signatures: sig_version, algo,
 * keyid, sig, sig_len.  For the EVM HMAC: digest (20 bytes).
 */
struct imactl_xattr_value {
	enum imactl_xattr_type type;
	int algo;
	uint8_t sig_version;
	uint32_t keyid;
	const uint8_t *digest;
	size_t digest_len;
	const uint8_t *sig;
	size_t sig_len;
};

/**
 * imactl_xattr_decode() - strictly decode a security.ima or security.evm
 * value: every length is checked against @len, the header's sig_size must
 * account for exactly the remaining bytes, unknown types/versions/algorithms
 * are refused.  Never reads beyond @len.
 * Return: 0, -EBADMSG (malformed; @why, when not NULL, gets a static
 * string naming the problem).
 */
int imactl_xattr_decode(const uint8_t *buf, size_t len, struct imactl_xattr_value *value,
			const char **why);

/**
 * imactl_xattr_encode() - the inverse of imactl_xattr_decode(); fields not
 * used by @value->type are ignored.
 * Return: 0, -EINVAL (inconsistent value), -ENOMEM.
 */
int imactl_xattr_encode(const struct imactl_xattr_value *value, uint8_t **buf_ret, size_t *len_ret);

/* ------------------------------------------------------------------------ */
/* Signing and verifying                                                    */
/* ------------------------------------------------------------------------ */

/**
 * imactl_sign_digest() - sign @digest with @key and encode a complete xattr
 * value of @type: IMACTL_XATTR_DIGSIG (IMA signature v2),
 * IMACTL_XATTR_IMA_VERITY_SIG (sigv3: @digest is the file's fs-verity
 * digest, see imactl_verity_digest_fd(), sha256 or sha512; the signed digest
 * is H(0x06 || algo || digest) with the same algorithm) or
 * IMACTL_XATTR_EVM_PORTABLE (EVM portable signature over an EVM digest).
 * RSA: PKCS#1 v1.5 over the DigestInfo; ECDSA: DER.
 * Return: 0, -EINVAL, -EOPNOTSUPP (also: sigv3 with another algorithm than
 * sha256/sha512), -EIO (the crypto library failed), -ENOMEM.
 */
int imactl_sign_digest(struct imactl_ctx *ctx, const struct imactl_key *key,
		       enum imactl_xattr_type type, const struct imactl_digest *digest,
		       uint8_t **value_ret, size_t *len_ret);

/**
 * imactl_verify_digest() - verify the signature value @buf (IMA sigv2,
 * sigv3 or EVM portable/0x03 signature) over @digest, whose algorithm must
 * be the one the signature header names.
 * Return: 0, -EBADMSG (bad signature, malformed value, algorithm mismatch),
 * -ENOKEY (no certificate with that keyid in @keyring; *keyid_ret, when not
 * NULL, gets the keyid in every case the header could be read).
 */
int imactl_verify_digest(struct imactl_ctx *ctx, const struct imactl_keyring *keyring,
			 const uint8_t *buf, size_t len, const struct imactl_digest *digest,
			 uint32_t *keyid_ret);

/* What to write when signing a file. */
enum imactl_ima_mode {
	IMACTL_IMA_NONE = 0, /* leave security.ima as it is */
	IMACTL_IMA_SIG,	     /* signature, v2 (or v3 with IMACTL_SIGN_SIGV3) */
	IMACTL_IMA_HASH,     /* digest only (0x01 for sha1, else 0x04) */
};

enum imactl_evm_mode {
	IMACTL_EVM_NONE = 0,
	IMACTL_EVM_PORTABLE, /* 0x05: survives copying into an image */
};

/*
 * sigv3 (0x06) instead of v2: signs the file's fs-verity digest (hash_algo
 * sha256 or sha512), for digest_type=verity appraise_type=sigv3.  The kernel
 * accepts it only once fs-verity is enabled on the file (FS_IOC_ENABLE_VERITY,
 * `fsverity enable`, with the default 4096-byte blocks and no salt).
 */
#define IMACTL_SIGN_SIGV3 (1u << 0)
/* Include security.SMACK64EXEC/TRANSMUTE/MMAP (CONFIG_EVM_EXTRA_SMACK_XATTRS). */
#define IMACTL_EVM_EXTRA_SMACK (1u << 1)

struct imactl_sigcache;

struct imactl_sign_params {
	int hash_algo; /* enum imactl_hash_algo */
	enum imactl_ima_mode ima;
	enum imactl_evm_mode evm;
	unsigned int target_bits; /* 64 or 32: word size of the target system */
	unsigned int flags;	  /* IMACTL_SIGN_SIGV3, IMACTL_EVM_EXTRA_SMACK */
	/* NULL, or signatures come through imactl_sigcache_sign() */
	struct imactl_sigcache *cache;
	/* zero: room for members a later libimactl adds (see "ABI" above) */
	uint64_t reserved[IMACTL_PARAMS_RESERVED];
};

/* The values imactl_sign_fd() wrote; free with imactl_signed_values_free(). */
struct imactl_signed_values {
	uint8_t *ima; /* NULL when not written */
	size_t ima_len;
	uint8_t *evm; /* NULL when not written */
	size_t evm_len;
};

/**
 * imactl_evm_digest() - the digest an EVM portable signature covers for the
 * file open at @fd: the values of the protected xattrs present (in the
 * kernel's order), then the target's struct h_misc with ino = generation
 * = 0, uid, gid and mode from fstat(2).  When @ima_value is not NULL it is
 * used instead of the file's security.ima (the value about to be written).
 * @target_bits: 64 or 32.  @flags: IMACTL_EVM_EXTRA_SMACK.
 * Return: 0, -ENODATA (no security.ima: portable signatures require it),
 * -EINVAL, -errno (xattr read).
 */
int imactl_evm_digest(struct imactl_ctx *ctx, int fd, enum imactl_hash_algo algo,
		      unsigned int target_bits, unsigned int flags, const uint8_t *ima_value,
		      size_t ima_len, struct imactl_digest *digest);

/*
 * EVM HMAC (security.evm type 0x02), computed in userspace exactly as the
 * kernel does (evm_calc_hmac_or_hash() and hmac_add_misc() in
 * security/integrity/evm/evm_crypto.c, Linux 6.1): HMAC-SHA1 keyed with the
 * 128-byte buffer evmkey[] (the evm-key's decrypted data, zero-padded: the
 * kernel always keys with MAX_KEY_SIZE bytes), over the values of the
 * protected xattrs present whose LSM the target kernel enables (the
 * .enabled of evm_config_default_xattrnames in evm_main.c), then struct
 * h_misc {ino, generation, uid, gid, mode} of the target word size, then,
 * with CONFIG_EVM_ATTR_FSUUID, the filesystem's 16-byte UUID (s_uuid).
 */
#define IMACTL_EVM_HMAC_LEN	20	  /* SHA-1 */
#define IMACTL_EVM_KEY_MAX	128	  /* the kernel's MAX_KEY_SIZE */
#define IMACTL_EVM_HMAC_FSUUID	(1u << 2) /* append the fs UUID (EVM_ATTR_FSUUID) */
#define IMACTL_EVM_LSM_SELINUX	(1u << 3) /* security.selinux counts (SECURITY_SELINUX) */
#define IMACTL_EVM_LSM_SMACK	(1u << 4) /* security.SMACK64 counts (SECURITY_SMACK) */
#define IMACTL_EVM_LSM_APPARMOR (1u << 5) /* security.apparmor counts (SECURITY_APPARMOR) */

struct imactl_evm_hmac_params {
	const uint8_t *key; /* 1..IMACTL_EVM_KEY_MAX bytes */
	size_t key_len;
	unsigned int target_bits; /* 64 or 32 */
	/* IMACTL_EVM_HMAC_FSUUID, IMACTL_EVM_LSM_*, IMACTL_EVM_EXTRA_SMACK */
	unsigned int flags;
	uint8_t fs_uuid[16]; /* with IMACTL_EVM_HMAC_FSUUID */
	/* zero: room for members a later libimactl adds (see "ABI" above) */
	uint64_t reserved[IMACTL_PARAMS_RESERVED];
};

/**
 * imactl_evm_hmac() - the EVM HMAC of the file open at @fd as the kernel
 * would compute it on the filesystem the file is on: inode number from
 * fstat(2), generation from FS_IOC_GETVERSION, uid, gid, mode, the xattrs
 * from the descriptor; the UUID comes from @p (the kernel's s_uuid, which
 * userspace cannot ask a 6.1 kernel for).  @hmac receives 20 bytes (the
 * security.evm value is 0x02 followed by them).
 * Return: 0, -EINVAL (bad key length or target_bits), -ENODATA (no
 * protected xattr: the kernel writes no HMAC then), -EOPNOTSUPP (the
 * filesystem has no inode generation), -errno (I/O).
 */
int imactl_evm_hmac(struct imactl_ctx *ctx, int fd, const struct imactl_evm_hmac_params *p,
		    uint8_t hmac[IMACTL_EVM_HMAC_LEN]);

/**
 * imactl_image_hmac() - first-boot labelling: write the EVM HMAC
 * (security.evm 0x02) of each file of @paths (from the root, as
 * sign-tree --mutable-list writes them) into the unmounted ext2/3/4
 * filesystem @image (an image file or a block device), computed as
 * imactl_evm_hmac() with the inode's own number, generation, uid, gid,
 * mode and xattrs and, with IMACTL_EVM_HMAC_FSUUID, the superblock's UUID
 * (@params->fs_uuid is not used).  The kernel's hooks refuse an HMAC
 * written through a mounted filesystem (evm_inode_setxattr() accepts only
 * signature types); the unmounted filesystem is not bound by them.  Each
 * file must be a regular file carrying security.ima.  Nothing is written
 * unless every file could be labelled (then in place, through an undo file
 * as imactl_image_sign() writes).
 * @labelled_ret: when not NULL, the number of files labelled.
 * Return: 0; -ENOENT (a path is not in the image), -ENODATA (a file has no
 * security.ima), -EINVAL, as ext4 images are opened by imactl_image_sign()
 * (-EBUSY mounted, ...); each failure logged with the image and the path.
 */
int imactl_image_hmac(struct imactl_ctx *ctx, const char *image, const char *const *paths,
		      size_t n_paths, const struct imactl_evm_hmac_params *params,
		      uint64_t *labelled_ret);

/*
 * The device's EVM key, held by the kernel's own key types (issue 17): a
 * `trusted` master key "kmk" sealed by the TPM under the persistent parent
 * key @keyhandle, and the `encrypted` key "evm-key" ("default trusted:kmk")
 * under it, both in the caller's user keyring, where the kernel's
 * evm_init_key() (request_key("evm-key")) finds the evm-key when
 * <securityfs>/evm is written by this process.  Only their blobs are stored
 * (what `keyctl pipe` prints: the TPM-sealed kmk, the evm-key encrypted
 * under kmk), as IMACTL_EVMKEY_KMK_BLOB and IMACTL_EVMKEY_EVM_BLOB in
 * @blob_dir, written together with imactl_write_file()'s rules (new files,
 * fsync'ed, renamed into place; all or none).  The plain key never leaves the
 * kernel, except, with @label_image, the material imactl makes for the
 * first-boot labelling: in memory that is locked, excluded from core dumps
 * (MADV_DONTDUMP) and wiped.
 *
 * Enabling (IMACTL_EVMKEY_ENABLE) writes IMACTL_EVM_INIT_HMAC |
 * IMACTL_EVM_INIT_X509 in ONE write to <securityfs>/evm: 6.1's
 * evm_write_key() (evm_secfs.c) sets EVM_SETUP_COMPLETE with the HMAC bit
 * and refuses every later write (-EPERM), so X.509 can come before or with
 * the HMAC bit, never after.  The kernel does not require the X.509
 * certificates on .evm at that moment (they are looked up per file), but a
 * signed file opened before they are there fails: import them first (a
 * warning says when the EVM keyring is empty).  evm_init_key() wipes the
 * evm-key's decrypted data once EVM has copied it: a blob read after
 * enabling would hold zeros, so the blobs are read before.
 *
 * Sealed to PCRs (@pcrs, sha256 bank): create seals kmk under the
 * TPM2_PolicyPCR digest of the PCRs' current values (a trial session on
 * /dev/tpm0; the kernel's "hash=sha256 policydigest="), and stores those
 * values next to the blobs as IMACTL_EVMKEY_PCR_FILE (evmctl's "PCR-NN: HEX"
 * lines).  load, when that file is there, satisfies the policy in a session
 * on /dev/tpm0 (not tpmrm0: the resource manager would flush it), gives its
 * handle to the kernel ("policyhandle=") and flushes it afterwards, whatever
 * happened.  The TPM refuses to unseal once one of those PCRs holds another
 * value (another kernel, command line or boot chain, as the firmware or the
 * boot loader measured them): then load names the PCRs that changed and
 * returns -EACCES.  Needs libtss2 (meson -Dtpm2): without it, -EOPNOTSUPP.
 *
 * Without the device's key the mutable files must be refused, not passed:
 * with EVM not initialized the kernel reports INTEGRITY_UNKNOWN for every
 * file and IMA appraises the hash alone (6.1's evm_verifyxattr() and
 * ima_appraise_measurement()).  imactl_evmkey_enable_x509_only() is for that
 * case: X.509 on and the setup completed without an HMAC key, so every
 * HMAC-type security.evm fails (evm_calc_hmac(): -ENOKEY, appraisal cause
 * "invalid-HMAC") while portable signatures still pass, until the next boot.
 */
#define IMACTL_EVMKEY_KEYHANDLE 0x81000001u /* default TPM 2.0 parent (storage key) */
#define IMACTL_EVMKEY_LEN	32	    /* default evm-key length */
#define IMACTL_EVMKEY_KMK_BLOB	"kmk.blob"
#define IMACTL_EVMKEY_EVM_BLOB	"evm-key.blob"
#define IMACTL_EVMKEY_PCR_FILE	"kmk.pcrs" /* the PCR values kmk is sealed to */
#define IMACTL_EVMKEY_ENABLE	(1u << 0)  /* then EVM HMAC + X.509 on */
#define IMACTL_EVMKEY_REPLACE	(1u << 1)  /* create: replace existing blob files */
/* the bits of <securityfs>/evm (EVM_INIT_* in security/integrity/evm/evm.h) */
#define IMACTL_EVM_INIT_HMAC		 0x1
#define IMACTL_EVM_INIT_X509		 0x2
#define IMACTL_EVM_ALLOW_METADATA_WRITES 0x4
#define IMACTL_EVM_SETUP_COMPLETE	 0x80000000u

struct imactl_evmkey_params {
	const char *blob_dir;	/* where the two blob files are (load) or go (create) */
	uint32_t keyhandle;	/* 0: IMACTL_EVMKEY_KEYHANDLE */
	unsigned int key_len;	/* create: evm-key bytes, 0: IMACTL_EVMKEY_LEN; max 128 */
	unsigned int flags;	/* IMACTL_EVMKEY_ENABLE, IMACTL_EVMKEY_REPLACE */
	const char *securityfs; /* NULL: /sys/kernel/security */
	/*
	 * create only: first-boot labelling.  With @label_image, the evm-key is
	 * instantiated from material imactl makes (the kernel's
	 * CONFIG_USER_DECRYPTED_DATA), then imactl_image_hmac() labels
	 * @label_paths of the unmounted @label_image with it; @label's key and
	 * key_len are ignored.  Without, the kernel makes the material.
	 */
	const char *label_image;
	const char *const *label_paths;
	size_t n_label_paths;
	const struct imactl_evm_hmac_params *label;
	/*
	 * create only: seal kmk to these PCRs of the sha256 bank (bit n: PCR
	 * n, 0 to 23; see imactl_evmkey_parse_pcrs()); 0: no PCR policy.
	 */
	uint64_t pcrs;
	/* zero: room for members a later libimactl adds (see "ABI" above) */
	uint64_t reserved[IMACTL_PARAMS_RESERVED - 1];
};

/**
 * imactl_evmkey_parse_pcrs() - a PCR list as "12" or "0,7,12" (decimal, 0 to
 * 23, each once) into a mask for imactl_evmkey_params.pcrs.
 * Return: 0, -EINVAL (empty, not a number, out of range, repeated).
 */
int imactl_evmkey_parse_pcrs(const char *list, uint64_t *mask_ret);

/**
 * imactl_evmkey_create() - first boot: seal a new kmk in the TPM, make the
 * evm-key under it (labelling the image first, see above), store both
 * blobs in @p->blob_dir, then, with IMACTL_EVMKEY_ENABLE, enable EVM.
 * On failure before the blobs are stored, the two keys are revoked again.
 * With @p->pcrs, IMACTL_EVMKEY_PCR_FILE is stored with the blobs (all or
 * none); without, a IMACTL_EVMKEY_PCR_FILE of an earlier key is removed
 * (IMACTL_EVMKEY_REPLACE) or refused like a blob file.
 * @labelled_ret: when not NULL, the number of files labelled.
 * Return: 0; -EINVAL (bad parameters; the kernel refused the key material:
 * no CONFIG_USER_DECRYPTED_DATA), -EOPNOTSUPP (@p->pcrs, but built without
 * libtss2), -ENODEV (no TPM, or no trusted key type:
 * CONFIG_TRUSTED_KEYS), -EPERM (the TPM refused to seal under the
 * keyhandle: no such persistent key), -EEXIST (kmk or evm-key already in
 * the user keyring; a blob file exists without IMACTL_EVMKEY_REPLACE),
 * -EALREADY (EVM already has its HMAC key), what imactl_image_hmac() and
 * imactl_evmkey_enable() return; every failure logged with its cause.
 */
int imactl_evmkey_create(struct imactl_ctx *ctx, const struct imactl_evmkey_params *p,
			 uint64_t *labelled_ret);

/**
 * imactl_evmkey_load() - every later boot: instantiate kmk (unsealed by the
 * TPM) and the evm-key from the blobs in @p->blob_dir, then, with
 * IMACTL_EVMKEY_ENABLE, enable EVM.  @p->key_len and the label members
 * must be zero.
 * Return: 0; -ENOENT (a blob file is missing), -EBADMSG (a blob file or
 * IMACTL_EVMKEY_PCR_FILE is not of its kind), -EACCES (kmk is sealed to PCRs
 * that changed since: the TPM refused to unseal it; the PCRs are named),
 * -EPERM/-EINVAL (the TPM or the kernel refused a blob: sealed by another TPM
 * or parent, or the evm-key blob does not belong to this kmk), -EOPNOTSUPP
 * (IMACTL_EVMKEY_PCR_FILE is there, built without libtss2), -ENODEV,
 * -EEXIST, -EALREADY as for imactl_evmkey_create().
 */
int imactl_evmkey_load(struct imactl_ctx *ctx, const struct imactl_evmkey_params *p);

/**
 * imactl_evmkey_enable() - write IMACTL_EVM_INIT_HMAC | IMACTL_EVM_INIT_X509
 * to <@securityfs>/evm (NULL: /sys/kernel/security), once (see above).
 * Return: 0; -EALREADY (EVM already has its HMAC key), -ENOENT (the kernel
 * found no evm-key for this process, or no <securityfs>/evm), -EPERM (EVM
 * setup already completed, or no CAP_SYS_ADMIN), -errno.
 */
int imactl_evmkey_enable(struct imactl_ctx *ctx, const char *securityfs);

/**
 * imactl_evmkey_enable_x509_only() - when the device's key cannot be loaded:
 * write IMACTL_EVM_INIT_X509 | IMACTL_EVM_SETUP_COMPLETE to
 * <@securityfs>/evm, so that until the next boot portable signatures are
 * checked, every HMAC-type security.evm fails appraisal ("invalid-HMAC") and
 * no HMAC key can be set any more (see above).
 * Return: 0; -EALREADY (EVM already has its HMAC key), -ENOENT (no
 * <securityfs>/evm), -EPERM (EVM setup already completed, or no
 * CAP_SYS_ADMIN), -errno.
 */
int imactl_evmkey_enable_x509_only(struct imactl_ctx *ctx, const char *securityfs);

struct imactl_evmkey_status {
	int32_t kmk;	 /* serial of kmk in the user keyring; 0: absent */
	int32_t evm_key; /* serial of evm-key; 0: absent */
	int evm_flags;	 /* <securityfs>/evm (IMACTL_EVM_*); -errno: unreadable */
	int evm_certs;	 /* keys on the EVM keyring (.evm or _evm); -errno: none found */
	bool tpm;	 /* /sys/class/tpm/tpm0 exists */
	uint64_t reserved[IMACTL_RESULT_RESERVED];
};

/**
 * imactl_evmkey_status() - which of the keys are in the user keyring, what
 * <@securityfs>/evm says (NULL: /sys/kernel/security), the number of keys on
 * the EVM keyring and whether the kernel sees a TPM.  The kernel hides
 * EVM_SETUP_COMPLETE from that file: with IMACTL_EVM_INIT_HMAC it is set.
 * Return: 0, -EINVAL.
 */
int imactl_evmkey_status(struct imactl_ctx *ctx, const char *securityfs,
			 struct imactl_evmkey_status *st);

/**
 * imactl_sign_fd() - sign the regular file open at @fd (read-only is
 * enough): hash its content from the descriptor, then set security.ima and
 * security.evm with fsetxattr(2) on that same descriptor, so exactly the
 * hashed bytes are signed.  The file's size, mtime and ctime are compared
 * before and after hashing; a change gives -ESTALE and nothing is written.
 * When @fd is read-only, a file that any other descriptor can write to (open
 * for writing, or mapped shared and writable: writes through such a mapping
 * need not move mtime) gives -ETXTBSY before hashing (asked through a read
 * lease, which needs a file system with leases and the file's owner or
 * CAP_LEASE; without them it is not asked).
 * security.evm is signed after security.ima is written, over the metadata
 * fstat(2) reports then.  If signing or writing it fails after security.ima
 * was replaced, the old security.evm is removed so the file never carries a
 * signature that no longer matches; re-signing only IMA likewise removes an
 * EVM value that covered the old one.  @key may be NULL when nothing needs
 * a signature.
 * @values_ret, when not NULL, receives what was written.
 * Return: 0, -EINVAL, -ESTALE, -ETXTBSY, -ENODATA (EVM without any security.ima),
 * -errno from I/O, crypto errors as imactl_sign_digest().
 */
int imactl_sign_fd(struct imactl_ctx *ctx, int fd, const struct imactl_key *key,
		   const struct imactl_sign_params *params,
		   struct imactl_signed_values *values_ret);

/** imactl_signed_values_free() - frees the buffers, not the struct. */
void imactl_signed_values_free(struct imactl_signed_values *values);

/**
 * imactl_signed_values_check() - decode @values->ima (required) and
 * @values->evm (when present) with imactl_xattr_decode(), and check that each
 * is a type its xattr can hold: security.ima a digest (0x01, 0x04) or an IMA
 * signature (0x03, 0x06); security.evm an HMAC (0x02) or a signature (0x03,
 * 0x05).  On failure *@name_ret ("security.ima" or "security.evm") and
 * *@why_ret (a static string) say which value and why; either may be NULL.
 * Return: 0, -EBADMSG, -EINVAL (@values NULL or without ima).
 */
int imactl_signed_values_check(const struct imactl_signed_values *values, const char **name_ret,
			       const char **why_ret);

/* ------------------------------------------------------------------------ */
/* Signature cache                                                          */
/* ------------------------------------------------------------------------ */

/*
 * A directory of signature values already made, so that re-signing a tree in
 * which few files changed costs hashing, not signing.  An entry is keyed by
 * everything the value depends on: the value type (IMA v2, sigv3, EVM
 * portable), the hash algorithm, the signed digest (a file's content or
 * fs-verity digest; for EVM the digest of the exact EVM input: protected
 * xattrs as they will be, uid, gid, mode, the target's word size), the keyid
 * the value carries and the signing key's identity (SHA-256 of its public
 * key).  A value is stored only after it verified with the signing key's
 * public half over that digest, with an HMAC-SHA256 over the entry whose key
 * is derived from the private key (nobody without it can make one); a value
 * found is used only when that MAC checks, or, for a key whose private part
 * cannot be read (PKCS#11), only after it verified again.  So a corrupt or
 * planted entry costs time, never a wrong signature.
 *
 * On disk (format 3): a few segment files DIR/seg3-RANDOM.c3 holding many
 * records each, read whole when the handle is opened (lookups are then in
 * memory); the records a handle stores are written as one new segment when
 * it is flushed or closed (a temporary file created exclusively and renamed
 * into place: readers see a whole segment or none), mode 0600 in a 0700
 * directory; segments are never modified, only merged into a new one and
 * removed (see imactl_sigcache_flush()).  No symbolic link is followed below
 * DIR, and a segment that is not the user's own file is not read.  Several
 * processes may share DIR.  Handles are thread-safe.
 */

/* Default size bound of imactl_sigcache_open() (bytes of its segments). */
#define IMACTL_SIGCACHE_DEFAULT_MAX (1024ull * 1024 * 1024)

/**
 * imactl_sigcache_open() - open (or create, mode 0700, one level) the cache
 * directory @dir.  @dir must not be a symbolic link and must belong to the
 * effective user; access for others is removed (chmod 0700).  @max_bytes
 * bounds the disk space imactl_sigcache_prune() keeps (0: the default).
 * Return: 0, -ELOOP (@dir is a symbolic link), -ENOTDIR, -EPERM (owned by
 * another user), -EINVAL, -ENOMEM, -errno.  Every failure is logged.
 */
int imactl_sigcache_open(struct imactl_ctx *ctx, const char *dir, uint64_t max_bytes,
			 struct imactl_sigcache **cache_ret);

/**
 * imactl_sigcache_close() - imactl_sigcache_flush() (with the context given
 * to imactl_sigcache_open(), which must still exist), then frees the handle;
 * NULL is allowed.
 */
void imactl_sigcache_close(struct imactl_sigcache *cache);

/**
 * imactl_sigcache_flush() - writes the values stored since the last flush
 * as one new segment.  It merges all segments the handle knows into one
 * instead (and removes those it merged) when there would be more than 8, when
 * they exceed the size bound (the least recently used records are dropped
 * down to 90 % of it), when a value reused in this run was last marked used
 * more than a day ago, or when format-2 files are left in the directory
 * (they are removed then; format 2 is never read).  A failure is counted
 * (store_failed) and logged at debug level: the cache only costs time.
 * Return: 0, -EINVAL, -ENOMEM, -errno.
 */
int imactl_sigcache_flush(struct imactl_ctx *ctx, struct imactl_sigcache *cache);

/**
 * imactl_sigcache_lookup() - the value imactl_sign_digest(@key, @type,
 * @digest) would give, when the cache holds one that authenticates.
 * Return: 0 and *value_ret (free()), -ENOENT (none, or an entry that did
 * not authenticate: counted as rejected), -EINVAL, -ENOMEM.
 */
int imactl_sigcache_lookup(struct imactl_ctx *ctx, struct imactl_sigcache *cache,
			   const struct imactl_key *key, enum imactl_xattr_type type,
			   const struct imactl_digest *digest, uint8_t **value_ret,
			   size_t *len_ret);

/**
 * imactl_sigcache_store() - record @value (as imactl_sign_digest() made it)
 * for @key, @type, @digest, once it verified with @key's public half.  A
 * failure to write is logged at debug level and counted, never fatal to
 * signing.
 * Return: 0, -EBADMSG (@value is not a valid signature of @digest by @key:
 * not stored), -EINVAL, -errno.
 */
int imactl_sigcache_store(struct imactl_ctx *ctx, struct imactl_sigcache *cache,
			  const struct imactl_key *key, enum imactl_xattr_type type,
			  const struct imactl_digest *digest, const uint8_t *value, size_t len);

/**
 * imactl_sigcache_sign() - imactl_sign_digest() through @cache: a value
 * that authenticates is reused, otherwise one is made, verified and stored.
 * @cache may be NULL (plain imactl_sign_digest()).  Return: as
 * imactl_sign_digest(), and -EIO when the value just made does not verify
 * (it is neither stored nor returned).
 */
int imactl_sigcache_sign(struct imactl_ctx *ctx, struct imactl_sigcache *cache,
			 const struct imactl_key *key, enum imactl_xattr_type type,
			 const struct imactl_digest *digest, uint8_t **value_ret, size_t *len_ret);

/* What a handle did since it was opened. */
struct imactl_sigcache_stats {
	uint64_t reused;       /* values found and authenticated (MAC, or verified) */
	uint64_t rejected;     /* entries found that did not authenticate (or were malformed) */
	uint64_t signed_new;   /* values signed by imactl_sigcache_sign() */
	uint64_t stored;       /* entries written */
	uint64_t store_failed; /* entries that could not be written */
	uint64_t pruned;       /* entries removed by imactl_sigcache_prune() */
	/*
	 * verifications with the key's public half: every value before it is
	 * stored, and every reused one of a key without a cache MAC (PKCS#11)
	 */
	uint64_t verified;
	/* zeroed by the library: room for members a later libimactl fills */
	uint64_t reserved[IMACTL_RESULT_RESERVED];
};

/** imactl_sigcache_get_stats() - the counters of @cache. */
void imactl_sigcache_get_stats(const struct imactl_sigcache *cache,
			       struct imactl_sigcache_stats *stats);

/**
 * imactl_sigcache_prune() - imactl_sigcache_flush(), always merging: when
 * the records take more than the bound, the least recently used go (a
 * record's last use is refreshed at most daily when it is reused) until
 * they take 90 % of it; also removes temporary files left by a crash (older
 * than an hour).
 * Return: 0, -ENOMEM, -errno (the cache cannot be written).
 */
int imactl_sigcache_prune(struct imactl_ctx *ctx, struct imactl_sigcache *cache);

/* Outcome of imactl_verify_fd(): one status per xattr. */
struct imactl_verify_result {
	int ima_status;			 /* 0, -EBADMSG, -ENOKEY, -ENODATA, or -errno */
	enum imactl_xattr_type ima_type; /* valid when the value decoded */
	int ima_algo;
	uint32_t ima_keyid;
	const char *ima_reason; /* static text when ima_status != 0 */
	int evm_status;		/* as ima_status; -ENODATA when EVM was not asked */
	enum imactl_xattr_type evm_type;
	uint32_t evm_keyid;
	const char *evm_reason;
	/*
	 * The digest (ima_algo) the IMA value was checked against: of the
	 * content, or the fs-verity digest for sigv3.  len 0 when the file was
	 * not hashed (no or a malformed value, ...).
	 */
	struct imactl_digest ima_digest;
	/*
	 * 1 when security.evm holds an EVM HMAC (0x02), looked at with
	 * IMACTL_VERIFY_EVM or IMACTL_VERIFY_EVM_HMAC (else 0): the file is
	 * protected by the device's EVM key, which userspace cannot check (with
	 * IMACTL_VERIFY_EVM, evm_status is -EOPNOTSUPP for it).  A file whose
	 * IMA value verifies is then neither "good" nor "unsigned" but "hmac"
	 * (this took one of the reserved places; the size is unchanged).
	 */
	uint32_t evm_hmac, unused;
	/* zeroed by the library: room for members a later libimactl fills */
	uint64_t reserved[IMACTL_RESULT_RESERVED - 1];
};

#define IMACTL_VERIFY_EVM	  (1u << 0) /* also check security.evm */
#define IMACTL_VERIFY_REQUIRE_SIG (1u << 1) /* a digest-only security.ima is -EBADMSG */
/*
 * A signature in security.ima is decoded, its keyid must be in the keyring
 * (else -ENOKEY) and the content is hashed (ima_digest), but the signature
 * itself is not checked: 0 then says nothing of its validity (ima_reason is
 * "signature not checked").  For callers that only need the digest of
 * signed files (log keylime-policy); digests and EVM are checked as usual.
 */
#define IMACTL_VERIFY_NO_SIG_CHECK (1u << 2)
/*
 * Without IMACTL_VERIFY_EVM: still read security.evm (one more getxattr per
 * file), only to set evm_hmac; evm_status stays -ENODATA.  For callers that
 * tell HMAC-protected files apart without checking EVM (verify-tree).
 */
#define IMACTL_VERIFY_EVM_HMAC (1u << 3)

/**
 * imactl_verify_fd() - check the IMA value of the file open at @fd against
 * its content (a signature against @keyring, a digest against the content;
 * a sigv3 value against the fs-verity digest it must cover, recomputed),
 * and with IMACTL_VERIFY_EVM its EVM portable signature against the current
 * xattrs and metadata.  @keyring may be NULL when only digests are checked.
 * @target_bits: word size of the target for EVM (64 or 32).
 * Return: 0 when everything asked for verifies; otherwise the first failing
 * status (IMA before EVM); details in @result.
 */
int imactl_verify_fd(struct imactl_ctx *ctx, int fd, const struct imactl_keyring *keyring,
		     unsigned int flags, unsigned int target_bits,
		     struct imactl_verify_result *result);

/**
 * imactl_open_regular() - open @path below @dirfd (AT_FDCWD allowed) for
 * reading without following a symbolic link in the last component, and only
 * if it is a regular file (devices and fifos are not even opened).
 * Return: the fd (>= 0), -ELOOP (symlink), -EISDIR, -EINVAL (other
 * non-regular type), -errno.
 */
int imactl_open_regular(int dirfd, const char *path);

/** imactl_keyid_from_hex() - parse "0x1234abcd"/"1234abcd". Return: 0, -EINVAL. */
int imactl_keyid_from_hex(const char *str, uint32_t *keyid);

/* ------------------------------------------------------------------------ */
/* IMA policies                                                             */
/* ------------------------------------------------------------------------ */

/*
 * A policy is parsed as the kernel's ima_parse_add_rule()/ima_parse_rule()/
 * ima_validate_rule() parse it (security/integrity/ima/ima_policy.c), for the
 * kernel version and configuration given in struct imactl_policy_options,
 * and then linted.  Every finding is a diagnostic with a line, a column and a
 * severity; a rule the kernel would refuse is an IMACTL_DIAG_ERROR.
 */

/* Kernel versions as (major << 16 | minor << 8). */
#define IMACTL_KERNEL_VERSION(a, b) (((a) << 16) | ((b) << 8))
/* The oldest kernel whose policy grammar is modelled (older: -EINVAL). */
#define IMACTL_KERNEL_OLDEST IMACTL_KERNEL_VERSION(5, 4)

enum imactl_diag_severity {
	IMACTL_DIAG_ERROR = 1,	 /* the kernel refuses the policy */
	IMACTL_DIAG_WARNING = 2, /* loads, but probably not what was meant */
	IMACTL_DIAG_NOTE = 3,	 /* information attached to the finding before */
};

struct imactl_diag {
	unsigned int line;   /* 1-based; 0 for the whole file */
	unsigned int column; /* 1-based byte column; 0 for the whole line */
	int severity;	     /* enum imactl_diag_severity */
	const char *code;    /* stable short name, e.g. "unknown-keyword" */
	char *message;	     /* owned by the policy/kconfig result */
};

enum imactl_policy_action {
	IMACTL_ACT_NONE = 0,
	IMACTL_ACT_MEASURE,
	IMACTL_ACT_DONT_MEASURE,
	IMACTL_ACT_APPRAISE,
	IMACTL_ACT_DONT_APPRAISE,
	IMACTL_ACT_AUDIT,
	IMACTL_ACT_HASH,
	IMACTL_ACT_DONT_HASH,
};

/* func= values (aliases: PATH_CHECK = FILE_CHECK, FILE_MMAP = MMAP_CHECK). */
enum imactl_policy_func {
	IMACTL_FUNC_NONE = 0,
	IMACTL_FUNC_FILE_CHECK,
	IMACTL_FUNC_MMAP_CHECK,
	IMACTL_FUNC_MMAP_CHECK_REQPROT,
	IMACTL_FUNC_BPRM_CHECK,
	IMACTL_FUNC_CREDS_CHECK,
	IMACTL_FUNC_MODULE_CHECK,
	IMACTL_FUNC_FIRMWARE_CHECK,
	IMACTL_FUNC_KEXEC_KERNEL_CHECK,
	IMACTL_FUNC_KEXEC_INITRAMFS_CHECK,
	IMACTL_FUNC_POLICY_CHECK,
	IMACTL_FUNC_KEXEC_CMDLINE,
	IMACTL_FUNC_KEY_CHECK,
	IMACTL_FUNC_CRITICAL_DATA,
	IMACTL_FUNC_SETXATTR_CHECK,
};

/* mask= bits (the kernel's MAY_* values). */
#define IMACTL_MAY_EXEC	  0x1
#define IMACTL_MAY_WRITE  0x2
#define IMACTL_MAY_READ	  0x4
#define IMACTL_MAY_APPEND 0x8

/* Which conditions and options a rule has (struct imactl_policy_rule.cond). */
#define IMACTL_COND_FUNC     (1u << 0)
#define IMACTL_COND_MASK     (1u << 1) /* mask=MAY_X: exact */
#define IMACTL_COND_INMASK   (1u << 2) /* mask=^MAY_X: any of */
#define IMACTL_COND_FSMAGIC  (1u << 3)
#define IMACTL_COND_FSNAME   (1u << 4)
#define IMACTL_COND_FSUUID   (1u << 5)
#define IMACTL_COND_UID	     (1u << 6)
#define IMACTL_COND_EUID     (1u << 7)
#define IMACTL_COND_GID	     (1u << 8)
#define IMACTL_COND_EGID     (1u << 9)
#define IMACTL_COND_FOWNER   (1u << 10)
#define IMACTL_COND_FGROUP   (1u << 11)
#define IMACTL_COND_LSM	     (1u << 12) /* obj_* / subj_* labels */
#define IMACTL_COND_KEYRINGS (1u << 13)
#define IMACTL_COND_LABEL    (1u << 14)
/* options */
#define IMACTL_OPT_PCR	     (1u << 16)
#define IMACTL_OPT_TEMPLATE  (1u << 17)
#define IMACTL_OPT_DIGSIG    (1u << 18) /* appraise_type=imasig/sigv3/... */
#define IMACTL_OPT_MODSIG    (1u << 19) /* appraise_type=imasig|modsig */
#define IMACTL_OPT_VERITY    (1u << 20) /* digest_type=verity */
#define IMACTL_OPT_BLACKLIST (1u << 21) /* appraise_flag=check_blacklist */
#define IMACTL_OPT_ALGOS     (1u << 22) /* appraise_algos= */
#define IMACTL_OPT_DIRECTIO  (1u << 23) /* permit_directio */

/* Index of the LSM labels in struct imactl_policy_rule.lsm. */
enum imactl_policy_lsm {
	IMACTL_LSM_OBJ_USER,
	IMACTL_LSM_OBJ_ROLE,
	IMACTL_LSM_OBJ_TYPE,
	IMACTL_LSM_SUBJ_USER,
	IMACTL_LSM_SUBJ_ROLE,
	IMACTL_LSM_SUBJ_TYPE,
	IMACTL_LSM_COUNT,
};

/* One rule as the kernel would store it.  Strings are NUL-terminated copies. */
struct imactl_policy_rule {
	unsigned int line;
	bool valid;	   /* false: the kernel refuses it (see the diagnostics) */
	int action;	   /* enum imactl_policy_action */
	int func;	   /* enum imactl_policy_func */
	unsigned int cond; /* IMACTL_COND_* | IMACTL_OPT_* */
	unsigned int mask; /* IMACTL_MAY_* */
	unsigned long fsmagic;
	uint8_t fsuuid[16];
	char *fsname;
	uint32_t uid, gid, fowner, fgroup;	   /* uid/euid share uid, gid/egid gid */
	char uid_op, gid_op, fowner_op, fgroup_op; /* '=', '<' or '>' */
	int pcr;
	char *template_name;
	char *keyrings; /* "a|b" as written */
	char *label;
	char *lsm[IMACTL_LSM_COUNT];
	uint32_t algos;		 /* appraise_algos: bit (1 << enum imactl_hash_algo) */
	unsigned int min_kernel; /* oldest modelled kernel that accepts this rule; 0: none */
	char *text;		 /* the line, without its newline */
};

struct imactl_policy {
	struct imactl_policy_rule *rules; /* every rule line, valid or not */
	size_t n_rules;
	struct imactl_diag *diags; /* sorted by line */
	size_t n_diags;
	size_t n_errors, n_warnings;
};

struct imactl_kconfig; /* a parsed kernel .config */

/* Flags of struct imactl_policy_options. */
#define IMACTL_POLICY_NO_LINT (1u << 0) /* only what the kernel checks */
/* The policy will be loaded by path (signed): it must end with a newline. */
#define IMACTL_POLICY_BY_PATH (1u << 1)
/* The file carries an IMA signature (lint: signed policies are required?) */
#define IMACTL_POLICY_SIGNED (1u << 2)

struct imactl_policy_options {
	unsigned int kernel;		      /* IMACTL_KERNEL_VERSION(); 0 = newest modelled */
	const struct imactl_kconfig *kconfig; /* NULL: options unknown */
	unsigned int flags;		      /* IMACTL_POLICY_* */
	/* zero: room for members a later libimactl adds (see "ABI" above) */
	uint64_t reserved[IMACTL_PARAMS_RESERVED];
};

/**
 * imactl_policy_parse() - parse and check the policy text @buf (@len bytes,
 * need not be NUL-terminated; NUL bytes, invalid UTF-8, CR, overlong lines
 * are diagnosed, never trusted).  @opts may be NULL (newest kernel, unknown
 * configuration, lint on).  Findings are in (*policy_ret)->diags; the
 * function succeeds even when the policy has errors.
 * Return: 0, -EINVAL (@opts->kernel older than IMACTL_KERNEL_OLDEST),
 * -ENOMEM.  Free the result with imactl_policy_free().
 */
int imactl_policy_parse(struct imactl_ctx *ctx, const char *buf, size_t len,
			const struct imactl_policy_options *opts,
			struct imactl_policy **policy_ret);

/** imactl_policy_free() - NULL is allowed. */
void imactl_policy_free(struct imactl_policy *policy);

/**
 * imactl_policy_kernel_parse() - "6.1", "6.12.3" -> IMACTL_KERNEL_VERSION().
 * Return: 0, -EINVAL (malformed or older than IMACTL_KERNEL_OLDEST).
 */
int imactl_policy_kernel_parse(const char *str, unsigned int *version);

/** imactl_policy_func_name() - "BPRM_CHECK", ...; NULL for an unknown id. */
const char *imactl_policy_func_name(enum imactl_policy_func func);

/** imactl_policy_action_name() - "appraise", ...; NULL for an unknown id. */
const char *imactl_policy_action_name(enum imactl_policy_action action);

/* A file (or other object) as the appraisal decision sees it. */
struct imactl_policy_subject {
	int func;	   /* enum imactl_policy_func: the hook */
	unsigned int mask; /* IMACTL_MAY_*: the access */
	unsigned long fsmagic;
	const char *fsname;	       /* NULL: unknown (fsname= rules do not match) */
	const uint8_t *fsuuid;	       /* 16 bytes, NULL: unknown */
	uint32_t uid, euid, gid, egid; /* the process */
	uint32_t fowner, fgroup;       /* the file */
};

/**
 * imactl_policy_appraise_rule() - the rule that decides appraisal of
 * @subject: the first valid appraise or dont_appraise rule that matches (the
 * kernel's ima_match_policy() for IMA_APPRAISE).  Rules with LSM labels are
 * skipped (their outcome depends on the running LSM); they are counted in
 * *@skipped_lsm when not NULL.
 * Return: the index into @policy->rules, or -ENOENT (no rule: not appraised).
 */
int imactl_policy_appraise_rule(const struct imactl_policy *policy,
				const struct imactl_policy_subject *subject,
				unsigned int *skipped_lsm);

/**
 * imactl_policy_write() - load policy text into the kernel: open
 * @policy_path (securityfs ima/policy) once for writing and write @buf,
 * continuing after short writes (the kernel takes one rule per write(2)).
 * When the kernel refuses, *@offset_ret gets the byte offset of the refused
 * line.  To load a signed policy by path, pass the absolute path as @buf.
 * Return: 0, or the -errno of open(2)/write(2): -EINVAL (a rule was
 * refused), -EACCES (a signed policy is required, or its signature failed),
 * -ENOENT (no policy file: securityfs not mounted or a policy already loaded).
 */
int imactl_policy_write(struct imactl_ctx *ctx, const char *policy_path, const char *buf,
			size_t len, size_t *offset_ret);

/* ------------------------------------------------------------------------ */
/* Kernel configuration                                                     */
/* ------------------------------------------------------------------------ */

/**
 * imactl_kconfig_parse() - parse a kernel .config (CONFIG_X=y|m|"str"|n and
 * "# CONFIG_X is not set").  Malformed lines are ignored.
 * Return: 0, -ENOMEM.  Free with imactl_kconfig_free().
 */
int imactl_kconfig_parse(struct imactl_ctx *ctx, const char *buf, size_t len,
			 struct imactl_kconfig **kconfig_ret);

/** imactl_kconfig_free() - NULL is allowed. */
void imactl_kconfig_free(struct imactl_kconfig *kconfig);

/**
 * imactl_kconfig_get() - the value of option @name ("CONFIG_IMA" or "IMA"):
 * "y", "m", a quoted string or number as written, or NULL when the option is
 * not set.  The string belongs to @kconfig.
 */
const char *imactl_kconfig_get(const struct imactl_kconfig *kconfig, const char *name);

/* Features for imactl_kconfig_check(). */
#define IMACTL_KFEAT_IMA	   (1u << 0) /* measurement */
#define IMACTL_KFEAT_APPRAISE	   (1u << 1) /* IMA appraisal with signatures */
#define IMACTL_KFEAT_EVM	   (1u << 2)
#define IMACTL_KFEAT_SIGNED_POLICY (1u << 3)
#define IMACTL_KFEAT_MODSIG	   (1u << 4) /* signed kernel modules */
#define IMACTL_KFEAT_TPM	   (1u << 5)
#define IMACTL_KFEAT_EVM_HMAC	   (1u << 6) /* EVM HMAC, key sealed by the TPM (evm-key) */
#define IMACTL_KFEAT_ALL	   0x7fu

/**
 * imactl_kconfig_feature_parse() - "ima,evm,appraise" -> IMACTL_KFEAT_*
 * ("all" for every feature).  Return: 0, -EINVAL (*@bad gets the unknown name,
 * pointing into @list).
 */
int imactl_kconfig_feature_parse(const char *list, unsigned int *features, const char **bad,
				 size_t *bad_len);

/**
 * imactl_kconfig_check() - compare @kconfig with what @features need.  One
 * diagnostic per missing or wrong option (severity error when the feature
 * cannot work, warning when it works less well), its message naming the
 * option, the value found and wanted, the feature and why.  The line of a
 * diagnostic is 0.  Release with imactl_diags_free().
 * Return: 0, -ENOMEM.
 */
int imactl_kconfig_check(struct imactl_ctx *ctx, const struct imactl_kconfig *kconfig,
			 unsigned int features, struct imactl_diag **diags_ret, size_t *n_ret);

/**
 * imactl_kconfig_version() - the kernel version in @kconfig's header line
 * ("# Linux/x86 6.1.192 Kernel Configuration") as IMACTL_KERNEL_VERSION(),
 * 0 when there is none.
 */
unsigned int imactl_kconfig_version(const struct imactl_kconfig *kconfig);

/**
 * imactl_kconfig_check_kernel() - options set in @kconfig that Linux @kernel
 * (IMACTL_KERNEL_VERSION()) does not have, from the history of the IMA, EVM,
 * integrity-keyring and signature-crypto options between 5.4 and 6.12: one
 * warning ("kconfig-version") each.  Release with imactl_diags_free().
 * Return: 0, -EINVAL (@kernel older than IMACTL_KERNEL_OLDEST), -ENOMEM.
 */
int imactl_kconfig_check_kernel(struct imactl_ctx *ctx, const struct imactl_kconfig *kconfig,
				unsigned int kernel, struct imactl_diag **diags_ret, size_t *n_ret);

#define IMACTL_CERT_SIGV3 (1u << 0) /* the signatures are sigv3 (fs-verity) */

/**
 * imactl_kernel_cert_check() - can Linux @kernel (IMACTL_KERNEL_VERSION();
 * 0: the version in @kconfig's header, or unknown), built with @kconfig
 * (NULL: unknown), verify IMA signatures made with @cert's key at all?  ECDSA
 * needs Linux 5.13 (P-384: 5.14) and CONFIG_CRYPTO_ECDSA built in, RSA
 * CONFIG_CRYPTO_RSA; with IMACTL_CERT_SIGV3, Linux 5.19 and CONFIG_FS_VERITY.
 * Errors: it cannot; warnings: only once a module is loaded.  Release with
 * imactl_diags_free().
 * Return: 0, -EINVAL (@kernel older than IMACTL_KERNEL_OLDEST), -ENOMEM.
 */
int imactl_kernel_cert_check(struct imactl_ctx *ctx, const struct imactl_cert *cert,
			     const struct imactl_kconfig *kconfig, unsigned int kernel,
			     unsigned int flags, struct imactl_diag **diags_ret, size_t *n_ret);

/** imactl_diags_free() - frees @n diagnostics and the array. */
void imactl_diags_free(struct imactl_diag *diags, size_t n);
/* Kernel keyrings (Linux keyutils)                                         */
/* ------------------------------------------------------------------------ */

/**
 * imactl_kernel_keyring() - find (or create) the kernel keyring IMA or EVM
 * takes its keys from, and return its serial in @serial_ret.
 * @name: a decimal serial; ".ima", ".evm" or any name starting with "."
 * (a kernel keyring, found in /proc/keys); "_ima", "_evm" or any other name
 * (a keyring linked into the user keyring, created there when @create is
 * set); "ima" or "evm": ".ima"/".evm" when the kernel has them
 * (CONFIG_INTEGRITY_TRUSTED_KEYRING), else "_ima"/"_evm".
 * Return: 0, -ENOENT (no such keyring), -ENOTDIR (the serial is a key, not
 * a keyring), -EINVAL (empty name), -errno from
 * the kernel (-EACCES, -EDQUOT, ...).
 */
int imactl_kernel_keyring(struct imactl_ctx *ctx, const char *name, bool create,
			  int32_t *serial_ret);

/**
 * imactl_kernel_import_cert() - add @cert (sent to the kernel in DER) to
 * the kernel keyring @keyring as an "asymmetric" key; the kernel names it
 * from the certificate.  @serial_ret gets the new key's serial.
 * Return: 0 or what the kernel said, e.g. -EBADMSG (it could not parse the
 * certificate), -ENOPKG (it lacks the key or hash algorithm),
 * -ENOKEY (the keyring only takes certificates signed by a trusted key and
 * the signer is unknown), -EKEYREJECTED (the signature on the certificate
 * is bad), -EACCES (no write permission on the keyring), -ENOMEM.
 */
int imactl_kernel_import_cert(struct imactl_ctx *ctx, const struct imactl_cert *cert,
			      int32_t keyring, int32_t *serial_ret);
/* Measurement lists (attestation)                                          */
/* ------------------------------------------------------------------------ */

/*
 * The kernel's measurement list, /sys/kernel/security/ima/
 * {binary,ascii}_runtime_measurements, read as a stream: memory does not
 * grow with the list.  Every length is checked against what was read;
 * one entry is at most IMACTL_MLOG_MAX_ENTRY bytes.
 *
 * Binary lists are written in the endianness of the machine that produced
 * them (little-endian with the kernel's ima_canonical_fmt boot option).
 * IMACTL_MLOG_AUTO_ENDIAN (the default) takes it from the first entry; the
 * template hash covers the field lengths in that same byte order.  An ascii
 * list carries no byte order: its field lengths are rebuilt little-endian
 * unless IMACTL_MLOG_BIG_ENDIAN is given.
 */
enum imactl_mlog_format {
	IMACTL_MLOG_FORMAT_AUTO = 0,
	IMACTL_MLOG_FORMAT_BINARY,
	IMACTL_MLOG_FORMAT_ASCII,
};

#define IMACTL_MLOG_LITTLE_ENDIAN (1u << 0)
#define IMACTL_MLOG_BIG_ENDIAN	  (1u << 1)

#define IMACTL_MLOG_MAX_ENTRY  (1u << 20)
#define IMACTL_MLOG_MAX_FIELDS 16
#define IMACTL_MLOG_NUM_PCRS   24

struct imactl_mlog; /* a measurement-list reader */

/* One template field: its id ("d-ng", "sig", ...) and its binary data. */
struct imactl_mlog_field {
	const char *id;
	const uint8_t *data;
	uint32_t len;
};

/*
 * One entry; every pointer refers into the reader and stays valid only until
 * the next imactl_mlog_next() or imactl_mlog_free().
 */
struct imactl_mlog_entry {
	uint64_t number; /* 1 for the first entry */
	uint64_t offset; /* byte offset of the entry in the list */
	uint32_t pcr;
	uint8_t template_hash[20]; /* the SHA-1 template hash as logged */
	bool violation;		   /* logged template hash is all zero */
	const char *template_name;
	bool template_known;	      /* the fields below were decoded */
	const uint8_t *template_data; /* what the template hashes cover */
	size_t template_data_len;
	const uint8_t *raw; /* the entry as read (a line for ascii) */
	size_t raw_len;
	unsigned int nfields;
	struct imactl_mlog_field fields[IMACTL_MLOG_MAX_FIELDS];
	/* decoded from d / d-ng / d-ngv2; digest_algo 0 when unknown */
	int digest_algo;
	const uint8_t *digest;
	unsigned int digest_len;
	const char *digest_type; /* "ima", "verity" (d-ngv2) or NULL */
	const char *path;	 /* n / n-ng, NUL-terminated, or NULL */
	const uint8_t *sig;	 /* sig: a security.ima (or EVM) value */
	size_t sig_len;
	const uint8_t *evmsig; /* evmsig: a security.evm value */
	size_t evmsig_len;
	const uint8_t *modsig; /* modsig: PKCS#7 appended signature */
	size_t modsig_len;
	const uint8_t *buf; /* buf (ima-buf) */
	size_t buf_len;
	/* d-modsig: the digest of the file without its appended signature */
	int modsig_digest_algo;
	const uint8_t *modsig_digest;
	unsigned int modsig_digest_len;
};

/**
 * imactl_mlog_open_fd() - read a list from @fd (not closed by the library).
 * @format: IMACTL_MLOG_FORMAT_*; AUTO looks at the first bytes.
 * @flags: IMACTL_MLOG_LITTLE_ENDIAN / IMACTL_MLOG_BIG_ENDIAN (default: auto).
 * Return: 0, -EINVAL, -ENOMEM.
 */
int imactl_mlog_open_fd(struct imactl_ctx *ctx, int fd, enum imactl_mlog_format format,
			unsigned int flags, struct imactl_mlog **mlog_ret);

/**
 * imactl_mlog_open_mem() - read a list from memory; @buf must outlive the
 * reader.  Return: as imactl_mlog_open_fd().
 */
int imactl_mlog_open_mem(struct imactl_ctx *ctx, const void *buf, size_t len,
			 enum imactl_mlog_format format, unsigned int flags,
			 struct imactl_mlog **mlog_ret);

/**
 * imactl_mlog_next() - read and decode the next entry.  At the end of the
 * list *@entry_ret is set to NULL and 0 returned.
 * Return: 0, -EBADMSG (malformed or truncated entry; @why, when not NULL,
 * gets a static text; the reader cannot go on), -EIO/-errno (read).
 */
int imactl_mlog_next(struct imactl_mlog *mlog, const struct imactl_mlog_entry **entry_ret,
		     const char **why);

/** imactl_mlog_format() - the format being read (known after the first entry). */
int imactl_mlog_format(const struct imactl_mlog *mlog);

/** imactl_mlog_free() - NULL is allowed. */
void imactl_mlog_free(struct imactl_mlog *mlog);

/* PCR values of one bank, e.g. read from the TPM. */
struct imactl_pcr_bank {
	int algo;	/* enum imactl_hash_algo */
	uint32_t known; /* bit n set: pcr[n] is known */
	uint8_t pcr[IMACTL_MLOG_NUM_PCRS][IMACTL_MAX_DIGEST_SIZE];
};

/**
 * imactl_pcrs_read_sysfs() - read the TPM's PCRs of bank @algo from
 * @dir/pcr-<alg>/<n> (@dir NULL: /sys/class/tpm/tpm0).
 * Return: 0, -ENOENT (no such bank), -EBADMSG (a file is not a hex digest
 * of the bank's size), -errno.
 */
int imactl_pcrs_read_sysfs(struct imactl_ctx *ctx, const char *dir, enum imactl_hash_algo algo,
			   struct imactl_pcr_bank *bank);

/**
 * imactl_pcrs_read_file() - read evmctl's PCR file format, one
 * "PCR-NN: HEX" line per PCR (spaces inside HEX are allowed, other lines
 * are ignored), as the values of bank @algo.
 * Return: 0, -EBADMSG (a PCR line is malformed or no PCR line), -errno.
 */
int imactl_pcrs_read_file(struct imactl_ctx *ctx, const char *path, enum imactl_hash_algo algo,
			  struct imactl_pcr_bank *bank);

/*
 * Verifying a list: check every template hash, replay the PCRs per bank,
 * check signatures, compare with known PCR values.
 */
struct imactl_mlog_verifier;

#define IMACTL_MLOG_IGNORE_VIOLATIONS (1u << 0) /* a violation does not fail */

struct imactl_mlog_verify_params {
	const int *banks; /* hash algorithms to replay (sha1, sha256, sha384, sha512) */
	unsigned int nbanks;
	const struct imactl_keyring *keyring; /* NULL: signatures not checked */
	unsigned int flags;		      /* IMACTL_MLOG_IGNORE_VIOLATIONS */
	/*
	 * evm-sig: word size of the system that wrote the list (its struct
	 * h_misc is 24 bytes on 64-bit, 20 on 32-bit): 64, 32, or 0 for
	 * either (the 64-bit layout is tried first).
	 */
	unsigned int target_bits;
	/* zero: room for members a later libimactl adds (see "ABI" above) */
	uint64_t reserved[IMACTL_PARAMS_RESERVED];
};

/* Signature status of an entry. */
enum imactl_mlog_sig_status {
	IMACTL_MLOG_SIG_NOT_CHECKED = 0, /* no keyring, or no signature field */
	IMACTL_MLOG_SIG_GOOD,
	IMACTL_MLOG_SIG_BAD,
	IMACTL_MLOG_SIG_UNKNOWN_KEY,
	IMACTL_MLOG_SIG_UNSIGNED,    /* a signature template, empty sig field */
	IMACTL_MLOG_SIG_UNSUPPORTED, /* e.g. an EVM value in sig: not checked */
};

/* What imactl_mlog_verifier_add() found for one entry. */
struct imactl_mlog_entry_result {
	int status;	       /* 0, or -EBADMSG: the entry fails */
	const char *reason;    /* static text when status != 0 */
	bool template_hash_ok; /* false also when it could not be checked */
	enum imactl_mlog_sig_status sig;
	uint32_t keyid; /* of the signature, when there is one */
	/* zeroed by the library: room for members a later libimactl fills */
	uint64_t reserved[IMACTL_RESULT_RESERVED];
};

/**
 * imactl_mlog_verifier_new() - a verifier replaying @params->banks from
 * all-zero PCRs.  Return: 0, -EINVAL (no bank, unsupported bank), -ENOMEM.
 */
int imactl_mlog_verifier_new(struct imactl_ctx *ctx, const struct imactl_mlog_verify_params *params,
			     struct imactl_mlog_verifier **verifier_ret);

/**
 * imactl_mlog_verifier_set_pcrs() - the PCR values to compare with (e.g. the
 * TPM's), one call per bank; the list may be ahead of them: a match after
 * any prefix is found.  Return: 0, -EINVAL (bank not replayed).
 */
int imactl_mlog_verifier_set_pcrs(struct imactl_mlog_verifier *v,
				  const struct imactl_pcr_bank *bank);

/**
 * imactl_mlog_verifier_add() - check one entry and extend the replayed
 * PCRs.  A template hash that does not match, a violation (without
 * IMACTL_MLOG_IGNORE_VIOLATIONS), a bad or unknown-key signature, or a
 * template whose hash cannot be computed (unknown template in an ascii
 * list) gives result->status -EBADMSG.
 * Return: 0 (see @result for the outcome), -EINVAL, -ENOMEM, -EIO.
 */
int imactl_mlog_verifier_add(struct imactl_mlog_verifier *v, const struct imactl_mlog_entry *entry,
			     struct imactl_mlog_entry_result *result);

/* Per bank and PCR, after imactl_mlog_verifier_add() of the whole list. */
struct imactl_mlog_pcr_result {
	int algo;
	unsigned int pcr;
	uint8_t replayed[IMACTL_MAX_DIGEST_SIZE]; /* after the whole list */
	uint8_t known[IMACTL_MAX_DIGEST_SIZE];	  /* the value compared with */
	bool extended;				  /* the list has entries on this PCR */
	bool compared;				  /* a known value existed for this PCR */
	/*
	 * The known value is the replay of a prefix of the list; not when it is
	 * all zero while the list extends the PCR (@zero: the TPM saw none).
	 */
	bool matched;
	bool zero;
	bool padded; /* matched with the sha1 hash zero-padded (old kernels) */
	/*
	 * Entries of the whole list replayed when the value matched: the
	 * entries on this PCR up to there are attested by it, later ones not.
	 */
	uint64_t matched_at;
};

struct imactl_mlog_summary {
	uint64_t entries;
	uint64_t violations;
	uint64_t failed; /* entries with status != 0 */
	uint64_t sig_good, sig_bad, sig_unknown_key, sig_unsigned, sig_unsupported;
	int boot_aggregate; /* 0 ok, -EBADMSG mismatch, -ENODATA not checked */
	/*
	 * Known PCR values given (imactl_mlog_verifier_set_pcrs()): then the
	 * longest prefix of the list whose every entry lies at or before its
	 * own PCR's match point in every compared bank is attested, and every
	 * PCR the list extends must be compared in every replayed bank.
	 */
	bool pcrs_given;
	uint64_t attested;
	unsigned int uncompared; /* results with extended && !compared (given) */
	bool pcrs_ok;		 /* every compared PCR matched (true if none) */
	unsigned int npcrs;
	struct imactl_mlog_pcr_result pcrs[4 * IMACTL_MLOG_NUM_PCRS];
	/* zeroed by the library: room for members a later libimactl fills */
	uint64_t reserved[IMACTL_RESULT_RESERVED];
};

/**
 * imactl_mlog_verifier_summary() - counts, the replayed PCRs and their
 * comparison with the known values, the boot_aggregate check (against
 * PCRs 0-7 for sha1, 0-9 for other banks, when known).
 * Return: 0 when the list verified (no failed entry, every compared PCR
 * matched, boot_aggregate not mismatched; with PCR values given: every PCR
 * the list extends compared in every bank, and some entry attested when
 * there are entries to check), -EBADMSG otherwise.
 */
int imactl_mlog_verifier_summary(struct imactl_mlog_verifier *v,
				 struct imactl_mlog_summary *summary);

/**
 * imactl_mlog_verifier_save() - serialise the verifier's position for
 * incremental verification: with PCR values, a position within the attested
 * prefix (the last PCR match there); without, all entries; the replayed
 * PCRs there, a SHA-256 over the list's bytes up to that point and the
 * binding (imactl_mlog_verifier_bind()), as text.  Needs
 * imactl_mlog_verifier_track_bytes().  It protects against a list that was
 * rewritten or truncated since (the bytes hash) and against use with another
 * list or PCR source (the binding); it does not protect against whoever can
 * write the state file: keep it where only the verifier can write (see
 * imactl_mlog_state_read()).
 * Return: 0, -EINVAL (bytes not tracked), -EBADMSG (the list did not
 * verify, or no entry is attested), -ENOMEM.
 */
int imactl_mlog_verifier_save(struct imactl_mlog_verifier *v, char **text_ret);

/**
 * imactl_mlog_verifier_track_bytes() - hash every entry's raw bytes (needed
 * for imactl_mlog_verifier_save() and _resume()).  Call before the first
 * entry.  Return: 0, -ENOMEM, -EINVAL.
 */
int imactl_mlog_verifier_track_bytes(struct imactl_mlog_verifier *v);

/**
 * imactl_mlog_verifier_resume() - continue from a saved position: entries up
 * to the saved count must be passed to imactl_mlog_verifier_add() again;
 * they are not checked, only hashed and compared with the saved hash, then
 * replay continues from the saved PCRs.  Also needs _track_bytes().
 * imactl_mlog_verifier_add() reports -EBADMSG with reason "the list was
 * rewritten" when the bytes differ.
 * Return: 0, -EBADMSG (malformed state, or its banks differ from the
 * verifier's), -ESTALE (bound to another identity; logged), -ENOMEM.
 */
int imactl_mlog_verifier_resume(struct imactl_mlog_verifier *v, const char *text);

/**
 * imactl_mlog_verifier_bind() - bind saved states to @identity (e.g. the
 * list's path and the PCR source): imactl_mlog_verifier_save() records its
 * SHA-256, imactl_mlog_verifier_resume() refuses a state bound otherwise.
 * Call before the first entry.  Return: 0, -EINVAL.
 */
int imactl_mlog_verifier_bind(struct imactl_mlog_verifier *v, const char *identity);

/**
 * imactl_mlog_state_read() - read a state file, trusted only when it is a
 * regular file (not a link: O_NOFOLLOW; a FIFO is not waited on) owned by
 * the caller's effective uid and writable neither by its group nor others.
 * Return: 0 and a NUL-terminated text to free(); -ENOENT (no state yet, not
 * logged); -EPERM (not trusted; logged); -EFBIG; -errno.
 */
int imactl_mlog_state_read(struct imactl_ctx *ctx, const char *path, char **text_ret);

/**
 * imactl_mlog_state_write() - imactl_write_file() of @text with mode 0600,
 * replacing the previous state.  Return: as imactl_write_file().
 */
int imactl_mlog_state_write(struct imactl_ctx *ctx, const char *path, const char *text);

/** imactl_mlog_verifier_resumed() - entries skipped thanks to the state. */
uint64_t imactl_mlog_verifier_resumed(const struct imactl_mlog_verifier *v);

/** imactl_mlog_verifier_free() - NULL is allowed. */
void imactl_mlog_verifier_free(struct imactl_mlog_verifier *v);

/**
 * imactl_cert_pubkey_der() - the certificate's public key as a DER
 * SubjectPublicKeyInfo (e.g. for Keylime's verification-keys).  Free
 * *@der_ret with imactl_free().  Return: 0, -EINVAL, -ENOMEM.
 */
int imactl_cert_pubkey_der(const struct imactl_cert *cert, uint8_t **der_ret, size_t *len_ret);

/* ------------------------------------------------------------------------ */
/* Keylime runtime policies: reference values for a measurement list        */
/* ------------------------------------------------------------------------ */

/*
 * A Keylime runtime policy (JSON, Keylime's runtime-policy schema version 1:
 * "meta", "release", "digests", "excludes", "keyrings", "ima", "ima-buf",
 * "verification-keys", all required as Keylime's validator requires them)
 * used to judge the entries of a measurement list, as Keylime's verifier
 * judges them, with one rule stricter (see imactl_runtime_policy_check()).
 * Paths are looked up in hash tables.  Excludes are Python regular
 * expressions matched at the start of a name (Python's re.match); they are
 * compiled with POSIX regcomp(REG_EXTENDED) in a UTF-8 locale: \d \D become
 * [0-9] [^0-9]; (?...) groups, \A \Z and escapes of letters or digits inside
 * [...] are refused (-EBADMSG, logged), and \w \s \b match ASCII only.
 * The object keeps state while one list is judged (keys measured into
 * keyrings by the list): use one per list; not for concurrent use.
 */
struct imactl_runtime_policy;

/**
 * imactl_runtime_policy_parse() - parse the policy in @buf (@len bytes);
 * @name (e.g. the file name) prefixes every logged error, which names the
 * field at fault.  A DSSE-signed envelope is refused (check and unwrap it
 * first).  Return: 0, -EBADMSG (not JSON, or not a valid runtime policy),
 * -ENOMEM.
 */
int imactl_runtime_policy_parse(struct imactl_ctx *ctx, const void *buf, size_t len,
				const char *name, struct imactl_runtime_policy **pol_ret);

/**
 * imactl_runtime_policy_load() - read @path (a regular file, at most
 * 1 GiB, symlinks not followed) and parse it.
 * Return: as imactl_runtime_policy_parse(), -errno from open/read.
 */
int imactl_runtime_policy_load(struct imactl_ctx *ctx, const char *path,
			       struct imactl_runtime_policy **pol_ret);

/** imactl_runtime_policy_paths() - number of paths with digests. */
size_t imactl_runtime_policy_paths(const struct imactl_runtime_policy *pol);

/** imactl_runtime_policy_keys() - keys from "verification-keys" (and learnt from the list). */
size_t imactl_runtime_policy_keys(const struct imactl_runtime_policy *pol);

/**
 * imactl_runtime_policy_digest() - the SHA-256 of the bytes the policy was
 * parsed from (by imactl_runtime_policy_parse() or _load()): what was
 * loaded, without reading the file again.  Return: 0, -EINVAL.
 */
int imactl_runtime_policy_digest(const struct imactl_runtime_policy *pol,
				 struct imactl_digest *digest);

/** imactl_runtime_policy_free() - NULL is allowed. */
void imactl_runtime_policy_free(struct imactl_runtime_policy *pol);

/* How an entry was judged. */
enum imactl_rp_verdict {
	IMACTL_RP_PASS_DIGEST = 0,    /* its digest is listed for its name */
	IMACTL_RP_PASS_SIGNATURE,     /* valid signature (policy key or the caller's cert) */
	IMACTL_RP_PASS_EXCLUDED,      /* its name matches an exclude */
	IMACTL_RP_PASS_IGNORED,	      /* a key for a keyring the policy ignores */
	IMACTL_RP_NOT_JUDGED,	      /* a violation (judged by the list verifier) */
	IMACTL_RP_FAIL_NOT_LISTED,    /* name not in the policy (Keylime: not_in_allowlist) */
	IMACTL_RP_FAIL_DIGEST,	      /* listed, other digest (Keylime: runtime_policy_hash) */
	IMACTL_RP_FAIL_BAD_SIGNATURE, /* a signature that does not verify (stricter than Keylime) */
	IMACTL_RP_FAIL_NO_NAME,	      /* template without a name or digest (Keylime: no parser) */
	IMACTL_RP_FAIL_BAD_KEY,	      /* a key entry of a type the kernel does not use */
};

struct imactl_rp_result {
	enum imactl_rp_verdict verdict;
	const char *reason;  /* static text */
	uint32_t keyid;	     /* of a signature, when there is one */
	bool boot_aggregate; /* a failing boot_aggregate: passes if it matches the PCRs */
	/* zeroed by the library: room for members a later libimactl fills */
	uint64_t reserved[IMACTL_RESULT_RESERVED];
};

/**
 * imactl_runtime_policy_check() - judge one entry (after
 * imactl_mlog_verifier_add(), whose result->sig is @cert_sig: the signature
 * checked against the caller's certificates, or NOT_CHECKED).
 *
 * A file entry (any template with a digest and a name) passes when its
 * signature is valid (@cert_sig GOOD, or the sig field verifies under the
 * policy's verification-keys or a key the list measured into a keyring the
 * policy lists), when its digest is listed for its name (hex digests compare
 * whatever their algorithm, as Keylime's do), or when its name is excluded.
 * A signature that does not verify (@cert_sig BAD, or a policy key with
 * that keyid rejects it, or a malformed one) fails even when the digest is
 * listed or the name excluded: Keylime falls back to the digest list there.
 * A signature by an unknown key falls back to the digest list.
 * ima-buf entries carrying a key (certificate or public key) are judged
 * against "keyrings" by keyring name (unless "ima"."ignored_keyrings" has
 * the name or "*") and the key is then learnt; other ima-buf entries
 * against "ima-buf".  boot_aggregate is a name like any other; when it is
 * not listed, result->boot_aggregate is set: Keylime accepts it when it
 * equals the one computed from the TPM's PCRs (see
 * imactl_mlog_summary.boot_aggregate).  Violations are not judged.
 * Return: 0 (passes), -EBADMSG (fails; @res says why), -EINVAL, -ENOMEM.
 */
int imactl_runtime_policy_check(struct imactl_runtime_policy *pol,
				const struct imactl_mlog_entry *e,
				enum imactl_mlog_sig_status cert_sig, struct imactl_rp_result *res);

/* ------------------------------------------------------------------------ */
/* Key generation and certificate checks                                    */
/* ------------------------------------------------------------------------ */

/* Key types imactl generates (all of them the kernel verifies with). */
enum imactl_key_algo {
	IMACTL_KEY_RSA_2048 = 1,
	IMACTL_KEY_RSA_3072,
	IMACTL_KEY_RSA_4096,
	IMACTL_KEY_EC_P256,
	IMACTL_KEY_EC_P384,
};

/** imactl_key_algo_by_name() - "rsa-3072", "ec-p256", ... Return: id, -EINVAL. */
int imactl_key_algo_by_name(const char *name);

/** imactl_key_algo_name() - the inverse; NULL for an unknown id. */
const char *imactl_key_algo_name(enum imactl_key_algo algo);

/*
 * What imactl_keygen() makes, and the files it writes in its directory
 * (the names meta-integrity uses):
 *  CA:          ima-local-ca.priv (key), ima-local-ca.pem, ima-local-ca.x509
 *               (DER); basicConstraints CA:TRUE, keyUsage keyCertSign +
 *               cRLSign, SKI hash, AKI keyid:always,issuer.
 *  SIGNER:      privkey_ima.pem (key), csr_ima.pem, x509_ima.der, issued by
 *               params->ca_cert/ca_key; basicConstraints critical CA:FALSE,
 *               keyUsage digitalSignature, extendedKeyUsage critical
 *               codeSigning, SKI hash, AKI keyid.
 *  SELF_SIGNED: privkey_ima.pem, x509_ima.der: the SIGNER extensions on a
 *               self-signed certificate, for a key loaded into _ima directly.
 *  DEBUG:       CA + SIGNER together, every subject labelled "debug - never
 *               use in production"; params->subject must be NULL.
 * Serial numbers are 16 random bytes; certificates are signed with SHA-256
 * (SHA-384 for P-384 keys).
 */
enum imactl_keygen_kind {
	IMACTL_KEYGEN_CA = 1,
	IMACTL_KEYGEN_SIGNER,
	IMACTL_KEYGEN_SELF_SIGNED,
	IMACTL_KEYGEN_DEBUG,
};

#define IMACTL_KEYGEN_FORCE (1u << 0) /* replace existing files */

struct imactl_keygen_params {
	int key_algo;	     /* enum imactl_key_algo; 0: RSA-3072 (DEBUG: RSA-2048) */
	const char *subject; /* "O=Example,CN=Name" (or "/O=.../CN=..."); NULL: a default */
	unsigned int days;   /* validity; 0: 3650.  A SIGNER ends with its CA at the latest */
	unsigned int flags;  /* IMACTL_KEYGEN_FORCE */
	/* When set, the new private key is written encrypted (PKCS#8, AES-256). */
	imactl_passphrase_fn pass_fn;
	void *pass_data;
	/* SIGNER only: the issuing CA (certificate and its private key). */
	const struct imactl_cert *ca_cert;
	const struct imactl_key *ca_key;
	/*
	 * CA, SIGNER, SELF_SIGNED: certify this existing key (e.g. one that
	 * never leaves a PKCS#11 token) instead of generating one; then no
	 * private key file is written and pass_fn must be NULL.
	 */
	const struct imactl_key *key;
	/* zero: room for members a later libimactl adds (see "ABI" above) */
	uint64_t reserved[IMACTL_PARAMS_RESERVED];
};

/**
 * imactl_keygen_files() - the NULL-terminated list of file names
 * imactl_keygen() writes for @kind (static storage), or NULL.
 */
const char *const *imactl_keygen_files(enum imactl_keygen_kind kind);

/**
 * imactl_keygen() - generate a key pair and its certificate(s) into the
 * existing directory @dir.  All files are written to temporary files in
 * @dir first (private keys with mode 0600, fsync'ed) and renamed into place
 * only when every one of them is complete: on failure nothing is left.
 * With params->key, privkey_ima.pem is neither written nor checked.
 * Return: 0, -EEXIST (a file exists and IMACTL_KEYGEN_FORCE is not set),
 * -EINVAL (bad subject, days, missing/extra CA, or a CA certificate without
 * CA:TRUE), -EKEYREJECTED (ca_key does not match ca_cert), -ENOMEM, -EIO
 * (crypto failure), -errno (file system).
 */
int imactl_keygen(struct imactl_ctx *ctx, enum imactl_keygen_kind kind, const char *dir,
		  const struct imactl_keygen_params *params);

/**
 * imactl_cert_time_check() - is @cert valid at time @at (0: now)?
 * Return: 0, -EKEYEXPIRED (after notAfter), -ERANGE (before notBefore).
 */
int imactl_cert_time_check(const struct imactl_cert *cert, int64_t at);

/* One finding of imactl_cert_check(). */
struct imactl_cert_finding {
	int severity;	     /* IMACTL_LOG_ERR, IMACTL_LOG_WARNING or IMACTL_LOG_INFO */
	const char *subject; /* "cert" or "ca": which certificate it is about */
	char *text;	     /* the finding and its reason, one line */
};

struct imactl_cert_report {
	size_t count;
	struct imactl_cert_finding *findings;
	unsigned int errors;   /* findings with IMACTL_LOG_ERR */
	unsigned int warnings; /* findings with IMACTL_LOG_WARNING */
	uint32_t keyid;	       /* the keyid signatures for the certificate carry */
};

/**
 * imactl_cert_check() - is the certificate in @cert_path usable as an IMA
 * signing key on a Linux kernel?  Checks the key type and size the kernel's
 * asymmetric key parser accepts, the certificate's own signature algorithm,
 * keyUsage digitalSignature, CA:FALSE, extendedKeyUsage, the
 * subjectKeyIdentifier (and the keyid it yields; whether evmctl computes
 * the same), the validity period at @at (0: now), and with @ca_path the
 * chain: issuer, signature, authorityKeyIdentifier, and the CA's own
 * extensions and validity.  Errors are things that make the certificate
 * unusable (or refused by current kernels), warnings things that work but
 * are risky.
 * Return: 0 and the report in *@report_ret (also when it has errors);
 * -errno (a file cannot be read), -EBADMSG (a file is not a certificate),
 * -ENOMEM.
 */
int imactl_cert_check(struct imactl_ctx *ctx, const char *cert_path, const char *ca_path,
		      int64_t at, struct imactl_cert_report **report_ret);

/** imactl_cert_report_free() - NULL is allowed. */
void imactl_cert_report_free(struct imactl_cert_report *report);

/* ------------------------------------------------------------------------ */
/* Writing output files                                                     */
/* ------------------------------------------------------------------------ */

/*
 * Every file imactl writes (keys, certificates, manifests, state files)
 * goes through this: a new file with a random name next to @path, created
 * with O_CREAT | O_EXCL | O_NOFOLLOW (a symlink or FIFO planted at a
 * predictable name is never opened), mode exactly @mode, fsync'ed, then
 * renamed to @path.  Without IMACTL_OUTFILE_REPLACE the rename itself
 * refuses an existing @path (renameat2(RENAME_NOREPLACE); link() on file
 * systems without it).  @path's own directory components are followed.
 */
struct imactl_outfile;

#define IMACTL_OUTFILE_REPLACE (1u << 0) /* replace an existing @path */

/**
 * imactl_outfile_create() - start writing @path (see above).
 * Return: 0, -EINVAL (bad flags or mode, @path names no file), -errno (the
 * directory cannot be opened or written; logged), -ENOMEM.
 */
int imactl_outfile_create(struct imactl_ctx *ctx, const char *path, unsigned int mode,
			  unsigned int flags, struct imactl_outfile **outfile_ret);

/** imactl_outfile_fd() - the descriptor of the new file (owned by @of). */
int imactl_outfile_fd(const struct imactl_outfile *of);

/** imactl_outfile_write() - write all of @data.  Return: 0, -errno (logged). */
int imactl_outfile_write(struct imactl_outfile *of, const void *data, size_t len);

/**
 * imactl_outfile_commit() - fsync the file and rename it to its path.
 * Return: 0, -EEXIST (the path exists and no IMACTL_OUTFILE_REPLACE),
 * -errno; logged.  The new file is removed by imactl_outfile_free() when
 * this did not succeed.
 */
int imactl_outfile_commit(struct imactl_outfile *of);

/** imactl_outfile_free() - removes the new file unless committed; NULL ok. */
void imactl_outfile_free(struct imactl_outfile *of);

/**
 * imactl_write_file() - create, write @len bytes of @data, commit.
 * Return: as imactl_outfile_create() and imactl_outfile_commit().
 */
int imactl_write_file(struct imactl_ctx *ctx, const char *path, const void *data, size_t len,
		      unsigned int mode, unsigned int flags);

/* ------------------------------------------------------------------------ */
/* Whole trees: sign-tree, verify-tree, manifests                           */
/* ------------------------------------------------------------------------ */

/* What a directory entry below the root is (struct imactl_tree_entry.kind). */
enum imactl_tree_kind {
	IMACTL_TREE_FILE = 0, /* a regular file that was processed */
	IMACTL_TREE_SYMLINK,  /* never followed, never signed */
	IMACTL_TREE_DIR,
	IMACTL_TREE_DEVICE, /* character or block device */
	IMACTL_TREE_FIFO,
	IMACTL_TREE_SOCKET,
	IMACTL_TREE_HARDLINK, /* another name of a file already processed */
	IMACTL_TREE_EXCLUDED, /* left out by --include/--exclude */
	IMACTL_TREE_OTHER_FS, /* a mount point left out (one file system) */
	IMACTL_TREE_KINDS     /* number of kinds */
};

/* Descend into mount points of other file systems only without this. */
#define IMACTL_TREE_ONE_FILE_SYSTEM (1u << 0)
/* imactl_tree_sign(): leave files whose values already verify untouched. */
#define IMACTL_TREE_SKIP_VALID (1u << 1)
/* imactl_tree_set_xattrs(): write on files of other file systems below the root too. */
#define IMACTL_TREE_CROSS_MOUNTS (1u << 2)
/*
 * Directories nested deeper than this below the root are not walked: each is
 * reported with status -ENAMETOOLONG (the walk recurses and holds one descriptor per
 * level; a hostile tree must not exhaust the stack).
 */
#define IMACTL_TREE_MAX_DEPTH 2048u

/*
 * One entry, as reported to the callback.  Every entry below the root is
 * reported exactly once (the root itself is not); an excluded directory is
 * reported once and not descended.  Pointers are valid during the call only.
 */
struct imactl_tree_entry {
	const char *path; /* relative to the root, starting with "/" */
	enum imactl_tree_kind kind;
	/*
	 * 0, or why the entry failed: -errno for operational errors (an
	 * unreadable file or directory, -ESTALE for a file that changed while
	 * it was hashed); for imactl_tree_verify() the verification outcome as
	 * imactl_verify_fd() returns it.  Only FILE and DIR entries fail.
	 */
	int status;
	uint64_t size; /* st_size of files */
	/* IMACTL_TREE_HARDLINK: the path under which the file was processed. */
	const char *first_path;
	/*
	 * imactl_tree_sign(), a FILE with status 0: the values the file now
	 * carries (written, or found valid with IMACTL_TREE_SKIP_VALID;
	 * unchanged tells which).
	 */
	const struct imactl_signed_values *values;
	bool unchanged;
	/* imactl_tree_verify(), a FILE that could be opened: the details. */
	const struct imactl_verify_result *verify;
	/* a FILE that could be opened: its owner, group and st_mode (these took
	 * two of the reserved places; the size is unchanged); mutable_file: 1
	 * when imactl_tree_sign()/imactl_image_sign() matched it to mutable_globs */
	uint32_t uid, gid, mode, mutable_file;
	/* zeroed by the library: room for members a later libimactl fills */
	uint64_t reserved[IMACTL_RESULT_RESERVED - 2];
};

/*
 * imactl_tree_fn - called once per entry.  Calls never overlap (the library
 * serialises them) but may come from any of its threads.
 * Return: 0 to go on; anything else stops the walk (-ECANCELED).
 */
typedef int (*imactl_tree_fn)(void *data, const struct imactl_tree_entry *entry);

struct imactl_tree_params {
	/*
	 * Glob patterns (fnmatch(3); '*' also matches '/').  A pattern with a
	 * '/' is anchored at the root ("/usr/lib/lib*.so", a leading '/' is optional)
	 * and also matches everything below what it matches ("/usr/bin"
	 * selects /usr/bin/ls); one without '/' matches the name of an entry at
	 * any depth ("*.pyc").  Regular files are selected when they match an
	 * include (or there is none) and no exclude; an excluded directory is
	 * not entered.
	 */
	const char *const *include;
	size_t n_include;
	const char *const *exclude;
	size_t n_exclude;
	unsigned int jobs;  /* worker threads; 0 = online CPUs */
	unsigned int flags; /* IMACTL_TREE_* */
	/* imactl_tree_sign(): what to write, and the key (NULL for hashes). */
	const struct imactl_sign_params *sign;
	const struct imactl_key *key;
	/*
	 * Certificates: for imactl_tree_verify(), and for
	 * IMACTL_TREE_SKIP_VALID (a file is left untouched when its
	 * security.ima is of the requested kind and verifies, and, with EVM
	 * asked for, its security.evm too).
	 */
	const struct imactl_keyring *keyring;
	unsigned int verify_flags; /* imactl_tree_verify(): IMACTL_VERIFY_* */
	unsigned int target_bits;  /* imactl_tree_verify(): 64 or 32 */
	imactl_tree_fn fn;	   /* may be NULL */
	void *fn_data;
	/*
	 * Mutable files, patterns as for include/exclude: imactl_tree_sign()
	 * and imactl_image_sign() give a selected file that matches one a
	 * security.ima hash (sign->hash_algo) instead of a signature and no
	 * EVM portable signature (a security.evm it had is removed).  The
	 * running system may change such a file; an EVM HMAC made on the
	 * device protects it (imactl_image_hmac()).  Reported as mutable_file.
	 */
	const char *const *mutable_globs;
	size_t n_mutable;
	/*
	 * May be NULL.  Called with @fn_data for each regular file the patterns
	 * select, before it is opened (the first name of a file with several
	 * links): path, kind IMACTL_TREE_FILE, size, uid, gid and mode as the
	 * walk read them (no symbolic link followed), status 0.  Return 0 to
	 * process the file, IMACTL_TREE_LEAVE to leave it unopened (it is then
	 * reported to @fn as IMACTL_TREE_EXCLUDED), anything else to stop the
	 * walk (-ECANCELED).  Calls never overlap with each other nor with @fn.
	 * (It took the place of a reserved member: the union keeps the size
	 * on 32-bit targets.)
	 */
	union {
		imactl_tree_fn fn;
		uint64_t space;
	} select;
	/* zero: room for members a later libimactl adds (see "ABI" above) */
	uint64_t reserved[IMACTL_PARAMS_RESERVED - 1];
};

/* imactl_tree_params.select.fn: leave this file out. */
#define IMACTL_TREE_LEAVE 1

/* Totals of a walk. */
struct imactl_tree_stats {
	uint64_t kinds[IMACTL_TREE_KINDS]; /* entries by kind (FILE: processed files) */
	uint64_t ok;			   /* files signed (or verified) */
	uint64_t unchanged;		   /* of those, left as they were (SKIP_VALID) */
	uint64_t failed;		   /* files and directories with status != 0 */
	uint64_t bytes;			   /* content bytes of the processed files */
	/* zeroed by the library: room for members a later libimactl fills */
	uint64_t reserved[IMACTL_RESULT_RESERVED];
};

/**
 * imactl_tree_sign() - sign every selected regular file below @root with
 * imactl_sign_fd() as @params->sign asks, on @params->jobs threads.  The
 * walk uses directory descriptors and never follows a symbolic link (not
 * even @root's own last component); each file is opened with
 * imactl_open_regular() relative to its directory.  A file with several
 * hard links is signed once.  A file that fails is reported with its status
 * and the rest are still processed.
 * @stats_ret: when not NULL, receives the totals (also on failure).
 * Return: 0 when every selected file was signed; -EIO when the walk reached
 * the end but some file or directory failed (each reported through
 * @params->fn); -ECANCELED when @params->fn stopped it; -EINVAL (bad
 * parameters), -ENOMEM, -errno (@root cannot be opened, thread creation).
 */
int imactl_tree_sign(struct imactl_ctx *ctx, const char *root,
		     const struct imactl_tree_params *params, struct imactl_tree_stats *stats_ret);

/**
 * imactl_tree_verify() - imactl_verify_fd() for every selected regular file
 * below @root, with @params->keyring, ->verify_flags and ->target_bits.
 * Return: 0 when every file verified; -EBADMSG when some did not (each
 * reported through @params->fn) and nothing failed operationally; -EIO when a
 * file or directory could not be checked; otherwise as imactl_tree_sign().
 */
int imactl_tree_verify(struct imactl_ctx *ctx, const char *root,
		       const struct imactl_tree_params *params,
		       struct imactl_tree_stats *stats_ret);

/**
 * imactl_tree_glob_regex() - the exclude pattern @glob (as struct
 * imactl_tree_params reads it) as a Python regular expression for Keylime's
 * runtime policy "excludes", which Keylime matches (re.match) against the
 * paths of a measurement list.  It matches the names, as the kernel logs them
 * (each space as '_'), of the entries a walk with @glob excludes and of
 * everything below them (an excluded directory is not walked).  Both sides
 * read '*', '?', bracket expressions (ranges, '!' or '^', C-locale [:class:]es)
 * and backslash escapes alike, byte for byte on ASCII names; on other names
 * '?' and a bracket expression match one byte in the walk, one character in
 * Keylime.  A logged '_' may stand for a space, so a glob with a space also
 * matches the same name with '_'.  Free *regex_ret with imactl_free().
 * Return: 0, -EINVAL (empty @glob, an unknown [:class:]), -EILSEQ (@glob is
 * not UTF-8), -ENOMEM.
 */
int imactl_tree_glob_regex(const char *glob, char **regex_ret);

/**
 * imactl_tree_target_bits() - the word size of the system in @root: the ELF
 * class of its /sbin/init, else its C library (glibc, musl, uClibc in the
 * usual and multiarch directories), else /bin/sh.  Symbolic links inside
 * the tree are resolved relative to @root, never to the host's /.  Only
 * regular files are opened: each candidate's type is checked on an O_PATH
 * descriptor first (a device node or FIFO there is never opened).
 * Return: 0 and *bits_ret = 32 or 64; -ENOENT (nothing found),
 * -EOPNOTSUPP (the kernel lacks openat2(2)), -errno.
 */
int imactl_tree_target_bits(struct imactl_ctx *ctx, const char *root, unsigned int *bits_ret);

/**
 * imactl_tree_set_xattrs() - write @values (security.ima, then security.evm
 * when present) onto @path below @root, as a manifest records them.  No
 * component of @path may be a symbolic link and the file must be a regular
 * file.  The values must pass imactl_signed_values_check(); nothing is
 * written otherwise.  Without IMACTL_TREE_CROSS_MOUNTS in @flags, every
 * directory on the way and the file must be on @root's file system (st_dev):
 * a mount point below @root is not crossed.
 * Return: 0, -ENOENT (missing), -ELOOP (a symbolic link on the way),
 * -EXDEV (on another file system), -EBADMSG (a value that does not decode),
 * -EINVAL (not a regular file, @path not absolute, unknown @flags),
 * -errno (fsetxattr).
 */
int imactl_tree_set_xattrs(struct imactl_ctx *ctx, const char *root, const char *path,
			   const struct imactl_signed_values *values, unsigned int flags);

/* ------------------------------------------------------------------------ */
/* ext2/3/4 images: sign-image, verify-image                                */
/* ------------------------------------------------------------------------ */

/**
 * imactl_image_sign() - imactl_tree_sign() for the files inside the
 * ext2/3/4 file system in @image (an image file or a block device), without
 * mounting it: each selected regular file's content is read and hashed from
 * the image, and security.ima and the EVM portable signature (over the
 * inode's own uid, gid and mode and its final protected xattrs, as the
 * kernel computes them) are written into its inode, or into an external
 * xattr block when the inode has no room, as the kernel does.  The same
 * @params as imactl_tree_sign() (include/exclude, jobs, SKIP_VALID, sign
 * with its signature cache, key, keyring, fn); IMACTL_TREE_ONE_FILE_SYSTEM
 * means nothing here and sigv3 is refused (fs-verity cannot be enabled
 * inside an image).  Reading
 * and writing the image happen on the calling thread, signing on
 * @params->jobs workers.
 * Safety: a mounted image, one with errors recorded, not cleanly unmounted or
 * with a journal to replay is refused before anything is written.  An image
 * is written only once every value is computed: a failure, a stop or a
 * process killed before then leaves the image as it was.  The blocks are
 * then written in place, once an undo file with their contents before,
 * IMAGE.imactl-undo, is on disk (removed at the end; none for a block
 * device).  A process killed while it writes leaves the image partly written
 * and the undo file: imactl_image_verify() and imactl_image_target_bits()
 * refuse the image then (-EUCLEAN), and imactl_image_sign(),
 * imactl_image_check() and imactl_image_hmac() put it back byte for byte
 * first (and log it).
 * Files that cannot be read or signed are reported (status) and the others
 * are still signed, as with trees; a write that fails (-ENOSPC: the image has
 * no free block for an xattr block) stops the run and keeps nothing.
 * Return: 0, -EIO (some file failed, each reported), -ECANCELED (stopped by
 * @params->fn; nothing kept), -ENOSPC, -EBUSY (mounted, or another imactl
 * process has it open), -EUCLEAN (errors, not clean, journal to replay: run
 * e2fsck; an undo file that is not this image's), -EMEDIUMTYPE (not an
 * ext2/3/4 file system), -EOPNOTSUPP (sigv3; no ext_attr feature), -EINVAL,
 * -ENOMEM, -errno (the image or its undo file cannot be read or written).
 */
int imactl_image_sign(struct imactl_ctx *ctx, const char *image,
		      const struct imactl_tree_params *params, struct imactl_tree_stats *stats_ret);

/**
 * imactl_image_check() - would imactl_image_sign() accept @image?  Opens it
 * read-only and refuses what imactl_image_sign() refuses before writing
 * (mounted, not ext2/3/4, truncated, errors recorded, not clean, journal to
 * replay, no ext_attr feature), naming the cause in the log.  It does not
 * look for inconsistencies: e2fsck -fn does.
 * Return: 0, and the image errors of imactl_image_sign().
 */
int imactl_image_check(struct imactl_ctx *ctx, const char *image);

/**
 * imactl_image_verify() - imactl_tree_verify() for the files inside @image,
 * read with libext2fs (the image is opened read-only; an image mounted
 * read-write is refused).  sigv3 values are reported as errors (fs-verity
 * digests are not computed from images).
 * Return: as imactl_tree_verify(), and the image errors of
 * imactl_image_sign().
 */
int imactl_image_verify(struct imactl_ctx *ctx, const char *image,
			const struct imactl_tree_params *params,
			struct imactl_tree_stats *stats_ret);

/**
 * imactl_image_target_bits() - imactl_tree_target_bits() inside @image: the
 * ELF class of its /sbin/init (symbolic links followed inside the image; only
 * a regular file counts), else its C library, else /bin/sh.
 * Return: 0, -ENOENT (nothing found), the image errors of imactl_image_sign().
 */
int imactl_image_target_bits(struct imactl_ctx *ctx, const char *image, unsigned int *bits_ret);

/*
 * Manifest lines: "PATH ima:0xHEX[ evm:0xHEX]".  PATH starts with '/' and is
 * escaped so that every byte string survives: a backslash, bytes up to and
 * including space, DEL, and bytes that are not part of valid UTF-8 are
 * written as a backslash and three octal digits ("\040" for a space, "\012"
 * for a newline, "\134" for a backslash); valid UTF-8 stays readable.
 */

/**
 * imactl_manifest_escape() - @path escaped as in a manifest line, for
 * messages and machine-readable output.  Free *escaped_ret with imactl_free().
 * Return: 0, -EINVAL, -ENOMEM.
 */
int imactl_manifest_escape(const char *path, char **escaped_ret);

/**
 * imactl_json_escape() - @s as a JSON string literal, quotes included: the
 * one way imactl writes a name into JSON.  Valid UTF-8 is kept as it is
 * (RFC 8259); '"' and '\\' are escaped with a backslash, control bytes and
 * DEL as \u00XX.  A byte that is not part of valid UTF-8 (a Linux name is
 * any byte string) becomes the lone surrogate \udcXX (U+DC80..U+DCFF), as
 * Python's "surrogateescape" does: os.fsencode(json.loads(text)) gives back
 * the name's bytes, and no two names escape alike.  Free *escaped_ret with
 * imactl_free().  Return: 0, -EINVAL, -ENOMEM.
 */
int imactl_json_escape(const char *s, char **escaped_ret);

/**
 * imactl_utf8_check() - whether @s is valid UTF-8 (no overlong forms,
 * surrogates or values beyond U+10FFFF).  Return: 0, -EILSEQ, -EINVAL.
 */
int imactl_utf8_check(const char *s);

/**
 * imactl_manifest_format() - one line (with its trailing newline and a NUL)
 * for @path and @values (values->ima is required).
 * Return: 0, -EINVAL, -ENOMEM.  Free *line_ret with imactl_free().
 */
int imactl_manifest_format(const char *path, const struct imactl_signed_values *values,
			   char **line_ret);

/**
 * imactl_manifest_unescape() - the inverse of imactl_manifest_escape() for
 * a whole line holding one path (a trailing newline is allowed), as
 * sign-tree --mutable-list writes them.  Free *path_ret with free().
 * Return: 0, -EBADMSG (not an escaped absolute path), -EINVAL, -ENOMEM.
 */
int imactl_manifest_unescape(const char *escaped, char **path_ret);

/**
 * imactl_manifest_parse() - the inverse: parse @line (a trailing newline is
 * allowed).  *path_ret (NUL-terminated; an escaped NUL byte is refused) and
 * @values are allocated; free them with imactl_free() and
 * imactl_signed_values_free().
 * Return: 0, -EBADMSG (malformed line), -ENOMEM.
 */
int imactl_manifest_parse(const char *line, char **path_ret, struct imactl_signed_values *values);

/* ------------------------------------------------------------------------ */
/* fs-verity digests (what sigv3 signs)                                     */
/* ------------------------------------------------------------------------ */

/**
 * imactl_verity_digest_fd() - the fs-verity file digest of the regular file
 * open at @fd: the hash of its fsverity_descriptor (libfsverity), which is
 * what the kernel's fsverity_get_digest() reports, and IMA appraises with
 * digest_type=verity, once fs-verity is enabled on the file with the
 * defaults (4096-byte Merkle tree blocks, no salt).  Reads st_size bytes from
 * offset 0 with pread(2) (the file offset is left alone) and compares size,
 * mtime and ctime before and after.
 * @algo: IMACTL_HASH_SHA256 or IMACTL_HASH_SHA512 (what fs-verity has).
 * Return: 0, -EOPNOTSUPP (another algorithm; logged), -EINVAL (not a regular
 * file, NULL @digest), -ESTALE (the file changed meanwhile), -ENOMEM,
 * -errno from fstat(2)/pread(2).
 */
int imactl_verity_digest_fd(struct imactl_ctx *ctx, int fd, enum imactl_hash_algo algo,
			    struct imactl_digest *digest);

#ifdef __cplusplus
}
#endif

#endif /* IMACTL_H */
