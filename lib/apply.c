/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "damage.h"
#include "hive.h"
#include "lookup.h"

void
touched_free(struct touched *t)
{
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

static int
touch(struct touched *t, hive_node_h node, struct hp_err *e)
{
	size_t i;

	if (t == NULL)
		return 0;
	for (i = 0; i < t->n; i++)
		if (t->nodes[i] == node)
			return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		hive_node_h *p = reallocarray(t->nodes, cap, sizeof(*p));

		if (p == NULL)
			return hp_err_nomem(e);
		t->nodes = p;
		t->cap = cap;
	}
	t->nodes[t->n++] = node;
	return 0;
}

/* Walks the path from the root, adding every component that is missing:
 * hivex_node_add_child wants its parent to exist already. */
static hive_node_h
ensure_key(const struct lookup_ctx *c, const struct plan_item *it,
	   struct touched *t, struct hp_err *e)
{
	hive_h *h = c->h;
	hive_node_h node = hivex_root(h);
	const char *path = it->hive_path, *p = path;
	size_t root_len = plan_root_len(it);

	while (*p != '\0') {
		size_t n = strcspn(p, "\\");
		hive_node_h child;
		char *part, *display;
		int found;

		if (n == 0) {
			p++;
			continue;
		}
		/* The parent's path, as the report names it. */
		display = strndup(it->display_key, root_len + (size_t)(p - path) -
		    (p > path));
		if ((part = strndup(p, n)) == NULL || display == NULL) {
			free(part);
			free(display);
			hp_err_nomem(e);
			return 0;
		}
		found = lookup_child(c, node, part, display, &child, e);
		errno = 0;
		if (found == 0 &&
		    (child = hivex_node_add_child(h, node, part)) != 0 &&
		    (touch(t, node, e) == -1 || touch(t, child, e) == -1)) {
			free(part);
			return 0;
		}
		if (found == 0 && child == 0)
			/* hivex compares names as C strings: a key whose
			 * name starts with this one and holds a NUL. */
			hp_err_set(e, errno == EEXIST ? HP_R_DAMAGED : HP_R_IO,
			    "%s: cannot create key '%s' under %s: %s", c->where,
			    part, display, errno == EEXIST ? "a key whose name "
			    "begins so and holds a NUL stands in the way" :
			    strerror(errno ? errno : EIO));
		free(part);
		free(display);
		if (child == 0)
			return 0;
		node = child;
		p += n;
	}
	return node;
}

/* Copies value v into *out unless it is named `name`: 1 copied, 0 left
 * out, -1 refused or unreadable. */
static int
keep_value(const struct lookup_ctx *c, hive_value_h v, const char *name,
	   const char *display, hive_set_value *out, struct hp_err *e)
{
	hive_h *h = c->h;
	char *key = hivex_value_key(h, v);
	char *data;

	if (key == NULL)
		return damage_hivex_err(e, errno, c->where, "a value's name",
		    display);
	/* hivex writes names as C strings: this one would come back cut,
	 * as another value's name. */
	if (strlen(key) != hivex_value_key_len(h, v)) {
		free(key);
		return hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive: a value of "
		    "%s has a name holding a NUL, which rewriting the key's "
		    "values would cut into another name; refused", c->where,
		    display);
	}
	if (lookup_value_is(h, v, name)) {
		free(key);
		return 0;
	}
	errno = 0;
	if ((data = damage_value_value(h, c->fd, v, &out->t, &out->len)) ==
	    NULL) {
		char what[300];
		int err = errno;

		snprintf(what, sizeof(what), "value '%s'", key);
		free(key);
		return damage_hivex_err(e, err, c->where, what, display);
	}
	out->key = key;
	out->value = data;
	return 1;
}

/* hivex has no call to remove one value, and its setter finds the value
 * to replace by a C-string compare: the key's values are rewritten,
 * every one named `name` as Windows compares names replaced by `set`
 * (left out when NULL). */
static int
rewrite_values(const struct lookup_ctx *c, hive_node_h node,
	       const char *name, const hive_set_value *set,
	       const char *display, struct hp_err *e)
{
	hive_h *h = c->h;
	hive_value_h *values;
	hive_set_value *keep;
	size_t n, i, k = 0;
	int rc = -1;

	values = hivex_node_values(h, node);
	if (values == NULL)
		return hp_err_set(e, HP_R_DAMAGED, "%s: damaged hive: cannot read "
		    "the values of %s: %s", c->where, display,
		    strerror(errno ? errno : EINVAL));
	for (n = 0; values[n] != 0; n++)
		;
	keep = calloc(n + 1, sizeof(*keep));
	if (keep == NULL) {
		free(values);
		return hp_err_nomem(e);
	}
	for (i = 0; i < n; i++) {
		int kept = keep_value(c, values[i], name, display, &keep[k], e);

		if (kept == -1)
			goto out;
		k += (size_t)kept;
	}
	if (set != NULL &&
	    ((keep[k].key = strdup(set->key)) == NULL ||
	    (keep[k].value = malloc(set->len ? set->len : 1)) == NULL)) {
		free(keep[k].key);
		hp_err_nomem(e);
		goto out;
	}
	if (set != NULL) {
		memcpy(keep[k].value, set->value, set->len);
		keep[k].t = set->t;
		keep[k++].len = set->len;
	}
	if (hivex_node_set_values(h, node, k, keep, 0) == -1) {
		hp_err_set(e, HP_R_IO, "%s: cannot %s value '%s' of %s: %s",
		    c->where, set ? "set" : "delete", name, display,
		    strerror(errno ? errno : EIO));
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < k; i++) {
		free(keep[i].key);
		free(keep[i].value);
	}
	free(keep);
	free(values);
	return rc;
}

int
apply_item(const struct lookup_ctx *c, const struct plan_item *it,
	   struct touched *t, struct hp_err *e)
{
	const struct reg_op *op = it->op;
	hive_set_value v;
	hive_node_h node, parent;
	hive_h *h = c->h;
	int found;

	if (it->action == HP_ACT_ALREADY || it->action == HP_ACT_SKIP)
		return 0;

	switch (op->kind) {
	case HP_OP_CREATE_KEY:
		return ensure_key(c, it, t, e) ? 0 : -1;
	case HP_OP_DELETE_KEY:
	case HP_OP_DELETE_VALUE:
		if ((found = plan_find_key(c, it, &node, e)) == -1)
			return -1;
		if (found == 0)
			return hp_err_set(e, HP_R_IO, "%s: cannot find key %s",
			    c->where, it->display_key);
		if (op->kind == HP_OP_DELETE_VALUE)
			return rewrite_values(c, node, op->name, NULL,
			    it->display_key, e) == -1 ? -1 : touch(t, node, e);
		parent = hivex_node_parent(h, node);
		if (hivex_node_delete_child(h, node) == -1)
			return hp_err_set(e, HP_R_IO, "%s: cannot delete key %s: "
			    "%s", c->where, it->display_key,
			    strerror(errno ? errno : ENOENT));
		return parent ? touch(t, parent, e) : 0;
	case HP_OP_SET_VALUE:
		node = ensure_key(c, it, t, e);
		if (node == 0 || touch(t, node, e) == -1)
			return -1;
		v.key = op->name;
		v.t = it->after_type;
		v.len = it->after_len;
		v.value = (char *)it->after;
		return rewrite_values(c, node, op->name, &v, it->display_key, e);
	}
	return 0;
}
