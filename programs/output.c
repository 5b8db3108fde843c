// SPDX-License-Identifier: GPL-2.0-or-later
/* Printing names and bytes the same way in every command (see output.h). */
#include "output.h"
#include "prog.h"

#include <stdlib.h>
#include <string.h>

void hex_print(FILE *f, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
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
