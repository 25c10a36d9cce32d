/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "damage.h"
#include "hive.h"
#include "plan.h"

static void
free_item(struct plan_item *it)
{
	free(it->hive_path);
	free(it->display_key);
	free(it->before);
	free(it->big_sibling);
}

void
plan_free(struct plan *plan)
{
	size_t i;

	for (i = 0; i < plan->n_items; i++)
		free_item(&plan->items[i]);
	free(plan->items);
	plan->items = NULL;
	plan->n_items = 0;
}

/* `path` is `prefix` ("A" or "A\\B", compared without case) or lies
 * below it; every path lies below "". */
static int
path_starts_with(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return n == 0 || (strncasecmp(path, prefix, n) == 0 &&
	    (path[n] == '\0' || path[n] == '\\'));
}

/* The path after `n` bytes that path_starts_with matched. */
static const char *
path_after(const char *path, size_t n)
{
	return path[n] == '\\' ? path + n + 1 : path + n;
}

/* The path after its first component ("" when there is none). */
static const char *
after_first_component(const char *path)
{
	const char *p = strchr(path, '\\');

	return p ? p + 1 : path + strlen(path);
}

/* The hives a .reg key may be in: its root, the start of its path ("" when
 * the root alone names the hive), and the hive; the first that fits.
 * HKEY_CURRENT_USER\Software\Classes is the user's UsrClass.dat, as
 * Windows loads it there.  HKEY_CLASSES_ROOT merges that hive with
 * HKLM\SOFTWARE\Classes: op_hive names the user's, and
 * plan_route_classes says which of the two holds each key. */
static const struct {
	const char *root, *first;
	enum hp_hive_kind kind;
} key_hives[] = {
	{ "HKEY_LOCAL_MACHINE", "SOFTWARE", HP_HIVE_SOFTWARE },
	{ "HKEY_LOCAL_MACHINE", "SYSTEM", HP_HIVE_SYSTEM },
	{ "HKEY_LOCAL_MACHINE", "SAM", HP_HIVE_SAM },
	{ "HKEY_LOCAL_MACHINE", "SECURITY", HP_HIVE_SECURITY },
	{ "HKEY_USERS", ".DEFAULT", HP_HIVE_DEFAULT },
	{ "HKEY_CURRENT_USER", "Software\\Classes", HP_HIVE_USRCLASS },
	{ "HKEY_CURRENT_USER", "", HP_HIVE_NTUSER },
	{ "HKEY_CLASSES_ROOT", "", HP_HIVE_USRCLASS },
};

int
op_hive(const struct reg_op *op, enum hp_hive_kind *kind, const char **rel,
	struct hp_err *e)
{
	size_t i;

	for (i = 0; i < sizeof(key_hives) / sizeof(key_hives[0]); i++) {
		if (strcmp(op->root, key_hives[i].root) != 0 ||
		    !path_starts_with(op->path, key_hives[i].first))
			continue;
		*kind = key_hives[i].kind;
		*rel = path_after(op->path, strlen(key_hives[i].first));
		return 0;
	}
	return hp_err_set(e, HP_R_BAD_REG,
	    "%s:%u: key '%s%s%s' is in no hive hivepatch writes: "
	    "HKEY_LOCAL_MACHINE\\SOFTWARE, SYSTEM, SAM or SECURITY, "
	    "HKEY_USERS\\.DEFAULT, HKEY_CURRENT_USER or HKEY_CLASSES_ROOT",
	    op->file, op->line, op->root, *op->path ? "\\" : "", op->path);
}

int
op_in_classes_root(const struct reg_op *op)
{
	return strcmp(op->root, "HKEY_CLASSES_ROOT") == 0;
}

int
op_uses_current_control_set(const struct reg_op *op)
{
	enum hp_hive_kind kind;
	const char *rel;

	return op_hive(op, &kind, &rel, NULL) == 0 && kind == HP_HIVE_SYSTEM &&
	    path_starts_with(rel, "CurrentControlSet");
}

