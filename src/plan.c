#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hive.h"
#include "plan.h"

#define SOFTWARE_PREFIX "SOFTWARE"

static void
free_item(struct plan_item *it)
{
	free(it->hive_path);
	free(it->display_key);
	free(it->before);
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

/* "SOFTWARE\\a\\b" -> "a\\b"; NULL when the path is not in SOFTWARE. */
static const char *
software_relative(const struct reg_op *op)
{
	size_t n = strlen(SOFTWARE_PREFIX);

	if (strcmp(op->root, "HKEY_LOCAL_MACHINE") != 0)
		return NULL;
	if (strncasecmp(op->path, SOFTWARE_PREFIX, n) != 0)
		return NULL;
	if (op->path[n] == '\0')
		return op->path + n;
	if (op->path[n] != '\\')
		return NULL;
	return op->path + n + 1;
}

static int
first_component_is(const char *path, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(path, name, n) == 0 &&
	    (path[n] == '\0' || path[n] == '\\');
}

int
plan_map(const struct reg_op *const *ops, size_t n_ops,
	 const struct image_info *image, struct plan *plan, struct hp_err *e)
{
	size_t i;

	plan->items = calloc(n_ops ? n_ops : 1, sizeof(*plan->items));
	plan->n_items = 0;
	if (plan->items == NULL)
		return hp_err_set(e, HP_IOERR, "out of memory");
	for (i = 0; i < n_ops; i++) {
		const struct reg_op *op = ops[i];
		struct plan_item *it = &plan->items[plan->n_items];
		const char *rel = software_relative(op);

		if (rel == NULL) {
			hp_err_set(e, HP_USAGE,
			    "%s:%u: key '%s%s%s' is not in HKEY_LOCAL_MACHINE\\SOFTWARE; "
			    "hivepatch writes only the SOFTWARE hive", op->file,
			    op->line, op->root, *op->path ? "\\" : "", op->path);
			plan_free(plan);
			return -1;
		}
		if (*rel == '\0' && op->kind == REG_OP_DELETE_KEY) {
			hp_err_set(e, HP_USAGE,
			    "%s:%u: refusing to delete the root of the SOFTWARE hive",
			    op->file, op->line);
			plan_free(plan);
			return -1;
		}
		it->op = op;
		it->hive_path = strdup(rel);
		if (asprintf(&it->display_key, "HKLM\\SOFTWARE%s%s",
		    *rel ? "\\" : "", rel) == -1)
			it->display_key = NULL;
		plan->n_items++;
		if (it->hive_path == NULL || it->display_key == NULL) {
			plan_free(plan);
			return hp_err_set(e, HP_IOERR, "out of memory");
		}
		/* A 32-bit Windows has no WOW64 view; inventing one would
		 * leave a key nothing reads. */
		if (!image->is_64bit && first_component_is(rel, "Wow6432Node")) {
			it->action = PLAN_SKIP;
			it->skip_reason = "32-bit image: no Wow6432Node";
		}
	}
	return 0;
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

		if (op->kind == REG_OP_SET_VALUE && op->len > PLAN_MAX_CELL_VALUE &&
		    plan->items[i].action != PLAN_SKIP)
			return hp_err_set(e, HP_REFUSED,
			    "%s:%u: value '%s' holds %zu bytes; hivex cannot write "
			    "values over %d bytes into %s (regf 1.%u needs big data "
			    "records), so hivepatch refuses", op->file, op->line,
			    op->name, op->len, PLAN_MAX_CELL_VALUE, hive_path, minor);
	}
	return 0;
}

int
plan_judge(hive_h *h, struct plan_item *it, struct hp_err *e)
{
	const struct reg_op *op = it->op;
	hive_node_h node;
	hive_value_h v;

	if (it->action == PLAN_SKIP)
		return 0;
	free(it->before);
	it->before = NULL;
	it->before_len = 0;
	it->had_value = 0;

	node = hive_find_key(h, it->hive_path);
	if (node == 0 && errno != 0)
		return hp_err_set(e, HP_IOERR, "cannot read key %s: %s",
		    it->display_key, strerror(errno));
	it->key_exists = node != 0;

	switch (op->kind) {
	case REG_OP_CREATE_KEY:
		it->action = node ? PLAN_ALREADY : PLAN_ADD;
		return 0;
	case REG_OP_DELETE_KEY:
		it->action = node ? PLAN_DELETE : PLAN_ALREADY;
		return 0;
	case REG_OP_SET_VALUE:
	case REG_OP_DELETE_VALUE:
		break;
	}

	v = node ? hivex_node_get_value(h, node, op->name) : 0;
	if (v != 0) {
		char *data;

		data = hivex_value_value(h, v, &it->before_type, &it->before_len);
		if (data == NULL)
			return hp_err_set(e, HP_IOERR,
			    "cannot read value '%s' of %s: %s", op->name,
			    it->display_key, strerror(errno));
		it->before = (unsigned char *)data;
		it->had_value = 1;
	}
	if (op->kind == REG_OP_DELETE_VALUE) {
		it->action = it->had_value ? PLAN_DELETE : PLAN_ALREADY;
		return 0;
	}
	if (!it->had_value)
		it->action = PLAN_ADD;
	else if (it->before_type == op->type && it->before_len == op->len &&
	    memcmp(it->before, op->data, op->len) == 0)
		it->action = PLAN_ALREADY;
	else
		it->action = PLAN_CHANGE;
	return 0;
}

/* `inner` is `outer` or lies below it. */
static int
key_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	if (strncasecmp(inner, outer, n) != 0)
		return 0;
	return n == 0 || inner[n] == '\0' || inner[n] == '\\';
}

int
plan_superseded(const struct plan *plan, size_t i)
{
	const struct plan_item *it = &plan->items[i];
	int value_op = it->op->kind == REG_OP_SET_VALUE ||
	    it->op->kind == REG_OP_DELETE_VALUE;
	size_t j;

	for (j = i + 1; j < plan->n_items; j++) {
		const struct plan_item *later = &plan->items[j];
		enum reg_op_kind k = later->op->kind;

		if (later->action == PLAN_SKIP)
			continue;
		if (k == REG_OP_DELETE_KEY &&
		    key_within(it->hive_path, later->hive_path))
			return 1;
		if (it->op->kind == REG_OP_DELETE_KEY && k != REG_OP_DELETE_KEY &&
		    k != REG_OP_DELETE_VALUE &&
		    key_within(later->hive_path, it->hive_path))
			return 1;
		if (value_op && (k == REG_OP_SET_VALUE || k == REG_OP_DELETE_VALUE) &&
		    strcasecmp(it->hive_path, later->hive_path) == 0 &&
		    strcasecmp(it->op->name, later->op->name) == 0)
			return 1;
	}
	return 0;
}

int
plan_count_unmet(hive_h *h, struct plan *plan, struct hp_err *e)
{
	int unmet = 0;
	size_t i;

	for (i = 0; i < plan->n_items; i++) {
		struct plan_item *it = &plan->items[i];

		if (it->action == PLAN_SKIP)
			continue;
		if (plan_judge(h, it, e) == -1)
			return -1;
		if (it->action != PLAN_ALREADY && !plan_superseded(plan, i))
			unmet++;
	}
	return unmet;
}
