/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An image that tries to talk to the terminal: mkhive's tree-hostile
 * (hives/README.md), with ESC and C1 sequences, CR, LF, DEL, bidi
 * overrides and a forged "result:   compliant" line in its ProductName,
 * EditionID, CurrentBuild, value data and key and value names, laid in
 * a directory whose own name does the same.  Every command runs the real
 * binary: what it prints holds no control character but its line ends,
 * every forged line stays inside an escaped one, the exit status is the
 * documented one, messages name the file, and nothing in the image
 * changes.  The escaping itself (hp_escape_text) is checked first. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "hivepatch.h"
#include "testutil.h"

#define FORGED "result:   compliant"
/* The tree's directory: its name clears the screen and forges a line. */
#define HOSTILE_DIR "img\x1b[31m\n" FORGED "\x07"
#define SOFTWARE_KEY "HKLM\\SOFTWARE\\"

/* ---- the escaping ---- */

static void
assert_escapes(const char *in, const char *want)
{
	char *got = hp_escape_text_dup(in);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	/* Escaped text is plain, and escaping it again changes nothing. */
	ck_assert_int_eq(hp_text_is_plain(got), 1);
	ck_assert_int_eq(hp_text_is_plain(in), strcmp(in, want) == 0);
	free(got);
}

START_TEST(test_the_escaping_rule)
{
	char buf[8];

	assert_escapes("Windows 10 Pro", "Windows 10 Pro");
	assert_escapes("a\x1b[31mb", "a\\x1b[31mb");
	assert_escapes("1\r\n" FORGED, "1\\x0d\\x0a" FORGED);
	assert_escapes("\t\x7f\x01", "\\x09\\x7f\\x01");
	/* Backslashes stay: they separate the keys of a path. */
	assert_escapes("HKLM\\SOFTWARE\\x1b", "HKLM\\SOFTWARE\\x1b");
	/* UTF-8 is kept; C1 controls, separators and bidi controls not. */
	assert_escapes("caf\xc3\xa9 \xe6\x97\xa5", "caf\xc3\xa9 \xe6\x97\xa5");
	assert_escapes("\xc2\x9b" "31m", "\\xc2\\x9b31m");
	assert_escapes("a\xe2\x80\xae" "b\xe2\x80\xa8", "a\\xe2\\x80\\xaeb"
	    "\\xe2\\x80\\xa8");
	assert_escapes("\xe2\x81\xa6\xd8\x9c", "\\xe2\\x81\\xa6\\xd8\\x9c");
	/* Anything that is not well-formed UTF-8, byte by byte. */
	assert_escapes("\xff\xc0\xaf", "\\xff\\xc0\\xaf");
	assert_escapes("\xed\xa0\x80", "\\xed\\xa0\\x80");
	assert_escapes("\xe6\x97", "\\xe6\\x97");
	assert_escapes("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	/* Cut at a whole escape, and measured as snprintf measures. */
	ck_assert_int_eq((int)hp_escape_text(buf, sizeof(buf), "ab\x1b" "c"),
	    7);
	ck_assert_str_eq(buf, "ab\\x1bc");
	ck_assert_int_eq((int)hp_escape_text(buf, 6, "ab\x1b" "c"), 7);
	ck_assert_str_eq(buf, "ab");
	ck_assert_int_eq((int)hp_escape_text(buf, 4, "\xc3\xa9\xc3\xa9"), 4);
	ck_assert_str_eq(buf, "\xc3\xa9");
	ck_assert_int_eq((int)hp_escape_text(NULL, 0, "\n"), 4);
}
END_TEST

/* ---- what a run prints ---- */

/* No control character but the line ends, no DEL, no C1 control and no
 * bidi override, no line that starts as the forged one, and on stderr
 * only lines of hivepatch's own. */
static void
assert_clean_text(const char *what, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		ck_assert_msg((c >= 0x20 || c == '\n') && c != 0x7f, "%s: "
		    "byte 0x%02x at %zu:\n%s", what, c, i, s);
		ck_assert_msg(!(c == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] < 0xa0), "%s: a C1 control at "
		    "%zu:\n%s", what, i, s);
	}
	ASSERT_LACKS(s, what, "\xe2\x80\xae");
	ck_assert_msg(strncmp(s, FORGED, strlen(FORGED)) != 0 &&
	    strstr(s, "\n" FORGED) == NULL, "%s: a forged line:\n%s", what, s);
}