/* Adds one item for `op` at `path` inside the hive. */
static int
add_item(struct plan *plan, size_t *cap, const struct reg_op *op,
	 const struct map_ctx *ctx, const char *prefix, const char *rest,
	 struct hp_err *e)
{
	const char *root = hive_kind_root(ctx->hive);
	struct plan_item *it, *grown;

	if (plan->n_items == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		grown = realloc(plan->items, *cap * sizeof(*grown));
		if (grown == NULL)
			return hp_err_nomem(e);
		plan->items = grown;
	}
	it = &plan->items[plan->n_items];
	memset(it, 0, sizeof(*it));
	it->op = op;
	/* What the value is to hold; judging refines it for set-bits. */
	it->after_type = op->type;
	it->after = op->data;
	it->after_len = op->len;
	if (asprintf(&it->hive_path, "%s%s%s", prefix,
	    *prefix && *rest ? "\\" : "", rest) == -1)
		it->hive_path = NULL;
	if (it->hive_path == NULL ||
	    asprintf(&it->display_key, "%s%s%s", root,
	    *it->hive_path ? "\\" : "", it->hive_path) == -1) {
		free(it->hive_path);
		return hp_err_nomem(e);
	}
	plan->n_items++;
	/* A 32-bit Windows has no WOW64 view; inventing one would leave a
	 * key nothing reads. */
	if (ctx->hive == HP_HIVE_SOFTWARE && !ctx->is_64bit &&
	    path_starts_with(it->hive_path, "Wow6432Node")) {
		it->action = HP_ACT_SKIP;
		it->skip_reason = "32-bit image: no Wow6432Node";
	}
	return 0;
}

/* The hive of operation i and its path there: `prefix`, then `rel`. */
static int
op_place(const struct map_ctx *ctx, size_t i, const struct reg_op *op,
	 enum hp_hive_kind *kind, const char **prefix, const char **rel,
	 struct hp_err *e)
{
	*prefix = "";
	if (op_hive(op, kind, rel, e) == -1)
		return -1;
	if (!op_in_classes_root(op))
		return 0;
	if (ctx->to_machine == NULL)
		return hp_err_set(e, HP_R_WRONG_KIND, "%s:%u: key "
		    "'HKEY_CLASSES_ROOT\\%s' is in the user's classes or in "
		    "HKLM\\SOFTWARE\\Classes, as the user's UsrClass.dat "
		    "decides, which is not read here", op->file, op->line,
		    op->path);
	if (ctx->to_machine[i]) {
		*kind = HP_HIVE_SOFTWARE;
		*prefix = "Classes";
	}
	return 0;
}

int
plan_map(const struct reg_op *const *ops, size_t n_ops,
	 const struct map_ctx *ctx, struct plan *plan, struct hp_err *e)
{
	size_t i, j, cap = 0;

	plan->items = NULL;
	plan->n_items = 0;
	for (i = 0; i < n_ops; i++) {
		const struct reg_op *op = ops[i];
		enum hp_hive_kind kind;
		const char *prefix, *rel;
		int rc = 0;

		if (op_place(ctx, i, op, &kind, &prefix, &rel, e) == -1)
			goto fail;
		if (kind != ctx->hive)
			continue;
		if (*rel == '\0' && op->kind == HP_OP_DELETE_KEY) {
			hp_err_set(e, HP_R_BAD_REG,
			    "%s:%u: refusing to delete the root of the %s hive",
			    op->file, op->line, op_in_classes_root(op) ?
			    "HKEY_CLASSES_ROOT" : hp_hive_kind_name(kind));
			goto fail;
		}
		if (kind == HP_HIVE_SYSTEM &&
		    path_starts_with(rel, "CurrentControlSet")) {
			/* Offline there is no CurrentControlSet: it is a
			 * link Windows makes at boot to the set Select names. */
			if (ctx->n_control_sets == 0) {
				hp_err_set(e, HP_R_BAD_SELECT,
				    "%s:%u: no control set to map CurrentControlSet to",
				    op->file, op->line);
				goto fail;
			}
			for (j = 0; j < ctx->n_control_sets && rc == 0; j++)
				rc = add_item(plan, &cap, op, ctx,
				    ctx->control_sets[j], after_first_component(rel), e);
		} else {
			rc = add_item(plan, &cap, op, ctx, prefix, rel, e);
		}
		if (rc == -1)
			goto fail;
	}
	return 0;
fail:
	plan_free(plan);
	return -1;
}

