/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every failed system call of a run that writes is named, and leaves
 * nothing worse: fault injection with tests/failio.so (LD_PRELOAD).
 *
 * For each scenario (apply through a new-format log, through an
 * old-format one, on a bare hive with no log, with --commit=replace, on
 * two hives at once; recover of a dirty hive, new and old format;
 * rollback) a clean run first counts the calls of each interposed
 * family (write, pwrite, fsync, ftruncate, rename, open with O_CREAT,
 * ...) on the files below the scenario's directory (the image and the
 * backup directory) and leaves the new state.  Then, from the same
 * start, the k-th call of each family is made to fail (EIO; ENOSPC and
 * a short write too for every fourth call that writes; EINVAL for sendfile,
 * which hivepatch answers by copying through a buffer), and the man
 * page's promises are checked (SAFETY, TRANSACTION LOGS, EXIT STATUS):
 *
 *  - a failure ends with exit status 4 (2 for a backup directory that
 *    cannot be made, where the man page says so) and one "hivepatch: "
 *    line that names a file of the image or of the backup directory
 *    (never a temporary .hivepatch- name, unless it says that this
 *    temporary file was removed), and the failure (strerror's words);
 *  - "the original is then unchanged": every file of the image holds
 *    the bytes it held (a hive put back from its backup included), no
 *    file appeared, and the run's backups are gone again; or, when the
 *    message says "the hive itself is written and clean" (a log could
 *    not be emptied), the hive is the new one, each log holds its old
 *    bytes or nothing, and the backup is kept;
 *  - a failure that hivepatch may shrug off (a short write, sendfile's
 *    EINVAL, a cleanup after the run's work is done) ends with status 0
 *    and the very state a clean run leaves;
 *  - no temporary file is left beside the hive or in the backups;
 *  - the same command run again without injection succeeds, and leaves
 *    the hive a clean run leaves (apply: verify says compliant).
 *
 * rollback promises less, and the test holds it to what it says: a
 * rollback that failed after putting back a file leaves that file as
 * the run it undoes did not, so the next rollback refuses it as changed
 * and --force finishes it (each such case is printed); one that failed
 * after writing the hive's base block dirty says that the hive is left
 * dirty and that hivepatch recover writes what the backup holds, which
 * recover then does (the hive bins byte for byte).
 *
 * Every run uses --keep-timestamps, so that a clean run's bytes can be
 * compared with those of any other.  Under the sanitizers the shim is
 * preloaded before ASan's runtime, which ASan is told to accept. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "testutil.h"

/* ---- the shim ---- */

#define MAX_FAMILIES 16

struct counts {
	size_t n;
	char name[MAX_FAMILIES][24];
	unsigned long calls[MAX_FAMILIES];
};

/* The shim, or NULL (the test is skipped) when make check did not
 * build it. */
static const char *
failio_so(void)
{
	const char *so = tu_env("FAILIO_SO");

	return so[0] != '\0' && access(so, R_OK) == 0 ? so : NULL;
}

/* The environment of a run with the shim: FAILIO_UNDER=under and the
 * "NAME=VALUE" settings that follow, up to a NULL. */
static const char **
failio_env(const char *under, const char *const *set)
{
	static const char *env[16];
	size_t n = 0;

	env[n++] = tu_pathf("LD_PRELOAD=%s", failio_so());
	env[n++] = tu_pathf("FAILIO_UNDER=%s", under);
	/* ASan wants to come first; the shim calls on to it. */
	env[n++] = "ASAN_OPTIONS=verify_asan_link_order=0";
	while (set != NULL && *set != NULL && n < 15)
		env[n++] = *set++;
	env[n] = NULL;
	return env;
}

/* "failio: write=3 pwrite=0 ..." of a counting run. */
static void
counts_parse(const char *err, struct counts *c)
{
	const char *p = strstr(err, "failio: ");
	char *end;

	ck_assert_msg(p != NULL, "the counting run printed no counts:\n%s",
	    err);
	p += strlen("failio:");
	memset(c, 0, sizeof(*c));
	while (*p == ' ' && c->n < MAX_FAMILIES) {
		size_t len = strcspn(++p, "=");

		ck_assert(len < sizeof(c->name[0]) && p[len] == '=');
		memcpy(c->name[c->n], p, len);
		c->calls[c->n++] = strtoul(p + len + 1, &end, 10);
		p = end;
	}
}

/* ---- trees of files ---- */

/* The user extended attributes of a file, copied to another. */
static void
copy_xattrs(const char *from, const char *to)
{
	char names[1024], value[256], *p;
	ssize_t len = listxattr(from, names, sizeof(names)), v;

	for (p = names; len > 0 && p < names + len; p += strlen(p) + 1) {
		if (strncmp(p, "user.", 5) != 0)
			continue;
		v = getxattr(from, p, value, sizeof(value));
		ck_assert_msg(v >= 0 && setxattr(to, p, value, (size_t)v, 0) == 0,
		    "copying %s of %s: %s", p, from, strerror(errno));
	}
}

static void
copy_tree(const char *src, const char *dst)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	tu_stat(src, &st);
	ck_assert_msg(mkdir(dst, st.st_mode & 07777) == 0, "mkdir %s: %s",
	    dst, strerror(errno));
	d = opendir(src);
	ck_assert_msg(d != NULL, "opendir %s: %s", src, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char *from, *to;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		from = tu_strf("%s/%s", src, de->d_name);
		to = tu_strf("%s/%s", dst, de->d_name);
		ck_assert_msg(lstat(from, &st) == 0, "%s: %s", from,
		    strerror(errno));
		if (S_ISDIR(st.st_mode))
			copy_tree(from, to);
		else {
			ck_assert_msg(S_ISREG(st.st_mode), "%s: not a file", from);
			tu_copy_file(from, to);
			ck_assert(chmod(to, st.st_mode & 07777) == 0);
			copy_xattrs(from, to);
		}
		free(from);
		free(to);
	}
	closedir(d);
}

/* The files below a directory now hold what they held in `then`: the
 * same paths, the same bytes (the inodes may differ).  0 when they do;
 * else the first difference goes to why. */
static int
same_files(const struct tu_dir_files *then, char *why, size_t len)
{
	struct tu_dir_files now;
	size_t i, j;

	tu_dir_files_take(&now, then->dir);
	for (i = 0; i < then->n; i++) {
		for (j = 0; j < now.n && strcmp(now.f[j].path,
		    then->f[i].path) != 0; j++)
			continue;
		if (j == now.n) {
			snprintf(why, len, "%s is gone", then->f[i].path);
			return -1;
		}
		if (strcmp(now.f[j].hash, then->f[i].hash) != 0) {
			snprintf(why, len, "%s changed", then->f[i].path);
			return -1;
		}
	}
	if (now.n != then->n) {
		snprintf(why, len, "%zu files below %s, not %zu", now.n,
		    then->dir, then->n);
		return -1;
	}
	return 0;
}

/* The hash `then` holds of path ("" when it held no such file). */
static const char *
hash_then(const struct tu_dir_files *then, const char *path)
{
	size_t i;

	for (i = 0; i < then->n; i++)
		if (strcmp(then->f[i].path, path) == 0)
			return then->f[i].hash;
	return "";
}

/* Names starting with "." below dir: temporary files (hivepatch's
 * .NAME.hivepatch-XXXXXX, a state file's .NAME.tmp). */
static int
dot_files(const char *dir)
{
	struct dirent *de;
	struct stat st;
	int n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char *path;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = tu_strf("%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.') {
			fprintf(stderr, "leftover temporary file: %s\n", path);
			n++;
		} else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			n += dot_files(path);
		free(path);
	}
	closedir(d);
	return n;
}

