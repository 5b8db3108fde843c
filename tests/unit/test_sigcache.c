// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The signature cache: a value comes back only for exactly the key, type,
 * algorithm and digest it was made for, only when its MAC checks (made with
 * the private key's derived MAC key after the value verified); a value that
 * does not verify is never stored; damaged, planted (valid signatures without
 * the right MAC, other keys' entries) and oversized entries, symbolic links
 * and another user's directory never give a wrong value; the size bound
 * drops the least recently used.
 */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

/* scratch paths are short; the compiler cannot know it */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static struct imactl_key *load_key(struct imactl_ctx *ctx, const char *name)
{
	struct imactl_key *key = NULL;

	assert_int_equal(imactl_key_load(ctx, test_key_path(name), NULL, NULL, &key), 0);
	return key;
}

/* A fresh cache directory @name under the scratch directory. */
static const char *fresh_dir(const char *name)
{
	static char path[4200];
	char cmd[4300];

	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
	return path;
}

static struct imactl_digest digest_of(struct imactl_ctx *ctx, const char *s, int algo)
{
	struct imactl_digest d;

	assert_int_equal(imactl_hash_buf(ctx, s, strlen(s), algo, &d), 0);
	return d;
}

/* Calls @fn for every segment file in @dir; counts them. */
static int each_segment(const char *dir, void (*fn)(const char *path, void *arg), void *arg)
{
	char path[4400];
	struct dirent *de;
	int found = 0;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "seg3-", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (fn)
			fn(path, arg);
		found++;
	}
	closedir(d);
	return found;
}

static void copy_path(const char *path, void *arg)
{
	snprintf(arg, 4400, "%s", path);
}

/* The one segment file in @dir (there must be exactly one); into @path[4400]. */
static void only_segment(const char *dir, char *path)
{
	assert_int_equal(each_segment(dir, copy_path, path), 1);
}

/* Removes every file in @dir. */
static void empty_dir(const char *dir)
{
	char path[4400];
	struct dirent *de;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		assert_int_equal(unlink(path), 0);
	}
	closedir(d);
}

/* Segment layout: header (16), then records: key (32), length (2), last use (8), value, MAC (32) */
#define SEG_HDR 16
#define REC_HDR 42

static void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static size_t read_file(const char *path, uint8_t *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, size);
	assert_true(n >= 0);
	close(fd);
	return n;
}

/* One RSA-2048 key, another key, a fresh cache, the digest of "content". */
struct fx {
	struct imactl_ctx *ctx;
	struct imactl_key *key, *other;
	struct imactl_sigcache *c;
	struct imactl_digest d;
	const char *dir;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ctx = test_ctx();
	f->key = load_key(f->ctx, "rsa2048.key");
	f->other = load_key(f->ctx, "other.key");
	f->dir = fresh_dir("cache");
	assert_int_equal(imactl_sigcache_open(f->ctx, f->dir, 0, &f->c), 0);
	f->d = digest_of(f->ctx, "content", IMACTL_HASH_SHA256);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	imactl_sigcache_close(f->c);
	imactl_key_free(f->other);
	imactl_key_free(f->key);
	imactl_ctx_free(f->ctx);
	free(f);
	return 0;
}

static void round_trip_is_byte_identical(void **state)
{
	struct fx *f = *state;
	struct imactl_ctx *ctx = f->ctx;
	struct imactl_key *key = f->key;
	struct imactl_sigcache *c = f->c;
	struct imactl_digest d = f->d;
	const char *dir = f->dir;
	struct imactl_sigcache_stats s;
	uint8_t *fresh = NULL, *first = NULL, *again = NULL, *later = NULL;
	size_t fresh_len, first_len, again_len, later_len;
	struct stat st;
	char seg[4400];

	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(imactl_sign_digest(ctx, key, IMACTL_XATTR_DIGSIG, &d, &fresh, &fresh_len),
			 0);
	assert_int_equal(
		imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &first, &first_len),
		-ENOENT);
	assert_int_equal(
		imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &first, &first_len), 0);
	assert_int_equal(
		imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &again, &again_len), 0);
	/* RSA PKCS#1 v1.5 is deterministic: cached == fresh, byte for byte */
	assert_int_equal(first_len, fresh_len);
	assert_memory_equal(first, fresh, fresh_len);
	assert_int_equal(again_len, fresh_len);
	assert_memory_equal(again, fresh, fresh_len);
	imactl_sigcache_get_stats(c, &s);
	assert_int_equal(s.signed_new, 1);
	assert_int_equal(s.reused, 1);
	assert_int_equal(s.stored, 1);
	assert_int_equal(s.rejected, 0);
	/* one RSA verification, before storing: the hit was taken on its MAC */
	assert_int_equal(s.verified, 1);
	/* nothing on disk before the flush; then one segment, private */
	assert_int_equal(each_segment(dir, NULL, NULL), 0);
	assert_int_equal(imactl_sigcache_flush(ctx, c), 0);
	only_segment(dir, seg);
	assert_int_equal(stat(seg, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, SEG_HDR + REC_HDR + fresh_len + 32);
	/* a flush with nothing new writes nothing */
	assert_int_equal(imactl_sigcache_flush(ctx, c), 0);
	assert_int_equal(each_segment(dir, NULL, NULL), 1);
	/* another handle (another run) reads it */
	imactl_sigcache_close(c);
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &f->c), 0);
	assert_int_equal(
		imactl_sigcache_lookup(ctx, f->c, key, IMACTL_XATTR_DIGSIG, &d, &later, &later_len),
		0);
	assert_int_equal(later_len, fresh_len);
	assert_memory_equal(later, fresh, fresh_len);
	free(fresh);
	free(first);
	free(again);
	free(later);
}

