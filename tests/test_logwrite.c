/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the transaction log writer (lib/logwrite.c), read back by the
 * log replay (lib/logreplay.c), its one reader.
 *
 * Fixtures, made once in the base scratch directory: hive A, a clean
 * hive from $MKHIVE (software64-net48); hive B, A changed with hivex (a
 * new key, with values large enough that B grows by a hive bin) and
 * committed to another file.  A log written to take A to B is replayed
 * over the "step-c" primary, the state a logged commit leaves when it is
 * cut after writing its log: A's hive bins data under B's base block,
 * dirty (sequence numbers N+1 and N, N being A's).
 *
 * What the replay gives must be B (its hive bins data byte for byte, its
 * root and size in the base block, and, opened with hivex, the same keys
 * and values), or a refusal that says why: never a third hive. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <hivex.h>

#include "error.h"
#include "logreplay.h"
#include "logwrite.h"
#include "testutil.h"

/* The key hive B adds under the root, its values of VALUE_LEN bytes. */
#define NEW_KEY		"LogwriteTest"
#define N_VALUES	6
#define VALUE_LEN	3000

/* Hives A and B (paths and bytes), and the step-c primary. */
static char *a_path, *b_path;
static unsigned char *a, *b, *primary;
static size_t a_len, b_len;
static uint32_t seq_n;		/* A's sequence number: the log's */

/* ---- the fixtures ---- */

/* The data of value i of the new key: a pattern of its own. */
static void
value_data(unsigned i, unsigned char *out)
{
	size_t j;

	for (j = 0; j < VALUE_LEN; j++)
		out[j] = (unsigned char)(i * 31u + j * 7u + 1u);
}

static char *
value_name(unsigned i)
{
	return tu_strf("Big%u", i);
}

/* B: A with NEW_KEY and its values, committed by hivex to b_path. */
static void
make_b(void)
{
	static unsigned char data[N_VALUES][VALUE_LEN];
	hive_set_value vals[N_VALUES];
	hive_h *h = hivex_open(a_path, HIVEX_OPEN_WRITE);
	hive_node_h key;
	unsigned i;

	ck_assert_msg(h != NULL, "hivex cannot open %s", a_path);
	key = hivex_node_add_child(h, hivex_root(h), NEW_KEY);
	ck_assert_msg(key != 0, "hivex_node_add_child failed");
	for (i = 0; i < N_VALUES; i++) {
		value_data(i, data[i]);
		vals[i].key = value_name(i);
		vals[i].t = hive_t_REG_BINARY;
		vals[i].len = VALUE_LEN;
		vals[i].value = (char *)data[i];
	}
	ck_assert_int_eq(hivex_node_set_values(h, key, N_VALUES, vals, 0), 0);
	ck_assert_int_eq(hivex_commit(h, b_path, 0), 0);
	ck_assert_int_eq(hivex_close(h), 0);
	for (i = 0; i < N_VALUES; i++)
		free(vals[i].key);
}

static uint32_t
bins_of(const unsigned char *hive)
{
	return le32(hive + REGF_BB_BINS_SIZE);
}

/* A's bytes under the base block of `to`, dirty: sequence numbers N+1
 * and N (malloc'd, a_len bytes). */
static unsigned char *
step_c(const unsigned char *to)
{
	unsigned char *p = malloc(a_len);

	ck_assert(p != NULL);
	memcpy(p, a, a_len);
	memcpy(p, to, REGF_BASE_BLOCK);
	put_le32(p + REGF_BB_SEQ1, seq_n + 1);
	put_le32(p + REGF_BB_SEQ2, seq_n);
	regf_checksum_set(p);
	return p;
}

static void
make_fixtures(void)
{
	a_path = tu_strf("%s/A", tu_base_dir());
	b_path = tu_strf("%s/B", tu_base_dir());
	tu_mkhive("software64-net48", a_path, 0);
	make_b();
	a = tu_read_file(a_path, &a_len);
	b = tu_read_file(b_path, &b_len);
	/* What the tests rest on: B grew by a hive bin, and is whole. */
	ck_assert_uint_gt(bins_of(b), bins_of(a));
	ck_assert_uint_ge(b_len, REGF_BASE_BLOCK + bins_of(b));
	ck_assert_uint_ne(le32(a + REGF_BB_SEQ1), le32(b + REGF_BB_SEQ1));

	seq_n = le32(a + REGF_BB_SEQ2);
	primary = step_c(b);
}

static void
free_fixtures(void)
{
	free(a_path);
	free(b_path);
	free(a);
	free(b);
	free(primary);
	a_path = b_path = NULL;
	a = b = primary = NULL;
}

/* ---- writing logs ---- */

enum fmt { NEW = HP_LOG_NEW, OLD = HP_LOG_OLD };

/* The runs of `unit`-byte pages that take A to B. */
static struct page_run *
a_to_b_runs(uint32_t unit, size_t *n)
{
	struct page_run *runs;
	struct hp_err e;

	ck_assert_msg(log_changed_runs(a, a_len, b, b_len, unit, &runs, n,
	    &e) == 0, "log_changed_runs: %s", e.msg);
	ck_assert_uint_gt(*n, 0);
	return runs;
}

/* log_build_new or log_build_old, which must succeed (malloc'd). */
static unsigned char *
build(enum fmt fmt, const unsigned char *bb, uint32_t seq,
      const unsigned char *hbins, const struct page_run *runs, size_t n,
      size_t *len)
{
	unsigned char *log;
	struct hp_err e;
	int rc = fmt == NEW ?
	    log_build_new(bb, seq, hbins, runs, n, &log, len, &e) :
	    log_build_old(bb, seq, hbins, runs, n, &log, len, &e);

	ck_assert_msg(rc == 0, "log_build: %s", e.msg);
	return log;
}

/* The log of format fmt, of sequence number seq, that takes A to B in
 * pages of `unit` bytes, its base block from bb (the step-c primary's,
 * or one changed from it); malloc'd, *len bytes. */
static unsigned char *
log_with(enum fmt fmt, uint32_t unit, const unsigned char *bb, uint32_t seq,
	 size_t *len)
{
	size_t n;
	struct page_run *runs = a_to_b_runs(unit, &n);
	unsigned char *log = build(fmt, bb, seq, b + REGF_BASE_BLOCK, runs, n,
	    len);

	free(runs);
	return log;
}

/* The log as a logged commit writes it: from the step-c base block. */
static unsigned char *
make_log(enum fmt fmt, uint32_t unit, size_t *len)
{
	return log_with(fmt, unit, primary, seq_n, len);
}

/* ---- replaying them ---- */

struct outcome {
	int rc;
	struct hp_err e;
	struct hp_recovery rep;
	unsigned char *img;
	size_t len;
};

/* The primary (a_len bytes) replayed with the one log of `len` bytes. */
static void
replay(struct outcome *o, const unsigned char *hive_data,
       const unsigned char *log, size_t len)
{
	struct log_replay_buf hive = { "SOFTWARE", hive_data, a_len };
	struct log_replay_buf logs[1] = { { "SOFTWARE.LOG1", log, len } };

	memset(o, 0, sizeof(*o));
	o->rc = log_replay_buffers(&hive, logs, 1, 0, &o->img, &o->len,
	    &o->rep, &o->e);
}

static void
outcome_free(struct outcome *o)
{
	free(o->img);
	log_replay_report_free(&o->rep);
	memset(o, 0, sizeof(*o));
}

/* Hivex finds B's new values in the hive at path. */
static void
assert_new_values(const char *path)
{
	unsigned char want[VALUE_LEN];
	unsigned i;

	for (i = 0; i < N_VALUES; i++) {
		char *name = value_name(i);
		unsigned char *data;
		hive_type t;
		size_t len;

		ck_assert_msg(tu_hive_value(path, NEW_KEY, name, &t, &data,
		    &len), "no value %s in the image", name);
		value_data(i, want);
		ck_assert_int_eq(t, hive_t_REG_BINARY);
		ck_assert_uint_eq(len, VALUE_LEN);
		ck_assert_msg(memcmp(data, want, VALUE_LEN) == 0,
		    "value %s differs", name);
		free(data);
		free(name);
	}
}

/* The replay gave the hive `want` (its bytes; the file want_path), from
 * the one log, of format fmt: the same hive bins data, root and size, a
 * clean base block, and hivex reads the same keys and values in both.
 * Returns the image written to a file (tu_pathf). */
static char *
assert_gives(const struct outcome *o, enum fmt fmt, const unsigned char *want,
	     const char *want_path)
{
	uint32_t bins = bins_of(want);
	char *path = tu_pathf("%s/image", tu_scratch);

	ck_assert_msg(o->rc == 0, "log_replay failed: %s", o->e.msg);
	ck_assert_int_eq(o->rep.dirty, 1);
	ck_assert_int_eq(o->rep.format, (int)fmt);
	ck_assert_uint_eq(o->rep.n_logs_used, 1);
	ck_assert_int_eq(o->rep.stopped_early, 0);
	if (fmt == NEW)
		ck_assert_uint_eq(o->rep.entries_applied, 1);
	ck_assert_uint_eq(o->len, REGF_BASE_BLOCK + bins);
	ck_assert_msg(memcmp(o->img + REGF_BASE_BLOCK, want + REGF_BASE_BLOCK,
	    bins) == 0, "the hive bins data is not %s's", want_path);
	ck_assert_uint_eq(bins_of(o->img), bins);
	ck_assert_uint_eq(le32(o->img + REGF_BB_ROOT),
	    le32(want + REGF_BB_ROOT));
	/* Clean, and a primary file. */
	ck_assert(regf_checksum_ok(o->img));
	ck_assert_uint_eq(le32(o->img + REGF_BB_SEQ1),
	    le32(o->img + REGF_BB_SEQ2));
	ck_assert_uint_eq(le32(o->img + REGF_BB_FILE_TYPE), REGF_FILE_PRIMARY);
	tu_write_file(path, o->img, o->len);
	tu_assert_same_hive(path, want_path);
	return path;
}

/* The replay refused: the hive is dirty and no log recovers it, for a
 * reason whose message holds `why`. */
static void
assert_refused(const struct outcome *o, const char *why)
{
	ck_assert_msg(o->rc == -1, "log_replay succeeded, expected a refusal "
	    "for \"%s\"", why);
	ck_assert_msg(o->img == NULL, "an image on failure");
	ck_assert_msg(o->e.reason == HP_R_DIRTY_UNRECOVERABLE,
	    "reason %s, expected dirty-unrecoverable (%s)",
	    hp_reason_name(o->e.reason), o->e.msg);
	ASSERT_HAS(o->e.msg, "the refusal", why);
}

/* The log of `len` bytes, replayed, gives B (fmt: the format expected)
 * or is refused for `why` (fmt 0). */
static void
check_replay(const unsigned char *log, size_t len, int fmt, const char *why)
{
	struct outcome o;

	replay(&o, primary, log, len);
	if (fmt != 0)
		assert_new_values(assert_gives(&o, (enum fmt)fmt, b, b_path));
	else
		assert_refused(&o, why);
	outcome_free(&o);
}

/* ---- round trips ---- */

START_TEST(test_new_round_trip)
{
	size_t len;
	unsigned char *log = make_log(NEW, REGF_PAGE, &len);

	check_replay(log, len, NEW, NULL);
	free(log);
}
END_TEST

/* Old format, in pages of 4096 bytes (_i 0) and of 512 (_i 1). */
START_TEST(test_old_round_trip)
{
	uint32_t unit = _i == 0 ? REGF_PAGE : REGF_OLD_PAGE;
	size_t len;
	unsigned char *log = make_log(OLD, unit, &len);

	ck_assert_msg(memcmp(log + REGF_BB_TIMESTAMP,
	    primary + REGF_BB_TIMESTAMP, 8) == 0,
	    "the log does not carry the primary's last written time");
	check_replay(log, len, OLD, NULL);
	free(log);
}
END_TEST

/* An old-format log applies only to the hive whose last written time it
 * carries. */
START_TEST(test_old_other_timestamp)
{
	unsigned char bb[REGF_BASE_BLOCK];
	size_t len;
	unsigned char *log;

	memcpy(bb, primary, sizeof(bb));
	put_le64(bb + REGF_BB_TIMESTAMP, le64(bb + REGF_BB_TIMESTAMP) + 1);
	log = log_with(OLD, REGF_PAGE, bb, seq_n, &len);
	check_replay(log, len, 0, "another last written time");
	free(log);
}
END_TEST

/* A new-format log older than the hive (sequence number below its
 * secondary one) is not applied. */
START_TEST(test_new_older_than_hive)
{
	size_t len;
	unsigned char *log = log_with(NEW, REGF_PAGE, primary, seq_n - 1, &len);

	check_replay(log, len, 0, "older than the hive");
	free(log);
}
END_TEST

/* A commit that changed no page (the hive bins data is A's; only the
 * base block moved on): no runs, and the log, of either format (_i),
 * still recovers the hive, to A's hive bins data. */
START_TEST(test_no_page_changed)
{
	enum fmt fmt = _i == 0 ? NEW : OLD;
	unsigned char *dirty = step_c(a), *log;
	struct outcome o;
	size_t len;

	log = build(fmt, dirty, seq_n, a + REGF_BASE_BLOCK, NULL, 0, &len);
	replay(&o, dirty, log, len);
	assert_gives(&o, fmt, a, a_path);
	outcome_free(&o);
	free(log);
	free(dirty);
}
END_TEST

/* ---- damaged logs: B or nothing ---- */

/* The new-format log cut at every 512-byte boundary: only the whole log
 * replays, to B; every shorter one is refused. */
START_TEST(test_new_torn)
{
	size_t len, cut;
	unsigned char *log = make_log(NEW, REGF_PAGE, &len);

	ck_assert_uint_gt(len, 2 * REGF_LOG_HEADER);
	for (cut = REGF_LOG_HEADER; cut < len; cut += 512)
		check_replay(log, cut, 0, cut == REGF_LOG_HEADER ?
		    "no usable log entry" : "truncated");
	check_replay(log, len, NEW, NULL);
	free(log);
}
END_TEST

/* One byte of the entry flipped, in its hash, its page references, its
 * pages or its padding: the hashes no longer match, and the entry is not
 * applied. */
START_TEST(test_new_flipped)
{
	size_t len, n, i;
	struct page_run *runs = a_to_b_runs(REGF_PAGE, &n);
	unsigned char *log = make_log(NEW, REGF_PAGE, &len);
	const size_t entry = REGF_LOG_HEADER, refs = entry + REGF_LE_HEADER;
	const size_t at[] = { entry + REGF_LE_HASH1, entry + REGF_LE_HASH2,
	    refs, refs + 8 * n, refs + 8 * n + runs[0].len, len - 1 };

	free(runs);
	ck_assert_msg(log[len - 1] == 0, "the entry has no padding to flip");
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		log[at[i]] ^= 0x01;
		check_replay(log, len, 0, "hash mismatch");
		log[at[i]] ^= 0x01;
	}
	check_replay(log, len, NEW, NULL);
	free(log);
}
END_TEST

