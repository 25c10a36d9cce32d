/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libntfs-3g over a block device (ntfs_vol.h).  The device operations
 * follow the pattern of TestDisk's src/ntfs_io.c: libntfs-3g never
 * opens a file itself, every byte goes through blockdev.h, so a
 * partition cannot reach past its range and a read-only image is never
 * written. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ntfs-3g/device.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/logfile.h>
#include <ntfs-3g/unistr.h>

#include "fileio.h"
#include "ntfs_vol.h"

static struct ntvol *
vol_of(struct ntfs_device *dev)
{
	return dev->d_private;
}

static int
dev_open(struct ntfs_device *dev, int flags)
{
	struct ntvol *v = vol_of(dev);

	if (NDevOpen(dev)) {
		errno = EBUSY;
		return -1;
	}
	if ((flags & O_ACCMODE) != O_RDWR)
		NDevSetReadOnly(dev);
	else if (!v->bd->writable) {
		errno = EROFS;
		return -1;
	}
	v->pos = 0;
	NDevSetOpen(dev);
	return 0;
}

static int
dev_close(struct ntfs_device *dev)
{
	if (!NDevOpen(dev)) {
		errno = EBADF;
		return -1;
	}
	NDevClearOpen(dev);
	return 0;
}

static s64
dev_seek(struct ntfs_device *dev, s64 off, int whence)
{
	struct ntvol *v = vol_of(dev);
	s64 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? v->pos :
	    (s64)v->bd->size;

	if ((whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) ||
	    base + off < 0) {
		errno = EINVAL;
		return -1;
	}
	v->pos = base + off;
	return v->pos;
}

/* What of count bytes at off lies on the device. */
static s64
clamp(const struct ntvol *v, s64 count, s64 off)
{
	if (count < 0 || off < 0)
		return -1;
	if ((uint64_t)off >= v->bd->size)
		return 0;
	if ((uint64_t)count > v->bd->size - (uint64_t)off)
		return (s64)(v->bd->size - (uint64_t)off);
	return count;
}

static s64
dev_pread(struct ntfs_device *dev, void *buf, s64 count, s64 off)
{
	struct ntvol *v = vol_of(dev);
	s64 n = clamp(v, count, off);

	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if (blockdev_pread(v->bd, buf, (size_t)n, (uint64_t)off,
	    &v->dev_err) == -1) {
		v->dev_failures++;
		errno = EIO;
		return -1;
	}
	return n;
}

static s64
dev_pwrite(struct ntfs_device *dev, const void *buf, s64 count, s64 off)
{
	struct ntvol *v = vol_of(dev);
	s64 n = clamp(v, count, off);

	if (NDevReadOnly(dev)) {
		errno = EROFS;
		return -1;
	}
	if (n < 0 || n < count) {
		errno = n < 0 ? EINVAL : ENOSPC;
		return -1;
	}
	if (blockdev_pwrite(v->bd, buf, (size_t)n, (uint64_t)off,
	    &v->dev_err) == -1) {
		v->dev_failures++;
		errno = EIO;
		return -1;
	}
	NDevSetDirty(dev);
	return n;
}

static s64
dev_read(struct ntfs_device *dev, void *buf, s64 count)
{
	struct ntvol *v = vol_of(dev);
	s64 n = dev_pread(dev, buf, count, v->pos);

	if (n > 0)
		v->pos += n;
	return n;
}

static s64
dev_write(struct ntfs_device *dev, const void *buf, s64 count)
{
	struct ntvol *v = vol_of(dev);
	s64 n = dev_pwrite(dev, buf, count, v->pos);

	if (n > 0)
		v->pos += n;
	return n;
}

/* libntfs-3g syncs a read-only device too, when it unmounts. */
static int
dev_sync(struct ntfs_device *dev)
{
	struct ntvol *v = vol_of(dev);

	if (NDevReadOnly(dev) || !NDevDirty(dev))
		return 0;
	if (blockdev_sync(v->bd, &v->dev_err) == -1) {
		v->dev_failures++;
		errno = EIO;
		return -1;
	}
	NDevClearDirty(dev);
	return 0;
}

static int
dev_stat(struct ntfs_device *dev, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0600;
	st->st_size = (off_t)vol_of(dev)->bd->size;
	return 0;
}

static int
dev_ioctl(struct ntfs_device *dev, unsigned long request, void *arg)
{
	(void)dev;
	(void)request;
	(void)arg;
	errno = ENOTTY;
	return -1;
}

