/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One hive of a store, opened for a run: found in the store, locked when
 * the run may write it, read through its store, viewed as Windows would
 * load it, opened with hivex and classified.  patch.c and inspect.c
 * both start from here. */
#ifndef HIVEPATCH_SESSION_H
#define HIVEPATCH_SESSION_H

#include <stdint.h>
#include <stdio.h>

#include <hivex.h>

#include "apply.h"
#include "backup.h"
#include "commit_logged.h"
#include "hiveview.h"
#include "plan.h"
#include "store.h"

enum {
	SESSION_FOR_WRITE = 1,	/* the run writes (or, dry, would): refuse a
				 * recovery Windows never wrote
				 * (HP_VIEW_FOR_WRITE) */
	SESSION_LOCK = 2,	/* and it will: hold the hive's lock */
	SESSION_NO_RECOVER = 4,	/* HP_VIEW_NO_RECOVER */
	SESSION_HASH = 8,	/* hash the hive (a second thread) and its
				 * logs as read (HP_HASH_READ) */
};

struct session {
	enum hp_hive_kind kind;		/* what the run reads it as */
	struct hp_store_hive *hive;	/* in its store */
	struct hp_hive_files files;	/* as the store read it */
	uintmax_t links;		/* names the hive had then */
	struct hp_view view;		/* as Windows would load it */
	hive_h *h;
	enum hp_hive_kind found;	/* what its content says it is */
	unsigned found_how;		/* HIVE_KIND_BY_CONTENT, ... */
	char why[224];			/* and why */
	char **control_sets;		/* what CurrentControlSet means */
	size_t n_control_sets;
	int all_control_sets;
	struct plan plan;
	struct touched touched;		/* the keys the run changed */
	int planned;
	int unmet;
	size_t n_changes;
	/* Writing it. */
	int must_write;			/* changes, or a recovery to commit */
	int discarding;			/* HP_DISCARD_LOGS took the primary
					 * of a hive its logs cannot recover */
	int image_fd;			/* the new hive (a memory file), or
					 * -1 */
	char sha_read[SHA256_HEX_LEN + 1];	/* the hive as read, once
						 * hashing ended ("" else) */
	char (*logs_sha)[SHA256_HEX_LEN + 1];	/* SESSION_HASH: each of
						 * files.logs */
	struct sha_task hashing;	/* of the hive as read, while hivex
					 * works (for its backup) */
	struct page_run *changed;	/* the pages of the new hive that
					 * differ from files.fd: what the
					 * commit in place writes and the
					 * page backup keeps */
	size_t n_changed;
	uint64_t image_size;
	/* A recovered hive once loaded whole (session_let_go_view): the
	 * pages where it differs from files.fd, and its bytes there, when a
	 * commit may append to its logs; its memory file is let go. */
	struct page_run *view_delta;
	size_t n_view_delta;
	unsigned char *view_delta_bytes;
	int view_delta_kept;
	struct logged_commit lc;	/* HP_METHOD_LOGGED: how */
	char sha_new[SHA256_HEX_LEN + 1];	/* of the new hive, final */
	struct backup backup;
	int backed_up;
	int replaced;			/* the new hive is in place */
	char sha_after[SHA256_HEX_LEN + 1];
	char *output;			/* recover --output: written there */
	char sha_output[SHA256_HEX_LEN + 1];
	uint32_t seq_after;
	size_t n_logs_reset;		/* files.logs[0 .. n) were emptied */
	enum hp_commit_method commit;	/* how it was written */
	char *commit_log;		/* HP_METHOD_LOGGED: through this log */
	int commit_log_format;
	int commit_log_created;		/* the commit made it: removed after */
	size_t pages_written;
	uint64_t last_written;		/* the time written (FILETIME); 0:
					 * the hive's own were kept */
	size_t keys_stamped;		/* keys given that LastWrite */
};

/* Opens the hive of `store` that holds `kind` into s (zeroed first), up
 * to its view.  When the store cannot reach it, fails with its problem
 * and leaves s->hive NULL; past that point s->hive is set even on
 * failure, so that a report can say what was read.  A reading run whose
 * dirty hive the logs cannot recover is told that --no-recover reads it
 * as it is.  session_free releases it, on failure too. */
int session_open(struct session *s, struct hp_store *store,
		 enum hp_hive_kind kind, unsigned flags, struct hp_err *e);

/* Then opens the view with hivex, read-only, and classifies it (s->found,
 * s->why): after the caller has judged what the view says about the
 * hive's state. */
int session_hivex(struct session *s, struct hp_err *e);

/* Opens `path` for writing (outfile.h), never in the target: for a
 * store of this library, nothing it holds; for a caller's store, the
 * hive and the logs s read. */
/* Starts hashing the hive as read, unless it is already being hashed
 * or was. */
int session_hash_begin(struct session *s, struct hp_err *e);

/* The hash of the hive as read, into s->sha_read (0 with it "" when no
 * hashing was begun). */
int session_sha_read(struct session *s, struct hp_err *e);

FILE *session_out_open(struct hp_store *store, const struct session *s,
		       const char *path, struct hp_err *e);

/* Pushes onto v a warning for each file with a log's name that is not
 * one of the hive's logs (hp_hive_files.skipped), naming it and why;
 * none when the view replayed the logs (its caveat names them). */
int session_skipped_warnings(const struct session *s, char ***v, size_t *n,
			     struct hp_err *e);

/* How many names (hard links) the hive had when it was read; 1 when
 * unknown. */
uintmax_t session_hive_links(const struct session *s);

/* Once s->h is open for writing (hivex holds the hive whole): lets the
 * memory file of a recovered view go, keeping first, when keep_delta,
 * what it differs in from the primary file (s->view_delta), which is
 * all a commit appending to its logs needs of it.  Nothing for a clean
 * hive, whose view is the primary file itself. */
int session_let_go_view(struct session *s, int keep_delta, struct hp_err *e);

void session_free(struct session *s);

#endif
