/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Nothing outside the target is ever written through a name inside it.
 *
 * A file with a log's name that is not the hive's own log (a second
 * name of a file outside the image, here scratch/outside/precious.txt;
 * a file of another owner than the hive's; a FIFO) is no log of the
 * hive: no command reads, empties, writes or removes it, and every one
 * says so in a warning that names it and why, in text and in JSON.  A
 * dirty hive beside one is refused by the commands that write (exit 3,
 * foreign-log), since what it holds may be what the recovery needs; the
 * others read the hive with the warning.  rollback does not write a
 * log's name that has become such a file, even forced.
 *
 * A hive with more than one name is said so, with what the commit did
 * to the other names: in place (the default) they hold the new hive
 * too; --commit=replace leaves them the old one.
 *
 * Every refusal checks the exit status, the message (naming the file and
 * the problem) and that every file is as it was, by hash and inode. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "hivepatch.h"
#include "testutil.h"

#define KEY "HKLM\\SOFTWARE\\Microsoft\\.NETFramework"

/* ---- fixtures ---- */

/* scratch/outside/precious.txt, a file of its own outside the image. */
static char *
precious_file(void)
{
	char *dir = tu_pathf("%s/outside", tu_scratch);
	char *precious = tu_pathf("%s/precious.txt", dir);

	tu_mkdir_p(dir);
	tu_write_text(precious, "not a log: a file of its own\n");
	return precious;
}

/* Gives `path` another owner than the hive's: root chowns it; another
 * user takes one of its other groups.  0 when neither can (the test
 * then says so on stderr and checks nothing more). */
static int
other_owner(const char *path)
{
	gid_t groups[64];
	int i, n;

	if (geteuid() == 0)
		return chown(path, 12345, 12345) == 0;
	n = getgroups(64, groups);
	for (i = 0; i < n; i++)
		if (groups[i] != getegid() && chown(path, (uid_t)-1,
		    groups[i]) == 0)
			return 1;
	fprintf(stderr, "SKIP: %s: cannot give it another owner or group; "
	    "not checked\n", path);
	return 0;
}

/* The kinds of file with a log's name that is no log of the hive, and
 * the reason each is said to be no log. */
static const struct {
	const char *kind;
	const char *why;
} foreign[] = {
	{ "link", "has 2 hard links" },
	{ "owner", "is owned by " },
	{ "fifo", "is not a regular file" },
};

/* Puts a file of kind foreign[k] at `log` (removed first); 0 when it
 * could not be made (another owner, not being root). */
static int
make_foreign(const char *log, int k, const char *precious)
{
	(void)unlink(log);
	if (strcmp(foreign[k].kind, "link") == 0) {
		ck_assert_msg(link(precious, log) == 0, "link %s: %s", log,
		    strerror(errno));
		return 1;
	}
	if (strcmp(foreign[k].kind, "fifo") == 0) {
		ck_assert(mkfifo(log, 0644) == 0);
		return 1;
	}
	tu_write_text(log, "another owner's file\n");
	return other_owner(log);
}

/* A Windows tree scratch/img; *sw is its SOFTWARE. */
static char *
tree(char **sw)
{
	char *root = tu_make_tree("tree", "img");

	*sw = tu_tree_file(root, "SOFTWARE");
	return root;
}

/* scratch/d/SOFTWARE, dirty, with LOG1 (two entries) and LOG2 (one). */
static char *
dirty_software(void)
{
	char *dir = tu_pathf("%s/d", tu_scratch);
	char *clean = tu_pathf("%s/clean", tu_scratch);
	char *hive = tu_pathf("%s/SOFTWARE", dir);

	tu_mkdir_p(dir);
	tu_mkhive("software64-net48", clean, 0);
	tu_mkdirty("new", clean, hive, NULL);
	ck_assert(unlink(clean) == 0);
	return hive;
}

/* ---- what a run says ---- */

/* A line of stdout or stderr that has "warning" and both strings. */
static int
warned(const struct tu_result *r, const char *a, const char *b)
{
	const char *texts[2] = { r->out, r->err };
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *p = texts[i];

		while (*p != '\0') {
			size_t len = strcspn(p, "\n");
			char *line = tu_strf("%.*s", (int)len, p);
			int hit = strstr(line, "warning") && strstr(line, a) &&
			    strstr(line, b);

			free(line);
			if (hit)
				return 1;
			p += len + (p[len] == '\n');
		}
	}
	return 0;
}

#define ASSERT_WARNED(r, a, b)						\
	ck_assert_msg(warned((r), (a), (b)), "no warning naming %s and "	\
	    "\"%s\":\n--- stdout:\n%s--- stderr:\n%s", (a), (b), (r)->out,	\
	    (r)->err)

