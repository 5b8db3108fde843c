// SPDX-License-Identifier: GPL-2.0-or-later
/* Printing names and bytes the same way in every command (see output.h). */
#include "output.h"
#include "prog.h"

#include <stdlib.h>
#include <string.h>

void hex_print(FILE *f, const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char buf[128];

	/* one fwrite(3) per 64 bytes: this prints a digest per file of a tree */
	for (size_t i = 0; i < len;) {
		size_t n = 0;

		for (; i < len && n < sizeof(buf); i++) {
			buf[n++] = digits[p[i] >> 4];
			buf[n++] = digits[p[i] & 15];
		}
		fwrite(buf, 1, n, f);
	}
}

/* Out of memory while printing: stop rather than print a wrong name. */
static void print_escaped(FILE *f, const char *s, int (*escape)(const char *, char **))
{
	char *escaped = NULL;
	int ret = escape(s ? s : "", &escaped);

	if (ret < 0) {
		prog_err("cannot escape a name: %s", strerror(-ret));
		exit(EXIT_OPERATIONAL);
	}
	fputs(escaped, f);
	imactl_free(escaped);
}

void path_print(FILE *f, const char *path)
{
	print_escaped(f, path, imactl_manifest_escape);
}

void json_print(FILE *f, const char *s)
{
	print_escaped(f, s, imactl_json_escape);
}
