/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "target.h"
#include "textconv.h"

/* A directory with more entries than this is not a plausible Windows
 * config directory; refuse rather than spend unbounded time on it. */
#define MAX_DIR_ENTRIES 100000

/* The directories between the root of a Windows tree and its hives. */
static const char *const tree_components[] = {
	"Windows", "System32", "config"
};
#define N_TREE_COMPONENTS (sizeof(tree_components) / sizeof(tree_components[0]))

static const char *const log_suffixes[] = { ".LOG", ".LOG1", ".LOG2" };
#define N_LOG_SUFFIXES (sizeof(log_suffixes) / sizeof(log_suffixes[0]))

static int
oom(struct hp_err *e)
{
	return hp_err_nomem(e);
}

/* dir + "/" + name, without doubling the slash when dir is "/". */
static char *
path_join(const char *dir, const char *name)
{
	size_t dir_len = strlen(dir), name_len = strlen(name);
	size_t need_slash = (dir_len == 0 || dir[dir_len - 1] != '/') ? 1 : 0;
	char *path;

	if (name_len > SIZE_MAX - 2 || dir_len > SIZE_MAX - 2 - name_len)
		return NULL;
	path = malloc(dir_len + need_slash + name_len + 1);
	if (path == NULL)
		return NULL;
	memcpy(path, dir, dir_len);
	if (need_slash)
		path[dir_len] = '/';
	memcpy(path + dir_len + need_slash, name, name_len + 1);
	return path;
}

/* Copy of path without trailing slashes ("/" stays "/"), for messages and
 * for joining. */
static char *
strip_trailing_slashes(const char *path)
{
	char *copy = strdup(path);
	size_t len;

	if (copy == NULL)
		return NULL;
	len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	return copy;
}

/* What a non-regular file is, for "PATH: is X, not a hive file". */
static const char *
file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISREG(mode))
		return "a regular file";
	return "a special file";
}

/* A name we may look up inside one directory: no path tricks. */
static int
valid_entry_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > NAME_MAX)
		return 0;
	if (strchr(name, '/') != NULL)
		return 0;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	return 1;
}

/* Opens a fresh directory stream on dir_fd.  A new open file description
 * (rather than dup) so that each scan starts at the beginning. */
static DIR *
open_dir_stream(int dir_fd, const char *dir_path, struct hp_err *e)
{
	int fd;
	DIR *stream;

	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		hp_err_sys(e, errno, dir_path);
		return NULL;
	}
	stream = fdopendir(fd);
	if (stream == NULL) {
		hp_err_sys(e, errno, dir_path);
		close(fd);
		return NULL;
	}
	return stream;
}

/* Reads the next entry other than "." and "..", counting entries against
 * MAX_DIR_ENTRIES.  Returns 1 with *ent set, 0 at the end, -1 on error. */
static int
next_entry(DIR *stream, const char *dir_path, size_t *count,
    struct dirent **ent, struct hp_err *e)
{
	struct dirent *d;

	for (;;) {
		errno = 0;
		d = readdir(stream);
		if (d == NULL) {
			if (errno != 0) {
				hp_err_sys(e, errno, dir_path);
				return -1;
			}
			return 0;
		}
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (++*count > MAX_DIR_ENTRIES) {
			hp_err_set(e, HP_R_OVER_LIMIT,
			    "%s: more than %d entries; refusing to search it",
			    dir_path, MAX_DIR_ENTRIES);
			return -1;
		}
		*ent = d;
		return 1;
	}
}

/* Finds the entry of dir_fd named `want` in any letter case.  The
 * exact-case entry wins; otherwise exactly one case-insensitive match is
 * required, since guessing between two could patch the wrong file.
 * Returns 0 with *found set to a copy of the on-disk name, or NULL when
 * there is no such entry; -1 on error. */
