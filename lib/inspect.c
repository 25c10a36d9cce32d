/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hp_inspect: is this image TLS 1.2 ready, and why not?  Reads the
 * SOFTWARE and SYSTEM hives, judges every profile against them and
 * writes nothing. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "autoprofile.h"
#include "detect.h"
#include "cutrun.h"
#include "error.h"
#include "hive.h"
#include "profile.h"
#include "result.h"
#include "session.h"
#include "sources.h"
#include "updates.h"

/* The hives inspect reads: SOFTWARE must be there, SYSTEM may. */
static const struct {
	enum hp_hive_kind kind;
	int required;
} inspected[] = {
	{ HP_HIVE_SOFTWARE, 1 },
	{ HP_HIVE_SYSTEM, 0 },
};
#define N_INSPECTED (sizeof(inspected) / sizeof(inspected[0]))

struct judged {
	struct profile p;
	struct sources src;
	struct plan plans[N_INSPECTED];	/* per hive read, in its order */
	enum hp_profile_state state;
	char reason[256];
	int unmet;
	int chosen_by_auto;
};

struct inspection {
	const struct hp_inspect_opts *o;
	struct hp_inspect *res;
	struct session hives[N_INSPECTED];
	size_t n_hives;
	char select_problem[256];	/* why CurrentControlSet is unknown */
	struct hp_image image;
	struct judged *profiles;
	size_t n_profiles;
};

static struct session *
hive_of(struct inspection *in, enum hp_hive_kind kind)
{
	size_t i;

	for (i = 0; i < in->n_hives; i++)
		if (in->hives[i].kind == kind)
			return &in->hives[i];
	return NULL;
}

static int
warn(struct inspection *in, const char *text, struct hp_err *e)
{
	if (strv_pushf(&in->res->warnings, &in->res->n_warnings, "%s",
	    text) == -1)
		return hp_err_nomem(e);
	return 0;
}

/* A hive with more than one name: inspect only reads it. */
static int
warn_links(struct inspection *in, const struct session *s, struct hp_err *e)
{
	uintmax_t n = session_hive_links(s);

	if (n > 1 && strv_pushf(&in->res->warnings, &in->res->n_warnings,
	    "%s has %ju names (hard links): the others lead to this same "
	    "file", s->hive->where, n) == -1)
		return hp_err_nomem(e);
	return 0;
}

static int
open_hive(struct inspection *in, struct hp_store *store,
	  enum hp_hive_kind kind, int required, struct hp_err *e)
{
	struct hp_store_hive *hive = store_hive_for(store, kind);
	struct session *s = &in->hives[in->n_hives];
	unsigned flags = ((in->o->flags & HP_NO_RECOVER) ? SESSION_NO_RECOVER :
	    0) | ((in->o->flags & HP_HASH_READ) ? SESSION_HASH : 0);
	struct hp_err sel;
	int rc;

	if (!required && (hive == NULL || store_hive_usable(hive, NULL) == -1))
		return 0;
	rc = session_open(s, store, kind, flags, e);
	if (s->hive != NULL)
		in->n_hives++;
	if (rc == -1 || session_skipped_warnings(s, &in->res->warnings,
	    &in->res->n_warnings, e) == -1 || warn_links(in, s, e) == -1 ||
	    session_hivex(s, e) == -1)
		return -1;
	s->kind = s->found;
	if (s->kind != HP_HIVE_SOFTWARE && s->kind != HP_HIVE_SYSTEM)
		return hp_err_set(e, HP_R_WRONG_KIND, "%s: neither a SOFTWARE nor "
		    "a SYSTEM hive (%s)", hive->where, s->why);
	if ((s->found_how & HIVE_KIND_NAME_DIFFERS) && strv_pushf(
	    &in->res->warnings, &in->res->n_warnings, "%s: %s", hive->where,
	    s->why) == -1)
		return hp_err_nomem(e);
	if (s->view.disk.dirty && !s->view.rec.replayed &&
	    warn(in, s->kind == HP_HIVE_SOFTWARE ? "the SOFTWARE hive is dirty: "
	    "read from the primary file (--no-recover), which may be stale" :
	    "the SYSTEM hive is dirty: read from the primary file "
	    "(--no-recover), which may be stale", e) == -1)
		return -1;
	if (s->view.caveat[0] != '\0' && warn(in, s->view.caveat, e) == -1)
		return -1;
	/* A bad Select makes the Schannel profile not applicable, not the
	 * whole inspection fail. */
	if (s->kind == HP_HIVE_SYSTEM && detect_control_sets(s->h, 0,
	    &s->control_sets, &s->n_control_sets, hive->where, &sel) == -1)
		snprintf(in->select_problem, sizeof(in->select_problem),
		    "%.250s", sel.msg);
	return 0;
}

