/* SPDX-License-Identifier: GPL-3.0-or-later */
/* How hivepatch writes a hive, as a user relies on it: by default in
 * place, through the hive's own transaction log as Windows writes it
 * (the changed pages into NAME.LOG1, synced, then the hive), so that the
 * file keeps its inode, mode, owner, extended attributes and hard links;
 * a log the commit had to create is removed again, logs that were there
 * are emptied and stay the same files.  --commit=replace writes a new
 * file and renames it over the hive.  The log's format is that of the
 * logs already there, else the one the image's Windows reads (old before
 * build 9600).  A log name that is no log of the hive (a hard link, a
 * FIFO, another owner's file) is never written through (test_outside).
 * recover writes a dirty hive in place when one log is free of what its
 * recovery needs, and replaces it otherwise.
 *
 * The report says how: the text line "written:" and, in JSON, each
 * hive's "commit" object (null when the hive was not written).
 *
 * Every refusal checks the exit status, the message (naming the file and
 * the problem) and that every file is as it was, by hash and inode. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

#define TEST_XATTR	"user.hivepatch-test"
#define XATTR_VALUE	"kept across the commit"

/* ---- fixtures ---- */

/* tu_scratch/NAME, a Windows tree of mkhive's KIND (tree: Windows 10,
 * tree7: Windows 7); its SOFTWARE goes to *sw. */
static char *
make_tree(const char *kind, const char *name, char **sw)
{
	char *root = tu_make_tree(kind, name);

	*sw = tu_tree_file(root, "SOFTWARE");
	return root;
}

/* tu_scratch/d/SOFTWARE, made dirty by mkdirty MODE ("new": SOFTWARE.LOG1
 * and .LOG2 hold three entries; "old": one SOFTWARE.LOG1). */
static char *
dirty_software(const char *mode)
{
	char *clean = tu_pathf("%s/clean", tu_scratch);
	char *hive = tu_pathf("%s/d/SOFTWARE", tu_scratch);

	tu_mkdir_p(tu_dir_of(hive));
	tu_mkhive("software64-net48", clean, 0);
	tu_mkdirty(mode, clean, hive, NULL);
	return hive;
}

/* ---- running ---- */

/* hivepatch COMMAND --json --backup-dir tu_bk ARG... (up to a NULL),
 * which must exit 0; its report (json_object_put it; free r). */
static struct json_object *
report_of(struct tu_result *r, const char *command, ...)
	__attribute__((sentinel));

static struct json_object *
report_of(struct tu_result *r, const char *command, ...)
{
	const char *argv[TU_MAX_ARGS + 2] = { NULL, command, "--json",
	    "--backup-dir", tu_bk };
	size_t n = 5;
	va_list ap;

	va_start(ap, command);
	while ((argv[n] = va_arg(ap, const char *)) != NULL) {
		ck_assert(n < TU_MAX_ARGS);
		n++;
	}
	va_end(ap);
	tu_hp_argv(r, NULL, argv);
	ASSERT_STATUS(r, 0);
	return tu_parse_json(r, "hivepatch-report/1");
}

/* ---- assertions ---- */

/* hives[SOFTWARE].commit of a report: how it was written. */
static struct json_object *
commit_of(struct json_object *j)
{
	struct json_object *hive = tu_jhive(j, "SOFTWARE");
	struct json_object *c = tu_jget(hive, "commit");

	ck_assert_msg(c != NULL && json_object_is_type(c, json_type_object),
	    "SOFTWARE was not reported written: %s",
	    json_object_to_json_string(hive));
	return c;
}

/* Written in place through the log `log` beside the hive, in `format`;
 * returns pages_written.  The log is named by its path, as the report
 * names the hive (and its other logs). */
static long long
assert_logged(struct json_object *j, const char *log, const char *format)
{
	struct json_object *c = commit_of(j);
	const char *hive = tu_jstr(tu_jhive(j, "SOFTWARE"), "path");

	ck_assert_str_eq(tu_jstr(c, "method"), "logged");
	ck_assert_str_eq(tu_jstr(c, "log"), tu_pathf("%s/%s", tu_dir_of(hive),
	    log));
	ck_assert_str_eq(tu_jstr(c, "log_format"), format);
	return tu_jint(c, "pages_written");
}

/* Written as a new file renamed over the hive: no log, no pages. */
static void
assert_replaced(struct json_object *j)
{
	struct json_object *c = commit_of(j);

	ck_assert_str_eq(tu_jstr(c, "method"), "replace");
	ck_assert(tu_jnull(c, "log"));
	ck_assert(tu_jnull(c, "pages_written"));
}

