// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Whole trees: one walker thread reads directories through their
 * descriptors (never following a symbolic link) and hands regular files to a
 * pool of workers that sign or verify them with the per-file primitives.
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_QUEUE 256

/* An open directory shared by the files queued from it. */
struct dir_ref {
	int fd;
	atomic_int refs;
};

struct work {
	struct dir_ref *dir;
	char *name;    /* below dir */
	char *path;    /* from the root, "/a/b" */
	uint64_t size; /* as the walker saw it, for the totals */
	dev_t dev;     /* the inode the walker saw: the worker opens only it */
	ino_t ino;
	bool mutable_file; /* matched mutable_globs */
};

struct tree {
	struct imactl_ctx *ctx;
	const struct imactl_tree_params *p;
	bool verify;
	const char *root;  /* for messages, without a trailing '/' */
	struct select sel; /* --include, --exclude */
	dev_t root_dev;
	void *links; /* links_seen() */

	pthread_mutex_t lock; /* the queue */
	pthread_cond_t not_empty, not_full;
	struct work *queue;
	size_t q_size, q_head, q_count;
	bool walk_done;

	pthread_mutex_t report_lock; /* stats and callback */
	struct imactl_tree_stats stats;
	uint64_t op_errors; /* failures other than verification outcomes */
	atomic_bool cancelled;
};

static void dir_unref(struct dir_ref *d)
{
	if (d && atomic_fetch_sub(&d->refs, 1) == 1) {
		close(d->fd);
		free(d);
	}
}

static void report(struct tree *t, struct imactl_tree_entry *e)
{
	pthread_mutex_lock(&t->report_lock);
	tree_count(&t->stats, e, t->verify, &t->op_errors);
	if (t->p->fn && !atomic_load(&t->cancelled) && t->p->fn(t->p->fn_data, e))
		atomic_store(&t->cancelled, true);
	pthread_mutex_unlock(&t->report_lock);
}

/* ---- workers ------------------------------------------------------------ */

/* Every message of a worker names the file it works on. */
struct worker_log {
	const struct imactl_ctx *parent;
	const struct tree *t;
	const char *path;
};

static void worker_log_fn(void *data, int prio, const char *msg)
{
	const struct worker_log *wl = data;

	imactl_log(wl->parent, prio, "%s%s: %s", wl->t->root, wl->path, msg);
}

/* With IMACTL_TREE_SKIP_VALID: does @fd already carry what would be written? */
static bool already_valid(struct tree *t, struct imactl_ctx *ctx, int fd, bool mutable_file,
			  const struct imactl_sign_params *sp, struct imactl_signed_values *vals)
{
	unsigned int flags = sign_verify_flags(sp);
	struct imactl_verify_result r;
	uint8_t *evm = NULL;
	size_t evm_len;
	bool kind_ok;

	/* a mutable file keeps no EVM value of the build (process() drops it) */
	if (mutable_file && read_xattr(ctx, fd, "security.evm", &evm, &evm_len) == 0) {
		free(evm);
		return false;
	}
	if (imactl_verify_fd(ctx, fd, t->p->keyring, flags, sp->target_bits, &r) < 0)
		return false;
	kind_ok = sign_result_fits(sp, &r);
	if (!kind_ok)
		return false;
	/* what the file carries, for the caller's manifest */
	if (read_xattr(ctx, fd, "security.ima", &vals->ima, &vals->ima_len) < 0)
		return false;
	if (sp->evm != IMACTL_EVM_NONE &&
	    read_xattr(ctx, fd, "security.evm", &vals->evm, &vals->evm_len) < 0) {
		imactl_signed_values_free(vals);
		return false;
	}
	return true;
}

