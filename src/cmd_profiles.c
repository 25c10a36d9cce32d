/* profiles: what can be passed to --profile. */
#include "config.h"

#include <stdio.h>

#include "autoprofile.h"
#include "cli.h"
#include "profile.h"

int
cmd_profiles(int argc, char **argv)
{
	struct hp_err e = { 0 };
	struct profile *list;
	size_t n, i;

	if (argc > 1)
		return cli_usage("profiles", "takes no arguments");
	if (profile_list(&list, &n, &e) == -1)
		return cli_fail(&e);
	for (i = 0; i < n; i++)
		printf("%-24s %s\n", list[i].name, list[i].description);
	printf("%-24s %s\n", AUTO_PROFILE, "the profiles the image needs, chosen "
	    "from its build and .NET versions (see hivepatch inspect)");
	profile_list_free(list, n);
	return 0;
}
