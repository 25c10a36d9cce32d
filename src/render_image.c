/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Images: what `hivepatch images` shows, for people and programs
 * (schema "hivepatch-images/1"), and the one document of a run over an
 * image's parts (schema "hivepatch-image-run/1"). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "render.h"

#define IMAGES_SCHEMA "hivepatch-images/1"
#define IMAGE_RUN_SCHEMA "hivepatch-image-run/1"

static const char *
part_kind(struct hp_image_file *img)
{
	return hp_image_kind(img) == HP_IMAGE_WIM ? "image" : "partition";
}

/* What a part is: its number, name, place, file system, and whether it
 * holds Windows and may be written. */
static struct json_object *
part_json(struct hp_image_file *img, const struct hp_image_part *p)
{
	struct json_object *o = json_object_new_object();

	jo_str(&o, "kind", p->number == 0 ? "volume" : part_kind(img));
	jo_int(&o, "number", p->number);
	jo_str(&o, "name", p->name);
	jo_opt_int(&o, "offset", hp_image_kind(img) != HP_IMAGE_WIM,
	    (int64_t)p->offset);
	jo_int(&o, "size", (int64_t)p->size);
	jo_str(&o, "fs", p->fs);
	jo_bool(&o, "has_windows", p->windows);
	jo_bool(&o, "writable", p->writable);
	jo_str(&o, "why_not_writable", p->why_not);
	return o;
}

/* The image file: its path and kind. */
static struct json_object *
file_json(const char *target, struct hp_image_file *img)
{
	struct json_object *o = json_object_new_object();

	jo_str(&o, "path", target);
	jo_str(&o, "kind", hp_image_kind_name(hp_image_kind(img)));
	return o;
}

/* Each part's run: the part, its report and exit status; takes the
 * reports. */
static struct json_object *
runs_json(struct hp_image_file *img, struct render_part *parts, size_t n)
{
	const struct hp_image_part *all;
	struct json_object *a = json_object_new_array(), *p;
	size_t i;

	(void)hp_image_parts(img, &all);
	for (i = 0; i < n; i++) {
		p = part_json(img, &all[parts[i].index]);
		if (parts[i].report != NULL)
			jo_add(&p, "report", parts[i].report);
		else
			jo_null(&p, "report");
		parts[i].report = NULL;
		jo_int(&p, "exit_status", parts[i].status);
		jo_add(&a, NULL, p);
	}
	return a;
}

struct json_object *
render_json_image(const char *command, const char *target,
		  struct hp_image_file *img, const char *sha_before,
		  const char *sha_after, struct render_part *parts, size_t n,
		  int status)
{
	struct json_object *o = jo_doc(IMAGE_RUN_SCHEMA);
	struct json_object *f = file_json(target, img);

	jo_str(&o, "command", command);
	jo_str(&o, "target", target);
	jo_str(&f, "sha256_before", sha_before);
	jo_str(&f, "sha256_after", sha_after[0] ? sha_after : NULL);
	jo_add(&o, "image_file", f);
	jo_add(&o, "parts", runs_json(img, parts, n));
	jo_int(&o, "exit_status", status);
	return o;
}

struct json_object *
render_json_images(const char *target, struct hp_image_file *img,
		   struct hp_image *const *facts, const struct hp_err *e)
{
	struct json_object *o = jo_doc(IMAGES_SCHEMA), *a, *p;
	const struct hp_image_part *parts;
	size_t i, n = img != NULL ? hp_image_parts(img, &parts) : 0;

	jo_str(&o, "target", target);
	if (img != NULL)
		jo_add(&o, "image_file", file_json(target, img));
	else
		jo_null(&o, "image_file");
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		p = part_json(img, &parts[i]);
		if (facts != NULL && facts[i] != NULL)
			jo_add(&p, "windows", render_json_windows(facts[i]));
		else
			jo_null(&p, "windows");
		jo_add(&a, NULL, p);
	}
	jo_add(&o, "parts", a);
	jo_err_outcome(&o, e);
	return o;
}

static const char *
kind_words(enum hp_image_kind k)
{
	switch (k) {
	case HP_IMAGE_WIM: return "WIM";
	case HP_IMAGE_RAW: return "raw disk";
	case HP_IMAGE_NTFS: return "NTFS volume";
	case HP_IMAGE_VHD: return "VHD";
	case HP_IMAGE_VHDX: return "VHDX";
	case HP_IMAGE_QCOW2: return "qcow2";
	case HP_IMAGE_VMDK: return "VMDK";
	case HP_IMAGE_E01: return "E01 (read-only)";
	default: return "image";
	}
}

static void
windows_text(const struct hp_image *im, FILE *out)
{
	out_printf(out, "%s", im->product ? im->product : "Windows");
	if (im->build)
		out_printf(out, ", build %s", im->build);
	if (im->edition)
		out_printf(out, ", %s", im->edition);
	if (im->from_software)
		out_printf(out, ", %s", im->is_64bit ? "64-bit" : "32-bit");
}

void
render_text_images(const char *target, struct hp_image_file *img,
		   struct hp_image *const *facts, FILE *out)
{
	const struct hp_image_part *parts;
	size_t i, n = hp_image_parts(img, &parts);
	int wim = hp_image_kind(img) == HP_IMAGE_WIM;

	/* A bare volume is one part, number 0, and no partition. */
	if (n == 1 && parts[0].number == 0)
		out_printf(out, "%s: %s\n", target,
		    kind_words(hp_image_kind(img)));
	else
		out_printf(out, "%s: %s, %zu %s%s\n", target,
		    kind_words(hp_image_kind(img)), n, part_kind(img),
		    n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		const struct hp_image_part *p = &parts[i];

		if (p->number == 0)
			out_printf(out, "  volume");
		else
			out_printf(out, "  %s %u", part_kind(img), p->number);
		if (p->name[0])
			out_printf(out, " '%s'", p->name);
		if (!wim)
			out_printf(out, ": offset %" PRIu64 ", %" PRIu64
			    " bytes, %s", p->offset, p->size,
			    p->fs[0] ? p->fs : "unknown file system");
		out_printf(out, "\n    ");
		if (!p->windows)
			out_printf(out, "no Windows");
		else if (facts[i] != NULL)
			windows_text(facts[i], out);
		else
			out_printf(out, "Windows (not read)");
		if (p->windows && p->writable)
			out_printf(out, "; hivepatch can write it\n");
		else if (p->windows)
			out_printf(out, "; read-only: %s\n", p->why_not ?
			    p->why_not : "not writable");
		else
			out_printf(out, "\n");
	}
}
