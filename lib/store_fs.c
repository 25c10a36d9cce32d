/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stores on the host file system: a Windows tree (a mounted image or
 * disk: Windows/System32/config/<HIVE>, found in any letter case, never
 * through a link) and a bare hive file.  Both keep, per hive, the
 * directory that holds it open (target.h) and reach the hive and its
 * logs by name from that descriptor; commits replace by rename
 * (commit.h), and the lock is an flock on the hive file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commit.h"
#include "error.h"
#include "fileio.h"
#include "outfile.h"
#include "store.h"
#include "target.h"


/* A file of the hive opened for writing in place: the hive (name NULL)
 * or one of its logs. */
struct fs_rw {
	char *name;
	int fd;
	int created;		/* write_at made it: unlinked again when it
				 * fails the checks after opening */
};

#define FS_MAX_RW 4		/* the hive, .LOG, .LOG1, .LOG2 */

struct fs_hive {
	struct hp_target t;	/* dir_fd -1 when it could not be found */
	int lock_fd;
	struct fs_rw rw[FS_MAX_RW];
	size_t n_rw;
};

struct fs_store {
	char *target;
	char *user_hive;	/* Users/USER/NTUSER.DAT */
	char *class_hive;	/* Users/USER/.../UsrClass.dat */
	int tree;
	struct hp_store_hive *hives;
	struct fs_hive *fs;
	size_t n;
};

static const struct hp_store_ops tree_ops, file_ops;

static struct fs_hive *
fs_of(struct hp_store_hive *hive)
{
	return hive->store_data;
}

static struct dir_ref
dir_of(const struct fs_hive *f)
{
	struct dir_ref d = { f->t.dir_fd, f->t.dir };

	return d;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Backups are kept by the hive's absolute path: the directory the store
 * holds open, as the kernel names it, and the hive's name in it (no path
 * is resolved again). */
static int
hive_identity(const struct fs_hive *f, struct hp_store_hive *h,
	      struct hp_err *e)
{
	char link[32], dir[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", f->t.dir_fd);
	n = readlink(link, dir, sizeof(dir) - 1);
	if (n <= 0 || dir[0] != '/') {
		hp_err_set(&h->problem, HP_R_IO, "%s: cannot name its directory "
		    "(%s: %s; is /proc mounted?)", h->where, link,
		    n < 0 ? strerror(errno) : "not a path");
		return 0;
	}
	dir[n] = '\0';
	if (asprintf(&h->identity, "%s%s%s", dir, n > 1 ? "/" : "",
	    f->t.name) == -1) {
		h->identity = NULL;
		return hp_err_nomem(e);
	}
	return 0;
}

/* Resolves one hive; a hive that cannot be reached keeps the reason in
 * its problem, for the run that needs it to report. */
static int
list_one(struct fs_store *s, size_t i, const char *name,
	 enum hp_hive_kind kind, struct hp_err *e)
{
	struct hp_store_hive *h = &s->hives[i];
	struct fs_hive *f = &s->fs[i];