static void process(struct tree *t, struct imactl_ctx *ctx, struct work *w)
{
	struct imactl_tree_entry e = { .path = w->path, .kind = IMACTL_TREE_FILE, .size = w->size };
	struct imactl_signed_values vals = { 0 };
	struct imactl_verify_result r;
	struct stat seen = { .st_mode = S_IFREG, .st_dev = w->dev, .st_ino = w->ino };
	const struct imactl_sign_params *sp = t->p->sign;
	struct imactl_sign_params mutable_sp;
	struct stat st;
	int fd;

	if (w->mutable_file && sp) {
		sign_params_mutable(sp, &mutable_sp);
		sp = &mutable_sp;
		e.mutable_file = true;
	}
	fd = open_regular_expect(w->dir->fd, w->name, &seen, &st);
	if (fd < 0) {
		e.status = fd;
		log_err(ctx, "cannot open: %s", strerror(-fd));
		goto out;
	}
	e.uid = st.st_uid;
	e.gid = st.st_gid;
	e.mode = st.st_mode;
	if (t->verify) {
		e.status = verify_fd_stat(ctx, fd, &st, t->p->keyring, t->p->verify_flags,
					  t->p->target_bits, &r);
		e.verify = &r;
	} else if ((t->p->flags & IMACTL_TREE_SKIP_VALID) &&
		   already_valid(t, ctx, fd, w->mutable_file, sp, &vals)) {
		e.unchanged = true;
		e.values = &vals;
	} else {
		e.status = sign_fd_stat(ctx, fd, &st, t->p->key, sp, &vals);
		if (e.status == 0)
			e.values = &vals;
	}
	/* a mutable file gets its EVM HMAC on the device: no signature to keep */
	if (!t->verify && w->mutable_file && e.status == 0)
		e.status = remove_xattr(ctx, fd, "security.evm");
	close(fd);
out:
	report(t, &e);
	imactl_signed_values_free(&vals);
}

static bool queue_pop(struct tree *t, struct work *w)
{
	pthread_mutex_lock(&t->lock);
	while (!t->q_count && !t->walk_done)
		pthread_cond_wait(&t->not_empty, &t->lock);
	if (!t->q_count) {
		pthread_mutex_unlock(&t->lock);
		return false;
	}
	*w = t->queue[t->q_head];
	t->q_head = (t->q_head + 1) % t->q_size;
	t->q_count--;
	/*
	 * Wake the walker only when the queue is half empty, so it refills
	 * many slots at once instead of switching threads for every file.
	 */
	if (t->q_count == t->q_size / 2)
		pthread_cond_signal(&t->not_full);
	pthread_mutex_unlock(&t->lock);
	return true;
}

static void queue_push(struct tree *t, const struct work *w)
{
	pthread_mutex_lock(&t->lock);
	while (t->q_count == t->q_size)
		pthread_cond_wait(&t->not_full, &t->lock);
	t->queue[(t->q_head + t->q_count) % t->q_size] = *w;
	t->q_count++;
	pthread_cond_signal(&t->not_empty);
	pthread_mutex_unlock(&t->lock);
}

static void *worker(void *arg)
{
	struct tree *t = arg;
	struct worker_log wl = { .parent = t->ctx, .t = t };
	struct imactl_ctx ctx = *t->ctx; /* same settings, own log prefix */
	struct work w;

	ctx.log_fn = worker_log_fn;
	ctx.log_data = &wl;
	while (queue_pop(t, &w)) {
		wl.path = w.path;
		if (!atomic_load(&t->cancelled))
			process(t, &ctx, &w);
		dir_unref(w.dir);
		free(w.name);
		free(w.path);
	}
	return NULL;
}

/* ---- the walk ----------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory @fd, sorted (byte order) for a stable walk. */
static int read_names(int fd, char ***names_ret, size_t *n_ret)
{
	char **names = NULL, **tmp;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	int dfd, ret = 0;
	DIR *d;

	dfd = dup(fd);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		ret = -errno;
		close(dfd);
		return ret;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			ret = -errno;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			tmp = realloc(names, alloc * sizeof(*names));
			if (!tmp) {
				ret = -ENOMEM;
				break;
			}
			names = tmp;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (ret < 0) {
		while (n)
			free(names[--n]);
		free(names);
		return ret;
	}
	if (n) /* an empty directory: names is NULL */
		qsort(names, n, sizeof(*names), cmp_names);
	*names_ret = names;
	*n_ret = n;
	return 0;
}

static int walk_dir(struct tree *t, struct dir_ref *dir, const char *prefix, unsigned int depth);

/*
 * A regular file @e (@st) of the walk: queued for the workers when it is
 * selected (by the patterns and the caller's select.fn) and not another
 * name of a file already queued, else reported.  < 0 stops the walk.
 */
static int walk_file(struct tree *t, struct dir_ref *dir, const char *name, const struct stat *st,
		     struct imactl_tree_entry *e)
{
	struct work w;
	int ret;

