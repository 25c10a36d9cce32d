/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writing all of a buffer to a descriptor, through short writes and
 * EINTR: the one loop every writer of the library uses. */
#ifndef HIVEPATCH_FILEIO_H
#define HIVEPATCH_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -1 with errno set (EIO when a write wrote nothing and said
 * nothing). */
int write_all(int fd, const void *buf, size_t len);
int pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

#endif
