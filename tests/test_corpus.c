/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hivepatch on hives that real Windows systems wrote (and damaged ones),
 * from the corpus named by HIVEPATCH_CORPUS: the command line on them,
 * the log replay (lib/logreplay.c) and recover on its dirty hives, both
 * compared with the hives Windows recovered itself.  Skipped (exit 77)
 * without it: every test that needs the corpus lives here, so that none
 * passes without it.  The corpus is only ever read: each test copies
 * what it needs into its scratch directory (the replay reads it in
 * place), and the corpus files' hashes are compared before and after the
 * whole suite. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

#define SKIP_STATUS 77
#define MAX_CORPUS_FILES 256

static const char *corpus;

/* Every corpus file's path and hash, taken before any test runs. */
static struct {
	char *path;
	char hash[SHA256_HEX_LEN + 1];
} corpus_files[MAX_CORPUS_FILES];
static size_t n_corpus_files;

/* Copies corpus/REL into the scratch directory under its own name, made
 * writable (the corpus files are read-only), and returns the copy. */
static char *
copy_in(const char *rel)
{
	const char *base = strrchr(rel, '/');
	char *src = tu_pathf("%s/%s", corpus, rel);
	char *dst = tu_pathf("%s/%s", tu_scratch, base ? base + 1 : rel);

	ck_assert_msg(access(src, R_OK) == 0, "corpus file %s: %s", src,
	    strerror(errno));
	tu_copy_file(src, dst);
	ck_assert(chmod(dst, 0644) == 0);
	return dst;
}

/* Nothing was left behind: no backup, no temporary file. */
static void
assert_no_trace(const char *dir)
{
	ck_assert_msg(tu_count_files(tu_bk) == 0, "files were left under %s", tu_bk);
	ck_assert_int_eq(tu_count_temp_files(dir), 0);
}

/* ---- real hives of other kinds ---- */

/* What apply and verify say.  The corpus README calls Amcache.hve clean,
 * but its base block's sequence numbers are 41 and 40: it is dirty, with
 * no log beside it to recover it from, and that refusal (made before the
 * hive is opened) comes first, for verify too. */
static const struct {
	const char *file, *says;
} other_kinds[] = {
	{ "real/NTUSER.DAT", "not a SOFTWARE hive" },
	{ "real/Amcache.hve", "has no transaction log" },
	{ "real/SYSTEM-win10", "not a SOFTWARE hive" },
};

START_TEST(test_real_hive_of_another_kind_is_refused_byte_identical)
{
	char *hive = copy_in(other_kinds[_i].file);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, other_kinds[_i].says);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);

	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, other_kinds[_i].says);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	assert_no_trace(tu_scratch);
}
END_TEST

static const char *const forced_kinds[] = {
	"real/SYSTEM-win10",
	"real/NTUSER.DAT",
};

/* SOFTWARE keys never go into a hive whose root keys make it another
 * kind, --force or not (the real NTUSER.DAT's header names it
 * 'ntuser.dat', and its content agrees). */
START_TEST(test_forced_software_profile_is_refused_on_another_kind)
{
	char *hive = copy_in(forced_kinds[_i]);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--force", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "not a SOFTWARE hive (its root keys make it a");
	ASSERT_LACKS(r.err, "stderr", "--force");
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 0);
	ck_assert_int_eq(tu_count_temp_files(tu_scratch), 0);
}
END_TEST

/* ---- the real SYSTEM hive ---- */

#define TLS12_UNDER "\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2"

/* The control set SYSTEM\Select Current names, read with hivex. */
static unsigned
select_current(const char *hive)
{
	unsigned char *data;
	hive_type t;
	size_t len;
	unsigned current;

	ck_assert_msg(tu_hive_value(hive, "Select", "Current", &t, &data, &len),
	    "%s: no Select\\Current", hive);
	ck_assert_int_eq(t, hive_t_REG_DWORD);
	ck_assert_uint_eq(len, 4);
	current = le32((const unsigned char *)data);
	free(data);
	ck_assert_msg(current >= 1 && current <= 999, "Select\\Current is %u",
	    current);
	return current;
}

/* schannel-tls12 on a copy of a real Windows 10 SYSTEM hive lands in the
 * control set Select names, and only there; libregf reads it back, with
 * every key and value the hive held before. */
