// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the Keylime runtime-policy reader (JSON, excludes translated to POSIX
 * regexes, verification-keys) and the verdicts.  Invariants: never crash;
 * parse gives 0 or -EBADMSG (-ENOMEM aside); a parsed policy judges every
 * entry of a fixed list with 0 or -EBADMSG, a reason, and a verdict that
 * agrees with the return value.
 */
#include "imactl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* names a policy may list or exclude: spaces logged as '_', tabs, UTF-8,
 * invalid UTF-8, glob and regex characters, a key measured into a keyring */
static const char list[] =
	"10 1111111111111111111111111111111111111111 ima-ng sha256:"
	"2689367b205c16ce32ed4200942b8b8b1e262dfc70d9bc9fbc77c49699a4f1df /usr/bin/ok\n"
	"10 1111111111111111111111111111111111111111 ima-ng sha1:"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa /etc/a_b\t[x]*?\n"
	"10 1111111111111111111111111111111111111111 ima-ng sha1:"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa /etc/caf\xc3\xa9/\xff\xfe\n"
	"10 1111111111111111111111111111111111111111 ima-sig sha256:"
	"2689367b205c16ce32ed4200942b8b8b1e262dfc70d9bc9fbc77c49699a4f1df /usr/bin/s "
	"030204aabbccdd0004deadbeef\n"
	"10 1111111111111111111111111111111111111111 ima-buf sha1:"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa .ima 3082\n"
	"10 1111111111111111111111111111111111111111 ima-buf sha1:"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa kernel_version 362e31\n"
	"10 0000000000000000000000000000000000000000 ima-ng sha1:"
	"0000000000000000000000000000000000000000 /violation\n"
	"10 1111111111111111111111111111111111111111 ima-ng sha1:"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa boot_aggregate\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imactl_runtime_policy *pol = NULL;
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	const char *why = NULL;
	char *copy;
	int ret;

	/* an exact-size heap copy, not NUL-terminated: ASan sees overreads */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = imactl_runtime_policy_parse(NULL, copy, size, "fuzz", &pol);
	if (ret != 0 && ret != -EBADMSG && ret != -ENOMEM)
		abort();
	if (ret == 0 && imactl_mlog_open_mem(NULL, list, sizeof(list) - 1, 0, 0, &ml) == 0) {
		while (imactl_mlog_next(ml, &e, &why) == 0 && e) {
			struct imactl_rp_result r;

			ret = imactl_runtime_policy_check(pol, e, IMACTL_MLOG_SIG_NOT_CHECKED, &r);
			if (ret == -ENOMEM)
				continue;
			if ((ret != 0 && ret != -EBADMSG) || !r.reason ||
			    (ret == 0) != (r.verdict < IMACTL_RP_FAIL_NOT_LISTED))
				abort();
		}
		imactl_mlog_free(ml);
	}
	imactl_runtime_policy_free(pol);
	free(copy);
	return 0;
}
