/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Transaction logs written as Windows writes them (see logwrite.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "logwrite.h"
#include "regf.h"

#define ROUND512(x) (((x) + 511u) / 512u * 512u)

/* How often log_changed_runs_cb reports progress. */
#define DONE_STEP (8u << 20)

/* Adds the page at off (unit bytes) to the runs r (*n of them, room for
 * *cap), joining it to the last when they touch. */
static int
add_page(struct page_run **r, size_t *n, size_t *cap, uint32_t off,
	 uint32_t unit, struct hp_err *e)
{
	struct page_run *p;

	if (*n > 0 && (*r)[*n - 1].off + (*r)[*n - 1].len == off) {
		(*r)[*n - 1].len += unit;
		return 0;
	}
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if ((p = realloc(*r, *cap * sizeof(*p))) == NULL) {
			free(*r);
			*r = NULL;
			*n = 0;
			return hp_err_nomem(e);
		}
		*r = p;
	}
	(*r)[*n].off = off;
	(*r)[*n].len = unit;
	(*n)++;
	return 0;
}

/* b's hive bins data size, which must lie within b. */
static int
bins_of_new(const unsigned char *b, size_t b_len, uint32_t unit,
	    uint32_t *bins, struct hp_err *e)
{
	if (b_len < REGF_BASE_BLOCK)
		return hp_err_set(e, HP_R_DAMAGED, "the new hive is %zu bytes, "
		    "shorter than a base block", b_len);
	*bins = le32(b + REGF_BB_BINS_SIZE);
	if ((uint64_t)REGF_BASE_BLOCK + *bins > b_len || *bins % unit != 0)
		return hp_err_set(e, HP_R_DAMAGED, "the new hive is shorter than "
		    "its hive bins data (%u bytes)", *bins);
	return 0;
}

int
log_changed_runs_cb(const unsigned char *a, size_t a_len,
		    const unsigned char *b, size_t b_len, uint32_t unit,
		    void (*done)(void *arg, size_t upto), void *arg,
		    struct page_run **runs, size_t *n, struct hp_err *e)
{
	uint32_t bins_a = a_len >= REGF_BASE_BLOCK ? le32(a + REGF_BB_BINS_SIZE) :
	    0;
	uint32_t bins_b = 0, off;
	size_t cap = 0;

	*runs = NULL;
	*n = 0;
	if (bins_of_new(b, b_len, unit, &bins_b, e) == -1)
		return -1;
	for (off = 0; off < bins_b; off += unit) {
		size_t at = REGF_BASE_BLOCK + (size_t)off;

		if (done != NULL && off > 0 && off % DONE_STEP == 0)
			done(arg, at);
		if (off < bins_a && at + unit <= a_len &&
		    memcmp(a + at, b + at, unit) == 0)
			continue;
		if (add_page(runs, n, &cap, off, unit, e) == -1)
			return -1;
	}
	if (done != NULL)
		done(arg, REGF_BASE_BLOCK + (size_t)bins_b);
	return 0;
}

int
log_changed_runs(const unsigned char *a, size_t a_len, const unsigned char *b,
		 size_t b_len, uint32_t unit, struct page_run **runs, size_t *n,
		 struct hp_err *e)
{
	return log_changed_runs_cb(a, a_len, b, b_len, unit, NULL, NULL, runs,
	    n, e);
}

/* Whether run list r (n runs, from *i on, ascending) holds the page at
 * off; *i moves past the runs that end before it, adding their lengths
 * to *before. */
static int
runs_hold(const struct page_run *r, size_t n, size_t *i, size_t *before,
	  uint32_t off)
{
	while (*i < n && r[*i].off + r[*i].len <= off)
		*before += r[(*i)++].len;
	return *i < n && r[*i].off <= off;
}

int
log_changed_runs_via(const struct page_run *cb, size_t n_cb,
		     const struct page_run *cv, size_t n_cv,
		     const unsigned char *cv_bytes, size_t v_len,
		     uint32_t v_bins, const unsigned char *b, size_t b_len,
		     struct page_run **runs, size_t *n, struct hp_err *e)
{
	size_t cap = 0, ib = 0, iv = 0, b_before = 0, v_before = 0;
	uint32_t bins_b = 0, off;
	int changed;

	*runs = NULL;
	*n = 0;
	if (bins_of_new(b, b_len, REGF_PAGE, &bins_b, e) == -1)
		return -1;
	for (off = 0; off < bins_b; off += REGF_PAGE) {
		size_t at = REGF_BASE_BLOCK + (size_t)off;

		if (off >= v_bins || at + REGF_PAGE > v_len) {
			changed = 1;
		} else if (runs_hold(cv, n_cv, &iv, &v_before, off)) {
			/* v's bytes of this page, in the order of cv. */
			changed = memcmp(cv_bytes + v_before + (off - cv[iv].off),
			    b + at, REGF_PAGE) != 0;
		} else {
			changed = runs_hold(cb, n_cb, &ib, &b_before, off);
		}
		if (changed && add_page(runs, n, &cap, off, REGF_PAGE, e) == -1)
			return -1;
	}
	return 0;
}

void
log_header(unsigned char *out, const unsigned char *bb, uint32_t type,
	   uint32_t seq)
{
	memcpy(out, bb, REGF_LOG_HEADER);
	put_le32(out + REGF_BB_FILE_TYPE, type);
	put_le32(out + REGF_BB_SEQ1, seq);
	put_le32(out + REGF_BB_SEQ2, seq);
	regf_checksum_set(out);
}

