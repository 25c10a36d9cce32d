/* Tests of the transaction log replay (src/logreplay.c).
 *
 * Fixtures: a clean hive from $MKHIVE (software64-net48), made dirty with
 * logs by $MKDIRTY (hives/mkdirty.c), which also writes the hive as it
 * must come out (OUT.expected, and OUT.expected.K after the first K of
 * its three log entries).  A replayed image is written to a file and
 * compared with the expected hive by walking both with hivex: every key
 * name, every value name, type and data; never by bytes.
 *
 * With HIVEPATCH_CORPUS set, the dirty hives of the shared corpus are
 * replayed too and compared with the hives Windows recovered itself;
 * without it those tests print a SKIP line on stderr and pass.
 *
 * The files in $TESTS_SRCDIR/fuzz-regressions/ (inputs the fuzz target
 * once crashed on) are replayed through LLVMFuzzerTestOneInput, linked in
 * from fuzz_logreplay.c. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <check.h>
#include <hivex.h>

#include "error.h"
#include "logreplay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Made by main(): the base scratch directory, and in it the clean hive
 * every fixture starts from. */
static char base_dir[PATH_MAX];
static char clean_hive[PATH_MAX + 32];

/* ---- small helpers ---- */

static char *
strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
strf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0, "out of memory");
	return s;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *d;
	long n;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	ck_assert(n >= 0);
	rewind(f);
	d = malloc((size_t)n + 1);
	ck_assert(d != NULL);
	ck_assert_msg(fread(d, 1, (size_t)n, f) == (size_t)n, "%s: short read",
	    path);
	fclose(f);
	*len = (size_t)n;
	return d;
}

static void
write_file(const char *path, const unsigned char *d, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_msg(fwrite(d, 1, len, f) == len, "%s: short write", path);
	ck_assert_msg(fclose(f) == 0, "%s: %s", path, strerror(errno));
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
remove_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory below the base for one test. */
static char *
scratch(void)
{
	char *dir = strf("%s/t-XXXXXX", base_dir);

	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	return dir;
}

/* Runs argv (argv[0] a path); returns its exit status (128+signal when
 * killed). */
static int
run(const char *const *argv)
{
	pid_t pid = fork();
	int st;

	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd >= 0)
			dup2(fd, 0);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	ck_assert(waitpid(pid, &st, 0) == pid);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

static const char *
env_tool(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && *v != '\0', "%s is not set: the test needs "
	    "it (make check sets it; by hand, point it at the binary)", name);
	return v;
}

/* mkdirty [opts...] MODE clean OUT, opts NULL-terminated. */
static char *
mkdirty(const char *dir, const char *mode, const char *name, ...)
	__attribute__((sentinel));

static char *
mkdirty(const char *dir, const char *mode, const char *name, ...)
{
	const char *argv[16];
	char *out = strf("%s/%s", dir, name);
	const char *a;
	va_list ap;
	int n = 0, rc;

	argv[n++] = env_tool("MKDIRTY");
	va_start(ap, name);
	while ((a = va_arg(ap, const char *)) != NULL && n < 12)
		argv[n++] = a;
	va_end(ap);
	argv[n++] = mode;
	argv[n++] = clean_hive;
	argv[n++] = out;
	argv[n] = NULL;
	rc = run(argv);
	ck_assert_msg(rc == 0, "mkdirty %s %s failed with status %d", mode,
	    name, rc);
	return out;
}

/* ---- walking a hive into text ---- */

struct sb {
	char *s;
	size_t len, cap;
};

static void
sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt,
		    ap);
		va_end(ap);
		ck_assert(n >= 0);
		if (b->s != NULL && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		ck_assert(b->s != NULL);
	}
}

struct named {
	char *name;
	uint64_t h;	/* hive_node_h or hive_value_h */
};

static int
cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : strcmp(x->name, y->name);
}

struct walk_count {
	unsigned keys, values;
};

static void
walk(hive_h *h, hive_node_h node, const char *path, int depth, struct sb *out,
     struct walk_count *count)
{
	hive_value_h *vals;
	hive_node_h *kids;
	struct named *list;
	size_t n, i, j;

	ck_assert_msg(depth < 512, "%s: keys nested too deep (a loop?)", path);
	sb_add(out, "K %s\n", path);
	count->keys++;

