/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Transaction log replay: what Windows does with a dirty hive on load.
 *
 * A hive whose base block is dirty (the two sequence numbers differ, or
 * the checksum is wrong) holds stale data: the last changes live in its
 * transaction logs.  This module reads the primary file and its logs and
 * builds, in memory, the hive as Windows would see it after recovery, so
 * that hivex (which never reads logs) can be given a clean file.
 *
 * Both log formats of "Windows registry file format specification"
 * (Maxim Suhanov, github.com/msuhanov/regf) are handled:
 *   - old format (Windows XP to 7): a base block copy, a dirty vector
 *     ("DIRT" and a bitmap of 512-byte pages), then the dirty pages;
 *   - new format (Windows 8.1 and later): a base block copy, then "HvLE"
 *     log entries, each with a sequence number, the hive bins data size,
 *     page references and pages, protected by two Marvin32 hashes.
 *
 * The library never prints and never exits; errors go to struct hp_err
 * (error.h).  The input is never trusted: every offset and size read from
 * a file is checked, work is linear in the input, and nothing loops. */
#ifndef HIVEPATCH_LOGREPLAY_H
#define HIVEPATCH_LOGREPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hivepatch.h"

/* One log, or the primary, given as a buffer (log_replay_buffers). */
struct log_replay_buf {
	const char *name;	/* used in messages and in logs_used */
	const unsigned char *data;
	size_t len;
};

/* Builds in *image (malloc'd, *image_len bytes) the hive as Windows
 * would load it from the primary `hive` and the candidate logs (in any
 * order: .LOG, .LOG1, .LOG2, of either format; the choice between them is
 * made from their contents, as Windows makes it):
 *   - clean hive: the primary unchanged, rep->dirty 0, logs not read;
 *   - dirty hive: the logs applied in order, stopping at the first invalid
 *     or out-of-sequence entry, with a base block that is clean (sequence
 *     numbers equal, hive bins data size and flags from what was applied,
 *     file type 0, checksum recomputed) and the file grown as needed.
 * max_image bounds the recovered image and the primary (0:
 * HP_HIVE_LIMIT_MAX).  Returns 0, or -1 with:
 *   HP_R_DAMAGED  the primary is not a hive;
 *   HP_R_DIRTY_UNRECOVERABLE  the hive is dirty and nothing trustworthy
 *               recovers it (no logs, or every log invalid, of another
 *               hive, or older than the hive, or its first entry bad);
 *               the message names the files and the reason;
 *   HP_R_OVER_LIMIT  a file or the image is over the bound.
 * *image is NULL and rep is filled as far as known (free it anyway with
 * log_replay_report_free) on failure.  The result still has to be checked
 * by opening it (hivex): recovery restores what Windows would have, which
 * is not a proof that the hive is sound. */
int log_replay_buffers(const struct log_replay_buf *hive,
		       const struct log_replay_buf *logs, size_t n_logs,
		       size_t max_image, unsigned char **image,
		       size_t *image_len, struct hp_recovery *rep,
		       struct hp_err *e);

/* The same, recovering in place in the file img_fd (a memory file the
 * caller made, holding the primary's `len` bytes): it is mapped, written
 * where the logs say, grown or cut with the image, and unmapped;
 * *image_len is then its length.  The file is left as it is on failure
 * (the caller drops it).  No copy of the hive is made. */
int log_replay_fd(const char *hive_name, int img_fd, size_t len,
		  const struct log_replay_buf *logs, size_t n_logs,
		  size_t max_image, size_t *image_len,
		  struct hp_recovery *rep, struct hp_err *e);

/* Frees what a report holds and zeroes it (safe on a zeroed report). */
void log_replay_report_free(struct hp_recovery *rep);

#endif