/*
 * What imactl_sigcache_lookup() says for @key, @type and @d in the
 * fixture's cache; the value found is dropped.
 */
static int lookup(const struct fx *f, struct imactl_key *key, enum imactl_xattr_type type,
		  const struct imactl_digest *d)
{
	uint8_t *v = NULL;
	size_t len;
	int ret = imactl_sigcache_lookup(f->ctx, f->c, key, type, d, &v, &len);

	free(v);
	return ret;
}

/* Whatever the value depends on, a change of it misses. */
static void every_input_is_in_the_key(void **state)
{
	struct fx *f = *state;
	struct imactl_key *key = f->key, *other = f->other;
	struct imactl_sigcache_stats s;
	struct imactl_digest d2 = digest_of(f->ctx, "content2", IMACTL_HASH_SHA256);
	struct imactl_digest d512 = digest_of(f->ctx, "content", IMACTL_HASH_SHA512);
	uint8_t *v = NULL;
	size_t len;
	uint32_t keyid = imactl_key_keyid(key);

	assert_int_equal(
		imactl_sigcache_sign(f->ctx, f->c, key, IMACTL_XATTR_DIGSIG, &f->d, &v, &len), 0);
	free(v);
	assert_int_equal(lookup(f, key, IMACTL_XATTR_DIGSIG, &f->d), 0);
	/* content, algorithm, format, key, keyid */
	assert_int_equal(lookup(f, key, IMACTL_XATTR_DIGSIG, &d2), -ENOENT);
	assert_int_equal(lookup(f, key, IMACTL_XATTR_DIGSIG, &d512), -ENOENT);
	assert_int_equal(lookup(f, key, IMACTL_XATTR_EVM_PORTABLE, &f->d), -ENOENT);
	assert_int_equal(lookup(f, key, IMACTL_XATTR_IMA_VERITY_SIG, &f->d), -ENOENT);
	assert_int_equal(lookup(f, other, IMACTL_XATTR_DIGSIG, &f->d), -ENOENT);
	/* the same 32-bit keyid on another key is still another key */
	imactl_key_set_keyid(other, keyid);
	assert_int_equal(lookup(f, other, IMACTL_XATTR_DIGSIG, &f->d), -ENOENT);
	imactl_key_set_keyid(key, keyid ^ 1);
	assert_int_equal(lookup(f, key, IMACTL_XATTR_DIGSIG, &f->d), -ENOENT);
	/* each was a miss of its own entry, not a rejected entry of another */
	imactl_sigcache_get_stats(f->c, &s);
	assert_int_equal(s.rejected, 0);
	imactl_key_set_keyid(key, keyid);
	assert_int_equal(lookup(f, key, IMACTL_XATTR_DIGSIG, &f->d), 0);
	/* bad parameters */
	assert_int_equal(lookup(f, key, IMACTL_XATTR_IMA_DIGEST_NG, &f->d), -EINVAL);
	assert_int_equal(imactl_sigcache_store(f->ctx, f->c, key, IMACTL_XATTR_DIGSIG, &f->d,
					       (uint8_t *)"x", IMACTL_MAX_XATTR_SIZE + 1),
			 -EINVAL);
}

/*
 * imactl_sigcache_store() verifies before it stores: a value that decodes
 * and carries the right keyid, but is another key's signature, one over
 * another digest, or of another type, is refused and nothing is written.
 */
