/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libhivepatch through its public header alone: this program is built
 * with include/ on its include path and not lib/, so it sees nothing but
 * hivepatch.h.  It patches, verifies, inspects, exports, recovers and
 * rolls back fixtures made by hives/mkhive and hives/mkdirty, and drives
 * the commit, the backups and the recovered view through a store of its
 * own that fails at a chosen step. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include "hivepatch.h"

extern char **environ;

static char scratch[4096];
static char backups[4096 + 16];

/* ---- fixtures and files ---- */

static const char *
env_required(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && *v != '\0', "%s is not set: run make check",
	    name);
	return v;
}

/* a, then sep, then b, in a fresh string. */
static char *
join(const char *a, const char *sep, const char *b)
{
	char *p;

	ck_assert(asprintf(&p, "%s%s%s", a, sep, b) != -1);
	return p;
}

static void
run(const char *const *argv)
{
	pid_t pid;
	int status;

	ck_assert_int_eq(posix_spawn(&pid, argv[0], NULL, NULL,
	    (char *const *)argv, environ), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s %s failed", argv[0], argv[1]);
}

/* mkhive [--dirty] KIND OUT (a tree KIND makes a directory). */
static char *
mkhive(const char *kind, const char *name, int dirty)
{
	char *out = join(scratch, "/", name);
	const char *argv[5] = { env_required("MKHIVE") };
	int n = 1;

	if (dirty)
		argv[n++] = "--dirty";
	argv[n++] = kind;
	argv[n++] = out;
	run(argv);
	return out;
}

/* mkdirty MODE a fresh software64-net48 OUT: a dirty hive whose logs
 * hold three sets of changes. */
static char *
mkdirty(const char *mode, const char *name)
{
	char *clean = mkhive("software64-net48", "clean", 0);
	char *out = join(scratch, "/", name);
	const char *argv[] = { env_required("MKDIRTY"), mode, clean, out, NULL };

	run(argv);
	free(clean);
	return out;
}

static void
sha256(const char *path, char hex[65])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned len = 0, i;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		ck_assert(EVP_DigestUpdate(ctx, buf, (size_t)n) == 1);
	ck_assert(n == 0 && EVP_DigestFinal_ex(ctx, md, &len) == 1);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(ctx);
	close(fd);
}

/* hivepatch's temporary files in the config directory of a tree. */
static int
count_temp_files(const char *root)
{
	char *dir = join(root, "/", "Windows/System32/config");
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		n += strstr(de->d_name, ".hivepatch-") != NULL;
	closedir(d);
	free(dir);
	return n;
}

static int manifests;

static int
count_manifest(const char *path, const struct stat *st, int type,
	       struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F && strstr(path, "/manifest.json") != NULL)
		manifests++;
	return 0;
}

/* Finished backups under the backup directory. */
static int
count_backups(void)
{
	manifests = 0;
	if (access(backups, F_OK) == 0)
		ck_assert(nftw(backups, count_manifest, 16, FTW_PHYS) == 0);
	return manifests;
}

