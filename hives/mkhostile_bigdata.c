/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mkhostile's big data cases (see mkhostile.c and hives/README.md).
 * In regf 1.4 and later Windows keeps a value of more than 16344 bytes
 * as big data: the value record points at a db record ("db", the number
 * of segments, the offset of their list), the list holds the offsets of
 * the segments, and each segment is a cell of its own holding 16344
 * bytes of the data, the last one what is left.  hivex cannot write
 * them; hivex writes each value, then the byte step appends a hive bin
 * with the records and points the value records at them.
 *
 *   bigdata-valid  HKLM\SOFTWARE\BigData holds Binary40000 (REG_BINARY,
 *                  40000 bytes: 3 segments, the last of 7312) and
 *                  String16345 (REG_SZ, 16345 bytes: 2 segments, the
 *                  second of 1 byte), and the native view's v4.0.30319
 *                  BigBlob (REG_BINARY, 40000 bytes), all whole and
 *                  undamaged, their bytes pattern() below
 *
 * The other bigdata-* cases give each view's v4.0.30319 a
 * SchUseStrongCrypto (bigdata-sibling: Sibling) of 20000 bytes, zeros,
 * and damage one thing (mkhostile.c says what).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <hivex.h>

#include "mkhostile.h"
#include "regf.h"

#define SEGMENT 16344u		/* bytes of data in each segment but the last */
#define DB_CELL 16		/* size, "db", count, list: 12, in 8s */
#define DAMAGED_LEN 20000u
#define DAMAGED_LIST_CELL 16	/* size and 2 offsets, in 8s */

/* A value of bigdata-valid: in HKLM\SOFTWARE\BigData, or in the native
 * view's v4.0.30319 (the key net4-tls12 writes). */
struct big_value {
	int in_netfx;
	const char *name;
	hive_type type;
	uint32_t len;
	unsigned seed;
};

static const struct big_value valid[] = {
	{ 0, "Binary40000", hive_t_REG_BINARY, 40000, 1 },
	{ 0, "String16345", hive_t_REG_SZ, 16345, 2 },
	{ 1, "BigBlob", hive_t_REG_BINARY, 40000, 3 },
};

#define N_VALID (sizeof(valid) / sizeof(valid[0]))

static hive_value_h valid_vk[N_VALID];

/* Byte i of a valid value: a REG_SZ is UTF-16LE letters, 'A' + (i / 2 +
 * seed) % 26 and 0; anything else (i * 7 + i / 256 + seed) % 256, which
 * repeats nowhere within a segment's length: a segment out of place, cut
 * or doubled shows. */
static unsigned char
pattern(const struct big_value *bv, uint32_t i)
{
	if (bv->type == hive_t_REG_SZ)
		return i % 2 ? 0 : (unsigned char)('A' + (i / 2 + bv->seed) % 26);
	return (unsigned char)((i * 7 + i / 256 + bv->seed) % 256);
}

/* A cell holding `bytes`, its size field included, in 8s. */
static uint32_t
cell_size(uint32_t bytes)
{
	return (REGF_CELL_SIZE_FIELD + bytes + 7) & ~7u;
}

static uint32_t
segments(uint32_t len)
{
	return (len + SEGMENT - 1) / SEGMENT;
}

static uint32_t
segment_len(uint32_t len, uint32_t i)
{
	return i + 1 < segments(len) ? SEGMENT : len - i * SEGMENT;
}

/* The bytes of the cells `len` bytes of big data take. */
static uint32_t
big_size(uint32_t len)
{
	uint32_t i, size = DB_CELL + cell_size(4 * segments(len));

	for (i = 0; i < segments(len); i++)
		size += cell_size(segment_len(len, i));
	return size;
}

/* The value record v made to keep `len` bytes as big data at `db`:
 * the db record, its segment list, the segments in order; the data
 * pattern(bv), or zeros when bv is NULL. */
