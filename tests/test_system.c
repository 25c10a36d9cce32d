/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Whole-image TLS 1.2 readiness: the SYSTEM hive next to SOFTWARE, as a
 * user meets it through the real hivepatch binary.  CurrentControlSet
 * mapped through Select, --all-control-sets, hives of the wrong kind,
 * .reg files with keys in both hives, the schannel, net35 and winhttp
 * profiles (set-bits merging), --profile auto, a two-hive apply whose
 * second commit fails, rollback of both hives, and inspect in text and
 * JSON.
 *
 * Every test checks the exit status, the message (naming the file and
 * the problem), the hashes of hives that must not change, and values
 * read back from disk with hivex and, independently, with libregf's
 * regfexport. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

#define NET4_64		"Microsoft\\.NETFramework\\v4.0.30319"
#define NET4_32		"Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319"
#define NET2_64		"Microsoft\\.NETFramework\\v2.0.50727"
#define NET2_32		"Wow6432Node\\Microsoft\\.NETFramework\\v2.0.50727"
#define WINHTTP_64	"Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp"
#define WINHTTP_32	"Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp"
#define SUC		"SchUseStrongCrypto"
#define SDTV		"SystemDefaultTlsVersions"
#define DSP		"DefaultSecureProtocols"
#define SCHANNEL	"Control\\SecurityProviders\\SCHANNEL"
#define TLS12		SCHANNEL "\\Protocols\\TLS 1.2"

#define REG_HEADER "Windows Registry Editor Version 5.00\n\n"

/* A .reg file with one small value in each hive. */
static const char both_hives_reg[] = REG_HEADER
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchTest]\n"
    "\"A\"=dword:00000001\n"
    "\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\HivepatchTest]\n"
    "\"B\"=dword:00000002\n";

/* ---- assertions ---- */

#define ASSERT_NO_BACKUP()						\
	ck_assert_msg(tu_count_files(tu_bk) == 0,			\
	    "files were left under the backup dir %s", tu_bk)

static void
assert_key(const char *hive, const char *key, int want)
{
	int regf;

	ck_assert_msg(tu_hive_key_exists(hive, key) == want,
	    "hivex: %s: key %s %s", hive, key, want ? "missing" : "exists");
	regf = tu_regf_key_exists(hive, key);
	ck_assert_msg(regf == -1 || regf == want, "regfexport: %s: key %s %s",
	    hive, key, want ? "missing" : "exists");
}

static void
assert_no_value(const char *hive, const char *key, const char *name)
{
	unsigned char *data;
	hive_type t;
	size_t len;

	ck_assert_msg(!tu_hive_value(hive, key, name, &t, &data, &len),
	    "%s: %s\\%s exists", hive, key, name);
}

/* "ControlSet00N\\Control\\...\\TLS 1.2[\\side]" */
static char *
tls12_key(int cs, const char *side)
{
	return tu_pathf("ControlSet%03d\\" TLS12 "%s%s", cs, side ? "\\" : "",
	    side ? side : "");
}

/* The schannel-tls12 profile holds in control set cs. */
static void
assert_schannel(const char *hive, int cs)
{
	tu_assert_dword(hive, tls12_key(cs, "Client"), "Enabled", 1);
	tu_assert_dword(hive, tls12_key(cs, "Client"), "DisabledByDefault", 0);
	tu_assert_dword(hive, tls12_key(cs, "Server"), "Enabled", 1);
	tu_assert_dword(hive, tls12_key(cs, "Server"), "DisabledByDefault", 0);
}

/* What the fixtures' control sets hold besides: never lost. */
static void
assert_schannel_neighbours_kept(const char *hive, int cs)
{
	tu_assert_dword(hive, tu_pathf("ControlSet%03d\\" SCHANNEL, cs),
	    "EventLogging", 1);
}

static void
assert_no_schannel(const char *hive, int cs)
{
	assert_key(hive, tls12_key(cs, NULL), 0);
}

static void
assert_net35(const char *hive)
{
	tu_assert_dword(hive, NET2_64, SDTV, 1);
	tu_assert_dword(hive, NET2_64, SUC, 1);
	tu_assert_dword(hive, NET2_32, SDTV, 1);
	tu_assert_dword(hive, NET2_32, SUC, 1);
}

static void
assert_winhttp(const char *hive, uint32_t v64, uint32_t v32)
{
	tu_assert_dword(hive, WINHTTP_64, DSP, v64);
	tu_assert_dword(hive, WINHTTP_32, DSP, v32);
}

static void
assert_changed(const char *path, const char *hex)
{
	char now[SHA256_HEX_LEN + 1];

	tu_sha256(path, now);
	ck_assert_msg(strcmp(now, hex) != 0, "%s did not change", path);
}

/* ---- fixtures ---- */

/* tu_scratch/KIND/FILE made by mkhive. */
static char *
make_hive(const char *kind, const char *file)
{
	char *dir = tu_pathf("%s/%s", tu_scratch, kind);

	tu_mkdir_p(dir);
	tu_mkhive(kind, tu_pathf("%s/%s", dir, file), 0);
	return tu_pathf("%s/%s", dir, file);
}

static char *
base_of(const char *path)
{
	char *copy = tu_pathf("%s", path);

	return basename(copy);
}

static char *
write_reg(const char *name, const char *text)
{
	char *path = tu_pathf("%s/%s", tu_scratch, name);

	tu_write_text(path, text);
	return path;
}

/* ---- JSON ---- */

/* The element of an array of objects whose `member` is `value`. */
static struct json_object *
jfind(struct json_object *array, const char *member, const char *value)
{
	size_t i, n = json_object_array_length(array);

	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(array, i);

		if (strcmp(tu_jstr(x, member), value) == 0)
			return x;
	}
	ck_abort_msg("no element with %s = %s", member, value);
	return NULL;
}

/* The inspect values[] entry for key (display form) and name. */
static struct json_object *
jvalue(struct json_object *values, const char *key, const char *name)
{
	size_t i, n = json_object_array_length(values);

	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(values, i);

		if (strcmp(tu_jstr(x, "key"), key) == 0 &&
		    strcmp(tu_jstr(x, "name"), name) == 0)
			return x;
	}
	ck_abort_msg("inspect lists no value %s %s", key, name);
	return NULL;
}

/* ---- schannel-tls12 and CurrentControlSet ---- */

START_TEST(test_schannel_on_tree_lands_in_controlset001_software_untouched)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	char sw_before[SHA256_HEX_LEN + 1], sys_before[SHA256_HEX_LEN + 1];
	char sys_after[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat sw_st, st;

	tu_sha256(sw, sw_before);
	tu_sha256(sys, sys_before);
	tu_stat(sw, &sw_st);
	tu_hp(&r, "apply", "--profile", "schannel-tls12", "--backup-dir", tu_bk,
	    root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, sys);
	ASSERT_OUT(&r, "(CurrentControlSet is ControlSet001)");
	ASSERT_LACKS(r.out, "stdout", sw);
	/* Two keys and four values, all in ControlSet001. */
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 6);
	ck_assert_int_eq(tu_count_lines(r.out,
	    "  added     HKLM\\SYSTEM\\ControlSet001\\" TLS12 "\\"), 6);
	ASSERT_OUT(&r, "6 changes written and verified from disk");
	tu_result_free(&r);

	ASSERT_HASH(sw, sw_before);
	tu_assert_untouched_since(sw, &sw_st);
	assert_changed(sys, sys_before);
	assert_schannel(sys, 1);
	assert_schannel_neighbours_kept(sys, 1);
	tu_assert_dword(sys,
	    "ControlSet001\\" SCHANNEL "\\Protocols\\SSL 2.0\\Client",
	    "DisabledByDefault", 1);
	tu_assert_dword(sys, "Select", "Current", 1);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sys)), 0);

	tu_hp(&r, "verify", "--profile", "schannel-tls12", root, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  ok "), 4);
	ASSERT_OUT(&r, "result:   compliant");
	tu_result_free(&r);

	/* A second apply finds nothing to do and writes nothing. */
	tu_sha256(sys, sys_after);
	tu_stat(sys, &st);
	tu_hp(&r, "apply", "--profile", "schannel-tls12", "--backup-dir", tu_bk,
	    root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "already compliant");
	ck_assert_int_eq(tu_count_lines(r.out, "  already "), 4);
	tu_result_free(&r);
	ASSERT_HASH(sys, sys_after);
	tu_assert_untouched_since(sys, &st);
	ASSERT_HASH(sw, sw_before);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);
}
END_TEST

