/* Unit tests of the library core: mapping .reg operations into plans
 * and judging and applying plans to an in-memory hive.
 *
 * Fixture hives as coreutil.h describes. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <hivex.h>

#include "apply.h"
#include "coreutil.h"
#include "detect.h"
#include "error.h"
#include "hive.h"
#include "plan.h"
#include "profile.h"
#include "regf.h"
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
	ck_assert_int_ne(plan.items[4].action, PLAN_SKIP);
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
	    "[HKEY_CURRENT_USER\\Software\\x]\n", &cu_image64, &e), e,
	    HP_USAGE, "t.reg:5:");
	ck_assert_has(e.msg, "HKEY_CURRENT_USER\\Software\\x");
	ck_assert_has(e.msg, "neither HKEY_LOCAL_MACHINE\\SOFTWARE nor "
	    "HKEY_LOCAL_MACHINE\\SYSTEM");

	ck_assert_err(map_refused(REG_HEADER
	    "[HKEY_USERS\\.DEFAULT]\n", &cu_image64, &e), e, HP_USAGE,
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
		ck_assert_msg(plan.items[i].action == PLAN_SKIP,
		    "item %zu (%s) not skipped on a 32-bit image", i,
		    plan.items[i].display_key);
		ck_assert_has(plan.items[i].skip_reason, "32-bit");
	}
	ck_assert_int_ne(plan.items[3].action, PLAN_SKIP);
	ck_assert_int_ne(plan.items[4].action, PLAN_SKIP);
	plan_free(&plan);
	cu_parsed_free(&p);

	cu_make_plan(text, &cu_image64, &p, &plan);
	for (i = 0; i < plan.n_items; i++)
		ck_assert_msg(plan.items[i].action != PLAN_SKIP,
		    "item %zu skipped on a 64-bit image", i);
	ck_assert_str_eq(plan.items[1].hive_path,
	    "Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319");
	plan_free(&plan);
	cu_parsed_free(&p);
}
END_TEST

START_TEST(test_map_empty)
{
	struct hp_err e = { HP_OK, "" };
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
		enum hive_kind kind;	/* HIVE_UNKNOWN: refused */
		const char *rel;
		int ccs;
	} cases[] = {
		{ "HKEY_LOCAL_MACHINE\\SOFTWARE", HIVE_SOFTWARE, "", 0 },
		{ "HKLM\\software\\a\\b", HIVE_SOFTWARE, "a\\b", 0 },
		{ "HKEY_LOCAL_MACHINE\\SYSTEM", HIVE_SYSTEM, "", 0 },
		{ "HKLM\\System\\Select", HIVE_SYSTEM, "Select", 0 },
		{ "HKLM\\SYSTEM\\CurrentControlSet", HIVE_SYSTEM,
		  "CurrentControlSet", 1 },
		{ "HKLM\\SYSTEM\\currentcontrolset\\Control", HIVE_SYSTEM,
		  "currentcontrolset\\Control", 1 },
		{ "HKLM\\SYSTEM\\CurrentControlSetX\\Control", HIVE_SYSTEM,
		  "CurrentControlSetX\\Control", 0 },
		{ "HKLM\\SYSTEM\\ControlSet001\\Control", HIVE_SYSTEM,
		  "ControlSet001\\Control", 0 },
		{ "HKLM\\SOFTWARE\\CurrentControlSet", HIVE_SOFTWARE,
		  "CurrentControlSet", 0 },
		{ "HKLM\\SYSTEMX", HIVE_UNKNOWN, NULL, 0 },
		{ "HKLM\\SAM\\SAM", HIVE_UNKNOWN, NULL, 0 },
		{ "HKLM\\SECURITY", HIVE_UNKNOWN, NULL, 0 },
		{ "HKEY_LOCAL_MACHINE", HIVE_UNKNOWN, NULL, 0 },
		{ "HKEY_CURRENT_USER\\SYSTEM", HIVE_UNKNOWN, NULL, 0 },
		{ "HKEY_USERS\\.DEFAULT\\Software", HIVE_UNKNOWN, NULL, 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct hp_err e = { HP_OK, "" };
		enum hive_kind kind = HIVE_UNKNOWN;
		const char *rel = NULL;
		struct cu_parsed p;
		char text[256];
		int rc;

		cu_fmt(text, sizeof(text), REG_HEADER "[%s]\n", cases[i].section);
		cu_parse(text, &p);
		rc = op_hive(p.ops[0], &kind, &rel, &e);
		if (cases[i].kind == HIVE_UNKNOWN) {
			ck_assert_msg(rc == -1, "%s: accepted", cases[i].section);
			ck_assert_int_eq(e.status, HP_USAGE);
			ck_assert_has(e.msg, "t.reg:3:");
			ck_assert_has(e.msg, "hivepatch writes only those two hives");
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
	struct hp_err e = { HP_OK, "" };

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
	const struct map_ctx one = { HIVE_SYSTEM, 1, cs_current2, 1 };
	const struct map_ctx all = { HIVE_SYSTEM, 0, cs_all3, 3 };
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
		ck_assert_int_ne(plan.items[i].action, PLAN_SKIP);
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
	const struct map_ctx none = { HIVE_SYSTEM, 1, NULL, 0 };
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
	ck_assert_int_eq(plan.items[2].action, PLAN_SKIP);
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
	plan.items[4].action = PLAN_SKIP;
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
	plan.items[1].action = PLAN_SKIP;
	ck_assert_int_eq(plan_superseded(&plan, 0), 1);
	plan_free(&plan);
	cu_parsed_free(&p);
}
END_TEST

/* ---- hive values ---- */

/* The value's data (malloc'd) or NULL when the key or value is absent. */
static unsigned char *
get_value(hive_h *h, const char *key, const char *name, hive_type *t,
	  size_t *len)
{
	hive_node_h node = hive_find_key(h, key);
	hive_value_h v;

	if (node == 0)
		return NULL;
	v = hivex_node_get_value(h, node, name);
	if (v == 0)
		return NULL;
	return (unsigned char *)hivex_value_value(h, v, t, len);
}

static size_t
count_values(hive_h *h, const char *key)
{
	hive_node_h node = cu_must_find(h, key);
	size_t n;

	errno = 0;
	n = hivex_node_nr_values(h, node);
	ck_assert_msg(n > 0 || errno == 0, "nr_values %s", key);
	return n;
}

static void
assert_dword(hive_h *h, const char *key, const char *name, uint32_t want)
{
	hive_type t;
	size_t len;
	unsigned char *d = get_value(h, key, name, &t, &len);

	ck_assert_msg(d != NULL, "%s\\%s absent", key, name);
	ck_assert_int_eq(t, hive_t_REG_DWORD);
	ck_assert_uint_eq(len, 4);
	ck_assert_uint_eq(le32(d), want);
	free(d);
}

static void
assert_sz(hive_h *h, const char *key, const char *name, hive_type want_t,
	  const char *want)
{
	size_t len, wlen;
	hive_type t;
	unsigned char *d = get_value(h, key, name, &t, &len);
	unsigned char *w = cu_utf16(want, &wlen);

	ck_assert_msg(d != NULL, "%s\\%s absent", key, name);
	ck_assert_int_eq(t, want_t);
	ck_assert_uint_eq(len, wlen);
	ck_assert_mem_eq(d, w, wlen);
	free(d);
	free(w);
}

/* ---- plans ---- */

static void
judge(hive_h *h, struct plan_item *it)
{
	struct hp_err e = { HP_OK, "" };

	ck_assert_msg(plan_judge(h, it, &e) == 0, "plan_judge: %s", e.msg);
}

static void
apply(hive_h *h, struct plan_item *it)
{
	struct hp_err e = { HP_OK, "" };

	ck_assert_msg(apply_item(h, it, &e) == 0, "apply_item: %s", e.msg);
}

/* The key net4-tls12 writes to, as a hive path and as a .reg section. */
#define NETFX_V4 "Microsoft\\.NETFramework\\v4.0.30319"
#define NETFX_V4_KEY "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319]\n"

/* ================= plan_judge + apply_item ================= */

/* One plan over h: judge item i, check the action, apply, judge again. */
static void
judge_apply(hive_h *h, struct plan *plan, size_t i, enum plan_action want)
{
	struct plan_item *it = &plan->items[i];

	judge(h, it);
	ck_assert_msg(it->action == want, "%s: action %d, expected %d",
	    it->display_key, (int)it->action, (int)want);
	apply(h, it);
	judge(h, it);
	ck_assert_msg(it->action == PLAN_ALREADY,
	    "%s: action %d after apply, expected PLAN_ALREADY",
	    it->display_key, (int)it->action);
}

START_TEST(test_judge_set_absent)
{
	hive_h *h = cu_open_hive("software64-net48");
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER NETFX_V4_KEY
	    "\"SchUseStrongCrypto\"=dword:00000001\n", &cu_image64, &p, &plan);
	judge(h, &plan.items[0]);
	ck_assert_int_eq(plan.items[0].action, PLAN_ALREADY);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_ADD);
	ck_assert_int_eq(plan.items[1].key_exists, 1);
	ck_assert_int_eq(plan.items[1].had_value, 0);
	ck_assert_ptr_null(plan.items[1].before);
	judge_apply(h, &plan, 1, PLAN_ADD);
	ck_assert_int_eq(plan.items[1].had_value, 1);
	ck_assert_int_eq(plan.items[1].before_type, hive_t_REG_DWORD);
	assert_dword(h, NETFX_V4, "SchUseStrongCrypto", 1);
	assert_sz(h, NETFX_V4, "SomeOtherValue", hive_t_REG_SZ, "keep me");
	ck_assert_uint_eq(count_values(h, NETFX_V4), 2);
	ck_assert_int_eq(hive_walk_all(h), 0);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

START_TEST(test_judge_change_data)
{
	hive_h *h = cu_open_hive("software64-compliant");
	struct cu_parsed p;
	struct plan plan;
	size_t len;
	unsigned char *keep = cu_utf16("keep me", &len);

	cu_make_plan(REG_HEADER NETFX_V4_KEY
	    "\"SomeOtherValue\"=\"changed\"\n"
	    "\"SchUseStrongCrypto\"=dword:00000000\n", &cu_image64, &p, &plan);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_CHANGE);
	ck_assert_int_eq(plan.items[1].had_value, 1);
	ck_assert_int_eq(plan.items[1].before_type, hive_t_REG_SZ);
	ck_assert_uint_eq(plan.items[1].before_len, len);
	ck_assert_mem_eq(plan.items[1].before, keep, len);
	judge_apply(h, &plan, 1, PLAN_CHANGE);
	assert_sz(h, NETFX_V4, "SomeOtherValue", hive_t_REG_SZ, "changed");
	judge_apply(h, &plan, 2, PLAN_CHANGE);
	assert_dword(h, NETFX_V4, "SchUseStrongCrypto", 0);
	ck_assert_uint_eq(count_values(h, NETFX_V4), 2);
	free(keep);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

START_TEST(test_judge_change_type_same_bytes)
{
	hive_h *h = cu_open_hive("software64-compliant");
	struct cu_parsed p;
	struct plan plan;

	/* "keep me" as REG_EXPAND_SZ, and dword 1 as REG_BINARY: the same
	 * bytes as in the hive, another type. */
	cu_make_plan(REG_HEADER NETFX_V4_KEY
	    "\"SomeOtherValue\"=hex(2):6b,00,65,00,65,00,70,00,20,00,6d,00,"
	    "65,00,00,00\n"
	    "\"SchUseStrongCrypto\"=hex:01,00,00,00\n", &cu_image64, &p, &plan);
	ck_assert_int_eq(p.doc.ops[1].type, hive_t_REG_EXPAND_SZ);
	judge_apply(h, &plan, 1, PLAN_CHANGE);
	assert_sz(h, NETFX_V4, "SomeOtherValue", hive_t_REG_EXPAND_SZ,
	    "keep me");
	judge_apply(h, &plan, 2, PLAN_CHANGE);
	ck_assert_uint_eq(count_values(h, NETFX_V4), 2);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

START_TEST(test_judge_same_is_already)
{
	hive_h *h = cu_open_hive("software64-compliant");
	struct cu_parsed p;
	struct plan plan;
	size_t i;

	cu_make_plan(REG_HEADER NETFX_V4_KEY
	    "\"SomeOtherValue\"=\"keep me\"\n"
	    "\"SchUseStrongCrypto\"=dword:00000001\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\.txt]\n"
	    "@=\"txtfile\"\n", &cu_image64, &p, &plan);
	for (i = 0; i < plan.n_items; i++) {
		judge(h, &plan.items[i]);
		ck_assert_msg(plan.items[i].action == PLAN_ALREADY,
		    "item %zu: action %d", i, (int)plan.items[i].action);
		ck_assert_int_eq(plan.items[i].key_exists, 1);
	}
	ck_assert_int_eq(plan.items[4].had_value, 1);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

START_TEST(test_judge_delete_value)
{
	hive_h *h = cu_open_hive("software64-compliant");
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER NETFX_V4_KEY
	    "\"SchUseStrongCrypto\"=-\n"
	    "\"NotThere\"=-\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\NoSuchKey]\n"
	    "\"x\"=-\n", &cu_image64, &p, &plan);
	judge_apply(h, &plan, 1, PLAN_DELETE);
	ck_assert_int_eq(plan.items[1].had_value, 0);
	ck_assert_ptr_null(get_value(h, NETFX_V4, "SchUseStrongCrypto",
	    &(hive_type){ 0 }, &(size_t){ 0 }));
	ck_assert_uint_eq(count_values(h, NETFX_V4), 1);

	judge(h, &plan.items[2]);
	ck_assert_int_eq(plan.items[2].action, PLAN_ALREADY);
	ck_assert_int_eq(plan.items[2].had_value, 0);
	apply(h, &plan.items[2]);
	ck_assert_uint_eq(count_values(h, NETFX_V4), 1);

	/* A value of a key that is not there is already deleted. */
	judge(h, &plan.items[4]);
	ck_assert_int_eq(plan.items[4].action, PLAN_ALREADY);
	ck_assert_int_eq(plan.items[4].key_exists, 0);
	apply(h, &plan.items[4]);
	ck_assert_uint_eq(hive_find_key(h, "NoSuchKey"), 0);
	ck_assert_int_eq(hive_walk_all(h), 0);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

START_TEST(test_judge_delete_key)
{
	hive_h *h = cu_open_hive("software64-compliant");
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER
	    "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319]\n"
	    "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NoSuchKey]\n"
	    "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\NoSuch\\Deeper]\n",
	    &cu_image64, &p, &plan);
	judge(h, &plan.items[0]);
	ck_assert_int_eq(plan.items[0].key_exists, 1);
	judge_apply(h, &plan, 0, PLAN_DELETE);
	ck_assert_int_eq(plan.items[0].key_exists, 0);
	ck_assert_uint_eq(hive_find_key(h, NETFX_V4), 0);
	cu_must_find(h, "Microsoft\\.NETFramework");
	assert_sz(h, "Microsoft\\.NETFramework", "InstallRoot", hive_t_REG_SZ,
	    "C:\\Windows\\Microsoft.NET\\Framework64\\");
	/* The 32-bit view's key of the same name is another key. */
	cu_must_find(h, "Wow6432Node\\" NETFX_V4);

	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_ALREADY);
	apply(h, &plan.items[1]);
	judge(h, &plan.items[2]);
	ck_assert_int_eq(plan.items[2].action, PLAN_ALREADY);
	apply(h, &plan.items[2]);
	ck_assert_uint_eq(hive_find_key(h, "NoSuch"), 0);
	ck_assert_int_eq(hive_walk_all(h), 0);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

START_TEST(test_apply_creates_parents)
{
	hive_h *h = cu_open_hive("software64-noparents");
	struct cu_parsed p;
	struct plan plan;

	ck_assert_uint_eq(hive_find_key(h, "Microsoft\\.NETFramework"), 0);
	cu_make_plan(REG_HEADER
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vendor\\Product\\Sub\\Leaf]\n"
	    NETFX_V4_KEY
	    "\"SchUseStrongCrypto\"=dword:00000001\n", &cu_image64, &p, &plan);

	judge(h, &plan.items[0]);
	ck_assert_int_eq(plan.items[0].key_exists, 0);
	judge_apply(h, &plan, 0, PLAN_ADD);
	cu_must_find(h, "Vendor");
	cu_must_find(h, "Vendor\\Product");
	cu_must_find(h, "Vendor\\Product\\Sub");
	cu_must_find(h, "Vendor\\Product\\Sub\\Leaf");
	ck_assert_uint_eq(count_values(h, "Vendor\\Product\\Sub\\Leaf"), 0);

	/* The value alone, without its [key] applied first. */
	judge(h, &plan.items[2]);
	ck_assert_int_eq(plan.items[2].key_exists, 0);
	judge_apply(h, &plan, 2, PLAN_ADD);
	cu_must_find(h, "Microsoft\\.NETFramework");
	assert_dword(h, NETFX_V4, "SchUseStrongCrypto", 1);
	ck_assert_uint_eq(count_values(h, NETFX_V4), 1);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_ALREADY);
	ck_assert_int_eq(hive_walk_all(h), 0);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

START_TEST(test_value_names_case_insensitive)
{
	hive_h *h = cu_open_hive("software64-compliant");
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\MICROSOFT\\.netframework\\V4.0.30319]\n"
	    "\"schusestrongcrypto\"=dword:00000001\n"
	    "\"SOMEOTHERVALUE\"=\"new\"\n"
	    "\"someOtherValue\"=-\n", &cu_image64, &p, &plan);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_ALREADY);

	/* Changing it under another spelling changes the one value. */
	judge_apply(h, &plan, 2, PLAN_CHANGE);
	ck_assert_msg(count_values(h, NETFX_V4) == 2,
	    "setting 'SOMEOTHERVALUE' over 'SomeOtherValue' left %zu values",
	    count_values(h, NETFX_V4));
	assert_sz(h, NETFX_V4, "SomeOtherValue", hive_t_REG_SZ, "new");

	judge_apply(h, &plan, 3, PLAN_DELETE);
	ck_assert_uint_eq(count_values(h, NETFX_V4), 1);
	assert_dword(h, NETFX_V4, "SchUseStrongCrypto", 1);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