/* ---- scenarios ---- */

struct scenario {
	const char *name;
	/* Makes the image in dir/img (and any backups in dir/bk). */
	void (*make)(const char *dir);
	const char *command;	/* apply, recover, rollback */
	const char *args[6];	/* after "--backup-dir DIR/bk" */
	const char *target;	/* below dir */
	const char *hive;	/* the hive checked, below dir */
	int sticky;		/* also fail every call from the k-th on */
};

#define CONFIG "img/Windows/System32/config"

/* A tree whose SOFTWARE has stale logs of `format` beside it (clean,
 * as test_commit makes one): they are written through and emptied. */
static void
make_stale(const char *dir, const char *kind, const char *format)
{
	char *root = tu_pathf("%s/img", dir);
	char *sw = tu_pathf("%s/" CONFIG "/SOFTWARE", dir);
	char *clean = tu_pathf("%s/clean", dir);

	tu_mkhive(kind, root, 0);
	tu_copy_file(sw, clean);
	tu_mkdirty(format, clean, sw, NULL);
	tu_copy_file(tu_pathf("%s.expected", sw), sw);
	ck_assert(unlink(clean) == 0);
	ck_assert(system(tu_pathf("rm -f '%s'.expected* '%s.orig'", sw, sw)) ==
	    0);
}

