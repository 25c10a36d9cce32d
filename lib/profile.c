/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* The longest profile name valid_name takes. */
#define NAME_MAX_LEN 64

/* The edit distance of the first la bytes of a and the name b, letter
 * case aside: insertions, deletions, substitutions and swaps of two
 * neighbours each count one (optimal string alignment). */
static unsigned
name_distance(const char *a, size_t la, const char *b)
{
	unsigned char d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];
	size_t lb = strlen(b), i, j;

	if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
		return UINT_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned char)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			int cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			unsigned best = d[i - 1][j - 1] + (unsigned)cost;

			if (d[i - 1][j] + 1u < best)
				best = d[i - 1][j] + 1u;
			if (d[i][j - 1] + 1u < best)
				best = d[i][j - 1] + 1u;
			if (i > 1 && j > 1 && cost &&
			    tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
			    tolower((unsigned char)b[j - 1]) &&
			    d[i - 2][j - 2] + 1u < best)
				best = d[i - 2][j - 2] + 1u;
			d[i][j] = (unsigned char)best;
		}
	return d[la][lb];
}

/* How near the candidate profile name is to what was given (n bytes of
 * name): 0 the same but for case, 1 for a start of it of 3 or more
 * letters, else the edit distance; UINT_MAX when too far to suggest
 * (more than 1 edit for a name of up to 4 letters, 2 up to 8, 3). */
static unsigned
name_score(const char *name, size_t n, const char *candidate)
{
	unsigned d = name_distance(name, n, candidate);
	unsigned most = n <= 4 ? 1 : n <= 8 ? 2 : 3;

	if (d != 0 && n >= 3 && n < strlen(candidate) &&
	    strncasecmp(candidate, name, n) == 0)
		return 1;
	return d <= most ? d : UINT_MAX;
}

/* Keeps candidate in best (of size bytes) when it is nearer to name
 * than what best holds (score *best_score), or as near and shorter, or
 * as short and first in sorted order. */
static void
consider(const char *name, size_t n, const char *candidate, char *best,
	 size_t size, unsigned *best_score)
{
	unsigned score = name_score(name, n, candidate);
	size_t lc = strlen(candidate), lb = strlen(best);

	if (score == UINT_MAX || score > *best_score ||
	    (score == *best_score && (lc > lb ||
	    (lc == lb && strcmp(candidate, best) >= 0))))
		return;
	*best_score = score;
	snprintf(best, size, "%s", candidate);
}

/* The profile name of `dir`, or auto, nearest to `name` (what a typo,
 * a letter case or a ".reg" left out of it would give) into best;
 * best is "" when none is near. */
static void
nearest_name(const char *dir, const char *name, char *best, size_t size)
{
	size_t n = strlen(name), len;
	unsigned best_score = UINT_MAX;
	struct dirent *de;
	char cand[NAME_MAX_LEN + 1];
	DIR *d;

	best[0] = '\0';
	if (n > 4 && strcasecmp(name + n - 4, ".reg") == 0)
		n -= 4;
	if (n == 0 || n > NAME_MAX_LEN)
		return;
	consider(name, n, HP_AUTO_PROFILE, best, size, &best_score);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 4 || len - 4 > NAME_MAX_LEN ||
		    strcmp(de->d_name + len - 4, ".reg") != 0)
			continue;
		snprintf(cand, sizeof(cand), "%.*s", (int)(len - 4), de->d_name);
		if (valid_name(cand) && is_regular(dir, de->d_name))
			consider(name, n, cand, best, size, &best_score);
	}
	closedir(d);
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
	char near[NAME_MAX_LEN + 1];

	memset(p, 0, sizeof(*p));
	if (!valid_name(name)) {
		nearest_name(dir, name, near, sizeof(near));
		if (near[0] != '\0')
			return hp_err_set(e, HP_R_USAGE, "'%s' is not a profile "
			    "name: did you mean '%s'?", name, near);
		return hp_err_set(e, HP_R_USAGE,
		    "'%s' is not a profile name (see hivepatch profiles)", name);
	}
	p->name = strdup(name);
	if (p->name == NULL ||
	    asprintf(&p->path, "%s/%s.reg", dir, name) == -1) {
		p->path = NULL;
		profile_free(p);
		return hp_err_nomem(e);
	}
	if (access(p->path, F_OK) == -1) {
		nearest_name(dir, name, near, sizeof(near));
		if (near[0] != '\0')
			hp_err_set(e, HP_R_UNKNOWN_PROFILE, "unknown profile '%s' "
			    "(no %s): did you mean '%s'?", name, p->path, near);
		else
			hp_err_set(e, HP_R_UNKNOWN_PROFILE, "unknown profile '%s' "
			    "(no %s; hivepatch profiles lists them)", name,
			    p->path);
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
