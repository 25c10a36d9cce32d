/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hivepatch on dirty hives, as a user meets it: `recover`, and apply,
 * verify, inspect and rollback on a hive whose last changes live only in
 * its transaction logs.
 *
 * Fixtures: a clean hive from $MKHIVE, made dirty by $MKDIRTY
 * (hives/mkdirty.c): three sets of changes written as logs beside a stale
 * primary, with the hive as replaying must leave it (OUT.expected, and
 * OUT.expected.K after the first K log entries).  A recovered hive is
 * compared with it by walking both with hivex, never by bytes.  "Nothing
 * written" is checked on the hive and on every log beside it, by hash.
 *
 * The shared corpus's dirty hives, recovered and compared with the hives
 * Windows recovered itself, are tested in test_corpus.c. */
#include "config.h"

#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>
#include <stdarg.h>
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

/* ---- fixtures ---- */

/* tu_scratch/clean-KIND, made by mkhive the first time it is asked for. */
static char *
clean_hive(const char *kind)
{
	char *path = tu_pathf("%s/clean-%s", tu_scratch, kind);

	if (access(path, F_OK) != 0)
		tu_mkhive(kind, path, 0);
	return path;
}

/* tu_scratch/DIR/FILE in a directory of its own (mkdirty's outputs and
 * the logs go beside it). */
static char *
hive_in(const char *dir, const char *file)
{
	char *d = tu_pathf("%s/%s", tu_scratch, dir);

	tu_mkdir_p(d);
	return tu_pathf("%s/%s", d, file);
}

/* OUT made dirty by mkdirty MODE from a clean KIND hive, with the
 * mkdirty options that follow (NULL-ended).  Returns OUT. */
static char *
make_dirty(const char *kind, const char *mode, char *out, ...)
	__attribute__((sentinel));

static char *
make_dirty(const char *kind, const char *mode, char *out, ...)
{
	va_list ap;

	va_start(ap, out);
	tu_mkdirty_va(mode, clean_hive(kind), out, ap);
	va_end(ap);
	return out;
}

/* The dirty SOFTWARE fixture most tests use: tu_scratch/DIR/SOFTWARE. */
static char *
dirty_software(const char *dir, const char *mode)
{
	return make_dirty("software64-net48", mode, hive_in(dir, "SOFTWARE"),
	    NULL);
}

/* What replaying the first k entries gives (k 0: all of them). */
static char *
expected(const char *hive, int k)
{
	return k ? tu_pathf("%s.expected.%d", hive, k) :
	    tu_pathf("%s.expected", hive);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A --truncate-log length that cuts a log inside what it holds, taken
 * from an unbroken fixture of the same mode (mkdirty is deterministic):
 * new, 1000 bytes into the second entry of SOFTWARE.LOG1 (the first
 * entry stays whole); old, 100 bytes short of the last dirty page's
 * start (some pages are whole, the last ones are not). */
static const char *
cut_inside(const char *mode)
{
	char *good = make_dirty("software64-net48", mode,
	    hive_in("uncut", "SOFTWARE"), NULL);
	char *log1 = tu_pathf("%s.LOG1", good);

	if (strcmp(mode, "new") == 0)
		return tu_pathf("%zu", tu_log_entry_offset(log1, 2) + 1000);
	return tu_pathf("%lld", (long long)tu_file_size(log1) - 4096 - 100);
}

/* Nothing was left behind: no backup, no temporary file. */
static void
assert_no_trace(const char *hive)
{
	ck_assert_msg(tu_count_files(tu_bk) == 0, "files were left under the "
	    "backup dir %s", tu_bk);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
}

/* The changes mkdirty made to software64-net48, one value or key from
 * each of its three log entries, read back with hivex (and the removals
 * of the second entry). */
static void
assert_logged_changes(const char *hive)
{
	ck_assert_msg(tu_hive_key_exists(hive, "MkDirty\\Alpha"),
	    "%s: MkDirty\\Alpha (first log entry) is missing", hive);
	ck_assert_msg(tu_hive_dword_is(hive, "MkDirty\\Alpha", "Count", 2),
	    "%s: MkDirty\\Alpha Count is not 2 (second log entry)", hive);
	ck_assert_msg(!tu_hive_key_exists(hive, "MkDirty\\Beta"),
	    "%s: MkDirty\\Beta, deleted by the second log entry, is there",
	    hive);
	ck_assert_msg(tu_hive_key_exists(hive, "MkDirty\\Big"),
	    "%s: MkDirty\\Big (third log entry) is missing", hive);
}

/* A line of standard output or error holds "warning:" and `what`. */
static int
has_warning_naming(const struct tu_result *r, const char *what)
{
	const char *texts[2] = { r->out, r->err };
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *p = texts[i];

		while (p != NULL && *p != '\0') {
			size_t len = strcspn(p, "\n");
			char *line = strndup(p, len);
			int hit;

			ck_assert(line != NULL);
			hit = strstr(line, "warning:") != NULL &&
			    strstr(line, what) != NULL;
			free(line);
			if (hit)
				return 1;
			p += len + (p[len] == '\n');
		}
	}
	return 0;
}

/* ---- JSON ---- */

/* hives[i] of a report. */
static struct json_object *
hive_report(struct json_object *j, size_t i)
{
	struct json_object *hives = tu_jarray(j, "hives");

	ck_assert_msg(i < json_object_array_length(hives), "no hives[%zu] in "
	    "%s", i, json_object_to_json_string(j));
	return json_object_array_get_idx(hives, i);
}

/* hives[i].recovery of a report. */
static struct json_object *
recovery_of(struct json_object *j, size_t i)
{
	struct json_object *rec = tu_jget(hive_report(j, i), "recovery");

	ck_assert_msg(rec != NULL && json_object_is_type(rec, json_type_object),
	    "hives[%zu].recovery is not an object: %s", i,
	    json_object_to_json_string(hive_report(j, i)));
	return rec;
}

/* The array member holds, in this order, files whose last path component
 * is that of want[0..n-1] (the report may give names or paths). */
static void
assert_file_list(struct json_object *rec, const char *member,
		 const char *const *want, size_t n)
{
	struct json_object *a = tu_jarray(rec, member);
	size_t i;

	ck_assert_msg(json_object_array_length(a) == n, "%s has %zu files, "
	    "expected %zu: %s", member, json_object_array_length(a), n,
	    json_object_to_json_string(a));
	for (i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(a, i);

		ck_assert_msg(json_object_is_type(v, json_type_string),
		    "%s[%zu] is not a string", member, i);
		ck_assert_str_eq(base_name(json_object_get_string(v)),
		    base_name(want[i]));
	}
}

/* The same, in any order. */
static void
assert_file_set(struct json_object *rec, const char *member,
		const char *const *want, size_t n)
{
	struct json_object *a = tu_jarray(rec, member);
	size_t i, k;

	ck_assert_msg(json_object_array_length(a) == n, "%s has %zu files, "
	    "expected %zu: %s", member, json_object_array_length(a), n,
	    json_object_to_json_string(a));
	for (i = 0; i < n; i++) {
		for (k = 0; k < n; k++) {
			struct json_object *v = json_object_array_get_idx(a, k);

			if (json_object_is_type(v, json_type_string) &&
			    strcmp(base_name(json_object_get_string(v)),
			    base_name(want[i])) == 0)
				break;
		}
		ck_assert_msg(k < n, "%s lacks %s: %s", member, want[i],
		    json_object_to_json_string(a));
	}
}

/* sequence_before is [primary, secondary]. */
static void
assert_sequence_before(struct json_object *rec, long long primary,
		       long long secondary)
{
	struct json_object *a = tu_jarray(rec, "sequence_before");

	ck_assert_int_eq(json_object_array_length(a), 2);
	ck_assert_int_eq(json_object_get_int64(json_object_array_get_idx(a, 0)),
	    primary);
	ck_assert_int_eq(json_object_get_int64(json_object_array_get_idx(a, 1)),
	    secondary);
}

