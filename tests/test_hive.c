/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests of lib/hive.c: the base block header (hive_read_header_fd),
 * hive_open, telling the kinds of hive apart (hive_classify, from the
 * header's file name and the root keys), and finding keys by path
 * (hive_find_key).
 *
 * Fixture hives as coreutil.h describes; the header tests edit the base
 * block of a scratch copy in place, with its checksum kept valid or not,
 * as each test needs. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <hivex.h>

#include "commit.h"
#include "coreutil.h"
#include "error.h"
#include "hive.h"
#include "regf.h"

/* ---- base block surgery ---- */

static void
read_bb(const char *path, unsigned char bb[512])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd != -1, "open %s", path);
	ck_assert_int_eq(pread(fd, bb, 512, 0), 512);
	close(fd);
}

static void
write_bb(const char *path, const unsigned char bb[512])
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	ck_assert_msg(fd != -1, "open %s", path);
	ck_assert_int_eq(pwrite(fd, bb, 512, 0), 512);
	close(fd);
}

/* XOR of the first 127 dwords, with the format's two special cases. */
static uint32_t
bb_checksum(const unsigned char bb[512])
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < 508; i += 4)
		sum ^= le32(bb + i);
	if (sum == 0xffffffffu)
		sum = 0xfffffffeu;
	else if (sum == 0)
		sum = 1;
	return sum;
}

/* Sets a dword of the base block; with fix, keeps the checksum valid. */
static void
patch32(const char *path, size_t off, uint32_t v, int fix)
{
	unsigned char bb[512];

	read_bb(path, bb);
	put_le32(bb + off, v);
	if (fix)
		put_le32(bb + 508, bb_checksum(bb));
	write_bb(path, bb);
}

static uint32_t
peek32(const char *path, size_t off)
{
	unsigned char bb[512];

	read_bb(path, bb);
	return le32(bb + off);
}

/* Writes an ASCII name into the file name field (UTF-16LE, 64 bytes). */
static void
patch_name(const char *path, const char *name)
{
	unsigned char bb[512];
	size_t i;

	ck_assert_uint_lt(strlen(name), 32);
	read_bb(path, bb);
	memset(bb + 48, 0, 64);
	for (i = 0; name[i] != '\0'; i++)
		bb[48 + 2 * i] = (unsigned char)name[i];
	put_le32(bb + 508, bb_checksum(bb));
	write_bb(path, bb);
}

/* ================= hive_read_header_fd ================= */

/* The header of the file at path, opened as a store opens a hive: never
 * through a link, and only if it is a regular file. */
static int
read_header(const char *path, struct hive_header *hdr, struct hp_err *e)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct dir_ref ref = { -1, dir };
	struct stat st;
	int fd, rc;

	ck_assert(slash != NULL);
	cu_fmt(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	ref.fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_msg(ref.fd >= 0, "%s: %s", dir, strerror(errno));
	fd = open_regular_at(&ref, slash + 1, e);
	close(ref.fd);
	if (fd == -1)
		return -1;
	ck_assert(fstat(fd, &st) == 0);
	rc = hive_read_header_fd(fd, (uint64_t)st.st_size, path, hdr, e);
	close(fd);
	return rc;
}

START_TEST(test_header_good)
{
	char path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };
	size_t n;

	cu_fixture("software64-net48", path, sizeof(path));
	ck_assert_ok(read_header(path, &hdr, &e), e);
	ck_assert_uint_eq(hdr.seq_primary, hdr.seq_secondary);
	ck_assert_int_eq(hdr.dirty, 0);
	ck_assert_uint_eq(hdr.major, 1);
	ck_assert_uint_eq(hdr.minor, 5);
	n = strlen(hdr.name);
	ck_assert_msg(n >= 8 && strcmp(hdr.name + n - 8, "SOFTWARE") == 0,
	    "name '%s' does not end in SOFTWARE", hdr.name);
	ck_assert_str_eq(hdr.name, "emRoot\\System32\\Config\\SOFTWARE");
	ck_assert_uint_eq(hdr.file_size, (uint64_t)cu_file_size(path));
	ck_assert_uint_gt(hdr.bins_size, 0);
	ck_assert_uint_eq(hdr.bins_size % 4096, 0);
	ck_assert_uint_le((uint64_t)hdr.bins_size + 4096, hdr.file_size);
	ck_assert_uint_eq(hdr.bins_size, peek32(path, 40));
}
END_TEST

