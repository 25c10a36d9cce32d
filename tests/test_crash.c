/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The crash-state harness of the commit through the hive's own log.
 *
 * A run of hp_patch goes through a store that records every write,
 * size change, sync and removal it makes to the hive and its logs (and
 * passes them on).  The files are then rebuilt, in memory, as a crash
 * would leave them at every point of that sequence: with every write so
 * far on the medium; with the writes since each file's last sync lost;
 * with each such write lost alone (the medium reorders them); and with
 * the last write torn at every 512-byte boundary, either half landed.
 * Each state is read as Windows (and hivepatch) would load it, its logs
 * replayed, and must be the hive before the run or the hive after it:
 * never a refusal, never a mixture. */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "hivepatch.h"
#include "regf.h"
#include "testutil.h"

/* ---- the recording store ---- */

enum rec_kind { REC_WRITE, REC_SIZE, REC_SYNC, REC_REMOVE };

struct rec_op {
	enum rec_kind kind;
	int file;		/* 0: the hive; else 1 + index in names */
	uint64_t off;		/* REC_WRITE: where; REC_SIZE: the size */
	unsigned char *data;
	size_t len;
};

#define MAX_FILES 4

struct recorder {
	struct hp_store *inner;
	const struct hp_store_ops *ops;
	void *priv;
	struct rec_op *op;
	size_t n;
	char *names[MAX_FILES];	/* the logs touched */
	size_t n_names;
	int replaced;		/* a commit went by replacement */
};

static int
file_of(struct recorder *r, const char *name)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < r->n_names; i++)
		if (strcmp(r->names[i], name) == 0)
			return (int)i + 1;
	ck_assert_uint_lt(r->n_names, MAX_FILES);
	r->names[r->n_names] = strdup(name);
	return (int)++r->n_names;
}

static void
record(struct recorder *r, enum rec_kind kind, const char *name,
       uint64_t off, const void *data, size_t len)
{
	struct rec_op *op;

	r->op = realloc(r->op, (r->n + 1) * sizeof(*r->op));
	ck_assert_ptr_nonnull(r->op);
	op = &r->op[r->n++];
	op->kind = kind;
	op->file = file_of(r, name);
	op->off = off;
	op->len = len;
	op->data = NULL;
	if (data != NULL) {
		op->data = malloc(len ? len : 1);
		memcpy(op->data, data, len);
	}
}

static int
r_list(void *priv, struct hp_store_hive **hives, size_t *n, struct hp_err *e)
{
	struct recorder *r = priv;

	(void)e;
	*n = hp_store_hives(r->inner, hives);
	return 0;
}

static int
r_lock(void *priv, struct hp_store_hive *h, struct hp_err *e)
{
	struct recorder *r = priv;

	return r->ops->lock(r->priv, h, e);
}

static int
r_read(void *priv, struct hp_store_hive *h, struct hp_hive_files *f,
       struct hp_err *e)
{
	struct recorder *r = priv;

	return r->ops->read(r->priv, h, f, e);
}

static int
r_commit(void *priv, struct hp_store_hive *h, int fd, hp_check_fn check,
	 void *arg, int *replaced, struct hp_err *e)
{
	struct recorder *r = priv;

	r->replaced = 1;
	return r->ops->commit(r->priv, h, fd, check, arg, replaced, e);
}

static int
r_write_log(void *priv, struct hp_store_hive *h, const char *name, int fd,
	    hp_check_fn check, void *arg, struct hp_err *e)
{
	struct recorder *r = priv;

	if (fd != -1)
		r->replaced = 1;
	record(r, REC_SIZE, name, 0, NULL, 0);
	record(r, REC_SYNC, name, 0, NULL, 0);
	return r->ops->write_log(r->priv, h, name, fd, check, arg, e);
}

static int
r_write_at(void *priv, struct hp_store_hive *h, const char *name,
	   uint64_t off, const void *buf, size_t len, struct hp_err *e)
{
	struct recorder *r = priv;

	record(r, REC_WRITE, name, off, buf, len);
	return r->ops->write_at(r->priv, h, name, off, buf, len, e);
}

static int
r_set_size(void *priv, struct hp_store_hive *h, const char *name,
	   uint64_t size, struct hp_err *e)
{
	struct recorder *r = priv;

	record(r, REC_SIZE, name, size, NULL, 0);
	return r->ops->set_size(r->priv, h, name, size, e);
}

static int
r_sync(void *priv, struct hp_store_hive *h, const char *name,
       struct hp_err *e)
{
	struct recorder *r = priv;