/* ---- recover ---- */

START_TEST(test_recover_on_a_clean_hive_writes_nothing)
{
	char *hive = hive_in("clean", "SOFTWARE");
	struct tu_hive_files before;
	struct json_object *j, *rec;
	struct timespec mtime;
	struct tu_result r;

	tu_mkhive("software64-net48", hive, 0);
	tu_hive_files_take(&before, hive);
	mtime = tu_mtime(hive);
	tu_hp(&r, "recover", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, hive);
	ASSERT_OUT(&r, "clean");
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	ck_assert(tu_same_time(tu_mtime(hive), mtime));
	assert_no_trace(hive);

	tu_hp(&r, "recover", "--json", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "command"), "recover");
	rec = recovery_of(j, 0);
	ck_assert_str_eq(tu_jstr(rec, "state"), "clean");
	ck_assert(!tu_jbool(rec, "replayed"));
	ck_assert(tu_jnull(rec, "format"));
	assert_file_list(rec, "logs_used", NULL, 0);
	assert_file_list(rec, "logs_reset", NULL, 0);
	ck_assert_int_eq(tu_jint(rec, "entries_applied"), 0);
	assert_sequence_before(rec, 2, 2);
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	ck_assert(tu_same_time(tu_mtime(hive), mtime));
	assert_no_trace(hive);
}
END_TEST

static const char *const modes[] = { "new", "old" };

START_TEST(test_recover_replays_good_logs_commits_and_resets_them)
{
	char *hive = dirty_software("d", modes[_i]);
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_assert_hives_differ(hive, expected(hive, 0));
	tu_hp(&r, "recover", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, hive);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);

	tu_assert_same_hive(hive, expected(hive, 0));
	tu_assert_recovered_and_logs_reset(&before);
	ck_assert_int_ge(tu_count_backups(tu_bk, NULL), 1);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
	/* libregf reads what was written too. */
	ck_assert(tu_regf_key_exists(hive, "MkDirty\\Big") != 0);

	/* Now clean: a second run has nothing to do. */
	tu_hive_files_take(&before, hive);
	tu_hp(&r, "recover", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "clean");
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
}
END_TEST

START_TEST(test_recover_json_reports_the_replay)
{
	const char *mode = modes[_i];
	int is_new = strcmp(mode, "new") == 0;
	char *hive = dirty_software("d", mode);
	const char *logs[2] = { tu_pathf("%s.LOG1", hive),
	    tu_pathf("%s.LOG2", hive) };
	size_t n_logs = is_new ? 2 : 1;
	struct json_object *j, *rec;
	struct tu_hive_files before;
	struct tu_result r;
	uint32_t seq;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "recover", "--json", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(j, "command"), "recover");
	ck_assert_str_eq(tu_jstr(hive_report(j, 0), "path"), hive);
	rec = recovery_of(j, 0);
	ck_assert_str_eq(tu_jstr(rec, "state"), "dirty");
	ck_assert(tu_jbool(rec, "replayed"));
	ck_assert_str_eq(tu_jstr(rec, "format"), mode);
	assert_file_list(rec, "logs_used", logs, n_logs);
	if (is_new) {
		ck_assert_int_eq(tu_jint(rec, "entries_applied"), 3);
		ck_assert_int_ge(tu_jint(rec, "pages_applied"), 3);
	} else {
		ck_assert_int_eq(tu_jint(rec, "entries_applied"), 0);
		ck_assert_int_gt(tu_jint(rec, "pages_applied"), 0);
	}
	/* mkhive writes 2 and 2; mkdirty makes the primary 3. */
	assert_sequence_before(rec, 3, 2);
	ck_assert(!tu_jbool(rec, "base_block_recovered"));
	ck_assert(!tu_jbool(rec, "stopped_early"));
	ck_assert(tu_jnull(rec, "stop_reason"));
	assert_file_set(rec, "logs_reset", logs, n_logs);
	tu_result_free(&r);

	tu_assert_same_hive(hive, expected(hive, 0));
	seq = tu_assert_recovered_and_logs_reset(&before);
	/* "after" is what the hive on disk now says. */
	ck_assert_int_eq(tu_jint(rec, "sequence_after"), seq);
	json_object_put(j);
}
END_TEST

START_TEST(test_recover_dry_run_writes_nothing)
{
	char *hive = dirty_software("d", modes[_i]);
	struct json_object *j, *rec;
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "recover", "--dry-run", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, hive);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);

	/* The report says what the replay gives, and that no log was
	 * reset. */
	tu_hp(&r, "recover", "--dry-run", "--json", "--backup-dir", tu_bk, hive,
	    NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert(tu_jbool(j, "dry_run"));
	rec = recovery_of(j, 0);
	ck_assert(tu_jbool(rec, "replayed"));
	ck_assert_str_eq(tu_jstr(rec, "format"), modes[_i]);
	assert_file_list(rec, "logs_reset", NULL, 0);
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);
}
END_TEST

/* New-format logs that stop early: entry 1 is good, the log breaks at
 * entry 2 (in SOFTWARE.LOG1).  Recovery keeps entry 1, as Windows does,
 * and says where and why it stopped. */
static const struct {
	const char *opt, *arg;	/* arg NULL: cut_inside("new") */
	const char *why;
} new_stops[] = {
	{ "--truncate-log", NULL, "log cut inside entry 2" },
	{ "--corrupt-entry", "2", "entry 2's hash fails" },
	{ "--gap", NULL, "entry 2's sequence number skips one" },
};

static char *
new_stop_fixture(int i, const char *dir)
{
	const char *arg = new_stops[i].arg;

	if (strcmp(new_stops[i].opt, "--truncate-log") == 0 && arg == NULL)
		arg = cut_inside("new");
	return make_dirty("software64-net48", "new", hive_in(dir, "SOFTWARE"),
	    new_stops[i].opt, arg, NULL);
}

START_TEST(test_recover_new_log_that_stops_early_keeps_the_last_good_entry)
{
	char *hive = new_stop_fixture(_i, "text");
	char *json_hive = new_stop_fixture(_i, "json");
	const char *log1 = tu_pathf("%s.LOG1", json_hive);
	struct json_object *j, *rec;
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "recover", "--backup-dir", tu_bk, hive, NULL);
	ck_assert_msg(r.status == 0, "%s: exit %d\n%s%s", new_stops[_i].why,
	    r.status, r.out, r.err);
	ck_assert_msg(has_warning_naming(&r, "SOFTWARE.LOG1"), "%s: no "
	    "warning line naming SOFTWARE.LOG1:\n--- stdout:\n%s--- stderr:\n"
	    "%s", new_stops[_i].why, r.out, r.err);
	tu_result_free(&r);
	tu_assert_same_hive(hive, expected(hive, 1));
	tu_assert_recovered_and_logs_reset(&before);

	tu_hp(&r, "recover", "--json", "--backup-dir", tu_bk, json_hive, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	rec = recovery_of(j, 0);
	ck_assert(tu_jbool(rec, "replayed"));
	ck_assert(tu_jbool(rec, "stopped_early"));
	ASSERT_HAS(tu_jstr(rec, "stop_reason"), "stop_reason", "SOFTWARE.LOG1");
	ck_assert_int_eq(tu_jint(rec, "entries_applied"), 1);
	assert_file_list(rec, "logs_used", &log1, 1);
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_same_hive(json_hive, expected(json_hive, 1));
}
END_TEST

/* Dirty hives nothing trustworthy recovers: refused, exit 3, naming the
 * hive; nothing written. */
