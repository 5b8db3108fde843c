// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The signature cache, format 3: a few immutable segment files per cache
 * directory, read whole once when the handle is opened and looked up in
 * memory.  Format 2 kept one file per value, and a warm run spent most of
 * its time in the kernel opening and reading two of them per file.
 *
 * DIR/seg3-RANDOM.c3: each run that stored values writes one new segment
 * with them (a temporary file created exclusively, renamed into place
 * without replacing: a reader sees a whole segment or none).  Segments are
 * never modified.  A run merges all segments it read with its own into one
 * (compaction), then removes the ones it merged, when there are more than
 * MAX_SEGMENTS, when they exceed the size bound (least recently used records
 * dropped down to 90 % of it), when it reused records last marked used more
 * than a day ago (their time is refreshed), or when format-2 leftovers lie in
 * DIR (removed).  Two runs sharing DIR never lose each other's records: a
 * run removes only segments it read, and has merged their records; two
 * merges at once leave duplicates that the next one drops.
 *
 * Nothing read from the cache is trusted as such.  A value is stored only
 * after it verified with the signing key's public half (imactl_sigcache_store()),
 * and each record carries an HMAC-SHA256 over it (entry key, value) keyed with
 * a key derived from the private key (crypto_key_cache_mac(): only the holder
 * of the signing key can make or check one).  A hit is used when its MAC
 * checks.  Keys whose private part cannot be read (PKCS#11) have no MAC key:
 * their hits are verified with the public key.  A segment that is not a
 * regular file of ours (a symbolic link, another user's), or a record that
 * does not parse, is skipped; records before the damage in a segment stay
 * usable (each one is authenticated on its own).
 *
 * Segment: "IMACTLS3" | record count (4, big-endian) | 4 zero bytes, then
 * records: entry key (32) | value length (2, BE) | last use (8, BE, seconds
 * since the epoch: only guides the size bound, not authenticated) | value |
 * MAC (32) over "IMACTLC3" | entry key | value length | value (all zeros for
 * keys without a MAC key).  Format 2's files (DIR/XX/HEX) are never read.
 */
#include "lib_private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SEG_MAGIC	"IMACTLS3"
#define SEG_HDR		16
#define SEG_PREFIX	"seg3-"
#define SEG_SUFFIX	".c3"
#define REC_HDR		(32 + 2 + 8) /* entry key, value length, last use */
#define REC_MAC		CRYPTO_CACHE_MAC_SIZE
#define REC_MAX		(REC_HDR + IMACTL_MAX_XATTR_SIZE + REC_MAC)
#define MAC_DOMAIN	"IMACTLC3"
#define KEY_DOMAIN	"imactl signature cache 3"
#define MAX_SEGMENTS	8
#define TOUCH_AFTER	(24 * 3600) /* refresh a record's last use at most daily */
#define STALE_TMP_AFTER 3600
#define MAX_CANDIDATES	4
#define SEG_READ_MIN	(64 << 20) /* a segment up to this size is read whatever the bound */

/* REC_GONE: dropped from the cache by a merge of this handle */
enum { REC_HIT = 1, REC_BAD = 2, REC_NEW = 4, REC_OWNED = 8, REC_GONE = 16 };

struct rec {
	const uint8_t *p; /* into a segment's buffer, or malloc()ed (REC_OWNED) */
	uint64_t used;
	unsigned int flags;
};

struct seg {
	char name[64];
	uint8_t *buf;
};

struct imactl_sigcache {
	int dfd;
	uint64_t max_bytes;
	struct imactl_ctx *ctx; /* for imactl_sigcache_close()'s flush */
	pthread_mutex_t lock;
	struct seg *segs; /* read, or written, by this handle: on disk until merged */
	size_t n_segs, alloc_segs;
	struct rec *recs;
	size_t n_recs, alloc_recs;
	uint32_t *slots; /* open addressing: index + 1 into recs, 0 free */
	size_t n_slots;
	uint64_t disk_bytes, new_bytes;
	size_t n_new;
	bool touch, old_format;
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

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, v >> 32);
	put_be32(p + 4, (uint32_t)v);
}

static size_t rec_vlen(const uint8_t *p)
{
	return (size_t)p[32] << 8 | p[33];
}

static size_t rec_size(const uint8_t *p)
{
	return REC_HDR + rec_vlen(p) + REC_MAC;
}

/* ---- the in-memory index ------------------------------------------------ */

static size_t slot_of(const struct imactl_sigcache *c, const uint8_t *ekey)
{
	uint64_t h;

	memcpy(&h, ekey, sizeof(h)); /* the key is a SHA-256 output */
	return h & (c->n_slots - 1);
}

static void slot_put(struct imactl_sigcache *c, size_t idx)
{
	size_t i = slot_of(c, c->recs[idx].p);

	while (c->slots[i])
		i = (i + 1) & (c->n_slots - 1);
	c->slots[i] = idx + 1;
}

/* Adds the record at @p to the index; the caller holds the lock (or is open()). */
static int index_add(struct imactl_sigcache *c, const uint8_t *p, unsigned int flags)
{
	if (c->n_recs == c->alloc_recs) {
		size_t na = c->alloc_recs ? c->alloc_recs * 2 : 1024;
		struct rec *r = realloc(c->recs, na * sizeof(*r));

		if (!r)
			return -ENOMEM;
		c->recs = r;
		c->alloc_recs = na;
	}
	if ((c->n_recs + 1) * 2 > c->n_slots) {
		size_t ns = c->n_slots ? c->n_slots * 2 : 2048;
		uint32_t *s = calloc(ns, sizeof(*s));

		if (!s || c->n_recs + 1 >= UINT32_MAX) {
			free(s);
			return -ENOMEM;
		}
		free(c->slots);
		c->slots = s;
		c->n_slots = ns;
		for (size_t i = 0; i < c->n_recs; i++)
			slot_put(c, i);
	}
	c->recs[c->n_recs] = (struct rec){ .p = p, .used = get_be64(p + 34), .flags = flags };
	slot_put(c, c->n_recs++);
	return 0;
}

/* ---- reading the segments ------------------------------------------------ */

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), m = strlen(suffix);

	return n >= m && !strcmp(name + n - m, suffix);
}

