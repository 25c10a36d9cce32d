/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of what is read from an image's hives: the operating
 * system and .NET of a SOFTWARE hive (detect_image, dotnet_release_name),
 * the architecture and control sets of a SYSTEM hive (detect_system,
 * detect_control_sets), and the profiles --profile auto chooses from
 * them (auto_choose).
 *
 * Fixture hives as coreutil.h describes; auto_choose is given an image
 * described in memory. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <hivex.h>

#include "autoprofile.h"
#include "coreutil.h"
#include "detect.h"
#include "error.h"

/* ================= dotnet_release_name ================= */

START_TEST(test_release_boundaries)
{
	static const struct {
		uint32_t release;
		const char *name;
	} cases[] = {
		{ 0, NULL },
		{ 1, NULL },
		{ 378388, NULL },
		{ 378389, "4.5" },
		{ 378674, "4.5" },
		{ 378675, "4.5.1" },
		{ 379892, "4.5.1" },
		{ 379893, "4.5.2" },
		{ 393294, "4.5.2" },
		{ 393295, "4.6" },
		{ 394253, "4.6" },
		{ 394254, "4.6.1" },
		{ 394801, "4.6.1" },
		{ 394802, "4.6.2" },
		{ 460797, "4.6.2" },
		{ 460798, "4.7" },
		{ 461307, "4.7" },
		{ 461308, "4.7.1" },
		{ 461807, "4.7.1" },
		{ 461808, "4.7.2" },
		{ 528039, "4.7.2" },
		{ 528040, "4.8" },
		{ 528049, "4.8" },
		{ 528372, "4.8" },
		{ 533319, "4.8" },
		{ 533320, "4.8.1" },
		{ 533325, "4.8.1" },
		{ UINT32_MAX, "4.8.1" },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		const char *got = dotnet_release_name(cases[i].release);

		ck_assert_msg(cases[i].name == NULL ? got == NULL :
		    got != NULL && strcmp(got, cases[i].name) == 0,
		    "release %u: got %s, expected %s", cases[i].release,
		    got ? got : "NULL",
		    cases[i].name ? cases[i].name : "NULL");
	}
}
END_TEST

START_TEST(test_has_dotnet45)
{
	struct hp_image info;

	memset(&info, 0, sizeof(info));
	info.has_release = 1;
	info.release = 378389;
	ck_assert_int_ne(image_has_dotnet45(&info), 0);
	info.release = 378388;
	ck_assert_int_eq(image_has_dotnet45(&info), 0);
	/* A Release number alone does not count without has_release. */
	info.has_release = 0;
	info.release = 528040;
	ck_assert_int_eq(image_has_dotnet45(&info), 0);
	/* Nor does a v4\Full key without Release (.NET 4.0). */
	info.dotnet4_full = 1;
	info.dotnet4_version = "4.0";
	ck_assert_int_eq(image_has_dotnet45(&info), 0);
}
END_TEST

/* ================= detect_image ================= */

static const struct detect_case {
	const char *kind;
	const char *product, *build, *edition, *display;
	int is_64bit, full, has_release;
	uint32_t release;
	const char *version;
	int has45;
} detect_cases[] = {
	{ "software64-net48", "Windows 10 Pro", "19045", "Professional",
	    "22H2", 1, 1, 1, 528040, "4.8", 1 },
	{ "software64-net40", "Windows 10 Pro", "19045", "Professional",
	    "22H2", 1, 1, 0, 0, "4.0", 0 },
	{ "software64-nonet", "Windows 10 Pro", "19045", "Professional",
	    "22H2", 1, 0, 0, 0, NULL, 0 },
	{ "software32-net48", "Windows 10 Pro", "19045", "Professional",
	    "22H2", 0, 1, 1, 528040, "4.8", 1 },
	{ "software64-compliant", "Windows 10 Pro", "19045", "Professional",
	    "22H2", 1, 1, 1, 528040, "4.8", 1 },
	{ "software64-half", "Windows 10 Pro", "19045", "Professional",
	    "22H2", 1, 1, 1, 528040, "4.8", 1 },
	{ "software64-noparents", "Windows 10 Pro", "19045", "Professional",
	    "22H2", 1, 1, 1, 528040, "4.8", 1 },
	/* Windows 7: no DisplayVersion and no ReleaseId. */
	{ "software7-64", "Windows 7 Professional", "7601", "Professional",
	    NULL, 1, 1, 1, 528040, "4.8", 1 },
	/* Not a SOFTWARE hive: nothing to find, nothing invented. */
	{ "system", NULL, NULL, NULL, NULL, 0, 0, 0, 0, NULL, 0 },
};

