/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The command line as a user meets it: the real hivepatch binary run on
 * scratch copies of generated hives.  Every test checks the exit status,
 * the message (naming the file and the problem), the hive's hash (byte
 * for byte the same when nothing may change) and, after a write, the
 * values read back from disk with hivex and, independently, with
 * libregf's regfexport. */
#include "config.h"

#include <stdarg.h>

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

#define NET64	"Microsoft\\.NETFramework\\v4.0.30319"
#define NET32	"Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319"
#define SUC	"SchUseStrongCrypto"
#define SDTV	"SystemDefaultTlsVersions"

/* ---- assertions ---- */

#define ASSERT_NO_BACKUP()						\
	ck_assert_msg(tu_count_files(tu_bk) == 0,			\
	    "files were left under the backup dir %s", tu_bk)

static void
assert_no_value(const char *hive, const char *key, const char *name)
{
	unsigned char *data;
	hive_type t;
	size_t len;

	ck_assert_msg(!tu_hive_value(hive, key, name, &t, &data, &len),
	    "%s: %s\\%s exists", hive, key, name);
}

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

/* ---- fixtures ---- */

/* tu_scratch/KIND/FILE made by mkhive. */
static char *
make_hive(const char *kind, const char *file, int dirty)
{
	char *dir = tu_pathf("%s/%s", tu_scratch, kind);

	tu_mkdir_p(dir);
	tu_mkhive(kind, tu_pathf("%s/%s", dir, file), dirty);
	return tu_pathf("%s/%s", dir, file);
}

static char *
write_reg(const char *name, const char *text)
{
	char *path = tu_pathf("%s/%s", tu_scratch, name);

	tu_write_text(path, text);
	return path;
}

/* ---- apply, verify, dry run ---- */

START_TEST(test_apply_tree_sets_both_views_and_keeps_a_backup)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char *system = tu_pathf("%s/Windows/System32/config/SYSTEM", root);
	char before[SHA256_HEX_LEN + 1], after[SHA256_HEX_LEN + 1];
	char sys_before[SHA256_HEX_LEN + 1], copy_hash[SHA256_HEX_LEN + 1];
	char *manifest = NULL, *copy, *real;
	struct json_object *m, *v;
	struct tu_result r;

	tu_sha256(hive, before);
	tu_sha256(system, sys_before);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, hive);
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 2);
	ASSERT_OUT(&r, "2 changes written and verified from disk");
	tu_result_free(&r);

	tu_sha256(hive, after);
	ck_assert_str_ne(before, after);
	tu_assert_net4(hive);
	/* What was there stays. */
	ck_assert(tu_regf_value(hive, NET64, "SomeOtherValue", "(REG_SZ",
	    "Data: keep me\n") != 0);
	ASSERT_HASH(system, sys_before);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);

	/* One backup: the original bytes and a manifest that knows both
	 * hashes and the hive's absolute path. */
	ck_assert_int_eq(tu_count_backups(tu_bk, &manifest), 1);
	m = json_object_from_file(manifest);
	ck_assert_msg(m != NULL, "%s is not JSON", manifest);
	ck_assert(json_object_object_get_ex(m, "schema", &v));
	ck_assert_str_eq(json_object_get_string(v), "hivepatch-backup/2");
	ck_assert(json_object_object_get_ex(m, "backup", &v));
	ck_assert_str_eq(json_object_get_string(v), "pages");
	ck_assert(json_object_object_get_ex(m, "sha256_before", &v));
	ck_assert_str_eq(json_object_get_string(v), before);
	ck_assert(json_object_object_get_ex(m, "sha256_after", &v));
	ck_assert_str_eq(json_object_get_string(v), after);
	real = realpath(hive, NULL);
	ck_assert(json_object_object_get_ex(m, "hive", &v));
	ck_assert_str_eq(json_object_get_string(v), real);
	free(real);
	json_object_put(m);
	/* Of the hive, only what the commit overwrote: a few pages. */
	copy = tu_pathf("%s/pages", tu_dir_of(manifest));
	free(manifest);
	ck_assert_int_lt(tu_file_size(copy), tu_file_size(hive) / 2);
	(void)copy_hash;
}
END_TEST

/* --backup=full keeps the whole hive as it was. */
START_TEST(test_apply_backup_full_keeps_a_whole_copy)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1], copy_hash[SHA256_HEX_LEN + 1];
	char *manifest = NULL;

	tu_sha256(hive, before);
	ASSERT_RUN(0, "apply", "--backup=full", "--backup-dir", tu_bk, hive,
	    NULL);
	ck_assert_int_eq(tu_count_backups(tu_bk, &manifest), 1);
	tu_sha256(tu_pathf("%s/hive", tu_dir_of(manifest)), copy_hash);
	free(manifest);
	ck_assert_str_eq(copy_hash, before);
	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_HASH(hive, before);
}
END_TEST

/* Every file nftw meets below the backup directory is the owner's
 * alone: regular files 0600, directories 0700. */
static int
assert_owner_only(const char *path, const struct stat *st, int type,
		  struct FTW *ftw)
{
	mode_t want = S_ISDIR(st->st_mode) ? 0700 : 0600;

	(void)ftw;
	ck_assert_msg(type == FTW_F || type == FTW_D, "%s: not a file or a "
	    "directory", path);
	ck_assert_msg((st->st_mode & 07777) == want, "%s: mode %04o, expected "
	    "%04o", path, (unsigned)(st->st_mode & 07777), (unsigned)want);
	return 0;
}

/* Under umask 022 too, a backup (its manifest, pages or whole copy, the
 * copies of a dirty hive's logs) is readable by its owner alone. */
START_TEST(test_backups_are_the_owner_s_alone)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char *dirty = tu_pathf("%s/dirty/SOFTWARE", tu_scratch);
	mode_t old;

	tu_mkdir_p(tu_dir_of(dirty));
	tu_mkdirty("new", hive, dirty, NULL);
	old = umask(022);

	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_RUN(0, "apply", "--backup=full", "--backup-dir", tu_bk, dirty,
	    NULL);
	umask(old);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 2);
	ck_assert_int_gt(tu_count_files(tu_bk), 4);
	ck_assert_int_eq(nftw(tu_bk, assert_owner_only, 16, FTW_PHYS), 0);
}
END_TEST

START_TEST(test_verify_says_missing_before_apply_and_compliant_after)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat st;

	tu_sha256(hive, before);
	tu_stat(hive, &st);
	tu_hp(&r, "verify", root, NULL);
	ASSERT_STATUS(&r, 1);
	ck_assert_int_eq(tu_count_lines(r.out, "  missing "), 2);
	ASSERT_OUT(&r, "not compliant");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	tu_assert_untouched_since(hive, &st);

	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	tu_assert_net4(hive);

	tu_hp(&r, "verify", root, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  ok "), 2);
	ASSERT_OUT(&r, "result:   compliant");
	tu_result_free(&r);
}
END_TEST

START_TEST(test_dry_run_reports_but_writes_nothing)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat st;

	tu_sha256(hive, before);
	tu_stat(hive, &st);
	tu_hp(&r, "apply", "--dry-run", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "dry run");
	ck_assert_int_eq(tu_count_lines(r.out, "  would add "), 2);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	tu_assert_untouched_since(hive, &st);
	ASSERT_NO_BACKUP();
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
	assert_no_value(hive, NET64, SUC);
}
END_TEST

START_TEST(test_second_apply_is_already_compliant_and_writes_nothing)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char after[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat st;

	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	tu_assert_net4(hive);
	tu_sha256(hive, after);
	tu_stat(hive, &st);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);

	tu_hp(&r, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "already compliant");
	ck_assert_int_eq(tu_count_lines(r.out, "  already "), 2);
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 0);
	ck_assert_int_eq(tu_count_lines(r.out, "backup:"), 0);
	tu_result_free(&r);
	ASSERT_HASH(hive, after);
	tu_assert_untouched_since(hive, &st);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);
}
END_TEST

START_TEST(test_profiles_lists_both_profiles)
{
	struct tu_result r;

	tu_hp(&r, "profiles", NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "net4-tls12 "), 1);
	ck_assert_int_eq(tu_count_lines(r.out, "net4-tls12-sysdefault "), 1);
	ASSERT_OUT(&r, "SchUseStrongCrypto");
	ASSERT_OUT(&r, "SystemDefaultTlsVersions");
	tu_result_free(&r);
}
END_TEST

START_TEST(test_sysdefault_profile_writes_four_values)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	struct tu_result r;

	tu_hp(&r, "apply", "--profile", "net4-tls12-sysdefault", "--backup-dir",
	    tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 4);
	ASSERT_OUT(&r, "4 changes written and verified from disk");
	tu_result_free(&r);
	tu_assert_net4(hive);
	tu_assert_dword(hive, NET64, SDTV, 1);
	tu_assert_dword(hive, NET32, SDTV, 1);

	tu_hp(&r, "verify", "--profile", "net4-tls12-sysdefault", hive, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  ok "), 4);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_profile_given_twice_writes_once)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	struct tu_result r;

	tu_hp(&r, "apply", "--profile", "net4-tls12", "--profile", "net4-tls12",
	    "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 2);
	ck_assert_int_eq(tu_count_lines(r.out, "  already "), 2);
	ASSERT_OUT(&r, "2 changes written");
	tu_result_free(&r);
	tu_assert_net4(hive);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);

	ASSERT_RUN(0, "verify", "--profile", "net4-tls12", "--profile",
	    "net4-tls12", hive, NULL);
}
END_TEST

START_TEST(test_32bit_image_skips_wow6432node_and_never_creates_it)
{
	char *hive = make_hive("software32-net48", "SOFTWARE", 0);
	struct tu_result r;

	assert_key(hive, "Wow6432Node", 0);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 1);
	ASSERT_OUT(&r, "  skipped   HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\"
	    ".NETFramework\\v4.0.30319  SchUseStrongCrypto");
	ASSERT_OUT(&r, "32-bit");
	ASSERT_OUT(&r, "1 change written");
	tu_result_free(&r);
	tu_assert_dword(hive, NET64, SUC, 1);
	assert_key(hive, "Wow6432Node", 0);

	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "skipped");
	tu_result_free(&r);
}
END_TEST

START_TEST(test_half_compliant_image_gets_only_the_missing_view)
{
	char *hive = make_hive("software64-half", "SOFTWARE", 0);
	struct tu_result r;

	tu_assert_dword(hive, NET64, SUC, 1);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  added "), 1);
	ck_assert_int_eq(tu_count_lines(r.out, "  already "), 1);
	ASSERT_OUT(&r, "  added     HKLM\\SOFTWARE\\Wow6432Node\\");
	ASSERT_OUT(&r, "1 change written");
	tu_result_free(&r);
	tu_assert_net4(hive);
}
END_TEST

