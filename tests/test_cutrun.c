/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A run over two hives killed between their commits.  The kill is a
 * store that dies at the run's first write to SYSTEM: from then on
 * nothing of that run reaches the files, not even the undoing of
 * SOFTWARE, as after SIGKILL.  The run's record in the backup directory
 * lets the next command on the target find it: verify says which hive
 * was written and which not and writes nothing; apply completes it, to
 * the very bytes an uncut run writes; rollback undoes it. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "hivepatch.h"
#include "testutil.h"

/* ---- a store that dies at the first write to SYSTEM ---- */

struct dying {
	struct hp_store *inner;
	const struct hp_store_ops *ops;
	void *priv;
	int dead;
};

static int
killed(struct dying *d, const struct hp_store_hive *h, struct hp_err *e)
{
	if (!d->dead && strcmp(h->name, "SYSTEM") != 0)
		return 0;
	d->dead = 1;
	if (e != NULL) {	/* the caller may not want to know why */
		e->status = HP_IOERR;
		e->reason = HP_R_IO;
		snprintf(e->msg, sizeof(e->msg), "%s: killed", h->where);
	}
	return 1;
}

static int
d_list(void *priv, struct hp_store_hive **hives, size_t *n, struct hp_err *e)
{
	struct dying *d = priv;

	(void)e;
	*n = hp_store_hives(d->inner, hives);
	return 0;
}

static int
d_lock(void *priv, struct hp_store_hive *h, struct hp_err *e)
{
	struct dying *d = priv;

	return d->ops->lock(d->priv, h, e);
}

static int
d_read(void *priv, struct hp_store_hive *h, struct hp_hive_files *f,
       struct hp_err *e)
{
	struct dying *d = priv;

	return d->ops->read(d->priv, h, f, e);
}

static int
d_commit(void *priv, struct hp_store_hive *h, int fd, hp_check_fn check,
	 void *arg, int *replaced, struct hp_err *e)
{
	struct dying *d = priv;

	*replaced = 0;
	return killed(d, h, e) ? -1 :
	    d->ops->commit(d->priv, h, fd, check, arg, replaced, e);
}

static int
d_write_log(void *priv, struct hp_store_hive *h, const char *name, int fd,
	    hp_check_fn check, void *arg, struct hp_err *e)
{
	struct dying *d = priv;

	return killed(d, h, e) ? -1 :
	    d->ops->write_log(d->priv, h, name, fd, check, arg, e);
}

static int
d_write_at(void *priv, struct hp_store_hive *h, const char *name,
	   uint64_t off, const void *buf, size_t len, struct hp_err *e)
{
	struct dying *d = priv;

	return killed(d, h, e) ? -1 :
	    d->ops->write_at(d->priv, h, name, off, buf, len, e);
}

static int
d_set_size(void *priv, struct hp_store_hive *h, const char *name,
	   uint64_t size, struct hp_err *e)
{
	struct dying *d = priv;

	return killed(d, h, e) ? -1 :
	    d->ops->set_size(d->priv, h, name, size, e);
}

static int
d_sync(void *priv, struct hp_store_hive *h, const char *name,
       struct hp_err *e)
{
	struct dying *d = priv;

	return killed(d, h, e) ? -1 : d->ops->sync(d->priv, h, name, e);
}

static int
d_remove_log(void *priv, struct hp_store_hive *h, const char *name,
	     struct hp_err *e)
{
	struct dying *d = priv;

	return killed(d, h, e) ? -1 : d->ops->remove_log(d->priv, h, name, e);
}

static void
d_close(void *priv)
{
	struct dying *d = priv;

	hp_store_close(d->inner);
}

static const struct hp_store_ops dying_ops = {
	.name = "dying", .tree = 1, .list = d_list, .lock = d_lock,
	.read = d_read, .commit = d_commit, .write_log = d_write_log,
	.write_at = d_write_at, .set_size = d_set_size, .sync = d_sync,
	.remove_log = d_remove_log, .close = d_close,
};

/* ---- fixtures ---- */

static const char *const autop[] = { HP_AUTO_PROFILE };
static const struct timespec run_time = { 1767225600, 123456700 };

/* apply --profile auto on Windows 7: Schannel in SYSTEM, the .NET keys
 * in SOFTWARE, one run over both hives. */
static int
apply_auto(struct hp_store *s, const char *bk)
{
	struct hp_patch_opts o = {
		.command = "apply", .mode = HP_PATCH_APPLY, .profiles = autop,
		.n_profiles = 1,
		.profile_dir = tu_env_required("HIVEPATCH_PROFILE_DIR"),
		.backup_root = bk, .now = &run_time,
	};
	struct hp_err e = { 0 };
	struct hp_result *r = NULL;
	int rc = hp_patch(s, &o, &r, &e);

	hp_result_free(r);
	return rc;
}

