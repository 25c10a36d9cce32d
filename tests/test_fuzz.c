/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Replays every input kept in $TESTS_SRCDIR/fuzz-regressions/NAME/ (one
 * directory per fuzz target, each with a README saying what its inputs
 * once did) through the target's entry point, fuzz_NAME(), linked in
 * from tests/fuzz_NAME.c: the inputs that once crashed or hung a target
 * must now run clean (under the sanitizers too, in the sanitizer build).
 * It needs no clang: the entry points are plain C.  A target whose
 * directory is missing fails, and so does finding no input at all, so
 * that losing them is noticed. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "fuzz.h"
#include "testutil.h"

static const struct target {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
} targets[] = {
	{ "logreplay", fuzz_logreplay },
	{ "pages", fuzz_pages },
	{ "regparse", fuzz_regparse },
	{ "hive", fuzz_hive },
	{ "render", fuzz_render },
	{ "image", fuzz_image },
};

#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

static char *
regressions_dir(const char *name)
{
	const char *src = getenv("TESTS_SRCDIR");

	return tu_strf("%s/fuzz-regressions/%s", src && *src ? src : "tests",
	    name);
}

/* The inputs of one target; their number. */
static unsigned
replay(const struct target *t)
{
	char *dir = regressions_dir(t->name);
	DIR *dp = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	ck_assert_msg(dp != NULL, "cannot open %s (set TESTS_SRCDIR): %s",
	    dir, strerror(errno));
	while ((de = readdir(dp)) != NULL) {
		char *p;
		unsigned char *d;
		size_t len;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		p = tu_strf("%s/%s", dir, de->d_name);
		fprintf(stderr, "test_fuzz: %s/%s\n", t->name, de->d_name);
		d = tu_read_file(p, &len);
		t->one(d, len);
		free(d);
		free(p);
		n++;
	}
	closedir(dp);
	free(dir);
	return n;
}

START_TEST(test_target)
{
	const struct target *t = &targets[_i];
	unsigned n = replay(t);

	fprintf(stderr, "test_fuzz: %s: %u input(s) replayed\n", t->name, n);
}
END_TEST

START_TEST(test_some_inputs)
{
	unsigned i, n = 0;

	for (i = 0; i < N_TARGETS; i++) {
		char *dir = regressions_dir(targets[i].name);
		DIR *dp = opendir(dir);
		struct dirent *de;

		ck_assert_msg(dp != NULL, "cannot open %s: %s", dir,
		    strerror(errno));
		while ((de = readdir(dp)) != NULL)
			n += de->d_name[0] != '.' &&
			    strcmp(de->d_name, "README") != 0;
		closedir(dp);
		free(dir);
	}
	ck_assert_msg(n > 0, "no fuzz regression input at all");
}
END_TEST

static Suite *
fuzz_suite(void)
{
	Suite *s = suite_create("fuzz");
	TCase *tc = tcase_create("regressions");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_target, 0, (int)N_TARGETS);
	tcase_add_test(tc, test_some_inputs);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(fuzz_suite(), "test_fuzz");
}
