// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Verifying a measurement list: template hashes, PCR replay per bank,
 * signatures, comparison with the TPM's PCRs, boot_aggregate, and a saved
 * position for incremental runs.
 *
 * Kernel facts (security/integrity/ima/ima_crypto.c, ima_queue.c):
 *  - per bank, the template hash is H_bank(template data) and the PCR is
 *    extended as PCR = H_bank(PCR || template hash);
 *  - kernels before 5.8 extended every bank with the SHA-1 template hash
 *    zero-padded to the bank's size ("padded" here);
 *  - a violation is logged with an all-zero hash and extends 0xFF...;
 *  - boot_aggregate = H(PCR0 || ... || PCR7) for SHA-1, and over PCR0..9
 *    for other algorithms, from the bank of the digest's algorithm.
 */
#include "lib_private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BANKS 4
#define NPCR	  IMACTL_MLOG_NUM_PCRS

struct bank {
	int algo;
	unsigned int size;
	struct crypto_md *md;
	uint8_t pcr[NPCR][IMACTL_MAX_DIGEST_SIZE];
	uint8_t pad[NPCR][IMACTL_MAX_DIGEST_SIZE]; /* legacy padded replay */
	uint64_t matched_at[NPCR];
	uint64_t first_after[NPCR]; /* the first entry on the PCR after its match */
	uint32_t matched;	    /* bit per PCR */
	uint32_t matched_padded;
	const struct imactl_pcr_bank *tpm; /* points into v->tpm[] or NULL */
};

struct snapshot {
	uint64_t count;
	uint64_t offset;
	struct crypto_hash *bytes;
	uint8_t pcr[MAX_BANKS][NPCR][IMACTL_MAX_DIGEST_SIZE];
	uint8_t pad[MAX_BANKS][NPCR][IMACTL_MAX_DIGEST_SIZE];
};

struct imactl_mlog_verifier {
	struct imactl_ctx *ctx;
	const struct imactl_keyring *keyring;
	unsigned int flags;
	unsigned int target_bits; /* evm-sig: 64, 32, 0 either */
	struct bank bank[MAX_BANKS];
	unsigned int nbanks;
	struct crypto_md *sha1; /* template hash check */
	struct crypto_verify_cache *vcache;
	struct imactl_pcr_bank tpm[MAX_BANKS];
	unsigned int ntpm;
	uint32_t used;		 /* PCRs reported (10, and every one the list extends) */
	uint32_t extended;	 /* PCRs the list extends */
	uint64_t first_on[NPCR]; /* the first entry on each PCR (after a resumed state) */
	struct imactl_mlog_summary sum;
	bool have_boot_aggregate;
	int ba_algo;
	uint8_t ba_digest[IMACTL_MAX_DIGEST_SIZE];
	unsigned int ba_len;
	/* incremental */
	struct crypto_hash *bytes;
	uint64_t offset;
	/* the position at each count where some PCR matched, ascending */
	struct snapshot *snaps;
	unsigned int nsnaps;
	uint8_t binding[32]; /* SHA-256 of what the state is bound to */
	bool bound;
	uint64_t skip; /* entries covered by the resumed state */
	uint8_t skip_hash[32];
	bool rewritten;
	struct snapshot resume; /* PCRs from the state */
};

static const int bank_algos[] = { IMACTL_HASH_SHA1, IMACTL_HASH_SHA256, IMACTL_HASH_SHA384,
				  IMACTL_HASH_SHA512 };

static bool is_bank_algo(int algo)
{
	for (size_t i = 0; i < ARRAY_SIZE(bank_algos); i++)
		if (bank_algos[i] == algo)
			return true;
	return false;
}

/* A prefetched hash of @algo for one-shot digests; logs when it is not available. */
static int md_new(const struct imactl_ctx *ctx, int algo, struct crypto_md **m_ret)
{
	int ret = crypto_md_new(algo, m_ret);

	if (ret < 0)
		imactl_log_crypto(ctx, IMACTL_LOG_ERR, "hash algorithm %d is not available", algo);
	return ret;
}

IMACTL_EXPORT int imactl_mlog_verifier_new(struct imactl_ctx *ctx,
					   const struct imactl_mlog_verify_params *p,
					   struct imactl_mlog_verifier **v_ret)
{
	struct imactl_mlog_verifier *v;
	int ret;