static int
find_entry(int dir_fd, const char *dir_path, const char *want, char **found,
    struct hp_err *e)
{
	DIR *stream;
	struct dirent *ent = NULL;
	size_t count = 0, n_matches = 0;
	char *first_match = NULL, *other_match = NULL;
	int exact = 0, rc;

	*found = NULL;
	stream = open_dir_stream(dir_fd, dir_path, e);
	if (stream == NULL)
		return -1;

	while ((rc = next_entry(stream, dir_path, &count, &ent, e)) == 1) {
		if (strlen(ent->d_name) > NAME_MAX)
			continue;
		if (!text_ascii_caseeq(ent->d_name, want))
			continue;
		if (strcmp(ent->d_name, want) == 0)
			exact = 1;
		n_matches++;
		/* Keep two names: enough to name an ambiguity. */
		if (first_match == NULL)
			first_match = strdup(ent->d_name);
		else if (other_match == NULL)
			other_match = strdup(ent->d_name);
		if (first_match == NULL ||
		    (n_matches > 1 && other_match == NULL)) {
			rc = oom(e);
			break;
		}
	}
	closedir(stream);
	if (rc == -1)
		goto fail;

	if (exact) {
		free(first_match);
		free(other_match);
		*found = strdup(want);
		if (*found == NULL)
			return oom(e);
		return 0;
	}
	if (n_matches > 1) {
		hp_err_set(e, HP_R_AMBIGUOUS, "%s: both '%s' and '%s' match '%s'; "
		    "refusing to guess which one", dir_path, first_match,
		    other_match, want);
		goto fail;
	}
	free(other_match);
	*found = first_match;	/* NULL when nothing matched */
	return 0;

fail:
	free(first_match);
	free(other_match);
	return -1;
}

/* Descends from the directory parent_fd (shown as parent_path) into its
 * entry `name`, which must be a real directory and not a symbolic link.
 * Returns the new directory fd, or -1. */
static int
enter_directory(int parent_fd, const char *name, const char *path,
    struct hp_err *e)
{
	struct stat st;
	int fd;

	/* Look before opening: never open a FIFO or device by accident. */
	if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return hp_err_sys(e, errno, path);
	if (S_ISLNK(st.st_mode))
		return hp_err_set(e, HP_R_SYMLINK, "%s: is a symbolic link; "
		    "refusing to follow links inside the image", path);
	if (!S_ISDIR(st.st_mode))
		return hp_err_set(e, HP_R_NOT_FOUND, "%s: is %s, not a directory",
		    path, file_kind(st.st_mode));

	/* O_NOFOLLOW again, in case the entry changed since fstatat. */
	fd = openat(parent_fd, name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			return hp_err_set(e, HP_R_SYMLINK, "%s: is a symbolic "
			    "link; refusing to follow links inside the image",
			    path);
		return hp_err_sys(e, errno, path);
	}
	return fd;
}

/* The hive must be a regular file.  Decided from the entry itself, without
 * opening it; *st is what it is. */
static int
check_hive_entry(int dir_fd, const char *name, const char *path,
    const char *link_reason, struct stat *st, struct hp_err *e)
{
	if (fstatat(dir_fd, name, st, AT_SYMLINK_NOFOLLOW) == -1)
		return hp_err_sys(e, errno, path);
	if (S_ISLNK(st->st_mode))
		return hp_err_set(e, HP_R_SYMLINK, "%s: is a symbolic link; %s",
		    path, link_reason);
	if (!S_ISREG(st->st_mode))
		return hp_err_set(e, HP_R_NOT_REGULAR, "%s: is %s, not a hive file",
		    path, file_kind(st->st_mode));
	return 0;
}

int
target_log_foreign(const struct stat *log, const struct stat *hive,
    char *why, size_t len)
{
	if (!S_ISREG(log->st_mode))
		snprintf(why, len, "is not a regular file");
	else if (log->st_nlink > 1)
		snprintf(why, len, "has %ju hard links", (uintmax_t)log->st_nlink);
	else if (log->st_uid != hive->st_uid || log->st_gid != hive->st_gid)
		snprintf(why, len, "is owned by %ju:%ju, the hive by %ju:%ju",
		    (uintmax_t)log->st_uid, (uintmax_t)log->st_gid,
		    (uintmax_t)hive->st_uid, (uintmax_t)hive->st_gid);
	else
		return 0;
	return 1;
}

