/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "error.h"
#include "profile.h"
#include "sources.h"

static int
next_doc(struct sources *src, struct reg_doc **doc, struct hp_err *e)
{
	if (src->n_docs == src->cap_docs) {
		size_t cap = src->cap_docs ? src->cap_docs * 2 : 8;
		struct reg_doc *grown = reallocarray(src->docs, cap,
		    sizeof(*grown));

		if (grown == NULL)
			return hp_err_nomem(e);
		src->docs = grown;
		src->cap_docs = cap;
	}
	*doc = &src->docs[src->n_docs];
	memset(*doc, 0, sizeof(**doc));
	return 0;
}

/* Gathers every document's operations into one list, in order. */
static int
collect_ops(struct sources *src, struct hp_err *e)
{
	size_t i, j, k = 0;

	free(src->ops);
	src->n_ops = 0;
	for (i = 0; i < src->n_docs; i++)
		src->n_ops += src->docs[i].n_ops;
	src->ops = calloc(src->n_ops ? src->n_ops : 1, sizeof(*src->ops));
	if (src->ops == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < src->n_docs; i++)
		for (j = 0; j < src->docs[i].n_ops; j++)
			src->ops[k++] = &src->docs[i].ops[j];
	return 0;
}

static int
add_updates(struct sources *src, const struct profile *p, struct hp_err *e)
{
	struct profile_update *grown;

	if (p->n_updates == 0)
		return 0;
	grown = reallocarray(src->updates, src->n_updates + p->n_updates,
	    sizeof(*grown));
	if (grown == NULL)
		return hp_err_nomem(e);
	memcpy(grown + src->n_updates, p->updates,
	    p->n_updates * sizeof(*grown));
	src->updates = grown;
	src->n_updates += p->n_updates;
	return 0;
}

/* Parses one profile into the documents, without collecting. */
static int
load_profile(struct sources *src, const char *dir, const char *name,
	     struct hp_err *e)
{
	struct reg_doc *doc;
	struct profile p;
	char **grown;
	int rc;

	grown = reallocarray(src->profiles, src->n_profiles + 1,
	    sizeof(*grown));
	if (grown == NULL)
		return hp_err_nomem(e);
	src->profiles = grown;
	if (next_doc(src, &doc, e) == -1 || profile_find(dir, name, &p, e) == -1)
		return -1;
	src->needs_dotnet45 |= p.requires_dotnet45;
	src->needs_dotnet35 |= p.requires_dotnet35;
	rc = add_updates(src, &p, e);
	if (rc == 0)
		rc = reg_parse_file(p.path, doc, e);
	profile_free(&p);
	if (rc == -1)
		return -1;
	src->n_docs++;
	if ((src->profiles[src->n_profiles] = strdup(name)) == NULL)
		return hp_err_nomem(e);
	src->n_profiles++;
	return 0;
}

int
sources_load(struct sources *src, const char *profile_dir,
	     const char *const *profiles, size_t n_profiles,
	     const char *const *reg_files, size_t n_reg_files,
	     struct hp_err *e)
{
	struct reg_doc *doc;
	size_t i;

	memset(src, 0, sizeof(*src));
	for (i = 0; i < n_profiles; i++) {
		if (strcmp(profiles[i], HP_AUTO_PROFILE) == 0) {
			src->uses_auto = 1;
			continue;
		}
		if (load_profile(src, profile_dir, profiles[i], e) == -1)
			return -1;
	}
	for (i = 0; i < n_reg_files; i++) {
		if (next_doc(src, &doc, e) == -1 ||
		    reg_parse_file(reg_files[i], doc, e) == -1)
			return -1;
		src->n_docs++;
	}
	return collect_ops(src, e);
}

int
sources_add_profile(struct sources *src, const char *profile_dir,
		    const char *name, struct hp_err *e)
{
	if (load_profile(src, profile_dir, name, e) == -1)
		return -1;
	return collect_ops(src, e);
}

void
sources_free(struct sources *src)
{
	size_t i;

	for (i = 0; i < src->n_docs; i++)
		reg_doc_free(&src->docs[i]);
	free(src->docs);
	for (i = 0; i < src->n_profiles; i++)
		free(src->profiles[i]);
	free(src->profiles);
	free(src->ops);
	free(src->updates);
	memset(src, 0, sizeof(*src));
}

enum dotnet_gap
dotnet_gap(int needs_dotnet45, int needs_dotnet35, const struct hp_image *im)
{
	if (needs_dotnet45 && !image_has_dotnet45(im))
		return im->dotnet4_full ? DOTNET_40_ONLY : DOTNET_45_MISSING;
	if (needs_dotnet35 && !im->dotnet35)
		return DOTNET_35_MISSING;
	return DOTNET_OK;
}