/* ---- log_changed_runs ---- */

/* The runs between two hives, which must be n_want of them. */
static struct page_run *
runs_between(const unsigned char *x, size_t x_len, const unsigned char *y,
	     size_t y_len, uint32_t unit, size_t n_want)
{
	struct page_run *runs;
	struct hp_err e;
	size_t n;

	ck_assert_msg(log_changed_runs(x, x_len, y, y_len, unit, &runs, &n,
	    &e) == 0, "log_changed_runs: %s", e.msg);
	ck_assert_uint_eq(n, n_want);
	ck_assert(n > 0 || runs == NULL);
	return runs;
}

static void
assert_run(const struct page_run *r, uint32_t off, uint32_t len)
{
	ck_assert_uint_eq(r->off, off);
	ck_assert_uint_eq(r->len, len);
}

/* A copy of A with one byte changed in each of the pages (of 4096 bytes)
 * listed, up to a negative number. */
static unsigned char *
a_changed_in(const int *pages)
{
	unsigned char *c = malloc(a_len);

	ck_assert(c != NULL);
	memcpy(c, a, a_len);
	for (; *pages >= 0; pages++)
		c[REGF_BASE_BLOCK + (size_t)*pages * REGF_PAGE + 100] ^= 0xff;
	return c;
}

START_TEST(test_runs_identical)
{
	free(runs_between(a, a_len, a, a_len, REGF_PAGE, 0));
	free(runs_between(a, a_len, a, a_len, REGF_OLD_PAGE, 0));
}
END_TEST

