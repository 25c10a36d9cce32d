/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reports for programs: one JSON document per run, schemas
 * "hivepatch-report/1", "hivepatch-inspect/1", "hivepatch-backups/1",
 * "hivepatch-export/1", "hivepatch-rollback/1" and
 * "hivepatch-profiles/1" (hivepatch(1)). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

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

static struct json_object *
opt_string(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *
strings(char *const *items, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(items[i]));
	return a;
}

static struct json_object *
uint_pair(uint32_t a, uint32_t b)
{
	struct json_object *o = json_object_new_array();

	json_object_array_add(o, json_object_new_int64(a));
	json_object_array_add(o, json_object_new_int64(b));
	return o;
}

static struct json_object *
data_json(const struct hp_data *d)
{
	struct json_object *o = json_object_new_object(), *v = NULL;

	json_object_object_add(o, "type", json_object_new_string(type_name(d->type)));
	if (d->type == 4 && d->len == 4) {
		v = json_object_new_int64((int64_t)render_le(d->bytes, 4));
	} else if (d->type == 11 && d->len == 8) {
		/* JSON numbers lose precision past 2^53: give a string. */
		char buf[24];

		snprintf(buf, sizeof(buf), "%" PRIu64, render_le(d->bytes, 8));
		v = json_object_new_string(buf);
	} else if ((d->type == 1 || d->type == 2) && d->text != NULL) {
		v = json_object_new_string(d->text);
	}
	if (v == NULL) {
		char *hex = malloc(d->len * 3 + 1), *p = hex;
		size_t i;

		for (i = 0; hex != NULL && i < d->len; i++)
			p += sprintf(p, i ? ",%02x" : "%02x", d->bytes[i]);
		if (hex != NULL)
			*p = '\0';
		json_object_object_add(o, "hex", json_object_new_string(hex ? hex : ""));
		free(hex);
	} else {
		json_object_object_add(o, "data", v);
	}
	return o;
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

	json_object_object_add(o, "hive",
	    json_object_new_string(hp_hive_kind_name(c->hive)));
	json_object_object_add(o, "key", json_object_new_string(c->key));
	json_object_object_add(o, "name", value_op ? opt_string(c->name) : NULL);
	json_object_object_add(o, "op", json_object_new_string(op_name(c->op)));
	json_object_object_add(o, "status",
	    json_object_new_string(render_status(c, r->verify)));
	json_object_object_add(o, "reason", opt_string(c->skip_reason));
	if (value_op) {
		json_object_object_add(o, "before", c->had_value ?
		    data_json(&c->before) : NULL);
		json_object_object_add(o, "after", c->op == HP_OP_SET_VALUE ?
		    data_json(&c->after) : NULL);
	}
	json_object_object_add(o, "source", json_object_new_string(c->source));
	json_object_object_add(o, "line", json_object_new_int((int)c->line));
	return o;
}

