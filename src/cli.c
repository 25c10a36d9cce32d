/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the subcommands share: messages, where profiles and backups live
 * (the process's environment, which the library never reads), and the
 * options and run of apply, verify, import and recover. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "render.h"

int
cli_fail(const struct hp_err *e)
{
	out_printf(stderr, "hivepatch: %s\n", e->msg);
	return e->status;
}

int
cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	out_printf(stderr, "hivepatch %s: ", cmd);
	va_start(ap, fmt);
	out_vprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'hivepatch --help'.\n");
	return HP_USAGE;
}

/* What the options that take a value need, as their usage errors say. */
static const struct {
	const char *name;
	const char *what;
} option_values[] = {
	{ "commit", "'logged' or 'replace'" },
	{ "backup", "'pages' or 'full'" },
	{ "profile", "a profile NAME" },
	{ "reg", "a .reg FILE" },
	{ "backup-dir", "a directory DIR" },
	{ "to", "a run ID" },
	{ "output", "a FILE" },
	{ "max-hive-size", "a SIZE (bytes, or with K, M or G)" },
};

/* The long name of the option of `options` whose code is val (not one
 * that sets a flag), or NULL. */
static const char *
option_name(const struct option *options, int val)
{
	size_t i;

	for (i = 0; options[i].name != NULL; i++)
		if (options[i].flag == NULL && options[i].val == val)
			return options[i].name;
	return NULL;
}

/* The usage error of an option given without the value it needs. */
static void
missing_value(const char *cmd, const char *name, const char *given)
{
	size_t i;

	for (i = 0; name != NULL &&
	    i < sizeof(option_values) / sizeof(option_values[0]); i++)
		if (strcmp(option_values[i].name, name) == 0) {
			cli_usage(cmd, "--%s needs %s", name,
			    option_values[i].what);
			return;
		}
	if (name != NULL)
		cli_usage(cmd, "--%s needs a value", name);
	else
		cli_usage(cmd, "'%s' needs a value", given);
}

int
cli_next_option(int argc, char **argv, const struct option *options,
		const char *cmd)
{
	int c;

	opterr = 0;
	/* 0 is an option that set its flag itself: take the next.  The ':'
	 * tells an option missing its value from an unknown one. */
	do
		c = getopt_long(argc, argv, "+:h", options, NULL);
	while (c == 0);
	if (c == -1)
		return 0;
	if (c == 'h') {
		cli_print_help(stdout);
		return CLI_HELP;
	}
	if (c == ':') {
		missing_value(cmd, option_name(options, optopt),
		    argv[optind - 1]);
		return CLI_BAD;
	}
	if (c == '?') {
		cli_usage(cmd, "unknown or misplaced option '%s'",
		    argv[optind - 1]);
		return CLI_BAD;
	}
	return c;
}

const char *
cli_profile_dir(void)
{
	const char *env = getenv("HIVEPATCH_PROFILE_DIR");

	if (env != NULL && *env != '\0')
		return env;
	return cli_builtin_profile_dir;
}

char *
cli_backup_root(const char *override)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *root = NULL;
	int n;

	if (override != NULL)
		n = asprintf(&root, "%s", override);
	else if (state != NULL && state[0] == '/')
		n = asprintf(&root, "%s/hivepatch", state);
	else if (home != NULL && home[0] == '/')
		n = asprintf(&root, "%s/.local/state/hivepatch", home);
	else
		return NULL;
	return n == -1 ? NULL : root;
}

void
cli_explain_backup_root(const char *root, struct hp_err *e)
{
	/* A directory that was given says itself what is wrong with it. */
	if (e->reason != HP_R_NO_BACKUP_DIR || (root != NULL && root[0] != '\0'))
		return;
	if (root == NULL)
		snprintf(e->msg, sizeof(e->msg), "no place for backups: set HOME "
		    "or XDG_STATE_HOME, or give --backup-dir");
	else
		snprintf(e->msg, sizeof(e->msg), "no place for backups: "
		    "--backup-dir is empty");
}

struct hp_store *
cli_open_store(const char *target, uint64_t max_hive, struct hp_err *e)
{
	struct hp_store *s;

	if (hp_store_open(target, &s, e) == -1)
		return NULL;
	if (max_hive != 0 && hp_store_set_hive_limit(s, max_hive, e) == -1) {
		hp_store_close(s);
		return NULL;
	}
	return s;
}

int
cli_hive_size(const char *cmd, const char *arg, uint64_t *bytes)
{
	unsigned long long n;
	char *end;
	int shift = 0;

	errno = 0;
	n = strtoull(arg, &end, 10);
	if (end != arg && *end != '\0' && end[1] == '\0')
		shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 :
		    -1;
	if (end == arg || arg[0] == '-' || errno != 0 || shift < 0 ||
	    (shift == 0 && *end != '\0') || n == 0 ||
	    n > (HP_HIVE_LIMIT_MAX >> shift))
		return cli_usage(cmd, "--max-hive-size needs a size from 1 to "
		    "2G (bytes, or with K, M or G), not '%s'", arg);
	*bytes = (uint64_t)n << shift;
	return 0;
}

static const struct option patch_options[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "reg", required_argument, NULL, OPT_REG },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },
	{ "all-control-sets", no_argument, NULL, OPT_ALL_CONTROL_SETS },
	{ "no-recover", no_argument, NULL, OPT_NO_RECOVER },
	{ "commit", required_argument, NULL, OPT_COMMIT },
	{ "keep-timestamps", no_argument, NULL, OPT_KEEP_TIMESTAMPS },
	{ "backup", required_argument, NULL, OPT_BACKUP },
	{ "max-hive-size", required_argument, NULL, OPT_MAX_HIVE_SIZE },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int
