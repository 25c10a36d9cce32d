/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Walking a tree of keys as a hostile hive may shape it: without
 * recursion, each key at most once, at most 512 levels deep. */
#ifndef HIVEPATCH_WALK_H
#define HIVEPATCH_WALK_H

#include <stddef.h>
#include <stdint.h>

#include <hivex.h>

#include "error.h"

/* Windows allows 512 levels of keys. */
#define WALK_DEPTH_MAX 512

/* A key the walk reached. */
struct walk_key {
	hive_h *h;
	hive_node_h node;
	const char *path;	/* top_path, then "\\" and each name */
	const char *name;	/* its own name, the end of path ("" for the
				 * top) */
	int name_has_nul;	/* the stored name holds a NUL, so `name`
				 * is only its start */
	int name_unreadable;	/* hivex cannot decode it (a lone
				 * surrogate, say): `name` is "?" */
	size_t depth;		/* 0 for the top */
};

/* A key's path as messages show it (HKLM for HKEY_LOCAL_MACHINE, and
 * the middle of a very long one left out) into buf; returns buf. */
#define WALK_KEY_SHOWN 256
const char *walk_key_shown(const char *path, char *buf, size_t size);

/* Called for each key, parents before children, children in hive order;
 * 0 goes on, -1 (with e set) stops the walk. */
typedef int (*walk_fn)(void *arg, const struct walk_key *k, struct hp_err *e);

/* Walks `top` and every key below it in the hive `h`, opened from the
 * file `fd` (-1 when not known: the damage is then told from hivex's
 * error alone; see damage.h).  A key met a second time
 * (its own ancestor, or listed under two parents), a tree deeper than
 * WALK_DEPTH_MAX, or a key or subkey list hivex cannot read stops it
 * with HP_R_DAMAGED, naming `where`, the key's path and its cell.
 * Returns 0, or -1 with e set (by the walk or by visit). */
int hive_walk(hive_h *h, int fd, hive_node_h top, const char *top_path,
	      const char *where, walk_fn visit, void *arg, struct hp_err *e);

#endif
