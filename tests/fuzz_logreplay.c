/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the transaction log replay (lib/logreplay.c).
 *
 * Build and run (see README.md, "Fuzzing"):
 *
 *   ./configure --enable-fuzzing && make fuzz-logreplay FUZZ_SECONDS=600
 *
 * The input is split into a primary hive and up to two logs:
 *
 *   byte 0       number of logs (low 6 bits, mod 3); bit 7 set: "fix
 *                up" the input first (see below); bit 6 set: hand the
 *                primary over in a memory file (log_replay_fd(), which
 *                recovers in that file, as the view does) instead of
 *                log_replay_buffers()
 *   bytes 1-3    length of the primary (little-endian, clipped)
 *   bytes 4-6    length of the first log (clipped); the second log is
 *                the rest
 *   then         the primary, the first log, the second log
 *
 * With the fix-up bit, the checksums of the three base blocks and the
 * hashes of the HvLE entries found in the logs are recomputed before the
 * replay, so that mutations get past them and reach the checks behind
 * (sizes, page references, sequence numbers, growth).
 *
 * The parts are replayed with log_replay_buffers() (or
 * log_replay_fd()), the recovered image bounded to 64 MiB.  Besides
 * the sanitizers, the target checks what the interface promises and
 * aborts when it does not hold: on success a clean hive comes back byte
 * for byte, a recovered one has a clean, consistent base block; on
 * failure there is no image and a message with HP_IOERR or HP_REFUSED.
 *
 * test_fuzz links this file too and runs every file kept in
 * tests/fuzz-regressions/logreplay/ through fuzz_logreplay(). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "logreplay.h"
#include "regf.h"

#define FUZZ_MAX_IMAGE (64u * 1024 * 1024)

static void
put64(unsigned char *p, uint64_t v)
{
	size_t i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Recomputes what guards the structure: base block checksums, and the
 * hashes of the chain of HvLE entries of a log. */
static void
fix_up(unsigned char *d, size_t len, int is_log)
{
	size_t off = 512;

	if (len >= 512 && memcmp(d, "regf", 4) == 0)
		regf_checksum_set(d);
	if (!is_log)
		return;
	while (off < len && len - off >= 40 && memcmp(d + off, "HvLE", 4) == 0) {
		uint32_t size = le32(d + off + 4);

		if (size < 40 || size > len - off)
			break;
		put64(d + off + 24, regf_marvin32(d + off + 40, size - 40,
		    REGF_LOG_HASH_SEED));
		put64(d + off + 32, regf_marvin32(d + off, 32,
		    REGF_LOG_HASH_SEED));
		if (size < 512 || size % 512 != 0)
			break;
		off += size;
	}
}

/* File mode: the primary's bytes in a memory file, which the replay
 * recovers in place (what the view does); the image is read back from
 * it.  1 when the file cannot be had. */
static int
via_fd(const struct log_replay_buf *hive, const struct log_replay_buf *logs,
       size_t n_logs, unsigned char **img, size_t *len,
       struct hp_recovery *rep, struct hp_err *e)
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC), rc;
	size_t got = 0;

	if (fd == -1)
		return 1;
	if (write(fd, hive->data, hive->len) != (ssize_t)hive->len) {
		close(fd);
		return 1;
	}
	rc = log_replay_fd(hive->name, fd, hive->len, logs, n_logs,
	    FUZZ_MAX_IMAGE, &got, rep, e);
	if (rc == 0 && (*img = malloc(got ? got : 1)) == NULL)
		abort();
	if (rc == 0 && pread(fd, *img, got, 0) != (ssize_t)got)
		abort();
	/* The file holds the image, and nothing past it. */
	if (rc == 0 && lseek(fd, 0, SEEK_END) != (off_t)got)
		abort();
	if (rc == 0)
		*len = got;
	close(fd);
	return rc;
}

static void
check_result(int rc, const struct log_replay_buf *hive,
	     const unsigned char *img, size_t len,
	     const struct hp_recovery *rep, const struct hp_err *e)
{
	if (rc != 0) {
		if (img != NULL || len != 0)
			abort();
		if (e->status != HP_IOERR && e->status != HP_REFUSED)
			abort();
		if (e->msg[0] == '\0')
			abort();
		return;
	}
	if (img == NULL || len < 4096)
		abort();
	if (!rep->dirty) {
		if (len != hive->len || memcmp(img, hive->data, len) != 0)
			abort();
		if (rep->format != 0 || rep->n_logs_used != 0)
			abort();
		return;
	}
	if (memcmp(img, "regf", 4) != 0 || !regf_checksum_ok(img))
		abort();
	if (le32(img + 4) != le32(img + 8) || le32(img + 4) != rep->seq_after)
		abort();
	if (le32(img + 28) != 0)
		abort();
	if ((uint64_t)len < 4096ull + le32(img + 40) || len > FUZZ_MAX_IMAGE ||
	    len < hive->len)
		abort();
	if (rep->n_logs_used == 0 || rep->n_logs_used > 2)
		abort();
	if (rep->format == 2 && rep->entries_applied == 0)
		abort();
	if (rep->format != 1 && rep->format != 2)
		abort();
	if (rep->stopped_early && rep->stop_reason[0] == '\0')
		abort();
}

int
fuzz_logreplay(const uint8_t *data, size_t size)
{
	struct log_replay_buf hive, logs[2];
	struct hp_recovery rep;
	struct hp_err e;
	unsigned char *img = NULL;
	size_t len = 0, n_logs, rest, hl, l1;
	unsigned char *copy = NULL;
	int rc;

	if (!fuzz_split3(data, size, &hl, &l1, &rest))
		return 0;
	n_logs = (data[0] & 0x3f) % 3;

	hive.name = "fuzz/HIVE";
	hive.data = data + FUZZ_HEADER;
	hive.len = hl;
	logs[0].name = "fuzz/HIVE.LOG1";
	logs[0].data = hive.data + hl;
	logs[0].len = l1;
	logs[1].name = "fuzz/HIVE.LOG2";
	logs[1].data = logs[0].data + l1;
	logs[1].len = rest;

	if (data[0] & 0x80) {
		copy = malloc(size - FUZZ_HEADER + 1);
		if (copy == NULL)
			return 0;
		memcpy(copy, data + FUZZ_HEADER, size - FUZZ_HEADER);
		fix_up(copy, hl, 0);
		fix_up(copy + hl, l1, 1);
		fix_up(copy + hl + l1, rest, 1);
		hive.data = copy;
		logs[0].data = copy + hl;
		logs[1].data = copy + hl + l1;
	}

	memset(&e, 0, sizeof(e));
	if (data[0] & 0x40) {
		rc = via_fd(&hive, logs, n_logs, &img, &len, &rep, &e);
		if (rc == 1)
			return 0;	/* no memory file */
	} else {
		rc = log_replay_buffers(&hive, logs, n_logs, FUZZ_MAX_IMAGE,
		    &img, &len, &rep, &e);
	}
	check_result(rc, &hive, img, len, &rep, &e);
	free(img);
	free(copy);
	log_replay_report_free(&rep);
	return 0;
}

FUZZ_ENTRY(fuzz_logreplay)
