/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keys and values found as Windows finds them: counted names compared
 * over their whole length without case; two of one name, a subkey list
 * out of order and a symbolic link key refused for that path. */
#ifndef HIVEPATCH_LOOKUP_H
#define HIVEPATCH_LOOKUP_H

#include <hivex.h>

#include "error.h"

struct lookup_ctx {
	hive_h *h;
	int fd;			/* the bytes hivex read (the view's file), to
				 * read a key's flags; -1 where keys may be
				 * new in memory (writing), which only a
				 * path already looked up with it reaches */
	const char *where;	/* the hive, for messages */
};

/* The child of `parent` named `name` (display: parent's path, for
 * messages).  1 found (*child), 0 none, -1 with e set: HP_R_DAMAGED
 * (unreadable, two of the name, a list out of order), HP_R_LINK_KEY. */
int lookup_child(const struct lookup_ctx *c, hive_node_h parent,
		 const char *name, const char *display, hive_node_h *child,
		 struct hp_err *e);

/* The key at `path` below the root ("A\\B"; display_root names the root
 * for messages).  1 found (*node), 0 some key of it missing, -1. */
int lookup_key(const struct lookup_ctx *c, const char *path,
	       const char *display_root, hive_node_h *node,
	       struct hp_err *e);

/* The value of `node` named `name` ("" the default).  1 found (*value),
 * 0 none, -1 (unreadable, or two of the name: HP_R_DAMAGED). */
int lookup_value(const struct lookup_ctx *c, hive_node_h node,
		 const char *name, const char *display, hive_value_h *value,
		 struct hp_err *e);

/* Whether value v is named `name` as Windows compares names. */
int lookup_value_is(hive_h *h, hive_value_h v, const char *name);

/* Whether the key's cell in the file fd is flagged a symbolic link. */
int lookup_is_link(int fd, hive_node_h node);

#endif
