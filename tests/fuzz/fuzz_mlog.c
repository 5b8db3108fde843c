// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the measurement-list reader (binary and ascii, both byte orders) and
 * feed what it decodes to the verifier: nothing may read past the input,
 * loop, or leave an entry whose pointers do not lie inside what was read.
 */
#include "imactl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inside(const struct imactl_mlog_entry *e)
{
	if (e->pcr >= IMACTL_MLOG_NUM_PCRS || e->nfields > IMACTL_MLOG_MAX_FIELDS ||
	    !e->template_name || e->raw_len == 0)
		abort();
	/* touch every byte the entry points at: ASan checks the bounds */
	for (unsigned int i = 0; i < e->nfields; i++)
		for (uint32_t k = 0; k < e->fields[i].len; k++)
			(void)*(volatile const uint8_t *)&e->fields[i].data[k];
	for (size_t k = 0; k < e->template_data_len; k++)
		(void)*(volatile const uint8_t *)&e->template_data[k];
	for (unsigned int k = 0; e->digest && k < e->digest_len; k++)
		(void)*(volatile const uint8_t *)&e->digest[k];
	for (size_t k = 0; e->sig && k < e->sig_len; k++)
		(void)*(volatile const uint8_t *)&e->sig[k];
	for (size_t k = 0; e->modsig && k < e->modsig_len; k++)
		(void)*(volatile const uint8_t *)&e->modsig[k];
	for (unsigned int k = 0; e->modsig_digest && k < e->modsig_digest_len; k++)
		(void)*(volatile const uint8_t *)&e->modsig_digest[k];
	if (e->path)
		(void)strlen(e->path);
}

#ifndef FUZZ_MLOG_OPEN
static int open_list(const uint8_t *buf, size_t size, int format, unsigned int flags,
		     struct imactl_mlog **ml)
{
	return imactl_mlog_open_mem(NULL, buf, size, format, flags, ml);
}
#endif

static void run(const uint8_t *buf, size_t size, int format, unsigned int flags)
{
	static const int banks[] = { IMACTL_HASH_SHA1, IMACTL_HASH_SHA256 };
	struct imactl_mlog_verify_params p = { .banks = banks, .nbanks = 2 };
	struct imactl_keyring *kr = NULL;
	struct imactl_mlog_verifier *v = NULL;
	struct imactl_mlog_summary *sum;
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	const char *why = NULL;
	unsigned int n = 0;
	int ret;

	if (open_list(buf, size, format, flags, &ml) < 0)
		abort();
	/* an empty keyring: every signature is parsed (then has no key) */
	if (imactl_keyring_new(NULL, &kr) < 0)
		abort();
	p.keyring = kr;
	if (imactl_mlog_verifier_new(NULL, &p, &v) < 0)
		abort();
	while ((ret = imactl_mlog_next(ml, &e, &why)) == 0 && e) {
		struct imactl_mlog_entry_result r;

		check_inside(e);
		if (imactl_mlog_verifier_add(v, e, &r) < 0)
			abort();
		if (++n > size + 1)
			abort(); /* more entries than bytes: a loop */
	}
	if (ret == -EBADMSG && !why)
		abort(); /* every refusal has a reason */
	sum = malloc(sizeof(*sum));
	if (sum && imactl_mlog_verifier_summary(v, sum) == 0 && sum->failed)
		abort(); /* a failed entry must fail the list */
	free(sum);
	imactl_mlog_verifier_free(v);
	imactl_keyring_free(kr);
	imactl_mlog_free(ml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size heap copy: ASan sees any read past the end */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	run(copy, size, IMACTL_MLOG_FORMAT_AUTO, 0);
	run(copy, size, IMACTL_MLOG_FORMAT_BINARY, IMACTL_MLOG_BIG_ENDIAN);
	run(copy, size, IMACTL_MLOG_FORMAT_ASCII, 0);
	free(copy);
	return 0;
}
