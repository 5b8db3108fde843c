// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl sign-tree: sign every regular file of a root filesystem. */
#include "prog_sign_opts.h"
#include "tree_util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct option longopts[] = {
	PROG_SO_LONGOPTS_SIGN,
	PROG_SO_LONGOPTS_TREE,
	PROG_SO_LONGOPTS_SIGN_TREE,
	{ NULL, 0, NULL, 0 },
};

static const int repeatable[] = { 'v', PROG_SO_SIGN_VERBOSE, PROG_SO_SIGN_MUTABLE, 0 };

/* A manifest line, or a hard link whose line is its first name's. */
struct line {
	char *path;
	char *text;  /* the whole line, or NULL for a hard link */
	char *first; /* hard links: the name the file was signed under */
};

struct state {
	const char *root;
	char *shown_root; /* "IMAGE:" for images */
	bool image;	  /* sign-image */
	int verbose;
	bool json;
	const char *manifest, *mutable_list; /* the files to write, or NULL */
	const char **mutables;		     /* --mutable GLOB... */
	struct line *lines;
	size_t n_lines, alloc;
	int err; /* -ENOMEM while collecting */
	struct tree_progress progress;
	char **mutable_paths; /* paths of the mutable files written */
	size_t n_mutables, alloc_mutables;
};

static int add_mutable(struct state *st, const char *path)
{
	if (st->n_mutables == st->alloc_mutables) {
		size_t n = st->alloc_mutables ? st->alloc_mutables * 2 : 64;
		char **m = realloc(st->mutable_paths, n * sizeof(*m));

		if (!m)
			return -ENOMEM;
		st->mutable_paths = m;
		st->alloc_mutables = n;
	}
	st->mutable_paths[st->n_mutables] = strdup(path);
	if (!st->mutable_paths[st->n_mutables])
		return -ENOMEM;
	st->n_mutables++;
	return 0;
}

static int cmp_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The mutable files, one path per line from the root, escaped as a manifest
 * escapes them, sorted: what first-boot labelling gives an EVM HMAC.
 */
static int write_mutable_list(struct imactl_ctx *ctx, struct state *st, const char *file)
{
	char *buf = NULL, *esc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret = f ? 0 : -ENOMEM;

	if (st->n_mutables)
		qsort(st->mutable_paths, st->n_mutables, sizeof(*st->mutable_paths), cmp_strings);
	for (size_t i = 0; ret == 0 && i < st->n_mutables; i++) {
		ret = imactl_manifest_escape(st->mutable_paths[i], &esc);
		if (ret == 0)
			fprintf(f, "%s\n", esc);
		imactl_free(esc);
		esc = NULL;
	}
	if (f && fclose(f) != 0 && ret == 0)
		ret = -ENOMEM;
	if (ret == 0)
		ret = imactl_write_file(ctx, file, buf, len, 0644, IMACTL_OUTFILE_REPLACE);
	else
		prog_file_err(file, "cannot write the mutable list: %s", strerror(-ret));
	free(buf);
	return ret;
}

static int add_line(struct state *st, const char *path, char *text, const char *first)
{
	struct line *l;

	if (st->n_lines == st->alloc) {
		size_t n = st->alloc ? st->alloc * 2 : 1024;

		l = realloc(st->lines, n * sizeof(*l));
		if (!l)
			return -ENOMEM;
		st->lines = l;
		st->alloc = n;
	}
	l = &st->lines[st->n_lines];
	l->text = text;
	l->path = strdup(path);
	l->first = first ? strdup(first) : NULL;
	if (!l->path || (first && !l->first)) {
		free(l->path);
		free(l->first);
		return -ENOMEM;
	}
	st->n_lines++;
	return 0;
}

