// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The signature cache: one small file per value, DIR/XX/HEX, where HEX is
 * SHA-256 over everything the value depends on.  Files, not a database: a
 * lookup is one openat2(2) + read, writers never block each other (each
 * writes its own temporary file (out_temp_create()) and renames it into
 * place, so a reader sees the old entry or the new one, never a part), and a
 * damaged entry damages nothing else.
 *
 * Nothing read from the cache is trusted as such.  A value is stored only
 * after it verified with the signing key's public half (entry_store()), and
 * the entry carries an HMAC-SHA256 over all of it (entry key, value) keyed
 * with a key derived from the private key (crypto_key_cache_mac(): only the
 * holder of the signing key can make or check one).  A hit is used when its
 * MAC checks: an HMAC of ~0.5 KB instead of an RSA verification per value
 * (two RSA-3072 verifies, ~90 us of CPU, cost more than all of a file's
 * hash-bound work: open, read, hash, xattr write).  Whoever can write the directory but does not
 * hold the key can delete, corrupt or replay entries; a replayed entry is one this key's holder
 * stored for exactly this entry key (the MAC covers it), so it is the right value.  Keys whose
 * private part cannot be read (PKCS#11) have no MAC key: their hits are verified with the public
 * key as before.
 *
 * Entry format 2 (format 1 had no MAC; its entries lie under other names,
 * KEY_DOMAIN differs, so they simply miss and age out):
 *   "IMACTLC2" | entry key (32) | value length (2, big-endian) | value | MAC (32)
 * the MAC over everything before it; all zeros for keys without a MAC key.
 */
#include "lib_private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ENTRY_MAGIC	"IMACTLC2"
#define ENTRY_HDR	(8 + 32 + 2) /* magic, key, value length (big-endian) */
#define ENTRY_MAC	CRYPTO_CACHE_MAC_SIZE
#define ENTRY_MAX	(ENTRY_HDR + IMACTL_MAX_XATTR_SIZE + ENTRY_MAC)
#define KEY_DOMAIN	"imactl signature cache 2"
#define TOUCH_AFTER	(24 * 3600) /* refresh an entry's mtime at most daily */
#define STALE_TMP_AFTER 3600

struct imactl_sigcache {
	int dfd;
	uint64_t max_bytes;
	atomic_uint_fast64_t reused, rejected, signed_new, verified, stored, store_failed, pruned;
};

/* Opens @rel below the cache directory; no symbolic link, no "..". */
static int open_below(int dfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = flags | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dfd, rel, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/*
 * The owner of the cache directory and the effective uid, as the kernel has
 * them.  fakeroot and pseudo (LD_PRELOAD) answer geteuid() with 0 and
 * fstat() with their own idea of the owner: under fakeroot every file is
 * root's, so another user's directory would pass, and under pseudo the build
 * user's own directory fails.  syscall(2) reaches the kernel past them.
 */
static int kernel_owner_check(int fd, uid_t *owner, uid_t *euid)
{
	struct statx stx;

	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT, STATX_UID, &stx) < 0)
		return -errno;
	*owner = stx.stx_uid;
	*euid = (uid_t)syscall(SYS_geteuid);
	return *owner == *euid ? 0 : -EPERM;
}

IMACTL_EXPORT int imactl_sigcache_open(struct imactl_ctx *ctx, const char *dir, uint64_t max_bytes,
				       struct imactl_sigcache **cache_ret)
{
	struct imactl_sigcache *c;
	struct stat st;
	uid_t owner = 0, euid = 0;
	int fd, ret;

