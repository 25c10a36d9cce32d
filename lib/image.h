/* SPDX-License-Identifier: GPL-3.0-or-later */
/* struct hp_image_file (hivepatch.h) and its backends: a WIM through wimlib
 * (image_wim.c), and disks and volumes (image_disk.c: a partition table
 * over a block device, and an NTFS store over each partition).  image.c
 * tells the kind from the content, opens and locks the file, and hands
 * the rest to the backend. */
#ifndef HIVEPATCH_IMAGE_H
#define HIVEPATCH_IMAGE_H

#include "hivepatch.h"

struct hp_image_file;

struct image_backend {
	/* Fills img->parts and img->n_parts (and img->priv).  Writes
	 * nothing, whatever img->flags say. */
	int (*open)(struct hp_image_file *img, struct hp_err *e);
	/* A store over the Windows tree of part i: its operations and
	 * private pointer, which the store's close releases.  Read-only
	 * unless img->flags has HP_IMAGE_WRITE and the part is writable. */
	int (*store_open)(struct hp_image_file *img, size_t i, const char *user,
			  const struct hp_store_ops **ops, void **priv,
			  struct hp_err *e);
	void (*close)(struct hp_image_file *img);
};

struct hp_image_file {
	char *path;			/* as given, for messages */
	char *real_path;		/* absolute: the identity of its
					 * hives' backups */
	enum hp_image_kind kind;
	unsigned flags;			/* HP_IMAGE_WRITE */
	int fd;				/* the file, open (for writing under
					 * HP_IMAGE_WRITE) and flock'ed */
	struct hp_image_part *parts;	/* the backend fills them */
	size_t n_parts;
	const struct image_backend *be;
	void *priv;			/* the backend's */
};

extern const struct image_backend image_wim_backend;
extern const struct image_backend image_disk_backend;

/* hp_image_part's strings, freed; the part zeroed. */
void image_part_free(struct hp_image_part *p);

/* How a hive in an image is named, for people and for its backups:
 * "PATH[image 2]" (part_kind "image"), "PATH[partition 1]", "PATH" for a
 * bare volume (number 0); then "/Windows/System32/config/SOFTWARE".
 * malloc'd, NULL when out of memory. */
char *image_where(const char *path, const char *part_kind, unsigned number,
		  const char *in_image);

#endif
