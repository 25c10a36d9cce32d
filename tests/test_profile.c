/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of lib/profile.c: finding a profile by name and listing
 * them (profile_find, profile_list, with their description and
 * requirements) in a profile directory of the test's own, and the
 * shipped ones, where make check points HIVEPATCH_PROFILE_DIR. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "coreutil.h"
#include "error.h"
#include "profile.h"
#include "regfile.h"

/* ---- a profile directory ---- */

/* A profile directory of our own. */
static void
profile_scratch(char *dir, size_t size)
{
	char path[PATH_MAX];

	cu_scratch_new(dir, size);
	cu_fmt(path, sizeof(path), "%s/zeta.reg", dir);
	cu_write_text(path, REG_HEADER
	    "; hivepatch-description: The last one\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Z]\n");
	cu_fmt(path, sizeof(path), "%s/alpha.reg", dir);
	cu_write_text(path, REG_HEADER
	    "; hivepatch-description:   First profile, with spaces  \n"
	    "; hivepatch-requires: dotnet45\n"
	    ";\n"
	    "; hivepatch-requires: dotnet45 (a later line says it again)\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\n");
	cu_fmt(path, sizeof(path), "%s/mid_1.2.reg", dir);
	cu_write_text(path, "Windows Registry Editor Version 5.00\r\n\r\n"
	    "; hivepatch-description: CRLF lines\r\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\M]\r\n"
	    "; hivepatch-requires: dotnet45\r\n");
	cu_fmt(path, sizeof(path), "%s/beta.reg", dir);
	cu_write_text(path, REG_HEADER "[HKEY_LOCAL_MACHINE\\SOFTWARE\\B]\n");
	cu_fmt(path, sizeof(path), "%s/notes.txt", dir);
	cu_write_text(path, "not a profile\n");
	cu_fmt(path, sizeof(path), "%s/.reg", dir);
	cu_write_text(path, "no name\n");
}

/* ================= profile_find and profile_list ================= */

START_TEST(test_profile_find)
{
	char dir[PATH_MAX], want[PATH_MAX];
	struct hp_err e = { 0 };
	struct profile p;

	profile_scratch(dir, sizeof(dir));
	ck_assert_ok(profile_find(dir, "alpha", &p, &e), e);
	ck_assert_str_eq(p.name, "alpha");
	cu_fmt(want, sizeof(want), "%s/alpha.reg", dir);
	ck_assert_str_eq(p.path, want);
	ck_assert_str_eq(p.description, "First profile, with spaces");
	ck_assert_int_eq(p.requires_dotnet45, 1);
	profile_free(&p);

	ck_assert_ok(profile_find(dir, "beta", &p, &e), e);
	ck_assert_str_eq(p.description, "");
	ck_assert_int_eq(p.requires_dotnet45, 0);
	profile_free(&p);

	/* CRLF trimmed; metadata after the first section is not read. */
	ck_assert_ok(profile_find(dir, "mid_1.2", &p, &e), e);
	ck_assert_str_eq(p.description, "CRLF lines");
	ck_assert_int_eq(p.requires_dotnet45, 0);
	profile_free(&p);
}
END_TEST

START_TEST(test_profile_unknown)
{
	char dir[PATH_MAX];
	struct hp_err e = { 0 };
	struct profile p;

	profile_scratch(dir, sizeof(dir));
	ck_assert_err(profile_find(dir, "nosuch", &p, &e), e, HP_USAGE,
	    "unknown profile 'nosuch'");
	ck_assert_has(e.msg, dir);
	ck_assert_ptr_null(p.name);
	ck_assert_ptr_null(p.path);
	/* The file name without .reg is the name; "notes" is no profile. */
	ck_assert_err(profile_find(dir, "notes", &p, &e), e, HP_USAGE,
	    "'notes'");
}
END_TEST

/* An unknown or badly written name gets the nearest profile of the
 * directory (or auto) suggested: a typo, a letter case, a ".reg", a
 * start of a name; a name near none gets none.  Only names of profiles
 * are offered: never a file that is not one. */
START_TEST(test_profile_suggests_the_nearest_name)
{
	static const struct {
		const char *given, *suggested;
	} cases[] = {
		{ "alpah", "alpha" }, { "alph", "alpha" }, { "bet", "beta" },
		{ "zeta.reg", "zeta" }, { "ALPHA", "alpha" },
		{ "mid_1.3", "mid_1.2" }, { "atuo", "auto" }, { "Auto", "auto" },
		{ "zzz", NULL }, { "notes", NULL }, { "gamma", NULL },
		{ "../alpha", NULL },
	};
	char dir[PATH_MAX], want[128];
	struct hp_err e;
	struct profile p;
	size_t i;

	profile_scratch(dir, sizeof(dir));
	for (i = 0; i < NELEM(cases); i++) {
		ck_assert_msg(profile_find(dir, cases[i].given, &p, &e) == -1,
		    "'%s' found", cases[i].given);
		ck_assert_int_eq(e.status, HP_USAGE);
		if (cases[i].suggested == NULL) {
			ck_assert_msg(strstr(e.msg, "did you mean") == NULL,
			    "'%s': %s", cases[i].given, e.msg);
			continue;
		}
		cu_fmt(want, sizeof(want), "did you mean '%s'?",
		    cases[i].suggested);
		ck_assert_has(e.msg, want);
	}
}
END_TEST

