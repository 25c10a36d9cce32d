/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hivepatch backups, and rollback --to, as a user relies on them.
 *
 * `backups TARGET` lists the runs whose backups would undo what the
 * target's hives hold now: for each hive, the backup whose run left its
 * SHA-256, then the one whose run left what that run found, and so on;
 * merged into runs by id, newest first, each with the step at which
 * rollback undoes it.  The chain follows the bytes, so it is the same
 * after the image moved.  `rollback --to ID` undoes run after run until
 * the run ID is undone, and writes nothing when ID is not in that list.
 *
 * Every refusal checks the exit status, that the message names what it
 * is about, and that every file is as it was (by hash and inode). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

#define REG_HEADER "Windows Registry Editor Version 5.00\n\n"

/* A .reg file with a key in SOFTWARE alone. */
static const char software_reg[] = REG_HEADER
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchBackups]\n"
    "\"A\"=dword:00000001\n";

/* And one with a key in each hive: its run writes both. */
static const char both_hives_reg[] = REG_HEADER
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchBackups]\n"
    "\"B\"=dword:00000002\n"
    "\n"
    "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\HivepatchBackups]\n"
    "\"C\"=dword:00000003\n";

/* ---- fixtures and running ---- */

/* A tree (tu_scratch/img) patched twice: `apply` (net4-tls12, SOFTWARE),
 * then `import` of `reg`.  The hashes of SOFTWARE and SYSTEM before the
 * first run go to sw0 and sys0 (either may be NULL). */
static char *
tree_patched_twice(const char *reg, char *sw0, char *sys0)
{
	char *root = tu_make_tree("tree", "img");
	char *file = tu_pathf("%s/second.reg", tu_scratch);

	if (sw0 != NULL)
		tu_sha256(tu_tree_file(root, "SOFTWARE"), sw0);
	if (sys0 != NULL)
		tu_sha256(tu_tree_file(root, "SYSTEM"), sys0);
	tu_write_text(file, reg);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, file, root, NULL);
	return root;
}

/* `backups --json` of the target, which must exit 0: the document
 * (json_object_put it) and its list of runs in *runs. */
static struct json_object *
backups_of(const char *target, struct json_object **runs)
{
	struct json_object *doc;
	struct tu_result r;

	tu_hp(&r, "backups", "--json", "--backup-dir", tu_bk, target, NULL);
	ASSERT_STATUS(&r, 0);
	doc = tu_parse_json(&r, "hivepatch-backups/1");
	tu_result_free(&r);
	ck_assert_str_eq(tu_jstr(doc, "target"), target);
	ck_assert_str_eq(tu_jstr(doc, "backup_dir"), tu_bk);
	ck_assert(tu_jnull(doc, "error"));
	*runs = tu_jarray(doc, "backups");
	return doc;
}

static struct json_object *
run_at(struct json_object *runs, size_t i)
{
	ck_assert_uint_gt(json_object_array_length(runs), i);
	return json_object_array_get_idx(runs, i);
}

/* The run's one hive, of kind `kind` (its hives must be just that). */
static struct json_object *
only_hive(struct json_object *run, const char *kind)
{
	struct json_object *hives = tu_jarray(run, "hives");

	ck_assert_msg(json_object_array_length(hives) == 1,
	    "run %s: %zu hives, expected 1", tu_jstr(run, "id"),
	    json_object_array_length(hives));
	ck_assert_str_eq(tu_jstr(json_object_array_get_idx(hives, 0), "kind"),
	    kind);
	return json_object_array_get_idx(hives, 0);
}

/* The id of the run at `step` in the target's list (a tu_pathf string). */
static char *
id_at_step(const char *target, int step)
{
	struct json_object *runs, *doc = backups_of(target, &runs);
	char *id = tu_pathf("%s", tu_jstr(run_at(runs, (size_t)step - 1),
	    "id"));

	json_object_put(doc);
	return id;
}

