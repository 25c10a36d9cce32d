/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Trees a hostile hive may shape, walked with a bounded cost: a key
 * inside itself, a key listed under two parents, keys nested past
 * Windows' 512 levels, and a value claiming more data than the hive
 * holds.  export (which walks a whole subtree) and, for the trees, apply
 * (whose check after the commit walks the whole hive) refuse them as
 * damage, exit 4, naming the hive, the key and its cell, every file
 * byte-identical after and the memory of every run bounded.  Each hive is built here: keys added by hivex
 * into mkhive's software64-net48, then the bytes hivex cannot write
 * changed in place (a node or value handle is its cell's offset). */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <check.h>
#include <hivex.h>

#include "testutil.h"

/* Offsets in an nk cell, from its start (the cell's size field). */
#define NK_SUBKEY_COUNT 24
#define NK_SUBKEY_LIST 32
/* In a vk cell. */
#define VK_DATA_LEN 8
#define VK_DATA_OFF 12
/* A big-data (db) record: its segment count. */
#define DB_SEGMENTS 6

#ifdef __SANITIZE_ADDRESS__
#define PEAK_RSS_KIB (512 * 1024)
#else
#define PEAK_RSS_KIB (64 * 1024)
#endif

static uint32_t
get32(const char *path, uint64_t off)
{
	unsigned char b[4];
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, b, 4, (off_t)off), 4);
	close(fd);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

static void
put32(const char *path, uint64_t off, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8),
	    (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
	int fd = open(path, O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, b, 4, (off_t)off), 4);
	close(fd);
}

static void
put16(const char *path, uint64_t off, uint16_t v)
{
	unsigned char b[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
	int fd = open(path, O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, b, 2, (off_t)off), 2);
	close(fd);
}

/* tu_scratch/img/SOFTWARE: software64-net48, opened by hivex to add
 * keys (the caller's, between begin and end). */
static hive_h *
begin(char **hive)
{
	hive_h *h;

	*hive = tu_pathf("%s/img/SOFTWARE", tu_scratch);
	tu_mkdir_p(tu_pathf("%s/img", tu_scratch));
	tu_mkhive("software64-net48", *hive, 0);
	h = hivex_open(*hive, HIVEX_OPEN_WRITE);
	ck_assert_ptr_nonnull(h);
	return h;
}

static void
end(hive_h *h, const char *hive)
{
	ck_assert_int_eq(hivex_commit(h, hive, 0), 0);
	ck_assert_int_eq(hivex_close(h), 0);
}

static hive_node_h
add(hive_h *h, hive_node_h parent, const char *name)
{
	hive_node_h n = hivex_node_add_child(h, parent, name);

	ck_assert_msg(n != 0, "add %s", name);
	return n;
}

/* export of `key` and apply both refuse the hive as damaged, saying
 * `said`; every file as it was; the memory of every run bounded. */
static void
assert_damaged(const char *hive, const char *key, const char *said)
{
	struct tu_hive_files before;
	struct tu_result r;
	struct rusage ru;

	tu_hive_files_take(&before, hive);
	tu_hp(&r, "export", hive, key, NULL);
	ck_assert_msg(r.status == 4, "export: exit %d\n%s", r.status, r.err);
	ck_assert_int_eq((int)r.out_len, 0);
	ASSERT_ERR(&r, tu_pathf("hivepatch: %s: damaged hive: ", hive));
	ASSERT_ERR(&r, said);
	ASSERT_ERR(&r, ", its cell at file offset 0x");
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);

	/* The profile's keys are found; the check after the commit walks
	 * the whole new hive, and refuses it before it is in place. */
	tu_hp(&r, "apply", "--backup-dir", tu_bk, hive, NULL);
	ck_assert_msg(r.status == 4, "apply: exit %d\n%s%s", r.status, r.out,
	    r.err);
	ASSERT_ERR(&r, tu_pathf("%s: damaged hive: ", hive));
	ASSERT_ERR(&r, said);
	ck_assert_msg(strstr(r.err, "hivepatch-") == NULL, "blames a temporary "
	    "file: %s", r.err);
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);

	ck_assert_int_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
	ck_assert_msg(ru.ru_maxrss < PEAK_RSS_KIB, "peak RSS %ld KiB",
	    ru.ru_maxrss);
}

/* Loop\B's subkey list is Loop's own, which lists B: B inside itself. */
START_TEST(test_a_key_inside_itself_is_damage)
{
	char *hive;
	hive_h *h = begin(&hive);
	hive_node_h loop = add(h, hivex_root(h), "Loop");
	hive_node_h b = add(h, loop, "B");

	add(h, b, "C");
	end(h, hive);
	put32(hive, (uint64_t)b + NK_SUBKEY_LIST,
	    get32(hive, (uint64_t)loop + NK_SUBKEY_LIST));
	assert_damaged(hive, "HKLM\\SOFTWARE\\Loop", "a key listed twice, or "
	    "inside itself (key 'HKLM\\SOFTWARE\\Loop\\B\\B'");
}
END_TEST