static struct ntfs_device_operations dev_ops = {
	.open = dev_open, .close = dev_close, .seek = dev_seek,
	.read = dev_read, .write = dev_write, .pread = dev_pread,
	.pwrite = dev_pwrite, .sync = dev_sync, .stat = dev_stat,
	.ioctl = dev_ioctl,
};

int
ntvol_fail(struct ntvol *v, int err, struct hp_err *e, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (v->dev_err.reason != HP_R_NONE) {
		hp_err_set(e, v->dev_err.reason, "%s (%s)", what,
		    v->dev_err.msg);
		memset(&v->dev_err, 0, sizeof(v->dev_err));
		return -1;
	}
	if (err == ENOMEM)
		return hp_err_nomem(e);
	return hp_err_set(e, HP_R_IO, "%s: %s", what, strerror(err));
}

/* Why a read-write mount was refused, from what libntfs-3g's checks
 * leave in errno (volume.c: EPERM for hiberfil.sys and for metadata
 * Windows keeps cached, EOPNOTSUPP for a $LogFile not clean). */
static int
mount_refused(struct ntvol *v, int err, struct hp_err *e)
{
	const char *name = v->bd->name;

	if (err == EPERM)
		return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s: libntfs-3g "
		    "refuses to write it: Windows is hibernated or keeps its "
		    "metadata cached (Fast Startup); do a full shutdown: "
		    "powercfg /h off, or shutdown /s /f /t 0 on Windows", name);
	if (err == EOPNOTSUPP)
		return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s: libntfs-3g "
		    "refuses to write it: its $LogFile is not clean (Windows "
		    "did not shut down cleanly); boot Windows and shut it down "
		    "fully, or run chkdsk /f", name);
	return ntvol_fail(v, err, e, "%s: libntfs-3g cannot mount it", name);
}

int
ntvol_mount(struct ntvol *v, struct blockdev *bd, int rw, struct hp_err *e)
{
	struct ntfs_device *dev;
	int err;

	v->bd = bd;
	v->vol = NULL;
	v->rw = rw;
	v->dev_failures = 0;
	memset(&v->dev_err, 0, sizeof(v->dev_err));
	dev = ntfs_device_alloc(bd->name, 0, &dev_ops, v);
	if (dev == NULL)
		return hp_err_nomem(e);
	v->vol = ntfs_device_mount(dev, rw ? NTFS_MNT_NONE : NTFS_MNT_RDONLY);
	if (v->vol != NULL)
		return 0;
	err = errno;
	ntfs_device_free(dev);
	return rw ? mount_refused(v, err, e) : ntvol_fail(v, err, e, "%s: "
	    "libntfs-3g cannot mount it", bd->name);
}

int
ntvol_umount(struct ntvol *v, struct hp_err *e)
{
	ntfs_volume *vol = v->vol;

	if (vol == NULL)
		return 0;
	v->vol = NULL;
	if (ntfs_umount(vol, FALSE) == -1)
		return ntvol_fail(v, errno, e, "%s: cannot unmount", v->bd->name);
	return 0;
}

/* ---- names ---- */

struct collect {
	struct ntvol_dirent *d;
	size_t n, cap;
	int failed;
};

static int
collect_one(void *arg, const ntfschar *name, const int len, const int type,
	    const s64 pos, const MFT_REF mref, const unsigned dt_type)
{
	struct collect *c = arg;
	struct ntvol_dirent *d;

	(void)pos;
	(void)dt_type;
	if (type == FILE_NAME_DOS)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;

		if ((d = realloc(c->d, cap * sizeof(*d))) == NULL)
			goto fail;
		c->d = d;
		c->cap = cap;
	}
	d = &c->d[c->n];
	memset(d, 0, sizeof(*d));
	if (ntfs_ucstombs(name, len, &d->name, 0) < 0 ||
	    (d->uname = malloc((size_t)len * sizeof(*name) + 1)) == NULL) {
		free(d->name);
		goto fail;
	}
	memcpy(d->uname, name, (size_t)len * sizeof(*name));
	d->ulen = len;
	d->mref = mref;
	c->n++;
	/* "." and ".." are no names of a file. */
	if (strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0) {
		free(d->name);
		free(d->uname);
		c->n--;
	}
	return 0;
fail:
	c->failed = errno ? errno : ENOMEM;
	return -1;
}

int
ntvol_readdir(struct ntvol *v, ntfs_inode *dir, const char *shown,
	      struct ntvol_dirent **out, size_t *n, struct hp_err *e)
{
	struct collect c = { NULL, 0, 0, 0 };
	s64 pos = 0;