	vals = hivex_node_values(h, node);
	ck_assert_msg(vals != NULL, "%s: hivex_node_values: %s", path,
	    strerror(errno));
	for (n = 0; vals[n] != 0; n++)
		;
	list = calloc(n + 1, sizeof(*list));
	ck_assert(list != NULL);
	for (i = 0; i < n; i++) {
		list[i].name = hivex_value_key(h, vals[i]);
		ck_assert_msg(list[i].name != NULL, "%s: hivex_value_key: %s",
		    path, strerror(errno));
		list[i].h = vals[i];
	}
	qsort(list, n, sizeof(*list), cmp_named);
	for (i = 0; i < n; i++) {
		hive_type t;
		size_t len;
		char *data = hivex_value_value(h, (hive_value_h)list[i].h, &t,
		    &len);

		ck_assert_msg(data != NULL, "%s: value '%s': %s", path,
		    list[i].name, strerror(errno));
		sb_add(out, "V %s \"%s\" type %d len %zu ", path, list[i].name,
		    (int)t, len);
		for (j = 0; j < len; j++)
			sb_add(out, "%02x", (unsigned char)data[j]);
		sb_add(out, "\n");
		count->values++;
		free(data);
		free(list[i].name);
	}
	free(list);
	free(vals);

	kids = hivex_node_children(h, node);
	ck_assert_msg(kids != NULL, "%s: hivex_node_children: %s", path,
	    strerror(errno));
	for (n = 0; kids[n] != 0; n++)
		;
	list = calloc(n + 1, sizeof(*list));
	ck_assert(list != NULL);
	for (i = 0; i < n; i++) {
		list[i].name = hivex_node_name(h, kids[i]);
		ck_assert_msg(list[i].name != NULL, "%s: hivex_node_name: %s",
		    path, strerror(errno));
		list[i].h = kids[i];
	}
	qsort(list, n, sizeof(*list), cmp_named);
	for (i = 0; i < n; i++) {
		char *sub = strf("%s\\%s", path, list[i].name);

		walk(h, (hive_node_h)list[i].h, sub, depth + 1, out, count);
		free(sub);
		free(list[i].name);
	}
	free(list);
	free(kids);
}

/* Every key and value of a hive, as text (the root is "\"). */
static char *
dump_hive(const char *path, struct walk_count *count)
{
	hive_h *h = hivex_open(path, 0);
	struct sb out = { NULL, 0, 0 };
	struct walk_count c = { 0, 0 };

	ck_assert_msg(h != NULL, "hivex cannot open %s: %s", path,
	    strerror(errno));
	walk(h, hivex_root(h), "", 0, &out, &c);
	hivex_close(h);
	if (count != NULL)
		*count = c;
	return out.s;
}

/* The two hives hold the same keys and values. */
static void
assert_same_hive(const char *got, const char *want)
{
	struct walk_count cg, cw;
	char *a = dump_hive(got, &cg), *b = dump_hive(want, &cw);
	const char *pa = a, *pb = b;

	while (*pa != '\0' && *pa == *pb) {
		pa++;
		pb++;
	}
	if (*pa != *pb) {
		/* Back to the start of the line, for the message. */
		while (pa > a && pa[-1] != '\n') {
			pa--;
			pb--;
		}
		ck_abort_msg("%s (%u keys, %u values) differs from %s (%u keys, "
		    "%u values):\n  got:  %.200s\n  want: %.200s", got, cg.keys,
		    cg.values, want, cw.keys, cw.values, pa, pb);
	}
	free(a);
	free(b);
}

static void
assert_differ(const char *got, const char *want)
{
	char *a = dump_hive(got, NULL), *b = dump_hive(want, NULL);

	ck_assert_msg(strcmp(a, b) != 0, "%s and %s hold the same keys and "
	    "values", got, want);
	free(a);
	free(b);
}

/* ---- replaying ---- */

struct replay {
	int rc;
	struct hp_err e;
	struct log_replay_report rep;
	unsigned char *img;
	size_t len;
	char *out;	/* the image written to a file (rc 0) */
};

/* log_replay(hive, logs...) with the logs NULL-terminated; on success the
 * image goes to hive + ".replayed" and its base block is checked. */
static void
replay(struct replay *r, const char *hive, ...) __attribute__((sentinel));

static void
replay(struct replay *r, const char *hive, ...)
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
	r->rc = log_replay(hive, logs, n, &r->img, &r->len, &r->rep, &r->e);
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
	r->out = strf("%s.replayed", hive);
	write_file(r->out, r->img, r->len);
}

static void
replay_free(struct replay *r)
{
	free(r->img);
	free(r->out);
	log_replay_report_free(&r->rep);
}

#define ASSERT_OK(r) \
	ck_assert_msg((r)->rc == 0, "log_replay failed: %s", (r)->e.msg)

