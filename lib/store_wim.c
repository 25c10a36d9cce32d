/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store over one image of a WIM (hp_store_ops, tree = 1).  wimlib
 * reads no file into memory and takes none from it, so a hive and its
 * logs are extracted into a private temporary directory, opened and
 * unlinked at once; a commit adds the new bytes from an NTFS volume
 * (wim_ntfs.c: the file keeps its security descriptor, attributes and
 * times), appends to the WIM in place (wimlib_overwrite), opens the
 * committed file afresh and checks what it reads back.  The image file
 * is locked by image.c for the whole run. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "error.h"
#include "store.h"
#include "wim.h"

struct wim_hive {
	char *path;		/* in the image, as it spells it */
	char *dir;		/* its directory's path */
};

struct wim_store {
	struct hp_image_file *img;
	int index;		/* the image, from 1 */
	char *user_hive;
	char *class_hive;	/* Users/USER/.../UsrClass.dat */
	struct hp_store_hive *hives;
	struct wim_hive *wh;
	size_t n;
};

static const struct hp_store_ops wim_ops;

static struct wim_file *
file_of(const struct wim_store *s)
{
	return s->img->priv;
}

/* ---- listing ---- */

static int
list_one(struct wim_store *s, size_t i, const char *rel,
	 enum hp_hive_kind kind, struct hp_err *e)
{
	struct hp_store_hive *h = &s->hives[i];
	struct wim_hive *w = &s->wh[i];
	const char *base = strrchr(rel, '/') + 1;
	struct wim_entry ent;
	char *where;
	int rc;

	h->kind = kind;
	h->store_data = w;
	if ((where = image_where(s->img->path, "image", (unsigned)s->index,
	    rel)) == NULL)
		return hp_err_nomem(e);
	rc = wim_resolve(file_of(s)->wim, s->index, rel, where, &ent,
	    &h->problem, s->img->path, e);
	if (rc == -1) {
		free(where);
		return -1;
	}
	if (rc == 1 && !wim_entry_is_file(&ent))
		hp_err_set(&h->problem, HP_R_NOT_REGULAR, "%s: is a directory, "
		    "not a hive file", where);
	if (rc == 0 || h->problem.reason != HP_R_NONE) {
		wim_entry_free(&ent);
		h->where = where;
		return (h->name = strdup(base)) == NULL ? hp_err_nomem(e) : 0;
	}
	free(where);
	w->path = ent.path;
	ent.path = NULL;
	h->name = ent.name;
	ent.name = NULL;
	wim_entry_free(&ent);
	w->dir = strndup(w->path, (size_t)(strrchr(w->path, '/') - w->path));
	h->where = image_where(s->img->path, "image", (unsigned)s->index,
	    w->path + 1);
	h->identity = image_where(s->img->real_path, "image",
	    (unsigned)s->index, w->path + 1);
	return w->dir && h->where && h->identity ? 0 : hp_err_nomem(e);
}

static int
wim_list(void *priv, struct hp_store_hive **hives, size_t *n,
	 struct hp_err *e)
{
	struct wim_store *s = priv;
	char rel[256];
	size_t i;

	*hives = NULL;
	*n = 0;
	s->hives = calloc(STORE_N_TREE_HIVES, sizeof(*s->hives));
	s->wh = calloc(STORE_N_TREE_HIVES, sizeof(*s->wh));
	if (s->hives == NULL || s->wh == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < STORE_N_TREE_HIVES; i++) {
		s->n = i + 1;
		if (store_tree_hives[i].kind == HP_HIVE_NTUSER)
			snprintf(rel, sizeof(rel), "%s", s->user_hive);
		else if (store_tree_hives[i].kind == HP_HIVE_USRCLASS)
			snprintf(rel, sizeof(rel), "%s", s->class_hive);
		else
			snprintf(rel, sizeof(rel), "%s/%s", STORE_CONFIG_DIR,
			    store_tree_hives[i].name);
		if (list_one(s, i, rel, store_tree_hives[i].kind, e) == -1)
			return -1;
	}
	*hives = s->hives;
	*n = s->n;
	return 0;
}

static int
refuse_write(const struct wim_store *s, struct hp_err *e)
{
	const struct wim_file *wf = file_of(s);

	if (wf->writable)
		return 0;
	return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s", wf->why_not);
}

/* The image file is locked by image.c: a hive needs no lock of its
 * own, but one that cannot be written is refused before anything. */
static int
wim_lock(void *priv, struct hp_store_hive *hive, struct hp_err *e)
{
	if (store_hive_usable(hive, e) == -1)
		return -1;
	return refuse_write(priv, e);
}

