/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the transaction log replay (lib/logreplay.c).
 *
 * Fixtures: a clean hive from $MKHIVE (software64-net48), made dirty with
 * logs by $MKDIRTY (hives/mkdirty.c), which also writes the hive as it
 * must come out (OUT.expected, and OUT.expected.K after the first K of
 * its three log entries).  A replayed image is written to a file and
 * compared with the expected hive by walking both with hivex: every key
 * name, every value name, type and data; never by bytes.
 *
 * The dirty hives of the shared corpus are replayed, and compared with
 * the hives Windows recovered itself, in test_corpus.c.
 *
 * The inputs the fuzz target (fuzz_logreplay.c) once crashed on are
 * replayed by test_fuzz. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "error.h"
#include "logreplay.h"
#include "testutil.h"


/* The clean hive every fixture starts from, made once in the base
 * scratch directory (an unchecked fixture of the "fixtures" case). */
static char *clean_hive;

static void
make_clean_hive(void)
{
	clean_hive = tu_strf("%s/clean-SOFTWARE", tu_base_dir());
	tu_mkhive("software64-net48", clean_hive, 0);
}

static void
free_clean_hive(void)
{
	free(clean_hive);
	clean_hive = NULL;
}

/* DIR/NAME made dirty from the clean hive by mkdirty, with the options
 * that follow (NULL-terminated); returns the path (malloc'd). */
static char *
mkdirty(const char *dir, const char *mode, const char *name, ...)
	__attribute__((sentinel));

static char *
mkdirty(const char *dir, const char *mode, const char *name, ...)
{
	char *out = tu_strf("%s/%s", dir, name);
	va_list ap;

	va_start(ap, name);
	tu_mkdirty_va(mode, clean_hive, out, ap);
	va_end(ap);
	return out;
}

/* ---- replaying ---- */

/* The log replay of the files hive, logs... (NULL-terminated); on success the
 * image goes to hive + ".replayed" and its base block is checked. */
static void
replay(struct tu_replay *r, const char *hive, ...) __attribute__((sentinel));

static void
replay(struct tu_replay *r, const char *hive, ...)
{
	char *logs[8];
	size_t n = 0;
	const char *a;
	va_list ap;

	memset(r, 0, sizeof(*r));
	va_start(ap, hive);
	while ((a = va_arg(ap, const char *)) != NULL && n < 8)
		logs[n++] = (char *)a;
	va_end(ap);
	tu_replay_files(r, hive, logs, n);
	if (r->rc != 0) {
		ck_assert_msg(r->img == NULL, "an image on failure");
		return;
	}
	ck_assert(r->img != NULL && r->len >= 4096);
	if (r->rep.dirty) {
		ck_assert_msg(regf_checksum_ok(r->img), "bad checksum");
		ck_assert_uint_eq(le32(r->img + 4), le32(r->img + 8));
		ck_assert_uint_eq(le32(r->img + 4), r->rep.seq_after);
		ck_assert_uint_eq(le32(r->img + 28), 0);
		ck_assert_msg((uint64_t)r->len >= 4096ull + le32(r->img + 40),
		    "image shorter than its hive bins data");
	}
	r->out = tu_strf("%s.replayed", hive);
	tu_write_file(r->out, r->img, r->len);
}

#define ASSERT_OK(r) \
	ck_assert_msg((r)->rc == 0, "log_replay failed: %s", (r)->e.msg)

#define ASSERT_REFUSED(r) do {						\
	ck_assert_msg((r)->rc == -1, "log_replay succeeded, expected a "\
	    "refusal");							\
	ck_assert_msg((r)->e.status == HP_REFUSED, "status %d (%s), "	\
	    "expected HP_REFUSED", (int)(r)->e.status, (r)->e.msg);	\
} while (0)

/* A dirty fixture: DIR/NAME made by mkdirty (as mkdirty() above), the
 * names of its two logs (an old-format hive has no LOG2: the name is
 * there all the same, unused) and of the hive it must come out as. */
