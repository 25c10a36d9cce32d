/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reports for programs: one JSON document per run, schemas
 * "hivepatch-report/1", "hivepatch-inspect/1", "hivepatch-backups/1",
 * "hivepatch-export/1", "hivepatch-rollback/1" and
 * "hivepatch-profiles/1" (hivepatch(1)), each built as jsonout.h says:
 * NULL when out of memory. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "render.h"

#define REPORT_SCHEMA "hivepatch-report/1"
#define INSPECT_SCHEMA "hivepatch-inspect/1"
#define BACKUPS_SCHEMA "hivepatch-backups/1"
#define EXPORT_SCHEMA "hivepatch-export/1"
#define ROLLBACK_SCHEMA "hivepatch-rollback/1"
#define PROFILES_SCHEMA "hivepatch-profiles/1"

static const char *const type_names[] = {
	"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
	"REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ",
	"REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTOR",
	"REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD",
};

static const char *
type_name(uint32_t t)
{
	return t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] :
	    "REG_UNKNOWN";
}

/* The n strings of items as member key (items NULL: null). */
static void
add_opt_strings(struct json_object **o, const char *key, char *const *items,
		size_t n)
{
	if (items != NULL)
		jo_add(o, key, jo_strings(items, n));
	else
		jo_null(o, key);
}

static struct json_object *
uint_pair(uint32_t a, uint32_t b)
{
	struct json_object *o = json_object_new_array();

	jo_int(&o, NULL, a);
	jo_int(&o, NULL, b);
	return o;
}

/* The bytes as "01,ab,..." (malloc'd), or NULL when out of memory. */
static char *
hex_text(const struct hp_data *d)
{
	char *hex = malloc(d->len * 3 + 1), *p = hex;
	size_t i;

	if (hex == NULL)
		return NULL;
	for (i = 0; i < d->len; i++)
		p += sprintf(p, i ? ",%02x" : "%02x", d->bytes[i]);
	*p = '\0';
	return hex;
}

/* The data d and its type as member key (d NULL: null). */
static void
add_data(struct json_object **o, const char *key, const struct hp_data *d)
{
	struct json_object *x;
	char num[24], *hex;

	if (d == NULL) {
		jo_null(o, key);
		return;
	}
	x = json_object_new_object();
	jo_str(&x, "type", type_name(d->type));
	if (d->type == 4 && d->len == 4) {
		jo_int(&x, "data", (int64_t)render_le(d->bytes, 4));
	} else if (d->type == 11 && d->len == 8) {
		/* JSON numbers lose precision past 2^53: give a string. */
		snprintf(num, sizeof(num), "%" PRIu64, render_le(d->bytes, 8));
		jo_str(&x, "data", num);
	} else if ((d->type == 1 || d->type == 2) && d->text != NULL) {
		jo_str(&x, "data", d->text);
	} else if ((hex = hex_text(d)) != NULL) {
		jo_str(&x, "hex", hex);
		free(hex);
	} else {
		jo_fail(&x);
	}
	jo_add(o, key, x);
}

static const char *
op_name(enum hp_op k)
{
	switch (k) {
	case HP_OP_CREATE_KEY:
		return "create_key";
	case HP_OP_DELETE_KEY:
		return "delete_key";
	case HP_OP_SET_VALUE:
		return "set_value";
	case HP_OP_DELETE_VALUE:
		return "delete_value";
	}
	return "unknown";
}

static struct json_object *
change_json(const struct hp_result *r, const struct hp_change *c)
{
	struct json_object *o = json_object_new_object();
	int value_op = c->op == HP_OP_SET_VALUE || c->op == HP_OP_DELETE_VALUE;

	jo_str(&o, "hive", hp_hive_kind_name(c->hive));
	jo_str(&o, "key", c->key);
	jo_str(&o, "name", value_op ? c->name : NULL);
	jo_str(&o, "op", op_name(c->op));
	jo_str(&o, "status", render_status(c, r->verify));
	jo_str(&o, "reason", c->skip_reason);
	if (value_op) {
		add_data(&o, "before", c->had_value ? &c->before : NULL);
		add_data(&o, "after", c->op == HP_OP_SET_VALUE ? &c->after :
		    NULL);
	}
	jo_str(&o, "source", c->source);
	jo_int(&o, "line", (int)c->line);
	return o;
}