/* ---- the files of a hive ---- */

/* Is `name` the hive's name followed by .LOG, .LOG1 or .LOG2, in any
 * letter case? */
static int
is_log_name(const char *name, const char *hive)
{
	size_t n = strlen(hive);

	return strncasecmp(name, hive, n) == 0 &&
	    (strcasecmp(name + n, ".LOG") == 0 ||
	    strcasecmp(name + n, ".LOG1") == 0 ||
	    strcasecmp(name + n, ".LOG2") == 0);
}

/* The entries of a hive's directory, as the WIM holds them now. */
struct dir_now {
	struct wim_entry *list;
	size_t n;
};

static int
dir_now(const struct wim_store *s, const struct wim_hive *w,
	struct dir_now *d, struct hp_err *e)
{
	return wim_list_dir(file_of(s)->wim, s->index, w->dir, &d->list, &d->n,
	    s->img->path, e);
}

static void
dir_now_free(struct dir_now *d)
{
	while (d->n > 0)
		wim_entry_free(&d->list[--d->n]);
	free(d->list);
	d->list = NULL;
}

static struct wim_entry *
dir_find(const struct dir_now *d, const char *name, int any_case)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (any_case ? strcasecmp(d->list[i].name, name) == 0 :
		    strcmp(d->list[i].name, name) == 0)
			return &d->list[i];
	return NULL;
}

/* A private directory under P_tmpdir (the library reads no
 * environment), and its removal with what is left in it. */
static int
tmp_make(char *dir, size_t len, struct hp_err *e)
{
	snprintf(dir, len, "%s/hivepatch-wim-XXXXXX", P_tmpdir);
	if (mkdtemp(dir) == NULL)
		return hp_err_set(e, HP_R_IO, "%s: cannot make a temporary "
		    "directory: %s", dir, strerror(errno));
	return 0;
}

static void
tmp_remove(const char *dir)
{
	struct dirent *d;
	DIR *st;

	if ((st = opendir(dir)) != NULL) {
		while ((d = readdir(st)) != NULL)
			if (strcmp(d->d_name, ".") != 0 &&
			    strcmp(d->d_name, "..") != 0)
				(void)unlinkat(dirfd(st), d->d_name, 0);
		closedir(st);
	}
	(void)rmdir(dir);
}

/* Extracts the files `paths` of the image into `dir` and opens them
 * (fds[i], read-only), each unlinked at once. */
static int
extract(const struct wim_store *s, const char *const *paths, size_t n,
	const char *dir, int *fds, const char *where, struct hp_err *e)
{
	char file[4096];
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		fds[i] = -1;
	rc = wimfn.extract_paths(file_of(s)->wim, s->index, dir, paths, n,
	    WIMLIB_EXTRACT_FLAG_NO_PRESERVE_DIR_STRUCTURE |
	    WIMLIB_EXTRACT_FLAG_NO_ACLS | WIMLIB_EXTRACT_FLAG_NORPFIX);
	if (rc != 0)
		return wim_err(e, HP_R_IO, rc, where, "cannot read it from the "
		    "WIM");
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", dir,
		    strrchr(paths[i], '/') + 1);
		fds[i] = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fds[i] == -1)
			return hp_err_set(e, HP_R_IO, "%s: cannot open what was "
			    "read from the WIM: %s", where, strerror(errno));
		(void)unlink(file);
	}
	return 0;
}

/* Sorts the hive's directory into its logs and what has a log's name
 * but is no log (a directory, a link, a file with more names). */
static int
sort_logs(const struct wim_store *s, const struct hp_store_hive *hive,
	  const struct dir_now *d, struct hp_hive_files *out,
	  const char **paths, size_t *n_paths, struct hp_err *e)
{
	size_t i, k;
	char why[64];

	out->logs = calloc(d->n + 1, sizeof(*out->logs));
	out->skipped = calloc(d->n + 1, sizeof(*out->skipped));
	out->skipped_why = calloc(d->n + 1, sizeof(*out->skipped_why));
	if (out->logs == NULL || out->skipped == NULL ||
	    out->skipped_why == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < d->n; i++) {
		const struct wim_entry *l = &d->list[i];

		if (!is_log_name(l->name, hive->name))
			continue;
		if (!wim_entry_is_file(l) || l->links > 1) {
			k = out->n_skipped++;
			snprintf(why, sizeof(why), wim_entry_is_file(l) ?
			    "has %u hard links" : "is not a regular file",
			    l->links);
			out->skipped[k] = image_where(s->img->path, "image",
			    (unsigned)s->index, l->path + 1);
			out->skipped_why[k] = strdup(why);
			if (!out->skipped[k] || !out->skipped_why[k])
				return hp_err_nomem(e);
			continue;
		}
		/* Never extract more than any hive or log may be. */
		if (l->size > HP_HIVE_LIMIT_MAX)
			return hp_err_set(e, HP_R_OVER_LIMIT, "%s: its log %s "
			    "is %ju bytes, larger than any log can be",
			    hive->where, l->name, (uintmax_t)l->size);
		k = out->n_logs++;
		out->logs[k].fd = -1;
		out->logs[k].name = strdup(l->name);
		out->logs[k].where = image_where(s->img->path, "image",
		    (unsigned)s->index, l->path + 1);
		if (!out->logs[k].name || !out->logs[k].where)
			return hp_err_nomem(e);
		paths[(*n_paths)++] = l->path;
	}
	return 0;
}

