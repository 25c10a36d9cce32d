/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The NTFS store's writes (store_ntfs_int.h): in place, on the unnamed
 * $DATA of the hive and its logs, through libntfs-3g; a log that is
 * absent is created with the hive's security descriptor and
 * attributes. */
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

#include "store.h"
#include "store_ntfs_int.h"

/* ---- files open for writing ---- */

struct nt_file *
nt_rw_find(struct nt_hive *nh, const char *name)
{
	size_t i;

	for (i = 0; i < nh->n_rw; i++)
		if ((name == NULL && nh->rw[i].name == NULL) ||
		    (name != NULL && nh->rw[i].name != NULL &&
		    strcasecmp(nh->rw[i].name, name) == 0))
			return &nh->rw[i];
	return NULL;
}

/* Closes f; its inode is written if libntfs-3g still held changes. */
int
nt_rw_close(struct nt_file *f)
{
	int rc = 0;

	if (f->na != NULL)
		ntfs_attr_close(f->na);
	if (f->ni != NULL && ntfs_inode_close(f->ni) == -1)
		rc = -1;
	free(f->name);
	memset(f, 0, sizeof(*f));
	return rc;
}

static void
rw_drop(struct nt_hive *nh, const char *name)
{
	struct nt_file *f = nt_rw_find(nh, name);

	if (f == NULL)
		return;
	(void)nt_rw_close(f);
	*f = nh->rw[--nh->n_rw];
}

/* A log of this hive: its name followed by .LOG, .LOG1 or .LOG2, in
 * any letter case. */
int
nt_log_name_ok(const struct hp_store_hive *hive, const char *name)
{
	size_t n = strlen(hive->name);
	const char *sfx = name + n;

	return strncasecmp(name, hive->name, n) == 0 && strchr(name, '/') ==
	    NULL && (strcasecmp(sfx, ".LOG") == 0 || strcasecmp(sfx, ".LOG1") ==
	    0 || strcasecmp(sfx, ".LOG2") == 0);
}

/* The entry `name` of the hive's directory: its reference, *found 0
 * when absent. */
static int
find_log(struct nt_store *s, struct hp_store_hive *hive, const char *name,
	 MFT_REF *ref, int *found, struct hp_err *e)
{
	struct ntvol_dirent *d;
	char *shown;
	size_t n, i;
	int rc;

	*found = 0;
	if (nt_hive_dir(s, hive, &d, &n, &shown, e) == -1)
		return -1;
	if ((rc = ntvol_match(&s->v, d, n, name, shown, &i, e)) == 0 &&
	    i < n) {
		*ref = d[i].mref;
		*found = 1;
	}
	if (rc == 0)
		ntvol_dirents_free(d, n);
	free(shown);
	return rc;
}

/* Creates the log `name` beside the hive, with the hive's security
 * descriptor (its security id) and attributes. */
static int
create_log(struct nt_store *s, struct hp_store_hive *hive, const char *name,
	   struct nt_file *f, const char *where, struct hp_err *e)
{
	struct nt_hive *nh = nt_of(hive);
	ntfs_inode *hive_ni, *dir;
	ntfschar *uname = NULL;
	le32 attrib;
	int ulen;

	if ((ulen = ntfs_mbstoucs(name, &uname)) < 0)
		return ntvol_fail(&s->v, errno, e, "%s: not a name", where);
	if ((hive_ni = ntfs_inode_open(s->v.vol, MREF(nh->ref))) == NULL ||
	    (dir = ntfs_inode_open(s->v.vol, MREF(nh->dir_ref))) == NULL) {
		if (hive_ni != NULL)
			ntfs_inode_close(hive_ni);
		free(uname);
		return ntvol_fail(&s->v, errno, e, "%s: cannot open its "
		    "directory", where);
	}
	attrib = hive_ni->flags & (FILE_ATTR_READONLY | FILE_ATTR_HIDDEN |
	    FILE_ATTR_SYSTEM | FILE_ATTR_ARCHIVE |
	    FILE_ATTR_NOT_CONTENT_INDEXED);
	f->ni = ntfs_create(dir, hive_ni->security_id, uname, (u8)ulen,
	    S_IFREG);
	ntfs_inode_close(hive_ni);
	free(uname);
	if (f->ni == NULL) {
		ntfs_inode_close(dir);
		return ntvol_fail(&s->v, errno, e, "%s: cannot create", where);
	}
	f->created = 1;
	if (ntfs_inode_close(dir) == -1 || ntfs_set_ntfs_attrib(f->ni,
	    (const char *)&attrib, sizeof(attrib), 0) == -1)
		return ntvol_fail(&s->v, errno, e, "%s: cannot give it the "
		    "hive's attributes", where);
	return 0;
}

