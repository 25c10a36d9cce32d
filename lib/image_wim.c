/* SPDX-License-Identifier: GPL-3.0-or-later */
/* WIM and ESD images through wimlib: not written yet. */
#include "config.h"

#include "error.h"
#include "image.h"

static int
wim_open(struct hp_image_file *img, struct hp_err *e)
{
	return hp_err_set(e, HP_R_USAGE, "%s: WIM images are not supported "
	    "yet", img->path);
}

static int
wim_store_open(struct hp_image_file *img, size_t i, const char *user,
	       const struct hp_store_ops **ops, void **priv, struct hp_err *e)
{
	return hp_err_set(e, HP_R_USAGE, "%s: not supported yet", img->path);
}

static void
wim_close(struct hp_image_file *img)
{
}

const struct image_backend image_wim_backend = {
	wim_open, wim_store_open, wim_close,
};