static int on_entry(void *data, const struct imactl_tree_entry *e)
{
	struct state *st = data;
	char *shown = NULL, *text = NULL;
	int ret = 0;

	if (e->kind == IMACTL_TREE_FILE)
		tree_progress_file(&st->progress, e->size);
	if (e->status) {
		shown = tree_display_path(st->shown_root, e->path);
		prog_file_err(shown ? shown : e->path, "not signed: %s",
			      e->kind == IMACTL_TREE_DIR
				      ? "cannot read this directory; nothing below it was signed"
				      : prog_file_error(e->status));
		free(shown);
		return 0;
	}
	if (st->verbose && e->kind == IMACTL_TREE_FILE) {
		shown = tree_display_path(st->shown_root, e->path);
		printf("%s: %s%s\n", shown ? shown : e->path,
		       e->unchanged ? "already valid" : "signed",
		       e->mutable_file ? " (mutable)" : "");
		free(shown);
	}
	if (st->mutable_list && e->mutable_file && e->kind == IMACTL_TREE_FILE && !st->err)
		st->err = add_mutable(st, e->path);
	if (!st->manifest || st->err)
		return 0;
	if (e->kind == IMACTL_TREE_FILE && e->values && e->values->ima) {
		ret = imactl_manifest_format(e->path, e->values, &text);
		if (ret == 0)
			ret = add_line(st, e->path, text, NULL);
		if (ret < 0)
			free(text);
	} else if (e->kind == IMACTL_TREE_HARDLINK) {
		ret = add_line(st, e->path, NULL, e->first_path);
	}
	if (ret < 0)
		st->err = ret;
	return 0;
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->path, ((const struct line *)b)->path);
}

/*
 * Writes the manifest sorted by path; hard links get their file's values.
 * Through the library's output file: a new file with a random name, never a
 * link or FIFO planted next to @file, renamed over @file when complete.
 */
static int write_manifest(struct imactl_ctx *ctx, struct state *st, const char *file)
{
	struct imactl_outfile *of = NULL;
	char *esc = NULL;
	FILE *f = NULL;
	int fd, ret;

	if (st->n_lines)
		qsort(st->lines, st->n_lines, sizeof(*st->lines), cmp_lines);
	ret = imactl_outfile_create(ctx, file, 0644, IMACTL_OUTFILE_REPLACE, &of);
	if (ret < 0)
		goto out;
	fd = dup(imactl_outfile_fd(of));
	f = fd < 0 ? NULL : fdopen(fd, "we");
	if (!f) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		prog_file_err(file, "cannot write the manifest: %s", strerror(-ret));
		goto out;
	}
	for (size_t i = 0; i < st->n_lines; i++) {
		struct line *l = &st->lines[i], key = { .path = l->first }, *first;

		if (l->text) {
			fputs(l->text, f);
			continue;
		}
		first = bsearch(&key, st->lines, st->n_lines, sizeof(key), cmp_lines);
		if (!first || !first->text)
			continue; /* its file failed: no values to record */
		if (imactl_manifest_escape(l->path, &esc) < 0) {
			ret = -ENOMEM;
			goto out;
		}
		/* escaped paths hold no space: the values follow the first one */
		fprintf(f, "%s%s", esc, strchr(first->text, ' '));
		free(esc);
		esc = NULL;
	}
	ret = fflush(f) != 0 || ferror(f) ? -errno : 0;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	f = NULL;
	if (ret < 0) {
		prog_file_err(file, "cannot write the manifest: %s", strerror(-ret));
		goto out;
	}
	ret = imactl_outfile_commit(of);
out:
	if (f)
		fclose(f);
	imactl_outfile_free(of);
	return ret;
}

static void print_text(const char *name, const struct imactl_tree_stats *s, double secs,
		       unsigned int bits, const struct imactl_sigcache_stats *cs)
{
	printf("%s: signed %llu, already valid %llu, failed %llu\n", name,
	       (unsigned long long)(s->ok - s->unchanged), (unsigned long long)s->unchanged,
	       (unsigned long long)s->failed);
	tree_print_skipped(stdout, name, s);
	printf("%s: %llu files, %.1f MB in %.2f s, %.0f files/s, %u-bit target\n", name,
	       (unsigned long long)s->kinds[IMACTL_TREE_FILE], s->bytes / 1e6, secs,
	       secs > 0 ? s->kinds[IMACTL_TREE_FILE] / secs : 0.0, bits);
	if (cs)
		prog_print_cache_stats(stdout, name, cs);
}