START_TEST(test_schannel_on_bare_cs2_lands_in_controlset002_only)
{
	char *sys = make_hive("system-cs2", "SYSTEM");
	char *before_text = tu_regfexport(sys), *after_text;
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	int cs;

	tu_sha256(sys, before);
	tu_hp(&r, "apply", "--profile", "schannel-tls12", "--backup-dir", tu_bk,
	    sys, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, sys);
	ASSERT_OUT(&r, "(CurrentControlSet is ControlSet002)");
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 6);
	ck_assert_int_eq(tu_count_lines(r.out,
	    "  added     HKLM\\SYSTEM\\ControlSet002\\" TLS12 "\\"), 6);
	ASSERT_LACKS(r.out, "stdout", "ControlSet001");
	ASSERT_LACKS(r.out, "stdout", "ControlSet003");
	tu_result_free(&r);

	assert_changed(sys, before);
	assert_schannel(sys, 2);
	assert_no_schannel(sys, 1);
	assert_no_schannel(sys, 3);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sys)), 0);

	/* The other control sets and Select: every key and value as before,
	 * by libregf's reading. */
	if (before_text == NULL)
		return;
	after_text = tu_regfexport(sys);
	for (cs = 1; cs <= 3; cs += 2) {
		char *key = tu_pathf("ControlSet%03d", cs);
		char *a = tu_regf_subtree(before_text, key);
		char *b = tu_regf_subtree(after_text, key);

		ck_assert_msg(*a != '\0', "regfexport shows no %s", key);
		ck_assert_msg(strcmp(a, b) == 0, "%s changed:\n--- before:\n%s"
		    "--- after:\n%s", key, a, b);
		free(a);
		free(b);
	}
	{
		char *a = tu_regf_subtree(before_text, "Select");
		char *b = tu_regf_subtree(after_text, "Select");

		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
	free(before_text);
	free(after_text);
}
END_TEST

START_TEST(test_all_control_sets_writes_every_control_set)
{
	char *sys = make_hive("system-cs2", "SYSTEM");
	struct json_object *j, *sets;
	struct tu_result r;
	int cs;

	tu_hp(&r, "apply", "--profile", "schannel-tls12", "--all-control-sets",
	    "--backup-dir", tu_bk, sys, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "(all 3 control sets)");
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 18);
	for (cs = 1; cs <= 3; cs++)
		ck_assert_int_eq(tu_count_lines(r.out, tu_pathf(
		    "  added     HKLM\\SYSTEM\\ControlSet%03d\\" TLS12 "\\", cs)), 6);
	ASSERT_OUT(&r, "18 changes written and verified from disk");
	tu_result_free(&r);
	for (cs = 1; cs <= 3; cs++)
		assert_schannel(sys, cs);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);

	/* verify sees all three, and the JSON names them. */
	tu_hp(&r, "verify", "--json", "--profile", "schannel-tls12",
	    "--all-control-sets", sys, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	sets = tu_jarray(tu_jget(j, "hive"), "control_sets");
	ck_assert_int_eq((int)json_object_array_length(sets), 3);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(sets,
	    0)), "ControlSet001");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(sets,
	    2)), "ControlSet003");
	json_object_put(j);
	tu_result_free(&r);
}
END_TEST

static const struct {
	const char *kind;
	const char *says[2];
} bad_selects[] = {
	{ "system-noselect", { "no Select key",
	    "CurrentControlSet cannot be resolved offline" } },
	{ "system-badselect", { "Select\\Current is 7",
	    "there is no ControlSet007" } },
};

START_TEST(test_missing_or_dangling_select_is_refused_byte_identical)
{
	char *sys = make_hive(bad_selects[_i].kind, "SYSTEM");
	static const char *const how[][4] = {
		{ "apply", NULL },
		{ "apply", "--force", NULL },
		{ "apply", "--dry-run", NULL },
		{ "verify", NULL },
	};
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat st;
	size_t k, i;

	tu_sha256(sys, before);
	tu_stat(sys, &st);
	for (k = 0; k < sizeof(how) / sizeof(how[0]); k++) {
		const char *argv[12];
		size_t n = 0;

		argv[n++] = NULL;
		for (i = 0; how[k][i] != NULL; i++)
			argv[n++] = how[k][i];
		argv[n++] = "--profile";
		argv[n++] = "schannel-tls12";
		if (strcmp(how[k][0], "apply") == 0) {
			argv[n++] = "--backup-dir";
			argv[n++] = tu_bk;
		}
		argv[n++] = sys;
		argv[n] = NULL;
		tu_hp_argv(&r, NULL, argv);
		ASSERT_STATUS(&r, 3);
		ASSERT_ERR(&r, sys);
		ASSERT_ERR(&r, bad_selects[_i].says[0]);
		ASSERT_ERR(&r, bad_selects[_i].says[1]);
		tu_result_free(&r);
		ASSERT_HASH(sys, before);
		tu_assert_untouched_since(sys, &st);
	}
	ASSERT_NO_BACKUP();
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sys)), 0);

	/* Every control set at the root needs no Select. */
	ASSERT_RUN(0, "apply", "--profile", "schannel-tls12",
	    "--all-control-sets", "--backup-dir", tu_bk, sys, NULL);
	assert_schannel(sys, 1);
}
END_TEST

/* ---- hives of the wrong kind ---- */

static const char *const software_profiles[] = {
	"net4-tls12", "net35-tls12", "winhttp-tls12",
};

START_TEST(test_software_profile_on_a_bare_system_hive_is_refused)
{
	char *sys = make_hive("system", "SYSTEM");
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	int force;

	tu_sha256(sys, before);
	for (force = 0; force <= 1; force++) {
		if (force)
			tu_hp(&r, "apply", "--force", "--profile",
			    software_profiles[_i], "--backup-dir", tu_bk, sys, NULL);
		else
			tu_hp(&r, "apply", "--profile", software_profiles[_i],
			    "--backup-dir", tu_bk, sys, NULL);
		ASSERT_STATUS(&r, 3);
		ASSERT_ERR(&r, sys);
		ASSERT_ERR(&r, "not a SOFTWARE hive");
		ASSERT_ERR(&r, "header names it 'SYSTEM'");
		ASSERT_ERR(&r, "HKLM\\SOFTWARE");
		/* --force never overrides this one, so it is not offered. */
		ASSERT_LACKS(r.err, "stderr", "--force");
		tu_result_free(&r);
		ASSERT_HASH(sys, before);
	}
	tu_hp(&r, "verify", "--profile", software_profiles[_i], sys, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "not a SOFTWARE hive");
	tu_result_free(&r);
	ASSERT_HASH(sys, before);
	ASSERT_NO_BACKUP();
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sys)), 0);
}
END_TEST

START_TEST(test_schannel_on_a_bare_software_hive_is_refused)
{
	char *sw = make_hive("software64-net48", "SOFTWARE");
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	int force;

	tu_sha256(sw, before);
	for (force = 0; force <= 1; force++) {
		if (force)
			tu_hp(&r, "apply", "--force", "--all-control-sets",
			    "--profile", "schannel-tls12", "--backup-dir", tu_bk, sw,
			    NULL);
		else
			tu_hp(&r, "apply", "--profile", "schannel-tls12",
			    "--backup-dir", tu_bk, sw, NULL);
		ASSERT_STATUS(&r, 3);
		ASSERT_ERR(&r, sw);
		ASSERT_ERR(&r, "not a SYSTEM hive");
		ASSERT_ERR(&r, "header names it 'SOFTWARE'");
		ASSERT_ERR(&r, "HKLM\\SYSTEM");
		ASSERT_LACKS(r.err, "stderr", "--force");
		tu_result_free(&r);
		ASSERT_HASH(sw, before);
	}
	ASSERT_NO_BACKUP();
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sw)), 0);
	assert_key(sw, "ControlSet001", 0);
}
END_TEST

static const struct {
	const char *kind, *file, *header_says;
} bare_kinds[] = {
	{ "system", "SYSTEM", "header names it 'SYSTEM'" },
	{ "software64-net48", "SOFTWARE", "header names it 'SOFTWARE'" },
};

START_TEST(test_reg_with_keys_in_both_hives_on_a_bare_file_is_refused)
{
	char *hive = make_hive(bare_kinds[_i].kind, bare_kinds[_i].file);
	char *reg = write_reg("both.reg", both_hives_reg);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	int force;

	tu_sha256(hive, before);
	for (force = 0; force <= 1; force++) {
		if (force)
			tu_hp(&r, "apply", "--force", "--reg", reg, "--backup-dir",
			    tu_bk, hive, NULL);
		else
			tu_hp(&r, "apply", "--reg", reg, "--backup-dir", tu_bk, hive,
			    NULL);
		ASSERT_STATUS(&r, 3);
		ASSERT_ERR(&r, hive);
		ASSERT_ERR(&r, "one hive file cannot take keys of two hives");
		ASSERT_ERR(&r, bare_kinds[_i].header_says);
		ASSERT_ERR(&r, "give the Windows tree");
		tu_result_free(&r);
		ASSERT_HASH(hive, before);
	}
	ASSERT_NO_BACKUP();
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
}
END_TEST

