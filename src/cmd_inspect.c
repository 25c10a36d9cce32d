/* inspect: is this image TLS 1.2 ready, and why not?  Reads the SOFTWARE
 * and SYSTEM hives, judges every profile against them and writes
 * nothing. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "autoprofile.h"
#include "cli.h"
#include "detect.h"
#include "hive.h"
#include "hiveview.h"
#include "plan.h"
#include "profile.h"
#include "regfile.h"
#include "report.h"
#include "target.h"

#define INSPECT_SCHEMA "hivepatch-inspect/1"

struct inspect_hive {
	enum hive_kind kind;
	struct hp_target target;
	struct hive_view view;	/* as Windows would load it */
	hive_h *h;
	char **control_sets;	/* CurrentControlSet, when Select is sound */
	size_t n_control_sets;
	char select_problem[256];
};

struct inspect_profile {
	struct profile p;
	struct reg_doc doc;
	const struct reg_op **ops;
	struct plan plans[2];	/* per hive, in the order of inspect.hives */
	const char *status;	/* "compliant", "not compliant", "not applicable" */
	char reason[256];
	int unmet;
	int chosen_by_auto;
};

struct inspect {
	const char *target;
	int no_recover;		/* read a dirty hive's primary file alone */
	struct inspect_hive hives[2];
	size_t n_hives;
	struct image_info image;
	struct inspect_profile *profiles;
	size_t n_profiles;
	const char *auto_names[AUTO_MAX];
	size_t n_auto;
	char auto_why[256];
	struct hp_err auto_err;
	int auto_ok;
	int ready;
	char recommended[512];
	const char *warnings[4];
	size_t n_warnings;
};

static struct inspect_hive *
hive_of(struct inspect *in, enum hive_kind kind)
{
	size_t i;

	for (i = 0; i < in->n_hives; i++)
		if (in->hives[i].kind == kind)
			return &in->hives[i];
	return NULL;
}

static int
open_hive(struct inspect *in, const char *name, int required,
	  struct hp_err *e)
{
	struct inspect_hive *ih = &in->hives[in->n_hives];
	struct hp_err missing;
	char why[160];

	memset(ih, 0, sizeof(*ih));
	ih->view.memfd = -1;
	if (target_resolve(in->target, name, &ih->target,
	    required ? e : &missing) == -1)
		return required ? -1 : 0;
	in->n_hives++;
	/* What it is looked up as, until its contents say otherwise. */
	ih->kind = strcmp(name, "SYSTEM") == 0 ? HIVE_SYSTEM : HIVE_SOFTWARE;
	if (cli_view_for_reading(&ih->target, in->no_recover, &ih->view,
	    e) == -1)
		return -1;
	if ((ih->h = hive_view_hivex(&ih->view, 0, e)) == NULL)
		return -1;
	ih->kind = hive_classify(ih->h, &ih->view.hdr, why, sizeof(why));
	if (ih->kind != HIVE_SOFTWARE && ih->kind != HIVE_SYSTEM)
		return hp_err_set(e, HP_R_WRONG_KIND,
		    "%s: neither a SOFTWARE nor a SYSTEM hive (%s)",
		    ih->target.hive_path, why);
	if (ih->view.disk.dirty && !ih->view.replayed && in->n_warnings < 4)
		in->warnings[in->n_warnings++] = ih->kind == HIVE_SOFTWARE ?
		    "the SOFTWARE hive is dirty: read from the primary file "
		    "(--no-recover), which may be stale" : "the SYSTEM hive is "
		    "dirty: read from the primary file (--no-recover), which may "
		    "be stale";
	if (ih->view.caveat[0] != '\0' && in->n_warnings < 4)
		in->warnings[in->n_warnings++] = ih->view.caveat;
	if (ih->kind == HIVE_SYSTEM) {
		struct hp_err sel;

		/* A bad Select makes the Schannel profile not applicable,
		 * not the whole inspection fail. */
		if (detect_control_sets(ih->h, 0, &ih->control_sets,
		    &ih->n_control_sets, ih->target.hive_path, &sel) == -1)
			snprintf(ih->select_problem, sizeof(ih->select_problem),
			    "%.250s", sel.msg);
	}
	return 0;
}

