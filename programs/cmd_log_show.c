// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl log show: print a measurement list, one decoded entry per line. */
#include "cmd_log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_JSON = OPT_LOG_FIRST,
};

static const struct option longopts[] = {
	LOG_INPUT_LONGOPTS,
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 },
};

struct show_opts {
	struct log_input in;
	bool json;
};

static int parse_opts(const struct imactl_command *cmd, int argc, char *argv[], struct show_opts *o)
{
	unsigned long long seen = 0;
	int c;

	optind = 1;
	while ((c = prog_getopt(cmd, argc, argv, "", longopts)) != -1) {
		int status;

		if (c == '?' || !prog_once(cmd, &seen, c, longopts))
			return prog_bad_option(cmd);
		if (c == OPT_JSON) {
			o->json = true;
			continue;
		}
		status = log_input_option(cmd, c, &o->in);
		if (status)
			return status == LOG_OPT_OTHER ? prog_bad_option(cmd) : status;
	}
	return 0;
}

static void show_entry(const struct imactl_mlog_entry *e, bool json)
{
	uint32_t keyid = 0;
	bool has_keyid =
		e->sig && e->sig_len >= 7 &&
		(e->sig[0] == IMACTL_XATTR_DIGSIG || e->sig[0] == IMACTL_XATTR_EVM_PORTABLE ||
		 e->sig[0] == IMACTL_XATTR_IMA_VERITY_SIG);
	const char *algo = e->digest_algo ? imactl_hash_algo_name(e->digest_algo) : "?";
	const char *malgo =
		e->modsig_digest_algo ? imactl_hash_algo_name(e->modsig_digest_algo) : "?";

	if (has_keyid)
		keyid = (uint32_t)e->sig[3] << 24 | e->sig[4] << 16 | e->sig[5] << 8 | e->sig[6];
	if (json) {
		printf("{\"entry\":%llu,\"pcr\":%u,\"template_hash\":\"",
		       (unsigned long long)e->number, e->pcr);
		hex_print(stdout, e->template_hash, 20);
		printf("\",\"template\":");
		json_print(stdout, e->template_name);
		printf(",\"violation\":%s", e->violation ? "true" : "false");
		if (e->digest) {
			printf(",\"digest\":\"%s:", algo);
			hex_print(stdout, e->digest, e->digest_len);
			printf("\"");
		}
		if (e->digest_type)
			printf(",\"digest_type\":\"%s\"", e->digest_type);
		if (e->path) {
			printf(",\"path\":");
			json_print(stdout, e->path);
		}
		if (e->sig) {
			printf(",\"sig_type\":%u", e->sig[0]);
			if (has_keyid)
				printf(",\"keyid\":\"%08x\"", keyid);
		}
		if (e->modsig_digest) {
			printf(",\"modsig_digest\":\"%s:", malgo);
			hex_print(stdout, e->modsig_digest, e->modsig_digest_len);
			printf("\"");
		}
		if (e->modsig)
			printf(",\"modsig_len\":%zu", e->modsig_len);
		if (e->evmsig)
			printf(",\"evmsig_len\":%zu", e->evmsig_len);
		if (e->buf)
			printf(",\"buf_len\":%zu", e->buf_len);
		printf("}");
		return;
	}
	printf("%llu %u %s ", (unsigned long long)e->number, e->pcr, e->template_name);
	if (e->violation)
		printf("VIOLATION ");
	if (e->digest) {
		printf("%s%s%s:", e->digest_type ? e->digest_type : "", e->digest_type ? ":" : "",
		       algo);
		hex_print(stdout, e->digest, e->digest_len);
	} else {
		printf("-");
	}
	printf(" ");
	path_print(stdout, e->path ? e->path : "-");
	if (e->sig) {
		printf(" %s", prog_xattr_type_name(e->sig[0]));
		if (has_keyid)
			printf(" keyid %08x", keyid);
	}
	if (e->modsig) {
		printf(" modsig ");
		if (e->modsig_digest) {
			printf("%s:", malgo);
			hex_print(stdout, e->modsig_digest, e->modsig_digest_len);
			printf(" ");
		}
		printf("%zu bytes", e->modsig_len);
	}
	if (e->evmsig)
		printf(" evmsig %zu bytes", e->evmsig_len);
	if (e->buf)
		printf(" buf %zu bytes", e->buf_len);
	if (!e->template_known)
		printf(" (unknown template: %u fields)", e->nfields);
	printf("\n");
}

static int run_show(const struct imactl_command *cmd, int argc, char *argv[])
{
	struct show_opts o = { 0 };
	struct imactl_ctx *ctx = NULL;
	struct imactl_mlog *ml = NULL;
	const struct imactl_mlog_entry *e;
	const char *why = NULL, *log;
	bool first = true;
	int status, ret, fd = -1;

	status = parse_opts(cmd, argc, argv, &o);
	if (status == 0)
		status = log_start(cmd, argc, argv, &ctx, &log);
	if (status)
		goto out;
	fd = log_open(log);
	if (fd < 0 || imactl_mlog_open_fd(ctx, fd, o.in.format, o.in.mlog_flags, &ml) < 0) {
		status = EXIT_OPERATIONAL;
		goto out;
	}
	if (o.json)
		printf("[");
	while ((ret = imactl_mlog_next(ml, &e, &why)) == 0 && e) {
		if (o.json && !first)
			printf(",\n");
		show_entry(e, o.json);
		first = false;
	}
	if (o.json)
		printf("]\n");
	if (ret < 0) {
		prog_file_err(log, "malformed after %s entries: %s", first ? "0" : "the shown",
			      why);
		status = ret == -EBADMSG ? EXIT_VERIFY : EXIT_OPERATIONAL;
	}
out:
	if (status == -1)
		status = EXIT_OK;
	if (fd > STDIN_FILENO)
		close(fd);
	imactl_mlog_free(ml);
	imactl_ctx_free(ctx);
	return status;
}

const struct imactl_command cmd_log_show_sub = {
	.name = "log show",
	.func = run_show,
	.summary = "print a measurement list, one decoded entry per line",
	.usage = "[--format auto|ascii|binary] [--endian auto|little|big] [--json] LOG\n"
		 "\n"
		 "One line per entry: number, PCR, template, digest, path, signature type\n"
		 "and keyid.  --json prints an array of objects.  Exit 1 on a malformed list.\n",
};

extern const struct imactl_command cmd_log_keylime_sub;
extern const struct imactl_command cmd_log_verify_sub, cmd_log_show_sub;
