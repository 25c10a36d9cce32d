/* SPDX-License-Identifier: GPL-3.0-or-later */
/* WIM images (lib/image_wim.c, lib/store_wim.c): apply and verify
 * through the library on WIMs made by hives/mkwim, checked with
 * wimlib-imagex (dir --detailed, info, verify, extract) and libregf's
 * regfexport.  Failures mid-commit are injected with tests/failio.so in
 * a child: this program run as `test_image_wim --apply WIM BACKUPS`. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "hivepatch.h"
#include "testutil.h"

#define SOFTWARE_PATH "/Windows/System32/config/SOFTWARE"

/* Every run's time: the hive a commit writes is the same each time. */
static const struct timespec run_time = { 1700000000, 0 };

/* ---- fixtures and tools ---- */

static const char *
imagex(void)
{
	const char *p = tu_env("WIMLIB_IMAGEX");

	return p[0] != '\0' && access(p, X_OK) == 0 ? p : NULL;
}

/* $MKWIM KIND into the scratch directory; its path. */
static char *
mkwim(const char *kind, const char *name)
{
	char *out = tu_pathf("%s/%s", tu_scratch, name);
	const char *argv[] = { tu_env_required("MKWIM"), kind, out, NULL };
	struct tu_result r;

	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "mkwim %s: %s", kind, r.err);
	tu_result_free(&r);
	return out;
}

/* wimlib-imagex with up to five arguments; its output (tu_pathf), and
 * its exit status in *status. */
static char *
wimx(int *status, const char *a, const char *b, const char *c,
     const char *d, const char *f)
{
	const char *argv[] = { imagex(), a, b, c, d, f, NULL };
	struct tu_result r;
	char *out;

	tu_run(argv, NULL, &r);
	*status = r.status;
	out = tu_pathf("%s%s", r.out, r.err);
	tu_result_free(&r);
	return out;
}

static char *
wimx_ok(const char *a, const char *b, const char *c, const char *d,
	const char *f)
{
	int status;
	char *out = wimx(&status, a, b, c, d, f);

	ck_assert_msg(status == 0, "wimlib-imagex %s %s: %s", a, b, out);
	return out;
}

static char *
sha(const char *path)
{
	char *hex = tu_pathf("%*s", SHA256_HEX_LEN, "");

	tu_sha256(path, hex);
	return hex;
}

/* Opens the image (HP_IMAGE_WRITE when `flags` says so) and runs
 * hp_patch on image 1 with net4-tls12: the run's exit status, or the
 * status of the error (*e says which). */
static int
patch(const char *path, unsigned flags, enum hp_patch_mode mode,
      const char *backups, struct hp_err *e)
{
	const char *profiles[] = { HP_DEFAULT_PROFILE };
	struct hp_patch_opts o = { .command = mode == HP_PATCH_APPLY ?
	    "apply" : "verify", .mode = mode, .profiles = profiles,
	    .n_profiles = 1, .profile_dir = tu_env("HIVEPATCH_PROFILE_DIR"),
	    .backup_root = backups, .now = &run_time };
	struct hp_image_file *img;
	struct hp_result *res = NULL;
	struct hp_store *store;
	int rc, status;

	memset(e, 0, sizeof(*e));
	if (hp_image_open(path, flags, &img, e) == -1)
		return e->status;
	if (hp_image_store_open(img, 0, NULL, &store, e) == -1) {
		hp_image_close(img);
		return e->status;
	}
	rc = hp_patch(store, &o, &res, e);
	status = rc == -1 ? (int)e->status : res->exit_status;
	hp_result_free(res);
	hp_store_close(store);
	hp_image_close(img);
	return status;
}

static int
apply(const char *path, struct hp_err *e)
{
	return patch(path, HP_IMAGE_WRITE, HP_PATCH_APPLY,
	    tu_pathf("%s/backups", tu_scratch), e);
}

static int
verify(const char *path)
{
	struct hp_err e;
	int status = patch(path, 0, HP_PATCH_VERIFY, NULL, &e);

	ck_assert_msg(status == 0 || status == 1, "verify %s: %s", path,
	    e.msg);
	return status;
}

