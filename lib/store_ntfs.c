/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The NTFS store (store_ntfs.h): a Windows tree on a volume libntfs-3g
 * reaches through ntfs_vol.h.  The volume is mounted read-only until the
 * first write needs it otherwise (verify, inspect and a run with nothing
 * to change never mount it for writing); it is then mounted again for
 * writing, after libntfs-3g's own checks and ours (ntvol_refusal) pass.
 * Hives are written in place, on their unnamed $DATA, in the clusters
 * they own: the commit through the hive's log (commit_logged.h) is how
 * this store commits; a whole replacement is refused, since libntfs-3g
 * has no atomic rename to make one safe. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ntfs-3g/device.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/security.h>
#include <ntfs-3g/unistr.h>

#include "ntfs_vol.h"
#include "store.h"
#include "store_ntfs.h"
#include "store_ntfs_int.h"

char *
nt_cat3(const char *a, const char *b, const char *c)
{
	char *s;

	return asprintf(&s, "%s%s%s%s%s", a, b[0] ? "/" : "", b, c[0] ? "/" :
	    "", c) == -1 ? NULL : s;
}

/* ---- listing ---- */

static int
list_one(struct nt_store *s, size_t i, struct hp_err *e)
{
	const struct store_tree_hive *t = &store_tree_hives[i];
	struct hp_store_hive *h = &s->hives[i];
	struct nt_hive *nh = &s->nh[i];
	const char *user = t->kind == HP_HIVE_NTUSER ? s->user_hive :
	    t->kind == HP_HIVE_USRCLASS ? s->class_hive : NULL;
	char *want, *found = NULL, *slash;

	h->store_data = nh;
	h->kind = t->kind;
	if (asprintf(&want, "%s%s", user != NULL ? "" : STORE_CONFIG_DIR "/",
	    user != NULL ? user : t->name) == -1)
		return hp_err_nomem(e);
	if (ntvol_walk(&s->v, want, s->where, &nh->dir_ref, &nh->ref, &found,
	    &h->problem) == -1) {
		free(found);
		found = want;
		if (h->problem.reason == HP_R_NO_MEMORY)
			return hp_err_nomem(e);
	} else
		free(want);
	nh->path = found;
	slash = strrchr(found, '/');
	h->name = strdup(slash ? slash + 1 : found);
	nh->dir = strndup(found, slash ? (size_t)(slash - found) : 0);
	h->where = nt_cat3(s->where, found, "");
	h->identity = nt_cat3(s->identity, found, "");
	if (h->name == NULL || nh->dir == NULL || h->where == NULL ||
	    h->identity == NULL)
		return hp_err_nomem(e);
	return 0;
}

static int
nt_list(void *priv, struct hp_store_hive **hives, size_t *n, struct hp_err *e)
{
	struct nt_store *s = priv;
	size_t i;

	*hives = NULL;
	*n = 0;
	s->hives = calloc(STORE_N_TREE_HIVES, sizeof(*s->hives));
	s->nh = calloc(STORE_N_TREE_HIVES, sizeof(*s->nh));
	if (s->hives == NULL || s->nh == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < STORE_N_TREE_HIVES; i++) {
		s->n = i + 1;
		if (list_one(s, i, e) == -1)
			return -1;
	}
	*hives = s->hives;
	*n = s->n;
	return 0;
}

/* ---- writing needs the volume mounted for writing ---- */

static int
refuse(const struct nt_store *s, struct hp_err *e)
{
	return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s", s->why_not);
}

/* The store can no longer be written, for the reason in msg: every
 * later write is refused with it, and the volume is mounted read-only
 * again so that reading goes on. */
static void
now_unwritable(struct nt_store *s, const char *msg)
{
	struct hp_err ignored;
	char *why = strdup(msg);

	if (why != NULL) {
		free(s->why_not);
		s->why_not = why;
	}
	s->writable = 0;
	(void)ntvol_umount(&s->v, &ignored);
	(void)ntvol_mount(&s->v, s->v.bd, 0, &ignored);
}

/* Mounts the volume for writing, once: libntfs-3g checks hiberfil.sys
 * and $LogFile on the way, and ntvol_refusal once more (the dirty flag,
 * "wake") before anything is written.  No file of the store is open
 * yet: only a mounted volume for writing opens them. */