static const struct {
	const char *mode;	/* mkdirty's, or "mkhive": mkhive --dirty */
	const char *opt, *arg;	/* --truncate-log with arg NULL: cut_inside */
	int remove_logs;
	const char *why;
} unrecoverable[] = {
	{ "mkhive", NULL, NULL, 0, "logs that are bare base blocks" },
	{ "new", NULL, NULL, 1, "no logs at all" },
	{ "old", NULL, NULL, 1, "no logs at all (old)" },
	{ "new", "--wrong-hive", NULL, 0, "another hive's logs" },
	{ "old", "--wrong-hive", NULL, 0, "another hive's log (old)" },
	{ "new", "--corrupt-entry", "1", 0, "the first entry's hash fails" },
	{ "new", "--truncate-log", "1000", 0, "log cut inside entry 1" },
	{ "old", "--truncate-log", "1000", 0, "old log cut before any page" },
	{ "old", "--truncate-log", NULL, 0, "old log cut inside its pages" },
};

static char *
unrecoverable_fixture(int i)
{
	const char *arg = unrecoverable[i].arg;
	char *hive = hive_in("d", "SOFTWARE");

	if (strcmp(unrecoverable[i].mode, "mkhive") == 0)
		tu_mkhive("software64-net48", hive, 1);
	else if (unrecoverable[i].opt == NULL)
		make_dirty("software64-net48", unrecoverable[i].mode, hive, NULL);
	else {
		if (strcmp(unrecoverable[i].opt, "--truncate-log") == 0 &&
		    arg == NULL)
			arg = cut_inside(unrecoverable[i].mode);
		make_dirty("software64-net48", unrecoverable[i].mode, hive,
		    unrecoverable[i].opt, arg, NULL);
	}
	if (unrecoverable[i].remove_logs) {
		unlink(tu_pathf("%s.LOG1", hive));
		unlink(tu_pathf("%s.LOG2", hive));
	}
	return hive;
}

/* Without SOFTWARE.LOG1 the replay starts at LOG2's entry, past the one
 * the hive expects: it goes on as Windows would, and says so.  (When
 * LOG1 is there but no log of the hive, a FIFO for one, recover refuses
 * to write what may lack its entries: test_outside.) */

/* tu_scratch/DIR/SOFTWARE, dirty, its LOG1 gone. */
static char *
dirty_without_log1(const char *dir)
{
	char *hive = dirty_software(dir, "new");

	ck_assert(unlink(tu_pathf("%s.LOG1", hive)) == 0);
	return hive;
}

START_TEST(test_recover_warns_when_the_first_log_is_missing)
{
	char *hive = dirty_without_log1("d");
	char *dry = dirty_without_log1("e");
	struct json_object *j, *rec;
	struct tu_result r;

	tu_hp(&r, "recover", "--json", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	rec = recovery_of(j, 0);
	ck_assert(tu_jbool(rec, "started_late"));
	ck_assert(!tu_jbool(rec, "stopped_early"));
	ck_assert_int_eq(tu_jint(rec, "entries_applied"), 1);
	json_object_put(j);
	tu_result_free(&r);
	ck_assert(tu_file_size(tu_pathf("%s.LOG2", hive)) == 0);
	/* LOG2's entry, which adds MkDirty\\Big, is in. */
	ck_assert(tu_hive_key_exists(hive, "MkDirty\\Big"));

	tu_hp(&r, "recover", "--dry-run", dry, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_msg(has_warning_naming(&r, "start at sequence number 4, but "
	    "the hive's base block names 2"), "no warning of the missing "
	    "entries:\n%s", r.out);
	tu_result_free(&r);
}
END_TEST

/* A refusal names a FIFO in a log's place too, and says nothing of a
 * replay that was not made. */
START_TEST(test_recover_refusal_names_a_log_it_did_not_read)
{
	char *hive = make_dirty("software64-net48", "new",
	    hive_in("d", "SOFTWARE"), "--wrong-hive", NULL);
	char *log1 = tu_pathf("%s.LOG1", hive), *log2 = tu_pathf("%s.LOG2", hive);
	char hive_hash[SHA256_HEX_LEN + 1], log2_hash[SHA256_HEX_LEN + 1];
	struct tu_result r;

	ck_assert(unlink(log1) == 0);
	ck_assert(mkfifo(log1, 0644) == 0);
	tu_sha256(hive, hive_hash);
	tu_sha256(log2, log2_hash);
	tu_hp(&r, "recover", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "another hive");
	ASSERT_ERR(&r, tu_pathf("%s has a log's name but is not a regular "
	    "file: not a log of this hive, never read nor written", log1));
	ck_assert_msg(strstr(r.err, "stopped early") == NULL, "%s", r.err);
	tu_result_free(&r);
	ASSERT_HASH(hive, hive_hash);
	ASSERT_HASH(log2, log2_hash);
	assert_no_trace(hive);
}
END_TEST

START_TEST(test_recover_refuses_when_nothing_trustworthy_remains)
{
	const char *why = unrecoverable[_i].why;
	char *hive = unrecoverable_fixture(_i);
	struct json_object *j;
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "recover", "--backup-dir", tu_bk, hive, NULL);
	ck_assert_msg(r.status == 3, "%s: exit %d, expected 3\n%s%s", why,
	    r.status, r.out, r.err);
	ASSERT_ERR(&r, hive);
	/* A refusal reads nothing as recovered. */
	ck_assert_msg(strstr(r.err, "is read as of") == NULL, "%s: %s", why,
	    r.err);
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);

	tu_hp(&r, "recover", "--json", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ASSERT_HAS(tu_jstr(j, "error"), "error", hive);
	json_object_put(j);
	tu_result_free(&r);

	/* apply meets the same hive the same way, and so do dry runs, which
	 * never suggest --no-recover: a writing command refuses with it. */
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ck_assert_msg(r.status == 3, "apply, %s: exit %d, expected 3\n%s%s",
	    why, r.status, r.out, r.err);
	ASSERT_ERR(&r, hive);
	tu_result_free(&r);
	tu_hp(&r, "apply", "--dry-run", hive, NULL);
	ck_assert_msg(r.status == 3, "apply --dry-run, %s: exit %d\n%s", why,
	    r.status, r.err);
	ASSERT_LACKS(r.err, "stderr", "--no-recover");
	tu_result_free(&r);
	tu_hp(&r, "recover", "--dry-run", hive, NULL);
	ck_assert_msg(r.status == 3, "recover --dry-run, %s: exit %d\n%s", why,
	    r.status, r.err);
	ASSERT_LACKS(r.err, "stderr", "--no-recover");
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);
}
END_TEST

#ifdef __SANITIZE_ADDRESS__
#define PEAK_RSS_KIB (512 * 1024)
#else
#define PEAK_RSS_KIB (64 * 1024)
#endif

/* One command on the hive (export reads its whole tree), with the limit
 * raised to `max` when not NULL. */
static void
run_on(struct tu_result *r, const char *command, const char *hive,
       const char *max)
{
	const char *argv[9];
	size_t n = 1;		/* argv[0]: tu_hp_argv's */

	argv[n++] = command;
	if (max != NULL) {
		argv[n++] = "--max-hive-size";
		argv[n++] = max;
	}
	if (strcmp(command, "export") != 0) {
		argv[n++] = "--backup-dir";
		argv[n++] = tu_bk;
	}
	argv[n++] = hive;
	if (strcmp(command, "export") == 0)
		argv[n++] = "HKLM\\SOFTWARE";
	argv[n] = NULL;
	tu_hp_argv(r, NULL, argv);
}

/* A 25 KiB log whose last entry claims 2000 MiB of hive bins: every
 * command refuses it as over the 1 GiB limit; with the limit raised to
 * 2G, it costs memory for the pages the log carries, not for the claim,
 * and refuses the recovered hive naming where its bins stop.  Every file
 * stays as it was. */