#define NEED_IMAGEX() do {						\
	if (imagex() == NULL) {						\
		fprintf(stderr, "SKIP: WIMLIB_IMAGEX names no "		\
		    "wimlib-imagex\n");					\
		return;							\
	}								\
} while (0)

/* The lines of `text` that start with `prefix`, joined. */
static char *
lines(const char *text, const char *prefix)
{
	char *out = tu_pathf("%s", "");
	const char *p = text;

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, "\n");

		if (strncmp(p, prefix, strlen(prefix)) == 0)
			out = tu_pathf("%s%.*s\n", out, (int)len, p);
		p += len + (p[len] == '\n');
	}
	return out;
}

/* ---- apply and verify ---- */

START_TEST(test_apply_verifies_and_a_second_apply_writes_nothing)
{
	char *wim = mkwim("win", "install.wim"), *before, *after;
	struct hp_err e;

	NEED_IMAGEX();
	before = sha(wim);
	ck_assert_int_eq(verify(wim), 1);
	ck_assert_str_eq(sha(wim), before);
	ck_assert_msg(apply(wim, &e) == 0, "apply: %s", e.msg);
	ck_assert_int_eq(verify(wim), 0);
	after = sha(wim);
	ck_assert_str_ne(after, before);
	ck_assert_msg(apply(wim, &e) == 0, "apply: %s", e.msg);
	ck_assert_str_eq(sha(wim), after);
	wimx_ok("verify", wim, NULL, NULL, NULL);
}
END_TEST

START_TEST(test_other_images_and_the_wim_header_are_kept)
{
	char *wim = mkwim("two", "two.wim");
	char *dir2, *info2, *info, *head;
	struct hp_err e;

	NEED_IMAGEX();
	dir2 = wimx_ok("dir", wim, "2", "--detailed", NULL);
	info2 = wimx_ok("info", wim, "2", NULL, NULL);
	info = wimx_ok("info", wim, NULL, NULL, NULL);
	head = wimx_ok("info", wim, "--header", NULL, NULL);
	ck_assert_msg(apply(wim, &e) == 0, "apply: %s", e.msg);
	ck_assert_str_eq(wimx_ok("dir", wim, "2", "--detailed", NULL), dir2);
	ck_assert_str_eq(wimx_ok("info", wim, "2", NULL, NULL), info2);
	/* Compression, chunk size, boot index, image count. */
	ck_assert_str_eq(lines(wimx_ok("info", wim, NULL, NULL, NULL),
	    "Compression"), lines(info, "Compression"));
	ck_assert_str_eq(lines(wimx_ok("info", wim, "--header", NULL, NULL),
	    "Chunk Size"), lines(head, "Chunk Size"));
	ck_assert_str_eq(lines(wimx_ok("info", wim, "--header", NULL, NULL),
	    "Boot Index"), lines(head, "Boot Index"));
	ck_assert_str_eq(lines(wimx_ok("info", wim, "--header", NULL, NULL),
	    "Image Count"), lines(head, "Image Count"));
	ck_assert_int_eq(verify(wim), 0);
	wimx_ok("verify", wim, NULL, NULL, NULL);
}
END_TEST

START_TEST(test_the_integrity_table_is_kept)
{
	char *wim = mkwim("integrity", "integrity.wim");
	struct hp_err e;

	NEED_IMAGEX();
	ASSERT_HAS(wimx_ok("info", wim, NULL, NULL, NULL), "info",
	    "Integrity info");
	ck_assert_msg(apply(wim, &e) == 0, "apply: %s", e.msg);
	ASSERT_HAS(wimx_ok("info", wim, NULL, NULL, NULL), "info",
	    "Integrity info");
	ASSERT_LACKS(wimx_ok("verify", wim, NULL, NULL, NULL), "verify",
	    "does not contain integrity");
	ck_assert_int_eq(verify(wim), 0);
}
END_TEST

