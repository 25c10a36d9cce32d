/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the renderers of the command line
 * (src/render_text.c, src/render_json.c), through which every byte of an
 * image reaches a terminal or a program:
 *
 *   ./configure --enable-fuzzing && make fuzz-render
 *
 * The input is read as a stream of choices that builds a run's result
 * (struct hp_result), an inspection (struct hp_inspect), a list of
 * backups (struct hp_backups) and a rollback (struct hp_rollback), each
 * as the library hands them over (what the header says may be NULL is
 * NULL at times, what it says is set is set), with hostile names and
 * data: any bytes, quotes, backslashes, control characters, broken
 * UTF-8, data of any type and length.  Each is rendered as the commands
 * render it, as text and as JSON, into memory.  Besides the sanitizers,
 * the target checks that each JSON document parses back as one object
 * of its schema, that its target reads back as given, and that the
 * error of a failed run is there; and that the text, escaped as
 * hp_escape_text promises, is well-formed UTF-8 with no control
 * character but the line ends, no line or paragraph separator and no
 * bidirectional formatting character.  An input that runs out gives zeros
 * and empty strings.  test_fuzz replays tests/fuzz-regressions/render/. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fuzz.h"
#include "hivepatch.h"
#include "render.h"

/* The input and everything built from it (freed together). */
struct src {
	const uint8_t *p;
	size_t n;
	void **owned;
	size_t n_owned, cap_owned;
};

static unsigned
take8(struct src *s)
{
	if (s->n == 0)
		return 0;
	s->n--;
	return *s->p++;
}

static uint32_t
take32(struct src *s)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v |= (uint32_t)take8(s) << (8 * i);
	return v;
}

static uint64_t
take64(struct src *s)
{
	return (uint64_t)take32(s) | (uint64_t)take32(s) << 32;
}

/* A number below `bound`. */
static size_t
take_below(struct src *s, size_t bound)
{
	return take8(s) % bound;
}

static void *
own(struct src *s, size_t size)
{
	void *p;

	if (s->n_owned == s->cap_owned) {
		size_t cap = s->cap_owned ? 2 * s->cap_owned : 256;
		void **grown = realloc(s->owned, cap * sizeof(*grown));

		if (grown == NULL)
			abort();
		s->owned = grown;
		s->cap_owned = cap;
	}
	if ((p = calloc(1, size ? size : 1)) == NULL)
		abort();
	s->owned[s->n_owned++] = p;
	return p;
}

static void
free_owned(struct src *s)
{
	size_t i;

	for (i = 0; i < s->n_owned; i++)
		free(s->owned[i]);
	free(s->owned);
}

/* Any bytes up to the first NUL: names as hostile as an image's. */
static char *
take_str(struct src *s)
{
	size_t len = take8(s);
	char *str;

	if (len > s->n)
		len = s->n;
	str = own(s, len + 1);
	memcpy(str, s->p, len);
	s->p += len;
	s->n -= len;
	return str;
}

/* A string that the header allows to be NULL. */
static char *
take_opt(struct src *s)
{
	return take8(s) & 1 ? take_str(s) : NULL;
}

static char **
take_strv(struct src *s, size_t max, size_t *n)
{
	char **v;
	size_t i;

	*n = take_below(s, max + 1);
	v = own(s, *n * sizeof(*v));
	for (i = 0; i < *n; i++)
		v[i] = take_str(s);
	return v;
}

static void
take_data(struct src *s, struct hp_data *d)
{
	static const uint32_t types[] = { 1, 2, 3, 4, 7, 11, 0, 5 };
	unsigned t = take8(s);
	size_t i;

	d->type = t < 248 ? types[t % 8] : take32(s);
	switch (take8(s) % 4) {
	case 0:
		d->len = 4;
		break;
	case 1:
		d->len = 8;
		break;
	default:
		d->len = take8(s);
		if ((take8(s) & 7) == 0)
			d->len *= 64;
		break;
	}
	d->bytes = own(s, d->len);
	for (i = 0; i < d->len && s->n > 0; i++)
		d->bytes[i] = (unsigned char)take8(s);
	if (d->type == 1 || d->type == 2)
		d->text = take_opt(s);
}