/* ---- two hives in one run ---- */

/* The run id of a backup: the name of the directory its manifest is in. */
static char *
run_id_of(const char *manifest)
{
	return base_of(tu_dir_of(manifest));
}

START_TEST(test_reg_in_both_hives_on_a_tree_writes_both_and_rollback_restores_both)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	char *reg = write_reg("both.reg", both_hives_reg);
	char sw_before[SHA256_HEX_LEN + 1], sys_before[SHA256_HEX_LEN + 1];
	char *manifests[4], *real_sw, *real_sys;
	const char *h0, *h1;
	struct json_object *m0, *m1, *v;
	struct tu_result r;

	tu_sha256(sw, sw_before);
	tu_sha256(sys, sys_before);
	tu_hp(&r, "apply", "--reg", reg, "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, sw);
	ASSERT_OUT(&r, sys);
	ASSERT_OUT(&r, "  added     HKLM\\SOFTWARE\\HivepatchTest  A = dword:00000001");
	ASSERT_OUT(&r, "  added     HKLM\\SYSTEM\\ControlSet001\\Control\\HivepatchTest"
	    "  B = dword:00000002");
	ASSERT_OUT(&r, "4 changes written and verified from disk");
	ck_assert_int_eq(tu_count_lines(r.out, "backup:"), 2);
	tu_result_free(&r);
	tu_assert_dword(sw, "HivepatchTest", "A", 1);
	tu_assert_dword(sys, "ControlSet001\\Control\\HivepatchTest", "B", 2);
	assert_key(sys, "CurrentControlSet", 0);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sw)), 0);

	/* One backup per hive, both under the one run id. */
	ck_assert_int_eq(tu_list_backups(tu_bk, manifests, 4), 2);
	ck_assert_str_eq(run_id_of(manifests[0]), run_id_of(manifests[1]));
	m0 = json_object_from_file(manifests[0]);
	m1 = json_object_from_file(manifests[1]);
	ck_assert(m0 != NULL && m1 != NULL);
	ck_assert(json_object_object_get_ex(m0, "hive", &v));
	h0 = json_object_get_string(v);
	ck_assert(json_object_object_get_ex(m1, "hive", &v));
	h1 = json_object_get_string(v);
	real_sw = realpath(sw, NULL);
	real_sys = realpath(sys, NULL);
	ck_assert_msg((strcmp(h0, real_sw) == 0 && strcmp(h1, real_sys) == 0) ||
	    (strcmp(h1, real_sw) == 0 && strcmp(h0, real_sys) == 0),
	    "the backups are of %s and %s", h0, h1);
	free(real_sw);
	free(real_sys);
	json_object_put(m0);
	json_object_put(m1);

	/* rollback puts back both. */
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, tu_pathf("%s: restored", sw)), 1);
	ck_assert_int_eq(tu_count_lines(r.out, tu_pathf("%s: restored", sys)), 1);
	tu_result_free(&r);
	ASSERT_HASH(sw, sw_before);
	ASSERT_HASH(sys, sys_before);
	assert_key(sw, "HivepatchTest", 0);
	assert_key(sys, "ControlSet001\\Control\\HivepatchTest", 0);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sw)), 0);

	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "nothing written");
	tu_result_free(&r);
	ASSERT_HASH(sw, sw_before);
	ASSERT_HASH(sys, sys_before);
}
END_TEST

/* rollback puts back what the last apply changed, and only that: after
 * a two-hive apply and a SOFTWARE-only one, SYSTEM stays as it is. */
START_TEST(test_rollback_after_a_software_only_apply_leaves_system_alone)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	char *reg = write_reg("both.reg", both_hives_reg);
	char sw_mid[SHA256_HEX_LEN + 1], sys_mid[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat st;

	ASSERT_RUN(0, "apply", "--reg", reg, "--backup-dir", tu_bk, root, NULL);
	tu_sha256(sw, sw_mid);
	tu_sha256(sys, sys_mid);
	ASSERT_RUN(0, "apply", "--profile", "net4-tls12", "--backup-dir", tu_bk,
	    root, NULL);
	tu_assert_net4(sw);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 3);

	tu_stat(sys, &st);
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, tu_pathf("%s: restored", sw)), 1);
	ASSERT_LACKS(r.out, "stdout", tu_pathf("%s: restored", sys));
	tu_result_free(&r);
	ASSERT_HASH(sw, sw_mid);
	ASSERT_HASH(sys, sys_mid);
	tu_assert_untouched_since(sys, &st);
	tu_assert_dword(sw, "HivepatchTest", "A", 1);
	assert_no_value(sw, NET4_64, SUC);
}
END_TEST

/* A .reg file adding a small value to SOFTWARE, and n REG_BINARY values
 * of `size` bytes each to HKLM\SYSTEM\Test (continued hex lines, as
 * regedit writes them). */
static char *
two_hive_big_reg(int n, size_t size)
{
	return tu_big_binary_reg(REG_HEADER
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchTest]\n"
	    "\"Small\"=dword:00000001\n"
	    "\n"
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\Test]\n", n, size);
}

/* A two-hive run killed between its commits leaves SOFTWARE written and
 * SYSTEM as it was (here: SYSTEM put back by hand to its bytes before),
 * with both backups whole: rollback puts SOFTWARE back and leaves
 * SYSTEM alone. */
START_TEST(test_rollback_undoes_a_two_hive_run_cut_between_its_commits)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	char *reg = write_reg("both.reg", both_hives_reg);
	char *sys_copy = tu_pathf("%s/SYSTEM.before", tu_scratch);
	char sw_before[SHA256_HEX_LEN + 1], sys_before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(sw, sw_before);
	tu_sha256(sys, sys_before);
	tu_copy_file(sys, sys_copy);
	ASSERT_RUN(0, "apply", "--reg", reg, "--backup-dir", tu_bk, root, NULL);
	tu_copy_file(sys_copy, sys);
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, sw);
	tu_result_free(&r);
	ASSERT_HASH(sw, sw_before);
	ASSERT_HASH(sys, sys_before);
}
END_TEST

/* The new hives are all made before any is written: SYSTEM's, over the
 * size limit, fails, and nothing has been written (the undo of a commit
 * that fails in place is test_api's, through a store that fails). */
START_TEST(test_second_hive_too_large_stops_the_run_before_any_write)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	char *reg = tu_pathf("%s/big.reg", tu_scratch), *text;
	char sw_before[SHA256_HEX_LEN + 1], sys_before[SHA256_HEX_LEN + 1];
	struct tu_run_opts opts = { 0, NULL, NULL };
	struct tu_result r;
	off_t biggest;

	/* Over 256 KiB into SYSTEM, in values small enough (16000 bytes) for
	 * plain cells. */
	text = two_hive_big_reg(17, 16000);
	tu_write_text(reg, text);
	free(text);
	tu_sha256(sw, sw_before);
	tu_sha256(sys, sys_before);
	/* The backups (the hives' sizes) and the new SOFTWARE (one small
	 * value more) fit; the grown SYSTEM does not. */
	biggest = tu_file_size(sw) > tu_file_size(sys) ? tu_file_size(sw) :
	    tu_file_size(sys);
	opts.fsize_limit = (rlim_t)biggest + 8192;
	tu_hp_opts(&r, &opts, "apply", "--reg", reg, "--backup-dir", tu_bk, root,
	    NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, sys);
	ASSERT_ERR(&r, "cannot write the new hive");
	tu_result_free(&r);
	ASSERT_HASH(sw, sw_before);
	ASSERT_HASH(sys, sys_before);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sw)), 0);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 0);
	ASSERT_NO_BACKUP();
	assert_key(sw, "HivepatchTest", 0);
	assert_key(sys, "Test", 0);

	/* Without the limit the same apply goes through, into both. */
	ASSERT_RUN(0, "apply", "--reg", reg, "--backup-dir", tu_bk, root, NULL);
	ck_assert(tu_file_size(sys) > (off_t)opts.fsize_limit);
	tu_assert_dword(sw, "HivepatchTest", "Small", 1);
	ck_assert(tu_regf_value(sys, "Test", "Big16", "(REG_BINARY)",
	    "Data size: 16000\n") != 0);
}
END_TEST

/* A dirty SYSTEM hive whose logs cannot recover it (mkhive --dirty
 * writes logs that are not valid) stops a run that needs it before
 * anything is written, SOFTWARE included; a run that needs SOFTWARE only
 * goes on. */
