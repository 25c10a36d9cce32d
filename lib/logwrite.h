/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Transaction logs written as Windows writes them: the pages of the hive
 * bins data that a change dirtied, framed as one HvLE entry (new format,
 * Windows 8.1 and later) or as a dirty vector and its pages (old format,
 * Vista to 8).  Buffers only; commit_logged.c puts them on the medium.
 * The replay (logreplay.h) is the reader of what this writes. */
#ifndef HIVEPATCH_LOGWRITE_H
#define HIVEPATCH_LOGWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* A run of pages in the hive bins data: offset and length in bytes from
 * the first hive bin. */
struct page_run {
	uint32_t off, len;
};

/* The runs of `unit`-byte pages (REGF_PAGE or REGF_OLD_PAGE) of the
 * hive `b` that differ from the hive `a`, over b's hive bins data; pages
 * past a's end or a's hive bins data count as changed.  Both start with
 * a base block whose hive bins data size is within the buffer (b) or
 * not trusted (a).  *runs is malloc'd (NULL when *n is 0).  -1 with
 * HP_R_DAMAGED when b is shorter than its hive bins data, HP_R_NO_MEMORY. */
int log_changed_runs(const unsigned char *a, size_t a_len,
		     const unsigned char *b, size_t b_len, uint32_t unit,
		     struct page_run **runs, size_t *n, struct hp_err *e);

/* The same, calling done(arg, upto) each time every byte of a and b
 * below file offset `upto` has been compared (every few MiB, and at the
 * end): a caller that mapped both whole may let those pages go as it
 * goes. */
int log_changed_runs_cb(const unsigned char *a, size_t a_len,
			const unsigned char *b, size_t b_len, uint32_t unit,
			void (*done)(void *arg, size_t upto), void *arg,
			struct page_run **runs, size_t *n, struct hp_err *e);

/* The runs log_changed_runs(v, v_len, b, b_len, REGF_PAGE) gives, for a
 * hive v that is not at hand but differs from a hive c only in the runs
 * cv (log_changed_runs(c, .., v, .., REGF_PAGE), v's bytes of them in
 * cv_bytes, in order): from the runs cb of b against c
 * (log_changed_runs(c, .., b, .., REGF_PAGE)), v's length and hive bins
 * data size, and b, of which only the pages of cv are read. */
int log_changed_runs_via(const struct page_run *cb, size_t n_cb,
			 const struct page_run *cv, size_t n_cv,
			 const unsigned char *cv_bytes, size_t v_len,
			 uint32_t v_bins, const unsigned char *b, size_t b_len,
			 struct page_run **runs, size_t *n, struct hp_err *e);

/* A log's base block (REGF_LOG_HEADER bytes at out): the first 512 bytes
 * of the base block bb, with file type `type` (REGF_FILE_LOG_NEW or
 * REGF_FILE_LOG_OLD), both sequence numbers `seq`, and its checksum. */
void log_header(unsigned char *out, const unsigned char *bb, uint32_t type,
		uint32_t seq);

/* One HvLE entry with sequence number `seq` writing the runs of `hbins`
 * (the hive bins data, `bins` bytes): header, page references, pages,
 * padded to 512 bytes, both Marvin32 hashes set.  `flags` is the base
 * block's (only its bit 0 is kept, as Windows keeps it).  With no runs
 * (n 0) the first page is written again: an entry without pages is not
 * replayed.  *out is malloc'd. */
int log_entry(uint32_t seq, uint32_t flags, uint32_t bins,
	      const unsigned char *hbins, const struct page_run *runs,
	      size_t n, unsigned char **out, size_t *len, struct hp_err *e);

/* A whole log that takes a hive whose base block is `bb` (its hive bins
 * data size, root and last written time already those of the new hive)
 * to the new hive whose hive bins data is `hbins`, writing `runs`:
 *   new format: the log's base block (sequence numbers `seq`) and one
 *               entry of sequence number `seq` (as log_entry writes it:
 *               the first page again when there are no runs);
 *   old format: the log's base block (sequence numbers `seq`), "DIRT"
 *               and its bitmap of 512-byte pages, the dirty pages.
 * `runs` must be in ascending order and, for the old format, of whole
 * 512-byte pages.  *out is malloc'd. */
int log_build_new(const unsigned char *bb, uint32_t seq,
		  const unsigned char *hbins, const struct page_run *runs,
		  size_t n, unsigned char **out, size_t *len,
		  struct hp_err *e);
int log_build_old(const unsigned char *bb, uint32_t seq,
		  const unsigned char *hbins, const struct page_run *runs,
		  size_t n, unsigned char **out, size_t *len,
		  struct hp_err *e);

/* The format of a log from its first bytes: HP_LOG_NEW or HP_LOG_OLD for
 * a base block with the regf signature, a good checksum and a log's file
 * type; HP_LOG_NONE otherwise (empty, short, damaged). */
int log_format_of(const unsigned char *d, size_t len);

#endif
