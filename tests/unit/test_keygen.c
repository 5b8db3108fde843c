// SPDX-License-Identifier: GPL-2.0-or-later
/* imactl_keygen() and imactl_cert_check(): exact return codes, the files. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *new_dir(const char *name)
{
	static char dir[4096];

	snprintf(dir, sizeof(dir), "%s/%s", test_tmpdir(), name);
	assert_int_equal(mkdir(dir, 0755), 0);
	return dir;
}

static void algo_names(void **state)
{
	(void)state;
	assert_int_equal(imactl_key_algo_by_name("rsa-3072"), IMACTL_KEY_RSA_3072);
	assert_int_equal(imactl_key_algo_by_name("ec-p384"), IMACTL_KEY_EC_P384);
	assert_int_equal(imactl_key_algo_by_name("ed25519"), -EINVAL);
	assert_int_equal(imactl_key_algo_by_name(NULL), -EINVAL);
	assert_string_equal(imactl_key_algo_name(IMACTL_KEY_EC_P256), "ec-p256");
	assert_null(imactl_key_algo_name(0));
	assert_null(imactl_key_algo_name(99));
	assert_null(imactl_keygen_files(0));
	assert_string_equal(imactl_keygen_files(IMACTL_KEYGEN_CA)[0], "ima-local-ca.priv");
}

static int pass_fn(void *data, char *buf, size_t size)
{
	const char *p = data;

	assert_true(strlen(p) <= size);
	memcpy(buf, p, strlen(p));
	return (int)strlen(p);
}

static void ca_signer_and_checks(void **state)
{
	struct imactl_keygen_params p = { .key_algo = IMACTL_KEY_EC_P256 };
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_cert_report *r = NULL;
	struct imactl_cert *ca = NULL, *crt = NULL;
	struct imactl_key *ca_key = NULL, *key = NULL;
	char *dir = strdup(new_dir("keygen"));
	struct stat st;

	(void)state;
	/* bad parameters, before anything is made */
	assert_int_equal(imactl_keygen(ctx, 0, dir, &p), -EINVAL);
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_CA, NULL, &p), -EINVAL);
	p.key_algo = 42;
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_CA, dir, &p), -EINVAL);
	p.key_algo = IMACTL_KEY_EC_P256;
	p.days = 36501;
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_CA, dir, &p), -EINVAL);
	p.days = 0;
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_SIGNER, dir, &p), -EINVAL);
	p.subject = "CN";
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_CA, dir, &p), -EINVAL);
	assert_non_null(strstr(last_log, "not KEY=VALUE"));
	p.subject = "O=a\\,b, CN=unit CA";
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_DEBUG, dir, &p), -EINVAL);
	assert_int_equal(test_count_entries(dir), 0);

	/* a CA, encrypted */
	p.pass_fn = pass_fn;
	p.pass_data = "unit secret";
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_CA, dir, &p), 0);
	assert_int_equal(test_count_entries(dir), 3);
	assert_int_equal(stat(test_path_in(dir, "ima-local-ca.priv"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_CA, dir, &p), -EEXIST);
	assert_int_equal(
		imactl_key_load(ctx, test_path_in(dir, "ima-local-ca.priv"), NULL, NULL, &ca_key),
		-EKEYREJECTED);
	assert_int_equal(imactl_key_load(ctx, test_path_in(dir, "ima-local-ca.priv"), pass_fn,
					 "unit secret", &ca_key),
			 0);
	assert_int_equal(imactl_cert_load(ctx, test_path_in(dir, "ima-local-ca.x509"), &ca), 0);

	/* a signer: the CA key must match, and the CA must be a CA */
	p = (struct imactl_keygen_params){ .key_algo = IMACTL_KEY_EC_P256,
					   .ca_cert = ca,
					   .ca_key = ca_key };
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_SIGNER, dir, &p), 0);
	assert_int_equal(test_count_entries(dir), 6);
	assert_int_equal(
		imactl_key_load(ctx, test_path_in(dir, "privkey_ima.pem"), NULL, NULL, &key), 0);
	assert_int_equal(imactl_cert_load(ctx, test_path_in(dir, "x509_ima.der"), &crt), 0);
	assert_int_equal(imactl_key_set_cert(key, crt), 0);
	assert_int_equal(imactl_cert_time_check(crt, 0), 0);
	assert_int_equal(imactl_cert_time_check(crt, 4102444800LL * 2), -EKEYEXPIRED);
	assert_int_equal(imactl_cert_time_check(crt, 946684800), -ERANGE);
	p.flags = IMACTL_KEYGEN_FORCE;
	p.ca_key = key; /* not the CA's key */
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_SIGNER, dir, &p), -EKEYREJECTED);
	p.ca_cert = crt; /* not a CA */
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_SIGNER, dir, &p), -EINVAL);

	/* cert check: the signer passes, the CA as a signer fails */
	assert_int_equal(imactl_cert_check(ctx, test_path_in(dir, "x509_ima.der"),
					   test_path_in(dir, "ima-local-ca.pem"), 0, &r),
			 0);
	assert_int_equal(r->errors, 0);
	assert_int_equal(r->warnings, 0);
	assert_int_equal(r->keyid, imactl_cert_keyid(crt));
	imactl_cert_report_free(r);
	r = NULL;
	assert_int_equal(imactl_cert_check(ctx, test_path_in(dir, "ima-local-ca.pem"), NULL, 0, &r),
			 0);
	assert_int_equal(r->errors, 2);
	imactl_cert_report_free(r);
	r = NULL;
	assert_int_equal(imactl_cert_check(ctx, test_path_in(dir, "csr_ima.pem"), NULL, 0, &r),
			 -EBADMSG);
	assert_null(r);
	assert_int_equal(imactl_cert_check(ctx, test_path_in(dir, "nonexistent"), NULL, 0, &r),
			 -ENOENT);
	imactl_cert_report_free(NULL);

	imactl_cert_free(crt);
	imactl_cert_free(ca);
	imactl_key_free(key);
	imactl_key_free(ca_key);
	imactl_ctx_free(ctx);
	free(dir);
}