static int
log_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hp_log_file *)a)->name,
	    ((const struct hp_log_file *)b)->name);
}

static int
read_files(const struct wim_store *s, struct hp_store_hive *hive,
	   struct hp_hive_files *out, struct hp_err *e)
{
	const struct wim_hive *w = hive->store_data;
	const struct wim_entry *h;
	const char **paths = NULL;
	struct dir_now d;
	char dir[64];
	size_t n = 1, i;
	int *fds = NULL, rc = -1;

	if (dir_now(s, w, &d, e) == -1)
		return -1;
	h = dir_find(&d, hive->name, 0);
	if (h == NULL || !wim_entry_is_file(h)) {
		hp_err_set(e, HP_R_NOT_FOUND, "%s: no longer in the image",
		    hive->where);
		goto out;
	}
	/* Never extract more than any hive may be (the run's own limit
	 * is checked on what is read). */
	if (h->size > HP_HIVE_LIMIT_MAX) {
		hp_err_set(e, HP_R_OVER_LIMIT, "%s: %ju bytes, larger than any "
		    "hive can be", hive->where, (uintmax_t)h->size);
		goto out;
	}
	paths = calloc(d.n + 1, sizeof(*paths));
	fds = calloc(d.n + 1, sizeof(*fds));
	if (paths == NULL || fds == NULL) {
		hp_err_nomem(e);
		goto out;
	}
	paths[0] = h->path;
	if (sort_logs(s, hive, &d, out, paths, &n, e) == -1 ||
	    tmp_make(dir, sizeof(dir), e) == -1)
		goto out;
	rc = extract(s, paths, n, dir, fds, hive->where, e);
	tmp_remove(dir);
	out->fd = fds[0];
	out->size = h->size;
	for (i = 1; i < n; i++)
		out->logs[i - 1].fd = fds[i];
	if (rc == 0)
		qsort(out->logs, out->n_logs, sizeof(*out->logs), log_cmp);
out:
	free(paths);
	free(fds);
	dir_now_free(&d);
	return rc;
}

static int
wim_read(void *priv, struct hp_store_hive *hive, struct hp_hive_files *out,
	 struct hp_err *e)
{
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (store_hive_usable(hive, e) == -1)
		return -1;
	if (read_files(priv, hive, out, e) == -1) {
		hp_hive_files_free(out);
		return -1;
	}
	return 0;
}

/* ---- committing ---- */

/* wimlib_overwrite appends to the file in place (image.c holds an OFD
 * lock on a WIM, which the flock wimlib takes for the write does not
 * meet).  The file is synced here rather than by wimlib
 * (WIMLIB_WRITE_FLAG_FSYNC): when its sync fails, wimlib cuts the file
 * back to its old end after it wrote the header that points past it,
 * and the WIM is lost; a sync that fails here leaves a header and data
 * that agree, and the caller reads back which hive is in place. */
static int
overwrite(const struct wim_store *s, struct hp_err *e)
{
	struct wim_file *wf = file_of(s);
	int flags = 0, rc;

	if (wf->info.has_integrity_table)
		flags |= WIMLIB_WRITE_FLAG_CHECK_INTEGRITY;
	rc = wimfn.overwrite(wf->wim, flags, 0);
	if (rc != 0)
		return wim_err(e, HP_R_IO, rc, s->img->path, "cannot write the "
		    "WIM");
	if (fsync(s->img->fd) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot sync the WIM: %s",
		    s->img->path, strerror(errno));
	return 0;
}

/* Did a failed commit leave the new file `path` in place?  Read from
 * the file as it is now: its hash is no longer `old`. */