take_option(struct cli_patch *c, int opt)
{
	switch (opt) {
	case OPT_PROFILE:
		if (c->n_profiles == CLI_MAX_SOURCES)
			return cli_usage(c->command, "too many --profile options");
		c->profiles[c->n_profiles++] = optarg;
		break;
	case OPT_REG:
		if (c->n_reg_files == CLI_MAX_SOURCES)
			return cli_usage(c->command, "too many --reg options");
		c->reg_files[c->n_reg_files++] = optarg;
		break;
	case OPT_DRY_RUN:
		c->flags |= HP_DRY_RUN;
		break;
	case OPT_JSON:
		c->json = 1;
		break;
	case OPT_FORCE:
		c->flags |= HP_FORCE;
		break;
	case OPT_BACKUP_DIR:
		c->backup_dir = optarg;
		break;
	case OPT_ALL_CONTROL_SETS:
		c->flags |= HP_ALL_CONTROL_SETS;
		break;
	case OPT_NO_RECOVER:
		c->flags |= HP_NO_RECOVER;
		break;
	case OPT_BACKUP:
		if (strcmp(optarg, "full") == 0)
			c->flags |= HP_BACKUP_FULL;
		else if (strcmp(optarg, "pages") == 0)
			c->flags &= ~(unsigned)HP_BACKUP_FULL;
		else
			return cli_usage(c->command, "--backup needs 'pages' or "
			    "'full', not '%s'", optarg);
		break;
	case OPT_KEEP_TIMESTAMPS:
		c->flags |= HP_KEEP_TIMESTAMPS;
		break;
	case OPT_MAX_HIVE_SIZE:
		return cli_hive_size(c->command, optarg, &c->max_hive);
	case OPT_OUTPUT:
		c->output = optarg;
		break;
	case OPT_COMMIT:
		if (strcmp(optarg, "replace") == 0)
			c->flags |= HP_COMMIT_REPLACE;
		else if (strcmp(optarg, "logged") == 0)
			c->flags &= ~(unsigned)HP_COMMIT_REPLACE;
		else
			return cli_usage(c->command, "--commit needs 'logged' or "
			    "'replace', not '%s'", optarg);
		break;
	}
	return 0;
}

int
cli_patch_options(int argc, char **argv, struct cli_patch *c,
		  const int *allowed, size_t n_allowed)
{
	int opt;

	optind = 1;
	while ((opt = cli_next_option(argc, argv, patch_options,
	    c->command)) > 0) {
		size_t i;
		int ok = 0;

		for (i = 0; i < n_allowed; i++)
			ok |= allowed[i] == opt;
		/* An option of another command: its value, if any, is
		 * argv[optind - 1], so the option is named by its own name. */
		if (!ok)
			return cli_usage(c->command, "%s does not take --%s",
			    c->command, option_name(patch_options, opt));
		if (take_option(c, opt) != 0)
			return HP_USAGE;
	}
	return opt == 0 ? 0 : opt == CLI_HELP ? -1 : HP_USAGE;
}

int
cli_patch_target(int argc, char **argv, struct cli_patch *c)
{
	if (optind >= argc)
		return cli_usage(c->command, "missing TARGET");
	if (optind + 1 < argc)
		return cli_usage(c->command, "unexpected argument '%s'",
		    argv[optind + 1]);
	c->target = argv[optind];
	return 0;
}

int
cli_patch_run(const struct cli_patch *c)
{
	/* A JSON report carries the hash of every file read. */
	struct hp_patch_opts o = {
		.command = c->command, .mode = c->mode,
		.flags = c->flags | (c->json ? HP_HASH_READ : 0),
		.profiles = c->profiles, .n_profiles = c->n_profiles,
		.reg_files = c->reg_files, .n_reg_files = c->n_reg_files,
		.profile_dir = cli_profile_dir(), .output = c->output,
	};
	struct hp_err e = { 0 };
	struct hp_result *r = NULL;
	struct hp_store *store;
	char *root = NULL;
	int status;

	if ((store = cli_open_store(c->target, c->max_hive, &e)) == NULL) {
		if (c->json)
			render_json_failure(c->command, c->target, &e, stdout);
		return cli_fail(&e);
	}
	/* verify only reads it: the record of a run cut short. */
	o.backup_root = root = cli_backup_root(c->backup_dir);
	status = hp_patch(store, &o, &r, &e);
	if (status == -1 && r != NULL) {
		cli_explain_backup_root(root, &e);
		free(r->error);
		r->error = strdup(e.msg);
	}
	if (c->json && r != NULL)
		render_json_report(r, stdout);
	else if (r != NULL && status != -1)
		render_text_report(r, stdout);
	if (status == -1)
		status = cli_fail(&e);
	hp_result_free(r);
	hp_store_close(store);
	free(root);
	return status;
}

int
cli_patch_main(int argc, char **argv, struct cli_patch *c,
	       const int *allowed, size_t n_allowed, int default_profile)
{
	int rc = cli_patch_options(argc, argv, c, allowed, n_allowed);

	if (rc != 0)
		return rc == -1 ? HP_OK : rc;
	if ((rc = cli_patch_target(argc, argv, c)) != 0)
		return rc;
	if (default_profile && c->n_profiles == 0 && c->n_reg_files == 0)
		c->profiles[c->n_profiles++] = HP_DEFAULT_PROFILE;
	return cli_patch_run(c);
}