int
plan_check_value_sizes(const struct plan *plan, uint32_t minor,
		       const char *hive_path, struct hp_err *e)
{
	size_t i;

	if (minor < 4)
		return 0;
	for (i = 0; i < plan->n_items; i++) {
		const struct reg_op *op = plan->items[i].op;

		if (op->kind == HP_OP_SET_VALUE && op->len > PLAN_MAX_CELL_VALUE &&
		    plan->items[i].action != HP_ACT_SKIP)
			return hp_err_set(e, HP_R_VALUE_TOO_LARGE,
			    "%s:%u: value '%s' holds %zu bytes; hivex cannot write "
			    "values over %d bytes into %s (regf 1.%u needs big data "
			    "records), so hivepatch refuses", op->file, op->line,
			    op->name, op->len, PLAN_MAX_CELL_VALUE, hive_path, minor);
	}
	return 0;
}

int
plan_check_rewrites(const struct plan *plan, const char *where,
		    struct hp_err *e)
{
	const struct plan_item *it;
	size_t i;

	for (i = 0; i < plan->n_items; i++) {
		it = &plan->items[i];
		if (it->big_sibling == NULL || it->action == HP_ACT_ALREADY ||
		    it->action == HP_ACT_SKIP)
			continue;
		return hp_err_set(e, HP_R_VALUE_TOO_LARGE, "%s: value '%s' of %s "
		    "holds %u bytes kept as big data, which hivex cannot "
		    "write; %s a value of the key would rewrite it, so "
		    "hivepatch refuses", where, *it->big_sibling ?
		    it->big_sibling : "(default)", it->display_key,
		    it->big_sibling_len, it->op->kind == HP_OP_DELETE_VALUE ?
		    "deleting" : "setting");
	}
	return 0;
}

/* A set-bits operation keeps every bit a DWORD already has (a TLS 1.3
 * bit must survive adding TLS 1.2); anything that is not a DWORD is
 * replaced by the bits alone. */
static void
merge_bits(struct plan_item *it)
{
	const unsigned char *want = it->op->data;
	size_t i;

	for (i = 0; i < 4; i++)
		it->merged[i] = want[i];
	if (it->had_value && it->before_type == hive_t_REG_DWORD &&
	    it->before_len == 4)
		for (i = 0; i < 4; i++)
			it->merged[i] |= it->before[i];
	it->after = it->merged;
}

size_t
plan_root_len(const struct plan_item *it)
{
	size_t path = strlen(it->hive_path);

	return strlen(it->display_key) - path - (path ? 1 : 0);
}

int
plan_find_key(const struct lookup_ctx *c, const struct plan_item *it,
	      hive_node_h *node, struct hp_err *e)
{
	char *root = strndup(it->display_key, plan_root_len(it));
	int rc;

	if (root == NULL)
		return hp_err_nomem(e);
	rc = lookup_key(c, it->hive_path, root, node, e);
	free(root);
	return rc;
}

/* The value the item finds, as it is now: refused when its cells are
 * damaged, which hivex takes without a word for a big data record
 * whose segments are not cells of their own. */
static int
read_before(const struct lookup_ctx *c, hive_value_h v, struct plan_item *it,
	    struct hp_err *e)
{
	const char *name = it->op->name;
	struct damage d;
	char what[300];
	char *data;
	int err;

