/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Images (hivepatch.h): the kind of a file from its first bytes, and
 * opening, locking and listing it; the backends (image.h) do the rest. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "hash.h"
#include "image.h"
#include "regf.h"
#include "store.h"

static const char *const kind_names[] = {
	[HP_IMAGE_NONE] = "", [HP_IMAGE_WIM] = "wim", [HP_IMAGE_RAW] = "raw",
	[HP_IMAGE_NTFS] = "ntfs", [HP_IMAGE_VHD] = "vhd",
	[HP_IMAGE_VHDX] = "vhdx", [HP_IMAGE_QCOW2] = "qcow2",
	[HP_IMAGE_VMDK] = "vmdk", [HP_IMAGE_E01] = "e01",
};

const char *
hp_image_kind_name(enum hp_image_kind kind)
{
	if ((size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "";
	return kind_names[kind];
}

/* The signatures, each where its format puts it.  A fixed VHD is a raw
 * disk followed by a 512-byte footer; a dynamic one starts with a copy
 * of it.  A VMDK is either a sparse extent ("KDMV") or a text
 * descriptor naming its extents. */
static enum hp_image_kind
kind_of(const unsigned char *head, size_t n, const unsigned char *tail,
	size_t n_tail)
{
	static const char vmdk_text[] = "# Disk DescriptorFile";

	if (n >= 8 && memcmp(head, "MSWIM\0\0\0", 8) == 0)
		return HP_IMAGE_WIM;
	if (n >= 8 && memcmp(head, "vhdxfile", 8) == 0)
		return HP_IMAGE_VHDX;
	if (n >= 4 && memcmp(head, "QFI\xfb", 4) == 0)
		return HP_IMAGE_QCOW2;
	if ((n >= 4 && memcmp(head, "KDMV", 4) == 0) ||
	    (n >= sizeof(vmdk_text) - 1 &&
	    memcmp(head, vmdk_text, sizeof(vmdk_text) - 1) == 0))
		return HP_IMAGE_VMDK;
	if (n >= 8 && memcmp(head, "EVF\x09\x0d\x0a\xff\x00", 8) == 0)
		return HP_IMAGE_E01;
	if ((n >= 8 && memcmp(head, "conectix", 8) == 0) ||
	    (n_tail >= 8 && memcmp(tail, "conectix", 8) == 0))
		return HP_IMAGE_VHD;
	if (n >= 11 && (memcmp(head + 3, "NTFS    ", 8) == 0 ||
	    memcmp(head + 3, "-FVE-FS-", 8) == 0))
		return HP_IMAGE_NTFS;
	if (n >= 512 && head[510] == 0x55 && head[511] == 0xaa)
		return HP_IMAGE_RAW;
	return HP_IMAGE_NONE;
}

static int
probe_fd(int fd, const char *path, enum hp_image_kind *kind,
	 struct hp_err *e)
{
	unsigned char head[512], tail[512];
	struct stat st;
	ssize_t n, n_tail = 0;

	*kind = HP_IMAGE_NONE;
	if (fstat(fd, &st) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return 0;
	if ((n = pread(fd, head, sizeof(head), 0)) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", path, strerror(errno));
	/* A hive is a hive, whatever else its first sector might hold. */
	if (n >= 4 && memcmp(head, "regf", 4) == 0)
		return 0;
	if (st.st_size >= (off_t)sizeof(tail) && (n_tail = pread(fd, tail,
	    sizeof(tail), st.st_size - (off_t)sizeof(tail))) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", path, strerror(errno));
	*kind = kind_of(head, (size_t)n, tail, (size_t)n_tail);
	return 0;
}

int
hp_image_probe(const char *path, enum hp_image_kind *kind, struct hp_err *e)
{
	int fd, rc;

	*kind = HP_IMAGE_NONE;
	/* Never through a link, never blocking on a FIFO. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT || errno == ELOOP || errno == ENOTDIR ||
		    errno == ENXIO ? 0 : hp_err_set(e, HP_R_IO, "%s: %s", path,
		    strerror(errno));
	rc = probe_fd(fd, path, kind, e);
	close(fd);
	return rc;
}

/* Takes the file's lock, which another hivepatch run takes too: an
 * flock, except on a WIM, whose writer (wimlib's overwrite) takes an
 * flock of its own on another descriptor and would find ours; there an
 * OFD lock, which an flock does not see.  Then a look at the POSIX
 * locks QEMU holds on an image in use (a running VM, qemu-nbd). */
static int
lock_image(struct hp_image_file *img, struct hp_err *e)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int rc, busy;

	if (img->kind == HP_IMAGE_WIM) {
		rc = fcntl(img->fd, F_OFD_SETLK, &fl);
		busy = rc == -1 && (errno == EAGAIN || errno == EACCES);
	} else {
		rc = flock(img->fd, LOCK_EX | LOCK_NB);
		busy = rc == -1 && errno == EWOULDBLOCK;
	}
	if (busy)
		return hp_err_set(e, HP_R_LOCKED, "%s: another hivepatch run "
		    "is changing this image; try again when it has finished",
		    img->path);
	if (rc == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot lock: %s", img->path,
		    strerror(errno));
	fl.l_type = F_WRLCK;
	if (img->kind != HP_IMAGE_WIM && fcntl(img->fd, F_OFD_GETLK,
	    &fl) == 0 && fl.l_type != F_UNLCK)
		return hp_err_set(e, HP_R_LOCKED, "%s: another process holds "
		    "its write lock (a running virtual machine or qemu-nbd?); "
		    "stop it first", img->path);
	return 0;
}

static int
open_file(struct hp_image_file *img, struct hp_err *e)
{
	int want_write = (img->flags & HP_IMAGE_WRITE) != 0;
	char real[PATH_MAX];

	if (want_write && (img->kind == HP_IMAGE_E01))
		return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s: an E01 is "
		    "evidence, read-only: hivepatch never writes it (inspect, "
		    "verify, export and recover --output read it)", img->path);
	img->fd = open(img->path, (want_write ? O_RDWR : O_RDONLY) |
	    O_CLOEXEC | O_NOFOLLOW);
	if (img->fd == -1 && want_write && (errno == EACCES ||
	    errno == EROFS || errno == EPERM))
		return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s: cannot be "
		    "opened for writing (%s)", img->path, strerror(errno));
	if (img->fd == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", img->path,
		    strerror(errno));
	if (realpath(img->path, real) == NULL)
		return hp_err_set(e, HP_R_IO, "%s: %s", img->path,
		    strerror(errno));
	if ((img->real_path = strdup(real)) == NULL)
		return hp_err_nomem(e);
	return want_write ? lock_image(img, e) : 0;
}

/* QEMU follows what a qcow2 or VMDK names: a backing file, an external
 * data file, extents, a parent.  hivepatch works on the one file it was
 * given: anything an image would send QEMU to is refused, as a link
 * inside a tree is. */
#define CHAIN_HINT "hivepatch reads and writes the one file it is given; " \
	"make it self-contained first (qemu-img convert)"

static int
qcow2_chained(const unsigned char *h, size_t n)
{
	/* The backing file's offset; in version 3, the incompatible
	 * feature "external data file" (bit 2). */
	if (n >= 16 && be64(h + 8) != 0)
		return 1;
	return n >= 80 && be32(h + 4) >= 3 && (be64(h + 72) & 0x4) != 0;
}

/* A VMDK descriptor (text) that names a parent or an extent elsewhere
 * than beside it: a path, not a plain file name. */
static int
vmdk_text_chained(const char *t)
{
	const char *line, *q;

	for (line = t; line != NULL && *line != '\0';
	    line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "parentFileNameHint", 18) == 0)
			return 1;
		if (strncmp(line, "RW ", 3) != 0 && strncmp(line, "RDONLY ",
		    7) != 0 && strncmp(line, "NOACCESS ", 9) != 0)
			continue;
		q = strchr(line, '"');
		if (q == NULL)
			continue;
		for (q++; *q != '"' && *q != '\0' && *q != '\n'; q++)
			if (*q == '/' || *q == '\\')
				return 1;
	}
	return 0;
}

static int
vmdk_chained(int fd, const unsigned char *h, size_t n)
{
	char text[65536];
	uint64_t off = 0, len;
	ssize_t got;

	/* A sparse extent keeps its descriptor in sectors of its own. */
	if (n >= 44 && memcmp(h, "KDMV", 4) == 0) {
		off = le64(h + 28) * 512;
		len = le64(h + 36) * 512;
		if (off == 0 || len == 0)
			return 0;
	} else
		len = sizeof(text) - 1;
	if (len > sizeof(text) - 1)
		len = sizeof(text) - 1;
	if ((got = pread(fd, text, (size_t)len, (off_t)off)) <= 0)
		return 0;
	text[got] = '\0';
	return vmdk_text_chained(text);
}

static int
check_self_contained(struct hp_image_file *img, struct hp_err *e)
{
	unsigned char h[512];
	ssize_t n;
	int chained;

	if (img->kind != HP_IMAGE_QCOW2 && img->kind != HP_IMAGE_VMDK)
		return 0;
	if ((n = pread(img->fd, h, sizeof(h), 0)) < 0)
		return hp_err_set(e, HP_R_IO, "%s: %s", img->path,
		    strerror(errno));
	chained = img->kind == HP_IMAGE_QCOW2 ? qcow2_chained(h, (size_t)n) :
	    vmdk_chained(img->fd, h, (size_t)n);
	if (chained)
		return hp_err_set(e, HP_R_SYMLINK, "%s: a %s that names another "
		    "file (a backing file, a parent, an extent elsewhere or an "
		    "external data file): " CHAIN_HINT, img->path,
		    hp_image_kind_name(img->kind));
	return 0;
}

int
hp_image_open(const char *path, unsigned flags, struct hp_image_file **out,
	      struct hp_err *e)
{
	struct hp_image_file *img;

	*out = NULL;
	if ((img = calloc(1, sizeof(*img))) == NULL)
		return hp_err_nomem(e);
	img->fd = -1;
	img->flags = flags;
	if ((img->path = strdup(path)) == NULL) {
		free(img);
		return hp_err_nomem(e);
	}
	if (hp_image_probe(path, &img->kind, e) == -1)
		goto fail;
	if (img->kind == HP_IMAGE_NONE && access(path, F_OK) == -1) {
		hp_err_set(e, errno == ENOENT ? HP_R_NOT_FOUND : HP_R_IO,
		    "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (img->kind == HP_IMAGE_NONE) {
		hp_err_set(e, HP_R_USAGE, "%s: not an image hivepatch knows "
		    "(a WIM, a disk, an NTFS volume, a VHD, VHDX, qcow2, "
		    "VMDK or E01)", path);
		goto fail;
	}
	img->be = img->kind == HP_IMAGE_WIM ? &image_wim_backend :
	    &image_disk_backend;
	if (open_file(img, e) == -1 || check_self_contained(img, e) == -1 ||
	    img->be->open(img, e) == -1)
		goto fail;
	*out = img;
	return 0;
fail:
	hp_image_close(img);
	return -1;
}

enum hp_image_kind
hp_image_kind(const struct hp_image_file *img)
{
	return img->kind;
}

size_t
hp_image_parts(const struct hp_image_file *img,
	       const struct hp_image_part **parts)
{
	*parts = img->parts;
	return img->n_parts;
}

int
hp_image_store_open(struct hp_image_file *img, size_t i, const char *user,
		    struct hp_store **store, struct hp_err *e)
{
	const struct hp_store_ops *ops;
	void *priv;

	*store = NULL;
	if (i >= img->n_parts)
		return hp_err_set(e, HP_R_IMAGE_CHOICE, "%s: holds %zu "
		    "parts, not %zu", img->path, img->n_parts, i + 1);
	if (!img->parts[i].windows)
		return hp_err_set(e, HP_R_IMAGE_CHOICE, "%s: %s %u holds no "
		    "Windows tree", img->path, img->kind == HP_IMAGE_WIM ?
		    "image" : "partition", img->parts[i].number);
	if (img->be->store_open(img, i, user, &ops, &priv, e) == -1)
		return -1;
	return hp_store_open_ops(ops, priv, img->path, store, e);
}

int
hp_image_sha256(struct hp_image_file *img, char hex[65], struct hp_err *e)
{
	return sha256_fd(img->fd, img->path, hex, e);
}

void
image_part_free(struct hp_image_part *p)
{
	free(p->name);
	free(p->fs);
	free(p->why_not);
	memset(p, 0, sizeof(*p));
}

char *
image_where(const char *path, const char *part_kind, unsigned number,
	    const char *in_image)
{
	char *s;
	int rc;

	if (number == 0)
		rc = asprintf(&s, "%s/%s", path, in_image);
	else
		rc = asprintf(&s, "%s[%s %u]/%s", path, part_kind, number,
		    in_image);
	return rc == -1 ? NULL : s;
}

void
hp_image_close(struct hp_image_file *img)
{
	size_t i;

	if (img == NULL)
		return;
	if (img->be != NULL && img->priv != NULL)
		img->be->close(img);
	for (i = 0; i < img->n_parts; i++)
		image_part_free(&img->parts[i]);
	free(img->parts);
	if (img->fd >= 0)
		close(img->fd);
	free(img->real_path);
	free(img->path);
	free(img);
}