static int
open_target(struct inspection *in, struct hp_store *store, struct hp_err *e)
{
	struct session *sw, *sys;
	size_t i, n = store->ops->tree ? N_INSPECTED : 1;

	for (i = 0; i < n; i++)
		if (open_hive(in, store, inspected[i].kind, inspected[i].required,
		    e) == -1)
			return -1;
	sw = hive_of(in, HP_HIVE_SOFTWARE);
	sys = hive_of(in, HP_HIVE_SYSTEM);
	detect_image(sw ? sw->h : NULL, &in->image);
	detect_system(sys ? sys->h : NULL, &in->image);
	return 0;
}

/* Not applicable, and why (into buf); 0 when it applies. */
static int
not_applicable(struct inspection *in, struct judged *j, char *buf,
	       size_t len)
{
	enum hp_hive_kind kind;
	const char *rel;
	size_t i;

	for (i = 0; i < j->src.n_ops; i++) {
		const struct session *s;

		if (op_hive(j->src.ops[i], &kind, &rel, NULL) == -1)
			return snprintf(buf, len, "a key outside HKLM\\SOFTWARE and "
			    "HKLM\\SYSTEM") > 0;
		if ((s = hive_of(in, kind)) == NULL)
			return snprintf(buf, len, "no %s hive in the target",
			    hp_hive_kind_name(kind)) > 0;
		if (kind == HP_HIVE_SYSTEM &&
		    op_uses_current_control_set(j->src.ops[i]) &&
		    s->n_control_sets == 0)
			return snprintf(buf, len, "%s", in->select_problem) > 0;
	}
	switch (dotnet_gap(j->p.requires_dotnet45, j->p.requires_dotnet35,
	    &in->image)) {
	case DOTNET_OK:
		return 0;
	case DOTNET_40_ONLY:
		return snprintf(buf, len, ".NET Framework 4.0 only; the values "
		    "need 4.5 or later") > 0;
	case DOTNET_45_MISSING:
		return snprintf(buf, len, "no .NET Framework 4.5 or later") > 0;
	default:
		return snprintf(buf, len, "no .NET Framework 3.5") > 0;
	}
}

static int
judge_profile(struct inspection *in, struct judged *j, struct hp_err *e)
{
	size_t i;

	if (sources_load(&j->src, in->o->profile_dir,
	    (const char *const[]){ j->p.name }, 1, NULL, 0, e) == -1)
		return -1;
	if (not_applicable(in, j, j->reason, sizeof(j->reason))) {
		j->state = HP_PROFILE_NOT_APPLICABLE;
		return 0;
	}
	for (i = 0; i < in->n_hives; i++) {
		struct session *s = &in->hives[i];
		struct map_ctx ctx = { s->kind, in->image.is_64bit,
		    s->control_sets, s->n_control_sets, NULL };
		int unmet;

		if (plan_map(j->src.ops, j->src.n_ops, &ctx, &j->plans[i],
		    e) == -1)
			return -1;
		const struct lookup_ctx c = { s->h, s->view.fd, s->view.where };

		if ((unmet = plan_count_unmet(&c, &j->plans[i], e)) == -1)
			return -1;
		j->unmet += unmet;
	}
	j->state = j->unmet ? HP_PROFILE_NOT_COMPLIANT : HP_PROFILE_COMPLIANT;
	if (j->unmet)
		snprintf(j->reason, sizeof(j->reason),
		    "%d of its keys and values missing or different", j->unmet);
	return 0;
}

/* A hive read stale (--no-recover) that apply would read as its logs
 * recover it: when they cannot, apply refuses, and is not advised. */