	record(r, REC_SYNC, name, 0, NULL, 0);
	return r->ops->sync(r->priv, h, name, e);
}

static int
r_remove_log(void *priv, struct hp_store_hive *h, const char *name,
	     struct hp_err *e)
{
	struct recorder *r = priv;

	record(r, REC_REMOVE, name, 0, NULL, 0);
	return r->ops->remove_log(r->priv, h, name, e);
}

static void
r_close(void *priv)
{
	struct recorder *r = priv;

	hp_store_close(r->inner);
}

static const struct hp_store_ops recording_ops = {
	.name = "recording", .tree = 0, .list = r_list, .lock = r_lock,
	.read = r_read, .commit = r_commit, .write_log = r_write_log,
	.write_at = r_write_at, .set_size = r_set_size, .sync = r_sync,
	.remove_log = r_remove_log, .close = r_close,
};

static void
recorder_free(struct recorder *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->op[i].data);
	free(r->op);
	for (i = 0; i < r->n_names; i++)
		free(r->names[i]);
}

/* ---- files as a crash leaves them ---- */

struct buf {
	unsigned char *d;
	size_t len;
	int absent;
};

/* The hive and the logs the run may touch, as they were before it. */
struct before {
	const char *hive;
	struct buf files[1 + MAX_FILES];	/* hive, then r->names */
};

static struct buf
read_or_absent(const char *path)
{
	struct buf b = { NULL, 0, 0 };
	struct stat st;

	if (stat(path, &st) == -1) {
		b.absent = 1;
		return b;
	}
	b.d = tu_read_file(path, &b.len);
	return b;
}

static const char *const log_suffixes[] = { ".LOG", ".LOG1", ".LOG2" };

/* What the harness needs of the files before the run: the hive and the
 * three log names beside it. */
static void
before_take(struct before *b, const char *hive)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	b->hive = hive;
	b->files[0] = read_or_absent(hive);
	for (i = 0; i < 3; i++)
		b->files[1 + i] = read_or_absent(tu_pathf("%s%s", hive,
		    log_suffixes[i]));
}

/* The index in before->files of the log a recorded name stands for. */
static size_t
before_index(const char *hive, const char *name)
{
	const char *base = strrchr(hive, '/') ? strrchr(hive, '/') + 1 : hive;
	size_t i;

	for (i = 0; i < 3; i++)
		if (strcmp(name, tu_pathf("%s%s", base, log_suffixes[i])) == 0)
			return 1 + i;
	ck_abort_msg("the run wrote %s, which is no log of %s", name, hive);
	return 0;
}

static void
buf_copy(struct buf *dst, const struct buf *src)
{
	dst->len = src->len;
	dst->absent = src->absent;
	dst->d = malloc(src->len ? src->len : 1);
	if (src->len > 0)
		memcpy(dst->d, src->d, src->len);
}

static void
buf_resize(struct buf *b, size_t len)
{
	b->d = realloc(b->d, len ? len : 1);
	if (len > b->len)
		memset(b->d + b->len, 0, len - b->len);
	b->len = len;
}

/* Lays op on the files, only its bytes [from, to) when it is a write. */
static void
lay(struct buf *files, const struct rec_op *op, size_t from, size_t to)
{
	struct buf *f = &files[op->file];

	switch (op->kind) {
	case REC_WRITE:
		if (op->off + to > f->len)
			buf_resize(f, op->off + to);
		memcpy(f->d + op->off + from, op->data + from, to - from);
		f->absent = 0;
		break;
	case REC_SIZE:
		buf_resize(f, op->off);
		f->absent = 0;
		break;
	case REC_REMOVE:
		f->absent = 1;
		buf_resize(f, 0);
		break;
	case REC_SYNC:
		break;
	}
}

/* A crash state: the first k ops, but those `lost` says; the op k-1
 * only [torn_from, torn_to) when torn. */
struct crash {
	size_t k;
	const unsigned char *lost;	/* per op, or NULL */
	int torn;
	size_t torn_from, torn_to;
	char what[96];
};

/* ---- judging a state ---- */

struct outcome {
	const unsigned char *bins;	/* hive bins data */
	uint32_t size, root;
};

static struct outcome
outcome_of(const unsigned char *img, size_t len)
{
	struct outcome o;

	ck_assert_uint_ge(len, REGF_BASE_BLOCK);
	o.size = le32(img + REGF_BB_BINS_SIZE);
	o.root = le32(img + REGF_BB_ROOT);
	ck_assert_uint_ge(len, REGF_BASE_BLOCK + (size_t)o.size);
	o.bins = img + REGF_BASE_BLOCK;
	return o;
}