static void
make_tree_new_logs(const char *dir)
{
	make_stale(dir, "tree", "new");
}

static void
make_tree7(const char *dir)
{
	tu_mkhive("tree7", tu_pathf("%s/img", dir), 0);
}

static void
make_tree(const char *dir)
{
	tu_mkhive("tree", tu_pathf("%s/img", dir), 0);
}

/* A tree whose SOFTWARE has an extended attribute, which a replacing
 * commit copies to the new file (a copy that fails is warned about). */
static void
make_tree_xattr(const char *dir)
{
	char *sw = tu_pathf("%s/" CONFIG "/SOFTWARE", dir);

	make_tree(dir);
	if (setxattr(sw, "user.hivepatch-test", "kept", 4, 0) == -1)
		fprintf(stderr, "SKIP: %s: the filesystem takes no user "
		    "extended attributes (%s); their copy is not failed\n", sw,
		    strerror(errno));
}

static void
make_bare(const char *dir)
{
	tu_mkdir_p(tu_pathf("%s/img", dir));
	tu_mkhive("software64-net48", tu_pathf("%s/img/SOFTWARE", dir), 0);
}

/* A dirty SOFTWARE (mkdirty MODE) with its logs, alone in dir/img. */
static void
make_dirty(const char *dir, const char *mode)
{
	char *clean = tu_pathf("%s/clean", dir);
	char *hive = tu_pathf("%s/img/SOFTWARE", dir);

	tu_mkdir_p(tu_pathf("%s/img", dir));
	tu_mkhive("software64-net48", clean, 0);
	tu_mkdirty(mode, clean, hive, NULL);
	ck_assert(unlink(clean) == 0);
	ck_assert(system(tu_pathf("rm -f '%s'.expected* '%s.orig'", hive,
	    hive)) == 0);
}

static void
make_dirty_new(const char *dir)
{
	make_dirty(dir, "new");
}

static void
make_dirty_old(const char *dir)
{
	make_dirty(dir, "old");
}

/* A tree with stale new-format logs that one apply wrote: rollback
 * puts back the hive and both logs. */
static void
make_applied(const char *dir)
{
	make_tree_new_logs(dir);
	ASSERT_RUN(0, "apply", "--keep-timestamps", "--backup-dir",
	    tu_pathf("%s/bk", dir), tu_pathf("%s/img", dir), NULL);
}

static const struct scenario scenarios[] = {
	{ "apply, new-format logs", make_tree_new_logs, "apply",
	  { NULL }, "img", CONFIG "/SOFTWARE", 1 },
	{ "apply, old format (Windows 7)", make_tree7, "apply",
	  { NULL }, "img", CONFIG "/SOFTWARE", 0 },
	{ "apply, bare hive without logs", make_bare, "apply",
	  { NULL }, "img/SOFTWARE", "img/SOFTWARE", 0 },
	{ "apply --commit=replace", make_tree_xattr, "apply",
	  { "--commit=replace", NULL }, "img", CONFIG "/SOFTWARE", 1 },
	{ "apply, two hives", make_tree, "apply",
	  { "--profile", "net4-tls12", "--profile", "schannel-tls12", NULL },
	  "img", CONFIG "/SYSTEM", 0 },
	{ "recover, new-format logs", make_dirty_new, "recover",
	  { NULL }, "img/SOFTWARE", "img/SOFTWARE", 1 },
	{ "recover, old-format log", make_dirty_old, "recover",
	  { NULL }, "img/SOFTWARE", "img/SOFTWARE", 0 },
	{ "rollback", make_applied, "rollback",
	  { NULL }, "img", CONFIG "/SOFTWARE", 0 },
};