#define ASSERT_REFUSED(r) do {						\
	ck_assert_msg((r)->rc == -1, "log_replay succeeded, expected a "\
	    "refusal");							\
	ck_assert_msg((r)->e.status == HP_REFUSED, "status %d (%s), "	\
	    "expected HP_REFUSED", (int)(r)->e.status, (r)->e.msg);	\
} while (0)

#define ASSERT_HAS(text, sub) \
	ck_assert_msg(strstr((text), (sub)) != NULL, "'%s' lacks '%s'",	\
	    (text), (sub))

/* ---- the fixtures, replayed ---- */

START_TEST(test_new_format)
{
	char *dir = scratch(), *out = mkdirty(dir, "new", "SOFTWARE", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	char *want = strf("%s.expected", out);
	struct replay r;

	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.dirty, 1);
	ck_assert_int_eq(r.rep.format, LOG_FORMAT_NEW);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_uint_ge(r.rep.pages_applied, 3);
	ck_assert_uint_eq(r.rep.n_logs_used, 2);
	ck_assert_str_eq(r.rep.logs_used[0], l1);
	ck_assert_str_eq(r.rep.logs_used[1], l2);
	ck_assert_uint_eq(r.rep.seq_before_primary, 3);
	ck_assert_uint_eq(r.rep.seq_before_secondary, 2);
	ck_assert_uint_eq(r.rep.seq_after, 4);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	ck_assert_int_eq(r.rep.base_block_recovered, 0);
	/* The hive grew: the hive bins data size of the last entry. */
	{
		size_t wl;
		unsigned char *w = read_file(want, &wl);

		ck_assert_uint_eq(le32(r.img + 40), le32(w + 40));
		ck_assert_uint_gt(le32(r.img + 40), 3 * 4096);
		free(w);
	}
	assert_same_hive(r.out, want);
	/* And the stale primary alone is not that hive. */
	assert_differ(out, want);
	replay_free(&r);
	free(l1);
	free(l2);
	free(want);
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_new_format_log_order_given)
{
	/* The order the logs are given in does not matter. */
	char *dir = scratch(), *out = mkdirty(dir, "new", "SOFTWARE", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	char *want = strf("%s.expected", out);
	struct replay r;

	replay(&r, out, l2, l1, NULL);
	ASSERT_OK(&r);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_str_eq(r.rep.logs_used[0], l1);
	ck_assert_str_eq(r.rep.logs_used[1], l2);
	assert_same_hive(r.out, want);
	replay_free(&r);
	free(l1);
	free(l2);
	free(want);
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_old_format)
{
	char *dir = scratch(), *out = mkdirty(dir, "old", "SOFTWARE", NULL);
	char *l1 = strf("%s.LOG1", out), *want = strf("%s.expected", out);
	struct replay r;

	replay(&r, out, l1, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.dirty, 1);
	ck_assert_int_eq(r.rep.format, LOG_FORMAT_OLD);
	ck_assert_uint_eq(r.rep.entries_applied, 0);
	ck_assert_uint_gt(r.rep.pages_applied, 0);
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_str_eq(r.rep.logs_used[0], l1);
	ck_assert_uint_eq(r.rep.seq_after, 3);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	assert_same_hive(r.out, want);
	assert_differ(out, want);
	replay_free(&r);
	free(l1);
	free(want);
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_clean_unchanged)
{
	char *dir = scratch(), *out = mkdirty(dir, "new", "SOFTWARE", NULL);
	char *orig = strf("%s.orig", out), *l1 = strf("%s.LOG1", out);
	char *l2 = strf("%s.LOG2", out);
	unsigned char *d;
	size_t len;
	struct replay r;

	/* A clean hive is used as it is, even beside logs holding later
	 * entries (Windows ignores them). */
	replay(&r, orig, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.dirty, 0);
	ck_assert_int_eq(r.rep.format, LOG_FORMAT_NONE);
	ck_assert_uint_eq(r.rep.n_logs_used, 0);
	ck_assert_uint_eq(r.rep.entries_applied, 0);
	ck_assert_uint_eq(r.rep.seq_after, r.rep.seq_before_primary);
	d = read_file(orig, &len);
	ck_assert_uint_eq(r.len, len);
	ck_assert(memcmp(r.img, d, len) == 0);
	free(d);
	replay_free(&r);

	/* Without logs too; and the logs are not even read. */
	replay(&r, orig, "/nonexistent/HIVE.LOG1", NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.dirty, 0);
	replay_free(&r);
	free(orig);
	free(l1);
	free(l2);
	free(out);
	free(dir);
}
END_TEST

/* Offset of the second HvLE entry of a new-format log. */
static size_t
second_entry(const char *log)
{
	size_t len, off;
	unsigned char *d = read_file(log, &len);

	ck_assert(len > 552 && memcmp(d + 512, "HvLE", 4) == 0);
	off = 512 + le32(d + 516);
	ck_assert(off + 40 < len && memcmp(d + off, "HvLE", 4) == 0);
	free(d);
	return off;
}

START_TEST(test_truncated_new)
{
	char *dir = scratch(), *good = mkdirty(dir, "new", "GOOD", NULL);
	char *gl1 = strf("%s.LOG1", good);
	char *cut = strf("%zu", second_entry(gl1) + 1000);
	char *out = mkdirty(dir, "new", "CUT", "--truncate-log", cut, NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	char *want = strf("%s.expected.1", out);
	struct replay r;

	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.stopped_early, 1);
	ck_assert_uint_eq(r.rep.entries_applied, 1);
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_uint_eq(r.rep.seq_after, 2);
	ASSERT_HAS(r.rep.stop_reason, "CUT.LOG1");
	ASSERT_HAS(r.rep.stop_reason, "truncated");
	assert_same_hive(r.out, want);
	replay_free(&r);

	/* Cut inside the first entry: nothing trustworthy is left. */
	free(out);
	free(l1);
	free(l2);
	out = mkdirty(dir, "new", "CUT0", "--truncate-log", "1000", NULL);
	l1 = strf("%s.LOG1", out);
	l2 = strf("%s.LOG2", out);
	replay(&r, out, l1, l2, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, out);
	ASSERT_HAS(r.e.msg, l1);
	ASSERT_HAS(r.e.msg, "truncated");
	replay_free(&r);
	free(want);
	free(cut);
	free(gl1);
	free(good);
	free(out);
	free(l1);
	free(l2);
	free(dir);
}
END_TEST

START_TEST(test_truncated_old)
{
	char *dir = scratch();
	char *out = mkdirty(dir, "old", "CUT", "--truncate-log", "1000", NULL);
	char *l1 = strf("%s.LOG1", out);
	struct replay r;
	size_t len;
	unsigned char *d;
	char *cut;

	/* The dirty vector is there, no page: refused. */
	replay(&r, out, l1, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, l1);
	ASSERT_HAS(r.e.msg, "truncated");
	replay_free(&r);

	/* Cut before the pages of the last hive bins: the earlier bins are
	 * applied, and the stop reported. */
	free(out);
	free(l1);
	out = mkdirty(dir, "old", "FULL", NULL);
	l1 = strf("%s.LOG1", out);
	d = read_file(l1, &len);
	free(d);
	cut = strf("%zu", len - 4096 - 100);
	free(out);
	free(l1);
	out = mkdirty(dir, "old", "CUT2", "--truncate-log", cut, NULL);
	l1 = strf("%s.LOG1", out);
	replay(&r, out, l1, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.format, LOG_FORMAT_OLD);
	ck_assert_int_eq(r.rep.stopped_early, 1);
	ck_assert_uint_gt(r.rep.pages_applied, 0);
	ASSERT_HAS(r.rep.stop_reason, "CUT2.LOG1");
	ASSERT_HAS(r.rep.stop_reason, "truncated");
	replay_free(&r);
	free(cut);
	free(out);
	free(l1);
	free(dir);
}
END_TEST

START_TEST(test_corrupt_entry)
{
	char *dir = scratch();
	char *out = mkdirty(dir, "new", "C2", "--corrupt-entry", "2", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	char *want = strf("%s.expected.1", out);
	struct replay r;

	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.stopped_early, 1);
	ck_assert_uint_eq(r.rep.entries_applied, 1);
	ASSERT_HAS(r.rep.stop_reason, "C2.LOG1");
	ASSERT_HAS(r.rep.stop_reason, "hash");
	assert_same_hive(r.out, want);
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);
	free(want);

	/* The third entry, in LOG2: LOG1's two are applied. */
	out = mkdirty(dir, "new", "C3", "--corrupt-entry", "3", NULL);
	l1 = strf("%s.LOG1", out);
	l2 = strf("%s.LOG2", out);
	want = strf("%s.expected.2", out);
	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.stopped_early, 1);
	ck_assert_uint_eq(r.rep.entries_applied, 2);
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_uint_eq(r.rep.seq_after, 3);
	ASSERT_HAS(r.rep.stop_reason, "C3.LOG2");
	ASSERT_HAS(r.rep.stop_reason, "hash");
	assert_same_hive(r.out, want);
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);
	free(want);

	/* A header field only Hash-2 covers (the flags of LOG2's entry). */
	out = mkdirty(dir, "new", "H2", NULL);
	l1 = strf("%s.LOG1", out);
	l2 = strf("%s.LOG2", out);
	want = strf("%s.expected.2", out);
	{
		size_t len;
		unsigned char *d = read_file(l2, &len);

		ck_assert(len > 552 && memcmp(d + 512, "HvLE", 4) == 0);
		d[512 + 8] ^= 1;
		write_file(l2, d, len);
		free(d);
	}
	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.stopped_early, 1);
	ck_assert_uint_eq(r.rep.entries_applied, 2);
	ASSERT_HAS(r.rep.stop_reason, "H2.LOG2");
	ASSERT_HAS(r.rep.stop_reason, "hash");
	assert_same_hive(r.out, want);
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);
	free(want);

	/* The first entry: refused, naming the files. */
	out = mkdirty(dir, "new", "C1", "--corrupt-entry", "1", NULL);
	l1 = strf("%s.LOG1", out);
	l2 = strf("%s.LOG2", out);
	replay(&r, out, l1, l2, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, out);
	ASSERT_HAS(r.e.msg, l1);
	ASSERT_HAS(r.e.msg, "hash");
	ck_assert_msg(strchr(r.e.msg, '\n') == NULL, "message on one line");
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);
	free(dir);
}
END_TEST

