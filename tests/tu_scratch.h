/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: the environment, scratch directories (and the memory freed
 * with them), the per-test fixture and the suite runner.  See
 * testutil.h. */
#ifndef HIVEPATCH_TU_SCRATCH_H
#define HIVEPATCH_TU_SCRATCH_H

#include <check.h>

/* ---- environment ---- */

/* The value of an environment variable the test harness must set
 * (HIVEPATCH, MKHIVE); fails the test when it is unset or empty. */
const char *tu_env_required(const char *name);

/* The value, or "" when unset. */
const char *tu_env(const char *name);

/* ---- scratch directories ---- */

/* Makes the base directory every scratch directory of this run lives in
 * (mkdtemp under $TMPDIR or /tmp).  Call once from main(), and
 * tu_base_remove() before exiting: a test that fails in a forked child
 * cannot clean up after itself, so the base collects what is left. */
void tu_base_init(const char *prefix);
void tu_base_remove(void);
const char *tu_base_dir(void);

/* A fresh directory for one test, below the base; tu_scratch_remove()
 * removes it and everything in it. */
char *tu_scratch_new(void);
void tu_scratch_remove(char *dir);

/* Removes a tree (like rm -rf, never following links).  0 or -1. */
int tu_remove_tree(const char *path);

/* ---- strings ---- */

/* printf into a new string (fails the test on out of memory). */
char *tu_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, freed by the next tu_scratch_remove(): for paths. */
char *tu_pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* For testutil's own files: output buffers of results not yet freed
 * (tu_run.c), freed by the next tu_scratch_remove() too, since a failed
 * assertion leaves its test before tu_result_free.  tu_live_forget takes
 * one back from that list (freed by its owner, or handed on). */
void tu_live_add(char *p);
void tu_live_forget(const char *p);

/* ---- per-test scratch directory and the suite ---- */

/* Set by tu_setup() for each test: its scratch directory, and the
 * --backup-dir every run is given (scratch/backups). */
extern char *tu_scratch;
extern char *tu_bk;

/* Check fixture: tcase_add_checked_fixture(tc, tu_setup, tu_teardown). */
void tu_setup(void);
void tu_teardown(void);

/* A test case with the tu_setup/tu_teardown fixture, added to s. */
TCase *tu_tcase(Suite *s, const char *name);

/* Runs a suite the way every integration program does: HIVEPATCH and
 * MKHIVE must be set, scratch space goes under a base named after the
 * program, and XDG_STATE_HOME points there so that a run which forgot
 * --backup-dir never writes into $HOME.  Returns the exit status. */
int tu_run_suite(Suite *s, const char *name);

#endif