START_TEST(test_a_log_claiming_a_huge_hive_costs_what_it_carries)
{
	char *hive = make_dirty("software64-net48", "new",
	    hive_in("d", "SOFTWARE"), "--claim", "2000", NULL);
	static const char *const commands[] = { "verify", "inspect", "apply",
	    "recover", "export" };
	struct tu_hive_files before;
	struct rusage ru;
	size_t i;

	tu_hive_files_take(&before, hive);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		struct tu_result r;

		run_on(&r, commands[i], hive, NULL);
		ck_assert_msg(r.status == 3, "%s: exit %d\n%s", commands[i],
		    r.status, r.err);
		ASSERT_ERR(&r, hive);
		ASSERT_ERR(&r, "as its logs recover it, it would be 2097156096 "
		    "bytes, over the limit of 1073741824 bytes for a hive "
		    "(--max-hive-size raises it");
		tu_result_free(&r);
		tu_assert_hive_files_unchanged(&before);

		run_on(&r, commands[i], hive, "2G");
		ck_assert_msg(r.status == 4, "%s: exit %d\n%s", commands[i],
		    r.status, r.err);
		ASSERT_ERR(&r, hive);
		ASSERT_ERR(&r, "no hive bin at offset 0x");
		ASSERT_ERR(&r, "inside the 2097152000 bytes of hive bins its "
		    "base block claims");
		tu_result_free(&r);
		tu_assert_hive_files_unchanged(&before);
	}
	/* The largest of this test's children, the mkhive and mkdirty runs
	 * included: far below the 2000 MiB claimed (AddressSanitizer alone
	 * writes an eighth of every block allocated to its shadow). */
	ck_assert_int_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
	ck_assert_msg(ru.ru_maxrss < PEAK_RSS_KIB, "peak RSS %ld KiB",
	    ru.ru_maxrss);
	assert_no_trace(hive);
}
END_TEST

/* A hive over the limit given is refused by every command that reads
 * it, naming the file, its size and the limit; one under it is read. */
START_TEST(test_a_hive_over_the_limit_is_refused)
{
	char *hive = hive_in("l", "SOFTWARE");
	static const char *const commands[] = { "verify", "inspect", "apply",
	    "recover", "export" };
	struct tu_hive_files before;
	char want[256];
	size_t i;

	tu_mkhive("software64-net48", hive, 0);
	snprintf(want, sizeof(want), "%s: %lld bytes, over the limit of 8192 "
	    "bytes for a hive", hive, (long long)tu_file_size(hive));
	tu_hive_files_take(&before, hive);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		struct tu_result r;

		run_on(&r, commands[i], hive, "8K");
		ck_assert_msg(r.status == 3, "%s: exit %d\n%s", commands[i],
		    r.status, r.err);
		ASSERT_ERR(&r, want);
		tu_result_free(&r);
		tu_assert_hive_files_unchanged(&before);
	}
	/* The limit is the file's, not a page more. */
	{
		struct tu_result r;
		char size[32];

		snprintf(size, sizeof(size), "%lld",
		    (long long)tu_file_size(hive));
		run_on(&r, "verify", hive, size);
		ASSERT_STATUS(&r, 1);
		tu_result_free(&r);
	}
}
END_TEST

START_TEST(test_recover_restores_a_damaged_base_block_from_the_log)
{
	char *hive = make_dirty("software64-net48", modes[_i],
	    hive_in("d", "SOFTWARE"), "--bad-base-block", NULL);
	struct json_object *j, *rec;
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "recover", "--json", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	rec = recovery_of(j, 0);
	ck_assert(tu_jbool(rec, "replayed"));
	ck_assert(tu_jbool(rec, "base_block_recovered"));
	ck_assert_str_eq(tu_jstr(rec, "format"), modes[_i]);
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_same_hive(hive, expected(hive, 0));
	tu_assert_recovered_and_logs_reset(&before);
}
END_TEST

/* An old-format log cut inside its pages after some hive bins were
 * recovered: the hive would be part new, part old.  Every command that
 * writes refuses it, dry runs too; nothing is written. */
START_TEST(test_a_partial_old_format_log_is_refused_for_writing_even_dry)
{
	char *hive = make_dirty("software64-net48", "old",
	    hive_in("d", "SOFTWARE"), "--truncate-log", "20480", NULL);
	static const char *const runs[][2] = {
		{ "apply", NULL }, { "apply", "--dry-run" },
		{ "recover", NULL }, { "recover", "--dry-run" },
	};
	struct tu_hive_files before;
	struct tu_result r;
	size_t i;

	tu_hive_files_take(&before, hive);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		if (runs[i][1] != NULL)
			tu_hp(&r, runs[i][0], runs[i][1], hive, NULL);
		else
			tu_hp(&r, runs[i][0], "--backup-dir", tu_bk, hive, NULL);
		ck_assert_msg(r.status == 3, "%s %s: exit %d\n%s", runs[i][0],
		    runs[i][1] ? runs[i][1] : "", r.status, r.err);
		ASSERT_ERR(&r, hive);
		ASSERT_ERR(&r, "old-format log stops early");
		tu_result_free(&r);
	}
	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);
}
END_TEST

/* A dirty hive whose own base block is damaged, given --no-recover:
 * apply refuses it as dirty (the logs hold what the file does not)
 * before anything tries to read its bins. */
START_TEST(test_no_recover_refuses_a_dirty_hive_with_a_damaged_base_block)
{
	char *hive = make_dirty("software64-net48", modes[_i],
	    hive_in("d", "SOFTWARE"), "--bad-base-block", NULL);
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "apply", "--no-recover", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "--no-recover forbids replaying them");
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);
}
END_TEST

/* Any kind of hive, not only SOFTWARE and SYSTEM: a user hive. */
START_TEST(test_recover_takes_a_hive_of_any_kind)
{
	char *hive = make_dirty("ntuser", "new", hive_in("u", "NTUSER.DAT"),
	    NULL);
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "recover", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);
	tu_assert_same_hive(hive, expected(hive, 0));
	tu_assert_recovered_and_logs_reset(&before);
}
END_TEST

/* A tree: SOFTWARE and SYSTEM, each with its own logs and format; the
 * clean UsrClass.dat is read and left. */
START_TEST(test_recover_tree_recovers_software_and_system)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	struct tu_hive_files sw_before, sys_before;
	struct json_object *j, *h;
	struct tu_result r;
	size_t i;

	make_dirty("software64-net48", "new", sw, NULL);
	make_dirty("system", "old", sys, NULL);
	tu_hive_files_take(&sw_before, sw);
	tu_hive_files_take(&sys_before, sys);
	tu_hp(&r, "recover", "--json", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	ck_assert_int_eq(json_object_array_length(tu_jarray(j, "hives")), 3);
	ck_assert_str_eq(tu_jstr(hive_report(j, 2), "path"),
	    tu_tree_classes(root, NULL));
	ck_assert(!tu_jbool(recovery_of(j, 2), "replayed"));
	for (i = 0; i < 2; i++) {
		h = hive_report(j, i);
		ck_assert_str_eq(tu_jstr(h, "path"), i == 0 ? sw : sys);
		ck_assert(tu_jbool(recovery_of(j, i), "replayed"));
		ck_assert_str_eq(tu_jstr(recovery_of(j, i), "format"),
		    i == 0 ? "new" : "old");
	}
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_same_hive(sw, expected(sw, 0));
	tu_assert_same_hive(sys, expected(sys, 0));
	tu_assert_recovered_and_logs_reset(&sw_before);
	tu_assert_recovered_and_logs_reset(&sys_before);

	/* The text report names both and what it did. */
	root = tu_make_tree("tree", "img2");
	sw = tu_tree_file(root, "SOFTWARE");
	make_dirty("software64-net48", "new", sw, NULL);
	sys = tu_tree_file(root, "SYSTEM");
	tu_hive_files_take(&sys_before, sys);
	tu_hp(&r, "recover", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, sw);
	ASSERT_OUT(&r, sys);
	ASSERT_OUT(&r, "replayed");
	ASSERT_OUT(&r, "clean");
	tu_result_free(&r);
	tu_assert_same_hive(sw, expected(sw, 0));
	/* The clean SYSTEM is not rewritten. */
	tu_assert_hive_files_unchanged(&sys_before);
}
END_TEST

