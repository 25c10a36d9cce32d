/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Disks and volumes (image.h): the image as a block device (blockdev.h),
 * its partitions (parttable.h), each partition a range of that device,
 * and a Windows tree on an NTFS partition a store (store_ntfs.h).
 * - a raw disk or a bare NTFS volume is the file itself;
 * - a fixed VHD is a raw disk followed by its 512-byte footer: the
 *   file without the footer, read and written directly;
 * - a dynamic or differencing VHD, a VHDX, a qcow2 and a VMDK go
 *   through qemu-nbd;
 * - an E01 through libewf, read-only (image.c refuses to open one for
 *   writing).
 * A disk whose first sector is an NTFS (or BitLocker) boot sector is a
 * bare volume, whatever else it holds: such a sector also ends in
 * 55 AA, and its boot code would read as partition entries.  The
 * devices stay open for the image's life; close releases them all and
 * reaps qemu-nbd. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockdev.h"
#include "error.h"
#include "image.h"
#include "regf.h"
#include "parttable.h"
#include "store_ntfs.h"

#define VHD_FOOTER 512
#define VHD_FIXED 2

struct disk_priv {
	struct blockdev *file;	/* a fixed VHD's whole file */
	struct blockdev *disk;	/* the disk (or the bare volume) */
	struct blockdev **vols;	/* img->parts[i]'s range of the disk */
};

/* A VHD's footer (at its end; a dynamic one has a copy at its start)
 * says whether it is fixed: then the disk is the file without it. */
static int
open_vhd(struct hp_image_file *img, struct disk_priv *p, int writable,
	 struct hp_err *e)
{
	unsigned char f[VHD_FOOTER];
	struct stat st;

	if (fstat(img->fd, &st) == -1)
		return hp_err_sys(e, errno, img->path);
	if (st.st_size < VHD_FOOTER || pread(img->fd, f, sizeof(f),
	    st.st_size - VHD_FOOTER) != VHD_FOOTER)
		return hp_err_set(e, HP_R_DAMAGED, "%s: a VHD without its "
		    "footer", img->path);
	if (memcmp(f, "conectix", 8) != 0 &&
	    pread(img->fd, f, sizeof(f), 0) != VHD_FOOTER)
		return hp_err_set(e, HP_R_DAMAGED, "%s: a VHD without its "
		    "footer", img->path);
	if (be32(f + 60) != VHD_FIXED)
		return blockdev_open_nbd(img->path, img->fd, "vpc", writable,
		    &p->disk, e);
	if (blockdev_open_fd(img->fd, img->path, writable, &p->file, e) == -1)
		return -1;
	return blockdev_open_range(p->file, 0, p->file->size - VHD_FOOTER,
	    img->path, &p->disk, e);
}

