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
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commit.h"
#include "error.h"
#include "store.h"
#include "target.h"

/* The hives a Windows tree's config directory holds, in the order the
 * runs use them. */
static const struct {
	const char *name;
	enum hp_hive_kind kind;
} tree_hives[] = {
	{ "SOFTWARE", HP_HIVE_SOFTWARE },
	{ "SYSTEM", HP_HIVE_SYSTEM },
	{ "SAM", HP_HIVE_SAM },
	{ "SECURITY", HP_HIVE_SECURITY },
	{ "DEFAULT", HP_HIVE_DEFAULT },
};
#define N_TREE_HIVES (sizeof(tree_hives) / sizeof(tree_hives[0]))

struct fs_hive {
	struct hp_target t;	/* dir_fd -1 when it could not be found */
	int lock_fd;
};

struct fs_store {
	char *target;
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
	size_t i, want = s->tree ? N_TREE_HIVES : 1;

	*hives = NULL;
	*n = 0;
	s->hives = calloc(want, sizeof(*s->hives));
	s->fs = calloc(want, sizeof(*s->fs));
	if (s->hives == NULL || s->fs == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < want; i++) {
		s->n = i + 1;
		if (list_one(s, i, s->tree ? tree_hives[i].name : NULL,
		    s->tree ? tree_hives[i].kind : HP_HIVE_UNKNOWN, e) == -1)
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

static int
read_logs(const struct fs_hive *f, struct hp_hive_files *out, struct hp_err *e)
{
	struct dir_ref dir = dir_of(f);
	size_t i;

	out->logs = calloc(f->t.n_logs ? f->t.n_logs : 1, sizeof(*out->logs));
	out->skipped = calloc(f->t.n_skipped_logs ? f->t.n_skipped_logs : 1,
	    sizeof(*out->skipped));
	if (out->logs == NULL || out->skipped == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < f->t.n_logs; i++) {
		struct hp_log_file *l = &out->logs[i];

		l->fd = -1;
		out->n_logs++;
		l->name = strdup(base_name(f->t.logs[i]));
		l->where = strdup(f->t.logs[i]);
		if (l->name == NULL || l->where == NULL)
			return hp_err_nomem(e);
		if ((l->fd = open_regular_at(&dir, l->name, e)) == -1)
			return -1;
	}
	for (i = 0; i < f->t.n_skipped_logs; i++) {
		if ((out->skipped[i] = strdup(f->t.skipped_logs[i])) == NULL)
			return hp_err_nomem(e);
		out->n_skipped++;
	}
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

static int
fs_commit(void *priv, struct hp_store_hive *hive, int image_fd,
	  hp_check_fn check, void *arg, int *replaced, struct hp_err *e)
{
	struct fs_hive *f = fs_of(hive);
	struct dir_ref dir = dir_of(f);

	*replaced = 0;
	if (store_hive_usable(hive, e) == -1)
		return -1;
	return commit_replace(&dir, f->t.name, "hive", image_fd, 0600, check,
	    arg, replaced, e);
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

static int
fs_write_log(void *priv, struct hp_store_hive *hive, const char *name,
	     int src_fd, hp_check_fn check, void *arg, struct hp_err *e)
{
	struct fs_hive *f = fs_of(hive);
	struct dir_ref dir = dir_of(f);
	int replaced;

	if (store_hive_usable(hive, e) == -1)
		return -1;
	if (!log_name_ok(f, name))
		return hp_err_set(e, HP_R_USAGE, "%s: '%s' is not a log of this "
		    "hive", hive->where, name);
	if (src_fd == -1)
		return commit_truncate(&dir, name, e);
	return commit_replace(&dir, name, "log", src_fd, 0600, check, arg,
	    &replaced, e);
}

static void
fs_close(void *priv)
{
	struct fs_store *s = priv;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->fs[i].lock_fd >= 0)
			close(s->fs[i].lock_fd);
		target_free(&s->fs[i].t);
		free(s->hives[i].name);
		free(s->hives[i].where);
		free(s->hives[i].identity);
	}
	free(s->hives);
	free(s->fs);
	free(s->target);
	free(s);
}

static const struct hp_store_ops tree_ops = {
	"tree", 1, fs_list, fs_lock, fs_read, fs_commit, fs_write_log, fs_close,
};

static const struct hp_store_ops file_ops = {
	"file", 0, fs_list, fs_lock, fs_read, fs_commit, fs_write_log, fs_close,
};

int
store_fs_open(const char *target, int tree, void **priv,
	      const struct hp_store_ops **ops, struct hp_err *e)
{
	struct fs_store *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->target = strdup(target)) == NULL) {
		free(s);
		return hp_err_nomem(e);
	}
	s->tree = tree;
	*priv = s;
	*ops = tree ? &tree_ops : &file_ops;
	return 0;
}