struct snap {
	char *name;
	hive_type t;
	size_t len;
	char *data;
};

static size_t
snapshot(hive_h *h, const char *key, struct snap *out, size_t max)
{
	hive_value_h *values = hivex_node_values(h, cu_must_find(h, key));
	size_t n;

	ck_assert_ptr_nonnull(values);
	for (n = 0; values[n] != 0; n++) {
		ck_assert_uint_lt(n, max);
		out[n].name = hivex_value_key(h, values[n]);
		out[n].data = hivex_value_value(h, values[n], &out[n].t,
		    &out[n].len);
		ck_assert_ptr_nonnull(out[n].name);
		ck_assert_ptr_nonnull(out[n].data);
	}
	free(values);
	return n;
}

static void
snap_free(struct snap *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].data);
	}
}

/* Deleting `name` of `key` leaves every other value as it was. */
static void
check_delete_keeps_others(hive_h *h, const char *key, const char *text,
			  const char *name)
{
	struct snap before[16], after[16];
	size_t nb, na, i, j;
	struct cu_parsed p;
	struct plan plan;

	nb = snapshot(h, key, before, NELEM(before));
	cu_make_plan(text, &cu_image64, &p, &plan);
	judge_apply(h, &plan, 1, PLAN_DELETE);
	na = snapshot(h, key, after, NELEM(after));
	ck_assert_uint_eq(na, nb - 1);
	for (i = 0; i < nb; i++) {
		if (strcmp(before[i].name, name) == 0)
			continue;
		for (j = 0; j < na; j++)
			if (strcmp(after[j].name, before[i].name) == 0)
				break;
		ck_assert_msg(j < na, "value '%s' lost", before[i].name);
		ck_assert_msg(after[j].t == before[i].t,
		    "value '%s' changed type", before[i].name);
		ck_assert_uint_eq(after[j].len, before[i].len);
		ck_assert_mem_eq(after[j].data, before[i].data, before[i].len);
	}
	for (j = 0; j < na; j++)
		ck_assert_str_ne(after[j].name, name);
	snap_free(before, nb);
	snap_free(after, na);
	plan_free(&plan);
	cu_parsed_free(&p);
}

