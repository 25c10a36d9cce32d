/* SPDX-License-Identifier: GPL-3.0-or-later */
/* export: a key and everything below it, as a .reg file. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "render.h"

/* How the hive was read, on stderr before the export is written. */
static void
print_note(void *arg, const char *note)
{
	(void)arg;
	out_printf(stderr, "hivepatch: %s\n", note);
}

int
cmd_export(int argc, char **argv)
{
	int c, rc, utf16 = 0, no_recover = 0;
	const struct option options[] = {
		{ "utf16", no_argument, &utf16, 1 },
		{ "output", required_argument, NULL, 'o' },
		{ "no-recover", no_argument, &no_recover, 1 },
		{ "max-hive-size", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hp_export_opts o = { .stream = stdout, .note = print_note };
	struct hp_err e = { 0 };
	struct hp_export *r = NULL;
	struct hp_store *store;
	uint64_t max_hive = 0;

	optind = 1;
	while ((c = cli_next_option(argc, argv, options, "export")) > 0)
		if (c == 'o')
			o.output = optarg;
		else if (c == 'm' && cli_hive_size("export", optarg,
		    &max_hive) != 0)
			return HP_USAGE;
	if (c != 0)
		return CLI_OPTION_STATUS(c);
	o.flags = (utf16 ? HP_EXPORT_UTF16 : 0) |
	    (no_recover ? HP_NO_RECOVER : 0);
	if (argc - optind != 2)
		return cli_usage("export", "needs TARGET and KEY");
	o.key = argv[optind + 1];
	if ((store = cli_open_store(argv[optind], max_hive, &e)) == NULL)
		return cli_fail(&e);
	rc = hp_export(store, &o, &r, &e);
	hp_export_free(r);
	hp_store_close(store);
	return rc == -1 ? cli_fail(&e) : HP_OK;
}
