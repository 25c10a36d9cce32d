/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hp_rollback: put back the hives (and their logs) the last apply,
 * import or recover replaced, but only over the files that run left
 * (their hashes must match), unless forced.  Every file is checked
 * before any is written, so a refusal writes nothing.  With a run id
 * (`to`), one such step after another until that run is undone. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "error.h"
#include "hash.h"
#include "hiveview.h"
#include "result.h"
#include "runrec.h"
#include "store.h"

/* One hive of the store and the latest backup of it, if any. */
struct rollback_hive {
	struct hp_store_hive *hive;
	struct hp_hive_files files;	/* as it is now */
	char sha[SHA256_HEX_LEN + 1];	/* of the hive now */
	struct backup backup;
	int found;
	int by_sha;		/* the backup was found by what the hive
				 * holds (its run left these bytes) */
	int undone;		/* the hive already holds what the backup
				 * puts back (found by its place) */
	int hive_todo;		/* the hive needs restoring */
	int *log_todo;		/* each log of the backup needs restoring */
};

struct rollback_run {
	struct hp_store *store;
	const struct hp_rollback_opts *o;
	struct hp_rollback *res;
	struct rollback_hive *hives;
	size_t n_hives;
};

/* The SHA-256 of a file the store read, "" when it is not there. */
static int
current_sha(const struct rollback_hive *rb, const char *log_path,
	    char sha[SHA256_HEX_LEN + 1], struct hp_err *e)
{
	const char *name = log_path ? strrchr(log_path, '/') + 1 : NULL;
	size_t i;

	sha[0] = '\0';
	if (name == NULL) {
		memcpy(sha, rb->sha, sizeof(rb->sha));
		return 0;
	}
	for (i = 0; i < rb->files.n_logs; i++)
		if (strcmp(rb->files.logs[i].name, name) == 0)
			return sha256_fd(rb->files.logs[i].fd,
			    rb->files.logs[i].where, sha, e);
	/* A log that is gone since is restored like a changed one. */
	return 0;
}

/* A log of the backup whose name now leads to a file that is no log of
 * the hive (hp_hive_files.skipped: a hard link, another owner's): it is
 * not the hive's to write, even forced. */
static int
refuse_skipped(const struct rollback_hive *rb, const char *log_path,
	       struct hp_err *e)
{
	const char *name = strrchr(log_path, '/') + 1, *at;
	char note[sizeof(e->msg)];
	size_t i;

	for (i = 0; i < rb->files.n_skipped; i++) {
		at = strrchr(rb->files.skipped[i], '/');
		if (strcmp(at ? at + 1 : rb->files.skipped[i], name) != 0)
			continue;
		hive_skipped_note(&rb->files, i, note, sizeof(note));
		return hp_err_set(e, HP_R_FOREIGN_LOG, "%.700s; the run of %s "
		    "backed up a log of that name, which rollback would have to "
		    "write: refused, even with --force", note, rb->backup.time);
	}
	return 0;
}

/* Whether a file (hive or log) is still what the run left: 1 yes, 0 it
 * already holds the backup, -1 refused (changed, and not forced). */
static int
check_unchanged(struct rollback_run *run, const struct rollback_hive *rb,
		const char *log_path, const char *sha_before,
		const char *sha_after, struct hp_err *e)
{
	const char *where = log_path ? log_path : rb->hive->where;
	const char *when = rb->backup.time;
	char now[SHA256_HEX_LEN + 1];

	if (log_path != NULL && refuse_skipped(rb, log_path, e) == -1)
		return -1;
	if (current_sha(rb, log_path, now, e) == -1)
		return -1;
	if (strcmp(now, sha_before) == 0)
		return 0;
	if (strcmp(now, sha_after) == 0)
		return 1;
	/* Pages rebuild the old hive from the one their run left, and
	 * from no other. */
	if (log_path == NULL && rb->backup.pages)
		return hp_err_set(e, HP_R_CHANGED,
		    "%s: changed since hivepatch wrote it (sha256 %s, the run of "
		    "%s left %s), and that run's backup keeps only the pages it "
		    "overwrote: the old hive cannot be rebuilt from this one, "
		    "even with --force (apply --backup=full keeps whole copies)",
		    where, now, when, sha_after);
	if (!(run->o->flags & HP_FORCE))
		return hp_err_set(e, HP_R_CHANGED,
		    "%s: changed since hivepatch wrote it (sha256 %s, the run of "
		    "%s left %s); --force restores the backup anyway", where,
		    now[0] ? now : "none: the file is gone", when,
		    sha_after[0] ? sha_after : "it untouched");
	if (strv_pushf(&run->res->warnings, &run->res->n_warnings, "%s changed "
	    "since the run of %s; restoring anyway because of --force", where,
	    when) == -1)
		return hp_err_nomem(e);
	return 1;
}

