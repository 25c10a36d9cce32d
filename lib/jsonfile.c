/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tool's own state files (backup manifests, run records): JSON,
 * written so that a crash leaves the old file or the new one whole,
 * never a part of one. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "jsonfile.h"

/* The directory's entry for the new name is only durable once the
 * directory itself is synced. */
static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
state_dir_create(const char *path, struct hp_err *e)
{
	char *copy = strdup(path), *p;

	if (copy == NULL)
		return hp_err_nomem(e);
	for (p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (mkdir(copy, 0700) == -1 && errno != EEXIST) {
				hp_err_set(e, HP_R_IO, "%s: cannot create: %s",
				    copy, strerror(errno));
				free(copy);
				return -1;
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	free(copy);
	return 0;
}

/* Writes text into the new file fd and syncs it; -1 with errno. */
static int
write_text(int fd, const char *text)
{
	if (write_all(fd, text, strlen(text)) == -1 ||
	    write_all(fd, "\n", 1) == -1 || fsync(fd) == -1)
		return -1;
	return 0;
}

int
json_file_write(const char *dir, const char *name, struct json_object *o,
		struct hp_err *e)
{
	const char *text = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	char *path = NULL, *tmp = NULL;
	int fd, err, rc = -1, made = 0;

	if (text == NULL || asprintf(&path, "%s/%s", dir, name) == -1 ||
	    asprintf(&tmp, "%s/.%s.tmp", dir, name) == -1) {
		free(path);
		return hp_err_nomem(e);
	}
	/* Only its owner reads what the tool keeps of an image.  Messages
	 * blame the file written; its temporary file is said removed. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		hp_err_set(e, HP_R_IO, "%s: cannot create its temporary file "
		    "%s: %s", path, tmp, strerror(errno));
		goto out;
	}
	made = 1;
	err = write_text(fd, text) == -1 ? errno : 0;
	if (close(fd) == -1 && err == 0)
		err = errno;
	if (err != 0) {
		hp_err_set(e, HP_R_IO, "%s: cannot write its temporary file %s: "
		    "%s", path, tmp, strerror(err));
		goto out;
	}
	if (rename(tmp, path) == -1) {
		hp_err_set(e, HP_R_IO, "%s: cannot rename its temporary file %s "
		    "into place: %s", path, tmp, strerror(errno));
		goto out;
	}
	made = 0;
	if (sync_dir(dir) == -1) {
		hp_err_set(e, HP_R_IO, "%s: written, but cannot sync its "
		    "directory: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (made && unlink(tmp) == -1)
		hp_err_append(e, " (the temporary file could not be removed: "
		    "%s)", strerror(errno));
	else if (made)
		hp_err_append(e, " (the temporary file was removed)");
	free(path);
	free(tmp);
	return rc;
}

int
json_file_remove(const char *dir, const char *name)
{
	char *path = NULL;
	int rc;

	if (asprintf(&path, "%s/%s", dir, name) == -1)
		return -1;
	rc = unlink(path);
	free(path);
	if (rc == -1)
		return errno == ENOENT ? 0 : -1;	/* none: nothing to sync */
	return sync_dir(dir);
}

struct json_object *
json_strings_new(const char *const *items, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_object_array_add(a, json_object_new_string(items[i]));
	return a;
}

int
json_strings_get(struct json_object *o, const char *key, char ***items,
		 size_t *n)
{
	struct json_object *a, *v;
	size_t i, len;

	*items = NULL;
	*n = 0;
	if (!json_object_object_get_ex(o, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return 0;
	len = json_object_array_length(a);
	if ((*items = calloc(len ? len : 1, sizeof(**items))) == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string))
			continue;
		if (((*items)[*n] = strdup(json_object_get_string(v))) == NULL)
			return -1;
		(*n)++;
	}
	return 0;
}

int
json_hex_get(struct json_object *o, const char *key,
	     char out[SHA256_HEX_LEN + 1])
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (s = json_object_get_string(v)) == NULL ||
	    strlen(s) != SHA256_HEX_LEN)
		return -1;
	memcpy(out, s, SHA256_HEX_LEN + 1);
	return 0;
}
