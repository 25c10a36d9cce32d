/* apply, import, verify and recover: one flow, target -> hives -> plan ->
 * apply -> commit -> verify -> report, with verify stopping after the
 * plan.  A run touches the SOFTWARE hive, the SYSTEM hive, or both; a
 * dirty hive is read as its logs recover it (hiveview.h), and recover is
 * the run with nothing to patch that writes the recovered hive. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "autoprofile.h"
#include "backup.h"
#include "cli.h"
#include "cmd_patch.h"
#include "commit.h"
#include "detect.h"
#include "hive.h"
#include "hiveview.h"
#include "plan.h"
#include "profile.h"
#include "regfile.h"
#include "report.h"
#include "target.h"

#define MAX_HIVES REPORT_MAX_HIVES


/* One hive of the target, from resolving it to committing it. */
struct hive_session {
	enum hive_kind kind;
	struct hp_target target;
	struct hive_view view;		/* the hive as Windows would load it */
	hive_h *h;
	int lock_fd;
	char **control_sets;
	size_t n_control_sets;
	struct plan plan;
	int unmet;
	size_t n_changes;
	struct backup backup;
	int backed_up;
	int replaced;			/* the new file was renamed into place */
	int must_write;			/* changes, or a recovery to commit */
	char sha_after[SHA256_HEX_LEN + 1];
	uint32_t seq_after;		/* of the file written */
};

/* Everything a run holds, so one function can release it. */
struct patch_run {
	const char *profiles[MAX_SOURCES + AUTO_MAX];	/* auto expanded */
	size_t n_profiles;
	int uses_auto;
	char auto_why[256];
	struct reg_doc docs[2 * MAX_SOURCES + AUTO_MAX];
	size_t n_docs;
	const struct reg_op **ops;
	size_t n_ops;
	int needs_dotnet45, needs_dotnet35;
	int is_tree;
	struct hive_session hives[MAX_HIVES];	/* SOFTWARE before SYSTEM */
	size_t n_hives;
	struct image_info image;
	char *backup_root;
	char *result;
};

static void
session_free(struct hive_session *s)
{
	if (s->h != NULL)
		hivex_close(s->h);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	plan_free(&s->plan);
	hive_view_close(&s->view);
	control_sets_free(s->control_sets);
	target_free(&s->target);
	backup_free(&s->backup);
}

static void
run_free(struct patch_run *run)
{
	size_t i;

	for (i = 0; i < run->n_hives; i++)
		session_free(&run->hives[i]);
	image_info_free(&run->image);
	for (i = 0; i < run->n_docs; i++)
		reg_doc_free(&run->docs[i]);
	free(run->ops);
	free(run->backup_root);
	free(run->result);
}

/* Parses one profile into the run's documents. */
static int
load_profile(struct patch_run *run, const char *name, struct hp_err *e)
{
	struct profile p;
	int rc;

	if (profile_find(name, &p, e) == -1)
		return -1;
	run->needs_dotnet45 |= p.requires_dotnet45;
	run->needs_dotnet35 |= p.requires_dotnet35;
	rc = reg_parse_file(p.path, &run->docs[run->n_docs], e);
	profile_free(&p);
	if (rc == -1)
		return -1;
	run->n_docs++;
	run->profiles[run->n_profiles++] = name;
	return 0;
}

/* Gathers every document's operations into one list, in order. */
static int
collect_ops(struct patch_run *run, struct hp_err *e)
{
	size_t i, j, k = 0;

	free(run->ops);
	run->n_ops = 0;
	for (i = 0; i < run->n_docs; i++)
		run->n_ops += run->docs[i].n_ops;
	run->ops = calloc(run->n_ops ? run->n_ops : 1, sizeof(*run->ops));
	if (run->ops == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < run->n_docs; i++)
		for (j = 0; j < run->docs[i].n_ops; j++)
			run->ops[k++] = &run->docs[i].ops[j];
	return 0;
}

/* Profiles first, then --reg files; "auto" waits for the image. */
static int
load_sources(const struct patch_opts *o, struct patch_run *run,
	     struct hp_err *e)
{
	size_t i;