	if (p && PARAMS_RESERVED_CHECK(ctx, p, "imactl_mlog_verify_params") < 0)
		return -EINVAL;
	if (!p || !p->banks || p->nbanks == 0 || p->nbanks > MAX_BANKS ||
	    (p->flags & ~IMACTL_MLOG_IGNORE_VIOLATIONS) ||
	    (p->target_bits != 0 && p->target_bits != 32 && p->target_bits != 64))
		return -EINVAL;
	for (unsigned int i = 0; i < p->nbanks; i++) {
		if (!is_bank_algo(p->banks[i]))
			return -EINVAL;
		for (unsigned int j = 0; j < i; j++)
			if (p->banks[i] == p->banks[j])
				return -EINVAL;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->ctx = ctx;
	v->keyring = p->keyring;
	v->flags = p->flags;
	v->target_bits = p->target_bits;
	v->sum.boot_aggregate = -ENODATA;
	v->used = 1u << 10; /* IMA's PCR: compared even when the list is empty */
	ret = md_new(ctx, IMACTL_HASH_SHA1, &v->sha1);
	if (ret < 0)
		goto fail;
	ret = crypto_verify_cache_new(&v->vcache);
	if (ret < 0)
		goto fail;
	for (unsigned int i = 0; i < p->nbanks; i++) {
		struct bank *b = &v->bank[i];

		b->algo = p->banks[i];
		b->size = imactl_hash_algo_size(b->algo);
		ret = md_new(ctx, b->algo, &b->md);
		if (ret < 0)
			goto fail;
		v->nbanks++;
	}
	*v_ret = v;
	return 0;
fail:
	imactl_mlog_verifier_free(v);
	return ret;
}

IMACTL_EXPORT void imactl_mlog_verifier_free(struct imactl_mlog_verifier *v)
{
	if (!v)
		return;
	for (unsigned int i = 0; i < v->nbanks; i++)
		crypto_md_free(v->bank[i].md);
	crypto_md_free(v->sha1);
	crypto_verify_cache_free(v->vcache);
	crypto_hash_free(v->bytes);
	for (unsigned int i = 0; i < v->nsnaps; i++)
		crypto_hash_free(v->snaps[i].bytes);
	free(v->snaps);
	free(v);
}

static const struct imactl_pcr_bank *tpm_bank(const struct imactl_mlog_verifier *v, int algo)
{
	for (unsigned int i = 0; i < v->ntpm; i++)
		if (v->tpm[i].algo == algo)
			return &v->tpm[i];
	return NULL;
}

/* The digest of what @h has taken so far; @h goes on. */
static int hash_so_far(const struct crypto_hash *h, struct imactl_digest *d)
{
	struct crypto_hash *copy = NULL;
	int ret = crypto_hash_dup(h, &copy);

	if (ret == 0)
		ret = crypto_hash_final(copy, d);
	crypto_hash_free(copy);
	return ret;
}

/*
 * Keeps the position after @count entries.  Called where some PCR matched
 * (at most once per bank and PCR, so a bounded number of times) and, with
 * nothing to compare, at the end: the state is saved at the last of them
 * that every entry before it is attested.
 */
static int take_snapshot(struct imactl_mlog_verifier *v, uint64_t count)
{
	struct snapshot *s;
	int ret;

	if (v->nsnaps && v->snaps[v->nsnaps - 1].count >= count)
		return 0;
	if (v->nsnaps % 8 == 0) {
		s = realloc(v->snaps, (v->nsnaps + 8) * sizeof(*s));
		if (!s)
			return -ENOMEM;
		v->snaps = s;
	}
	s = &v->snaps[v->nsnaps];
	memset(s, 0, sizeof(*s));
	if (v->bytes) {
		ret = crypto_hash_dup(v->bytes, &s->bytes);
		if (ret < 0)
			return ret;
	}
	s->count = count;
	s->offset = v->offset;
	for (unsigned int i = 0; i < v->nbanks; i++) {
		memcpy(s->pcr[i], v->bank[i].pcr, sizeof(v->bank[i].pcr));
		memcpy(s->pad[i], v->bank[i].pad, sizeof(v->bank[i].pad));
	}
	v->nsnaps++;
	return 0;
}

/* Records where the replayed value of PCR @p first equals the known one. */
static int check_match(struct imactl_mlog_verifier *v, unsigned int p, uint64_t count)
{
	bool any = false;

	for (unsigned int i = 0; i < v->nbanks; i++) {
		struct bank *b = &v->bank[i];

		if (!b->tpm || !(b->tpm->known & (1u << p)) || (b->matched & (1u << p)))
			continue;
		if (!memcmp(b->pcr[p], b->tpm->pcr[p], b->size)) {
			b->matched |= 1u << p;
		} else if (b->algo != IMACTL_HASH_SHA1 &&
			   !memcmp(b->pad[p], b->tpm->pcr[p], b->size)) {
			b->matched |= 1u << p;
			b->matched_padded |= 1u << p;
		} else {
			continue;
		}
		b->matched_at[p] = count;
		any = true;
	}
	return any ? take_snapshot(v, count) : 0;
}

/* Entry @n extends PCR @p: the first one after each bank's match is noted. */
static void note_extend(struct imactl_mlog_verifier *v, unsigned int p, uint64_t n)
{
	v->extended |= 1u << p;
	if (n <= v->skip)
		return; /* attested by the run that saved the state */
	if (!v->first_on[p])
		v->first_on[p] = n;
	for (unsigned int i = 0; i < v->nbanks; i++) {
		struct bank *b = &v->bank[i];

		if ((b->matched & (1u << p)) && !b->first_after[p])
			b->first_after[p] = n;
	}
}

IMACTL_EXPORT int imactl_mlog_verifier_set_pcrs(struct imactl_mlog_verifier *v,
						const struct imactl_pcr_bank *pb)
{
	struct imactl_pcr_bank *t;

	if (!pb || !is_bank_algo(pb->algo))
		return -EINVAL;
	t = (struct imactl_pcr_bank *)tpm_bank(v, pb->algo);
	if (!t) {
		if (v->ntpm == MAX_BANKS)
			return -EINVAL;
		t = &v->tpm[v->ntpm++];
	}
	*t = *pb;
	for (unsigned int i = 0; i < v->nbanks; i++)
		if (v->bank[i].algo == pb->algo)
			v->bank[i].tpm = t;
	return 0;
}

IMACTL_EXPORT int imactl_mlog_verifier_track_bytes(struct imactl_mlog_verifier *v)
{
	if (v->bytes || v->sum.entries)
		return -EINVAL;
	return hash_new(v->ctx, IMACTL_HASH_SHA256, &v->bytes);
}

static void extend_all(struct imactl_mlog_verifier *v, unsigned int p, const uint8_t *value_sha1,
		       const uint8_t *data, size_t len, bool violation, int *err)
{
	uint8_t th[IMACTL_MAX_DIGEST_SIZE], ff[IMACTL_MAX_DIGEST_SIZE];

	memset(ff, 0xff, sizeof(ff));
	for (unsigned int i = 0; i < v->nbanks; i++) {
		struct bank *b = &v->bank[i];
		const uint8_t *val;

		if (violation) {
			val = ff;
		} else if (b->algo == IMACTL_HASH_SHA1 || !data) {
			memset(th, 0, sizeof(th));
			memcpy(th, value_sha1, 20);
			val = th;
		} else {
			if (crypto_md_digest2(b->md, data, len, NULL, 0, th) < 0)
				*err = -EIO;
			val = th;
		}
		if (crypto_md_digest2(b->md, b->pcr[p], b->size, val, b->size, b->pcr[p]) < 0)
			*err = -EIO;
		if (b->algo == IMACTL_HASH_SHA1)
			continue;
		if (!violation) {
			memset(th, 0, sizeof(th));
			memcpy(th, value_sha1, 20);
			val = th;
		}
		if (crypto_md_digest2(b->md, b->pad[p], b->size, val, b->size, b->pad[p]) < 0)
			*err = -EIO;
	}
}

static const struct imactl_mlog_field *field_by_id(const struct imactl_mlog_entry *e,
						   const char *id)
{
	for (unsigned int i = 0; i < e->nfields; i++)
		if (e->fields[i].id && !strcmp(e->fields[i].id, id))
			return &e->fields[i];
	return NULL;
}

/* The outcome of a verification by the library's convention. */
static enum imactl_mlog_sig_status sig_status(int ret)
{
	if (ret == 0)
		return IMACTL_MLOG_SIG_GOOD;
	if (ret == -ENOKEY)
		return IMACTL_MLOG_SIG_UNKNOWN_KEY;
	if (ret == -EOPNOTSUPP)
		return IMACTL_MLOG_SIG_UNSUPPORTED;
	return IMACTL_MLOG_SIG_BAD;
}

/*
 * struct h_misc { unsigned long ino; u32 generation; uid_t uid; gid_t gid;
 * unsigned short mode; } of the target, ino and generation zero for
 * portable signatures: 24 bytes on a 64-bit target, 20 on a 32-bit one.
 */
static size_t evm_h_misc(unsigned int bits, const struct imactl_mlog_field *uid,
			 const struct imactl_mlog_field *gid, const struct imactl_mlog_field *mode,
			 uint8_t misc[24])
{
	size_t off = bits == 32 ? 8 : 12;

	memset(misc, 0, 24);
	memcpy(misc + off, uid->data, 4);
	memcpy(misc + off + 4, gid->data, 4);
	memcpy(misc + off + 8, mode->data, 2);
	return off + 12;
}

/*
 * evm-sig: the EVM portable signature covers H(the protected xattr values,
 * in the kernel's order, as xattrvalues holds them || struct h_misc) - no
 * fs UUID for portable ones (security/integrity/evm/evm_crypto.c); the
 * integers in the list's byte order.  The list does not say the word size
 * of the system that wrote it: v->target_bits, or both layouts.
 */
static enum imactl_mlog_sig_status check_evmsig(struct imactl_mlog_verifier *v,
						const struct imactl_mlog_entry *e, uint32_t *keyid)
{
	static const unsigned int layouts[] = { 64, 32 };
	const struct imactl_mlog_field *vals = field_by_id(e, "xattrvalues"),
				       *uid = field_by_id(e, "iuid"), *gid = field_by_id(e, "igid"),
				       *mode = field_by_id(e, "imode");
	const uint8_t *s = e->evmsig;
	struct crypto_md *md = NULL;
	struct imactl_digest d;
	uint8_t misc[24];
	int ret = -EBADMSG;

	if (e->evmsig_len >= 7)
		*keyid = get_be32(s + 3);
	if (s[0] != IMACTL_XATTR_EVM_PORTABLE || e->evmsig_len < 9 || !vals || !uid ||
	    uid->len != 4 || !gid || gid->len != 4 || !mode || mode->len != 2)
		return IMACTL_MLOG_SIG_UNSUPPORTED;
	memset(&d, 0, sizeof(d));
	d.algo = s[2];
	if (imactl_hash_algo_size(d.algo) <= 0 || md_new(v->ctx, d.algo, &md) < 0)
		return IMACTL_MLOG_SIG_BAD;
	d.len = imactl_hash_algo_size(d.algo);
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
		size_t misc_len;

		if (v->target_bits && v->target_bits != layouts[i])
			continue;
		misc_len = evm_h_misc(layouts[i], uid, gid, mode, misc);
		if (crypto_md_digest2(md, vals->data, vals->len, misc, misc_len, d.bytes) < 0) {
			ret = -EIO;
			break;
		}
		ret = imactl_verify_digest(v->ctx, v->keyring, s, e->evmsig_len, &d, keyid);
		if (ret == 0 || ret == -ENOKEY)
			break;
	}
	crypto_md_free(md);
	return sig_status(ret == -EOPNOTSUPP ? -EBADMSG : ret);
}

