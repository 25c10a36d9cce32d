/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mkhostile: make hostile hives, for the tests of how hivepatch finds
 * keys and values as Windows does and of how it refuses damaged hives.
 *
 *     mkhostile CASE IN OUT
 *
 * IN is a SOFTWARE hive with Microsoft\.NETFramework\v4.0.30319 (and its
 * Wow6432Node twin), e.g. from `mkhive software64-net48`.  Each CASE adds
 * through hivex what hivex can write, commits it to OUT, then changes
 * bytes of OUT that hivex cannot write (its node and value handles are
 * the cells' offsets in the file).  Where a case is about something
 * else than the base block, a base block it changes gets its checksum
 * recomputed, so that the checksum is not what is caught.
 *
 * Names that fool a lookup by C strings, under each .NETFramework:
 *
 *   key-nul     a decoy key listed before v4.0.30319, named
 *               "v4.0.30319", a NUL and more, holding
 *               SchUseStrongCrypto = 1: hivex's lookup takes it for the
 *               real key, Windows does not
 *   value-nul   in v4.0.30319 a decoy value named "SchUseStrongCrypto",
 *               a NUL and more, = 1
 *   dup-key     a second key named v4.0.30319 beside the first, holding
 *               SchUseStrongCrypto = 1
 *   link-key    v4.0.30319 flagged as a registry symbolic link (with a
 *               SymbolicLinkValue), holding SchUseStrongCrypto = 1:
 *               Windows follows the link and never reads it
 *   unsorted    .NETFramework's subkey list out of order (a key whose
 *               name sorts after v4.0.30319 listed before it)
 *   lone-surrogate  a decoy key after v4.0.30319 whose name is stored
 *               in UTF-16LE: "v4.0.30319" and a lone high surrogate
 *               (U+D800), holding SchUseStrongCrypto = 1 (its lh hash
 *               recomputed)
 *   backslash-name  a decoy key named "v4.0.30319\SchUseStrongCrypto"
 *               (one name holding a backslash), holding
 *               SchUseStrongCrypto = 1
 *
 * The whole file:
 *
 *   empty          0 bytes
 *   base-only      the base block alone: exactly 4096 bytes, its
 *                  checksum valid (it still claims the hive bins)
 *   sparse-4g      the hive, then a hole up to 4 GiB (ftruncate: no
 *                  byte of it is written)
 *   bins-past-end  the base block's hive bins size 1 MiB more than the
 *                  file holds
 *   major-2        format version 2.5 in the base block
 *   hbin-size-zero the first hive bin gives its size as 0
 *   hbin-size-bad  the first hive bin gives its size as 4104, not a
 *                  multiple of 4096
 *   hbin-past-end  the last hive bin gives its size 64 KiB larger than
 *                  it is: it runs past the end of the hive bins and of
 *                  the file
 *
 * Cells on the path of the net4-tls12 profile, in each view:
 *
 *   lf-count-overrun  .NETFramework's subkey list (lh) claims 256
 *                  entries in a cell that holds 1
 *   ri-deep        .NETFramework's subkeys behind a chain of ri lists
 *                  nested 10,000 deep (in a hive bin appended for them,
 *                  both chains in 313 KiB), the last one pointing at the
 *                  real lh list
 *   ri-self        .NETFramework's subkey list an ri list whose one
 *                  entry is itself
 *   value-2g       v4.0.30319 holds SchUseStrongCrypto, a REG_DWORD
 *                  whose data length claims 2147483640 bytes (its data
 *                  cell holds 8)
 *   bigdata-bogus  v4.0.30319 holds SchUseStrongCrypto, a REG_BINARY
 *                  of 20000 bytes stored as big data: its db record (in
 *                  an appended hive bin) lists 2 segments, both the db
 *                  record's own cell
 *
 * More of the cells damage.c names, one damage each, in each view
 * (NOWHERE is an offset past the end of every hive bin):
 *
 *   subkeys-nowhere  .NETFramework's subkey list at NOWHERE
 *   subkeys-miscount .NETFramework claims 2 subkeys; its list holds 1
 *   subkeys-zeroed .NETFramework's subkey list cell zeroed past its size
 *   subkey-not-key the one entry of .NETFramework's subkey list points
 *                  at the list itself
 *   ri-loop        .NETFramework's subkey list an ri list listing an ri
 *                  list A, which lists B, which lists A
 *   ri-nested-self the same, A listing itself
 *   ri-entry-nowhere  an ri list whose one entry is NOWHERE
 *   ri-entry-key   an ri list whose one entry is v4.0.30319's nk
 *   ri-leaf-not-key  an ri list listing the lh list of subkey-not-key
 *   ri-miscount    an ri list listing the lh list; 2 subkeys claimed
 *   values-nowhere v4.0.30319's value list at NOWHERE
 *   values-overcount  v4.0.30319 claims 1000 values (its list holds 1)
 *   value-entry-nowhere  the one entry of v4.0.30319's value list is
 *                  NOWHERE
 *   value-entry-key  that entry v4.0.30319's own nk
 *   value-inline-long  SchUseStrongCrypto, a REG_DWORD kept in its value
 *                  record, claims 16 bytes there
 *   value-data-nowhere  SchUseStrongCrypto, 8 bytes in a cell of their
 *                  own, its data at NOWHERE
 *   value-data-short  the same claiming 100 bytes (its data cell holds 12)
 *
 * and SchUseStrongCrypto of 20000 bytes as big data, its db record, list
 * and 2 segments (16344 and 3656 bytes) in an appended hive bin, with:
 *
 *   bigdata-few-segments   the db record listing 1 segment
 *   bigdata-list-nowhere   the segment list at NOWHERE
 *   bigdata-list-segment   segment 0 the segment list's own cell
 *   bigdata-same-segment   segment 1 the cell of segment 0
 *   bigdata-segment-nowhere  segment 0 at NOWHERE
 *   bigdata-segment-inside segment 1 16 bytes into segment 0, where its
 *                  data reads as the size of a 16-byte cell
 *   bigdata-segment-short  segment 0 the cell of segment 1 (3660 bytes)
 *   bigdata-sibling        as bigdata-bogus, the value named Sibling,
 *                  beside the SchUseStrongCrypto the profile writes
 *
 * and, undamaged, bigdata-valid: big data values as Windows keeps them,
 * whole, in SOFTWARE\BigData and in v4.0.30319.  The big data cases
 * are built in mkhostile_bigdata.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hivex.h>

