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
	CLI_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

int
cmd_backups(int argc, char **argv)
{
	struct cli_common cc = { .command = "backups" };
	struct hp_backups_opts o = { 0 };
	const char *backup_dir = NULL;
	struct hp_err e = { 0 };
	struct hp_backups *r = NULL;
	struct hp_store *store;
	const char *from;
	char *root;
	int c, rc;

	cli_options_start(argc, argv, options, &cc);
	while ((c = cli_next_option(argc, argv, options, &cc)) > 0)
		if (c == OPT_BACKUP_DIR)
			backup_dir = optarg;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	if (cli_one_target(&cc, argc, argv) != 0)
		return HP_USAGE;
	if ((store = cli_open_store(argv[optind], 0, NULL, &e)) == NULL) {
		if (cc.json)
			render_json_error(cc.command, argv[optind], &e, stdout);
		return cli_fail(&e);
	}
	o.backup_root = root = cli_backup_root(backup_dir, &from);
	rc = hp_backups(store, &o, &r, &e);
	if (rc == -1) {
		cli_explain_backup_root(root, from, &e);
		if (r != NULL) {
			free(r->error);
			r->error = strdup(e.msg);
		}
	}
	if (r != NULL && cc.json)
		render_json_backups(r, stdout);
	else if (r != NULL && rc == 0 && CLI_TEXT(&cc))
		render_text_backups(r, cli_render_flags(&cc), stdout);
	if (rc == -1)
		rc = cli_fail(&e);
	hp_backups_free(r);
	hp_store_close(store);
	free(root);
	return rc;
}
