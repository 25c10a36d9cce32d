/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the runs' results look like, for people (render_text.c) and for
 * programs (render_json.c, built with jsonout.c: one JSON document per
 * run, the schemas "hivepatch-report/1", "hivepatch-inspect/1",
 * "hivepatch-backups/1", "hivepatch-export/1", "hivepatch-rollback/1"
 * and "hivepatch-profiles/1" of hivepatch(1)).
 * Bytes from an image reach the terminal only through these, and the
 * text ones only through out_printf. */
#ifndef HIVEPATCH_RENDER_H
#define HIVEPATCH_RENDER_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "hivepatch.h"

/* What the text renderers take: RENDER_VERBOSE adds what -v shows. */
enum { RENDER_VERBOSE = 1 };

struct json_object;

/* The JSON documents: each is built as an object, NULL when out of
 * memory, that render_json_print prints or an image's document takes
 * as one part's report (render_json_image). */

/* Prints the document o and frees it, its text as hivepatch(1) says:
 * pretty, with control characters escaped.  0; for o NULL, says out of
 * memory on stderr and returns HP_IOERR. */
int render_json_print(struct json_object *o, FILE *out);

/* apply, verify, import, recover. */
void render_text_report(const struct hp_result *r, unsigned flags, FILE *out);
struct json_object *render_json_report(const struct hp_result *r);

/* A run that could not start (its target could not be opened as a
 * store): the report with the error alone. */
struct json_object *render_json_failure(const char *command,
					const char *target,
					const struct hp_err *e);

/* The document of `command`'s schema for a run that failed before it
 * could report anything else (a usage error: target NULL, printed as
 * null): its target and the error alone. */
struct json_object *render_json_error(const char *command,
				      const char *target,
				      const struct hp_err *e);

/* inspect. */
void render_text_inspect(const struct hp_inspect *r, unsigned flags,
			 FILE *out);
struct json_object *render_json_inspect(const struct hp_inspect *r);

/* rollback: the files restored, on stdout; its warnings on stderr.  Or
 * the document of schema "hivepatch-rollback/1" (on failure too). */
void render_text_rollback(const struct hp_rollback *r, FILE *out);
struct json_object *render_json_rollback(const struct hp_rollback *r,
					 const struct hp_rollback_opts *opts);

/* export, whose .reg text goes to opts->output: the document of schema
 * "hivepatch-export/1" of what it exported (r: NULL when it could not
 * start; e: NULL unless it failed). */
struct json_object *render_json_export(const char *target,
				       const struct hp_export_opts *opts,
				       const struct hp_export *r,
				       const struct hp_err *e);

/* profiles: the profiles of `dir` and 'auto', one a line; or the
 * document of schema "hivepatch-profiles/1" (e: NULL unless listing them
 * failed). */
#define RENDER_AUTO_DESCRIPTION "the profiles the image needs, chosen from " \
	"its build and .NET versions (see hivepatch inspect)"
void render_text_profiles(const char *dir, const struct hp_profile_info *list,
			  size_t n, unsigned flags, FILE *out);
struct json_object *render_json_profiles(const char *dir,
					 const struct hp_profile_info *list,
					 size_t n, const struct hp_err *e);

/* backups: a table of the runs, newest first; or the document of schema
 * "hivepatch-backups/1" (on failure too: the error alone). */
void render_text_backups(const struct hp_backups *r, unsigned flags,
			 FILE *out);
struct json_object *render_json_backups(const struct hp_backups *r);

/* What a report says of the Windows an image holds. */
struct json_object *render_json_windows(const struct hp_image *im);

/* ---- images (render_image.c) ---- */

/* The run on one part of an image: the part's index (hp_image_parts),
 * its document (NULL: none) and its exit status. */
struct render_part {
	size_t index;
	struct json_object *report;
	int status;
};

/* The document of a run over an image (schema "hivepatch-image-run/1"):
 * the image file, its hash before and after (sha_after "": not read),
 * and each part's run; takes every parts[i].report (setting it NULL). */
struct json_object *render_json_image(const char *command,
				      const char *target,
				      struct hp_image_file *img,
				      const char *sha_before,
				      const char *sha_after,
				      struct render_part *parts, size_t n,
				      int status);

/* images: what an image holds; facts[i] is the Windows of part i (NULL:
 * none, or not read). */
void render_text_images(const char *target, struct hp_image_file *img,
			struct hp_image *const *facts, FILE *out);
struct json_object *render_json_images(const char *target,
				       struct hp_image_file *img,
				       struct hp_image *const *facts,
				       const struct hp_err *e);

/* printf for text meant for people: every string (%s) and character (%c)
 * argument is escaped with hp_escape_text (hivepatch.h), so that what an
 * image holds never reaches a terminal as control characters; only the
 * format, which is ours, is written as it is.  Takes the flags, widths
 * (also '*'), precisions and length modifiers of printf, and the
 * conversions s, c, d, i, u, x, X, o and %%. */
void out_printf(FILE *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void out_vprintf(FILE *out, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* A FILETIME (100 ns since 1601, UTC) as ISO 8601 UTC, to the second
 * ("2023-01-01T00:00:00Z"); "" when it cannot be shown. */
void render_filetime(uint64_t ft, char *buf, size_t len);

/* A little-endian number of n bytes (DWORD and QWORD data). */
static inline uint64_t
render_le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* The word a change's outcome is reported with ("added", "missing"...). */
const char *render_status(const struct hp_change *c, int verify);

/* The advice of inspect as a command line, or why there is none. */
void render_advice(const struct hp_inspect *r, char *buf, size_t size);

#endif