	if (!dir || !dir[0] || !cache_ret)
		return -EINVAL;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			ret = -errno;
			log_err(ctx, "%s: cannot create the signature cache: %s", dir,
				strerror(errno));
			return ret;
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		ret = -errno;
		/* O_NOFOLLOW|O_DIRECTORY on a symlink: ELOOP or ENOTDIR */
		if ((ret == -ELOOP || ret == -ENOTDIR) && lstat(dir, &st) == 0 &&
		    S_ISLNK(st.st_mode)) {
			log_err(ctx, "%s: the signature cache is a symbolic link: refused", dir);
			return -ELOOP;
		}
		log_err(ctx, "%s: cannot open the signature cache: %s", dir, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		log_err(ctx, "%s: %s", dir, strerror(errno));
		close(fd);
		return ret;
	}
	ret = kernel_owner_check(fd, &owner, &euid);
	if (ret == -EPERM) {
		log_err(ctx,
			"%s: the signature cache belongs to uid %u, not to this user (uid %u): "
			"refused",
			dir, (unsigned int)owner, (unsigned int)euid);
		close(fd);
		return ret;
	}
	if (ret < 0) {
		log_err(ctx, "%s: %s", dir, strerror(-ret));
		close(fd);
		return ret;
	}
	if ((st.st_mode & 077) && fchmod(fd, 0700) < 0) {
		ret = -errno;
		log_err(ctx, "%s: cannot make the signature cache private: %s", dir,
			strerror(errno));
		close(fd);
		return ret;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->dfd = fd;
	c->max_bytes = max_bytes ? max_bytes : IMACTL_SIGCACHE_DEFAULT_MAX;
	*cache_ret = c;
	return 0;
}

IMACTL_EXPORT void imactl_sigcache_close(struct imactl_sigcache *cache)
{
	if (!cache)
		return;
	close(cache->dfd);
	free(cache);
}

IMACTL_EXPORT void imactl_sigcache_get_stats(const struct imactl_sigcache *c,
					     struct imactl_sigcache_stats *s)
{
	struct imactl_sigcache *m = (struct imactl_sigcache *)c; /* atomics */