#include "mkhostile.h"
#include "regf.h"

#define RI_DEPTH 10000
#define RI_CELL 16		/* size, "ri", 1, one offset: 12, in 8s */

static const char *const roots[VIEWS] = { "", "Wow6432Node\\" };

/* A byte to write at an offset of OUT once hivex has committed it. */
struct patch {
	size_t off;
	unsigned char byte;
	int or;			/* OR-ed into what is there */
};

static struct patch patches[16];
static size_t n_patches;

void
die(const char *what)
{
	fprintf(stderr, "mkhostile: %s: %s\n", what, strerror(errno));
	exit(1);
}

void
fail(const char *what)
{
	fprintf(stderr, "mkhostile: %s\n", what);
	exit(1);
}

static void
patch_at(size_t off, unsigned char byte, int or)
{
	if (n_patches == sizeof(patches) / sizeof(patches[0]))
		fail("too many patches");
	patches[n_patches].off = off;
	patches[n_patches].or = or;
	patches[n_patches++].byte = byte;
}

static uint16_t
get_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static hive_node_h
key(hive_h *h, const char *root, const char *path)
{
	char full[256], *p, *part;
	hive_node_h node = hivex_root(h);

	snprintf(full, sizeof(full), "%s%s", root, path);
	for (part = strtok_r(full, "\\", &p); node != 0 && part != NULL;
	    part = strtok_r(NULL, "\\", &p))
		node = hivex_node_get_child(h, node, part);
	if (node == 0) {
		fprintf(stderr, "mkhostile: no key %s%s in IN\n", root, path);
		exit(1);
	}
	return node;
}

void
set_value(hive_h *h, hive_node_h node, const char *name, hive_type t,
	  const void *data, size_t len)
{
	hive_set_value val = { (char *)name, t, len, (char *)data };

	if (hivex_node_set_value(h, node, &val, 0) == -1)
		die(name);
}