static int
check_one(struct rollback_run *run, struct rollback_hive *rb,
	  struct hp_err *e)
{
	struct backup *b = &rb->backup;
	size_t i;

	rb->log_todo = calloc(b->n_logs ? b->n_logs : 1, sizeof(*rb->log_todo));
	if (rb->log_todo == NULL)
		return hp_err_nomem(e);
	if ((rb->hive_todo = check_unchanged(run, rb, NULL, b->sha_before,
	    b->sha_after, e)) == -1)
		return -1;
	for (i = 0; i < b->n_logs; i++)
		if ((rb->log_todo[i] = check_unchanged(run, rb, b->logs[i].path,
		    b->logs[i].sha_before, b->logs[i].sha_after, e)) == -1)
			return -1;
	return 0;
}

static int
add_file(struct hp_rollback *r, const char *where, int is_log, int written,
	 const struct backup *b)
{
	struct hp_rollback_file *grown, *f;

	grown = reallocarray(r->files, r->n_files + 1, sizeof(*grown));
	if (grown == NULL)
		return -1;
	r->files = grown;
	f = &r->files[r->n_files++];
	memset(f, 0, sizeof(*f));
	f->is_log = is_log;
	f->written = written;
	f->where = strdup(where);
	f->time = strdup(b->time);
	if (!is_log && ((f->sha256 = strdup(b->sha_before)) == NULL ||
	    (f->backup = strdup(b->dir)) == NULL))
		return -1;
	return f->where != NULL && f->time != NULL ? 0 : -1;
}

/* Warns once, however many steps a rollback takes. */
static int
warn_once(struct hp_rollback *r, const char *text, struct hp_err *e)
{
	size_t i;

	for (i = 0; i < r->n_warnings; i++)
		if (strcmp(r->warnings[i], text) == 0)
			return 0;
	return strv_push(&r->warnings, &r->n_warnings, text) == -1 ?
	    hp_err_nomem(e) : 0;
}

/* What the run must be told of a hive it restores: each file with a
 * log's name that is not one of its logs. */
static int
warn_skipped(struct rollback_run *run, const struct rollback_hive *rb,
	     struct hp_err *e)
{
	char note[PATH_MAX + 256];
	size_t i;

	for (i = 0; i < rb->files.n_skipped; i++) {
		hive_skipped_note(&rb->files, i, note, sizeof(note));
		if (warn_once(run->res, note, e) == -1)
			return -1;
	}
	return 0;
}

/* And what its restore did to the other names of a hive that has
 * several (`links` of them before): written in place, the file they
 * all name holds the old hive again; replaced, the file rb->files
 * read has one name less, and they keep what it holds. */
static int
warn_links(struct rollback_run *run, const struct rollback_hive *rb,
	   uintmax_t links, struct hp_err *e)
{
	char note[PATH_MAX + 256];
	struct stat st;

	if (links < 2 || fstat(rb->files.fd, &st) == -1)
		return 0;
	if ((uintmax_t)st.st_nlink == links)
		snprintf(note, sizeof(note), "%s has %ju names (hard links): "
		    "put back in place, so every one of them holds the old hive "
		    "again", rb->hive->where, links);
	else
		snprintf(note, sizeof(note), "%s has %ju names (hard links): "
		    "put back as a new file under this name only; the other %ju "
		    "keep what they held", rb->hive->where, links, links - 1);
	return warn_once(run->res, note, e);
}