START_TEST(test_missing_parent_keys_are_created)
{
	char *hive = make_hive("software64-noparents", "SOFTWARE", 0);
	struct tu_result r;

	assert_key(hive, "Microsoft\\.NETFramework", 0);
	assert_key(hive, "Wow6432Node\\Microsoft\\.NETFramework", 0);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  added     HKLM\\SOFTWARE\\"
	    "Microsoft\\.NETFramework\\v4.0.30319 (key)"), 1);
	ck_assert_int_eq(tu_count_lines(r.out, "  added     HKLM\\SOFTWARE\\"
	    "Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319 (key)"), 1);
	tu_result_free(&r);
	assert_key(hive, NET64, 1);
	assert_key(hive, NET32, 1);
	tu_assert_net4(hive);

	ASSERT_RUN(0, "verify", hive, NULL);
}
END_TEST

/* The hive's header names it `name` (ASCII), its checksum made good. */
static void
rename_in_header(const char *hive, const char *name)
{
	unsigned char bb[512];
	uint32_t sum = 0;
	size_t i;
	int fd = open(hive, O_RDWR);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, bb, sizeof(bb), 0), (ssize_t)sizeof(bb));
	memset(bb + 48, 0, 64);
	for (i = 0; name[i] != '\0' && i < 32; i++)
		bb[48 + 2 * i] = (unsigned char)name[i];
	for (i = 0; i < 508; i += 4)
		sum ^= (uint32_t)bb[i] | (uint32_t)bb[i + 1] << 8 |
		    (uint32_t)bb[i + 2] << 16 | (uint32_t)bb[i + 3] << 24;
	for (i = 0; i < 4; i++)
		bb[508 + i] = (unsigned char)(sum >> (8 * i));
	ck_assert_int_eq(pwrite(fd, bb, sizeof(bb), 0), (ssize_t)sizeof(bb));
	close(fd);
}

/* A SOFTWARE hive whose header names it DEFAULT (as hivex's template
 * does) is a SOFTWARE hive by its root keys: apply writes it without
 * --force, the .NET check still holds, and the report notes the name. */
START_TEST(test_the_root_keys_decide_the_kind_not_the_header_name)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char *nonet = make_hive("software64-nonet", "NONET", 0);
	struct tu_result r;

	rename_in_header(hive, "DEFAULT");
	rename_in_header(nonet, "DEFAULT");
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "warning:  ");
	ASSERT_OUT(&r, "its root keys make it a SOFTWARE hive; its header names "
	    "it 'DEFAULT', a hint only");
	tu_result_free(&r);
	tu_assert_dword(hive, NET64, SUC, 1);

	/* .NET 4 missing is still refused: no --force was needed to get
	 * past the kind, so the .NET check is not switched off. */
	tu_hp(&r, "apply", "--backup-dir", tu_bk, nonet, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, ".NET");
	tu_result_free(&r);
}
END_TEST

/* Kinds that are not SOFTWARE hives, with the file name they get. */
static const struct {
	const char *kind, *file;
} other_kinds[] = {
	{ "system", "SYSTEM" },
	{ "ntuser", "NTUSER.DAT" },
};

START_TEST(test_not_a_software_hive_is_refused_force_or_not)
{
	char *hive = make_hive(other_kinds[_i].kind, other_kinds[_i].file, 0);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat st;

	tu_sha256(hive, before);
	tu_stat(hive, &st);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "not a SOFTWARE hive");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	tu_assert_untouched_since(hive, &st);
	ASSERT_NO_BACKUP();

	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "not a SOFTWARE hive");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);

	/* Its root keys say what it is: --force does not override that. */
	tu_hp(&r, "apply", "--force", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "not a SOFTWARE hive (its root keys make it a");
	ASSERT_LACKS(r.err, "stderr", "--force");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	tu_assert_untouched_since(hive, &st);
	ASSERT_NO_BACKUP();
}
END_TEST

/* verify takes no --force, so its refusal must not send the user to
 * --force: following the advice gives a usage error. */
START_TEST(test_verify_refusal_does_not_suggest_an_option_verify_rejects)
{
	char *hive = make_hive("system", "SYSTEM", 0);
	struct tu_result r;

	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "not a SOFTWARE hive");
	tu_result_free(&r);
	ASSERT_RUN(2, "verify", "--force", hive, NULL);
	tu_hp(&r, "verify", hive, NULL);
	ASSERT_LACKS(r.err, "stderr", "--force");
	tu_result_free(&r);
}
END_TEST

static const char *const no_dotnet45_kinds[] = {
	"software64-nonet", "software64-net40",
};

START_TEST(test_image_without_dotnet45_is_refused_verify_warns_force_writes)
{
	char *hive = make_hive(no_dotnet45_kinds[_i], "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, ".NET Framework 4.5");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();

	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "warning:");
	ASSERT_OUT(&r, "4.5 or later");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);

	tu_hp(&r, "apply", "--force", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "because of --force");
	tu_result_free(&r);
	tu_assert_net4(hive);
}
END_TEST

/* A dirty hive whose logs would recover it (mkdirty): apply --no-recover
 * keeps the refusal, --force or not, naming the logs; verify --no-recover
 * reads the stale primary alone and warns that it is dirty; plain verify
 * reads through the logs and says so.  Nothing is written. */
START_TEST(test_no_recover_refuses_a_dirty_hive_even_with_force_and_verify_warns)
{
	char *clean = make_hive("software64-net48", "clean", 0);
	char *hive = tu_pathf("%s/SOFTWARE", tu_dir_of(clean));
	char *log1 = tu_pathf("%s.LOG1", hive), *log2 = tu_pathf("%s.LOG2", hive);
	char before[SHA256_HEX_LEN + 1], l1[SHA256_HEX_LEN + 1];
	char l2[SHA256_HEX_LEN + 1];
	struct json_object *j, *v, *hv;
	struct tu_result r;
	struct stat st;

	tu_mkdirty("new", clean, hive, NULL);
	tu_sha256(hive, before);
	tu_sha256(log1, l1);
	tu_sha256(log2, l2);
	tu_stat(hive, &st);
	tu_hp(&r, "apply", "--no-recover", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "dirty");
	ASSERT_ERR(&r, log1);
	ASSERT_ERR(&r, log2);
	tu_result_free(&r);

	tu_hp(&r, "apply", "--no-recover", "--force", "--backup-dir", tu_bk,
	    hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "dirty");
	tu_result_free(&r);

	tu_hp(&r, "apply", "--no-recover", "--json", "--backup-dir", tu_bk,
	    hive, NULL);
	ASSERT_STATUS(&r, 3);
	j = json_tokener_parse(r.out);
	ck_assert_msg(j != NULL, "not JSON:\n%s", r.out);
	ck_assert(json_object_object_get_ex(j, "hive", &hv) && hv != NULL);
	ck_assert(json_object_object_get_ex(hv, "dirty", &v));
	ck_assert(json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(hv, "logs", &v));
	ck_assert_int_eq((int)json_object_array_length(v), 2);
	ck_assert_str_eq(tu_jstr(j, "reason"), "dirty-no-recover");
	json_object_put(j);
	tu_result_free(&r);

	ASSERT_HASH(hive, before);
	ASSERT_HASH(log1, l1);
	ASSERT_HASH(log2, l2);
	tu_assert_untouched_since(hive, &st);
	ASSERT_NO_BACKUP();
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);

	tu_hp(&r, "verify", "--no-recover", hive, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "warning:");
	ASSERT_OUT(&r, "dirty");
	ASSERT_OUT(&r, log1);
	tu_result_free(&r);

	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);

	ASSERT_HASH(hive, before);
	ASSERT_HASH(log1, l1);
	ASSERT_HASH(log2, l2);
	tu_assert_untouched_since(hive, &st);
}
END_TEST

/* A dirty hive whose logs hold nothing to recover it from (mkhive
 * --dirty: each log is a bare base block): apply now tries to recover
 * it and refuses, naming the hive and both logs; nothing is written. */
START_TEST(test_dirty_hive_with_empty_logs_is_refused)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 1);
	char *log1 = tu_pathf("%s.LOG1", hive), *log2 = tu_pathf("%s.LOG2", hive);
	char before[SHA256_HEX_LEN + 1], l1[SHA256_HEX_LEN + 1];
	char l2[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_sha256(log1, l1);
	tu_sha256(log2, l2);
	tu_hp(&r, "apply", "--force", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "dirty");
	ASSERT_ERR(&r, log1);
	ASSERT_ERR(&r, log2);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ASSERT_HASH(log1, l1);
	ASSERT_HASH(log2, l2);
	ASSERT_NO_BACKUP();
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
}
END_TEST

/* ---- rollback ---- */

START_TEST(test_rollback_restores_the_original_bytes)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	struct stat st;

	tu_sha256(hive, before);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	tu_assert_net4(hive);

	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "restored");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	assert_no_value(hive, NET64, SUC);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);

	/* Rolled back already: nothing more to do. */
	tu_stat(hive, &st);
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "nothing written");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	tu_assert_untouched_since(hive, &st);

	ASSERT_RUN(1, "verify", root, NULL);
}
END_TEST

START_TEST(test_rollback_refuses_a_hive_changed_since_until_forced)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char *other_bk = tu_pathf("%s/other-backups", tu_scratch);
	char before[SHA256_HEX_LEN + 1], changed[SHA256_HEX_LEN + 1];
	char *reg;
	struct tu_result r;

	tu_sha256(hive, before);
	ASSERT_RUN(0, "apply", "--backup=full", "--backup-dir", tu_bk, root,
	    NULL);
	tu_assert_net4(hive);

	/* Someone else changes the hive (their backups go elsewhere). */
	reg = write_reg("other.reg", "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\SomeoneElse]\n"
	    "\"Changed\"=dword:00000002\n");
	ASSERT_RUN(0, "import", "--backup-dir", other_bk, reg, root, NULL);
	tu_assert_dword(hive, "SomeoneElse", "Changed", 2);
	tu_sha256(hive, changed);

	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "changed since hivepatch wrote it");
	tu_result_free(&r);
	ASSERT_HASH(hive, changed);

	tu_hp(&r, "rollback", "--force", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "restored");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	assert_key(hive, "SomeoneElse", 0);
}
END_TEST

/* A backup is found by what the hive holds, not where it lies: after
 * the tree is moved, rollback walks back run by run, each time to the
 * exact bytes the run found, the file staying the same file. */
