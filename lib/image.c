// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sign-image and verify-image: what sign-tree and verify-tree do, for the
 * files inside an ext2/3/4 image, without mounting it.
 *
 * libext2fs is used from one thread (the caller's): it walks the image,
 * reads each file's xattrs and content and hashes it, and writes the values
 * back, in walk order.  The signatures (the slow part) are made by a pool
 * of workers that never touch the image.
 */
#include "lib_private.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct job {
	uint32_t ino;
	char *path;
	struct ext4_stat st;
	struct ext4_xattrs *xs;
	struct imactl_digest digest; /* of the content, with the requested algorithm */
	int status;		     /* < 0: failed (reported) */
	bool unchanged;		     /* SKIP_VALID: already carries valid values */
	bool write_ima;		     /* security.ima differs from what the inode has */
	bool drop_evm;		     /* IMA changed without EVM: the old EVM no longer fits */
	bool mutable_file;	     /* matched mutable_globs */
	struct imactl_sign_params mutable_sp; /* its parameters */
	struct imactl_signed_values vals;
	bool done;
};

struct image_run {
	struct imactl_ctx *ctx;
	const struct imactl_tree_params *p;
	const char *image;
	bool verify;
	struct ext4_image *img;
	struct select sel;
	void *links; /* links_seen() */
	struct job *jobs;
	size_t n_jobs, alloc;
	/* workers: jobs [next_sign, n_ready) wait for a signature */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t n_ready, next_sign;
	bool quit;
	struct imactl_tree_stats stats;
	uint64_t op_errors;
	bool cancelled;
};

static void report(struct image_run *r, struct imactl_tree_entry *e)
{
	tree_count(&r->stats, e, r->verify, &r->op_errors);
	if (r->p->fn && !r->cancelled && r->p->fn(r->p->fn_data, e))
		r->cancelled = true;
}

/* ---- the walk: collects the files, reports everything else ---------------- */

static int add_job(struct image_run *r, uint32_t ino, const char *path, const struct ext4_stat *st)
{
	struct job *j;

	if (r->n_jobs == r->alloc) {
		size_t n = r->alloc ? r->alloc * 2 : 256;

		j = realloc(r->jobs, n * sizeof(*j));
		if (!j)
			return -ENOMEM;
		r->jobs = j;
		r->alloc = n;
	}
	j = &r->jobs[r->n_jobs];
	memset(j, 0, sizeof(*j));
	j->ino = ino;
	j->st = *st;
	j->path = strdup(path);
	if (!j->path)
		return -ENOMEM;
	r->n_jobs++;
	return 0;
}

static int walk_dir(struct image_run *r, uint32_t dir, const char *prefix, unsigned int depth);

/* One entry of a directory at @depth (the root's entries: 1); < 0 only for
 * errors that stop the walk. */
