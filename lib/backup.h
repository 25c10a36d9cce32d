/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Backups taken before any write, kept outside the image, and the
 * manifest that lets rollback put a hive back exactly. */
#ifndef HIVEPATCH_BACKUP_H
#define HIVEPATCH_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "backup_pages.h"
#include "error.h"
#include "hash.h"
#include "hivepatch.h"

#include <time.h>

/* One apply's backups share an id, so rollback puts back every hive
 * that apply changed, and only those. */
struct backup_run {
	char id[64];		/* UTC timestamp, microseconds and pid: sortable */
	char time[32];		/* UTC, ISO 8601 */
};

/* The run's id and time, from `now` (NULL: the clock). */
void backup_run_start(struct backup_run *run, const struct timespec *now);

/* A transaction log beside the hive, copied with it: rollback puts the
 * hive and its logs back together. */
struct backup_log {
	char *path;		/* absolute path of the log in the image */
	char *copy;		/* its copy in the backup directory */
	char sha_before[SHA256_HEX_LEN + 1];
	char sha_after[SHA256_HEX_LEN + 1];	/* once the commit emptied it;
						 * "" until then */
};

struct backup {
	char *dir;		/* this backup's own directory: <slot>/<id> */
	char *id;		/* the backup_run id */
	char *copy;		/* the copy of the hive inside it, or its
				 * pages file (backup_pages.h) */
	int pages;		/* copy is a pages file */
	uint64_t bytes;		/* what the backup keeps of the hive */
	int log_format;		/* the log its commit wrote through
				 * (HP_LOG_*), for a restore in place */
	char *log_created;	/* the log its commit made (removed when the
				 * run ends), or NULL */
	char *hive;		/* absolute path of the hive it came from */
	char *time;		/* UTC, ISO 8601 */
	char *command;		/* the run's ("apply"), "" if not recorded */
	char **profiles;	/* and its profiles and .reg files */
	size_t n_profiles;
	char sha_before[SHA256_HEX_LEN + 1];
	char sha_after[SHA256_HEX_LEN + 1];	/* from the manifest */
	struct backup_log *logs;
	size_t n_logs;
};

/* Whether backups can go under root: HP_R_NO_BACKUP_DIR when it is
 * NULL or empty, or names something other than a directory (a file, or
 * a path through one).  A root that does not exist yet is fine. */
int backup_root_usable(const char *root, struct hp_err *e);

/* The same for a run about to keep backups there: root is made when it
 * does not exist, and must be writable; HP_R_NO_BACKUP_DIR, naming it
 * "the backup directory ROOT", when it is not. */
int backup_root_ready(const char *root, struct hp_err *e);

/* Backs up the hive and its logs, as the store's read gave them, into
 * root/<hash of the hive's identity>/<run id>/, hashing them on the way
 * (sha_before): each log whole under its own name; the hive whole as
 * "hive" when change is NULL, else as "pages", the bytes that committing
 * `change` overwrites (its SHA-256 is then sha_before when not NULL: the
 * caller's, already computed). */
int backup_take(const char *root, const struct backup_run *run,
		const struct hp_store_hive *hive,
		const struct hp_hive_files *files,
		const struct hive_change *change, const char *sha_before,
		struct backup *b, struct hp_err *e);

/* Writes manifest.json into the backup once the new hive is in place
 * (with each log's sha_after as the caller set it); a backup without one
 * is never offered to rollback. */
int backup_write_manifest(const struct backup *b, const char *command,
			  const char *sha_after,
			  const char *const *profiles, size_t n_profiles,
			  const char *const *reg_files, size_t n_reg_files,
			  struct hp_err *e);

/* Removes a backup whose commit failed (the hive is unchanged). */
void backup_discard(const struct backup *b);

/* The most recent backup with a manifest for this hive (by its
 * identity); HP_R_NO_BACKUP when there is none. */
int backup_find_latest(const char *root, const struct hp_store_hive *hive,
		       struct backup *b, struct hp_err *e);

/* 1 when a run whose backup of this hive (by its identity) has a
 * manifest found the hive holding the bytes of SHA-256 `sha`: the hive
 * is as it was before that run (undone); else 0. */
int backup_found_before(const char *root, const struct hp_store_hive *hive,
			const char *sha);

/* The most recent backup under root, of any hive anywhere, whose run
 * left a hive of SHA-256 `sha`: the backup that puts back what a hive
 * holding those bytes was before, wherever the image now lies.  0 with
 * *b filled, 1 when there is none, -1 on error (a damaged manifest is
 * passed over). */
int backup_find_by_sha(const char *root, const char *sha, struct backup *b,
		       struct hp_err *e);

/* The same for the backup whose run started from a hive of SHA-256
 * `sha`: the one a hive holding those bytes was put back from. */
int backup_find_undone(const char *root, const char *sha, struct backup *b,
		       struct hp_err *e);

/* Commits the backup copy `copy` of a hive's log `log_name` back
 * through the store; what is written must hash to `sha`. */
int backup_restore_log(struct hp_store *store, struct hp_store_hive *hive,
		       const char *copy, const char *sha, const char *log_name,
		       struct hp_err *e);

/* Puts the hive back as the backup had it (rebuilt from its pages and
 * the hive as the store reads it now, or its whole copy); what is
 * written must hash to b->sha_before.  A hive that was clean goes back
 * in place through its .LOG1 (.LOG2 when .LOG1 is a file that is no log
 * of the hive), which then gets back what it held (its backup, or
 * nothing); a dirty one, or one whose two log names are both taken so,
 * by replacement, and so is any hive that is dirty now (a commit in
 * place cut short: its log recovers it, and must not be written
 * through).  Used to undo a run
 * that failed half-way, and by rollback. */
int backup_restore_hive(struct hp_store *store, struct hp_store_hive *hive,
			const struct backup *b, struct hp_err *e);

void backup_free(struct backup *b);

#endif
