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
cli_usage(const struct cli_common *cc, const char *fmt, ...)
{
	struct hp_err e = { HP_USAGE, HP_R_USAGE, "" };
	char *text = NULL;
	size_t len = 0;
	va_list ap;
	FILE *m;

	/* The message once, escaped as out_printf escapes it, for stderr
	 * and the JSON document alike. */
	va_start(ap, fmt);
	if ((m = open_memstream(&text, &len)) != NULL) {
		out_vprintf(m, fmt, ap);
		fclose(m);
	}
	va_end(ap);
	snprintf(e.msg, sizeof(e.msg), "%s", text != NULL ? text :
	    "out of memory");
	free(text);
	out_printf(stderr, "hivepatch %s: %s\nTry 'hivepatch --help'.\n",
	    cc->command, e.msg);
	if (cc->json)
		(void)render_json_print(render_json_error(cc->command, NULL,
		    &e), stdout);
	return HP_USAGE;
}

/* What the options that take a value need, as their usage errors say;
 * `name` marks a value that names something, which cannot be empty. */
static const struct {
	const char *option;
	const char *what;
	int name;
} option_values[] = {
	{ "commit", "'logged' or 'replace'", 0 },
	{ "backup", "'pages' or 'full'", 0 },
	{ "profile", "a NAME", 1 },
	{ "reg", "a .reg FILE", 1 },
	{ "backup-dir", "a directory DIR", 1 },
	{ "to", "a run ID", 1 },
	{ "output", "a FILE", 1 },
	{ "max-hive-size", "a SIZE (bytes, or with K, M or G)", 0 },
};

#define N_OPTION_VALUES (sizeof(option_values) / sizeof(option_values[0]))

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

/* What the value of the option `name` must be, or NULL. */
static const char *
value_what(const char *name, int *is_name)
{
	size_t i;

	for (i = 0; name != NULL && i < N_OPTION_VALUES; i++)
		if (strcmp(option_values[i].option, name) == 0) {
			if (is_name != NULL)
				*is_name = option_values[i].name;
			return option_values[i].what;
		}
	return NULL;
}

/* The usage error of an option given without the value it needs. */
static void
missing_value(const struct cli_common *cc, const char *name,
	      const char *given)
{
	const char *what = value_what(name, NULL);

	if (name == NULL)
		cli_usage(cc, "option '%s' needs a value", given);
	else
		cli_usage(cc, "option '--%s' needs %s", name,
		    what != NULL ? what : "a value");
}

/* An option that getopt_long did not take: `arg` the word of a long
 * one (NULL for a letter, optopt), an abbreviation of several long
 * options, given a value it takes none, or unknown to the command. */
static void
bad_option(const struct cli_common *cc, const struct option *options,
	   const char *arg)
{
	const char *first = NULL, *second = NULL;
	size_t i, len, n = 0, exact = 0;

	if (arg == NULL) {
		cli_usage(cc, "unknown option '-%c'", optopt);
		return;
	}
	len = strcspn(arg + 2, "=");
	for (i = 0; options[i].name != NULL; i++)
		if (strncmp(options[i].name, arg + 2, len) == 0) {
			exact += options[i].name[len] == '\0';
			if (n++ == 1)
				second = options[i].name;
			if (first == NULL)
				first = options[i].name;
		}
	if (n > 1 && exact == 0)
		cli_usage(cc, "option '--%.*s' is ambiguous: '--%s', '--%s'%s",
		    (int)len, arg + 2, first, second, n > 2 ? ", ..." : "");
	else if (n > 0 && arg[2 + len] == '=')
		cli_usage(cc, "option '--%s' takes no value", first);
	else
		cli_usage(cc, "unknown option '%s'", arg);
}

/* An empty value for an option that names something (a directory, a
 * file, a profile, a run): a usage error, never the current directory
 * or the root. */