static int
same_outcome(const struct outcome *a, const struct outcome *b)
{
	return a->size == b->size && a->root == b->root &&
	    memcmp(a->bins, b->bins, a->size) == 0;
}

struct harness {
	struct before before;
	struct recorder rec;
	struct tu_replay old, new;	/* the hive as loaded before, after */
	size_t states;			/* judged */
};

/* Replays the hive and its logs as given (present ones only). */
static void
replay_bufs(struct tu_replay *out, const char *hive, struct buf *files,
	    size_t n_files)
{
	struct log_replay_buf logs[MAX_FILES], h = { hive, files[0].d,
	    files[0].len };
	size_t i, n = 0;

	memset(out, 0, sizeof(*out));
	for (i = 1; i < n_files; i++)
		if (!files[i].absent && files[i].len > 0) {
			logs[n].name = tu_pathf("%s%s", hive, log_suffixes[i - 1]);
			logs[n].data = files[i].d;
			logs[n++].len = files[i].len;
		}
	out->rc = log_replay_buffers(&h, logs, n, 0, &out->img, &out->len,
	    &out->rep, &out->e);
}

static void
judge(struct harness *hs, const struct crash *c)
{
	struct buf files[1 + MAX_FILES];
	struct tu_replay got;
	struct outcome o, old, new;
	size_t i;

	for (i = 0; i < 1 + 3; i++)
		buf_copy(&files[i], &hs->before.files[i]);
	for (i = 0; i < c->k; i++) {
		const struct rec_op *op = &hs->rec.op[i];
		struct rec_op mapped = *op;

		if (c->lost != NULL && c->lost[i])
			continue;
		if (op->file > 0)
			mapped.file = (int)before_index(hs->before.hive,
			    hs->rec.names[op->file - 1]);
		if (c->torn && i == c->k - 1)
			lay(files, &mapped, c->torn_from, c->torn_to);
		else
			lay(files, &mapped, 0, op->len);
	}
	replay_bufs(&got, hs->before.hive, files, 1 + 3);
	ck_assert_msg(got.rc == 0, "crash %s: the hive cannot be loaded: %s",
	    c->what, got.e.msg);
	o = outcome_of(got.img, got.len);
	old = outcome_of(hs->old.img, hs->old.len);
	new = outcome_of(hs->new.img, hs->new.len);
	ck_assert_msg(same_outcome(&o, &old) || same_outcome(&o, &new),
	    "crash %s: the hive loads as neither the old one nor the new one "
	    "(%u bytes of hive bins, root %u; old %u/%u, new %u/%u)", c->what,
	    o.size, o.root, old.size, old.root, new.size, new.root);
	hs->states++;
	tu_replay_free(&got);
	for (i = 0; i < 1 + 3; i++)
		free(files[i].d);
}

/* 1 when op i is a write or size change with no sync of its file after
 * it among the first k ops. */
static int
unsynced(const struct recorder *r, size_t i, size_t k)
{
	size_t j;

	if (r->op[i].kind != REC_WRITE && r->op[i].kind != REC_SIZE)
		return 0;
	for (j = i + 1; j < k; j++)
		if (r->op[j].kind == REC_SYNC && r->op[j].file == r->op[i].file)
			return 0;
	return 1;
}

/* Every crash state after the first k ops. */
static void
judge_point(struct harness *hs, size_t k)
{
	unsigned char *lost = calloc(k + 1, 1);
	struct crash c = { .k = k };
	size_t i, t;

	snprintf(c.what, sizeof(c.what), "after op %zu of %zu", k, hs->rec.n);
	judge(hs, &c);
	c.lost = lost;
	for (i = 0; i < k; i++)
		lost[i] = (unsigned char)unsynced(&hs->rec, i, k);
	snprintf(c.what, sizeof(c.what), "after op %zu, unsynced writes lost", k);
	judge(hs, &c);
	for (i = 0; i < k; i++) {
		if (!unsynced(&hs->rec, i, k))
			continue;
		memset(lost, 0, k);
		lost[i] = 1;
		snprintf(c.what, sizeof(c.what), "after op %zu, op %zu lost", k, i);
		judge(hs, &c);
	}
	c.lost = NULL;
	if (k > 0 && hs->rec.op[k - 1].kind == REC_WRITE) {
		size_t len = hs->rec.op[k - 1].len;

		c.torn = 1;
		for (t = 512; t < len; t += 512) {
			c.torn_from = 0;
			c.torn_to = t;
			snprintf(c.what, sizeof(c.what), "op %zu torn: its first "
			    "%zu bytes", k - 1, t);
			judge(hs, &c);
			c.torn_from = t;
			c.torn_to = len;
			snprintf(c.what, sizeof(c.what), "op %zu torn: its bytes "
			    "from %zu", k - 1, t);
			judge(hs, &c);
		}
	}
	free(lost);
}

