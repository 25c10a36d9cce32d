/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static const struct {
	const char *name;
	enum hp_status status;
} reasons[] = {
	[HP_R_NONE] = { "", HP_OK },
	[HP_R_NO_KEY] = { "no-key", HP_NONCOMPLIANT },
	[HP_R_USAGE] = { "usage", HP_USAGE },
	[HP_R_BAD_REG] = { "bad-reg", HP_USAGE },
	[HP_R_UNKNOWN_PROFILE] = { "unknown-profile", HP_USAGE },
	[HP_R_NO_BACKUP_DIR] = { "no-backup-dir", HP_USAGE },
	[HP_R_DIRTY_UNRECOVERABLE] = { "dirty-unrecoverable", HP_REFUSED },
	[HP_R_DIRTY_NO_RECOVER] = { "dirty-no-recover", HP_REFUSED },
	[HP_R_PARTIAL_LOG] = { "partial-log", HP_REFUSED },
	[HP_R_WRONG_KIND] = { "wrong-kind", HP_REFUSED },
	[HP_R_BAD_SELECT] = { "bad-select", HP_REFUSED },
	[HP_R_NET_MISSING] = { "net-missing", HP_REFUSED },
	[HP_R_UNSUPPORTED_OS] = { "unsupported-os", HP_REFUSED },
	[HP_R_VALUE_TOO_LARGE] = { "value-too-large", HP_REFUSED },
	[HP_R_SYMLINK] = { "symlink", HP_REFUSED },
	[HP_R_NOT_REGULAR] = { "not-regular", HP_REFUSED },
	[HP_R_AMBIGUOUS] = { "ambiguous", HP_REFUSED },
	[HP_R_LOCKED] = { "locked", HP_REFUSED },
	[HP_R_CHANGED] = { "changed", HP_REFUSED },
	[HP_R_NO_BACKUP] = { "no-backup", HP_REFUSED },
	[HP_R_OVER_LIMIT] = { "over-limit", HP_REFUSED },
	[HP_R_UNEXPORTABLE] = { "unexportable", HP_REFUSED },
	[HP_R_FOREIGN_LOG] = { "foreign-log", HP_REFUSED },
	[HP_R_OUTPUT_IN_TARGET] = { "output-in-target", HP_REFUSED },
	[HP_R_NOT_FOUND] = { "not-found", HP_IOERR },
	[HP_R_TOO_LARGE] = { "too-large", HP_IOERR },
	[HP_R_DAMAGED] = { "damaged", HP_IOERR },
	[HP_R_NOT_VERIFIED] = { "not-verified", HP_IOERR },
	[HP_R_IO] = { "io", HP_IOERR },
	[HP_R_NO_MEMORY] = { "no-memory", HP_IOERR },
	[HP_R_LINK_KEY] = { "link-key", HP_REFUSED },
	[HP_R_IMAGE_UNWRITABLE] = { "image-unwritable", HP_REFUSED },
	[HP_R_IMAGE_CHOICE] = { "image-choice", HP_REFUSED },
};

#define N_REASONS (sizeof(reasons) / sizeof(reasons[0]))

const char *
hp_reason_name(enum hp_reason reason)
{
	return (size_t)reason < N_REASONS ? reasons[reason].name : "";
}

enum hp_status
hp_reason_status(enum hp_reason reason)
{
	return (size_t)reason < N_REASONS ? reasons[reason].status : HP_IOERR;
}

const char *
hp_version(void)
{
	return PACKAGE_VERSION;
}

int
hp_err_set(struct hp_err *e, enum hp_reason reason, const char *fmt, ...)
{
	char raw[sizeof(e->msg)];
	va_list ap;

	if (e == NULL)
		return -1;
	e->reason = reason;
	e->status = hp_reason_status(reason);
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	hp_escape_text(e->msg, sizeof(e->msg), raw);
	return -1;
}

enum hp_reason
hp_errno_reason(int err)
{
	if (err == ENOENT || err == ENOTDIR || err == ELOOP)
		return HP_R_NOT_FOUND;
	if (err == ENOMEM)
		return HP_R_NO_MEMORY;
	return HP_R_IO;
}

int
hp_err_sys(struct hp_err *e, int err, const char *path)
{
	/* strerror's "Too many levels of symbolic links" for a path that
	 * goes round: no level is too many, the loop is the fault. */
	if (err == ELOOP)
		return hp_err_set(e, HP_R_NOT_FOUND, "%s: cannot be reached: "
		    "its path runs through a loop of symbolic links", path);
	return hp_err_set(e, hp_errno_reason(err), "%s: %s", path,
	    strerror(err));
}

int
hp_err_nomem(struct hp_err *e)
{
	return hp_err_set(e, HP_R_NO_MEMORY, "out of memory");
}

void
hp_err_append(struct hp_err *e, const char *fmt, ...)
{
	char raw[sizeof(e->msg)];
	size_t n;
	va_list ap;

	if (e == NULL)
		return;
	n = strlen(e->msg);
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw) - n, fmt, ap);
	va_end(ap);
	hp_escape_text(e->msg + n, sizeof(e->msg) - n, raw);
}

int
hp_err_over_limit(struct hp_err *e, const char *where, const char *what,
		  uint64_t bytes, uint64_t limit)
{
	return hp_err_set(e, HP_R_OVER_LIMIT, "%s: %s%llu bytes, over the "
	    "limit of %llu bytes for a hive (--max-hive-size raises it, to "
	    "at most 2G)", where, what, (unsigned long long)bytes,
	    (unsigned long long)limit);
}
