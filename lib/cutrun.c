/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs cut short between the commits of their hives.  A run that writes
 * two hives records itself (runrec.h) before its first commit and drops
 * the record after its last; a later run over the same hives that finds
 * the record sees, by the hives' hashes, how far that run got.  A run
 * that writes completes it (the same change, stamped with the same
 * time), one that only reads says so; rollback undoes it. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cutrun.h"
#include "error.h"
#include "result.h"
#include "store.h"

static char *
strdup_or_null(const char *s, int *failed)
{
	char *d = s ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		*failed = 1;
	return d;
}

/* The run's .reg files as absolute paths: a completion may run from
 * another directory. */
static int
absolute_paths(char ***dst, size_t *n, const char *const *src, size_t n_src)
{
	size_t i;

	for (i = 0; i < n_src; i++) {
		char *real = realpath(src[i], NULL);
		int rc = strv_push(dst, n, real ? real : src[i]);

		free(real);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
cutrun_record(const struct patch_run *run, struct runrec *rec,
	      struct hp_err *e)
{
	const struct hp_patch_opts *o = run->o;
	const struct session *first = NULL;
	size_t i, n = 0;
	int failed = 0;

	memset(rec, 0, sizeof(*rec));
	for (i = 0; i < run->n_hives; i++)
		n += run->hives[i].must_write != 0;
	if (n < 2)
		return 0;	/* one hive: its own commit is all or nothing */
	if ((rec->hives = calloc(n, sizeof(*rec->hives))) == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < run->n_hives; i++) {
		const struct session *s = &run->hives[i];
		struct runrec_hive *h = &rec->hives[rec->n_hives];

		if (!s->must_write)
			continue;
		if (first == NULL)
			first = s;
		h->hive = strdup_or_null(s->hive->identity, &failed);
		memcpy(h->sha_before, s->backup.sha_before, sizeof(h->sha_before));
		memcpy(h->sha_after, s->sha_new, sizeof(h->sha_after));
		rec->n_hives++;
	}
	rec->id = strdup_or_null(first->backup.id, &failed);
	rec->time = strdup_or_null(first->backup.time, &failed);
	rec->command = strdup_or_null(o->command, &failed);
	rec->recover = o->mode == HP_PATCH_RECOVER;
	rec->flags = o->flags;
	rec->now = *o->now;
	for (i = 0; !failed && i < run->src.n_profiles; i++)
		failed = strv_push(&rec->profiles, &rec->n_profiles,
		    run->src.profiles[i]) == -1;
	if (failed || absolute_paths(&rec->reg_files, &rec->n_reg_files,
	    o->reg_files, o->n_reg_files) == -1)
		return hp_err_nomem(e);
	return runrec_write(o->backup_root, rec, e);
}

enum hive_state { NOT_WRITTEN, WRITTEN, CHANGED, ABSENT };

/* Where each hive of the record stands now, by its hash. */
static int
hive_states(struct hp_store *store, const struct runrec *rec,
	    enum hive_state *state, struct hp_err *e)
{
	struct hp_store_hive *hives;
	size_t n = hp_store_hives(store, &hives), i, j;

	for (i = 0; i < rec->n_hives; i++) {
		char sha[SHA256_HEX_LEN + 1];
		struct hp_hive_files f;
		struct hp_err unreadable;

		state[i] = ABSENT;
		for (j = 0; j < n; j++)
			if (hives[j].identity != NULL &&
			    strcmp(hives[j].identity, rec->hives[i].hive) == 0)
				break;
		if (j == n || store->ops->read(store->priv, &hives[j], &f,
		    &unreadable) == -1)
			continue;
		if (sha256_fd(f.fd, hives[j].where, sha, e) == -1) {
			hp_hive_files_free(&f);
			return -1;
		}
		hp_hive_files_free(&f);
		state[i] = strcmp(sha, rec->hives[i].sha_after) == 0 ? WRITTEN :
		    strcmp(sha, rec->hives[i].sha_before) == 0 ? NOT_WRITTEN :
		    CHANGED;
	}
	return 0;
}

/* "the apply run of TIME (profiles a b) was cut short between the
 * commits of its hives: X written; Y not written" */
static char *
describe(const struct runrec *rec, const enum hive_state *state)
{
	static const char *const label[] = { "not written", "written",
	    "changed since", "not in this target" };
	char **what = rec->n_profiles ? rec->profiles : rec->reg_files;
	size_t n = rec->n_profiles ? rec->n_profiles : rec->n_reg_files, i;
	char *text = NULL, *more;

	if (asprintf(&text, "the %s run of %s (%s", rec->command, rec->time,
	    rec->n_profiles ? "profile" : n ? ".reg file" : "recovery") == -1)
		return NULL;
	for (i = 0; i <= n + rec->n_hives; i++) {
		int r = i < n ? asprintf(&more, "%s%s %s", text,
		    i == 0 && n > 1 ? "s" : "", what[i]) :
		    i == n ? asprintf(&more, "%s) was cut short between the "
		    "commits of its hives:", text) :
		    asprintf(&more, "%s%s %s %s", text, i > n + 1 ? ";" : "",
		    rec->hives[i - n - 1].hive, label[state[i - n - 1]]);

		free(text);
		if (r == -1)
			return NULL;
		text = more;
	}
	return text;
}

/* Runs the recorded change again over the store: the hives it wrote
 * already comply and are left, the others are written. */
static int
complete(struct hp_store *store, const struct hp_patch_opts *o,
	 const struct runrec *rec, char **done, struct hp_err *e)
{
	struct hp_patch_opts again = {
		.command = rec->command,
		.mode = rec->recover ? HP_PATCH_RECOVER : HP_PATCH_APPLY,
		.flags = rec->flags & ~(unsigned)HP_DRY_RUN,
		.profiles = (const char *const *)rec->profiles,
		.n_profiles = rec->n_profiles,
		.reg_files = (const char *const *)rec->reg_files,
		.n_reg_files = rec->n_reg_files,
		.profile_dir = o->profile_dir,
		.backup_root = o->backup_root,
		.now = &rec->now,
	};
	struct hp_result *r = NULL;
	int rc = patch_once(store, &again, &r, e);

	*done = NULL;
	if (rc != -1 && r != NULL && r->result != NULL &&
	    (*done = strdup(r->result)) == NULL)
		rc = hp_err_nomem(e);
	hp_result_free(r);
	return rc == -1 ? -1 : 0;
}

static int
settle_one(struct hp_store *store, const struct hp_patch_opts *o,
	   const struct runrec *rec, char ***notes, size_t *n_notes,
	   struct hp_err *e)
{
	enum hive_state *state = calloc(rec->n_hives, sizeof(*state));
	size_t i, count[4] = { 0 };
	/* recover --output only reads the target, as verify does. */
	int writing = o->mode != HP_PATCH_VERIFY &&
	    !(o->flags & HP_DRY_RUN) && o->output == NULL;
	char *what, *done;
	int rc = 0;

	if (state == NULL)
		return hp_err_nomem(e);
	if (hive_states(store, rec, state, e) == -1) {
		free(state);
		return -1;
	}
	for (i = 0; i < rec->n_hives; i++)
		count[state[i]]++;
	if (count[CHANGED] + count[ABSENT] == 0 &&
	    (count[WRITTEN] == 0 || count[NOT_WRITTEN] == 0)) {
		/* It finished, or wrote nothing: nothing is half done. */
		if (writing)
			(void)runrec_remove(rec);
		free(state);
		return 0;
	}
	what = describe(rec, state);
	free(state);
	if (what == NULL)
		return hp_err_nomem(e);
	if (!writing || count[CHANGED] + count[ABSENT] > 0) {
		if (strv_pushf(notes, n_notes, "%s; %s", what,
		    count[CHANGED] + count[ABSENT] > 0 ? "it can no longer be "
		    "completed; hivepatch rollback undoes what it wrote" :
		    "a hivepatch run that writes this target completes it, "
		    "hivepatch rollback undoes it") == -1)
			rc = hp_err_nomem(e);
	} else if (complete(store, o, rec, &done, e) == -1) {
		char msg[sizeof(e->msg)];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		rc = hp_err_set(e, e->reason, "%.500s; completing it failed: "
		    "%.400s; hivepatch rollback undoes it", what, msg);
	} else {
		if (strv_pushf(notes, n_notes, "%s; completed it: %s", what,
		    done ? done : "nothing left to write") == -1)
			rc = hp_err_nomem(e);
		free(done);
		(void)runrec_remove(rec);
	}
	free(what);
	return rc;
}

int
cutrun_settle(struct hp_store *store, const struct hp_patch_opts *o,
	      char ***notes, size_t *n_notes, struct hp_err *e)
{
	struct hp_store_hive *hives;
	size_t n = hp_store_hives(store, &hives), i, n_recs = 0;
	struct runrec *recs = NULL;
	char **ids;
	int rc = 0;

	if (o->backup_root == NULL || o->backup_root[0] == '\0' || n == 0)
		return 0;
	if ((ids = calloc(n, sizeof(*ids))) == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < n; i++)
		ids[i] = hives[i].identity;
	if (runrec_find(o->backup_root, ids, n, &recs, &n_recs, e) == -1)
		rc = -1;
	for (i = 0; rc == 0 && i < n_recs; i++)
		rc = settle_one(store, o, &recs[i], notes, n_notes, e);
	runrecs_free(recs, n_recs);
	free(ids);
	return rc;
}