static void store_refuses_bad_values(void **state)
{
	struct fx *f = *state;
	struct imactl_ctx *ctx = f->ctx;
	struct imactl_key *key = f->key, *other = f->other;
	struct imactl_sigcache *c = f->c;
	struct imactl_digest d = f->d;
	struct imactl_sigcache_stats s;
	struct imactl_digest d2 = digest_of(ctx, "elsewhere", IMACTL_HASH_SHA256);
	uint8_t *bad[3] = { NULL }, *v = NULL;
	size_t bad_len[3], len;

	imactl_key_set_keyid(other, imactl_key_keyid(key));
	assert_int_equal(
		imactl_sign_digest(ctx, other, IMACTL_XATTR_DIGSIG, &d, &bad[0], &bad_len[0]), 0);
	assert_int_equal(
		imactl_sign_digest(ctx, key, IMACTL_XATTR_DIGSIG, &d2, &bad[1], &bad_len[1]), 0);
	assert_int_equal(
		imactl_sign_digest(ctx, key, IMACTL_XATTR_EVM_PORTABLE, &d, &bad[2], &bad_len[2]),
		0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(imactl_sigcache_store(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, bad[i],
						       bad_len[i]),
				 -EBADMSG);
		free(bad[i]);
	}
	imactl_sigcache_get_stats(c, &s);
	assert_int_equal(s.stored, 0);
	assert_int_equal(s.verified, 3);
	/* nothing on disk: a plain miss, not a rejected entry */
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 -ENOENT);
	imactl_sigcache_get_stats(c, &s);
	assert_int_equal(s.rejected, 0);
}

/* The record of the one segment in @dir into @rec (at most 4096 bytes); its size. */
static size_t only_record(const char *dir, uint8_t *rec)
{
	uint8_t buf[4096 + SEG_HDR];
	char seg[4400];
	size_t n;

	only_segment(dir, seg);
	n = read_file(seg, buf, sizeof(buf));
	assert_true(n > SEG_HDR + REC_HDR + 32);
	assert_int_equal(buf[11], 1); /* one record */
	memcpy(rec, buf + SEG_HDR, n - SEG_HDR);
	return n - SEG_HDR;
}

/* Writes a segment of the one record @rec as @dir's only file. */
static void plant(const char *dir, const uint8_t *rec, size_t n)
{
	uint8_t buf[4096 + SEG_HDR] = "IMACTLS3\0\0\0\1";
	char seg[4400];

	empty_dir(dir);
	snprintf(seg, sizeof(seg), "%s/seg3-0123456789abcdef.c3", dir);
	memcpy(buf + SEG_HDR, rec, n);
	write_file(seg, buf, SEG_HDR + n);
}

/*
 * Records planted under the right key, each holding a signature that
 * verifies with the key over the right digest, but without this key's MAC:
 * none is used (rejected, the file signed anew, the bad record dropped).
 */