static bool is_segment_name(const char *name)
{
	return !strncmp(name, SEG_PREFIX, strlen(SEG_PREFIX)) && has_suffix(name, SEG_SUFFIX) &&
	       strlen(name) < sizeof(((struct seg *)0)->name);
}

/* format 2's fan-out directories: two lower-case hex digits */
static bool is_old_dir_name(const char *name)
{
	return hex_digit(name[0]) >= 0 && hex_digit(name[1]) >= 0 && !name[2] &&
	       !(name[0] >= 'A' && name[0] <= 'F') && !(name[1] >= 'A' && name[1] <= 'F');
}

static void reject(struct imactl_ctx *ctx, struct imactl_sigcache *c, const char *what,
		   const char *why)
{
	atomic_fetch_add(&c->rejected, 1);
	log_debug(ctx, "signature cache: %s not used: %s", what, why);
}

static int seg_remember(struct imactl_sigcache *c, const char *name, uint8_t *buf)
{
	if (c->n_segs == c->alloc_segs) {
		size_t na = c->alloc_segs ? c->alloc_segs * 2 : 8;
		struct seg *s = realloc(c->segs, na * sizeof(*s));

		if (!s)
			return -ENOMEM;
		c->segs = s;
		c->alloc_segs = na;
	}
	snprintf(c->segs[c->n_segs].name, sizeof(c->segs[0].name), "%s", name);
	c->segs[c->n_segs++].buf = buf;
	return 0;
}

/*
 * Reads segment @name whole and indexes its records.  Anything wrong with it
 * is counted as rejected and skipped; only -ENOMEM fails the open.
 */