static size_t
runs_bytes(const struct page_run *runs, size_t n)
{
	size_t total = 0, i;

	for (i = 0; i < n; i++)
		total += runs[i].len;
	return total;
}

/* The entry at p, of `len` bytes (zeroed), filled. */
static void
fill_entry(unsigned char *p, size_t len, uint32_t seq, uint32_t flags,
	   uint32_t bins, const unsigned char *hbins,
	   const struct page_run *runs, size_t n)
{
	size_t pos = REGF_LE_HEADER + 8 * n, i;

	memcpy(p, "HvLE", 4);
	put_le32(p + REGF_LE_SIZE, (uint32_t)len);
	put_le32(p + REGF_LE_FLAGS, flags & 1u);
	put_le32(p + REGF_LE_SEQ, seq);
	put_le32(p + REGF_LE_BINS_SIZE, bins);
	put_le32(p + REGF_LE_PAGES, (uint32_t)n);
	for (i = 0; i < n; i++) {
		put_le32(p + REGF_LE_HEADER + 8 * i, runs[i].off);
		put_le32(p + REGF_LE_HEADER + 8 * i + 4, runs[i].len);
		memcpy(p + pos, hbins + runs[i].off, runs[i].len);
		pos += runs[i].len;
	}
	put_le64(p + REGF_LE_HASH1, regf_marvin32(p + REGF_LE_HEADER,
	    len - REGF_LE_HEADER, REGF_LOG_HASH_SEED));
	put_le64(p + REGF_LE_HASH2, regf_marvin32(p, 32, REGF_LOG_HASH_SEED));
}

static size_t
entry_size(const struct page_run *runs, size_t n)
{
	return ROUND512(REGF_LE_HEADER + 8 * n + runs_bytes(runs, n));
}

/* An entry references at least one page: the replay, as Windows, takes
 * a page count of 0 for a damaged entry.  With no page changed (only the
 * base block did), the first page is written again, unchanged. */
static const struct page_run first_page = { 0, REGF_PAGE };

static void
at_least_one_page(const struct page_run **runs, size_t *n)
{
	if (*n == 0) {
		*runs = &first_page;
		*n = 1;
	}
}

int
log_entry(uint32_t seq, uint32_t flags, uint32_t bins,
	  const unsigned char *hbins, const struct page_run *runs, size_t n,
	  unsigned char **out, size_t *len, struct hp_err *e)
{
	at_least_one_page(&runs, &n);
	*len = entry_size(runs, n);
	if ((*out = calloc(1, *len)) == NULL)
		return hp_err_nomem(e);
	fill_entry(*out, *len, seq, flags, bins, hbins, runs, n);
	return 0;
}

int
log_build_new(const unsigned char *bb, uint32_t seq,
	      const unsigned char *hbins, const struct page_run *runs,
	      size_t n, unsigned char **out, size_t *len, struct hp_err *e)
{
	size_t elen;

	at_least_one_page(&runs, &n);
	elen = entry_size(runs, n);
	*len = REGF_LOG_HEADER + elen;
	if ((*out = calloc(1, *len)) == NULL)
		return hp_err_nomem(e);
	log_header(*out, bb, REGF_FILE_LOG_NEW, seq);
	fill_entry(*out + REGF_LOG_HEADER, elen, seq, le32(bb + REGF_BB_FLAGS),
	    le32(bb + REGF_BB_BINS_SIZE), hbins, runs, n);
	return 0;
}

int
log_build_old(const unsigned char *bb, uint32_t seq,
	      const unsigned char *hbins, const struct page_run *runs,
	      size_t n, unsigned char **out, size_t *len, struct hp_err *e)
{
	uint32_t bins = le32(bb + REGF_BB_BINS_SIZE), off;
	size_t start = ROUND512(REGF_LOG_HEADER + 4 + bins / REGF_OLD_PAGE / 8);
	size_t pos, i;
	unsigned char *d;

	pos = start;
	*len = start + runs_bytes(runs, n);
	if ((d = calloc(1, *len)) == NULL)
		return hp_err_nomem(e);
	log_header(d, bb, REGF_FILE_LOG_OLD, seq);
	memcpy(d + REGF_DIRT_OFFSET, "DIRT", 4);
	/* One bit per 512-byte page; the pages follow in bit order. */
	for (i = 0; i < n; i++) {
		for (off = runs[i].off; off < runs[i].off + runs[i].len;
		    off += REGF_OLD_PAGE) {
			size_t bit = off / REGF_OLD_PAGE;

			d[REGF_DIRT_OFFSET + 4 + bit / 8] |=
			    (unsigned char)(1u << (bit % 8));
		}
		memcpy(d + pos, hbins + runs[i].off, runs[i].len);
		pos += runs[i].len;
	}
	*out = d;
	return 0;
}

int
log_format_of(const unsigned char *d, size_t len)
{
	uint32_t type;

	if (len < REGF_LOG_HEADER || memcmp(d, "regf", 4) != 0 ||
	    !regf_checksum_ok(d))
		return HP_LOG_NONE;
	type = le32(d + REGF_BB_FILE_TYPE);
	if (type == REGF_FILE_LOG_NEW)
		return HP_LOG_NEW;
	if (type == REGF_FILE_LOG_OLD || type == REGF_FILE_LOG_VERYOLD)
		return HP_LOG_OLD;
	return HP_LOG_NONE;
}
