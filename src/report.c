#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "regf.h"
#include "report.h"
#include "textconv.h"

#define REPORT_SCHEMA "hivepatch-report/1"

void
report_warn(struct report *r, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (r->n_warnings == REPORT_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg != NULL)
		r->warnings[r->n_warnings++] = msg;
}

void
report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->n_warnings; i++)
		free((char *)r->warnings[i]);
	r->n_warnings = 0;
}

static const char *const type_names[] = {
	"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
	"REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ",
	"REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTOR",
	"REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD",
};

static const char *
type_name(hive_type t)
{
	return (unsigned)t < sizeof(type_names) / sizeof(type_names[0]) ?
	    type_names[t] : "REG_UNKNOWN";
}

const char *
report_status(const struct report *r, const struct plan_item *it)
{
	switch (it->action) {
	case PLAN_SKIP:
		return "skipped";
	case PLAN_ALREADY:
		return r->verify ? "ok" : "already";
	case PLAN_ADD:
		return r->verify ? "missing" : "added";
	case PLAN_CHANGE:
		return r->verify ? "different" : "changed";
	case PLAN_DELETE:
		return r->verify ? "present" : "deleted";
	}
	return "unknown";
}

static char *
hex_string(const unsigned char *data, size_t len)
{
	char *s = malloc(len * 3 + 1), *p = s;
	size_t i;

	if (s == NULL)
		return NULL;
	*p = '\0';
	for (i = 0; i < len; i++)
		p += sprintf(p, i ? ",%02x" : "%02x", data[i]);
	return s;
}

/* Data in .reg notation, shortened for a terminal. */
void
report_print_data(FILE *out, hive_type t, const unsigned char *data, size_t len)
{
	char *s;

	if (t == hive_t_REG_DWORD && len == 4) {
		fprintf(out, "dword:%08" PRIx32, le32(data));
		return;
	}
	if (t == hive_t_REG_QWORD && len == 8) {
		fprintf(out, "qword:%016" PRIx64, le64(data));
		return;
	}
	if ((t == hive_t_REG_SZ || t == hive_t_REG_EXPAND_SZ) &&
	    (s = utf16le_to_utf8(data, len)) != NULL) {
		fprintf(out, "%s\"%s\"", t == hive_t_REG_EXPAND_SZ ? "expand:" : "", s);
		free(s);
		return;
	}
	s = hex_string(data, len > 16 ? 16 : len);
	if (t == hive_t_REG_BINARY)
		fprintf(out, "hex:%s%s", s ? s : "", len > 16 ? ",..." : "");
	else
		fprintf(out, "hex(%x):%s%s", (unsigned)t, s ? s : "",
		    len > 16 ? ",..." : "");
	free(s);
}

void
report_print_image(const struct image_info *im, FILE *out)
{
	fprintf(out, "image:    %s", im->product ? im->product : "unknown Windows");
	if (im->display_version)
		fprintf(out, " %s", im->display_version);
	if (im->build)
		fprintf(out, " (build %s)", im->build);
	if (im->from_software)
		fprintf(out, ", %s", im->is_64bit ? "64-bit" : "32-bit");
	if (im->has_release && im->dotnet4_version)
		fprintf(out, ", .NET Framework %s (Release %" PRIu32 ")",
		    im->dotnet4_version, im->release);
	else if (im->dotnet4_full)
		fprintf(out, ", .NET Framework 4.0 (no Release value)");
	else if (im->product != NULL)
		fprintf(out, ", no .NET Framework 4");
	if (im->dotnet35)
		fprintf(out, ", .NET Framework 3.5");
	if (im->processor_arch != NULL)
		fprintf(out, ", %s", im->processor_arch);
	fputc('\n', out);
}

