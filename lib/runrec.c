/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Run records: root/runs/<run id>.json, one per run that writes more
 * than one hive, there from before its first commit to after its last. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonfile.h"
#include "result.h"
#include "runrec.h"

#define RUNREC_SCHEMA "hivepatch-run/1"
#define RUNS_DIR "runs"

static struct json_object *
json_hives(const struct runrec *r)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a != NULL && i < r->n_hives; i++) {
		struct json_object *h = json_object_new_object();

		json_object_object_add(h, "hive",
		    json_object_new_string(r->hives[i].hive));
		json_object_object_add(h, "sha256_before",
		    json_object_new_string(r->hives[i].sha_before));
		json_object_object_add(h, "sha256_after",
		    json_object_new_string(r->hives[i].sha_after));
		json_object_array_add(a, h);
	}
	return a;
}

int
runrec_write(const char *root, struct runrec *r, struct hp_err *e)
{
	struct json_object *o = json_object_new_object();
	int rc = -1;

	free(r->dir);
	free(r->name);
	r->name = NULL;
	if (o == NULL || asprintf(&r->dir, "%s/%s", root, RUNS_DIR) == -1 ||
	    asprintf(&r->name, "%s.json", r->id) == -1) {
		r->dir = r->name = NULL;
		json_object_put(o);
		return hp_err_nomem(e);
	}
	json_object_object_add(o, "schema", json_object_new_string(RUNREC_SCHEMA));
	json_object_object_add(o, "id", json_object_new_string(r->id));
	json_object_object_add(o, "time", json_object_new_string(r->time));
	json_object_object_add(o, "command", json_object_new_string(r->command));
	json_object_object_add(o, "recover", json_object_new_boolean(r->recover));
	json_object_object_add(o, "flags", json_object_new_int64(r->flags));
	json_object_object_add(o, "now_sec",
	    json_object_new_int64((int64_t)r->now.tv_sec));
	json_object_object_add(o, "now_nsec",
	    json_object_new_int64((int64_t)r->now.tv_nsec));
	json_object_object_add(o, "profiles", json_strings_new(
	    (const char *const *)r->profiles, r->n_profiles));
	json_object_object_add(o, "reg_files", json_strings_new(
	    (const char *const *)r->reg_files, r->n_reg_files));
	json_object_object_add(o, "hives", json_hives(r));
	json_object_object_add(o, "tool_version",
	    json_object_new_string(PACKAGE_VERSION));
	if (state_dir_create(r->dir, e) == 0)
		rc = json_file_write(r->dir, r->name, o, e);
	json_object_put(o);
	return rc;
}

int
runrec_remove(const struct runrec *r)
{
	if (r->dir == NULL || r->name == NULL)
		return 0;
	return json_file_remove(r->dir, r->name);
}

int
runrec_remove_id(const char *root, const char *id)
{
	struct runrec r = { 0 };
	int rc = -1, err = ENOMEM;

	if (asprintf(&r.dir, "%s/%s", root, RUNS_DIR) == -1)
		return -1;
	if (asprintf(&r.name, "%s.json", id) != -1) {
		rc = runrec_remove(&r);
		err = errno;
	}
	free(r.dir);
	free(r.name);
	errno = err;
	return rc;
}

