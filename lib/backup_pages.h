/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pages file of a backup: the bytes a commit is about to overwrite
 * in a hive file (its base block, the 4 KiB pages that change, what a
 * shrinking file loses) and the file's old size, so that the old file
 * can be made again, byte for byte, from the file the commit leaves.
 * A change of a few values in a hive of 140 MB keeps a few pages, not
 * a copy of the hive.
 *
 * Layout, little-endian: "HPPAGES1"; u64 the old file's size; u32 the
 * number of runs; u32 0; per run u64 offset, u32 length, u32 0; then
 * the old bytes of each run, in order.  The reader trusts none of it:
 * every run must lie within the old size and the bytes must add up to
 * the file; what it rebuilds is checked against the backup's SHA-256
 * by its caller. */
#ifndef HIVEPATCH_BACKUP_PAGES_H
#define HIVEPATCH_BACKUP_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "logwrite.h"

/* What committing a new hive changes in a hive file: the new file's
 * size, and the runs of 4 KiB pages of its hive bins data that differ
 * from the file as it lies (log_changed_runs of the two, as the commit
 * in place writes them). */
struct hive_change {
	uint64_t new_size;
	const struct page_run *runs;
	size_t n;
};

/* Writes to `dst` (created, mode 0600, synced) what committing `change`
 * over the hive in disk_fd (disk_size bytes) overwrites.  *bytes is the
 * file's size. */
int pages_save(int disk_fd, uint64_t disk_size,
	       const struct hive_change *change, const char *dst,
	       uint64_t *bytes, struct hp_err *e);

/* Rebuilds in a new memory file (*out_fd) the old hive from the pages
 * file `src` and the hive as it is now (cur_fd, cur_size bytes).
 * HP_R_DAMAGED naming src when the pages file is not sound. */
int pages_restore(const char *src, int cur_fd, uint64_t cur_size,
		  int *out_fd, struct hp_err *e);

/* The same from the pages file's bytes (for the fuzz target). */
int pages_apply(const unsigned char *d, size_t len, const char *src,
		int out_fd, struct hp_err *e);

#endif
