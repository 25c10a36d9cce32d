/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: the environment, scratch directories and the strings and
 * buffers freed with them, the per-test fixture and the suite runner
 * (tu_scratch.h). */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "testutil.h"

static char base_dir[PATH_MAX];

/* ---- environment ---- */

const char *
tu_env_required(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && *v != '\0',
	    "%s is not set: run the tests with make check, or set it to the "
	    "built program", name);
	return v;
}

const char *
tu_env(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "";
}

/* ---- scratch directories ---- */

void
tu_base_init(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(base_dir, sizeof(base_dir), "%s/%s.XXXXXX", tmp, prefix);
	if (n < 0 || (size_t)n >= sizeof(base_dir) || mkdtemp(base_dir) == NULL) {
		fprintf(stderr, "cannot make a scratch directory under %s: %s\n",
		    tmp, strerror(errno));
		exit(99);
	}
}

void
tu_base_remove(void)
{
	if (base_dir[0] != '\0' && tu_remove_tree(base_dir) == -1)
		fprintf(stderr, "warning: cannot remove %s: %s\n", base_dir,
		    strerror(errno));
	base_dir[0] = '\0';
}

const char *
tu_base_dir(void)
{
	return base_dir;
}

char *
tu_scratch_new(void)
{
	char *dir;

	if (base_dir[0] == '\0')
		tu_base_init("hivepatch-test");
	dir = tu_strf("%s/t.XXXXXX", base_dir);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir,
	    strerror(errno));
	return dir;
}

/* Strings from tu_pathf, freed by tu_scratch_remove. */
static char **kept;
static size_t n_kept, cap_kept;

char *
tu_pathf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0, "out of memory");
	if (n_kept == cap_kept) {
		char **bigger;

		cap_kept = cap_kept ? 2 * cap_kept : 64;
		bigger = realloc(kept, cap_kept * sizeof(*kept));
		ck_assert_msg(bigger != NULL, "out of memory");
		kept = bigger;
	}
	kept[n_kept++] = s;
	return s;
}

/* Output buffers of results not yet freed: a failed assertion leaves
 * its test before tu_result_free, and the leak would drown the failure
 * in LeakSanitizer's report. */
#define MAX_LIVE 64
static char *live[MAX_LIVE];

void
tu_live_add(char *p)
{
	size_t i;

	for (i = 0; i < MAX_LIVE; i++)
		if (live[i] == NULL) {
			live[i] = p;
			return;
		}
}

void
tu_live_forget(const char *p)
{
	size_t i;

	for (i = 0; p != NULL && i < MAX_LIVE; i++)
		if (live[i] == p)
			live[i] = NULL;
}

static void
free_kept(void)
{
	size_t i;

	while (n_kept > 0)
		free(kept[--n_kept]);
	free(kept);
	kept = NULL;
	cap_kept = 0;
	for (i = 0; i < MAX_LIVE; i++) {
		free(live[i]);
		live[i] = NULL;
	}
}

void
tu_scratch_remove(char *dir)
{
	free_kept();
	if (dir == NULL)
		return;
	if (tu_remove_tree(dir) == -1)
		fprintf(stderr, "warning: cannot remove %s: %s\n", dir,
		    strerror(errno));
	free(dir);
}

static int
remove_entry(const char *path, const struct stat *st, int type,
	     struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

int
tu_remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- strings ---- */

char *
tu_strf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0, "out of memory");
	return s;
}

/* ---- per-test scratch directory and the suite ---- */

char *tu_scratch;
char *tu_bk;

void
tu_setup(void)
{
	tu_scratch = tu_scratch_new();
	tu_bk = tu_pathf("%s/backups", tu_scratch);
}

void
tu_teardown(void)
{
	tu_scratch_remove(tu_scratch);
	tu_scratch = NULL;
	tu_bk = NULL;
}

TCase *
tu_tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
	suite_add_tcase(s, tc);
	return tc;
}

int
tu_run_suite(Suite *s, const char *name)
{
	SRunner *sr;
	char *state;
	int failed;

	/* Fail early and clearly outside make check. */
	if (getenv("HIVEPATCH") == NULL || getenv("MKHIVE") == NULL) {
		fprintf(stderr, "HIVEPATCH and MKHIVE must name the built "
		    "programs (make check sets them)\n");
		return 99;
	}
	tu_base_init(name);
	if (asprintf(&state, "%s/state", tu_base_dir()) == -1)
		return 99;
	setenv("XDG_STATE_HOME", state, 1);
	free(state);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_base_remove();
	return failed == 0 ? 0 : 1;
}
