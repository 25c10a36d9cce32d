/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of mapping .reg operations into plans (lib/plan.c): which
 * hive an operation is for (op_hive), plan_map into the SOFTWARE hive
 * (the Wow6432Node half on a 32-bit image) and into the SYSTEM hive
 * (CurrentControlSet to one control set or all of them), and which
 * items a later one supersedes (plan_superseded).
 *
 * No hive is opened: the plans are made from .reg text and an image
 * described in memory. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <check.h>

#include "coreutil.h"
#include "error.h"
#include "hive.h"
#include "plan.h"
#include "regfile.h"

/* ================= plan_map ================= */

START_TEST(test_map_software)
{
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\x]\n"
	    "[HKLM\\software\\Y\\z]\n"
	    "\"v\"=dword:00000001\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE]\n"
	    "[-HKLM\\SOFTWARE\\gone]\n",
	    &cu_image64, &p, &plan);
	ck_assert_str_eq(plan.items[0].hive_path, "x");
	ck_assert_str_eq(plan.items[0].display_key, "HKLM\\SOFTWARE\\x");
	ck_assert_ptr_eq(plan.items[0].op, p.ops[0]);
	ck_assert_str_eq(plan.items[1].hive_path, "Y\\z");
	ck_assert_str_eq(plan.items[1].display_key, "HKLM\\SOFTWARE\\Y\\z");
	ck_assert_str_eq(plan.items[2].hive_path, "Y\\z");
	ck_assert_ptr_eq(plan.items[2].op, p.ops[2]);
	ck_assert_str_eq(plan.items[3].hive_path, "");
	ck_assert_str_eq(plan.items[3].display_key, "HKLM\\SOFTWARE");
	ck_assert_str_eq(plan.items[4].hive_path, "gone");
	ck_assert_int_ne(plan.items[4].action, HP_ACT_SKIP);
	plan_free(&plan);
	ck_assert_ptr_null(plan.items);
	ck_assert_uint_eq(plan.n_items, 0);
	cu_parsed_free(&p);
}
END_TEST

/* Maps text that must be refused; returns with e filled. */
static int
map_refused(const char *text, const struct map_ctx *img,
	    struct hp_err *e)
{
	struct cu_parsed p;
	struct plan plan = { NULL, 0 };
	int rc;

	cu_parse(text, &p);
	e->status = HP_OK;
	e->msg[0] = '\0';
	rc = plan_map(p.ops, p.doc.n_ops, img, &plan, e);
	if (rc == 0)
		plan_free(&plan);
	else {
		ck_assert_ptr_null(plan.items);
		ck_assert_uint_eq(plan.n_items, 0);
	}
	cu_parsed_free(&p);
	return rc;
}

START_TEST(test_map_outside_software)
{
	struct hp_err e;

	ck_assert_err(map_refused(REG_HEADER
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\ok]\n"
	    "\"a\"=dword:1\n"
	    "[HKEY_CURRENT_CONFIG\\Software\\x]\n", &cu_image64, &e), e,
	    HP_USAGE, "t.reg:5:");
	ck_assert_has(e.msg, "HKEY_CURRENT_CONFIG\\Software\\x");
	ck_assert_has(e.msg, "is in no hive hivepatch writes");

	/* HKEY_CLASSES_ROOT needs the user's classes to say where. */
	ck_assert_err(map_refused(REG_HEADER
	    "[HKEY_CLASSES_ROOT\\.txt]\n", &cu_image64, &e), e,
	    HP_REFUSED, "t.reg:3:");
	ck_assert_has(e.msg, "'HKEY_CLASSES_ROOT\\.txt'");
	ck_assert_has(e.msg, "UsrClass.dat");

	ck_assert_err(map_refused(REG_HEADER
	    "[HKEY_USERS\\S-1-5-18]\n", &cu_image64, &e), e, HP_USAGE,
	    "t.reg:3:");

	ck_assert_err(map_refused(REG_HEADER
	    "[HKEY_LOCAL_MACHINE]\n", &cu_image64, &e), e, HP_USAGE,
	    "t.reg:3:");
}
END_TEST

