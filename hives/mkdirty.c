/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mkdirty: make dirty registry hives with transaction logs, for the
 * hivepatch log replay tests.
 *
 *     mkdirty [OPTIONS] new|old CLEAN_HIVE OUT
 *
 * From a clean hive (e.g. one written by mkhive) it makes three sets of
 * changes through hivex and commits each to OUT.expected.1, .2 and .3
 * (the hive after the first, the first two, all three).  OUT.expected is
 * the last of them.  It then writes:
 *
 *   OUT        the stale primary: the clean hive's bytes, with its base
 *              block made dirty (primary sequence number S+1, secondary
 *              S, where S was both) and its checksum fixed;
 *   OUT.orig   a copy of the clean hive;
 *   OUT.LOG1   (and for "new" OUT.LOG2) the changes as a transaction log:
 *     new: one HvLE log entry per set of changes, sequence numbers S,
 *          S+1, S+2, with their Marvin32 hashes; by default the first two
 *          entries are in OUT.LOG1 and the third in OUT.LOG2;
 *     old: base block (sequence numbers S+1), dirty vector and dirty
 *          pages, for all the changes at once (Windows XP to 7 style).
 *
 * Replaying OUT with its logs must give a hive equal, key for key and
 * value for value, to OUT.expected.  The options make bad or unusual
 * logs:
 *
 *   --truncate-log N   cut OUT.LOG1 to N bytes
 *   --corrupt-entry K  (new) flip a byte in the pages of entry K (1 to 3)
 *                      after hashing it, so its hash fails
 *   --claim MIB        (new) the last entry says the hive's bins hold MIB
 *                      MiB, far more than its pages: a log that claims a
 *                      huge hive
 *   --gap              (new) the second entry's sequence number skips one
 *                      (S+2 instead of S+1; the third gets S+3)
 *   --wrong-hive       the logs' base blocks name another file and carry
 *                      another last written time: another hive's logs
 *   --swap-logs        (new) the first two entries go to OUT.LOG2 and the
 *                      third to OUT.LOG1, as after Windows switched logs
 *   --stale-log2       (new) all entries go to OUT.LOG1; OUT.LOG2 holds
 *                      two valid but old entries (sequence numbers S-3,
 *                      S-2) whose pages would break the hive if applied
 *   --remnants         (new) both logs go on, after their entries, with
 *                      the two old entries of --stale-log2, as a log
 *                      Windows reused holds an earlier cycle's entries
 *   --fine-vector      (old) mark and log only the 512-byte pages that
 *                      changed (Windows marks whole 4096-byte blocks)
 *   --bad-base-block   the primary's base block checksum is made wrong,
 *                      so the base block must be recovered from a log;
 *                      for new, all entries go to OUT.LOG2 and OUT.LOG1
 *                      holds the stale entries (Windows then uses the
 *                      log with the higher sequence number)
 *
 * The changes: add key MkDirty with subkeys Alpha and Beta and values of
 * several types; then delete a value of Alpha, delete Beta, change and
 * delete values of the first existing key with two values or more; then
 * add MkDirty\Big with two 3000-byte binary values, which need new hive bins.
 * The output is deterministic for a given input.
 *
 * Exit status 0 on success; on failure a message on stderr, status 1, and
 * no output files left behind.
 */

#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <hivex.h>

#include "error.h"
#include "logwrite.h"
#include "regf.h"

#define N_STAGES	3


struct buf {
	unsigned char *d;
	size_t len;
};

static const char *progname = "mkdirty";

/* Outputs written so far, removed if we fail. */
static char *outputs[16];
static size_t n_outputs;

static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < n_outputs; i++) {
		unlink(outputs[i]);
		free(outputs[i]);
	}
	n_outputs = 0;
}

static void
die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup();
	exit(1);
}

static void *
xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

static char *
pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
pathf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory");
	return s;
}

static void
track(const char *path)
{
	if (n_outputs == sizeof(outputs) / sizeof(outputs[0]))
		die("internal: too many outputs");
	outputs[n_outputs] = strdup(path);
	if (outputs[n_outputs] == NULL)
		die("out of memory");
	n_outputs++;
}

