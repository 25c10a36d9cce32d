/* testutil: dirty fixtures made by mkdirty, and their transaction logs
 * (tu_dirty.h). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "testutil.h"

void
tu_mkdirty_va(const char *mode, const char *clean, const char *out,
	      va_list opts)
{
	const char *argv[TU_MAX_ARGS + 5];
	struct tu_result r;
	const char *a;
	size_t n = 0;

	argv[n++] = tu_env_required("MKDIRTY");
	while ((a = va_arg(opts, const char *)) != NULL) {
		ck_assert_msg(n <= TU_MAX_ARGS, "too many mkdirty options");
		argv[n++] = a;
	}
	argv[n++] = mode;
	argv[n++] = clean;
	argv[n++] = out;
	argv[n] = NULL;
	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "mkdirty %s %s %s failed (%d): %s", mode,
	    clean, out, r.status, r.err);
	tu_result_free(&r);
}

void
tu_mkdirty(const char *mode, const char *clean, const char *out, ...)
{
	va_list ap;

	va_start(ap, out);
	tu_mkdirty_va(mode, clean, out, ap);
	va_end(ap);
}

size_t
tu_log_entry_offset(const char *log, unsigned k)
{
	size_t len, off = 512;
	unsigned char *d = tu_read_file(log, &len);
	unsigned i;

	for (i = 1; ; i++) {
		ck_assert_msg(k >= 1 && off + 40 <= len &&
		    memcmp(d + off, "HvLE", 4) == 0,
		    "%s: no log entry %u (entry %u at offset %zu is not one)",
		    log, k, i, off);
		if (i == k)
			break;
		ck_assert_msg(le32(d + off + 4) >= 40, "%s: entry %u has a "
		    "bad size", log, i);
		off += le32(d + off + 4);
	}
	free(d);
	return off;
}