static void
assert_clean(const struct tu_result *r)
{
	const char *line;

	assert_clean_text("stdout", r->out, r->out_len);
	assert_clean_text("stderr", r->err, r->err_len);
	for (line = r->err; *line != '\0'; line = strchr(line, '\n') + 1) {
		ck_assert_msg(strncmp(line, "hivepatch", 9) == 0,
		    "a line on stderr not of hivepatch's:\n%s", r->err);
		if (strchr(line, '\n') == NULL)
			break;
	}
}

/* Runs hivepatch, checks the exit status and that what it printed is
 * clean. */
#define RUN_CLEAN(r, want, ...) do {					\
	tu_hp((r), __VA_ARGS__, NULL);					\
	ASSERT_STATUS((r), (want));					\
	assert_clean(r);						\
} while (0)

/* The hostile tree, and its files as they are before any run. */
struct hostile {
	char *root;
	char *software;
	struct tu_dir_files files;
};

static void
hostile_tree(struct hostile *t)
{
	t->root = tu_make_tree("tree-hostile", HOSTILE_DIR);
	t->software = tu_tree_file(t->root, "SOFTWARE");
	tu_dir_files_take(&t->files, t->root);
}

/* A string as the reports show it (a tu_pathf string). */
static char *
escaped(const char *s)
{
	char *e = hp_escape_text_dup(s);
	char *copy;

	ck_assert_ptr_nonnull(e);
	copy = tu_pathf("%s", e);
	free(e);
	return copy;
}

#define PRODUCT_SHOWN "Windows 10 Pro\\x1b[2J\\x1b]0;pwned\\x07\\x0d\\x0a" \
	FORGED "\\x0a\\xc2\\x9b31m\\x7f 22H2\\xe2\\x80\\xae\\x09\\x1b[5m " \
	"(build 19045\\x1b[0m\\x0a" FORGED "\\x0a)"
#define SUC_SHOWN "\"\\x1b[32m1\\x0a" FORGED "\\x0a\\x1b[2J\""

START_TEST(test_verify_shows_the_image_escaped)
{
	struct hostile t;
	struct tu_result r;

	hostile_tree(&t);
	RUN_CLEAN(&r, HP_NONCOMPLIANT, "verify", t.root);
	ASSERT_OUT(&r, "image:    " PRODUCT_SHOWN);
	ASSERT_OUT(&r, tu_pathf("hivepatch verify: %s\n", escaped(t.root)));
	ASSERT_OUT(&r, tu_pathf("SOFTWARE  %s\n", escaped(t.software)));
	ASSERT_OUT(&r, "SchUseStrongCrypto = dword:00000001 (is " SUC_SHOWN
	    ")\n");
	ck_assert_int_eq(tu_count_lines(r.out, "result:"), 1);
	ASSERT_OUT(&r, "\nresult:   not compliant: 2 of the keys");
	tu_result_free(&r);
	tu_assert_dir_unchanged(&t.files);
}
END_TEST

START_TEST(test_inspect_shows_the_image_escaped)
{
	struct hostile t;
	struct tu_result r;

	hostile_tree(&t);
	RUN_CLEAN(&r, HP_NONCOMPLIANT, "inspect", t.root);
	ASSERT_OUT(&r, "image:    " PRODUCT_SHOWN);
	ASSERT_OUT(&r, "\nedition:  Professional\\x1b[31m\\x0a" FORGED "\\x0a\n");
	ASSERT_OUT(&r, "SchUseStrongCrypto = " SUC_SHOWN "  [net4-tls12]\n");
	/* The library's message of auto's refusal, built from the build. */
	ASSERT_OUT(&r, "this image is build 19045\\x1b[0m\\x0a" FORGED "\\x0a)");
	ASSERT_OUT(&r, "\nready:    no\n");
	tu_result_free(&r);
	tu_assert_dir_unchanged(&t.files);
}
END_TEST