/* Is `name` the hive's name followed by .LOG, .LOG1 or .LOG2, in any
 * letter case? */
static int
is_log_name(const char *name, const char *hive_name)
{
	size_t hive_len = strlen(hive_name);
	size_t i;

	if (!text_ascii_caseprefix(name, hive_name, hive_len))
		return 0;
	for (i = 0; i < N_LOG_SUFFIXES; i++)
		if (text_ascii_caseeq(name + hive_len, log_suffixes[i]))
			return 1;
	return 0;
}

static int
compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends a path to a NULL-terminated list that grows as needed. */
static int
list_push(char ***list, size_t *n, size_t *cap, char *path, struct hp_err *e)
{
	char **bigger;

	if (path == NULL)
		return oom(e);
	if (*n + 1 >= *cap) {
		bigger = reallocarray(*list, *cap * 2, sizeof(**list));
		if (bigger == NULL) {
			free(path);
			return oom(e);
		}
		*list = bigger;
		*cap *= 2;
	}
	(*list)[(*n)++] = path;
	(*list)[*n] = NULL;
	return 0;
}

static void
list_free(char **list)
{
	size_t i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

/* The entries with a log's name, as they are sorted: the hive's logs,
 * and the files that are not (with why). */
struct log_lists {
	char **logs;
	size_t n_logs, cap;
	struct skipped {
		char *path;
		char *why;
	} *skipped;
	size_t n_skipped, cap_skipped;
};

static int
compare_skipped(const void *a, const void *b)
{
	return strcmp(((const struct skipped *)a)->path,
	    ((const struct skipped *)b)->path);
}

static int
skipped_push(struct log_lists *l, char *path, const char *why,
    struct hp_err *e)
{
	struct skipped *bigger;
	char *copy = strdup(why);

	if (path == NULL || copy == NULL)
		goto oom;
	if (l->n_skipped == l->cap_skipped) {
		bigger = reallocarray(l->skipped, l->cap_skipped * 2,
		    sizeof(*bigger));
		if (bigger == NULL)
			goto oom;
		l->skipped = bigger;
		l->cap_skipped *= 2;
	}
	l->skipped[l->n_skipped].path = path;
	l->skipped[l->n_skipped++].why = copy;
	return 0;
oom:
	free(path);
	free(copy);
	return oom(e);
}

static void
log_lists_free(struct log_lists *l)
{
	size_t i;

	list_free(l->logs);
	for (i = 0; i < l->n_skipped; i++) {
		free(l->skipped[i].path);
		free(l->skipped[i].why);
	}
	free(l->skipped);
}

/* Sorted by path, into t (which then owns them). */
static int
log_lists_give(struct log_lists *l, struct hp_target *t, struct hp_err *e)
{
	size_t i, n = l->n_skipped;

	t->skipped_logs = calloc(n + 1, sizeof(*t->skipped_logs));
	t->skipped_why = calloc(n + 1, sizeof(*t->skipped_why));
	if (t->skipped_logs == NULL || t->skipped_why == NULL) {
		free(t->skipped_logs);
		free(t->skipped_why);
		t->skipped_logs = t->skipped_why = NULL;
		log_lists_free(l);
		return oom(e);
	}
	qsort(l->skipped, n, sizeof(*l->skipped), compare_skipped);
	for (i = 0; i < n; i++) {
		t->skipped_logs[i] = l->skipped[i].path;
		t->skipped_why[i] = l->skipped[i].why;
	}
	t->n_skipped_logs = n;
	free(l->skipped);
	qsort(l->logs, l->n_logs, sizeof(*l->logs), compare_paths);
	t->logs = l->logs;
	t->n_logs = l->n_logs;
	return 0;
}

/* Sorts one entry with a log's name into the hive's logs or, when it is
 * not one of them (target_log_foreign), the skipped ones. */
static int
sort_log(int dir_fd, const char *dir_path, const char *name,
    const struct stat *hive, struct log_lists *l, struct hp_err *e)
{
	struct stat st;
	char why[128];

	if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;	/* gone since readdir */
		return hp_err_set(e, hp_errno_reason(errno), "%s/%s: %s",
		    dir_path, name, strerror(errno));
	}
	if (target_log_foreign(&st, hive, why, sizeof(why)))
		return skipped_push(l, path_join(dir_path, name), why, e);
	return list_push(&l->logs, &l->n_logs, &l->cap,
	    path_join(dir_path, name), e);
}

