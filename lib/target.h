/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Finding the hive a TARGET names, without being led astray by the image.
 *
 * TARGET is either a hive file, or the root of a Windows tree (a mount
 * point) under which Windows/System32/config/<HIVE> is looked up matching
 * every path component case-insensitively.  Nothing below the root may be
 * a symbolic link (an image must not send us elsewhere on the host), and
 * the hive must be a regular file. */
#ifndef HIVEPATCH_TARGET_H
#define HIVEPATCH_TARGET_H

#include <stddef.h>
#include <sys/stat.h>

#include "error.h"

struct hp_target {
	char *given;		/* TARGET as the user gave it */
	int is_tree;		/* 1 when TARGET is a directory (a Windows tree) */
	char *dir;		/* directory holding the hive */
	int dir_fd;		/* that directory, open: the hive and its
				 * logs are opened from it by name (-1 when
				 * unset) */
	char *name;		/* the hive's name in it, as found on disk */
	char *hive_path;	/* the hive file: dir + "/" + name as found on disk */
	char **logs;		/* transaction logs beside the hive (NAME.LOG,
				 * NAME.LOG1, NAME.LOG2 in any letter case), full
				 * paths, sorted; NULL-terminated */
	size_t n_logs;
	char **skipped_logs;	/* entries with a log's name that are not
				 * the hive's own logs (links, FIFOs, files
				 * with other names or another owner): never
				 * read nor written; full paths,
				 * NULL-terminated */
	char **skipped_why;	/* and why, one each ("has 2 hard links") */
	size_t n_skipped_logs;
	struct target_dir_id {
		dev_t dev;
		ino_t ino;
	} tree_dirs[4];		/* a tree: its root, Windows, System32 and
				 * config as they were opened */
	size_t n_tree_dirs;
};

/* Whether a file with a log's name (`log`, as lstat or fstat gives it)
 * is no log of the hive `hive`: not a regular file, more than one name
 * (writing it would change a file elsewhere), or another owner than the
 * hive's.  0 when it is one; 1 with why set ("has 2 hard links"). */
int target_log_foreign(const struct stat *log, const struct stat *hive,
		       char *why, size_t len);

/* Resolves TARGET to the hive `hive_name` (e.g. "SOFTWARE").  For a bare
 * hive file `hive_name` is not checked against the file's name.
 * Fails with HP_IOERR when something does not exist or cannot be read,
 * HP_REFUSED when a component is a symbolic link or the hive is not a
 * regular file (directory, FIFO, device, socket). */
int target_resolve(const char *target, const char *hive_name,
		   struct hp_target *t, struct hp_err *e);

void target_free(struct hp_target *t);

#endif
