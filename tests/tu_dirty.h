/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: dirty fixtures made by mkdirty, dirty hives with their
 * transaction logs before and after a recovery, and log replays.  See
 * testutil.h. */
#ifndef HIVEPATCH_TU_DIRTY_H
#define HIVEPATCH_TU_DIRTY_H

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hash.h"
#include "logreplay.h"

/* ---- fixtures ---- */

/* $MKDIRTY [OPTION...] MODE CLEAN OUT (MODE "new" or "old"; the options,
 * e.g. "--truncate-log", "1000", up to a NULL): writes OUT, OUT.LOG1
 * (and OUT.LOG2 for new), OUT.orig, OUT.expected and OUT.expected.N, as
 * hives/mkdirty.c describes.  Fails the test when it fails. */
void tu_mkdirty(const char *mode, const char *clean, const char *out, ...)
	__attribute__((sentinel));
void tu_mkdirty_va(const char *mode, const char *clean, const char *out,
		   va_list opts);

/* Offset of the k-th (from 1) HvLE entry of a new-format log; fails the
 * test when there is no such entry. */
size_t tu_log_entry_offset(const char *log, unsigned k);

/* ---- a hive and its logs ---- */

/* The log names looked for beside a hive: HIVE.LOG, .LOG1, .LOG2 and
 * the same in lower case. */
#define TU_MAX_LOGS 6

/* A hive and the logs beside it as they were, with their hashes. */
struct tu_hive_files {
	char *hive;
	char hive_hash[SHA256_HEX_LEN + 1];
	size_t n_logs;
	char *log[TU_MAX_LOGS];
	char log_hash[TU_MAX_LOGS][SHA256_HEX_LEN + 1];
	off_t log_size[TU_MAX_LOGS];
};

/* Takes them now (the paths are tu_pathf strings). */
void tu_hive_files_take(struct tu_hive_files *f, const char *hive);

/* The hive and every log hold the bytes they held; no log appeared. */
void tu_assert_hive_files_unchanged(const struct tu_hive_files *f);

/* After a committed recovery: the hive is clean (its sequence numbers
 * are equal; returned), and every log that was beside it is still there
 * and empty, so that Windows has nothing to replay over it. */
uint32_t tu_assert_recovered_and_logs_reset(
    const struct tu_hive_files *before);

/* ---- log replays ---- */

/* What log_replay gave, and the file its image was written to. */
struct tu_replay {
	int rc;
	struct hp_err e;
	struct hp_recovery rep;
	unsigned char *img;
	size_t len;
	char *out;	/* the image written to a file (rc 0; malloc'd) */
};

void tu_replay_free(struct tu_replay *r);

/* Replays the files: the hive and its n logs read whole (failing the
 * test when one cannot be read) and given to log_replay_buffers, as the
 * view gives a store's descriptors.  r->rc, r->e, r->rep, r->img and
 * r->len take the outcome. */
void tu_replay_files(struct tu_replay *r, const char *hive,
		     char *const *logs, size_t n);

#endif