/* Lists the transaction logs of the hive `hive_name` in dir_fd, as full
 * paths, sorted and NULL-terminated, into t; entries with a log's name
 * that are not its logs (target_log_foreign) go to t->skipped_logs. */
static int
collect_logs(int dir_fd, const char *dir_path, const char *hive_name,
    const struct stat *hive, struct hp_target *t, struct hp_err *e)
{
	struct log_lists l = { .cap = 4, .cap_skipped = 2 };
	struct dirent *ent = NULL;
	size_t count = 0;
	DIR *stream;
	int rc;

	l.logs = calloc(l.cap, sizeof(*l.logs));
	l.skipped = calloc(l.cap_skipped, sizeof(*l.skipped));
	if (l.logs == NULL || l.skipped == NULL) {
		log_lists_free(&l);
		return oom(e);
	}
	if ((stream = open_dir_stream(dir_fd, dir_path, e)) == NULL) {
		log_lists_free(&l);
		return -1;
	}
	while ((rc = next_entry(stream, dir_path, &count, &ent, e)) == 1)
		if (strlen(ent->d_name) <= NAME_MAX &&
		    is_log_name(ent->d_name, hive_name) &&
		    sort_log(dir_fd, dir_path, ent->d_name, hive, &l, e) == -1) {
			rc = -1;
			break;
		}
	closedir(stream);
	if (rc == -1) {
		log_lists_free(&l);
		return -1;
	}
	return log_lists_give(&l, t, e);
}

/* The last component of a path built by path_join. */
static const char *
base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Descends from the directory *dir_fd (its path *dir_path) into its
 * entry `want`, found in any letter case; on success both name the
 * entry.  `root` and `hive_name` word the message when it is missing. */
static int
descend(int *dir_fd, char **dir_path, const char *want, const char *root,
	const char *shown, struct hp_err *e)
{
	char *name = NULL, *next_path;
	int next_fd;

	if (find_entry(*dir_fd, *dir_path, want, &name, e) == -1)
		return -1;
	if (name == NULL)
		return hp_err_set(e, HP_R_NOT_FOUND, "%s: no %s here (no '%s' in "
		    "%s)", root, shown, want, *dir_path);
	next_path = path_join(*dir_path, name);
	free(name);
	if (next_path == NULL)
		return oom(e);
	next_fd = enter_directory(*dir_fd, base_of(next_path), next_path, e);
	if (next_fd == -1) {
		free(next_path);
		return -1;
	}
	close(*dir_fd);
	*dir_fd = next_fd;
	free(*dir_path);
	*dir_path = next_path;
	return 0;
}

/* Keeps the directory of the tree just entered, as it is (what export
 * --output must not write into). */
static int
note_tree_dir(struct hp_target *t, int fd, const char *path, struct hp_err *e)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return hp_err_sys(e, errno, path);
	if (t->n_tree_dirs < sizeof(t->tree_dirs) / sizeof(t->tree_dirs[0])) {
		t->tree_dirs[t->n_tree_dirs].dev = st.st_dev;
		t->tree_dirs[t->n_tree_dirs++].ino = st.st_ino;
	}
	return 0;
}