static void
take_image(struct src *s, struct hp_image *im)
{
	static const char *const versions[] = { NULL, "4.5", "4.8", "4.8.1" };
	unsigned bits = take8(s);

	im->from_software = bits & 1;
	im->is_64bit = (bits >> 1) & 1;
	im->dotnet4_full = (bits >> 2) & 1;
	im->has_release = (bits >> 3) & 1;
	im->dotnet35 = (bits >> 4) & 1;
	im->dotnet20 = (bits >> 5) & 1;
	im->release = take32(s);
	im->dotnet4_version = versions[take_below(s, 4)];
	im->product = take_opt(s);
	im->build = take_opt(s);
	im->edition = take_opt(s);
	im->display_version = take_opt(s);
	im->processor_arch = take_opt(s);
}

static void
take_recovery(struct src *s, struct hp_recovery *rep)
{
	unsigned bits = take8(s);
	size_t i;

	rep->dirty = bits & 1;
	rep->replayed = (bits >> 1) & 1;
	rep->base_block_recovered = (bits >> 2) & 1;
	rep->started_late = (bits >> 3) & 1;
	rep->stopped_early = (bits >> 4) & 1;
	rep->format = (enum hp_log_format)take_below(s, 3);
	rep->n_logs_used = take_below(s, 3);
	for (i = 0; i < rep->n_logs_used; i++)
		rep->logs_used[i] = take_str(s);
	rep->entries_applied = take32(s);
	rep->pages_applied = take32(s);
	rep->seq_before_primary = take32(s);
	rep->seq_before_secondary = take32(s);
	rep->seq_after = take32(s);
	rep->seq_first = take32(s);
	rep->log_end = take64(s);
	if (rep->stopped_early) {
		char *why = take_str(s);

		snprintf(rep->stop_reason, sizeof(rep->stop_reason), "%s", why);
	}
}

static void
take_change(struct src *s, struct hp_change *c)
{
	unsigned bits = take8(s);

	c->hive = (enum hp_hive_kind)take_below(s, HP_HIVE_COMPONENTS + 1);
	c->op = (enum hp_op)take_below(s, 4);
	c->action = (enum hp_action)take_below(s, 5);
	c->key = take_str(s);
	if (c->op == HP_OP_SET_VALUE || c->op == HP_OP_DELETE_VALUE)
		c->name = take_str(s);
	if (c->action == HP_ACT_SKIP)
		c->skip_reason = take_str(s);
	c->key_existed = bits & 1;
	c->had_value = (bits >> 1) & 1;
	if (c->had_value)
		take_data(s, &c->before);
	if (c->op == HP_OP_SET_VALUE)
		take_data(s, &c->after);
	c->source = take_str(s);
	c->line = take32(s);
}

static void
take_hive_report(struct src *s, struct hp_hive_report *h)
{
	unsigned bits = take8(s);
	size_t i;

	h->kind = (enum hp_hive_kind)take_below(s, HP_HIVE_COMPONENTS + 1);
	h->where = take_str(s);
	h->read = bits & 1;
	h->dirty = (bits >> 1) & 1;
	h->all_control_sets = (bits >> 2) & 1;
	h->planned = (bits >> 3) & 1;
	h->seq[0] = take32(s);
	h->seq[1] = take32(s);
	h->logs = take_strv(s, 3, &h->n_logs);
	h->control_sets = take_strv(s, 3, &h->n_control_sets);
	h->n_changes = take_below(s, 7);
	h->changes = own(s, h->n_changes * sizeof(*h->changes));
	for (i = 0; i < h->n_changes; i++)
		take_change(s, &h->changes[i]);
	h->backup = take_opt(s);
	h->sha_before = take_opt(s);
	h->sha_after = take_opt(s);
	h->seq_after = take32(s);
	h->logs_reset = take_strv(s, 3, &h->n_logs_reset);
	take_recovery(s, &h->recovery);
	h->commit = (enum hp_commit_method)take_below(s, 3);
	if (h->commit == HP_METHOD_LOGGED)
		h->commit_log = take_str(s);
	h->commit_log_format = (int)take_below(s, 3);
	h->pages_written = take32(s);
	h->last_written = take64(s);
	h->keys_stamped = take32(s);
}