START_TEST(test_gap)
{
	char *dir = scratch(), *out = mkdirty(dir, "new", "GAP", "--gap", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	char *want = strf("%s.expected.1", out);
	struct replay r;

	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.stopped_early, 1);
	ck_assert_uint_eq(r.rep.entries_applied, 1);
	ck_assert_uint_eq(r.rep.seq_after, 2);
	ASSERT_HAS(r.rep.stop_reason, "GAP.LOG1");
	ASSERT_HAS(r.rep.stop_reason, "gap");
	assert_same_hive(r.out, want);
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);
	free(want);
	free(dir);
}
END_TEST

START_TEST(test_wrong_hive)
{
	char *dir = scratch();
	char *out = mkdirty(dir, "new", "WN", "--wrong-hive", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	struct replay r;

	replay(&r, out, l1, l2, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, out);
	ASSERT_HAS(r.e.msg, l1);
	ASSERT_HAS(r.e.msg, l2);
	ASSERT_HAS(r.e.msg, "another hive");
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);

	out = mkdirty(dir, "old", "WO", "--wrong-hive", NULL);
	l1 = strf("%s.LOG1", out);
	replay(&r, out, l1, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, l1);
	ASSERT_HAS(r.e.msg, "another hive");
	replay_free(&r);
	free(out);
	free(l1);
	free(dir);
}
END_TEST

