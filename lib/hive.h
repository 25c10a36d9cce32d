/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One hive file: its base block, what kind of hive it is, and opening it
 * through hivex with the checks hivex leaves to its callers. */
#ifndef HIVEPATCH_HIVE_H
#define HIVEPATCH_HIVE_H

#include <stdint.h>
#include <sys/types.h>

#include <hivex.h>

#include "error.h"


struct hive_header {
	uint32_t seq_primary;	/* offset 4 */
	uint32_t seq_secondary;	/* offset 8: differs from the primary when dirty */
	uint32_t major, minor;
	uint32_t bins_size;	/* offset 40 */
	char name[96];		/* file name field, UTF-8, as Windows truncated it */
	uint64_t file_size;
	int dirty;
	int damaged;		/* set when the checks failed on a base block
				 * that has the regf signature */
};

/* Reads and checks the base block of the hive open on fd (a regular
 * file of `size` bytes): signature, checksum, sizes.  The errors name
 * `where` and the damage (HP_R_DAMAGED, HP_R_TOO_LARGE, HP_R_IO). */
int hive_read_header_fd(int fd, uint64_t size, const char *where,
			struct hive_header *hdr, struct hp_err *e);

/* The same checks on a base block in memory: `len` bytes of it are
 * there, the whole file has `file_size`; `path` names it in messages. */
int hive_parse_header(const unsigned char *bb, size_t len, uint64_t file_size,
		      const char *path, struct hive_header *hdr,
		      struct hp_err *e);

/* Opens `path` with hivex (flags: 0 or HIVEX_OPEN_WRITE); messages name
 * `where`.  NULL with HP_R_DAMAGED when hivex cannot make sense of it. */
/* Why hivex (which says only EINVAL or ENOTSUP) would not open the
 * hive at path, err being its errno: the first hive bin whose header is
 * wrong or missing inside the bins the base block claims, else a damaged
 * cell. */
void hive_why_unopenable(const char *path, int err, char *why, size_t len);

hive_h *hive_open(const char *path, int flags, const char *where,
		  struct hp_err *e);

/* The kind of hive: what its root's children say, else the header's
 * file name (a hint: Windows writes it for debugging only).  `why`
 * receives a short human explanation; *how gets HIVE_KIND_BY_CONTENT
 * when the root keys decided, and HIVE_KIND_NAME_DIFFERS when the
 * header names another hive. */
enum {
	HIVE_KIND_BY_CONTENT = 1,
	HIVE_KIND_NAME_DIFFERS = 2,
};
enum hp_hive_kind hive_classify(hive_h *h, const struct hive_header *hdr,
				char *why, size_t whylen, unsigned *how);

/* Whether a hive found to be of kind `found` holds the keys of kind
 * `want`: the same kind, or two user hives (DEFAULT and a user's
 * NTUSER.DAT share their root keys; only the place tells them apart). */
int hive_kinds_alike(enum hp_hive_kind found, enum hp_hive_kind want);

/* The key a hive of this kind is under, as messages and reports write
 * it: "HKLM\\SOFTWARE", "HKU\\.DEFAULT", "HKCU", ... */
const char *hive_kind_root(enum hp_hive_kind kind);

/* The file name the header gives, without its directories ("SOFTWARE"). */
const char *hive_header_file(const struct hive_header *hdr);

/* Walks "A\\B\\C" from the root, case-insensitively.  Returns 0 when
 * absent, leaving errno 0; 0 with errno set on a read error. */
hive_node_h hive_find_key(hive_h *h, const char *path);

/* Reads the whole tree (every key and value header) as hive_walk walks
 * it, as a check that a freshly written file is whole; fd is the file h
 * was opened from (or -1), `where` names the hive in messages.  Returns
 * 0 or -1 with e set (HP_R_DAMAGED). */
int hive_walk_all(hive_h *h, int fd, enum hp_hive_kind kind,
		  const char *where, struct hp_err *e);

#endif