static void
set_dword(hive_h *h, hive_node_h node, const char *name, uint32_t v)
{
	unsigned char le[4];

	put_le32(le, v);
	set_value(h, node, name, hive_t_REG_DWORD, le, sizeof(le));
}

hive_value_h
value(hive_h *h, hive_node_h node, const char *name)
{
	hive_value_h v = hivex_node_get_value(h, node, name);

	if (v == 0)
		die(name);
	return v;
}

hive_node_h
add_key(hive_h *h, hive_node_h parent, const char *name)
{
	hive_node_h node = hivex_node_add_child(h, parent, name);

	if (node == 0)
		die(name);
	return node;
}

/* Byte i of an nk cell's name (stored one byte per character). */
static size_t
key_name_byte(hive_node_h node, size_t i)
{
	return (size_t)node + REGF_CELL_SIZE_FIELD + REGF_NK_NAME + i;
}

/* ---- the hivex step, once per view ---- */

static void
hivex_name_cases(hive_h *h, const char *which, struct made *m, int view)
{
	hive_node_h netfx = m->netfx[view], real = m->real[view], node;
	hive_value_h v;

	if (strcmp(which, "key-nul") == 0) {
		/* Sorts before the real key until it is renamed. */
		node = add_key(h, netfx, "v4.0.30318#decoy");
		set_dword(h, node, "SchUseStrongCrypto", 1);
		patch_at(key_name_byte(node, 9), '9', 0);
		patch_at(key_name_byte(node, 10), '\0', 0);
	} else if (strcmp(which, "value-nul") == 0) {
		set_dword(h, real, "SchUseStrongCrypto#decoy", 1);
		v = value(h, real, "SchUseStrongCrypto#decoy");
		patch_at((size_t)v + REGF_CELL_SIZE_FIELD + REGF_VK_FIXED_SIZE +
		    18, '\0', 0);
	} else if (strcmp(which, "dup-key") == 0) {
		node = add_key(h, netfx, "v4.0.3031Z");
		set_dword(h, node, "SchUseStrongCrypto", 1);
		patch_at(key_name_byte(node, 9), '9', 0);
	} else if (strcmp(which, "unsorted") == 0) {
		node = add_key(h, netfx, "v2.0.50727");
		patch_at(key_name_byte(node, 0), 'z', 0);
	} else if (strcmp(which, "lone-surrogate") == 0) {
		/* Room for the UTF-16 name the byte step gives it. */
		m->decoy[view] = add_key(h, netfx, "v4.0.30319+lone-surrogate");
		set_dword(h, m->decoy[view], "SchUseStrongCrypto", 1);
	} else if (strcmp(which, "backslash-name") == 0) {
		node = add_key(h, netfx, "v4.0.30319\\SchUseStrongCrypto");
		set_dword(h, node, "SchUseStrongCrypto", 1);
	}
}

static void
hivex_step(hive_h *h, const char *which, struct made *m, int view)
{
	static const unsigned char eight[8] = { 1 };
	hive_node_h real = m->real[view];

	hivex_name_cases(h, which, m, view);
	if (strcmp(which, "link-key") == 0) {
		static const char target[] = "\\\0R\0e\0g\0i\0s\0t\0r\0y\0\\\0"
		    "M\0a\0c\0h\0i\0n\0e\0\\\0S\0O\0F\0T\0W\0A\0R\0E\0\\\0"
		    "E\0l\0s\0e\0w\0h\0e\0r\0e\0";

		set_value(h, real, "SymbolicLinkValue", hive_t_REG_LINK, target,
		    sizeof(target) - 1);
		set_dword(h, real, "SchUseStrongCrypto", 1);
		/* KEY_SYM_LINK, in the flags' low byte. */
		patch_at((size_t)real + REGF_CELL_SIZE_FIELD + REGF_NK_FLAGS,
		    REGF_KEY_SYM_LINK, 1);
	} else if (strcmp(which, "value-2g") == 0 ||
	    strncmp(which, "value-data-", 11) == 0) {
		/* 8 bytes: kept in a cell of its own, not in the vk. */
		set_value(h, real, "SchUseStrongCrypto", hive_t_REG_DWORD, eight,
		    sizeof(eight));
		m->value[view] = value(h, real, "SchUseStrongCrypto");
	} else if (strcmp(which, "value-inline-long") == 0) {
		set_dword(h, real, "SchUseStrongCrypto", 1);
		m->value[view] = value(h, real, "SchUseStrongCrypto");
	} else if (strncmp(which, "bigdata-", 8) == 0)
		big_data_values(h, which, m, view);
}

