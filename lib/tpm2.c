// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The TPM 2.0 commands the kernel's trusted keys leave to userspace (issue
 * 17): reading PCRs, the PolicyPCR digest a kmk is sealed under (a trial
 * session), and a policy session satisfied with TPM2_PolicyPCR whose handle
 * the kernel takes as policyhandle= when it unseals (Linux 6.1's
 * trusted_tpm2.c uses it with continueSession set, so the caller flushes it).
 * Through libtss2-esys on /dev/tpm0, not /dev/tpmrm0: the resource manager
 * flushes a connection's sessions when it closes and gives it virtual
 * handles the kernel could not use.  Without libtss2 (-Dtpm2=disabled)
 * every entry point fails with -EOPNOTSUPP and says so.
 */
#include "lib_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TPM_DEVICE "/dev/tpm0"

#if IMACTL_HAVE_TPM2

#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tcti_device.h>

struct tpm2 {
	ESYS_CONTEXT *esys;
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_TR session; /* the policy session handed to the kernel */
};

static int tss_err(struct imactl_ctx *ctx, const char *what, TSS2_RC rc)
{
	log_err(ctx, "%s: %s: %s", TPM_DEVICE, what, Tss2_RC_Decode(rc));
	return -EIO;
}

/* The device can be opened (else -errno with the cause logged). */
static int probe_device(struct imactl_ctx *ctx)
{
	int fd = open(TPM_DEVICE, O_RDWR | O_CLOEXEC), err;

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	err = errno;
	if (err == ENOENT || err == ENXIO || err == ENODEV)
		log_err(ctx, "%s: no TPM 2.0 device (a PCR policy needs one)", TPM_DEVICE);
	else if (err == EBUSY)
		log_err(ctx,
			"%s: in use by another process (a resource manager such as tpm2-abrmd?)",
			TPM_DEVICE);
	else
		log_err(ctx, "%s: %s", TPM_DEVICE, strerror(err));
	return err == ENXIO || err == ENOENT ? -ENODEV : -err;
}

int tpm2_open(struct imactl_ctx *ctx, struct tpm2 **t_ret)
{
	struct tpm2 *t = NULL;
	size_t size = 0;
	TSS2_RC rc;
	int ret;

	*t_ret = NULL;
	ret = probe_device(ctx);
	if (ret < 0)
		return ret;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->session = ESYS_TR_NONE;
	rc = Tss2_Tcti_Device_Init(NULL, &size, NULL);
	if (rc == TSS2_RC_SUCCESS) {
		t->tcti = calloc(1, size);
		if (!t->tcti) {
			free(t);
			return -ENOMEM;
		}
		rc = Tss2_Tcti_Device_Init(t->tcti, &size, TPM_DEVICE);
	}
	if (rc != TSS2_RC_SUCCESS) {
		ret = tss_err(ctx, "cannot open", rc);
		free(t->tcti);
		free(t);
		return ret;
	}
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		ret = tss_err(ctx, "Esys_Initialize", rc);
		Tss2_Tcti_Finalize(t->tcti);
		free(t->tcti);
		free(t);
		return ret;
	}
	*t_ret = t;
	return 0;
}

void tpm2_close(struct imactl_ctx *ctx, struct tpm2 *t)
{
	if (!t)
		return;
	tpm2_flush_session(ctx, t);
	Esys_Finalize(&t->esys);
	Tss2_Tcti_Finalize(t->tcti);
	free(t->tcti);
	free(t);
}

/* The selection of @mask in the sha256 bank. */
static void selection(uint32_t mask, TPML_PCR_SELECTION *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel->pcrSelections[0].sizeofSelect = 3;
	for (unsigned int i = 0; i < IMACTL_MLOG_NUM_PCRS; i++)
		if (mask & (1u << i))
			sel->pcrSelections[0].pcrSelect[i / 8] |= (uint8_t)(1u << (i % 8));
}

int tpm2_pcr_read(struct imactl_ctx *ctx, struct tpm2 *t, uint32_t mask,
		  struct imactl_pcr_bank *bank)
{
	memset(bank, 0, sizeof(*bank));
	bank->algo = IMACTL_HASH_SHA256;
	/* one PCR per command: a TPM returns at most 8 digests per read */
	for (unsigned int i = 0; i < IMACTL_MLOG_NUM_PCRS; i++) {
		TPML_PCR_SELECTION sel, *sel_out = NULL;
		TPML_DIGEST *values = NULL;
		TSS2_RC rc;

		if (!(mask & (1u << i)))
			continue;
		selection(1u << i, &sel);
		rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, NULL,
				   &sel_out, &values);
		if (rc != TSS2_RC_SUCCESS)
			return tss_err(ctx, "TPM2_PCR_Read", rc);
		if (values->count != 1 || values->digests[0].size != IMACTL_SHA256_SIZE) {
			log_err(ctx, "%s: PCR %u: the TPM has no sha256 bank allocated", TPM_DEVICE,
				i);
			Esys_Free(sel_out);
			Esys_Free(values);
			return -ENOENT;
		}
		memcpy(bank->pcr[i], values->digests[0].buffer, IMACTL_SHA256_SIZE);
		bank->known |= 1u << i;
		Esys_Free(sel_out);
		Esys_Free(values);
	}
	return 0;
}

static int start_session(struct imactl_ctx *ctx, struct tpm2 *t, TPM2_SE type, ESYS_TR *s)
{
	TPMT_SYM_DEF sym = { .algorithm = TPM2_ALG_NULL };
	TSS2_RC rc = Esys_StartAuthSession(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, ESYS_TR_NONE, NULL, type, &sym,
					   TPM2_ALG_SHA256, s);

	if (rc != TSS2_RC_SUCCESS)
		return tss_err(ctx, "TPM2_StartAuthSession", rc);
	return 0;
}

