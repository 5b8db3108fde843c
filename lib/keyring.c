// SPDX-License-Identifier: LGPL-2.1-or-later
/* A set of certificates, looked up by the keyid in a signature header. */
#include "lib_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct imactl_keyring {
	struct imactl_ctx *ctx;
	struct imactl_cert **certs;
	size_t count;
	size_t alloc;
};

IMACTL_EXPORT int imactl_keyring_new(struct imactl_ctx *ctx, struct imactl_keyring **keyring_ret)
{
	struct imactl_keyring *kr = calloc(1, sizeof(*kr));

	if (!kr)
		return -ENOMEM;
	kr->ctx = ctx;
	*keyring_ret = kr;
	return 0;
}

IMACTL_EXPORT int imactl_keyring_add(struct imactl_keyring *kr, struct imactl_cert *cert)
{
	if (kr->count == kr->alloc) {
		size_t n = kr->alloc ? kr->alloc * 2 : 4;
		struct imactl_cert **c = realloc(kr->certs, n * sizeof(*c));

		if (!c) {
			imactl_cert_free(cert);
			return -ENOMEM;
		}
		kr->certs = c;
		kr->alloc = n;
	}
	kr->certs[kr->count++] = cert;
	return 0;
}

IMACTL_EXPORT int imactl_keyring_add_file(struct imactl_keyring *kr, const char *path)
{
	struct imactl_cert *cert = NULL;
	int ret = imactl_cert_load(kr->ctx, path, &cert);

	if (ret < 0)
		return ret;
	return imactl_keyring_add(kr, cert);
}

IMACTL_EXPORT int imactl_keyring_file_digest(const struct imactl_keyring *kr, size_t i,
					     struct imactl_digest *digest)
{
	const uint8_t *sha256;

	if (!kr || !digest)
		return -EINVAL;
	if (i >= kr->count)
		return -ENOENT;
	sha256 = crypto_cert_file_sha256(kr->certs[i]);
	if (!sha256)
		return -ENODATA;
	*digest = (struct imactl_digest){ .algo = IMACTL_HASH_SHA256, .len = 32 };
	memcpy(digest->bytes, sha256, 32);
	return 0;
}

IMACTL_EXPORT size_t imactl_keyring_count(const struct imactl_keyring *kr)
{
	return kr->count;
}

/*
 * The kernel finds keys by the SKI-derived id; evmctl by the id computed
 * from the public key.  They agree when the SKI is the usual SHA-1 hash;
 * accept either so signatures made by both tools are found.
 */
const struct imactl_cert *imactl_keyring_find(const struct imactl_keyring *kr, uint32_t keyid)
{
	if (!kr)
		return NULL;
	for (size_t i = 0; i < kr->count; i++)
		if (imactl_cert_keyid(kr->certs[i]) == keyid)
			return kr->certs[i];
	for (size_t i = 0; i < kr->count; i++)
		if (crypto_cert_pubkey_keyid(kr->certs[i]) == keyid)
			return kr->certs[i];
	return NULL;
}

const struct imactl_cert *imactl_keyring_at(const struct imactl_keyring *kr, size_t i)
{
	return i < kr->count ? kr->certs[i] : NULL;
}

IMACTL_EXPORT void imactl_keyring_free(struct imactl_keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->count; i++)
		imactl_cert_free(kr->certs[i]);
	free(kr->certs);
	free(kr);
}
