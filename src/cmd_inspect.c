/* SPDX-License-Identifier: GPL-3.0-or-later */
/* inspect: is this image TLS 1.2 ready, and why not?  Read-only. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>

#include "cli.h"
#include "render.h"

int
cmd_inspect(int argc, char **argv)
{
	int c, json = 0, no_recover = 0, status;
	const struct option options[] = {
		{ "json", no_argument, &json, 1 },
		{ "no-recover", no_argument, &no_recover, 1 },
		{ "backup-dir", required_argument, NULL, 'b' },
		{ "max-hive-size", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hp_inspect_opts o = { .profile_dir = cli_profile_dir() };
	struct hp_err e = { 0 };
	struct hp_inspect *r = NULL;
	struct hp_store *store;
	const char *backup_dir = NULL;
	uint64_t max_hive = 0;
	char *root;

	optind = 1;
	while ((c = cli_next_option(argc, argv, options, "inspect")) > 0)
		if (c == 'b')
			backup_dir = optarg;
		else if (c == 'm' && cli_hive_size("inspect", optarg,
		    &max_hive) != 0)
			return HP_USAGE;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	if (no_recover)
		o.flags |= HP_NO_RECOVER;
	if (json)
		o.flags |= HP_HASH_READ;	/* the hash of every file read */
	if (argc - optind != 1)
		return cli_usage("inspect", "needs TARGET");
	if ((store = cli_open_store(argv[optind], max_hive, &e)) == NULL)
		return cli_fail(&e);
	/* Only read: the record of a run cut short. */
	o.backup_root = root = cli_backup_root(backup_dir);
	status = hp_inspect(store, &o, &r, &e);
	if (json)
		render_json_inspect(r, stdout);
	else if (status != -1)
		render_text_inspect(r, stdout);
	if (status == -1)
		status = cli_fail(&e);
	hp_inspect_free(r);
	hp_store_close(store);
	free(root);
	return status;
}