/* Some pages were written, fewer than the hive has: only what changed. */
static void
assert_few_pages(const char *hive, long long pages)
{
	long long hive_pages = (long long)tu_file_size(hive) / REGF_PAGE - 1;

	ck_assert_msg(pages > 0 && pages < hive_pages, "%lld pages written "
	    "in place, the hive has %lld", pages, hive_pages);
}

/* The text report's line "written:  in place through LOG (FORMAT
 * format), N pages of 4 KiB"; returns N. */
static long long
written_line_pages(const struct tu_result *r, const char *log,
		   const char *format)
{
	char *want = tu_pathf("written:  in place through %s (%s format), ",
	    log, format);
	char *line = tu_line_of(r->out, "written:");
	char *end;
	long long pages;

	ck_assert_msg(strncmp(line, want, strlen(want)) == 0, "'%s' does not "
	    "start with '%s'", line, want);
	pages = strtoll(line + strlen(want), &end, 10);
	ck_assert_str_eq(end, pages == 1 ? " page of 4 KiB" : " pages of 4 KiB");
	return pages;
}

/* ---- a file's identity ---- */

/* What a commit in place must keep of the hive: its inode, mode (set to
 * 0640 here), owner, an extended attribute (when the filesystem takes
 * user attributes) and a hard link beside it. */
struct identity {
	struct stat st;
	char *link;
	int xattr;		/* 0: the filesystem refused it (ENOTSUP) */
};

static void
identity_take(struct identity *id, const char *hive)
{
	ck_assert(chmod(hive, 0640) == 0);
	id->link = tu_pathf("%s.hardlink", hive);
	ck_assert_msg(link(hive, id->link) == 0, "link %s: %s", id->link,
	    strerror(errno));
	id->xattr = setxattr(hive, TEST_XATTR, XATTR_VALUE,
	    strlen(XATTR_VALUE), 0) == 0;
	ck_assert_msg(id->xattr || errno == ENOTSUP, "setxattr %s: %s", hive,
	    strerror(errno));
	if (!id->xattr)
		fprintf(stderr, "SKIP: %s: the filesystem takes no user "
		    "extended attributes; not checked\n", hive);
	tu_stat(hive, &id->st);
}

static void
assert_identity_kept(const struct identity *id, const char *hive)
{
	char hive_hash[SHA256_HEX_LEN + 1];
	char value[64];
	ssize_t len;
	struct stat st;

	tu_assert_same_file(hive, &id->st);
	ck_assert_int_eq(id->st.st_mode & 07777, 0640);
	tu_stat(id->link, &st);
	ck_assert_msg(st.st_ino == id->st.st_ino, "%s no longer names the hive",
	    id->link);
	tu_sha256(hive, hive_hash);
	ASSERT_HASH(id->link, hive_hash);
	if (!id->xattr)
		return;
	len = getxattr(hive, TEST_XATTR, value, sizeof(value));
	ck_assert_msg(len >= 0, "%s: %s is gone: %s", hive, TEST_XATTR,
	    strerror(errno));
	ck_assert_msg((size_t)len == strlen(XATTR_VALUE) &&
	    memcmp(value, XATTR_VALUE, (size_t)len) == 0, "%s: %s changed",
	    hive, TEST_XATTR);
}

/* ---- apply in place ---- */

/* A Windows 10 tree gets a new-format log, a Windows 7 tree (build
 * 7601) an old-format one; the text and JSON reports say so. */
static const struct {
	const char *tree, *format;
	int json;
} in_place[] = {
	{ "tree", "new", 0 },
	{ "tree", "new", 1 },
	{ "tree7", "old", 0 },
	{ "tree7", "old", 1 },
};

START_TEST(test_apply_writes_in_place_and_the_file_keeps_its_identity)
{
	char *sw, *root = make_tree(in_place[_i].tree, "img", &sw);
	struct tu_dir_files config;
	struct identity id;
	struct json_object *j;
	struct tu_result r;
	long long pages;
	char *manifest;

	identity_take(&id, sw);
	tu_dir_files_take(&config, tu_dir_of(sw));
	if (in_place[_i].json) {
		j = report_of(&r, "apply", root, NULL);
		pages = assert_logged(j, "SOFTWARE.LOG1", in_place[_i].format);
		json_object_put(j);
	} else {
		tu_hp(&r, "apply", "--backup-dir", tu_bk, root, NULL);
		ASSERT_STATUS(&r, 0);
		pages = written_line_pages(&r, "SOFTWARE.LOG1",
		    in_place[_i].format);
	}
	tu_result_free(&r);

	assert_few_pages(sw, pages);
	assert_identity_kept(&id, sw);
	/* The SOFTWARE.LOG1 it wrote through is gone again, and nothing
	 * else was left beside the hives. */
	tu_assert_dir_same_paths(&config);
	tu_assert_net4(sw);
	ASSERT_RUN(0, "verify", root, NULL);
	/* Its backup names the log format, which rollback writes back
	 * through: Windows 7 reads no other. */
	ck_assert_int_eq(tu_count_backups(tu_bk, &manifest), 1);
	j = json_object_from_file(manifest);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(tu_jstr(j, "log_format"), in_place[_i].format);
	json_object_put(j);
	free(manifest);
}
END_TEST