struct json_object *
render_json_windows(const struct hp_image *im)
{
	struct json_object *o = json_object_new_object(), *os, *net = NULL;

	os = json_object_new_object();
	json_object_object_add(os, "product", opt_string(im->product));
	json_object_object_add(os, "build", opt_string(im->build));
	json_object_object_add(os, "edition", opt_string(im->edition));
	json_object_object_add(os, "version", opt_string(im->display_version));
	json_object_object_add(o, "os", os);
	json_object_object_add(o, "arch", im->from_software ?
	    json_object_new_string(im->is_64bit ? "64-bit" : "32-bit") : NULL);
	if (im->dotnet4_full) {
		net = json_object_new_object();
		json_object_object_add(net, "version",
		    opt_string(im->dotnet4_version));
		json_object_object_add(net, "release", im->has_release ?
		    json_object_new_int64(im->release) : NULL);
	}
	json_object_object_add(o, "dotnet4", net);
	json_object_object_add(o, "dotnet35", json_object_new_boolean(im->dotnet35));
	json_object_object_add(o, "dotnet20", json_object_new_boolean(im->dotnet20));
	json_object_object_add(o, "processor_architecture",
	    opt_string(im->processor_arch));
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
	json_object_object_add(o, "state",
	    json_object_new_string(dirty ? "dirty" : "clean"));
	json_object_object_add(o, "replayed", json_object_new_boolean(rep->replayed));
	json_object_object_add(o, "format", opt_string(format));
	json_object_object_add(o, "logs_used", strings(rep->logs_used,
	    rep->n_logs_used));
	json_object_object_add(o, "entries_applied",
	    json_object_new_int64(rep->entries_applied));
	json_object_object_add(o, "pages_applied",
	    json_object_new_int64(rep->pages_applied));
	json_object_object_add(o, "sequence_before", uint_pair(seq[0], seq[1]));
	json_object_object_add(o, "sequence_after", seq_after > 0 ?
	    json_object_new_int64(seq_after) : rep->replayed ?
	    json_object_new_int64(rep->seq_after) : NULL);
	json_object_object_add(o, "base_block_recovered",
	    json_object_new_boolean(rep->base_block_recovered));
	json_object_object_add(o, "started_late",
	    json_object_new_boolean(rep->started_late));
	json_object_object_add(o, "stopped_early",
	    json_object_new_boolean(rep->stopped_early));
	json_object_object_add(o, "stop_reason", rep->stopped_early ?
	    json_object_new_string(rep->stop_reason) : NULL);
	json_object_object_add(o, "logs_reset", strings(logs_reset, n_reset));
	return o;
}

/* How the hive was written: null when it was not. */
static struct json_object *
commit_json(const struct hp_hive_report *h)
{
	struct json_object *o;
	char when[32];

	if (h->commit == HP_METHOD_NONE)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "method", json_object_new_string(
	    h->commit == HP_METHOD_LOGGED ? "logged" : "replace"));
	json_object_object_add(o, "log", opt_string(h->commit_log));
	json_object_object_add(o, "log_format", h->commit_log == NULL ? NULL :
	    json_object_new_string(h->commit_log_format == HP_LOG_OLD ? "old" :
	    "new"));
	json_object_object_add(o, "pages_written", h->commit == HP_METHOD_LOGGED ?
	    json_object_new_int64((int64_t)h->pages_written) : NULL);
	render_filetime(h->last_written, when, sizeof(when));
	json_object_object_add(o, "last_written", h->last_written ?
	    json_object_new_string(when) : NULL);
	json_object_object_add(o, "keys_stamped",
	    json_object_new_int64((int64_t)h->keys_stamped));
	return o;
}

static struct json_object *
hive_json(const struct hp_hive_report *h)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kind",
	    json_object_new_string(hp_hive_kind_name(h->kind)));
	json_object_object_add(o, "path", json_object_new_string(h->where));
	if (h->read) {
		json_object_object_add(o, "dirty", json_object_new_boolean(h->dirty));
		json_object_object_add(o, "sequence", uint_pair(h->seq[0], h->seq[1]));
	}
	json_object_object_add(o, "logs", strings(h->logs, h->n_logs));
	json_object_object_add(o, "sha256", opt_string(h->sha_read));
	json_object_object_add(o, "logs_sha256", h->logs_sha != NULL ?
	    strings(h->logs_sha, h->n_logs) : NULL);
	json_object_object_add(o, "control_sets", strings(h->control_sets,
	    h->n_control_sets));
	json_object_object_add(o, "sha256_before", opt_string(h->sha_before));
	json_object_object_add(o, "sha256_after", opt_string(h->sha_after));
	json_object_object_add(o, "backup", opt_string(h->backup));
	json_object_object_add(o, "output", opt_string(h->output));
	json_object_object_add(o, "sha256_output", opt_string(h->sha_output));
	json_object_object_add(o, "commit", commit_json(h));
	json_object_object_add(o, "recovery", h->read ? recovery_json(&h->recovery,
	    h->dirty, h->seq, h->seq_after, h->logs_reset, h->n_logs_reset) :
	    NULL);
	return o;
}

