// SPDX-License-Identifier: GPL-2.0-or-later
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char last_log[1024];

size_t hex2bin(const char *hex, uint8_t *out, size_t size)
{
	size_t n = 0;

	while (hex[0] && hex[1] && n < size) {
		unsigned int b;

		if (sscanf(hex, "%2x", &b) != 1)
			break;
		out[n++] = b;
		hex += 2;
	}
	return n;
}

static void record_log(void *data, int prio, const char *msg)
{
	(void)data;
	(void)prio;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

struct imactl_ctx *test_ctx(void)
{
	struct imactl_ctx *ctx = NULL;

	assert_int_equal(imactl_ctx_new(&ctx), 0);
	imactl_set_log_fn(ctx, record_log, NULL);
	imactl_set_log_priority(ctx, IMACTL_LOG_DEBUG);
	last_log[0] = 0;
	return ctx;
}

const char *test_key_path(const char *name)
{
	static char path[4096];
	const char *root = getenv("BUILD_ROOT");
	char cmd[8192];

	if (!root)
		root = "..";
	/* the key set is made once per build tree */
	snprintf(cmd, sizeof(cmd), "sh %s/tests/make-test-keys.sh %s/tests/keys >/dev/null",
		 getenv("SRC_ROOT") ? getenv("SRC_ROOT") : "../..", root);
	if (system(cmd) != 0)
		fail_msg("cannot make test keys: %s", cmd);
	snprintf(path, sizeof(path), "%s/tests/keys/%s", root, name);
	return path;
}

const char *test_tmpdir(void)
{
	static char dir[4096];

	if (!dir[0]) {
		const char *root = getenv("BUILD_ROOT") ? getenv("BUILD_ROOT") : ".";

		snprintf(dir, sizeof(dir), "%s/tests", root);
		mkdir(dir, 0755);
		snprintf(dir, sizeof(dir), "%s/tests/tmp", root);
		mkdir(dir, 0755);
		snprintf(dir, sizeof(dir), "%s/tests/tmp/unit-%d", root, (int)getpid());
		if (mkdir(dir, 0700) < 0)
			fail_msg("cannot make %s", dir);
	}
	return dir;
}

char *test_path_in(const char *dir, const char *name)
{
	static char buf[4][4200];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

int test_count_entries(const char *dir)
{
	char cmd[4200];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}