/* Empty logs beside the hive are written through and emptied again:
 * the same files, still there. */
START_TEST(test_apply_keeps_the_logs_that_were_there)
{
	char *sw, *root = make_tree("tree", "img", &sw);
	char *log1 = tu_pathf("%s.LOG1", sw), *log2 = tu_pathf("%s.LOG2", sw);
	struct stat sw_st, log1_st, log2_st;
	struct tu_dir_files config;
	struct json_object *j;
	struct tu_result r;

	tu_write_text(log1, "");
	tu_write_text(log2, "");
	tu_stat(sw, &sw_st);
	tu_stat(log1, &log1_st);
	tu_stat(log2, &log2_st);
	tu_dir_files_take(&config, tu_dir_of(sw));

	j = report_of(&r, "apply", root, NULL);
	assert_few_pages(sw, assert_logged(j, "SOFTWARE.LOG1", "new"));
	json_object_put(j);
	tu_result_free(&r);

	tu_assert_same_file(sw, &sw_st);
	tu_assert_same_file(log1, &log1_st);
	tu_assert_same_file(log2, &log2_st);
	ck_assert_int_eq(tu_file_size(log1), 0);
	ck_assert_int_eq(tu_file_size(log2), 0);
	tu_assert_dir_same_paths(&config);
	ASSERT_RUN(0, "verify", root, NULL);
}
END_TEST

/* A clean hive whose logs still hold stale entries: the log is written
 * in their format, not the one the image's build would choose. */
static const struct {
	const char *tree, *stale, *format;
} stale_logs[] = {
	{ "tree", "old", "old" },	/* Windows 10, old-format logs */
	{ "tree7", "new", "new" },	/* Windows 7, new-format logs */
};

START_TEST(test_apply_writes_the_format_of_the_logs_already_there)
{
	char *sw, *root = make_tree(stale_logs[_i].tree, "img", &sw);
	char *clean = tu_pathf("%s/clean", tu_scratch);
	struct json_object *j;
	struct tu_result r;
	struct stat st;

	/* mkdirty leaves the recovered hive in SOFTWARE.expected: copied
	 * over SOFTWARE, it is clean, its logs stale. */
	tu_copy_file(sw, clean);
	tu_mkdirty(stale_logs[_i].stale, clean, sw, NULL);
	tu_copy_file(tu_pathf("%s.expected", sw), sw);
	tu_stat(sw, &st);

	j = report_of(&r, "apply", root, NULL);
	assert_logged(j, "SOFTWARE.LOG1", stale_logs[_i].format);
	ck_assert(!tu_jbool(tu_jhive(j, "SOFTWARE"), "dirty"));
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_same_file(sw, &st);
	ck_assert_int_eq(tu_file_size(tu_pathf("%s.LOG1", sw)), 0);
	ASSERT_RUN(0, "verify", root, NULL);
}
END_TEST

