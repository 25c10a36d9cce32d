/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Bare NTFS volumes in a file, patched through libntfs-3g with no mount:
 * the NTFS store (lib/store_ntfs.h) over a block device on the file, as
 * the disk backend opens it.
 *
 * Fixtures: $MKVOLUME (hives/mkvolume.c) formats a sparse file with
 * mkntfs -F and fills it through libntfs-3g with mkhive's hives.  What
 * was written is read back independently: ntfscat (ntfs-3g's tools) and
 * libregf's regfexport; the hive's security descriptor and attributes
 * through libntfs-3g.  A crash mid-commit is played by
 * tests/failio.so: every pwrite from the N-th on fails, for each N. */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "blockdev.h"
#include "ntfsmeta.h"
#include "store_ntfs.h"
#include "testutil.h"

#define NET64	"Microsoft\\.NETFramework\\v4.0.30319"
#define NET32	"Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319"
#define SUC	"SchUseStrongCrypto"
#define SOFTWARE "Windows/System32/config/SOFTWARE"

/* ---- fixtures ---- */

/* The program `name` in the directories ntfs-3g installs to, into
 * path; 0 when absent. */
static int
find_tool(const char *name, char *path, size_t len)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin",
	    "/bin" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, len, "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return 1;
	}
	return 0;
}

static int
have_tool(const char *name)
{
	char path[256];

	return find_tool(name, path, sizeof(path));
}

/* The path of the program `name` (a tu_pathf string), NULL when absent. */
static const char *
tool(const char *name)
{
	char path[256];

	return find_tool(name, path, sizeof(path)) ? tu_pathf("%s", path) :
	    NULL;
}

/* tu_scratch/vol/KIND.img, made by mkvolume (MIB MiB). */
static char *
volume(const char *kind, int mib)
{
	const char *argv[] = { tu_env_required("MKVOLUME"), "--size",
	    tu_pathf("%d", mib), kind, NULL, NULL };
	char *dir = tu_pathf("%s/vol", tu_scratch);
	struct tu_result r;

	tu_mkdir_p(dir);
	argv[4] = tu_pathf("%s/%s.img", dir, kind);
	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "mkvolume %s: %s", kind, r.err);
	tu_result_free(&r);
	return (char *)argv[4];
}

/* What the image backend does for a bare volume: a block device on the
 * file, examined, and a store over it. */
struct vol {
	struct blockdev *bd;
	struct hp_image_part part;
	struct hp_store *store;
};

static void
vol_open(struct vol *v, const char *path, int writable)
{
	const struct hp_store_ops *ops;
	struct hp_err e;
	void *priv;

	memset(v, 0, sizeof(*v));
	ck_assert_msg(blockdev_open_file(path, writable, &v->bd, &e) == 0,
	    "%s", e.msg);
	ck_assert_msg(ntfs_volume_examine(v->bd, path, &v->part, &e) == 0,
	    "%s", e.msg);
	if (!v->part.windows)
		return;
	ck_assert_msg(store_ntfs_open(v->bd, path, path, NULL,
	    v->part.writable, v->part.why_not, &ops, &priv, &e) == 0, "%s",
	    e.msg);
	ck_assert_msg(hp_store_open_ops(ops, priv, path, &v->store, &e) == 0,
	    "%s", e.msg);
}

static void
vol_close(struct vol *v)
{
	hp_store_close(v->store);
	free(v->part.name);
	free(v->part.fs);
	free(v->part.why_not);
	blockdev_close(v->bd);
}

static const char *const net4[] = { HP_DEFAULT_PROFILE };

/* Where patch keeps its backups: tu_bk unless a test says otherwise. */
static const char *patch_backups;

/* hp_patch on the volume at path; its status, the result's exit
 * status and message in *exit_status and e. */
static int
patch_flags(const char *path, enum hp_patch_mode mode, unsigned flags,
	    int *exit_status, struct hp_err *e)
{
	struct hp_patch_opts o = {
		.command = mode == HP_PATCH_VERIFY ? "verify" : "apply",
		.mode = mode, .flags = flags, .profiles = net4, .n_profiles = 1,
		.profile_dir = tu_env_required("HIVEPATCH_PROFILE_DIR"),
		.backup_root = patch_backups != NULL ? patch_backups : tu_bk,
	};
	struct hp_result *r = NULL;
	struct vol v;
	int rc;

	vol_open(&v, path, mode != HP_PATCH_VERIFY);
	ck_assert_msg(v.store != NULL, "%s: no Windows found", path);
	memset(e, 0, sizeof(*e));
	rc = hp_patch(v.store, &o, &r, e);
	*exit_status = r != NULL ? r->exit_status : -1;
	hp_result_free(r);
	vol_close(&v);
	return rc;
}