START_TEST(test_unrecoverable_system_hive_stops_a_two_hive_apply_before_any_write)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	char *reg = write_reg("both.reg", both_hives_reg);
	char sw_before[SHA256_HEX_LEN + 1], sys_before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat st;

	tu_mkhive("system", sys, 1);
	tu_sha256(sw, sw_before);
	tu_sha256(sys, sys_before);
	tu_stat(sw, &st);
	tu_hp(&r, "apply", "--reg", reg, "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, sys);
	ASSERT_ERR(&r, "is dirty");
	ASSERT_ERR(&r, "no transaction log can recover it");
	ASSERT_ERR(&r, tu_pathf("%s.LOG1", sys));
	tu_result_free(&r);
	ASSERT_HASH(sw, sw_before);
	tu_assert_untouched_since(sw, &st);
	ASSERT_HASH(sys, sys_before);
	ASSERT_NO_BACKUP();
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sw)), 0);

	/* Windows 10: auto needs SOFTWARE only, so the dirty SYSTEM is not
	 * in the way (and stays as it is). */
	ASSERT_RUN(0, "apply", "--profile", "auto", "--backup-dir", tu_bk, root,
	    NULL);
	tu_assert_net4(sw);
	ASSERT_HASH(sys, sys_before);
}
END_TEST

START_TEST(test_lower_case_tree_takes_a_two_hive_apply)
{
	char *root = tu_make_tree("tree-lower", "img");
	char *sw = tu_tree_file(root, "software");
	char *sys = tu_tree_file(root, "system");
	char *reg = write_reg("both.reg", both_hives_reg);
	char sw_before[SHA256_HEX_LEN + 1], sys_before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(sw, sw_before);
	tu_sha256(sys, sys_before);
	tu_hp(&r, "apply", "--reg", reg, "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, sw);
	ASSERT_OUT(&r, sys);
	ASSERT_OUT(&r, "4 changes written and verified from disk");
	tu_result_free(&r);
	tu_assert_dword(sw, "HivepatchTest", "A", 1);
	tu_assert_dword(sys, "ControlSet001\\Control\\HivepatchTest", "B", 2);
	/* Written in place: no upper-case twin appeared beside them. */
	ck_assert_int_eq(tu_count_files(tu_dir_of(sw)), 2);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 2);

	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_HASH(sw, sw_before);
	ASSERT_HASH(sys, sys_before);
	ck_assert_int_eq(tu_count_files(tu_dir_of(sw)), 2);
}
END_TEST

START_TEST(test_json_apply_on_two_hives_lists_both)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	char *reg = write_reg("both.reg", both_hives_reg);
	char sw_before[SHA256_HEX_LEN + 1], sys_before[SHA256_HEX_LEN + 1];
	char sw_after[SHA256_HEX_LEN + 1], sys_after[SHA256_HEX_LEN + 1];
	struct json_object *j, *hives, *h, *changes, *c;
	struct tu_result r;
	size_t i, n;
	int n_sw = 0, n_sys = 0;

	tu_sha256(sw, sw_before);
	tu_sha256(sys, sys_before);
	tu_hp(&r, "apply", "--json", "--reg", reg, "--backup-dir", tu_bk, root,
	    NULL);
	ASSERT_STATUS(&r, 0);
	tu_sha256(sw, sw_after);
	tu_sha256(sys, sys_after);
	j = tu_parse_json(&r, "hivepatch-report/1");
	hives = tu_jarray(j, "hives");
	ck_assert_int_eq((int)json_object_array_length(hives), 2);

	h = json_object_array_get_idx(hives, 0);
	ck_assert_str_eq(tu_jstr(h, "kind"), "SOFTWARE");
	ck_assert_str_eq(tu_jstr(h, "path"), sw);
	ck_assert_str_eq(tu_jstr(h, "sha256_before"), sw_before);
	ck_assert_str_eq(tu_jstr(h, "sha256_after"), sw_after);
	ck_assert(strstr(tu_jstr(h, "backup"), tu_bk) == tu_jstr(h, "backup"));
	ck_assert_int_eq((int)json_object_array_length(tu_jarray(h,
	    "control_sets")), 0);

	h = json_object_array_get_idx(hives, 1);
	ck_assert_str_eq(tu_jstr(h, "kind"), "SYSTEM");
	ck_assert_str_eq(tu_jstr(h, "path"), sys);
	ck_assert_str_eq(tu_jstr(h, "sha256_before"), sys_before);
	ck_assert_str_eq(tu_jstr(h, "sha256_after"), sys_after);
	ck_assert(strstr(tu_jstr(h, "backup"), tu_bk) == tu_jstr(h, "backup"));
	ck_assert_int_eq((int)json_object_array_length(tu_jarray(h,
	    "control_sets")), 1);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(
	    tu_jarray(h, "control_sets"), 0)), "ControlSet001");

	/* "hive" stays, as the first of "hives". */
	ck_assert_str_eq(tu_jstr(j, "hive.kind"), "SOFTWARE");
	ck_assert_str_eq(tu_jstr(j, "hive.path"), sw);

	changes = tu_jarray(j, "changes");
	n = json_object_array_length(changes);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < n; i++) {
		const char *kind;

		c = json_object_array_get_idx(changes, i);
		kind = tu_jstr(c, "hive");
		ck_assert_msg(strcmp(kind, "SOFTWARE") == 0 ||
		    strcmp(kind, "SYSTEM") == 0, "change %zu: hive %s", i, kind);
		ck_assert_msg(strncmp(tu_jstr(c, "key"), tu_pathf("HKLM\\%s\\", kind),
		    strlen(kind) + 6) == 0, "change %zu: key %s in hive %s", i,
		    tu_jstr(c, "key"), kind);
		ck_assert_str_eq(tu_jstr(c, "status"), "added");
		if (strcmp(kind, "SOFTWARE") == 0)
			n_sw++;
		else
			n_sys++;
	}
	ck_assert_int_eq(n_sw, 2);
	ck_assert_int_eq(n_sys, 2);
	c = json_object_array_get_idx(changes, 3);
	ck_assert_str_eq(tu_jstr(c, "key"),
	    "HKLM\\SYSTEM\\ControlSet001\\Control\\HivepatchTest");
	ck_assert_str_eq(tu_jstr(c, "name"), "B");
	ck_assert_int_eq(json_object_get_int(tu_jget(c, "after.data")), 2);
	ck_assert(tu_jnull(c, "before"));
	ck_assert(tu_jnull(j, "error"));
	json_object_put(j);
	tu_result_free(&r);
}
END_TEST

/* ---- net35-tls12 ---- */