START_TEST(test_schannel_on_real_system_lands_in_the_selected_control_set)
{
	char *hive = copy_in("real/SYSTEM-win10");
	char *before_text = tu_regfexport(hive), *after_text, *lost;
	unsigned current = select_current(hive), other;
	char *cs = tu_pathf("ControlSet%03u", current);
	char *client = tu_pathf("%s" TLS12_UNDER "\\Client", cs);
	char *server = tu_pathf("%s" TLS12_UNDER "\\Server", cs);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--profile", "schannel-tls12", "--backup-dir", tu_bk,
	    hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, tu_pathf("(CurrentControlSet is %s)", cs));
	ck_assert_int_eq(tu_count_lines(r.out, tu_pathf("  added     "
	    "HKLM\\SYSTEM\\%s" TLS12_UNDER "\\", cs)), 6);
	ASSERT_OUT(&r, "6 changes written and verified from disk");
	tu_result_free(&r);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);
	ck_assert_int_eq(tu_count_temp_files(tu_scratch), 0);

	ck_assert(tu_hive_dword_is(hive, client, "Enabled", 1));
	ck_assert(tu_hive_dword_is(hive, client, "DisabledByDefault", 0));
	ck_assert(tu_hive_dword_is(hive, server, "Enabled", 1));
	ck_assert(tu_hive_dword_is(hive, server, "DisabledByDefault", 0));
	/* The other control sets (this hive has two) are left alone. */
	for (other = 1; other <= 3; other++)
		if (other != current)
			ck_assert_msg(!tu_hive_key_exists(hive, tu_pathf(
			    "ControlSet%03u" TLS12_UNDER, other)),
			    "TLS 1.2 key written into ControlSet%03u too", other);

	ASSERT_RUN(0, "verify", "--profile", "schannel-tls12", hive, NULL);

	if (before_text == NULL)
		return;
	/* One regfexport run (seconds on 12 MB) for all the checks. */
	after_text = tu_regfexport(hive);
	ck_assert(tu_regf_text_value(after_text, client, "Enabled",
	    "(REG_DWORD", "Data: 1\n"));
	ck_assert(tu_regf_text_value(after_text, client, "DisabledByDefault",
	    "(REG_DWORD", "Data: 0\n"));
	ck_assert(tu_regf_text_value(after_text, server, "Enabled",
	    "(REG_DWORD", "Data: 1\n"));
	ck_assert(tu_regf_text_value(after_text, server, "DisabledByDefault",
	    "(REG_DWORD", "Data: 0\n"));
	for (other = 1; other <= 3; other++)
		if (other != current)
			ck_assert(!tu_regf_text_key_exists(after_text, tu_pathf(
			    "ControlSet%03u" TLS12_UNDER, other)));
	lost = tu_first_lost_line(before_text, after_text);
	ck_assert_msg(lost == NULL, "%s: after the apply regfexport no longer "
	    "shows: %s", hive, lost ? lost : "");
	free(before_text);
	free(after_text);
}
END_TEST

/* inspect on the real SYSTEM hive alone: it reads, explains, and writes
 * nothing, even with the file read-only. */