static int walk_entry(struct image_run *r, const struct ext4_dirent *de, const char *path,
		      unsigned int depth)
{
	struct imactl_tree_entry e = { .path = path };
	struct ext4_stat st;
	int ret;

	ret = ext4_stat(r->img, de->ino, &st);
	if (ret < 0) {
		e.status = ret;
		log_err(r->ctx, "%s: %s: cannot read its inode", r->image, path);
		report(r, &e);
		return 0;
	}
	e.kind = tree_kind_of(st.mode);
	e.size = st.size;
	if (select_excluded(&r->sel, path, de->name)) {
		e.kind = IMACTL_TREE_EXCLUDED;
	} else if (e.kind == IMACTL_TREE_DIR && depth >= IMACTL_TREE_MAX_DEPTH) {
		/* the walk recurses: bounded as the directory walk is (lib/tree.c) */
		e.status = -ENAMETOOLONG;
		log_err(r->ctx, "deeper than %u directory levels, not walked: %s:%s",
			IMACTL_TREE_MAX_DEPTH, r->image, path);
	} else if (e.kind == IMACTL_TREE_DIR) {
		ret = walk_dir(r, de->ino, path, depth + 1);
		if (ret == -ENOMEM || ret == -ECANCELED)
			return ret;
		e.status = ret;
	} else if (e.kind == IMACTL_TREE_FILE) {
		if (!select_included(&r->sel, path, de->name)) {
			e.kind = IMACTL_TREE_EXCLUDED;
		} else {
			if (st.links > 1) {
				ret = links_seen(&r->links, 0, de->ino, path, &e.first_path);
				if (ret < 0)
					return ret;
			}
			if (!e.first_path) {
				ret = select_by_caller(r->p, path, st.size, st.uid, st.gid,
						       st.mode);
				if (ret < 0)
					return ret;
				if (ret == 0) {
					e.kind = IMACTL_TREE_EXCLUDED;
					e.size = 0;
					report(r, &e);
					return r->cancelled ? -ECANCELED : 0;
				}
				ret = add_job(r, de->ino, path, &st);
				if (ret == 0 && !r->verify &&
				    select_mutable(&r->sel, path, de->name)) {
					struct job *j = &r->jobs[r->n_jobs - 1];

					j->mutable_file = true;
					sign_params_mutable(r->p->sign, &j->mutable_sp);
				}
				return ret;
			}
			e.kind = IMACTL_TREE_HARDLINK;
		}
	}
	if (e.kind != IMACTL_TREE_FILE)
		e.size = 0;
	report(r, &e);
	return r->cancelled ? -ECANCELED : 0;
}

static int walk_dir(struct image_run *r, uint32_t dir, const char *prefix, unsigned int depth)
{
	struct ext4_dirent *ents = NULL;
	size_t n = 0, plen = strlen(prefix);
	char *path;
	int ret;

	ret = ext4_read_dir(r->img, dir, &ents, &n);
	if (ret < 0) {
		log_err(r->ctx, "%s: %s/: cannot read the directory", r->image, prefix);
		return ret;
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		path = malloc(plen + strlen(ents[i].name) + 2);
		if (!path) {
			ret = -ENOMEM;
			break;
		}
		sprintf(path, "%s/%s", prefix, ents[i].name);
		ret = walk_entry(r, &ents[i], path, depth);
		free(path);
	}
	ext4_dirents_free(ents, n);
	return ret;
}

/* ---- a file of the image as a struct file_source -------------------------- */

struct job_source {
	struct image_run *r;
	struct job *j;
};

static int job_get_xattr(void *data, const char *name, uint8_t **buf_ret, size_t *len_ret)
{
	struct job_source *s = data;

	return ext4_xattrs_get(s->j->xs, name, buf_ret, len_ret);
}

/* Signing: the digest the reader made (another algorithm: not available). */
static int job_digest(void *data, int algo, bool verity, struct imactl_digest *digest)
{
	struct job_source *s = data;

	if (verity || algo != s->j->digest.algo || s->j->status < 0)
		return -EOPNOTSUPP;
	*digest = s->j->digest;
	return 0;
}

static int hash_update(void *data, const void *buf, size_t len)
{
	return crypto_hash_update(data, buf, len);
}

/* The content's digest, read from the image (reader thread only). */
static int hash_content(struct image_run *r, struct job *j, int algo, struct imactl_digest *d)
{
	struct crypto_hash *h = NULL;
	int ret = hash_new(r->ctx, algo, &h);

	if (ret == 0)
		ret = ext4_read_file(r->img, j->ino, j->st.size, hash_update, h);
	if (ret == 0)
		ret = crypto_hash_final(h, d);
	crypto_hash_free(h);
	return ret;
}

/* Verifying: hashes on demand, with the algorithm the value names. */
static int job_hash(void *data, int algo, bool verity, struct imactl_digest *digest)
{
	struct job_source *s = data;

	if (verity) {
		log_err(s->r->ctx, "%s: %s: fs-verity digests (sigv3) are not computed from images",
			s->r->image, s->j->path);
		return -EOPNOTSUPP;
	}
	return hash_content(s->r, s->j, algo, digest);
}