START_TEST(test_rollback_after_a_move_walks_back_run_by_run)
{
	char *root = tu_make_tree("tree", "img");
	char *moved = tu_pathf("%s/moved", tu_scratch);
	char *hive = tu_tree_file(root, "SOFTWARE"), *hive2;
	char *reg = write_reg("second.reg", "Windows Registry Editor Version "
	    "5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Second]\n"
	    "\"X\"=dword:00000002\n");
	char h0[SHA256_HEX_LEN + 1], h1[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, h0);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	tu_sha256(hive, h1);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, reg, root, NULL);
	ck_assert(rename(root, moved) == 0);
	hive2 = tu_tree_file(moved, "SOFTWARE");

	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, moved, NULL);
	ASSERT_HASH(hive2, h1);
	assert_key(hive2, "Second", 0);
	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, moved, NULL);
	ASSERT_HASH(hive2, h0);
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, moved, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "no backup");
	tu_result_free(&r);
	ASSERT_HASH(hive2, h0);
}
END_TEST

/* A backup of pages cannot rebuild a hive someone changed since: even
 * --force is refused, and nothing is written. */
START_TEST(test_rollback_of_pages_over_a_changed_hive_is_refused_even_forced)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char changed[SHA256_HEX_LEN + 1];
	char *reg = write_reg("other.reg", "Windows Registry Editor Version "
	    "5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\SomeoneElse]\n"
	    "\"Changed\"=dword:00000002\n");
	struct tu_result r;

	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_RUN(0, "import", "--backup-dir", tu_pathf("%s/other",
	    tu_scratch), reg, hive, NULL);
	tu_sha256(hive, changed);
	tu_hp(&r, "rollback", "--force", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "only the pages");
	ASSERT_ERR(&r, "--backup=full");
	tu_result_free(&r);
	ASSERT_HASH(hive, changed);
}
END_TEST

START_TEST(test_rollback_without_a_backup_is_refused)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "no backup of this hive");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
}
END_TEST

START_TEST(test_rollback_by_bare_hive_path_finds_the_tree_backup)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char before[SHA256_HEX_LEN + 1];

	tu_sha256(hive, before);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	tu_assert_net4(hive);
	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_HASH(hive, before);
}
END_TEST

/* A backup directory without manifest.json is an unfinished backup: even
 * when it is the newest, rollback never restores from it. */
START_TEST(test_rollback_ignores_a_backup_without_manifest)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1];
	char *manifest = NULL, *slot, *unfinished;

	tu_sha256(hive, before);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	tu_assert_net4(hive);
	ck_assert_int_eq(tu_count_backups(tu_bk, &manifest), 1);
	slot = tu_dir_of(tu_dir_of(manifest));
	free(manifest);
	unfinished = tu_pathf("%s/99991231T235959Z.999999-1", slot);
	tu_mkdir_p(unfinished);
	tu_write_text(tu_pathf("%s/hive", unfinished), "not the hive\n");

	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_HASH(hive, before);

	/* The next run that writes the hive removes it: a run that left
	 * no manifest wrote nothing (the manifest comes first). */
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	ck_assert_msg(access(unfinished, F_OK) == -1, "%s is still there",
	    unfinished);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 2);
}
END_TEST

/* A manifest whose members are not strings is a damaged backup (exit 4,
 * naming it), never a crash; the hive stays as the run left it. */
START_TEST(test_rollback_refuses_a_manifest_of_the_wrong_types)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char after[SHA256_HEX_LEN + 1];
	char *manifest = NULL, *text;
	struct tu_result r;
	size_t len;

	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	tu_sha256(hive, after);
	ck_assert_int_eq(tu_count_backups(tu_bk, &manifest), 1);
	text = (char *)tu_read_file(manifest, &len);
	ck_assert_ptr_nonnull(strstr(text, "\"hive\""));
	tu_write_text(manifest, "{ \"hive\": null, \"time\": null, "
	    "\"sha256_before\": \"" "0000000000000000000000000000000000000000"
	    "000000000000000000000000\", \"sha256_after\": \""
	    "00000000000000000000000000000000000000000000000000000000000000"
	    "00\" }\n");
	free(text);
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, manifest);
	ASSERT_ERR(&r, "damaged");
	tu_result_free(&r);
	ASSERT_HASH(hive, after);
	free(manifest);
}
END_TEST

/* Rollback locks only the hives it restores: another hive of the tree
 * held by someone else does not stop it. */
START_TEST(test_rollback_leaves_the_tree_s_other_hives_alone)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char *other = tu_pathf("%s/SAM", tu_dir_of(hive));
	char before[SHA256_HEX_LEN + 1];
	int fd;

	tu_copy_file(tu_tree_file(root, "SYSTEM"), other);
	tu_sha256(hive, before);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	fd = open(other, O_RDONLY | O_CLOEXEC);
	ck_assert(fd >= 0 && flock(fd, LOCK_EX) == 0);
	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, root, NULL);
	close(fd);
	ASSERT_HASH(hive, before);
}
END_TEST

START_TEST(test_rollback_refuses_a_damaged_backup_copy)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char after[SHA256_HEX_LEN + 1];
	char *manifest = NULL, *copy;
	unsigned char *data;
	struct tu_result r;
	size_t len;

	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	tu_assert_net4(hive);
	tu_sha256(hive, after);
	ck_assert_int_eq(tu_count_backups(tu_bk, &manifest), 1);
	copy = tu_pathf("%s/pages", tu_dir_of(manifest));
	free(manifest);
	data = tu_read_file(copy, &len);
	data[len - 100] ^= 0x55;	/* in the old bytes it keeps */
	tu_write_file(copy, data, len);
	free(data);

	tu_hp(&r, "rollback", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, copy);
	ASSERT_ERR(&r, "damaged");
	tu_result_free(&r);
	ASSERT_HASH(hive, after);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
}
END_TEST

/* ---- usage errors and .reg files ---- */

START_TEST(test_bad_reg_syntax_names_file_and_line_and_writes_nothing)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1];
	char *reg, *where;
	struct tu_result r;

	reg = write_reg("bad.reg", "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\n"
	    "\"Good\"=dword:00000001\n"
	    "\"Bad\"=dword:zz\n");
	where = tu_pathf("%s:5:", reg);
	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--reg", reg, "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, where);
	ASSERT_ERR(&r, "expected");
	tu_result_free(&r);
	tu_hp(&r, "import", "--backup-dir", tu_bk, reg, hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, where);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

START_TEST(test_reg_key_outside_hklm_software_is_a_usage_error)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1];
	char *reg;
	struct tu_result r;

	/* A good HKLM section first: nothing of the file may be applied. */
	reg = write_reg("hkcu.reg", "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\n"
	    "\"Good\"=dword:00000001\n\n"
	    "[HKEY_CURRENT_CONFIG\\Software\\Test]\n"
	    "\"Bad\"=dword:00000001\n");
	tu_sha256(hive, before);
	tu_hp(&r, "import", "--backup-dir", tu_bk, reg, hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, tu_pathf("%s:6:", reg));
	ASSERT_ERR(&r, "HKEY_CURRENT_CONFIG");
	tu_result_free(&r);
	ASSERT_RUN(2, "apply", "--reg", reg, "--backup-dir", tu_bk, hive, NULL);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

START_TEST(test_unknown_profile_is_a_usage_error)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--profile", "no-such-profile", "--backup-dir", tu_bk,
	    hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unknown profile 'no-such-profile'");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--profile", "../../etc/passwd", "--backup-dir", tu_bk,
	    hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "not a profile name");
	tu_result_free(&r);
	ASSERT_RUN(2, "verify", "--profile", "no-such-profile", hive, NULL);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

START_TEST(test_usage_errors_exit_2)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "Usage:");
	tu_result_free(&r);
	tu_hp(&r, "frobnicate", hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unknown command 'frobnicate'");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "missing TARGET");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--bogus", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "--bogus");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unexpected argument");
	tu_result_free(&r);
	ASSERT_RUN(2, "verify", "--dry-run", hive, NULL);
	ASSERT_RUN(2, "import", "--backup-dir", tu_bk, NULL);
	ASSERT_RUN(2, "export", hive, NULL);
	ASSERT_RUN(2, "rollback", "--backup-dir", tu_bk, NULL);
	ASSERT_RUN(2, "profiles", "extra", NULL);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

/* An option of another command is named by its own name, not by the
 * value that follows it.  Nothing is written, no backup is kept. */
START_TEST(test_option_of_another_command_is_named_not_its_value)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "recover", "--profile", "X", "--backup-dir", tu_bk, hive,
	    NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "recover does not take --profile");
	ASSERT_LACKS(r.err, "stderr", "'X'");
	tu_result_free(&r);
	tu_hp(&r, "recover", "--profile=X", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "recover does not take --profile");
	tu_result_free(&r);
	tu_hp(&r, "verify", "--dry-run", hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "verify does not take --dry-run");
	tu_result_free(&r);

	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

/* An option given without its value says what the value must be, and
 * so does one given a value it does not take (TARGET, when '=' was left
 * out).  Nothing is written, no backup is kept. */
START_TEST(test_option_without_its_value_says_what_it_needs)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, "--commit", NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "option '--commit' needs 'logged' or 'replace'");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, "--backup", NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "option '--backup' needs 'pages' or 'full'");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, "--commit", hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "option '--commit' needs 'logged' or 'replace', "
	    "not");
	ASSERT_ERR(&r, hive);
	tu_result_free(&r);
	tu_hp(&r, "import", "--backup-dir", tu_bk, "--backup", hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "option '--backup' needs 'pages' or 'full', not");
	ASSERT_ERR(&r, hive);
	tu_result_free(&r);
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, "--to", NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "option '--to' needs a run ID");
	tu_result_free(&r);
	tu_hp(&r, "export", "--output", NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "option '--output' needs a FILE");
	tu_result_free(&r);
	tu_hp(&r, "verify", "--max-hive-size", NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "option '--max-hive-size' needs a SIZE (bytes, or "
	    "with K, M or G)");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

/* --max-hive-size takes bytes or K, M, G, from 1 to 2G; anything else is
 * a usage error naming what was given, for every command that takes it,
 * and nothing is written. */
