/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Committing a file of a directory on the host file system by
 * replacement: the new bytes go to a temporary file beside it, are
 * synced and checked, then renamed over it, and the directory is synced.
 * A crash or a failure before the rename leaves the old file; after it,
 * the new one.  Everything goes through the directory's descriptor, so a
 * directory swapped on the way cannot redirect a write. */
#ifndef HIVEPATCH_COMMIT_H
#define HIVEPATCH_COMMIT_H

#include <sys/stat.h>

#include "hivepatch.h"

struct dir_ref {
	int fd;			/* the directory, open */
	const char *path;	/* its path, for messages */
};

/* Replaces `name` in the directory (`what` it is, for messages: "hive",
 * "log") with the bytes of src_fd (from its start), calling check on the
 * synced temporary file before the rename.
 * The file keeps the old one's mode, owner and every extended attribute
 * it can copy (with `lost` not NULL, *lost names those it could not,
 * malloc'd, or is NULL); a file that did not exist gets `mode_if_new`.  On failure before the rename the old file is
 * untouched and no temporary file remains.  *replaced tells, on failure
 * too, whether the new file was renamed into place.  With `locked` not
 * NULL, the new file is flock'ed before the rename, and once it is in
 * place (*replaced) *locked is its descriptor, open for reading and
 * holding the lock (else -1): a writer that held the old file's lock
 * holds the new one's, with no moment between. */
int commit_replace(const struct dir_ref *dir, const char *name,
		   const char *what, int src_fd, unsigned mode_if_new,
		   hp_check_fn check, void *check_arg, int *replaced,
		   int *locked, char **lost, struct hp_err *e);

/* Empties `name` in place (its inode, name, mode and owner stay) and
 * syncs it: a transaction log once the primary holds everything; not a
 * file that is no log of the hive whose stat `owner` is
 * (target_log_foreign: HP_R_FOREIGN_LOG). */
int commit_truncate(const struct dir_ref *dir, const char *name,
		    const struct stat *owner, struct hp_err *e);

/* Opens `name` in the directory for reading, never through a symbolic
 * link and only if it is a regular file (HP_R_SYMLINK, HP_R_NOT_REGULAR;
 * a FIFO or device must not block or feed us). */
int open_regular_at(const struct dir_ref *dir, const char *name,
		    struct hp_err *e);

#endif