/* Opens the log `name` for writing, creating it when absent.  A file
 * with the log's name that is no plain file with one name is not the
 * hive's to write. */
static int
open_log(struct nt_store *s, struct hp_store_hive *hive, const char *name,
	 struct nt_file *f, const char *where, struct hp_err *e)
{
	enum hp_reason r;
	char why[128];
	MFT_REF ref;
	int found;

	if (find_log(s, hive, name, &ref, &found, e) == -1)
		return -1;
	if (!found)
		return create_log(s, hive, name, f, where, e);
	if ((f->ni = ntfs_inode_open(s->v.vol, MREF(ref))) == NULL)
		return ntvol_fail(&s->v, errno, e, "%s: cannot open", where);
	if ((r = ntvol_not_plain(f->ni, 1, why, sizeof(why))) != HP_R_NONE)
		return hp_err_set(e, HP_R_FOREIGN_LOG, "%s: has a log's name but "
		    "%s: not a log of this hive, not written", where, why);
	return 0;
}

char *
nt_file_where(const struct nt_store *s, struct hp_store_hive *hive,
	   const char *name)
{
	const struct nt_hive *nh = nt_of(hive);

	return name == NULL ? strdup(hive->where) : nt_cat3(s->where, nh->dir,
	    name);
}

/* The hive's file `name` (NULL: the hive) opened for writing, once. */
static struct nt_file *
rw_file(struct nt_store *s, struct hp_store_hive *hive, const char *name,
	struct hp_err *e)
{
	struct nt_hive *nh = nt_of(hive);
	struct nt_file *f = nt_rw_find(nh, name);
	char *where;
	int rc;

	if (f != NULL)
		return f;
	if (!nh->locked) {
		hp_err_set(e, HP_R_USAGE, "%s: written before it was locked",
		    hive->where);
		return NULL;
	}
	if (name != NULL && !nt_log_name_ok(hive, name)) {
		hp_err_set(e, HP_R_USAGE, "%s: '%s' is not a log of this hive",
		    hive->where, name);
		return NULL;
	}
	if (nh->n_rw == NT_MAX_RW || (where = nt_file_where(s, hive, name)) ==
	    NULL) {
		hp_err_set(e, HP_R_NO_MEMORY, "%s: too many files open",
		    hive->where);
		return NULL;
	}
	f = &nh->rw[nh->n_rw];
	memset(f, 0, sizeof(*f));
	if (name != NULL && (f->name = strdup(name)) == NULL)
		rc = hp_err_nomem(e);
	else if (name != NULL)
		rc = open_log(s, hive, name, f, where, e);
	else if ((f->ni = ntfs_inode_open(s->v.vol, MREF(nh->ref))) == NULL)
		rc = ntvol_fail(&s->v, errno, e, "%s: cannot open", where);
	else
		rc = 0;
	if (rc == 0 && (f->na = ntfs_attr_open(f->ni, AT_DATA, AT_UNNAMED,
	    0)) == NULL)
		rc = ntvol_fail(&s->v, errno, e, "%s: cannot open its data",
		    where);
	free(where);
	if (rc == -1) {
		(void)nt_rw_close(f);
		return NULL;
	}
	nh->n_rw++;
	return f;
}

/* ---- writing in place ---- */

/* ntvol_fail for the hive's file `name` (NULL: the hive): "WHERE: what
 * (the device's error, or strerror)". */
static int
fail_at(struct nt_store *s, struct hp_store_hive *hive, const char *name,
	int err, const char *what, struct hp_err *e)
{
	char *where = nt_file_where(s, hive, name);

	ntvol_fail(&s->v, err, e, "%s: %s", where ? where : hive->where, what);
	free(where);
	return -1;
}

