/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "error.h"
#include "result.h"
#include "textconv.h"

int
strv_push(char ***v, size_t *n, const char *s)
{
	char **grown = reallocarray(*v, *n + 1, sizeof(**v));

	if (grown == NULL)
		return -1;
	*v = grown;
	if ((grown[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

int
strv_vpushf(char ***v, size_t *n, const char *fmt, va_list ap)
{
	char *raw = NULL, *msg;
	int rc;

	if (vasprintf(&raw, fmt, ap) == -1)
		return -1;
	msg = hp_escape_text_dup(raw);
	free(raw);
	if (msg == NULL)
		return -1;
	rc = strv_push(v, n, msg);
	free(msg);
	return rc;
}

int
strv_pushf(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strv_vpushf(v, n, fmt, ap);
	va_end(ap);
	return rc;
}

void
strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *
dup_or_null(const char *s, int *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = 1;
	return d;
}

int
data_copy(struct hp_data *d, hive_type type, const unsigned char *bytes,
	  size_t len)
{
	memset(d, 0, sizeof(*d));
	d->type = (uint32_t)type;
	d->len = len;
	d->bytes = malloc(len ? len : 1);
	if (d->bytes == NULL)
		return -1;
	if (len > 0)
		memcpy(d->bytes, bytes, len);
	if (type == hive_t_REG_SZ || type == hive_t_REG_EXPAND_SZ)
		d->text = utf16le_to_utf8(bytes, len);
	return 0;
}

void
data_free(struct hp_data *d)
{
	free(d->bytes);
	free(d->text);
	memset(d, 0, sizeof(*d));
}

int
recovery_copy(struct hp_recovery *dst, const struct hp_recovery *src)
{
	size_t i;
	int oom = 0;

	*dst = *src;
	for (i = 0; i < src->n_logs_used; i++)
		dst->logs_used[i] = dup_or_null(src->logs_used[i], &oom);
	return oom ? -1 : 0;
}

int
image_copy(struct hp_image *dst, const struct hp_image *src)
{
	int oom = 0;

	*dst = *src;
	dst->product = dup_or_null(src->product, &oom);
	dst->build = dup_or_null(src->build, &oom);
	dst->edition = dup_or_null(src->edition, &oom);
	dst->display_version = dup_or_null(src->display_version, &oom);
	dst->processor_arch = dup_or_null(src->processor_arch, &oom);
	return oom ? -1 : 0;
}

static int
change_copy(struct hp_change *c, const struct plan_item *it,
	    enum hp_hive_kind kind)
{
	const struct reg_op *op = it->op;
	int oom = 0;

	memset(c, 0, sizeof(*c));
	c->hive = kind;
	c->key = dup_or_null(it->display_key, &oom);
	if (op->kind == HP_OP_SET_VALUE || op->kind == HP_OP_DELETE_VALUE)
		c->name = dup_or_null(op->name, &oom);
	c->op = op->kind;
	c->action = it->action;
	c->skip_reason = dup_or_null(it->skip_reason, &oom);
	c->key_existed = it->key_exists;
	c->had_value = it->had_value;
	if (it->had_value && data_copy(&c->before, it->before_type, it->before,
	    it->before_len) == -1)
		oom = 1;
	if (op->kind == HP_OP_SET_VALUE && data_copy(&c->after, it->after_type,
	    it->after, it->after_len) == -1)
		oom = 1;
	c->source = dup_or_null(op->file, &oom);
	c->line = op->line;
	return oom ? -1 : 0;
}

static void
change_free(struct hp_change *c)
{
	free(c->key);
	free(c->name);
	free(c->skip_reason);
	data_free(&c->before);
	data_free(&c->after);
	free(c->source);
}

static int
hive_changes(struct hp_hive_report *h, const struct session *s)
{
	size_t i;

	h->planned = 1;
	h->changes = calloc(s->plan.n_items ? s->plan.n_items : 1,
	    sizeof(*h->changes));
	if (h->changes == NULL)
		return -1;
	for (i = 0; i < s->plan.n_items; i++) {
		h->n_changes++;
		if (change_copy(&h->changes[i], &s->plan.items[i], s->kind) == -1)
			return -1;
	}
	return 0;
}

static int
hive_logs(struct hp_hive_report *h, const struct session *s)
{
	size_t i;

	for (i = 0; i < s->files.n_logs; i++) {
		size_t n = h->n_logs;

		/* The hash first: out of memory leaves n_logs counting no
		 * more of them than there are. */
		if (s->logs_sha != NULL && strv_push(&h->logs_sha, &n,
		    s->logs_sha[i]) == -1)
			return -1;
		if (strv_push(&h->logs, &h->n_logs, s->files.logs[i].where) == -1)
			return -1;
		if (i < s->n_logs_reset && strv_push(&h->logs_reset,
		    &h->n_logs_reset, s->files.logs[i].where) == -1)
			return -1;
	}
	for (i = 0; i < s->n_control_sets; i++)
		if (strv_push(&h->control_sets, &h->n_control_sets,
		    s->control_sets[i]) == -1)
			return -1;
	return 0;
}

/* The path of the hive's log `name`, as its other logs are named: the
 * store's own name for a log it read, else (a log the commit made) the
 * name beside the hive.  NULL for no log; *oom when out of memory. */
static char *
log_path(const struct session *s, const char *name, int *oom)
{
	const char *slash;
	char *path;
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < s->files.n_logs; i++)
		if (strcmp(s->files.logs[i].name, name) == 0)
			return dup_or_null(s->files.logs[i].where, oom);
	slash = strrchr(s->hive->where, '/');
	if (slash == NULL)
		return dup_or_null(name, oom);
	if (asprintf(&path, "%.*s/%s", (int)(slash - s->hive->where),
	    s->hive->where, name) == -1) {
		*oom = 1;
		return NULL;
	}
	return path;
}

int
result_add_hive(struct hp_result *r, const struct session *s)
{
	struct hp_hive_report *grown, *h;
	int oom = 0;

	grown = reallocarray(r->hives, r->n_hives + 1, sizeof(*grown));
	if (grown == NULL)
		return -1;
	r->hives = grown;
	h = &r->hives[r->n_hives++];
	memset(h, 0, sizeof(*h));
	h->kind = s->kind;
	h->where = dup_or_null(s->hive->where, &oom);
	h->read = s->view.disk.major != 0;
	h->dirty = s->view.disk.dirty;
	h->seq[0] = s->view.disk.seq_primary;
	h->seq[1] = s->view.disk.seq_secondary;
	h->all_control_sets = s->all_control_sets;
	if (s->backed_up) {
		h->sha_before = dup_or_null(s->backup.sha_before, &oom);
		if (s->sha_after[0] != '\0') {
			h->sha_after = dup_or_null(s->sha_after, &oom);
			h->backup = dup_or_null(s->backup.dir, &oom);
			h->seq_after = s->seq_after;
		}
	}
	h->commit = s->sha_after[0] ? s->commit : HP_METHOD_NONE;
	h->commit_log = log_path(s, s->commit_log, &oom);
	h->commit_log_format = s->commit_log_format;
	h->pages_written = s->pages_written;
	h->last_written = s->last_written;
	h->keys_stamped = s->keys_stamped;
	if (s->sha_read[0] != '\0')
		h->sha_read = dup_or_null(s->sha_read, &oom);
	if (s->output != NULL) {
		h->output = dup_or_null(s->output, &oom);
		h->sha_output = dup_or_null(s->sha_output, &oom);
	}
	if (recovery_copy(&h->recovery, &s->view.rec) == -1 ||
	    hive_logs(h, s) == -1 || (s->planned && hive_changes(h, s) == -1))
		oom = 1;
	return oom ? -1 : 0;
}

static void
hive_report_free(struct hp_hive_report *h)
{
	size_t i;

	free(h->where);
	strv_free(h->logs, h->n_logs);
	strv_free(h->control_sets, h->n_control_sets);
	for (i = 0; i < h->n_changes; i++)
		change_free(&h->changes[i]);
	free(h->changes);
	free(h->backup);
	free(h->sha_before);
	free(h->sha_after);
	free(h->output);
	free(h->sha_output);
	free(h->sha_read);
	if (h->logs_sha != NULL)
		strv_free(h->logs_sha, h->n_logs);
	free(h->commit_log);
	strv_free(h->logs_reset, h->n_logs_reset);
	for (i = 0; i < h->recovery.n_logs_used; i++)
		free(h->recovery.logs_used[i]);
}

void
hp_result_free(struct hp_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->command);
	free(r->target);
	for (i = 0; i < r->n_hives; i++)
		hive_report_free(&r->hives[i]);
	free(r->hives);
	image_info_free(&r->image);
	strv_free(r->profiles, r->n_profiles);
	free(r->auto_reason);
	strv_free(r->reg_files, r->n_reg_files);
	free(r->result);
	strv_free(r->warnings, r->n_warnings);
	free(r->error);
	free(r);
}