START_TEST(test_max_hive_size_takes_a_size_up_to_2g)
{
	static const char *const bad[] = { "0", "3G", "2049M", "1.5G", "-1",
	    "1T", "12KB", "G", "" };
	static const char *const commands[] = { "apply", "verify", "import",
	    "recover", "inspect", "export" };
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1], want[64];
	struct tu_result r;
	size_t i, j;

	tu_sha256(hive, before);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (j = 0; j < sizeof(commands) / sizeof(commands[0]); j++) {
			tu_hp(&r, commands[j], "--max-hive-size", bad[i], hive,
			    NULL);
			ASSERT_STATUS(&r, 2);
			snprintf(want, sizeof(want), "from 1 to 2G (bytes, or "
			    "with K, M or G), not '%s'", bad[i]);
			ASSERT_ERR(&r, want);
			tu_result_free(&r);
		}
	tu_hp(&r, "verify", "--max-hive-size", "2G", hive, NULL);
	ASSERT_STATUS(&r, 1);
	tu_result_free(&r);
	tu_hp(&r, "verify", "--max-hive-size=8K", hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "over the limit of 8192 bytes for a hive");
	tu_result_free(&r);
	tu_hp(&r, "rollback", "--max-hive-size", "1G", hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unknown option '--max-hive-size'");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

/* Without --backup-dir, HOME or XDG_STATE_HOME there is no place for
 * backups: apply says how to give one (exit 2) and writes nothing; a
 * hive that needs no write needs none (exit 0). */
START_TEST(test_no_place_for_backups_is_said)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char *done = make_hive("software64-compliant", "SOFTWARE", 0);
	const char *const env[] = { "HOME=", "XDG_STATE_HOME=", NULL };
	const struct tu_run_opts opts = { .env_add = env };
	char before[SHA256_HEX_LEN + 1], done_before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_sha256(done, done_before);
	tu_hp_opts(&r, &opts, "apply", hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "no place for backups: set HOME or XDG_STATE_HOME, or "
	    "give --backup-dir");
	tu_result_free(&r);
	tu_hp_opts(&r, &opts, "apply", done, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "already compliant: nothing written");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ASSERT_HASH(done, done_before);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
}
END_TEST

/* A --backup-dir that is a file (or a path through one) is no place for
 * backups: every command that writes or reads them says so, naming it,
 * exits 2 and leaves the hive, its logs and the file as they were. */
START_TEST(test_backup_dir_that_is_a_file_is_named)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char *dirty = tu_pathf("%s/dirty/SOFTWARE", tu_scratch);
	char *file = tu_pathf("%s/not-a-dir", tu_scratch);
	char *below = tu_pathf("%s/below", file);
	char *reg = write_reg("x.reg", "Windows Registry Editor Version 5.00\n"
	    "\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n\"A\"=dword:00000001\n");
	char before[SHA256_HEX_LEN + 1], file_hash[SHA256_HEX_LEN + 1];
	const char *const runs[][6] = {
		{ "apply", "--backup-dir", file, hive },
		{ "apply", "--backup-dir", below, hive },
		{ "apply", "--json", "--backup-dir", file, hive },
		{ "import", "--backup-dir", file, reg, hive },
		{ "recover", "--backup-dir", file, dirty },
		{ "rollback", "--backup-dir", file, hive },
		{ "backups", "--backup-dir", file, hive },
		{ "backups", "--json", "--backup-dir", file, hive },
	};
	struct tu_hive_files dirty_files;
	struct json_object *j;
	struct tu_result r;
	size_t i;

	tu_mkdir_p(tu_dir_of(dirty));
	tu_mkdirty("new", hive, dirty, NULL);
	tu_hive_files_take(&dirty_files, dirty);
	tu_write_text(file, "not a directory\n");
	tu_sha256(file, file_hash);
	tu_sha256(hive, before);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		const char *argv[8] = { NULL };
		int json = strcmp(runs[i][1], "--json") == 0;

		memcpy(argv + 1, runs[i], sizeof(runs[i]));
		tu_hp_argv(&r, NULL, argv);
		ASSERT_STATUS(&r, 2);
		ASSERT_ERR(&r, tu_pathf("the backup directory %s is not a "
		    "directory", i == 1 ? below : file));
		if (json) {
			j = tu_parse_json(&r, strcmp(runs[i][0], "backups") == 0 ?
			    "hivepatch-backups/1" : "hivepatch-report/1");
			ck_assert_str_eq(tu_jstr(j, "reason"), "no-backup-dir");
			ASSERT_HAS(tu_jstr(j, "error"), "error", file);
			json_object_put(j);
		}
		tu_result_free(&r);
	}
	ASSERT_HASH(hive, before);
	ASSERT_HASH(file, file_hash);
	tu_assert_hive_files_unchanged(&dirty_files);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
}
END_TEST

/* A run fails in the order it works: its .reg files and profiles are
 * read before its target, so a bad one is named (exit 2) even when the
 * target is missing too; a bad profile name is never taken for a missing
 * backup directory; --json reports a target that cannot be read. */
START_TEST(test_failures_come_in_the_order_the_run_works)
{
	char *missing = tu_pathf("%s/no-such-image", tu_scratch);
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char *reg = write_reg("bad.reg", "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\"
	    "SOFTWARE\\X]\n\"a\"=dword:\n");
	char before[SHA256_HEX_LEN + 1];
	struct json_object *j;
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "import", "--backup-dir", tu_bk, reg, missing, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, reg);
	tu_result_free(&r);
	tu_hp(&r, "apply", "--profile", "nope", "--backup-dir", tu_bk, missing,
	    NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "unknown profile 'nope'");
	tu_result_free(&r);
	tu_hp(&r, "verify", "--profile", "../x", hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "'../x' is not a profile name");
	tu_result_free(&r);

	tu_hp(&r, "apply", "--json", "--backup-dir", tu_bk, missing, NULL);
	ASSERT_STATUS(&r, 4);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "reason"), "not-found");
	ck_assert_int_eq((int)json_object_array_length(tu_jget(j, "profiles")),
	    1);
	json_object_put(j);
	tu_result_free(&r);
	tu_hp(&r, "inspect", "--json", missing, NULL);
	ASSERT_STATUS(&r, 4);
	j = tu_parse_json(&r, "hivepatch-inspect/1");
	ck_assert_str_eq(tu_jstr(j, "reason"), "not-found");
	ASSERT_HAS(tu_jstr(j, "error"), "error", missing);
	json_object_put(j);
	tu_result_free(&r);

	/* An empty --backup-dir is a usage error, not the root. */
	tu_hp(&r, "apply", "--json", "--backup-dir", "", hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "option '--backup-dir' needs a directory DIR, not an "
	    "empty one");
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "reason"), "usage");
	json_object_put(j);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

START_TEST(test_help_and_version_exit_0)
{
	struct tu_result r;

	tu_hp(&r, "--help", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "Usage: hivepatch");
	ASSERT_OUT(&r, "rollback");
	tu_result_free(&r);
	tu_hp(&r, "-h", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "Usage: hivepatch");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--help", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "Usage: hivepatch");
	tu_result_free(&r);
	tu_hp(&r, "--version", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "hivepatch " PACKAGE_VERSION "\n");
	tu_result_free(&r);
	tu_hp(&r, "-V", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, PACKAGE_VERSION);
	tu_result_free(&r);
}
END_TEST

/* ---- damaged and foreign files ---- */

/* apply and verify both end in 4 naming the file and `problem`, and
 * change nothing. */
static void
assert_damaged(const char *hive, const char *problem)
{
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, problem);
	tu_result_free(&r);
	ASSERT_RUN(4, "apply", "--force", "--backup-dir", tu_bk, hive, NULL);
	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, hive);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
}

/* Reproducible noise. */
static void
fill_noise(unsigned char *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char)(seed >> 16);
	}
}

START_TEST(test_truncated_hive_is_an_io_error)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);

	ck_assert(truncate(hive, tu_file_size(hive) / 2) == 0);
	assert_damaged(hive, "truncated");
}
END_TEST

START_TEST(test_random_bytes_after_regf_signature_are_an_io_error)
{
	char *hive = tu_pathf("%s/SOFTWARE", tu_scratch);
	unsigned char buf[65536];

	memcpy(buf, "regf", 4);
	fill_noise(buf + 4, sizeof(buf) - 4, 42);
	tu_write_file(hive, buf, sizeof(buf));
	assert_damaged(hive, "hive");
}
END_TEST

START_TEST(test_good_base_block_over_garbage_bins_is_an_io_error)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	unsigned char *data;
	size_t len;

	data = tu_read_file(hive, &len);
	ck_assert(len > 4096);
	fill_noise(data + 4096, len - 4096, 7);
	tu_write_file(hive, data, len);
	free(data);
	assert_damaged(hive, "damaged hive");
}
END_TEST

START_TEST(test_text_file_is_not_a_hive)
{
	char *hive = tu_pathf("%s/SOFTWARE", tu_scratch);

	tu_write_text(hive, "This is not a registry hive.\nJust text.\n");
	assert_damaged(hive, "no 'regf' signature");
}
END_TEST

START_TEST(test_empty_file_is_not_a_hive)
{
	char *hive = tu_pathf("%s/SOFTWARE", tu_scratch);

	tu_write_file(hive, "", 0);
	assert_damaged(hive, "not a registry hive");
}
END_TEST

START_TEST(test_missing_target_is_an_io_error)
{
	struct tu_result r;
	char *nowhere = tu_pathf("%s/no-such-image", tu_scratch);

	tu_hp(&r, "apply", "--backup-dir", tu_bk, nowhere, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, nowhere);
	tu_result_free(&r);
	ASSERT_NO_BACKUP();
}
END_TEST

/* ---- hostile images ---- */