START_TEST(test_security_descriptor_attributes_and_times_are_kept)
{
	static const char *const kept[] = { "Short Name", "Attributes",
	    "    FILE_ATTRIBUTE", "Security Descriptor", "Creation Time",
	    "Last Write Time", "Last Access Time", "Link Count" };
	char *wim = mkwim("sd", "sd.wim"), *before, *after;
	struct hp_err e;
	size_t i;

	NEED_IMAGEX();
	before = wimx_ok("dir", wim, "1", "--detailed",
	    "--path=" SOFTWARE_PATH);
	ASSERT_HAS(before, "dir", "Security Descriptor = 0100049014");
	ASSERT_HAS(before, "dir", "Attributes          = 0x00002020");
	ck_assert_msg(apply(wim, &e) == 0, "apply: %s", e.msg);
	after = wimx_ok("dir", wim, "1", "--detailed",
	    "--path=" SOFTWARE_PATH);
	ck_assert_str_ne(lines(after, "Hash"), lines(before, "Hash"));
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		ck_assert_str_eq(lines(after, kept[i]), lines(before, kept[i]));
	ck_assert_int_eq(verify(wim), 0);
}
END_TEST

/* A file added from a plain directory had no security descriptor: the
 * replacement gets none either, and keeps its attributes and times. */
START_TEST(test_a_hive_without_a_security_descriptor_gets_none)
{
	char *wim = mkwim("win", "install.wim"), *before, *after;
	struct hp_err e;

	NEED_IMAGEX();
	before = wimx_ok("dir", wim, "1", "--detailed",
	    "--path=" SOFTWARE_PATH);
	ck_assert_msg(apply(wim, &e) == 0, "apply: %s", e.msg);
	after = wimx_ok("dir", wim, "1", "--detailed",
	    "--path=" SOFTWARE_PATH);
	ASSERT_LACKS(after, "dir", "Security Descriptor");
	ck_assert_str_eq(lines(after, "Attributes"), lines(before,
	    "Attributes"));
	ck_assert_str_eq(lines(after, "Last Write Time"), lines(before,
	    "Last Write Time"));
}
END_TEST

/* wimlib appends to a solid WIM in place, in a solid resource of its
 * own, as to any other: hivepatch writes it. */
START_TEST(test_a_solid_esd_is_patched_and_stays_solid)
{
	char *wim = mkwim("solid", "install.esd");
	struct hp_err e;

	NEED_IMAGEX();
	ck_assert_int_eq(verify(wim), 1);
	ck_assert_msg(apply(wim, &e) == 0, "apply: %s", e.msg);
	ck_assert_int_eq(verify(wim), 0);
	ASSERT_HAS(wimx_ok("info", wim, NULL, NULL, NULL), "info", "LZMS");
	wimx_ok("verify", wim, NULL, NULL, NULL);
}
END_TEST

/* ---- what is listed, and what is refused ---- */