/* Restores one hive and its logs from their backup.  The logs go back
 * first: a crash in between then leaves the new, clean hive beside its
 * old logs, which Windows ignores, never the old dirty hive without the
 * logs it needs. */
static int
restore_one(struct rollback_run *run, const struct rollback_hive *rb,
	    struct hp_err *e)
{
	const struct backup *b = &rb->backup;
	uintmax_t links = 1;
	struct stat st;
	size_t i;

	if (warn_skipped(run, rb, e) == -1)
		return -1;
	if (fstat(rb->files.fd, &st) == 0)
		links = (uintmax_t)st.st_nlink;
	for (i = 0; i < b->n_logs; i++) {
		if (!rb->log_todo[i])
			continue;
		if (backup_restore_log(run->store, rb->hive, b->logs[i].copy,
		    b->logs[i].sha_before, strrchr(b->logs[i].path, '/') + 1,
		    e) == -1)
			return -1;
		if (add_file(run->res, b->logs[i].path, 1, 1, b) == -1)
			return hp_err_nomem(e);
	}
	if (rb->hive_todo && (backup_restore_hive(run->store, rb->hive, b,
	    e) == -1 || warn_links(run, rb, links, e) == -1))
		return -1;
	if (add_file(run->res, rb->hive->where, 0, rb->hive_todo, b) == -1)
		return hp_err_nomem(e);
	return 0;
}

/* The backup of a hive: the latest whose run left the bytes the hive
 * holds now, wherever it was kept (the image may have moved since);
 * else the latest kept under the hive's place, for check_unchanged to
 * refuse or --force to restore.  1 when there is none. */
static int
backup_of(struct rollback_run *run, struct rollback_hive *rb,
	  struct hp_err *e)
{
	struct hp_err missing;
	int rc;

	backup_free(&rb->backup);
	hp_hive_files_free(&rb->files);
	if (run->store->ops->read(run->store->priv, rb->hive, &rb->files,
	    e) == -1 ||
	    sha256_fd(rb->files.fd, rb->hive->where, rb->sha, e) == -1)
		return -1;
	rc = backup_find_by_sha(run->o->backup_root, rb->sha, &rb->backup, e);
	rb->by_sha = rc == 0;
	if (rc != 1)
		return rc;
	if (backup_find_latest(run->o->backup_root, rb->hive, &rb->backup,
	    &missing) == 0) {
		/* Its latest run is undone, and so are older ones down to
		 * the one the hive now holds the start of: nothing is left
		 * to undo, which that backup says. */
		if (strcmp(rb->sha, rb->backup.sha_before) != 0 &&
		    strcmp(rb->sha, rb->backup.sha_after) != 0) {
			struct backup older;

			rc = backup_find_undone(run->o->backup_root, rb->sha,
			    &older, e);
			if (rc == -1)
				return -1;
			if (rc == 0 && strcmp(older.hive, rb->backup.hive) == 0) {
				backup_free(&rb->backup);
				rb->backup = older;
			} else if (rc == 0)
				backup_free(&older);
		}
		return 0;
	}
	/* None is fine; a damaged one is said. */
	if (missing.reason == HP_R_NO_BACKUP)
		return 1;
	*e = missing;
	return -1;
}

/* The same file, unchanged as far as its inode tells. */
static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Only a hive with a backup is locked; then it is read again, and when
 * it is no longer the file just hashed, looked at again, so that the
 * backup chosen is still right when it is restored. */
static int
find_one(struct rollback_run *run, struct rollback_hive *rb,
	 struct hp_err *e)
{
	struct stat hashed, locked;
	int rc = backup_of(run, rb, e);

	if (rc != 0)
		return rc;
	if (fstat(rb->files.fd, &hashed) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", rb->hive->where,
		    strerror(errno));
	if (run->store->ops->lock(run->store->priv, rb->hive, e) == -1)
		return -1;
	hp_hive_files_free(&rb->files);
	if (run->store->ops->read(run->store->priv, rb->hive, &rb->files,
	    e) == -1)
		return -1;
	if (fstat(rb->files.fd, &locked) == 0 && same_file(&hashed, &locked))
		return 0;
	return backup_of(run, rb, e);
}

