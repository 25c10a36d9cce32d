/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Committing a patch run: make every new hive final in memory (its
 * times, the base block its commit writes; checked and hashed), choose
 * how each is committed (in place through which log, or replaced), back
 * them up with their manifests, commit them through their store in
 * order, put the earlier ones back when a later one fails, then empty
 * the logs (and remove those a commit made). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commit_logged.h"
#include "cutrun.h"
#include "error.h"
#include "hiveview.h"
#include "logwrite.h"
#include "patch.h"
#include "regf.h"
#include "result.h"
#include "verify.h"

/* Gives the keys the run changed, and the hive's base block, the time
 * of the run, as Windows keeps LastWrite (hivex keeps neither).  A node
 * handle is the file offset of its cell: the size, then "nk", then the
 * flags and the time.  A handle whose cell is no longer a key (a key
 * the run created, then deleted) is passed over. */
static int
stamp_times(struct session *s, int fd, uint64_t ft, struct hp_err *e)
{
	unsigned char t[8], cell[REGF_CELL_SIZE_FIELD + 2], bb[REGF_BASE_BLOCK];
	size_t i;

	put_le64(t, ft);
	for (i = 0; i < s->touched.n; i++) {
		off_t at = (off_t)s->touched.nodes[i];

		if (pread(fd, cell, sizeof(cell), at) != (ssize_t)sizeof(cell) ||
		    (int32_t)le32(cell) >= 0 ||
		    memcmp(cell + REGF_CELL_SIZE_FIELD, "nk", 2) != 0)
			continue;
		if (pwrite(fd, t, sizeof(t), at + REGF_CELL_SIZE_FIELD +
		    REGF_NK_TIMESTAMP) != (ssize_t)sizeof(t))
			goto fail;
		s->keys_stamped++;
	}
	if (pread(fd, bb, sizeof(bb), 0) != (ssize_t)sizeof(bb))
		goto fail;
	memcpy(bb + REGF_BB_TIMESTAMP, t, sizeof(t));
	regf_checksum_set(bb);
	if (pwrite(fd, bb, sizeof(bb), 0) != (ssize_t)sizeof(bb))
		goto fail;
	s->last_written = ft;
	return 0;
fail:
	return hp_err_set(e, HP_R_IO, "%s: cannot set the new hive's times: %s",
	    s->hive->where, strerror(errno ? errno : EIO));
}

/* hivex writes the new hive into an anonymous file: the store decides
 * how it reaches the medium.  The handle is closed before the store
 * checks the result, so that the hive is not held twice in memory. */
static int
image_of(const struct patch_run *run, struct session *s, struct hp_err *e)
{
	char path[32];
	int rc, saved, *fd = &s->image_fd;

	*fd = memfd_create("hivepatch-new", MFD_CLOEXEC);
	if (*fd == -1) {
		hivex_close(s->h);
		s->h = NULL;
		return hp_err_set(e, HP_R_IO, "%s: no memory file for the new "
		    "hive: %s", s->hive->where, strerror(errno));
	}
	if (fd_path(*fd, s->hive->where, path, e) == -1) {
		hivex_close(s->h);
		s->h = NULL;
		return -1;
	}
	errno = 0;
	rc = hivex_commit(s->h, path, 0);
	saved = errno;
	hivex_close(s->h);
	s->h = NULL;
	if (rc == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot write the new hive: %s",
		    s->hive->where, saved ? strerror(saved) :
		    "hivex_commit failed");
	if (run->o->flags & HP_KEEP_TIMESTAMPS)
		return 0;
	return stamp_times(s, *fd, filetime_of(run->o->now), e);
}

/* The base name of a log as the replay names it. */
static const char *
log_base(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? slash + 1 : name;
}

/* 1 when the log `name` cannot carry the commit: the replay that
 * recovered the hive read it, or the name is not a regular file. */
static int
log_taken(const struct session *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->view.rec.n_logs_used; i++)
		if (strcasecmp(log_base(s->view.rec.logs_used[i]), name) == 0)
			return 1;
	for (i = 0; i < s->files.n_skipped; i++)
		if (strcasecmp(log_base(s->files.skipped[i]), name) == 0)
			return 1;
	return 0;
}

/* The format Windows reads beside this hive: that of the logs it keeps
 * there, else the one its build writes (8.1, build 9600, and later: the
 * new format); a hive of unknown Windows gets the new one.  min_seq is
 * set to the highest sequence number any log's base block carries. */