START_TEST(test_the_images_are_listed)
{
	char *wim = mkwim("two", "two.wim");
	const struct hp_image_part *p;
	struct hp_image_file *img;
	struct hp_err e;

	ck_assert_msg(hp_image_open(wim, 0, &img, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(hp_image_kind(img), HP_IMAGE_WIM);
	ck_assert_uint_eq(hp_image_parts(img, &p), 2);
	ck_assert_uint_eq(p[0].number, 1);
	ck_assert_str_eq(p[0].name, "Windows 10 Pro");
	ck_assert_str_eq(p[0].fs, "wim");
	ck_assert_int_eq(p[0].windows, 1);
	ck_assert_uint_eq(p[0].size, 40960);
	ck_assert_str_eq(p[1].name, "Data");
	ck_assert_int_eq(p[1].windows, 0);
	/* Opened for reading, it is still a WIM hivepatch can write. */
	ck_assert_int_eq(p[0].writable, 1);
	ck_assert_ptr_null(p[0].why_not);
	hp_image_close(img);
	ck_assert_msg(hp_image_open(wim, HP_IMAGE_WRITE, &img, &e) == 0, "%s",
	    e.msg);
	ck_assert_uint_eq(hp_image_parts(img, &p), 2);
	ck_assert_int_eq(p[0].writable, 1);
	ck_assert_ptr_null(p[0].why_not);
	hp_image_close(img);
}
END_TEST

START_TEST(test_an_image_without_windows_opens_no_store)
{
	char *wim = mkwim("none", "data.wim"), *before = sha(wim);
	struct hp_err e;

	ck_assert_int_eq(apply(wim, &e), 3);
	ck_assert_int_eq(e.reason, HP_R_IMAGE_CHOICE);
	ASSERT_HAS(e.msg, "message", "data.wim: image 1 holds no Windows");
	ck_assert_str_eq(sha(wim), before);
}
END_TEST

START_TEST(test_a_split_wim_is_read_but_never_written)
{
	char *wim = mkwim("split", "install.swm");
	char *parts[4] = { wim, tu_pathf("%s/install2.swm", tu_scratch),
	    tu_pathf("%s/install3.swm", tu_scratch),
	    tu_pathf("%s/install4.swm", tu_scratch) }, *shas[4];
	struct hp_err e;
	size_t i;

	for (i = 0; i < 4; i++)
		shas[i] = sha(parts[i]);
	ck_assert_int_eq(verify(wim), 1);
	ck_assert_int_eq(apply(wim, &e), 3);
	ck_assert_int_eq(e.reason, HP_R_IMAGE_UNWRITABLE);
	ck_assert_str_eq(e.msg, tu_pathf("%s: split WIM (part 1 of 4): "
	    "hivepatch cannot write a split WIM; join it with wimlib-imagex "
	    "join", wim));
	for (i = 0; i < 4; i++)
		ck_assert_str_eq(sha(parts[i]), shas[i]);
}
END_TEST

START_TEST(test_a_wim_opened_for_reading_is_never_written)
{
	char *wim = mkwim("win", "install.wim"), *before = sha(wim);
	struct hp_err e;

	ck_assert_int_eq(patch(wim, 0, HP_PATCH_APPLY, tu_pathf("%s/backups",
	    tu_scratch), &e), 3);
	ck_assert_int_eq(e.reason, HP_R_IMAGE_UNWRITABLE);
	ck_assert_str_eq(e.msg, tu_pathf("%s: opened for reading only", wim));
	ck_assert_str_eq(sha(wim), before);
	/* Without write permission (root passes the check regardless). */
	ck_assert_int_eq(chmod(wim, 0444), 0);
	if (geteuid() != 0) {
		ck_assert_int_eq(apply(wim, &e), 3);
		ck_assert_int_eq(e.reason, HP_R_IMAGE_UNWRITABLE);
		ASSERT_HAS(e.msg, "message", wim);
	}
	ck_assert_str_eq(sha(wim), before);
}
END_TEST

START_TEST(test_a_file_that_is_no_wim_is_a_damaged_image)
{
	char *wim = tu_pathf("%s/bad.wim", tu_scratch), *before;
	static const char head[512] = "MSWIM\0\0\0garbage";
	struct hp_image_file *img;
	struct hp_err e;

	tu_write_file(wim, head, sizeof(head));
	before = sha(wim);
	ck_assert_int_eq(hp_image_open(wim, HP_IMAGE_WRITE, &img, &e), -1);
	ck_assert_int_eq(e.status, 4);
	ASSERT_HAS(e.msg, "message", tu_pathf("%s: cannot open the WIM: ",
	    wim));
	ck_assert_str_eq(sha(wim), before);
}
END_TEST

/* ---- failures in the middle of a commit ---- */

static char self[4096];

static const char *
failio_so(void)
{
	const char *so = tu_env("FAILIO_SO");

	return so[0] != '\0' && access(so, R_OK) == 0 ? so : NULL;
}

/* This program as `--apply WIM BACKUPS`, with the shim set as `set`
 * says ("NAME=VALUE", NULL-ended; NULL: no shim). */
static void
child(const char *wim, const char *under, const char *const *set,
      struct tu_result *r)
{
	const char *argv[] = { self, "--apply", wim,
	    tu_pathf("%s/backups", tu_scratch), NULL };
	const char *env[16];
	struct tu_run_opts o = { .env_add = env };
	size_t n = 0;

	if (set != NULL) {
		env[n++] = tu_pathf("LD_PRELOAD=%s", failio_so());
		env[n++] = tu_pathf("FAILIO_UNDER=%s", under);
		env[n++] = "ASAN_OPTIONS=verify_asan_link_order=0";
		while (*set != NULL && n < 15)
			env[n++] = *set++;
	}
	env[n] = NULL;
	tu_run(argv, &o, r);
}

/* The SOFTWARE the WIM holds, extracted by wimlib-imagex: must be the
 * old or the new hive, and read by regfexport.  1 when new. */
static int
hive_is_new(const char *wim, const char *old_sha, const char *new_sha)
{
	static int n;
	char *dest = tu_pathf("%s/extract%d", tu_scratch, n++), *hive, *h;
	char *text;

	tu_mkdir_p(dest);
	wimx_ok("extract", wim, "1", SOFTWARE_PATH, tu_pathf("--dest-dir=%s",
	    dest));
	hive = tu_pathf("%s/SOFTWARE", dest);
	h = sha(hive);
	ck_assert_msg(strcmp(h, old_sha) == 0 || strcmp(h, new_sha) == 0,
	    "%s: SOFTWARE is neither the old hive nor the new one", wim);
	if ((text = tu_regfexport(hive)) != NULL) {
		ck_assert_msg(text[0] != '\0', "regfexport cannot read it");
		free(text);
	}
	return strcmp(h, new_sha) == 0;
}

/* The old and the new hive's SHA-256, from a copy of `pristine`
 * applied cleanly. */
static char *
extracted_sha(const char *wim, const char *name)
{
	char *dest = tu_pathf("%s/%s", tu_scratch, name);

	tu_mkdir_p(dest);
	wimx_ok("extract", wim, "1", SOFTWARE_PATH, tu_pathf("--dest-dir=%s",
	    dest));
	return sha(tu_pathf("%s/SOFTWARE", dest));
}

static void
reference(const char *pristine, const char *wim, char **old_sha,
	  char **new_sha)
{
	struct tu_result r;

	tu_copy_file(pristine, wim);
	child(wim, NULL, NULL, &r);
	ck_assert_msg(r.status == 0, "apply: %s", r.err);
	tu_result_free(&r);
	*new_sha = extracted_sha(wim, "new");
	*old_sha = extracted_sha(pristine, "old");
	ck_assert_str_ne(*new_sha, *old_sha);
}

/* How many calls of `family` a clean apply makes on the WIM. */
static unsigned long
count_calls(const char *wim, const char *under, const char *family)
{
	const char *set[] = { "FAILIO_COUNT=1", NULL };
	struct tu_result r;
	const char *p;
	unsigned long n;

	child(wim, under, set, &r);
	ck_assert_msg(r.status == 0, "apply: %s", r.err);
	p = strstr(r.err, tu_pathf(" %s=", family));
	ck_assert_msg(p != NULL, "no count of %s: %s", family, r.err);
	n = strtoul(p + strlen(family) + 2, NULL, 10);
	tu_result_free(&r);
	return n;
}

static const char *const families[] = { "write", "pwrite", "fsync" };

START_TEST(test_a_failure_mid_commit_leaves_the_old_or_the_new_hive)
{
	const char *family = families[_i];
	char *pristine, *dir = tu_pathf("%s/img", tu_scratch), *wim;
	char *old_sha, *new_sha;
	unsigned long k, n;
	int olds = 0;

	NEED_IMAGEX();
	if (failio_so() == NULL) {
		fprintf(stderr, "SKIP: FAILIO_SO names no shim\n");
		return;
	}
	pristine = mkwim("win", "pristine.wim");
	tu_mkdir_p(dir);
	wim = tu_pathf("%s/install.wim", dir);
	reference(pristine, wim, &old_sha, &new_sha);
	tu_copy_file(pristine, wim);
	n = count_calls(wim, dir, family);
	for (k = 1; k <= n && k <= 40; k++) {
		const char *set[] = { tu_pathf("FAILIO_FUNC=%s", family),
		    tu_pathf("FAILIO_NTH=%lu", k), NULL };
		struct tu_result r;

		tu_copy_file(pristine, wim);
		child(wim, dir, set, &r);
		ck_assert_msg(strstr(r.err, "failio: failing") != NULL,
		    "%s #%lu was not failed: %s", family, k, r.err);
		if (!hive_is_new(wim, old_sha, new_sha)) {
			ck_assert_msg(r.status != 0, "apply said it was done");
			olds++;
		}
		tu_result_free(&r);
		ck_assert_int_eq(verify(wim), olds > 0 && !hive_is_new(wim,
		    old_sha, new_sha) ? 1 : 0);
		wimx_ok("verify", wim, NULL, NULL, NULL);
	}
	ck_assert_msg(n > 0, "a clean apply makes no %s call", family);
	fprintf(stderr, "%s: %lu calls, each failed in turn: %d left the old "
	    "hive\n", family, n, olds);
}
END_TEST

START_TEST(test_a_kill_mid_commit_leaves_the_old_or_the_new_hive)
{
	char *pristine, *dir = tu_pathf("%s/img", tu_scratch), *wim;
	char *old_sha, *new_sha;
	int delay, news = 0;

	NEED_IMAGEX();
	pristine = mkwim("win", "pristine.wim");
	tu_mkdir_p(dir);
	wim = tu_pathf("%s/install.wim", dir);
	reference(pristine, wim, &old_sha, &new_sha);
	for (delay = 0; delay <= 120; delay += 6) {
		const char *argv[] = { self, "--apply", wim,
		    tu_pathf("%s/backups", tu_scratch), NULL };
		struct timespec t = { 0, delay * 1000000L };
		struct tu_result r;
		struct tu_proc p;

		tu_copy_file(pristine, wim);
		tu_spawn(argv, NULL, &p);
		nanosleep(&t, NULL);
		kill(p.pid, SIGKILL);
		tu_wait(&p, &r);
		tu_result_free(&r);
		news += hive_is_new(wim, old_sha, new_sha);
		ck_assert_int_eq(verify(wim), hive_is_new(wim, old_sha,
		    new_sha) ? 0 : 1);
	}
	fprintf(stderr, "kill mid-commit: %d of 21 runs left the new hive\n",
	    news);
}
END_TEST

/* ---- the suite ---- */

static int
child_apply(const char *wim, const char *backups)
{
	struct hp_err e;
	int status = patch(wim, HP_IMAGE_WRITE, HP_PATCH_APPLY, backups, &e);

	if (status > 1)
		fprintf(stderr, "%s\n", e.msg);
	return status;
}

static Suite *
image_wim_suite(void)
{
	Suite *s = suite_create("image_wim");
	TCase *tc;

	tc = tu_tcase(s, "apply");
	tcase_add_test(tc,
	    test_apply_verifies_and_a_second_apply_writes_nothing);
	tcase_add_test(tc, test_other_images_and_the_wim_header_are_kept);
	tcase_add_test(tc, test_the_integrity_table_is_kept);
	tcase_add_test(tc,
	    test_security_descriptor_attributes_and_times_are_kept);
	tcase_add_test(tc, test_a_hive_without_a_security_descriptor_gets_none);
	tcase_add_test(tc, test_a_solid_esd_is_patched_and_stays_solid);

	tc = tu_tcase(s, "refusals");
	tcase_add_test(tc, test_the_images_are_listed);
	tcase_add_test(tc, test_an_image_without_windows_opens_no_store);
	tcase_add_test(tc, test_a_split_wim_is_read_but_never_written);
	tcase_add_test(tc, test_a_wim_opened_for_reading_is_never_written);
	tcase_add_test(tc, test_a_file_that_is_no_wim_is_a_damaged_image);

	tc = tu_tcase(s, "failures");
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc,
	    test_a_failure_mid_commit_leaves_the_old_or_the_new_hive, 0,
	    sizeof(families) / sizeof(families[0]));
	tcase_add_test(tc,
	    test_a_kill_mid_commit_leaves_the_old_or_the_new_hive);
	return s;
}

int
main(int argc, char **argv)
{
	ssize_t n;

	if (argc == 4 && strcmp(argv[1], "--apply") == 0)
		return child_apply(argv[2], argv[3]);
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		return 99;
	self[n] = '\0';
	return tu_run_suite(image_wim_suite(), "test_image_wim");
}
