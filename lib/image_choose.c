/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Which parts of an image a run works on (hp_image_choose). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "image.h"

static const char *
part_word(const struct hp_image_file *img)
{
	return img->kind == HP_IMAGE_WIM ? "image" : "partition";
}

int
hp_image_part_label(const struct hp_image_file *img, size_t i, char *buf,
		    size_t len)
{
	const struct hp_image_part *p = &img->parts[i];

	if (p->number == 0)
		return snprintf(buf, len, "%s", img->path);
	return snprintf(buf, len, "%s[%s %u]%s%s%s", img->path,
	    part_word(img), p->number, p->name[0] ? " '" : "", p->name,
	    p->name[0] ? "'" : "");
}

/* Whether part p is the one `want` names: its number, or (a WIM image)
 * its name in any letter case. */
static int
part_matches(const struct hp_image_part *p, const char *want, int by_name)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(want, &end, 10);
	if (end != want && *end == '\0' && errno == 0)
		return n == p->number;
	return by_name && strcasecmp(want, p->name) == 0;
}

static int
choose_one(struct hp_image_file *img, const char *want, size_t *chosen,
	   size_t *n, struct hp_err *e)
{
	char label[512];
	size_t i;

	for (i = 0; i < img->n_parts; i++)
		if (part_matches(&img->parts[i], want,
		    img->kind == HP_IMAGE_WIM))
			break;
	if (i == img->n_parts)
		return hp_err_set(e, HP_R_IMAGE_CHOICE, "%s: no %s '%s' "
		    "(hivepatch images lists them)", img->path,
		    part_word(img), want);
	hp_image_part_label(img, i, label, sizeof(label));
	if (!img->parts[i].windows)
		return hp_err_set(e, HP_R_IMAGE_CHOICE, "%s: holds no Windows "
		    "tree", label);
	chosen[(*n)++] = i;
	return 0;
}

static int
choose_all(struct hp_image_file *img, size_t *chosen, size_t *n,
	   struct hp_err *e)
{
	size_t i;

	for (i = 0; i < img->n_parts; i++)
		if (img->parts[i].windows)
			chosen[(*n)++] = i;
	if (img->n_parts == 0)
		return hp_err_set(e, HP_R_IMAGE_CHOICE, "%s: holds no %s: %s",
		    img->path, img->kind == HP_IMAGE_WIM ? "image" :
		    "partition nor volume", img->kind == HP_IMAGE_WIM ?
		    "an empty WIM" : "no MBR or GPT partition table, no NTFS "
		    "or BitLocker boot sector (a damaged or empty disk?)");
	if (*n == 0)
		return hp_err_set(e, HP_R_IMAGE_CHOICE, "%s: none of its %zu "
		    "%s%s holds a Windows tree (hivepatch images lists them)",
		    img->path, img->n_parts, part_word(img),
		    img->n_parts == 1 ? "" : "s");
	return 0;
}

/* What the flags ask of the parts chosen. */
static int
check_chosen(struct hp_image_file *img, unsigned flags, const size_t *chosen,
	     size_t n, struct hp_err *e)
{
	char label[512];
	size_t i;

	if ((flags & HP_IMAGE_ONE) && n > 1)
		return hp_err_set(e, HP_R_IMAGE_CHOICE, "%s: holds %zu Windows; "
		    "this reads one: choose its %s", img->path, n,
		    part_word(img));
	for (i = 0; i < n && (flags & HP_IMAGE_WRITE); i++) {
		const struct hp_image_part *p = &img->parts[chosen[i]];

		hp_image_part_label(img, chosen[i], label, sizeof(label));
		if (!p->writable)
			return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s",
			    p->why_not != NULL ? p->why_not : label);
	}
	return 0;
}

int
hp_image_choose(struct hp_image_file *img, const char *image,
		const char *partition, unsigned flags, size_t **chosen,
		size_t *n, struct hp_err *e)
{
	int wim = img->kind == HP_IMAGE_WIM;
	const char *want = wim ? image : partition;
	int rc;

	*chosen = NULL;
	*n = 0;
	if ((image != NULL && !wim) || (partition != NULL && wim))
		return hp_err_set(e, HP_R_USAGE, "%s: %s, which holds %s, not "
		    "%s", img->path, wim ? "a WIM" : "a disk or volume",
		    wim ? "images" : "partitions", wim ? "partitions" :
		    "images");
	if ((*chosen = calloc(img->n_parts ? img->n_parts : 1,
	    sizeof(**chosen))) == NULL)
		return hp_err_nomem(e);
	rc = want == NULL || strcmp(want, "all") == 0 ?
	    choose_all(img, *chosen, n, e) : choose_one(img, want, *chosen, n,
	    e);
	if (rc == 0)
		rc = check_chosen(img, flags, *chosen, *n, e);
	if (rc == -1) {
		free(*chosen);
		*chosen = NULL;
		*n = 0;
	}
	return rc;
}