static void print_json(const struct state *st, bool image, const struct imactl_tree_stats *s,
		       double secs, unsigned int bits, const struct imactl_sigcache_stats *cs)
{
	tree_print_json_head(stdout, image, st->root, s);
	printf(", \"signed\": %llu, \"already_valid\": %llu, \"failed\": %llu, \"bytes\": %llu",
	       (unsigned long long)(s->ok - s->unchanged), (unsigned long long)s->unchanged,
	       (unsigned long long)s->failed, (unsigned long long)s->bytes);
	tree_print_json_skipped(stdout, s);
	printf(", \"seconds\": %.3f, \"target_bits\": %u, \"cache\": ", secs, bits);
	if (cs)
		printf("{\"reused\": %llu, \"verified\": %llu, \"newly_signed\": %llu, "
		       "\"rejected\": %llu}",
		       (unsigned long long)cs->reused, (unsigned long long)cs->verified,
		       (unsigned long long)cs->signed_new, (unsigned long long)cs->rejected);
	else
		printf("null");
	printf("}\n");
}

static void free_state(struct state *st)
{
	for (size_t i = 0; i < st->n_lines; i++) {
		free(st->lines[i].path);
		free(st->lines[i].text);
		free(st->lines[i].first);
	}
	free(st->lines);
	for (size_t i = 0; i < st->n_mutables; i++)
		free(st->mutable_paths[i]);
	free(st->mutable_paths);
	free(st->mutables);
	free(st->shown_root);
}

/* The options and the checks between them; -1 to go on, else the exit code. */
static int parse(struct prog_sign_opts *o, struct state *st, int argc, char *argv[])
{
	const struct imactl_command *cmd = o->cmd;
	struct imactl_tree_params *tp = &o->tree;
	const struct imactl_sign_params *sp = &o->sign;
	const struct option *opts = st->image ? sign_image_longopts : longopts;
	int c;

	while ((c = prog_sign_getopt(o, argc, argv, "v", opts, repeatable)) != -1) {
		switch (c) {
		case PROG_SO_SIGN_SKIP_VALID:
			tp->flags |= IMACTL_TREE_SKIP_VALID;
			break;
		case PROG_SO_SIGN_MANIFEST:
			st->manifest = optarg;
			break;
		case 'v':
		case PROG_SO_SIGN_VERBOSE:
			st->verbose++;
			break;
		case PROG_SO_SIGN_JSON:
			st->json = true;
			break;
		case PROG_SO_SIGN_MUTABLE:
			st->mutables[tp->n_mutable++] = optarg;
			break;
		case PROG_SO_SIGN_MUTABLE_LIST:
			st->mutable_list = optarg;
			break;
		case PROG_SO_SIGN_HELP:
			return prog_usage(cmd, stdout);
		default:
			return prog_bad_option(cmd);
		}
	}
	if (!prog_operands(cmd, argc, st->image ? "IMAGE" : "ROOT", true) ||
	    !prog_sign_opts_check(o))
		return prog_bad_option(cmd);
	if (st->json && st->verbose) {
		prog_err("%s: --json and --verbose exclude each other (the JSON summary is all of "
			 "stdout)",
			 cmd->name);
		return prog_bad_option(cmd);
	}
	if ((tp->flags & IMACTL_TREE_SKIP_VALID) && !o->n_certs &&
	    (sp->ima == IMACTL_IMA_SIG || sp->evm != IMACTL_EVM_NONE)) {
		prog_err("%s: --skip-valid checks signatures with --cert: give it", cmd->name);
		return prog_bad_option(cmd);
	}
	if (st->mutable_list && !tp->n_mutable) {
		prog_err("%s: --mutable-list lists the files --mutable GLOB selects: give one",
			 cmd->name);
		return prog_bad_option(cmd);
	}
	st->root = argv[optind];
	return -1;
}

/* The context, key, certificates and cache: false when one is missing. */
static bool prepare(struct prog_sign_opts *o, struct state *st)
{
	struct imactl_tree_params *tp = &o->tree;

	/* the image checked first: that puts back one a killed run left partly written */
	if (prog_sign_opts_ctx(o, st->verbose) < 0 ||
	    (st->image && imactl_image_check(o->ctx, st->root) < 0) ||
	    !tree_resolve_bits(o->ctx, st->root, st->image, o->bits_given, &o->sign.target_bits) ||
	    (st->image && !image_fsck(st->root)))
		return false;
	if (prog_sign_opts_load_key(o) < 0)
		return false;
	if ((tp->flags & IMACTL_TREE_SKIP_VALID) && o->n_certs &&
	    prog_sign_opts_load_keyring(o) < 0)
		return false;
	if (!prog_sign_opts_open_cache(o))
		return false;
	tp->mutable_globs = st->mutables;
	tp->sign = &o->sign;
	tp->key = o->key;
	tp->keyring = o->keyring;
	tp->fn = on_entry;
	tp->fn_data = st;
	return true;
}