/* The code point of the well-formed UTF-8 character of n bytes at s
 * (its lead byte checked), or -1 when it is not one. */
static long
utf8_char(const unsigned char *s, size_t n)
{
	static const long least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	long cp = s[0] & (0x7f >> n);
	size_t i;

	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < least[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return -1;
	return cp;
}

/* json-c writes \u00XX for the C0 controls in strings, but DEL, the C1
 * controls, the line separators and the bidi controls as they are: those
 * that hp_escape_text escapes are written as \uXXXX too, which JSON reads
 * back as the same characters, so that no terminal obeys them either. */
static void
put_json_text(const char *text, FILE *out)
{
	const unsigned char *p = (const unsigned char *)text;
	char one[5];
	size_t n;
	long cp;

	for (; *p != '\0'; p += n) {
		n = *p == 0x7f ? 1 : *p >= 0xc2 && *p <= 0xdf ? 2 :
		    *p >= 0xe0 && *p <= 0xef ? 3 : *p >= 0xf0 && *p <= 0xf4 ?
		    4 : 0;
		cp = n > 1 ? utf8_char(p, n) : n == 1 ? 0x7f : -1;
		if (cp != -1) {
			memcpy(one, p, n);
			one[n] = '\0';
		}
		if (cp != -1 && cp <= 0xffff && !hp_text_is_plain(one)) {
			fprintf(out, "\\u%04lx", cp);
			continue;
		}
		/* Anything else, even a byte of broken UTF-8, as it is. */
		n = cp != -1 ? n : 1;
		fwrite(p, 1, n, out);
	}
}

void
render_json_print(struct json_object *o, FILE *out)
{
	put_json_text(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE), out);
	fputc('\n', out);
	json_object_put(o);
}

/* The error, its reason and the exit status close every document. */
static void
add_outcome(struct json_object *o, const char *error, enum hp_reason reason,
	    int status)
{
	json_object_object_add(o, "error", opt_string(error));
	json_object_object_add(o, "reason", error != NULL ?
	    json_object_new_string(hp_reason_name(reason)) : NULL);
	json_object_object_add(o, "exit_status", json_object_new_int(status));
}

void
render_json_report(const struct hp_result *r, FILE *out)
{
	struct json_object *o = json_object_new_object(), *hives, *a;
	size_t i, j;

	json_object_object_add(o, "schema", json_object_new_string(REPORT_SCHEMA));
	json_object_object_add(o, "tool_version",
	    json_object_new_string(hp_version()));
	json_object_object_add(o, "command", json_object_new_string(r->command));
	json_object_object_add(o, "target", opt_string(r->target));
	hives = json_object_new_array();
	for (i = 0; i < r->n_hives; i++)
		json_object_array_add(hives, hive_json(&r->hives[i]));
	json_object_object_add(o, "hives", hives);
	/* "hive" is the first of "hives", kept from the one-hive schema. */
	json_object_object_add(o, "hive", r->n_hives ? hive_json(&r->hives[0]) :
	    NULL);
	json_object_object_add(o, "image", r->has_image ?
	    render_json_windows(&r->image) : NULL);
	json_object_object_add(o, "profiles", strings(r->profiles, r->n_profiles));
	json_object_object_add(o, "auto_reason", opt_string(r->auto_reason));
	json_object_object_add(o, "reg_files", strings(r->reg_files,
	    r->n_reg_files));
	json_object_object_add(o, "dry_run", json_object_new_boolean(r->dry_run));
	a = json_object_new_array();
	for (i = 0; i < r->n_hives; i++)
		for (j = 0; j < r->hives[i].n_changes; j++)
			json_object_array_add(a, change_json(r,
			    &r->hives[i].changes[j]));
	json_object_object_add(o, "changes", a);
	json_object_object_add(o, "warnings", strings(r->warnings,
	    r->n_warnings));
	/* "backup" is the first hive's, kept from the one-hive schema. */
	json_object_object_add(o, "backup", r->n_hives ?
	    opt_string(r->hives[0].backup) : NULL);
	json_object_object_add(o, "result", opt_string(r->result));
	add_outcome(o, r->error, r->reason, r->exit_status);
	render_json_print(o, out);
}