START_TEST(test_symlink_out_of_the_image_is_refused)
{
	char *root = tu_pathf("%s/img", tu_scratch);
	char *outside = tu_pathf("%s/outside", tu_scratch);
	char *outside_hive = tu_pathf("%s/config/SOFTWARE", outside);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_mkdir_p(tu_pathf("%s/Windows", root));
	tu_mkdir_p(tu_pathf("%s/config", outside));
	tu_mkhive("software64-net48", outside_hive, 0);
	ck_assert(symlink(outside, tu_pathf("%s/Windows/System32", root)) == 0);
	tu_sha256(outside_hive, before);

	tu_hp(&r, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "Windows/System32");
	ASSERT_ERR(&r, "symbolic link");
	tu_result_free(&r);
	ASSERT_RUN(3, "apply", "--force", "--backup-dir", tu_bk, root, NULL);
	ASSERT_RUN(3, "verify", root, NULL);
	ASSERT_HASH(outside_hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

START_TEST(test_hive_that_is_a_symlink_is_refused)
{
	char *root = tu_pathf("%s/img", tu_scratch);
	char *outside_hive = tu_pathf("%s/elsewhere-SOFTWARE", tu_scratch);
	char *link = tu_pathf("%s/Windows/System32/config/SOFTWARE", root);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_mkdir_p(tu_pathf("%s/Windows/System32/config", root));
	tu_mkhive("software64-net48", outside_hive, 0);
	ck_assert(symlink(outside_hive, link) == 0);
	tu_sha256(outside_hive, before);

	tu_hp(&r, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, link);
	ASSERT_ERR(&r, "symbolic link");
	tu_result_free(&r);
	/* A bare hive path that is a link: also refused. */
	tu_hp(&r, "apply", "--backup-dir", tu_bk, link, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "symbolic link");
	tu_result_free(&r);
	ASSERT_HASH(outside_hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

START_TEST(test_hive_that_is_a_directory_is_refused)
{
	char *root = tu_pathf("%s/img", tu_scratch);
	char *hive = tu_pathf("%s/Windows/System32/config/SOFTWARE", root);
	struct tu_result r;

	tu_mkdir_p(hive);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "is a directory");
	tu_result_free(&r);
	ASSERT_RUN(3, "apply", "--force", "--backup-dir", tu_bk, root, NULL);
	ASSERT_NO_BACKUP();
}
END_TEST

START_TEST(test_hive_that_is_a_fifo_is_refused)
{
	char *root = tu_pathf("%s/img", tu_scratch);
	char *hive = tu_pathf("%s/Windows/System32/config/SOFTWARE", root);
	char *bare = tu_pathf("%s/fifo", tu_scratch);
	struct tu_result r;

	tu_mkdir_p(tu_pathf("%s/Windows/System32/config", root));
	ck_assert(mkfifo(hive, 0644) == 0);
	ck_assert(mkfifo(bare, 0644) == 0);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "FIFO");
	tu_result_free(&r);
	tu_hp(&r, "verify", bare, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, bare);
	ASSERT_ERR(&r, "FIFO");
	tu_result_free(&r);
	ASSERT_RUN(3, "apply", "--force", "--backup-dir", tu_bk, bare, NULL);
	ASSERT_NO_BACKUP();
}
END_TEST

START_TEST(test_hive_over_2_gib_is_refused_without_reading_it)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	struct tu_result r;
	struct stat st;

	ck_assert(truncate(hive, (off_t)2 * 1024 * 1024 * 1024 + 4096) == 0);
	tu_stat(hive, &st);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "larger than a registry hive can be");
	tu_result_free(&r);
	tu_assert_untouched_since(hive, &st);
	ck_assert(tu_file_size(hive) == st.st_size);
	ASSERT_NO_BACKUP();
}
END_TEST

START_TEST(test_tree_is_found_in_any_letter_case)
{
	char *root = tu_make_tree("tree", "img");
	char *lower = tu_pathf("%s/windows/system32/CONFIG/software", root);
	struct tu_result r;

	ck_assert(rename(tu_pathf("%s/Windows/System32/config/SOFTWARE", root),
	    tu_pathf("%s/Windows/System32/config/software", root)) == 0);
	ck_assert(rename(tu_pathf("%s/Windows/System32/config", root),
	    tu_pathf("%s/Windows/System32/CONFIG", root)) == 0);
	ck_assert(rename(tu_pathf("%s/Windows/System32", root),
	    tu_pathf("%s/Windows/system32", root)) == 0);
	ck_assert(rename(tu_pathf("%s/Windows", root),
	    tu_pathf("%s/windows", root)) == 0);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, lower);
	tu_result_free(&r);
	tu_assert_dword(lower, NET64, SUC, 1);
	tu_assert_dword(lower, NET32, SUC, 1);
}
END_TEST

START_TEST(test_two_hives_differing_only_in_case_are_refused)
{
	char *root = tu_make_tree("tree", "img");
	char *a = tu_pathf("%s/Windows/System32/config/Software", root);
	char *b = tu_pathf("%s/Windows/System32/config/software", root);
	char ha[SHA256_HEX_LEN + 1], hb[SHA256_HEX_LEN + 1];
	struct tu_result r;

	ck_assert(rename(tu_tree_file(root, "SOFTWARE"), a) == 0);
	tu_copy_file(a, b);
	tu_sha256(a, ha);
	tu_sha256(b, hb);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "refusing to guess");
	tu_result_free(&r);
	ASSERT_HASH(a, ha);
	ASSERT_HASH(b, hb);
	ASSERT_NO_BACKUP();
}
END_TEST

/* ---- commit: failed writes, locks, mode and owner ---- */

/* A .reg file adding n REG_BINARY values Big0, Big1, ... of `size` bytes
 * each to HKLM\SOFTWARE\HivepatchTest. */
static char *
big_binary_reg(int n, size_t size)
{
	return tu_big_binary_reg("Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchTest]\n", n, size);
}

START_TEST(test_write_that_fails_part_way_leaves_the_original)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char *reg = tu_pathf("%s/big.reg", tu_scratch), *text;
	char before[SHA256_HEX_LEN + 1];
	struct tu_run_opts opts = { 0, NULL, NULL };
	struct tu_result r;
	unsigned char *data;
	hive_type t;
	size_t len;

	/* Over 256 KiB of data, in values small enough (16000 bytes) to live
	 * in plain cells. */
	text = big_binary_reg(17, 16000);
	tu_write_text(reg, text);
	free(text);
	tu_sha256(hive, before);
	/* The backup (the hive's size) fits, the grown hive does not. */
	opts.fsize_limit = (rlim_t)tu_file_size(hive) + 4096;
	tu_hp_opts(&r, &opts, "apply", "--reg", reg, "--backup-dir", tu_bk, hive,
	    NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "cannot write");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 0);
	ASSERT_NO_BACKUP();

	/* Without the limit the same import goes through. */
	ASSERT_RUN(0, "apply", "--reg", reg, "--backup-dir", tu_bk, hive, NULL);
	ck_assert(tu_file_size(hive) > (off_t)opts.fsize_limit);
	ck_assert(tu_hive_value(hive, "HivepatchTest", "Big16", &t, &data, &len));
	ck_assert_int_eq(t, hive_t_REG_BINARY);
	ck_assert_uint_eq(len, 16000);
	ck_assert(data[1] == 7 + 16);
	free(data);
	ck_assert(tu_regf_value(hive, "HivepatchTest", "Big16", "(REG_BINARY)",
	    "Data size: 16000\n") != 0);
}
END_TEST

/* Hives of format 1.4 and later (all of Windows XP on) keep data over
 * 16344 bytes in "big data" (db) records; Windows reads a plain cell of
 * that size as a db record.  A value that big must either be refused
 * with the hive untouched, or be written so that another reader (libregf)
 * reads it back; one of 16344 bytes is written. */
START_TEST(test_value_over_16344_bytes_is_refused_or_readable_by_libregf)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char *reg = tu_pathf("%s/big.reg", tu_scratch), *text;
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	text = big_binary_reg(1, 16345);
	tu_write_text(reg, text);
	free(text);
	tu_sha256(hive, before);
	tu_hp(&r, "import", "--backup-dir", tu_bk, reg, hive, NULL);
	if (r.status != 0) {
		ck_assert_msg(r.signaled == 0, "killed by signal %d", r.signaled);
		ASSERT_ERR(&r, reg);
		tu_result_free(&r);
		ASSERT_HASH(hive, before);
		ASSERT_NO_BACKUP();
	} else {
		tu_result_free(&r);
		ck_assert_msg(tu_regf_value(hive, "HivepatchTest", "Big0",
		    "(REG_BINARY", "Data size: 16345\n") != 0,
		    "hivepatch wrote a 16345-byte value that libregf cannot read "
		    "(no big data record in a regf 1.5 hive)");
	}

	/* 16344 bytes still fit in a plain cell: written, and readable. */
	text = big_binary_reg(1, 16344);
	tu_write_text(reg, text);
	free(text);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, reg, hive, NULL);
	ck_assert(tu_regf_value(hive, "HivepatchTest", "Big0", "(REG_BINARY)",
	    "Data size: 16344\n") != 0);
}
END_TEST

START_TEST(test_hive_locked_by_another_run_is_refused)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	int fd;

	tu_sha256(hive, before);
	fd = open(hive, O_RDONLY | O_CLOEXEC);
	ck_assert(fd != -1);
	ck_assert(flock(fd, LOCK_EX) == 0);

	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "another hivepatch run");
	tu_result_free(&r);
	/* No backup: nothing for rollback to take the lock for. */
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "no backup of this hive");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
	/* verify and --dry-run take no lock. */
	ASSERT_RUN(1, "verify", hive, NULL);
	ASSERT_RUN(0, "apply", "--dry-run", "--backup-dir", tu_bk, hive, NULL);

	close(fd);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	tu_assert_net4(hive);

	/* With a backup to put back, rollback waits for no one either. */
	tu_sha256(hive, before);
	fd = open(hive, O_RDONLY | O_CLOEXEC);
	ck_assert(fd != -1 && flock(fd, LOCK_EX) == 0);
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "another hivepatch run");
	tu_result_free(&r);
	close(fd);
	ASSERT_HASH(hive, before);
}
END_TEST

START_TEST(test_two_applies_at_once_one_writes_the_other_waits_its_turn)
{
	const char *argv[] = { NULL, "apply", "--backup-dir", NULL, NULL, NULL };
	int round;

	argv[0] = tu_env_required("HIVEPATCH");
	argv[3] = tu_bk;
	for (round = 0; round < 5; round++) {
		char *hive = tu_pathf("%s/round%d/SOFTWARE", tu_scratch, round);
		struct tu_proc p[2];
		struct tu_result r[2], v;
		int i, zeros = 0;

		tu_mkdir_p(tu_dir_of(hive));
		tu_mkhive("software64-net48", hive, 0);
		argv[4] = hive;
		tu_spawn(argv, NULL, &p[0]);
		tu_spawn(argv, NULL, &p[1]);
		tu_wait(&p[0], &r[0]);
		tu_wait(&p[1], &r[1]);
		for (i = 0; i < 2; i++) {
			ck_assert_msg(r[i].status == 0 || r[i].status == 3,
			    "run %d exited %d:\n%s%s", i, r[i].status, r[i].out,
			    r[i].err);
			if (r[i].status == 0)
				zeros++;
			else
				ck_assert_msg(strstr(r[i].err, "another hivepatch run") ||
				    strstr(r[i].err, "replaced while we waited"),
				    "refusal without the lock message: %s", r[i].err);
			tu_result_free(&r[i]);
		}
		ck_assert_int_ge(zeros, 1);
		tu_hp(&v, "verify", hive, NULL);
		ASSERT_STATUS(&v, 0);
		tu_result_free(&v);
		tu_assert_net4(hive);
		ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
	}
	/* Exactly one write per hive. */
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 5);
}
END_TEST

