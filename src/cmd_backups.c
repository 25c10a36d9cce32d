/* SPDX-License-Identifier: GPL-3.0-or-later */
/* backups: the backups that would undo what a target's hives hold now,
 * newest first, with the step at which rollback undoes each. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "render.h"

static const struct option options[] = {
	{ "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },
	CLI_IMAGE_OPTIONS,
	CLI_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* The backups of one store, rendered for t; the exit status. */
static int
backups_one(const struct cli_common *cc, struct hp_store *store,
	    const struct hp_backups_opts *o, const char *root,
	    const char *from, struct cli_target *t)
{
	struct hp_err e = { 0 };
	struct hp_backups *r = NULL;
	int rc;

	rc = hp_backups(store, o, &r, &e);
	if (rc == -1)
		cli_explain_backup_root(root, from, &e,
		    r != NULL ? &r->error : NULL);
	if (r != NULL && cc->json)
		cli_target_json(t, render_json_backups(r));
	else if (r != NULL && rc == 0 && CLI_TEXT(cc))
		render_text_backups(r, cli_render_flags(cc), stdout);
	if (rc == -1)
		rc = cli_fail(&e);
	hp_backups_free(r);
	return rc;
}

int
cmd_backups(int argc, char **argv)
{
	struct cli_common cc = { .command = "backups" };
	struct hp_backups_opts o = { 0 };
	struct cli_target_opts to = { 0 };
	struct cli_target t;
	const char *backup_dir = NULL;
	struct hp_store *store;
	const char *from;
	char *root;
	int c, rc;

	cli_options_start(argc, argv, options, &cc);
	while ((c = cli_next_option(argc, argv, options, &cc)) > 0)
		if (c == OPT_BACKUP_DIR)
			backup_dir = optarg;
		else if (c == OPT_IMAGE)
			to.image = optarg;
		else if (c == OPT_PARTITION)
			to.partition = optarg;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	if (cli_one_target(&cc, argc, argv) != 0)
		return HP_USAGE;
	to.target = argv[optind];
	if ((rc = cli_target_open(&cc, &to, &t)) != 0)
		return rc;
	o.backup_root = root = cli_backup_root(backup_dir, &from);
	while ((store = cli_target_next(&t)) != NULL)
		cli_target_done(&t, backups_one(&cc, store, &o, root, from,
		    &t));
	free(root);
	return cli_target_close(&t);
}