void
render_json_failure(const char *command, const char *target,
		    const struct hp_err *e, FILE *out)
{
	struct hp_result r;

	memset(&r, 0, sizeof(r));
	r.command = (char *)command;
	r.target = (char *)target;
	r.error = (char *)e->msg;
	r.reason = e->reason;
	r.exit_status = e->status;
	render_json_report(&r, out);
}

static struct json_object *
inspect_hives(const struct hp_inspect *r)
{
	struct json_object *a = json_object_new_array(), *x;
	size_t i;

	for (i = 0; i < r->n_hives; i++) {
		const struct hp_inspect_hive *h = &r->hives[i];

		x = json_object_new_object();
		json_object_object_add(x, "kind",
		    json_object_new_string(hp_hive_kind_name(h->kind)));
		json_object_object_add(x, "path", json_object_new_string(h->where));
		json_object_object_add(x, "dirty", json_object_new_boolean(h->dirty));
		json_object_object_add(x, "recovery", recovery_json(&h->recovery,
		    h->dirty, h->seq, 0, NULL, 0));
		json_object_object_add(x, "current_control_set",
		    opt_string(h->current_control_set));
		json_object_object_add(x, "sha256", opt_string(h->sha_read));
		json_object_object_add(x, "logs", strings(h->logs, h->n_logs));
		json_object_object_add(x, "logs_sha256", h->logs_sha != NULL ?
		    strings(h->logs_sha, h->n_logs) : NULL);
		json_object_array_add(a, x);
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
		json_object_object_add(x, "name", json_object_new_string(p->name));
		json_object_object_add(x, "description",
		    json_object_new_string(p->description));
		json_object_object_add(x, "status",
		    json_object_new_string(states[p->state]));
		json_object_object_add(x, "reason", opt_string(p->reason));
		json_object_object_add(x, "auto",
		    json_object_new_boolean(p->chosen_by_auto));
		json_object_array_add(a, x);
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
		json_object_object_add(x, "key", json_object_new_string(v->key));
		json_object_object_add(x, "name", json_object_new_string(v->name));
		json_object_object_add(x, "data", v->present ? data_json(&v->data) :
		    NULL);
		json_object_object_add(x, "profile",
		    json_object_new_string(v->profile));
		json_object_array_add(a, x);
	}
	return a;
}

void
render_json_inspect(const struct hp_inspect *r, FILE *out)
{
	struct json_object *o = json_object_new_object(), *x;
	char advice[512];

	json_object_object_add(o, "schema", json_object_new_string(INSPECT_SCHEMA));
	json_object_object_add(o, "tool_version",
	    json_object_new_string(hp_version()));
	json_object_object_add(o, "target", opt_string(r->target));
	json_object_object_add(o, "hives", inspect_hives(r));
	/* A refused or failed inspection: what was read, and why not. */
	if (r->error != NULL) {
		json_object_object_add(o, "ready", json_object_new_boolean(0));
		add_outcome(o, r->error, r->reason, r->exit_status);
		render_json_print(o, out);
		return;
	}
	json_object_object_add(o, "image", render_json_windows(&r->image));
	json_object_object_add(o, "values", inspect_values(r));
	json_object_object_add(o, "profiles", inspect_profiles(r));
	x = json_object_new_object();
	json_object_object_add(x, "profiles", strings(r->auto_profiles,
	    r->n_auto_profiles));
	json_object_object_add(x, "reason", opt_string(r->auto_reason));
	json_object_object_add(o, "auto", x);
	json_object_object_add(o, "warnings", strings(r->warnings, r->n_warnings));
	json_object_object_add(o, "ready", json_object_new_boolean(r->ready));
	render_advice(r, advice, sizeof(advice));
	json_object_object_add(o, "recommended", json_object_new_string(advice));
	add_outcome(o, NULL, HP_R_NONE, r->exit_status);
	render_json_print(o, out);
}

