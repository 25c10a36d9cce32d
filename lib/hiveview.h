/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A hive as Windows would load it (struct hp_view of hivepatch.h).
 *
 * A clean hive is read where it lies, through the descriptor its store
 * checked.  A dirty one (its sequence numbers differ, or its base block
 * is damaged and it has logs) is recovered the way Windows recovers it at
 * boot: its transaction logs are replayed (logreplay.h) into an anonymous
 * in-memory file.  Either way hivex opens /proc/self/fd/N of that
 * descriptor, never a path in the image again.  Nothing is written; the
 * caller decides whether the recovered hive is committed. */
#ifndef HIVEPATCH_HIVEVIEW_H
#define HIVEPATCH_HIVEVIEW_H

#include <stddef.h>

#include <hivex.h>

#include "error.h"
#include "hive.h"

struct hp_view {
	struct hive_header disk;	/* the primary file as found: dirty,
					 * sequence numbers (from the log
					 * replay when its base block is bad) */
	struct hive_header hdr;		/* what is read: the primary, or the
					 * recovered image */
	struct hp_recovery rec;		/* how: rec.replayed, rec.dirty */
	char *where;			/* the hive, for messages */
	int fd;				/* what hivex reads: a copy of the
					 * store's descriptor, or the memfd */
	uint64_t size;			/* its length */
	char path[32];			/* /proc/self/fd/N of fd */
	char caveat[768];		/* what a reader of a replayed hive
					 * must be told: the replay stopped
					 * early, started past the entry the
					 * hive expects, or a file with a
					 * log's name was not read; "" */
};

/* Fills `v` for the hive of `files` (flags: HP_VIEW_*).  Fails with the
 * replay's error (HP_R_DIRTY_UNRECOVERABLE naming the files,
 * HP_R_PARTIAL_LOG) or the header's (HP_R_DAMAGED: not a hive, damaged
 * and no log to mend it).  hive_view_close releases it, on failure
 * too. */
int hive_view_open(const struct hp_hive_files *files, const char *where,
		   unsigned flags, struct hp_view *v, struct hp_err *e);

/* Opens the view with hivex (flags: 0 or HIVEX_OPEN_WRITE); messages
 * name the hive, never the memory file. */
hive_h *hive_view_hivex(const struct hp_view *v, int flags, struct hp_err *e);

/* Closes the memory file of a recovered view once hivex has read it
 * whole (opened for writing): what it held is then in that handle, and
 * the view is its report alone (disk, hdr, rec, size, caveat);
 * hive_view_hivex may not be called on it again.  A view of the primary
 * itself is left as it is. */
void hive_view_let_go(struct hp_view *v);

void hive_view_close(struct hp_view *v);

/* The note for files->skipped[i] (a file with a log's name that is not
 * one of the hive's logs), naming it and why, into buf; as snprintf. */
int hive_skipped_note(const struct hp_hive_files *files, size_t i, char *buf,
		      size_t size);

/* /proc/self/fd/N for a descriptor: how hivex, which takes a path, is
 * given a file that was already opened and checked.  Fails (HP_R_IO,
 * naming `where`) when /proc is not mounted. */
int fd_path(int fd, const char *where, char path[32], struct hp_err *e);

#endif