static int
empty_value(const struct cli_common *cc, const struct option *options,
	    int c)
{
	const char *name = option_name(options, c), *what;
	int is_name = 0;

	if (optarg == NULL || optarg[0] != '\0' ||
	    (what = value_what(name, &is_name)) == NULL || !is_name)
		return 0;
	cli_usage(cc, "option '--%s' needs %s, not an empty one", name, what);
	return 1;
}

void
cli_options_start(int argc, char **argv, const struct option *options,
		  struct cli_common *cc)
{
	char **copy = malloc(((size_t)argc + 1) * sizeof(*copy));
	int c;

	opterr = 0;
	/* Whether --json is anywhere among the options, silently, on a copy
	 * (getopt_long permutes what it reads); then from the start again
	 * (0 makes glibc's getopt start afresh). */
	if (copy != NULL) {
		memcpy(copy, argv, ((size_t)argc + 1) * sizeof(*copy));
		optind = 0;
		while ((c = getopt_long(argc, copy, ":hqv", options,
		    NULL)) != -1)
			if (c == OPT_JSON)
				cc->json = 1;
		free(copy);
	}
	optind = 0;
}

int
cli_next_option(int argc, char **argv, const struct option *options,
		struct cli_common *cc)
{
	int c, before;

	/* 0 is an option that set its flag itself: take the next.  The
	 * ':' tells an option missing its value from an unknown one.  No
	 * '+': the options may follow the operands, up to "--". */
	for (;;) {
		before = optind;
		c = getopt_long(argc, argv, ":hqv", options, NULL);
		if (c == 'q')
			cc->quiet = 1;
		else if (c == 'v')
			cc->verbose = 1;
		else if (c == OPT_JSON)
			cc->json = 1;
		else if (c != 0)
			break;
	}
	if (c == -1 && cc->quiet && cc->verbose) {
		cli_usage(cc, "-q (--quiet) and -v (--verbose) exclude each "
		    "other");
		return CLI_BAD;
	}
	if (c == -1)
		return 0;
	if (c == 'h') {
		cli_print_help(stdout);
		return CLI_HELP;
	}
	if (c == ':') {
		missing_value(cc, option_name(options, optopt),
		    argv[optind - 1]);
		return CLI_BAD;
	}
	if (c == '?') {
		/* A long option is always a word of its own, which getopt
		 * has gone past; a letter may be in the middle of one. */
		bad_option(cc, options, optind > before &&
		    strncmp(argv[optind - 1], "--", 2) == 0 ?
		    argv[optind - 1] : NULL);
		return CLI_BAD;
	}
	return empty_value(cc, options, c) ? CLI_BAD : c;
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
cli_backup_root(const char *override, const char **from)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char *root = NULL;
	int n;

	*from = NULL;
	if (override != NULL) {
		n = asprintf(&root, "%s", override);
	} else if (state != NULL && state[0] == '/') {
		*from = "XDG_STATE_HOME";
		n = asprintf(&root, "%s/hivepatch", state);
	} else if (home != NULL && home[0] == '/') {
		*from = "HOME";
		n = asprintf(&root, "%s/.local/state/hivepatch", home);
	} else {
		return NULL;
	}
	return n == -1 ? NULL : root;
}

static void
explain_root(const char *root, const char *from, struct hp_err *e)
{
	char said[sizeof(e->msg)], *shown, *at;
	int n;

	if (e->reason == HP_R_NO_BACKUP_DIR && root == NULL) {
		snprintf(e->msg, sizeof(e->msg), "no place for backups: set HOME "
		    "or XDG_STATE_HOME, or give --backup-dir");
		return;
	}
	/* A directory that was given is known by its name: one that was
	 * not is told where it came from. */
	if (from == NULL || root == NULL ||
	    (shown = hp_escape_text_dup(root)) == NULL)
		return;
	n = snprintf(said, sizeof(said), "the backup directory %s", shown);
	at = n > 0 && (size_t)n < sizeof(said) ? strstr(e->msg, said) : NULL;
	if (at != NULL) {
		snprintf(said, sizeof(said), "%.*sthe default backup directory "
		    "%s (from $%s)%s", (int)(at - e->msg), e->msg, shown, from,
		    at + n);
		snprintf(e->msg, sizeof(e->msg), "%s", said);
	}
	free(shown);
}