/* A failure: an error and a reason of its status. */
static void
take_outcome(struct src *s, int *exit_status, enum hp_reason *reason,
	     char **error)
{
	if (take8(s) & 1) {
		*reason = (enum hp_reason)(1 + take_below(s, HP_R_NO_MEMORY));
		*exit_status = (int)hp_reason_status(*reason);
		*error = take_str(s);
	} else {
		*exit_status = (int)take_below(s, 2);
	}
}

static void
take_result(struct src *s, struct hp_result *r)
{
	static const char *const commands[] = { "apply", "verify", "import",
	    "recover" };
	size_t i;

	r->command = (char *)commands[take_below(s, 4)];
	r->target = take_str(s);
	r->n_hives = take_below(s, 4);
	r->hives = own(s, r->n_hives * sizeof(*r->hives));
	for (i = 0; i < r->n_hives; i++)
		take_hive_report(s, &r->hives[i]);
	r->has_image = take8(s) & 1;
	if (r->has_image)
		take_image(s, &r->image);
	r->profiles = take_strv(s, 3, &r->n_profiles);
	r->auto_reason = take_opt(s);
	r->reg_files = take_strv(s, 3, &r->n_reg_files);
	r->verify = take8(s) & 1;
	r->dry_run = take8(s) & 1;
	r->result = take_opt(s);
	r->warnings = take_strv(s, 3, &r->n_warnings);
	take_outcome(s, &r->exit_status, &r->reason, &r->error);
}

static void
take_inspect(struct src *s, struct hp_inspect *r)
{
	size_t i;

	r->target = take_str(s);
	r->n_hives = take_below(s, 3);
	r->hives = own(s, r->n_hives * sizeof(*r->hives));
	for (i = 0; i < r->n_hives; i++) {
		struct hp_inspect_hive *h = &r->hives[i];

		h->kind = (enum hp_hive_kind)take_below(s,
		    HP_HIVE_COMPONENTS + 1);
		h->where = take_str(s);
		h->dirty = take8(s) & 1;
		h->seq[0] = take32(s);
		h->seq[1] = take32(s);
		take_recovery(s, &h->recovery);
		h->current_control_set = take_opt(s);
	}
	r->has_image = take8(s) & 1;
	take_image(s, &r->image);
	r->n_values = take_below(s, 5);
	r->values = own(s, r->n_values * sizeof(*r->values));
	for (i = 0; i < r->n_values; i++) {
		struct hp_inspect_value *v = &r->values[i];

		v->key = take_str(s);
		v->name = take_str(s);
		v->present = take8(s) & 1;
		if (v->present)
			take_data(s, &v->data);
		v->profile = take_str(s);
	}
	r->n_profiles = take_below(s, 4);
	r->profiles = own(s, r->n_profiles * sizeof(*r->profiles));
	for (i = 0; i < r->n_profiles; i++) {
		struct hp_inspect_profile *p = &r->profiles[i];

		p->name = take_str(s);
		p->description = take_str(s);
		p->state = (enum hp_profile_state)take_below(s, 3);
		p->reason = take_opt(s);
		p->chosen_by_auto = take8(s) & 1;
	}
	r->auto_profiles = take_strv(s, 3, &r->n_auto_profiles);
	r->auto_ok = take8(s) & 1;
	r->auto_reason = take_str(s);
	r->warnings = take_strv(s, 3, &r->n_warnings);
	r->ready = take8(s) & 1;
	r->advice = (enum hp_advice)take_below(s, 4);
	if (r->advice == HP_ADVISE_BLOCKED) {
		r->advice_profile = take_str(s);
		r->advice_reason = take_str(s);
	}
	r->has_system = take8(s) & 1;
	take_outcome(s, &r->exit_status, &r->reason, &r->error);
}