static struct hp_store *
plain_store(const char *root)
{
	struct hp_err e = { 0 };
	struct hp_store *s;

	ck_assert_msg(hp_store_open(root, &s, &e) == 0, "%s", e.msg);
	return s;
}

struct tree {
	char *root, *sw, *sys;
	char sw0[SHA256_HEX_LEN + 1], sys0[SHA256_HEX_LEN + 1];
};

static void
tree_new(struct tree *t, const char *name)
{
	t->root = tu_make_tree("tree7", name);
	t->sw = tu_tree_file(t->root, "SOFTWARE");
	t->sys = tu_tree_file(t->root, "SYSTEM");
	tu_sha256(t->sw, t->sw0);
	tu_sha256(t->sys, t->sys0);
}

/* The hives an uncut run leaves. */
static void
reference(char sw[SHA256_HEX_LEN + 1], char sys[SHA256_HEX_LEN + 1])
{
	struct tree ref;
	struct hp_store *s;

	tree_new(&ref, "ref");
	s = plain_store(ref.root);
	ck_assert_int_eq(apply_auto(s, tu_pathf("%s/ref-bk", tu_scratch)),
	    HP_OK);
	hp_store_close(s);
	tu_sha256(ref.sw, sw);
	tu_sha256(ref.sys, sys);
	ck_assert_str_ne(sw, ref.sw0);
	ck_assert_str_ne(sys, ref.sys0);
}

/* The run, killed at its first write to SYSTEM: SOFTWARE is written. */
static void
cut_run(struct tree *t, const char *sw_after)
{
	struct hp_err e = { 0 };
	struct dying d = { 0 };
	struct hp_store *s;
	char now[SHA256_HEX_LEN + 1];

	d.inner = plain_store(t->root);
	d.ops = hp_store_get_ops(d.inner, &d.priv);
	ck_assert_msg(hp_store_open_ops(&dying_ops, &d, t->root, &s, &e) == 0,
	    "%s", e.msg);
	ck_assert_int_eq(apply_auto(s, tu_bk), -1);
	hp_store_close(s);
	ck_assert(d.dead);
	tu_sha256(t->sw, now);
	ck_assert_str_eq(now, sw_after);
	tu_sha256(t->sys, now);
	ck_assert_str_eq(now, t->sys0);
}

