/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The command line: one file per subcommand (cmd_*.c), each parsing its
 * options, making one library call and rendering the result.  What they
 * share is here.  Nothing in src/ includes more of the library than
 * hivepatch.h. */
#ifndef HIVEPATCH_CLI_H
#define HIVEPATCH_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "hivepatch.h"

int cmd_apply(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_backups(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_recover(int argc, char **argv);

void cli_print_help(FILE *out);

/* What every command takes besides its own options: --json,
 * -q/--quiet and -v/--verbose (and --help). */
struct cli_common {
	const char *command;	/* "apply", ... */
	int json;		/* --json: one JSON document on stdout */
	int quiet;		/* -q: error messages alone, no text */
	int verbose;		/* -v: more detail in the text report */
};

/* The codes of the long options; letters are for the short ones. */
enum { OPT_PROFILE = 256, OPT_REG, OPT_DRY_RUN, OPT_JSON, OPT_FORCE,
	OPT_BACKUP_DIR, OPT_ALL_CONTROL_SETS, OPT_NO_RECOVER, OPT_COMMIT,
	OPT_KEEP_TIMESTAMPS, OPT_BACKUP, OPT_MAX_HIVE_SIZE, OPT_OUTPUT,
	OPT_TO, OPT_UTF16, OPT_DISCARD_LOGS, OPT_USER, OPT_IMAGE,
	OPT_PARTITION };

/* The shared entries of every command's table of long options. */
#define CLI_COMMON_OPTIONS						\
	{ "json", no_argument, NULL, OPT_JSON },			\
	{ "quiet", no_argument, NULL, 'q' },				\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "help", no_argument, NULL, 'h' }

/* --image N|NAME|all and --partition N: which parts of an image file. */
#define CLI_IMAGE_OPTIONS						\
	{ "image", required_argument, NULL, OPT_IMAGE },		\
	{ "partition", required_argument, NULL, OPT_PARTITION }

/* Prints "hivepatch: MESSAGE" on stderr and returns the status. */
int cli_fail(const struct hp_err *e);

/* Prints a usage error of cc->command on stderr and, under --json, the
 * document of the command's schema with the error (reason "usage") on
 * stdout; returns HP_USAGE. */
int cli_usage(const struct cli_common *cc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The options of a command, the GNU way: anywhere among the operands
 * (getopt_long permutes them to the front), up to a "--" after which
 * everything is an operand.  cli_options_start, then cli_next_option
 * until it returns 0 or less.
 *
 * cli_options_start reads the whole command line once, silently, for
 * --json, so that a usage error before it is reported as JSON too.
 * cli_next_option returns the code of the next option of `options`;
 * 0 when there are no more (the operands are then argv[optind] on);
 * CLI_HELP after printing the help for -h/--help; CLI_BAD after
 * printing a usage error: an option it does not know, an ambiguous
 * abbreviation, a value missing or empty (naming what it must be) or
 * given to an option that takes none, or -q with -v.  --json, -q and
 * -v it takes itself, into cc. */
#define CLI_HELP (-1)
#define CLI_BAD (-2)
struct option;
void cli_options_start(int argc, char **argv, const struct option *options,
		       struct cli_common *cc);
int cli_next_option(int argc, char **argv, const struct option *options,
		    struct cli_common *cc);

/* What a command returns for CLI_HELP or CLI_BAD. */
#define CLI_OPTION_STATUS(c) ((c) == CLI_HELP ? HP_OK : HP_USAGE)

/* The flags of the text renderers for cc (RENDER_VERBOSE). */
unsigned cli_render_flags(const struct cli_common *cc);

/* Whether cc prints a text report: not under --json nor -q. */
#define CLI_TEXT(cc) (!(cc)->json && !(cc)->quiet)

/* Where profiles are read: $HIVEPATCH_PROFILE_DIR, else
 * cli_builtin_profile_dir, fixed when the binary was linked (never
 * looked for beside the binary). */
const char *cli_profile_dir(void);

/* src/profile_dir.c, compiled once per binary (Makefile.am): the source
 * tree's profiles/ for src/hivepatch, the build tree's binary, and the
 * configured $(pkgdatadir)/profiles for the binary make install
 * installs. */
extern const char cli_builtin_profile_dir[];

/* Where backups go: --backup-dir (*from NULL), else
 * $XDG_STATE_HOME/hivepatch (*from "XDG_STATE_HOME"), else
 * $HOME/.local/state/hivepatch (*from "HOME"); NULL when none of them
 * is set (malloc'd). */
char *cli_backup_root(const char *override, const char **from);

/* A failure about the backup directory says which it was: with none,
 * how to give one; where the library names a default one ("the backup
 * directory DIR"), as "the default backup directory DIR (from $VAR)".
 * The result's error (*result_error, when not NULL) becomes the same. */
void cli_explain_backup_root(const char *root, const char *from,
			     struct hp_err *e, char **result_error);

/* -v: the backup directory, and where it came from, on out. */
void cli_print_backup_root(const char *root, const char *from, FILE *out);

/* Exactly one operand left after the options, TARGET (argv[optind]):
 * 0, or HP_USAGE after printing the usage error. */
int cli_one_target(const struct cli_common *cc, int argc, char **argv);

/* --max-hive-size SIZE: bytes, or with a suffix K, M or G (powers of
 * 1024), at most 2G.  0, or HP_USAGE after printing the usage error. */
int cli_hive_size(const struct cli_common *cc, const char *arg,
		  uint64_t *bytes);

/* ---- the stores a TARGET names (cli_target.c) ---- */

struct cli_target_opts {
	const char *target;
	const char *image;	/* --image N|NAME|all, or NULL */
	const char *partition;	/* --partition N, or NULL */
	int write;		/* the command may write */
	int single;		/* the command reads one Windows (export) */
	uint64_t max_hive;	/* --max-hive-size, or 0 */
	const char *user;	/* --user, or NULL */
	int report_schema;	/* a failure to open is a report document
				 * (render_json_failure), else the
				 * command's (render_json_error) */
};

struct json_object;
struct render_part;

struct cli_target {
	const struct cli_common *cc;
	struct cli_target_opts o;
	struct hp_store *store;		/* the one being run on */
	struct hp_image_file *img;	/* NULL: TARGET is no image */
	size_t *chosen;			/* the parts to run on */
	size_t n_chosen, next;
	struct render_part *runs;	/* --json: the parts' runs so far */
	char sha_before[65];
	int status;			/* the worst so far */
};

/* Opens TARGET: a tree or hive file as one store, or an image file and
 * the parts hp_image_choose gives for --image or --partition.  0, or
 * the exit status after reporting why not (nothing to close). */
int cli_target_open(const struct cli_common *cc,
		    const struct cli_target_opts *o, struct cli_target *t);

/* The next store to run on (NULL when none is left); for an image, text
 * output is headed by the part's name.  Each store is followed by
 * cli_target_done with the run's exit status. */
struct hp_store *cli_target_next(struct cli_target *t);
void cli_target_done(struct cli_target *t, int status);

/* Under --json, the document of the run on the store (NULL: out of
 * memory, which is said and counted, exit status 4): printed on stdout,
 * or for an image kept as its part's report. */
void cli_target_json(struct cli_target *t, struct json_object *doc);

/* Closes everything; for an image under --json, prints the one document
 * of every part's run.  Returns the worst exit status of the runs. */
int cli_target_close(struct cli_target *t);

/* ---- apply, verify, import and recover ---- */

#define CLI_MAX_SOURCES 64

struct cli_patch {
	struct cli_common cli;		/* its command, --json, -q, -v */
	enum hp_patch_mode mode;
	const char *profiles[CLI_MAX_SOURCES];
	size_t n_profiles;
	const char *reg_files[CLI_MAX_SOURCES];
	size_t n_reg_files;
	unsigned flags;			/* HP_DRY_RUN, HP_FORCE, ... */
	const char *backup_dir;
	uint64_t max_hive;		/* --max-hive-size, or 0 */
	const char *output;		/* recover --output, or NULL */
	const char *user;		/* --user, or NULL */
	const char *image;		/* --image, or NULL */
	const char *partition;		/* --partition, or NULL */
	const char *target;
};

/* Parses the options of c->cli.command; `allowed` lists the codes it takes.
 * Returns 0, or HP_USAGE after printing the usage error; --help prints
 * the help and returns -1. */
int cli_patch_options(int argc, char **argv, struct cli_patch *c,
		      const int *allowed, size_t n_allowed);

/* Takes the one TARGET left after the options (HP_USAGE if not one). */
int cli_patch_target(int argc, char **argv, struct cli_patch *c);

/* Runs hp_patch over TARGET and renders its result; returns the exit
 * status. */
int cli_patch_run(const struct cli_patch *c);

/* apply, verify and recover: the options `allowed`, one TARGET, and
 * with default_profile net4-tls12 when no profile or .reg file was
 * given; then the run. */
int cli_patch_main(int argc, char **argv, struct cli_patch *c,
		   const int *allowed, size_t n_allowed, int default_profile);

#endif