/* ---- one scenario ---- */

struct ctx {
	const struct scenario *sc;
	char *dir, *pristine, *bk, *img, *hive, *config;
	char *new_copy;			/* the hive a clean run leaves */
	struct tu_dir_files old, new;	/* dir/img before and after */
	char old_hive[SHA256_HEX_LEN + 1], new_hive[SHA256_HEX_LEN + 1];
	int backups, bk_files;		/* in dir/bk before */
	struct counts counts;
	int injected, tolerated;
};

/* hivepatch COMMAND [--keep-timestamps] --backup-dir BK ARGS TARGET,
 * with the environment env (NULL: none added). */
static void
run(const struct ctx *c, const char *command, const char **env,
    struct tu_result *r)
{
	const char *argv[TU_MAX_ARGS] = { NULL, command };
	struct tu_run_opts opts = { .env_add = env };
	size_t n = 2, i;

	if (strcmp(command, "apply") == 0 || strcmp(command, "recover") == 0)
		argv[n++] = "--keep-timestamps";
	argv[n++] = "--backup-dir";
	argv[n++] = c->bk;
	for (i = 0; strcmp(command, c->sc->command) == 0 &&
	    c->sc->args[i] != NULL; i++)
		argv[n++] = c->sc->args[i];
	argv[n++] = tu_pathf("%s/%s", c->dir, c->sc->target);
	argv[n] = NULL;
	tu_hp_argv(r, &opts, argv);
}

/* dir as the pristine copy left it. */
static void
reset(const struct ctx *c)
{
	ck_assert(tu_remove_tree(c->dir) == 0);
	copy_tree(c->pristine, c->dir);
}

static void
setup(struct ctx *c, const struct scenario *sc)
{
	const char *count[] = { "FAILIO_COUNT=1", NULL };
	struct tu_result r;

	memset(c, 0, sizeof(*c));
	c->sc = sc;
	c->dir = tu_pathf("%s/w", tu_scratch);
	c->pristine = tu_pathf("%s/pristine", tu_scratch);
	c->bk = tu_pathf("%s/bk", c->dir);
	c->img = tu_pathf("%s/img", c->dir);
	c->hive = tu_pathf("%s/%s", c->dir, sc->hive);
	c->config = tu_dir_of(c->hive);
	tu_mkdir_p(c->dir);
	sc->make(c->dir);
	copy_tree(c->dir, c->pristine);
	tu_dir_files_take(&c->old, c->img);
	tu_sha256(c->hive, c->old_hive);
	c->backups = tu_count_backups(c->bk, NULL);
	c->bk_files = tu_count_files(c->bk);

	/* The clean run: what each family is called, and the new state. */
	run(c, sc->command, failio_env(c->dir, count), &r);
	ck_assert_msg(r.status == 0, "%s: the clean run: exit %d\n%s%s",
	    sc->name, r.status, r.out, r.err);
	counts_parse(r.err, &c->counts);
	tu_result_free(&r);
	tu_dir_files_take(&c->new, c->img);
	tu_sha256(c->hive, c->new_hive);
	c->new_copy = tu_pathf("%s/new-hive", tu_scratch);
	tu_copy_file(c->hive, c->new_copy);
	ck_assert_msg(strcmp(c->old_hive, c->new_hive) != 0, "%s: the clean "
	    "run did not change %s", sc->name, c->hive);
}

/* ---- what a run that failed must have said and left ---- */

/* The one "hivepatch: " line names a file of the image or of the
 * backup directory, and the failure in strerror's words. */
