// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl hmac: the EVM HMAC the kernel computes for files, from a key file. */
#include "output.h"
#include "prog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

enum {
	OPT_UUID = PROG_HMAC_END,
};

static const struct option longopts[] = {
	PROG_HMAC_LONGOPTS,
	{ "uuid", required_argument, NULL, OPT_UUID },
	{ NULL, 0, NULL, 0 },
};

bool prog_parse_lsms(const struct imactl_command *cmd, const char *list, unsigned int *flags)
{
	char *copy = strdup(list), *save = NULL;
	bool ok = copy != NULL;

	for (char *t = ok ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "selinux"))
			*flags |= IMACTL_EVM_LSM_SELINUX;
		else if (!strcmp(t, "smack"))
			*flags |= IMACTL_EVM_LSM_SMACK;
		else if (!strcmp(t, "smack-extra"))
			*flags |= IMACTL_EVM_LSM_SMACK | IMACTL_EVM_EXTRA_SMACK;
		else if (!strcmp(t, "apparmor"))
			*flags |= IMACTL_EVM_LSM_APPARMOR;
		else if (strcmp(t, "none")) {
			prog_err("%s: --lsm: unknown LSM '%s' (selinux, smack, smack-extra, "
				 "apparmor, none)",
				 cmd->name, t);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

int prog_read_evm_key(const char *path, uint8_t key[IMACTL_EVM_KEY_MAX], size_t *len_ret)
{
	uint8_t buf[IMACTL_EVM_KEY_MAX + 1];
	size_t len = 0;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ret = prog_read_fd(fd, buf, sizeof(buf), &len);
	close(fd);
	if (ret == 0 && (len == 0 || len > IMACTL_EVM_KEY_MAX))
		ret = -EMSGSIZE;
	if (ret == 0) {
		memcpy(key, buf, len);
		*len_ret = len;
	}
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

void prog_hmac_opts_init(struct prog_hmac_opts *o, const struct imactl_command *cmd)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->p.target_bits = 64;
}

void prog_hmac_opts_free(struct prog_hmac_opts *o)
{
	explicit_bzero(o->key, sizeof(o->key));
}

int prog_hmac_getopt(struct prog_hmac_opts *o, int argc, char *argv[], const struct option *opts)
{
	const struct imactl_command *cmd = o->cmd;
	int c;

	while ((c = prog_next_option(cmd, argc, argv, "", opts, &o->seen)) != -1) {
		switch (c) {
		case PROG_HMAC_KEY_FILE:
			o->key_file = optarg;
			break;
		case PROG_HMAC_LSM:
			if (!prog_parse_lsms(cmd, optarg, &o->p.flags))
				return '?';
			break;
		case PROG_HMAC_TARGET_BITS:
			if (!prog_parse_target_bits(cmd, optarg, &o->p.target_bits))
				return '?';
			break;
		case PROG_HMAC_NO_UUID:
			o->no_uuid = true;
			break;
		case PROG_OPT_HELP:
			prog_usage(cmd, stdout);
			return EXIT_OK;
		default:
			return c;
		}
	}
	return -1;
}

bool prog_hmac_key(struct prog_hmac_opts *o)
{
	int ret = prog_read_evm_key(o->key_file, o->key, &o->p.key_len);

	if (ret < 0) {
		prog_file_err(o->key_file, "%s",
			      ret == -EMSGSIZE ? "an EVM key is 1 to 128 bytes" : strerror(-ret));
		return false;
	}
	o->p.key = o->key;
	return true;
}

/* The options; -1 to go on, else the exit code. */
static int parse(struct prog_hmac_opts *o, int argc, char *argv[])
{
	bool uuid_set = false;
	int c;

	while ((c = prog_hmac_getopt(o, argc, argv, longopts)) != -1) {
		if (c == EXIT_OK)
			return c;
		if (c != OPT_UUID)
			return prog_bad_option(o->cmd);
		if (uuid_parse(optarg, o->p.fs_uuid) < 0) {
			prog_err("hmac: --uuid takes a UUID (8-4-4-4-12 hex digits), not '%s'",
				 optarg);
			return prog_bad_option(o->cmd);
		}
		uuid_set = true;
	}
	if (!o->key_file) {
		prog_err("hmac: --key-file is required");
		return prog_bad_option(o->cmd);
	}
	if (uuid_set == o->no_uuid) {
		prog_err("hmac: say --uuid UUID (a kernel with CONFIG_EVM_ATTR_FSUUID) or "
			 "--no-uuid");
		return prog_bad_option(o->cmd);
	}
	if (!prog_operands(o->cmd, argc, "FILE", false))
		return prog_bad_option(o->cmd);
	if (uuid_set)
		o->p.flags |= IMACTL_EVM_HMAC_FSUUID;
	return -1;
}

/* Prints the HMAC of @path; 0 or an exit code. */
static int print_hmac(struct imactl_ctx *ctx, const char *path,
		      const struct imactl_evm_hmac_params *p)
{
	uint8_t mac[IMACTL_EVM_HMAC_LEN];
	int fd, ret;

	prog_set_current_file(path);
	fd = imactl_open_regular(AT_FDCWD, path);
	ret = fd < 0 ? fd : imactl_evm_hmac(ctx, fd, p, mac);
	if (fd >= 0)
		close(fd);
	prog_set_current_file(NULL);
	if (ret < 0) {
		prog_file_err(path, "%s",
			      ret == -ENODATA	   ? "no protected xattr: the kernel keeps no HMAC"
			      : ret == -EOPNOTSUPP ? "the filesystem has no inode generation"
						   : prog_file_error(ret));
		return EXIT_OPERATIONAL;
	}
	printf("0x%02x", IMACTL_XATTR_EVM_HMAC);
	hex_print(stdout, mac, sizeof(mac));
	printf("  %s\n", path);
	return EXIT_OK;
}

static int run(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct prog_hmac_opts o;
	struct imactl_ctx *ctx = NULL;
	int status;

	prog_hmac_opts_init(&o, cmd);
	status = parse(&o, argc, argv);
	if (status >= 0)
		return status;
	status = EXIT_OPERATIONAL;
	if (prog_hmac_key(&o) && prog_ctx_new(&ctx, 0, false) == 0) {
		status = EXIT_OK;
		for (int i = optind; i < argc; i++)
			status = prog_worse(status, print_hmac(ctx, argv[i], &o.p));
	}
	prog_hmac_opts_free(&o);
	imactl_ctx_free(ctx);
	return status;
}

const struct imactl_command cmd_hmac = {
	.name = "hmac",
	.func = run,
	.summary = "print the EVM HMAC the kernel computes for files",
	.usage =
		"--key-file KEY (--uuid UUID | --no-uuid) [--lsm LIST] [--target-bits 64|32]\n"
		"       FILE...\n"
		"\n"
		"Prints the security.evm value '0x02HEX  FILE' that a kernel holding the EVM\n"
		"key KEY computes (HMAC-SHA1 over the protected xattrs, inode number,\n"
		"generation, uid, gid, mode and the filesystem UUID). Symbolic links are\n"
		"refused. The kernel refuses an HMAC written from userspace: label-image\n"
		"writes them into an unmounted filesystem.\n"
		"\n"
		"  --key-file KEY      the EVM key's bytes (the evm-key's decrypted data), 1 to\n"
		"                      128 bytes; never on the command line\n"
		"  --uuid UUID         the filesystem's UUID, for a kernel with\n"
		"                      CONFIG_EVM_ATTR_FSUUID (6.1 cannot tell userspace the UUID\n"
		"                      it uses: give the one blkid or dumpe2fs prints)\n"
		"  --no-uuid           for a kernel without CONFIG_EVM_ATTR_FSUUID\n"
		"  --lsm LIST          LSMs built into the target kernel, whose labels count:\n"
		"                      selinux, smack, smack-extra, apparmor, none (default)\n"
		"  --target-bits N     word size of the target system (default 64)\n"
		"\n"
		"Exit: 0; 2 usage; 3 when a file or the key could not be read.\n",
};