int
nt_write_at(void *priv, struct hp_store_hive *hive, const char *name,
	    uint64_t off, const void *buf, size_t len, struct hp_err *e)
{
	struct nt_store *s = priv;
	const unsigned char *p = buf;
	struct nt_file *f;
	char what[64];

	if (store_hive_usable(hive, e) == -1 || nt_need_rw(s, e) == -1 ||
	    (f = rw_file(s, hive, name, e)) == NULL)
		return -1;
	/* Grown first, with clusters of its own: extended by the write
	 * itself, libntfs-3g makes the file sparse for a while, and a
	 * record written in between reads as damaged. */
	if ((s64)(off + len) > f->na->data_size &&
	    ntfs_attr_truncate_solid(f->na, (s64)(off + len)) == -1) {
		snprintf(what, sizeof(what), "cannot grow it to %ju bytes",
		    (uintmax_t)(off + len));
		return fail_at(s, hive, name, errno, what, e);
	}
	while (len > 0) {
		s64 n = ntfs_attr_pwrite(f->na, (s64)off, (s64)len, p);

		if (n <= 0) {
			snprintf(what, sizeof(what), "cannot write at offset "
			    "%ju", (uintmax_t)off);
			return fail_at(s, hive, name, n < 0 ? errno : EIO, what,
			    e);
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int
nt_set_size(void *priv, struct hp_store_hive *hive, const char *name,
	    uint64_t size, struct hp_err *e)
{
	struct nt_store *s = priv;
	struct nt_file *f;
	char what[64];

	if (store_hive_usable(hive, e) == -1 || nt_need_rw(s, e) == -1 ||
	    (f = rw_file(s, hive, name, e)) == NULL)
		return -1;
	/* Never sparse (see nt_write_at). */
	if (ntfs_attr_truncate_solid(f->na, (s64)size) == 0)
		return 0;
	snprintf(what, sizeof(what), "cannot set its size to %ju bytes",
	    (uintmax_t)size);
	return fail_at(s, hive, name, errno, what, e);
}

/* The file's record, then everything the device holds, durable. */
static int
sync_file(struct nt_store *s, struct nt_file *f, const char *where,
	  struct hp_err *e)
{
	if (f != NULL && ntfs_inode_sync(f->ni) == -1)
		return ntvol_fail(&s->v, errno, e, "%s: cannot write its record",
		    where);
	if (ntfs_device_sync(s->v.vol->dev) == -1)
		return ntvol_fail(&s->v, errno, e, "%s: cannot sync", where);
	return 0;
}

int
nt_sync(void *priv, struct hp_store_hive *hive, const char *name,
	struct hp_err *e)
{
	struct nt_store *s = priv;
	struct nt_file *f;
	char *where;
	int rc;

	if (store_hive_usable(hive, e) == -1 || nt_need_rw(s, e) == -1 ||
	    (f = rw_file(s, hive, name, e)) == NULL)
		return -1;
	if ((where = nt_file_where(s, hive, name)) == NULL)
		return hp_err_nomem(e);
	rc = sync_file(s, f, where, e);
	free(where);
	return rc;
}

/* Deletes the entry `ref` (named `name` in the hive's directory). */
static int
delete_log(struct nt_store *s, struct hp_store_hive *hive, const char *name,
	   MFT_REF ref, const char *where, struct hp_err *e)
{
	struct nt_hive *nh = nt_of(hive);
	ntfs_inode *ni, *dir;
	ntfschar *uname = NULL;
	enum hp_reason r;
	char why[128];
	int ulen, rc;

	if ((ni = ntfs_inode_open(s->v.vol, MREF(ref))) == NULL)
		return ntvol_fail(&s->v, errno, e, "%s: cannot open", where);
	/* Never a link, never a file with another name elsewhere. */
	if ((r = ntvol_not_plain(ni, 1, why, sizeof(why))) != HP_R_NONE) {
		ntfs_inode_close(ni);
		return hp_err_set(e, HP_R_FOREIGN_LOG, "%s: has a log's name but "
		    "%s: not a log of this hive, not removed", where, why);
	}
	if ((ulen = ntfs_mbstoucs(name, &uname)) < 0 ||
	    (dir = ntfs_inode_open(s->v.vol, MREF(nh->dir_ref))) == NULL) {
		rc = ntvol_fail(&s->v, errno, e, "%s: cannot open its directory",
		    where);
		ntfs_inode_close(ni);
		free(uname);
		return rc;
	}
	/* ntfs_delete closes ni and dir, whatever happens. */
	rc = ntfs_delete(s->v.vol, NULL, ni, dir, uname, (u8)ulen);
	if (rc == -1)
		ntvol_fail(&s->v, errno, e, "%s: cannot remove", where);
	free(uname);
	return rc;
}

int
nt_remove_log(void *priv, struct hp_store_hive *hive, const char *name,
	      struct hp_err *e)
{
	struct nt_store *s = priv;
	char *where;
	MFT_REF ref;
	int found, rc;

	if (store_hive_usable(hive, e) == -1)
		return -1;
	if (!nt_log_name_ok(hive, name))
		return hp_err_set(e, HP_R_USAGE, "%s: '%s' is not a log of this "
		    "hive", hive->where, name);
	if (nt_need_rw(s, e) == -1)
		return -1;
	if ((where = nt_file_where(s, hive, name)) == NULL)
		return hp_err_nomem(e);
	rw_drop(nt_of(hive), name);
	rc = find_log(s, hive, name, &ref, &found, e);
	if (rc == 0 && !found)
		rc = hp_err_set(e, HP_R_NOT_FOUND, "%s: not found", where);
	if (rc == 0)
		rc = delete_log(s, hive, name, ref, where, e);
	if (rc == 0)
		rc = sync_file(s, NULL, where, e);
	free(where);
	return rc;
}

/* The whole of fd, from offset 0, in memory (at most a hive's limit). */
static int
slurp(int fd, const char *what, unsigned char **buf, size_t *len,
      struct hp_err *e)
{
	struct stat st;
	size_t got = 0;

	*buf = NULL;
	if (fstat(fd, &st) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", what, strerror(errno));
	if ((uint64_t)st.st_size > HP_HIVE_LIMIT_MAX)
		return hp_err_over_limit(e, what, "", (uint64_t)st.st_size,
		    HP_HIVE_LIMIT_MAX);
	*len = (size_t)st.st_size;
	if ((*buf = malloc(*len ? *len : 1)) == NULL)
		return hp_err_nomem(e);
	while (got < *len) {
		ssize_t n = pread(fd, *buf + got, *len - got, (off_t)got);

		if (n <= 0) {
			free(*buf);
			*buf = NULL;
			return hp_err_set(e, HP_R_IO, "%s: cannot read: %s", what,
			    n < 0 ? strerror(errno) : "end of file");
		}
		got += (size_t)n;
	}
	return 0;
}

/* What the log reads back through the volume is what was written, and
 * passes check. */
static int
log_read_back(struct nt_store *s, struct nt_file *f, const char *where,
	      const unsigned char *want, size_t len, hp_check_fn check,
	      void *arg, struct hp_err *e)
{
	unsigned char *got;
	size_t n;
	uint64_t size;
	int fd, rc;

	if (ntvol_copy_out(&s->v, 0, f->na, where, HP_HIVE_LIMIT_MAX, &fd,
	    &size, e) == -1)
		return -1;
	rc = slurp(fd, where, &got, &n, e);
	if (rc == 0 && (n != len || memcmp(got, want, len) != 0))
		rc = hp_err_set(e, HP_R_NOT_VERIFIED, "%s: reads back other "
		    "bytes than were written", where);
	free(got);
	if (rc == 0 && check != NULL)
		rc = check(arg, fd, e);
	close(fd);
	return rc;
}

/* Sets the log to the bytes of src_fd in place (checked before they
 * are written, and read back after), or empties it (src_fd -1).  Not
 * atomic as a rename is: a log torn by a crash is one the hive, clean
 * while its logs are written, does not read. */
int
nt_write_log(void *priv, struct hp_store_hive *hive, const char *name,
	     int src_fd, hp_check_fn check, void *arg, struct hp_err *e)
{
	struct nt_store *s = priv;
	struct nt_hive *nh = nt_of(hive);
	unsigned char *buf = NULL;
	struct nt_file *f;
	char *where;
	size_t len = 0;
	int rc, was_locked = nh->locked;

	if (store_hive_usable(hive, e) == -1)
		return -1;
	if (!nt_log_name_ok(hive, name))
		return hp_err_set(e, HP_R_USAGE, "%s: '%s' is not a log of this "
		    "hive", hive->where, name);
	if ((where = nt_file_where(s, hive, name)) == NULL)
		return hp_err_nomem(e);
	rc = src_fd == -1 ? 0 : slurp(src_fd, where, &buf, &len, e);
	if (rc == 0 && src_fd != -1 && check != NULL)
		rc = check(arg, src_fd, e);
	if (rc == 0)
		rc = nt_need_rw(s, e);
	/* Opened for this write alone when the hive is not locked. */
	nh->locked = 1;
	if (rc == 0 && (f = rw_file(s, hive, name, e)) == NULL)
		rc = -1;
	nh->locked = was_locked;
	if (rc == 0 && len > 0)
		rc = nt_write_at(priv, hive, name, 0, buf, len, e);
	if (rc == 0)
		rc = nt_set_size(priv, hive, name, len, e);
	if (rc == 0)
		rc = sync_file(s, f, where, e);
	if (rc == 0 && src_fd != -1)
		rc = log_read_back(s, f, where, buf, len, check, arg, e);
	free(buf);
	free(where);
	return rc;
}
