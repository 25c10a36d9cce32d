/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --output (export, recover), never inside the target (outfile.h). */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"

/* As the kernel gives up on a path (ELOOP). */
#define MAX_HOPS 40

/* Directories deeper than this below the root are not walked up. */
#define MAX_DEPTH 4096

static const char *const log_suffixes[] = { "", ".LOG", ".LOG1", ".LOG2" };

void
out_guard_file(struct out_guard *g, const struct stat *st, const char *where)
{
	if (g->n_files == OUT_MAX_FILES)
		return;
	g->files[g->n_files].id.dev = st->st_dev;
	g->files[g->n_files].id.ino = st->st_ino;
	g->files[g->n_files++].where = where;
}

static int
is_id(const struct stat *st, const struct out_id *id)
{
	return st->st_dev == id->dev && st->st_ino == id->ino;
}

static int
refuse(const char *path, const char *why, struct hp_err *e)
{
	return hp_err_set(e, HP_R_OUTPUT_IN_TARGET, "%s: %s: --output never "
	    "writes into the target", path, why);
}

/* Whether the directory dfd is one of the tree's or below one: walked
 * up by "..", by identity, to the root.  1 yes, 0 no, -1 error. */
static int
below_tree(int dfd, const struct out_guard *g, const char *path,
	   struct hp_err *e)
{
	struct stat st, up;
	int fd, next, depth, rc = -1;
	size_t i;

	if ((fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0)) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", path, strerror(errno));
	for (depth = 0; depth < MAX_DEPTH; depth++) {
		if (fstat(fd, &st) == -1)
			break;
		for (i = 0; i < g->n_tree_dirs; i++)
			if (is_id(&st, &g->tree_dirs[i])) {
				close(fd);
				return 1;
			}
		next = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (next == -1 || fstat(next, &up) == -1) {
			if (next != -1)
				close(next);
			break;
		}
		close(fd);
		fd = next;
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino) {
			rc = 0;		/* the root */
			break;
		}
	}
	if (rc == -1)
		hp_err_set(e, HP_R_OUTPUT_IN_TARGET, "%s: cannot tell whether it "
		    "lies inside the target %s (%s): --output never "
		    "writes into the target", path, g->target,
		    depth == MAX_DEPTH ? "too deep" : strerror(errno));
	close(fd);
	return rc;
}

/* ASCII case folding, as target.c finds the hive and its logs. */
static int
ascii_caseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return 0;
		if (x == '\0')
			return 1;
	}
	return 1;
}

/* `name` is the hive's name, or a log's name of it, in any case. */
static int
hive_or_log_name(const char *name, const char *hive)
{
	size_t n = strlen(hive), i;

	if (!ascii_caseeq(name, hive, n))
		return 0;
	for (i = 0; i < sizeof(log_suffixes) / sizeof(log_suffixes[0]); i++)
		if (ascii_caseeq(name + n, log_suffixes[i],
		    strlen(log_suffixes[i]) + 1))
			return 1;
	return 0;
}

/* An existing file (opened: st) is none of the target's. */
static int
check_file(const struct stat *st, const struct out_guard *g,
	   const char *path, struct hp_err *e)
{
	char why[PATH_MAX + 128];
	size_t i;

	for (i = 0; i < g->n_files; i++)
		if (is_id(st, &g->files[i].id)) {
			snprintf(why, sizeof(why), "is %s (the same file)",
			    g->files[i].where);
			return refuse(path, why, e);
		}
	for (i = 0; i < g->n_tree_dirs; i++) {
		if (S_ISREG(st->st_mode) && st->st_nlink > 1 &&
		    st->st_dev == g->tree_dirs[i].dev) {
			snprintf(why, sizeof(why), "has %ju hard links on the file "
			    "system the target %s lies on, and one may be inside "
			    "it", (uintmax_t)st->st_nlink, g->target);
			return refuse(path, why, e);
		}
		if (S_ISBLK(st->st_mode) && st->st_rdev == g->tree_dirs[i].dev)
			return refuse(path, "is the device the target lies on", e);
	}
	if (S_ISBLK(st->st_mode) && g->n_files > 0 &&
	    st->st_rdev == g->files[0].id.dev)
		return refuse(path, "is the device the hive lies on", e);
	return 0;
}

/* The name `base` of the directory dfd is not the target's: not below a
 * tree, not the name of a bare hive or of a log of it. */
static int
check_place(int dfd, const char *base, const struct out_guard *g,
	    const char *path, int hops, struct hp_err *e)
{
	const char *how = hops ? " (through a symbolic link)" : "";
	char why[PATH_MAX + 128];
	struct stat st;
	int rc;

	if (g->n_tree_dirs > 0 && (rc = below_tree(dfd, g, path, e)) != 0) {
		if (rc == -1)
			return -1;
		snprintf(why, sizeof(why), "lies inside the target %s%s",
		    g->target, how);
		return refuse(path, why, e);
	}
	if (g->hive_name[0] == '\0')
		return 0;
	if (fstat(dfd, &st) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", path, strerror(errno));
	if (!is_id(&st, &g->hive_dir) || !hive_or_log_name(base, g->hive_name))
		return 0;
	/* The hive or a log itself is said so. */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISLNK(st.st_mode) && check_file(&st, g, path, e) == -1)
		return -1;
	snprintf(why, sizeof(why), "would be taken for the hive %s or one of "
	    "its logs (their names, in any letter case, beside it)%s",
	    g->target, how);
	return refuse(path, why, e);
}