struct json_object *
render_json_windows(const struct hp_image *im)
{
	struct json_object *o = json_object_new_object(), *x;

	x = json_object_new_object();
	jo_str(&x, "product", im->product);
	jo_str(&x, "build", im->build);
	jo_str(&x, "edition", im->edition);
	jo_str(&x, "version", im->display_version);
	jo_add(&o, "os", x);
	jo_str(&o, "arch", !im->from_software ? NULL : im->is_64bit ?
	    "64-bit" : "32-bit");
	if (im->dotnet4_full) {
		x = json_object_new_object();
		jo_str(&x, "version", im->dotnet4_version);
		jo_opt_int(&x, "release", im->has_release, im->release);
		jo_add(&o, "dotnet4", x);
	} else {
		jo_null(&o, "dotnet4");
	}
	jo_bool(&o, "dotnet35", im->dotnet35);
	jo_bool(&o, "dotnet20", im->dotnet20);
	jo_str(&o, "processor_architecture", im->processor_arch);
	return o;
}

/* How a hive was read through its logs (seq_after: of the file
 * written, 0 if none). */
static struct json_object *
recovery_json(const struct hp_recovery *rep, int dirty, const uint32_t seq[2],
	      uint32_t seq_after, char *const *logs_reset, size_t n_reset)
{
	struct json_object *o = json_object_new_object();
	const char *format = NULL;

	if (rep->replayed)
		format = rep->format == HP_LOG_OLD ? "old" : "new";
	jo_str(&o, "state", dirty ? "dirty" : "clean");
	jo_bool(&o, "replayed", rep->replayed);
	jo_str(&o, "format", format);
	jo_add(&o, "logs_used", jo_strings(rep->logs_used, rep->n_logs_used));
	jo_int(&o, "entries_applied", rep->entries_applied);
	jo_int(&o, "pages_applied", rep->pages_applied);
	jo_add(&o, "sequence_before", uint_pair(seq[0], seq[1]));
	jo_opt_int(&o, "sequence_after", seq_after > 0 || rep->replayed,
	    seq_after > 0 ? seq_after : rep->seq_after);
	jo_bool(&o, "base_block_recovered", rep->base_block_recovered);
	jo_bool(&o, "started_late", rep->started_late);
	jo_bool(&o, "stopped_early", rep->stopped_early);
	jo_str(&o, "stop_reason", rep->stopped_early ? rep->stop_reason :
	    NULL);
	jo_add(&o, "logs_reset", jo_strings(logs_reset, n_reset));
	return o;
}

/* How the hive was written, as member "commit": null when it was
 * not. */
static void
add_commit(struct json_object **parent, const struct hp_hive_report *h)
{
	struct json_object *o;
	char when[32];

	if (h->commit == HP_METHOD_NONE) {
		jo_null(parent, "commit");
		return;
	}
	o = json_object_new_object();
	jo_str(&o, "method", h->commit == HP_METHOD_LOGGED ? "logged" :
	    "replace");
	jo_str(&o, "log", h->commit_log);
	jo_str(&o, "log_format", h->commit_log == NULL ? NULL :
	    h->commit_log_format == HP_LOG_OLD ? "old" : "new");
	jo_opt_int(&o, "pages_written", h->commit == HP_METHOD_LOGGED,
	    (int64_t)h->pages_written);
	render_filetime(h->last_written, when, sizeof(when));
	jo_str(&o, "last_written", h->last_written ? when : NULL);
	jo_int(&o, "keys_stamped", (int64_t)h->keys_stamped);
	jo_add(parent, "commit", o);
}

static struct json_object *
hive_json(const struct hp_hive_report *h)
{
	struct json_object *o = json_object_new_object();

	jo_str(&o, "kind", hp_hive_kind_name(h->kind));
	jo_str(&o, "path", h->where);
	if (h->read) {
		jo_bool(&o, "dirty", h->dirty);
		jo_add(&o, "sequence", uint_pair(h->seq[0], h->seq[1]));
	}
	jo_add(&o, "logs", jo_strings(h->logs, h->n_logs));
	jo_str(&o, "sha256", h->sha_read);
	add_opt_strings(&o, "logs_sha256", h->logs_sha, h->n_logs);
	jo_add(&o, "control_sets", jo_strings(h->control_sets,
	    h->n_control_sets));
	jo_str(&o, "sha256_before", h->sha_before);
	jo_str(&o, "sha256_after", h->sha_after);
	jo_str(&o, "backup", h->backup);
	jo_str(&o, "output", h->output);
	jo_str(&o, "sha256_output", h->sha_output);
	add_commit(&o, h);
	if (h->read)
		jo_add(&o, "recovery", recovery_json(&h->recovery, h->dirty,
		    h->seq, h->seq_after, h->logs_reset, h->n_logs_reset));
	else
		jo_null(&o, "recovery");
	return o;
}

