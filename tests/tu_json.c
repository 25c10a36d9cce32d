/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: the JSON reports hivepatch prints (tu_json.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

struct json_object *
tu_jget(struct json_object *o, const char *path)
{
	char *copy = strdup(path), *part, *save = NULL;

	ck_assert(copy != NULL);
	for (part = strtok_r(copy, ".", &save); part != NULL && o != NULL;
	    part = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, part, &o))
			o = NULL;
	free(copy);
	return o;
}

int
tu_jnull(struct json_object *o, const char *name)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(o, name, &v) && v == NULL;
}

const char *
tu_jstr(struct json_object *o, const char *path)
{
	struct json_object *v = tu_jget(o, path);

	return v && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "(not a string)";
}

struct json_object *
tu_jarray(struct json_object *o, const char *path)
{
	struct json_object *a = tu_jget(o, path);

	ck_assert_msg(a != NULL && json_object_is_type(a, json_type_array),
	    "%s is not an array", path);
	return a;
}

int
tu_jbool(struct json_object *o, const char *path)
{
	struct json_object *v = tu_jget(o, path);

	ck_assert_msg(v != NULL && json_object_is_type(v, json_type_boolean),
	    "%s is not a boolean", path);
	return json_object_get_boolean(v);
}

long long
tu_jint(struct json_object *o, const char *path)
{
	struct json_object *v = tu_jget(o, path);

	ck_assert_msg(v != NULL && json_object_is_type(v, json_type_int),
	    "%s is not an integer", path);
	return (long long)json_object_get_int64(v);
}

struct json_object *
tu_jhive(struct json_object *report, const char *kind)
{
	struct json_object *hives = tu_jarray(report, "hives");
	size_t i, n = json_object_array_length(hives);

	for (i = 0; i < n; i++) {
		struct json_object *h = json_object_array_get_idx(hives, i);

		if (strcmp(tu_jstr(h, "kind"), kind) == 0)
			return h;
	}
	ck_abort_msg("the report lists no %s hive: %s", kind,
	    json_object_to_json_string(hives));
	return NULL;
}

struct json_object *
tu_parse_json(const struct tu_result *r, const char *schema)
{
	struct json_object *j = json_tokener_parse(r->out);

	ck_assert_msg(j != NULL, "stdout is not one JSON document:\n%s", r->out);
	ck_assert_str_eq(tu_jstr(j, "schema"), schema);
	ck_assert(tu_jget(j, "exit_status") != NULL);
	ck_assert_int_eq(json_object_get_int(tu_jget(j, "exit_status")),
	    r->status);
	return j;
}