static int
patch(const char *path, enum hp_patch_mode mode, int *exit_status,
      struct hp_err *e)
{
	return patch_flags(path, mode, 0, exit_status, e);
}

/* ntfscat VOLUME PATH > tu_scratch/NAME: the file as ntfs-3g reads
 * it.  NULL (a SKIP line said why) without ntfscat. */
static char *
ntfscat(const char *path, const char *in_volume, const char *name)
{
	char *out = tu_pathf("%s/%s", tu_scratch, name);
	const char *argv[] = { tool("ntfscat"), path, in_volume, NULL };
	struct tu_result r;

	if (argv[0] == NULL) {
		fprintf(stderr, "SKIP: ntfscat not found (ntfs-3g); the "
		    "independent read-back is not run\n");
		return NULL;
	}
	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "ntfscat %s %s: %s", path, in_volume,
	    r.err);
	tu_write_file(out, r.out, r.out_len);
	tu_result_free(&r);
	return out;
}

/* What ntfscat says of the file `in`: 0 absent (ntfscat fails on
 * it), 1 empty, 2 holding bytes; 1 without ntfscat. */
static int
ntfscat_state(const char *path, const char *in)
{
	const char *argv[] = { tool("ntfscat"), path, in, NULL };
	struct tu_result r;
	int state;

	if (argv[0] == NULL)
		return 1;
	tu_run(argv, NULL, &r);
	state = r.status != 0 ? 0 : r.out_len == 0 ? 1 : 2;
	tu_result_free(&r);
	return state;
}

static int
ntfscat_empty(const char *path, const char *in)
{
	return ntfscat_state(path, in) == 1;
}

/* ---- apply and verify ---- */

START_TEST(apply_then_verify)
{
	char *path = volume("win", 64), *hive;
	struct hp_err e;
	int status;
	struct timespec t0, t1;

	ck_assert_int_eq(patch(path, HP_PATCH_VERIFY, &status, &e),
	    HP_NONCOMPLIANT);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_msg(patch(path, HP_PATCH_APPLY, &status, &e) == HP_OK, "%s",
	    e.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "apply on a 64 MiB volume: %.3f s\n",
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	ck_assert_int_eq(status, 0);
	ck_assert_msg(patch(path, HP_PATCH_VERIFY, &status, &e) == HP_OK, "%s",
	    e.msg);
	ck_assert_int_eq(status, 0);
	/* Read back by ntfs-3g and libregf, neither of them hivepatch's. */
	if ((hive = ntfscat(path, SOFTWARE, "SOFTWARE.out")) == NULL)
		return;
	ck_assert(tu_regf_value(hive, NET64, SUC, "(REG_DWORD", "Data: 1\n")
	    != 0);
	ck_assert(tu_regf_value(hive, NET32, SUC, "(REG_DWORD", "Data: 1\n")
	    != 0);
	ck_assert(tu_regf_value(hive, NET64, "SomeOtherValue", "(REG_SZ",
	    "Data: keep me\n") != 0);
}
END_TEST

START_TEST(second_apply_writes_nothing)
{
	char *path = volume("win", 64);
	char before[SHA256_HEX_LEN + 1];
	struct hp_err e;
	int status;

	ck_assert_msg(patch(path, HP_PATCH_APPLY, &status, &e) == HP_OK, "%s",
	    e.msg);
	tu_sha256(path, before);
	ck_assert_msg(patch(path, HP_PATCH_APPLY, &status, &e) == HP_OK, "%s",
	    e.msg);
	ck_assert_int_eq(status, 0);
	ASSERT_HASH(path, before);
	/* Nor does verify, nor an apply on a compliant volume. */
	ck_assert_int_eq(patch(path, HP_PATCH_VERIFY, &status, &e), HP_OK);
	ASSERT_HASH(path, before);
	path = volume("compliant", 64);
	tu_sha256(path, before);
	ck_assert_msg(patch(path, HP_PATCH_APPLY, &status, &e) == HP_OK, "%s",
	    e.msg);
	ASSERT_HASH(path, before);
}
END_TEST

/* ---- what the hive keeps ---- */

struct meta {
	char sd[1024];
	int sd_len;
	uint32_t attrib;
};

/* The security descriptor and attributes of the file `in` of the volume,
 * read through libntfs-3g. */
static void
meta_of(const char *path, const char *in, struct meta *m)
{
	char why[512];

	memset(m, 0, sizeof(*m));
	ck_assert_msg(ntfsmeta_get(path, in, m->sd, sizeof(m->sd), &m->sd_len,
	    &m->attrib, why, sizeof(why)) == 0, "%s", why);
}

START_TEST(descriptor_and_attributes_kept)
{
	char *path = volume("win", 64);
	const char *argv[] = { tool("ntfsfix"), "-n", path, NULL };
	struct meta before, after, log_before, log_after;
	struct tu_result r;
	struct hp_err e;
	int status;

	meta_of(path, "/" SOFTWARE, &before);
	meta_of(path, "/" SOFTWARE ".LOG1", &log_before);
	/* mkvolume's: SYSTEM owns it, ARCHIVE. */
	ck_assert_int_eq(before.sd_len, 96);
	ck_assert(before.attrib & NTFSMETA_ARCHIVE);
	ck_assert_msg(patch(path, HP_PATCH_APPLY, &status, &e) == HP_OK, "%s",
	    e.msg);
	meta_of(path, "/" SOFTWARE, &after);
	ck_assert_int_eq(after.sd_len, before.sd_len);
	ck_assert(memcmp(after.sd, before.sd, (size_t)before.sd_len) == 0);
	ck_assert_uint_eq(after.attrib, before.attrib);
	/* The log the commit went through is empty again, and kept its
	 * own descriptor and attributes. */
	meta_of(path, "/" SOFTWARE ".LOG1", &log_after);
	ck_assert_int_eq(log_after.sd_len, log_before.sd_len);
	ck_assert(memcmp(log_after.sd, log_before.sd,
	    (size_t)log_before.sd_len) == 0);
	ck_assert_uint_eq(log_after.attrib, log_before.attrib);
	ck_assert(ntfscat_empty(path, SOFTWARE ".LOG1"));
	if (argv[0] == NULL) {
		fprintf(stderr, "SKIP: ntfsfix not found (ntfs-3g)\n");
		return;
	}
	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "ntfsfix -n: %s%s", r.out, r.err);
	ASSERT_OUT(&r, "processed successfully");
	tu_result_free(&r);
}
END_TEST