/* The report's warnings[] has one naming both strings. */
static int
json_warned(struct json_object *j, const char *a, const char *b)
{
	struct json_object *w = tu_jarray(j, "warnings");
	size_t i;

	for (i = 0; i < json_object_array_length(w); i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(w, i));

		if (s != NULL && strstr(s, a) && strstr(s, b))
			return 1;
	}
	return 0;
}

#define ASSERT_JSON_WARNED(j, a, b)					\
	ck_assert_msg(json_warned((j), (a), (b)), "no warning naming %s and "\
	    "\"%s\" in %s", (a), (b), json_object_to_json_string(j))

/* Runs hivepatch COMMAND --json ARG... (up to a NULL), expecting
 * `status` (-1: any but 3); its report. */
static struct json_object *
json_run(struct tu_result *r, int status, const char *schema,
	 const char *command, ...) __attribute__((sentinel));

static struct json_object *
json_run(struct tu_result *r, int status, const char *schema,
	 const char *command, ...)
{
	const char *argv[TU_MAX_ARGS + 2] = { NULL, command, "--json" };
	size_t n = 3;
	va_list ap;

	va_start(ap, command);
	while ((argv[n] = va_arg(ap, const char *)) != NULL) {
		ck_assert(n < TU_MAX_ARGS);
		n++;
	}
	va_end(ap);
	tu_hp_argv(r, NULL, argv);
	if (status != -1)
		ASSERT_STATUS(r, status);
	else
		ck_assert_msg(r->status != 3, "refused:\n%s", r->err);
	return tu_parse_json(r, schema);
}

/* The file is the one taken in `st`, holding the bytes hashed in `sha`,
 * with as many names. */
static void
assert_kept(const char *path, const struct stat *st, const char *sha)
{
	tu_assert_same_file(path, st);
	ASSERT_HASH(path, sha);
}

/* ---- a file with a log's name that is no log of the hive ---- */

/* ln outside/precious.txt img/.../SOFTWARE.LOG1 (or another owner's
 * LOG1): apply goes through LOG2, recover finds nothing to do, verify,
 * inspect and export read, rollback puts the hive back; each warns,
 * and LOG1 is never touched. */