/* The tree's hives hold what they held before the first run, and
 * nothing is left to undo. */
static void
assert_all_undone(const char *root, const char *sw0, const char *sys0)
{
	struct json_object *runs, *doc;

	ASSERT_HASH(tu_tree_file(root, "SOFTWARE"), sw0);
	ASSERT_HASH(tu_tree_file(root, "SYSTEM"), sys0);
	doc = backups_of(root, &runs);
	ck_assert_uint_eq(json_object_array_length(runs), 0);
	json_object_put(doc);
}

/* ---- listing ---- */

/* Two runs, newest first, with steps 1 and 2, their commands and
 * profiles, and hashes that chain: each run found what the one before
 * it left, the oldest found the hive as it was, the newest left what it
 * holds now. */
START_TEST(test_backups_lists_the_runs_newest_first_with_their_steps)
{
	char sw0[SHA256_HEX_LEN + 1], now[SHA256_HEX_LEN + 1];
	char *root = tree_patched_twice(software_reg, sw0, NULL);
	struct json_object *runs, *doc = backups_of(root, &runs);
	struct json_object *newer, *older, *h1, *h2;

	tu_sha256(tu_tree_file(root, "SOFTWARE"), now);
	ck_assert_uint_eq(json_object_array_length(runs), 2);
	newer = run_at(runs, 0);
	older = run_at(runs, 1);
	ck_assert_int_eq(tu_jint(newer, "step"), 1);
	ck_assert_int_eq(tu_jint(older, "step"), 2);
	ck_assert_str_eq(tu_jstr(newer, "command"), "import");
	ck_assert_str_eq(tu_jstr(older, "command"), "apply");
	ck_assert_int_gt(strcmp(tu_jstr(newer, "id"), tu_jstr(older, "id")), 0);
	ck_assert_uint_eq(json_object_array_length(tu_jarray(older,
	    "profiles")), 1);
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(
	    tu_jarray(older, "profiles"), 0)), "net4-tls12");
	h1 = only_hive(newer, "SOFTWARE");
	h2 = only_hive(older, "SOFTWARE");
	ck_assert_str_eq(tu_jstr(h1, "path"), tu_tree_file(root, "SOFTWARE"));
	ck_assert_str_eq(tu_jstr(h1, "sha256_after"), now);
	ck_assert_str_eq(tu_jstr(h1, "sha256_before"),
	    tu_jstr(h2, "sha256_after"));
	ck_assert_str_eq(tu_jstr(h2, "sha256_before"), sw0);
	ck_assert_str_eq(tu_jstr(h1, "backup"), "pages");
	ck_assert_int_gt(tu_jint(h1, "bytes"), 0);
	ck_assert_int_eq(tu_jint(newer, "bytes"), tu_jint(h1, "bytes"));
	json_object_put(doc);
}
END_TEST

/* The table has a header and a row per run, with both ids, and names
 * the hives' paths. */
START_TEST(test_backups_text_has_a_row_per_run)
{
	char *root = tree_patched_twice(software_reg, NULL, NULL);
	char *newer = id_at_step(root, 1), *older = id_at_step(root, 2);
	struct tu_result r;

	tu_hp(&r, "backups", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, root);
	ck_assert_int_eq(tu_count_lines(r.out, "step "), 1);
	ASSERT_HAS(tu_line_of(r.out, "1 "), "the row of step 1", newer);
	ASSERT_HAS(tu_line_of(r.out, "1 "), "the row of step 1", "import");
	ASSERT_HAS(tu_line_of(r.out, "2 "), "the row of step 2", older);
	ASSERT_HAS(tu_line_of(r.out, "2 "), "the row of step 2", "apply");
	ASSERT_HAS(tu_line_of(r.out, "2 "), "the row of step 2", "net4-tls12");
	ASSERT_OUT(&r, tu_tree_file(root, "SOFTWARE"));
	tu_result_free(&r);
}
END_TEST