/* ---- the byte step, on the committed file ---- */

unsigned char *
at(struct image *img, size_t off, size_t len)
{
	if (off > img->len || len > img->len - off)
		fail("an offset past the end of OUT");
	return img->b + off;
}

/* The cell at `rel` (an offset from the first hive bin, as records hold
 * them): its size field. */
unsigned char *
cell(struct image *img, uint32_t rel, size_t len)
{
	return at(img, REGF_BASE_BLOCK + (size_t)rel,
	    REGF_CELL_SIZE_FIELD + len);
}

static unsigned char *
nk_field(struct image *img, hive_node_h node, size_t field)
{
	return at(img, (size_t)node + REGF_CELL_SIZE_FIELD + field, 4);
}

/* The offset from the first hive bin of a handle (a file offset). */
static uint32_t
rel_of(size_t handle)
{
	return (uint32_t)(handle - REGF_BASE_BLOCK);
}

static void
bins_grew(struct image *img)
{
	put_le32(at(img, REGF_BB_BINS_SIZE, 4),
	    (uint32_t)(img->len - REGF_BASE_BLOCK));
	regf_checksum_set(img->b);
}

/* Appends a hive bin with `used` bytes of cells (a multiple of 8, the
 * caller writes them) and one free cell after them; returns the offset
 * from the first hive bin of its first cell. */
uint32_t
append_bin(struct image *img, size_t used)
{
	size_t start = img->len, size = (REGF_HBIN_HEADER + used +
	    REGF_PAGE - 1) / REGF_PAGE * REGF_PAGE;
	unsigned char *bin;

	if ((img->b = realloc(img->b, start + size)) == NULL)
		die("realloc");
	img->len = start + size;
	bin = memset(img->b + start, 0, size);
	memcpy(bin, "hbin", 4);
	put_le32(bin + REGF_HBIN_OFFSET, rel_of(start));
	put_le32(bin + REGF_HBIN_SIZE, (uint32_t)size);
	if (size > REGF_HBIN_HEADER + used)
		put_le32(bin + REGF_HBIN_HEADER + used,
		    (uint32_t)(size - REGF_HBIN_HEADER - used));
	bins_grew(img);
	return rel_of(start + REGF_HBIN_HEADER);
}

/* An allocated cell of `size` bytes (size field included) with id. */
unsigned char *
new_cell(struct image *img, uint32_t rel, size_t size, const char *id)
{
	unsigned char *c = cell(img, rel, size - REGF_CELL_SIZE_FIELD);

	put_le32(c, (uint32_t)-(int32_t)size);
	memcpy(c + REGF_CELL_SIZE_FIELD, id, 2);
	return c;
}

/* The hive bin at file offset `off`: its size field. */
static unsigned char *
bin_size_field(struct image *img, size_t off)
{
	unsigned char *bin = at(img, off, REGF_HBIN_HEADER);

	if (memcmp(bin, "hbin", 4) != 0)
		fail("no hive bin where one should be");
	return bin + REGF_HBIN_SIZE;
}

static void
last_bin_too_big(struct image *img)
{
	size_t off = REGF_BASE_BLOCK, size = 0;

	while (off + size < img->len) {
		off += size;
		size = le32(bin_size_field(img, off));
	}
	put_le32(bin_size_field(img, off), (uint32_t)(size + 0x10000));
}