/*
 * ima-modsig: the appended signature (PKCS#7) over d-modsig, the digest of
 * the file without it; see lib/crypto_pkcs7.c for what the kernel checks.
 */
static enum imactl_mlog_sig_status check_modsig(struct imactl_mlog_verifier *v,
						const struct imactl_mlog_entry *e, uint32_t *keyid,
						const char **why)
{
	struct imactl_digest d;

	if (!e->modsig_digest ||
	    imactl_hash_algo_size(e->modsig_digest_algo) != (int)e->modsig_digest_len) {
		*why = "an appended signature without its d-modsig digest";
		return IMACTL_MLOG_SIG_BAD;
	}
	memset(&d, 0, sizeof(d));
	d.algo = e->modsig_digest_algo;
	d.len = e->modsig_digest_len;
	memcpy(d.bytes, e->modsig_digest, d.len);
	return sig_status(
		crypto_modsig_verify(v->ctx, v->keyring, e->modsig, e->modsig_len, &d, keyid, why));
}

/* The signature header v2: type, version, algo, keyid (be32), size (be16). */
enum imactl_mlog_sig_status mlog_xattr_sig_status(struct imactl_ctx *ctx,
						  const struct imactl_keyring *kr,
						  struct crypto_verify_cache *vc,
						  const struct imactl_mlog_entry *e,
						  uint32_t *keyid)
{
	struct imactl_digest d;
	const struct imactl_cert *cert;
	const uint8_t *s = e->sig;
	int ret;

	if (e->sig_len >= 7)
		*keyid = get_be32(s + 3);
	if (s[0] == IMACTL_XATTR_EVM_PORTABLE)
		return IMACTL_MLOG_SIG_UNSUPPORTED; /* over EVM data, not in the log */
	if (!e->digest || imactl_hash_algo_size(e->digest_algo) != (int)e->digest_len)
		return IMACTL_MLOG_SIG_BAD;
	memset(&d, 0, sizeof(d));
	d.algo = e->digest_algo;
	d.len = e->digest_len;
	memcpy(d.bytes, e->digest, e->digest_len);
	if (s[0] == IMACTL_XATTR_DIGSIG && e->sig_len >= 9 && s[1] == 2 &&
	    (size_t)(s[7] << 8 | s[8]) == e->sig_len - 9) {
		/* the common case, with the verify context kept */
		if (s[2] != e->digest_algo)
			return IMACTL_MLOG_SIG_BAD;
		cert = imactl_keyring_find(kr, *keyid);
		if (!cert)
			return IMACTL_MLOG_SIG_UNKNOWN_KEY;
		ret = crypto_verify_cached(ctx_crypto(ctx), vc, cert, &d, s + 9, e->sig_len - 9);
	} else {
		ret = imactl_verify_digest(ctx, kr, s, e->sig_len, &d, keyid);
	}
	return sig_status(ret == -EOPNOTSUPP ? -EBADMSG : ret);
}