static int
cannot(const char *path, int err, struct hp_err *e)
{
	return hp_err_set(e, hp_errno_reason(err), "%s: cannot create: %s", path,
	    strerror(err));
}

/* Opens the directory of `cur` (resolved by the kernel: the directory
 * itself is then checked by identity) and points *base at its last
 * component. */
static int
enter(const char *cur, const char *path, char **dir, const char **base,
      struct hp_err *e)
{
	const char *slash = strrchr(cur, '/');
	int dfd;

	*base = slash ? slash + 1 : cur;
	if (slash == NULL)
		*dir = strdup(".");
	else
		*dir = strndup(cur, slash == cur ? 1 : (size_t)(slash - cur));
	if (*dir == NULL)
		return hp_err_nomem(e);
	if (**base == '\0' || strcmp(*base, ".") == 0 ||
	    strcmp(*base, "..") == 0)
		return cannot(path, EISDIR, e);
	dfd = open(*dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1)
		return cannot(path, errno, e);
	return dfd;
}

/* The file the symbolic link `base` of dfd leads to: *next, the path
 * to go on with; or, for a link of /proc that names no path (a pipe, a
 * socket: /dev/stdout), *fd, opened through it when it is no regular
 * file. */
static int
next_hop(int dfd, const char *dir, const char *base, char **next, int *fd,
	 const char *path, struct hp_err *e)
{
	char link[PATH_MAX];
	struct statfs fs;
	struct stat st;
	ssize_t n;

	*next = NULL;
	if ((n = readlinkat(dfd, base, link, sizeof(link) - 1)) == -1)
		return cannot(path, errno, e);
	link[n] = '\0';
	if (link[0] != '/' && fstatfs(dfd, &fs) == 0 &&
	    fs.f_type == PROC_SUPER_MAGIC) {
		*fd = openat(dfd, base, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (*fd == -1)
			return cannot(path, errno, e);
		if (fstat(*fd, &st) == 0 && !S_ISREG(st.st_mode))
			return 0;
		close(*fd);
		*fd = -1;
		return refuse(path, "a link of /proc to a regular file whose "
		    "place cannot be told, which may be inside it", e);
	}
	if (asprintf(next, "%s%s%s", link[0] == '/' ? "" : dir,
	    link[0] == '/' ? "" : "/", link) == -1) {
		*next = NULL;
		return hp_err_nomem(e);
	}
	return 0;
}

/* The last name, no link: created when absent, else opened and checked
 * before it is emptied. */
static int
open_last(int dfd, const char *base, const struct out_guard *g,
	  const char *path, struct hp_err *e)
{
	struct stat st;
	int fd;

	fd = openat(dfd, base, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY |
	    O_CLOEXEC, 0666);
	if (fd == -1)
		return errno == ELOOP ? refuse(path, "became a symbolic link "
		    "while it was opened, and may lead into it", e) :
		    cannot(path, errno, e);
	if (fstat(fd, &st) == -1 || check_file(&st, g, path, e) == -1 ||
	    (S_ISREG(st.st_mode) && ftruncate(fd, 0) == -1)) {
		if (e->reason != HP_R_OUTPUT_IN_TARGET)
			cannot(path, errno, e);
		close(fd);
		return -1;
	}
	return fd;
}

/* Follows `path` one link at a time, each directory and name it passes
 * checked, to the file opened for writing; -1 with e set. */
static int
resolve_open(const char *path, const struct out_guard *g, struct hp_err *e)
{
	char *cur = strdup(path), *dir = NULL, *next = NULL;
	const char *base;
	struct stat st;
	int dfd, hops, exists, fd = -1;

	if (cur == NULL)
		return hp_err_nomem(e);
	for (hops = 0;; hops++) {
		dfd = enter(cur, path, &dir, &base, e);
		if (dfd == -1 || check_place(dfd, base, g, path, hops, e) == -1)
			break;
		exists = fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
		if (!exists && errno != ENOENT) {
			cannot(path, errno, e);
			break;
		}
		if (!exists || !S_ISLNK(st.st_mode)) {
			fd = open_last(dfd, base, g, path, e);
			break;
		}
		if (hops == MAX_HOPS) {
			cannot(path, ELOOP, e);
			break;
		}
		if (next_hop(dfd, dir, base, &next, &fd, path, e) == -1 ||
		    next == NULL)
			break;
		close(dfd);
		free(dir);
		free(cur);
		cur = next;
		dir = NULL;
	}
	if (dfd != -1)
		close(dfd);
	free(dir);
	free(cur);
	return fd;
}

FILE *
out_open(const char *path, const struct out_guard *g, struct hp_err *e)
{
	FILE *f;
	int fd;

	memset(e, 0, sizeof(*e));
	if ((fd = resolve_open(path, g, e)) == -1)
		return NULL;
	if ((f = fdopen(fd, "w")) == NULL) {
		cannot(path, errno, e);
		close(fd);
	}
	return f;
}