static int
whole_file_step(struct image *img, const char *which)
{
	if (strcmp(which, "empty") == 0)
		img->len = 0;
	else if (strcmp(which, "base-only") == 0)
		img->len = REGF_BASE_BLOCK;
	else if (strcmp(which, "sparse-4g") == 0)
		img->extend_to = (off_t)4 << 30;
	else if (strcmp(which, "bins-past-end") == 0) {
		put_le32(at(img, REGF_BB_BINS_SIZE, 4),
		    (uint32_t)(img->len - REGF_BASE_BLOCK + (1u << 20)));
		regf_checksum_set(img->b);
	} else if (strcmp(which, "major-2") == 0) {
		put_le32(at(img, REGF_BB_MAJOR, 4), 2);
		regf_checksum_set(img->b);
	} else if (strcmp(which, "hbin-size-zero") == 0)
		put_le32(bin_size_field(img, REGF_BASE_BLOCK), 0);
	else if (strcmp(which, "hbin-size-bad") == 0)
		put_le32(bin_size_field(img, REGF_BASE_BLOCK), REGF_PAGE + 8);
	else if (strcmp(which, "hbin-past-end") == 0)
		last_bin_too_big(img);
	else
		return 0;
	return 1;
}

/* The subkey list cell of a key. */
static uint32_t
subkey_list(struct image *img, hive_node_h node)
{
	return le32(nk_field(img, node, REGF_NK_SUBKEYS));
}

/* An ri list with one entry, at `rel`. */
static void
ri_cell(struct image *img, uint32_t rel, uint32_t entry)
{
	unsigned char *c = new_cell(img, rel, RI_CELL, "ri");

	put_le16(c + 6, 1);
	put_le32(c + 8, entry);
}

/* Both views' .NETFramework subkeys behind RI_DEPTH nested ri lists. */
static void
ri_chains(struct image *img, const struct made *m)
{
	uint32_t first = append_bin(img, (size_t)VIEWS * RI_DEPTH * RI_CELL);
	int view, i;

	for (view = 0; view < VIEWS; view++) {
		uint32_t head = first + (uint32_t)(view * RI_DEPTH * RI_CELL);
		uint32_t list = subkey_list(img, m->netfx[view]);

		for (i = 0; i < RI_DEPTH; i++) {
			uint32_t rel = head + (uint32_t)(i * RI_CELL);

			ri_cell(img, rel, i + 1 < RI_DEPTH ? rel + RI_CELL : list);
		}
		put_le32(nk_field(img, m->netfx[view], REGF_NK_SUBKEYS), head);
	}
}

/* The ri cases: each view's .NETFramework lists its subkeys through ri
 * lists appended, the first one its subkey list; entry i of to[] is
 * what list i lists: another of them, or (negative) NOWHERE, the key
 * v4.0.30319 or the key's lh list. */
#define RI_TO_NOWHERE	(-1)
#define RI_TO_KEY	(-2)
#define RI_TO_LIST	(-3)	/* the key's lh list */

static void
ri_lists(struct image *img, const struct made *m, const int *to, int n)
{
	uint32_t first = append_bin(img, (size_t)(VIEWS * n * RI_CELL));
	int view, i;

	for (view = 0; view < VIEWS; view++) {
		uint32_t head = first + (uint32_t)(view * n * RI_CELL);
		uint32_t lh = subkey_list(img, m->netfx[view]);

		for (i = 0; i < n; i++)
			ri_cell(img, head + (uint32_t)(i * RI_CELL),
			    to[i] == RI_TO_NOWHERE ? NOWHERE :
			    to[i] == RI_TO_KEY ? rel_of(m->real[view]) :
			    to[i] == RI_TO_LIST ? lh :
			    head + (uint32_t)(to[i] * RI_CELL));
		put_le32(nk_field(img, m->netfx[view], REGF_NK_SUBKEYS), head);
	}
}

static void
ri_cases(struct image *img, const char *which, const struct made *m)
{
	static const int loop[] = { 1, 2, 1 }, self[] = { 1, 1 };
	static const int nowhere[] = { RI_TO_NOWHERE }, key[] = { RI_TO_KEY };
	static const int list[] = { RI_TO_LIST };

	if (strcmp(which, "ri-deep") == 0)
		ri_chains(img, m);
	else if (strcmp(which, "ri-loop") == 0)
		ri_lists(img, m, loop, 3);
	else if (strcmp(which, "ri-nested-self") == 0)
		ri_lists(img, m, self, 2);
	else if (strcmp(which, "ri-entry-nowhere") == 0)
		ri_lists(img, m, nowhere, 1);
	else if (strcmp(which, "ri-entry-key") == 0)
		ri_lists(img, m, key, 1);
	else if (strcmp(which, "ri-leaf-not-key") == 0 ||
	    strcmp(which, "ri-miscount") == 0)
		ri_lists(img, m, list, 1);
}