/* A VMDK that is a text descriptor, not a sparse extent. */
static int
vmdk_descriptor(const struct hp_image_file *img)
{
	unsigned char h[4];

	return pread(img->fd, h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
	    memcmp(h, "KDMV", 4) != 0;
}

static int
open_disk(struct hp_image_file *img, struct disk_priv *p, struct hp_err *e)
{
	int w = (img->flags & HP_IMAGE_WRITE) != 0;

	switch (img->kind) {
	case HP_IMAGE_RAW:
	case HP_IMAGE_NTFS:
		return blockdev_open_fd(img->fd, img->path, w, &p->disk, e);
	case HP_IMAGE_VHD:
		return open_vhd(img, p, w, e);
	case HP_IMAGE_VHDX:
		return blockdev_open_nbd(img->path, img->fd, "vhdx", w,
		    &p->disk, e);
	case HP_IMAGE_QCOW2:
		return blockdev_open_nbd(img->path, img->fd, "qcow2", w,
		    &p->disk, e);
	case HP_IMAGE_VMDK:
		/* A descriptor names its extents beside it, by path. */
		return blockdev_open_nbd(img->path, vmdk_descriptor(img) ? -1 :
		    img->fd, "vmdk", w, &p->disk, e);
	case HP_IMAGE_E01:
		return blockdev_open_ewf(img->path, &p->disk, e);
	default:
		return hp_err_set(e, HP_R_USAGE, "%s: not a disk image",
		    img->path);
	}
}

/* 1 when the first sector of bd is an NTFS or BitLocker boot sector. */
static int
is_volume(struct blockdev *bd, struct hp_err *e)
{
	unsigned char b[512];

	if (bd->size < sizeof(b))
		return 0;
	if (blockdev_pread(bd, b, sizeof(b), 0, e) == -1)
		return -1;
	return memcmp(b + 3, "NTFS    ", 8) == 0 ||
	    memcmp(b + 3, "-FVE-FS-", 8) == 0;
}

/* A FAT boot sector ("vfat"): what an EFI system partition, or a small
 * "System Reserved" one, holds.  Its volume label names a part that has
 * no name yet. */
static int
fat_fs(struct hp_image_part *part, struct blockdev *bd, struct hp_err *e)
{
	unsigned char b[512];
	char label[12], *fs;
	int fat32, n;

	if (bd->size < sizeof(b))
		return 0;
	if (blockdev_pread(bd, b, sizeof(b), 0, e) == -1)
		return -1;
	fat32 = memcmp(b + 82, "FAT32   ", 8) == 0;
	if (b[510] != 0x55 || b[511] != 0xaa || (!fat32 &&
	    memcmp(b + 54, "FAT", 3) != 0))
		return 0;
	if ((fs = strdup("vfat")) == NULL)
		return hp_err_nomem(e);
	free(part->fs);
	part->fs = fs;
	memcpy(label, b + (fat32 ? 71 : 43), 11);
	for (n = 11; n > 0 && label[n - 1] == ' '; n--)
		;
	label[n] = '\0';
	if (part->name[0] != '\0' || label[0] == '\0' ||
	    strcmp(label, "NO NAME") == 0)
		return 0;
	if ((fs = strdup(label)) == NULL)
		return hp_err_nomem(e);
	free(part->name);
	part->name = fs;
	return 0;
}

/* Part i: bytes [off, off + size) of the disk, what ntfs_volume_examine
 * says of it, its label (a GPT partition's name, else the volume's). */
static int
add_part(struct hp_image_file *img, struct disk_priv *p, unsigned number,
	 uint64_t off, uint64_t size, const char *label, struct hp_err *e)
{
	struct hp_image_part *part = &img->parts[img->n_parts];
	struct blockdev **vol = &p->vols[img->n_parts];
	char *name;
	int rc;

	if (number == 0)
		name = strdup(img->path);
	else if (asprintf(&name, "%s partition %u", img->path, number) == -1)
		name = NULL;
	if (name == NULL)
		return hp_err_nomem(e);
	img->n_parts++;
	part->number = number;
	part->offset = off;
	part->size = size;
	rc = blockdev_open_range(p->disk, off, size, name, vol, e);
	if (rc == 0 && label[0] != '\0' && (part->name = strdup(label)) == NULL)
		rc = hp_err_nomem(e);
	if (rc == 0)
		rc = ntfs_volume_examine(*vol, name, part, e);
	/* The volume could be written; the evidence holding it never is. */
	if (rc == 0 && img->kind == HP_IMAGE_E01 && part->writable) {
		part->writable = 0;
		if (asprintf(&part->why_not, "%s: in an E01, evidence that "
		    "hivepatch never writes", name) == -1) {
			part->why_not = NULL;
			rc = hp_err_nomem(e);
		}
	}
	free(name);
	if (rc == 0 && part->name == NULL && (part->name = strdup("")) == NULL)
		rc = hp_err_nomem(e);
	if (rc == 0 && part->fs == NULL && (part->fs = strdup("")) == NULL)
		rc = hp_err_nomem(e);
	if (rc == 0 && part->fs[0] == '\0')
		rc = fat_fs(part, *vol, e);
	return rc;
}

static int
alloc_parts(struct hp_image_file *img, struct disk_priv *p, size_t n,
	    struct hp_err *e)
{
	img->parts = calloc(n + 1, sizeof(*img->parts));
	p->vols = calloc(n + 1, sizeof(*p->vols));
	return img->parts == NULL || p->vols == NULL ? hp_err_nomem(e) : 0;
}

static int
list_parts(struct hp_image_file *img, struct disk_priv *p, struct hp_err *e)
{
	struct parttable_entry *t;
	size_t i, n;
	int rc;

	if ((rc = is_volume(p->disk, e)) == -1)
		return -1;
	if (rc == 1 || img->kind == HP_IMAGE_NTFS)
		return alloc_parts(img, p, 1, e) == -1 ? -1 :
		    add_part(img, p, 0, 0, p->disk->size, "", e);
	if (parttable_read(p->disk, img->kind == HP_IMAGE_RAW ? img->fd : -1,
	    &t, &n, e) == -1)
		return -1;
	rc = alloc_parts(img, p, n, e);
	for (i = 0; i < n && rc == 0; i++)
		rc = add_part(img, p, t[i].number, t[i].offset, t[i].size,
		    t[i].label, e);
	parttable_free(t, n);
	return rc;
}

static int
disk_open(struct hp_image_file *img, struct hp_err *e)
{
	struct disk_priv *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return hp_err_nomem(e);
	img->priv = p;
	if (open_disk(img, p, e) == -1)
		return -1;
	return list_parts(img, p, e);
}

/* "PATH[partition N]" ("PATH" for a bare volume), malloc'd. */
static char *
part_where(const char *path, unsigned number)
{
	char *s = image_where(path, "partition", number, "");
	size_t len;

	if (s != NULL && (len = strlen(s)) > 0 && s[len - 1] == '/')
		s[len - 1] = '\0';
	return s;
}

static int
disk_store_open(struct hp_image_file *img, size_t i, const char *user,
		const struct hp_store_ops **ops, void **priv, struct hp_err *e)
{
	struct disk_priv *p = img->priv;
	struct hp_image_part *part = &img->parts[i];
	int writable = (img->flags & HP_IMAGE_WRITE) && part->writable;
	char *where, *identity, *why_not = NULL;
	int rc = -1;

	where = part_where(img->path, part->number);
	identity = part_where(img->real_path, part->number);
	if (where == NULL || identity == NULL)
		hp_err_nomem(e);
	else if (!writable && part->why_not == NULL && asprintf(&why_not,
	    "%s: opened for reading only", where) == -1)
		hp_err_nomem(e);
	else
		rc = store_ntfs_open(p->vols[i], where, identity, user,
		    writable, why_not != NULL ? why_not : part->why_not, ops,
		    priv, e);
	free(where);
	free(identity);
	free(why_not);
	return rc;
}

static void
disk_close(struct hp_image_file *img)
{
	struct disk_priv *p = img->priv;
	size_t i;

	for (i = 0; p->vols != NULL && i < img->n_parts; i++)
		if (p->vols[i] != NULL)
			blockdev_close(p->vols[i]);
	free(p->vols);
	if (p->disk != NULL)
		blockdev_close(p->disk);
	if (p->file != NULL)
		blockdev_close(p->file);
	free(p);
	img->priv = NULL;
}

const struct image_backend image_disk_backend = {
	disk_open, disk_store_open, disk_close,
};
