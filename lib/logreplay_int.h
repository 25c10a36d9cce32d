/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the parts of the log replay share (logreplay.c, the classifying
 * of logs and the whole; logreplay_new.c, HvLE entries; logreplay_old.c,
 * dirty vectors): the recovery state.  Internal to the three. */
#ifndef HIVEPATCH_LOGREPLAY_INT_H
#define HIVEPATCH_LOGREPLAY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "logreplay.h"
#include "regf.h"

/* a is later than b, modulo 2^32 (sequence numbers may wrap). */
static inline int
seq_after(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

struct lr_log {
	const struct log_replay_buf *buf;
	const char *base;	/* last path component of the name */
	int fmt;		/* HP_LOG_*, or NONE when unusable */
	uint32_t seq;		/* its base block's sequence number */
	int used;
	char why[200];		/* why it was not used, for messages */
};

struct lr {
	const struct log_replay_buf *hive;	/* its data may be the image:
						 * use pbb once img is set */
	unsigned char pbb[REGF_BASE_BLOCK];	/* the primary's base block */
	unsigned char *img;	/* the image being recovered */
	size_t len;		/* its length */
	int img_fd;		/* -1: img is malloc'd; else img maps this
				 * file, map_len bytes of it */
	size_t map_len;
	size_t max;		/* bound on len */
	int bb_valid;		/* the primary's base block checksum is good */
	int has_sig;		/* it has the regf signature */
	uint32_t seq2;		/* the primary's secondary sequence number */
	unsigned char ts[8];	/* the primary's effective timestamp */
	struct lr_log *logs;
	size_t n_logs;
	struct hp_recovery *rep;
	/* What the finished base block gets. */
	uint32_t seq_final, bins_final, flags_final, root_final;
	const unsigned char *bb_source;	/* log base block to recover from */
};

/* Why log l was not used, for the refusal message. */
void set_why(struct lr_log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Notes that recovery stopped early in log l, and why. */
void stop(struct lr *c, const struct lr_log *l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Log l was applied: it goes to the report's logs_used. */
int note_used(struct lr *c, struct lr_log *l, struct hp_err *e);

/* Grows the image to `need` bytes, zero-filled (within c->max). */
int grow(struct lr *c, uint64_t need, struct hp_err *e);

/* 1 when new-format (logreplay_new.c) or old-format (logreplay_old.c)
 * logs recovered the hive, 0 when they did not (the logs' why say so),
 * -1 on error. */
int try_new(struct lr *c, struct hp_err *e);
int try_old(struct lr *c, struct hp_err *e);

#endif