static void planted_entries_without_the_mac_are_refused(void **state)
{
	struct fx *f = *state;
	struct imactl_ctx *ctx = f->ctx;
	struct imactl_key *key = f->key, *other = f->other;
	struct imactl_digest d = f->d;
	const char *dir = f->dir;
	struct imactl_sigcache_stats s;
	struct imactl_digest d2 = digest_of(ctx, "elsewhere", IMACTL_HASH_SHA256);
	uint8_t good[4096], buf[4096], mine2[4096], theirs[4096], *v = NULL;
	size_t n, n2, nt, len;
	char other_dir[4400];
	struct imactl_sigcache *oc = NULL, *c = NULL;

	/* our record for d, our record for d2, the other key's for d */
	assert_int_equal(imactl_sigcache_sign(ctx, f->c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 0);
	free(v);
	assert_int_equal(imactl_sigcache_flush(ctx, f->c), 0);
	n = only_record(dir, good);
	snprintf(other_dir, sizeof(other_dir), "%s", fresh_dir("c-other"));
	assert_int_equal(imactl_sigcache_open(ctx, other_dir, 0, &oc), 0);
	assert_int_equal(imactl_sigcache_sign(ctx, oc, key, IMACTL_XATTR_DIGSIG, &d2, &v, &len), 0);
	free(v);
	imactl_sigcache_close(oc);
	n2 = only_record(other_dir, mine2);
	assert_int_equal(n2, n);
	empty_dir(other_dir);
	imactl_key_set_keyid(other, imactl_key_keyid(key));
	assert_int_equal(imactl_sigcache_open(ctx, other_dir, 0, &oc), 0);
	assert_int_equal(imactl_sigcache_sign(ctx, oc, other, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 0);
	free(v);
	imactl_sigcache_close(oc);
	nt = only_record(other_dir, theirs);

	for (int kind = 0; kind < 6; kind++) {
		size_t bn = n;

		memcpy(buf, good, n);
		switch (kind) {
		case 0: /* the MAC zeroed (as a PKCS#11 key writes it) */
			memset(buf + n - 32, 0, 32);
			break;
		case 1: /* the MAC of another of our records */
			memcpy(buf + n - 32, mine2 + n2 - 32, 32);
			break;
		case 2: /* the other key's record for the same digest, under our key */
			memcpy(buf, theirs, nt);
			memcpy(buf, good, 32);
			bn = nt;
			break;
		case 3: /* our record with the other key's MAC */
			memcpy(buf + n - 32, theirs + nt - 32, 32);
			break;
		case 4: /* our value under the entry key of another of our records */
			memcpy(buf, mine2, 32);
			break;
		case 5: /* the value of another of our records, under this key */
			memcpy(buf + REC_HDR, mine2 + REC_HDR, n - REC_HDR - 32);
			break;
		}
		plant(dir, buf, bn);
		assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
		assert_int_equal(
			imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			-ENOENT);
		/* signed anew: the right value */
		assert_int_equal(
			imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
		assert_int_equal(len + REC_HDR + 32, n);
		assert_memory_equal(v, good + REC_HDR, len);
		free(v);
		imactl_sigcache_get_stats(c, &s);
		/* kind 4 is a miss for d (its key is d2's): the planted one never matched */
		/* rejected once: then known bad (kind 4 is d2's record: a miss for d) */
		assert_int_equal(s.rejected, kind == 4 ? 0 : 1);
		assert_int_equal(s.reused, 0);
		assert_int_equal(s.signed_new, 1);
		assert_int_equal(s.verified, 1);
		imactl_sigcache_close(c);
		/* the bad record was dropped by the merge (kind 4's was valid: d2's value) */
		assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
		assert_int_equal(
			imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
		assert_memory_equal(v, good + REC_HDR, len);
		free(v);
		imactl_sigcache_get_stats(c, &s);
		assert_int_equal(s.rejected, 0);
		imactl_sigcache_close(c);
	}
}

/* A segment of @n bytes from @buf as @dir's only file: a lookup of @d with a fresh handle. */
static int lookup_in(struct imactl_ctx *ctx, const char *dir, uint64_t bound,
		     const struct imactl_key *key, const struct imactl_digest *d,
		     const uint8_t *buf, size_t n, const uint8_t *want, size_t want_len,
		     uint64_t *rejected)
{
	struct imactl_sigcache *c = NULL;
	struct imactl_sigcache_stats s;
	char seg[4400];
	uint8_t *v = NULL;
	size_t len;
	int ret;

	empty_dir(dir);
	snprintf(seg, sizeof(seg), "%s/seg3-00000000000000ff.c3", dir);
	write_file(seg, buf, n);
	assert_int_equal(imactl_sigcache_open(ctx, dir, bound, &c), 0);
	ret = imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, d, &v, &len);
	/* whatever the damage: no value, or the right one */
	if (ret == 0) {
		assert_int_equal(len, want_len);
		assert_memory_equal(v, want, len);
		free(v);
	} else {
		assert_int_equal(ret, -ENOENT);
	}
	imactl_sigcache_get_stats(c, &s);
	*rejected = s.rejected;
	imactl_sigcache_close(c);
	return ret;
}

/* A new handle on @dir (bound @bound) finds no value for @d, and rejected one thing. */
static void refused_once(struct imactl_ctx *ctx, const char *dir, uint64_t bound,
			 const struct imactl_key *key, const struct imactl_digest *d)
{
	struct imactl_sigcache *c = NULL;
	struct imactl_sigcache_stats s;
	uint8_t *v = NULL;
	size_t len;

	assert_int_equal(imactl_sigcache_open(ctx, dir, bound, &c), 0);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, d, &v, &len),
			 -ENOENT);
	imactl_sigcache_get_stats(c, &s);
	assert_int_equal(s.rejected, 1);
	imactl_sigcache_close(c);
}

/* Damaged segments: every byte flipped in turn, truncations, huge files and counts. */
static void damaged_entries_are_refused(void **state)
{
	struct fx *f = *state;
	struct imactl_ctx *ctx = f->ctx;
	struct imactl_key *key = f->key;
	struct imactl_digest d = f->d;
	const char *dir = f->dir;
	uint8_t orig[4096], buf[4096], *v = NULL, *big, *want;
	size_t n, len, vlen;
	uint64_t rej;
	char seg[4400];

	assert_int_equal(imactl_sigcache_sign(ctx, f->c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 0);
	free(v);
	assert_int_equal(imactl_sigcache_flush(ctx, f->c), 0);
	only_segment(dir, seg);
	n = read_file(seg, orig, sizeof(orig));
	vlen = n - SEG_HDR - REC_HDR - 32;
	want = orig + SEG_HDR + REC_HDR;
	assert_int_equal(lookup_in(ctx, dir, 0, key, &d, orig, n, want, vlen, &rej), 0);
	assert_int_equal(rej, 0);
	/*
	 * Every byte: only the record count (a mismatch is reported, the record
	 * still used) and the record's last use (not authenticated: it only
	 * guides the bound) may change and still give the value.
	 */
	for (size_t i = 0; i < n; i++) {
		bool harmless = (i >= 8 && i < 16) || (i >= SEG_HDR + 34 && i < SEG_HDR + 42);
		int ret;

		memcpy(buf, orig, n);
		buf[i] ^= 0x01;
		ret = lookup_in(ctx, dir, 0, key, &d, buf, n, want, vlen, &rej);
		if (!harmless) {
			assert_int_equal(ret, -ENOENT);
			/* another entry key is a plain miss; the rest is rejected */
			assert_true(rej >= 1 || (i >= SEG_HDR && i < SEG_HDR + 32));
		} else {
			assert_int_equal(ret, 0);
			assert_int_equal(rej, i >= 8 && i < 12 ? 1 : 0);
		}
	}
	/* every truncation */
	for (size_t cut = 0; cut < n; cut++) {
		assert_int_equal(lookup_in(ctx, dir, 0, key, &d, orig, cut, want, vlen, &rej),
				 -ENOENT);
		assert_true(rej >= 1 || cut == 0);
	}
	/* trailing garbage: the record is used, the damage reported */
	memcpy(buf, orig, n);
	buf[n] = 0xff;
	assert_int_equal(lookup_in(ctx, dir, 0, key, &d, buf, n + 1, want, vlen, &rej), 0);
	assert_int_equal(rej, 1);
	/* a huge record count: never trusted */
	memcpy(buf, orig, n);
	memset(buf + 8, 0xff, 4);
	assert_int_equal(lookup_in(ctx, dir, 0, key, &d, buf, n, want, vlen, &rej), 0);
	assert_int_equal(rej, 1);
	/* a huge value length */
	memcpy(buf, orig, n);
	buf[SEG_HDR + 32] = buf[SEG_HDR + 33] = 0xff;
	assert_int_equal(lookup_in(ctx, dir, 0, key, &d, buf, n, want, vlen, &rej), -ENOENT);
	assert_int_equal(rej, 1);
	/* a segment larger than the bound and 64 MiB: not read */
	assert_int_equal(lookup_in(ctx, dir, 0, key, &d, orig, n, want, vlen, &rej), 0);
	snprintf(seg, sizeof(seg), "%s/seg3-00000000000000ff.c3", dir);
	assert_int_equal(truncate(seg, 65 << 20), 0);
	refused_once(ctx, dir, 1 << 20, key, &d);
	/* ... and removed by the merge its rejection causes (it was ours) */
	assert_int_equal(each_segment(dir, NULL, NULL), 0);
	big = calloc(1, 1 << 20);
	assert_non_null(big);
	memcpy(big, orig, n);
	/* within the bound, zeros after the record: the record is used */
	assert_int_equal(lookup_in(ctx, dir, 0, key, &d, big, 1 << 20, want, vlen, &rej), 0);
	assert_int_equal(rej, 1);
	free(big);
	/* the original bytes are good again */
	assert_int_equal(lookup_in(ctx, dir, 0, key, &d, orig, n, want, vlen, &rej), 0);
	assert_int_equal(rej, 0);
}

/* Symbolic links: for the directory, for a segment. */
static void symlinks_are_not_followed(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = load_key(ctx, "rsa2048.key");
	struct imactl_sigcache *c = NULL;
	struct imactl_sigcache_stats s;
	struct imactl_digest d = digest_of(ctx, "content", IMACTL_HASH_SHA256);
	uint8_t *v = NULL, orig[4096];
	size_t len, n;
	char seg[4400], target[4400], link[4400];
	const char *dir = fresh_dir("c-links");

	(void)state;
	snprintf(target, sizeof(target), "%s/c-links-target", test_tmpdir());
	mkdir(target, 0700);
	assert_int_equal(symlink(target, dir), 0);
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), -ELOOP);
	assert_null(c);
	unlink(dir);

	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
	assert_int_equal(imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
	free(v);
	imactl_sigcache_close(c);
	only_segment(dir, seg);
	n = read_file(seg, orig, sizeof(orig));
	/* the segment replaced by a link to a copy of itself: not followed */
	snprintf(link, sizeof(link), "%s/good-copy", target);
	write_file(link, orig, n);
	unlink(seg);
	assert_int_equal(symlink(link, seg), 0);
	refused_once(ctx, dir, 0, key, &d);
	/* a directory under a segment's name: not read either */
	unlink(seg);
	assert_int_equal(mkdir(seg, 0700), 0);
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
	imactl_sigcache_get_stats(c, &s);
	assert_int_equal(s.rejected, 1);
	imactl_sigcache_close(c);
	rmdir(seg);
	if (geteuid() == 0) {
		/* another user's segment (the good bytes): not read */
		write_file(seg, orig, n);
		assert_int_equal(chown(seg, 4242, 4242), 0);
		refused_once(ctx, dir, 0, key, &d);
		assert_int_equal(chown(seg, 0, 0), 0);
		assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
		assert_int_equal(
			imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
		free(v);
		imactl_sigcache_close(c);
	}
	imactl_key_free(key);
	imactl_ctx_free(ctx);
}

static void another_users_directory_is_refused(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_sigcache *c = NULL;
	const char *dir = fresh_dir("c-owner");
	struct stat st;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(dir, 4242, 4242), 0);
		assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), -EPERM);
		assert_null(c);
		assert_int_equal(chown(dir, 0, 0), 0);
	}
	/* ours but open to others: made private */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	imactl_sigcache_close(c);
	/* a file in its place */
	fresh_dir("c-owner");
	write_file(dir, "x", 1);
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), -ENOTDIR);
	assert_int_equal(imactl_sigcache_open(ctx, "", 0, &c), -EINVAL);
	imactl_ctx_free(ctx);
}

