/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SIGKILL at random points of real runs: `hivepatch apply` on a bare
 * hive is killed after a random delay within the time a whole run takes,
 * and the hive and its logs are then read as Windows would load them
 * (the logs replayed).  Each time the hive must load, and hold the hive
 * as it was or as the finished run leaves it, nothing between.  What a
 * kill leaves beside the hive (a log the run created, a backup without
 * its manifest) is counted and printed.
 *
 * HIVEPATCH_KILLS sets the number of kills per hive size (make check: a
 * few dozen; make crash-test: 1000 and more). */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "regf.h"
#include "testutil.h"

static const char *const log_sfx[] = { ".LOG", ".LOG1", ".LOG2" };

/* The SHA-256 of the hive bins data of the hive as it loads (its logs
 * replayed), or "" when it does not load (the reason in why). */
static void
loaded_bins(const char *hive, char hex[SHA256_HEX_LEN + 1], char *why,
	    size_t whylen)
{
	char *logs[3];
	size_t i, n = 0;
	struct stat st;
	struct tu_replay r = { 0 };

	for (i = 0; i < 3; i++) {
		char *p = tu_pathf("%s%s", hive, log_sfx[i]);

		if (stat(p, &st) == 0 && st.st_size > 0)
			logs[n++] = p;
	}
	tu_replay_files(&r, hive, logs, n);
	hex[0] = '\0';
	if (r.rc == 0) {
		uint32_t bins = le32(r.img + REGF_BB_BINS_SIZE);
		char *bins_file = tu_pathf("%s.bins", hive);

		ck_assert_uint_ge(r.len, REGF_BASE_BLOCK + (size_t)bins);
		tu_write_file(bins_file, r.img + REGF_BASE_BLOCK, bins);
		tu_sha256(bins_file, hex);
		unlink(bins_file);
	} else {
		snprintf(why, whylen, "%s", r.e.msg);
	}
	tu_replay_free(&r);
}

/* Its sequence numbers differ. */
static int
is_dirty(const char *hive)
{
	size_t len;
	unsigned char *d = tu_read_file(hive, &len);
	int dirty = len >= 12 && le32(d + REGF_BB_SEQ1) != le32(d + REGF_BB_SEQ2);

	free(d);
	return dirty;
}

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct kills {
	unsigned runs, old, new, logs_left, unfinished_backups;
};

static void
fresh_copy(const char *base, const char *hive, const char *bk)
{
	size_t i;

	tu_copy_file(base, hive);
	for (i = 0; i < 3; i++)
		unlink(tu_pathf("%s%s", hive, log_sfx[i]));
	tu_remove_tree(bk);
}

/* Backups under bk that have no manifest (a kill before it). */
static unsigned
unfinished(const char *bk)
{
	DIR *slots = opendir(bk), *runs;
	struct dirent *s, *r;
	unsigned n = 0;

	if (slots == NULL)
		return 0;
	while ((s = readdir(slots)) != NULL) {
		if (s->d_name[0] == '.' ||
		    (runs = opendir(tu_pathf("%s/%s", bk, s->d_name))) == NULL)
			continue;
		while ((r = readdir(runs)) != NULL)
			n += r->d_name[0] != '.' && access(tu_pathf("%s/%s/%s/"
			    "manifest.json", bk, s->d_name, r->d_name), F_OK) != 0;
		closedir(runs);
	}
	closedir(slots);
	return n;
}

/* One run, killed after `delay` seconds (or left to finish when that is
 * negative); returns how long it ran. */
static double
run_killed(const char *command, const char *hive, const char *bk,
	   double delay)
{
	const char *argv[] = { tu_env_required("HIVEPATCH"), command,
	    "--keep-timestamps", "--backup-dir", bk, hive, NULL };
	struct tu_proc p;
	struct tu_result r;
	double t0 = now_s();

	tu_spawn(argv, NULL, &p);
	if (delay >= 0) {
		usleep((useconds_t)(delay * 1e6));
		kill(p.pid, SIGKILL);
	}
	tu_wait(&p, &r);
	ck_assert_msg(delay >= 0 || r.status == 0, "%s failed: %s", command,
	    r.err);
	tu_result_free(&r);
	return now_s() - t0;
}

