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

/* A failure to open TARGET, as the command reports it. */
static int
open_failed(const struct cli_target *t, const struct hp_err *e)
{
	if (t->cc->json && t->o.report_schema)
		render_json_failure(t->cc->command, t->o.target, e, stdout);
	else if (t->cc->json)
		render_json_error(t->cc->command, t->o.target, e, stdout);
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
	/* A JSON report names the image file's hash before and after. */
	if (t->cc->json && hp_image_sha256(t->img, t->sha_before, e) == -1)
		return -1;
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
next_part(struct cli_target *t, FILE **out)
{
	struct hp_err e = { 0 };
	char label[512];

	while (t->next < t->n_chosen) {
		hp_image_part_label(t->img, t->chosen[t->next++], label,
		    sizeof(label));
		/* With several, each part's text is headed by its name
		 * (the hives' paths name it too). */
		if (CLI_TEXT(t->cc) && t->n_chosen > 1)
			out_printf(stdout, "%s%s:\n", t->next > 1 ? "\n" : "",
			    label);
		t->buf = NULL;
		t->len = 0;
		*out = stdout;
		if (t->cc->json && (*out = t->doc = open_memstream(&t->buf,
		    &t->len)) == NULL) {
			out_printf(stderr, "hivepatch: out of memory\n");
			t->status = HP_IOERR;
			return NULL;
		}
		if (hp_image_store_open(t->img, t->chosen[t->next - 1],
		    t->o.user, &t->store, &e) == 0 && limit_store(t, &e) == 0)
			return t->store;
		if (t->cc->json)
			render_json_error(t->cc->command, label, &e, *out);
		cli_target_done(t, cli_fail(&e));
	}
	return NULL;
}

struct hp_store *
cli_target_next(struct cli_target *t, FILE **out)
{
	*out = stdout;
	if (t->img != NULL)
		return next_part(t, out);
	if (t->next++ > 0)
		return NULL;
	return t->store;
}

void
cli_target_done(struct cli_target *t, int status)
{
	if (status > t->status)
		t->status = status;
	if (t->img == NULL)
		return;
	if (t->store != NULL)
		hp_store_close(t->store);
	t->store = NULL;
	if (t->doc != NULL) {
		fclose(t->doc);
		t->doc = NULL;
		render_json_part_add(&t->parts_doc, t->img, t->chosen[t->next -
		    1], t->buf, status);
		free(t->buf);
		t->buf = NULL;
	}
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
	if (t->cc->json && t->n_chosen > 0 && t->sha_before[0] != '\0') {
		if (hp_image_sha256(t->img, after, &e) == -1)
			cli_target_done(t, cli_fail(&e));
		render_json_image(t->cc->command, t->o.target, t->img,
		    t->sha_before, after, t->parts_doc, t->status, stdout);
		t->parts_doc = NULL;
	}
	render_json_part_free(t->parts_doc);
	hp_image_close(t->img);
	free(t->chosen);
	status = t->status;
	memset(t, 0, sizeof(*t));
	return status;
}
