/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hp_patch: apply, import, verify and recover as one flow, store ->
 * hives -> plan -> apply -> commit -> verify -> result, with verify
 * stopping after the plan.  A run touches the SOFTWARE hive, the SYSTEM
 * hive, or both; a dirty hive is read as its logs recover it, and
 * recover is the run with nothing to patch that writes the recovered
 * hive.  Committing lives in patch_commit.c. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "autoprofile.h"
#include "cutrun.h"
#include "detect.h"
#include "error.h"
#include "patch.h"
#include "updates.h"
#include "result.h"

#define KIND_BIT(k) (1u << (k))

struct session *
run_session_of(struct patch_run *run, enum hp_hive_kind kind)
{
	size_t i;

	for (i = 0; i < run->n_hives; i++)
		if (run->hives[i].kind == kind)
			return &run->hives[i];
	return NULL;
}

static int
run_warn(struct patch_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
run_warn(struct patch_run *run, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = strv_vpushf(&run->res->warnings, &run->res->n_warnings, fmt, ap);
	va_end(ap);
	return rc;
}

/* Which hives the operations need, one bit per kind. */
static int
needed_hives(const struct patch_run *run, unsigned *need, struct hp_err *e)
{
	enum hp_hive_kind kind;
	const char *rel;
	size_t i;

	*need = run->src.uses_auto ? KIND_BIT(HP_HIVE_SOFTWARE) : 0;
	for (i = 0; i < run->src.n_ops; i++) {
		if (op_hive(run->src.ops[i], &kind, &rel, e) == -1)
			return -1;
		*need |= KIND_BIT(kind);
		/* The user's classes say which of the two is written. */
		if (op_in_classes_root(run->src.ops[i]))
			*need |= KIND_BIT(HP_HIVE_SOFTWARE);
	}
	/* A run with nothing to do still looks at the image. */
	if (*need == 0)
		*need = KIND_BIT(HP_HIVE_SOFTWARE);
	return 0;
}

/* A dirty hive is read as its logs recover it; --no-recover keeps the
 * refusal (verify: reads the stale primary, and says so). */
static int
check_dirty(struct patch_run *run, struct session *s, struct hp_err *e)
{
	char logs[1024] = "";
	size_t i, used = 0;

	if (s->view.caveat[0] != '\0' &&
	    run_warn(run, "%s: %s", s->hive->where, s->view.caveat) == -1)
		return hp_err_nomem(e);
	if (s->view.rec.replayed || !s->view.disk.dirty || s->discarding)
		return 0;
	for (i = 0; i < s->files.n_logs && used < sizeof(logs); i++)
		used += (size_t)snprintf(logs + used, sizeof(logs) - used, "%s%s",
		    i ? ", " : "", s->files.logs[i].where);
	if (s->files.n_logs == 0)
		snprintf(logs, sizeof(logs), "none found beside it");
	if (run->o->mode != HP_PATCH_VERIFY)
		return hp_err_set(e, HP_R_DIRTY_NO_RECOVER,
		    "%s: dirty hive (sequence numbers %u and %u differ): its logs "
		    "hold changes the file does not (logs: %s); --no-recover "
		    "forbids replaying them, and writing would lose them",
		    s->hive->where, s->view.disk.seq_primary,
		    s->view.disk.seq_secondary, logs);
	if (run_warn(run, "dirty %s hive (sequence numbers %u and %u differ), "
	    "read without its logs (--no-recover): the primary file may be "
	    "stale, its logs hold newer changes (logs: %s)",
	    hp_hive_kind_name(s->kind),
	    s->view.disk.seq_primary, s->view.disk.seq_secondary, logs) == -1)
		return hp_err_nomem(e);
	return 0;
}

/* The hive must be what the keys need.  What its root keys say decides,
 * and --force does not override it; only a hive whose content cannot
 * tell is taken on --force.  A header naming another hive is noted. */
static int
check_kind(struct patch_run *run, struct session *s, struct hp_err *e)
{
	const char *want = hp_hive_kind_name(s->kind);
	int by_content = (s->found_how & HIVE_KIND_BY_CONTENT) != 0;
	int tree = run->store->ops->tree;
	int hint = !tree && by_content;	/* a bare file of another kind */

	if (run->o->mode == HP_PATCH_RECOVER) {
		/* recover takes a hive file of any kind, and says which. */
		if (!tree)
			s->kind = s->found;
		return 0;
	}
	if (hive_kinds_alike(s->found, s->kind)) {
		if ((s->found_how & HIVE_KIND_NAME_DIFFERS) && run_warn(run,
		    "%s: %s", s->hive->where, s->why) == -1)
			return hp_err_nomem(e);
		return 0;
	}
	if (by_content || !(run->o->flags & HP_FORCE))
		return hp_err_set(e, HP_R_WRONG_KIND, "%s: not a %s hive (%s)%s%s"
		    "%s%s", s->hive->where, want, s->why, hint ? ": the keys "
		    "given are in HKLM\\" : "", hint ? want : "", hint ? "; give "
		    "that hive or the Windows tree" : "", by_content ||
		    run->o->mode == HP_PATCH_VERIFY ? "" : "; --force patches "
		    "it anyway");
	if (run_warn(run, "not a %s hive (%s); going on because of --force",
	    want, s->why) == -1)
		return hp_err_nomem(e);
	return 0;
}

/* --discard-logs: the hive as its primary file holds it, which the
 * commit writes clean (by replacement, its logs emptied after; the
 * backup keeps them), saying what is lost. */
static int
open_discarding(struct patch_run *run, struct session *s,
		enum hp_hive_kind kind, unsigned flags, struct hp_err *e)
{
	char why[sizeof(e->msg)];

	snprintf(why, sizeof(why), "%s", e->msg);
	session_free(s);
	if (session_open(s, run->store, kind, flags | SESSION_NO_RECOVER,
	    e) == -1)
		return -1;
	s->discarding = 1;
	if (run_warn(run, "%s (--discard-logs: written from its primary file "
	    "as it is; whatever its logs held is lost, and kept in the "
	    "backup)", why) == -1)
		return hp_err_nomem(e);
	return 0;
}

/* Opens one more hive into the run. */
static int
open_hive(struct patch_run *run, enum hp_hive_kind kind, struct hp_err *e)
{
	const struct hp_patch_opts *o = run->o;
	unsigned flags = 0;
	struct session *s;
	int rc;

	if (o->mode != HP_PATCH_VERIFY)
		flags |= SESSION_FOR_WRITE;
	/* recover --output only reads: read-only media, evidence. */
	if (o->mode != HP_PATCH_VERIFY && !(o->flags & HP_DRY_RUN) &&
	    o->output == NULL)
		flags |= SESSION_LOCK;
	if (o->flags & HP_NO_RECOVER)
		flags |= SESSION_NO_RECOVER;
	if (o->flags & HP_HASH_READ)
		flags |= SESSION_HASH;
	s = &run->hives[run->n_hives];
	rc = session_open(s, run->store, kind, flags, e);
	if (rc == -1 && e->reason == HP_R_DIRTY_UNRECOVERABLE &&
	    (o->flags & HP_DISCARD_LOGS) && o->mode != HP_PATCH_VERIFY)
		rc = open_discarding(run, s, kind, flags, e);
	/* A hive the store could not reach is not reported. */
	if (s->hive != NULL)
		run->n_hives++;
	if (rc == -1 || session_skipped_warnings(s, &run->res->warnings,
	    &run->res->n_warnings, e) == -1 || check_dirty(run, s, e) == -1 ||
	    session_hivex(s, e) == -1)
		return -1;
	return check_kind(run, s, e);
}

/* A bare hive file is the target for the keys of its own kind only, so
 * keys in two hives cannot go into one file. */
static int
refuse_two_in_one_file(struct patch_run *run, struct hp_err *e)
{
	struct hp_store_hive *hive = store_hive_for(run->store,
	    HP_HIVE_UNKNOWN);
	struct hp_hive_files f = { .fd = -1 };
	struct hive_header hdr;

	/* Its header is enough to say which hive it is; the message is all
	 * that is made of it. */
	if (hive != NULL && store_hive_usable(hive, e) == 0 &&
	    run->store->ops->read(run->store->priv, hive, &f, e) == 0 &&
	    hive_read_header_fd(f.fd, f.size, hive->where, &hdr, e) == 0)
		hp_err_set(e, HP_R_WRONG_KIND, "%s: one hive file cannot take "
		    "keys of two hives (HKLM\\SOFTWARE and HKLM\\SYSTEM, say; "
		    "this one: header names it '%s'); give the Windows tree",
		    hive->where, hive_header_file(&hdr));
	hp_hive_files_free(&f);
	return -1;
}

/* recover in a tree: the hives beside SOFTWARE and SYSTEM (SAM,
 * SECURITY, DEFAULT) that are there, each one bit. */
static unsigned
present_hives(struct hp_store *store)
{
	struct hp_store_hive *hives;
	size_t i, n = hp_store_hives(store, &hives);
	unsigned bits = 0;

	for (i = 0; i < n; i++)
		if (hives[i].problem.reason == HP_R_NONE &&
		    hives[i].kind != HP_HIVE_UNKNOWN)
			bits |= KIND_BIT(hives[i].kind);
	return bits;
}

static int
open_hives(struct patch_run *run, unsigned need, struct hp_err *e)
{
	enum hp_hive_kind kind;

	if (!run->store->ops->tree) {
		/* The lowest kind asked for; SOFTWARE when none. */
		for (kind = HP_HIVE_SOFTWARE; kind <= HP_HIVE_COMPONENTS; kind++)
			if (need & KIND_BIT(kind))
				break;
		if ((need & (need - 1)) != 0 ||
		    (run->n_hives > 0 && run_session_of(run, kind) == NULL))
			return refuse_two_in_one_file(run, e);
		return run->n_hives > 0 ? 0 : open_hive(run, kind, e);
	}
	for (kind = HP_HIVE_SOFTWARE; kind <= HP_HIVE_COMPONENTS; kind++)
		if ((need & KIND_BIT(kind)) && run_session_of(run, kind) == NULL &&
		    open_hive(run, kind, e) == -1)
			return -1;
	return 0;
}

static void
detect(struct patch_run *run)
{
	struct session *sw = run_session_of(run, HP_HIVE_SOFTWARE);
	struct session *sys = run_session_of(run, HP_HIVE_SYSTEM);

	image_info_free(&run->image);
	detect_image(sw ? sw->h : NULL, &run->image);
	detect_system(sys ? sys->h : NULL, &run->image);
}

/* --profile auto: choose from the image, load what was chosen, and open
 * any further hive it needs. */
static int
resolve_auto(struct patch_run *run, struct hp_err *e)
{
	const char *names[AUTO_MAX];
	unsigned need;
	size_t i, n;

	if (run_session_of(run, HP_HIVE_SOFTWARE) == NULL)
		return hp_err_set(e, HP_R_WRONG_KIND, "%s: --profile auto needs "
		    "the Windows tree or its SOFTWARE hive",
		    hp_store_target(run->store));
	if (auto_choose(&run->image, names, &n, run->src.auto_why,
	    sizeof(run->src.auto_why), e) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (sources_add_profile(&run->src, run->o->profile_dir, names[i],
		    e) == -1)
			return -1;
	if ((run->res->auto_reason = strdup(run->src.auto_why)) == NULL)
		return hp_err_nomem(e);
	if (needed_hives(run, &need, e) == -1 || open_hives(run, need, e) == -1)
		return -1;
	detect(run);
	return 0;
}

/* Values that take effect only with an update the image lacks are still
 * written (the update may be installed later), and the run says so. */
static int
warn_updates(struct patch_run *run, struct hp_err *e)
{
	const struct session *sw = run_session_of(run, HP_HIVE_SOFTWARE);
	char why[512];
	size_t i;

	for (i = 0; sw != NULL && i < run->src.n_updates; i++)
		if (update_missing(sw->h, &run->image, &run->src.updates[i], why,
		    sizeof(why)) && run_warn(run, "%s", why) == -1)
			return hp_err_nomem(e);
	return 0;
}

static int
check_requirements(struct patch_run *run, struct hp_err *e)
{
	const char *missing, *found;

	switch (dotnet_gap(run->src.needs_dotnet45, run->src.needs_dotnet35,
	    &run->image)) {
	case DOTNET_OK:
		return 0;
	case DOTNET_45_MISSING:
	case DOTNET_40_ONLY:
		missing = ".NET Framework 4.5 or later";
		found = run->image.dotnet4_full ? ".NET Framework 4.0 only" :
		    "no .NET Framework 4";
		break;
	default:
		missing = ".NET Framework 3.5";
		found = "NDP\\v3.5 Install is not 1";
		break;
	}
	if (run->o->mode == HP_PATCH_VERIFY)
		return run_warn(run, "the image lacks %s (%s); those profiles' "
		    "values have no effect without it", missing, found) == -1 ?
		    hp_err_nomem(e) : 0;
	if (!(run->o->flags & HP_FORCE))
		return hp_err_set(e, HP_R_NET_MISSING,
		    "%s: %s is not installed (%s); the profiles that need it would "
		    "have no effect; --force writes them anyway",
		    run->hives[0].hive->where, missing, found);
	return run_warn(run, "the image lacks %s (%s); writing anyway because "
	    "of --force", missing, found) == -1 ? hp_err_nomem(e) : 0;
}

/* Maps and judges the operations for one hive. */
static int
plan_hive(struct patch_run *run, struct session *s, struct hp_err *e)
{
	struct map_ctx ctx = { s->kind, run->image.is_64bit, NULL, 0,
	    run->to_machine };
	int all = (run->o->flags & HP_ALL_CONTROL_SETS) != 0;
	size_t i;
	int ccs = 0;

	for (i = 0; i < run->src.n_ops; i++)
		ccs |= op_uses_current_control_set(run->src.ops[i]);
	if (s->kind == HP_HIVE_SYSTEM && ccs) {
		if (detect_control_sets(s->h, all, &s->control_sets,
		    &s->n_control_sets, s->hive->where, e) == -1)
			return -1;
		ctx.control_sets = s->control_sets;
		ctx.n_control_sets = s->n_control_sets;
		s->all_control_sets = all;
	}
	if (plan_map(run->src.ops, run->src.n_ops, &ctx, &s->plan, e) == -1)
		return -1;
	s->planned = 1;
	if (run->o->mode != HP_PATCH_VERIFY && plan_check_value_sizes(&s->plan,
	    s->view.hdr.minor, s->hive->where, e) == -1)
		return -1;
	s->unmet = plan_count_unmet(&(const struct lookup_ctx){ s->h,
	    s->view.fd, s->view.where }, &s->plan, e);
	if (s->unmet == -1)
		return -1;
	return run->o->mode != HP_PATCH_VERIFY &&
	    plan_check_rewrites(&s->plan, s->view.where, e) == -1 ? -1 : 0;
}

/* Reopens the hive for writing (hivex then holds all of it in memory;
 * a recovered hive's memory file is let go) and carries out the plan
 * there, judging each item again just before: a later item must see
 * what an earlier one did. */
static int
apply_in_memory(struct patch_run *run, struct session *s, struct hp_err *e)
{
	struct lookup_ctx in_memory = { NULL, -1, NULL };
	size_t i;

	s->n_changes = 0;
	hivex_close(s->h);
	s->h = hive_view_hivex(&s->view, HIVEX_OPEN_WRITE, e);
	if (s->h == NULL ||
	    session_let_go_view(s, patch_may_append(run, s), e) == -1)
		return -1;
	/* Keys made by earlier items live in memory only, not in the view's
	 * file: links were refused on every path when it was planned. */
	in_memory.h = s->h;
	in_memory.where = s->view.where;
	for (i = 0; i < s->plan.n_items; i++) {
		struct plan_item *it = &s->plan.items[i];

		if (plan_judge(&in_memory, it, e) == -1)
			return -1;
		if (it->action == HP_ACT_ALREADY || it->action == HP_ACT_SKIP)
			continue;
		if (apply_item(&in_memory, it, &s->touched, e) == -1)
			return -1;
		s->n_changes++;
	}
	return 0;
}

/* The one-line result. */
static char *
result_phrase(const struct hp_patch_opts *o, int unmet, size_t n_writes,
	      size_t n_changes, size_t n_discarded)
{
	const char *s = n_changes == 1 ? "" : "s";
	const char *hs = n_writes == 1 ? " from its logs" : "s from their logs";
	int recover = o->mode == HP_PATCH_RECOVER, dry = o->flags & HP_DRY_RUN;
	char *text = NULL;
	int n;

	if (o->mode == HP_PATCH_VERIFY && unmet == 0)
		return strdup("compliant");
	if (o->mode == HP_PATCH_VERIFY)
		n = asprintf(&text, "not compliant: %d of the keys and values are "
		    "missing or different", unmet);
	else if (n_writes == 0)
		return strdup(recover ? "clean: nothing to recover" :
		    "already compliant: nothing written");
	else if (recover && n_discarded > 0)
		n = asprintf(&text, "%s%zu hive%s written clean, %zu of them "
		    "from the primary file, its logs discarded%s", dry ?
		    "dry run: " : "", n_writes, n_writes == 1 ? "" : "s",
		    n_discarded, dry ? "" : "; verified from disk");
	else if (recover && dry)
		n = asprintf(&text, "dry run: would recover %zu hive%s",
		    n_writes, hs);
	else if (recover)
		n = asprintf(&text, "recovered %zu hive%s, written and "
		    "verified from disk", n_writes, hs);
	else if (dry)
		n = asprintf(&text, "dry run: %zu change%s would be written",
		    n_changes, s);
	else
		n = asprintf(&text, "%zu change%s written and verified from disk",
		    n_changes, s);
	return n == -1 ? NULL : text;
}

static int
finish_cut_run(struct patch_run *run, struct session *s, struct hp_err *e)
{
	char *what;
	int rc = patch_finish_cut_run(run, s, &what, e);

	if (rc == 1 && run_warn(run, "%s", what) == -1)
		rc = hp_err_nomem(e);
	free(what);
	return rc == -1 ? -1 : 0;
}

/* Keys of HKEY_CLASSES_ROOT: which hive each one is in, as Windows
 * merges the user's classes and the machine's.  Only a tree holds both. */
static int
route_classes(struct patch_run *run, struct hp_err *e)
{
	const struct session *user;
	size_t i;

	for (i = 0; i < run->src.n_ops; i++)
		if (op_in_classes_root(run->src.ops[i]))
			break;
	if (i == run->src.n_ops)
		return 0;
	if (!run->store->ops->tree)
		return hp_err_set(e, HP_R_WRONG_KIND, "%s:%u: key "
		    "'HKEY_CLASSES_ROOT\\%s' is in the user's classes "
		    "(UsrClass.dat) or in HKLM\\SOFTWARE\\Classes, as the two "
		    "decide together, and %s is one hive file; give the Windows "
		    "tree, or write the key under "
		    "HKEY_CURRENT_USER\\Software\\Classes or "
		    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes",
		    run->src.ops[i]->file, run->src.ops[i]->line,
		    run->src.ops[i]->path, hp_store_target(run->store));
	user = run_session_of(run, HP_HIVE_USRCLASS);
	return plan_route_classes(run->src.ops, run->src.n_ops,
	    &(const struct lookup_ctx){ user->h, user->view.fd,
	    user->view.where }, &run->to_machine, e);
}

/* Plans every hive; unless verifying, carries the plan out in memory
 * and commits what changed. */
static int
plan_and_write(struct patch_run *run, struct hp_err *e)
{
	size_t i, n_changes = 0, n_writes = 0, n_discarded = 0;
	int unmet = 0;

	for (i = 0; i < run->n_hives; i++) {
		if (plan_hive(run, &run->hives[i], e) == -1)
			return -1;
		unmet += run->hives[i].unmet;
	}
	if (run->o->output != NULL)
		return recover_to_output(run, e) == -1 ? -1 : HP_OK;
	for (i = 0; run->o->mode != HP_PATCH_VERIFY && i < run->n_hives; i++) {
		struct session *s = &run->hives[i];

		/* A dirty hive that already complies is left to Windows:
		 * its logs recover it to the same. */
		if (s->unmet == 0 && !(run->o->mode == HP_PATCH_RECOVER &&
		    (s->view.rec.replayed || s->discarding))) {
			if (!(run->o->flags & HP_DRY_RUN) &&
			    finish_cut_run(run, s, e) == -1)
				return -1;
			continue;
		}
		/* The hash a page backup needs, meanwhile (a whole copy
		 * hashes what it copies). */
		if (!(run->o->flags & (HP_DRY_RUN | HP_BACKUP_FULL)) &&
		    session_hash_begin(s, e) == -1)
			return -1;
		if (apply_in_memory(run, s, e) == -1)
			return -1;
		s->must_write = 1;
		n_writes++;
		n_discarded += s->discarding;
		n_changes += s->n_changes;
	}
	if (n_writes > 0 && !(run->o->flags & HP_DRY_RUN) &&
	    patch_commit(run, e) == -1)
		return -1;
	run->res->result = result_phrase(run->o, unmet, n_writes, n_changes,
	    n_discarded);
	if (run->res->result == NULL)
		return hp_err_nomem(e);
	return unmet && run->o->mode == HP_PATCH_VERIFY ? HP_NONCOMPLIANT :
	    HP_OK;
}

static int
run_steps(struct patch_run *run, struct hp_err *e)
{
	const struct hp_patch_opts *o = run->o;
	unsigned need;

	if (sources_load(&run->src, o->profile_dir, o->profiles, o->n_profiles,
	    o->reg_files, o->n_reg_files, e) == -1 ||
	    needed_hives(run, &need, e) == -1)
		return -1;
	if (o->output != NULL && o->mode != HP_PATCH_RECOVER)
		return hp_err_set(e, HP_R_USAGE, "%s: an output file is for "
		    "recover, not %s", hp_store_target(run->store),
		    o->command);
	if (o->output != NULL && recover_output_usable(run, e) == -1)
		return -1;
	if (o->mode == HP_PATCH_RECOVER)
		need = run->store->ops->tree ? KIND_BIT(HP_HIVE_SOFTWARE) |
		    KIND_BIT(HP_HIVE_SYSTEM) | present_hives(run->store) :
		    KIND_BIT(HP_HIVE_SOFTWARE);
	/* A bare file is refused HKEY_CLASSES_ROOT before it is read. */
	if ((!run->store->ops->tree && route_classes(run, e) == -1) ||
	    open_hives(run, need, e) == -1)
		return -1;
	detect(run);
	/* recover patches nothing: what Windows it is does not matter. */
	run->res->has_image = o->mode != HP_PATCH_RECOVER;
	if (run->src.uses_auto && resolve_auto(run, e) == -1)
		return -1;
	if (check_requirements(run, e) == -1 || warn_updates(run, e) == -1 ||
	    route_classes(run, e) == -1)
		return -1;
	return plan_and_write(run, e);
}

/* A hive with more than one name: what the run did to the others. */
static int
warn_links(struct patch_run *run, const struct session *s)
{
	uintmax_t n = session_hive_links(s);
	const char *w = s->hive->where;

	if (n < 2)
		return 0;
	if (s->replaced && s->commit == HP_METHOD_LOGGED)
		return run_warn(run, "%s has %ju names (hard links): written in "
		    "place, so every one of them holds the new hive", w, n);
	if (s->replaced)
		return run_warn(run, "%s has %ju names (hard links): replaced by "
		    "a new file under this name only; the other %ju keep the old "
		    "hive", w, n, n - 1);
	if (run->o->mode == HP_PATCH_VERIFY)
		return run_warn(run, "%s has %ju names (hard links): the others "
		    "lead to this same file", w, n);
	return run_warn(run, "%s has %ju names (hard links): a commit in place "
	    "(the default) would change the hive under every one of them, "
	    "--commit=replace under this name only", w, n);
}

/* What the run read and did, into its result. */
static int
fill_result(struct patch_run *run)
{
	struct hp_result *r = run->res;
	size_t i;

	for (i = 0; i < run->n_hives; i++)
		if (warn_links(run, &run->hives[i]) == -1)
			return -1;

	for (i = 0; i < run->src.n_profiles; i++)
		if (strv_push(&r->profiles, &r->n_profiles,
		    run->src.profiles[i]) == -1)
			return -1;
	for (i = 0; i < run->o->n_reg_files; i++)
		if (strv_push(&r->reg_files, &r->n_reg_files,
		    run->o->reg_files[i]) == -1)
			return -1;
	for (i = 0; i < run->n_hives; i++) {
		/* A hash that failed (the read did) is left out. */
		(void)session_sha_read(&run->hives[i], NULL);
		if (result_add_hive(r, &run->hives[i]) == -1)
			return -1;
	}
	if (r->has_image && image_copy(&r->image, &run->image) == -1)
		return -1;
	return 0;
}

static struct hp_result *
result_new(struct hp_store *store, const struct hp_patch_opts *o)
{
	struct hp_result *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->command = strdup(o->command)) == NULL ||
	    (r->target = strdup(hp_store_target(store))) == NULL) {
		hp_result_free(r);
		return NULL;
	}
	r->verify = o->mode == HP_PATCH_VERIFY;
	r->dry_run = (o->flags & HP_DRY_RUN) != 0;
	return r;
}