	for (i = 0; i < o->n_profiles; i++) {
		if (strcmp(o->profiles[i], AUTO_PROFILE) == 0) {
			run->uses_auto = 1;
			continue;
		}
		if (load_profile(run, o->profiles[i], e) == -1)
			return -1;
	}
	for (i = 0; i < o->n_reg_files; i++) {
		if (reg_parse_file(o->reg_files[i], &run->docs[run->n_docs], e) == -1)
			return -1;
		run->n_docs++;
	}
	return collect_ops(run, e);
}

/* Which hives the operations need: bit 1 SOFTWARE, bit 2 SYSTEM. */
static int
needed_hives(const struct patch_run *run, unsigned *need, struct hp_err *e)
{
	enum hive_kind kind;
	const char *rel;
	size_t i;

	*need = run->uses_auto ? 1u : 0u;
	for (i = 0; i < run->n_ops; i++) {
		if (op_hive(run->ops[i], &kind, &rel, e) == -1)
			return -1;
		*need |= kind == HIVE_SOFTWARE ? 1u : 2u;
	}
	/* A run with nothing to do still looks at the image. */
	if (*need == 0)
		*need = 1u;
	return 0;
}

static struct hive_session *
session_of(struct patch_run *run, enum hive_kind kind)
{
	size_t i;

	for (i = 0; i < run->n_hives; i++)
		if (run->hives[i].kind == kind)
			return &run->hives[i];
	return NULL;
}

/* A dirty hive is read as its logs recover it; --no-recover keeps the
 * refusal (verify: reads the stale primary, and says so). */
static int
check_dirty(const struct patch_opts *o, struct hive_session *s,
	    struct report *r, struct hp_err *e)
{
	char logs[1024] = "";
	size_t i, used = 0;

	if (s->view.caveat[0] != '\0')
		report_warn(r, "%s: %s", s->target.hive_path, s->view.caveat);
	if (s->view.replayed)
		return 0;
	if (!s->view.disk.dirty)
		return 0;
	for (i = 0; i < s->target.n_logs && used < sizeof(logs); i++)
		used += (size_t)snprintf(logs + used, sizeof(logs) - used, "%s%s",
		    i ? ", " : "", s->target.logs[i]);
	if (s->target.n_logs == 0)
		snprintf(logs, sizeof(logs), "none found beside it");
	if (!o->verify)
		return hp_err_set(e, HP_R_DIRTY_NO_RECOVER,
		    "%s: dirty hive (sequence numbers %u and %u differ): its logs "
		    "hold changes the file does not (logs: %s); --no-recover "
		    "forbids replaying them, and writing would lose them",
		    s->target.hive_path, s->view.disk.seq_primary,
		    s->view.disk.seq_secondary, logs);
	report_warn(r, "dirty %s hive (sequence numbers %u and %u differ), read "
	    "without its logs (--no-recover): the primary file may be stale, its "
	    "logs hold newer changes (logs: %s)", hive_kind_name(s->kind),
	    s->view.disk.seq_primary, s->view.disk.seq_secondary, logs);
	return 0;
}

/* The hive must be what the keys need.  SOFTWARE and SYSTEM are never
 * taken for each other; another or an unknown kind only with --force. */
static int
check_kind(const struct patch_opts *o, struct hive_session *s,
	   enum hive_kind found, const char *why, struct report *r,
	   struct hp_err *e)
{
	const char *want = hive_kind_name(s->kind);

	if (found == s->kind || o->recover)
		return 0;
	if (!o->force || found == HIVE_SOFTWARE || found == HIVE_SYSTEM)
		return hp_err_set(e, HP_R_WRONG_KIND,
		    "%s: not a %s hive (%s)%s", s->target.hive_path, want, why,
		    o->verify || found == HIVE_SOFTWARE || found == HIVE_SYSTEM ?
		    "" : "; --force patches it anyway");
	report_warn(r, "not a %s hive (%s); going on because of --force", want,
	    why);
	return 0;
}

/* Resolves, locks, checks and opens (read-only) one hive. */
static int
session_open(const struct patch_opts *o, struct patch_run *run,
	     enum hive_kind kind, struct report *r, struct hp_err *e)
{
	struct hive_session *s = &run->hives[run->n_hives];
	struct report_hive *rh = &r->hives[r->n_hives];
	enum hive_kind found;
	char why[160];
	int rc;

