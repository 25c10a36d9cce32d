/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Building the JSON documents of render_json*.c and render_image.c.
 * A document is built member by member into *o, an object or an array:
 * when memory runs out, *o is freed and set to NULL, and every later
 * call on it does nothing but free what it is given, so a builder
 * checks once, at the end, that what it built is not NULL. */
#ifndef HIVEPATCH_JSONOUT_H
#define HIVEPATCH_JSONOUT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "hivepatch.h"

/* Adds v as member key of the object *o, or appends it to the array
 * *o when key is NULL; takes v, whose NULL is out of memory.  Every key
 * of these functions is a string constant, which json-c keeps. */
void jo_add(struct json_object **o, const char *key, struct json_object *v);

/* Out of memory outside json-c: frees *o and sets it to NULL. */
void jo_fail(struct json_object **o);

/* A null member. */
void jo_null(struct json_object **o, const char *key);

/* A string (s NULL: null), a number, a boolean. */
void jo_str(struct json_object **o, const char *key, const char *s);
void jo_int(struct json_object **o, const char *key, int64_t n);
void jo_bool(struct json_object **o, const char *key, int b);

/* A number when `have`, else null. */
void jo_opt_int(struct json_object **o, const char *key, int have,
		int64_t n);

/* An array of n strings; NULL when out of memory. */
struct json_object *jo_strings(char *const *items, size_t n);

/* A new document: its first members, the schema and the tool's
 * version; NULL when out of memory. */
struct json_object *jo_doc(const char *schema);

/* The members that close every document: the error (NULL: none), its
 * reason and the exit status; jo_err_outcome, those of e (NULL: none,
 * exit status 0). */
void jo_outcome(struct json_object **o, const char *error,
		enum hp_reason reason, int status);
void jo_err_outcome(struct json_object **o, const struct hp_err *e);

#endif