/* Logs are found beside the hive in any letter case. */
START_TEST(test_recover_finds_logs_in_any_letter_case)
{
	char *hive = dirty_software("d", "new");
	char *lower1 = tu_pathf("%s.log1", hive), *lower2 = tu_pathf("%s.log2",
	    hive);
	struct tu_hive_files before;

	ck_assert(rename(tu_pathf("%s.LOG1", hive), lower1) == 0);
	ck_assert(rename(tu_pathf("%s.LOG2", hive), lower2) == 0);
	tu_hive_files_take(&before, hive);
	ck_assert_int_eq(before.n_logs, 2);
	ASSERT_RUN(0, "recover", "--backup-dir", tu_bk, hive, NULL);
	tu_assert_same_hive(hive, expected(hive, 0));
	tu_assert_recovered_and_logs_reset(&before);
}
END_TEST

START_TEST(test_recover_usage_errors_exit_2)
{
	char *hive = dirty_software("d", "new");
	static const char *const bad[][3] = {
		{ NULL },			/* no TARGET */
		{ "--no-recover" },		/* apply's and verify's */
		{ "--profile", "net4-tls12" },	/* recover takes no profile */
		{ "--no-such-option" },
	};
	struct tu_hive_files before;
	struct tu_result r;
	size_t i, k;

	tu_hive_files_take(&before, hive);
	/* The same command line without the mistake is not one. */
	ASSERT_RUN(0, "recover", "--dry-run", "--backup-dir", tu_bk, hive,
	    NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[8];
		size_t n = 0;

		argv[n++] = NULL;
		argv[n++] = "recover";
		argv[n++] = "--backup-dir";
		argv[n++] = tu_bk;
		for (k = 0; k < 3 && bad[i][k] != NULL; k++)
			argv[n++] = bad[i][k];
		if (i > 0)
			argv[n++] = hive;
		argv[n] = NULL;
		tu_hp_argv(&r, NULL, argv);
		ck_assert_msg(r.status == 2, "recover %s: exit %d, expected 2\n"
		    "%s%s", bad[i][0] ? bad[i][0] : "(no target)", r.status,
		    r.out, r.err);
		ck_assert_msg(*r.err != '\0', "no message on stderr");
		tu_result_free(&r);
	}
	/* Two targets. */
	ASSERT_RUN(2, "recover", "--backup-dir", tu_bk, hive, hive, NULL);
	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);
}
END_TEST

START_TEST(test_recover_missing_or_damaged_target_is_an_io_error)
{
	char *missing = tu_pathf("%s/no-such-hive", tu_scratch);
	char *garbage = hive_in("g", "SOFTWARE");
	char hash[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_hp(&r, "recover", "--backup-dir", tu_bk, missing, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, missing);
	tu_result_free(&r);

	tu_write_text(garbage, "regf, but nothing a hive holds\n");
	tu_sha256(garbage, hash);
	tu_hp(&r, "recover", "--backup-dir", tu_bk, garbage, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, garbage);
	tu_result_free(&r);
	ASSERT_HASH(garbage, hash);
	assert_no_trace(garbage);
}
END_TEST

/* ---- apply ---- */

/* apply on a dirty hive: replays, patches, commits; everything the logs
 * held is kept, the logs are reset. */
static const struct {
	const char *mode;
	int tree;
} apply_targets[] = {
	{ "new", 0 },
	{ "old", 0 },
	{ "new", 1 },
};

START_TEST(test_apply_replays_the_logs_then_patches_and_loses_nothing)
{
	const char *mode = apply_targets[_i].mode;
	char *target, *hive, *sys = NULL;
	struct tu_hive_files before, sys_before;
	struct tu_result r;

	if (apply_targets[_i].tree) {
		target = tu_make_tree("tree", "img");
		hive = tu_tree_file(target, "SOFTWARE");
		sys = tu_tree_file(target, "SYSTEM");
		make_dirty("software64-net48", mode, hive, NULL);
		tu_hive_files_take(&sys_before, sys);
	} else {
		target = hive = dirty_software("d", mode);
	}
	tu_hive_files_take(&before, hive);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, target, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, hive);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);

	tu_assert_net4(hive);
	assert_logged_changes(hive);
	tu_assert_hive_keeps(hive, expected(hive, 0));
	tu_assert_recovered_and_logs_reset(&before);
	ck_assert_int_ge(tu_count_backups(tu_bk, NULL), 1);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
	if (sys != NULL)
		tu_assert_hive_files_unchanged(&sys_before);

	ASSERT_RUN(0, "verify", target, NULL);
}
END_TEST

START_TEST(test_apply_no_recover_refuses_a_dirty_hive)
{
	char *hive = dirty_software("d", "new");
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "apply", "--no-recover", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "dirty");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--no-recover", "--force", "--backup-dir", tu_bk,
	    hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, "dirty");
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);
}
END_TEST

/* What the logs hold already makes the hive compliant: nothing to write,
 * and the hive stays dirty for Windows to replay as it would have. */
START_TEST(test_apply_writes_nothing_when_the_recovered_hive_is_compliant)
{
	char *hive = make_dirty("software64-compliant", "new",
	    hive_in("d", "SOFTWARE"), NULL);
	struct timespec mtime = tu_mtime(hive);
	struct tu_hive_files before;

	tu_hive_files_take(&before, hive);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	tu_assert_hive_files_unchanged(&before);
	ck_assert(tu_same_time(tu_mtime(hive), mtime));
	assert_no_trace(hive);
}
END_TEST

/* ---- verify and inspect read through the logs ---- */

/* Values only the logs hold: the stale primary has no MkDirty key. */
static const char mkdirty_reg[] =
    "Windows Registry Editor Version 5.00\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\MkDirty\\Alpha]\r\n"
    "\"Count\"=dword:00000002\r\n"
    "\r\n"
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\MkDirty\\Big]\r\n"
    "\"Note\"=\"this key needed new hive bins\"\r\n";

START_TEST(test_verify_reads_through_the_logs_and_never_writes)
{
	char *hive = dirty_software("d", modes[_i]);
	char *reg = tu_pathf("%s/mkdirty.reg", tu_scratch);
	struct tu_hive_files before;
	struct tu_result r;

	tu_write_text(reg, mkdirty_reg);
	tu_hive_files_take(&before, hive);

	/* What only the logs hold counts. */
	tu_hp(&r, "verify", "--reg", reg, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);

	/* The recovered hive is not compliant with net4-tls12. */
	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);

	/* --no-recover reads the primary alone, and says it is dirty. */
	tu_hp(&r, "verify", "--no-recover", "--reg", reg, hive, NULL);
	ASSERT_STATUS(&r, 1);
	ck_assert_msg(has_warning_naming(&r, "dirty"), "no warning that the "
	    "hive is dirty:\n--- stdout:\n%s--- stderr:\n%s", r.out, r.err);
	tu_result_free(&r);

	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);
}
END_TEST

START_TEST(test_verify_of_a_compliant_recovered_hive_exits_0)
{
	char *hive = make_dirty("software64-compliant", "new",
	    hive_in("d", "SOFTWARE"), NULL);
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "verify", hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);
}
END_TEST

