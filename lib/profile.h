/* Profiles are .reg files with a few "; hivepatch-...:" comment lines at
 * the top, installed under $(pkgdatadir)/profiles. */
#ifndef HIVEPATCH_PROFILE_H
#define HIVEPATCH_PROFILE_H

#include <stddef.h>

#include "error.h"

#define DEFAULT_PROFILE "net4-tls12"

struct profile {
	char *name;		/* file name without .reg */
	char *path;
	char *description;	/* "; hivepatch-description: ..." */
	int requires_dotnet45;	/* "; hivepatch-requires: dotnet45" */
	int requires_dotnet35;	/* "; hivepatch-requires: dotnet35" */
};

/* The directory profiles are read from: $HIVEPATCH_PROFILE_DIR, else
 * ../profiles beside the running binary (a source tree before make
 * install), else the installed one. */
const char *profile_dir(void);

/* Finds a profile by name; HP_USAGE for an unknown one. */
int profile_find(const char *name, struct profile *p, struct hp_err *e);

/* All profiles, sorted by name. */
int profile_list(struct profile **list, size_t *n, struct hp_err *e);

void profile_free(struct profile *p);
void profile_list_free(struct profile *list, size_t n);

#endif
