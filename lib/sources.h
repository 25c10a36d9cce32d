/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a run applies: profiles (by name, from the profile directory)
 * and .reg files, parsed into one list of operations in order, with the
 * .NET versions the profiles need. */
#ifndef HIVEPATCH_SOURCES_H
#define HIVEPATCH_SOURCES_H

#include <stddef.h>

#include "hivepatch.h"
#include "profile.h"
#include "regfile.h"

struct sources {
	char **profiles;		/* names loaded, auto's included */
	size_t n_profiles;
	int uses_auto;			/* "auto" was asked for */
	char auto_why[256];		/* the rule auto applied */
	struct reg_doc *docs;
	size_t n_docs, cap_docs;
	const struct reg_op **ops;	/* every document's, in order */
	size_t n_ops;
	int needs_dotnet45, needs_dotnet35;
	struct profile_update *updates;	/* the profiles' (profile.h) */
	size_t n_updates;
};

/* Loads the profiles (in order; "auto" is only noted, to be expanded by
 * sources_add_profile once the image is known), then the .reg files. */
int sources_load(struct sources *src, const char *profile_dir,
		 const char *const *profiles, size_t n_profiles,
		 const char *const *reg_files, size_t n_reg_files,
		 struct hp_err *e);

/* Parses one more profile and adds its operations. */
int sources_add_profile(struct sources *src, const char *profile_dir,
			const char *name, struct hp_err *e);

void sources_free(struct sources *src);

/* Which .NET the image lacks for what the sources need. */
enum dotnet_gap {
	DOTNET_OK,
	DOTNET_45_MISSING,	/* no .NET 4 at all */
	DOTNET_40_ONLY,		/* 4.0 without a Release: not 4.5 */
	DOTNET_35_MISSING,
};

enum dotnet_gap dotnet_gap(int needs_dotnet45, int needs_dotnet35,
			   const struct hp_image *image);

#endif
