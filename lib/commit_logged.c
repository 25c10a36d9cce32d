/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The commit through the hive's own log (see commit_logged.h). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commit_logged.h"
#include "error.h"
#include "logwrite.h"
#include "regf.h"

/* The later of two sequence numbers, modulo 2^32 as Windows compares. */
static uint32_t
later(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u ? a : b;
}

struct mapping {
	unsigned char *p;
	size_t len;
};

static int
map_fd(int fd, size_t len, int writable, const char *where,
       struct mapping *m, struct hp_err *e)
{
	void *p;

	m->p = NULL;
	m->len = len;
	if (len < REGF_BASE_BLOCK)
		return hp_err_set(e, HP_R_DAMAGED, "%s: %zu bytes, too short for "
		    "a hive", where, len);
	p = mmap(NULL, len, PROT_READ | (writable ? PROT_WRITE : 0),
	    MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return hp_err_set(e, HP_R_IO, "%s: cannot map %zu bytes: %s",
		    where, len, strerror(errno));
	m->p = p;
	return 0;
}

static void
unmap(struct mapping *m)
{
	if (m->p != NULL)
		munmap(m->p, m->len);
	m->p = NULL;
}

/* The store's in-place operations, naming the file in their errors. */
struct io {
	const struct hp_store_ops *ops;
	void *priv;
	struct hp_store_hive *hive;
};

static int
put(const struct io *io, const char *name, uint64_t off, const void *buf,
    size_t len, struct hp_err *e)
{
	return io->ops->write_at(io->priv, io->hive, name, off, buf, len, e);
}

static int
flush(const struct io *io, const char *name, struct hp_err *e)
{
	return io->ops->sync(io->priv, io->hive, name, e);
}

/* Step 1: the log, whole, cut to its length (nothing of an earlier log
 * may follow its entry), synced. */
static int
write_log(const struct io *io, struct logged_commit *lc,
	  const unsigned char *bb, const unsigned char *hbins,
	  const struct page_run *runs, size_t n, struct hp_err *e)
{
	unsigned char *log;
	size_t len;
	int rc;

	rc = lc->format == HP_LOG_OLD ?
	    log_build_old(bb, lc->seq, hbins, runs, n, &log, &len, e) :
	    log_build_new(bb, lc->seq - 1, hbins, runs, n, &log, &len, e);
	if (rc == -1)
		return -1;
	rc = put(io, lc->log, 0, log, len, e);
	free(log);
	if (rc == -1 ||
	    io->ops->set_size(io->priv, io->hive, lc->log, len, e) == -1)
		return -1;
	return flush(io, lc->log, e);
}

/* Step 1 for a dirty hive: one entry, continuing its recovery, appended
 * where the entries applied end (what follows them was never applied),
 * holding the pages that differ from the hive as recovered. */
static int
append_entry(const struct io *io, struct logged_commit *lc,
	     const struct mapping *img, const struct page_run *disk_runs,
	     size_t n_disk_runs, struct hp_err *e)
{
	struct page_run *runs = NULL;
	unsigned char *entry = NULL;
	size_t n = 0, len = 0;
	int rc = -1;

	if (log_changed_runs_via(disk_runs, n_disk_runs, lc->view_delta,
	    lc->n_view_delta, lc->view_delta_bytes, (size_t)lc->view_size,
	    lc->view_bins, img->p, img->len, &runs, &n, e) == -1 ||
	    log_entry(lc->append_seq, le32(img->p + REGF_BB_FLAGS),
	    le32(img->p + REGF_BB_BINS_SIZE), img->p + REGF_BASE_BLOCK, runs, n,
	    &entry, &len, e) == -1)
		goto out;
	if (put(io, lc->log, lc->append_at, entry, len, e) == -1 ||
	    io->ops->set_size(io->priv, io->hive, lc->log, lc->append_at + len,
	    e) == -1 || flush(io, lc->log, e) == -1)
		goto out;
	rc = 0;
out:
	free(entry);
	free(runs);
	return rc;
}

/* Step 2: the base block written dirty, synced.  A write that failed
 * may have landed in part, or not at all: the hive counts as touched
 * unless its base block (read through disk_fd, the very file) still
 * holds what it held, in which case nothing of the hive was written. */
static int
write_dirty(const struct io *io, struct logged_commit *lc, int disk_fd,
	    const unsigned char *bb, struct hp_err *e)
{
	unsigned char was[REGF_BASE_BLOCK], now[REGF_BASE_BLOCK];
	int have = pread(disk_fd, was, sizeof(was), 0) == (ssize_t)sizeof(was);

	lc->touched = 1;
	if (put(io, NULL, 0, bb, REGF_BASE_BLOCK, e) == 0 &&
	    flush(io, NULL, e) == 0)
		return 0;
	if (have && pread(disk_fd, now, sizeof(now), 0) == (ssize_t)sizeof(now) &&
	    memcmp(was, now, sizeof(was)) == 0)
		lc->touched = 0;
	return -1;
}

/* Steps 2 to 4: dirty base block, pages, clean base block. */
static int
write_primary(const struct io *io, struct logged_commit *lc, int disk_fd,
	      const struct mapping *img, uint64_t disk_size,
	      const struct page_run *runs, size_t n, struct hp_err *e)
{
	unsigned char bb[REGF_BASE_BLOCK];
	size_t i;

	memcpy(bb, img->p, sizeof(bb));
	put_le32(bb + REGF_BB_SEQ1, lc->seq);
	put_le32(bb + REGF_BB_SEQ2, lc->append ? lc->base_seq2 : lc->seq - 1);
	put_le32(bb + REGF_BB_FILE_TYPE, REGF_FILE_PRIMARY);
	regf_checksum_set(bb);
	if (write_dirty(io, lc, disk_fd, bb, e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		uint64_t off = REGF_BASE_BLOCK + (uint64_t)runs[i].off;

		if (put(io, NULL, off, img->p + off, runs[i].len, e) == -1)
			return -1;
		lc->pages += runs[i].len / REGF_PAGE;
	}
	if (img->len != disk_size &&
	    io->ops->set_size(io->priv, io->hive, NULL, img->len, e) == -1)
		return -1;
	if (flush(io, NULL, e) == -1)
		return -1;
	if (put(io, NULL, 0, img->p, REGF_BASE_BLOCK, e) == -1)
		return -1;
	return flush(io, NULL, e);
}

/* The bytes at off of f are those of the image there. */
static int
same_bytes(const struct io *io, int fd, const struct mapping *img,
	   uint64_t off, size_t len, struct hp_err *e)
{
	unsigned char buf[1 << 16];

	while (len > 0) {
		size_t want = len < sizeof(buf) ? len : sizeof(buf);
		ssize_t got = pread(fd, buf, want, (off_t)off);

		if (got <= 0)
			return hp_err_set(e, HP_R_IO, "%s: cannot read back at "
			    "offset %ju: %s", io->hive->where, (uintmax_t)off,
			    got < 0 ? strerror(errno) : "end of file");
		if (memcmp(buf, img->p + off, (size_t)got) != 0)
			return hp_err_set(e, HP_R_NOT_VERIFIED, "%s: reads back "
			    "other bytes than were written, near offset %ju",
			    io->hive->where, (uintmax_t)off);
		off += (uint64_t)got;
		len -= (size_t)got;
	}
	return 0;
}

/* What the store reads back is, byte for byte, the hive checked: its
 * size, and every byte this commit wrote (the others were compared
 * with the image before, and the lock kept them). */
static int
read_back(const struct io *io, const struct mapping *img,
	  const struct page_run *runs, size_t n, struct hp_err *e)
{
	struct hp_hive_files f;
	size_t i;
	int rc = 0;

	if (io->ops->read(io->priv, io->hive, &f, e) == -1)
		return -1;
	if (f.size != img->len)
		rc = hp_err_set(e, HP_R_NOT_VERIFIED, "%s: reads back %ju bytes "
		    "after the commit, not the %zu written", io->hive->where,
		    (uintmax_t)f.size, img->len);
	if (rc == 0)
		rc = same_bytes(io, f.fd, img, 0, REGF_BASE_BLOCK, e);
	for (i = 0; rc == 0 && i < n; i++)
		rc = same_bytes(io, f.fd, img, REGF_BASE_BLOCK +
		    (uint64_t)runs[i].off, runs[i].len, e);
	hp_hive_files_free(&f);
	return rc;
}

int
logs_scan(const struct hp_hive_files *f, uint32_t *max_seq)
{
	unsigned char hdr[REGF_LOG_HEADER];
	int fmt = HP_LOG_NONE;
	size_t i;

	*max_seq = 0;
	for (i = 0; i < f->n_logs; i++) {
		int this;

		if (pread(f->logs[i].fd, hdr, sizeof(hdr), 0) !=
		    (ssize_t)sizeof(hdr) ||
		    (this = log_format_of(hdr, sizeof(hdr))) == HP_LOG_NONE)
			continue;
		if (fmt == HP_LOG_NONE)
			fmt = this;
		*max_seq = later(*max_seq, le32(hdr + REGF_BB_SEQ1));
	}
	return fmt;
}

uint64_t
filetime_of(const struct timespec *now)
{
	struct timespec t;

	if (now != NULL)
		t = *now;
	else
		clock_gettime(CLOCK_REALTIME, &t);
	return ((uint64_t)t.tv_sec + 11644473600ull) * 10000000ull +
	    (uint64_t)t.tv_nsec / 100;
}

int
logged_prepare(int disk_fd, int image_fd, struct logged_commit *lc,
	       const char *where, struct hp_err *e)
{
	unsigned char disk[REGF_LOG_HEADER], img[REGF_BASE_BLOCK];
	uint32_t top;

	if (pread(disk_fd, disk, sizeof(disk), 0) != (ssize_t)sizeof(disk) ||
	    pread(image_fd, img, sizeof(img), 0) != (ssize_t)sizeof(img))
		return hp_err_set(e, HP_R_IO, "%s: cannot read a base block: %s",
		    where, strerror(errno ? errno : EIO));
	/* Past every number a log or the hive carries: no other log is
	 * then newer than the hive once step 2 has written it. */
	top = later(lc->min_seq, later(le32(disk + REGF_BB_SEQ1),
	    le32(disk + REGF_BB_SEQ2)));
	if (lc->exact)
		top = later(top, later(le32(img + REGF_BB_SEQ1),
		    le32(img + REGF_BB_SEQ2)));
	if (lc->append)
		top = later(top, lc->append_seq);
	lc->seq = top + 2;
	lc->prepared = 1;
	if (lc->exact)
		return 0;
	put_le32(img + REGF_BB_SEQ1, lc->seq);
	put_le32(img + REGF_BB_SEQ2, lc->seq);
	put_le32(img + REGF_BB_FILE_TYPE, REGF_FILE_PRIMARY);
	regf_checksum_set(img);
	if (pwrite(image_fd, img, sizeof(img), 0) != (ssize_t)sizeof(img))
		return hp_err_set(e, HP_R_IO, "%s: the new hive: %s", where,
		    strerror(errno ? errno : EIO));
	return 0;
}

/* Two files mapped whole and compared from their start: what is
 * compared is let go (the files keep it), so that neither is ever held
 * whole in this process at once. */
struct compared {
	struct mapping *m[2];
	size_t from;
};

static void
let_go(void *arg, size_t upto)
{
	struct compared *c = arg;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), i;

	upto -= upto % page;
	for (i = 0; i < 2; i++) {
		size_t end = upto < c->m[i]->len ? upto : c->m[i]->len;

		if (end > c->from)
			(void)madvise(c->m[i]->p + c->from, end - c->from,
			    MADV_DONTNEED);
	}
	if (upto > c->from)
		c->from = upto;
}

int
map_changed_runs(int a_fd, uint64_t a_size, int b_fd, uint64_t b_size,
		 const char *where, struct page_run **runs, size_t *n,
		 struct hp_err *e)
{
	struct mapping a = { NULL, 0 }, b = { NULL, 0 };
	struct compared c = { { &a, &b }, 0 };
	int rc = -1;