/* inspect on a tree whose SOFTWARE is dirty: readiness of the recovered
 * hive, the replay said, nothing written. */
static const struct {
	const char *kind;
	int status;
} inspect_kinds[] = {
	{ "software64-net48", 1 },
	{ "software64-compliant", 0 },
};

START_TEST(test_inspect_reads_through_the_logs_and_never_writes)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	struct tu_hive_files sw_before, sys_before;
	struct json_object *j;
	struct tu_result r;
	int files;

	make_dirty(inspect_kinds[_i].kind, "new", sw, NULL);
	tu_hive_files_take(&sw_before, sw);
	tu_hive_files_take(&sys_before, sys);
	files = tu_count_files(tu_dir_of(sw));

	tu_hp(&r, "inspect", root, NULL);
	ASSERT_STATUS(&r, inspect_kinds[_i].status);
	ASSERT_OUT(&r, "replayed");
	tu_result_free(&r);

	tu_hp(&r, "inspect", "--json", root, NULL);
	ASSERT_STATUS(&r, inspect_kinds[_i].status);
	j = tu_parse_json(&r, "hivepatch-inspect/1");
	ck_assert(tu_jbool(recovery_of(j, 0), "replayed"));
	json_object_put(j);
	tu_result_free(&r);

	tu_assert_hive_files_unchanged(&sw_before);
	tu_assert_hive_files_unchanged(&sys_before);
	ck_assert_int_eq(tu_count_files(tu_dir_of(sw)), files);
	assert_no_trace(sw);
}
END_TEST

START_TEST(test_export_reads_through_the_logs_and_never_writes)
{
	char *hive = dirty_software("d", modes[_i]);
	const char *key = "HKLM\\SOFTWARE\\MkDirty\\Alpha";
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "export", hive, key, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "[HKEY_LOCAL_MACHINE\\SOFTWARE\\MkDirty\\Alpha]");
	ASSERT_OUT(&r, "\"Count\"=dword:00000002");
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "exported as its logs recover it");
	tu_result_free(&r);

	/* The stale primary alone has no MkDirty: only the logs add it. */
	tu_hp(&r, "export", "--no-recover", hive, key, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_ERR(&r, "dirty");
	ASSERT_ERR(&r, "no key");
	tu_result_free(&r);

	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);
}
END_TEST

/* A clean hive's logs may still hold old entries; once hivepatch writes
 * the hive they are emptied too, and rollback puts them back. */
START_TEST(test_apply_on_a_clean_hive_empties_its_stale_logs)
{
	char *hive = dirty_software("d", modes[_i]);
	struct tu_hive_files before;
	struct tu_result r;

	tu_copy_file(expected(hive, 0), hive);	/* clean, logs left */
	tu_hive_files_take(&before, hive);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_msg(strstr(r.out, "replayed") == NULL, "a clean hive was "
	    "replayed:\n%s", r.out);
	ASSERT_OUT(&r, "emptied:");
	tu_result_free(&r);
	tu_assert_recovered_and_logs_reset(&before);
	assert_logged_changes(hive);
	ck_assert(tu_hive_dword_is(hive, NET64, SUC, 1));

	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, hive, NULL);
	tu_assert_hive_files_unchanged(&before);
}
END_TEST

/* inspect --json refuses a hive its logs cannot recover with a JSON
 * document too: what it read, the message, the status. */
START_TEST(test_inspect_json_says_why_it_refused)
{
	char *hive = make_dirty("software64-net48", "new",
	    hive_in("d", "SOFTWARE"), "--wrong-hive", NULL);
	struct json_object *j;
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "inspect", "--json", hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, hive);
	ASSERT_ERR(&r, "another hive");
	j = tu_parse_json(&r, "hivepatch-inspect/1");
	ck_assert_int_eq(tu_jint(j, "exit_status"), 3);
	ck_assert_ptr_nonnull(strstr(tu_jstr(j, "error"), "another hive"));
	ck_assert(!tu_jbool(j, "ready"));
	ck_assert_str_eq(tu_jstr(hive_report(j, 0), "kind"), "SOFTWARE");
	ck_assert(tu_jbool(hive_report(j, 0), "dirty"));
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	assert_no_trace(hive);
}
END_TEST

/* ---- rollback ---- */

START_TEST(test_rollback_after_apply_restores_the_hive_and_its_logs)
{
	char *hive = dirty_software("d", modes[_i]);
	struct tu_hive_files before;

	tu_hive_files_take(&before, hive);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, hive, NULL);
	tu_assert_recovered_and_logs_reset(&before);

	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, hive, NULL);
	tu_assert_hive_files_unchanged(&before);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(hive)), 0);
}
END_TEST

START_TEST(test_rollback_after_recover_restores_the_hives_and_their_logs)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	struct tu_hive_files sw_before, sys_before;

	make_dirty("software64-net48", "new", sw, NULL);
	make_dirty("system", "old", sys, NULL);
	tu_hive_files_take(&sw_before, sw);
	tu_hive_files_take(&sys_before, sys);
	ASSERT_RUN(0, "recover", "--backup-dir", tu_bk, root, NULL);
	tu_assert_recovered_and_logs_reset(&sw_before);
	tu_assert_recovered_and_logs_reset(&sys_before);

	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, root, NULL);
	tu_assert_hive_files_unchanged(&sw_before);
	tu_assert_hive_files_unchanged(&sys_before);
	ck_assert_int_eq(tu_count_temp_files(tu_dir_of(sw)), 0);
}
END_TEST

/* A rollback of two hives checks both, and their logs, before it writes
 * either: a log Windows wrote since refuses the whole rollback. */
START_TEST(test_rollback_refuses_before_writing_any_hive)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *sys = tu_tree_file(root, "SYSTEM");
	char *sys_log = tu_pathf("%s.LOG1", sys);
	struct tu_hive_files sw_after, sys_after;
	struct tu_result r;

	make_dirty("software64-net48", "new", sw, NULL);
	make_dirty("system", "new", sys, NULL);
	ASSERT_RUN(0, "recover", "--backup-dir", tu_bk, root, NULL);
	tu_write_text(sys_log, "written by Windows since\n");
	tu_hive_files_take(&sw_after, sw);
	tu_hive_files_take(&sys_after, sys);

	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, sys_log);
	ASSERT_ERR(&r, "changed since");
	ck_assert_msg(strstr(r.out, "restored") == NULL, "a refused rollback "
	    "restored something:\n%s", r.out);
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&sw_after);
	tu_assert_hive_files_unchanged(&sys_after);
}
END_TEST

/* ---- the suite ---- */

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* recover --output: the hive as its logs recover it, in a new file
 * outside the target, read back; the hive and its logs untouched, even
 * while another process holds the hive's write lock (a run that only
 * reads needs none: read-only media, evidence). */
