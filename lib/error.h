/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Errors reported errno-style: a function that fails returns -1 (or NULL)
 * and fills a struct hp_err (hivepatch.h) with a reason, the exit status
 * that reason has, and one line that names the file and the problem.
 * The library never prints and never exits; the caller decides what to
 * do with the message. */
#ifndef HIVEPATCH_ERROR_H
#define HIVEPATCH_ERROR_H

#include <stdint.h>

#include "hivepatch.h"

/* Sets the reason, its status and the message (printf-style), escaped
 * as hp_escape_text escapes (hivepatch.h); returns -1 so callers can
 * write `return hp_err_set(e, ...);`.  e may be NULL. */
int hp_err_set(struct hp_err *e, enum hp_reason reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The reason a failed system call's errno gives: HP_R_NOT_FOUND (ENOENT,
 * ENOTDIR, ELOOP), HP_R_NO_MEMORY or HP_R_IO (all exit 4). */
enum hp_reason hp_errno_reason(int err);

/* "PATH: what went wrong" for a system call on path that failed with
 * err, with hp_errno_reason's reason: strerror's text, but in words for
 * a path through a loop of symbolic links (ELOOP).  Returns -1. */
int hp_err_sys(struct hp_err *e, int err, const char *path);

/* hp_err_set(e, HP_R_NO_MEMORY, "out of memory"). */
int hp_err_nomem(struct hp_err *e);

/* HP_R_OVER_LIMIT: "WHERE: WHATN bytes, over the limit of L MiB for a
 * hive ..." (what: "" for the file itself, or e.g. "recovered, it would
 * be "), saying how to raise it. */
int hp_err_over_limit(struct hp_err *e, const char *where, const char *what,
		      uint64_t bytes, uint64_t limit);

/* Appends to e's message (printf-style, escaped), keeping its reason. */
void hp_err_append(struct hp_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Escapes the text in buf (of size bytes) in place, as hp_escape_text
 * does (what no longer fits is left out): for a message built with
 * snprintf outside hp_err_set. */
void text_escape_in_place(char *buf, size_t size);

#endif