START_TEST(test_inspect_on_real_system_alone_writes_nothing)
{
	char *hive = copy_in("real/SYSTEM-win10");
	char *cs = tu_pathf("ControlSet%03u", select_current(hive));
	char before[SHA256_HEX_LEN + 1];
	struct json_object *j, *v;
	struct tu_result r;
	struct stat st, now;
	int files = tu_count_files(tu_scratch);

	ck_assert(chmod(hive, 0444) == 0);
	tu_sha256(hive, before);
	ck_assert(stat(hive, &st) == 0);

	tu_hp(&r, "inspect", hive, NULL);
	/* No SOFTWARE hive: auto cannot choose, so not "ready". */
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, tu_pathf("SYSTEM    %s (CurrentControlSet is %s)", hive,
	    cs));
	ASSERT_OUT(&r, tu_pathf("  HKLM\\SYSTEM\\%s" TLS12_UNDER "\\Client  "
	    "Enabled = absent  [schannel-tls12]", cs));
	ASSERT_OUT(&r, "  schannel-tls12         not compliant");
	ASSERT_OUT(&r, "not applicable (no SOFTWARE hive in the target)");
	ck_assert_msg(*r.err == '\0', "stderr: %s", r.err);
	tu_result_free(&r);

	tu_hp(&r, "inspect", "--json", hive, NULL);
	ASSERT_STATUS(&r, 1);
	j = json_tokener_parse(r.out);
	ck_assert_msg(j != NULL, "not JSON:\n%s", r.out);
	ck_assert(json_object_object_get_ex(j, "schema", &v));
	ck_assert_str_eq(json_object_get_string(v), "hivepatch-inspect/1");
	ck_assert(json_object_object_get_ex(j, "hives", &v));
	ck_assert_int_eq((int)json_object_array_length(v), 1);
	v = json_object_array_get_idx(v, 0);
	ck_assert(json_object_object_get_ex(v, "kind", &v));
	ck_assert_str_eq(json_object_get_string(v), "SYSTEM");
	ck_assert(json_object_object_get_ex(j, "ready", &v));
	ck_assert(!json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(j, "exit_status", &v));
	ck_assert_int_eq(json_object_get_int(v), 1);
	json_object_put(j);
	tu_result_free(&r);

	ASSERT_HASH(hive, before);
	ck_assert(stat(hive, &now) == 0);
	ck_assert(now.st_ino == st.st_ino);
	ck_assert(tu_same_time(now.st_mtim, st.st_mtim));
	ck_assert_int_eq(tu_count_files(tu_scratch), files);
	assert_no_trace(tu_scratch);
}
END_TEST

/* ---- damaged hives ---- */

static const char *const bad_hives[] = {
	"bad/TruncatedHive", "bad/GarbageHive",
};

START_TEST(test_damaged_hive_is_an_io_error_byte_identical)
{
	char *hive = copy_in(bad_hives[_i]);
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(hive, before);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, hive);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);

	ASSERT_RUN(4, "apply", "--force", "--backup-dir", tu_bk, hive, NULL);

	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, hive);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);
	assert_no_trace(tu_scratch);
}
END_TEST

/* ---- dirty hives ---- */

static const struct {
	const char *dir, *hive;
	const char *logs[3];	/* NULL-ended */
	const char *windows;	/* the hive Windows recovered, or NULL */
} dirty_hives[] = {
	{ "dirty/newformat-yarp", "NewDirtyHive",
	  { "NewDirtyHive.LOG1", "NewDirtyHive.LOG2", NULL },
	  "NewDirtyHive.recovered-by-windows10" },
	{ "dirty/oldformat-yarp", "OldDirtyHive",
	  { "OldDirtyHive.LOG1", NULL, NULL },
	  "OldDirtyHive.recovered-by-windows7" },
	{ "dirty/usrclass-win10", "UsrClass.dat",
	  { "UsrClass.dat.LOG1", "UsrClass.dat.LOG2", NULL }, NULL },
};

/* apply --no-recover keeps the refusal of a dirty hive, --force or not,
 * naming the logs; verify --no-recover reads the primary file.  Plain
 * apply reads through the logs and then refuses these hives, none of
 * which is a SOFTWARE hive (recover on them is below).  Nothing is ever
 * written. */
