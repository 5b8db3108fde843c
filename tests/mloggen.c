// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mloggen: writes deterministic IMA measurement lists for tests and
 * benchmarks, with real template hashes (computed here with OpenSSL
 * directly, independently of libimactl's replay) and real signatures, and
 * the PCR values a TPM would hold after them.
 *
 *   mloggen [--format binary|ascii] [--template T[,T...]] [--count N]
 *           [--key KEY] [--other-key KEY] [--violation N] [--big-endian]
 *           [--padded] [--pcr-at K] [--tpm-dir DIR] [--pcrs-file ALG,FILE]
 *           [--procs N] [--target-bits 64|32] [--entries SPEC]
 *           [--names FILE [--root DIR] [--xattr-user]] OUT
 *
 * Templates: ima, ima-ng, ima-sig, ima-sigv2, ima-buf (several: cycled).
 * Entry 1 is boot_aggregate (over PCRs 0-7 sha1 / 0-9 sha256 from the
 * generated TPM banks).  --key signs every ima-sig/ima-sigv2 entry (one
 * entry in 7 is left unsigned); --other-key signs entry 5 with another key.
 * --pcr-at K: the TPM values reflect only the first K entries.
 * --target-bits: evm-sig entries signed for a 64-bit (default) or 32-bit
 * system (struct h_misc of 24 or 20 bytes).
 * --entries SPEC: entries 2.. from SPEC instead, one per line, TAB-separated:
 * TEMPLATE NAME CONTENT [SIG]; NAME and CONTENT take \xNN \t \n \s (space)
 * \\ escapes, CONTENT "@FILE" is FILE's bytes; the digest is sha256 (sha1 for
 * ima) of CONTENT, ima-buf logs CONTENT as buf; SIG (ima-sig, ima-sigv2):
 * none (default), good (--key over the digest), bad (--key over another
 * digest), other (--other-key).
 * --names FILE: entries 2.. measure the paths of FILE (one a line, cycled)
 * instead of /usr/bin/fileN, logged as the kernel logs them (each space
 * becomes '_'); with --root DIR their digests are those of DIR/PATH and an
 * ima-sig entry carries the file's security.ima (user.ima with
 * --xattr-user), as the kernel's list of a booted DIR would.
 */
#include "imactl.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#define NBANKS 4
static const char *const bank_names[NBANKS] = { "sha1", "sha256", "sha384", "sha512" };
static const int bank_sizes[NBANKS] = { 20, 32, 48, 64 };

static uint8_t pcr[NBANKS][24][64];
static uint8_t pcr_at[NBANKS][24][64]; /* values after --pcr-at entries */
static bool big_endian, padded;
static unsigned int target_bits = 64; /* evm-sig: the signing system's word size */

static void md(const char *name, const void *a, size_t alen, const void *b, size_t blen,
	       uint8_t *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_get_digestbyname(name), NULL);
	EVP_DigestUpdate(c, a, alen);
	if (blen)
		EVP_DigestUpdate(c, b, blen);
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

static char **names;
static unsigned int nnames;

/* --names FILE: one path a line. */
static void read_names(const char *file)
{
	static char line[4096];
	FILE *f = fopen(file, "r");

	if (!f)
		exit(3);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		names = realloc(names, (nnames + 1) * sizeof(*names));
		if (!names || !(names[nnames++] = strdup(line)))
			exit(3);
	}
	fclose(f);
}

/* The digest of ROOT/PATH and its IMA xattr (*sig_len 0: none). */
static void real_file(const char *root, const char *path, bool user, const char *algo,
		      uint8_t *digest, uint8_t *sig, size_t *sig_len)
{
	char full[8192];
	static uint8_t data[1 << 20];
	ssize_t n;
	int fd;

	snprintf(full, sizeof(full), "%s%s", root, path);
	fd = open(full, O_RDONLY | O_NOFOLLOW);
	if (fd < 0 || (n = read(fd, data, sizeof(data))) < 0 || n == sizeof(data))
		exit(3);
	close(fd);
	md(algo, data, n, NULL, 0, digest);
	n = lgetxattr(full, user ? "user.ima" : "security.ima", sig, 600);
	*sig_len = n > 0 ? (size_t)n : 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	if (big_endian) {
		p[0] = v >> 24;
		p[1] = v >> 16;
		p[2] = v >> 8;
		p[3] = v;
	} else {
		p[0] = v;
		p[1] = v >> 8;
		p[2] = v >> 16;
		p[3] = v >> 24;
	}
}

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void add(struct buf *b, const void *p, size_t len)
{
	if (!len)
		return;
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 256;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			exit(3);
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
}

