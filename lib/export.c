/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hp_export: a key and everything below it, as a .reg file; a dirty hive
 * is read as its logs recover it. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
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

/* The roots a key may be given under, and the hive that holds it (a
 * tree's HKEY_CURRENT_USER is its Default user's, Users/Default, and
 * its Software\Classes that user's UsrClass.dat); the first that fits.
 * HKEY_CLASSES_ROOT (HP_HIVE_UNKNOWN) is either of two (export_merged). */
static const struct {
	const char *prefix;	/* as typed, compared without case */
	const char *root;	/* as exported */
	enum hp_hive_kind kind;
} roots[] = {
	{ "HKEY_LOCAL_MACHINE\\SOFTWARE", "HKEY_LOCAL_MACHINE\\SOFTWARE",
	    HP_HIVE_SOFTWARE },
	{ "HKLM\\SOFTWARE", "HKEY_LOCAL_MACHINE\\SOFTWARE", HP_HIVE_SOFTWARE },
	{ "HKEY_LOCAL_MACHINE\\SYSTEM", "HKEY_LOCAL_MACHINE\\SYSTEM",
	    HP_HIVE_SYSTEM },
	{ "HKLM\\SYSTEM", "HKEY_LOCAL_MACHINE\\SYSTEM", HP_HIVE_SYSTEM },
	{ "HKEY_LOCAL_MACHINE\\SAM", "HKEY_LOCAL_MACHINE\\SAM", HP_HIVE_SAM },
	{ "HKLM\\SAM", "HKEY_LOCAL_MACHINE\\SAM", HP_HIVE_SAM },
	{ "HKEY_LOCAL_MACHINE\\SECURITY", "HKEY_LOCAL_MACHINE\\SECURITY",
	    HP_HIVE_SECURITY },
	{ "HKLM\\SECURITY", "HKEY_LOCAL_MACHINE\\SECURITY", HP_HIVE_SECURITY },
	{ "HKEY_USERS\\.DEFAULT", "HKEY_USERS\\.DEFAULT", HP_HIVE_DEFAULT },
	{ "HKU\\.DEFAULT", "HKEY_USERS\\.DEFAULT", HP_HIVE_DEFAULT },
	{ "HKEY_CURRENT_USER\\Software\\Classes",
	    "HKEY_CURRENT_USER\\Software\\Classes", HP_HIVE_USRCLASS },
	{ "HKCU\\Software\\Classes", "HKEY_CURRENT_USER\\Software\\Classes",
	    HP_HIVE_USRCLASS },
	{ "HKEY_CURRENT_USER", "HKEY_CURRENT_USER", HP_HIVE_NTUSER },
	{ "HKCU", "HKEY_CURRENT_USER", HP_HIVE_NTUSER },
	{ "HKEY_CLASSES_ROOT", "HKEY_CLASSES_ROOT", HP_HIVE_UNKNOWN },
	{ "HKCR", "HKEY_CLASSES_ROOT", HP_HIVE_UNKNOWN },
};

/* Where in roots[] the user's classes and the machine's are. */
#define ROOT_SOFTWARE 0
#define ROOT_USER_CLASSES 10

/* The root of `key` (its index in roots[]) and the path inside its hive
 * ("" for the root itself); -1 when no root fits. */
static int
key_root(const char *key, const char **rel)
{
	size_t i, n;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		n = strlen(roots[i].prefix);
		if (strncasecmp(key, roots[i].prefix, n) != 0 ||
		    (key[n] != '\0' && key[n] != '\\'))
			continue;
		*rel = key[n] == '\\' ? key + n + 1 : key + n;
		return (int)i;
	}
	return -1;
}

/* The key at `rel` found again one name at a time, its path as the hive
 * spells the names (what was typed may differ in case).  NULL, with e
 * set, on failure. */
static char *
stored_path(const struct lookup_ctx *c, const char *rel, const char *root,
	    struct hp_err *e)
{
	char *path = strdup(root), *copy = strdup(rel), *part, *save = NULL;
	char *name, *longer;
	hive_node_h node = hivex_root(c->h);

	for (part = copy ? strtok_r(copy, "\\", &save) : NULL;
	    path != NULL && part != NULL; part = strtok_r(NULL, "\\", &save)) {
		longer = NULL;
		if (lookup_child(c, node, part, path, &node, e) == 1 &&
		    (name = hivex_node_name(c->h, node)) != NULL) {
			if (asprintf(&longer, "%s\\%s", path, name) == -1)
				longer = NULL;
			free(name);
		}
		free(path);
		path = longer;
	}
	free(copy);
	if (path == NULL && e->reason == HP_R_NONE)
		hp_err_nomem(e);
	return path;
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
	size_t i = r->n_notes;