static struct json_object *
backup_hives(const struct hp_backup_run *run)
{
	struct json_object *a = json_object_new_array(), *x;
	size_t i;

	for (i = 0; i < run->n_hives; i++) {
		const struct hp_backup_hive *h = &run->hives[i];

		x = json_object_new_object();
		json_object_object_add(x, "kind",
		    json_object_new_string(hp_hive_kind_name(h->kind)));
		json_object_object_add(x, "path", json_object_new_string(h->where));
		json_object_object_add(x, "sha256_before",
		    json_object_new_string(h->sha256_before));
		json_object_object_add(x, "sha256_after",
		    json_object_new_string(h->sha256_after));
		json_object_object_add(x, "backup",
		    json_object_new_string(h->pages ? "pages" : "hive"));
		json_object_object_add(x, "bytes",
		    json_object_new_int64((int64_t)h->bytes));
		json_object_array_add(a, x);
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
		json_object_object_add(x, "kind",
		    json_object_new_string(hp_hive_kind_name(c->kind)));
		json_object_object_add(x, "path", json_object_new_string(c->where));
		json_object_object_add(x, "id", json_object_new_string(c->id));
		json_object_object_add(x, "time", json_object_new_string(c->time));
		json_object_object_add(x, "backup",
		    json_object_new_string(c->pages ? "pages" : "hive"));
		json_object_object_add(x, "force_restores",
		    json_object_new_boolean(!c->pages));
		json_object_array_add(a, x);
	}
	return a;
}

void
render_json_backups(const struct hp_backups *r, FILE *out)
{
	struct json_object *o = json_object_new_object(), *a, *x;
	size_t i;

	json_object_object_add(o, "schema", json_object_new_string(BACKUPS_SCHEMA));
	json_object_object_add(o, "tool_version",
	    json_object_new_string(hp_version()));
	json_object_object_add(o, "target", opt_string(r->target));
	json_object_object_add(o, "backup_dir", opt_string(r->backup_root));
	a = json_object_new_array();
	for (i = 0; i < r->n_runs; i++) {
		const struct hp_backup_run *run = &r->runs[i];

		x = json_object_new_object();
		json_object_object_add(x, "id", json_object_new_string(run->id));
		json_object_object_add(x, "time", json_object_new_string(run->time));
		json_object_object_add(x, "command",
		    json_object_new_string(run->command));
		json_object_object_add(x, "profiles", strings(run->profiles,
		    run->n_profiles));
		json_object_object_add(x, "hives", backup_hives(run));
		json_object_object_add(x, "bytes",
		    json_object_new_int64((int64_t)run->bytes));
		json_object_object_add(x, "step", json_object_new_int64(run->step));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "backups", a);
	json_object_object_add(o, "changed", backups_changed(r));
	add_outcome(o, r->error, r->reason, r->exit_status);
	render_json_print(o, out);
}

/* The first members of every document: its schema, the version. */
static struct json_object *
new_doc(const char *schema)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "schema", json_object_new_string(schema));
	json_object_object_add(o, "tool_version",
	    json_object_new_string(hp_version()));
	return o;
}

void
render_json_export(const char *target, const struct hp_export_opts *opts,
		   const struct hp_export *r, const struct hp_err *e,
		   FILE *out)
{
	struct json_object *o = new_doc(EXPORT_SCHEMA);

	json_object_object_add(o, "target", opt_string(target));
	json_object_object_add(o, "key", opt_string(opts->key));
	json_object_object_add(o, "hive", opt_string(r != NULL ? r->where :
	    NULL));
	json_object_object_add(o, "output", opt_string(opts->output));
	json_object_object_add(o, "encoding", json_object_new_string(
	    opts->flags & HP_EXPORT_UTF16 ? "utf-16le" : "utf-8"));
	json_object_object_add(o, "notes", r != NULL ? strings(r->notes,
	    r->n_notes) : json_object_new_array());
	add_outcome(o, e != NULL ? e->msg : NULL, e != NULL ? e->reason :
	    HP_R_NONE, e != NULL ? (int)e->status : 0);
	render_json_print(o, out);
}

