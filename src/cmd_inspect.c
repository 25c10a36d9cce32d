/* SPDX-License-Identifier: GPL-3.0-or-later */
/* inspect: is this image TLS 1.2 ready, and why not?  Read-only. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "render.h"

static const struct option options[] = {
	{ "no-recover", no_argument, NULL, OPT_NO_RECOVER },
	{ "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },
	{ "max-hive-size", required_argument, NULL, OPT_MAX_HIVE_SIZE },
	CLI_IMAGE_OPTIONS,
	CLI_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* One inspect of one store, rendered for t; the exit status. */
static int
inspect_one(const struct cli_common *cc, struct hp_store *store,
	    const struct hp_inspect_opts *o, struct cli_target *t)
{
	struct hp_err e = { 0 };
	struct hp_inspect *r = NULL;
	int status;

	status = hp_inspect(store, o, &r, &e);
	if (cc->json && r != NULL)
		cli_target_json(t, render_json_inspect(r));
	else if (r != NULL && status != -1 && CLI_TEXT(cc))
		render_text_inspect(r, cli_render_flags(cc), stdout);
	if (status == -1)
		status = cli_fail(&e);
	hp_inspect_free(r);
	return status;
}

int
cmd_inspect(int argc, char **argv)
{
	struct cli_common cc = { .command = "inspect" };
	struct hp_inspect_opts o = { .profile_dir = cli_profile_dir() };
	struct cli_target_opts to = { 0 };
	struct cli_target t;
	struct hp_store *store;
	const char *backup_dir = NULL;
	const char *from;
	char *root;
	int c, status;

	cli_options_start(argc, argv, options, &cc);
	while ((c = cli_next_option(argc, argv, options, &cc)) > 0)
		if (c == OPT_NO_RECOVER)
			o.flags |= HP_NO_RECOVER;
		else if (c == OPT_BACKUP_DIR)
			backup_dir = optarg;
		else if (c == OPT_IMAGE)
			to.image = optarg;
		else if (c == OPT_PARTITION)
			to.partition = optarg;
		else if (c == OPT_MAX_HIVE_SIZE && cli_hive_size(&cc, optarg,
		    &to.max_hive) != 0)
			return HP_USAGE;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	if (cc.json)
		o.flags |= HP_HASH_READ;	/* the hash of every file read */
	if (cli_one_target(&cc, argc, argv) != 0)
		return HP_USAGE;
	to.target = argv[optind];
	if ((status = cli_target_open(&cc, &to, &t)) != 0)
		return status;
	/* Only read: the record of a run cut short. */
	o.backup_root = root = cli_backup_root(backup_dir, &from);
	while ((store = cli_target_next(&t)) != NULL)
		cli_target_done(&t, inspect_one(&cc, store, &o, &t));
	free(root);
	return cli_target_close(&t);
}
