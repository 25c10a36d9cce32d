/* What a run did, for people (default) or for programs (--json, one JSON
 * document, schema "hivepatch-report/1", described in hivepatch(1)). */
#ifndef HIVEPATCH_REPORT_H
#define HIVEPATCH_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "detect.h"
#include "hive.h"
#include "hiveview.h"
#include "plan.h"

#define REPORT_MAX_WARNINGS 8

#define REPORT_MAX_HIVES 2

/* One hive a run read or wrote. */
struct report_hive {
	enum hive_kind kind;
	const char *path;
	const struct hive_view *view;	/* the file on disk (view->disk, once
					 * read) and how it was read */
	char *const *logs;
	size_t n_logs;
	char *const *control_sets;	/* what CurrentControlSet meant */
	size_t n_control_sets;
	int all_control_sets;		/* --all-control-sets chose them */
	const struct plan *plan;	/* NULL until planned */
	const char *backup_dir;		/* set when a backup was taken */
	const char *sha_before;
	const char *sha_after;
	long long seq_after;		/* of the file written; 0: not written */
	char *const *logs_reset;	/* the logs emptied after the commit */
	size_t n_logs_reset;
};

struct report {
	const char *command;		/* "apply", "verify", "import", "recover" */
	const char *target;
	struct report_hive hives[REPORT_MAX_HIVES];
	size_t n_hives;
	const struct image_info *image;	/* NULL until detected */
	const char *const *profiles;
	size_t n_profiles;
	const char *auto_reason;	/* why --profile auto chose them */
	const char *const *reg_files;
	size_t n_reg_files;
	int verify;			/* statuses read as compliance */
	int dry_run;
	const char *result;		/* one phrase: "changed", "already compliant", ... */
	const char *warnings[REPORT_MAX_WARNINGS];
	size_t n_warnings;
	int exit_status;
	const char *error;		/* the message when the run failed */
	enum hp_reason reason;		/* and why, as a stable code */
};

void report_warn(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void report_print_text(const struct report *r, FILE *out);
void report_print_json(const struct report *r, FILE *out);
void report_free(struct report *r);

/* Shared with inspect: data in .reg notation, the image line, and their
 * JSON forms. */
struct json_object;
void report_print_data(FILE *out, hive_type t, const unsigned char *data,
		       size_t len);
void report_print_image(const struct image_info *im, FILE *out);
struct json_object *report_json_data(hive_type t, const unsigned char *data,
				     size_t len);
struct json_object *report_json_image(const struct image_info *im);
struct json_object *report_json_strings(const char *const *items, size_t n);
struct json_object *report_json_opt_string(const char *s);

/* How a hive was read through its logs: a "replayed" line, and the
 * "recovery" object (seq_after: of the file written, 0 if none;
 * logs_reset: the logs emptied after the commit). */
void report_print_replay(const struct log_replay_report *rep, FILE *out);
struct json_object *report_json_recovery(const struct hive_view *v,
					 long long seq_after,
					 char *const *logs_reset,
					 size_t n_logs_reset);

/* The word a plan item's outcome is reported with ("added", "missing"...). */
const char *report_status(const struct report *r, const struct plan_item *it);

#endif
