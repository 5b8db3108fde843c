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

/* Calls @fn for every file in the fan-out directories below @dir; counts them. */
static int each_entry(const char *dir, void (*fn)(const char *path, void *arg), void *arg)
{
	char sub[4200], path[4400];
	struct dirent *de, *e;
	int found = 0;
	DIR *d = opendir(dir), *s;

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		s = opendir(sub);
		assert_non_null(s);
		while ((e = readdir(s))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
			fn(path, arg);
			found++;
		}
		closedir(s);
	}
	closedir(d);
	return found;
}

static void copy_path(const char *path, void *arg)
{
	snprintf(arg, 4400, "%s", path);
}

/* The one entry file below @dir (there must be exactly one); into @path[4400]. */
static void only_entry(const char *dir, char *path)
{
	assert_int_equal(each_entry(dir, copy_path, path), 1);
}

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
	uint8_t *fresh = NULL, *first = NULL, *again = NULL;
	size_t fresh_len, first_len, again_len;
	struct stat st;
	char entry[4400];

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
	only_entry(dir, entry);
	assert_int_equal(stat(entry, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(fresh);
	free(first);
	free(again);
}

/* Whatever the value depends on, a change of it misses. */
static void every_input_is_in_the_key(void **state)
{
	struct fx *f = *state;
	struct imactl_ctx *ctx = f->ctx;
	struct imactl_key *key = f->key, *other = f->other;
	struct imactl_sigcache *c = f->c;
	struct imactl_digest d = f->d;
	struct imactl_sigcache_stats s;
	struct imactl_digest d2 = digest_of(ctx, "content2", IMACTL_HASH_SHA256);
	struct imactl_digest d512 = digest_of(ctx, "content", IMACTL_HASH_SHA512);
	uint8_t *v = NULL;
	size_t len;
	uint32_t keyid = imactl_key_keyid(key);

	assert_int_equal(imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
	free(v);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
	free(v);
	/* content, algorithm, format, key, keyid */
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d2, &v, &len),
			 -ENOENT);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d512, &v, &len),
			 -ENOENT);
	assert_int_equal(
		imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_EVM_PORTABLE, &d, &v, &len),
		-ENOENT);
	assert_int_equal(
		imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_IMA_VERITY_SIG, &d, &v, &len),
		-ENOENT);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, other, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 -ENOENT);
	/* the same 32-bit keyid on another key is still another key */
	imactl_key_set_keyid(other, keyid);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, other, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 -ENOENT);
	imactl_key_set_keyid(key, keyid ^ 1);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 -ENOENT);
	/* each was a miss of its own entry, not a rejected entry of another */
	imactl_sigcache_get_stats(c, &s);
	assert_int_equal(s.rejected, 0);
	imactl_key_set_keyid(key, keyid);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
	free(v);
	/* bad parameters */
	assert_int_equal(
		imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_IMA_DIGEST_NG, &d, &v, &len),
		-EINVAL);
	assert_int_equal(imactl_sigcache_store(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, (uint8_t *)"x",
					       IMACTL_MAX_XATTR_SIZE + 1),
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

/*
 * Entries planted under the right name, each holding a signature that
 * verifies with the key over the right digest, but without this key's MAC:
 * none is used (rejected, the file signed anew, the entry replaced).
 */
static void planted_entries_without_the_mac_are_refused(void **state)
{
	struct fx *f = *state;
	struct imactl_ctx *ctx = f->ctx;
	struct imactl_key *key = f->key, *other = f->other;
	struct imactl_sigcache *c = f->c;
	struct imactl_digest d = f->d;
	const char *dir = f->dir;
	struct imactl_sigcache_stats s;
	struct imactl_digest d2 = digest_of(ctx, "elsewhere", IMACTL_HASH_SHA256);
	uint8_t good[4096], buf[4096], mine2[4096], theirs[4096], *v = NULL;
	size_t n, n2, nt, len;
	char entry[4400], entry2[4400], other_dir[4400];
	struct imactl_sigcache *oc = NULL;
	int planted = 0;

	/* our entry for d, our entry for d2 (another cache), the other key's for d */
	assert_int_equal(imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
	free(v);
	only_entry(dir, entry);
	n = read_file(entry, good, sizeof(good));
	assert_true(n > 42 + 32);
	snprintf(other_dir, sizeof(other_dir), "%s", fresh_dir("c-other"));
	assert_int_equal(imactl_sigcache_open(ctx, other_dir, 0, &oc), 0);
	assert_int_equal(imactl_sigcache_sign(ctx, oc, key, IMACTL_XATTR_DIGSIG, &d2, &v, &len), 0);
	free(v);
	only_entry(other_dir, entry2);
	n2 = read_file(entry2, mine2, sizeof(mine2));
	assert_int_equal(n2, n);
	unlink(entry2);
	imactl_key_set_keyid(other, imactl_key_keyid(key));
	assert_int_equal(imactl_sigcache_sign(ctx, oc, other, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 0);
	free(v);
	only_entry(other_dir, entry2);
	nt = read_file(entry2, theirs, sizeof(theirs));
	imactl_sigcache_close(oc);

	for (int kind = 0; kind < 5; kind++) {
		size_t bn = n;

		memcpy(buf, good, n);
		switch (kind) {
		case 0: /* the MAC zeroed (as a PKCS#11 key writes it) */
			memset(buf + n - 32, 0, 32);
			break;
		case 1: /* no MAC at all (the layout of format 1, magic of format 2) */
			bn = n - 32;
			break;
		case 2: /* the MAC of another of our entries */
			memcpy(buf + n - 32, mine2 + n2 - 32, 32);
			break;
		case 3: /* the other key's entry for the same digest, as it is */
			memcpy(buf, theirs, nt);
			bn = nt;
			break;
		case 4: /* our entry with the other key's MAC */
			memcpy(buf + n - 32, theirs + nt - 32, 32);
			break;
		}
		write_file(entry, buf, bn);
		assert_int_equal(
			imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			-ENOENT);
		/* signed anew: the right value, and the entry replaced */
		assert_int_equal(
			imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
		assert_int_equal(len + 42 + 32, n);
		assert_memory_equal(v, good + 42, len);
		free(v);
		assert_int_equal(read_file(entry, buf, sizeof(buf)), n);
		assert_memory_equal(buf, good, n);
		planted++;
	}
	imactl_sigcache_get_stats(c, &s);
	/* every planted entry: two lookups (lookup, then sign) refused it... */
	assert_int_equal(s.rejected, 2 * planted);
	/* ... none reused; each signed anew, verified and stored */
	assert_int_equal(s.reused, 0);
	assert_int_equal(s.signed_new, 1 + planted);
	assert_int_equal(s.verified, 1 + planted);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
	assert_memory_equal(v, good + 42, len);
	free(v);
}

/* Damaged entries: every byte flipped in turn, truncations, huge files. */
static void damaged_entries_are_refused(void **state)
{
	struct fx *f = *state;
	struct imactl_ctx *ctx = f->ctx;
	struct imactl_key *key = f->key;
	struct imactl_sigcache *c = f->c;
	struct imactl_digest d = f->d;
	const char *dir = f->dir;
	struct imactl_sigcache_stats s;
	uint8_t orig[4096], buf[4096], *v = NULL, *big;
	size_t n, len, want_rejected = 0;
	char entry[4400];

	assert_int_equal(imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
	free(v);
	only_entry(dir, entry);
	n = read_file(entry, orig, sizeof(orig));
	assert_true(n > 42);
	/* every header byte, every 8th of the value, its last 8 and every MAC byte */
	for (size_t i = 0; i < n; i = i < 42 || i + 40 >= n ? i + 1 : i + 8) {
		memcpy(buf, orig, n);
		buf[i] ^= 0x01;
		write_file(entry, buf, n);
		assert_int_equal(
			imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			-ENOENT);
		want_rejected++;
	}
	for (size_t cut = 0; cut < n; cut = cut + 23 < n - 1 ? cut + 23 : cut + 1) {
		write_file(entry, orig, cut);
		assert_int_equal(
			imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			-ENOENT);
		want_rejected++;
	}
	/* trailing garbage */
	memcpy(buf, orig, n);
	buf[n] = 0;
	write_file(entry, buf, n + 1);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 -ENOENT);
	want_rejected++;
	/* a huge record: not read */
	big = calloc(1, 1 << 20);
	assert_non_null(big);
	memcpy(big, orig, n);
	write_file(entry, big, 1 << 20);
	free(big);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 -ENOENT);
	want_rejected++;
	imactl_sigcache_get_stats(c, &s);
	assert_int_equal(s.rejected, want_rejected);
	assert_int_equal(s.reused, 0);
	/* the original bytes are good again */
	write_file(entry, orig, n);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
	free(v);
}

/* Symbolic links: for the directory, an entry, a fan-out directory. */
static void symlinks_are_not_followed(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = load_key(ctx, "rsa2048.key");
	struct imactl_sigcache *c = NULL;
	struct imactl_digest d = digest_of(ctx, "content", IMACTL_HASH_SHA256);
	uint8_t *v = NULL, orig[4096];
	size_t len, n;
	char entry[4400], target[4400], link[4400], sub[4400];
	const char *dir = fresh_dir("c-links");
	struct stat st;

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
	only_entry(dir, entry);
	n = read_file(entry, orig, sizeof(orig));
	/* the entry replaced by a link to a copy of itself: not followed */
	snprintf(link, sizeof(link), "%s/good-copy", target);
	write_file(link, orig, n);
	unlink(entry);
	assert_int_equal(symlink(link, entry), 0);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 -ENOENT);
	/* the fan-out directory replaced by a link: not followed, not written through */
	snprintf(sub, sizeof(sub), "%s", entry);
	*strrchr(sub, '/') = '\0';
	unlink(entry);
	rmdir(sub);
	assert_int_equal(symlink(target, sub), 0);
	assert_int_equal(imactl_sigcache_lookup(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len),
			 -ENOENT);
	assert_int_equal(imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d, &v, &len), 0);
	free(v);
	snprintf(link, sizeof(link), "%s/%s", target, strrchr(entry, '/') + 1);
	assert_int_equal(lstat(link, &st), -1);
	imactl_sigcache_close(c);
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

struct backdate {
	time_t t;
	char *path; /* [4400] */
	int done;
};

static void backdate_if_new(const char *path, void *arg)
{
	struct backdate *b = arg;
	struct stat st;

	if (stat(path, &st) == 0 && st.st_mtime >= time(NULL) - 60) {
		set_mtime(path, b->t);
		copy_path(path, b->path);
		b->done++;
	}
}

/* Backdates to @t the one entry below @dir younger than a minute; its path to @path. */
static void backdate_newest(const char *dir, time_t t, char *path)
{
	struct backdate b = { .t = t, .path = path };

	each_entry(dir, backdate_if_new, &b);
	assert_int_equal(b.done, 1);
}

/* The bound: least recently used go first, down to 90 %; stale temporaries go. */
static void prune_keeps_the_bound(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = load_key(ctx, "rsa2048.key");
	struct imactl_sigcache *c = NULL;
	struct imactl_sigcache_stats s;
	struct imactl_digest d[12];
	uint8_t *v = NULL;
	size_t len;
	char entry[4400], name[32], stale[4400], stale1[4400], young[4400], sub[4400];
	const char *dir = fresh_dir("c-prune");
	struct stat st;
	uint64_t block;
	int kept = 0;

	(void)state;
	/* entry i last used i + 1 hours ago */
	for (int i = 0; i < 12; i++) {
		assert_int_equal(imactl_sigcache_open(ctx, dir, 0, &c), 0);
		snprintf(name, sizeof(name), "content%d", i);
		d[i] = digest_of(ctx, name, IMACTL_HASH_SHA256);
		assert_int_equal(
			imactl_sigcache_sign(ctx, c, key, IMACTL_XATTR_DIGSIG, &d[i], &v, &len), 0);
		free(v);
		imactl_sigcache_close(c);
		backdate_newest(dir, time(NULL) - 3600 * (i + 1), entry);
	}
	assert_int_equal(stat(entry, &st), 0);
	block = (uint64_t)st.st_blocks * 512; /* what one entry takes on disk */
	assert_true(block > 0);
	/*
	 * temporary files of crashed writers, two hours old (named as
	 * out_temp_create() names them, and as format 1 did), and a current one
	 */
	snprintf(sub, sizeof(sub), "%s", entry);
	*strrchr(sub, '/') = '\0';
	snprintf(stale, sizeof(stale), "%s/.%s.0123456789abcdef.tmp", sub, strrchr(entry, '/') + 1);
	write_file(stale, "x", 1);
	set_mtime(stale, time(NULL) - 7200);
	snprintf(stale1, sizeof(stale1), "%s/.tmp.0123456789abcdef0123456789abcdef", sub);
	write_file(stale1, "x", 1);
	set_mtime(stale1, time(NULL) - 7200);
	snprintf(young, sizeof(young), "%s/.%s.fedcba9876543210.tmp", sub, strrchr(entry, '/') + 1);
	write_file(young, "x", 1);

	/* room for 6 of the 12 */
	assert_int_equal(imactl_sigcache_open(ctx, dir, 6 * block, &c), 0);
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
	assert_int_equal(lstat(stale1, &st), -1);
	assert_int_equal(lstat(young, &st), 0);
	/* within the bound: nothing to do */
	assert_int_equal(imactl_sigcache_prune(ctx, c), 0);
	imactl_sigcache_get_stats(c, &s);
	assert_int_equal(s.pruned, 7);
	imactl_sigcache_close(c);
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
	/* no temporary file left behind */
	snprintf(cmd, sizeof(cmd), "test -z \"$(find '%s' -name '.*')\"", dir);
	assert_int_equal(system(cmd), 0);
	for (int i = 0; i < 16; i++)
		free(want[i]);
	imactl_sigcache_close(c1);
	imactl_sigcache_close(c2);
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
		cmocka_unit_test(concurrent_writers_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