struct fx {
	char *out, *l1, *l2, *want;
};

static void
fx_make(struct fx *f, const char *dir, const char *mode, const char *name,
    ...) __attribute__((sentinel));

static void
fx_make(struct fx *f, const char *dir, const char *mode, const char *name,
    ...)
{
	va_list ap;

	f->out = tu_strf("%s/%s", dir, name);
	va_start(ap, name);
	tu_mkdirty_va(mode, clean_hive, f->out, ap);
	va_end(ap);
	f->l1 = tu_strf("%s.LOG1", f->out);
	f->l2 = tu_strf("%s.LOG2", f->out);
	f->want = tu_strf("%s.expected", f->out);
}

static void
fx_free(struct fx *f)
{
	free(f->out);
	free(f->l1);
	free(f->l2);
	free(f->want);
	memset(f, 0, sizeof(*f));
}

/* The replay succeeded but stopped early, after the first APPLIED
 * entries, with a stop reason holding LOG and WHY; the image is the hive
 * as it must be after those entries (OUT.expected.APPLIED). */
static void
assert_stopped(const struct tu_replay *r, const struct fx *f, unsigned applied,
    const char *log, const char *why)
{
	char *want = tu_strf("%s.expected.%u", f->out, applied);

	ASSERT_OK(r);
	ck_assert_int_eq(r->rep.stopped_early, 1);
	ck_assert_uint_eq(r->rep.entries_applied, applied);
	ASSERT_HAS(r->rep.stop_reason, "stop reason", log);
	ASSERT_HAS(r->rep.stop_reason, "stop reason", why);
	tu_assert_same_hive(r->out, want);
	free(want);
}

/* ---- the fixtures, replayed ---- */

