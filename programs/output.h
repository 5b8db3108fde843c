/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How the imactl commands print names and bytes: one path escape for people
 * (the manifest's) and one JSON string escape, both from the library.
 */
#ifndef IMACTL_OUTPUT_H
#define IMACTL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Lower-case hex of @len bytes: the one hex printer of the commands (the
 * library's own, hex_encode() in lib_private.h, is not exported: printing
 * hex is not worth a symbol of the ABI).
 */
void hex_print(FILE *f, const uint8_t *p, size_t len);
/* A path for people, escaped as in a manifest (imactl_manifest_escape()). */
void path_print(FILE *f, const char *path);
/* A JSON string literal of @s (imactl_json_escape()). */
void json_print(FILE *f, const char *s);

#endif
