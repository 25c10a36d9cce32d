/* testutil: dirty fixtures made by mkdirty, and their transaction logs.
 * See testutil.h. */
#ifndef HIVEPATCH_TU_DIRTY_H
#define HIVEPATCH_TU_DIRTY_H

#include <stdarg.h>
#include <stddef.h>

/* $MKDIRTY [OPTION...] MODE CLEAN OUT (MODE "new" or "old"; the options,
 * e.g. "--truncate-log", "1000", up to a NULL): writes OUT, OUT.LOG1
 * (and OUT.LOG2 for new), OUT.orig, OUT.expected and OUT.expected.N, as
 * hives/mkdirty.c describes.  Fails the test when it fails. */
void tu_mkdirty(const char *mode, const char *clean, const char *out, ...)
	__attribute__((sentinel));
void tu_mkdirty_va(const char *mode, const char *clean, const char *out,
		   va_list opts);

/* Offset of the k-th (from 1) HvLE entry of a new-format log; fails the
 * test when there is no such entry. */
size_t tu_log_entry_offset(const char *log, unsigned k);

#endif