	f->lock_fd = -1;
	h->store_data = f;
	h->kind = kind;
	if (target_resolve(s->target, name, &f->t, &h->problem) == -1) {
		h->name = strdup(name ? name : base_name(s->target));
		h->where = strdup(s->target);
		return h->name != NULL && h->where != NULL ? 0 : hp_err_nomem(e);
	}
	memset(&h->problem, 0, sizeof(h->problem));
	h->name = strdup(f->t.name);
	h->where = strdup(f->t.hive_path);
	if (h->name == NULL || h->where == NULL)
		return hp_err_nomem(e);
	return hive_identity(f, h, e);
}

static int
fs_list(void *priv, struct hp_store_hive **hives, size_t *n, struct hp_err *e)
{
	struct fs_store *s = priv;
	size_t i, want = s->tree ? STORE_N_TREE_HIVES : 1;

	*hives = NULL;
	*n = 0;
	s->hives = calloc(want, sizeof(*s->hives));
	s->fs = calloc(want, sizeof(*s->fs));
	if (s->hives == NULL || s->fs == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < want; i++) {
		s->n = i + 1;
		const char *name = !s->tree ? NULL :
		    store_tree_hives[i].kind == HP_HIVE_NTUSER ? s->user_hive :
		    store_tree_hives[i].kind == HP_HIVE_USRCLASS ?
		    s->class_hive : store_tree_hives[i].name;

		if (list_one(s, i, name, s->tree ? store_tree_hives[i].kind :
		    HP_HIVE_UNKNOWN, e) == -1)
			return -1;
	}
	*hives = s->hives;
	*n = s->n;
	return 0;
}

static int
fs_lock(void *priv, struct hp_store_hive *hive, struct hp_err *e)
{
	struct fs_hive *f = fs_of(hive);
	struct dir_ref dir = dir_of(f);
	struct stat locked, now;
	int fd;

	if (store_hive_usable(hive, e) == -1)
		return -1;
	if (f->lock_fd >= 0)
		return 0;
	if ((fd = open_regular_at(&dir, f->t.name, e)) == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int saved = errno;

		close(fd);
		if (saved == EWOULDBLOCK)
			return hp_err_set(e, HP_R_LOCKED,
			    "%s: another hivepatch run is changing this hive; "
			    "try again when it has finished", hive->where);
		return hp_err_set(e, HP_R_IO, "%s: cannot lock: %s", hive->where,
		    strerror(saved));
	}
	/* The lock is on the inode; a run that finished meanwhile renamed a
	 * new file into place, so make sure the name is still ours. */
	if (fstat(fd, &locked) == -1 ||
	    fstatat(f->t.dir_fd, f->t.name, &now, AT_SYMLINK_NOFOLLOW) == -1 ||
	    locked.st_ino != now.st_ino || locked.st_dev != now.st_dev) {
		close(fd);
		return hp_err_set(e, HP_R_LOCKED, "%s: the hive was replaced while "
		    "we waited for it; run again", hive->where);
	}
	f->lock_fd = fd;
	return 0;
}

/* Sets the entry i of out->skipped: path and why. */
static int
skip_log(struct hp_hive_files *out, const char *path, const char *why,
	 struct hp_err *e)
{
	size_t i = out->n_skipped;

	out->skipped[i] = strdup(path);
	out->skipped_why[i] = strdup(why);
	out->n_skipped++;
	return out->skipped[i] && out->skipped_why[i] ? 0 : hp_err_nomem(e);
}

/* Opens one log the target listed, and checks the very file opened: a
 * log that became a link, or another owner's, since it was listed is
 * skipped as the listing would have (target_log_foreign). */
static int
read_log(const struct fs_hive *f, const char *path, const struct stat *hive,
	 struct hp_hive_files *out, struct hp_err *e)
{
	struct dir_ref dir = dir_of(f);
	struct hp_log_file *l = &out->logs[out->n_logs];
	struct stat st;
	char why[128];
	int fd;

	if ((fd = open_regular_at(&dir, base_name(path), e)) == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return hp_err_set(e, HP_R_IO, "%s: %s", path, strerror(errno));
	}
	if (target_log_foreign(&st, hive, why, sizeof(why))) {
		close(fd);
		return skip_log(out, path, why, e);
	}
	l->fd = fd;
	out->n_logs++;
	l->name = strdup(base_name(path));
	l->where = strdup(path);
	return l->name != NULL && l->where != NULL ? 0 : hp_err_nomem(e);
}

static int
read_logs(const struct fs_hive *f, struct hp_hive_files *out, struct hp_err *e)
{
	size_t i, n_all = f->t.n_logs + f->t.n_skipped_logs;
	struct stat hive;

	if (fstat(out->fd, &hive) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", f->t.hive_path,
		    strerror(errno));
	out->logs = calloc(f->t.n_logs ? f->t.n_logs : 1, sizeof(*out->logs));
	out->skipped = calloc(n_all ? n_all : 1, sizeof(*out->skipped));
	out->skipped_why = calloc(n_all ? n_all : 1,
	    sizeof(*out->skipped_why));
	if (out->logs == NULL || out->skipped == NULL ||
	    out->skipped_why == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < f->t.n_skipped_logs; i++)
		if (skip_log(out, f->t.skipped_logs[i], f->t.skipped_why[i],
		    e) == -1)
			return -1;
	for (i = 0; i < f->t.n_logs; i++)
		if (read_log(f, f->t.logs[i], &hive, out, e) == -1)
			return -1;
	return 0;
}

static int
fs_read(void *priv, struct hp_store_hive *hive, struct hp_hive_files *out,
	struct hp_err *e)
{
	struct fs_hive *f = fs_of(hive);
	struct dir_ref dir = dir_of(f);
	struct stat st;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (store_hive_usable(hive, e) == -1)
		return -1;
	/* Once locked, read the very file the lock holds. */
	if (f->lock_fd >= 0)
		out->fd = fcntl(f->lock_fd, F_DUPFD_CLOEXEC, 0);
	else
		out->fd = open_regular_at(&dir, f->t.name, e);
	if (out->fd == -1) {
		if (f->lock_fd >= 0)
			hp_err_set(e, HP_R_IO, "%s: %s", hive->where,
			    strerror(errno));
		return -1;
	}
	if (fstat(out->fd, &st) == -1) {
		hp_err_set(e, HP_R_IO, "%s: %s", hive->where, strerror(errno));
		hp_hive_files_free(out);
		return -1;
	}
	out->size = (uint64_t)st.st_size;
	if (read_logs(f, out, e) == -1) {
		hp_hive_files_free(out);
		return -1;
	}
	return 0;
}

/* Forgets the file `name` (NULL: the hive) opened for writing in place:
 * it was replaced, emptied or removed, and a later write must open what
 * the name leads to now. */
static void
rw_drop(struct fs_hive *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n_rw; i++) {
		struct fs_rw *rw = &f->rw[i];

		if ((name == NULL) != (rw->name == NULL) ||
		    (name != NULL && strcmp(rw->name, name) != 0))
			continue;
		close(rw->fd);
		free(rw->name);
		f->rw[i] = f->rw[--f->n_rw];
		return;
	}
}