START_TEST(test_profile_bad_names)
{
	static const char *const bad[] = {
		"../alpha", "..", ".", "a/b", "/etc/passwd", "sub/../alpha",
		".alpha", "", "..\\alpha", "alpha ", "ALPHA",
	};
	char dir[PATH_MAX], sub[PATH_MAX], path[PATH_MAX];
	struct hp_err e;
	struct profile p;
	size_t i;

	profile_scratch(dir, sizeof(dir));
	/* Targets a traversal would reach, were it allowed. */
	cu_fmt(sub, sizeof(sub), "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	cu_fmt(path, sizeof(path), "%s/..reg", dir);
	cu_write_text(path, REG_HEADER);
	cu_fmt(path, sizeof(path), "%s/.alpha.reg", dir);
	cu_write_text(path, REG_HEADER);
	for (i = 0; i < NELEM(bad); i++) {
		char want[128];

		e.status = HP_OK;
		e.msg[0] = '\0';
		ck_assert_msg(profile_find(dir, bad[i], &p, &e) == -1,
		    "profile name '%s' accepted", bad[i]);
		ck_assert_int_eq(e.status, HP_USAGE);
		cu_fmt(want, sizeof(want), "'%s'", bad[i]);
		ck_assert_has(e.msg, want);
		ck_assert_has(e.msg, "not a profile name");
		ck_assert_ptr_null(p.path);
	}
}
END_TEST

START_TEST(test_profile_list)
{
	static const char *const want[] = { "alpha", "beta", "mid_1.2",
	    "zeta" };
	char dir[PATH_MAX];
	struct hp_err e = { 0 };
	struct profile *list;
	size_t n, i;

	profile_scratch(dir, sizeof(dir));
	ck_assert_ok(profile_list(dir, &list, &n, &e), e);
	ck_assert_uint_eq(n, NELEM(want));
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(list[i].name, want[i]);
		ck_assert_ptr_nonnull(list[i].description);
	}
	ck_assert_str_eq(list[0].description, "First profile, with spaces");
	ck_assert_int_eq(list[0].requires_dotnet45, 1);
	ck_assert_str_eq(list[3].description, "The last one");
	ck_assert_int_eq(list[3].requires_dotnet45, 0);
	profile_list_free(list, n);
}
END_TEST

START_TEST(test_profile_list_empty_and_missing)
{
	char dir[PATH_MAX], missing[PATH_MAX];
	struct hp_err e = { 0 };
	struct profile *list = (struct profile *)&e;
	size_t n = 99;

	cu_scratch_new(dir, sizeof(dir));
	ck_assert_ok(profile_list(dir, &list, &n, &e), e);
	ck_assert_uint_eq(n, 0);
	profile_list_free(list, n);

	cu_fmt(missing, sizeof(missing), "%s/nothere", dir);
	ck_assert_err(profile_list(missing, &list, &n, &e), e, HP_IOERR, missing);
	ck_assert_has(e.msg, "cannot list profiles");
	ck_assert_ptr_null(list);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* The shipped profiles, as make check points HIVEPATCH_PROFILE_DIR at
 * the source tree. */
START_TEST(test_profile_shipped)
{
	struct hp_err e = { 0 };
	struct profile p;

	ck_assert_msg(cu_profile_dir() != NULL,
	    "HIVEPATCH_PROFILE_DIR is not set");
	ck_assert_ok(profile_find(cu_profile_dir(), HP_DEFAULT_PROFILE, &p, &e),
	    e);
	ck_assert_int_eq(p.requires_dotnet45, 1);
	ck_assert_has(p.description, "SchUseStrongCrypto");
	profile_free(&p);
}
END_TEST

/* regedit saves .reg files as UTF-16LE with a BOM, and the parser reads
 * them: a profile saved that way keeps its metadata. */
START_TEST(test_profile_utf16_meta)
{
	static const char text[] = REG_HEADER
	    "; hivepatch-description: Saved by regedit\r\n"
	    "; hivepatch-requires: dotnet45\r\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]\r\n";
	char dir[PATH_MAX], path[PATH_MAX];
	struct hp_err e = { 0 };
	unsigned char buf[2 * sizeof(text) + 2];
	struct reg_doc doc;
	struct profile p;
	size_t i;

	profile_scratch(dir, sizeof(dir));
	buf[0] = 0xff;
	buf[1] = 0xfe;
	for (i = 0; i < sizeof(text) - 1; i++) {
		buf[2 + 2 * i] = (unsigned char)text[i];
		buf[3 + 2 * i] = 0;
	}
	cu_fmt(path, sizeof(path), "%s/utf16.reg", dir);
	cu_write_file(path, buf, 2 + 2 * (sizeof(text) - 1));
	/* The parser takes it... */
	ck_assert_msg(reg_parse_file(path, &doc, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(doc.n_ops, 1);
	reg_doc_free(&doc);
	/* ...and so must the profile reader. */
	ck_assert_ok(profile_find(dir, "utf16", &p, &e), e);
	ck_assert_msg(p.requires_dotnet45 == 1,
	    "'hivepatch-requires: dotnet45' of a UTF-16LE profile ignored");
	ck_assert_str_eq(p.description, "Saved by regedit");
	profile_free(&p);
}
END_TEST

/* ================= suite ================= */

static Suite *
profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc;

	tc = tcase_create("profile");
	tcase_add_test(tc, test_profile_find);
	tcase_add_test(tc, test_profile_unknown);
	tcase_add_test(tc, test_profile_suggests_the_nearest_name);
	tcase_add_test(tc, test_profile_bad_names);
	tcase_add_test(tc, test_profile_list);
	tcase_add_test(tc, test_profile_list_empty_and_missing);
	tcase_add_test(tc, test_profile_shipped);
	tcase_add_test(tc, test_profile_utf16_meta);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return cu_run_suite(profile_suite(), "test_profile");
}