/* The chain follows the bytes, not the place: after the tree moved the
 * list is the same, with the hives' new paths. */
START_TEST(test_backups_after_a_move_lists_the_same_runs)
{
	char *root = tree_patched_twice(software_reg, NULL, NULL);
	char *moved = tu_pathf("%s/moved", tu_scratch);
	struct json_object *before_runs, *after_runs, *before, *after;
	size_t i;

	before = backups_of(root, &before_runs);
	ck_assert(rename(root, moved) == 0);
	after = backups_of(moved, &after_runs);
	ck_assert_uint_eq(json_object_array_length(after_runs), 2);
	for (i = 0; i < 2; i++) {
		struct json_object *b = run_at(before_runs, i);
		struct json_object *a = run_at(after_runs, i);

		ck_assert_str_eq(tu_jstr(a, "id"), tu_jstr(b, "id"));
		ck_assert_int_eq(tu_jint(a, "step"), tu_jint(b, "step"));
		ck_assert_str_eq(tu_jstr(only_hive(a, "SOFTWARE"),
		    "sha256_after"), tu_jstr(only_hive(b, "SOFTWARE"),
		    "sha256_after"));
		ck_assert_str_eq(tu_jstr(only_hive(a, "SOFTWARE"), "path"),
		    tu_tree_file(moved, "SOFTWARE"));
	}
	json_object_put(before);
	json_object_put(after);
}
END_TEST

/* A run that wrote SOFTWARE and SYSTEM is one row with both hives, and
 * the bytes of both. */
START_TEST(test_a_two_hive_run_is_one_row_with_two_hives)
{
	char *root = tree_patched_twice(both_hives_reg, NULL, NULL);
	struct json_object *runs, *doc = backups_of(root, &runs);
	struct json_object *run, *hives, *sw, *sys;

	ck_assert_uint_eq(json_object_array_length(runs), 2);
	run = run_at(runs, 0);
	ck_assert_str_eq(tu_jstr(run, "command"), "import");
	hives = tu_jarray(run, "hives");
	ck_assert_uint_eq(json_object_array_length(hives), 2);
	sw = json_object_array_get_idx(hives, 0);
	sys = json_object_array_get_idx(hives, 1);
	ck_assert_str_eq(tu_jstr(sw, "kind"), "SOFTWARE");
	ck_assert_str_eq(tu_jstr(sys, "kind"), "SYSTEM");
	ck_assert_str_eq(tu_jstr(sys, "path"), tu_tree_file(root, "SYSTEM"));
	ck_assert_int_eq(tu_jint(run, "bytes"), tu_jint(sw, "bytes") +
	    tu_jint(sys, "bytes"));
	only_hive(run_at(runs, 1), "SOFTWARE");
	json_object_put(doc);
}
END_TEST

/* A bare hive file is named by the kind its content shows, as apply's
 * report names it, whatever the file is called; listing writes
 * nothing. */
