/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Block devices (blockdev.h): a file, and a byte range of another
 * device; the wrappers every reader and writer goes through check the
 * range and the writable flag before a backend sees the request. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockdev.h"
#include "fileio.h"

static int
new_dev(const struct blockdev_ops *ops, void *priv, const char *name,
	uint64_t size, int writable, struct blockdev **out, struct hp_err *e)
{
	struct blockdev *bd;

	*out = NULL;
	if ((bd = calloc(1, sizeof(*bd))) == NULL ||
	    (bd->name = strdup(name)) == NULL) {
		free(bd);
		return hp_err_nomem(e);
	}
	bd->ops = ops;
	bd->priv = priv;
	bd->size = size;
	bd->writable = writable;
	*out = bd;
	return 0;
}

/* ---- a file ---- */

struct file_dev {
	int fd;
};

static int
file_pread(struct blockdev *bd, void *buf, size_t len, uint64_t off,
	   struct hp_err *e)
{
	struct file_dev *f = bd->priv;
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = pread(f->fd, p, len, (off_t)off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return hp_err_set(e, HP_R_IO, "%s: cannot read %zu bytes "
			    "at offset %ju: %s", bd->name, len, (uintmax_t)off,
			    n < 0 ? strerror(errno) : "end of file");
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int
file_pwrite(struct blockdev *bd, const void *buf, size_t len, uint64_t off,
	    struct hp_err *e)
{
	struct file_dev *f = bd->priv;

	if (pwrite_all(f->fd, buf, len, off) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot write %zu bytes at "
		    "offset %ju: %s", bd->name, len, (uintmax_t)off,
		    strerror(errno));
	return 0;
}

static int
file_sync(struct blockdev *bd, struct hp_err *e)
{
	struct file_dev *f = bd->priv;

	if (fsync(f->fd) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot sync: %s", bd->name,
		    strerror(errno));
	return 0;
}

static void
file_close(struct blockdev *bd)
{
	struct file_dev *f = bd->priv;

	close(f->fd);
	free(f);
}

static const struct blockdev_ops file_ops = {
	file_pread, file_pwrite, file_sync, file_close,
};

int
blockdev_open_file(const char *path, int writable, struct blockdev **bd,
		   struct hp_err *e)
{
	int fd, rc;

	*bd = NULL;
	fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC |
	    O_NOFOLLOW);
	if (fd == -1 && writable && (errno == EACCES || errno == EROFS ||
	    errno == EPERM))
		return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s: cannot be "
		    "opened for writing (%s)", path, strerror(errno));
	if (fd == -1)
		return hp_err_sys(e, errno, path);
	rc = blockdev_open_fd(fd, path, writable, bd, e);
	close(fd);
	return rc;
}

int
blockdev_open_fd(int fd, const char *name, int writable, struct blockdev **bd,
		 struct hp_err *e)
{
	struct file_dev *f;
	struct stat st;
	off_t end;

	*bd = NULL;
	/* A block device's size is where it ends, not what fstat says. */
	if (fstat(fd, &st) == -1 || (end = lseek(fd, 0, SEEK_END)) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", name, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return hp_err_set(e, HP_R_NOT_REGULAR, "%s: not a regular file "
		    "nor a block device", name);
	if ((f = malloc(sizeof(*f))) == NULL)
		return hp_err_nomem(e);
	if ((f->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		free(f);
		return hp_err_set(e, HP_R_IO, "%s: %s", name, strerror(errno));
	}
	if (new_dev(&file_ops, f, name, (uint64_t)end, writable, bd, e) == -1) {
		close(f->fd);
		free(f);
		return -1;
	}
	return 0;
}

/* ---- a range of another device ---- */

struct range_dev {
	struct blockdev *parent;
	uint64_t off;
};

static int
range_pread(struct blockdev *bd, void *buf, size_t len, uint64_t off,
	    struct hp_err *e)
{
	struct range_dev *r = bd->priv;

	return blockdev_pread(r->parent, buf, len, r->off + off, e);
}

static int
range_pwrite(struct blockdev *bd, const void *buf, size_t len, uint64_t off,
	     struct hp_err *e)
{
	struct range_dev *r = bd->priv;

	return blockdev_pwrite(r->parent, buf, len, r->off + off, e);
}

static int
range_sync(struct blockdev *bd, struct hp_err *e)
{
	struct range_dev *r = bd->priv;

	return blockdev_sync(r->parent, e);
}

static void
range_close(struct blockdev *bd)
{
	free(bd->priv);
}

static const struct blockdev_ops range_ops = {
	range_pread, range_pwrite, range_sync, range_close,
};

int
blockdev_open_range(struct blockdev *parent, uint64_t off, uint64_t len,
		    const char *name, struct blockdev **bd, struct hp_err *e)
{
	struct range_dev *r;

	*bd = NULL;
	if (off > parent->size || len > parent->size - off)
		return hp_err_set(e, HP_R_IO, "%s: %ju bytes at offset %ju lie "
		    "outside %s (%ju bytes)", name, (uintmax_t)len,
		    (uintmax_t)off, parent->name, (uintmax_t)parent->size);
	if ((r = malloc(sizeof(*r))) == NULL)
		return hp_err_nomem(e);
	r->parent = parent;
	r->off = off;
	if (new_dev(&range_ops, r, name, len, parent->writable, bd, e) == -1) {
		free(r);
		return -1;
	}
	return 0;
}

/* ---- the wrappers ---- */

static int
in_range(const struct blockdev *bd, size_t len, uint64_t off,
	 const char *what, struct hp_err *e)
{
	if (off > bd->size || len > bd->size - off)
		return hp_err_set(e, HP_R_IO, "%s: refused to %s %zu bytes at "
		    "offset %ju, outside the device (%ju bytes)", bd->name, what,
		    len, (uintmax_t)off, (uintmax_t)bd->size);
	return 0;
}

static int
writable(const struct blockdev *bd, struct hp_err *e)
{
	if (!bd->writable)
		return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s: opened "
		    "read-only; not written", bd->name);
	return 0;
}

int
blockdev_pread(struct blockdev *bd, void *buf, size_t len, uint64_t off,
	       struct hp_err *e)
{
	if (in_range(bd, len, off, "read", e) == -1)
		return -1;
	return len == 0 ? 0 : bd->ops->pread(bd, buf, len, off, e);
}

int
blockdev_pwrite(struct blockdev *bd, const void *buf, size_t len,
		uint64_t off, struct hp_err *e)
{
	if (writable(bd, e) == -1 || in_range(bd, len, off, "write", e) == -1)
		return -1;
	return len == 0 ? 0 : bd->ops->pwrite(bd, buf, len, off, e);
}

int
blockdev_sync(struct blockdev *bd, struct hp_err *e)
{
	if (writable(bd, e) == -1)
		return -1;
	return bd->ops->sync(bd, e);
}

void
blockdev_close(struct blockdev *bd)
{
	if (bd == NULL)
		return;
	bd->ops->close(bd);
	free(bd->name);
	free(bd);
}