START_TEST(test_runs_apart_and_adjacent)
{
	static const int apart[] = { 0, 2, -1 }, adjacent[] = { 1, 2, -1 };
	unsigned char *c = a_changed_in(apart);
	struct page_run *r;

	ck_assert_uint_ge(bins_of(a), 3 * REGF_PAGE);
	r = runs_between(a, a_len, c, a_len, REGF_PAGE, 2);
	assert_run(&r[0], 0, REGF_PAGE);
	assert_run(&r[1], 2 * REGF_PAGE, REGF_PAGE);
	free(r);
	/* In 512-byte pages: the one holding the changed byte. */
	r = runs_between(a, a_len, c, a_len, REGF_OLD_PAGE, 2);
	assert_run(&r[0], 0, REGF_OLD_PAGE);
	assert_run(&r[1], 2 * REGF_PAGE, REGF_OLD_PAGE);
	free(r);
	free(c);
	c = a_changed_in(adjacent);
	r = runs_between(a, a_len, c, a_len, REGF_PAGE, 1);
	assert_run(&r[0], REGF_PAGE, 2 * REGF_PAGE);
	free(r);
	free(c);
}
END_TEST

/* Pages past A's hive bins data, or past its end, count as changed even
 * where their bytes are the same; B's new hive bin is all in the runs. */
