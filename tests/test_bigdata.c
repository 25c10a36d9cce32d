/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Big data values that are whole and undamaged (mkhostile bigdata-valid,
 * from mkhive's software64-net48): values of more than 16344 bytes kept
 * in segments, as Windows keeps them in regf 1.4 and later.  Through the
 * real binary:
 *
 * - verify and inspect take the hive (exit 1: net4-tls12 is not met),
 *   and nothing calls it damaged;
 * - export writes each big value whole: every byte of the hex the .reg
 *   holds is the pattern mkhostile wrote (hives/README.md), the REG_SZ
 *   of 16345 bytes included, whose second segment holds 1 byte; libregf's
 *   regfexport, a reader independent of hivex, reads the REG_BINARY
 *   values the same (it shows the REG_SZ 1 byte short, as hivex does);
 * - apply of net4-tls12 refuses, before writing anything, to rewrite
 *   v4.0.30319 while it holds a big data value (hivex would write it
 *   back as one cell, which Windows cannot read): exit 3, the message
 *   naming the file, the key and the value, every file as it was;
 * - once that value is deleted (import), apply succeeds, and the big
 *   values of HKLM\SOFTWARE\BigData read back byte for byte. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "testutil.h"

#define BIG_KEY "HKLM\\SOFTWARE\\BigData"
#define V4 "HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319"
#define V4_SHOWN "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\" \
	"v4.0.30319"

/* A value of bigdata-valid and the pattern of its bytes (README). */
struct big {
	const char *name;
	const char *hex_tag;	/* how the .reg writes it */
	int is_sz;
	size_t len;
	unsigned seed;
};

static const struct big binary = { "Binary40000", "hex:", 0, 40000, 1 };
/* An odd length: no string a .reg can write, hex(1): instead. */
static const struct big sz = { "String16345", "hex(1):", 1, 16345, 2 };
static const struct big blob = { "BigBlob", "hex:", 0, 40000, 3 };

static unsigned char
pattern(const struct big *b, size_t i)
{
	if (b->is_sz)
		return i % 2 ? 0 : (unsigned char)('A' + (i / 2 + b->seed) % 26);
	return (unsigned char)((i * 7 + i / 256 + b->seed) % 256);
}

static char *
make_hive(void)
{
	char *base = tu_pathf("%s/base", tu_scratch);
	char *hive = tu_pathf("%s/img/SOFTWARE", tu_scratch);
	const char *argv[] = { tu_env_required("MKHOSTILE"), "bigdata-valid",
	    base, hive, NULL };
	struct tu_result r;

	tu_mkhive("software64-net48", base, 0);
	tu_mkdir_p(tu_pathf("%s/img", tu_scratch));
	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "mkhostile bigdata-valid: %s", r.err);
	tu_result_free(&r);
	return hive;
}

/* The .reg text `reg` holds value b whole: "NAME"=TAG and its bytes,
 * every one the pattern, no more and no fewer. */
static void
assert_reg_value(const char *reg, const struct big *b)
{
	char *head = tu_pathf("\"%s\"=%s", b->name, b->hex_tag);
	const char *p = strstr(reg, head);
	size_t n = 0;
	unsigned byte;

	ck_assert_msg(p != NULL, "the .reg lacks %s", head);
	for (p += strlen(head);; p += 2) {
		while (*p == ',' || *p == ' ' || (p[0] == '\\' && p[1] == '\n'))
			p += *p == '\\' ? 2 : 1;
		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]) ||
		    sscanf(p, "%2x", &byte) != 1)
			break;
		ck_assert_msg(n < b->len, "%s: more than %zu bytes", b->name,
		    b->len);
		ck_assert_msg(byte == pattern(b, n), "%s: byte %zu is %02x, "
		    "not %02x", b->name, n, byte, pattern(b, n));
		n++;
	}
	ck_assert_msg(n == b->len, "%s: %zu bytes exported, not %zu", b->name,
	    n, b->len);
}