static int
remove_entry(const char *path, const struct stat *st, int type,
	     struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(scratch, sizeof(scratch), "%s/hivepatch-api.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	ck_assert(mkdtemp(scratch) != NULL);
	snprintf(backups, sizeof(backups), "%s/backups", scratch);
}

static void
teardown(void)
{
	nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- running the library ---- */

static struct hp_store *
open_store(const char *target)
{
	struct hp_err e = { 0 };
	struct hp_store *s;

	ck_assert_msg(hp_store_open(target, &s, &e) == 0, "%s", e.msg);
	return s;
}

static const char *const net4[] = { HP_DEFAULT_PROFILE };

/* A run's options: the profile directory and the backups of this test,
 * and a fixed clock. */
static struct hp_patch_opts
patch_opts(const char *command, enum hp_patch_mode mode)
{
	static const struct timespec fixed = { 1672531200, 0 };
	struct hp_patch_opts o = {
		.command = command, .mode = mode, .profiles = net4,
		.n_profiles = mode == HP_PATCH_RECOVER ? 0 : 1,
		.profile_dir = env_required("HIVEPATCH_PROFILE_DIR"),
		.backup_root = backups, .now = &fixed,
	};

	return o;
}

/* hp_patch on `store`; returns the status, the result in *r. */
static int
patch(struct hp_store *store, const struct hp_patch_opts *o,
      struct hp_result **r, struct hp_err *e)
{
	int rc = hp_patch(store, o, r, e);

	ck_assert_ptr_nonnull(*r);
	ck_assert_int_eq((*r)->exit_status, rc == -1 ? (int)e->status : rc);
	return rc;
}

/* verify through a fresh store: 0 when the profile holds. */
static int
verify(const char *target)
{
	struct hp_patch_opts o = patch_opts("verify", HP_PATCH_VERIFY);
	struct hp_store *s = open_store(target);
	struct hp_err e = { 0 };
	struct hp_result *r;
	int rc = patch(s, &o, &r, &e);

	ck_assert_msg(rc != -1, "%s", e.msg);
	hp_result_free(r);
	hp_store_close(s);
	return rc;
}

/* ---- tests ---- */

START_TEST(test_apply_then_verify_through_the_public_header)
{
	char *root = mkhive("tree", "img", 0);
	char *hive = join(root, "/", "Windows/System32/config/SOFTWARE");
	struct hp_patch_opts o = patch_opts("apply", HP_PATCH_APPLY);
	char before[65], after[65];
	struct hp_store *s;
	struct hp_result *r;
	struct hp_err e = { 0 };
	size_t i, added = 0;

	sha256(hive, before);
	ck_assert_int_eq(verify(root), HP_NONCOMPLIANT);
	s = open_store(root);
	ck_assert_int_eq(patch(s, &o, &r, &e), HP_OK);
	sha256(hive, after);
	ck_assert_str_ne(before, after);
	ck_assert_str_eq(r->command, "apply");
	ck_assert_int_eq(r->n_hives, 1);
	ck_assert_int_eq(r->hives[0].kind, HP_HIVE_SOFTWARE);
	ck_assert_str_eq(r->hives[0].where, hive);
	ck_assert_str_eq(r->hives[0].sha_before, before);
	ck_assert_str_eq(r->hives[0].sha_after, after);
	/* The log's entry takes the number after the hive's (2), the
	 * clean hive the next. */
	ck_assert_int_eq(r->hives[0].seq_after, 4);
	ck_assert_int_eq(r->hives[0].commit, HP_METHOD_LOGGED);
	for (i = 0; i < r->hives[0].n_changes; i++)
		added += r->hives[0].changes[i].action == HP_ACT_ADD &&
		    r->hives[0].changes[i].op == HP_OP_SET_VALUE;
	ck_assert_int_eq(added, 2);
	ck_assert(r->has_image);
	ck_assert_str_eq(r->image.build, "19045");
	ck_assert_int_eq(r->reason, HP_R_NONE);
	ck_assert_ptr_null(r->error);
	/* The fixed clock names the backup. */
	ck_assert_ptr_nonnull(strstr(r->hives[0].backup, "/20230101T000000Z."));
	ck_assert_int_eq(count_backups(), 1);
	hp_result_free(r);
	hp_store_close(s);
	ck_assert_int_eq(verify(root), HP_OK);
	ck_assert_int_eq(count_temp_files(root), 0);
	free(root);
	free(hive);
}
END_TEST

START_TEST(test_reasons_have_stable_names_and_one_status_each)
{
	static const struct {
		enum hp_reason r;
		const char *name;
		enum hp_status status;
	} want[] = {
		{ HP_R_NO_KEY, "no-key", HP_NONCOMPLIANT },
		{ HP_R_BAD_REG, "bad-reg", HP_USAGE },
		{ HP_R_DIRTY_UNRECOVERABLE, "dirty-unrecoverable", HP_REFUSED },
		{ HP_R_WRONG_KIND, "wrong-kind", HP_REFUSED },
		{ HP_R_NET_MISSING, "net-missing", HP_REFUSED },
		{ HP_R_LOCKED, "locked", HP_REFUSED },
		{ HP_R_SYMLINK, "symlink", HP_REFUSED },
		{ HP_R_NOT_REGULAR, "not-regular", HP_REFUSED },
		{ HP_R_DAMAGED, "damaged", HP_IOERR },
		{ HP_R_IO, "io", HP_IOERR },
		{ HP_R_USAGE, "usage", HP_USAGE },
		{ HP_R_UNEXPORTABLE, "unexportable", HP_REFUSED },
	};
	size_t i, j;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_str_eq(hp_reason_name(want[i].r), want[i].name);
		ck_assert_int_eq(hp_reason_status(want[i].r), want[i].status);
	}
	ck_assert_str_eq(hp_reason_name(HP_R_NONE), "");
	for (i = 1; i <= HP_R_NO_MEMORY; i++)
		for (j = i + 1; j <= HP_R_NO_MEMORY; j++)
			ck_assert_str_ne(hp_reason_name(i), hp_reason_name(j));
}
END_TEST

START_TEST(test_stores_list_their_hives_and_why_one_cannot_be_read)
{
	char *root = mkhive("tree", "img", 0);
	char *file = mkhive("system", "SYSTEM.hive", 0);
	char *sys = join(root, "/", "Windows/System32/config/SYSTEM");
	struct hp_store_hive *hives;
	struct hp_store *s;
	size_t n, i;
	int saw_software = 0;

	/* SYSTEM becomes a link out of the image. */
	ck_assert(unlink(sys) == 0 && symlink(file, sys) == 0);
	s = open_store(root);
	ck_assert_str_eq(hp_store_get_ops(s, NULL)->name, "tree");
	n = hp_store_hives(s, &hives);
	ck_assert_uint_ge(n, 2);
	for (i = 0; i < n; i++) {
		if (hives[i].kind == HP_HIVE_SOFTWARE) {
			saw_software = 1;
			ck_assert_int_eq(hives[i].problem.status, HP_OK);
			ck_assert_ptr_nonnull(hives[i].identity);
		}
		if (hives[i].kind == HP_HIVE_SYSTEM) {
			ck_assert_int_eq(hives[i].problem.reason, HP_R_SYMLINK);
			ck_assert_ptr_nonnull(strstr(hives[i].problem.msg, sys));
		}
		if (hives[i].kind == HP_HIVE_SAM)
			ck_assert_int_eq(hives[i].problem.reason, HP_R_NOT_FOUND);
	}
	ck_assert(saw_software);
	hp_store_close(s);
	s = open_store(file);
	ck_assert_str_eq(hp_store_get_ops(s, NULL)->name, "file");
	ck_assert_int_eq(hp_store_hives(s, &hives), 1);
	ck_assert_int_eq(hives[0].kind, HP_HIVE_UNKNOWN);
	ck_assert_str_eq(hives[0].where, file);
	hp_store_close(s);
	free(root);
	free(file);
	free(sys);
}
END_TEST

/* The recovered view: a dirty hive read as Windows would load it, its
 * logs replayed in memory, and hivex given /proc/self/fd/N. */
static void
read_files(struct hp_store *s, struct hp_hive_files *f)
{
	const struct hp_store_ops *ops;
	struct hp_store_hive *hives;
	struct hp_err e = { 0 };
	void *priv;

	ck_assert_int_eq(hp_store_hives(s, &hives), 1);
	ops = hp_store_get_ops(s, &priv);
	ck_assert_msg(ops->read(priv, &hives[0], f, &e) == 0, "%s", e.msg);
}

START_TEST(test_view_replays_a_dirty_hive_and_reads_it_as_windows_would)
{
	char *hive = mkdirty("new", "SOFTWARE");
	char before[65], now[65];
	struct hp_hive_files f;
	const struct hp_recovery *rec;
	struct hp_err e = { 0 };
	struct hp_store *s = open_store(hive);
	struct hp_view *v;

	sha256(hive, before);
	read_files(s, &f);
	ck_assert_int_eq(f.n_logs, 2);
	ck_assert_msg(hp_view_open(&f, hive, 0, &v, &e) == 0, "%s", e.msg);
	rec = hp_view_recovery(v);
	ck_assert(rec->dirty && rec->replayed);
	ck_assert_int_eq(rec->format, HP_LOG_NEW);
	ck_assert_uint_eq(rec->entries_applied, 3);
	ck_assert_uint_eq(rec->seq_after, 4);
	ck_assert_str_eq(hp_view_caveat(v), "");
	ck_assert_ptr_nonnull(strstr(hp_view_path(v), "/proc/self/fd/"));
	ck_assert(access(hp_view_path(v), R_OK) == 0);
	hp_view_close(v);

	ck_assert(hp_view_open(&f, hive, HP_VIEW_NO_RECOVER, &v, &e) == 0);
	rec = hp_view_recovery(v);
	ck_assert(rec->dirty && !rec->replayed);
	hp_view_close(v);
	hp_hive_files_free(&f);
	hp_store_close(s);
	sha256(hive, now);
	ck_assert_str_eq(before, now);
	free(hive);
}
END_TEST

START_TEST(test_view_refuses_a_dirty_hive_no_log_recovers)
{
	char *hive = mkhive("software64-net48", "SOFTWARE", 1);
	struct hp_hive_files f;
	struct hp_err e = { 0 };
	struct hp_store *s = open_store(hive);
	struct hp_view *v = NULL;

	read_files(s, &f);
	ck_assert_int_eq(hp_view_open(&f, hive, 0, &v, &e), -1);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(e.reason, HP_R_DIRTY_UNRECOVERABLE);
	ck_assert_int_eq(e.status, HP_REFUSED);
	ck_assert_ptr_nonnull(strstr(e.msg, hive));
	ck_assert_ptr_nonnull(strstr(e.msg, ".LOG1"));
	hp_hive_files_free(&f);
	hp_store_close(s);
	free(hive);
}
END_TEST

/* ---- a store that fails at a chosen step ---- */

enum fail_at {
	FAIL_NONE,
	FAIL_COMMIT,		/* the commit refuses before writing */
	FAIL_CHECK,		/* what it wrote does not read back */
	FAIL_AFTER_REPLACE,	/* in place, then a later step fails */
};

struct failing {
	struct hp_store *inner;
	const struct hp_store_ops *ops;
	void *priv;
	int commits;		/* commits so far */
	int at;			/* the commit (from 1) that fails */
	enum fail_at how;
};

static void
set_err(struct hp_err *e, const char *msg)
{
	e->status = HP_IOERR;
	e->reason = HP_R_IO;
	snprintf(e->msg, sizeof(e->msg), "%s", msg);
}

static int
f_list(void *priv, struct hp_store_hive **hives, size_t *n, struct hp_err *e)
{
	struct failing *f = priv;

	(void)e;
	*n = hp_store_hives(f->inner, hives);
	return 0;
}

static int
f_lock(void *priv, struct hp_store_hive *h, struct hp_err *e)
{
	struct failing *f = priv;

	return f->ops->lock(f->priv, h, e);
}

static int
f_read(void *priv, struct hp_store_hive *h, struct hp_hive_files *out,
       struct hp_err *e)
{
	struct failing *f = priv;

	return f->ops->read(f->priv, h, out, e);
}

static int
refuse_check(void *arg, int fd, struct hp_err *e)
{
	(void)arg;
	(void)fd;
	set_err(e, "injected: the re-read does not match");
	return -1;
}

static int
f_commit(void *priv, struct hp_store_hive *h, int fd, hp_check_fn check,
	 void *arg, int *replaced, struct hp_err *e)
{
	struct failing *f = priv;

	if (++f->commits != f->at || f->how == FAIL_NONE)
		return f->ops->commit(f->priv, h, fd, check, arg, replaced, e);
	if (f->how == FAIL_COMMIT) {
		*replaced = 0;
		set_err(e, "injected: the commit fails");
		return -1;
	}
	if (f->how == FAIL_CHECK)
		return f->ops->commit(f->priv, h, fd, refuse_check, NULL,
		    replaced, e);
	if (f->ops->commit(f->priv, h, fd, check, arg, replaced, e) == -1)
		return -1;
	set_err(e, "injected: the directory cannot be synced");
	return -1;
}

static int
f_write_log(void *priv, struct hp_store_hive *h, const char *name, int fd,
	    hp_check_fn check, void *arg, struct hp_err *e)
{
	struct failing *f = priv;

	return f->ops->write_log(f->priv, h, name, fd, check, arg, e);
}

static void
f_close(void *priv)
{
	struct failing *f = priv;

	hp_store_close(f->inner);
}

/* No in-place writing: its hives are committed by replacement, the
 * step this store fails. */
static const struct hp_store_ops failing_ops = {
	.name = "failing", .tree = 1, .list = f_list, .lock = f_lock,
	.read = f_read, .commit = f_commit, .write_log = f_write_log,
	.close = f_close,
};

static struct hp_store *
failing_store(const char *root, struct failing *f, int at, enum fail_at how)
{
	struct hp_err e = { 0 };
	struct hp_store *s;

	memset(f, 0, sizeof(*f));
	f->inner = open_store(root);
	f->ops = hp_store_get_ops(f->inner, &f->priv);
	f->at = at;
	f->how = how;
	ck_assert_msg(hp_store_open_ops(&failing_ops, f, root, &s, &e) == 0,
	    "%s", e.msg);
	return s;
}

/* A two-hive run (auto on Windows 7: Schannel in SYSTEM, the rest in
 * SOFTWARE) whose second commit fails as `how` says: what was put in
 * place is put back from its backup (`commits` in all, the undoing
 * included), both hives hold their old bytes, and no backup and no
 * temporary file is left. */
static void
assert_undone(enum fail_at how, int commits)
{
	static const char *const autop[] = { HP_AUTO_PROFILE };
	char *root = mkhive("tree7", "img", 0);
	char *sw = join(root, "/", "Windows/System32/config/SOFTWARE");
	char *sys = join(root, "/", "Windows/System32/config/SYSTEM");
	struct hp_patch_opts o = patch_opts("apply", HP_PATCH_APPLY);
	char sw0[65], sys0[65], now[65];
	struct hp_err e = { 0 };
	struct hp_result *r;
	struct failing f;
	struct hp_store *s;

	o.profiles = autop;
	sha256(sw, sw0);
	sha256(sys, sys0);
	s = failing_store(root, &f, 2, how);
	ck_assert_int_eq(patch(s, &o, &r, &e), -1);
	ck_assert_int_eq(f.commits, commits);
	ck_assert_ptr_nonnull(strstr(e.msg, "injected"));
	ck_assert_ptr_nonnull(strstr(e.msg, "SOFTWARE was put back from its "
	    "backup"));
	ck_assert_ptr_nonnull(r->error);
	ck_assert_ptr_null(r->result);
	ck_assert_int_eq(r->n_hives, 2);
	hp_result_free(r);
	hp_store_close(s);
	sha256(sw, now);
	ck_assert_str_eq(now, sw0);
	sha256(sys, now);
	ck_assert_str_eq(now, sys0);
	if (how == FAIL_AFTER_REPLACE)
		ck_assert_ptr_nonnull(strstr(e.msg, "SYSTEM was put back"));
	ck_assert_int_eq(count_backups(), 0);
	ck_assert_int_eq(count_temp_files(root), 0);
	free(root);
	free(sw);
	free(sys);
}

START_TEST(test_second_commit_refused_puts_the_first_hive_back)
{
	assert_undone(FAIL_COMMIT, 3);	/* SOFTWARE, SYSTEM, undo SOFTWARE */
}
END_TEST

START_TEST(test_second_reread_failing_puts_the_first_hive_back)
{
	assert_undone(FAIL_CHECK, 3);
}
END_TEST

/* SYSTEM is in place when its commit fails (a step after the rename):
 * both hives go back, SYSTEM first. */
START_TEST(test_failure_after_the_second_rename_puts_both_back)
{
	assert_undone(FAIL_AFTER_REPLACE, 4);
}
END_TEST

START_TEST(test_a_failed_commit_leaves_the_hive_and_no_temporary_file)
{
	char *root = mkhive("tree", "img", 0);
	char *hive = join(root, "/", "Windows/System32/config/SOFTWARE");
	struct hp_patch_opts o = patch_opts("apply", HP_PATCH_APPLY);
	char before[65], now[65];
	struct hp_err e = { 0 };
	struct hp_result *r;
	struct failing f;
	struct hp_store *s;
	struct stat st0, st1;

	sha256(hive, before);
	ck_assert(chmod(hive, 0640) == 0 && stat(hive, &st0) == 0);
	s = failing_store(root, &f, 1, FAIL_CHECK);
	ck_assert_int_eq(patch(s, &o, &r, &e), -1);
	ck_assert_int_eq(e.reason, HP_R_IO);
	ck_assert_str_eq(hp_reason_name(r->reason), "io");
	hp_result_free(r);
	hp_store_close(s);
	sha256(hive, now);
	ck_assert_str_eq(now, before);
	ck_assert(stat(hive, &st1) == 0);
	ck_assert_uint_eq(st1.st_ino, st0.st_ino);
	ck_assert_int_eq(count_backups(), 0);
	ck_assert_int_eq(count_temp_files(root), 0);

	/* The same run through the plain store writes the hive in place:
	 * the same file, mode and all. */
	s = open_store(root);
	ck_assert_int_eq(patch(s, &o, &r, &e), HP_OK);
	hp_result_free(r);
	hp_store_close(s);
	ck_assert(stat(hive, &st1) == 0);
	ck_assert_uint_eq(st1.st_ino, st0.st_ino);
	ck_assert_uint_eq(st1.st_mode & 07777, 0640);
	free(root);
	free(hive);
}
END_TEST

/* The backup of a dirty hive holds it and its logs, with a manifest of
 * their hashes before and after; recover writes the hive clean and
 * empties the logs, and rollback puts all three back. */
START_TEST(test_recover_backs_up_the_logs_and_rollback_puts_them_back)
{
	char *hive = mkdirty("new", "SOFTWARE");
	char *log1 = join(hive, "", ".LOG1"), *log2 = join(hive, "", ".LOG2");
	struct hp_patch_opts o = patch_opts("recover", HP_PATCH_RECOVER);
	struct hp_rollback_opts ro = { backups, 0, NULL };
	char h0[65], l10[65], l20[65], now[65];
	struct json_object *m, *logs, *v;
	struct hp_err e = { 0 };
	struct hp_rollback *rb;
	struct hp_result *r;
	struct hp_store *s;
	char *manifest;

	sha256(hive, h0);
	sha256(log1, l10);
	sha256(log2, l20);
	s = open_store(hive);
	ck_assert_int_eq(patch(s, &o, &r, &e), HP_OK);
	ck_assert_int_eq(r->hives[0].n_logs_reset, 2);
	ck_assert(r->hives[0].recovery.replayed);
	manifest = join(r->hives[0].backup, "/", "manifest.json");
	hp_result_free(r);
	hp_store_close(s);
	m = json_object_from_file(manifest);
	ck_assert_ptr_nonnull(m);
	ck_assert(json_object_object_get_ex(m, "sha256_before", &v));
	ck_assert_str_eq(json_object_get_string(v), h0);
	ck_assert(json_object_object_get_ex(m, "sha256_after", &v));
	sha256(hive, now);
	ck_assert_str_eq(json_object_get_string(v), now);
	ck_assert(json_object_object_get_ex(m, "logs", &logs));
	ck_assert_int_eq(json_object_array_length(logs), 2);
	ck_assert(json_object_object_get_ex(json_object_array_get_idx(logs, 0),
	    "sha256_before", &v));
	ck_assert_str_eq(json_object_get_string(v), l10);
	json_object_put(m);
	ck_assert_int_eq(verify(hive), HP_NONCOMPLIANT);

	s = open_store(hive);
	ck_assert_msg(hp_rollback(s, &ro, &rb, &e) == 0, "%s", e.msg);
	ck_assert(rb->checked);
	ck_assert_int_eq(rb->n_files, 3);	/* two logs, then the hive */
	ck_assert(rb->files[0].is_log && rb->files[1].is_log);
	ck_assert(!rb->files[2].is_log && rb->files[2].written);
	hp_rollback_free(rb);
	hp_store_close(s);
	sha256(hive, now);
	ck_assert_str_eq(now, h0);
	sha256(log1, now);
	ck_assert_str_eq(now, l10);
	sha256(log2, now);
	ck_assert_str_eq(now, l20);
	free(manifest);
	free(hive);
	free(log1);
	free(log2);
}
END_TEST

START_TEST(test_inspect_and_export_and_profiles)
{
	char *root = mkhive("tree7", "img", 0);
	struct hp_inspect_opts io = { env_required("HIVEPATCH_PROFILE_DIR"), 0,
	    NULL };
	struct hp_export_opts eo = { "HKLM\\SOFTWARE\\Microsoft\\NET Framework "
	    "Setup\\NDP\\v4\\Full", 0, NULL, NULL, NULL, NULL };
	struct hp_profile_info *list;
	struct hp_err e = { 0 };
	struct hp_inspect *in;
	struct hp_export *ex;
	struct hp_store *s = open_store(root);
	char *text = NULL;
	size_t len = 0, n, i, chosen = 0;

	ck_assert_int_eq(hp_inspect(s, &io, &in, &e), HP_NONCOMPLIANT);
	ck_assert(!in->ready && in->auto_ok);
	ck_assert_int_eq(in->advice, HP_ADVISE_APPLY_AUTO);
	ck_assert_int_eq(in->n_hives, 2);
	for (i = 0; i < in->n_profiles; i++)
		chosen += in->profiles[i].chosen_by_auto;
	ck_assert_uint_eq(chosen, in->n_auto_profiles);
	hp_inspect_free(in);

	eo.stream = open_memstream(&text, &len);
	ck_assert_msg(hp_export(s, &eo, &ex, &e) == 0, "%s", e.msg);
	fclose(eo.stream);
	ck_assert_ptr_nonnull(strstr(text, "Windows Registry Editor Version "
	    "5.00"));
	ck_assert_ptr_nonnull(strstr(text, "\"Release\"=dword:00080ea8"));
	hp_export_free(ex);
	free(text);

	eo.key = "HKLM\\SOFTWARE\\NoSuchKey";
	eo.stream = open_memstream(&text, &len);
	ck_assert_int_eq(hp_export(s, &eo, &ex, &e), -1);
	ck_assert_int_eq(e.reason, HP_R_NO_KEY);
	fclose(eo.stream);
	hp_export_free(ex);
	free(text);
	hp_store_close(s);

	ck_assert(hp_profiles(io.profile_dir, &list, &n, &e) == 0);
	ck_assert_uint_ge(n, 5);
	ck_assert_str_eq(list[0].name, "net35-tls12");
	hp_profiles_free(list, n);
	free(root);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("api");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_apply_then_verify_through_the_public_header);
	tcase_add_test(tc, test_reasons_have_stable_names_and_one_status_each);
	tcase_add_test(tc, test_stores_list_their_hives_and_why_one_cannot_be_read);
	tcase_add_test(tc, test_view_replays_a_dirty_hive_and_reads_it_as_windows_would);
	tcase_add_test(tc, test_view_refuses_a_dirty_hive_no_log_recovers);
	tcase_add_test(tc, test_second_commit_refused_puts_the_first_hive_back);
	tcase_add_test(tc, test_second_reread_failing_puts_the_first_hive_back);
	tcase_add_test(tc, test_failure_after_the_second_rename_puts_both_back);
	tcase_add_test(tc, test_a_failed_commit_leaves_the_hive_and_no_temporary_file);
	tcase_add_test(tc, test_recover_backs_up_the_logs_and_rollback_puts_them_back);
	tcase_add_test(tc, test_inspect_and_export_and_profiles);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