int
nt_need_rw(struct nt_store *s, struct hp_err *e)
{
	struct blockdev *bd = s->v.bd;
	char *why = NULL;

	if (s->v.rw && s->v.vol != NULL)
		return 0;
	if (!s->writable)
		return refuse(s, e);
	if (ntvol_umount(&s->v, e) == -1)
		return -1;
	if (ntvol_mount(&s->v, bd, 1, e) == -1) {
		now_unwritable(s, e->msg);
		return -1;
	}
	if (ntvol_refusal(&s->v, s->where, &why, e) == -1)
		return -1;
	if (why != NULL) {
		now_unwritable(s, why);
		free(why);
		return refuse(s, e);
	}
	return 0;
}

static int
nt_lock(void *priv, struct hp_store_hive *hive, struct hp_err *e)
{
	struct nt_store *s = priv;
	struct nt_hive *nh = nt_of(hive);
	ntfs_inode *ni;
	int packed;

	if (store_hive_usable(hive, e) == -1 || nt_need_rw(s, e) == -1)
		return -1;
	if ((ni = ntfs_inode_open(s->v.vol, MREF(nh->ref))) == NULL)
		return ntvol_fail(&s->v, errno, e, "%s: cannot open", hive->where);
	packed = (ni->flags & (FILE_ATTR_COMPRESSED | FILE_ATTR_SPARSE_FILE)) !=
	    0;
	ntfs_inode_close(ni);
	/* Writing such a file in place allocates clusters as it goes. */
	if (packed)
		return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s: stored "
		    "compressed or sparse: writing it in place would allocate "
		    "clusters; hivepatch does not write it", hive->where);
	/* The image's flock (image.c) keeps other runs out. */
	nh->locked = 1;
	return 0;
}

/* ---- reading ---- */

static int
cmp_logs(const void *a, const void *b)
{
	return strcmp(((const struct hp_log_file *)a)->name,
	    ((const struct hp_log_file *)b)->name);
}

static int
push_str(char **v, size_t i, const char *s, struct hp_err *e)
{
	return (v[i] = strdup(s)) == NULL ? hp_err_nomem(e) : 0;
}

/* One entry with a log's name: read into out->logs, or skipped (not a
 * plain file with one name). */
static int
read_log(struct nt_store *s, struct hp_store_hive *hive,
	 const struct ntvol_dirent *d, struct hp_hive_files *out,
	 struct hp_err *e)
{
	struct nt_file *f = nt_rw_find(nt_of(hive), d->name);
	struct hp_log_file *l = &out->logs[out->n_logs];
	char *where = nt_file_where(s, hive, d->name), why[128];
	ntfs_inode *ni;
	enum hp_reason r;
	uint64_t size;
	int rc = -1;

	if (where == NULL)
		return hp_err_nomem(e);
	if ((ni = ntfs_inode_open(s->v.vol, MREF(d->mref))) == NULL) {
		ntvol_fail(&s->v, errno, e, "%s: cannot open", where);
		goto out;
	}
	r = ntvol_not_plain(ni, 1, why, sizeof(why));
	ntfs_inode_close(ni);
	if (r != HP_R_NONE) {
		rc = push_str(out->skipped, out->n_skipped, where, e) == -1 ||
		    push_str(out->skipped_why, out->n_skipped, why, e) == -1 ?
		    -1 : 0;
		out->n_skipped++;
		goto out;
	}
	if (ntvol_copy_out(&s->v, d->mref, f ? f->na : NULL, where,
	    HP_HIVE_LIMIT_MAX, &l->fd, &size, e) == -1)
		goto out;
	out->n_logs++;
	l->where = where;
	where = NULL;
	rc = (l->name = strdup(d->name)) == NULL ? hp_err_nomem(e) : 0;
out:
	free(where);
	return rc;
}

int
nt_hive_dir(struct nt_store *s, struct hp_store_hive *hive,
	    struct ntvol_dirent **d, size_t *n, char **shown, struct hp_err *e)
{
	struct nt_hive *nh = nt_of(hive);
	ntfs_inode *dir;
	int rc;

	if ((*shown = nt_cat3(s->where, nh->dir, "")) == NULL)
		return hp_err_nomem(e);
	if ((dir = ntfs_inode_open(s->v.vol, MREF(nh->dir_ref))) == NULL)
		rc = ntvol_fail(&s->v, errno, e, "%s: cannot open", *shown);
	else {
		rc = ntvol_readdir(&s->v, dir, *shown, d, n, e);
		ntfs_inode_close(dir);
	}
	if (rc == -1) {
		free(*shown);
		*shown = NULL;
	}
	return rc;
}