START_TEST(test_detect_kind)
{
	const struct detect_case *c = &detect_cases[_i];
	struct hp_image info;
	hive_h *h = cu_open_hive(c->kind);

	detect_image(h, &info);
	ck_assert_pstr_eq(info.product, c->product);
	ck_assert_pstr_eq(info.build, c->build);
	ck_assert_pstr_eq(info.edition, c->edition);
	ck_assert_pstr_eq(info.display_version, c->display);
	ck_assert_int_eq(info.is_64bit, c->is_64bit);
	ck_assert_int_eq(info.dotnet4_full, c->full);
	ck_assert_int_eq(info.has_release, c->has_release);
	if (c->has_release)
		ck_assert_uint_eq(info.release, c->release);
	ck_assert_pstr_eq(info.dotnet4_version, c->version);
	ck_assert_int_eq(image_has_dotnet45(&info) != 0, c->has45);
	image_info_free(&info);
	ck_assert_ptr_null(info.product);
	cu_close_hive(h);
}
END_TEST

/* DisplayVersion wins; ReleaseId stands in on builds before 20H2. */
START_TEST(test_detect_release_id_fallback)
{
	hive_h *h = cu_open_hive("software64-net48");
	hive_node_h cv = cu_must_find(h, "Microsoft\\Windows NT\\CurrentVersion");
	hive_set_value v;
	struct hp_image info;
	size_t len;
	unsigned char *d = cu_utf16("1909", &len);

	/* Replace all the values of CurrentVersion by a lone ReleaseId. */
	v.key = (char *)"ReleaseId";
	v.t = hive_t_REG_SZ;
	v.len = len;
	v.value = (char *)d;
	ck_assert_int_eq(hivex_node_set_values(h, cv, 1, &v, 0), 0);
	detect_image(h, &info);
	ck_assert_pstr_eq(info.display_version, "1909");
	ck_assert_ptr_null(info.product);
	ck_assert_ptr_null(info.build);
	image_info_free(&info);
	free(d);
	cu_close_hive(h);
}
END_TEST

/* A Release of the wrong type is not a Release. */
START_TEST(test_detect_release_not_dword)
{
	hive_h *h = cu_open_hive("software64-net48");
	hive_node_h full = cu_must_find(h,
	    "Microsoft\\NET Framework Setup\\NDP\\v4\\Full");
	hive_set_value v;
	struct hp_image info;
	size_t len;
	unsigned char *d = cu_utf16("528040", &len);

	v.key = (char *)"Release";
	v.t = hive_t_REG_SZ;
	v.len = len;
	v.value = (char *)d;
	ck_assert_int_eq(hivex_node_set_value(h, full, &v, 0), 0);
	detect_image(h, &info);
	ck_assert_int_eq(info.dotnet4_full, 1);
	ck_assert_int_eq(info.has_release, 0);
	ck_assert_pstr_eq(info.dotnet4_version, "4.0");
	ck_assert_int_eq(image_has_dotnet45(&info), 0);
	image_info_free(&info);
	free(d);
	cu_close_hive(h);
}
END_TEST

/* ================= the SYSTEM hive ================= */

static const struct control_set_case {
	const char *kind;
	int all;
	const char *sets[4];	/* NULL-ended; sets[0] NULL: refused */
	const char *says;	/* the refusal names this */
} control_set_cases[] = {
	{ "system", 0, { "ControlSet001", NULL }, NULL },
	{ "system", 1, { "ControlSet001", NULL }, NULL },
	{ "system-cs2", 0, { "ControlSet002", NULL }, NULL },
	{ "system-cs2", 1, { "ControlSet001", "ControlSet002", "ControlSet003",
	    NULL }, NULL },
	{ "system7", 0, { "ControlSet001", NULL }, NULL },
	{ "system7", 1, { "ControlSet001", "ControlSet002", NULL }, NULL },
	{ "system-noselect", 0, { NULL }, "no Select key" },
	{ "system-noselect", 1, { "ControlSet001", NULL }, NULL },
	{ "system-badselect", 0, { NULL },
	    "Select\\Current is 7 but there is no ControlSet007" },
	{ "system-badselect", 1, { "ControlSet001", NULL }, NULL },
	/* A SOFTWARE hive has neither Select nor control sets. */
	{ "software64-net48", 0, { NULL }, "no Select key" },
	{ "software64-net48", 1, { NULL }, "no ControlSetNNN key" },
};

