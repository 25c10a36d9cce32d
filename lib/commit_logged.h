/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Committing a new hive in place through the hive's own transaction
 * log, as Windows writes a hive (ReactOS cmlib hivewrt.c, HvSyncHive;
 * msuhanov/regf, "Format of transaction log files"):
 *
 *   1. the pages that differ from the file as it lies go to the log, in
 *      the format this Windows reads, and the log is synced (a dirty
 *      hive's: those that differ from the hive as its logs recover it,
 *      as an entry appended to the last log its recovery reads);
 *   2. the primary's base block is written dirty (first sequence number
 *      past the log's, second equal to it) and synced;
 *   3. the pages are written in place (the file grows or shrinks to the
 *      new size) and synced;
 *   4. the base block is written clean (both numbers equal) and synced.
 *
 * A crash before 2 leaves the old hive, clean (its logs are ignored) or
 * dirty as it was (the log written is not one its recovery needs).  A
 * crash after 2 leaves a dirty hive whose log recovers exactly the new
 * one: only that log is not older than the hive.  Through the store's
 * in-place operations only, so it works wherever a store can overwrite
 * bytes (a host file, a file inside an NTFS volume). */
#ifndef HIVEPATCH_COMMIT_LOGGED_H
#define HIVEPATCH_COMMIT_LOGGED_H

#include <stdint.h>
#include <time.h>

#include "hivepatch.h"
#include "logwrite.h"
#include "store.h"

struct logged_commit {
	/* In. */
	const char *log;	/* the log to write through ("SOFTWARE.LOG1") */
	int format;		/* HP_LOG_NEW or HP_LOG_OLD */
	uint32_t min_seq;	/* the log's sequence number is above this
				 * (the highest any log beside it carries) */
	int exact;		/* write the image's base block as it is (a
				 * restore): the numbers written dirty in
				 * between still come from this commit */
	int prepared;		/* logged_prepare was called */
	/* The pages of the new hive that differ from the hive as it lies,
	 * when the caller has them (hive_changed_runs over the very files
	 * given, under the lock); else commit_logged finds them. */
	const struct page_run *runs;
	size_t n_runs;
	int have_runs;
	/* A dirty hive whose recovery needs its logs: the commit's entry
	 * is appended to the log its recovery ends in, continuing it, as
	 * Windows appends; the hive keeps the second sequence number its
	 * recovery starts from until it is clean. */
	int append;
	uint64_t append_at;	/* where the applied entries end in `log` */
	uint32_t append_seq;	/* the entry's number: one past the last */
	uint32_t base_seq2;	/* the hive's second sequence number */
	/* The hive as its logs recover it, by what it differs in from
	 * disk_fd: the runs of log_changed_runs(disk, view, REGF_PAGE) and
	 * the view's bytes there, in order; its length and hive bins data
	 * size.  The entry holds the pages of the new hive that differ from
	 * it (log_changed_runs_via). */
	const struct page_run *view_delta;
	size_t n_view_delta;
	const unsigned char *view_delta_bytes;
	uint64_t view_size;
	uint32_t view_bins;
	/* Out. */
	int touched;		/* the primary was written to (its base block
				 * no longer reads as it did): on failure it
				 * is dirty, and the log recovers the new hive */
	uint32_t seq;		/* the new hive's sequence numbers */
	size_t pages;		/* 4 KiB pages written in place */
};

/* Commits the new hive in image_fd (its base block gets the sequence
 * numbers this commit gives; its last written time is left as it is)
 * over the hive `hive` of the store, whose bytes as they lie are those
 * of disk_fd (disk_size bytes; the store's read of the locked hive).
 * check (unless NULL: the caller checked those bytes) is called on
 * image_fd once its base block is final, before anything is written: a
 * refusal leaves every file as it was.  After the
 * last sync the hive is read back through the store: its size and every
 * byte written must be those checked (HP_R_NOT_VERIFIED); the bytes not
 * written were compared with the image before, under the lock.  The
 * store must have the in-place operations, and the hive must be
 * locked. */
/* Reads the base block of each log in f: the format of the first that
 * is a sound log (HP_LOG_NONE: none is) and the highest sequence number
 * any of them carries (*max_seq, 0 when none). */
int logs_scan(const struct hp_hive_files *f, uint32_t *max_seq);

/* A FILETIME (100 ns since 1601, UTC) of `now`, or of the clock when
 * NULL. */
uint64_t filetime_of(const struct timespec *now);

/* Gives the new hive in image_fd the sequence numbers the commit will
 * write (its base block's final state; left alone when exact), past
 * every number the hive as it lies (disk_fd) and its logs (lc->min_seq)
 * carry, and sets lc->seq: so that the new hive's bytes, and their hash,
 * are known before anything is written.  commit_logged calls it when
 * the caller did not. */
int logged_prepare(int disk_fd, int image_fd, struct logged_commit *lc,
		   const char *where, struct hp_err *e);

/* log_changed_runs (REGF_PAGE) of the hives in two files, mapped, and
 * let go as they are compared: neither is held whole in this process. */
int map_changed_runs(int a_fd, uint64_t a_size, int b_fd, uint64_t b_size,
		     const char *where, struct page_run **runs, size_t *n,
		     struct hp_err *e);

/* The runs of 4 KiB pages of the new hive in image_fd (*image_size
 * bytes, set) that differ from the hive as it lies in disk_fd (disk_size
 * bytes): map_changed_runs over the two.  What a commit in place
 * writes, and what a page backup keeps of the old hive: found once for
 * both.  *runs is malloc'd (NULL when *n is 0). */
int hive_changed_runs(int disk_fd, uint64_t disk_size, int image_fd,
		      const char *where, uint64_t *image_size,
		      struct page_run **runs, size_t *n, struct hp_err *e);

int commit_logged(struct hp_store *store, struct hp_store_hive *hive,
		  int disk_fd, uint64_t disk_size, int image_fd,
		  struct logged_commit *lc, hp_check_fn check, void *check_arg,
		  struct hp_err *e);

#endif
