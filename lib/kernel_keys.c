// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loading certificates into the kernel keyrings IMA and EVM use.
 *
 * With CONFIG_INTEGRITY_TRUSTED_KEYRING the kernel has its own ".ima" and
 * ".evm" keyrings, which only accept certificates signed by a trusted key.
 * Without it (Debian's kernels), IMA looks up a keyring named "_ima" ("_evm")
 * with request_key() from the process that triggers appraisal, so it has to
 * be reachable from there: we link it into the user keyring.
 */
#include "lib_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keyutils.h>

/* A keyring with this exact description in /proc/keys (what root can view). */
static int find_proc_keyring(const struct imactl_ctx *ctx, const char *name, int32_t *serial_ret)
{
	char line[512], type[64], desc[256];
	unsigned int serial;
	FILE *f;
	int ret = -ENOENT;

	f = fopen("/proc/keys", "re");
	if (!f) {
		ret = -errno;
		log_err(ctx, "cannot read /proc/keys: %s", strerror(errno));
		return ret;
	}
	/* "0a1b2c3d I--Q---  1 perm 1f0b0000  0  0 keyring   .ima: 1" */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%x %*s %*s %*s %*s %*s %*s %63s %255[^:]", &serial, type, desc) !=
		    3)
			continue;
		if (!strcmp(type, "keyring") && !strcmp(desc, name)) {
			*serial_ret = (int32_t)serial;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* @id names an existing keyring this process may see. */
static int check_keyring(const struct imactl_ctx *ctx, int32_t id, int32_t *serial_ret)
{
	char *desc = NULL;
	int ret = 0;

	if (keyctl_describe_alloc(id, &desc) < 0) {
		ret = errno == ENOKEY || errno == EKEYREVOKED || errno == EKEYEXPIRED ? -ENOENT
										      : -errno;
		log_debug(ctx, "keyctl describe %d: %s", id, strerror(errno));
		return ret;
	}
	/* "type;uid;gid;perm;description" */
	if (strncmp(desc, "keyring;", 8)) {
		log_debug(ctx, "key %d is not a keyring", id);
		ret = -ENOTDIR;
	} else {
		*serial_ret = id;
	}
	free(desc);
	return ret;
}

static int user_keyring(const struct imactl_ctx *ctx, const char *name, bool create,
			int32_t *serial_ret)
{
	long id;

	id = keyctl_search(KEY_SPEC_USER_KEYRING, "keyring", name, 0);
	if (id >= 0) {
		*serial_ret = (int32_t)id;
		return 0;
	}
	if (errno != ENOKEY && errno != ENOENT) {
		log_err(ctx, "searching the user keyring for %s: %s", name, strerror(errno));
		return -errno;
	}
	if (!create)
		return -ENOENT;
	id = add_key("keyring", name, NULL, 0, KEY_SPEC_USER_KEYRING);
	if (id < 0) {
		log_err(ctx, "cannot create keyring %s in the user keyring: %s", name,
			strerror(errno));
		return -errno;
	}
	log_info(ctx, "created keyring %s (%ld) in the user keyring", name, id);
	*serial_ret = (int32_t)id;
	return 0;
}

IMACTL_EXPORT int imactl_kernel_keyring(struct imactl_ctx *ctx, const char *name, bool create,
					int32_t *serial_ret)
{
	char dotted[16], *end;
	long id;
	int ret;

	if (!name || !*name)
		return -EINVAL;
	errno = 0;
	id = strtol(name, &end, 10);
	if (!*end && !errno)
		return check_keyring(ctx, (int32_t)id, serial_ret);
	if (!strcmp(name, "ima") || !strcmp(name, "evm")) {
		snprintf(dotted, sizeof(dotted), ".%s", name);
		ret = find_proc_keyring(ctx, dotted, serial_ret);
		if (ret != -ENOENT)
			return ret;
		snprintf(dotted, sizeof(dotted), "_%s", name);
		return user_keyring(ctx, dotted, create, serial_ret);
	}
	if (name[0] == '.')
		return find_proc_keyring(ctx, name, serial_ret);
	if (!strcmp(name, "_ima") || !strcmp(name, "_evm")) {
		int32_t trusted;

		/* the kernel ignores _ima when it has a trusted .ima keyring */
		if (find_proc_keyring(ctx, name[1] == 'i' ? ".ima" : ".evm", &trusted) == 0)
			log_warn(ctx,
				 "the kernel has a trusted %s keyring and "
				 "does not use %s",
				 name[1] == 'i' ? ".ima" : ".evm", name);
	}
	return user_keyring(ctx, name, create, serial_ret);
}

IMACTL_EXPORT int imactl_kernel_import_cert(struct imactl_ctx *ctx, const struct imactl_cert *cert,
					    int32_t keyring, int32_t *serial_ret)
{
	uint8_t *der = NULL;
	size_t len = 0;
	long id;
	int ret;

	ret = crypto_cert_der(cert, &der, &len);
	if (ret < 0)
		return ret;
	id = add_key("asymmetric", NULL, der, len, keyring);
	if (id < 0) {
		ret = -errno;
		log_debug(ctx, "add_key(asymmetric) into %d: %s", keyring, strerror(errno));
		goto out;
	}
	*serial_ret = (int32_t)id;
out:
	free(der);
	return ret;
}
