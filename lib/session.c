/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hive.h"
#include "outfile.h"
#include "regf.h"
#include "result.h"
#include "session.h"

/* The logs now, the hive by a second thread while the run goes on. */
static int
hash_files(struct session *s, struct hp_err *e)
{
	size_t i;

	if (s->files.n_logs > 0 && (s->logs_sha = calloc(s->files.n_logs,
	    sizeof(*s->logs_sha))) == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < s->files.n_logs; i++)
		if (sha256_fd(s->files.logs[i].fd, s->files.logs[i].where,
		    s->logs_sha[i], e) == -1)
			return -1;
	return session_hash_begin(s, e);
}

int
session_hash_begin(struct session *s, struct hp_err *e)
{
	if (s->hashing.running || s->sha_read[0] != '\0')
		return 0;
	return sha256_begin(&s->hashing, s->files.fd, s->hive->where, e);
}

int
session_sha_read(struct session *s, struct hp_err *e)
{
	if (s->sha_read[0] != '\0')
		return 0;
	return sha256_end(&s->hashing, s->sha_read, e);
}

int
session_open(struct session *s, struct hp_store *store, enum hp_hive_kind kind,
	     unsigned flags, struct hp_err *e)
{
	struct hp_store_hive *hive = store_hive_for(store, kind);
	unsigned view_flags = 0;
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->files.fd = -1;
	s->view.fd = -1;
	s->image_fd = -1;
	s->kind = kind;
	if (hive == NULL)
		return hp_err_set(e, HP_R_NOT_FOUND, "%s: no %s hive here",
		    hp_store_target(store), hp_hive_kind_name(kind));
	if (store_hive_usable(hive, e) == -1)
		return -1;
	s->hive = hive;
	/* Hold the lock from the first read to the last write, so that the
	 * plan is made on the bytes the commit replaces. */
	if ((flags & SESSION_LOCK) &&
	    store->ops->lock(store->priv, hive, e) == -1)
		return -1;
	if (store->ops->read(store->priv, hive, &s->files, e) == -1)
		return -1;
	s->files.limit = store->hive_limit;
	if ((flags & SESSION_HASH) && hash_files(s, e) == -1)
		return -1;
	if (fstat(s->files.fd, &st) == 0)
		s->links = (uintmax_t)st.st_nlink;
	if (flags & SESSION_FOR_WRITE)
		view_flags |= HP_VIEW_FOR_WRITE;
	if (flags & SESSION_NO_RECOVER)
		view_flags |= HP_VIEW_NO_RECOVER;
	if (hive_view_open(&s->files, hive->where, view_flags, &s->view,
	    e) == -1) {
		if (!(flags & SESSION_FOR_WRITE) && e->status == HP_REFUSED &&
		    s->view.disk.dirty)
			hp_err_append(e, "; --no-recover reads the primary file "
			    "as it is");
		return -1;
	}
	return 0;
}

int
session_hivex(struct session *s, struct hp_err *e)
{
	/* Read-only first: judging needs no more, and a hive that already
	 * complies is then never loaded whole nor written. */
	if ((s->h = hive_view_hivex(&s->view, 0, e)) == NULL)
		return -1;
	s->found = hive_classify(s->h, &s->view.hdr, s->why, sizeof(s->why),
	    &s->found_how);
	return 0;
}

FILE *
session_out_open(struct hp_store *store, const struct session *s,
		 const char *path, struct hp_err *e)
{
	struct out_guard g;
	struct stat st;
	size_t i;

	memset(&g, 0, sizeof(g));
	g.target = hp_store_target(store);
	if (store_fs_guard(store, &g) == 1) {
		if (fstat(s->files.fd, &st) == 0)
			out_guard_file(&g, &st, s->hive->where);
		for (i = 0; i < s->files.n_logs; i++)
			if (fstat(s->files.logs[i].fd, &st) == 0)
				out_guard_file(&g, &st, s->files.logs[i].where);
	}
	return out_open(path, &g, e);
}

int
session_skipped_warnings(const struct session *s, char ***v, size_t *n,
			 struct hp_err *e)
{
	char note[PATH_MAX + 256];
	size_t i;

	if (s->view.rec.replayed)
		return 0;	/* its caveat names them */
	for (i = 0; i < s->files.n_skipped; i++) {
		hive_skipped_note(&s->files, i, note, sizeof(note));
		if (strv_push(v, n, note) == -1)
			return hp_err_nomem(e);
	}
	return 0;
}

uintmax_t
session_hive_links(const struct session *s)
{
	return s->links > 1 ? s->links : 1;
}

/* The view's bytes of the runs in s->view_delta, in order. */
static int
keep_delta_bytes(struct session *s, struct hp_err *e)
{
	size_t total = 0, at = 0, i;

	for (i = 0; i < s->n_view_delta; i++)
		total += s->view_delta[i].len;
	if ((s->view_delta_bytes = malloc(total ? total : 1)) == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < s->n_view_delta; i++) {
		const struct page_run *r = &s->view_delta[i];

		if (pread(s->view.fd, s->view_delta_bytes + at, r->len,
		    (off_t)(REGF_BASE_BLOCK + (uint64_t)r->off)) !=
		    (ssize_t)r->len)
			return hp_err_set(e, HP_R_IO, "%s: the recovered hive: "
			    "%s", s->hive->where, strerror(errno ? errno : EIO));
		at += r->len;
	}
	return 0;
}

int
session_let_go_view(struct session *s, int keep_delta, struct hp_err *e)
{
	if (!s->view.rec.replayed || s->view.fd == -1)
		return 0;
	if (keep_delta && (map_changed_runs(s->files.fd, s->files.size,
	    s->view.fd, s->view.size, s->hive->where, &s->view_delta,
	    &s->n_view_delta, e) == -1 || keep_delta_bytes(s, e) == -1))
		return -1;
	s->view_delta_kept = keep_delta;
	hive_view_let_go(&s->view);
	return 0;
}

void
session_free(struct session *s)
{
	(void)sha256_end(&s->hashing, NULL, NULL);
	if (s->h != NULL)
		hivex_close(s->h);
	plan_free(&s->plan);
	touched_free(&s->touched);
	free(s->changed);
	free(s->view_delta);
	free(s->view_delta_bytes);
	hive_view_close(&s->view);
	hp_hive_files_free(&s->files);
	control_sets_free(s->control_sets);
	backup_free(&s->backup);
	free(s->commit_log);
	free(s->output);
	free(s->logs_sha);
	if (s->image_fd >= 0)
		close(s->image_fd);
	memset(s, 0, sizeof(*s));
	s->files.fd = -1;
	s->view.fd = -1;
	s->image_fd = -1;
}