static int seg_load(struct imactl_ctx *ctx, struct imactl_sigcache *c, const char *name)
{
	struct stat st;
	uint8_t *buf = NULL;
	uint32_t count, parsed = 0;
	uid_t owner, euid;
	size_t off;
	int fd, ret = 0;

	/* O_NOATIME: reading never writes the inode (and fails on others' files) */
	fd = open_below(c->dfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOATIME);
	if (fd < 0) {
		if (fd != -ENOENT) /* merged away by another run meanwhile */
			reject(ctx, c, name, strerror(-fd));
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		reject(ctx, c, name, "not a regular file");
		goto out;
	}
	if (kernel_owner_check(fd, &owner, &euid) < 0) {
		reject(ctx, c, name, "not this user's file");
		goto out;
	}
	/* a bound lowered since: merged down to it; beyond 64 MiB, never ours */
	if ((uint64_t)st.st_size > c->max_bytes && st.st_size > SEG_READ_MIN) {
		reject(ctx, c, name, "larger than the size bound");
		ret = seg_remember(c, name, NULL); /* ours: removed by the next merge */
		goto out;
	}
	buf = st.st_size >= SEG_HDR ? malloc(st.st_size) : NULL;
	if (!buf && st.st_size >= SEG_HDR) {
		ret = -ENOMEM;
		goto out;
	}
	if (!buf || pread(fd, buf, st.st_size, 0) != st.st_size || memcmp(buf, SEG_MAGIC, 8)) {
		reject(ctx, c, name, "short, or not a segment");
		ret = seg_remember(c, name, NULL);
		goto out;
	}
	count = get_be32(buf + 8);
	/* the count is only checked against the records there: never trusted */
	for (off = SEG_HDR; off + REC_HDR <= (size_t)st.st_size; off += rec_size(buf + off)) {
		size_t vlen = rec_vlen(buf + off);

		if (!vlen || vlen > IMACTL_MAX_XATTR_SIZE ||
		    off + REC_HDR + vlen + REC_MAC > (size_t)st.st_size)
			break;
		ret = index_add(c, buf + off, 0);
		if (ret < 0)
			goto out;
		parsed++;
	}
	if (off != (size_t)st.st_size || parsed != count)
		reject(ctx, c, name, "truncated or damaged (the records before it are used)");
	ret = seg_remember(c, name, buf);
	if (ret < 0) {
		/* its records point into buf: they must go too */
		c->n_recs -= parsed;
		memset(c->slots, 0, c->n_slots * sizeof(*c->slots));
		for (size_t i = 0; i < c->n_recs; i++)
			slot_put(c, i);
		goto out;
	}
	c->disk_bytes += st.st_size;
	buf = NULL; /* c->segs owns it now */
out:
	free(buf);
	close(fd);
	return ret;
}