START_TEST(test_new_format)
{
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "SOFTWARE", NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.dirty, 1);
	ck_assert_int_eq(r.rep.format, HP_LOG_NEW);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_uint_ge(r.rep.pages_applied, 3);
	ck_assert_uint_eq(r.rep.n_logs_used, 2);
	ck_assert_str_eq(r.rep.logs_used[0], f.l1);
	ck_assert_str_eq(r.rep.logs_used[1], f.l2);
	ck_assert_uint_eq(r.rep.seq_before_primary, 3);
	ck_assert_uint_eq(r.rep.seq_before_secondary, 2);
	ck_assert_uint_eq(r.rep.seq_after, 4);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	ck_assert_int_eq(r.rep.base_block_recovered, 0);
	/* The hive grew: the hive bins data size of the last entry. */
	{
		size_t wl;
		unsigned char *w = tu_read_file(f.want, &wl);

		ck_assert_uint_eq(le32(r.img + 40), le32(w + 40));
		ck_assert_uint_gt(le32(r.img + 40), 3 * 4096);
		free(w);
	}
	tu_assert_same_hive(r.out, f.want);
	/* And the stale primary alone is not that hive. */
	tu_assert_hives_differ(f.out, f.want);
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_new_format_log_order_given)
{
	/* The order the logs are given in does not matter. */
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "SOFTWARE", NULL);
	replay(&r, f.out, f.l2, f.l1, NULL);
	ASSERT_OK(&r);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_str_eq(r.rep.logs_used[0], f.l1);
	ck_assert_str_eq(r.rep.logs_used[1], f.l2);
	tu_assert_same_hive(r.out, f.want);
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_old_format)
{
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "old", "SOFTWARE", NULL);
	replay(&r, f.out, f.l1, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.dirty, 1);
	ck_assert_int_eq(r.rep.format, HP_LOG_OLD);
	ck_assert_uint_eq(r.rep.entries_applied, 0);
	ck_assert_uint_gt(r.rep.pages_applied, 0);
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_str_eq(r.rep.logs_used[0], f.l1);
	ck_assert_uint_eq(r.rep.seq_after, 3);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	tu_assert_same_hive(r.out, f.want);
	tu_assert_hives_differ(f.out, f.want);
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_clean_unchanged)
{
	char *dir = tu_scratch_new();
	char *orig;
	unsigned char *d;
	size_t len;
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "SOFTWARE", NULL);
	orig = tu_strf("%s.orig", f.out);
	/* A clean hive is used as it is, even beside logs holding later
	 * entries (Windows ignores them). */
	replay(&r, orig, f.l1, f.l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.dirty, 0);
	ck_assert_int_eq(r.rep.format, HP_LOG_NONE);
	ck_assert_uint_eq(r.rep.n_logs_used, 0);
	ck_assert_uint_eq(r.rep.entries_applied, 0);
	ck_assert_uint_eq(r.rep.seq_after, r.rep.seq_before_primary);
	d = tu_read_file(orig, &len);
	ck_assert_uint_eq(r.len, len);
	ck_assert(memcmp(r.img, d, len) == 0);
	free(d);
	tu_replay_free(&r);

	/* Without logs too. */
	replay(&r, orig, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.dirty, 0);
	tu_replay_free(&r);
	free(orig);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_truncated_new)
{
	char *dir = tu_scratch_new(), *good = mkdirty(dir, "new", "GOOD", NULL);
	char *gl1 = tu_strf("%s.LOG1", good);
	char *cut = tu_strf("%zu", tu_log_entry_offset(gl1, 2) + 1000);
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "CUT", "--truncate-log", cut, NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	assert_stopped(&r, &f, 1, "CUT.LOG1", "truncated");
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_uint_eq(r.rep.seq_after, 2);
	tu_replay_free(&r);
	fx_free(&f);

	/* Cut inside the first entry: nothing trustworthy is left. */
	fx_make(&f, dir, "new", "CUT0", "--truncate-log", "1000", NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "message", f.out);
	ASSERT_HAS(r.e.msg, "message", f.l1);
	ASSERT_HAS(r.e.msg, "message", "truncated");
	tu_replay_free(&r);
	fx_free(&f);
	free(cut);
	free(gl1);
	free(good);
	free(dir);
}
END_TEST

START_TEST(test_truncated_old)
{
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;
	size_t len;
	unsigned char *d;
	char *cut;

	/* The dirty vector is there, no page: refused. */
	fx_make(&f, dir, "old", "CUT", "--truncate-log", "1000", NULL);
	replay(&r, f.out, f.l1, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "message", f.l1);
	ASSERT_HAS(r.e.msg, "message", "truncated");
	tu_replay_free(&r);
	fx_free(&f);

	/* Cut before the pages of the last hive bins: the earlier bins are
	 * applied, and the stop reported. */
	fx_make(&f, dir, "old", "FULL", NULL);
	d = tu_read_file(f.l1, &len);
	free(d);
	cut = tu_strf("%zu", len - 4096 - 100);
	fx_free(&f);
	fx_make(&f, dir, "old", "CUT2", "--truncate-log", cut, NULL);
	replay(&r, f.out, f.l1, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.format, HP_LOG_OLD);
	ck_assert_int_eq(r.rep.stopped_early, 1);
	ck_assert_uint_gt(r.rep.pages_applied, 0);
	ASSERT_HAS(r.rep.stop_reason, "stop reason", "CUT2.LOG1");
	ASSERT_HAS(r.rep.stop_reason, "stop reason", "truncated");
	tu_replay_free(&r);
	fx_free(&f);
	free(cut);
	free(dir);
}
END_TEST

