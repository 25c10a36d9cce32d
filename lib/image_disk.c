/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Disks and volumes: not written yet. */
#include "config.h"

#include "error.h"
#include "image.h"

static int
disk_open(struct hp_image_file *img, struct hp_err *e)
{
	return hp_err_set(e, HP_R_USAGE, "%s: disk images are not supported "
	    "yet", img->path);
}

static int
disk_store_open(struct hp_image_file *img, size_t i, const char *user,
	       const struct hp_store_ops **ops, void **priv, struct hp_err *e)
{
	return hp_err_set(e, HP_R_USAGE, "%s: not supported yet", img->path);
}

static void
disk_close(struct hp_image_file *img)
{
}

const struct image_backend image_disk_backend = {
	disk_open, disk_store_open, disk_close,
};
