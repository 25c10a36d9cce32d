/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The reports for people. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "render.h"

#define REG_SZ 1
#define REG_EXPAND_SZ 2
#define REG_BINARY 3
#define REG_DWORD 4
#define REG_QWORD 11

const char *
render_status(const struct hp_change *c, int verify)
{
	switch (c->action) {
	case HP_ACT_SKIP:
		return "skipped";
	case HP_ACT_ALREADY:
		return verify ? "ok" : "already";
	case HP_ACT_ADD:
		return verify ? "missing" : "added";
	case HP_ACT_CHANGE:
		return verify ? "different" : "changed";
	case HP_ACT_DELETE:
		return verify ? "present" : "deleted";
	}
	return "unknown";
}

/* Data in .reg notation, shortened for a terminal. */
static void
print_data(FILE *out, const struct hp_data *d)
{
	size_t i, n = d->len > 16 ? 16 : d->len;

	if (d->type == REG_DWORD && d->len == 4) {
		out_printf(out, "dword:%08" PRIx64, render_le(d->bytes, 4));
		return;
	}
	if (d->type == REG_QWORD && d->len == 8) {
		out_printf(out, "qword:%016" PRIx64, render_le(d->bytes, 8));
		return;
	}
	if ((d->type == REG_SZ || d->type == REG_EXPAND_SZ) && d->text != NULL) {
		out_printf(out, "%s\"%s\"", d->type == REG_EXPAND_SZ ? "expand:" : "",
		    d->text);
		return;
	}
	if (d->type == REG_BINARY)
		fputs("hex:", out);
	else
		out_printf(out, "hex(%x):", (unsigned)d->type);
	for (i = 0; i < n; i++)
		out_printf(out, i ? ",%02x" : "%02x", d->bytes[i]);
	if (d->len > 16)
		fputs(",...", out);
}

static void
print_image(const struct hp_image *im, FILE *out)
{
	out_printf(out, "image:    %s", im->product ? im->product : "unknown Windows");
	if (im->display_version)
		out_printf(out, " %s", im->display_version);
	if (im->build)
		out_printf(out, " (build %s)", im->build);
	if (im->from_software)
		out_printf(out, ", %s", im->is_64bit ? "64-bit" : "32-bit");
	if (im->has_release && im->dotnet4_version)
		out_printf(out, ", .NET Framework %s (Release %" PRIu32 ")",
		    im->dotnet4_version, im->release);
	else if (im->dotnet4_full)
		out_printf(out, ", .NET Framework 4.0 (no Release value)");
	else if (im->product != NULL)
		out_printf(out, ", no .NET Framework 4");
	if (im->dotnet35)
		out_printf(out, ", .NET Framework 3.5");
	if (im->processor_arch != NULL)
		out_printf(out, ", %s", im->processor_arch);
	fputc('\n', out);
}

static void
print_replay(const struct hp_recovery *rep, FILE *out)
{
	size_t i;

	out_printf(out, "  replayed  %s log", rep->format == HP_LOG_OLD ?
	    "old-format" : "new-format");
	for (i = 0; i < rep->n_logs_used; i++)
		out_printf(out, "%s%s", i ? ", " : " ", rep->logs_used[i]);
	if (rep->format == HP_LOG_OLD)
		out_printf(out, ": %u dirty pages", rep->pages_applied);
	else
		out_printf(out, ": %u entr%s, %u pages", rep->entries_applied,
		    rep->entries_applied == 1 ? "y" : "ies", rep->pages_applied);
	out_printf(out, " (sequence numbers %" PRIu32 "/%" PRIu32
	    "%s; recovered %" PRIu32 ")\n", rep->seq_before_primary,
	    rep->seq_before_secondary, rep->base_block_recovered ?
	    ", base block taken from the log" : "", rep->seq_after);
}

