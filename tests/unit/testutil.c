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

/*
 * Entries as real kernels logged them (published with Keylime's tests): the
 * template hashes were computed by the kernel, so they check how the fields
 * are rebuilt from ascii ("algo:\0"+digest, strings with their NUL, the "ima"
 * template's 256-byte name, an empty signature field).
 */
const char test_real_kernel_list[] =
	"10 1e70a3e1af66f42826ad63b761b4cb9c4df195e1 ima-sig "
	"sha256:d33d5d13792292e202dbf69a6f1b07bc8a02f01424db8489ba7bb7d43c0290ef /usr/bin/dd "
	"030204f3452d2301009dd340c852f37e35748363586939d4199b6684be27e7c1236ca1528f708372ed9cd52a0d"
	"991f66448790f5616ed5bd7f9bbd22193b1e3e54f6bf29a1497945a34d1b418b24f4cbeaef897bf3cebca27065"
	"ebb8761b46bc2662fe76f141245b9186a5ac8493c7f4976cf0d6dfc085c3e503e3f771bc3ccb121230db76fd8a"
	"ba4f45f060ad64ab3afd99b4e52824b9eba12e93e46f9dcb2fa01d9cef89f298a0da02a82a4fb56924afd3e3c2"
	"77a1302d99f770d488449df2d43eb5b174a0a528827e6877b965c2f0b7c89cf1aa26a7417a892df4c2294e2872"
	"d62748b72ea04ecb0689b5d792e615a9bf9d56f6e0f298560bf9441df0a22729c5f23389f028c25f\n"
	"10 5d4d5141ccd5066d50dc3f21d79ba02fedc24256 ima-sig "
	"sha256:b8ae0b8dd04a5935cd8165aa2260cd11b658bd71629bdb52256a675a1f73907b /usr/bin/zmore "
	"030204531f402500483046022100fe24678d21083ead47660e1a2d553a592d777c478d1b0466de6ed484b54956"
	"b3022100cad3adb37f277bbb03544d6107751b4cd4f2289d8353fa36257400a99334d5c3\n"
	"10 5426cf3031a43f5bfca183d79950698a95a728f6 ima-sig "
	"sha256:f1125b940480d20ad841d26d5ea253edc0704b5ec1548c891edf212cb1a9365e "
	"/lib/modules/5.4.48-openpower1/kernel/drivers/usb/common/usb-common.ko \n"
	"10 b7862dbbf1383ac6c7cca7f02d981a081aacb1f1 ima-buf "
	"sha1:6e0e6fc8a188ef4f059638949adca4d221946906 device_resume "
	"6e616d653d544553543b757569643d43525950542d5645524954592d3965663332653562363562303434323461"
	"3561386562343436636630653731332d544553543b63617061636974793d303b6d616a6f723d3235333b6d696e"
	"6f723d303b6d696e6f725f636f756e743d313b6e756d5f746172676574733d313b6163746976655f7461626c65"
	"5f686173683d346565383065333365353635643336333430356634303238393436653837623365396563306335"
	"383661666639656630656436663561653762656237326431333b\n"
	"10 d7026dc672344d3ee372217bdbc7395947788671 ima 6f66d1d8e2fffcc12dfcb78c04b81fe5b8bbae4e "
	"/usr/bin/kmod\n"
	"10 7936eb315fb4e74b99e7d461bc5c96049e1ee092 ima-ng "
	"sha1:bc026ae66d81713e4e852465e980784dc96651f8 /usr/lib/systemd/systemd\n"
	"10 3c93cea361cd6892bc8b9e3458e22ce60ef2e632 ima-ng "
	"sha1:ac7dd11bf0e3bec9a7eb2c01e495072962fb9dfa boot_aggregate\n";