START_TEST(test_apply_dry_run_shows_the_image_escaped)
{
	struct hostile t;
	struct tu_result r;

	hostile_tree(&t);
	RUN_CLEAN(&r, HP_OK, "apply", "--dry-run", "--backup-dir", tu_bk,
	    t.root);
	ASSERT_OUT(&r, "image:    " PRODUCT_SHOWN);
	ASSERT_OUT(&r, "SchUseStrongCrypto = dword:00000001 (was " SUC_SHOWN
	    ")\n");
	ASSERT_OUT(&r, "\nresult:   dry run: 2 changes would be written\n");
	tu_result_free(&r);
	tu_assert_dir_unchanged(&t.files);
	ck_assert_int_eq(tu_count_files(tu_bk), 0);
}
END_TEST

/* A refusal whose message the library builds from the image's build. */
START_TEST(test_a_message_from_the_image_is_escaped)
{
	struct hostile t;
	struct tu_result r;
	struct json_object *j;

	hostile_tree(&t);
	RUN_CLEAN(&r, HP_REFUSED, "apply", "--profile", "auto", "--dry-run",
	    "--backup-dir", tu_bk, t.root);
	ck_assert_int_eq((int)r.out_len, 0);
	ASSERT_ERR(&r, "this image is build 19045\\x1b[0m\\x0a" FORGED "\\x0a\n");
	ck_assert_int_eq(tu_count_lines(r.err, "hivepatch: "), 1);
	tu_result_free(&r);
	/* JSON carries the same one-line message. */
	RUN_CLEAN(&r, HP_REFUSED, "apply", "--profile", "auto", "--dry-run",
	    "--json", "--backup-dir", tu_bk, t.root);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "reason"), "unsupported-os");
	ck_assert(strstr(tu_jstr(j, "error"), "build 19045\\x1b[0m\\x0a" FORGED
	    "\\x0a") != NULL);
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_dir_unchanged(&t.files);
}
END_TEST

/* A hive of no known kind, whose header names it with control
 * characters: the refusal names the file and the header, escaped. */
START_TEST(test_wrong_kind_names_the_file_escaped)
{
	char *dir = tu_pathf("%s/%s", tu_scratch, HOSTILE_DIR);
	char *hive = tu_pathf("%s/UNK\x1b[1m", dir);
	struct tu_dir_files files;
	struct tu_result r;

	tu_mkdir_p(dir);
	tu_mkhive("hostile-unknown", hive, 0);
	tu_dir_files_take(&files, dir);
	RUN_CLEAN(&r, HP_REFUSED, "verify", hive);
	ASSERT_ERR(&r, tu_pathf("hivepatch: %s: not a SOFTWARE hive (neither "
	    "its header name 'x\\x1b[2J\\x0d\\x0a" FORGED "' nor its root "
	    "keys say what it is)\n", escaped(hive)));
	tu_result_free(&r);
	RUN_CLEAN(&r, HP_REFUSED, "inspect", hive);
	ASSERT_ERR(&r, escaped(hive));
	tu_result_free(&r);
	tu_assert_dir_unchanged(&files);
}
END_TEST

/* A dirty hive its logs cannot recover: the refusal names each log, and
 * the directory with a log's name, by paths in the hostile directory. */