static int
check_apply_reads(struct inspection *in, struct hp_err *e)
{
	struct hp_inspect *r = in->res;
	struct hp_view v;
	struct hp_err why;
	size_t i;

	for (i = 0; i < in->n_hives; i++) {
		const struct session *s = &in->hives[i];

		if (!s->view.disk.dirty || s->view.rec.replayed)
			continue;
		if (hive_view_open(&s->files, s->hive->where, HP_VIEW_FOR_WRITE,
		    &v, &why) == 0) {
			hive_view_close(&v);
			continue;
		}
		hive_view_close(&v);
		r->advice = HP_ADVISE_DIRTY;
		if ((r->advice_reason = strdup(why.msg)) == NULL)
			return hp_err_nomem(e);
		return 0;
	}
	return 0;
}

/* The updates the profiles auto chose need: one missing makes the image
 * not ready, whatever its values, and is what to do first. */
static int
check_updates(struct inspection *in, struct hp_err *e)
{
	const struct session *sw = hive_of(in, HP_HIVE_SOFTWARE);
	struct hp_inspect *r = in->res;
	char why[512];
	size_t i, k;

	for (i = 0; sw != NULL && i < in->n_profiles; i++) {
		const struct judged *j = &in->profiles[i];

		for (k = 0; j->chosen_by_auto && k < j->p.n_updates; k++) {
			if (!update_missing(sw->h, &in->image, &j->p.updates[k],
			    why, sizeof(why)))
				continue;
			if (warn(in, why, e) == -1)
				return -1;
			if (r->advice == HP_ADVISE_UPDATE)
				continue;
			r->ready = 0;
			r->advice = HP_ADVISE_UPDATE;
			if ((r->advice_profile = strdup(j->p.updates[k].kb)) ==
			    NULL || (r->advice_reason = strdup(why)) == NULL)
				return hp_err_nomem(e);
		}
	}
	return 0;
}

/* What auto chooses, and whether the image is ready by its rules. */
static int
judge_auto(struct inspection *in, struct hp_err *e)
{
	struct hp_inspect *r = in->res;
	const struct judged *blocked = NULL;
	const char *names[AUTO_MAX];
	char why[256];
	struct hp_err auto_err;
	size_t i, k, n = 0;

	r->auto_ok = auto_choose(&in->image, names, &n, why, sizeof(why),
	    &auto_err) == 0;
	r->auto_reason = strdup(r->auto_ok ? why : auto_err.msg);
	if (r->auto_reason == NULL)
		return hp_err_nomem(e);
	for (k = 0; k < n; k++)
		if (strv_push(&r->auto_profiles, &r->n_auto_profiles,
		    names[k]) == -1)
			return hp_err_nomem(e);
	r->ready = r->auto_ok;
	for (i = 0; i < in->n_profiles; i++) {
		struct judged *j = &in->profiles[i];

		for (k = 0; k < n; k++)
			if (strcmp(names[k], j->p.name) == 0)
				j->chosen_by_auto = 1;
		if (j->chosen_by_auto && j->state != HP_PROFILE_COMPLIANT)
			r->ready = 0;
		/* auto wants it but this target cannot take it (no SYSTEM
		 * hive, a bad Select): apply would be refused. */
		if (j->chosen_by_auto && blocked == NULL &&
		    j->state == HP_PROFILE_NOT_APPLICABLE)
			blocked = j;
	}
	r->has_system = hive_of(in, HP_HIVE_SYSTEM) != NULL;
	if (blocked != NULL) {
		r->advice = HP_ADVISE_BLOCKED;
		r->advice_profile = strdup(blocked->p.name);
		r->advice_reason = strdup(blocked->reason);
		if (r->advice_profile == NULL || r->advice_reason == NULL)
			return hp_err_nomem(e);
	} else if (!r->auto_ok) {
		r->advice = HP_ADVISE_NO_AUTO;
	} else {
		r->advice = r->ready ? HP_ADVISE_NONE_READY : HP_ADVISE_APPLY_AUTO;
	}
	if ((r->advice == HP_ADVISE_APPLY_AUTO || r->advice ==
	    HP_ADVISE_NONE_READY) && check_updates(in, e) == -1)
		return -1;
	return r->advice == HP_ADVISE_APPLY_AUTO ? check_apply_reads(in, e) : 0;
}