/* ---- refusals ---- */

/* The volume of KIND is examined unwritable with a reason that names it
 * and says `why`; apply is refused (exit 3) and writes nothing. */
static void
refused(const char *kind, const char *why, int has_store)
{
	char *path = volume(kind, 64), before[SHA256_HEX_LEN + 1];
	struct hp_err e;
	struct vol v;
	int status;

	tu_sha256(path, before);
	vol_open(&v, path, 1);
	ck_assert_int_eq(v.part.writable, 0);
	ck_assert_msg(v.part.why_not != NULL, "%s: no reason", kind);
	ASSERT_HAS(v.part.why_not, "why_not", path);
	ASSERT_HAS(v.part.why_not, "why_not", why);
	ck_assert_int_eq(v.part.windows, has_store);
	vol_close(&v);
	if (has_store) {
		ck_assert_int_eq(patch(path, HP_PATCH_APPLY, &status, &e), -1);
		ck_assert_int_eq(e.reason, HP_R_IMAGE_UNWRITABLE);
		ck_assert_int_eq(status, 3);
		ASSERT_HAS(e.msg, "message", path);
		ASSERT_HAS(e.msg, "message", why);
		/* verify still reads it */
		ck_assert_int_eq(patch(path, HP_PATCH_VERIFY, &status, &e),
		    HP_NONCOMPLIANT);
	}
	ASSERT_HASH(path, before);
}

START_TEST(refuses_hibernated)
{
	refused("hiberfil", "hiberfil.sys starts with \"HIBR\"", 1);
	refused("hiberfil", "powercfg /h off", 1);
}
END_TEST

START_TEST(refuses_fast_startup)
{
	refused("faststartup", "hiberfil.sys starts with \"wake\"", 1);
	refused("faststartup", "shutdown /s /f /t 0", 1);
}
END_TEST

START_TEST(refuses_dirty)
{
	refused("dirty", "NTFS marks the volume dirty", 1);
	refused("dirty", "chkdsk /f", 1);
}
END_TEST

START_TEST(refuses_bitlocker)
{
	char *path = volume("bitlocker", 64);
	struct vol v;

	refused("bitlocker", "BitLocker (-FVE-FS-)", 0);
	vol_open(&v, path, 1);
	ck_assert_str_eq(v.part.fs, "bitlocker");
	vol_close(&v);
}
END_TEST

