/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the unit tests. */
#ifndef IMACTL_TESTUTIL_H
#define IMACTL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "imactl.h"

/* Parses @hex (no separators) into @out; returns the byte count. */
size_t hex2bin(const char *hex, uint8_t *out, size_t size);
/* A context that records the last message; see last_log. */
struct imactl_ctx *test_ctx(void);
extern char last_log[1024];
/* $BUILD_ROOT/tests/keys/NAME (the CLI tests make them; see make-test-keys.sh) */
const char *test_key_path(const char *name);
/* A scratch directory for this test binary. */
const char *test_tmpdir(void);
/* "@dir/@name" in one of 4 rotating static buffers. */
char *test_path_in(const char *dir, const char *name);
/* The number of entries in @dir (ls -A). */
int test_count_entries(const char *dir);

/*
 * Entries real kernels logged (ascii, 7 entries: ima-sig, ima-buf, ima, ima-ng,
 * boot_aggregate last; from Keylime's published tests), with their kernel-made
 * template hashes.
 */
extern const char test_real_kernel_list[];

#endif