static int
changed_since(const struct wim_store *s, const char *path,
	      const uint8_t *old)
{
	struct wim_entry now;
	struct hp_err ignored;
	int changed;

	if (wim_stat(file_of(s)->wim, s->index, path, &now, s->img->path,
	    &ignored) == -1)
		return old != NULL;
	changed = old == NULL || memcmp(now.sha1, old, sizeof(now.sha1)) != 0;
	wim_entry_free(&now);
	return changed;
}

/* Reads the committed file `path` back from the WIM as it now is, and
 * hands it to check. */
static int
check_back(const struct wim_store *s, const char *path, hp_check_fn check,
	   void *arg, const char *where, struct hp_err *e)
{
	const char *paths[1] = { path };
	char dir[64];
	int fd, rc;

	if (check == NULL)
		return 0;
	if (tmp_make(dir, sizeof(dir), e) == -1)
		return -1;
	rc = extract(s, paths, 1, dir, &fd, where, e);
	tmp_remove(dir);
	if (rc == 0)
		rc = check(arg, fd, e);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Puts the bytes of src_fd (-1: none) into the image as the file
 * `name` of the directory `dir`, with the metadata of `like`, and
 * overwrites the WIM; then opens the file afresh.  *replaced: the new
 * file is in the WIM (also when a step after that point failed). */
static int
put_file(const struct wim_store *s, const char *dir, const char *name,
	 int src_fd, const struct wim_entry *like, const uint8_t *old,
	 int *replaced, const char *where, struct hp_err *e)
{
	struct wimlib_update_command cmd;
	char volume[32], *path;
	int rc, vol_fd;

	*replaced = 0;
	if (asprintf(&path, "%s/%s", dir, name) == -1)
		return hp_err_nomem(e);
	rc = wim_ntfs_stage(name, src_fd, like, &vol_fd, volume,
	    sizeof(volume), where, e);
	if (rc == 0) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.op = WIMLIB_UPDATE_OP_ADD;
		cmd.add.fs_source_path = volume;
		cmd.add.wim_target_path = (char *)dir;
		/* A file that had no security descriptor gets none. */
		cmd.add.add_flags = WIMLIB_ADD_FLAG_NTFS |
		    (like->sd == NULL ? WIMLIB_ADD_FLAG_NO_ACLS : 0);
		rc = wimfn.update_image(file_of(s)->wim, s->index, &cmd, 1, 0);
		if (rc != 0)
			rc = wim_err(e, HP_R_IO, rc, where, "cannot put the new "
			    "file in the image");
	}
	/* wimlib holds the volume open from here on. */
	if (vol_fd >= 0)
		close(vol_fd);
	if (rc == 0)
		rc = overwrite(s, e);
	/* Whatever happened, read the file as it is now. */
	if (wim_reopen(s->img, rc == 0 ? e : &(struct hp_err){ 0 }) == -1) {
		free(path);
		return -1;
	}
	*replaced = rc == 0 || changed_since(s, path, old);
	free(path);
	return rc;
}

/* The entry `name` of the directory: a regular file with one name,
 * which a commit may replace (and whose metadata a log made anew
 * takes, when it is the hive). */
static int
entry_of(const struct dir_now *d, const char *name,
	 const struct wim_entry **out, const char *where, struct hp_err *e)
{
	if ((*out = dir_find(d, name, 0)) == NULL)
		return hp_err_set(e, HP_R_NOT_FOUND, "%s: no longer in the "
		    "image", where);
	if (!wim_entry_is_file(*out) || (*out)->links > 1)
		return hp_err_set(e, HP_R_NOT_REGULAR, "%s: not a regular file "
		    "with one name: hivepatch does not write it", where);
	return 0;
}

static int
wim_commit(void *priv, struct hp_store_hive *hive, int image_fd,
	   hp_check_fn check, void *arg, int *replaced, struct hp_err *e)
{
	struct wim_store *s = priv;
	struct wim_hive *w = hive->store_data;
	const struct wim_entry *old;
	struct dir_now d;
	int rc;

	*replaced = 0;
	if (store_hive_usable(hive, e) == -1 || refuse_write(s, e) == -1 ||
	    dir_now(s, w, &d, e) == -1)
		return -1;
	rc = entry_of(&d, hive->name, &old, hive->where, e);
	if (rc == 0)
		rc = put_file(s, w->dir, hive->name, image_fd, old, old->sha1,
		    replaced, hive->where, e);
	dir_now_free(&d);
	if (rc == 0)
		rc = check_back(s, w->path, check, arg, hive->where, e);
	return rc;
}