/* Reads every segment in the cache directory. */
static int load_all(struct imactl_ctx *ctx, struct imactl_sigcache *c)
{
	struct dirent *de;
	int fd, ret = 0;
	DIR *d;

	fd = openat(c->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while (ret == 0 && (de = readdir(d))) {
		if (is_segment_name(de->d_name))
			ret = seg_load(ctx, c, de->d_name);
		else if (is_old_dir_name(de->d_name))
			c->old_format = true;
	}
	closedir(d);
	return ret;
}

static void cache_free(struct imactl_sigcache *c)
{
	for (size_t i = 0; i < c->n_recs; i++)
		if (c->recs[i].flags & REC_OWNED)
			free((void *)c->recs[i].p);
	for (size_t i = 0; i < c->n_segs; i++)
		free(c->segs[i].buf);
	free(c->segs);
	free(c->recs);
	free(c->slots);
	pthread_mutex_destroy(&c->lock);
	close(c->dfd);
	free(c);
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
	c->ctx = ctx;
	c->max_bytes = max_bytes ? max_bytes : IMACTL_SIGCACHE_DEFAULT_MAX;
	pthread_mutex_init(&c->lock, NULL);
	ret = load_all(ctx, c);
	if (ret < 0) {
		log_err(ctx, "%s: cannot read the signature cache: %s", dir, strerror(-ret));
		cache_free(c);
		return ret;
	}
	*cache_ret = c;
	return 0;
}

IMACTL_EXPORT void imactl_sigcache_close(struct imactl_sigcache *cache)
{
	if (!cache)
		return;
	imactl_sigcache_flush(cache->ctx, cache);
	cache_free(cache);
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
 */
static int entry_key(struct imactl_ctx *ctx, const struct imactl_key *key,
		     enum imactl_xattr_type type, const struct imactl_digest *digest,
		     uint8_t out[32])
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
	return 0;
}

/* The MAC of the record at @rec (its value of @vlen bytes) into @mac. */
static int rec_mac(const struct imactl_key *key, const uint8_t *rec, size_t vlen,
		   uint8_t mac[REC_MAC])
{
	uint8_t in[8 + 32 + 2 + IMACTL_MAX_XATTR_SIZE];

	memcpy(in, MAC_DOMAIN, 8);
	memcpy(in + 8, rec, 32 + 2);
	memcpy(in + 8 + 34, rec + REC_HDR, vlen);
	return crypto_key_cache_mac(key, in, 8 + 34 + vlen, mac);
}

/*
 * Did this key's holder store the record at @rec?  Its MAC says so; the
 * value verified before the MAC was made (imactl_sigcache_store()).  Without
 * a MAC key the value is verified with the public key instead.
 */
static int rec_authentic(struct imactl_ctx *ctx, struct imactl_sigcache *c,
			 const struct imactl_key *key, enum imactl_xattr_type type,
			 const struct imactl_digest *digest, const uint8_t *rec, const char **why)
{
	size_t vlen = rec_vlen(rec);
	uint8_t mac[REC_MAC];
	int ret = rec_mac(key, rec, vlen, mac);

	if (ret == 0) {
		if (crypto_memeq(mac, rec + REC_HDR + vlen, REC_MAC))
			return 0;
		*why = "its MAC does not check (not stored with this key)";
		return -EBADMSG;
	}
	if (ret != -EOPNOTSUPP) {
		*why = "the MAC cannot be computed";
		return ret;
	}
	atomic_fetch_add(&c->verified, 1);
	return sign_value_check(ctx, key, type, digest, rec + REC_HDR, vlen, why);
}

IMACTL_EXPORT int imactl_sigcache_lookup(struct imactl_ctx *ctx, struct imactl_sigcache *c,
					 const struct imactl_key *key, enum imactl_xattr_type type,
					 const struct imactl_digest *digest, uint8_t **value_ret,
					 size_t *len_ret)
{
	size_t cand[MAX_CANDIDATES], n_cand = 0, i;
	const uint8_t *p = NULL;
	uint8_t ekey[32], *val;
	int ret;

	if (!c || !key || !digest || !value_ret || !len_ret || !valid_type(type))
		return -EINVAL;
	ret = entry_key(ctx, key, type, digest, ekey);
	if (ret < 0)
		return ret;
	/* records never move nor change: authenticate them without the lock */
	pthread_mutex_lock(&c->lock);
	for (i = c->n_slots ? slot_of(c, ekey) : 0; c->n_slots && c->slots[i];
	     i = (i + 1) & (c->n_slots - 1)) {
		const struct rec *r = &c->recs[c->slots[i] - 1];

		if (!(r->flags & (REC_BAD | REC_GONE)) && !memcmp(r->p, ekey, 32) &&
		    n_cand < MAX_CANDIDATES)
			cand[n_cand++] = c->slots[i] - 1;
	}
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < n_cand; i++) {
		const char *why = NULL;
		unsigned int flag;
		bool stale;

		pthread_mutex_lock(&c->lock);
		p = c->recs[cand[i]].p;
		pthread_mutex_unlock(&c->lock);
		ret = rec_authentic(ctx, c, key, type, digest, p, &why);
		flag = ret == 0 ? REC_HIT : REC_BAD;
		pthread_mutex_lock(&c->lock);
		c->recs[cand[i]].flags |= flag;
		stale = c->recs[cand[i]].used < (uint64_t)time(NULL) - TOUCH_AFTER;
		if (ret == 0 && stale)
			c->touch = true;
		pthread_mutex_unlock(&c->lock);
		if (ret == 0)
			break;
		reject(ctx, c, "a record", why ? why : strerror(-ret));
	}
	if (i == n_cand)
		return -ENOENT;
	val = malloc(rec_vlen(p));
	if (!val)
		return -ENOMEM;
	memcpy(val, p + REC_HDR, rec_vlen(p));
	*value_ret = val;
	*len_ret = rec_vlen(p);
	atomic_fetch_add(&c->reused, 1);
	return 0;
}