START_TEST(test_delete_value_keeps_others)
{
	hive_h *h = cu_open_hive("software64-compliant");

	check_delete_keeps_others(h, "Microsoft\\Windows\\CurrentVersion",
	    REG_HEADER
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion]\n"
	    "\"CommonFilesDir\"=-\n", "CommonFilesDir");
	assert_sz(h, "Microsoft\\Windows\\CurrentVersion", "DevicePath",
	    hive_t_REG_EXPAND_SZ, "%SystemRoot%\\inf");
	check_delete_keeps_others(h, NETFX_V4, REG_HEADER NETFX_V4_KEY
	    "\"SchUseStrongCrypto\"=-\n", "SchUseStrongCrypto");
	assert_sz(h, NETFX_V4, "SomeOtherValue", hive_t_REG_SZ, "keep me");
	/* The default value survives the deletion of a named one... */
	check_delete_keeps_others(h, "Classes\\.txt", REG_HEADER
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\.txt]\n"
	    "\"Content Type\"=-\n", "Content Type");
	assert_sz(h, "Classes\\.txt", "", hive_t_REG_SZ, "txtfile");
	/* ...and the named ones the deletion of the default one. */
	check_delete_keeps_others(h, "Classes\\.txt", REG_HEADER
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\.txt]\n"
	    "@=-\n", "");
	assert_sz(h, "Classes\\.txt", "PerceivedType", hive_t_REG_SZ, "text");
	ck_assert_int_eq(hive_walk_all(h), 0);
	cu_close_hive(h);
}
END_TEST