static int
open_target(struct inspect *in, struct hp_err *e)
{
	struct stat st;

	if (stat(in->target, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (open_hive(in, "SOFTWARE", 1, e) == -1 ||
		    open_hive(in, "SYSTEM", 0, e) == -1)
			return -1;
	} else if (open_hive(in, "SOFTWARE", 1, e) == -1) {
		return -1;
	}
	detect_image(hive_of(in, HIVE_SOFTWARE) ?
	    hive_of(in, HIVE_SOFTWARE)->h : NULL, &in->image);
	detect_system(hive_of(in, HIVE_SYSTEM) ?
	    hive_of(in, HIVE_SYSTEM)->h : NULL, &in->image);
	return 0;
}

static int
load_profile(struct inspect_profile *ip, const struct profile *p,
	     struct hp_err *e)
{
	size_t i;

	ip->p = *p;
	if (reg_parse_file(p->path, &ip->doc, e) == -1)
		return -1;
	ip->ops = calloc(ip->doc.n_ops ? ip->doc.n_ops : 1, sizeof(*ip->ops));
	if (ip->ops == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < ip->doc.n_ops; i++)
		ip->ops[i] = &ip->doc.ops[i];
	return 0;
}

/* Not applicable, and why; NULL when it applies. */
static const char *
not_applicable(struct inspect *in, struct inspect_profile *ip, char *buf,
	       size_t len)
{
	const struct image_info *im = &in->image;
	enum hive_kind kind;
	const char *rel;
	size_t i;

	for (i = 0; i < ip->doc.n_ops; i++) {
		struct inspect_hive *ih;

		if (op_hive(ip->ops[i], &kind, &rel, NULL) == -1)
			return "a key outside HKLM\\SOFTWARE and HKLM\\SYSTEM";
		ih = hive_of(in, kind);
		if (ih == NULL) {
			snprintf(buf, len, "no %s hive in the target",
			    hive_kind_name(kind));
			return buf;
		}
		if (kind == HIVE_SYSTEM && op_uses_current_control_set(ip->ops[i]) &&
		    ih->n_control_sets == 0) {
			snprintf(buf, len, "%s", ih->select_problem);
			return buf;
		}
	}
	if (ip->p.requires_dotnet45 && !image_has_dotnet45(im))
		return im->dotnet4_full ? ".NET Framework 4.0 only; the values "
		    "need 4.5 or later" : "no .NET Framework 4.5 or later";
	if (ip->p.requires_dotnet35 && !im->dotnet35)
		return "no .NET Framework 3.5";
	return NULL;
}

static int
judge_profile(struct inspect *in, struct inspect_profile *ip,
	      struct hp_err *e)
{
	const char *na;
	size_t i;

	na = not_applicable(in, ip, ip->reason, sizeof(ip->reason));
	if (na != NULL) {
		if (na != ip->reason)
			snprintf(ip->reason, sizeof(ip->reason), "%s", na);
		ip->status = "not applicable";
		return 0;
	}
	for (i = 0; i < in->n_hives; i++) {
		struct inspect_hive *ih = &in->hives[i];
		struct map_ctx ctx = { ih->kind, in->image.is_64bit,
		    ih->control_sets, ih->n_control_sets };
		int unmet;

		if (plan_map(ip->ops, ip->doc.n_ops, &ctx, &ip->plans[i], e) == -1)
			return -1;
		unmet = plan_count_unmet(ih->h, &ip->plans[i], e);
		if (unmet == -1)
			return -1;
		ip->unmet += unmet;
	}
	ip->status = ip->unmet ? "not compliant" : "compliant";
	if (ip->unmet)
		snprintf(ip->reason, sizeof(ip->reason),
		    "%d of its keys and values missing or different", ip->unmet);
	return 0;
}

static int
judge_all(struct inspect *in, struct hp_err *e)
{
	const struct inspect_profile *blocked = NULL;
	struct profile *list;
	size_t i, j, n;

	if (profile_list(&list, &n, e) == -1)
		return -1;
	in->profiles = calloc(n ? n : 1, sizeof(*in->profiles));
	if (in->profiles == NULL) {
		profile_list_free(list, n);
		return hp_err_nomem(e);
	}
	/* The profiles take over the strings of the list. */
	for (i = 0; i < n; i++) {
		if (load_profile(&in->profiles[i], &list[i], e) == -1) {
			for (j = i + 1; j < n; j++)
				profile_free(&list[j]);
			in->n_profiles = i + 1;
			free(list);
			return -1;
		}
		in->n_profiles = i + 1;
	}
	free(list);

	in->auto_ok = auto_choose(&in->image, in->auto_names, &in->n_auto,
	    in->auto_why, sizeof(in->auto_why), &in->auto_err) == 0;
	in->ready = in->auto_ok;
	for (i = 0; i < in->n_profiles; i++) {
		struct inspect_profile *ip = &in->profiles[i];

		if (judge_profile(in, ip, e) == -1)
			return -1;
		for (j = 0; j < in->n_auto; j++)
			if (strcmp(in->auto_names[j], ip->p.name) == 0)
				ip->chosen_by_auto = 1;
		if (ip->chosen_by_auto && strcmp(ip->status, "compliant") != 0)
			in->ready = 0;
		/* auto wants it but this target cannot take it (no SYSTEM
		 * hive, a bad Select): apply would be refused. */
		if (ip->chosen_by_auto && blocked == NULL &&
		    strcmp(ip->status, "not applicable") == 0)
			blocked = ip;
	}
	if (blocked != NULL)
		snprintf(in->recommended, sizeof(in->recommended),
		    "none here: auto needs %s, which this target cannot take "
		    "(%s)%s", blocked->p.name, blocked->reason,
		    hive_of(in, HIVE_SYSTEM) ? "" : "; give the Windows tree");
	else if (!in->auto_ok)
		snprintf(in->recommended, sizeof(in->recommended),
		    "none that auto can choose (%.300s); pick profiles by hand: "
		    "hivepatch profiles", in->auto_err.msg);
	else if (in->ready)
		snprintf(in->recommended, sizeof(in->recommended),
		    "none: ready by --profile auto's rules (hivepatch verify "
		    "--profile auto %s checks it again)", in->target);
	else
		snprintf(in->recommended, sizeof(in->recommended),
		    "hivepatch apply --profile auto %s", in->target);
	return 0;
}

/* The values the profiles touch, each once, with what the image holds. */
struct seen {
	const char *key, *name;
};

static int
seen_before(struct seen *seen, size_t n, const struct plan_item *it)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(seen[i].key, it->display_key) == 0 &&
		    strcasecmp(seen[i].name, it->op->name) == 0)
			return 1;
	return 0;
}

