/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Keys and values found as Windows finds them.  hivex compares names as
 * C strings and takes the first match: a key named "v4.0.30319", a NUL
 * and more, listed before the real one, would receive the values Windows
 * never reads.  Windows compares counted names over their whole length
 * and without case; so does this file, over the lists hivex hands out.
 * What Windows would not read as the one key (two of one name, a sorted
 * list out of order) and what it would read elsewhere (a symbolic link
 * key) are refused for that path, never guessed. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "damage.h"
#include "lookup.h"
#include "regf.h"

/* The characters between 'Z' and 'a': Windows sorts names by their upper
 * case, hivex inserts by their lower case, and the two orders disagree
 * only around these. */
static int
sorts_alike(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x5b && (unsigned char)*s <= 0x60)
			return 0;
	return 1;
}

static int
upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* Names as Windows compares them (ASCII letters without case; other
 * characters by code, which is where Windows' own table may differ). */
static int
compare_names(const char *a, const char *b)
{
	while (*a != '\0' && upper((unsigned char)*a) ==
	    upper((unsigned char)*b)) {
		a++;
		b++;
	}
	return upper((unsigned char)*a) - upper((unsigned char)*b);
}

/* A name hivex decoded, whole: NULL when it holds a NUL, which no name
 * hivepatch looks for does.  `decoded_len` is hivex's count of its
 * bytes. */
static char *
whole_name(char *name, size_t decoded_len)
{
	if (name != NULL && strlen(name) != decoded_len) {
		free(name);
		return NULL;
	}
	return name;
}

int
lookup_is_link(int fd, hive_node_h node)
{
	unsigned char nk[REGF_CELL_SIZE_FIELD + REGF_NK_FLAGS + 2];

	if (fd < 0 || pread(fd, nk, sizeof(nk), (off_t)node) !=
	    (ssize_t)sizeof(nk) ||
	    memcmp(nk + REGF_CELL_SIZE_FIELD, "nk", 2) != 0)
		return 0;
	return ((nk[REGF_CELL_SIZE_FIELD + REGF_NK_FLAGS] |
	    nk[REGF_CELL_SIZE_FIELD + REGF_NK_FLAGS + 1] << 8) &
	    REGF_KEY_SYM_LINK) != 0;
}

/* Walks the children of `parent` once: the one named `want`, the count
 * of such, and whether the list is in the order Windows searches. */
struct scan {
	hive_node_h found;
	size_t matches;
	int out_of_order;
	char *before;		/* the previous name, for the order */
};

static int
scan_children(hive_h *h, hive_node_h parent, const char *want,
	      struct scan *sc)
{
	hive_node_h *kids = hivex_node_children(h, parent);
	size_t i;

	memset(sc, 0, sizeof(*sc));
	if (kids == NULL)
		return -1;
	for (i = 0; kids[i] != 0; i++) {
		size_t len = hivex_node_name_len(h, kids[i]);
		char *name = whole_name(hivex_node_name(h, kids[i]), len);

		if (name == NULL)
			continue;	/* a name holding a NUL: never `want` */
		if (compare_names(name, want) == 0 && strlen(name) ==
		    strlen(want)) {
			sc->matches++;
			sc->found = kids[i];
		}
		if (sc->before != NULL && sorts_alike(sc->before) &&
		    sorts_alike(name) && compare_names(sc->before, name) > 0)
			sc->out_of_order = 1;
		free(sc->before);
		sc->before = name;
	}
	free(sc->before);
	free(kids);
	return 0;
}

/* hivex could not read the subkeys of `parent`: why, from its cells
 * when the file is at hand. */
static int
subkeys_err(const struct lookup_ctx *c, hive_node_h parent,
	    const char *display, int err, struct hp_err *e)
{
	struct damage d;

	if (damage_subkeys(c->fd, parent, &d))
		return damage_err(e, c->where, display, &d);
	return damage_hivex_err(e, err, c->where, "the subkeys", display);
}

int
lookup_child(const struct lookup_ctx *c, hive_node_h parent,
	     const char *name, const char *display, hive_node_h *child,
	     struct hp_err *e)
{
	struct scan sc;

	*child = 0;
	errno = 0;
	if (scan_children(c->h, parent, name, &sc) == -1)
		return subkeys_err(c, parent, display, errno, e);
	if (sc.matches > 1)
		return hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive: %zu "
		    "subkeys named '%s' under %s; Windows reads only one of "
		    "them", c->where, sc.matches, name, display);
	if (sc.out_of_order)
		return hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive: the "
		    "subkeys of %s are out of order; Windows, which searches "
		    "them in order, may not find '%s'", c->where, display,
		    name);
	if (sc.matches == 0)
		return 0;
	if (lookup_is_link(c->fd, sc.found))
		return hp_err_set(e, HP_R_LINK_KEY, "%s: %s\\%s is a registry "
		    "symbolic link: Windows reads another key in its place; "
		    "refused", c->where, display, name);
	*child = sc.found;
	return 1;
}

int
lookup_key(const struct lookup_ctx *c, const char *path,
	   const char *display_root, hive_node_h *node, struct hp_err *e)
{
	const char *p = path;
	char *shown = strdup(display_root);
	int rc = 1;

	*node = hivex_root(c->h);
	if (shown == NULL)
		return hp_err_nomem(e);
	while (rc == 1 && *p != '\0') {
		size_t n = strcspn(p, "\\");
		char *part, *longer;

		if (n == 0) {
			p++;
			continue;
		}
		if ((part = strndup(p, n)) == NULL) {
			rc = hp_err_nomem(e);
			break;
		}
		rc = lookup_child(c, *node, part, shown, node, e);
		if (rc == 1 && asprintf(&longer, "%s\\%s", shown, part) != -1) {
			free(shown);
			shown = longer;
		} else if (rc == 1)
			rc = hp_err_nomem(e);
		free(part);
		p += n;
	}
	free(shown);
	if (rc != 1)
		*node = 0;
	return rc;
}

int
lookup_value_is(hive_h *h, hive_value_h v, const char *name)
{
	size_t len = hivex_value_key_len(h, v);
	char *key = whole_name(hivex_value_key(h, v), len);
	int same = key != NULL && strlen(key) == strlen(name) &&
	    compare_names(key, name) == 0;

	free(key);
	return same;
}

int
lookup_value(const struct lookup_ctx *c, hive_node_h node, const char *name,
	     const char *display, hive_value_h *value, struct hp_err *e)
{
	hive_value_h *values;
	size_t i, matches = 0;

	*value = 0;
	errno = 0;
	if ((values = hivex_node_values(c->h, node)) == NULL) {
		struct damage d;
		int err = errno;

		if (damage_values(c->fd, node, &d))
			return damage_err(e, c->where, display, &d);
		return damage_hivex_err(e, err, c->where, "the values",
		    display);
	}
	for (i = 0; values[i] != 0; i++)
		if (lookup_value_is(c->h, values[i], name)) {
			matches++;
			*value = values[i];
		}
	free(values);
	if (matches > 1) {
		*value = 0;
		return hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive: %zu values "
		    "named '%s' in %s; Windows reads only one of them",
		    c->where, matches, *name ? name : "(default)", display);
	}
	return matches == 1;
}