/* export of `key` writes each value of vals[] whole. */
static void
assert_export(const char *hive, const char *key, const struct big *const *vals,
	      size_t n)
{
	char *out = tu_pathf("%s/export.reg", tu_scratch);
	unsigned char *reg;
	struct tu_result r;
	size_t len, i;

	tu_hp(&r, "export", "--output", out, hive, key, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_LACKS(r.err, "stderr", "damaged");
	tu_result_free(&r);
	reg = tu_read_file(out, &len);
	for (i = 0; i < n; i++)
		assert_reg_value((const char *)reg, vals[i]);
	free(reg);
	ck_assert(remove(out) == 0);
}

/* regfexport's hex dump of value b, in the key whose path ends `key`:
 * "Data size: N", then lines "OFFSET: hh hh ... hh  hh ... hh   text". */
static void
assert_regf_value(const char *text, const char *key, const struct big *b)
{
	const char *p = strstr(text, tu_pathf("\\%s\nKey: ", key));
	char *size = tu_pathf("Data size: %zu\nData:\n", b->len);
	size_t n = 0, j;
	unsigned byte;

	ck_assert_msg(p != NULL, "regfexport shows no key %s", key);
	p = strstr(p, tu_pathf(" %s\nType: ", b->name));
	ck_assert_msg(p != NULL, "regfexport shows no %s", b->name);
	p = strstr(p, "Data size: ");
	ck_assert_msg(p != NULL && strncmp(p, size, strlen(size)) == 0,
	    "regfexport: %s is not of %zu bytes", b->name, b->len);
	for (p += strlen(size); n < b->len; p = strchr(p, '\n') + 1) {
		ck_assert_msg(isxdigit((unsigned char)*p), "regfexport: %s "
		    "ends after %zu bytes", b->name, n);
		for (j = 0; j < 16 && n < b->len; j++, n++) {
			ck_assert(sscanf(p + 10 + 3 * j + (j >= 8), "%2x",
			    &byte) == 1);
			ck_assert_msg(byte == pattern(b, n), "regfexport: %s: "
			    "byte %zu is %02x, not %02x", b->name, n, byte,
			    pattern(b, n));
		}
	}
}

static void
assert_regf_binaries(const char *hive, int with_blob)
{
	char *text = tu_regfexport(hive);

	if (text == NULL)
		return;
	ck_assert_msg(*text != '\0', "regfexport cannot read %s", hive);
	assert_regf_value(text, "BigData", &binary);
	if (with_blob)
		assert_regf_value(text, "v4.0.30319", &blob);
	free(text);
}

START_TEST(test_big_data_is_read_whole)
{
	static const struct big *const big_key[] = { &binary, &sz };
	static const struct big *const v4[] = { &blob };
	char *hive = make_hive();
	char before[SHA256_HEX_LEN + 1];
	struct tu_dir_files files;
	struct tu_result r;

	assert_regf_binaries(hive, 1);
	tu_sha256(hive, before);
	tu_dir_files_take(&files, tu_pathf("%s/img", tu_scratch));
	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "missing   " V4 "  SchUseStrongCrypto");
	ASSERT_LACKS(r.out, "stdout", "damaged");
	ASSERT_LACKS(r.err, "stderr", "damaged");
	tu_result_free(&r);
	tu_hp(&r, "inspect", hive, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "ready:    no");
	ASSERT_LACKS(r.out, "stdout", "damaged");
	ASSERT_LACKS(r.err, "stderr", "damaged");
	tu_result_free(&r);
	assert_export(hive, BIG_KEY, big_key, 2);
	assert_export(hive, V4, v4, 1);
	ASSERT_HASH(hive, before);
	tu_assert_dir_unchanged(&files);
}
END_TEST

START_TEST(test_apply_keeps_big_data_whole)
{
	static const struct big *const big_key[] = { &binary, &sz };
	char *hive = make_hive();
	char *reg = tu_pathf("%s/del.reg", tu_scratch);
	char before[SHA256_HEX_LEN + 1];
	struct tu_dir_files files;
	struct tu_result r;
	FILE *fp;

	tu_sha256(hive, before);
	tu_dir_files_take(&files, tu_pathf("%s/img", tu_scratch));
	/* hivex writes every value of a key anew when one is set, and
	 * cannot write big data: refused before anything is written. */
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, tu_pathf("%s: value 'BigBlob' of " V4 " holds "
	    "40000 bytes kept as big data, which hivex cannot write; setting "
	    "a value of the key would rewrite it, so hivepatch refuses", hive));
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	tu_assert_dir_unchanged(&files);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 0);

	/* Deleting the big value itself rewrites the others only. */
	fp = fopen(reg, "w");
	ck_assert(fp != NULL);
	fprintf(fp, "Windows Registry Editor Version 5.00\n\n[" V4_SHOWN
	    "]\n\"BigBlob\"=-\n");
	ck_assert(fclose(fp) == 0);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, reg, hive, NULL);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_RUN(0, "verify", hive, NULL);
	assert_export(hive, BIG_KEY, big_key, 2);
	assert_regf_binaries(hive, 0);
}
END_TEST

static Suite *
bigdata_suite(void)
{
	Suite *s = suite_create("bigdata");
	TCase *tc = tu_tcase(s, "valid");

	tcase_add_test(tc, test_big_data_is_read_whole);
	tcase_add_test(tc, test_apply_keeps_big_data_whole);
	return s;
}

int
main(void)
{
	return tu_run_suite(bigdata_suite(), "hivepatch-test-bigdata");
}