static void existing_key_self_signed(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = NULL;
	struct imactl_cert *crt = NULL;
	struct imactl_keygen_params p = { 0 };
	char *dir = strdup(new_dir("existing"));
	char *ca_dir = strdup(new_dir("existing-ca"));

	(void)state;
	assert_int_equal(imactl_key_load(ctx, test_key_path("ec384.key"), NULL, NULL, &key), 0);
	assert_false(imactl_key_is_hardware(key));
	imactl_key_set_serialized(key, true); /* no effect on a file key */
	p.key = key;
	p.pass_fn = pass_fn; /* an existing key is not re-encrypted */
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_SELF_SIGNED, dir, &p), -EINVAL);
	p.pass_fn = NULL;
	/* debug makes both of its keys itself */
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_DEBUG, dir, &p), -EINVAL);
	assert_int_equal(test_count_entries(dir), 0);
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_SELF_SIGNED, dir, &p), 0);
	assert_int_equal(test_count_entries(dir), 1); /* x509_ima.der only */
	/* a CA over the existing key (e.g. in a token): certificates only */
	assert_int_equal(imactl_keygen(ctx, IMACTL_KEYGEN_CA, ca_dir, &p), 0);
	assert_int_equal(test_count_entries(ca_dir), 2); /* ima-local-ca.pem, .x509 */
	assert_int_equal(imactl_cert_load(ctx, test_path_in(ca_dir, "ima-local-ca.pem"), &crt), 0);
	assert_int_equal(imactl_key_set_cert(key, crt), 0); /* the CA is that key's */
	imactl_cert_free(crt);
	crt = NULL;
	assert_int_equal(imactl_cert_load(ctx, test_path_in(dir, "x509_ima.der"), &crt), 0);
	assert_int_equal(imactl_key_set_cert(key, crt), 0);
	imactl_cert_free(crt);
	imactl_key_free(key);
	imactl_ctx_free(ctx);
	free(dir);
	free(ca_dir);
}

static void pkcs11_uri_errors(void **state)
{
	struct imactl_ctx *ctx = test_ctx();
	struct imactl_key *key = NULL;
	int ret;

	(void)state;
	/* (tokens, modules and PINs: tests/cli/cli_pkcs11.sh, with SoftHSM2) */
	ret = imactl_key_load(ctx, "pkcs11:token=x;object=y?pin-value=%zz", NULL, NULL, &key);
	assert_int_equal(ret, -EINVAL);
	assert_null(key);
	imactl_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(algo_names),
		cmocka_unit_test(ca_signer_and_checks),
		cmocka_unit_test(existing_key_self_signed),
		cmocka_unit_test(pkcs11_uri_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