START_TEST(test_net35_writes_four_values)
{
	char *sw = make_hive("software64-net35", "SOFTWARE");
	struct tu_result r;

	tu_hp(&r, "apply", "--profile", "net35-tls12", "--backup-dir", tu_bk, sw,
	    NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 4);
	ASSERT_OUT(&r, "4 changes written and verified from disk");
	tu_result_free(&r);
	assert_net35(sw);
	assert_no_value(sw, NET4_64, SUC);

	tu_hp(&r, "verify", "--profile", "net35-tls12", sw, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  ok "), 4);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_net35_without_net35_is_refused_and_force_writes)
{
	char *sw = make_hive("software64-net48", "SOFTWARE");
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(sw, before);
	tu_hp(&r, "apply", "--profile", "net35-tls12", "--backup-dir", tu_bk, sw,
	    NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, sw);
	ASSERT_ERR(&r, ".NET Framework 3.5 is not installed");
	ASSERT_ERR(&r, "--force");
	tu_result_free(&r);
	ASSERT_HASH(sw, before);
	ASSERT_NO_BACKUP();

	/* verify judges anyway and warns. */
	tu_hp(&r, "verify", "--profile", "net35-tls12", sw, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, ".NET Framework 3.5");
	tu_result_free(&r);
	ASSERT_HASH(sw, before);

	tu_hp(&r, "apply", "--force", "--profile", "net35-tls12", "--backup-dir",
	    tu_bk, sw, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "warning:");
	ASSERT_OUT(&r, ".NET Framework 3.5");
	tu_result_free(&r);
	assert_net35(sw);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);
}
END_TEST

/* ---- winhttp-tls12: set-bits ---- */

START_TEST(test_winhttp_ors_its_bits_into_a_tls13_value)
{
	char *sw = make_hive("software64-winhttp13", "SOFTWARE");
	char after[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat st;

	assert_winhttp(sw, 0x2000, 0x2800);
	tu_hp(&r, "apply", "--profile", "winhttp-tls12", "--backup-dir", tu_bk, sw,
	    NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  changed "), 2);
	ASSERT_OUT(&r, "DefaultSecureProtocols = dword:00002a00 (was dword:00002000)");
	ASSERT_OUT(&r, "DefaultSecureProtocols = dword:00002a00 (was dword:00002800)");
	ASSERT_OUT(&r, "2 changes written and verified from disk");
	tu_result_free(&r);
	/* TLS 1.3 (0x2000) kept, TLS 1.1 and 1.2 added. */
	assert_winhttp(sw, 0x2a00, 0x2a00);

	tu_sha256(sw, after);
	tu_stat(sw, &st);
	tu_hp(&r, "apply", "--profile", "winhttp-tls12", "--backup-dir", tu_bk, sw,
	    NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "already compliant");
	ck_assert_int_eq(tu_count_lines(r.out, "  already "), 2);
	tu_result_free(&r);
	ASSERT_HASH(sw, after);
	tu_assert_untouched_since(sw, &st);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);

	tu_hp(&r, "verify", "--profile", "winhttp-tls12", sw, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "result:   compliant");
	tu_result_free(&r);
}
END_TEST

START_TEST(test_winhttp_on_an_absent_value_writes_0xa00)
{
	char *sw = make_hive("software64-net48", "SOFTWARE");
	struct tu_result r;

	ASSERT_RUN(1, "verify", "--profile", "winhttp-tls12", sw, NULL);
	tu_hp(&r, "apply", "--profile", "winhttp-tls12", "--backup-dir", tu_bk, sw,
	    NULL);
	ASSERT_STATUS(&r, 0);
	/* The WinHttp key and its value, in each view. */
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 4);
	ASSERT_OUT(&r, "DefaultSecureProtocols = dword:00000a00 (was absent)");
	tu_result_free(&r);
	assert_winhttp(sw, 0xa00, 0xa00);
	tu_assert_dword(sw,
	    "Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp",
	    DSP, 0xa00);

	ASSERT_RUN(0, "verify", "--profile", "winhttp-tls12", sw, NULL);
}
END_TEST

START_TEST(test_32bit_windows7_skips_the_wow6432node_lines)
{
	char *sw = make_hive("software7-32", "SOFTWARE");
	struct tu_result r;

	tu_hp(&r, "apply", "--profile", "winhttp-tls12", "--profile",
	    "net35-tls12", "--backup-dir", tu_bk, sw, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "  skipped   HKLM\\SOFTWARE\\" WINHTTP_32 "  " DSP);
	ASSERT_OUT(&r, "  skipped   HKLM\\SOFTWARE\\" NET2_32 "  " SUC);
	ASSERT_OUT(&r, "32-bit image: no Wow6432Node");
	ASSERT_LACKS(r.out, "stdout", "added     HKLM\\SOFTWARE\\Wow6432Node");
	tu_result_free(&r);
	tu_assert_dword(sw, WINHTTP_64, DSP, 0xa00);
	tu_assert_dword(sw, NET2_64, SDTV, 1);
	tu_assert_dword(sw, NET2_64, SUC, 1);
	assert_key(sw, "Wow6432Node", 0);

	ASSERT_RUN(0, "verify", "--profile", "winhttp-tls12", "--profile",
	    "net35-tls12", sw, NULL);
}
END_TEST

/* ---- --profile auto ---- */

START_TEST(test_auto_on_windows7_tree_writes_all_four_profiles_in_both_hives)
{
	char *root = tu_make_tree("tree7", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	char sw_before[SHA256_HEX_LEN + 1], sys_before[SHA256_HEX_LEN + 1];
	char *manifests[4];
	struct tu_result r;

	tu_sha256(sw, sw_before);
	tu_sha256(sys, sys_before);

	/* A dry run says it all and writes nothing. */
	tu_hp(&r, "apply", "--dry-run", "--profile", "auto", "--backup-dir", tu_bk,
	    root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "dry run: 16 changes would be written");
	tu_result_free(&r);
	ASSERT_HASH(sw, sw_before);
	ASSERT_HASH(sys, sys_before);
	ASSERT_NO_BACKUP();

	tu_hp(&r, "apply", "--profile", "auto", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "profiles: schannel-tls12 winhttp-tls12 net4-tls12 "
	    "net35-tls12\n");
	/* Why. */
	ASSERT_OUT(&r, "auto:     build 7601, Windows 7 / Server 2008 R2");
	ASSERT_OUT(&r, "Schannel TLS 1.2 off by default");
	ASSERT_OUT(&r, ".NET 4.5+ installed");
	ASSERT_OUT(&r, ".NET 3.5 installed");
	ASSERT_OUT(&r, sw);
	ASSERT_OUT(&r, sys);
	ASSERT_OUT(&r, "16 changes written and verified from disk");
	tu_result_free(&r);

	assert_winhttp(sw, 0xa00, 0xa00);
	tu_assert_net4(sw);
	assert_net35(sw);
	assert_schannel(sys, 1);
	assert_schannel_neighbours_kept(sys, 1);
	/* system7's LastKnownGood control set is not the current one. */
	assert_no_schannel(sys, 2);
	ck_assert_int_eq(tu_list_backups(tu_bk, manifests, 4), 2);
	ck_assert_str_eq(run_id_of(manifests[0]), run_id_of(manifests[1]));
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sw)), 0);

	tu_hp(&r, "verify", "--profile", "auto", root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "result:   compliant");
	ck_assert_int_eq(tu_count_lines(r.out, "  ok "), 12);
	tu_result_free(&r);

	tu_hp(&r, "inspect", root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "ready:    yes");
	tu_result_free(&r);
}
END_TEST

START_TEST(test_auto_on_windows10_tree_writes_net4_only_system_untouched)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	char sys_before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat st;

	tu_sha256(sys, sys_before);
	tu_stat(sys, &st);
	tu_hp(&r, "apply", "--profile", "auto", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "profiles: net4-tls12\n");
	ASSERT_OUT(&r, "auto:     build 19045, Windows 8.1 / Server 2012 R2 or later");
	ASSERT_LACKS(r.out, "stdout", "schannel");
	ASSERT_LACKS(r.out, "stdout", "winhttp");
	ASSERT_LACKS(r.out, "stdout", sys);
	ASSERT_OUT(&r, "2 changes written and verified from disk");
	tu_result_free(&r);
	tu_assert_net4(sw);
	assert_key(sw, WINHTTP_64, 0);
	ASSERT_HASH(sys, sys_before);
	tu_assert_untouched_since(sys, &st);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);

	ASSERT_RUN(0, "verify", "--profile", "auto", root, NULL);
}
END_TEST

/* ---- inspect ---- */

START_TEST(test_inspect_windows10_tree_needs_net4_only)
{
	char *root = tu_make_tree("tree", "img");
	char *sys = tu_tree_file(root, "SYSTEM");
	struct tu_result r;

	tu_hp(&r, "inspect", root, NULL);
	/* net4-tls12 is what auto chooses, and it is not there yet. */
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "image:    Windows 10 Pro 22H2 (build 19045), 64-bit");
	ASSERT_OUT(&r, "edition:  Professional");
	ASSERT_OUT(&r, ".NET:     4.x 4.8, 3.5 absent, 2.0 absent");
	ASSERT_OUT(&r, tu_pathf("SYSTEM    %s (CurrentControlSet is ControlSet001)",
	    sys));
	ASSERT_OUT(&r, "  HKLM\\SOFTWARE\\" NET4_64 "  " SUC " = absent  [net4-tls12]");
	ASSERT_OUT(&r, "  HKLM\\SYSTEM\\ControlSet001\\" TLS12 "\\Client  Enabled = "
	    "absent  [schannel-tls12]");
	ck_assert_int_eq(tu_count_lines(r.out, "  net4-tls12             not "
	    "compliant (2 of its keys and values missing or different) [auto]"), 1);
	ck_assert_int_eq(tu_count_lines(r.out, "  net35-tls12            not "
	    "applicable (no .NET Framework 3.5)\n"), 1);
	/* Not chosen on Windows 10: no [auto]. */
	ck_assert_int_eq(tu_count_lines(r.out, "  schannel-tls12         not "
	    "compliant (6 of its keys and values missing or different)\n"), 1);
	ck_assert_int_eq(tu_count_lines(r.out, "  winhttp-tls12          not "
	    "compliant (4 of its keys and values missing or different)\n"), 1);
	ASSERT_OUT(&r, "auto:     build 19045, Windows 8.1 / Server 2012 R2 or later");
	ASSERT_OUT(&r, "ready:    no\n");
	ASSERT_OUT(&r, tu_pathf("command:  hivepatch apply --profile auto %s\n",
	    root));
	tu_result_free(&r);

	ASSERT_RUN(0, "apply", "--profile", "auto", "--backup-dir", tu_bk, root,
	    NULL);

	/* Ready by auto's rules, though schannel is still off. */
	tu_hp(&r, "inspect", root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "  net4-tls12             compliant [auto]\n");
	ASSERT_OUT(&r, "  HKLM\\SOFTWARE\\" NET4_64 "  " SUC " = dword:00000001  "
	    "[net4-tls12]");
	ASSERT_OUT(&r, "ready:    yes\n");
	ASSERT_OUT(&r, "command:  none: ready");
	tu_result_free(&r);
}
END_TEST

