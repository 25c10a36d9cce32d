/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tool's own JSON state files, written whole or not at all. */
#ifndef HIVEPATCH_JSONFILE_H
#define HIVEPATCH_JSONFILE_H

#include <json-c/json.h>

#include "error.h"
#include "hash.h"

/* Creates path and its missing parents, mode 0700. */
int state_dir_create(const char *path, struct hp_err *e);

/* Writes o as dir/name (mode 0600): a temporary beside it, synced,
 * renamed over the name, the directory synced.  A crash leaves the old
 * file or the new one. */
int json_file_write(const char *dir, const char *name, struct json_object *o,
		    struct hp_err *e);

/* Removes dir/name and syncs the directory; 0 when it was gone already
 * (nothing to sync), -1 with errno. */
int json_file_remove(const char *dir, const char *name);

/* A JSON array of the strings (NULL on out of memory). */
struct json_object *json_strings_new(const char *const *items, size_t n);

/* The strings of the array o[key], anything not a string left out; none
 * when there is no such array.  -1 out of memory (*items then holds
 * what was copied: free it as usual). */
int json_strings_get(struct json_object *o, const char *key, char ***items,
		     size_t *n);

/* Copies o[key] when it is a SHA-256 in hex; -1 when it is not. */
int json_hex_get(struct json_object *o, const char *key,
		 char out[SHA256_HEX_LEN + 1]);

#endif