static void
result_failed(struct hp_result *r, const struct hp_err *e)
{
	r->exit_status = e->status;
	r->reason = e->reason;
	if ((r->error = strdup(e->msg)) == NULL)
		r->reason = HP_R_NO_MEMORY;
	free(r->result);
	r->result = NULL;
}

int
patch_once(struct hp_store *store, const struct hp_patch_opts *o,
	   struct hp_result **result, struct hp_err *e)
{
	struct patch_run run;
	struct hp_result *r;
	int status;

	memset(&run, 0, sizeof(run));
	if ((*result = r = result_new(store, o)) == NULL)
		return hp_err_nomem(e);
	run.o = o;
	run.store = store;
	run.res = r;
	status = run_steps(&run, e);
	if (fill_result(&run) == -1 && status != -1)
		status = hp_err_nomem(e);
	if (status == -1)
		result_failed(r, e);
	else
		r->exit_status = status;
	patch_run_free(&run);
	return status;
}

/* The notes of settling cut runs go first among the warnings. */
static int
prepend_notes(struct hp_result *r, char **notes, size_t n)
{
	size_t i;

	for (i = 0; i < r->n_warnings; i++)
		if (strv_push(&notes, &n, r->warnings[i]) == -1) {
			strv_free(notes, n);
			return -1;
		}
	strv_free(r->warnings, r->n_warnings);
	r->warnings = notes;
	r->n_warnings = n;
	return 0;
}