/* EC signatures are not deterministic: the cached one is reused, and verifies. */
static void ec_and_sigv3_values(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = load_key(ctx, "ec256.key");
	struct imactl_keyring *kr = NULL;
	struct imactl_sigcache *c = NULL;
	struct imactl_digest d = digest_of(ctx, "content", IMACTL_HASH_SHA256);
	uint8_t *a = NULL, *b = NULL;
	size_t alen, blen;
	enum imactl_xattr_type types[] = { IMACTL_XATTR_DIGSIG, IMACTL_XATTR_IMA_VERITY_SIG,
					   IMACTL_XATTR_EVM_PORTABLE };

	(void)state;
	assert_int_equal(imactl_keyring_new(ctx, &kr), 0);
	assert_int_equal(imactl_keyring_add_file(kr, test_key_path("ec256.pem")), 0);
	assert_int_equal(imactl_sigcache_open(ctx, fresh_dir("c-ec"), 0, &c), 0);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		assert_int_equal(imactl_sigcache_sign(ctx, c, key, types[i], &d, &a, &alen), 0);
		assert_int_equal(imactl_sigcache_sign(ctx, c, key, types[i], &d, &b, &blen), 0);
		assert_int_equal(alen, blen);
		assert_memory_equal(a, b, alen);
		assert_int_equal(a[0], types[i]);
		assert_int_equal(imactl_verify_digest(ctx, kr, b, blen, &d, NULL), 0);
		free(a);
		free(b);
	}
	imactl_sigcache_close(c);
	imactl_keyring_free(kr);
	imactl_key_free(key);
	imactl_ctx_free(ctx);
}