static void add32(struct buf *b, uint32_t v)
{
	uint8_t t[4];

	put32(t, v);
	add(b, t, 4);
}

static void field(struct buf *b, const void *p, size_t len)
{
	add32(b, len);
	add(b, p, len);
}

static void hexs(FILE *f, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}

static void extend(unsigned int idx, const uint8_t *data, size_t len, const uint8_t *sha1_th,
		   bool violation)
{
	for (int b = 0; b < NBANKS; b++) {
		uint8_t th[64] = { 0 };

		if (violation)
			memset(th, 0xff, sizeof(th));
		else if (b == 0 || padded)
			memcpy(th, sha1_th, 20);
		else
			md(bank_names[b], data, len, NULL, 0, th);
		md(bank_names[b], pcr[b][idx], bank_sizes[b], th, bank_sizes[b], pcr[b][idx]);
	}
}

/* H(PCR0 || ... || PCRn-1) of bank @b */
static void boot_aggregate(int b, int n, uint8_t *out)
{
	uint8_t cat[10 * 64];

	for (int i = 0; i < n; i++)
		memcpy(cat + i * bank_sizes[b], pcr[b][i], bank_sizes[b]);
	md(bank_names[b], cat, n * bank_sizes[b], NULL, 0, out);
}

/*
 * evm-sig fields of a real file: OUT.evmfile gets "content N", is signed
 * by libimactl (user.ima signature + user.evm portable signature), and its
 * xattrs and owner/mode become the template's fields.
 */
static void evm_fields(struct imactl_key *key, const char *out, unsigned int i, struct buf *data)
{
	struct imactl_sign_params sp = { .hash_algo = IMACTL_HASH_SHA256,
					 .ima = IMACTL_IMA_SIG,
					 .evm = IMACTL_EVM_PORTABLE,
					 .target_bits = target_bits };
	struct imactl_signed_values sv = { 0 };
	struct imactl_ctx *ctx = NULL;
	char path[4096], content[64];
	struct stat st;
	uint8_t lens[4], u16[2];
	uint32_t id;
	int fd;

	snprintf(path, sizeof(path), "%s.evmfile", out);
	snprintf(content, sizeof(content), "content %u", i);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t)strlen(content) ||
	    imactl_ctx_new(&ctx) < 0)
		exit(3);
	imactl_set_xattr_user(ctx, true);
	if (imactl_sign_fd(ctx, fd, key, &sp, &sv) < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "mloggen: cannot sign %s with user xattrs\n", path);
		exit(3);
	}
	close(fd);
	unlink(path);
	field(data, sv.evm, sv.evm_len);
	field(data, "security.ima", strlen("security.ima") + 1);
	put32(lens, sv.ima_len);
	field(data, lens, 4);
	field(data, sv.ima, sv.ima_len);
	id = st.st_uid;
	put32(lens, id);
	field(data, lens, 4);
	id = st.st_gid;
	put32(lens, id);
	field(data, lens, 4);
	if (big_endian) {
		u16[0] = st.st_mode >> 8;
		u16[1] = st.st_mode;
	} else {
		u16[0] = st.st_mode;
		u16[1] = st.st_mode >> 8;
	}
	field(data, u16, 2);
	imactl_signed_values_free(&sv);
	imactl_ctx_free(ctx);
}

struct spec {
	char tmpl[32], sig[8];
	char *name;
	uint8_t *content;
	size_t clen;
};

static size_t unescape(const char *in, char *out)
{
	size_t o = 0;

	for (size_t i = 0; in[i]; i++) {
		if (in[i] != '\\' || !in[i + 1]) {
			out[o++] = in[i];
			continue;
		}
		switch (in[++i]) {
		case 'x': {
			unsigned int v = 0;

			sscanf(in + i + 1, "%2x", &v);
			out[o++] = (char)v;
			i += 2;
			break;
		}
		case 't':
			out[o++] = '\t';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 's':
			out[o++] = ' ';
			break;
		default:
			out[o++] = in[i];
		}
	}
	out[o] = '\0';
	return o;
}

