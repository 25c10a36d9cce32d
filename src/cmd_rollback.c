/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rollback: put back the hives (and their logs) the last apply, import
 * or recover replaced; with --to ID, run after run until that one. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "render.h"

static const struct option options[] = {
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },
	{ "to", required_argument, NULL, OPT_TO },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_rollback(int argc, char **argv)
{
	struct cli_common cc = { .command = "rollback" };
	struct hp_rollback_opts o = { 0 };
	const char *backup_dir = NULL;
	struct hp_err e = { 0 };
	struct hp_rollback *r = NULL;
	struct hp_store *store;
	char *root;
	int c, rc;

	cli_options_start(argc, argv, options, &cc);
	while ((c = cli_next_option(argc, argv, options, &cc)) > 0)
		if (c == OPT_FORCE)
			o.flags |= HP_FORCE;
		else if (c == OPT_BACKUP_DIR)
			backup_dir = optarg;
		else if (c == OPT_TO)
			o.to = optarg;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	if (optind >= argc)
		return cli_usage(&cc, "missing TARGET");
	if (optind + 1 < argc)
		return cli_usage(&cc, "unexpected argument '%s'",
		    argv[optind + 1]);
	if ((store = cli_open_store(argv[optind], 0, &e)) == NULL)
		return cli_fail(&e);
	o.backup_root = root = cli_backup_root(backup_dir);
	rc = hp_rollback(store, &o, &r, &e);
	if (r != NULL)
		render_text_rollback(r, stdout);
	if (rc == -1) {
		cli_explain_backup_root(root, &e);
		rc = cli_fail(&e);
	}
	hp_rollback_free(r);
	hp_store_close(store);
	free(root);
	return rc;
}