/* The manifest or mutable list @file (@what) after the walk; 0 or an exit code. */
static int write_list(const struct prog_sign_opts *o, struct state *st, const char *what,
		      const char *file,
		      int (*write)(struct imactl_ctx *, struct state *, const char *))
{
	if (st->err) {
		prog_err("%s: %s: %s", o->cmd->name, what, strerror(-st->err));
		return EXIT_OPERATIONAL;
	}
	return write(o->ctx, st, file) < 0 ? EXIT_OPERATIONAL : EXIT_OK;
}

/* The walk, then what it wrote and the summary; the exit code. */
static int sign_walk(struct prog_sign_opts *o, struct state *st)
{
	const char *name = o->cmd->name;
	struct imactl_tree_stats stats;
	struct imactl_sigcache_stats cs;
	int status = EXIT_OK, ret;
	bool cached;
	double secs;

	tree_progress_start(&st->progress, "signed");
	ret = st->image ? imactl_image_sign(o->ctx, st->root, &o->tree, &stats)
			: imactl_tree_sign(o->ctx, st->root, &o->tree, &stats);
	secs = tree_elapsed(&st->progress);
	tree_progress_end(&st->progress);
	if (ret < 0 && ret != -EIO)
		prog_file_err(st->root, "%s stopped: %s%s", name, strerror(-ret),
			      st->image ? "; the image was not changed" : "");
	if (ret < 0)
		status = EXIT_OPERATIONAL;
	if (st->manifest && (ret == 0 || ret == -EIO))
		status = prog_worse(status,
				    write_list(o, st, "manifest", st->manifest, write_manifest));
	if (st->mutable_list && (ret == 0 || ret == -EIO))
		status = prog_worse(status, write_list(o, st, "mutable list", st->mutable_list,
						       write_mutable_list));
	cached = prog_sign_opts_close_cache(o, &cs);
	if (st->json)
		print_json(st, st->image, &stats, secs, o->sign.target_bits, cached ? &cs : NULL);
	else
		print_text(name, &stats, secs, o->sign.target_bits, cached ? &cs : NULL);
	return status;
}

int sign_tree_run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct prog_sign_opts o;
	struct state st = { .image = cmd == &cmd_sign_image };
	int status;

	st.mutables = calloc(argc + 1, sizeof(*st.mutables));
	if (!st.mutables || !prog_sign_opts_init(&o, cmd, PROG_SO_BITS_AUTO, argc)) {
		free(st.mutables);
		return EXIT_OPERATIONAL;
	}
	o.sign.evm = IMACTL_EVM_PORTABLE;
	status = parse(&o, &st, argc, argv);
	if (status < 0 && asprintf(&st.shown_root, "%s%s", st.root, st.image ? ":" : "") < 0) {
		st.shown_root = NULL;
		status = EXIT_OPERATIONAL;
	}
	if (status < 0)
		status = prepare(&o, &st) ? sign_walk(&o, &st) : EXIT_OPERATIONAL;
	free_state(&st);
	return prog_sign_opts_end(&o, status);
}

