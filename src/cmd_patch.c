/* apply, import and verify: one flow, target -> hive -> plan -> apply ->
 * commit -> verify -> report, with verify stopping after the plan. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "backup.h"
#include "cli.h"
#include "commit.h"
#include "detect.h"
#include "hive.h"
#include "plan.h"
#include "profile.h"
#include "regfile.h"
#include "report.h"
#include "target.h"

#define MAX_SOURCES 64

struct patch_opts {
	const char *command;
	int verify;			/* read-only: judge, never write */
	const char *profiles[MAX_SOURCES];
	size_t n_profiles;
	const char *reg_files[MAX_SOURCES];
	size_t n_reg_files;
	int dry_run, json, force;
	const char *backup_dir;
	const char *target;
};

/* Everything a run holds, so one function can release it. */
struct patch_run {
	struct reg_doc docs[2 * MAX_SOURCES];
	size_t n_docs;
	const struct reg_op **ops;
	size_t n_ops;
	int needs_dotnet45;
	struct hp_target target;
	struct hive_header hdr;
	struct image_info image;
	struct plan plan;
	struct backup backup;
	hive_h *h;
	int lock_fd;
	char sha_after[SHA256_HEX_LEN + 1];
	char *backup_root;
	char *result;
};

static void
run_free(struct patch_run *run)
{
	size_t i;

	if (run->h != NULL)
		hivex_close(run->h);
	if (run->lock_fd >= 0)
		close(run->lock_fd);
	plan_free(&run->plan);
	image_info_free(&run->image);
	target_free(&run->target);
	for (i = 0; i < run->n_docs; i++)
		reg_doc_free(&run->docs[i]);
	free(run->ops);
	backup_free(&run->backup);
	free(run->backup_root);
	free(run->result);
}

/* Parses every profile and .reg file into one list of operations, in
 * the order given: profiles first, then --reg files. */
static int
load_sources(const struct patch_opts *o, struct patch_run *run,
	     struct hp_err *e)
{
	size_t i, j, k = 0;

	for (i = 0; i < o->n_profiles; i++) {
		struct profile p;
		int rc;

		if (profile_find(o->profiles[i], &p, e) == -1)
			return -1;
		run->needs_dotnet45 |= p.requires_dotnet45;
		rc = reg_parse_file(p.path, &run->docs[run->n_docs], e);
		profile_free(&p);
		if (rc == -1)
			return -1;
		run->n_docs++;
	}
	for (i = 0; i < o->n_reg_files; i++) {
		if (reg_parse_file(o->reg_files[i], &run->docs[run->n_docs], e) == -1)
			return -1;
		run->n_docs++;
	}
	for (i = 0; i < run->n_docs; i++)
		run->n_ops += run->docs[i].n_ops;
	run->ops = calloc(run->n_ops ? run->n_ops : 1, sizeof(*run->ops));
	if (run->ops == NULL)
		return hp_err_set(e, HP_IOERR, "out of memory");
	for (i = 0; i < run->n_docs; i++)
		for (j = 0; j < run->docs[i].n_ops; j++)
			run->ops[k++] = &run->docs[i].ops[j];
	return 0;
}

static int
check_hive_kind(const struct patch_opts *o, struct patch_run *run,
		struct report *r, struct hp_err *e)
{
	char why[160];
	enum hive_kind kind = hive_classify(run->h, &run->hdr, why, sizeof(why));

	if (kind == HIVE_SOFTWARE)
		return 0;
	if (!o->force)
		return hp_err_set(e, HP_REFUSED, "%s: not a SOFTWARE hive (%s)%s",
		    run->target.hive_path, why,
		    o->verify ? "" : "; --force patches it anyway");
	report_warn(r, "not a SOFTWARE hive (%s); going on because of --force", why);
	return 0;
}

static int
check_dotnet(const struct patch_opts *o, struct patch_run *run,
	     struct report *r, struct hp_err *e)
{
	const char *found;

