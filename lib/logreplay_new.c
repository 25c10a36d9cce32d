/* SPDX-License-Identifier: GPL-3.0-or-later */
/* New-format logs (Windows 8.1 and later): HvLE log entries, applied
 * in sequence from the oldest eligible log, then the next (see
 * logreplay.c for the rules). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "logreplay_int.h"

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
	if ((uint64_t)REGF_BASE_BLOCK + bins > HP_HIVE_LIMIT_MAX) {
		snprintf(buf, buflen, "hive bins data size %u: more than a "
		    "hive can hold", bins);
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
		c->rep->log_end = off;
		expected++;
	}
	*applied = count;
	return 0;
}

/* The log recovery starts from: with a sound base block, the oldest log
 * not older than the hive; with a damaged one, the newest. */
static struct lr_log *
first_log(struct lr *c)
{
	struct lr_log *cur = NULL;
	size_t i;

	for (i = 0; i < c->n_logs; i++) {
		struct lr_log *l = &c->logs[i];

		if (l->fmt != HP_LOG_NEW)
			continue;
		if (!c->bb_valid) {
			if (cur == NULL || seq_after(l->seq, cur->seq))
				cur = l;
			continue;
		}
		if (seq_after(c->seq2, l->seq)) {
			set_why(l, "older than the hive: its sequence number %u "
			    "is below the hive's %u", l->seq, c->seq2);
			continue;
		}
		if (cur == NULL || (uint32_t)(l->seq - c->seq2) <
		    (uint32_t)(cur->seq - c->seq2))
			cur = l;
	}
	return cur;
}

/* The log whose entries continue at `expected`, or NULL; a later log
 * that does not continue means entries are missing, and stops. */
static struct lr_log *
next_log(struct lr *c, uint32_t expected, uint32_t last)
{
	size_t i;

	for (i = 0; i < c->n_logs; i++) {
		struct lr_log *l = &c->logs[i];

		if (l->fmt == HP_LOG_NEW && !l->used && l->seq == expected)
			return l;
	}
	for (i = 0; i < c->n_logs; i++) {
		struct lr_log *l = &c->logs[i];

		if (l->fmt == HP_LOG_NEW && !l->used &&
		    seq_after(l->seq, expected)) {
			stop(c, l, "starts at sequence %u, but the entries before "
			    "it end at %u", l->seq, last);
			break;
		}
	}
	return NULL;
}

/* Nothing applied: the image is untouched (it only grows when an entry
 * is applied), and the stop, if any, is in the log's why. */
static int
nothing_applied(struct lr *c)
{
	size_t i;

	c->bb_source = NULL;
	c->rep->stopped_early = 0;
	c->rep->stop_reason[0] = '\0';
	for (i = 0; i < c->n_logs; i++) {
		struct lr_log *l = &c->logs[i];

		if (l->fmt == HP_LOG_NEW && l->why[0] == '\0')
			set_why(l, "not used: its entries (from sequence %u) would "
			    "follow those that could not be applied", l->seq);
	}
	return 0;
}

/* 1 when new-format logs recovered the hive, 0 when they did not (the
 * logs' why say so), -1 on error. */
int
try_new(struct lr *c, struct hp_err *e)
{
	struct lr_log *cur = first_log(c);
	uint32_t expected, last = 0;
	unsigned applied, chained = 0;
	char why[200];

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
		cur = chained < 2 ? next_log(c, expected, last) : NULL;
	}
	if (c->rep->entries_applied == 0)
		return nothing_applied(c);
	c->rep->format = HP_LOG_NEW;
	/* Windows starts from the oldest log not older than the hive, so do
	 * we; but entries between the hive and that log are in no log. */
	c->rep->started_late = c->bb_valid && c->rep->seq_first != c->seq2;
	return 1;
}
