/* A hive as Windows would load it.
 *
 * A clean hive is read where it lies.  A dirty one (its sequence numbers
 * differ, or its base block is damaged and it has logs) is recovered the
 * way Windows recovers it at boot: its transaction logs are replayed
 * (logreplay.h) into an anonymous in-memory file, and hivex opens that.
 * Nothing is written into the image; the caller decides whether the
 * recovered hive is committed. */
#ifndef HIVEPATCH_HIVEVIEW_H
#define HIVEPATCH_HIVEVIEW_H

#include <stddef.h>

#include "error.h"
#include "hive.h"
#include "logreplay.h"
#include "target.h"

enum {
	/* Read a dirty hive's primary file as it is, logs ignored. */
	HIVE_VIEW_NO_RECOVER = 1,
	/* The view will be written back: refuse a recovery that is not a
	 * state Windows ever wrote (an old-format log that stops early
	 * leaves a hive half new, half old). */
	HIVE_VIEW_FOR_WRITE = 2,
};

struct hive_view {
	struct hive_header disk;	/* the primary file as found: dirty,
					 * sequence numbers (from the log
					 * replay when its base block is bad) */
	struct hive_header hdr;		/* what is read: the primary, or the
					 * recovered image */
	int replayed;			/* the logs were applied */
	struct log_replay_report replay;	/* when replayed */
	const char *hive_path;		/* the hive file, for messages (the
					 * target's, which outlives the view) */
	char *path;			/* what to hand to hivex_open: the
					 * hive, or /proc/self/fd/N */
	int memfd;			/* the recovered image, or -1 */
	char caveat[768];		/* what a reader of a replayed hive
					 * must be told: the replay stopped
					 * early, started past the entry the
					 * hive expects, or a file with a
					 * log's name was not read; "" */
};

/* Fills `v` for the hive of `t`, with the logs found beside it.
 * Fails with the replay's error (HP_REFUSED when the logs cannot recover
 * a dirty hive, naming the files) or the header's (HP_IOERR: not a hive,
 * damaged and no log to mend it).  hive_view_close releases it, on
 * failure too. */
int hive_view_open(const struct hp_target *t, int flags, struct hive_view *v,
		   struct hp_err *e);

/* Opens the view with hivex (flags: 0 or HIVEX_OPEN_WRITE); messages
 * name the hive file, never the memory file. */
hive_h *hive_view_hivex(const struct hive_view *v, int flags,
			struct hp_err *e);

void hive_view_close(struct hive_view *v);

#endif
