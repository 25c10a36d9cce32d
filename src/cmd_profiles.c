/* SPDX-License-Identifier: GPL-3.0-or-later */
/* profiles: what can be passed to --profile. */
#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "render.h"

int
cmd_profiles(int argc, char **argv)
{
	struct hp_profile_info *list;
	struct hp_err e = { 0 };
	size_t n, i;

	if (argc > 1)
		return cli_usage("profiles", "takes no arguments");
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