/* A backup found by a hive's place, not by what it holds, is the latest
 * kept for it whatever it holds now: it counts only when no hive has a
 * backup found by what it holds (a hive changed since, for --force to
 * restore).  Otherwise a run that the hive was never in the state of
 * (runs of one hive, then of the other, then of both, undone in turn)
 * would stand in the way of those that are. */
static void
drop_found_by_place(struct rollback_run *run)
{
	size_t i;
	int any = 0;

	for (i = 0; i < run->n_hives; i++)
		any |= run->hives[i].found && run->hives[i].by_sha;
	for (i = 0; any && i < run->n_hives; i++)
		if (!run->hives[i].by_sha)
			run->hives[i].found = 0;
}

/* The id of the latest run among the hives' backups, or NULL; with
 * `skip_undone`, of those the hive does not already hold. */
static const char *
latest_found(const struct rollback_run *run, int skip_undone)
{
	const char *latest = NULL;
	size_t i;

	for (i = 0; i < run->n_hives; i++) {
		const struct rollback_hive *rb = &run->hives[i];

		if (rb->found && !(skip_undone && rb->undone) &&
		    (latest == NULL || strcmp(rb->backup.id, latest) > 0))
			latest = rb->backup.id;
	}
	return latest;
}

/* Locks each hive the store holds and finds its latest backup; returns
 * the id of the latest run among them, or NULL.  A backup a hive
 * already holds (a run undone, found by the hive's place) counts only
 * when no hive has another: once a two-hive run is undone, the next
 * rollback goes on to the run before it. */
static const char *
find_backups(struct rollback_run *run, struct hp_err *e)
{
	const char *latest;
	size_t i;

	for (i = 0; i < run->n_hives; i++) {
		struct rollback_hive *rb = &run->hives[i];

		/* A tree without SYSTEM, or a hive never patched, is fine as
		 * long as one hive has a backup. */
		if (store_hive_usable(rb->hive, run->store->ops->tree ? NULL :
		    e) == -1) {
			if (!run->store->ops->tree)
				return NULL;
			continue;
		}
		switch (find_one(run, rb, e)) {
		case -1:
			return NULL;
		case 1:
			continue;
		}
		rb->found = 1;
		rb->undone = strcmp(rb->sha, rb->backup.sha_before) == 0;
	}
	drop_found_by_place(run);
	if ((latest = latest_found(run, 1)) == NULL)
		latest = latest_found(run, 0);
	if (latest == NULL && e->status == HP_OK)
		hp_err_set(e, HP_R_NO_BACKUP, "%s: no backup of this hive%s under "
		    "the backup directory %s", run->n_hives ? run->hives[0].hive->where :
		    hp_store_target(run->store), run->store->ops->tree ?
		    " or of the tree's other hives" : "", run->o->backup_root);
	return latest;
}

/* Undoes the latest run among the hives' backups; with `expect`, that
 * run must be the one of this id, or nothing is written. */
static int
rollback_step(struct rollback_run *run, const char *expect,
	      struct hp_err *e)
{
	const char *latest;
	size_t i;

	/* What an earlier step found is found again. */
	for (i = 0; i < run->n_hives; i++) {
		free(run->hives[i].log_todo);
		run->hives[i].log_todo = NULL;
		run->hives[i].found = 0;
	}
	if ((latest = find_backups(run, e)) == NULL)
		return -1;
	if (expect != NULL && strcmp(latest, expect) != 0)
		return hp_err_set(e, HP_R_CHANGED, "%s: the next run to undo is "
		    "%s, not %s as its backups were listed: the hives changed "
		    "meanwhile; nothing more was written",
		    hp_store_target(run->store), latest, expect);
	/* Only the hives of the latest run go back. */
	for (i = 0; i < run->n_hives; i++)
		if (run->hives[i].found &&
		    strcmp(run->hives[i].backup.id, latest) != 0)
			run->hives[i].found = 0;
	for (i = 0; i < run->n_hives; i++)
		if (run->hives[i].found && check_one(run, &run->hives[i], e) == -1)
			return -1;
	run->res->checked = 1;
	for (i = 0; i < run->n_hives; i++)
		if (run->hives[i].found && restore_one(run, &run->hives[i],
		    e) == -1)
			return -1;
	/* Undone: should it have been cut short, nothing is left to
	 * complete. */
	if (runrec_remove_id(run->o->backup_root, latest) == -1 &&
	    strv_pushf(&run->res->warnings, &run->res->n_warnings, "%s/runs/"
	    "%s.json: cannot remove the record of the run undone, or sync "
	    "its removal: %s", run->o->backup_root, latest,
	    strerror(errno)) == -1)
		return hp_err_nomem(e);
	return 0;
}

