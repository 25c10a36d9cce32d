/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hiveview.h"
#include "logreplay.h"
#include "regf.h"

int
fd_path(int fd, const char *where, char path[32], struct hp_err *e)
{
	snprintf(path, 32, "/proc/self/fd/%d", fd);
	/* hivex opens it by that name: without /proc it would look like a
	 * damaged hive. */
	if (access(path, R_OK) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot hand the hive to "
		    "hivex: %s: %s (is /proc mounted?)", where, path,
		    strerror(errno));
	return 0;
}

/* The recovered image lives in an anonymous file: hivex wants a path,
 * and nothing may be written beside the hive nor left in /tmp if we die.
 * The primary is copied into it (in the kernel where it can), at most
 * `max` bytes: a file that shrank while read is taken as it is then.
 * The replay recovers it there; what the logs grow it by is left as
 * holes until written (see grow() in logreplay.c), so a log that claims
 * a far larger hive than its pages costs no more memory than they do. */
static int
primary_to_memfd(int src, const char *where, size_t max, struct hp_view *v,
		 size_t *len, struct hp_err *e)
{
	static unsigned char buf[1 << 16];
	struct stat st;
	off_t at = 0;
	ssize_t n;

	if (fstat(src, &st) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", where, strerror(errno));
	if ((uint64_t)st.st_size > max)
		return hp_err_over_limit(e, where, "", (uint64_t)st.st_size,
		    max);
	v->fd = memfd_create("hivepatch-recovered", MFD_CLOEXEC);
	if (v->fd == -1)
		return hp_err_set(e, HP_R_IO, "%s: no memory file for the "
		    "recovered hive: %s", v->where, strerror(errno));
	while (at < st.st_size) {
		size_t want = (size_t)(st.st_size - at);

		n = sendfile(v->fd, src, &at, want);
		if (n == -1 && (errno == EINVAL || errno == ENOSYS)) {
			/* No sendfile between these two: through a buffer. */
			n = pread(src, buf, want < sizeof(buf) ? want :
			    sizeof(buf), at);
			if (n > 0 && write(v->fd, buf, (size_t)n) != n)
				return hp_err_set(e, HP_R_IO, "%s: cannot hold "
				    "the hive in memory: %s", v->where,
				    strerror(errno ? errno : EIO));
			if (n > 0)
				at += n;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return hp_err_set(e, HP_R_IO, "%s: %s", where,
			    strerror(errno));
		if (n == 0)
			break;	/* shrank while we read: take what is there */
	}
	*len = (size_t)at;
	return 0;
}

/* The largest hive the view reads (hp_hive_files.limit). */
static uint64_t
view_limit(const struct hp_hive_files *f)
{
	return f->limit != 0 ? f->limit : HP_HIVE_LIMIT_DEFAULT;
}

/* Reads a whole file of at most max bytes from its descriptor. */
static int
read_whole(int fd, const char *where, size_t max, unsigned char **data,
	   size_t *len, struct hp_err *e)
{
	unsigned char *buf;
	size_t got = 0, size;
	struct stat st;

	*data = NULL;
	*len = 0;
	if (fstat(fd, &st) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", where, strerror(errno));
	if ((uint64_t)st.st_size > max)
		return hp_err_over_limit(e, where, "a log of ",
		    (uint64_t)st.st_size, max);
	size = (size_t)st.st_size;
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return hp_err_set(e, HP_R_NO_MEMORY, "%s: out of memory (%zu "
		    "bytes)", where, size);
	while (got < size) {
		ssize_t r = pread(fd, buf + got, size - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(buf);
			return hp_err_set(e, HP_R_IO, "%s: %s", where,
			    strerror(err));
		}
		if (r == 0)
			break;		/* shrank while we read: take what is there */
		got += (size_t)r;
	}
	*data = buf;
	*len = got;
	return 0;
}

static int
read_logs(const struct hp_hive_files *f, struct log_replay_buf *logs,
	  struct hp_err *e)
{
	size_t i;

	for (i = 0; i < f->n_logs; i++) {
		unsigned char *d;
		size_t n;

		if (read_whole(f->logs[i].fd, f->logs[i].where,
		    (size_t)view_limit(f), &d, &n, e) == -1)
			return -1;
		logs[i].name = f->logs[i].where;
		logs[i].data = d;
		logs[i].len = n;
	}
	return 0;
}

/* The memory file of a view that will not be: closed. */
static int
drop_memfd(struct hp_view *v)
{
	if (v->fd != -1)
		close(v->fd);
	v->fd = -1;
	return -1;
}

/* Replays the logs over the primary; header_err is set when the
 * primary's own base block is damaged. */
static int
replay(const struct hp_hive_files *f, unsigned flags,
       const struct hp_err *header_err, struct hp_view *v, struct hp_err *e)
{
	struct log_replay_buf *logs;
	unsigned char bb[REGF_BASE_BLOCK];
	size_t hive_len = 0, len = 0, i;
	int rc;

	logs = calloc(f->n_logs ? f->n_logs : 1, sizeof(*logs));
	if (logs == NULL)
		return hp_err_nomem(e);
	rc = primary_to_memfd(f->fd, v->where, (size_t)view_limit(f), v,
	    &hive_len, e);
	if (rc == 0)
		rc = read_logs(f, logs, e);
	if (rc == 0)
		rc = log_replay_fd(v->where, v->fd, hive_len, logs, f->n_logs,
		    (size_t)view_limit(f), &len, &v->rec, e);
	for (i = 0; i < f->n_logs; i++)
		free((void *)logs[i].data);
	free(logs);
	if (rc == -1) {
		drop_memfd(v);
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
	v->rec.replayed = 1;
	if (header_err != NULL) {
		v->disk.dirty = 1;
		v->disk.seq_primary = v->rec.seq_before_primary;
		v->disk.seq_secondary = v->rec.seq_before_secondary;
	}
	/* Unread, it may hold entries the recovery needs (Windows, to which
	 * a second name or another owner means nothing, would read it). */
	if ((flags & HP_VIEW_FOR_WRITE) && f->n_skipped > 0) {
		drop_memfd(v);
		return hp_err_set(e, HP_R_FOREIGN_LOG, "%s: dirty, and a file "
		    "beside it with a log's name is no log of this hive: the "
		    "recovery may need what it holds, which writing the hive "
		    "would lose; hivepatch does not write it", v->where);
	}
	if ((flags & HP_VIEW_FOR_WRITE) && v->rec.stopped_early &&
	    v->rec.format == HP_LOG_OLD) {
		drop_memfd(v);
		return hp_err_set(e, HP_R_PARTIAL_LOG, "%s: its old-format log "
		    "stops early (%.300s): the recovered hive would be part new, "
		    "part old, a state Windows never wrote; hivepatch does not "
		    "write it", v->where, v->rec.stop_reason);
	}
	/* Its base block, as the replay left it. */
	i = len < sizeof(bb) ? len : sizeof(bb);
	if (pread(v->fd, bb, i, 0) != (ssize_t)i)
		rc = hp_err_set(e, HP_R_IO, "%s: the recovered hive: %s",
		    v->where, strerror(errno ? errno : EIO));
	else
		rc = hive_parse_header(bb, i, len, v->where, &v->hdr, e);
	if (rc == -1)
		return drop_memfd(v);
	v->size = len;
	return fd_path(v->fd, v->where, v->path, e);
}

int
hive_skipped_note(const struct hp_hive_files *f, size_t i, char *buf,
		  size_t size)
{
	const char *why = f->skipped_why != NULL && f->skipped_why[i] != NULL ?
	    f->skipped_why[i] : "is not a regular file";

	return snprintf(buf, size, "%s has a log's name but %s: not a log of "
	    "this hive, never read nor written", f->skipped[i], why);
}

/* Appends to buf (holding n bytes of text) a note for each file with a
 * log's name that was not read; returns the new length. */
static size_t
note_skipped_logs(const struct hp_hive_files *f, char *buf, size_t n,
		  size_t size)
{
	size_t i;

	for (i = 0; i < f->n_skipped && n + 2 < size; i++) {
		if (n > 0)
			n += (size_t)snprintf(buf + n, size - n, "; ");
		n += (size_t)hive_skipped_note(f, i, buf + n, size - n);
	}
	return n;
}

/* What the reader of a replayed hive must be told, in one line. */
static void
set_caveat(const struct hp_hive_files *f, struct hp_view *v)
{
	const struct hp_recovery *rep = &v->rec;
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
	note_skipped_logs(f, c, n, size);
	text_escape_in_place(c, size);	/* names of files in the image */
}

/* The clean primary is read where it lies, through a descriptor of its
 * own. */
static int
view_primary(const struct hp_hive_files *f, struct hp_view *v,
	     struct hp_err *e)
{
	v->hdr = v->disk;
	v->rec.seq_before_primary = v->disk.seq_primary;
	v->rec.seq_before_secondary = v->disk.seq_secondary;
	v->fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
	if (v->fd == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", v->where,
		    strerror(errno));
	v->size = f->size;
	return fd_path(v->fd, v->where, v->path, e);
}

int
hive_view_open(const struct hp_hive_files *f, const char *where,
	       unsigned flags, struct hp_view *v, struct hp_err *e)
{
	struct hp_err header_err = { 0 };
	int rc;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	v->where = strdup(where);
	if (v->where == NULL)
		return hp_err_nomem(e);
	/* Past regf's own bound the header check says so. */
	if (f->size > view_limit(f) && f->size <= HP_HIVE_LIMIT_MAX)
		return hp_err_over_limit(e, where, "", f->size, view_limit(f));
	if (hive_read_header_fd(f->fd, f->size, where, &v->disk,
	    &header_err) == -1) {
		/* Only a base block the logs may mend is worth a replay: not
		 * a file that is unreadable or no hive at all. */
		if ((flags & HP_VIEW_NO_RECOVER) || f->n_logs == 0 ||
		    !v->disk.damaged) {
			*e = header_err;
			return -1;
		}
		rc = replay(f, flags, &header_err, v, e);
	} else if (v->disk.dirty && !(flags & HP_VIEW_NO_RECOVER)) {
		rc = replay(f, flags, NULL, v, e);
	} else {
		v->rec.dirty = v->disk.dirty;
		return view_primary(f, v, e);
	}
	if (rc == 0)
		set_caveat(f, v);
	else {
		note_skipped_logs(f, e->msg, strlen(e->msg), sizeof(e->msg));
		text_escape_in_place(e->msg, sizeof(e->msg));
	}
	return rc;
}

hive_h *
hive_view_hivex(const struct hp_view *v, int flags, struct hp_err *e)
{
	char why[256];
	hive_h *h;

	errno = 0;
	h = hivex_open(v->path, flags);
	if (h != NULL)
		return h;
	hive_why_unopenable(v->path, errno, why, sizeof(why));
	hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive%s: %s%s%.300s", v->where,
	    v->rec.replayed ? " (as its logs recover it)" : "", why,
	    v->rec.stopped_early ? "; recovery stopped early: " : "",
	    v->rec.stopped_early ? v->rec.stop_reason : "");
	return NULL;
}

void
hive_view_let_go(struct hp_view *v)
{
	if (!v->rec.replayed || v->fd == -1)
		return;
	close(v->fd);
	v->fd = -1;
	v->path[0] = '\0';
}

void
hive_view_close(struct hp_view *v)
{
	if (v->fd != -1)
		close(v->fd);
	free(v->where);
	log_replay_report_free(&v->rec);
	memset(v, 0, sizeof(*v));
	v->fd = -1;
}

/* The public face of the view (hivepatch.h). */

int
hp_view_open(const struct hp_hive_files *files, const char *where,
	     unsigned flags, struct hp_view **view, struct hp_err *e)
{
	struct hp_view *v = malloc(sizeof(*v));

	*view = NULL;
	if (v == NULL)
		return hp_err_nomem(e);
	if (hive_view_open(files, where, flags, v, e) == -1) {
		hive_view_close(v);
		free(v);
		return -1;
	}
	*view = v;
	return 0;
}

const char *
hp_view_path(const struct hp_view *view)
{
	return view->path;
}

const struct hp_recovery *
hp_view_recovery(const struct hp_view *view)
{
	return &view->rec;
}

const char *
hp_view_caveat(const struct hp_view *view)
{
	return view->caveat;
}

void
hp_view_close(struct hp_view *view)
{
	if (view == NULL)
		return;
	hive_view_close(view);
	free(view);
}