/* Calls fn for every distinct value item of the applicable profiles. */
static void
each_value(struct inspect *in,
	   void (*fn)(const struct plan_item *, const char *profile, void *),
	   void *arg)
{
	struct seen *seen;
	size_t cap = 0, n = 0, i, h, k;

	for (i = 0; i < in->n_profiles; i++)
		for (h = 0; h < 2; h++)
			cap += in->profiles[i].plans[h].n_items;
	seen = calloc(cap ? cap : 1, sizeof(*seen));
	if (seen == NULL)
		return;
	for (i = 0; i < in->n_profiles; i++)
		for (h = 0; h < 2; h++)
			for (k = 0; k < in->profiles[i].plans[h].n_items; k++) {
				const struct plan_item *it =
				    &in->profiles[i].plans[h].items[k];

				if (it->op->kind != REG_OP_SET_VALUE ||
				    it->action == PLAN_SKIP ||
				    seen_before(seen, n, it))
					continue;
				seen[n].key = it->display_key;
				seen[n].name = it->op->name;
				n++;
				fn(it, in->profiles[i].p.name, arg);
			}
	free(seen);
}

static void
print_value(const struct plan_item *it, const char *profile, void *arg)
{
	FILE *out = arg;

	fprintf(out, "  %s  %s = ", it->display_key, it->op->name);
	if (it->had_value)
		report_print_data(out, it->before_type, it->before,
		    it->before_len);
	else
		fputs("absent", out);
	fprintf(out, "  [%s]\n", profile);
}