static enum imactl_mlog_sig_status
check_xattr_sig(struct imactl_mlog_verifier *v, const struct imactl_mlog_entry *e, uint32_t *keyid)
{
	return mlog_xattr_sig_status(v->ctx, v->keyring, v->vcache, e, keyid);
}

/* bad, then unknown key, then not checkable win over good; unsigned last */
static int sig_rank(enum imactl_mlog_sig_status s)
{
	switch (s) {
	case IMACTL_MLOG_SIG_BAD:
		return 5;
	case IMACTL_MLOG_SIG_UNKNOWN_KEY:
		return 4;
	case IMACTL_MLOG_SIG_UNSUPPORTED:
		return 3;
	case IMACTL_MLOG_SIG_GOOD:
		return 2;
	default:
		return 1;
	}
}

/*
 * Every signature of the entry: sig (a security.ima value), modsig (the
 * appended one; ima-modsig has both fields, either may be empty), evmsig.
 * The entry gets the worst outcome; *@why names a modsig failure.
 */
static enum imactl_mlog_sig_status check_sig(struct imactl_mlog_verifier *v,
					     const struct imactl_mlog_entry *e, uint32_t *keyid,
					     const char **why)
{
	enum imactl_mlog_sig_status st = IMACTL_MLOG_SIG_UNSIGNED, m;
	uint32_t mkeyid = 0;

	if (e->sig)
		st = check_xattr_sig(v, e, keyid);
	else if (e->evmsig)
		st = check_evmsig(v, e, keyid);
	if (e->modsig) {
		const char *mwhy = NULL;

		m = check_modsig(v, e, &mkeyid, &mwhy);
		if (sig_rank(m) > sig_rank(st)) {
			st = m;
			*keyid = mkeyid;
			*why = mwhy;
		}
	}
	return st;
}

static bool has_sig_field(const struct imactl_mlog_entry *e)
{
	for (unsigned int i = 0; i < e->nfields; i++)
		if (e->fields[i].id &&
		    (!strcmp(e->fields[i].id, "sig") || !strcmp(e->fields[i].id, "evmsig") ||
		     !strcmp(e->fields[i].id, "modsig")))
			return true;
	return false;
}

static void fail_entry(struct imactl_mlog_entry_result *r, const char *why)
{
	if (r->status == 0) {
		r->status = -EBADMSG;
		r->reason = why;
	}
}

/* Entries covered by a resumed state: only hashed, compared at the end. */
static int skip_entry(struct imactl_mlog_verifier *v, const struct imactl_mlog_entry *e,
		      struct imactl_mlog_entry_result *r)
{
	struct imactl_digest d;
	int ret;

	r->template_hash_ok = true;
	if (e->number < v->skip)
		return 0;
	ret = hash_so_far(v->bytes, &d);
	if (ret < 0)
		return ret;
	if (d.len != 32 || memcmp(d.bytes, v->skip_hash, 32)) {
		v->rewritten = true;
		fail_entry(r, "the list was rewritten since the state was saved");
		v->sum.failed++;
		return 0;
	}
	/* continue from the saved PCRs */
	for (unsigned int i = 0; i < v->nbanks; i++) {
		memcpy(v->bank[i].pcr, v->resume.pcr[i], sizeof(v->bank[i].pcr));
		memcpy(v->bank[i].pad, v->resume.pad[i], sizeof(v->bank[i].pad));
	}
	for (unsigned int p = 0; p < NPCR; p++)
		if (v->used & (1u << p)) {
			ret = check_match(v, p, e->number);
			if (ret < 0)
				return ret;
		}
	return 0;
}

