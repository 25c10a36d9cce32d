/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of a plan against a hive: judging each item against what
 * the hive holds (plan_judge), applying it (apply_item), set-bits values
 * (the bits a profile needs, added to what is there), and counting what
 * a profile still lacks (plan_count_unmet, with the shipped profiles).
 *
 * Fixture hives as coreutil.h describes: opened in memory, changed
 * there, never committed. */
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

/* The hive as the library looks keys up in it (in memory: no file to
 * read key flags from). */
static const struct lookup_ctx *
ctx_of(hive_h *h)
{
	static struct lookup_ctx c;

	c.h = h;
	c.fd = -1;
	c.where = "test hive";
	return &c;
}

static void
judge(hive_h *h, struct plan_item *it)
{
	struct hp_err e = { 0 };

	ck_assert_msg(plan_judge(ctx_of(h), it, &e) == 0, "plan_judge: %s", e.msg);
}

static void
apply(hive_h *h, struct plan_item *it)
{
	struct hp_err e = { 0 };

	ck_assert_msg(apply_item(ctx_of(h), it, NULL, &e) == 0, "apply_item: %s", e.msg);
}

/* The key net4-tls12 writes to, as a hive path and as a .reg section. */
#define NETFX_V4 "Microsoft\\.NETFramework\\v4.0.30319"
#define NETFX_V4_KEY "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319]\n"

/* ================= plan_judge + apply_item ================= */

/* One plan over h: judge item i, check the action, apply, judge again. */
static void
judge_apply(hive_h *h, struct plan *plan, size_t i, enum hp_action want)
{
	struct plan_item *it = &plan->items[i];

	judge(h, it);
	ck_assert_msg(it->action == want, "%s: action %d, expected %d",
	    it->display_key, (int)it->action, (int)want);
	apply(h, it);
	judge(h, it);
	ck_assert_msg(it->action == HP_ACT_ALREADY,
	    "%s: action %d after apply, expected HP_ACT_ALREADY",
	    it->display_key, (int)it->action);
}

/* The whole tree reads back, as the check after a commit reads it. */
static void
assert_walks(hive_h *h)
{
	struct hp_err e = { 0 };

	ck_assert_msg(hive_walk_all(h, -1, HP_HIVE_SOFTWARE, "hive", &e) == 0,
	    "%s", e.msg);
}

