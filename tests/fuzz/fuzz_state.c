// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the --state resume of log verify: the input is a state text, a NUL,
 * then a measurement list.  The state is resumed (or refused), the list
 * verified from it, and a state saved at the end must resume into a new
 * verifier.  Invariants: never crash; a refused state is -EBADMSG or -ESTALE;
 * what the library saves, it reads back.  Seeds: states and lists written by
 * log verify --state --bank sha1,sha256 (no PCR values).
 */
#include "imactl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int banks[] = { IMACTL_HASH_SHA1, IMACTL_HASH_SHA256 };

static struct imactl_mlog_verifier *new_verifier(void)
{
	struct imactl_mlog_verify_params p = { .banks = banks, .nbanks = 2 };
	struct imactl_mlog_verifier *v = NULL;

	/* bound as log verify --state binds a run without PCR values */
	if (imactl_mlog_verifier_new(NULL, &p, &v) < 0 || imactl_mlog_verifier_track_bytes(v) < 0 ||
	    imactl_mlog_verifier_bind(v, "pcr-source none\n") < 0)
		abort();
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	struct imactl_mlog_verifier *v = new_verifier(), *v2 = NULL;
	struct imactl_mlog_summary *sum = malloc(sizeof(*sum));
	const struct imactl_mlog_entry *e;
	struct imactl_mlog *ml = NULL;
	char *text = malloc(tlen + 1), *saved = NULL;
	uint8_t *list = NULL;
	size_t llen = nul ? size - tlen - 1 : 0;
	int ret;

	if (!text || !sum)
		abort();
	memcpy(text, data, tlen);
	text[tlen] = 0;
	ret = imactl_mlog_verifier_resume(v, text);
	if (ret < 0 && ret != -EBADMSG && ret != -ESTALE)
		abort();
	if (ret < 0)
		goto out;
	list = malloc(llen ? llen : 1);
	if (!list)
		abort();
	memcpy(list, nul ? nul + 1 : data, llen);
	if (imactl_mlog_open_mem(NULL, list, llen, IMACTL_MLOG_FORMAT_AUTO, 0, &ml) < 0)
		abort();
	while (imactl_mlog_next(ml, &e, NULL) == 0 && e) {
		struct imactl_mlog_entry_result r;

		if (imactl_mlog_verifier_add(v, e, &r) < 0)
			abort();
	}
	imactl_mlog_verifier_summary(v, sum);
	if (imactl_mlog_verifier_save(v, &saved) == 0) {
		v2 = new_verifier();
		if (imactl_mlog_verifier_resume(v2, saved) < 0)
			abort(); /* the library cannot read what it wrote */
	}
out:
	free(saved);
	imactl_mlog_free(ml);
	imactl_mlog_verifier_free(v2);
	imactl_mlog_verifier_free(v);
	free(list);
	free(sum);
	free(text);
	return 0;
}
