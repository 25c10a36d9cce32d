/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keys and values found as Windows finds them, on hostile hives made by
 * hives/mkhostile from mkhive's software64-net48 (whose v4.0.30319 keys
 * lack SchUseStrongCrypto):
 *
 * - a decoy key or value whose name is the wanted one, a NUL and more,
 *   holding the profile's value: hivex's own lookup takes it, Windows
 *   does not; verify says not compliant, apply writes the real one and
 *   leaves the decoy;
 * - two keys of one name, a subkey list out of order (exit 4, damaged)
 *   and a symbolic link key (exit 3, link-key) on the profile's path:
 *   refused by verify and apply alike, naming the hive, the key and why,
 *   every file byte-identical after. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

#define NETFX_KEY "HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319"

/* tu_scratch/img/SOFTWARE, made hostile by mkhostile CASE. */
static char *
hostile(const char *which)
{
	char *base = tu_pathf("%s/base", tu_scratch);
	char *hive = tu_pathf("%s/img/SOFTWARE", tu_scratch);
	const char *argv[] = { tu_env_required("MKHOSTILE"), which, base, hive,
	    NULL };
	struct tu_result r;

	tu_mkhive("software64-net48", base, 0);
	tu_mkdir_p(tu_pathf("%s/img", tu_scratch));
	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "mkhostile %s: %s", which, r.err);
	tu_result_free(&r);
	return hive;
}

/* The decoy case: fooled no more, and the decoy left as it was. */
static void
assert_decoy_is_not_the_key(const char *which)
{
	char *hive = hostile(which);
	struct tu_result r;

	tu_hp(&r, "verify", hive, NULL);
	ck_assert_msg(r.status == 1, "verify said %d: %s", r.status, r.out);
	ck_assert_int_eq(tu_count_lines(r.out, "  missing   "), 2);
	tu_result_free(&r);

	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ck_assert_msg(r.status == 0, "apply: %s%s", r.out, r.err);
	tu_result_free(&r);
	tu_hp(&r, "verify", hive, NULL);
	ck_assert_int_eq(r.status, 0);
	tu_result_free(&r);
}

/* export never writes a decoy value under the name it only starts with:
 * the .reg would read back as the real value. */
START_TEST(test_export_refuses_a_value_name_holding_a_nul)
{
	char *hive = hostile("value-nul");
	struct tu_result r;

	tu_hp(&r, "export", hive, NETFX_KEY, NULL);
	ck_assert_int_eq(r.status, 3);
	ck_assert_msg(strstr(r.err, hive) != NULL && strstr(r.err, "has a "
	    "value named 'SchUseStrongCrypto', which a .reg file cannot hold "
	    "(it holds a NUL") != NULL, "%s", r.err);
	ck_assert_ptr_null(strstr(r.out, "\"SchUseStrongCrypto\"="));
	tu_result_free(&r);
}
END_TEST

START_TEST(test_a_key_named_so_up_to_a_nul_is_not_the_key)
{
	assert_decoy_is_not_the_key("key-nul");
}
END_TEST

/* The value is not taken for the real one; and since hivex would write
 * its name back cut at the NUL (as the real name), apply refuses to
 * rewrite that key's values. */
START_TEST(test_a_value_named_so_up_to_a_nul_is_not_the_value)
{
	char *hive = hostile("value-nul");
	struct tu_dir_files before;
	struct tu_result r;

	tu_dir_files_take(&before, tu_pathf("%s/img", tu_scratch));
	tu_hp(&r, "verify", hive, NULL);
	ck_assert_msg(r.status == 1, "verify said %d: %s", r.status, r.out);
	ck_assert_int_eq(tu_count_lines(r.out, "  missing   "), 2);
	tu_result_free(&r);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ck_assert_int_eq(r.status, 4);
	ck_assert_msg(strstr(r.err, hive) != NULL && strstr(r.err, "a value of "
	    NETFX_KEY " has a name holding a NUL") != NULL, "%s", r.err);
	tu_result_free(&r);
	tu_assert_dir_unchanged(&before);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 0);
}
END_TEST

/* A refusal: status, reason, the hive and `what` in the message, every
 * file as it was, for verify, apply and apply --json. */
static void
assert_refused(const char *which, int status, const char *reason,
	       const char *what)
{
	static const char *const commands[][2] = {
		{ "verify", NULL }, { "apply", NULL }, { "apply", "--json" },
	};
	char *hive = hostile(which);
	struct tu_dir_files before;
	size_t i;

	tu_dir_files_take(&before, tu_pathf("%s/img", tu_scratch));
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		struct tu_result r;

		if (commands[i][1] != NULL)
			tu_hp(&r, commands[i][0], commands[i][1], "--backup-dir",
			    tu_bk, hive, NULL);
		else
			tu_hp(&r, commands[i][0], "--backup-dir", tu_bk, hive,
			    NULL);
		ck_assert_msg(r.status == status, "%s %s: exit %d: %s%s",
		    commands[i][0], which, r.status, r.out, r.err);
		if (commands[i][1] != NULL) {
			struct json_object *doc =
			    tu_parse_json(&r, "hivepatch-report/1");

			ck_assert_str_eq(tu_jstr(doc, "reason"), reason);
			json_object_put(doc);
		} else {
			ck_assert_msg(strstr(r.err, hive) != NULL, "%s", r.err);
			ck_assert_msg(strstr(r.err, what) != NULL, "%s", r.err);
		}
		tu_result_free(&r);
		tu_assert_dir_unchanged(&before);
	}
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 0);
}

START_TEST(test_two_keys_of_one_name_are_refused_as_damage)
{
	assert_refused("dup-key", 4, "damaged", "2 subkeys named 'v4.0.30319' "
	    "under HKLM\\SOFTWARE\\Microsoft\\.NETFramework");
}
END_TEST

START_TEST(test_a_subkey_list_out_of_order_is_refused_as_damage)
{
	assert_refused("unsorted", 4, "damaged", "the subkeys of "
	    "HKLM\\SOFTWARE\\Microsoft\\.NETFramework are out of order");
}
END_TEST

START_TEST(test_a_symbolic_link_key_on_the_path_is_refused)
{
	assert_refused("link-key", 3, "link-key", NETFX_KEY " is a registry "
	    "symbolic link");
}
END_TEST

static Suite *
lookup_suite(void)
{
	Suite *s = suite_create("lookup");
	TCase *tc = tu_tcase(s, "hostile names");

	tcase_add_test(tc, test_a_key_named_so_up_to_a_nul_is_not_the_key);
	tcase_add_test(tc, test_a_value_named_so_up_to_a_nul_is_not_the_value);
	tcase_add_test(tc, test_export_refuses_a_value_name_holding_a_nul);
	tcase_add_test(tc, test_two_keys_of_one_name_are_refused_as_damage);
	tcase_add_test(tc, test_a_subkey_list_out_of_order_is_refused_as_damage);
	tcase_add_test(tc, test_a_symbolic_link_key_on_the_path_is_refused);
	return s;
}

int
main(void)
{
	return tu_run_suite(lookup_suite(), "test_lookup");
}