struct json_object *
render_json_report(const struct hp_result *r)
{
	struct json_object *o = jo_doc(REPORT_SCHEMA), *a;
	size_t i, j;

	jo_str(&o, "command", r->command);
	jo_str(&o, "target", r->target);
	a = json_object_new_array();
	for (i = 0; i < r->n_hives; i++)
		jo_add(&a, NULL, hive_json(&r->hives[i]));
	jo_add(&o, "hives", a);
	/* "hive" is the first of "hives", kept from the one-hive schema. */
	if (r->n_hives > 0)
		jo_add(&o, "hive", hive_json(&r->hives[0]));
	else
		jo_null(&o, "hive");
	if (r->has_image)
		jo_add(&o, "image", render_json_windows(&r->image));
	else
		jo_null(&o, "image");
	jo_add(&o, "profiles", jo_strings(r->profiles, r->n_profiles));
	jo_str(&o, "auto_reason", r->auto_reason);
	jo_add(&o, "reg_files", jo_strings(r->reg_files, r->n_reg_files));
	jo_bool(&o, "dry_run", r->dry_run);
	a = json_object_new_array();
	for (i = 0; i < r->n_hives; i++)
		for (j = 0; j < r->hives[i].n_changes; j++)
			jo_add(&a, NULL, change_json(r,
			    &r->hives[i].changes[j]));
	jo_add(&o, "changes", a);
	jo_add(&o, "warnings", jo_strings(r->warnings, r->n_warnings));
	/* "backup" is the first hive's, kept from the one-hive schema. */
	jo_str(&o, "backup", r->n_hives > 0 ? r->hives[0].backup : NULL);
	jo_str(&o, "result", r->result);
	jo_outcome(&o, r->error, r->reason, r->exit_status);
	return o;
}

struct json_object *
render_json_failure(const char *command, const char *target,
		    const struct hp_err *e)
{
	struct hp_result r;

	memset(&r, 0, sizeof(r));
	r.command = (char *)command;
	r.target = (char *)target;
	r.error = (char *)e->msg;
	r.reason = e->reason;
	r.exit_status = e->status;
	return render_json_report(&r);
}

static struct json_object *
inspect_hives(const struct hp_inspect *r)
{
	struct json_object *a = json_object_new_array(), *x;
	size_t i;

	for (i = 0; i < r->n_hives; i++) {
		const struct hp_inspect_hive *h = &r->hives[i];

		x = json_object_new_object();
		jo_str(&x, "kind", hp_hive_kind_name(h->kind));
		jo_str(&x, "path", h->where);
		jo_bool(&x, "dirty", h->dirty);
		jo_add(&x, "recovery", recovery_json(&h->recovery, h->dirty,
		    h->seq, 0, NULL, 0));
		jo_str(&x, "current_control_set", h->current_control_set);
		jo_str(&x, "sha256", h->sha_read);
		jo_add(&x, "logs", jo_strings(h->logs, h->n_logs));
		add_opt_strings(&x, "logs_sha256", h->logs_sha, h->n_logs);
		jo_add(&a, NULL, x);
	}
	return a;
}

static struct json_object *
inspect_profiles(const struct hp_inspect *r)
{
	static const char *const states[] = { "compliant", "not compliant",
	    "not applicable" };
	struct json_object *a = json_object_new_array(), *x;
	size_t i;

	for (i = 0; i < r->n_profiles; i++) {
		const struct hp_inspect_profile *p = &r->profiles[i];

		x = json_object_new_object();
		jo_str(&x, "name", p->name);
		jo_str(&x, "description", p->description);
		jo_str(&x, "status", states[p->state]);
		jo_str(&x, "reason", p->reason);
		jo_bool(&x, "auto", p->chosen_by_auto);
		jo_add(&a, NULL, x);
	}
	return a;
}

static struct json_object *
inspect_values(const struct hp_inspect *r)
{
	struct json_object *a = json_object_new_array(), *x;
	size_t i;

	for (i = 0; i < r->n_values; i++) {
		const struct hp_inspect_value *v = &r->values[i];

		x = json_object_new_object();
		jo_str(&x, "key", v->key);
		jo_str(&x, "name", v->name);
		add_data(&x, "data", v->present ? &v->data : NULL);
		jo_str(&x, "profile", v->profile);
		jo_add(&a, NULL, x);
	}
	return a;
}