static void
assert_named(const struct ctx *c, const char *what, const struct tu_result *r,
	     int err)
{
	char *line, *culprit;
	size_t len;

	ck_assert_msg(tu_count_lines(r->err, "hivepatch: ") == 1, "%s: not one "
	    "message line:\n%s", what, r->err);
	line = tu_line_of(r->err, "hivepatch: ");
	ck_assert_msg(strstr(line, c->dir) != NULL, "%s: the message names "
	    "no file of the image or of the backups: %s", what, line);
	ck_assert_msg(strstr(line, strerror(err)) != NULL, "%s: the message "
	    "does not say \"%s\": %s", what, strerror(err), line);
	culprit = line + strlen("hivepatch: ");
	len = strcspn(culprit, " ");
	ck_assert_msg(memmem(culprit, len, ".hivepatch-", 11) == NULL ||
	    (strstr(line, "temporary") != NULL &&
	    strstr(line, "removed") != NULL), "%s: the message blames a "
	    "temporary file without saying that it was removed: %s", what,
	    line);
}

/* A log the commit wrote through and could not empty holds its log:
 * a base block ("regf"), which Windows ignores beside a clean hive. */
static int
is_log(const char *path)
{
	size_t len;
	unsigned char *d = tu_read_file(path, &len);
	int yes = len >= 512 && memcmp(d, "regf", 4) == 0;

	free(d);
	return yes;
}

/* "The hive itself is written and clean": the new hive, each log as it
 * was, empty, or holding what the commit wrote through it (and a log
 * the commit made may be left), the backup kept. */
static void
assert_written_and_clean(const struct ctx *c, const char *what)
{
	char hex[SHA256_HEX_LEN + 1];
	struct tu_dir_files now;
	size_t i;

	tu_sha256(c->hive, hex);
	ck_assert_msg(strcmp(hex, c->new_hive) == 0, "%s: the message says "
	    "the hive is written, but it is not the new one", what);
	tu_dir_files_take(&now, c->img);
	for (i = 0; i < now.n; i++) {
		const char *then = hash_then(&c->old, now.f[i].path);

		if (strcmp(now.f[i].path, c->hive) == 0)
			continue;
		ck_assert_msg(strcmp(now.f[i].hash, then) == 0 ||
		    strcmp(now.f[i].hash, SHA256_HEX_EMPTY) == 0 ||
		    strcmp(now.f[i].hash, hash_then(&c->new,
		    now.f[i].path)) == 0 || is_log(now.f[i].path), "%s: %s "
		    "is neither as it was, nor emptied, nor a log", what,
		    now.f[i].path);
	}
	ck_assert_msg(tu_count_backups(c->bk, NULL) > c->backups, "%s: the "
	    "backup of a hive left written was removed", what);
}

/* Exit status 4: named, and the image as it was (or written and clean,
 * when the message says so). */
static void
judge_failed(const struct ctx *c, const char *what, const struct tu_result *r,
	     int err)
{
	char why[600];

	assert_named(c, what, r, err);
	/* A rollback cut short is finished by the next (judge_again), or
	 * by recover when it left the hive dirty (judge_dirty). */
	if (strcmp(c->sc->command, "rollback") == 0)
		return;
	if (strstr(r->err, "the hive itself is written and clean") != NULL) {
		assert_written_and_clean(c, what);
		return;
	}
	ck_assert_msg(same_files(&c->old, why, sizeof(why)) == 0, "%s: exit 4, "
	    "but the image is not as it was: %s\n%s", what, why, r->err);
	ck_assert_msg(tu_count_backups(c->bk, NULL) == c->backups &&
	    tu_count_files(c->bk) == c->bk_files, "%s: the failed run left "
	    "backups (%d manifests, %d files; %d and %d before)", what,
	    tu_count_backups(c->bk, NULL), tu_count_files(c->bk), c->backups,
	    c->bk_files);
}

/* hivepatch COMMAND --backup-dir BK [--keep-timestamps] TARGET, without
 * injection, which must exit 0. */
