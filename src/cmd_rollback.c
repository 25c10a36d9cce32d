/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rollback: put back the hives (and their logs) the last apply, import
 * or recover replaced; with --to ID, run after run until that one. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "render.h"

int
cmd_rollback(int argc, char **argv)
{
	int c, rc, force = 0;
	const struct option options[] = {
		{ "force", no_argument, &force, 1 },
		{ "backup-dir", required_argument, NULL, 'b' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hp_rollback_opts o = { 0 };
	const char *backup_dir = NULL;
	struct hp_err e = { 0 };
	struct hp_rollback *r = NULL;
	struct hp_store *store;
	char *root;

	optind = 1;
	while ((c = cli_next_option(argc, argv, options, "rollback")) > 0)
		if (c == 'b')
			backup_dir = optarg;
		else if (c == 't')
			o.to = optarg;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	if (force)
		o.flags |= HP_FORCE;
	if (optind + 1 != argc)
		return cli_usage("rollback", optind >= argc ? "missing TARGET" :
		    "too many arguments");
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