START_TEST(test_runs_beyond_a)
{
	static const int none[] = { -1 };
	unsigned char *shrunk = a_changed_in(none);
	uint32_t bins = bins_of(a);
	struct page_run *r;
	size_t n;

	put_le32(shrunk + REGF_BB_BINS_SIZE, bins - REGF_PAGE);
	r = runs_between(shrunk, a_len, a, a_len, REGF_PAGE, 1);
	assert_run(&r[0], bins - REGF_PAGE, REGF_PAGE);
	free(r);
	r = runs_between(a, a_len - REGF_PAGE, a, a_len, REGF_PAGE, 1);
	assert_run(&r[0], bins - REGF_PAGE, REGF_PAGE);
	free(r);
	free(shrunk);
	r = a_to_b_runs(REGF_PAGE, &n);
	ck_assert_uint_eq(r[n - 1].off + r[n - 1].len, bins_of(b));
	ck_assert_uint_le(r[n - 1].off, bins);
	free(r);
}
END_TEST

START_TEST(test_runs_short_b)
{
	struct page_run sentinel, *runs = &sentinel;
	struct hp_err e;
	size_t n = 99;

	ck_assert_int_eq(log_changed_runs(a, a_len, b,
	    REGF_BASE_BLOCK + bins_of(b) - REGF_PAGE, REGF_PAGE, &runs, &n,
	    &e), -1);
	ck_assert_int_eq(e.reason, HP_R_DAMAGED);
	ck_assert_uint_eq(n, 0);
	ck_assert(runs == NULL);
}
END_TEST

