/* Transaction log replay (see logreplay.h).
 *
 * Everything read from a file is bounds-checked before use; the reading
 * helpers below never look past a buffer's end.  The recovered image is
 * built in one growing buffer; nothing is written to disk here.
 *
 * Layout and rules: "Windows registry file format specification" by Maxim
 * Suhanov (github.com/msuhanov/regf), sections "Base block", "Format of
 * transaction log files", "Dirty state of a hive" and "Multiple
 * transaction log files".  The rules this file follows, in short:
 *
 *  - A hive is dirty when its base block has a wrong checksum or its two
 *    sequence numbers differ.  A clean hive is used as it is; its logs
 *    are ignored (even if they hold later entries).
 *  - A log is usable when its base block (the first 512 bytes) has the
 *    regf signature, a good checksum, equal sequence numbers, and file
 *    type 1 or 2 (old format) or 6 (new format).
 *  - New format, base block valid: a log applies when its base block's
 *    sequence number is not below the hive's secondary sequence number.
 *    Of those, the one with the lowest sequence number is applied first
 *    (entries must start at its sequence number and follow one by one),
 *    then a second log whose sequence number is exactly one past the last
 *    entry applied.  This is "LOG1, then LOG2" when LOG1 is the older,
 *    and the other way round when Windows had switched logs.
 *  - New format, base block invalid: the base block is taken from the log
 *    with the highest sequence number, and that log's entries applied.
 *  - An entry stops recovery when its hashes, size, hive bins data size
 *    or page references are wrong, or its sequence number is not the one
 *    expected; entries before it stay applied.  An entry with a lower
 *    sequence number than expected is a remnant of an earlier cycle: the
 *    normal end of the log.
 *  - Old format: the log applies when its base block's last written
 *    timestamp equals the hive's (the first hive bin's timestamp when the
 *    hive's base block is invalid).  Dirty pages are applied hive bin by
 *    hive bin; a dirty hive bin with a bad header, or whose pages are
 *    missing from the log, stops recovery.
 *
 * Beyond Windows, for safety: a new-format log whose base block has a
 * different last written timestamp from the hive's AND names another file
 * or carries other resource manager GUIDs is taken as another hive's log
 * and refused. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "regf.h"
#include "logreplay.h"

/* a is later than b, modulo 2^32 (sequence numbers may wrap). */
static int
seq_after(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

/* ---- the report ---- */

void
log_replay_report_free(struct hp_recovery *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < 2; i++)
		free(rep->logs_used[i]);
	memset(rep, 0, sizeof(*rep));
}

/* ---- recovery state ---- */

struct lr_log {
	const struct log_replay_buf *buf;
	const char *base;	/* last path component of the name */
	int fmt;		/* LOG_FORMAT_*, or NONE when unusable */
	uint32_t seq;		/* its base block's sequence number */
	int used;
	char why[200];		/* why it was not used, for messages */
};

struct lr {
	const struct log_replay_buf *hive;	/* its data may be the image:
						 * use pbb once img is set */
	unsigned char pbb[REGF_BASE_BLOCK];	/* the primary's base block */
	unsigned char *img;	/* the image being recovered */
	size_t len;		/* its length */
	size_t max;		/* bound on len */
	int bb_valid;		/* the primary's base block checksum is good */
	int has_sig;		/* it has the regf signature */
	uint32_t seq2;		/* the primary's secondary sequence number */
	unsigned char ts[8];	/* the primary's effective timestamp */
	struct lr_log *logs;
	size_t n_logs;
	struct hp_recovery *rep;
	/* What the finished base block gets. */
	uint32_t seq_final, bins_final, flags_final, root_final;
	const unsigned char *bb_source;	/* log base block to recover from */
};

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void
set_why(struct lr_log *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
set_why(struct lr_log *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->why, sizeof(l->why), fmt, ap);
	va_end(ap);
}

