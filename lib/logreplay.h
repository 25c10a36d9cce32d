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

/* Bound on the primary file, on each log file, and on the recovered
 * image: larger files are refused (HP_REFUSED). */
#define LOG_REPLAY_MAX_FILE (2ull * 1024 * 1024 * 1024)

enum log_replay_format {
	LOG_FORMAT_NONE = 0,
	LOG_FORMAT_OLD = 1,	/* base block + dirty vector + dirty pages */
	LOG_FORMAT_NEW = 2,	/* HvLE log entries */
};

struct log_replay_report {
	int dirty;		/* the primary's base block was dirty */
	int format;		/* enum log_replay_format of the logs applied */
	char *logs_used[2];	/* the logs applied, in order (their names) */
	size_t n_logs_used;
	unsigned entries_applied;	/* HvLE entries (new format) */
	unsigned pages_applied;		/* page references (new) or 512-byte
					 * dirty pages (old) written */
	uint32_t seq_before_primary, seq_before_secondary;
	uint32_t seq_after;	/* both sequence numbers of the result */
	int base_block_recovered;	/* the primary's base block was bad and
					 * was taken from a log */
	uint32_t seq_first;	/* new format: the first entry applied */
	int started_late;	/* new format: that entry is not the one the
				 * hive's secondary sequence number asks
				 * for; the entries between are in no log
				 * given (one is missing, or Windows had
				 * already written them to the primary) */
	int stopped_early;	/* a log held more that could not be used:
				 * truncated, corrupted, or a gap.  New
				 * format: the image is the hive as of the
				 * last entry applied, a state Windows once
				 * wrote.  Old format (one log is one write):
				 * the hive bins before the stop are new, the
				 * rest old, as Windows would load it; a
				 * caller that must not make things worse
				 * should refuse that image. */
	char stop_reason[160];	/* why, naming the log and the offset */
};

/* One log, or the primary, given as a buffer (log_replay_buffers). */
struct log_replay_buf {
	const char *name;	/* used in messages and in logs_used */
	const unsigned char *data;
	size_t len;
};

/* Reads the primary `hive_path` and the candidate logs `log_paths` (in any
 * order: .LOG, .LOG1, .LOG2, of either format; the choice between them is
 * made from their contents, as Windows makes it) and returns in *image
 * (malloc'd, *image_len bytes) the hive as Windows would load it:
 *   - clean hive: the primary unchanged, rep->dirty 0, logs not read;
 *   - dirty hive: the logs applied in order, stopping at the first invalid
 *     or out-of-sequence entry, with a base block that is clean (sequence
 *     numbers equal, hive bins data size and flags from what was applied,
 *     file type 0, checksum recomputed) and the file grown as needed.
 * Returns 0, or -1 with:
 *   HP_IOERR    a file cannot be read, or the primary is not a hive;
 *   HP_REFUSED  the hive is dirty and nothing trustworthy recovers it (no
 *               logs, or every log invalid, of another hive, or older than
 *               the hive, or its first entry bad); the message names the
 *               files and the reason; or a file is over the size bound.
 * *image is NULL and rep is filled as far as known (free it anyway with
 * log_replay_report_free) on failure.  The result still has to be checked
 * by opening it (hivex): recovery restores what Windows would have, which
 * is not a proof that the hive is sound. */
int log_replay(const char *hive_path, char *const *log_paths, size_t n_logs,
	       unsigned char **image, size_t *image_len,
	       struct log_replay_report *rep, struct hp_err *e);

/* The same with a bound on the recovered image (and on the primary):
 * max_image bytes, 0 for LOG_REPLAY_MAX_FILE. */
int log_replay_bounded(const char *hive_path, char *const *log_paths,
		       size_t n_logs, size_t max_image, unsigned char **image,
		       size_t *image_len, struct log_replay_report *rep,
		       struct hp_err *e);

/* The same on buffers (what log_replay uses after reading the files, and
 * what the fuzz target calls).  max_image bounds the recovered image (0:
 * LOG_REPLAY_MAX_FILE). */
int log_replay_buffers(const struct log_replay_buf *hive,
		       const struct log_replay_buf *logs, size_t n_logs,
		       size_t max_image, unsigned char **image,
		       size_t *image_len, struct log_replay_report *rep,
		       struct hp_err *e);

/* Frees what a report holds and zeroes it (safe on a zeroed report). */
void log_replay_report_free(struct log_replay_report *rep);

#endif