static void
take_backup_hive(struct src *s, struct hp_backup_hive *h)
{
	h->kind = (enum hp_hive_kind)take_below(s, HP_HIVE_COMPONENTS + 1);
	h->where = take_str(s);
	h->sha256_before = take_str(s);
	h->sha256_after = take_str(s);
	h->pages = take8(s) & 1;
	h->bytes = take64(s);
}

static void
take_backups(struct src *s, struct hp_backups *r)
{
	size_t i, j;

	r->target = take_str(s);
	r->backup_root = take_opt(s);
	r->n_runs = take_below(s, 4);
	r->runs = own(s, r->n_runs * sizeof(*r->runs));
	for (i = 0; i < r->n_runs; i++) {
		struct hp_backup_run *run = &r->runs[i];

		run->id = take_str(s);
		run->time = take_str(s);
		run->command = take_str(s);
		run->profiles = take_strv(s, 3, &run->n_profiles);
		run->n_hives = take_below(s, 4);
		run->hives = own(s, run->n_hives * sizeof(*run->hives));
		for (j = 0; j < run->n_hives; j++)
			take_backup_hive(s, &run->hives[j]);
		run->bytes = take64(s);
		run->step = (unsigned)(i + 1);
	}
	r->n_changed = take_below(s, 3);
	r->changed = own(s, r->n_changed * sizeof(*r->changed));
	for (i = 0; i < r->n_changed; i++) {
		struct hp_backup_changed *c = &r->changed[i];

		c->kind = (enum hp_hive_kind)take_below(s,
		    HP_HIVE_COMPONENTS + 1);
		c->where = take_str(s);
		c->id = take_str(s);
		c->time = take_str(s);
		c->pages = take8(s) & 1;
	}
	take_outcome(s, &r->exit_status, &r->reason, &r->error);
}

static void
take_rollback(struct src *s, struct hp_rollback *r)
{
	size_t i;

	r->target = take_str(s);
	r->checked = take8(s) & 1;
	r->n_files = take_below(s, 4);
	r->files = own(s, r->n_files * sizeof(*r->files));
	for (i = 0; i < r->n_files; i++) {
		struct hp_rollback_file *f = &r->files[i];

		f->where = take_str(s);
		f->is_log = take8(s) & 1;
		f->written = take8(s) & 1;
		f->time = take_str(s);
		f->sha256 = take_str(s);
		f->backup = take_str(s);
	}
	/* Its warnings go to stderr, which the fuzzer's reports share. */
	take_outcome(s, &r->exit_status, &r->reason, &r->error);
}