/* A key whose name is more than 255 bytes of UTF-8 (see
 * cu_add_long_utf8_key) is found when judging too: missed, deleting it
 * would be judged done. */
START_TEST(test_judge_long_utf8_key_delete)
{
	hive_h *h = cu_open_hive("software64-net48");
	char path[512], text[640];
	struct cu_parsed p;
	struct plan plan;

	cu_add_long_utf8_key(h, path, sizeof(path));
	cu_fmt(text, sizeof(text), REG_HEADER "[-HKLM\\SOFTWARE\\%s]\n", path);
	cu_make_plan(text, &cu_image64, &p, &plan);
	judge(h, &plan.items[0]);
	ck_assert_msg(plan.items[0].action == PLAN_DELETE,
	    "deleting an existing key judged %d, not PLAN_DELETE",
	    (int)plan.items[0].action);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

/* ================= set-bits values ================= */

/* The WinHttp value, as winhttp-tls12 writes it. */
#define WINHTTP "Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp"
static const char set_bits_text[] = REG_HEADER
    "[HKLM\\SOFTWARE\\" WINHTTP "]\n"
    "; hivepatch: set-bits\n"
    "\"DefaultSecureProtocols\"=dword:00000a00\n";

static void
set_dsp(hive_h *h, hive_type t, const void *data, size_t len)
{
	hive_set_value v;

	v.key = (char *)"DefaultSecureProtocols";
	v.t = t;
	v.len = len;
	v.value = (char *)data;
	ck_assert_int_eq(hivex_node_set_value(h, cu_must_find(h, WINHTTP), &v, 0),
	    0);
}

/* The plan item's after data as a DWORD. */
static uint32_t
after_dword(const struct plan_item *it)
{
	ck_assert_int_eq(it->after_type, hive_t_REG_DWORD);
	ck_assert_uint_eq(it->after_len, 4);
	return le32(it->after);
}

START_TEST(test_judge_set_bits)
{
	static const unsigned char d2a00[] = { 0x00, 0x2a, 0, 0 };
	static const unsigned char dffff[] = { 0xff, 0xff, 0, 0 };
	static const unsigned char d0200[] = { 0x00, 0x02, 0, 0 };
	unsigned char *sz_data;
	struct cu_parsed p;
	struct plan plan;
	hive_h *h;
	size_t len;

	/* Absent (and its key too): ADD, the bits alone. */
	h = cu_open_hive("software64-net48");
	cu_make_plan(set_bits_text, &cu_image64, &p, &plan);
	ck_assert(p.doc.ops[1].set_bits);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_ADD);
	ck_assert_int_eq(plan.items[1].key_exists, 0);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0xa00);
	judge(h, &plan.items[0]);
	apply(h, &plan.items[0]);
	judge_apply(h, &plan, 1, PLAN_ADD);
	assert_dword(h, WINHTTP, "DefaultSecureProtocols", 0xa00);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);

	/* 0x2000 (TLS 1.3 only): CHANGE to 0x2a00, the TLS 1.3 bit kept. */
	h = cu_open_hive("software64-winhttp13");
	cu_make_plan(set_bits_text, &cu_image64, &p, &plan);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_CHANGE);
	ck_assert_int_eq(plan.items[1].before_type, hive_t_REG_DWORD);
	ck_assert_uint_eq(le32(plan.items[1].before), 0x2000);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0x2a00);
	judge_apply(h, &plan, 1, PLAN_CHANGE);
	assert_dword(h, WINHTTP, "DefaultSecureProtocols", 0x2a00);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0x2a00);

	/* 0x2a00 and any other superset: ALREADY. */
	set_dsp(h, hive_t_REG_DWORD, d2a00, 4);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_ALREADY);
	set_dsp(h, hive_t_REG_DWORD, dffff, 4);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_ALREADY);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0xffff);

	/* Some of the bits only: CHANGE, the missing ones added. */
	set_dsp(h, hive_t_REG_DWORD, d0200, 4);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_CHANGE);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0xa00);

	/* Not a DWORD (a REG_SZ "8192", or 4 bytes of REG_BINARY): CHANGE
	 * to a DWORD of the bits alone. */
	sz_data = cu_utf16("8192", &len);
	set_dsp(h, hive_t_REG_SZ, sz_data, len);
	free(sz_data);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_CHANGE);
	ck_assert_int_eq(plan.items[1].before_type, hive_t_REG_SZ);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0xa00);
	judge_apply(h, &plan, 1, PLAN_CHANGE);
	assert_dword(h, WINHTTP, "DefaultSecureProtocols", 0xa00);
	set_dsp(h, hive_t_REG_BINARY, d2a00, 4);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, PLAN_CHANGE);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0xa00);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