START_TEST(test_a_bare_hive_file_is_named_by_its_kind)
{
	char *dir = tu_pathf("%s/bare", tu_scratch);
	char *sw = tu_pathf("%s/soft.hiv", dir), *sys = tu_pathf("%s/sys.hiv",
	    dir);
	char *reg = tu_pathf("%s/system.reg", tu_scratch);
	char sw_now[SHA256_HEX_LEN + 1], sys_now[SHA256_HEX_LEN + 1];
	struct json_object *runs, *doc;
	struct tu_dir_files bk;
	struct tu_result r;

	tu_mkdir_p(dir);
	tu_mkhive("software64-net48", sw, 0);
	tu_mkhive("system", sys, 0);
	tu_write_text(reg, REG_HEADER "[HKEY_LOCAL_MACHINE\\SYSTEM\\"
	    "CurrentControlSet\\Control\\HivepatchBackups]\n"
	    "\"C\"=dword:00000003\n");
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, sw, NULL);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, reg, sys, NULL);
	tu_sha256(sw, sw_now);
	tu_sha256(sys, sys_now);
	tu_dir_files_take(&bk, tu_bk);

	doc = backups_of(sw, &runs);
	ck_assert_uint_eq(json_object_array_length(runs), 1);
	ck_assert_str_eq(tu_jstr(only_hive(run_at(runs, 0), "SOFTWARE"),
	    "path"), sw);
	json_object_put(doc);
	doc = backups_of(sys, &runs);
	ck_assert_uint_eq(json_object_array_length(runs), 1);
	ck_assert_str_eq(tu_jstr(only_hive(run_at(runs, 0), "SYSTEM"),
	    "path"), sys);
	json_object_put(doc);
	tu_hp(&r, "backups", "--backup-dir", tu_bk, sw, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_HAS(tu_line_of(r.out, "1 "), "the row of step 1", "SOFTWARE");
	ASSERT_LACKS(tu_line_of(r.out, "1 "), "the row of step 1", "soft.hiv");
	ASSERT_HAS(tu_line_of(r.out, "SOFTWARE "), "the path line", sw);
	tu_result_free(&r);

	ASSERT_HASH(sw, sw_now);
	ASSERT_HASH(sys, sys_now);
	tu_assert_dir_unchanged(&bk);
}
END_TEST

START_TEST(test_no_backups_is_an_empty_list)
{
	char *root = tu_make_tree("tree", "img");
	struct json_object *runs, *doc = backups_of(root, &runs);
	struct tu_result r;

	ck_assert_uint_eq(json_object_array_length(runs), 0);
	ck_assert_uint_eq(json_object_array_length(tu_jarray(doc, "changed")),
	    0);
	json_object_put(doc);
	tu_hp(&r, "backups", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "no backups: nothing that rollback could undo");
	tu_result_free(&r);

	/* Nor after the runs were undone: the hive holds what a run of it
	 * found, which is no change since. */
	tu_write_text(tu_pathf("%s/second.reg", tu_scratch), software_reg);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, tu_pathf(
	    "%s/second.reg", tu_scratch), root, NULL);
	ASSERT_RUN(0, "rollback", "--to", id_at_step(root, 2), "--backup-dir",
	    tu_bk, root, NULL);
	doc = backups_of(root, &runs);
	ck_assert_uint_eq(json_object_array_length(runs), 0);
	ck_assert_uint_eq(json_object_array_length(tu_jarray(doc, "changed")),
	    0);
	json_object_put(doc);
	tu_hp(&r, "backups", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "no backups: nothing that rollback could undo");
	tu_result_free(&r);
}
END_TEST

/* A hive changed since its last run (by someone whose backups went
 * elsewhere): no run undoes what it holds, and the listing says why
 * rollback refuses its latest backup, as rollback then does: a whole
 * copy is put back only with --force; pages not even then.  Listing
 * writes nothing. */
static const struct {
	const char *backup;	/* apply's --backup= */
	int force_restores;
} changed_since[] = {
	{ "full", 1 },
	{ "pages", 0 },
};

