/* SPDX-License-Identifier: GPL-3.0-or-later */
/* verify: check the profiles' values (net4-tls12 by default) without
 * writing; exit 1 when one is missing or different. */
#include "config.h"

#include "cli.h"

int
cmd_verify(int argc, char **argv)
{
	static const int allowed[] = { OPT_PROFILE, OPT_REG,
	    OPT_ALL_CONTROL_SETS, OPT_NO_RECOVER, OPT_BACKUP_DIR,
	    OPT_MAX_HIVE_SIZE, OPT_USER, OPT_IMAGE, OPT_PARTITION };
	struct cli_patch c = { .cli.command = "verify",
	    .mode = HP_PATCH_VERIFY };

	return cli_patch_main(argc, argv, &c, allowed,
	    sizeof(allowed) / sizeof(allowed[0]), 1);
}
