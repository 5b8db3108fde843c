// SPDX-License-Identifier: GPL-2.0-or-later
/* The context: log callback, priorities, xattr namespace. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec {
	int count;
	int prio;
	char msg[1024];
	void *data;
};

static void recorder(void *data, int prio, const char *msg)
{
	struct rec *r = data;

	r->count++;
	r->prio = prio;
	r->data = data;
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
}

static void log_callback_and_priority(void **state)
{
	struct imactl_ctx *ctx = NULL;
	struct imactl_key *key = NULL;
	struct rec r = { 0 };

	(void)state;
	assert_int_equal(imactl_ctx_new(&ctx), 0);
	/* no log function: messages are dropped, nothing crashes */
	assert_int_equal(imactl_key_load(ctx, "/nonexistent", NULL, NULL, &key), -ENOENT);
	imactl_set_log_fn(ctx, recorder, &r);
	assert_int_equal(imactl_key_load(ctx, "/nonexistent", NULL, NULL, &key), -ENOENT);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.prio, IMACTL_LOG_ERR);
	assert_ptr_equal(r.data, &r);
	assert_string_equal(r.msg, "/nonexistent: No such file or directory");
	/* below the priority: dropped */
	imactl_set_log_priority(ctx, IMACTL_LOG_ERR - 1);
	assert_int_equal(imactl_key_load(ctx, "/nonexistent", NULL, NULL, &key), -ENOENT);
	assert_int_equal(r.count, 1);
	imactl_ctx_free(ctx);
	imactl_ctx_free(NULL);
	imactl_key_free(NULL);
	imactl_cert_free(NULL);
	imactl_keyring_free(NULL);
	imactl_signed_values_free(NULL);
}

/* OpenSSL's reasons are appended to crypto messages, and the queue is drained. */
static void crypto_reasons_appended(void **state)
{
	struct imactl_ctx *ctx = NULL;
	struct imactl_cert *cert = NULL;
	struct rec r = { 0 };
	char *p;

	(void)state;
	assert_int_equal(imactl_ctx_new(&ctx), 0);
	imactl_set_log_fn(ctx, recorder, &r);
	p = strdup(test_key_path("enc.pass")); /* not a certificate */
	assert_int_equal(imactl_cert_load(ctx, p, &cert), -EBADMSG);
	assert_non_null(strstr(r.msg, "not an X.509 certificate"));
	assert_non_null(strstr(r.msg, " ("));
	/* the next, unrelated message carries no stale OpenSSL reasons */
	assert_int_equal(imactl_cert_load(ctx, "/nonexistent", &cert), -ENOENT);
	assert_string_equal(r.msg, "/nonexistent: No such file or directory");
	free(p);
	imactl_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(log_callback_and_priority),
		cmocka_unit_test(crypto_reasons_appended),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