START_TEST(test_a_dirty_refusal_names_the_logs_escaped)
{
	char *root = tu_pathf("%s/%s", tu_scratch, HOSTILE_DIR);
	char *log2 = tu_tree_file(root, "SOFTWARE.LOG2");
	struct tu_dir_files files;
	struct tu_result r;

	tu_mkhive("tree-hostile", root, 1);
	ck_assert_int_eq(unlink(log2), 0);
	tu_mkdir_p(log2);
	tu_dir_files_take(&files, root);
	RUN_CLEAN(&r, HP_REFUSED, "verify", root);
	ASSERT_ERR(&r, tu_pathf("hivepatch: %s is dirty", escaped(
	    tu_tree_file(root, "SOFTWARE"))));
	ASSERT_ERR(&r, tu_pathf("recover it: %s: ", escaped(tu_tree_file(root,
	    "SOFTWARE.LOG1"))));
	ASSERT_ERR(&r, tu_pathf("; %s has a log's name but is not a regular "
	    "file: not a log of this hive", escaped(log2)));
	ck_assert_int_eq(tu_count_lines(r.err, "hivepatch: "), 1);
	tu_result_free(&r);
	tu_assert_dir_unchanged(&files);
}
END_TEST

/* JSON keeps the data exactly, written so that no terminal obeys it
 * either (\u001b, \u009b, \u202e), and its messages are the escaped
 * ones. */
START_TEST(test_json_keeps_the_data)
{
	struct hostile t;
	struct tu_result r;
	struct json_object *j;

	hostile_tree(&t);
	RUN_CLEAN(&r, HP_NONCOMPLIANT, "verify", "--json", t.root);
	ASSERT_OUT(&r, "\\u001b[2J");
	ASSERT_OUT(&r, "\\u009b31m\\u007f");
	ASSERT_OUT(&r, "22H2\\u202e\\t");
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "target"), t.root);
	ck_assert_str_eq(tu_jstr(j, "image.os.product"), "Windows 10 Pro"
	    "\x1b[2J\x1b]0;pwned\x07\r\n" FORGED "\n\xc2\x9b" "31m\x7f");
	ck_assert_str_eq(tu_jstr(j, "image.os.edition"), "Professional"
	    "\x1b[31m\n" FORGED "\n");
	ck_assert_str_eq(tu_jstr(j, "image.os.version"), "22H2\xe2\x80\xae"
	    "\t\x1b[5m");
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_dir_unchanged(&t.files);
}
END_TEST

/* ---- export ---- */

/* `reg` exported from the tree reads back, by import --dry-run into a
 * copy of the hive, as the very keys and values it came from: every
 * change is "already", and the keys are those of `keys`. */
static void
assert_reads_back(const struct hostile *t, const char *reg,
		  const char *const *keys, size_t n_keys)
{
	char *copy = tu_pathf("%s/SOFTWARE.copy", tu_scratch);
	struct json_object *j, *changes;
	struct tu_result r;
	size_t i, k, n;

	tu_copy_file(t->software, copy);
	tu_hp(&r, "import", "--dry-run", "--json", reg, copy, NULL);
	ASSERT_STATUS(&r, HP_OK);
	j = tu_parse_json(&r, "hivepatch-report/1");
	changes = tu_jarray(j, "changes");
	n = json_object_array_length(changes);
	ck_assert_int_gt((int)n, 0);
	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(changes, i);
		const char *key = tu_jstr(c, "key");

		ck_assert_msg(strcmp(tu_jstr(c, "status"), "already") == 0,
		    "%s reads back as %s:\n%s", key, tu_jstr(c, "status"),
		    r.out);
		for (k = 0; k < n_keys && strcmp(key, keys[k]) != 0; k++)
			;
		ck_assert_msg(k < n_keys, "%s: a key not exported", key);
	}
	json_object_put(j);
	tu_result_free(&r);
}

