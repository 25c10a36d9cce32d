/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SHA-256 of files, and copying a file while hashing it (one pass). */
#ifndef HIVEPATCH_HASH_H
#define HIVEPATCH_HASH_H

#include <pthread.h>

#include "error.h"

#define SHA256_HEX_LEN 64
/* The SHA-256 of no bytes: an emptied log's. */
#define SHA256_HEX_EMPTY \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* The SHA-256 of what fd holds, from its start; hex receives 64
 * lowercase hex digits and a NUL.  `where` names it in messages. */
int sha256_fd(int fd, const char *where, char hex[SHA256_HEX_LEN + 1],
	      struct hp_err *e);

/* Copies src_fd (from its start) to dst_fd, fsyncs dst_fd, and hashes
 * what was copied.  `src` and `dst` name the files in messages. */
int copy_hashed(int src_fd, const char *src, int dst_fd, const char *dst,
		char hex[SHA256_HEX_LEN + 1], struct hp_err *e);

/* The SHA-256 of what fd holds, computed by a second thread while the
 * caller goes on (on a large hive it costs as much as a copy).  fd must
 * stay open until sha256_end, which must be called once begun. */
struct sha_task {
	pthread_t thread;
	int fd;
	const char *where;
	int running;
	int rc;
	struct hp_err e;
	char hex[SHA256_HEX_LEN + 1];
};

int sha256_begin(struct sha_task *t, int fd, const char *where,
		 struct hp_err *e);

/* Waits for it; hex receives the hash (when hex is not NULL), or -1
 * with the thread's error.  Does nothing when none was begun. */
int sha256_end(struct sha_task *t, char hex[SHA256_HEX_LEN + 1],
	       struct hp_err *e);

#endif