struct json_object *
render_json_inspect(const struct hp_inspect *r)
{
	struct json_object *o = jo_doc(INSPECT_SCHEMA), *x;
	char advice[512];

	jo_str(&o, "target", r->target);
	jo_add(&o, "hives", inspect_hives(r));
	/* A refused or failed inspection: what was read, and why not. */
	if (r->error != NULL) {
		jo_bool(&o, "ready", 0);
		jo_outcome(&o, r->error, r->reason, r->exit_status);
		return o;
	}
	jo_add(&o, "image", render_json_windows(&r->image));
	jo_add(&o, "values", inspect_values(r));
	jo_add(&o, "profiles", inspect_profiles(r));
	x = json_object_new_object();
	jo_add(&x, "profiles", jo_strings(r->auto_profiles,
	    r->n_auto_profiles));
	jo_str(&x, "reason", r->auto_reason);
	jo_add(&o, "auto", x);
	jo_add(&o, "warnings", jo_strings(r->warnings, r->n_warnings));
	jo_bool(&o, "ready", r->ready);
	render_advice(r, advice, sizeof(advice));
	jo_str(&o, "recommended", advice);
	jo_outcome(&o, NULL, HP_R_NONE, r->exit_status);
	return o;
}

static struct json_object *
backup_hives(const struct hp_backup_run *run)
{
	struct json_object *a = json_object_new_array(), *x;
	size_t i;

	for (i = 0; i < run->n_hives; i++) {
		const struct hp_backup_hive *h = &run->hives[i];

		x = json_object_new_object();
		jo_str(&x, "kind", hp_hive_kind_name(h->kind));
		jo_str(&x, "path", h->where);
		jo_str(&x, "sha256_before", h->sha256_before);
		jo_str(&x, "sha256_after", h->sha256_after);
		jo_str(&x, "backup", h->pages ? "pages" : "hive");
		jo_int(&x, "bytes", (int64_t)h->bytes);
		jo_add(&a, NULL, x);
	}
	return a;
}

/* The hives changed since their latest backup's run (when no run is
 * listed), and whether rollback --force puts that backup back. */
static struct json_object *
backups_changed(const struct hp_backups *r)
{
	struct json_object *a = json_object_new_array(), *x;
	size_t i;

	for (i = 0; i < r->n_changed; i++) {
		const struct hp_backup_changed *c = &r->changed[i];

		x = json_object_new_object();
		jo_str(&x, "kind", hp_hive_kind_name(c->kind));
		jo_str(&x, "path", c->where);
		jo_str(&x, "id", c->id);
		jo_str(&x, "time", c->time);
		jo_str(&x, "backup", c->pages ? "pages" : "hive");
		jo_bool(&x, "force_restores", !c->pages);
		jo_add(&a, NULL, x);
	}
	return a;
}

struct json_object *
render_json_backups(const struct hp_backups *r)
{
	struct json_object *o = jo_doc(BACKUPS_SCHEMA), *a, *x;
	size_t i;

	jo_str(&o, "target", r->target);
	jo_str(&o, "backup_dir", r->backup_root);
	a = json_object_new_array();
	for (i = 0; i < r->n_runs; i++) {
		const struct hp_backup_run *run = &r->runs[i];

		x = json_object_new_object();
		jo_str(&x, "id", run->id);
		jo_str(&x, "time", run->time);
		jo_str(&x, "command", run->command);
		jo_add(&x, "profiles", jo_strings(run->profiles,
		    run->n_profiles));
		jo_add(&x, "hives", backup_hives(run));
		jo_int(&x, "bytes", (int64_t)run->bytes);
		jo_int(&x, "step", run->step);
		jo_add(&a, NULL, x);
	}
	jo_add(&o, "backups", a);
	jo_add(&o, "changed", backups_changed(r));
	jo_outcome(&o, r->error, r->reason, r->exit_status);
	return o;
}

struct json_object *
render_json_export(const char *target, const struct hp_export_opts *opts,
		   const struct hp_export *r, const struct hp_err *e)
{
	struct json_object *o = jo_doc(EXPORT_SCHEMA);

	jo_str(&o, "target", target);
	jo_str(&o, "key", opts->key);
	jo_str(&o, "hive", r != NULL ? r->where : NULL);
	jo_str(&o, "output", opts->output);
	jo_str(&o, "encoding", opts->flags & HP_EXPORT_UTF16 ? "utf-16le" :
	    "utf-8");
	jo_add(&o, "notes", r != NULL ? jo_strings(r->notes, r->n_notes) :
	    json_object_new_array());
	jo_err_outcome(&o, e);
	return o;
}