START_TEST(test_mode_and_owner_of_the_hive_are_kept)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	int root = geteuid() == 0;
	struct stat st;

	ck_assert(chmod(hive, 0640) == 0);
	if (root)
		ck_assert(chown(hive, 65534, 65534) == 0);
	else
		fprintf(stderr, "SKIP: not root: owner preservation not checked\n");
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	tu_stat(hive, &st);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	if (root) {
		ck_assert_uint_eq(st.st_uid, 65534);
		ck_assert_uint_eq(st.st_gid, 65534);
	}
	tu_assert_dword(hive, NET64, SUC, 1);

	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, hive, NULL);
	tu_stat(hive, &st);
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	if (root) {
		ck_assert_uint_eq(st.st_uid, 65534);
		ck_assert_uint_eq(st.st_gid, 65534);
	}
}
END_TEST

/* ---- JSON ---- */

/* Checks every set_value change: status, and before/after. */
static int
check_value_changes(struct json_object *j, const char *status,
		    int before_dword, int after_dword)
{
	struct json_object *changes = tu_jget(j, "changes");
	size_t i, n;
	int seen = 0;

	ck_assert(changes != NULL && json_object_is_type(changes, json_type_array));
	n = json_object_array_length(changes);
	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(changes, i);

		if (strcmp(tu_jstr(c, "op"), "set_value") != 0)
			continue;
		seen++;
		ck_assert_str_eq(tu_jstr(c, "name"), SUC);
		ck_assert_str_eq(tu_jstr(c, "status"), status);
		ck_assert(strstr(tu_jstr(c, "key"), "HKLM\\SOFTWARE\\") == tu_jstr(c, "key"));
		ck_assert(strstr(tu_jstr(c, "source"), "net4-tls12.reg") != NULL);
		ck_assert_int_gt(json_object_get_int(tu_jget(c, "line")), 0);
		ck_assert(tu_jnull(c, "reason"));
		if (before_dword < 0) {
			ck_assert(tu_jnull(c, "before"));
		} else {
			ck_assert_str_eq(tu_jstr(c, "before.type"), "REG_DWORD");
			ck_assert_int_eq(json_object_get_int(tu_jget(c, "before.data")),
			    before_dword);
		}
		ck_assert_str_eq(tu_jstr(c, "after.type"), "REG_DWORD");
		ck_assert_int_eq(json_object_get_int(tu_jget(c, "after.data")),
		    after_dword);
	}
	return seen;
}

START_TEST(test_json_apply_report)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char before[SHA256_HEX_LEN + 1], after[SHA256_HEX_LEN + 1];
	struct json_object *j;
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--json", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	tu_sha256(hive, after);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "command"), "apply");
	ck_assert_str_eq(tu_jstr(j, "target"), root);
	ck_assert_str_eq(tu_jstr(j, "hive.path"), hive);
	ck_assert(!json_object_get_boolean(tu_jget(j, "hive.dirty")));
	ck_assert_str_eq(tu_jstr(j, "hive.sha256_before"), before);
	ck_assert_str_eq(tu_jstr(j, "hive.sha256_after"), after);
	ck_assert_str_eq(tu_jstr(j, "image.arch"), "64-bit");
	ck_assert_str_eq(tu_jstr(j, "image.dotnet4.version"), "4.8");
	ck_assert_int_eq(json_object_get_int(tu_jget(j, "image.dotnet4.release")),
	    528040);
	ck_assert(!json_object_get_boolean(tu_jget(j, "dry_run")));
	ck_assert_int_eq(check_value_changes(j, "added", -1, 1), 2);
	ck_assert(strstr(tu_jstr(j, "backup"), tu_bk) == tu_jstr(j, "backup"));
	ck_assert(strstr(tu_jstr(j, "result"), "written") != NULL);
	ck_assert(tu_jnull(j, "error"));
	ck_assert(tu_jnull(j, "reason"));
	ck_assert_int_eq((int)json_object_array_length(tu_jget(j, "warnings")), 0);
	ck_assert(json_object_is_type(tu_jget(j, "profiles"), json_type_array));
	ck_assert_int_eq((int)json_object_array_length(tu_jget(j, "profiles")), 1);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(
	    tu_jget(j, "profiles"), 0)), "net4-tls12");
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_net4(hive);
}
END_TEST

START_TEST(test_json_reports_a_changed_value_with_its_old_data)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char *reg = write_reg("zero.reg", "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319]\n"
	    "\"SchUseStrongCrypto\"=dword:00000000\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319]\n"
	    "\"SchUseStrongCrypto\"=dword:00000000\n");
	struct json_object *j;
	struct tu_result r;

	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, reg, hive, NULL);
	tu_assert_dword(hive, NET64, SUC, 0);

	tu_hp(&r, "verify", "--json", hive, NULL);
	ASSERT_STATUS(&r, 1);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_int_eq(check_value_changes(j, "different", 0, 1), 2);
	json_object_put(j);
	tu_result_free(&r);

	tu_hp(&r, "apply", "--json", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_int_eq(check_value_changes(j, "changed", 0, 1), 2);
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_net4(hive);
}
END_TEST

START_TEST(test_json_verify_report)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	struct json_object *j;
	struct tu_result r;

	tu_hp(&r, "verify", "--json", root, NULL);
	ASSERT_STATUS(&r, 1);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "command"), "verify");
	ck_assert_int_eq(check_value_changes(j, "missing", -1, 1), 2);
	ck_assert(tu_jnull(tu_jget(j, "hive"), "sha256_after"));
	ck_assert(tu_jnull(j, "backup"));
	json_object_put(j);
	tu_result_free(&r);

	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	tu_assert_net4(hive);

	tu_hp(&r, "verify", "--json", root, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "command"), "verify");
	ck_assert_str_eq(tu_jstr(j, "hive.path"), hive);
	ck_assert_str_eq(tu_jstr(j, "image.dotnet4.version"), "4.8");
	ck_assert_int_eq(check_value_changes(j, "ok", 1, 1), 2);
	ck_assert_str_eq(tu_jstr(j, "result"), "compliant");
	ck_assert(tu_jnull(j, "error"));
	ck_assert(tu_jnull(j, "reason"));
	json_object_put(j);
	tu_result_free(&r);
}
END_TEST

START_TEST(test_json_failed_run_still_prints_a_report)
{
	char *hive = make_hive("system", "SYSTEM", 0);
	char *nowhere = tu_pathf("%s/no-such-image", tu_scratch);
	char *reg = write_reg("bad.reg", "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n"
	    "\"a\"=dword:\n");
	char before[SHA256_HEX_LEN + 1];
	struct json_object *j;
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--json", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "not a SOFTWARE hive");
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "command"), "apply");
	ck_assert_str_eq(tu_jstr(j, "hive.path"), hive);
	ck_assert(strstr(tu_jstr(j, "error"), "not a SOFTWARE hive") != NULL);
	ck_assert_str_eq(tu_jstr(j, "reason"), "wrong-kind");
	ck_assert(tu_jnull(j, "result"));
	ck_assert(tu_jnull(j, "backup"));
	ck_assert_int_eq((int)json_object_array_length(tu_jget(j, "changes")), 0);
	json_object_put(j);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);

	/* The target cannot be resolved: hive is null. */
	tu_hp(&r, "apply", "--json", "--backup-dir", tu_bk, nowhere, NULL);
	ASSERT_STATUS(&r, 4);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert(tu_jnull(j, "hive"));
	ck_assert(tu_jnull(j, "image"));
	ck_assert(strstr(tu_jstr(j, "error"), nowhere) != NULL);
	ck_assert_str_eq(tu_jstr(j, "reason"), "not-found");
	json_object_put(j);
	tu_result_free(&r);

	/* A .reg file that does not parse. */
	tu_hp(&r, "import", "--json", "--backup-dir", tu_bk, reg, hive, NULL);
	ASSERT_STATUS(&r, 2);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "command"), "import");
	ck_assert(strstr(tu_jstr(j, "error"), reg) != NULL);
	ck_assert_str_eq(tu_jstr(j, "reason"), "bad-reg");
	json_object_put(j);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ASSERT_NO_BACKUP();
}
END_TEST

/* Each kind of failure carries its own stable reason code in the JSON
 * reports, beside the exit status it belongs to, and writes nothing. */
static void
assert_reason(const char *schema, int status, const char *reason, ...)
{
	const char *argv[16] = { NULL };
	struct json_object *j;
	struct tu_result r;
	va_list ap;
	size_t n = 1;

	va_start(ap, reason);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	tu_hp_argv(&r, NULL, argv);
	ASSERT_STATUS(&r, status);
	j = tu_parse_json(&r, schema);
	ck_assert_msg(strcmp(tu_jstr(j, "reason"), reason) == 0,
	    "reason %s, expected %s\n%s", tu_jstr(j, "reason"), reason, r.out);
	ASSERT_ERR(&r, tu_jstr(j, "error"));
	json_object_put(j);
	tu_result_free(&r);
}

START_TEST(test_json_reason_codes)
{
	char *dirty = make_hive("software64-net48", "SOFTWARE", 1);
	char *system = tu_pathf("%s/SYSTEM", tu_scratch);
	char *net40 = tu_pathf("%s/NET40", tu_scratch);
	char *link = tu_pathf("%s/link", tu_scratch);
	char *ntuser = tu_pathf("%s/NTUSER.DAT", tu_scratch);
	char d[SHA256_HEX_LEN + 1], s[SHA256_HEX_LEN + 1];
	char n[SHA256_HEX_LEN + 1];

	tu_mkhive("system", system, 0);
	tu_mkhive("ntuser", ntuser, 0);
	tu_mkhive("software64-net40", net40, 0);
	ck_assert(symlink(net40, link) == 0);
	tu_sha256(dirty, d);
	tu_sha256(system, s);
	tu_sha256(net40, n);
	assert_reason("hivepatch-report/1", 3, "dirty-unrecoverable", "apply",
	    "--json", "--backup-dir", tu_bk, dirty, NULL);
	assert_reason("hivepatch-report/1", 3, "dirty-no-recover", "apply",
	    "--json", "--no-recover", "--backup-dir", tu_bk, dirty, NULL);
	assert_reason("hivepatch-report/1", 3, "net-missing", "apply",
	    "--json", "--backup-dir", tu_bk, net40, NULL);
	assert_reason("hivepatch-report/1", 3, "symlink", "apply", "--json",
	    "--backup-dir", tu_bk, link, NULL);
	assert_reason("hivepatch-report/1", 3, "wrong-kind", "verify", "--json",
	    system, NULL);
	assert_reason("hivepatch-report/1", 2, "unknown-profile", "verify",
	    "--json", "--profile", "no-such-profile", net40, NULL);
	assert_reason("hivepatch-inspect/1", 3, "dirty-unrecoverable",
	    "inspect", "--json", dirty, NULL);
	assert_reason("hivepatch-inspect/1", 3, "wrong-kind", "inspect",
	    "--json", ntuser, NULL);
	ASSERT_HASH(dirty, d);
	ASSERT_HASH(system, s);
	ASSERT_HASH(net40, n);
	ASSERT_NO_BACKUP();
}
END_TEST