/*
 * Counts @e in and feeds its raw bytes to the list's running hash (for a
 * saved state); before the first entry, a TPM value still all zero means
 * the whole list is ahead of it.  0, -errno.
 */
static int account_entry(struct imactl_mlog_verifier *v, const struct imactl_mlog_entry *e)
{
	int ret;

	if (v->sum.entries == 0 && !v->skip) {
		for (unsigned int p = 0; p < NPCR; p++)
			if ((ret = check_match(v, p, 0)) < 0)
				return ret;
	}
	v->sum.entries++;
	v->used |= 1u << e->pcr;
	note_extend(v, e->pcr, e->number);
	if (v->bytes) {
		ret = crypto_hash_update(v->bytes, e->raw, e->raw_len);
		if (ret < 0)
			return ret;
		v->offset += e->raw_len;
	}
	return 0;
}

/* Checks @e's template hash and extends its PCR in every bank.  0, -errno. */
static int replay_entry(struct imactl_mlog_verifier *v, const struct imactl_mlog_entry *e,
			struct imactl_mlog_entry_result *r)
{
	uint8_t th[20];
	int err = 0;

	if (e->violation) {
		v->sum.violations++;
		if (!(v->flags & IMACTL_MLOG_IGNORE_VIOLATIONS))
			fail_entry(r, "measurement violation (the file was open for writing or "
				      "changed while measured)");
		extend_all(v, e->pcr, NULL, NULL, 0, true, &err);
	} else if (!e->template_data) {
		fail_entry(r, "unknown template in an ascii list: its hash cannot be checked (use "
			      "the binary list)");
		extend_all(v, e->pcr, e->template_hash, NULL, 0, false, &err);
	} else {
		if (crypto_md_digest2(v->sha1, e->template_data, e->template_data_len, NULL, 0,
				      th) < 0)
			return -EIO;
		r->template_hash_ok = !memcmp(th, e->template_hash, 20);
		if (!r->template_hash_ok)
			fail_entry(r, "template hash does not match the template data");
		extend_all(v, e->pcr, e->template_hash, e->template_data, e->template_data_len,
			   false, &err);
	}
	return err;
}

/* The first boot_aggregate entry's digest, kept for the boot PCRs' check. */
static void note_boot_aggregate(struct imactl_mlog_verifier *v, const struct imactl_mlog_entry *e)
{
	if (e->path && !v->have_boot_aggregate && e->digest && !strcmp(e->path, "boot_aggregate") &&
	    e->digest_len <= IMACTL_MAX_DIGEST_SIZE) {
		v->have_boot_aggregate = true;
		v->ba_algo = e->digest_algo;
		v->ba_len = e->digest_len;
		memcpy(v->ba_digest, e->digest, e->digest_len);
	}
}

/* @e's file signature against the keyring, counted and, when bad, failed. */
static void judge_signature(struct imactl_mlog_verifier *v, const struct imactl_mlog_entry *e,
			    struct imactl_mlog_entry_result *r)
{
	const char *why = NULL;

	r->sig = check_sig(v, e, &r->keyid, &why);
	switch (r->sig) {
	case IMACTL_MLOG_SIG_GOOD:
		v->sum.sig_good++;
		break;
	case IMACTL_MLOG_SIG_BAD:
		v->sum.sig_bad++;
		fail_entry(r, why ? why : "bad signature");
		break;
	case IMACTL_MLOG_SIG_UNKNOWN_KEY:
		v->sum.sig_unknown_key++;
		fail_entry(r, why ? why : "signed by an unknown key");
		break;
	case IMACTL_MLOG_SIG_UNSIGNED:
		v->sum.sig_unsigned++;
		break;
	case IMACTL_MLOG_SIG_UNSUPPORTED:
		v->sum.sig_unsupported++;
		break;
	case IMACTL_MLOG_SIG_NOT_CHECKED:
		break;
	}
}

IMACTL_EXPORT int imactl_mlog_verifier_add(struct imactl_mlog_verifier *v,
					   const struct imactl_mlog_entry *e,
					   struct imactl_mlog_entry_result *r)
{
	int ret;

	if (!e || !r || e->pcr >= NPCR)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	ret = account_entry(v, e);
	if (ret < 0)
		return ret;
	if (e->number <= v->skip && !v->rewritten)
		return skip_entry(v, e, r);
	if (v->rewritten) {
		fail_entry(r, "the list was rewritten since the state was saved");
		v->sum.failed++;
		return 0;
	}
	ret = replay_entry(v, e, r);
	if (ret < 0)
		return ret;
	note_boot_aggregate(v, e);
	if (v->keyring && !e->violation && has_sig_field(e))
		judge_signature(v, e, r);
	if (r->status)
		v->sum.failed++;
	return check_match(v, e->pcr, e->number);
}