/* ================= plan_count_unmet ================= */

static void
profile_ops(const char *name, struct reg_doc *doc, const struct reg_op ***ops)
{
	struct hp_err e = { HP_OK, "" };
	struct profile prof;
	size_t i;

	ck_assert_msg(cu_initial_profile_dir() != NULL,
	    "HIVEPATCH_PROFILE_DIR is not set: it must name the source "
	    "tree's profiles directory (make check sets it)");
	ck_assert_msg(profile_find(name, &prof, &e) == 0, "profile_find: %s",
	    e.msg);
	ck_assert_msg(reg_parse_file(prof.path, doc, &e) == 0, "%s", e.msg);
	profile_free(&prof);
	*ops = calloc(doc->n_ops, sizeof(**ops));
	ck_assert_ptr_nonnull(*ops);
	for (i = 0; i < doc->n_ops; i++)
		(*ops)[i] = &doc->ops[i];
}

static int
unmet(const char *kind, const char *profile, int apply_all)
{
	struct hp_err e = { HP_OK, "" };
	const struct reg_op **ops;
	struct image_info info;
	struct map_ctx ctx = { HIVE_SOFTWARE, 0, NULL, 0 };
	struct reg_doc doc;
	struct plan plan;
	hive_h *h = cu_open_hive(kind);
	size_t i;
	int n;

	profile_ops(profile, &doc, &ops);
	detect_image(h, &info);
	ctx.is_64bit = info.is_64bit;
	ck_assert_msg(plan_map(ops, doc.n_ops, &ctx, &plan, &e) == 0, "%s",
	    e.msg);
	n = plan_count_unmet(h, &plan, &e);
	ck_assert_msg(n >= 0, "plan_count_unmet: %s", e.msg);
	if (apply_all) {
		for (i = 0; i < plan.n_items; i++) {
			judge(h, &plan.items[i]);
			apply(h, &plan.items[i]);
		}
		n = plan_count_unmet(h, &plan, &e);
		ck_assert_msg(n >= 0, "plan_count_unmet: %s", e.msg);
	}
	plan_free(&plan);
	image_info_free(&info);
	free(ops);
	reg_doc_free(&doc);
	cu_close_hive(h);
	return n;
}