/* Records @value in memory; imactl_sigcache_flush() writes it. */
static int rec_add(struct imactl_ctx *ctx, struct imactl_sigcache *c, const struct imactl_key *key,
		   enum imactl_xattr_type type, const struct imactl_digest *digest,
		   const uint8_t *value, size_t len)
{
	uint8_t *rec = malloc(REC_HDR + len + REC_MAC);
	int ret;

	if (!rec)
		return -ENOMEM;
	ret = entry_key(ctx, key, type, digest, rec);
	if (ret < 0)
		goto out;
	rec[32] = len >> 8;
	rec[33] = len;
	put_be64(rec + 34, (uint64_t)time(NULL));
	memcpy(rec + REC_HDR, value, len);
	ret = rec_mac(key, rec, len, rec + REC_HDR + len);
	if (ret == -EOPNOTSUPP) {
		memset(rec + REC_HDR + len, 0, REC_MAC); /* hits are verified */
		ret = 0;
	}
	if (ret < 0)
		goto out;
	pthread_mutex_lock(&c->lock);
	ret = index_add(c, rec, REC_NEW | REC_OWNED);
	if (ret == 0) {
		c->n_new++;
		c->new_bytes += REC_HDR + len + REC_MAC;
		rec = NULL;
	}
	pthread_mutex_unlock(&c->lock);
out:
	free(rec);
	if (ret < 0) {
		atomic_fetch_add(&c->store_failed, 1);
		log_debug(ctx, "cannot store a signature cache record: %s", strerror(-ret));
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
	return rec_add(ctx, c, key, type, digest, value, len);
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

/* ---- writing: new segments, merges, the bound ---------------------------- */

/* Writes the records @idx[0..n) as a new segment; its name into *@name_ret. */
static int seg_write(struct imactl_sigcache *c, const size_t *idx, size_t n, uint64_t now,
		     char name[64])
{
	char tmp[TMP_NAME_MAX];
	uint64_t rnd = 0, size = SEG_HDR;
	uint8_t *buf, *q;
	int fd, ret;

	for (size_t i = 0; i < n; i++)
		size += rec_size(c->recs[idx[i]].p);
	if (size > SIZE_MAX || n > UINT32_MAX)
		return -EFBIG;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	snprintf(name, 64, SEG_PREFIX "%016llx" SEG_SUFFIX, (unsigned long long)rnd);
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, SEG_MAGIC, 8);
	put_be32(buf + 8, (uint32_t)n);
	memset(buf + 12, 0, 4);
	q = buf + SEG_HDR;
	for (size_t i = 0; i < n; i++) {
		const struct rec *r = &c->recs[idx[i]];
		size_t rs = rec_size(r->p);

		memcpy(q, r->p, rs);
		/* used in this run: its last use is now */
		put_be64(q + 34, r->flags & REC_HIT ? now : r->used);
		q += rs;
	}
	fd = out_temp_create(c->dfd, name, 0600, tmp);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	ret = write_all(fd, buf, size);
	free(buf);
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0)
		ret = out_rename(c->dfd, tmp, name, false);
	if (ret < 0)
		unlinkat(c->dfd, tmp, 0);
	return ret;
}