/* A run on a store: hp_patch with its options, or hp_rollback. */
struct crash_job {
	const struct hp_patch_opts *patch;	/* NULL: rollback */
};

static void
run_job(struct hp_store *s, const struct crash_job *job)
{
	struct hp_rollback_opts ro = { .backup_root = tu_bk };
	struct hp_rollback *rb;
	struct hp_result *res;
	struct hp_err e = { 0 };

	if (job->patch == NULL) {
		ck_assert_msg(hp_rollback(s, &ro, &rb, &e) == 0, "%s", e.msg);
		hp_rollback_free(rb);
		return;
	}
	ck_assert_msg(hp_patch(s, job->patch, &res, &e) == HP_OK, "%s", e.msg);
	ck_assert_int_eq(res->hives[0].commit, HP_METHOD_LOGGED);
	hp_result_free(res);
}

/* Runs the job on the hive through the recording store and judges every
 * crash state of the run.  Returns the number of states judged. */
static size_t
crash_run_job(const char *hive, const struct crash_job *job)
{
	static struct harness hs;
	struct hp_store *inner, *s;
	struct hp_err e = { 0 };
	size_t k, i;

	memset(&hs, 0, sizeof(hs));
	before_take(&hs.before, hive);
	replay_bufs(&hs.old, hive, hs.before.files, 1 + 3);
	ck_assert_msg(hs.old.rc == 0, "%s", hs.old.e.msg);

	ck_assert_msg(hp_store_open(hive, &inner, &e) == 0, "%s", e.msg);
	hs.rec.inner = inner;
	hs.rec.ops = hp_store_get_ops(inner, &hs.rec.priv);
	ck_assert_msg(hp_store_open_ops(&recording_ops, &hs.rec, hive, &s,
	    &e) == 0, "%s", e.msg);
	run_job(s, job);
	hp_store_close(s);
	ck_assert_msg(!hs.rec.replaced, "the run replaced a file");
	ck_assert_uint_gt(hs.rec.n, 0);

	/* The new hive, as it lies: clean. */
	{
		struct before now;

		before_take(&now, hive);
		replay_bufs(&hs.new, hive, now.files, 1 + 3);
		ck_assert_msg(hs.new.rc == 0 && !hs.new.rep.dirty, "%s",
		    hs.new.e.msg);
		for (i = 0; i < 1 + 3; i++)
			free(now.files[i].d);
	}
	for (k = 0; k <= hs.rec.n; k++)
		judge_point(&hs, k);
	printf("crash: %s: %zu writes, truncations, syncs and removals; %zu "
	    "crash states judged\n", job->patch ? job->patch->command :
	    "rollback", hs.rec.n, hs.states);
	tu_replay_free(&hs.old);
	tu_replay_free(&hs.new);
	for (i = 0; i < 1 + 3; i++)
		free(hs.before.files[i].d);
	recorder_free(&hs.rec);
	return hs.states;
}

static size_t
crash_run(const char *hive, const struct hp_patch_opts *o)
{
	struct crash_job job = { o };

	return crash_run_job(hive, &job);
}

/* ---- the runs ---- */

static const char *const net4[] = { HP_DEFAULT_PROFILE };
static const struct timespec fixed = { 1672531200, 0 };

static struct hp_patch_opts
opts(enum hp_patch_mode mode, const char *const *reg, size_t n_reg)
{
	struct hp_patch_opts o = {
		.command = mode == HP_PATCH_RECOVER ? "recover" : "apply",
		.mode = mode, .profiles = net4,
		.n_profiles = mode == HP_PATCH_APPLY && n_reg == 0 ? 1 : 0,
		.reg_files = reg, .n_reg_files = n_reg,
		.profile_dir = tu_env_required("HIVEPATCH_PROFILE_DIR"),
		.backup_root = tu_bk, .now = &fixed,
	};

	return o;
}

/* A bare hive of mkhive's KIND in the scratch directory. */
static char *
bare(const char *kind)
{
	char *hive = tu_pathf("%s/SOFTWARE", tu_scratch);

	tu_mkhive(kind, hive, 0);
	return hive;
}

