/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: the JSON reports hivepatch prints (json-c).  See
 * testutil.h. */
#ifndef HIVEPATCH_TU_JSON_H
#define HIVEPATCH_TU_JSON_H

#include "tu_run.h"

struct json_object;

/* A member by a dotted path ("image.os.build"); NULL when a member is
 * missing or null. */
struct json_object *tu_jget(struct json_object *o, const char *path);
/* The member exists and is null. */
int tu_jnull(struct json_object *o, const char *name);
/* A string member, or "(not a string)". */
const char *tu_jstr(struct json_object *o, const char *path);
/* An array member; fails the test otherwise. */
struct json_object *tu_jarray(struct json_object *o, const char *path);
/* A boolean member; fails the test otherwise. */
int tu_jbool(struct json_object *o, const char *path);
/* An integer member; fails the test otherwise. */
long long tu_jint(struct json_object *o, const char *path);
/* The element of the report's hives[] whose kind is `kind` ("SOFTWARE");
 * fails the test when there is none. */
struct json_object *tu_jhive(struct json_object *report, const char *kind);
/* stdout as one JSON document of `schema`, whose exit_status is the
 * real one; fails the test otherwise. */
struct json_object *tu_parse_json(const struct tu_result *r,
				  const char *schema);

#endif