static void
stop(struct lr *c, const struct lr_log *l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
stop(struct lr *c, const struct lr_log *l, const char *fmt, ...)
{
	char *out = c->rep->stop_reason;
	size_t size = sizeof(c->rep->stop_reason), o;
	va_list ap;

	c->rep->stopped_early = 1;
	o = strlen(l->base);
	if (o > size / 2)
		o = size / 2;		/* keep room for the reason */
	memcpy(out, l->base, o);
	out[o++] = ':';
	out[o++] = ' ';
	va_start(ap, fmt);
	vsnprintf(out + o, size - o, fmt, ap);
	va_end(ap);
}

static int
note_used(struct lr *c, struct lr_log *l, struct hp_err *e)
{
	struct hp_recovery *rep = c->rep;
	char *copy;

	l->used = 1;
	if (rep->n_logs_used >= 2)
		return 0;
	copy = strdup(l->buf->name);
	if (copy == NULL)
		return hp_err_nomem(e);
	rep->logs_used[rep->n_logs_used++] = copy;
	return 0;
}

/* Grows the image to `need` bytes, zero-filled. */
static int
grow(struct lr *c, uint64_t need, struct hp_err *e)
{
	unsigned char *p;

	if (need <= c->len)
		return 0;
	if (need > c->max)
		return hp_err_set(e, HP_R_OVER_LIMIT,
		    "%s: the recovered hive would be %llu bytes, over the "
		    "limit of %llu", c->hive->name, (unsigned long long)need,
		    (unsigned long long)c->max);
	p = realloc(c->img, (size_t)need);
	if (p == NULL)
		return hp_err_set(e, HP_R_NO_MEMORY,
		    "%s: out of memory for a %llu-byte hive", c->hive->name,
		    (unsigned long long)need);
	memset(p + c->len, 0, (size_t)need - c->len);
	c->img = p;
	c->len = (size_t)need;
	return 0;
}

/* The name field as printable ASCII, for messages. */
static void
name_field(const unsigned char *bb, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i + 1 < REGF_BB_NAME_LEN && o + 1 < outlen; i += 2) {
		unsigned c = bb[REGF_BB_NAME + i] | bb[REGF_BB_NAME + i + 1] << 8;

		if (c == 0)
			break;
		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[o] = '\0';
}

/* The two name fields hold the same UTF-16 text, ASCII letters compared
 * case-insensitively. */
static int
same_name(const unsigned char *a, const unsigned char *b)
{
	size_t i;

	for (i = 0; i + 1 < REGF_BB_NAME_LEN; i += 2) {
		unsigned ca = a[REGF_BB_NAME + i] | a[REGF_BB_NAME + i + 1] << 8;
		unsigned cb = b[REGF_BB_NAME + i] | b[REGF_BB_NAME + i + 1] << 8;

		if (ca >= 'a' && ca <= 'z')
			ca -= 'a' - 'A';
		if (cb >= 'a' && cb <= 'z')
			cb -= 'a' - 'A';
		if (ca != cb)
			return 0;
		if (ca == 0)
			return 1;
	}
	return 1;
}

static int
all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* GUIDs at off are equal, or one of them is unset. */
static int
guid_compatible(const unsigned char *a, const unsigned char *b, size_t off)
{
	return all_zero(a + off, REGF_BB_GUID_LEN) ||
	    all_zero(b + off, REGF_BB_GUID_LEN) ||
	    memcmp(a + off, b + off, REGF_BB_GUID_LEN) == 0;
}

/* A new-format log of this hive?  (See the comment at the top.) */
static int
same_hive(const struct lr *c, const unsigned char *lbb, char *why,
	  size_t whylen)
{
	const unsigned char *pbb = c->pbb;
	char ln[40], pn[40];

	if (memcmp(lbb + REGF_BB_TIMESTAMP, c->ts, 8) == 0)
		return 1;
	if (!c->has_sig)
		return 1;	/* nothing left to compare with */
	if (!same_name(lbb, pbb)) {
		name_field(lbb, ln, sizeof(ln));
		name_field(pbb, pn, sizeof(pn));
		snprintf(why, whylen, "belongs to another hive: its base "
		    "block names '%s', the hive's '%s', and their last "
		    "written times differ", ln, pn);
		return 0;
	}
	if (!guid_compatible(lbb, pbb, REGF_BB_RMID) ||
	    !guid_compatible(lbb, pbb, REGF_BB_LOGID) ||
	    !guid_compatible(lbb, pbb, REGF_BB_TMID)) {
		snprintf(why, whylen, "belongs to another hive: other "
		    "resource manager GUIDs and another last written time");
		return 0;
	}
	return 1;
}

static void
classify(struct lr *c, struct lr_log *l)
{
	const unsigned char *d = l->buf->data;
	size_t n = l->buf->len;
	uint32_t type, s1, s2;

	l->fmt = HP_LOG_NONE;
	if (n == 0) {
		set_why(l, "empty");
		return;
	}
	if (n < REGF_LOG_HEADER) {
		set_why(l, "%zu bytes, too short for a transaction log", n);
		return;
	}
	if (memcmp(d, "regf", 4) != 0) {
		set_why(l, "not a transaction log (no regf signature)");
		return;
	}
	if (!regf_checksum_ok(d)) {
		set_why(l, "its base block checksum is wrong");
		return;
	}
	type = le32(d + REGF_BB_FILE_TYPE);
	s1 = le32(d + REGF_BB_SEQ1);
	s2 = le32(d + REGF_BB_SEQ2);
	if (type != REGF_FILE_LOG_OLD && type != REGF_FILE_LOG_VERYOLD &&
	    type != REGF_FILE_LOG_NEW) {
		set_why(l, "file type %u is not a transaction log", type);
		return;
	}
	if (s1 != s2) {
		set_why(l, "the log itself was not completely written "
		    "(sequence numbers %u/%u)", s1, s2);
		return;
	}
	l->seq = s1;
	if (type == REGF_FILE_LOG_NEW) {
		if (!same_hive(c, d, l->why, sizeof(l->why)))
			return;
		l->fmt = HP_LOG_NEW;
	} else {
		if (memcmp(d + REGF_BB_TIMESTAMP, c->ts, 8) != 0) {
			set_why(l, "old-format log with another last written "
			    "time than the hive's: another hive's, or an "
			    "earlier write's");
			return;
		}
		l->fmt = HP_LOG_OLD;
	}
}

/* ---- new format ---- */

/* Checks one HvLE entry at p (rem bytes left in the log).  NULL when it
 * is sound, else why not (in buf). */
static const char *
check_entry(const struct lr *c, const unsigned char *p, size_t rem,
	    char *buf, size_t buflen)
{
	uint32_t size = le32(p + REGF_LE_SIZE);
	uint32_t bins = le32(p + REGF_LE_BINS_SIZE);
	uint32_t npages = le32(p + REGF_LE_PAGES);
	uint64_t total = 0;
	size_t data, i;

	if (size < REGF_LE_MIN_SIZE || size % REGF_LE_MIN_SIZE != 0) {
		snprintf(buf, buflen, "bad entry size %u", size);
		return buf;
	}
	if (size > rem) {
		snprintf(buf, buflen, "truncated: the entry has %u bytes, the "
		    "file only %zu more", size, rem);
		return buf;
	}
	if (bins < REGF_PAGE || bins % REGF_PAGE != 0) {
		snprintf(buf, buflen, "bad hive bins data size %u", bins);
		return buf;
	}
	if ((uint64_t)REGF_BASE_BLOCK + bins > c->max) {
		snprintf(buf, buflen, "hive bins data size %u over the limit",
		    bins);
		return buf;
	}
	if (npages == 0 || npages > (size - REGF_LE_HEADER) / 8) {
		snprintf(buf, buflen, "bad dirty page count %u", npages);
		return buf;
	}
	if (regf_marvin32(p + REGF_LE_HEADER, size - REGF_LE_HEADER,
	    REGF_LOG_HASH_SEED) != le64(p + REGF_LE_HASH1) ||
	    regf_marvin32(p, 32, REGF_LOG_HASH_SEED) != le64(p + REGF_LE_HASH2)) {
		snprintf(buf, buflen, "hash mismatch (damaged entry)");
		return buf;
	}
	data = REGF_LE_HEADER + (size_t)npages * 8;
	for (i = 0; i < npages; i++) {
		uint32_t off = le32(p + REGF_LE_HEADER + 8 * i);
		uint32_t len = le32(p + REGF_LE_HEADER + 8 * i + 4);

		if (len == 0 || (uint64_t)off + len > bins) {
			snprintf(buf, buflen, "page %zu (offset %u, %u bytes) "
			    "outside the hive bins data (%u bytes)", i, off,
			    len, bins);
			return buf;
		}
		total += len;
		if (total > size - data) {
			snprintf(buf, buflen, "its pages overrun the entry");
			return buf;
		}
	}
	return NULL;
}

/* Applies the entries of log l from its first one on, expecting the
 * sequence number `expected` first.  Returns how many were applied (their
 * count in *applied, the last sequence number in *last), -1 on error. */
static int
apply_entries(struct lr *c, struct lr_log *l, uint32_t expected,
	      unsigned *applied, uint32_t *last, char *why, size_t whylen,
	      struct hp_err *e)
{
	const unsigned char *d = l->buf->data;
	size_t n = l->buf->len, off = REGF_LOG_HEADER;
	char buf[128];
	unsigned count = 0;

	*applied = 0;
	why[0] = '\0';
	for (;;) {
		size_t rem = n - off, i, src;
		const unsigned char *p = d + off;
		const char *bad;
		uint32_t seq, bins, npages;

		if (rem == 0)
			break;
		if (rem < REGF_LE_HEADER) {
			if (rem >= 4 && memcmp(p, "HvLE", 4) == 0) {
				snprintf(why, whylen, "log entry at offset %zu "
				    "cut short (%zu bytes)", off, rem);
				stop(c, l, "%s", why);
			}
			break;
		}
		if (memcmp(p, "HvLE", 4) != 0)
			break;		/* the end of what was written */
		seq = le32(p + REGF_LE_SEQ);
		if (seq_after(expected, seq))
			break;		/* a remnant of an earlier cycle */
		bad = check_entry(c, p, rem, buf, sizeof(buf));
		if (bad == NULL && seq != expected)
			bad = "sequence gap";
		if (bad != NULL) {
			if (seq != expected)
				snprintf(why, whylen, "log entry at offset %zu: "
				    "%s: sequence number %u, expected %u", off,
				    bad, seq, expected);
			else
				snprintf(why, whylen, "log entry at offset %zu "
				    "(sequence %u): %s", off, seq, bad);
			stop(c, l, "%s", why);
			break;
		}
		bins = le32(p + REGF_LE_BINS_SIZE);
		npages = le32(p + REGF_LE_PAGES);
		if (grow(c, (uint64_t)REGF_BASE_BLOCK + bins, e) != 0)
			return -1;
		src = off + REGF_LE_HEADER + (size_t)npages * 8;
		for (i = 0; i < npages; i++) {
			uint32_t poff = le32(p + REGF_LE_HEADER + 8 * i);
			uint32_t plen = le32(p + REGF_LE_HEADER + 8 * i + 4);

			memcpy(c->img + REGF_BASE_BLOCK + poff, d + src, plen);
			src += plen;
		}
		c->bins_final = bins;
		c->flags_final = le32(p + REGF_LE_FLAGS);
		c->seq_final = seq;
		c->rep->pages_applied += npages;
		c->rep->entries_applied++;
		count++;
		*last = seq;
		off += le32(p + REGF_LE_SIZE);
		expected++;
	}
	*applied = count;
	return 0;
}

/* 1 when new-format logs recovered the hive, 0 when they did not (the
 * logs' why say so), -1 on error. */
static int
try_new(struct lr *c, struct hp_err *e)
{
	struct lr_log *cur = NULL;
	uint32_t expected, last = 0;
	unsigned applied, chained = 0;
	size_t i;
	char why[200];

	for (i = 0; i < c->n_logs; i++) {
		struct lr_log *l = &c->logs[i];

		if (l->fmt != HP_LOG_NEW)
			continue;
		if (c->bb_valid) {
			if (seq_after(c->seq2, l->seq)) {
				set_why(l, "older than the hive: its sequence "
				    "number %u is below the hive's %u", l->seq,
				    c->seq2);
				continue;
			}
			/* The oldest eligible log comes first. */
			if (cur == NULL || (uint32_t)(l->seq - c->seq2) <
			    (uint32_t)(cur->seq - c->seq2))
				cur = l;
		} else {
			/* Damaged base block: the newest log. */
			if (cur == NULL || seq_after(l->seq, cur->seq))
				cur = l;
		}
	}
	if (cur == NULL)
		return 0;
	if (!c->bb_valid)
		c->bb_source = cur->buf->data;
	expected = cur->seq;
	c->rep->seq_first = cur->seq;
	while (cur != NULL && chained < 2) {
		if (apply_entries(c, cur, expected, &applied, &last, why,
		    sizeof(why), e) != 0)
			return -1;
		if (applied == 0) {
			if (chained == 0)
				set_why(cur, "no usable log entry%s%s",
				    why[0] ? ": " : "", why);
			else if (!c->rep->stopped_early)
				stop(c, cur, "its base block continues the "
				    "entries applied (sequence %u), but no "
				    "entry with that number follows", expected);
			break;
		}
		if (note_used(c, cur, e) != 0)
			return -1;
		c->root_final = le32(cur->buf->data + REGF_BB_ROOT);
		chained++;
		if (c->rep->stopped_early || !c->bb_valid)
			break;
		expected = last + 1;
		cur = NULL;
		for (i = 0; i < c->n_logs; i++) {
			struct lr_log *l = &c->logs[i];

			if (l->fmt == HP_LOG_NEW && !l->used &&
			    l->seq == expected) {
				cur = l;
				break;
			}
		}
		if (cur != NULL || chained >= 2)
			continue;
		/* A later log that does not continue: entries are missing. */
		for (i = 0; i < c->n_logs; i++) {
			struct lr_log *l = &c->logs[i];

			if (l->fmt == HP_LOG_NEW && !l->used &&
			    seq_after(l->seq, expected)) {
				char what[100];

				snprintf(what, sizeof(what), "starts at sequence "
				    "%u, but the entries before it end at %u",
				    l->seq, last);
				stop(c, l, "%s", what);
				break;
			}
		}
	}
	if (c->rep->entries_applied == 0) {
		/* Nothing applied: the image is untouched (it only grows when
		 * an entry is applied), and the stop, if any, is in the log's
		 * why. */
		c->bb_source = NULL;
		c->rep->stopped_early = 0;
		c->rep->stop_reason[0] = '\0';
		for (i = 0; i < c->n_logs; i++) {
			struct lr_log *l = &c->logs[i];

			if (l->fmt == HP_LOG_NEW && l->why[0] == '\0')
				set_why(l, "not used: its entries (from "
				    "sequence %u) would follow those that "
				    "could not be applied", l->seq);
		}
		return 0;
	}
	c->rep->format = HP_LOG_NEW;
	/* Windows starts from the oldest log not older than the hive, so do
	 * we; but entries between the hive and that log are in no log. */
	c->rep->started_late = c->bb_valid && c->rep->seq_first != c->seq2;
	return 1;
}

/* ---- old format ---- */

static int
bit_set(const unsigned char *bitmap, size_t i)
{
	return (bitmap[i / 8] >> (i % 8)) & 1;
}

/* Applies an old-format log, hive bin by hive bin.  Returns the number of
 * 512-byte pages applied (0 with l->why set when none), -1 on error. */
static int
apply_old(struct lr *c, struct lr_log *l, struct hp_err *e)
{
	const unsigned char *d = l->buf->data;
	size_t n = l->buf->len;
	uint32_t bins = le32(d + REGF_BB_BINS_SIZE);
	size_t nbits, nbytes, start, k = 0, bit, applied = 0, len0 = c->len;
	uint64_t pos = 0;
	const unsigned char *bitmap;
	size_t dirty_total = 0;

	if (bins < REGF_PAGE || bins % REGF_PAGE != 0) {
		set_why(l, "bad hive bins data size %u", bins);
		return 0;
	}
	if ((uint64_t)REGF_BASE_BLOCK + bins > c->max) {
		set_why(l, "hive bins data size %u over the limit", bins);
		return 0;
	}
	nbits = bins / REGF_OLD_PAGE;
	nbytes = nbits / 8;
	if (n - REGF_LOG_HEADER < 4 + nbytes ||
	    memcmp(d + REGF_LOG_HEADER, "DIRT", 4) != 0) {
		set_why(l, "no dirty vector (DIRT) of %zu bytes after its base "
		    "block", nbytes);
		return 0;
	}
	bitmap = d + REGF_LOG_HEADER + 4;
	start = (REGF_LOG_HEADER + 4 + nbytes + REGF_OLD_PAGE - 1) / REGF_OLD_PAGE * REGF_OLD_PAGE;
	for (bit = 0; bit < nbits; bit++)
		dirty_total += (size_t)bit_set(bitmap, bit);
	if (grow(c, (uint64_t)REGF_BASE_BLOCK + bins, e) != 0)
		return -1;

	while (pos < bins) {
		size_t first = (size_t)(pos / REGF_OLD_PAGE), cnt = 0, j;
		const unsigned char *h;
		uint32_t size;
		int dirty_header = bit_set(bitmap, first);

		if (dirty_header) {
			if (start > n || (n - start) / REGF_OLD_PAGE < k + 1) {
				stop(c, l, "the log is truncated: the page "
				    "holding hive bin %llu is missing",
				    (unsigned long long)pos);
				break;
			}
			h = d + start + k * REGF_OLD_PAGE;
		} else {
			h = c->img + REGF_BASE_BLOCK + pos;
		}
		size = le32(h + REGF_HBIN_SIZE);
		if (memcmp(h, "hbin", 4) != 0 || le32(h + REGF_HBIN_OFFSET) != pos ||
		    size < REGF_PAGE || size % REGF_PAGE != 0 ||
		    size > bins - pos) {
			/* Windows stops at a bad dirty hive bin; a bad clean
			 * one stops us, as the next bins cannot be found. */
			if (k < dirty_total)
				stop(c, l, "hive bin at offset %llu is invalid "
				    "(%s); its pages and the later ones were "
				    "not applied", (unsigned long long)pos,
				    dirty_header ? "dirty" : "in the hive");
			break;
		}
		for (j = first; j < first + size / REGF_OLD_PAGE; j++)
			cnt += (size_t)bit_set(bitmap, j);
		if (cnt > 0 && (start > n || (n - start) / REGF_OLD_PAGE < k + cnt)) {
			stop(c, l, "the log is truncated: pages of hive bin "
			    "%llu are missing", (unsigned long long)pos);
			break;
		}
		for (j = first; j < first + size / REGF_OLD_PAGE; j++) {
			if (!bit_set(bitmap, j))
				continue;
			memcpy(c->img + REGF_BASE_BLOCK + j * REGF_OLD_PAGE,
			    d + start + k * REGF_OLD_PAGE, REGF_OLD_PAGE);
			k++;
			applied++;
		}
		pos += size;
	}
	if (applied == 0 && c->rep->stopped_early) {
		set_why(l, "nothing applicable: %s", c->rep->stop_reason);
		c->rep->stopped_early = 0;
		c->rep->stop_reason[0] = '\0';
		c->len = len0;	/* undo the growth; nothing was written */
		return 0;
	}
	c->rep->pages_applied = (unsigned)applied;
	c->bins_final = bins;
	c->flags_final = le32(d + REGF_BB_FLAGS);
	c->root_final = le32(d + REGF_BB_ROOT);
	c->seq_final = l->seq;
	return 1;
}

static int
try_old(struct lr *c, struct hp_err *e)
{
	for (;;) {
		struct lr_log *best = NULL;
		size_t i;
		int rc;

		for (i = 0; i < c->n_logs; i++) {
			struct lr_log *l = &c->logs[i];

			if (l->fmt != HP_LOG_OLD || l->used)
				continue;
			if (best == NULL || seq_after(l->seq, best->seq))
				best = l;
		}
		if (best == NULL)
			return 0;
		best->used = 1;		/* tried */
		rc = apply_old(c, best, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		best->used = 0;
		if (note_used(c, best, e) != 0)
			return -1;
		if (!c->bb_valid)
			c->bb_source = best->buf->data;
		c->rep->format = HP_LOG_OLD;
		return 1;
	}
}

/* ---- putting it together ---- */

static void
finish_base_block(struct lr *c)
{
	unsigned char *bb = c->img;

	if (c->bb_source != NULL) {
		memcpy(bb, c->bb_source, REGF_LOG_HEADER);
		memset(bb + REGF_LOG_HEADER, 0, REGF_BASE_BLOCK - REGF_LOG_HEADER);
		c->rep->base_block_recovered = 1;
	}
	put_le32(bb + REGF_BB_SEQ1, c->seq_final);
	put_le32(bb + REGF_BB_SEQ2, c->seq_final);
	put_le32(bb + REGF_BB_FILE_TYPE, REGF_FILE_PRIMARY);
	put_le32(bb + REGF_BB_ROOT, c->root_final);
	put_le32(bb + REGF_BB_BINS_SIZE, c->bins_final);
	put_le32(bb + REGF_BB_FLAGS, c->flags_final);
	regf_checksum_set(bb);
	c->rep->seq_after = c->seq_final;
}

/* The refusal: every log and why it could not be used, on one line. */
static int
refuse(struct lr *c, struct hp_err *e)
{
	char list[900];
	size_t i, o = 0;
	const unsigned char *bb = c->pbb;
	char state[80];

	if (c->bb_valid)
		snprintf(state, sizeof(state), "sequence numbers %u/%u",
		    le32(bb + REGF_BB_SEQ1), le32(bb + REGF_BB_SEQ2));
	else
		snprintf(state, sizeof(state), "its base block is damaged");
	if (c->n_logs == 0)
		return hp_err_set(e, HP_R_DIRTY_UNRECOVERABLE, "%s is dirty (%s) and has no "
		    "transaction log (.LOG, .LOG1, .LOG2) to recover it from",
		    c->hive->name, state);
	list[0] = '\0';
	for (i = 0; i < c->n_logs && o < sizeof(list); i++) {
		struct lr_log *l = &c->logs[i];
		int w = snprintf(list + o, sizeof(list) - o, "%s%s: %s",
		    i ? "; " : "", l->buf->name,
		    l->why[0] ? l->why : "not applicable");

		if (w < 0)
			break;
		o += (size_t)w;
	}
	return hp_err_set(e, HP_R_DIRTY_UNRECOVERABLE, "%s is dirty (%s) and no transaction "
	    "log can recover it: %s", c->hive->name, state, list);
}

/* The work of log_replay_buffers; `owned`, when not NULL, is the hive's
 * data in a malloc'd buffer that becomes the image (no copy). */
static int
replay(const struct log_replay_buf *hive, unsigned char *owned,
       const struct log_replay_buf *logs, size_t n_logs, size_t max_image,
       unsigned char **image, size_t *image_len,
       struct hp_recovery *rep, struct hp_err *e)
{
	const unsigned char *d = hive->data;
	struct lr c;
	uint32_t s1, s2;
	size_t i;
	int rc, dirty;

	memset(&c, 0, sizeof(c));
	c.hive = hive;
	c.rep = rep;
	c.max = max_image && max_image < (size_t)LOG_REPLAY_MAX_FILE ?
	    max_image : (size_t)LOG_REPLAY_MAX_FILE;
	/* The checks that refuse the primary set the error before freeing
	 * `owned`, which may be what d points to. */
	if (hive->len > c.max)
		rc = hp_err_set(e, HP_R_OVER_LIMIT, "%s: %zu bytes, over the limit "
		    "of %zu for a hive", hive->name, hive->len, c.max);
	else if (hive->len < REGF_BASE_BLOCK)
		rc = hp_err_set(e, HP_R_DAMAGED, "%s: %zu bytes: too short to be "
		    "a registry hive", hive->name, hive->len);
	else if (memcmp(d, "regf", 4) != 0 &&
	    (hive->len < REGF_BASE_BLOCK + REGF_HBIN_HEADER ||
	    memcmp(d + REGF_BASE_BLOCK, "hbin", 4) != 0))
		rc = hp_err_set(e, HP_R_DAMAGED, "%s: not a registry hive (no "
		    "regf signature)", hive->name);
	else if (memcmp(d, "regf", 4) == 0 && regf_checksum_ok(d) &&
	    le32(d + REGF_BB_FILE_TYPE) != REGF_FILE_PRIMARY)
		rc = hp_err_set(e, HP_R_DAMAGED, "%s: file type %u: a transaction "
		    "log, not a primary hive file", hive->name,
		    le32(d + REGF_BB_FILE_TYPE));
	else
		rc = 0;
	if (rc != 0) {
		free(owned);
		return -1;
	}
	c.has_sig = memcmp(d, "regf", 4) == 0;
	c.bb_valid = c.has_sig && regf_checksum_ok(d);
	s1 = le32(d + REGF_BB_SEQ1);
	s2 = le32(d + REGF_BB_SEQ2);
	rep->seq_before_primary = s1;
	rep->seq_before_secondary = s2;
	dirty = !c.bb_valid || s1 != s2;
	memcpy(c.pbb, d, REGF_BASE_BLOCK);
	/* The timestamp logs are matched against: the first hive bin keeps
	 * a copy for when the base block is damaged. */
	if (!c.bb_valid && hive->len >= REGF_BASE_BLOCK + REGF_HBIN_HEADER &&
	    memcmp(d + REGF_BASE_BLOCK, "hbin", 4) == 0)
		memcpy(c.ts, d + REGF_BASE_BLOCK + REGF_HBIN_TIMESTAMP, 8);
	else
		memcpy(c.ts, d + REGF_BB_TIMESTAMP, 8);

	/* From here on, hive->data may be the image, and move. */
	if (owned != NULL) {
		c.img = owned;
	} else {
		c.img = malloc(hive->len);
		if (c.img == NULL)
			return hp_err_set(e, HP_R_NO_MEMORY, "%s: out of memory (%zu "
			    "bytes)", hive->name, hive->len);
		memcpy(c.img, d, hive->len);
	}
	c.len = hive->len;
	if (!dirty) {
		rep->seq_after = s1;
		*image = c.img;
		*image_len = c.len;
		return 0;
	}
	rep->dirty = 1;
	c.seq2 = s2;

	if (n_logs > 0) {
		c.logs = calloc(n_logs, sizeof(*c.logs));
		if (c.logs == NULL) {
			free(c.img);
			return hp_err_nomem(e);
		}
	}
	c.n_logs = n_logs;
	for (i = 0; i < n_logs; i++) {
		c.logs[i].buf = &logs[i];
		c.logs[i].base = base_name(logs[i].name);
		classify(&c, &c.logs[i]);
	}
	rc = try_new(&c, e);
	if (rc == 0)
		rc = try_old(&c, e);
	if (rc == 0)
		refuse(&c, e);
	if (rc <= 0) {
		free(c.logs);
		free(c.img);
		return -1;
	}
	finish_base_block(&c);
	free(c.logs);
	*image = c.img;
	*image_len = c.len;
	return 0;
}

int
log_replay_buffers(const struct log_replay_buf *hive,
		   const struct log_replay_buf *logs, size_t n_logs,
		   size_t max_image, unsigned char **image, size_t *image_len,
		   struct hp_recovery *rep, struct hp_err *e)
{
	*image = NULL;
	*image_len = 0;
	memset(rep, 0, sizeof(*rep));
	return replay(hive, NULL, logs, n_logs, max_image, image, image_len,
	    rep, e);
}

int
log_replay_take(const char *hive_name, unsigned char *data, size_t len,
		const struct log_replay_buf *logs, size_t n_logs,
		size_t max_image, unsigned char **image, size_t *image_len,
		struct hp_recovery *rep, struct hp_err *e)
{
	struct log_replay_buf hive = { hive_name, data, len };

	*image = NULL;
	*image_len = 0;
	memset(rep, 0, sizeof(*rep));
	return replay(&hive, data, logs, n_logs, max_image, image, image_len,
	    rep, e);
}