static unsigned int read_spec(const char *path, struct spec **spec_ret)
{
	FILE *f = fopen(path, "r");
	struct spec *spec = NULL;
	unsigned int n = 0;
	char line[8192];

	if (!f)
		exit(3);
	while (fgets(line, sizeof(line), f)) {
		char *fld[4] = { NULL, NULL, NULL, "none" }, *save = NULL;
		struct spec *s;
		int k = 0;

		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		for (char *t = strtok_r(line, "\t", &save); t && k < 4;
		     t = strtok_r(NULL, "\t", &save))
			fld[k++] = t;
		if (k < 3)
			exit(2);
		spec = realloc(spec, (n + 1) * sizeof(*spec));
		if (!spec)
			exit(3);
		s = &spec[n++];
		snprintf(s->tmpl, sizeof(s->tmpl), "%s", fld[0]);
		snprintf(s->sig, sizeof(s->sig), "%s", fld[3]);
		s->name = malloc(strlen(fld[1]) + 1);
		if (!s->name)
			exit(3);
		unescape(fld[1], s->name);
		if (fld[2][0] == '@') {
			FILE *c = fopen(fld[2] + 1, "rb");

			s->content = malloc(65536);
			if (!c || !s->content)
				exit(3);
			s->clen = fread(s->content, 1, 65536, c);
			fclose(c);
		} else {
			s->content = malloc(strlen(fld[2]) + 1);
			if (!s->content)
				exit(3);
			s->clen = unescape(fld[2], (char *)s->content);
		}
	}
	fclose(f);
	*spec_ret = spec;
	return n;
}

static void write_tpm_dir(const char *dir)
{
	char path[4096];

	mkdir(dir, 0755);
	for (int b = 0; b < NBANKS; b++) {
		snprintf(path, sizeof(path), "%s/pcr-%s", dir, bank_names[b]);
		mkdir(path, 0755);
		for (int i = 0; i < 24; i++) {
			FILE *f;

			snprintf(path, sizeof(path), "%s/pcr-%s/%d", dir, bank_names[b], i);
			f = fopen(path, "w");
			if (!f)
				exit(3);
			for (int k = 0; k < bank_sizes[b]; k++)
				fprintf(f, "%02X", pcr_at[b][i][k]);
			fprintf(f, "\n");
			fclose(f);
		}
	}
}

static void write_pcrs_file(const char *spec)
{
	const char *comma = strchr(spec, ',');
	int b;
	FILE *f;

	for (b = 0; b < NBANKS; b++)
		if (comma && (size_t)(comma - spec) == strlen(bank_names[b]) &&
		    !strncmp(spec, bank_names[b], comma - spec))
			break;
	if (!comma || b == NBANKS) {
		fprintf(stderr, "mloggen: --pcrs-file ALG,FILE\n");
		exit(2);
	}
	f = fopen(comma + 1, "w");
	if (!f)
		exit(3);
	for (int i = 0; i < 24; i++) {
		fprintf(f, "PCR-%02d: ", i);
		hexs(f, pcr_at[b][i], bank_sizes[b]);
		fprintf(f, "\n");
	}
	fclose(f);
}

static int pass_cb(void *data, char *buf, size_t size)
{
	(void)data;
	(void)buf;
	(void)size;
	return -ENOKEY;
}

