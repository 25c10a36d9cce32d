/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hp_backups: the backups that would undo what a store's hives hold
 * now, run by run, newest first: the order in which rollback undoes
 * them.  Each hive's chain is followed by SHA-256 (what the hive holds,
 * the backup whose run left those bytes, what that run found, ...), so
 * it holds wherever the image lies now; the chains of a tree's hives
 * are merged by run id.  Nothing is written and nothing locked. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "error.h"
#include "hash.h"
#include "result.h"
#include "session.h"
#include "store.h"

/* How many runs back a chain is followed at most. */
#define CHAIN_MAX 1000

typedef char sha_hex[SHA256_HEX_LEN + 1];

static void
changed_free(struct hp_backups *r)
{
	size_t i;

	for (i = 0; i < r->n_changed; i++) {
		free(r->changed[i].where);
		free(r->changed[i].id);
		free(r->changed[i].time);
	}
	free(r->changed);
	r->changed = NULL;
	r->n_changed = 0;
}

static void
runs_free(struct hp_backups *r)
{
	size_t i, j;

	for (i = 0; i < r->n_runs; i++) {
		struct hp_backup_run *run = &r->runs[i];

		free(run->id);
		free(run->time);
		free(run->command);
		strv_free(run->profiles, run->n_profiles);
		for (j = 0; j < run->n_hives; j++) {
			free(run->hives[j].where);
			free(run->hives[j].sha256_before);
			free(run->hives[j].sha256_after);
		}
		free(run->hives);
	}
	free(r->runs);
	r->runs = NULL;
	r->n_runs = 0;
	changed_free(r);
}

/* The run of b's id in the list, added (from b's manifest) when it is
 * not there yet; NULL when out of memory. */
static struct hp_backup_run *
run_of(struct hp_backups *r, const struct backup *b)
{
	struct hp_backup_run *grown, *run;
	size_t i;

	for (i = 0; i < r->n_runs; i++)
		if (strcmp(r->runs[i].id, b->id) == 0)
			return &r->runs[i];
	grown = reallocarray(r->runs, r->n_runs + 1, sizeof(*grown));
	if (grown == NULL)
		return NULL;
	r->runs = grown;
	run = &r->runs[r->n_runs++];
	memset(run, 0, sizeof(*run));
	run->id = strdup(b->id);
	run->time = strdup(b->time);
	run->command = strdup(b->command != NULL ? b->command : "");
	if (run->id == NULL || run->time == NULL || run->command == NULL)
		return NULL;
	for (i = 0; i < b->n_profiles; i++)
		if (strv_push(&run->profiles, &run->n_profiles,
		    b->profiles[i]) == -1)
			return NULL;
	return run;
}

/* Adds the backup b of the store's hive, of that kind, to its run. */
static int
add_backup(struct hp_backups *r, const struct hp_store_hive *hive,
	   enum hp_hive_kind kind, const struct backup *b)
{
	struct hp_backup_run *run = run_of(r, b);
	struct hp_backup_hive *grown, *h;

	if (run == NULL)
		return -1;
	grown = reallocarray(run->hives, run->n_hives + 1, sizeof(*grown));
	if (grown == NULL)
		return -1;
	run->hives = grown;
	h = &run->hives[run->n_hives++];
	memset(h, 0, sizeof(*h));
	h->kind = kind;
	h->pages = b->pages;
	h->bytes = b->bytes;
	run->bytes += b->bytes;
	h->where = strdup(hive->where);
	h->sha256_before = strdup(b->sha_before);
	h->sha256_after = strdup(b->sha_after);
	return h->where != NULL && h->sha256_before != NULL &&
	    h->sha256_after != NULL ? 0 : -1;
}

/* The SHA-256 of the hive as the store reads it now. */
static int
hive_sha(struct hp_store *store, struct hp_store_hive *hive, sha_hex sha,
	 struct hp_err *e)
{
	struct hp_hive_files files;
	int rc;

	if (store->ops->read(store->priv, hive, &files, e) == -1)
		return -1;
	rc = sha256_fd(files.fd, hive->where, sha, e);
	hp_hive_files_free(&files);
	return rc;
}

static int
seen_before(const sha_hex *seen, size_t n, const char *sha)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(seen[i], sha) == 0)
			return 1;
	return 0;
}

/* Follows the hive's chain back from `sha`, what it holds now, adding
 * each backup met to its run: until no backup's run left the bytes in
 * hand, a SHA-256 comes back (a cycle), or CHAIN_MAX runs. */
static int
walk_chain(struct hp_backups *r, const char *root,
	   const struct hp_store_hive *hive, enum hp_hive_kind kind,
	   const char *sha_now, struct hp_err *e)
{
	sha_hex *seen = calloc(CHAIN_MAX, sizeof(*seen)), sha;
	size_t n;
	int rc = 0;

	if (seen == NULL)
		return hp_err_nomem(e);
	memcpy(sha, sha_now, sizeof(sha));
	for (n = 0; n < CHAIN_MAX && !seen_before(seen, n, sha); n++) {
		struct backup b;

		memcpy(seen[n], sha, sizeof(sha));
		if ((rc = backup_find_by_sha(root, sha, &b, e)) != 0)
			break;
		if (add_backup(r, hive, kind, &b) == -1)
			rc = hp_err_nomem(e);
		memcpy(sha, b.sha_before, sizeof(sha));
		backup_free(&b);
		if (rc == -1)
			break;
	}
	free(seen);
	return rc == -1 ? -1 : 0;
}