START_TEST(writable_when_read_and_replace_refused)
{
	char *path = volume("win", 64), before[SHA256_HEX_LEN + 1];
	struct hp_err e;
	struct vol v;
	int status;

	tu_sha256(path, before);
	/* Opened for reading, the volume is still one hivepatch can
	 * write (hivepatch images says so); its store is read-only. */
	vol_open(&v, path, 0);
	ck_assert_int_eq(v.part.writable, 1);
	ck_assert_ptr_null(v.part.why_not);
	ck_assert_int_eq(v.part.windows, 1);
	ck_assert_str_eq(v.part.fs, "ntfs");
	ck_assert_str_eq(v.part.name, "Windows");
	vol_close(&v);
	/* A whole replacement is refused, saying how NTFS images are
	 * written; nothing is. */
	ck_assert_int_eq(patch_flags(path, HP_PATCH_APPLY, HP_COMMIT_REPLACE,
	    &status, &e), -1);
	ck_assert_int_eq(e.reason, HP_R_IMAGE_UNWRITABLE);
	ASSERT_HAS(e.msg, "message", "written in place");
	ck_assert_int_eq(status, 3);
	ASSERT_HASH(path, before);
}
END_TEST

/* A hive with no log beside it: the commit makes SOFTWARE.LOG1 for
 * itself, with the hive's descriptor, and removes it again. */
START_TEST(log_made_and_removed)
{
	char *path = volume("nologs", 64), *hive;
	struct hp_err e;
	int status;

	ck_assert_msg(patch(path, HP_PATCH_APPLY, &status, &e) == HP_OK, "%s",
	    e.msg);
	ck_assert_int_eq(ntfscat_state(path, SOFTWARE ".LOG1"), 0);
	ck_assert_int_eq(ntfscat_state(path, SOFTWARE ".LOG2"), 0);
	ck_assert_int_eq(patch(path, HP_PATCH_VERIFY, &status, &e), HP_OK);
	if ((hive = ntfscat(path, SOFTWARE, "SOFTWARE.out")) != NULL)
		ck_assert(tu_regf_value(hive, NET64, SUC, "(REG_DWORD",
		    "Data: 1\n") != 0);
}
END_TEST

START_TEST(data_volume_has_no_windows)
{
	char *path = volume("data", 64);
	struct vol v;

	vol_open(&v, path, 1);
	ck_assert_int_eq(v.part.windows, 0);
	ck_assert_int_eq(v.part.writable, 1);
	ck_assert_str_eq(v.part.name, "Data");
	vol_close(&v);
}
END_TEST

/* ---- a crash mid-commit ---- */

/* This program run again as `--apply VOLUME BACKUPS`: one apply, with
 * no Check around it (the child tests/failio.so is preloaded into). */
static int
child_apply(const char *path, const char *backups)
{
	const struct hp_store_ops *ops;
	struct hp_patch_opts o = {
		.command = "apply", .mode = HP_PATCH_APPLY, .profiles = net4,
		.n_profiles = 1, .backup_root = backups,
		.profile_dir = getenv("HIVEPATCH_PROFILE_DIR"),
	};
	struct hp_image_part part;
	struct hp_result *r = NULL;
	struct hp_store *store;
	struct blockdev *bd;
	struct hp_err e;
	void *priv;
	int rc;

	memset(&part, 0, sizeof(part));
	if (blockdev_open_file(path, 1, &bd, &e) == -1 ||
	    ntfs_volume_examine(bd, path, &part, &e) == -1 ||
	    store_ntfs_open(bd, path, path, NULL, part.writable, part.why_not,
	    &ops, &priv, &e) == -1 ||
	    hp_store_open_ops(ops, priv, path, &store, &e) == -1) {
		fprintf(stderr, "%s\n", e.msg);
		return 4;
	}
	rc = hp_patch(store, &o, &r, &e);
	if (rc == -1)
		fprintf(stderr, "%s\n", e.msg);
	rc = r != NULL ? r->exit_status : 4;
	hp_result_free(r);
	hp_store_close(store);
	blockdev_close(bd);
	return rc;
}

/* Runs child_apply on a fresh copy of pristine at vol with the shim's
 * settings `set`; its stderr. */
static char *
run_child(const char *pristine, const char *vol, const char *backups,
	  const char *const *set)
{
	const char *env[8], *argv[] = { tu_pathf("/proc/%d/exe", (int)getpid()),
	    "--apply", vol, backups, NULL };
	struct tu_run_opts opts = { 0 };
	struct tu_result r;
	char *err;
	size_t n = 0;

	tu_copy_file(pristine, vol);
	env[n++] = tu_pathf("LD_PRELOAD=%s", tu_env("FAILIO_SO"));
	env[n++] = tu_pathf("FAILIO_UNDER=%s", tu_dir_of(vol));
	/* ASan wants to come first; the shim calls on to it. */
	env[n++] = "ASAN_OPTIONS=verify_asan_link_order=0";
	for (; *set != NULL; set++)
		env[n++] = *set;
	env[n] = NULL;
	opts.env_add = env;
	tu_run(argv, &opts, &r);
	err = tu_pathf("%s", r.err);
	tu_result_free(&r);
	return err;
}