static void set_mtime(const char *path, time_t t)
{
	struct timeval tv[2] = { { t, 0 }, { t, 0 } };

	assert_int_equal(utimes(path, tv), 0);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The bound: least recently used go first, down to 90 %; stale temporaries go. */
static void prune_keeps_the_bound(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = load_key(ctx, "rsa2048.key");
	struct imactl_sigcache *c = NULL;
	struct imactl_sigcache_stats s;
	struct imactl_digest d[12];
	uint8_t *v = NULL, *want[12], buf[12 * 600];
	size_t len, want_len[12], n, rs = 0;
	char seg[4400], name[32], stale[4400], young[4400];
	const char *dir = fresh_dir("c-prune");
	struct stat st;
	int kept = 0;

	(void)state;
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "content%d", i);
		d[i] = digest_of(ctx, name, IMACTL_HASH_SHA256);
		assert_int_equal(imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d[i],
						      &want[i], &want_len[i]),
				 0);
	}
	imactl_sigcache_close(c);
	/* record i last used i + 1 hours ago (the field the bound goes by) */
	only_segment(dir, seg);
	n = read_file(seg, buf, sizeof(buf));
	for (size_t off = SEG_HDR; off < n; off += rs) {
		size_t vlen = (size_t)buf[off + 32] << 8 | buf[off + 33];
		int i;

		rs = REC_HDR + vlen + 32;
		for (i = 0; i < 12; i++)
			if (vlen == want_len[i] && !memcmp(buf + off + REC_HDR, want[i], vlen))
				break;
		assert_true(i < 12);
		put_be64(buf + off + 34, time(NULL) - 3600 * (i + 1));
	}
	write_file(seg, buf, n);
	assert_int_equal(n, SEG_HDR + 12 * rs);
	/* temporary files of crashed writers, two hours old, and a current one */
	snprintf(stale, sizeof(stale), "%s/.seg3-0123456789abcdef.c3.0123456789abcdef.tmp", dir);
	write_file(stale, "x", 1);
	set_mtime(stale, time(NULL) - 7200);
	snprintf(young, sizeof(young), "%s/.seg3-0123456789abcdef.c3.fedcba9876543210.tmp", dir);
	write_file(young, "x", 1);

	/* room for 6 of the 12 */
	assert_int_equal(imactl_sigcache_open(ctx, dir, SEG_HDR + 6 * rs, &c), 0);
	assert_int_equal(imactl_sigcache_prune(ctx, c), 0);
	imactl_sigcache_get_stats(c, &s);
	/* down to 90 % of the bound: 5 kept */
	assert_int_equal(s.pruned, 7);
	for (int i = 0; i < 12; i++) {
		if (imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d[i], &v, &len) ==
		    0) {
			free(v);
			kept++;
			assert_true(i < 5); /* the most recently used survive */
		}
	}
	assert_int_equal(kept, 5);
	assert_int_equal(lstat(stale, &st), -1);
	assert_int_equal(lstat(young, &st), 0);
	/* one segment on disk, within the bound */
	only_segment(dir, seg);
	assert_int_equal(stat(seg, &st), 0);
	assert_int_equal(st.st_size, SEG_HDR + 5 * rs);
	/* within the bound: nothing dropped */
	assert_int_equal(imactl_sigcache_prune(ctx, c), 0);
	imactl_sigcache_get_stats(c, &s);
	assert_int_equal(s.pruned, 7);
	imactl_sigcache_close(c);
	/* another run sees the same 5 */
	kept = 0;
	assert_int_equal(imactl_sigcache_open(ctx, dir, SEG_HDR + 6 * rs, &c), 0);
	for (int i = 0; i < 12; i++) {
		if (imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d[i], &v, &len) ==
		    0) {
			free(v);
			kept++;
		}
	}
	assert_int_equal(kept, 5);
	imactl_sigcache_close(c);
	for (int i = 0; i < 12; i++)
		free(want[i]);
	imactl_key_free(key);
	imactl_ctx_free(ctx);
}