START_TEST(test_a_hive_changed_since_says_why_rollback_refuses_it)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *reg = tu_pathf("%s/other.reg", tu_scratch);
	char *other_bk = tu_pathf("%s/other-backups", tu_scratch);
	char now[SHA256_HEX_LEN + 1], *id, *line;
	struct json_object *runs, *doc, *changed, *c;
	struct tu_dir_files tree, bk;
	struct tu_result r;

	ASSERT_RUN(0, "apply", tu_pathf("--backup=%s",
	    changed_since[_i].backup), "--backup-dir", tu_bk, root, NULL);
	id = id_at_step(root, 1);
	tu_write_text(reg, software_reg);
	ASSERT_RUN(0, "import", "--backup-dir", other_bk, reg, root, NULL);
	tu_sha256(sw, now);
	tu_dir_files_take(&tree, root);
	tu_dir_files_take(&bk, tu_bk);

	doc = backups_of(root, &runs);
	ck_assert_uint_eq(json_object_array_length(runs), 0);
	changed = tu_jarray(doc, "changed");
	ck_assert_uint_eq(json_object_array_length(changed), 1);
	c = json_object_array_get_idx(changed, 0);
	ck_assert_str_eq(tu_jstr(c, "kind"), "SOFTWARE");
	ck_assert_str_eq(tu_jstr(c, "path"), sw);
	ck_assert_str_eq(tu_jstr(c, "id"), id);
	ck_assert_str_eq(tu_jstr(c, "backup"), changed_since[_i].force_restores ?
	    "hive" : "pages");
	ck_assert_int_eq(tu_jbool(c, "force_restores"),
	    changed_since[_i].force_restores);
	json_object_put(doc);

	tu_hp(&r, "backups", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "no backups that undo what the hives hold now");
	line = tu_line_of(r.out, "SOFTWARE ");
	ASSERT_HAS(line, "the hive's line", sw);
	ASSERT_HAS(line, "the hive's line", id);
	ASSERT_HAS(line, "the hive's line", "changed since");
	ASSERT_HAS(line, "the hive's line", changed_since[_i].force_restores ?
	    "only with --force" : "cannot undo it, even with --force");
	tu_result_free(&r);
	tu_assert_dir_unchanged(&tree);
	tu_assert_dir_unchanged(&bk);

	/* As rollback does. */
	ASSERT_RUN(3, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_HASH(sw, now);
	ASSERT_RUN(changed_since[_i].force_restores ? 0 : 3, "rollback",
	    "--force", "--backup-dir", tu_bk, root, NULL);
}
END_TEST

/* A chain that comes back to a SHA-256 it has seen stops there: a
 * manifest edited so that the oldest run found what the newest left. */
START_TEST(test_a_chain_that_comes_back_on_itself_stops)
{
	char *root = tree_patched_twice(software_reg, NULL, NULL);
	char now[SHA256_HEX_LEN + 1], *manifests[4], *text, *at;
	struct json_object *runs, *doc;
	size_t len;

	tu_sha256(tu_tree_file(root, "SOFTWARE"), now);
	ck_assert_int_eq(tu_list_backups(tu_bk, manifests, 4), 2);
	/* The one slot holds both; ids sort by time: [0] is apply's. */
	text = (char *)tu_read_file(manifests[0], &len);
	at = strstr(text, "\"sha256_before\"");
	ck_assert(at != NULL && (at = strchr(at + 15, '"')) != NULL);
	memcpy(at + 1, now, SHA256_HEX_LEN);
	tu_write_text(manifests[0], text);
	free(text);
	doc = backups_of(root, &runs);
	ck_assert_uint_eq(json_object_array_length(runs), 2);
	only_hive(run_at(runs, 0), "SOFTWARE");
	only_hive(run_at(runs, 1), "SOFTWARE");
	json_object_put(doc);
}
END_TEST

START_TEST(test_backups_of_a_missing_target_names_it)
{
	char *nowhere = tu_pathf("%s/no-such-image", tu_scratch);
	struct json_object *doc;
	struct tu_result r;

	tu_hp(&r, "backups", "--backup-dir", tu_bk, nowhere, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, nowhere);
	tu_result_free(&r);
	tu_hp(&r, "backups", "--json", "--backup-dir", tu_bk, nowhere, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, nowhere);
	doc = tu_parse_json(&r, "hivepatch-backups/1");
	ck_assert_str_eq(tu_jstr(doc, "reason"), "not-found");
	ASSERT_HAS(tu_jstr(doc, "error"), "error", nowhere);
	ck_assert_uint_eq(json_object_array_length(tu_jarray(doc, "backups")),
	    0);
	json_object_put(doc);
	tu_result_free(&r);
}
END_TEST