	if (!select_included(&t->sel, e->path, name)) {
		e->kind = IMACTL_TREE_EXCLUDED;
		goto report;
	}
	if (st->st_nlink > 1) {
		ret = links_seen(&t->links, st->st_dev, st->st_ino, e->path, &e->first_path);
		if (ret < 0)
			return ret;
	}
	if (e->first_path) {
		e->kind = IMACTL_TREE_HARDLINK;
		goto report;
	}
	pthread_mutex_lock(&t->report_lock); /* never beside fn */
	ret = select_by_caller(t->p, e->path, st->st_size, st->st_uid, st->st_gid, st->st_mode);
	pthread_mutex_unlock(&t->report_lock);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		e->kind = IMACTL_TREE_EXCLUDED;
		goto report;
	}
	w.dir = dir;
	w.size = st->st_size;
	w.dev = st->st_dev;
	w.ino = st->st_ino;
	w.mutable_file = select_mutable(&t->sel, e->path, name);
	w.name = strdup(name);
	w.path = strdup(e->path);
	if (!w.name || !w.path) {
		free(w.name);
		free(w.path);
		return -ENOMEM;
	}
	atomic_fetch_add(&dir->refs, 1);
	queue_push(t, &w);
	return 0;
report:
	report(t, e);
	return 0;
}

/*
 * One entry of a directory at @depth (the root's entries: 1); returns < 0
 * only for errors that stop the walk.
 */
static int walk_entry(struct tree *t, struct dir_ref *dir, const char *name, const char *path,
		      unsigned int depth)
{
	struct imactl_tree_entry e = { .path = path };
	struct dir_ref *sub;
	struct stat st;
	int ret, fd;

	if (fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		e.status = -errno;
		log_err(t->ctx, "%s%s: %s", t->root, path, strerror(errno));
		report(t, &e);
		return 0;
	}
	e.kind = tree_kind_of(st.st_mode);
	if (select_excluded(&t->sel, path, name)) {
		e.kind = IMACTL_TREE_EXCLUDED;
	} else if (e.kind == IMACTL_TREE_DIR) {
		if ((t->p->flags & IMACTL_TREE_ONE_FILE_SYSTEM) && st.st_dev != t->root_dev) {
			e.kind = IMACTL_TREE_OTHER_FS;
			report(t, &e);
			return 0;
		}
		if (depth >= IMACTL_TREE_MAX_DEPTH) {
			/* the walk recurses and holds a descriptor per level: bounded */
			e.status = -ENAMETOOLONG;
			/* the cause first: the path may not fit in a message */
			log_err(t->ctx, "deeper than %u directory levels, not walked: %s%s",
				IMACTL_TREE_MAX_DEPTH, t->root, path);
			report(t, &e);
			return 0;
		}
		fd = openat(dir->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			e.status = -errno;
			log_err(t->ctx, "%s%s: cannot open the directory: %s", t->root, path,
				strerror(errno));
			report(t, &e);
			return 0;
		}
		sub = calloc(1, sizeof(*sub));
		if (!sub) {
			close(fd);
			return -ENOMEM;
		}
		sub->fd = fd;
		atomic_init(&sub->refs, 1);
		ret = walk_dir(t, sub, path, depth + 1);
		dir_unref(sub);
		if (ret == -ENOMEM || ret == -ECANCELED)
			return ret;
		e.status = ret;
	} else if (e.kind == IMACTL_TREE_FILE) {
		return walk_file(t, dir, name, &st, &e);
	}
	report(t, &e);
	return 0;
}