/* export reads every hive of a tree, SYSTEM among them, and a bare hive
 * file under its own root; the path is spelled as the hive spells it,
 * whatever case was typed; a key of another hive is refused (exit 3). */
START_TEST(test_export_reads_system_and_bare_hives_under_their_roots)
{
	char *root = tu_make_tree("tree", "img");
	char *sys = tu_tree_file(root, "SYSTEM");
	char *user = tu_pathf("%s/NTUSER.DAT", tu_scratch);
	struct tu_result r;

	tu_hp(&r, "export", root, "hklm\\system\\select", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n\"Current\"="
	    "dword:00000001\n");
	tu_result_free(&r);
	tu_hp(&r, "export", sys, "HKEY_LOCAL_MACHINE\\SYSTEM\\CONTROLSET001",
	    NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "\n[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001]\n");
	ASSERT_OUT(&r, "\n[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control]");
	tu_result_free(&r);
	tu_hp(&r, "export", sys, "HKLM\\SOFTWARE\\Microsoft", NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, tu_pathf("%s: not a SOFTWARE hive (its root keys make it "
	    "a SYSTEM hive", sys));
	tu_result_free(&r);

	tu_mkhive("ntuser", user, 0);
	tu_hp(&r, "export", user, "HKCU\\control panel", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "\n[HKEY_CURRENT_USER\\Control Panel]\n");
	tu_result_free(&r);
	/* A tree's HKEY_CURRENT_USER is its Default user's hive. */
	tu_hp(&r, "export", root, "HKCU\\Control Panel", NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, "no Users/Default/NTUSER.DAT here");
	tu_result_free(&r);
}
END_TEST

/* Keys of the user hives: HKEY_CURRENT_USER into a user's NTUSER.DAT
 * and into a tree's Users/Default/NTUSER.DAT (found in any letter case),
 * HKEY_USERS\.DEFAULT into a tree's DEFAULT hive, each written and read
 * back by verify and export. */
START_TEST(test_import_writes_the_user_hives)
{
	char *root = tu_make_tree("tree", "img");
	char *def = tu_tree_file(root, "DEFAULT");
	char *user = tu_pathf("%s/NTUSER.DAT", tu_scratch);
	char *cu = tu_pathf("%s/cu.reg", tu_scratch);
	char *du = tu_pathf("%s/du.reg", tu_scratch);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_mkhive("ntuser", user, 0);
	tu_mkhive("ntuser", def, 0);
	tu_write_text(cu, "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_CURRENT_USER\\Software\\Policies\\Vendor]\n"
	    "\"Flag\"=dword:00000001\n");
	tu_write_text(du, "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_USERS\\.DEFAULT\\Control Panel\\Desktop]\n"
	    "\"ScreenSaveActive\"=\"0\"\n");

	tu_hp(&r, "import", "--backup-dir", tu_bk, cu, user, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "  added     HKCU\\Software\\Policies\\Vendor  Flag = "
	    "dword:00000001 (was absent)\n");
	tu_result_free(&r);
	ASSERT_RUN(0, "verify", "--reg", cu, user, NULL);

	tu_hp(&r, "import", "--backup-dir", tu_bk, du, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "  added     HKU\\.DEFAULT\\Control Panel\\Desktop  "
	    "ScreenSaveActive = \"0\"");
	tu_result_free(&r);
	tu_hp(&r, "export", root, "HKU\\.DEFAULT\\Control Panel\\Desktop",
	    NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "\"ScreenSaveActive\"=\"0\"\n");
	tu_result_free(&r);

	/* A tree's HKEY_CURRENT_USER is the Default user's hive, which
	 * every new user copies: missing, the run says where it looked. */
	tu_sha256(def, before);
	tu_hp(&r, "import", "--backup-dir", tu_bk, cu, root, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, tu_pathf("%s: no Users/Default/NTUSER.DAT here (no "
	    "'NTUSER.DAT' in %s/Users/Default)", root, root));
	tu_result_free(&r);
	ASSERT_HASH(def, before);
	ck_assert(rename(tu_pathf("%s/Users", root), tu_pathf("%s/users",
	    root)) == 0);
	ck_assert(rename(tu_pathf("%s/users/Default", root),
	    tu_pathf("%s/users/default", root)) == 0);
	tu_mkhive("ntuser", tu_pathf("%s/users/default/ntuser.dat", root), 0);
	tu_hp(&r, "import", "--backup-dir", tu_bk, cu, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "  added     HKCU\\Software\\Policies\\Vendor  Flag = ");
	tu_result_free(&r);
	ASSERT_RUN(0, "verify", "--reg", cu, root, NULL);
	/* --user NAME: that user's hive, not the Default user's. */
	tu_mkdir_p(tu_pathf("%s/users/alice", root));
	tu_mkhive("ntuser", tu_pathf("%s/users/alice/NTUSER.DAT", root), 0);
	ASSERT_RUN(1, "verify", "--user", "alice", "--reg", cu, root, NULL);
	ASSERT_RUN(0, "import", "--user", "alice", "--backup-dir", tu_bk, cu,
	    root, NULL);
	ASSERT_RUN(0, "verify", "--user", "alice", "--reg", cu, root, NULL);
	tu_hp(&r, "export", "--user", "alice", root,
	    "HKCU\\Software\\Policies\\Vendor", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "\"Flag\"=dword:00000001\n");
	tu_result_free(&r);
	tu_hp(&r, "verify", "--user", "../alice", "--reg", cu, root, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "'../alice': not a user's name");
	tu_result_free(&r);
}
END_TEST

/* Windows 7 without KB3140245 (only staged) and KB3154518: inspect says
 * not ready and names each update and why, before and after apply,
 * which writes the values anyway and warns; the JSON says the same. */
START_TEST(test_inspect_windows7_without_the_tls_updates_is_not_ready)
{
	char *root = tu_make_tree("tree7-noupdates", "img");
	struct json_object *j;
	struct tu_result r;
	int round;

	for (round = 0; round < 2; round++) {
		tu_hp(&r, "inspect", root, NULL);
		ASSERT_STATUS(&r, 1);
		ASSERT_OUT(&r, "ready:    no\n");
		ASSERT_OUT(&r, "warning:  winhttp-tls12 takes effect on build "
		    "7601 only with update KB3140245 (WinHTTP on Windows 7 / "
		    "Server 2008 R2 reads DefaultSecureProtocols only with it), "
		    "which is not installed\n");
		ASSERT_OUT(&r, "warning:  net35-tls12 takes effect on build 7601 "
		    "only with update KB3154518");
		ASSERT_OUT(&r, "command:  install KB");
		ASSERT_LACKS(r.out, "stdout", "command:  hivepatch apply");
		tu_result_free(&r);
		if (round == 1)
			break;
		tu_hp(&r, "apply", "--profile", "auto", "--backup-dir", tu_bk,
		    root, NULL);
		ASSERT_STATUS(&r, 0);
		ASSERT_OUT(&r, "warning:  winhttp-tls12 takes effect on build 7601 "
		    "only with update KB3140245");
		tu_result_free(&r);
	}
	tu_hp(&r, "inspect", "--json", root, NULL);
	ASSERT_STATUS(&r, 1);
	j = tu_parse_json(&r, "hivepatch-inspect/1");
	ck_assert(!tu_jbool(j, "ready"));
	ASSERT_HAS(tu_jstr(j, "recommended"), "recommended", "install KB");
	json_object_put(j);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_inspect_windows7_tree_recommends_auto_then_is_ready)
{
	char *root = tu_make_tree("tree7", "img");
	struct tu_result r;
	static const char *const chosen[] = {
		"net35-tls12", "net4-tls12", "schannel-tls12", "winhttp-tls12",
	};
	size_t i;

	tu_hp(&r, "inspect", root, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "image:    Windows 7 Professional (build 7601), 64-bit");
	ASSERT_OUT(&r, ".NET:     4.x 4.8, 3.5 installed, 2.0 installed");
	for (i = 0; i < sizeof(chosen) / sizeof(chosen[0]); i++) {
		char *line = tu_line_of(r.out, tu_pathf("  %-22s ", chosen[i]));

		ck_assert_msg(strstr(line, " not compliant (") != NULL &&
		    strstr(line, ") [auto]") != NULL, "%s: '%s'", chosen[i],
		    line);
	}
	ck_assert_int_eq(tu_count_lines(r.out, "  net4-tls12-sysdefault  not "
	    "compliant (4 of its keys and values missing or different)\n"), 1);
	ASSERT_OUT(&r, "auto:     build 7601, Windows 7 / Server 2008 R2");
	ASSERT_OUT(&r, "ready:    no\n");
	ASSERT_OUT(&r, tu_pathf("command:  hivepatch apply --profile auto %s\n",
	    root));
	tu_result_free(&r);

	ASSERT_RUN(0, "apply", "--profile", "auto", "--backup-dir", tu_bk, root,
	    NULL);

	tu_hp(&r, "inspect", root, NULL);
	ASSERT_STATUS(&r, 0);
	for (i = 0; i < sizeof(chosen) / sizeof(chosen[0]); i++)
		ASSERT_OUT(&r, tu_pathf("  %-22s compliant [auto]\n", chosen[i]));
	ASSERT_OUT(&r, "  HKLM\\SOFTWARE\\" WINHTTP_32 "  " DSP " = dword:00000a00  "
	    "[winhttp-tls12]");
	ASSERT_OUT(&r, "ready:    yes\n");
	ASSERT_OUT(&r, tu_pathf("command:  none: ready by --profile auto's rules "
	    "(hivepatch verify --profile auto %s checks it again)", root));
	tu_result_free(&r);
}
END_TEST

