/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The record a run that writes more than one hive leaves in the backup
 * directory from before its first commit until its last: a run killed in
 * between is found by the next one, which completes it. */
#ifndef HIVEPATCH_RUNREC_H
#define HIVEPATCH_RUNREC_H

#include <stddef.h>
#include <time.h>

#include "error.h"
#include "hash.h"

struct runrec_hive {
	char *hive;		/* its identity (absolute path) */
	char sha_before[SHA256_HEX_LEN + 1];
	char sha_after[SHA256_HEX_LEN + 1];
};

struct runrec {
	char *dir;		/* root/runs */
	char *name;		/* <run id>.json */
	char *id;		/* the run's backup id */
	char *time;		/* UTC, ISO 8601 */
	char *command;		/* "apply", "import", "recover" */
	int recover;		/* its mode was HP_PATCH_RECOVER */
	unsigned flags;		/* its HP_* flags */
	struct timespec now;	/* the time it stamped: a completion
				 * stamps the same */
	char **profiles;
	size_t n_profiles;
	char **reg_files;	/* absolute paths */
	size_t n_reg_files;
	struct runrec_hive *hives;
	size_t n_hives;
};

/* Writes r as root/runs/<r->id>.json, durably; sets r->dir and r->name. */
int runrec_write(const char *root, struct runrec *r, struct hp_err *e);

/* Removes the record: its run finished, failed cleanly, or was
 * completed or undone. */
int runrec_remove(const struct runrec *r);

/* Removes the record of run `id` under root, if there is one: 0, or -1
 * with errno. */
int runrec_remove_id(const char *root, const char *id);

/* The records under root that name one of the identities (oldest
 * first).  A record that cannot be read is passed over.  *out is NULL
 * and *n 0 when there are none. */
int runrec_find(const char *root, char *const *identities, size_t n_ids,
		struct runrec **out, size_t *n, struct hp_err *e);

void runrec_free(struct runrec *r);
void runrecs_free(struct runrec *r, size_t n);

#endif