/* What was rendered: NUL-terminated, in a buffer of its own. */
struct out {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *
out_open(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	if ((o->f = open_memstream(&o->buf, &o->len)) == NULL)
		abort();
	return o->f;
}

static void
out_close(struct out *o)
{
	if (fclose(o->f) != 0)
		abort();
}

/* One JSON object of the schema, whose target and error read back. */
static void
check_json(struct out *o, const char *schema, const char *target,
	   const char *error)
{
	struct json_object *doc, *v;

	out_close(o);
	doc = json_tokener_parse(o->buf);
	if (doc == NULL || !json_object_is_type(doc, json_type_object))
		abort();
	if (!json_object_object_get_ex(doc, "schema", &v) ||
	    strcmp(json_object_get_string(v), schema) != 0)
		abort();
	if (!json_object_object_get_ex(doc, "target", &v) ||
	    strcmp(json_object_get_string(v), target) != 0)
		abort();
	if (!json_object_object_get_ex(doc, "error", &v))
		abort();
	if (error != NULL ? json_object_get_string(v) == NULL ||
	    strcmp(json_object_get_string(v), error) != 0 : v != NULL)
		abort();
	json_object_put(doc);
	free(o->buf);
}

/* The code point of the well-formed UTF-8 character at p (of n bytes
 * left) and its length in *len; -1 when there is none. */
static long
utf8_next(const unsigned char *p, size_t n, size_t *len)
{
	static const long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	long cp;
	size_t i, k;

	if (p[0] < 0x80) {
		*len = 1;
		return p[0];
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4;
	else
		return -1;
	if (n < k)
		return -1;
	cp = p[0] & (0x7f >> k);
	for (i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = k;
	return cp;
}

/* What a terminal must never be sent from an image. */
static int
unsafe(long cp)
{
	return (cp < 0x20 && cp != '\n') || cp == 0x7f ||
	    (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static void
check_text(struct out *o)
{
	const unsigned char *p;
	size_t left, len;
	long cp;

	out_close(o);
	p = (const unsigned char *)o->buf;
	left = o->len;
	while (left > 0) {
		cp = utf8_next(p, left, &len);
		if (cp < 0 || unsafe(cp)) {
			fprintf(stderr, "fuzz_render: text output holds %s at "
			    "byte %zu\n", cp < 0 ? "broken UTF-8" :
			    "a control or formatting character",
			    (size_t)(p - (const unsigned char *)o->buf));
			abort();
		}
		p += len;
		left -= len;
	}
	free(o->buf);
}

int
fuzz_render(const uint8_t *data, size_t size)
{
	struct src s = { data, size, NULL, 0, 0 };
	struct hp_result result;
	struct hp_inspect inspect;
	struct hp_backups backups;
	struct hp_rollback rollback;
	const struct hp_rollback_opts rollback_opts = { .to = "to" };
	struct hp_err e;
	unsigned flags;
	struct out o;

	memset(&result, 0, sizeof(result));
	memset(&inspect, 0, sizeof(inspect));
	memset(&backups, 0, sizeof(backups));
	memset(&rollback, 0, sizeof(rollback));
	take_result(&s, &result);
	take_inspect(&s, &inspect);
	take_backups(&s, &backups);
	take_rollback(&s, &rollback);

	/* As the commands render them: text for a run that did not fail
	 * (as it is and with -v), JSON either way. */
	render_json_print(render_json_report(&result), out_open(&o));
	check_json(&o, "hivepatch-report/1", result.target, result.error);
	for (flags = 0; result.error == NULL && flags <= RENDER_VERBOSE;
	    flags++) {
		render_text_report(&result, flags, out_open(&o));
		check_text(&o);
	}
	render_json_print(render_json_inspect(&inspect), out_open(&o));
	check_json(&o, "hivepatch-inspect/1", inspect.target, inspect.error);
	for (flags = 0; inspect.error == NULL && flags <= RENDER_VERBOSE;
	    flags++) {
		render_text_inspect(&inspect, flags, out_open(&o));
		check_text(&o);
	}
	render_json_print(render_json_backups(&backups), out_open(&o));
	check_json(&o, "hivepatch-backups/1", backups.target, backups.error);
	for (flags = 0; backups.error == NULL && backups.backup_root != NULL &&
	    flags <= RENDER_VERBOSE; flags++) {
		render_text_backups(&backups, flags, out_open(&o));
		check_text(&o);
	}
	render_text_rollback(&rollback, out_open(&o));
	check_text(&o);
	render_json_print(render_json_rollback(&rollback, &rollback_opts),
	    out_open(&o));
	check_json(&o, "hivepatch-rollback/1", rollback.target, rollback.error);

	/* A store that could not be opened. */
	memset(&e, 0, sizeof(e));
	e.reason = result.reason != HP_R_NONE ? result.reason : HP_R_NOT_FOUND;
	e.status = hp_reason_status(e.reason);
	snprintf(e.msg, sizeof(e.msg), "%s", result.error ? result.error :
	    result.target);
	render_json_print(render_json_failure(result.command, result.target,
	    &e), out_open(&o));
	check_json(&o, "hivepatch-report/1", result.target, e.msg);

	free_owned(&s);
	return 0;
}

FUZZ_ENTRY(fuzz_render)