static int
fs_commit(void *priv, struct hp_store_hive *hive, int image_fd,
	  hp_check_fn check, void *arg, int *replaced, struct hp_err *e)
{
	struct fs_hive *f = fs_of(hive);
	struct dir_ref dir = dir_of(f);
	int locked = -1, rc;

	*replaced = 0;
	if (store_hive_usable(hive, e) == -1)
		return -1;
	/* The lock moves to the new file: a later read in this run (a
	 * second rollback step) reads it, and no other run can take it. */
	rw_drop(f, NULL);
	free(hive->commit_note);
	hive->commit_note = NULL;
	rc = commit_replace(&dir, f->t.name, "hive", image_fd, 0600, check,
	    arg, replaced, f->lock_fd >= 0 ? &locked : NULL, &hive->commit_note,
	    e);
	if (locked >= 0) {
		close(f->lock_fd);
		f->lock_fd = locked;
	}
	return rc;
}

/* A log of this hive: its name followed by .LOG, .LOG1 or .LOG2, and
 * nothing that leaves the directory. */
static int
log_name_ok(const struct fs_hive *f, const char *name)
{
	size_t n = strlen(f->t.name);
	const char *sfx = name + n;

	return strncasecmp(name, f->t.name, n) == 0 && strchr(name, '/') == NULL &&
	    (strcasecmp(sfx, ".LOG") == 0 || strcasecmp(sfx, ".LOG1") == 0 ||
	    strcasecmp(sfx, ".LOG2") == 0);
}

/* The hive as it is now: the file the lock holds, else its name. */
static int
hive_stat(const struct fs_hive *f, struct stat *st, struct hp_err *e)
{
	if ((f->lock_fd >= 0 ? fstat(f->lock_fd, st) :
	    fstatat(f->t.dir_fd, f->t.name, st, AT_SYMLINK_NOFOLLOW)) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", f->t.hive_path,
		    strerror(errno));
	return 0;
}

/* A file with a log's name that is not the hive's own log is never
 * written, emptied nor removed (`what` is done to it); 0 when it is
 * the hive's. */
static int
refuse_foreign(const struct fs_hive *f, const char *name,
	       const struct stat *st, const char *what, struct hp_err *e)
{
	struct stat hive;
	char why[128];

	if (hive_stat(f, &hive, e) == -1)
		return -1;
	if (!target_log_foreign(st, &hive, why, sizeof(why)))
		return 0;
	return hp_err_set(e, HP_R_FOREIGN_LOG, "%s/%s: has a log's name but %s: "
	    "not a log of this hive, not %s", f->t.dir, name, why, what);
}