START_TEST(test_map_prefix_is_component)
{
	struct hp_err e;

	ck_assert_err(map_refused(REG_HEADER
	    "[HKLM\\SOFTWAREX\\y]\n", &cu_image64, &e), e, HP_USAGE,
	    "t.reg:3:");
	ck_assert_has(e.msg, "SOFTWAREX");
	ck_assert_err(map_refused(REG_HEADER
	    "[HKLM\\SOFTWARE2]\n", &cu_image64, &e), e, HP_USAGE, "t.reg:3:");
	ck_assert_err(map_refused(REG_HEADER
	    "[HKLM\\SOFT]\n", &cu_image64, &e), e, HP_USAGE, "t.reg:3:");
}
END_TEST

START_TEST(test_map_delete_root_refused)
{
	struct hp_err e;

	ck_assert_err(map_refused(REG_HEADER
	    "[HKLM\\SOFTWARE\\a]\n"
	    "\n"
	    "[-HKLM\\SOFTWARE]\n", &cu_image64, &e), e, HP_USAGE, "t.reg:5:");
	ck_assert_has(e.msg, "root of the SOFTWARE hive");
	ck_assert_err(map_refused(REG_HEADER
	    "[-HKEY_LOCAL_MACHINE\\software\\]\n", &cu_image64, &e), e,
	    HP_USAGE, "t.reg:3:");
	ck_assert_has(e.msg, "root");
}
END_TEST

START_TEST(test_map_wow64_on_32bit)
{
	static const char text[] = REG_HEADER
	    "[HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319]\n"
	    "\"SchUseStrongCrypto\"=dword:00000001\n"
	    "[HKLM\\SOFTWARE\\wow6432node]\n"
	    "[HKLM\\SOFTWARE\\Wow6432NodeX\\a]\n"
	    "[HKLM\\SOFTWARE\\Microsoft\\Wow6432Node]\n";
	struct cu_parsed p;
	struct plan plan;
	size_t i;

	cu_make_plan(text, &cu_image32, &p, &plan);
	for (i = 0; i < 3; i++) {
		ck_assert_msg(plan.items[i].action == HP_ACT_SKIP,
		    "item %zu (%s) not skipped on a 32-bit image", i,
		    plan.items[i].display_key);
		ck_assert_has(plan.items[i].skip_reason, "32-bit");
	}
	ck_assert_int_ne(plan.items[3].action, HP_ACT_SKIP);
	ck_assert_int_ne(plan.items[4].action, HP_ACT_SKIP);
	plan_free(&plan);
	cu_parsed_free(&p);

	cu_make_plan(text, &cu_image64, &p, &plan);
	for (i = 0; i < plan.n_items; i++)
		ck_assert_msg(plan.items[i].action != HP_ACT_SKIP,
		    "item %zu skipped on a 64-bit image", i);
	ck_assert_str_eq(plan.items[1].hive_path,
	    "Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319");
	plan_free(&plan);
	cu_parsed_free(&p);
}
END_TEST

START_TEST(test_map_empty)
{
	struct hp_err e = { 0 };
	struct plan plan;

	ck_assert_ok(plan_map(NULL, 0, &cu_image64, &plan, &e), e);
	ck_assert_uint_eq(plan.n_items, 0);
	plan_free(&plan);
}
END_TEST

/* ================= the SYSTEM hive ================= */