const struct imactl_command cmd_sign_tree = {
	.name = "sign-tree",
	.func = sign_tree_run,
	.summary = "sign every regular file below a root filesystem, in parallel",
	.usage = "ROOT --key KEY [--cert CERT | --keyid HEX] [OPTIONS]\n"
		 "\n"
		 "Signs the regular files below ROOT: security.ima, then the EVM portable\n"
		 "signature over the final protected xattrs (security.selinux, SMACK64,\n"
		 "apparmor, ima, capability: whichever exist).  The key is loaded once and the\n"
		 "files are spread over --jobs threads.  Directories are read through their\n"
		 "descriptors and no symbolic link is ever followed (ROOT itself must not be\n"
		 "one).  Symbolic links, directories, devices, fifos and sockets are never\n"
		 "signed; a file with several hard links is signed once.  Each file is hashed\n"
		 "and its xattrs set through one descriptor; a file that changes while it is\n"
		 "hashed, or that another process can write to at that moment (open for\n"
		 "writing or mapped shared and writable, whose writes need not move mtime), is\n"
		 "reported, not signed (limits: see imactl sign --help).  A file that fails is\n"
		 "named with the cause, the others are still signed.\n"
		 "\n" PROG_SO_HELP_KEY
		 "  --sigv3               IMA signature v3 (type 0x06) over each file's\n"
		 "                        fs-verity digest (--hash sha256 or sha512); the\n"
		 "                        kernel needs fs-verity enabled on the files\n"
		 "  --evm portable|none   EVM portable signature (default: portable)\n"
		 "  --target-bits 64|32|auto\n"
		 "                        word size of the target, for EVM; auto reads the ELF\n"
		 "                        class of ROOT's /sbin/init or C library (links\n"
		 "                        resolved inside ROOT).  Default: auto, 64 when ROOT\n"
		 "                        holds neither (with a note)\n"
		 "  --jobs N              threads (default: the online CPUs)\n"
		 "  --include GLOB        sign only matching files (repeatable)\n"
		 "  --exclude GLOB        leave matching entries out; a directory is not\n"
		 "                        entered (repeatable).  A GLOB with '/' is anchored at\n"
		 "                        ROOT and covers what is below a match (/usr/bin,\n"
		 "                        /usr/lib/*.so*); one without '/' matches names at\n"
		 "                        any depth (*.pyc).  '*' also matches '/'\n"
		 "  --one-file-system     do not enter mount points of other file systems\n"
		 "  --skip-valid          leave files whose values already verify with --cert\n"
		 "                        untouched\n"
		 "  --manifest FILE       write one line per signed file, sorted by path:\n"
		 "                          /PATH ima:0xHEX [evm:0xHEX]\n"
		 "                        PATH is relative to ROOT; a backslash, space and\n"
		 "                        control bytes, DEL and bytes that are not valid UTF-8\n"
		 "                        are written as \\ and three octal digits (\\040 is a\n"
		 "                        space, \\012 a newline, \\134 a backslash).  Hard\n"
		 "                        links get a line each.  See "
		 "apply-manifest\n" PROG_SO_HELP_MUTABLE
		 "  --cache DIR           signature cache: a signature made before for the same\n"
		 "                        signed digest (content, or for EVM the xattrs, uid,\n"
		 "                        gid, mode and word size), algorithm, format and key\n"
		 "                        is reused when the entry's MAC (made with a key\n"
		 "                        derived from KEY's private half) checks, or for a\n"
		 "                        PKCS#11 key when it verifies; new ones are\n"
		 "                        verified and added.  DIR (mode 0700, created when "
		 "missing,\n"
		 "                        never a symbolic link) may be shared by concurrent\n"
		 "                        runs.  Default: $XDG_CACHE_HOME/imactl or\n"
		 "                        ~/.cache/imactl, except for root, who gets a cache\n"
		 "                        only with --cache\n"
		 "  --no-cache            no signature cache, not even the default one\n"
		 "  --cache-size SIZE     keep the cache's disk use under SIZE (K, M, G; default\n"
		 "                        1G), dropping the least recently used "
		 "entries\n" PROG_SO_HELP_PASS_FILE
		 "  --xattr-user          use user.ima/user.evm (tests without privileges)\n"
		 "  --json                the summary as one JSON object on stdout: root,\n"
		 "                        files, signed, already_valid, failed, bytes,\n"
		 "                        skipped (by kind), seconds, target_bits, cache\n"
		 "                        (reused, verified, newly_signed, rejected; null\n"
		 "                        without one)\n"
		 "  -v, --verbose         name every file\n"
		 "\n"
		 "Progress goes to stderr when it is a terminal; a summary (signed, already\n"
		 "valid, failed; skipped by kind; files/s; with a cache, signatures reused,\n"
		 "verified with the key, newly signed, cache entries rejected) always goes\n"
		 "to stdout.\n"
		 "Exit: 0 all signed; 3 something could not be signed (each is named);\n"
		 "2 usage error.\n",
};
