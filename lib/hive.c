/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "damage.h"
#include "hive.h"
#include "lookup.h"
#include "regf.h"
#include "textconv.h"
#include "walk.h"

/* The file name field is UTF-16LE, NUL-padded; it is only a hint, so a
 * name that does not convert is left empty. */
static void
decode_name(const unsigned char *field, size_t len, char *out, size_t outlen)
{
	char *name = utf16le_to_utf8(field, len);

	snprintf(out, outlen, "%s", name ? name : "");
	free(name);
}

int
hive_parse_header(const unsigned char *bb, size_t len, uint64_t file_size,
		  const char *path, struct hive_header *hdr, struct hp_err *e)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->file_size = file_size;
	if (file_size == 0)
		return hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive: the file "
		    "is empty (0 bytes), not a registry hive", path);
	if (len < 4 || memcmp(bb, "regf", 4) != 0)
		return hp_err_set(e, HP_R_DAMAGED,
		    "%s: not a registry hive (no 'regf' signature)", path);
	if (len < REGF_BASE_BLOCK)
		return hp_err_set(e, HP_R_DAMAGED,
		    "%s: damaged hive: truncated inside the base block (%zu bytes)",
		    path, len);

	/* From here on it is a hive whose base block may be damaged: one a
	 * transaction log can stand in for. */
	hdr->damaged = 1;
	hdr->seq_primary = le32(bb + REGF_BB_SEQ1);
	hdr->seq_secondary = le32(bb + REGF_BB_SEQ2);
	hdr->major = le32(bb + REGF_BB_MAJOR);
	hdr->minor = le32(bb + REGF_BB_MINOR);
	hdr->bins_size = le32(bb + REGF_BB_BINS_SIZE);
	hdr->dirty = hdr->seq_primary != hdr->seq_secondary;
	decode_name(bb + REGF_BB_NAME, REGF_BB_NAME_LEN, hdr->name, sizeof(hdr->name));

	/* A dirty hive may legitimately carry a stale checksum: Windows
	 * takes the base block from the log then.  Only a clean one must
	 * add up. */
	if (!hdr->dirty && regf_checksum(bb) != le32(bb + REGF_BB_CHECKSUM))
		return hp_err_set(e, HP_R_DAMAGED,
		    "%s: damaged hive: base block checksum mismatch", path);
	if (hdr->major != 1)
		return hp_err_set(e, HP_R_DAMAGED,
		    "%s: damaged hive: its base block gives format version "
		    "%u.%u; Windows writes 1.x", path, hdr->major, hdr->minor);
	if (hdr->bins_size == 0 || hdr->bins_size % REGF_PAGE != 0)
		return hp_err_set(e, HP_R_DAMAGED,
		    "%s: damaged hive: hive bins size %u is not a multiple of 4096",
		    path, hdr->bins_size);
	if ((uint64_t)hdr->bins_size + REGF_BASE_BLOCK > hdr->file_size)
		return hp_err_set(e, HP_R_DAMAGED,
		    "%s: damaged hive: truncated (header says %llu bytes, file has %llu)",
		    path, (unsigned long long)hdr->bins_size + REGF_BASE_BLOCK,
		    (unsigned long long)hdr->file_size);
	hdr->damaged = 0;
	return 0;
}

int
hive_read_header_fd(int fd, uint64_t size, const char *where,
		    struct hive_header *hdr, struct hp_err *e)
{
	unsigned char bb[REGF_BASE_BLOCK];
	ssize_t got;

	memset(hdr, 0, sizeof(*hdr));
	if (size > HP_HIVE_LIMIT_MAX)
		return hp_err_set(e, HP_R_TOO_LARGE, "%s: %llu bytes, larger "
		    "than a registry hive can be (%llu MiB)", where,
		    (unsigned long long)size,
		    (unsigned long long)(HP_HIVE_LIMIT_MAX >> 20));
	do
		got = pread(fd, bb, sizeof(bb), 0);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return hp_err_set(e, HP_R_IO, "%s: cannot read: %s", where,
		    strerror(errno));
	return hive_parse_header(bb, (size_t)got, size, where, hdr, e);
}

/* Reads little-endian words of a file through a window of it. */
struct window {
	int fd;
	uint64_t base;
	size_t n;
	unsigned char buf[65536];
};

