/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Opening the file --output names (export, recover), never inside the target.
 *
 * What the target holds is told by identity, never by a path string: the
 * directories of a tree (nothing below them), the directory of a bare
 * hive with the names its hive and logs have or would have there, and
 * the hive and log files themselves (by device and inode, whatever name
 * reaches them).  FILE is resolved one symbolic link at a time, and
 * every directory and name it passes through is checked before anything
 * is created, truncated or written. */
#ifndef HIVEPATCH_OUTFILE_H
#define HIVEPATCH_OUTFILE_H

#include <sys/types.h>
#include <limits.h>
#include <stdio.h>

#include "error.h"

struct out_id {
	dev_t dev;
	ino_t ino;
};

#define OUT_MAX_FILES 64

struct out_guard {
	const char *target;		/* TARGET, for messages */
	struct out_id tree_dirs[4];	/* a tree: nothing below these */
	size_t n_tree_dirs;
	struct out_id hive_dir;		/* a bare hive: its directory, */
	char hive_name[NAME_MAX + 1];	/* where no name of the hive or of
					 * a log of it is taken ("" when
					 * there is none) */
	struct {
		struct out_id id;
		const char *where;	/* for messages */
	} files[OUT_MAX_FILES];		/* the hives and logs themselves */
	size_t n_files;
};

/* Adds a file the output must not be (its stat and path); past
 * OUT_MAX_FILES they are not kept. */
void out_guard_file(struct out_guard *g, const struct stat *st,
		    const char *where);

/* Opens `path` for writing, created (mode 0666 less the umask) when
 * absent, emptied when a regular file: unless it is, or would be, in
 * the target `g` describes (HP_R_OUTPUT_IN_TARGET, naming it and why;
 * then nothing was created nor changed).  NULL on failure, with e
 * set. */
FILE *out_open(const char *path, const struct out_guard *g,
	       struct hp_err *e);

#endif
