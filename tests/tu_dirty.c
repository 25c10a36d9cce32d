/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: dirty fixtures made by mkdirty, dirty hives with their
 * transaction logs before and after a recovery, and log replays
 * (tu_dirty.h). */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "testutil.h"

/* ---- fixtures ---- */

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

/* ---- a hive and its logs ---- */

static const char *const log_suffixes[] = {
	".LOG", ".LOG1", ".LOG2", ".log", ".log1", ".log2",
};
_Static_assert(sizeof(log_suffixes) / sizeof(log_suffixes[0]) == TU_MAX_LOGS,
    "TU_MAX_LOGS is the number of log suffixes");

void
tu_hive_files_take(struct tu_hive_files *f, const char *hive)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->hive = tu_pathf("%s", hive);
	tu_sha256(hive, f->hive_hash);
	for (i = 0; i < TU_MAX_LOGS; i++) {
		char *log = tu_pathf("%s%s", hive, log_suffixes[i]);

		if (access(log, F_OK) != 0)
			continue;
		f->log[f->n_logs] = log;
		tu_sha256(log, f->log_hash[f->n_logs]);
		f->log_size[f->n_logs] = tu_file_size(log);
		f->n_logs++;
	}
}

void
tu_assert_hive_files_unchanged(const struct tu_hive_files *f)
{
	struct tu_hive_files now;
	size_t i;

	ASSERT_HASH(f->hive, f->hive_hash);
	for (i = 0; i < f->n_logs; i++)
		ASSERT_HASH(f->log[i], f->log_hash[i]);
	tu_hive_files_take(&now, f->hive);
	ck_assert_msg(now.n_logs == f->n_logs, "%s: %zu log files beside it, "
	    "there were %zu", f->hive, now.n_logs, f->n_logs);
}

/* The two sequence numbers of the hive's base block. */
static void
sequence_of(const char *hive, uint32_t *primary, uint32_t *secondary)
{
	size_t len;
	unsigned char *bb = tu_read_file(hive, &len);

	ck_assert_msg(len >= 512, "%s: %zu bytes, no base block", hive, len);
	*primary = le32(bb + 4);
	*secondary = le32(bb + 8);
	free(bb);
}

uint32_t
tu_assert_recovered_and_logs_reset(const struct tu_hive_files *before)
{
	uint32_t primary, secondary;
	size_t i;

	sequence_of(before->hive, &primary, &secondary);
	ck_assert_msg(primary == secondary, "%s is still dirty: sequence "
	    "numbers %u and %u", before->hive, primary, secondary);
	ck_assert_msg(before->n_logs > 0, "%s had no logs", before->hive);
	for (i = 0; i < before->n_logs; i++) {
		ck_assert_msg(access(before->log[i], F_OK) == 0, "%s is gone",
		    before->log[i]);
		ck_assert_msg(tu_file_size(before->log[i]) == 0, "%s is %lld "
		    "bytes, not reset to 0", before->log[i],
		    (long long)tu_file_size(before->log[i]));
	}
	return primary;
}

/* ---- log replays ---- */

void
tu_replay_free(struct tu_replay *r)
{
	free(r->img);
	free(r->out);
	log_replay_report_free(&r->rep);
}

void
tu_replay_files(struct tu_replay *r, const char *hive, char *const *logs,
		size_t n)
{
	struct log_replay_buf h, l[8];
	size_t i;

	ck_assert(n <= 8);
	h.name = hive;
	h.data = tu_read_file(hive, &h.len);
	for (i = 0; i < n; i++) {
		l[i].name = logs[i];
		l[i].data = tu_read_file(logs[i], &l[i].len);
	}
	r->rc = log_replay_buffers(&h, l, n, 0, &r->img, &r->len, &r->rep,
	    &r->e);
	free((void *)h.data);
	for (i = 0; i < n; i++)
		free((void *)l[i].data);
}
