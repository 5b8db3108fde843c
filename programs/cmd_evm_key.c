// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl evm-key create|load|status: the device's EVM key in the kernel's keyrings. */
#include "output.h"
#include "prog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_BLOB_DIR = PROG_HMAC_END,
	OPT_KEYHANDLE,
	OPT_KEY_LEN,
	OPT_LABEL,
	OPT_LIST,
	OPT_NO_UUID,
	OPT_ENABLE,
	OPT_FORCE,
	OPT_PCRS,
	OPT_X509_ONLY,
	OPT_SECURITYFS,
	OPT_JSON,
	OPT_HELP,
};

#define COMMON_OPTIONS                                                                             \
	{ "blob-dir", required_argument, NULL, OPT_BLOB_DIR },                                     \
		{ "keyhandle", required_argument, NULL, OPT_KEYHANDLE },                           \
		{ "enable", no_argument, NULL, OPT_ENABLE },                                       \
		{ "securityfs", required_argument, NULL, OPT_SECURITYFS },                         \
		{ "help", no_argument, NULL, OPT_HELP },                                           \
	{                                                                                          \
		NULL, 0, NULL, 0                                                                   \
	}

#define COMMON_HELP                                                                                \
	"  --blob-dir DIR      where kmk.blob and evm-key.blob are (required)\n"                   \
	"  --keyhandle H       the TPM 2.0 persistent parent key (default 0x81000001)\n"           \
	"  --enable            then enable EVM: HMAC and X.509 in one write to\n"                  \
	"                      SECURITYFS/evm (the HMAC bit completes the setup)\n"                \
	"  --securityfs DIR    where securityfs is mounted (default /sys/kernel/security)\n"

#define ENABLED "EVM HMAC and X.509 enabled"

static const struct option create_options[] = {
	{ "key-len", required_argument, NULL, OPT_KEY_LEN },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "list", required_argument, NULL, OPT_LIST },
	{ "no-uuid", no_argument, NULL, OPT_NO_UUID },
	{ "lsm", required_argument, NULL, PROG_HMAC_LSM },
	{ "target-bits", required_argument, NULL, PROG_HMAC_TARGET_BITS },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "pcrs", required_argument, NULL, OPT_PCRS },
	COMMON_OPTIONS,
};

static const struct option load_options[] = { COMMON_OPTIONS };

