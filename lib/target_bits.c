// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The target's word size, which EVM signatures depend on: guessed from the
 * ELF files of a root file system, a directory tree (tree.c) or an ext4
 * image (image.c), by one search.
 */
#include "lib_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const libc_names[] = { "libc.so.6", "libc.so.0", "libc.so" };

/* A C library in @dir or one directory below it (multiarch); 32, 64 or 0. */
static int libc_bits(const struct bits_probe *p, const char *dir)
{
	char path[512];
	char **names = NULL;
	size_t n = 0;
	int bits = 0;

	for (size_t i = 0; i < ARRAY_SIZE(libc_names) && bits <= 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, libc_names[i]);
		bits = p->elf_bits(p->data, path);
	}
	if (bits > 0 || p->list_dir(p->data, dir, &names, &n) < 0)
		return bits > 0 ? bits : 0;
	for (size_t i = 0; i < n; i++) {
		/* musl: ld-musl-ARCH.so.1 is its libc */
		if (bits <= 0 && !strncmp(names[i], "ld-musl-", 8)) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			bits = p->elf_bits(p->data, path);
		}
		for (size_t j = 0; j < ARRAY_SIZE(libc_names) && bits <= 0 && strchr(names[i], '-');
		     j++) {
			snprintf(path, sizeof(path), "%s/%s/%s", dir, names[i], libc_names[j]);
			bits = p->elf_bits(p->data, path);
		}
		free(names[i]);
	}
	free(names);
	return bits > 0 ? bits : 0;
}

int target_bits_probe(const struct bits_probe *p, const char **found)
{
	static const char *const inits[] = { "/sbin/init", "/usr/sbin/init",
					     "/lib/systemd/systemd" };
	static const char *const libdirs[] = { "/lib", "/usr/lib", "/lib64", "/usr/lib64" };
	static const char *const shells[] = { "/bin/sh", "/bin/busybox" };
	int bits = 0;

	for (size_t i = 0; i < ARRAY_SIZE(inits) && bits <= 0; i++) {
		bits = p->elf_bits(p->data, inits[i]);
		if (bits == -ENOSYS)
			return bits;
		*found = inits[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(libdirs) && bits <= 0; i++) {
		bits = libc_bits(p, libdirs[i]);
		*found = "libc";
	}
	for (size_t i = 0; i < ARRAY_SIZE(shells) && bits <= 0; i++) {
		bits = p->elf_bits(p->data, shells[i]);
		*found = shells[i];
	}
	return bits > 0 ? bits : 0;
}