static int
wim_write_log(void *priv, struct hp_store_hive *hive, const char *name,
	      int src_fd, hp_check_fn check, void *arg, struct hp_err *e)
{
	struct wim_store *s = priv;
	struct wim_hive *w = hive->store_data;
	const struct wim_entry *like, *log;
	char *where = NULL, *path = NULL;
	struct dir_now d;
	int rc, replaced;

	if (store_hive_usable(hive, e) == -1 || refuse_write(s, e) == -1)
		return -1;
	if (!is_log_name(name, hive->name) || strchr(name, '/') != NULL)
		return hp_err_set(e, HP_R_USAGE, "%s: '%s' is not a log of this "
		    "hive", hive->where, name);
	if (dir_now(s, w, &d, e) == -1)
		return -1;
	if (asprintf(&path, "%s/%s", w->dir, name) == -1)
		path = NULL;
	if (path == NULL || (where = image_where(s->img->path, "image",
	    (unsigned)s->index, path + 1)) == NULL) {
		rc = hp_err_nomem(e);
		goto out;
	}
	log = dir_find(&d, name, 0);
	if (log != NULL)
		rc = entry_of(&d, name, &like, where, e);
	else if (src_fd == -1)
		rc = hp_err_set(e, HP_R_NOT_FOUND, "%s: not in the image", where);
	else
		rc = entry_of(&d, hive->name, &like, hive->where, e);
	/* An empty log stays as it is: nothing to write. */
	if (rc == 0 && src_fd == -1 && log->size == 0)
		goto out;
	if (rc == 0)
		rc = put_file(s, w->dir, name, src_fd, like, log ? log->sha1 :
		    NULL, &replaced, where, e);
	if (rc == 0)
		rc = check_back(s, path, check, arg, where, e);
out:
	dir_now_free(&d);
	free(where);
	free(path);
	return rc;
}

static int
wim_remove_log(void *priv, struct hp_store_hive *hive, const char *name,
	       struct hp_err *e)
{
	struct wim_store *s = priv;
	struct wim_hive *w = hive->store_data;
	struct wimlib_update_command cmd;
	const struct wim_entry *log;
	struct dir_now d;
	char *path = NULL;
	int rc;

	if (store_hive_usable(hive, e) == -1 || refuse_write(s, e) == -1)
		return -1;
	if (!is_log_name(name, hive->name) || strchr(name, '/') != NULL)
		return hp_err_set(e, HP_R_USAGE, "%s: '%s' is not a log of this "
		    "hive", hive->where, name);
	if (dir_now(s, w, &d, e) == -1)
		return -1;
	rc = entry_of(&d, name, &log, hive->where, e);
	if (rc == 0 && (path = strdup(log->path)) == NULL)
		rc = hp_err_nomem(e);
	dir_now_free(&d);
	if (rc == -1)
		return -1;
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = WIMLIB_UPDATE_OP_DELETE;
	cmd.delete_.wim_path = path;
	rc = wimfn.update_image(file_of(s)->wim, s->index, &cmd, 1, 0);
	if (rc != 0)
		rc = wim_err(e, HP_R_IO, rc, hive->where, "cannot remove %s",
		    name);
	else
		rc = overwrite(s, e);
	free(path);
	if (wim_reopen(s->img, rc == 0 ? e : &(struct hp_err){ 0 }) == -1)
		return -1;
	return rc;
}

static void
wim_store_close(void *priv)
{
	struct wim_store *s = priv;
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->hives[i].name);
		free(s->hives[i].where);
		free(s->hives[i].identity);
		free(s->hives[i].commit_note);
		free(s->wh[i].path);
		free(s->wh[i].dir);
	}
	free(s->hives);
	free(s->wh);
	free(s->user_hive);
	free(s->class_hive);
	free(s);
}

static const struct hp_store_ops wim_ops = {
	.name = "wim", .tree = 1,
	.list = wim_list, .lock = wim_lock, .read = wim_read,
	.commit = wim_commit, .write_log = wim_write_log,
	.remove_log = wim_remove_log, .close = wim_store_close,
};

int
wim_store_open(struct hp_image_file *img, size_t i, const char *user,
	       const struct hp_store_ops **ops, void **priv, struct hp_err *e)
{
	struct wim_store *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hp_err_nomem(e);
	if (store_user_hive(user, &s->user_hive, e) == -1 ||
	    store_user_class_hive(user, &s->class_hive, e) == -1) {
		free(s->user_hive);
		free(s);
		return -1;
	}
	s->img = img;
	s->index = (int)img->parts[i].number;
	*ops = &wim_ops;
	*priv = s;
	return 0;
}