	memset(s, 0, sizeof(*s));
	if (!c)
		return;
	s->reused = atomic_load(&m->reused);
	s->rejected = atomic_load(&m->rejected);
	s->signed_new = atomic_load(&m->signed_new);
	s->verified = atomic_load(&m->verified);
	s->stored = atomic_load(&m->stored);
	s->store_failed = atomic_load(&m->store_failed);
	s->pruned = atomic_load(&m->pruned);
}

static bool valid_type(enum imactl_xattr_type type)
{
	return type == IMACTL_XATTR_DIGSIG || type == IMACTL_XATTR_IMA_VERITY_SIG ||
	       type == IMACTL_XATTR_EVM_PORTABLE;
}

/*
 * The entry key: SHA-256 over a domain string, the value type, the
 * algorithm, the digest, the keyid the value carries and the key's identity.
 * @rel gets "XX/HEX".
 */
static int entry_key(struct imactl_ctx *ctx, const struct imactl_key *key,
		     enum imactl_xattr_type type, const struct imactl_digest *digest,
		     uint8_t out[32], char rel[3 + 64 + 1])
{
	uint8_t in[sizeof(KEY_DOMAIN) + 3 + IMACTL_MAX_DIGEST_SIZE + 4 + 32];
	struct imactl_digest k;
	size_t n = 0;
	int ret;

	if (imactl_hash_algo_size(digest->algo) != (int)digest->len)
		return -EINVAL;
	memcpy(in, KEY_DOMAIN, sizeof(KEY_DOMAIN));
	n += sizeof(KEY_DOMAIN);
	in[n++] = type;
	in[n++] = digest->algo;
	in[n++] = digest->len;
	memcpy(in + n, digest->bytes, digest->len);
	n += digest->len;
	put_be32(in + n, imactl_key_keyid(key));
	n += 4;
	memcpy(in + n, crypto_key_pub_id(key), 32);
	n += 32;
	ret = imactl_hash_buf(ctx, in, n, IMACTL_HASH_SHA256, &k);
	if (ret < 0)
		return ret;
	memcpy(out, k.bytes, 32);
	hex_encode(rel + 3, out, 32);
	rel[0] = rel[3];
	rel[1] = rel[4];
	rel[2] = '/';
	return 0;
}

static void reject(struct imactl_ctx *ctx, struct imactl_sigcache *c, const char *rel,
		   const char *why)
{
	atomic_fetch_add(&c->rejected, 1);
	log_debug(ctx, "signature cache entry %s not used: %s", rel, why);
}

/*
 * Did this key's holder store the entry in @buf (value of @vlen bytes)?  Its
 * MAC says so; the value verified before the MAC was made (entry_store()).
 * Without a MAC key the value is verified with the public key instead.
 */
static int entry_authentic(struct imactl_ctx *ctx, struct imactl_sigcache *c,
			   const struct imactl_key *key, enum imactl_xattr_type type,
			   const struct imactl_digest *digest, const uint8_t *buf, size_t vlen,
			   const char **why)
{
	uint8_t mac[ENTRY_MAC];
	int ret = crypto_key_cache_mac(key, buf, ENTRY_HDR + vlen, mac);

	if (ret == 0) {
		if (crypto_memeq(mac, buf + ENTRY_HDR + vlen, ENTRY_MAC))
			return 0;
		*why = "its MAC does not check (not stored with this key)";
		return -EBADMSG;
	}
	if (ret != -EOPNOTSUPP) {
		*why = "the MAC cannot be computed";
		return ret;
	}
	atomic_fetch_add(&c->verified, 1);
	return sign_value_check(ctx, key, type, digest, buf + ENTRY_HDR, vlen, why);
}

IMACTL_EXPORT int imactl_sigcache_lookup(struct imactl_ctx *ctx, struct imactl_sigcache *c,
					 const struct imactl_key *key, enum imactl_xattr_type type,
					 const struct imactl_digest *digest, uint8_t **value_ret,
					 size_t *len_ret)
{
	uint8_t ekey[32], buf[ENTRY_MAX], *val;
	char rel[3 + 64 + 1];
	const char *why = NULL;
	struct stat st;
	size_t vlen;
	ssize_t n;
	int fd, ret;

	if (!c || !key || !digest || !value_ret || !len_ret || !valid_type(type))
		return -EINVAL;
	ret = entry_key(ctx, key, type, digest, ekey, rel);
	if (ret < 0)
		return ret;
	/* O_NOATIME: reading an entry never writes its inode (we own it) */
	fd = open_below(c->dfd, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOATIME);
	if (fd == -ENOENT)
		return -ENOENT;
	if (fd < 0) {
		reject(ctx, c, rel, strerror(-fd));
		return -ENOENT;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= ENTRY_HDR + ENTRY_MAC ||
	    st.st_size > ENTRY_MAX) {
		close(fd);
		reject(ctx, c, rel, "not a regular file of an entry's size");
		return -ENOENT;
	}
	n = pread(fd, buf, st.st_size, 0);
	if (n != st.st_size) {
		close(fd);
		reject(ctx, c, rel, "short read");
		return -ENOENT;
	}
	vlen = (size_t)buf[40] << 8 | buf[41];
	if (memcmp(buf, ENTRY_MAGIC, 8) || memcmp(buf + 8, ekey, 32) ||
	    vlen != (size_t)n - ENTRY_HDR - ENTRY_MAC) {
		close(fd);
		reject(ctx, c, rel, "not an entry for this key");
		return -ENOENT;
	}
	ret = entry_authentic(ctx, c, key, type, digest, buf, vlen, &why);
	if (ret < 0) {
		close(fd);
		reject(ctx, c, rel, why ? why : strerror(-ret));
		return -ENOENT;
	}
	/* used: keep it from being pruned (at most one write a day) */
	if (st.st_mtime < time(NULL) - TOUCH_AFTER)
		futimens(fd, NULL);
	close(fd);
	val = malloc(vlen);
	if (!val)
		return -ENOMEM;
	memcpy(val, buf + ENTRY_HDR, vlen);
	*value_ret = val;
	*len_ret = vlen;
	atomic_fetch_add(&c->reused, 1);
	return 0;
}

/* Writes the entry for @value: to a temporary file, renamed into place. */
static int entry_write(struct imactl_ctx *ctx, struct imactl_sigcache *c,
		       const struct imactl_key *key, enum imactl_xattr_type type,
		       const struct imactl_digest *digest, const uint8_t *value, size_t len)
{
	uint8_t ekey[32], buf[ENTRY_MAX];
	char rel[3 + 64 + 1], sub[3], tmp[TMP_NAME_MAX];
	int sfd = -1, fd, ret;

	ret = entry_key(ctx, key, type, digest, ekey, rel);
	if (ret < 0)
		return ret;
	memcpy(buf, ENTRY_MAGIC, 8);
	memcpy(buf + 8, ekey, 32);
	buf[40] = len >> 8;
	buf[41] = len;
	memcpy(buf + ENTRY_HDR, value, len);
	ret = crypto_key_cache_mac(key, buf, ENTRY_HDR + len, buf + ENTRY_HDR + len);
	if (ret == -EOPNOTSUPP) {
		memset(buf + ENTRY_HDR + len, 0, ENTRY_MAC); /* hits are verified */
		ret = 0;
	}
	if (ret < 0)
		goto out;

	memcpy(sub, rel, 2);
	sub[2] = '\0';
	if (mkdirat(c->dfd, sub, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		goto out;
	}
	sfd = open_below(c->dfd, sub, O_RDONLY | O_DIRECTORY);
	if (sfd < 0) {
		ret = sfd;
		goto out;
	}
	fd = out_temp_create(sfd, rel + 3, 0600, tmp);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	ret = write_all(fd, buf, ENTRY_HDR + len + ENTRY_MAC);
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0)
		ret = out_rename(sfd, tmp, rel + 3, true);
	if (ret < 0)
		unlinkat(sfd, tmp, 0);
out:
	if (sfd >= 0)
		close(sfd);
	if (ret < 0) {
		atomic_fetch_add(&c->store_failed, 1);
		log_debug(ctx, "cannot store signature cache entry %s: %s", rel, strerror(-ret));
	} else {
		atomic_fetch_add(&c->stored, 1);
	}
	return ret;
}

IMACTL_EXPORT int imactl_sigcache_store(struct imactl_ctx *ctx, struct imactl_sigcache *c,
					const struct imactl_key *key, enum imactl_xattr_type type,
					const struct imactl_digest *digest, const uint8_t *value,
					size_t len)
{
	const char *why = NULL;
	int ret;

	if (!c || !key || !digest || !value || !len || len > IMACTL_MAX_XATTR_SIZE ||
	    !valid_type(type) || imactl_hash_algo_size(digest->algo) != (int)digest->len)
		return -EINVAL;
	/* the one verification: the MAC then stands for it on every hit */
	atomic_fetch_add(&c->verified, 1);
	ret = sign_value_check(ctx, key, type, digest, value, len, &why);
	if (ret < 0) {
		log_debug(ctx, "signature cache: a value not stored: %s",
			  why ? why : strerror(-ret));
		return ret;
	}
	return entry_write(ctx, c, key, type, digest, value, len);
}

IMACTL_EXPORT int imactl_sigcache_sign(struct imactl_ctx *ctx, struct imactl_sigcache *c,
				       const struct imactl_key *key, enum imactl_xattr_type type,
				       const struct imactl_digest *digest, uint8_t **value_ret,
				       size_t *len_ret)
{
	int ret;

	if (!c)
		return imactl_sign_digest(ctx, key, type, digest, value_ret, len_ret);
	if (!key || !digest || !value_ret || !len_ret)
		return -EINVAL;
	ret = imactl_sigcache_lookup(ctx, c, key, type, digest, value_ret, len_ret);
	if (ret != -ENOENT)
		return ret;
	ret = imactl_sign_digest(ctx, key, type, digest, value_ret, len_ret);
	if (ret < 0)
		return ret;
	atomic_fetch_add(&c->signed_new, 1);
	ret = imactl_sigcache_store(ctx, c, key, type, digest, *value_ret, *len_ret);
	if (ret == -EBADMSG) {
		/* a fault in the signer: never cached, never written */
		log_err(ctx, "the signature just made does not verify with the key: not used");
		free(*value_ret);
		*value_ret = NULL;
		return -EIO;
	}
	return 0;
}

/* ---- keeping it within its bound ---------------------------------------- */

struct entry_info {
	time_t mtime;
	uint64_t bytes;
	uint8_t sub;
	char name[65];
};

static int cmp_age(const void *a, const void *b)
{
	const struct entry_info *x = a, *y = b;

	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

static bool is_entry_name(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++)
		if (i >= 64 || hex_digit(name[i]) < 0 || (name[i] >= 'A' && name[i] <= 'F'))
			return false;
	return i == 64;
}

/* out_temp_create()'s names, ".NAME.RANDOM.tmp", and format 1's ".tmp.RANDOM" */
static bool is_temp_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' && n > 5 &&
	       (!strcmp(name + n - 4, ".tmp") || !strncmp(name, ".tmp.", 5));
}