START_TEST(test_unmet_tls12)
{
	ck_assert_int_eq(unmet("software64-compliant", "net4-tls12", 0), 0);
	ck_assert_int_eq(unmet("software64-half", "net4-tls12", 0), 1);
	ck_assert_int_eq(unmet("software64-net48", "net4-tls12", 0), 2);
	/* 32-bit: the Wow6432Node half is skipped, not counted. */
	ck_assert_int_eq(unmet("software32-net48", "net4-tls12", 0), 1);
	/* No v4.0.30319 keys: two keys and two values to add. */
	ck_assert_int_eq(unmet("software64-nonet", "net4-tls12", 0), 4);
	ck_assert_int_eq(unmet("software64-noparents", "net4-tls12", 0), 4);
	/* And nothing is left once the plan is applied. */
	ck_assert_int_eq(unmet("software64-half", "net4-tls12", 1), 0);
	ck_assert_int_eq(unmet("software64-net48", "net4-tls12", 1), 0);
	ck_assert_int_eq(unmet("software64-noparents", "net4-tls12", 1), 0);
	ck_assert_int_eq(unmet("software64-compliant",
	    "net4-tls12-sysdefault", 0), 2);
}
END_TEST

/* Judging refreshes the before state, and a superseded item does not
 * count even when the hive does not hold it. */
