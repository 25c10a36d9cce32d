/* Backups taken before any write, kept outside the image, and the
 * manifest that lets rollback put a hive back exactly. */
#ifndef HIVEPATCH_BACKUP_H
#define HIVEPATCH_BACKUP_H

#include <stddef.h>

#include "error.h"
#include "hash.h"

/* One apply's backups share an id, so rollback puts back every hive
 * that apply changed, and only those. */
struct backup_run {
	char id[64];		/* UTC timestamp, microseconds and pid: sortable */
	char time[32];		/* UTC, ISO 8601 */
};

void backup_run_start(struct backup_run *run);

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
	char *copy;		/* the copy of the hive inside it */
	char *hive;		/* absolute path of the hive it came from */
	char *time;		/* UTC, ISO 8601 */
	char sha_before[SHA256_HEX_LEN + 1];
	char sha_after[SHA256_HEX_LEN + 1];	/* from the manifest */
	struct backup_log *logs;
	size_t n_logs;
};

/* The directory backups go under: `override` (--backup-dir), else
 * $XDG_STATE_HOME/hivepatch, else ~/.local/state/hivepatch. */
int backup_root(const char *override, char **root, struct hp_err *e);

/* Copies the hive and its logs into root/<hash of its path>/<run id>/
 * (the hive as "hive", each log under its own name), hashing them on the
 * way (sha_before). */
int backup_take(const char *root, const struct backup_run *run,
		const char *hive_path, char *const *logs, size_t n_logs,
		struct backup *b, struct hp_err *e);

/* Writes manifest.json into the backup once the new hive is in place
 * (with each log's sha_after as the caller set it); a backup without one
 * is never offered to rollback. */
int backup_write_manifest(const struct backup *b, const char *sha_after,
			  const char *const *profiles, size_t n_profiles,
			  const char *const *reg_files, size_t n_reg_files,
			  struct hp_err *e);

/* Removes a backup whose commit failed (the hive is unchanged). */
void backup_discard(const struct backup *b);

/* The most recent backup with a manifest for this hive. */
int backup_find_latest(const char *root, const char *hive_path,
		       struct backup *b, struct hp_err *e);

void backup_free(struct backup *b);

#endif