/* Signs @n digests (sha256 of "content N") in @procs processes; sigs[i] */
static void sign_all(struct imactl_ctx *ctx, struct imactl_key *key, unsigned int n, int procs,
		     uint8_t (*sigs)[600], size_t *lens, const bool *want)
{
	char tmpl[] = "/tmp/mloggen-XXXXXX";
	int fd = mkstemp(tmpl);
	size_t rec = 600 + sizeof(size_t);

	if (fd < 0 || ftruncate(fd, (off_t)n * rec) < 0)
		exit(3);
	unlink(tmpl);
	for (int p = 0; p < procs; p++) {
		pid_t pid = procs > 1 ? fork() : 0;

		if (pid < 0)
			exit(3);
		if (pid > 0)
			continue;
		for (unsigned int i = p; i < n; i += procs) {
			struct imactl_digest d = { .algo = IMACTL_HASH_SHA256, .len = 32 };
			char content[64];
			uint8_t *v = NULL, out[600 + sizeof(size_t)] = { 0 };
			size_t len = 0;

			if (!want[i])
				continue;
			snprintf(content, sizeof(content), "content %u", i);
			md("sha256", content, strlen(content), NULL, 0, d.bytes);
			if (imactl_sign_digest(ctx, key, IMACTL_XATTR_DIGSIG, &d, &v, &len) < 0 ||
			    len > 600)
				_exit(3);
			memcpy(out, v, len);
			memcpy(out + 600, &len, sizeof(len));
			imactl_free(v);
			if (pwrite(fd, out, rec, (off_t)i * rec) != (ssize_t)rec)
				_exit(3);
		}
		if (procs > 1)
			_exit(0);
	}
	for (int p = 0; procs > 1 && p < procs; p++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			exit(3);
	}
	for (unsigned int i = 0; i < n; i++) {
		uint8_t r[600 + sizeof(size_t)];

		if (pread(fd, r, rec, (off_t)i * rec) != (ssize_t)rec)
			exit(3);
		memcpy(sigs[i], r, 600);
		memcpy(&lens[i], r + 600, sizeof(size_t));
	}
	close(fd);
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "format", 1, NULL, 'f' },
		{ "template", 1, NULL, 't' },
		{ "count", 1, NULL, 'n' },
		{ "key", 1, NULL, 'k' },
		{ "other-key", 1, NULL, 'o' },
		{ "violation", 1, NULL, 'V' },
		{ "big-endian", 0, NULL, 'B' },
		{ "padded", 0, NULL, 'P' },
		{ "pcr-at", 1, NULL, 'a' },
		{ "tpm-dir", 1, NULL, 'T' },
		{ "pcrs-file", 1, NULL, 'F' },
		{ "procs", 1, NULL, 'j' },
		{ "unsigned-every", 1, NULL, 'U' },
		{ "target-bits", 1, NULL, 'W' },
		{ "entries", 1, NULL, 'e' },
		{ "names", 1, NULL, 'N' },
		{ "root", 1, NULL, 'R' },
		{ "xattr-user", 0, NULL, 'X' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "binary", *templates = "ima-ng", *key_path = NULL, *other_path = NULL,
		   *tpm_dir = NULL, *pcrs_files[8], *root = NULL;
	bool xattr_user = false;
	unsigned int count = 10, violation = 0, unsigned_every = 7, npcrs_files = 0, pcr_at_n = ~0u;
	char *tlist[8];
	unsigned int ntemplates = 0;
	struct imactl_ctx *ctx = NULL;
	struct imactl_key *key = NULL, *other = NULL;
	uint8_t(*sigs)[600] = NULL;
	size_t *siglens = NULL;
	bool *want = NULL;
	bool other_done = false;
	struct spec *spec = NULL;
	unsigned int nspec = 0;
	int procs = 1, c;
	FILE *out;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 't':
			templates = optarg;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'k':
			key_path = optarg;
			break;
		case 'o':
			other_path = optarg;
			break;
		case 'V':
			violation = strtoul(optarg, NULL, 10);
			break;
		case 'B':
			big_endian = true;
			break;
		case 'P':
			padded = true;
			break;
		case 'a':
			pcr_at_n = strtoul(optarg, NULL, 10);
			break;
		case 'T':
			tpm_dir = optarg;
			break;
		case 'F':
			if (npcrs_files < 8)
				pcrs_files[npcrs_files++] = optarg;
			break;
		case 'j':
			procs = atoi(optarg);
			break;
		case 'U':
			unsigned_every = strtoul(optarg, NULL, 10);
			break;
		case 'W':
			target_bits = strtoul(optarg, NULL, 10);
			break;
		case 'e':
			nspec = read_spec(optarg, &spec);
			count = nspec + 1;
			break;
		case 'N':
			read_names(optarg);
			break;
		case 'R':
			root = optarg;
			break;
		case 'X':
			xattr_user = true;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || count == 0 || (root && (!nnames || key_path)) ||
	    (strstr(templates, "evm-sig") && (strcmp(format, "binary") || !key_path)))
		return 2; /* evm-sig: binary lists with --key only */
	for (char *t = strtok(strdup(templates), ","); t && ntemplates < 8; t = strtok(NULL, ","))
		tlist[ntemplates++] = t;
	if (imactl_ctx_new(&ctx) < 0)
		return 3;
	if (key_path && imactl_key_load(ctx, key_path, pass_cb, NULL, &key) < 0)
		return 3;
	if (other_path && imactl_key_load(ctx, other_path, pass_cb, NULL, &other) < 0)
		return 3;
	out = fopen(argv[optind], "w");
	if (!out)
		return 3;

	/* PCRs 0-9: fixed values per bank; boot_aggregate over them */
	for (int b = 0; b < NBANKS; b++)
		for (int i = 0; i < 10; i++) {
			char s[16];

			snprintf(s, sizeof(s), "pcr%d", i);
			md(bank_names[b], s, strlen(s), NULL, 0, pcr[b][i]);
		}

	if (key && !spec) {
		sigs = calloc(count, sizeof(*sigs));
		siglens = calloc(count, sizeof(*siglens));
		want = calloc(count, sizeof(*want));
		if (!sigs || !siglens || !want)
			return 3;
		for (unsigned int i = 1; i < count; i++) {
			const char *t = tlist[i % ntemplates];

			want[i] = (!strcmp(t, "ima-sig") || !strcmp(t, "ima-sigv2")) &&
				  (!unsigned_every || i % unsigned_every != 3) &&
				  i + 1 != violation;
		}
		sign_all(ctx, key, count, procs, sigs, siglens, want);
	}

	for (unsigned int i = 0; i < count; i++) {
		const struct spec *sp = i && spec ? &spec[i - 1] : NULL;
		const char *t = sp	 ? sp->tmpl
				: i == 0 ? (strcmp(tlist[0], "ima") ? "ima-ng" : "ima")
					 : tlist[i % ntemplates];
		bool is_ima = !strcmp(t, "ima"), viol = i + 1 == violation, other_sig = false;
		struct buf data = { 0 };
		uint8_t digest[64], th[20], tmp[128];
		size_t dlen = 32;
		char path[4096], content[64];
		const uint8_t *cbytes = (const uint8_t *)content;
		size_t clen = 0;
		const char *algo = "sha256";
		uint8_t *sig = NULL, real_sig[600];
		size_t sig_len = 0;

		if (i == 0) {
			strcpy(path, "boot_aggregate");
			if (is_ima) {
				algo = "sha1";
				dlen = 20;
				boot_aggregate(0, 8, digest);
			} else {
				boot_aggregate(1, 10, digest);
			}
		} else {
			snprintf(path, sizeof(path), "/usr/bin/file%06u", i);
			snprintf(content, sizeof(content), "content %u", i);
			clen = strlen(content);
			if (sp) {
				snprintf(path, sizeof(path), "%s", sp->name);
				cbytes = sp->content;
				clen = sp->clen;
			}
			if (is_ima) {
				algo = "sha1";
				dlen = 20;
			}
			md(algo, cbytes, clen, NULL, 0, digest);
			if (nnames)
				snprintf(path, sizeof(path), "%s", names[(i - 1) % nnames]);
			if (root) {
				real_file(root, path, xattr_user, algo, digest, real_sig, &sig_len);
				if (sig_len)
					sig = real_sig;
			}
			/* ima_write_template_field_data(): each space becomes '_' */
			for (char *p = path; *p; p++)
				if (*p == ' ')
					*p = '_';
		}
		if (viol) {
			dlen = 20;
			memset(digest, 0, sizeof(digest));
		}
		if (key && want && want[i]) {
			sig = sigs[i];
			sig_len = siglens[i];
		}
		if (sp && strcmp(sp->sig, "none") && !viol) {
			struct imactl_key *k = strcmp(sp->sig, "other") ? key : other;
			struct imactl_digest d = { .algo = IMACTL_HASH_SHA256, .len = 32 };

			memcpy(d.bytes, digest, 32);
			if (!strcmp(sp->sig, "bad"))
				d.bytes[0] ^= 1;
			if (!k ||
			    imactl_sign_digest(ctx, k, IMACTL_XATTR_DIGSIG, &d, &sig, &sig_len) < 0)
				return 3;
			other_sig = true; /* freed below */
		}
		if (other && !spec && i >= 4 && !other_done && !strncmp(t, "ima-sig", 7) && !viol) {
			other_done = true;
			other_sig = true;
			struct imactl_digest d = { .algo = IMACTL_HASH_SHA256, .len = 32 };

			memcpy(d.bytes, digest, 32);
			if (imactl_sign_digest(ctx, other, IMACTL_XATTR_DIGSIG, &d, &sig,
					       &sig_len) < 0)
				return 3;
		}
		if (is_ima) {
			/* hash input: digest, name NUL-padded to 256 */
			uint8_t h[20 + 256] = { 0 };

			memcpy(h, digest, 20);
			memcpy(h + 20, path, strlen(path));
			add(&data, h, sizeof(h));
		} else {
			size_t pl;

			if (!strcmp(t, "ima-sigv2"))
				pl = (size_t)sprintf((char *)tmp, "ima:%s:", algo) + 1;
			else
				pl = (size_t)sprintf((char *)tmp, "%s:", algo) + 1;
			memcpy(tmp + pl, digest, dlen);
			field(&data, tmp, pl + dlen);
			field(&data, path, strlen(path) + 1);
			if (!strcmp(t, "ima-sig") || !strcmp(t, "ima-sigv2"))
				field(&data, sig, sig_len);
			if (!strcmp(t, "ima-buf"))
				field(&data, cbytes, i ? clen : 0);
			if (!strcmp(t, "evm-sig")) {
				if (!key)
					return 2;
				evm_fields(key, argv[optind], i, &data);
			}
		}
		if (viol)
			memset(th, 0, 20);
		else
			md("sha1", data.p, data.len, NULL, 0, th);
		extend(10, data.p, data.len, th, viol);

		if (!strcmp(format, "binary")) {
			uint8_t hdr[4];

			put32(hdr, 10);
			fwrite(hdr, 4, 1, out);
			fwrite(th, 20, 1, out);
			put32(hdr, strlen(t));
			fwrite(hdr, 4, 1, out);
			fwrite(t, strlen(t), 1, out);
			if (is_ima) {
				fwrite(digest, 20, 1, out);
				put32(hdr, strlen(path));
				fwrite(hdr, 4, 1, out);
				fwrite(path, strlen(path), 1, out);
			} else {
				put32(hdr, data.len);
				fwrite(hdr, 4, 1, out);
				fwrite(data.p, data.len, 1, out);
			}
		} else {
			fprintf(out, "10 ");
			hexs(out, th, 20);
			fprintf(out, " %s ", t);
			if (is_ima) {
				hexs(out, digest, 20);
				fprintf(out, " %s\n", path);
			} else {
				fprintf(out, "%s%s:", !strcmp(t, "ima-sigv2") ? "ima:" : "", algo);
				hexs(out, digest, dlen);
				fprintf(out, " %s", path);
				if (!strcmp(t, "ima-sig") || !strcmp(t, "ima-sigv2")) {
					fprintf(out, " ");
					hexs(out, sig, sig_len);
				}
				if (!strcmp(t, "ima-buf")) {
					fprintf(out, " ");
					hexs(out, cbytes, i ? clen : 0);
				}
				fprintf(out, "\n");
			}
		}
		if (i + 1 == pcr_at_n)
			memcpy(pcr_at, pcr, sizeof(pcr));
		if (other_sig)
			imactl_free(sig);
		free(data.p);
	}
	if (pcr_at_n == ~0u || pcr_at_n > count)
		memcpy(pcr_at, pcr, sizeof(pcr));
	if (fclose(out) != 0)
		return 3;
	if (tpm_dir)
		write_tpm_dir(tpm_dir);
	for (unsigned int i = 0; i < npcrs_files; i++)
		write_pcrs_file(pcrs_files[i]);
	free(sigs);
	free(siglens);
	free(want);
	for (unsigned int i = 0; i < nspec; i++) {
		free(spec[i].name);
		free(spec[i].content);
	}
	free(spec);
	imactl_key_free(key);
	imactl_key_free(other);
	imactl_ctx_free(ctx);
	return 0;
}