START_TEST(test_detect_control_sets)
{
	const struct control_set_case *c = &control_set_cases[_i];
	struct hp_err e = { 0 };
	hive_h *h = cu_open_hive(c->kind);
	char **sets = (char **)1;
	size_t n = 99, i;
	int rc;

	rc = detect_control_sets(h, c->all, &sets, &n, "HIVE/PATH", &e);
	if (c->sets[0] == NULL) {
		ck_assert_err(rc, e, HP_REFUSED, c->says);
		ck_assert_has(e.msg, "HIVE/PATH");
		ck_assert_ptr_null(sets);
		ck_assert_uint_eq(n, 0);
	} else {
		ck_assert_ok(rc, e);
		for (i = 0; c->sets[i] != NULL; i++) {
			ck_assert_uint_lt(i, n);
			ck_assert_str_eq(sets[i], c->sets[i]);
		}
		ck_assert_uint_eq(n, i);
		ck_assert_ptr_null(sets[n]);
	}
	control_sets_free(sets);
	cu_close_hive(h);
}
END_TEST

static void
set_select_current(hive_h *h, hive_type t, const void *data, size_t len)
{
	hive_set_value v;

	v.key = (char *)"Current";
	v.t = t;
	v.len = len;
	v.value = (char *)data;
	ck_assert_int_eq(hivex_node_set_value(h, cu_must_find(h, "Select"), &v, 0),
	    0);
}

/* Current out of range or of the wrong type is refused with a message. */
START_TEST(test_detect_control_sets_bad_current)
{
	static const struct {
		hive_type t;
		unsigned char data[4];
		size_t len;
		const char *says;
	} cases[] = {
		{ hive_t_REG_DWORD, { 0, 0, 0, 0 }, 4,
		  "Select\\Current is 0, which names no control set" },
		{ hive_t_REG_DWORD, { 0xe8, 0x03, 0, 0 }, 4,
		  "Select\\Current is 1000, which names no control set" },
		{ hive_t_REG_DWORD, { 3, 0, 0, 0 }, 4,
		  "Select\\Current is 3 but there is no ControlSet003" },
		{ hive_t_REG_SZ, { '1', 0, 0, 0 }, 4,
		  "Select has no DWORD Current" },
		{ hive_t_REG_BINARY, { 1, 0, 0, 0 }, 4,
		  "Select has no DWORD Current" },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct hp_err e = { 0 };
		hive_h *h = cu_open_hive("system");
		char **sets = NULL;
		size_t n;

		set_select_current(h, cases[i].t, cases[i].data, cases[i].len);
		ck_assert_err(detect_control_sets(h, 0, &sets, &n, "S", &e), e,
		    HP_REFUSED, cases[i].says);
		ck_assert_ptr_null(sets);
		/* --all-control-sets does not read Select. */
		ck_assert_ok(detect_control_sets(h, 1, &sets, &n, "S", &e), e);
		ck_assert_uint_eq(n, 1);
		control_sets_free(sets);
		cu_close_hive(h);
	}
}
END_TEST

START_TEST(test_detect_system_architecture)
{
	static const struct {
		const char *kind, *arch;
	} cases[] = {
		{ "system", "AMD64" },
		{ "system32", "x86" },
		{ "system-cs2", "AMD64" },
		{ "system7", "AMD64" },
		{ "system-noselect", NULL },
		{ "system-badselect", NULL },
	};
	struct hp_image info;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		hive_h *h = cu_open_hive(cases[i].kind);

		memset(&info, 0, sizeof(info));
		detect_system(h, &info);
		ck_assert_msg(cases[i].arch == NULL ? info.processor_arch == NULL :
		    info.processor_arch != NULL &&
		    strcmp(info.processor_arch, cases[i].arch) == 0,
		    "%s: PROCESSOR_ARCHITECTURE %s, expected %s", cases[i].kind,
		    info.processor_arch ? info.processor_arch : "NULL",
		    cases[i].arch ? cases[i].arch : "NULL");
		/* SOFTWARE's fields are left alone. */
		ck_assert_ptr_null(info.build);
		ck_assert_int_eq(info.from_software, 0);
		image_info_free(&info);
		cu_close_hive(h);
	}
	/* No SYSTEM hive: nothing found, nothing invented. */
	memset(&info, 0, sizeof(info));
	detect_system(NULL, &info);
	ck_assert_ptr_null(info.processor_arch);
}
END_TEST