static const char *
get_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int64_t
get_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* 1 read, 0 not a record this version can complete, -1 out of memory. */
static int
load_hives(struct json_object *o, struct runrec *r)
{
	struct json_object *a, *h;
	size_t i, n;

	if (!json_object_object_get_ex(o, "hives", &a) ||
	    !json_object_is_type(a, json_type_array) ||
	    (n = json_object_array_length(a)) == 0)
		return 0;
	if ((r->hives = calloc(n, sizeof(*r->hives))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		struct runrec_hive *rh = &r->hives[r->n_hives];
		const char *hive;

		h = json_object_array_get_idx(a, i);
		if ((hive = get_string(h, "hive")) == NULL ||
		    json_hex_get(h, "sha256_before", rh->sha_before) == -1 ||
		    json_hex_get(h, "sha256_after", rh->sha_after) == -1)
			return 0;
		if ((rh->hive = strdup(hive)) == NULL)
			return -1;
		r->n_hives++;
	}
	return 1;
}

static int
load(struct json_object *o, struct runrec *r)
{
	const char *schema = get_string(o, "schema");
	const char *id = get_string(o, "id"), *time = get_string(o, "time");
	const char *command = get_string(o, "command");
	struct json_object *v;
	int64_t flags = get_int(o, "flags"), sec = get_int(o, "now_sec");
	int64_t nsec = get_int(o, "now_nsec");

	if (schema == NULL || strcmp(schema, RUNREC_SCHEMA) != 0 ||
	    id == NULL || time == NULL || command == NULL || flags < 0 ||
	    sec < 0 || nsec < 0 || nsec >= 1000000000 ||
	    !json_object_object_get_ex(o, "recover", &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return 0;
	r->recover = json_object_get_boolean(v);
	r->flags = (unsigned)flags;
	r->now.tv_sec = (time_t)sec;
	r->now.tv_nsec = (long)nsec;
	if ((r->id = strdup(id)) == NULL || (r->time = strdup(time)) == NULL ||
	    (r->command = strdup(command)) == NULL ||
	    json_strings_get(o, "profiles", &r->profiles, &r->n_profiles) == -1 ||
	    json_strings_get(o, "reg_files", &r->reg_files,
	    &r->n_reg_files) == -1)
		return -1;
	return load_hives(o, r);
}

static int
names_one_of(const struct runrec *r, char *const *ids, size_t n_ids)
{
	size_t i, j;

	for (i = 0; i < r->n_hives; i++)
		for (j = 0; j < n_ids; j++)
			if (ids[j] != NULL && strcmp(r->hives[i].hive, ids[j]) == 0)
				return 1;
	return 0;
}

/* Reads dir/name into r: 1 when it is a record naming one of ids. */
static int
read_record(const char *dir, const char *name, char *const *ids,
	    size_t n_ids, struct runrec *r)
{
	struct json_object *o;
	char *path = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (asprintf(&path, "%s/%s", dir, name) == -1)
		return -1;
	o = json_object_from_file(path);
	free(path);
	if (o == NULL)
		return 0;
	rc = load(o, r);
	json_object_put(o);
	if (rc == 1 && !names_one_of(r, ids, n_ids))
		rc = 0;
	if (rc == 1 && ((r->dir = strdup(dir)) == NULL ||
	    (r->name = strdup(name)) == NULL))
		rc = -1;
	if (rc != 1)
		runrec_free(r);
	return rc;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct runrec *)a)->name,
	    ((const struct runrec *)b)->name);
}

int
runrec_find(const char *root, char *const *ids, size_t n_ids,
	    struct runrec **out, size_t *n, struct hp_err *e)
{
	char *dir = NULL;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (asprintf(&dir, "%s/%s", root, RUNS_DIR) == -1)
		return hp_err_nomem(e);
	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return 0;	/* no run ever recorded itself here */
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		struct runrec r, *bigger;
		int got;

		if (de->d_name[0] == '.' || len < 6 ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if ((got = read_record(dir, de->d_name, ids, n_ids, &r)) == 0)
			continue;
		if (got == -1 ||
		    (bigger = realloc(*out, (*n + 1) * sizeof(**out))) == NULL) {
			if (got == 1)
				runrec_free(&r);
			rc = hp_err_nomem(e);
			break;
		}
		*out = bigger;
		(*out)[(*n)++] = r;
	}
	closedir(d);
	free(dir);
	if (rc == -1) {
		runrecs_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(**out), by_name);
	return 0;
}

void
runrec_free(struct runrec *r)
{
	size_t i;

	free(r->dir);
	free(r->name);
	free(r->id);
	free(r->time);
	free(r->command);
	strv_free(r->profiles, r->n_profiles);
	strv_free(r->reg_files, r->n_reg_files);
	for (i = 0; i < r->n_hives; i++)
		free(r->hives[i].hive);
	free(r->hives);
	memset(r, 0, sizeof(*r));
}

void
runrecs_free(struct runrec *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		runrec_free(&r[i]);
	free(r);
}