static void
print_item(const struct report *r, const struct plan_item *it, FILE *out)
{
	const struct reg_op *op = it->op;

	const char *status = report_status(r, it);

	/* In a dry run nothing was done: say what would be. */
	if (r->dry_run && it->action == PLAN_ADD)
		status = "would add";
	else if (r->dry_run && it->action == PLAN_CHANGE)
		status = "would change";
	else if (r->dry_run && it->action == PLAN_DELETE)
		status = "would delete";
	fprintf(out, "  %-9s %s", status, it->display_key);
	switch (op->kind) {
	case REG_OP_CREATE_KEY:
		fprintf(out, " (key)");
		break;
	case REG_OP_DELETE_KEY:
		fprintf(out, " (key, to be absent)");
		break;
	case REG_OP_SET_VALUE:
	case REG_OP_DELETE_VALUE:
		fprintf(out, "  %s", *op->name ? op->name : "@");
		if (op->kind == REG_OP_SET_VALUE) {
			fputs(" = ", out);
			report_print_data(out, it->after_type, it->after, it->after_len);
		} else {
			fputs(" (to be absent)", out);
		}
		if (it->action == PLAN_CHANGE || it->action == PLAN_DELETE) {
			fputs(r->verify ? " (is " : " (was ", out);
			report_print_data(out, it->before_type, it->before, it->before_len);
			fputc(')', out);
		} else if (it->action == PLAN_ADD && !r->verify) {
			fputs(it->key_exists ? " (was absent)" :
			    " (was absent, key created)", out);
		}
		break;
	}
	if (it->action == PLAN_SKIP && it->skip_reason)
		fprintf(out, " (%s)", it->skip_reason);
	fputc('\n', out);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Logs emptied after a commit: what Windows will find beside the hive. */
static void
print_logs_reset(const struct report_hive *rh, FILE *out)
{
	size_t i;

	fputs("emptied: ", out);
	for (i = 0; i < rh->n_logs_reset; i++)
		fprintf(out, "%s%s", i ? ", " : " ", base_name(rh->logs_reset[i]));
	fprintf(out, " (the hive is written clean, sequence number %lld; the "
	    "old logs are in the backup)\n", rh->seq_after);
}

void
report_print_replay(const struct log_replay_report *rep, FILE *out)
{
	size_t i;

	fprintf(out, "  replayed  %s log", rep->format == LOG_FORMAT_OLD ?
	    "old-format" : "new-format");
	for (i = 0; i < rep->n_logs_used; i++)
		fprintf(out, "%s%s", i ? ", " : " ", rep->logs_used[i]);
	if (rep->format == LOG_FORMAT_OLD)
		fprintf(out, ": %u dirty pages", rep->pages_applied);
	else
		fprintf(out, ": %u entr%s, %u pages", rep->entries_applied,
		    rep->entries_applied == 1 ? "y" : "ies", rep->pages_applied);
	fprintf(out, " (sequence numbers %" PRIu32 "/%" PRIu32
	    "%s; recovered %" PRIu32 ")\n", rep->seq_before_primary,
	    rep->seq_before_secondary, rep->base_block_recovered ?
	    ", base block taken from the log" : "", rep->seq_after);
}

/* The hive file's base block as read, or NULL when it was not. */
static const struct hive_header *
disk_of(const struct report_hive *rh)
{
	return rh->view != NULL && rh->view->disk.major != 0 ?
	    &rh->view->disk : NULL;
}

static void
print_hive(const struct report *r, const struct report_hive *rh, FILE *out)
{
	size_t i;

	fprintf(out, "%-9s %s%s", hive_kind_name(rh->kind), rh->path,
	    disk_of(rh) != NULL && disk_of(rh)->dirty ? " (dirty)" : "");
	if (rh->all_control_sets)
		fprintf(out, " (all %zu control sets)", rh->n_control_sets);
	else if (rh->n_control_sets == 1)
		fprintf(out, " (CurrentControlSet is %s)", rh->control_sets[0]);
	fputc('\n', out);
	if (rh->view != NULL && rh->view->replayed)
		report_print_replay(&rh->view->replay, out);
	if (rh->plan != NULL)
		for (i = 0; i < rh->plan->n_items; i++) {
			const struct plan_item *it = &rh->plan->items[i];

			/* A [KEY] header says something only when the key
			 * is missing; the value lines say the rest.  JSON
			 * keeps every item. */
			if (it->op->kind == REG_OP_CREATE_KEY &&
			    (it->action == PLAN_ALREADY || it->action == PLAN_SKIP))
				continue;
			print_item(r, it, out);
		}
	if (rh->n_logs_reset > 0)
		print_logs_reset(rh, out);
	if (rh->backup_dir != NULL)
		fprintf(out, "backup:   %s\n", rh->backup_dir);
}

void
report_print_text(const struct report *r, FILE *out)
{
	size_t i;

	fprintf(out, "hivepatch %s%s: %s\n", r->command,
	    r->dry_run ? " (dry run)" : "", r->target);
	if (r->image != NULL)
		report_print_image(r->image, out);
	if (r->n_profiles > 0) {
		fputs("profiles:", out);
		for (i = 0; i < r->n_profiles; i++)
			fprintf(out, " %s", r->profiles[i]);
		fputc('\n', out);
	}
	if (r->auto_reason != NULL)
		fprintf(out, "auto:     %s\n", r->auto_reason);
	for (i = 0; i < r->n_reg_files; i++)
		fprintf(out, "reg file: %s\n", r->reg_files[i]);
	for (i = 0; i < r->n_hives; i++)
		print_hive(r, &r->hives[i], out);
	for (i = 0; i < r->n_warnings; i++)
		fprintf(out, "warning:  %s\n", r->warnings[i]);
	if (r->result != NULL)
		fprintf(out, "result:   %s\n", r->result);
}

struct json_object *
report_json_data(hive_type t, const unsigned char *data, size_t len)
{
	struct json_object *o = json_object_new_object(), *v = NULL;
	char *s;

	json_object_object_add(o, "type", json_object_new_string(type_name(t)));
	if (t == hive_t_REG_DWORD && len == 4) {
		v = json_object_new_int64(le32(data));
	} else if (t == hive_t_REG_QWORD && len == 8) {
		/* JSON numbers lose precision past 2^53: give a string too. */
		char buf[24];

		snprintf(buf, sizeof(buf), "%" PRIu64, le64(data));
		v = json_object_new_string(buf);
	} else if ((t == hive_t_REG_SZ || t == hive_t_REG_EXPAND_SZ) &&
	    (s = utf16le_to_utf8(data, len)) != NULL) {
		v = json_object_new_string(s);
		free(s);
	}
	if (v == NULL) {
		s = hex_string(data, len);
		json_object_object_add(o, "hex", json_object_new_string(s ? s : ""));
		free(s);
	} else {
		json_object_object_add(o, "data", v);
	}
	return o;
}

static const char *
op_name(enum reg_op_kind k)
{
	switch (k) {
	case REG_OP_CREATE_KEY:
		return "create_key";
	case REG_OP_DELETE_KEY:
		return "delete_key";
	case REG_OP_SET_VALUE:
		return "set_value";
	case REG_OP_DELETE_VALUE:
		return "delete_value";
	}
	return "unknown";
}

static struct json_object *
json_item(const struct report *r, const struct report_hive *rh,
	  const struct plan_item *it)
{
	struct json_object *o = json_object_new_object();
	const struct reg_op *op = it->op;
	int value_op = op->kind == REG_OP_SET_VALUE ||
	    op->kind == REG_OP_DELETE_VALUE;

	json_object_object_add(o, "hive",
	    json_object_new_string(hive_kind_name(rh->kind)));
	json_object_object_add(o, "key", json_object_new_string(it->display_key));
	json_object_object_add(o, "name", value_op ?
	    json_object_new_string(op->name) : NULL);
	json_object_object_add(o, "op", json_object_new_string(op_name(op->kind)));
	json_object_object_add(o, "status",
	    json_object_new_string(report_status(r, it)));
	json_object_object_add(o, "reason", it->skip_reason ?
	    json_object_new_string(it->skip_reason) : NULL);
	if (value_op) {
		json_object_object_add(o, "before", it->had_value ?
		    report_json_data(it->before_type, it->before, it->before_len) : NULL);
		json_object_object_add(o, "after", op->kind == REG_OP_SET_VALUE ?
		    report_json_data(it->after_type, it->after, it->after_len) :
		    NULL);
	}
	json_object_object_add(o, "source", json_object_new_string(op->file));
	json_object_object_add(o, "line", json_object_new_int((int)op->line));
	return o;
}

struct json_object *
report_json_strings(const char *const *items, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(items[i]));
	return a;
}

