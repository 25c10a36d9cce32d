/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "textconv.h"

static int
is_regular(const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;

	return snprintf(path, sizeof(path), "%s/%s", dir, file) <
	    (int)sizeof(path) && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Profile names are file names we build paths from: keep them tame. */
static int
valid_name(const char *name)
{
	const char *p;

	if (*name == '\0' || strlen(name) > 64)
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return name[0] != '.';
}

static char *
trimmed_dup(const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, "\r\n");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

/* The comment lines that carry metadata sit at the top of the file. */
#define META_SPAN 16384

/* "BUILD KB WHY" to the end of the line; one not of that shape (or past
 * PROFILE_MAX_UPDATES) is left out. */
static void
add_update(struct profile *p, const char *s)
{
	struct profile_update *u = &p->updates[p->n_updates];
	int at = 0;

	if (p->n_updates == PROFILE_MAX_UPDATES)
		return;
	memset(u, 0, sizeof(*u));
	if (sscanf(s, " %7[0-9] %15[KB0-9] %n", u->build, u->kb, &at) != 2 ||
	    at == 0 || strncmp(u->kb, "KB", 2) != 0)
		return;
	snprintf(u->profile, sizeof(u->profile), "%s", p->name);
	snprintf(u->why, sizeof(u->why), "%.*s", (int)strcspn(s + at, "\r\n"),
	    s + at);
	if (u->why[0] != '\0')
		p->n_updates++;
}

/* Reads the "; hivepatch-KEY: value" lines before the first section, in
 * either encoding a .reg file may have. */
static int
read_meta(struct profile *p, struct hp_err *e)
{
	static const char desc[] = "; hivepatch-description:";
	static const char req[] = "; hivepatch-requires:";
	static const char upd[] = "; hivepatch-update:";
	unsigned char raw[META_SPAN], *wide = NULL;
	const char *text, *line;
	size_t len, bad_at;
	FILE *f;

	f = fopen(p->path, "re");
	if (f == NULL)
		return hp_err_set(e, HP_R_IO, "%s: cannot read profile: %s",
		    p->path, strerror(errno));
	len = fread(raw, 1, sizeof(raw) - 1, f);
	fclose(f);
	raw[len] = '\0';
	text = (const char *)raw;
	if (len >= 2 && raw[0] == 0xff && raw[1] == 0xfe) {
		/* A cut in the middle of a character only loses the tail. */
		if (text_convert("UTF-8", "UTF-16LE", raw + 2, (len - 2) & ~(size_t)1,
		    &wide, &len, &bad_at) != TEXT_OK)
			return hp_err_set(e, HP_R_USAGE,
			    "%s: profile is not valid UTF-16LE", p->path);
		text = (const char *)wide;
	} else if (len >= 3 && memcmp(raw, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
	}
	for (line = text; *line != '\0' && *line != '['; ) {
		if (strncmp(line, desc, sizeof(desc) - 1) == 0) {
			free(p->description);
			p->description = trimmed_dup(line + sizeof(desc) - 1);
		} else if (strncmp(line, req, sizeof(req) - 1) == 0) {
			size_t n = strcspn(line, "\r\n");

			if (memmem(line, n, "dotnet45", 8) != NULL)
				p->requires_dotnet45 = 1;
			if (memmem(line, n, "dotnet35", 8) != NULL)
				p->requires_dotnet35 = 1;
		} else if (strncmp(line, upd, sizeof(upd) - 1) == 0) {
			add_update(p, line + sizeof(upd) - 1);
		}
		line += strcspn(line, "\n");
		if (*line == '\n')
			line++;
	}
	free(wide);
	if (p->description == NULL)
		p->description = strdup("");
	return p->description ? 0 : hp_err_nomem(e);
}

int
profile_find(const char *dir, const char *name, struct profile *p,
	     struct hp_err *e)
{
	memset(p, 0, sizeof(*p));
	if (!valid_name(name))
		return hp_err_set(e, HP_R_USAGE,
		    "'%s' is not a profile name (see hivepatch profiles)", name);
	p->name = strdup(name);
	if (p->name == NULL ||
	    asprintf(&p->path, "%s/%s.reg", dir, name) == -1) {
		p->path = NULL;
		profile_free(p);
		return hp_err_nomem(e);
	}
	if (access(p->path, F_OK) == -1) {
		hp_err_set(e, HP_R_UNKNOWN_PROFILE,
		    "unknown profile '%s' (no %s; hivepatch profiles lists them)",
		    name, p->path);
		profile_free(p);
		return -1;
	}
	if (read_meta(p, e) == -1) {
		profile_free(p);
		return -1;
	}
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct profile *)a)->name,
	    ((const struct profile *)b)->name);
}

int
profile_list(const char *dir, struct profile **list, size_t *n,
	     struct hp_err *e)
{
	struct profile *out = NULL;
	struct dirent *de;
	size_t count = 0;
	DIR *d;

	*list = NULL;
	*n = 0;
	d = opendir(dir);
	if (d == NULL)
		return hp_err_set(e, HP_R_IO, "%s: cannot list profiles: %s",
		    dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		struct profile *grown;
		char *name;

		if (len <= 4 || strcmp(de->d_name + len - 4, ".reg") != 0)
			continue;
		name = strndup(de->d_name, len - 4);
		/* A stray file must not make the whole list fail. */
		if (name != NULL && (!valid_name(name) ||
		    !is_regular(dir, de->d_name))) {
			free(name);
			continue;
		}
		grown = realloc(out, (count + 1) * sizeof(*out));
		if (name == NULL || grown == NULL) {
			free(name);
			if (grown)
				out = grown;
			closedir(d);
			profile_list_free(out, count);
			return hp_err_nomem(e);
		}
		out = grown;
		if (profile_find(dir, name, &out[count], e) == -1) {
			free(name);
			closedir(d);
			profile_list_free(out, count);
			return -1;
		}
		free(name);
		count++;
	}
	closedir(d);
	if (count > 1)
		qsort(out, count, sizeof(*out), by_name);
	*list = out;
	*n = count;
	return 0;
}

void
profile_free(struct profile *p)
{
	free(p->name);
	free(p->path);
	free(p->description);
	memset(p, 0, sizeof(*p));
}

void
profile_list_free(struct profile *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		profile_free(&list[i]);
	free(list);
}

int
hp_profiles(const char *profile_dir, struct hp_profile_info **out, size_t *n,
	    struct hp_err *e)
{
	struct profile *list;
	size_t i;

	*out = NULL;
	*n = 0;
	if (profile_list(profile_dir, &list, n, e) == -1)
		return -1;
	*out = calloc(*n ? *n : 1, sizeof(**out));
	if (*out == NULL) {
		profile_list_free(list, *n);
		*n = 0;
		return hp_err_nomem(e);
	}
	/* The names and descriptions move over; the paths go. */
	for (i = 0; i < *n; i++) {
		(*out)[i].name = list[i].name;
		(*out)[i].description = list[i].description;
		free(list[i].path);
	}
	free(list);
	return 0;
}

void
hp_profiles_free(struct hp_profile_info *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].description);
	}
	free(list);
}