START_TEST(test_header_short)
{
	char src[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };
	unsigned char *buf;
	size_t len;

	cu_fixture("software64-net48", src, sizeof(src));
	cu_scratch_new(dir, sizeof(dir));
	cu_fmt(path, sizeof(path), "%s/short", dir);
	buf = cu_read_file(src, &len);
	cu_write_file(path, buf, 4095);
	free(buf);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "truncated inside the base block");
	ck_assert_has(e.msg, "4095");

	cu_write_text(path, "regf");
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "truncated inside the base block");
}
END_TEST

START_TEST(test_header_no_signature)
{
	char path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };

	cu_fixture_copy("software64-net48", path, sizeof(path));
	patch32(path, 0, 0x78676572u /* "regx" */, 1);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "not a registry hive");
	ck_assert_has(e.msg, "'regf' signature");
}
END_TEST

START_TEST(test_header_bad_checksum)
{
	char path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };
	unsigned char bb[512];

	cu_fixture_copy("software64-net48", path, sizeof(path));
	read_bb(path, bb);
	bb[48 + 10] ^= 0x01;	/* one letter of the file name field */
	write_bb(path, bb);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "checksum mismatch");
}
END_TEST

/* Where the XOR of the 127 dwords is 0 the stored checksum is 1, and
 * where it is 0xffffffff, 0xfffffffe.  A reserved dword (offset 200)
 * steers the XOR. */
START_TEST(test_header_checksum_special)
{
	static const uint32_t xors[] = { 0, 0xffffffffu };
	static const uint32_t stored[] = { 1, 0xfffffffeu };
	char path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };
	unsigned char bb[512];
	uint32_t rest;
	size_t i, k;

	cu_fixture_copy("software64-net48", path, sizeof(path));
	for (k = 0; k < NELEM(xors); k++) {
		read_bb(path, bb);
		put_le32(bb + 200, 0);
		for (rest = 0, i = 0; i < 508; i += 4)
			rest ^= le32(bb + i);
		put_le32(bb + 200, rest ^ xors[k]);
		put_le32(bb + 508, stored[k]);
		write_bb(path, bb);
		ck_assert_msg(read_header(path, &hdr, &e) == 0,
		    "XOR %#x with checksum %#x refused: %s", xors[k],
		    stored[k], e.msg);
		/* The raw XOR is not a valid checksum then. */
		put_le32(bb + 508, xors[k]);
		write_bb(path, bb);
		ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR,
		    "checksum mismatch");
	}
}
END_TEST

START_TEST(test_header_bins_not_multiple)
{
	char path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };
	char want[64];
	uint32_t bins;

	cu_fixture_copy("software64-net48", path, sizeof(path));
	bins = peek32(path, 40);
	ck_assert_uint_ge(bins, 3 * 4096);
	/* A multiple of 2048 (and of 512), not of 4096. */
	patch32(path, 40, bins - 2048, 1);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "not a multiple of 4096");
	cu_fmt(want, sizeof(want), "size %u is", bins - 2048);
	ck_assert_has(e.msg, want);
	patch32(path, 40, bins - 100, 1);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	cu_fmt(want, sizeof(want), "size %u is", bins - 100);
	ck_assert_has(e.msg, want);

	patch32(path, 40, 0, 1);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "hive bins size 0");
}
END_TEST

START_TEST(test_header_truncated)
{
	char path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };
	char want[128];
	off_t size;

	cu_fixture_copy("software64-net48", path, sizeof(path));
	size = cu_file_size(path);
	ck_assert_int_ge(size, 3 * 4096);
	ck_assert_int_eq(truncate(path, size - 4096), 0);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "truncated");
	cu_fmt(want, sizeof(want), "header says %lld bytes, file has %lld",
	    (long long)size, (long long)(size - 4096));
	ck_assert_has(e.msg, want);

	/* The same through the header: bins larger than the file. */
	cu_fixture_copy("software64-net48", path, sizeof(path));
	patch32(path, 40, (uint32_t)size, 1);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "truncated");
}
END_TEST