/* ---- import and export ---- */

/* UTF-8 (BMP only) to UTF-16LE; *len gets the byte count.  With nul, a
 * terminating NUL is added, as a REG_SZ holds it. */
static unsigned char *
utf16le(const char *s, size_t *len, int nul)
{
	unsigned char *out = malloc(strlen(s) * 2 + 4);
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	ck_assert(out != NULL);
	while (*p) {
		unsigned c;

		if (*p < 0x80) {
			c = *p++;
		} else if ((*p & 0xe0) == 0xc0) {
			c = (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else {
			c = (unsigned)(p[0] & 0x0f) << 12 |
			    (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			p += 3;
		}
		out[n++] = (unsigned char)(c & 0xff);
		out[n++] = (unsigned char)(c >> 8);
	}
	if (nul) {
		out[n++] = 0;
		out[n++] = 0;
	}
	*len = n;
	return out;
}

/* A value read with hivex has exactly this type and these bytes. */
static void
assert_value_bytes(const char *hive, const char *key, const char *name,
		   hive_type type, const void *want, size_t want_len)
{
	unsigned char *data;
	hive_type t;
	size_t len;

	ck_assert_msg(tu_hive_value(hive, key, name, &t, &data, &len),
	    "%s: no value '%s' in %s", hive, name, key);
	ck_assert_msg(t == type, "%s\\%s: type %d, expected %d", key, name,
	    (int)t, (int)type);
	ck_assert_msg(len == want_len && memcmp(data, want, len) == 0,
	    "%s\\%s: %zu bytes, not the %zu expected", key, name, len, want_len);
	free(data);
}

static void
assert_string_value(const char *hive, const char *key, const char *name,
		    hive_type type, const char *utf8)
{
	unsigned char *want;
	size_t len;

	want = utf16le(utf8, &len, 1);
	assert_value_bytes(hive, key, name, type, want, len);
	free(want);
}

#define TYPES_KEY "HivepatchTest\\Types"

/* Imports a regedit-style UTF-16LE .reg (BOM, CRLF) with every kind of
 * data, a value delete and a key delete, into `hive`. */
static void
import_utf16_types(const char *hive)
{
	static const char setup_reg[] = "Windows Registry Editor Version 5.00\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchTest\\Types]\n"
	    "\"Gone\"=\"delete me\"\n"
	    "\"Kept\"=\"still here\"\n\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchTest\\Doomed\\Child]\n"
	    "\"x\"=dword:00000001\n";
	static const char *const lines[] = {
		"Windows Registry Editor Version 5.00",
		"",
		"[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchTest\\Types]",
		"@=\"default value\"",
		"\"Sz\"=\"Gr\xc3\xbc\xc3\x9f" "e \\\"quoted\\\" C:\\\\path\"",
		"\"Expand\"=hex(2):25,00,50,00,41,00,54,00,48,00,25,00,00,00",
		"\"Multi\"=hex(7):61,00,00,00,62,00,63,00,00,00,00,00",
		"\"Qword\"=hex(b):08,07,06,05,04,03,02,01",
		"\"Bin\"=hex:de,ad,\\",
		"  be,ef",
		"\"Dword\"=dword:deadbeef",
		"\"Gone\"=-",
		"",
		"[-HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchTest\\Doomed]",
		"",
	};
	char *reg = tu_pathf("%s/types-utf16.reg", tu_scratch);
	char *setup_path = write_reg("types-setup.reg", setup_reg);
	unsigned char *bytes, *u;
	size_t n = 2, i, len;
	struct tu_result r;

	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, setup_path, hive, NULL);
	ck_assert(tu_hive_key_exists(hive, "HivepatchTest\\Doomed\\Child"));

	bytes = malloc(8192);
	ck_assert(bytes != NULL);
	bytes[0] = 0xff;
	bytes[1] = 0xfe;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		u = utf16le(lines[i], &len, 0);
		ck_assert(n + len + 4 <= 8192);
		memcpy(bytes + n, u, len);
		n += len;
		memcpy(bytes + n, "\r\0\n\0", 4);
		n += 4;
		free(u);
	}
	tu_write_file(reg, bytes, n);
	free(bytes);

	tu_hp(&r, "import", "--backup-dir", tu_bk, reg, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, "  deleted "), 2);
	tu_result_free(&r);

	ASSERT_RUN(0, "verify", "--reg", reg, hive, NULL);
}

START_TEST(test_import_utf16_reg_with_every_type_reads_back_exactly)
{
	static const unsigned char expand[] = { 0x25, 0, 0x50, 0, 0x41, 0, 0x54,
	    0, 0x48, 0, 0x25, 0, 0, 0 };
	static const unsigned char multi[] = { 0x61, 0, 0, 0, 0x62, 0, 0x63, 0,
	    0, 0, 0, 0 };
	static const unsigned char qword[] = { 8, 7, 6, 5, 4, 3, 2, 1 };
	static const unsigned char bin[] = { 0xde, 0xad, 0xbe, 0xef };
	static const unsigned char dword[] = { 0xef, 0xbe, 0xad, 0xde };
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);

	import_utf16_types(hive);
	assert_string_value(hive, TYPES_KEY, "", hive_t_REG_SZ, "default value");
	assert_string_value(hive, TYPES_KEY, "Sz", hive_t_REG_SZ,
	    "Gr\xc3\xbc\xc3\x9f" "e \"quoted\" C:\\path");
	assert_value_bytes(hive, TYPES_KEY, "Expand", hive_t_REG_EXPAND_SZ,
	    expand, sizeof(expand));
	assert_value_bytes(hive, TYPES_KEY, "Multi", hive_t_REG_MULTI_SZ,
	    multi, sizeof(multi));
	assert_value_bytes(hive, TYPES_KEY, "Qword", hive_t_REG_QWORD, qword,
	    sizeof(qword));
	assert_value_bytes(hive, TYPES_KEY, "Bin", hive_t_REG_BINARY, bin,
	    sizeof(bin));
	assert_value_bytes(hive, TYPES_KEY, "Dword", hive_t_REG_DWORD, dword,
	    sizeof(dword));
	assert_no_value(hive, TYPES_KEY, "Gone");
	assert_string_value(hive, TYPES_KEY, "Kept", hive_t_REG_SZ, "still here");
	assert_key(hive, "HivepatchTest\\Doomed", 0);
	assert_key(hive, TYPES_KEY, 1);

	/* The same, as libregf reads it. */
	ck_assert(tu_regf_value(hive, TYPES_KEY, "", "(REG_SZ)",
	    "Data: default value\n") != 0);
	ck_assert(tu_regf_value(hive, TYPES_KEY, "Sz", "(REG_SZ)",
	    "Data: Gr\xc3\xbc\xc3\x9f" "e \"quoted\" C:\\path\n") != 0);
	ck_assert(tu_regf_value(hive, TYPES_KEY, "Expand", "(REG_EXPAND_SZ)",
	    "Data: %PATH%\n") != 0);
	ck_assert(tu_regf_value(hive, TYPES_KEY, "Multi", "(REG_MULTI_SZ)",
	    "61 00 00 00 62 00 63 00  00 00 00 00") != 0);
	ck_assert(tu_regf_value(hive, TYPES_KEY, "Qword", "(REG_QWORD",
	    "Data: 72623859790382856\n") != 0);
	ck_assert(tu_regf_value(hive, TYPES_KEY, "Bin", "(REG_BINARY)",
	    "de ad be ef") != 0);
	ck_assert(tu_regf_value(hive, TYPES_KEY, "Dword", "(REG_DWORD",
	    "Data: 3735928559\n") != 0);
}
END_TEST

START_TEST(test_export_prints_the_key_as_reg)
{
	char *root = tu_make_tree("tree", "img");
	char *hive = tu_tree_file(root, "SOFTWARE");
	char *out = tu_pathf("%s/net.reg", tu_scratch);
	char before[SHA256_HEX_LEN + 1];
	unsigned char *text;
	struct tu_result r;

	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	tu_assert_net4(hive);
	tu_sha256(hive, before);

	tu_hp(&r, "export", root, "HKLM\\SOFTWARE\\Microsoft\\.NETFramework", NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out,
	    "Windows Registry Editor Version 5.00"), 1);
	ck_assert_int_eq(tu_count_lines(r.out,
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework]"), 1);
	ck_assert_int_eq(tu_count_lines(r.out,
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319]"), 1);
	ck_assert_int_eq(tu_count_lines(r.out,
	    "\"SchUseStrongCrypto\"=dword:00000001"), 1);
	ASSERT_LACKS(r.out, "stdout", "Wow6432Node");
	ASSERT_LACKS(r.out, "stdout", "\r");
	tu_result_free(&r);

	tu_hp(&r, "export", "--output", out, root,
	    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319",
	    NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_uint_eq(r.out_len, 0);
	tu_result_free(&r);
	text = tu_read_file(out, NULL);
	ASSERT_HAS((char *)text, out, "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\"
	    "Microsoft\\.NETFramework\\v4.0.30319]\n");
	ASSERT_HAS((char *)text, out, "\"SchUseStrongCrypto\"=dword:00000001\n");
	free(text);
	ASSERT_HASH(hive, before);
}
END_TEST

/* Two keys hold the same values (names, types, bytes) and subkeys, all
 * the way down. */
static void
assert_same_subtree(hive_h *a, hive_node_h na, hive_h *b, hive_node_h nb,
		    const char *where)
{
	hive_value_h *va = hivex_node_values(a, na);
	hive_node_h *ka = hivex_node_children(a, na);
	size_t i;

	ck_assert(va != NULL && ka != NULL);
	for (i = 0; va[i] != 0; i++) {
		char *name = hivex_value_key(a, va[i]), *da, *db;
		hive_value_h vb = hivex_node_get_value(b, nb, name);
		hive_type ta, tb;
		size_t la, lb;

		ck_assert_msg(vb != 0, "%s: value '%s' lost", where, name);
		da = hivex_value_value(a, va[i], &ta, &la);
		db = hivex_value_value(b, vb, &tb, &lb);
		ck_assert_msg(ta == tb && la == lb && memcmp(da, db, la) == 0,
		    "%s: value '%s' differs", where, name);
		free(da);
		free(db);
		free(name);
	}
	ck_assert_uint_eq(hivex_node_nr_values(a, na), hivex_node_nr_values(b, nb));
	for (i = 0; ka[i] != 0; i++) {
		char *name = hivex_node_name(a, ka[i]);
		hive_node_h kb = hivex_node_get_child(b, nb, name);
		char *sub = tu_strf("%s\\%s", where, name);

		ck_assert_msg(kb != 0, "%s: subkey lost", sub);
		assert_same_subtree(a, ka[i], b, kb, sub);
		free(sub);
		free(name);
	}
	ck_assert_uint_eq(hivex_node_nr_children(a, na),
	    hivex_node_nr_children(b, nb));
	free(va);
	free(ka);
}

START_TEST(test_export_utf16_reimports_to_the_same_values)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char *fresh = make_hive("software64-half", "SOFTWARE", 0);
	char *exported = tu_pathf("%s/export-utf16.reg", tu_scratch);
	unsigned char *bytes;
	hive_h *a, *b;
	hive_node_h na, nb;
	size_t len;

	import_utf16_types(hive);
	ASSERT_RUN(0, "export", "--utf16", "--output", exported, hive,
	    "HKLM\\SOFTWARE\\HivepatchTest", NULL);
	bytes = tu_read_file(exported, &len);
	ck_assert_msg(len > 4 && bytes[0] == 0xff && bytes[1] == 0xfe,
	    "%s does not start with the UTF-16LE byte order mark", exported);
	ck_assert_msg(memmem(bytes, len, "\r\0\n\0", 4) != NULL,
	    "%s has no CRLF line ends", exported);
	free(bytes);

	ck_assert(!tu_hive_key_exists(fresh, "HivepatchTest"));
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, exported, fresh, NULL);

	a = hivex_open(hive, 0);
	b = hivex_open(fresh, 0);
	ck_assert(a != NULL && b != NULL);
	na = hivex_node_get_child(a, hivex_root(a), "HivepatchTest");
	nb = hivex_node_get_child(b, hivex_root(b), "HivepatchTest");
	ck_assert(na != 0 && nb != 0);
	assert_same_subtree(a, na, b, nb, "HivepatchTest");
	hivex_close(a);
	hivex_close(b);
	ck_assert(tu_regf_value(fresh, TYPES_KEY, "Dword", "(REG_DWORD",
	    "Data: 3735928559\n") != 0);

	/* And the original already holds everything the export says. */
	ASSERT_RUN(0, "verify", "--reg", exported, hive, NULL);
}
END_TEST