static int
log_format_for(const struct patch_run *run, const struct session *s,
	       uint32_t *min_seq)
{
	int fmt = logs_scan(&s->files, min_seq);

	if (fmt != HP_LOG_NONE)
		return fmt;
	if (run->image.build != NULL)
		return atoi(run->image.build) >= 9600 ? HP_LOG_NEW : HP_LOG_OLD;
	return HP_LOG_NEW;
}

/* The recovery of a dirty hive can be continued by a commit's entry
 * (append_to): it read new-format logs to their last entry and took its
 * base block from the hive. */
static int
continuable(const struct hp_recovery *rec)
{
	return rec->format == HP_LOG_NEW && !rec->base_block_recovered &&
	    !rec->stopped_early && rec->n_logs_used > 0 && rec->log_end != 0;
}

int
patch_may_append(const struct patch_run *run, const struct session *s)
{
	return !(run->o->flags & (HP_DRY_RUN | HP_COMMIT_REPLACE)) &&
	    run->store->ops->write_at != NULL && s->view.rec.replayed &&
	    continuable(&s->view.rec);
}

/* A dirty hive recovered from new-format logs: the commit continues
 * that recovery with an entry of its own, appended to the last log it
 * read.  0 (replace instead) when the replay had to take the base block
 * from a log, or the root cell moved, since the replay takes both from
 * the log's base block, or when it stopped early (what follows would be
 * overwritten). */
static int
append_to(struct session *s, struct logged_commit *lc, struct hp_err *e)
{
	const struct hp_recovery *rec = &s->view.rec;
	unsigned char lbb[REGF_LOG_HEADER], ibb[REGF_LOG_HEADER];
	const struct hp_log_file *t = NULL;
	const char *last;
	size_t i;

	if (!continuable(rec))
		return 0;
	last = log_base(rec->logs_used[rec->n_logs_used - 1]);
	for (i = 0; i < s->files.n_logs; i++)
		if (strcmp(s->files.logs[i].name, last) == 0)
			t = &s->files.logs[i];
	if (t == NULL || pread(t->fd, lbb, sizeof(lbb), 0) != sizeof(lbb) ||
	    pread(s->image_fd, ibb, sizeof(ibb), 0) != sizeof(ibb) ||
	    le32(lbb + REGF_BB_ROOT) != le32(ibb + REGF_BB_ROOT))
		return 0;
	/* apply_in_memory kept what the recovered hive differs in from
	 * the primary (patch_may_append): all the entry needs of it. */
	if (!s->view_delta_kept)
		return hp_err_set(e, HP_R_IO, "%s: the hive as its logs recover "
		    "it was not kept for the commit", s->hive->where);
	if ((s->commit_log = strdup(last)) == NULL)
		return hp_err_nomem(e);
	lc->log = s->commit_log;
	lc->append = 1;
	lc->append_at = rec->log_end;
	lc->append_seq = rec->seq_after + 1;
	lc->base_seq2 = s->view.disk.seq_secondary;
	lc->view_delta = s->view_delta;
	lc->n_view_delta = s->n_view_delta;
	lc->view_delta_bytes = s->view_delta_bytes;
	lc->view_size = s->view.size;
	lc->view_bins = s->view.hdr.bins_size;
	return 1;
}

/* Chooses the log a commit in place writes through: .LOG1, else .LOG2.
 * 0 when the hive is to be replaced instead: the caller asked, the store
 * cannot write in place, or the hive is dirty and neither log is free of
 * entries its recovery needs (old format: always, as Windows before 8
 * would not look for its recovery in a second log). */
static int
choose_log(const struct patch_run *run, struct session *s,
	   struct logged_commit *lc, struct hp_err *e)
{
	static const char *const sfx[] = { ".LOG1", ".LOG2" };
	const char *name = NULL;
	size_t i, j;