int
hp_patch(struct hp_store *store, const struct hp_patch_opts *o,
	 struct hp_result **result, struct hp_err *e)
{
	/* One time for the whole run: every hive, and a completion of this
	 * run should it be cut short, stamps the same. */
	struct hp_patch_opts run_o = *o;
	struct timespec now;
	char **notes = NULL;
	size_t n_notes = 0;
	int status;

	*result = NULL;
	if (o->now == NULL) {
		clock_gettime(CLOCK_REALTIME, &now);
		run_o.now = &now;
	}
	if (cutrun_settle(store, &run_o, &notes, &n_notes, e) == -1) {
		strv_free(notes, n_notes);
		if ((*result = result_new(store, &run_o)) != NULL)
			result_failed(*result, e);
		return -1;
	}
	status = patch_once(store, &run_o, result, e);
	if (*result == NULL) {
		strv_free(notes, n_notes);
		return status;
	}
	if (prepend_notes(*result, notes, n_notes) == -1) {
		hp_err_nomem(e);
		result_failed(*result, e);
		return -1;
	}
	return status;
}

void
patch_run_free(struct patch_run *run)
{
	size_t i;

	for (i = 0; i < run->n_hives; i++)
		session_free(&run->hives[i]);
	image_info_free(&run->image);
	sources_free(&run->src);
	free(run->to_machine);
}