START_TEST(test_corrupt_entry)
{
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "C2", "--corrupt-entry", "2", NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	assert_stopped(&r, &f, 1, "C2.LOG1", "hash");
	tu_replay_free(&r);
	fx_free(&f);

	/* The third entry, in LOG2: LOG1's two are applied. */
	fx_make(&f, dir, "new", "C3", "--corrupt-entry", "3", NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	assert_stopped(&r, &f, 2, "C3.LOG2", "hash");
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_uint_eq(r.rep.seq_after, 3);
	tu_replay_free(&r);
	fx_free(&f);

	/* A header field only Hash-2 covers (the flags of LOG2's entry). */
	fx_make(&f, dir, "new", "H2", NULL);
	{
		size_t len;
		unsigned char *d = tu_read_file(f.l2, &len);

		ck_assert(len > 552 && memcmp(d + 512, "HvLE", 4) == 0);
		d[512 + 8] ^= 1;
		tu_write_file(f.l2, d, len);
		free(d);
	}
	replay(&r, f.out, f.l1, f.l2, NULL);
	assert_stopped(&r, &f, 2, "H2.LOG2", "hash");
	tu_replay_free(&r);
	fx_free(&f);

	/* The first entry: refused, naming the files. */
	fx_make(&f, dir, "new", "C1", "--corrupt-entry", "1", NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "message", f.out);
	ASSERT_HAS(r.e.msg, "message", f.l1);
	ASSERT_HAS(r.e.msg, "message", "hash");
	ck_assert_msg(strchr(r.e.msg, '\n') == NULL, "message on one line");
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_gap)
{
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "GAP", "--gap", NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	assert_stopped(&r, &f, 1, "GAP.LOG1", "gap");
	ck_assert_uint_eq(r.rep.seq_after, 2);
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_wrong_hive)
{
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "WN", "--wrong-hive", NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "message", f.out);
	ASSERT_HAS(r.e.msg, "message", f.l1);
	ASSERT_HAS(r.e.msg, "message", f.l2);
	ASSERT_HAS(r.e.msg, "message", "another hive");
	tu_replay_free(&r);
	fx_free(&f);

	fx_make(&f, dir, "old", "WO", "--wrong-hive", NULL);
	replay(&r, f.out, f.l1, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "message", f.l1);
	ASSERT_HAS(r.e.msg, "message", "another hive");
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_no_logs)
{
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "NOLOG", NULL);
	replay(&r, f.out, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "message", f.out);
	ASSERT_HAS(r.e.msg, "message", "no transaction log");
	ck_assert_int_eq(r.rep.dirty, 1);
	tu_replay_free(&r);

	/* Only logs that are not logs (the hive itself, a copy of it). */
	replay(&r, f.out, f.out, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "message", "not a transaction log");
	tu_replay_free(&r);

	/* Reading the files is the view's, from descriptors its store
	 * checked: a hive that is a directory or a FIFO is test_cli's, a
	 * log name that is not a regular file test_recover's. */
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_remnants)
{
	/* Entries of an earlier cycle after the last one written: the
	 * normal end of a log, not a stop. */
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "RE", "--remnants", NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	ASSERT_OK(&r);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_uint_eq(r.rep.n_logs_used, 2);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	tu_assert_same_hive(r.out, f.want);
	tu_replay_free(&r);
	fx_free(&f);

	/* Old format, pages marked one 512-byte sector at a time. */
	fx_make(&f, dir, "old", "FINE", "--fine-vector", NULL);
	replay(&r, f.out, f.l1, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	tu_assert_same_hive(r.out, f.want);
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_choice_swapped)
{
	/* Windows had switched logs: the older entries are in LOG2.  The
	 * log with the lower sequence number goes first. */
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "SW", "--swap-logs", NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	ASSERT_OK(&r);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_uint_eq(r.rep.n_logs_used, 2);
	ck_assert_str_eq(r.rep.logs_used[0], f.l2);
	ck_assert_str_eq(r.rep.logs_used[1], f.l1);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	tu_assert_same_hive(r.out, f.want);
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_choice_stale_log2)
{
	/* LOG2 holds valid entries older than the hive: not applied (they
	 * would wreck the first hive bin). */
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "ST", "--stale-log2", NULL);
	replay(&r, f.out, f.l2, f.l1, NULL);
	ASSERT_OK(&r);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_str_eq(r.rep.logs_used[0], f.l1);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	tu_assert_same_hive(r.out, f.want);
	tu_replay_free(&r);

	/* LOG2 alone is too old: refused, saying so. */
	replay(&r, f.out, f.l2, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "message", f.l2);
	ASSERT_HAS(r.e.msg, "message", "older than the hive");
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_bad_base_block)
{
	char *dir = tu_scratch_new();
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "BN", "--bad-base-block", NULL);
	replay(&r, f.out, f.l1, f.l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.base_block_recovered, 1);
	ck_assert_int_eq(r.rep.format, HP_LOG_NEW);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_str_eq(r.rep.logs_used[0], f.l2);
	tu_assert_same_hive(r.out, f.want);
	tu_replay_free(&r);
	fx_free(&f);

	fx_make(&f, dir, "old", "BO", "--bad-base-block", NULL);
	replay(&r, f.out, f.l1, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.base_block_recovered, 1);
	ck_assert_int_eq(r.rep.format, HP_LOG_OLD);
	tu_assert_same_hive(r.out, f.want);
	tu_replay_free(&r);

	/* No log: refused, saying the base block is damaged. */
	replay(&r, f.out, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "message", "damaged");
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

