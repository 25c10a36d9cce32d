/* SPDX-License-Identifier: GPL-3.0-or-later */
/* apply: write the profiles' values (net4-tls12 by default) after a
 * backup, and verify them from disk. */
#include "config.h"

#include "cli.h"

int
cmd_apply(int argc, char **argv)
{
	static const int allowed[] = { OPT_PROFILE, OPT_REG, OPT_DRY_RUN,
	    OPT_FORCE, OPT_BACKUP_DIR, OPT_ALL_CONTROL_SETS,
	    OPT_NO_RECOVER, OPT_COMMIT, OPT_KEEP_TIMESTAMPS, OPT_BACKUP,
	    OPT_MAX_HIVE_SIZE, OPT_DISCARD_LOGS, OPT_USER, OPT_IMAGE,
	    OPT_PARTITION };
	struct cli_patch c = { .cli.command = "apply",
	    .mode = HP_PATCH_APPLY };

	return cli_patch_main(argc, argv, &c, allowed,
	    sizeof(allowed) / sizeof(allowed[0]), 1);
}