static int check_boot_aggregate(struct imactl_mlog_verifier *v)
{
	const struct imactl_pcr_bank *t = tpm_bank(v, v->ba_algo);
	unsigned int n = v->ba_algo == IMACTL_HASH_SHA1 ? 8 : 10;
	struct crypto_md *md = NULL;
	uint8_t buf[10 * IMACTL_MAX_DIGEST_SIZE], out[IMACTL_MAX_DIGEST_SIZE];
	int size = imactl_hash_algo_size(v->ba_algo), ret;

	if (!v->have_boot_aggregate || !t || size <= 0 ||
	    (t->known & ((1u << n) - 1)) != (1u << n) - 1)
		return -ENODATA;
	for (unsigned int i = 0; i < n; i++)
		memcpy(buf + i * size, t->pcr[i], size);
	ret = md_new(v->ctx, v->ba_algo, &md);
	if (ret < 0)
		return ret;
	ret = crypto_md_digest2(md, buf, n * size, NULL, 0, out);
	crypto_md_free(md);
	if (ret < 0)
		return ret;
	if ((unsigned int)size != v->ba_len || memcmp(out, v->ba_digest, size))
		return -EBADMSG;
	return 0;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * One bank's PCR @p against the known value: compared when there is one;
 * matched when some prefix of the list gave it - but a value still all
 * zero (the empty prefix) while the list extends the PCR is a mismatch:
 * the TPM saw none of those entries.
 */
static void pcr_result(const struct imactl_mlog_verifier *v, const struct bank *b, unsigned int p,
		       struct imactl_mlog_pcr_result *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->algo = b->algo;
	pr->pcr = p;
	pr->extended = v->extended & (1u << p);
	pr->padded = b->matched_padded & (1u << p);
	memcpy(pr->replayed, pr->padded ? b->pad[p] : b->pcr[p], b->size);
	pr->compared = b->tpm && (b->tpm->known & (1u << p));
	if (!pr->compared)
		return;
	memcpy(pr->known, b->tpm->pcr[p], b->size);
	pr->matched = b->matched & (1u << p);
	pr->matched_at = b->matched_at[p];
	if (pr->matched && pr->extended && pr->matched_at == 0 && all_zero(pr->known, b->size)) {
		pr->matched = false;
		pr->zero = true;
	}
}

/*
 * The entries attested: the longest prefix of the list whose every entry
 * lies at or before its own PCR's match point in every compared bank.  An
 * entry on a PCR that no bank could compare, or that did not match, ends it.
 */
static uint64_t attested_prefix(const struct imactl_mlog_verifier *v,
				const struct imactl_mlog_summary *s)
{
	uint64_t end = v->sum.entries + 1; /* the first entry not attested */

	for (unsigned int p = 0; p < NPCR; p++) {
		bool compared = false, ok = true;
		uint64_t first = 0;

		if (!(v->extended & (1u << p)) || !v->first_on[p])
			continue;
		for (unsigned int i = 0; i < s->npcrs; i++) {
			const struct imactl_mlog_pcr_result *pr = &s->pcrs[i];
			const struct bank *b = NULL;

			if (pr->pcr != p || !pr->compared)
				continue;
			compared = true;
			for (unsigned int k = 0; k < v->nbanks; k++)
				if (v->bank[k].algo == pr->algo)
					b = &v->bank[k];
			if (!pr->matched) {
				ok = false;
			} else if (b->first_after[p] && (!first || b->first_after[p] < first)) {
				first = b->first_after[p];
			}
		}
		if (!compared || !ok)
			first = v->first_on[p];
		if (first && first < end)
			end = first;
	}
	return end - 1;
}

IMACTL_EXPORT int imactl_mlog_verifier_summary(struct imactl_mlog_verifier *v,
					       struct imactl_mlog_summary *s)
{
	int ret;

	v->sum.npcrs = 0;
	v->sum.pcrs_ok = true;
	v->sum.pcrs_given = v->ntpm > 0;
	v->sum.uncompared = 0;
	v->sum.attested = 0;
	/* an empty list: the known values are compared with the empty prefix */
	for (unsigned int p = 0; p < NPCR && !v->sum.entries && !v->skip; p++)
		if ((ret = check_match(v, p, 0)) < 0)
			return ret;
	if (v->skip && v->sum.entries < v->skip && !v->rewritten) {
		v->rewritten = true;
		v->sum.failed++;
	}
	for (unsigned int i = 0; i < v->nbanks; i++) {
		for (unsigned int p = 0; p < NPCR; p++) {
			struct imactl_mlog_pcr_result *pr;

			if (!(v->used & (1u << p)))
				continue;
			pr = &v->sum.pcrs[v->sum.npcrs++];
			pcr_result(v, &v->bank[i], p, pr);
			if (pr->compared && !pr->matched)
				v->sum.pcrs_ok = false;
			/* with values given, every PCR the list extends is compared */
			if (v->sum.pcrs_given && pr->extended && !pr->compared)
				v->sum.uncompared++;
		}
	}
	if (v->sum.pcrs_given)
		v->sum.attested = attested_prefix(v, &v->sum);
	ret = check_boot_aggregate(v);
	if (ret < 0 && ret != -EBADMSG && ret != -ENODATA)
		return ret;
	v->sum.boot_aggregate = ret;
	*s = v->sum;
	if (v->sum.failed || !v->sum.pcrs_ok || v->sum.uncompared ||
	    v->sum.boot_aggregate == -EBADMSG || v->rewritten)
		return -EBADMSG;
	/* PCRs given and entries to check, but none attested: never OK */
	if (v->sum.pcrs_given && v->sum.entries > v->skip && v->sum.attested == 0)
		return -EBADMSG;
	return 0;
}

IMACTL_EXPORT uint64_t imactl_mlog_verifier_resumed(const struct imactl_mlog_verifier *v)
{
	return v->skip;
}

/* ---- saved state ------------------------------------------------------- */

/*
 * Version 2: "bound" is the SHA-256 of what the caller bound the verifier
 * to (the list and the PCR source); version 1 had no binding and saved the
 * position of the last match of any PCR, which could cover entries no PCR
 * attested: it is refused.
 */
#define STATE_MAGIC "imactl-mlog-state 2"

IMACTL_EXPORT int imactl_mlog_verifier_bind(struct imactl_mlog_verifier *v, const char *identity)
{
	struct imactl_digest d;
	int ret;

	if (!identity || v->sum.entries)
		return -EINVAL;
	ret = imactl_hash_buf(v->ctx, identity, strlen(identity), IMACTL_HASH_SHA256, &d);
	if (ret < 0)
		return ret;
	memcpy(v->binding, d.bytes, 32);
	v->bound = true;
	return 0;
}

/*
 * The position to save: with PCR values, the last snapshot within the
 * attested prefix (saving fewer entries is safe: the next run checks them
 * again); without, every entry (a position for verification only).
 */
static int state_snapshot(struct imactl_mlog_verifier *v, const struct snapshot **s_ret)
{
	struct imactl_mlog_summary *sum = NULL;
	uint64_t attested;
	int ret;

	if (!v->ntpm) {
		ret = take_snapshot(v, v->sum.entries);
		if (ret < 0)
			return ret;
		*s_ret = &v->snaps[v->nsnaps - 1];
		return v->snaps[v->nsnaps - 1].count == v->sum.entries ? 0 : -EBADMSG;
	}
	sum = malloc(sizeof(*sum));
	if (!sum)
		return -ENOMEM;
	ret = imactl_mlog_verifier_summary(v, sum);
	attested = sum->attested;
	free(sum);
	if (ret < 0)
		return ret;
	for (unsigned int i = v->nsnaps; i-- > 0;)
		if (v->snaps[i].count <= attested && (v->snaps[i].count || !v->sum.entries)) {
			*s_ret = &v->snaps[i];
			return 0;
		}
	return -EBADMSG; /* nothing attested */
}

IMACTL_EXPORT int imactl_mlog_verifier_save(struct imactl_mlog_verifier *v, char **text_ret)
{
	struct imactl_digest d;
	char *text, *p, hex1[2 * IMACTL_MAX_DIGEST_SIZE + 1], hex2[sizeof(hex1)];
	const struct snapshot *s = NULL;
	size_t size;
	int ret;

	if (!v->bytes)
		return -EINVAL;
	ret = state_snapshot(v, &s);
	if (ret < 0)
		return ret;
	ret = hash_so_far(s->bytes, &d);
	if (ret < 0)
		return ret;
	size = 512 + (size_t)v->nbanks * NPCR * (40 + 4 * IMACTL_MAX_DIGEST_SIZE);
	text = malloc(size);
	if (!text)
		return -ENOMEM;
	p = text;
	hex_encode(hex1, d.bytes, 32);
	p += sprintf(p, STATE_MAGIC "\nentries %llu\noffset %llu\nbytes-sha256 %s\nused %lu\n",
		     (unsigned long long)s->count, (unsigned long long)s->offset, hex1,
		     (unsigned long)v->used);
	hex_encode(hex1, v->binding, v->bound ? 32 : 0);
	p += sprintf(p, "bound %s\n", v->bound ? hex1 : "-");
	for (unsigned int i = 0; i < v->nbanks; i++)
		for (unsigned int pc = 0; pc < NPCR; pc++) {
			if (!(v->used & (1u << pc)))
				continue;
			hex_encode(hex1, s->pcr[i][pc], v->bank[i].size);
			hex_encode(hex2, s->pad[i][pc], v->bank[i].size);
			p += sprintf(p, "pcr %s %u %s %s\n", imactl_hash_algo_name(v->bank[i].algo),
				     pc, hex1, hex2);
		}
	*text_ret = text;
	return 0;
}

IMACTL_EXPORT int imactl_mlog_verifier_resume(struct imactl_mlog_verifier *v, const char *text)
{
	unsigned long long count = 0, offset = 0;
	unsigned long used = 0;
	uint32_t seen[MAX_BANKS] = { 0 };
	char hex[2 * 32 + 1], bound[2 * 32 + 1];
	uint8_t binding[32];
	const char *line;

	if (!v->bytes || v->sum.entries)
		return -EINVAL;
	if (strncmp(text, STATE_MAGIC "\n", sizeof(STATE_MAGIC)) != 0 ||
	    sscanf(text + sizeof(STATE_MAGIC),
		   "entries %llu\noffset %llu\nbytes-sha256 %64s\nused %lu\n", &count, &offset, hex,
		   &used) != 4 ||
	    strlen(hex) != 64 || !hex_decode(hex, 64, v->skip_hash) || used >= (1ul << NPCR))
		goto bad;
	line = strstr(text, "\nbound ");
	if (!line || sscanf(line, "\nbound %64s", bound) != 1)
		goto bad;
	if (v->bound != (strcmp(bound, "-") != 0) ||
	    (v->bound && (strlen(bound) != 64 || !hex_decode(bound, 64, binding) ||
			  !crypto_memeq(binding, v->binding, 32)))) {
		log_err(v->ctx,
			"the saved state is bound to another PCR source, banks, certificates "
			"or runtime policy");
		return -ESTALE;
	}
	memset(&v->resume, 0, sizeof(v->resume));
	for (line = strstr(text, "\npcr "); line; line = strstr(line + 1, "\npcr ")) {
		char name[16], h1[2 * IMACTL_MAX_DIGEST_SIZE + 1], h2[sizeof(h1)];
		unsigned int pc, i;

		if (sscanf(line, "\npcr %15s %u %128s %128s", name, &pc, h1, h2) != 4 ||
		    pc >= NPCR || !(used & (1ul << pc)))
			goto bad;
		for (i = 0; i < v->nbanks; i++)
			if (!strcmp(imactl_hash_algo_name(v->bank[i].algo), name))
				break;
		if (i == v->nbanks || strlen(h1) != 2 * v->bank[i].size ||
		    strlen(h2) != 2 * v->bank[i].size ||
		    !hex_decode(h1, 2 * v->bank[i].size, v->resume.pcr[i][pc]) ||
		    !hex_decode(h2, 2 * v->bank[i].size, v->resume.pad[i][pc]))
			goto bad;
		seen[i] |= 1u << pc;
	}
	for (unsigned int i = 0; i < v->nbanks; i++)
		if (seen[i] != used)
			goto bad;
	v->skip = count;
	v->used = used;
	return 0;
bad:
	log_err(v->ctx, "the saved state is malformed or its banks differ from the ones verified");
	return -EBADMSG;
}

/* ---- reading PCR values ------------------------------------------------ */

/* Parses hex digits (spaces allowed between them) into exactly @size bytes. */
static bool parse_pcr_hex(const char *s, uint8_t *out, size_t size)
{
	size_t n = 0;
	int hi = -1;

	for (; *s && *s != '\n' && *s != '\r'; s++) {
		int d = hex_digit((unsigned char)*s);

		if (*s == ' ' || *s == '\t')
			continue;
		if (d < 0)
			return false;
		if (hi < 0) {
			hi = d;
			continue;
		}
		if (n == size)
			return false;
		out[n++] = hi << 4 | d;
		hi = -1;
	}
	return n == size && hi < 0;
}

static int read_text(int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = 0;
	return 0;
}

IMACTL_EXPORT int imactl_pcrs_read_sysfs(struct imactl_ctx *ctx, const char *dir,
					 enum imactl_hash_algo algo, struct imactl_pcr_bank *bank)
{
	char path[4096], buf[512];
	int size = imactl_hash_algo_size(algo), dfd, ret = 0;

	if (!bank || !is_bank_algo(algo))
		return -EINVAL;
	memset(bank, 0, sizeof(*bank));
	bank->algo = algo;
	snprintf(path, sizeof(path), "%s/pcr-%s", dir ? dir : "/sys/class/tpm/tpm0",
		 imactl_hash_algo_name(algo));
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	for (unsigned int i = 0; i < NPCR; i++) {
		char name[8];

		snprintf(name, sizeof(name), "%u", i);
		ret = read_text(dfd, name, buf, sizeof(buf));
		if (ret == -ENOENT) {
			ret = 0;
			continue;
		}
		if (ret < 0) {
			log_err(ctx, "%s/%s: %s", path, name, strerror(-ret));
			break;
		}
		if (!parse_pcr_hex(buf, bank->pcr[i], size)) {
			log_err(ctx, "%s/%s: not a %s digest", path, name,
				imactl_hash_algo_name(algo));
			ret = -EBADMSG;
			break;
		}
		bank->known |= 1u << i;
	}
	close(dfd);
	if (ret == 0 && !bank->known)
		ret = -ENOENT;
	return ret;
}

IMACTL_EXPORT int imactl_pcrs_read_file(struct imactl_ctx *ctx, const char *path,
					enum imactl_hash_algo algo, struct imactl_pcr_bank *bank)
{
	char line[1024];
	int size = imactl_hash_algo_size(algo), ret = 0;
	FILE *f;

	if (!bank || !is_bank_algo(algo))
		return -EINVAL;
	memset(bank, 0, sizeof(*bank));
	bank->algo = algo;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned int n;
		char *colon;

		if (strncmp(line, "PCR-", 4) != 0)
			continue;
		colon = strchr(line, ':');
		if (!colon || colon - line < 5 || colon - line > 6 ||
		    sscanf(line + 4, "%u", &n) != 1 || n >= NPCR ||
		    !parse_pcr_hex(colon + 1, bank->pcr[n], size)) {
			log_err(ctx, "%s: malformed line for bank %s: %.*s", path,
				imactl_hash_algo_name(algo),
				(int)strcspn(line, "\n") < 40 ? (int)strcspn(line, "\n") : 40,
				line);
			ret = -EBADMSG;
			break;
		}
		bank->known |= 1u << n;
	}
	fclose(f);
	if (ret == 0 && !bank->known) {
		log_err(ctx, "%s: no \"PCR-NN: HEX\" line", path);
		ret = -EBADMSG;
	}
	return ret;
}