void
cli_explain_backup_root(const char *root, const char *from, struct hp_err *e,
			char **result_error)
{
	explain_root(root, from, e);
	if (result_error != NULL) {
		free(*result_error);
		*result_error = strdup(e->msg);
	}
}

void
cli_print_backup_root(const char *root, const char *from, FILE *out)
{
	if (root == NULL)
		out_printf(out, "backups:  none (set HOME or XDG_STATE_HOME, or "
		    "give --backup-dir)\n");
	else if (from == NULL)
		out_printf(out, "backups:  %s (--backup-dir)\n", root);
	else
		out_printf(out, "backups:  %s (the default, from $%s)\n", root,
		    from);
}

unsigned
cli_render_flags(const struct cli_common *cc)
{
	return cc->verbose ? RENDER_VERBOSE : 0;
}

int
cli_hive_size(const struct cli_common *cc, const char *arg, uint64_t *bytes)
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
		return cli_usage(cc, "option '--max-hive-size' needs a size from "
		    "1 to 2G (bytes, or with K, M or G), not '%s'", arg);
	*bytes = (uint64_t)n << shift;
	return 0;
}

static const struct option patch_options[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "reg", required_argument, NULL, OPT_REG },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },
	{ "all-control-sets", no_argument, NULL, OPT_ALL_CONTROL_SETS },
	{ "no-recover", no_argument, NULL, OPT_NO_RECOVER },
	{ "commit", required_argument, NULL, OPT_COMMIT },
	{ "keep-timestamps", no_argument, NULL, OPT_KEEP_TIMESTAMPS },
	{ "backup", required_argument, NULL, OPT_BACKUP },
	{ "max-hive-size", required_argument, NULL, OPT_MAX_HIVE_SIZE },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "discard-logs", no_argument, NULL, OPT_DISCARD_LOGS },
	{ "user", required_argument, NULL, OPT_USER },
	CLI_IMAGE_OPTIONS,
	CLI_COMMON_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static int
take_option(struct cli_patch *c, int opt)
{
	switch (opt) {
	case OPT_PROFILE:
		if (c->n_profiles == CLI_MAX_SOURCES)
			return cli_usage(&c->cli, "too many --profile options");
		c->profiles[c->n_profiles++] = optarg;
		break;
	case OPT_REG:
		if (c->n_reg_files == CLI_MAX_SOURCES)
			return cli_usage(&c->cli, "too many --reg options");
		c->reg_files[c->n_reg_files++] = optarg;
		break;
	case OPT_DRY_RUN:
		c->flags |= HP_DRY_RUN;
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
			return cli_usage(&c->cli, "option '--backup' needs 'pages' "
			    "or 'full', not '%s'", optarg);
		break;
	case OPT_KEEP_TIMESTAMPS:
		c->flags |= HP_KEEP_TIMESTAMPS;
		break;
	case OPT_MAX_HIVE_SIZE:
		return cli_hive_size(&c->cli, optarg, &c->max_hive);
	case OPT_OUTPUT:
		c->output = optarg;
		break;
	case OPT_DISCARD_LOGS:
		c->flags |= HP_DISCARD_LOGS;
		break;
	case OPT_USER:
		c->user = optarg;
		break;
	case OPT_IMAGE:
		c->image = optarg;
		break;
	case OPT_PARTITION:
		c->partition = optarg;
		break;
	case OPT_COMMIT:
		if (strcmp(optarg, "replace") == 0)
			c->flags |= HP_COMMIT_REPLACE;
		else if (strcmp(optarg, "logged") == 0)
			c->flags &= ~(unsigned)HP_COMMIT_REPLACE;
		else
			return cli_usage(&c->cli, "option '--commit' needs 'logged' "
			    "or 'replace', not '%s'", optarg);
		break;
	}
	return 0;
}