START_TEST(test_header_empty)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };

	cu_scratch_new(dir, sizeof(dir));
	cu_fmt(path, sizeof(path), "%s/empty", dir);
	cu_write_file(path, "", 0);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "not a registry hive");
}
END_TEST

START_TEST(test_header_not_a_file)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };

	cu_scratch_new(dir, sizeof(dir));
	ck_assert_err(read_header(dir, &hdr, &e), e, HP_REFUSED, dir);
	ck_assert_has(e.msg, "not a regular file");

	cu_fmt(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	e.status = HP_OK;
	ck_assert_err(read_header(path, &hdr, &e), e, HP_REFUSED, path);
	ck_assert_has(e.msg, "not a regular file");

	cu_fmt(path, sizeof(path), "%s/missing", dir);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "cannot open");
	ck_assert_has(e.msg, strerror(ENOENT));
}
END_TEST

START_TEST(test_header_too_large)
{
	char path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };

	cu_fixture_copy("software64-net48", path, sizeof(path));
	/* Sparse: nothing is written past the hive. */
	ck_assert_int_eq(truncate(path, (off_t)HP_HIVE_LIMIT_MAX + 1), 0);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "larger than a registry hive can be");
	ck_assert_int_eq(truncate(path, (off_t)HP_HIVE_LIMIT_MAX), 0);
	ck_assert_ok(read_header(path, &hdr, &e), e);
}
END_TEST

START_TEST(test_header_version)
{
	char path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };

	cu_fixture_copy("software64-net48", path, sizeof(path));
	patch32(path, 20, 2, 1);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "damaged hive: its base block gives format version 2.5");
}
END_TEST

START_TEST(test_header_dirty)
{
	char path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };
	uint32_t primary;

	cu_fixture_copy("software64-net48", path, sizeof(path));
	primary = peek32(path, 4);
	patch32(path, 8, primary + 1, 1);
	ck_assert_ok(read_header(path, &hdr, &e), e);
	ck_assert_int_eq(hdr.dirty, 1);
	ck_assert_uint_eq(hdr.seq_primary, primary);
	ck_assert_uint_eq(hdr.seq_secondary, primary + 1);

	/* A dirty hive's checksum may be stale (Windows reads the log). */
	patch32(path, 508, peek32(path, 508) ^ 0x100u, 0);
	ck_assert_ok(read_header(path, &hdr, &e), e);
	ck_assert_int_eq(hdr.dirty, 1);

	/* Back to equal numbers with the stale checksum: damaged. */
	patch32(path, 8, primary, 0);
	ck_assert_err(read_header(path, &hdr, &e), e, HP_IOERR, path);
	ck_assert_has(e.msg, "checksum");
}
END_TEST

START_TEST(test_hive_open_garbage)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hp_err e = { 0 };
	unsigned char junk[8192];
	hive_h *h;

	cu_scratch_new(dir, sizeof(dir));
	cu_fmt(path, sizeof(path), "%s/junk", dir);
	memset(junk, 0x5a, sizeof(junk));
	cu_write_file(path, junk, sizeof(junk));
	h = hive_open(path, 0, path, &e);
	ck_assert_ptr_null(h);
	ck_assert_int_eq(e.status, HP_IOERR);
	ck_assert_has(e.msg, path);
	ck_assert_has(e.msg, "not a registry hive (no 'regf' signature)");

	cu_fixture("software64-net48", path, sizeof(path));
	h = hive_open(path, 0, path, &e);
	ck_assert_msg(h != NULL, "hive_open: %s", e.msg);
	ck_assert_int_eq(hive_walk_all(h, -1, HP_HIVE_SOFTWARE, "hive", &e), 0);
	cu_close_hive(h);
}
END_TEST

/* ================= hive_classify ================= */

static unsigned classify_how;	/* of the last classify() */