static int
judge_all(struct inspection *in, struct hp_err *e)
{
	struct profile *list;
	size_t i, n;

	if (profile_list(in->o->profile_dir, &list, &n, e) == -1)
		return -1;
	in->profiles = calloc(n ? n : 1, sizeof(*in->profiles));
	if (in->profiles == NULL) {
		profile_list_free(list, n);
		return hp_err_nomem(e);
	}
	/* The judged profiles take over the strings of the list. */
	for (i = 0; i < n; i++)
		in->profiles[i].p = list[i];
	in->n_profiles = n;
	free(list);
	for (i = 0; i < in->n_profiles; i++)
		if (judge_profile(in, &in->profiles[i], e) == -1)
			return -1;
	return judge_auto(in, e);
}

/* The values the applicable profiles set, each once, with what the
 * image holds. */
static int
seen_before(const struct hp_inspect *r, const struct plan_item *it)
{
	size_t i;

	for (i = 0; i < r->n_values; i++)
		if (strcasecmp(r->values[i].key, it->display_key) == 0 &&
		    strcasecmp(r->values[i].name, it->op->name) == 0)
			return 1;
	return 0;
}

static int
add_value(struct hp_inspect *r, const struct plan_item *it,
	  const char *profile)
{
	struct hp_inspect_value *grown, *v;

	grown = reallocarray(r->values, r->n_values + 1, sizeof(*grown));
	if (grown == NULL)
		return -1;
	r->values = grown;
	v = &r->values[r->n_values++];
	memset(v, 0, sizeof(*v));
	v->key = strdup(it->display_key);
	v->name = strdup(it->op->name);
	v->profile = strdup(profile);
	v->present = it->had_value;
	if (v->key == NULL || v->name == NULL || v->profile == NULL)
		return -1;
	return it->had_value ? data_copy(&v->data, it->before_type, it->before,
	    it->before_len) : 0;
}

static int
collect_values(struct inspection *in)
{
	size_t i, h, k;

	for (i = 0; i < in->n_profiles; i++)
		for (h = 0; h < N_INSPECTED; h++)
			for (k = 0; k < in->profiles[i].plans[h].n_items; k++) {
				const struct plan_item *it =
				    &in->profiles[i].plans[h].items[k];

				if (it->op->kind != HP_OP_SET_VALUE ||
				    it->action == HP_ACT_SKIP ||
				    seen_before(in->res, it))
					continue;
				if (add_value(in->res, it,
				    in->profiles[i].p.name) == -1)
					return -1;
			}
	return 0;
}

/* HP_HASH_READ: the SHA-256 of the hive and of each log as read (a
 * hash that failed, as the read did, is left out). */
static int
hashes_of(struct hp_inspect_hive *h, struct session *s)
{
	size_t i, n;

	(void)session_sha_read(s, NULL);
	if (s->sha_read[0] != '\0' && (h->sha_read = strdup(s->sha_read)) ==
	    NULL)
		return -1;
	for (i = 0; s->logs_sha != NULL && i < s->files.n_logs; i++) {
		/* The hashes first: out of memory leaves n_logs counting
		 * no more of them than there are. */
		n = h->n_logs;
		if (strv_push(&h->logs_sha, &n, s->logs_sha[i]) == -1 ||
		    strv_push(&h->logs, &h->n_logs, s->files.logs[i].where) ==
		    -1)
			return -1;
	}
	return 0;
}

static int
fill_hives(struct inspection *in)
{
	struct hp_inspect *r = in->res;
	size_t i;

	r->hives = calloc(in->n_hives ? in->n_hives : 1, sizeof(*r->hives));
	if (r->hives == NULL)
		return -1;
	for (i = 0; i < in->n_hives; i++) {
		struct session *s = &in->hives[i];
		struct hp_inspect_hive *h = &r->hives[r->n_hives++];

		h->kind = s->kind;
		h->dirty = s->view.disk.dirty;
		h->seq[0] = s->view.disk.seq_primary;
		h->seq[1] = s->view.disk.seq_secondary;
		if ((h->where = strdup(s->hive->where)) == NULL ||
		    recovery_copy(&h->recovery, &s->view.rec) == -1)
			return -1;
		if (s->n_control_sets > 0 && (h->current_control_set =
		    strdup(s->control_sets[0])) == NULL)
			return -1;
		if (hashes_of(h, s) == -1)
			return -1;
	}
	return 0;
}

