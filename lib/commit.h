/* Writing a hive so that the original is either untouched or wholly
 * replaced by a verified new version: temp file beside it, fsync, verify,
 * rename, fsync the directory, verify again. */
#ifndef HIVEPATCH_COMMIT_H
#define HIVEPATCH_COMMIT_H

#include <stdint.h>

#include <hivex.h>

#include "error.h"
#include "hash.h"
#include "plan.h"

/* Takes an exclusive advisory lock on the hive at `path` (flock on the
 * file) and returns its descriptor, to close when done.  A second run on
 * the same hive is refused (HP_REFUSED) instead of waiting. */
int hive_lock(const char *path, struct hp_err *e);

/* Commits the hivex handle's changes over `path`, and closes the handle
 * (success or not) before reading the result back.  Before the rename the
 * temporary file is opened afresh and must hold every item of `plan`
 * (type and data) and walk whole; after it `path` must lead to that very
 * file.  Mode and ownership of the original are kept.  On
 * failure before the rename the original is untouched and the temporary
 * file is gone.  sha_after and *seq_after receive the new file's SHA-256
 * and sequence number; *replaced tells, on failure too, whether the new
 * file was renamed into place. */
int commit_atomic(hive_h *h, const char *path, struct plan *plan,
		  char sha_after[SHA256_HEX_LEN + 1], uint32_t *seq_after,
		  int *replaced, struct hp_err *e);

/* Replaces `path` with a copy of `src` (rollback), the same way: temp
 * file, fsync, rename, fsync the directory.  The copy must hash to
 * `expect_sha`.  A `path` that no longer exists is created. */
int restore_atomic(const char *src, const char *path,
		   const char *expect_sha, struct hp_err *e);

/* Empties a transaction log in place (name, mode and owner stay) and
 * syncs it: once the primary holds everything, Windows must find
 * nothing in the logs to replay over it (see hivepatch(1), LOGS). */
int log_reset(const char *path, struct hp_err *e);

#endif