static int
runs_recorded(void)
{
	DIR *d = opendir(tu_pathf("%s/runs", tu_bk));
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void
assert_hives(const struct tree *t, const char *sw, const char *sys)
{
	char now[SHA256_HEX_LEN + 1];

	tu_sha256(t->sw, now);
	ck_assert_str_eq(now, sw);
	tu_sha256(t->sys, now);
	ck_assert_str_eq(now, sys);
}

/* verify exits `status` and names no cut run. */
static void
assert_verify_says_no_cut_run(const struct tree *t, int status)
{
	struct tu_result r;

	tu_hp(&r, "verify", "--profile", "auto", "--backup-dir", tu_bk, t->root,
	    NULL);
	ck_assert_int_eq(r.status, status);
	ck_assert_ptr_null(strstr(r.out, "cut short"));
	tu_result_free(&r);
}

/* ---- the tests ---- */

START_TEST(test_verify_names_a_cut_run_and_writes_nothing)
{
	char sw_new[SHA256_HEX_LEN + 1], sys_new[SHA256_HEX_LEN + 1];
	struct tu_dir_files before;
	struct tree t;
	struct tu_result r;
	const char *line;

	reference(sw_new, sys_new);
	tree_new(&t, "img");
	cut_run(&t, sw_new);
	ck_assert_int_eq(runs_recorded(), 1);
	tu_dir_files_take(&before, t.root);
	tu_hp(&r, "verify", "--profile", "auto", "--backup-dir", tu_bk, t.root,
	    NULL);
	/* SYSTEM lacks Schannel's values: not compliant. */
	ck_assert_int_eq(r.status, 1);
	line = strstr(r.out, "was cut short between the commits of its hives");
	ck_assert_msg(line != NULL, "no word of the cut run: %s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, tu_pathf("%s written", t.sw)));
	ck_assert_ptr_nonnull(strstr(r.out, tu_pathf("%s not written", t.sys)));
	ck_assert_ptr_nonnull(strstr(r.out, "(profiles schannel-tls12 "
	    "winhttp-tls12 net4-tls12 net35-tls12)"));
	ck_assert_ptr_nonnull(strstr(r.out, "completes it"));
	tu_result_free(&r);
	tu_assert_dir_unchanged(&before);
	ck_assert_int_eq(runs_recorded(), 1);
}
END_TEST

/* inspect, read-only too, names the cut run among its warnings. */
START_TEST(test_inspect_names_a_cut_run)
{
	char sw_new[SHA256_HEX_LEN + 1], sys_new[SHA256_HEX_LEN + 1];
	struct hp_inspect_opts o = {
		.profile_dir = tu_env_required("HIVEPATCH_PROFILE_DIR"),
		.backup_root = tu_bk,
	};
	struct tu_dir_files before;
	struct hp_err e = { 0 };
	struct hp_inspect *r;
	struct hp_store *s;
	struct tree t;
	struct tu_result cli;
	size_t i, found = 0;

	reference(sw_new, sys_new);
	tree_new(&t, "img");
	cut_run(&t, sw_new);
	tu_dir_files_take(&before, t.root);
	s = plain_store(t.root);
	ck_assert_int_eq(hp_inspect(s, &o, &r, &e), HP_NONCOMPLIANT);
	for (i = 0; i < r->n_warnings; i++)
		found += strstr(r->warnings[i], "was cut short between the "
		    "commits of its hives") != NULL;
	ck_assert_uint_eq(found, 1);
	hp_inspect_free(r);
	hp_store_close(s);
	tu_assert_dir_unchanged(&before);
	ck_assert_int_eq(runs_recorded(), 1);
	/* The command line reads the same backup directory. */
	tu_hp(&cli, "inspect", "--backup-dir", tu_bk, t.root, NULL);
	ck_assert_int_eq(cli.status, 1);
	ck_assert_ptr_nonnull(strstr(cli.out, "warning:  the apply run of "));
	tu_result_free(&cli);
	tu_assert_dir_unchanged(&before);
}
END_TEST

START_TEST(test_apply_completes_a_cut_run_as_the_uncut_run_would)
{
	char sw_new[SHA256_HEX_LEN + 1], sys_new[SHA256_HEX_LEN + 1];
	struct tree t;
	struct tu_result r;
	struct stat st;

	reference(sw_new, sys_new);
	tree_new(&t, "img");
	cut_run(&t, sw_new);
	/* Another profile, even: the cut run is completed first. */
	tu_hp(&r, "apply", "--backup-dir", tu_bk, t.root, NULL);
	ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
	ck_assert_msg(strstr(r.out, "; completed it: ") != NULL, "%s", r.out);
	tu_result_free(&r);
	assert_hives(&t, sw_new, sys_new);
	/* The log the cut run made for SOFTWARE's commit is gone too. */
	ck_assert_int_ne(stat(tu_pathf("%s.LOG1", t.sw), &st), 0);
	ck_assert_int_eq(runs_recorded(), 0);
	assert_verify_says_no_cut_run(&t, 0);
}
END_TEST

START_TEST(test_rollback_undoes_a_cut_run)
{
	char sw_new[SHA256_HEX_LEN + 1], sys_new[SHA256_HEX_LEN + 1];
	struct tree t;
	struct tu_result r;

	reference(sw_new, sys_new);
	tree_new(&t, "img");
	cut_run(&t, sw_new);
	tu_hp(&r, "rollback", "--backup-dir", tu_bk, t.root, NULL);
	ck_assert_msg(r.status == 0, "%s%s", r.out, r.err);
	tu_result_free(&r);
	assert_hives(&t, t.sw0, t.sys0);
	ck_assert_int_eq(runs_recorded(), 0);
	assert_verify_says_no_cut_run(&t, 1);
}
END_TEST

/* A run that finishes leaves no record; one over a single hive never
 * writes one. */
START_TEST(test_a_finished_run_leaves_no_record)
{
	struct tree t;
	struct hp_store *s;

	tree_new(&t, "img");
	s = plain_store(t.root);
	ck_assert_int_eq(apply_auto(s, tu_bk), HP_OK);
	hp_store_close(s);
	ck_assert_int_eq(runs_recorded(), 0);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 2);
}
END_TEST

static Suite *
cutrun_suite(void)
{
	Suite *s = suite_create("cutrun");
	TCase *tc = tu_tcase(s, "two hives");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_verify_names_a_cut_run_and_writes_nothing);
	tcase_add_test(tc, test_inspect_names_a_cut_run);
	tcase_add_test(tc, test_apply_completes_a_cut_run_as_the_uncut_run_would);
	tcase_add_test(tc, test_rollback_undoes_a_cut_run);
	tcase_add_test(tc, test_a_finished_run_leaves_no_record);
	return s;
}

int
main(void)
{
	return tu_run_suite(cutrun_suite(), "test_cutrun");
}