static int
window_le32(struct window *w, uint64_t off, uint32_t *v)
{
	ssize_t got;

	if (off < w->base || off + 4 > w->base + w->n) {
		got = pread(w->fd, w->buf, sizeof(w->buf), (off_t)off);
		w->base = off;
		w->n = got > 0 ? (size_t)got : 0;
		if (w->n < 4)
			return -1;
	}
	*v = le32(w->buf + (off - w->base));
	return 0;
}

/* Where the hive bins end, and the root key's cell (file offsets). */
struct bins {
	uint64_t end, root;
	int root_ok;
};

/* The header of the hive bin at `off`: its size to *size, or why not. */
static int
diagnose_bin_header(struct window *w, uint64_t off, const struct bins *b,
		    uint32_t *size, char *why, size_t len)
{
	unsigned long long at = off;
	uint32_t magic = 0, rel = 0;

	if (off + REGF_HBIN_HEADER > b->end || window_le32(w, off, &magic) ==
	    -1 || magic != le32((const unsigned char *)"hbin")) {
		snprintf(why, len, "no hive bin at offset 0x%llx, inside the "
		    "%llu bytes of hive bins its base block claims", at,
		    (unsigned long long)(b->end - REGF_BASE_BLOCK));
		return -1;
	}
	if (window_le32(w, off + REGF_HBIN_OFFSET, &rel) == -1 ||
	    window_le32(w, off + REGF_HBIN_SIZE, size) == -1)
		return -1;
	if (*size == 0)
		snprintf(why, len, "the hive bin at offset 0x%llx gives its size "
		    "as 0", at);
	else if (*size % REGF_PAGE != 0)
		snprintf(why, len, "the hive bin at offset 0x%llx gives its size "
		    "as %u, not a multiple of 4096", at, (unsigned)*size);
	else if (off + *size > b->end)
		snprintf(why, len, "the hive bin at offset 0x%llx gives its size "
		    "as %u, running past the end of the hive bins at 0x%llx", at,
		    (unsigned)*size, (unsigned long long)b->end);
	else if (rel != off - REGF_BASE_BLOCK)
		snprintf(why, len, "the hive bin at offset 0x%llx gives its "
		    "offset as 0x%x, not 0x%llx", at, (unsigned)rel,
		    at - REGF_BASE_BLOCK);
	return why[0] != '\0' ? -1 : 0;
}

/* The cells of the hive bin at `off`, of `size` bytes, as hivex checks
 * them: each size a multiple of 4 over 4, inside the bin. */
static int
diagnose_cells(struct window *w, uint64_t off, uint32_t size, struct bins *b,
	       char *why, size_t len)
{
	uint64_t cell, step;
	uint32_t raw, id;

	for (cell = off + REGF_HBIN_HEADER; cell < off + size; cell += step) {
		int32_t v;

		if (window_le32(w, cell, &raw) == -1)
			return -1;
		v = (int32_t)raw;
		step = v < 0 ? (uint64_t)-(int64_t)v : (uint64_t)v;
		if (step <= 4 || step % 4 != 0 || cell + step > off + size) {
			snprintf(why, len, "the cell at offset 0x%llx gives its "
			    "size as %d, %s", (unsigned long long)cell, (int)v,
			    step <= 4 || step % 4 != 0 ? "which no cell has" :
			    "running past the end of its hive bin");
			return -1;
		}
		if (cell == b->root && v < 0 &&
		    window_le32(w, cell + REGF_CELL_SIZE_FIELD, &id) == 0)
			b->root_ok = (id & 0xffff) == ('n' | 'k' << 8);
	}
	return 0;
}

static void
diagnose_bins(const char *path, char *why, size_t len)
{
	unsigned char bb[REGF_BASE_BLOCK];
	struct window *w = NULL;
	struct bins b = { 0, 0, 0 };
	uint64_t off;
	uint32_t size = 0;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	why[0] = '\0';
	if (fd == -1 || fstat(fd, &st) == -1 ||
	    pread(fd, bb, sizeof(bb), 0) != (ssize_t)sizeof(bb) ||
	    (w = calloc(1, sizeof(*w))) == NULL)
		goto out;
	if (memcmp(bb, "regf", 4) != 0) {
		snprintf(why, len, "not a registry hive (no 'regf' signature)");
		goto out;
	}
	b.end = REGF_BASE_BLOCK + (uint64_t)le32(bb + REGF_BB_BINS_SIZE);
	if (b.end > (uint64_t)st.st_size)
		b.end = (uint64_t)st.st_size;
	b.root = REGF_BASE_BLOCK + (uint64_t)le32(bb + REGF_BB_ROOT);
	w->fd = fd;
	for (off = REGF_BASE_BLOCK; off < b.end; off += size)
		if (diagnose_bin_header(w, off, &b, &size, why, len) == -1 ||
		    diagnose_cells(w, off, size, &b, why, len) == -1)
			goto out;
	if (!b.root_ok)
		snprintf(why, len, "the root key its base block names (cell at "
		    "offset 0x%llx) is no key", (unsigned long long)b.root);
out:
	free(w);
	if (fd != -1)
		close(fd);
}