START_TEST(test_export_writes_hostile_strings_as_hex)
{
	static const char *const data_keys[] = {
		SOFTWARE_KEY "HostileData", SOFTWARE_KEY "HostileData\\a]b",
	};
	static const char *const cv_keys[] = {
		SOFTWARE_KEY "Microsoft\\Windows NT\\CurrentVersion",
	};
	char *reg = tu_pathf("%s/data.reg", tu_scratch);
	struct hostile t;
	struct tu_result r;
	unsigned char *text;
	size_t len;

	hostile_tree(&t);
	RUN_CLEAN(&r, HP_OK, "export", "--output", reg, t.root,
	    SOFTWARE_KEY "HostileData");
	tu_result_free(&r);
	text = tu_read_file(reg, &len);
	assert_clean_text("the export", (const char *)text, len);
	ASSERT_HAS((char *)text, "the export", "\n\"Text\"=hex(1):61,00,0a,00,");
	ASSERT_HAS((char *)text, "the export", "\n\"Tab\"=hex(1):61,00,09,00,");
	ASSERT_HAS((char *)text, "the export", "\n\"Bidi\"=hex(1):78,00,2e,20,");
	ASSERT_HAS((char *)text, "the export", "\n\"Broken\"=hex(1):61,00,00,"
	    "d8,00,00\n");
	ASSERT_HAS((char *)text, "the export",
	    "\n\"Quote\"=\"C:\\\\dir\\\\\\\"q\\\"\"\n");
	ASSERT_HAS((char *)text, "the export",
	    "\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\HostileData\\a]b]\n");
	free(text);
	assert_reads_back(&t, reg, data_keys, 2);

	/* The same on standard output, ProductName and all. */
	RUN_CLEAN(&r, HP_OK, "export", t.root,
	    SOFTWARE_KEY "Microsoft\\Windows NT\\CurrentVersion");
	ASSERT_OUT(&r, "\n\"ProductName\"=hex(1):57,00,69,00,");
	ASSERT_OUT(&r, "\n\"RegisteredOwner\"=\"user\"\n");
	tu_write_file(reg, r.out, r.out_len);
	tu_result_free(&r);
	assert_reads_back(&t, reg, cv_keys, 1);
	tu_assert_dir_unchanged(&t.files);
}
END_TEST

/* Each name .reg cannot hold refuses the export: nothing on standard
 * output, no --output file, and a message naming the hive, the key and
 * the name, escaped. */
static const struct {
	const char *key;	/* below HKLM\SOFTWARE */
	const char *said;	/* what the message says of it */
} refused[] = {
	{ "HostileKeys\\Esc", "a subkey named 'Esc\\x1b[31mRed'" },
	{ "HostileKeys\\Line", "a subkey named 'Line\\x0a" FORGED "\\x0a'" },
	{ "HostileKeys\\Backslash", "a subkey named 'back\\slash', which a "
	    ".reg file cannot hold (it holds a backslash" },
	{ "HostileKeys\\Bracket", "a subkey named 'br]; x', which a .reg "
	    "file cannot hold (it holds a ']' followed by ';'" },
	{ "HostileKeys\\C1", "a subkey named 'C1\\xc2\\x9b31m'" },
	{ "HostileKeys\\Bidi", "a subkey named 'evil\\xe2\\x80\\xaetxt.exe'" },
	{ "HostileKeys", "which a .reg file cannot hold" },
	{ "HostileValues", "a value named 'name\\x0a" FORGED "\\x0a'" },
};

START_TEST(test_export_refuses_names_reg_cannot_hold)
{
	char *reg = tu_pathf("%s/refused.reg", tu_scratch);
	char *key = tu_pathf(SOFTWARE_KEY "%s", refused[_i].key);
	struct hostile t;
	struct tu_result r;

	hostile_tree(&t);
	RUN_CLEAN(&r, HP_REFUSED, "export", t.root, key);
	ck_assert_int_eq((int)r.out_len, 0);
	ASSERT_ERR(&r, tu_pathf("hivepatch: %s: key 'HKEY_LOCAL_MACHINE\\"
	    "SOFTWARE\\%s", escaped(t.software), refused[_i].key));
	ASSERT_ERR(&r, refused[_i].said);
	ASSERT_ERR(&r, "nothing exported\n");
	ck_assert_int_eq(tu_count_lines(r.err, "hivepatch: "), 1);
	tu_result_free(&r);
	RUN_CLEAN(&r, HP_REFUSED, "export", "--utf16", "--output", reg,
	    t.root, key);
	ck_assert_msg(access(reg, F_OK) == -1, "a refused export made %s",
	    reg);
	tu_result_free(&r);
	tu_assert_dir_unchanged(&t.files);
}
END_TEST