START_TEST(test_no_logs)
{
	char *dir = scratch(), *out = mkdirty(dir, "new", "NOLOG", NULL);
	char *l1 = strf("%s.LOG1", out);
	struct replay r;

	replay(&r, out, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, out);
	ASSERT_HAS(r.e.msg, "no transaction log");
	ck_assert_int_eq(r.rep.dirty, 1);
	replay_free(&r);

	/* Only logs that are not logs (the hive itself, a copy of it). */
	replay(&r, out, out, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "not a transaction log");
	replay_free(&r);

	/* An unreadable log is an I/O error naming it. */
	replay(&r, out, l1, "/nonexistent/NOLOG.LOG2", NULL);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_int_eq(r.e.status, HP_IOERR);
	ASSERT_HAS(r.e.msg, "/nonexistent/NOLOG.LOG2");
	replay_free(&r);
	free(l1);
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_remnants)
{
	/* Entries of an earlier cycle after the last one written: the
	 * normal end of a log, not a stop. */
	char *dir = scratch();
	char *out = mkdirty(dir, "new", "RE", "--remnants", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	char *want = strf("%s.expected", out);
	struct replay r;

	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_uint_eq(r.rep.n_logs_used, 2);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	assert_same_hive(r.out, want);
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);
	free(want);

	/* Old format, pages marked one 512-byte sector at a time. */
	out = mkdirty(dir, "old", "FINE", "--fine-vector", NULL);
	l1 = strf("%s.LOG1", out);
	want = strf("%s.expected", out);
	replay(&r, out, l1, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	assert_same_hive(r.out, want);
	replay_free(&r);
	free(out);
	free(l1);
	free(want);
	free(dir);
}
END_TEST

START_TEST(test_choice_swapped)
{
	/* Windows had switched logs: the older entries are in LOG2.  The
	 * log with the lower sequence number goes first. */
	char *dir = scratch();
	char *out = mkdirty(dir, "new", "SW", "--swap-logs", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	char *want = strf("%s.expected", out);
	struct replay r;

	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_uint_eq(r.rep.n_logs_used, 2);
	ck_assert_str_eq(r.rep.logs_used[0], l2);
	ck_assert_str_eq(r.rep.logs_used[1], l1);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	assert_same_hive(r.out, want);
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);
	free(want);
	free(dir);
}
END_TEST

START_TEST(test_choice_stale_log2)
{
	/* LOG2 holds valid entries older than the hive: not applied (they
	 * would wreck the first hive bin). */
	char *dir = scratch();
	char *out = mkdirty(dir, "new", "ST", "--stale-log2", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	char *want = strf("%s.expected", out);
	struct replay r;

	replay(&r, out, l2, l1, NULL);
	ASSERT_OK(&r);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_str_eq(r.rep.logs_used[0], l1);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	assert_same_hive(r.out, want);
	replay_free(&r);

	/* LOG2 alone is too old: refused, saying so. */
	replay(&r, out, l2, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, l2);
	ASSERT_HAS(r.e.msg, "older than the hive");
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);
	free(want);
	free(dir);
}
END_TEST

START_TEST(test_bad_base_block)
{
	char *dir = scratch();
	char *out = mkdirty(dir, "new", "BN", "--bad-base-block", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	char *want = strf("%s.expected", out);
	struct replay r;

	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.base_block_recovered, 1);
	ck_assert_int_eq(r.rep.format, LOG_FORMAT_NEW);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_str_eq(r.rep.logs_used[0], l2);
	assert_same_hive(r.out, want);
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);
	free(want);

	out = mkdirty(dir, "old", "BO", "--bad-base-block", NULL);
	l1 = strf("%s.LOG1", out);
	want = strf("%s.expected", out);
	replay(&r, out, l1, NULL);
	ASSERT_OK(&r);
	ck_assert_int_eq(r.rep.base_block_recovered, 1);
	ck_assert_int_eq(r.rep.format, LOG_FORMAT_OLD);
	assert_same_hive(r.out, want);
	replay_free(&r);

	/* No log: refused, saying the base block is damaged. */
	replay(&r, out, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "damaged");
	replay_free(&r);
	free(out);
	free(l1);
	free(want);
	free(dir);
}
END_TEST