int
cli_patch_options(int argc, char **argv, struct cli_patch *c,
		  const int *allowed, size_t n_allowed)
{
	int opt;

	cli_options_start(argc, argv, patch_options, &c->cli);
	while ((opt = cli_next_option(argc, argv, patch_options,
	    &c->cli)) > 0) {
		size_t i;
		int ok = 0;

		for (i = 0; i < n_allowed; i++)
			ok |= allowed[i] == opt;
		/* An option of another command: its value, if any, is
		 * argv[optind - 1], so the option is named by its own name. */
		if (!ok)
			return cli_usage(&c->cli, "%s does not take --%s",
			    c->cli.command, option_name(patch_options, opt));
		if (take_option(c, opt) != 0)
			return HP_USAGE;
	}
	return opt == 0 ? 0 : opt == CLI_HELP ? -1 : HP_USAGE;
}

int
cli_patch_target(int argc, char **argv, struct cli_patch *c)
{
	if (cli_one_target(&c->cli, argc, argv) != 0)
		return HP_USAGE;
	c->target = argv[optind];
	return 0;
}

int
cli_one_target(const struct cli_common *cc, int argc, char **argv)
{
	if (optind >= argc)
		return cli_usage(cc, "missing TARGET");
	if (optind + 1 < argc)
		return cli_usage(cc, "unexpected argument '%s'",
		    argv[optind + 1]);
	return 0;
}

/* One run of hp_patch on one store, rendered for t. */
static int
patch_one(const struct cli_patch *c, struct hp_store *store,
	  struct hp_patch_opts *o, const char *root, const char *from,
	  struct cli_target *t)
{
	struct hp_err e = { 0 };
	struct hp_result *r = NULL;
	int status;

	status = hp_patch(store, o, &r, &e);
	if (status == -1)
		cli_explain_backup_root(root, from, &e,
		    r != NULL ? &r->error : NULL);
	if (c->cli.json && r != NULL) {
		cli_target_json(t, render_json_report(r));
	} else if (r != NULL && status != -1 && CLI_TEXT(&c->cli)) {
		render_text_report(r, cli_render_flags(&c->cli), stdout);
		/* Where the backups of a writing run go. */
		if (c->cli.verbose && c->mode != HP_PATCH_VERIFY)
			cli_print_backup_root(root, from, stdout);
	}
	if (status == -1)
		status = cli_fail(&e);
	hp_result_free(r);
	return status;
}

int
cli_patch_run(const struct cli_patch *c)
{
	/* A JSON report carries the hash of every file read. */
	struct hp_patch_opts o = {
		.command = c->cli.command, .mode = c->mode,
		.flags = c->flags | (c->cli.json ? HP_HASH_READ : 0),
		.profiles = c->profiles, .n_profiles = c->n_profiles,
		.reg_files = c->reg_files, .n_reg_files = c->n_reg_files,
		.profile_dir = cli_profile_dir(), .output = c->output,
	};
	struct cli_target_opts to = { .target = c->target,
	    .image = c->image, .partition = c->partition,
	    .write = c->mode != HP_PATCH_VERIFY && !(c->flags & HP_DRY_RUN) &&
	    c->output == NULL, .max_hive = c->max_hive, .user = c->user,
	    .report_schema = 1 };
	struct cli_target t;
	struct hp_store *store;
	const char *from;
	char *root;
	int status;

	if ((status = cli_target_open(&c->cli, &to, &t)) != 0)
		return status;
	/* verify only reads it: the record of a run cut short. */
	o.backup_root = root = cli_backup_root(c->backup_dir, &from);
	while ((store = cli_target_next(&t)) != NULL)
		cli_target_done(&t, patch_one(c, store, &o, root, from, &t));
	free(root);
	return cli_target_close(&t);
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