	*out = NULL;
	*n = 0;
	if (ntfs_readdir(dir, &pos, &c, collect_one) != 0 || c.failed) {
		int err = c.failed ? c.failed : errno;

		ntvol_dirents_free(c.d, c.n);
		return ntvol_fail(v, err, e, "%s: cannot list the directory",
		    shown);
	}
	*out = c.d;
	*n = c.n;
	return 0;
}

void
ntvol_dirents_free(struct ntvol_dirent *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(d[i].name);
		free(d[i].uname);
	}
	free(d);
}

int
ntvol_match(struct ntvol *v, const struct ntvol_dirent *d, size_t n,
	    const char *want, const char *shown, size_t *idx,
	    struct hp_err *e)
{
	ntfschar *uwant = NULL;
	size_t i, other = n;
	int ulen;

	for (*idx = 0; *idx < n; (*idx)++)
		if (strcmp(d[*idx].name, want) == 0)
			return 0;
	if ((ulen = ntfs_mbstoucs(want, &uwant)) < 0)
		return ntvol_fail(v, errno, e, "%s: '%s' is no name NTFS holds",
		    shown, want);
	/* In any case, as Windows finds it: by the volume's $UpCase. */
	for (i = 0; i < n; i++) {
		if (!ntfs_names_are_equal(d[i].uname, (size_t)d[i].ulen, uwant,
		    (size_t)ulen, IGNORE_CASE, v->vol->upcase,
		    v->vol->upcase_len))
			continue;
		if (other != n) {
			free(uwant);
			return hp_err_set(e, HP_R_AMBIGUOUS, "%s: both '%s' and "
			    "'%s' match '%s'; refusing to guess which one", shown,
			    d[other].name, d[i].name, want);
		}
		other = i;
	}
	free(uwant);
	*idx = other;
	return 0;
}

/* ---- paths and files ---- */

static int
count_names(ntfs_inode *ni)
{
	ntfs_attr_search_ctx *ctx = ntfs_attr_get_search_ctx(ni, NULL);
	int n = 0;

	if (ctx == NULL)
		return -1;
	while (ntfs_attr_lookup(AT_FILE_NAME, AT_UNNAMED, 0, CASE_SENSITIVE, 0,
	    NULL, 0, ctx) == 0) {
		const FILE_NAME_ATTR *fn = (const FILE_NAME_ATTR *)
		    ((const u8 *)ctx->attr + le16_to_cpu(ctx->attr->value_offset));

		if (fn->file_name_type != FILE_NAME_DOS)
			n++;
	}
	ntfs_attr_put_search_ctx(ctx);
	return n;
}

enum hp_reason
ntvol_not_plain(ntfs_inode *ni, int names, char *why, size_t len)
{
	int n;

	if (ni->flags & FILE_ATTR_REPARSE_POINT) {
		snprintf(why, len, "is a reparse point (a symbolic link or a "
		    "junction)");
		return HP_R_SYMLINK;
	}
	if (ni->mrec->flags & MFT_RECORD_IS_DIRECTORY)
		snprintf(why, len, "is a directory");
	else if (ni->flags & FILE_ATTR_ENCRYPTED)
		snprintf(why, len, "is encrypted (EFS)");
	else if (names && (n = count_names(ni)) != 1)
		snprintf(why, len, n < 0 ? "has names that cannot be read" :
		    "has %d names (hard links)", n);
	else
		return HP_R_NONE;
	return HP_R_NOT_REGULAR;
}

static char *
join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s%s%s", a, a[0] != '\0' ? "/" : "", b) == -1)
		return NULL;
	return s;
}

/* One step of ntvol_walk: from *dir (at *found) to its entry `want`,
 * which becomes *dir unless it is the last. */
static int
step(struct ntvol *v, ntfs_inode **dir, const char *want, int last,
     const char *shown, const char *path, char **found, MFT_REF *ref,
     struct hp_err *e)
{
	struct ntvol_dirent *d;
	char *here = join(shown, *found), *next = NULL, why[128];
	ntfs_inode *ni = NULL;
	enum hp_reason r;
	size_t n, i;
	int rc = -1;