static void
print_text(struct inspect *in, FILE *out)
{
	const struct image_info *im = &in->image;
	size_t i;

	fprintf(out, "hivepatch inspect: %s\n", in->target);
	for (i = 0; i < in->n_hives; i++) {
		fprintf(out, "%-9s %s%s", hive_kind_name(in->hives[i].kind),
		    in->hives[i].target.hive_path,
		    in->hives[i].view.disk.dirty ? " (dirty)" : "");
		if (in->hives[i].n_control_sets == 1)
			fprintf(out, " (CurrentControlSet is %s)",
			    in->hives[i].control_sets[0]);
		fputc('\n', out);
		if (in->hives[i].view.replayed)
			report_print_replay(&in->hives[i].view.replay, out);
	}
	report_print_image(im, out);
	if (im->edition != NULL)
		fprintf(out, "edition:  %s\n", im->edition);
	fprintf(out, ".NET:     4.x %s, 3.5 %s, 2.0 %s\n",
	    im->dotnet4_version ? im->dotnet4_version : "absent",
	    im->dotnet35 ? "installed" : "absent",
	    im->dotnet20 ? "installed" : "absent");
	fputs("values:\n", out);
	each_value(in, print_value, out);
	fputs("profiles:\n", out);
	for (i = 0; i < in->n_profiles; i++) {
		const struct inspect_profile *ip = &in->profiles[i];

		fprintf(out, "  %-22s %s%s%s%s%s\n", ip->p.name, ip->status,
		    *ip->reason ? " (" : "", ip->reason, *ip->reason ? ")" : "",
		    ip->chosen_by_auto ? " [auto]" : "");
	}
	if (in->auto_ok)
		fprintf(out, "auto:     %s\n", in->auto_why);
	for (i = 0; i < in->n_warnings; i++)
		fprintf(out, "warning:  %s\n", in->warnings[i]);
	fprintf(out, "ready:    %s\n", in->ready ? "yes" : "no");
	fprintf(out, "command:  %s\n", in->recommended);
}

static void
json_value(const struct plan_item *it, const char *profile, void *arg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "key", json_object_new_string(it->display_key));
	json_object_object_add(o, "name", json_object_new_string(it->op->name));
	json_object_object_add(o, "data", it->had_value ? report_json_data(
	    it->before_type, it->before, it->before_len) : NULL);
	json_object_object_add(o, "profile", json_object_new_string(profile));
	json_object_array_add(arg, o);
}

static struct json_object *
json_hives(const struct inspect *in)
{
	struct json_object *a = json_object_new_array(), *x;
	size_t i;


	for (i = 0; i < in->n_hives; i++) {
		const struct inspect_hive *ih = &in->hives[i];

		x = json_object_new_object();
		json_object_object_add(x, "kind",
		    json_object_new_string(hive_kind_name(ih->kind)));
		json_object_object_add(x, "path",
		    json_object_new_string(ih->target.hive_path));
		json_object_object_add(x, "dirty",
		    json_object_new_boolean(ih->view.disk.dirty));
		json_object_object_add(x, "recovery",
		    report_json_recovery(&ih->view, 0, NULL, 0));
		json_object_object_add(x, "current_control_set",
		    ih->n_control_sets ? json_object_new_string(ih->control_sets[0]) :
		    NULL);
		json_object_array_add(a, x);
	}
	return a;
}

static struct json_object *
json_head(const struct inspect *in)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "schema", json_object_new_string(INSPECT_SCHEMA));
	json_object_object_add(o, "tool_version", json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(o, "target", json_object_new_string(in->target));
	json_object_object_add(o, "hives", json_hives(in));
	return o;
}