/* Undoes run after run, newest first, until the run `to` is undone;
 * nothing at all unless hp_backups lists `to` for this store. */
static int
rollback_to(struct rollback_run *run, struct hp_err *e)
{
	const struct hp_backups_opts bo = { run->o->backup_root };
	struct hp_backups *list = NULL;
	size_t i, steps = 0;
	int rc = 0;

	if (hp_backups(run->store, &bo, &list, e) == -1) {
		hp_backups_free(list);
		return -1;
	}
	for (i = 0; i < list->n_runs && steps == 0; i++)
		if (strcmp(list->runs[i].id, run->o->to) == 0)
			steps = list->runs[i].step;
	if (steps == 0 && list->n_runs == 0)
		rc = hp_err_set(e, HP_R_NO_BACKUP, "%s: no backup under the backup "
		    "directory %s undoes what this target holds now, so none of "
		    "run %s; nothing was written", hp_store_target(run->store), run->o->backup_root,
		    run->o->to);
	else if (steps == 0)
		rc = hp_err_set(e, HP_R_NO_BACKUP, "%s: run %s is not among the "
		    "%zu run%s whose backups under the backup directory %s undo "
		    "what this target holds now; nothing was written",
		    hp_store_target(run->store), run->o->to, list->n_runs,
		    list->n_runs == 1 ? "" : "s", run->o->backup_root);
	for (i = 0; rc == 0 && i < steps; i++)
		rc = rollback_step(run, list->runs[i].id, e);
	hp_backups_free(list);
	return rc;
}

static int
rollback(struct rollback_run *run, struct hp_err *e)
{
	if (backup_root_usable(run->o->backup_root, e) == -1)
		return -1;
	if (run->o->to != NULL)
		return rollback_to(run, e);
	return rollback_step(run, NULL, e);
}

int
hp_rollback(struct hp_store *store, const struct hp_rollback_opts *opts,
	    struct hp_rollback **result, struct hp_err *e)
{
	struct rollback_run run = { store, opts, NULL, NULL, 0 };
	struct hp_rollback *r;
	size_t i;
	int rc = -1;

	*result = NULL;
	memset(e, 0, sizeof(*e));
	r = calloc(1, sizeof(*r));
	run.n_hives = store->n_hives;
	run.hives = calloc(run.n_hives ? run.n_hives : 1, sizeof(*run.hives));
	if (r == NULL || run.hives == NULL ||
	    (r->target = strdup(hp_store_target(store))) == NULL) {
		free(run.hives);
		hp_rollback_free(r);
		return hp_err_nomem(e);
	}
	run.res = r;
	for (i = 0; i < run.n_hives; i++) {
		run.hives[i].hive = &store->hives[i];
		run.hives[i].files.fd = -1;
	}
	rc = rollback(&run, e);
	if (rc == -1) {
		r->exit_status = e->status;
		r->reason = e->reason;
		r->error = strdup(e->msg);
	}
	for (i = 0; i < run.n_hives; i++) {
		free(run.hives[i].log_todo);
		backup_free(&run.hives[i].backup);
		hp_hive_files_free(&run.hives[i].files);
	}
	free(run.hives);
	*result = r;
	return rc;
}

void
hp_rollback_free(struct hp_rollback *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->target);
	for (i = 0; i < r->n_files; i++) {
		free(r->files[i].where);
		free(r->files[i].time);
		free(r->files[i].sha256);
		free(r->files[i].backup);
	}
	free(r->files);
	strv_free(r->warnings, r->n_warnings);
	free(r->error);
	free(r);
}