struct json_object *
report_json_opt_string(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

struct json_object *
report_json_image(const struct image_info *im)
{
	struct json_object *o = json_object_new_object(), *os, *net;

	os = json_object_new_object();
	json_object_object_add(os, "product", report_json_opt_string(im->product));
	json_object_object_add(os, "build", report_json_opt_string(im->build));
	json_object_object_add(os, "edition", report_json_opt_string(im->edition));
	json_object_object_add(os, "version", report_json_opt_string(im->display_version));
	json_object_object_add(o, "os", os);
	json_object_object_add(o, "arch", im->from_software ?
	    json_object_new_string(im->is_64bit ? "64-bit" : "32-bit") : NULL);
	net = NULL;
	if (im->dotnet4_full) {
		net = json_object_new_object();
		json_object_object_add(net, "version",
		    report_json_opt_string(im->dotnet4_version));
		json_object_object_add(net, "release", im->has_release ?
		    json_object_new_int64(im->release) : NULL);
	}
	json_object_object_add(o, "dotnet4", net);
	json_object_object_add(o, "dotnet35", json_object_new_boolean(im->dotnet35));
	json_object_object_add(o, "dotnet20", json_object_new_boolean(im->dotnet20));
	json_object_object_add(o, "processor_architecture",
	    report_json_opt_string(im->processor_arch));
	return o;
}

static struct json_object *
json_uint_pair(uint32_t a, uint32_t b)
{
	struct json_object *o = json_object_new_array();

	json_object_array_add(o, json_object_new_int64(a));
	json_object_array_add(o, json_object_new_int64(b));
	return o;
}

struct json_object *
report_json_recovery(const struct hive_view *v, long long seq_after,
		     char *const *logs_reset, size_t n_logs_reset)
{
	const struct log_replay_report *rep = &v->replay;
	struct json_object *o = json_object_new_object();
	const char *format = NULL;

	if (v->replayed)
		format = rep->format == LOG_FORMAT_OLD ? "old" : "new";
	json_object_object_add(o, "state",
	    json_object_new_string(v->disk.dirty ? "dirty" : "clean"));
	json_object_object_add(o, "replayed", json_object_new_boolean(v->replayed));
	json_object_object_add(o, "format", report_json_opt_string(format));
	json_object_object_add(o, "logs_used", report_json_strings(
	    (const char *const *)rep->logs_used, rep->n_logs_used));
	json_object_object_add(o, "entries_applied",
	    json_object_new_int64(rep->entries_applied));
	json_object_object_add(o, "pages_applied",
	    json_object_new_int64(rep->pages_applied));
	json_object_object_add(o, "sequence_before",
	    json_uint_pair(v->disk.seq_primary, v->disk.seq_secondary));
	json_object_object_add(o, "sequence_after", seq_after > 0 ?
	    json_object_new_int64(seq_after) : v->replayed ?
	    json_object_new_int64(rep->seq_after) : NULL);
	json_object_object_add(o, "base_block_recovered",
	    json_object_new_boolean(rep->base_block_recovered));
	json_object_object_add(o, "started_late",
	    json_object_new_boolean(rep->started_late));
	json_object_object_add(o, "stopped_early",
	    json_object_new_boolean(rep->stopped_early));
	json_object_object_add(o, "stop_reason", rep->stopped_early ?
	    json_object_new_string(rep->stop_reason) : NULL);
	json_object_object_add(o, "logs_reset", report_json_strings(
	    (const char *const *)logs_reset, n_logs_reset));
	return o;
}

static struct json_object *
json_hive(const struct report_hive *rh)
{
	const struct hive_header *disk = disk_of(rh);
	struct json_object *hive = json_object_new_object();

	json_object_object_add(hive, "kind",
	    json_object_new_string(hive_kind_name(rh->kind)));
	json_object_object_add(hive, "path", json_object_new_string(rh->path));
	if (disk != NULL) {
		json_object_object_add(hive, "dirty",
		    json_object_new_boolean(disk->dirty));
		json_object_object_add(hive, "sequence", json_uint_pair(
		    disk->seq_primary, disk->seq_secondary));
	}
	json_object_object_add(hive, "logs",
	    report_json_strings((const char *const *)rh->logs, rh->n_logs));
	json_object_object_add(hive, "control_sets",
	    report_json_strings((const char *const *)rh->control_sets, rh->n_control_sets));
	json_object_object_add(hive, "sha256_before", report_json_opt_string(rh->sha_before));
	json_object_object_add(hive, "sha256_after", report_json_opt_string(rh->sha_after));
	json_object_object_add(hive, "backup", report_json_opt_string(rh->backup_dir));
	json_object_object_add(hive, "recovery", disk != NULL ?
	    report_json_recovery(rh->view, rh->seq_after, rh->logs_reset,
	    rh->n_logs_reset) : NULL);
	return hive;
}

void
report_print_json(const struct report *r, FILE *out)
{
	struct json_object *o = json_object_new_object(), *hives, *a;
	size_t i, j;

	json_object_object_add(o, "schema", json_object_new_string(REPORT_SCHEMA));
	json_object_object_add(o, "tool_version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "command", json_object_new_string(r->command));
	json_object_object_add(o, "target", json_object_new_string(r->target));
	hives = json_object_new_array();
	for (i = 0; i < r->n_hives; i++)
		json_object_array_add(hives, json_hive(&r->hives[i]));
	json_object_object_add(o, "hives", hives);
	/* "hive" is the first of "hives", kept from the one-hive schema. */
	json_object_object_add(o, "hive", r->n_hives ? json_hive(&r->hives[0]) : NULL);
	json_object_object_add(o, "image", r->image ? report_json_image(r->image) : NULL);
	json_object_object_add(o, "profiles", report_json_strings(r->profiles, r->n_profiles));
	json_object_object_add(o, "auto_reason", report_json_opt_string(r->auto_reason));
	json_object_object_add(o, "reg_files", report_json_strings(r->reg_files, r->n_reg_files));
	json_object_object_add(o, "dry_run", json_object_new_boolean(r->dry_run));
	a = json_object_new_array();
	for (i = 0; i < r->n_hives; i++)
		for (j = 0; r->hives[i].plan != NULL && j < r->hives[i].plan->n_items; j++)
			json_object_array_add(a, json_item(r, &r->hives[i],
			    &r->hives[i].plan->items[j]));
	json_object_object_add(o, "changes", a);
	json_object_object_add(o, "warnings", report_json_strings(r->warnings, r->n_warnings));
	/* "backup" is the first hive's, kept from the one-hive schema. */
	json_object_object_add(o, "backup", r->n_hives ?
	    report_json_opt_string(r->hives[0].backup_dir) : NULL);
	json_object_object_add(o, "result", report_json_opt_string(r->result));
	json_object_object_add(o, "error", report_json_opt_string(r->error));
	json_object_object_add(o, "reason", r->error ?
	    json_object_new_string(hp_reason_name(r->reason)) : NULL);
	json_object_object_add(o, "exit_status", json_object_new_int(r->exit_status));
	fprintf(out, "%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