static void
json_print(struct json_object *o, FILE *out)
{
	fprintf(out, "%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* A refused or failed inspection, for programs: what was read, the
 * message and the status (the message goes to stderr too). */
static void
print_json_error(const struct inspect *in, const struct hp_err *e, FILE *out)
{
	struct json_object *o = json_head(in);

	json_object_object_add(o, "ready", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(e->msg));
	json_object_object_add(o, "reason",
	    json_object_new_string(hp_reason_name(e->reason)));
	json_object_object_add(o, "exit_status", json_object_new_int(e->status));
	json_print(o, out);
}

static void
print_json(struct inspect *in, int status, FILE *out)
{
	struct json_object *o = json_head(in), *a, *x;
	size_t i;

	json_object_object_add(o, "image", report_json_image(&in->image));
	a = json_object_new_array();
	each_value(in, json_value, a);
	json_object_object_add(o, "values", a);
	a = json_object_new_array();
	for (i = 0; i < in->n_profiles; i++) {
		const struct inspect_profile *ip = &in->profiles[i];

		x = json_object_new_object();
		json_object_object_add(x, "name", json_object_new_string(ip->p.name));
		json_object_object_add(x, "description",
		    json_object_new_string(ip->p.description));
		json_object_object_add(x, "status", json_object_new_string(ip->status));
		json_object_object_add(x, "reason", *ip->reason ?
		    json_object_new_string(ip->reason) : NULL);
		json_object_object_add(x, "auto",
		    json_object_new_boolean(ip->chosen_by_auto));
		json_object_array_add(a, x);
	}
	json_object_object_add(o, "profiles", a);
	x = json_object_new_object();
	json_object_object_add(x, "profiles",
	    report_json_strings(in->auto_names, in->n_auto));
	json_object_object_add(x, "reason", in->auto_ok ?
	    json_object_new_string(in->auto_why) :
	    json_object_new_string(in->auto_err.msg));
	json_object_object_add(o, "auto", x);
	json_object_object_add(o, "warnings",
	    report_json_strings(in->warnings, in->n_warnings));
	json_object_object_add(o, "ready", json_object_new_boolean(in->ready));
	json_object_object_add(o, "recommended",
	    json_object_new_string(in->recommended));
	json_object_object_add(o, "error", NULL);
	json_object_object_add(o, "reason", NULL);
	json_object_object_add(o, "exit_status", json_object_new_int(status));
	json_print(o, out);
}

static void
inspect_free(struct inspect *in)
{
	size_t i, h;

	for (i = 0; i < in->n_hives; i++) {
		if (in->hives[i].h != NULL)
			hivex_close(in->hives[i].h);
		control_sets_free(in->hives[i].control_sets);
		hive_view_close(&in->hives[i].view);
		target_free(&in->hives[i].target);
	}
	for (i = 0; i < in->n_profiles; i++) {
		for (h = 0; h < 2; h++)
			plan_free(&in->profiles[i].plans[h]);
		free(in->profiles[i].ops);
		reg_doc_free(&in->profiles[i].doc);
		profile_free(&in->profiles[i].p);
	}
	free(in->profiles);
	image_info_free(&in->image);
}

int
cmd_inspect(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "no-recover", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hp_err e = { 0 };
	struct inspect in;
	int c, json = 0, no_recover = 0, status;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'n':
			no_recover = 1;
			break;
		case 'h':
			cli_print_help(stdout);
			return 0;
		default:
			return cli_usage("inspect", "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage("inspect", "needs TARGET");
	memset(&in, 0, sizeof(in));
	in.target = argv[optind];
	in.no_recover = no_recover;
	if (open_target(&in, &e) == -1 || judge_all(&in, &e) == -1) {
		if (json)
			print_json_error(&in, &e, stdout);
		status = cli_fail(&e);
		inspect_free(&in);
		return status;
	}
	status = in.ready ? HP_OK : HP_NONCOMPLIANT;
	if (json)
		print_json(&in, status, stdout);
	else
		print_text(&in, stdout);
	inspect_free(&in);
	return status;
}