/* kills runs of apply on a copy of `base`, each at a random point. */
static void
kill_runs(const char *base, unsigned n, struct kills *k)
{
	char *hive = tu_pathf("%s/SOFTWARE", tu_scratch);
	char *bk = tu_pathf("%s/bk", tu_scratch);
	char old[SHA256_HEX_LEN + 1], new[SHA256_HEX_LEN + 1];
	char got[SHA256_HEX_LEN + 1], why[1024];
	double span;
	unsigned i;

	fresh_copy(base, hive, bk);
	loaded_bins(hive, old, why, sizeof(why));
	span = run_killed("apply", hive, bk, -1) * 1.2;
	loaded_bins(hive, new, why, sizeof(why));
	ck_assert_str_ne(old, new);
	srand(20261202u);
	for (i = 0; i < n; i++) {
		struct stat st;

		fresh_copy(base, hive, bk);
		run_killed("apply", hive, bk, span * rand() / (double)RAND_MAX);
		loaded_bins(hive, got, why, sizeof(why));
		ck_assert_msg(got[0] != '\0', "kill %u: the hive does not load: "
		    "%s", i, why);
		ck_assert_msg(strcmp(got, old) == 0 || strcmp(got, new) == 0,
		    "kill %u: the hive loads as neither the old nor the new one",
		    i);
		/* A hive that was written has its backup, whole. */
		ck_assert_msg(strcmp(got, old) == 0 ||
		    tu_count_backups(bk, NULL) == 1, "kill %u: the hive was "
		    "written and has no finished backup", i);
		k->runs++;
		k->old += strcmp(got, old) == 0;
		k->new += strcmp(got, new) == 0;
		k->unfinished_backups += unfinished(bk);
		if (stat(tu_pathf("%s.LOG1", hive), &st) != 0)
			continue;
		/* The log the cut run made: the next run removes it; apply,
		 * or recover when the hive is dirty and the log recovers
		 * it (apply leaves a dirty hive that complies as it is). */
		k->logs_left++;
		run_killed(is_dirty(hive) ? "recover" : "apply", hive, bk, -1);
		ck_assert_msg(stat(tu_pathf("%s.LOG1", hive), &st) != 0,
		    "kill %u: the next run left the log the cut one made", i);
		loaded_bins(hive, got, why, sizeof(why));
		ck_assert_str_eq(got, new);
	}
}

static unsigned
kills_wanted(void)
{
	const char *v = tu_env("HIVEPATCH_KILLS");

	return v[0] ? (unsigned)strtoul(v, NULL, 10) : 40;
}

/* A small hive and one of 8 MiB (mkhive big), whose run takes long
 * enough for kills to land everywhere in it. */
START_TEST(test_sigkill_at_random_points_leaves_the_old_or_the_new_hive)
{
	char *base = tu_pathf("%s/base", tu_scratch);
	struct kills k = { 0 };

	if (_i == 0) {
		tu_mkhive("software64-net48", base, 0);
	} else {
		const char *argv[] = { tu_env_required("MKHIVE"), "big", base,
		    "8", NULL };
		struct tu_result r;

		tu_run(argv, NULL, &r);
		ck_assert_int_eq(r.status, 0);
		tu_result_free(&r);
	}
	kill_runs(base, kills_wanted(), &k);
	printf("sigkill (%s hive): %u kills: %u old, %u new; a log made for "
	    "the commit left beside the hive after %u (each removed by the "
	    "next run), a backup without manifest after %u\n",
	    _i ? "8 MiB" : "16 KiB", k.runs, k.old, k.new, k.logs_left,
	    k.unfinished_backups);
	ck_assert_uint_eq(k.old + k.new, k.runs);
}
END_TEST

static Suite *
sigkill_suite(void)
{
	Suite *s = suite_create("sigkill");
	TCase *tc = tu_tcase(s, "apply");

	tcase_set_timeout(tc, 3600);
	tcase_add_loop_test(tc,
	    test_sigkill_at_random_points_leaves_the_old_or_the_new_hive, 0, 2);
	return s;
}

int
main(void)
{
	return tu_run_suite(sigkill_suite(), "test_sigkill");
}
