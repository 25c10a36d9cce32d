/* SPDX-License-Identifier: GPL-3.0-or-later */
/* See fileio.h. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "fileio.h"

/* off < 0: write() at the descriptor's offset; else pwrite() at off. */
static int
write_loop(int fd, const unsigned char *p, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = off < 0 ? write(fd, p, len) : pwrite(fd, p, len,
		    off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO;	/* nothing written, and no reason */
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

int
write_all(int fd, const void *buf, size_t len)
{
	return write_loop(fd, buf, len, -1);
}

int
pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	if (off > (uint64_t)INT64_MAX) {
		errno = EINVAL;
		return -1;
	}
	return write_loop(fd, buf, len, (off_t)off);
}