/* The name of the key at `node` made UTF-16LE "v4.0.30319" and U+D800,
 * and its lh hash under `parent` made to match. */
static void
lone_surrogate(struct image *img, hive_node_h node, hive_node_h parent)
{
	static const char ascii[] = "v4.0.30319";
	unsigned char *name = at(img, key_name_byte(node, 0), 22);
	unsigned char *flags = nk_field(img, node, REGF_NK_FLAGS);
	uint32_t hash = 0, list = subkey_list(img, parent), i, n;
	unsigned char *lh = cell(img, list, 4);

	for (i = 0; i < 10; i++) {
		put_le16(name + 2 * i, (uint16_t)ascii[i]);
		hash = hash * 37 + (uint32_t)(ascii[i] >= 'a' &&
		    ascii[i] <= 'z' ? ascii[i] - 'a' + 'A' : ascii[i]);
	}
	put_le16(name + 20, 0xd800);
	hash = hash * 37 + 0xd800;
	put_le16(flags, get_le16(flags) & (uint16_t)~REGF_KEY_COMP_NAME);
	put_le16(nk_field(img, node, REGF_NK_NAME_LEN), 22);
	if (memcmp(lh + 4, "lh", 2) != 0)
		fail("the subkey list is no lh list");
	n = get_le16(lh + 6);
	lh = cell(img, list, 8 + 8 * n);
	for (i = 0; i < n; i++)
		if (le32(lh + 8 + 8 * i) == rel_of(node))
			put_le32(lh + 12 + 8 * i, hash);
}

/* .NETFramework's subkey list (an lh list of one entry: 16 bytes). */
static void
subkey_cases(struct image *img, const char *which, hive_node_h netfx)
{
	uint32_t list = subkey_list(img, netfx);
	unsigned char *c = cell(img, list, 12);

	if (strcmp(which, "lf-count-overrun") == 0)
		put_le16(c + 6, 256);
	else if (strcmp(which, "ri-self") == 0) {
		memcpy(c + 4, "ri", 2);
		put_le16(c + 6, 1);
		put_le32(c + 8, list);
	} else if (strcmp(which, "subkeys-nowhere") == 0)
		put_le32(nk_field(img, netfx, REGF_NK_SUBKEYS), NOWHERE);
	else if (strcmp(which, "subkeys-miscount") == 0 ||
	    strcmp(which, "ri-miscount") == 0)
		put_le32(nk_field(img, netfx, REGF_NK_NR_SUBKEYS), 2);
	else if (strcmp(which, "subkeys-zeroed") == 0)
		memset(c + REGF_CELL_SIZE_FIELD, 0, 12);
	else if (strcmp(which, "subkey-not-key") == 0 ||
	    strcmp(which, "ri-leaf-not-key") == 0)
		put_le32(c + 8, list);
}

/* v4.0.30319's value list, and the value hivex wrote in it. */
static void
value_cases(struct image *img, const char *which, hive_node_h real,
	    hive_value_h v)
{
	unsigned char *vk = v == 0 ? NULL : at(img, (size_t)v +
	    REGF_CELL_SIZE_FIELD, REGF_VK_FIXED_SIZE);

	if (strcmp(which, "values-nowhere") == 0)
		put_le32(nk_field(img, real, REGF_NK_VALUES), NOWHERE);
	else if (strcmp(which, "values-overcount") == 0)
		put_le32(nk_field(img, real, REGF_NK_NR_VALUES), 1000);
	else if (strcmp(which, "value-entry-nowhere") == 0 ||
	    strcmp(which, "value-entry-key") == 0)
		put_le32(cell(img, le32(nk_field(img, real, REGF_NK_VALUES)), 4) +
		    REGF_CELL_SIZE_FIELD, which[12] == 'n' ? NOWHERE :
		    rel_of(real));
	else if (strcmp(which, "value-2g") == 0)
		put_le32(vk + 4, 0x7ffffff8u);
	else if (strcmp(which, "value-inline-long") == 0)
		put_le32(vk + 4, 0x80000010u);
	else if (strcmp(which, "value-data-nowhere") == 0)
		put_le32(vk + 8, NOWHERE);
	else if (strcmp(which, "value-data-short") == 0)
		put_le32(vk + 4, 100);
}

