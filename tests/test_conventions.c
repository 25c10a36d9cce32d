/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GNU conventions of the command line, as a user meets them: the
 * real hivepatch binary on scratch copies of generated trees and hives.
 * Options may follow the operands, up to a "--" after which everything
 * is an operand; an option's error names the option and what it needs;
 * an empty name (--backup-dir "") is a usage error; every command takes
 * --json, and under it a usage error prints a document of the command's
 * schema too; -q leaves the errors alone, -v says more.  Every
 * refusal checks its exit status, its message, and that no file of the
 * image, nor the backup directory, changed. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

#define NET64	"HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319"

/* ---- helpers ---- */

/* A tree of mkhive's "tree" kind, and its files as they are now. */
static char *
tree(struct tu_dir_files *files)
{
	char *root = tu_make_tree("tree", "img");

	tu_dir_files_take(files, root);
	return root;
}

/* Nothing of the image changed and no backup was made. */
static void
assert_untouched(const struct tu_dir_files *files)
{
	tu_assert_dir_unchanged(files);
	ck_assert_msg(tu_count_files(tu_bk) == 0,
	    "files were left under the backup dir %s", tu_bk);
}

/* Runs hivepatch with the arguments that follow (up to a NULL) and
 * checks a usage error: exit 2, stderr holding `message` and the hint
 * to --help; with a schema, stdout one JSON document of that schema
 * whose error is the message, reason "usage", target null (profiles
 * has none); without,
 * nothing on stdout. */
static void
assert_usage(const char *schema, const char *message, ...)
{
	const char *argv[TU_MAX_ARGS + 2] = { NULL };
	struct json_object *j;
	struct tu_result r;
	const char *a;
	size_t n = 1;
	va_list ap;

	va_start(ap, message);
	while ((a = va_arg(ap, const char *)) != NULL && n <= TU_MAX_ARGS)
		argv[n++] = a;
	va_end(ap);
	tu_hp_argv(&r, NULL, argv);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, message);
	ASSERT_ERR(&r, "Try 'hivepatch --help'.");
	if (schema == NULL) {
		ck_assert_msg(r.out_len == 0, "stdout of %s: %s", argv[1],
		    r.out);
	} else {
		j = tu_parse_json(&r, schema);
		ASSERT_HAS(tu_jstr(j, "error"), "error", message);
		ck_assert_str_eq(tu_jstr(j, "reason"), "usage");
		ck_assert(tu_jget(j, "target") == NULL);
		json_object_put(j);
	}
	tu_result_free(&r);
}

/* ---- options anywhere before "--" ---- */

/* Options after the operands are taken as before them: verify's --json,
 * apply's --dry-run and --backup-dir, export's --output and --utf16. */
