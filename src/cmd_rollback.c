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
	CLI_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* Runs the rollback of `target` and renders it; the exit status. */
static int
run(const struct cli_common *cc, const char *target, const char *backup_dir,
    struct hp_rollback_opts *o)
{
	struct hp_err e = { 0 };
	struct hp_rollback *r = NULL;
	struct hp_store *store;
	const char *from;
	char *root;
	int rc;

	if ((store = cli_open_store(target, 0, NULL, &e)) == NULL) {
		if (cc->json)
			render_json_error(cc->command, target, &e, stdout);
		return cli_fail(&e);
	}
	o->backup_root = root = cli_backup_root(backup_dir, &from);
	rc = hp_rollback(store, o, &r, &e);
	if (rc == -1) {
		cli_explain_backup_root(root, from, &e);
		if (r != NULL) {
			free(r->error);
			r->error = strdup(e.msg);
		}
	}
	if (r != NULL && cc->json)
		render_json_rollback(r, o, stdout);
	else if (r != NULL && CLI_TEXT(cc))
		render_text_rollback(r, stdout);
	if (r != NULL && CLI_TEXT(cc) && cc->verbose)
		cli_print_backup_root(root, from, stdout);
	if (rc == -1)
		rc = cli_fail(&e);
	hp_rollback_free(r);
	hp_store_close(store);
	free(root);
	return rc;
}

int
cmd_rollback(int argc, char **argv)
{
	struct cli_common cc = { .command = "rollback" };
	struct hp_rollback_opts o = { 0 };
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
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	if (cli_one_target(&cc, argc, argv) != 0)
		return HP_USAGE;
	return run(&cc, argv[optind], backup_dir, &o);
}