START_TEST(test_real_dirty_hive_no_recover_is_refused_even_with_force)
{
	char *hive = copy_in(tu_pathf("%s/%s", dirty_hives[_i].dir,
	    dirty_hives[_i].hive));
	char before[SHA256_HEX_LEN + 1];
	char log_hash[3][SHA256_HEX_LEN + 1];
	char *logs[3] = { NULL, NULL, NULL };
	struct tu_result r;
	size_t i;

	tu_sha256(hive, before);
	for (i = 0; dirty_hives[_i].logs[i] != NULL; i++) {
		logs[i] = copy_in(tu_pathf("%s/%s", dirty_hives[_i].dir,
		    dirty_hives[_i].logs[i]));
		tu_sha256(logs[i], log_hash[i]);
	}

	tu_hp(&r, "apply", "--no-recover", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "dirty");
	for (i = 0; logs[i] != NULL; i++)
		ASSERT_ERR(&r, logs[i]);
	tu_result_free(&r);
	ASSERT_HASH(hive, before);

	tu_hp(&r, "apply", "--no-recover", "--force", "--backup-dir", tu_bk,
	    hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "dirty");
	tu_result_free(&r);

	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	tu_result_free(&r);

	/* verify never writes, through the logs or not. */
	tu_hp(&r, "verify", "--no-recover", hive, NULL);
	ck_assert_msg(r.status == 1 || r.status == 3,
	    "verify --no-recover exited %d:\n%s%s", r.status, r.out, r.err);
	tu_result_free(&r);
	tu_hp(&r, "verify", hive, NULL);
	ck_assert_msg(r.status == 1 || r.status == 3,
	    "verify exited %d:\n%s%s", r.status, r.out, r.err);
	tu_result_free(&r);

	ASSERT_HASH(hive, before);
	for (i = 0; logs[i] != NULL; i++)
		ASSERT_HASH(logs[i], log_hash[i]);
	assert_no_trace(tu_scratch);
}
END_TEST

/* ---- the log replay: Windows' own results ---- */

/* Replays CORPUS/sub/name with the logs given, with the log replay itself
 * (not through hivepatch), and writes the image into the scratch
 * directory (the corpus is only read). */
static void
corpus_replay(struct tu_replay *r, const char *sub, const char *name,
	      const char *log1, const char *log2)
{
	char *hive, *l1, *l2 = NULL, *copy;

	hive = tu_strf("%s/%s/%s", corpus, sub, name);
	l1 = tu_strf("%s/%s/%s", corpus, sub, log1);
	if (log2 != NULL)
		l2 = tu_strf("%s/%s/%s", corpus, sub, log2);
	memset(r, 0, sizeof(*r));
	tu_replay_files(r, hive, (char *[]){ l1, l2 }, l2 != NULL ? 2 : 1);
	ck_assert_msg(r->rc == 0, "%s: %s", hive, r->e.msg);
	ck_assert(regf_checksum_ok(r->img));
	copy = tu_strf("%s/%s.replayed", tu_scratch, name);
	tu_write_file(copy, r->img, r->len);
	r->out = copy;
	free(hive);
	free(l1);
	free(l2);
}

START_TEST(test_corpus_newformat)
{
	struct tu_replay r;
	char *windows;

	corpus_replay(&r, "dirty/newformat-yarp", "NewDirtyHive",
	    "NewDirtyHive.LOG1", "NewDirtyHive.LOG2");
	ck_assert_int_eq(r.rep.dirty, 1);
	ck_assert_int_eq(r.rep.format, HP_LOG_NEW);
	ck_assert_uint_eq(r.rep.n_logs_used, 2);
	ck_assert_uint_eq(r.rep.entries_applied, 4);
	ck_assert_uint_eq(r.rep.seq_before_primary, 3);
	ck_assert_uint_eq(r.rep.seq_before_secondary, 2);
	ck_assert_uint_eq(r.rep.seq_after, 5);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	windows = tu_strf("%s/dirty/newformat-yarp/"
	    "NewDirtyHive.recovered-by-windows10", corpus);
	tu_assert_same_hive(r.out, windows);
	free(windows);
	windows = tu_strf("%s/dirty/newformat-yarp/NewDirtyHive", corpus);
	tu_assert_hives_differ(r.out, windows);
	free(windows);
	tu_replay_free(&r);
}
END_TEST

START_TEST(test_corpus_oldformat)
{
	struct tu_replay r;
	char *windows;

	corpus_replay(&r, "dirty/oldformat-yarp", "OldDirtyHive",
	    "OldDirtyHive.LOG1", NULL);
	ck_assert_int_eq(r.rep.format, HP_LOG_OLD);
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_uint_gt(r.rep.pages_applied, 0);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	windows = tu_strf("%s/dirty/oldformat-yarp/"
	    "OldDirtyHive.recovered-by-windows7", corpus);
	tu_assert_same_hive(r.out, windows);
	free(windows);
	windows = tu_strf("%s/dirty/oldformat-yarp/OldDirtyHive", corpus);
	tu_assert_hives_differ(r.out, windows);
	free(windows);
	tu_replay_free(&r);
}
END_TEST

