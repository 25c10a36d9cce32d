/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rollback: put back the hives (and their logs) the last apply, import
 * or recover replaced; with --to ID, run after run until that one. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "render.h"

static const struct option options[] = {
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },
	{ "to", required_argument, NULL, OPT_TO },
	CLI_IMAGE_OPTIONS,
	CLI_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* Runs the rollback on one store and renders it for t; the exit
 * status. */
static int
rollback_one(const struct cli_common *cc, struct hp_store *store,
	     struct hp_rollback_opts *o, const char *root, const char *from,
	     struct cli_target *t)
{
	struct hp_err e = { 0 };
	struct hp_rollback *r = NULL;
	int rc;

	rc = hp_rollback(store, o, &r, &e);
	if (rc == -1)
		cli_explain_backup_root(root, from, &e,
		    r != NULL ? &r->error : NULL);
	if (r != NULL && cc->json)
		cli_target_json(t, render_json_rollback(r, o));
	else if (r != NULL && CLI_TEXT(cc))
		render_text_rollback(r, stdout);
	if (r != NULL && CLI_TEXT(cc) && cc->verbose)
		cli_print_backup_root(root, from, stdout);
	if (rc == -1)
		rc = cli_fail(&e);
	hp_rollback_free(r);
	return rc;
}

static int
run(const struct cli_common *cc, const struct cli_target_opts *to,
    const char *backup_dir, struct hp_rollback_opts *o)
{
	struct cli_target t;
	struct hp_store *store;
	const char *from;
	char *root;
	int rc;

	if ((rc = cli_target_open(cc, to, &t)) != 0)
		return rc;
	o->backup_root = root = cli_backup_root(backup_dir, &from);
	while ((store = cli_target_next(&t)) != NULL)
		cli_target_done(&t, rollback_one(cc, store, o, root, from,
		    &t));
	free(root);
	return cli_target_close(&t);
}

int
cmd_rollback(int argc, char **argv)
{
	struct cli_common cc = { .command = "rollback" };
	struct hp_rollback_opts o = { 0 };
	struct cli_target_opts to = { .write = 1 };
	const char *backup_dir = NULL;
	int c;

	cli_options_start(argc, argv, options, &cc);
	while ((c = cli_next_option(argc, argv, options, &cc)) > 0)
		if (c == OPT_FORCE)
			o.flags |= HP_FORCE;
		else if (c == OPT_BACKUP_DIR)
			backup_dir = optarg;
		else if (c == OPT_TO)
			o.to = optarg;
		else if (c == OPT_IMAGE)
			to.image = optarg;
		else if (c == OPT_PARTITION)
			to.partition = optarg;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	if (cli_one_target(&cc, argc, argv) != 0)
		return HP_USAGE;
	to.target = argv[optind];
	return run(&cc, &to, backup_dir, &o);
}