int tpm2_policy_pcr_digest(struct imactl_ctx *ctx, struct tpm2 *t,
			   const struct imactl_pcr_bank *bank, uint8_t policy[IMACTL_SHA256_SIZE])
{
	uint8_t concat[IMACTL_MLOG_NUM_PCRS * IMACTL_SHA256_SIZE];
	struct imactl_digest d;
	TPML_PCR_SELECTION sel;
	TPM2B_DIGEST pcr_digest = { .size = IMACTL_SHA256_SIZE }, *out = NULL;
	ESYS_TR s = ESYS_TR_NONE;
	size_t n = 0;
	TSS2_RC rc;
	int ret;

	/* TPM2_PolicyPCR's pcrDigest: the selected values in ascending order, hashed */
	for (unsigned int i = 0; i < IMACTL_MLOG_NUM_PCRS; i++)
		if (bank->known & (1u << i)) {
			memcpy(concat + n, bank->pcr[i], IMACTL_SHA256_SIZE);
			n += IMACTL_SHA256_SIZE;
		}
	ret = imactl_hash_buf(ctx, concat, n, IMACTL_HASH_SHA256, &d);
	if (ret < 0)
		return ret;
	memcpy(pcr_digest.buffer, d.bytes, IMACTL_SHA256_SIZE);
	selection(bank->known, &sel);
	ret = start_session(ctx, t, TPM2_SE_TRIAL, &s);
	if (ret < 0)
		return ret;
	rc = Esys_PolicyPCR(t->esys, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pcr_digest,
			    &sel);
	if (rc != TSS2_RC_SUCCESS) {
		ret = tss_err(ctx, "TPM2_PolicyPCR (trial)", rc);
		goto out;
	}
	rc = Esys_PolicyGetDigest(t->esys, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &out);
	if (rc != TSS2_RC_SUCCESS) {
		ret = tss_err(ctx, "TPM2_PolicyGetDigest", rc);
		goto out;
	}
	if (out->size != IMACTL_SHA256_SIZE) {
		log_err(ctx, "%s: a policy digest of %u bytes, not 32", TPM_DEVICE, out->size);
		ret = -EIO;
		goto out;
	}
	memcpy(policy, out->buffer, IMACTL_SHA256_SIZE);
out:
	Esys_Free(out);
	Esys_FlushContext(t->esys, s);
	return ret;
}

int tpm2_policy_pcr_session(struct imactl_ctx *ctx, struct tpm2 *t, uint32_t mask,
			    uint32_t *handle_ret)
{
	TPM2B_DIGEST now = { .size = 0 }; /* empty: the TPM takes the current values */
	TPML_PCR_SELECTION sel;
	TPM2_HANDLE handle;
	TSS2_RC rc;
	int ret;

	if (t->session != ESYS_TR_NONE)
		return -EBUSY;
	ret = start_session(ctx, t, TPM2_SE_POLICY, &t->session);
	if (ret < 0) {
		t->session = ESYS_TR_NONE;
		return ret;
	}
	selection(mask, &sel);
	rc = Esys_PolicyPCR(t->esys, t->session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &now,
			    &sel);
	if (rc != TSS2_RC_SUCCESS) {
		ret = tss_err(ctx, "TPM2_PolicyPCR", rc);
		tpm2_flush_session(ctx, t);
		return ret;
	}
	rc = Esys_TR_GetTpmHandle(t->esys, t->session, &handle);
	if (rc != TSS2_RC_SUCCESS) {
		ret = tss_err(ctx, "the session's TPM handle", rc);
		tpm2_flush_session(ctx, t);
		return ret;
	}
	*handle_ret = handle;
	return 0;
}

void tpm2_flush_session(struct imactl_ctx *ctx, struct tpm2 *t)
{
	TSS2_RC rc;

	if (t->session == ESYS_TR_NONE)
		return;
	rc = Esys_FlushContext(t->esys, t->session);
	if (rc != TSS2_RC_SUCCESS)
		log_warn(ctx, "%s: cannot flush the policy session: %s", TPM_DEVICE,
			 Tss2_RC_Decode(rc));
	t->session = ESYS_TR_NONE;
}

#else /* !IMACTL_HAVE_TPM2 */

int tpm2_open(struct imactl_ctx *ctx, struct tpm2 **t_ret)
{
	*t_ret = NULL;
	log_err(ctx, "this imactl was built without libtss2 (meson -Dtpm2): it cannot seal to "
		     "PCRs nor satisfy a PCR policy");
	return -EOPNOTSUPP;
}

void tpm2_close(struct imactl_ctx *ctx, struct tpm2 *t)
{
	(void)ctx;
	(void)t;
}

int tpm2_pcr_read(struct imactl_ctx *ctx, struct tpm2 *t, uint32_t mask,
		  struct imactl_pcr_bank *bank)
{
	(void)ctx;
	(void)t;
	(void)mask;
	(void)bank;
	return -EOPNOTSUPP;
}

int tpm2_policy_pcr_digest(struct imactl_ctx *ctx, struct tpm2 *t,
			   const struct imactl_pcr_bank *bank, uint8_t policy[IMACTL_SHA256_SIZE])
{
	(void)ctx;
	(void)t;
	(void)bank;
	(void)policy;
	return -EOPNOTSUPP;
}

int tpm2_policy_pcr_session(struct imactl_ctx *ctx, struct tpm2 *t, uint32_t mask,
			    uint32_t *handle_ret)
{
	(void)ctx;
	(void)t;
	(void)mask;
	(void)handle_ret;
	return -EOPNOTSUPP;
}

void tpm2_flush_session(struct imactl_ctx *ctx, struct tpm2 *t)
{
	(void)ctx;
	(void)t;
}

#endif