/* Two\B2's subkey list is Two\B1's: X is listed under both.  Walked
 * naively, 30 levels of such keys would cost 2^30 visits. */
START_TEST(test_a_key_under_two_parents_is_damage)
{
	char *hive;
	hive_h *h = begin(&hive);
	hive_node_h two = add(h, hivex_root(h), "Two");
	hive_node_h b1 = add(h, two, "B1"), b2 = add(h, two, "B2");

	add(h, b1, "X");
	add(h, b2, "Y");
	end(h, hive);
	put32(hive, (uint64_t)b2 + NK_SUBKEY_LIST,
	    get32(hive, (uint64_t)b1 + NK_SUBKEY_LIST));
	assert_damaged(hive, "HKLM\\SOFTWARE\\Two", "a key listed twice, or "
	    "inside itself (key 'HKLM\\SOFTWARE\\Two\\B2\\X'");
}
END_TEST

/* 600 levels below Deep: past the 512 Windows allows.  510 levels are
 * exported whole. */
START_TEST(test_keys_nested_past_512_levels_are_damage)
{
	char *hive;
	hive_h *h = begin(&hive);
	hive_node_h deep = add(h, hivex_root(h), "Deep");
	hive_node_h fine = add(h, hivex_root(h), "Fine"), n;
	struct tu_result r;
	int i;

	for (n = deep, i = 0; i < 600; i++)
		n = add(h, n, "k");
	for (n = fine, i = 0; i < 510; i++)
		n = add(h, n, "k");
	end(h, hive);
	tu_hp(&r, "export", hive, "HKLM\\SOFTWARE\\Fine", NULL);
	ck_assert_msg(r.status == 0, "export: exit %d\n%s", r.status, r.err);
	ck_assert_int_eq(tu_count_lines(r.out, "[HKEY_LOCAL_MACHINE\\SOFTWARE"
	    "\\Fine"), 511);
	tu_result_free(&r);
	assert_damaged(hive, "HKLM\\SOFTWARE\\Deep", "keys nested more than "
	    "512 levels deep (key 'HKLM\\SOFTWARE\\Deep\\k\\k");
}
END_TEST

/* A 20,000-byte value (a big-data record of two segments) made to
 * claim 400 segments, 6.5 MB: more data than the whole hive holds, as
 * when the record lists one segment again and again (16 KiB of cells
 * would expand to 20 MB of export).  apply, which reads no value data
 * but its own, writes such a hive; export refuses it. */
START_TEST(test_a_value_claiming_more_than_the_hive_is_damage)
{
	static unsigned char data[20000];
	hive_set_value v = { "Big", hive_t_REG_BINARY, sizeof(data),
	    (char *)data };
	struct tu_hive_files before;
	struct tu_result r;
	char *hive;
	hive_h *h = begin(&hive);
	hive_node_h key = add(h, hivex_root(h), "Shared");
	hive_value_h big;
	uint32_t db;

	ck_assert_int_eq(hivex_node_set_values(h, key, 1, &v, 0), 0);
	big = hivex_node_get_value(h, key, "Big");
	ck_assert(big != 0);
	end(h, hive);
	db = 4096 + get32(hive, (uint64_t)big + VK_DATA_OFF);
	put16(hive, db + DB_SEGMENTS, 400);
	put32(hive, (uint64_t)big + VK_DATA_LEN, 16344u * 400);
	tu_hive_files_take(&before, hive);
	tu_hp(&r, "export", hive, "HKLM\\SOFTWARE", NULL);
	ck_assert_msg(r.status == 4, "export: exit %d\n%s", r.status, r.err);
	ck_assert_int_eq((int)r.out_len, 0);
	ASSERT_ERR(&r, tu_pathf("hivepatch: %s: damaged hive: value 'Big' "
	    "claims 6537600 bytes of data, more than the hive's ", hive));
	ASSERT_ERR(&r, "bytes of hive bins (key 'HKLM\\SOFTWARE\\Shared', "
	    "its cell at file offset 0x");
	tu_result_free(&r);
	tu_assert_hive_files_unchanged(&before);
}
END_TEST

static Suite *
walk_suite(void)
{
	Suite *s = suite_create("walk");
	TCase *tc = tu_tcase(s, "hostile trees");

	tcase_add_test(tc, test_a_key_inside_itself_is_damage);
	tcase_add_test(tc, test_a_key_under_two_parents_is_damage);
	tcase_add_test(tc, test_keys_nested_past_512_levels_are_damage);
	tcase_add_test(tc, test_a_value_claiming_more_than_the_hive_is_damage);
	return s;
}

int
main(void)
{
	return tu_run_suite(walk_suite(), "test_walk");
}