	if (!run->needs_dotnet45 || image_has_dotnet45(&run->image))
		return 0;
	found = run->image.dotnet4_full ? ".NET Framework 4.0 only" :
	    "no .NET Framework 4";
	if (o->verify) {
		report_warn(r, "the image has %s; the .NET 4 TLS 1.2 values need 4.5 or later to take effect",
		    found);
		return 0;
	}
	if (!o->force)
		return hp_err_set(e, HP_REFUSED,
		    "%s: .NET Framework 4.5 or later is not installed (%s); "
		    "the .NET 4 profiles would have no effect; --force writes them anyway",
		    run->target.hive_path, found);
	report_warn(r, "the image has %s; writing anyway because of --force", found);
	return 0;
}

static int
check_dirty(const struct patch_opts *o, struct patch_run *run,
	    struct report *r, struct hp_err *e)
{
	char logs[1024] = "";
	size_t i, used = 0;

	if (!run->hdr.dirty)
		return 0;
	for (i = 0; i < run->target.n_logs && used < sizeof(logs); i++)
		used += (size_t)snprintf(logs + used, sizeof(logs) - used, "%s%s",
		    i ? ", " : "", run->target.logs[i]);
	if (run->target.n_logs == 0)
		snprintf(logs, sizeof(logs), "none found beside it");
	if (!o->verify)
		return hp_err_set(e, HP_REFUSED,
		    "%s: dirty hive (sequence numbers %u and %u differ): its logs "
		    "hold changes the file does not (logs: %s); writing would lose "
		    "them, so hivepatch refuses", run->target.hive_path,
		    run->hdr.seq_primary, run->hdr.seq_secondary, logs);
	report_warn(r, "dirty hive (sequence numbers %u and %u differ): the primary "
	    "file may be stale, its logs hold newer changes (logs: %s)",
	    run->hdr.seq_primary, run->hdr.seq_secondary, logs);
	return 0;
}

/* Reopens the hive for writing (hivex then holds all of it in memory)
 * and carries out the plan there, judging each item again just before:
 * a later item must see what an earlier one did. */
static int
apply_in_memory(struct patch_run *run, size_t *n_changes, struct hp_err *e)
{
	size_t i;

	*n_changes = 0;
	hivex_close(run->h);
	run->h = hive_open(run->target.hive_path, HIVEX_OPEN_WRITE, e);
	if (run->h == NULL)
		return -1;
	for (i = 0; i < run->plan.n_items; i++) {
		struct plan_item *it = &run->plan.items[i];

		if (plan_judge(run->h, it, e) == -1)
			return -1;
		if (it->action == PLAN_ALREADY || it->action == PLAN_SKIP)
			continue;
		if (apply_item(run->h, it, e) == -1)
			return -1;
		(*n_changes)++;
	}
	return 0;
}

static int
commit_with_backup(const struct patch_opts *o, struct patch_run *run,
		   struct report *r, struct hp_err *e)
{
	int replaced = 0, rc;
	struct hp_err later;

	if (backup_root(o->backup_dir, &run->backup_root, e) == -1)
		return -1;
	if (backup_take(run->backup_root, run->target.hive_path, &run->backup, e) == -1)
		return -1;
	r->sha_before = run->backup.sha_before;
	/* commit_atomic closes the handle before it verifies, so that the
	 * in-memory hive and the file read back are not held at once. */
	rc = commit_atomic(run->h, run->target.hive_path, &run->plan,
	    run->sha_after, &replaced, e);
	run->h = NULL;
	if (rc == -1) {
		/* Before the rename the original is untouched and the backup
		 * is not needed; after it, rollback must be able to find it. */
		if (!replaced) {
			backup_discard(&run->backup);
			return -1;
		}
		if (backup_write_manifest(&run->backup, run->sha_after,
		    o->profiles, o->n_profiles, o->reg_files, o->n_reg_files,
		    &later) == 0)
			r->backup_dir = run->backup.dir;
		return -1;
	}
	r->sha_after = run->sha_after;
	r->backup_dir = run->backup.dir;
	return backup_write_manifest(&run->backup, run->sha_after, o->profiles,
	    o->n_profiles, o->reg_files, o->n_reg_files, e);
}

