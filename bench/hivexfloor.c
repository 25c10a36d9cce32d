/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hivexfloor: what hivex alone costs on a hive, for make bench to set
 * beside hivepatch.  Any reader built on hivex opens the hive as `read`
 * does (every cell of every bin is scanned before the first lookup);
 * any writer opens it as `write` does (the whole file read into memory,
 * then scanned) and commits the whole of it.
 *
 *   hivexfloor read HIVE        hivex_open read-only, then close
 *   hivexfloor write HIVE OUT   hivex_open for writing, hivex_commit
 *                               into OUT, then close
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <hivex.h>

static int
fail(const char *what, const char *path)
{
	fprintf(stderr, "hivexfloor: %s: %s: %s\n", path, what,
	    strerror(errno ? errno : EIO));
	return 1;
}

int
main(int argc, char **argv)
{
	int write = argc == 4 && strcmp(argv[1], "write") == 0;
	hive_h *h;

	if (!write && !(argc == 3 && strcmp(argv[1], "read") == 0)) {
		fprintf(stderr, "usage: hivexfloor read HIVE\n"
		    "       hivexfloor write HIVE OUT\n");
		return 2;
	}
	errno = 0;
	if ((h = hivex_open(argv[2], write ? HIVEX_OPEN_WRITE : 0)) == NULL)
		return fail("hivex_open", argv[2]);
	errno = 0;
	if (write && hivex_commit(h, argv[3], 0) == -1) {
		hivex_close(h);
		return fail("hivex_commit", argv[3]);
	}
	return hivex_close(h) == 0 ? 0 : fail("hivex_close", argv[2]);
}