static struct buf
read_all(const char *path)
{
	struct buf b = { NULL, 0 };
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		die("%s: not a regular file", path);
	if ((uint64_t)st.st_size > 256u * 1024 * 1024)
		die("%s: too big for a fixture", path);
	b.len = (size_t)st.st_size;
	b.d = xmalloc(b.len);
	while (got < b.len) {
		ssize_t r = read(fd, b.d + got, b.len - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("%s: %s", path, r < 0 ? strerror(errno) :
			    "shorter than expected");
		got += (size_t)r;
	}
	close(fd);
	return b;
}

/* Writes a file (replacing any), tracked for cleanup; refuses to write
 * over anything that is not a regular file. */
static void
write_all(const char *path, const unsigned char *d, size_t len)
{
	struct stat st;
	size_t done = 0;
	int fd;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		die("%s: exists and is not a regular file", path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	track(path);
	while (done < len) {
		ssize_t w = write(fd, d + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("%s: %s", path, strerror(errno));
		done += (size_t)w;
	}
	if (close(fd) != 0)
		die("%s: %s", path, strerror(errno));
}

/* ---- changes through hivex ---- */

/* ASCII to REG_SZ data (UTF-16LE with the NUL). */
static unsigned char *
utf16(const char *s, size_t *len)
{
	size_t n = strlen(s), i;
	unsigned char *d = xmalloc(2 * n + 2);

	for (i = 0; i < n; i++)
		d[2 * i] = (unsigned char)s[i];
	*len = 2 * n + 2;
	return d;
}

static void
set_value(hive_h *h, hive_node_h node, const char *name, hive_type t,
	  const void *data, size_t len)
{
	hive_set_value v;

	v.key = (char *)name;
	v.t = t;
	v.len = len;
	v.value = (char *)data;
	if (hivex_node_set_value(h, node, &v, 0) != 0)
		die("hivex_node_set_value %s: %s", name, strerror(errno));
}

static void
set_sz(hive_h *h, hive_node_h node, const char *name, const char *text)
{
	size_t len;
	unsigned char *d = utf16(text, &len);

	set_value(h, node, name, hive_t_REG_SZ, d, len);
	free(d);
}

static void
set_dword(hive_h *h, hive_node_h node, const char *name, uint32_t v)
{
	unsigned char d[4];

	put_le32(d, v);
	set_value(h, node, name, hive_t_REG_DWORD, d, 4);
}

static hive_node_h
add_key(hive_h *h, hive_node_h parent, const char *name)
{
	hive_node_h n = hivex_node_get_child(h, parent, name);

	if (n != 0)
		return n;
	n = hivex_node_add_child(h, parent, name);
	if (n == 0)
		die("hivex_node_add_child %s: %s", name, strerror(errno));
	return n;
}

/* Deletes one value (by name, case-insensitively) of node: hivex can only
 * replace a key's whole set of values. */
static void
delete_value(hive_h *h, hive_node_h node, const char *name)
{
	hive_value_h *vals = hivex_node_values(h, node);
	hive_set_value *keep;
	size_t n = 0, k = 0, i;

	if (vals == NULL)
		die("hivex_node_values: %s", strerror(errno));
	while (vals[n] != 0)
		n++;
	keep = xmalloc((n ? n : 1) * sizeof(*keep));
	for (i = 0; i < n; i++) {
		char *key = hivex_value_key(h, vals[i]);
		hive_type t;
		size_t len;
		char *data;

		if (key == NULL)
			die("hivex_value_key: %s", strerror(errno));
		if (strcasecmp(key, name) == 0) {
			free(key);
			continue;
		}
		data = hivex_value_value(h, vals[i], &t, &len);
		if (data == NULL)
			die("hivex_value_value: %s", strerror(errno));
		keep[k].key = key;
		keep[k].t = t;
		keep[k].len = len;
		keep[k].value = data;
		k++;
	}
	if (k == n)
		die("delete_value: no value named %s", name);
	if (hivex_node_set_values(h, node, k, keep, 0) != 0)
		die("hivex_node_set_values: %s", strerror(errno));
	for (i = 0; i < k; i++) {
		free(keep[i].key);
		free(keep[i].value);
	}
	free(keep);
	free(vals);
}

/* The first key (depth first, children in hivex's order) below the root,
 * other than MkDirty, with at least two values; 0 when none. */
static hive_node_h
find_key_with_values(hive_h *h, hive_node_h node, int depth)
{
	hive_node_h *kids;
	hive_node_h found = 0;
	size_t i;

	if (depth > 0 && hivex_node_nr_values(h, node) >= 2)
		return node;
	if (depth >= 12)
		return 0;
	kids = hivex_node_children(h, node);
	if (kids == NULL)
		return 0;
	for (i = 0; kids[i] != 0 && found == 0; i++) {
		char *name = hivex_node_name(h, kids[i]);
		int skip = name != NULL && strcasecmp(name, "MkDirty") == 0;

		free(name);
		if (!skip)
			found = find_key_with_values(h, kids[i], depth + 1);
	}
	free(kids);
	return found;
}

static void
stage1(hive_h *h)
{
	hive_node_h root = hivex_root(h), top, alpha, beta;
	static const unsigned char bin[] = { 0xde, 0xad, 0xbe, 0xef, 0x01,
	    0x02, 0x03, 0x04, 0x05, 0x06 };
	static const unsigned char multi[] = { 'o', 0, 'n', 0, 'e', 0, 0, 0,
	    't', 0, 'w', 0, 'o', 0, 0, 0, 0, 0 };	/* "one", "two" */
	unsigned char qword[8];

	top = add_key(h, root, "MkDirty");
	alpha = add_key(h, top, "Alpha");
	beta = add_key(h, top, "Beta");
	set_sz(h, top, "", "default value of MkDirty");
	set_sz(h, alpha, "Name", "alpha");
	set_dword(h, alpha, "Count", 1);
	set_value(h, alpha, "Blob", hive_t_REG_BINARY, bin, sizeof(bin));
	put_le64(qword, 0x0123456789abcdefull);
	set_value(h, alpha, "Big Number", hive_t_REG_QWORD, qword, 8);
	set_sz(h, alpha, "Temp", "deleted in the second change set");
	set_value(h, alpha, "List", hive_t_REG_MULTI_SZ, multi, sizeof(multi));
	set_dword(h, beta, "Doomed", 7);
}

static void
stage2(hive_h *h)
{
	hive_node_h root = hivex_root(h), top, alpha, beta, old;

	top = hivex_node_get_child(h, root, "MkDirty");
	if (top == 0)
		die("stage 2: MkDirty is missing");
	alpha = hivex_node_get_child(h, top, "Alpha");
	beta = hivex_node_get_child(h, top, "Beta");
	if (alpha == 0 || beta == 0)
		die("stage 2: MkDirty\\Alpha or Beta is missing");
	delete_value(h, alpha, "Temp");
	set_dword(h, alpha, "Count", 2);
	if (hivex_node_delete_child(h, beta) != 0)
		die("hivex_node_delete_child: %s", strerror(errno));
	old = find_key_with_values(h, root, 0);
	if (old != 0) {
		hive_value_h *vals = hivex_node_values(h, old);
		char *first, *second;

		if (vals == NULL || vals[0] == 0 || vals[1] == 0)
			die("stage 2: values vanished");
		first = hivex_value_key(h, vals[0]);
		second = hivex_value_key(h, vals[1]);
		if (first == NULL || second == NULL)
			die("hivex_value_key: %s", strerror(errno));
		delete_value(h, old, first);
		set_sz(h, old, second, "changed by mkdirty");
		set_dword(h, old, "MkDirtyAdded", 0x2a);
		free(first);
		free(second);
		free(vals);
	}
}

static void
stage3(hive_h *h)
{
	hive_node_h root = hivex_root(h), top, big;
	unsigned char data[3000];
	char name[16];
	size_t i, j;

	top = hivex_node_get_child(h, root, "MkDirty");
	if (top == 0)
		die("stage 3: MkDirty is missing");
	big = add_key(h, top, "Big");
	for (i = 0; i < 2; i++) {
		for (j = 0; j < sizeof(data); j++)
			data[j] = (unsigned char)(i * 31 + j * 7);
		snprintf(name, sizeof(name), "Blob%02zu", i);
		set_value(h, big, name, hive_t_REG_BINARY, data, sizeof(data));
	}
	set_sz(h, big, "Note", "this key needed new hive bins");
}

/* ---- logs ----
 *
 * The changed pages, entries, headers and dirty vectors are
 * lib/logwrite's, so that the project has one writer of transaction logs
 * and the fixtures are logs as hivepatch writes them; what is left here
 * is what only a fixture does: several entries to a log, stale ones,
 * wrong names and times. */

struct entry {
	unsigned char *d;
	size_t len;
	uint32_t seq;
};

/* Makes a log's base block (REGF_LOG_HEADER bytes, already made by
 * log_header) name another file and carry a time a day later, with its
 * checksum fixed: the log looks like another hive's. */
static void
wrong_hive_header(unsigned char *hdr)
{
	static const char other[] = "\\??\\C:\\Users\\other\\NTUSER.DAT";
	size_t i;

	memset(hdr + REGF_BB_NAME, 0, REGF_BB_NAME_LEN);
	for (i = 0; other[i] != '\0' && i < 31; i++)
		hdr[REGF_BB_NAME + 2 * i] = (unsigned char)other[i];
	/* A day later. */
	put_le64(hdr + REGF_BB_TIMESTAMP,
	    (le32(hdr + REGF_BB_TIMESTAMP) |
	    (uint64_t)le32(hdr + REGF_BB_TIMESTAMP + 4) << 32) +
	    864000000000ull);
	regf_checksum_set(hdr);
}

/* A new-format log: its base block, then the given entries one after
 * another.  Not log_build_new, which writes one entry: a fixture's log
 * can hold several, and an earlier cycle's. */
static void
write_new_log(const char *path, const unsigned char *bb, uint32_t base_seq,
	      struct entry *const *es, size_t n, int wrong_hive)
{
	size_t len = REGF_LOG_HEADER, i, pos;
	unsigned char *d;

	for (i = 0; i < n; i++)
		len += es[i]->len;
	d = xmalloc(len);
	log_header(d, bb, REGF_FILE_LOG_NEW, base_seq);
	if (wrong_hive)
		wrong_hive_header(d);
	pos = REGF_LOG_HEADER;
	for (i = 0; i < n; i++) {
		memcpy(d + pos, es[i]->d, es[i]->len);
		pos += es[i]->len;
	}
	write_all(path, d, len);
	free(d);
}

/* An old-format log taking `before` to `after` at once, of the 4096-byte
 * blocks that changed as Windows marks them, or of the 512-byte pages
 * with `fine`. */
static void
write_old_log(const char *path, const unsigned char *bb, uint32_t seq,
	      const struct buf *before, const struct buf *after,
	      const unsigned char *ts, int wrong_hive, int fine)
{
	unsigned char hdr[REGF_BASE_BLOCK], *d;
	struct page_run *runs;
	struct hp_err err;
	size_t nr, len;

	if (log_changed_runs(before->d, before->len, after->d, after->len,
	    fine ? REGF_OLD_PAGE : REGF_PAGE, &runs, &nr, &err) != 0)
		die("%s", err.msg);
	/* The log's base block is the hive's as it was in memory: the new
	 * hive bins data size and root cell, and the time the log must
	 * match to apply. */
	memcpy(hdr, bb, REGF_BASE_BLOCK);
	put_le32(hdr + REGF_BB_BINS_SIZE, le32(after->d + REGF_BB_BINS_SIZE));
	put_le32(hdr + REGF_BB_ROOT, le32(after->d + REGF_BB_ROOT));
	memcpy(hdr + REGF_BB_TIMESTAMP, ts, 8);
	if (log_build_old(hdr, seq, after->d + REGF_BASE_BLOCK, runs, nr, &d,
	    &len, &err) != 0)
		die("%s", err.msg);
	if (wrong_hive)
		wrong_hive_header(d);
	write_all(path, d, len);
	free(d);
	free(runs);
}

static void
truncate_file(const char *path, long long n)
{
	if (truncate(path, (off_t)n) != 0)
		die("%s: truncate: %s", path, strerror(errno));
}

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr, "usage: %s [--truncate-log N] [--corrupt-entry K] "
	    "[--gap] [--wrong-hive] [--claim MIB]\n"
	    "       [--swap-logs] [--stale-log2] [--bad-base-block] "
	    "[--remnants] [--fine-vector]\n"
	    "       new|old CLEAN_HIVE OUT\n", progname);
	exit(2);
}

int
main(int argc, char **argv)
{
	long long truncate_at = -1;
	int corrupt = 0, gap = 0, wrong = 0, swap = 0, stale = 0, badbb = 0;
	int remnants = 0, fine = 0;
	uint32_t claim = 0;
	int is_new, i, argi;
	const char *clean, *out;
	struct buf st[N_STAGES + 1];
	struct entry ent[N_STAGES], stale_ent[2];
	struct hp_err err;
	unsigned char bb[REGF_BASE_BLOCK];
	uint32_t s;
	hive_h *h;
	char *path;

	for (argi = 1; argi < argc && strncmp(argv[argi], "--", 2) == 0;
	    argi++) {
		const char *o = argv[argi];
		char *end;

		if (strcmp(o, "--truncate-log") == 0 && argi + 1 < argc) {
			truncate_at = strtoll(argv[++argi], &end, 10);
			if (*end != '\0' || truncate_at < 0)
				usage();
		} else if (strcmp(o, "--corrupt-entry") == 0 &&
		    argi + 1 < argc) {
			corrupt = (int)strtol(argv[++argi], &end, 10);
			if (*end != '\0' || corrupt < 1 || corrupt > N_STAGES)
				usage();
		} else if (strcmp(o, "--claim") == 0 && argi + 1 < argc) {
			long mib = strtol(argv[++argi], &end, 10);

			if (*end != '\0' || mib < 1 || mib > 4095)
				usage();
			claim = (uint32_t)mib << 20;
		} else if (strcmp(o, "--gap") == 0) {
			gap = 1;
		} else if (strcmp(o, "--wrong-hive") == 0) {
			wrong = 1;
		} else if (strcmp(o, "--swap-logs") == 0) {
			swap = 1;
		} else if (strcmp(o, "--stale-log2") == 0) {
			stale = 1;
		} else if (strcmp(o, "--bad-base-block") == 0) {
			badbb = 1;
		} else if (strcmp(o, "--remnants") == 0) {
			remnants = 1;
		} else if (strcmp(o, "--fine-vector") == 0) {
			fine = 1;
		} else {
			usage();
		}
	}
	if (argc - argi != 3)
		usage();
	if (strcmp(argv[argi], "new") == 0)
		is_new = 1;
	else if (strcmp(argv[argi], "old") == 0)
		is_new = 0;
	else
		usage();
	if (!is_new && (corrupt || gap || swap || stale || remnants || claim))
		die("--corrupt-entry, --gap, --swap-logs, --stale-log2 and "
		    "--remnants are for the new format");
	if (is_new && fine)
		die("--fine-vector is for the old format");
	if (swap + stale + badbb > 1)
		die("--swap-logs, --stale-log2 and --bad-base-block exclude "
		    "each other");
	clean = argv[argi + 1];
	out = argv[argi + 2];

	st[0] = read_all(clean);
	if (st[0].len < REGF_BASE_BLOCK + REGF_PAGE || memcmp(st[0].d, "regf", 4) != 0 ||
	    !regf_checksum_ok(st[0].d))
		die("%s: not a registry hive with a valid base block", clean);
	s = le32(st[0].d + REGF_BB_SEQ1);
	if (s != le32(st[0].d + REGF_BB_SEQ2))
		die("%s: the hive is dirty; give a clean one", clean);

	/* The changes, one commit per stage.  hivex works on a copy in
	 * memory, so OUT.orig is never changed. */
	path = pathf("%s.orig", out);
	write_all(path, st[0].d, st[0].len);
	h = hivex_open(path, HIVEX_OPEN_WRITE);
	if (h == NULL)
		die("%s: hivex_open: %s", path, strerror(errno));
	free(path);
	for (i = 1; i <= N_STAGES; i++) {
		if (i == 1)
			stage1(h);
		else if (i == 2)
			stage2(h);
		else
			stage3(h);
		path = pathf("%s.expected.%d", out, i);
		track(path);
		if (hivex_commit(h, path, 0) != 0)
			die("%s: hivex_commit: %s", path, strerror(errno));
		st[i] = read_all(path);
		free(path);
	}
	hivex_close(h);
	if (le32(st[N_STAGES].d + REGF_BB_BINS_SIZE) <= le32(st[0].d + REGF_BB_BINS_SIZE))
		die("the changes did not grow the hive");
	path = pathf("%s.expected", out);
	write_all(path, st[N_STAGES].d, st[N_STAGES].len);
	free(path);

	/* The stale primary. */
	memcpy(bb, st[0].d, REGF_BASE_BLOCK);
	put_le32(bb + REGF_BB_SEQ1, s + 1);
	put_le32(bb + REGF_BB_SEQ2, s);
	regf_checksum_set(bb);
	{
		unsigned char *prim = xmalloc(st[0].len);

		memcpy(prim, st[0].d, st[0].len);
		memcpy(prim, bb, REGF_BASE_BLOCK);
		if (badbb)
			prim[REGF_BB_CHECKSUM] ^= 0x01;
		write_all(out, prim, st[0].len);
		free(prim);
	}

	if (is_new) {
		struct entry *l1[N_STAGES + 2], *l2[N_STAGES + 2];
		size_t n1 = 0, n2 = 0;
		uint32_t seq1 = s, seq2 = s;

		/* Entry flags 0 whatever the clean hive's base block says, as
		 * the fixtures always had them: no transaction is pending. */
		for (i = 0; i < N_STAGES; i++) {
			struct page_run *runs;
			size_t nr;
			uint32_t seq = s + (uint32_t)i + (gap && i >= 1 ? 1 : 0);

			if (log_changed_runs(st[i].d, st[i].len, st[i + 1].d,
			    st[i + 1].len, REGF_PAGE, &runs, &nr, &err) != 0)
				die("%s", err.msg);
			if (nr == 0)
				die("change set %d changed nothing", i + 1);
			if (log_entry(seq, 0, claim && i == N_STAGES - 1 ? claim :
			    le32(st[i + 1].d + REGF_BB_BINS_SIZE),
			    st[i + 1].d + REGF_BASE_BLOCK, runs, nr, &ent[i].d,
			    &ent[i].len, &err) != 0)
				die("%s", err.msg);
			ent[i].seq = seq;
			if (corrupt == i + 1)
				ent[i].d[REGF_LE_HEADER + 8 * nr + 100] ^= 0x55;
			free(runs);
		}
		/* Two valid entries from an earlier cycle, whose page would
		 * wreck the first hive bin. */
		for (i = 0; i < 2; i++) {
			unsigned char page[REGF_PAGE];
			struct page_run r = { 0, REGF_PAGE };

			memcpy(page, st[0].d + REGF_BASE_BLOCK, 32);
			memset(page + 32, 0xee, REGF_PAGE - 32);
			stale_ent[i].seq = s - 3 + (uint32_t)i;
			if (log_entry(stale_ent[i].seq, 0,
			    le32(st[0].d + REGF_BB_BINS_SIZE), page, &r, 1,
			    &stale_ent[i].d, &stale_ent[i].len, &err) != 0)
				die("%s", err.msg);
		}
		if (stale || badbb) {
			struct entry **all = stale ? l1 : l2;
			struct entry **old = stale ? l2 : l1;
			size_t *nall = stale ? &n1 : &n2;
			size_t *nold = stale ? &n2 : &n1;

			for (i = 0; i < N_STAGES; i++)
				all[(*nall)++] = &ent[i];
			old[(*nold)++] = &stale_ent[0];
			old[(*nold)++] = &stale_ent[1];
			if (stale)
				seq2 = s - 3;
			else
				seq1 = s - 3;
		} else {
			struct entry **first = swap ? l2 : l1;
			struct entry **last = swap ? l1 : l2;
			size_t *nfirst = swap ? &n2 : &n1;
			size_t *nlast = swap ? &n1 : &n2;

			for (i = 0; i < N_STAGES - 1; i++)
				first[(*nfirst)++] = &ent[i];
			last[(*nlast)++] = &ent[N_STAGES - 1];
			if (swap)
				seq1 = ent[N_STAGES - 1].seq;
			else
				seq2 = ent[N_STAGES - 1].seq;
		}
		if (remnants && !stale && !badbb) {
			/* Windows reuses its logs from the start: what follows
			 * the last entry written can be an earlier cycle's. */
			l1[n1++] = &stale_ent[0];
			l1[n1++] = &stale_ent[1];
			l2[n2++] = &stale_ent[0];
			l2[n2++] = &stale_ent[1];
		}
		path = pathf("%s.LOG1", out);
		write_new_log(path, bb, seq1, l1, n1, wrong);
		if (truncate_at >= 0)
			truncate_file(path, truncate_at);
		free(path);
		path = pathf("%s.LOG2", out);
		write_new_log(path, bb, seq2, l2, n2, wrong);
		free(path);
		for (i = 0; i < N_STAGES; i++)
			free(ent[i].d);
		for (i = 0; i < 2; i++)
			free(stale_ent[i].d);
	} else {
		unsigned char ts[8];

		/* The log applies when its time equals the hive's; with a
		 * damaged base block Windows compares with the first hive
		 * bin's copy of the time. */
		memcpy(ts, badbb ? st[0].d + REGF_BASE_BLOCK + 20 :
		    st[0].d + REGF_BB_TIMESTAMP, 8);
		path = pathf("%s.LOG1", out);
		write_old_log(path, bb, s + 1, &st[0], &st[N_STAGES], ts, wrong,
		    fine);
		if (truncate_at >= 0)
			truncate_file(path, truncate_at);
		free(path);
		path = pathf("%s.LOG2", out);
		unlink(path);
		free(path);
	}

	for (i = 0; i <= N_STAGES; i++)
		free(st[i].d);
	for (i = 0; i < (int)n_outputs; i++)
		free(outputs[i]);
	n_outputs = 0;
	return 0;
}