/* ---- the state file ---------------------------------------------------- */

#define STATE_MAX (1u << 20)

IMACTL_EXPORT int imactl_mlog_state_read(struct imactl_ctx *ctx, const char *path, char **text_ret)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, ret = 0;

	/* O_NONBLOCK: a FIFO planted there does not block before the check */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			log_err(ctx, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		log_err(ctx, "%s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		ret = -EPERM;
		log_err(ctx, "%s: not a regular file: not used as a state", path);
	} else if (st.st_uid != geteuid()) {
		ret = -EPERM;
		log_err(ctx, "%s: owned by uid %u, not by the caller (uid %u): not trusted", path,
			(unsigned int)st.st_uid, (unsigned int)geteuid());
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		ret = -EPERM;
		log_err(ctx, "%s: writable by its group or others: not trusted", path);
	} else if (st.st_size >= STATE_MAX) {
		ret = -EFBIG;
		log_err(ctx, "%s: larger than a state can be", path);
	} else if (!(buf = malloc(STATE_MAX))) {
		ret = -ENOMEM;
	}
	while (ret == 0 && len < STATE_MAX - 1) {
		ssize_t n = read(fd, buf + len, STATE_MAX - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			log_err(ctx, "%s: %s", path, strerror(errno));
		}
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	buf[len] = 0;
	*text_ret = buf;
	return 0;
}

IMACTL_EXPORT int imactl_mlog_state_write(struct imactl_ctx *ctx, const char *path,
					  const char *text)
{
	return imactl_write_file(ctx, path, text, strlen(text), 0600, IMACTL_OUTFILE_REPLACE);
}