static void
put_big(struct image *img, uint32_t db, hive_value_h v, uint32_t len,
	const struct big_value *bv)
{
	uint32_t n = segments(len), list = db + DB_CELL;
	uint32_t seg = list + cell_size(4 * n), i, j, part;
	unsigned char *c = new_cell(img, db, DB_CELL, "db");
	unsigned char *l = cell(img, list, 4 * n);
	unsigned char *vk = at(img, (size_t)v + REGF_CELL_SIZE_FIELD,
	    REGF_VK_FIXED_SIZE);
	unsigned char *s;

	put_le16(c + 6, (uint16_t)n);
	put_le32(c + 8, list);
	put_le32(l, 0u - cell_size(4 * n));
	for (i = 0; i < n; i++) {
		part = segment_len(len, i);
		s = cell(img, seg, part);
		put_le32(s, 0u - cell_size(part));
		for (j = 0; bv != NULL && j < part; j++)
			s[REGF_CELL_SIZE_FIELD + j] = pattern(bv, i * SEGMENT + j);
		put_le32(l + REGF_CELL_SIZE_FIELD + 4 * i, seg);
		seg += cell_size(part);
	}
	put_le32(vk + 4, len);
	put_le32(vk + 8, db);
}

void
big_data_values(hive_h *h, const char *which, struct made *m, int view)
{
	static const unsigned char blob[64];
	hive_node_h node, big;
	const char *name;
	size_t i;

	if (strcmp(which, "bigdata-valid") != 0) {
		name = strcmp(which, "bigdata-sibling") == 0 ? "Sibling" :
		    "SchUseStrongCrypto";
		set_value(h, m->real[view], name, hive_t_REG_BINARY, blob,
		    sizeof(blob));
		m->value[view] = value(h, m->real[view], name);
		return;
	}
	if (view != 0)
		return;
	big = add_key(h, hivex_root(h), "BigData");
	for (i = 0; i < N_VALID; i++) {
		node = valid[i].in_netfx ? m->real[0] : big;
		/* 4 bytes, kept in the value record: no data cell left over
		 * once the record points at its big data. */
		set_value(h, node, valid[i].name, valid[i].type, blob, 4);
	}
	/* Only now: hivex writes a key's value records anew each time one
	 * of them is set. */
	for (i = 0; i < N_VALID; i++)
		valid_vk[i] = value(h, valid[i].in_netfx ? m->real[0] : big,
		    valid[i].name);
}

/* Each view's SchUseStrongCrypto as big data, then the case's damage. */
static void
damaged_cells(struct image *img, const char *which, const struct made *m)
{
	uint32_t size = big_size(DAMAGED_LEN);
	uint32_t first = append_bin(img, (size_t)VIEWS * size);
	int view;

	for (view = 0; view < VIEWS; view++) {
		uint32_t db = first + (uint32_t)view * size;
		uint32_t list = db + DB_CELL, seg0 = list + DAMAGED_LIST_CELL;
		uint32_t seg1 = seg0 + cell_size(SEGMENT);
		unsigned char *c, *l;

		put_big(img, db, m->value[view], DAMAGED_LEN, NULL);
		c = cell(img, db, 8);
		l = cell(img, list, 8);
		if (strcmp(which, "bigdata-few-segments") == 0)
			put_le16(c + 6, 1);
		else if (strcmp(which, "bigdata-list-nowhere") == 0)
			put_le32(c + 8, NOWHERE);
		else if (strcmp(which, "bigdata-bogus") == 0 ||
		    strcmp(which, "bigdata-sibling") == 0) {
			put_le32(l + 4, db);
			put_le32(l + 8, db);
		} else if (strcmp(which, "bigdata-list-segment") == 0)
			put_le32(l + 4, list);
		else if (strcmp(which, "bigdata-same-segment") == 0)
			put_le32(l + 8, seg0);
		else if (strcmp(which, "bigdata-segment-nowhere") == 0)
			put_le32(l + 4, NOWHERE);
		else if (strcmp(which, "bigdata-segment-inside") == 0) {
			put_le32(l + 8, seg0 + 16);
			put_le32(cell(img, seg0 + 16, 0), (uint32_t)-16);
		} else if (strcmp(which, "bigdata-segment-short") == 0)
			put_le32(l + 4, seg1);
	}
}

void
big_data_cells(struct image *img, const char *which, const struct made *m)
{
	uint32_t size = 0, rel;
	size_t i;

	if (strcmp(which, "bigdata-valid") != 0) {
		damaged_cells(img, which, m);
		return;
	}
	for (i = 0; i < N_VALID; i++)
		size += big_size(valid[i].len);
	rel = append_bin(img, size);
	for (i = 0; i < N_VALID; i++) {
		put_big(img, rel, valid_vk[i], valid[i].len, &valid[i]);
		rel += big_size(valid[i].len);
	}
}