START_TEST(test_recover_output_writes_a_copy_and_leaves_the_evidence)
{
	char *hive = make_dirty("software64-net48", modes[_i],
	    hive_in("e", "SOFTWARE"), NULL);
	char *out = tu_pathf("%s/recovered.hive", tu_scratch);
	char sha[SHA256_HEX_LEN + 1];
	struct tu_hive_files before;
	struct json_object *j, *h;
	struct tu_result r;
	int fd;

	tu_hive_files_take(&before, hive);
	fd = open(hive, O_RDONLY);
	ck_assert(fd >= 0 && flock(fd, LOCK_EX) == 0);
	tu_hp(&r, "recover", "--json", "--output", out, hive, NULL);
	close(fd);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	h = tu_jhive(j, "SOFTWARE");
	ck_assert_str_eq(tu_jstr(h, "output"), out);
	tu_sha256(out, sha);
	ck_assert_str_eq(tu_jstr(h, "sha256_output"), sha);
	ck_assert(tu_jbool(h, "recovery.replayed"));
	ck_assert(tu_jnull(h, "backup"));
	ASSERT_HAS(tu_jstr(j, "result"), "result", "the hive and its logs are "
	    "untouched");
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
	tu_assert_same_hive(out, expected(hive, 0));
	ck_assert_int_eq(tu_count_files(tu_bk), 0);

	/* The copy is a clean hive: it verifies with no log beside it. */
	tu_hp(&r, "verify", out, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_LACKS(r.out, "stdout", "dirty");
	tu_result_free(&r);
}
END_TEST

/* Refusals: an output in the target (the hive's own log), a tree, and a
 * command other than recover; nothing is created or changed. */
START_TEST(test_recover_output_refusals_write_nothing)
{
	char *hive = make_dirty("software64-net48", "new",
	    hive_in("e", "SOFTWARE"), NULL);
	char *log1 = tu_pathf("%s.LOG1", hive);
	char *out = tu_pathf("%s/never.hive", tu_scratch);
	struct tu_hive_files before;
	struct tu_result r;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "recover", "--output", log1, hive, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, tu_pathf("hivepatch: %s: ", log1));
	ASSERT_ERR(&r, "--output never writes into the target");
	tu_result_free(&r);
	tu_hp(&r, "recover", "--output", out, tu_pathf("%s/e", tu_scratch),
	    NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, tu_pathf("%s: recover --output of a Windows tree "
	    "writes its hives into a directory; this is none", out));
	tu_result_free(&r);
	tu_hp(&r, "apply", "--output", out, hive, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "apply does not take --output");
	tu_result_free(&r);
	ck_assert_msg(access(out, F_OK) == -1, "%s was made", out);
	tu_assert_hive_files_unchanged(&before);
}
END_TEST

/* inspect --no-recover never recommends what would refuse: a hive copied
 * out without its logs is dirty, and apply refuses it; a hive whose logs
 * are beside it is read by apply through them, so apply is advised. */
START_TEST(test_inspect_never_recommends_an_apply_that_refuses)
{
	char *hive = make_dirty("software64-net48", "new",
	    hive_in("n", "SOFTWARE"), NULL);
	char *bare = hive_in("bare", "SOFTWARE");
	struct json_object *j;
	struct tu_result r;

	tu_copy_file(hive, bare);
	tu_hp(&r, "inspect", "--json", "--no-recover", bare, NULL);
	ASSERT_STATUS(&r, 1);
	j = tu_parse_json(&r, "hivepatch-inspect/1");
	ASSERT_LACKS(tu_jstr(j, "recommended"), "recommended", "hivepatch apply");
	ASSERT_HAS(tu_jstr(j, "recommended"), "recommended", "none here: apply "
	    "would refuse");
	ASSERT_HAS(tu_jstr(j, "recommended"), "recommended", "has no "
	    "transaction log");
	json_object_put(j);
	tu_result_free(&r);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, bare, NULL);
	ASSERT_STATUS(&r, 3);
	tu_result_free(&r);

	tu_hp(&r, "inspect", "--json", "--no-recover", hive, NULL);
	ASSERT_STATUS(&r, 1);
	j = tu_parse_json(&r, "hivepatch-inspect/1");
	ASSERT_HAS(tu_jstr(j, "recommended"), "recommended",
	    "hivepatch apply --profile auto");
	json_object_put(j);
	tu_result_free(&r);
	tu_hp(&r, "apply", "--profile", "auto", "--backup-dir", tu_bk, hive,
	    NULL);
	ASSERT_STATUS(&r, 0);
	tu_result_free(&r);
}
END_TEST

/* The JSON reports of every command that reads a hive carry the SHA-256
 * of the hive file and of each log as read: what an examiner records. */
START_TEST(test_json_reports_carry_the_hash_of_every_file_read)
{
	static const char *const commands[] = { "verify", "inspect",
	    "apply" };
	char *hive = make_dirty("software64-net48", "new",
	    hive_in("h", "SOFTWARE"), NULL);
	char want[3][SHA256_HEX_LEN + 1];
	struct json_object *j, *h, *logs, *shas;
	struct tu_result r;
	size_t i, k;

	tu_sha256(hive, want[0]);
	tu_sha256(tu_pathf("%s.LOG1", hive), want[1]);
	tu_sha256(tu_pathf("%s.LOG2", hive), want[2]);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		tu_hp(&r, commands[i], "--json", "--backup-dir", tu_bk, hive,
		    NULL);
		ck_assert_msg(r.status <= 1, "%s: exit %d\n%s", commands[i],
		    r.status, r.err);
		j = tu_parse_json(&r, i == 1 ? "hivepatch-inspect/1" :
		    "hivepatch-report/1");
		h = json_object_array_get_idx(tu_jarray(j, "hives"), 0);
		ck_assert_str_eq(tu_jstr(h, "sha256"), want[0]);
		logs = tu_jarray(h, "logs");
		shas = tu_jarray(h, "logs_sha256");
		ck_assert_int_eq((int)json_object_array_length(logs), 2);
		for (k = 0; k < 2; k++) {
			ck_assert_str_eq(json_object_get_string(
			    json_object_array_get_idx(logs, k)),
			    tu_pathf("%s.LOG%zu", hive, k + 1));
			ck_assert_str_eq(json_object_get_string(
			    json_object_array_get_idx(shas, k)), want[k + 1]);
		}
		json_object_put(j);
		tu_result_free(&r);
	}
}
END_TEST

/* recover in a tree recovers every dirty hive it finds there: here the
 * DEFAULT hive (HKEY_USERS\.DEFAULT) and the Default user's UsrClass.dat
 * (HKEY_CURRENT_USER\Software\Classes), beside a clean SOFTWARE and
 * SYSTEM, which it leaves as they are; rollback puts both back. */
START_TEST(test_recover_in_a_tree_recovers_every_dirty_hive)
{
	char *root = tu_make_tree("tree", "img");
	char *def = make_dirty("ntuser", "new", tu_tree_file(root, "DEFAULT"),
	    NULL);
	char *cls = make_dirty("usrclass", "old", tu_tree_classes(root, NULL),
	    NULL);
	char *sw = tu_tree_file(root, "SOFTWARE");
	struct tu_hive_files before, cls_before, sw_before;
	struct json_object *j, *h;
	struct tu_result r;

	tu_hive_files_take(&before, def);
	tu_hive_files_take(&cls_before, cls);
	tu_hive_files_take(&sw_before, sw);
	tu_hp(&r, "recover", "--json", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-report/1");
	h = tu_jhive(j, "DEFAULT");
	ck_assert(tu_jbool(h, "recovery.replayed"));
	ck_assert_str_eq(tu_jstr(h, "path"), def);
	h = tu_jhive(j, "UsrClass.dat");
	ck_assert(tu_jbool(h, "recovery.replayed"));
	ck_assert_str_eq(tu_jstr(h, "recovery.format"), "old");
	ck_assert_str_eq(tu_jstr(h, "path"), cls);
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_same_hive(def, expected(def, 0));
	tu_assert_same_hive(cls, expected(cls, 0));
	tu_assert_recovered_and_logs_reset(&cls_before);
	tu_assert_hive_files_unchanged(&sw_before);

	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, root, NULL);
	tu_assert_hive_files_unchanged(&before);
	tu_assert_hive_files_unchanged(&cls_before);
}
END_TEST

/* recover --output DIR of a tree: each hive into DIR under its own
 * name, a dirty one as its logs recover it; nothing in the tree is
 * written (as on evidence). */