START_TEST(test_commit_replace_renames_a_new_file_over_the_hive)
{
	char *sw, *root = make_tree("tree", "img", &sw);
	struct tu_dir_files config;
	struct json_object *j;
	struct tu_result r;
	struct stat before, after;

	char value[64];
	ssize_t len;
	int xattr;

	/* The new file gets the old one's extended attributes. */
	xattr = setxattr(sw, TEST_XATTR, XATTR_VALUE, strlen(XATTR_VALUE),
	    0) == 0;
	tu_stat(sw, &before);
	tu_dir_files_take(&config, tu_dir_of(sw));
	j = report_of(&r, "apply", "--commit=replace", root, NULL);
	assert_replaced(j);
	json_object_put(j);
	tu_result_free(&r);
	tu_stat(sw, &after);
	ck_assert_msg(after.st_ino != before.st_ino, "%s kept its inode", sw);
	len = getxattr(sw, TEST_XATTR, value, sizeof(value));
	ck_assert_msg(!xattr || ((size_t)len == strlen(XATTR_VALUE) &&
	    memcmp(value, XATTR_VALUE, (size_t)len) == 0), "%s: %s not "
	    "copied to the new file", sw, TEST_XATTR);
	tu_assert_dir_same_paths(&config);
	ASSERT_RUN(0, "verify", root, NULL);

	/* The text report says so too. */
	root = make_tree("tree", "img2", &sw);
	tu_hp(&r, "apply", "--commit=replace", "--backup-dir", tu_bk, root,
	    NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_str_eq(tu_line_of(r.out, "written:"),
	    "written:  whole, as a new file in place of the old one");
	tu_result_free(&r);
}
END_TEST

/* The same tree applied twice: the second run has nothing to write and
 * writes nothing, not even a log. */
START_TEST(test_a_second_apply_writes_nothing)
{
	char *sw, *root = make_tree("tree", "img", &sw);
	struct tu_dir_files config;
	struct json_object *j;
	struct tu_result r;

	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	tu_dir_files_take(&config, tu_dir_of(sw));
	j = report_of(&r, "apply", root, NULL);
	ck_assert_msg(tu_jnull(tu_jhive(j, "SOFTWARE"), "commit"), "commit is "
	    "not null: %s", r.out);
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_dir_unchanged(&config);
}
END_TEST

/* ---- refusals ---- */

/* --commit takes logged or replace: anything else is a usage error of
 * every command that writes, before anything is read or written. */
START_TEST(test_commit_with_another_value_is_a_usage_error)
{
	static const char *const commands[] = { "apply", "import", "recover" };
	char *sw, *root = make_tree("tree", "img", &sw);
	char *reg = tu_pathf("%s/a.reg", tu_scratch);
	struct tu_dir_files all;
	struct tu_result r;
	size_t i;

	tu_write_text(reg, "Windows Registry Editor Version 5.00\r\n");
	tu_dir_files_take(&all, tu_scratch);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const char *argv[] = { NULL, commands[i], "--commit=bogus",
		    "--backup-dir", tu_bk, root, NULL, NULL };

		if (strcmp(commands[i], "import") == 0) {
			argv[5] = reg;
			argv[6] = root;
		}
		tu_hp_argv(&r, NULL, argv);
		ck_assert_msg(r.status == 2, "%s: exit %d, expected 2\n%s",
		    commands[i], r.status, r.err);
		ASSERT_ERR(&r, "--commit");
		ASSERT_ERR(&r, "'bogus'");
		tu_result_free(&r);
	}
	tu_assert_dir_unchanged(&all);
	ck_assert_int_eq(tu_count_files(tu_bk), 0);
}
END_TEST

/* ---- import and recover ---- */

START_TEST(test_import_writes_in_place)
{
	char *sw, *root = make_tree("tree", "img", &sw);
	char *reg = tu_pathf("%s/a.reg", tu_scratch);
	struct tu_dir_files config;
	struct json_object *j;
	struct tu_result r;
	struct stat st;

	tu_write_text(reg, "Windows Registry Editor Version 5.00\r\n\r\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchTest]\r\n"
	    "\"A\"=dword:00000001\r\n");
	tu_stat(sw, &st);
	tu_dir_files_take(&config, tu_dir_of(sw));
	j = report_of(&r, "import", reg, root, NULL);
	assert_few_pages(sw, assert_logged(j, "SOFTWARE.LOG1", "new"));
	json_object_put(j);
	tu_result_free(&r);
	tu_assert_same_file(sw, &st);
	tu_assert_dir_same_paths(&config);
	tu_assert_dword(sw, "HivepatchTest", "A", 1);
}
END_TEST

/* A dirty hive with one of its logs gone: its recovery reads the other
 * alone, and the commit appends its entry there, continuing it, as
 * Windows does; no log is made for it.  LOG1 gone: LOG2's entry, which
 * adds MkDirty\Big, is replayed; LOG2 gone: LOG1's two entries, the
 * first of which adds MkDirty\Alpha. */
static const struct {
	const char *gone, *kept, *key;
} one_log[] = {
	{ "SOFTWARE.LOG1", "SOFTWARE.LOG2", "MkDirty\\Big" },
	{ "SOFTWARE.LOG2", "SOFTWARE.LOG1", "MkDirty\\Alpha" },
};