/* op_hive names the hive of each HKLM root and refuses the rest. */
START_TEST(test_op_hive_roots)
{
	static const struct {
		const char *section;
		enum hp_hive_kind kind;	/* HP_HIVE_UNKNOWN: refused */
		const char *rel;
		int ccs;
	} cases[] = {
		{ "HKEY_LOCAL_MACHINE\\SOFTWARE", HP_HIVE_SOFTWARE, "", 0 },
		{ "HKLM\\software\\a\\b", HP_HIVE_SOFTWARE, "a\\b", 0 },
		{ "HKEY_LOCAL_MACHINE\\SYSTEM", HP_HIVE_SYSTEM, "", 0 },
		{ "HKLM\\System\\Select", HP_HIVE_SYSTEM, "Select", 0 },
		{ "HKLM\\SYSTEM\\CurrentControlSet", HP_HIVE_SYSTEM,
		  "CurrentControlSet", 1 },
		{ "HKLM\\SYSTEM\\currentcontrolset\\Control", HP_HIVE_SYSTEM,
		  "currentcontrolset\\Control", 1 },
		{ "HKLM\\SYSTEM\\CurrentControlSetX\\Control", HP_HIVE_SYSTEM,
		  "CurrentControlSetX\\Control", 0 },
		{ "HKLM\\SYSTEM\\ControlSet001\\Control", HP_HIVE_SYSTEM,
		  "ControlSet001\\Control", 0 },
		{ "HKLM\\SOFTWARE\\CurrentControlSet", HP_HIVE_SOFTWARE,
		  "CurrentControlSet", 0 },
		{ "HKLM\\SYSTEMX", HP_HIVE_UNKNOWN, NULL, 0 },
		{ "HKLM\\SAM\\SAM", HP_HIVE_SAM, "SAM", 0 },
		{ "HKLM\\SECURITY", HP_HIVE_SECURITY, "", 0 },
		{ "HKEY_LOCAL_MACHINE", HP_HIVE_UNKNOWN, NULL, 0 },
		{ "HKEY_CURRENT_USER\\SYSTEM", HP_HIVE_NTUSER, "SYSTEM", 0 },
		{ "HKEY_USERS\\.DEFAULT\\Software", HP_HIVE_DEFAULT, "Software",
		  0 },
		{ "HKEY_USERS\\S-1-5-18", HP_HIVE_UNKNOWN, NULL, 0 },
		{ "HKEY_CURRENT_USER\\Software\\Classes", HP_HIVE_USRCLASS,
		  "", 0 },
		{ "HKCU\\software\\classes\\.txt\\x", HP_HIVE_USRCLASS,
		  ".txt\\x", 0 },
		{ "HKCU\\Software\\ClassesX", HP_HIVE_NTUSER,
		  "Software\\ClassesX", 0 },
		{ "HKCU\\Software", HP_HIVE_NTUSER, "Software", 0 },
		{ "HKEY_CLASSES_ROOT\\.txt", HP_HIVE_USRCLASS, ".txt", 0 },
		{ "HKCR", HP_HIVE_USRCLASS, "", 0 },
		{ "HKEY_CURRENT_CONFIG\\Software", HP_HIVE_UNKNOWN, NULL, 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct hp_err e = { 0 };
		enum hp_hive_kind kind = HP_HIVE_UNKNOWN;
		const char *rel = NULL;
		struct cu_parsed p;
		char text[256];
		int rc;

		cu_fmt(text, sizeof(text), REG_HEADER "[%s]\n", cases[i].section);
		cu_parse(text, &p);
		rc = op_hive(p.ops[0], &kind, &rel, &e);
		if (cases[i].kind == HP_HIVE_UNKNOWN) {
			ck_assert_msg(rc == -1, "%s: accepted", cases[i].section);
			ck_assert_int_eq(e.status, HP_USAGE);
			ck_assert_has(e.msg, "t.reg:3:");
			ck_assert_has(e.msg, "is in no hive hivepatch writes");
		} else {
			ck_assert_msg(rc == 0, "%s: %s", cases[i].section, e.msg);
			ck_assert_msg(kind == cases[i].kind, "%s: kind %d",
			    cases[i].section, (int)kind);
			ck_assert_str_eq(rel, cases[i].rel);
		}
		ck_assert_msg(op_uses_current_control_set(p.ops[0]) == cases[i].ccs,
		    "%s: op_uses_current_control_set", cases[i].section);
		cu_parsed_free(&p);
	}
}
END_TEST

static char *const cs_current2[] = { "ControlSet002", NULL };
static char *const cs_all3[] = {
	"ControlSet001", "ControlSet002", "ControlSet003", NULL
};

/* Maps text into a plan for ctx; the plan may hold more items than ops. */
static void
map_ok(const char *text, const struct map_ctx *ctx, struct cu_parsed *p,
       struct plan *plan)
{
	struct hp_err e = { 0 };

	cu_parse(text, p);
	ck_assert_msg(plan_map(p->ops, p->doc.n_ops, ctx, plan, &e) == 0,
	    "plan_map: %s", e.msg);
}

static const char two_hive_text[] = REG_HEADER
    "[HKLM\\SOFTWARE\\Microsoft\\x]\n"				/* 3 */
    "\"s\"=dword:00000001\n"
    "[HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders]\n"	/* 5 */
    "\"v\"=dword:00000002\n"
    "[HKLM\\SYSTEM\\Select]\n"					/* 7 */
    "[HKLM\\SYSTEM\\currentcontrolset]\n"
    "[-HKLM\\SOFTWARE\\Wow6432Node\\y]\n";			/* 9 */

START_TEST(test_map_system_current_control_set)
{
	const struct map_ctx one = { HP_HIVE_SYSTEM, 1, cs_current2, 1, NULL };
	const struct map_ctx all = { HP_HIVE_SYSTEM, 0, cs_all3, 3, NULL };
	struct cu_parsed p;
	struct plan plan;
	size_t i;

	/* One control set: SOFTWARE keys left out, the rest mapped. */
	map_ok(two_hive_text, &one, &p, &plan);
	ck_assert_uint_eq(plan.n_items, 4);
	ck_assert_str_eq(plan.items[0].hive_path,
	    "ControlSet002\\Control\\SecurityProviders");
	ck_assert_str_eq(plan.items[0].display_key,
	    "HKLM\\SYSTEM\\ControlSet002\\Control\\SecurityProviders");
	ck_assert_ptr_eq(plan.items[0].op, p.ops[2]);
	ck_assert_str_eq(plan.items[1].hive_path,
	    "ControlSet002\\Control\\SecurityProviders");
	ck_assert_ptr_eq(plan.items[1].op, p.ops[3]);
	ck_assert_str_eq(plan.items[2].hive_path, "Select");
	ck_assert_str_eq(plan.items[2].display_key, "HKLM\\SYSTEM\\Select");
	ck_assert_str_eq(plan.items[3].hive_path, "ControlSet002");
	ck_assert_str_eq(plan.items[3].display_key, "HKLM\\SYSTEM\\ControlSet002");
	for (i = 0; i < plan.n_items; i++)
		ck_assert_int_ne(plan.items[i].action, HP_ACT_SKIP);
	plan_free(&plan);
	cu_parsed_free(&p);

	/* Every control set: one item per set for each CurrentControlSet
	 * operation, in the order of the sets. */
	map_ok(two_hive_text, &all, &p, &plan);
	ck_assert_uint_eq(plan.n_items, 3 + 3 + 1 + 3);
	for (i = 0; i < 3; i++) {
		char want[128];

		cu_fmt(want, sizeof(want), "HKLM\\SYSTEM\\ControlSet%03zu\\Control\\"
		    "SecurityProviders", i + 1);
		ck_assert_str_eq(plan.items[i].display_key, want);
		ck_assert_ptr_eq(plan.items[i].op, p.ops[2]);
		ck_assert_str_eq(plan.items[3 + i].display_key, want);
		ck_assert_ptr_eq(plan.items[3 + i].op, p.ops[3]);
		ck_assert_str_eq(plan.items[7 + i].hive_path, cs_all3[i]);
	}
	ck_assert_str_eq(plan.items[6].hive_path, "Select");
	plan_free(&plan);
	cu_parsed_free(&p);
}
END_TEST

START_TEST(test_map_system_without_control_sets_is_refused)
{
	const struct map_ctx none = { HP_HIVE_SYSTEM, 1, NULL, 0, NULL };
	struct hp_err e;

	ck_assert_err(map_refused(two_hive_text, &none, &e), e, HP_REFUSED,
	    "t.reg:5:");
	ck_assert_has(e.msg, "no control set to map CurrentControlSet to");

	/* Keys outside CurrentControlSet need no control set. */
	ck_assert_int_eq(map_refused(REG_HEADER "[HKLM\\SYSTEM\\Select]\n"
	    "\"Current\"=dword:1\n", &none, &e), 0);
	/* Nor does a SOFTWARE plan. */
	ck_assert_int_eq(map_refused(two_hive_text, &cu_image64, &e), 0);
	/* Deleting the root of SYSTEM is refused as for SOFTWARE. */
	ck_assert_err(map_refused(REG_HEADER "[-HKLM\\SYSTEM]\n", &none, &e), e,
	    HP_USAGE, "t.reg:3:");
	ck_assert_has(e.msg, "root of the SYSTEM hive");
}
END_TEST

START_TEST(test_map_software_leaves_system_keys_out)
{
	struct cu_parsed p;
	struct plan plan;

	map_ok(two_hive_text, &cu_image32, &p, &plan);
	ck_assert_uint_eq(plan.n_items, 3);
	ck_assert_str_eq(plan.items[0].display_key, "HKLM\\SOFTWARE\\Microsoft\\x");
	ck_assert_ptr_eq(plan.items[0].op, p.ops[0]);
	ck_assert_ptr_eq(plan.items[1].op, p.ops[1]);
	ck_assert_str_eq(plan.items[2].hive_path, "Wow6432Node\\y");
	ck_assert_int_eq(plan.items[2].action, HP_ACT_SKIP);
	plan_free(&plan);
	cu_parsed_free(&p);
}
END_TEST

/* ================= plan_superseded ================= */

START_TEST(test_superseded_same_value)
{
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER
	    "[HKLM\\SOFTWARE\\K]\n"		/* 0 */
	    "\"Value\"=dword:00000000\n"		/* 1 */
	    "\"Other\"=dword:00000000\n"		/* 2 */
	    "[HKLM\\software\\k]\n"		/* 3 */
	    "\"VALUE\"=dword:00000001\n"		/* 4 */
	    "[HKLM\\SOFTWARE\\K2]\n"		/* 5 */
	    "\"Other\"=dword:00000001\n"		/* 6 */
	    "[HKLM\\SOFTWARE\\K]\n"		/* 7 */
	    "\"Other\"=-\n",			/* 8 */
	    &cu_image64, &p, &plan);
	ck_assert_int_eq(plan_superseded(&plan, 1), 1);
	ck_assert_int_eq(plan_superseded(&plan, 4), 0);
	/* Deleted later: superseded too; a namesake in K2 does not count. */
	ck_assert_int_eq(plan_superseded(&plan, 2), 1);
	ck_assert_int_eq(plan_superseded(&plan, 6), 0);
	ck_assert_int_eq(plan_superseded(&plan, 8), 0);
	/* Creating a key again supersedes nothing. */
	ck_assert_int_eq(plan_superseded(&plan, 0), 0);
	ck_assert_int_eq(plan_superseded(&plan, 3), 0);

	/* A later item skipped on this image supersedes nothing. */
	plan.items[4].action = HP_ACT_SKIP;
	ck_assert_int_eq(plan_superseded(&plan, 1), 0);
	plan_free(&plan);
	cu_parsed_free(&p);
}
END_TEST

