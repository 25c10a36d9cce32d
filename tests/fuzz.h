/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fuzz targets' entry points.  Each tests/fuzz_NAME.c defines
 * fuzz_NAME(), which takes one input and returns 0 (it aborts when the
 * code under test breaks a promise).  Built as a libFuzzer program
 * (configure --enable-fuzzing, HP_FUZZ_MAIN defined) the file also
 * defines LLVMFuzzerTestOneInput calling it; the plain test program
 * test_fuzz links all of them, with gcc too, and replays every input kept
 * in tests/fuzz-regressions/NAME/ (see the README there). */
#ifndef HIVEPATCH_TESTS_FUZZ_H
#define HIVEPATCH_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int fuzz_logreplay(const uint8_t *data, size_t size);	/* log replay */
int fuzz_pages(const uint8_t *data, size_t size);	/* backup pages */
int fuzz_regparse(const uint8_t *data, size_t size);	/* .reg parser */
int fuzz_hive(const uint8_t *data, size_t size);	/* hive read path */
int fuzz_render(const uint8_t *data, size_t size);	/* text and JSON */
int fuzz_image(const uint8_t *data, size_t size);	/* image readers */

/* Inputs of the fuzz_logreplay and fuzz_hive formats: byte 0, then
 * 24-bit little-endian lengths of the first parts (clipped to what is
 * left), then the parts; the last part is the rest. */
static inline size_t
fuzz_get24(const uint8_t *p)
{
	return (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16;
}

/* The three parts of such an input after its FUZZ_HEADER bytes: the
 * hive (hl bytes), the first log (l1) and the second (rest).  0 when the
 * input is too short to have a header. */
#define FUZZ_HEADER 7

static inline int
fuzz_split3(const uint8_t *data, size_t size, size_t *hl, size_t *l1,
	    size_t *rest)
{
	if (size < FUZZ_HEADER)
		return 0;
	*rest = size - FUZZ_HEADER;
	if ((*hl = fuzz_get24(data + 1)) > *rest)
		*hl = *rest;
	*rest -= *hl;
	if ((*l1 = fuzz_get24(data + 4)) > *rest)
		*l1 = *rest;
	*rest -= *l1;
	return 1;
}

#ifdef HP_FUZZ_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#define FUZZ_ENTRY(fn) \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) \
	{ \
		return fn(data, size); \
	}
#else
#define FUZZ_ENTRY(fn)
#endif

#endif