/*
 * Runs one after another, each storing one value: at most 8 segments stay
 * (then they are merged), nothing is lost; a reuse of a record last used
 * more than a day ago refreshes it; format 2's files are removed.
 */
static void segments_are_merged(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = load_key(ctx, "rsa2048.key");
	struct imactl_sigcache *c = NULL;
	struct imactl_digest d[20];
	uint8_t *v = NULL, buf[20 * 600];
	size_t len, n;
	char name[32], seg[4400], old[4400], oldent[4400];
	const char *dir = fresh_dir("c-merge");
	struct stat st;

	(void)state;
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "merge%d", i);
		d[i] = digest_of(ctx, name, IMACTL_HASH_SHA256);
		assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
		assert_int_equal(
			imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d[i], &v, &len), 0);
		free(v);
		imactl_sigcache_close(c);
		assert_true(each_segment(dir, NULL, NULL) <= 8);
		assert_int_equal(each_segment(dir, NULL, NULL), i < 8 ? i + 1 : (i - 8) % 8 + 1);
	}
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(
			imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d[i], &v, &len),
			0);
		free(v);
	}
	imactl_sigcache_close(c);
	/* a reused record last used two days ago: merged, its use refreshed */
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
	imactl_sigcache_prune(ctx, c);
	imactl_sigcache_close(c);
	only_segment(dir, seg);
	n = read_file(seg, buf, sizeof(buf));
	for (size_t off = SEG_HDR; off < n;
	     off += REC_HDR + 32 + (buf[off + 32] << 8 | buf[off + 33]))
		put_be64(buf + off + 34, time(NULL) - 2 * 86400);
	write_file(seg, buf, n);
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d[0], &v, &len),
			 0);
	free(v);
	imactl_sigcache_close(c);
	assert_int_equal(lstat(seg, &st), -1); /* merged into a new one */
	only_segment(dir, seg);
	assert_int_equal(read_file(seg, buf, sizeof(buf)), n);
	{
		int fresh = 0;

		for (size_t off = SEG_HDR; off < n;
		     off += REC_HDR + 32 + (buf[off + 32] << 8 | buf[off + 33])) {
			uint64_t t = 0;

			for (int k = 0; k < 8; k++)
				t = t << 8 | buf[off + 34 + k];
			fresh += t >= (uint64_t)time(NULL) - 60;
		}
		assert_int_equal(fresh, 1); /* only the reused one */
	}
	/* format 2's files: never read, removed */
	snprintf(old, sizeof(old), "%s/ab", dir);
	assert_int_equal(mkdir(old, 0700), 0);
	snprintf(oldent, sizeof(oldent), "%s%s", old,
		 "/ab00000000000000000000000000000000000000000000000000000000000000");
	write_file(oldent, "IMACTLC2", 8);
	/* ... by the first run that opens the cache, even one that stores nothing */
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d[1], &v, &len),
			 0);
	free(v);
	imactl_sigcache_close(c);
	assert_int_equal(lstat(oldent, &st), -1);
	assert_int_equal(lstat(old, &st), -1);
	imactl_key_free(key);
	imactl_ctx_free(ctx);
}