static const struct option enable_options[] = {
	{ "x509-only", no_argument, NULL, OPT_X509_ONLY },
	{ "securityfs", required_argument, NULL, OPT_SECURITYFS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct option status_options[] = {
	{ "securityfs", required_argument, NULL, OPT_SECURITYFS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct args {
	struct imactl_evmkey_params p;
	struct imactl_evm_hmac_params hp;
	const char *list;
	char **paths; /* read from list */
	size_t n_paths;
	bool json;
	bool x509_only;
};

static bool parse_number(const struct imactl_command *cmd, const char *opt, const char *s,
			 unsigned long min, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || *v < min || *v > max) {
		prog_err("%s: %s takes a number from %#lx to %#lx, not '%s'", cmd->name, opt, min,
			 max, s);
		return false;
	}
	return true;
}

/* The options of @cmd; EXIT_OK to go on, else the exit code (-1 for --help). */
static int parse(const struct imactl_command *cmd, int argc, char *argv[],
		 const struct option *longopts, struct args *a)
{
	unsigned long long seen = 0;
	unsigned long v;
	int c;

	a->hp = (struct imactl_evm_hmac_params){ .target_bits = 64,
						 .flags = IMACTL_EVM_HMAC_FSUUID };
	while ((c = prog_next_option(cmd, argc, argv, "", longopts, &seen)) != -1) {
		switch (c) {
		case OPT_BLOB_DIR:
			a->p.blob_dir = optarg;
			break;
		case OPT_KEYHANDLE:
			/* persistent handles: 0x81000000-0x81ffffff (TPM 2.0 part 2, 2.3.1) */
			if (!parse_number(cmd, "--keyhandle", optarg, 0x81000000ul, 0x81fffffful,
					  &v))
				return prog_bad_option(cmd);
			a->p.keyhandle = (uint32_t)v;
			break;
		case OPT_KEY_LEN:
			if (!parse_number(cmd, "--key-len", optarg, 1, IMACTL_EVM_KEY_MAX, &v))
				return prog_bad_option(cmd);
			a->p.key_len = (unsigned int)v;
			break;
		case OPT_LABEL:
			a->p.label_image = optarg;
			break;
		case OPT_LIST:
			a->list = optarg;
			break;
		case OPT_NO_UUID:
			a->hp.flags &= ~IMACTL_EVM_HMAC_FSUUID;
			break;
		case OPT_ENABLE:
			a->p.flags |= IMACTL_EVMKEY_ENABLE;
			break;
		case OPT_FORCE:
			a->p.flags |= IMACTL_EVMKEY_REPLACE;
			break;
		case OPT_PCRS:
			if (imactl_evmkey_parse_pcrs(optarg, &a->p.pcrs) < 0) {
				prog_err("%s: --pcrs takes PCR numbers from 0 to 23, each once, "
					 "separated by commas (e.g. 12 or 0,7,12), not '%s'",
					 cmd->name, optarg);
				return prog_bad_option(cmd);
			}
			break;
		case OPT_X509_ONLY:
			a->x509_only = true;
			break;
		case OPT_SECURITYFS:
			a->p.securityfs = optarg;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case PROG_OPT_HELP:
			prog_usage(cmd, stdout);
			return -1;
		case PROG_HMAC_LSM:
			if (!prog_parse_lsms(cmd, optarg, &a->hp.flags))
				return prog_bad_option(cmd);
			break;
		case PROG_HMAC_TARGET_BITS:
			if (!prog_parse_target_bits(cmd, optarg, &a->hp.target_bits))
				return prog_bad_option(cmd);
			break;
		default:
			return prog_bad_option(cmd);
		}
	}
	if (optind < argc) {
		prog_err("%s: unexpected argument '%s'", cmd->name, argv[optind]);
		return prog_bad_option(cmd);
	}
	if (longopts != status_options && longopts != enable_options && !a->p.blob_dir) {
		prog_err("%s: --blob-dir is required", cmd->name);
		return prog_bad_option(cmd);
	}
	if (!a->p.label_image != !a->list) {
		prog_err("%s: --label IMAGE and --list FILE go together", cmd->name);
		return prog_bad_option(cmd);
	}
	return EXIT_OK;
}

/*
 * The shape every subcommand shares: its options into a struct args (and
 * --list read), a context, @op (the library call and the report; 0 or
 * -errno, then "CMD: cause" and exit 3).
 */
static int run(const struct imactl_command *cmd, int argc, char *argv[],
	       const struct option *longopts, int (*op)(struct imactl_ctx *, struct args *))
{
	struct args a = { 0 };
	struct imactl_ctx *ctx = NULL;
	int status, ret;

	status = parse(cmd, argc, argv, longopts, &a);
	if (status)
		return status < 0 ? EXIT_OK : status;
	if (a.list && prog_read_path_list(a.list, &a.paths, &a.n_paths) < 0)
		return EXIT_OPERATIONAL;
	status = EXIT_OPERATIONAL;
	if (prog_ctx_new(&ctx, 0, false) < 0)
		goto out;
	ret = op(ctx, &a);
	if (ret < 0) {
		prog_err("%s: %s", cmd->name, strerror(-ret));
		goto out;
	}
	status = EXIT_OK;
out:
	prog_free_path_list(a.paths, a.n_paths);
	imactl_ctx_free(ctx);
	return status;
}

static int op_create(struct imactl_ctx *ctx, struct args *a)
{
	uint64_t labelled = 0;
	int ret;

	a->p.label_paths = (const char *const *)a->paths;
	a->p.n_label_paths = a->n_paths;
	a->p.label = a->list ? &a->hp : NULL;
	ret = imactl_evmkey_create(ctx, &a->p, &labelled);
	if (ret < 0)
		return ret;
	if (a->p.label_image)
		printf("%s: %llu files labelled with an EVM HMAC\n", a->p.label_image,
		       (unsigned long long)labelled);
	printf("%s: kmk.blob and evm-key.blob stored%s%s\n", a->p.blob_dir,
	       a->p.pcrs ? ", kmk sealed to the PCR values in kmk.pcrs" : "",
	       a->p.flags & IMACTL_EVMKEY_ENABLE ? "; " ENABLED : "");
	return 0;
}

static int op_load(struct imactl_ctx *ctx, struct args *a)
{
	int ret = imactl_evmkey_load(ctx, &a->p);

	if (ret < 0)
		return ret;
	printf("%s: kmk and evm-key loaded%s\n", a->p.blob_dir,
	       a->p.flags & IMACTL_EVMKEY_ENABLE ? "; " ENABLED : "");
	return 0;
}

static int op_enable(struct imactl_ctx *ctx, struct args *a)
{
	int ret = a->x509_only ? imactl_evmkey_enable_x509_only(ctx, a->p.securityfs)
			       : imactl_evmkey_enable(ctx, a->p.securityfs);

	if (ret < 0)
		return ret;
	if (a->x509_only)
		printf("EVM X.509 only, setup completed: files with an HMAC fail appraisal until "
		       "the next boot\n");
	else
		printf(ENABLED "\n");
	return 0;
}

static void print_status(const struct imactl_evmkey_status *st, bool json)
{
	static const struct {
		int bit;
		const char *name;
	} bits[] = { { IMACTL_EVM_INIT_HMAC, "hmac" },
		     { IMACTL_EVM_INIT_X509, "x509" },
		     { IMACTL_EVM_ALLOW_METADATA_WRITES, "metadata-writes" } };
	const char *sep = "";

	if (json) {
		printf("{\"tpm\":%s,\"kmk\":%d,\"evm_key\":%d,\"evm\":", st->tpm ? "true" : "false",
		       st->kmk, st->evm_key);
		if (st->evm_flags < 0) {
			printf("null,\"evm_error\":");
			json_print(stdout, strerror(-st->evm_flags));
		} else {
			printf("%d,\"evm_modes\":[", st->evm_flags);
			for (size_t i = 0; i < ARRAY_LEN(bits); i++)
				if (st->evm_flags & bits[i].bit) {
					printf("%s\"%s\"", sep, bits[i].name);
					sep = ",";
				}
			printf("]");
		}
		printf(",\"evm_certs\":%d}\n", st->evm_certs < 0 ? 0 : st->evm_certs);
		return;
	}
	printf("tpm: %s\n", st->tpm ? "present" : "absent (no /sys/class/tpm/tpm0)");
	if (st->kmk)
		printf("kmk: present (trusted, %d)\n", st->kmk);
	else
		printf("kmk: absent\n");
	if (st->evm_key)
		printf("evm-key: present (encrypted, %d)\n", st->evm_key);
	else
		printf("evm-key: absent\n");
	if (st->evm_flags < 0) {
		printf("evm: unknown (%s)\n", strerror(-st->evm_flags));
	} else {
		printf("evm: %d", st->evm_flags);
		for (size_t i = 0; i < ARRAY_LEN(bits); i++)
			if (st->evm_flags & bits[i].bit) {
				printf("%s%s", *sep ? "," : " (", bits[i].name);
				sep = ",";
			}
		printf("%s\n", *sep ? ")" : " (not initialized)");
	}
	printf("evm certificates: %d\n", st->evm_certs < 0 ? 0 : st->evm_certs);
}

static int op_status(struct imactl_ctx *ctx, struct args *a)
{
	struct imactl_evmkey_status st;
	int ret = imactl_evmkey_status(ctx, a->p.securityfs, &st);

	if (ret < 0)
		return ret;
	print_status(&st, a->json);
	return 0;
}

static int run_create(const struct imactl_command *cmd, int argc, char *argv[])
{
	return run(cmd, argc, argv, create_options, op_create);
}

static int run_load(const struct imactl_command *cmd, int argc, char *argv[])
{
	return run(cmd, argc, argv, load_options, op_load);
}

static int run_enable(const struct imactl_command *cmd, int argc, char *argv[])
{
	return run(cmd, argc, argv, enable_options, op_enable);
}

static int run_status(const struct imactl_command *cmd, int argc, char *argv[])
{
	return run(cmd, argc, argv, status_options, op_status);
}

static const struct imactl_command evm_key_create = {
	.name = "evm-key create",
	.func = run_create,
	.summary = "first boot: seal a new EVM key in the TPM, store its blobs",
	.usage = "--blob-dir DIR [--label IMAGE --list FILE] [OPTIONS]\n"
		 "\n"
		 "Creates the kernel keys EVM uses, in the user keyring: a `trusted` key 'kmk'\n"
		 "sealed by the TPM under the persistent key H, and the `encrypted` key\n"
		 "'evm-key' under it; stores their blobs (what keyctl pipe prints, never the\n"
		 "plain key) as DIR/kmk.blob and DIR/evm-key.blob, both or none.\n"
		 "With --label, imactl makes the key material itself (locked memory, kept out\n"
		 "of core dumps, wiped), gives it to the kernel (CONFIG_USER_DECRYPTED_DATA)\n"
		 "and labels the mutable files FILE lists in the unmounted ext4 IMAGE with\n"
		 "their EVM HMACs under it (as label-image does), so the first boot needs no\n"
		 "evm=fix and no second boot.  DIR may be a tmpfs of the initramfs: the blobs\n"
		 "are not secret, copy them to the root file system once it is mounted.\n"
		 "With --pcrs, kmk is sealed to the current values of those PCRs (sha256\n"
		 "bank, TPM2_PolicyPCR, through /dev/tpm0): recorded in DIR/kmk.pcrs, which\n"
		 "load needs; once one of them changes (another kernel, command line or boot\n"
		 "chain, as measured), the TPM no longer unseals it.\n"
		 "\n" COMMON_HELP "  --key-len N         evm-key bytes, 1 to 128 (default 32)\n"
		 "  --pcrs LIST         seal kmk to these PCRs, e.g. 12 or 0,7,12 (sha256 bank)\n"
		 "  --label IMAGE       first-boot labelling of the unmounted ext2/3/4 IMAGE\n"
		 "  --list FILE         the mutable files (sign-tree --mutable-list)\n"
		 "  --no-uuid           for a kernel without CONFIG_EVM_ATTR_FSUUID\n"
		 "  --lsm LIST          LSMs of the target kernel whose labels count (see hmac)\n"
		 "  --target-bits N     word size of the target system (default 64)\n"
		 "  --force             replace existing blob files\n"
		 "\n"
		 "Exit: 0 created; 2 usage; 3 not created (the cause named: no TPM, no such\n"
		 "keyhandle, keys already loaded, EVM already set up, labelling failed, --pcrs\n"
		 "in an imactl built without libtss2).\n",
};

static const struct imactl_command evm_key_load = {
	.name = "evm-key load",
	.func = run_load,
	.summary = "every boot: load the EVM key from its blobs (the TPM unseals it)",
	.usage = "--blob-dir DIR [--keyhandle H] [--enable] [--securityfs DIR]\n"
		 "\n"
		 "Instantiates 'kmk' (unsealed by the TPM) and 'evm-key' in the user keyring\n"
		 "from DIR/kmk.blob and DIR/evm-key.blob as evm-key create stored them.  With\n"
		 "DIR/kmk.pcrs (create --pcrs), the TPM unseals kmk only while those PCRs hold\n"
		 "the values recorded there; otherwise load names the PCRs that changed.  Then\n"
		 "refuse the mutable files rather than appraise them without EVM: evm-key\n"
		 "enable --x509-only.\n"
		 "\n" COMMON_HELP "\n"
		 "Exit: 0 loaded; 2 usage; 3 not loaded (the cause named: a missing or wrong\n"
		 "blob, another TPM, PCRs changed, keys already loaded, EVM already set up).\n",
};

static const struct imactl_command evm_key_enable = {
	.name = "evm-key enable",
	.func = run_enable,
	.summary = "enable EVM HMAC and X.509 (the keys loaded, certificates imported)",
	.usage =
		"[--x509-only] [--securityfs DIR]\n"
		"\n"
		"Writes 3 (HMAC and X.509) to SECURITYFS/evm in one write, as --enable of\n"
		"create and load does: for an initramfs that loads the keys first, then\n"
		"imports the certificates and loads the IMA policy.  The kernel looks the\n"
		"evm-key up from this process: it must be in the user keyring.\n"
		"With --x509-only, for a boot whose key could not be loaded: X.509 on and the\n"
		"setup completed without an HMAC key, so files with an HMAC fail appraisal\n"
		"(invalid-HMAC) instead of passing on their hash alone, as they would with EVM\n"
		"off; signed files still pass.  No HMAC key can be set until the next boot.\n"
		"\n"
		"  --x509-only         no HMAC key: refuse files with an HMAC (see above)\n"
		"  --securityfs DIR    where securityfs is mounted (default /sys/kernel/security)\n"
		"\n"
		"Exit: 0 enabled; 2 usage; 3 not enabled (no evm-key, EVM already set up).\n",
};

static const struct imactl_command evm_key_status = {
	.name = "evm-key status",
	.func = run_status,
	.summary = "are the keys loaded, what EVM is enabled",
	.usage =
		"[--json] [--securityfs DIR]\n"
		"\n"
		"Reports whether the kernel sees a TPM, whether kmk and evm-key are in the\n"
		"user keyring, the bits of SECURITYFS/evm (hmac 1, x509 2, metadata-writes 4;\n"
		"the kernel hides the setup-complete bit: hmac implies it) and how many keys\n"
		"the EVM keyring holds.\n"
		"\n"
		"  --json              one JSON object\n"
		"  --securityfs DIR    where securityfs is mounted (default /sys/kernel/security)\n"
		"\n"
		"Exit: 0; 2 usage.\n",
};

const struct imactl_command cmd_evm_key =
	PROG_GROUP("evm-key", "the device's EVM HMAC key: TPM-sealed, created, loaded",
		   &evm_key_create, &evm_key_load, &evm_key_enable, &evm_key_status);