static enum hp_hive_kind
classify(hive_h *h, const struct hive_header *hdr, char *why, size_t size)
{
	return hive_classify(h, hdr, why, size, &classify_how);
}

static const struct classify_case {
	const char *kind;
	enum hp_hive_kind want;
	const char *name;	/* what the why must quote */
} classify_cases[] = {
	{ "software64-net48", HP_HIVE_SOFTWARE, "'SOFTWARE'" },
	{ "software64-net40", HP_HIVE_SOFTWARE, "'SOFTWARE'" },
	{ "software64-nonet", HP_HIVE_SOFTWARE, "'SOFTWARE'" },
	{ "software32-net48", HP_HIVE_SOFTWARE, "'SOFTWARE'" },
	{ "software64-compliant", HP_HIVE_SOFTWARE, "'SOFTWARE'" },
	{ "software64-half", HP_HIVE_SOFTWARE, "'SOFTWARE'" },
	{ "software64-noparents", HP_HIVE_SOFTWARE, "'SOFTWARE'" },
	{ "software7-64", HP_HIVE_SOFTWARE, "'SOFTWARE'" },
	{ "system", HP_HIVE_SYSTEM, "'SYSTEM'" },
	{ "ntuser", HP_HIVE_NTUSER, "'ntuser.dat'" },
	{ "usrclass", HP_HIVE_USRCLASS, "'UsrClass.dat'" },
};

START_TEST(test_classify_kind)
{
	const struct classify_case *c = &classify_cases[_i];
	char path[PATH_MAX], why[256] = "";
	struct hive_header hdr;
	struct hp_err e = { 0 };
	hive_h *h;

	cu_fixture(c->kind, path, sizeof(path));
	ck_assert_ok(read_header(path, &hdr, &e), e);
	h = hive_open(path, 0, path, &e);
	ck_assert_msg(h != NULL, "hive_open: %s", e.msg);
	ck_assert_int_eq(classify(h, &hdr, why, sizeof(why)), c->want);
	ck_assert_has(why, "header names it");
	ck_assert_has(why, c->name);
	cu_close_hive(h);
}
END_TEST

/* hive_classify of a copy of the fixture `kind` whose header names
 * `name` (read back as such); why gets its reasons. */
static enum hp_hive_kind
classify_renamed(const char *kind, const char *name, char *why, size_t size)
{
	char path[PATH_MAX];
	struct hive_header hdr;
	struct hp_err e = { 0 };
	enum hp_hive_kind got;
	hive_h *h;

	cu_fixture_copy(kind, path, sizeof(path));
	patch_name(path, name);
	ck_assert_ok(read_header(path, &hdr, &e), e);
	ck_assert_str_eq(hdr.name, name);
	h = hive_open(path, 0, path, &e);
	ck_assert_msg(h != NULL, "hive_open: %s", e.msg);
	got = classify(h, &hdr, why, size);
	cu_close_hive(h);
	return got;
}

/* The root keys decide; a header naming another hive is a hint only,
 * and said. */
START_TEST(test_classify_name_layout_mismatch)
{
	char why[256] = "";

	ck_assert_int_eq(classify_renamed("software64-net48",
	    "emRoot\\System32\\Config\\SYSTEM", why, sizeof(why)),
	    HP_HIVE_SOFTWARE);
	ck_assert_uint_eq(classify_how, HIVE_KIND_BY_CONTENT |
	    HIVE_KIND_NAME_DIFFERS);
	ck_assert_str_eq(why, "its root keys make it a SOFTWARE hive; its "
	    "header names it 'SYSTEM', a hint only");
	ck_assert_int_eq(classify_renamed("software64-net48", "DEFAULT", why,
	    sizeof(why)), HP_HIVE_SOFTWARE);
	ck_assert_uint_eq(classify_how, HIVE_KIND_BY_CONTENT |
	    HIVE_KIND_NAME_DIFFERS);
}
END_TEST