	/* A dirty primary taken without its logs: a whole new clean
	 * file, not one more entry after logs that cannot be read. */
	if ((run->o->flags & HP_COMMIT_REPLACE) || s->discarding ||
	    run->store->ops->write_at == NULL)
		return 0;
	lc->format = log_format_for(run, s, &lc->min_seq);
	if (s->view.disk.dirty && lc->format == HP_LOG_OLD)
		return 0;
	if (s->view.rec.replayed)
		return append_to(s, lc, e);
	for (i = 0; i < 2 && name == NULL; i++) {
		char want[300];

		snprintf(want, sizeof(want), "%s%s", s->hive->name, sfx[i]);
		if (log_taken(s, want))
			continue;
		name = want;
		/* Keep the spelling the image has. */
		for (j = 0; j < s->files.n_logs; j++)
			if (strcasecmp(s->files.logs[j].name, want) == 0)
				name = s->files.logs[j].name;
		s->commit_log_created = name == want;
		if ((s->commit_log = strdup(name)) == NULL)
			return hp_err_nomem(e);
	}
	if (s->commit_log == NULL)
		return 0;
	lc->log = s->commit_log;
	return 1;
}

/* The log a commit in place went through, as its backup has it; NULL
 * when the commit made it. */
static const struct backup_log *
commit_log_backup(const struct session *s)
{
	size_t i;

	for (i = 0; s->commit_log != NULL && i < s->backup.n_logs; i++)
		if (strcmp(strrchr(s->backup.logs[i].path, '/') + 1,
		    s->commit_log) == 0)
			return &s->backup.logs[i];
	return NULL;
}

/* After a commit in place failed before it touched the hive, or was
 * undone: the log it wrote through holds what it held again, from its
 * backup (unless it still does), or is removed when the commit made it.
 * Left as the commit wrote it, that log would carry the new hive's
 * pages beside the old hive, with a sequence number past the hive's: a
 * recovery (of the dirty hive it was appended to, or of a base block
 * torn later) would replay the change the run says failed. */
static int
put_log_back(struct patch_run *run, struct session *s, struct hp_err *e)
{
	const struct backup_log *b = commit_log_backup(s);
	char sha[SHA256_HEX_LEN + 1] = "";
	struct hp_hive_files now;
	struct hp_err gone;
	int rc = 0;
	size_t i;

	if (s->commit_log == NULL || !s->backed_up)
		return 0;
	/* Made by the commit (the store lists no such log): removed,
	 * unless the restore in place removed it already. */
	if (b == NULL) {
		if (run->store->ops->remove_log(run->store->priv, s->hive,
		    s->commit_log, &gone) == 0 || gone.reason == HP_R_NOT_FOUND)
			return 0;
		*e = gone;
		return -1;
	}
	if (run->store->ops->read(run->store->priv, s->hive, &now, e) == -1)
		return -1;
	for (i = 0; rc == 0 && i < now.n_logs; i++)
		if (strcmp(now.logs[i].name, s->commit_log) == 0)
			rc = sha256_fd(now.logs[i].fd, now.logs[i].where, sha, e);
	hp_hive_files_free(&now);
	if (rc == -1 || strcmp(sha, b->sha_before) == 0)
		return rc;
	return backup_restore_log(run->store, s->hive, b->copy, b->sha_before,
	    s->commit_log, e);
}

static int
commit_in_place(struct patch_run *run, struct session *s, struct hp_err *e)
{
	struct logged_commit *lc = &s->lc;
	struct hp_err put_back;
	int rc;

	rc = commit_logged(run->store, s->hive, s->files.fd, s->files.size,
	    s->image_fd, lc, NULL, NULL, e);
	s->replaced = lc->touched;
	s->pages_written = lc->pages;
	if (rc == -1 && !lc->touched && s->commit_log_created)
		(void)run->store->ops->remove_log(run->store->priv, s->hive,
		    s->commit_log, NULL);
	else if (rc == -1 && !lc->touched &&
	    put_log_back(run, s, &put_back) == -1)
		hp_err_append(e, "; %s could NOT be put back from its backup "
		    "(%.200s), and holds the new hive's pages: run hivepatch "
		    "rollback", s->commit_log, put_back.msg);
	return rc;
}

/* The new hive, final, hashed by a second thread while this one checks
 * it where it lies in memory (every planned value, the whole tree; a
 * commit in place writes these very bytes) and finds the pages that
 * differ from the hive as it lies, once for the page backup and the
 * commit in place (diff). */