static int
fs_write_log(void *priv, struct hp_store_hive *hive, const char *name,
	     int src_fd, hp_check_fn check, void *arg, struct hp_err *e)
{
	struct fs_hive *f = fs_of(hive);
	struct dir_ref dir = dir_of(f);
	struct stat st, owner;
	int replaced;

	if (store_hive_usable(hive, e) == -1)
		return -1;
	if (!log_name_ok(f, name))
		return hp_err_set(e, HP_R_USAGE, "%s: '%s' is not a log of this "
		    "hive", hive->where, name);
	if (src_fd == -1)
		return hive_stat(f, &owner, e) == -1 ? -1 :
		    commit_truncate(&dir, name, &owner, e);
	/* Replacing renames over the name alone, but a name that is not
	 * the hive's log is not the hive's to take. */
	if (fstatat(f->t.dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    refuse_foreign(f, name, &st, "written", e) == -1)
		return -1;
	rw_drop(f, name);
	return commit_replace(&dir, name, "log", src_fd, 0600, check, arg,
	    &replaced, NULL, NULL, e);
}

/* The file as it is named in messages. */
static void
rw_where(const struct fs_hive *f, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", f->t.dir, name ? name : f->t.name);
}

/* Opens a log for writing in place, creating it (with the hive's mode
 * and owner) when absent.  A file with the log's name that is not the
 * hive's own (a hard link: writing it would change a file outside the
 * hive's directory; another owner's) is refused. */
static int
open_log_rw(const struct fs_hive *f, const char *name, struct fs_rw *rw,
	    struct hp_err *e)
{
	struct stat hive, st;
	char where[PATH_MAX + 64];

	rw_where(f, name, where, sizeof(where));
	if (fstat(f->lock_fd, &hive) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", f->t.hive_path,
		    strerror(errno));
	rw->fd = openat(f->t.dir_fd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (rw->fd == -1 && errno == ENOENT) {
		rw->fd = openat(f->t.dir_fd, name, O_RDWR | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, hive.st_mode & 0666);
		if (rw->fd >= 0) {
			rw->created = 1;
			/* As the hive is owned; only root can, and only root
			 * needs to. */
			if (fchown(rw->fd, hive.st_uid, hive.st_gid) == -1 &&
			    errno != EPERM) {
				hp_err_set(e, HP_R_IO, "%s: cannot give it the "
				    "hive's owner: %s", where, strerror(errno));
				return -1;
			}
		}
	}
	if (rw->fd == -1)
		return hp_err_set(e, errno == ELOOP ? HP_R_SYMLINK :
		    hp_errno_reason(errno), "%s: cannot open for writing: %s",
		    where, errno == ELOOP ? "a symbolic link" : strerror(errno));
	if (fstat(rw->fd, &st) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", where, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return hp_err_set(e, HP_R_NOT_REGULAR, "%s: not a regular file",
		    where);
	/* One this run made (its owner as far as it could) is its own. */
	return rw->created ? 0 : refuse_foreign(f, name, &st, "written", e);
}

/* Opens the hive itself for writing in place: the very file the lock
 * holds. */
static int
open_hive_rw(const struct fs_hive *f, struct fs_rw *rw, struct hp_err *e)
{
	struct stat locked, st;
	char where[PATH_MAX + 64];

	rw_where(f, NULL, where, sizeof(where));
	rw->fd = openat(f->t.dir_fd, f->t.name, O_RDWR | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC);
	if (rw->fd == -1)
		return hp_err_set(e, hp_errno_reason(errno), "%s: cannot open "
		    "for writing: %s", where, strerror(errno));
	if (fstat(rw->fd, &st) == -1 || fstat(f->lock_fd, &locked) == -1 ||
	    st.st_ino != locked.st_ino || st.st_dev != locked.st_dev)
		return hp_err_set(e, HP_R_LOCKED, "%s: the hive was replaced "
		    "while we held it; run again", where);
	return 0;
}

/* The hive's file `name` (NULL: the hive), opened for writing once. */
static struct fs_rw *
rw_file(struct fs_hive *f, struct hp_store_hive *hive, const char *name,
	struct hp_err *e)
{
	struct fs_rw *rw;
	size_t i;

	if (store_hive_usable(hive, e) == -1)
		return NULL;
	if (f->lock_fd < 0) {
		hp_err_set(e, HP_R_USAGE, "%s: written before it was locked",
		    hive->where);
		return NULL;
	}
	for (i = 0; i < f->n_rw; i++) {
		rw = &f->rw[i];
		if ((name == NULL && rw->name == NULL) || (name != NULL &&
		    rw->name != NULL && strcmp(rw->name, name) == 0))
			return rw;
	}
	if (name != NULL && !log_name_ok(f, name)) {
		hp_err_set(e, HP_R_USAGE, "%s: '%s' is not a log of this hive",
		    hive->where, name);
		return NULL;
	}
	if (f->n_rw == FS_MAX_RW) {
		hp_err_set(e, HP_R_USAGE, "%s: too many files open for writing",
		    hive->where);
		return NULL;
	}
	rw = &f->rw[f->n_rw];
	memset(rw, 0, sizeof(*rw));
	if (name != NULL && (rw->name = strdup(name)) == NULL) {
		hp_err_nomem(e);
		return NULL;
	}
	if ((name ? open_log_rw(f, name, rw, e) : open_hive_rw(f, rw, e)) ==
	    -1) {
		if (rw->fd >= 0)
			close(rw->fd);
		if (rw->created)
			(void)unlinkat(f->t.dir_fd, name, 0);
		free(rw->name);
		return NULL;
	}
	f->n_rw++;
	return rw;
}

static int
fs_write_at(void *priv, struct hp_store_hive *hive, const char *name,
	    uint64_t off, const void *buf, size_t len, struct hp_err *e)
{
	struct fs_hive *f = fs_of(hive);
	struct fs_rw *rw = rw_file(f, hive, name, e);
	char where[PATH_MAX + 64];

	if (rw == NULL)
		return -1;
	if (pwrite_all(rw->fd, buf, len, off) == -1) {
		rw_where(f, name, where, sizeof(where));
		return hp_err_set(e, HP_R_IO, "%s: cannot write at offset %ju: "
		    "%s", where, (uintmax_t)off, strerror(errno));
	}
	return 0;
}

static int
fs_set_size(void *priv, struct hp_store_hive *hive, const char *name,
	    uint64_t size, struct hp_err *e)
{
	struct fs_hive *f = fs_of(hive);
	struct fs_rw *rw = rw_file(f, hive, name, e);
	char where[PATH_MAX + 64];

	if (rw == NULL)
		return -1;
	if (ftruncate(rw->fd, (off_t)size) == -1) {
		rw_where(f, name, where, sizeof(where));
		return hp_err_set(e, HP_R_IO, "%s: cannot set its size to %ju "
		    "bytes: %s", where, (uintmax_t)size, strerror(errno));
	}
	return 0;
}

static int
fs_sync(void *priv, struct hp_store_hive *hive, const char *name,
	struct hp_err *e)
{
	struct fs_hive *f = fs_of(hive);
	struct fs_rw *rw = rw_file(f, hive, name, e);
	char where[PATH_MAX + 64];

	if (rw == NULL)
		return -1;
	if (fsync(rw->fd) == -1 || (rw->created && fsync(f->t.dir_fd) == -1)) {
		rw_where(f, name, where, sizeof(where));
		return hp_err_set(e, HP_R_IO, "%s: cannot sync: %s", where,
		    strerror(errno));
	}
	return 0;
}

/* A later read of this store (a run after the one that removed the
 * log) no longer offers it. */
static void
forget_log(struct fs_hive *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->t.n_logs; i++)
		if (strcmp(base_name(f->t.logs[i]), name) == 0) {
			free(f->t.logs[i]);
			memmove(&f->t.logs[i], &f->t.logs[i + 1],
			    (f->t.n_logs - i) * sizeof(*f->t.logs));
			f->t.n_logs--;
			return;
		}
}

static int
fs_remove_log(void *priv, struct hp_store_hive *hive, const char *name,
	      struct hp_err *e)
{
	struct fs_hive *f = fs_of(hive);
	char where[PATH_MAX + 64];
	struct stat st;

	rw_where(f, name, where, sizeof(where));
	if (store_hive_usable(hive, e) == -1)
		return -1;
	if (!log_name_ok(f, name))
		return hp_err_set(e, HP_R_USAGE, "%s: not a log of this hive",
		    where);
	/* Never a link, never a file with another name elsewhere, nor
	 * another owner's. */
	if (fstatat(f->t.dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return hp_err_set(e, hp_errno_reason(errno), "%s: %s", where,
		    strerror(errno));
	if (refuse_foreign(f, name, &st, "removed", e) == -1)
		return -1;
	if (unlinkat(f->t.dir_fd, name, 0) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot remove: %s", where,
		    strerror(errno));
	rw_drop(f, name);
	forget_log(f, name);
	if (fsync(f->t.dir_fd) == -1)
		return hp_err_set(e, HP_R_IO, "%s: removed, but cannot sync its "
		    "directory: %s", where, strerror(errno));
	return 0;
}

static void
fs_close(void *priv)
{
	struct fs_store *s = priv;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		for (j = 0; j < s->fs[i].n_rw; j++) {
			close(s->fs[i].rw[j].fd);
			free(s->fs[i].rw[j].name);
		}
		if (s->fs[i].lock_fd >= 0)
			close(s->fs[i].lock_fd);
		target_free(&s->fs[i].t);
		free(s->hives[i].name);
		free(s->hives[i].where);
		free(s->hives[i].commit_note);
		free(s->hives[i].identity);
	}
	free(s->hives);
	free(s->fs);
	free(s->target);
	free(s->user_hive);
	free(s->class_hive);
	free(s);
}

#define FS_OPS \
	.list = fs_list, .lock = fs_lock, .read = fs_read, \
	.commit = fs_commit, .write_log = fs_write_log, \
	.write_at = fs_write_at, .set_size = fs_set_size, .sync = fs_sync, \
	.remove_log = fs_remove_log, .close = fs_close

static const struct hp_store_ops tree_ops = {
	.name = "tree", .tree = 1, FS_OPS
};

static const struct hp_store_ops file_ops = {
	.name = "file", .tree = 0, FS_OPS
};

/* Every file a hive of the store has, by identity: itself, its logs
 * and the files with a log's name beside it. */
static void
guard_files(const struct fs_hive *f, struct out_guard *g)
{
	struct stat st;
	size_t i;

	if (fstatat(f->t.dir_fd, f->t.name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		out_guard_file(g, &st, f->t.hive_path);
	for (i = 0; i < f->t.n_logs; i++)
		if (fstatat(f->t.dir_fd, base_name(f->t.logs[i]), &st,
		    AT_SYMLINK_NOFOLLOW) == 0)
			out_guard_file(g, &st, f->t.logs[i]);
	for (i = 0; i < f->t.n_skipped_logs; i++)
		if (fstatat(f->t.dir_fd, base_name(f->t.skipped_logs[i]), &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			out_guard_file(g, &st, f->t.skipped_logs[i]);
}

int
store_fs_guard(const struct hp_store *store, struct out_guard *g)
{
	const struct fs_store *s = store->priv;
	const struct fs_hive *f;
	struct stat st;
	size_t i, j;

	if (store->ops != &tree_ops && store->ops != &file_ops)
		return 1;
	for (i = 0; i < s->n; i++) {
		f = &s->fs[i];
		if (f->t.dir_fd == -1)
			continue;
		guard_files(f, g);
		if (s->tree && g->n_tree_dirs == 0) {
			for (j = 0; j < f->t.n_tree_dirs; j++) {
				g->tree_dirs[j].dev = f->t.tree_dirs[j].dev;
				g->tree_dirs[j].ino = f->t.tree_dirs[j].ino;
			}
			g->n_tree_dirs = f->t.n_tree_dirs;
		}
		if (!s->tree && fstat(f->t.dir_fd, &st) == 0) {
			g->hive_dir.dev = st.st_dev;
			g->hive_dir.ino = st.st_ino;
			snprintf(g->hive_name, sizeof(g->hive_name), "%s",
			    f->t.name);
		}
	}
	return 0;
}

int
store_fs_open(const char *target, int tree, const char *user, void **priv,
	      const struct hp_store_ops **ops, struct hp_err *e)
{
	struct fs_store *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hp_err_nomem(e);
	if (store_user_hive(user, &s->user_hive, e) == -1 ||
	    store_user_class_hive(user, &s->class_hive, e) == -1 ||
	    (s->target = strdup(target)) == NULL) {
		free(s->user_hive);
		free(s->class_hive);
		free(s);
		return e->reason != HP_R_NONE ? -1 : hp_err_nomem(e);
	}
	s->tree = tree;
	*priv = s;
	*ops = tree ? &tree_ops : &file_ops;
	return 0;
}