static struct json_object *
rollback_files(const struct hp_rollback *r)
{
	struct json_object *a = json_object_new_array(), *x;
	size_t i;

	for (i = 0; i < r->n_files; i++) {
		const struct hp_rollback_file *f = &r->files[i];

		x = json_object_new_object();
		json_object_object_add(x, "path", opt_string(f->where));
		json_object_object_add(x, "log", json_object_new_boolean(f->is_log));
		json_object_object_add(x, "written",
		    json_object_new_boolean(f->written));
		json_object_object_add(x, "time", opt_string(f->time));
		json_object_object_add(x, "sha256", opt_string(f->sha256));
		json_object_object_add(x, "backup", opt_string(f->backup));
		json_object_array_add(a, x);
	}
	return a;
}

void
render_json_rollback(const struct hp_rollback *r,
		     const struct hp_rollback_opts *opts, FILE *out)
{
	struct json_object *o = new_doc(ROLLBACK_SCHEMA);

	json_object_object_add(o, "target", opt_string(r->target));
	json_object_object_add(o, "backup_dir", opt_string(opts->backup_root));
	json_object_object_add(o, "to", opt_string(opts->to));
	json_object_object_add(o, "force",
	    json_object_new_boolean((opts->flags & HP_FORCE) != 0));
	json_object_object_add(o, "checked", json_object_new_boolean(r->checked));
	json_object_object_add(o, "restored", rollback_files(r));
	json_object_object_add(o, "warnings", strings(r->warnings,
	    r->n_warnings));
	add_outcome(o, r->error, r->reason, r->exit_status);
	render_json_print(o, out);
}

void
render_json_profiles(const char *dir, const struct hp_profile_info *list,
		     size_t n, const struct hp_err *e, FILE *out)
{
	struct json_object *o = new_doc(PROFILES_SCHEMA), *a, *x;
	char *file;
	size_t i;

	json_object_object_add(o, "profile_dir", opt_string(dir));
	a = json_object_new_array();
	for (i = 0; i <= n && e == NULL; i++) {
		x = json_object_new_object();
		json_object_object_add(x, "name", json_object_new_string(
		    i < n ? list[i].name : HP_AUTO_PROFILE));
		json_object_object_add(x, "description", json_object_new_string(
		    i < n ? list[i].description : RENDER_AUTO_DESCRIPTION));
		file = NULL;
		if (i < n && asprintf(&file, "%s/%s.reg", dir, list[i].name) == -1)
			file = NULL;
		json_object_object_add(x, "file", opt_string(file));
		free(file);
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "profiles", a);
	add_outcome(o, e != NULL ? e->msg : NULL, e != NULL ? e->reason :
	    HP_R_NONE, e != NULL ? (int)e->status : 0);
	render_json_print(o, out);
}

void
render_json_error(const char *command, const char *target,
		  const struct hp_err *e, FILE *out)
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
		render_json_inspect(&u.inspect, out);
	} else if (strcmp(command, "backups") == 0) {
		u.backups.target = (char *)target;
		u.backups.error = (char *)e->msg;
		u.backups.reason = e->reason;
		u.backups.exit_status = e->status;
		render_json_backups(&u.backups, out);
	} else if (strcmp(command, "rollback") == 0) {
		u.rollback.target = (char *)target;
		u.rollback.error = (char *)e->msg;
		u.rollback.reason = e->reason;
		u.rollback.exit_status = e->status;
		render_json_rollback(&u.rollback, &no_rollback, out);
	} else if (strcmp(command, "export") == 0) {
		render_json_export(target, &no_export, NULL, e, out);
	} else if (strcmp(command, "profiles") == 0) {
		render_json_profiles(NULL, NULL, 0, e, out);
	} else {
		render_json_failure(command, target, e, out);
	}
}
