/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hive.h"
#include "hiveview.h"
#include "verify.h"

/* Judges a copy of the plan, so that the caller's keeps its "before"
 * data and what else a judgement allocates; returns the count of items
 * the hive does not hold, or -1. */
static int
count_unmet_copy(const struct lookup_ctx *c, const struct plan *plan,
		 struct hp_err *e)
{
	struct plan check;
	size_t i;
	int unmet;

	check.n_items = plan->n_items;
	check.items = calloc(plan->n_items ? plan->n_items : 1,
	    sizeof(*check.items));
	if (check.items == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < plan->n_items; i++) {
		check.items[i] = plan->items[i];
		check.items[i].before = NULL;
		check.items[i].big_sibling = NULL;
	}
	unmet = plan_count_unmet(c, &check, e);
	for (i = 0; i < check.n_items; i++) {
		free(check.items[i].before);
		free(check.items[i].big_sibling);
	}
	free(check.items);
	return unmet;
}

int
verify_written(void *arg, int fd, struct hp_err *e)
{
	struct verify_job *job = arg;
	struct hive_header hdr;
	char path[32];
	struct stat st;
	hive_h *h;
	int unmet = 0;

	if (fstat(fd, &st) == -1)
		return hp_err_set(e, HP_R_IO, "%s: the new hive: %s", job->where,
		    strerror(errno));
	if (hive_read_header_fd(fd, (uint64_t)st.st_size, job->where, &hdr,
	    e) == -1 || fd_path(fd, job->where, path, e) == -1)
		return -1;
	if ((h = hive_open(path, 0, job->where, e)) == NULL)
		return -1;
	if (job->plan != NULL) {
		const struct lookup_ctx c = { h, fd, job->where };

		unmet = count_unmet_copy(&c, job->plan, e);
	}
	if (unmet > 0)
		hp_err_set(e, HP_R_NOT_VERIFIED, "%s: the new hive does not hold "
		    "%d of the planned values", job->where, unmet);
	if (unmet == 0 && hive_walk_all(h, fd, job->kind, job->where,
	    e) == -1) {
		hp_err_append(e, "; found in the new hive, not put in place");
		unmet = -1;
	}
	hivex_close(h);
	if (unmet != 0)
		return -1;
	job->seq = hdr.seq_primary;
	return job->hashed ? 0 : sha256_fd(fd, job->where, job->sha, e);
}

int
verify_sha(void *arg, int fd, struct hp_err *e)
{
	const struct sha_job *job = arg;
	char sha[SHA256_HEX_LEN + 1];

	if (sha256_fd(fd, job->source, sha, e) == -1)
		return -1;
	if (strcmp(sha, job->sha) != 0)
		return hp_err_set(e, HP_R_DAMAGED, "%s: backup is damaged (sha256 "
		    "%s, manifest says %s)", job->source, sha, job->sha);
	return 0;
}