static void job_source_init(struct job_source *js, struct file_source *src, struct image_run *r,
			    struct job *j, bool verify)
{
	js->r = r;
	js->j = j;
	*src = (struct file_source){
		.get_xattr = job_get_xattr,
		.hash = verify ? job_hash : job_digest,
		.data = js,
		.uid = j->st.uid,
		.gid = j->st.gid,
		.mode = j->st.mode,
	};
}

/* ---- signing -------------------------------------------------------------- */

/* What @j is written with: the run's parameters, or a mutable file's. */
static const struct imactl_sign_params *job_params(const struct image_run *r, const struct job *j)
{
	return j->mutable_file ? &j->mutable_sp : r->p->sign;
}

/* With IMACTL_TREE_SKIP_VALID: the inode already carries what would be written. */
static bool already_valid(struct image_run *r, struct imactl_ctx *ctx, struct job *j,
			  const struct file_source *src)
{
	const struct imactl_sign_params *sp = job_params(r, j);
	unsigned int flags = sign_verify_flags(sp);
	struct imactl_verify_result res;
	uint8_t *evm = NULL;
	size_t evm_len;

	/* a mutable file keeps no EVM value of the build (sign_job() drops it) */
	if (j->mutable_file && ext4_xattrs_get(j->xs, "security.evm", &evm, &evm_len) == 0) {
		free(evm);
		return false;
	}
	if (verify_source(ctx, src, r->p->keyring, flags, sp->target_bits, &res) < 0 ||
	    !sign_result_fits(sp, &res))
		return false;
	if (ext4_xattrs_get(j->xs, "security.ima", &j->vals.ima, &j->vals.ima_len) < 0)
		return false;
	if (sp->evm != IMACTL_EVM_NONE &&
	    ext4_xattrs_get(j->xs, "security.evm", &j->vals.evm, &j->vals.evm_len) < 0) {
		imactl_signed_values_free(&j->vals);
		return false;
	}
	return true;
}

/*
 * The values for one file: what sign_fd_stat() does, without the writes;
 * through the signature cache as there (sp->cache, NULL for none).
 */
static int sign_job(struct image_run *r, struct imactl_ctx *ctx, struct job *j)
{
	const struct imactl_sign_params *sp = job_params(r, j);
	struct imactl_signed_values *out = &j->vals;
	struct imactl_digest evm_digest;
	struct file_source src;
	struct job_source js;
	uint8_t *old = NULL;
	size_t old_len = 0;
	int ret = 0;

	job_source_init(&js, &src, r, j, false);
	if ((r->p->flags & IMACTL_TREE_SKIP_VALID) && already_valid(r, ctx, j, &src)) {
		j->unchanged = true;
		return 0;
	}
	if (sp->ima == IMACTL_IMA_SIG)
		ret = imactl_sigcache_sign(ctx, sp->cache, r->p->key, IMACTL_XATTR_DIGSIG,
					   &j->digest, &out->ima, &out->ima_len);
	else if (sp->ima == IMACTL_IMA_HASH)
		ret = ima_hash_value(&j->digest, &out->ima, &out->ima_len);
	if (ret < 0)
		return ret;
	if (out->ima) {
		ret = ext4_xattrs_get(j->xs, "security.ima", &old, &old_len);
		j->write_ima =
			ret < 0 || old_len != out->ima_len || memcmp(old, out->ima, old_len) != 0;
		free(old);
		if (ret < 0 && ret != -ENODATA)
			return ret;
	}
	if (sp->evm == IMACTL_EVM_PORTABLE) {
		/* over the inode's own owner and mode and its final protected xattrs */
		ret = evm_digest_source(ctx, &src, sp->hash_algo, sp->target_bits, sp->flags,
					out->ima, out->ima_len, &evm_digest);
		if (ret == -ENODATA)
			log_err(ctx, "EVM portable signatures need security.ima");
		if (ret == 0)
			ret = imactl_sigcache_sign(ctx, sp->cache, r->p->key,
						   IMACTL_XATTR_EVM_PORTABLE, &evm_digest,
						   &out->evm, &out->evm_len);
		return ret;
	}
	/* a mutable file gets its EVM HMAC on the device: no signature to keep */
	if ((j->write_ima || j->mutable_file) &&
	    ext4_xattrs_get(j->xs, "security.evm", &old, &old_len) == 0) {
		free(old);
		j->drop_evm = true;
	}
	return 0;
}