/* A .reg file whose values need a new hive bin. */
static const char *
growing_reg(void)
{
	char *text = tu_big_binary_reg("Windows Registry Editor Version 5.00\r\n"
	    "\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchCrash]\r\n", 3, 3000);
	const char *path = tu_pathf("%s/grow.reg", tu_scratch);

	tu_write_text(path, text);
	free(text);
	return path;
}

/* Windows 10 (new-format log) and Windows 7 (old-format): the profile's
 * two values. */
static const char *const kinds[] = { "software64-net48", "software7-64" };

START_TEST(test_every_crash_of_an_apply_leaves_the_old_or_the_new_hive)
{
	struct hp_patch_opts o = opts(HP_PATCH_APPLY, NULL, 0);

	ck_assert_uint_gt(crash_run(bare(kinds[_i]), &o), 20);
}
END_TEST

START_TEST(test_every_crash_of_a_growing_import_leaves_the_old_or_the_new_hive)
{
	const char *reg[1];
	struct hp_patch_opts o;
	char *hive = bare(kinds[_i]);

	reg[0] = growing_reg();
	o = opts(HP_PATCH_APPLY, reg, 1);
	ck_assert_uint_gt(crash_run(hive, &o), 20);
}
END_TEST

/* The logs beside the hive take part: they are emptied after the
 * commit, and a crash at any point of that still loads. */
START_TEST(test_every_crash_with_logs_beside_the_hive)
{
	struct hp_patch_opts o = opts(HP_PATCH_APPLY, NULL, 0);
	char *hive = bare(kinds[_i]);

	tu_write_file(tu_pathf("%s.LOG1", hive), "", 0);
	tu_write_file(tu_pathf("%s.LOG2", hive), "", 0);
	ck_assert_uint_gt(crash_run(hive, &o), 20);
}
END_TEST

/* Rollback writes the old hive back in place through a log of its own,
 * then removes that log: every crash leaves the patched hive or the
 * old one. */
START_TEST(test_every_crash_of_a_rollback_leaves_the_patched_or_the_old_hive)
{
	struct hp_patch_opts o = opts(HP_PATCH_APPLY, NULL, 0);
	struct crash_job rollback = { NULL };
	char *hive = bare(kinds[_i]);
	struct hp_store *s;
	struct hp_result *res;
	struct hp_err e = { 0 };

	ck_assert_msg(hp_store_open(hive, &s, &e) == 0, "%s", e.msg);
	ck_assert_msg(hp_patch(s, &o, &res, &e) == HP_OK, "%s", e.msg);
	hp_result_free(res);
	hp_store_close(s);
	ck_assert_uint_gt(crash_run_job(hive, &rollback), 20);
}
END_TEST

/* A dirty hive (its entries in LOG1 and LOG2, or in LOG2 alone): the
 * commit appends its entry to the log the recovery ends in; every crash
 * leaves the hive as its logs recovered it, or the new one.  Recover
 * and apply, each with both logs and with LOG1 gone. */
START_TEST(test_every_crash_of_a_dirty_hive_whose_recovery_is_continued)
{
	char *clean = tu_pathf("%s/clean", tu_scratch);
	char *hive = tu_pathf("%s/SOFTWARE", tu_scratch);
	struct hp_patch_opts o = opts(_i & 1 ? HP_PATCH_APPLY :
	    HP_PATCH_RECOVER, NULL, 0);

	tu_mkhive("software64-net48", clean, 0);
	tu_mkdirty("new", clean, hive, NULL);
	if (_i & 2)
		ck_assert(unlink(tu_pathf("%s.LOG1", hive)) == 0);
	ck_assert_uint_gt(crash_run(hive, &o), 20);
}
END_TEST

static Suite *
crash_suite(void)
{
	Suite *s = suite_create("crash");
	TCase *tc = tu_tcase(s, "commit_logged");

	tcase_add_loop_test(tc,
	    test_every_crash_of_an_apply_leaves_the_old_or_the_new_hive, 0, 2);
	tcase_add_loop_test(tc,
	    test_every_crash_of_a_growing_import_leaves_the_old_or_the_new_hive,
	    0, 2);
	tcase_add_loop_test(tc, test_every_crash_with_logs_beside_the_hive, 0, 2);
	tcase_add_loop_test(tc,
	    test_every_crash_of_a_rollback_leaves_the_patched_or_the_old_hive,
	    0, 2);
	tcase_add_loop_test(tc,
	    test_every_crash_of_a_dirty_hive_whose_recovery_is_continued, 0, 4);
	return s;
}

int
main(void)
{
	return tu_run_suite(crash_suite(), "test_crash");
}