	if (damage_value(c->fd, v, *name ? name : "(default)", &d))
		return damage_err(e, c->where, it->display_key, &d);
	errno = 0;
	data = damage_value_value(c->h, c->fd, v, &it->before_type,
	    &it->before_len);
	if (data == NULL) {
		err = errno;
		snprintf(what, sizeof(what), "value '%s'", *name ? name :
		    "(default)");
		return damage_hivex_err(e, err, c->where, what,
		    it->display_key);
	}
	it->before = (unsigned char *)data;
	it->had_value = 1;
	return 0;
}

/* Writing one value of the key at `node` rewrites them all, each copied
 * as hivex reads it (apply.c): refused when the cells of any are
 * damaged, which hivex would copy as other bytes without a word (a big
 * data record whose segments are not cells of their own).  Another
 * value kept as big data, which hivex cannot write back, is kept as the
 * item's big_sibling (plan_check_rewrites refuses it for a write). */
static int
values_copyable(const struct lookup_ctx *c, hive_node_h node,
		struct plan_item *it, struct hp_err *e)
{
	const char *display = it->display_key;
	hive_value_h *values;
	struct damage d;
	char *name;
	uint32_t len;
	size_t i;
	int rc = 0;

	errno = 0;
	if ((values = hivex_node_values(c->h, node)) == NULL)
		return damage_hivex_err(e, errno, c->where, "the values",
		    display);
	for (i = 0; rc == 0 && values[i] != 0; i++) {
		errno = 0;
		if ((name = hivex_value_key(c->h, values[i])) == NULL)
			rc = damage_values(c->fd, node, &d) ?
			    damage_err(e, c->where, display, &d) :
			    damage_hivex_err(e, errno, c->where,
			    "a value's name", display);
		else if (damage_value(c->fd, values[i], *name ? name :
		    "(default)", &d))
			rc = damage_err(e, c->where, display, &d);
		else if (it->big_sibling == NULL &&
		    !lookup_value_is(c->h, values[i], it->op->name) &&
		    damage_is_big_data(c->fd, values[i], &len)) {
			it->big_sibling = name;
			it->big_sibling_len = len;
			name = NULL;
		}
		free(name);
	}
	free(values);
	return rc;
}

int
plan_judge(const struct lookup_ctx *c, struct plan_item *it,
	   struct hp_err *e)
{
	const struct reg_op *op = it->op;
	hive_node_h node;
	hive_value_h v;

	if (it->action == HP_ACT_SKIP)
		return 0;
	free(it->before);
	it->before = NULL;
	it->before_len = 0;
	it->had_value = 0;
	free(it->big_sibling);
	it->big_sibling = NULL;

	if (plan_find_key(c, it, &node, e) == -1)
		return -1;
	it->key_exists = node != 0;

	switch (op->kind) {
	case HP_OP_CREATE_KEY:
		it->action = node ? HP_ACT_ALREADY : HP_ACT_ADD;
		return 0;
	case HP_OP_DELETE_KEY:
		it->action = node ? HP_ACT_DELETE : HP_ACT_ALREADY;
		return 0;
	case HP_OP_SET_VALUE:
	case HP_OP_DELETE_VALUE:
		break;
	}

	if (node != 0 && lookup_value(c, node, op->name, it->display_key, &v,
	    e) == -1)
		return -1;
	if (node == 0)
		v = 0;
	if (v != 0 && read_before(c, v, it, e) == -1)
		return -1;
	if (op->kind == HP_OP_DELETE_VALUE) {
		it->action = it->had_value ? HP_ACT_DELETE : HP_ACT_ALREADY;
		return it->had_value ? values_copyable(c, node, it, e) : 0;
	}
	it->after_type = op->type;
	it->after = op->data;
	it->after_len = op->len;
	if (op->set_bits)
		merge_bits(it);
	if (!it->had_value)
		it->action = HP_ACT_ADD;
	else if (it->before_type == it->after_type &&
	    it->before_len == it->after_len &&
	    memcmp(it->before, it->after, it->after_len) == 0)
		it->action = HP_ACT_ALREADY;
	else
		it->action = HP_ACT_CHANGE;
	return node != 0 && it->action != HP_ACT_ALREADY ?
	    values_copyable(c, node, it, e) : 0;
}