/* The hive the crashed run left is the old or the new: hivepatch reads
 * it (with its logs) as either, libregf reads its primary when that is
 * clean, and apply then leaves it new. */
static void
old_or_new(const char *vol, unsigned n)
{
	unsigned char *p;
	char *hive;
	struct hp_err e;
	int rc, status;
	size_t len;

	rc = patch(vol, HP_PATCH_VERIFY, &status, &e);
	ck_assert_msg(rc == HP_OK || rc == HP_NONCOMPLIANT, "pwrite %u: %s", n,
	    e.msg);
	if ((hive = ntfscat(vol, SOFTWARE, "crashed")) != NULL) {
		p = tu_read_file(hive, &len);
		ck_assert_uint_ge(len, 4096);
		if (memcmp(p + 4, p + 8, 4) == 0) {
			char *text = tu_regfexport(hive);

			ck_assert_msg(text == NULL || text[0] != '\0', "pwrite %u: "
			    "libregf cannot read the clean primary", n);
			free(text);
		}
		free(p);
	}
	ck_assert_msg(patch(vol, HP_PATCH_APPLY, &status, &e) == HP_OK,
	    "pwrite %u: apply after the crash: %s", n, e.msg);
	ck_assert_msg(patch(vol, HP_PATCH_VERIFY, &status, &e) == HP_OK,
	    "pwrite %u: %s", n, e.msg);
}

START_TEST(crash_mid_commit)
{
	const char *count[] = { "FAILIO_COUNT=1", NULL };
	char *pristine, *dir, *vol, *err, *p;
	unsigned long total, n;

	if (tu_env("FAILIO_SO")[0] == '\0' ||
	    access(tu_env("FAILIO_SO"), R_OK) != 0) {
		fprintf(stderr, "SKIP: FAILIO_SO names no shim (make check "
		    "builds tests/failio.so); no crash is played\n");
		return;
	}
	pristine = volume("win", 16);
	dir = tu_pathf("%s/crash", tu_scratch);
	tu_mkdir_p(dir);
	vol = tu_pathf("%s/v.img", dir);
	err = run_child(pristine, vol, tu_pathf("%s/bk0", tu_scratch), count);
	ck_assert_msg((p = strstr(err, "pwrite=")) != NULL, "%s", err);
	total = strtoul(p + strlen("pwrite="), NULL, 10);
	ck_assert_msg(total > 4, "only %lu writes: %s", total, err);
	for (n = 1; n <= total; n++) {
		const char *set[] = { "FAILIO_FUNC=pwrite",
		    tu_pathf("FAILIO_NTH=%lu", n), "FAILIO_STICKY=1", NULL };

		/* The run after the crash keeps its backups with the
		 * crashed run's, as a user running it again would. */
		patch_backups = tu_pathf("%s/bk%lu", tu_scratch, n);
		err = run_child(pristine, vol, patch_backups, set);
		ck_assert_msg(strstr(err, "failio: failing") != NULL, "pwrite "
		    "%lu of %lu was not failed: %s", n, total, err);
		old_or_new(vol, (unsigned)n);
	}
	patch_backups = NULL;
}
END_TEST

static Suite *
ntfs_suite(void)
{
	Suite *s = suite_create("image-ntfs");
	TCase *tc = tu_tcase(s, "ntfs");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, apply_then_verify);
	tcase_add_test(tc, second_apply_writes_nothing);
	tcase_add_test(tc, descriptor_and_attributes_kept);
	tcase_add_test(tc, refuses_hibernated);
	tcase_add_test(tc, refuses_fast_startup);
	tcase_add_test(tc, refuses_dirty);
	tcase_add_test(tc, refuses_bitlocker);
	tcase_add_test(tc, writable_when_read_and_replace_refused);
	tcase_add_test(tc, log_made_and_removed);
	tcase_add_test(tc, data_volume_has_no_windows);
	tcase_add_test(tc, crash_mid_commit);
	return s;
}

int
main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "--apply") == 0)
		return child_apply(argv[2], argv[3]);
	if (!have_tool("mkntfs")) {
		fprintf(stderr, "SKIP: mkntfs not found (Debian: apt-get install "
		    "ntfs-3g)\n");
		return 77;
	}
	return tu_run_suite(ntfs_suite(), "hivepatch-test-image-ntfs");
}