static void
cell_step(struct image *img, const char *which, const struct made *m)
{
	int view;

	/* The lh list first: the ri cases list it. */
	for (view = 0; view < VIEWS; view++)
		subkey_cases(img, which, m->netfx[view]);
	ri_cases(img, which, m);
	if (strncmp(which, "bigdata-", 8) == 0)
		big_data_cells(img, which, m);
	for (view = 0; view < VIEWS; view++) {
		value_cases(img, which, m->real[view], m->value[view]);
		if (strcmp(which, "lone-surrogate") == 0)
			lone_surrogate(img, m->decoy[view], m->netfx[view]);
	}
}

static const char *const cases[] = {
	"key-nul", "value-nul", "dup-key", "link-key", "unsorted",
	"lone-surrogate", "backslash-name", "empty", "base-only",
	"sparse-4g", "bins-past-end", "major-2", "hbin-size-zero",
	"hbin-size-bad", "hbin-past-end", "lf-count-overrun", "ri-deep",
	"ri-self", "value-2g", "bigdata-bogus", "subkeys-nowhere",
	"subkeys-miscount", "subkeys-zeroed", "subkey-not-key", "ri-loop",
	"ri-nested-self", "ri-entry-nowhere", "ri-entry-key", "values-nowhere",
	"values-overcount", "value-entry-nowhere", "value-inline-long",
	"value-data-nowhere", "value-data-short", "bigdata-few-segments",
	"bigdata-list-nowhere", "bigdata-list-segment", "bigdata-same-segment",
	"bigdata-segment-nowhere", "bigdata-segment-inside",
	"bigdata-segment-short", "bigdata-sibling", "ri-leaf-not-key",
	"ri-miscount", "value-entry-key", "bigdata-valid",
};

static int
known(const char *which)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(cases[i], which) == 0)
			return 1;
	return 0;
}

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: mkhostile CASE IN OUT\ncases:");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		fprintf(stderr, " %s", cases[i]);
	fprintf(stderr, "\n");
	exit(2);
}

static void
read_image(const char *path, struct image *img)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	memset(img, 0, sizeof(*img));
	if (fd == -1 || fstat(fd, &st) == -1)
		die(path);
	img->len = (size_t)st.st_size;
	if ((img->b = malloc(img->len ? img->len : 1)) == NULL)
		die("malloc");
	if (pread(fd, img->b, img->len, 0) != (ssize_t)img->len)
		die(path);
	close(fd);
}

static void
write_image(const char *path, struct image *img)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t i;

	if (fd == -1)
		die(path);
	for (i = 0; i < n_patches; i++) {
		unsigned char *b = at(img, patches[i].off, 1);

		*b = patches[i].or ? *b | patches[i].byte : patches[i].byte;
	}
	if (pwrite(fd, img->b, img->len, 0) != (ssize_t)img->len ||
	    (img->extend_to != 0 && ftruncate(fd, img->extend_to) == -1) ||
	    close(fd) == -1)
		die(path);
}

int
main(int argc, char **argv)
{
	struct made m;
	struct image img;
	hive_h *h;
	int view;

	if (argc != 4 || !known(argv[1]))
		usage();
	if ((h = hivex_open(argv[2], HIVEX_OPEN_WRITE)) == NULL)
		die(argv[2]);
	memset(&m, 0, sizeof(m));
	for (view = 0; view < VIEWS; view++) {
		m.netfx[view] = key(h, roots[view], NETFX);
		m.real[view] = key(h, roots[view], NETFX "\\v4.0.30319");
		hivex_step(h, argv[1], &m, view);
	}
	if (hivex_commit(h, argv[3], 0) == -1)
		die(argv[3]);
	hivex_close(h);
	read_image(argv[3], &img);
	/* The patches of the cells first: the whole file's cases may cut
	 * it. */
	cell_step(&img, argv[1], &m);
	if (whole_file_step(&img, argv[1]))
		n_patches = 0;
	write_image(argv[3], &img);
	free(img.b);
	return 0;
}
