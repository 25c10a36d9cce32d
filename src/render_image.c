/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Images: what `hivepatch images` shows, for people and programs
 * (schema "hivepatch-images/1"), and the one document of a run over an
 * image's parts (schema "hivepatch-image-run/1"). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "render.h"

#define IMAGES_SCHEMA "hivepatch-images/1"
#define IMAGE_RUN_SCHEMA "hivepatch-image-run/1"

static struct json_object *
opt_string(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

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
	int wim = hp_image_kind(img) == HP_IMAGE_WIM;

	json_object_object_add(o, "kind", json_object_new_string(
	    p->number == 0 ? "volume" : part_kind(img)));
	json_object_object_add(o, "number", json_object_new_int64(p->number));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "offset", wim ? NULL :
	    json_object_new_int64((int64_t)p->offset));
	json_object_object_add(o, "size", json_object_new_int64(
	    (int64_t)p->size));
	json_object_object_add(o, "fs", json_object_new_string(p->fs));
	json_object_object_add(o, "has_windows",
	    json_object_new_boolean(p->windows));
	json_object_object_add(o, "writable",
	    json_object_new_boolean(p->writable));
	json_object_object_add(o, "why_not_writable", opt_string(p->why_not));
	return o;
}

void
render_json_part_add(struct json_object **parts, struct hp_image_file *img,
		     size_t i, const char *doc, int status)
{
	const struct hp_image_part *all;
	struct json_object *o;

	(void)hp_image_parts(img, &all);
	if (*parts == NULL)
		*parts = json_object_new_array();
	o = part_json(img, &all[i]);
	json_object_object_add(o, "report", doc != NULL ?
	    json_tokener_parse(doc) : NULL);
	json_object_object_add(o, "exit_status", json_object_new_int(status));
	json_object_array_add(*parts, o);
}

void
render_json_part_free(struct json_object *parts)
{
	json_object_put(parts);
}

static struct json_object *
file_json(const char *target, struct hp_image_file *img)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_object_new_string(target));
	json_object_object_add(o, "kind", json_object_new_string(
	    hp_image_kind_name(hp_image_kind(img))));
	return o;
}

void
render_json_image(const char *command, const char *target,
		  struct hp_image_file *img, const char *sha_before,
		  const char *sha_after, struct json_object *parts, int status,
		  FILE *out)
{
	struct json_object *o = json_object_new_object();
	struct json_object *f = file_json(target, img);

	json_object_object_add(o, "schema",
	    json_object_new_string(IMAGE_RUN_SCHEMA));
	json_object_object_add(o, "tool_version",
	    json_object_new_string(hp_version()));
	json_object_object_add(o, "command", json_object_new_string(command));
	json_object_object_add(o, "target", json_object_new_string(target));
	json_object_object_add(f, "sha256_before", opt_string(sha_before));
	json_object_object_add(f, "sha256_after", sha_after[0] ?
	    json_object_new_string(sha_after) : NULL);
	json_object_object_add(o, "image_file", f);
	json_object_object_add(o, "parts", parts != NULL ? parts :
	    json_object_new_array());
	json_object_object_add(o, "exit_status", json_object_new_int(status));
	render_json_print(o, out);
}

void
render_json_images(const char *target, struct hp_image_file *img,
		   struct hp_image *const *facts, const struct hp_err *e,
		   FILE *out)
{
	struct json_object *o = json_object_new_object(), *a;
	const struct hp_image_part *parts;
	size_t i, n = img != NULL ? hp_image_parts(img, &parts) : 0;

	json_object_object_add(o, "schema",
	    json_object_new_string(IMAGES_SCHEMA));
	json_object_object_add(o, "tool_version",
	    json_object_new_string(hp_version()));
	json_object_object_add(o, "target", json_object_new_string(target));
	json_object_object_add(o, "image_file", img != NULL ?
	    file_json(target, img) : NULL);
	a = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct json_object *p = part_json(img, &parts[i]);

		json_object_object_add(p, "windows", facts != NULL &&
		    facts[i] != NULL ? render_json_windows(facts[i]) : NULL);
		json_object_array_add(a, p);
	}
	json_object_object_add(o, "parts", a);
	json_object_object_add(o, "error", e != NULL ?
	    json_object_new_string(e->msg) : NULL);
	json_object_object_add(o, "reason", e != NULL ?
	    json_object_new_string(hp_reason_name(e->reason)) : NULL);
	json_object_object_add(o, "exit_status", json_object_new_int(e != NULL ?
	    (int)e->status : 0));
	render_json_print(o, out);
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