START_TEST(test_recover_appends_to_the_one_log_its_recovery_reads)
{
	char *hive = dirty_software("new");
	char *gone = tu_pathf("%s/%s", tu_dir_of(hive), one_log[_i].gone);
	char *kept = tu_pathf("%s/%s", tu_dir_of(hive), one_log[_i].kept);
	struct tu_dir_files dir;
	struct json_object *j;
	struct tu_result r;
	struct stat st;

	ck_assert(unlink(gone) == 0);
	tu_stat(hive, &st);
	tu_dir_files_take(&dir, tu_dir_of(hive));
	j = report_of(&r, "recover", hive, NULL);
	ck_assert(tu_jbool(tu_jhive(j, "SOFTWARE"), "recovery.replayed"));
	ck_assert_int_gt(assert_logged(j, one_log[_i].kept, "new"), 0);
	json_object_put(j);
	tu_result_free(&r);

	tu_assert_same_file(hive, &st);
	ck_assert_msg(access(gone, F_OK) != 0, "%s was made", gone);
	ck_assert_int_eq(tu_file_size(kept), 0);
	tu_assert_dir_same_paths(&dir);
	ck_assert(tu_hive_key_exists(hive, one_log[_i].key));
	/* Written clean: nothing left to recover. */
	tu_hp(&r, "recover", hive, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "clean");
	tu_result_free(&r);
}
END_TEST

/* A dirty hive whose recovery needs every log it has.  New format
 * (LOG1, then LOG2): the commit appends to LOG2, where the recovery
 * ends, in place.  Old format (its one log, and Windows 7 looks in no
 * other): the hive is replaced, as the help says. */
static const char *const modes[] = { "new", "old" };

START_TEST(test_recover_of_a_hive_that_needs_all_its_logs)
{
	char *hive = dirty_software(modes[_i]);
	struct tu_hive_files before;
	struct json_object *j;
	struct tu_result r;
	struct stat st, now;

	tu_stat(hive, &st);
	tu_hive_files_take(&before, hive);
	j = report_of(&r, "recover", hive, NULL);
	if (_i == 0)
		ck_assert_int_gt(assert_logged(j, "SOFTWARE.LOG2", "new"), 0);
	else
		assert_replaced(j);
	json_object_put(j);
	tu_result_free(&r);
	tu_stat(hive, &now);
	ck_assert_msg((now.st_ino == st.st_ino) == (_i == 0), "%s: inode "
	    "%s", hive, _i == 0 ? "changed" : "kept");
	tu_assert_same_hive(hive, tu_pathf("%s.expected", hive));
	tu_assert_recovered_and_logs_reset(&before);
}
END_TEST

/* ---- help ---- */

/* The synopses of the three commands that write (apply, import,
 * recover) offer --commit, and the option list explains both methods. */
START_TEST(test_help_names_the_commit_methods)
{
	const char *p;
	struct tu_result r;
	int offered = 0;

	tu_hp(&r, "--help", NULL);
	ASSERT_STATUS(&r, 0);
	for (p = r.out; (p = strstr(p, "[--commit=logged|replace]")) != NULL;
	    p++)
		offered++;
	ck_assert_msg(offered == 3, "%d synopses offer --commit, expected 3:"
	    "\n%s", offered, r.out);
	ck_assert_msg(tu_count_lines(r.out, "  --commit=logged ") == 1 &&
	    tu_count_lines(r.out, "  --commit=replace ") == 1, "--help does "
	    "not explain --commit=logged and --commit=replace:\n%s", r.out);
	tu_result_free(&r);
}
END_TEST

/* ---- the suite ---- */

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
commit_suite(void)
{
	Suite *s = suite_create("commit");
	TCase *tc;

	tc = tu_tcase(s, "apply");
	tcase_add_loop_test(tc,
	    test_apply_writes_in_place_and_the_file_keeps_its_identity, 0,
	    N(in_place));
	tcase_add_test(tc, test_apply_keeps_the_logs_that_were_there);
	tcase_add_loop_test(tc,
	    test_apply_writes_the_format_of_the_logs_already_there, 0,
	    N(stale_logs));
	tcase_add_test(tc, test_commit_replace_renames_a_new_file_over_the_hive);
	tcase_add_test(tc, test_a_second_apply_writes_nothing);

	tc = tu_tcase(s, "refusals");
	tcase_add_test(tc, test_commit_with_another_value_is_a_usage_error);

	tc = tu_tcase(s, "import-recover");
	tcase_add_test(tc, test_import_writes_in_place);
	tcase_add_loop_test(tc,
	    test_recover_appends_to_the_one_log_its_recovery_reads, 0,
	    N(one_log));
	tcase_add_loop_test(tc,
	    test_recover_of_a_hive_that_needs_all_its_logs, 0, N(modes));

	tc = tu_tcase(s, "help");
	tcase_add_test(tc, test_help_names_the_commit_methods);
	return s;
}

int
main(void)
{
	return tu_run_suite(commit_suite(), "hivepatch-test-commit");
}