int
plan_superseded(const struct plan *plan, size_t i)
{
	const struct plan_item *it = &plan->items[i];
	int value_op = it->op->kind == HP_OP_SET_VALUE ||
	    it->op->kind == HP_OP_DELETE_VALUE;
	size_t j;

	for (j = i + 1; j < plan->n_items; j++) {
		const struct plan_item *later = &plan->items[j];
		enum hp_op k = later->op->kind;

		if (later->action == HP_ACT_SKIP)
			continue;
		if (k == HP_OP_DELETE_KEY &&
		    path_starts_with(it->hive_path, later->hive_path))
			return 1;
		if (it->op->kind == HP_OP_DELETE_KEY && k != HP_OP_DELETE_KEY &&
		    k != HP_OP_DELETE_VALUE &&
		    path_starts_with(later->hive_path, it->hive_path))
			return 1;
		if (value_op && (k == HP_OP_SET_VALUE || k == HP_OP_DELETE_VALUE) &&
		    strcasecmp(it->hive_path, later->hive_path) == 0 &&
		    strcasecmp(it->op->name, later->op->name) == 0)
			return 1;
	}
	return 0;
}

int
plan_count_unmet(const struct lookup_ctx *c, struct plan *plan,
		 struct hp_err *e)
{
	int unmet = 0;
	size_t i;

	for (i = 0; i < plan->n_items; i++) {
		struct plan_item *it = &plan->items[i];

		if (it->action == HP_ACT_SKIP)
			continue;
		if (plan_judge(c, it, e) == -1)
			return -1;
		if (it->action != HP_ACT_ALREADY && !plan_superseded(plan, i))
			unmet++;
	}
	return unmet;
}

/* Whether the user's classes hold the key `path` when operation i runs:
 * what the operations before it that went there did to it (a key made
 * with all its parents, or deleted with everything below), else what
 * the hive holds.  Only deleting takes a key from the user's classes, so
 * this is how Windows would find them, operation by operation. */
static int
user_has(const struct reg_op *const *ops, size_t i, const unsigned char *to,
	 const struct lookup_ctx *user, const char *path, struct hp_err *e)
{
	enum hp_hive_kind kind;
	hive_node_h node;
	const char *rel;
	size_t j;

	for (j = i; j-- > 0;) {
		const struct reg_op *o = ops[j];

		if (op_hive(o, &kind, &rel, NULL) == -1 ||
		    kind != HP_HIVE_USRCLASS ||
		    (op_in_classes_root(o) && to[j]))
			continue;
		if (o->kind == HP_OP_DELETE_KEY && path_starts_with(path, rel))
			return 0;
		if ((o->kind == HP_OP_CREATE_KEY ||
		    o->kind == HP_OP_SET_VALUE) && path_starts_with(rel, path))
			return 1;
	}
	return lookup_key(user, path, hive_kind_root(HP_HIVE_USRCLASS), &node,
	    e);
}

int
plan_route_classes(const struct reg_op *const *ops, size_t n_ops,
		   const struct lookup_ctx *user, unsigned char **to_machine,
		   struct hp_err *e)
{
	unsigned char *to;
	size_t i;
	int has;

	if ((to = calloc(n_ops ? n_ops : 1, 1)) == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < n_ops; i++) {
		if (!op_in_classes_root(ops[i]))
			continue;
		if ((has = user_has(ops, i, to, user, ops[i]->path, e)) == -1) {
			free(to);
			return -1;
		}
		to[i] = !has;
	}
	*to_machine = to;
	return 0;
}
