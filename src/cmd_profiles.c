/* SPDX-License-Identifier: GPL-3.0-or-later */
/* profiles: what can be passed to --profile. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "render.h"

static const struct option options[] = {
	CLI_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

int
cmd_profiles(int argc, char **argv)
{
	struct cli_common cc = { .command = "profiles" };
	const char *dir = cli_profile_dir();
	struct hp_profile_info *list;
	struct hp_err e = { 0 };
	size_t n;
	int c, status = HP_OK;

	cli_options_start(argc, argv, options, &cc);
	if ((c = cli_next_option(argc, argv, options, &cc)) != 0)
		return CLI_OPTION_STATUS(c);
	if (optind < argc)
		return cli_usage(&cc, "takes no arguments, not '%s'",
		    argv[optind]);
	if (hp_profiles(dir, &list, &n, &e) == -1) {
		if (cc.json)
			(void)render_json_print(render_json_profiles(dir, NULL,
			    0, &e), stdout);
		return cli_fail(&e);
	}
	if (cc.json)
		status = render_json_print(render_json_profiles(dir, list, n,
		    NULL), stdout);
	else if (CLI_TEXT(&cc))
		render_text_profiles(dir, list, n, cli_render_flags(&cc), stdout);
	hp_profiles_free(list, n);
	return status;
}