START_TEST(test_superseded_ancestor_deleted)
{
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER
	    "[HKLM\\SOFTWARE\\K\\Sub]\n"		/* 0 */
	    "\"v\"=dword:00000001\n"		/* 1 */
	    "[HKLM\\SOFTWARE\\KX]\n"		/* 2 */
	    "\"v\"=dword:00000001\n"		/* 3 */
	    "[HKLM\\SOFTWARE\\K]\n"		/* 4 */
	    "\"w\"=dword:00000001\n"		/* 5 */
	    "[-HKLM\\SOFTWARE\\K\\Sub\\Deeper]\n"	/* 6 */
	    "[-hklm\\software\\k]\n",		/* 7 */
	    &cu_image64, &p, &plan);
	ck_assert_int_eq(plan_superseded(&plan, 0), 1);
	ck_assert_int_eq(plan_superseded(&plan, 1), 1);
	ck_assert_int_eq(plan_superseded(&plan, 4), 1);
	ck_assert_int_eq(plan_superseded(&plan, 5), 1);
	ck_assert_int_eq(plan_superseded(&plan, 6), 1);
	/* KX is not below K. */
	ck_assert_int_eq(plan_superseded(&plan, 2), 0);
	ck_assert_int_eq(plan_superseded(&plan, 3), 0);
	ck_assert_int_eq(plan_superseded(&plan, 7), 0);
	plan_free(&plan);
	cu_parsed_free(&p);
}
END_TEST