/* The directories from a tree's root to the hive `hive_name`, and its
 * file name: Windows/System32/config/NAME, or the components of a path
 * from the root ("Users/Default/NTUSER.DAT").  shown gets the path for
 * messages.  The number of directories, or -1 for a bad name. */
static int
tree_path(const char *hive_name, char *copy, const char *dirs[8],
	  const char **file, char *shown, size_t len)
{
	char *part, *save = NULL;
	int n = 0;

	if (strchr(hive_name, '/') == NULL) {
		for (n = 0; n < (int)N_TREE_COMPONENTS; n++)
			dirs[n] = tree_components[n];
		*file = hive_name;
		snprintf(shown, len, "Windows/System32/config/%s", hive_name);
		return valid_entry_name(hive_name) ? n : -1;
	}
	snprintf(shown, len, "%s", hive_name);
	*file = NULL;
	for (part = strtok_r(copy, "/", &save); part != NULL;
	    part = strtok_r(NULL, "/", &save)) {
		if (!valid_entry_name(part) || n == 8)
			return -1;
		if (*file != NULL)
			dirs[n++] = *file;
		*file = part;
	}
	return *file != NULL ? n : -1;
}

/* TARGET is the root of a Windows tree: walk Windows/System32/config/HIVE
 * (or the path hive_name gives) by directory fd, one component at a
 * time, so that nothing below the root can redirect us. */
static int
resolve_tree(const char *target, const char *hive_name, struct hp_target *t,
    struct hp_err *e)
{
	char *root = NULL, *dir_path = NULL, *name = NULL, *copy;
	char shown[PATH_MAX];
	const char *dirs[8], *file;
	int dir_fd = -1, rc = -1, n_dirs;
	struct stat hive;
	int i;

	if (hive_name == NULL)
		return hp_err_set(e, HP_R_USAGE, "invalid hive name '(null)'");
	if ((copy = strdup(hive_name)) == NULL)
		return oom(e);
	n_dirs = tree_path(hive_name, copy, dirs, &file, shown, sizeof(shown));
	if (n_dirs == -1) {
		free(copy);
		return hp_err_set(e, HP_R_USAGE, "invalid hive name '%s'",
		    hive_name);
	}
	root = strip_trailing_slashes(target);
	dir_path = strdup(root == NULL ? "" : root);
	if (root == NULL || dir_path == NULL) {
		oom(e);
		goto out;
	}
	/* The root itself may be a symbolic link: the user chose it. */
	dir_fd = open(target, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
	if (dir_fd == -1) {
		hp_err_sys(e, errno, root);
		goto out;
	}
	if (note_tree_dir(t, dir_fd, root, e) == -1)
		goto out;
	for (i = 0; i < n_dirs; i++)
		if (descend(&dir_fd, &dir_path, dirs[i], root, shown, e) == -1 ||
		    note_tree_dir(t, dir_fd, dir_path, e) == -1)
			goto out;
	if (find_entry(dir_fd, dir_path, file, &name, e) == -1)
		goto out;
	if (name == NULL) {
		hp_err_set(e, HP_R_NOT_FOUND, "%s: no %s here (no '%s' in %s)",
		    root, shown, file, dir_path);
		goto out;
	}
	if ((t->hive_path = path_join(dir_path, name)) == NULL) {
		oom(e);
		goto out;
	}
	if (check_hive_entry(dir_fd, name, t->hive_path,
	    "refusing to follow links inside the image", &hive, e) == -1 ||
	    collect_logs(dir_fd, dir_path, name, &hive, t, e) == -1)
		goto out;
	t->is_tree = 1;
	t->dir = dir_path;
	t->dir_fd = dir_fd;
	t->name = name;
	dir_path = NULL;
	dir_fd = -1;
	name = NULL;
	rc = 0;
out:
	if (dir_fd != -1)
		close(dir_fd);
	free(copy);
	free(root);
	free(dir_path);
	free(name);
	return rc;
}

/* TARGET is a hive file.  Its own directory is the user's choice and may
 * be reached through links; the file itself must be a regular file. */
static int
resolve_file(const char *target, const struct stat *st, struct hp_target *t,
    struct hp_err *e)
{
	const char *slash, *base;
	char *dir_path = NULL;
	int dir_fd = -1, rc = -1;
	struct stat hive;

