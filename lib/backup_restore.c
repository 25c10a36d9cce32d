/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Putting a hive and its logs back from a backup (backup.h): through the
 * store, in place when the hive can be written so, checked against the
 * hashes its manifest recorded. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "backup_pages.h"
#include "commit_logged.h"
#include "regf.h"
#include "store.h"
#include "verify.h"

static int
open_copy(const char *copy, struct hp_err *e)
{
	int fd = open(copy, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd == -1)
		return hp_err_set(e, hp_errno_reason(errno), "%s: cannot open the "
		    "backup: %s", copy, strerror(errno));
	return fd;
}

int
backup_restore_log(struct hp_store *store, struct hp_store_hive *hive,
		   const char *copy, const char *sha, const char *log_name,
		   struct hp_err *e)
{
	struct sha_job job = { copy, sha };
	int fd, rc;

	if ((fd = open_copy(copy, e)) == -1)
		return -1;
	rc = store->ops->write_log(store->priv, hive, log_name, fd, verify_sha,
	    &job, e);
	close(fd);
	return rc;
}

/* The old hive as a descriptor: the whole copy, or the hive as it is
 * now with the backed-up pages laid over it. */
static int
old_hive(struct hp_store *store, struct hp_store_hive *hive,
	 const struct backup *b, struct hp_err *e)
{
	struct hp_hive_files now;
	int fd;

	if (!b->pages)
		return open_copy(b->copy, e);
	if (store->ops->read(store->priv, hive, &now, e) == -1)
		return -1;
	if (pages_restore(b->copy, now.fd, now.size, &fd, e) == -1)
		fd = -1;
	hp_hive_files_free(&now);
	return fd;
}

/* 1 when the old hive (in fd) goes back in place, through a log, as it
 * was committed: the store can, and the old hive was clean, so that a
 * crash before its logs are back leaves it clean or recovered to itself
 * (a dirty one needs its own logs beside it at every moment, and goes
 * back by replacement). */
static int
clean_at(int fd)
{
	unsigned char bb[REGF_LOG_HEADER];

	return pread(fd, bb, sizeof(bb), 0) == (ssize_t)sizeof(bb) &&
	    memcmp(bb, "regf", 4) == 0 && regf_checksum_ok(bb) &&
	    le32(bb + REGF_BB_SEQ1) == le32(bb + REGF_BB_SEQ2);
}

static int
in_place(const struct hp_store *store, int fd)
{
	return store->ops->write_at != NULL && clean_at(fd);
}

/* The log the restore went through gets back what it held: its backup,
 * or nothing (removed when the restore made it, else emptied). */
static int
settle_log(struct hp_store *store, struct hp_store_hive *hive,
	   const struct backup *b, const char *name, int created,
	   struct hp_err *e)
{
	size_t i;

	for (i = 0; i < b->n_logs; i++)
		if (strcmp(strrchr(b->logs[i].path, '/') + 1, name) == 0)
			return backup_restore_log(store, hive, b->logs[i].copy,
			    b->logs[i].sha_before, name, e);
	if (created)
		return store->ops->remove_log(store->priv, hive, name, e);
	return store->ops->write_log(store->priv, hive, name, -1, NULL, NULL, e);
}

/* The log a restore in place goes through: .LOG1, else .LOG2, never a
 * file with a log's name that is no log of the hive (now->skipped); in
 * the spelling the image has, *created when absent.  NULL in *log when
 * neither can be used. */
static int
restore_log(const struct hp_hive_files *now, const char *hive_name,
	    char **log, int *created, struct hp_err *e)
{
	static const char *const sfx[] = { ".LOG1", ".LOG2" };
	const char *at;
	size_t i, k;

	for (k = 0, *log = NULL; k < 2 && *log == NULL; k++) {
		if (asprintf(log, "%s%s", hive_name, sfx[k]) == -1) {
			*log = NULL;
			return hp_err_nomem(e);
		}
		for (i = 0; *log != NULL && i < now->n_skipped; i++) {
			at = strrchr(now->skipped[i], '/');
			if (strcasecmp(at ? at + 1 : now->skipped[i], *log) == 0) {
				free(*log);
				*log = NULL;
			}
		}
	}
	*created = 1;
	for (i = 0; *log != NULL && i < now->n_logs; i++)
		if (strcasecmp(now->logs[i].name, *log) == 0) {
			strcpy(*log, now->logs[i].name);	/* its spelling */
			*created = 0;
		}
	return 0;
}

/* Writes the old hive in place through .LOG1 or .LOG2 (restore_log; in
 * the format its run wrote), exactly as it was, then puts that log back.
 * 1 when neither log can be used. */
static int
restore_in_place(struct hp_store *store, struct hp_store_hive *hive,
		 const struct backup *b, int fd, struct hp_err *e)
{
	struct sha_job job = { b->copy, b->sha_before };
	struct logged_commit lc = { 0 };
	struct hp_hive_files now;
	char *log = NULL;
	int rc, created = 1;

	if (store->ops->read(store->priv, hive, &now, e) == -1)
		return -1;
	/* A hive left dirty (a commit in place cut short) needs its logs:
	 * none is written through, the old hive replaces it. */
	if (!clean_at(now.fd)) {
		hp_hive_files_free(&now);
		return 1;
	}
	rc = restore_log(&now, hive->name, &log, &created, e);
	if (rc == -1 || log == NULL) {
		hp_hive_files_free(&now);
		return rc == -1 ? -1 : 1;
	}
	lc.log = log;
	lc.exact = 1;
	lc.format = logs_scan(&now, &lc.min_seq);
	if (lc.format == HP_LOG_NONE)
		lc.format = b->log_format ? b->log_format : HP_LOG_NEW;
	rc = commit_logged(store, hive, now.fd, now.size, fd, &lc, verify_sha,
	    &job, e);
	hp_hive_files_free(&now);
	if (rc == 0 || !lc.touched)
		rc = settle_log(store, hive, b, log, created, rc == 0 ? e :
		    NULL) == -1 ? -1 : rc;
	else
		hp_err_append(e, "; %s is left dirty, and %s recovers the hive "
		    "its backup holds (hivepatch recover writes it)",
		    hive->where, log);
	free(log);
	return rc;
}

int
backup_restore_hive(struct hp_store *store, struct hp_store_hive *hive,
		    const struct backup *b, struct hp_err *e)
{
	struct sha_job job = { b->copy, b->sha_before };
	int fd, rc, replaced;

	if ((fd = old_hive(store, hive, b, e)) == -1)
		return -1;
	rc = in_place(store, fd) ? restore_in_place(store, hive, b, fd, e) : 1;
	if (rc == 1)
		rc = store->ops->commit(store->priv, hive, fd, verify_sha, &job,
		    &replaced, e);
	close(fd);
	return rc;
}