/* ---- writing runs ---- */

/* apply, backups and rollback name the hive's path escaped; rollback
 * puts back the bytes it found. */
START_TEST(test_apply_backups_rollback_show_paths_escaped)
{
	char before[SHA256_HEX_LEN + 1];
	struct hostile t;
	struct tu_result r;

	hostile_tree(&t);
	tu_sha256(t.software, before);
	RUN_CLEAN(&r, HP_OK, "apply", "--backup-dir", tu_bk, t.root);
	ASSERT_OUT(&r, "image:    " PRODUCT_SHOWN);
	ASSERT_OUT(&r, tu_pathf("SOFTWARE  %s\n", escaped(t.software)));
	tu_result_free(&r);
	RUN_CLEAN(&r, HP_OK, "backups", "--backup-dir", tu_bk, t.root);
	ASSERT_OUT(&r, tu_pathf("SOFTWARE   %s\n", escaped(t.software)));
	tu_result_free(&r);
	RUN_CLEAN(&r, HP_OK, "rollback", "--backup-dir", tu_bk, t.root);
	ASSERT_OUT(&r, tu_pathf("%s: restored as it was", escaped(t.software)));
	tu_result_free(&r);
	ASSERT_HASH(t.software, before);
	tu_assert_dir_unchanged(&t.files);
}
END_TEST

/* A .reg file from an untrusted image: its names and data are shown
 * escaped too. */
START_TEST(test_import_shows_reg_names_escaped)
{
	char *reg = tu_pathf("%s/hostile.reg", tu_scratch);
	struct hostile t;
	struct tu_result r;

	hostile_tree(&t);
	tu_write_text(reg, "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\X\x1b[2J]\n"
	    "\"v\x1b]0;t\x07\"=\"d\x1b[5m\xc2\x9b\"\n");
	RUN_CLEAN(&r, HP_OK, "import", "--dry-run", "--backup-dir", tu_bk, reg,
	    t.root);
	ASSERT_OUT(&r, "would add HKLM\\SOFTWARE\\X\\x1b[2J  v\\x1b]0;t\\x07 = "
	    "\"d\\x1b[5m\\xc2\\x9b\"");
	ASSERT_OUT(&r, tu_pathf("reg file: %s\n", reg));
	tu_result_free(&r);
	tu_assert_dir_unchanged(&t.files);
}
END_TEST

static Suite *
hostile_suite(void)
{
	Suite *s = suite_create("hostile text");
	TCase *tc = tcase_create("escaping");

	tcase_add_test(tc, test_the_escaping_rule);
	suite_add_tcase(s, tc);

	tc = tu_tcase(s, "reports");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_verify_shows_the_image_escaped);
	tcase_add_test(tc, test_inspect_shows_the_image_escaped);
	tcase_add_test(tc, test_apply_dry_run_shows_the_image_escaped);
	tcase_add_test(tc, test_a_message_from_the_image_is_escaped);
	tcase_add_test(tc, test_wrong_kind_names_the_file_escaped);
	tcase_add_test(tc, test_a_dirty_refusal_names_the_logs_escaped);
	tcase_add_test(tc, test_json_keeps_the_data);
	tcase_add_test(tc, test_apply_backups_rollback_show_paths_escaped);
	tcase_add_test(tc, test_import_shows_reg_names_escaped);

	tc = tu_tcase(s, "export");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_export_writes_hostile_strings_as_hex);
	tcase_add_loop_test(tc, test_export_refuses_names_reg_cannot_hold, 0,
	    (int)(sizeof(refused) / sizeof(refused[0])));
	return s;
}

int
main(void)
{
	return tu_run_suite(hostile_suite(), "test_hostile_text");
}
