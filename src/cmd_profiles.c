/* SPDX-License-Identifier: GPL-3.0-or-later */
/* profiles: what can be passed to --profile. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "render.h"

static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
cmd_profiles(int argc, char **argv)
{
	struct cli_common cc = { .command = "profiles" };
	struct hp_profile_info *list;
	struct hp_err e = { 0 };
	size_t n, i;
	int c;

	cli_options_start(argc, argv, options, &cc);
	if ((c = cli_next_option(argc, argv, options, &cc)) != 0)
		return CLI_OPTION_STATUS(c);
	if (optind < argc)
		return cli_usage(&cc, "takes no arguments, not '%s'",
		    argv[optind]);
	if (hp_profiles(cli_profile_dir(), &list, &n, &e) == -1)
		return cli_fail(&e);
	for (i = 0; i < n; i++)
		out_printf(stdout, "%-24s %s\n", list[i].name,
		    list[i].description);
	out_printf(stdout, "%-24s %s\n", HP_AUTO_PROFILE, "the profiles the "
	    "image needs, chosen from its build and .NET versions (see "
	    "hivepatch inspect)");
	hp_profiles_free(list, n);
	return 0;
}