/* ---- rollback --to ---- */

/* One command undoes both runs, the newer one of both hives: the hives
 * are back to the bytes they held before the first, and nothing is left
 * to undo. */
START_TEST(test_rollback_to_an_older_run_undoes_every_run_down_to_it)
{
	char sw0[SHA256_HEX_LEN + 1], sys0[SHA256_HEX_LEN + 1];
	char *root = tree_patched_twice(both_hives_reg, sw0, sys0);
	char *older = id_at_step(root, 2);
	struct tu_dir_files tree;
	struct tu_result r;

	tu_hp(&r, "rollback", "--to", older, "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ck_assert_int_eq(tu_count_lines(r.out, tu_pathf("%s: ",
	    tu_tree_file(root, "SOFTWARE"))), 2);
	ck_assert_int_eq(tu_count_lines(r.out, tu_pathf("%s: ",
	    tu_tree_file(root, "SYSTEM"))), 1);
	tu_result_free(&r);
	assert_all_undone(root, sw0, sys0);

	/* A further rollback finds nothing left to undo: it says so and
	 * writes nothing, as after a single rollback. */
	tu_dir_files_take(&tree, root);
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "already holds the backup of");
	ck_assert_ptr_null(strstr(r.err, "changed since"));
	tu_result_free(&r);
	tu_assert_dir_unchanged(&tree);
	assert_all_undone(root, sw0, sys0);
}
END_TEST

/* Runs of one hive, then of the other, then of both: rollback --to the
 * first undoes all three, each hive to the bytes it had before, though
 * a hive's latest backup (the run of both) is of a state the hive was
 * not in once the others were undone. */
START_TEST(test_rollback_to_undoes_runs_of_each_hive_then_of_both)
{
	static const char system_reg[] = REG_HEADER
	    "[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\OnlySystem]\r\n"
	    "\"S\"=dword:00000003\r\n";
	char sw0[SHA256_HEX_LEN + 1], sys0[SHA256_HEX_LEN + 1];
	char *root = tu_make_tree("tree", "img");
	char *sys_reg = tu_pathf("%s/system.reg", tu_scratch);
	char *both = tu_pathf("%s/both.reg", tu_scratch);

	tu_sha256(tu_tree_file(root, "SOFTWARE"), sw0);
	tu_sha256(tu_tree_file(root, "SYSTEM"), sys0);
	tu_write_text(sys_reg, system_reg);
	tu_write_text(both, both_hives_reg);
	ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, root, NULL);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, sys_reg, root, NULL);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, both, root, NULL);
	ASSERT_RUN(0, "rollback", "--to", id_at_step(root, 3), "--backup-dir",
	    tu_bk, root, NULL);
	assert_all_undone(root, sw0, sys0);
}
END_TEST

/* --to the newest run is plain rollback: the older run stays. */
START_TEST(test_rollback_to_the_newest_run_undoes_it_alone)
{
	char *root = tree_patched_twice(software_reg, NULL, NULL);
	char *newer = id_at_step(root, 1), *older = id_at_step(root, 2);

	ASSERT_RUN(0, "rollback", "--to", newer, "--backup-dir", tu_bk, root,
	    NULL);
	ck_assert_str_eq(id_at_step(root, 1), older);
}
END_TEST

/* Plain rollback undoes what the list calls step 1, each time: after a
 * two-hive run is undone, the run before it (of SOFTWARE alone), not
 * SYSTEM's backup again, which SYSTEM already holds. */
START_TEST(test_plain_rollback_undoes_step_1_each_time)
{
	char sw0[SHA256_HEX_LEN + 1], sys0[SHA256_HEX_LEN + 1];
	char *root = tree_patched_twice(both_hives_reg, sw0, sys0);
	char *older = id_at_step(root, 2);

	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, root, NULL);
	ASSERT_HASH(tu_tree_file(root, "SYSTEM"), sys0);
	ck_assert_str_eq(id_at_step(root, 1), older);
	ASSERT_RUN(0, "rollback", "--backup-dir", tu_bk, root, NULL);
	assert_all_undone(root, sw0, sys0);
}
END_TEST

