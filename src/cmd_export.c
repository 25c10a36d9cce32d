/* SPDX-License-Identifier: GPL-3.0-or-later */
/* export: a key and everything below it, as a .reg file. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "render.h"

static const struct option options[] = {
	{ "utf16", no_argument, NULL, OPT_UTF16 },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "no-recover", no_argument, NULL, OPT_NO_RECOVER },
	{ "max-hive-size", required_argument, NULL, OPT_MAX_HIVE_SIZE },
	{ "user", required_argument, NULL, OPT_USER },
	CLI_IMAGE_OPTIONS,
	CLI_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* How the hive was read, on stderr before the export is written. */
static void
print_note(void *arg, const char *note)
{
	(void)arg;
	out_printf(stderr, "hivepatch: %s\n", note);
}

/* Exports from one store as o says and renders what it did for t; the
 * exit status. */
static int
export_one(const struct cli_common *cc, const char *target,
	   struct hp_store *store, struct hp_export_opts *o,
	   struct cli_target *t)
{
	struct hp_err e = { 0 };
	struct hp_export *r = NULL;
	int rc;

	/* Under --json the notes are the document's; -q silences them. */
	if (!CLI_TEXT(cc))
		o->note = NULL;
	rc = hp_export(store, o, &r, &e);
	if (cc->json)
		cli_target_json(t, render_json_export(target, o, r,
		    rc == -1 ? &e : NULL));
	else if (rc == 0 && r != NULL && cc->verbose)
		out_printf(stderr, "hivepatch export: %s of %s written to %s "
		    "(%s)\n", o->key, r->where != NULL ? r->where : target,
		    o->output != NULL ? o->output : "standard output",
		    o->flags & HP_EXPORT_UTF16 ? "UTF-16LE" : "UTF-8");
	hp_export_free(r);
	return rc == -1 ? cli_fail(&e) : HP_OK;
}

static int
run(const struct cli_common *cc, const struct cli_target_opts *to,
    struct hp_export_opts *o)
{
	struct cli_target t;
	struct hp_store *store;
	int rc;

	if ((rc = cli_target_open(cc, to, &t)) != 0)
		return rc;
	while ((store = cli_target_next(&t)) != NULL)
		cli_target_done(&t, export_one(cc, to->target, store, o, &t));
	return cli_target_close(&t);
}

int
cmd_export(int argc, char **argv)
{
	struct cli_common cc = { .command = "export" };
	struct hp_export_opts o = { .stream = stdout, .note = print_note };
	struct cli_target_opts to = { .single = 1 };
	int c;

	cli_options_start(argc, argv, options, &cc);
	while ((c = cli_next_option(argc, argv, options, &cc)) > 0)
		if (c == OPT_UTF16)
			o.flags |= HP_EXPORT_UTF16;
		else if (c == OPT_NO_RECOVER)
			o.flags |= HP_NO_RECOVER;
		else if (c == OPT_OUTPUT)
			o.output = optarg;
		else if (c == OPT_USER)
			to.user = optarg;
		else if (c == OPT_IMAGE)
			to.image = optarg;
		else if (c == OPT_PARTITION)
			to.partition = optarg;
		else if (c == OPT_MAX_HIVE_SIZE && cli_hive_size(&cc, optarg,
		    &to.max_hive) != 0)
			return HP_USAGE;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	/* KEY is an operand, never an option: one that starts with '-'
	 * comes after "--". */
	if (argc - optind != 2)
		return cli_usage(&cc, "needs TARGET and KEY%s", argc - optind > 2 ?
		    ", no more" : "");
	/* The .reg text and the document cannot share standard output. */
	if (cc.json && o.output == NULL)
		return cli_usage(&cc, "export --json needs --output FILE: the "
		    "JSON document goes to standard output");
	o.key = argv[optind + 1];
	to.target = argv[optind];
	return run(&cc, &to, &o);
}