/* Returns 0, -errno when @dir cannot be read, -ENOMEM, -ECANCELED. */
static int walk_dir(struct tree *t, struct dir_ref *dir, const char *prefix, unsigned int depth)
{
	char **names = NULL, *path = NULL;
	size_t n = 0, plen = strlen(prefix);
	int ret;

	ret = read_names(dir->fd, &names, &n);
	if (ret < 0) {
		log_err(t->ctx, "%s%s/: cannot read the directory: %s", t->root, prefix,
			strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (atomic_load(&t->cancelled)) {
			ret = -ECANCELED;
			break;
		}
		path = malloc(plen + strlen(names[i]) + 2);
		if (!path) {
			ret = -ENOMEM;
			break;
		}
		sprintf(path, "%s/%s", prefix, names[i]);
		ret = walk_entry(t, dir, names[i], path, depth);
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

static int tree_run(struct imactl_ctx *ctx, const char *root, const struct imactl_tree_params *p,
		    bool verify, struct imactl_tree_stats *stats_ret)
{
	struct tree t = { .ctx = ctx, .p = p, .verify = verify };
	pthread_t threads[TREE_MAX_JOBS];
	unsigned int jobs, started = 0;
	struct dir_ref *top = NULL;
	char *root_copy = NULL;
	struct stat st;
	int ret, walk_ret;

	if (!ctx || !root || tree_params_check(ctx, p, verify, &jobs) < 0)
		return -EINVAL;
	atomic_init(&t.cancelled, false);
	pthread_mutex_init(&t.lock, NULL);
	pthread_mutex_init(&t.report_lock, NULL);
	pthread_cond_init(&t.not_empty, NULL);
	pthread_cond_init(&t.not_full, NULL);

	root_copy = strdup(root);
	if (!root_copy) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t l = strlen(root_copy); l > 0 && root_copy[l - 1] == '/'; l--)
		root_copy[l - 1] = '\0';
	t.root = root_copy;
	ret = select_init(&t.sel, p);
	if (ret < 0)
		goto out;
	t.q_size = jobs * 16 < MAX_QUEUE ? jobs * 16 : MAX_QUEUE;
	t.queue = calloc(t.q_size, sizeof(*t.queue));
	top = calloc(1, sizeof(*top));
	if (!t.queue || !top) {
		ret = -ENOMEM;
		goto out;
	}
	top->fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (top->fd < 0 || fstat(top->fd, &st) < 0) {
		ret = -errno;
		log_err(ctx, "%s: cannot open the tree: %s", root, strerror(errno));
		goto out;
	}
	atomic_init(&top->refs, 1);
	t.root_dev = st.st_dev;

	for (started = 0; started < jobs; started++) {
		ret = -pthread_create(&threads[started], NULL, worker, &t);
		if (ret < 0) {
			log_err(ctx, "cannot start a thread: %s", strerror(-ret));
			break;
		}
	}
	walk_ret = started ? walk_dir(&t, top, "", 1) : ret;
	pthread_mutex_lock(&t.lock);
	t.walk_done = true;
	pthread_cond_broadcast(&t.not_empty);
	pthread_mutex_unlock(&t.lock);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);

	if (walk_ret == -ENOMEM || walk_ret == -ECANCELED || !started)
		ret = walk_ret;
	else if (atomic_load(&t.cancelled))
		ret = -ECANCELED;
	else if (walk_ret < 0 || t.op_errors)
		ret = -EIO;
	else
		ret = t.stats.failed ? -EBADMSG : 0;
	if (walk_ret < 0 && walk_ret != -ENOMEM && walk_ret != -ECANCELED)
		t.stats.failed++; /* the root directory itself */
out:
	if (top && top->fd < 0)
		free(top);
	else
		dir_unref(top);
	if (stats_ret)
		*stats_ret = t.stats;
	links_free(t.links);
	free(t.queue);
	select_free(&t.sel);
	free(root_copy);
	pthread_cond_destroy(&t.not_full);
	pthread_cond_destroy(&t.not_empty);
	pthread_mutex_destroy(&t.report_lock);
	pthread_mutex_destroy(&t.lock);
	return ret;
}

IMACTL_EXPORT int imactl_tree_sign(struct imactl_ctx *ctx, const char *root,
				   const struct imactl_tree_params *params,
				   struct imactl_tree_stats *stats_ret)
{
	return tree_sign_outcome(tree_run(ctx, root, params, false, stats_ret));
}

IMACTL_EXPORT int imactl_tree_verify(struct imactl_ctx *ctx, const char *root,
				     const struct imactl_tree_params *params,
				     struct imactl_tree_stats *stats_ret)
{
	return tree_run(ctx, root, params, true, stats_ret);
}

/* ---- the target's word size ---------------------------------------------- */

/* Opens @path inside the tree at @rootfd, its symlinks resolved inside it. */
static int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/*
 * Opens @path inside the tree for reading only when it is a regular file:
 * its type is checked on an O_PATH descriptor (which opens nothing: a device
 * node's driver or a FIFO never sees an open), and that very inode is then
 * reopened through /proc/self/fd.  Without /proc the path is resolved again
 * and must lead to the same inode (only there can a node swapped in between
 * the two resolutions be opened).  -EINVAL when it is not a regular file.
 */
static int open_regular_in_root(int rootfd, const char *path)
{
	const int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	int pfd = open_in_root(rootfd, path, O_PATH), fd;
	struct stat st, st2;
	char proc[64];

	if (pfd < 0)
		return pfd;
	if (fstat(pfd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(pfd);
		return -EINVAL;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, flags);
	if (fd < 0)
		fd = errno == ENOENT ? open_in_root(rootfd, path, flags) : -errno;
	close(pfd);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* 32 or 64 from the ELF header of @path, 0 when it is not ELF, or -errno. */
static int elf_bits(void *data, const char *path)
{
	unsigned char hdr[5];
	int fd = open_regular_in_root(*(const int *)data, path);
	ssize_t n;

	if (fd == -EINVAL)
		return 0;
	if (fd < 0)
		return fd;
	n = pread(fd, hdr, sizeof(hdr), 0);
	close(fd);
	if (n != sizeof(hdr) || memcmp(hdr, "\177ELF", 4) != 0)
		return 0;
	return hdr[4] == 1 ? 32 : hdr[4] == 2 ? 64 : 0;
}

static int list_dir(void *data, const char *dir, char ***names_ret, size_t *n_ret)
{
	int fd = open_in_root(*(const int *)data, dir, O_RDONLY | O_DIRECTORY), ret;

	if (fd < 0)
		return fd;
	ret = read_names(fd, names_ret, n_ret);
	close(fd);
	return ret;
}

IMACTL_EXPORT int imactl_tree_target_bits(struct imactl_ctx *ctx, const char *root,
					  unsigned int *bits_ret)
{
	const char *found = NULL;
	int rootfd, bits;
	struct bits_probe p = { elf_bits, list_dir, &rootfd };

	if (!root || !bits_ret)
		return -EINVAL;
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	bits = target_bits_probe(&p, &found);
	close(rootfd);
	if (bits == -ENOSYS)
		return -EOPNOTSUPP;
	if (bits <= 0) {
		log_info(ctx, "%s: no ELF init, C library or shell found", root);
		return -ENOENT;
	}
	log_info(ctx, "%s: %d-bit target (from its %s)", root, bits, found);
	*bits_ret = bits;
	return 0;
}

/* ---- writing values back (apply-manifest) -------------------------------- */

/* -EXDEV when @fd is not on @dev (unless @cross), else @fd; closes it on error */
static int same_fs(int fd, dev_t dev, bool cross)
{
	struct stat st;
	int ret;

	if (fd < 0 || cross)
		return fd;
	if (fstat(fd, &st) < 0)
		ret = -errno;
	else if (st.st_dev != dev)
		ret = -EXDEV;
	else
		return fd;
	close(fd);
	return ret;
}

/*
 * Opens the regular file @path below @rootfd, no symlink on the way, and
 * (unless @cross) nothing on another file system than @rootfd's.
 */
static int open_beneath(int rootfd, const char *path, bool cross)
{
	char *copy = strdup(path), *save = NULL, *comp, *next;
	int dfd = rootfd, fd = -EINVAL;
	struct stat st;
	dev_t dev;

	if (!copy)
		return -ENOMEM;
	if (fstat(rootfd, &st) < 0) {
		free(copy);
		return -errno;
	}
	dev = st.st_dev;
	comp = strtok_r(copy, "/", &save);
	while (comp) {
		next = strtok_r(NULL, "/", &save);
		if (!strcmp(comp, ".") || !strcmp(comp, "..")) {
			fd = -EINVAL;
			break;
		}
		if (!next) {
			fd = same_fs(imactl_open_regular(dfd, comp), dev, cross);
			break;
		}
		if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			fd = -errno;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			fd = -ELOOP;
			break;
		}
		fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		fd = same_fs(fd < 0 ? -errno : fd, dev, cross);
		if (fd < 0)
			break;
		if (dfd != rootfd)
			close(dfd);
		dfd = fd;
		fd = -EINVAL;
		comp = next;
	}
	if (dfd != rootfd)
		close(dfd);
	free(copy);
	return fd;
}

IMACTL_EXPORT int imactl_tree_set_xattrs(struct imactl_ctx *ctx, const char *root, const char *path,
					 const struct imactl_signed_values *v, unsigned int flags)
{
	uint8_t *old = NULL;
	size_t old_len = 0;
	bool changed;
	int rootfd, fd, ret;

	if (!root || !path || path[0] != '/' || !v || !v->ima ||
	    (flags & ~IMACTL_TREE_CROSS_MOUNTS))
		return -EINVAL;
	ret = imactl_signed_values_check(v, NULL, NULL);
	if (ret < 0)
		return ret;
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return -errno;
	fd = open_beneath(rootfd, path, flags & IMACTL_TREE_CROSS_MOUNTS);
	close(rootfd);
	if (fd < 0)
		return fd;
	ret = read_xattr(ctx, fd, "security.ima", &old, &old_len);
	changed = ret < 0 || old_len != v->ima_len || memcmp(old, v->ima, old_len);
	ret = write_xattr(ctx, fd, "security.ima", v->ima, v->ima_len);
	if (ret == 0 && v->evm)
		ret = write_xattr(ctx, fd, "security.evm", v->evm, v->evm_len);
	else if (ret == 0 && changed)
		ret = remove_xattr(ctx, fd, "security.evm"); /* it covered the old value */
	free(old);
	close(fd);
	return ret;
}