/* The logs beside the hive, as the directory holds them now. */
static int
read_logs(struct nt_store *s, struct hp_store_hive *hive,
	  struct hp_hive_files *out, struct hp_err *e)
{
	struct ntvol_dirent *d;
	char *shown;
	size_t n, i;
	int rc;

	if (nt_hive_dir(s, hive, &d, &n, &shown, e) == -1)
		return -1;
	free(shown);
	rc = 0;
	out->logs = calloc(n + 1, sizeof(*out->logs));
	out->skipped = calloc(n + 1, sizeof(*out->skipped));
	out->skipped_why = calloc(n + 1, sizeof(*out->skipped_why));
	if (out->logs == NULL || out->skipped == NULL ||
	    out->skipped_why == NULL)
		rc = hp_err_nomem(e);
	for (i = 0; rc == 0 && i < n; i++)
		if (nt_log_name_ok(hive, d[i].name))
			rc = read_log(s, hive, &d[i], out, e);
	ntvol_dirents_free(d, n);
	if (rc == 0)
		qsort(out->logs, out->n_logs, sizeof(*out->logs), cmp_logs);
	return rc;
}

static int
nt_read(void *priv, struct hp_store_hive *hive, struct hp_hive_files *out,
	struct hp_err *e)
{
	struct nt_store *s = priv;
	struct nt_hive *nh = nt_of(hive);
	struct nt_file *f = nt_rw_find(nh, NULL);

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (store_hive_usable(hive, e) == -1)
		return -1;
	if (ntvol_copy_out(&s->v, nh->ref, f ? f->na : NULL, hive->where,
	    HP_HIVE_LIMIT_MAX, &out->fd, &out->size, e) == -1 ||
	    read_logs(s, hive, out, e) == -1) {
		hp_hive_files_free(out);
		return -1;
	}
	return 0;
}

static int
nt_commit(void *priv, struct hp_store_hive *hive, int image_fd,
	  hp_check_fn check, void *arg, int *replaced, struct hp_err *e)
{
	(void)priv;
	(void)image_fd;
	(void)check;
	(void)arg;
	*replaced = 0;
	if (store_hive_usable(hive, e) == -1)
		return -1;
	return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s: an NTFS image is "
	    "written in place, through the hive's own log; hivepatch does not "
	    "replace a whole hive there (libntfs-3g has no atomic rename), so "
	    "--commit replace and --discard-logs are refused on it", hive->where);
}

static void
nt_close(void *priv)
{
	struct nt_store *s = priv;
	struct hp_err ignored;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		for (j = 0; j < s->nh[i].n_rw; j++)
			(void)nt_rw_close(&s->nh[i].rw[j]);
		free(s->nh[i].path);
		free(s->nh[i].dir);
		free(s->hives[i].name);
		free(s->hives[i].where);
		free(s->hives[i].identity);
		free(s->hives[i].commit_note);
	}
	(void)ntvol_umount(&s->v, &ignored);
	free(s->hives);
	free(s->nh);
	free(s->where);
	free(s->identity);
	free(s->user_hive);
	free(s->class_hive);
	free(s->why_not);
	free(s);
}

static const struct hp_store_ops ntfs_ops = {
	.name = "ntfs", .tree = 1,
	.list = nt_list, .lock = nt_lock, .read = nt_read,
	.commit = nt_commit, .write_log = nt_write_log,
	.write_at = nt_write_at, .set_size = nt_set_size, .sync = nt_sync,
	.remove_log = nt_remove_log, .close = nt_close,
};

int
store_ntfs_open(struct blockdev *bd, const char *where, const char *identity,
		const char *user, int writable, const char *why_not,
		const struct hp_store_ops **ops, void **priv, struct hp_err *e)
{
	struct nt_store *s;

	*ops = NULL;
	*priv = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return hp_err_nomem(e);
	s->writable = writable;
	if (store_user_hive(user, &s->user_hive, e) == -1 ||
	    store_user_class_hive(user, &s->class_hive, e) == -1)
		goto fail;
	s->where = strdup(where);
	s->identity = strdup(identity);
	if (why_not != NULL)
		s->why_not = strdup(why_not);
	else if (asprintf(&s->why_not, "%s: opened read-only: hivepatch does "
	    "not write it", where) == -1)
		s->why_not = NULL;
	if (s->where == NULL || s->identity == NULL || s->why_not == NULL) {
		hp_err_nomem(e);
		goto fail;
	}
	if (ntvol_mount(&s->v, bd, 0, e) == -1)
		goto fail;
	*ops = &ntfs_ops;
	*priv = s;
	return 0;
fail:
	nt_close(s);
	return -1;
}
