/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What libntfs-3g says of a file in an NTFS volume, for
 * tests/test_image_ntfs.c (apart, since libntfs-3g's types clash with
 * lib/regf.h's names, which testutil.h brings in). */
#ifndef HIVEPATCH_NTFSMETA_H
#define HIVEPATCH_NTFSMETA_H

#include <stddef.h>
#include <stdint.h>

#define NTFSMETA_ARCHIVE 0x20u	/* FILE_ATTR_ARCHIVE */

/* The security descriptor (up to `size` bytes into sd, its length in
 * *sd_len) and the attributes of the file `path` ("/Windows/...") of the
 * volume in the file `volume`, mounted read-only.  0, or -1 with why. */
int ntfsmeta_get(const char *volume, const char *path, char *sd, size_t size,
		 int *sd_len, uint32_t *attrib, char *why, size_t why_len);

#endif
