/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by sign-tree and verify-tree: progress, summaries. */
#ifndef IMACTL_TREE_UTIL_H
#define IMACTL_TREE_UTIL_H

#include "prog.h"

#include <stdint.h>
#include <time.h>

/* Progress on stderr, only when it is a terminal. */
struct tree_progress {
	bool enabled;
	const char *verb; /* "signed", "checked" */
	struct timespec start, last;
	uint64_t files, bytes;
};

void tree_progress_start(struct tree_progress *pr, const char *verb);
/* Counts one file; redraws at most 5 times a second. */
void tree_progress_file(struct tree_progress *pr, uint64_t bytes);
/* Clears the progress line. */
void tree_progress_end(struct tree_progress *pr);
double tree_elapsed(const struct tree_progress *pr);

/* "ROOT/path" escaped for messages; free() it.  NULL on ENOMEM. */
char *tree_display_path(const char *root, const char *path);

/* "--jobs N": 1..256. */
bool tree_parse_jobs(const struct imactl_command *cmd, const char *s, unsigned int *jobs);
/*
 * --target-bits: 64, 32 or auto (@bits = 0).  Resolves auto for @root:
 * an explicit auto must succeed; the default (@given false) falls back to
 * 64 with a note.  Returns false (after a message) on failure.
 */
bool tree_resolve_bits(struct imactl_ctx *ctx, const char *root, bool image, bool given,
		       unsigned int *bits);

/*
 * sign-image: runs `e2fsck -fn IMAGE` and refuses an image it finds problems
 * in (false, after a message with e2fsck's report).
 */
bool image_fsck(const char *image);

/* "skipped: symlinks N, directories N, ..." */
void tree_print_skipped(FILE *f, const char *cmd, const struct imactl_tree_stats *s);

/*
 * The JSON summaries of sign-tree, sign-image, verify-tree and verify-image
 * share these members: the head opens the object, {"root" (or "image"):
 * NAME, "files": N; the skipped kinds follow the command's own counts as
 * , "skipped": {"symlinks": N, ...}; the caller closes the object.
 */
void tree_print_json_head(FILE *f, bool image, const char *root, const struct imactl_tree_stats *s);
void tree_print_json_skipped(FILE *f, const struct imactl_tree_stats *s);

#endif