static void
follow(const struct ctx *c, const char *what, const char *command)
{
	const char *argv[] = { NULL, command, "--backup-dir", c->bk,
	    strcmp(command, "recover") == 0 ? "--keep-timestamps" : c->img,
	    tu_pathf("%s/%s", c->dir, c->sc->target), NULL };
	struct tu_result r;

	if (strcmp(command, "recover") != 0)
		argv[4] = argv[5], argv[5] = NULL;
	tu_hp_argv(&r, NULL, argv);
	ck_assert_msg(r.status == 0, "%s: then %s, as the message says: exit "
	    "%d\n%s", what, command, r.status, r.err);
	tu_result_free(&r);
}

/* The hive bins of the hive hold those of a clean run's hive. */
static void
assert_new_bins(const struct ctx *c, const char *what)
{
	unsigned char *now, *want;
	size_t now_len, want_len;

	now = tu_read_file(c->hive, &now_len);
	want = tu_read_file(c->new_copy, &want_len);
	ck_assert(want_len >= REGF_BASE_BLOCK + le32(want + REGF_BB_BINS_SIZE));
	want_len = REGF_BASE_BLOCK + le32(want + REGF_BB_BINS_SIZE);
	ck_assert_msg(now_len >= want_len && le32(now + REGF_BB_BINS_SIZE) ==
	    le32(want + REGF_BB_BINS_SIZE) && memcmp(now + REGF_BASE_BLOCK,
	    want + REGF_BASE_BLOCK, want_len - REGF_BASE_BLOCK) == 0, "%s: the "
	    "hive is not the one a clean run writes", what);
	free(now);
	free(want);
}

/* Exit 4 after every call of a family failed from the k-th on, the
 * undo's included: what the message says is left, is.  Put back: the
 * image as it was.  Written and clean: as above.  Not put back, left
 * dirty with a log that recovers the new hive: recover writes it.  Not
 * put back otherwise: rollback, as the message says, puts back the
 * image as it was. */
static int
judge_sticky(const struct ctx *c, const char *what, const struct tu_result *r,
	     const char *family)
{
	char why[600];

	assert_named(c, what, r, EIO);
	if (strstr(r->err, "the hive itself is written and clean") != NULL) {
		assert_written_and_clean(c, what);
		return 0;
	}
	if (strstr(r->err, "recovers the new hive (hivepatch recover "
	    "writes it") != NULL) {
		follow(c, what, "recover");
		assert_new_bins(c, what);
		return 1;
	}
	if (strstr(r->err, "could NOT be") != NULL) {
		ck_assert_msg(strstr(r->err, "run hivepatch rollback") != NULL,
		    "%s: something is not put back, and the message says "
		    "nothing to do: %s", what, r->err);
		follow(c, what, "rollback");
	}
	ck_assert_msg(same_files(&c->old, why, sizeof(why)) == 0, "%s: exit 4, "
	    "but the image is not as it was: %s\n%s", what, why, r->err);
	/* Backups are removed with unlink, which may be what fails. */
	ck_assert_msg(strcmp(family, "unlink") == 0 || strstr(r->err,
	    "could NOT be") != NULL || tu_count_backups(c->bk, NULL) ==
	    c->backups, "%s: the failed run left a backup", what);
	return 0;
}

/* Exit status 0: the state of a clean run.  A call that failed (not a
 * short write, not sendfile's EINVAL) is named in a warning. */
static void
judge_done(const struct ctx *c, const char *what, const struct tu_result *r,
	   int err)
{
	char why[600];

	/* Warnings: "warning:" in a report, "hivepatch: warning:" else. */
	ck_assert_msg(tu_count_lines(r->err, "hivepatch: ") ==
	    tu_count_lines(r->err, "hivepatch: warning: "), "%s: exit 0 with "
	    "a message:\n%s", what, r->err);
	ck_assert_msg(err == 0 || (tu_count_lines(r->out, "warning:") +
	    tu_count_lines(r->err, "hivepatch: warning: ") > 0 &&
	    (strstr(r->out, strerror(err)) != NULL ||
	    strstr(r->err, strerror(err)) != NULL)), "%s: exit 0, and the "
	    "failure is not named in a warning:\n%s%s", what, r->out, r->err);
	ck_assert_msg(same_files(&c->new, why, sizeof(why)) == 0, "%s: exit 0, "
	    "but the image is not what a clean run leaves: %s", what, why);
}