/* A bare SYSTEM hive: the Schannel profile is judged, the SOFTWARE ones
 * are not applicable, and auto cannot choose without a build. */
START_TEST(test_inspect_bare_system_hive_judges_schannel_only)
{
	char *sys = make_hive("system", "SYSTEM");
	struct tu_result r;
	size_t i;

	tu_hp(&r, "inspect", sys, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, tu_pathf("SYSTEM    %s (CurrentControlSet is ControlSet001)",
	    sys));
	ASSERT_OUT(&r, "AMD64");
	ck_assert_int_eq(tu_count_lines(r.out, "  HKLM\\"), 4);
	ck_assert_int_eq(tu_count_lines(r.out, "  HKLM\\SYSTEM\\ControlSet001\\"
	    TLS12 "\\"), 4);
	for (i = 0; i < sizeof(software_profiles) / sizeof(software_profiles[0]);
	    i++)
		ASSERT_OUT(&r, tu_pathf("  %-22s not applicable (no SOFTWARE hive "
		    "in the target)\n", software_profiles[i]));
	ASSERT_OUT(&r, "  schannel-tls12         not compliant (6 of its keys "
	    "and values missing or different)\n");
	ASSERT_OUT(&r, "ready:    no\n");
	ASSERT_OUT(&r, "command:  none that auto can choose");
	ASSERT_OUT(&r, "CurrentBuild");
	tu_result_free(&r);

	/* Compliant after schannel, still not "ready": auto has no build. */
	ASSERT_RUN(0, "apply", "--profile", "schannel-tls12", "--backup-dir",
	    tu_bk, sys, NULL);
	tu_hp(&r, "inspect", sys, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "  schannel-tls12         compliant\n");
	tu_result_free(&r);
}
END_TEST

/* A dangling Select makes schannel not applicable, with the reason;
 * inspect itself does not fail. */
START_TEST(test_inspect_names_a_dangling_select)
{
	char *root = tu_make_tree("tree7", "img");
	char *sys = tu_tree_file(root, "SYSTEM");
	struct tu_result r;

	tu_mkhive("system-badselect", sys, 0);
	tu_hp(&r, "inspect", root, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, tu_pathf("  schannel-tls12         not applicable (%s: "
	    "Select\\Current is 7 but there is no ControlSet007) [auto]", sys));
	ASSERT_LACKS(r.out, "stdout", "CurrentControlSet is");
	ASSERT_OUT(&r, "ready:    no\n");
	tu_result_free(&r);
}
END_TEST

/* What inspect recommends, apply must be able to do: running the
 * command it prints must not be refused. */
static const struct {
	const char *what;
	const char *kind;	/* a bare SOFTWARE hive, or NULL: a tree7 ... */
	const char *system;	/* ... whose SYSTEM is this kind */
} recommended_cases[] = {
	{ "bare Windows 7 SOFTWARE", "software7-64-net35", NULL },
	{ "Windows 7 tree with a dangling Select", NULL, "system-badselect" },
};

START_TEST(test_inspect_recommends_only_what_apply_accepts)
{
	char *target, *cmd;
	const char *p;
	struct tu_result r;

	if (recommended_cases[_i].kind != NULL) {
		target = make_hive(recommended_cases[_i].kind, "SOFTWARE");
	} else {
		target = tu_make_tree("tree7", "img");
		tu_mkhive(recommended_cases[_i].system,
		    tu_tree_file(target, "SYSTEM"), 0);
	}
	tu_hp(&r, "inspect", target, NULL);
	ASSERT_STATUS(&r, 1);
	p = strstr(r.out, "command:  ");
	ck_assert_msg(p != NULL, "no command line:\n%s", r.out);
	cmd = tu_pathf("%.*s", (int)strcspn(p + 10, "\n"), p + 10);
	tu_result_free(&r);
	if (strcmp(cmd, tu_pathf("hivepatch apply --profile auto %s", target)) != 0)
		return;		/* recommends nothing to run */

	tu_hp(&r, "apply", "--profile", "auto", "--backup-dir", tu_bk, target,
	    NULL);
	ck_assert_msg(r.status == 0, "%s: inspect recommends '%s', which exits "
	    "%d:\n%s", recommended_cases[_i].what, cmd, r.status, r.err);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_inspect_json)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	struct json_object *j, *a, *x, *values;
	struct tu_result r;

	/* A Windows 10 image whose WinHTTP already allows TLS 1.3 only. */
	tu_mkhive("software64-winhttp13", sw, 0);
	tu_hp(&r, "inspect", "--json", root, NULL);
	ASSERT_STATUS(&r, 1);
	j = tu_parse_json(&r, "hivepatch-inspect/1");
	ck_assert_str_eq(tu_jstr(j, "target"), root);
	ck_assert(tu_jget(j, "tool_version") != NULL);

	a = tu_jarray(j, "hives");
	ck_assert_int_eq((int)json_object_array_length(a), 2);
	x = jfind(a, "kind", "SOFTWARE");
	ck_assert_str_eq(tu_jstr(x, "path"), sw);
	ck_assert(!tu_jbool(x, "dirty"));
	ck_assert(tu_jnull(x, "current_control_set"));
	x = jfind(a, "kind", "SYSTEM");
	ck_assert_str_eq(tu_jstr(x, "path"), sys);
	ck_assert_str_eq(tu_jstr(x, "current_control_set"), "ControlSet001");

	ck_assert_str_eq(tu_jstr(j, "image.os.build"), "19045");
	ck_assert_str_eq(tu_jstr(j, "image.os.product"), "Windows 10 Pro");
	ck_assert_str_eq(tu_jstr(j, "image.processor_architecture"), "AMD64");
	ck_assert_str_eq(tu_jstr(j, "image.dotnet4.version"), "4.8");
	ck_assert(!tu_jbool(j, "image.dotnet35"));

	values = tu_jarray(j, "values");
	x = jvalue(values, "HKLM\\SOFTWARE\\" WINHTTP_64, DSP);
	ck_assert_str_eq(tu_jstr(x, "data.type"), "REG_DWORD");
	ck_assert_int_eq(json_object_get_int(tu_jget(x, "data.data")), 0x2000);
	ck_assert_str_eq(tu_jstr(x, "profile"), "winhttp-tls12");
	x = jvalue(values, "HKLM\\SOFTWARE\\" WINHTTP_32, DSP);
	ck_assert_int_eq(json_object_get_int(tu_jget(x, "data.data")), 0x2800);
	x = jvalue(values, "HKLM\\SOFTWARE\\" NET4_64, SUC);
	ck_assert(tu_jnull(x, "data"));
	ck_assert_str_eq(tu_jstr(x, "profile"), "net4-tls12");
	x = jvalue(values, "HKLM\\SYSTEM\\ControlSet001\\" TLS12 "\\Server",
	    "DisabledByDefault");
	ck_assert(tu_jnull(x, "data"));
	ck_assert_str_eq(tu_jstr(x, "profile"), "schannel-tls12");

	a = tu_jarray(j, "profiles");
	ck_assert_int_eq((int)json_object_array_length(a), 5);
	x = jfind(a, "name", "net4-tls12");
	ck_assert_str_eq(tu_jstr(x, "status"), "not compliant");
	ck_assert(tu_jbool(x, "auto"));
	ck_assert(strstr(tu_jstr(x, "description"), "SchUseStrongCrypto") != NULL);
	x = jfind(a, "name", "winhttp-tls12");
	ck_assert_str_eq(tu_jstr(x, "status"), "not compliant");
	ck_assert(!tu_jbool(x, "auto"));
	x = jfind(a, "name", "schannel-tls12");
	ck_assert_str_eq(tu_jstr(x, "status"), "not compliant");
	ck_assert(!tu_jbool(x, "auto"));
	x = jfind(a, "name", "net35-tls12");
	ck_assert_str_eq(tu_jstr(x, "status"), "not applicable");
	ck_assert_str_eq(tu_jstr(x, "reason"), "no .NET Framework 3.5");
	ck_assert(!tu_jbool(x, "auto"));

	a = tu_jarray(j, "auto.profiles");
	ck_assert_int_eq((int)json_object_array_length(a), 1);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(a, 0)),
	    "net4-tls12");
	ck_assert(strstr(tu_jstr(j, "auto.reason"), "build 19045") != NULL);
	ck_assert_int_eq((int)json_object_array_length(tu_jarray(j, "warnings")), 0);
	ck_assert(!tu_jbool(j, "ready"));
	ck_assert_str_eq(tu_jstr(j, "recommended"),
	    tu_pathf("hivepatch apply --profile auto %s", root));
	json_object_put(j);
	tu_result_free(&r);

	/* After auto: ready, and the values carry their data. */
	ASSERT_RUN(0, "apply", "--profile", "auto", "--backup-dir", tu_bk, root,
	    NULL);
	tu_hp(&r, "inspect", "--json", root, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-inspect/1");
	ck_assert(tu_jbool(j, "ready"));
	x = jfind(tu_jarray(j, "profiles"), "name", "net4-tls12");
	ck_assert_str_eq(tu_jstr(x, "status"), "compliant");
	ck_assert(tu_jnull(x, "reason"));
	x = jvalue(tu_jarray(j, "values"), "HKLM\\SOFTWARE\\" NET4_32, SUC);
	ck_assert_str_eq(tu_jstr(x, "data.type"), "REG_DWORD");
	ck_assert_int_eq(json_object_get_int(tu_jget(x, "data.data")), 1);
	json_object_put(j);
	tu_result_free(&r);
}
END_TEST

