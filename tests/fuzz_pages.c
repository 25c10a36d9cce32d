/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the reader of a backup's pages file
 * (lib/backup_pages.c, pages_apply), which rollback trusts no more than
 * any file in a directory others may write:
 *
 *   ./configure --enable-fuzzing && make fuzz-pages
 *
 * The input is the pages file; it is applied to an empty memory file.
 * Besides the sanitizers, the target checks what the interface
 * promises: a refusal is HP_R_DAMAGED or HP_R_IO with a message, and a
 * pages file that is accepted leaves the file at the size it names.
 * test_fuzz replays tests/fuzz-regressions/pages/ through fuzz_pages(). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup_pages.h"
#include "fuzz.h"
#include "regf.h"

/* Larger hives are sparse memory files; past this they only cost time. */
#define FUZZ_MAX_SIZE (64ull * 1024 * 1024)

int
fuzz_pages(const uint8_t *data, size_t size)
{
	struct hp_err e = { 0 };
	struct stat st;
	int fd, rc;

	if (size >= 16 && le64(data + 8) > FUZZ_MAX_SIZE)
		return 0;
	fd = memfd_create("fuzz-pages", MFD_CLOEXEC);
	if (fd == -1)
		return 0;
	rc = pages_apply(data, size, "fuzz", fd, &e);
	if (rc == 0 && (fstat(fd, &st) == -1 ||
	    (uint64_t)st.st_size != le64(data + 8)))
		abort();
	if (rc == -1 && (e.msg[0] == '\0' || (e.reason != HP_R_DAMAGED &&
	    e.reason != HP_R_IO)))
		abort();
	close(fd);
	return 0;
}

FUZZ_ENTRY(fuzz_pages)