/* ---- log_changed_runs_via, log_changed_runs_cb ---- */

static uint32_t rnd_state;

static uint32_t
rnd(uint32_t below)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % below;
}

/* A synthetic hive: a base block naming `bins` bytes of hive bins data,
 * then `len` bytes in all, page p filled with byte p. */
static unsigned char *
synthetic(uint32_t bins, size_t len)
{
	unsigned char *h = calloc(1, len);
	size_t i;

	ck_assert_ptr_nonnull(h);
	put_le32(h + REGF_BB_BINS_SIZE, bins);
	for (i = REGF_BASE_BLOCK; i < len; i++)
		h[i] = (unsigned char)(i / REGF_PAGE);
	return h;
}

/* A copy of c, `bins` of hive bins data and len bytes (grown with c's
 * pattern), with a few pages changed: some to a value of their own, some
 * to `shared` (which another copy may write too). */
static unsigned char *
changed_copy(const unsigned char *c, size_t c_len, uint32_t bins,
	     size_t len, unsigned char shared)
{
	unsigned char *h = synthetic(bins, len);
	size_t pages = (len - REGF_BASE_BLOCK) / REGF_PAGE, i, k;

	memcpy(h + REGF_BASE_BLOCK, c + REGF_BASE_BLOCK,
	    (len < c_len ? len : c_len) - REGF_BASE_BLOCK);
	for (k = rnd(6); k > 0; k--) {
		i = REGF_BASE_BLOCK + rnd((uint32_t)pages) * REGF_PAGE +
		    rnd(REGF_PAGE);
		h[i] = rnd(2) ? shared : (unsigned char)(0x80 + rnd(0x7f));
	}
	return h;
}

