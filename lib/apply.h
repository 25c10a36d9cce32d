/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Carrying out a judged plan item on an in-memory hivex handle.  Nothing
 * reaches the disk until commit_atomic. */
#ifndef HIVEPATCH_APPLY_H
#define HIVEPATCH_APPLY_H

#include <hivex.h>

#include "error.h"
#include "plan.h"

/* The keys a run changed, as hivex node handles: those whose values it
 * set or deleted, those it created, and the parents of keys it created
 * or deleted (their subkeys changed).  Windows sets the LastWrite time
 * of each; hivex does not. */
struct touched {
	hive_node_h *nodes;
	size_t n, cap;
};

void touched_free(struct touched *t);

/* Does what item->action says (nothing for HP_ACT_ALREADY and HP_ACT_SKIP),
 * creating missing parent keys on the way; the keys it changes go to
 * `touched` (unless NULL). */
int apply_item(const struct lookup_ctx *c, const struct plan_item *item,
	       struct touched *touched, struct hp_err *e);

#endif
