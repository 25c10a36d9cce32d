#include "config.h"

#include "cli.h"
#include "cmd_patch.h"

/* recover: the run with nothing to patch that commits what the logs of a
 * dirty hive recover; in a tree, SOFTWARE and SYSTEM, else the one hive
 * file of whatever kind. */
int
cmd_recover(int argc, char **argv)
{
	static const int allowed[] = { OPT_DRY_RUN, OPT_JSON, OPT_BACKUP_DIR };
	struct patch_opts o = { .command = "recover", .recover = 1 };

	if (patch_parse_options(argc, argv, &o, allowed,
	    sizeof(allowed) / sizeof(allowed[0])) != 0 ||
	    patch_take_target(argc, argv, &o) != 0)
		return HP_USAGE;
	return patch_run(&o);
}
