/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "apply.h"
#include "hive.h"

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
ensure_key(hive_h *h, const char *path, const char *display,
	   struct touched *t, struct hp_err *e)
{
	hive_node_h node = hivex_root(h);
	const char *p = path;

	while (*p != '\0') {
		size_t n = strcspn(p, "\\");
		hive_node_h child;
		char *part;

		if (n == 0) {
			p++;
			continue;
		}
		part = strndup(p, n);
		if (part == NULL) {
			hp_err_nomem(e);
			return 0;
		}
		errno = 0;
		child = hivex_node_get_child(h, node, part);
		if (child == 0 && errno == 0 &&
		    (child = hivex_node_add_child(h, node, part)) != 0 &&
		    (touch(t, node, e) == -1 || touch(t, child, e) == -1)) {
			free(part);
			return 0;
		}
		if (child == 0) {
			hp_err_set(e, HP_R_IO, "cannot create key '%s' under %s: %s",
			    part, display, strerror(errno ? errno : EIO));
			free(part);
			return 0;
		}
		free(part);
		node = child;
		p += n;
	}
	return node;
}

/* hivex has no call to remove one value: rewrite the key's values
 * without it. */
static int
delete_value(hive_h *h, hive_node_h node, const char *name,
	     const char *display, struct hp_err *e)
{
	hive_value_h *values;
	hive_set_value *keep;
	size_t n, i, k = 0;
	int rc = -1;

	values = hivex_node_values(h, node);
	if (values == NULL)
		return hp_err_set(e, HP_R_DAMAGED, "cannot read values of %s: %s",
		    display, strerror(errno));
	for (n = 0; values[n] != 0; n++)
		;
	keep = calloc(n ? n : 1, sizeof(*keep));
	if (keep == NULL) {
		free(values);
		return hp_err_nomem(e);
	}
	for (i = 0; i < n; i++) {
		char *key = hivex_value_key(h, values[i]);
		char *data;

		if (key == NULL) {
			hp_err_set(e, HP_R_IO, "cannot read a value name of %s: %s",
			    display, strerror(errno));
			goto out;
		}
		if (strcasecmp(key, name) == 0) {
			free(key);
			continue;
		}
		data = hivex_value_value(h, values[i], &keep[k].t, &keep[k].len);
		if (data == NULL) {
			hp_err_set(e, HP_R_IO, "cannot read value '%s' of %s: %s",
			    key, display, strerror(errno));
			free(key);
			goto out;
		}
		keep[k].key = key;
		keep[k].value = data;
		k++;
	}
	if (hivex_node_set_values(h, node, k, keep, 0) == -1) {
		hp_err_set(e, HP_R_IO, "cannot delete value '%s' of %s: %s",
		    name, display, strerror(errno));
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
apply_item(hive_h *h, const struct plan_item *it, struct touched *t,
	   struct hp_err *e)
{
	const struct reg_op *op = it->op;
	hive_set_value v;
	hive_node_h node, parent;

	if (it->action == HP_ACT_ALREADY || it->action == HP_ACT_SKIP)
		return 0;

	switch (op->kind) {
	case HP_OP_CREATE_KEY:
		return ensure_key(h, it->hive_path, it->display_key, t, e) ? 0 :
		    -1;
	case HP_OP_DELETE_KEY:
		node = hive_find_key(h, it->hive_path);
		parent = node ? hivex_node_parent(h, node) : 0;
		if (node == 0 || hivex_node_delete_child(h, node) == -1)
			return hp_err_set(e, HP_R_IO, "cannot delete key %s: %s",
			    it->display_key, strerror(errno ? errno : ENOENT));
		return parent ? touch(t, parent, e) : 0;
	case HP_OP_DELETE_VALUE:
		node = hive_find_key(h, it->hive_path);
		if (node == 0)
			return hp_err_set(e, HP_R_IO, "cannot find key %s",
			    it->display_key);
		if (delete_value(h, node, op->name, it->display_key, e) == -1)
			return -1;
		return touch(t, node, e);
	case HP_OP_SET_VALUE:
		node = ensure_key(h, it->hive_path, it->display_key, t, e);
		if (node == 0 || touch(t, node, e) == -1)
			return -1;
		v.key = op->name;
		v.t = it->after_type;
		v.len = it->after_len;
		v.value = (char *)it->after;
		if (hivex_node_set_value(h, node, &v, 0) == -1)
			return hp_err_set(e, HP_R_IO,
			    "cannot set value '%s' of %s: %s", op->name,
			    it->display_key, strerror(errno));
		return 0;
	}
	return 0;
}