static int
final_image(struct session *s, int check, int diff, struct hp_err *e)
{
	struct verify_job job = { .where = s->hive->where, .kind = s->kind,
	    .plan = &s->plan,
	    .hashed = 1 };
	struct sha_task hashing;
	int rc = 0;

	if (sha256_begin(&hashing, s->image_fd, s->hive->where, e) == -1)
		return -1;
	if (check)
		rc = verify_written(&job, s->image_fd, e);
	if (rc == 0 && diff)
		rc = hive_changed_runs(s->files.fd, s->files.size, s->image_fd,
		    s->hive->where, &s->image_size, &s->changed, &s->n_changed,
		    e);
	if (sha256_end(&hashing, s->sha_new, rc == 0 ? e : NULL) == -1)
		rc = -1;
	return rc;
}

/* The log of this hive a run made for its commit and was cut short
 * before removing, as the latest backup of the hive names it; NULL when
 * there is none.  *last is that backup (backup_free it in every case). */
static const char *
log_left(const struct patch_run *run, const struct session *s,
	 struct backup *last)
{
	struct hp_err none;
	size_t i;

	/* Freed by the caller even when no backup was looked for. */
	memset(last, 0, sizeof(*last));
	if (run->o->backup_root == NULL ||
	    backup_find_latest(run->o->backup_root, s->hive, last, &none) == -1)
		return NULL;
	for (i = 0; last->log_created != NULL && i < s->files.n_logs; i++)
		if (strcasecmp(s->files.logs[i].name, last->log_created) == 0)
			return s->files.logs[i].name;
	return NULL;
}

int
patch_finish_cut_run(struct patch_run *run, struct session *s, char **what,
		     struct hp_err *e)
{
	char sha[SHA256_HEX_LEN + 1];
	struct backup last;
	const char *log = log_left(run, s, &last);
	int rc = 0;

	*what = NULL;
	/* Only over the hive that run left. */
	if (log != NULL && run->store->ops->remove_log != NULL) {
		if (sha256_fd(s->files.fd, s->hive->where, sha, e) == -1)
			rc = -1;
		else if (strcmp(sha, last.sha_after) != 0)
			rc = 0;
		else if (run->store->ops->remove_log(run->store->priv, s->hive,
		    log, e) == -1)
			rc = -1;
		else if (asprintf(what, "%s: removed %s, which the run of %s "
		    "made for its commit and was cut short before removing",
		    s->hive->where, log, last.time) == -1) {
			*what = NULL;
			rc = hp_err_nomem(e);
		} else
			rc = 1;
	}
	backup_free(&last);
	return rc;
}

/* The log this commit goes through was made by a run cut short before
 * it removed it: this run removes it. */
static int
left_by_a_cut_run(const struct patch_run *run, const struct session *s)
{
	struct backup last;
	const char *log = log_left(run, s, &last);
	int yes = log != NULL && strcasecmp(log, s->commit_log) == 0;

	backup_free(&last);
	return yes;
}

/* How the hive will be committed, and its new bytes made final (the
 * base block the commit writes), so that they are hashed for its backup
 * before anything is written. */
static int
prepare_hive(struct patch_run *run, struct session *s, struct hp_err *e)
{
	int logged = choose_log(run, s, &s->lc, e);

	if (logged == -1)
		return -1;
	if (logged && !s->commit_log_created && left_by_a_cut_run(run, s))
		s->commit_log_created = 1;
	s->commit = logged ? HP_METHOD_LOGGED : HP_METHOD_REPLACED;
	if (!logged)
		return final_image(s, 0, !(run->o->flags & HP_BACKUP_FULL), e);
	s->commit_log_format = s->lc.format;
	if (logged_prepare(s->files.fd, s->image_fd, &s->lc, s->hive->where,
	    e) == -1 || final_image(s, 1, 1, e) == -1)
		return -1;
	s->lc.runs = s->changed;
	s->lc.n_runs = s->n_changed;
	s->lc.have_runs = 1;
	return 0;
}

static int
commit_hive(struct patch_run *run, struct session *s, struct hp_err *e)
{
	struct verify_job job = { .where = s->hive->where, .kind = s->kind,
	    .plan = &s->plan };
	int rc;

	if (s->commit == HP_METHOD_LOGGED) {
		/* prepare_hive checked and hashed the very bytes. */
		memcpy(job.sha, s->sha_new, sizeof(job.sha));
		job.seq = s->lc.seq;
		rc = commit_in_place(run, s, e);
	} else
		rc = run->store->ops->commit(run->store->priv, s->hive,
		    s->image_fd, verify_written, &job, &s->replaced, e);
	if (rc == -1)
		return -1;
	if (s->hive->commit_note != NULL &&
	    strv_pushf(&run->res->warnings, &run->res->n_warnings, "%s: "
	    "replaced without %s", s->hive->where, s->hive->commit_note) == -1)
		return hp_err_nomem(e);
	/* What was checked and written is what the manifest names. */
	if (strcmp(job.sha, s->sha_new) != 0)
		return hp_err_set(e, HP_R_NOT_VERIFIED, "%s: the hive written "
		    "hashes to %s, not to the %s its backup names", s->hive->where,
		    job.sha, s->sha_new);
	memcpy(s->sha_after, job.sha, sizeof(s->sha_after));
	s->seq_after = job.seq;
	return 0;
}

