/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tree walk (walk.h): an explicit stack of subkey lists, and a set
 * of the keys already met, so that a loop or a key listed under many
 * parents costs one visit, not an endless or exponential walk. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "damage.h"
#include "walk.h"

struct frame {
	hive_node_h *children;	/* NULL-ended, from hivex */
	size_t next;
	size_t path_len;	/* the length of this key's path */
};

struct walk {
	hive_h *h;
	int fd;			/* the file h reads, or -1 */
	const char *where;
	struct hp_err *e;
	hive_node_h *seen;	/* open addressing; 0 is a free slot */
	size_t n_seen, cap_seen;	/* cap: a power of two */
	char *path;
	size_t len, cap;
	size_t depth;		/* frames in use */
	struct frame stack[WALK_DEPTH_MAX + 1];
};

/* The slot of node in a table of cap (a power of two) slots: where it
 * is, or the free one where it goes. */
static size_t
slot_of(const hive_node_h *t, size_t cap, hive_node_h node)
{
	size_t i = (size_t)((node * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);

	while (t[i] != 0 && t[i] != node)
		i = (i + 1) & (cap - 1);
	return i;
}

/* Adds node to the set: 1 when it was new, 0 when it was there, -1 when
 * out of memory.  The table stays at most half full. */
static int
seen_add(struct walk *w, hive_node_h node)
{
	size_t i;

	if (2 * (w->n_seen + 1) > w->cap_seen) {
		size_t cap = w->cap_seen ? 2 * w->cap_seen : 1024;
		hive_node_h *t = calloc(cap, sizeof(*t));

		if (t == NULL)
			return -1;
		for (i = 0; i < w->cap_seen; i++)
			if (w->seen[i] != 0)
				t[slot_of(t, cap, w->seen[i])] = w->seen[i];
		free(w->seen);
		w->seen = t;
		w->cap_seen = cap;
	}
	i = slot_of(w->seen, w->cap_seen, node);
	if (w->seen[i] == node)
		return 0;
	w->seen[i] = node;
	w->n_seen++;
	return 1;
}

/* The key's path in a message: its root as the other messages write it
 * (HKLM), and a long one (500 levels of names) as its start and its end,
 * so that the message keeps its cell. */
#define PATH_HEAD 96
#define PATH_TAIL 96
#if PATH_HEAD + PATH_TAIL + 16 > WALK_KEY_SHOWN
#error "WALK_KEY_SHOWN too small"
#endif

const char *
walk_key_shown(const char *path, char *buf, size_t size)
{
	static const char *const roots[][2] = {
		{ "HKEY_LOCAL_MACHINE\\", "HKLM\\" },
		{ "HKEY_CURRENT_USER", "HKCU" },
		{ "HKEY_USERS\\", "HKU\\" },
	};
	const char *p = path, *pre = "";
	size_t i, n;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (strncmp(p, roots[i][0], strlen(roots[i][0])) == 0) {
			pre = roots[i][1];
			p += strlen(roots[i][0]);
			break;
		}
	n = strlen(p);
	if (n > PATH_HEAD + PATH_TAIL)
		snprintf(buf, size, "%s%.*s...%s", pre, PATH_HEAD, p,
		    p + n - PATH_TAIL);
	else
		snprintf(buf, size, "%s%s", pre, p);
	return buf;
}

static int
damaged(struct walk *w, hive_node_h node, const char *what)
{
	char key[WALK_KEY_SHOWN];

	return hp_err_set(w->e, HP_R_DAMAGED, "%s: damaged hive: %s (key "
	    "'%s', its cell at file offset 0x%llx)", w->where, what,
	    walk_key_shown(w->path, key, sizeof(key)), (unsigned long long)node);
}

/* Appends sep and name to the path. */
static int
path_add(struct walk *w, const char *sep, const char *name)
{
	size_t a = strlen(sep), b = strlen(name);
	char *p;

	if (w->len + a + b + 1 > w->cap) {
		size_t cap = (w->len + a + b + 1) * 2;

		if ((p = realloc(w->path, cap)) == NULL)
			return hp_err_nomem(w->e);
		w->path = p;
		w->cap = cap;
	}
	memcpy(w->path + w->len, sep, a);
	memcpy(w->path + w->len + a, name, b + 1);
	w->len += a + b;
	return 0;
}

/* Visits node (the top when top_path is not NULL) and pushes its
 * subkeys. */
static int
enter(struct walk *w, hive_node_h node, const char *top_path, walk_fn visit,
      void *arg)
{
	struct walk_key k = { .h = w->h, .node = node, .depth = w->depth };
	char *name = NULL;
	struct frame *f;
	size_t before;
	int rc;

	if (top_path == NULL) {
		errno = 0;
		/* A name hivex cannot decode is the visitor's to judge
		 * (Windows reads it): the walk goes on under "?". */
		if ((name = hivex_node_name(w->h, node)) == NULL) {
			if (errno == ENOMEM || (name = strdup("?")) == NULL)
				return hp_err_nomem(w->e);
			k.name_unreadable = 1;
		} else
			k.name_has_nul = strlen(name) !=
			    hivex_node_name_len(w->h, node);
	}
	before = w->len;
	rc = name != NULL ? path_add(w, "\\", name) :
	    path_add(w, "", top_path);
	free(name);
	if (rc == -1)
		return -1;
	k.path = w->path;
	/* Not after the path's last backslash: a name may hold one. */
	k.name = top_path != NULL ? "" : w->path + before + 1;
	if ((rc = seen_add(w, node)) == -1)
		return hp_err_nomem(w->e);
	if (rc == 0)
		return damaged(w, node, "a key listed twice, or inside itself");
	if (w->depth > WALK_DEPTH_MAX)
		return damaged(w, node, "keys nested more than 512 levels deep");
	if (visit(arg, &k, w->e) == -1)
		return -1;
	f = &w->stack[w->depth];
	errno = 0;
	if ((f->children = hivex_node_children(w->h, node)) == NULL) {
		char key[WALK_KEY_SHOWN];
		struct damage d;
		int err = errno;

		walk_key_shown(w->path, key, sizeof(key));
		if (damage_subkeys(w->fd, node, &d))
			return damage_err(w->e, w->where, key, &d);
		return damage_hivex_err(w->e, err, w->where, "the subkeys",
		    key);
	}
	f->next = 0;
	f->path_len = w->len;
	w->depth++;
	return 0;
}

int
hive_walk(hive_h *h, int fd, hive_node_h top, const char *top_path,
	  const char *where, walk_fn visit, void *arg, struct hp_err *e)
{
	struct walk *w = calloc(1, sizeof(*w));
	int rc;

	if (w == NULL)
		return hp_err_nomem(e);
	w->h = h;
	w->fd = fd;
	w->where = where;
	w->e = e;
	rc = enter(w, top, top_path, visit, arg);
	while (rc == 0 && w->depth > 0) {
		struct frame *f = &w->stack[w->depth - 1];
		hive_node_h child = f->children[f->next];

		w->len = f->path_len;
		w->path[w->len] = '\0';
		if (child == 0) {
			free(f->children);
			w->depth--;
			continue;
		}
		f->next++;
		rc = enter(w, child, NULL, visit, arg);
	}
	while (w->depth > 0)
		free(w->stack[--w->depth].children);
	free(w->seen);
	free(w->path);
	free(w);
	return rc;
}