/* Removes format 2's entries (DIR/XX/HEX) and their fan-out directory @sub. */
static void old_dir_remove(struct imactl_sigcache *c, const char *sub)
{
	struct dirent *de;
	int sfd = open_below(c->dfd, sub, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (sfd < 0)
		return;
	d = fdopendir(sfd);
	if (!d) {
		close(sfd);
		return;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' || (de->d_name[1] && strcmp(de->d_name, "..")))
			unlinkat(sfd, de->d_name, 0); /* a directory in it stays, so does sub */
	closedir(d);
	unlinkat(c->dfd, sub, AT_REMOVEDIR);
}

/* Temporaries of crashed writers (older than an hour); format 2's leftovers. */
static void sweep(struct imactl_sigcache *c)
{
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	int fd = openat(c->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (fstatat(c->dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (de->d_name[0] == '.' && has_suffix(de->d_name, ".tmp") && S_ISREG(st.st_mode) &&
		    st.st_mtime < now - STALE_TMP_AFTER)
			unlinkat(c->dfd, de->d_name, 0);
		else if (is_old_dir_name(de->d_name) && S_ISDIR(st.st_mode))
			old_dir_remove(c, de->d_name);
	}
	closedir(d);
	c->old_format = false;
}

static int cmp_key_then_best(const void *a, const void *b, void *arg)
{
	const struct rec *recs = arg;
	const struct rec *x = &recs[*(const size_t *)a], *y = &recs[*(const size_t *)b];
	int k = memcmp(x->p, y->p, 32);

	if (k)
		return k;
	if ((x->flags & REC_HIT) != (y->flags & REC_HIT))
		return x->flags & REC_HIT ? -1 : 1;
	return x->used > y->used ? -1 : x->used < y->used;
}

static int cmp_recent_first(const void *a, const void *b, void *arg)
{
	const struct rec *recs = arg;
	const struct rec *x = &recs[*(const size_t *)a], *y = &recs[*(const size_t *)b];
	uint64_t ux = x->flags & REC_HIT ? UINT64_MAX : x->used;
	uint64_t uy = y->flags & REC_HIT ? UINT64_MAX : y->used;

	return ux > uy ? -1 : ux < uy;
}

static bool same_record(const uint8_t *a, const uint8_t *b)
{
	size_t n = rec_size(a);

	/* all but the last use */
	return n == rec_size(b) && !memcmp(a, b, 34) &&
	       !memcmp(a + REC_HDR, b + REC_HDR, n - REC_HDR);
}

/*
 * Of the records with one key, @idx[0..n) (sorted: reused first, then most
 * recent): the one reused in this run stands for all; otherwise each that is
 * not an exact copy of one kept stays (which of them authenticates is only
 * known with the key).  Keeps them at the front of @idx; returns how many.
 */
static size_t dedupe(const struct rec *recs, size_t *idx, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = recs[idx[i]].p;
		bool dup = false;

		for (size_t k = kept; k-- > 0 && !memcmp(recs[idx[k]].p, p, 32) && !dup;)
			dup = (recs[idx[k]].flags & REC_HIT) || same_record(recs[idx[k]].p, p);
		if (!dup)
			idx[kept++] = idx[i];
	}
	return kept;
}

/* Forgets the names of the segments on disk after removing them (merged). */
static void segs_remove(struct imactl_sigcache *c)
{
	for (size_t i = 0; i < c->n_segs; i++) {
		if (c->segs[i].name[0])
			unlinkat(c->dfd, c->segs[i].name, 0);
		c->segs[i].name[0] = '\0';
	}
}

static size_t segs_on_disk(const struct imactl_sigcache *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_segs; i++)
		n += c->segs[i].name[0] != '\0';
	return n;
}

/*
 * Merges every record this handle knows (the segments it read, its own)
 * into one new segment, the least recently used dropped down to 90 % of the
 * bound when they exceed it, and removes the segments it merged.  The
 * caller holds the lock.
 */
static int merge(struct imactl_ctx *ctx, struct imactl_sigcache *c, uint64_t now)
{
	size_t *idx = NULL, n = 0, kept;
	uint64_t total = SEG_HDR, goal = c->max_bytes / 10 * 9, dropped = 0;
	char name[64];
	int ret = 0;

	idx = malloc((c->n_recs ? c->n_recs : 1) * sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_recs; i++)
		if (!(c->recs[i].flags & (REC_BAD | REC_GONE)))
			idx[n++] = i;
	if (n)
		qsort_r(idx, n, sizeof(*idx), cmp_key_then_best, c->recs);
	kept = dedupe(c->recs, idx, n);
	for (size_t i = 0; i < kept; i++)
		total += rec_size(c->recs[idx[i]].p);
	if (total > c->max_bytes) {
		if (kept)
			qsort_r(idx, kept, sizeof(*idx), cmp_recent_first, c->recs);
		while (kept && total > goal) {
			total -= rec_size(c->recs[idx[--kept]].p);
			dropped++;
		}
	}
	if (kept) {
		ret = seg_write(c, idx, kept, now, name);
		if (ret < 0)
			goto out;
	}
	/* what is not in the new segment is gone, for this handle too */
	for (size_t i = 0; i < c->n_recs; i++)
		c->recs[i].flags |= REC_GONE;
	for (size_t i = 0; i < kept; i++) {
		struct rec *r = &c->recs[idx[i]];

		r->flags &= ~REC_GONE;
		if (r->flags & REC_HIT)
			r->used = now;
	}
	segs_remove(c);
	if (kept)
		ret = seg_remember(c, name, NULL);
	c->disk_bytes = kept ? total : 0;
	atomic_fetch_add(&c->pruned, dropped);
	if (dropped)
		log_info(ctx, "signature cache: removed %llu least recently used records",
			 (unsigned long long)dropped);
out:
	free(idx);
	return ret;
}

/* Writes this handle's new records as one segment.  The caller holds the lock. */
static int append_new(struct imactl_sigcache *c, uint64_t now)
{
	size_t *idx = malloc(c->n_new * sizeof(*idx)), n = 0;
	char name[64];
	int ret;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_recs; i++)
		if ((c->recs[i].flags & (REC_NEW | REC_GONE)) == REC_NEW)
			idx[n++] = i;
	ret = seg_write(c, idx, n, now, name);
	free(idx);
	if (ret == 0)
		ret = seg_remember(c, name, NULL);
	if (ret == 0)
		c->disk_bytes += SEG_HDR + c->new_bytes;
	return ret;
}

/* The caller holds the lock. */
static int write_out(struct imactl_ctx *ctx, struct imactl_sigcache *c, bool force)
{
	uint64_t now = (uint64_t)time(NULL);
	bool merge_now = force || c->touch || c->old_format || atomic_load(&c->rejected) ||
			 segs_on_disk(c) + (c->n_new > 0) > MAX_SEGMENTS ||
			 c->disk_bytes + c->new_bytes > c->max_bytes;
	int ret;

	if (!merge_now && !c->n_new)
		return 0;
	if (merge_now)
		sweep(c);
	ret = merge_now ? merge(ctx, c, now) : append_new(c, now);
	if (ret < 0) {
		atomic_fetch_add(&c->store_failed, c->n_new);
		log_debug(ctx, "cannot write the signature cache: %s", strerror(-ret));
	}
	/* written, or given up on: never written twice */
	for (size_t i = 0; i < c->n_recs; i++)
		c->recs[i].flags &= ~REC_NEW;
	c->n_new = 0;
	c->new_bytes = 0;
	c->touch = false;
	return ret;
}

IMACTL_EXPORT int imactl_sigcache_flush(struct imactl_ctx *ctx, struct imactl_sigcache *c)
{
	int ret;

	if (!c)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	ret = write_out(ctx, c, false);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

IMACTL_EXPORT int imactl_sigcache_prune(struct imactl_ctx *ctx, struct imactl_sigcache *c)
{
	int ret;

	if (!c)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	ret = write_out(ctx, c, true);
	pthread_mutex_unlock(&c->lock);
	if (ret < 0)
		log_err(ctx, "cannot write the signature cache: %s", strerror(-ret));
	return ret;
}