START_TEST(test_export_of_a_missing_key_exits_1)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	struct tu_result r;

	tu_hp(&r, "export", hive, "HKLM\\SOFTWARE\\No\\Such\\Key", NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "no key");
	ck_assert_uint_eq(r.out_len, 0);
	tu_result_free(&r);
	/* HKEY_CURRENT_USER is a user's hive file's, not this one's; a
	 * root export does not read is a usage error. */
	tu_hp(&r, "export", hive, "HKCU\\Software", NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "not a NTUSER.DAT hive");
	ASSERT_ERR(&r, "so it holds no key of HKEY_CURRENT_USER");
	tu_result_free(&r);
	ASSERT_RUN(2, "export", hive, "HKCC\\System", NULL);
}
END_TEST

/* export --output naming the hive it reads must not destroy the hive. */
START_TEST(test_export_output_onto_the_hive_itself_leaves_it_intact)
{
	char *hive = make_hive("software64-net48", "SOFTWARE", 0);
	char *alias = tu_pathf("%s/alias", tu_scratch);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "export", "--output", hive, hive, "HKLM\\SOFTWARE\\Microsoft",
	    NULL);
	ck_assert_msg(r.signaled == 0, "hivepatch killed by signal %d",
	    r.signaled);
	ck_assert_msg(r.status != 0, "export over its own hive succeeded");
	ASSERT_ERR(&r, hive);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);

	/* The same file under another name (a hard link). */
	ck_assert(link(hive, alias) == 0);
	tu_hp(&r, "export", "--output", alias, hive, "HKLM\\SOFTWARE\\Microsoft",
	    NULL);
	ck_assert_msg(r.signaled == 0, "hivepatch killed by signal %d",
	    r.signaled);
	ck_assert_msg(r.status != 0, "export over its own hive succeeded");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
}
END_TEST

/* ---- the suite ---- */

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc;

	tc = tu_tcase(s, "apply");
	tcase_add_test(tc, test_apply_tree_sets_both_views_and_keeps_a_backup);
	tcase_add_test(tc, test_apply_backup_full_keeps_a_whole_copy);
	tcase_add_test(tc, test_backups_are_the_owner_s_alone);
	tcase_add_test(tc, test_verify_says_missing_before_apply_and_compliant_after);
	tcase_add_test(tc, test_dry_run_reports_but_writes_nothing);
	tcase_add_test(tc, test_second_apply_is_already_compliant_and_writes_nothing);
	tcase_add_test(tc, test_profiles_lists_both_profiles);
	tcase_add_test(tc, test_sysdefault_profile_writes_four_values);
	tcase_add_test(tc, test_profile_given_twice_writes_once);
	tcase_add_test(tc, test_32bit_image_skips_wow6432node_and_never_creates_it);
	tcase_add_test(tc, test_half_compliant_image_gets_only_the_missing_view);
	tcase_add_test(tc, test_missing_parent_keys_are_created);

	tc = tu_tcase(s, "refusals");
	tcase_add_test(tc, test_the_root_keys_decide_the_kind_not_the_header_name);
	tcase_add_loop_test(tc,
	    test_not_a_software_hive_is_refused_force_or_not, 0,
	    (int)(sizeof(other_kinds) / sizeof(other_kinds[0])));
	tcase_add_test(tc, test_verify_refusal_does_not_suggest_an_option_verify_rejects);
	tcase_add_loop_test(tc,
	    test_image_without_dotnet45_is_refused_verify_warns_force_writes, 0,
	    (int)(sizeof(no_dotnet45_kinds) / sizeof(no_dotnet45_kinds[0])));
	tcase_add_test(tc,
	    test_no_recover_refuses_a_dirty_hive_even_with_force_and_verify_warns);
	tcase_add_test(tc, test_dirty_hive_with_empty_logs_is_refused);

	tc = tu_tcase(s, "rollback");
	tcase_add_test(tc, test_rollback_restores_the_original_bytes);
	tcase_add_test(tc, test_rollback_refuses_a_hive_changed_since_until_forced);
	tcase_add_test(tc, test_rollback_of_pages_over_a_changed_hive_is_refused_even_forced);
	tcase_add_test(tc, test_rollback_after_a_move_walks_back_run_by_run);
	tcase_add_test(tc, test_rollback_without_a_backup_is_refused);
	tcase_add_test(tc, test_rollback_by_bare_hive_path_finds_the_tree_backup);
	tcase_add_test(tc, test_rollback_ignores_a_backup_without_manifest);
	tcase_add_test(tc, test_rollback_refuses_a_damaged_backup_copy);
	tcase_add_test(tc, test_rollback_refuses_a_manifest_of_the_wrong_types);
	tcase_add_test(tc, test_rollback_leaves_the_tree_s_other_hives_alone);

	tc = tu_tcase(s, "usage");
	tcase_add_test(tc, test_bad_reg_syntax_names_file_and_line_and_writes_nothing);
	tcase_add_test(tc, test_reg_key_outside_hklm_software_is_a_usage_error);
	tcase_add_test(tc, test_unknown_profile_is_a_usage_error);
	tcase_add_test(tc, test_usage_errors_exit_2);
	tcase_add_test(tc, test_option_of_another_command_is_named_not_its_value);
	tcase_add_test(tc, test_option_without_its_value_says_what_it_needs);
	tcase_add_test(tc, test_max_hive_size_takes_a_size_up_to_2g);
	tcase_add_test(tc, test_no_place_for_backups_is_said);
	tcase_add_test(tc, test_backup_dir_that_is_a_file_is_named);
	tcase_add_test(tc, test_failures_come_in_the_order_the_run_works);
	tcase_add_test(tc, test_help_and_version_exit_0);

	tc = tu_tcase(s, "damaged");
	tcase_add_test(tc, test_truncated_hive_is_an_io_error);
	tcase_add_test(tc, test_random_bytes_after_regf_signature_are_an_io_error);
	tcase_add_test(tc, test_good_base_block_over_garbage_bins_is_an_io_error);
	tcase_add_test(tc, test_text_file_is_not_a_hive);
	tcase_add_test(tc, test_empty_file_is_not_a_hive);
	tcase_add_test(tc, test_missing_target_is_an_io_error);

	tc = tu_tcase(s, "hostile");
	tcase_add_test(tc, test_symlink_out_of_the_image_is_refused);
	tcase_add_test(tc, test_hive_that_is_a_symlink_is_refused);
	tcase_add_test(tc, test_hive_that_is_a_directory_is_refused);
	tcase_add_test(tc, test_hive_that_is_a_fifo_is_refused);
	tcase_add_test(tc, test_hive_over_2_gib_is_refused_without_reading_it);
	tcase_add_test(tc, test_tree_is_found_in_any_letter_case);
	tcase_add_test(tc, test_two_hives_differing_only_in_case_are_refused);

	tc = tu_tcase(s, "commit");
	tcase_add_test(tc, test_write_that_fails_part_way_leaves_the_original);
	tcase_add_test(tc, test_value_over_16344_bytes_is_refused_or_readable_by_libregf);
	tcase_add_test(tc, test_hive_locked_by_another_run_is_refused);
	tcase_add_test(tc, test_two_applies_at_once_one_writes_the_other_waits_its_turn);
	tcase_add_test(tc, test_mode_and_owner_of_the_hive_are_kept);

	tc = tu_tcase(s, "json");
	tcase_add_test(tc, test_json_apply_report);
	tcase_add_test(tc, test_json_reports_a_changed_value_with_its_old_data);
	tcase_add_test(tc, test_json_verify_report);
	tcase_add_test(tc, test_json_failed_run_still_prints_a_report);
	tcase_add_test(tc, test_json_reason_codes);

	tc = tu_tcase(s, "regfile");
	tcase_add_test(tc, test_import_utf16_reg_with_every_type_reads_back_exactly);
	tcase_add_test(tc, test_export_prints_the_key_as_reg);
	tcase_add_test(tc, test_export_utf16_reimports_to_the_same_values);
	tcase_add_test(tc, test_export_of_a_missing_key_exits_1);
	tcase_add_test(tc, test_export_output_onto_the_hive_itself_leaves_it_intact);
	return s;
}

int
main(void)
{
	return tu_run_suite(cli_suite(), "hivepatch-test-cli");
}