static void
print_change(const struct hp_result *r, const struct hp_change *c, FILE *out)
{
	const char *status = render_status(c, r->verify);

	/* In a dry run nothing was done: say what would be. */
	if (r->dry_run && c->action == HP_ACT_ADD)
		status = "would add";
	else if (r->dry_run && c->action == HP_ACT_CHANGE)
		status = "would change";
	else if (r->dry_run && c->action == HP_ACT_DELETE)
		status = "would delete";
	out_printf(out, "  %-9s %s", status, c->key);
	if (c->op == HP_OP_CREATE_KEY)
		out_printf(out, " (key)");
	else if (c->op == HP_OP_DELETE_KEY)
		out_printf(out, " (key, to be absent)");
	else {
		out_printf(out, "  %s", *c->name ? c->name : "@");
		if (c->op == HP_OP_SET_VALUE) {
			fputs(" = ", out);
			print_data(out, &c->after);
		} else {
			fputs(" (to be absent)", out);
		}
		if (c->action == HP_ACT_CHANGE || c->action == HP_ACT_DELETE) {
			fputs(r->verify ? " (is " : " (was ", out);
			print_data(out, &c->before);
			fputc(')', out);
		} else if (c->action == HP_ACT_ADD && !r->verify) {
			fputs(c->key_existed ? " (was absent)" :
			    " (was absent, key created)", out);
		}
	}
	if (c->action == HP_ACT_SKIP && c->skip_reason)
		out_printf(out, " (%s)", c->skip_reason);
	fputc('\n', out);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The LastWrite time the run gave, or that it kept the old ones. */
static void
print_times(const struct hp_hive_report *h, FILE *out)
{
	char when[32];

	if (h->last_written == 0) {
		fputs("times:    kept as they were (--keep-timestamps)\n", out);
		return;
	}
	render_filetime(h->last_written, when, sizeof(when));
	if (h->keys_stamped == 0)
		out_printf(out, "times:    %s, the hive's last written time\n", when);
	else
		out_printf(out, "times:    %s, the hive's and %zu key%s LastWrite\n",
		    when, h->keys_stamped, h->keys_stamped == 1 ? "'s" : "s'");
}

/* What -v adds about a hive as it was found: its state and sequence
 * numbers, the logs beside it, every control set mapped. */
static void
print_hive_found(const struct hp_hive_report *h, FILE *out)
{
	size_t i;

	if (h->read)
		out_printf(out, "  found     %s, sequence numbers %" PRIu32 "/%"
		    PRIu32 "\n", h->dirty ? "dirty" : "clean", h->seq[0],
		    h->seq[1]);
	out_printf(out, "  logs     %s", h->n_logs == 0 ? " none" : "");
	for (i = 0; i < h->n_logs; i++)
		out_printf(out, "%s%s", i ? ", " : " ", base_name(h->logs[i]));
	fputc('\n', out);
	if (h->n_control_sets > 1) {
		fputs("  sets     ", out);
		for (i = 0; i < h->n_control_sets; i++)
			out_printf(out, "%s%s", i ? ", " : " ",
			    h->control_sets[i]);
		fputc('\n', out);
	}
}

static void
print_hive(const struct hp_result *r, const struct hp_hive_report *h,
	   unsigned flags, FILE *out)
{
	int verbose = (flags & RENDER_VERBOSE) != 0;
	size_t i;

	out_printf(out, "%-9s %s%s", hp_hive_kind_name(h->kind),
	    h->where, h->read && h->dirty ? " (dirty)" : "");
	if (h->all_control_sets)
		out_printf(out, " (all %zu control sets)", h->n_control_sets);
	else if (h->n_control_sets == 1)
		out_printf(out, " (CurrentControlSet is %s)",
		    h->control_sets[0]);
	fputc('\n', out);
	if (verbose)
		print_hive_found(h, out);
	if (h->recovery.replayed)
		print_replay(&h->recovery, out);
	for (i = 0; i < h->n_changes; i++) {
		const struct hp_change *c = &h->changes[i];

		/* A [KEY] header says something only when the key is
		 * missing; the value lines say the rest (but to -v).  JSON
		 * keeps every item. */
		if (c->op == HP_OP_CREATE_KEY && !verbose &&
		    (c->action == HP_ACT_ALREADY || c->action == HP_ACT_SKIP))
			continue;
		print_change(r, c, out);
	}
	if (h->commit == HP_METHOD_LOGGED && h->sha_after != NULL)
		out_printf(out, "written:  in place through %s (%s format), %zu "
		    "page%s of 4 KiB\n", base_name(h->commit_log),
		    h->commit_log_format == HP_LOG_OLD ? "old" : "new",
		    h->pages_written, h->pages_written == 1 ? "" : "s");
	else if (h->commit == HP_METHOD_REPLACED && h->sha_after != NULL)
		fputs("written:  whole, as a new file in place of the old "
		    "one\n", out);
	if (h->sha_after != NULL)
		print_times(h, out);
	if (verbose && h->sha_before != NULL && h->sha_after != NULL)
		out_printf(out, "sha256:   %s before, %s after\n", h->sha_before,
		    h->sha_after);
	if (h->n_logs_reset > 0) {
		/* What Windows will find beside the hive. */
		fputs("emptied: ", out);
		for (i = 0; i < h->n_logs_reset; i++)
			out_printf(out, "%s%s", i ? ", " : " ",
			    base_name(h->logs_reset[i]));
		out_printf(out, " (the hive is written clean, sequence number %"
		    PRIu32 "; the old logs are in the backup)\n", h->seq_after);
	}
	if (h->backup != NULL)
		out_printf(out, "backup:   %s\n", h->backup);
	if (h->output != NULL)
		out_printf(out, "output:   %s (sha256 %s, read back whole)\n",
		    h->output, h->sha_output);
}

void
render_filetime(uint64_t ft, char *buf, size_t len)
{
	time_t t = (time_t)(ft / 10000000u) - (time_t)11644473600;
	struct tm tm;

	buf[0] = '\0';
	if (ft >= 11644473600ull * 10000000u && gmtime_r(&t, &tm) != NULL)
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
render_text_report(const struct hp_result *r, unsigned flags, FILE *out)
{
	size_t i;

	out_printf(out, "hivepatch %s%s: %s\n", r->command,
	    r->dry_run ? " (dry run)" : "", r->target);
	if (r->has_image)
		print_image(&r->image, out);
	if (r->n_profiles > 0) {
		fputs("profiles:", out);
		for (i = 0; i < r->n_profiles; i++)
			out_printf(out, " %s", r->profiles[i]);
		fputc('\n', out);
	}
	if (r->auto_reason != NULL)
		out_printf(out, "auto:     %s\n", r->auto_reason);
	for (i = 0; i < r->n_reg_files; i++)
		out_printf(out, "reg file: %s\n", r->reg_files[i]);
	for (i = 0; i < r->n_hives; i++)
		print_hive(r, &r->hives[i], flags, out);
	for (i = 0; i < r->n_warnings; i++)
		out_printf(out, "warning:  %s\n", r->warnings[i]);
	if (r->result != NULL)
		out_printf(out, "result:   %s\n", r->result);
}

void
render_advice(const struct hp_inspect *r, char *buf, size_t size)
{
	switch (r->advice) {
	case HP_ADVISE_BLOCKED:
		snprintf(buf, size, "none here: auto needs %s, which this target "
		    "cannot take (%s)%s", r->advice_profile, r->advice_reason,
		    r->has_system ? "" : "; give the Windows tree");
		break;
	case HP_ADVISE_NO_AUTO:
		snprintf(buf, size, "none that auto can choose (%.300s); pick "
		    "profiles by hand: hivepatch profiles", r->auto_reason);
		break;
	case HP_ADVISE_NONE_READY:
		snprintf(buf, size, "none: ready by --profile auto's rules "
		    "(hivepatch verify --profile auto %s checks it again)",
		    r->target);
		break;
	case HP_ADVISE_APPLY_AUTO:
		snprintf(buf, size, "hivepatch apply --profile auto %s", r->target);
		break;
	case HP_ADVISE_UPDATE:
		snprintf(buf, size, "install %s in the image first (%.300s); "
		    "then hivepatch apply --profile auto %s", r->advice_profile,
		    r->advice_reason, r->target);
		break;
	case HP_ADVISE_DIRTY:
		snprintf(buf, size, "none here: apply would refuse (%.300s); "
		    "give the hive with the logs Windows left beside it",
		    r->advice_reason);
		break;
	}
}

static const char *
profile_state(enum hp_profile_state s)
{
	return s == HP_PROFILE_COMPLIANT ? "compliant" :
	    s == HP_PROFILE_NOT_COMPLIANT ? "not compliant" : "not applicable";
}

/* The hives inspect read; -v: with their sequence numbers. */
static void
print_inspect_hives(const struct hp_inspect *r, int verbose, FILE *out)
{
	size_t i;

	for (i = 0; i < r->n_hives; i++) {
		const struct hp_inspect_hive *h = &r->hives[i];

		out_printf(out, "%-9s %s%s", hp_hive_kind_name(h->kind), h->where,
		    h->dirty ? " (dirty)" : "");
		if (h->current_control_set != NULL)
			out_printf(out, " (CurrentControlSet is %s)",
			    h->current_control_set);
		fputc('\n', out);
		if (verbose)
			out_printf(out, "  found     %s, sequence numbers %" PRIu32
			    "/%" PRIu32 "\n", h->dirty ? "dirty" : "clean",
			    h->seq[0], h->seq[1]);
		if (h->recovery.replayed)
			print_replay(&h->recovery, out);
	}
}

void
render_text_inspect(const struct hp_inspect *r, unsigned flags, FILE *out)
{
	const struct hp_image *im = &r->image;
	int verbose = (flags & RENDER_VERBOSE) != 0;
	char advice[512];
	size_t i;

	out_printf(out, "hivepatch inspect: %s\n", r->target);
	print_inspect_hives(r, verbose, out);
	print_image(im, out);
	if (im->edition != NULL)
		out_printf(out, "edition:  %s\n", im->edition);
	out_printf(out, ".NET:     4.x %s, 3.5 %s, 2.0 %s\n",
	    im->dotnet4_version ? im->dotnet4_version : "absent",
	    im->dotnet35 ? "installed" : "absent",
	    im->dotnet20 ? "installed" : "absent");
	fputs("values:\n", out);
	for (i = 0; i < r->n_values; i++) {
		const struct hp_inspect_value *v = &r->values[i];

		out_printf(out, "  %s  %s = ", v->key, v->name);
		if (v->present)
			print_data(out, &v->data);
		else
			fputs("absent", out);
		out_printf(out, "  [%s]\n", v->profile);
	}
	fputs("profiles:\n", out);
	for (i = 0; i < r->n_profiles; i++) {
		const struct hp_inspect_profile *p = &r->profiles[i];

		out_printf(out, "  %-22s %s%s%s%s%s\n", p->name,
		    profile_state(p->state), p->reason ? " (" : "",
		    p->reason ? p->reason : "", p->reason ? ")" : "",
		    p->chosen_by_auto ? " [auto]" : "");
		if (verbose && p->description != NULL &&
		    p->description[0] != '\0')
			out_printf(out, "  %-22s %s\n", "", p->description);
	}
	if (r->auto_ok)
		out_printf(out, "auto:     %s\n", r->auto_reason);
	for (i = 0; i < r->n_warnings; i++)
		out_printf(out, "warning:  %s\n", r->warnings[i]);
	out_printf(out, "ready:    %s\n", r->ready ? "yes" : "no");
	render_advice(r, advice, sizeof(advice));
	out_printf(out, "command:  %s\n", advice);
}

void
render_text_rollback(const struct hp_rollback *r, FILE *out)
{
	size_t i;

	for (i = 0; i < r->n_warnings; i++)
		out_printf(stderr, "hivepatch: warning: %s\n", r->warnings[i]);
	if (!r->checked)
		return;
	out_printf(out, "hivepatch rollback: %s\n", r->target);
	for (i = 0; i < r->n_files; i++) {
		const struct hp_rollback_file *f = &r->files[i];

		if (f->is_log)
			out_printf(out, "%s: restored as it was before the run of %s\n",
			    f->where, f->time);
		else if (!f->written)
			out_printf(out, "%s: already holds the backup of %s: nothing "
			    "written\n", f->where, f->time);
		else
			out_printf(out, "%s: restored as it was before the run of %s "
			    "(sha256 %s)\nbackup:   %s\n", f->where, f->time,
			    f->sha256, f->backup);
	}
}

/* Appends s to the text in buf (of len bytes, at *at), after a comma
 * unless it is the first; what does not fit is left out. */
static void
append_item(char *buf, size_t len, size_t *at, const char *s)
{
	int n = snprintf(buf + *at, len - *at, "%s%s", *at ? "," : "", s);

	if (n > 0 && (size_t)n < len - *at)
		*at += (size_t)n;
}

/* A hive of a run as the table names it: its kind, else (a bare file)
 * its file name. */
static const char *
backup_hive_name(const struct hp_backup_hive *h)
{
	const char *slash = strrchr(h->where, '/');

	if (h->kind != HP_HIVE_UNKNOWN)
		return hp_hive_kind_name(h->kind);
	return slash != NULL ? slash + 1 : h->where;
}

/* What -v adds under a run's row: each hive's hashes and its backup. */
static void
backup_row_hives(const struct hp_backup_run *run, FILE *out)
{
	size_t i;

	for (i = 0; i < run->n_hives; i++) {
		const struct hp_backup_hive *h = &run->hives[i];

		out_printf(out, "      %-10s sha256 %s before, %s after; %s, %"
		    PRIu64 " bytes\n", backup_hive_name(h), h->sha256_before,
		    h->sha256_after, h->pages ? "pages" : "whole hive",
		    h->bytes);
	}
}

static void
backup_row(const struct hp_backup_run *run, int id_width, FILE *out)
{
	char hives[128], profiles[256];
	size_t i, at = 0;

	hives[0] = profiles[0] = '\0';
	for (i = 0; i < run->n_hives; i++)
		append_item(hives, sizeof(hives), &at, backup_hive_name(
		    &run->hives[i]));
	for (i = at = 0; i < run->n_profiles; i++)
		append_item(profiles, sizeof(profiles), &at, run->profiles[i]);
	out_printf(out, "%-4u  %-*s  %-20s  %-8s  %10" PRIu64 "  %-16s  %s\n",
	    run->step, id_width, run->id, run->time,
	    run->command[0] ? run->command : "-", run->bytes, hives,
	    profiles[0] ? profiles : "-");
}

/* Whether the path of run `run`'s hive `hive` was named by a hive
 * before it (in an earlier row, or earlier in its own). */
static int
path_named_before(const struct hp_backups *r, size_t run, size_t hive)
{
	const char *where = r->runs[run].hives[hive].where;
	size_t i, j;

	for (i = 0; i <= run; i++)
		for (j = 0; j < (i < run ? r->runs[i].n_hives : hive); j++)
			if (strcmp(r->runs[i].hives[j].where, where) == 0)
				return 1;
	return 0;
}

/* Each hive the table names, once, with its path in the target. */
static void
backup_paths(const struct hp_backups *r, FILE *out)
{
	size_t i, j;

	for (i = 0; i < r->n_runs; i++)
		for (j = 0; j < r->runs[i].n_hives; j++)
			if (!path_named_before(r, i, j))
				out_printf(out, "%-10s %s\n", backup_hive_name(
				    &r->runs[i].hives[j]), r->runs[i].hives[j].where);
}

/* No run undoes what the hives hold: why rollback refuses the latest
 * backup of each hive changed since its run. */
static void
backup_changed(const struct hp_backups *r, FILE *out)
{
	size_t i;

	out_printf(out, "no backups that undo what the hives hold now\n");
	for (i = 0; i < r->n_changed; i++) {
		const struct hp_backup_changed *c = &r->changed[i];
		const struct hp_backup_hive h = { .kind = c->kind,
		    .where = c->where };

		out_printf(out, "%-10s %s: changed since run %s (%s) wrote it",
		    backup_hive_name(&h), c->where, c->id, c->time);
		if (c->pages)
			out_printf(out, ", and that run kept only the pages it "
			    "overwrote: rollback cannot undo it, even with "
			    "--force\n");
		else
			out_printf(out, ": rollback undoes that run only with "
			    "--force, losing what changed since\n");
	}
}

void
render_text_backups(const struct hp_backups *r, unsigned flags, FILE *out)
{
	int id_width = 2;
	size_t i;

	out_printf(out, "hivepatch backups: %s (backups under %s)\n", r->target,
	    r->backup_root);
	if (r->n_runs == 0 && r->n_changed == 0) {
		out_printf(out, "no backups: nothing that rollback could "
		    "undo\n");
		return;
	}
	if (r->n_runs == 0) {
		backup_changed(r, out);
		return;
	}
	for (i = 0; i < r->n_runs; i++)
		if ((int)strlen(r->runs[i].id) > id_width)
			id_width = (int)strlen(r->runs[i].id);
	out_printf(out, "%-4s  %-*s  %-20s  %-8s  %10s  %-16s  %s\n", "step",
	    id_width, "id", "time", "command", "bytes", "hives", "profiles");
	for (i = 0; i < r->n_runs; i++) {
		backup_row(&r->runs[i], id_width, out);
		if (flags & RENDER_VERBOSE)
			backup_row_hives(&r->runs[i], out);
	}
	backup_paths(r, out);
}

void
render_text_profiles(const char *dir, const struct hp_profile_info *list,
		     size_t n, unsigned flags, FILE *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out_printf(out, "%-24s %s\n", list[i].name,
		    list[i].description);
		if (flags & RENDER_VERBOSE)
			out_printf(out, "%-24s %s/%s.reg\n", "", dir,
			    list[i].name);
	}
	out_printf(out, "%-24s %s\n", HP_AUTO_PROFILE, RENDER_AUTO_DESCRIPTION);
}