START_TEST(test_a_foreign_log_is_left_alone_by_every_command)
{
	char *sw, *root = tree(&sw);
	char *precious = precious_file(), *log1 = tu_pathf("%s.LOG1", sw);
	const char *why = foreign[_i].why;
	char sha[SHA256_HEX_LEN + 1], hive_sha[SHA256_HEX_LEN + 1];
	struct json_object *j;
	struct tu_result r;
	struct stat st;

	if (!make_foreign(log1, _i, precious))
		return;
	tu_stat(log1, &st);
	tu_sha256(log1, sha);
	tu_sha256(sw, hive_sha);

	j = json_run(&r, 0, "hivepatch-report/1", "apply", "--backup-dir",
	    tu_bk, root, NULL);
	ASSERT_JSON_WARNED(j, log1, why);
	ASSERT_JSON_WARNED(j, log1, "not a log of this hive");
	ck_assert_str_eq(tu_jstr(tu_jhive(j, "SOFTWARE"), "commit.log"),
	    tu_pathf("%s.LOG2", sw));
	json_object_put(j);
	tu_result_free(&r);
	assert_kept(log1, &st, sha);
	ck_assert_msg(access(tu_pathf("%s.LOG2", sw), F_OK) != 0,
	    "the log apply made for its commit is still there");

	tu_hp(&r, "recover", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_WARNED(&r, log1, why);
	tu_result_free(&r);
	tu_hp(&r, "verify", root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_WARNED(&r, log1, why);
	tu_result_free(&r);
	j = json_run(&r, -1, "hivepatch-inspect/1", "inspect", root, NULL);
	ASSERT_JSON_WARNED(j, log1, why);
	json_object_put(j);
	tu_result_free(&r);
	tu_hp(&r, "export", root, KEY, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_WARNED(&r, log1, why);
	tu_result_free(&r);
	assert_kept(log1, &st, sha);

	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_WARNED(&r, log1, why);
	tu_result_free(&r);
	ASSERT_HASH(sw, hive_sha);
	assert_kept(log1, &st, sha);
	if (_i == 0)
		assert_kept(precious, &st, sha);
}
END_TEST

/* A dirty hive beside such a file: what the file holds may be what its
 * recovery needs (Windows, to which a second name or an owner means
 * nothing, would read it).  recover and apply, dry or not, refuse it;
 * verify, inspect and export read it as the other log recovers it, and
 * say so.  LOG1 (whose entries come first) or LOG2 (the last). */
START_TEST(test_a_dirty_hive_beside_a_foreign_log_is_not_written)
{
	int k = _i % 3;
	char *hive = dirty_software(), *precious = precious_file();
	char *log = tu_pathf("%s.LOG%d", hive, _i < 3 ? 1 : 2);
	const char *why = foreign[k].why;
	const char *writing[][4] = {
		{ "recover", hive },
		{ "recover", "--dry-run", hive },
		{ "apply", "--commit=replace", hive },
		{ "apply", "--dry-run", hive },
	};
	struct tu_dir_files all;
	struct json_object *j;
	struct tu_result r;
	size_t i;

	if (!make_foreign(log, k, precious))
		return;
	tu_dir_files_take(&all, tu_scratch);
	for (i = 0; i < sizeof(writing) / sizeof(writing[0]); i++) {
		const char *argv[8] = { NULL, writing[i][0], "--backup-dir",
		    tu_bk, writing[i][1], writing[i][2], writing[i][3] };

		tu_hp_argv(&r, NULL, argv);
		ASSERT_STATUS(&r, 3);
		ASSERT_ERR(&r, hive);
		ASSERT_ERR(&r, log);
		ASSERT_ERR(&r, why);
		ASSERT_ERR(&r, "the recovery may need what it holds");
		tu_result_free(&r);
		tu_assert_dir_unchanged(&all);
	}
	j = json_run(&r, 3, "hivepatch-report/1", "recover", "--backup-dir",
	    tu_bk, hive, NULL);
	ck_assert_str_eq(tu_jstr(j, "reason"), "foreign-log");
	json_object_put(j);
	tu_result_free(&r);

	j = json_run(&r, -1, "hivepatch-inspect/1", "inspect", hive, NULL);
	ASSERT_JSON_WARNED(j, log, why);
	json_object_put(j);
	tu_result_free(&r);
	tu_hp(&r, "export", hive, "HKLM\\SOFTWARE\\MkDirty", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_WARNED(&r, log, why);
	tu_result_free(&r);
	tu_assert_dir_unchanged(&all);
	ck_assert_int_eq(tu_count_files(tu_bk), 0);
}
END_TEST

/* A log the run backed up, whose name has since become a second name of
 * a file outside the image: restoring it would write that name, which
 * is not the hive's to write.  Refused, forced or not, before anything
 * is written. */
START_TEST(test_rollback_does_not_restore_a_log_now_foreign)
{
	char *sw, *root = tree(&sw);
	char *precious = precious_file(), *log1 = tu_pathf("%s.LOG1", sw);
	struct tu_dir_files all;
	struct tu_result r;
	int force;

	tu_write_text(log1, "");
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	ck_assert(make_foreign(log1, 0, precious));
	tu_dir_files_take(&all, tu_scratch);
	for (force = 0; force < 2; force++) {
		const char *argv[] = { NULL, "rollback", "--backup-dir", tu_bk,
		    force ? "--force" : root, force ? root : NULL, NULL };

		tu_hp_argv(&r, NULL, argv);
		ASSERT_STATUS(&r, 3);
		ASSERT_ERR(&r, log1);
		ASSERT_ERR(&r, "has 2 hard links");
		ASSERT_ERR(&r, "even with --force");
		tu_result_free(&r);
		tu_assert_dir_unchanged(&all);
	}
}
END_TEST

/* The store itself never writes such a file, whoever asks: a write in
 * place, an emptying, a replacement, a removal. */
START_TEST(test_the_store_refuses_to_write_a_foreign_log)
{
	char *sw, *root = tree(&sw);
	char *precious = precious_file(), *log1 = tu_pathf("%s.LOG1", sw);
	char *src = tu_pathf("%s/src", tu_scratch);
	const struct hp_store_ops *ops;
	struct hp_store_hive *hives;
	struct tu_dir_files all;
	struct hp_store *s;
	struct hp_err e;
	void *priv;
	int fd;

	if (!make_foreign(log1, _i, precious))
		return;
	tu_write_text(src, "new log\n");
	tu_dir_files_take(&all, tu_scratch);
	ck_assert_int_eq(hp_store_open(root, &s, &e), 0);
	ops = hp_store_get_ops(s, &priv);
	ck_assert_uint_ge(hp_store_hives(s, &hives), 1);
	ck_assert_str_eq(hives[0].name, "SOFTWARE");
	ck_assert_int_eq(ops->lock(priv, &hives[0], &e), 0);
	fd = open(src, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ops->write_at(priv, &hives[0], "SOFTWARE.LOG1", 0,
	    "x", 1, &e), -1);
	ck_assert_str_eq(hp_reason_name(e.reason),
	    _i == 2 ? "not-regular" : "foreign-log");
	ck_assert_int_eq(ops->write_log(priv, &hives[0], "SOFTWARE.LOG1", -1,
	    NULL, NULL, &e), -1);
	ck_assert_int_eq(ops->write_log(priv, &hives[0], "SOFTWARE.LOG1", fd,
	    NULL, NULL, &e), -1);
	ck_assert_str_eq(hp_reason_name(e.reason), "foreign-log");
	ASSERT_HAS(e.msg, "message", foreign[_i].why);
	ck_assert_int_eq(ops->remove_log(priv, &hives[0], "SOFTWARE.LOG1",
	    &e), -1);
	ck_assert_str_eq(hp_reason_name(e.reason), "foreign-log");
	ASSERT_HAS(e.msg, "message", log1);
	close(fd);
	hp_store_close(s);
	tu_assert_dir_unchanged(&all);
	ck_assert_msg(access(log1, F_OK) == 0, "%s was removed", log1);
}
END_TEST

/* ---- a hive with more than one name ---- */

/* outside/alias is a second name of SOFTWARE.  In place (the default)
 * the commit writes the file both names lead to; --commit=replace gives
 * SOFTWARE a new file and leaves alias the old one.  rollback puts the
 * old hive back in place, or, after a replacement, finds one name. */
START_TEST(test_a_hive_with_hard_links_is_said_so)
{
	int replace = _i;
	char *sw, *root = tree(&sw);
	char *alias = tu_pathf("%s/alias", tu_dir_of(precious_file()));
	char before[SHA256_HEX_LEN + 1], after[SHA256_HEX_LEN + 1];
	struct json_object *j;
	struct tu_result r;
	struct stat st;

	ck_assert(link(sw, alias) == 0);
	tu_sha256(sw, before);
	tu_hp(&r, "verify", root, NULL);
	ASSERT_WARNED(&r, sw, "has 2 names (hard links)");
	tu_result_free(&r);

	j = json_run(&r, 0, "hivepatch-report/1", "apply", "--backup-dir",
	    tu_bk, replace ? "--commit=replace" : "--commit=logged", root,
	    NULL);
	ASSERT_JSON_WARNED(j, sw, "has 2 names (hard links)");
	ASSERT_JSON_WARNED(j, sw, replace ? "the other 1 keep the old hive" :
	    "every one of them holds the new hive");
	json_object_put(j);
	tu_result_free(&r);
	tu_sha256(sw, after);
	ck_assert_str_ne(after, before);
	tu_stat(sw, &st);
	ck_assert_uint_eq(st.st_nlink, replace ? 1 : 2);
	ASSERT_HASH(alias, replace ? before : after);

	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	if (!replace)
		ASSERT_WARNED(&r, sw, "every one of them holds the old hive");
	tu_result_free(&r);
	ASSERT_HASH(sw, before);
	ASSERT_HASH(alias, before);
}
END_TEST

/* The two reasons are refusals, named as the JSON reports print them. */
START_TEST(test_the_new_reasons_are_refusals)
{
	ck_assert_str_eq(hp_reason_name(HP_R_FOREIGN_LOG), "foreign-log");
	ck_assert_int_eq(hp_reason_status(HP_R_FOREIGN_LOG), HP_REFUSED);
	ck_assert_str_eq(hp_reason_name(HP_R_OUTPUT_IN_TARGET),
	    "output-in-target");
	ck_assert_int_eq(hp_reason_status(HP_R_OUTPUT_IN_TARGET), HP_REFUSED);
}
END_TEST

static Suite *
outside_suite(void)
{
	Suite *s = suite_create("outside");
	TCase *tc;

	tc = tu_tcase(s, "logs");
	tcase_add_loop_test(tc, test_a_foreign_log_is_left_alone_by_every_command,
	    0, 2);
	tcase_add_loop_test(tc,
	    test_a_dirty_hive_beside_a_foreign_log_is_not_written, 0, 6);
	tcase_add_test(tc, test_rollback_does_not_restore_a_log_now_foreign);
	tcase_add_loop_test(tc, test_the_store_refuses_to_write_a_foreign_log,
	    0, 3);
	tcase_add_test(tc, test_the_new_reasons_are_refusals);
	tc = tu_tcase(s, "hive links");
	tcase_add_loop_test(tc, test_a_hive_with_hard_links_is_said_so, 0, 2);
	return s;
}

int
main(void)
{
	return tu_run_suite(outside_suite(), "test_outside");
}