/* Puts back the hives already replaced, newest first, after a later one
 * failed: the image must not hold half a change. */
static void
undo_replaced(struct patch_run *run, size_t upto, struct hp_err *e)
{
	struct hp_err restore;
	size_t i;

	for (i = upto + 1; i-- > 0; ) {
		struct session *s = &run->hives[i];
		const char *name = hp_hive_kind_name(s->kind);

		if (!s->replaced)
			continue;
		if (backup_restore_hive(run->store, s->hive, &s->backup,
		    &restore) == -1) {
			/* Cut short in place: dirty, its log recovers it
			 * (unless the restore itself left it dirty, with a
			 * log of the old hive: its message says so). */
			if (s->commit == HP_METHOD_LOGGED && s->sha_after[0] ==
			    '\0' && strstr(restore.msg, "is left dirty") == NULL)
				hp_err_append(e, "; %s could NOT be put back "
				    "(%.200s): it is left dirty, and %s recovers "
				    "the new hive (hivepatch recover writes it, "
				    "hivepatch rollback undoes it)", name,
				    restore.msg, s->commit_log);
			else
				hp_err_append(e, "; %s could NOT be put back "
				    "(%.200s): run hivepatch rollback", name,
				    restore.msg);
			continue;
		}
		s->sha_after[0] = '\0';
		if (s->commit == HP_METHOD_LOGGED &&
		    put_log_back(run, s, &restore) == -1) {
			/* Its backup is kept (still replaced). */
			hp_err_append(e, "; %s was put back from its backup, but "
			    "its log %s could NOT be (%.200s) and still holds "
			    "the new hive's pages: run hivepatch rollback", name,
			    s->commit_log, restore.msg);
			continue;
		}
		hp_err_append(e, "; %s was put back from its backup", name);
		s->replaced = 0;
	}
}

/* Empties the logs of a hive once the new primary is in place.  Done
 * last: until then a crash leaves either the old hive with its logs, or
 * the new clean hive with stale logs that Windows ignores while the hive
 * stays clean. */
static int
reset_logs(struct patch_run *run, struct session *s, struct hp_err *e)
{
	size_t i, n = s->files.n_logs;
	int rc = 0;

	/* A log the commit had to create goes again, as it came. */
	if (s->commit_log_created && run->store->ops->remove_log(
	    run->store->priv, s->hive, s->commit_log, e) == -1)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++) {
		if (s->commit_log_created &&
		    strcmp(s->files.logs[i].name, s->commit_log) == 0)
			continue;	/* removed above */
		if (run->store->ops->write_log(run->store->priv, s->hive,
		    s->files.logs[i].name, -1, NULL, NULL, e) == -1)
			rc = -1;
		else
			s->n_logs_reset = i + 1;
	}
	if (rc == -1)
		hp_err_append(e, " (the hive itself is written and clean, %zu of "
		    "its %zu logs emptied%s, hive and logs backed up in %.300s; "
		    "Windows ignores the logs while the hive stays clean)",
		    s->n_logs_reset, n, s->commit_log_created ?
		    ", the log its commit made not removed" : "", s->backup.dir);
	return rc;
}

static int
write_manifest(struct patch_run *run, struct session *s, struct hp_err *e)
{
	const struct hp_patch_opts *o = run->o;

	return backup_write_manifest(&s->backup, o->command, s->sha_new,
	    (const char *const *)run->src.profiles, run->src.n_profiles,
	    o->reg_files, o->n_reg_files, e);
}

/* After a failure: a backup whose hive could not be put back is kept,
 * with its manifest, for rollback; the others go. */
static void
discard_backups(struct patch_run *run)
{
	size_t i;

	for (i = 0; i < run->n_hives; i++) {
		struct session *s = &run->hives[i];

		if (s->backed_up && !s->replaced)
			backup_discard(&s->backup);
	}
}