/* When the hive's latest backup (by its place, as rollback finds it
 * when no chain leads to one) was taken by a run whose hive it no longer
 * holds, and no run of it found what it holds (a hive rolled back, to
 * before that run or further), it is noted in changed[]. */
static int
note_changed(struct hp_backups *r, const char *root,
	     const struct hp_store_hive *hive, enum hp_hive_kind kind,
	     const char *sha_now)
{
	struct hp_backup_changed *grown, *c;
	struct hp_err none;
	struct backup b;
	int rc = 0;

	/* None, or a damaged one: rollback says which. */
	if (backup_find_latest(root, hive, &b, &none) == -1) {
		backup_free(&b);
		return 0;
	}
	if (strcmp(b.sha_after, sha_now) != 0 &&
	    !backup_found_before(root, hive, sha_now)) {
		grown = reallocarray(r->changed, r->n_changed + 1,
		    sizeof(*grown));
		if (grown == NULL) {
			backup_free(&b);
			return -1;
		}
		r->changed = grown;
		c = &r->changed[r->n_changed++];
		c->kind = kind;
		c->pages = b.pages;
		c->where = strdup(hive->where);
		c->id = strdup(b.id);
		c->time = strdup(b.time);
		if (c->where == NULL || c->id == NULL || c->time == NULL)
			rc = -1;
	}
	backup_free(&b);
	return rc;
}

/* What the hive is: what its place says, else (a bare hive file) what
 * its content says, as a run that writes it names it; HP_HIVE_UNKNOWN
 * when neither tells, or it cannot be read so far. */
static enum hp_hive_kind
kind_of(struct hp_store *store, const struct hp_store_hive *hive)
{
	enum hp_hive_kind kind = hive->kind;
	struct session s;
	struct hp_err ignored;

	if (kind != HP_HIVE_UNKNOWN || store->ops->tree)
		return kind;
	if (session_open(&s, store, HP_HIVE_UNKNOWN, SESSION_NO_RECOVER,
	    &ignored) == 0 && session_hivex(&s, &ignored) == 0)
		kind = s.found;
	session_free(&s);
	return kind;
}

/* Newest first: ids sort by time (backup_run_start). */
static int
newest_first(const void *a, const void *b)
{
	const struct hp_backup_run *x = a, *y = b;

	return strcmp(y->id, x->id);
}

static int
list_backups(struct hp_store *store, const struct hp_backups_opts *o,
	     struct hp_backups *r, struct hp_err *e)
{
	struct hp_err problem, first = { 0 };
	enum hp_hive_kind kind;
	size_t i, n_read = 0;
	sha_hex sha;

	if (backup_root_usable(o->backup_root, e) == -1)
		return -1;
	for (i = 0; i < store->n_hives; i++) {
		struct hp_store_hive *hive = &store->hives[i];

		/* A tree without SYSTEM is fine; a tree without any hive,
		 * or a hive file that is not there, is not. */
		if (store_hive_usable(hive, &problem) == -1) {
			if (first.status == HP_OK)
				first = problem;
			continue;
		}
		kind = kind_of(store, hive);
		if (hive_sha(store, hive, sha, e) == -1 ||
		    walk_chain(r, o->backup_root, hive, kind, sha, e) == -1)
			return -1;
		if (note_changed(r, o->backup_root, hive, kind, sha) == -1)
			return hp_err_nomem(e);
		n_read++;
	}
	if (n_read == 0 && first.status != HP_OK) {
		*e = first;
		return -1;
	}
	/* A hive changed since is what rollback meets only when no chain
	 * leads it elsewhere. */
	if (r->n_runs > 0)
		changed_free(r);
	if (r->n_runs > 1)
		qsort(r->runs, r->n_runs, sizeof(*r->runs), newest_first);
	for (i = 0; i < r->n_runs; i++)
		r->runs[i].step = (unsigned)(i + 1);
	return 0;
}

int
hp_backups(struct hp_store *store, const struct hp_backups_opts *opts,
	   struct hp_backups **result, struct hp_err *e)
{
	struct hp_backups *r;
	int rc;

	*result = NULL;
	memset(e, 0, sizeof(*e));
	r = calloc(1, sizeof(*r));
	if (r == NULL ||
	    (r->target = strdup(hp_store_target(store))) == NULL ||
	    (opts->backup_root != NULL &&
	    (r->backup_root = strdup(opts->backup_root)) == NULL)) {
		hp_backups_free(r);
		return hp_err_nomem(e);
	}
	rc = list_backups(store, opts, r, e);
	if (rc == -1) {
		/* A list cut short would mislead: none, and why. */
		runs_free(r);
		r->exit_status = e->status;
		r->reason = e->reason;
		r->error = strdup(e->msg);
	}
	*result = r;
	return rc;
}

void
hp_backups_free(struct hp_backups *r)
{
	if (r == NULL)
		return;
	runs_free(r);
	free(r->target);
	free(r->backup_root);
	free(r->error);
	free(r);
}