static int
run_patch(const struct patch_opts *o)
{
	struct patch_run run;
	struct report r;
	struct hp_err e = { HP_OK, "" };
	size_t n_changes = 0;
	int status = HP_OK, unmet;

	memset(&run, 0, sizeof(run));
	memset(&r, 0, sizeof(r));
	run.lock_fd = -1;
	r.command = o->command;
	r.target = o->target;
	r.verify = o->verify;
	r.dry_run = o->dry_run;
	r.profiles = o->profiles;
	r.n_profiles = o->n_profiles;
	r.reg_files = o->reg_files;
	r.n_reg_files = o->n_reg_files;

	if (load_sources(o, &run, &e) == -1)
		goto fail;
	if (target_resolve(o->target, "SOFTWARE", &run.target, &e) == -1)
		goto fail;
	r.hive_path = run.target.hive_path;
	r.logs = run.target.logs;
	r.n_logs = run.target.n_logs;
	/* Hold the lock from the first read to the last write, so the plan
	 * is made on the bytes we replace. */
	if (!o->verify && !o->dry_run &&
	    (run.lock_fd = hive_lock(run.target.hive_path, &e)) == -1)
		goto fail;
	if (hive_read_header(run.target.hive_path, &run.hdr, &e) == -1)
		goto fail;
	r.hdr = &run.hdr;
	if (check_dirty(o, &run, &r, &e) == -1)
		goto fail;
	/* Read-only first: judging needs no more, and a hive that already
	 * complies is then never loaded whole nor written. */
	run.h = hive_open(run.target.hive_path, 0, &e);
	if (run.h == NULL)
		goto fail;
	if (check_hive_kind(o, &run, &r, &e) == -1)
		goto fail;
	detect_image(run.h, &run.image);
	r.image = &run.image;
	if (check_dotnet(o, &run, &r, &e) == -1)
		goto fail;
	if (plan_map(run.ops, run.n_ops, &run.image, &run.plan, &e) == -1)
		goto fail;
	r.plan = &run.plan;
	if (!o->verify && plan_check_value_sizes(&run.plan, run.hdr.minor,
	    run.target.hive_path, &e) == -1)
		goto fail;
	unmet = plan_count_unmet(run.h, &run.plan, &e);
	if (unmet == -1)
		goto fail;

	if (o->verify) {
		status = unmet ? HP_NONCOMPLIANT : HP_OK;
		if (asprintf(&run.result, unmet ? "not compliant: %d of the "
		    "keys and values are missing or different" : "compliant",
		    unmet) == -1)
			run.result = NULL;
	} else if (unmet == 0) {
		run.result = strdup("already compliant: nothing written");
	} else if (apply_in_memory(&run, &n_changes, &e) == -1) {
		goto fail;
	} else if (o->dry_run) {
		if (asprintf(&run.result, "dry run: %zu change%s would be written",
		    n_changes, n_changes == 1 ? "" : "s") == -1)
			run.result = NULL;
	} else {
		if (commit_with_backup(o, &run, &r, &e) == -1)
			goto fail;
		if (asprintf(&run.result, "%zu change%s written and verified from disk",
		    n_changes, n_changes == 1 ? "" : "s") == -1)
			run.result = NULL;
	}
	r.result = run.result;
	r.exit_status = status;
	if (o->json)
		report_print_json(&r, stdout);
	else
		report_print_text(&r, stdout);
	report_free(&r);
	run_free(&run);
	return status;

fail:
	r.exit_status = e.status;
	r.error = e.msg;
	if (o->json)
		report_print_json(&r, stdout);
	status = cli_fail(&e);
	report_free(&r);
	run_free(&run);
	return status;
}

