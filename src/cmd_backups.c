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

int
cmd_backups(int argc, char **argv)
{
	int c, rc, json = 0;
	const struct option options[] = {
		{ "json", no_argument, &json, 1 },
		{ "backup-dir", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hp_backups_opts o = { 0 };
	const char *backup_dir = NULL;
	struct hp_err e = { 0 };
	struct hp_backups *r = NULL;
	struct hp_store *store;
	char *root;

	optind = 1;
	while ((c = cli_next_option(argc, argv, options, "backups")) > 0)
		if (c == 'b')
			backup_dir = optarg;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	if (optind + 1 != argc)
		return cli_usage("backups", optind >= argc ? "missing TARGET" :
		    "too many arguments");
	if ((store = cli_open_store(argv[optind], 0, &e)) == NULL)
		return cli_fail(&e);
	o.backup_root = root = cli_backup_root(backup_dir);
	rc = hp_backups(store, &o, &r, &e);
	if (rc == -1) {
		cli_explain_backup_root(root, &e);
		if (r != NULL) {
			free(r->error);
			r->error = strdup(e.msg);
		}
	}
	if (r != NULL && json)
		render_json_backups(r, stdout);
	else if (r != NULL && rc == 0)
		render_text_backups(r, stdout);
	if (rc == -1)
		rc = cli_fail(&e);
	hp_backups_free(r);
	hp_store_close(store);
	free(root);
	return rc;
}
