/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The partitions of a disk (MBR, with its logical partitions, or GPT),
 * read through libfdisk. */
#ifndef HIVEPATCH_PARTTABLE_H
#define HIVEPATCH_PARTTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "blockdev.h"

struct parttable_entry {
	unsigned number;	/* from 1, as Linux numbers them: an MBR's
				 * logical partitions from 5 */
	uint64_t offset;	/* bytes from the disk's start */
	uint64_t size;		/* bytes */
	char *label;		/* GPT: the partition's name; else "" */
};

/* The partitions of the disk `disk`, in the table's order (extended
 * partitions, which only hold logical ones, left out); *n 0 when it
 * has no partition table.  `fd` is the disk's own file when the disk is
 * a plain file (a raw disk), else -1.  Reads only.  Partitions that
 * overlap are a damaged table (HP_R_DAMAGED). */
int parttable_read(struct blockdev *disk, int fd,
		   struct parttable_entry **parts, size_t *n,
		   struct hp_err *e);

void parttable_free(struct parttable_entry *parts, size_t n);

#endif
