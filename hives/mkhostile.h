/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What mkhostile.c shares with its big data cases (mkhostile_bigdata.c):
 * the hive it changes, as hivex made it and as bytes; see mkhostile.c. */
#ifndef MKHOSTILE_H
#define MKHOSTILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hivex.h>

#define NETFX "Microsoft\\.NETFramework"
#define VIEWS 2			/* the native view and Wow6432Node */
/* Past the end of every hive bin these hives have. */
#define NOWHERE 0x7ffffff8u

/* OUT's bytes once hivex has committed it, as the case changes them. */
struct image {
	unsigned char *b;
	size_t len;
	off_t extend_to;	/* then extended to this size (a hole); 0: no */
};

/* What the hivex step made or found, per view. */
struct made {
	hive_node_h netfx[VIEWS], real[VIEWS], decoy[VIEWS];
	hive_value_h value[VIEWS];
};

/* Exit 1 after a message (die: with errno's text). */
void die(const char *what);
void fail(const char *what);

/* The hivex step: each exits on failure. */
void set_value(hive_h *h, hive_node_h node, const char *name, hive_type t,
	       const void *data, size_t len);
hive_value_h value(hive_h *h, hive_node_h node, const char *name);
hive_node_h add_key(hive_h *h, hive_node_h parent, const char *name);

/* The byte step: `len` bytes at file offset `off`; the cell at `rel` (an
 * offset from the first hive bin) with `len` bytes past its size field;
 * a hive bin appended for `used` bytes of cells (the offset of its first
 * cell); a cell of `size` bytes allocated at `rel`, its id written. */
unsigned char *at(struct image *img, size_t off, size_t len);
unsigned char *cell(struct image *img, uint32_t rel, size_t len);
uint32_t append_bin(struct image *img, size_t used);
unsigned char *new_cell(struct image *img, uint32_t rel, size_t size,
			const char *id);

/* The bigdata-* cases (mkhostile_bigdata.c): the values hivex writes,
 * then their big data records. */
void big_data_values(hive_h *h, const char *which, struct made *m, int view);
void big_data_cells(struct image *img, const char *which,
		    const struct made *m);

#endif