	memset(s, 0, sizeof(*s));
	s->lock_fd = -1;
	s->view.memfd = -1;
	s->kind = kind;
	run->n_hives++;
	if (target_resolve(o->target, hive_kind_name(kind), &s->target, e) == -1)
		return -1;
	r->n_hives++;
	rh->kind = kind;
	rh->path = s->target.hive_path;
	rh->logs = s->target.logs;
	rh->n_logs = s->target.n_logs;
	/* Hold the lock from the first read to the last write, so the plan
	 * is made on the bytes we replace. */
	if (!o->verify && !o->dry_run &&
	    (s->lock_fd = hive_lock(s->target.hive_path, e)) == -1)
		return -1;
	rh->view = &s->view;
	if (o->verify)
		rc = cli_view_for_reading(&s->target, o->no_recover, &s->view,
		    e);
	else
		rc = hive_view_open(&s->target, HIVE_VIEW_FOR_WRITE |
		    (o->no_recover ? HIVE_VIEW_NO_RECOVER : 0), &s->view, e);
	if (rc == -1)
		return -1;
	if (check_dirty(o, s, r, e) == -1)
		return -1;
	/* Read-only first: judging needs no more, and a hive that already
	 * complies is then never loaded whole nor written. */
	s->h = hive_view_hivex(&s->view, 0, e);
	if (s->h == NULL)
		return -1;
	found = hive_classify(s->h, &s->view.hdr, why, sizeof(why));
	/* recover takes a hive file of any kind, and says which. */
	if (o->recover && !run->is_tree)
		s->kind = rh->kind = found;
	if (!run->is_tree && !o->recover &&
	    (found == HIVE_SOFTWARE || found == HIVE_SYSTEM) && found != kind)
		return hp_err_set(e, HP_R_WRONG_KIND,
		    "%s: not a %s hive (%s): the keys given are in HKLM\\%s; "
		    "give the %s hive or the Windows tree", s->target.hive_path,
		    hive_kind_name(kind), why, hive_kind_name(kind),
		    hive_kind_name(kind));
	return check_kind(o, s, found, why, r, e);
}

/* A bare hive file is the target for the keys of its own kind only, so
 * keys in both hives cannot go into one file. */
static int
refuse_both_in_one_file(const struct patch_opts *o, struct hp_err *e)
{
	struct hive_header hdr;
	struct hp_target t;

	/* Its header is enough to say which hive it is; the message is all
	 * that is made of it. */
	memset(&t, 0, sizeof(t));
	if (target_resolve(o->target, "SOFTWARE", &t, e) == 0 &&
	    hive_read_header(t.hive_path, &hdr, e) == 0)
		hp_err_set(e, HP_R_WRONG_KIND, "%s: one hive file cannot take keys in "
		    "both HKLM\\SOFTWARE and HKLM\\SYSTEM (this one: header "
		    "names it '%s'); give the Windows tree", t.hive_path,
		    hive_header_file(&hdr));
	target_free(&t);
	return -1;
}

static int
open_sessions(const struct patch_opts *o, struct patch_run *run,
	      unsigned need, struct report *r, struct hp_err *e)
{
	enum hive_kind kind;

	if (!run->is_tree) {
		kind = need == 2u ? HIVE_SYSTEM : HIVE_SOFTWARE;
		if (need == 3u || (run->n_hives > 0 && session_of(run, kind) == NULL))
			return refuse_both_in_one_file(o, e);
		if (run->n_hives > 0)
			return 0;
		return session_open(o, run, kind, r, e);
	}
	if ((need & 1u) && session_of(run, HIVE_SOFTWARE) == NULL &&
	    session_open(o, run, HIVE_SOFTWARE, r, e) == -1)
		return -1;
	if ((need & 2u) && session_of(run, HIVE_SYSTEM) == NULL &&
	    session_open(o, run, HIVE_SYSTEM, r, e) == -1)
		return -1;
	return 0;
}