/* inspect reads and never writes: every hive of the target keeps its
 * bytes, inode and modification time, and no file appears beside it. */
static const struct {
	const char *kind;	/* tree kinds make a tree */
	int dirty;
	int status;
} inspect_targets[] = {
	{ "tree", 0, 1 },
	{ "tree7", 0, 1 },
	{ "tree-lower", 0, 1 },
	{ "tree7", 1, 1 },
	{ "system", 0, 1 },
	{ "system-noselect", 0, 1 },
	{ "software7-64-net35", 0, 1 },
	{ "software64-compliant", 0, 0 },
};

START_TEST(test_inspect_never_writes)
{
	const char *kind = inspect_targets[_i].kind;
	int is_tree = strncmp(kind, "tree", 4) == 0;
	char *target = tu_pathf("%s/img", tu_scratch), *dir;
	char *hives[2];
	char hash[2][SHA256_HEX_LEN + 1];
	struct stat st[2];
	size_t n = 0, i;
	int files, json;
	struct tu_result r;

	if (is_tree) {
		int lower = strcmp(kind, "tree-lower") == 0;

		tu_mkhive(kind, target, inspect_targets[_i].dirty);
		hives[n++] = tu_tree_file(target,
		    lower ? "software" : "SOFTWARE");
		hives[n++] = tu_tree_file(target, lower ? "system" : "SYSTEM");
		dir = tu_dir_of(hives[0]);
	} else {
		tu_mkhive(kind, target, inspect_targets[_i].dirty);
		hives[n++] = target;
		dir = tu_scratch;
	}
	for (i = 0; i < n; i++) {
		tu_sha256(hives[i], hash[i]);
		tu_stat(hives[i], &st[i]);
	}
	files = tu_count_files(dir);
	for (json = 0; json <= 1; json++) {
		const char *argv[6];
		size_t k = 1;	/* argv[0]: tu_hp_argv puts $HIVEPATCH there */

		argv[k++] = "inspect";
		if (json)
			argv[k++] = "--json";
		/* mkhive's logs are placeholders: read the primary alone. */
		if (inspect_targets[_i].dirty)
			argv[k++] = "--no-recover";
		argv[k++] = target;
		argv[k] = NULL;
		tu_hp_argv(&r, NULL, argv);
		ASSERT_STATUS(&r, inspect_targets[_i].status);
		ck_assert_msg(*r.err == '\0', "stderr: %s", r.err);
		if (inspect_targets[_i].dirty)
			ASSERT_OUT(&r, "dirty");
		tu_result_free(&r);
		for (i = 0; i < n; i++) {
			ASSERT_HASH(hives[i], hash[i]);
			tu_assert_untouched_since(hives[i], &st[i]);
		}
		ck_assert_int_eq(tu_count_files(dir), files);
		ck_assert_int_eq(tu_count_temp_files(dir), 0);
	}
	ck_assert_int_eq(tu_count_files(tu_bk), 0);
}
END_TEST

/* ---- the suite ---- */

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
system_suite(void)
{
	Suite *s = suite_create("system");
	TCase *tc;

	tc = tu_tcase(s, "schannel");
	tcase_add_test(tc, test_schannel_on_tree_lands_in_controlset001_software_untouched);
	tcase_add_test(tc, test_schannel_on_bare_cs2_lands_in_controlset002_only);
	tcase_add_test(tc, test_all_control_sets_writes_every_control_set);
	tcase_add_loop_test(tc,
	    test_missing_or_dangling_select_is_refused_byte_identical, 0,
	    NELEM(bad_selects));

	tc = tu_tcase(s, "kinds");
	tcase_add_loop_test(tc,
	    test_software_profile_on_a_bare_system_hive_is_refused, 0,
	    NELEM(software_profiles));
	tcase_add_test(tc, test_schannel_on_a_bare_software_hive_is_refused);
	tcase_add_loop_test(tc,
	    test_reg_with_keys_in_both_hives_on_a_bare_file_is_refused, 0,
	    NELEM(bare_kinds));

	tc = tu_tcase(s, "two_hives");
	tcase_add_test(tc, test_reg_in_both_hives_on_a_tree_writes_both_and_rollback_restores_both);
	tcase_add_test(tc, test_rollback_after_a_software_only_apply_leaves_system_alone);
	tcase_add_test(tc, test_second_hive_too_large_stops_the_run_before_any_write);
	tcase_add_test(tc, test_rollback_undoes_a_two_hive_run_cut_between_its_commits);
	tcase_add_test(tc, test_unrecoverable_system_hive_stops_a_two_hive_apply_before_any_write);
	tcase_add_test(tc, test_lower_case_tree_takes_a_two_hive_apply);
	tcase_add_test(tc, test_json_apply_on_two_hives_lists_both);

	tc = tu_tcase(s, "profiles");
	tcase_add_test(tc, test_net35_writes_four_values);
	tcase_add_test(tc, test_net35_without_net35_is_refused_and_force_writes);
	tcase_add_test(tc, test_winhttp_ors_its_bits_into_a_tls13_value);
	tcase_add_test(tc, test_winhttp_on_an_absent_value_writes_0xa00);
	tcase_add_test(tc, test_32bit_windows7_skips_the_wow6432node_lines);

	tc = tu_tcase(s, "auto");
	tcase_add_test(tc, test_auto_on_windows7_tree_writes_all_four_profiles_in_both_hives);
	tcase_add_test(tc, test_auto_on_windows10_tree_writes_net4_only_system_untouched);

	tc = tu_tcase(s, "inspect");
	tcase_add_test(tc, test_inspect_windows10_tree_needs_net4_only);
	tcase_add_test(tc, test_inspect_windows7_tree_recommends_auto_then_is_ready);
	tcase_add_test(tc,
	    test_inspect_windows7_without_the_tls_updates_is_not_ready);
	tcase_add_test(tc,
	    test_export_reads_system_and_bare_hives_under_their_roots);
	tcase_add_test(tc, test_import_writes_the_user_hives);
	tcase_add_test(tc, test_inspect_bare_system_hive_judges_schannel_only);
	tcase_add_test(tc, test_inspect_names_a_dangling_select);
	tcase_add_loop_test(tc, test_inspect_recommends_only_what_apply_accepts,
	    0, NELEM(recommended_cases));
	tcase_add_test(tc, test_inspect_json);
	tcase_add_loop_test(tc, test_inspect_never_writes, 0,
	    NELEM(inspect_targets));
	return s;
}

int
main(void)
{
	return tu_run_suite(system_suite(), "hivepatch-test-system");
}