/* Changes the base block of a file: n bytes at off, checksum fixed. */
static void
patch_base_block(const char *path, size_t off, const void *bytes, size_t n)
{
	size_t len;
	unsigned char *d = tu_read_file(path, &len);

	ck_assert(len >= 512 && off + n <= 508);
	memcpy(d + off, bytes, n);
	regf_checksum_set(d);
	tu_write_file(path, d, len);
	free(d);
}

START_TEST(test_identity)
{
	/* Logs of this hive written at another time (same file name) are
	 * accepted, as Windows would; other resource manager GUIDs and
	 * another time mean another hive. */
	char *dir = tu_scratch_new();
	static const unsigned char later[8] = { 1, 2, 3, 4, 5, 6, 7, 1 };
	unsigned char guid[16];
	struct fx f;
	struct tu_replay r;

	fx_make(&f, dir, "new", "ID", NULL);
	patch_base_block(f.l1, 12, later, 8);
	patch_base_block(f.l2, 12, later, 8);
	replay(&r, f.out, f.l1, f.l2, NULL);
	ASSERT_OK(&r);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	tu_assert_same_hive(r.out, f.want);
	tu_replay_free(&r);

	/* A GUID set on one side only: still accepted. */
	memset(guid, 0x5a, sizeof(guid));
	patch_base_block(f.l1, 112, guid, 16);
	patch_base_block(f.l2, 112, guid, 16);
	replay(&r, f.out, f.l1, f.l2, NULL);
	ASSERT_OK(&r);
	tu_replay_free(&r);

	/* Both set, and different: refused. */
	memset(guid, 0xa5, sizeof(guid));
	patch_base_block(f.out, 112, guid, 16);
	replay(&r, f.out, f.l1, f.l2, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "message", "another hive");
	tu_replay_free(&r);
	fx_free(&f);
	free(dir);
}
END_TEST

START_TEST(test_not_a_hive)
{
	char *dir = tu_scratch_new(), *p = tu_strf("%s/garbage", dir);
	unsigned char junk[8192];
	struct tu_replay r;
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7 + 3);
	tu_write_file(p, junk, sizeof(junk));
	replay(&r, p, NULL);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_int_eq(r.e.status, HP_IOERR);
	ASSERT_HAS(r.e.msg, "message", p);
	tu_replay_free(&r);
	tu_write_file(p, junk, 100);
	replay(&r, p, NULL);
	ck_assert_int_eq(r.e.status, HP_IOERR);
	tu_replay_free(&r);
	free(p);
	free(dir);
}
END_TEST