static void
detect(struct patch_run *run)
{
	struct hive_session *sw = session_of(run, HIVE_SOFTWARE);
	struct hive_session *sys = session_of(run, HIVE_SYSTEM);

	image_info_free(&run->image);
	detect_image(sw ? sw->h : NULL, &run->image);
	detect_system(sys ? sys->h : NULL, &run->image);
}

/* --profile auto: choose from the image, then load what was chosen. */
static int
resolve_auto(struct patch_run *run, struct report *r, struct hp_err *e)
{
	const char *names[AUTO_MAX];
	size_t i, n;

	if (!run->uses_auto)
		return 0;
	if (session_of(run, HIVE_SOFTWARE) == NULL)
		return hp_err_set(e, HP_R_WRONG_KIND, "--profile auto needs the "
		    "Windows tree or its SOFTWARE hive");
	if (auto_choose(&run->image, names, &n, run->auto_why,
	    sizeof(run->auto_why), e) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (load_profile(run, names[i], e) == -1)
			return -1;
	r->auto_reason = run->auto_why;
	return collect_ops(run, e);
}

static int
check_requirements(const struct patch_opts *o, struct patch_run *run,
		   struct report *r, struct hp_err *e)
{
	const struct image_info *im = &run->image;
	const char *missing = NULL, *found = "";

	if (run->needs_dotnet45 && !image_has_dotnet45(im)) {
		missing = ".NET Framework 4.5 or later";
		found = im->dotnet4_full ? ".NET Framework 4.0 only" :
		    "no .NET Framework 4";
	} else if (run->needs_dotnet35 && !im->dotnet35) {
		missing = ".NET Framework 3.5";
		found = "NDP\\v3.5 Install is not 1";
	}
	if (missing == NULL)
		return 0;
	if (o->verify) {
		report_warn(r, "the image lacks %s (%s); those profiles' values "
		    "have no effect without it", missing, found);
		return 0;
	}
	if (!o->force)
		return hp_err_set(e, HP_R_NET_MISSING,
		    "%s: %s is not installed (%s); the profiles that need it would "
		    "have no effect; --force writes them anyway",
		    run->hives[0].target.hive_path, missing, found);
	report_warn(r, "the image lacks %s (%s); writing anyway because of --force",
	    missing, found);
	return 0;
}

/* Maps and judges the operations for one hive. */
static int
session_plan(const struct patch_opts *o, struct patch_run *run,
	     struct hive_session *s, struct report_hive *rh, struct hp_err *e)
{
	struct map_ctx ctx = { s->kind, run->image.is_64bit, NULL, 0 };
	size_t i;
	int ccs = 0;

	for (i = 0; i < run->n_ops; i++)
		ccs |= op_uses_current_control_set(run->ops[i]);
	if (s->kind == HIVE_SYSTEM && ccs) {
		if (detect_control_sets(s->h, o->all_control_sets,
		    &s->control_sets, &s->n_control_sets, s->target.hive_path,
		    e) == -1)
			return -1;
		ctx.control_sets = s->control_sets;
		ctx.n_control_sets = s->n_control_sets;
		rh->control_sets = s->control_sets;
		rh->n_control_sets = s->n_control_sets;
		rh->all_control_sets = o->all_control_sets;
	}
	if (plan_map(run->ops, run->n_ops, &ctx, &s->plan, e) == -1)
		return -1;
	rh->plan = &s->plan;
	if (!o->verify && plan_check_value_sizes(&s->plan, s->view.hdr.minor,
	    s->target.hive_path, e) == -1)
		return -1;
	s->unmet = plan_count_unmet(s->h, &s->plan, e);
	return s->unmet == -1 ? -1 : 0;
}

/* Reopens the hive for writing (hivex then holds all of it in memory)
 * and carries out the plan there, judging each item again just before:
 * a later item must see what an earlier one did. */
static int
apply_in_memory(struct hive_session *s, struct hp_err *e)
{
	size_t i;

	s->n_changes = 0;
	hivex_close(s->h);
	s->h = hive_view_hivex(&s->view, HIVEX_OPEN_WRITE, e);
	if (s->h == NULL)
		return -1;
	for (i = 0; i < s->plan.n_items; i++) {
		struct plan_item *it = &s->plan.items[i];

		if (plan_judge(s->h, it, e) == -1)
			return -1;
		if (it->action == PLAN_ALREADY || it->action == PLAN_SKIP)
			continue;
		if (apply_item(s->h, it, e) == -1)
			return -1;
		s->n_changes++;
	}
	return 0;
}

/* Puts back the hives already replaced, newest first, after a later one
 * failed: the image must not hold half a change. */
static void
undo_replaced(struct patch_run *run, size_t upto, struct hp_err *e)
{
	size_t n = strlen(e->msg);
	struct hp_err restore;
	size_t i;

	for (i = upto + 1; i-- > 0; ) {
		struct hive_session *s = &run->hives[i];

		if (!s->replaced)
			continue;
		if (restore_atomic(s->backup.copy, s->target.hive_path,
		    s->backup.sha_before, &restore) == 0) {
			snprintf(e->msg + n, sizeof(e->msg) - n, "; %s was put "
			    "back from its backup", hive_kind_name(s->kind));
			s->replaced = 0;
		} else {
			snprintf(e->msg + n, sizeof(e->msg) - n, "; %s could NOT "
			    "be put back (%.200s): run hivepatch rollback",
			    hive_kind_name(s->kind), restore.msg);
		}
		n = strlen(e->msg);
	}
}

/* Empties the logs of a hive once the new primary is in place.  Done
 * last: until then a crash leaves either the old hive with its logs, or
 * the new clean hive with stale logs that Windows ignores while the hive
 * stays clean. */
static int
reset_logs(struct hive_session *s, struct report_hive *rh, struct hp_err *e)
{
	size_t i;

	rh->logs_reset = s->target.logs;
	for (i = 0; i < s->target.n_logs; i++) {
		if (log_reset(s->target.logs[i], e) == -1) {
			size_t n = strlen(e->msg);

			snprintf(e->msg + n, sizeof(e->msg) - n, " (the hive "
			    "itself is written and clean, %zu of its %zu logs "
			    "emptied, hive and logs backed up in %.300s; Windows "
			    "ignores the logs while the hive stays clean)", i,
			    s->target.n_logs, s->backup.dir);
			return -1;
		}
		rh->n_logs_reset = i + 1;
	}
	return 0;
}

/* Backs up every hive that changes, then commits them in order (SOFTWARE
 * before SYSTEM).  When one fails, the ones before it are restored from
 * their backups, so a profile never lands in one hive and not the other. */
static int
commit_all(const struct patch_opts *o, struct patch_run *run,
	   struct report *r, struct hp_err *e)
{
	struct backup_run id;
	size_t i, j;
	int rc;

	if (backup_root(o->backup_dir, &run->backup_root, e) == -1)
		return -1;
	backup_run_start(&id);
	for (i = 0; i < run->n_hives; i++) {
		struct hive_session *s = &run->hives[i];

		if (!s->must_write)
			continue;
		if (backup_take(run->backup_root, &id, s->target.hive_path,
		    s->target.logs, s->target.n_logs, &s->backup, e) == -1)
			goto discard;
		s->backed_up = 1;
		r->hives[i].sha_before = s->backup.sha_before;
	}
	for (i = 0; i < run->n_hives; i++) {
		struct hive_session *s = &run->hives[i];

		if (!s->must_write)
			continue;
		/* commit_atomic closes the handle before it verifies, so the
		 * in-memory hive and the file read back are not both held. */
		rc = commit_atomic(s->h, s->target.hive_path, &s->plan,
		    s->sha_after, &s->seq_after, &s->replaced, e);
		s->h = NULL;
		if (rc == -1) {
			undo_replaced(run, i, e);
			goto discard;
		}
	}
	rc = 0;
	for (i = 0; i < run->n_hives; i++) {
		struct hive_session *s = &run->hives[i];

		if (!s->backed_up)
			continue;
		r->hives[i].sha_after = s->sha_after;
		r->hives[i].seq_after = s->seq_after;
		r->hives[i].backup_dir = s->backup.dir;
		/* The manifest names the logs as they are about to be; one
		 * that a crash leaves unemptied still holds its backup, which
		 * rollback takes as nothing to restore. */
		for (j = 0; j < s->backup.n_logs; j++)
			memcpy(s->backup.logs[j].sha_after, SHA256_HEX_EMPTY,
			    sizeof(SHA256_HEX_EMPTY));
		if (backup_write_manifest(&s->backup, s->sha_after, run->profiles,
		    run->n_profiles, o->reg_files, o->n_reg_files,
		    rc == 0 ? e : NULL) == -1)
			rc = -1;
		else if (rc == 0)
			rc = reset_logs(s, &r->hives[i], e);
	}
	return rc;
discard:
	/* Keep a backup whose hive could not be put back: rollback needs it. */
	for (i = 0; i < run->n_hives; i++)
		if (run->hives[i].backed_up && !run->hives[i].replaced)
			backup_discard(&run->hives[i].backup);
		else if (run->hives[i].backed_up)
			(void)backup_write_manifest(&run->hives[i].backup,
			    run->hives[i].sha_after, run->profiles, run->n_profiles,
			    o->reg_files, o->n_reg_files, NULL);
	return -1;
}

/* The one-line result of apply, import or recover. */
static char *
result_phrase(const struct patch_opts *o, size_t n_writes, size_t n_changes)
{
	const char *s = n_changes == 1 ? "" : "s";
	const char *hs = n_writes == 1 ? " from its logs" : "s from their logs";
	char *text = NULL;
	int n;

	if (n_writes == 0)
		return strdup(o->recover ? "clean: nothing to recover" :
		    "already compliant: nothing written");
	if (o->recover && o->dry_run)
		n = asprintf(&text, "dry run: would recover %zu hive%s",
		    n_writes, hs);
	else if (o->recover)
		n = asprintf(&text, "recovered %zu hive%s, written and "
		    "verified from disk", n_writes, hs);
	else if (o->dry_run)
		n = asprintf(&text, "dry run: %zu change%s would be written",
		    n_changes, s);
	else
		n = asprintf(&text, "%zu change%s written and verified from disk",
		    n_changes, s);
	return n == -1 ? NULL : text;
}

int
patch_run(const struct patch_opts *o)
{
	struct patch_run run;
	struct report r;
	struct hp_err e = { 0 };
	size_t i, n_changes = 0, n_writes = 0;
	int status = HP_OK, unmet = 0;
	unsigned need;
	struct stat st;

	memset(&run, 0, sizeof(run));
	memset(&r, 0, sizeof(r));
	r.command = o->command;
	r.target = o->target;
	r.verify = o->verify;
	r.dry_run = o->dry_run;
	r.reg_files = o->reg_files;
	r.n_reg_files = o->n_reg_files;
	r.profiles = run.profiles;

	if (load_sources(o, &run, &e) == -1 ||
	    needed_hives(&run, &need, &e) == -1)
		goto fail;
	run.is_tree = stat(o->target, &st) == 0 && S_ISDIR(st.st_mode);
	if (o->recover)
		need = run.is_tree ? 3u : 1u;
	if (open_sessions(o, &run, need, &r, &e) == -1)
		goto fail;
	detect(&run);
	/* recover patches nothing: what Windows it is does not matter. */
	r.image = o->recover ? NULL : &run.image;
	if (run.uses_auto) {
		if (resolve_auto(&run, &r, &e) == -1 ||
		    needed_hives(&run, &need, &e) == -1 ||
		    open_sessions(o, &run, need, &r, &e) == -1)
			goto fail;
		detect(&run);
	}
	r.n_profiles = run.n_profiles;
	if (check_requirements(o, &run, &r, &e) == -1)
		goto fail;
	for (i = 0; i < run.n_hives; i++) {
		if (session_plan(o, &run, &run.hives[i], &r.hives[i], &e) == -1)
			goto fail;
		unmet += run.hives[i].unmet;
	}

	if (o->verify) {
		status = unmet ? HP_NONCOMPLIANT : HP_OK;
		if (unmet == 0)
			run.result = strdup("compliant");
		else if (asprintf(&run.result, "not compliant: %d of the keys and "
		    "values are missing or different", unmet) == -1)
			run.result = NULL;
	} else {
		for (i = 0; i < run.n_hives; i++) {
			struct hive_session *s = &run.hives[i];

			/* A dirty hive that already complies is left to
			 * Windows: its logs recover it to the same. */
			if (s->unmet == 0 && !(o->recover && s->view.replayed))
				continue;
			if (apply_in_memory(s, &e) == -1)
				goto fail;
			s->must_write = 1;
			n_writes++;
			n_changes += s->n_changes;
		}
		if (n_writes > 0 && !o->dry_run && commit_all(o, &run, &r, &e) == -1)
			goto fail;
		run.result = result_phrase(o, n_writes, n_changes);
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
	r.n_profiles = run.n_profiles;
	r.exit_status = e.status;
	r.error = e.msg;
	r.reason = e.reason;
	if (o->json)
		report_print_json(&r, stdout);
	status = cli_fail(&e);
	report_free(&r);
	run_free(&run);
	return status;
}


static const struct option patch_options[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "reg", required_argument, NULL, OPT_REG },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },
	{ "all-control-sets", no_argument, NULL, OPT_ALL_CONTROL_SETS },
	{ "no-recover", no_argument, NULL, OPT_NO_RECOVER },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
patch_parse_options(int argc, char **argv, struct patch_opts *o,
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
		case OPT_ALL_CONTROL_SETS:
			o->all_control_sets = 1;
			break;
		case OPT_NO_RECOVER:
			o->no_recover = 1;
			break;
		}
	}
	return 0;
}