/* The runs that take v to a new hive nb, found through c without v, are
 * those found from v itself: v and nb grown, cut or as long as c, and
 * c's base block naming more than it holds. */
START_TEST(test_runs_via_match_direct)
{
	static const uint32_t bins[] = { 4, 6, 8 };
	struct page_run *cv, *cb, *via, *direct;
	size_t n_cv, n_cb, n_via, n_direct, i, at = 0, c_len, v_len, n_len;
	unsigned char *c, *v, *nb, *bytes;
	uint32_t c_bins, v_bins, n_bins;
	struct hp_err e;

	rnd_state = (uint32_t)_i;
	c_bins = bins[rnd(3)] * REGF_PAGE;
	v_bins = bins[rnd(3)] * REGF_PAGE;
	n_bins = bins[rnd(3)] * REGF_PAGE;
	c_len = REGF_BASE_BLOCK + c_bins - (rnd(4) == 0 ? REGF_PAGE : 0);
	v_len = REGF_BASE_BLOCK + v_bins + rnd(2) * REGF_PAGE;
	n_len = REGF_BASE_BLOCK + n_bins;
	c = synthetic(c_bins, c_len);
	v = changed_copy(c, c_len, v_bins, v_len, 0x55);
	nb = changed_copy(c, c_len, n_bins, n_len, 0x55);
	ck_assert(log_changed_runs(c, c_len, v, v_len, REGF_PAGE, &cv, &n_cv,
	    &e) == 0);
	ck_assert(log_changed_runs(c, c_len, nb, n_len, REGF_PAGE, &cb, &n_cb,
	    &e) == 0);
	bytes = malloc(v_len);
	for (i = 0; i < n_cv; i++) {
		memcpy(bytes + at, v + REGF_BASE_BLOCK + cv[i].off, cv[i].len);
		at += cv[i].len;
	}
	ck_assert(log_changed_runs_via(cb, n_cb, cv, n_cv, bytes, v_len,
	    v_bins, nb, n_len, &via, &n_via, &e) == 0);
	ck_assert(log_changed_runs(v, v_len, nb, n_len, REGF_PAGE, &direct,
	    &n_direct, &e) == 0);
	ck_assert_uint_eq(n_via, n_direct);
	for (i = 0; i < n_direct; i++)
		assert_run(&via[i], direct[i].off, direct[i].len);
	free(cv);
	free(cb);
	free(via);
	free(direct);
	free(bytes);
	free(c);
	free(v);
	free(nb);
}
END_TEST

