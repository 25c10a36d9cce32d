/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The stores a TARGET names: a tree or a hive file is one store; an
 * image file is a store per Windows it holds that --image or
 * --partition choose.  A command runs once per store and renders each
 * run; for an image, the runs' JSON documents go into one document that
 * names each part (render_json_image). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "render.h"

/* The store just opened reads hives of at most --max-hive-size bytes
 * (0: the library's default); on failure it is closed. */
static int
limit_store(struct cli_target *t, struct hp_err *e)
{
	if (t->o.max_hive == 0 ||
	    hp_store_set_hive_limit(t->store, t->o.max_hive, e) == 0)
		return 0;
	hp_store_close(t->store);
	t->store = NULL;
	return -1;
}

static int
worse(int a, int b)
{
	return a > b ? a : b;
}

/* A failure to open TARGET, as the command reports it (its status
 * stands if the document cannot be). */
static int
open_failed(const struct cli_target *t, const struct hp_err *e)
{
	if (t->cc->json)
		(void)render_json_print(t->o.report_schema ?
		    render_json_failure(t->cc->command, t->o.target, e) :
		    render_json_error(t->cc->command, t->o.target, e), stdout);
	return cli_fail(e);
}

static int
open_image(struct cli_target *t, struct hp_err *e)
{
	unsigned flags = (t->o.write ? HP_IMAGE_WRITE : 0) |
	    (t->o.single ? HP_IMAGE_ONE : 0);

	if (hp_image_open(t->o.target, t->o.write ? HP_IMAGE_WRITE : 0,
	    &t->img, e) == -1 || hp_image_choose(t->img, t->o.image,
	    t->o.partition, flags, &t->chosen, &t->n_chosen, e) == -1)
		return -1;
	if (!t->cc->json)
		return 0;
	/* A JSON report names the image file's hash before and after, and
	 * holds each part's run. */
	if (hp_image_sha256(t->img, t->sha_before, e) == -1)
		return -1;
	if ((t->runs = calloc(t->n_chosen, sizeof(*t->runs))) == NULL) {
		e->status = HP_IOERR;
		e->reason = HP_R_NO_MEMORY;
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		return -1;
	}
	return 0;
}

int
cli_target_open(const struct cli_common *cc, const struct cli_target_opts *o,
		struct cli_target *t)
{
	struct hp_err e = { 0 };
	enum hp_image_kind kind;
	int rc;

	memset(t, 0, sizeof(*t));
	t->cc = cc;
	t->o = *o;
	if (hp_image_probe(o->target, &kind, &e) == -1)
		return open_failed(t, &e);
	if (kind != HP_IMAGE_NONE) {
		if (open_image(t, &e) == 0)
			return 0;
		rc = open_failed(t, &e);
		t->n_chosen = 0;
		cli_target_close(t);
		return rc;
	}
	/* A TARGET that is missing says so (the store's error), not that
	 * it is no image. */
	if ((o->image != NULL || o->partition != NULL) &&
	    access(o->target, F_OK) == 0)
		return cli_usage(cc, "%s is for image files; %s is a Windows "
		    "tree or a hive", o->image != NULL ? "--image" :
		    "--partition", o->target);
	if (hp_store_open_user(o->target, o->user, &t->store, &e) == -1 ||
	    limit_store(t, &e) == -1)
		return open_failed(t, &e);
	return 0;
}

/* Opens the store of the next chosen part; a part that cannot be
 * opened is reported and counted, and the next one tried. */
static struct hp_store *
next_part(struct cli_target *t)
{
	struct hp_err e = { 0 };
	char label[512];
	size_t k;

	while (t->next < t->n_chosen) {
		k = t->next++;
		hp_image_part_label(t->img, t->chosen[k], label,
		    sizeof(label));
		/* With several, each part's text is headed by its name
		 * (the hives' paths name it too). */
		if (CLI_TEXT(t->cc) && t->n_chosen > 1)
			out_printf(stdout, "%s%s:\n", k > 0 ? "\n" : "", label);
		if (t->runs != NULL)
			t->runs[k].index = t->chosen[k];
		if (hp_image_store_open(t->img, t->chosen[k], t->o.user,
		    &t->store, &e) == 0 && limit_store(t, &e) == 0)
			return t->store;
		if (t->cc->json)
			cli_target_json(t, render_json_error(t->cc->command,
			    label, &e));
		cli_target_done(t, cli_fail(&e));
	}
	return NULL;
}

struct hp_store *
cli_target_next(struct cli_target *t)
{
	if (t->img != NULL)
		return next_part(t);
	if (t->next++ > 0)
		return NULL;
	return t->store;
}

void
cli_target_json(struct cli_target *t, struct json_object *doc)
{
	struct render_part *run;

	if (t->runs == NULL) {
		t->status = worse(t->status, render_json_print(doc, stdout));
		return;
	}
	run = &t->runs[t->next - 1];
	if (doc == NULL) {
		out_printf(stderr, "hivepatch: out of memory\n");
		run->status = HP_IOERR;
	}
	run->report = doc;
}

void
cli_target_done(struct cli_target *t, int status)
{
	if (t->runs != NULL) {
		status = worse(t->runs[t->next - 1].status, status);
		t->runs[t->next - 1].status = status;
	}
	t->status = worse(t->status, status);
	if (t->img == NULL)
		return;
	if (t->store != NULL)
		hp_store_close(t->store);
	t->store = NULL;
}

int
cli_target_close(struct cli_target *t)
{
	struct hp_err e = { 0 };
	char after[65] = "";
	int status;

	if (t->img == NULL) {
		if (t->store != NULL)
			hp_store_close(t->store);
		t->store = NULL;
		return t->status;
	}
	/* The image's document, of every part run (t->runs: under --json,
	 * once the image was opened). */
	if (t->runs != NULL) {
		if (hp_image_sha256(t->img, after, &e) == -1)
			t->status = worse(t->status, cli_fail(&e));
		t->status = worse(t->status, render_json_print(
		    render_json_image(t->cc->command, t->o.target, t->img,
		    t->sha_before, after, t->runs, t->next, t->status),
		    stdout));
	}
	free(t->runs);
	hp_image_close(t->img);
	free(t->chosen);
	status = t->status;
	memset(t, 0, sizeof(*t));
	return status;
}