START_TEST(test_judge_set_absent)
{
	hive_h *h = cu_open_hive("software64-net48");
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER NETFX_V4_KEY
	    "\"SchUseStrongCrypto\"=dword:00000001\n", &cu_image64, &p, &plan);
	judge(h, &plan.items[0]);
	ck_assert_int_eq(plan.items[0].action, HP_ACT_ALREADY);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_ADD);
	ck_assert_int_eq(plan.items[1].key_exists, 1);
	ck_assert_int_eq(plan.items[1].had_value, 0);
	ck_assert_ptr_null(plan.items[1].before);
	judge_apply(h, &plan, 1, HP_ACT_ADD);
	ck_assert_int_eq(plan.items[1].had_value, 1);
	ck_assert_int_eq(plan.items[1].before_type, hive_t_REG_DWORD);
	assert_dword(h, NETFX_V4, "SchUseStrongCrypto", 1);
	assert_sz(h, NETFX_V4, "SomeOtherValue", hive_t_REG_SZ, "keep me");
	ck_assert_uint_eq(count_values(h, NETFX_V4), 2);
	assert_walks(h);
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
	ck_assert_int_eq(plan.items[1].action, HP_ACT_CHANGE);
	ck_assert_int_eq(plan.items[1].had_value, 1);
	ck_assert_int_eq(plan.items[1].before_type, hive_t_REG_SZ);
	ck_assert_uint_eq(plan.items[1].before_len, len);
	ck_assert_mem_eq(plan.items[1].before, keep, len);
	judge_apply(h, &plan, 1, HP_ACT_CHANGE);
	assert_sz(h, NETFX_V4, "SomeOtherValue", hive_t_REG_SZ, "changed");
	judge_apply(h, &plan, 2, HP_ACT_CHANGE);
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
	judge_apply(h, &plan, 1, HP_ACT_CHANGE);
	assert_sz(h, NETFX_V4, "SomeOtherValue", hive_t_REG_EXPAND_SZ,
	    "keep me");
	judge_apply(h, &plan, 2, HP_ACT_CHANGE);
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
		ck_assert_msg(plan.items[i].action == HP_ACT_ALREADY,
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
	judge_apply(h, &plan, 1, HP_ACT_DELETE);
	ck_assert_int_eq(plan.items[1].had_value, 0);
	ck_assert_ptr_null(get_value(h, NETFX_V4, "SchUseStrongCrypto",
	    &(hive_type){ 0 }, &(size_t){ 0 }));
	ck_assert_uint_eq(count_values(h, NETFX_V4), 1);

	judge(h, &plan.items[2]);
	ck_assert_int_eq(plan.items[2].action, HP_ACT_ALREADY);
	ck_assert_int_eq(plan.items[2].had_value, 0);
	apply(h, &plan.items[2]);
	ck_assert_uint_eq(count_values(h, NETFX_V4), 1);

	/* A value of a key that is not there is already deleted. */
	judge(h, &plan.items[4]);
	ck_assert_int_eq(plan.items[4].action, HP_ACT_ALREADY);
	ck_assert_int_eq(plan.items[4].key_exists, 0);
	apply(h, &plan.items[4]);
	ck_assert_uint_eq(hive_find_key(h, "NoSuchKey"), 0);
	assert_walks(h);
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
	judge_apply(h, &plan, 0, HP_ACT_DELETE);
	ck_assert_int_eq(plan.items[0].key_exists, 0);
	ck_assert_uint_eq(hive_find_key(h, NETFX_V4), 0);
	cu_must_find(h, "Microsoft\\.NETFramework");
	assert_sz(h, "Microsoft\\.NETFramework", "InstallRoot", hive_t_REG_SZ,
	    "C:\\Windows\\Microsoft.NET\\Framework64\\");
	/* The 32-bit view's key of the same name is another key. */
	cu_must_find(h, "Wow6432Node\\" NETFX_V4);

	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_ALREADY);
	apply(h, &plan.items[1]);
	judge(h, &plan.items[2]);
	ck_assert_int_eq(plan.items[2].action, HP_ACT_ALREADY);
	apply(h, &plan.items[2]);
	ck_assert_uint_eq(hive_find_key(h, "NoSuch"), 0);
	assert_walks(h);
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
	judge_apply(h, &plan, 0, HP_ACT_ADD);
	cu_must_find(h, "Vendor");
	cu_must_find(h, "Vendor\\Product");
	cu_must_find(h, "Vendor\\Product\\Sub");
	cu_must_find(h, "Vendor\\Product\\Sub\\Leaf");
	ck_assert_uint_eq(count_values(h, "Vendor\\Product\\Sub\\Leaf"), 0);

	/* The value alone, without its [key] applied first. */
	judge(h, &plan.items[2]);
	ck_assert_int_eq(plan.items[2].key_exists, 0);
	judge_apply(h, &plan, 2, HP_ACT_ADD);
	cu_must_find(h, "Microsoft\\.NETFramework");
	assert_dword(h, NETFX_V4, "SchUseStrongCrypto", 1);
	ck_assert_uint_eq(count_values(h, NETFX_V4), 1);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_ALREADY);
	assert_walks(h);
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
	ck_assert_int_eq(plan.items[1].action, HP_ACT_ALREADY);

	/* Changing it under another spelling changes the one value. */
	judge_apply(h, &plan, 2, HP_ACT_CHANGE);
	ck_assert_msg(count_values(h, NETFX_V4) == 2,
	    "setting 'SOMEOTHERVALUE' over 'SomeOtherValue' left %zu values",
	    count_values(h, NETFX_V4));
	assert_sz(h, NETFX_V4, "SomeOtherValue", hive_t_REG_SZ, "new");

	judge_apply(h, &plan, 3, HP_ACT_DELETE);
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
	judge_apply(h, &plan, 1, HP_ACT_DELETE);
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
	assert_walks(h);
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
	ck_assert_msg(plan.items[0].action == HP_ACT_DELETE,
	    "deleting an existing key judged %d, not HP_ACT_DELETE",
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
	ck_assert_int_eq(plan.items[1].action, HP_ACT_ADD);
	ck_assert_int_eq(plan.items[1].key_exists, 0);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0xa00);
	judge(h, &plan.items[0]);
	apply(h, &plan.items[0]);
	judge_apply(h, &plan, 1, HP_ACT_ADD);
	assert_dword(h, WINHTTP, "DefaultSecureProtocols", 0xa00);
	plan_free(&plan);
	cu_parsed_free(&p);
	cu_close_hive(h);

	/* 0x2000 (TLS 1.3 only): CHANGE to 0x2a00, the TLS 1.3 bit kept. */
	h = cu_open_hive("software64-winhttp13");
	cu_make_plan(set_bits_text, &cu_image64, &p, &plan);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_CHANGE);
	ck_assert_int_eq(plan.items[1].before_type, hive_t_REG_DWORD);
	ck_assert_uint_eq(le32(plan.items[1].before), 0x2000);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0x2a00);
	judge_apply(h, &plan, 1, HP_ACT_CHANGE);
	assert_dword(h, WINHTTP, "DefaultSecureProtocols", 0x2a00);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0x2a00);

	/* 0x2a00 and any other superset: ALREADY. */
	set_dsp(h, hive_t_REG_DWORD, d2a00, 4);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_ALREADY);
	set_dsp(h, hive_t_REG_DWORD, dffff, 4);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_ALREADY);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0xffff);

	/* Some of the bits only: CHANGE, the missing ones added. */
	set_dsp(h, hive_t_REG_DWORD, d0200, 4);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_CHANGE);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0xa00);

	/* Not a DWORD (a REG_SZ "8192", or 4 bytes of REG_BINARY): CHANGE
	 * to a DWORD of the bits alone. */
	sz_data = cu_utf16("8192", &len);
	set_dsp(h, hive_t_REG_SZ, sz_data, len);
	free(sz_data);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_CHANGE);
	ck_assert_int_eq(plan.items[1].before_type, hive_t_REG_SZ);
	ck_assert_uint_eq(after_dword(&plan.items[1]), 0xa00);
	judge_apply(h, &plan, 1, HP_ACT_CHANGE);
	assert_dword(h, WINHTTP, "DefaultSecureProtocols", 0xa00);
	set_dsp(h, hive_t_REG_BINARY, d2a00, 4);
	judge(h, &plan.items[1]);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_CHANGE);
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
	struct hp_err e = { 0 };
	struct profile prof;
	size_t i;

	ck_assert_msg(cu_profile_dir() != NULL,
	    "HIVEPATCH_PROFILE_DIR is not set: it must name the source "
	    "tree's profiles directory (make check sets it)");
	ck_assert_msg(profile_find(cu_profile_dir(), name, &prof, &e) == 0, "profile_find: %s",
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
	struct hp_err e = { 0 };
	const struct reg_op **ops;
	struct hp_image info;
	struct map_ctx ctx = { HP_HIVE_SOFTWARE, 0, NULL, 0, NULL };
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
	n = plan_count_unmet(ctx_of(h), &plan, &e);
	ck_assert_msg(n >= 0, "plan_count_unmet: %s", e.msg);
	if (apply_all) {
		for (i = 0; i < plan.n_items; i++) {
			judge(h, &plan.items[i]);
			apply(h, &plan.items[i]);
		}
		n = plan_count_unmet(ctx_of(h), &plan, &e);
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
	struct hp_err e = { 0 };
	struct cu_parsed p;
	struct plan plan;

	cu_make_plan(REG_HEADER
	    "[HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319]\n"
	    "\"SchUseStrongCrypto\"=dword:00000001\n"
	    NETFX_V4_KEY
	    "\"SchUseStrongCrypto\"=dword:00000000\n"
	    "\"SchUseStrongCrypto\"=dword:00000001\n", &cu_image64, &p, &plan);
	ck_assert_int_eq(plan_count_unmet(ctx_of(h), &plan, &e), 1);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_ADD);
	ck_assert_int_eq(plan.items[3].action, HP_ACT_CHANGE);
	ck_assert_int_eq(plan.items[4].action, HP_ACT_ALREADY);
	apply(h, &plan.items[1]);
	ck_assert_int_eq(plan_count_unmet(ctx_of(h), &plan, &e), 0);
	ck_assert_int_eq(plan.items[1].action, HP_ACT_ALREADY);
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
apply_suite(void)
{
	Suite *s = suite_create("apply");
	TCase *tc;

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
	return cu_run_suite(apply_suite(), "test_apply");
}
