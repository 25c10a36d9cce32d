/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hp_export: a key and everything below it, as a .reg file; a dirty hive
 * is read as its logs recover it. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "error.h"
#include "lookup.h"
#include "outfile.h"
#include "regfile.h"
#include "result.h"
#include "session.h"

/* "HKLM\SOFTWARE\x" or "HKEY_LOCAL_MACHINE\SOFTWARE\x" -> "x" inside the
 * SOFTWARE hive; NULL for any other root. */
static const char *
software_path(const char *key)
{
	static const char *const roots[] = { "HKEY_LOCAL_MACHINE\\", "HKLM\\" };
	size_t i, n;

	for (i = 0; i < 2; i++) {
		n = strlen(roots[i]);
		if (strncasecmp(key, roots[i], n) == 0) {
			key += n;
			break;
		}
	}
	if (i == 2 || strncasecmp(key, "SOFTWARE", 8) != 0)
		return NULL;
	key += 8;
	if (*key == '\0')
		return key;
	return *key == '\\' ? key + 1 : NULL;
}

static int
collect_notes(struct hp_export *r, const struct session *s)
{
	const char *where = s->hive->where;
	uintmax_t links = session_hive_links(s);
	struct hp_err e;
	char **skipped = NULL;
	size_t i, n = 0;
	int rc = 0;

	if (session_skipped_warnings(s, &skipped, &n, &e) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++)
		rc = strv_pushf(&r->notes, &r->n_notes, "warning: %s",
		    skipped[i]);
	strv_free(skipped, n);
	if (rc == -1 || (links > 1 && strv_pushf(&r->notes, &r->n_notes,
	    "%s has %ju names (hard links): the others lead to this same "
	    "file", where, links) == -1))
		return -1;

	if (s->view.disk.dirty && !s->view.rec.replayed &&
	    strv_pushf(&r->notes, &r->n_notes, "warning: %s is dirty and read "
	    "without its logs (--no-recover): it may be stale", where) == -1)
		return -1;
	if (s->view.rec.replayed && strv_pushf(&r->notes, &r->n_notes, "%s is "
	    "dirty: exported as its logs recover it (%u pages replayed)", where,
	    s->view.rec.pages_applied) == -1)
		return -1;
	if (s->view.caveat[0] != '\0' && strv_pushf(&r->notes, &r->n_notes,
	    "warning: %s: %s", where, s->view.caveat) == -1)
		return -1;
	return 0;
}

/* What the reader of the export must be told about how it was read:
 * into the result, and to the caller's callback at once. */
static int
add_notes(struct hp_export *r, const struct session *s,
	  const struct hp_export_opts *o)
{
	size_t i;

	if (collect_notes(r, s) == -1)
		return -1;
	for (i = 0; o->note != NULL && i < r->n_notes; i++)
		o->note(o->note_arg, r->notes[i]);
	return 0;
}

/* The stream to write to: the caller's, or `output`, which must not be
 * in the target (session_out_open). */
static FILE *
open_output(const struct hp_export_opts *o, struct hp_store *store,
	    const struct session *s, struct hp_err *e)
{
	return o->output == NULL ? o->stream :
	    session_out_open(store, s, o->output, e);
}

static int
export(struct hp_store *store, const struct hp_export_opts *o,
       struct hp_export *r, struct session *s, struct hp_err *e)
{
	const char *rel = software_path(o->key), *name;
	unsigned flags = (o->flags & HP_NO_RECOVER) ? SESSION_NO_RECOVER : 0;
	char *display = NULL, *text;
	hive_node_h node;
	size_t len;
	int found;
	FILE *out;
	int rc;

	if (rel == NULL)
		return hp_err_set(e, HP_R_USAGE,
		    "%s: not a key in HKEY_LOCAL_MACHINE\\SOFTWARE", o->key);
	rc = session_open(s, store, HP_HIVE_SOFTWARE, flags, e);
	if (rc == 0)
		rc = session_hivex(s, e);
	if (s->hive != NULL && (r->where = strdup(s->hive->where)) == NULL)
		return hp_err_nomem(e);
	if (s->hive != NULL && s->view.fd != -1 && add_notes(r, s, o) == -1)
		return hp_err_nomem(e);
	if (rc == -1)
		return -1;
	name = s->hive->where;
	found = lookup_key(&(const struct lookup_ctx){ s->h, s->view.fd,
	    name }, rel, "HKEY_LOCAL_MACHINE\\SOFTWARE", &node, e);
	if (found == -1)
		return -1;
	if (found == 0)
		return hp_err_set(e, HP_R_NO_KEY, "%s: no key %s", name, o->key);
	if (asprintf(&display, "HKEY_LOCAL_MACHINE\\SOFTWARE%s%s",
	    *rel ? "\\" : "", rel) == -1)
		return hp_err_nomem(e);
	/* All of it first: a refusal leaves no output, not even a file. */
	rc = reg_export_render(s->h, name, node, display, s->view.size,
	    (o->flags & HP_EXPORT_UTF16) != 0, &text, &len, e);
	free(display);
	if (rc == -1)
		return -1;
	if ((out = open_output(o, store, s, e)) == NULL) {
		free(text);
		return -1;
	}
	errno = 0;
	if (len > 0 && fwrite(text, 1, len, out) != len)
		rc = hp_err_set(e, HP_R_IO, "%s: cannot write: %s",
		    o->output ? o->output : "standard output",
		    strerror(errno ? errno : EIO));
	free(text);
	if (fflush(out) == EOF && rc == 0)
		rc = hp_err_set(e, HP_R_IO, "%s: cannot write: %s",
		    o->output ? o->output : "standard output", strerror(errno));
	if (out != o->stream && fclose(out) == EOF && rc == 0)
		rc = hp_err_set(e, HP_R_IO, "%s: cannot write: %s", o->output,
		    strerror(errno));
	return rc;
}

int
hp_export(struct hp_store *store, const struct hp_export_opts *opts,
	  struct hp_export **result, struct hp_err *e)
{
	struct hp_export *r = calloc(1, sizeof(*r));
	struct session s;
	int rc;

	*result = NULL;
	if (r == NULL)
		return hp_err_nomem(e);
	memset(&s, 0, sizeof(s));
	s.files.fd = s.view.fd = -1;
	rc = export(store, opts, r, &s, e);
	session_free(&s);
	*result = r;
	return rc;
}

void
hp_export_free(struct hp_export *r)
{
	if (r == NULL)
		return;
	free(r->where);
	strv_free(r->notes, r->n_notes);
	free(r);
}