/* Without a name in the header, the root keys decide. */
START_TEST(test_classify_by_layout)
{
	char path[PATH_MAX], why[256] = "";
	struct hive_header hdr;
	struct hp_err e = { 0 };
	hive_h *h;

	ck_assert_int_eq(classify_renamed("software64-net48", "", why,
	    sizeof(why)), HP_HIVE_SOFTWARE);
	ck_assert_has(why, "root keys look like a SOFTWARE hive");

	/* A name that says nothing, on a layout that says nothing either. */
	cu_fixture_copy("system", path, sizeof(path));
	patch_name(path, "\\??\\C:\\somewhere\\hive.dat");
	ck_assert_ok(read_header(path, &hdr, &e), e);
	h = hive_open(path, HIVEX_OPEN_WRITE, path, &e);
	ck_assert_msg(h != NULL, "hive_open: %s", e.msg);
	ck_assert_int_eq(hivex_node_delete_child(h, cu_must_find(h, "Select")),
	    0);
	ck_assert_int_eq(classify(h, &hdr, why, sizeof(why)),
	    HP_HIVE_UNKNOWN);
	ck_assert_has(why, "'hive.dat'");
	cu_close_hive(h);
}
END_TEST

/* DEFAULT shares the user hive layout; its header name tells it apart. */
START_TEST(test_classify_default)
{
	char why[256] = "";

	ck_assert_int_eq(classify_renamed("ntuser",
	    "emRoot\\System32\\Config\\DEFAULT", why, sizeof(why)),
	    HP_HIVE_DEFAULT);
	ck_assert_has(why, "'DEFAULT'");
}
END_TEST

/* A user's classes are told by their Local Settings key, whatever the
 * header says (reg save writes the save path). */
START_TEST(test_classify_usrclass_by_content)
{
	char why[256] = "";

	ck_assert_int_eq(classify_renamed("usrclass", "\\??\\C:\\saved.hiv",
	    why, sizeof(why)), HP_HIVE_USRCLASS);
	ck_assert_has(why, "its root keys make it a UsrClass.dat hive");
	ck_assert_has(why, "'saved.hiv', a hint only");
}
END_TEST

/* Replaces the root's children by `names` (in memory only). */
static void
set_root_children(hive_h *h, const char *const *names, size_t n)
{
	hive_node_h root = hivex_root(h), *children;
	size_t i;

	children = hivex_node_children(h, root);
	ck_assert_ptr_nonnull(children);
	for (i = 0; children[i] != 0; i++)
		ck_assert_int_eq(hivex_node_delete_child(h, children[i]), 0);
	free(children);
	for (i = 0; i < n; i++)
		ck_assert_uint_ne(hivex_node_add_child(h, root, names[i]), 0);
}

/* The other hives of a config directory, as Windows lays them out:
 * SECURITY's root holds Cache, Policy, RXACT and a SAM key (the link
 * HKLM\SAM\SAM points at), SAM's root holds only SAM. */
START_TEST(test_classify_security_sam)
{
	static const char *const security[] = { "Cache", "Policy", "RXACT",
	    "SAM" };
	static const char *const sam[] = { "SAM" };
	struct hive_header hdr;
	char why[256] = "";
	hive_h *h;

	h = cu_open_hive("system");
	memset(&hdr, 0, sizeof(hdr));
	set_root_children(h, sam, NELEM(sam));
	snprintf(hdr.name, sizeof(hdr.name), "\\SystemRoot\\System32\\Config\\SAM");
	ck_assert_int_eq(classify(h, &hdr, why, sizeof(why)), HP_HIVE_SAM);
	ck_assert_has(why, "'SAM'");

	set_root_children(h, security, NELEM(security));
	snprintf(hdr.name, sizeof(hdr.name), "emRoot\\System32\\Config\\SECURITY");
	ck_assert_msg(classify(h, &hdr, why, sizeof(why)) ==
	    HP_HIVE_SECURITY, "a SECURITY hive classified as %s: %s",
	    hp_hive_kind_name(classify(h, &hdr, why, sizeof(why))), why);
	ck_assert_has(why, "'SECURITY'");
	cu_close_hive(h);
}
END_TEST