/* An id that is not in the list, whether made up or a run of another
 * image (NULL: the one run of a tree patched beside it, its backups in
 * the same directory), is refused before anything is written. */
static const char *const not_listed[] = { "bogus", NULL };

START_TEST(test_rollback_to_an_id_not_listed_writes_nothing)
{
	char *root = tree_patched_twice(both_hives_reg, NULL, NULL);
	const char *id = not_listed[_i];
	struct tu_dir_files tree, backups;
	struct tu_result r;

	if (id == NULL) {
		char *other = tu_make_tree("tree", "other");

		ASSERT_RUN(0, "apply", "--backup-dir", tu_bk, other, NULL);
		id = id_at_step(other, 1);
	}
	tu_dir_files_take(&tree, root);
	tu_dir_files_take(&backups, tu_bk);
	tu_hp(&r, "rollback", "--to", id, "--backup-dir", tu_bk, root, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, id);
	ASSERT_ERR(&r, root);
	ASSERT_LACKS(r.out, "stdout", "restored");
	tu_result_free(&r);
	tu_assert_dir_unchanged(&tree);
	tu_assert_dir_unchanged(&backups);
}
END_TEST

START_TEST(test_backups_usage_and_help)
{
	struct tu_result r;

	ASSERT_RUN(2, "backups", NULL);
	ASSERT_RUN(2, "backups", "a", "b", NULL);
	ASSERT_RUN(2, "backups", "--to", "x", "a", NULL);
	ASSERT_RUN(2, "rollback", "--to", NULL);
	tu_hp(&r, "--help", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "backups [--json] [--backup-dir DIR] [--image N|NAME|all] "
	    "[--partition N]");
	ASSERT_OUT(&r, "--to ID");
	tu_result_free(&r);
}
END_TEST

/* ---- the suite ---- */

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *
backups_suite(void)
{
	Suite *s = suite_create("backups");
	TCase *tc;

	tc = tu_tcase(s, "list");
	tcase_add_test(tc, test_backups_lists_the_runs_newest_first_with_their_steps);
	tcase_add_test(tc, test_backups_text_has_a_row_per_run);
	tcase_add_test(tc, test_backups_after_a_move_lists_the_same_runs);
	tcase_add_test(tc, test_a_two_hive_run_is_one_row_with_two_hives);
	tcase_add_test(tc, test_a_bare_hive_file_is_named_by_its_kind);
	tcase_add_test(tc, test_no_backups_is_an_empty_list);
	tcase_add_loop_test(tc,
	    test_a_hive_changed_since_says_why_rollback_refuses_it, 0,
	    N(changed_since));
	tcase_add_test(tc, test_a_chain_that_comes_back_on_itself_stops);
	tcase_add_test(tc, test_backups_of_a_missing_target_names_it);

	tc = tu_tcase(s, "rollback-to");
	tcase_add_test(tc, test_rollback_to_an_older_run_undoes_every_run_down_to_it);
	tcase_add_test(tc, test_rollback_to_undoes_runs_of_each_hive_then_of_both);
	tcase_add_test(tc, test_rollback_to_the_newest_run_undoes_it_alone);
	tcase_add_test(tc, test_plain_rollback_undoes_step_1_each_time);
	tcase_add_loop_test(tc, test_rollback_to_an_id_not_listed_writes_nothing,
	    0, N(not_listed));

	tc = tu_tcase(s, "usage");
	tcase_add_test(tc, test_backups_usage_and_help);
	return s;
}

int
main(void)
{
	return tu_run_suite(backups_suite(), "hivepatch-test-backups");
}