static int
take_backups(struct patch_run *run, struct hp_err *e)
{
	struct backup_run id;
	size_t i;

	if (backup_root_ready(run->o->backup_root, e) == -1)
		return -1;
	backup_run_start(&id, run->o->now);
	for (i = 0; i < run->n_hives; i++) {
		struct session *s = &run->hives[i];
		int full = (run->o->flags & HP_BACKUP_FULL) != 0;
		struct hive_change change = { s->image_size, s->changed,
		    s->n_changed };

		if (!s->must_write)
			continue;
		if (session_sha_read(s, e) == -1 ||
		    backup_take(run->o->backup_root, &id, s->hive, &s->files,
		    full ? NULL : &change, full ? NULL : s->sha_read, &s->backup,
		    e) == -1)
			return -1;
		/* The format of the log its commit writes through, which a
		 * restore in place writes again (backup_take starts the
		 * backup afresh, so it is set here). */
		if (s->commit == HP_METHOD_LOGGED)
			s->backup.log_format = s->commit_log_format;
		/* A run cut short before it removes the log it made leaves
		 * it; the manifest says so, for the next run to remove. */
		if (s->commit_log_created &&
		    (s->backup.log_created = strdup(s->commit_log)) == NULL)
			return hp_err_nomem(e);
		s->backed_up = 1;
	}
	return 0;
}

/* The run's record goes once nothing is half done.  One that cannot go
 * is said: the next run on the target finds both hives as this run
 * left them, and removes it. */
static void
record_done(struct patch_run *run, const struct runrec *rec)
{
	if (runrec_remove(rec) == -1)
		(void)strv_pushf(&run->res->warnings, &run->res->n_warnings,
		    "%s/%s: cannot remove this run's record, or sync its "
		    "removal: %s (the next run on this target removes it)",
		    rec->dir, rec->name, strerror(errno));
}

static int
any_replaced(const struct patch_run *run)
{
	size_t i;

	for (i = 0; i < run->n_hives; i++)
		if (run->hives[i].replaced)
			return 1;
	return 0;
}

int
patch_commit(struct patch_run *run, struct hp_err *e)
{
	struct runrec rec;
	size_t i, j;
	int rc = 0;

	/* The new hives first, final to the last byte: a page backup
	 * keeps what they overwrite, and its manifest their hash. */
	for (i = 0; i < run->n_hives; i++) {
		struct session *s = &run->hives[i];

		if (s->must_write && (image_of(run, s, e) == -1 ||
		    prepare_hive(run, s, e) == -1))
			return -1;
	}
	if (take_backups(run, e) == -1) {
		discard_backups(run);
		return -1;
	}
	/* Every backup is whole, manifest and all, before the first hive
	 * is touched: a run killed anywhere after this point leaves each
	 * hive as its backup says it was or as it says it became, and
	 * rollback puts back what was written.  The manifest names the
	 * logs as they will be; one that a kill leaves unemptied still
	 * holds its backup, which rollback takes as nothing to restore. */
	for (i = 0; i < run->n_hives; i++) {
		struct session *s = &run->hives[i];

		if (!s->backed_up)
			continue;
		for (j = 0; j < s->backup.n_logs; j++)
			memcpy(s->backup.logs[j].sha_after, SHA256_HEX_EMPTY,
			    sizeof(SHA256_HEX_EMPTY));
		if (write_manifest(run, s, e) == -1) {
			discard_backups(run);
			return -1;
		}
	}
	if (cutrun_record(run, &rec, e) == -1) {
		runrec_free(&rec);
		discard_backups(run);
		return -1;
	}
	for (i = 0; i < run->n_hives; i++) {
		struct session *s = &run->hives[i];

		if (s->must_write && commit_hive(run, s, e) == -1) {
			undo_replaced(run, i, e);
			discard_backups(run);
			/* Every hive back as it was: nothing to complete. */
			if (!any_replaced(run))
				record_done(run, &rec);
			runrec_free(&rec);
			return -1;
		}
	}
	/* Every hive written: nothing half done, whatever the logs. */
	record_done(run, &rec);
	runrec_free(&rec);
	for (i = 0; rc == 0 && i < run->n_hives; i++)
		if (run->hives[i].backed_up)
			rc = reset_logs(run, &run->hives[i], e);
	return rc;
}