/* ================= auto_choose ================= */

/* --profile auto */
static const struct auto_case {
	const char *build;	/* NULL: no CurrentBuild */
	int net45, net35;
	const char *names[AUTO_MAX + 1];	/* NULL-ended */
	const char *why;	/* in the reason, or in the refusal */
	int refused;
} auto_cases[] = {
	{ "7601", 1, 0, { "schannel-tls12", "winhttp-tls12", "net4-tls12", NULL },
	  "build 7601, Windows 7 / Server 2008 R2", 0 },
	{ "7601", 1, 1, { "schannel-tls12", "winhttp-tls12", "net4-tls12",
	  "net35-tls12", NULL }, ".NET 3.5 installed", 0 },
	{ "7601", 0, 1, { "schannel-tls12", "winhttp-tls12", "net35-tls12",
	  NULL }, "no .NET 4.5+", 0 },
	{ "9200", 1, 0, { "winhttp-tls12", "net4-tls12", NULL },
	  "Windows 8 / Server 2012", 0 },
	{ "9200", 0, 1, { "winhttp-tls12", "net35-tls12", NULL },
	  "build 9200", 0 },
	{ "9600", 1, 0, { "net4-tls12", NULL },
	  "Windows 8.1 / Server 2012 R2 or later", 0 },
	{ "19045", 1, 0, { "net4-tls12", NULL }, "build 19045", 0 },
	{ "19045", 1, 1, { "net4-tls12", "net35-tls12", NULL },
	  ".NET 3.5 installed", 0 },
	/* Nothing needed at all. */
	{ "19045", 0, 0, { NULL }, "no .NET 4.5+", 0 },
	{ "6002", 1, 1, { NULL }, "this image is build 6002", 1 },
	{ "7600", 1, 0, { NULL }, "build 7600", 1 },
	{ "7601x", 1, 0, { NULL }, "build 7601x", 1 },
	{ "", 1, 0, { NULL }, "build ", 1 },
	{ NULL, 1, 1, { NULL }, "CurrentBuild", 1 },
};

START_TEST(test_auto_choose)
{
	const struct auto_case *c = &auto_cases[_i];
	const char *names[AUTO_MAX];
	struct hp_err e = { 0 };
	struct hp_image info;
	char why[256] = "";
	size_t n = 99, i;
	int rc;

	memset(&info, 0, sizeof(info));
	info.build = (char *)c->build;
	if (c->net45) {
		info.dotnet4_full = 1;
		info.has_release = 1;
		info.release = 528040;
	}
	info.dotnet35 = c->net35;
	rc = auto_choose(&info, names, &n, why, sizeof(why), &e);
	if (c->refused) {
		ck_assert_err(rc, e, HP_REFUSED, c->why);
		ck_assert_uint_eq(n, 0);
		return;
	}
	ck_assert_ok(rc, e);
	for (i = 0; c->names[i] != NULL; i++) {
		ck_assert_uint_lt(i, n);
		ck_assert_str_eq(names[i], c->names[i]);
	}
	ck_assert_uint_eq(n, i);
	ck_assert_has(why, c->why);
	ck_assert_has(why, "build ");
}
END_TEST

/* ================= suite ================= */

static Suite *
detect_suite(void)
{
	Suite *s = suite_create("detect");
	TCase *tc;

	tc = tcase_create("dotnet");
	tcase_add_test(tc, test_release_boundaries);
	tcase_add_test(tc, test_has_dotnet45);
	suite_add_tcase(s, tc);

	tc = tcase_create("detect");
	tcase_add_loop_test(tc, test_detect_kind, 0, (int)NELEM(detect_cases));
	tcase_add_test(tc, test_detect_release_id_fallback);
	tcase_add_test(tc, test_detect_release_not_dword);
	suite_add_tcase(s, tc);

	tc = tcase_create("system");
	tcase_add_loop_test(tc, test_detect_control_sets, 0,
	    (int)NELEM(control_set_cases));
	tcase_add_test(tc, test_detect_control_sets_bad_current);
	tcase_add_test(tc, test_detect_system_architecture);
	suite_add_tcase(s, tc);

	tc = tcase_create("auto");
	tcase_add_loop_test(tc, test_auto_choose, 0, (int)NELEM(auto_cases));
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return cu_run_suite(detect_suite(), "test_detect");
}
