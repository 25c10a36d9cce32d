/* SPDX-License-Identifier: GPL-3.0-or-later */
/* recover: the run with nothing to patch that commits what the logs of a
 * dirty hive recover; in a tree, SOFTWARE and SYSTEM, else the one hive
 * file of whatever kind. */
#include "config.h"

#include "cli.h"

int
cmd_recover(int argc, char **argv)
{
	static const int allowed[] = { OPT_DRY_RUN, OPT_BACKUP_DIR,
	    OPT_COMMIT, OPT_KEEP_TIMESTAMPS, OPT_BACKUP, OPT_MAX_HIVE_SIZE,
	    OPT_OUTPUT, OPT_DISCARD_LOGS, OPT_USER, OPT_IMAGE,
	    OPT_PARTITION };
	struct cli_patch c = { .cli.command = "recover",
	    .mode = HP_PATCH_RECOVER };

	return cli_patch_main(argc, argv, &c, allowed,
	    sizeof(allowed) / sizeof(allowed[0]), 0);
}
