/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "damage.h"
#include "regf.h"

/* How far an ri chain is followed before it is called a loop. */
#define RI_WALK_MAX 100000u

/* Subkey list records: an id, a count, then entries. */
#define LIST_COUNT	2	/* from the start of the cell data */
#define LIST_ENTRIES	4
#define VK_DATA_LEN	4	/* value record fields */
#define VK_DATA_OFF	8
#define VK_INLINE	0x80000000u
#define DB_SEGMENTS	2	/* big data record fields */
#define DB_LIST		4

/* The hive file a view holds. */
struct cells {
	int fd;
	uint64_t end;		/* file offset where its hive bins end */
	uint32_t bins;		/* the hive bins size its base block gives */
	uint32_t minor;
};

static int
cells_init(struct cells *c, int fd)
{
	unsigned char bb[REGF_BB_BINS_SIZE + 4];
	struct stat st;

	if (fd < 0 || fstat(fd, &st) == -1 ||
	    pread(fd, bb, sizeof(bb), 0) != (ssize_t)sizeof(bb))
		return -1;
	c->fd = fd;
	c->minor = le32(bb + REGF_BB_MINOR);
	c->bins = le32(bb + REGF_BB_BINS_SIZE);
	c->end = REGF_BASE_BLOCK + (uint64_t)c->bins;
	if (c->end > (uint64_t)st.st_size)
		c->end = (uint64_t)st.st_size;
	return 0;
}

static uint64_t
file_off(uint32_t rel)
{
	return REGF_BASE_BLOCK + (uint64_t)rel;
}