START_TEST(test_recover_output_of_a_tree_writes_each_hive_into_a_dir)
{
	char *root = tu_make_tree("tree", "img");
	char *def = make_dirty("ntuser", "new", tu_tree_file(root, "DEFAULT"),
	    NULL);
	char *dir = tu_pathf("%s/out", tu_scratch);
	struct tu_dir_files tree;
	struct tu_result r;

	tu_mkdir_p(dir);
	tu_dir_files_take(&tree, root);
	tu_hp(&r, "recover", "--output", dir, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, tu_pathf("written to %s as their logs recover them, "
	    "and verified", dir));
	tu_result_free(&r);
	tu_assert_dir_unchanged(&tree);
	tu_assert_same_hive(tu_pathf("%s/DEFAULT", dir), expected(def, 0));
	ck_assert_int_gt(tu_file_size(tu_pathf("%s/SOFTWARE", dir)), 4096);
	ck_assert_int_gt(tu_file_size(tu_pathf("%s/SYSTEM", dir)), 4096);
}
END_TEST

/* --discard-logs: a hive copied out without its logs, or beside logs of
 * another hive, is refused (exit 3) until asked; then written clean
 * from its primary file, saying what is lost, the old logs emptied and
 * kept in the backup; rollback puts every byte back.  Good logs are
 * still replayed, --discard-logs or not. */
START_TEST(test_discard_logs_writes_a_hive_its_logs_cannot_recover)
{
	char *bare = hive_in("bare", "SOFTWARE");
	char *wrong = make_dirty("software64-net48", "new", hive_in("w",
	    "SOFTWARE"), "--wrong-hive", NULL);
	char *good = dirty_software("g", "new");
	struct tu_hive_files bare_before, wrong_before;
	struct tu_result r;

	tu_copy_file(good, bare);
	tu_hive_files_take(&bare_before, bare);
	ASSERT_RUN(3, "apply", "--backup-dir", tu_bk, bare, NULL);
	tu_hp(&r, "apply", "--discard-logs", "--backup-dir", tu_bk, bare,
	    NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, tu_pathf("warning:  %s is dirty", bare));
	ASSERT_OUT(&r, "(--discard-logs: written from its primary file as it "
	    "is; whatever its logs held is lost, and kept in the backup)");
	tu_result_free(&r);
	tu_hp(&r, "verify", bare, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_LACKS(r.out, "stdout", "dirty");
	tu_result_free(&r);
	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, bare, NULL);
	tu_assert_hive_files_unchanged(&bare_before);

	tu_hive_files_take(&wrong_before, wrong);
	ASSERT_RUN(3, "recover", "--backup-dir", tu_bk, wrong, NULL);
	tu_hp(&r, "recover", "--discard-logs", "--backup-dir", tu_bk, wrong,
	    NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "result:   1 hive written clean, 1 of them from the "
	    "primary file, its logs discarded; verified from disk\n");
	tu_result_free(&r);
	ck_assert_int_eq((int)tu_file_size(tu_pathf("%s.LOG1", wrong)), 0);
	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, wrong, NULL);
	tu_assert_hive_files_unchanged(&wrong_before);

	/* Logs that recover it are replayed as ever. */
	tu_hp(&r, "recover", "--discard-logs", "--backup-dir", tu_bk, good,
	    NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_LACKS(r.out, "stdout", "--discard-logs");
	tu_result_free(&r);
	tu_assert_same_hive(good, expected(good, 0));
	ASSERT_RUN(2, "verify", "--discard-logs", good, NULL);
}
END_TEST

static Suite *
recover_suite(void)
{
	Suite *s = suite_create("recover");
	TCase *tc;

	tc = tu_tcase(s, "recover");
	tcase_add_test(tc, test_recover_on_a_clean_hive_writes_nothing);
	tcase_add_loop_test(tc,
	    test_recover_replays_good_logs_commits_and_resets_them, 0, N(modes));
	tcase_add_loop_test(tc, test_recover_json_reports_the_replay, 0,
	    N(modes));
	tcase_add_loop_test(tc, test_recover_dry_run_writes_nothing, 0,
	    N(modes));
	tcase_add_loop_test(tc,
	    test_recover_new_log_that_stops_early_keeps_the_last_good_entry, 0,
	    N(new_stops));
	tcase_add_loop_test(tc,
	    test_recover_refuses_when_nothing_trustworthy_remains, 0,
	    N(unrecoverable));
	tcase_add_loop_test(tc,
	    test_recover_restores_a_damaged_base_block_from_the_log, 0,
	    N(modes));
	tcase_add_test(tc, test_recover_takes_a_hive_of_any_kind);
	tcase_add_test(tc,
	    test_a_partial_old_format_log_is_refused_for_writing_even_dry);
	tcase_add_loop_test(tc,
	    test_no_recover_refuses_a_dirty_hive_with_a_damaged_base_block, 0,
	    N(modes));
	tcase_add_test(tc, test_recover_refusal_names_a_log_it_did_not_read);
	tcase_add_test(tc, test_recover_warns_when_the_first_log_is_missing);
	tcase_add_test(tc, test_recover_tree_recovers_software_and_system);
	tcase_add_test(tc, test_recover_finds_logs_in_any_letter_case);
	tcase_add_test(tc, test_recover_usage_errors_exit_2);
	tcase_add_test(tc, test_recover_missing_or_damaged_target_is_an_io_error);

	tc = tu_tcase(s, "apply");
	tcase_add_loop_test(tc,
	    test_apply_replays_the_logs_then_patches_and_loses_nothing, 0,
	    N(apply_targets));
	tcase_add_test(tc, test_apply_no_recover_refuses_a_dirty_hive);
	tcase_add_test(tc,
	    test_apply_writes_nothing_when_the_recovered_hive_is_compliant);
	tcase_add_loop_test(tc, test_apply_on_a_clean_hive_empties_its_stale_logs,
	    0, N(modes));

	tc = tu_tcase(s, "read");
	tcase_add_loop_test(tc,
	    test_verify_reads_through_the_logs_and_never_writes, 0, N(modes));
	tcase_add_test(tc, test_verify_of_a_compliant_recovered_hive_exits_0);
	tcase_add_loop_test(tc,
	    test_inspect_reads_through_the_logs_and_never_writes, 0,
	    N(inspect_kinds));
	tcase_add_loop_test(tc,
	    test_export_reads_through_the_logs_and_never_writes, 0, N(modes));
	tcase_add_test(tc, test_inspect_json_says_why_it_refused);

	tc = tu_tcase(s, "rollback");
	tcase_add_loop_test(tc,
	    test_rollback_after_apply_restores_the_hive_and_its_logs, 0,
	    N(modes));
	tcase_add_test(tc,
	    test_rollback_after_recover_restores_the_hives_and_their_logs);
	tcase_add_test(tc, test_rollback_refuses_before_writing_any_hive);
	tcase_add_test(tc, test_a_log_claiming_a_huge_hive_costs_what_it_carries);
	tcase_add_test(tc, test_a_hive_over_the_limit_is_refused);
	tcase_add_loop_test(tc,
	    test_recover_output_writes_a_copy_and_leaves_the_evidence, 0,
	    N(modes));
	tcase_add_test(tc, test_recover_output_refusals_write_nothing);
	tcase_add_test(tc, test_inspect_never_recommends_an_apply_that_refuses);
	tcase_add_test(tc, test_json_reports_carry_the_hash_of_every_file_read);
	tcase_add_test(tc, test_recover_in_a_tree_recovers_every_dirty_hive);
	tcase_add_test(tc,
	    test_recover_output_of_a_tree_writes_each_hive_into_a_dir);
	tcase_add_test(tc,
	    test_discard_logs_writes_a_hive_its_logs_cannot_recover);
	return s;
}

int
main(void)
{
	return tu_run_suite(recover_suite(), "hivepatch-test-recover");
}
