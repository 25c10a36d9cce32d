/* SPDX-License-Identifier: GPL-3.0-or-later */
/* images: what an image file holds (WIM images, partitions), the
 * Windows in each, and whether hivepatch can write it.  Read-only. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "render.h"

static const struct option options[] = {
	CLI_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* The Windows of each part that holds one, read as inspect reads it;
 * a part whose hives cannot be read is listed without (NULL). */
static void
read_windows(struct hp_image_file *img, struct hp_inspect **runs)
{
	const struct hp_image_part *parts;
	size_t i, n = hp_image_parts(img, &parts);
	struct hp_inspect_opts o = { .profile_dir = cli_profile_dir() };

	for (i = 0; i < n; i++) {
		struct hp_store *store;
		struct hp_err e = { 0 };

		if (!parts[i].windows || hp_image_store_open(img, i, NULL,
		    &store, &e) == -1)
			continue;
		if (hp_inspect(store, &o, &runs[i], &e) == -1 &&
		    runs[i] != NULL && !runs[i]->has_image) {
			hp_inspect_free(runs[i]);
			runs[i] = NULL;
		}
		hp_store_close(store);
	}
}

static int
list(const struct cli_common *cc, const char *target)
{
	struct hp_err e = { 0 };
	struct hp_image_file *img;
	struct hp_inspect **runs;
	struct hp_image **facts;
	size_t i, n;
	const struct hp_image_part *parts;
	int status = HP_OK;

	if (hp_image_open(target, 0, &img, &e) == -1) {
		if (cc->json)
			(void)render_json_print(render_json_images(target,
			    NULL, NULL, &e), stdout);
		return cli_fail(&e);
	}
	n = hp_image_parts(img, &parts);
	runs = calloc(n ? n : 1, sizeof(*runs));
	facts = calloc(n ? n : 1, sizeof(*facts));
	if (runs != NULL && facts != NULL) {
		read_windows(img, runs);
		for (i = 0; i < n; i++)
			facts[i] = runs[i] != NULL && runs[i]->has_image ?
			    &runs[i]->image : NULL;
		if (cc->json)
			status = render_json_print(render_json_images(target,
			    img, facts, NULL), stdout);
		else if (CLI_TEXT(cc))
			render_text_images(target, img, facts, stdout);
	}
	for (i = 0; runs != NULL && i < n; i++)
		hp_inspect_free(runs[i]);
	free(runs);
	free(facts);
	hp_image_close(img);
	if (runs == NULL || facts == NULL) {
		out_printf(stderr, "hivepatch: out of memory\n");
		return HP_IOERR;
	}
	return status;
}

int
cmd_images(int argc, char **argv)
{
	struct cli_common cc = { .command = "images" };
	int c;

	cli_options_start(argc, argv, options, &cc);
	while ((c = cli_next_option(argc, argv, options, &cc)) > 0)
		;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	if (cli_one_target(&cc, argc, argv) != 0)
		return HP_USAGE;
	return list(&cc, argv[optind]);
}