START_TEST(test_image_bound)
{
	/* The in-memory entry point refuses a hive past its bound. */
	char *dir = tu_scratch_new(), *out = mkdirty(dir, "new", "B", NULL);
	char *l1 = tu_strf("%s.LOG1", out), *l2 = tu_strf("%s.LOG2", out);
	struct log_replay_buf hive, logs[2];
	struct hp_recovery rep;
	struct hp_err e;
	unsigned char *img, *d[3];
	size_t len;
	int rc;

	d[0] = tu_read_file(out, &hive.len);
	d[1] = tu_read_file(l1, &logs[0].len);
	d[2] = tu_read_file(l2, &logs[1].len);
	hive.name = out;
	hive.data = d[0];
	logs[0].name = l1;
	logs[0].data = d[1];
	logs[1].name = l2;
	logs[1].data = d[2];
	rc = log_replay_buffers(&hive, logs, 2, 0, &img, &len, &rep, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
	free(img);
	log_replay_report_free(&rep);
	/* The recovered hive is 40 KiB: a bound of 20 KiB refuses it, never
	 * stopping early at the entry that grows it. */
	rc = log_replay_buffers(&hive, logs, 2, 20480, &img, &len, &rep, &e);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(e.reason, HP_R_OVER_LIMIT);
	ck_assert_ptr_null(img);
	ASSERT_HAS(e.msg, "message", "it would be 40960 bytes, over the limit "
	    "of 20480 bytes");
	log_replay_report_free(&rep);
	free(d[0]);
	free(d[1]);
	free(d[2]);
	free(l1);
	free(l2);
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_marvin32)
{
	/* Published test vectors of Marvin32 (seed 0x004FB61A001BDBCC). */
	static const unsigned char af = 0xaf;
	const uint64_t seed = 0x004FB61A001BDBCCull;

	ck_assert(regf_marvin32(NULL, 0, seed) == 0x30ED35C100CD3C7Dull);
	ck_assert(regf_marvin32(&af, 1, seed) == 0x48E73FC77D75DDC1ull);
}
END_TEST

START_TEST(test_checksum)
{
	unsigned char bb[512];

	memset(bb, 0, sizeof(bb));
	memcpy(bb, "regf", 4);
	regf_checksum_set(bb);
	ck_assert(regf_checksum_ok(bb));
	ck_assert_uint_eq(le32(bb + 508), le32((const unsigned char *)"regf"));
	/* An XOR of zero is stored as 1. */
	memset(bb, 0, sizeof(bb));
	ck_assert_uint_eq(regf_checksum(bb), 1);
	bb[100] = 1;
	ck_assert(!regf_checksum_ok(bb));
}
END_TEST

static Suite *
logreplay_suite(void)
{
	Suite *s = suite_create("logreplay");
	TCase *tc = tcase_create("fixtures");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, make_clean_hive, free_clean_hive);
	tcase_add_test(tc, test_new_format);
	tcase_add_test(tc, test_new_format_log_order_given);
	tcase_add_test(tc, test_old_format);
	tcase_add_test(tc, test_clean_unchanged);
	tcase_add_test(tc, test_truncated_new);
	tcase_add_test(tc, test_truncated_old);
	tcase_add_test(tc, test_corrupt_entry);
	tcase_add_test(tc, test_gap);
	tcase_add_test(tc, test_wrong_hive);
	tcase_add_test(tc, test_no_logs);
	tcase_add_test(tc, test_remnants);
	tcase_add_test(tc, test_choice_swapped);
	tcase_add_test(tc, test_choice_stale_log2);
	tcase_add_test(tc, test_bad_base_block);
	tcase_add_test(tc, test_identity);
	tcase_add_test(tc, test_not_a_hive);
	tcase_add_test(tc, test_image_bound);
	tcase_add_test(tc, test_marvin32);
	tcase_add_test(tc, test_checksum);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run_suite(logreplay_suite(), "test_logreplay");
}