START_TEST(test_superseded_key_recreated)
{
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER
	    "[-HKLM\\SOFTWARE\\K]\n"		/* 0 */
	    "[-HKLM\\SOFTWARE\\L]\n"		/* 1 */
	    "[-HKLM\\SOFTWARE\\M]\n"		/* 2 */
	    "[HKLM\\SOFTWARE\\k\\Sub]\n"		/* 3 */
	    "\"v\"=dword:00000001\n"		/* 4 */
	    "[HKLM\\SOFTWARE\\LX]\n"		/* 5 */
	    "\"v\"=dword:00000001\n"		/* 6 */
	    "[-HKLM\\SOFTWARE\\M\\Sub]\n"		/* 7 */
	    "[HKLM\\SOFTWARE\\Other]\n"		/* 8 */
	    "\"v\"=-\n",				/* 9 */
	    &cu_image64, &p, &plan);
	ck_assert_int_eq(plan_superseded(&plan, 0), 1);
	/* LX is not L; deleting below M does not recreate M. */
	ck_assert_int_eq(plan_superseded(&plan, 1), 0);
	ck_assert_int_eq(plan_superseded(&plan, 2), 0);
	ck_assert_int_eq(plan_superseded(&plan, 3), 0);
	ck_assert_int_eq(plan_superseded(&plan, 4), 0);
	plan_free(&plan);
	cu_parsed_free(&p);

	/* Recreated by a value alone, the [key] line skipped. */
	cu_make_plan(REG_HEADER
	    "[-HKLM\\SOFTWARE\\K]\n"
	    "[HKLM\\SOFTWARE\\K]\n"
	    "\"v\"=dword:00000001\n", &cu_image64, &p, &plan);
	plan.items[1].action = HP_ACT_SKIP;
	ck_assert_int_eq(plan_superseded(&plan, 0), 1);
	plan_free(&plan);
	cu_parsed_free(&p);
}
END_TEST

/* ================= suite ================= */

static Suite *
plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc;

	tc = tcase_create("plan_map");
	tcase_add_test(tc, test_map_software);
	tcase_add_test(tc, test_map_outside_software);
	tcase_add_test(tc, test_map_prefix_is_component);
	tcase_add_test(tc, test_map_delete_root_refused);
	tcase_add_test(tc, test_map_wow64_on_32bit);
	tcase_add_test(tc, test_map_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("system");
	tcase_add_test(tc, test_op_hive_roots);
	tcase_add_test(tc, test_map_system_current_control_set);
	tcase_add_test(tc, test_map_system_without_control_sets_is_refused);
	tcase_add_test(tc, test_map_software_leaves_system_keys_out);
	suite_add_tcase(s, tc);

	tc = tcase_create("superseded");
	tcase_add_test(tc, test_superseded_same_value);
	tcase_add_test(tc, test_superseded_ancestor_deleted);
	tcase_add_test(tc, test_superseded_key_recreated);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return cu_run_suite(plan_suite(), "test_plan");
}