/* Every message of a worker names the image and the file. */
struct worker_log {
	const struct image_run *r;
	const char *path;
};

static void worker_log_fn(void *data, int prio, const char *msg)
{
	const struct worker_log *wl = data;

	imactl_log(wl->r->ctx, prio, "%s: %s: %s", wl->r->image, wl->path, msg);
}

static void *worker(void *arg)
{
	struct image_run *r = arg;
	struct worker_log wl = { .r = r };
	struct imactl_ctx ctx = *r->ctx;
	struct job *j;

	ctx.log_fn = worker_log_fn;
	ctx.log_data = &wl;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (r->next_sign == r->n_ready && !r->quit)
			pthread_cond_wait(&r->cond, &r->lock);
		if (r->next_sign == r->n_ready)
			break;
		j = &r->jobs[r->next_sign++];
		pthread_mutex_unlock(&r->lock);
		wl.path = j->path;
		if (j->status == 0)
			j->status = sign_job(r, &ctx, j);
		pthread_mutex_lock(&r->lock);
		j->done = true;
		pthread_cond_broadcast(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* Reader: the inode's xattrs and the content's digest. */
static void read_job(struct image_run *r, struct job *j)
{
	const struct imactl_sign_params *sp = job_params(r, j);
	int ret;

	ret = ext4_xattrs_read(r->img, j->ino, &j->xs);
	if (ret == 0 && sp->ima != IMACTL_IMA_NONE)
		ret = hash_content(r, j, sp->hash_algo, &j->digest);
	if (ret < 0) {
		log_err(r->ctx, "%s: %s: cannot read the file from the image", r->image, j->path);
		j->status = ret;
	}
}

/* Writer: the values into the inode; < 0 stops the run (nothing is kept). */
static int write_job(struct image_run *r, struct job *j)
{
	struct imactl_tree_entry e = { .path = j->path, .kind = IMACTL_TREE_FILE };
	struct ext4_xattr_op ops[2];
	size_t n = 0;
	int ret = 0;

	e.size = j->st.size;
	e.uid = j->st.uid;
	e.gid = j->st.gid;
	e.mode = j->st.mode;
	if (j->status == 0 && !j->unchanged) {
		if (j->write_ima)
			ops[n++] = (struct ext4_xattr_op){ "security.ima", j->vals.ima,
							   j->vals.ima_len };
		if (j->vals.evm)
			ops[n++] = (struct ext4_xattr_op){ "security.evm", j->vals.evm,
							   j->vals.evm_len };
		else if (j->drop_evm)
			ops[n++] = (struct ext4_xattr_op){ "security.evm", NULL, 0 };
		ret = n ? ext4_xattrs_set(r->img, j->ino, ops, n) : 0;
		if (ret < 0)
			log_err(r->ctx, "%s: %s: cannot write its xattrs%s", r->image, j->path,
				ret == -ENOSPC ? ": the image is full (an inode whose xattrs do "
						 "not fit needs a free block)"
					       : "");
	}
	e.status = ret < 0 ? ret : j->status;
	e.unchanged = j->unchanged;
	e.mutable_file = j->mutable_file;
	if (e.status == 0)
		e.values = &j->vals;
	report(r, &e);
	return ret;
}

static void free_job(struct job *j)
{
	ext4_xattrs_free(j->xs);
	j->xs = NULL;
	imactl_signed_values_free(&j->vals);
}

/* Reads ahead of the workers by at most this many files per thread. */
#define READ_AHEAD 16

static int sign_files(struct image_run *r, unsigned int jobs)
{
	pthread_t threads[TREE_MAX_JOBS];
	unsigned int started;
	size_t next_write = 0, next_read = 0, window = (size_t)jobs * READ_AHEAD;
	bool done;
	int ret = 0;

	for (started = 0; started < jobs; started++) {
		ret = -pthread_create(&threads[started], NULL, worker, r);
		if (ret < 0) {
			log_err(r->ctx, "cannot start a thread: %s", strerror(-ret));
			break;
		}
	}
	if (!started)
		return ret;
	ret = 0;
	while (next_write < r->n_jobs && ret == 0 && !r->cancelled) {
		if (next_read < r->n_jobs && next_read - next_write < window) {
			read_job(r, &r->jobs[next_read]);
			pthread_mutex_lock(&r->lock);
			r->n_ready = ++next_read;
			pthread_cond_broadcast(&r->cond);
			pthread_mutex_unlock(&r->lock);
			/* read on while the next file to write is still being signed */
			pthread_mutex_lock(&r->lock);
			done = r->jobs[next_write].done;
			pthread_mutex_unlock(&r->lock);
			if (!done)
				continue;
		}
		pthread_mutex_lock(&r->lock);
		while (!r->jobs[next_write].done)
			pthread_cond_wait(&r->cond, &r->lock);
		pthread_mutex_unlock(&r->lock);
		ret = write_job(r, &r->jobs[next_write]);
		free_job(&r->jobs[next_write]);
		next_write++;
	}
	pthread_mutex_lock(&r->lock);
	r->quit = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	return ret;
}

/* ---- verifying ------------------------------------------------------------ */

static void verify_files(struct image_run *r)
{
	for (size_t i = 0; i < r->n_jobs && !r->cancelled; i++) {
		struct job *j = &r->jobs[i];
		struct imactl_tree_entry e = { .path = j->path, .kind = IMACTL_TREE_FILE };
		struct imactl_verify_result res;
		struct file_source src;
		struct job_source js;

		e.size = j->st.size;
		e.uid = j->st.uid;
		e.gid = j->st.gid;
		e.mode = j->st.mode;
		e.status = ext4_xattrs_read(r->img, j->ino, &j->xs);
		if (e.status == 0) {
			job_source_init(&js, &src, r, j, true);
			e.status = verify_source(r->ctx, &src, r->p->keyring, r->p->verify_flags,
						 r->p->target_bits, &res);
			e.verify = &res;
		}
		report(r, &e);
		free_job(j);
	}
}

/* ---- both ----------------------------------------------------------------- */

static int image_run(struct imactl_ctx *ctx, const char *image, const struct imactl_tree_params *p,
		     bool verify, struct imactl_tree_stats *stats_ret)
{
	struct image_run r = { .ctx = ctx, .p = p, .image = image, .verify = verify };
	unsigned int jobs;
	int ret, walk_ret;

	if (!ctx || !image || tree_params_check(ctx, p, verify, &jobs) < 0)
		return -EINVAL;
	if (!verify && (p->sign->flags & IMACTL_SIGN_SIGV3)) {
		log_err(ctx,
			"%s: sigv3 needs fs-verity enabled on each file, which cannot be "
			"done in an image: sign the files where fs-verity is enabled",
			image);
		return -EOPNOTSUPP;
	}
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	ret = select_init(&r.sel, p);
	if (ret < 0)
		goto out;
	ret = ext4_open(ctx, image, verify ? EXT4_READ : EXT4_WRITE, &r.img);
	if (ret < 0)
		goto out;
	walk_ret = walk_dir(&r, EXT4_ROOT_INO, "", 1);
	if (walk_ret == -ENOMEM || walk_ret == -ECANCELED) {
		ret = walk_ret;
		goto out;
	}
	if (verify) {
		verify_files(&r);
		ret = 0;
	} else {
		ret = sign_files(&r, jobs);
	}
	if (ret == 0 && r.cancelled)
		ret = -ECANCELED;
	/* a write that failed (a full image) or a stop keeps nothing */
	if (ret == 0 && !verify)
		ret = ext4_commit(r.img);
	if (ret == 0)
		ret = walk_ret < 0 || r.op_errors ? -EIO : r.stats.failed ? -EBADMSG : 0;
out:
	ext4_close(r.img);
	for (size_t i = 0; i < r.n_jobs; i++) {
		free_job(&r.jobs[i]);
		free(r.jobs[i].path);
	}
	free(r.jobs);
	links_free(r.links);
	select_free(&r.sel);
	pthread_cond_destroy(&r.cond);
	pthread_mutex_destroy(&r.lock);
	if (stats_ret)
		*stats_ret = r.stats;
	return ret;
}

IMACTL_EXPORT int imactl_image_sign(struct imactl_ctx *ctx, const char *image,
				    const struct imactl_tree_params *params,
				    struct imactl_tree_stats *stats_ret)
{
	return tree_sign_outcome(image_run(ctx, image, params, false, stats_ret));
}

IMACTL_EXPORT int imactl_image_verify(struct imactl_ctx *ctx, const char *image,
				      const struct imactl_tree_params *params,
				      struct imactl_tree_stats *stats_ret)
{
	return image_run(ctx, image, params, true, stats_ret);
}

/* ---- the target's word size ------------------------------------------------ */

struct elf_head {
	unsigned char b[5];
	size_t n;
};

static int take_head(void *data, const void *buf, size_t len)
{
	struct elf_head *h = data;
	size_t k = len < sizeof(h->b) - h->n ? len : sizeof(h->b) - h->n;

	memcpy(h->b + h->n, buf, k);
	h->n += k;
	return 0;
}

/* 32 or 64 from the ELF header of the regular file @path in the image; 0 otherwise. */
static int image_elf_bits(void *data, const char *path)
{
	struct ext4_image *img = data;
	struct elf_head h = { .n = 0 };
	struct ext4_stat st;
	uint32_t ino;

	if (ext4_lookup(img, path, &ino) < 0 || ext4_stat(img, ino, &st) < 0 || !S_ISREG(st.mode))
		return 0; /* only a regular file: never a device or a fifo */
	if (ext4_read_file(img, ino, sizeof(h.b), take_head, &h) < 0 || h.n != sizeof(h.b) ||
	    memcmp(h.b, "\177ELF", 4) != 0)
		return 0;
	return h.b[4] == 1 ? 32 : h.b[4] == 2 ? 64 : 0;
}

static int image_list_dir(void *data, const char *dir, char ***names_ret, size_t *n_ret)
{
	struct ext4_image *img = data;
	struct ext4_dirent *ents = NULL;
	char **names;
	size_t n = 0;
	uint32_t ino;
	int ret = ext4_lookup(img, dir, &ino);

	if (ret == 0)
		ret = ext4_read_dir(img, ino, &ents, &n);
	if (ret < 0)
		return ret;
	names = calloc(n ? n : 1, sizeof(*names));
	for (size_t i = 0; names && i < n; i++) {
		names[i] = ents[i].name;
		ents[i].name = NULL;
	}
	ext4_dirents_free(ents, n);
	if (!names)
		return -ENOMEM;
	*names_ret = names;
	*n_ret = n;
	return 0;
}

IMACTL_EXPORT int imactl_image_target_bits(struct imactl_ctx *ctx, const char *image,
					   unsigned int *bits_ret)
{
	struct ext4_image *img = NULL;
	const char *found = NULL;
	int bits, ret;

	if (!ctx || !image || !bits_ret)
		return -EINVAL;
	ret = ext4_open(ctx, image, EXT4_READ, &img);
	if (ret < 0)
		return ret;
	bits = target_bits_probe(&(struct bits_probe){ image_elf_bits, image_list_dir, img },
				 &found);
	ext4_close(img);
	if (bits <= 0) {
		log_info(ctx, "%s: no ELF init, C library or shell found in the image", image);
		return -ENOENT;
	}
	log_info(ctx, "%s: %d-bit target (from its %s)", image, bits, found);
	*bits_ret = bits;
	return 0;
}

IMACTL_EXPORT int imactl_image_check(struct imactl_ctx *ctx, const char *image)
{
	struct ext4_image *img = NULL;
	int ret;

	if (!ctx || !image)
		return -EINVAL;
	ret = ext4_open(ctx, image, EXT4_CHECK_WRITE, &img);
	ext4_close(img);
	return ret;
}
