/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Verifying a hive from what was written: every planned value is there
 * and the whole tree reads, answered from the medium, not from memory.
 * verify_written has the shape of a store's check (hp_check_fn), so a
 * store calls it on the bytes it wrote before making them the hive. */
#ifndef HIVEPATCH_VERIFY_H
#define HIVEPATCH_VERIFY_H

#include <stdint.h>

#include "hash.h"
#include "plan.h"

struct verify_job {
	const char *where;		/* the hive, for messages */
	enum hp_hive_kind kind;		/* what it is read as: its root */
	const struct plan *plan;	/* what must read back; NULL: none */
	int hashed;			/* sha already holds the hash of what
					 * is checked (the very bytes) */
	/* Filled when it passes: */
	uint32_t seq;			/* the written file's sequence number */
	char sha[SHA256_HEX_LEN + 1];	/* and its SHA-256 */
};

/* hp_check_fn over a struct verify_job: opens fd with hivex, judges a
 * copy of the plan (the caller's keeps its "before" data), walks the
 * whole tree, and hashes the file.  HP_R_NOT_VERIFIED when something is
 * missing. */
int verify_written(void *job, int fd, struct hp_err *e);

/* What a restore writes: a backup's bytes, which must hash to what its
 * manifest recorded. */
struct sha_job {
	const char *source;	/* the backup copy, for messages */
	const char *sha;	/* its SHA-256 by the manifest */
};

/* hp_check_fn over a struct sha_job: HP_R_DAMAGED when what was written
 * does not hash to job->sha. */
int verify_sha(void *job, int fd, struct hp_err *e);

#endif