static unsigned
le16_at(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* The allocated cell `rel` (an offset from the first hive bin, as
 * records hold them): its size, size field included, and the first
 * `want` bytes of its data into buf (zeros past its end).  -1 when no
 * allocated cell of the hive can start there. */
static int
cell_get(const struct cells *c, uint32_t rel, unsigned char *buf,
	 size_t want, uint32_t *size)
{
	uint64_t off = file_off(rel);
	unsigned char field[REGF_CELL_SIZE_FIELD];
	int32_t raw;
	size_t n;

	if (rel == REGF_NO_OFFSET || rel % 4 != 0 ||
	    off + REGF_CELL_SIZE_FIELD + 4 > c->end ||
	    pread(c->fd, field, sizeof(field), (off_t)off) !=
	    (ssize_t)sizeof(field))
		return -1;
	raw = (int32_t)le32(field);
	if (raw > -8 || (uint32_t)-(int64_t)raw > c->end - off)
		return -1;
	*size = (uint32_t)-(int64_t)raw;
	memset(buf, 0, want);
	n = *size - REGF_CELL_SIZE_FIELD;
	n = n < want ? n : want;
	if (pread(c->fd, buf, n, (off_t)(off + REGF_CELL_SIZE_FIELD)) !=
	    (ssize_t)n)
		return -1;
	return 0;
}

/* Whether a cell starts at `rel`: its hive bin walked cell by cell (for
 * the few cells where a cell inside another must be told apart). */
static int
cell_starts_at(const struct cells *c, uint32_t rel)
{
	uint64_t want = file_off(rel), bin = REGF_BASE_BLOCK, size = 0, at;
	unsigned char b[REGF_HBIN_HEADER];

	for (;; bin += size) {
		if (bin + sizeof(b) > c->end || pread(c->fd, b, sizeof(b),
		    (off_t)bin) != (ssize_t)sizeof(b) ||
		    memcmp(b, "hbin", 4) != 0)
			return 0;
		size = le32(b + REGF_HBIN_SIZE);
		if (size < REGF_PAGE)
			return 0;
		if (want < bin + size)
			break;
	}
	for (at = bin + REGF_HBIN_HEADER; at < want; at += size) {
		int32_t raw;

		if (pread(c->fd, b, 4, (off_t)at) != 4)
			return 0;
		raw = (int32_t)le32(b);
		size = raw < 0 ? (uint64_t)-(int64_t)raw : (uint64_t)raw;
		if (size < 8)
			return 0;
	}
	return at == want;
}

static int
say(struct damage *d, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
say(struct damage *d, uint64_t at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->what, sizeof(d->what), fmt, ap);
	va_end(ap);
	d->at = at;
	return 1;
}

/* ---- subkey lists ---- */

/* A subkey list: the kind (its id), its count, the room of its cell. */
struct list {
	uint32_t rel, size, count;
	char id[3];
	unsigned char head[LIST_ENTRIES];
};

static int
list_get(const struct cells *c, uint32_t rel, struct list *l)
{
	l->rel = rel;
	if (cell_get(c, rel, l->head, sizeof(l->head), &l->size) == -1)
		return -1;
	l->id[0] = (char)l->head[0];
	l->id[1] = (char)l->head[1];
	l->id[2] = '\0';
	l->count = le16_at(l->head + LIST_COUNT);
	return 0;
}

static unsigned
entry_size(const struct list *l)
{
	return strcmp(l->id, "lf") == 0 || strcmp(l->id, "lh") == 0 ? 8 : 4;
}

static int
is_leaf(const struct list *l)
{
	return strcmp(l->id, "lf") == 0 || strcmp(l->id, "lh") == 0 ||
	    strcmp(l->id, "li") == 0;
}

/* Entry i of the list (an offset; for lf and lh the key's, before its
 * hash). */
static int
list_entry(const struct cells *c, const struct list *l, uint32_t i,
	   uint32_t *rel)
{
	unsigned char e[4];
	uint64_t off = file_off(l->rel) + REGF_CELL_SIZE_FIELD +
	    LIST_ENTRIES + (uint64_t)i * entry_size(l);

	if (pread(c->fd, e, sizeof(e), (off_t)off) != (ssize_t)sizeof(e))
		return -1;
	*rel = le32(e);
	return 0;
}

/* The list's count fits its cell, and it is a kind of list. */
static int
list_shape_damage(const struct list *l, struct damage *d)
{
	uint32_t room;

	if (strcmp(l->id, "ri") != 0 && !is_leaf(l))
		return say(d, file_off(l->rel), "the subkey list is no lf, "
		    "lh, li or ri list (its cell starts 0x%02x%02x)",
		    l->head[0], l->head[1]);
	room = (l->size - REGF_CELL_SIZE_FIELD - LIST_ENTRIES) /
	    entry_size(l);
	if (l->count > room)
		return say(d, file_off(l->rel), "the subkey list (%s) claims "
		    "%u entries; its %u-byte cell holds %u", l->id, l->count,
		    l->size, room);
	return 0;
}

/* A leaf list's entries are keys; *n counts them. */
static int
leaf_damage(const struct cells *c, const struct list *l, uint32_t *n,
	    struct damage *d)
{
	unsigned char nk[2];
	uint32_t i, rel, size;

	if (list_shape_damage(l, d))
		return 1;
	for (i = 0; i < l->count; i++) {
		if (list_entry(c, l, i, &rel) == -1)
			return 0;
		if (cell_get(c, rel, nk, sizeof(nk), &size) == -1 ||
		    memcmp(nk, "nk", 2) != 0)
			return say(d, file_off(l->rel), "entry %u of the "
			    "subkey list (%s) points at 0x%x (file offset "
			    "0x%llx), which is no key", i, l->id, rel,
			    (unsigned long long)file_off(rel));
	}
	*n += l->count;
	return 0;
}

/* An ri list whose entry is an ri list: followed by first entries, how
 * deep the nesting goes, or where a list lists itself. */
static int
ri_nested(const struct cells *c, const struct list *top, uint32_t rel,
	  struct damage *d)
{
	struct list l;
	uint32_t depth = 1, next;

	while (depth < RI_WALK_MAX && list_get(c, rel, &l) == 0 &&
	    strcmp(l.id, "ri") == 0 && l.count > 0 &&
	    list_entry(c, &l, 0, &next) == 0) {
		if (next == rel)
			return say(d, file_off(top->rel), "the subkey list is "
			    "ri lists nested %u deep, the last listing itself",
			    depth + 1);
		rel = next;
		depth++;
	}
	if (depth >= RI_WALK_MAX)
		return say(d, file_off(top->rel), "the subkey list is ri lists "
		    "nested more than %u deep (a loop)", RI_WALK_MAX);
	return say(d, file_off(top->rel), "the subkey list is ri lists nested "
	    "%u deep; an ri list lists lf, lh or li lists, never another ri",
	    depth);
}

static int
ri_damage(const struct cells *c, const struct list *ri, uint32_t *n,
	  struct damage *d)
{
	struct list l;
	uint32_t i, rel;

	if (list_shape_damage(ri, d))
		return 1;
	for (i = 0; i < ri->count; i++) {
		if (list_entry(c, ri, i, &rel) == -1)
			return 0;
		if (rel == ri->rel)
			return say(d, file_off(ri->rel), "the subkey list is an "
			    "ri list that lists itself");
		if (list_get(c, rel, &l) == -1)
			return say(d, file_off(ri->rel), "entry %u of the "
			    "subkey list (ri) points at 0x%x (file offset "
			    "0x%llx), which is no cell", i, rel,
			    (unsigned long long)file_off(rel));
		if (strcmp(l.id, "ri") == 0)
			return ri_nested(c, ri, rel, d);
		if (!is_leaf(&l))
			return say(d, file_off(rel), "entry %u of the subkey "
			    "list (ri) is no lf, lh or li list (its cell starts "
			    "0x%02x%02x)", i, l.head[0], l.head[1]);
		if (leaf_damage(c, &l, n, d))
			return 1;
	}
	return 0;
}

int
damage_subkeys(int fd, hive_node_h node, struct damage *d)
{
	unsigned char nk[REGF_NK_FIXED_SIZE];
	uint32_t size, count, n = 0;
	struct cells c;
	struct list l;

	if (cells_init(&c, fd) == -1 || node < REGF_BASE_BLOCK ||
	    cell_get(&c, (uint32_t)(node - REGF_BASE_BLOCK), nk, sizeof(nk),
	    &size) == -1 || memcmp(nk, "nk", 2) != 0)
		return 0;
	count = le32(nk + REGF_NK_NR_SUBKEYS);
	if (count == 0)
		return 0;
	if (list_get(&c, le32(nk + REGF_NK_SUBKEYS), &l) == -1)
		return say(d, node, "the key's subkey list points at 0x%x "
		    "(file offset 0x%llx), which is no cell",
		    le32(nk + REGF_NK_SUBKEYS),
		    (unsigned long long)file_off(le32(nk + REGF_NK_SUBKEYS)));
	if (strcmp(l.id, "ri") == 0 ? ri_damage(&c, &l, &n, d) :
	    leaf_damage(&c, &l, &n, d))
		return 1;
	if (n != count)
		return say(d, node, "the key claims %u subkeys; its subkey "
		    "list holds %u", count, n);
	return 0;
}

/* ---- values ---- */

int
damage_values(int fd, hive_node_h node, struct damage *d)
{
	unsigned char nk[REGF_NK_FIXED_SIZE], vk[2], e[4];
	uint32_t size, count, list, i, rel;
	struct cells c;

	if (cells_init(&c, fd) == -1 || node < REGF_BASE_BLOCK ||
	    cell_get(&c, (uint32_t)(node - REGF_BASE_BLOCK), nk, sizeof(nk),
	    &size) == -1 || memcmp(nk, "nk", 2) != 0)
		return 0;
	count = le32(nk + REGF_NK_NR_VALUES);
	list = le32(nk + REGF_NK_VALUES);
	if (count == 0)
		return 0;
	if (cell_get(&c, list, e, sizeof(e), &size) == -1)
		return say(d, node, "the key's value list points at 0x%x "
		    "(file offset 0x%llx), which is no cell", list,
		    (unsigned long long)file_off(list));
	if (count > (size - REGF_CELL_SIZE_FIELD) / 4)
		return say(d, file_off(list), "the value list claims %u "
		    "values; its %u-byte cell holds %u", count, size,
		    (size - REGF_CELL_SIZE_FIELD) / 4);
	for (i = 0; i < count; i++) {
		if (pread(fd, e, sizeof(e), (off_t)(file_off(list) +
		    REGF_CELL_SIZE_FIELD + 4 * (uint64_t)i)) != 4)
			return 0;
		rel = le32(e);
		if (cell_get(&c, rel, vk, sizeof(vk), &size) == -1 ||
		    memcmp(vk, "vk", 2) != 0)
			return say(d, file_off(list), "entry %u of the value "
			    "list points at 0x%x (file offset 0x%llx), which is "
			    "no value", i, rel, (unsigned long long)file_off(rel));
	}
	return 0;
}

/* Segment i of a big data record's list, against the record, the list
 * and the segments before it. */
static int
segment_damage(const struct cells *c, const char *name, uint32_t db,
	       uint32_t list, uint32_t i, uint32_t left, struct damage *d)
{
	unsigned char e[4], x[1];
	uint32_t rel, j, size;
	uint32_t part = left < DAMAGE_BIG_DATA_SEGMENT ? left :
	    DAMAGE_BIG_DATA_SEGMENT;

	if (pread(c->fd, e, 4, (off_t)(file_off(list) + REGF_CELL_SIZE_FIELD +
	    4 * (uint64_t)i)) != 4)
		return 0;
	rel = le32(e);
	if (rel == db || rel == list)
		return say(d, file_off(db), "value '%s': segment %u of its big "
		    "data record is the record's own %s cell", name, i,
		    rel == db ? "db" : "segment list");
	for (j = 0; j < i; j++)
		if (pread(c->fd, e, 4, (off_t)(file_off(list) +
		    REGF_CELL_SIZE_FIELD + 4 * (uint64_t)j)) == 4 &&
		    le32(e) == rel)
			return say(d, file_off(db), "value '%s': segments %u "
			    "and %u of its big data record are one cell (0x%x, "
			    "file offset 0x%llx)", name, j, i, rel,
			    (unsigned long long)file_off(rel));
	if (cell_get(c, rel, x, sizeof(x), &size) == -1 ||
	    !cell_starts_at(c, rel))
		return say(d, file_off(db), "value '%s': segment %u of its big "
		    "data record points at 0x%x (file offset 0x%llx), which is "
		    "no cell", name, i, rel, (unsigned long long)file_off(rel));
	if (size - REGF_CELL_SIZE_FIELD < part)
		return say(d, file_off(rel), "value '%s': segment %u of its big "
		    "data record holds %u bytes, not %u", name, i,
		    size - REGF_CELL_SIZE_FIELD, part);
	return 0;
}

static int
big_data_damage(const struct cells *c, const char *name, uint32_t db,
		uint32_t len, struct damage *d)
{
	unsigned char rec[8];
	uint32_t size, n, list, i, need, left = len;

	if (cell_get(c, db, rec, sizeof(rec), &size) == -1)
		return 0;
	n = le16_at(rec + DB_SEGMENTS);
	list = le32(rec + DB_LIST);
	need = (len + DAMAGE_BIG_DATA_SEGMENT - 1) / DAMAGE_BIG_DATA_SEGMENT;
	/* need is 2 or more: big data is longer than one segment. */
	if (n < need)
		return say(d, file_off(db), "value '%s' claims %u bytes of "
		    "data, which take %u segments; its big data record lists "
		    "%u", name, len, need, n);
	if (cell_get(c, list, rec, 4, &size) == -1 ||
	    (size - REGF_CELL_SIZE_FIELD) / 4 < n)
		return say(d, file_off(db), "value '%s': the segment list of "
		    "its big data record (at 0x%x, file offset 0x%llx) is no "
		    "cell holding %u segments", name, list,
		    (unsigned long long)file_off(list), n);
	for (i = 0; i < need; i++, left -= DAMAGE_BIG_DATA_SEGMENT)
		if (segment_damage(c, name, db, list, i, left, d))
			return 1;
	return 0;
}

int
damage_value(int fd, hive_value_h v, const char *name, struct damage *d)
{
	unsigned char vk[REGF_VK_FIXED_SIZE], data[2];
	uint32_t size, len, off;
	struct cells c;

	if (cells_init(&c, fd) == -1 || v < REGF_BASE_BLOCK ||
	    cell_get(&c, (uint32_t)(v - REGF_BASE_BLOCK), vk, sizeof(vk),
	    &size) == -1 || memcmp(vk, "vk", 2) != 0)
		return 0;
	len = le32(vk + VK_DATA_LEN);
	off = le32(vk + VK_DATA_OFF);
	if (len & VK_INLINE)
		return (len & ~VK_INLINE) > 4 ? say(d, v, "value '%s' claims "
		    "%u bytes of data kept in its value record, which holds 4",
		    name, len & ~VK_INLINE) : 0;
	if (len == 0)
		return 0;
	if (len > c.bins)
		return say(d, v, "value '%s' claims %u bytes of data, more than "
		    "the hive's %u bytes of hive bins", name, len, c.bins);
	if (cell_get(&c, off, data, sizeof(data), &size) == -1)
		return say(d, v, "value '%s': its data (%u bytes) points at "
		    "0x%x (file offset 0x%llx), which is no cell", name, len, off,
		    (unsigned long long)file_off(off));
	if (len > DAMAGE_BIG_DATA_SEGMENT && c.minor >= 4 &&
	    memcmp(data, "db", 2) == 0)
		return big_data_damage(&c, name, off, len, d);
	if (len > size - REGF_CELL_SIZE_FIELD)
		return say(d, file_off(off), "value '%s' claims %u bytes of "
		    "data; its data cell holds %u", name, len,
		    size - REGF_CELL_SIZE_FIELD);
	return 0;
}

/* ---- big data read whole ---- */

/* Value v's data kept as big data: 1 with the db record's cell and the
 * data's length, or 0 (its data kept otherwise, or unreadable). */
static int
big_data_of(const struct cells *c, hive_value_h v, uint32_t *db,
	    uint32_t *len)
{
	unsigned char vk[REGF_VK_FIXED_SIZE], data[2];
	uint32_t size;

	if (v < REGF_BASE_BLOCK || cell_get(c, (uint32_t)(v - REGF_BASE_BLOCK),
	    vk, sizeof(vk), &size) == -1 || memcmp(vk, "vk", 2) != 0)
		return 0;
	*len = le32(vk + VK_DATA_LEN);
	*db = le32(vk + VK_DATA_OFF);
	return (*len & VK_INLINE) == 0 && *len > DAMAGE_BIG_DATA_SEGMENT &&
	    c->minor >= 4 && cell_get(c, *db, data, sizeof(data), &size) == 0 &&
	    memcmp(data, "db", 2) == 0;
}

/* The `len` bytes of the segments the db record lists, into buf; -1
 * when one is no cell holding its part. */
static int
big_data_copy(const struct cells *c, uint32_t db, unsigned char *buf,
	      uint32_t len)
{
	unsigned char rec[8], e[4], x[1];
	uint32_t list, i, size, part, rel, done;

	if (cell_get(c, db, rec, sizeof(rec), &size) == -1)
		return -1;
	list = le32(rec + DB_LIST);
	for (i = 0, done = 0; done < len; i++, done += part) {
		part = len - done < DAMAGE_BIG_DATA_SEGMENT ? len - done :
		    DAMAGE_BIG_DATA_SEGMENT;
		if (i >= le16_at(rec + DB_SEGMENTS) || pread(c->fd, e, 4,
		    (off_t)(file_off(list) + REGF_CELL_SIZE_FIELD +
		    4 * (uint64_t)i)) != 4)
			return -1;
		rel = le32(e);
		if (cell_get(c, rel, x, sizeof(x), &size) == -1 ||
		    size - REGF_CELL_SIZE_FIELD < part ||
		    pread(c->fd, buf + done, part, (off_t)(file_off(rel) +
		    REGF_CELL_SIZE_FIELD)) != (ssize_t)part)
			return -1;
	}
	return 0;
}

int
damage_is_big_data(int fd, hive_value_h v, uint32_t *len)
{
	struct cells c;
	uint32_t db;

	return cells_init(&c, fd) == 0 && big_data_of(&c, v, &db, len);
}

char *
damage_value_value(hive_h *h, int fd, hive_value_h v, hive_type *t,
		   size_t *len)
{
	char *data = hivex_value_value(h, v, t, len), *whole;
	struct cells c;
	uint32_t db, want;

	/* No more than the hive holds: a record claiming more is damage,
	 * said elsewhere, and must not size an allocation. */
	if (data == NULL || cells_init(&c, fd) == -1 ||
	    !big_data_of(&c, v, &db, &want) || *len == want || want > c.bins)
		return data;
	if ((whole = realloc(data, want)) == NULL) {
		free(data);
		errno = ENOMEM;
		return NULL;
	}
	if (big_data_copy(&c, db, (unsigned char *)whole, want) == -1) {
		free(whole);
		errno = EINVAL;
		return NULL;
	}
	*len = want;
	return whole;
}

/* ---- errors ---- */

int
damage_err(struct hp_err *e, const char *where, const char *key,
	   const struct damage *d)
{
	return hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive: %s (key '%s', "
	    "its cell at file offset 0x%llx)", where, d->what, key,
	    (unsigned long long)d->at);
}

/* What hivex's errno means where it reads cells (lib/node.c, value.c). */
static const char *
hivex_why(int err)
{
	switch (err) {
	case EFAULT:
		return "a list or record points past its cell or at no cell";
	case ERANGE:
		return "a count or length larger than a hive holds";
	case EINVAL:
		return "a cell is not the record its place needs, or ri lists "
		    "nest";
	case ENOTSUP:
		return "a record of a kind or size Windows does not write";
	case EILSEQ:
		return "a name that is not valid UTF-16";
	default:
		return "a cell hivex cannot read";
	}
}

int
damage_hivex_err(struct hp_err *e, int err, const char *where,
		 const char *what, const char *key)
{
	if (err == ENOMEM)
		return hp_err_nomem(e);
	return hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive: cannot read %s: "
	    "%s (key '%s')", where, what, hivex_why(err), key);
}