/* Lists the entries of sub-directory @sub into *@list; removes stale temporaries. */
static int scan_sub(struct imactl_sigcache *c, uint8_t sub, struct entry_info **list, size_t *n,
		    size_t *alloc, uint64_t *total)
{
	char name[4];
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	int sfd, ret = 0;
	DIR *d;

	snprintf(name, sizeof(name), "%02x", sub);
	sfd = open_below(c->dfd, name, O_RDONLY | O_DIRECTORY);
	if (sfd < 0)
		return sfd == -ENOENT ? 0 : sfd;
	d = fdopendir(sfd);
	if (!d) {
		ret = -errno;
		close(sfd);
		return ret;
	}
	while ((de = readdir(d))) {
		if (fstatat(sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (is_temp_name(de->d_name) && S_ISREG(st.st_mode) &&
		    st.st_mtime < now - STALE_TMP_AFTER) {
			unlinkat(sfd, de->d_name, 0);
			continue;
		}
		if (!is_entry_name(de->d_name) || !S_ISREG(st.st_mode))
			continue;
		if (*n == *alloc) {
			size_t na = *alloc ? *alloc * 2 : 4096;
			struct entry_info *l = realloc(*list, na * sizeof(**list));

			if (!l) {
				ret = -ENOMEM;
				break;
			}
			*list = l;
			*alloc = na;
		}
		(*list)[*n].mtime = st.st_mtime;
		(*list)[*n].bytes = (uint64_t)st.st_blocks * 512;
		(*list)[*n].sub = sub;
		memcpy((*list)[*n].name, de->d_name, 65);
		*total += (*list)[*n].bytes;
		(*n)++;
	}
	closedir(d);
	return ret;
}

IMACTL_EXPORT int imactl_sigcache_prune(struct imactl_ctx *ctx, struct imactl_sigcache *c)
{
	struct entry_info *list = NULL;
	size_t n = 0, alloc = 0;
	uint64_t total = 0, goal;
	int ret = 0;

	if (!c)
		return -EINVAL;
	for (unsigned int sub = 0; sub < 256 && ret == 0; sub++)
		ret = scan_sub(c, (uint8_t)sub, &list, &n, &alloc, &total);
	if (ret < 0) {
		log_err(ctx, "cannot read the signature cache: %s", strerror(-ret));
		goto out;
	}
	if (total <= c->max_bytes)
		goto out;
	goal = c->max_bytes / 10 * 9;
	qsort(list, n, sizeof(*list), cmp_age);
	for (size_t i = 0; i < n && total > goal; i++) {
		char sub[4];
		int sfd;

		snprintf(sub, sizeof(sub), "%02x", list[i].sub);
		sfd = open_below(c->dfd, sub, O_RDONLY | O_DIRECTORY);
		if (sfd < 0)
			continue;
		if (unlinkat(sfd, list[i].name, 0) == 0) {
			total -= list[i].bytes;
			atomic_fetch_add(&c->pruned, 1);
		}
		close(sfd);
	}
	log_info(ctx, "signature cache: removed %llu least recently used entries",
		 (unsigned long long)atomic_load(&c->pruned));
out:
	free(list);
	return ret;
}
