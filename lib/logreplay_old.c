/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Old-format logs (Windows Vista to 8): a dirty vector and the dirty
 * pages, applied hive bin by hive bin (see logreplay.c for the rules). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "logreplay_int.h"

static int
bit_set(const unsigned char *bitmap, size_t i)
{
	return (bitmap[i / 8] >> (i % 8)) & 1;
}

/* Where an old-format log's dirty vector and pages lie. */
struct dirty_vector {
	uint32_t bins;			/* hive bins data size it covers */
	const unsigned char *bitmap;	/* one bit per 512-byte page */
	size_t nbits;
	size_t start;			/* offset of the first dirty page */
	size_t dirty_total;		/* bits set */
};

/* 0 with l->why set when the log has no sound dirty vector. */
static int
read_vector(struct lr *c, struct lr_log *l, struct dirty_vector *v)
{
	const unsigned char *d = l->buf->data;
	size_t n = l->buf->len, nbytes, bit;

	v->bins = le32(d + REGF_BB_BINS_SIZE);
	if (v->bins < REGF_PAGE || v->bins % REGF_PAGE != 0) {
		set_why(l, "bad hive bins data size %u", v->bins);
		return 0;
	}
	if ((uint64_t)REGF_BASE_BLOCK + v->bins > HP_HIVE_LIMIT_MAX) {
		set_why(l, "hive bins data size %u: more than a hive can hold",
		    v->bins);
		return 0;
	}
	v->nbits = v->bins / REGF_OLD_PAGE;
	nbytes = v->nbits / 8;
	if (n - REGF_LOG_HEADER < 4 + nbytes ||
	    memcmp(d + REGF_LOG_HEADER, "DIRT", 4) != 0) {
		set_why(l, "no dirty vector (DIRT) of %zu bytes after its base "
		    "block", nbytes);
		return 0;
	}
	v->bitmap = d + REGF_LOG_HEADER + 4;
	v->start = (REGF_LOG_HEADER + 4 + nbytes + REGF_OLD_PAGE - 1) /
	    REGF_OLD_PAGE * REGF_OLD_PAGE;
	v->dirty_total = 0;
	for (bit = 0; bit < v->nbits; bit++)
		v->dirty_total += (size_t)bit_set(v->bitmap, bit);
	return 1;
}

/* Applies the dirty pages of the hive bin at pos; *k counts the log's
 * pages used so far.  Returns the bin's size, or 0 when recovery stops
 * there (a bad bin, or its pages missing from the log). */
static uint32_t
apply_bin(struct lr *c, struct lr_log *l, const struct dirty_vector *v,
	  uint64_t pos, size_t *k)
{
	const unsigned char *d = l->buf->data, *h;
	size_t n = l->buf->len, first = (size_t)(pos / REGF_OLD_PAGE), cnt = 0;
	size_t j, have = v->start > n ? 0 : (n - v->start) / REGF_OLD_PAGE;
	int dirty_header = bit_set(v->bitmap, first);
	uint32_t size;

	if (dirty_header && have < *k + 1) {
		stop(c, l, "the log is truncated: the page holding hive bin "
		    "%llu is missing", (unsigned long long)pos);
		return 0;
	}
	h = dirty_header ? d + v->start + *k * REGF_OLD_PAGE :
	    c->img + REGF_BASE_BLOCK + pos;
	size = le32(h + REGF_HBIN_SIZE);
	if (memcmp(h, "hbin", 4) != 0 || le32(h + REGF_HBIN_OFFSET) != pos ||
	    size < REGF_PAGE || size % REGF_PAGE != 0 || size > v->bins - pos) {
		/* Windows stops at a bad dirty hive bin; a bad clean one
		 * stops us, as the next bins cannot be found. */
		if (*k < v->dirty_total)
			stop(c, l, "hive bin at offset %llu is invalid (%s); its "
			    "pages and the later ones were not applied",
			    (unsigned long long)pos, dirty_header ? "dirty" :
			    "in the hive");
		return 0;
	}
	for (j = first; j < first + size / REGF_OLD_PAGE; j++)
		cnt += (size_t)bit_set(v->bitmap, j);
	if (cnt > 0 && have < *k + cnt) {
		stop(c, l, "the log is truncated: pages of hive bin %llu are "
		    "missing", (unsigned long long)pos);
		return 0;
	}
	for (j = first; j < first + size / REGF_OLD_PAGE; j++) {
		if (!bit_set(v->bitmap, j))
			continue;
		memcpy(c->img + REGF_BASE_BLOCK + j * REGF_OLD_PAGE,
		    d + v->start + *k * REGF_OLD_PAGE, REGF_OLD_PAGE);
		(*k)++;
	}
	return size;
}

/* Applies an old-format log, hive bin by hive bin.  Returns 1 when pages
 * were applied, 0 with l->why set when none, -1 on error. */
static int
apply_old(struct lr *c, struct lr_log *l, struct hp_err *e)
{
	const unsigned char *d = l->buf->data;
	size_t k = 0, len0 = c->len;
	struct dirty_vector v;
	uint64_t pos = 0;
	uint32_t size;

	if (!read_vector(c, l, &v))
		return 0;
	if (grow(c, (uint64_t)REGF_BASE_BLOCK + v.bins, e) != 0)
		return -1;
	while (pos < v.bins && (size = apply_bin(c, l, &v, pos, &k)) != 0)
		pos += size;
	if (k == 0 && c->rep->stopped_early) {
		set_why(l, "nothing applicable: %s", c->rep->stop_reason);
		c->rep->stopped_early = 0;
		c->rep->stop_reason[0] = '\0';
		c->len = len0;	/* undo the growth; nothing was written */
		return 0;
	}
	c->rep->pages_applied = (unsigned)k;
	c->bins_final = v.bins;
	c->flags_final = le32(d + REGF_BB_FLAGS);
	c->root_final = le32(d + REGF_BB_ROOT);
	c->seq_final = l->seq;
	return 1;
}

int
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