START_TEST(test_corpus_usrclass)
{
	struct tu_replay r;
	struct tu_hive_count c;
	char *text;

	corpus_replay(&r, "dirty/usrclass-win10", "UsrClass.dat",
	    "UsrClass.dat.LOG1", "UsrClass.dat.LOG2");
	ck_assert_int_eq(r.rep.format, HP_LOG_NEW);
	ck_assert_uint_eq(r.rep.n_logs_used, 2);
	ck_assert_uint_eq(r.rep.entries_applied, 14);
	ck_assert_uint_eq(r.rep.seq_after, 300);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	text = tu_dump_hive(r.out, &c);
	ck_assert_uint_gt(c.keys, 1000);
	free(text);
	tu_replay_free(&r);
}
END_TEST

/* ---- recover: Windows' own results ---- */

/* Copies the hive and its logs into a scratch directory, writable (the
 * corpus is only read), and returns the copy of the hive. */
static char *
copy_corpus_hive(int i)
{
	char *dir = tu_pathf("%s/corpus", tu_scratch);
	char *hive = tu_pathf("%s/%s", dir, dirty_hives[i].hive);
	size_t k;

	tu_mkdir_p(dir);
	tu_copy_file(tu_pathf("%s/%s/%s", corpus, dirty_hives[i].dir,
	    dirty_hives[i].hive), hive);
	ck_assert(chmod(hive, 0644) == 0);
	for (k = 0; dirty_hives[i].logs[k] != NULL; k++) {
		char *log = tu_pathf("%s/%s", dir, dirty_hives[i].logs[k]);

		tu_copy_file(tu_pathf("%s/%s/%s", corpus, dirty_hives[i].dir,
		    dirty_hives[i].logs[k]), log);
		ck_assert(chmod(log, 0644) == 0);
	}
	return hive;
}

START_TEST(test_corpus_recover_equals_what_windows_recovered)
{
	struct tu_hive_count count;
	struct tu_hive_files before;
	struct tu_result r;
	char *hive, *text;

	hive = copy_corpus_hive(_i);
	tu_hive_files_take(&before, hive);
	tu_hp(&r, "recover", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);
	tu_assert_recovered_and_logs_reset(&before);

	if (dirty_hives[_i].windows != NULL) {
		tu_assert_same_hive(hive, tu_pathf("%s/%s/%s", corpus,
		    dirty_hives[_i].dir, dirty_hives[_i].windows));
	} else {
		/* No oracle: it recovers and walks cleanly, whole. */
		text = tu_dump_hive(hive, &count);
		ck_assert_uint_gt(count.keys, 1000);
		free(text);
	}
}
END_TEST

/* Patching a real dirty hive keeps everything Windows recovers from its
 * logs (for UsrClass.dat, which has no such oracle, what recover gives),
 * plus the change.  The hives whose kind nothing tells take a SOFTWARE
 * key on --force; UsrClass.dat, whose root keys make it one, a key of
 * HKEY_CURRENT_USER\Software\Classes. */
START_TEST(test_corpus_import_into_a_dirty_hive_loses_nothing)
{
	char *hive, *oracle, *reg = tu_pathf("%s/change.reg", tu_scratch);
	int classes = strcmp(dirty_hives[_i].hive, "UsrClass.dat") == 0;
	struct tu_hive_files before;
	struct tu_result r;

	hive = copy_corpus_hive(_i);
	if (dirty_hives[_i].windows != NULL) {
		oracle = tu_pathf("%s/%s/%s", corpus, dirty_hives[_i].dir,
		    dirty_hives[_i].windows);
	} else {
		ASSERT_RUN(0, "recover", "--backup-dir", tu_bk, hive, NULL);
		oracle = tu_pathf("%s/oracle", tu_scratch);
		ck_assert(rename(hive, oracle) == 0);
		hive = copy_corpus_hive(_i);
	}
	tu_write_text(reg, tu_pathf("Windows Registry Editor Version 5.00\r\n"
	    "\r\n[%s\\HivepatchCorpus]\r\n\"Added\"=dword:00000001\r\n",
	    classes ? "HKEY_CURRENT_USER\\Software\\Classes" :
	    "HKEY_LOCAL_MACHINE\\SOFTWARE"));
	tu_hive_files_take(&before, hive);
	tu_hp(&r, "import", "--force", "--backup-dir", tu_bk, reg, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);
	tu_assert_recovered_and_logs_reset(&before);
	ck_assert(tu_hive_dword_is(hive, "HivepatchCorpus", "Added", 1));
	tu_assert_hive_keeps(hive, oracle);
}
END_TEST