START_TEST(test_options_may_follow_the_operands)
{
	struct tu_dir_files files;
	char *root = tree(&files);
	char *out = tu_pathf("%s/net.reg", tu_scratch);
	const char *const posix_env[] = { "POSIXLY_CORRECT=1", NULL };
	const struct tu_run_opts posix = { .env_add = posix_env };
	struct json_object *j;
	struct tu_result r;
	unsigned char *text;
	size_t len;

	tu_hp(&r, "verify", root, "--json", NULL);
	ASSERT_STATUS(&r, 1);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "command"), "verify");
	ck_assert_str_eq(tu_jstr(j, "target"), root);
	json_object_put(j);
	tu_result_free(&r);

	/* POSIXLY_CORRECT asks for the options to end at the first
	 * operand, and gets it. */
	tu_hp_opts(&r, &posix, "verify", root, "--json", NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unexpected argument '--json'");
	tu_result_free(&r);

	tu_hp(&r, "apply", root, "--backup-dir", tu_bk, "--dry-run", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "hivepatch apply (dry run): ");
	ASSERT_OUT(&r, "dry run: 2 changes would be written");
	tu_result_free(&r);
	assert_untouched(&files);

	tu_hp(&r, "export", root, NET64, "--output", out, "--utf16", NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_msg(r.out_len == 0, "stdout: %s", r.out);
	tu_result_free(&r);
	text = tu_read_file(out, &len);
	ck_assert_msg(len > 2 && text[0] == 0xff && text[1] == 0xfe,
	    "%s is not UTF-16LE with its BOM", out);
	free(text);
	assert_untouched(&files);
}
END_TEST

/* After "--" every word is an operand: a TARGET or KEY that starts with
 * '-' is passed there, and an option there is no option. */
/* --json, -q and -v may come before the command too, as the help says;
 * any other option there is a usage error naming it, nothing written. */
START_TEST(test_common_options_may_come_before_the_command)
{
	struct tu_dir_files files;
	char *root = tree(&files);
	struct json_object *j;
	struct tu_result r;

	tu_hp(&r, "--json", "verify", root, NULL);
	ASSERT_STATUS(&r, 1);
	j = tu_parse_json(&r, "hivepatch-report/1");
	json_object_put(j);
	tu_result_free(&r);
	tu_hp(&r, "-q", "verify", root, NULL);
	ASSERT_STATUS(&r, 1);
	ck_assert_int_eq((int)r.out_len, 0);
	tu_result_free(&r);
	tu_hp(&r, "--backup-dir", tu_bk, "apply", root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "'--backup-dir' before the command: only --json, -q and "
	    "-v may come there");
	tu_result_free(&r);
	tu_hp(&r, "--json", "frobnicate", root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unknown command 'frobnicate'");
	tu_result_free(&r);
	assert_untouched(&files);
}
END_TEST

START_TEST(test_double_dash_ends_the_options)
{
	struct tu_dir_files files;
	char *root = tree(&files);
	char *hive = tu_tree_file(root, "SOFTWARE");
	const struct tu_run_opts in_dir = { .cwd = tu_dir_of(hive) };
	struct tu_result r;

	/* --json after "--" is a TARGET that does not exist. */
	tu_hp(&r, "verify", "--", "--json", NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, "--json");
	ck_assert_msg(r.out_len == 0, "stdout: %s", r.out);
	tu_result_free(&r);

	/* The tree's hive, for a while a bare file named -SOFTWARE. */
	ck_assert_int_eq(rename(hive, tu_pathf("%s/-SOFTWARE",
	    tu_dir_of(hive))), 0);
	tu_hp_opts(&r, &in_dir, "verify", "-SOFTWARE", NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unknown option '-S'");
	tu_result_free(&r);
	tu_hp_opts(&r, &in_dir, "verify", "--", "-SOFTWARE", NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "hivepatch verify: -SOFTWARE");
	ASSERT_OUT(&r, "  missing   " NET64 "  SchUseStrongCrypto");
	tu_result_free(&r);
	/* Options before "--" still count. */
	tu_hp_opts(&r, &in_dir, "verify", "--json", "--", "-SOFTWARE", NULL);
	ASSERT_STATUS(&r, 1);
	json_object_put(tu_parse_json(&r, "hivepatch-report/1"));
	tu_result_free(&r);
	ck_assert_int_eq(rename(tu_pathf("%s/-SOFTWARE", tu_dir_of(hive)),
	    hive), 0);

	/* A KEY that starts with '-' reaches export, which names it. */
	tu_hp(&r, "export", "--", root, "-HKLM\\SOFTWARE", NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "-HKLM\\SOFTWARE: not a key in a hive export reads");
	tu_result_free(&r);
	tu_hp(&r, "export", root, "-HKLM\\SOFTWARE", NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unknown option '-H'");
	tu_result_free(&r);
	assert_untouched(&files);
}
END_TEST

/* ---- what an option's error says ---- */

START_TEST(test_option_errors_name_the_option_and_what_it_needs)
{
	struct tu_dir_files files;
	char *root = tree(&files);

	assert_usage(NULL, "option '--profile' needs a NAME", "apply",
	    "--backup-dir", tu_bk, root, "--profile", NULL);
	assert_usage(NULL, "option '--reg' needs a .reg FILE", "verify", root,
	    "--reg", NULL);
	assert_usage(NULL, "option '--backup-dir' needs a directory DIR",
	    "rollback", root, "--backup-dir", NULL);
	assert_usage(NULL, "unknown option '--bogus'", "apply", "--backup-dir",
	    tu_bk, root, "--bogus", NULL);
	assert_usage(NULL, "unknown option '-x'", "verify", "-x", root, NULL);
	assert_usage(NULL, "option '--back' is ambiguous: '--backup-dir', "
	    "'--backup'", "apply", "--back", tu_bk, root, NULL);
	assert_usage(NULL, "option '--dry-run' takes no value", "apply",
	    "--backup-dir", tu_bk, "--dry-run=yes", root, NULL);
	assert_usage(NULL, "unknown option '--profile'", "inspect", root,
	    "--profile", "net4-tls12", NULL);
	assert_usage(NULL, "verify does not take --dry-run", "verify", root,
	    "--dry-run", NULL);
	assert_usage(NULL, "unexpected argument", "apply", "--backup-dir",
	    tu_bk, root, root, NULL);
	assert_usage(NULL, "takes no arguments, not 'x'", "profiles", "x",
	    NULL);
	/* An abbreviation that is one option's is that option. */
	ASSERT_RUN(0, "apply", "--dry", "--backup-d", tu_bk, root, NULL);
	assert_untouched(&files);
}
END_TEST

/* An empty DIR, FILE, NAME or ID is a usage error, for every command
 * that takes it: never the current directory, nor the root. */
START_TEST(test_empty_names_are_usage_errors)
{
	struct tu_dir_files files;
	char *root = tree(&files);
	const char *const dir_commands[] = { "apply", "verify", "import",
	    "recover", "inspect", "rollback", "backups" };
	char *reg = tu_pathf("%s/x.reg", tu_scratch);
	size_t i;

	tu_write_text(reg, "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n\"A\"=dword:00000001\n");
	for (i = 0; i < sizeof(dir_commands) / sizeof(dir_commands[0]); i++) {
		int import = strcmp(dir_commands[i], "import") == 0;

		assert_usage(NULL, "option '--backup-dir' needs a directory DIR, "
		    "not an empty one", dir_commands[i], "--backup-dir", "",
		    import ? reg : root, import ? root : NULL, NULL);
	}
	assert_usage(NULL, "option '--backup-dir' needs a directory DIR, not "
	    "an empty one", "apply", "--backup-dir=", root, NULL);
	assert_usage(NULL, "option '--profile' needs a NAME, not an empty one",
	    "verify", "--profile", "", root, NULL);
	assert_usage(NULL, "option '--reg' needs a .reg FILE, not an empty "
	    "one", "apply", "--backup-dir", tu_bk, "--reg", "", root, NULL);
	assert_usage(NULL, "option '--to' needs a run ID, not an empty one",
	    "rollback", "--backup-dir", tu_bk, "--to", "", root, NULL);
	assert_usage(NULL, "option '--output' needs a FILE, not an empty one",
	    "export", "--output", "", root, NET64, NULL);
	assert_untouched(&files);
}
END_TEST

/* ---- usage errors under --json ---- */

/* A usage error under --json prints the document of the command's
 * schema with the error on stdout, wherever --json stands among the
 * options; a --json that is the value of another option, or after
 * "--", is none. */
START_TEST(test_usage_error_under_json_prints_a_document)
{
	struct tu_dir_files files;
	char *root = tree(&files);
	char *reg = tu_pathf("%s/x.reg", tu_scratch);

	tu_write_text(reg, "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n\"A\"=dword:00000001\n");
	assert_usage("hivepatch-report/1", "unknown option '--bogus'", "apply",
	    "--bogus", "--backup-dir", tu_bk, root, "--json", NULL);
	assert_usage("hivepatch-report/1", "option '--profile' needs a NAME",
	    "verify", "--json", root, "--profile", NULL);
	assert_usage("hivepatch-report/1", "missing TARGET", "import", "--json",
	    reg, NULL);
	assert_usage("hivepatch-report/1", "recover does not take --profile",
	    "recover", "--profile", "x", root, "--json", NULL);
	assert_usage("hivepatch-inspect/1", "unexpected argument", "inspect",
	    "--json", root, root, NULL);
	assert_usage("hivepatch-backups/1", "option '--backup-dir' needs a "
	    "directory DIR, not an empty one", "backups", "--json",
	    "--backup-dir", "", root, NULL);
	/* "--json" as the value of --reg, or an operand: no document. */
	assert_usage(NULL, "missing TARGET", "verify", "--reg", "--json",
	    NULL);
	assert_usage(NULL, "unexpected argument '--json'", "verify", root,
	    "--", "--json", NULL);
	assert_untouched(&files);
}
END_TEST

/* ---- --json for export, rollback and profiles ---- */

START_TEST(test_profiles_json_lists_them_and_auto)
{
	struct json_object *j, *a, *p;
	struct tu_result r;
	size_t n;

	tu_hp(&r, "profiles", "--json", NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_msg(r.err_len == 0, "stderr: %s", r.err);
	j = tu_parse_json(&r, "hivepatch-profiles/1");
	a = tu_jarray(j, "profiles");
	n = json_object_array_length(a);
	ck_assert_uint_ge(n, 6);
	p = json_object_array_get_idx(a, 1);
	ck_assert_str_eq(tu_jstr(p, "name"), "net4-tls12");
	ASSERT_HAS(tu_jstr(p, "file"), "file", "/net4-tls12.reg");
	ASSERT_HAS(tu_jstr(p, "description"), "description",
	    "SchUseStrongCrypto");
	p = json_object_array_get_idx(a, n - 1);
	ck_assert_str_eq(tu_jstr(p, "name"), "auto");
	ck_assert(tu_jnull(p, "file"));
	ck_assert(tu_jnull(j, "error"));
	json_object_put(j);
	tu_result_free(&r);
	assert_usage("hivepatch-profiles/1", "takes no arguments, not 'x'",
	    "profiles", "x", "--json", NULL);
}
END_TEST

/* export --json: the .reg text to --output (required), the document of
 * what was exported to stdout; a dirty hive's note is the document's. */
START_TEST(test_export_json_describes_the_export)
{
	struct tu_dir_files files;
	char *root = tree(&files);
	char *hive = tu_tree_file(root, "SOFTWARE");
	char *dirty = tu_pathf("%s/dirty/SOFTWARE", tu_scratch);
	char *out = tu_pathf("%s/net.reg", tu_scratch);
	char *none = tu_pathf("%s/none.reg", tu_scratch);
	struct json_object *j;
	struct tu_result r;
	unsigned char *text;
	size_t len;

	assert_usage("hivepatch-export/1", "export --json needs --output FILE",
	    "export", "--json", root, NET64, NULL);
	assert_usage("hivepatch-export/1", "needs TARGET and KEY", "export",
	    "--json", "--output", out, root, NULL);
	ck_assert_int_eq(tu_count_files(tu_scratch), (int)files.n);

	tu_hp(&r, "export", root, NET64, "--json", "--output", out, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-export/1");
	ck_assert_str_eq(tu_jstr(j, "target"), root);
	ck_assert_str_eq(tu_jstr(j, "key"), NET64);
	ck_assert_str_eq(tu_jstr(j, "hive"), hive);
	ck_assert_str_eq(tu_jstr(j, "output"), out);
	ck_assert_str_eq(tu_jstr(j, "encoding"), "utf-8");
	ck_assert_int_eq((int)json_object_array_length(tu_jarray(j, "notes")),
	    0);
	ck_assert(tu_jnull(j, "error"));
	json_object_put(j);
	tu_result_free(&r);
	text = tu_read_file(out, &len);
	ck_assert_msg(len > 36 && memcmp(text, "Windows Registry Editor Version "
	    "5.00", 36) == 0, "%s is no .reg file", out);
	free(text);

	tu_hp(&r, "export", "--json", "--output", none, root,
	    "HKLM\\SOFTWARE\\NoSuchKey", NULL);
	ASSERT_STATUS(&r, 1);
	j = tu_parse_json(&r, "hivepatch-export/1");
	ck_assert_str_eq(tu_jstr(j, "reason"), "no-key");
	ASSERT_HAS(tu_jstr(j, "error"), "error", "NoSuchKey");
	json_object_put(j);
	ASSERT_ERR(&r, "NoSuchKey");
	tu_result_free(&r);
	ck_assert_msg(access(none, F_OK) == -1, "%s was made", none);
	assert_untouched(&files);

	/* A dirty hive: its note in the document, not on stderr. */
	tu_mkdir_p(tu_dir_of(dirty));
	tu_mkdirty("new", hive, dirty, NULL);
	tu_hp(&r, "export", "--json", "--output", out, dirty, NET64, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_msg(r.err_len == 0, "stderr: %s", r.err);
	j = tu_parse_json(&r, "hivepatch-export/1");
	ASSERT_HAS(json_object_get_string(json_object_array_get_idx(
	    tu_jarray(j, "notes"), 0)), "note", "is dirty: exported as its "
	    "logs recover it");
	json_object_put(j);
	tu_result_free(&r);
}
END_TEST

/* rollback --json: what was restored, and why not when it refuses. */
START_TEST(test_rollback_json_says_what_was_restored)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char before[SHA256_HEX_LEN + 1];
	struct json_object *j, *f;
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "rollback", root, "--json", "--backup-dir", tu_bk, NULL);
	ASSERT_STATUS(&r, 3);
	j = tu_parse_json(&r, "hivepatch-rollback/1");
	ck_assert_str_eq(tu_jstr(j, "reason"), "no-backup");
	ck_assert_str_eq(tu_jstr(j, "backup_dir"), tu_bk);
	ck_assert_int_eq((int)json_object_array_length(tu_jarray(j,
	    "restored")), 0);
	json_object_put(j);
	ASSERT_ERR(&r, "no backup of this hive");
	tu_result_free(&r);

	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	tu_hp(&r, "rollback", root, "--json", "--backup-dir", tu_bk, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_msg(r.err_len == 0, "stderr: %s", r.err);
	j = tu_parse_json(&r, "hivepatch-rollback/1");
	ck_assert_str_eq(tu_jstr(j, "target"), root);
	ck_assert(tu_jbool(j, "checked"));
	ck_assert(!tu_jbool(j, "force"));
	ck_assert(tu_jnull(j, "to"));
	f = json_object_array_get_idx(tu_jarray(j, "restored"), 0);
	ck_assert_msg(f != NULL, "nothing restored");
	ck_assert_str_eq(tu_jstr(f, "path"), hive);
	ck_assert(!tu_jbool(f, "log"));
	ck_assert(tu_jbool(f, "written"));
	ck_assert_str_eq(tu_jstr(f, "sha256"), before);
	ASSERT_HAS(tu_jstr(f, "backup"), "backup", tu_bk);
	ck_assert(tu_jnull(j, "error"));
	json_object_put(j);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);

	assert_usage("hivepatch-rollback/1", "option '--to' needs a run ID",
	    "rollback", "--json", root, "--to", NULL);
	ASSERT_HASH(hive, before);
}
END_TEST

/* ---- -q and -v ---- */

/* Runs hivepatch with the arguments that follow and checks that it
 * exits `status` printing nothing at all. */
static void
assert_silent(int status, ...)
{
	const char *argv[TU_MAX_ARGS + 2] = { NULL };
	struct tu_result r;
	const char *a;
	size_t n = 1;
	va_list ap;

	va_start(ap, status);
	while ((a = va_arg(ap, const char *)) != NULL && n <= TU_MAX_ARGS)
		argv[n++] = a;
	va_end(ap);
	tu_hp_argv(&r, NULL, argv);
	ASSERT_STATUS(&r, status);
	ck_assert_msg(r.out_len == 0 && r.err_len == 0, "%s -q printed\n"
	    "--- stdout:\n%s--- stderr:\n%s", argv[1], r.out, r.err);
	tu_result_free(&r);
}

/* -q: the exit status says it all; only errors reach stderr, and
 * --json still prints its document. */
START_TEST(test_quiet_prints_errors_alone)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char *dirty = tu_pathf("%s/dirty/SOFTWARE", tu_scratch);
	char *out = tu_pathf("%s/net.reg", tu_scratch);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	assert_silent(1, "verify", "-q", root, NULL);
	assert_silent(1, "inspect", root, "--quiet", NULL);
	assert_silent(0, "profiles", "-q", NULL);
	assert_silent(0, "apply", "-q", "--backup-dir", tu_bk, root, NULL);
	tu_assert_net4(hive);
	assert_silent(0, "verify", root, "-q", NULL);
	assert_silent(0, "backups", "-q", "--backup-dir", tu_bk, root, NULL);
	assert_silent(0, "export", "-q", "--output", out, root, NET64, NULL);
	assert_silent(0, "rollback", "-q", "--backup-dir", tu_bk, root, NULL);
	ASSERT_HASH(hive, before);

	/* Errors still say what is wrong. */
	tu_hp(&r, "apply", "-q", "--backup-dir", tu_bk, "--profile", "nope",
	    root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unknown profile 'nope'");
	ck_assert_msg(r.out_len == 0, "stdout: %s", r.out);
	tu_result_free(&r);
	/* --json is for a program: -q leaves it alone. */
	tu_hp(&r, "verify", "-q", "--json", root, NULL);
	ASSERT_STATUS(&r, 1);
	json_object_put(tu_parse_json(&r, "hivepatch-report/1"));
	tu_result_free(&r);

	/* export's note about a dirty hive is no error; its .reg text is
	 * what it was asked for. */
	tu_mkdir_p(tu_dir_of(dirty));
	tu_mkdirty("new", hive, dirty, NULL);
	tu_hp(&r, "export", "--quiet", dirty, NET64, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_msg(r.err_len == 0, "stderr: %s", r.err);
	ASSERT_OUT(&r, "Windows Registry Editor Version 5.00");
	tu_result_free(&r);
	tu_hp(&r, "export", dirty, NET64, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_ERR(&r, "is dirty: exported as its logs recover it");
	tu_result_free(&r);
}
END_TEST

/* -v: the text report says more, and only that. */
START_TEST(test_verbose_adds_detail)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char *out = tu_pathf("%s/net.reg", tu_scratch);
	char before[SHA256_HEX_LEN + 1], after[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "verify", root, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_LACKS(r.out, "stdout", "  found ");
	ASSERT_LACKS(r.out, "stdout", "(key)");
	tu_result_free(&r);
	tu_hp(&r, "verify", "-v", root, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "  found     clean, sequence numbers ");
	ASSERT_OUT(&r, "  logs      none\n");
	ASSERT_OUT(&r, "  ok        " NET64 " (key)\n");
	ck_assert_int_eq(tu_count_lines(r.out, "  missing "), 2);
	tu_result_free(&r);

	tu_hp(&r, "apply", "--verbose", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	tu_sha256(hive, after);
	ASSERT_OUT(&r, tu_pathf("sha256:   %s before, %s after\n", before,
	    after));
	ASSERT_OUT(&r, "  already   " NET64 " (key)\n");
	tu_result_free(&r);

	tu_hp(&r, "backups", "-v", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, tu_pathf("      SOFTWARE   sha256 %s before, %s after; "
	    "pages, ", before, after));
	tu_result_free(&r);

	tu_hp(&r, "inspect", "-v", root, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  found     clean, sequence "
	    "numbers "), 2);
	ASSERT_OUT(&r, "SchUseStrongCrypto = 1, 64- and 32-bit views");
	tu_result_free(&r);

	tu_hp(&r, "profiles", "-v", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "/net4-tls12.reg\n");
	tu_result_free(&r);

	tu_hp(&r, "export", "-v", "--output", out, root, NET64, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_ERR(&r, tu_pathf("hivepatch export: " NET64 " of %s written to "
	    "%s (UTF-8)\n", hive, out));
	tu_result_free(&r);

	tu_hp(&r, "rollback", "-v", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, tu_pathf("backups:  %s (--backup-dir)\n", tu_bk));
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
}
END_TEST

/* -q and -v cannot go together, in any spelling; nothing is read. */
START_TEST(test_quiet_and_verbose_exclude_each_other)
{
	struct tu_dir_files files;
	char *root = tree(&files);
	const char *msg = "-q (--quiet) and -v (--verbose) exclude each other";

	assert_usage(NULL, msg, "apply", "-q", "-v", "--backup-dir", tu_bk,
	    root, NULL);
	assert_usage(NULL, msg, "verify", "-qv", root, NULL);
	assert_usage(NULL, msg, "rollback", "--verbose", root, "--quiet",
	    "--backup-dir", tu_bk, NULL);
	assert_usage(NULL, msg, "profiles", "-vq", NULL);
	assert_usage("hivepatch-report/1", msg, "recover", "-v", "-q", root,
	    "--json", NULL);
	assert_usage("hivepatch-export/1", msg, "export", "--json", "-v",
	    "-q", "--output", tu_pathf("%s/x.reg", tu_scratch), root, NET64,
	    NULL);
	ck_assert_int_eq(tu_count_files(tu_scratch), (int)files.n);
	assert_untouched(&files);
}
END_TEST

/* ---- import with its arguments swapped ---- */

#define REG_X "Windows Registry Editor Version 5.00\n\n" \
	"[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n\"A\"=dword:00000001\n"

/* import TARGET FILE.reg, a tree or a hive first and a .reg file after
 * it (known by its name, or its header in UTF-8 or UTF-16LE), is a
 * usage error that touches nothing; the right order works. */
START_TEST(test_import_with_swapped_arguments_is_a_usage_error)
{
	static const char msg[] = "arguments swapped? usage: import FILE.reg "
	    "TARGET";
	struct tu_dir_files files;
	char *root = tree(&files);
	char *hive = tu_tree_file(root, "SOFTWARE");
	char *reg = tu_pathf("%s/x.reg", tu_scratch);
	char *txt = tu_pathf("%s/x.txt", tu_scratch);
	char *wide = tu_pathf("%s/x-utf16", tu_scratch);
	unsigned char w[2 + 2 * (sizeof(REG_X) - 1)];
	size_t i;

	tu_write_text(reg, REG_X);
	tu_write_text(txt, REG_X);
	w[0] = 0xff;
	w[1] = 0xfe;
	for (i = 0; i < sizeof(REG_X) - 1; i++) {
		w[2 + 2 * i] = (unsigned char)REG_X[i];
		w[3 + 2 * i] = 0;
	}
	tu_write_file(wide, w, sizeof(w));

	assert_usage(NULL, msg, "import", "--backup-dir", tu_bk, root, reg,
	    NULL);
	assert_usage(NULL, msg, "import", "--backup-dir", tu_bk, hive, reg,
	    NULL);
	assert_usage(NULL, msg, "import", root, txt, "--backup-dir", tu_bk,
	    NULL);
	assert_usage(NULL, msg, "import", "--backup-dir", tu_bk, hive, wide,
	    NULL);
	assert_usage("hivepatch-report/1", msg, "import", "--json",
	    "--backup-dir", tu_bk, root, reg, NULL);
	assert_untouched(&files);

	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, reg, root, NULL);
	ck_assert(tu_hive_key_exists(hive, "X"));
}
END_TEST

/* ---- the nearest profile ---- */

/* A profile name with a typo gets the nearest one suggested, in the
 * message and the JSON error alike; nothing is read or written. */
START_TEST(test_unknown_profile_suggests_the_nearest)
{
	struct tu_dir_files files;
	char *root = tree(&files);
	struct json_object *j;
	struct tu_result r;

	tu_hp(&r, "apply", "--backup-dir", tu_bk, "--profile", "net4-tls13",
	    root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unknown profile 'net4-tls13' (no ");
	ASSERT_ERR(&r, "): did you mean 'net4-tls12'?\n");
	ck_assert_msg(r.out_len == 0, "stdout: %s", r.out);
	tu_result_free(&r);

	tu_hp(&r, "verify", "--json", "--profile", "schanel-tls12", root, NULL);
	ASSERT_STATUS(&r, 2);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "reason"), "unknown-profile");
	ASSERT_HAS(tu_jstr(j, "error"), "error", "did you mean "
	    "'schannel-tls12'?");
	json_object_put(j);
	tu_result_free(&r);

	tu_hp(&r, "verify", "--profile", "NET4-TLS12", root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "'NET4-TLS12' is not a profile name: did you mean "
	    "'net4-tls12'?");
	tu_result_free(&r);
	tu_hp(&r, "verify", "--profile", "net4-tls12.reg", root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "did you mean 'net4-tls12'?");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, "--profile", "atuo", root,
	    NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "did you mean 'auto'?");
	tu_result_free(&r);
	/* Near nothing: no guess, the list is where to look. */
	tu_hp(&r, "verify", "--profile", "frobnicate", root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_LACKS(r.err, "stderr", "did you mean");
	ASSERT_ERR(&r, "hivepatch profiles lists them");
	tu_result_free(&r);
	assert_untouched(&files);
}
END_TEST

/* ---- the default backup directory ---- */

/* An error about the backup directory that was not given names it as
 * the default and says where it came from; one that was given is
 * named as given.  Nothing is written. */
START_TEST(test_default_backup_directory_is_named_with_its_origin)
{
	struct tu_dir_files files;
	char *root = tree(&files);
	char *file = tu_pathf("%s/a-file", tu_scratch);
	char *state = tu_pathf("%s/state", tu_scratch);
	char *xdg_file = tu_strf("XDG_STATE_HOME=%s", file);
	char *home_file = tu_strf("HOME=%s", file);
	char *xdg_state = tu_strf("XDG_STATE_HOME=%s", state);
	const char *const env_xdg[] = { xdg_file, NULL };
	const char *const env_home[] = { "XDG_STATE_HOME=", home_file, NULL };
	const char *const env_proc[] = { "XDG_STATE_HOME=/proc/no-such-dir",
	    NULL };
	const char *const env_state[] = { xdg_state, NULL };
	struct tu_run_opts o = { .env_add = env_xdg };
	struct json_object *j;
	struct tu_result r;

	tu_write_text(file, "not a directory\n");
	tu_mkdir_p(state);
	tu_dir_files_take(&files, tu_scratch);

	tu_hp_opts(&r, &o, "apply", root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, tu_pathf("no place for backups: the default backup "
	    "directory %s/hivepatch (from $XDG_STATE_HOME) is not a "
	    "directory\n", file));
	tu_result_free(&r);
	tu_hp_opts(&r, &o, "backups", "--json", root, NULL);
	ASSERT_STATUS(&r, 2);
	j = tu_parse_json(&r, "hivepatch-backups/1");
	ck_assert_str_eq(tu_jstr(j, "reason"), "no-backup-dir");
	ASSERT_HAS(tu_jstr(j, "error"), "error", "(from $XDG_STATE_HOME)");
	json_object_put(j);
	tu_result_free(&r);

	o.env_add = env_home;
	tu_hp_opts(&r, &o, "apply", "--json", root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, tu_pathf("the default backup directory "
	    "%s/.local/state/hivepatch (from $HOME) is not a directory", file));
	j = tu_parse_json(&r, "hivepatch-report/1");
	ASSERT_HAS(tu_jstr(j, "error"), "error", "(from $HOME)");
	json_object_put(j);
	tu_result_free(&r);

	/* One that cannot be made says why. */
	o.env_add = env_proc;
	tu_hp_opts(&r, &o, "apply", root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "no place for backups: the default backup directory "
	    "/proc/no-such-dir/hivepatch (from $XDG_STATE_HOME) cannot be "
	    "made (/proc/no-such-dir: cannot create: ");
	tu_result_free(&r);

	/* rollback finding nothing there says where it looked. */
	o.env_add = env_state;
	tu_hp_opts(&r, &o, "rollback", root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, tu_pathf("no backup of this hive or of the tree's "
	    "other hives under the default backup directory %s/hivepatch "
	    "(from $XDG_STATE_HOME)\n", state));
	tu_result_free(&r);
	tu_hp_opts(&r, &o, "apply", "-v", "--dry-run", root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, tu_pathf("backups:  %s/hivepatch (the default, from "
	    "$XDG_STATE_HOME)\n", state));
	tu_result_free(&r);

	/* Given, it is named as given. */
	tu_hp(&r, "apply", "--backup-dir", file, root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, tu_pathf("no place for backups: the backup directory %s "
	    "is not a directory\n", file));
	tu_result_free(&r);
	tu_assert_dir_unchanged(&files);
	free(xdg_file);
	free(home_file);
	free(xdg_state);
}
END_TEST

static Suite *
conventions_suite(void)
{
	Suite *s = suite_create("conventions");
	TCase *tc = tu_tcase(s, "options");

	tcase_add_test(tc, test_options_may_follow_the_operands);
	tcase_add_test(tc, test_double_dash_ends_the_options);
	tcase_add_test(tc, test_common_options_may_come_before_the_command);
	tcase_add_test(tc, test_option_errors_name_the_option_and_what_it_needs);
	tcase_add_test(tc, test_empty_names_are_usage_errors);
	tcase_add_test(tc, test_usage_error_under_json_prints_a_document);

	tc = tu_tcase(s, "json");
	tcase_add_test(tc, test_profiles_json_lists_them_and_auto);
	tcase_add_test(tc, test_export_json_describes_the_export);
	tcase_add_test(tc, test_rollback_json_says_what_was_restored);

	tc = tu_tcase(s, "quiet and verbose");
	tcase_add_test(tc, test_quiet_prints_errors_alone);
	tcase_add_test(tc, test_verbose_adds_detail);
	tcase_add_test(tc, test_quiet_and_verbose_exclude_each_other);

	tc = tu_tcase(s, "operands");
	tcase_add_test(tc, test_import_with_swapped_arguments_is_a_usage_error);
	tcase_add_test(tc, test_unknown_profile_suggests_the_nearest);
	tcase_add_test(tc, test_default_backup_directory_is_named_with_its_origin);
	return s;
}

int
main(void)
{
	/* The GNU order of options is what is tested, whatever the
	 * environment running the tests asks for. */
	unsetenv("POSIXLY_CORRECT");
	return tu_run_suite(conventions_suite(), "hivepatch-test-conventions");
}
