/* export: a key and everything below it, as a .reg file; a dirty hive
 * is read as its logs recover it. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "hive.h"
#include "hiveview.h"
#include "regfile.h"
#include "target.h"

/* "HKLM\SOFTWARE\x" or "HKEY_LOCAL_MACHINE\SOFTWARE\x" -> "x" inside the
 * SOFTWARE hive; NULL for any other root. */
static const char *
software_path(const char *key)
{
	static const char *const roots[] = { "HKEY_LOCAL_MACHINE\\", "HKLM\\" };
	size_t i, n;

	for (i = 0; i < 2; i++) {
		n = strlen(roots[i]);
		if (strncasecmp(key, roots[i], n) == 0) {
			key += n;
			break;
		}
	}
	if (i == 2 || strncasecmp(key, "SOFTWARE", 8) != 0)
		return NULL;
	key += 8;
	if (*key == '\0')
		return key;
	return *key == '\\' ? key + 1 : NULL;
}

static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int
export(const char *target_arg, const char *key, const char *output, int utf16,
       int no_recover, struct hp_err *e)
{
	struct hive_view view = { .memfd = -1 };
	struct hp_target target;
	const char *rel = software_path(key);
	char *display = NULL;
	hive_node_h node;
	hive_h *h = NULL;
	FILE *out = stdout;
	int rc = -1;

	memset(&target, 0, sizeof(target));
	if (rel == NULL)
		return hp_err_set(e, HP_R_USAGE,
		    "%s: not a key in HKEY_LOCAL_MACHINE\\SOFTWARE", key);
	if (target_resolve(target_arg, "SOFTWARE", &target, e) == -1 ||
	    cli_view_for_reading(&target, no_recover, &view, e) == -1)
		goto out;
	if (view.disk.dirty && !view.replayed)
		fprintf(stderr, "hivepatch: warning: %s is dirty and read without "
		    "its logs (--no-recover): it may be stale\n",
		    target.hive_path);
	if (view.replayed)
		fprintf(stderr, "hivepatch: %s is dirty: exported as its logs "
		    "recover it (%u pages replayed)\n", target.hive_path,
		    view.replay.pages_applied);
	if (view.caveat[0] != '\0')
		fprintf(stderr, "hivepatch: warning: %s: %s\n", target.hive_path,
		    view.caveat);
	if ((h = hive_view_hivex(&view, 0, e)) == NULL)
		goto out;
	node = hive_find_key(h, rel);
	if (node == 0) {
		hp_err_set(e, HP_R_NO_KEY, "%s: no key %s", target.hive_path, key);
		goto out;
	}
	if (asprintf(&display, "HKEY_LOCAL_MACHINE\\SOFTWARE%s%s",
	    *rel ? "\\" : "", rel) == -1) {
		display = NULL;
		hp_err_nomem(e);
		goto out;
	}
	if (output != NULL && same_file(output, target.hive_path)) {
		hp_err_set(e, HP_R_USAGE, "%s: --output would overwrite the hive "
		    "being exported", output);
		goto out;
	}
	if (output != NULL && (out = fopen(output, "we")) == NULL) {
		hp_err_set(e, HP_R_IO, "%s: cannot create: %m", output);
		goto out;
	}
	rc = reg_export(h, node, display, utf16, out, e);
	if (fflush(out) == EOF && rc == 0)
		rc = hp_err_set(e, HP_R_IO, "%s: cannot write: %m",
		    output ? output : "standard output");
out:
	if (out != stdout && out != NULL && fclose(out) == EOF && rc == 0)
		rc = hp_err_set(e, HP_R_IO, "%s: cannot write: %m", output);
	if (h != NULL)
		hivex_close(h);
	hive_view_close(&view);
	free(display);
	target_free(&target);
	return rc;
}

int
cmd_export(int argc, char **argv)
{
	static const struct option options[] = {
		{ "utf16", no_argument, NULL, 'u' },
		{ "output", required_argument, NULL, 'o' },
		{ "no-recover", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hp_err e = { 0 };
	const char *output = NULL;
	int c, utf16 = 0, no_recover = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (c) {
		case 'u':
			utf16 = 1;
			break;
		case 'o':
			output = optarg;
			break;
		case 'n':
			no_recover = 1;
			break;
		case 'h':
			cli_print_help(stdout);
			return 0;
		default:
			return cli_usage("export", "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage("export", "needs TARGET and KEY");
	if (export(argv[optind], argv[optind + 1], output, utf16, no_recover,
	    &e) == -1)
		return cli_fail(&e);
	return 0;
}