	if (collect_notes(r, s) == -1)
		return -1;
	for (; o->note != NULL && i < r->n_notes; i++)
		o->note(o->note_arg, r->notes[i]);
	return 0;
}

/* One more note, made here. */
static int
add_note(struct hp_export *r, const struct hp_export_opts *o,
	 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
add_note(struct hp_export *r, const struct hp_export_opts *o,
	 const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strv_vpushf(&r->notes, &r->n_notes, fmt, ap);
	va_end(ap);
	if (rc == 0 && o->note != NULL)
		o->note(o->note_arg, r->notes[r->n_notes - 1]);
	return rc;
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

/* The hive for the key's root: in a tree, the one in its place; a bare
 * hive file is taken for what its root keys say it is. */
static int
open_for(struct hp_store *store, int root, unsigned flags, struct session *s,
	 struct hp_export *r, const struct hp_export_opts *o,
	 struct hp_err *e)
{
	int rc = session_open(s, store, roots[root].kind, flags, e);

	if (rc == 0)
		rc = session_hivex(s, e);
	free(r->where);
	r->where = NULL;
	if (s->hive != NULL && (r->where = strdup(s->hive->where)) == NULL)
		return hp_err_nomem(e);
	if (s->hive != NULL && s->view.fd != -1 && add_notes(r, s, o) == -1)
		return hp_err_nomem(e);
	if (rc == -1)
		return -1;
	if (!store->ops->tree && !hive_kinds_alike(s->found, roots[root].kind))
		return hp_err_set(e, HP_R_WRONG_KIND, "%s: not a %s hive (%s), "
		    "so it holds no key of %s", s->hive->where,
		    hp_hive_kind_name(roots[root].kind), s->why, roots[root].root);
	return 0;
}

/* The key `rel` of roots[root]'s hive, opened into s: 1 found (*node,
 * and *display the path to write, as the hive spells it), 0 not, -1. */
static int
find_key(struct hp_store *store, int root, const char *rel, unsigned flags,
	 struct session *s, struct hp_export *r,
	 const struct hp_export_opts *o, hive_node_h *node, char **display,
	 struct hp_err *e)
{
	struct lookup_ctx c;
	int found;

	*display = NULL;
	if (open_for(store, root, flags, s, r, o, e) == -1)
		return -1;
	c = (struct lookup_ctx){ s->h, s->view.fd, s->hive->where };
	found = lookup_key(&c, rel, roots[root].root, node, e);
	if (found == 1 &&
	    (*display = stored_path(&c, rel, roots[root].root, e)) == NULL)
		return -1;
	return found;
}

/* Renders the key, after the text already rendered (*text, *len, NULL
 * and 0 when none: then the document begins here). */
static int
render_key(const struct hp_export_opts *o, const struct session *s,
	   hive_node_h node, const char *display, char **text, size_t *len,
	   struct hp_err *e)
{
	unsigned flags = (o->flags & HP_EXPORT_UTF16) ? REG_EXPORT_UTF16 : 0;
	char *more, *both;
	size_t more_len;

	if (*text == NULL)
		return reg_export_render(s->h, s->view.fd, s->hive->where, node,
		    display, s->view.size, flags, text, len, e);
	if (reg_export_render(s->h, s->view.fd, s->hive->where, node, display,
	    s->view.size, flags | REG_EXPORT_MORE, &more, &more_len, e) == -1)
		return -1;
	if ((both = realloc(*text, *len + more_len)) == NULL) {
		free(more);
		return hp_err_nomem(e);
	}
	memcpy(both + *len, more, more_len);
	free(more);
	*text = both;
	*len += more_len;
	return 0;
}

/* Writes what was rendered out (and frees it).  All of it is rendered
 * first: a refusal leaves no output, not even a file. */
static int
write_text(struct hp_store *store, const struct hp_export_opts *o,
	   const struct session *s, char *text, size_t len, struct hp_err *e)
{
	FILE *out;
	int rc = 0;

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

static int
write_key(struct hp_store *store, const struct hp_export_opts *o,
	  const struct session *s, hive_node_h node, const char *display,
	  struct hp_err *e)
{
	char *text = NULL;
	size_t len = 0;

	if (render_key(o, s, node, display, &text, &len, e) == -1)
		return -1;
	return write_text(store, o, s, text, len, e);
}

/* A key of HKEY_CLASSES_ROOT, which Windows merges from the user's
 * classes and HKLM\SOFTWARE\Classes: where only one holds it, that one
 * is the merged view; where both do, both are written, the machine's
 * part then the user's, so that the user's values and subkeys go over
 * the machine's as Windows merges them.  Each part is written under its
 * own root, where importing it puts it back; a note says which. */
static int
export_merged(struct hp_store *store, const struct hp_export_opts *o,
	      struct hp_export *r, const char *rel, struct session *s,
	      struct session *user, struct hp_err *e)
{
	unsigned flags = (o->flags & HP_NO_RECOVER) ? SESSION_NO_RECOVER : 0;
	char *machine_rel = NULL, *mine = NULL, *theirs = NULL, *text = NULL;
	hive_node_h node, user_node;
	int in_user, in_machine, rc = -1;
	size_t len = 0;

	if (!store->ops->tree)
		return hp_err_set(e, HP_R_WRONG_KIND, "%s: %s is one hive file; "
		    "HKEY_CLASSES_ROOT merges the user's classes (UsrClass.dat) "
		    "and HKLM\\SOFTWARE\\Classes, which only a Windows tree "
		    "holds both of: give the tree, or export the key under "
		    "HKCU\\Software\\Classes or HKLM\\SOFTWARE\\Classes", o->key,
		    hp_store_target(store));
	if (asprintf(&machine_rel, "Classes%s%s", *rel ? "\\" : "",
	    rel) == -1)
		return hp_err_nomem(e);
	in_user = find_key(store, ROOT_USER_CLASSES, rel, flags, user, r, o,
	    &user_node, &theirs, e);
	if (in_user != -1)
		in_machine = find_key(store, ROOT_SOFTWARE, machine_rel, flags,
		    s, r, o, &node, &mine, e);
	if (in_user == -1 || in_machine == -1)
		goto out;
	if (in_machine == 0 && in_user == 0) {
		rc = hp_err_set(e, HP_R_NO_KEY, "%s: no key %s (in neither %s "
		    "nor %s)", hp_store_target(store), o->key, user->hive->where,
		    s->hive->where);
		goto out;
	}
	if (in_machine == 0) {
		free(r->where);
		if ((r->where = strdup(user->hive->where)) == NULL) {
			rc = hp_err_nomem(e);
			goto out;
		}
	}
	if (in_machine && in_user)
		rc = add_note(r, o, "%s is in both %s and %s: written are %s, "
		    "then %s, which Windows merges over it (imported, each goes "
		    "back where it is)", o->key, s->hive->where,
		    user->hive->where, mine, theirs);
	else
		rc = add_note(r, o, "%s is %s here (%s does not hold it): "
		    "written under that root", o->key, in_machine ? mine : theirs,
		    in_machine ? user->hive->where : s->hive->where);
	if (rc == -1) {
		rc = hp_err_nomem(e);
		goto out;
	}
	/* The machine's part first: the user's goes over it. */
	if ((in_machine && render_key(o, s, node, mine, &text, &len, e) == -1) ||
	    (in_user && render_key(o, user, user_node, theirs, &text, &len,
	    e) == -1)) {
		free(text);
		rc = -1;
		goto out;
	}
	rc = write_text(store, o, in_machine ? s : user, text, len, e);
out:
	free(machine_rel);
	free(mine);
	free(theirs);
	return rc;
}

static int
export(struct hp_store *store, const struct hp_export_opts *o,
       struct hp_export *r, struct session *s, struct session *user,
       struct hp_err *e)
{
	unsigned flags = (o->flags & HP_NO_RECOVER) ? SESSION_NO_RECOVER : 0;
	const char *rel = NULL;
	int root = key_root(o->key, &rel), found, rc;
	char *display = NULL;
	hive_node_h node;

	if (root == -1)
		return hp_err_set(e, HP_R_USAGE, "%s: not a key in a hive "
		    "export reads (HKEY_LOCAL_MACHINE\\SOFTWARE, SYSTEM, SAM or "
		    "SECURITY, HKEY_USERS\\.DEFAULT, HKEY_CURRENT_USER, "
		    "HKEY_CLASSES_ROOT)", o->key);
	if (roots[root].kind == HP_HIVE_UNKNOWN)
		return export_merged(store, o, r, rel, s, user, e);
	found = find_key(store, root, rel, flags, s, r, o, &node, &display, e);
	if (found == -1)
		return -1;
	if (found == 0)
		return hp_err_set(e, HP_R_NO_KEY, "%s: no key %s",
		    s->hive->where, o->key);
	rc = write_key(store, o, s, node, display, e);
	free(display);
	return rc;
}

int
hp_export(struct hp_store *store, const struct hp_export_opts *opts,
	  struct hp_export **result, struct hp_err *e)
{
	struct hp_export *r = calloc(1, sizeof(*r));
	struct session s, user;
	int rc;

	*result = NULL;
	if (r == NULL)
		return hp_err_nomem(e);
	memset(&s, 0, sizeof(s));
	memset(&user, 0, sizeof(user));
	s.files.fd = s.view.fd = user.files.fd = user.view.fd = -1;
	rc = export(store, opts, r, &s, &user, e);
	session_free(&s);
	session_free(&user);
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