/* ---- the corpus itself ---- */

static int
hash_corpus_file(const char *path, const struct stat *st, int type,
		 struct FTW *ftw)
{
	struct hp_err e = { 0 };
	int fd;

	(void)st;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	if (n_corpus_files == MAX_CORPUS_FILES) {
		fprintf(stderr, "more than %d corpus files\n", MAX_CORPUS_FILES);
		return -1;
	}
	corpus_files[n_corpus_files].path = strdup(path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (corpus_files[n_corpus_files].path == NULL || fd == -1 ||
	    sha256_fd(fd, path, corpus_files[n_corpus_files].hash, &e) == -1) {
		if (fd != -1)
			close(fd);
		fprintf(stderr, "%s: %s\n", path, e.msg);
		return -1;
	}
	close(fd);
	n_corpus_files++;
	return 0;
}

/* Runs last: no test changed a corpus file. */
START_TEST(test_corpus_files_are_unchanged_after_the_suite)
{
	size_t i;

	ck_assert_uint_gt(n_corpus_files, 0);
	for (i = 0; i < n_corpus_files; i++)
		ASSERT_HASH(corpus_files[i].path, corpus_files[i].hash);
}
END_TEST

static Suite *
corpus_suite(void)
{
	Suite *s = suite_create("corpus");
	TCase *tc;

	tc = tcase_create("real");
	tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
	tcase_add_loop_test(tc,
	    test_real_hive_of_another_kind_is_refused_byte_identical, 0,
	    (int)(sizeof(other_kinds) / sizeof(other_kinds[0])));
	tcase_add_loop_test(tc,
	    test_forced_software_profile_is_refused_on_another_kind, 0,
	    (int)(sizeof(forced_kinds) / sizeof(forced_kinds[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("system");
	tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
	tcase_add_test(tc,
	    test_schannel_on_real_system_lands_in_the_selected_control_set);
	tcase_add_test(tc, test_inspect_on_real_system_alone_writes_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad");
	tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
	tcase_add_loop_test(tc, test_damaged_hive_is_an_io_error_byte_identical,
	    0, (int)(sizeof(bad_hives) / sizeof(bad_hives[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("dirty");
	tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
	tcase_add_loop_test(tc,
	    test_real_dirty_hive_no_recover_is_refused_even_with_force, 0,
	    (int)(sizeof(dirty_hives) / sizeof(dirty_hives[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("replay");
	tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_corpus_newformat);
	tcase_add_test(tc, test_corpus_oldformat);
	tcase_add_test(tc, test_corpus_usrclass);
	suite_add_tcase(s, tc);

	tc = tcase_create("recover");
	tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_corpus_recover_equals_what_windows_recovered,
	    0, (int)(sizeof(dirty_hives) / sizeof(dirty_hives[0])));
	tcase_add_loop_test(tc, test_corpus_import_into_a_dirty_hive_loses_nothing,
	    0, (int)(sizeof(dirty_hives) / sizeof(dirty_hives[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("untouched");
	tcase_add_test(tc, test_corpus_files_are_unchanged_after_the_suite);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	struct stat st;
	size_t i;
	int status;

	corpus = getenv("HIVEPATCH_CORPUS");
	if (corpus == NULL || *corpus == '\0' || stat(corpus, &st) == -1 ||
	    !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "SKIP: HIVEPATCH_CORPUS not set; corpus tests "
		    "not run\n");
		return SKIP_STATUS;
	}
	if (nftw(corpus, hash_corpus_file, 16, FTW_PHYS) != 0) {
		fprintf(stderr, "cannot hash the corpus under %s\n", corpus);
		return 99;
	}
	status = tu_run_suite(corpus_suite(), "hivepatch-test-corpus");
	for (i = 0; i < n_corpus_files; i++)
		free(corpus_files[i].path);
	return status;
}
