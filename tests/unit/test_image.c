// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The library's image API (imactl_image_*): ext4 images made by mke2fs -d
 * are signed inside (values equal to imactl_sign_digest() over the content's
 * digest, RSA being deterministic), verified, tampering found; bad parameters
 * and bad images (missing, a symbolic link, a directory, not ext4,
 * truncated, errors recorded, not cleanly unmounted) are refused with their
 * own error code and a message naming the cause, leaving the image as it was;
 * a stop by the callback keeps nothing.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* scratch paths are short; the compiler cannot know it */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static char base[4200]; /* the unsigned image every test copies */

static void sh(const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

/*
 * The tree: /a, /etc/b (mode 0600) with a second name /etc/c, /sbin/init (a
 * copy of the host's true: an ELF of the host's word size), a symbolic link.
 */
static int group_setup(void **state)
{
	const char *t = test_tmpdir();

	(void)state;
	sh("mkdir -p '%s/src/etc' '%s/src/sbin' && printf 'alpha\\n' > '%s/src/a' && "
	   "printf 'bravo\\n' > '%s/src/etc/b' && chmod 0600 '%s/src/etc/b' && "
	   "ln '%s/src/etc/b' '%s/src/etc/c' && cp /bin/true '%s/src/sbin/init' && "
	   "ln -s a '%s/src/link'",
	   t, t, t, t, t, t, t, t, t);
	snprintf(base, sizeof(base), "%s/base.ext4", t);
	sh("mke2fs -q -t ext4 -I 256 -d '%s/src' '%s' 8M >/dev/null 2>&1", t, base);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	sh("rm -rf '%s'", test_tmpdir());
	return 0;
}

/* A fresh copy of the unsigned image as @name in the scratch directory. */
static const char *image_copy(const char *name)
{
	static char path[4200];

	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	sh("cp '%s' '%s'", base, path);
	return path;
}

/* The whole content of @path (free() it), its length in *@len. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc(n ? n : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

/* Asserts that @path holds exactly @want. */
static void assert_same_bytes(const char *path, const uint8_t *want, size_t want_len)
{
	size_t len;
	uint8_t *got = slurp(path, &len);

	assert_int_equal(len, want_len);
	assert_memory_equal(got, want, len);
	free(got);
}

/* What the callback saw: every entry's status, /a's values. */
struct seen {
	int files, failed_files, hardlinks, symlinks;
	int status_a;
	uint8_t ima_a[1024], evm_a[1024];
	size_t ima_a_len, evm_a_len;
	int stop_after; /* > 0: return 1 (stop) at that many files */
};

static int on_entry(void *data, const struct imactl_tree_entry *e)
{
	struct seen *s = data;

	switch (e->kind) {
	case IMACTL_TREE_FILE:
		s->files++;
		if (e->status)
			s->failed_files++;
		if (!strcmp(e->path, "/a")) {
			s->status_a = e->status;
			if (e->values && e->values->ima) {
				assert_true(e->values->ima_len <= sizeof(s->ima_a));
				memcpy(s->ima_a, e->values->ima, e->values->ima_len);
				s->ima_a_len = e->values->ima_len;
			}
			if (e->values && e->values->evm) {
				assert_true(e->values->evm_len <= sizeof(s->evm_a));
				memcpy(s->evm_a, e->values->evm, e->values->evm_len);
				s->evm_a_len = e->values->evm_len;
			}
		}
		break;
	case IMACTL_TREE_HARDLINK:
		s->hardlinks++;
		break;
	case IMACTL_TREE_SYMLINK:
		s->symlinks++;
		break;
	default:
		break;
	}
	return s->stop_after && s->files >= s->stop_after ? 1 : 0;
}

struct fx {
	struct imactl_ctx *ctx;
	struct imactl_key *key;
	struct imactl_keyring *kr;
	struct imactl_sign_params sp;
	struct imactl_tree_params tp;
	struct seen seen;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->ctx = test_ctx();
	assert_int_equal(imactl_key_load(f->ctx, test_key_path("rsa2048.key"), NULL, NULL, &f->key),
			 0);
	assert_int_equal(imactl_keyring_new(f->ctx, &f->kr), 0);
	assert_int_equal(imactl_keyring_add_file(f->kr, test_key_path("rsa2048.pem")), 0);
	f->sp = (struct imactl_sign_params){ .hash_algo = IMACTL_HASH_SHA256,
					     .ima = IMACTL_IMA_SIG,
					     .evm = IMACTL_EVM_PORTABLE,
					     .target_bits = 64 };
	f->tp = (struct imactl_tree_params){ .jobs = 2,
					     .sign = &f->sp,
					     .key = f->key,
					     .keyring = f->kr,
					     .verify_flags =
						     IMACTL_VERIFY_EVM | IMACTL_VERIFY_REQUIRE_SIG,
					     .target_bits = 64,
					     .fn = on_entry,
					     .fn_data = &f->seen };
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	imactl_keyring_free(f->kr);
	imactl_key_free(f->key);
	imactl_ctx_free(f->ctx);
	free(f);
	return 0;
}

static void sign_then_verify(void **state)
{
	struct fx *f = *state;
	const char *img = image_copy("signed.ext4");
	struct imactl_tree_stats st;
	struct imactl_digest d;
	uint8_t *want = NULL;
	size_t want_len = 0;

	assert_int_equal(imactl_image_sign(f->ctx, img, &f->tp, &st), 0);
	/* a, etc/b (etc/c is its second name), sbin/init; the link is skipped */
	assert_int_equal(st.kinds[IMACTL_TREE_FILE], 3);
	assert_int_equal(st.kinds[IMACTL_TREE_HARDLINK], 1);
	assert_int_equal(st.kinds[IMACTL_TREE_SYMLINK], 1);
	assert_int_equal(st.ok, 3);
	assert_int_equal(st.failed, 0);
	assert_int_equal(f->seen.files, 3);
	assert_int_equal(f->seen.failed_files, 0);
	assert_int_equal(f->seen.hardlinks, 1);
	assert_int_equal(f->seen.symlinks, 1);

	/* /a's security.ima: the RSA signature of sha256("alpha\n"), nothing else */
	assert_int_equal(imactl_hash_buf(f->ctx, "alpha\n", 6, IMACTL_HASH_SHA256, &d), 0);
	assert_int_equal(
		imactl_sign_digest(f->ctx, f->key, IMACTL_XATTR_DIGSIG, &d, &want, &want_len), 0);
	assert_int_equal(f->seen.ima_a_len, want_len);
	assert_memory_equal(f->seen.ima_a, want, want_len);
	imactl_free(want);
	assert_true(f->seen.evm_a_len > 0);
	assert_int_equal(f->seen.evm_a[0], 5); /* EVM_XATTR_PORTABLE_DIGSIG */

	/* every file verifies, with EVM, from the image itself */
	memset(&f->seen, 0, sizeof(f->seen));
	assert_int_equal(imactl_image_verify(f->ctx, img, &f->tp, &st), 0);
	assert_int_equal(st.kinds[IMACTL_TREE_FILE], 3);
	assert_int_equal(st.failed, 0);
	assert_int_equal(f->seen.failed_files, 0);

	/* signed again: the same values (deterministic), still valid */
	memset(&f->seen, 0, sizeof(f->seen));
	assert_int_equal(imactl_image_sign(f->ctx, img, &f->tp, &st), 0);
	assert_int_equal(f->seen.ima_a_len, want_len);
	assert_int_equal(imactl_image_verify(f->ctx, img, &f->tp, &st), 0);
}

static void unsigned_and_tampered_images_fail_verification(void **state)
{
	struct fx *f = *state;
	const char *img;
	struct imactl_tree_stats st;

	/* the unsigned image: every file fails, as a verification failure */
	assert_int_equal(imactl_image_verify(f->ctx, base, &f->tp, &st), -EBADMSG);
	assert_int_equal(st.kinds[IMACTL_TREE_FILE], 3);
	assert_int_equal(st.failed, 3);

	/* signed, then /a's mode changed behind EVM's back (debugfs) */
	img = image_copy("tampered.ext4");
	assert_int_equal(imactl_image_sign(f->ctx, img, &f->tp, NULL), 0);
	sh("debugfs -w -R 'sif /a mode 0100600' '%s' >/dev/null 2>&1", img);
	memset(&f->seen, 0, sizeof(f->seen));
	assert_int_equal(imactl_image_verify(f->ctx, img, &f->tp, &st), -EBADMSG);
	assert_int_equal(st.failed, 1);
	assert_int_equal(f->seen.failed_files, 1);
	assert_true(f->seen.status_a < 0);
	/* without EVM, /a's content and security.ima still agree */
	f->tp.verify_flags = IMACTL_VERIFY_REQUIRE_SIG;
	assert_int_equal(imactl_image_verify(f->ctx, img, &f->tp, &st), 0);
}

static void bad_parameters(void **state)
{
	struct fx *f = *state;
	const char *img = image_copy("params.ext4");
	struct imactl_tree_params tp = f->tp;
	struct imactl_sign_params sp = f->sp;
	struct imactl_tree_stats st;
	unsigned int bits = 0;
	uint8_t *before;
	size_t len;

	before = slurp(img, &len);
	assert_int_equal(imactl_image_sign(NULL, img, &f->tp, &st), -EINVAL);
	assert_int_equal(imactl_image_sign(f->ctx, NULL, &f->tp, &st), -EINVAL);
	assert_int_equal(imactl_image_sign(f->ctx, img, NULL, &st), -EINVAL);
	assert_int_equal(imactl_image_verify(NULL, img, &f->tp, &st), -EINVAL);
	assert_int_equal(imactl_image_verify(f->ctx, NULL, &f->tp, &st), -EINVAL);
	assert_int_equal(imactl_image_verify(f->ctx, img, NULL, &st), -EINVAL);
	assert_int_equal(imactl_image_check(NULL, img), -EINVAL);
	assert_int_equal(imactl_image_check(f->ctx, NULL), -EINVAL);
	assert_int_equal(imactl_image_target_bits(NULL, img, &bits), -EINVAL);
	assert_int_equal(imactl_image_target_bits(f->ctx, NULL, &bits), -EINVAL);
	assert_int_equal(imactl_image_target_bits(f->ctx, img, NULL), -EINVAL);
	/* signatures without a key */
	tp.key = NULL;
	assert_int_equal(imactl_image_sign(f->ctx, img, &tp, &st), -EINVAL);
	/* no signing parameters */
	tp = f->tp;
	tp.sign = NULL;
	assert_int_equal(imactl_image_sign(f->ctx, img, &tp, &st), -EINVAL);
	/* sigv3 needs fs-verity on the files: impossible inside an image */
	tp = f->tp;
	sp.flags = IMACTL_SIGN_SIGV3;
	tp.sign = &sp;
	last_log[0] = 0;
	assert_int_equal(imactl_image_sign(f->ctx, img, &tp, &st), -EOPNOTSUPP);
	assert_non_null(strstr(last_log, "fs-verity"));
	/* a word size that is neither 32 nor 64 */
	sp = f->sp;
	sp.target_bits = 48;
	assert_int_equal(imactl_image_sign(f->ctx, img, &tp, &st), -EINVAL);
	/* none of it touched the image */
	assert_same_bytes(img, before, len);
	free(before);
}

/* @want from imactl_image_check(), _sign(), _verify() and _target_bits(), @img unchanged */
static void refused(struct fx *f, const char *img, int want, const char *cause)
{
	struct imactl_tree_stats st;
	unsigned int bits = 0;
	uint8_t *before = NULL;
	size_t len = 0;
	struct stat sb;
	bool regular = lstat(img, &sb) == 0 && S_ISREG(sb.st_mode);

	if (regular)
		before = slurp(img, &len);
	last_log[0] = 0;
	assert_int_equal(imactl_image_check(f->ctx, img), want);
	if (cause && !strstr(last_log, cause))
		fail_msg("%s: message \"%s\" does not say \"%s\"", img, last_log, cause);
	if (!strstr(last_log, img))
		fail_msg("message \"%s\" does not name %s", last_log, img);
	assert_int_equal(imactl_image_sign(f->ctx, img, &f->tp, &st), want);
	assert_int_equal(st.kinds[IMACTL_TREE_FILE], 0);
	assert_int_equal(imactl_image_verify(f->ctx, img, &f->tp, &st), want);
	assert_int_equal(imactl_image_target_bits(f->ctx, img, &bits), want);
	assert_int_equal(bits, 0);
	if (regular) {
		assert_same_bytes(img, before, len);
		free(before);
	}
}

static void bad_images_are_refused(void **state)
{
	struct fx *f = *state;
	const char *t = test_tmpdir();
	char path[4200];

	snprintf(path, sizeof(path), "%s/missing.ext4", t);
	refused(f, path, -ENOENT, "No such file");

	/* never followed, even to a good image */
	snprintf(path, sizeof(path), "%s/link.ext4", t);
	sh("ln -sf '%s' '%s'", base, path);
	refused(f, path, -ELOOP, NULL);

	/* a directory: refused in every mode, with the same cause */
	snprintf(path, sizeof(path), "%s/src", t);
	last_log[0] = 0;
	assert_int_equal(imactl_image_check(f->ctx, path), -EINVAL);
	assert_non_null(strstr(last_log, "not an image file or a block device"));
	assert_int_equal(imactl_image_verify(f->ctx, path, &f->tp, NULL), -EINVAL);
	last_log[0] = 0;
	assert_int_equal(imactl_image_sign(f->ctx, path, &f->tp, NULL), -EINVAL);
	assert_non_null(strstr(last_log, path));
	assert_non_null(strstr(last_log, "not an image file or a block device"));

	snprintf(path, sizeof(path), "%s/zeros.img", t);
	sh("head -c 1048576 /dev/zero > '%s'", path);
	refused(f, path, -EMEDIUMTYPE, "not an ext2/3/4 file system");

	snprintf(path, sizeof(path), "%s/empty.img", t);
	sh(": > '%s'", path);
	refused(f, path, -EIO, "truncated");

	snprintf(path, sizeof(path), "%s/truncated.ext4", t);
	sh("head -c 2097152 '%s' > '%s'", base, path);
	refused(f, path, -EIO, "truncated");

	/* the superblock's state: errors recorded; not cleanly unmounted */
	snprintf(path, sizeof(path), "%s/errors.ext4", t);
	sh("cp '%s' '%s' && debugfs -w -R 'ssv state 3' '%s' >/dev/null 2>&1", base, path, path);
	refused(f, path, -EUCLEAN, "errors recorded");
	snprintf(path, sizeof(path), "%s/unclean.ext4", t);
	sh("cp '%s' '%s' && debugfs -w -R 'ssv state 0' '%s' >/dev/null 2>&1", base, path, path);
	refused(f, path, -EUCLEAN, "not cleanly unmounted");

	/* no ext_attr feature: nowhere to put the values */
	snprintf(path, sizeof(path), "%s/noxattr.ext2", t);
	sh("mke2fs -q -t ext2 -O ^ext_attr '%s' 4M >/dev/null 2>&1", path);
	refused(f, path, -EOPNOTSUPP, "ext_attr");
}

static void a_stop_keeps_nothing(void **state)
{
	struct fx *f = *state;
	const char *img = image_copy("stopped.ext4");
	struct imactl_tree_stats st;
	uint8_t *before;
	size_t len;

	before = slurp(img, &len);
	f->seen.stop_after = 1;
	assert_int_equal(imactl_image_sign(f->ctx, img, &f->tp, &st), -ECANCELED);
	assert_same_bytes(img, before, len);
	free(before);
	/* and the image is still whole: the unsigned files fail verification */
	f->seen.stop_after = 0;
	assert_int_equal(imactl_image_verify(f->ctx, img, &f->tp, &st), -EBADMSG);
	assert_int_equal(st.failed, 3);
}

/*
 * imactl_image_target_bits() of an image made from directory NAME, filled
 * by the shell commands @fill run inside it.
 */
static int bits_of(struct fx *f, const char *name, const char *fill, unsigned int *bits)
{
	const char *t = test_tmpdir();
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s.ext4", t, name);
	sh("mkdir -p '%s/%s' && cd '%s/%s' && %s && "
	   "mke2fs -q -t ext4 -d '%s/%s' '%s' 4M >/dev/null 2>&1",
	   t, name, t, name, fill, t, name, path);
	*bits = 0;
	return imactl_image_target_bits(f->ctx, path, bits);
}

static void target_bits(void **state)
{
	struct fx *f = *state;
	unsigned int bits = 0;

	/* /sbin/init is the host's true */
	assert_int_equal(imactl_image_target_bits(f->ctx, base, &bits), 0);
	assert_int_equal(bits, sizeof(void *) * 8);
	/* an image without init, C library or shell */
	assert_int_equal(bits_of(f, "bare", "printf x > x", &bits), -ENOENT);
	assert_int_equal(bits, 0);
	/* an init that is a symbolic link to nothing is no answer either */
	assert_int_equal(bits_of(f, "dangling", "mkdir sbin && ln -sf /nowhere sbin/init", &bits),
			 -ENOENT);
	/* no init: the C library one directory down (multiarch), or musl's */
	assert_int_equal(bits_of(f, "multiarch",
				 "mkdir -p usr/lib/x86_64-linux-gnu && "
				 "cp /bin/true usr/lib/x86_64-linux-gnu/libc.so.6",
				 &bits),
			 0);
	assert_int_equal(bits, sizeof(void *) * 8);
	assert_int_equal(
		bits_of(f, "musl", "mkdir lib && cp /bin/true lib/ld-musl-x86_64.so.1", &bits), 0);
	assert_int_equal(bits, sizeof(void *) * 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(sign_then_verify, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(unsigned_and_tampered_images_fail_verification,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(bad_parameters, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(bad_images_are_refused, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(a_stop_keeps_nothing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(target_bits, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