	*runs = NULL;
	*n = 0;
	if (map_fd(a_fd, (size_t)a_size, 0, where, &a, e) == 0 &&
	    map_fd(b_fd, (size_t)b_size, 0, where, &b, e) == 0)
		rc = log_changed_runs_cb(a.p, a.len, b.p, b.len, REGF_PAGE,
		    let_go, &c, runs, n, e);
	unmap(&a);
	unmap(&b);
	return rc;
}

int
hive_changed_runs(int disk_fd, uint64_t disk_size, int image_fd,
		  const char *where, uint64_t *image_size,
		  struct page_run **runs, size_t *n, struct hp_err *e)
{
	struct stat st;

	*runs = NULL;
	*n = 0;
	if (fstat(image_fd, &st) == -1)
		return hp_err_set(e, HP_R_IO, "%s: the new hive: %s", where,
		    strerror(errno));
	*image_size = (uint64_t)st.st_size;
	return map_changed_runs(disk_fd, disk_size, image_fd,
	    (uint64_t)st.st_size, where, runs, n, e);
}

int
commit_logged(struct hp_store *store, struct hp_store_hive *hive,
	      int disk_fd, uint64_t disk_size, int image_fd,
	      struct logged_commit *lc, hp_check_fn check, void *check_arg,
	      struct hp_err *e)
{
	struct io io = { store->ops, store->priv, hive };
	struct mapping img = { NULL, 0 };
	struct page_run *found = NULL;
	const struct page_run *runs = lc->runs;
	size_t n = lc->n_runs;
	uint64_t size;
	struct stat st;
	int rc = -1;