	if (here == NULL)
		return hp_err_nomem(e);
	if (ntvol_readdir(v, *dir, here, &d, &n, e) == -1) {
		free(here);
		return -1;
	}
	if (ntvol_match(v, d, n, want, here, &i, e) == -1)
		goto out;
	if (i == n) {
		hp_err_set(e, HP_R_NOT_FOUND, "%s: no %s here (no '%s' in %s)",
		    shown, path, want, here);
		goto out;
	}
	if ((next = join(*found, d[i].name)) == NULL) {
		hp_err_nomem(e);
		goto out;
	}
	free(*found);
	*found = next;
	*ref = d[i].mref;
	free(here);
	here = join(shown, next);
	if (here == NULL || (ni = ntfs_inode_open(v->vol, MREF(*ref))) == NULL) {
		if (here == NULL)
			hp_err_nomem(e);
		else
			ntvol_fail(v, errno, e, "%s: cannot open", here);
		goto out;
	}
	r = ntvol_not_plain(ni, 0, why, sizeof(why));
	if (r == HP_R_SYMLINK)
		hp_err_set(e, r, "%s: %s; refusing to follow links inside the "
		    "image", here, why);
	else if (!last && !(ni->mrec->flags & MFT_RECORD_IS_DIRECTORY))
		hp_err_set(e, HP_R_NOT_FOUND, "%s: is a file, not a directory",
		    here);
	else if (last && r != HP_R_NONE)
		hp_err_set(e, r, "%s: %s, not a hive file", here, why);
	else
		rc = 0;
	if (rc == 0 && !last) {
		ntfs_inode_close(*dir);
		*dir = ni;
		ni = NULL;
	}
out:
	if (ni != NULL)
		ntfs_inode_close(ni);
	ntvol_dirents_free(d, n);
	free(here);
	return rc;
}

int
ntvol_walk(struct ntvol *v, const char *path, const char *shown,
	   MFT_REF *dir_ref, MFT_REF *ref, char **found, struct hp_err *e)
{
	char *copy = strdup(path), *comp, *save = NULL;
	ntfs_inode *dir;
	int rc = 0;

	*found = strdup("");
	*dir_ref = FILE_root;
	if (copy == NULL || *found == NULL) {
		free(copy);
		return hp_err_nomem(e);
	}
	if ((dir = ntfs_inode_open(v->vol, FILE_root)) == NULL) {
		free(copy);
		return ntvol_fail(v, errno, e, "%s: cannot open the root "
		    "directory", shown);
	}
	for (comp = strtok_r(copy, "/", &save); rc == 0 && comp != NULL; ) {
		char *after = strtok_r(NULL, "/", &save);

		*dir_ref = dir->mft_no;
		rc = step(v, &dir, comp, after == NULL, shown, path, found, ref,
		    e);
		comp = after;
	}
	ntfs_inode_close(dir);
	free(copy);
	return rc;
}

/* Copies na into fd, 1 MiB at a time. */
static int
copy_attr(struct ntvol *v, ntfs_attr *na, int fd, const char *where,
	  struct hp_err *e)
{
	size_t chunk = 1 << 20;
	unsigned char *buf = malloc(chunk);
	s64 off = 0;

	if (buf == NULL)
		return hp_err_nomem(e);
	while (off < na->data_size) {
		s64 want = na->data_size - off < (s64)chunk ?
		    na->data_size - off : (s64)chunk;
		s64 n = ntfs_attr_pread(na, off, want, buf);

		if (n <= 0) {
			free(buf);
			return ntvol_fail(v, n < 0 ? errno : EIO, e, "%s: cannot "
			    "read at offset %jd", where, (intmax_t)off);
		}
		if (write_all(fd, buf, (size_t)n) == -1) {
			free(buf);
			return hp_err_set(e, HP_R_IO, "%s: cannot copy into "
			    "memory: %s", where, strerror(errno));
		}
		off += n;
	}
	free(buf);
	return 0;
}

int
ntvol_copy_out(struct ntvol *v, MFT_REF ref, ntfs_attr *open_na,
	       const char *where, uint64_t max, int *fd, uint64_t *size,
	       struct hp_err *e)
{
	ntfs_inode *ni = NULL;
	ntfs_attr *na = open_na;
	int rc = -1;

	*fd = -1;
	if (na == NULL && (ni = ntfs_inode_open(v->vol, MREF(ref))) == NULL)
		return ntvol_fail(v, errno, e, "%s: cannot open", where);
	if (na == NULL && (na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0)) ==
	    NULL) {
		ntvol_fail(v, errno, e, "%s: cannot open its data", where);
		goto out;
	}
	*size = (uint64_t)na->data_size;
	if (*size > max) {
		hp_err_over_limit(e, where, "", *size, max);
		goto out;
	}
	if ((*fd = memfd_create("hivepatch-ntfs", MFD_CLOEXEC)) == -1) {
		hp_err_set(e, HP_R_IO, "%s: cannot make a memory file: %s",
		    where, strerror(errno));
		goto out;
	}
	rc = copy_attr(v, na, *fd, where, e);
out:
	if (na != NULL && na != open_na)
		ntfs_attr_close(na);
	if (ni != NULL)
		ntfs_inode_close(ni);
	if (rc == -1 && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}
