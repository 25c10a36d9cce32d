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
		    "%s: unsupported hive format version %u.%u", path,
		    hdr->major, hdr->minor);
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

static void
diagnose_bins(const char *path, char *why, size_t len)
{
	unsigned char bb[REGF_BASE_BLOCK], hb[REGF_HBIN_HEADER];
	uint64_t off, end, size;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	why[0] = '\0';
	if (fd == -1 || fstat(fd, &st) == -1 ||
	    pread(fd, bb, sizeof(bb), 0) != (ssize_t)sizeof(bb))
		goto out;
	if (memcmp(bb, "regf", 4) != 0) {
		snprintf(why, len, "not a registry hive (no 'regf' signature)");
		goto out;
	}
	end = REGF_BASE_BLOCK + (uint64_t)le32(bb + REGF_BB_BINS_SIZE);
	for (off = REGF_BASE_BLOCK; off < end; off += size) {
		if (off + sizeof(hb) > (uint64_t)st.st_size ||
		    pread(fd, hb, sizeof(hb), (off_t)off) != (ssize_t)sizeof(hb) ||
		    memcmp(hb, "hbin", 4) != 0) {
			snprintf(why, len, "no hive bin at offset 0x%llx, inside "
			    "the %llu bytes of hive bins its base block claims",
			    (unsigned long long)off,
			    (unsigned long long)(end - REGF_BASE_BLOCK));
			goto out;
		}
		size = le32(hb + REGF_HBIN_SIZE);
		if (size == 0 || size % REGF_PAGE != 0 || off + size > end ||
		    le32(hb + REGF_HBIN_OFFSET) != off - REGF_BASE_BLOCK) {
			snprintf(why, len, "the hive bin at offset 0x%llx gives "
			    "itself size %llu at 0x%x", (unsigned long long)off,
			    (unsigned long long)size,
			    (unsigned)le32(hb + REGF_HBIN_OFFSET));
			goto out;
		}
	}
out:
	if (fd != -1)
		close(fd);
}

void
hive_why_unopenable(const char *path, int err, char *why, size_t len)
{
	diagnose_bins(path, why, len);
	if (why[0] == '\0')
		snprintf(why, len, "hivex cannot open it, its hive bins whole "
		    "(a damaged cell?): %s", err ? strerror(err) :
		    "unknown error");
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
	return HP_HIVE_UNKNOWN;
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

/* Reads a key's value headers (the walk itself read its subkey list). */
static int
read_values(void *arg, const struct walk_key *k, struct hp_err *e)
{
	const char *where = arg;
	hive_value_h *values;
	hive_type t;
	size_t i, len;
	int rc = 0;

	errno = 0;
	if ((values = hivex_node_values(k->h, k->node)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && values[i] != 0; i++)
		if (hivex_value_type(k->h, values[i], &t, &len) == -1)
			rc = -1;
	free(values);
	if (rc == -1)
		hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive: a value list or "
		    "value that cannot be read (key '%s', cell 0x%llx)", where,
		    k->path, (unsigned long long)k->node);
	return rc;
}

int
hive_walk_all(hive_h *h, enum hp_hive_kind kind, const char *where,
	      struct hp_err *e)
{
	char root[64];

	snprintf(root, sizeof(root), "HKEY_LOCAL_MACHINE\\%s",
	    kind == HP_HIVE_UNKNOWN ? "(root)" : hp_hive_kind_name(kind));
	return hive_walk(h, hivex_root(h), root, where, read_values,
	    (void *)where, e);
}