void
hive_why_unopenable(const char *path, int err, char *why, size_t len)
{
	diagnose_bins(path, why, len);
	if (why[0] == '\0' && err == ENOMEM)
		snprintf(why, len, "out of memory reading it");
	else if (why[0] == '\0')
		snprintf(why, len, "hivex cannot read its hive bins, whose "
		    "headers and cell sizes are whole: its root key is missing "
		    "or a cell is damaged");
}

hive_h *
hive_open(const char *path, int flags, const char *where, struct hp_err *e)
{
	char why[256];
	hive_h *h;

	errno = 0;
	h = hivex_open(path, flags);
	if (h != NULL)
		return h;
	hive_why_unopenable(path, errno, why, sizeof(why));
	hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive: %s", where, why);
	return NULL;
}

static const struct {
	const char *file;
	enum hp_hive_kind kind;
} kind_by_file[] = {
	{ "SOFTWARE", HP_HIVE_SOFTWARE },
	{ "SYSTEM", HP_HIVE_SYSTEM },
	{ "SAM", HP_HIVE_SAM },
	{ "SECURITY", HP_HIVE_SECURITY },
	{ "DEFAULT", HP_HIVE_DEFAULT },
	{ "NTUSER.DAT", HP_HIVE_NTUSER },
	{ "UsrClass.dat", HP_HIVE_USRCLASS },
	{ "Amcache.hve", HP_HIVE_AMCACHE },
	{ "BCD", HP_HIVE_BCD },
	{ "COMPONENTS", HP_HIVE_COMPONENTS },
};

const char *
hp_hive_kind_name(enum hp_hive_kind kind)
{
	size_t i;

	for (i = 0; i < sizeof(kind_by_file) / sizeof(kind_by_file[0]); i++)
		if (kind_by_file[i].kind == kind)
			return kind_by_file[i].file;
	return "unknown";
}

static int
root_has(hive_h *h, hive_node_h root, const char *name)
{
	const struct lookup_ctx c = { h, -1, "" };
	struct hp_err ignored;
	hive_node_h child;

	return lookup_child(&c, root, name, "", &child, &ignored) == 1;
}

/* What the root's children say.  Checked in an order where the more
 * specific layouts come first. */
static enum hp_hive_kind
kind_from_layout(hive_h *h, hive_node_h root)
{
	if (root_has(h, root, "Select") &&
	    (root_has(h, root, "ControlSet001") || root_has(h, root, "ControlSet002")))
		return HP_HIVE_SYSTEM;
	/* SECURITY's root holds a SAM key too: test it first. */
	if (root_has(h, root, "Policy") && root_has(h, root, "RXACT"))
		return HP_HIVE_SECURITY;
	if (root_has(h, root, "SAM"))
		return HP_HIVE_SAM;
	if (root_has(h, root, "Control Panel") || root_has(h, root, "Environment") ||
	    root_has(h, root, "AppEvents") || root_has(h, root, "Console"))
		return HP_HIVE_NTUSER;
	if (root_has(h, root, "Root") && !root_has(h, root, "Microsoft"))
		return HP_HIVE_AMCACHE;
	if (root_has(h, root, "Objects") && root_has(h, root, "Description"))
		return HP_HIVE_BCD;
	if (root_has(h, root, "Microsoft"))
		return HP_HIVE_SOFTWARE;
	/* A user's classes keep their per-machine part in Local Settings;
	 * no other hive has that key at its root. */
	if (root_has(h, root, "Local Settings"))
		return HP_HIVE_USRCLASS;
	return HP_HIVE_UNKNOWN;
}

int
hive_kinds_alike(enum hp_hive_kind found, enum hp_hive_kind want)
{
	int found_user = found == HP_HIVE_NTUSER || found == HP_HIVE_DEFAULT;
	int want_user = want == HP_HIVE_NTUSER || want == HP_HIVE_DEFAULT;

	return found == want || (found_user && want_user);
}