	if (S_ISLNK(st->st_mode))
		return hp_err_set(e, HP_R_SYMLINK,
		    "%s: is a symbolic link; give the file itself", target);
	if (!S_ISREG(st->st_mode))
		return hp_err_set(e, HP_R_NOT_REGULAR, "%s: is %s, not a hive file",
		    target, file_kind(st->st_mode));

	/* Split into directory and name; lstat succeeded, so no trailing
	 * slash can follow a non-directory. */
	slash = strrchr(target, '/');
	if (slash == NULL) {
		dir_path = strdup(".");
		base = target;
	} else {
		base = slash + 1;
		while (slash > target && slash[-1] == '/')
			slash--;
		if (slash == target)
			dir_path = strdup("/");
		else
			dir_path = strndup(target, (size_t)(slash - target));
	}
	if (dir_path == NULL)
		return oom(e);
	if (!valid_entry_name(base)) {
		hp_err_set(e, HP_R_USAGE, "%s: not a file name", target);
		goto out;
	}

	dir_fd = open(dir_path,
	    O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
	if (dir_fd == -1) {
		hp_err_sys(e, errno, dir_path);
		goto out;
	}
	t->hive_path = path_join(dir_path, base);
	if (t->hive_path == NULL) {
		oom(e);
		goto out;
	}
	/* Check again through the directory fd we list the logs from. */
	if (check_hive_entry(dir_fd, base, t->hive_path,
	    "give the file itself", &hive, e) == -1)
		goto out;
	if (collect_logs(dir_fd, dir_path, base, &hive, t, e) == -1)
		goto out;

	t->name = strdup(base);
	if (t->name == NULL) {
		oom(e);
		goto out;
	}
	t->is_tree = 0;
	t->dir = dir_path;
	t->dir_fd = dir_fd;
	dir_path = NULL;
	dir_fd = -1;
	rc = 0;
out:
	if (dir_fd != -1)
		close(dir_fd);
	free(dir_path);
	return rc;
}

int
target_resolve(const char *target, const char *hive_name, struct hp_target *t,
    struct hp_err *e)
{
	struct stat st, followed;
	int rc;

	if (t == NULL)
		return hp_err_set(e, HP_R_USAGE,
		    "target_resolve: no result struct");
	memset(t, 0, sizeof(*t));
	t->dir_fd = -1;
	if (target == NULL || target[0] == '\0')
		return hp_err_set(e, HP_R_USAGE, "empty TARGET");

	if (lstat(target, &st) == -1)
		return hp_err_sys(e, errno, target);

	t->given = strdup(target);
	if (t->given == NULL)
		return oom(e);

	/* A link to a directory is a tree root the user chose; a link to
	 * anything else is refused in resolve_file. */
	if (S_ISDIR(st.st_mode) || (S_ISLNK(st.st_mode) &&
	    stat(target, &followed) == 0 && S_ISDIR(followed.st_mode)))
		rc = resolve_tree(target, hive_name, t, e);
	else
		rc = resolve_file(target, &st, t, e);

	if (rc == -1)
		target_free(t);
	return rc;
}

void
target_free(struct hp_target *t)
{
	if (t == NULL)
		return;
	list_free(t->logs);
	list_free(t->skipped_logs);
	list_free(t->skipped_why);
	if (t->dir_fd != -1)
		close(t->dir_fd);
	free(t->given);
	free(t->dir);
	free(t->name);
	free(t->hive_path);
	memset(t, 0, sizeof(*t));
	t->dir_fd = -1;
}