static void
count_done(void *arg, size_t upto)
{
	size_t *last = arg;

	ck_assert_uint_gt(upto, *last);
	*last = upto;
}

/* The runs given with a callback are those given without it; the
 * callback is told what was compared, in order, up to the end. */
START_TEST(test_runs_cb_reports_progress)
{
	uint32_t bins = 5000 * REGF_PAGE;
	size_t len = REGF_BASE_BLOCK + bins, last = 0, n_cb, n, i;
	unsigned char *x = synthetic(bins, len), *y = synthetic(bins, len);
	struct page_run *with, *without;
	struct hp_err e;

	y[REGF_BASE_BLOCK + 17 * REGF_PAGE] ^= 1;
	y[len - 1] ^= 1;
	ck_assert(log_changed_runs_cb(x, len, y, len, REGF_PAGE, count_done,
	    &last, &with, &n_cb, &e) == 0);
	ck_assert_uint_eq(last, len);
	ck_assert(log_changed_runs(x, len, y, len, REGF_PAGE, &without, &n,
	    &e) == 0);
	ck_assert_uint_eq(n_cb, 2);
	ck_assert_uint_eq(n, n_cb);
	for (i = 0; i < n; i++)
		assert_run(&with[i], without[i].off, without[i].len);
	free(with);
	free(without);
	free(x);
	free(y);
}
END_TEST

/* ---- log_format_of ---- */

START_TEST(test_format_of)
{
	size_t new_len, old_len;
	unsigned char *new_log = make_log(NEW, REGF_PAGE, &new_len);
	unsigned char *old_log = make_log(OLD, REGF_PAGE, &old_len);
	unsigned char garbage[REGF_LOG_HEADER];

	ck_assert_int_eq(log_format_of(new_log, new_len), HP_LOG_NEW);
	ck_assert_int_eq(log_format_of(old_log, old_len), HP_LOG_OLD);
	ck_assert_int_eq(log_format_of(new_log, 0), HP_LOG_NONE);
	ck_assert_int_eq(log_format_of(new_log, REGF_LOG_HEADER - 1),
	    HP_LOG_NONE);
	/* A primary: a good base block, not a log's file type. */
	ck_assert_int_eq(log_format_of(a, a_len), HP_LOG_NONE);
	memset(garbage, 0xa5, sizeof(garbage));
	ck_assert_int_eq(log_format_of(garbage, sizeof(garbage)), HP_LOG_NONE);
	new_log[REGF_BB_NAME] ^= 0x01;
	ck_assert_int_eq(log_format_of(new_log, new_len), HP_LOG_NONE);
	free(new_log);
	free(old_log);
}
END_TEST

static Suite *
logwrite_suite(void)
{
	Suite *s = suite_create("logwrite");
	TCase *tc = tu_tcase(s, "logwrite");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, make_fixtures, free_fixtures);
	tcase_add_test(tc, test_new_round_trip);
	tcase_add_loop_test(tc, test_old_round_trip, 0, 2);
	tcase_add_test(tc, test_old_other_timestamp);
	tcase_add_test(tc, test_new_older_than_hive);
	tcase_add_loop_test(tc, test_no_page_changed, 0, 2);
	tcase_add_test(tc, test_new_torn);
	tcase_add_test(tc, test_new_flipped);
	tcase_add_test(tc, test_runs_identical);
	tcase_add_test(tc, test_runs_apart_and_adjacent);
	tcase_add_test(tc, test_runs_beyond_a);
	tcase_add_test(tc, test_runs_short_b);
	tcase_add_loop_test(tc, test_runs_via_match_direct, 0, 300);
	tcase_add_test(tc, test_runs_cb_reports_progress);
	tcase_add_test(tc, test_format_of);
	return s;
}

int
main(void)
{
	return tu_run_suite(logwrite_suite(), "test_logwrite");
}
