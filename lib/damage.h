/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What is damaged in a hive's cells, in words and with the cell at
 * fault.  hivex answers a subkey list that overruns its cell, ri lists
 * nested or listing themselves, a value claiming 2 GiB with EFAULT,
 * EINVAL or ERANGE, and takes a big data record whose segments are
 * other cells without a word.  These read the cells again from the file
 * hivex opened (the view's: a hivex handle is a cell's offset in it) and
 * say what is wrong, so that every command tells one story:
 *
 *     FILE: damaged hive: WHAT (key 'PATH', its cell at file offset 0xN)
 *
 * where 0xN is the offset in the file of the cell at fault (a hivex
 * handle).  An offset that a record holds (counted from the first hive
 * bin) is given with its file offset beside it.
 *
 * They read with pread on the descriptor and hold nothing; each call
 * costs a few reads (an ri chain: one per list, up to a bound).  The
 * same reads tell a value kept as big data, and read it whole where
 * hivex does not. */
#ifndef HIVEPATCH_DAMAGE_H
#define HIVEPATCH_DAMAGE_H

#include <stdint.h>

#include <hivex.h>

#include "error.h"

/* Values of more than this many bytes are big data (regf 1.4 and
 * later): a db record listing segments of this many bytes each. */
#define DAMAGE_BIG_DATA_SEGMENT 16344u

struct damage {
	char what[256];		/* "the subkey list ... holds 1", unescaped */
	uint64_t at;		/* file offset of the cell at fault */
};

/* The subkey lists of the key at `node` in the hive file fd: 1 with *d
 * set when they are damaged, 0 when nothing is found wrong (or fd is
 * -1, or cannot be read). */
int damage_subkeys(int fd, hive_node_h node, struct damage *d);

/* The same for the key's value list. */
int damage_values(int fd, hive_node_h node, struct damage *d);

/* The value record `v` (named `name` in the words) and where its data
 * lies: a length longer than the hive, a data cell that is none, a big
 * data record whose segments are not cells of their own. */
int damage_value(int fd, hive_value_h v, const char *name, struct damage *d);

/* 1 with *len set when value record v's data is kept as big data (a db
 * record, regf 1.4 and later), which hivex reads but cannot write; 0
 * otherwise (or when it cannot be read). */
int damage_is_big_data(int fd, hive_value_h v, uint32_t *len);

/* hivex_value_value, with big data read whole: hivex copies each
 * segment's cell less 8 bytes, so a last segment of 1 to 4 bytes comes
 * back short without a word; then the segments are read again from fd
 * (NULL with errno EINVAL when one is no cell holding its part). */
char *damage_value_value(hive_h *h, int fd, hive_value_h v, hive_type *t,
			 size_t *len);

/* Sets e (HP_R_DAMAGED): "WHERE: damaged hive: WHAT (key 'KEY', its
 * cell at file offset 0xN)".  Returns -1. */
int damage_err(struct hp_err *e, const char *where, const char *key,
	       const struct damage *d);

/* A hivex call that read the cells of `key` failed with err, and the
 * cells showed nothing more (or could not be read again): "WHERE:
 * damaged hive: cannot read WHAT: WHY (key 'KEY')", WHY what hivex's
 * errno means there, never its text alone (ENOMEM: HP_R_NO_MEMORY).
 * `what` says what was read ("the subkeys", "value 'X'").  Returns -1. */
int damage_hivex_err(struct hp_err *e, int err, const char *where,
		     const char *what, const char *key);

#endif