	lc->touched = 0;
	lc->pages = 0;
	if (!lc->prepared &&
	    logged_prepare(disk_fd, image_fd, lc, hive->where, e) == -1)
		return -1;
	if (check != NULL && check(check_arg, image_fd, e) == -1)
		return -1;
	if (!lc->have_runs) {
		if (hive_changed_runs(disk_fd, disk_size, image_fd, hive->where,
		    &size, &found, &n, e) == -1)
			return -1;
		runs = found;
	}
	if (fstat(image_fd, &st) == -1) {
		hp_err_set(e, HP_R_IO, "%s: the new hive: %s", hive->where,
		    strerror(errno));
		goto out;
	}
	if (map_fd(image_fd, (size_t)st.st_size, 0, hive->where, &img, e) == -1)
		goto out;
	/* The hive must open for writing before its log is touched: a
	 * hive we may not write leaves every file as it was. */
	if (put(&io, NULL, 0, img.p, 0, e) == -1)
		goto out;
	if ((lc->append ? append_entry(&io, lc, &img, runs, n, e) :
	    write_log(&io, lc, img.p, img.p + REGF_BASE_BLOCK, runs, n, e)) == -1 ||
	    write_primary(&io, lc, disk_fd, &img, disk_size, runs, n, e) == -1 ||
	    read_back(&io, &img, runs, n, e) == -1)
		goto out;
	rc = 0;
out:
	free(found);
	unmap(&img);
	return rc;
}
