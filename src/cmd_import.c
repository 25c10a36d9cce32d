/* SPDX-License-Identifier: GPL-3.0-or-later */
/* import: apply an arbitrary .reg file. */
#include "config.h"

#include <getopt.h>

#include "cli.h"

int
cmd_import(int argc, char **argv)
{
	static const int allowed[] = { OPT_DRY_RUN, OPT_FORCE,
	    OPT_BACKUP_DIR, OPT_ALL_CONTROL_SETS, OPT_NO_RECOVER, OPT_COMMIT,
	    OPT_KEEP_TIMESTAMPS, OPT_BACKUP, OPT_MAX_HIVE_SIZE };
	struct cli_patch c = { .cli.command = "import",
	    .mode = HP_PATCH_APPLY };
	int rc;

	rc = cli_patch_options(argc, argv, &c, allowed,
	    sizeof(allowed) / sizeof(allowed[0]));
	if (rc != 0)
		return rc == -1 ? HP_OK : rc;
	if (optind >= argc)
		return cli_usage(&c.cli, "missing FILE.reg");
	c.reg_files[c.n_reg_files++] = argv[optind++];
	if ((rc = cli_patch_target(argc, argv, &c)) != 0)
		return rc;
	return cli_patch_run(&c);
}