/* A rollback that failed once it had written the hive's base block
 * dirty says that its log recovers the hive the backup holds, and that
 * hivepatch recover writes it: it does, the hive bins byte for byte
 * those of a clean rollback (the base block gets new sequence
 * numbers).  rollback itself refuses that hive (it is not what the run
 * left), which is reported, not hidden. */
static void
judge_dirty(const struct ctx *c, const char *what, const char *err)
{
	struct tu_result r;

	ck_assert_msg(strstr(err, " is left dirty, and ") != NULL &&
	    strstr(err, "hivepatch recover writes it") != NULL, "%s: the "
	    "rollback failed, and a second one refuses:\n%s", what, err);
	tu_hp(&r, "recover", "--backup-dir", c->bk, c->hive, NULL);
	ck_assert_msg(r.status == 0, "%s: recover: exit %d\n%s", what, r.status,
	    r.err);
	tu_result_free(&r);
	assert_new_bins(c, what);
}

/* The same command again, without injection: done, and the hive what a
 * clean run leaves (its hive bins, once recover wrote it with sequence
 * numbers of its own).  err: what the failed run said. */
static void
judge_again(const struct ctx *c, const char *what, const char *err,
	    int recovered)
{
	char hex[SHA256_HEX_LEN + 1], why[600];
	struct tu_result r;

	run(c, c->sc->command, NULL, &r);
	if (r.status == 3 && strcmp(c->sc->command, "rollback") == 0 &&
	    strstr(err, " is left dirty, and ") != NULL) {
		tu_result_free(&r);
		judge_dirty(c, what, err);
		return;
	}
	/* A rollback that failed after it put back a file finds that file
	 * changed since the run it undoes, and refuses to go on without
	 * --force (reported, not hidden: see the count at the end). */
	if (r.status == 3 && strcmp(c->sc->command, "rollback") == 0 &&
	    strstr(r.err, "--force restores the backup anyway") != NULL) {
		fprintf(stderr, "%s: rollback again refuses; --force finishes "
		    "it\n", what);
		tu_result_free(&r);
		tu_hp(&r, "rollback", "--force", "--backup-dir", c->bk, c->img,
		    NULL);
	}
	ck_assert_msg(r.status == 0, "%s: run again: exit %d\n%s", what,
	    r.status, r.err);
	tu_result_free(&r);
	tu_sha256(c->hive, hex);
	if (recovered)
		assert_new_bins(c, what);
	else
		ck_assert_msg(strcmp(hex, c->new_hive) == 0, "%s: run again, "
		    "the hive is not what a clean run leaves", what);
	/* Rolled back: the hive and its logs all as they were. */
	if (strcmp(c->sc->command, "rollback") == 0)
		ck_assert_msg(same_files(&c->new, why, sizeof(why)) == 0,
		    "%s: rolled back again, the image is not what a clean run "
		    "leaves: %s", what, why);
	if (strcmp(c->sc->command, "apply") == 0) {
		run(c, "verify", NULL, &r);
		ck_assert_msg(r.status == 0, "%s: verify after the run again: "
		    "exit %d\n%s%s", what, r.status, r.out, r.err);
		tu_result_free(&r);
	}
}

/* One run with the k-th call of `family` failing with `err` (a name:
 * EIO, ENOSPC, EINVAL, SHORT). */