/* Two handles (as two processes would) and threads on the same entries. */
struct racer {
	struct imactl_ctx *ctx;
	struct imactl_key *key;
	struct imactl_sigcache *c;
	const uint8_t *want[16];
	size_t want_len[16];
	int bad;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	uint8_t *v = NULL;
	size_t len;
	char name[32];

	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < 16; i++) {
			struct imactl_digest d;

			snprintf(name, sizeof(name), "race%d", i);
			imactl_hash_buf(r->ctx, name, strlen(name), IMACTL_HASH_SHA256, &d);
			if (imactl_sigcache_sign(r->ctx, r->c, r->key, IMACTL_XATTR_DIGSIG, &d, &v,
						 &len) < 0 ||
			    len != r->want_len[i] || memcmp(v, r->want[i], len))
				r->bad++;
			free(v);
			v = NULL;
		}
	}
	return NULL;
}

static void concurrent_writers_agree(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = load_key(ctx, "rsa2048.key");
	struct imactl_sigcache *c1 = NULL, *c2 = NULL;
	struct imactl_sigcache_stats s1, s2;
	struct racer r[4];
	uint8_t *want[16];
	size_t want_len[16];
	pthread_t th[4];
	const char *dir = fresh_dir("c-race");
	char name[32], cmd[4400];

	(void)state;
	for (int i = 0; i < 16; i++) {
		struct imactl_digest d;

		snprintf(name, sizeof(name), "race%d", i);
		d = digest_of(ctx, name, IMACTL_HASH_SHA256);
		assert_int_equal(imactl_sign_digest(ctx, key, IMACTL_XATTR_DIGSIG, &d, &want[i],
						    &want_len[i]),
				 0);
	}
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c1), 0);
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c2), 0);
	for (int t = 0; t < 4; t++) {
		r[t] = (struct racer){ .ctx = ctx, .key = key, .c = t % 2 ? c2 : c1 };
		for (int i = 0; i < 16; i++) {
			r[t].want[i] = want[i];
			r[t].want_len[i] = want_len[i];
		}
		assert_int_equal(pthread_create(&th[t], NULL, race, &r[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(r[t].bad, 0);
	}
	imactl_sigcache_get_stats(c1, &s1);
	imactl_sigcache_get_stats(c2, &s2);
	assert_int_equal(s1.rejected + s2.rejected, 0);
	assert_int_equal(s1.reused + s1.signed_new + s2.reused + s2.signed_new, 4 * 8 * 16);
	assert_int_equal(s1.store_failed + s2.store_failed, 0);
	/* both write their records: two segments, no temporary file left behind */
	imactl_sigcache_close(c1);
	imactl_sigcache_close(c2);
	snprintf(cmd, sizeof(cmd), "test -z \"$(find '%s' -name '.*')\"", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(each_segment(dir, NULL, NULL), 2);
	/* a later run finds every value, the right one */
	assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c1), 0);
	for (int i = 0; i < 16; i++) {
		struct imactl_digest d;
		uint8_t *v = NULL;
		size_t len;

		snprintf(name, sizeof(name), "race%d", i);
		d = digest_of(ctx, name, IMACTL_HASH_SHA256);
		assert_int_equal(
			imactl_sigcache_lookup(ctx, c1, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
		assert_int_equal(len, want_len[i]);
		assert_memory_equal(v, want[i], len);
		free(v);
		free(want[i]);
	}
	imactl_sigcache_close(c1);
	imactl_key_free(key);
	imactl_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip_is_byte_identical, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(every_input_is_in_the_key, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(store_refuses_bad_values, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(planted_entries_without_the_mac_are_refused,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(damaged_entries_are_refused, fx_setup, fx_teardown),
		cmocka_unit_test(symlinks_are_not_followed),
		cmocka_unit_test(another_users_directory_is_refused),
		cmocka_unit_test(ec_and_sigv3_values),
		cmocka_unit_test(prune_keeps_the_bound),
		cmocka_unit_test(segments_are_merged),
		cmocka_unit_test(concurrent_writers_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