static int
fill_profiles(struct inspection *in)
{
	struct hp_inspect *r = in->res;
	size_t i;

	r->profiles = calloc(in->n_profiles ? in->n_profiles : 1,
	    sizeof(*r->profiles));
	if (r->profiles == NULL)
		return -1;
	for (i = 0; i < in->n_profiles; i++) {
		const struct judged *j = &in->profiles[i];
		struct hp_inspect_profile *p = &r->profiles[r->n_profiles++];

		p->state = j->state;
		p->chosen_by_auto = j->chosen_by_auto;
		p->name = strdup(j->p.name);
		p->description = strdup(j->p.description);
		p->reason = j->reason[0] ? strdup(j->reason) : NULL;
		if (p->name == NULL || p->description == NULL ||
		    (j->reason[0] && p->reason == NULL))
			return -1;
	}
	r->has_image = 1;
	return image_copy(&r->image, &in->image) == -1 ? -1 :
	    collect_values(in);
}

static void
inspection_free(struct inspection *in)
{
	size_t i, h;

	for (i = 0; i < in->n_hives; i++)
		session_free(&in->hives[i]);
	for (i = 0; i < in->n_profiles; i++) {
		for (h = 0; h < N_INSPECTED; h++)
			plan_free(&in->profiles[i].plans[h]);
		sources_free(&in->profiles[i].src);
		profile_free(&in->profiles[i].p);
	}
	free(in->profiles);
	image_info_free(&in->image);
}

/* A run over two hives cut short between its commits: inspect says so,
 * as verify does, and writes nothing. */
static int
note_cut_runs(struct inspection *in, struct hp_store *store,
	      struct hp_err *e)
{
	const struct hp_patch_opts only_read = { .command = "inspect",
	    .mode = HP_PATCH_VERIFY, .backup_root = in->o->backup_root };

	return cutrun_settle(store, &only_read, &in->res->warnings,
	    &in->res->n_warnings, e);
}

int
hp_inspect(struct hp_store *store, const struct hp_inspect_opts *opts,
	   struct hp_inspect **result, struct hp_err *e)
{
	struct inspection in;
	struct hp_inspect *r;
	int status = -1;

	*result = NULL;
	memset(&in, 0, sizeof(in));
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->target = strdup(hp_store_target(store))) == NULL) {
		free(r);
		return hp_err_nomem(e);
	}
	in.o = opts;
	in.res = r;
	if (open_target(&in, store, e) == 0 && note_cut_runs(&in, store,
	    e) == 0 && judge_all(&in, e) == 0) {
		if (fill_profiles(&in) == -1)
			hp_err_nomem(e);
		else
			status = r->ready ? HP_OK : HP_NONCOMPLIANT;
	}
	if (fill_hives(&in) == -1 && status != -1)
		status = hp_err_nomem(e);
	if (status == -1) {
		r->reason = e->reason;
		r->exit_status = e->status;
		r->error = strdup(e->msg);
	} else {
		r->exit_status = status;
	}
	inspection_free(&in);
	*result = r;
	return status;
}

void
hp_inspect_free(struct hp_inspect *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->target);
	for (i = 0; i < r->n_hives; i++) {
		free(r->hives[i].where);
		free(r->hives[i].current_control_set);
		free(r->hives[i].sha_read);
		strv_free(r->hives[i].logs, r->hives[i].n_logs);
		strv_free(r->hives[i].logs_sha, r->hives[i].n_logs);
		free(r->hives[i].recovery.logs_used[0]);
		free(r->hives[i].recovery.logs_used[1]);
	}
	free(r->hives);
	image_info_free(&r->image);
	for (i = 0; i < r->n_values; i++) {
		free(r->values[i].key);
		free(r->values[i].name);
		free(r->values[i].profile);
		data_free(&r->values[i].data);
	}
	free(r->values);
	for (i = 0; i < r->n_profiles; i++) {
		free(r->profiles[i].name);
		free(r->profiles[i].description);
		free(r->profiles[i].reason);
	}
	free(r->profiles);
	strv_free(r->auto_profiles, r->n_auto_profiles);
	free(r->auto_reason);
	strv_free(r->warnings, r->n_warnings);
	free(r->advice_profile);
	free(r->advice_reason);
	free(r->error);
	free(r);
}