/* Changes the base block of a file: n bytes at off, checksum fixed. */
static void
patch_base_block(const char *path, size_t off, const void *bytes, size_t n)
{
	size_t len;
	unsigned char *d = read_file(path, &len);

	ck_assert(len >= 512 && off + n <= 508);
	memcpy(d + off, bytes, n);
	regf_checksum_set(d);
	write_file(path, d, len);
	free(d);
}

START_TEST(test_identity)
{
	/* Logs of this hive written at another time (same file name) are
	 * accepted, as Windows would; other resource manager GUIDs and
	 * another time mean another hive. */
	char *dir = scratch(), *out = mkdirty(dir, "new", "ID", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	char *want = strf("%s.expected", out);
	static const unsigned char later[8] = { 1, 2, 3, 4, 5, 6, 7, 1 };
	unsigned char guid[16];
	struct replay r;

	patch_base_block(l1, 12, later, 8);
	patch_base_block(l2, 12, later, 8);
	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	ck_assert_uint_eq(r.rep.entries_applied, 3);
	assert_same_hive(r.out, want);
	replay_free(&r);

	/* A GUID set on one side only: still accepted. */
	memset(guid, 0x5a, sizeof(guid));
	patch_base_block(l1, 112, guid, 16);
	patch_base_block(l2, 112, guid, 16);
	replay(&r, out, l1, l2, NULL);
	ASSERT_OK(&r);
	replay_free(&r);

	/* Both set, and different: refused. */
	memset(guid, 0xa5, sizeof(guid));
	patch_base_block(out, 112, guid, 16);
	replay(&r, out, l1, l2, NULL);
	ASSERT_REFUSED(&r);
	ASSERT_HAS(r.e.msg, "another hive");
	replay_free(&r);
	free(out);
	free(l1);
	free(l2);
	free(want);
	free(dir);
}
END_TEST

START_TEST(test_not_a_hive)
{
	char *dir = scratch(), *p = strf("%s/garbage", dir);
	unsigned char junk[8192];
	struct replay r;
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7 + 3);
	write_file(p, junk, sizeof(junk));
	replay(&r, p, NULL);
	ck_assert_int_eq(r.rc, -1);
	ck_assert_int_eq(r.e.status, HP_IOERR);
	ASSERT_HAS(r.e.msg, p);
	replay_free(&r);
	write_file(p, junk, 100);
	replay(&r, p, NULL);
	ck_assert_int_eq(r.e.status, HP_IOERR);
	replay_free(&r);
	replay(&r, dir, NULL);
	ck_assert_int_eq(r.e.status, HP_IOERR);
	replay_free(&r);
	free(p);
	free(dir);
}
END_TEST

