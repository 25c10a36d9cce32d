#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hiveview.h"

/* The recovered image lives in an anonymous file: hivex wants a path,
 * and nothing may be written beside the hive nor left in /tmp if we die. */
static int
image_to_memfd(const unsigned char *image, size_t len, const char *hive_path,
	       struct hive_view *v, struct hp_err *e)
{
	size_t done = 0;

	v->memfd = memfd_create("hivepatch-recovered", MFD_CLOEXEC);
	if (v->memfd == -1)
		return hp_err_set(e, HP_R_IO, "%s: no memory file for the "
		    "recovered hive: %s", hive_path, strerror(errno));
	while (done < len) {
		ssize_t n = write(v->memfd, image + done, len - done);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return hp_err_set(e, HP_R_IO, "%s: cannot hold the "
			    "recovered hive in memory: %s", hive_path,
			    n == -1 ? strerror(errno) : "short write");
		done += (size_t)n;
	}
	if (asprintf(&v->path, "/proc/self/fd/%d", v->memfd) == -1) {
		v->path = NULL;
		return hp_err_nomem(e);
	}
	/* hivex opens it by that name: without /proc it would look like a
	 * damaged hive. */
	if (access(v->path, R_OK) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot hand the recovered "
		    "hive to hivex: %s: %s (is /proc mounted?)", hive_path,
		    v->path, strerror(errno));
	return 0;
}

static int
replay(const char *hive_path, char *const *logs, size_t n_logs, int flags,
       const struct hp_err *header_err, struct hive_view *v, struct hp_err *e)
{
	unsigned char *image = NULL;
	size_t len = 0;
	int rc;

	if (log_replay(hive_path, logs, n_logs, &image, &len, &v->replay,
	    e) == -1) {
		/* A damaged primary the logs cannot mend: its own damage is
		 * the news, the logs' failure the detail. */
		if (header_err != NULL) {
			char detail[sizeof(e->msg)];

			snprintf(detail, sizeof(detail), "%s", e->msg);
			hp_err_set(e, header_err->reason, "%.500s; its logs cannot "
			    "mend it: %.400s", header_err->msg, detail);
		}
		return -1;
	}
	v->replayed = 1;
	if (header_err != NULL) {
		v->disk.dirty = 1;
		v->disk.seq_primary = v->replay.seq_before_primary;
		v->disk.seq_secondary = v->replay.seq_before_secondary;
	}
	if ((flags & HIVE_VIEW_FOR_WRITE) && v->replay.stopped_early &&
	    v->replay.format == LOG_FORMAT_OLD) {
		free(image);
		return hp_err_set(e, HP_R_PARTIAL_LOG, "%s: its old-format log stops "
		    "early (%.300s): the recovered hive would be part new, part "
		    "old, a state Windows never wrote; hivepatch does not write it",
		    hive_path, v->replay.stop_reason);
	}
	rc = hive_parse_header(image, len, len, hive_path, &v->hdr, e);
	if (rc == 0)
		rc = image_to_memfd(image, len, hive_path, v, e);
	free(image);
	return rc;
}

/* Appends to buf (holding n bytes of text) a note for each file with a
 * log's name that was not read; returns the new length. */
static size_t
note_skipped_logs(const struct hp_target *t, char *buf, size_t n,
		  size_t size)
{
	size_t i;

	for (i = 0; i < t->n_skipped_logs && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s has a log's name "
		    "but is not a regular file: not read", n ? "; " : "",
		    t->skipped_logs[i]);
	return n;
}

/* What the reader of a replayed hive must be told, in one line. */
static void
set_caveat(const struct hp_target *t, struct hive_view *v)
{
	const struct log_replay_report *rep = &v->replay;
	size_t n = 0, size = sizeof(v->caveat);
	char *c = v->caveat;

	if (rep->stopped_early)
		n += (size_t)snprintf(c + n, size - n, "recovery stopped early: "
		    "%s; the hive is read as of the last log entry that could "
		    "be used", rep->stop_reason);
	if (rep->started_late && n < size)
		n += (size_t)snprintf(c + n, size - n, "%sthe log entries applied "
		    "start at sequence number %u, but the hive's base block "
		    "names %u: the entries between are in no log beside it, "
		    "which Windows leaves after a partial reconcile (it had "
		    "written them to the hive already), but which also happens "
		    "when a log is missing", n ? "; " : "", rep->seq_first,
		    v->disk.seq_secondary);
	note_skipped_logs(t, c, n, size);
}

int
hive_view_open(const struct hp_target *t, int flags, struct hive_view *v,
	       struct hp_err *e)
{
	struct hp_err header_err = { 0 };
	const char *hive_path = t->hive_path;
	int rc;

	memset(v, 0, sizeof(*v));
	v->memfd = -1;
	v->hive_path = hive_path;
	if (hive_read_header(hive_path, &v->disk, &header_err) == -1) {
		/* Only a base block the logs may mend is worth a replay: not
		 * a file that is missing, unreadable or no hive at all. */
		if ((flags & HIVE_VIEW_NO_RECOVER) || t->n_logs == 0 ||
		    !v->disk.damaged) {
			*e = header_err;
			return -1;
		}
		rc = replay(hive_path, t->logs, t->n_logs, flags, &header_err,
		    v, e);
	} else if (v->disk.dirty && !(flags & HIVE_VIEW_NO_RECOVER)) {
		rc = replay(hive_path, t->logs, t->n_logs, flags, NULL, v, e);
	} else {
		v->hdr = v->disk;
		v->path = strdup(hive_path);
		if (v->path == NULL)
			return hp_err_nomem(e);
		return 0;
	}
	if (rc == 0)
		set_caveat(t, v);
	else
		note_skipped_logs(t, e->msg, strlen(e->msg), sizeof(e->msg));
	return rc;
}

hive_h *
hive_view_hivex(const struct hive_view *v, int flags, struct hp_err *e)
{
	hive_h *h;

	errno = 0;
	h = hivex_open(v->path, flags);
	if (h == NULL)
		hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive%s: hivex cannot open "
		    "it: %s%s%.300s", v->hive_path, v->replayed ? " (as its logs "
		    "recover it)" : "", errno ? strerror(errno) : "unknown error",
		    v->replay.stopped_early ? "; recovery stopped early: " : "",
		    v->replay.stopped_early ? v->replay.stop_reason : "");
	return h;
}

void
hive_view_close(struct hive_view *v)
{
	if (v->memfd != -1)
		close(v->memfd);
	free(v->path);
	log_replay_report_free(&v->replay);
	memset(v, 0, sizeof(*v));
	v->memfd = -1;
}