static void
inject(struct ctx *c, const char *family, unsigned long k, const char *err,
       int sticky)
{
	const char *set[] = { tu_pathf("FAILIO_FUNC=%s", family),
	    tu_pathf("FAILIO_NTH=%lu", k), tu_pathf("FAILIO_ERRNO=%s", err),
	    sticky ? "FAILIO_STICKY=1" : NULL, NULL };
	char *what = tu_pathf("%s: %s #%lu%s %s", c->sc->name, family, k,
	    sticky ? " and on" : "", err);
	int left, recovered = 0;
	int shrugged = strcmp(err, "SHORT") == 0 || strcmp(err, "EINVAL") == 0;
	int code = strcmp(err, "ENOSPC") == 0 ? ENOSPC : EIO;
	struct tu_result r;

	reset(c);
	run(c, c->sc->command, failio_env(c->dir, set), &r);
	c->injected++;
	ck_assert_msg(strstr(r.err, "failio: failing") != NULL, "%s: the call "
	    "was not made\n%s", what, r.err);
	/* Exit 4, or 2 for a backup directory that cannot be made or
	 * written ("no place for backups", as the man page says). */
	if (r.status == 2 && strstr(r.err, "hivepatch: no place for backups: ")
	    != NULL)
		r.status = 4;
	if (r.status == 4 && sticky)
		recovered = judge_sticky(c, what, &r, family);
	else if (r.status == 4 && !shrugged)
		judge_failed(c, what, &r, code);
	else if (r.status == 0) {
		judge_done(c, what, &r, shrugged ? 0 : code);
		if (!shrugged) {
			fprintf(stderr, "%s: shrugged off (exit 0, the state of "
			    "a clean run)\n", what);
			c->tolerated++;
		}
	} else
		ck_abort_msg("%s: exit %d\n%s%s", what, r.status, r.out, r.err);
	/* A temporary file may be left only when removing it failed, and
	 * the message says so. */
	left = dot_files(c->config) + dot_files(c->bk);
	ck_assert_msg(left == 0 || (sticky && strstr(r.err, "could not be "
	    "removed") != NULL), "%s: temporary files are left\n%s", what,
	    r.err);
	judge_again(c, what, r.err, recovered);
	tu_result_free(&r);
}

/* The calls that write get ENOSPC and short writes too. */
static int
writes(const char *family)
{
	return strcmp(family, "write") == 0 || strcmp(family, "pwrite") == 0 ||
	    strcmp(family, "sendfile") == 0 ||
	    strcmp(family, "copy_file_range") == 0;
}

/* Which calls of a family are failed: every one, or every other one
 * (the first and the last always) when there are many. */
static int
chosen(unsigned long k, unsigned long n)
{
	return n <= 8 || k % 2 == 1 || k == n;
}

START_TEST(test_every_failed_call_is_named_and_leaves_nothing_worse)
{
	const struct scenario *sc = &scenarios[_i];
	struct ctx c;
	unsigned long k;
	size_t f;

	if (failio_so() == NULL) {
		fprintf(stderr, "SKIP: %s: FAILIO_SO names no shim (make check "
		    "builds tests/failio.so)\n", sc->name);
		return;
	}
	setup(&c, sc);
	for (f = 0; f < c.counts.n; f++) {
		const char *family = c.counts.name[f];
		unsigned long n = c.counts.calls[f];

		for (k = 1; k <= n; k++) {
			if (!chosen(k, n))
				continue;
			inject(&c, family, k, "EIO", 0);
			if (sc->sticky)
				inject(&c, family, k, "EIO", 1);
			if (writes(family) && k % 4 == 1) {
				inject(&c, family, k, "ENOSPC", 0);
				inject(&c, family, k, "SHORT", 0);
			}
			if (strcmp(family, "sendfile") == 0)
				inject(&c, family, k, "EINVAL", 0);
		}
	}
	fprintf(stderr, "%s: %d runs with a failed call, %d shrugged off\n",
	    sc->name, c.injected, c.tolerated);
}
END_TEST

static Suite *
ioerr_suite(void)
{
	Suite *s = suite_create("ioerr");
	TCase *tc = tu_tcase(s, "inject");

	tcase_add_loop_test(tc,
	    test_every_failed_call_is_named_and_leaves_nothing_worse, 0,
	    (int)(sizeof(scenarios) / sizeof(scenarios[0])));
	return s;
}

int
main(void)
{
	return tu_run_suite(ioerr_suite(), "hivepatch-test-ioerr");
}