int
patch_take_target(int argc, char **argv, struct patch_opts *o)
{
	if (optind >= argc)
		return cli_usage(o->command, "missing TARGET");
	if (optind + 1 < argc)
		return cli_usage(o->command, "unexpected argument '%s'",
		    argv[optind + 1]);
	o->target = argv[optind];
	return 0;
}

/* apply and verify: options, TARGET, and net4-tls12 when no profile or
 * .reg file was given. */
static int
run_with_default_profile(int argc, char **argv, struct patch_opts *o,
			 const int *allowed, size_t n_allowed)
{
	if (patch_parse_options(argc, argv, o, allowed, n_allowed) != 0 ||
	    patch_take_target(argc, argv, o) != 0)
		return HP_USAGE;
	if (o->n_profiles == 0 && o->n_reg_files == 0)
		o->profiles[o->n_profiles++] = DEFAULT_PROFILE;
	return patch_run(o);
}

int
cmd_apply(int argc, char **argv)
{
	static const int allowed[] = { OPT_PROFILE, OPT_REG, OPT_DRY_RUN,
	    OPT_JSON, OPT_FORCE, OPT_BACKUP_DIR, OPT_ALL_CONTROL_SETS,
	    OPT_NO_RECOVER };
	struct patch_opts o = { .command = "apply" };

	return run_with_default_profile(argc, argv, &o, allowed,
	    sizeof(allowed) / sizeof(allowed[0]));
}

int
cmd_verify(int argc, char **argv)
{
	static const int allowed[] = { OPT_PROFILE, OPT_REG, OPT_JSON,
	    OPT_ALL_CONTROL_SETS, OPT_NO_RECOVER };
	struct patch_opts o = { .command = "verify", .verify = 1 };

	return run_with_default_profile(argc, argv, &o, allowed,
	    sizeof(allowed) / sizeof(allowed[0]));
}

int
cmd_import(int argc, char **argv)
{
	static const int allowed[] = { OPT_DRY_RUN, OPT_JSON, OPT_FORCE,
	    OPT_BACKUP_DIR, OPT_ALL_CONTROL_SETS, OPT_NO_RECOVER };
	struct patch_opts o = { .command = "import" };

	if (patch_parse_options(argc, argv, &o, allowed,
	    sizeof(allowed) / sizeof(allowed[0])) != 0)
		return HP_USAGE;
	if (optind >= argc)
		return cli_usage(o.command, "missing FILE.reg");
	o.reg_files[o.n_reg_files++] = argv[optind++];
	if (patch_take_target(argc, argv, &o) != 0)
		return HP_USAGE;
	return patch_run(&o);
}

