/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Profiles are .reg files with a few "; hivepatch-...:" comment lines at
 * the top, installed under $(pkgdatadir)/profiles. */
#ifndef HIVEPATCH_PROFILE_H
#define HIVEPATCH_PROFILE_H

#include <stddef.h>

#include "error.h"

/* "; hivepatch-update: BUILD KB WHY": on Windows of that CurrentBuild
 * the values take effect only once update KB is installed. */
#define PROFILE_MAX_UPDATES 4
struct profile_update {
	char profile[64];	/* the profile's name */
	char build[8];		/* "7601" */
	char kb[16];		/* "KB3140245" */
	char why[160];		/* "WinHTTP reads DefaultSecureProtocols ..." */
};

struct profile {
	char *name;		/* file name without .reg */
	char *path;
	char *description;	/* "; hivepatch-description: ..." */
	int requires_dotnet45;	/* "; hivepatch-requires: dotnet45" */
	int requires_dotnet35;	/* "; hivepatch-requires: dotnet35" */
	struct profile_update updates[PROFILE_MAX_UPDATES];
	size_t n_updates;
};

/* Finds a profile by name in the directory `dir`; HP_R_UNKNOWN_PROFILE
 * for one that is not there. */
int profile_find(const char *dir, const char *name, struct profile *p,
		 struct hp_err *e);

/* All profiles of `dir`, sorted by name. */
int profile_list(const char *dir, struct profile **list, size_t *n,
		 struct hp_err *e);

void profile_free(struct profile *p);
void profile_list_free(struct profile *list, size_t n);

#endif