enum { OPT_PROFILE = 256, OPT_REG, OPT_DRY_RUN, OPT_JSON, OPT_FORCE,
	OPT_BACKUP_DIR };

static const struct option patch_options[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "reg", required_argument, NULL, OPT_REG },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* `allowed` lists the option codes this subcommand takes. */
static int
parse_patch_options(int argc, char **argv, struct patch_opts *o,
		    const int *allowed, size_t n_allowed)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", patch_options, NULL)) != -1) {
		size_t i;
		int ok = 0;

		if (c == 'h') {
			cli_print_help(stdout);
			exit(0);
		}
		for (i = 0; i < n_allowed; i++)
			ok |= allowed[i] == c;
		if (c == '?' || !ok)
			return cli_usage(o->command, "unknown or misplaced option '%s'",
			    argv[optind - 1]);
		switch (c) {
		case OPT_PROFILE:
			if (o->n_profiles == MAX_SOURCES)
				return cli_usage(o->command, "too many --profile options");
			o->profiles[o->n_profiles++] = optarg;
			break;
		case OPT_REG:
			if (o->n_reg_files == MAX_SOURCES)
				return cli_usage(o->command, "too many --reg options");
			o->reg_files[o->n_reg_files++] = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_FORCE:
			o->force = 1;
			break;
		case OPT_BACKUP_DIR:
			o->backup_dir = optarg;
			break;
		}
	}
	return 0;
}

static int
take_target(int argc, char **argv, struct patch_opts *o)
{
	if (optind >= argc)
		return cli_usage(o->command, "missing TARGET");
	if (optind + 1 < argc)
		return cli_usage(o->command, "unexpected argument '%s'",
		    argv[optind + 1]);
	o->target = argv[optind];
	return 0;
}

int
cmd_apply(int argc, char **argv)
{
	static const int allowed[] = { OPT_PROFILE, OPT_REG, OPT_DRY_RUN,
	    OPT_JSON, OPT_FORCE, OPT_BACKUP_DIR };
	struct patch_opts o = { .command = "apply" };

	if (parse_patch_options(argc, argv, &o, allowed,
	    sizeof(allowed) / sizeof(allowed[0])) != 0 ||
	    take_target(argc, argv, &o) != 0)
		return HP_USAGE;
	if (o.n_profiles == 0 && o.n_reg_files == 0)
		o.profiles[o.n_profiles++] = DEFAULT_PROFILE;
	return run_patch(&o);
}

int
cmd_verify(int argc, char **argv)
{
	static const int allowed[] = { OPT_PROFILE, OPT_REG, OPT_JSON };
	struct patch_opts o = { .command = "verify", .verify = 1 };

	if (parse_patch_options(argc, argv, &o, allowed,
	    sizeof(allowed) / sizeof(allowed[0])) != 0 ||
	    take_target(argc, argv, &o) != 0)
		return HP_USAGE;
	if (o.n_profiles == 0 && o.n_reg_files == 0)
		o.profiles[o.n_profiles++] = DEFAULT_PROFILE;
	return run_patch(&o);
}

int
cmd_import(int argc, char **argv)
{
	static const int allowed[] = { OPT_DRY_RUN, OPT_JSON, OPT_FORCE,
	    OPT_BACKUP_DIR };
	struct patch_opts o = { .command = "import" };

	if (parse_patch_options(argc, argv, &o, allowed,
	    sizeof(allowed) / sizeof(allowed[0])) != 0)
		return HP_USAGE;
	if (optind >= argc)
		return cli_usage(o.command, "missing FILE.reg");
	o.reg_files[o.n_reg_files++] = argv[optind++];
	if (take_target(argc, argv, &o) != 0)
		return HP_USAGE;
	return run_patch(&o);
}