START_TEST(test_kind_names)
{
	ck_assert_str_eq(hp_hive_kind_name(HP_HIVE_SOFTWARE), "SOFTWARE");
	ck_assert_str_eq(hp_hive_kind_name(HP_HIVE_SYSTEM), "SYSTEM");
	ck_assert_str_eq(hp_hive_kind_name(HP_HIVE_NTUSER), "NTUSER.DAT");
	ck_assert_str_eq(hp_hive_kind_name(HP_HIVE_USRCLASS), "UsrClass.dat");
	ck_assert_str_eq(hp_hive_kind_name(HP_HIVE_UNKNOWN), "unknown");
}
END_TEST

/* ================= hive_find_key ================= */

START_TEST(test_find_key)
{
	hive_h *h = cu_open_hive("software64-net48");
	hive_node_h cv, n;

	cv = cu_must_find(h, "Microsoft\\Windows NT\\CurrentVersion");
	errno = 0;
	n = hive_find_key(h, "MICROSOFT\\windows nt\\currentVERSION");
	ck_assert_uint_eq(n, cv);
	ck_assert_uint_eq(hive_find_key(h, "Microsoft\\\\Windows NT\\\\\\CurrentVersion"), cv);
	ck_assert_uint_eq(hive_find_key(h, "\\Microsoft\\Windows NT\\CurrentVersion\\"), cv);
	ck_assert_uint_eq(hive_find_key(h, ""), hivex_root(h));
	ck_assert_uint_eq(hive_find_key(h, "\\"), hivex_root(h));

	errno = EINVAL;
	ck_assert_uint_eq(hive_find_key(h, "Microsoft\\Nope\\CurrentVersion"), 0);
	ck_assert_int_eq(errno, 0);
	errno = EINVAL;
	ck_assert_uint_eq(hive_find_key(h, "Microsoft\\Windows NT\\CurrentVersion\\Nope"), 0);
	ck_assert_int_eq(errno, 0);
	/* A component is a whole name, not a prefix. */
	ck_assert_uint_eq(hive_find_key(h, "Micro"), 0);
	ck_assert_uint_eq(hive_find_key(h, "Microsoft\\Windows NT\\CurrentVersio"), 0);
	cu_close_hive(h);
}
END_TEST

START_TEST(test_find_key_long_utf8_name)
{
	hive_h *h = cu_open_hive("software64-net48");
	char path[512];
	hive_node_h child = cu_add_long_utf8_key(h, path, sizeof(path));

	ck_assert_msg(hive_find_key(h, path) == child,
	    "hive_find_key misses a key whose name is 200 characters "
	    "(400 bytes of UTF-8)");
	cu_close_hive(h);
}
END_TEST

/* ================= suite ================= */

static Suite *
hive_suite(void)
{
	Suite *s = suite_create("hive");
	TCase *tc;

	tc = tcase_create("header");
	tcase_add_test(tc, test_header_good);
	tcase_add_test(tc, test_header_short);
	tcase_add_test(tc, test_header_no_signature);
	tcase_add_test(tc, test_header_bad_checksum);
	tcase_add_test(tc, test_header_checksum_special);
	tcase_add_test(tc, test_header_bins_not_multiple);
	tcase_add_test(tc, test_header_truncated);
	tcase_add_test(tc, test_header_empty);
	tcase_add_test(tc, test_header_not_a_file);
	tcase_add_test(tc, test_header_too_large);
	tcase_add_test(tc, test_header_version);
	tcase_add_test(tc, test_header_dirty);
	tcase_add_test(tc, test_hive_open_garbage);
	suite_add_tcase(s, tc);

	tc = tcase_create("classify");
	tcase_add_loop_test(tc, test_classify_kind, 0,
	    (int)NELEM(classify_cases));
	tcase_add_test(tc, test_classify_name_layout_mismatch);
	tcase_add_test(tc, test_classify_by_layout);
	tcase_add_test(tc, test_classify_default);
	tcase_add_test(tc, test_classify_usrclass_by_content);
	tcase_add_test(tc, test_classify_security_sam);
	tcase_add_test(tc, test_kind_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("find_key");
	tcase_add_test(tc, test_find_key);
	tcase_add_test(tc, test_find_key_long_utf8_name);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return cu_run_suite(hive_suite(), "test_hive");
}