START_TEST(test_image_bound)
{
	/* The in-memory entry point refuses to grow past its bound. */
	char *dir = scratch(), *out = mkdirty(dir, "new", "B", NULL);
	char *l1 = strf("%s.LOG1", out), *l2 = strf("%s.LOG2", out);
	struct log_replay_buf hive, logs[2];
	struct log_replay_report rep;
	struct hp_err e;
	unsigned char *img, *d[3];
	size_t len;
	int rc;

	d[0] = read_file(out, &hive.len);
	d[1] = read_file(l1, &logs[0].len);
	d[2] = read_file(l2, &logs[1].len);
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
	/* Room for the first two entries (no growth past 20 KiB). */
	rc = log_replay_buffers(&hive, logs, 2, 20480, &img, &len, &rep, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_int_eq(rep.stopped_early, 1);
	ck_assert_uint_eq(rep.entries_applied, 2);
	ASSERT_HAS(rep.stop_reason, "limit");
	free(img);
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

	ck_assert(hp_marvin32(NULL, 0, seed) == 0x30ED35C100CD3C7Dull);
	ck_assert(hp_marvin32(&af, 1, seed) == 0x48E73FC77D75DDC1ull);
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

/* ---- fuzz regressions ---- */

START_TEST(test_fuzz_regressions)
{
	const char *src = getenv("TESTS_SRCDIR");
	char *dir = strf("%s/fuzz-regressions", src && *src ? src : "tests");
	DIR *dp = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	if (dp == NULL) {
		fprintf(stderr, "SKIP: test_logreplay: no %s (set "
		    "TESTS_SRCDIR): fuzz regressions not replayed\n", dir);
		free(dir);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		char *p;
		unsigned char *d;
		size_t len;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		p = strf("%s/%s", dir, de->d_name);
		d = read_file(p, &len);
		LLVMFuzzerTestOneInput(d, len);
		free(d);
		free(p);
		n++;
	}
	closedir(dp);
	fprintf(stderr, "test_logreplay: %u fuzz regression input(s) replayed\n",
	    n);
	free(dir);
}
END_TEST

/* ---- the shared corpus: Windows' own results ---- */

static const char *
corpus(void)
{
	const char *c = getenv("HIVEPATCH_CORPUS");
	struct stat st;

	if (c == NULL || *c == '\0' || stat(c, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return c;
}

/* Replays CORPUS/sub/name with the logs given and writes the image into a
 * scratch directory (the corpus is only read). */
static int
corpus_replay(struct replay *r, const char *sub, const char *name,
	      const char *log1, const char *log2)
{
	const char *c = corpus();
	char *dir, *hive, *l1, *l2 = NULL, *copy;

	if (c == NULL) {
		fprintf(stderr, "SKIP: test_logreplay: HIVEPATCH_CORPUS is not "
		    "set or missing: %s/%s not replayed\n", sub, name);
		return 0;
	}
	dir = scratch();
	hive = strf("%s/%s/%s", c, sub, name);
	l1 = strf("%s/%s/%s", c, sub, log1);
	if (log2 != NULL)
		l2 = strf("%s/%s/%s", c, sub, log2);
	memset(r, 0, sizeof(*r));
	if (l2 != NULL)
		r->rc = log_replay(hive, (char *[]){ l1, l2 }, 2, &r->img,
		    &r->len, &r->rep, &r->e);
	else
		r->rc = log_replay(hive, (char *[]){ l1 }, 1, &r->img, &r->len,
		    &r->rep, &r->e);
	ck_assert_msg(r->rc == 0, "%s: %s", hive, r->e.msg);
	ck_assert(regf_checksum_ok(r->img));
	copy = strf("%s/%s.replayed", dir, name);
	write_file(copy, r->img, r->len);
	r->out = copy;
	free(hive);
	free(l1);
	free(l2);
	free(dir);
	return 1;
}

START_TEST(test_corpus_newformat)
{
	struct replay r;
	char *windows;

	if (!corpus_replay(&r, "dirty/newformat-yarp", "NewDirtyHive",
	    "NewDirtyHive.LOG1", "NewDirtyHive.LOG2"))
		return;
	ck_assert_int_eq(r.rep.dirty, 1);
	ck_assert_int_eq(r.rep.format, LOG_FORMAT_NEW);
	ck_assert_uint_eq(r.rep.n_logs_used, 2);
	ck_assert_uint_eq(r.rep.entries_applied, 4);
	ck_assert_uint_eq(r.rep.seq_before_primary, 3);
	ck_assert_uint_eq(r.rep.seq_before_secondary, 2);
	ck_assert_uint_eq(r.rep.seq_after, 5);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	windows = strf("%s/dirty/newformat-yarp/"
	    "NewDirtyHive.recovered-by-windows10", corpus());
	assert_same_hive(r.out, windows);
	free(windows);
	windows = strf("%s/dirty/newformat-yarp/NewDirtyHive", corpus());
	assert_differ(r.out, windows);
	free(windows);
	replay_free(&r);
}
END_TEST

START_TEST(test_corpus_oldformat)
{
	struct replay r;
	char *windows;

	if (!corpus_replay(&r, "dirty/oldformat-yarp", "OldDirtyHive",
	    "OldDirtyHive.LOG1", NULL))
		return;
	ck_assert_int_eq(r.rep.format, LOG_FORMAT_OLD);
	ck_assert_uint_eq(r.rep.n_logs_used, 1);
	ck_assert_uint_gt(r.rep.pages_applied, 0);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	windows = strf("%s/dirty/oldformat-yarp/"
	    "OldDirtyHive.recovered-by-windows7", corpus());
	assert_same_hive(r.out, windows);
	free(windows);
	windows = strf("%s/dirty/oldformat-yarp/OldDirtyHive", corpus());
	assert_differ(r.out, windows);
	free(windows);
	replay_free(&r);
}
END_TEST

START_TEST(test_corpus_usrclass)
{
	struct replay r;
	struct walk_count c;
	char *text;

	if (!corpus_replay(&r, "dirty/usrclass-win10", "UsrClass.dat",
	    "UsrClass.dat.LOG1", "UsrClass.dat.LOG2"))
		return;
	ck_assert_int_eq(r.rep.format, LOG_FORMAT_NEW);
	ck_assert_uint_eq(r.rep.n_logs_used, 2);
	ck_assert_uint_eq(r.rep.entries_applied, 14);
	ck_assert_uint_eq(r.rep.seq_after, 300);
	ck_assert_int_eq(r.rep.stopped_early, 0);
	text = dump_hive(r.out, &c);
	ck_assert_uint_gt(c.keys, 1000);
	free(text);
	replay_free(&r);
}
END_TEST

static Suite *
logreplay_suite(void)
{
	Suite *s = suite_create("logreplay");
	TCase *tc = tcase_create("fixtures");
	TCase *tcc = tcase_create("corpus");

	tcase_set_timeout(tc, 120);
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
	tcase_add_test(tc, test_fuzz_regressions);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tcc, 300);
	tcase_add_test(tcc, test_corpus_newformat);
	tcase_add_test(tcc, test_corpus_oldformat);
	tcase_add_test(tcc, test_corpus_usrclass);
	suite_add_tcase(s, tcc);
	return s;
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	const char *mkhive = getenv("MKHIVE");
	const char *argv[4];
	SRunner *runner;
	int failed, rc;

	snprintf(base_dir, sizeof(base_dir), "%s/test_logreplay-XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(base_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(clean_hive, sizeof(clean_hive), "%s/clean-SOFTWARE", base_dir);
	if (mkhive == NULL || *mkhive == '\0' || getenv("MKDIRTY") == NULL) {
		fprintf(stderr, "test_logreplay: MKHIVE and MKDIRTY must name "
		    "the fixture generators (make check sets them)\n");
		remove_tree(base_dir);
		return 1;
	}
	argv[0] = mkhive;
	argv[1] = "software64-net48";
	argv[2] = clean_hive;
	argv[3] = NULL;
	{
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			execv(argv[0], (char *const *)argv);
			_exit(127);
		}
		rc = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0;
	}
	if (!rc) {
		fprintf(stderr, "test_logreplay: %s software64-net48 failed\n",
		    mkhive);
		remove_tree(base_dir);
		return 1;
	}

	runner = srunner_create(logreplay_suite());
	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	remove_tree(base_dir);
	return failed == 0 ? 0 : 1;
}