static struct json_object *
rollback_files(const struct hp_rollback *r)
{
	struct json_object *a = json_object_new_array(), *x;
	size_t i;

	for (i = 0; i < r->n_files; i++) {
		const struct hp_rollback_file *f = &r->files[i];

		x = json_object_new_object();
		jo_str(&x, "path", f->where);
		jo_bool(&x, "log", f->is_log);
		jo_bool(&x, "written", f->written);
		jo_str(&x, "time", f->time);
		jo_str(&x, "sha256", f->sha256);
		jo_str(&x, "backup", f->backup);
		jo_add(&a, NULL, x);
	}
	return a;
}

struct json_object *
render_json_rollback(const struct hp_rollback *r,
		     const struct hp_rollback_opts *opts)
{
	struct json_object *o = jo_doc(ROLLBACK_SCHEMA);

	jo_str(&o, "target", r->target);
	jo_str(&o, "backup_dir", opts->backup_root);
	jo_str(&o, "to", opts->to);
	jo_bool(&o, "force", (opts->flags & HP_FORCE) != 0);
	jo_bool(&o, "checked", r->checked);
	jo_add(&o, "restored", rollback_files(r));
	jo_add(&o, "warnings", jo_strings(r->warnings, r->n_warnings));
	jo_outcome(&o, r->error, r->reason, r->exit_status);
	return o;
}

/* A profile of dir, or 'auto' (p NULL). */
static struct json_object *
profile_json(const char *dir, const struct hp_profile_info *p)
{
	struct json_object *o = json_object_new_object();
	char *file;

	jo_str(&o, "name", p != NULL ? p->name : HP_AUTO_PROFILE);
	jo_str(&o, "description", p != NULL ? p->description :
	    RENDER_AUTO_DESCRIPTION);
	if (p == NULL) {
		jo_null(&o, "file");
	} else if (asprintf(&file, "%s/%s.reg", dir, p->name) == -1) {
		jo_fail(&o);
	} else {
		jo_str(&o, "file", file);
		free(file);
	}
	return o;
}

struct json_object *
render_json_profiles(const char *dir, const struct hp_profile_info *list,
		     size_t n, const struct hp_err *e)
{
	struct json_object *o = jo_doc(PROFILES_SCHEMA), *a;
	size_t i;

	jo_str(&o, "profile_dir", dir);
	a = json_object_new_array();
	for (i = 0; i <= n && e == NULL; i++)
		jo_add(&a, NULL, profile_json(dir, i < n ? &list[i] : NULL));
	jo_add(&o, "profiles", a);
	jo_err_outcome(&o, e);
	return o;
}

struct json_object *
render_json_error(const char *command, const char *target,
		  const struct hp_err *e)
{
	union {
		struct hp_inspect inspect;
		struct hp_backups backups;
		struct hp_rollback rollback;
	} u;
	const struct hp_rollback_opts no_rollback = { 0 };
	const struct hp_export_opts no_export = { 0 };

	memset(&u, 0, sizeof(u));
	if (strcmp(command, "inspect") == 0) {
		u.inspect.target = (char *)target;
		u.inspect.error = (char *)e->msg;
		u.inspect.reason = e->reason;
		u.inspect.exit_status = e->status;
		return render_json_inspect(&u.inspect);
	}
	if (strcmp(command, "backups") == 0) {
		u.backups.target = (char *)target;
		u.backups.error = (char *)e->msg;
		u.backups.reason = e->reason;
		u.backups.exit_status = e->status;
		return render_json_backups(&u.backups);
	}
	if (strcmp(command, "rollback") == 0) {
		u.rollback.target = (char *)target;
		u.rollback.error = (char *)e->msg;
		u.rollback.reason = e->reason;
		u.rollback.exit_status = e->status;
		return render_json_rollback(&u.rollback, &no_rollback);
	}
	if (strcmp(command, "export") == 0)
		return render_json_export(target, &no_export, NULL, e);
	if (strcmp(command, "profiles") == 0)
		return render_json_profiles(NULL, NULL, 0, e);
	return render_json_failure(command, target, e);
}