START_TEST(test_unmet_refresh_and_superseded)
{
	hive_h *h = cu_open_hive("software64-half");
	struct hp_err e = { HP_OK, "" };
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER
	    "[HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319]\n"
	    "\"SchUseStrongCrypto\"=dword:00000001\n"
	    NETFX_V4_KEY
	    "\"SchUseStrongCrypto\"=dword:00000000\n"
	    "\"SchUseStrongCrypto\"=dword:00000001\n", &cu_image64, &p, &plan);
	ck_assert_int_eq(plan_count_unmet(h, &plan, &e), 1);
	ck_assert_int_eq(plan.items[1].action, PLAN_ADD);
	ck_assert_int_eq(plan.items[3].action, PLAN_CHANGE);
	ck_assert_int_eq(plan.items[4].action, PLAN_ALREADY);
	apply(h, &plan.items[1]);
	ck_assert_int_eq(plan_count_unmet(h, &plan, &e), 0);
	ck_assert_int_eq(plan.items[1].action, PLAN_ALREADY);
	ck_assert_int_eq(plan.items[1].had_value, 1);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);
}
END_TEST

/* winhttp-tls12 over a whole image: both views counted, none left. */
START_TEST(test_unmet_set_bits_profile)
{
	ck_assert_int_eq(unmet("software64-winhttp13", "winhttp-tls12", 0), 2);
	ck_assert_int_eq(unmet("software64-winhttp13", "winhttp-tls12", 1), 0);
	/* Keys and values absent in both views. */
	ck_assert_int_eq(unmet("software64-net48", "winhttp-tls12", 0), 4);
	ck_assert_int_eq(unmet("software64-net48", "winhttp-tls12", 1), 0);
	/* 32-bit: the Wow6432Node lines are skipped, not counted. */
	ck_assert_int_eq(unmet("software7-32", "winhttp-tls12", 0), 2);
}
END_TEST

/* ================= suite ================= */

static Suite *
core_suite(void)
{
	Suite *s = suite_create("core");
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

	tc = tcase_create("judge_apply");
	tcase_add_test(tc, test_judge_set_absent);
	tcase_add_test(tc, test_judge_change_data);
	tcase_add_test(tc, test_judge_change_type_same_bytes);
	tcase_add_test(tc, test_judge_same_is_already);
	tcase_add_test(tc, test_judge_delete_value);
	tcase_add_test(tc, test_judge_delete_key);
	tcase_add_test(tc, test_apply_creates_parents);
	tcase_add_test(tc, test_value_names_case_insensitive);
	tcase_add_test(tc, test_delete_value_keeps_others);
	tcase_add_test(tc, test_judge_long_utf8_key_delete);
	suite_add_tcase(s, tc);

	tc = tcase_create("set_bits");
	tcase_add_test(tc, test_judge_set_bits);
	suite_add_tcase(s, tc);

	tc = tcase_create("count_unmet");
	tcase_add_test(tc, test_unmet_tls12);
	tcase_add_test(tc, test_unmet_refresh_and_superseded);
	tcase_add_test(tc, test_unmet_set_bits_profile);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return cu_run_suite(core_suite(), "test_core");
}