const char *
hive_kind_root(enum hp_hive_kind kind)
{
	switch (kind) {
	case HP_HIVE_SOFTWARE:
		return "HKLM\\SOFTWARE";
	case HP_HIVE_SYSTEM:
		return "HKLM\\SYSTEM";
	case HP_HIVE_SAM:
		return "HKLM\\SAM";
	case HP_HIVE_SECURITY:
		return "HKLM\\SECURITY";
	case HP_HIVE_DEFAULT:
		return "HKU\\.DEFAULT";
	case HP_HIVE_NTUSER:
		return "HKCU";
	case HP_HIVE_USRCLASS:
		return "HKCU\\Software\\Classes";
	default:
		return "(root)";
	}
}

const char *
hive_header_file(const struct hive_header *hdr)
{
	const char *base = strrchr(hdr->name, '\\');

	return base ? base + 1 : hdr->name;
}

enum hp_hive_kind
hive_classify(hive_h *h, const struct hive_header *hdr, char *why,
	      size_t whylen, unsigned *how)
{
	enum hp_hive_kind by_name = HP_HIVE_UNKNOWN, by_layout;
	const char *base = hive_header_file(hdr);
	size_t i;

	for (i = 0; i < sizeof(kind_by_file) / sizeof(kind_by_file[0]); i++)
		if (strcasecmp(base, kind_by_file[i].file) == 0)
			by_name = kind_by_file[i].kind;
	by_layout = kind_from_layout(h, hivex_root(h));
	/* A user hive and DEFAULT share a layout; the name tells them apart. */
	if (by_name == HP_HIVE_DEFAULT && by_layout == HP_HIVE_NTUSER)
		by_layout = HP_HIVE_DEFAULT;
	*how = 0;
	/* Windows writes the name for debugging only (reg save writes the
	 * save path, hivex's template says DEFAULT): the root keys decide. */
	if (by_layout != HP_HIVE_UNKNOWN) {
		*how |= HIVE_KIND_BY_CONTENT;
		if (by_name == by_layout)
			snprintf(why, whylen, "its root keys make it a %s "
			    "hive, and its header names it '%s'",
			    hp_hive_kind_name(by_layout), base);
		else if (base[0] != '\0') {
			*how |= HIVE_KIND_NAME_DIFFERS;
			snprintf(why, whylen, "its root keys make it a %s hive; "
			    "its header names it '%s', a hint only",
			    hp_hive_kind_name(by_layout), base);
		} else
			snprintf(why, whylen, "its root keys look like a %s hive",
			    hp_hive_kind_name(by_layout));
		return by_layout;
	}
	if (by_name != HP_HIVE_UNKNOWN) {
		snprintf(why, whylen, "header names it '%s'; its root keys do "
		    "not tell", base);
		return by_name;
	}
	snprintf(why, whylen, "neither its header name '%s' nor its root keys "
	    "say what it is", base);
	return HP_HIVE_UNKNOWN;
}

hive_node_h
hive_find_key(hive_h *h, const char *path)
{
	const struct lookup_ctx c = { h, -1, "" };
	struct hp_err ignored;
	hive_node_h node;

	return lookup_key(&c, path, "", &node, &ignored) == 1 ? node : 0;
}

struct walk_all {
	const char *where;
	int fd;
};

/* Reads a key's value headers (the walk itself read its subkey list). */
static int
read_values(void *arg, const struct walk_key *k, struct hp_err *e)
{
	const struct walk_all *w = arg;
	hive_value_h *values;
	struct damage d;
	hive_type t;
	size_t i, len;
	int rc = 0;

	errno = 0;
	if ((values = hivex_node_values(k->h, k->node)) == NULL) {
		if (damage_values(w->fd, k->node, &d))
			return damage_err(e, w->where, k->path, &d);
		return damage_hivex_err(e, errno, w->where, "the values",
		    k->path);
	}
	for (i = 0; rc == 0 && values[i] != 0; i++)
		if (hivex_value_type(k->h, values[i], &t, &len) == -1)
			rc = damage_values(w->fd, k->node, &d) ?
			    damage_err(e, w->where, k->path, &d) :
			    damage_hivex_err(e, errno, w->where, "a value",
			    k->path);
	free(values);
	return rc;
}

int
hive_walk_all(hive_h *h, int fd, enum hp_hive_kind kind, const char *where,
	      struct hp_err *e)
{
	const struct walk_all w = { where, fd };

	return hive_walk(h, fd, hivex_root(h), hive_kind_root(kind), where,
	    read_values, (void *)&w, e);
}
